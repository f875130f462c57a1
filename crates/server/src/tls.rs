//! HTTPS served by the binary itself, for a laptop in a gym or at a border post with no
//! proxy in front: the session cookie is also an API bearer token, and must not cross
//! shared Wi-Fi in clear.
//!
//! TLS is the system OpenSSL's (the library SQLCipher and the PostgreSQL driver already
//! link): one TLS stack, patched with the distribution. A certificate comes from files
//! (`--tls-cert`, `--tls-key`), or is made here, self-signed, for the laptop's addresses;
//! volunteers then check its SHA-256 fingerprint, printed at start and pinned on the wall.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::extract::connect_info::ConnectInfo;
use axum::http::HeaderValue;
use axum::http::header::STRICT_TRANSPORT_SECURITY;
use axum::response::Response;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::PKey;
use openssl::ssl::{SslAcceptor, SslMethod, SslVersion};
use openssl::x509::extension::{
    BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAlternativeName,
};
use openssl::x509::{X509, X509NameBuilder};
use tower::ServiceExt;

use crate::AppState;

/// How long a self-signed certificate is valid: under the 825 days browsers accept.
const SELF_SIGNED_DAYS: u32 = 820;
/// A client that opens a connection and never finishes the handshake is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections still open at shutdown get this long to finish their request.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// Browsers remember for a year to use HTTPS only.
const HSTS: &str = "max-age=31536000";

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("the certificate file holds no PEM certificate")]
    NoCertificate,
    #[error("the certificate or key is not usable: {0}")]
    OpenSsl(#[from] openssl::error::ErrorStack),
    #[error("the private key does not belong to the certificate")]
    KeyMismatch,
    #[error("{0:?} is neither a host name nor an IP address")]
    BadName(String),
}

/// A certificate and its private key, PEM-encoded.
#[derive(Clone)]
pub struct CertifiedKey {
    pub certificate_pem: Vec<u8>,
    pub key_pem: Vec<u8>,
}

impl std::fmt::Debug for CertifiedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key never goes into a log.
        f.debug_struct("CertifiedKey").finish_non_exhaustive()
    }
}

/// What the server needs to accept TLS connections, checked once at start.
#[derive(Clone)]
pub struct TlsConfig {
    acceptor: Arc<SslAcceptor>,
    fingerprint: String,
}

impl std::fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsConfig")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

impl TlsConfig {
    /// TLS 1.2 and 1.3 with Mozilla's intermediate ciphers, from a PEM certificate chain
    /// (the server's first) and its PEM private key.
    pub fn from_pem(certified: &CertifiedKey) -> Result<Self, TlsError> {
        let mut chain = X509::stack_from_pem(&certified.certificate_pem)?.into_iter();
        let leaf = chain.next().ok_or(TlsError::NoCertificate)?;
        let key = PKey::private_key_from_pem(&certified.key_pem)?;
        let mut builder = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server())?;
        builder.set_min_proto_version(Some(SslVersion::TLS1_2))?;
        builder.set_certificate(&leaf)?;
        for intermediate in chain {
            builder.add_extra_chain_cert(intermediate)?;
        }
        // OpenSSL compares the key with the certificate as it takes it.
        builder
            .set_private_key(&key)
            .map_err(|_| TlsError::KeyMismatch)?;
        builder
            .check_private_key()
            .map_err(|_| TlsError::KeyMismatch)?;
        builder.set_alpn_select_callback(|_, offered| {
            openssl::ssl::select_next_proto(b"\x08http/1.1", offered)
                .ok_or(openssl::ssl::AlpnError::NOACK)
        });
        Ok(Self {
            acceptor: Arc::new(builder.build()),
            fingerprint: fingerprint(&leaf)?,
        })
    }

    /// The SHA-256 fingerprint of the server's certificate, as browsers show it
    /// (`AB:CD:…`).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
}

fn fingerprint(certificate: &X509) -> Result<String, TlsError> {
    let digest = certificate.digest(MessageDigest::sha256())?;
    Ok(digest
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":"))
}

