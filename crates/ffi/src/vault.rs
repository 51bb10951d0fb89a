//! The credential vault (docs/vault.md) for C: email and password per account, sealed at rest,
//! for apps that sign in again without a person.

use crate::client::garmin_sso_client;
use crate::panic::{guard, guard_void};
use crate::ptr::{free_handle, handle, into_handle, out_arg, str_arg, write_out};
use crate::session::{garmin_sso_session, session_handle};
use crate::status::garmin_sso_status;
use crate::store::garmin_sso_token_store;
use garmin_sso_core::vault::Vault;
use garmin_sso_core::Password;
use std::ffi::c_char;

/// An open credential vault. Free with `garmin_sso_vault_free`; usable from any thread (the file
/// is locked around every change).
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct garmin_sso_vault {
    vault: Vault,
}

/// Opens the vault file `path` with the key in `key_path` (created 0600 on first use). A key path
/// inside the vault's folder is `GARMIN_SSO_STATUS_INVALID_INPUT` saying why; a key that does not
/// open the vault is `GARMIN_SSO_STATUS_STORAGE`. Completes a key rotation a crash cut short.
///
/// # Safety
/// `path` and `key_path` are NULL or NUL-terminated; `out_vault` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_vault_open(
    path: *const c_char,
    key_path: *const c_char,
    out_vault: *mut *mut garmin_sso_vault,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let path = unsafe { str_arg(path, "path") }?;
        // SAFETY: caller contract.
        let key_path = unsafe { str_arg(key_path, "key_path") }?;
        out_arg(out_vault, "out_vault")?;
        let vault = Vault::open(path, key_path)?;
        // SAFETY: checked writable above.
        unsafe { write_out(out_vault, into_handle(garmin_sso_vault { vault })) };
        Ok(())
    })
}

/// Keeps (or replaces) `account`'s email and password. Call it only after a sign-in with them
/// worked.
///
/// # Safety
/// `vault` is NULL or a live vault; the strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_vault_add(
    vault: *const garmin_sso_vault,
    account: *const c_char,
    email: *const c_char,
    password: *const c_char,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let v = unsafe { handle(vault, "vault") }?;
        // SAFETY: caller contract.
        let account = unsafe { str_arg(account, "account") }?;
        // SAFETY: caller contract.
        let email = unsafe { str_arg(email, "email") }?;
        // SAFETY: caller contract.
        let password = Password::new(unsafe { str_arg(password, "password") }?);
        v.vault.add(account, email, &password)?;
        Ok(())
    })
}

/// Forgets `account`: its credentials in the vault and its tokens in `store`.
///
/// # Safety
/// `vault` and `store` are NULL or live handles; `account` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_vault_remove(
    vault: *const garmin_sso_vault,
    account: *const c_char,
    store: *const garmin_sso_token_store,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let v = unsafe { handle(vault, "vault") }?;
        // SAFETY: caller contract.
        let account = unsafe { str_arg(account, "account") }?;
        // SAFETY: caller contract.
        let store = unsafe { handle(store, "store") }?;
        v.vault.delete_account(account, &store.store)?;
        Ok(())
    })
}

/// The stored session of `account`, checked with one profile request; a sign-in with the vault's
/// credentials only when Garmin revoked it. An account that now needs MFA
/// (`GARMIN_SSO_STATUS_MFA_REQUIRED`) or is blocked is reported, not retried.
///
/// # Safety
/// `vault`, `client` and `store` are NULL or live handles; `account` is NULL or NUL-terminated;
/// `out_session` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_vault_resume_or_sign_in(
    vault: *const garmin_sso_vault,
    account: *const c_char,
    client: *const garmin_sso_client,
    store: *const garmin_sso_token_store,
    out_session: *mut *mut garmin_sso_session,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let v = unsafe { handle(vault, "vault") }?;
        // SAFETY: caller contract.
        let account = unsafe { str_arg(account, "account") }?;
        // SAFETY: caller contract.
        let c = unsafe { handle(client, "client") }?;
        // SAFETY: caller contract.
        let store = unsafe { handle(store, "store") }?;
        out_arg(out_session, "out_session")?;
        let session = v
            .vault
            .resume_or_sign_in(account, &c.client, &store.store)?;
        // SAFETY: checked writable above.
        unsafe { write_out(out_session, session_handle(session)) };
        Ok(())
    })
}

/// Frees a vault (NULL is fine).
///
/// # Safety
/// `vault` is NULL or a vault not yet freed.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_vault_free(vault: *mut garmin_sso_vault) {
    // SAFETY: caller contract.
    guard_void((), || unsafe { free_handle(vault) })
}
