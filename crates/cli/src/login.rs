//! `login`, `browser-url` and `exchange-ticket`: the ways to get tokens.

use crate::cli::{BrowserUrlArgs, ExchangeTicketArgs, LoginArgs};
use crate::context;
use crate::exit::Failure;
use crate::input::Input;
use crate::output;
use crate::tokens;
use garmin_sso_core::{
    BrowserSignIn, Client, Error, LoginOutcome, PendingMfa, Secret, ServiceTicket, Ticket, Tokens,
};
use std::io::{self, Read};
use std::time::Duration;

/// Wrong codes a person at a terminal may retry before the CLI gives up (Garmin allows a few more).
const TERMINAL_MFA_TRIES: usize = 3;

pub fn login(args: &LoginArgs) -> Result<(), Failure> {
    let store = context::store(
        &args.store,
        args.account.as_deref().or(args.email.as_deref()),
    )?;
    let mut config = context::config(&args.server)?;
    config.tokens = args.tokens;
    if let Some(app) = args.mobile_app {
        config.set_mobile_app(app);
    }
    let client = Client::new(config)?;
    if args.browser {
        return login_browser(args, &client, &store);
    }
    if let (true, Some(vault), Some(key)) = (args.from_vault, &args.vault, &args.key_file) {
        let account = args
            .account
            .as_deref()
            .or(args.email.as_deref())
            .ok_or_else(|| Failure::other("--from-vault needs --account or --email"))?;
        let vault = garmin_sso_core::vault::Vault::open(vault, key)?;
        let session = vault.resume_or_sign_in(account, &client, &store.store)?;
        let tokens = session.tokens();
        let done = Done {
            method: "vault",
            account: Some(account),
            // `vault add` refuses accounts that need MFA.
            mfa_used: Some(false),
        };
        let text = format!(
            "Session of {account} ready; {} tokens in {}",
            tokens.family(),
            store.name
        );
        done.report(args, &text, &tokens, &store, &client);
        return Ok(());
    }
    let email = args.email.as_deref().unwrap_or_default();
    let input = Input::new();
    let password = input.password(args.password_stdin)?;
    let outcome = match args.flow.0 {
        Some(s) => client.login_with(s, email, &password)?,
        None => client.login(email, &password)?,
    };
    drop(password);
    let (tokens, mfa_used) = match outcome {
        LoginOutcome::Complete(t) => (t, false),
        LoginOutcome::MfaRequired(pending) => (
            answer_mfa(&pending, args.mfa_code.as_deref(), &input)?,
            true,
        ),
    };
    store.store.save(&tokens)?;
    let text = format!(
        "Signed in as {email}; {} tokens saved in {}",
        tokens.family(),
        store.name
    );
    let done = Done {
        method: "password",
        account: Some(email),
        mfa_used: Some(mfa_used),
    };
    done.report(args, &text, &tokens, &store, &client);
    Ok(())
}

/// How a `login` ended, for its text or `--json` report.
struct Done<'a> {
    /// `password`, `browser` or `vault`.
    method: &'static str,
    account: Option<&'a str>,
    /// Unknown (`None`) for a browser sign-in.
    mfa_used: Option<bool>,
}

impl Done<'_> {
    fn report(
        &self,
        args: &LoginArgs,
        text: &str,
        tokens: &Tokens,
        store: &context::Store,
        client: &Client,
    ) {
        let now = client.config().clock.now();
        if args.json.json {
            output::print_json(&output::success(
                "login",
                serde_json::json!({
                    "method": self.method,
                    "account": self.account,
                    "mfa_used": self.mfa_used,
                    "store": store.name,
                    "tokens": output::tokens(tokens, now),
                }),
            ));
            return;
        }
        println!("{text}");
        tokens::print_summary(tokens, now);
    }
}

