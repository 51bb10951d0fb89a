//! Peak memory of one sign-in against a hostile server on loopback, through the default transport:
//! the header and cookie floods that once cost hundreds of MB in one call. Each case runs a sign-in
//! against a server that answers every request with the flood, and prints the rise in this
//! process's peak resident set (Linux `VmHWM`, reset between cases). Run with
//! `cargo bench -p garmin-sso-core --bench hostile`; the figures go in the issue notes, not in a
//! timed test.
#![allow(clippy::print_stdout)] // a benchmark reports on stdout

use garmin_sso_core::{Client, Config, Domain, Flow, Password};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;

/// `(resident, peak resident)` of this process in KiB.
fn rss_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Sets the peak back to the current resident size (Linux: `5` in /proc/self/clear_refs).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// A server that answers every request with `answer`, until the process ends.
fn hostile_server(answer: Arc<Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let answer = answer.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                loop {
                    // Read one request head (the client sends no body before our answer matters).
                    let mut line = String::new();
                    let mut n = 0;
                    while reader.read_line(&mut line).map(|r| r > 0).unwrap_or(false) {
                        n += 1;
                        if line == "\r\n" || line == "\n" {
                            break;
                        }
                        line.clear();
                    }
                    if n == 0 || reader.get_mut().write_all(&answer).is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}/")
}

fn head(status: &str, headers: &[String]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\n");
    for h in headers {
        out.push_str(h);
        out.push_str("\r\n");
    }
    out.push_str("Content-Length: 0\r\n\r\n");
    out.into_bytes()
}

fn main() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "10,000 Set-Cookie lines",
            head(
                "200 OK",
                &(0..10_000)
                    .map(|i| format!("Set-Cookie: c{i}={}; Path=/", "v".repeat(100)))
                    .collect::<Vec<_>>(),
            ),
        ),
        (
            "one 5 MB header",
            head("200 OK", &[format!("X-Big: {}", "x".repeat(5 << 20))]),
        ),
        (
            "5 MB Location",
            head(
                "302 Found",
                &[format!("Location: /sso/x?{}", "a".repeat(5 << 20))],
            ),
        ),
        (
            "under the transport's 64 KiB head: 10 cookies of 4 KiB, 60 headers, 8 KiB Location, redirect loop",
            head("302 Found", &{
                let mut h: Vec<String> = (0..10)
                    .map(|i| format!("Set-Cookie: k{i}={}; Path=/", "c".repeat(4000)))
                    .collect();
                h.extend((0..60).map(|i| format!("X-Pad-{i}: {}", "p".repeat(60))));
                h.push(format!("Location: /sso/loop?{}", "l".repeat(8000)));
                h
            }),
        ),
    ];
    println!("peak resident set rise during one sign-in against a hostile server:");
    for (name, answer) in cases {
        let base = hostile_server(Arc::new(answer));
        let mut config = Config::new(Domain::Com);
        config.set_base_url(&base).expect("loopback base URL");
        config.set_flows(&[Flow::Mobile, Flow::Widget, Flow::Portal]);
        let client = Client::new(config).expect("client");
        reset_peak();
        let (rss_before, _) = rss_kib();
        let outcome = client.login("runner@example.com", &Password::new("correct horse"));
        let (_, peak) = rss_kib();
        let kind = match &outcome {
            Ok(_) => "signed in (unexpected)".to_owned(),
            Err(e) => format!("{:?}", e.kind()),
        };
        println!(
            "  {name}: +{} KiB peak ({} KiB → {} KiB), refused as {kind}",
            peak.saturating_sub(rss_before),
            rss_before,
            peak
        );
    }
}
