//! SIGKILL during token saves, for every store layout: a child process (this test binary, running
//! only [`child_saver`]) saves numbered token documents in a loop and prints a line before each
//! save; the parent kills it after reading the k-th line (k varies, so the kill lands at varied
//! points of a save: before the temporary file, while it is written or synced, between renames),
//! then loads. No sleep anywhere: the kill is triggered by what the child printed.
//!
//! After every kill the store loads a complete document of a generation the child had started to
//! save or finished, never older than the one loaded after the previous kill. Temporary files of
//! killed saves are swept by the next save once stale (their age is set back rather than waited
//! for) and by `clear()` (logout) at once: 0 remain.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use garmin_sso_core::{GarthDirStore, GarthFormat, JsonFileStore, TokenStore, Tokens};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

const KILLS_PER_LAYOUT: u64 = 200;
const CHILD_ENV: &str = "GARMIN_SSO_KILL_TEST_CHILD";

/// The legacy document of `generation`: a refresh replaces the OAuth2 half only, as Garmin's does.
/// The refresh token carries the generation and ~2 KiB, so a save takes long enough to be cut.
fn legacy(generation: u64) -> Tokens {
    let mut v: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/kill-tokens-legacy.json")).unwrap();
    v["oauth2"]["refresh_token"] = format!("gen-{generation}-{}", "r".repeat(2048)).into();
    v["oauth2"]["jti"] = format!("jti-{generation}").into();
    Tokens::from_json(&v.to_string()).unwrap()
}

/// The DI document of `generation` (rotating refresh token).
fn di(generation: u64) -> Tokens {
    let mut v: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/kill-tokens-di.json")).unwrap();
    v["di"]["refresh_token"] = format!("gen-{generation}-{}", "r".repeat(2048)).into();
    Tokens::from_json(&v.to_string()).unwrap()
}

fn generation_of(t: &Tokens) -> u64 {
    let refresh = match t {
        Tokens::Di { di } | Tokens::Partner { partner: di } => {
            di.refresh_token.expose().to_string()
        }
        Tokens::Legacy { oauth2, .. } => oauth2.refresh_token.expose().to_string(),
    };
    refresh
        .strip_prefix("gen-")
        .and_then(|r| r.split('-').next())
        .and_then(|g| g.parse().ok())
        .unwrap_or_else(|| panic!("a refresh token that no save wrote: {}", &refresh[..20]))
}

#[derive(Clone, Copy, Debug)]
enum Layout {
    JsonFile,
    GarthLegacy,
    GarthDi,
    GarminConnect,
    #[cfg(feature = "sqlite")]
    Sqlite,
}

impl Layout {
    fn all() -> Vec<Layout> {
        vec![
            Layout::JsonFile,
            Layout::GarthLegacy,
            Layout::GarthDi,
            Layout::GarminConnect,
            #[cfg(feature = "sqlite")]
            Layout::Sqlite,
        ]
    }

    fn parse(s: &str) -> Layout {
        Layout::all()
            .into_iter()
            .find(|l| format!("{l:?}") == s)
            .unwrap()
    }

    fn store(self, dir: &Path) -> Box<dyn TokenStore> {
        match self {
            Layout::JsonFile => Box::new(JsonFileStore::new(dir.join("tokens.json"))),
            Layout::GarthLegacy => Box::new(GarthDirStore::with_format(dir, GarthFormat::Legacy)),
            Layout::GarthDi => Box::new(GarthDirStore::with_format(dir, GarthFormat::Di)),
            Layout::GarminConnect => {
                Box::new(GarthDirStore::with_format(dir, GarthFormat::GarminConnect))
            }
            #[cfg(feature = "sqlite")]
            Layout::Sqlite => Box::new(
                garmin_sso_core::SqliteStore::open(dir.join("tokens.sqlite"), "kill-test").unwrap(),
            ),
        }
    }

    fn doc(self, generation: u64) -> Tokens {
        match self {
            Layout::GarthLegacy => legacy(generation),
            _ => di(generation),
        }
    }
}

/// The child: saves generation `start`, `start + 1`, … until killed, announcing each first.
#[test]
fn child_saver() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return; // the ordinary test run: nothing to do
    };
    let mut parts = spec.splitn(3, ':');
    let layout = Layout::parse(parts.next().unwrap());
    let start: u64 = parts.next().unwrap().parse().unwrap();
    let dir = PathBuf::from(parts.next().unwrap());
    let store = layout.store(&dir);
    let mut out = std::io::stdout().lock();
    for generation in start.. {
        writeln!(out, "saving {generation}").unwrap();
        out.flush().unwrap();
        store.save(&layout.doc(generation)).unwrap();
    }
}

fn temp_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with('.') && n.ends_with(".tmp")
        })
        .collect()
}

