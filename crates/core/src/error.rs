//! One error type for the whole crate.
//!
//! Every variant says what went wrong in words a user can act on, and none carries a secret: messages
//! are built from step names, status codes, host names and page titles, never from bodies, URLs with
//! queries, cookies or credentials.

use std::fmt;
use std::time::Duration;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A sign-in strategy (a way of reaching a service ticket).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// The classic widget (HTML) flow, PROTOCOL §1.
    Widget,
    /// The mobile JSON flow used by Garmin's apps, PROTOCOL §2.
    Mobile,
    /// The portal JSON flow, PROTOCOL §3.
    Portal,
}

impl Strategy {
    /// The lower-case name used on the command line and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Widget => "widget",
            Strategy::Mobile => "mobile",
            Strategy::Portal => "portal",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What kind of transport failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// A failure of the transport itself (no HTTP response was received).
///
/// Transports must not put URLs with queries, headers or bodies into `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    /// The class of failure.
    pub kind: TransportErrorKind,
    /// A human-readable description without secrets.
    pub message: String,
}

impl TransportError {
    /// Builds a transport error.
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

/// Everything that can go wrong. Matching on the variant is the supported way to decide what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Garmin refused the email/password combination.
    #[error("invalid credentials: Garmin refused the email or password")]
    InvalidCredentials,

    /// The account needs an MFA code and this call could not ask for one.
    #[error("MFA required: this account needs a verification code")]
    MfaRequired,

    /// The MFA code was wrong; the challenge is still open and can be tried again.
    #[error("MFA code rejected: Garmin did not accept the verification code")]
    MfaCodeRejected,

    /// The MFA challenge can no longer be used (too many attempts, expired, or already completed).
    #[error("MFA challenge ended: {reason}; sign in again")]
    MfaChallengeEnded {
        /// Why it ended.
        reason: String,
    },

    /// HTTP 429 or a Cloudflare rate-limit page (error 1015).
    #[error("rate limited by Garmin{}", retry_after.map(|d| format!(" (retry after {} s)", d.as_secs())).unwrap_or_default())]
    RateLimited {
        /// The server's Retry-After, when it gave one.
        retry_after: Option<Duration>,
    },

    /// A bot challenge (Cloudflare 403, "Just a moment…", "Attention Required", CAPTCHA).
    #[error("blocked by a bot challenge: {reason}")]
    Blocked {
        /// What was seen (page title or status), never the page body.
        reason: String,
    },

    /// The account is locked.
    #[error("account locked: Garmin reports this account as locked")]
    AccountLocked,

    /// Garmin will not sign this account in (e.g. child accounts: "Unable to sign in").
    #[error("account cannot sign in: {reason}")]
    AccountUnusable {
        /// The page title or status Garmin gave.
        reason: String,
    },

    /// A page or document did not have the shape expected at this step.
    #[error("unexpected response at {step}: {detail}")]
    UnexpectedResponse {
        /// The step, e.g. "signin page".
        step: &'static str,
        /// What was missing or wrong, e.g. "no CSRF input".
        detail: String,
    },

    /// An HTTP status the step does not handle.
    #[error("HTTP {status} at {step}")]
    HttpStatus {
        /// The step.
        step: &'static str,
        /// The status code.
        status: u16,
    },

    /// A redirect pointed outside the configured Garmin endpoints; it was not followed.
    #[error("refused to follow a redirect to {host}, which is not a configured Garmin endpoint")]
    ForeignRedirect {
        /// The foreign host.
        host: String,
    },

    /// More than the allowed number of redirects.
    #[error("too many redirects (more than {limit})")]
    TooManyRedirects {
        /// The limit.
        limit: usize,
    },

    /// A response body was larger than the configured cap.
    #[error("response too large (more than {limit} bytes)")]
    ResponseTooLarge {
        /// The cap in bytes.
        limit: u64,
    },

    /// The request took longer than its timeout.
    #[error("timed out: {0}")]
    Timeout(String),

    /// The transport failed (no HTTP response).
    #[error("network error: {0}")]
    Network(TransportError),

    /// Stored tokens can no longer be refreshed; the user has to sign in again.
    #[error("sign-in needed: {reason}")]
    SignInNeeded {
        /// Why, e.g. "refresh token expired".
        reason: String,
    },

    /// Every strategy of a chain failed; each entry says why.
    #[error("all sign-in strategies failed: {}", .0.iter().map(|(s, e)| format!("{s}: {e}")).collect::<Vec<_>>().join("; "))]
    AllStrategiesFailed(Vec<(Strategy, Error)>),

