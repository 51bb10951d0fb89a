//! Private files: 0600 files in 0700 folders, replaced atomically, never through a symlink.
//!
//! A save writes a temporary file next to the target, syncs it, renames it over the target and
//! syncs the folder, so a crash at any point leaves either the old file or the new one — never half
//! of either. Symlinks are refused on the folder and on the file: a planted link must not redirect
//! tokens elsewhere, and reads check that the file opened is the regular file that was inspected.

use super::{StoreLock, TokenStore};
use crate::error::{Error, Result};
use crate::tokens::Tokens;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Token files are small; anything bigger is not ours and is not read into memory.
const MAX_FILE_BYTES: u64 = 1 << 20;

/// One file holding [`Tokens::to_json`] (mode 0600; a missing folder is created with mode 0700).
#[derive(Debug, Clone)]
pub struct JsonFileStore {
    path: PathBuf,
}

impl JsonFileStore {
    /// A store at `path` (the file, not its folder).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        JsonFileStore { path: path.into() }
    }

    /// The file as given to [`JsonFileStore::new`], not resolved; if it or its folder turns out to
    /// be a symlink, loads and saves refuse it.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl TokenStore for JsonFileStore {
    fn load(&self) -> Result<Option<Tokens>> {
        match read_private(&self.path)? {
            None => Ok(None),
            Some(text) => Tokens::from_json(&text).map(Some),
        }
    }

    fn save(&self, tokens: &Tokens) -> Result<()> {
        let json = tokens.to_json();
        atomic_write(&self.path, DirPolicy::CreatePrivate, |w| {
            w.write_all(json.as_bytes())
        })
    }

    fn clear(&self) -> Result<()> {
        remove_private(&self.path)
    }

    fn try_lock(&self) -> Result<Option<StoreLock>> {
        try_lock_file(
            &parent_of(&self.path).join(lock_name(&self.path)),
            DirPolicy::CreatePrivate,
        )
    }
}

pub(crate) fn lock_name(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    format!(".{}.lock", name.unwrap_or_default())
}

/// An OS advisory lock on `lock` (created 0600, never deleted: deleting a lock file lets two
/// holders lock two different files). The OS releases it when the holder exits or dies, so a crash
/// cannot leave it stuck.
pub(crate) fn try_lock_file(lock: &Path, policy: DirPolicy) -> Result<Option<StoreLock>> {
    let file = open_lock_file(lock, policy)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(StoreLock::new(Box::new(file)))),
        Err(fs::TryLockError::WouldBlock) => Ok(None),
        Err(fs::TryLockError::Error(e)) => Err(storage(lock, format!("cannot lock: {e}"))),
    }
}

/// [`try_lock_file`], waiting as long as the holder keeps it: for writes that hold it for
/// milliseconds (the credential vault), where a bounded wait would only add a failure mode.
#[cfg(feature = "vault")]
pub(crate) fn lock_file(lock: &Path, policy: DirPolicy) -> Result<StoreLock> {
    let file = open_lock_file(lock, policy)?;
    file.lock()
        .map_err(|e| storage(lock, format!("cannot lock: {e}")))?;
    Ok(StoreLock::new(Box::new(file)))
}

fn open_lock_file(lock: &Path, policy: DirPolicy) -> Result<File> {
    ensure_dir(parent_of(lock), policy)?;
    if fs::symlink_metadata(lock).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(storage(lock, "is a symlink; refusing to lock through it"));
    }
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(lock)
        .map_err(|e| storage(lock, format!("cannot open the lock file: {e}")))
}

/// Writes `path` atomically as a 0600 file: `write` fills a temporary file in the same folder,
/// which then replaces `path` in one rename. If `write` fails (or the process dies) the previous
/// content of `path` is untouched. A missing folder is created with mode 0700; a symlinked folder
/// or file is refused.
pub fn write_file_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    atomic_write(path, DirPolicy::CreatePrivate, write)
}

/// What to do with the folder that holds a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DirPolicy {
    /// Create it 0700 when missing; leave an existing folder's mode alone (it may be shared).
    CreatePrivate,
    /// Create it 0700 when missing and tighten an existing one to 0700 (a folder for tokens only).
    Private,
}

pub(crate) fn storage(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::Storage(format!("{}: {what}", path.display()))
}

