//! The strategy chain against the simulator: which failures fall through to the next strategy,
//! which stop it at once (the simulator sees nothing from later strategies), and the final error.
#![allow(clippy::unwrap_used)]

mod common;
mod jsonkit;

use common::*;
use garmin_sso_core::{
    Error, Flow, MobileApp, Password, Request, Response, Strategy, TokenPreference, TransportError,
    TransportErrorKind,
};
use garmin_sso_sim::{Account, Fault, MfaMethod as SimMfa, Target, Times};
use jsonkit::*;
use std::time::Duration;

const ALL: [Flow; 3] = [Flow::Mobile, Flow::Widget, Flow::Portal];

fn widget_requests(sim: &garmin_sso_sim::Simulator) -> usize {
    count_prefix(sim, "/sso/")
}

#[test]
fn mobile_429_falls_through_to_the_widget() {
    let sim = sim();
    sim.inject(
        Target::MobileLogin,
        Fault::RateLimit {
            retry_after: Some(60),
        },
        Times::Once,
    );
    let client = client_for(&sim, &[Flow::Mobile, Flow::Widget], TokenPreference::Legacy);
    let tokens = complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    assert_eq!(tokens.family().name(), "legacy");
    let stats = sim.stats();
    assert_eq!(stats.requests("mobile_login"), 1);
    assert_eq!(stats.requests("sso_signin_post"), 1);
    assert_eq!(stats.tickets_issued, 1, "only the widget issued a ticket");
    assert_eq!(
        count_prefix(&sim, "/portal/"),
        0,
        "the rate-limited mobile flow made no embed GET"
    );
}

#[test]
fn mobile_429_in_json_falls_through_to_the_portal() {
    let sim = sim();
    sim.inject(Target::MobileLogin, Fault::RateLimitInBody, Times::Once);
    let client = client_for(&sim, &[Flow::Mobile, Flow::Portal], TokenPreference::Di);
    let tokens = complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    let token_req = sim
        .requests()
        .into_iter()
        .find(|r| r.route == "di_token")
        .unwrap();
    assert_eq!(
        field(&form_of(&token_req.body), "service_url"),
        Some(PORTAL_SERVICE)
    );
    assert_eq!(tokens.family().name(), "di");
}

#[test]
fn captcha_403_odd_pages_and_transport_errors_fall_through() {
    let faults = [
        Fault::Captcha,
        Fault::CloudflareChallenge,
        Fault::Malformed,
        Fault::ServerError(502),
        Fault::RateLimit { retry_after: None },
    ];
    for fault in faults {
        let sim = sim();
        sim.inject(Target::MobileLogin, fault.clone(), Times::Once);
        let client = client_for(&sim, &[Flow::Mobile, Flow::Portal], TokenPreference::Legacy);
        complete(
            client
                .login(EMAIL, &Password::new(PASSWORD))
                .unwrap_or_else(|e| panic!("{fault:?}: {e:?}")),
        );
        assert_eq!(sim.stats().requests("portal_login"), 1, "{fault:?}");
    }

    // A transport that cannot reach the mobile endpoints at all.
    let sim = sim();
    let transport = wrap(|req: Request, inner| -> Result<Response, TransportError> {
        if req.url.contains("/mobile/") {
            return Err(TransportError::new(
                TransportErrorKind::Connect,
                "connection refused",
            ));
        }
        garmin_sso_core::Transport::send(inner, req)
    });
    let client = client_with(
        jsonkit::config_for(&sim, &[Flow::Mobile, Flow::Widget], TokenPreference::Legacy),
        transport,
    );
    complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    assert_eq!(sim.stats().requests("mobile_signin_page"), 0);
    assert_eq!(sim.stats().requests("sso_signin_post"), 1);
}

#[test]
fn wrong_password_on_mobile_stops_the_chain_at_once() {
    let sim = sim();
    let client = client_for(&sim, &ALL, TokenPreference::Auto);
    let e = client.login(EMAIL, &Password::new("wrong")).unwrap_err();
    assert!(matches!(e, Error::InvalidCredentials), "{e:?}");
    assert_eq!(widget_requests(&sim), 0, "the widget never heard of it");
    assert_eq!(count_prefix(&sim, "/portal/"), 0, "nor did the portal");
    assert_eq!(sim.stats().requests("mobile_login"), 1);
}

