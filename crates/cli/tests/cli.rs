//! The `garmin-sso` binary end to end: `simulate` runs as a child process, every other command runs
//! against it exactly as a user would (stdin, flags, exit codes, files), and the simulator's admin API
//! (`/__sim/…`) injects faults and reports what it saw.
#![allow(clippy::unwrap_used)]

use base64::Engine as _;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Output;

mod common;
use common::{assert_exit, run, text, Sim};

const PLAIN_EMAIL: &str = "runner@example.com";
const PLAIN_PASSWORD: &str = "Plain-pa55-word";
const MFA_EMAIL: &str = "mfa.runner@example.com";
const MFA_PASSWORD: &str = "Mfa-pa55-word";
const MFA_CODE: &str = "482916";

impl Sim {
    fn start() -> Sim {
        let plain = format!("{PLAIN_EMAIL}:{PLAIN_PASSWORD}");
        let mfa = format!("{MFA_EMAIL}:{MFA_PASSWORD}:{MFA_CODE}");
        Sim::start_with(&["--account", &plain, "--account", &mfa])
    }

    fn stats(&self) -> Value {
        self.admin("GET", "/__sim/stats")
    }

    fn route_count(&self, route: &str) -> u64 {
        self.stats()["requests"][route].as_u64().unwrap_or(0)
    }

    /// The routes of every recorded request, oldest first.
    fn routes(&self) -> Vec<String> {
        let reqs = self.admin("GET", "/__sim/requests");
        reqs.as_array()
            .unwrap()
            .iter()
            .map(|r| r["route"].as_str().unwrap().to_owned())
            .collect()
    }

