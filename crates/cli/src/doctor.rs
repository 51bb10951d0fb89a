//! `doctor`: what is stored, how far this machine's clock is from Garmin's, and whether each Garmin
//! host the configuration uses answers — without a secret. The tokens are only looked at for their
//! family and expiries; the hosts get a plain GET of their root without any credential or cookie.

use crate::cli::DoctorArgs;
use crate::context;
use crate::exit::Failure;
use crate::output;
use crate::timefmt;
use garmin_sso_core::{
    scrub_message, Body, Config, ErrorKind, Method, Request, TokenFamily, Tokens, Transport,
    TransportErrorKind, UreqTransport,
};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Beyond this many seconds between this machine's clock and Garmin's `Date`, expiries are judged
/// wrongly and OAuth1 signatures (timestamped) start to be refused.
pub const CLOCK_TOLERANCE_SECS: i64 = 120;

/// What one host said.
struct Probe {
    name: &'static str,
    url: String,
    status: Option<u16>,
    latency_ms: Option<u64>,
    error: Option<String>,
    /// Garmin's `Date` (Unix seconds) and this machine's clock halfway through the exchange.
    date: Option<(i64, i64)>,
}

/// One thing wrong. The exit code is the first kind, in `cli::DOCTOR_HELP`'s order, found among them.
struct Problem {
    kind: Option<ErrorKind>,
    check: &'static str,
    message: String,
}

pub fn run(args: &DoctorArgs) -> Result<(), Failure> {
    let config = context::config(&args.server)?;
    let clock = config.clock.clone();

    let mut problems = Vec::new();
    let (store_name, tokens) =
        match context::store(&args.store.place, args.store.account.as_deref()) {
            Ok(store) => match store.store.load() {
                Ok(t) => (Some(store.name), t),
                Err(e) => {
                    problems.push(Problem {
                        kind: Some(ErrorKind::Storage),
                        check: "store",
                        message: format!("the token store cannot be read: {e}"),
                    });
                    (Some(store.name), None)
                }
            },
            Err(f) => {
                problems.push(Problem {
                    kind: Some(ErrorKind::Storage),
                    check: "store",
                    message: f.message,
                });
                (None, None)
            }
        };
    let family = tokens.as_ref().map(Tokens::family);

    let transport = UreqTransport::new();
    let timeout = Duration::from_secs(args.timeout);
    let probes: Vec<Probe> = hosts(&config, family)
        .into_iter()
        .map(|(name, url)| probe(&transport, &config, name, url, timeout))
        .collect();

    let now = clock.now();
    if let Some(t) = &tokens {
        if t.refresh_expires_at().is_some_and(|r| r <= now) {
            problems.push(Problem {
                kind: Some(ErrorKind::SignInNeeded),
                check: "tokens",
                message: "the refresh token has expired: run `garmin-sso login` again".into(),
            });
        }
    } else if problems.is_empty() {
        problems.push(Problem {
            kind: Some(ErrorKind::SignInNeeded),
            check: "tokens",
            message: "no tokens stored: run `garmin-sso login`".into(),
        });
    }
    for p in probes.iter().filter(|p| p.status.is_none()) {
        problems.push(Problem {
            kind: Some(ErrorKind::Network),
            check: "host",
            message: format!(
                "{} ({}) did not answer: {}",
                p.name,
                p.url,
                p.error.as_deref().unwrap_or("no answer")
            ),
        });
    }
    let offset = probes.iter().find_map(|p| {
        p.date
            .map(|(garmin, local)| (p.name, garmin, garmin - local))
    });
    if let Some((name, _, off)) = offset {
        if off.abs() > CLOCK_TOLERANCE_SECS {
            problems.push(Problem {
                kind: None,
                check: "clock",
                message: format!(
                    "this machine's clock is {} s {} Garmin's ({name}'s Date header): set the time \
                     (NTP)",
                    off.abs(),
                    if off > 0 { "behind" } else { "ahead of" }
                ),
            });
        }
    }
    let decisive = [
        ErrorKind::Network,
        ErrorKind::SignInNeeded,
        ErrorKind::Storage,
    ]
    .into_iter()
    .find(|k| problems.iter().any(|p| p.kind == Some(*k)))
    .map(Some)
    .or_else(|| problems.first().map(|_| None));

    if args.json.json {
        let report = output::success(
            "doctor",
            json!({
                "store": store_name,
                "token_family": family.map_or("none", TokenFamily::name),
                "tokens": tokens.as_ref().map(|t| output::tokens(t, now)),
                "clock": {
                    "local_now": now,
                    "garmin_date": offset.map(|(_, g, _)| g),
                    "offset_secs": offset.map(|(_, _, o)| o),
                    "source": offset.map(|(n, _, _)| n),
                    "tolerance_secs": CLOCK_TOLERANCE_SECS,
                },
                "hosts": probes.iter().map(|p| json!({
                    "name": p.name,
                    "url": p.url,
                    "answered": p.status.is_some(),
                    "status": p.status,
                    "latency_ms": p.latency_ms,
                    "error": p.error,
                })).collect::<Vec<Value>>(),
                "problems": problems.iter().map(|p| json!({
                    "check": p.check,
                    "kind": p.kind.map_or("other", ErrorKind::name),
                    "message": p.message,
                })).collect::<Vec<Value>>(),
            }),
        );
        let mut report = report;
        report["ok"] = json!(problems.is_empty());
        output::print_json(&report);
    } else {
        print_text(
            store_name.as_deref(),
            tokens.as_ref(),
            now,
            offset,
            &probes,
            &problems,
        );
    }
    match decisive {
        None => Ok(()),
        Some(kind) => {
            let first = &problems[0].message;
            let message = match problems.len() {
                1 => first.clone(),
                n => format!("{first} (and {} more problem(s) above)", n - 1),
            };
            let mut f = match kind {
                Some(k) => Failure::of_kind(k, message),
                None => Failure::other(message),
            };
            // The report is stdout's one object; main must not add an error object after it.
            f.reported = true;
            Err(f)
        }
    }
}

