//! The JSON sign-ins of Garmin's apps: mobile (PROTOCOL §2) and portal (§3). Same request and answer
//! shapes, different paths, client ids and service URLs.

use super::FlowOutcome;
use crate::client::Client;
use crate::error::Result;
use crate::secret::Secret;

/// Which JSON API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    Mobile,
    Portal,
}

/// Runs a JSON sign-in up to a ticket or an MFA challenge.
pub(crate) fn sign_in(client: &Client, api: Api, email: &str, password: &Secret) -> Result<FlowOutcome> {
    let _ = (client, api, email, password);
    todo!("JSON flows")
}
