//! `connectapi /oauth-service/*` and the consumer JSON (docs/protocol.md §4):
//! ticket → OAuth1 token (`preauthorized`) → OAuth2 token (`exchange/user/2.0`).

use serde_json::json;

use crate::http::Resp;
use crate::lock;
use crate::oauth1_verify::{self, Authority, Problem, SignedRequest};
use crate::random;
use crate::router::Ctx;
use crate::state::{Family, OAuth1Grant, Shared};
use crate::timefmt;

pub(crate) const LEGACY_SCOPE: &str = "COMMUNITY_COURSE_READ GARMINPAY_WRITE GOLF_API_READ ATP_READ GHS_SAMD GHS_UPLOAD INSIGHTS_READ COMMUNITY_COURSE_WRITE CONNECT_WRITE GCOFFER_WRITE GARMINPAY_READ DT_CLIENT_ANALYTICS_WRITE GOLF_API_WRITE INSIGHTS_WRITE PRODUCT_SEARCH_READ GCOFFER_READ CONNECT_READ ATP_WRITE";

impl Authority for Shared {
    fn consumer_secret(&self, key: &str) -> Option<String> {
        oauth1_verify::ct_eq(key.as_bytes(), self.cfg.consumer_key.as_bytes())
            .then(|| self.cfg.consumer_secret.clone())
    }

    fn token_secret(&self, token: &str) -> Option<String> {
        lock(&self.inner)
            .oauth1
            .get(token)
            .map(|g| g.secret.clone())
    }

    fn now(&self) -> i64 {
        self.clock.now()
    }

    fn window(&self) -> i64 {
        self.cfg.oauth_timestamp_window
    }

    fn fresh_nonce(&self, consumer: &str, nonce: &str, timestamp: i64) -> bool {
        let now = self.clock.now();
        let keep = 2 * self.cfg.oauth_timestamp_window + 60;
        let mut inner = lock(&self.inner);
        if inner.nonces.len() > 10_000 {
            inner.nonces.retain(|_, seen| now - *seen <= keep);
        }
        let key = (consumer.to_string(), nonce.to_string(), timestamp);
        if inner.nonces.contains_key(&key) {
            return false;
        }
        inner.nonces.insert(key, now);
        true
    }
}

fn refused(p: Problem) -> Resp {
    log::info!("OAuth1 request refused: {}", p.as_str());
    Resp::text(401, format!("oauth_problem={}", p.as_str()))
        .header("WWW-Authenticate", "OAuth realm=\"connectapi.garmin.com\"")
}

fn verify(
    ctx: &Ctx<'_>,
    form: &[(String, String)],
    require_token: bool,
) -> Result<oauth1_verify::Verified, Resp> {
    let req = SignedRequest {
        method: &ctx.req.method,
        base_uri: oauth1_verify::base_uri("http", &ctx.req.host(), &ctx.req.path),
        authorization: ctx.req.header("authorization"),
        query: &ctx.req.query,
        form,
    };
    oauth1_verify::verify(&req, ctx.sh, require_token).map_err(refused)
}

/// `GET /oauth_consumer.json`.
pub(crate) fn consumer(ctx: &Ctx<'_>) -> Resp {
    if ctx.malformed() {
        return Resp::new(200)
            .header("Content-Type", "application/json")
            .body(b"{\"consumer_key\": \"".to_vec());
    }
    Resp::json(
        200,
        &json!({
            "consumer_key": ctx.sh.cfg.consumer_key,
            "consumer_secret": ctx.sh.cfg.consumer_secret,
        }),
    )
}

