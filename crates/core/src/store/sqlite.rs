//! [`SqliteStore`]: many accounts' tokens in one SQLite file, one row per account key, for a
//! server on one machine that keeps its users' Garmin sessions (cargo feature `sqlite`; SQLite is
//! compiled in, no system library needed).
//!
//! - The table is created on open, next to a schema-version table; a file written by a newer
//!   version of this store is refused rather than misread.
//! - Every save is one transaction in WAL mode with `synchronous=FULL`: a row is the old tokens or
//!   the new ones, never half of each, and durable when `save` returns.
//! - [`TokenStore::try_lock`] is SQLite's own write lock (`BEGIN IMMEDIATE`), taken without waiting:
//!   one refresh at a time across every process and connection using the file, released by SQLite
//!   when the holder's connection closes or its process dies. The lock covers the whole file, so
//!   refreshes of different accounts in one file take turns; a refresh is one request, so this
//!   bounds a busy server at a few refreshes a second per file.
//! - Errors are [`Error::Storage`] naming the file, the table and the account key, never the row.
//!   A row that cannot be read is [`Error::InvalidInput`] (see [`TokenStore::load`]); a failed
//!   refresh never writes, so it is left as it was.

use super::{StoreLock, TokenStore};
use crate::error::{Error, Result};
use crate::tokens::Tokens;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::ThreadId;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The table of tokens, one row per account key.
pub const SQLITE_TOKENS_TABLE: &str = "garmin_sso_tokens";
const META_TABLE: &str = "garmin_sso_meta";
/// The layout this code writes and reads.
const SCHEMA_VERSION: i64 = 1;
/// How long a plain read or write waits for another connection's write lock (a refresh holds it
/// for one request).
const BUSY_WAIT: Duration = Duration::from_secs(30);

/// Tokens of one account key in an SQLite database file. Cheap to clone: clones and
/// [`SqliteStore::account`] handles share one connection.
///
/// ```no_run
/// # fn main() -> garmin_sso_core::Result<()> {
/// use garmin_sso_core::{SqliteStore, TokenStore};
/// let store = SqliteStore::open("/var/lib/myapp/garmin.sqlite", "user-42")?;
/// let other = store.account("user-43"); // same file, same connection
/// # let _ = (store.load()?, other);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SqliteStore {
    db: Arc<Db>,
    account: Arc<str>,
}

struct Db {
    path: PathBuf,
    state: Mutex<State>,
    /// Signalled when the write lock this connection holds is released.
    released: Condvar,
}

struct State {
    conn: Connection,
    /// The thread whose refresh holds this connection's `BEGIN IMMEDIATE` transaction.
    holder: Option<ThreadId>,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.db.path)
            .field("table", &SQLITE_TOKENS_TABLE)
            .field("account", &self.account)
            .finish()
    }
}

impl SqliteStore {
    /// Opens (creating when missing, as a 0600 file) the database at `path` and creates the tokens
    /// table if needed; the store reads and writes the row of `account` (e.g. the user's id in
    /// the app, or the Garmin email).
    pub fn open(path: impl AsRef<Path>, account: &str) -> Result<SqliteStore> {
        let path = path.as_ref().to_path_buf();
        if account.is_empty() {
            return Err(Error::InvalidInput(
                "an SQLite token store needs a non-empty account key".into(),
            ));
        }
        let err = |what: &str, e: &dyn fmt::Display| {
            Error::Storage(format!(
                "SQLite token store {} (table {SQLITE_TOKENS_TABLE}, account {account}): {what}: {e}",
                path.display()
            ))
        };
        create_private(&path).map_err(|e| err("cannot create the file", &e))?;
        let conn = Connection::open(&path).map_err(|e| err("cannot open", &e))?;
        init(&conn).map_err(|e| err("cannot set up the database", &e))?;
        check_schema(&conn).map_err(|e| match e {
            Schema::Newer(v) => err(
                "unsupported layout",
                &format!(
                    "schema version {v} is newer than this library understands ({SCHEMA_VERSION})"
                ),
            ),
            Schema::Db(e) => err("cannot set up the tables", &e),
        })?;
        Ok(SqliteStore {
            db: Arc::new(Db {
                path,
                state: Mutex::new(State { conn, holder: None }),
                released: Condvar::new(),
            }),
            account: account.into(),
        })
    }

