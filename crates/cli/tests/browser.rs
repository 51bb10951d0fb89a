//! `garmin-sso login --browser` end to end in a real headless Chromium against a `garmin-sso
//! simulate` child: the test connects a second DevTools client to the browser the CLI started
//! (found through the profile's `DevToolsActivePort` under the test's `TMPDIR`) and fills the
//! simulator's sign-in form, as a person would in the window. The CLI catches the ticket, stores
//! the tokens, and the stored tokens work. A browser in which nobody signs in ends with exit 9.
//!
//! Needs Chromium or Chrome on PATH (Debian: `chromium`, installed by scripts/setup-deps.sh). When
//! none is found the tests print "skipped" and pass — except under `CI=true`, where they fail.
#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{text, Sim, BIN};
const EMAIL: &str = "browser.runner@example.com";
const PASSWORD: &str = "Br0wser-pa55-word";
/// Nothing but loopback resolves in the test browser: no request can leave the machine.
const RESOLVER: &str = "--browser-arg=--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1";

fn browser_or_skip(test: &str) -> Option<PathBuf> {
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
        "chrome",
    ];
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = names.iter().find_map(|n| {
        std::env::split_paths(&path)
            .map(|d| d.join(n))
            .find(|p| p.is_file())
    });
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

impl Sim {
    fn start() -> Sim {
        Sim::start_with(&["--account", &format!("{EMAIL}:{PASSWORD}")])
    }

    fn request_paths(&self) -> Vec<String> {
        self.admin("GET", "/__sim/requests")
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r["method"].as_str().unwrap(),
                    r["path"].as_str().unwrap()
                )
            })
            .collect()
    }
}

/// Starts `garmin-sso login --browser --headless …` with `TMPDIR=tmp` (where the profile goes).
fn start_login(sim: &Sim, exe: &Path, tmp: &Path, tokens: &Path, timeout: u64) -> Child {
    Command::new(BIN)
        .args(["login", "--browser", "--headless", "--browser-path"])
        .arg(exe)
        .args(["--browser-timeout", &timeout.to_string(), RESOLVER])
        .args(["--token-dir", tokens.to_str().unwrap()])
        .args(["--base-url", &sim.url])
        .env("TMPDIR", tmp)
        .env("RUST_LOG", "trace")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait_output(child: Child, limit: Duration) -> Output {
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("garmin-sso did not exit within {limit:?}");
        }
    }
}

fn assert_no_ticket(o: &Output) {
    let all = text(o);
    let ticket = all
        .match_indices("ST-")
        .any(|(i, _)| all[i + 3..].starts_with(|c: char| c.is_ascii_digit()));
    assert!(!ticket, "a service ticket leaked into the output:\n{all}");
    assert!(!all.contains(PASSWORD));
}

/// A minimal second DevTools client.
struct DevTools {
    ws: tungstenite::WebSocket<TcpStream>,
    next: u64,
}

