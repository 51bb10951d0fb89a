//! `garmin-sso doctor` against the simulator: the stored family and expiries, the clock offset to
//! the simulator's `Date` header (which follows the simulator's clock), hosts that answer and one
//! that does not, the documented exit codes, and no secret in its output.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use std::path::Path;
use std::process::Output;

mod common;
use common::{assert_exit, run, text, Sim};

const EMAIL: &str = "doctor@example.com";
const PASSWORD: &str = "Doctor-pa55-word";

fn signed_in() -> (Sim, tempfile::TempDir) {
    let sim = Sim::start_with(&["--account", &format!("{EMAIL}:{PASSWORD}")]);
    let tmp = tempfile::tempdir().unwrap();
    let out = sim.run(
        &[
            "login",
            "--email",
            EMAIL,
            "--password-stdin",
            "--token-dir",
            tmp.path().join("t").to_str().unwrap(),
        ],
        &format!("{PASSWORD}\n"),
    );
    assert_exit(&out, 0);
    (sim, tmp)
}

fn dir(tmp: &tempfile::TempDir) -> String {
    tmp.path().join("t").to_str().unwrap().to_owned()
}

/// Every token, the password, and any JWT: none may appear.
fn assert_no_secrets(o: &Output, token_dir: &Path) {
    let all = text(o);
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(token_dir.join("di_token.json")).unwrap())
            .unwrap();
    for key in ["access_token", "refresh_token"] {
        let token = v[key].as_str().unwrap();
        // Any 16-character piece of the token, not just the whole of it.
        for piece in token.as_bytes().chunks(16).filter(|c| c.len() == 16) {
            let piece = std::str::from_utf8(piece).unwrap();
            assert!(!all.contains(piece), "a piece of the {key} leaked:\n{all}");
        }
    }
    assert!(!all.contains(PASSWORD) && !all.contains("eyJ"), "{all}");
}

fn doctor(sim_url: &str, token_dir: &str, json: bool) -> Output {
    let mut args = vec!["doctor", "--token-dir", token_dir, "--base-url", sim_url];
    if json {
        args.push("--json");
    }
    run(&args, "")
}

/// stdout is one JSON object, and docs/cli.md documents each of its fields (`clock.offset_secs`,
/// `hosts[].status`, …).
fn one_object(o: &Output) -> Value {
    let stdout = String::from_utf8(o.stdout.clone()).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{}", text(o));
    let v: Value = serde_json::from_str(&stdout).unwrap();
    let docs = include_str!("../../../docs/cli.md");
    let documented = |name: String| {
        assert!(
            docs.contains(&format!("`{name}`")),
            "docs/cli.md does not document `{name}`"
        );
    };
    for (k, val) in v.as_object().unwrap() {
        match val {
            Value::Object(o) if k == "clock" => {
                o.keys().for_each(|c| documented(format!("{k}.{c}")))
            }
            Value::Array(items) => {
                for item in items {
                    item.as_object()
                        .unwrap()
                        .keys()
                        .for_each(|f| documented(format!("{k}[].{f}")));
                }
            }
            _ => documented(k.clone()),
        }
    }
    v
}

fn hosts(v: &Value) -> Vec<&Value> {
    v["hosts"].as_array().unwrap().iter().collect()
}

#[test]
fn a_healthy_setup_reports_everything_and_exits_0() {
    let (sim, tmp) = signed_in();
    let d = dir(&tmp);
    let out = doctor(&sim.url, &d, true);
    assert_exit(&out, 0);
    let v = one_object(&out);
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["command"], "doctor");
    assert_eq!(v["store"], d.as_str());
    assert_eq!(v["token_family"], "di");
    let t = &v["tokens"];
    assert_eq!(t["family"], "di");
    assert_eq!(t["access_expired"], false);
    assert_eq!(t["refresh_expired"], false);
    assert!(t["access_expires_at"].is_i64() && t["refresh_expires_at"].is_i64());
    let c = &v["clock"];
    assert!(c["local_now"].is_i64() && c["garmin_date"].is_i64(), "{c}");
    assert!(c["offset_secs"].as_i64().unwrap().abs() <= 2, "{c}");
    assert_eq!(c["source"], "sso");
    assert_eq!(c["tolerance_secs"], 120);
    let names: Vec<&str> = hosts(&v)
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["sso", "connectapi", "diauth"]);
    for h in hosts(&v) {
        assert_eq!(h["answered"], true, "{h}");
        assert!(h["status"].is_u64() && h["latency_ms"].is_u64(), "{h}");
        assert!(h["error"].is_null());
        assert_eq!(h["url"], format!("{}/", sim.url));
    }
    assert_eq!(v["problems"], serde_json::json!([]));
    assert_no_secrets(&out, &tmp.path().join("t"));

    let out = doctor(&sim.url, &d, false);
    assert_exit(&out, 0);
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.contains("tokens: di in")
            && s.contains("in step")
            && s.contains("host connectapi")
            && s.contains("no problems found"),
        "{s}"
    );
    assert_no_secrets(&out, &tmp.path().join("t"));
}

