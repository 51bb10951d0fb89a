//! The classic widget (HTML) sign-in under `/sso/*` (docs/protocol.md §1).

use crate::account::MfaMethod;
use crate::http::{lookup, qenc, Resp};
use crate::lock;
use crate::pages::{self, CsrfStyle, MfaNotice, MfaPage, SignInNotice};
use crate::random;
use crate::router::Ctx;
use crate::state::{Flow, LoginToken, MfaChallenge, Shared};

pub(crate) const DEFAULT_SERVICE: &str = "https://sso.garmin.com/sso/embed";

fn service(ctx: &Ctx<'_>) -> String {
    ctx.req
        .q("service")
        .filter(|s| !s.is_empty())
        .unwrap_or(DEFAULT_SERVICE)
        .to_string()
}

fn style(sh: &Shared, recorded: CsrfStyle) -> CsrfStyle {
    if sh.cfg.randomize_markup {
        CsrfStyle::Random
    } else {
        recorded
    }
}

/// The cookies Garmin sets after a successful sign-in (CAS TGT and friends).
pub(crate) fn login_cookies(sh: &Shared, account: usize, cas_path: &str) -> Vec<String> {
    let guid = sh.account(account).guid();
    vec![
        sh.cookie(
            "CASTGC",
            &format!("TGT-{}-{}-cas", random::digits(7), random::alnum(50)),
            &format!("Path={cas_path}; HttpOnly"),
        ),
        sh.cookie("GARMIN-SSO", "1", "Path=/"),
        sh.cookie("GarminNoCache", "true", "Path=/"),
        sh.cookie("GARMIN-SSO-GUID", &random::hex_upper(20), "Path=/"),
        sh.cookie("GARMIN-SSO-CUST-GUID", &guid, "Path=/"),
    ]
}

/// `GET /sso/embed`.
pub(crate) fn embed(ctx: &Ctx<'_>) -> Resp {
    let sh = ctx.sh;
    let mut cookies = vec![sh.locale_cookie()];
    cookies.extend(sh.cloudflare_cookies());
    Resp::html(200, pages::embed_page(&ctx.req.raw_query))
        .header("Content-Language", "en")
        .cookies(cookies)
}

/// An existing session, or a new one with the cookies that carry it.
fn session_or_new(ctx: &Ctx<'_>, path: &str) -> (String, Vec<String>) {
    match ctx.sh.session_of(ctx.req) {
        Some(id) => (id, Vec::new()),
        None => ctx.sh.new_session(path),
    }
}

fn signin_response(ctx: &Ctx<'_>, status: u16, notice: SignInNotice) -> Resp {
    let sh = ctx.sh;
    let (session, mut cookies) = session_or_new(ctx, "/sso");
    let csrf = sh.new_csrf(&session);
    let csrf = (!ctx.malformed()).then_some(csrf);
    cookies.insert(0, sh.locale_cookie());
    Resp::html(
        status,
        pages::signin_page(
            &service(ctx),
            &ctx.req.raw_query,
            csrf.as_deref(),
            style(sh, CsrfStyle::SignIn),
            notice,
        ),
    )
    .cookies(cookies)
}

/// Refuses a `service` that is not a Garmin URL (nor the simulator's own origin, which stands in
/// for `sso.garmin.com`).
fn foreign_service(ctx: &Ctx<'_>) -> Option<Resp> {
    match ctx.req.q("service") {
        Some(svc) if !crate::rules::garmin_service(svc, ctx.req) => {
            Some(crate::rules::invalid_client_page("service URL"))
        }
        _ => None,
    }
}

/// `GET /sso/signin`.
pub(crate) fn signin_page(ctx: &Ctx<'_>) -> Resp {
    if let Some(refused) = foreign_service(ctx) {
        return refused;
    }
    signin_response(ctx, 200, SignInNotice::None)
}

/// The session a widget POST belongs to. Without the `__cflb` load-balancer
/// cookie from `/sso/embed` the POST lands on a backend that does not know
/// the session, exactly as if no `SESSION` cookie had been sent.
fn posted_session(ctx: &Ctx<'_>) -> Option<String> {
    if !ctx.req.has_cookie("__cflb") {
        return None;
    }
    ctx.sh.session_of(ctx.req)
}

fn csrf_refused(ctx: &Ctx<'_>, session_found: bool) -> Resp {
    Resp::html(
        403,
        pages::csrf_error_page(session_found, ctx.sh.clock.now()),
    )
}

