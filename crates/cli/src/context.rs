//! What every command builds from its arguments: the client configuration and the token folder.

use crate::cli::{ServerArgs, StoreArgs};
use crate::exit::Failure;
use garmin_sso_core::{Config, Domain};
use std::path::PathBuf;

/// The configuration for `--domain` and `--base-url`.
pub fn config(server: &ServerArgs) -> Result<Config, Failure> {
    let domain = Domain::parse(&server.domain)?;
    Ok(match &server.base_url {
        Some(base) => Config::with_base_url(domain, base)?,
        None => Config::new(domain),
    })
}

/// The token folder: `--token-dir`, or the per-user data folder (e.g. `~/.local/share/garmin-sso`).
pub fn token_dir(store: &StoreArgs) -> Result<PathBuf, Failure> {
    if let Some(dir) = &store.token_dir {
        return Ok(dir.clone());
    }
    dirs::data_dir()
        .map(|d| d.join("garmin-sso"))
        .ok_or_else(|| {
            Failure::other("no per-user data folder is known on this system; pass --token-dir")
        })
}
