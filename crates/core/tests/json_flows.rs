//! The mobile and portal JSON sign-ins against the simulator over 127.0.0.1: success with and
//! without MFA, garth 0.8.0's exact request sequence, and every failure class per flow.
#![allow(clippy::unwrap_used)]

mod common;
mod jsonkit;

use common::*;
use garmin_sso_core::{Error, Flow, MfaMethod, Password, TokenPreference, Tokens};
use garmin_sso_sim::{Account, Fault, MfaMethod as SimMfa, Simulator, Target, Times};
use jsonkit::*;
use std::time::Duration;

const GARTH_LOGIN_QUERY: &str =
    "clientId=GCM_ANDROID_DARK&locale=en-US&service=https%3A%2F%2Fmobile.integration.garmin.com%2Fgcm%2Fandroid";
const PORTAL_LOGIN_QUERY: &str =
    "clientId=GarminConnect&locale=en-US&service=https%3A%2F%2Fconnect.garmin.com%2Fapp";

fn mfa_sim(method: SimMfa) -> Simulator {
    sim_with(vec![
        Account::new(MFA_EMAIL, MFA_PASSWORD).with_mfa(MFA_CODE, method)
    ])
}

fn strategy(api: Flow) -> [Flow; 1] {
    [api]
}

/// The login fault target and the routes of each JSON API.
fn login_target(api: Flow) -> Target {
    match api {
        Flow::Mobile => Target::MobileLogin,
        Flow::Portal => Target::PortalLogin,
        Flow::Widget => unreachable!(),
    }
}

fn page_target(api: Flow) -> Target {
    match api {
        Flow::Mobile => Target::MobilePage,
        Flow::Portal => Target::PortalPage,
        Flow::Widget => unreachable!(),
    }
}

fn prefix(api: Flow) -> &'static str {
    match api {
        Flow::Mobile => "mobile",
        _ => "portal",
    }
}

#[test]
fn mobile_sign_in_sends_garths_requests_in_garths_order() {
    let sim = sim();
    let client = client_for(&sim, &[Flow::Mobile], TokenPreference::Legacy);
    let tokens = complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    assert!(matches!(tokens, Tokens::Legacy { .. }));

    let reqs = sim.requests();
    let sso: Vec<(String, String, String)> = reqs
        .iter()
        .filter(|r| {
            r.path.starts_with("/mobile/")
                || r.path.starts_with("/portal/")
                || r.path.starts_with("/sso/")
        })
        .map(|r| (r.method.clone(), r.path.clone(), r.query.clone()))
        .collect();
    // garth 0.8.0 test_login_success.yaml, in order.
    let expected = [
        ("GET", "/mobile/sso/en/sign-in", "clientId=GCM_ANDROID_DARK"),
        ("POST", "/mobile/api/login", GARTH_LOGIN_QUERY),
        ("GET", "/portal/sso/embed", ""),
    ];
    let got: Vec<(&str, &str, &str)> = sso
        .iter()
        .map(|(m, p, q)| (m.as_str(), p.as_str(), q.as_str()))
        .collect();
    assert_eq!(got, expected);

    // The embed GET comes before the exchange, which names the mobile service as login-url.
    let embed_at = reqs
        .iter()
        .position(|r| r.path == "/portal/sso/embed")
        .unwrap();
    let pre_at = reqs
        .iter()
        .position(|r| r.route == "preauthorized")
        .unwrap();
    assert!(embed_at < pre_at);
    assert!(reqs[pre_at]
        .query
        .contains("login-url=https%3A%2F%2Fmobile.integration.garmin.com%2Fgcm%2Fandroid"));

    let login = &reqs.iter().find(|r| r.path == "/mobile/api/login").unwrap();
    let body: serde_json::Value = serde_json::from_slice(&login.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"username": EMAIL, "password": PASSWORD, "rememberMe": false, "captchaToken": ""})
    );
    assert_eq!(login.header("Content-Type"), Some("application/json"));
    let cookie = login.header("Cookie").unwrap_or("");
    assert!(
        cookie.contains("SESSION=") && cookie.contains("__cflb="),
        "the cookie GET's cookies go along: {cookie}"
    );
    assert_eq!(
        login.header("User-Agent"),
        Some(client.config().sso_user_agent.as_str())
    );

    let embed = &reqs[embed_at];
    let referer = embed.header("Referer").unwrap();
    assert!(
        referer.ends_with(&format!("/mobile/api/login?{GARTH_LOGIN_QUERY}")),
        "{referer}"
    );
    assert_eq!(embed.header("Sec-Fetch-Site"), Some("same-origin"));
    assert_eq!(sim.stats().tickets_issued, 1);
}