    fn login(&self, dir: &Path, email: &str, stdin: &str, extra: &[&str]) -> Output {
        let mut args = vec![
            "login",
            "--email",
            email,
            "--password-stdin",
            "--token-dir",
            dir.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        self.run(&args, stdin)
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited, not killed")
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every string value in the token files of `dir` (tokens, secrets, MFA tokens), recursively.
fn secrets_in(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for name in ["oauth1_token.json", "oauth2_token.json", "di_token.json"] {
        let p = dir.join(name);
        if !p.exists() {
            continue;
        }
        let v = read_json(&p);
        for key in [
            "oauth_token",
            "oauth_token_secret",
            "mfa_token",
            "access_token",
            "refresh_token",
            "jti",
        ] {
            if let Some(s) = v[key].as_str().filter(|s| s.len() >= 8) {
                out.push(s.to_owned());
            }
        }
    }
    out
}

/// No password, MFA code or token value appears anywhere in the command's stdout or stderr (which
/// runs with `RUST_LOG=trace`, so log lines are checked too).
fn assert_no_secrets(o: &Output, secrets: &[String]) {
    let all = text(o);
    for s in secrets {
        assert!(
            !all.contains(s.as_str()),
            "a secret leaked into the output:\n{all}"
        );
    }
    // Values no file keeps: service tickets (`ST-<digits>-…`) and JWTs (base64 of `{"`).
    let ticket = all
        .match_indices("ST-")
        .any(|(i, _)| all[i + 3..].starts_with(|c: char| c.is_ascii_digit()));
    assert!(!ticket, "a service ticket leaked into the output:\n{all}");
    assert!(!all.contains("eyJ"), "a JWT leaked into the output:\n{all}");
}

fn fixed_secrets() -> Vec<String> {
    [PLAIN_PASSWORD, MFA_PASSWORD, MFA_CODE]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn login_without_mfa_stores_di_tokens_privately() {
    let sim = Sim::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tokens");
    let out = sim.login(&dir, PLAIN_EMAIL, &format!("{PLAIN_PASSWORD}\n"), &[]);
    assert_exit(&out, 0);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("di tokens saved"),
        "{}",
        text(&out)
    );

    let di = read_json(&dir.join("di_token.json"));
    for field in [
        "client_id",
        "token_type",
        "access_token",
        "refresh_token",
        "expires_at",
    ] {
        assert!(!di[field].is_null(), "di_token.json lacks {field}: {di}");
    }
    assert_eq!(di["client_id"], "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2");
    assert!(!dir.join("oauth1_token.json").exists());
    #[cfg(unix)]
    {
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("di_token.json")), 0o600);
    }
    // The default chain starts with the mobile JSON flow and the ticket went to diauth.
    assert_eq!(sim.route_count("mobile_login"), 1);
    assert_eq!(sim.stats()["di_token_grants"], 1);
    let mut secrets = fixed_secrets();
    secrets.extend(secrets_in(&dir));
    assert_no_secrets(&out, &secrets);
}

#[test]
fn widget_login_with_mfa_code_on_second_stdin_line_writes_garth_files() {
    let sim = Sim::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("garth");
    let out = sim.login(
        &dir,
        MFA_EMAIL,
        &format!("{MFA_PASSWORD}\n{MFA_CODE}\n"),
        &["--flow", "widget", "--tokens", "oauth1"],
    );
    assert_exit(&out, 0);

    let o1 = read_json(&dir.join("oauth1_token.json"));
    let o2 = read_json(&dir.join("oauth2_token.json"));
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&o1),
        [
            "domain",
            "mfa_expiration_timestamp",
            "mfa_token",
            "oauth_token",
            "oauth_token_secret"
        ]
    );
    assert_eq!(
        keys(&o2),
        [
            "access_token",
            "expires_at",
            "expires_in",
            "jti",
            "refresh_token",
            "refresh_token_expires_at",
            "refresh_token_expires_in",
            "scope",
            "token_type"
        ]
    );
    assert_eq!(o1["domain"], "garmin.com");
    assert!(o1["mfa_token"].as_str().unwrap().starts_with("MFA-"));
    assert!(o2["expires_at"].as_i64().unwrap() > o2["expires_in"].as_i64().unwrap());
    #[cfg(unix)]
    {
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("oauth1_token.json")), 0o600);
        assert_eq!(mode(&dir.join("oauth2_token.json")), 0o600);
    }
    let routes = sim.routes();
    assert!(
        routes.contains(&"sso_signin_post".to_owned())
            && routes.contains(&"sso_mfa_post".to_owned()),
        "{routes:?}"
    );
    assert!(
        !routes
            .iter()
            .any(|r| r.starts_with("mobile") || r == "di_token"),
        "{routes:?}"
    );
    let mut secrets = fixed_secrets();
    secrets.extend(secrets_in(&dir));
    assert_no_secrets(&out, &secrets);
}

#[test]
fn mobile_flow_with_oauth1_tokens_makes_garth_0_8_requests_in_order() {
    let sim = Sim::start();
    let tmp = tempfile::tempdir().unwrap();
    let out = sim.login(
        tmp.path(),
        MFA_EMAIL,
        &format!("{MFA_PASSWORD}\n{MFA_CODE}\n"),
        &["--flow", "mobile", "--tokens", "oauth1"],
    );
    assert_exit(&out, 0);
    assert!(tmp.path().join("oauth2_token.json").exists());
    // garth 0.8.0's recorded MFA sign-in (tests/cassettes/test_login_command.yaml), request by
    // request, including the consumer JSON it fetched just before the embed page.
    assert_eq!(
        sim.routes(),
        [
            "mobile_signin_page",
            "mobile_login",
            "mobile_mfa_verify",
            "consumer",
            "portal_embed",
            "preauthorized",
            "exchange"
        ]
    );
}

#[test]
fn mfa_code_flag_is_used_instead_of_stdin() {
    let sim = Sim::start();
    let tmp = tempfile::tempdir().unwrap();
    // Only the password on stdin: the code comes from the flag.
    let out = sim.login(
        tmp.path(),
        MFA_EMAIL,
        &format!("{MFA_PASSWORD}\n"),
        &["--mfa-code", MFA_CODE],
    );
    assert_exit(&out, 0);
    assert!(tmp.path().join("di_token.json").exists());
}

