//! Issue 14 against the simulator: the chain by client id (a 429 for one Garmin app falls through
//! to the next app, then the widget), pacing recorded by the sleeper (only against Garmin's hosts
//! unless asked for), the typed 412 upload refusal, and China accounts on `diauth.garmin.cn`.
//! No sleeps: every wait goes through a recording `Sleeper`.
#![allow(clippy::unwrap_used)]

mod common;
mod jsonkit;

use common::*;
use garmin_sso_core::{
    Body, Client, Config, Domain, Error, ErrorKind, Flow, MobileApp, PacingMode, Password, Request,
    Response, Session, Strategy, TokenPreference, Transport, TransportError, UreqTransport,
};
use garmin_sso_sim::{Account, Simulator};
use jsonkit::*;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Waits recorded instead of slept.
#[derive(Clone, Default)]
struct Waits(Arc<Mutex<Vec<Duration>>>);

impl Waits {
    fn install(&self, config: &mut Config) {
        let w = self.0.clone();
        config.sleeper = Arc::new(move |d: Duration| w.lock().unwrap().push(d));
    }
    fn all(&self) -> Vec<Duration> {
        self.0.lock().unwrap().clone()
    }
}

/// The `clientId` of every credential POST of the mobile flow, and the widget's POSTs, in order.
fn credential_posts(sim: &Simulator) -> Vec<String> {
    sim.requests()
        .into_iter()
        .filter_map(|r| match r.route.as_str() {
            "mobile_login" | "portal_login" => {
                let id = form_of(r.query.as_bytes())
                    .into_iter()
                    .find(|(k, _)| k == "clientId")
                    .map(|(_, v)| v)
                    .unwrap_or_default();
                Some(format!("{} {id}", r.route))
            }
            "sso_signin_post" => Some(r.route),
            _ => None,
        })
        .collect()
}

fn ticket_service(sim: &Simulator) -> String {
    let r = sim
        .requests()
        .into_iter()
        .find(|r| r.route == "di_token")
        .unwrap();
    field(&form_of(&r.body), "service_url").unwrap().to_owned()
}

#[test]
fn android_rate_limited_falls_through_to_ios() {
    let sim = sim();
    assert!(sim.rate_limit("GCM_ANDROID_DARK", EMAIL));
    let mut config = config_for(&sim, &Strategy::DEFAULT_CHAIN, TokenPreference::Di);
    // Prefer Android (as `--mobile-app android` does): iOS stays as the fallback.
    config.set_mobile_app(MobileApp::Android);
    assert_eq!(
        config.strategies[..2],
        [
            Strategy::mobile(MobileApp::Android),
            Strategy::mobile(MobileApp::Ios)
        ]
    );
    let client = common::client_with(config, Arc::new(UreqTransport::new()));
    let tokens = complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    assert_eq!(tokens.family().name(), "di");
    assert_eq!(
        credential_posts(&sim),
        ["mobile_login GCM_ANDROID_DARK", "mobile_login GCM_IOS_DARK"]
    );
    assert_eq!(ticket_service(&sim), IOS_SERVICE, "the ticket is iOS's");
    assert_eq!(sim.stats().tickets_issued, 1);
}

#[test]
fn the_default_chain_starts_with_ios_and_moves_to_android_when_ios_is_limited() {
    let sim = sim();
    sim.rate_limit("GCM_IOS_DARK", EMAIL);
    let client = client_for(&sim, &Strategy::DEFAULT_CHAIN, TokenPreference::Di);
    complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    assert_eq!(
        credential_posts(&sim),
        ["mobile_login GCM_IOS_DARK", "mobile_login GCM_ANDROID_DARK"]
    );
    assert_eq!(ticket_service(&sim), ANDROID_SERVICE);
}

#[test]
fn every_mobile_client_id_limited_falls_through_to_the_widget() {
    let sim = sim();
    sim.rate_limit("GCM_IOS_DARK", EMAIL);
    sim.rate_limit("GCM_ANDROID_DARK", EMAIL);
    let client = client_for(&sim, &Strategy::DEFAULT_CHAIN, TokenPreference::Di);
    complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    assert_eq!(
        credential_posts(&sim),
        [
            "mobile_login GCM_IOS_DARK",
            "mobile_login GCM_ANDROID_DARK",
            "sso_signin_post"
        ]
    );
    assert!(ticket_service(&sim).ends_with("/sso/embed"));
}

