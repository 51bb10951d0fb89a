//! Fault injection: which answers to spoil, how, and for how long.

use std::sync::Mutex;
use std::time::Duration;

use crate::lock;

/// A group of routes a fault applies to. Admin names in parentheses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// Widget pages fetched with GET (`widget_page`): `/sso/embed`, `/sso/signin`,
    /// the MFA page, `/sso/login`.
    WidgetPage,
    /// Widget POSTs (`widget_login`): `/sso/signin`, `/sso/verifyMFA/loginEnterMfaCode`,
    /// `/sso/verifyMFA/mfaCode`.
    WidgetLogin,
    /// Mobile sign-in pages (`mobile_page`): `GET /mobile/sso/{locale}/sign-in`.
    MobilePage,
    /// Mobile JSON POSTs (`mobile_login`): `/mobile/api/login`, `/mobile/api/mfa/verifyCode`,
    /// and the web-view form `POST /mobile/sso/{locale}/sign-in`.
    MobileLogin,
    /// Portal pages (`portal_page`): `GET /portal/sso/{locale}/sign-in`, `GET /portal/sso/embed`.
    PortalPage,
    /// Portal JSON POSTs (`portal_login`): `/portal/api/login`, `/portal/api/mfa/verifyCode`.
    PortalLogin,
    /// `GET /oauth_consumer.json` (`consumer`).
    Consumer,
    /// `GET /oauth-service/oauth/preauthorized` (`preauthorized`).
    Preauthorized,
    /// `POST /oauth-service/oauth/exchange/user/2.0` (`exchange`).
    Exchange,
    /// `POST /di-oauth2-service/oauth/token`, both grants (`di_token`).
    DiToken,
    /// `POST /api/oauth/token` (`it_token`).
    ItToken,
    /// Partner OAuth2 consent page, both methods (`partner`): `/oauth2Confirm`.
    Partner,
    /// Connect API routes (`api`): profile, upload, download, calendar, workouts; the partner API.
    Api,
    /// Every route except the admin API (`any`).
    Any,
}

impl Target {
    /// Parses an admin name (`widget_login`, `mobile_login`, ...).
    pub fn parse(s: &str) -> Option<Target> {
        Some(match s {
            "widget_page" => Target::WidgetPage,
            "widget_login" | "widget" => Target::WidgetLogin,
            "mobile_page" => Target::MobilePage,
            "mobile_login" | "mobile" => Target::MobileLogin,
            "portal_page" => Target::PortalPage,
            "portal_login" | "portal" => Target::PortalLogin,
            "consumer" => Target::Consumer,
            "preauthorized" => Target::Preauthorized,
            "exchange" => Target::Exchange,
            "di_token" | "di" => Target::DiToken,
            "it_token" | "it" => Target::ItToken,
            "partner" => Target::Partner,
            "api" => Target::Api,
            "any" | "all" => Target::Any,
            _ => return None,
        })
    }

    /// The canonical `target=` name of the admin API; [`Target::parse`] also takes shorter
    /// aliases (`widget`, `mobile`, `di`, `all`, …) that this never returns.
    pub fn name(self) -> &'static str {
        match self {
            Target::WidgetPage => "widget_page",
            Target::WidgetLogin => "widget_login",
            Target::MobilePage => "mobile_page",
            Target::MobileLogin => "mobile_login",
            Target::PortalPage => "portal_page",
            Target::PortalLogin => "portal_login",
            Target::Consumer => "consumer",
            Target::Preauthorized => "preauthorized",
            Target::Exchange => "exchange",
            Target::DiToken => "di_token",
            Target::ItToken => "it_token",
            Target::Partner => "partner",
            Target::Api => "api",
            Target::Any => "any",
        }
    }
}