#[test]
fn wrong_password_exits_3_and_wrong_code_exits_4_without_writing_tokens() {
    let sim = Sim::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("t");
    let out = sim.login(&dir, PLAIN_EMAIL, "not-the-password\n", &[]);
    assert_exit(&out, 3);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("invalid credentials"),
        "{}",
        text(&out)
    );
    assert_no_secrets(&out, &["not-the-password".to_owned()]);
    // Wrong credentials stop the chain at once: no widget or portal attempt after mobile said no.
    assert_eq!(
        sim.route_count("sso_signin_post") + sim.route_count("portal_login"),
        0
    );

    let out = sim.login(
        &dir,
        MFA_EMAIL,
        &format!("{MFA_PASSWORD}\n000000\n"),
        &["--flow", "widget"],
    );
    assert_exit(&out, 4);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("MFA code rejected"),
        "{}",
        text(&out)
    );
    assert_no_secrets(&out, &fixed_secrets());

    // MFA needed but stdin ends after the password: exit 8 (code needed), saying what is missing.
    let out = sim.login(&dir, MFA_EMAIL, &format!("{MFA_PASSWORD}\n"), &[]);
    assert_exit(&out, 8);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("MFA required"),
        "{}",
        text(&out)
    );
    assert!(!dir.exists(), "no sign-in worked, so nothing may be stored");
}

#[test]
fn rate_limits_and_bot_walls_exit_5() {
    let sim = Sim::start();
    let tmp = tempfile::tempdir().unwrap();
    sim.admin(
        "POST",
        "/__sim/fault?target=any&kind=429&times=always&retry_after=120",
    );
    let out = sim.login(tmp.path(), PLAIN_EMAIL, &format!("{PLAIN_PASSWORD}\n"), &[]);
    assert_exit(&out, 5);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("rate limited"),
        "{}",
        text(&out)
    );
    // Each strategy tried once, no retry storm.
    let total = sim.stats()["requests_total"].as_u64().unwrap();
    assert!(total <= 6, "{total} requests for one rate-limited chain");

    sim.admin("POST", "/__sim/clear");
    sim.admin(
        "POST",
        "/__sim/fault?target=widget_page&kind=cloudflare&times=always",
    );
    let out = sim.login(
        tmp.path(),
        PLAIN_EMAIL,
        &format!("{PLAIN_PASSWORD}\n"),
        &["--flow", "widget"],
    );
    assert_exit(&out, 5);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("blocked"),
        "{}",
        text(&out)
    );

    // Mobile rate limited once: the chain falls through to the other app's client id (its own
    // rate-limit bucket) and succeeds.
    sim.admin("POST", "/__sim/clear");
    sim.admin("POST", "/__sim/fault?target=mobile_login&kind=429");
    let before = sim.route_count("mobile_login");
    let out = sim.login(tmp.path(), PLAIN_EMAIL, &format!("{PLAIN_PASSWORD}\n"), &[]);
    assert_exit(&out, 0);
    assert_eq!(sim.route_count("mobile_login") - before, 2);

    // Both apps limited: the widget flow signs in.
    sim.admin("POST", "/__sim/clear");
    sim.admin("POST", "/__sim/fault?target=mobile_login&kind=429&times=2");
    let out = sim.login(tmp.path(), PLAIN_EMAIL, &format!("{PLAIN_PASSWORD}\n"), &[]);
    assert_exit(&out, 0);
    assert!(sim.route_count("sso_signin_post") >= 1);
}

