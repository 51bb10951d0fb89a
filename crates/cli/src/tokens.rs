//! The token store: `status`, `logout`, `export`, `import`, and the load every other command uses.
//! The store is a folder (`--token-dir`) or one account's row in a database (`--store`, see
//! `context::store`). The folder is garth's layout (`oauth1_token.json` + `oauth2_token.json`, or `di_token.json`,
//! or python-garminconnect's `garmin_tokens.json`) kept by the core's [`GarthDirStore`]: 0600 files in
//! a 0700 folder, replaced atomically, symlinks refused.

use crate::cli::{ImportArgs, StatusArgs, StoreArgs};
use crate::context;
use crate::exit::Failure;
use crate::output;
use crate::timefmt;
use garmin_sso_core::{import_garminconnect, import_garth_dumps, GarthFormat};
use garmin_sso_core::{Clock, Error, ErrorKind, SystemClock, TokenFamily, Tokens};
use std::io::{self, Read};

/// The stored tokens (a folder's store remembers the layout it read, so a save after a refresh
/// writes the same files). None stored is `sign_in_needed` (exit 7), as `doctor` reports it: what
/// a script does about it is sign in, not investigate a failure.
pub fn load(store: &context::Store) -> Result<Tokens, Failure> {
    match store.store.load()? {
        Some(t) => Ok(t),
        None => Err(Failure::of_kind(
            ErrorKind::SignInNeeded,
            format!(
            "no tokens in {}; sign in first with `garmin-sso login` (or import some with `garmin-sso import`)",
                store.name
            ),
        )),
    }
}

/// Prints what a person wants to know about tokens — never the tokens.
pub fn print_summary(tokens: &Tokens, now: i64) {
    for line in summary(tokens, now) {
        println!("  {line}");
    }
}

/// `family`, expiries and the DI client id, one fact per line.
pub fn summary(tokens: &Tokens, now: i64) -> Vec<String> {
    let mut lines = Vec::new();
    match tokens {
        Tokens::Di { di } | Tokens::Partner { partner: di } => {
            lines.push(if tokens.family() == TokenFamily::Partner {
                format!(
                    "token family: partner (partner OAuth2 with PKCE, client id {})",
                    di.client_id
                )
            } else {
                format!("token family: di (DI OAuth2, client id {})", di.client_id)
            });
            lines.push(format!(
                "access token expires: {}",
                timefmt::describe(di.expires_at, now)
            ));
            lines.push(match di.refresh_token_expires_at {
                Some(t) => format!("refresh token expires: {}", timefmt::describe(t, now)),
                None => "refresh token expires: not stated by Garmin".into(),
            });
        }
        Tokens::Legacy { oauth1, oauth2 } => {
            lines.push("token family: legacy (OAuth1 → OAuth2, garth's files)".into());
            lines.push(format!(
                "access token expires: {}",
                timefmt::describe(oauth2.expires_at, now)
            ));
            if oauth2.refresh_token_expires_at > 0 {
                lines.push(format!(
                    "OAuth2 refresh token expires: {}",
                    timefmt::describe(oauth2.refresh_token_expires_at, now)
                ));
            }
            lines.push(format!(
                "OAuth1 token: refreshes by exchange{}",
                match (&oauth1.mfa_token, &oauth1.mfa_expiration_timestamp) {
                    (Some(_), Some(t)) => format!(" (MFA token until {t})"),
                    (Some(_), None) => " (with an MFA token)".into(),
                    _ => String::new(),
                }
            ));
            if let Some(d) = &oauth1.domain {
                lines.push(format!("domain: {d}"));
            }
        }
    }
    lines
}

pub fn status(args: &StatusArgs) -> Result<(), Failure> {
    let store = open(&args.store)?;
    let tokens = load(&store)?;
    let now = SystemClock.now();
    let layout = store.garth.as_ref().map(|g| layout_name(g.format()));
    let state = output::state(&tokens, now);
    if args.json.json {
        output::print_json(&output::success(
            "status",
            serde_json::json!({
                "store": store.name,
                "layout": layout,
                "account": args.store.account,
                "tokens": output::tokens(&tokens, now),
                "state": state,
            }),
        ));
        return Ok(());
    }
    match layout {
        Some(l) => println!("tokens in {} ({l})", store.name),
        None => println!("tokens in {}", store.name),
    }
    print_summary(&tokens, now);
    let state = match state {
        "valid" => "access token valid",
        "refresh_expired" => "refresh token expired: sign in again",
        _ => "access token expired: the next call refreshes it",
    };
    println!("  state: {state}");
    Ok(())
}

fn open(args: &StoreArgs) -> Result<context::Store, Failure> {
    context::store(&args.place, args.account.as_deref())
}

fn layout_name(f: Option<GarthFormat>) -> &'static str {
    match f {
        Some(GarthFormat::Legacy) => "garth's oauth1_token.json + oauth2_token.json",
        Some(GarthFormat::Di) => "di_token.json",
        Some(GarthFormat::GarminConnect) => "python-garminconnect's garmin_tokens.json",
        None => "unknown layout",
    }
}

pub fn logout(args: &StoreArgs) -> Result<(), Failure> {
    let store = open(args)?;
    store.store.clear()?;
    println!("Deleted the stored tokens in {}", store.name);
    Ok(())
}

pub fn export(args: &StoreArgs) -> Result<(), Failure> {
    let tokens = load(&open(args)?)?;
    println!("{}", tokens.to_json());
    Ok(())
}

pub fn import(args: &ImportArgs) -> Result<(), Failure> {
    let store = open(&args.store)?;
    let mut text = String::new();
    io::stdin().read_to_string(&mut text)?;
    let tokens = parse_any(&text)?;
    store.store.save(&tokens)?;
    println!("Imported {} tokens into {}", tokens.family(), store.name);
    print_summary(&tokens, SystemClock.now());
    Ok(())
}

/// This library's versioned JSON, python-garminconnect's token JSON, or garth's base64 `dumps()`.
fn parse_any(text: &str) -> Result<Tokens, Error> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Error::InvalidInput("nothing on stdin to import".into()));
    }
    if !t.starts_with('{') {
        return import_garth_dumps(t);
    }
    let v: serde_json::Value = serde_json::from_str(t).map_err(|e| {
        Error::InvalidInput(format!(
            "stdin is not valid JSON (line {} column {})",
            e.line(),
            e.column()
        ))
    })?;
    if v.get("schema_version").is_some() {
        Tokens::from_json(t)
    } else if v.get("di_token").is_some() || v.get("di_refresh_token").is_some() {
        import_garminconnect(t)
    } else {
        Err(Error::InvalidInput(
            "unknown token JSON: expected this library's export (schema_version) or python-garminconnect's \
             garmin_tokens.json (di_token, di_refresh_token, di_client_id)"
                .into(),
        ))
    }
}
