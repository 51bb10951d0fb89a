//! The built-in transport's TLS against a real TLS server (`openssl s_server` on 127.0.0.1 with a
//! certificate made for the test): a certificate no trusted root vouches for is refused as a TLS
//! error before any request byte is sent, whichever TLS stack the build has (`rustls` with
//! Mozilla's roots, or `native-tls` with the platform's store). With `native-tls`, the same
//! certificate is accepted once the platform store holds it (OpenSSL's `SSL_CERT_FILE`, in a
//! child process so the variable never leaks into other tests): the transport really uses the
//! system's trust, not a list of its own.
#![cfg(feature = "ureq-transport")]

use garmin_sso_core::{Body, Method, Request, Transport, TransportErrorKind, UreqTransport};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

#[cfg(feature = "native-tls")]
const CHILD_URL: &str = "GARMIN_SSO_TLS_TEST_URL";

fn get(url: &str) -> Request {
    Request {
        method: Method::Get,
        url: url.to_owned(),
        headers: vec![("Accept".to_owned(), "*/*".to_owned())],
        body: Body::Empty,
        timeout: Duration::from_secs(20),
        max_response_bytes: 1 << 20,
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl command (Debian: openssl) runs");
    assert!(out.status.success(), "openssl {args:?}: {out:?}");
}

/// `openssl s_server` on a free loopback port, answering with its status page (`-www`). Ready
/// when it prints ACCEPT: reading that line is the synchronisation, no sleep.
struct TlsServer {
    child: Child,
    port: u16,
}

impl TlsServer {
    fn start(dir: &Path) -> TlsServer {
        openssl(
            dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                "key.pem",
                "-out",
                "cert.pem",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
            ],
        );
        // The port is free now; s_server fails loudly (no ACCEPT) if another process takes it
        // in between, and the next attempt picks another.
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free loopback port")
                .port();
            let mut child = Command::new("openssl")
                .args(["s_server", "-accept"])
                .arg(format!("127.0.0.1:{port}"))
                .args(["-cert", "cert.pem", "-key", "key.pem", "-www"])
                .current_dir(dir)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("openssl s_server starts");
            let stdout = child.stdout.take().expect("piped stdout");
            let ready = BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .any(|line| line.starts_with("ACCEPT"));
            if ready {
                return TlsServer { child, port };
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("openssl s_server did not start on a loopback port");
    }

    fn url(&self) -> String {
        format!("https://127.0.0.1:{}/", self.port)
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_certificate_no_trusted_root_vouches_for_is_a_tls_error() {
    let dir = tempfile::tempdir().unwrap();
    let server = TlsServer::start(dir.path());
    let err = UreqTransport::new()
        .send(get(&server.url()))
        .expect_err("an untrusted certificate must be refused");
    assert_eq!(err.kind, TransportErrorKind::Tls, "{err:?}");
    assert!(!err.message.contains("127.0.0.1"), "{}", err.message);
}

#[cfg(feature = "native-tls")]
#[test]
fn native_tls_trusts_what_the_platform_store_holds() {
    let dir = tempfile::tempdir().unwrap();
    let server = TlsServer::start(dir.path());
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "--ignored",
            "--nocapture",
            "platform_store_child",
        ])
        .env(CHILD_URL, server.url())
        .env("SSL_CERT_FILE", dir.path().join("cert.pem"))
        .env_remove("SSL_CERT_DIR")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "child: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Run by `native_tls_trusts_what_the_platform_store_holds` in a child process whose
/// `SSL_CERT_FILE` holds the test server's certificate.
#[cfg(feature = "native-tls")]
#[test]
#[ignore = "run by native_tls_trusts_what_the_platform_store_holds"]
fn platform_store_child() {
    let url = std::env::var(CHILD_URL).expect("started by the parent test");
    let response = UreqTransport::new().send(get(&url)).expect("trusted now");
    assert_eq!(response.status, 200);
}
