//! garth's token folder, as garth and python-garminconnect leave it, so a migrating user keeps the
//! session: `oauth1_token.json` + `oauth2_token.json` (legacy), `di_token.json` (DI, this library's
//! [`DiToken`] JSON) or python-garminconnect's `garmin_tokens.json`.

use super::file::{
    atomic_write, ensure_dir, read_private, remove_private, try_lock_file, DirPolicy,
};
use super::foreign::{export_garminconnect, import_garminconnect, legacy_pair};
use super::{StoreLock, TokenStore};
use crate::error::{Error, Result};
use crate::tokens::{field_hint, DiToken, OAuth1Token, OAuth2Token, Tokens};
use serde::de::DeserializeOwned;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const OAUTH1_FILE: &str = "oauth1_token.json";
const OAUTH2_FILE: &str = "oauth2_token.json";
const DI_FILE: &str = "di_token.json";
const GARMINCONNECT_FILE: &str = "garmin_tokens.json";

/// Which of the folder layouts holds the tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GarthFormat {
    /// garth's `oauth1_token.json` + `oauth2_token.json`.
    Legacy,
    /// `di_token.json`: one [`DiToken`] as JSON.
    Di,
    /// python-garminconnect's `garmin_tokens.json` (`di_token`, `di_refresh_token`,
    /// `di_client_id`).
    GarminConnect,
}

impl GarthFormat {
    /// The files this layout uses inside the folder; a save deletes the other layouts' files.
    pub fn files(self) -> &'static [&'static str] {
        match self {
            GarthFormat::Legacy => &[OAUTH1_FILE, OAUTH2_FILE],
            GarthFormat::Di => &[DI_FILE],
            GarthFormat::GarminConnect => &[GARMINCONNECT_FILE],
        }
    }
}

const ALL_FORMATS: [GarthFormat; 3] = [
    GarthFormat::Di,
    GarthFormat::GarminConnect,
    GarthFormat::Legacy,
];

/// A token folder in garth's layout (0700 folder, 0600 files, each file replaced atomically).
///
/// `load` reads whichever layout is present (`di_token.json`, then `garmin_tokens.json`, then the
/// legacy pair) and remembers it; `save` writes DI tokens back in the DI layout it read (or was
/// given) and legacy tokens as the legacy pair, then deletes the other layouts' files so that the
/// folder never holds two different sessions. Clones share the remembered layout.
#[derive(Debug, Clone)]
pub struct GarthDirStore {
    dir: PathBuf,
    format: Arc<Mutex<Option<GarthFormat>>>,
}

