//! What Garmin refuses and a careless client might still send (docs/protocol.md §0, §2, §3, §7):
//! client ids that are not Garmin's, service URLs outside Garmin, credential POSTs without the
//! sign-in page's cookies ("cold"), and credential POSTs in a rate-limited (client id, account)
//! bucket.

use serde_json::json;

use crate::http::{Req, Resp};
use crate::lock;
use crate::state::Shared;

/// Client ids of Garmin's phone apps, accepted on `/mobile/*`.
pub(crate) const MOBILE_CLIENT_IDS: [&str; 2] = ["GCM_ANDROID_DARK", "GCM_IOS_DARK"];
/// The Connect web app's client id, accepted on `/portal/*`.
pub(crate) const PORTAL_CLIENT_IDS: [&str; 1] = ["GarminConnect"];
/// The rate-limit bucket name of the widget sign-in (its `id` query value).
pub(crate) const WIDGET_BUCKET: &str = "gauth-widget";

/// True when `service` is an `https` URL on `garmin.com` / `garmin.cn` (or a subdomain), with no
/// user info and no port, or a URL on the simulator's own origin (which stands in for
/// `sso.garmin.com`, so the widget's `<sso>/sso/embed` service is Garmin's).
pub(crate) fn garmin_service(service: &str, req: &Req) -> bool {
    let own = format!("{}/", req.origin());
    if service.starts_with(&own) {
        return true;
    }
    let Some(rest) = service.strip_prefix("https://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains(['@', ':', '\\']) || authority.is_empty() {
        return false;
    }
    let host = authority.to_ascii_lowercase();
    ["garmin.com", "garmin.cn"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

/// The host the client addressed: `X-Forwarded-Host` when a router in front of the simulator
/// (or a test transport standing in for DNS) names the real Garmin host, else `Host`; without
/// port, lower-case.
pub(crate) fn addressed_host(req: &Req) -> String {
    let raw = req
        .header("x-forwarded-host")
        .and_then(|h| h.split(',').next())
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| req.host());
    let raw = raw.to_ascii_lowercase();
    match raw.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h.to_string(),
        _ => raw,
    }
}

/// Cloudflare's rate-limit answer: 429, `error code: 1015`.
pub(crate) fn cloudflare_429() -> Resp {
    Resp::text(429, "error code: 1015")
        .header("Server", "cloudflare")
        .header("CF-RAY", format!("{}-QRO", crate::random::hex_lower(8)))
}

/// The JSON refusal of a client id or service URL that is not Garmin's.
pub(crate) fn invalid_client_json(what: &str) -> Resp {
    log::info!("sign-in refused: {what} is not Garmin's");
    Resp::json(
        400,
        &json!({
            "serviceURL": null,
            "serviceTicketId": null,
            "responseStatus": {"type": "INVALID_CLIENT", "message": format!("invalid {what}"), "httpStatus": "BAD_REQUEST"},
            "responseReason": null,
            "customerMfaInfo": null,
            "captchaAlreadyPassed": false
        }),
    )
}

/// The HTML refusal of a client id or service URL that is not Garmin's.
pub(crate) fn invalid_client_page(what: &str) -> Resp {
    log::info!("sign-in page refused: {what} is not Garmin's");
    Resp::html(
        400,
        format!(
            "<!DOCTYPE html><html><head><title>Error</title></head><body><h1>Invalid request</h1><p>The {what} is not registered.</p></body></html>"
        ),
    )
}

/// True when (client id, account) has been rate-limited with [`crate::Simulator::rate_limit`].
pub(crate) fn limited(sh: &Shared, client_id: &str, account: usize) -> bool {
    lock(&sh.inner)
        .rate_limited
        .contains(&(client_id.to_string(), account))
}
