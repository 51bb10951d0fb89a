//! [`PostgresStore`]: many accounts' tokens in one PostgreSQL table, one row per account key, for
//! an app that runs as several instances (cargo feature `postgres`; the synchronous client of
//! rust-postgres, without TLS: meant for a database on the same host or a private network).
//!
//! - The tables are created on first connection (under a transaction-level advisory lock, so
//!   instances starting together do not race), next to a schema-version table.
//! - A save is one `INSERT … ON CONFLICT DO UPDATE` statement, committed (and so durable, with the
//!   server's default `synchronous_commit`) when `save` returns.
//! - [`TokenStore::try_lock`] is a session-level advisory lock on a hash of the table and the
//!   account key (`pg_try_advisory_lock`): one refresh per account at a time across every instance,
//!   while other accounts refresh freely. The server releases it when the holder's connection
//!   ends, so a crashed instance cannot leave it stuck.
//! - The database being down is [`Error::Storage`]; the next call connects again. A session's
//!   tokens in memory stay usable meanwhile.
//! - Errors and `Debug` name the server as `postgres://USER@HOST:PORT/DB`, the table and the account
//!   key; never the password or a row.

use super::{StoreLock, TokenStore};
use crate::error::{Error, Result};
use crate::tokens::Tokens;
use postgres::config::Host;
use postgres::{Client, Config, NoTls};
use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The table of tokens, one row per account key.
pub const POSTGRES_TOKENS_TABLE: &str = "garmin_sso_tokens";
const META_TABLE: &str = "garmin_sso_meta";
const SCHEMA_VERSION: i64 = 1;
/// The advisory lock key that serialises table creation (an arbitrary constant: "gsso").
const SETUP_LOCK: i64 = 0x6773_736f;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Tokens of one account key in a PostgreSQL database. Cheap to clone: clones and
/// [`PostgresStore::account`] handles share one connection.
///
/// ```no_run
/// # fn main() -> garmin_sso_core::Result<()> {
/// use garmin_sso_core::{PostgresStore, TokenStore};
/// let store = PostgresStore::open("postgres://app@127.0.0.1:5432/app", "user-42")?;
/// # let _ = store.load()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PostgresStore {
    db: Arc<Db>,
    account: Arc<str>,
}

struct Db {
    /// Holds the password: never printed.
    config: Config,
    /// `postgres://USER@HOST:PORT/DB`, without the password.
    shown: String,
    /// The password, to scrub from driver messages should one ever quote it.
    password: Option<zeroize::Zeroizing<String>>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    client: Option<Client>,
    /// Account keys whose advisory lock this connection holds (the lock is re-entrant within a
    /// connection, so two sessions sharing it are kept apart here).
    held: HashSet<Arc<str>>,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("server", &self.db.shown)
            .field("table", &POSTGRES_TOKENS_TABLE)
            .field("account", &self.account)
            .finish()
    }
}

