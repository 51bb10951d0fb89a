//! DI OAuth2 (`diauth /di-oauth2-service/oauth/token`) and the IT token
//! exchange (`services /api/oauth/token`), docs/protocol.md §5.

use base64::Engine;
use serde_json::{json, Value};

use crate::http::{lookup, Resp};
use crate::lock;
use crate::random;
use crate::router::Ctx;
use crate::state::{Family, Shared};

const DI_SCOPE: &str = "CONNECT_READ CONNECT_WRITE CONNECT_MCT_DAILY_LOG_READ COMMUNITY_COURSE_READ COMMUNITY_COURSE_WRITE DI_API_READ DI_OAUTH_2_AUTHORIZATION_CODE_CREATE DT_CLIENT_ANALYTICS_WRITE GARMINPAY_READ GARMINPAY_WRITE GCOFFER_READ GCOFFER_WRITE GHS_SAMD GHS_UPLOAD GOLF_API_READ GOLF_API_WRITE INSIGHTS_READ INSIGHTS_WRITE PRODUCT_SEARCH_READ ATP_READ ATP_WRITE";
const IT_SCOPE: &str = "CSE_CDS_ACCOUNT_READ GCS_FAMILY_TRACKER_READ GCS_DEVICE_INSTRUCTION_CREATE GCS_MESSAGING_FAMILY_READ";

/// The grant types accepted for a service ticket (garmin.com and garmin.cn).
pub(crate) const TICKET_GRANTS: [&str; 2] = [
    "https://connectapi.garmin.com/di-oauth2-service/oauth/grant/service_ticket",
    "https://connectapi.garmin.cn/di-oauth2-service/oauth/grant/service_ticket",
];

/// The IT client ids accepted by `/api/oauth/token`.
pub(crate) const IT_CLIENT_IDS: [&str; 4] = [
    "GARMIN_CONNECT_MOBILE_ANDROID_2025Q2",
    "GARMIN_CONNECT_MOBILE_ANDROID_2024Q4",
    "GARMIN_CONNECT_MOBILE_ANDROID",
    "GARMIN_CONNECT_MOBILE_IOS",
];

fn oauth_error(status: u16, error: &str, description: &str) -> Resp {
    log::info!("token endpoint refused: {error}");
    Resp::json(
        status,
        &json!({"error": error, "error_description": description}),
    )
}

fn malformed() -> Resp {
    Resp::new(200)
        .header("Content-Type", "application/json")
        .body(b"{\"access_token\": \"eyJ".to_vec())
}

/// The client id from `Authorization: Basic base64(id:)`.
fn basic_client_id(header: Option<&str>) -> Option<String> {
    let h = header?.trim();
    let (scheme, value) = h.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()?;
    let s = String::from_utf8(raw).ok()?;
    let (id, _secret) = s.split_once(':').unwrap_or((&s, ""));
    (!id.is_empty()).then(|| id.to_string())
}

fn di_tokens(sh: &Shared, account: usize, client_id: &str) -> Value {
    let now = sh.now();
    let a = sh.account(account);
    let jti = random::uuid();
    let access = crate::jwt::mint(
        &sh.jwt_key,
        "di-oauth-signer-prod-2025-q2",
        &json!({
            "scope": DI_SCOPE.split(' ').collect::<Vec<_>>(),
            "iss": if a.china { "https://diauth.garmin.cn" } else { "https://diauth.garmin.com" },
            "revocation_eligibility": ["GLOBAL_SIGNOUT"],
            "client_type": "UNDEFINED",
            "exp": now + sh.cfg.di_access_ttl,
            "iat": now,
            "garmin_guid": a.guid(),
            "sub": a.guid(),
            "jti": jti,
            "client_id": client_id,
        }),
    );
    let refresh = base64::engine::general_purpose::STANDARD.encode(
        json!({"refreshTokenValue": random::uuid(), "garminGuid": a.guid()})
            .to_string()
            .as_bytes(),
    );
    sh.add_bearer(&access, account, sh.cfg.di_access_ttl, Family::Di);
    sh.add_refresh(
        &refresh,
        account,
        client_id,
        sh.cfg.di_refresh_ttl,
        Family::Di,
    );
    json!({
        "scope": DI_SCOPE,
        "jti": jti,
        "token_type": "bearer",
        "access_token": access,
        "refresh_token": refresh,
        "expires_in": sh.cfg.di_access_ttl,
        "refresh_token_expires_in": sh.cfg.di_refresh_ttl,
    })
}

/// The account a refresh token was issued to, without using it.
fn refresh_owner(sh: &Shared, token: &str) -> Option<usize> {
    lock(&sh.inner).refresh.get(token).map(|g| g.account)
}

/// Marks a refresh token used and returns its account, when it is live,
/// unused, of `family`, and was issued to `client_id`.
fn take_refresh(sh: &Shared, token: &str, client_id: &str, family: Family) -> Option<usize> {
    let now = sh.now();
    let mut inner = lock(&sh.inner);
    let g = inner.refresh.get_mut(token)?;
    if g.used || g.expires_at <= now || g.family != family || g.client_id != client_id {
        return None;
    }
    g.used = true;
    Some(g.account)
}

/// The refusal a China account gets from the `.com` token endpoint (and a global account from the
/// `.cn` one): each DI service only knows its own region's users (docs/protocol.md §9).
fn wrong_region(ctx: &Ctx<'_>, account: usize, grant_region_cn: Option<bool>) -> Option<Resp> {
    let china = ctx.sh.account(account).china;
    let host = crate::rules::addressed_host(ctx.req);
    let host_cn = if host.ends_with(".garmin.cn") {
        Some(true)
    } else if host.ends_with(".garmin.com") {
        Some(false)
    } else {
        None // loopback: the single-origin simulator cannot tell the host
    };
    let mismatch = |cn: Option<bool>| cn.is_some_and(|cn| cn != china);
    (mismatch(host_cn) || mismatch(grant_region_cn))
        .then(|| oauth_error(400, "invalid_grant", "User doesn't exist in DB"))
}

