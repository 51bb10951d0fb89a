//! The classic widget (HTML) sign-in, PROTOCOL §1: embed → signin page (CSRF) → credential POST →
//! Success page with the ticket in inline JS, or the MFA page and its own POST.

use super::FlowOutcome;
use crate::client::Client;
use crate::error::Result;
use crate::secret::Secret;

/// Runs the widget flow up to a ticket or an MFA challenge.
pub(crate) fn sign_in(client: &Client, email: &str, password: &Secret) -> Result<FlowOutcome> {
    let _ = (client, email, password);
    todo!("widget flow")
}