#[test]
fn mobile_mfa_wrong_code_then_right_code() {
    let sim = mfa_sim(SimMfa::Email);
    let client = client_for(&sim, &[Flow::Mobile], TokenPreference::Legacy);
    let p = pending(
        client
            .login(MFA_EMAIL, &Password::new(MFA_PASSWORD))
            .unwrap(),
    );
    assert_eq!(p.flow(), Flow::Mobile);
    assert_eq!(p.method(), &MfaMethod::Email);
    assert_eq!(p.code_sent_to(), Some("mf*****@example.com"));
    assert_eq!(sim.stats().tickets_issued, 0);

    assert!(matches!(p.submit("000000"), Err(Error::MfaCodeRejected)));
    let tokens = p.submit(MFA_CODE).unwrap();
    let Tokens::Legacy { oauth1, .. } = &tokens else {
        panic!("legacy tokens expected")
    };
    assert!(
        oauth1.mfa_token.is_some(),
        "an MFA account's OAuth1 token carries its mfa_token"
    );

    let got = seen(&sim);
    let sso: Vec<(&str, &str)> = got
        .iter()
        .filter(|(_, p, _)| p.starts_with("/mobile/") || p.starts_with("/portal/"))
        .map(|(m, p, _)| (m.as_str(), p.as_str()))
        .collect();
    assert_eq!(
        sso,
        [
            ("GET", "/mobile/sso/en/sign-in"),
            ("POST", "/mobile/api/login"),
            ("POST", "/mobile/api/mfa/verifyCode"),
            ("POST", "/mobile/api/mfa/verifyCode"),
            ("GET", "/portal/sso/embed"),
        ]
    );
    let verifies: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.path == "/mobile/api/mfa/verifyCode")
        .collect();
    assert_eq!(
        verifies[1].query, GARTH_LOGIN_QUERY,
        "verifyCode repeats the login query"
    );
    let body: serde_json::Value = serde_json::from_slice(&verifies[1].body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"mfaMethod": "email", "mfaVerificationCode": MFA_CODE, "rememberMyBrowser": false,
                           "reconsentList": [], "mfaSetup": false})
    );
    // The challenge is finished: another submit does not reach Garmin.
    let before = sim.requests().len();
    assert!(matches!(
        p.submit(MFA_CODE),
        Err(Error::MfaChallengeEnded { .. })
    ));
    assert_eq!(sim.requests().len(), before);
}

#[test]
fn mfa_names_the_method_garmin_reported() {
    for (sim_method, method, name) in [
        (SimMfa::Sms, MfaMethod::Sms, "sms"),
        (SimMfa::Totp, MfaMethod::Totp, "totp"),
    ] {
        for api in [Flow::Mobile, Flow::Portal] {
            let sim = mfa_sim(sim_method);
            let client = client_for(&sim, &strategy(api), TokenPreference::Di);
            let p = pending(
                client
                    .login(MFA_EMAIL, &Password::new(MFA_PASSWORD))
                    .unwrap(),
            );
            assert_eq!(p.method(), &method);
            assert_eq!(p.flow(), api);
            let tokens = p.submit(MFA_CODE).unwrap();
            assert_eq!(tokens.family().name(), "di");
            let verify = sim
                .requests()
                .into_iter()
                .find(|r| r.path.ends_with("/api/mfa/verifyCode"))
                .unwrap();
            assert_eq!(verify.path, format!("/{}/api/mfa/verifyCode", prefix(api)));
            let body: serde_json::Value = serde_json::from_slice(&verify.body).unwrap();
            assert_eq!(body["mfaMethod"], name);
        }
    }
}

