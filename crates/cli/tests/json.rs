//! `--json` (docs/cli.md) against the simulator: one object on stdout per command, every documented
//! field with its type, the error shape with the documented exit codes, and no secret anywhere. And
//! the upload progress bar: none when stderr is not a terminal, drawn under a real pty.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use std::path::Path;
use std::process::Output;

mod common;
use common::{assert_exit, run, text, Sim};

const EMAIL: &str = "json.runner@example.com";
const PASSWORD: &str = "Json-pa55-word";
const MFA_EMAIL: &str = "json.mfa@example.com";
const MFA_PASSWORD: &str = "Json-mfa-pa55";
const MFA_CODE: &str = "739104";

fn start() -> Sim {
    let plain = format!("{EMAIL}:{PASSWORD}");
    let mfa = format!("{MFA_EMAIL}:{MFA_PASSWORD}:{MFA_CODE}");
    Sim::start_with(&["--account", &plain, "--account", &mfa])
}

/// Every key of `v` (and of its `tokens` and `error` objects) is documented in docs/cli.md, so a
/// field cannot be added without its row in the table.
fn assert_documented(v: &Value, prefix: &str) {
    let docs = include_str!("../../../docs/cli.md");
    for (k, val) in v.as_object().unwrap() {
        match k.as_str() {
            "error" => assert_documented(val, "error."),
            _ => {
                let name = format!("`{prefix}{k}`");
                assert!(docs.contains(&name), "docs/cli.md does not document {name}");
                if k == "tokens" {
                    assert_documented(val, "");
                }
            }
        }
    }
}

/// stdout is exactly one line holding one JSON object, every field of it documented.
fn one_object(o: &Output) -> Value {
    let stdout = String::from_utf8(o.stdout.clone()).unwrap();
    assert_eq!(
        stdout.lines().count(),
        1,
        "stdout is not one line:\n{}",
        text(o)
    );
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert!(v.is_object(), "{v}");
    assert_documented(&v, "");
    v
}

/// Every string of at least 8 characters in the token file: the access and refresh tokens.
fn token_values(dir: &Path) -> Vec<String> {
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("di_token.json")).unwrap()).unwrap();
    let mut out = Vec::new();
    for key in ["access_token", "refresh_token"] {
        let s = v[key].as_str().unwrap();
        assert!(s.len() >= 8);
        out.push(s.to_owned());
    }
    out
}

fn assert_no_secrets(o: &Output, secrets: &[String]) {
    let all = text(o);
    for s in secrets
        .iter()
        .map(String::as_str)
        .chain([PASSWORD, MFA_PASSWORD, MFA_CODE])
    {
        assert!(!all.contains(s), "a secret leaked:\n{all}");
    }
    assert!(!all.contains("eyJ"), "a JWT leaked:\n{all}");
}

/// The documented `tokens` object of a DI sign-in, at about `now`.
fn assert_tokens(t: &Value) {
    assert_eq!(t["family"], "di", "{t}");
    assert!(
        t["client_id"].as_str().is_some_and(|s| !s.is_empty()),
        "{t}"
    );
    assert!(t["domain"].is_null(), "{t}");
    let access = t["access_expires_at"].as_i64().unwrap();
    let left = t["access_expires_in_secs"].as_i64().unwrap();
    assert!(left > 0 && access > left, "{t}");
    assert_eq!(t["access_expired"], false);
    assert!(t["refresh_expires_at"].as_i64().unwrap() > access, "{t}");
    assert_eq!(t["refresh_expired"], false);
    assert_eq!(t.as_object().unwrap().len(), 8, "undocumented fields: {t}");
}

/// The documented error object, and the exit code it names.
fn assert_error(o: &Output, kind: &str, code: i32) -> Value {
    assert_exit(o, code);
    let v = one_object(o);
    assert_eq!(v["ok"], false, "{v}");
    let e = &v["error"];
    assert_eq!(e["kind"], kind, "{v}");
    assert_eq!(e["exit_code"], code, "{v}");
    assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    assert!(
        e["retry_after_secs"].is_null() || e["retry_after_secs"].is_u64(),
        "{v}"
    );
    // The person watching still gets the line on stderr.
    assert!(String::from_utf8_lossy(&o.stderr).contains("garmin-sso: "));
    v
}

fn login(sim: &Sim, dir: &Path, email: &str, stdin: &str) -> Output {
    sim.run(
        &[
            "login",
            "--json",
            "--email",
            email,
            "--password-stdin",
            "--token-dir",
            dir.to_str().unwrap(),
        ],
        stdin,
    )
}

