//! Web-view sign-in, PROTOCOL §7: the user signs in inside a real browser; the app watches the
//! navigation to the service URL and hands the `ticket=ST-…` it carries to the library.

use crate::config::{ClientPreset, Config};
use crate::secret::Secret;

/// The URL to open in a browser or web view for `preset`.
pub fn sign_in_url(config: &Config, preset: &ClientPreset) -> String {
    let _ = (config, preset);
    todo!("web-view sign-in URL")
}

/// Finds a service ticket in a navigated URL (`…/gcm/android?ticket=ST-…`) or a page body (inline
/// JS with escaped slashes, `response_url = "…embed?ticket=ST-…"`).
pub fn extract_ticket(url_or_body: &str) -> Option<Secret> {
    let _ = url_or_body;
    todo!("ticket extractor")
}