impl fmt::Display for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PostgreSQL token store {} (table {POSTGRES_TOKENS_TABLE}, account {})",
            self.db.shown, self.account
        )
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DB`, or libpq's `key=value`
    /// form), creates the tables when missing, and reads and writes the row of `account`.
    pub fn open(url: &str, account: &str) -> Result<PostgresStore> {
        let store = PostgresStore::new(url, account)?;
        {
            let mut st = store.state();
            store.client(&mut st)?;
        }
        Ok(store)
    }

    /// Like [`PostgresStore::open`] without connecting: the first use connects (and every use
    /// after the connection was lost). For an app that must start while the database is down.
    pub fn new(url: &str, account: &str) -> Result<PostgresStore> {
        if account.is_empty() {
            return Err(Error::InvalidInput(
                "a PostgreSQL token store needs a non-empty account key".into(),
            ));
        }
        let mut config = Config::from_str(url).map_err(|_| {
            Error::InvalidInput(
                "the PostgreSQL store's address is not a connection URL \
                 (postgres://USER[:PASSWORD]@HOST[:PORT]/DB)"
                    .into(),
            )
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let password = config
            .get_password()
            .filter(|p| !p.is_empty())
            .map(|p| zeroize::Zeroizing::new(String::from_utf8_lossy(p).into_owned()));
        let shown = shown_address(&config);
        Ok(PostgresStore {
            db: Arc::new(Db {
                config,
                shown,
                password,
                state: Mutex::new(State::default()),
            }),
            account: account.into(),
        })
    }

    /// The store of another account in the same database, sharing this handle's connection.
    pub fn account(&self, account: &str) -> PostgresStore {
        PostgresStore {
            db: self.db.clone(),
            account: account.into(),
        }
    }

    /// The account key whose row this store reads and writes.
    pub fn account_key(&self) -> &str {
        &self.account
    }

    /// The server as `postgres://USER@HOST:PORT/DB` (no password).
    pub fn server(&self) -> &str {
        &self.db.shown
    }

    /// Every account key with a row, sorted.
    pub fn accounts(&self) -> Result<Vec<String>> {
        let mut st = self.state();
        let sql = format!("SELECT account FROM {POSTGRES_TOKENS_TABLE} ORDER BY account");
        let rows = self.run(&mut st, "cannot list the accounts", |c| c.query(&sql, &[]))?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.db.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn error(&self, what: &str, e: impl fmt::Display) -> Error {
        let mut msg = format!("{self}: {what}: {e}");
        if let Some(p) = &self.db.password {
            if msg.contains(p.as_str()) {
                msg = msg.replace(p.as_str(), "[redacted]");
            }
        }
        Error::Storage(msg)
    }

    /// The connection, connecting (and creating the tables) when there is none.
    fn client<'s>(&self, st: &'s mut State) -> Result<&'s mut Client> {
        if st.client.as_ref().is_some_and(|c| c.is_closed()) {
            // The server ended the connection, and with it every advisory lock it held.
            st.client = None;
            st.held.clear();
        }
        if st.client.is_none() {
            let mut client = self
                .db
                .config
                .connect(NoTls)
                .map_err(|e| self.error("cannot connect", e))?;
            setup(&mut client).map_err(|e| match e {
                Setup::Newer(v) => self.error(
                    "unsupported layout",
                    format!("schema version {v} is newer than this library understands ({SCHEMA_VERSION})"),
                ),
                Setup::Db(e) => self.error("cannot set up the tables", e),
            })?;
            st.client = Some(client);
        }
        Ok(st.client.as_mut().expect("connected above"))
    }

    /// Runs `f` on the connection; a failure is a storage error naming `what`. When the server
    /// had ended the connection (a restart, an idle timeout), connects again and runs `f` once
    /// more: every statement here can run twice.
    fn run<T>(
        &self,
        st: &mut State,
        what: &str,
        mut f: impl FnMut(&mut Client) -> std::result::Result<T, postgres::Error>,
    ) -> Result<T> {
        match f(self.client(st)?) {
            Ok(v) => Ok(v),
            Err(_) if st.client.as_ref().is_some_and(|c| c.is_closed()) => {
                log::info!("{self}: the server ended the connection; connecting again");
                f(self.client(st)?).map_err(|e| self.error(what, e))
            }
            Err(e) => Err(self.error(what, e)),
        }
    }

    fn lock_key(&self) -> String {
        format!("garmin-sso:{POSTGRES_TOKENS_TABLE}:{}", self.account)
    }
}

impl TokenStore for PostgresStore {
    fn load(&self) -> Result<Option<Tokens>> {
        let mut st = self.state();
        let sql = format!("SELECT tokens FROM {POSTGRES_TOKENS_TABLE} WHERE account = $1");
        let row = self.run(&mut st, "cannot read", |c| {
            c.query_opt(&sql, &[&&*self.account])
        })?;
        drop(st);
        match row {
            None => Ok(None),
            Some(r) => {
                let json = zeroize::Zeroizing::new(r.get::<_, String>(0));
                Tokens::from_json(&json).map(Some).map_err(|e| {
                    let why = match e {
                        Error::InvalidInput(m) => m,
                        other => other.to_string(),
                    };
                    Error::InvalidInput(format!("{self}: the row is unreadable: {why}"))
                })
            }
        }
    }

