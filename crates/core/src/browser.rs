//! Browser sign-in (docs/protocol.md §7) in a local Chromium or Chrome: the person signs in in a
//! real browser window (MFA and CAPTCHAs included); the library catches the navigation to the
//! service URL carrying `?ticket=ST-…` before that page loads, closes the browser and exchanges
//! the ticket.
//!
//! How: the browser starts with a fresh temporary profile (removed afterwards, also on error) and
//! the DevTools protocol on a loopback port chosen by the browser. Over that protocol the library
//! pauses every request to the service URL (`Fetch.enable` with a pattern for it), reads the
//! ticket from the paused request and fails the request, so the service page is never requested.
//! The browser process is always killed and reaped; a sign-in not finished before the deadline
//! (measured on [`Config::clock`](crate::Config::clock)) ends in [`Error::Timeout`].
//!
//! ```no_run
//! use garmin_sso_core::{BrowserSignIn, Client, Config, Domain};
//! let client = Client::new(Config::new(Domain::Com))?;
//! let tokens = BrowserSignIn::new().sign_in(&client)?;
//! # Ok::<(), garmin_sso_core::Error>(())
//! ```

mod cdp;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ticket::Ticket;
use crate::tokens::Tokens;
use crate::transport::redact_url;
use cdp::{failure, Cdp, Deadline};
use serde_json::{json, Value};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use url::Url;

/// Names looked up on `PATH`, in this order, when no browser path is given.
pub const BROWSER_NAMES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
];

/// Default time a person has to finish signing in.
pub const DEFAULT_BROWSER_TIMEOUT: Duration = Duration::from_secs(300);

/// Longest real time the browser may take to open its DevTools port.
const STARTUP_LIMIT: Duration = Duration::from_secs(60);

/// Flags for a clean, quiet run: nothing synced, no first-run dialogs, no background traffic, and
/// no QUIC (so every request goes through the interceptable network stack as HTTP/1 or 2).
const BASE_FLAGS: &[&str] = &[
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-crash-reporter",
    "--disable-breakpad",
    "--disable-dev-shm-usage",
    "--password-store=basic",
    "--use-mock-keychain",
];

/// A page hook: runs each time the sign-in tab finishes loading a page. Tests fill the
/// simulator's form with it; apps leave it unset.
pub type PageHook = Box<dyn FnMut(&mut BrowserPage<'_>) -> Result<()> + Send>;

/// Options of a browser sign-in; [`BrowserSignIn::sign_in`] runs it.
pub struct BrowserSignIn {
    executable: Option<PathBuf>,
    headless: bool,
    no_sandbox: bool,
    timeout: Duration,
    temp_root: Option<PathBuf>,
    extra_args: Vec<String>,
    on_page_load: Option<PageHook>,
}

impl fmt::Debug for BrowserSignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BrowserSignIn")
            .field("executable", &self.executable)
            .field("headless", &self.headless)
            .field("no_sandbox", &self.no_sandbox)
            .field("timeout", &self.timeout)
            .field("temp_root", &self.temp_root)
            .field("extra_args", &self.extra_args)
            .field("on_page_load", &self.on_page_load.as_ref().map(|_| "…"))
            .finish()
    }
}

impl Default for BrowserSignIn {
    fn default() -> Self {
        BrowserSignIn::new()
    }
}

impl BrowserSignIn {
    /// A visible browser found on `PATH` ([`BROWSER_NAMES`]), [`DEFAULT_BROWSER_TIMEOUT`], the
    /// sandbox on unless running as root.
    pub fn new() -> BrowserSignIn {
        BrowserSignIn {
            executable: None,
            headless: false,
            no_sandbox: false,
            timeout: DEFAULT_BROWSER_TIMEOUT,
            temp_root: None,
            extra_args: Vec::new(),
            on_page_load: None,
        }
    }

    /// The Chromium or Chrome executable to run instead of searching `PATH`.
    pub fn executable(mut self, path: impl Into<PathBuf>) -> Self {
        self.executable = Some(path.into());
        self
    }

