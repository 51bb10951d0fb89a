//! The exported layer as a foreign language sees it, driven from Rust against the simulator: a
//! transport and a refresh listener implemented outside the core (like Kotlin/Swift/Python would),
//! MFA as a returned challenge, upload, typed errors.
#![allow(clippy::unwrap_used)]

use garmin_sso_core as core;
use garmin_sso_sim::{Account, MfaMethod, Simulator};
use garmin_sso_uniffi::{
    Endpoints, ErrorKind, Flow, GarminClient, GarminConfig, GarminError, HttpHeader, HttpRequest,
    HttpResponse, HttpTransport, LoginResult, MobileApp, RefreshListener, TokenFamily,
    TokenPreference, TransportFailure,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A host transport: forwards to ureq through the core's transport, counting calls.
struct HostTransport {
    inner: core::UreqTransport,
    calls: AtomicUsize,
}

impl HttpTransport for HostTransport {
    fn send(&self, request: Arc<HttpRequest>) -> Result<HttpResponse, TransportFailure> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let r = core::Request {
            method: core::Method::parse(&request.method()).unwrap(),
            url: request.url(),
            headers: request
                .headers()
                .into_iter()
                .map(|h| (h.name, h.value))
                .collect(),
            body: core::Body::Bytes(request.body()),
            timeout: Duration::from_millis(request.timeout_ms()),
            max_response_bytes: request.max_response_bytes(),
        };
        let resp = core::Transport::send(&self.inner, r)
            .map_err(|e| TransportFailure::Io { message: e.message })?;
        Ok(HttpResponse {
            status: resp.status,
            headers: resp
                .headers
                .into_iter()
                .map(|(name, value)| HttpHeader { name, value })
                .collect(),
            body: resp.body,
        })
    }
}

fn config(sim: &Simulator) -> GarminConfig {
    GarminConfig {
        base_url: Some(sim.base_url()),
        ..GarminConfig::default()
    }
}

fn sim() -> Simulator {
    Simulator::builder()
        .account(Account::new("plain@example.com", "pw-plain"))
        .account(Account::new("mfa@example.com", "pw-mfa").with_mfa("112233", MfaMethod::Email))
        .start()
        .unwrap()
}

#[test]
fn mfa_sign_in_upload_and_duplicate_through_a_host_transport() {
    let sim = sim();
    let transport = Arc::new(HostTransport {
        inner: core::UreqTransport::new(),
        calls: AtomicUsize::new(0),
    });
    let client = GarminClient::new(config(&sim), Some(transport.clone()), None).unwrap();

    let challenge = match client
        .login("mfa@example.com".into(), "pw-mfa".into())
        .unwrap()
    {
        LoginResult::MfaRequired { challenge } => challenge,
        LoginResult::SignedIn { .. } => panic!("MFA account signed in without a code"),
    };
    assert_eq!(
        challenge.submit("000000".into()).unwrap_err().kind(),
        ErrorKind::MfaCodeRejected
    );
    let session = challenge.submit("112233".into()).unwrap();
    assert!(transport.calls.load(Ordering::SeqCst) > 0);
    assert!(!session.profile().unwrap().display_name.is_empty());

    let fit = b"FIT-bytes-from-rust".repeat(20);
    let uploaded = session.upload_fit("a.fit".into(), fit.clone()).unwrap();
    assert!(uploaded.upload_id.is_some());
    assert_eq!(uploaded.successes.len(), 1);
    match session.upload_fit("a.fit".into(), fit).unwrap_err() {
        GarminError::DuplicateActivity { response, .. } => {
            assert!(response.contains("Duplicate Activity"), "{response}")
        }
        e => panic!("expected DuplicateActivity, got {e:?}"),
    }
    assert_eq!(sim.stats().duplicate_uploads, 1);
}

struct FailingListener(Mutex<Vec<String>>);

impl RefreshListener for FailingListener {
    fn on_refresh(&self, tokens_json: String) -> Result<(), GarminError> {
        self.0.lock().unwrap().push(tokens_json);
        Err(GarminError::Storage {
            message: "disk full".into(),
        })
    }
}

