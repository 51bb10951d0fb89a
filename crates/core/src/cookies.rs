//! The cookie jar of one sign-in: RFC 6265 domain, path, secure and expiry rules come from
//! `cookie_store`; this wrapper adds the locking and the "only to Garmin" rule.

use crate::config::Endpoints;
use std::fmt;
use std::sync::Mutex;
use url::Url;

/// Longest `Set-Cookie` line kept: what browsers keep per cookie.
pub(crate) const MAX_COOKIE_BYTES: usize = 4096;
/// Cookies one sign-in keeps; Garmin sets about a dozen, browsers keep a few hundred per site.
pub(crate) const MAX_COOKIES: usize = 64;

/// Cookies collected during one sign-in (never shared between sign-ins or sessions).
#[derive(Default)]
pub(crate) struct CookieJar(Mutex<cookie_store::CookieStore>);

impl CookieJar {
    /// One per sign-in, dropped with it (or with its MFA continuation), so no cookie outlives
    /// the sign-in that collected it.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores every `Set-Cookie` of a response received from `url`, within browser-like bounds: a
    /// line over [`MAX_COOKIE_BYTES`] is dropped, and past [`MAX_COOKIES`] only cookies the jar
    /// already holds are updated, so a hostile server cannot grow the jar without limit.
    pub fn store<'a>(&self, url: &Url, set_cookie: impl Iterator<Item = &'a str>) {
        let mut jar = self.0.lock().unwrap_or_else(|p| p.into_inner());
        for raw in set_cookie {
            if raw.len() > MAX_COOKIE_BYTES {
                log::debug!("a cookie over {MAX_COOKIE_BYTES} bytes was ignored");
                continue;
            }
            let name = raw.split(['=', ';']).next().unwrap_or("").trim();
            if jar.iter_any().count() >= MAX_COOKIES && !jar.iter_any().any(|c| c.name() == name) {
                log::debug!("the jar holds {MAX_COOKIES} cookies; a new one was ignored");
                continue;
            }
            // A malformed or foreign-domain cookie is dropped, as a browser would.
            if let Err(e) = jar.parse(raw, url) {
                log::debug!(
                    "cookie from {} ignored: {}",
                    url.host_str().unwrap_or(""),
                    cookie_err(&e)
                );
            }
        }
    }

    /// The `Cookie` header value for a request to `url`, or `None` when the jar has nothing for it
    /// or `url` is not a configured Garmin endpoint.
    pub fn header_for(&self, url: &Url, endpoints: &Endpoints) -> Option<String> {
        if !endpoints.allows(url) {
            return None;
        }
        let jar = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let pairs: Vec<String> = jar
            .get_request_values(url)
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        (!pairs.is_empty()).then(|| pairs.join("; "))
    }
}

fn cookie_err(e: &cookie_store::CookieError) -> &'static str {
    match e {
        cookie_store::CookieError::Parse => "unparsable",
        cookie_store::CookieError::DomainMismatch => "domain mismatch",
        cookie_store::CookieError::NonRelativeScheme => "non-relative scheme",
        cookie_store::CookieError::Expired => "expired",
        _ => "rejected",
    }
}

impl fmt::Debug for CookieJar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CookieJar([redacted])")
    }
}
