//! The widget sign-in and the legacy exchange against the simulator over 127.0.0.1.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use garmin_sso_core::{
    Consumer, Error, LoginOutcome, MfaMethod, Password, PendingMfa, ServiceTicket, Ticket, Tokens,
};
use garmin_sso_sim::{Account, Fault, MfaMethod as SimMfa, Simulator, Target, Times};
use std::sync::{Arc, Mutex};

fn complete(outcome: LoginOutcome) -> Tokens {
    match outcome {
        LoginOutcome::Complete(t) => t,
        LoginOutcome::MfaRequired(p) => panic!("unexpected MFA challenge: {p:?}"),
    }
}

fn pending(outcome: LoginOutcome) -> PendingMfa {
    match outcome {
        LoginOutcome::MfaRequired(p) => p,
        LoginOutcome::Complete(_) => panic!("expected an MFA challenge"),
    }
}

fn legacy(tokens: &Tokens) -> (&garmin_sso_core::OAuth1Token, &garmin_sso_core::OAuth2Token) {
    match tokens {
        Tokens::Legacy { oauth1, oauth2 } => (oauth1, oauth2),
        other => panic!("expected legacy tokens, got {other:?}"),
    }
}

fn mfa_sim(method: SimMfa) -> Simulator {
    sim_with(vec![
        Account::new(MFA_EMAIL, MFA_PASSWORD).with_mfa(MFA_CODE, method)
    ])
}

fn posts(sim: &Simulator, path: &str) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == path)
        .count()
}

#[test]
fn sign_in_without_mfa_gives_legacy_tokens_on_the_sim_clock() {
    let sim = sim();
    let client = client(&sim);
    let tokens = complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    let (oauth1, oauth2) = legacy(&tokens);
    assert_eq!(oauth1.domain.as_deref(), Some("garmin.com"));
    assert!(
        oauth1.mfa_token.is_none(),
        "no MFA token for an account without MFA"
    );
    assert!(!oauth2.access_token.expose().is_empty());
    let now = sim.clock().now();
    assert!(
        (oauth2.expires_at - (now + oauth2.expires_in)).abs() <= 2,
        "expires_at = now + expires_in"
    );
    assert!((oauth2.refresh_token_expires_at - (now + oauth2.refresh_token_expires_in)).abs() <= 2);
    assert!(oauth2.expires_in > 0 && oauth2.refresh_token_expires_in > oauth2.expires_in);

    let stats = sim.stats();
    assert_eq!(stats.tickets_issued, 1);
    assert_eq!(stats.preauthorized, 1);
    assert_eq!(stats.legacy_exchanges, 1);
    let reqs = sim.requests();
    let post = reqs
        .iter()
        .find(|r| r.method == "POST" && r.path == "/sso/signin")
        .unwrap();
    assert_eq!(
        post.header("User-Agent"),
        Some(client.config().sso_user_agent.as_str())
    );
    assert!(
        post.header("Referer").unwrap().contains("/sso/signin?"),
        "credential POST has the signin page as Referer"
    );
    let pre = reqs
        .iter()
        .find(|r| r.path == "/oauth-service/oauth/preauthorized")
        .unwrap();
    assert_eq!(
        pre.header("User-Agent"),
        Some("com.garmin.android.apps.connectmobile")
    );
    assert!(pre.query.contains("accepts-mfa-tokens=true"));
}

#[test]
fn sign_in_with_email_mfa_then_code() {
    let sim = mfa_sim(SimMfa::Email);
    let client = client(&sim);
    let p = pending(
        client
            .login(MFA_EMAIL, &Password::new(MFA_PASSWORD))
            .unwrap(),
    );
    assert_eq!(p.method(), &MfaMethod::Email);
    assert_eq!(p.code_sent_to(), Some("mf*****@example.com"));
    assert_eq!(sim.stats().tickets_issued, 0, "no ticket before the code");
    let tokens = p.submit(MFA_CODE).unwrap();
    let (oauth1, _) = legacy(&tokens);
    assert!(
        oauth1.mfa_token.is_some(),
        "preauthorized gives MFA accounts an mfa_token"
    );
    assert!(oauth1.mfa_expiration_timestamp.is_some());
    assert_eq!(
        sim.stats().mfa_code_requests,
        0,
        "the code went out with the credential POST"
    );
    // The exchange carried the mfa_token in its signed body.
    let exchange = sim
        .requests()
        .into_iter()
        .find(|r| r.path == "/oauth-service/oauth/exchange/user/2.0")
        .unwrap();
    assert!(String::from_utf8_lossy(&exchange.body).starts_with("mfa_token="));
    // A completed challenge cannot be submitted again.
    assert!(matches!(
        p.submit(MFA_CODE),
        Err(Error::MfaChallengeEnded { .. })
    ));
}