/// `GET /oauth-service/oauth/preauthorized?ticket=&login-url=&accepts-mfa-tokens=true`.
pub(crate) fn preauthorized(ctx: &Ctx<'_>) -> Resp {
    let sh = ctx.sh;
    if let Err(r) = verify(ctx, &[], false) {
        return r;
    }
    let token = random::uuid();
    if ctx.malformed() {
        return Resp::text(200, format!("oauth_token={token}"));
    }
    let ticket = ctx.req.q("ticket").unwrap_or("");
    let login_url = ctx.req.q("login-url").unwrap_or("");
    let Some(account) = sh.redeem_ticket(ticket, login_url) else {
        log::info!("preauthorized refused: ticket unknown, used, expired or for another service");
        return Resp::text(
            401,
            "oauth_problem=permission_denied&oauth_problem_advice=service ticket not valid",
        );
    };
    let secret = random::alnum(27);
    let mfa = sh.account(account).mfa.is_some() && ctx.req.q("accepts-mfa-tokens") == Some("true");
    let mfa_token = mfa.then(|| format!("MFA-{}-{}-cas", random::digits(4), random::alnum(50)));
    let mut body = format!("oauth_token={token}&oauth_token_secret={secret}");
    if let Some(m) = &mfa_token {
        body.push_str(&format!(
            "&mfa_token={m}&mfa_expiration_timestamp={}",
            timefmt::garmin_timestamp(sh.now() + 365 * 86_400)
        ));
    }
    lock(&sh.inner).oauth1.insert(
        token,
        OAuth1Grant {
            secret,
            account,
            mfa_token,
            exchanges: 0,
        },
    );
    sh.count(|c| c.preauthorized += 1);
    Resp::text(200, body).set_cookie(sh.cookie(
        "_cfuvid",
        &random::alnum(43),
        "path=/; HttpOnly; SameSite=None",
    ))
}

/// `POST /oauth-service/oauth/exchange/user/2.0` (form body, OAuth1 signed with token).
pub(crate) fn exchange(ctx: &Ctx<'_>) -> Resp {
    let sh = ctx.sh;
    let form = ctx.req.form();
    let verified = match verify(ctx, &form, true) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let token = verified.token.unwrap_or_default();
    let (account, expected_mfa) = match lock(&sh.inner).oauth1.get(&token) {
        Some(g) => (g.account, g.mfa_token.clone()),
        None => return refused(Problem::TokenRejected),
    };
    if let Some(expected) = expected_mfa {
        let sent = crate::http::lookup(&form, "mfa_token").unwrap_or("");
        if !oauth1_verify::ct_eq(sent.as_bytes(), expected.as_bytes()) {
            log::info!("exchange refused: MFA token missing or wrong");
            return Resp::text(
                401,
                "oauth_problem=permission_denied&oauth_problem_advice=mfa_token required",
            );
        }
    }
    if ctx.malformed() {
        return Resp::new(200)
            .header("Content-Type", "application/json")
            .body(b"{\"scope\": \"CONNECT_READ\", \"access_token\": ".to_vec());
    }
    let now = sh.now();
    let a = sh.account(account);
    let jti = random::uuid();
    let audience =
        crate::http::lookup(&form, "audience").unwrap_or("GARMIN_CONNECT_MOBILE_ANDROID");
    let access = crate::jwt::mint(
        &sh.jwt_key,
        "di-oauth-signer-prod-2024-q4",
        &json!({
            "scope": LEGACY_SCOPE.split(' ').collect::<Vec<_>>(),
            "iss": "https://diauth.garmin.com",
            "revocation_eligibility": ["GLOBAL_SIGNOUT"],
            "client_type": "UNDEFINED",
            "exp": now + sh.cfg.legacy_access_ttl,
            "iat": now,
            "garmin_guid": a.guid(),
            "sub": a.guid(),
            "jti": jti,
            "client_id": audience,
        }),
    );
    let refresh = format!("{}-{}", random::uuid(), random::alnum(8));
    sh.add_bearer(&access, account, sh.cfg.legacy_access_ttl, Family::Legacy);
    sh.add_refresh(
        &refresh,
        account,
        audience,
        sh.cfg.legacy_refresh_ttl,
        Family::Legacy,
    );
    let first = {
        let mut inner = lock(&sh.inner);
        match inner.oauth1.get_mut(&token) {
            Some(g) => {
                g.exchanges += 1;
                g.exchanges == 1
            }
            None => true,
        }
    };
    sh.count(|c| {
        c.legacy_exchanges += 1;
        if !first {
            c.legacy_refreshes += 1;
        }
    });
    Resp::json(
        200,
        &json!({
            "scope": LEGACY_SCOPE,
            "jti": jti,
            "access_token": access,
            "token_type": "Bearer",
            "refresh_token": refresh,
            "expires_in": sh.cfg.legacy_access_ttl,
            "refresh_token_expires_in": sh.cfg.legacy_refresh_ttl,
        }),
    )
}
