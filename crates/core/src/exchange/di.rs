//! Ticket → DI OAuth2 at diauth (PROTOCOL §5), trying the configured client ids in order; refresh
//! with the rotating refresh token.

use crate::client::Client;
use crate::error::Result;
use crate::flows::Ticket;
use crate::tokens::DiToken;

/// Exchanges a ticket for a DI token.
pub(crate) fn exchange(client: &Client, ticket: &Ticket) -> Result<DiToken> {
    let _ = (client, ticket);
    todo!("DI exchange")
}

/// Refreshes a DI token (the refresh token rotates).
pub(crate) fn refresh(client: &Client, token: &DiToken) -> Result<DiToken> {
    let _ = (client, token);
    todo!("DI refresh")
}