#[test]
fn email_code_is_requested_when_the_page_says_none_was_sent() {
    let sim = sim_with(vec![Account::new(MFA_EMAIL, MFA_PASSWORD)
        .with_mfa(MFA_CODE, SimMfa::Email)
        .code_sent_automatically(false)]);
    let client = client(&sim);
    let p = pending(
        client
            .login(MFA_EMAIL, &Password::new(MFA_PASSWORD))
            .unwrap(),
    );
    assert_eq!(sim.stats().mfa_code_requests, 1);
    assert_eq!(
        p.code_sent_to(),
        Some("mf*****@example.com"),
        "taken from the code request's answer"
    );
    let req = sim
        .requests()
        .into_iter()
        .find(|r| r.path == "/sso/verifyMFA/mfaCode")
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(body["mfaMethod"], "email");
    assert!(body["customerGuid"].as_str().is_some_and(|g| !g.is_empty()));
    legacy(&p.submit(MFA_CODE).unwrap());
}

#[test]
fn totp_mfa_requests_no_code() {
    let sim = mfa_sim(SimMfa::Totp);
    let client = client(&sim);
    let p = pending(
        client
            .login(MFA_EMAIL, &Password::new(MFA_PASSWORD))
            .unwrap(),
    );
    assert_eq!(p.method(), &MfaMethod::Totp);
    assert_eq!(sim.stats().mfa_code_requests, 0);
    legacy(&p.submit(MFA_CODE).unwrap());
}

#[test]
fn wrong_password_is_invalid_credentials() {
    let sim = sim();
    let client = client(&sim);
    let err = client
        .login(EMAIL, &Password::new("not the password"))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidCredentials), "{err:?}");
    assert_eq!(posts(&sim, "/sso/signin"), 1);
    assert_eq!(sim.stats().tickets_issued, 0);
}

#[test]
fn locked_and_child_accounts_are_typed() {
    let sim = sim_with(vec![
        Account::new("locked@example.com", "pw").locked(true),
        Account::new("child@example.com", "pw").child(true),
    ]);
    let client = client(&sim);
    let err = client
        .login("locked@example.com", &Password::new("pw"))
        .unwrap_err();
    assert!(matches!(err, Error::AccountLocked), "{err:?}");
    let err = client
        .login("child@example.com", &Password::new("pw"))
        .unwrap_err();
    assert!(
        matches!(&err, Error::AccountUnusable { reason } if reason.contains("Unable to sign in")),
        "{err:?}"
    );
}

#[test]
fn wrong_then_right_mfa_code() {
    let sim = mfa_sim(SimMfa::Sms);
    let client = client(&sim);
    let p = pending(
        client
            .login(MFA_EMAIL, &Password::new(MFA_PASSWORD))
            .unwrap(),
    );
    assert_eq!(p.method(), &MfaMethod::Sms);
    assert!(matches!(p.submit("000000"), Err(Error::MfaCodeRejected)));
    assert!(matches!(p.submit("111111"), Err(Error::MfaCodeRejected)));
    // Each retry sent the CSRF of the page that rejected the previous code.
    let csrfs: Vec<String> = sim
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/sso/verifyMFA/loginEnterMfaCode")
        .map(|r| form_field(&r.body, "_csrf"))
        .collect();
    assert_eq!(csrfs.len(), 2);
    assert_ne!(csrfs[0], csrfs[1]);
    legacy(&p.submit(MFA_CODE).unwrap());
    assert_eq!(sim.stats().tickets_issued, 1);
}