#[test]
fn every_bucket_limited_lists_each_strategy_in_the_final_error() {
    let sim = sim();
    for id in [
        "GCM_IOS_DARK",
        "GCM_ANDROID_DARK",
        "gauth-widget",
        "GarminConnect",
    ] {
        sim.rate_limit(id, EMAIL);
    }
    let client = client_for(&sim, &Strategy::DEFAULT_CHAIN, TokenPreference::Di);
    let e = client.login(EMAIL, &Password::new(PASSWORD)).unwrap_err();
    let Error::AllStrategiesFailed(list) = &e else {
        panic!("{e:?}")
    };
    let tried: Vec<Strategy> = list.iter().map(|f| f.strategy).collect();
    assert_eq!(tried, Strategy::DEFAULT_CHAIN);
    assert_eq!(list[1].flow, Flow::Mobile);
    assert!(list
        .iter()
        .all(|f| matches!(f.error, Error::RateLimited { .. })));
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    let text = e.to_string();
    for part in [
        "mobile/ios: rate limited",
        "mobile/android: rate limited",
        "widget: rate limited",
        "portal: rate limited",
    ] {
        assert!(text.contains(part), "{text}");
    }
    assert_eq!(sim.stats().tickets_issued, 0);
}

#[test]
fn a_mobile_app_on_another_flow_is_refused_before_any_request() {
    let sim = sim();
    let bad = Strategy {
        flow: Flow::Widget,
        mobile_app: Some(MobileApp::Ios),
    };
    let client = client(&sim);
    let e = client
        .login_with(bad, EMAIL, &Password::new(PASSWORD))
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
    let mut c = common::config(&sim);
    c.strategies = vec![bad];
    assert!(Client::with_transport(c, Arc::new(UreqTransport::new())).is_err());
    assert_eq!(sim.stats().requests_total, 0);
}

#[test]
fn no_pacing_against_the_simulator_unless_asked_for() {
    let sim = sim();
    let waits = Waits::default();
    let mut config = config_for(
        &sim,
        &[Strategy::mobile(MobileApp::Ios), Strategy::WIDGET],
        TokenPreference::Di,
    );
    waits.install(&mut config);
    let client = common::client_with(config.clone(), Arc::new(UreqTransport::new()));
    complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    complete(
        client
            .login_with(Flow::Widget, EMAIL, &Password::new(PASSWORD))
            .unwrap(),
    );
    assert!(waits.all().is_empty(), "{:?}", waits.all());

    config.pacing.when = PacingMode::Always;
    let client = common::client_with(config, Arc::new(UreqTransport::new()));
    complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    complete(
        client
            .login_with(Flow::Widget, EMAIL, &Password::new(PASSWORD))
            .unwrap(),
    );
    let w = waits.all();
    assert_eq!(w.len(), 2, "{w:?}");
    for d in w {
        assert!(
            (Duration::from_secs(3)..=Duration::from_secs(8)).contains(&d),
            "{d:?}"
        );
    }
}

/// A transport that stands in for DNS: requests for Garmin's real `https://<host>.<domain>` go to
/// the simulator, naming the real host in `X-Forwarded-Host` (the simulator's host routing).
fn routed_to(sim: &Simulator, domain: &'static str) -> Arc<dyn Transport> {
    let base = sim.base_url();
    let inner = UreqTransport::new();
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    Arc::new(
        move |mut req: Request| -> Result<Response, TransportError> {
            let url = garmin_sso_core::parse_url(&req.url).unwrap();
            let host = url.host_str().unwrap().to_owned();
            assert!(
                host.ends_with(&format!(".{domain}")),
                "only Garmin's {domain} hosts are asked for, not {host}"
            );
            seen.lock().unwrap().push(host.clone());
            let path = &req.url[url.origin().ascii_serialization().len()..];
            req.url = format!("{base}{path}");
            req.headers.push(("X-Forwarded-Host".into(), host));
            inner.send(req)
        },
    )
}

fn real_host_config(sim: &Simulator, domain: Domain, waits: &Waits) -> Config {
    let mut c = Config::new(domain);
    c.tokens = TokenPreference::Di;
    c.strategies = vec![Strategy::mobile(MobileApp::Ios)];
    let clock = sim.clock();
    c.clock = Arc::new(move || clock.now());
    waits.install(&mut c);
    c
}

