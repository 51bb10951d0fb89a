//! "App starts → session ready" in one call: the core's `resume_or_sign_in` over a token store and
//! the app's credentials callbacks (its password prompt or vault, its MFA code prompt).

use crate::client::garmin_sso_client;
use crate::error::FfiError;
use crate::panic::guard;
use crate::ptr::{handle, out_arg, str_arg, write_out};
use crate::session::{garmin_sso_session, session_handle};
use crate::status::garmin_sso_status;
use crate::store::garmin_sso_token_store;
use garmin_sso_core::{
    resume_or_sign_in, CredentialsProvider, Error, Password, PendingMfa, Result, Secret,
};
use std::ffi::{c_char, c_int, c_void, CString};
use std::sync::atomic::{AtomicU32, Ordering};

/// What a credentials callback hands over (opaque; valid only during the callback): the email and
/// password in the `credentials` callback (`garmin_sso_credentials_set_login`), the code in the
/// `mfa_code` callback (`garmin_sso_credentials_set_mfa_code`). The library copies what it is given
/// into memory it wipes after use; the app may wipe its own copy as soon as the setter returns.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct garmin_sso_credentials {
    asked: Asked,
    login: Option<(String, Password)>,
    code: Option<Secret>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asked {
    Login,
    MfaCode,
}

impl garmin_sso_credentials {
    fn new(asked: Asked) -> Self {
        garmin_sso_credentials {
            asked,
            login: None,
            code: None,
        }
    }
}

/// What the `mfa_code` callback needs to ask the user. Every pointer is valid only during the call.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug)]
pub struct garmin_sso_mfa_prompt {
    /// How Garmin delivered the code: `"email"`, `"sms"`, `"totp"`, or Garmin's own name.
    pub method: *const c_char,
    /// Where Garmin says it sent the code (a masked address or number), or NULL when it did not say.
    pub code_sent_to: *const c_char,
    /// The flow that asked for the code (a `garmin_sso_flow` value).
    pub flow: u32,
    /// 1 for the first question; 2 and 3 after Garmin rejected the previous code.
    pub attempt: u32,
}

/// The app's side of a sign-in, for `garmin_sso_resume_or_sign_in`. Each callback returns 0 after
/// answering through the setter, or anything else to decline (the user cancelled). Both run only
/// during `garmin_sso_resume_or_sign_in`, on the thread that called it, and must not unwind.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct garmin_sso_credentials_callbacks {
    /// Required. Called only when no usable session is stored: hand over the email and password
    /// with `garmin_sso_credentials_set_login`. Declining fails the call with
    /// `GARMIN_SSO_STATUS_SIGN_IN_NEEDED`.
    pub credentials: Option<
        unsafe extern "C" fn(
            user_data: *mut c_void,
            credentials: *mut garmin_sso_credentials,
        ) -> c_int,
    >,
    /// Optional. Called when Garmin asks for an MFA code, again (up to three times in all) after a
    /// rejected code: hand it over with `garmin_sso_credentials_set_mfa_code`. NULL or declining
    /// fails the call with `GARMIN_SSO_STATUS_MFA_REQUIRED`.
    pub mfa_code: Option<
        unsafe extern "C" fn(
            user_data: *mut c_void,
            prompt: *const garmin_sso_mfa_prompt,
            credentials: *mut garmin_sso_credentials,
        ) -> c_int,
    >,
}

/// The core's [`CredentialsProvider`] over the app's callbacks.
struct CallbackCredentials {
    callbacks: garmin_sso_credentials_callbacks,
    user_data: *mut c_void,
    mfa_attempts: AtomicU32,
}

// SAFETY: the core calls the provider only inside garmin_sso_resume_or_sign_in, on the caller's
// thread; it never keeps it.
unsafe impl Send for CallbackCredentials {}
// SAFETY: as above.
unsafe impl Sync for CallbackCredentials {}

fn unanswered(callback: &str, setter: &str) -> Error {
    Error::InvalidInput(format!(
        "the {callback} callback returned 0 without calling {setter}"
    ))
}

impl CredentialsProvider for CallbackCredentials {
    fn credentials(&self) -> Result<(String, Password)> {
        let Some(callback) = self.callbacks.credentials else {
            return Err(unanswered(
                "credentials",
                "garmin_sso_credentials_set_login",
            ));
        };
        let mut answer = garmin_sso_credentials::new(Asked::Login);
        // SAFETY: the app's callback contract; `answer` outlives the call.
        match unsafe { callback(self.user_data, &mut answer) } {
            0 => answer
                .login
                .take()
                .ok_or_else(|| unanswered("credentials", "garmin_sso_credentials_set_login")),
            rc => Err(Error::SignInNeeded {
                reason: format!("no usable session is stored and the credentials callback declined (it returned {rc})"),
            }),
        }
    }