#[test]
fn too_many_wrong_codes_end_the_challenge() {
    let sim = mfa_sim(SimMfa::Email);
    let client = client(&sim);
    let p = pending(
        client
            .login(MFA_EMAIL, &Password::new(MFA_PASSWORD))
            .unwrap(),
    );
    let mut ended = None;
    for _ in 0..10 {
        match p.submit("000000") {
            Err(Error::MfaCodeRejected) => continue,
            other => {
                ended = Some(other);
                break;
            }
        }
    }
    assert!(
        matches!(ended, Some(Err(Error::MfaChallengeEnded { .. }))),
        "{ended:?}"
    );
    let before = sim.stats().requests_total;
    assert!(matches!(
        p.submit(MFA_CODE),
        Err(Error::MfaChallengeEnded { .. })
    ));
    assert_eq!(
        sim.stats().requests_total,
        before,
        "an ended challenge sends nothing"
    );
}

#[test]
fn mfa_submitted_minutes_later_from_another_thread() {
    let sim = mfa_sim(SimMfa::Email);
    let client = client(&sim);
    let p = pending(
        client
            .login(MFA_EMAIL, &Password::new(MFA_PASSWORD))
            .unwrap(),
    );
    drop(client);
    let clock = sim.clock();
    let tokens = std::thread::spawn(move || {
        clock.advance(180);
        p.submit(MFA_CODE)
    })
    .join()
    .unwrap()
    .unwrap();
    let (_, oauth2) = legacy(&tokens);
    assert!(
        oauth2.expires_at >= sim.clock().now() + oauth2.expires_in - 2,
        "expiry measured after the wait"
    );
}

fn form_field(body: &[u8], name: &str) -> String {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn replace_form_field(body: &str, name: &str, value: &str) -> String {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| {
            if k == name {
                (k.into_owned(), value.to_owned())
            } else {
                (k.into_owned(), v.into_owned())
            }
        })
        .collect();
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

#[test]
fn made_up_csrf_is_refused_with_a_typed_error() {
    let sim = sim();
    let transport = wrap(|mut req, inner| {
        if req.url.contains("/sso/signin") && req.method == garmin_sso_core::Method::Post {
            let body = replace_form_field(&body_text(&req), "_csrf", "0123456789ABCDEF");
            req.body = garmin_sso_core::Body::Bytes(body.into_bytes());
        }
        inner.send(req)
    });
    let client = client_with(config(&sim), transport);
    let err = client.login(EMAIL, &Password::new(PASSWORD)).unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedResponse { step: "credential POST", detail } if detail.contains("CSRF")),
        "{err:?}"
    );
    assert_eq!(sim.stats().tickets_issued, 0);
}

#[test]
fn stale_csrf_from_an_earlier_sign_in_is_refused() {
    let sim = sim();
    let first_csrf: Arc<Mutex<Option<String>>> = Arc::default();
    let seen = first_csrf.clone();
    let transport = wrap(move |mut req, inner| {
        if req.url.contains("/sso/signin") && req.method == garmin_sso_core::Method::Post {
            let body = body_text(&req);
            let mut first = seen.lock().unwrap();
            match first.as_ref() {
                None => *first = Some(form_field(body.as_bytes(), "_csrf")),
                Some(stale) => {
                    req.body = garmin_sso_core::Body::Bytes(
                        replace_form_field(&body, "_csrf", stale).into_bytes(),
                    );
                }
            }
        }
        inner.send(req)
    });
    let client = client_with(config(&sim), transport);
    complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    let err = client.login(EMAIL, &Password::new(PASSWORD)).unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedResponse { detail, .. } if detail.contains("CSRF")),
        "{err:?}"
    );
    assert_eq!(sim.stats().tickets_issued, 1);
}

#[test]
fn signin_page_without_csrf_input() {
    let sim = sim();
    sim.inject(Target::WidgetPage, Fault::Malformed, Times::Always);
    let err = client(&sim)
        .login(EMAIL, &Password::new(PASSWORD))
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedResponse { step: "signin page", detail } if detail == "no CSRF input"),
        "{err:?}"
    );
    assert_eq!(
        posts(&sim, "/sso/signin"),
        0,
        "no credentials without a CSRF value"
    );
}

#[test]
fn success_page_without_ticket() {
    let sim = sim();
    sim.inject(Target::WidgetLogin, Fault::Malformed, Times::Once);
    let err = client(&sim)
        .login(EMAIL, &Password::new(PASSWORD))
        .unwrap_err();
    assert!(matches!(err, Error::TicketNotFound(_)), "{err:?}");
}

