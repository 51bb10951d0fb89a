//! Ticket → DI OAuth2 at the simulator's diauth: client-id fallback, JWT read-back, expiry, refresh
//! with rotation, refused refresh tokens, Auto → legacy fallback, and the IT token.
#![allow(clippy::unwrap_used)]

mod common;
mod jsonkit;

use base64::Engine;
use common::*;
use garmin_sso_core::{DiToken, Error, Flow, Password, TokenPreference, Tokens};
use garmin_sso_sim::{Account, Fault, Simulator, Target, Times, KNOWN_DI_CLIENT_IDS};
use jsonkit::*;
use std::sync::Arc;

fn sim_accepting(ids: &[&str]) -> Simulator {
    Simulator::builder()
        .account(Account::new(EMAIL, PASSWORD))
        .di_client_ids(ids)
        .start()
        .unwrap()
}

fn di_requests(sim: &Simulator) -> Vec<garmin_sso_sim::RecordedRequest> {
    sim.requests()
        .into_iter()
        .filter(|r| r.route == "di_token")
        .collect()
}

fn exchange_di(client: &garmin_sso_core::Client, sim: &Simulator) -> DiToken {
    let tokens = client
        .exchange_ticket_as(&android_ticket(sim), TokenPreference::Di)
        .unwrap();
    di(&tokens).clone()
}

