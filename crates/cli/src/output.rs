//! `--json` output (docs/cli.md): one object on stdout per command, built only from facts about the
//! tokens (family, expiries, client id), never from the tokens themselves.

use garmin_sso_core::Tokens;
use serde_json::{json, Value};
use std::io::Write;

/// Writes `v` as one line on stdout. A closed stdout is not worth a second failure: the exit code
/// still says what happened.
pub fn print_json(v: &Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{v}").and_then(|()| out.flush());
}

/// `{"ok": true, "command": …}` plus the command's own fields.
pub fn success(command: &str, fields: Value) -> Value {
    let mut v = json!({ "ok": true, "command": command });
    if let (Some(obj), Value::Object(extra)) = (v.as_object_mut(), fields) {
        obj.extend(extra);
    }
    v
}

/// The `tokens` object of docs/cli.md, judged at `now` (Unix seconds).
pub fn tokens(t: &Tokens, now: i64) -> Value {
    let (client_id, domain) = match t {
        Tokens::Di { di } | Tokens::Partner { partner: di } => (Some(di.client_id.as_str()), None),
        Tokens::Legacy { oauth1, .. } => (None, oauth1.domain.as_deref()),
    };
    let access = t.expires_at();
    let refresh = t.refresh_expires_at();
    json!({
        "family": t.family().name(),
        "client_id": client_id,
        "domain": domain,
        "access_expires_at": access,
        "access_expires_in_secs": access.saturating_sub(now),
        "access_expired": access <= now,
        "refresh_expires_at": refresh,
        "refresh_expired": refresh.map(|r| r <= now),
    })
}

/// `valid`, `access_expired` (the next call refreshes) or `refresh_expired` (sign in again).
pub fn state(t: &Tokens, now: i64) -> &'static str {
    if t.refresh_expires_at().is_some_and(|r| r <= now) {
        "refresh_expired"
    } else if t.expires_at() > now {
        "valid"
    } else {
        "access_expired"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_keeps_the_command_fields_after_ok_and_command() {
        let v = success("status", json!({"store": "/tmp/x"}));
        assert_eq!(
            v,
            json!({"ok": true, "command": "status", "store": "/tmp/x"})
        );
    }
}
