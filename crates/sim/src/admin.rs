//! The admin API under `/__sim/` for tests written in other languages.
//! Never faulted, never recorded, and not counted as Garmin traffic.

use std::time::Duration;

use serde_json::{json, Value};

use crate::faults::{Fault, Target, Times};
use crate::http::{Req, Resp};
use crate::lock;
use crate::state::{Shared, Stats};

fn bad(msg: &str) -> Resp {
    Resp::json(400, &json!({"error": msg}))
}

pub(crate) fn stats_json(s: &Stats) -> Value {
    json!({
        "requests": s.per_route,
        "connections": s.connections,
        "requests_total": s.requests_total,
        "legacy_exchanges": s.legacy_exchanges,
        "legacy_refreshes": s.legacy_refreshes,
        "preauthorized": s.preauthorized,
        "di_token_grants": s.di_token_grants,
        "di_refreshes": s.di_refreshes,
        "it_token_grants": s.it_token_grants,
        "partner_codes": s.partner_codes,
        "partner_token_grants": s.partner_token_grants,
        "partner_refreshes": s.partner_refreshes,
        "uploads": s.uploads,
        "duplicate_uploads": s.duplicate_uploads,
        "mfa_code_requests": s.mfa_code_requests,
        "tickets_issued": s.tickets_issued,
        "faults_injected": s.faults_injected,
    })
}

/// Parses `kind` (+ `retry_after`, `ms`, `code`) into a fault.
pub(crate) fn parse_fault(req: &Req) -> Result<Fault, String> {
    let kind = req.q("kind").unwrap_or("");
    Ok(match kind {
        "429" | "rate_limit" => Fault::RateLimit {
            retry_after: match req.q("retry_after") {
                Some(s) => Some(s.parse().map_err(|_| "retry_after must be a number")?),
                None => None,
            },
        },
        "429_body" | "rate_limit_in_body" => Fault::RateLimitInBody,
        "403" | "cloudflare" | "challenge" => Fault::CloudflareChallenge,
        "captcha" => Fault::Captcha,
        "malformed" => Fault::Malformed,
        "delay" | "slow" => Fault::Delay(Duration::from_millis(
            req.q("ms")
                .unwrap_or("1000")
                .parse()
                .map_err(|_| "ms must be a number")?,
        )),
        "5xx" | "server_error" => Fault::ServerError(
            req.q("code")
                .unwrap_or("503")
                .parse()
                .map_err(|_| "code must be a number")?,
        ),
        k if k.len() == 3 && k.starts_with('5') => {
            Fault::ServerError(k.parse().map_err(|_| "bad status")?)
        }
        _ => return Err(format!("unknown fault kind {kind:?}")),
    })
}

fn parse_times(req: &Req) -> Result<Times, String> {
    match req.q("times").unwrap_or("1") {
        "always" | "forever" => Ok(Times::Always),
        "1" | "once" => Ok(Times::Once),
        n => n
            .parse()
            .map(Times::N)
            .map_err(|_| format!("bad times {n:?}")),
    }
}

pub(crate) fn handle(sh: &Shared, req: &Req) -> Resp {
    let path = req.path.trim_end_matches('/');
    match (req.method.as_str(), path) {
        ("POST", "/__sim/fault") => {
            let Some(target) = req.q("target").and_then(Target::parse) else {
                return bad("unknown or missing target");
            };
            let fault = match parse_fault(req) {
                Ok(f) => f,
                Err(e) => return bad(&e),
            };
            let times = match parse_times(req) {
                Ok(t) => t,
                Err(e) => return bad(&e),
            };
            sh.faults.inject(target, fault, times);
            Resp::json(200, &json!({"ok": true}))
        }
        ("POST", "/__sim/clear") => {
            sh.faults.clear();
            Resp::json(200, &json!({"ok": true}))
        }
        ("POST", "/__sim/clock/advance") => match req.q("secs").map(str::parse::<i64>) {
            Some(Ok(s)) => {
                sh.clock.advance(s);
                Resp::json(200, &json!({"now": sh.clock.now()}))
            }
            _ => bad("secs must be an integer"),
        },
        ("POST", "/__sim/clock/set") => match req.q("unix").map(str::parse::<i64>) {
            Some(Ok(t)) => {
                sh.clock.set(t);
                Resp::json(200, &json!({"now": sh.clock.now()}))
            }
            _ => bad("unix must be an integer"),
        },
        ("GET", "/__sim/clock") => Resp::json(200, &json!({"now": sh.clock.now()})),
        ("POST", "/__sim/ratelimit") => {
            let (Some(id), Some(email)) = (req.q("client_id"), req.q("email")) else {
                return bad("client_id and email are required");
            };
            let Some(idx) = sh.find_account(email) else {
                return bad("no such account");
            };
            lock(&sh.inner).rate_limited.insert((id.to_string(), idx));
            Resp::json(200, &json!({"ok": true}))
        }
        ("POST", "/__sim/revoke") => {
            let Some(email) = req.q("email") else {
                return bad("email is required");
            };
            let Some(idx) = sh.find_account(email) else {
                return bad("no such account");
            };
            sh.revoke_account(idx);
            Resp::json(200, &json!({"ok": true}))
        }
        ("POST", "/__sim/ratelimit/clear") => {
            lock(&sh.inner).rate_limited.clear();
            Resp::json(200, &json!({"ok": true}))
        }
        ("POST", "/__sim/expire") => {
            let what = req.q("what").unwrap_or("access");
            let (access, refresh) = match what {
                "access" => (true, false),
                "refresh" => (false, true),
                "all" => (true, true),
                _ => return bad("what must be access, refresh or all"),
            };
            sh.expire_tokens(access, refresh);
            Resp::json(200, &json!({"ok": true}))
        }
        ("GET", "/__sim/stats") => Resp::json(200, &stats_json(&sh.stats())),
        ("GET", "/__sim/requests") => {
            let log = lock(&sh.log);
            let items: Vec<Value> = log
                .iter()
                .map(|r| {
                    json!({
                        "route": r.route,
                        "method": r.method,
                        "path": r.path,
                        "query": r.query,
                        "headers": r.headers.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
                        "body": String::from_utf8_lossy(&r.body),
                        "body_len": r.body.len(),
                        "remote": r.remote.map(|a| a.to_string()),
                    })
                })
                .collect();
            Resp::json(200, &Value::Array(items))
        }
        ("POST", "/__sim/requests/clear") => {
            lock(&sh.log).clear();
            Resp::json(200, &json!({"ok": true}))
        }
        ("GET", "/__sim/routes") => Resp::json(200, &json!(crate::router::ROUTES)),
        _ => Resp::json(404, &json!({"error": "unknown admin endpoint"})),
    }
}