/// The hosts this configuration sends to: sign-in, Connect API and OAuth, DI tokens; the partner
/// APIs for partner tokens; the OAuth1 consumer's JSON for legacy tokens when none is configured.
fn hosts(config: &Config, family: Option<TokenFamily>) -> Vec<(&'static str, String)> {
    let e = &config.endpoints;
    let mut v = vec![
        ("sso", e.sso.to_string()),
        ("connectapi", e.connectapi.to_string()),
        ("diauth", e.diauth.to_string()),
    ];
    if family == Some(TokenFamily::Partner) {
        v.push(("apis", e.apis.to_string()));
    }
    if family == Some(TokenFamily::Legacy) && config.consumer.is_none() {
        v.push(("consumer", e.consumer_url.to_string()));
    }
    v
}

fn probe(
    transport: &dyn Transport,
    config: &Config,
    name: &'static str,
    url: String,
    timeout: Duration,
) -> Probe {
    let shown = garmin_sso_core::redact_url(&url);
    let request = Request {
        method: Method::Get,
        url,
        headers: vec![("User-Agent".into(), config.api_user_agent.clone())],
        body: Body::Empty,
        timeout,
        max_response_bytes: 1 << 20,
    };
    let before = config.clock.now();
    let started = Instant::now();
    let answer = transport.send(request);
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let local = (before + config.clock.now()).div_euclid(2);
    match answer {
        Ok(resp) => {
            let date = resp
                .header("Date")
                .and_then(|d| httpdate::parse_http_date(d.trim()).ok())
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .and_then(|d| i64::try_from(d.as_secs()).ok());
            Probe {
                name,
                url: shown,
                status: Some(resp.status),
                latency_ms: Some(latency_ms),
                error: None,
                date: date.map(|d| (d, local)),
            }
        }
        Err(e) => {
            let what = match e.kind {
                TransportErrorKind::Connect => "cannot connect",
                TransportErrorKind::Timeout => "timed out",
                TransportErrorKind::Tls => "TLS failed",
                TransportErrorKind::Io => "connection failed",
                TransportErrorKind::Other => "failed",
            };
            Probe {
                name,
                url: shown,
                status: None,
                latency_ms: None,
                error: Some(format!("{what} ({})", scrub_message(&e.message))),
                date: None,
            }
        }
    }
}

fn print_text(
    store: Option<&str>,
    tokens: Option<&Tokens>,
    now: i64,
    offset: Option<(&str, i64, i64)>,
    probes: &[Probe],
    problems: &[Problem],
) {
    match (tokens, store) {
        (Some(t), Some(s)) => {
            println!("tokens: {} in {s}", t.family());
            for line in crate::tokens::summary(t, now) {
                println!("  {line}");
            }
        }
        (None, Some(s)) => println!("tokens: none in {s}"),
        _ => println!("tokens: no store"),
    }
    match offset {
        Some((name, garmin, off)) => println!(
            "clock: Garmin's Date ({name}) {}; this machine is {}",
            timefmt::utc(garmin),
            match off {
                0 => "in step (±1 s)".to_owned(),
                o if o > 0 => format!("{o} s behind"),
                o => format!("{} s ahead", -o),
            }
        ),
        None => println!("clock: no host answered with a Date header"),
    }
    for p in probes {
        match (p.status, &p.error) {
            (Some(status), _) => println!(
                "host {:<10} {}  HTTP {status}  {} ms",
                p.name,
                p.url,
                p.latency_ms.unwrap_or(0)
            ),
            (None, e) => println!(
                "host {:<10} {}  not answering: {}",
                p.name,
                p.url,
                e.as_deref().unwrap_or("no answer")
            ),
        }
    }
    if problems.is_empty() {
        println!("no problems found");
    } else {
        for p in problems {
            println!("problem ({}): {}", p.check, p.message);
        }
    }
}
