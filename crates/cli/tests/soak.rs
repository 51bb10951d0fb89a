//! The long-life soak (issue 12, item 4): one account, 180 simulated days, four worker processes
//! (`garmin-sso get`) sharing one token folder and calling the API at random simulated intervals,
//! some of them killed with SIGKILL at random moments. Once for DI tokens (the simulator rotates
//! the refresh token on every refresh and refuses a used one) and once for the legacy family.
//!
//! Time is the simulator's: the test moves its clock (`POST /__sim/clock/advance`) and launches
//! each worker with `GARMIN_SSO_TEST_NOW` set to the simulator's "now" (a test hook the CLI honours
//! only with a loopback `--base-url`), so both sides agree on expiry. Nothing sleeps: a worker is
//! killed either right after its spawn or after a random number of its `RUST_LOG=debug` stderr
//! lines, which reaches every step of a run (refresh, save, API call) without timing guesses.
//! Randomness comes from a seeded PRNG; the seed is printed (`SOAK_SEED=N` replays the choices,
//! though not the OS's scheduling).
//!
//! Goals, asserted: no credential POST after the first sign-in, no "sign-in needed" (exit 7), and
//! no failed API call among workers that were not killed (a killed worker that finished first
//! counts like any other). One exception is measured, not hidden: a worker killed with a DI refresh
//! in flight (its log ends at the token request, Garmin's 200 or "refreshed … tokens", before the
//! save) can take the rotated refresh token with it — the window issue 12 item 2 leaves open.
//! When a later worker then finds the session spent, the loss is counted apart (kills in flight,
//! sessions lost, their sign-in-needed outcomes and the one re-sign-in each costs) and the soak
//! signs in again and goes on; any other "sign-in needed" fails the test.
// The figures are the point of this test: printed on stdout and, for a failing run, stderr.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{Sim, BIN};
const EMAIL: &str = "soak@example.com";
const PASSWORD: &str = "Soak-pa55-word";

const DAYS: i64 = 180;
const WORKERS: usize = 4;
/// A worker calls again 1 to 30 simulated hours after its last call (whole minutes), so each
/// access token (about a day) expires between calls many times over.
const MIN_GAP_MINUTES: u64 = 60;
const MAX_GAP_MINUTES: u64 = 30 * 60;
/// Calls due within this many simulated seconds of the earliest run together, concurrently.
const TOGETHER: i64 = 2 * 3600;
/// One worker launch in this many is killed.
const KILL_ONE_IN: u64 = 4;
/// Routes that carry a password.
const CREDENTIAL_ROUTES: [&str; 4] = [
    "sso_signin_post",
    "mobile_webview_post",
    "mobile_login",
    "portal_login",
];

impl Sim {
    fn start() -> Sim {
        Sim::start_with(&["--account", &format!("{EMAIL}:{PASSWORD}")])
    }

    fn now(&self) -> i64 {
        self.admin("GET", "/__sim/clock")["now"].as_i64().unwrap()
    }

    fn set_now(&self, unix: i64) {
        self.admin("POST", &format!("/__sim/clock/set?unix={unix}"));
    }

    fn credential_posts(&self) -> u64 {
        let stats = self.admin("GET", "/__sim/stats");
        CREDENTIAL_ROUTES
            .iter()
            .map(|r| stats["requests"][r].as_u64().unwrap_or(0))
            .sum()
    }

    fn stat(&self, key: &str) -> u64 {
        self.admin("GET", "/__sim/stats")[key].as_u64().unwrap()
    }
}

/// splitmix64: small, seedable, good enough to pick intervals and kill points.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

#[derive(Debug, Default)]
struct Figures {
    rounds: u64,
    launches: u64,
    killed: u64,
    ok_calls: u64,
    sign_in_needed: u64,
    failed_calls: u64,
    credential_posts_after_first: u64,
    refreshes: u64,
    /// Workers killed with a refresh in flight (request logged, answer not yet saved).
    window_kills: u64,
    /// Sessions lost to such a kill (the rotated refresh token died with the worker), each ended
    /// by one sign-in; their "sign-in needed" outcomes and credential POSTs are counted here and
    /// not in the goals above.
    window_losses: u64,
    window_sign_in_needed: u64,
    window_credential_posts: u64,
    /// The most stderr lines a completed worker wrote (the range kill points are drawn from).
    max_lines: u64,
}

enum Outcome {
    Ok,
    SignInNeeded(String),
    Failed(String),
    /// Killed; what it wrote before it died.
    Killed(String),
}

