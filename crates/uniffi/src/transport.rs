//! The host app's HTTP stack (OkHttp, URLSession, urllib) as a foreign trait, passed per client.
//!
//! The adapter turns whatever the host does — a typed `TransportFailure`, any other exception, a
//! malformed response — into a core `TransportError`, so a misbehaving host transport surfaces as
//! `GarminError::Network`/`Timeout` and never as a crash.

use garmin_sso_core as core;
use std::fmt;
use std::sync::Arc;

/// One header (or query parameter): a name and a value. Names may repeat.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpHeader {
    /// The name.
    pub name: String,
    /// The value.
    pub value: String,
}

impl fmt::Debug for HttpHeader {
    // Values are cookies, bearer tokens and tickets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpHeader")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// One HTTP request the library wants sent. It carries passwords, tickets, cookies and tokens, so
/// it is an object rather than a record: printing it (`toString`, `str`, `description`) shows only
/// the method, the URL without its query, and header names.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct HttpRequest {
    method: String,
    url: String,
    headers: Vec<HttpHeader>,
    body: Vec<u8>,
    timeout_ms: u64,
    max_response_bytes: u64,
}

#[uniffi::export]
impl HttpRequest {
    /// `GET`, `POST`, `PUT`, `DELETE`, `PATCH` or `HEAD`.
    pub fn method(&self) -> String {
        self.method.clone()
    }

    /// The absolute URL, query included.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Headers to send, in order (names may repeat).
    pub fn headers(&self) -> Vec<HttpHeader> {
        self.headers.clone()
    }

    /// The body (empty for none).
    pub fn body(&self) -> Vec<u8> {
        self.body.clone()
    }

    /// How long the whole exchange may take, in milliseconds.
    pub fn timeout_ms(&self) -> u64 {
        self.timeout_ms
    }

    /// Stop reading (and fail) past this many response body bytes.
    pub fn max_response_bytes(&self) -> u64 {
        self.max_response_bytes
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &core::redact_url(&self.url))
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|h| h.name.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl fmt::Display for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} ({} body bytes)",
            self.method,
            core::redact_url(&self.url),
            self.body.len()
        )
    }
}

/// The response exactly as received: redirects NOT followed (a 3xx is returned as is), body decoded
/// from any content-encoding, every header kept (repeated `Set-Cookie` as separate entries).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpResponse {
    /// The status code; 4xx and 5xx are responses too, not failures.
    pub status: u16,
    /// Headers in order.
    pub headers: Vec<HttpHeader>,
    /// The body.
    pub body: Vec<u8>,
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// How a host transport reports that no HTTP response was received, one case per core
/// `TransportErrorKind`. Messages must not contain URLs with queries, headers or bodies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum TransportFailure {
    /// Name resolution or connecting failed.
    #[error("connect: {message}")]
    Connect { message: String },
    /// The exchange took longer than the request's timeout.
    #[error("timeout: {message}")]
    Timeout { message: String },
    /// TLS handshake or certificate failure.
    #[error("TLS: {message}")]
    Tls { message: String },
    /// Reading or writing the connection failed.
    #[error("I/O: {message}")]
    Io { message: String },
    /// Anything else.
    #[error("{message}")]
    Other { message: String },
}

/// Whatever else the host implementation throws (a `RuntimeException`, a Python `ValueError`, …)
/// arrives here instead of crashing the process.
impl From<uniffi::UnexpectedUniFFICallbackError> for TransportFailure {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        TransportFailure::Other {
            // Scrubbed here too, not only when it becomes an Error: this value prints on its own.
            message: format!(
                "the app's transport threw: {}",
                core::scrub_message(&e.reason)
            ),
        }
    }
}

impl From<TransportFailure> for core::TransportError {
    fn from(f: TransportFailure) -> Self {
        use core::TransportErrorKind as K;
        let (kind, message) = match f {
            TransportFailure::Connect { message } => (K::Connect, message),
            TransportFailure::Timeout { message } => (K::Timeout, message),
            TransportFailure::Tls { message } => (K::Tls, message),
            TransportFailure::Io { message } => (K::Io, message),
            TransportFailure::Other { message } => (K::Other, message),
        };
        // The core scrubs the message when the failure becomes an Error.
        core::TransportError::new(kind, message)
    }
}