#[test]
fn a_clock_an_hour_off_is_measured_and_exits_1() {
    let (sim, tmp) = signed_in();
    sim.admin("POST", "/__sim/clock/advance?secs=3600");
    let out = doctor(&sim.url, &dir(&tmp), true);
    assert_exit(&out, 1);
    let v = one_object(&out);
    assert_eq!(v["ok"], false);
    let offset = v["clock"]["offset_secs"].as_i64().unwrap();
    assert!((3597..=3603).contains(&offset), "offset {offset}: {v}");
    let problems = v["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{v}");
    assert_eq!(problems[0]["check"], "clock");
    assert_eq!(problems[0]["kind"], "other");
    assert!(problems[0]["message"].as_str().unwrap().contains("behind"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("clock"));
    assert_no_secrets(&out, &tmp.path().join("t"));

    // Behind the machine instead: the sign flips.
    sim.admin("POST", "/__sim/clock/advance?secs=-7200");
    let out = doctor(&sim.url, &dir(&tmp), false);
    assert_exit(&out, 1);
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.contains("s ahead") && s.contains("problem (clock)"),
        "{s}"
    );
}

#[test]
fn a_host_that_does_not_answer_exits_9() {
    let (_sim, tmp) = signed_in();
    // A port that was just free: nothing listens there.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{closed}");
    let out = doctor(&url, &dir(&tmp), true);
    assert_exit(&out, 9);
    let v = one_object(&out);
    assert_eq!(v["ok"], false);
    assert_eq!(v["token_family"], "di", "the tokens are still reported");
    for h in hosts(&v) {
        assert_eq!(h["answered"], false, "{h}");
        assert!(h["status"].is_null() && h["latency_ms"].is_null(), "{h}");
        assert!(h["error"].as_str().is_some_and(|e| !e.is_empty()), "{h}");
    }
    assert!(v["clock"]["offset_secs"].is_null());
    let problems = v["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 3, "{v}");
    assert!(problems
        .iter()
        .all(|p| p["check"] == "host" && p["kind"] == "network"));
    assert_no_secrets(&out, &tmp.path().join("t"));

    let out = doctor(&url, &dir(&tmp), false);
    assert_exit(&out, 9);
    assert!(String::from_utf8_lossy(&out.stdout).contains("not answering"));
}

#[test]
fn no_tokens_exits_7_and_says_none() {
    let sim = Sim::start_with(&["--account", &format!("{EMAIL}:{PASSWORD}")]);
    let tmp = tempfile::tempdir().unwrap();
    let out = doctor(&sim.url, &dir(&tmp), true);
    assert_exit(&out, 7);
    let v = one_object(&out);
    assert_eq!(v["token_family"], "none");
    assert!(v["tokens"].is_null());
    assert_eq!(v["problems"][0]["kind"], "sign_in_needed");
    assert_eq!(hosts(&v).len(), 3);
}

/// Legacy tokens refresh through the OAuth1 consumer, fetched from its own URL when none is
/// configured: doctor checks that host too.
#[test]
fn legacy_tokens_add_the_consumer_host() {
    let sim = Sim::start_with(&["--account", &format!("{EMAIL}:{PASSWORD}")]);
    let tmp = tempfile::tempdir().unwrap();
    let d = dir(&tmp);
    let out = sim.run(
        &[
            "login",
            "--email",
            EMAIL,
            "--password-stdin",
            "--tokens",
            "legacy",
            "--token-dir",
            &d,
        ],
        &format!("{PASSWORD}\n"),
    );
    assert_exit(&out, 0);
    let out = doctor(&sim.url, &d, true);
    assert_exit(&out, 0);
    let v = one_object(&out);
    assert_eq!(v["token_family"], "legacy");
    assert!(v["tokens"]["refresh_expires_at"].is_null());
    let consumer = hosts(&v)
        .into_iter()
        .find(|h| h["name"] == "consumer")
        .expect("a consumer host");
    assert_eq!(consumer["url"], format!("{}/oauth_consumer.json", sim.url));
    assert_eq!(consumer["status"], 200);
    // No piece of the OAuth1 or OAuth2 tokens either.
    let all = text(&out);
    for file in ["oauth1_token.json", "oauth2_token.json"] {
        let t: Value = serde_json::from_str(
            &std::fs::read_to_string(tmp.path().join("t").join(file)).unwrap(),
        )
        .unwrap();
        for key in [
            "oauth_token",
            "oauth_token_secret",
            "access_token",
            "refresh_token",
        ] {
            if let Some(s) = t[key].as_str() {
                assert!(!all.contains(s), "{key} leaked:\n{all}");
            }
        }
    }
}
