//! What every command builds from its arguments: the client configuration and the token store.

use crate::cli::{ServerArgs, StorePlace};
use crate::exit::Failure;
use garmin_sso_core::{
    Config, Domain, Error, GarthDirStore, PostgresStore, SqliteStore, TokenStore,
};
use std::path::PathBuf;
use std::sync::Arc;

/// The configuration for `--domain` and `--base-url`.
pub fn config(server: &ServerArgs) -> Result<Config, Failure> {
    let domain = Domain::parse(&server.domain)?;
    Ok(match &server.base_url {
        Some(base) => Config::with_base_url(domain, base)?,
        None => Config::new(domain),
    })
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
    let account = account.filter(|a| !a.is_empty()).ok_or_else(|| {
        invalid("--store keeps one row per account: pass --account KEY (or --email)")
    })?;
    if let Some(path) = spec.strip_prefix("sqlite:") {
        let db = SqliteStore::open(path, account)?;
        return Ok(Store {
            name: format!("sqlite:{} (account {account})", db.path().display()),
            store: Arc::new(db),
            garth: None,
        });
    }
    if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
        let db = PostgresStore::open(spec, account)?;
        return Ok(Store {
            name: format!("{} (account {account})", db.server()),
            store: Arc::new(db),
            garth: None,
        });
    }
    Err(invalid(
        "--store takes sqlite:PATH or postgres://USER[:PASSWORD]@HOST[:PORT]/DB",
    ))
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
fn invalid(message: &str) -> Failure {
    Error::InvalidInput(message.into()).into()
}
