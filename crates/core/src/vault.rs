//! Credential vault: email and password per account, sealed with XChaCha20-Poly1305, for apps
//! that must sign in again without a person (format: docs/vault.md).
//!
//! The key lives in its own 0600 file outside the vault's folder, so that whoever can read the
//! folder (a web server's document root, a backup of the data) holds ciphertext only.

use crate::client::{Client, LoginOutcome};
use crate::error::{Error, ErrorKind, Result};
use crate::random::random_bytes;
use crate::secret::Password;
use crate::session::Session;
use crate::store::{
    lock_file, lock_name, parent_of, storage, sync_dir, write_file_atomic, DirPolicy, StoreLock,
    TokenStore,
};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use zeroize::{Zeroize, Zeroizing};

/// The vault file format this code writes and reads.
pub const VAULT_FORMAT_VERSION: u32 = 1;

const FORMAT_NAME: &str = "garmin-sso-vault";
// Sealed under the key with no account as associated data: lets an empty vault still tell a
// wrong key from a right one, and lets recovery pick which key the file was written with.
const KEY_CHECK: &[u8] = b"garmin-sso-vault key check v1";
const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;

type Key = Zeroizing<[u8; KEY_LEN]>;

#[derive(Serialize, Deserialize)]
struct VaultFile {
    format: String,
    version: u32,
    key_check: Sealed,
    entries: BTreeMap<String, Sealed>,
}

#[derive(Serialize, Deserialize, Clone)]
struct Sealed {
    nonce: String,
    ciphertext: String,
}

#[derive(Serialize, Deserialize, Zeroize)]
#[zeroize(drop)]
struct Plain {
    email: String,
    password: String,
}

/// An open credential vault: one JSON file, one entry per account key.
pub struct Vault {
    path: PathBuf,
    key_path: PathBuf,
    key: Key,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("path", &self.path)
            .field("key_path", &self.key_path)
            .field("key", &"[redacted]")
            .finish()
    }
}

/// The folder as the OS resolves it; a folder that does not exist yet resolves through its
/// nearest existing ancestor, so `..` and symlinks cannot hide a key inside the vault's folder.
fn resolve_dir(dir: &Path) -> io::Result<PathBuf> {
    let mut missing = Vec::new();
    let abs = if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        std::env::current_dir()?.join(dir)
    };
    // `..` under a folder that does not exist yet cannot be resolved by the OS; drop it lexically.
    let mut cur = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::ParentDir => {
                cur.pop();
            }
            std::path::Component::CurDir => {}
            c => cur.push(c),
        }
    }
    loop {
        match fs::canonicalize(&cur) {
            Ok(mut real) => {
                for part in missing.iter().rev() {
                    real.push(part);
                }
                return Ok(real);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let name = cur.file_name().map(|n| n.to_os_string()).ok_or(e)?;
                missing.push(name);
                cur.pop();
            }
            Err(e) => return Err(e),
        }
    }
}

fn next_slot(key_path: &Path) -> PathBuf {
    let mut name = key_path.as_os_str().to_os_string();
    name.push(".next");
    PathBuf::from(name)
}

fn seal(key: &Key, aad: &[u8], plain: &[u8]) -> Result<Sealed> {
    let nonce = random_bytes::<NONCE_LEN>()?;
    let cipher = XChaCha20Poly1305::new(key.as_ref().into());
    let ct = cipher
        .encrypt(XNonce::from_slice(&nonce[..]), Payload { msg: plain, aad })
        .map_err(|_| Error::Storage("vault: encryption failed".into()))?;
    Ok(Sealed {
        nonce: B64.encode(&nonce[..]),
        ciphertext: B64.encode(ct),
    })
}