fn claims(jwt: &str) -> serde_json::Value {
    let p = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(p)
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn exchange_tries_client_ids_in_order_and_keeps_the_accepted_one() {
    let sim = sim_accepting(&["GARMIN_CONNECT_MOBILE_ANDROID_DI"]);
    let client = client_for(&sim, &[Flow::Mobile], TokenPreference::Di);
    let token = exchange_di(&client, &sim);
    assert_eq!(token.client_id, "GARMIN_CONNECT_MOBILE_ANDROID_DI");
    assert_eq!(
        claims(token.access_token.expose())["client_id"],
        "GARMIN_CONNECT_MOBILE_ANDROID_DI"
    );

    let reqs = di_requests(&sim);
    let ids: Vec<String> = reqs
        .iter()
        .map(|r| basic_id(r.header("Authorization")).unwrap())
        .collect();
    assert_eq!(
        ids,
        &KNOWN_DI_CLIENT_IDS[..3],
        "tried newest first, stopped at the accepted one"
    );
    for (r, id) in reqs.iter().zip(&ids) {
        let form = form_of(&r.body);
        assert_eq!(field(&form, "client_id"), Some(id.as_str()));
        assert_eq!(
            field(&form, "grant_type"),
            Some("https://connectapi.garmin.com/di-oauth2-service/oauth/grant/service_ticket")
        );
        assert_eq!(field(&form, "service_url"), Some(ANDROID_SERVICE));
        assert!(field(&form, "service_ticket").unwrap().starts_with("ST-"));
    }
    assert_eq!(sim.stats().di_token_grants, 1);

    let now = sim.clock().now();
    assert!(
        (token.expires_at - (now + 86_400)).abs() <= 2,
        "expires_in of the sim's DI tokens"
    );
    assert!((token.refresh_token_expires_at.unwrap() - (now + 2_592_000)).abs() <= 2);
    assert_eq!(
        claims(token.access_token.expose())["exp"].as_i64().unwrap(),
        token.expires_at
    );
}

#[test]
fn configured_client_id_order_is_respected() {
    let sim = sim();
    let mut config = jsonkit::config_for(&sim, &[Flow::Mobile], TokenPreference::Di);
    config.di_client_ids = vec![
        "GARMIN_CONNECT_MOBILE_IOS_DI".into(),
        "GARMIN_CONNECT_MOBILE_ANDROID_DI".into(),
    ];
    let client = client_with(config, Arc::new(garmin_sso_core::UreqTransport::new()));
    assert_eq!(
        exchange_di(&client, &sim).client_id,
        "GARMIN_CONNECT_MOBILE_IOS_DI"
    );
    assert_eq!(di_requests(&sim).len(), 1);
}

#[test]
fn expiry_is_the_earlier_of_expires_in_and_the_jwt_exp() {
    let sim = sim();
    // Stretch expires_in far beyond the JWT's exp on the way back.
    let transport = wrap(|req, inner| {
        let is_di = req.url.contains("/di-oauth2-service/");
        let mut resp = garmin_sso_core::Transport::send(inner, req)?;
        if is_di && resp.status == 200 {
            let mut v: serde_json::Value = serde_json::from_slice(&resp.body).unwrap();
            v["expires_in"] = serde_json::json!(10 * 86_400);
            resp.body = v.to_string().into_bytes();
        }
        Ok(resp)
    });
    let client = client_with(
        jsonkit::config_for(&sim, &[Flow::Mobile], TokenPreference::Di),
        transport,
    );
    let token = exchange_di(&client, &sim);
    let exp = claims(token.access_token.expose())["exp"].as_i64().unwrap();
    assert_eq!(token.expires_at, exp);
    assert!(exp < sim.clock().now() + 2 * 86_400);
}

#[test]
fn a_jwt_for_another_client_id_is_refused() {
    let sim = sim();
    let transport = wrap(|req, inner| {
        let is_di = req.url.contains("/di-oauth2-service/");
        let mut resp = garmin_sso_core::Transport::send(inner, req)?;
        if is_di && resp.status == 200 {
            let mut v: serde_json::Value = serde_json::from_slice(&resp.body).unwrap();
            let jwt = v["access_token"].as_str().unwrap().to_owned();
            let parts: Vec<&str> = jwt.split('.').collect();
            let mut c = claims(&jwt);
            c["client_id"] = serde_json::json!("SOMEONE_ELSE_DI");
            let p = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(c.to_string());
            v["access_token"] = serde_json::json!(format!("{}.{}.{}", parts[0], p, parts[2]));
            resp.body = v.to_string().into_bytes();
        }
        Ok(resp)
    });
    let client = client_with(
        jsonkit::config_for(&sim, &[Flow::Mobile], TokenPreference::Di),
        transport,
    );
    let e = client
        .exchange_ticket_as(&android_ticket(&sim), TokenPreference::Di)
        .unwrap_err();
    match e {
        Error::UnexpectedResponse { detail, .. } => {
            assert!(detail.contains("SOMEONE_ELSE_DI"), "{detail}")
        }
        e => panic!("{e:?}"),
    }
}

#[test]
fn refresh_rotates_and_a_reused_refresh_token_is_refused() {
    let sim = sim_accepting(&["GARMIN_CONNECT_MOBILE_ANDROID_DI_2024Q4"]);
    let client = client_for(&sim, &[Flow::Mobile], TokenPreference::Di);
    let first = exchange_di(&client, &sim);
    sim.clear_requests();
    sim.clock().advance(3_600);

    let second = di(&client.refresh(&Tokens::Di { di: first.clone() }).unwrap()).clone();
    assert_eq!(second.client_id, first.client_id);
    assert_ne!(second.access_token, first.access_token);
    assert_ne!(
        second.refresh_token, first.refresh_token,
        "the refresh token rotates"
    );
    assert!(second.expires_at >= first.expires_at + 3_590);
    assert_eq!(sim.stats().di_refreshes, 1);

    let reqs = di_requests(&sim);
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        basic_id(reqs[0].header("Authorization")).as_deref(),
        Some("GARMIN_CONNECT_MOBILE_ANDROID_DI_2024Q4")
    );
    let form = form_of(&reqs[0].body);
    assert_eq!(field(&form, "grant_type"), Some("refresh_token"));
    assert_eq!(
        field(&form, "client_id"),
        Some("GARMIN_CONNECT_MOBILE_ANDROID_DI_2024Q4")
    );
    assert_eq!(
        field(&form, "refresh_token"),
        Some(first.refresh_token.expose())
    );

    // The new refresh token works; the old one was single-use.
    let third = di(&client.refresh(&Tokens::Di { di: second.clone() }).unwrap()).clone();
    assert_ne!(third.refresh_token, second.refresh_token);
    let e = client
        .refresh(&Tokens::Di { di: first.clone() })
        .unwrap_err();
    assert!(matches!(e, Error::SignInNeeded { .. }), "{e:?}");
    assert!(!format!("{e} {e:?}").contains(first.refresh_token.expose()));
    assert_eq!(sim.stats().di_refreshes, 2);
}

#[test]
fn expired_refresh_tokens_need_a_sign_in() {
    let sim = sim();
    let client = client_for(&sim, &[Flow::Mobile], TokenPreference::Di);
    let token = exchange_di(&client, &sim);

    // Known expiry on the shared clock: refused without asking Garmin.
    let mut stale = token.clone();
    stale.refresh_token_expires_at = Some(sim.clock().now() - 1);
    let before = di_requests(&sim).len();
    assert!(matches!(
        client.refresh(&Tokens::Di { di: stale }),
        Err(Error::SignInNeeded { .. })
    ));
    assert_eq!(di_requests(&sim).len(), before);

    // Expired on Garmin's side only: diauth refuses it.
    sim.expire_refresh_tokens();
    assert!(matches!(
        client.refresh(&Tokens::Di { di: token }),
        Err(Error::SignInNeeded { .. })
    ));
    assert_eq!(di_requests(&sim).len(), before + 1);
}

#[test]
fn rate_limit_at_diauth_stops_without_trying_other_ids() {
    let sim = sim();
    sim.inject(
        Target::DiToken,
        Fault::RateLimit {
            retry_after: Some(5),
        },
        Times::Once,
    );
    let client = client_for(&sim, &[Flow::Mobile], TokenPreference::Di);
    let e = client
        .exchange_ticket_as(&android_ticket(&sim), TokenPreference::Di)
        .unwrap_err();
    assert!(matches!(e, Error::RateLimited { .. }), "{e:?}");
    assert_eq!(di_requests(&sim).len(), 1);
}