    /// Runs the browser without a window (`--headless=new`): only useful with a page hook.
    pub fn headless(mut self, headless: bool) -> Self {
        self.headless = headless;
        self
    }

    /// Passes `--no-sandbox`. It is passed anyway when the process runs as root, where Chromium
    /// refuses to start with its sandbox.
    pub fn no_sandbox(mut self, no_sandbox: bool) -> Self {
        self.no_sandbox = no_sandbox;
        self
    }

    /// How long the sign-in may take, from the browser's start until the ticket, on the
    /// configured clock (whole seconds, rounded up).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Where the temporary profile folder is created (default: the OS temporary folder).
    pub fn temp_root(mut self, dir: impl Into<PathBuf>) -> Self {
        self.temp_root = Some(dir.into());
        self
    }

    /// One more command-line argument for the browser (e.g. `--host-resolver-rules=…` in tests).
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.extra_args.push(arg.into());
        self
    }

    /// Runs `hook` each time the sign-in tab finishes loading a page; an error from it ends the
    /// sign-in with that error. Meant for tests that fill the sign-in form through DevTools.
    pub fn on_page_load(
        mut self,
        hook: impl FnMut(&mut BrowserPage<'_>) -> Result<()> + Send + 'static,
    ) -> Self {
        self.on_page_load = Some(Box::new(hook));
        self
    }

    /// Signs in in the browser and exchanges the ticket per the client's token preference.
    pub fn sign_in(self, client: &Client) -> Result<Tokens> {
        let ticket = self.ticket(client)?;
        client.exchange_ticket(&ticket)
    }

    /// Signs in in the browser and returns the service ticket, bound to
    /// [`Config::webview_service_url`](crate::Config::webview_service_url), without exchanging it.
    /// The browser is closed and its profile removed before this returns.
    pub fn ticket(mut self, client: &Client) -> Result<Ticket> {
        let config = client.config();
        let deadline = Deadline::after(config.clock.clone(), self.timeout);
        let exe = match &self.executable {
            Some(p) => p.clone(),
            None => find_browser().ok_or_else(|| {
                Error::InvalidInput(format!(
                    "no Chromium or Chrome found on PATH (looked for {}); give its path",
                    BROWSER_NAMES.join(", ")
                ))
            })?,
        };
        let temp_root = self.temp_root.clone().unwrap_or_else(std::env::temp_dir);
        let profile = Profile::create(&temp_root)?;
        let no_sandbox = self.no_sandbox || running_as_root();
        let mut browser =
            Browser::launch(&exe, profile, self.headless, no_sandbox, &self.extra_args)?;
        let result = browser.devtools(&deadline).and_then(|mut cdp| {
            let r = wait_for_ticket(client, &mut cdp, &deadline, self.on_page_load.as_mut());
            cdp.close_browser();
            r
        });
        browser.shut_down();
        result
    }
}

/// The first of [`BROWSER_NAMES`] found on `PATH`.
pub fn find_browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    BROWSER_NAMES.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| is_executable(p))
    })
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// True when the effective user id is 0 (Linux: read from `/proc/self/status`).
fn running_as_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|ids| ids.split_whitespace().nth(1).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

/// The sign-in tab, as a page hook sees it.
pub struct BrowserPage<'a> {
    cdp: &'a mut Cdp,
    session: &'a str,
    deadline: &'a Deadline,
}

impl fmt::Debug for BrowserPage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BrowserPage").finish_non_exhaustive()
    }
}