#[test]
fn status_get_upload_export_import_logout() {
    let sim = Sim::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("t");
    let d = dir.to_str().unwrap();
    assert_exit(
        &sim.login(&dir, PLAIN_EMAIL, &format!("{PLAIN_PASSWORD}\n"), &[]),
        0,
    );
    let mut secrets = fixed_secrets();
    secrets.extend(secrets_in(&dir));

    let out = run(&["status", "--token-dir", d], "");
    assert_exit(&out, 0);
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.contains("token family: di")
            && s.contains("access token expires")
            && s.contains("access token valid"),
        "{s}"
    );
    assert_no_secrets(&out, &secrets);

    let out = sim.run(
        &[
            "get",
            "/userprofile-service/socialProfile",
            "--token-dir",
            d,
        ],
        "",
    );
    assert_exit(&out, 0);
    let profile: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(profile["displayName"], "runner");
    assert_no_secrets(&out, &secrets);

    let out = sim.run(
        &[
            "get",
            "/workout-service/workouts",
            "--query",
            "start=1",
            "--query",
            "limit=5",
            "--token-dir",
            d,
        ],
        "",
    );
    assert_exit(&out, 0);
    let reqs = sim.admin("GET", "/__sim/requests");
    let last = reqs.as_array().unwrap().last().unwrap();
    assert_eq!(last["route"], "workouts");
    assert_eq!(last["query"], "start=1&limit=5");

    let fit = tmp.path().join("ride.fit");
    std::fs::write(
        &fit,
        b"\x0e\x10\x54\x08\x00\x00\x00\x00.FIT\x00\x00 a ride, as far as the simulator cares",
    )
    .unwrap();
    let out = sim.run(&["upload", fit.to_str().unwrap(), "--token-dir", d], "");
    assert_exit(&out, 0);
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        answer["detailedImportResult"]["uploadId"].is_number(),
        "{answer}"
    );
    assert_eq!(
        answer["detailedImportResult"]["successes"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let out = sim.run(&["upload", fit.to_str().unwrap(), "--token-dir", d], "");
    assert_exit(&out, 6);
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        answer["detailedImportResult"]["failures"][0]["messages"][0]["content"],
        "Duplicate Activity."
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("duplicate activity"));
    assert_eq!(sim.stats()["duplicate_uploads"], 1);

    let out = run(&["export", "--token-dir", d], "");
    assert_exit(&out, 0);
    let exported = String::from_utf8(out.stdout).unwrap();
    let v: Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["kind"], "di");
    assert_eq!(
        v["di"]["access_token"],
        read_json(&dir.join("di_token.json"))["access_token"]
    );

    let out = run(&["logout", "--token-dir", d], "");
    assert_exit(&out, 0);
    assert!(!dir.join("di_token.json").exists());
    let out = run(&["status", "--token-dir", d], "");
    assert_exit(&out, 7);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no tokens"),
        "{}",
        text(&out)
    );

    let out = run(&["import", "--token-dir", d], &exported);
    assert_exit(&out, 0);
    assert_no_secrets(&out, &secrets);
    let out = sim.run(
        &[
            "get",
            "/userprofile-service/socialProfile",
            "--token-dir",
            d,
        ],
        "",
    );
    assert_exit(&out, 0);
}

