//! The HTTP layer's policy seen through the widget sign-in and the legacy exchange: rate limits and bot
//! challenges without retry storms, no credentials to foreign hosts, redirect and size caps, and
//! OAuth1 signatures the simulator verifies independently.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use garmin_sso_core::{Error, Method, Password, Response};
use garmin_sso_sim::{Fault, Simulator, Target, Times};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn credential_posts(sim: &Simulator) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/sso/signin")
        .count()
}

#[test]
fn http_429_is_rate_limited_with_retry_after_and_one_post() {
    let sim = sim();
    sim.inject(
        Target::WidgetLogin,
        Fault::RateLimit {
            retry_after: Some(42),
        },
        Times::Always,
    );
    let err = client(&sim)
        .login(EMAIL, &Password::new(PASSWORD))
        .unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(42)),
        "{err:?}"
    );
    assert_eq!(credential_posts(&sim), 1, "no retry storm");
}

#[test]
fn cloudflare_403_is_blocked_with_one_post() {
    let sim = sim();
    sim.inject(
        Target::WidgetLogin,
        Fault::CloudflareChallenge,
        Times::Always,
    );
    let err = client(&sim)
        .login(EMAIL, &Password::new(PASSWORD))
        .unwrap_err();
    assert!(
        matches!(&err, Error::Blocked { reason } if reason.contains("Just a moment")),
        "{err:?}"
    );
    assert_eq!(credential_posts(&sim), 1, "no retry storm");
}

#[test]
fn rate_limit_on_the_exchange_is_typed_too() {
    let sim = sim();
    sim.inject(
        Target::Preauthorized,
        Fault::RateLimit { retry_after: None },
        Times::Once,
    );
    let err = client(&sim)
        .login(EMAIL, &Password::new(PASSWORD))
        .unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { retry_after: None }),
        "{err:?}"
    );
}

#[test]
fn redirect_to_a_foreign_host_gets_no_cookies_or_credentials() {
    let sim = sim();
    let foreign = common::sim();
    let target = format!("{}/sso/signin", foreign.base_url().trim_end_matches('/'));
    let transport = wrap(move |req, inner| {
        let is_credential_post = req.method == Method::Post && req.url.contains("/sso/signin");
        let resp = inner.send(req)?;
        if is_credential_post {
            // The real answer is dropped; the client sees a redirect off the Garmin endpoints.
            return Ok(Response {
                status: 302,
                headers: vec![("Location".into(), target.clone())],
                body: Vec::new(),
            });
        }
        Ok(resp)
    });
    let err = client_with(config(&sim), transport)
        .login(EMAIL, &Password::new(PASSWORD))
        .unwrap_err();
    assert!(
        matches!(&err, Error::ForeignRedirect { host } if host == "127.0.0.1"),
        "{err:?}"
    );
    assert!(
        foreign.requests().is_empty(),
        "the foreign host received {} requests",
        foreign.requests().len()
    );
    assert_eq!(foreign.stats().requests_total, 0);
}

#[test]
fn redirect_loop_stops_after_ten_hops() {
    let sim = sim();
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    let transport = wrap(move |req, _inner| {
        counter.fetch_add(1, Ordering::SeqCst);
        Ok(Response {
            status: 302,
            headers: vec![("Location".into(), req.url.clone())],
            body: Vec::new(),
        })
    });
    let err = client_with(config(&sim), transport)
        .login(EMAIL, &Password::new(PASSWORD))
        .unwrap_err();
    assert!(
        matches!(err, Error::TooManyRedirects { limit: 10 }),
        "{err:?}"
    );
    assert_eq!(
        sent.load(Ordering::SeqCst),
        11,
        "the first request and ten redirects"
    );
}

#[test]
fn response_over_the_cap_is_refused() {
    let sim = sim();
    let mut cfg = config(&sim);
    cfg.max_response_bytes = 256;
    let err = client_with(cfg, Arc::new(garmin_sso_core::UreqTransport::new()))
        .login(EMAIL, &Password::new(PASSWORD))
        .unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 256 }),
        "{err:?}"
    );
    assert_eq!(credential_posts(&sim), 0);
}

