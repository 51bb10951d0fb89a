//! The boundary every entry point goes through: arguments are checked inside it, failures become a
//! status plus the thread's last error, and a panic is caught here instead of unwinding into C.

use crate::error::{clear_last_error, set_last_error, FfiError};
use crate::status::garmin_sso_status;
use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs a fallible entry point's body.
///
/// `AssertUnwindSafe` is sound here because after a panic the caller gets `INTERNAL` and the library's
/// state is only touched through Mutexes that recover from poisoning.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), FfiError>) -> garmin_sso_status {
    clear_last_error();
    let err = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return garmin_sso_status::Ok,
        Ok(Err(e)) => e,
        Err(payload) => panic_error(payload.as_ref()),
    };
    set_last_error(&err);
    err.status
}

/// Runs an infallible entry point (a free function): a panic is swallowed into `fallback`.
pub(crate) fn guard_void<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

fn panic_error(payload: &(dyn Any + Send)) -> FfiError {
    // Panic messages come from the library's own `expect`s and assertions, which name invariants,
    // never data.
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into());
    let what: String = what.chars().take(200).collect();
    FfiError::new(
        garmin_sso_status::Internal,
        format!("internal error in libgarmin_sso (please report it): {what}"),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::error::{garmin_sso_last_error_status, last_message};

    /// A panic inside an entry point becomes INTERNAL with a message, and the next success clears it.
    #[test]
    fn panic_becomes_status_and_message() {
        let s = guard(|| panic!("invariant broken"));
        assert_eq!(s, garmin_sso_status::Internal);
        assert_eq!(garmin_sso_last_error_status(), garmin_sso_status::Internal);
        assert!(
            last_message().contains("invariant broken"),
            "{}",
            last_message()
        );
        assert_eq!(guard(|| Ok(())), garmin_sso_status::Ok);
        assert_eq!(last_message(), "");
        assert_eq!(guard_void(7, || panic!("x")), 7);
    }
}