impl BrowserPage<'_> {
    /// Evaluates a JavaScript expression in the page (`Runtime.evaluate`, promises awaited) and
    /// returns its value as JSON. A thrown exception is an error.
    pub fn evaluate(&mut self, expression: &str) -> Result<Value> {
        let r = self.cdp.call(
            Some(self.session),
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
            self.deadline,
        )?;
        if let Some(ex) = r.get("exceptionDetails") {
            let text = ex
                .pointer("/exception/description")
                .or_else(|| ex.get("text"))
                .and_then(Value::as_str)
                .unwrap_or("exception");
            return Err(failure(format!("page script threw: {text}")));
        }
        Ok(r.pointer("/result/value").cloned().unwrap_or(Value::Null))
    }

    /// Sends any DevTools command to the sign-in tab's session and returns its result.
    pub fn command(&mut self, method: &str, params: Value) -> Result<Value> {
        self.cdp
            .call(Some(self.session), method, params, self.deadline)
    }
}

/// A DevTools URL pattern matching the service URL with any query: `*`, `?` and `\` escaped.
fn service_pattern(service_url: &str) -> String {
    let mut p = String::with_capacity(service_url.len() + 2);
    for c in service_url.chars() {
        if matches!(c, '*' | '?' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('*');
    p
}

/// True when `url` is the service URL itself (same scheme, host, port and path), whatever query.
fn is_service_url(url: &str, service: &Url) -> bool {
    crate::urls::parse_url(url).is_ok_and(|u| {
        u.scheme() == service.scheme()
            && u.host_str() == service.host_str()
            && u.port_or_known_default() == service.port_or_known_default()
            && u.path() == service.path()
    })
}

fn wait_for_ticket(
    client: &Client,
    cdp: &mut Cdp,
    deadline: &Deadline,
    mut hook: Option<&mut PageHook>,
) -> Result<Ticket> {
    let service_url = client.config().webview_service_url().to_owned();
    let service = crate::urls::parse_url(&service_url)
        .map_err(|_| Error::InvalidConfig("the web-view service URL is not a URL".into()))?;
    let targets = cdp.call(None, "Target.getTargets", json!({}), deadline)?;
    let existing = targets
        .get("targetInfos")
        .and_then(Value::as_array)
        .and_then(|list| {
            list.iter()
                .find(|t| t.get("type").and_then(Value::as_str) == Some("page"))
                .and_then(|t| t.get("targetId").and_then(Value::as_str))
                .map(str::to_owned)
        });
    let target_id = match existing {
        Some(id) => id,
        None => cdp
            .call(
                None,
                "Target.createTarget",
                json!({"url": "about:blank"}),
                deadline,
            )?
            .get("targetId")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| failure("the browser opened no tab"))?,
    };
    let session_id = cdp
        .call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
            deadline,
        )?
        .get("sessionId")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| failure("no DevTools session for the tab"))?;
    let session = Some(session_id.as_str());
    // Interception first, navigation second: the service URL can never load unwatched.
    cdp.call(
        session,
        "Fetch.enable",
        json!({"patterns": [{"urlPattern": service_pattern(&service_url), "requestStage": "Request"}]}),
        deadline,
    )?;
    cdp.call(session, "Page.enable", json!({}), deadline)?;
    let sign_in_url = client.browser_sign_in_url();
    let nav = cdp.call(
        session,
        "Page.navigate",
        json!({"url": sign_in_url}),
        deadline,
    )?;
    if let Some(e) = nav.get("errorText").and_then(Value::as_str) {
        return Err(failure(format!(
            "the browser could not open the sign-in page {}: {e}",
            redact_url(&sign_in_url)
        )));
    }
    log::info!(
        "browser sign-in: opened {}; waiting for the service ticket",
        redact_url(&sign_in_url)
    );
    loop {
        deadline.check("browser sign-in did not reach the service ticket")?;
        let Some(ev) = cdp.next_event()? else {
            continue;
        };
        let method = ev.get("method").and_then(Value::as_str).unwrap_or("");
        let params = ev.get("params").cloned().unwrap_or(Value::Null);
        let ev_session = ev.get("sessionId").and_then(Value::as_str);
        match method {
            "Fetch.requestPaused" => {
                let request_id = params
                    .get("requestId")
                    .cloned()
                    .ok_or_else(|| failure("a paused request without an id"))?;
                let url = params
                    .pointer("/request/url")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                if !is_service_url(&url, &service) {
                    cdp.call(
                        ev_session,
                        "Fetch.continueRequest",
                        json!({"requestId": request_id}),
                        deadline,
                    )?;
                    continue;
                }
                // Never let the service page load: fail the request, then read its ticket.
                cdp.call(
                    ev_session,
                    "Fetch.failRequest",
                    json!({"requestId": request_id, "errorReason": "Aborted"}),
                    deadline,
                )?;
                match client.webview_ticket(&url) {
                    Ok(ticket) => {
                        log::info!(
                            "browser sign-in: caught the service ticket at {}",
                            redact_url(&url)
                        );
                        return Ok(ticket);
                    }
                    Err(_) => log::warn!(
                        "browser sign-in: the service URL was requested without a ticket; still waiting"
                    ),
                }
            }
            "Page.loadEventFired" if ev_session == session => {
                if let Some(h) = hook.as_mut() {
                    let mut page = BrowserPage {
                        cdp: &mut *cdp,
                        session: &session_id,
                        deadline,
                    };
                    h(&mut page)?;
                }
            }
            "Inspector.detached" if ev_session == session => {
                return Err(failure(
                    "the sign-in tab was closed before sign-in finished",
                ));
            }
            "Target.detachedFromTarget"
                if params.get("sessionId").and_then(Value::as_str) == session =>
            {
                return Err(failure(
                    "the sign-in tab was closed before sign-in finished",
                ));
            }
            _ => {}
        }
    }
}