/// Changes one character of the `oauth_signature` in the Authorization header of requests to `path`.
fn tamper_signature(req: &mut garmin_sso_core::Request) {
    for (k, v) in req.headers.iter_mut() {
        if k.eq_ignore_ascii_case("Authorization") {
            let at = v.find("oauth_signature=\"").unwrap() + "oauth_signature=\"".len();
            let c = v.as_bytes()[at];
            let replacement = if c == b'A' { "B" } else { "A" };
            v.replace_range(at..at + 1, replacement);
        }
    }
}

#[test]
fn tampered_preauthorized_signature_is_refused() {
    let sim = sim();
    let transport = wrap(|mut req, inner| {
        if req.url.contains("/oauth-service/oauth/preauthorized") {
            tamper_signature(&mut req);
        }
        inner.send(req)
    });
    let err = client_with(config(&sim), transport)
        .login(EMAIL, &Password::new(PASSWORD))
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedResponse { step: "preauthorized", detail } if detail.contains("signature_invalid")),
        "{err:?}"
    );
    assert_eq!(sim.stats().preauthorized, 0);
}

#[test]
fn tampered_exchange_signature_is_refused() {
    let sim = sim();
    let transport = wrap(|mut req, inner| {
        if req.url.contains("/oauth-service/oauth/exchange/user/2.0") {
            tamper_signature(&mut req);
        }
        inner.send(req)
    });
    let err = client_with(config(&sim), transport)
        .login(EMAIL, &Password::new(PASSWORD))
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedResponse { step: "OAuth2 exchange", detail } if detail.contains("signature_invalid")),
        "{err:?}"
    );
    assert_eq!(sim.stats().legacy_exchanges, 0);
}

#[test]
fn signature_covers_the_form_body() {
    // Changing the signed body (not the header) must also be refused: the body is in the base string.
    let sim = sim_with(vec![garmin_sso_sim::Account::new(MFA_EMAIL, MFA_PASSWORD)
        .with_mfa(MFA_CODE, garmin_sso_sim::MfaMethod::Email)]);
    let transport = wrap(|mut req, inner| {
        if req.url.contains("/oauth-service/oauth/exchange/user/2.0") {
            let body = body_text(&req).replacen("mfa_token=", "mfa_token=X", 1);
            req.body = garmin_sso_core::Body::Bytes(body.into_bytes());
        }
        inner.send(req)
    });
    let client = client_with(config(&sim), transport);
    let p = match client
        .login(MFA_EMAIL, &Password::new(MFA_PASSWORD))
        .unwrap()
    {
        garmin_sso_core::LoginOutcome::MfaRequired(p) => p,
        _ => panic!("expected MFA"),
    };
    let err = p.submit(MFA_CODE).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::UnexpectedResponse {
                step: "OAuth2 exchange",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(sim.stats().legacy_exchanges, 0);
}

#[test]
fn client_clock_far_from_the_server_is_refused() {
    let sim = sim();
    let mut cfg = config(&sim);
    let clock = sim.clock();
    cfg.clock = Arc::new(move || clock.now() - 3600);
    let err = client_with(cfg, Arc::new(garmin_sso_core::UreqTransport::new()))
        .login(EMAIL, &Password::new(PASSWORD))
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedResponse { step: "preauthorized", detail } if detail.contains("timestamp_refused")),
        "{err:?}"
    );
}

#[test]
fn a_slow_answer_times_out_with_a_typed_error() {
    // The simulator holds the sign-in page for 3 s; the client allows 300 ms per exchange. The
    // margin is tenfold so a loaded machine cannot turn this into a flake.
    let sim = sim();
    sim.inject(
        Target::WidgetPage,
        Fault::Delay(Duration::from_secs(3)),
        Times::Once,
    );
    let mut config = config(&sim);
    config.timeout = Duration::from_millis(300);
    let client = client_with(config, Arc::new(garmin_sso_core::UreqTransport::new()));
    let err = client.login(EMAIL, &Password::new(PASSWORD)).unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert!(
        err.falls_through(),
        "a timeout lets the chain try the next strategy"
    );
    assert_eq!(credential_posts(&sim), 0);
}
