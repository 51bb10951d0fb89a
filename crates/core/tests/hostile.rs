//! A hostile or broken server, over loopback: answers rewritten on their way from the simulator, so
//! every step still runs against a server that checks what it should. Each test pins one class of
//! defect at the mechanism that prevents it (the HTTP layer's reach and caps, the cookie jar's
//! bounds, checked lifetimes), not at one input.
#![allow(clippy::unwrap_used)]

mod common;
mod jsonkit;

use common::{wrap, EMAIL, PASSWORD};
use garmin_sso_core::{
    Client, Config, Error, ErrorKind, Flow, Password, Request, Response, TokenPreference,
    Transport, UreqTransport,
};
use jsonkit::{complete, config_for, di};
use std::sync::{Arc, Mutex};

/// A loopback origin nothing listens on: any request that reaches it fails to connect, and the
/// recording transport below sees it first.
fn dead_origin() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}/")
}

/// Every URL the client asked its transport for, and a hook that may replace the real answer.
fn recording(
    rewrite: impl Fn(&Request, Response) -> Response + Send + Sync + 'static,
) -> (Arc<dyn Transport>, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let t = wrap(move |req, inner: &UreqTransport| {
        log.lock().unwrap().push(req.url.clone());
        let url = req.url.clone();
        let method = req.method;
        let headers = req.headers.clone();
        let probe = Request {
            method,
            url,
            headers,
            body: garmin_sso_core::Body::Empty,
            timeout: req.timeout,
            max_response_bytes: req.max_response_bytes,
        };
        let answer = inner.send(req)?;
        Ok(rewrite(&probe, answer))
    });
    (t, seen)
}

fn client(config: Config, transport: Arc<dyn Transport>) -> Client {
    Client::with_transport(config, transport).unwrap()
}

fn redirect(status: u16, location: &str) -> Response {
    Response {
        status,
        headers: vec![("Location".into(), location.into())],
        body: Vec::new(),
    }
}

#[test]
fn a_body_replaying_redirect_never_carries_the_password_to_another_host() {
    let sim = common::sim();
    let other = dead_origin();
    let mut config = config_for(&sim, &[Flow::Mobile], TokenPreference::Di);
    // Another configured Garmin host: allowed for its own requests, not for this body.
    config.endpoints.diauth = garmin_sso_core::parse_url(&other).unwrap();
    let target = other.clone();
    let (t, seen) = recording(move |req, answer| {
        if req.url.contains("/mobile/api/login") {
            redirect(307, &format!("{target}steal"))
        } else {
            answer
        }
    });
    let e = client(config, t)
        .login(EMAIL, &Password::new(PASSWORD))
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("resend the request body to another host"),
        "{e}"
    );
    assert_eq!(e.kind(), ErrorKind::UnexpectedResponse);
    assert!(
        !seen.lock().unwrap().iter().any(|u| u.starts_with(&other)),
        "{:?}",
        seen.lock().unwrap()
    );
}

#[test]
fn the_consumer_host_gets_a_plain_get_and_nothing_else() {
    let sim = common::sim();
    let other = dead_origin();
    let mut config = config_for(&sim, &[Flow::Mobile], TokenPreference::Di);
    config.endpoints.consumer_url =
        garmin_sso_core::parse_url(&format!("{other}oauth_consumer.json")).unwrap();
    assert!(!config.endpoints.allows(&config.endpoints.consumer_url));
    let target = other.clone();
    let (t, seen) = recording(move |req, answer| {
        if req.url.contains("/mobile/api/login") {
            redirect(302, &format!("{target}collect"))
        } else {
            answer
        }
    });
    let e = client(config, t)
        .login(EMAIL, &Password::new(PASSWORD))
        .unwrap_err();
    assert!(matches!(e, Error::ForeignRedirect { .. }), "{e:?}");
    assert!(!seen.lock().unwrap().iter().any(|u| u.starts_with(&other)));
}

/// Rewrites the JSON answer of the request whose URL contains `path`, setting `field` to `value`.
fn with_field(
    path: &'static str,
    field: &'static str,
    value: serde_json::Value,
) -> Arc<dyn Transport> {
    recording(move |req, mut answer| {
        if req.url.contains(path) && answer.status == 200 {
            let mut v: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
            v[field] = value.clone();
            answer.body = v.to_string().into_bytes();
        }
        answer
    })
    .0
}

const TWENTY_YEARS: i64 = 20 * 365 * 86_400;