    /// The store of another account in the same database, sharing this handle's connection.
    pub fn account(&self, account: &str) -> SqliteStore {
        SqliteStore {
            db: self.db.clone(),
            account: account.into(),
        }
    }

    /// The account key whose row this store reads and writes.
    pub fn account_key(&self) -> &str {
        &self.account
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.db.path
    }

    /// Every account key with a row, sorted.
    pub fn accounts(&self) -> Result<Vec<String>> {
        let st = self.state()?;
        let mut stmt = st
            .conn
            .prepare(&format!(
                "SELECT account FROM {SQLITE_TOKENS_TABLE} ORDER BY account"
            ))
            .map_err(|e| self.error("cannot list the accounts", e))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.error("cannot list the accounts", e))?;
        rows.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| self.error("cannot list the accounts", e))
    }

    fn error(&self, what: &str, e: impl fmt::Display) -> Error {
        Error::Storage(format!("{self}: {what}: {e}"))
    }

    fn state(&self) -> Result<MutexGuard<'_, State>> {
        Ok(self.db.state.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// The connection, once no other thread's refresh holds its write transaction (this thread's
    /// own refresh writes inside it). Waits as long as SQLite would for another connection.
    fn state_for_write(&self) -> Result<MutexGuard<'_, State>> {
        let me = std::thread::current().id();
        let (st, timeout) = self
            .db
            .released
            .wait_timeout_while(self.state()?, BUSY_WAIT, |st| {
                st.holder.is_some_and(|h| h != me)
            })
            .unwrap_or_else(|p| p.into_inner());
        if timeout.timed_out() {
            return Err(self.error(
                "cannot write",
                format!(
                    "a refresh in this process held the lock for over {} s",
                    BUSY_WAIT.as_secs()
                ),
            ));
        }
        Ok(st)
    }

    /// Ends this thread's locked refresh: commits what it wrote and lets other threads on.
    fn finish(&self, st: &mut State, commit: bool) -> rusqlite::Result<()> {
        st.holder = None;
        self.db.released.notify_all();
        let sql = if commit { "COMMIT" } else { "ROLLBACK" };
        st.conn.execute_batch(sql).inspect_err(|_| {
            let _ = st.conn.execute_batch("ROLLBACK");
        })
    }
}

impl fmt::Display for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SQLite token store {} (table {SQLITE_TOKENS_TABLE}, account {})",
            self.db.path.display(),
            self.account
        )
    }
}

impl TokenStore for SqliteStore {
    fn load(&self) -> Result<Option<Tokens>> {
        let st = self.state()?;
        let json: Option<String> = st
            .conn
            .query_row(
                &format!("SELECT tokens FROM {SQLITE_TOKENS_TABLE} WHERE account = ?1"),
                params![&*self.account],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.error("cannot read", e))?;
        drop(st);
        match json {
            None => Ok(None),
            Some(j) => Tokens::from_json(&j).map(Some).map_err(|e| {
                Error::InvalidInput(format!("{self}: the row is unreadable: {}", strip(&e)))
            }),
        }
    }