#[test]
fn refresh_reaches_the_listener_even_when_it_fails_and_json_round_trips() {
    let sim = sim();
    let client = GarminClient::new(
        GarminConfig {
            tokens: Some(TokenPreference::Di),
            ..config(&sim)
        },
        None,
        None,
    )
    .unwrap();
    let session = match client
        .login("plain@example.com".into(), "pw-plain".into())
        .unwrap()
    {
        LoginResult::SignedIn { session } => session,
        LoginResult::MfaRequired { .. } => panic!("no MFA expected"),
    };
    let listener = Arc::new(FailingListener(Mutex::new(Vec::new())));
    session.set_refresh_listener(Some(listener.clone()));
    let old = session.tokens_json();
    assert_eq!(session.refresh().unwrap().family, TokenFamily::Di);
    assert_eq!(sim.stats().di_refreshes, 1);
    let saved = listener.0.lock().unwrap().clone();
    assert_eq!(saved, vec![session.tokens_json()]);
    assert_ne!(saved[0], old);

    // Debug output of every exported object stays free of token values.
    let json: serde_json::Value = serde_json::from_str(&session.tokens_json()).unwrap();
    let access = json["di"]["access_token"].as_str().unwrap().to_owned();
    let refresh = json["di"]["refresh_token"].as_str().unwrap().to_owned();
    for printed in [
        format!("{session:?}"),
        format!("{client:?}"),
        format!("{:?}", session.token_summary()),
    ] {
        assert!(
            !printed.contains(&access) && !printed.contains(&refresh),
            "{printed}"
        );
    }

    let restored = client.restore_session(session.tokens_json()).unwrap();
    assert_eq!(restored.token_summary(), session.token_summary());
    assert!(!restored.profile().unwrap().display_name.is_empty());
}

struct Refusing;

impl HttpTransport for Refusing {
    fn send(&self, _: Arc<HttpRequest>) -> Result<HttpResponse, TransportFailure> {
        Err(TransportFailure::Connect {
            message: "no route to host".into(),
        })
    }
}

#[test]
fn typed_errors_from_the_exported_layer() {
    let sim = sim();
    let client = GarminClient::new(config(&sim), None, None).unwrap();
    let e = client
        .login("plain@example.com".into(), "wrong".into())
        .unwrap_err();
    assert!(matches!(e, GarminError::InvalidCredentials { .. }), "{e:?}");
    // No ticket in the web view's URL yet: keep watching its navigations.
    assert!(matches!(
        client.exchange_webview("no ticket here".into()),
        Err(GarminError::InvalidInput { .. })
    ));
    assert!(matches!(
        client.restore_session("{}".into()),
        Err(GarminError::InvalidInput { .. })
    ));

    let offline = GarminClient::new(
        GarminConfig {
            strategies: Some(vec![Flow::Mobile]),
            ..config(&sim)
        },
        Some(Arc::new(Refusing)),
        None,
    )
    .unwrap();
    match offline
        .login("plain@example.com".into(), "pw-plain".into())
        .unwrap_err()
    {
        GarminError::Network { message } => {
            assert!(message.contains("no route to host"), "{message}")
        }
        e => panic!("expected Network, got {e:?}"),
    }
}

fn user_agents(sim: &Simulator, route: &str) -> Vec<String> {
    sim.requests()
        .iter()
        .filter(|r| r.route == route)
        .map(|r| {
            r.headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("user-agent"))
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        })
        .collect()
}

#[test]
fn user_agents_the_ios_preset_and_per_host_endpoints_reach_the_wire() {
    let sim = sim();
    let base = sim.base_url();
    let client = GarminClient::new(
        GarminConfig {
            endpoints: Some(Endpoints {
                sso: Some(base.clone()),
                connectapi: Some(base.clone()),
                connect: Some(base.clone()),
                diauth: Some(base.clone()),
                services: Some(base.clone()),
                consumer_url: Some(format!("{base}/oauth_consumer.json")),
                apis: Some(base.clone()),
                partner_authorize: Some(format!("{base}/oauth2Confirm")),
                partner_token: Some(format!("{base}/di-oauth2-service/oauth/token")),
            }),
            tokens: Some(TokenPreference::Di),
            mobile_app: Some(MobileApp::Ios),
            sso_user_agent: Some("rs-sso/1".into()),
            api_user_agent: Some("rs-api/2".into()),
            ..GarminConfig::default()
        },
        None,
        None,
    )
    .unwrap();
    assert_eq!(
        client.webview_service_url(),
        "https://mobile.integration.garmin.com/gcm/ios"
    );
    let session = match client
        .login("plain@example.com".into(), "pw-plain".into())
        .unwrap()
    {
        LoginResult::SignedIn { session } => session,
        LoginResult::MfaRequired { .. } => panic!("no MFA expected"),
    };
    assert!(!session.profile().unwrap().display_name.is_empty());
    assert_eq!(user_agents(&sim, "mobile_login"), ["rs-sso/1"]);
    assert_eq!(user_agents(&sim, "social_profile"), ["rs-api/2"]);
    let login = sim
        .requests()
        .into_iter()
        .find(|r| r.route == "mobile_login")
        .unwrap();
    assert!(
        login.query.contains("clientId=GCM_IOS_DARK"),
        "{}",
        login.query
    );
}