/// `None` when the tag does not verify: a wrong key or an altered entry.
fn open_sealed(key: &Key, aad: &[u8], s: &Sealed) -> Option<Zeroizing<Vec<u8>>> {
    let nonce = B64.decode(&s.nonce).ok()?;
    if nonce.len() != NONCE_LEN {
        return None;
    }
    let ct = B64.decode(&s.ciphertext).ok()?;
    let cipher = XChaCha20Poly1305::new(key.as_ref().into());
    cipher
        .decrypt(XNonce::from_slice(&nonce), Payload { msg: &ct, aad })
        .ok()
        .map(Zeroizing::new)
}

fn read_key(path: &Path) -> Result<Option<Key>> {
    let mut text = Zeroizing::new(String::new());
    match File::open(path) {
        Ok(mut f) => f
            .read_to_string(&mut text)
            .map_err(|e| storage(path, format!("cannot read the vault key: {e}")))?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(storage(path, format!("cannot open the vault key: {e}"))),
    };
    let raw = Zeroizing::new(
        B64.decode(text.trim())
            .map_err(|_| storage(path, "the vault key file is not base64"))?,
    );
    if raw.len() != KEY_LEN {
        return Err(storage(
            path,
            "the vault key file does not hold a 32-byte key",
        ));
    }
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    key.copy_from_slice(&raw);
    Ok(Some(key))
}

/// Writes a new key file 0600 and fsyncs it; `create_new` so a key is never overwritten in place.
fn write_key(path: &Path, key: &Key) -> Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options
        .open(path)
        .map_err(|e| storage(path, format!("cannot create the vault key: {e}")))?;
    let text = Zeroizing::new(B64.encode(&key[..]));
    f.write_all(text.as_bytes())
        .and_then(|_| f.write_all(b"\n"))
        .and_then(|_| f.sync_all())
        .map_err(|e| storage(path, format!("cannot write the vault key: {e}")))?;
    sync_dir(parent_of(path));
    Ok(())
}

/// The vault's OS lock (`.<name>.lock` beside it), held until dropped; the OS releases it if the
/// process dies.
fn lock(path: &Path) -> Result<StoreLock> {
    lock_file(
        &parent_of(path).join(lock_name(path)),
        DirPolicy::CreatePrivate,
    )
}

