//! Partner OAuth2 with PKCE against the simulator: the person consents in a "browser" (plain HTTP
//! to the consent page), the app finishes with the redirect, calls the partner API, refreshes with
//! rotation; each callback error; a wrong verifier; a code used twice; secrets kept out of logs.
#![allow(clippy::unwrap_used)]

mod common;
mod jsonkit;

use common::*;
use garmin_sso_core::{
    ClientSecret, Error, ErrorKind, JsonFileStore, PartnerApp, PartnerAuthorization, Session,
    TokenFamily, TokenStore, Tokens,
};
use garmin_sso_sim::{PartnerClient, Simulator};
use jsonkit::Browser;

const CLIENT_ID: &str = "sim-partner-app";
const CLIENT_SECRET: &str = "partner-secret-9f2c";
const REDIRECT: &str = "http://127.0.0.1:8765/callback";

fn partner_sim() -> Simulator {
    Simulator::builder()
        .account(garmin_sso_sim::Account::new(EMAIL, PASSWORD))
        .partner_client(PartnerClient::new(CLIENT_ID, CLIENT_SECRET, REDIRECT))
        .start()
        .unwrap()
}

fn partner_client(sim: &Simulator) -> garmin_sso_core::Client {
    let mut c = config(sim);
    c.partner = Some(
        PartnerApp::new(CLIENT_ID, ClientSecret::new(CLIENT_SECRET), REDIRECT)
            .unwrap()
            .with_scope("ACTIVITY_EXPORT WORKOUT_IMPORT"),
    );
    client_with(
        c,
        std::sync::Arc::new(garmin_sso_core::UreqTransport::new()),
    )
}

