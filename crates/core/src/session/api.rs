//! Connect API requests: the URL under connectapi, the Bearer token and the headers Garmin's app
//! sends.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::tokens::{TokenFamily, Tokens};
use crate::transport::{Body, Method};
use std::fmt;
use url::Url;

/// One Connect API call: a path under `https://connectapi.{d}/`, query pairs, extra headers and a
/// body.
pub struct ApiRequest {
    /// Any method. After a 401 the request goes out once more, same method, with fresh tokens
    /// (unless the body is a [`Body::Reader`]).
    pub method: Method,
    /// The path under connectapi, e.g. `/userprofile-service/socialProfile`.
    pub path: String,
    /// Query pairs appended to the URL, unencoded: they are percent-encoded when it is built.
    pub query: Vec<(String, String)>,
    /// Extra headers; they replace the session's default of the same name (not `Authorization`).
    pub headers: Vec<(String, String)>,
    /// The body. A [`Body::Reader`] is sent once: after a 401 it is not retried.
    pub body: Body,
}

impl ApiRequest {
    /// A request with no query, headers or body.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        ApiRequest {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::Empty,
        }
    }

    /// A GET of `path`.
    pub fn get(path: impl Into<String>) -> Self {
        ApiRequest::new(Method::Get, path)
    }

    /// A request carrying `value` as a JSON body.
    pub fn json(method: Method, path: impl Into<String>, value: &serde_json::Value) -> Self {
        ApiRequest::new(method, path)
            .header("Content-Type", "application/json")
            .body(Body::Bytes(value.to_string().into_bytes()))
    }

    /// Adds a query pair, unencoded.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a header; it replaces a session default of the same name (`User-Agent`, `Accept`, …).
    /// `Authorization`, an empty name, a `:` in the name or a line break anywhere fails the
    /// request when it is sent.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body. Add the matching `Content-Type` header too: only [`ApiRequest::json`] sets
    /// one for you.
    pub fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }
}

impl fmt::Debug for ApiRequest {
    // Query values and header values may carry ids or tokens; names only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field(
                "query",
                &self
                    .query
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>(),
            )
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("body", &self.body)
            .finish()
    }
}

/// The absolute URL of `path` under the API host of `family`: connectapi, or the partner APIs for
/// partner tokens. Absolute URLs and anything that would leave that origin are refused: the Bearer
/// token goes to its own API host only.
pub(super) fn url(
    config: &Config,
    family: TokenFamily,
    path: &str,
    query: &[(String, String)],
) -> Result<Url> {
    let p = path.trim();
    if p.is_empty() {
        return Err(Error::InvalidInput("API path is empty".into()));
    }
    if p.contains("://") || p.starts_with("//") || p.contains('\\') {
        return Err(Error::InvalidInput(
            "API path must be a path under connectapi, not a URL".into(),
        ));
    }
    let base = match family {
        TokenFamily::Partner => &config.endpoints.apis,
        TokenFamily::Legacy | TokenFamily::Di => &config.endpoints.connectapi,
    };
    let mut url = crate::urls::join_url(base, p.trim_start_matches('/')).map_err(|e| {
        Error::InvalidInput(format!("API path cannot be joined to connectapi: {e}"))
    })?;
    if url.origin() != base.origin() {
        return Err(Error::InvalidInput(
            "API path leaves the connectapi origin".into(),
        ));
    }
    if !query.is_empty() {
        url.query_pairs_mut()
            .extend_pairs(query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    }
    Ok(url)
}

/// The headers of an API call: the app's identity for the token family, the caller's extras (which
/// replace defaults of the same name) and the Bearer token last.
pub(super) fn headers(
    config: &Config,
    tokens: &Tokens,
    extra: &[(String, String)],
) -> Result<Vec<(String, String)>> {
    if extra
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("Authorization"))
    {
        return Err(Error::InvalidInput(
            "the session sets the Authorization header itself".into(),
        ));
    }
    if extra
        .iter()
        .any(|(k, v)| k.is_empty() || k.contains([':', '\r', '\n']) || v.contains(['\r', '\n']))
    {
        return Err(Error::InvalidInput(
            "a header name or value is malformed".into(),
        ));
    }
    let mut h: Vec<(String, String)> = match tokens {
        Tokens::Di { .. } => {
            // What Garmin Connect Mobile for Android sends with DI tokens (docs/protocol.md §5).
            let version = config
                .api_user_agent
                .strip_prefix("GCM-Android-")
                .unwrap_or("5.23");
            vec![
                ("User-Agent".into(), config.api_user_agent.clone()),
                (
                    "X-Garmin-User-Agent".into(),
                    format!(
                        "com.garmin.android.apps.connectmobile/{version}; ; Google/sdk_gphone64_arm64/google; Android/33; Dalvik/2.1.0"
                    ),
                ),
                ("X-Garmin-Client-Platform".into(), "Android".into()),
                ("X-Garmin-Paired-App-Version".into(), "10861".into()),
                ("X-App-Ver".into(), "10861".into()),
                ("X-Lang".into(), "en".into()),
                ("X-GCExperience".into(), "GC5".into()),
            ]
        }
        Tokens::Legacy { .. } => vec![("User-Agent".into(), config.oauth_user_agent.clone())],
        // A partner app is itself, not Garmin's app: no Garmin identity headers.
        Tokens::Partner { .. } => vec![(
            "User-Agent".into(),
            concat!("garmin-sso/", env!("CARGO_PKG_VERSION")).into(),
        )],
    };
    h.push(("Accept".into(), "application/json".into()));
    h.retain(|(k, _)| !extra.iter().any(|(x, _)| x.eq_ignore_ascii_case(k)));
    h.extend(extra.iter().cloned());
    h.push((
        "Authorization".into(),
        format!("Bearer {}", tokens.access_token().expose()),
    ));
    Ok(h)
}
