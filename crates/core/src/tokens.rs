//! Token data, in exactly the JSON shapes garth and python-garminconnect use, so existing token
//! folders load unchanged; plus one versioned envelope for the app to store as a single string.

use crate::error::{Error, Result};
use crate::secret::{AccessToken, MfaToken, RefreshToken, TokenSecret};
use serde::{Deserialize, Serialize};

/// garth's `oauth1_token.json`: the long-lived (~1 year) token of the legacy exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuth1Token {
    /// Names the user's grant in every signed exchange (`oauth_token`); lasts about a year, and
    /// no expiry is known in advance.
    pub oauth_token: AccessToken,
    /// The second half of the HMAC-SHA1 key of every exchange signed with this token; never sent.
    pub oauth_token_secret: TokenSecret,
    /// Present for MFA accounts; sent with every exchange so Garmin skips MFA.
    #[serde(default)]
    pub mfa_token: Option<MfaToken>,
    /// When `mfa_token` expires, as Garmin wrote it (e.g. `2024-08-03 23:53:05.000`).
    #[serde(default)]
    pub mfa_expiration_timestamp: Option<String>,
    /// The domain the token was issued on (`garmin.com` or `garmin.cn`). A refresh through a
    /// client configured for the other domain is refused; `None` or empty skips that check.
    #[serde(default)]
    pub domain: Option<String>,
}

/// garth's `oauth2_token.json`: the short-lived bearer token of the legacy family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuth2Token {
    /// Scopes Garmin granted, space-separated; kept for garth's file format, never checked.
    #[serde(default)]
    pub scope: String,
    /// Garmin's id of this token; kept for garth's file format, never used.
    #[serde(default)]
    pub jti: String,
    /// As Garmin sent it (`Bearer` when absent); API calls send `Authorization: Bearer` anyway.
    pub token_type: String,
    /// What Connect API calls carry as `Authorization: Bearer`; dead after `expires_at`.
    pub access_token: AccessToken,
    /// Issued and stored, but never used: the legacy family refreshes by repeating the exchange
    /// with the OAuth1 token (docs/protocol.md §4).
    pub refresh_token: RefreshToken,
    /// Lifetime in seconds as issued.
    pub expires_in: i64,
    /// Unix seconds after which the access token is expired.
    pub expires_at: i64,
    /// Refresh token lifetime in seconds as issued; 0 when Garmin gave none.
    #[serde(default)]
    pub refresh_token_expires_in: i64,
    /// Unix seconds after which the unused `refresh_token` is expired (the issue time when Garmin
    /// gave no lifetime). Not a sign-in deadline: the OAuth1 token outlives it.
    #[serde(default)]
    pub refresh_token_expires_at: i64,
}

/// An OAuth2 token diauth issued for one client id: a DI app id (docs/protocol.md §5), or a
/// partner app's id ([`Tokens::Partner`], docs/partner.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiToken {
    /// The DI client id that issued it (refreshes must use the same one).
    pub client_id: String,
    /// As diauth sent it (`Bearer` when absent; the simulator sends `bearer`); API calls send
    /// `Authorization: Bearer` anyway.
    #[serde(default = "bearer")]
    pub token_type: String,
    /// A JWT whose `client_id` and `exp` claims the library reads without checking the signature.
    pub access_token: AccessToken,
    /// Rotates: a refresh normally returns a new one and kills this one, so save the tokens after
    /// every refresh before using them. Kept as is when diauth sends no new one.
    pub refresh_token: RefreshToken,
    /// Scopes diauth granted, when it said; informational only.
    #[serde(default)]
    pub scope: Option<String>,
    /// Unix seconds after which the access token is expired.
    pub expires_at: i64,
    /// Unix seconds after which the refresh token is expired. `None` when diauth gave no lifetime
    /// or the token was imported from python-garminconnect; then only a refused refresh shows
    /// that it is dead.
    #[serde(default)]
    pub refresh_token_expires_at: Option<i64>,
}

fn bearer() -> String {
    "Bearer".into()
}

/// Which kind of tokens a session holds; each refreshes its own way.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    strum::VariantArray,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::Display,
    strum::FromRepr,
)]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[repr(u32)]
pub enum TokenFamily {
    /// OAuth1 → OAuth2 (docs/protocol.md §4): refreshed by repeating the exchange with the
    /// year-long OAuth1 token.
    Legacy = 0,
    /// DI OAuth2 (docs/protocol.md §5): refreshed with a refresh token that rotates on every use.
    Di = 1,
    /// Partner OAuth2 with PKCE (docs/partner.md): a Connect Developer Program app's tokens for
    /// the partner APIs, refreshed with the app's client secret and a rotating refresh token.
    Partner = 2,
}

