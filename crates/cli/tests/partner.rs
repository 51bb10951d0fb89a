//! `garmin-sso partner login` against `garmin-sso simulate --partner-client …`: the test plays the
//! person's browser over plain HTTP (consent page, form, then the redirect's Location, which for a
//! loopback redirect URI is the CLI's own listener). Then the stored partner tokens call the
//! partner API, and refresh only with the app's secret from the environment. Declined consent,
//! a pasted callback, a forged state and nobody coming each end with their exit code. No output
//! carries the secret, the password or the code; the state only inside the URL line.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdin, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const EMAIL: &str = "partner-person@example.org";
const PASSWORD: &str = "consent-pw-4e1b";
const LOOP_ID: &str = "cli-loopback-app";
const LOOP_SECRET: &str = "loop-secret-83d1f";
const PASTE_ID: &str = "cli-paste-app";
const PASTE_SECRET: &str = "paste-secret-5b2a9";
const PASTE_REDIRECT: &str = "https://app.example/cb";
/// How long any one child may take before the test gives up on it.
const CHILD_DEADLINE: Duration = Duration::from_secs(60);

fn partner_sim() -> Sim {
    let account = format!("{EMAIL}:{PASSWORD}");
    let loopback = format!("{LOOP_ID},{LOOP_SECRET},http://127.0.0.1/callback");
    let paste = format!("{PASTE_ID},{PASTE_SECRET},{PASTE_REDIRECT}");
    Sim::start_with(&[
        "--account",
        &account,
        "--partner-client",
        &loopback,
        "--partner-client",
        &paste,
    ])
}

fn stat(sim: &Sim, name: &str) -> u64 {
    sim.admin("GET", "/__sim/stats")[name].as_u64().unwrap()
}

/// A `garmin-sso partner login` child: its first stdout line (the consent URL) is read as soon
/// as it comes; the rest of its output when it ends. Killed when dropped.
struct Login {
    child: Child,
    stdin: Option<ChildStdin>,
    first_line: mpsc::Receiver<String>,
    output: mpsc::Receiver<(String, String)>,
}

impl Drop for Login {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Login {
    /// `partner login ARGS --base-url SIM`, with `stdin` written and stdin kept open.
    fn start(sim: &Sim, args: &[&str], stdin: &str) -> Login {
        let mut child = Command::new(BIN)
            .args(["partner", "login"])
            .args(args)
            .args(["--base-url", &sim.url])
            .env("RUST_LOG", "trace")
            .env_remove("GARMIN_SSO_PARTNER_CLIENT_SECRET")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.as_bytes()).unwrap();
        input.flush().unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let (line_tx, first_line) = mpsc::channel();
        let (err_tx, err_rx) = mpsc::channel();
        let (out_tx, output) = mpsc::channel();
        // stderr on its own thread, so that a chatty child never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut e = String::new();
            let _ = stderr.read_to_string(&mut e);
            let _ = err_tx.send(e);
        });
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut first = String::new();
            let _ = reader.read_line(&mut first);
            let _ = line_tx.send(first.clone());
            let mut rest = String::new();
            let _ = reader.read_to_string(&mut rest);
            let err = err_rx.recv().unwrap_or_default();
            let _ = out_tx.send((first + &rest, err));
        });
        Login {
            child,
            stdin: Some(input),
            first_line,
            output,
        }
    }

    /// The consent page's URL: the first stdout line, alone.
    fn url(&self) -> String {
        let line = self.first_line.recv_timeout(CHILD_DEADLINE).unwrap();
        let url = line.trim_end_matches('\n').to_owned();
        assert!(
            url.starts_with("http://127.0.0.1:") && url.contains("/oauth2Confirm?"),
            "first line: {line:?}"
        );
        url
    }

    /// Writes one more stdin line and closes stdin.
    fn answer(&mut self, line: &str) {
        let mut input = self.stdin.take().unwrap();
        writeln!(input, "{line}").unwrap();
    }

    /// Waits (bounded) for the child to end: its status, stdout and stderr.
    fn finish(mut self) -> (ExitStatus, String, String) {
        drop(self.stdin.take());
        let (out, err) = self
            .output
            .recv_timeout(CHILD_DEADLINE)
            .expect("partner login did not end in time");
        let status = self.child.wait().unwrap();
        (status, out, err)
    }
}

