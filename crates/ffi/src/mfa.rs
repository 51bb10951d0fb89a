//! `garmin_sso_pending_mfa`: a sign-in waiting for its MFA code. Submitting may happen minutes later
//! and on any thread; a wrong code leaves the challenge open.

use crate::panic::{guard, guard_void};
use crate::ptr::{free_handle, handle, into_handle, out_arg, owned_c_string, str_arg, write_out};
use crate::session::{garmin_sso_session, session_handle};
use crate::status::garmin_sso_status;
use garmin_sso_core::PendingMfa;
use std::ffi::c_char;

/// A sign-in waiting for its MFA code (opaque). Free with `garmin_sso_pending_mfa_free`. It keeps
/// what it needs of the client, which may be freed first.
///
/// Thread safety: every function may be called from any thread, concurrently; concurrent submits
/// are serialized.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct garmin_sso_pending_mfa {
    pending: PendingMfa,
}

/// Submits the MFA code. On success `*out_session` receives a signed-in session and the challenge
/// is over. On `GARMIN_SSO_STATUS_MFA_CODE_REJECTED` the challenge stays open: ask for the code again
/// and submit once more. On `GARMIN_SSO_STATUS_MFA_CHALLENGE_ENDED` start the sign-in over. The
/// pending handle must still be freed in every case.
///
/// # Safety
/// `mfa` is NULL or a live handle; `code` is NULL or NUL-terminated; `out_session` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_pending_mfa_submit(
    mfa: *const garmin_sso_pending_mfa,
    code: *const c_char,
    out_session: *mut *mut garmin_sso_session,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let m = unsafe { handle(mfa, "mfa") }?;
        // SAFETY: caller contract.
        let code = unsafe { str_arg(code, "code") }?;
        out_arg(out_session, "out_session")?;
        let s = session_handle(m.pending.submit_for_session(code)?);
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_session, s) };
        Ok(())
    })
}

/// How Garmin delivers the code: `"email"`, `"sms"`, `"totp"`, or Garmin's own name for another
/// method. Free the string with `garmin_sso_string_free`.
///
/// # Safety
/// `mfa` is NULL or a live handle; `out_method` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_pending_mfa_method(
    mfa: *const garmin_sso_pending_mfa,
    out_method: *mut *mut c_char,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let m = unsafe { handle(mfa, "mfa") }?;
        out_arg(out_method, "out_method")?;
        let s = owned_c_string(m.pending.method().as_str().to_owned(), "the MFA method")?;
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_method, s) };
        Ok(())
    })
}

/// Where Garmin says it sent the code (a masked address or phone number). `*out_destination` is set
/// to NULL when Garmin did not say; otherwise free it with `garmin_sso_string_free`.
///
/// # Safety
/// `mfa` is NULL or a live handle; `out_destination` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_pending_mfa_code_sent_to(
    mfa: *const garmin_sso_pending_mfa,
    out_destination: *mut *mut c_char,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let m = unsafe { handle(mfa, "mfa") }?;
        out_arg(out_destination, "out_destination")?;
        let s = match m.pending.code_sent_to() {
            Some(d) => owned_c_string(d.to_owned(), "the MFA destination")?,
            None => std::ptr::null_mut(),
        };
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_destination, s) };
        Ok(())
    })
}

/// The sign-in flow that asked for MFA (a `garmin_sso_flow` value).
///
/// # Safety
/// `mfa` is NULL or a live handle; `out_flow` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_pending_mfa_flow(
    mfa: *const garmin_sso_pending_mfa,
    out_flow: *mut u32,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let m = unsafe { handle(mfa, "mfa") }?;
        out_arg(out_flow, "out_flow")?;
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_flow, m.pending.flow() as u32) };
        Ok(())
    })
}

/// Frees a pending MFA handle. NULL is ignored.
///
/// # Safety
/// `mfa` is NULL or a handle not freed before; no other thread uses it during or after the call.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_pending_mfa_free(mfa: *mut garmin_sso_pending_mfa) {
    // SAFETY: caller contract.
    guard_void((), || unsafe { free_handle(mfa) })
}

pub(crate) fn pending_handle(pending: PendingMfa) -> *mut garmin_sso_pending_mfa {
    into_handle(garmin_sso_pending_mfa { pending })
}