/// The app's HTTP stack. Implement `send` with the platform client (OkHttp, URLSession, urllib) and
/// pass the object to `GarminClient`. It may be called from several threads at once.
///
/// Contract: do not follow redirects; do not store, send or add cookies (the library keeps them); do
/// not add authentication; return 4xx/5xx as responses; throw `TransportFailure` when no response was
/// received. Any other exception becomes a `GarminError.Network` naming it.
#[uniffi::export(foreign)]
pub trait HttpTransport: Send + Sync {
    /// Sends one request and returns the response as received.
    fn send(&self, request: Arc<HttpRequest>) -> Result<HttpResponse, TransportFailure>;
}

/// Adapts a foreign [`HttpTransport`] to the core's `Transport`.
pub(crate) struct ForeignTransport(pub(crate) Arc<dyn HttpTransport>);

impl fmt::Debug for ForeignTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ForeignTransport")
    }
}

impl core::Transport for ForeignTransport {
    fn send(&self, request: core::Request) -> Result<core::Response, core::TransportError> {
        let max = request.max_response_bytes;
        let request = to_foreign(request)?;
        let response = self.0.send(Arc::new(request))?;
        if response.body.len() as u64 > max {
            return Err(core::TransportError::new(
                core::TransportErrorKind::Io,
                format!("the app's transport returned more than {max} body bytes"),
            ));
        }
        if !(100..=999).contains(&response.status) {
            return Err(core::TransportError::new(
                core::TransportErrorKind::Other,
                format!(
                    "the app's transport returned status {}, which is not an HTTP status",
                    response.status
                ),
            ));
        }
        Ok(core::Response {
            status: response.status,
            headers: response
                .headers
                .into_iter()
                .map(|h| (h.name, h.value))
                .collect(),
            body: response.body,
        })
    }
}

fn to_foreign(r: core::Request) -> Result<HttpRequest, core::TransportError> {
    let body = r.body.into_bytes().map_err(|e| {
        core::TransportError::new(
            core::TransportErrorKind::Io,
            format!("reading the request body: {e}"),
        )
    })?;
    Ok(HttpRequest {
        method: r.method.as_str().to_owned(),
        url: r.url,
        headers: r
            .headers
            .into_iter()
            .map(|(name, value)| HttpHeader { name, value })
            .collect(),
        body,
        timeout_ms: u64::try_from(r.timeout.as_millis()).unwrap_or(u64::MAX),
        max_response_bytes: r.max_response_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_of_requests_and_responses_shows_no_secrets() {
        let r = HttpRequest {
            method: "POST".into(),
            url: "https://connectapi.garmin.com/oauth?ticket=ST-999-x".into(),
            headers: vec![HttpHeader {
                name: "Authorization".into(),
                value: "Bearer SECRETTOKEN".into(),
            }],
            body: b"password=hunter2".to_vec(),
            timeout_ms: 1000,
            max_response_bytes: 10,
        };
        for d in [format!("{r:?}"), r.to_string()] {
            for secret in ["ST-999", "SECRETTOKEN", "hunter2"] {
                assert!(!d.contains(secret), "{d}");
            }
        }
        assert!(format!("{r:?}").contains("Authorization"));
        let resp = HttpResponse {
            status: 200,
            headers: vec![HttpHeader {
                name: "Set-Cookie".into(),
                value: "CASTGC=TGT-secret".into(),
            }],
            body: b"{\"access_token\":\"AT-secret\"}".to_vec(),
        };
        let d = format!("{resp:?}");
        assert!(!d.contains("TGT-secret") && !d.contains("AT-secret"), "{d}");
    }

    struct Throwing;
    impl HttpTransport for Throwing {
        fn send(&self, _: Arc<HttpRequest>) -> Result<HttpResponse, TransportFailure> {
            Err(uniffi::UnexpectedUniFFICallbackError::new(
                "ValueError: broken at https://h/x?ticket=ST-1-s",
            )
            .into())
        }
    }

    #[test]
    fn an_unexpected_host_exception_becomes_a_transport_error() {
        let t = ForeignTransport(Arc::new(Throwing));
        let req = core::Request {
            method: core::Method::Get,
            url: "https://sso.garmin.com/x".into(),
            headers: Vec::new(),
            body: core::Body::Empty,
            timeout: std::time::Duration::from_secs(1),
            max_response_bytes: 100,
        };
        let e = core::Transport::send(&t, req).expect_err("the transport throws");
        assert_eq!(e.kind, core::TransportErrorKind::Other);
        assert!(e.message.contains("ValueError"), "{}", e.message);
        assert!(!e.message.contains("ST-1"), "{}", e.message);
        match crate::GarminError::from(garmin_sso_core::Error::from(e)) {
            crate::GarminError::Network { message } => {
                assert!(message.contains("broken"), "{message}")
            }
            other => panic!("wrong variant {other:?}"),
        }
    }
}
