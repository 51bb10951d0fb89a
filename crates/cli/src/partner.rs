//! `partner login`: partner OAuth2 with PKCE (docs/partner.md) from a terminal.
//!
//! The consent page's URL goes to stdout, one line. With a loopback redirect URI
//! (`http://127.0.0.1:PORT/PATH`, `http://[::1]:PORT/PATH`; RFC 8252 §7.3) this command listens on
//! that address — bound before the URL is printed, so the redirect cannot arrive before anyone
//! listens — and takes the first GET for the redirect's path as Garmin's answer; anything else
//! gets a 404. With any other redirect URI, the person pastes the address the browser landed on as
//! the next stdin line. Either way the core checks the `state` and exchanges the code.
//!
//! Never printed or logged: the client secret, the code, the `state` (only inside the URL line the
//! person must open), the tokens.

use crate::cli::{PartnerCommand, PartnerLoginArgs};
use crate::context::{self, invalid};
use crate::exit::Failure;
use crate::input;
use crate::tokens;
use garmin_sso_core::{
    parse_url, Client, ClientSecret, ErrorKind, PartnerApp, PartnerAuthorization, Secret,
};
use std::io::{self, IsTerminal, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

/// A request to the loopback listener longer than this (request line and headers) is not a
/// browser following a redirect.
const MAX_REQUEST_BYTES: usize = 16 * 1024;
/// Connections the listener takes before giving up: the redirect plus a browser's strays
/// (`/favicon.ico`, speculative connections that send nothing).
const MAX_CONNECTIONS: usize = 64;
/// How long one connection may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

const DONE_PAGE: &str =
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>garmin-sso</title></head>\
<body><h1>Authorization received</h1><p>garmin-sso has Garmin's answer. You may close this window \
and return to the terminal.</p></body></html>";
const NOT_FOUND_PAGE: &str = "<!DOCTYPE html><html><head><title>Not found</title></head>\
<body><p>Not found.</p></body></html>";

pub fn run(cmd: &PartnerCommand) -> Result<(), Failure> {
    match cmd {
        PartnerCommand::Login(a) => login(a),
    }
}

fn login(args: &PartnerLoginArgs) -> Result<(), Failure> {
    let store = context::store(&args.store.place, args.store.account.as_deref())?;
    if store.garth.is_some() {
        return Err(invalid(
            "a token folder (garth's layout) has no place for partner tokens: pass \
             --store json:PATH, or --store sqlite:PATH --account KEY (or a postgres:// store)",
        ));
    }
    let loopback = Loopback::parse(&args.redirect_uri);
    let secret = read_secret(args.client_secret_stdin)?;
    // Bound before the URL exists: the redirect cannot come before someone listens.
    let listener = match &loopback {
        Some(lb) => Some(lb.bind()?),
        None => None,
    };
    // A registered redirect URI is matched exactly: one that names its port goes out as given.
    let redirect_uri = match (&loopback, &listener) {
        (Some(lb), Some((_, port))) if lb.port.is_none() => lb.uri_with_port(*port),
        _ => args.redirect_uri.trim().to_owned(),
    };
    let mut app = PartnerApp::new(
        &args.client_id,
        ClientSecret::new(secret.expose()),
        &redirect_uri,
    )?;
    drop(secret);
    if let Some(scope) = &args.scope {
        app = app.with_scope(scope);
    }
    let mut config = context::config(&args.server)?;
    config.partner = Some(app);
    let client = Client::new(config)?;
    let auth = client.partner_authorization()?;

    // The first stdout line is the URL alone, so that a script can take it.
    let mut out = io::stdout().lock();
    writeln!(out, "{}", auth.url())?;
    out.flush()?;
    drop(out);
    if args.browser {
        open_in_browser(auth.url());
    }

    let callback = match (&loopback, listener) {
        (Some(lb), Some((listener, port))) => {
            eprintln!(
                "Open the URL above in a browser and approve the app; waiting up to {} s for Garmin \
                 to send the browser back to {}.",
                args.timeout,
                auth.redirect_uri()
            );
            let target = wait_for_redirect(
                listener,
                lb.path.clone(),
                Duration::from_secs(args.timeout),
                auth.redirect_uri(),
            )?;
            Secret::new(format!("http://{}:{port}{target}", lb.host))
        }
        _ => read_pasted_callback(&auth)?,
    };
    let tokens = auth.finish(callback.expose())?;
    drop(callback);
    store.store.save(&tokens)?;
    println!(
        "Partner app {} authorized; {} tokens saved in {}",
        args.client_id.trim(),
        tokens.family(),
        store.name
    );
    tokens::print_summary(&tokens, client.config().clock.now());
    Ok(())
}

/// The client secret: the first stdin line, or a prompt without echo on a terminal.
fn read_secret(from_stdin: bool) -> Result<Secret, Failure> {
    if !from_stdin {
        return Err(invalid(
            "pass --client-secret-stdin and write the client secret as the first line of stdin",
        ));
    }
    if io::stdin().is_terminal() {
        let s = rpassword::prompt_password("Partner app client secret: ")?;
        return non_empty_secret(Some(s));
    }
    non_empty_secret(input::read_line()?)
}

fn non_empty_secret(line: Option<String>) -> Result<Secret, Failure> {
    match line {
        Some(s) if !s.trim().is_empty() => Ok(Secret::new(s.trim())),
        _ => Err(invalid(
            "no client secret: the first line of stdin was empty or missing",
        )),
    }
}

/// A redirect URI that names a loopback IP literal over plain http: this process can be its server.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Loopback {
    ip: IpAddr,
    /// The host as written in URLs: `127.0.0.1`, or `[::1]` with brackets.
    host: String,
    /// `None` (or a written `:0`): any free port, written into the redirect URI once bound.
    port: Option<u16>,
    /// Everything after the authority, as given (path and query).
    tail: String,
    /// The path a browser will request, as the URL parser (and so the core) normalises it.
    path: String,
}