/// One HTTP/1.1 request with `Connection: close`: status, Location, body.
fn http(method: &str, url: &str, form: &str) -> (u16, Option<String>, String) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let target = if target.is_empty() { "/" } else { target };
    let mut s = TcpStream::connect(host).unwrap();
    s.set_read_timeout(Some(CHILD_DEADLINE)).unwrap();
    write!(
        s,
        "{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let location = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("location")
            .then(|| v.trim().to_owned())
    });
    (status, location, body.to_owned())
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The person in the browser: opens the consent page, signs in and presses `decision`; the
/// redirect's Location, not followed.
fn consent(url: &str, decision: &str) -> String {
    let (status, _, page) = http("GET", url, "");
    assert_eq!(status, 200, "{page}");
    let id = page
        .split("name=\"request_id\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap();
    let base = url.split("/oauth2Confirm").next().unwrap();
    let form = format!(
        "request_id={}&email={}&password={}&decision={decision}",
        enc(id),
        enc(EMAIL),
        enc(PASSWORD)
    );
    let (status, location, body) = http("POST", &format!("{base}/oauth2Confirm"), &form);
    assert_eq!(status, 302, "{body}");
    location.unwrap()
}

fn param(url: &str, name: &str) -> String {
    let query = url.split_once('?').unwrap().1;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .unwrap()
        .to_owned()
}

/// Runs `garmin-sso ARGS --base-url SIM` with extra environment variables.
fn run_env(sim: &Sim, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .args(["--base-url", &sim.url])
        .env("RUST_LOG", "trace")
        .env_remove("GARMIN_SSO_PARTNER_CLIENT_SECRET")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn assert_no_secrets(all: &str, code: Option<&str>) {
    for secret in [LOOP_SECRET, PASTE_SECRET, PASSWORD] {
        assert!(!all.contains(secret), "a secret in the output:\n{all}");
    }
    if let Some(code) = code {
        assert!(!all.contains(code), "the code in the output:\n{all}");
    }
}

fn loopback_args<'a>(db: &'a str, timeout: &'a str) -> Vec<&'a str> {
    vec![
        "--client-id",
        LOOP_ID,
        "--client-secret-stdin",
        "--redirect-uri",
        "http://127.0.0.1/callback",
        "--scope",
        "ACTIVITY_EXPORT",
        "--store",
        db,
        "--account",
        "me",
        "--timeout",
        timeout,
    ]
}

#[test]
fn loopback_login_then_api_calls_refresh_only_with_the_secret() {
    let sim = partner_sim();
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("tokens.db").display());
    let login = Login::start(&sim, &loopback_args(&db, "60"), &format!("{LOOP_SECRET}\n"));
    let url = login.url();
    let state = param(&url, "state");
    let location = consent(&url, "allow");
    // The listener's port, picked by the CLI and written into the redirect URI Garmin used.
    assert!(location.starts_with("http://127.0.0.1:"), "{location}");
    assert!(!location.starts_with("http://127.0.0.1/"), "{location}");
    let code = param(&location, "code");
    // A browser's stray request is answered 404 and does not end the wait.
    let origin = location.split("/callback").next().unwrap();
    let (status, _, _) = http("GET", &format!("{origin}/favicon.ico"), "");
    assert_eq!(status, 404);
    // The redirect itself: a page that echoes nothing of it.
    let (status, _, page) = http("GET", &location, "");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("close this window"), "{page}");
    assert!(!page.contains(&code) && !page.contains(&state), "{page}");

    let (status, out, err) = login.finish();
    let all = format!("{out}{err}");
    assert_eq!(status.code(), Some(0), "{all}");
    assert!(out.contains("token family: partner"), "{out}");
    assert_no_secrets(&all, Some(&code));
    // The state only in the URL line the person must open.
    assert_eq!(all.matches(&state).count(), 1, "{all}");
    assert_eq!(stat(&sim, "partner_token_grants"), 1);

    let export = run(&["export", "--store", &db, "--account", "me"], "");
    assert_exit(&export, 0);
    assert!(
        String::from_utf8_lossy(&export.stdout).contains("\"kind\":\"partner\""),
        "{}",
        text(&export)
    );

    let get = [
        "get",
        "/wellness-api/rest/user/id",
        "--store",
        &db,
        "--account",
        "me",
    ];
    let me = run_env(&sim, &get, &[]);
    assert_exit(&me, 0);
    assert!(
        String::from_utf8_lossy(&me.stdout).contains("userId"),
        "{}",
        text(&me)
    );

    // Two days on the access token has expired: without the secret the refresh is refused with
    // the variable to set; with it the call refreshes once.
    let now = sim.admin("POST", "/__sim/clock/advance?secs=172800")["now"]
        .as_i64()
        .unwrap()
        .to_string();
    let refused = run_env(&sim, &get, &[("GARMIN_SSO_TEST_NOW", &now)]);
    assert_exit(&refused, 2);
    assert!(
        text(&refused).contains("set GARMIN_SSO_PARTNER_CLIENT_SECRET"),
        "{}",
        text(&refused)
    );
    assert_eq!(stat(&sim, "partner_refreshes"), 0);
    let refreshed = run_env(
        &sim,
        &get,
        &[
            ("GARMIN_SSO_TEST_NOW", &now),
            ("GARMIN_SSO_PARTNER_CLIENT_SECRET", LOOP_SECRET),
        ],
    );
    assert_exit(&refreshed, 0);
    assert!(String::from_utf8_lossy(&refreshed.stdout).contains("userId"));
    assert_eq!(stat(&sim, "partner_refreshes"), 1);
    for o in [&me, &refused, &refreshed] {
        assert_no_secrets(&text(o), Some(&code));
    }
    // The rotated tokens were saved: the next call needs no refresh.
    let again = run_env(&sim, &get, &[("GARMIN_SSO_TEST_NOW", &now)]);
    assert_exit(&again, 0);
    assert_eq!(stat(&sim, "partner_refreshes"), 1);
}