/// The temporary profile folder; removed on drop.
#[derive(Debug)]
struct Profile {
    dir: PathBuf,
}

impl Profile {
    fn create(root: &Path) -> Result<Profile> {
        let mut rnd = [0u8; 8];
        getrandom::fill(&mut rnd)
            .map_err(|e| Error::unexpected("browser", format!("no randomness: {e}")))?;
        let name: String = rnd.iter().map(|b| format!("{b:02x}")).collect();
        let dir = root.join(format!("garmin-sso-browser-{name}"));
        let mut builder = fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(&dir).map_err(|e| {
            Error::Storage(format!(
                "cannot create a browser profile folder in {}: {e}",
                root.display()
            ))
        })?;
        Ok(Profile { dir })
    }
}

impl Drop for Profile {
    fn drop(&mut self) {
        // Browser helpers may still be writing for a moment after the main process ended.
        for _ in 0..20 {
            match fs::remove_dir_all(&self.dir) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                _ => return,
            }
        }
        log::warn!(
            "browser sign-in: could not remove the profile folder {}",
            self.dir.display()
        );
    }
}

/// The running browser. Dropping it kills and reaps the process, then removes the profile (field
/// order: the process goes first).
struct Browser {
    child: Option<Child>,
    profile: Profile,
}

impl fmt::Debug for Browser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Browser")
            .field("pid", &self.child.as_ref().map(Child::id))
            .field("profile", &self.profile.dir)
            .finish()
    }
}

impl Browser {
    fn launch(
        exe: &Path,
        profile: Profile,
        headless: bool,
        no_sandbox: bool,
        extra: &[String],
    ) -> Result<Browser> {
        let mut cmd = Command::new(exe);
        cmd.args(BASE_FLAGS)
            .arg(format!("--user-data-dir={}", profile.dir.display()));
        if headless {
            cmd.arg("--headless=new");
        }
        if no_sandbox {
            cmd.arg("--no-sandbox");
        }
        cmd.args(extra)
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = cmd.spawn().map_err(|e| {
            Error::InvalidInput(format!("cannot start the browser {}: {e}", exe.display()))
        })?;
        log::debug!(
            "browser sign-in: started {} (pid {}, headless {headless}, sandbox {})",
            exe.display(),
            child.id(),
            !no_sandbox
        );
        Ok(Browser {
            child: Some(child),
            profile,
        })
    }