pub(crate) fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Makes sure `dir` is a real folder (not a symlink), creating it 0700 when missing.
pub(crate) fn ensure_dir(dir: &Path, policy: DirPolicy) -> Result<()> {
    match fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_symlink() => Err(storage(
            dir,
            "is a symlink; refusing to keep tokens through it",
        )),
        Ok(m) if !m.is_dir() => Err(storage(dir, "exists and is not a folder")),
        Ok(_) => {
            if policy == DirPolicy::Private {
                set_mode(dir, 0o700)
                    .map_err(|e| storage(dir, format!("cannot set mode 0700: {e}")))?;
            }
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let mut b = fs::DirBuilder::new();
            b.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
            b.create(dir)
                .map_err(|e| storage(dir, format!("cannot create folder: {e}")))?;
            // The umask may have taken bits away, never added them; set the exact mode anyway.
            set_mode(dir, 0o700).map_err(|e| storage(dir, format!("cannot set mode 0700: {e}")))
        }
        Err(e) => Err(storage(dir, format!("cannot inspect folder: {e}"))),
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

/// Reads a private file; `None` when it does not exist. Refuses symlinks, non-files and files over
/// 1 MiB, and checks that the file opened is the one inspected (no swap in between).
pub(crate) fn read_private(path: &Path) -> Result<Option<String>> {
    let inspected = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(storage(path, format!("cannot inspect: {e}"))),
    };
    if inspected.file_type().is_symlink() {
        return Err(storage(
            path,
            "is a symlink; refusing to read tokens through it",
        ));
    }
    if !inspected.is_file() {
        return Err(storage(path, "is not a regular file"));
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if fs::symlink_metadata(parent)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(false)
        {
            return Err(storage(
                parent,
                "is a symlink; refusing to read tokens through it",
            ));
        }
    }
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(storage(path, format!("cannot open: {e}"))),
    };
    let opened = file
        .metadata()
        .map_err(|e| storage(path, format!("cannot inspect: {e}")))?;
    if !same_file(&inspected, &opened) {
        return Err(storage(
            path,
            "changed while being opened; refusing to read it",
        ));
    }
    if opened.len() > MAX_FILE_BYTES {
        return Err(storage(
            path,
            format!("is larger than {MAX_FILE_BYTES} bytes; not a token file"),
        ));
    }
    let mut text = String::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| storage(path, format!("cannot read: {e}")))?;
    Ok(Some(text))
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    a.is_file() && b.is_file() && a.len() == b.len()
}

/// Checks that `path`, when it exists, is a regular file and not a symlink.
fn check_target(path: &Path) -> Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(storage(
            path,
            "is a symlink; refusing to write tokens through it",
        )),
        Ok(m) if !m.is_file() => Err(storage(path, "exists and is not a regular file")),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(storage(path, format!("cannot inspect: {e}"))),
    }
}

pub(crate) fn atomic_write(
    path: &Path,
    policy: DirPolicy,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| storage(path, "has no file name"))?
        .to_string_lossy()
        .into_owned();
    let dir = parent_of(path);
    ensure_dir(dir, policy)?;
    check_target(path)?;
    // A process killed between creating its temporary file and the rename leaves a complete token
    // document behind; sweep those (old enough not to be another saver's work in progress).
    sweep_temps(path, Some(STALE_TEMP));

    let tmp = dir.join(format!(".{name}.{}.tmp", random_suffix()?));
    let mut options = OpenOptions::new();
    // create_new = O_CREAT|O_EXCL: never opens an existing file or follows a symlink.
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&tmp)
        .map_err(|e| storage(&tmp, format!("cannot create: {e}")))?;

    let written = (|| -> io::Result<()> {
        set_mode(&tmp, 0o600)?;
        write(&mut file)?;
        file.flush()?;
        file.sync_all()
    })();
    drop(file);
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(storage(
            path,
            format!("write failed, previous content kept: {e}"),
        ));
    }
    // Re-check right before the rename: a symlink planted meanwhile is replaced by rename (never
    // followed), but refusing keeps the rule simple to state.
    if let Err(e) = check_target(path) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(storage(path, format!("cannot replace: {e}")));
    }
    sync_dir(dir);
    Ok(())
}

/// Makes the rename durable. Failure here is not an error: the new file is in place either way.
pub(crate) fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
        log::warn!("could not sync folder {}: {e}", dir.display());
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Deletes a private file; no error when it is missing. A symlink is refused rather than unlinked
/// so that the tokens it points at are not left behind unnoticed.
pub(crate) fn remove_private(path: &Path) -> Result<()> {
    // Logout must not leave tokens behind in an interrupted save's temporary file either.
    sweep_temps(path, None);
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            Err(storage(path, "is a symlink; refusing to delete through it"))
        }
        Ok(_) => match fs::remove_file(path) {
            Ok(()) => {
                sync_dir(parent_of(path));
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(storage(path, format!("cannot delete: {e}"))),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(storage(path, format!("cannot inspect: {e}"))),
    }
}

/// A temporary file older than this is an interrupted save's, not a save in progress.
const STALE_TEMP: std::time::Duration = std::time::Duration::from_secs(60);

/// Removes `path`'s temporary files (`.{name}.{16 hex digits}.tmp`, as [`atomic_write`] names them) that
/// are older than `older_than`, or all of them. Best effort: a file that cannot be removed is
/// logged, never an error of the save or clear that swept.
fn sweep_temps(path: &Path, older_than: Option<std::time::Duration>) {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let prefix = format!(".{name}.");
    let Ok(entries) = fs::read_dir(parent_of(path)) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(n) = file_name.to_str() else {
            continue;
        };
        let ours = n
            .strip_prefix(&prefix)
            .and_then(|r| r.strip_suffix(".tmp"))
            .is_some_and(|r| r.len() == 16 && r.bytes().all(|b| b.is_ascii_hexdigit()));
        if !ours {
            continue;
        }
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let stale = match older_than {
            None => true,
            Some(age) => meta
                .modified()
                .ok()
                .and_then(|m| m.elapsed().ok())
                .is_some_and(|e| e >= age),
        };
        if stale {
            match fs::remove_file(entry.path()) {
                Ok(()) => log::info!("removed an interrupted save's temporary file {n}"),
                Err(e) => log::warn!("could not remove temporary file {n}: {e}"),
            }
        }
    }
}

fn random_suffix() -> Result<String> {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|e| Error::Storage(format!("OS random source failed: {e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}