/// `POST /sso/signin`.
pub(crate) fn signin_post(ctx: &Ctx<'_>) -> Resp {
    let sh = ctx.sh;
    if let Some(refused) = foreign_service(ctx) {
        return refused;
    }
    let Some(session) = posted_session(ctx) else {
        return csrf_refused(ctx, false);
    };
    let form = ctx.req.form();
    if let Some(idx) = sh.find_account(lookup(&form, "username").unwrap_or("")) {
        if crate::rules::limited(sh, crate::rules::WIDGET_BUCKET, idx) {
            log::info!("widget sign-in refused: rate-limited bucket");
            return crate::rules::cloudflare_429();
        }
    }
    if !sh.take_csrf(&session, lookup(&form, "_csrf")) {
        return csrf_refused(ctx, true);
    }
    let cfruid = sh.cookie(
        "__cfruid",
        &format!("{}-{}", random::hex_lower(20), sh.now()),
        "path=/; HttpOnly; SameSite=None",
    );
    let username = lookup(&form, "username").unwrap_or("");
    let password = lookup(&form, "password").unwrap_or("");
    let found = sh.find_account(username).filter(|&i| {
        crate::oauth1_verify::ct_eq(sh.account(i).password.as_bytes(), password.as_bytes())
    });
    let Some(idx) = found else {
        log::info!("widget sign-in refused: invalid credentials");
        return signin_response(ctx, 401, SignInNotice::InvalidCredentials).set_cookie(cfruid);
    };
    let account = sh.account(idx);
    if account.locked {
        return Resp::html(200, pages::locked_page()).set_cookie(cfruid);
    }
    if account.child {
        return Resp::html(200, pages::child_page()).set_cookie(cfruid);
    }
    let service = service(ctx);
    if let Some(method) = account.mfa_method() {
        let code_sent = method != MfaMethod::Totp && account.code_sent_automatically;
        if let Some(s) = lock(&sh.inner).sessions.get_mut(&session) {
            s.mfa = Some(MfaChallenge {
                account: idx,
                service,
                attempts: 0,
                code_sent,
                flow: Flow::Widget,
            });
        }
        let location = format!(
            "{}/sso/verifyMFA/loginEnterMfaCode?{}",
            ctx.req.origin(),
            ctx.req.raw_query
        );
        return Resp::redirect(&location)
            .set_cookie(sh.locale_cookie())
            .set_cookie(cfruid);
    }
    success(ctx, idx, &service).set_cookie(cfruid)
}

/// The `Success` page with a fresh ticket (or none when malformed).
fn success(ctx: &Ctx<'_>, account: usize, service: &str) -> Resp {
    let sh = ctx.sh;
    let ticket = sh.issue_ticket(account, service, "cas");
    let shown = (!ctx.malformed()).then_some(ticket.as_str());
    let mut cookies = vec![sh.locale_cookie()];
    cookies.extend(login_cookies(sh, account, "/sso"));
    Resp::html(200, pages::success_page(service, shown, &random::alnum(10))).cookies(cookies)
}

fn challenge_of(sh: &Shared, session: &str) -> Option<MfaChallenge> {
    lock(&sh.inner)
        .sessions
        .get(session)
        .and_then(|s| s.mfa.clone())
        .filter(|c| c.flow == Flow::Widget)
}

fn back_to_signin(ctx: &Ctx<'_>) -> Resp {
    Resp::redirect(&format!(
        "{}/sso/signin?{}",
        ctx.req.origin(),
        ctx.req.raw_query
    ))
}

fn mfa_response(
    ctx: &Ctx<'_>,
    session: &str,
    c: &MfaChallenge,
    status: u16,
    notice: MfaNotice,
) -> Resp {
    let sh = ctx.sh;
    let account = sh.account(c.account);
    let csrf = sh.new_csrf(session);
    let csrf = (!ctx.malformed()).then_some(csrf);
    let sent_to = if c.code_sent {
        account.code_destination()
    } else {
        String::new()
    };
    let method = account.mfa_method().map(|m| m.as_str()).unwrap_or("email");
    let page = pages::mfa_page(&MfaPage {
        service: &c.service,
        query: &ctx.req.raw_query,
        csrf: csrf.as_deref(),
        style: style(sh, CsrfStyle::Mfa),
        customer_guid: &account.guid(),
        mfa_method: method,
        code_sent_to: &sent_to,
        client_id: ctx.req.q("clientId").unwrap_or(""),
        notice,
    });
    Resp::html(status, page).set_cookie(sh.locale_cookie())
}

/// `GET /sso/verifyMFA/loginEnterMfaCode`.
pub(crate) fn mfa_page(ctx: &Ctx<'_>) -> Resp {
    let Some(session) = ctx.sh.session_of(ctx.req) else {
        return back_to_signin(ctx);
    };
    match challenge_of(ctx.sh, &session) {
        Some(c) => mfa_response(ctx, &session, &c, 200, MfaNotice::None),
        None => back_to_signin(ctx),
    }
}

