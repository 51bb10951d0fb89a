//! The HTTP boundary: one request in, one response out.
//!
//! The host application may bring its own HTTP stack (Qt's QNetworkAccessManager, OkHttp,
//! URLSession) so that TLS fingerprints, proxies and certificate policy are the platform's. A
//! transport is deliberately dumb: it must **not** follow redirects, keep cookies or add
//! authentication — the core owns cookies, redirects, timeouts, size caps and the rule that
//! credentials only go to Garmin.
//!
//! Neither [`Request`] nor [`Response`] prints headers, bodies or URL queries in `Debug`: they
//! carry passwords, tickets, cookies and bearer tokens.

#[cfg(all(
    feature = "ureq-transport",
    not(any(feature = "rustls", feature = "native-tls"))
))]
compile_error!("the `ureq-transport` feature needs a TLS stack: turn on `rustls` or `native-tls`");

#[cfg(feature = "ureq-transport")]
mod ureq_transport;
#[cfg(feature = "ureq-transport")]
pub use ureq_transport::UreqTransport;

use std::fmt;
use std::io::Read;
use std::time::Duration;

/// What kind of transport failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum TransportErrorKind {
    /// Name resolution or TCP connect failed.
    Connect,
    /// The request or response took longer than its timeout.
    Timeout,
    /// TLS handshake or certificate failure.
    Tls,
    /// Reading or writing the connection failed.
    Io,
    /// The host application's transport failed in a way it did not classify.
    Other,
}

/// A failure of the transport itself: no HTTP response was received. An HTTP error status is not a
/// transport failure; return it as a [`Response`].
///
/// `message` may quote a URL: the core scrubs queries and caps the length when the failure enters
/// its [`crate::Error`], so a ticket in a host stack's message never reaches a log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    /// The class of failure; a timeout becomes a timeout error, the rest a network error.
    pub kind: TransportErrorKind,
    /// The transport's own words, for logs and the error message. May quote a URL; it is scrubbed
    /// on entry into an [`Error`](crate::Error), not here.
    pub message: String,
}

impl TransportError {
    /// For host transports: `kind` decides whether the failure becomes
    /// [`Error::Timeout`](crate::Error::Timeout) or [`Error::Network`](crate::Error::Network).
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        TransportError {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

impl std::error::Error for TransportError {}

/// An HTTP method. Sign-in and token requests use only GET and POST; the rest exist for
/// [`ApiRequest`](crate::ApiRequest)s to the Connect API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// Pages, profile, downloads; also what a 301/302/303 redirect turns any other method into.
    Get,
    /// Every credential, MFA code and token request, and uploads.
    Post,
    /// Connect API writes.
    Put,
    /// Connect API deletions.
    Delete,
    /// Connect API partial updates.
    Patch,
    /// Stays HEAD across a 301/302/303 redirect, unlike the other methods.
    Head,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
            Method::Head => "HEAD",
        }
    }

    /// Parses a method name (case-insensitive).
    pub fn parse(s: &str) -> Option<Method> {
        Some(match s.to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "DELETE" => Method::Delete,
            "PATCH" => Method::Patch,
            "HEAD" => Method::Head,
            _ => return None,
        })
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request body. Only [`Body::Empty`] and [`Body::Bytes`] can be sent again, which a 307/308
/// redirect or the one retry after a token refresh needs; a [`Body::Reader`] is read once.
pub enum Body {
    /// No body.
    Empty,
    /// A body held in memory (replayable).
    Bytes(Vec<u8>),
    /// A streamed body (not replayable), with its length when known.
    Reader {
        /// Read to the end once, by the transport; never rewound.
        reader: Box<dyn Read + Send>,
        /// The length in bytes, when known (sent as Content-Length).
        len: Option<u64>,
    },
}

