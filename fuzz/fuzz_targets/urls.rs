//! URLs and URL-shaped input: web-view navigations and page bodies (ticket extraction), base URLs,
//! the log scrubbers (`redact_url`, `scrub_message`) and the OAuth1 signer's URL handling.
#![no_main]
use garmin_sso_core::{oauth1, redact_url, scrub_message, Client, Config, Domain};
use garmin_sso_fuzz::*;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn client() -> &'static Client {
    static C: OnceLock<Client> = OnceLock::new();
    C.get_or_init(|| Client::with_transport(replay_config(), scripted(Vec::new())).unwrap())
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let s = String::from_utf8_lossy(rest);
    match sel % 5 {
        0 => {
            if let Err(e) = client().webview_ticket(&s) {
                check_error(&e);
            }
        }
        1 => {
            let r = redact_url(&s);
            if garmin_sso_core::parse_url(&s).is_ok() {
                assert!(!r.contains('?') || r.ends_with("?…"), "a query kept: {r}");
            }
            let m = scrub_message(&s);
            assert!(m.len() <= 4 * 1300, "a {}-byte scrubbed message", m.len());
        }
        2 => match Config::with_base_url(Domain::Com, &s) {
            Ok(c) => {
                c.validate().ok();
            }
            Err(e) => {
                check_error(&e);
                if let Ok(u) = garmin_sso_core::parse_url(s.trim()) {
                    if let Some(p) = u.password().filter(|p| p.len() >= 4) {
                        assert!(!e.to_string().contains(p), "a base URL's password in {e}");
                    }
                }
            }
        },
        3 => {
            let creds = oauth1::Credentials {
                consumer_key: "key",
                consumer_secret: "consumer-secret",
                token: Some(("token", "token-secret")),
            };
            let (url, body) = s.split_once('\n').unwrap_or((&s, ""));
            match oauth1::authorization_header("POST", url, Some(body), &creds, "nonce", T0) {
                Ok(h) => {
                    let h = format!("{h:?}");
                    assert!(!h.contains("token-secret") && !h.contains("consumer-secret"));
                }
                Err(e) => check_error(&e),
            }
        }
        _ => {
            if let Ok(u) = garmin_sso_core::parse_url(&s) {
                let c = client().config();
                c.endpoints.allows(&u);
                oauth1::signature_base_string("GET", &u, &[]);
            }
        }
    }
});