/// `POST /sso/verifyMFA/mfaCode?clientId=…` — JSON `{customerGuid, mfaMethod, locale}`
/// asks Garmin to send the e-mail/SMS code.
pub(crate) fn mfa_code_request(ctx: &Ctx<'_>) -> Resp {
    let sh = ctx.sh;
    let err = |status: u16, msg: &str| {
        Resp::json(status, &serde_json::json!({"error": msg, "status": status}))
    };
    let Some(session) = sh.session_of(ctx.req) else {
        return err(401, "generalLoginYourSessionHasExpired");
    };
    let Some(c) = challenge_of(sh, &session) else {
        return err(401, "generalLoginYourSessionHasExpired");
    };
    let account = sh.account(c.account);
    let body = ctx.req.json().unwrap_or_default();
    let guid = body
        .get("customerGuid")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    let method = body.get("mfaMethod").and_then(|v| v.as_str()).unwrap_or("");
    let account_method = account.mfa_method();
    if guid != account.guid() || MfaMethod::parse(method) != account_method {
        return err(400, "generateMfacodeError");
    }
    if account_method == Some(MfaMethod::Totp) {
        return err(400, "generateMfacodeError");
    }
    if let Some(s) = lock(&sh.inner).sessions.get_mut(&session) {
        if let Some(m) = s.mfa.as_mut() {
            m.code_sent = true;
        }
    }
    sh.count(|k| k.mfa_code_requests += 1);
    log::info!("widget MFA code requested");
    Resp::json(
        200,
        &serde_json::json!({
            "responseStatus": {"type": "SUCCESSFUL", "message": "", "httpStatus": "OK"},
            "mfaMethod": method,
            "codeSentTo": account.code_destination(),
        }),
    )
}

/// `POST /sso/verifyMFA/loginEnterMfaCode`.
pub(crate) fn mfa_post(ctx: &Ctx<'_>) -> Resp {
    let sh = ctx.sh;
    let Some(session) = posted_session(ctx) else {
        return csrf_refused(ctx, false);
    };
    let Some(challenge) = challenge_of(sh, &session) else {
        return back_to_signin(ctx);
    };
    let form = ctx.req.form();
    if !sh.take_csrf(&session, lookup(&form, "_csrf")) {
        return csrf_refused(ctx, true);
    }
    let account = sh.account(challenge.account);
    let code = lookup(&form, "mfa-code").unwrap_or("").trim();
    let expected = account.mfa.as_ref().map(|(c, _)| c.as_str()).unwrap_or("");
    let ready = challenge.code_sent || account.mfa_method() == Some(MfaMethod::Totp);
    if ready
        && !code.is_empty()
        && crate::oauth1_verify::ct_eq(code.as_bytes(), expected.as_bytes())
    {
        if let Some(s) = lock(&sh.inner).sessions.get_mut(&session) {
            s.mfa = None;
        }
        if ctx.malformed() {
            return Resp::html(200, pages::success_page(&challenge.service, None, ""));
        }
        let token = random::alnum(10);
        lock(&sh.inner).login_tokens.insert(
            token.clone(),
            LoginToken {
                session: session.clone(),
                account: challenge.account,
                service: challenge.service.clone(),
                expires_at: sh.now() + 120,
            },
        );
        let svc = qenc(&challenge.service);
        let source = qenc(ctx.req.q("source").unwrap_or(&challenge.service));
        let after = qenc(
            ctx.req
                .q("redirectAfterAccountLoginUrl")
                .unwrap_or(&challenge.service),
        );
        let location = format!(
            "{}/sso/login?logintoken={token}&service={svc}&locale=en&embed=true&source={source}&redirectAfterAccountLoginUrl={after}&embedWidget=true",
            ctx.req.origin()
        );
        return Resp::redirect(&location).set_cookie(sh.locale_cookie());
    }
    log::info!("widget MFA code rejected");
    let attempts = {
        let mut inner = lock(&sh.inner);
        let Some(s) = inner.sessions.get_mut(&session) else {
            return back_to_signin(ctx);
        };
        let Some(m) = s.mfa.as_mut() else {
            return back_to_signin(ctx);
        };
        m.attempts += 1;
        let n = m.attempts;
        if n >= sh.cfg.mfa_max_attempts {
            s.mfa = None;
        }
        n
    };
    if attempts >= sh.cfg.mfa_max_attempts {
        return signin_response(ctx, 401, SignInNotice::TooManyMfaAttempts);
    }
    let mut c = challenge;
    c.attempts = attempts;
    mfa_response(ctx, &session, &c, 200, MfaNotice::InvalidCode)
}

/// `GET /sso/login?logintoken=…&service=…` — the end of the MFA redirect chain.
pub(crate) fn login(ctx: &Ctx<'_>) -> Resp {
    let sh = ctx.sh;
    let token = ctx.req.q("logintoken").unwrap_or("");
    let grant = lock(&sh.inner).login_tokens.remove(token);
    let session = sh.session_of(ctx.req);
    match grant {
        Some(g) if g.expires_at > sh.now() && session.as_deref() == Some(g.session.as_str()) => {
            success(ctx, g.account, &g.service)
        }
        _ => signin_response(ctx, 200, SignInNotice::None),
    }
}
