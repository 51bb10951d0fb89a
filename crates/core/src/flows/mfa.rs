//! What a flow hands back when Garmin asks for a code: the method, and a continuation that turns a
//! code into a ticket later.

use crate::error::Result;
use crate::exchange::Exchanger;
use crate::strategy::Flow;
use crate::ticket::Ticket;

/// How Garmin delivers the code, so the app can tell the person where to look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MfaMethod {
    /// Garmin emails the code; [`PendingMfa::code_sent_to`](crate::PendingMfa::code_sent_to)
    /// is then the masked address. Also what a JSON sign-in that names no method means.
    Email,
    /// Garmin texts the code; `code_sent_to` is then the masked phone number.
    Sms,
    /// The person reads the code from an authenticator app; Garmin sends nothing.
    Totp,
    /// A method this library does not know, as Garmin named it (lower-cased); submitting a code
    /// still works.
    Other(String),
}

impl MfaMethod {
    /// Parses Garmin's names in any case: `email`, `sms` (or `phone`), `totp` (or
    /// `authenticator`); anything else becomes [`MfaMethod::Other`], never an error.
    pub fn parse(s: &str) -> MfaMethod {
        match s.trim().to_ascii_lowercase().as_str() {
            "email" => MfaMethod::Email,
            "sms" | "phone" => MfaMethod::Sms,
            "totp" | "authenticator" => MfaMethod::Totp,
            other => MfaMethod::Other(other.to_owned()),
        }
    }

    /// Garmin's name for the method, as sent back in the widget's code request.
    pub fn as_str(&self) -> &str {
        match self {
            MfaMethod::Email => "email",
            MfaMethod::Sms => "sms",
            MfaMethod::Totp => "totp",
            MfaMethod::Other(s) => s,
        }
    }
}

/// The flow-specific second half of a sign-in: turns a code into a service ticket.
///
/// Implementations keep whatever the flow needs (cookie jar, CSRF of the MFA page, query) and
/// update it when Garmin answers a wrong code with a fresh page.
pub(crate) trait MfaContinuation: Send {
    /// Submits `code`. `Err(MfaCodeRejected)` keeps the continuation usable;
    /// `Err(MfaChallengeEnded)` ends it.
    fn submit(&mut self, ex: &Exchanger, code: &str) -> Result<Ticket>;
}

/// What a flow hands back when Garmin asks for a code.
pub(crate) struct Challenge {
    pub flow: Flow,
    pub method: MfaMethod,
    pub code_sent_to: Option<String>,
    pub continuation: Box<dyn MfaContinuation>,
}
