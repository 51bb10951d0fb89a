//! The mobile (`/mobile/*`) and portal (`/portal/*`) JSON sign-in flows
//! (docs/protocol.md §2, §3), plus the web-view form on the mobile sign-in page (§7).

use serde_json::{json, Value};

use crate::account::MfaMethod;
use crate::http::{lookup, Resp};
use crate::lock;
use crate::pages;
use crate::router::Ctx;
use crate::rules;
use crate::state::{Flow, MfaChallenge, Shared};
use crate::widget::login_cookies;

/// Which JSON surface a request came in on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Surface {
    Mobile,
    Portal,
}

impl Surface {
    fn client_ids(self) -> &'static [&'static str] {
        match self {
            Surface::Mobile => &rules::MOBILE_CLIENT_IDS,
            Surface::Portal => &rules::PORTAL_CLIENT_IDS,
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Surface::Mobile => "mobile",
            Surface::Portal => "portal",
        }
    }

    fn default_service(self) -> &'static str {
        match self {
            Surface::Mobile => "https://mobile.integration.garmin.com/gcm/android",
            Surface::Portal => "https://connect.garmin.com/app",
        }
    }
}

fn service(ctx: &Ctx<'_>, s: Surface) -> String {
    ctx.req
        .q("service")
        .filter(|x| !x.is_empty())
        .unwrap_or(s.default_service())
        .to_string()
}