impl TokenFamily {
    /// Every family, in numeric order.
    pub const ALL: &'static [TokenFamily] = <TokenFamily as strum::VariantArray>::VARIANTS;

    /// `legacy` or `di`: the name in the token JSON's `kind` and in every front end.
    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// The tokens of a signed-in session: one of the two families.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Tokens {
    /// Legacy OAuth1 → OAuth2 (docs/protocol.md §4). Refresh repeats the exchange with the OAuth1
    /// token.
    Legacy {
        /// The year-long credential; a refresh keeps it and replaces only `oauth2`.
        oauth1: OAuth1Token,
        /// The bearer token API calls carry; replaced on every refresh.
        oauth2: OAuth2Token,
    },
    /// DI OAuth2 (docs/protocol.md §5). Refresh uses the rotating refresh token.
    Di {
        /// Access token, refresh token, and the client id both are bound to.
        di: DiToken,
    },
    /// Partner OAuth2 (docs/partner.md): issued to a partner app through the person's consent,
    /// for the partner APIs ([`Endpoints::apis`](crate::Endpoints::apis)). Refresh needs the app's
    /// secret ([`Config::partner`](crate::Config::partner)), which is never stored here.
    Partner {
        /// Access token, rotating refresh token, and the partner app's client id.
        partner: DiToken,
    },
}

/// The current version of the [`Tokens::to_json`] envelope.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Envelope {
    schema_version: u32,
    #[serde(flatten)]
    tokens: Tokens,
}

impl Tokens {
    /// The bearer access token used on API calls.
    pub fn access_token(&self) -> &AccessToken {
        match self {
            Tokens::Legacy { oauth2, .. } => &oauth2.access_token,
            Tokens::Di { di } | Tokens::Partner { partner: di } => &di.access_token,
        }
    }

    /// Unix seconds when the access token expires.
    pub fn expires_at(&self) -> i64 {
        match self {
            Tokens::Legacy { oauth2, .. } => oauth2.expires_at,
            Tokens::Di { di } | Tokens::Partner { partner: di } => di.expires_at,
        }
    }

    /// Unix seconds when the refresh credential expires, when known. For the legacy family the
    /// OAuth1 token is the refresh credential and has no known expiry.
    pub fn refresh_expires_at(&self) -> Option<i64> {
        match self {
            Tokens::Legacy { .. } => None,
            Tokens::Di { di } | Tokens::Partner { partner: di } => di.refresh_token_expires_at,
        }
    }

    /// Which family, and so how [`Client::refresh`](crate::Client::refresh) renews them.
    pub fn family(&self) -> TokenFamily {
        match self {
            Tokens::Legacy { .. } => TokenFamily::Legacy,
            Tokens::Di { .. } => TokenFamily::Di,
            Tokens::Partner { .. } => TokenFamily::Partner,
        }
    }

    /// One versioned JSON document (`schema_version`, `kind`, the tokens), for an app to store as a
    /// single string. Contains secrets: store it like a password.
    pub fn to_json(&self) -> String {
        let env = Envelope {
            schema_version: SCHEMA_VERSION,
            tokens: self.clone(),
        };
        serde_json::to_string(&env).expect("token JSON serializes")
    }

    /// Reads [`Tokens::to_json`] output of this or an older schema version.
    pub fn from_json(s: &str) -> Result<Tokens> {
        let v: serde_json::Value = serde_json::from_str(s).map_err(|e| {
            Error::InvalidInput(format!(
                "token JSON is not valid JSON: {}",
                e.classify_str()
            ))
        })?;
        let version = v
            .get("schema_version")
            .and_then(|x| x.as_u64())
            .ok_or_else(|| Error::InvalidInput("token JSON has no schema_version".into()))?;
        if version > SCHEMA_VERSION as u64 {
            return Err(Error::InvalidInput(format!(
                "token JSON schema_version {version} is newer than this library understands ({SCHEMA_VERSION})"
            )));
        }
        let env: Envelope = serde_json::from_value(v).map_err(|e| {
            Error::InvalidInput(format!(
                "token JSON has the wrong shape: {}",
                field_hint(&e)
            ))
        })?;
        env.tokens.check_complete()?;
        Ok(env.tokens)
    }

    /// Refuses tokens with an empty secret: no server issues one, a session could not use it, and
    /// the garth and python-garminconnect importers refuse them too, so every format round-trips.
    fn check_complete(&self) -> Result<()> {
        let empty = |what: &str| {
            Err(Error::InvalidInput(format!(
                "token JSON has an empty {what}"
            )))
        };
        match self {
            Tokens::Legacy { oauth1, oauth2 } => {
                if oauth1.oauth_token.is_empty() {
                    return empty("oauth1.oauth_token");
                }
                if oauth1.oauth_token_secret.is_empty() {
                    return empty("oauth1.oauth_token_secret");
                }
                if oauth2.access_token.is_empty() {
                    return empty("oauth2.access_token");
                }
            }
            Tokens::Di { di } | Tokens::Partner { partner: di } => {
                let kind = self.family().name();
                if di.client_id.trim().is_empty() {
                    return empty(&format!("{kind}.client_id"));
                }
                if di.access_token.is_empty() {
                    return empty(&format!("{kind}.access_token"));
                }
                if di.refresh_token.is_empty() {
                    return empty(&format!("{kind}.refresh_token"));
                }
            }
        }
        Ok(())
    }
}