#[test]
fn eight_processes_sharing_a_token_dir_refresh_once_and_all_succeed() {
    // Garmin refuses a DI refresh token once used: without one lock across processes, seven of
    // eight would present the spent token and end the session for good.
    let sim = Sim::start();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().to_str().unwrap().to_owned();
    assert_exit(
        &sim.login(tmp.path(), PLAIN_EMAIL, &format!("{PLAIN_PASSWORD}\n"), &[]),
        0,
    );
    sim.admin("POST", "/__sim/expire?what=access");
    let sim = std::sync::Arc::new(sim);
    let outs: Vec<Output> = (0..8)
        .map(|_| {
            let (sim, d) = (sim.clone(), d.clone());
            std::thread::spawn(move || {
                sim.run(
                    &[
                        "get",
                        "/userprofile-service/socialProfile",
                        "--token-dir",
                        &d,
                    ],
                    "",
                )
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    for out in &outs {
        assert_exit(out, 0);
    }
    assert_eq!(
        sim.stats()["di_refreshes"],
        1,
        "one refresh for eight processes"
    );
}

#[test]
fn get_refreshes_di_tokens_and_saves_the_rotated_ones() {
    let sim = Sim::start();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().to_str().unwrap();
    assert_exit(
        &sim.login(tmp.path(), PLAIN_EMAIL, &format!("{PLAIN_PASSWORD}\n"), &[]),
        0,
    );
    let before = read_json(&tmp.path().join("di_token.json"));

    sim.admin("POST", "/__sim/expire?what=access");
    let out = sim.run(
        &[
            "get",
            "/userprofile-service/socialProfile",
            "--token-dir",
            d,
        ],
        "",
    );
    assert_exit(&out, 0);
    assert_eq!(sim.stats()["di_refreshes"], 1);
    let after = read_json(&tmp.path().join("di_token.json"));
    assert_ne!(after["access_token"], before["access_token"]);
    assert_ne!(
        after["refresh_token"], before["refresh_token"],
        "refresh tokens rotate"
    );
    #[cfg(unix)]
    assert_eq!(mode(&tmp.path().join("di_token.json")), 0o600);

    // The old refresh token is spent; the saved one works (a second refresh succeeds).
    let out = sim.run(&["refresh", "--token-dir", d], "");
    assert_exit(&out, 0);
    assert_eq!(sim.stats()["di_refreshes"], 2);
    let third = read_json(&tmp.path().join("di_token.json"));
    assert_ne!(third["refresh_token"], after["refresh_token"]);
    let mut secrets = fixed_secrets();
    secrets.extend(secrets_in(tmp.path()));
    assert_no_secrets(&out, &secrets);

    // A dead refresh credential exits 7 (sign-in needed), saying to sign in again; the files stay.
    sim.admin("POST", "/__sim/expire?what=all");
    let out = sim.run(&["refresh", "--token-dir", d], "");
    assert_exit(&out, 7);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("sign-in needed"),
        "{}",
        text(&out)
    );
    assert_eq!(read_json(&tmp.path().join("di_token.json")), third);
}

#[test]
fn legacy_tokens_refresh_and_stay_in_garths_layout() {
    let sim = Sim::start();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().to_str().unwrap();
    assert_exit(
        &sim.login(
            tmp.path(),
            PLAIN_EMAIL,
            &format!("{PLAIN_PASSWORD}\n"),
            &["--tokens", "oauth1"],
        ),
        0,
    );
    let o1 = read_json(&tmp.path().join("oauth1_token.json"));
    let o2 = read_json(&tmp.path().join("oauth2_token.json"));

    sim.admin("POST", "/__sim/expire?what=access");
    let fit = tmp.path().join("walk.fit");
    std::fs::write(&fit, b".FIT walk").unwrap();
    let out = sim.run(&["upload", fit.to_str().unwrap(), "--token-dir", d], "");
    assert_exit(&out, 0);
    assert_eq!(sim.stats()["legacy_refreshes"], 1);
    assert_eq!(
        read_json(&tmp.path().join("oauth1_token.json")),
        o1,
        "the OAuth1 token is kept"
    );
    assert_ne!(
        read_json(&tmp.path().join("oauth2_token.json"))["access_token"],
        o2["access_token"]
    );
    assert!(
        !tmp.path().join("di_token.json").exists(),
        "written back in the layout it was read from"
    );
}

#[test]
fn imports_garth_dumps_and_garminconnect_json() {
    let sim = Sim::start();
    let tmp = tempfile::tempdir().unwrap();
    let legacy = tmp.path().join("legacy");
    let di = tmp.path().join("di");
    assert_exit(
        &sim.login(
            &legacy,
            PLAIN_EMAIL,
            &format!("{PLAIN_PASSWORD}\n"),
            &["--tokens", "oauth1"],
        ),
        0,
    );
    assert_exit(
        &sim.login(
            &di,
            PLAIN_EMAIL,
            &format!("{PLAIN_PASSWORD}\n"),
            &["--tokens", "di"],
        ),
        0,
    );

    // garth's Client.dumps(): base64 of the JSON list [oauth1, oauth2].
    let list = Value::Array(vec![
        read_json(&legacy.join("oauth1_token.json")),
        read_json(&legacy.join("oauth2_token.json")),
    ]);
    let dumps = base64::engine::general_purpose::STANDARD.encode(list.to_string());
    let from_garth = tmp.path().join("from-garth");
    let out = run(
        &["import", "--token-dir", from_garth.to_str().unwrap()],
        &format!("{dumps}\n"),
    );
    assert_exit(&out, 0);
    assert_eq!(read_json(&from_garth.join("oauth1_token.json")), list[0]);
    assert_exit(
        &sim.run(
            &[
                "get",
                "/userprofile-service/socialProfile",
                "--token-dir",
                from_garth.to_str().unwrap(),
            ],
            "",
        ),
        0,
    );

    // python-garminconnect's garmin_tokens.json.
    let t = read_json(&di.join("di_token.json"));
    let gc = serde_json::json!({
        "di_token": t["access_token"],
        "di_refresh_token": t["refresh_token"],
        "di_client_id": t["client_id"],
    });
    let from_gc = tmp.path().join("from-gc");
    let out = run(
        &["import", "--token-dir", from_gc.to_str().unwrap()],
        &gc.to_string(),
    );
    assert_exit(&out, 0);
    let imported = read_json(&from_gc.join("di_token.json"));
    assert_eq!(imported["access_token"], t["access_token"]);
    assert_eq!(imported["client_id"], t["client_id"]);
    assert_exit(
        &sim.run(
            &[
                "get",
                "/userprofile-service/socialProfile",
                "--token-dir",
                from_gc.to_str().unwrap(),
            ],
            "",
        ),
        0,
    );

    let out = run(
        &["import", "--token-dir", from_gc.to_str().unwrap()],
        "{\"something\": \"else\"}",
    );
    assert_exit(&out, 2);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unknown token JSON"),
        "{}",
        text(&out)
    );
}

#[test]
fn browser_url_and_exchange_ticket_finish_a_web_view_sign_in() {
    let sim = Sim::start();
    let out = sim.run(&["browser-url", "--client", "ios"], "");
    assert_exit(&out, 0);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("clientId=GCM_IOS_DARK"),
        "{}",
        text(&out)
    );

    let out = sim.run(&["browser-url"], "");
    assert_exit(&out, 0);
    let url = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(
        url.starts_with(&format!("{}/mobile/sso/", sim.url)),
        "{url}"
    );
    assert!(url.contains("clientId=GCM_ANDROID_DARK"), "{url}");

    // What the user does in the web view: post the form on that page; the page navigates to the
    // service URL carrying the ticket.
    let host = sim.url.trim_start_matches("http://");
    let target = url.trim_start_matches(&sim.url);
    let form = format!(
        "username={}&password={PLAIN_PASSWORD}",
        PLAIN_EMAIL.replace('@', "%40")
    );
    // The web view loads the page (and its cookies) first: a cold form POST gets 429.
    let mut s = TcpStream::connect(host).unwrap();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut page = String::new();
    s.read_to_string(&mut page).unwrap();
    let cookies: Vec<&str> = page
        .lines()
        .filter_map(|l| {
            l.strip_prefix("Set-Cookie: ")
                .or_else(|| l.strip_prefix("set-cookie: "))
        })
        .filter_map(|c| c.split(';').next())
        .collect();
    assert!(cookies.iter().any(|c| c.starts_with("SESSION=")), "{page}");
    let mut s = TcpStream::connect(host).unwrap();
    write!(
        s,
        "POST {target} HTTP/1.1\r\nHost: {host}\r\nCookie: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
        cookies.join("; "),
        form.len()
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let location = raw
        .lines()
        .find_map(|l| {
            l.strip_prefix("Location: ")
                .or_else(|| l.strip_prefix("location: "))
        })
        .unwrap_or_else(|| panic!("no redirect: {raw}"))
        .trim()
        .to_owned();
    assert!(location.contains("/gcm/android?ticket=ST-"), "{location}");

    let tmp = tempfile::tempdir().unwrap();
    let out = sim.run(
        &[
            "exchange-ticket",
            "--url",
            &location,
            "--token-dir",
            tmp.path().to_str().unwrap(),
        ],
        "",
    );
    assert_exit(&out, 0);
    assert!(tmp.path().join("di_token.json").exists());
    let ticket = location.split("ticket=").nth(1).unwrap().to_owned();
    assert_no_secrets(&out, std::slice::from_ref(&ticket));

    // Tickets are single-use: the same one again fails, and its value is not echoed.
    let out = sim.run(
        &[
            "exchange-ticket",
            "--ticket",
            "-",
            "--tokens",
            "oauth1",
            "--token-dir",
            tmp.path().to_str().unwrap(),
        ],
        &ticket,
    );
    assert_ne!(code(&out), 0);
    assert_no_secrets(&out, &[ticket]);
}

#[test]
fn demo_runs_offline_and_prints_no_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(&["demo", "--token-dir", tmp.path().to_str().unwrap()], "");
    assert_exit(&out, 0);
    let stdout = String::from_utf8_lossy(&out.stdout);
    for step in [
        "[1/7]",
        "MFA code",
        "token family: di",
        "refresh",
        "upload id",
        "duplicate activity",
        "token family: legacy",
    ] {
        assert!(
            stdout.contains(step),
            "demo output lacks {step:?}:\n{stdout}"
        );
    }
    // The demo account's fixed password and code (crates/cli/src/demo.rs), and every token it saved.
    let mut secrets = vec![
        "demo-Pa55word-never-printed".to_owned(),
        "246813".to_owned(),
    ];
    secrets.extend(secrets_in(tmp.path()));
    secrets.extend(secrets_in(&tmp.path().join("legacy")));
    assert!(
        secrets.len() >= 8,
        "the demo saved both token families: {}",
        secrets.len()
    );
    assert_no_secrets(&out, &secrets);
}

#[test]
fn simulate_refuses_bad_arguments() {
    let out = run(
        &["simulate", "--listen", "0.0.0.0:0", "--account", "a@b.c:pw"],
        "",
    );
    assert_exit(&out, 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
    let out = run(&["simulate", "--account", "no-password"], "");
    assert_exit(&out, 1);
    let out = run(
        &[
            "login",
            "--email",
            "a@b.c",
            "--password-stdin",
            "--domain",
            "garmin.org",
        ],
        "pw\n",
    );
    assert_exit(&out, 2);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("garmin.com or garmin.cn"),
        "{}",
        text(&out)
    );
}

#[test]
fn login_tries_ios_then_android_and_mobile_app_picks_the_first() {
    let sim = Sim::start();
    let tmp = tempfile::tempdir().unwrap();
    let limited = sim.admin(
        "POST",
        &format!(
            "/__sim/ratelimit?client_id=GCM_IOS_DARK&email={}",
            PLAIN_EMAIL.replace('@', "%40")
        ),
    );
    assert_eq!(limited["ok"], true, "{limited}");
    // The default chain: iOS (rate-limited for this account), then Android, which signs in.
    let out = sim.login(tmp.path(), PLAIN_EMAIL, &format!("{PLAIN_PASSWORD}\n"), &[]);
    assert_exit(&out, 0);
    assert_eq!(sim.route_count("mobile_login"), 2);
    // --mobile-app android puts Android first: one credential POST.
    let out = sim.login(
        tmp.path(),
        PLAIN_EMAIL,
        &format!("{PLAIN_PASSWORD}\n"),
        &["--mobile-app", "android"],
    );
    assert_exit(&out, 0);
    assert_eq!(sim.route_count("mobile_login"), 3);
    // --mobile-app ios: iOS first (limited), Android still the fallback.
    let out = sim.login(
        tmp.path(),
        PLAIN_EMAIL,
        &format!("{PLAIN_PASSWORD}\n"),
        &["--mobile-app", "ios"],
    );
    assert_exit(&out, 0);
    assert_eq!(sim.route_count("mobile_login"), 5);
    assert_eq!(sim.route_count("sso_signin_post"), 0);
}