/// One worker: `garmin-sso get` at simulated time `now`; with `kill_after`, SIGKILL after that
/// many stderr lines (0: right after the spawn). Returns the outcome and the lines it wrote.
fn worker(url: &str, dir: &Path, now: i64, kill_after: Option<u64>) -> (Outcome, u64, String) {
    let mut child = Command::new(BIN)
        .args(["get", "/userprofile-service/socialProfile", "--token-dir"])
        .arg(dir)
        .args(["--base-url", url])
        .env("RUST_LOG", "debug")
        .env("GARMIN_SSO_TEST_NOW", now.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut log = String::new();
    let mut lines = 0;
    if let Some(n) = kill_after {
        while lines < n {
            let mut line = String::new();
            if stderr.read_line(&mut line).unwrap() == 0 {
                break;
            }
            log.push_str(&line);
            lines += 1;
        }
        // Harmless when the worker has already exited: it is not reaped until `wait`.
        child.kill().unwrap();
    }
    for line in stderr.lines() {
        log.push_str(&line.unwrap());
        log.push('\n');
        lines += 1;
    }
    let status = child.wait().unwrap();
    let outcome = match status.code() {
        Some(0) => Outcome::Ok,
        Some(7) => Outcome::SignInNeeded(log.clone()),
        Some(c) => Outcome::Failed(format!("exit {c}:\n{log}")),
        None => Outcome::Killed(log.clone()),
    };
    (outcome, lines, log)
}

/// `garmin-sso login` at simulated time `now`: the only credential POSTs of a soak.
fn sign_in(sim: &Sim, dir: &Path, extra: &[&str], now: i64) {
    let mut login = Command::new(BIN)
        .args(["login", "--email", EMAIL, "--password-stdin", "--token-dir"])
        .arg(dir)
        .args(extra)
        .args(["--base-url", &sim.url])
        .env("GARMIN_SSO_TEST_NOW", now.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(login.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    let out = login.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The refresh endpoints. A worker killed after logging its refresh request (before Garmin's
/// answer was saved) may die with the rotated tokens: Garmin has spent the old refresh token and
/// the new one is lost with the process — the one window the library cannot close (issue 12,
/// item 2). The soak measures how often its kills land there.
const REFRESH_PATHS: [&str; 2] = [
    "/di-oauth2-service/oauth/token",
    "/oauth-service/oauth/exchange/user/2.0",
];

/// A refresh request sent, answered 200, or taken in (the session logs "refreshed … tokens"
/// before it saves them; nothing is logged after the save).
fn in_flight(line: &str) -> bool {
    let line = line.trim_end();
    line.contains("garmin_sso_core::session] refreshed ")
        || REFRESH_PATHS
            .iter()
            .any(|p| line.ends_with(p) || line.contains(&format!("{p} -> 200")))
}

/// A refresh Garmin answered 200.
fn answered(line: &str) -> bool {
    REFRESH_PATHS
        .iter()
        .any(|p| line.contains(&format!("{p} -> 200")))
}

fn soak(family: &str, login_extra: &[&str], seed: u64) -> Figures {
    let sim = Sim::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut rng = Rng(seed);

    let start = sim.now();
    sign_in(&sim, dir, login_extra, start);
    let first_posts = sim.credential_posts();
    let refresh_key = if family == "di" {
        "di_refreshes"
    } else {
        "legacy_refreshes"
    };
    let first_refreshes = sim.stat(refresh_key);

    // Each worker's next call, in simulated seconds; a round runs every worker due at the
    // earliest such time, concurrently.
    let end = start + DAYS * 86_400;
    let mut next: Vec<i64> = (0..WORKERS)
        .map(|_| start + 60 * rng.range(MIN_GAP_MINUTES, MAX_GAP_MINUTES) as i64)
        .collect();
    let mut f = Figures {
        max_lines: 12,
        ..Figures::default()
    };
    let mut kill_range = 12;
    let mut window_pending = false;
    let mut recent_kills: Vec<String> = Vec::new();
    loop {
        let now = *next.iter().min().unwrap();
        if now > end {
            break;
        }
        sim.set_now(now);
        // Workers due within the same few simulated hours run together, at the earliest time.
        let due: Vec<usize> = (0..WORKERS).filter(|&w| next[w] - now < TOGETHER).collect();
        let plans: Vec<Option<u64>> = due
            .iter()
            .map(|_| (rng.range(1, KILL_ONE_IN) == 1).then(|| rng.range(0, kill_range)))
            .collect();
        let url = sim.url.as_str();
        let results = std::thread::scope(|s| {
            let handles: Vec<_> = plans
                .iter()
                .map(|&plan| s.spawn(move || worker(url, dir, now, plan)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .collect::<Vec<_>>()
        });
        f.rounds += 1;
        let (mut round_refreshed, mut round_lost) = (false, false);
        // Kills first: a worker of this round may have lost the session that another worker of
        // the same round then finds spent.
        let mut results = results;
        results.sort_by_key(|r| !matches!(r.0, Outcome::Killed(_)));
        for (outcome, lines, log) in results {
            let log_has_refresh = log.lines().any(answered);
            f.launches += 1;
            match outcome {
                Outcome::Ok => {
                    f.ok_calls += 1;
                    round_refreshed |= log_has_refresh;
                    f.max_lines = f.max_lines.max(lines);
                }
                Outcome::Killed(log) => {
                    f.killed += 1;
                    recent_kills.push(format!("day {}: {log}", (now - start) / 86_400));
                    if recent_kills.len() > 3 {
                        recent_kills.remove(0);
                    }
                    if log.lines().last().is_some_and(in_flight) {
                        f.window_kills += 1;
                        window_pending = true;
                    }
                }
                Outcome::SignInNeeded(_) if window_pending => {
                    f.window_sign_in_needed += 1;
                    round_lost = true;
                }
                Outcome::SignInNeeded(log) => {
                    f.sign_in_needed += 1;
                    if f.sign_in_needed == 1 {
                        eprintln!(
                            "{family}: the last kills:\n{}",
                            recent_kills.join("\n---\n")
                        );
                    }
                    eprintln!(
                        "{family}: sign-in needed at day {}:\n{log}",
                        (now - start) / 86_400
                    );
                }
                Outcome::Failed(log) => {
                    f.failed_calls += 1;
                    eprintln!(
                        "{family}: failed call at day {}: {log}",
                        (now - start) / 86_400
                    );
                }
            }
        }
        if round_refreshed && !round_lost {
            // A refresh went through after the kill: the session survived it.
            window_pending = false;
        }
        if round_lost {
            // Measured, then ended as a user would: one sign-in.
            f.window_losses += 1;
            let before = sim.credential_posts();
            sign_in(&sim, dir, login_extra, now);
            f.window_credential_posts += sim.credential_posts() - before;
            window_pending = false;
        }
        kill_range = f.max_lines;
        for &w in &due {
            next[w] = now + 60 * rng.range(MIN_GAP_MINUTES, MAX_GAP_MINUTES) as i64;
        }
    }

    // The folder still loads and works after every kill: one last call, never killed.
    let last = sim.now() + 1;
    sim.set_now(last);
    match worker(&sim.url, dir, last, None).0 {
        Outcome::Ok => f.ok_calls += 1,
        Outcome::SignInNeeded(log) => panic!("{family}: final call: sign-in needed\n{log}"),
        Outcome::Failed(log) => panic!("{family}: final call failed: {log}"),
        Outcome::Killed(_) => unreachable!(),
    }
    f.credential_posts_after_first =
        sim.credential_posts() - first_posts - f.window_credential_posts;
    f.refreshes = sim.stat(refresh_key) - first_refreshes;
    f
}

fn report(family: &str, seed: u64, f: &Figures, wall: Duration) -> String {
    format!(
        "soak {family} (seed {seed}): {DAYS} simulated days, {WORKERS} workers, {} rounds, \
         {} launches ({} killed by SIGKILL), {} successful calls; \
         credential POSTs after the first sign-in: {}, sign-in needed: {}, failed API calls: {}, \
         refreshes: {}; kills with a refresh in flight: {}, sessions lost to them: {} \
         (their sign-in needed: {}, re-sign-in credential POSTs: {}); wall {:.1} s",
        f.rounds,
        f.launches,
        f.killed,
        f.ok_calls,
        f.credential_posts_after_first,
        f.sign_in_needed,
        f.failed_calls,
        f.refreshes,
        f.window_kills,
        f.window_losses,
        f.window_sign_in_needed,
        f.window_credential_posts,
        wall.as_secs_f64()
    )
}

fn run_family(family: &str, login_extra: &[&str]) {
    let seed = std::env::var("SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    println!("soak {family}: seed {seed} (replay the choices with SOAK_SEED={seed})");
    let t = Instant::now();
    let f = soak(family, login_extra, seed);
    let wall = t.elapsed();
    let line = report(family, seed, &f, wall);
    println!("{line}");
    // Also on stderr, which the harness shows for a failing test whatever the capture.
    eprintln!("{line}");
    assert_eq!(f.credential_posts_after_first, 0, "{line}");
    assert_eq!(f.sign_in_needed, 0, "{line}");
    assert_eq!(f.failed_calls, 0, "{line}");
    assert!(f.refreshes > 0, "{line}");
    assert!(f.killed > 0, "{line}");
    assert!(wall < Duration::from_secs(300), "{line}");
}

#[test]
fn soak_di_tokens_180_days_four_workers_with_kills() {
    run_family("di", &[]);
}

#[test]
fn soak_legacy_tokens_180_days_four_workers_with_kills() {
    run_family("legacy", &["--tokens", "oauth1"]);
}
