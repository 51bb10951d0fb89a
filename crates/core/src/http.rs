//! The core's HTTP layer over a [`Transport`]: redirects, cookies, size caps and the rule that
//! cookies, Authorization headers and credentials only ever go to the configured Garmin endpoints.

use crate::config::Config;
use crate::cookies::CookieJar;
use crate::error::{Error, Result};
use crate::transport::{redact_url, Body, Method, Request, Response, Transport};
use regex::Regex;
use std::sync::{Arc, LazyLock};
use url::Url;

/// Redirects followed before giving up.
pub const MAX_REDIRECTS: usize = 10;

/// A request as the flows build it.
#[derive(Debug)]
pub(crate) struct OutRequest {
    pub method: Method,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

impl OutRequest {
    pub fn get(url: Url) -> Self {
        OutRequest {
            method: Method::Get,
            url,
            headers: Vec::new(),
            body: Body::Empty,
        }
    }

    pub fn post_form(url: Url, pairs: &[(&str, &str)]) -> Self {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        OutRequest {
            method: Method::Post,
            url,
            headers: vec![(
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            )],
            body: Body::Bytes(body.into_bytes()),
        }
    }

    pub fn post_json(url: Url, value: &serde_json::Value) -> Self {
        OutRequest {
            method: Method::Post,
            url,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Body::Bytes(value.to_string().into_bytes()),
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
}

/// A final response, after redirects, with the URL it came from.
#[derive(Debug)]
pub(crate) struct Page {
    pub url: Url,
    pub status: u16,
    pub response: Response,
}

static TITLE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?is)<title[^>]*>\s*(.*?)\s*</title>").expect("static regex"));

impl Page {
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.response.body)
    }

    /// The HTML `<title>`, when there is one.
    pub fn title(&self) -> Option<String> {
        TITLE_RE
            .captures(&self.text())
            .map(|c| c[1].trim().to_owned())
    }

    pub fn json(&self, step: &'static str) -> Result<serde_json::Value> {
        serde_json::from_slice(&self.response.body).map_err(|_| {
            Error::unexpected(step, format!("HTTP {} answer is not JSON", self.status))
        })
    }
}

/// Sends requests for one client: shared by every sign-in and session of that client.
#[derive(Clone)]
pub(crate) struct Http {
    transport: Arc<dyn Transport>,
    config: Arc<Config>,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http").finish_non_exhaustive()
    }
}

impl Http {
    pub fn new(transport: Arc<dyn Transport>, config: Arc<Config>) -> Self {
        Http { transport, config }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Sends `req`, following up to [`MAX_REDIRECTS`] redirects, taking and giving cookies from
    /// `jar` when one is given.
    ///
    /// Every hop must stay on a configured Garmin endpoint: a redirect elsewhere is refused before
    /// anything is sent to it, so no cookie, Authorization header or form body can leak there.
    pub fn send(&self, req: OutRequest, jar: Option<&CookieJar>) -> Result<Page> {
        let OutRequest {
            mut method,
            mut url,
            mut headers,
            mut body,
        } = req;
        if !self.config.endpoints.allows(&url) {
            return Err(Error::InvalidInput(format!(
                "{} is not a configured Garmin endpoint",
                url.host_str().unwrap_or("<no host>")
            )));
        }
        let mut hops = 0;
        loop {
            let mut wire_headers = headers.clone();
            if let Some(jar) = jar {
                if let Some(c) = jar.header_for(&url, &self.config.endpoints) {
                    wire_headers.push(("Cookie".into(), c));
                }
            }
            let replay = body.try_clone();
            log::debug!("{} {}", method, redact_url(url.as_str()));
            let response = self.transport.send(Request {
                method,
                url: url.to_string(),
                headers: wire_headers,
                body,
                timeout: self.config.timeout,
                max_response_bytes: self.config.max_response_bytes,
            })?;
            if response.body.len() as u64 > self.config.max_response_bytes {
                return Err(Error::ResponseTooLarge {
                    limit: self.config.max_response_bytes,
                });
            }
            log::debug!(
                "{} {} -> {}",
                method,
                redact_url(url.as_str()),
                response.status
            );
            if let Some(jar) = jar {
                jar.store(&url, response.header_all("Set-Cookie"));
            }
            let location = match response.status {
                301 | 302 | 303 | 307 | 308 => response.header("Location").map(str::to_owned),
                _ => None,
            };
            let Some(location) = location else {
                return Ok(Page {
                    url,
                    status: response.status,
                    response,
                });
            };
            hops += 1;
            if hops > MAX_REDIRECTS {
                return Err(Error::TooManyRedirects {
                    limit: MAX_REDIRECTS,
                });
            }
            let next = url.join(&location).map_err(|_| {
                Error::unexpected(
                    "redirect",
                    format!("HTTP {} with an unusable Location", response.status),
                )
            })?;
            if !self.config.endpoints.allows(&next) {
                log::warn!(
                    "refused redirect from {} to foreign host {}",
                    redact_url(url.as_str()),
                    next.host_str().unwrap_or("")
                );
                return Err(Error::ForeignRedirect {
                    host: next.host_str().unwrap_or("<no host>").to_owned(),
                });
            }
            if next.origin() != url.origin() {
                headers.retain(|(k, _)| !k.eq_ignore_ascii_case("Authorization"));
            }
            if matches!(response.status, 307 | 308) {
                body = replay.ok_or_else(|| {
                    Error::unexpected(
                        "redirect",
                        format!("HTTP {} asks to resend a streamed body", response.status),
                    )
                })?;
            } else {
                // 301/302/303: the browser rule — continue with a GET and no body.
                if method != Method::Head {
                    method = Method::Get;
                }
                body = Body::Empty;
                headers.retain(|(k, _)| !k.eq_ignore_ascii_case("Content-Type"));
            }
            url = next;
        }
    }
}
