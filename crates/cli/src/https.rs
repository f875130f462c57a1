//! HTTPS for `shanyrak serve`: a certificate from files, or a self-signed one made on the
//! first start and kept, so that the fingerprint on the wall stays true across restarts.

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use shanyrak_server::tls::{CertifiedKey, TlsConfig};

/// How `serve` was asked to speak.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct HttpsArgs {
    /// Serve HTTPS with this certificate chain (PEM, the server's certificate first).
    #[arg(
        long,
        value_name = "FILE",
        requires = "tls_key",
        conflicts_with = "tls_self_signed"
    )]
    pub tls_cert: Option<PathBuf>,
    /// The private key of `--tls-cert` (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Serve HTTPS with a self-signed certificate for this machine's addresses, made on
    /// the first start and kept in `--tls-dir`; its SHA-256 fingerprint and a QR code of
    /// the address are printed at every start, for volunteers to check.
    #[arg(long)]
    pub tls_self_signed: bool,
    /// Where `--tls-self-signed` keeps its certificate and key (delete it to make a new
    /// one, e.g. for another address).
    #[arg(long, value_name = "DIR", default_value = "shanyrak-tls")]
    pub tls_dir: PathBuf,
    /// More host names or addresses for the self-signed certificate (repeatable).
    #[arg(long = "tls-name", value_name = "NAME")]
    pub tls_names: Vec<String>,
    /// Serve plain HTTP on an address other than loopback, with a warning: only behind a
    /// proxy that terminates TLS. Without HTTPS, the session cookie (also an API token)
    /// crosses the network in clear.
    #[arg(long)]
    pub plain_http: bool,
}

impl HttpsArgs {
    /// The TLS configuration asked for, or `None` for plain HTTP where that is allowed.
    pub fn config(&self, bind: SocketAddr) -> Result<Option<TlsConfig>> {
        let certified = if let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) {
            Some(CertifiedKey {
                certificate_pem: std::fs::read(cert).with_context(|| {
                    format!("could not read the certificate {}", cert.display())
                })?,
                key_pem: std::fs::read(key)
                    .with_context(|| format!("could not read the key {}", key.display()))?,
            })
        } else if self.tls_self_signed {
            Some(self_signed_kept(
                &self.tls_dir,
                &certificate_names(bind, &self.tls_names),
            )?)
        } else {
            None
        };
        let Some(certified) = certified else {
            if !bind.ip().is_loopback() {
                if !self.plain_http {
                    bail!(
                        "refusing to serve plain HTTP on {bind}: the session cookie would cross the network in clear. \
                         Use --tls-self-signed (a certificate for this machine, made once), --tls-cert FILE --tls-key FILE, \
                         or --plain-http behind a proxy that terminates TLS"
                    );
                }
                eprintln!(
                    "WARNING: serving plain HTTP on {bind}; only a TLS proxy in front may reach it"
                );
            }
            return Ok(None);
        };
        TlsConfig::from_pem(&certified)
            .map(Some)
            .context("the TLS certificate or key is not usable")
    }
}

/// The names a self-signed certificate covers: loopback, the bound address, the address
/// other machines reach this one by (when bound to all addresses), and any asked for.
fn certificate_names(bind: SocketAddr, extra: &[String]) -> Vec<String> {
    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    let ip = bind.ip();
    if ip.is_unspecified() {
        if let Some(lan) = primary_address(ip) {
            names.push(lan.to_string());
        }
    } else {
        names.push(ip.to_string());
    }
    if let Ok(host) = std::fs::read_to_string("/etc/hostname") {
        let host = host.trim();
        if !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        {
            names.push(host.to_owned());
            if !host.contains('.') {
                names.push(format!("{host}.local"));
            }
        }
    }
    names.extend(extra.iter().cloned());
    // Loopback may come twice (bound to 127.0.0.1); a name once is enough.
    let mut seen = std::collections::HashSet::new();
    names.retain(|name| seen.insert(name.clone()));
    names
}