impl Vault {
    /// Opens the vault at `path` (created on first write) with the key in `key_path` (created 0600
    /// on first use). Refuses a key inside the vault's folder with [`Error::VaultKeyInsideFolder`]
    /// and a key that does not open this vault with [`Error::VaultKeyMismatch`]. Finishes or rolls
    /// back a key rotation that a crash interrupted.
    pub fn open(path: impl Into<PathBuf>, key_path: impl Into<PathBuf>) -> Result<Vault> {
        let path = path.into();
        let key_path = key_path.into();
        let dir = resolve_dir(parent_of(&path)).map_err(|e| storage(&path, e))?;
        let key_dir = resolve_dir(parent_of(&key_path)).map_err(|e| storage(&key_path, e))?;
        if key_dir.starts_with(&dir) {
            return Err(Error::VaultKeyInsideFolder(format!(
                "the key file {} is inside the vault's folder {}; keep it outside, so that \
                 whoever can read the folder cannot read the key",
                key_path.display(),
                dir.display()
            )));
        }
        fs::create_dir_all(parent_of(&path)).map_err(|e| storage(&path, e))?;
        let _guard = lock(&path)?;
        let file = read_file(&path)?;
        let next = next_slot(&key_path);
        let key = match (read_key(&key_path)?, read_key(&next)?) {
            (Some(old), Some(new)) => {
                // A rotation was interrupted: the file says which key it was written with.
                match &file {
                    Some(f) if open_sealed(&new, b"", &f.key_check).is_some() => {
                        fs::rename(&next, &key_path).map_err(|e| {
                            storage(&key_path, format!("cannot finish rotation: {e}"))
                        })?;
                        sync_dir(parent_of(&key_path));
                        new
                    }
                    _ => {
                        fs::remove_file(&next)
                            .map_err(|e| storage(&next, format!("cannot undo rotation: {e}")))?;
                        old
                    }
                }
            }
            (Some(k), None) => k,
            (None, Some(new)) => {
                fs::rename(&next, &key_path)
                    .map_err(|e| storage(&key_path, format!("cannot finish rotation: {e}")))?;
                new
            }
            (None, None) => {
                if file.is_some() {
                    return Err(Error::VaultKeyMismatch);
                }
                let k: Key = random_bytes::<KEY_LEN>()?;
                if let Some(d) = key_path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    fs::create_dir_all(d).map_err(|e| storage(d, e))?;
                }
                write_key(&key_path, &k)?;
                k
            }
        };
        if let Some(f) = &file {
            if open_sealed(&key, b"", &f.key_check).is_none() {
                return Err(Error::VaultKeyMismatch);
            }
        }
        Ok(Vault {
            path,
            key_path,
            key,
        })
    }

    /// The vault file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stores (or replaces) the email and password of `account`.
    pub fn add(&self, account: &str, email: &str, password: &Password) -> Result<()> {
        if account.is_empty() {
            return Err(Error::InvalidInput("the vault account key is empty".into()));
        }
        let _guard = lock(&self.path)?;
        let mut file = self.load_checked()?;
        let plain = Plain {
            email: email.to_owned(),
            password: password.expose().to_owned(),
        };
        let json = Zeroizing::new(
            serde_json::to_vec(&plain).map_err(|e| Error::Storage(format!("vault entry: {e}")))?,
        );
        let sealed = seal(&self.key, account.as_bytes(), &json)?;
        file.entries.insert(account.to_owned(), sealed);
        self.write(&file)
    }

    /// The email and password of `account`, or `None` when the vault has none.
    pub fn get(&self, account: &str) -> Result<Option<(String, Password)>> {
        let _guard = lock(&self.path)?;
        let file = self.load_checked()?;
        let Some(s) = file.entries.get(account) else {
            return Ok(None);
        };
        let plain = open_sealed(&self.key, account.as_bytes(), s).ok_or(Error::VaultKeyMismatch)?;
        let p: Plain = serde_json::from_slice(&plain)
            .map_err(|_| storage(&self.path, "a vault entry is not readable"))?;
        Ok(Some((p.email.clone(), Password::new(p.password.clone()))))
    }

    /// Deletes `account`'s credentials; `true` when there were some.
    pub fn remove(&self, account: &str) -> Result<bool> {
        let _guard = lock(&self.path)?;
        let mut file = self.load_checked()?;
        let had = file.entries.remove(account).is_some();
        if had {
            self.write(&file)?;
        }
        Ok(had)
    }

    /// The account keys in the vault, sorted.
    pub fn accounts(&self) -> Result<Vec<String>> {
        let _guard = lock(&self.path)?;
        Ok(self.load_checked()?.entries.into_keys().collect())
    }

    /// Re-encrypts every entry under a new random key. The new key goes to `<key>.next` first,
    /// then the vault file is replaced atomically, then the new key replaces the old: a crash at
    /// any point leaves the old or the new state, which [`Vault::open`] completes.
    pub fn rotate_key(&mut self) -> Result<()> {
        let _guard = lock(&self.path)?;
        let file = self.load_checked()?;
        let new: Key = random_bytes::<KEY_LEN>()?;
        let mut out = VaultFile {
            format: FORMAT_NAME.into(),
            version: VAULT_FORMAT_VERSION,
            key_check: seal(&new, b"", KEY_CHECK)?,
            entries: BTreeMap::new(),
        };
        for (account, s) in &file.entries {
            let plain =
                open_sealed(&self.key, account.as_bytes(), s).ok_or(Error::VaultKeyMismatch)?;
            out.entries
                .insert(account.clone(), seal(&new, account.as_bytes(), &plain)?);
        }
        let next = next_slot(&self.key_path);
        let _ = fs::remove_file(&next);
        write_key(&next, &new)?;
        self.write(&out)?;
        fs::rename(&next, &self.key_path)
            .map_err(|e| storage(&self.key_path, format!("cannot install the new key: {e}")))?;
        sync_dir(parent_of(&self.key_path));
        self.key = new;
        Ok(())
    }

    /// Signs `account` in with `email` and `password` and, only when that worked, keeps the
    /// credentials in the vault and the tokens in `store` (enrolment). An account that asks for
    /// MFA is refused with [`Error::MfaRequired`]: the vault is for sign-ins without a person.
    pub fn enroll(
        &self,
        account: &str,
        client: &Client,
        store: &dyn TokenStore,
        email: &str,
        password: &Password,
    ) -> Result<Session> {
        let tokens = match client.login(email, password)? {
            LoginOutcome::Complete(t) => t,
            LoginOutcome::MfaRequired(_) => return Err(Error::MfaRequired),
        };
        store.save(&tokens)?;
        self.add(account, email, password)?;
        let session = Session::new(client.clone(), tokens);
        session.persist_to(store.clone_store());
        Ok(session)
    }

    /// The stored session of `account` first, checked with one profile request (refreshed by the
    /// session when needed); a sign-in with the vault's credentials only when that session is
    /// gone. An account that now asks for MFA, or is blocked, is returned as that error and not
    /// retried: retrying without a person only gets the account locked.
    pub fn resume_or_sign_in(
        &self,
        account: &str,
        client: &Client,
        store: &dyn TokenStore,
    ) -> Result<Session> {
        let shared = store.clone_store();
        let stored = match store.load() {
            Ok(t) => t,
            // Unreadable tokens are as good as none: the credentials can replace them.
            Err(Error::InvalidInput(_)) => None,
            Err(e) => return Err(e),
        };
        if let Some(tokens) = stored {
            let session = Session::new(client.clone(), tokens);
            session.persist_to(shared.clone());
            match session.profile() {
                Ok(_) => return Ok(session),
                Err(e) if e.kind() == ErrorKind::SignInNeeded => {
                    log::info!("stored session of a vault account is gone; signing in again")
                }
                Err(e) => return Err(e),
            }
        }
        let Some((email, password)) = self.get(account)? else {
            return Err(Error::SignInNeeded {
                reason: "no usable session and no credentials for this account in the vault".into(),
            });
        };
        let tokens = match client.login(&email, &password)? {
            LoginOutcome::Complete(t) => t,
            LoginOutcome::MfaRequired(_) => return Err(Error::MfaRequired),
        };
        store.save(&tokens)?;
        let session = Session::new(client.clone(), tokens);
        session.persist_to(shared);
        Ok(session)
    }

    /// Forgets `account`: wipes its credentials from the vault and its tokens from `store`.
    pub fn delete_account(&self, account: &str, store: &dyn TokenStore) -> Result<()> {
        self.remove(account)?;
        store.clear()
    }

    fn load_checked(&self) -> Result<VaultFile> {
        match read_file(&self.path)? {
            Some(f) => {
                if open_sealed(&self.key, b"", &f.key_check).is_none() {
                    return Err(Error::VaultKeyMismatch);
                }
                Ok(f)
            }
            None => Ok(VaultFile {
                format: FORMAT_NAME.into(),
                version: VAULT_FORMAT_VERSION,
                key_check: seal(&self.key, b"", KEY_CHECK)?,
                entries: BTreeMap::new(),
            }),
        }
    }

    fn write(&self, file: &VaultFile) -> Result<()> {
        let json = serde_json::to_vec_pretty(file)
            .map_err(|e| Error::Storage(format!("vault file: {e}")))?;
        write_file_atomic(&self.path, |w| w.write_all(&json))
    }
}

