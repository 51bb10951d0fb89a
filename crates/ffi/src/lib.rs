//! # libgarmin_sso — the C ABI
//!
//! Garmin Connect sign-in for C and C++ apps: a mechanical adapter over `garmin-sso-core`, which
//! owns every rule (flows, MFA, token exchanges, refresh, stores, error kinds). The header
//! `include/garmin_sso.h` is generated from this crate by cbindgen (`scripts/gen-header.sh`).
//!
//! Conventions, the same for every function:
//! - opaque handles (`garmin_sso_config`, `garmin_sso_client`, `garmin_sso_session`,
//!   `garmin_sso_pending_mfa`, `garmin_sso_partner_authorization`, `garmin_sso_token_store`,
//!   responses and upload results), each with one `_free` function that accepts NULL;
//! - fallible functions return `garmin_sso_status`, the core's `ErrorKind` numbers plus
//!   NULL_ARGUMENT and INVALID_UTF8; on failure `garmin_sso_last_error_message()` explains it (per
//!   thread) and out-parameters are left untouched;
//! - strings are UTF-8 in and out; strings the library returns are freed with
//!   `garmin_sso_string_free`, byte buffers with `garmin_sso_bytes_free`;
//! - NULL pointers and invalid UTF-8 are reported as statuses, never crashes; no panic crosses the
//!   boundary (`panic.rs`);
//! - handles are thread-safe; each type's documentation says what may run concurrently.
//!
//! One module per handle or concept; `error`, `panic`, `ptr`, `strings` are the plumbing.

mod api;
mod client;
mod config;
mod enums;
mod error;
mod log;
mod mfa;
mod oauth1;
mod panic;
mod partner;
mod ptr;
mod refresh;
mod resume;
mod session;
mod status;
mod store;
mod strings;
mod transport;
mod upload;
mod vault;
mod webview;

pub use api::*;
pub use client::*;
pub use config::*;
pub use enums::*;
pub use error::{
    garmin_sso_last_error_message, garmin_sso_last_error_retry_after_seconds,
    garmin_sso_last_error_status,
};
pub use log::*;
pub use mfa::*;
pub use oauth1::*;
pub use partner::*;
pub use refresh::*;
pub use resume::*;
pub use session::*;
pub use status::*;
pub use store::*;
pub use strings::*;
pub use transport::*;
pub use upload::*;
pub use webview::*;