    fn mfa_code(&self, pending: &PendingMfa) -> Result<String> {
        let Some(callback) = self.callbacks.mfa_code else {
            return Err(Error::MfaRequired);
        };
        // Garmin's own strings; a NUL in one would only shorten it.
        let text = |s: &str| CString::new(s.replace('\0', " ")).unwrap_or_default();
        let method = text(pending.method().as_str());
        let sent_to = pending.code_sent_to().map(text);
        let prompt = garmin_sso_mfa_prompt {
            method: method.as_ptr(),
            code_sent_to: sent_to.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
            flow: pending.flow() as u32,
            attempt: self.mfa_attempts.fetch_add(1, Ordering::Relaxed) + 1,
        };
        let mut answer = garmin_sso_credentials::new(Asked::MfaCode);
        // SAFETY: the app's callback contract; `prompt`, its strings and `answer` outlive the call.
        match unsafe { callback(self.user_data, &prompt, &mut answer) } {
            0 => answer
                .code
                .take()
                .map(|code| code.expose().to_owned())
                .ok_or_else(|| unanswered("mfa_code", "garmin_sso_credentials_set_mfa_code")),
            _ => Err(Error::MfaRequired),
        }
    }
}

/// The answer handle of a running callback, checked to be asking for `asked`.
///
/// # Safety
/// `p` is NULL or the handle passed to the running callback.
unsafe fn answer<'a>(
    p: *mut garmin_sso_credentials,
    asked: Asked,
    setter: &str,
) -> std::result::Result<&'a mut garmin_sso_credentials, FfiError> {
    // SAFETY: forwarded contract.
    let a = unsafe { p.as_mut() }.ok_or_else(|| FfiError::null("credentials"))?;
    if a.asked != asked {
        let callback = match asked {
            Asked::Login => "credentials",
            Asked::MfaCode => "mfa_code",
        };
        return Err(FfiError::invalid(format!(
            "{setter} belongs in the {callback} callback"
        )));
    }
    Ok(a)
}

/// Hands the email and password over, from inside the `credentials` callback. Both are copied.
///
/// # Safety
/// `credentials` is NULL or the handle passed to the running `credentials` callback; the strings are
/// NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_credentials_set_login(
    credentials: *mut garmin_sso_credentials,
    email: *const c_char,
    password: *const c_char,
) -> garmin_sso_status {
    guard(|| {
        const SETTER: &str = "garmin_sso_credentials_set_login";
        // SAFETY: caller contract.
        let a = unsafe { answer(credentials, Asked::Login, SETTER) }?;
        // SAFETY: caller contract.
        let email = unsafe { str_arg(email, "email") }?;
        // SAFETY: caller contract.
        let password = Password::new(unsafe { str_arg(password, "password") }?);
        a.login = Some((email.to_owned(), password));
        Ok(())
    })
}

/// Hands the MFA code over, from inside the `mfa_code` callback. It is copied.
///
/// # Safety
/// `credentials` is NULL or the handle passed to the running `mfa_code` callback; `code` is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_credentials_set_mfa_code(
    credentials: *mut garmin_sso_credentials,
    code: *const c_char,
) -> garmin_sso_status {
    guard(|| {
        const SETTER: &str = "garmin_sso_credentials_set_mfa_code";
        // SAFETY: caller contract.
        let a = unsafe { answer(credentials, Asked::MfaCode, SETTER) }?;
        // SAFETY: caller contract.
        a.code = Some(Secret::new(unsafe { str_arg(code, "code") }?));
        Ok(())
    })
}

/// From "app starts" to "session ready" in one call. Loads the session kept in `store` and
/// refreshes it when it expires within the refresh margin; only when nothing usable is stored (or
/// the stored session can no longer be refreshed) signs in, asking the app through `callbacks`
/// for the email and password and, if Garmin wants one, the MFA code. The new tokens are saved to
/// `store` only after a sign-in that worked, and every later refresh of the session is saved there
/// too (before the refresh callback runs).
///
/// Failures: whatever the refresh or sign-in met (a network failure or rate limit during the
/// refresh is returned as is: signing in would meet the same trouble); `SIGN_IN_NEEDED` or
/// `MFA_REQUIRED` when a callback declined; `MFA_CODE_REJECTED` after three rejected codes;
/// `STORAGE` when the store failed. `callbacks` is copied; `user_data` is passed to its callbacks
/// and used only during this call. On failure `*out_session` is untouched.
///
/// # Safety
/// `client` and `store` are NULL or live; `callbacks` is NULL or readable, its functions follow
/// the `garmin_sso_credentials_callbacks` contract; `out_session` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_resume_or_sign_in(
    client: *const garmin_sso_client,
    store: *const garmin_sso_token_store,
    callbacks: *const garmin_sso_credentials_callbacks,
    user_data: *mut c_void,
    out_session: *mut *mut garmin_sso_session,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let c = unsafe { handle(client, "client") }?;
        // SAFETY: caller contract.
        let store = unsafe { handle(store, "store") }?;
        // SAFETY: caller contract.
        let callbacks = *unsafe { handle(callbacks, "callbacks") }?;
        if callbacks.credentials.is_none() {
            return Err(FfiError::null("callbacks->credentials"));
        }
        out_arg(out_session, "out_session")?;
        let provider = CallbackCredentials {
            callbacks,
            user_data,
            mfa_attempts: AtomicU32::new(0),
        };
        let session = resume_or_sign_in(&c.client, &store.store, &provider)?;
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_session, session_handle(session)) };
        Ok(())
    })
}