fn read_file(path: &Path) -> Result<Option<VaultFile>> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(storage(path, format!("cannot read the vault: {e}"))),
    };
    let f: VaultFile = serde_json::from_str(&text)
        .map_err(|_| storage(path, "the vault file is not valid JSON"))?;
    if f.format != FORMAT_NAME || f.version != VAULT_FORMAT_VERSION {
        return Err(storage(
            path,
            format!(
                "vault format {} version {} is not supported",
                f.format, f.version
            ),
        ));
    }
    Ok(Some(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let t = tempfile::tempdir().unwrap();
        let vault = t.path().join("data").join("vault.json");
        let key = t.path().join("keys").join("vault.key");
        (t, vault, key)
    }

    #[test]
    fn round_trip_and_remove() {
        let (_t, vp, kp) = dirs();
        let v = Vault::open(&vp, &kp).unwrap();
        v.add("a", "a@example.com", &Password::new("pw-a")).unwrap();
        v.add("b", "b@example.com", &Password::new("pw-b")).unwrap();
        let v = Vault::open(&vp, &kp).unwrap();
        let (email, pw) = v.get("a").unwrap().unwrap();
        assert_eq!((email.as_str(), pw.expose()), ("a@example.com", "pw-a"));
        assert_eq!(v.accounts().unwrap(), vec!["a", "b"]);
        assert!(v.remove("a").unwrap());
        assert!(v.get("a").unwrap().is_none());
        let text = fs::read_to_string(&vp).unwrap();
        assert!(!text.contains("pw-b") && !text.contains("b@example.com"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&kp).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        assert!(!format!("{v:?}").contains(&B64.encode(&v.key[..])));
    }

    #[test]
    fn wrong_key_is_a_typed_error() {
        let (t, vp, kp) = dirs();
        Vault::open(&vp, &kp)
            .unwrap()
            .add("a", "a@example.com", &Password::new("pw"))
            .unwrap();
        let other = t.path().join("other.key");
        assert!(matches!(
            Vault::open(&vp, &other),
            Err(Error::VaultKeyMismatch)
        ));
    }

    #[test]
    fn key_inside_the_folder_is_refused() {
        let (t, vp, _) = dirs();
        let inside = t.path().join("data").join("sub").join("k");
        assert!(matches!(
            Vault::open(&vp, &inside),
            Err(Error::VaultKeyInsideFolder(_))
        ));
        let sneaky = t.path().join("keys").join("..").join("data").join("k");
        assert!(matches!(
            Vault::open(&vp, &sneaky),
            Err(Error::VaultKeyInsideFolder(_))
        ));
    }

    #[test]
    fn rotation_and_interrupted_rotation() {
        let (_t, vp, kp) = dirs();
        let mut v = Vault::open(&vp, &kp).unwrap();
        v.add("a", "a@example.com", &Password::new("pw")).unwrap();
        let before = fs::read(&kp).unwrap();
        v.rotate_key().unwrap();
        assert_ne!(fs::read(&kp).unwrap(), before);
        assert_eq!(
            Vault::open(&vp, &kp)
                .unwrap()
                .get("a")
                .unwrap()
                .unwrap()
                .1
                .expose(),
            "pw"
        );

        // Crash after the new key was written to `.next` but before the vault was replaced.
        let stray: Key = random_bytes::<KEY_LEN>().unwrap();
        write_key(&next_slot(&kp), &stray).unwrap();
        let v = Vault::open(&vp, &kp).unwrap();
        assert!(!next_slot(&kp).exists());
        assert_eq!(v.get("a").unwrap().unwrap().1.expose(), "pw");

        // Crash after the vault was replaced but before the key was renamed: simulate by sealing
        // the file under a `.next` key by hand.
        let new: Key = random_bytes::<KEY_LEN>().unwrap();
        let mut out = VaultFile {
            format: FORMAT_NAME.into(),
            version: VAULT_FORMAT_VERSION,
            key_check: seal(&new, b"", KEY_CHECK).unwrap(),
            entries: BTreeMap::new(),
        };
        let plain = br#"{"email":"a@example.com","password":"pw"}"#;
        out.entries
            .insert("a".into(), seal(&new, b"a", plain).unwrap());
        write_key(&next_slot(&kp), &new).unwrap();
        v.write(&out).unwrap();
        let v = Vault::open(&vp, &kp).unwrap();
        assert!(!next_slot(&kp).exists());
        assert_eq!(v.get("a").unwrap().unwrap().1.expose(), "pw");
    }
}
