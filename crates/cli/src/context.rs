//! What every command builds from its arguments: the client configuration and the token store.

use crate::cli::{ServerArgs, StorePlace};
use crate::exit::Failure;
use garmin_sso_core::{
    open_database_store, ClientSecret, Config, Domain, Error, GarthDirStore, JsonFileStore,
    PartnerApp, TokenStore, Tokens,
};
use std::path::PathBuf;
use std::sync::Arc;

/// The configuration for `--domain` and `--base-url`.
pub fn config(server: &ServerArgs) -> Result<Config, Failure> {
    let domain = Domain::parse(&server.domain)?;
    let mut config = match &server.base_url {
        Some(base) => Config::with_base_url(domain, base)?,
        None => Config::new(domain),
    };
    let var = std::env::var("GARMIN_SSO_TEST_NOW").ok();
    if let Some(now) = test_now(server.base_url.as_deref(), var.as_deref()) {
        config.clock = Arc::new(move || now);
    }
    Ok(config)
}

/// Test hook: `GARMIN_SSO_TEST_NOW=<unix seconds>` makes this process judge expiry (and sign
/// OAuth1 requests) at that fixed time, so a test can run the CLI on a simulator whose clock it
/// has moved days ahead (`/__sim/clock/…`). Honoured only with a loopback `--base-url`
/// (`http://127.0.0.1…`, `http://localhost…`, `http://[::1]…`): against Garmin it is ignored, so
/// a stray variable can never skew a real session's clock.
fn test_now(base_url: Option<&str>, var: Option<&str>) -> Option<i64> {
    let rest = base_url?.strip_prefix("http://")?;
    let host = rest.split(['/', '?']).next().unwrap_or("");
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        return None;
    }
    var?.trim().parse().ok()
}

/// The environment variable a command that may refresh partner tokens reads the partner app's
/// client secret from (never an argument, never stored). See `cli::PARTNER_SECRET_HELP`.
pub const PARTNER_SECRET_ENV: &str = "GARMIN_SSO_PARTNER_CLIENT_SECRET";

/// For partner tokens, [`Config::partner`] from the tokens' own client id and the secret in
/// [`PARTNER_SECRET_ENV`], so that the session can refresh them. `Ok(false)` when they are partner
/// tokens and the variable is unset or empty: they work until the access token expires, and
/// [`partner_secret_missing`] turns the core's refusal then into the variable's name.
pub fn partner_app(tokens: &Tokens, config: &mut Config) -> Result<bool, Failure> {
    let Tokens::Partner { partner } = tokens else {
        return Ok(true);
    };
    let secret = std::env::var(PARTNER_SECRET_ENV).unwrap_or_default();
    let secret = secret.trim_end_matches(['\n', '\r']);
    if secret.is_empty() {
        return Ok(false);
    }
    // A refresh sends no redirect URI; the app needs a valid one all the same.
    let app = PartnerApp::new(
        &partner.client_id,
        ClientSecret::new(secret),
        "http://127.0.0.1/",
    )?;
    config.partner = Some(app);
    Ok(true)
}

/// The core's "no partner app configured" refusal, said in the CLI's terms: which variable to set.
pub fn partner_secret_missing(e: Error) -> Failure {
    match e {
        Error::InvalidConfig(m) if m.contains("Config::partner") => invalid(&format!(
            "these partner tokens need a refresh, and a refresh needs the partner app's client \
             secret: set {PARTNER_SECRET_ENV} (the client id comes from the stored tokens)"
        )),
        e => e.into(),
    }
}

/// Where the tokens are: a garth folder, or one account's row in a database.
pub struct Store {
    /// The store every command reads and saves through.
    pub store: Arc<dyn TokenStore>,
    /// The folder's store, when it is one (it remembers the layout it read).
    pub garth: Option<GarthDirStore>,
    /// The folder, or the database and account (never a password).
    pub name: String,
}

/// The store of `--store` (with `account`, the row) or else the token folder. The one place the
/// CLI chooses a store.
pub fn store(place: &StorePlace, account: Option<&str>) -> Result<Store, Failure> {
    let Some(spec) = &place.store else {
        let dir = token_dir(place)?;
        let garth = GarthDirStore::new(&dir);
        return Ok(Store {
            store: Arc::new(garth.clone()),
            garth: Some(garth),
            name: dir.display().to_string(),
        });
    };
    if let Some(path) = spec.strip_prefix("json:") {
        // One account's tokens as one versioned JSON document (any token family), locked and
        // replaced atomically like the folder store's files.
        if path.trim().is_empty() {
            return Err(invalid("--store json:PATH needs a file path"));
        }
        return Ok(Store {
            store: Arc::new(JsonFileStore::new(path)),
            garth: None,
            name: path.to_owned(),
        });
    }
    let account = account.filter(|a| !a.is_empty()).ok_or_else(|| {
        invalid("--store keeps one row per account: pass --account KEY (or --email)")
    })?;
    let db = open_database_store(spec, account)?;
    Ok(Store {
        store: db.store,
        garth: None,
        name: db.name,
    })
}

/// The token folder: `--token-dir`, or the per-user data folder (e.g. `~/.local/share/garmin-sso`).
pub fn token_dir(store: &StorePlace) -> Result<PathBuf, Failure> {
    if let Some(dir) = &store.token_dir {
        return Ok(dir.clone());
    }
    dirs::data_dir()
        .map(|d| d.join("garmin-sso"))
        .ok_or_else(|| {
            Failure::other("no per-user data folder is known on this system; pass --token-dir")
        })
}

/// A bad argument: exit code 2, like the core's invalid-input errors.
pub fn invalid(message: &str) -> Failure {
    Error::InvalidInput(message.into()).into()
}

#[cfg(test)]
mod tests {
    use super::test_now;

    #[test]
    fn test_clock_only_on_loopback() {
        let v = Some("1234");
        assert_eq!(test_now(Some("http://127.0.0.1:8080"), v), Some(1234));
        assert_eq!(test_now(Some("http://[::1]:9/x"), v), Some(1234));
        assert_eq!(test_now(Some("http://localhost:9"), v), Some(1234));
        assert_eq!(test_now(Some("https://connect.garmin.com"), v), None);
        assert_eq!(test_now(Some("http://10.0.0.1:80"), v), None);
        assert_eq!(test_now(Some("http://127.0.0.1.evil.com/"), v), None);
        assert_eq!(test_now(None, v), None);
        assert_eq!(test_now(Some("http://127.0.0.1:8080"), None), None);
        assert_eq!(test_now(Some("http://127.0.0.1:8080"), Some("x")), None);
    }
}
