//! # garmin-sso-core
//!
//! Garmin Connect sign-in for native apps, synchronous and runtime-free: every sign-in path (widget
//! HTML, mobile and portal JSON, web-view ticket) ends in a service ticket; the ticket becomes
//! legacy OAuth1→OAuth2 tokens or DI OAuth2 tokens. Apps in Garmin's Connect Developer Program
//! sign people in without a password instead, with OAuth2 + PKCE on Garmin's consent page
//! ([`Client::partner_authorization`]). A [`Session`] refreshes whichever family it holds, one
//! refresh at a time, and calls the API.
//!
//! HTTP goes through a [`Transport`] the host app may supply; cookies, redirects, size caps and the
//! rule that credentials only go to Garmin live here. Each kind of secret has its own type
//! ([`Password`], [`ServiceTicket`], [`AccessToken`], …) that never prints and is zeroed on drop.
//!
//! This crate is the contract every front end adapts: the C ABI, the uniffi bindings (Kotlin,
//! Swift, Python), the Qt wrapper and the `garmin-sso` CLI name the same enums ([`Flow`],
//! [`TokenPreference`], [`TokenFamily`], [`MobileApp`], [`Domain`]) and map failures through one
//! table over [`ErrorKind`], which says what the caller should do. [`Error`] keeps the detail. The
//! wire protocol the code follows is described in `docs/protocol.md` of the repository; the code's
//! "§n" references point there.
//!
//! ```
//! use garmin_sso_core::{Client, Config, Domain, LoginOutcome, Password, Session};
//! # // The example runs against the simulator of Garmin's servers on 127.0.0.1.
//! # use garmin_sso_sim::{Account, MfaMethod, Simulator};
//! # let sim = Simulator::builder()
//! #     .account(Account::new("me@example.com", "password").with_mfa("123456", MfaMethod::Email))
//! #     .start()?;
//! let config = Config::new(Domain::Com);
//! # let config = Config::with_base_url(Domain::Com, &sim.base_url())?;
//! let client = Client::new(config)?;
//! let tokens = match client.login("me@example.com", &Password::new("password"))? {
//!     LoginOutcome::Complete(tokens) => tokens,
//!     // Garmin sent a code; submit it when the user has it (minutes later, any thread).
//!     LoginOutcome::MfaRequired(pending) => pending.submit("123456")?,
//! };
//! println!("signed in, token family {}", tokens.family());
//! let session = Session::new(client, tokens); // refreshes ahead of expiry and once on a 401
//! let profile = session.profile()?;
//! # assert!(!profile.display_name.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

// Layers, lowest first; a module only imports from its own layer or below (tests/layers.rs checks):
//   secret, clock, strategy, logging, urls  →  transport  →  error  →  config, tokens, ticket, oauth1,
//   random  →  cookies, http, answers  →  exchange  →  flows  →  client  →  store  →  session
mod answers;
#[cfg(feature = "browser")]
mod browser;
mod client;
mod clock;
mod config;
mod cookies;
mod error;
mod exchange;
mod flows;
mod http;
mod logging;
pub mod oauth1;
mod random;
mod secret;
mod session;
mod store;
mod strategy;
mod ticket;
mod tokens;
mod transport;
mod urls;
#[cfg(feature = "vault")]
pub mod vault;

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("garmin_sso_core");

#[cfg(feature = "browser")]
pub use browser::{
    find_browser, BrowserPage, BrowserSignIn, PageHook, BROWSER_NAMES, DEFAULT_BROWSER_TIMEOUT,
};
pub use client::{Client, LoginOutcome, PartnerAuthorization, PendingMfa};
pub use clock::{Clock, ManualClock, Sleeper, SystemClock, ThreadSleeper};
pub use config::{
    ClientPreset, Config, Consumer, Domain, Endpoints, MobileApp, Pacing, PacingMode, PartnerApp,
    PauseRange, TokenPreference, DEFAULT_DI_CLIENT_IDS, PUBLIC_CONSUMER_URL,
};
pub use error::{Error, ErrorKind, Result, ServerBody, StrategyFailure};
pub use exchange::ItToken;
pub use flows::MfaMethod;
pub use logging::is_safe as log_record_is_safe;
pub use secret::{
    AccessToken, ClientSecret, ConsumerSecret, MfaToken, Password, RefreshToken, Secret,
    ServiceTicket, TokenSecret,
};
pub use session::{
    resume_or_sign_in, ApiRequest, CredentialsProvider, Profile, RefreshListener, Session,
    UploadResult,
};
#[cfg(feature = "keyring")]
pub use store::KeyringStore;
pub use store::{
    export_garminconnect, export_garth_dumps, import_garminconnect, import_garth_dumps,
    open_database_store, write_file_atomic, CloneStore, DatabaseStore, GarthDirStore, GarthFormat,
    JsonFileStore, StoreLock, TokenStore, DATABASE_LOCATION_FORMS,
};
#[cfg(feature = "postgres")]
pub use store::{PostgresStore, POSTGRES_TOKENS_TABLE};
#[cfg(feature = "sqlite")]
pub use store::{SqliteStore, SQLITE_TOKENS_TABLE};
pub use strategy::{Flow, Strategy};
pub use ticket::Ticket;
pub use tokens::{DiToken, OAuth1Token, OAuth2Token, TokenFamily, Tokens, SCHEMA_VERSION};
#[cfg(feature = "ureq-transport")]
pub use transport::UreqTransport;
pub use transport::{
    redact_url, scrub_message, Body, Method, Request, Response, Transport, TransportError,
    TransportErrorKind,
};
pub use urls::{join_url, parse_url};
