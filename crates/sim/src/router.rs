//! Maps (method, path) to a route name, a fault target and a handler; applies
//! injected faults; counts and records requests.

use serde_json::json;

use crate::connect_api;
use crate::diauth;
use crate::faults::{Fault, Target};
use crate::http::{Req, Resp};
use crate::json_login::{self, Surface};
use crate::oauth_service;
use crate::pages;
use crate::partner;
use crate::state::{RecordedRequest, Shared};
use crate::widget;

/// What a handler gets: shared state, the request, and the fault it has to shape itself
/// (`Malformed`, or `Captcha` on the mobile and portal login routes); other faults never reach
/// a handler.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub sh: &'a Shared,
    pub req: &'a Req,
    pub fault: Option<Fault>,
}

impl Ctx<'_> {
    pub fn malformed(&self) -> bool {
        self.fault == Some(Fault::Malformed)
    }

    pub fn captcha(&self) -> bool {
        self.fault == Some(Fault::Captcha)
    }
}

/// Route names, in the order the crate docs list them.
pub(crate) const ROUTES: &[&str] = &[
    "sso_embed",
    "sso_signin_page",
    "sso_signin_post",
    "sso_mfa_page",
    "sso_mfa_post",
    "sso_mfa_code_request",
    "sso_login",
    "mobile_signin_page",
    "mobile_webview_post",
    "mobile_login",
    "mobile_mfa_verify",
    "portal_signin_page",
    "portal_embed",
    "portal_login",
    "portal_mfa_verify",
    "consumer",
    "preauthorized",
    "exchange",
    "di_token",
    "it_token",
    "social_profile",
    "user_settings",
    "upload",
    "download",
    "calendar",
    "workout",
    "workouts",
    "not_found",
];