impl Loopback {
    /// `None` for anything but `http://` + a loopback IP literal (+ `:PORT`) + the rest.
    fn parse(uri: &str) -> Option<Loopback> {
        let uri = uri.trim();
        let scheme = uri.get(..7)?;
        if !scheme.eq_ignore_ascii_case("http://") {
            return None;
        }
        let rest = &uri[7..];
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        let (host, port) = match authority.strip_prefix('[') {
            Some(v6) => {
                let (h, after) = v6.split_once(']')?;
                let port = match after {
                    "" => None,
                    p => Some(p.strip_prefix(':')?),
                };
                (h, port)
            }
            None => match authority.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            },
        };
        let ip: IpAddr = host.parse().ok()?;
        if !ip.is_loopback() {
            return None;
        }
        let port = match port {
            None => None,
            Some(p) => Some(p.parse::<u16>().ok()?).filter(|&p| p != 0),
        };
        let host = match ip {
            IpAddr::V4(_) => host.to_owned(),
            IpAddr::V6(_) => format!("[{host}]"),
        };
        let path = parse_url(&format!("http://{host}{tail}"))
            .ok()?
            .path()
            .to_owned();
        Some(Loopback {
            ip,
            host,
            port,
            tail: tail.to_owned(),
            path,
        })
    }

    /// The listener and its port.
    fn bind(&self) -> Result<(TcpListener, u16), Failure> {
        let addr = SocketAddr::new(self.ip, self.port.unwrap_or(0));
        let listener = TcpListener::bind(addr).map_err(|e| {
            Failure::other(format!(
                "cannot listen on {addr} for the redirect ({e}); is another program using the \
                 port? A redirect URI without a port lets this command pick a free one"
            ))
        })?;
        let port = listener.local_addr()?.port();
        Ok((listener, port))
    }

    /// The redirect URI with the port that was bound written in.
    fn uri_with_port(&self, port: u16) -> String {
        format!("http://{}:{port}{}", self.host, self.tail)
    }
}

/// What a connection to the listener turned out to be.
enum Arrival {
    /// The redirect: its request target (path and query).
    Redirect(String),
    /// The listener took [`MAX_CONNECTIONS`] connections without the redirect among them.
    TooMany,
}

/// Accepts connections (each in its own thread, so a silent one blocks nothing) until one is a GET
/// for `path`; its request target. Bounded by `timeout` (exit 9) and [`MAX_CONNECTIONS`]. A thread
/// still waiting when this returns ends with the process.
fn wait_for_redirect(
    listener: TcpListener,
    path: String,
    timeout: Duration,
    redirect_uri: &str,
) -> Result<String, Failure> {
    let (tx, rx) = mpsc::channel::<Arrival>();
    std::thread::spawn(move || {
        for (n, conn) in listener.incoming().enumerate() {
            if n >= MAX_CONNECTIONS {
                let _ = tx.send(Arrival::TooMany);
                return;
            }
            let Ok(stream) = conn else { continue };
            let (tx, path) = (tx.clone(), path.clone());
            std::thread::spawn(move || {
                if let Some(target) = serve(stream, &path) {
                    let _ = tx.send(Arrival::Redirect(target));
                }
            });
        }
    });
    match rx.recv_timeout(timeout) {
        Ok(Arrival::Redirect(target)) => Ok(target),
        Ok(Arrival::TooMany) => Err(Failure::other(format!(
            "{MAX_CONNECTIONS} connections reached the listener for {redirect_uri} without Garmin's \
             redirect among them; run `garmin-sso partner login` again"
        ))),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(Failure::of_kind(
            ErrorKind::Timeout,
            format!(
                "no redirect reached {redirect_uri} within {} s (was the app approved in the \
                 browser?); run `garmin-sso partner login` again, with a longer --timeout if needed",
                timeout.as_secs()
            ),
        )),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(Failure::other(format!(
            "the listener for {redirect_uri} stopped before Garmin's redirect came"
        ))),
    }
}