/// `POST /di-oauth2-service/oauth/token`.
pub(crate) fn di_token(ctx: &Ctx<'_>) -> Resp {
    let sh = ctx.sh;
    let form = ctx.req.form();
    if crate::partner::is_partner_request(sh, &form) {
        return crate::partner::token(ctx);
    }
    let Some(basic) = basic_client_id(ctx.req.header("authorization")) else {
        return oauth_error(401, "invalid_client", "Client authentication is required");
    };
    let client_id = lookup(&form, "client_id").unwrap_or(&basic);
    if client_id != basic {
        return oauth_error(
            401,
            "invalid_client",
            "client_id does not match the authenticated client",
        );
    }
    if !sh.cfg.di_client_ids.iter().any(|c| c == client_id) {
        return oauth_error(401, "invalid_client", "Bad client credentials");
    }
    if ctx.malformed() {
        return malformed();
    }
    let grant = lookup(&form, "grant_type").unwrap_or("");
    if TICKET_GRANTS.contains(&grant) {
        let (Some(ticket), Some(service)) = (
            lookup(&form, "service_ticket"),
            lookup(&form, "service_url"),
        ) else {
            return oauth_error(
                400,
                "invalid_request",
                "service_ticket and service_url are required",
            );
        };
        if !crate::rules::garmin_service(service, ctx.req) {
            return oauth_error(
                400,
                "invalid_request",
                "service_url is not a Garmin service",
            );
        }
        let Some(account) = sh.redeem_ticket(ticket, service) else {
            return oauth_error(400, "invalid_grant", "Invalid service ticket");
        };
        if let Some(refused) = wrong_region(ctx, account, Some(grant == TICKET_GRANTS[1])) {
            return refused;
        }
        sh.count(|c| c.di_token_grants += 1);
        return Resp::json(200, &di_tokens(sh, account, client_id));
    }
    if grant == "refresh_token" {
        let Some(rt) = lookup(&form, "refresh_token") else {
            return oauth_error(400, "invalid_request", "refresh_token is required");
        };
        if let Some(owner) = refresh_owner(sh, rt) {
            if let Some(refused) = wrong_region(ctx, owner, None) {
                return refused;
            }
        }
        let Some(account) = take_refresh(sh, rt, client_id, Family::Di) else {
            return oauth_error(400, "invalid_grant", "Invalid refresh token");
        };
        sh.count(|c| c.di_refreshes += 1);
        return Resp::json(200, &di_tokens(sh, account, client_id));
    }
    oauth_error(400, "unsupported_grant_type", "Unsupported grant type")
}

fn it_tokens(sh: &Shared, account: usize, client_id: &str) -> Value {
    let access = random::uuid();
    let refresh = random::uuid();
    sh.add_bearer(&access, account, sh.cfg.it_access_ttl, Family::It);
    sh.add_refresh(
        &refresh,
        account,
        client_id,
        sh.cfg.di_refresh_ttl,
        Family::It,
    );
    sh.count(|c| c.it_token_grants += 1);
    json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": sh.cfg.it_access_ttl,
        "scope": IT_SCOPE,
        "refresh_token": refresh,
        "customerId": sh.account(account).guid(),
    })
}

/// `POST /api/oauth/token` (services host): `grant_type=connect2_exchange`
/// (query or form) with form `client_id` and `connect_access_token=<DI access
/// token>`; or `grant_type=refresh_token` with `client_id`, `refresh_token`.
pub(crate) fn it_token(ctx: &Ctx<'_>) -> Resp {
    let sh = ctx.sh;
    let form = ctx.req.form();
    if ctx.malformed() {
        return malformed();
    }
    let grant = lookup(&form, "grant_type")
        .or(ctx.req.q("grant_type"))
        .unwrap_or("");
    let client_id = lookup(&form, "client_id")
        .or(ctx.req.q("client_id"))
        .unwrap_or("");
    if !IT_CLIENT_IDS.contains(&client_id) {
        return oauth_error(401, "invalid_client", "Bad client credentials");
    }
    match grant {
        "connect2_exchange" => {
            let di = lookup(&form, "connect_access_token").unwrap_or("");
            let now = sh.now();
            let account = lock(&sh.inner)
                .bearers
                .get(di)
                .filter(|b| b.family == Family::Di && b.expires_at > now)
                .map(|b| b.account);
            match account {
                Some(a) => Resp::json(200, &it_tokens(sh, a, client_id)),
                None => oauth_error(401, "invalid_token", "connect_access_token is not active"),
            }
        }
        "refresh_token" => {
            let rt = lookup(&form, "refresh_token").unwrap_or("");
            match take_refresh(sh, rt, client_id, Family::It) {
                Some(a) => Resp::json(200, &it_tokens(sh, a, client_id)),
                None => oauth_error(400, "invalid_grant", "Invalid refresh token"),
            }
        }
        _ => oauth_error(400, "unsupported_grant_type", "Unsupported grant type"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_parsing() {
        let h = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("GARMIN_CONNECT_MOBILE_IOS_DI:")
        );
        assert_eq!(
            basic_client_id(Some(&h)).as_deref(),
            Some("GARMIN_CONNECT_MOBILE_IOS_DI")
        );
        assert_eq!(basic_client_id(Some("Bearer x")), None);
        assert_eq!(basic_client_id(None), None);
    }
}