    /// The configuration was refused.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),

    /// An argument was refused (bad JSON, bad URL, empty value, …).
    #[error("invalid input: {0}")]
    InvalidInput(String),

    /// No service ticket was found where one was expected.
    #[error("no service ticket found in {0}")]
    TicketNotFound(&'static str),

    /// The same activity file was uploaded before (HTTP 409).
    #[error("duplicate activity: Garmin already has this activity")]
    DuplicateActivity {
        /// Garmin's JSON answer, which names the existing activity.
        response: String,
    },

    /// Reading or writing token storage failed.
    #[error("token storage: {0}")]
    Storage(String),
}

impl Error {
    pub(crate) fn unexpected(step: &'static str, detail: impl Into<String>) -> Self {
        Error::UnexpectedResponse {
            step,
            detail: detail.into(),
        }
    }

    /// True for a rate limit, and for a chain in which every strategy was rate limited: a throttled
    /// IP is refused by every sign-in endpoint at once, and apps must tell "wait" from "check your
    /// password" whatever path the refusal came through.
    pub fn is_rate_limited(&self) -> bool {
        match self {
            Error::RateLimited { .. } => true,
            Error::AllStrategiesFailed(list) => {
                !list.is_empty() && list.iter().all(|(_, e)| e.is_rate_limited())
            }
            _ => false,
        }
    }

    /// How long Garmin asked to wait: a rate limit's Retry-After, or the longest one in a chain.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after } => *retry_after,
            Error::AllStrategiesFailed(list) => {
                list.iter().filter_map(|(_, e)| e.retry_after()).max()
            }
            _ => None,
        }
    }

    /// True for failures after which another sign-in strategy may succeed (rate limits, bot
    /// challenges, odd pages, transport trouble); false when the answer is about the account itself.
    pub fn falls_through(&self) -> bool {
        matches!(
            self,
            Error::RateLimited { .. }
                | Error::Blocked { .. }
                | Error::UnexpectedResponse { .. }
                | Error::HttpStatus { .. }
                | Error::Timeout(_)
                | Error::Network(_)
                | Error::TooManyRedirects { .. }
                | Error::ResponseTooLarge { .. }
                | Error::ForeignRedirect { .. }
                | Error::TicketNotFound(_)
        )
    }
}

impl From<TransportError> for Error {
    /// The one way a transport failure enters an [`Error`]: host apps' transports (C callbacks,
    /// foreign exceptions) write their own messages, which may quote a URL with a ticket in it.
    fn from(mut e: TransportError) -> Self {
        e.message = crate::transport::scrub_message(&e.message);
        match e.kind {
            TransportErrorKind::Timeout => Error::Timeout(e.message),
            _ => Error::Network(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_of_rate_limits_is_a_rate_limit_with_the_longest_wait() {
        let rl = |s: Option<u64>| Error::RateLimited {
            retry_after: s.map(Duration::from_secs),
        };
        let all = Error::AllStrategiesFailed(vec![
            (Strategy::Mobile, rl(Some(30))),
            (Strategy::Widget, rl(None)),
            (Strategy::Portal, rl(Some(90))),
        ]);
        assert!(all.is_rate_limited());
        assert_eq!(all.retry_after(), Some(Duration::from_secs(90)));
        let mixed = Error::AllStrategiesFailed(vec![
            (Strategy::Mobile, rl(Some(30))),
            (
                Strategy::Widget,
                Error::Blocked {
                    reason: "captcha".into(),
                },
            ),
        ]);
        assert!(!mixed.is_rate_limited());
        assert!(!Error::AllStrategiesFailed(vec![]).is_rate_limited());
        assert!(!Error::InvalidCredentials.is_rate_limited());
    }

    #[test]
    fn a_host_transport_message_loses_url_queries_on_entry() {
        let e = Error::from(TransportError::new(
            TransportErrorKind::Connect,
            "curl: could not reach https://sso.garmin.com/sso/embed?ticket=ST-77-secret-cas",
        ));
        let shown = e.to_string();
        assert!(!shown.contains("ST-77"), "{shown}");
        assert!(
            shown.contains("https://sso.garmin.com/sso/embed?…"),
            "{shown}"
        );
        let Error::Timeout(m) = Error::from(TransportError::new(
            TransportErrorKind::Timeout,
            "timed out on http://127.0.0.1:9/x?ticket=ST-1-a",
        )) else {
            panic!("a timeout stays a timeout")
        };
        assert!(!m.contains("ST-1"), "{m}");
    }
}
