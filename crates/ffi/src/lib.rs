//! # libgarmin_sso — the C ABI
//!
//! Garmin Connect sign-in for C and C++ apps, over `garmin-sso-core`. The header
//! `include/garmin_sso.h` is generated from this crate by cbindgen (`scripts/gen-header.sh`).
//!
//! Conventions, the same for every function:
//! - opaque handles (`garmin_sso_config`, `garmin_sso_client`, `garmin_sso_session`,
//!   `garmin_sso_pending_mfa`, responses and upload results), each with one `_free` function that
//!   accepts NULL;
//! - fallible functions return `garmin_sso_status`; on failure `garmin_sso_last_error_message()`
//!   explains it (per thread) and out-parameters are left untouched;
//! - strings are UTF-8 in and out; strings the library returns are freed with
//!   `garmin_sso_string_free`, byte buffers with `garmin_sso_bytes_free`;
//! - NULL pointers and invalid UTF-8 are reported as statuses, never crashes; no panic crosses the
//!   boundary (`panic.rs`);
//! - handles are thread-safe; each type's documentation says what may run concurrently.

mod client;
mod config;
mod error;
mod log;
mod mfa;
mod oauth1;
mod panic;
mod ptr;
mod session;
mod status;
mod store;
mod strings;
mod transport;

pub use client::*;
pub use config::*;
pub use error::{
    garmin_sso_last_error_message, garmin_sso_last_error_retry_after_seconds,
    garmin_sso_last_error_status,
};
pub use log::*;
pub use mfa::*;
pub use oauth1::*;
pub use session::*;
pub use status::*;
pub use store::*;
pub use strings::*;
pub use transport::*;
