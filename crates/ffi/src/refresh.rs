//! The refresh callback: how a C app hears about rotated tokens, to store them.

use crate::session::{garmin_sso_session, with_session};
use crate::status::garmin_sso_status;
use crate::strings::lend_secret;
use garmin_sso_core::{RefreshListener, Tokens};
use std::ffi::{c_char, c_void};
use std::sync::Arc;

/// Told after every successful refresh, with the new tokens as `garmin_sso_session_to_json` would
/// give them (valid only during the call, wiped afterwards), so the app can store them: DI refresh
/// tokens rotate and the old ones stop working. Runs on the thread that refreshed, before other
/// threads use the new tokens; must not call back into this session and must not unwind.
#[allow(non_camel_case_types)]
pub type garmin_sso_refresh_fn =
    Option<unsafe extern "C" fn(user_data: *mut c_void, tokens_json: *const c_char)>;

struct RefreshSink {
    callback: unsafe extern "C" fn(*mut c_void, *const c_char),
    user_data: *mut c_void,
}

// SAFETY: garmin_sso_session_set_refresh_callback's contract makes the host guarantee the callback
// and its user data may be used from any thread.
unsafe impl Send for RefreshSink {}
// SAFETY: as above.
unsafe impl Sync for RefreshSink {}

/// Sets the function told after every refresh (replacing the previous one); NULL turns it off, after
/// which the old `user_data` is no longer used. `user_data` must stay valid, and usable from any
/// thread, while the session exists or until replaced.
///
/// # Safety
/// `session` is NULL or live; `callback` is NULL or follows the `garmin_sso_refresh_fn` contract.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_session_set_refresh_callback(
    session: *const garmin_sso_session,
    callback: garmin_sso_refresh_fn,
    user_data: *mut c_void,
) -> garmin_sso_status {
    let listener = callback.map(|callback| {
        let sink = RefreshSink {
            callback,
            user_data,
        };
        Arc::new(move |tokens: &Tokens| {
            let sink = &sink; // the whole sink, which is Send + Sync, not its raw fields
                              // SAFETY: the host's callback contract; the string outlives the call.
            lend_secret(tokens.to_json(), |json| unsafe {
                (sink.callback)(sink.user_data, json)
            });
        }) as RefreshListener
    });
    // SAFETY: caller contract.
    unsafe {
        with_session(session, |_, s| {
            s.set_refresh_listener(listener);
            Ok(())
        })
    }
}
