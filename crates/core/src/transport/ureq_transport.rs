//! The built-in transport: ureq, one connection pool per client (keep-alive), over rustls or the
//! platform's TLS (cargo features `rustls` / `native-tls`; `native-tls` wins when both are on).

use super::{Body, Request, Response, Transport};
use super::{TransportError, TransportErrorKind};
use std::fmt;

/// ureq over rustls with Mozilla's roots, or over the platform's TLS library and trust store
/// (`native-tls`). Redirects are off (the core follows them) and HTTP error statuses
/// are returned as responses.
#[derive(Clone)]
pub struct UreqTransport {
    agent: ureq::Agent,
}

impl UreqTransport {
    /// A transport with its own connection pool.
    pub fn new() -> Self {
        let builder = ureq::Agent::config_builder();
        // The platform's trust store rather than a bundled root list: the point of this stack is
        // that the system (its updates, its enterprise roots) decides what to trust.
        #[cfg(feature = "native-tls")]
        let builder = builder.tls_config(
            ureq::tls::TlsConfig::builder()
                .provider(ureq::tls::TlsProvider::NativeTls)
                .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                .build(),
        );
        let agent = builder
            .max_redirects(0)
            .http_status_as_error(false)
            .save_redirect_history(false)
            .user_agent("")
            .build()
            .new_agent();
        UreqTransport { agent }
    }
}

impl Default for UreqTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for UreqTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UreqTransport")
    }
}

fn classify(e: &ureq::Error) -> TransportError {
    use ureq::Error as E;
    // ureq's Display can include the URL (with its query); describe the class only.
    let (kind, msg) = match e {
        E::Timeout(t) => (TransportErrorKind::Timeout, format!("timed out ({t})")),
        E::HostNotFound => (TransportErrorKind::Connect, "host not found".to_owned()),
        E::ConnectionFailed => (TransportErrorKind::Connect, "connection failed".to_owned()),
        E::Io(io) if is_tls_failure(io) => (TransportErrorKind::Tls, tls_message(io)),
        E::Io(io) => (TransportErrorKind::Io, format!("I/O error: {}", io.kind())),
        E::Tls(_) => (TransportErrorKind::Tls, "TLS error".to_owned()),
        #[cfg(feature = "rustls")]
        E::Rustls(_) => (TransportErrorKind::Tls, "TLS error".to_owned()),
        #[cfg(feature = "native-tls")]
        E::NativeTls(_) | E::Der(_) => (TransportErrorKind::Tls, "TLS error".to_owned()),
        E::BodyExceedsLimit(n) => (
            TransportErrorKind::Io,
            format!("response body exceeds {n} bytes"),
        ),
        E::TooManyRedirects => (TransportErrorKind::Other, "too many redirects".to_owned()),
        other => (
            TransportErrorKind::Other,
            format!("HTTP client error ({})", variant_name(other)),
        ),
    };
    TransportError::new(kind, msg)
}

/// ureq reads through rustls' stream, which reports a failed handshake (an untrusted or expired
/// certificate, a protocol alert) as an I/O error wrapping the rustls error.
#[cfg(feature = "rustls")]
fn is_tls_failure(io: &std::io::Error) -> bool {
    io.get_ref()
        .is_some_and(|inner| inner.is::<rustls::Error>())
}

#[cfg(not(feature = "rustls"))]
fn is_tls_failure(_: &std::io::Error) -> bool {
    false
}

/// The class of the failure only: rustls' own text can carry names the server presented.
#[cfg(feature = "rustls")]
fn tls_message(io: &std::io::Error) -> String {
    match io
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        Some(rustls::Error::InvalidCertificate(_)) => {
            "TLS error: the server's certificate was refused".to_owned()
        }
        _ => "TLS error".to_owned(),
    }
}

#[cfg(not(feature = "rustls"))]
fn tls_message(_: &std::io::Error) -> String {
    "TLS error".to_owned()
}

fn variant_name(e: &ureq::Error) -> String {
    // The Debug form starts with the variant name; keep only that.
    format!("{e:?}")
        .split(['(', ' ', '{'])
        .next()
        .unwrap_or("unknown")
        .to_owned()
}

impl Transport for UreqTransport {
    fn send(&self, request: Request) -> Result<Response, TransportError> {
        let Request {
            method,
            url,
            headers,
            body,
            timeout,
            max_response_bytes,
        } = request;
        let mut builder = ureq::http::Request::builder()
            .method(method.as_str())
            .uri(&url);
        for (k, v) in &headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let result = match body {
            Body::Empty => {
                let req = builder.body(()).map_err(|_| {
                    TransportError::new(
                        TransportErrorKind::Other,
                        "invalid request (URL or header)",
                    )
                })?;
                self.configured(req, timeout)
            }
            Body::Bytes(b) => {
                let req = builder.body(b).map_err(|_| {
                    TransportError::new(
                        TransportErrorKind::Other,
                        "invalid request (URL or header)",
                    )
                })?;
                self.configured(req, timeout)
            }
            Body::Reader { reader, len } => {
                if let Some(n) = len {
                    builder = builder.header("Content-Length", n.to_string());
                }
                let req = builder
                    .body(ureq::SendBody::from_owned_reader(reader))
                    .map_err(|_| {
                        TransportError::new(
                            TransportErrorKind::Other,
                            "invalid request (URL or header)",
                        )
                    })?;
                self.configured(req, timeout)
            }
        };
        let mut resp = result.map_err(|e| classify(&e))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        // Read at most one byte past the cap and let the core report ResponseTooLarge: ureq's own
        // limit would turn an oversized body into an I/O error.
        let mut body = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(
                resp.body_mut().with_config().limit(u64::MAX).reader(),
                max_response_bytes.saturating_add(1),
            ),
            &mut body,
        )
        .map_err(|e| classify(&ureq::Error::from(e)))?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

impl UreqTransport {
    fn configured<B: ureq::AsSendBody>(
        &self,
        req: ureq::http::Request<B>,
        timeout: std::time::Duration,
    ) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
        let req = self
            .agent
            .configure_request(req)
            .timeout_global(Some(timeout))
            .build();
        self.agent.run(req)
    }
}