/// A new self-signed certificate (ECDSA P-256, SHA-256) for these host names and IP
/// addresses, valid from a day ago for 820 days.
pub fn self_signed(names: &[String]) -> Result<CertifiedKey, TlsError> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
    let key = PKey::from_ec_key(EcKey::generate(&group)?)?;
    let mut subject = X509NameBuilder::new()?;
    subject.append_entry_by_nid(Nid::COMMONNAME, "Shanyrak")?;
    subject.append_entry_by_nid(Nid::ORGANIZATIONNAME, "Shanyrak (self-signed)")?;
    let subject = subject.build();
    let mut builder = X509::builder()?;
    builder.set_version(2)?;
    let mut serial = BigNum::new()?;
    serial.rand(127, MsbOption::MAYBE_ZERO, false)?;
    let serial = serial.to_asn1_integer()?;
    builder.set_serial_number(&serial)?;
    builder.set_subject_name(&subject)?;
    builder.set_issuer_name(&subject)?;
    builder.set_pubkey(&key)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let not_before = Asn1Time::from_unix(now - 86_400)?;
    let not_after = Asn1Time::days_from_now(SELF_SIGNED_DAYS)?;
    builder.set_not_before(&not_before)?;
    builder.set_not_after(&not_after)?;
    let mut names_extension = SubjectAlternativeName::new();
    for name in names {
        if name.parse::<std::net::IpAddr>().is_ok() {
            names_extension.ip(name);
        } else if is_host_name(name) {
            names_extension.dns(name);
        } else {
            return Err(TlsError::BadName(name.clone()));
        }
    }
    let context = builder.x509v3_context(None, None);
    let names_extension = names_extension.build(&context)?;
    builder.append_extension(names_extension)?;
    builder.append_extension(BasicConstraints::new().critical().build()?)?;
    builder.append_extension(
        KeyUsage::new()
            .critical()
            .digital_signature()
            .key_agreement()
            .build()?,
    )?;
    builder.append_extension(ExtendedKeyUsage::new().server_auth().build()?)?;
    builder.sign(&key, MessageDigest::sha256())?;
    let certificate = builder.build();
    Ok(CertifiedKey {
        certificate_pem: certificate.to_pem()?,
        key_pem: key.private_key_to_pem_pkcs8()?,
    })
}

fn is_host_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

async fn add_hsts(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    response
}

/// Serves the API and the web interface over TLS until `shutdown` resolves, with the
/// background work `serve` runs, and `Strict-Transport-Security` on every answer. A
/// failed handshake drops that connection only.
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    state: AppState,
    tls: TlsConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let background = crate::spawn_background(&state);
    let app = crate::router(state).layer(axum::middleware::map_response(add_hsts));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let acceptor = tls.acceptor.clone();
        let service = app
            .clone()
            .layer(Extension(ConnectInfo::<SocketAddr>(peer)));
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let Ok(ssl) = openssl::ssl::Ssl::new(acceptor.context()) else {
                return;
            };
            let Ok(mut stream) = tokio_openssl::SslStream::new(ssl, tcp) else {
                return;
            };
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, Pin::new(&mut stream).accept()).await {
                Ok(Ok(())) => {}
                // Scanners, plain HTTP on the TLS port, clients that distrust the
                // certificate: nothing to log per connection.
                _ => return,
            }
            let service = TowerToHyperService::new(service.map_request(
                |request: axum::http::Request<hyper::body::Incoming>| {
                    request.map(axum::body::Body::new)
                },
            ));
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            let _ = watcher.watch(connection).await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await;
    background.abort();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_self_signed_certificate_serves_its_names_and_has_a_fingerprint() {
        let names = vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
            "192.168.1.20".to_owned(),
        ];
        let certified = self_signed(&names).expect("a certificate");
        let config = TlsConfig::from_pem(&certified).expect("usable");
        assert_eq!(config.fingerprint().len(), 32 * 3 - 1);
        let text = X509::from_pem(&certified.certificate_pem)
            .expect("pem")
            .to_text()
            .expect("text");
        let text = String::from_utf8_lossy(&text);
        assert!(text.contains("DNS:localhost"), "{text}");
        assert!(text.contains("IP Address:192.168.1.20"), "{text}");
        assert!(text.contains("TLS Web Server Authentication"), "{text}");
    }

    #[test]
    fn a_key_of_another_certificate_or_a_name_that_is_not_one_is_refused() {
        let first = self_signed(&["localhost".to_owned()]).expect("first");
        let second = self_signed(&["localhost".to_owned()]).expect("second");
        let mixed = CertifiedKey {
            certificate_pem: first.certificate_pem,
            key_pem: second.key_pem,
        };
        assert!(matches!(
            TlsConfig::from_pem(&mixed),
            Err(TlsError::KeyMismatch)
        ));
        assert!(matches!(
            self_signed(&["not a name".to_owned()]),
            Err(TlsError::BadName(_))
        ));
        let empty = CertifiedKey {
            certificate_pem: Vec::new(),
            key_pem: Vec::new(),
        };
        assert!(TlsConfig::from_pem(&empty).is_err());
    }
}