/// What a person does in the browser: open the URL, sign in, press `decision`. The redirect's
/// Location (the callback the app receives).
fn consent(auth_url: &str, email: &str, password: &str, decision: &str) -> String {
    let mut b = Browser::new();
    let page = b.get(auth_url);
    assert_eq!(page.status, 200, "{}", String::from_utf8_lossy(&page.body));
    let id = request_id(&page);
    let base = auth_url.split("/oauth2Confirm").next().unwrap();
    let answer = b.post_form(
        &format!("{base}/oauth2Confirm"),
        &[
            ("request_id", &id),
            ("email", email),
            ("password", password),
            ("decision", decision),
        ],
    );
    assert_eq!(
        answer.status,
        302,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    answer.header("Location").unwrap().to_owned()
}

/// The consent form's hidden `request_id`.
fn request_id(page: &garmin_sso_core::Response) -> String {
    let html = String::from_utf8_lossy(&page.body);
    html.split("name=\"request_id\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned()
}

fn state_of(auth: &PartnerAuthorization) -> String {
    let u = garmin_sso_core::parse_url(auth.url()).unwrap();
    u.query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

#[test]
fn consent_code_exchange_api_call_and_rotating_refresh() {
    install_logger();
    let sim = partner_sim();
    let client = partner_client(&sim);
    let auth = client.partner_authorization().unwrap();
    let callback = consent(auth.url(), EMAIL, PASSWORD, "allow");
    assert!(callback.starts_with(REDIRECT), "{callback}");
    let tokens = auth.finish(&callback).unwrap();
    assert_eq!(tokens.family(), TokenFamily::Partner);
    let Tokens::Partner { partner } = &tokens else {
        panic!("{tokens:?}")
    };
    assert_eq!(partner.client_id, CLIENT_ID);
    assert_eq!(sim.stats().partner_token_grants, 1);
    // The code works once.
    let again = auth.finish(&callback).unwrap_err();
    assert_eq!(again.kind(), ErrorKind::SignInNeeded, "{again}");

    // Tokens survive the versioned JSON and a store.
    let dir = tempfile::tempdir().unwrap();
    let store = JsonFileStore::new(dir.path().join("tokens.json"));
    store.save(&tokens).unwrap();
    let loaded = store.load().unwrap().unwrap();
    assert_eq!(loaded, tokens);
    assert_eq!(Tokens::from_json(&tokens.to_json()).unwrap(), tokens);

    let session = Session::new(client.clone(), loaded);
    let me = session.get_json("/wellness-api/rest/user/id", &[]).unwrap();
    assert!(me["userId"].as_str().is_some_and(|s| !s.is_empty()), "{me}");
    // The access token expires: the session refreshes once, the refresh token rotates.
    let first_refresh = partner.refresh_token.clone();
    sim.clock().advance(2 * 86_400);
    session.get_json("/wellness-api/rest/user/id", &[]).unwrap();
    assert_eq!(sim.stats().partner_refreshes, 1);
    let Tokens::Partner { partner: fresh } = session.tokens() else {
        panic!()
    };
    assert_ne!(
        fresh.refresh_token, first_refresh,
        "a rotated refresh token is kept"
    );
    // The spent refresh token is dead; the new one works.
    let spent = client.refresh(&tokens).unwrap_err();
    assert_eq!(spent.kind(), ErrorKind::SignInNeeded, "{spent}");
    let newest = client.refresh(&session.tokens()).unwrap();

    // A partner token is not a Connect token: the simulator's Connect routes refuse it (after the
    // session's one refresh-and-retry on a 401).
    let session = Session::new(client.clone(), newest);
    let refused = session.get_json("/userprofile-service/socialProfile", &[]);
    assert!(refused.is_err());

    // The library's own lines (the simulator logs into the same capture).
    let logs: Vec<String> = captured_logs()
        .into_iter()
        .filter(|l| l.contains(" garmin_sso_core"))
        .collect();
    assert!(!logs.is_empty());
    let logs = logs.join("\n");
    for secret in [CLIENT_SECRET, PASSWORD, fresh.refresh_token.expose()] {
        assert!(!logs.contains(secret), "a secret in the logs");
    }
    assert!(!callback.is_empty() && !logs.contains(&state_of(&auth)));
}

#[test]
fn callback_errors_are_typed() {
    let sim = partner_sim();
    let client = partner_client(&sim);
    let auth = client.partner_authorization().unwrap();
    let state = state_of(&auth);

    let denied = consent(auth.url(), EMAIL, PASSWORD, "deny");
    match auth.finish(&denied) {
        Err(Error::AuthorizationDeclined(code)) => assert_eq!(code, "access_denied"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        auth.finish(&denied).unwrap_err().kind(),
        ErrorKind::AuthorizationDeclined
    );
    for bad in [
        format!("{REDIRECT}?code=abc"),
        format!("{REDIRECT}?code=abc&state=not-{state}"),
    ] {
        assert!(
            matches!(auth.finish(&bad), Err(Error::AuthorizationStateMismatch)),
            "{bad}"
        );
    }
    let no_code = auth
        .finish(&format!("{REDIRECT}?state={state}"))
        .unwrap_err();
    assert_eq!(no_code.kind(), ErrorKind::UnexpectedResponse);
    // None of these reached the token endpoint.
    assert_eq!(sim.stats().requests("di_token"), 0);
}

#[test]
fn a_code_with_another_requests_verifier_is_refused_and_spent() {
    let sim = partner_sim();
    let client = partner_client(&sim);
    let a = client.partner_authorization().unwrap();
    let b = client.partner_authorization().unwrap();
    let callback = consent(a.url(), EMAIL, PASSWORD, "allow");
    let code = garmin_sso_core::parse_url(&callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    // An attacker who intercepted the code, with their own request's state and verifier.
    let forged = format!("{REDIRECT}?code={code}&state={}", state_of(&b));
    let e = b.finish(&forged).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::SignInNeeded, "{e}");
    // The simulator spent the code on the failed attempt: the rightful request cannot use it now.
    let e = a.finish(&callback).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::SignInNeeded, "{e}");
    assert_eq!(sim.stats().partner_token_grants, 0);
}

#[test]
fn a_wrong_client_secret_and_a_missing_partner_app_are_configuration_errors() {
    let sim = partner_sim();
    let mut c = config(&sim);
    c.partner =
        Some(PartnerApp::new(CLIENT_ID, ClientSecret::new("wrong-secret"), REDIRECT).unwrap());
    let client = client_with(
        c,
        std::sync::Arc::new(garmin_sso_core::UreqTransport::new()),
    );
    let auth = client.partner_authorization().unwrap();
    let callback = consent(auth.url(), EMAIL, PASSWORD, "allow");
    let e = auth.finish(&callback).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    assert!(!e.to_string().contains("wrong-secret"));

    let plain = client_with(
        config(&sim),
        std::sync::Arc::new(garmin_sso_core::UreqTransport::new()),
    );
    assert_eq!(
        plain.partner_authorization().unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}

#[test]
fn wrong_credentials_on_the_consent_page_issue_no_code() {
    let sim = partner_sim();
    let client = partner_client(&sim);
    let auth = client.partner_authorization().unwrap();
    let mut b = Browser::new();
    let page = b.get(auth.url());
    let id = request_id(&page);
    let answer = b.post_form(
        &format!("{}/oauth2Confirm", sim.base_url()),
        &[
            ("request_id", id.as_str()),
            ("email", EMAIL),
            ("password", "not it"),
            ("decision", "allow"),
        ],
    );
    assert_eq!(answer.status, 401);
    assert_eq!(sim.stats().partner_codes, 0);
}
