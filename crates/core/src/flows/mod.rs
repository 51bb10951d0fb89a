//! Sign-in flows. Each one, whatever its pages or JSON, ends in a CAS service ticket (or an MFA
//! challenge whose completion yields one).

pub(crate) mod json;
pub mod webview;
pub(crate) mod widget;

use crate::mfa::Challenge;
use crate::secret::Secret;
use std::fmt;

/// A CAS service ticket (`ST-…`) and the service URL it was issued for (Garmin checks they match).
#[derive(Clone)]
pub struct Ticket {
    /// The ticket.
    pub value: Secret,
    /// The service URL used at sign-in (`login-url` / `service_url` of the exchange).
    pub service_url: String,
}

impl fmt::Debug for Ticket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ticket")
            .field("value", &self.value)
            .field("service_url", &self.service_url)
            .finish()
    }
}

/// What a flow's first call ends in.
pub(crate) enum FlowOutcome {
    Ticket(Ticket),
    Mfa(Challenge),
}