/// `login --browser`: the sign-in happens in a browser window; the tokens are stored like the other
/// paths'.
fn login_browser(args: &LoginArgs, client: &Client, store: &context::Store) -> Result<(), Failure> {
    let mut browser = BrowserSignIn::new()
        .headless(args.headless)
        .no_sandbox(args.no_sandbox)
        .timeout(Duration::from_secs(args.browser_timeout));
    if let Some(p) = &args.browser_path {
        browser = browser.executable(p);
    }
    for a in &args.browser_arg {
        browser = browser.arg(a);
    }
    if !args.headless {
        eprintln!(
            "Sign in to Garmin in the browser window that opens (within {} s); it closes by itself \
             once Garmin hands over the sign-in.",
            args.browser_timeout
        );
    }
    let tokens = browser.sign_in(client)?;
    store.store.save(&tokens)?;
    let text = format!(
        "Signed in in the browser; {} tokens saved in {}",
        tokens.family(),
        store.name
    );
    let done = Done {
        method: "browser",
        account: args.account.as_deref().or(args.email.as_deref()),
        // MFA, if any, happened in the browser window, out of the library's sight.
        mfa_used: None,
    };
    done.report(args, &text, &tokens, store, client);
    Ok(())
}

fn answer_mfa(pending: &PendingMfa, given: Option<&str>, input: &Input) -> Result<Tokens, Failure> {
    let method = pending.method().as_str().to_owned();
    log::info!("{} sign-in needs an MFA code ({method})", pending.flow());
    if let Some(code) = given {
        return Ok(pending.submit(code)?);
    }
    let tries = if input.is_interactive() {
        TERMINAL_MFA_TRIES
    } else {
        1
    };
    let mut last = Error::MfaCodeRejected;
    for _ in 0..tries {
        let code = input.mfa_code(&method, pending.code_sent_to())?;
        match pending.submit(code.expose()) {
            Ok(t) => return Ok(t),
            Err(Error::MfaCodeRejected) => {
                if input.is_interactive() {
                    eprintln!("Garmin did not accept that code.");
                }
                last = Error::MfaCodeRejected;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(last.into())
}

pub fn browser_url(args: &BrowserUrlArgs) -> Result<(), Failure> {
    let mut config = context::config(&args.server)?;
    config.set_mobile_app(args.mobile_app);
    let client = Client::new(config)?;
    println!("{}", client.browser_sign_in_url());
    eprintln!(
        "Open this URL in a browser and sign in. The last page's address carries ticket=ST-…; pass it to \
         `garmin-sso exchange-ticket --url '<that address>'` within a few minutes."
    );
    Ok(())
}

pub fn exchange_ticket(args: &ExchangeTicketArgs) -> Result<(), Failure> {
    let store = context::store(&args.store.place, args.store.account.as_deref())?;
    let mut config = context::config(&args.server)?;
    config.tokens = args.tokens;
    config.set_mobile_app(args.mobile_app);
    let client = Client::new(config)?;
    let tokens = match (&args.ticket, &args.url) {
        (Some(t), _) => {
            let value = if t == "-" {
                ServiceTicket::new(read_stdin()?.expose())
            } else {
                ServiceTicket::new(t.trim())
            };
            let service_url = client.config().webview_service_url().to_owned();
            client.exchange_ticket(&Ticket { value, service_url })?
        }
        (None, Some(u)) => {
            let text = if u == "-" {
                read_stdin()?
            } else {
                Secret::new(u.as_str())
            };
            client.exchange_webview(text.expose())?
        }
        (None, None) => return Err(Failure::other("pass --ticket or --url")),
    };
    store.store.save(&tokens)?;
    println!(
        "Signed in; {} tokens saved in {}",
        tokens.family(),
        store.name
    );
    tokens::print_summary(&tokens, client.config().clock.now());
    Ok(())
}

fn read_stdin() -> Result<Secret, Failure> {
    let mut s = String::new();
    io::stdin().read_to_string(&mut s)?;
    let len = s.trim_end().len();
    s.truncate(len);
    let start = s.len() - s.trim_start().len();
    s.drain(..start);
    Ok(Secret::new(s))
}