impl Body {
    /// A copy of the body when it can be sent again (for one retry after a token refresh).
    pub fn try_clone(&self) -> Option<Body> {
        match self {
            Body::Empty => Some(Body::Empty),
            Body::Bytes(b) => Some(Body::Bytes(b.clone())),
            Body::Reader { .. } => None,
        }
    }

    /// The length in bytes when known; `None` only for a [`Body::Reader`] without `len`.
    pub fn len_hint(&self) -> Option<u64> {
        match self {
            Body::Empty => Some(0),
            Body::Bytes(b) => Some(b.len() as u64),
            Body::Reader { len, .. } => *len,
        }
    }

    /// Reads the whole body into memory (for transports that need a buffer).
    pub fn into_bytes(self) -> std::io::Result<Vec<u8>> {
        match self {
            Body::Empty => Ok(Vec::new()),
            Body::Bytes(b) => Ok(b),
            Body::Reader { mut reader, len } => {
                let mut v = Vec::with_capacity(len.unwrap_or(0).min(64 << 20) as usize);
                reader.read_to_end(&mut v)?;
                Ok(v)
            }
        }
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.len_hint() {
            Some(n) => write!(f, "Body({n} bytes)"),
            None => f.write_str("Body(stream)"),
        }
    }
}

/// One HTTP request, fully built by the core.
pub struct Request {
    /// Already adjusted for redirects: after a 301/302/303 hop a POST arrives here as GET.
    pub method: Method,
    /// The absolute URL, query included.
    pub url: String,
    /// Header names and values, in order. Names may repeat.
    pub headers: Vec<(String, String)>,
    /// Empty after a 301/302/303 hop; after a 307/308 hop, the same bytes again.
    pub body: Body,
    /// How long the whole exchange may take.
    pub timeout: Duration,
    /// The transport should stop reading (and fail) past this many body bytes; the core checks
    /// again.
    pub max_response_bytes: u64,
}

impl Request {
    /// The first header value with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_lookup(&self.headers, name)
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &redact_url(&self.url))
            .field("headers", &header_names(&self.headers))
            .field("body", &self.body)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// One HTTP response as the transport received it (redirects not followed).
#[derive(Clone, Default)]
pub struct Response {
    /// Any status, 3xx included: the core reads `Location` itself, and a 4xx or 5xx is still an
    /// `Ok` exchange for the transport.
    pub status: u16,
    /// Header names and values, in order; repeated names (Set-Cookie) kept apart.
    pub headers: Vec<(String, String)>,
    /// The body, decoded from any content-encoding.
    pub body: Vec<u8>,
}

impl Response {
    /// The first header value with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_lookup(&self.headers, name)
    }

    /// Every value of a header (case-insensitive name).
    pub fn header_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &header_names(&self.headers))
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Performs one HTTP exchange. Implemented by [`UreqTransport`], by closures, and by host apps.
///
/// Contract: do not follow redirects (return the 3xx as it came); do not store or add cookies;
/// honour `timeout` and `max_response_bytes` where the stack allows; report failures without URLs,
/// headers or bodies in the message. Any HTTP status, including 4xx/5xx, is a successful exchange
/// (`Ok`).
pub trait Transport: Send + Sync {
    /// Sends `request` once and returns what came back, redirects unfollowed. `Err` only when no
    /// HTTP response arrived.
    fn send(&self, request: Request) -> Result<Response, TransportError>;
}

impl<F> Transport for F
where
    F: Fn(Request) -> Result<Response, TransportError> + Send + Sync,
{
    fn send(&self, request: Request) -> Result<Response, TransportError> {
        self(request)
    }
}

fn header_lookup<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn header_names(headers: &[(String, String)]) -> Vec<&str> {
    headers.iter().map(|(k, _)| k.as_str()).collect()
}