#[test]
fn against_garmins_hosts_the_credential_post_waits_a_jittered_few_seconds() {
    let sim = sim();
    let waits = Waits::default();
    let mut config = real_host_config(&sim, Domain::Com, &waits);
    config.strategies = vec![
        Strategy::mobile(MobileApp::Ios),
        Strategy::WIDGET,
        Strategy::PORTAL,
    ];
    sim.rate_limit("GCM_IOS_DARK", EMAIL);
    sim.rate_limit("gauth-widget", EMAIL);
    let client = Client::with_transport(config, routed_to(&sim, "garmin.com")).unwrap();
    complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    let w = waits.all();
    assert_eq!(w.len(), 3, "one wait per credential POST: {w:?}");
    let quick = Duration::from_secs(3)..=Duration::from_secs(8);
    let slow = Duration::from_secs(10)..=Duration::from_secs(20);
    assert!(quick.contains(&w[0]) && quick.contains(&w[1]), "{w:?}");
    assert!(slow.contains(&w[2]), "portal waits longer: {w:?}");
    assert!(Config::new(Domain::Com)
        .pacing_wait(Flow::Portal)
        .is_some_and(|d| slow.contains(&d)));
}

#[test]
fn an_upload_answered_412_says_to_give_upload_consent() {
    let sim = sim_with(vec![Account::new(EMAIL, PASSWORD).upload_consent(false)]);
    let client = client_for(
        &sim,
        &[Strategy::mobile(MobileApp::Ios)],
        TokenPreference::Di,
    );
    let tokens = complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    let session = Session::new(client, tokens);
    let e = session
        .upload_fit("ride.fit", Body::Bytes(b"FIT-BYTES".to_vec()))
        .unwrap_err();
    assert!(matches!(e, Error::UploadConsentRequired), "{e:?}");
    assert_eq!(e.kind(), ErrorKind::AccountUnusable);
    let text = e.to_string();
    assert!(text.contains("412") && text.contains("consent"), "{text}");
    assert!(text.contains("Garmin Connect"), "{text}");
    assert!(sim.uploads().is_empty());
    assert_eq!(sim.stats().requests("upload"), 1, "not retried");
}

#[test]
fn china_accounts_exchange_and_refresh_at_diauth_garmin_cn() {
    let sim = sim_with(vec![Account::new(EMAIL, PASSWORD).china(true)]);
    let waits = Waits::default();
    let config = real_host_config(&sim, Domain::Cn, &waits);
    let client = Client::with_transport(config, routed_to(&sim, "garmin.cn")).unwrap();
    let tokens = complete(client.login(EMAIL, &Password::new(PASSWORD)).unwrap());
    assert_eq!(tokens.family().name(), "di");
    let refreshed = client.refresh(&tokens).unwrap();
    assert_eq!(refreshed.family().name(), "di");
    let di_hosts: Vec<String> = sim
        .requests()
        .into_iter()
        .filter(|r| r.route == "di_token")
        .map(|r| r.header("x-forwarded-host").unwrap_or("").to_owned())
        .collect();
    assert_eq!(di_hosts, ["diauth.garmin.cn", "diauth.garmin.cn"]);
    let grant = sim
        .requests()
        .into_iter()
        .find(|r| r.route == "di_token")
        .unwrap();
    assert_eq!(
        field(&form_of(&grant.body), "grant_type"),
        Some("https://connectapi.garmin.cn/di-oauth2-service/oauth/grant/service_ticket")
    );
    assert_eq!(
        field(&form_of(&grant.body), "service_url"),
        Some("https://mobile.integration.garmin.cn/gcm/ios")
    );
    assert_eq!(waits.all().len(), 1, "real hosts: paced once");

    // The .com token endpoint does not know the account: refreshing there needs a new sign-in.
    let com = Client::with_transport(
        real_host_config(&sim, Domain::Com, &waits),
        routed_to(&sim, "garmin.com"),
    )
    .unwrap();
    let e = com.refresh(&refreshed).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::SignInNeeded, "{e:?}");
    let last = sim
        .requests()
        .into_iter()
        .rfind(|r| r.route == "di_token")
        .unwrap();
    assert_eq!(last.header("x-forwarded-host"), Some("diauth.garmin.com"));
}
