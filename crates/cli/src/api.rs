//! `get`, `upload` and `refresh`: Connect API calls with the stored tokens. Every command refreshes
//! when needed and writes refreshed tokens back into the store (a folder: in the layout they were
//! read from).

use crate::cli::{ApiArgs, GetArgs, RefreshArgs, UploadArgs};
use crate::context;
use crate::exit::Failure;
use crate::output;
use crate::progress;
use crate::tokens;
use garmin_sso_core::{
    ApiRequest, Body, Client, Error, ErrorKind, Session, TokenStore, UploadResult,
};
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

/// A session over the stored tokens that saves every refresh back into the same store; partner
/// tokens get their app from the environment (`context::partner_app`).
struct Opened {
    session: Session,
    store: Arc<dyn TokenStore>,
    /// The store's name (a folder, a file, a database and account; never a password).
    name: String,
    /// False for partner tokens without their app's secret: a refresh will be refused.
    can_refresh: bool,
}

impl Opened {
    /// A core error as a failure; for partner tokens without a secret, naming the variable to set.
    fn fail(&self, e: Error) -> Failure {
        if self.can_refresh {
            e.into()
        } else {
            context::partner_secret_missing(e)
        }
    }
}

fn open(args: &ApiArgs) -> Result<Opened, Failure> {
    let store = context::store(&args.store.place, args.store.account.as_deref())?;
    let tokens = tokens::load(&store)?;
    let mut config = context::config(&args.server)?;
    let can_refresh = context::partner_app(&tokens, &mut config)?;
    let client = Client::new(config)?;
    let session = Session::new(client, tokens);
    session.persist_to(store.store.clone());
    Ok(Opened {
        session,
        store: store.store,
        name: store.name,
        can_refresh,
    })
}

pub fn get(args: &GetArgs) -> Result<(), Failure> {
    let mut req = ApiRequest::get(args.path.as_str());
    for q in &args.query {
        let (k, v) = q
            .split_once('=')
            .ok_or_else(|| Failure::other(format!("--query {q:?} is not K=V")))?;
        req = req.query(k, v);
    }
    let opened = open(&args.api)?;
    let resp = opened.session.request(req).map_err(|e| opened.fail(e))?;
    if !(200..300).contains(&resp.status) {
        // Garmin's error bodies say what was wrong and carry nothing of ours.
        io::stderr().write_all(&resp.body)?;
        if !resp.body.ends_with(b"\n") && !resp.body.is_empty() {
            eprintln!();
        }
        let hint = if resp.status == 401 {
            " (the token was refused even after a refresh; sign in again)"
        } else {
            ""
        };
        return Err(Failure::other(format!(
            "GET {} answered HTTP {}{hint}",
            args.path, resp.status
        )));
    }
    let mut out = io::stdout().lock();
    out.write_all(&resp.body)?;
    if !resp.body.ends_with(b"\n") {
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

pub fn upload(args: &UploadArgs) -> Result<(), Failure> {
    let opened = open(&args.api)?;
    let json = args.json.json;
    // The core checks the file again when it opens it; this size only picks the bar.
    let len = std::fs::metadata(&args.file).map(|m| m.len()).ok();
    let outcome = match len {
        Some(n) if progress::wanted(n, io::stderr().is_terminal()) => {
            upload_with_progress(&opened.session, &args.file, n)
        }
        _ => opened.session.upload_fit_path(&args.file),
    };
    match outcome {
        Ok(result) => {
            if json {
                let activity_ids: Vec<serde_json::Value> = result
                    .successes
                    .iter()
                    .filter_map(|s| s.get("internalId").cloned())
                    .collect();
                output::print_json(&output::success(
                    "upload",
                    serde_json::json!({
                        "file": args.file.display().to_string(),
                        "bytes": len,
                        "upload_id": result.upload_id,
                        "activity_ids": activity_ids,
                        "failure_count": result.failures.len(),
                        "garmin_response": result.raw,
                    }),
                ));
            } else {
                println!("{}", pretty(&result.raw));
            }
            Ok(())
        }
        Err(Error::DuplicateActivity { response }) => {
            // The answer names the activity Garmin already has; print it like a success's (under
            // --json it goes into the error object instead, so stdout keeps one object).
            let answer = serde_json::from_str::<serde_json::Value>(&response).ok();
            if !json {
                match &answer {
                    Some(v) => println!("{}", pretty(v)),
                    None => println!("{response}"),
                }
            }
            Err(Failure {
                garmin_response: answer,
                ..Failure::of_kind(
                    ErrorKind::DuplicateActivity,
                    format!(
                        "duplicate activity: Garmin already has {}",
                        args.file.display()
                    ),
                )
            })
        }
        Err(e) => Err(opened.fail(e)),
    }
}

/// `upload_fit_path` with a bar: the file streamed through [`progress::Counting`]. The core cannot
/// send a streamed body twice, so the one retry it makes after a 401 (having refreshed the token)
/// is made here, with the file opened again — the same as `upload_fit_path` does.
fn upload_with_progress(session: &Session, path: &Path, len: u64) -> Result<UploadResult, Error> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::InvalidInput(format!("{} has no file name", path.display())))?;
    let bar = progress::bar(len);
    bar.set_message(name.clone());
    let send = || {
        let file = std::fs::File::open(path)
            .map_err(|e| Error::InvalidInput(format!("cannot open {}: {e}", path.display())))?;
        let reader = progress::Counting::new(file, bar.clone());
        let body = Body::Reader {
            reader: Box::new(reader),
            len: Some(len),
        };
        session.upload_fit(&name, body)
    };
    let mut result = send();
    if let Err(Error::HttpStatus { status: 401, .. }) = result {
        bar.reset();
        bar.set_length(len);
        result = send();
    }
    bar.finish_and_clear();
    result
}

pub fn refresh(args: &RefreshArgs) -> Result<(), Failure> {
    let opened = open(&args.api)?;
    let fresh = opened.session.refresh().map_err(|e| opened.fail(e))?;
    // The session saved already but only logs a failed save; a refresh command must report it, so
    // save once more and let an error surface (a save is an atomic replace: harmless to repeat).
    opened.store.save(&fresh)?;
    let now = opened.session.client().config().clock.now();
    if args.json.json {
        output::print_json(&output::success(
            "refresh",
            serde_json::json!({
                "store": opened.name,
                "tokens": output::tokens(&fresh, now),
            }),
        ));
        return Ok(());
    }
    println!("Refreshed; {} tokens saved", fresh.family());
    tokens::print_summary(&fresh, now);
    Ok(())
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}