/// The URL without query, fragment or userinfo — safe to log (queries carry tickets).
pub fn redact_url(url: &str) -> String {
    match crate::urls::parse_url(url) {
        Ok(u) => {
            let mut s = format!("{}://{}", u.scheme(), u.host_str().unwrap_or(""));
            if let Some(p) = u.port() {
                s.push_str(&format!(":{p}"));
            }
            s.push_str(u.path());
            if u.query().is_some() {
                s.push_str("?…");
            }
            s
        }
        Err(_) => "<invalid url>".to_owned(),
    }
}

/// Secret shapes, whatever the text around them: a URL without `scheme://`, JSON-escaped
/// (`https:\/\/…`) or percent-encoded still carries its query, a ticket, a bearer token or a JWT.
static SECRET_SHAPES: std::sync::LazyLock<[(regex_lite::Regex, &'static str); 6]> =
    std::sync::LazyLock::new(|| {
        let re = |p: &str| regex_lite::Regex::new(p).expect("static regex");
        [
            // A query (or an encoded one) with at least one parameter: everything after `?`.
            (re(r#"(?i)(\?\?|%3F)[^\s"'<>()]*(=|%3D)[^\s"'<>()]*"#), "?…"),
            // A CAS ticket (service or granting) on its own.
            (re(r"\b(ST|TGT)-[0-9A-Za-z._~%-]{4,}"), "$1-…"),
            // `name=value` / `"name": "value"` pairs of secret-bearing fields, any quoting.
            (
                re(
                    // Any field whose name holds one of these words, in any case or style:
                    // `code`, `mfaVerificationCode`, `serviceTicket`, `oauth_token_secret`.
                    r#"(?i)\b([a-z0-9_-]*(?:password|passwd|ticket|token|code|secret)[a-z0-9_-]*)(\\?["']?\s*(=|:|%3D)\s*\\?["']?)[^\s"'&,;\\]+"#,
                ),
                "$1$2…",
            ),
            // Authorization header values.
            (re(r"(?i)\b(Bearer|Basic|OAuth)\s+[^\s,;]+"), "$1 …"),
            // Cookie headers quoted whole: every cookie value in them.
            (re(r"(?i)\b((?:set-)?cookie)\s*:\s*[^\r\n]*"), "$1: …"),
            // A JWT.
            (
                re(r"\beyJ[0-9A-Za-z_-]{6,}\.[0-9A-Za-z_-]+\.[0-9A-Za-z_-]*"),
                "<jwt>",
            ),
        ]
    });

/// Cleans a message that came from a host app's transport (C callback, Kotlin/Python/Swift
/// exception) before it enters an error. Such messages often quote the URL, whose query may hold a
/// ticket: every `scheme://` URL loses its query and userinfo; then every other secret shape (see
/// `SECRET_SHAPES`) is cut; control characters are escaped; the result is capped in length.
pub fn scrub_message(message: &str) -> String {
    const MAX_CHARS: usize = 300;
    // Bound the work on unbounded input before any pattern runs.
    let message: String = message.chars().take(4 * MAX_CHARS).collect();
    let message = message.as_str();
    let mut cleaned = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(sep) = rest.find("://") {
        let scheme_len = rest[..sep]
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            .map(char::len_utf8)
            .sum::<usize>();
        let start = sep - scheme_len;
        let end = rest[start..]
            .find(|c: char| {
                c.is_whitespace()
                    || matches!(
                        c,
                        '"' | '\'' | '(' | ')' | '<' | '>' | ',' | ';' | '[' | ']'
                    )
            })
            .map_or(rest.len(), |n| start + n);
        cleaned.push_str(&rest[..start]);
        cleaned.push_str(&redact_url(&rest[start..end]));
        rest = &rest[end..];
    }
    cleaned.push_str(rest);
    for (shape, replacement) in SECRET_SHAPES.iter() {
        if let std::borrow::Cow::Owned(s) = shape.replace_all(&cleaned, *replacement) {
            cleaned = s;
        }
    }
    let cleaned: String = cleaned
        .chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect();
    if cleaned.chars().count() > MAX_CHARS {
        let mut s: String = cleaned.chars().take(MAX_CHARS).collect();
        s.push('…');
        s
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_drops_url_queries_and_caps_length() {
        let m = scrub_message(
            "HTTP Error for url (https://sso.garmin.com/sso/embed?ticket=ST-123-secret) failed",
        );
        assert!(!m.contains("ST-123"), "{m}");
        assert!(m.contains("https://sso.garmin.com/sso/embed?…"), "{m}");
        assert!(m.ends_with(") failed"), "{m}");
        let m = scrub_message("java.io.IOException: http://user:pw@host/x");
        assert!(!m.contains("pw"), "{m}");
        assert_eq!(scrub_message(&"x".repeat(1000)).chars().count(), 301);
        assert_eq!(
            scrub_message("Connection refused (os error 111)"),
            "Connection refused (os error 111)"
        );
        let m = scrub_message("ValueError('https://sso.garmin.com/x?ticket=ST-2-secret')");
        assert_eq!(m, "ValueError('https://sso.garmin.com/x?…')");
    }

    #[test]
    fn scrub_finds_secrets_without_a_scheme() {
        for (input, secret) in [
            (
                "GET sso.garmin.com/sso/embed?ticket=ST-77-abc-cas failed",
                "ST-77",
            ),
            (
                r#"{"url":"https:\/\/sso.garmin.com\/x?ticket=ST-78-abc"}"#,
                "ST-78",
            ),
            (
                "url=https%3A%2F%2Fsso.garmin.com%2Fx%3Fticket%3DST-79-abc",
                "ST-79",
            ),
            ("ticket ST-80-abcdef-cas was refused", "ST-80"),
            (r#"{"refresh_token": "rt-secret-81"}"#, "rt-secret-81"),
            (
                "header Authorization: Bearer tok-secret-82",
                "tok-secret-82",
            ),
            (
                "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl here",
                "eyJzdWIiOiIxIn0",
            ),
            ("password=hunter2-83&x=1", "hunter2-83"),
            // Field names in the JSON flows' own style, quoted from a request body.
            (
                r#"body {"mfaVerificationCode":"918273","rememberMyBrowser":false}"#,
                "918273",
            ),
            (r#"{"serviceTicket": "opaque-84"}"#, "opaque-84"),
            ("mfaToken=opaque-85", "opaque-85"),
            ("Cookie: SESSION=cookie-86; CASTGC=cookie-87", "cookie-8"),
            ("set-cookie: GARMIN-SSO=cookie-88; Path=/", "cookie-88"),
        ] {
            let m = scrub_message(input);
            assert!(!m.contains(secret), "{input} -> {m}");
        }
        assert_eq!(scrub_message("bad\u{1b}[31m"), "bad\\u{1b}[31m");
        assert_eq!(scrub_message(&"ab\n".repeat(10_000)).chars().count(), 301);
    }

    #[test]
    fn debug_never_shows_query_headers_or_body() {
        let r = Request {
            method: Method::Get,
            url: "https://connectapi.garmin.com/x?ticket=ST-123-abc-cas".into(),
            headers: vec![("Authorization".into(), "Bearer SECRETTOKEN".into())],
            body: Body::Bytes(b"password=hunter2".to_vec()),
            timeout: Duration::from_secs(1),
            max_response_bytes: 10,
        };
        let d = format!("{r:?}");
        assert!(!d.contains("ST-123"), "{d}");
        assert!(!d.contains("SECRETTOKEN"), "{d}");
        assert!(!d.contains("hunter2"), "{d}");
        assert!(d.contains("Authorization"));
        let resp = Response {
            status: 200,
            headers: vec![("Set-Cookie".into(), "CASTGC=TGT-secret".into())],
            body: b"x".to_vec(),
        };
        assert!(!format!("{resp:?}").contains("TGT-secret"));
    }
}
