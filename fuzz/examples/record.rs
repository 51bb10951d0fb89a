//! Records the simulator's answers to every operation of the harness into `scripts/` (the focused
//! targets replay them) and seeds `corpus/<target>/` from them. Run from `fuzz/`:
//! `cargo run --example record`. The client runs with the replay configuration's clock against the
//! simulator as one origin (OAuth1 signatures cover the host); absolute URLs in its answers are
//! rewritten to the replay's SSO host.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use garmin_sso_core::{Request, Response, Tokens, Transport, TransportError, UreqTransport};
use garmin_sso_fuzz::*;
use garmin_sso_sim::{Account, MfaMethod, Simulator};
use std::path::Path;
use std::sync::{Arc, Mutex};
use url::Url;

fn recorder(sim_base: String) -> (Arc<dyn Transport>, Arc<Mutex<Vec<Response>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let inner = UreqTransport::new();
    let sim_base = sim_base.trim_end_matches('/').to_string();
    let t = Arc::new(move |req: Request| -> Result<Response, TransportError> {
        let origin = Url::parse(SSO).unwrap().origin().ascii_serialization();
        let r = inner.send(req)?;
        // The client follows the simulator's own answer; the script gets the replay's host.
        log.lock().unwrap().push(Response {
            status: r.status,
            headers: r
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.replace(&sim_base, &origin)))
                .collect(),
            body: String::from_utf8_lossy(&r.body)
                .replace(&sim_base, &origin)
                .into_bytes(),
        });
        Ok(r)
    });
    (t, seen)
}

fn login(sim: &Simulator, di: bool) -> Tokens {
    let mut config = sim_config(sim);
    config.tokens = if di {
        garmin_sso_core::TokenPreference::Di
    } else {
        garmin_sso_core::TokenPreference::Legacy
    };
    config.set_flows(&[garmin_sso_core::Flow::Widget]);
    let client =
        garmin_sso_core::Client::with_transport(config, Arc::new(UreqTransport::new())).unwrap();
    match client
        .login(EMAIL, &garmin_sso_core::Password::new(PASSWORD))
        .unwrap()
    {
        garmin_sso_core::LoginOutcome::Complete(t) => t,
        _ => panic!("no MFA on the plain account"),
    }
}

fn sim_config(sim: &Simulator) -> garmin_sso_core::Config {
    let mut c = replay_config();
    c.endpoints = garmin_sso_core::Endpoints::single_base(&sim.base_url()).unwrap();
    c
}

fn write(path: &Path, data: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, data).unwrap();
}

