//! The cookie jar of one sign-in: RFC 6265 domain, path, secure and expiry rules come from
//! `cookie_store`; this wrapper adds the locking and the "only to Garmin" rule.

use crate::config::Endpoints;
use std::fmt;
use std::sync::Mutex;
use url::Url;

/// Cookies collected during one sign-in (never shared between sign-ins or sessions).
#[derive(Default)]
pub struct CookieJar(Mutex<cookie_store::CookieStore>);

impl CookieJar {
    /// One per sign-in, dropped with it (or with its MFA continuation), so no cookie outlives
    /// the sign-in that collected it.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores every `Set-Cookie` of a response received from `url`.
    pub fn store<'a>(&self, url: &Url, set_cookie: impl Iterator<Item = &'a str>) {
        let mut jar = self.0.lock().unwrap_or_else(|p| p.into_inner());
        for raw in set_cookie {
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
        cookie_store::CookieError::PublicSuffix => "public suffix",
        cookie_store::CookieError::Expired => "expired",
        _ => "rejected",
    }
}

impl fmt::Debug for CookieJar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CookieJar([redacted])")
    }
}