#[test]
fn a_ticket_works_once() {
    let sim = sim();
    let seen: Arc<Mutex<Option<String>>> = Arc::default();
    let keep = seen.clone();
    let transport = wrap(move |req, inner| {
        if req.url.contains("/oauth-service/oauth/preauthorized") {
            let url = garmin_sso_core::parse_url(&req.url).unwrap();
            *keep.lock().unwrap() = url
                .query_pairs()
                .find(|(k, _)| k == "ticket")
                .map(|(_, v)| v.into_owned());
        }
        inner.send(req)
    });
    let client = client_with(config(&sim), transport);
    complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    let ticket = Ticket {
        value: ServiceTicket::new(seen.lock().unwrap().clone().unwrap()),
        service_url: format!("{}/sso/embed", sim.base_url().trim_end_matches('/')),
    };
    let err = client.exchange_ticket(&ticket).unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedResponse { step: "preauthorized", detail } if detail.contains("ticket")),
        "{err:?}"
    );
    assert!(!format!("{err:?} {err}").contains(ticket.value.expose()));
}

#[test]
fn legacy_refresh_gives_a_new_access_token() {
    let sim = sim();
    let client = client(&sim);
    let tokens = complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    sim.clock().advance(3600);
    let refreshed = client.refresh(&tokens).unwrap();
    let (old1, old2) = legacy(&tokens);
    let (new1, new2) = legacy(&refreshed);
    assert_eq!(old1, new1, "the OAuth1 token is kept");
    assert_ne!(old2.access_token, new2.access_token);
    assert!(new2.expires_at >= old2.expires_at + 3600 - 2);
    let stats = sim.stats();
    assert_eq!(stats.legacy_exchanges, 2);
    assert_eq!(stats.legacy_refreshes, 1);
    assert_eq!(stats.tickets_issued, 1, "refresh needs no sign-in");
}

#[test]
fn refresh_with_a_revoked_oauth1_token_needs_sign_in() {
    let sim = sim();
    let client = client(&sim);
    let tokens = complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    sim.expire_refresh_tokens();
    let err = client.refresh(&tokens).unwrap_err();
    assert!(matches!(err, Error::SignInNeeded { .. }), "{err:?}");
}

#[test]
fn tokens_serialize_to_garth_field_names() {
    let sim = mfa_sim(SimMfa::Email);
    let client = client(&sim);
    let tokens = pending(
        client
            .login(MFA_EMAIL, &Password::new(MFA_PASSWORD))
            .unwrap(),
    )
    .submit(MFA_CODE)
    .unwrap();
    let (oauth1, oauth2) = legacy(&tokens);
    let keys = |v: serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(serde_json::to_value(oauth1).unwrap()),
        [
            "domain",
            "mfa_expiration_timestamp",
            "mfa_token",
            "oauth_token",
            "oauth_token_secret"
        ]
    );
    assert_eq!(
        keys(serde_json::to_value(oauth2).unwrap()),
        [
            "access_token",
            "expires_at",
            "expires_in",
            "jti",
            "refresh_token",
            "refresh_token_expires_at",
            "refresh_token_expires_in",
            "scope",
            "token_type"
        ]
    );
    let j = serde_json::to_value(oauth2).unwrap();
    assert_eq!(j["token_type"], "Bearer");
    assert_eq!(j["access_token"], oauth2.access_token.expose());
    assert_eq!(
        serde_json::to_value(oauth1).unwrap()["domain"],
        "garmin.com"
    );
}

#[test]
fn consumer_is_fetched_once_and_failures_are_not_cached() {
    let sim = sim();
    let client = client(&sim);
    let consumer_gets = |sim: &Simulator| {
        sim.requests()
            .iter()
            .filter(|r| r.path == "/oauth_consumer.json")
            .count()
    };
    sim.inject(Target::Consumer, Fault::ServerError(503), Times::Once);
    let err = client.login(EMAIL, &Password::new(PASSWORD)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::HttpStatus {
                step: "consumer JSON",
                status: 503
            }
        ),
        "{err:?}"
    );
    complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    assert_eq!(
        consumer_gets(&sim),
        2,
        "one failed fetch, then one cached success"
    );
}