#[test]
fn a_declined_consent_exits_12() {
    let sim = partner_sim();
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("tokens.db").display());
    let login = Login::start(&sim, &loopback_args(&db, "60"), &format!("{LOOP_SECRET}\n"));
    let location = consent(&login.url(), "deny");
    assert!(location.contains("error=access_denied"), "{location}");
    let (status, _, _) = http("GET", &location, "");
    assert_eq!(status, 200);
    let (status, out, err) = login.finish();
    assert_eq!(status.code(), Some(12), "{out}{err}");
    assert!(err.contains("access_denied"), "{err}");
    assert_no_secrets(&format!("{out}{err}"), None);
    assert_eq!(stat(&sim, "partner_codes"), 0);
    assert_eq!(stat(&sim, "partner_token_grants"), 0);
}

fn paste_args(db: &str) -> Vec<&str> {
    vec![
        "--client-id",
        PASTE_ID,
        "--client-secret-stdin",
        "--redirect-uri",
        PASTE_REDIRECT,
        "--store",
        db,
        "--account",
        "pasted",
    ]
}

#[test]
fn a_pasted_callback_signs_in() {
    let sim = partner_sim();
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("tokens.db").display());
    let mut login = Login::start(&sim, &paste_args(&db), &format!("{PASTE_SECRET}\n"));
    let url = login.url();
    let location = consent(&url, "allow");
    assert!(location.starts_with(PASTE_REDIRECT), "{location}");
    let code = param(&location, "code");
    login.answer(&location);
    let (status, out, err) = login.finish();
    let all = format!("{out}{err}");
    assert_eq!(status.code(), Some(0), "{all}");
    assert!(err.contains("paste"), "{err}");
    assert_no_secrets(&all, Some(&code));
    assert_eq!(stat(&sim, "partner_token_grants"), 1);
    let status = run(&["status", "--store", &db, "--account", "pasted"], "");
    assert_exit(&status, 0);
    assert!(text(&status).contains("token family: partner"));
}

