//! Sign-in flows. Each one, whatever its pages or JSON, ends in a CAS service ticket (or an MFA
//! challenge whose completion yields one). Flows send through the exchange layer's [`Exchanger`]
//! for its HTTP client and configuration (and, in the mobile flow, to fetch the OAuth consumer at
//! the moment garth did); they never see the [`crate::Client`] above them.
//!
//! [`Exchanger`]: crate::exchange::Exchanger

pub(crate) mod json;
mod mfa;
pub(crate) mod webview;
pub(crate) mod widget;

pub use mfa::MfaMethod;
pub(crate) use mfa::{Challenge, MfaContinuation};

use crate::ticket::Ticket;

/// What a flow's first call ends in.
pub(crate) enum FlowOutcome {
    Ticket(Ticket),
    Mfa(Challenge),
}
