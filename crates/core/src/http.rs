//! The core's HTTP layer over a [`Transport`]: redirects, cookies, size caps and the rule that
//! cookies, Authorization headers and credentials only ever go to the configured Garmin endpoints.

use crate::config::Config;
use crate::cookies::CookieJar;
use crate::error::{Error, Result};
use crate::transport::{redact_url, Body, Method, Request, Response, Transport};
use regex_lite::Regex;
use std::sync::{Arc, LazyLock};
use url::Url;

/// Redirects followed before giving up.
pub const MAX_REDIRECTS: usize = 10;
/// Header lines one response may carry. Garmin sends about 20; a browser gives up well before a
/// thousand. Past this the answer is refused, so a hostile server cannot make us hold its headers.
pub const MAX_HEADERS: usize = 256;
/// Bytes of all header names and values of one response together.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// Longest `Location` followed (browsers stop around 2 to 8 KiB; Garmin's are under 1 KiB).
pub const MAX_LOCATION_BYTES: usize = 8 * 1024;

/// Which hosts a request may reach, first hop and redirects alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// The configured Garmin endpoints: where cookies, credentials and tokens may go.
    Garmin,
    /// Only the origin of the public OAuth consumer JSON, which is not Garmin's: a plain GET, no
    /// cookies, no credentials, and a redirect may not leave that origin.
    ConsumerHost,
}

/// A request as the flows build it.
#[derive(Debug)]
pub(crate) struct OutRequest {
    pub method: Method,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    pub reach: Reach,
}

impl OutRequest {
    pub fn get(url: Url) -> Self {
        OutRequest {
            method: Method::Get,
            url,
            headers: Vec::new(),
            body: Body::Empty,
            reach: Reach::Garmin,
        }
    }

    /// The one request that may leave Garmin's hosts: a bodiless GET of the consumer JSON.
    pub fn consumer_get(url: Url) -> Self {
        OutRequest {
            reach: Reach::ConsumerHost,
            ..OutRequest::get(url)
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
            reach: Reach::Garmin,
        }
    }

    pub fn post_json(url: Url, value: &serde_json::Value) -> Self {
        OutRequest {
            method: Method::Post,
            url,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Body::Bytes(value.to_string().into_bytes()),
            reach: Reach::Garmin,
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

    /// Sends `req`, following up to [`MAX_REDIRECTS`] redirects, taking and giving cookies from `jar`
    /// when one is given.
    ///
    /// Every hop must stay where `req.reach` allows: a redirect elsewhere is refused before anything
    /// is sent to it, so no cookie, Authorization header or form body can leak there. A 307/308
    /// (which resends the body: a password, a refresh token, a ticket) must also stay on the origin
    /// the body was meant for. Header count and size and the `Location` length are capped.
    pub fn send(&self, req: OutRequest, jar: Option<&CookieJar>) -> Result<Page> {
        let OutRequest {
            mut method,
            mut url,
            mut headers,
            mut body,
            reach,
        } = req;
        if !self.reaches(reach, &url) {
            return Err(Error::InvalidInput(format!(
                "{} is not a configured Garmin endpoint",
                url.host_str().unwrap_or("<no host>")
            )));
        }
        let jar = jar.filter(|_| reach == Reach::Garmin);
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
            check_headers(&response)?;
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
            if location.len() > MAX_LOCATION_BYTES {
                return Err(Error::unexpected(
                    "redirect",
                    format!(
                        "HTTP {} with a Location over {MAX_LOCATION_BYTES} bytes",
                        response.status
                    ),
                ));
            }
            let next = crate::urls::join_url(&url, &location).map_err(|_| {
                Error::unexpected(
                    "redirect",
                    format!("HTTP {} with an unusable Location", response.status),
                )
            })?;
            if !self.reaches(reach, &next) {
                log::warn!(
                    "refused redirect from {} to foreign host {}",
                    redact_url(url.as_str()),
                    next.host_str().unwrap_or("")
                );
                return Err(Error::ForeignRedirect {
                    host: next
                        .host_str()
                        .unwrap_or("<no host>")
                        .chars()
                        .take(253)
                        .collect(),
                });
            }
            let replays_body = matches!(response.status, 307 | 308);
            if replays_body && next.origin() != url.origin() {
                // The body was written for this host; another Garmin host has no business with it.
                return Err(Error::unexpected(
                    "redirect",
                    format!(
                        "HTTP {} asks to resend the request body to another host; refused",
                        response.status
                    ),
                ));
            }
            if next.origin() != url.origin() {
                headers.retain(|(k, _)| !k.eq_ignore_ascii_case("Authorization"));
            }
            if replays_body {
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

    fn reaches(&self, reach: Reach, url: &Url) -> bool {
        match reach {
            Reach::Garmin => self.config.endpoints.allows(url),
            Reach::ConsumerHost => url.origin() == self.config.endpoints.consumer_url.origin(),
        }
    }
}

/// Refuses a response whose headers exceed [`MAX_HEADERS`] lines or [`MAX_HEADER_BYTES`] bytes. A
/// transport has already received them; what matters is that nothing here keeps or walks them.
fn check_headers(response: &Response) -> Result<()> {
    if response.headers.len() > MAX_HEADERS {
        return Err(Error::unexpected(
            "HTTP answer",
            format!("more than {MAX_HEADERS} header lines"),
        ));
    }
    let bytes: usize = response
        .headers
        .iter()
        .map(|(k, v)| k.len().saturating_add(v.len()))
        .fold(0usize, usize::saturating_add);
    if bytes > MAX_HEADER_BYTES {
        return Err(Error::unexpected(
            "HTTP answer",
            format!("headers over {MAX_HEADER_BYTES} bytes"),
        ));
    }
    Ok(())
}