#[test]
fn a_json_file_store_keeps_partner_tokens_without_an_account() {
    let sim = partner_sim();
    let dir = tempfile::tempdir().unwrap();
    let store = format!("json:{}", dir.path().join("partner.json").display());
    let args = [
        "--client-id",
        PASTE_ID,
        "--client-secret-stdin",
        "--redirect-uri",
        PASTE_REDIRECT,
        "--store",
        &store,
    ];
    let mut login = Login::start(&sim, &args, &format!("{PASTE_SECRET}\n"));
    let location = consent(&login.url(), "allow");
    login.answer(&location);
    let (status, out, err) = login.finish();
    assert_eq!(status.code(), Some(0), "{out}{err}");
    let saved = std::fs::read_to_string(dir.path().join("partner.json")).unwrap();
    assert!(
        saved.contains("\"kind\":\"partner\""),
        "the file holds the token JSON"
    );
    assert!(
        !saved.contains(PASTE_SECRET),
        "the app's secret is not stored"
    );
    let status = run(&["status", "--store", &store], "");
    assert_exit(&status, 0);
    assert!(text(&status).contains("token family: partner"));
}

#[test]
fn a_pasted_callback_with_another_state_is_refused() {
    let sim = partner_sim();
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("tokens.db").display());
    let mut login = Login::start(&sim, &paste_args(&db), &format!("{PASTE_SECRET}\n"));
    let location = consent(&login.url(), "allow");
    let state = param(&location, "state");
    let forged = location.replace(&format!("state={state}"), "state=forged-state");
    login.answer(&forged);
    let (status, out, err) = login.finish();
    assert_eq!(status.code(), Some(2), "{out}{err}");
    assert!(err.contains("state"), "{err}");
    assert_eq!(stat(&sim, "partner_token_grants"), 0);
    let nothing = run(&["status", "--store", &db, "--account", "pasted"], "");
    assert_exit(&nothing, 7);
}

#[test]
fn nobody_coming_back_times_out_with_exit_9() {
    let sim = partner_sim();
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("tokens.db").display());
    let login = Login::start(&sim, &loopback_args(&db, "1"), &format!("{LOOP_SECRET}\n"));
    login.url();
    let (status, out, err) = login.finish();
    assert_eq!(status.code(), Some(9), "{out}{err}");
    assert!(err.contains("within 1 s"), "{err}");
    assert_no_secrets(&format!("{out}{err}"), None);
}

#[test]
fn partner_login_refuses_a_token_folder_and_a_secret_argument() {
    let sim = partner_sim();
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().display().to_string();
    let o = sim.run(
        &[
            "partner",
            "login",
            "--client-id",
            LOOP_ID,
            "--client-secret-stdin",
            "--redirect-uri",
            "http://127.0.0.1/callback",
            "--token-dir",
            &folder,
        ],
        &format!("{LOOP_SECRET}\n"),
    );
    assert_exit(&o, 2);
    assert!(text(&o).contains("--store sqlite:PATH"), "{}", text(&o));
    // Refused before anything was printed or listened on.
    assert!(o.stdout.is_empty(), "{}", text(&o));
    let o = sim.run(
        &[
            "partner",
            "login",
            "--client-id",
            LOOP_ID,
            "--redirect-uri",
            "http://127.0.0.1/callback",
            "--store",
            "sqlite:/nonexistent/x.db",
            "--account",
            "me",
        ],
        "",
    );
    assert_exit(&o, 2);
    assert!(text(&o).contains("--client-secret-stdin"), "{}", text(&o));
}

#[test]
fn simulate_refuses_a_malformed_partner_client_without_quoting_it() {
    let o = run(
        &[
            "simulate",
            "--account",
            "a@example.org:pw",
            "--partner-client",
            "some-app,hush-hush-secret",
        ],
        "",
    );
    assert_exit(&o, 1);
    let t = text(&o);
    assert!(
        t.contains("--partner-client must be CLIENT_ID,SECRET,REDIRECT_URI"),
        "{t}"
    );
    assert!(!t.contains("hush-hush-secret"), "{t}");
}
