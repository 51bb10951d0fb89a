//! What every CLI test needs: the built `garmin-sso`, a `garmin-sso simulate` child on 127.0.0.1
//! that dies with the test, the simulator's admin API, and running a command with some stdin.
//! Each test file adds its own `impl Sim` helpers (inherent impls may live anywhere in the crate).
#![allow(dead_code, clippy::unwrap_used)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_garmin-sso");

/// A `garmin-sso simulate` child, killed when the test ends however it ends.
pub struct Sim {
    child: Child,
    pub url: String,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sim {
    /// `garmin-sso simulate --listen 127.0.0.1:0 ARGS`; waits for the URL it prints first.
    pub fn start_with(args: &[&str]) -> Sim {
        let mut child = Command::new(BIN)
            .args(["simulate", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        // The guard exists before the read, so a failed read still kills the child.
        let mut sim = Sim {
            child,
            url: String::new(),
        };
        let mut first = String::new();
        BufReader::new(stdout).read_line(&mut first).unwrap();
        sim.url = first.trim().to_owned();
        assert!(
            sim.url.starts_with("http://127.0.0.1:"),
            "first line was {first:?}"
        );
        assert_ne!(sim.url, "http://127.0.0.1:0");
        sim
    }

    /// One request to the admin API, which must answer 200; its JSON.
    pub fn admin(&self, method: &str, path_and_query: &str) -> Value {
        let host = self.url.trim_start_matches("http://");
        let mut s = TcpStream::connect(host).unwrap();
        write!(s, "{method} {path_and_query} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        assert!(
            head.starts_with("HTTP/1.1 200"),
            "{method} {path_and_query}: {head}"
        );
        serde_json::from_str(body).unwrap()
    }

    /// Runs `garmin-sso ARGS --base-url URL` with `stdin`.
    pub fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut all = args.to_vec();
        all.extend(["--base-url", &self.url]);
        run(&all, stdin)
    }
}

/// Runs `garmin-sso ARGS` with `stdin` and every log level on (so that the secrets checks see the
/// most the program can print).
pub fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env("RUST_LOG", "trace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // A command that does not read stdin may exit before we write; that is not an error.
    let _ = input.write_all(stdin.as_bytes());
    drop(input);
    child.wait_with_output().unwrap()
}

/// stdout then stderr, as text.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn assert_exit(o: &Output, want: i32) {
    assert_eq!(o.status.code(), Some(want), "output:\n{}", text(o));
}