trait ClassifyStr {
    fn classify_str(&self) -> String;
}

impl ClassifyStr for serde_json::Error {
    // serde_json's messages can quote input; keep only the class and position.
    fn classify_str(&self) -> String {
        format!(
            "{:?} error at line {} column {}",
            self.classify(),
            self.line(),
            self.column()
        )
    }
}

/// A serde error's message names missing fields and types, never values, except for `invalid value`
/// messages that quote strings — those are cut down to the class.
pub(crate) fn field_hint(e: &serde_json::Error) -> String {
    let m = e.to_string();
    if m.starts_with("unknown variant") {
        // "unknown variant `<value>`, expected one of …": the value is the sender's, unbounded and
        // possibly secret; the expected names are ours.
        let expected = m.split_once(", expected").map(|(_, r)| r).unwrap_or("");
        return format!("an unknown variant (expected{expected})");
    }
    if m.contains("missing field") || m.contains("invalid type") {
        // "missing field `x`", "invalid type: ..., expected ..." quote only schema words or JSON
        // types, except "invalid type: string \"...\"" which quotes the value.
        if m.contains("string \"") {
            return format!(
                "a field has the wrong type (line {} column {})",
                e.line(),
                e.column()
            );
        }
        m
    } else {
        e.classify_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn legacy() -> Tokens {
        Tokens::Legacy {
            oauth1: OAuth1Token {
                oauth_token: "t".into(),
                oauth_token_secret: "s".into(),
                mfa_token: Some("m".into()),
                mfa_expiration_timestamp: Some("2024-08-03 23:53:05.000".into()),
                domain: Some("garmin.com".into()),
            },
            oauth2: OAuth2Token {
                scope: "CONNECT_READ".into(),
                jti: "j".into(),
                token_type: "Bearer".into(),
                access_token: "a".into(),
                refresh_token: "r".into(),
                expires_in: 3600,
                expires_at: 1_700_003_600,
                refresh_token_expires_in: 7200,
                refresh_token_expires_at: 1_700_007_200,
            },
        }
    }

    #[test]
    fn envelope_round_trips() {
        let t = legacy();
        let j = t.to_json();
        assert!(j.contains("\"schema_version\":1"));
        assert!(j.contains("\"kind\":\"legacy\""));
        assert_eq!(Tokens::from_json(&j).unwrap(), t);
    }

    #[test]
    fn envelope_refuses_newer_and_garbage_without_echoing_input() {
        let e = Tokens::from_json(r#"{"schema_version":99,"kind":"di"}"#).unwrap_err();
        assert!(e.to_string().contains("newer"), "{e}");
        let e = Tokens::from_json("{\"access_token\": \"SECRETVALUE").unwrap_err();
        assert!(!e.to_string().contains("SECRETVALUE"), "{e}");
        let e = Tokens::from_json(r#"{"schema_version":1,"kind":"di","di":{"client_id":"x","access_token":"SECRETVALUE"}}"#)
            .unwrap_err();
        assert!(!e.to_string().contains("SECRETVALUE"), "{e}");
        assert!(e.to_string().contains("missing field"), "{e}");
    }

    #[test]
    fn unknown_values_and_empty_secrets_are_refused_without_echo() {
        let huge = format!("X{}\\u001b[31m", "V".repeat(1 << 20));
        let doc = format!(r#"{{"schema_version":1,"kind":"{huge}"}}"#);
        let e = Tokens::from_json(&doc).unwrap_err().to_string();
        assert!(e.len() < 300, "{} bytes", e.len());
        assert!(!e.contains("VVVV") && !e.contains('\u{1b}'), "{e}");
        assert!(e.contains("unknown variant"), "{e}");

        let mut t = legacy();
        let Tokens::Legacy { oauth2, .. } = &mut t else {
            unreachable!()
        };
        oauth2.access_token = "".into();
        let e = Tokens::from_json(&t.to_json()).unwrap_err().to_string();
        assert!(e.contains("empty oauth2.access_token"), "{e}");
    }

    #[test]
    fn debug_redacts() {
        let d = format!("{:?}", legacy());
        assert!(!d.contains("\"a\""));
        assert!(d.contains("[redacted]"));
    }
}