#[test]
fn mfa_challenge_ends_after_garmins_attempt_limit() {
    for api in [Flow::Mobile, Flow::Portal] {
        let sim = Simulator::builder()
            .account(Account::new(MFA_EMAIL, MFA_PASSWORD).with_mfa(MFA_CODE, SimMfa::Email))
            .mfa_max_attempts(2)
            .start()
            .unwrap();
        let client = client_for(&sim, &strategy(api), TokenPreference::Legacy);
        let p = pending(
            client
                .login(MFA_EMAIL, &Password::new(MFA_PASSWORD))
                .unwrap(),
        );
        assert!(matches!(p.submit("111111"), Err(Error::MfaCodeRejected)));
        assert!(
            matches!(p.submit("222222"), Err(Error::MfaChallengeEnded { .. })),
            "{api}"
        );
        assert!(matches!(
            p.submit(MFA_CODE),
            Err(Error::MfaChallengeEnded { .. })
        ));
        assert_eq!(sim.stats().tickets_issued, 0);
    }
}

#[test]
fn portal_sign_in_without_mfa_gives_di_tokens_for_the_portal_service() {
    let sim = sim();
    let client = client_for(&sim, &[Flow::Portal], TokenPreference::Di);
    let tokens = complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    let di = di(&tokens);
    assert_eq!(di.client_id, "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2");

    let got = seen(&sim);
    let sso: Vec<(&str, &str, &str)> = got
        .iter()
        .filter(|(_, p, _)| p.starts_with("/portal/") || p.starts_with("/mobile/"))
        .map(|(m, p, q)| (m.as_str(), p.as_str(), q.as_str()))
        .collect();
    assert_eq!(
        sso,
        [
            (
                "GET",
                "/portal/sso/en-US/sign-in",
                "clientId=GarminConnect&service=https%3A%2F%2Fconnect.garmin.com%2Fapp"
            ),
            ("POST", "/portal/api/login", PORTAL_LOGIN_QUERY),
        ],
        "no embed GET after a portal sign-in"
    );
    let token_req = sim
        .requests()
        .into_iter()
        .find(|r| r.route == "di_token")
        .unwrap();
    assert_eq!(
        field(&form_of(&token_req.body), "service_url"),
        Some(PORTAL_SERVICE)
    );
}

#[test]
fn portal_mfa_sign_in() {
    let sim = mfa_sim(SimMfa::Email);
    let client = client_for(&sim, &[Flow::Portal], TokenPreference::Legacy);
    let p = pending(
        client
            .login(MFA_EMAIL, &Password::new(MFA_PASSWORD))
            .unwrap(),
    );
    assert_eq!(p.flow(), Flow::Portal);
    assert!(matches!(p.submit("999999"), Err(Error::MfaCodeRejected)));
    let tokens = p.submit(MFA_CODE).unwrap();
    assert_eq!(tokens.family().name(), "legacy");
    let verify: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.path == "/portal/api/mfa/verifyCode")
        .collect();
    assert_eq!(verify.len(), 2);
    assert_eq!(verify[1].query, PORTAL_LOGIN_QUERY);
    let pre = sim
        .requests()
        .into_iter()
        .find(|r| r.route == "preauthorized")
        .unwrap();
    assert!(pre
        .query
        .contains("login-url=https%3A%2F%2Fconnect.garmin.com%2Fapp"));
}

#[test]
fn portal_paces_between_page_and_post_through_the_sleeper_when_asked() {
    let sim = std::sync::Arc::new(sim());
    let mut config = jsonkit::config_for(&sim, &[Flow::Portal], TokenPreference::Legacy);
    assert_eq!(
        config.pacing_wait(Flow::Portal),
        None,
        "no pacing against a simulator base URL"
    );
    config.pacing.when = garmin_sso_core::PacingMode::Always;
    let waits = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let rec = waits.clone();
    let seen = sim.clone();
    config.sleeper = std::sync::Arc::new(move |d: Duration| {
        // The wait falls between the page GET and the credential POST.
        let routes: Vec<String> = seen.requests().into_iter().map(|r| r.route).collect();
        rec.lock().unwrap().push((d, routes));
    });
    let client = client_with(
        config,
        std::sync::Arc::new(garmin_sso_core::UreqTransport::new()),
    );
    complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    let waits = waits.lock().unwrap().clone();
    assert_eq!(waits.len(), 1, "{waits:?}");
    let (d, routes_before) = &waits[0];
    assert!(
        (Duration::from_secs(10)..=Duration::from_secs(20)).contains(d),
        "{d:?}"
    );
    assert_eq!(routes_before, &vec!["portal_signin_page".to_string()]);
}

