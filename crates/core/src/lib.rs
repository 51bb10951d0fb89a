//! # garmin-sso-core
//!
//! Garmin Connect sign-in for native apps, synchronous and runtime-free: every sign-in path (widget
//! HTML, mobile and portal JSON, web-view ticket) ends in a service ticket; the ticket becomes legacy
//! OAuth1→OAuth2 tokens or DI OAuth2 tokens; a [`Session`](session::Session) refreshes whichever family
//! it holds and calls the Connect API.
//!
//! HTTP goes through a [`Transport`] the host app may supply; cookies, redirects, size caps and the
//! rule that credentials only go to Garmin live here. Secrets are [`Secret`]s and never print.
//!
//! ```no_run
//! use garmin_sso_core::{Client, Config, Domain, LoginOutcome, Secret};
//! let client = Client::new(Config::new(Domain::Com))?;
//! let tokens = match client.login("me@example.com", &Secret::new("password"))? {
//!     LoginOutcome::Complete(tokens) => tokens,
//!     LoginOutcome::MfaRequired(pending) => pending.submit("123456")?,
//! };
//! println!("signed in, token family {}", tokens.family());
//! # Ok::<(), garmin_sso_core::Error>(())
//! ```

pub mod client;
pub mod clock;
pub mod config;
pub mod cookies;
pub mod error;
mod exchange;
pub mod flows;
mod http;
pub mod logging;
pub mod mfa;
pub mod oauth1;
pub mod secret;
pub mod session;
pub mod store;
pub mod tokens;
pub mod transport;

pub use client::{Client, LoginOutcome};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{ClientPreset, Config, Consumer, Domain, Endpoints, TokenPreference};
pub use error::{Error, Result, Strategy, TransportError, TransportErrorKind};
pub use exchange::di::ItToken;
pub use flows::Ticket;
pub use mfa::{MfaMethod, PendingMfa};
pub use secret::Secret;
pub use tokens::{DiToken, OAuth1Token, OAuth2Token, Tokens};
#[cfg(feature = "ureq-transport")]
pub use transport::UreqTransport;
pub use transport::{Body, Method, Request, Response, Transport};