#[test]
fn absurd_lifetimes_are_clamped_and_negative_ones_refused() {
    let sim = common::sim();
    let config = config_for(&sim, &[Flow::Mobile], TokenPreference::Di);
    let now = sim.clock().now();
    let t = with_field(
        "di-oauth2-service/oauth/token",
        "refresh_token_expires_in",
        serde_json::json!(i64::MAX),
    );
    let tokens = complete(
        client(config.clone(), t)
            .login(EMAIL, &Password::new(PASSWORD))
            .unwrap(),
    );
    let at = di(&tokens).refresh_token_expires_at.unwrap();
    assert!(at > now && at <= now + TWENTY_YEARS + 60, "{at}");

    let t = with_field(
        "di-oauth2-service/oauth/token",
        "expires_in",
        serde_json::json!(-5),
    );
    let e = client(config, t)
        .login(EMAIL, &Password::new(PASSWORD))
        .unwrap_err();
    assert!(e.to_string().contains("expires_in is negative"), "{e}");

    // The legacy family's exchange answer, both lifetimes at the top of i64.
    let mut legacy = config_for(&sim, &[Flow::Widget], TokenPreference::Legacy);
    legacy.set_flows(&[Flow::Widget]);
    let t = recording(|req, mut answer| {
        if req.url.contains("oauth/exchange/user/2.0") && answer.status == 200 {
            let mut v: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
            v["expires_in"] = serde_json::json!(i64::MAX);
            v["refresh_token_expires_in"] = serde_json::json!(i64::MAX);
            answer.body = v.to_string().into_bytes();
        }
        answer
    })
    .0;
    let tokens = complete(
        client(legacy, t)
            .login(EMAIL, &Password::new(PASSWORD))
            .unwrap(),
    );
    assert!(tokens.expires_at() > now && tokens.expires_at() <= now + TWENTY_YEARS + 60);
}

#[test]
fn header_floods_and_long_locations_are_refused() {
    let sim = common::sim();
    let config = config_for(&sim, &[Flow::Mobile], TokenPreference::Di);
    let (t, _) = recording(|req, mut answer| {
        if req.url.contains("/mobile/sso/en/sign-in") {
            for i in 0..10_000 {
                answer
                    .headers
                    .push(("Set-Cookie".into(), format!("c{i}=v; Path=/")));
            }
        }
        answer
    });
    let e = client(config.clone(), t)
        .login(EMAIL, &Password::new(PASSWORD))
        .unwrap_err();
    assert!(e.to_string().contains("header lines"), "{e}");

    let (t, _) = recording(|req, mut answer| {
        if req.url.contains("/mobile/sso/en/sign-in") {
            answer.headers.push(("X-Big".into(), "x".repeat(100_000)));
        }
        answer
    });
    let e = client(config.clone(), t)
        .login(EMAIL, &Password::new(PASSWORD))
        .unwrap_err();
    assert!(e.to_string().contains("headers over"), "{e}");

    let (t, _) = recording(|req, answer| {
        if req.url.contains("/mobile/sso/en/sign-in") {
            redirect(
                302,
                &format!("/mobile/sso/en/sign-in?x={}", "a".repeat(20_000)),
            )
        } else {
            answer
        }
    });
    let e = client(config, t)
        .login(EMAIL, &Password::new(PASSWORD))
        .unwrap_err();
    assert!(e.to_string().contains("Location over"), "{e}");
}

#[test]
fn a_cookie_flood_is_bounded_and_oversized_cookies_are_dropped() {
    let sim = common::sim();
    let config = config_for(&sim, &[Flow::Mobile], TokenPreference::Di);
    let cookies_sent = Arc::new(Mutex::new(Vec::new()));
    let sent = cookies_sent.clone();
    let (t, _) = recording(move |req, mut answer| {
        if let Some(c) = req.header("Cookie") {
            sent.lock().unwrap().push(c.to_owned());
        }
        if req.url.contains("/mobile/sso/en/sign-in") {
            for i in 0..200 {
                answer
                    .headers
                    .push(("Set-Cookie".into(), format!("flood{i}=v; Path=/")));
            }
            answer.headers.push((
                "Set-Cookie".into(),
                format!("huge={}; Path=/", "h".repeat(10_000)),
            ));
        }
        answer
    });
    // The sign-in still works: Garmin's own cookies were stored before the flood.
    complete(
        client(config, t)
            .login(EMAIL, &Password::new(PASSWORD))
            .unwrap(),
    );
    let sent = cookies_sent.lock().unwrap();
    let login = sent.last().expect("the login POST carried cookies");
    let count = login.split("; ").count();
    assert!(count <= 64, "{count} cookies sent");
    assert!(!login.contains("huge="), "an oversized cookie was kept");
}