#[test]
fn wrong_password_is_invalid_credentials_on_both_flows() {
    for api in [Flow::Mobile, Flow::Portal] {
        let sim = sim();
        let client = client_for(&sim, &strategy(api), TokenPreference::Auto);
        let e = client
            .login(EMAIL, &Password::new("wrong password"))
            .unwrap_err();
        assert!(matches!(e, Error::InvalidCredentials), "{api}: {e:?}");
        assert_eq!(sim.stats().tickets_issued, 0);
        assert_eq!(
            count_prefix(&sim, "/portal/sso/embed"),
            0,
            "no embed GET after a failure"
        );
        assert!(!format!("{e} {e:?}").contains("wrong password"));
    }
}

#[test]
fn captcha_is_blocked_on_both_flows() {
    for api in [Flow::Mobile, Flow::Portal] {
        let sim = sim();
        sim.inject(login_target(api), Fault::Captcha, Times::Once);
        let client = client_for(&sim, &strategy(api), TokenPreference::Auto);
        match client.login(EMAIL, &Password::new(PASSWORD)).unwrap_err() {
            Error::Blocked { reason } => assert_eq!(reason, "CAPTCHA required"),
            e => panic!("{api}: {e:?}"),
        }
    }
}

#[test]
fn http_429_is_rate_limited_with_retry_after_on_both_flows() {
    for api in [Flow::Mobile, Flow::Portal] {
        let sim = sim();
        sim.inject(
            login_target(api),
            Fault::RateLimit {
                retry_after: Some(42),
            },
            Times::Once,
        );
        let client = client_for(&sim, &strategy(api), TokenPreference::Auto);
        match client.login(EMAIL, &Password::new(PASSWORD)).unwrap_err() {
            Error::RateLimited { retry_after } => {
                assert_eq!(retry_after, Some(Duration::from_secs(42)), "{api}")
            }
            e => panic!("{api}: {e:?}"),
        }
        // The fault was one-shot: the same call now succeeds.
        complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    }
}

#[test]
fn a_429_inside_the_json_is_rate_limited_on_both_flows() {
    for api in [Flow::Mobile, Flow::Portal] {
        let sim = sim();
        sim.inject(login_target(api), Fault::RateLimitInBody, Times::Once);
        let client = client_for(&sim, &strategy(api), TokenPreference::Auto);
        let e = client.login(EMAIL, &Password::new(PASSWORD)).unwrap_err();
        assert!(
            matches!(e, Error::RateLimited { retry_after: None }),
            "{api}: {e:?}"
        );
    }
}

#[test]
fn cloudflare_403_is_blocked_on_both_flows_and_both_steps() {
    for api in [Flow::Mobile, Flow::Portal] {
        for target in [login_target(api), page_target(api)] {
            let sim = sim();
            sim.inject(target, Fault::CloudflareChallenge, Times::Once);
            let client = client_for(&sim, &strategy(api), TokenPreference::Auto);
            let e = client.login(EMAIL, &Password::new(PASSWORD)).unwrap_err();
            assert!(
                matches!(e, Error::Blocked { .. }),
                "{api} {target:?}: {e:?}"
            );
        }
    }
}

#[test]
fn mfa_step_rate_limit_keeps_the_challenge_open() {
    let sim = mfa_sim(SimMfa::Email);
    let client = client_for(&sim, &[Flow::Mobile], TokenPreference::Di);
    let p = pending(
        client
            .login(MFA_EMAIL, &Password::new(MFA_PASSWORD))
            .unwrap(),
    );
    sim.inject(Target::MobileLogin, Fault::RateLimitInBody, Times::Once);
    assert!(matches!(p.submit(MFA_CODE), Err(Error::RateLimited { .. })));
    assert_eq!(p.submit(MFA_CODE).unwrap().family().name(), "di");
}

