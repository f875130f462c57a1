//! `shanyrak serve` over HTTPS: a self-signed certificate made once and kept, checked by
//! a client that trusts only it; HSTS and `__Host-` cookies; plain HTTP refused beyond
//! loopback unless asked for.

use std::process::Stdio;
use std::time::Duration;

use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
use openssl::x509::X509;
use shanyrak_store::testing::{Backend, TestDatabase};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

use crate::support::{BIN, serve};

/// Starts `serve --tls-self-signed` and returns it with its port and what it printed
/// before the QR code (the address and the fingerprint).
async fn start(db: &str, dir: &std::path::Path) -> (Child, u16, Vec<String>) {
    let mut child = serve(BIN, db, &["--tls-self-signed", "--tls-dir"])
        .arg(dir)
        .env("SHANYRAK_LOG", "warn")
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn server");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut printed = Vec::new();
    while printed.len() < 2 {
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .expect("server started in time")
            .expect("read stdout")
            .expect("a line");
        printed.push(line);
    }
    let port = printed[0]
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a port");
    // The QR code follows; nothing else is read, so drain it in the background.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, port, printed)
}

/// One request over TLS to `localhost`, trusting only `certificate`; the raw answer.
async fn get(port: u16, certificate: &X509, path: &str) -> String {
    let mut connector = SslConnector::builder(SslMethod::tls_client()).expect("connector");
    connector.set_verify(SslVerifyMode::PEER);
    connector
        .cert_store_mut()
        .add_cert(certificate.clone())
        .expect("trust it");
    let ssl = connector
        .build()
        .configure()
        .expect("configure")
        .into_ssl("localhost")
        .expect("ssl");
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let mut stream = tokio_openssl::SslStream::new(ssl, tcp).expect("stream");
    std::pin::Pin::new(&mut stream)
        .connect()
        .await
        .expect("the handshake verifies");
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await
        .expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_self_signed_laptop_serves_https_with_its_fingerprint_printed() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    let dir = std::env::temp_dir().join(format!("shanyrak-https-{}", uuid::Uuid::now_v7()));
    let (mut server, port, printed) = start(&db.url, &dir).await;
    assert!(printed[0].contains("https://127.0.0.1:"), "{printed:?}");
    let certificate =
        X509::from_pem(&std::fs::read(dir.join("certificate.pem")).expect("kept")).expect("pem");
    let fingerprint: Vec<String> = certificate
        .digest(openssl::hash::MessageDigest::sha256())
        .expect("digest")
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    assert!(printed[1].ends_with(&fingerprint.join(":")), "{printed:?}");

    let health = get(port, &certificate, "/healthz").await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    let lower = health.to_lowercase();
    assert!(
        lower.contains("strict-transport-security: max-age=31536000"),
        "{health}"
    );
    let login = get(port, &certificate, "/login").await;
    assert!(login.starts_with("HTTP/1.1 200"), "{login}");
    assert!(
        login.to_lowercase().contains("set-cookie: __host-"),
        "{login}"
    );

    // A client that trusts another certificate does not get through.
    let other = X509::from_pem(
        &shanyrak_server::tls::self_signed(&["localhost".to_owned()])
            .expect("another")
            .certificate_pem,
    )
    .expect("pem");
    let refused = tokio::spawn(async move { get(port, &other, "/healthz").await }).await;
    assert!(refused.is_err(), "a foreign certificate was trusted");

    // Restarted, it keeps its certificate: the fingerprint on the wall stays true.
    server.kill().await.expect("stop");
    let (_server, _, again) = start(&db.url, &dir).await;
    assert_eq!(again[1], printed[1]);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_beyond_loopback_is_refused_unless_asked_for() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    let output = Command::new(BIN)
        .args(["serve", "--db", &db.url, "--bind", "0.0.0.0:0"])
        .env("SHANYRAK_LOG", "warn")
        .output()
        .await
        .expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--tls-self-signed"), "{stderr}");
}
