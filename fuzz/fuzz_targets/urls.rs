//! URLs and URL-shaped input: web-view navigations and page bodies (ticket extraction), base URLs,
//! the log scrubbers (`redact_url`, `scrub_message`), the OAuth1 signer's URL handling and partner
//! authorization callbacks (half of them carrying the request's real `state`, so the fuzzer gets
//! past the state check to the code and error handling).
#![no_main]
use garmin_sso_core::{
    oauth1, redact_url, scrub_message, Client, ClientSecret, Config, Domain, PartnerApp,
    PartnerAuthorization,
};
use garmin_sso_fuzz::*;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn client() -> &'static Client {
    static C: OnceLock<Client> = OnceLock::new();
    C.get_or_init(|| Client::with_transport(replay_config(), scripted(Vec::new())).unwrap())
}

/// One authorization request of a client with a partner app, and that request's state.
fn partner() -> &'static (PartnerAuthorization, String) {
    static P: OnceLock<(PartnerAuthorization, String)> = OnceLock::new();
    P.get_or_init(|| {
        let mut config = replay_config();
        config.partner = Some(
            PartnerApp::new(
                "fuzz-app",
                ClientSecret::new("fuzz-client-secret"),
                "http://127.0.0.1:8765/cb",
            )
            .unwrap(),
        );
        let client = Client::with_transport(config, scripted(Vec::new())).unwrap();
        let auth = client.partner_authorization().unwrap();
        let state = garmin_sso_core::parse_url(auth.url())
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        (auth, state)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let s = String::from_utf8_lossy(rest);
    match sel % 6 {
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
        5 => {
            let (auth, state) = partner();
            let callback = if sel & 0x80 != 0 {
                format!("{s}&state={state}")
            } else {
                s.into_owned()
            };
            // No answer is scripted, so nothing may succeed; a refusal quotes neither the state
            // nor the secret.
            let e = auth.finish(&callback).unwrap_err();
            check_error(&e);
            let text = format!("{e} {e:?}");
            assert!(!text.contains(state.as_str()) && !text.contains("fuzz-client-secret"), "{text}");
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