#[test]
fn login_status_refresh_upload_print_one_documented_object_each() {
    let sim = start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("t");
    let d = dir.to_str().unwrap();

    let out = login(&sim, &dir, EMAIL, &format!("{PASSWORD}\n"));
    assert_exit(&out, 0);
    let v = one_object(&out);
    assert_eq!(v["ok"], true);
    assert_eq!(v["command"], "login");
    assert_eq!(v["method"], "password");
    assert_eq!(v["account"], EMAIL);
    assert_eq!(v["mfa_used"], false);
    assert_eq!(v["store"], d);
    assert_tokens(&v["tokens"]);
    assert_eq!(v.as_object().unwrap().len(), 7, "{v}");
    let mut secrets = token_values(&dir);
    assert_no_secrets(&out, &secrets);

    let out = run(&["status", "--json", "--token-dir", d], "");
    assert_exit(&out, 0);
    let v = one_object(&out);
    assert_eq!(v["ok"], true);
    assert_eq!(v["command"], "status");
    assert_eq!(v["store"], d);
    assert_eq!(v["layout"], "di_token.json");
    assert!(v["account"].is_null());
    assert_eq!(v["state"], "valid");
    assert_tokens(&v["tokens"]);
    assert_eq!(v.as_object().unwrap().len(), 7, "{v}");
    assert_no_secrets(&out, &secrets);

    let out = sim.run(&["refresh", "--json", "--token-dir", d], "");
    assert_exit(&out, 0);
    let v = one_object(&out);
    assert_eq!(v["ok"], true);
    assert_eq!(v["command"], "refresh");
    assert_eq!(v["store"], d);
    assert_tokens(&v["tokens"]);
    assert_eq!(v.as_object().unwrap().len(), 4, "{v}");
    secrets.extend(token_values(&dir));
    assert_no_secrets(&out, &secrets);

    let fit = tmp.path().join("ride.fit");
    std::fs::write(
        &fit,
        b"\x0e\x10\x54\x08\x00\x00\x00\x00.FIT\x00\x00 json ride",
    )
    .unwrap();
    let f = fit.to_str().unwrap();
    let out = sim.run(&["upload", f, "--json", "--token-dir", d], "");
    assert_exit(&out, 0);
    let v = one_object(&out);
    assert_eq!(v["ok"], true);
    assert_eq!(v["command"], "upload");
    assert_eq!(v["file"], f);
    assert_eq!(
        v["bytes"].as_u64(),
        Some(std::fs::metadata(&fit).unwrap().len())
    );
    assert!(v["upload_id"].is_i64(), "{v}");
    let ids = v["activity_ids"].as_array().unwrap();
    assert_eq!(ids.len(), 1);
    assert!(ids[0].is_i64());
    assert_eq!(v["failure_count"], 0);
    assert_eq!(
        v["garmin_response"]["detailedImportResult"]["uploadId"],
        v["upload_id"]
    );
    assert_eq!(v.as_object().unwrap().len(), 8, "{v}");
    assert_no_secrets(&out, &secrets);

    // The same file again: Garmin's duplicate answer rides in the error object, exit 6.
    let out = sim.run(&["upload", f, "--json", "--token-dir", d], "");
    let v = assert_error(&out, "duplicate_activity", 6);
    assert_eq!(
        v["error"]["garmin_response"]["detailedImportResult"]["failures"][0]["internalId"],
        ids[0]
    );
    assert_no_secrets(&out, &secrets);
}

#[test]
fn login_errors_are_one_error_object_with_the_documented_exit_code() {
    let sim = start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("t");

    let out = login(&sim, &dir, EMAIL, "not-the-password\n");
    assert_error(&out, "invalid_credentials", 3);
    assert_no_secrets(&out, &[]);

    // MFA needed and no code on stdin: exit 8, and nothing was stored.
    let out = login(&sim, &dir, MFA_EMAIL, &format!("{MFA_PASSWORD}\n"));
    let v = assert_error(&out, "mfa_required", 8);
    assert!(v["error"]["retry_after_secs"].is_null());
    assert!(!dir.join("di_token.json").exists());
    assert_no_secrets(&out, &[]);

    // The code on the next line: signed in, with mfa_used.
    let out = login(
        &sim,
        &dir,
        MFA_EMAIL,
        &format!("{MFA_PASSWORD}\n{MFA_CODE}\n"),
    );
    assert_exit(&out, 0);
    let v = one_object(&out);
    assert_eq!(v["mfa_used"], true);
    assert_eq!(v["account"], MFA_EMAIL);
    assert_tokens(&v["tokens"]);
    assert_no_secrets(&out, &token_values(&dir));

    // Nothing stored there: sign in (kind "sign_in_needed", exit 7), as doctor says too.
    let empty = tmp.path().join("empty");
    let out = run(
        &["status", "--json", "--token-dir", empty.to_str().unwrap()],
        "",
    );
    assert_error(&out, "sign_in_needed", 7);
}