    /// One transaction. Inside this thread's locked refresh it also commits that refresh's
    /// transaction, which releases the lock: the rotated tokens are durable before anyone uses
    /// them, and the lock covers exactly the refresh and its save.
    fn save(&self, tokens: &Tokens) -> Result<()> {
        let mut st = self.state_for_write()?;
        let sql = format!(
            "INSERT INTO {SQLITE_TOKENS_TABLE} (account, tokens, updated_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT(account) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at"
        );
        let json = zeroize::Zeroizing::new(tokens.to_json());
        if st.holder.is_some() {
            let written = st
                .conn
                .execute(&sql, params![&*self.account, json.as_str(), now()]);
            let done = match written {
                Ok(_) => self.finish(&mut st, true),
                Err(e) => {
                    let _ = self.finish(&mut st, false);
                    Err(e)
                }
            };
            return done.map_err(|e| self.error("cannot save", e));
        }
        let tx = st
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.error("cannot save", e))?;
        tx.execute(&sql, params![&*self.account, json.as_str(), now()])
            .map_err(|e| self.error("cannot save", e))?;
        tx.commit().map_err(|e| self.error("cannot save", e))
    }

    fn clear(&self) -> Result<()> {
        let st = self.state_for_write()?;
        st.conn
            .execute(
                &format!("DELETE FROM {SQLITE_TOKENS_TABLE} WHERE account = ?1"),
                params![&*self.account],
            )
            .map(|_| ())
            .map_err(|e| self.error("cannot delete", e))
    }

    /// SQLite's write lock on the file (`BEGIN IMMEDIATE` on this handle's connection), taken
    /// without waiting. Held until the refresh saves (the save commits) or the lock is dropped
    /// (rolled back: nothing was written).
    fn try_lock(&self) -> Result<Option<StoreLock>> {
        let mut st = self.state()?;
        if st.holder.is_some() {
            return Ok(None);
        }
        st.conn
            .busy_timeout(Duration::ZERO)
            .map_err(|e| self.error("cannot lock", e))?;
        let begun = st.conn.execute_batch("BEGIN IMMEDIATE");
        st.conn
            .busy_timeout(BUSY_WAIT)
            .map_err(|e| self.error("cannot lock", e))?;
        match begun {
            Ok(()) => {
                st.holder = Some(std::thread::current().id());
                Ok(Some(StoreLock::new(Box::new(Held(self.clone())))))
            }
            Err(rusqlite::Error::SqliteFailure(f, _))
                if matches!(
                    f.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(self.error("cannot lock", e)),
        }
    }
}

/// The write transaction of a locked refresh; rolled back on drop unless a save committed it.
struct Held(SqliteStore);

impl Drop for Held {
    fn drop(&mut self) {
        let Ok(mut st) = self.0.state() else { return };
        if st.holder.is_some() {
            if let Err(e) = self.0.finish(&mut st, false) {
                log::warn!("{}: cannot release the lock: {e}", self.0);
            }
        }
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The message of a token-parsing error without its kind prefix.
fn strip(e: &Error) -> String {
    match e {
        Error::InvalidInput(m) => m.clone(),
        other => other.to_string(),
    }
}

/// Creates `path` empty and 0600 when it does not exist, so that SQLite (and its -wal and -shm
/// files, which copy the file's mode) never makes it readable by others.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

fn init(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_WAIT)?;
    // WAL: readers never wait for a refresh holding the write lock. FULL: a commit is on disk
    // before it returns.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch(&format!(
        "BEGIN IMMEDIATE;
         CREATE TABLE IF NOT EXISTS {META_TABLE} (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
         INSERT OR IGNORE INTO {META_TABLE} (key, value) VALUES ('schema_version', {SCHEMA_VERSION});
         CREATE TABLE IF NOT EXISTS {SQLITE_TOKENS_TABLE} (
             account TEXT PRIMARY KEY NOT NULL,
             tokens TEXT NOT NULL,
             updated_at INTEGER NOT NULL
         );
         COMMIT;"
    ))
    .inspect_err(|_| {
        let _ = conn.execute_batch("ROLLBACK");
    })
}

enum Schema {
    Newer(i64),
    Db(rusqlite::Error),
}

fn check_schema(conn: &Connection) -> std::result::Result<(), Schema> {
    let v: i64 = conn
        .query_row(
            &format!("SELECT value FROM {META_TABLE} WHERE key = 'schema_version'"),
            [],
            |r| r.get(0),
        )
        .map_err(Schema::Db)?;
    if v > SCHEMA_VERSION {
        return Err(Schema::Newer(v));
    }
    Ok(())
}