/// One connection: reads its request head (bounded), answers, and returns the request target when
/// it is a GET for `path`.
fn serve(mut stream: TcpStream, path: &str) -> Option<String> {
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let _ = stream.set_write_timeout(Some(READ_TIMEOUT));
    let head = match read_head(&mut stream) {
        Ok(Some(h)) => h,
        Ok(None) => {
            respond(
                &mut stream,
                "431 Request Header Fields Too Large",
                NOT_FOUND_PAGE,
            );
            return None;
        }
        Err(_) => return None,
    };
    let mut parts = head.lines().next().unwrap_or("").split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let target_path = target.split(['?', '#']).next().unwrap_or("");
    if target_path != path || !target.starts_with('/') {
        respond(&mut stream, "404 Not Found", NOT_FOUND_PAGE);
        return None;
    }
    if method != "GET" {
        respond(&mut stream, "405 Method Not Allowed", NOT_FOUND_PAGE);
        return None;
    }
    respond(&mut stream, "200 OK", DONE_PAGE);
    // Only the path and query count; a fragment never reaches a server anyway.
    Some(target.split('#').next().unwrap_or("").to_owned())
}

/// The request line and headers, up to the blank line; `None` past [`MAX_REQUEST_BYTES`].
fn read_head(stream: &mut TcpStream) -> io::Result<Option<String>> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 2048];
    loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head.extend_from_slice(&buf[..n]);
        if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            head.truncate(end);
            return Ok(Some(String::from_utf8_lossy(&head).into_owned()));
        }
        if head.len() > MAX_REQUEST_BYTES {
            return Ok(None);
        }
    }
}

fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let answer = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream
        .write_all(answer.as_bytes())
        .and_then(|()| stream.flush());
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

/// The redirect as the person pastes it: the next stdin line (prompted for on a terminal).
fn read_pasted_callback(auth: &PartnerAuthorization) -> Result<Secret, Failure> {
    eprintln!(
        "Open the URL above in a browser and approve the app. Garmin then sends the browser to {}?…; \
         paste that whole address here (it is good for a few minutes) and press Enter:",
        auth.redirect_uri()
    );
    match input::read_line()? {
        Some(line) if !line.trim().is_empty() => Ok(Secret::new(line.trim())),
        _ => Err(invalid(
            "no callback: paste the address the browser was sent to as the next line of stdin",
        )),
    }
}

/// Opens `url` with the system's opener; a failure only says so (the URL is printed already).
fn open_in_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    match std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        // Reaped in the background; the sign-in does not wait for the opener.
        Ok(mut child) => {
            std::thread::spawn(move || {
                let _ = child.wait();
            });
        }
        Err(e) => eprintln!("Could not start {opener} ({e}); open the URL above yourself."),
    }
}

#[cfg(test)]
mod tests {
    use super::Loopback;

    #[test]
    fn loopback_redirect_uris() {
        let lb = Loopback::parse("http://127.0.0.1:8765/callback?x=1").expect("v4");
        assert_eq!(lb.port, Some(8765));
        assert_eq!(lb.path, "/callback");
        assert_eq!(lb.uri_with_port(8765), "http://127.0.0.1:8765/callback?x=1");
        let lb = Loopback::parse("http://127.0.0.1/callback").expect("no port");
        assert_eq!(lb.port, None);
        assert_eq!(lb.uri_with_port(4242), "http://127.0.0.1:4242/callback");
        assert_eq!(
            Loopback::parse("http://127.0.0.1:0/cb").expect("0").port,
            None
        );
        let lb = Loopback::parse("HTTP://[::1]:9/cb").expect("v6");
        assert_eq!((lb.host.as_str(), lb.port), ("[::1]", Some(9)));
        assert_eq!(lb.uri_with_port(9), "http://[::1]:9/cb");
        let lb = Loopback::parse("http://127.0.0.1:80").expect("no path");
        assert_eq!((lb.path.as_str(), lb.port), ("/", Some(80)));
        for other in [
            "https://127.0.0.1/cb",
            "http://localhost:8080/cb",
            "http://10.0.0.1/cb",
            "http://127.0.0.1.evil.example/cb",
            "http://user@127.0.0.1/cb",
            "http://127.0.0.1:99999/cb",
            "https://app.example/cb",
            "http://[::1]x/cb",
        ] {
            assert_eq!(Loopback::parse(other), None, "{other}");
        }
    }
}