#[test]
fn rate_limited_errors_say_their_kind_and_share_exit_5() {
    let sim = start();
    sim.admin(
        "POST",
        "/__sim/fault?target=any&kind=429&times=always&retry_after=120",
    );
    let tmp = tempfile::tempdir().unwrap();
    let out = login(&sim, &tmp.path().join("t"), EMAIL, &format!("{PASSWORD}\n"));
    let v = assert_error(&out, "rate_limited", 5);
    assert_eq!(v["error"]["retry_after_secs"], 120, "{v}");
    assert_no_secrets(&out, &[]);
}

/// A file above the progress threshold (4 MiB).
fn big_file(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("long-ride.fit");
    let data: Vec<u8> = (0..5 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&p, data).unwrap();
    p
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let sim = start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("t");
    assert_exit(&login(&sim, &dir, EMAIL, &format!("{PASSWORD}\n")), 0);
    let big = big_file(tmp.path());
    let out = sim.run(
        &[
            "upload",
            big.to_str().unwrap(),
            "--json",
            "--token-dir",
            dir.to_str().unwrap(),
        ],
        "",
    );
    assert_exit(&out, 0);
    assert_eq!(one_object(&out)["bytes"], 5 * 1024 * 1024);
    let err = String::from_utf8_lossy(&out.stderr);
    for bar in ["\r", "\x1b[", "uploading", "MiB", "=>"] {
        assert!(
            !err.contains(bar),
            "progress output {bar:?} on a pipe:\n{err}"
        );
    }
}

/// `upload` with `--json` under a real pseudo-terminal (util-linux `script`, in every Debian).
fn upload_on_a_pty(sim: &Sim, file: &Path, token_dir: &Path) -> Output {
    // Temporary paths and the simulator's URL carry no shell metacharacters.
    let command = format!(
        "{} upload {} --json --token-dir {} --base-url {}",
        common::BIN,
        file.display(),
        token_dir.display(),
        sim.url
    );
    std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("util-linux `script` (Debian's bsdutils) runs")
}

/// On a terminal the bar is drawn, and the upload still succeeds.
#[test]
fn progress_bar_on_a_terminal() {
    let sim = start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("t");
    assert_exit(&login(&sim, &dir, EMAIL, &format!("{PASSWORD}\n")), 0);
    let big = big_file(tmp.path());
    let out = upload_on_a_pty(&sim, &big, &dir);
    assert_exit(&out, 0);
    let all = String::from_utf8_lossy(&out.stdout);
    assert!(
        all.contains("uploading long-ride.fit") && all.contains("5.00 MiB"),
        "no bar on the terminal:\n{all}"
    );
    assert!(all.contains("\"command\":\"upload\""), "{all}");
    assert_eq!(sim.admin("GET", "/__sim/stats")["uploads"], 1);
}

/// The streamed upload behind the bar cannot be replayed by the core; after a 401 (an access token
/// Garmin dropped before its time) the core refreshes and the CLI sends the file once more, as
/// `upload_fit_path` does without a bar.
#[test]
fn progress_upload_is_sent_again_after_a_401() {
    let sim = start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("t");
    assert_exit(&login(&sim, &dir, EMAIL, &format!("{PASSWORD}\n")), 0);
    sim.admin("POST", "/__sim/expire?what=access");
    let count = |route: &str| {
        sim.admin("GET", "/__sim/stats")["requests"][route]
            .as_u64()
            .unwrap_or(0)
    };
    let refreshes = count("di_token");
    let out = upload_on_a_pty(&sim, &big_file(tmp.path()), &dir);
    assert_exit(&out, 0);
    assert_eq!(count("upload"), 2, "a 401, then the upload again");
    assert_eq!(count("di_token"), refreshes + 1, "one refresh between them");
    assert_eq!(sim.admin("GET", "/__sim/stats")["uploads"], 1);
}