impl DevTools {
    /// Waits for the profile folder the CLI made under `tmp` and connects to its browser.
    fn find(tmp: &Path) -> DevTools {
        let until = Instant::now() + Duration::from_secs(30);
        loop {
            assert!(
                Instant::now() < until,
                "no DevToolsActivePort under {tmp:?}"
            );
            let port_file = std::fs::read_dir(tmp)
                .unwrap()
                .flatten()
                .map(|e| e.path().join("DevToolsActivePort"))
                .find(|p| p.exists());
            if let Some(text) = port_file.and_then(|p| std::fs::read_to_string(p).ok()) {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    let port = port.trim();
                    let stream = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
                    let url = format!("ws://127.0.0.1:{port}{}", path.trim());
                    let (ws, _) = tungstenite::client::client(url.as_str(), stream).unwrap();
                    return DevTools { ws, next: 1 };
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws
            .send(tungstenite::Message::text(msg.to_string()))
            .unwrap();
        loop {
            let m = self.ws.read().unwrap();
            let Ok(t) = m.to_text() else { continue };
            let v: Value = serde_json::from_str(t).unwrap();
            if v["id"].as_u64() == Some(id) {
                assert!(v.get("error").is_none(), "{method}: {v}");
                return v["result"].clone();
            }
        }
    }
}

#[test]
fn login_browser_stores_working_tokens_and_never_loads_the_service_page() {
    let Some(exe) = browser_or_skip("login_browser_stores_working_tokens") else {
        return;
    };
    let sim = Sim::start();
    let tmp = tempfile::tempdir().unwrap();
    let profiles = tmp.path().join("tmp");
    std::fs::create_dir(&profiles).unwrap();
    let tokens = tmp.path().join("tokens");
    let login = start_login(&sim, &exe, &profiles, &tokens, 60);

    // A person at the window: wait for the sign-in page, fill it, submit.
    let mut dt = DevTools::find(&profiles);
    let until = Instant::now() + Duration::from_secs(30);
    let target = loop {
        assert!(Instant::now() < until, "the sign-in page never opened");
        let targets = dt.call(None, "Target.getTargets", json!({}));
        let page =
            targets["targetInfos"].as_array().unwrap().iter().find(|t| {
                t["type"] == "page" && t["url"].as_str().unwrap_or("").starts_with(&sim.url)
            });
        if let Some(p) = page {
            break p["targetId"].as_str().unwrap().to_owned();
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let session = dt.call(
        None,
        "Target.attachToTarget",
        json!({"targetId": target, "flatten": true}),
    )["sessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let fill = format!(
        r#"(() => {{
            const f = document.getElementById('sim-login-form');
            if (!f || document.readyState !== 'complete') return false;
            document.getElementById('email').value = {EMAIL:?};
            document.getElementById('password').value = {PASSWORD:?};
            f.submit();
            return true;
        }})()"#
    );
    loop {
        assert!(Instant::now() < until, "the sign-in form never appeared");
        let r = dt.call(
            Some(&session),
            "Runtime.evaluate",
            json!({"expression": fill, "returnByValue": true}),
        );
        if r["result"]["value"] == true {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(dt);

    let out = wait_output(login, Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Signed in in the browser; di tokens saved"),
        "{}",
        text(&out)
    );
    assert_no_ticket(&out);
    // The profile folder is gone.
    assert_eq!(std::fs::read_dir(&profiles).unwrap().count(), 0);
    // The service page was never requested; the sign-in form was posted once.
    let paths = sim.request_paths();
    assert!(paths.iter().all(|p| !p.contains("/gcm/")), "{paths:?}");
    assert_eq!(
        paths
            .iter()
            .filter(|p| p.starts_with("POST /mobile/sso/"))
            .count(),
        1,
        "{paths:?}"
    );

    // The stored tokens work.
    let get = Command::new(BIN)
        .args(["get", "/userprofile-service/socialProfile", "--token-dir"])
        .arg(&tokens)
        .args(["--base-url", &sim.url])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(get.status.code(), Some(0), "{}", text(&get));
    assert!(String::from_utf8_lossy(&get.stdout).contains("displayName"));
}

#[test]
fn login_browser_nobody_signs_in_exits_9_after_the_timeout() {
    let Some(exe) = browser_or_skip("login_browser_nobody_signs_in") else {
        return;
    };
    let sim = Sim::start();
    let tmp = tempfile::tempdir().unwrap();
    let profiles = tmp.path().join("tmp");
    std::fs::create_dir(&profiles).unwrap();
    let tokens = tmp.path().join("tokens");
    let started = Instant::now();
    let login = start_login(&sim, &exe, &profiles, &tokens, 3);
    let out = wait_output(login, Duration::from_secs(30));
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(9), "{}", text(&out));
    assert!(text(&out).contains("timed out"), "{}", text(&out));
    assert!(took >= Duration::from_secs(2), "{took:?}");
    assert_no_ticket(&out);
    assert_eq!(std::fs::read_dir(&profiles).unwrap().count(), 0);
    assert!(!tokens.join("di_token.json").exists());
}