type Handler = Box<dyn Fn(&Ctx<'_>) -> Resp>;

fn route(method: &str, path: &str) -> Option<(&'static str, Target, Handler)> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let get = method == "GET" || method == "HEAD";
    let post = method == "POST";
    let r = |name, target, h: Handler| Some((name, target, h));
    match (segs.as_slice(), get, post) {
        (["sso", "embed"], true, _) => r("sso_embed", Target::WidgetPage, Box::new(widget::embed)),
        (["sso", "signin"], true, _) => r(
            "sso_signin_page",
            Target::WidgetPage,
            Box::new(widget::signin_page),
        ),
        (["sso", "signin"], _, true) => r(
            "sso_signin_post",
            Target::WidgetLogin,
            Box::new(widget::signin_post),
        ),
        (["sso", "verifyMFA", "loginEnterMfaCode"], true, _) => r(
            "sso_mfa_page",
            Target::WidgetPage,
            Box::new(widget::mfa_page),
        ),
        (["sso", "verifyMFA", "loginEnterMfaCode"], _, true) => r(
            "sso_mfa_post",
            Target::WidgetLogin,
            Box::new(widget::mfa_post),
        ),
        (["sso", "verifyMFA", "mfaCode"], _, true) => r(
            "sso_mfa_code_request",
            Target::WidgetLogin,
            Box::new(widget::mfa_code_request),
        ),
        (["sso", "login"], true, _) => r("sso_login", Target::WidgetPage, Box::new(widget::login)),
        (["mobile", "sso", _, "sign-in"], true, _) => r(
            "mobile_signin_page",
            Target::MobilePage,
            Box::new(|c| json_login::signin_page(c, Surface::Mobile)),
        ),
        (["mobile", "sso", _, "sign-in"], _, true) => r(
            "mobile_webview_post",
            Target::MobileLogin,
            Box::new(json_login::webview_post),
        ),
        (["mobile", "api", "login"], _, true) => r(
            "mobile_login",
            Target::MobileLogin,
            Box::new(|c| json_login::api_login(c, Surface::Mobile)),
        ),
        (["mobile", "api", "mfa", "verifyCode"], _, true) => r(
            "mobile_mfa_verify",
            Target::MobileLogin,
            Box::new(|c| json_login::api_verify(c, Surface::Mobile)),
        ),
        (["portal", "sso", "embed"], true, _) => r(
            "portal_embed",
            Target::PortalPage,
            Box::new(json_login::portal_embed),
        ),
        (["portal", "sso", _, "sign-in"], true, _) => r(
            "portal_signin_page",
            Target::PortalPage,
            Box::new(|c| json_login::signin_page(c, Surface::Portal)),
        ),
        (["portal", "api", "login"], _, true) => r(
            "portal_login",
            Target::PortalLogin,
            Box::new(|c| json_login::api_login(c, Surface::Portal)),
        ),
        (["portal", "api", "mfa", "verifyCode"], _, true) => r(
            "portal_mfa_verify",
            Target::PortalLogin,
            Box::new(|c| json_login::api_verify(c, Surface::Portal)),
        ),
        (["oauth_consumer.json"], true, _) => r(
            "consumer",
            Target::Consumer,
            Box::new(oauth_service::consumer),
        ),
        (["oauth-service", "oauth", "preauthorized"], true, _) => r(
            "preauthorized",
            Target::Preauthorized,
            Box::new(oauth_service::preauthorized),
        ),
        (["oauth-service", "oauth", "exchange", "user", "2.0"], _, true) => r(
            "exchange",
            Target::Exchange,
            Box::new(oauth_service::exchange),
        ),
        (["di-oauth2-service", "oauth", "token"], _, true) => {
            r("di_token", Target::DiToken, Box::new(diauth::di_token))
        }
        (["oauth2Confirm"], true, _) => r(
            "partner_authorize",
            Target::Partner,
            Box::new(partner::authorize_page),
        ),
        (["oauth2Confirm"], _, true) => r(
            "partner_consent",
            Target::Partner,
            Box::new(partner::authorize_decision),
        ),
        (["wellness-api", "rest", "user", "id"], true, _) => {
            r("partner_user_id", Target::Api, Box::new(partner::user_id))
        }
        (["api", "oauth", "token"], _, true) => {
            r("it_token", Target::ItToken, Box::new(diauth::it_token))
        }
        (["userprofile-service", "socialProfile"], true, _) => r(
            "social_profile",
            Target::Api,
            Box::new(connect_api::social_profile),
        ),
        (["userprofile-service", "userprofile", "user-settings"], true, _) => r(
            "user_settings",
            Target::Api,
            Box::new(connect_api::user_settings),
        ),
        (["upload-service", "upload"], _, true) | (["upload-service", "upload", _], _, true) => {
            r("upload", Target::Api, Box::new(connect_api::upload))
        }
        (["download-service", "files", "activity", id], true, _) => {
            let id = id.to_string();
            r(
                "download",
                Target::Api,
                Box::new(move |c| connect_api::download(c, &id)),
            )
        }
        (["calendar-service", "year", y, "month", m], true, _) => {
            let (y, m) = (y.to_string(), m.to_string());
            r(
                "calendar",
                Target::Api,
                Box::new(move |c| connect_api::calendar(c, &y, &m)),
            )
        }
        (["workout-service", "workout", id], true, _) => {
            let id = id.to_string();
            r(
                "workout",
                Target::Api,
                Box::new(move |c| connect_api::workout(c, &id)),
            )
        }
        (["workout-service", "workouts"], true, _) => {
            r("workouts", Target::Api, Box::new(connect_api::workouts))
        }
        _ => None,
    }
}

/// The answer an injected fault produces by itself (`None` for faults the
/// handler has to shape: `Malformed`, and `Captcha` on JSON login routes).
fn fault_response(fault: &Fault, target: Target, req: &Req) -> Option<Resp> {
    let host = req.host();
    let cf = |r: Resp| {
        r.header("Server", "cloudflare")
            .header("CF-RAY", format!("{}-QRO", crate::random::hex_lower(8)))
    };
    match fault {
        Fault::RateLimit { retry_after } => {
            let mut r = cf(Resp::text(429, "error code: 1015"));
            if let Some(s) = retry_after {
                r = r.header("Retry-After", s.to_string());
            }
            Some(r)
        }
        Fault::RateLimitInBody => Some(Resp::json(
            200,
            &json!({"error": {"status-code": "429", "status-message": "Too Many Requests"}}),
        )),
        Fault::CloudflareChallenge => Some(cf(Resp::html(403, pages::cloudflare_challenge(&host))
            .header("cf-mitigated", "challenge")
            .header(
                "Cache-Control",
                "private, max-age=0, no-store, no-cache, must-revalidate",
            )
            .header("Content-Type", "text/html; charset=UTF-8"))),
        Fault::ServerError(code) => {
            let code = if (500..600).contains(code) {
                *code
            } else {
                500
            };
            Some(cf(Resp::html(code, pages::server_error_page(&host, code))))
        }
        Fault::Captcha if !matches!(target, Target::MobileLogin | Target::PortalLogin) => {
            fault_response(&Fault::CloudflareChallenge, target, req)
        }
        Fault::Delay(_) | Fault::Malformed | Fault::Captcha => None,
    }
}

/// Handles one request from start to finish.
pub(crate) fn dispatch(sh: &Shared, req: &Req) -> Resp {
    if req.path.starts_with("/__sim/") || req.path == "/__sim" {
        let resp = crate::admin::handle(sh, req);
        sh.count(|c| *c.per_route.entry("admin".to_string()).or_default() += 1);
        return resp;
    }
    let found = route(&req.method, &req.path);
    let name = found.as_ref().map(|(n, _, _)| *n).unwrap_or("not_found");
    sh.count(|c| {
        *c.per_route.entry(name.to_string()).or_default() += 1;
        c.requests_total += 1;
        if let Some(addr) = req.remote {
            c.remotes.insert(addr);
        }
    });
    sh.record(RecordedRequest {
        route: name.to_string(),
        method: req.method.clone(),
        path: req.path.clone(),
        query: req.raw_query.clone(),
        headers: req.headers.clone(),
        body: req.body.clone(),
        remote: req.remote,
    });
    let target = found.as_ref().map(|(_, t, _)| *t).unwrap_or(Target::Any);
    let decision = sh.faults.take(target);
    if !decision.delay.is_zero() {
        std::thread::sleep(decision.delay);
    }
    if let Some(f) = &decision.fault {
        if let Some(resp) = fault_response(f, target, req) {
            sh.count(|c| c.faults_injected += 1);
            log::info!("{} {}: injected fault {:?}", req.method, req.path, f);
            return resp;
        }
        sh.count(|c| c.faults_injected += 1);
    }
    let Some((_, _, handler)) = found else {
        return Resp::json(404, &json!({"message": "Not Found", "path": req.path}));
    };
    let ctx = Ctx {
        sh,
        req,
        fault: decision.fault,
    };
    handler(&ctx)
}