impl GarthDirStore {
    /// A store for the folder `dir` (created 0700 on the first save).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        GarthDirStore {
            dir: dir.into(),
            format: Arc::new(Mutex::new(None)),
        }
    }

    /// A store that saves DI tokens in `format` (`Di` or `GarminConnect`) until a load finds
    /// another.
    pub fn with_format(dir: impl Into<PathBuf>, format: GarthFormat) -> Self {
        GarthDirStore {
            dir: dir.into(),
            format: Arc::new(Mutex::new(Some(format))),
        }
    }

    /// The folder as given to [`GarthDirStore::new`], not resolved; if it turns out to be a
    /// symlink, loads and saves refuse it.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The layout last read or written, if any.
    pub fn format(&self) -> Option<GarthFormat> {
        *self.format.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn remember(&self, f: GarthFormat) {
        *self.format.lock().unwrap_or_else(|p| p.into_inner()) = Some(f);
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Reads one file; an empty file counts as missing (garth writes empty files for absent
    /// tokens).
    fn read(&self, name: &str) -> Result<Option<String>> {
        Ok(read_private(&self.file(name))?.filter(|s| !s.trim().is_empty()))
    }

    fn parse<T: DeserializeOwned>(name: &str, text: &str) -> Result<T> {
        serde_json::from_str(text).map_err(|e| {
            Error::InvalidInput(format!("{name} has the wrong shape: {}", field_hint(&e)))
        })
    }

    fn write(&self, name: &str, contents: &str) -> Result<()> {
        atomic_write(&self.file(name), DirPolicy::Private, |w: &mut dyn Write| {
            w.write_all(contents.as_bytes())
        })
    }
}

impl TokenStore for GarthDirStore {
    fn load(&self) -> Result<Option<Tokens>> {
        match std::fs::symlink_metadata(&self.dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Error::Storage(format!(
                    "{}: cannot inspect folder: {e}",
                    self.dir.display()
                )))
            }
            Ok(m) if m.file_type().is_symlink() => {
                return Err(Error::Storage(format!(
                    "{}: is a symlink; refusing to read tokens through it",
                    self.dir.display()
                )))
            }
            Ok(m) if !m.is_dir() => {
                return Err(Error::Storage(format!(
                    "{}: is not a folder",
                    self.dir.display()
                )))
            }
            Ok(_) => {}
        }
        if let Some(text) = self.read(DI_FILE)? {
            let di: DiToken = Self::parse(DI_FILE, &text)?;
            if di.access_token.is_empty() || di.refresh_token.is_empty() {
                return Err(Error::InvalidInput(format!("{DI_FILE} has an empty token")));
            }
            self.remember(GarthFormat::Di);
            return Ok(Some(Tokens::Di { di }));
        }
        if let Some(text) = self.read(GARMINCONNECT_FILE)? {
            let tokens = import_garminconnect(&text).map_err(|e| {
                Error::InvalidInput(format!("{GARMINCONNECT_FILE}: {}", strip_prefix(&e)))
            })?;
            self.remember(GarthFormat::GarminConnect);
            return Ok(Some(tokens));
        }
        match (self.read(OAUTH1_FILE)?, self.read(OAUTH2_FILE)?) {
            (Some(t1), Some(t2)) => {
                let oauth1: OAuth1Token = Self::parse(OAUTH1_FILE, &t1)?;
                let oauth2: OAuth2Token = Self::parse(OAUTH2_FILE, &t2)?;
                let tokens = legacy_pair(oauth1, oauth2)?;
                self.remember(GarthFormat::Legacy);
                Ok(Some(tokens))
            }
            (None, None) => Ok(None),
            (Some(_), None) => Err(Error::InvalidInput(format!(
                "{OAUTH1_FILE} is there but {OAUTH2_FILE} is missing"
            ))),
            (None, Some(_)) => Err(Error::InvalidInput(format!(
                "{OAUTH2_FILE} is there but {OAUTH1_FILE} is missing"
            ))),
        }
    }

    fn save(&self, tokens: &Tokens) -> Result<()> {
        ensure_dir(&self.dir, DirPolicy::Private)?;
        let format = match tokens {
            Tokens::Legacy { oauth1, oauth2 } => {
                // OAuth1 first: a crash between the two leaves the new OAuth1 token with the old
                // (still valid or refreshable) OAuth2 token, never an OAuth2 token without its
                // OAuth1 token.
                self.write(OAUTH1_FILE, &pretty(oauth1))?;
                self.write(OAUTH2_FILE, &pretty(oauth2))?;
                GarthFormat::Legacy
            }
            Tokens::Di { di } => {
                if self.format() == Some(GarthFormat::GarminConnect) {
                    self.write(GARMINCONNECT_FILE, &export_garminconnect(tokens)?)?;
                    GarthFormat::GarminConnect
                } else {
                    self.write(DI_FILE, &pretty(di))?;
                    GarthFormat::Di
                }
            }
            Tokens::Partner { .. } => {
                return Err(Error::InvalidInput(
                    "a garth token folder holds legacy or DI tokens; keep partner tokens in a JSON file, database or keyring store".into(),
                ))
            }
        };
        for other in ALL_FORMATS.iter().filter(|f| **f != format) {
            for name in other.files() {
                remove_private(&self.file(name))?;
            }
        }
        self.remember(format);
        Ok(())
    }

    fn clear(&self) -> Result<()> {
        for f in ALL_FORMATS {
            for name in f.files() {
                remove_private(&self.file(name))?;
            }
        }
        Ok(())
    }

    fn try_lock(&self) -> Result<Option<StoreLock>> {
        try_lock_file(&self.dir.join(".garmin-sso.lock"), DirPolicy::Private)
    }
}

fn strip_prefix(e: &Error) -> String {
    match e {
        Error::InvalidInput(m) => m.clone(),
        other => other.to_string(),
    }
}

/// garth writes its files indented; so does this store.
fn pretty<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).expect("token JSON serializes")
}
