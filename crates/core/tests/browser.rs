//! Browser sign-in end to end in a real headless Chromium against the simulator's web sign-in page:
//! the test fills the form through DevTools (the page hook), the library catches the navigation to
//! the service URL before it loads, exchanges the ticket, and the tokens work. And a browser that
//! never reaches the ticket ends in a timeout on the configured clock.
//!
//! Needs Chromium or Chrome on PATH (Debian: `chromium`, installed by scripts/setup-deps.sh). When
//! none is found the tests print "skipped" and pass — except under `CI=true`, where they fail.
#![cfg(feature = "browser")]
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use garmin_sso_core::{
    find_browser, BrowserPage, BrowserSignIn, Client, ErrorKind, Session, TokenPreference,
    UreqTransport,
};
use garmin_sso_sim::{Account, MfaMethod as SimMfa};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The browser to test with, or `None` (after saying so) when there is none and this is not CI.
fn browser_or_skip(test: &str) -> Option<PathBuf> {
    let found = std::env::var_os("GARMIN_SSO_TEST_BROWSER")
        .map(PathBuf::from)
        .or_else(find_browser);
    if found.is_none() {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(
            !ci,
            "CI=true but no Chromium/Chrome on PATH: install Debian's `chromium` (scripts/setup-deps.sh)"
        );
        eprintln!("{test}: skipped (no Chromium or Chrome on PATH)");
    }
    found
}

/// Headless, every host name but loopback unresolvable (nothing leaves the machine, and a service
/// page that did load would fail loudly rather than reach Garmin), profile under `tmp`.
fn headless(exe: &Path, tmp: &Path, timeout: Duration) -> BrowserSignIn {
    BrowserSignIn::new()
        .executable(exe)
        .headless(true)
        .timeout(timeout)
        .temp_root(tmp)
        .arg("--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1")
}

/// Processes whose command line names `dir` (the browser and its helpers use the profile path).
fn processes_using(dir: &Path) -> Vec<String> {
    let needle = dir.to_string_lossy().into_owned();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains(&needle) {
            found.push(format!(
                "{}: {cmdline}",
                entry.file_name().to_string_lossy()
            ));
        }
    }
    found
}

/// Waits a moment for browser helpers to exit after the main process was reaped.
fn assert_no_process_left(dir: &Path) {
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        let left = processes_using(dir);
        if left.is_empty() {
            return;
        }
        assert!(Instant::now() < until, "browser processes left: {left:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn fill_form(page: &mut BrowserPage<'_>, email: &str, password: &str, code: &str) -> bool {
    let script = format!(
        r#"(() => {{
            const f = document.getElementById('sim-login-form');
            if (!f) return 'no-form';
            const code = document.getElementById('mfa-code');
            if (code) {{ code.value = {code:?}; f.submit(); return 'mfa'; }}
            document.getElementById('email').value = {email:?};
            document.getElementById('password').value = {password:?};
            f.submit();
            return 'credentials';
        }})()"#
    );
    let what = page.evaluate(&script).unwrap();
    what != "no-form"
}

#[test]
fn browser_sign_in_with_mfa_in_headless_chromium() {
    let Some(exe) = browser_or_skip("browser_sign_in_with_mfa_in_headless_chromium") else {
        return;
    };
    install_logger();
    let sim = sim_with(vec![
        Account::new(MFA_EMAIL, MFA_PASSWORD).with_mfa(MFA_CODE, SimMfa::Email)
    ]);
    let mut config = config(&sim);
    config.tokens = TokenPreference::Auto;
    let client = Client::with_transport(config, Arc::new(UreqTransport::new())).unwrap();
    let tmp = tempfile::tempdir().unwrap();

    let submitted = Arc::new(AtomicUsize::new(0));
    let count = submitted.clone();
    let tokens = headless(&exe, tmp.path(), Duration::from_secs(60))
        .on_page_load(move |page| {
            if fill_form(page, MFA_EMAIL, MFA_PASSWORD, MFA_CODE) {
                count.fetch_add(1, Ordering::SeqCst);
            }
            Ok(())
        })
        .sign_in(&client)
        .unwrap();
    assert_eq!(
        submitted.load(Ordering::SeqCst),
        2,
        "credentials, then the code"
    );
    assert_eq!(tokens.family().name(), "di");

    // The tokens work against the simulator's API.
    let session = Session::new(client.clone(), tokens);
    assert!(!session.profile().unwrap().display_name.is_empty());

    let requests = sim.requests();
    // The browser did sign in on the simulator's page (GET, credentials POST, code POST)...
    let posts = requests
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/sign-in"))
        .count();
    assert_eq!(posts, 2, "{:?}", paths(&requests));
    // ...and the service page was never requested.
    assert!(
        requests.iter().all(|r| !r.path.contains("/gcm/")),
        "{:?}",
        paths(&requests)
    );

    // Profile folder removed, browser gone, no ticket in any log line.
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    assert_no_process_left(tmp.path());
    // What any logger of this library shows (`log_record_is_safe`: our records, others' warnings;
    // tungstenite and ureq trace raw frames and bodies, and those never pass that filter).
    let logs: Vec<String> = captured_logs()
        .into_iter()
        .filter(|l| {
            let mut parts = l.split_whitespace();
            let level = parts.next().unwrap_or("");
            let target = parts.next().unwrap_or("");
            target.starts_with("garmin_sso") || level == "WARN" || level == "ERROR"
        })
        .collect();
    assert!(
        logs.iter().any(|l| l.contains("caught the service ticket")),
        "{logs:?}"
    );
    assert!(logs.iter().all(|l| !l.contains("ST-")), "{logs:?}");
}

fn paths(requests: &[garmin_sso_sim::RecordedRequest]) -> Vec<String> {
    requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[test]
fn browser_that_never_reaches_the_ticket_times_out_on_the_configured_clock() {
    let Some(exe) = browser_or_skip("browser_that_never_reaches_the_ticket_times_out") else {
        return;
    };
    let sim = sim();
    let mut config = config(&sim);
    // A clock running ten times faster than real time: the 40 s deadline passes in about 4 s, which
    // only happens when the deadline is measured on the configured clock.
    let start = Instant::now();
    let base = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    config.clock = Arc::new(move || base + (start.elapsed().as_millis() as i64 * 10) / 1000);
    let client = Client::with_transport(config, Arc::new(UreqTransport::new())).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let loads = Arc::new(AtomicUsize::new(0));
    let seen = loads.clone();

    let err = headless(&exe, tmp.path(), Duration::from_secs(40))
        .on_page_load(move |_| {
            // Nothing submits the form.
            seen.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
        .sign_in(&client)
        .unwrap_err();
    let took = start.elapsed();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(
        took < Duration::from_secs(20),
        "took {took:?}, deadline was ~4 s"
    );
    assert!(
        took >= Duration::from_secs(3),
        "took {took:?}: ended before the deadline"
    );
    assert!(loads.load(Ordering::SeqCst) >= 1, "the sign-in page loaded");
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    assert_no_process_left(tmp.path());
    assert!(sim.requests().iter().all(|r| r.method == "GET"));
}
