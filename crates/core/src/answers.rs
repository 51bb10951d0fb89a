//! What Garmin's answers mean. Every rule that turns an HTTP answer into a typed error lives here,
//! so a reader finds in one file how a 429, a Cloudflare page, an OAuth2 refusal, an OAuth1
//! signature problem or a JSON status word is understood, whichever step met it. The flows and
//! exchanges keep only the parsing of their successful answers.
//!
//! Nothing here quotes a body: what reaches a message is a status code, a page title, or a status
//! word cut down by [`safe_word`].

use crate::error::{Error, Result};
use crate::http::Page;
use serde_json::Value;
use std::time::Duration;

/// The server's Retry-After in seconds, when it gave a usable one (dates are ignored: Garmin sends
/// seconds, and a wrong date would make an app wait for nothing).
pub(crate) fn retry_after(page: &Page) -> Option<Duration> {
    page.response
        .header("Retry-After")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// The answers Cloudflare and Garmin give to automated clients — 429, `error code: 1015`, the
/// "Just a moment…" and "Attention Required" challenge pages, a 403 from Cloudflare — whatever the
/// step. Every step checks this first.
pub(crate) fn check_blocked(page: &Page) -> Result<()> {
    if page.status == 429 {
        return Err(Error::RateLimited {
            retry_after: retry_after(page),
        });
    }
    let text = page.text();
    if text.contains("error code: 1015") {
        return Err(Error::RateLimited {
            retry_after: retry_after(page),
        });
    }
    let title = page.title().unwrap_or_default();
    for marker in ["Just a moment", "Attention Required"] {
        if title.contains(marker) {
            return Err(Error::Blocked {
                reason: format!("Cloudflare page \"{marker}…\" (HTTP {})", page.status),
            });
        }
    }
    if page.status == 403
        && (text.contains("cf-")
            || text.contains("cloudflare")
            || page.response.header("cf-mitigated").is_some())
    {
        return Err(Error::Blocked {
            reason: "Cloudflare challenge (HTTP 403)".into(),
        });
    }
    Ok(())
}

/// A Connect API answer: 2xx is success, anything else an error naming the status.
pub(crate) fn api_success(page: &Page, step: &'static str) -> Result<()> {
    check_blocked(page)?;
    match page.status {
        200..=299 => Ok(()),
        status => Err(Error::HttpStatus { step, status }),
    }
}

/// The longest lifetime believed from a server: 20 years. Garmin issues hours (access tokens),
/// months (DI refresh tokens) and a year (OAuth1); a larger number is clamped to this, so a hostile
/// or broken answer can neither overflow an expiry nor make a token look valid forever.
pub(crate) const MAX_LIFETIME_SECS: i64 = 20 * 365 * 86_400;

/// `now` plus a lifetime a server sent, checked: a negative lifetime is an error (no token is born
/// expired), a huge one is clamped to [`MAX_LIFETIME_SECS`].
pub(crate) fn expiry(now: i64, lifetime: i64, field: &str, step: &'static str) -> Result<i64> {
    if lifetime < 0 {
        return Err(Error::unexpected(step, format!("{field} is negative")));
    }
    if lifetime > MAX_LIFETIME_SECS {
        log::warn!("{step}: {field} of {lifetime} s clamped to {MAX_LIFETIME_SECS} s");
    }
    Ok(now.saturating_add(lifetime.min(MAX_LIFETIME_SECS)))
}

/// Garmin's status words (`INVALID_USERNAME_PASSWORD`, …) are safe to show; anything else the
/// server put there is cut down to a harmless, bounded form.
pub(crate) fn safe_word(s: &str) -> String {
    let w: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(64)
        .collect();
    if w.is_empty() {
        "<empty>".into()
    } else {
        w
    }
}

/// The refusals a JSON sign-in answer (`responseStatus.type`) shares across login and MFA steps:
/// wrong password, CAPTCHA, lock, denial. `None` for the words the flow itself must interpret
/// (success, MFA demands, code rejections).
pub(crate) fn sign_in_refusal(word: &str) -> Option<Error> {
    Some(match word {
        "INVALID_USERNAME_PASSWORD" => Error::InvalidCredentials,
        "CAPTCHA_REQUIRED" => Error::Blocked {
            reason: "CAPTCHA required".into(),
        },
        w if w.contains("LOCKED") => Error::AccountLocked,
        w if w.contains("LOGIN_DENIED") || w.contains("SECURITY_POLICY") => {
            Error::AccountUnusable {
                reason: format!("Garmin answered {}", safe_word(w)),
            }
        }
        _ => return None,
    })
}

/// A JSON sign-in status word neither the flow nor [`sign_in_refusal`] knows: throttling, a 403, or
/// an answer this version does not understand.
pub(crate) fn sign_in_unknown_word(word: &str, page: &Page, step: &'static str) -> Error {
    if page.status == 429 || word.contains("TOO_MANY_REQUESTS") {
        return Error::RateLimited {
            retry_after: retry_after(page),
        };
    }
    if page.status == 403 {
        return Error::Blocked {
            reason: format!("HTTP 403 ({})", safe_word(word)),
        };
    }
    Error::unexpected(
        step,
        format!(
            "HTTP {} with responseStatus {}",
            page.status,
            safe_word(word)
        ),
    )
}

/// A JSON sign-in answer that is not a sign-in answer at all (no JSON, or no status word).
pub(crate) fn not_a_sign_in_answer(page: &Page, step: &'static str, what: &str) -> Error {
    match page.status {
        403 => Error::Blocked {
            reason: "HTTP 403 without a sign-in answer".into(),
        },
        200 => Error::unexpected(step, format!("HTTP 200 answer {what}")),
        status => Error::HttpStatus { step, status },
    }
}

/// Cloudflare's rate limit sometimes arrives as HTTP 200 with the 429 inside the JSON.
pub(crate) fn json_rate_limit(v: &Value, page: &Page) -> Result<()> {
    if let Some(code) = v.pointer("/error/status-code") {
        let code = code
            .as_str()
            .map(str::to_owned)
            .or_else(|| code.as_u64().map(|n| n.to_string()));
        if code.as_deref() == Some("429") {
            return Err(Error::RateLimited {
                retry_after: retry_after(page),
            });
        }
    }
    Ok(())
}

/// The widget's answer pages that say the account cannot sign in, by title.
pub(crate) fn widget_refusal(title: &str) -> Option<Error> {
    if title.to_ascii_lowercase().contains("locked") {
        return Some(Error::AccountLocked);
    }
    if title.contains("Account Error") || title.contains("Unable to sign in") {
        return Some(Error::AccountUnusable {
            reason: title.chars().take(80).collect(),
        });
    }
    None
}

/// How an OAuth2 token endpoint (diauth, services) refused.
pub(crate) enum Refusal {
    /// The client id (Basic authentication) was refused: try the next one.
    Client,
    /// The grant itself (ticket, refresh token, DI token) was refused.
    Grant,
}

/// `Ok(None)` for a 200; `Ok(Some(_))` for an OAuth2 refusal; `Err` for anything else.
pub(crate) fn oauth2_refusal(page: &Page, step: &'static str) -> Result<Option<Refusal>> {
    check_blocked(page)?;
    if page.status == 200 {
        return Ok(None);
    }
    let error = serde_json::from_slice::<Value>(&page.response.body)
        .ok()
        .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned));
    match (page.status, error.as_deref()) {
        (400 | 401, Some("invalid_grant" | "invalid_token")) => Ok(Some(Refusal::Grant)),
        (400 | 401, Some("invalid_client" | "unauthorized_client")) | (401, _) => {
            Ok(Some(Refusal::Client))
        }
        (403, _) => Err(Error::Blocked {
            reason: format!("HTTP 403 at {step}"),
        }),
        (status, _) => Err(Error::HttpStatus { step, status }),
    }
}

