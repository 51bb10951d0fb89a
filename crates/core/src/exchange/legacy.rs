//! Ticket → OAuth1 (preauthorized) → OAuth2 (exchange/user/2.0), PROTOCOL §4. Refresh repeats the
//! exchange with the stored OAuth1 token.

use crate::client::Client;
use crate::error::Result;
use crate::flows::Ticket;
use crate::tokens::{OAuth1Token, OAuth2Token, Tokens};

/// Exchanges a ticket for the legacy token pair.
pub(crate) fn exchange(client: &Client, ticket: &Ticket) -> Result<Tokens> {
    let _ = (client, ticket);
    todo!("legacy exchange")
}

/// A new OAuth2 token from the OAuth1 token.
pub(crate) fn refresh(client: &Client, oauth1: &OAuth1Token) -> Result<OAuth2Token> {
    let _ = (client, oauth1);
    todo!("legacy refresh")
}
