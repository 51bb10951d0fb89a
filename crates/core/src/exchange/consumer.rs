//! The OAuth1 consumer key/secret: supplied by the app, or fetched from the public JSON.

use crate::answers;
use crate::config::Consumer;
use crate::error::{Error, Result};
use crate::http::{Http, OutRequest};

const STEP: &str = "consumer JSON";

pub(super) fn fetch(http: &Http) -> Result<Consumer> {
    let config = http.config();
    log::debug!("fetching the OAuth consumer");
    let req = OutRequest::consumer_get(config.endpoints.consumer_url.clone())
        .header("User-Agent", config.oauth_user_agent.clone());
    let page = http.send(req, None)?;
    answers::check_blocked(&page)?;
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