    fn save(&self, tokens: &Tokens) -> Result<()> {
        let mut st = self.state();
        let sql = format!(
            "INSERT INTO {POSTGRES_TOKENS_TABLE} (account, tokens, updated_at) VALUES ($1, $2, now()) \
             ON CONFLICT (account) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at"
        );
        let json = zeroize::Zeroizing::new(tokens.to_json());
        self.run(&mut st, "cannot save", |c| {
            c.execute(&sql, &[&&*self.account, &json.as_str()])
        })
        .map(|_| ())
    }

    fn clear(&self) -> Result<()> {
        let mut st = self.state();
        let sql = format!("DELETE FROM {POSTGRES_TOKENS_TABLE} WHERE account = $1");
        self.run(&mut st, "cannot delete", |c| {
            c.execute(&sql, &[&&*self.account])
        })
        .map(|_| ())
    }

    /// `pg_try_advisory_lock` on a hash of the table and account key, held by this handle's
    /// connection until the lock is dropped (or the connection ends).
    fn try_lock(&self) -> Result<Option<StoreLock>> {
        let mut st = self.state();
        if st.held.contains(&self.account) {
            return Ok(None);
        }
        let key = self.lock_key();
        let got: bool = self
            .run(&mut st, "cannot lock", |c| {
                c.query_one(
                    "SELECT pg_try_advisory_lock(hashtextextended($1, 0))",
                    &[&key],
                )
            })?
            .get(0);
        if !got {
            return Ok(None);
        }
        st.held.insert(self.account.clone());
        Ok(Some(StoreLock::new(Box::new(Held(self.clone())))))
    }
}

/// An advisory lock this connection holds; unlocked on drop.
struct Held(PostgresStore);

impl Drop for Held {
    fn drop(&mut self) {
        let store = &self.0;
        let mut st = store.state();
        if !st.held.remove(&store.account) {
            return; // the connection ended, and the server released the lock with it
        }
        let Some(client) = st.client.as_mut().filter(|c| !c.is_closed()) else {
            return;
        };
        let key = store.lock_key();
        if let Err(e) = client.query_one(
            "SELECT pg_advisory_unlock(hashtextextended($1, 0))",
            &[&key],
        ) {
            log::warn!("{}", store.error("cannot release the lock", e));
        }
    }
}

/// `postgres://USER@HOST:PORT/DB` from `config`, leaving out the password.
fn shown_address(config: &Config) -> String {
    let user = config.get_user().unwrap_or("");
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let host = match h {
                Host::Tcp(name) => name.clone(),
                #[cfg(unix)]
                Host::Unix(path) => path.display().to_string(),
            };
            match config.get_ports().get(i).or(config.get_ports().first()) {
                Some(port) => format!("{host}:{port}"),
                None => host,
            }
        })
        .collect();
    let at = if user.is_empty() {
        String::new()
    } else {
        format!("{user}@")
    };
    format!(
        "postgres://{at}{}/{}",
        hosts.join(","),
        config.get_dbname().unwrap_or("")
    )
}

enum Setup {
    Newer(i64),
    Db(postgres::Error),
}

fn setup(client: &mut Client) -> std::result::Result<(), Setup> {
    let mut tx = client.transaction().map_err(Setup::Db)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SETUP_LOCK])
        .map_err(Setup::Db)?;
    tx.batch_execute(&format!(
        "CREATE TABLE IF NOT EXISTS {META_TABLE} (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
         INSERT INTO {META_TABLE} (key, value) VALUES ('schema_version', {SCHEMA_VERSION})
             ON CONFLICT (key) DO NOTHING;
         CREATE TABLE IF NOT EXISTS {POSTGRES_TOKENS_TABLE} (
             account TEXT PRIMARY KEY,
             tokens TEXT NOT NULL,
             updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
         );"
    ))
    .map_err(Setup::Db)?;
    let v: i64 = tx
        .query_one(
            &format!("SELECT value FROM {META_TABLE} WHERE key = 'schema_version'"),
            &[],
        )
        .map_err(Setup::Db)?
        .get(0);
    tx.commit().map_err(Setup::Db)?;
    if v > SCHEMA_VERSION {
        return Err(Setup::Newer(v));
    }
    Ok(())
}