/// An OAuth1-signed answer of the OAuth service: 200 passes; a 401 naming a signature problem
/// (`oauth_problem`) is a signing fault of ours; any other 401 is `refused()`, what the step's
/// credential refusal means.
pub(crate) fn oauth1_answer(
    page: &Page,
    step: &'static str,
    refused: impl FnOnce() -> Error,
) -> Result<()> {
    check_blocked(page)?;
    match page.status {
        200 => Ok(()),
        401 => Err(match oauth_problem(page) {
            Some(problem) if is_signature_problem(&problem) => Error::unexpected(
                step,
                format!(
                    "Garmin refused the OAuth1-signed request (HTTP 401, oauth_problem={problem})"
                ),
            ),
            _ => refused(),
        }),
        status => Err(Error::HttpStatus { step, status }),
    }
}

/// The OAuth problem-reporting word (`oauth_problem=signature_invalid`) of a 401, when the server
/// gave one. Only a short lower-case word is kept, so nothing from the body can leak into a
/// message.
fn oauth_problem(page: &Page) -> Option<String> {
    let text = page.text();
    let start = text.find("oauth_problem=")? + "oauth_problem=".len();
    let word: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_lowercase() || *c == '_')
        .take(40)
        .collect();
    (!word.is_empty()).then_some(word)
}

/// Problems with how the request was signed (clock, nonce, consumer, signature), as opposed to the
/// ticket or token it carried.
fn is_signature_problem(problem: &str) -> bool {
    matches!(
        problem,
        "parameter_absent"
            | "parameter_rejected"
            | "signature_method_rejected"
            | "version_rejected"
            | "consumer_key_unknown"
            | "consumer_key_rejected"
            | "timestamp_refused"
            | "nonce_used"
            | "signature_invalid"
    )
}

/// A failed refresh, with the answers that mean "the refresh credential is dead" made
/// [`Error::SignInNeeded`]: only a new sign-in helps then, and apps must be told so.
pub(crate) fn refresh_failure(e: Error) -> Error {
    match e {
        Error::InvalidCredentials => Error::SignInNeeded {
            reason: "Garmin refused the refresh credentials".into(),
        },
        Error::HttpStatus {
            status: status @ (400 | 401),
            step,
        } => Error::SignInNeeded {
            reason: format!("Garmin refused the refresh at {step} (HTTP {status})"),
        },
        e => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_word_keeps_status_words_and_drops_the_rest() {
        assert_eq!(
            safe_word("INVALID_USERNAME_PASSWORD"),
            "INVALID_USERNAME_PASSWORD"
        );
        assert_eq!(safe_word("<script>x</script>"), "scriptxscript");
        assert_eq!(safe_word(""), "<empty>");
        assert_eq!(safe_word(&"A".repeat(200)).len(), 64);
    }

    #[test]
    fn dead_refresh_credentials_become_sign_in_needed() {
        let e = refresh_failure(Error::HttpStatus {
            step: "DI token refresh",
            status: 400,
        });
        assert!(matches!(e, Error::SignInNeeded { .. }), "{e}");
        let e = refresh_failure(Error::HttpStatus {
            step: "DI token refresh",
            status: 500,
        });
        assert!(matches!(e, Error::HttpStatus { status: 500, .. }), "{e}");
    }
}
