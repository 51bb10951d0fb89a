//! The OAuth1 consumer key/secret: supplied by the app, or fetched once from the public JSON.

use crate::client::Client;
use crate::config::Consumer;
use crate::error::{Error, Result};
use crate::http::OutRequest;

const STEP: &str = "consumer JSON";

/// The consumer to sign with; fetched at most once per client (cached after success).
pub(crate) fn get(client: &Client) -> Result<Consumer> {
    // Held across the fetch so that concurrent first sign-ins make one request, not several.
    let mut cached = client.0.consumer.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(c) = cached.as_ref() {
        return Ok(c.clone());
    }
    let consumer = fetch(client)?;
    *cached = Some(consumer.clone());
    Ok(consumer)
}

fn fetch(client: &Client) -> Result<Consumer> {
    let config = client.config();
    log::debug!("fetching the OAuth consumer");
    let req = OutRequest::get(config.endpoints.consumer_url.clone())
        .header("User-Agent", config.oauth_user_agent.clone());
    let page = client.http().send(req, None)?;
    page.check_blocked()?;
    if page.status != 200 {
        return Err(Error::HttpStatus {
            step: STEP,
            status: page.status,
        });
    }
    let consumer: Consumer = serde_json::from_slice(&page.response.body)
        .map_err(|e| Error::unexpected(STEP, crate::tokens::field_hint(&e)))?;
    if consumer.consumer_key.is_empty() || consumer.consumer_secret.is_empty() {
        return Err(Error::unexpected(
            STEP,
            "consumer_key or consumer_secret is empty",
        ));
    }
    Ok(consumer)
}
