//! Web-view sign-in end to end: the library builds the sign-in URL, a plain HTTP "browser" signs in
//! on the simulator's page (MFA included) and stops at the navigation to the service URL, and the
//! library takes the ticket from that URL (or a page body) and exchanges it.
#![allow(clippy::unwrap_used)]

mod common;
mod jsonkit;

use common::*;
use garmin_sso_core::{ClientPreset, Domain, Error, ErrorKind, Flow, TokenPreference};
use garmin_sso_sim::{Account, MfaMethod as SimMfa};
use jsonkit::*;
use std::sync::Arc;

/// Opens `url`, posts the credentials (and the code when asked), and returns the `Location` the page
/// navigates to at the end, as a web view's navigation callback would see it.
fn browser_sign_in(url: &str, email: &str, password: &str, code: Option<&str>) -> String {
    let mut b = Browser::new();
    let page = b.get(url);
    assert_eq!(page.status, 200);
    assert!(
        String::from_utf8_lossy(&page.body).contains("name=\"password\""),
        "a sign-in form"
    );
    let mut resp = b.post_form(url, &[("username", email), ("password", password)]);
    if let Some(code) = code {
        assert_eq!(resp.status, 200, "the MFA form");
        assert!(String::from_utf8_lossy(&resp.body).contains("mfa-code"));
        let wrong = b.post_form(url, &[("mfa-code", "000000")]);
        assert_eq!(wrong.status, 200, "a wrong code shows the form again");
        resp = b.post_form(url, &[("mfa-code", code)]);
    }
    assert_eq!(resp.status, 302, "success navigates to the service URL");
    resp.header("Location").unwrap().to_owned()
}

#[test]
fn browser_url_sign_in_and_exchange_android() {
    let sim = sim();
    let client = client_for(&sim, &[Flow::Mobile], TokenPreference::Auto);
    let url = client.browser_sign_in_url();
    assert_eq!(
        url,
        format!(
            "{}/mobile/sso/en_US/sign-in?clientId=GCM_ANDROID_DARK&service=https%3A%2F%2Fmobile.integration.garmin.com%2Fgcm%2Fandroid",
            sim.base_url()
        )
    );
    let location = browser_sign_in(&url, EMAIL, PASSWORD, None);
    assert!(
        location.starts_with(&format!("{ANDROID_SERVICE}?ticket=ST-")),
        "{location}"
    );

    let before = sim.requests().len();
    let tokens = client.exchange_webview(&location).unwrap();
    assert_eq!(tokens.family().name(), "di");
    let token_req = sim
        .requests()
        .into_iter()
        .find(|r| r.route == "di_token")
        .unwrap();
    let form = form_of(&token_req.body);
    assert_eq!(field(&form, "service_url"), Some(ANDROID_SERVICE));
    assert!(location.ends_with(field(&form, "service_ticket").unwrap()));
    // The exchange is the only traffic: no credentials went anywhere.
    assert!(sim.requests()[before..]
        .iter()
        .all(|r| r.route == "di_token"));
}

#[test]
fn browser_sign_in_with_mfa_then_legacy_exchange() {
    let sim = sim_with(vec![
        Account::new(MFA_EMAIL, MFA_PASSWORD).with_mfa(MFA_CODE, SimMfa::Email)
    ]);
    let client = client_for(&sim, &[Flow::Mobile], TokenPreference::Legacy);
    let location = browser_sign_in(
        &client.browser_sign_in_url(),
        MFA_EMAIL,
        MFA_PASSWORD,
        Some(MFA_CODE),
    );
    let tokens = client.exchange_webview(&location).unwrap();
    assert_eq!(tokens.family().name(), "legacy");
    let pre = sim
        .requests()
        .into_iter()
        .find(|r| r.route == "preauthorized")
        .unwrap();
    assert!(pre
        .query
        .contains("login-url=https%3A%2F%2Fmobile.integration.garmin.com%2Fgcm%2Fandroid"));
}

#[test]
fn ios_preset_end_to_end() {
    let sim = sim();
    let mut config = jsonkit::config_for(&sim, &[Flow::Mobile], TokenPreference::Di);
    config.mobile_client = ClientPreset::ios(Domain::Com);
    let client = client_with(config, Arc::new(garmin_sso_core::UreqTransport::new()));
    let url = client.browser_sign_in_url();
    assert!(url.contains(
        "clientId=GCM_IOS_DARK&service=https%3A%2F%2Fmobile.integration.garmin.com%2Fgcm%2Fios"
    ));
    let location = browser_sign_in(&url, EMAIL, PASSWORD, None);
    assert!(location.starts_with(&format!("{IOS_SERVICE}?ticket=ST-")));
    client.exchange_webview(&location).unwrap();
    let token_req = sim
        .requests()
        .into_iter()
        .find(|r| r.route == "di_token")
        .unwrap();
    assert_eq!(
        field(&form_of(&token_req.body), "service_url"),
        Some(IOS_SERVICE)
    );
}

#[test]
fn ticket_from_a_page_body_with_escaped_slashes() {
    let sim = sim();
    let client = client_for(&sim, &[Flow::Mobile], TokenPreference::Di);
    let location = browser_sign_in(&client.browser_sign_in_url(), EMAIL, PASSWORD, None);
    // What a web view's page script would hold if it navigated by JS instead of a redirect.
    let body = format!(
        "<html><script>var response_url = \"{}\";\nwindow.location.replace(response_url);</script></html>",
        location.replace('/', "\\/")
    );
    assert!(body.contains("https:\\/\\/mobile.integration.garmin.com\\/gcm\\/android?ticket=ST-"));
    assert_eq!(
        client.exchange_webview(&body).unwrap().family().name(),
        "di"
    );
}

#[test]
fn no_ticket_means_no_request() {
    let sim = sim();
    let client = client_for(&sim, &[Flow::Mobile], TokenPreference::Auto);
    for input in [
        "https://mobile.integration.garmin.com/gcm/android",
        "https://mobile.integration.garmin.com/gcm/android?ticket=ST-1%22%3E%3Cscript%3E",
        "<html><title>GARMIN Authentication Application</title></html>",
        "",
    ] {
        let e = client.exchange_webview(input).unwrap_err();
        // What the app passed holds no ticket: its input, not Garmin's answer, is the problem.
        assert!(
            matches!(&e, Error::InvalidInput(m) if m.contains("no service ticket")),
            "{input}: {e:?}"
        );
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
    }
    assert!(sim.requests().is_empty());
}

#[test]
fn a_ticket_works_once() {
    let sim = sim();
    let client = client_for(&sim, &[Flow::Mobile], TokenPreference::Di);
    let location = browser_sign_in(&client.browser_sign_in_url(), EMAIL, PASSWORD, None);
    client.exchange_webview(&location).unwrap();
    let e = client.exchange_webview(&location).unwrap_err();
    assert!(matches!(e, Error::UnexpectedResponse { .. }), "{e:?}");
    let ticket = location.split("ticket=").nth(1).unwrap();
    assert!(!format!("{e} {e:?}").contains(ticket));
}
