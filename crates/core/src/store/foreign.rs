//! Other libraries' token formats, so users migrating keep their session: garth's base64 `dumps()`
//! string (`[oauth1, oauth2]`) and python-garminconnect's `garmin_tokens.json`
//! (`di_token`, `di_refresh_token`, `di_client_id`).

use crate::error::{Error, Result};
use crate::secret::{AccessToken, RefreshToken};
use crate::tokens::{field_hint, DiToken, OAuth1Token, OAuth2Token, Tokens};
use base64::Engine;
use serde::Deserialize;

/// Reads garth's `Client.dumps()` string: base64 of the JSON list `[oauth1_token, oauth2_token]`.
pub fn import_garth_dumps(s: &str) -> Result<Tokens> {
    let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.is_empty() {
        return Err(Error::InvalidInput("garth dumps string is empty".into()));
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .or_else(|_| {
            base64::engine::general_purpose::STANDARD_NO_PAD.decode(compact.trim_end_matches('='))
        })
        .map_err(|_| Error::InvalidInput("garth dumps string is not base64".into()))?;
    let (oauth1, oauth2): (OAuth1Token, OAuth2Token) =
        serde_json::from_slice(&raw).map_err(|e| {
            Error::InvalidInput(format!(
                "garth dumps string is not [oauth1, oauth2]: {}",
                field_hint(&e)
            ))
        })?;
    legacy_pair(oauth1, oauth2)
}

/// Writes garth's `Client.dumps()` string. Only legacy tokens have that form.
pub fn export_garth_dumps(t: &Tokens) -> Result<String> {
    match t {
        Tokens::Legacy { oauth1, oauth2 } => {
            let json = serde_json::to_string(&(oauth1, oauth2)).expect("token JSON serializes");
            Ok(base64::engine::general_purpose::STANDARD.encode(json))
        }
        other => Err(Error::InvalidInput(format!(
            "garth's dumps() format holds only legacy OAuth1/OAuth2 tokens, not {} tokens",
            other.family()
        ))),
    }
}

/// python-garminconnect's token JSON. Values may be `null`.
#[derive(Deserialize)]
struct GarminConnectJson {
    #[serde(default)]
    di_token: Option<AccessToken>,
    #[serde(default)]
    di_refresh_token: Option<RefreshToken>,
    #[serde(default)]
    di_client_id: Option<String>,
}

/// Reads python-garminconnect's `garmin_tokens.json` (`di_token`, `di_refresh_token`,
/// `di_client_id`). The access token's expiry comes from its JWT `exp` claim; when that cannot be
/// read the token is treated as expired, so the first use refreshes it.
pub fn import_garminconnect(json: &str) -> Result<Tokens> {
    let g: GarminConnectJson = serde_json::from_str(json).map_err(|e| {
        Error::InvalidInput(format!(
            "python-garminconnect token JSON has the wrong shape: {}",
            field_hint(&e)
        ))
    })?;
    let access = g.di_token.filter(|t| !t.is_empty()).ok_or_else(|| {
        Error::InvalidInput("python-garminconnect token JSON has no di_token".into())
    })?;
    let refresh = g
        .di_refresh_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            Error::InvalidInput("python-garminconnect token JSON has no di_refresh_token".into())
        })?;
    // python-garminconnect may omit the client id and expiry; the JWT names both.
    let claims = crate::exchange::di::jwt_payload(access.expose());
    let client_id = g
        .di_client_id
        .filter(|c| !c.trim().is_empty())
        .or_else(|| {
            claims
                .as_ref()
                .and_then(|c| c.get("client_id"))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        })
        .ok_or_else(|| {
            Error::InvalidInput(
                "python-garminconnect token JSON has no di_client_id and the token names none"
                    .into(),
            )
        })?;
    let expires_at = claims
        .as_ref()
        .and_then(|c| c.get("exp"))
        .and_then(|v| v.as_f64())
        .map(|x| x as i64)
        .unwrap_or(0);
    Ok(Tokens::Di {
        di: DiToken {
            client_id,
            token_type: "Bearer".into(),
            access_token: access,
            refresh_token: refresh,
            scope: None,
            expires_at,
            refresh_token_expires_at: None,
        },
    })
}

/// Writes python-garminconnect's token JSON. Only DI tokens have that form.
pub fn export_garminconnect(t: &Tokens) -> Result<String> {
    match t {
        Tokens::Di { di } => Ok(serde_json::json!({
            "di_token": di.access_token.expose(),
            "di_refresh_token": di.refresh_token.expose(),
            "di_client_id": di.client_id,
        })
        .to_string()),
        other => Err(Error::InvalidInput(format!(
            "python-garminconnect's token format holds only DI tokens, not {} tokens",
            other.family()
        ))),
    }
}

pub(crate) fn legacy_pair(oauth1: OAuth1Token, oauth2: OAuth2Token) -> Result<Tokens> {
    if oauth1.oauth_token.is_empty() || oauth1.oauth_token_secret.is_empty() {
        return Err(Error::InvalidInput(
            "the OAuth1 token or its secret is empty".into(),
        ));
    }
    if oauth2.access_token.is_empty() {
        return Err(Error::InvalidInput(
            "the OAuth2 access token is empty".into(),
        ));
    }
    Ok(Tokens::Legacy { oauth1, oauth2 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!(
            "{}.{}.{}",
            e(r#"{"alg":"RS256","typ":"JWT"}"#),
            e(claims),
            e("sig")
        )
    }

    #[test]
    fn garminconnect_takes_expiry_and_client_id_from_the_jwt() {
        let j = serde_json::json!({
            "di_token": jwt(r#"{"client_id":"GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2","exp":1900000000}"#),
            "di_refresh_token": "r1",
            "di_client_id": null,
        });
        let Tokens::Di { di } = import_garminconnect(&j.to_string()).unwrap() else {
            panic!("DI expected")
        };
        assert_eq!(di.client_id, "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2");
        assert_eq!(di.expires_at, 1_900_000_000);
    }

    #[test]
    fn garminconnect_unreadable_jwt_counts_as_expired() {
        let j = r#"{"di_token":"opaque","di_refresh_token":"r","di_client_id":"X"}"#;
        assert_eq!(import_garminconnect(j).unwrap().expires_at(), 0);
        let e =
            import_garminconnect(r#"{"di_token":"opaque","di_refresh_token":"r"}"#).unwrap_err();
        assert!(e.to_string().contains("di_client_id"), "{e}");
    }

    #[test]
    fn errors_do_not_echo_input() {
        let e = import_garth_dumps("U0VDUkVUVkFMVUU=").unwrap_err(); // base64 of a non-JSON secret
        assert!(!e.to_string().contains("SECRETVALUE"), "{e}");
        let e = import_garminconnect(r#"{"di_token": 5, "di_refresh_token": "SECRETVALUE"}"#)
            .unwrap_err();
        assert!(!e.to_string().contains("SECRETVALUE"), "{e}");
    }
}