/// How an armed fault spoils an answer. Each one copies what Garmin's Cloudflare front or
/// backend has been seen to send, so a client's handling of it can be tested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 429 from the Cloudflare front: body `error code: 1015`,
    /// with `Retry-After: N` when given.
    RateLimit {
        /// Seconds for the `Retry-After` header.
        retry_after: Option<u64>,
    },
    /// HTTP 200 whose JSON body carries the 429:
    /// `{"error":{"status-code":"429","status-message":"Too Many Requests"}}`
    /// (seen on the mobile/portal JSON endpoints).
    RateLimitInBody,
    /// HTTP 403 Cloudflare managed challenge page (`<title>Just a moment...</title>`,
    /// `cf-mitigated: challenge`).
    CloudflareChallenge,
    /// A 5xx answer from the front (e.g. 500, 502, 503); a status outside 500–599 is sent as 500.
    ServerError(u16),
    /// Wait this long, then answer normally. Stacks with one other fault.
    Delay(Duration),
    /// A broken answer with a success status: sign-in/MFA page without the
    /// `_csrf` input, `Success` page without a ticket, truncated JSON,
    /// preauthorized answer without `oauth_token_secret`.
    Malformed,
    /// `CAPTCHA_REQUIRED` on the JSON login endpoints (HTTP 200); on other
    /// routes the same as [`Fault::CloudflareChallenge`].
    Captcha,
}

/// For how many matching requests a fault stays armed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Times {
    /// The next matching request only.
    Once,
    /// The next `n` matching requests.
    N(u32),
    /// Until [`crate::Simulator::clear_faults`].
    Always,
}

#[derive(Debug)]
struct Armed {
    target: Target,
    fault: Fault,
    left: Option<u32>,
}

#[derive(Debug, Default)]
pub(crate) struct FaultTable {
    armed: Mutex<Vec<Armed>>,
}

/// What the router must do for one request.
#[derive(Debug, Default)]
pub(crate) struct Decision {
    pub delay: Duration,
    pub fault: Option<Fault>,
}

impl FaultTable {
    pub fn inject(&self, target: Target, fault: Fault, times: Times) {
        let left = match times {
            Times::Once => Some(1),
            Times::N(n) => Some(n),
            Times::Always => None,
        };
        if left == Some(0) {
            return;
        }
        lock(&self.armed).push(Armed {
            target,
            fault,
            left,
        });
    }

    pub fn clear(&self) {
        lock(&self.armed).clear();
    }

    /// Consumes the faults that apply to a request on `target`: every armed
    /// delay adds up, and the first non-delay fault wins.
    pub fn take(&self, target: Target) -> Decision {
        let mut armed = lock(&self.armed);
        let mut d = Decision::default();
        for a in armed.iter_mut() {
            if a.target != target && a.target != Target::Any {
                continue;
            }
            if a.left == Some(0) {
                continue;
            }
            match &a.fault {
                Fault::Delay(t) => {
                    d.delay += *t;
                }
                f => {
                    if d.fault.is_some() {
                        continue;
                    }
                    d.fault = Some(f.clone());
                }
            }
            if let Some(n) = a.left.as_mut() {
                *n -= 1;
            }
        }
        armed.retain(|a| a.left != Some(0));
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn once_n_always_and_any() {
        let t = FaultTable::default();
        t.inject(Target::MobileLogin, Fault::RateLimitInBody, Times::Once);
        t.inject(
            Target::Any,
            Fault::Delay(Duration::from_millis(5)),
            Times::N(2),
        );
        let d = t.take(Target::MobileLogin);
        assert_eq!(d.fault, Some(Fault::RateLimitInBody));
        assert_eq!(d.delay, Duration::from_millis(5));
        let d = t.take(Target::WidgetLogin);
        assert_eq!(d.fault, None);
        assert_eq!(d.delay, Duration::from_millis(5));
        let d = t.take(Target::MobileLogin);
        assert_eq!(d.fault, None);
        assert_eq!(d.delay, Duration::ZERO);
        t.inject(Target::Api, Fault::ServerError(503), Times::Always);
        for _ in 0..3 {
            assert_eq!(t.take(Target::Api).fault, Some(Fault::ServerError(503)));
        }
        t.clear();
        assert_eq!(t.take(Target::Api).fault, None);
    }
}