#[test]
fn a_used_ticket_is_refused_without_trying_other_ids() {
    let sim = sim();
    let client = client_for(&sim, &[Flow::Mobile], TokenPreference::Di);
    let ticket = android_ticket(&sim);
    client
        .exchange_ticket_as(&ticket, TokenPreference::Di)
        .unwrap();
    let e = client
        .exchange_ticket_as(&ticket, TokenPreference::Di)
        .unwrap_err();
    match &e {
        Error::UnexpectedResponse { detail, .. } => {
            assert!(detail.contains("invalid_grant"), "{detail}")
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(di_requests(&sim).len(), 2);
    assert!(!format!("{e} {e:?}").contains(ticket.value.expose()));
}

#[test]
fn every_id_refused_leaves_the_ticket_for_the_legacy_exchange() {
    let sim = sim_accepting(&["SOME_FUTURE_DI_ID"]);
    let client = client_for(&sim, &[Flow::Mobile], TokenPreference::Di);
    let ticket = android_ticket(&sim);
    let e = client
        .exchange_ticket_as(&ticket, TokenPreference::Di)
        .unwrap_err();
    assert!(e.falls_through(), "{e:?}");
    assert!(
        e.to_string().contains("every configured DI client id"),
        "{e}"
    );
    assert_eq!(di_requests(&sim).len(), 4);
    let tokens = client
        .exchange_ticket_as(&ticket, TokenPreference::Legacy)
        .unwrap();
    assert_eq!(tokens.family().name(), "legacy");
}

#[test]
fn auto_falls_back_to_legacy_when_diauth_refuses_every_id() {
    let sim = sim_accepting(&["SOME_FUTURE_DI_ID"]);
    let client = client_for(&sim, &[Flow::Mobile], TokenPreference::Auto);
    let tokens = complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    assert_eq!(tokens.family().name(), "legacy");
    let stats = sim.stats();
    assert_eq!(stats.requests("di_token"), 4);
    assert_eq!(stats.di_token_grants, 0);
    assert_eq!(stats.legacy_exchanges, 1);
    assert_eq!(
        stats.tickets_issued, 1,
        "one sign-in, one ticket, used by the legacy exchange"
    );
}

#[test]
fn auto_prefers_di() {
    let sim = sim();
    let client = client_for(&sim, &[Flow::Mobile], TokenPreference::Auto);
    let tokens = complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    assert_eq!(di(&tokens).client_id, KNOWN_DI_CLIENT_IDS[0]);
    assert_eq!(sim.stats().requests("preauthorized"), 0);
}

#[test]
fn it_token_from_a_di_token() {
    let sim = sim();
    let client = client_for(&sim, &[Flow::Mobile], TokenPreference::Di);
    let token = exchange_di(&client, &sim);
    let it = client.it_token(&token).unwrap();
    assert_eq!(it.client_id, "GARMIN_CONNECT_MOBILE_ANDROID_2025Q2");
    assert!(it.refresh_token.is_some());
    assert!(it.expires_at > sim.clock().now());
    assert_eq!(sim.stats().it_token_grants, 1);
    let req = sim
        .requests()
        .into_iter()
        .find(|r| r.route == "it_token")
        .unwrap();
    assert_eq!(req.query, "grant_type=connect2_exchange");
    let form = form_of(&req.body);
    assert_eq!(
        field(&form, "connect_access_token"),
        Some(token.access_token.expose())
    );
    assert!(!format!("{it:?}").contains(it.access_token.expose()));

    // An iOS DI token asks for the iOS IT client first.
    let mut config = jsonkit::config_for(&sim, &[Flow::Mobile], TokenPreference::Di);
    config.di_client_ids = vec!["GARMIN_CONNECT_MOBILE_IOS_DI".into()];
    let ios = client_with(config, Arc::new(garmin_sso_core::UreqTransport::new()));
    let ios_token = exchange_di(&ios, &sim);
    assert_eq!(
        ios.it_token(&ios_token).unwrap().client_id,
        "GARMIN_CONNECT_MOBILE_IOS"
    );

    // An expired DI token is refused before any request.
    let before = sim.stats().requests("it_token");
    let mut old = token.clone();
    old.expires_at = sim.clock().now() - 1;
    assert!(matches!(client.it_token(&old), Err(Error::InvalidInput(_))));
    assert_eq!(sim.stats().requests("it_token"), before);
    // Revoked on Garmin's side: refused by the server.
    sim.expire_access_tokens();
    assert!(matches!(
        client.it_token(&token),
        Err(Error::InvalidInput(_))
    ));
}