fn main() {
    let sim = Simulator::builder()
        .account(Account::new(EMAIL, PASSWORD))
        .account(Account::new(MFA_EMAIL, PASSWORD).with_mfa(MFA_CODE, MfaMethod::Email))
        .clock_start(T0)
        .start()
        .unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("corpus");
    let _ = std::fs::remove_dir_all(&corpus);
    // Fixtures first: the refresh and session operations start from these tokens.
    let mut fixtures: Vec<Tokens> = Vec::new();
    for (op, file) in [
        (Op::WidgetDi, "tokens-di.json"),
        (Op::WidgetLegacy, "tokens-legacy.json"),
    ] {
        let (t, _) = recorder(sim.base_url());
        let mut config = sim_config(&sim);
        let email = EMAIL;
        config.tokens = if op == Op::WidgetDi {
            garmin_sso_core::TokenPreference::Di
        } else {
            garmin_sso_core::TokenPreference::Legacy
        };
        config.set_flows(&[garmin_sso_core::Flow::Widget]);
        let client = garmin_sso_core::Client::with_transport(config, t).unwrap();
        let tokens = match client
            .login(email, &garmin_sso_core::Password::new(PASSWORD))
            .unwrap()
        {
            garmin_sso_core::LoginOutcome::Complete(t) => t,
            _ => panic!("no MFA on the plain account"),
        };
        write(
            &root.join("scripts").join(file),
            tokens.to_json().as_bytes(),
        );
        fixtures.push(tokens);
    }
    for (i, op) in OPS.iter().enumerate() {
        // Refresh tokens rotate: each operation starts from tokens of its own sign-in (replay
        // starts from the recorded fixtures; what it sends does not matter to a script).
        let fresh = [login(&sim, true), login(&sim, false)];
        let (t, seen) = recorder(sim.base_url());
        let summary = run(*op, sim_config(&sim), t, &fresh);
        let answers = seen.lock().unwrap().clone();
        println!("{:<18} {:>2} answers: {summary}", op.name(), answers.len());
        let script = write_script(&answers);
        write(
            &root.join("scripts").join(format!("{}.txt", op.name())),
            script.as_bytes(),
        );
        let mut seed = vec![i as u8];
        seed.extend_from_slice(script.as_bytes());
        write(&corpus.join("flow").join(op.name()), &seed);
        let focused: [(&str, &[Op]); 3] = [
            ("pages", &PAGE_OPS),
            ("json_answers", &JSON_OPS),
            ("form_answers", &FORM_OPS),
        ];
        for (target, ops) in focused {
            if let Some(sel) = ops.iter().position(|o| o == op) {
                for (idx, a) in answers.iter().enumerate() {
                    if a.body.is_empty() {
                        continue;
                    }
                    let mut seed = vec![sel as u8, idx as u8];
                    seed.extend_from_slice(&a.body);
                    write(
                        &corpus.join(target).join(format!("{}-{idx}", op.name())),
                        &seed,
                    );
                }
            }
        }
        for (idx, a) in answers.iter().enumerate() {
            let cookies: Vec<&str> = a
                .headers
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case("Set-Cookie"))
                .map(|(_, v)| v.as_str())
                .collect();
            let cookie_ops = [
                Op::WidgetLegacy,
                Op::WidgetMfa,
                Op::Mobile,
                Op::PortalMfaLegacy,
            ];
            if let (false, Some(sel)) =
                (cookies.is_empty(), cookie_ops.iter().position(|o| o == op))
            {
                let mut seed = vec![sel as u8, idx as u8];
                seed.extend_from_slice(cookies.join("\n").as_bytes());
                write(
                    &corpus.join("cookies").join(format!("{}-{idx}", op.name())),
                    &seed,
                );
            }
            if let Some(loc) = a.headers.iter().find(|(k, _)| k == "Location") {
                let mut seed = vec![i as u8, idx as u8, 1];
                seed.extend_from_slice(loc.1.as_bytes());
                write(
                    &corpus.join("location").join(format!("{}-{idx}", op.name())),
                    &seed,
                );
            }
        }
    }
    for (n, loc) in [
        "http://evil.example/steal",
        "//evil.example/x",
        "http://diauth.garmin.test/di-oauth2-service/oauth/token",
        "https://sso.garmin.test/sso/signin",
        "/sso/embed?x=1",
        "http://consumer.example.test/oauth_consumer.json",
    ]
    .iter()
    .enumerate()
    {
        for st in [1u8, 3] {
            let mut seed = vec![2u8, 1, st];
            seed.extend_from_slice(loc.as_bytes());
            write(
                &corpus.join("location").join(format!("foreign-{n}-{st}")),
                &seed,
            );
        }
    }
    // JWT claims as the simulator writes them.
    for (n, t) in fixtures.iter().enumerate() {
        if let Tokens::Di { di } = t {
            let jwt = di.access_token.expose().to_string();
            if let Some(claims) = jwt.split('.').nth(1) {
                let claims = decode_b64url(claims);
                for sel in 0..JWT_OPS.len() as u8 {
                    let mut seed = vec![sel];
                    seed.extend_from_slice(&claims);
                    write(&corpus.join("jwt").join(format!("sim-{n}-{sel}")), &seed);
                }
            }
        }
    }
    // Token documents: each loader's own format, from the recorded tokens and the core's fixtures.
    let fx = root.join("../crates/core/tests/fixtures");
    let read = |p: &str| std::fs::read_to_string(fx.join(p)).unwrap();
    let mut docs: Vec<(u8, String)> = Vec::new();
    for t in &fixtures {
        docs.push((0, t.to_json()));
        docs.push((3, t.to_json()));
        if let Ok(s) = garmin_sso_core::export_garth_dumps(t) {
            docs.push((1, s));
        }
        if let Ok(s) = garmin_sso_core::export_garminconnect(t) {
            docs.push((2, s.clone()));
            docs.push((4, format!("{SEPARATOR}{SEPARATOR}{SEPARATOR}{s}")));
        }
    }
    docs.push((1, read("garth_dumps.txt")));
    docs.push((2, read("garminconnect/garmin_tokens.json")));
    docs.push((
        4,
        format!(
            "{}{SEPARATOR}{}",
            read("garth_legacy/oauth1_token.json"),
            read("garth_legacy/oauth2_token.json")
        ),
    ));
    docs.push((
        4,
        format!("{SEPARATOR}{SEPARATOR}{}", read("garth_di/di_token.json")),
    ));
    for (n, (sel, doc)) in docs.iter().enumerate() {
        let mut seed = vec![*sel];
        seed.extend_from_slice(doc.as_bytes());
        write(&corpus.join("tokens").join(format!("doc-{n}")), &seed);
    }
    // URLs: web-view navigations, base URLs, messages that quote URLs, signer input.
    let urls: [(u8, &str); 9] = [
        (0, "https://mobile.integration.garmin.com/gcm/android?ticket=ST-0123456-abcdefXYZ-cas"),
        (0, "<html><script>var response_url = \"https:\\/\\/mobile.integration.garmin.com\\/gcm\\/android?ticket=ST-1-ab-cas\";</script></html>"),
        (1, "connect failed: https://sso.garmin.com/sso/login?ticket=ST-12345-abc-cas&x=%2F"),
        (1, "GET sso.garmin.com/sso/login?ticket=ST-12345-abc-cas"),
        (2, "http://user:hunter22@127.0.0.1:8080/base"),
        (2, "https://sso.garmin.com/"),
        (3, "https://connectapi.garmin.com/oauth-service/oauth/preauthorized?ticket=ST-1&login-url=https://sso.garmin.com/sso/embed\naccept-tos=true"),
        (3, "https://connectapi.garmin.com/a/./b/%7E?x=1&x=2\n"),
        (4, "http://sso.garmin.test:80/sso/signin"),
    ];
    for (n, (sel, u)) in urls.iter().enumerate() {
        let mut seed = vec![*sel];
        seed.extend_from_slice(u.as_bytes());
        write(&corpus.join("urls").join(format!("url-{n}")), &seed);
    }
}

fn decode_b64url(s: &str) -> Vec<u8> {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes() {
        let Some(v) = A.iter().position(|&a| a == c) else {
            continue;
        };
        bits = (bits << 6) | v as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}
