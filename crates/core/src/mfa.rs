//! MFA in two calls: a sign-in returns a [`PendingMfa`]; [`PendingMfa::submit`] finishes it — minutes
//! later and from any thread. A wrong code leaves the challenge open for another try.

use crate::client::Client;
use crate::error::{Error, Result, Strategy};
use crate::flows::Ticket;
use crate::tokens::Tokens;
use std::fmt;
use std::sync::{Arc, Mutex};

/// How Garmin delivers the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MfaMethod {
    /// A code sent by email.
    Email,
    /// A code sent by text message.
    Sms,
    /// An authenticator app.
    Totp,
    /// A method this library does not know, as Garmin named it.
    Other(String),
}

impl MfaMethod {
    /// Parses Garmin's names (`email`, `sms`, `totp`, upper or lower case).
    pub fn parse(s: &str) -> MfaMethod {
        match s.trim().to_ascii_lowercase().as_str() {
            "email" => MfaMethod::Email,
            "sms" | "phone" => MfaMethod::Sms,
            "totp" | "authenticator" => MfaMethod::Totp,
            other => MfaMethod::Other(other.to_owned()),
        }
    }

    /// Garmin's name for the method.
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
/// Implementations keep whatever the flow needs (cookie jar, CSRF of the MFA page, query) and update
/// it when Garmin answers a wrong code with a fresh page.
pub(crate) trait MfaContinuation: Send {
    /// Submits `code`. `Err(MfaCodeRejected)` keeps the continuation usable;
    /// `Err(MfaChallengeEnded)` ends it.
    fn submit(&mut self, client: &Client, code: &str) -> Result<Ticket>;
}

/// What a flow hands back when Garmin asks for a code.
pub(crate) struct Challenge {
    pub strategy: Strategy,
    pub method: MfaMethod,
    pub code_sent_to: Option<String>,
    pub continuation: Box<dyn MfaContinuation>,
}

enum State {
    Open(Box<dyn MfaContinuation>),
    Ended(String),
}

struct Inner {
    client: Client,
    strategy: Strategy,
    method: MfaMethod,
    code_sent_to: Option<String>,
    state: Mutex<State>,
}

/// A sign-in waiting for its MFA code. Cheap to clone; `Send + Sync`; submissions are serialized.
#[derive(Clone)]
pub struct PendingMfa(Arc<Inner>);

impl PendingMfa {
    pub(crate) fn new(client: Client, challenge: Challenge) -> Self {
        PendingMfa(Arc::new(Inner {
            client,
            strategy: challenge.strategy,
            method: challenge.method,
            code_sent_to: challenge.code_sent_to,
            state: Mutex::new(State::Open(challenge.continuation)),
        }))
    }

    /// How the code is delivered.
    pub fn method(&self) -> &MfaMethod {
        &self.0.method
    }

    /// Where Garmin says it sent the code (a masked address or number), when it says.
    pub fn code_sent_to(&self) -> Option<&str> {
        self.0.code_sent_to.as_deref()
    }

    /// The sign-in strategy that asked for MFA.
    pub fn strategy(&self) -> Strategy {
        self.0.strategy
    }

    /// Submits the code and, when Garmin accepts it, exchanges the ticket for tokens (per the
    /// client's token preference).
    ///
    /// Errors: [`Error::MfaCodeRejected`] (try again with another code), [`Error::MfaChallengeEnded`]
    /// (start over), or any transport/exchange error. After success the challenge is ended.
    pub fn submit(&self, code: &str) -> Result<Tokens> {
        let code = code.trim();
        if code.is_empty() || code.len() > 32 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Error::InvalidInput(
                "MFA code must be 1 to 32 letters or digits".into(),
            ));
        }
        let mut state = self.0.state.lock().unwrap_or_else(|p| p.into_inner());
        let ticket = match &mut *state {
            State::Ended(reason) => {
                return Err(Error::MfaChallengeEnded {
                    reason: reason.clone(),
                })
            }
            State::Open(cont) => match cont.submit(&self.0.client, code) {
                Ok(t) => t,
                Err(Error::MfaCodeRejected) => return Err(Error::MfaCodeRejected),
                Err(e @ Error::MfaChallengeEnded { .. }) => {
                    *state = State::Ended("Garmin ended the challenge".into());
                    return Err(e);
                }
                Err(e) => return Err(e),
            },
        };
        *state = State::Ended("the challenge was already completed".into());
        drop(state);
        self.0.client.exchange_ticket(&ticket)
    }
}

impl fmt::Debug for PendingMfa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingMfa")
            .field("strategy", &self.0.strategy)
            .field("method", &self.0.method)
            .finish_non_exhaustive()
    }
}
