//! The OAuth1 consumer key/secret: supplied by the app, or fetched once from the public JSON.

use crate::client::Client;
use crate::config::Consumer;
use crate::error::Result;

/// The consumer to sign with; fetched at most once per client (cached after success).
pub(crate) fn get(client: &Client) -> Result<Consumer> {
    let _ = client;
    todo!("consumer fetch")
}