#[test]
fn locked_child_and_malformed_answers_are_typed() {
    for api in [Flow::Mobile, Flow::Portal] {
        let sim = sim_with(vec![
            Account::new("locked@example.com", "pw").locked(true),
            Account::new("child@example.com", "pw").child(true),
            Account::new(EMAIL, PASSWORD),
        ]);
        let client = client_for(&sim, &strategy(api), TokenPreference::Auto);
        let e = client
            .login("locked@example.com", &Password::new("pw"))
            .unwrap_err();
        assert!(matches!(e, Error::AccountLocked), "{api}: {e:?}");
        let e = client
            .login("child@example.com", &Password::new("pw"))
            .unwrap_err();
        assert!(matches!(e, Error::AccountUnusable { .. }), "{api}: {e:?}");
        sim.inject(login_target(api), Fault::Malformed, Times::Once);
        let e = client.login(EMAIL, &Password::new(PASSWORD)).unwrap_err();
        assert!(
            matches!(e, Error::UnexpectedResponse { .. }),
            "{api}: {e:?}"
        );
        sim.inject(login_target(api), Fault::ServerError(503), Times::Once);
        let e = client.login(EMAIL, &Password::new(PASSWORD)).unwrap_err();
        assert!(
            matches!(e, Error::HttpStatus { status: 503, .. }),
            "{api}: {e:?}"
        );
    }
}

#[test]
fn concurrent_sign_ins_keep_their_own_cookie_jars() {
    let sim = sim_with(vec![
        Account::new(MFA_EMAIL, MFA_PASSWORD).with_mfa(MFA_CODE, SimMfa::Email),
        Account::new("second@example.com", "second pw").with_mfa("777777", SimMfa::Sms),
    ]);
    let client = client_for(&sim, &[Flow::Mobile], TokenPreference::Di);
    let a = pending(
        client
            .login(MFA_EMAIL, &Password::new(MFA_PASSWORD))
            .unwrap(),
    );
    let b = pending(
        client
            .login("second@example.com", &Password::new("second pw"))
            .unwrap(),
    );
    // Each code only fits its own server-side session; mixed jars would cross them.
    let tb = std::thread::spawn(move || b.submit("777777").unwrap());
    let ta = a.submit(MFA_CODE).unwrap();
    let tb = tb.join().unwrap();
    assert_ne!(di(&ta).access_token, di(&tb).access_token);
    let sessions: Vec<String> = sim
        .requests()
        .into_iter()
        .filter(|r| r.path == "/mobile/api/mfa/verifyCode")
        .map(|r| {
            r.header("Cookie")
                .unwrap()
                .split("; ")
                .find(|c| c.starts_with("SESSION="))
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(sessions.len(), 2);
    assert_ne!(sessions[0], sessions[1]);
}

#[test]
fn no_secret_reaches_logs_errors_or_debug_output() {
    install_logger();
    let sim = mfa_sim(SimMfa::Email);
    let client = client_for(&sim, &[Flow::Mobile], TokenPreference::Di);
    let p = pending(
        client
            .login(MFA_EMAIL, &Password::new(MFA_PASSWORD))
            .unwrap(),
    );
    let rejected = p.submit("wrongcode7").unwrap_err();
    let tokens = p.submit(MFA_CODE).unwrap();
    let ticket = sim
        .requests()
        .into_iter()
        .find(|r| r.route == "di_token")
        .map(|r| {
            field(&form_of(&r.body), "service_ticket")
                .unwrap()
                .to_owned()
        })
        .unwrap();
    let wrong = client
        .login(MFA_EMAIL, &Password::new("not-the-password"))
        .unwrap_err();
    let mut text = captured_logs().join("\n");
    text.push_str(&format!(
        "{p:?} {rejected} {rejected:?} {wrong} {wrong:?} {tokens:?} {client:?}"
    ));
    for secret in [
        MFA_PASSWORD,
        "not-the-password",
        MFA_CODE,
        "wrongcode7",
        ticket.as_str(),
        di(&tokens).access_token.expose(),
    ] {
        assert!(
            !text.contains(secret),
            "a secret leaked into logs or output"
        );
    }
    assert!(
        text.contains("MFA"),
        "the capture did see this test's log lines"
    );
}
