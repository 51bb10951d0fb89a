//! `get`, `upload` and `refresh`: Connect API calls with the stored tokens. Every command refreshes
//! when needed and writes refreshed tokens back into the store (a folder: in the layout they were
//! read from).

use crate::cli::{ApiArgs, GetArgs, UploadArgs};
use crate::context;
use crate::exit::{self, Failure};
use crate::tokens;
use garmin_sso_core::{ApiRequest, Client, Error, ErrorKind, Session, TokenStore};
use std::io::{self, Write};
use std::sync::Arc;

/// A session over the stored tokens that saves every refresh back into the same store; partner
/// tokens get their app from the environment (`context::partner_app`).
struct Opened {
    session: Session,
    store: Arc<dyn TokenStore>,
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
    match opened.session.upload_fit_path(&args.file) {
        Ok(result) => {
            println!("{}", pretty(&result.raw));
            Ok(())
        }
        Err(Error::DuplicateActivity { response }) => {
            // The answer names the activity Garmin already has; print it like a success's.
            match serde_json::from_str::<serde_json::Value>(&response) {
                Ok(v) => println!("{}", pretty(&v)),
                Err(_) => println!("{response}"),
            }
            Err(Failure {
                code: exit::code_of(ErrorKind::DuplicateActivity).unwrap_or(exit::OTHER),
                message: format!(
                    "duplicate activity: Garmin already has {}",
                    args.file.display()
                ),
            })
        }
        Err(e) => Err(opened.fail(e)),
    }
}

pub fn refresh(args: &ApiArgs) -> Result<(), Failure> {
    let opened = open(args)?;
    let fresh = opened.session.refresh().map_err(|e| opened.fail(e))?;
    // The session saved already but only logs a failed save; a refresh command must report it, so
    // save once more and let an error surface (a save is an atomic replace: harmless to repeat).
    opened.store.save(&fresh)?;
    println!("Refreshed; {} tokens saved", fresh.family());
    tokens::print_summary(&fresh, opened.session.client().config().clock.now());
    Ok(())
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}