struct Figures {
    kills: u64,
    generations_seen: u64,
    temps_after_kills: usize,
    temps_after_save: usize,
    temps_after_clear: usize,
}

fn kill_rounds(layout: Layout) -> Figures {
    let dir = tempfile::tempdir().unwrap();
    let store = layout.store(dir.path());
    // What each generation looks like after a save and a load in this layout (a layout may keep
    // less than the document, e.g. python-garminconnect's file has no scope).
    let canon = |generation: u64| {
        let d = tempfile::tempdir().unwrap();
        let s = layout.store(d.path());
        s.save(&layout.doc(generation)).unwrap();
        s.load().unwrap().unwrap().to_json()
    };
    store.save(&layout.doc(0)).unwrap();
    let mut loaded = 0u64;
    let mut next = 1u64;
    let mut f = Figures {
        kills: 0,
        generations_seen: 0,
        temps_after_kills: 0,
        temps_after_save: 0,
        temps_after_clear: 0,
    };
    let exe = std::env::current_exe().unwrap();
    for round in 0..KILLS_PER_LAYOUT {
        let mut child = Command::new(&exe)
            .args(["--exact", "child_saver", "--nocapture", "--test-threads=1"])
            .env(
                CHILD_ENV,
                format!("{layout:?}:{next}:{}", dir.path().display()),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill after the k-th announcement: k = 1 cuts the first save of a fresh process, larger
        // k cuts saves of a process that has been saving for a while.
        let k = 1 + round % 5;
        let mut announced = 0;
        let mut last = next;
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        while announced < k {
            let line = lines.next().expect("the child saves until killed").unwrap();
            if let Some(g) = line.strip_prefix("saving ") {
                last = g.parse().unwrap();
                announced += 1;
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        f.kills += 1;
        // The child may have announced more than we read; what it saved is at most one past the
        // last announcement we saw plus what sat unread in the pipe, so bound by the pipe.
        let unread: Vec<u64> = lines
            .map_while(|l| l.ok())
            .filter_map(|l| l.strip_prefix("saving ").and_then(|g| g.parse().ok()))
            .collect();
        let newest = unread.last().copied().unwrap_or(last);
        match store.load() {
            Ok(Some(t)) => {
                let g = generation_of(&t);
                assert!(
                    g >= loaded && g <= newest,
                    "{layout:?}: generation {g} after {loaded}, newest started {newest}"
                );
                assert_eq!(
                    t.to_json(),
                    canon(g),
                    "{layout:?}: generation {g} incomplete"
                );
                if g != loaded {
                    f.generations_seen += 1;
                }
                loaded = g;
            }
            // Any load error fails at once: the figure printed is then 0 by construction.
            Ok(None) => panic!("{layout:?}: the tokens vanished after a kill"),
            Err(e) => panic!("{layout:?}: load after a kill failed: {e}"),
        }
        next = newest + 1;
    }
    let temps = temp_files(dir.path());
    f.temps_after_kills = temps.len();
    // Stale temporary files (older than a save in progress could be) go with the next save.
    let old = SystemTime::now() - Duration::from_secs(3600);
    for t in &temps {
        std::fs::File::options()
            .write(true)
            .open(t)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    store.save(&layout.doc(next)).unwrap();
    assert_eq!(generation_of(&store.load().unwrap().unwrap()), next);
    f.temps_after_save = temp_files(dir.path()).len();
    // A few more kills, then logout: nothing of the tokens may remain, temporary files included.
    for _ in 0..3 {
        let mut child = Command::new(&exe)
            .args(["--exact", "child_saver", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, format!("{layout:?}:1:{}", dir.path().display()))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        while !lines.next().unwrap().unwrap().starts_with("saving ") {}
        child.kill().unwrap();
        child.wait().unwrap();
    }
    store.clear().unwrap();
    assert!(
        store.load().unwrap().is_none(),
        "{layout:?}: tokens after clear"
    );
    f.temps_after_clear = temp_files(dir.path()).len();
    f
}

#[test]
fn sigkill_during_saves_leaves_old_or_new_tokens_and_no_temp_files() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    for layout in Layout::all() {
        let f = kill_rounds(layout);
        println!(
            "{layout:?}: {} kills, 0 load errors, {} generations loaded, {} temp files after the \
             kills, {} after the next save, {} after clear",
            f.kills,
            f.generations_seen,
            f.temps_after_kills,
            f.temps_after_save,
            f.temps_after_clear
        );
        assert_eq!(
            f.temps_after_save, 0,
            "{layout:?}: stale temp files survived a save"
        );
        assert_eq!(
            f.temps_after_clear, 0,
            "{layout:?}: temp files survived clear()"
        );
    }
}