    /// Waits for the browser's `DevToolsActivePort` file and connects to the port it names.
    fn devtools(&mut self, deadline: &Deadline) -> Result<Cdp> {
        let file = self.profile.dir.join("DevToolsActivePort");
        let started = Instant::now();
        loop {
            if let Ok(text) = fs::read_to_string(&file) {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    if let Ok(port) = port.trim().parse::<u16>() {
                        log::debug!("browser sign-in: DevTools on 127.0.0.1:{port}");
                        return Cdp::connect(port, path.trim());
                    }
                }
            }
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    self.child = None;
                    return Err(failure(format!(
                        "the browser exited ({status}) before opening DevTools"
                    )));
                }
            }
            deadline.check("waiting for the browser to start")?;
            if started.elapsed() > STARTUP_LIMIT {
                return Err(Error::Timeout(format!(
                    "the browser opened no DevTools port within {} s",
                    STARTUP_LIMIT.as_secs()
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Gives the browser a moment to quit on its own (after `Browser.close`), then kills it, and
    /// reaps it either way.
    fn shut_down(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let until = Instant::now() + Duration::from_secs(5);
        while Instant::now() < until {
            match child.try_wait() {
                Ok(Some(_)) => return,
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                Err(_) => break,
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn pattern_escapes_wildcards() {
        assert_eq!(
            service_pattern("https://mobile.integration.garmin.com/gcm/android"),
            "https://mobile.integration.garmin.com/gcm/android*"
        );
        assert_eq!(
            service_pattern("https://x/a?b*c\\"),
            "https://x/a\\?b\\*c\\\\*"
        );
    }

    #[test]
    fn service_url_match_ignores_query_only() {
        let s =
            crate::urls::parse_url("https://mobile.integration.garmin.com/gcm/android").unwrap();
        assert!(is_service_url(
            "https://mobile.integration.garmin.com/gcm/android?ticket=ST-1-a-sso",
            &s
        ));
        assert!(is_service_url(
            "https://mobile.integration.garmin.com:443/gcm/android",
            &s
        ));
        assert!(!is_service_url(
            "https://mobile.integration.garmin.com/gcm/android-x?ticket=ST-1-a-sso",
            &s
        ));
        assert!(!is_service_url(
            "http://mobile.integration.garmin.com/gcm/android?ticket=ST-1-a-sso",
            &s
        ));
        assert!(!is_service_url("not a url", &s));
    }

    #[test]
    fn profile_is_private_and_removed() {
        let root = tempfile::tempdir().unwrap();
        let p = Profile::create(root.path()).unwrap();
        let dir = p.dir.clone();
        fs::write(dir.join("x"), "y").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
                0o700
            );
        }
        drop(p);
        assert!(!dir.exists());
    }

    #[test]
    fn deadline_follows_the_given_clock() {
        let clock = crate::clock::ManualClock::new(1000);
        let d = Deadline::after(Arc::new(clock.clone()), Duration::from_millis(1500));
        assert!(!d.expired());
        clock.advance(1);
        assert!(!d.expired());
        clock.advance(1);
        assert!(matches!(d.check("x"), Err(Error::Timeout(_))));
    }

    #[test]
    fn missing_browser_is_invalid_input() {
        let client = Client::with_transport(
            crate::config::Config::new(crate::config::Domain::Com),
            Arc::new(|_: crate::transport::Request| {
                Err(crate::transport::TransportError::new(
                    crate::transport::TransportErrorKind::Other,
                    "no network in this test",
                ))
            }),
        )
        .unwrap();
        let root = tempfile::tempdir().unwrap();
        let err = BrowserSignIn::new()
            .executable(root.path().join("no-such-browser"))
            .temp_root(root.path())
            .ticket(&client)
            .unwrap_err();
        assert_eq!(err.kind(), crate::error::ErrorKind::InvalidInput, "{err}");
        // The profile made for it is gone again.
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 0);
    }

    use std::sync::Arc;
}
