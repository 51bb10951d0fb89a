//! MFA in two calls: a sign-in returns a [`PendingMfa`]; [`PendingMfa::submit`] finishes it —
//! minutes later and from any thread. A wrong code leaves the challenge open for another try.

use super::Client;
use crate::error::{Error, Result};
use crate::flows::{Challenge, MfaContinuation, MfaMethod};
use crate::strategy::Flow;
use crate::tokens::Tokens;
use std::fmt;
use std::sync::{Arc, Mutex};

enum State {
    Open(Box<dyn MfaContinuation>),
    Ended(String),
}

struct Inner {
    client: Client,
    flow: Flow,
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
            flow: challenge.flow,
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

    /// The sign-in flow that asked for MFA.
    pub fn flow(&self) -> Flow {
        self.0.flow
    }

    /// The client the sign-in runs on; a session made from the tokens sends through it.
    pub fn client(&self) -> &Client {
        &self.0.client
    }

    /// Submits the code and, when Garmin accepts it, exchanges the ticket for tokens (per the
    /// client's token preference).
    ///
    /// Errors: [`Error::MfaCodeRejected`] (try again with another code),
    /// [`Error::MfaChallengeEnded`] (start over), or any transport/exchange error. After success
    /// the challenge is ended.
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
            State::Open(cont) => match cont.submit(self.0.client.exchanger(), code) {
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
            .field("flow", &self.0.flow)
            .field("method", &self.0.method)
            .finish_non_exhaustive()
    }
}
