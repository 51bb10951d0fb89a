//! FIT upload, and `garmin_sso_upload_result`, Garmin's answer to it.

use crate::error::FfiError;
use crate::panic::{guard, guard_void};
use crate::ptr::{
    bytes_arg, free_handle, handle, into_handle, kept_c_string, out_arg, str_arg, write_out,
};
use crate::session::{garmin_sso_session, with_session};
use crate::status::garmin_sso_status;
use garmin_sso_core::{Body, UploadResult};
use std::ffi::{c_char, CString};
use std::path::Path;

/// The outcome of a FIT upload (opaque). Free with `garmin_sso_upload_result_free`. Read-only: safe to
/// read from several threads at once.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct garmin_sso_upload_result {
    upload_id: Option<i64>,
    successes: usize,
    failures: usize,
    json: CString,
}

fn upload_handle(r: UploadResult) -> Result<*mut garmin_sso_upload_result, FfiError> {
    let json = kept_c_string(r.raw.to_string(), "the upload answer")?;
    Ok(into_handle(garmin_sso_upload_result {
        upload_id: r.upload_id,
        successes: r.successes.len(),
        failures: r.failures.len(),
        json,
    }))
}

/// Uploads an activity file held in memory. `file_name` (e.g. `"ride.fit"`) is sent as the
/// multipart file name; Garmin goes by its extension. A file Garmin already has fails with
/// `GARMIN_SSO_STATUS_DUPLICATE_ACTIVITY`.
///
/// # Safety
/// `session` is NULL or live; `file_name` is NULL or NUL-terminated; `data` is NULL or holds `len`
/// bytes; `out_result` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_session_upload_fit(
    session: *const garmin_sso_session,
    file_name: *const c_char,
    data: *const u8,
    len: usize,
    out_result: *mut *mut garmin_sso_upload_result,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_session(session, |_, s| {
            let name = str_arg(file_name, "file_name")?;
            let data = bytes_arg(data, len, "data")?;
            out_arg(out_result, "out_result")?;
            let r = s.upload_fit(name, Body::Bytes(data.to_vec()))?;
            write_out(out_result, upload_handle(r)?);
            Ok(())
        })
    }
}

/// Uploads the activity file at `path`, streamed from disk (never held in memory whole); the file
/// name part of the path is sent as the multipart file name.
///
/// # Safety
/// `session` is NULL or live; `path` is NULL or NUL-terminated; `out_result` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_session_upload_fit_path(
    session: *const garmin_sso_session,
    path: *const c_char,
    out_result: *mut *mut garmin_sso_upload_result,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_session(session, |_, s| {
            let path = str_arg(path, "path")?;
            out_arg(out_result, "out_result")?;
            let r = s.upload_fit_path(Path::new(path))?;
            write_out(out_result, upload_handle(r)?);
            Ok(())
        })
    }
}

/// The upload id Garmin assigned, or -1 when its answer had none.
///
/// # Safety
/// `result` is NULL or live; `out_upload_id` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_upload_result_upload_id(
    result: *const garmin_sso_upload_result,
    out_upload_id: *mut i64,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let r = unsafe { handle(result, "result") }?;
        out_arg(out_upload_id, "out_upload_id")?;
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_upload_id, r.upload_id.unwrap_or(-1)) };
        Ok(())
    })
}

/// How many activities Garmin imported (`successes`) and refused (`failures`).
///
/// # Safety
/// `result` is NULL or live; out pointers are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_upload_result_counts(
    result: *const garmin_sso_upload_result,
    out_successes: *mut usize,
    out_failures: *mut usize,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let r = unsafe { handle(result, "result") }?;
        out_arg(out_successes, "out_successes")?;
        out_arg(out_failures, "out_failures")?;
        // SAFETY: checked by out_arg.
        unsafe {
            write_out(out_successes, r.successes);
            write_out(out_failures, r.failures);
        }
        Ok(())
    })
}

/// Garmin's whole JSON answer: `*out_json` points into the result (valid until it is freed).
///
/// # Safety
/// `result` is NULL or live; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_upload_result_json(
    result: *const garmin_sso_upload_result,
    out_json: *mut *const c_char,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let r = unsafe { handle(result, "result") }?;
        out_arg(out_json, "out_json")?;
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_json, r.json.as_ptr()) };
        Ok(())
    })
}

/// Frees an upload result. NULL is ignored.
///
/// # Safety
/// `result` is NULL or a handle not freed before; no other thread uses it during or after the call.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_upload_result_free(result: *mut garmin_sso_upload_result) {
    // SAFETY: caller contract.
    guard_void((), || unsafe { free_handle(result) })
}