#[test]
fn wrong_password_on_the_widget_stops_the_chain_at_once() {
    let sim = sim();
    let client = client_for(
        &sim,
        &[Flow::Widget, Flow::Mobile, Flow::Portal],
        TokenPreference::Auto,
    );
    let e = client.login(EMAIL, &Password::new("wrong")).unwrap_err();
    assert!(matches!(e, Error::InvalidCredentials), "{e:?}");
    assert_eq!(count_prefix(&sim, "/mobile/"), 0);
    assert_eq!(count_prefix(&sim, "/portal/"), 0);
    assert_eq!(sim.stats().requests("sso_signin_post"), 1);
}

#[test]
fn wrong_password_after_a_fall_through_still_stops() {
    let sim = sim();
    sim.inject(
        Target::MobileLogin,
        Fault::RateLimit { retry_after: None },
        Times::Once,
    );
    let client = client_for(&sim, &ALL, TokenPreference::Auto);
    let e = client.login(EMAIL, &Password::new("wrong")).unwrap_err();
    assert!(
        matches!(e, Error::InvalidCredentials),
        "the account answer wins over the earlier 429: {e:?}"
    );
    assert_eq!(count_prefix(&sim, "/portal/"), 0);
}

#[test]
fn mfa_and_locked_accounts_stop_the_chain() {
    let sim = sim_with(vec![
        Account::new(MFA_EMAIL, MFA_PASSWORD).with_mfa(MFA_CODE, SimMfa::Email),
        Account::new("locked@example.com", "pw").locked(true),
    ]);
    let client = client_for(&sim, &ALL, TokenPreference::Di);
    let p = pending(
        client
            .login(MFA_EMAIL, &Password::new(MFA_PASSWORD))
            .unwrap(),
    );
    assert_eq!(p.flow(), Flow::Mobile);
    assert_eq!(widget_requests(&sim), 0);
    assert_eq!(p.submit(MFA_CODE).unwrap().family().name(), "di");

    let e = client
        .login("locked@example.com", &Password::new("pw"))
        .unwrap_err();
    assert!(matches!(e, Error::AccountLocked), "{e:?}");
    assert_eq!(widget_requests(&sim), 0);
    assert_eq!(count_prefix(&sim, "/portal/api/"), 0);
}

#[test]
fn when_all_fail_the_error_lists_each_strategy_in_order() {
    let sim = sim();
    sim.inject(
        Target::MobileLogin,
        Fault::RateLimit {
            retry_after: Some(30),
        },
        Times::Once,
    );
    sim.inject(Target::WidgetLogin, Fault::CloudflareChallenge, Times::Once);
    sim.inject(Target::PortalLogin, Fault::Captcha, Times::Once);
    let client = client_for(&sim, &ALL, TokenPreference::Auto);
    let e = client.login(EMAIL, &Password::new(PASSWORD)).unwrap_err();
    let Error::AllStrategiesFailed(list) = &e else {
        panic!("{e:?}")
    };
    let names: Vec<Flow> = list.iter().map(|f| f.flow).collect();
    assert_eq!(names, ALL);
    assert!(
        matches!(list[0].error, Error::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(30))
    );
    assert!(matches!(list[1].error, Error::Blocked { .. }));
    assert!(matches!(&list[2].error, Error::Blocked { reason } if reason == "CAPTCHA required"));
    let text = e.to_string();
    for part in [
        "mobile: rate limited",
        "widget: blocked",
        "portal: blocked by a bot challenge: CAPTCHA required",
    ] {
        assert!(text.contains(part), "{text}");
    }
    assert!(!text.contains(PASSWORD));
    assert_eq!(sim.stats().tickets_issued, 0);
}