/// The address this machine's default route leaves from: connecting a UDP socket sends
/// nothing, it only picks the route.
fn primary_address(unspecified: IpAddr) -> Option<IpAddr> {
    let (bind, probe) = if unspecified.is_ipv6() {
        ("[::]:0", "[2001:db8::1]:9")
    } else {
        ("0.0.0.0:0", "192.0.2.1:9")
    };
    let socket = UdpSocket::bind(bind).ok()?;
    socket.connect(probe).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified() && !ip.is_loopback()).then_some(ip)
}

fn self_signed_kept(dir: &Path, names: &[String]) -> Result<CertifiedKey> {
    let cert_path = dir.join("certificate.pem");
    let key_path = dir.join("key.pem");
    if cert_path.exists() && key_path.exists() {
        return Ok(CertifiedKey {
            certificate_pem: std::fs::read(&cert_path)
                .with_context(|| format!("could not read {}", cert_path.display()))?,
            key_pem: std::fs::read(&key_path)
                .with_context(|| format!("could not read {}", key_path.display()))?,
        });
    }
    let certified = shanyrak_server::tls::self_signed(names)
        .context("could not make a self-signed certificate")?;
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    write_private(&key_path, &certified.key_pem)?;
    std::fs::write(&cert_path, &certified.certificate_pem)
        .with_context(|| format!("could not write {}", cert_path.display()))?;
    eprintln!(
        "made a self-signed certificate for {} in {}",
        names.join(", "),
        dir.display()
    );
    Ok(certified)
}

/// Writes the key readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("could not create {}", path.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("could not write {}", path.display()))
}

/// What a volunteer needs to reach the server safely: its address, the certificate's
/// fingerprint to compare with what the browser shows, and a QR code of the address.
pub fn announce(address: SocketAddr, tls: &TlsConfig) {
    let host = if address.ip().is_unspecified() {
        primary_address(address.ip()).unwrap_or(address.ip())
    } else {
        address.ip()
    };
    let url = format!("https://{}", SocketAddr::new(host, address.port()));
    println!("Shanyrak is listening on {url}");
    println!("Certificate SHA-256 fingerprint: {}", tls.fingerprint());
    if let Ok(code) = qrcode::QrCode::new(url.as_bytes()) {
        let drawing = code
            .render::<qrcode::render::unicode::Dense1x2>()
            .quiet_zone(true)
            .build();
        println!("{drawing}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_refused_beyond_loopback_unless_asked_for() {
        let args = HttpsArgs::default();
        assert!(
            args.config("127.0.0.1:8080".parse().expect("addr"))
                .expect("loopback")
                .is_none()
        );
        let refused = args
            .config("0.0.0.0:8080".parse().expect("addr"))
            .expect_err("refused");
        assert!(
            refused.to_string().contains("--tls-self-signed"),
            "{refused}"
        );
        let plain = HttpsArgs {
            plain_http: true,
            ..HttpsArgs::default()
        };
        assert!(
            plain
                .config("0.0.0.0:8080".parse().expect("addr"))
                .expect("asked for")
                .is_none()
        );
    }

    #[test]
    fn a_self_signed_certificate_is_kept_across_starts() {
        let dir = std::env::temp_dir().join(format!("shanyrak-tls-test-{}", uuid::Uuid::now_v7()));
        let args = HttpsArgs {
            tls_self_signed: true,
            tls_dir: dir.clone(),
            ..HttpsArgs::default()
        };
        let bind: SocketAddr = "0.0.0.0:8443".parse().expect("addr");
        let first = args.config(bind).expect("made").expect("tls");
        let second = args.config(bind).expect("kept").expect("tls");
        assert_eq!(first.fingerprint(), second.fingerprint());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("key.pem"))
                .expect("key")
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the key is readable by others: {mode:o}");
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