/// Why a request names a client Garmin does not know: its `clientId` is not one of the surface's,
/// or its `service` is not a Garmin URL.
fn foreign_client(ctx: &Ctx<'_>, s: Surface) -> Option<&'static str> {
    let id = ctx.req.q("clientId").unwrap_or("");
    if !s.client_ids().contains(&id) {
        return Some("clientId");
    }
    match ctx.req.q("service") {
        Some(svc) if !rules::garmin_service(svc, ctx.req) => Some("service URL"),
        _ => None,
    }
}

fn session_or_new(ctx: &Ctx<'_>) -> (String, Vec<String>) {
    match ctx.sh.session_of(ctx.req) {
        Some(id) => (id, Vec::new()),
        None => ctx.sh.new_session("/"),
    }
}

/// `GET /{mobile|portal}/sso/{locale}/sign-in`: the app shell, cookies, and a
/// plain form that posts back to the same URL (for web views and browsers).
pub(crate) fn signin_page(ctx: &Ctx<'_>, s: Surface) -> Resp {
    let sh = ctx.sh;
    if let Some(what) = foreign_client(ctx, s) {
        return rules::invalid_client_page(what);
    }
    let (_, mut cookies) = session_or_new(ctx);
    cookies.extend(sh.cloudflare_cookies());
    let action = if ctx.req.raw_query.is_empty() {
        ctx.req.path.clone()
    } else {
        format!("{}?{}", ctx.req.path, ctx.req.raw_query)
    };
    Resp::html(
        200,
        pages::portal_shell(s.prefix(), Some(&action), None, false),
    )
    .cookies(cookies)
}

/// `GET /portal/sso/embed` (garth 0.8's best-effort load-balancer call): empty 200.
pub(crate) fn portal_embed(_ctx: &Ctx<'_>) -> Resp {
    Resp::html(200, "")
}

fn status(kind: &str, message: &str, http: &str) -> Value {
    json!({"type": kind, "message": message, "httpStatus": http})
}

/// The login answer without a ticket, as recorded for failures and MFA.
fn no_ticket(kind: &str, message: &str, http: &str, mfa: Value, consents: Value) -> Value {
    json!({
        "serviceURL": null,
        "serviceTicketId": null,
        "responseStatus": status(kind, message, http),
        "responseReason": null,
        "customerMfaInfo": mfa,
        "consentTypeList": consents,
        "captchaAlreadyPassed": false,
        "samlResponse": null,
        "authType": null
    })
}

fn captcha_required() -> Resp {
    Resp::json(
        200,
        &no_ticket("CAPTCHA_REQUIRED", "", "OK", Value::Null, Value::Null),
    )
}

fn malformed_json() -> Resp {
    Resp::new(200)
        .header("Content-Type", "application/json")
        .body(br#"{"serviceURL": "https://mobile.integration.garmin.com/gcm/android", "serviceTicketId": "ST-0"#.to_vec())
}

fn session_expired() -> Resp {
    Resp::json(
        401,
        &no_ticket(
            "SESSION_EXPIRED",
            "generalLoginYourSessionHasExpired",
            "UNAUTHORIZED",
            Value::Null,
            Value::Null,
        ),
    )
}

fn mfa_info(sh: &Shared, idx: usize) -> Value {
    let a = sh.account(idx);
    let method = a.mfa_method().unwrap_or(MfaMethod::Email);
    json!({
        "email": (method == MfaMethod::Email).then(|| a.masked_email()),
        "phoneNumber": (method == MfaMethod::Sms).then(|| a.masked_phone()),
        "mfaLastMethodUsed": method.as_str(),
        "defaultMfaMethod": null,
        "mfaUISetting": {
            "allowPhoneOption": true,
            "allowAddEmailAddress": false,
            "chooseDifferentWayShown": false
        }
    })
}

fn check_credentials(sh: &Shared, username: &str, password: &str) -> Option<usize> {
    sh.find_account(username).filter(|&i| {
        crate::oauth1_verify::ct_eq(sh.account(i).password.as_bytes(), password.as_bytes())
    })
}

/// `POST /{mobile|portal}/api/login?clientId=&locale=&service=`.
pub(crate) fn api_login(ctx: &Ctx<'_>, s: Surface) -> Resp {
    let sh = ctx.sh;
    if ctx.captcha() {
        return captcha_required();
    }
    if ctx.malformed() {
        return malformed_json();
    }
    if let Some(what) = foreign_client(ctx, s) {
        return rules::invalid_client_json(what);
    }
    // A credential POST without the sign-in page's session is "cold": Garmin answers 429.
    let Some(session) = sh.session_of(ctx.req) else {
        log::info!(
            "{} sign-in refused: cold POST (no sign-in page cookies)",
            s.prefix()
        );
        return rules::cloudflare_429();
    };
    let Some(body) = ctx.req.json() else {
        return Resp::json(
            400,
            &json!({"error": "Bad Request", "status": 400, "message": "Required request body is missing"}),
        );
    };
    let username = body.get("username").and_then(Value::as_str).unwrap_or("");
    let password = body.get("password").and_then(Value::as_str).unwrap_or("");
    let client_id = ctx.req.q("clientId").unwrap_or("");
    if let Some(idx) = sh.find_account(username) {
        if rules::limited(sh, client_id, idx) {
            log::info!("{} sign-in refused: rate-limited bucket", s.prefix());
            return rules::cloudflare_429();
        }
    }
    let Some(idx) = check_credentials(sh, username, password) else {
        log::info!("{} sign-in refused: invalid credentials", s.prefix());
        return Resp::json(
            401,
            &no_ticket(
                "INVALID_USERNAME_PASSWORD",
                "generalLoginInvalidUsernameOrPassword",
                "UNAUTHORIZED",
                Value::Null,
                Value::Null,
            ),
        );
    };
    let account = sh.account(idx);
    if account.locked {
        return Resp::json(
            401,
            &no_ticket(
                "ACCOUNT_LOCKED",
                "generalLoginMobileAccountLocked",
                "UNAUTHORIZED",
                Value::Null,
                Value::Null,
            ),
        );
    }
    if account.child {
        return Resp::json(
            403,
            &no_ticket(
                "APPLICATION_SECURITY_POLICY_LOGIN_DENIED",
                "applicationSecurityPolicyLoginDeniedChildAccountText",
                "FORBIDDEN",
                Value::Null,
                Value::Null,
            ),
        );
    }
    let service = service(ctx, s);
    if account.mfa.is_some() {
        if let Some(sess) = lock(&sh.inner).sessions.get_mut(&session) {
            sess.mfa = Some(MfaChallenge {
                account: idx,
                service,
                attempts: 0,
                code_sent: true,
                flow: Flow::Json,
            });
        }
        return Resp::json(
            200,
            &no_ticket("MFA_REQUIRED", "", "OK", mfa_info(sh, idx), json!([])),
        );
    }
    let ticket = sh.issue_ticket(idx, &service, "sso");
    Resp::json(
        200,
        &json!({
            "serviceURL": service,
            "serviceTicketId": ticket,
            "responseStatus": status("SUCCESSFUL", "", "OK"),
            "responseReason": null,
            "customerMfaInfo": null,
            "consentTypeList": null,
            "captchaAlreadyPassed": false,
            "samlResponse": null,
            "authType": "CAS"
        }),
    )
    .cookies(login_cookies(sh, idx, "/"))
}

/// Checks an MFA code against the session's JSON/web-view challenge.
/// `Ok(Some(challenge))` = accepted (challenge closed); `Ok(None)` = wrong,
/// challenge still open; `Err(())` = no challenge, or it just ended.
fn check_code(
    sh: &Shared,
    session: &str,
    flow: Flow,
    code: &str,
    method: Option<&str>,
) -> Result<Option<MfaChallenge>, ()> {
    let mut inner = lock(&sh.inner);
    let s = inner.sessions.get_mut(session).ok_or(())?;
    let c = s.mfa.as_mut().filter(|c| c.flow == flow).ok_or(())?;
    let account = &sh.cfg.accounts[c.account];
    let (expected, m) = account.mfa.clone().ok_or(())?;
    let method_ok = method.is_none_or(|x| MfaMethod::parse(x) == Some(m));
    if method_ok
        && !code.is_empty()
        && crate::oauth1_verify::ct_eq(code.trim().as_bytes(), expected.as_bytes())
    {
        return Ok(s.mfa.take());
    }
    c.attempts += 1;
    if c.attempts >= sh.cfg.mfa_max_attempts {
        s.mfa = None;
        return Err(());
    }
    Ok(None)
}

/// `POST /{mobile|portal}/api/mfa/verifyCode?clientId=&locale=&service=`.
pub(crate) fn api_verify(ctx: &Ctx<'_>, s: Surface) -> Resp {
    let sh = ctx.sh;
    if ctx.captcha() {
        return captcha_required();
    }
    if ctx.malformed() {
        return malformed_json();
    }
    if let Some(what) = foreign_client(ctx, s) {
        return rules::invalid_client_json(what);
    }
    let Some(session) = sh.session_of(ctx.req) else {
        return session_expired();
    };
    let body = ctx.req.json().unwrap_or_default();
    let code = body
        .get("mfaVerificationCode")
        .and_then(Value::as_str)
        .unwrap_or("");
    let method = body.get("mfaMethod").and_then(Value::as_str);
    match check_code(sh, &session, Flow::Json, code, method) {
        Err(()) => session_expired(),
        Ok(None) => {
            log::info!("{} MFA code rejected", s.prefix());
            Resp::json(
                400,
                &no_ticket(
                    "INVALID_MFA_CODE",
                    "codeEntryInvalid",
                    "BAD_REQUEST",
                    Value::Null,
                    Value::Null,
                ),
            )
        }
        Ok(Some(c)) => {
            let service = ctx
                .req
                .q("service")
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .unwrap_or(c.service);
            let ticket = sh.issue_ticket(c.account, &service, "sso");
            Resp::json(
                200,
                &json!({
                    "serviceURL": service,
                    "serviceTicketId": ticket,
                    "responseStatus": status("SUCCESSFUL", "", "OK"),
                    "responseReason": null,
                    "samlResponse": null,
                    "authType": "CAS"
                }),
            )
            .cookies(login_cookies(sh, c.account, "/"))
        }
    }
}

fn webview_page(ctx: &Ctx<'_>, status: u16, notice: Option<&str>, mfa: bool) -> Resp {
    let action = if ctx.req.raw_query.is_empty() {
        ctx.req.path.clone()
    } else {
        format!("{}?{}", ctx.req.path, ctx.req.raw_query)
    };
    Resp::html(
        status,
        pages::portal_shell("mobile", Some(&action), notice, mfa),
    )
}

fn ticket_redirect(service: &str, ticket: &str) -> Resp {
    let sep = if service.contains('?') { '&' } else { '?' };
    Resp::redirect(&format!("{service}{sep}ticket={ticket}"))
}

/// `POST /mobile/sso/{locale}/sign-in` — the plain form on the sign-in page.
/// Success navigates (302) to `<service>?ticket=ST-…`, like the real page.
pub(crate) fn webview_post(ctx: &Ctx<'_>) -> Resp {
    let sh = ctx.sh;
    if let Some(what) = foreign_client(ctx, Surface::Mobile) {
        return rules::invalid_client_page(what);
    }
    // A browser loaded the page (and its cookies) before posting the form; a cold POST gets 429.
    let Some(session) = sh.session_of(ctx.req) else {
        log::info!("web-view sign-in refused: cold POST (no sign-in page cookies)");
        return rules::cloudflare_429();
    };
    let form = ctx.req.form();
    let service = service(ctx, Surface::Mobile);
    if let Some(code) = lookup(&form, "mfa-code") {
        return match check_code(sh, &session, Flow::WebView, code, None) {
            Err(()) => webview_page(ctx, 401, Some("Your session has expired."), false),
            Ok(None) => webview_page(
                ctx,
                200,
                Some("Invalid code. Please enter a valid code."),
                true,
            ),
            Ok(Some(c)) => {
                let ticket = sh.issue_ticket(c.account, &service, "sso");
                ticket_redirect(&service, &ticket).cookies(login_cookies(sh, c.account, "/"))
            }
        };
    }
    let username = lookup(&form, "username").unwrap_or("");
    let password = lookup(&form, "password").unwrap_or("");
    let client_id = ctx.req.q("clientId").unwrap_or("");
    if let Some(idx) = sh.find_account(username) {
        if rules::limited(sh, client_id, idx) {
            return rules::cloudflare_429();
        }
    }
    let Some(idx) = check_credentials(sh, username, password) else {
        return webview_page(
            ctx,
            401,
            Some("Invalid sign in. (Passwords are case sensitive.)"),
            false,
        );
    };
    let account = sh.account(idx);
    if account.locked {
        return webview_page(
            ctx,
            200,
            Some("Your account has been locked. Please reset your password."),
            false,
        );
    }
    if account.child {
        return webview_page(
            ctx,
            200,
            Some("This application is not available for customers with an account that is managed by a parent or guardian."),
            false,
        );
    }
    if account.mfa.is_some() {
        if let Some(sess) = lock(&sh.inner).sessions.get_mut(&session) {
            sess.mfa = Some(MfaChallenge {
                account: idx,
                service,
                attempts: 0,
                code_sent: true,
                flow: Flow::WebView,
            });
        }
        return webview_page(ctx, 200, None, true);
    }
    let ticket = sh.issue_ticket(idx, &service, "sso");
    ticket_redirect(&service, &ticket).cookies(login_cookies(sh, idx, "/"))
}
