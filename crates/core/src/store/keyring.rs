//! The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows),
//! holding [`Tokens::to_json`] as the entry's secret.

use super::TokenStore;
use crate::error::{Error, Result};
use crate::tokens::Tokens;

/// One keyring entry, named by service and account (e.g. `"com.example.myapp"`, the user's email).
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
    account: String,
}

impl KeyringStore {
    /// The entry for `service` and `account`. Nothing is touched until the first load or save.
    pub fn new(service: impl Into<String>, account: impl Into<String>) -> Self {
        KeyringStore {
            service: service.into(),
            account: account.into(),
        }
    }

    fn entry(&self) -> Result<keyring::Entry> {
        if self.service.is_empty() || self.account.is_empty() {
            return Err(Error::InvalidInput(
                "keyring service and account must not be empty".into(),
            ));
        }
        keyring::Entry::new(&self.service, &self.account).map_err(map_err)
    }
}

/// keyring's errors name the failure class and the platform's message; none carries the secret.
fn map_err(e: keyring::Error) -> Error {
    use keyring::Error as K;
    match e {
        K::NoStorageAccess(inner) => {
            Error::Storage(format!("OS keyring not reachable or locked: {inner}"))
        }
        K::PlatformFailure(inner) => Error::Storage(format!("OS keyring failed: {inner}")),
        K::BadEncoding(_) => Error::Storage("OS keyring entry is not UTF-8 text".into()),
        K::TooLong(attr, limit) => {
            Error::Storage(format!("OS keyring refused {attr} longer than {limit}"))
        }
        K::Invalid(attr, why) => Error::Storage(format!("OS keyring refused {attr}: {why}")),
        K::Ambiguous(items) => Error::Storage(format!(
            "OS keyring holds {} entries for this service and account",
            items.len()
        )),
        K::NoEntry => Error::Storage("OS keyring has no such entry".into()),
        other => Error::Storage(format!("OS keyring error: {other}")),
    }
}

impl TokenStore for KeyringStore {
    fn load(&self) -> Result<Option<Tokens>> {
        match self.entry()?.get_password() {
            Ok(json) => {
                let json = crate::secret::Secret::new(json);
                Tokens::from_json(json.expose()).map(Some)
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_err(e)),
        }
    }

    fn save(&self, tokens: &Tokens) -> Result<()> {
        let json = crate::secret::Secret::new(tokens.to_json());
        self.entry()?.set_password(json.expose()).map_err(map_err)
    }

    fn clear(&self) -> Result<()> {
        match self.entry()?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_err(e)),
        }
    }
}