#[test]
fn configured_consumer_is_used_without_fetching() {
    let sim = sim();
    let mut cfg = config(&sim);
    cfg.consumer = Some(Consumer {
        consumer_key: "sim-consumer-key".into(),
        consumer_secret: "sim-consumer-secret".into(),
    });
    let client = client_with(cfg, Arc::new(garmin_sso_core::UreqTransport::new()));
    complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    assert_eq!(
        sim.requests()
            .iter()
            .filter(|r| r.path == "/oauth_consumer.json")
            .count(),
        0
    );

    let mut cfg = config(&sim);
    cfg.consumer = Some(Consumer {
        consumer_key: "someone-else".into(),
        consumer_secret: "nope".into(),
    });
    let client = client_with(cfg, Arc::new(garmin_sso_core::UreqTransport::new()));
    let err = client.login(EMAIL, &Password::new(PASSWORD)).unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedResponse { step: "preauthorized", detail } if detail.contains("consumer_key_unknown")),
        "{err:?}"
    );
}

#[test]
fn no_secret_in_debug_errors_or_logs() {
    install_logger();
    let sim = sim_with(vec![
        Account::new(EMAIL, PASSWORD),
        Account::new(MFA_EMAIL, MFA_PASSWORD).with_mfa(MFA_CODE, SimMfa::Email),
    ]);
    let client = client(&sim);
    let mut shown = Vec::new();
    let wrong = client
        .login(EMAIL, &Password::new("wrong-password-XYZ"))
        .unwrap_err();
    shown.push(format!("{wrong:?} {wrong}"));
    let outcome = client
        .login(MFA_EMAIL, &Password::new(MFA_PASSWORD))
        .unwrap();
    shown.push(format!("{outcome:?}"));
    let p = pending(outcome);
    let rejected = p.submit("999999").unwrap_err();
    shown.push(format!("{rejected:?} {rejected} {p:?}"));
    let tokens = p.submit(MFA_CODE).unwrap();
    shown.push(format!("{tokens:?} {client:?}"));
    let refreshed = client.refresh(&tokens).unwrap();
    shown.push(format!("{refreshed:?}"));

    let (o1, o2) = legacy(&tokens);
    let (_, r2) = legacy(&refreshed);
    let mut secrets: Vec<String> = vec![
        PASSWORD.into(),
        MFA_PASSWORD.into(),
        "wrong-password-XYZ".into(),
        MFA_CODE.into(),
        o1.oauth_token.expose().into(),
        o1.oauth_token_secret.expose().into(),
        o1.mfa_token.as_ref().unwrap().expose().into(),
        o2.access_token.expose().into(),
        o2.refresh_token.expose().into(),
        r2.access_token.expose().into(),
        "sim-consumer-secret".into(),
    ];
    for r in sim.requests() {
        for (k, v) in &r.headers {
            if k.eq_ignore_ascii_case("cookie") {
                secrets.extend(
                    v.split(';')
                        .filter_map(|c| c.split_once('='))
                        .map(|(_, v)| v.trim().to_owned()),
                );
            }
        }
        if r.path == "/oauth-service/oauth/preauthorized" {
            secrets.push(form_field(r.query.as_bytes(), "ticket"));
        }
        if r.method == "POST" {
            secrets.push(form_field(&r.body, "_csrf"));
        }
    }
    secrets.retain(|s| s.len() >= 6);
    assert!(
        secrets.iter().any(|s| s.starts_with("ST-")),
        "the ticket is among the checked secrets"
    );
    // ureq itself logs full URLs at DEBUG and raw request bytes at TRACE (tickets, cookies,
    // Authorization): a host must keep its logger at INFO for `ureq*` targets. Everything this
    // workspace logs, at any level, and everything at INFO and above from anyone must be clean.
    let logs: Vec<String> = captured_logs()
        .into_iter()
        .filter(|l| {
            l.contains(" garmin_sso")
                || l.starts_with("INFO")
                || l.starts_with("WARN")
                || l.starts_with("ERROR")
        })
        .collect();
    assert!(
        logs.iter().any(|l| l.contains("garmin_sso_core::")),
        "the core logs its steps"
    );
    for s in &secrets {
        for text in &shown {
            assert!(
                !text.contains(s.as_str()),
                "a secret appears in Debug/Display output: {text}"
            );
        }
        for line in &logs {
            assert!(
                !line.contains(s.as_str()),
                "a secret appears in a log line: {line}"
            );
        }
    }
}