#[test]
fn a_single_strategy_returns_its_own_error() {
    let sim = sim();
    sim.inject(Target::PortalLogin, Fault::RateLimitInBody, Times::Once);
    let client = client_for(&sim, &[Flow::Portal], TokenPreference::Auto);
    let e = client.login(EMAIL, &Password::new(PASSWORD)).unwrap_err();
    assert!(matches!(e, Error::RateLimited { .. }), "{e:?}");
}

#[test]
fn login_uses_the_configured_order_and_login_chain_overrides_it() {
    let sim = sim();
    let client = client_for(&sim, &[Flow::Portal, Flow::Mobile], TokenPreference::Legacy);
    complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    assert_eq!(sim.stats().requests("portal_login"), 1);
    assert_eq!(sim.stats().requests("mobile_login"), 0);

    complete(
        client
            .login_chain(&[Flow::Widget], EMAIL, &Password::new(PASSWORD))
            .unwrap(),
    );
    assert_eq!(sim.stats().requests("sso_signin_post"), 1);
    assert_eq!(sim.stats().requests("mobile_login"), 0);

    let e = client
        .login_chain(&[], EMAIL, &Password::new(PASSWORD))
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)));
}

#[test]
fn default_chain_is_mobile_ios_mobile_android_widget_portal() {
    let c = garmin_sso_core::Config::new(garmin_sso_core::Domain::Com);
    assert_eq!(
        c.strategies,
        [
            Strategy::mobile(MobileApp::Ios),
            Strategy::mobile(MobileApp::Android),
            Strategy::WIDGET,
            Strategy::PORTAL
        ]
    );
    let sim = sim();
    for id in ["GCM_IOS_DARK", "GCM_ANDROID_DARK", "gauth-widget"] {
        assert!(sim.rate_limit(id, EMAIL));
    }
    let client = client_for(&sim, &c.strategies, TokenPreference::Legacy);
    complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    let order: Vec<String> = sim
        .requests()
        .into_iter()
        .filter(|r| ["mobile_login", "sso_signin_post", "portal_login"].contains(&r.route.as_str()))
        .map(|r| match r.route.as_str() {
            "mobile_login" => format!("mobile_login {}", r.query.split('&').next().unwrap_or("")),
            other => other.to_string(),
        })
        .collect();
    assert_eq!(
        order,
        [
            "mobile_login clientId=GCM_IOS_DARK",
            "mobile_login clientId=GCM_ANDROID_DARK",
            "sso_signin_post",
            "portal_login"
        ]
    );
}

#[test]
fn fall_through_classification() {
    let through = [
        Error::RateLimited { retry_after: None },
        Error::Blocked { reason: "x".into() },
        Error::UnexpectedResponse {
            step: "s",
            detail: "d".into(),
        },
        Error::HttpStatus {
            step: "s",
            status: 500,
        },
        Error::Timeout("t".into()),
        Error::Network(TransportError::new(TransportErrorKind::Connect, "c")),
        Error::TicketNotFound("page"),
    ];
    for e in &through {
        assert!(e.falls_through(), "{e:?}");
    }
    let stop = [
        Error::InvalidCredentials,
        Error::AccountLocked,
        Error::AccountUnusable {
            reason: "child".into(),
        },
        Error::MfaRequired,
        Error::MfaCodeRejected,
        Error::InvalidInput("x".into()),
        Error::InvalidConfig("x".into()),
    ];
    for e in &stop {
        assert!(!e.falls_through(), "{e:?}");
    }
}

#[test]
fn an_exchange_failure_after_a_ticket_does_not_sign_in_again() {
    // Once a strategy has a ticket, the password must not be POSTed again by the next strategy.
    let sim = sim();
    sim.inject(
        Target::Preauthorized,
        Fault::RateLimit {
            retry_after: Some(5),
        },
        Times::Once,
    );
    let client = client_for(&sim, &[Flow::Mobile, Flow::Widget], TokenPreference::Legacy);
    let err = client.login(EMAIL, &Password::new(PASSWORD)).unwrap_err();
    assert!(matches!(err, Error::RateLimited { .. }), "{err:?}");
    let stats = sim.stats();
    assert_eq!(stats.requests("mobile_login"), 1);
    assert_eq!(widget_requests(&sim), 0, "the widget flow was not tried");
}
