//! End-to-end tests against a running simulator, with a tiny raw HTTP/1.1
//! client (keep-alive, chunked, a path-aware cookie jar) written here.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use base64::Engine;
use serde_json::Value;

use crate::oauth1_verify::{base_string, enc, sign};
use crate::{Account, Fault, MfaMethod, Simulator, Target, Times};

const EMBED_Q: &str =
    "id=gauth-widget&embedWidget=true&gauthHost=https%3A%2F%2Fsso.garmin.com%2Fsso";
const SIGNIN_Q: &str = "id=gauth-widget&embedWidget=true&gauthHost=https%3A%2F%2Fsso.garmin.com%2Fsso%2Fembed&service=https%3A%2F%2Fsso.garmin.com%2Fsso%2Fembed&source=https%3A%2F%2Fsso.garmin.com%2Fsso%2Fembed&redirectAfterAccountLoginUrl=https%3A%2F%2Fsso.garmin.com%2Fsso%2Fembed&redirectAfterAccountCreationUrl=https%3A%2F%2Fsso.garmin.com%2Fsso%2Fembed";
const EMBED: &str = "https://sso.garmin.com/sso/embed";
const MOBILE_Q: &str = "clientId=GCM_ANDROID_DARK&locale=en-US&service=https%3A%2F%2Fmobile.integration.garmin.com%2Fgcm%2Fandroid";
const MOBILE_SERVICE: &str = "https://mobile.integration.garmin.com/gcm/android";

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
    fn title(&self) -> String {
        let t = self.text();
        let start = t.find("<title>").map(|i| i + 7).unwrap_or(0);
        let end = t[start..]
            .find("</title>")
            .map(|i| i + start)
            .unwrap_or(start);
        t[start..end].to_string()
    }
    fn set_cookie_names(&self) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|(_, v)| v.split('=').next().map(str::to_string))
            .collect()
    }
}

/// One keep-alive connection plus a cookie jar (name, value, path).
struct Client {
    addr: SocketAddr,
    conn: Option<BufReader<TcpStream>>,
    jar: Vec<(String, String, String)>,
    connects: u32,
}

impl Client {
    fn new(sim: &Simulator) -> Client {
        Client {
            addr: sim.addr(),
            conn: None,
            jar: Vec::new(),
            connects: 0,
        }
    }

    fn cookie_header(&self, path: &str) -> Option<String> {
        let v: Vec<String> = self
            .jar
            .iter()
            .filter(|(_, _, p)| path.starts_with(p.as_str()))
            .map(|(n, v, _)| format!("{n}={v}"))
            .collect();
        (!v.is_empty()).then(|| v.join("; "))
    }

    fn has_cookie(&self, name: &str) -> bool {
        self.jar.iter().any(|(n, _, _)| n == name)
    }

    fn drop_cookie(&mut self, name: &str) {
        self.jar.retain(|(n, _, _)| n != name);
    }

    fn store_cookies(&mut self, r: &Response) {
        for (k, v) in &r.headers {
            if !k.eq_ignore_ascii_case("set-cookie") {
                continue;
            }
            let mut parts = v.split(';');
            let Some((name, value)) = parts.next().and_then(|nv| nv.split_once('=')) else {
                continue;
            };
            let path = parts
                .filter_map(|a| a.trim().split_once('='))
                .find(|(k, _)| k.eq_ignore_ascii_case("path"))
                .map(|(_, p)| p.to_string())
                .unwrap_or_else(|| "/".into());
            self.jar
                .retain(|(n, _, p)| !(n == name.trim() && *p == path));
            self.jar
                .push((name.trim().to_string(), value.to_string(), path));
        }
    }

    fn request(
        &mut self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        let path = target.split('?').next().unwrap_or("/").to_string();
        let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {}\r\n", self.addr);
        let chunked = headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v == &"chunked");
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if let Some(c) = self.cookie_header(&path) {
            head.push_str(&format!("Cookie: {c}\r\n"));
        }
        if !chunked && (!body.is_empty() || method == "POST") {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        let mut wire = head.into_bytes();
        if chunked {
            for chunk in body.chunks(7) {
                wire.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                wire.extend_from_slice(chunk);
                wire.extend_from_slice(b"\r\n");
            }
            wire.extend_from_slice(b"0\r\n\r\n");
        } else {
            wire.extend_from_slice(body);
        }
        if self.conn.is_none() {
            let s = TcpStream::connect(self.addr).expect("connect");
            s.set_read_timeout(Some(Duration::from_secs(20)))
                .expect("timeout");
            self.conn = Some(BufReader::new(s));
            self.connects += 1;
        }
        let conn = self.conn.as_mut().expect("connected");
        conn.get_mut().write_all(&wire).expect("write");
        let resp = read_response(conn, method == "HEAD");
        if resp
            .header("connection")
            .is_some_and(|c| c.eq_ignore_ascii_case("close"))
        {
            self.conn = None;
        }
        self.store_cookies(&resp);
        resp
    }

    fn get(&mut self, target: &str) -> Response {
        self.request("GET", target, &[], b"")
    }

    fn get_auth(&mut self, target: &str, auth: &str) -> Response {
        self.request("GET", target, &[("Authorization", auth)], b"")
    }

    fn post_form(&mut self, target: &str, fields: &[(&str, &str)]) -> Response {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.request(
            "POST",
            target,
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        )
    }

    fn post_json(&mut self, target: &str, v: &Value) -> Response {
        self.request(
            "POST",
            target,
            &[("Content-Type", "application/json")],
            v.to_string().as_bytes(),
        )
    }
}

fn read_response(conn: &mut BufReader<TcpStream>, head_only: bool) -> Response {
    let mut line = String::new();
    conn.read_line(&mut line).expect("status line");
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let mut headers = Vec::new();
    loop {
        let mut l = String::new();
        conn.read_line(&mut l).expect("header line");
        let l = l.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let get = |n: &str| {
        headers
            .iter()
            .find(|(k, _): &&(String, String)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if head_only {
    } else if get("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size = String::new();
            conn.read_line(&mut size).expect("chunk size");
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                .expect("hex");
            let mut chunk = vec![0u8; n + 2];
            conn.read_exact(&mut chunk).expect("chunk");
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else if let Some(len) = get("content-length") {
        let n: usize = len.parse().expect("length");
        body.resize(n, 0);
        conn.read_exact(&mut body).expect("body");
    }
    Response {
        status,
        headers,
        body,
    }
}

fn csrf_of(html: &str) -> Option<String> {
    let i = html.find("name=\"_csrf\"")?;
    let rest = &html[i..];
    let v = rest.find("value=\"")? + 7;
    let end = rest[v..].find('"')?;
    Some(rest[v..v + end].to_string())
}

fn js_var(html: &str, name: &str) -> Option<String> {
    let key = format!("var {name} = \"");
    let i = html.find(&key)? + key.len();
    let end = html[i..].find('"')?;
    Some(html[i..i + end].to_string())
}

fn ticket_of(html: &str) -> Option<String> {
    let i = html.find("ticket=ST-")? + 7;
    let end = html[i..].find('"')?;
    Some(html[i..i + end].to_string())
}

fn path_of(location: &str) -> String {
    let no_scheme = location.split_once("://").map(|x| x.1).unwrap_or(location);
    no_scheme
        .find('/')
        .map(|i| no_scheme[i..].to_string())
        .unwrap_or_else(|| "/".into())
}

fn sim() -> Simulator {
    Simulator::builder()
        .account(Account::new("runner@example.com", "hunter22").display_name("runner"))
        .account(Account::new("mfa@example.com", "pw-mfa").with_mfa("123456", MfaMethod::Email))
        .account(
            Account::new("sms@example.com", "pw-sms")
                .with_mfa("654321", MfaMethod::Sms)
                .code_sent_automatically(false),
        )
        .account(Account::new("locked@example.com", "pw").locked(true))
        .account(Account::new("kid@example.com", "pw").child(true))
        .start()
        .expect("simulator starts")
}

/// embed + sign-in page; returns the CSRF value.
fn open_signin(c: &mut Client) -> String {
    let r = c.get(&format!("/sso/embed?{EMBED_Q}"));
    assert_eq!(r.status, 200);
    assert_eq!(r.title(), "GAuth Embedded Version");
    assert!(c.has_cookie("__cflb") && c.has_cookie("_cfuvid") && c.has_cookie("__cf_bm"));
    let had_session = c.has_cookie("SESSION");
    let r = c.get(&format!("/sso/signin?{SIGNIN_Q}"));
    assert_eq!(r.status, 200);
    assert_eq!(r.title(), "GARMIN Authentication Application");
    if !had_session {
        assert!(r.set_cookie_names().contains(&"SESSION".to_string()));
        assert!(r.set_cookie_names().contains(&"__VCAP_ID__".to_string()));
    }
    assert!(r
        .text()
        .contains(r#"<input type="hidden" name="_csrf" value=""#));
    csrf_of(&r.text()).expect("csrf on sign-in page")
}

fn widget_signin(c: &mut Client, user: &str, pw: &str) -> Response {
    let csrf = open_signin(c);
    c.post_form(
        &format!("/sso/signin?{SIGNIN_Q}"),
        &[
            ("username", user),
            ("password", pw),
            ("embed", "true"),
            ("_csrf", &csrf),
        ],
    )
}

/// What to sign: method, path, query and form parameters.
struct ToSign<'a> {
    method: &'a str,
    path: &'a str,
    query: &'a [(String, String)],
    form: &'a [(String, String)],
}

fn oauth_header(
    sim: &Simulator,
    r: &ToSign<'_>,
    token: Option<(&str, &str)>,
    ts: i64,
    nonce: &str,
) -> String {
    let ToSign {
        method,
        path,
        query,
        form,
    } = *r;
    let mut oauth = vec![
        (
            "oauth_consumer_key".to_string(),
            "sim-consumer-key".to_string(),
        ),
        ("oauth_nonce".to_string(), nonce.to_string()),
        (
            "oauth_signature_method".to_string(),
            "HMAC-SHA1".to_string(),
        ),
        ("oauth_timestamp".to_string(), ts.to_string()),
        ("oauth_version".to_string(), "1.0".to_string()),
    ];
    if let Some((t, _)) = token {
        oauth.push(("oauth_token".to_string(), t.to_string()));
    }
    let mut params: Vec<(String, String)> = query.to_vec();
    params.extend(form.iter().cloned());
    params.extend(oauth.iter().cloned());
    let uri = format!("http://{}{}", sim.addr(), path);
    let sig = sign(
        &base_string(method, &uri, &params),
        "sim-consumer-secret",
        token.map(|(_, s)| s).unwrap_or(""),
    );
    oauth.push(("oauth_signature".to_string(), sig));
    format!(
        "OAuth {}",
        oauth
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", enc(v)))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn preauthorize(
    sim: &Simulator,
    c: &mut Client,
    ticket: &str,
    login_url: &str,
    nonce: &str,
) -> Response {
    let target = format!(
        "/oauth-service/oauth/preauthorized?ticket={ticket}&login-url={login_url}&accepts-mfa-tokens=true"
    );
    let query = vec![
        ("ticket".to_string(), ticket.to_string()),
        ("login-url".to_string(), login_url.to_string()),
        ("accepts-mfa-tokens".to_string(), "true".to_string()),
    ];
    let auth = oauth_header(
        sim,
        &ToSign {
            method: "GET",
            path: "/oauth-service/oauth/preauthorized",
            query: &query,
            form: &[],
        },
        None,
        sim.clock().now(),
        nonce,
    );
    c.request("GET", &target, &[("Authorization", &auth)], b"")
}

fn exchange(sim: &Simulator, c: &mut Client, oauth1: &[(String, String)], nonce: &str) -> Response {
    let get = |k: &str| oauth1.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mut form = Vec::new();
    if let Some(m) = get("mfa_token") {
        form.push(("mfa_token".to_string(), m));
    }
    let token = get("oauth_token").expect("oauth_token");
    let secret = get("oauth_token_secret").expect("secret");
    let auth = oauth_header(
        sim,
        &ToSign {
            method: "POST",
            path: "/oauth-service/oauth/exchange/user/2.0",
            query: &[],
            form: &form,
        },
        Some((&token, &secret)),
        sim.clock().now(),
        nonce,
    );
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form.iter())
        .finish();
    c.request(
        "POST",
        "/oauth-service/oauth/exchange/user/2.0",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        body.as_bytes(),
    )
}

fn parse_pairs(s: &str) -> Vec<(String, String)> {
    crate::http::parse_form(s.as_bytes())
}

#[test]
fn widget_sign_in_then_legacy_tokens_then_profile() {
    let sim = sim();
    let mut c = Client::new(&sim);
    let r = widget_signin(&mut c, "Runner@Example.com", "hunter22");
    assert_eq!(r.status, 200);
    assert_eq!(r.title(), "Success");
    let html = r.text();
    assert!(html.contains(
        r#"response_url                 	  = "https:\/\/sso.garmin.com\/sso\/embed?ticket=ST-"#
    ));
    assert!(r.set_cookie_names().contains(&"CASTGC".to_string()));
    let ticket = ticket_of(&html).expect("ticket");
    assert!(
        ticket.starts_with("ST-") && ticket.ends_with("-cas"),
        "{ticket}"
    );

    let consumer = c.get("/oauth_consumer.json").json();
    assert_eq!(consumer["consumer_key"], "sim-consumer-key");

    let r = preauthorize(&sim, &mut c, &ticket, EMBED, "nonce-1");
    assert_eq!(r.status, 200, "{}", r.text());
    let oauth1 = parse_pairs(&r.text());
    assert!(oauth1.iter().any(|(k, _)| k == "oauth_token_secret"));
    assert!(!oauth1.iter().any(|(k, _)| k == "mfa_token"));

    let r = exchange(&sim, &mut c, &oauth1, "nonce-2");
    assert_eq!(r.status, 200, "{}", r.text());
    let t = r.json();
    for k in [
        "scope",
        "jti",
        "access_token",
        "token_type",
        "refresh_token",
        "expires_in",
        "refresh_token_expires_in",
    ] {
        assert!(t.get(k).is_some(), "missing {k}");
    }
    let bearer = format!("Bearer {}", t["access_token"].as_str().expect("token"));
    let p = c.get_auth("/userprofile-service/socialProfile", &bearer);
    assert_eq!(p.status, 200);
    let p = p.json();
    assert_eq!(p["displayName"], "runner");
    assert!(p["profileId"].is_u64() && p["userName"].is_string() && p["fullName"].is_string());

    // Refresh = exchange again with the same OAuth1 token.
    let r = exchange(&sim, &mut c, &oauth1, "nonce-3");
    assert_eq!(r.status, 200);
    let s = sim.stats();
    assert_eq!(s.legacy_exchanges, 2);
    assert_eq!(s.legacy_refreshes, 1);
    assert_eq!(s.requests("sso_signin_post"), 1);
    // Everything went over one keep-alive connection.
    assert_eq!(c.connects, 1);
    assert_eq!(s.connections, 1);
}

#[test]
fn wrong_password_locked_and_child_pages() {
    let sim = sim();
    let mut c = Client::new(&sim);
    let r = widget_signin(&mut c, "runner@example.com", "nope");
    assert_eq!(r.status, 401);
    assert_eq!(r.title(), "GARMIN Authentication Application");
    assert!(r.text().contains("Invalid sign in."));
    let csrf = csrf_of(&r.text()).expect("fresh csrf after failure");
    let r = c.post_form(
        &format!("/sso/signin?{SIGNIN_Q}"),
        &[
            ("username", "runner@example.com"),
            ("password", "hunter22"),
            ("embed", "true"),
            ("_csrf", &csrf),
        ],
    );
    assert_eq!(r.title(), "Success");

    let mut c = Client::new(&sim);
    let r = widget_signin(&mut c, "locked@example.com", "pw");
    assert!(r.title().contains("Account Locked"));
    let mut c = Client::new(&sim);
    let r = widget_signin(&mut c, "kid@example.com", "pw");
    assert!(r.title().contains("Unable to sign in"));
}

#[test]
fn csrf_is_one_time_and_bound_to_session_and_cflb() {
    let sim = sim();
    let mut c = Client::new(&sim);
    let csrf = open_signin(&mut c);
    let post = |c: &mut Client, csrf: &str| {
        c.post_form(
            &format!("/sso/signin?{SIGNIN_Q}"),
            &[
                ("username", "runner@example.com"),
                ("password", "nope"),
                ("embed", "true"),
                ("_csrf", csrf),
            ],
        )
    };
    // Made up.
    assert_eq!(post(&mut c, "DEADBEEF").status, 403);
    // The real one was not consumed by the refused attempt? It was not: the
    // session's value is only consumed on a match.
    assert_eq!(post(&mut c, &csrf).status, 401);
    // Reused → refused, the page stamped on the simulator's clock like every other date it sends.
    sim.clock().set(1_900_000_000);
    let r = post(&mut c, &csrf);
    assert_eq!(r.status, 403);
    assert!(r.text().contains("Invalid CSRF Token"));
    assert!(
        r.text()
            .contains("<div id='created'>Sun, 17 Mar 2030 17:46:40 GMT</div>"),
        "{}",
        r.text()
    );

    // Another session's CSRF does not work in this one.
    let mut other = Client::new(&sim);
    let foreign = open_signin(&mut other);
    let _ = c.get(&format!("/sso/signin?{SIGNIN_Q}"));
    assert_eq!(post(&mut c, &foreign).status, 403);

    // Without the __cflb cookie from /sso/embed the session is unknown.
    let mut d = Client::new(&sim);
    let csrf = open_signin(&mut d);
    d.drop_cookie("__cflb");
    let r = post(&mut d, &csrf);
    assert_eq!(r.status, 403);
    assert!(r.text().contains("session was not found"));
}

#[test]
fn widget_mfa_wrong_then_right_code() {
    let sim = sim();
    let mut c = Client::new(&sim);
    let r = widget_signin(&mut c, "mfa@example.com", "pw-mfa");
    assert_eq!(r.status, 302);
    let loc = r.header("location").expect("location").to_string();
    assert!(
        loc.contains("/sso/verifyMFA/loginEnterMfaCode?id=gauth-widget"),
        "{loc}"
    );
    let page = c.get(&path_of(&loc));
    assert_eq!(page.title(), "Enter MFA code for login");
    let html = page.text();
    assert!(html.contains(r#"name="_csrf"            value=""#));
    assert_eq!(js_var(&html, "mfaMethod").as_deref(), Some("email"));
    assert_eq!(
        js_var(&html, "codeSentTo").as_deref(),
        Some("mf*****@example.com")
    );
    assert!(js_var(&html, "customerGuid").is_some_and(|g| g.len() == 36));
    let csrf = csrf_of(&html).expect("csrf");
    let mfa_post = format!("/sso/verifyMFA/loginEnterMfaCode?{SIGNIN_Q}");
    let r = c.post_form(
        &mfa_post,
        &[
            ("mfa-code", "000000"),
            ("embed", "true"),
            ("_csrf", &csrf),
            ("fromPage", "setupEnterMfaCode"),
        ],
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.title(), "Enter MFA code for login");
    assert!(r.text().contains("Invalid code"));
    let csrf2 = csrf_of(&r.text()).expect("fresh csrf");
    assert_ne!(csrf, csrf2);
    let r = c.post_form(
        &mfa_post,
        &[
            ("mfa-code", "123456"),
            ("embed", "true"),
            ("_csrf", &csrf2),
            ("fromPage", "setupEnterMfaCode"),
        ],
    );
    assert_eq!(r.status, 302);
    let loc = r.header("location").expect("location").to_string();
    assert!(loc.contains("/sso/login?logintoken="), "{loc}");
    let r = c.get(&path_of(&loc));
    assert_eq!(r.title(), "Success");
    let ticket = ticket_of(&r.text()).expect("ticket");
    // The login token is one-time.
    assert_ne!(c.get(&path_of(&loc)).title(), "Success");
    let r = preauthorize(&sim, &mut c, &ticket, EMBED, "n-mfa");
    let oauth1 = parse_pairs(&r.text());
    let ts = oauth1
        .iter()
        .find(|(k, _)| k == "mfa_expiration_timestamp")
        .map(|(_, v)| v.clone())
        .expect("mfa expiry");
    assert_eq!(ts.len(), "2024-08-03 23:53:05.000".len());
    assert!(r.text().contains("&mfa_token=MFA-"));
    // The exchange insists on the mfa_token.
    let without: Vec<(String, String)> = oauth1
        .iter()
        .filter(|(k, _)| k != "mfa_token")
        .cloned()
        .collect();
    assert_eq!(exchange(&sim, &mut c, &without, "x1").status, 401);
    assert_eq!(exchange(&sim, &mut c, &oauth1, "x2").status, 200);
}

#[test]
fn widget_mfa_challenge_ends_after_max_attempts() {
    let sim = Simulator::builder()
        .account(Account::new("t@example.com", "pw").with_mfa("111111", MfaMethod::Totp))
        .mfa_max_attempts(2)
        .start()
        .expect("start");
    let mut c = Client::new(&sim);
    let r = widget_signin(&mut c, "t@example.com", "pw");
    let page = c.get(&path_of(r.header("location").expect("location")));
    assert_eq!(js_var(&page.text(), "mfaMethod").as_deref(), Some("totp"));
    let mut csrf = csrf_of(&page.text()).expect("csrf");
    let mfa_post = format!("/sso/verifyMFA/loginEnterMfaCode?{SIGNIN_Q}");
    let r = c.post_form(
        &mfa_post,
        &[
            ("mfa-code", "1"),
            ("embed", "true"),
            ("_csrf", &csrf),
            ("fromPage", "setupEnterMfaCode"),
        ],
    );
    assert_eq!(r.title(), "Enter MFA code for login");
    csrf = csrf_of(&r.text()).expect("csrf");
    let r = c.post_form(
        &mfa_post,
        &[
            ("mfa-code", "2"),
            ("embed", "true"),
            ("_csrf", &csrf),
            ("fromPage", "setupEnterMfaCode"),
        ],
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.title(), "GARMIN Authentication Application");
    assert!(r.text().contains("Maximum number of logins exceeded"));
    // The challenge is gone: even the right code only leads back to sign-in.
    let r = c.post_form(
        &mfa_post,
        &[
            ("mfa-code", "111111"),
            ("embed", "true"),
            ("_csrf", &csrf),
            ("fromPage", "setupEnterMfaCode"),
        ],
    );
    assert_eq!(r.status, 302);
    assert!(r
        .header("location")
        .expect("location")
        .contains("/sso/signin?"));
}

#[test]
fn code_not_sent_until_requested() {
    let sim = sim();
    let mut c = Client::new(&sim);
    let r = widget_signin(&mut c, "sms@example.com", "pw-sms");
    let page = c.get(&path_of(r.header("location").expect("location")));
    let html = page.text();
    assert_eq!(js_var(&html, "mfaMethod").as_deref(), Some("sms"));
    assert_eq!(js_var(&html, "codeSentTo").as_deref(), Some(""));
    let guid = js_var(&html, "customerGuid").expect("guid");
    let mfa_post = format!("/sso/verifyMFA/loginEnterMfaCode?{SIGNIN_Q}");
    // The right code is refused before it was requested.
    let csrf = csrf_of(&html).expect("csrf");
    let r = c.post_form(
        &mfa_post,
        &[
            ("mfa-code", "654321"),
            ("embed", "true"),
            ("_csrf", &csrf),
            ("fromPage", "setupEnterMfaCode"),
        ],
    );
    assert_eq!(r.status, 200);
    assert!(r.text().contains("Invalid code"));
    let csrf = csrf_of(&r.text()).expect("csrf");
    // Wrong GUID is refused; the right request is recorded.
    let bad = c.post_json(
        "/sso/verifyMFA/mfaCode?clientId=",
        &serde_json::json!({"customerGuid": "x", "mfaMethod": "sms", "locale": ""}),
    );
    assert_eq!(bad.status, 400);
    let ok = c.post_json(
        "/sso/verifyMFA/mfaCode?clientId=",
        &serde_json::json!({"customerGuid": guid, "mfaMethod": "sms", "locale": ""}),
    );
    assert_eq!(ok.status, 200);
    assert_eq!(sim.stats().mfa_code_requests, 1);
    let r = c.post_form(
        &mfa_post,
        &[
            ("mfa-code", "654321"),
            ("embed", "true"),
            ("_csrf", &csrf),
            ("fromPage", "setupEnterMfaCode"),
        ],
    );
    assert_eq!(r.status, 302);
}

#[test]
fn tickets_are_one_time_bound_to_service_and_expire() {
    let sim = sim();
    let mut c = Client::new(&sim);
    let t1 =
        ticket_of(&widget_signin(&mut c, "runner@example.com", "hunter22").text()).expect("ticket");
    assert_eq!(preauthorize(&sim, &mut c, &t1, EMBED, "a").status, 200);
    let r = preauthorize(&sim, &mut c, &t1, EMBED, "b");
    assert_eq!(r.status, 401);
    assert!(r.text().contains("permission_denied"));

    let mut c = Client::new(&sim);
    let t2 =
        ticket_of(&widget_signin(&mut c, "runner@example.com", "hunter22").text()).expect("ticket");
    assert_eq!(
        preauthorize(&sim, &mut c, &t2, MOBILE_SERVICE, "c").status,
        401
    );

    let mut c = Client::new(&sim);
    let t3 =
        ticket_of(&widget_signin(&mut c, "runner@example.com", "hunter22").text()).expect("ticket");
    sim.clock().advance(301);
    assert_eq!(preauthorize(&sim, &mut c, &t3, EMBED, "d").status, 401);
}

#[test]
fn oauth1_refuses_stale_timestamp_replay_and_bad_signature() {
    let sim = sim();
    let mut c = Client::new(&sim);
    let ticket =
        ticket_of(&widget_signin(&mut c, "runner@example.com", "hunter22").text()).expect("ticket");
    let query = vec![
        ("ticket".to_string(), ticket.clone()),
        ("login-url".to_string(), EMBED.to_string()),
        ("accepts-mfa-tokens".to_string(), "true".to_string()),
    ];
    let target = format!("/oauth-service/oauth/preauthorized?ticket={ticket}&login-url={EMBED}&accepts-mfa-tokens=true");
    let now = sim.clock().now();
    let pre = ToSign {
        method: "GET",
        path: "/oauth-service/oauth/preauthorized",
        query: &query,
        form: &[],
    };
    let stale = oauth_header(&sim, &pre, None, now - 1000, "s1");
    let r = c.request("GET", &target, &[("Authorization", &stale)], b"");
    assert_eq!(
        (r.status, r.text().as_str()),
        (401, "oauth_problem=timestamp_refused")
    );
    let bad = oauth_header(&sim, &pre, None, now, "s2")
        .replace("oauth_signature=\"", "oauth_signature=\"X");
    let r = c.request("GET", &target, &[("Authorization", &bad)], b"");
    assert_eq!(r.text(), "oauth_problem=signature_invalid");
    let r = c.request("GET", &target, &[], b"");
    assert_eq!(r.text(), "oauth_problem=parameter_absent");
    // Refusals did not consume the ticket; a good request works once...
    let good = oauth_header(&sim, &pre, None, now, "s3");
    let r = c.request("GET", &target, &[("Authorization", &good)], b"");
    assert_eq!(r.status, 200, "{}", r.text());
    // ...and its replay is refused for the nonce (before the ticket is looked at).
    let r = c.request("GET", &target, &[("Authorization", &good)], b"");
    assert_eq!(r.text(), "oauth_problem=nonce_used");
    // Unknown consumer key.
    let wrong = good.replace("sim-consumer-key", "other-key");
    let r = c.request("GET", &target, &[("Authorization", &wrong)], b"");
    assert_eq!(r.text(), "oauth_problem=consumer_key_unknown");
}

#[test]
fn mobile_json_flow_with_mfa_and_failures() {
    let sim = sim();
    let mut c = Client::new(&sim);
    let page = c.get("/mobile/sso/en/sign-in?clientId=GCM_ANDROID_DARK");
    assert_eq!(page.title(), "Garmin SSO Portal");
    assert!(c.has_cookie("SESSION") && c.has_cookie("__cflb"));
    let login = format!("/mobile/api/login?{MOBILE_Q}");
    let bad = c.post_json(&login, &serde_json::json!({"username": "mfa@example.com", "password": "x", "rememberMe": false, "captchaToken": ""}));
    assert_eq!(bad.status, 401);
    assert_eq!(
        bad.json()["responseStatus"]["type"],
        "INVALID_USERNAME_PASSWORD"
    );
    assert_eq!(bad.json()["responseStatus"]["httpStatus"], "UNAUTHORIZED");
    let r = c.post_json(&login, &serde_json::json!({"username": "mfa@example.com", "password": "pw-mfa", "rememberMe": false, "captchaToken": ""}));
    assert_eq!(r.status, 200);
    let j = r.json();
    assert_eq!(j["responseStatus"]["type"], "MFA_REQUIRED");
    assert_eq!(j["customerMfaInfo"]["mfaLastMethodUsed"], "email");
    assert!(j["serviceTicketId"].is_null());
    let verify = format!("/mobile/api/mfa/verifyCode?{MOBILE_Q}");
    let body = |code: &str| serde_json::json!({"mfaMethod": "email", "mfaVerificationCode": code, "rememberMyBrowser": false, "reconsentList": [], "mfaSetup": false});
    let r = c.post_json(&verify, &body("999999"));
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["responseStatus"]["type"], "INVALID_MFA_CODE");
    let r = c.post_json(&verify, &body("123456"));
    assert_eq!(r.status, 200);
    let j = r.json();
    assert_eq!(j["responseStatus"]["type"], "SUCCESSFUL");
    assert_eq!(j["serviceURL"], MOBILE_SERVICE);
    let ticket = j["serviceTicketId"].as_str().expect("ticket").to_string();
    assert!(ticket.ends_with("-sso"));
    // The challenge is closed now.
    assert_eq!(c.post_json(&verify, &body("123456")).status, 401);
    assert_eq!(c.get("/portal/sso/embed").status, 200);
    let r = preauthorize(&sim, &mut c, &ticket, MOBILE_SERVICE, "m1");
    assert_eq!(r.status, 200);

    // Faults: captcha, 429 in the body, then a normal answer.
    sim.inject(Target::MobileLogin, Fault::Captcha, Times::Once);
    sim.inject(Target::PortalLogin, Fault::RateLimitInBody, Times::Once);
    let creds = serde_json::json!({"username": "runner@example.com", "password": "hunter22", "rememberMe": false, "captchaToken": ""});
    assert_eq!(
        c.post_json(&login, &creds).json()["responseStatus"]["type"],
        "CAPTCHA_REQUIRED"
    );
    let portal = "/portal/api/login?clientId=GarminConnect&locale=en-US&service=https%3A%2F%2Fconnect.garmin.com%2Fapp";
    assert_eq!(
        c.post_json(portal, &creds).json()["error"]["status-code"],
        "429"
    );
    let j = c.post_json(portal, &creds).json();
    assert_eq!(j["responseStatus"]["type"], "SUCCESSFUL");
    assert_eq!(j["serviceURL"], "https://connect.garmin.com/app");
    let j = c.post_json(&login, &creds).json();
    assert_eq!(j["responseStatus"]["type"], "SUCCESSFUL");
}

fn basic(id: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:"))
    )
}

fn mobile_ticket(c: &mut Client, user: &str, pw: &str) -> String {
    // The sign-in page first: a cold credential POST gets 429.
    assert_eq!(
        c.get("/mobile/sso/en/sign-in?clientId=GCM_ANDROID_DARK")
            .status,
        200
    );
    let r = c.post_json(
        &format!("/mobile/api/login?{MOBILE_Q}"),
        &serde_json::json!({"username": user, "password": pw, "rememberMe": false, "captchaToken": ""}),
    );
    r.json()["serviceTicketId"]
        .as_str()
        .expect("ticket")
        .to_string()
}

fn di_post(c: &mut Client, id: &str, fields: &[(&str, &str)]) -> Response {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    c.request(
        "POST",
        "/di-oauth2-service/oauth/token",
        &[
            ("Authorization", &basic(id)),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        body.as_bytes(),
    )
}

const GRANT: &str = "https://connectapi.garmin.com/di-oauth2-service/oauth/grant/service_ticket";

#[test]
fn di_client_fallback_refresh_rotation_and_it_token() {
    let sim = Simulator::builder()
        .account(Account::new("runner@example.com", "hunter22"))
        .di_client_ids(&["GARMIN_CONNECT_MOBILE_IOS_DI"])
        .start()
        .expect("start");
    let mut c = Client::new(&sim);
    let ticket = mobile_ticket(&mut c, "runner@example.com", "hunter22");
    let refused = di_post(
        &mut c,
        "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2",
        &[
            ("client_id", "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2"),
            ("service_ticket", &ticket),
            ("grant_type", GRANT),
            ("service_url", MOBILE_SERVICE),
        ],
    );
    assert_eq!(refused.status, 401);
    assert_eq!(refused.json()["error"], "invalid_client");
    // Basic auth must match the form's client id.
    let mismatch = di_post(
        &mut c,
        "GARMIN_CONNECT_MOBILE_IOS_DI",
        &[
            ("client_id", "OTHER"),
            ("service_ticket", &ticket),
            ("grant_type", GRANT),
            ("service_url", MOBILE_SERVICE),
        ],
    );
    assert_eq!(mismatch.status, 401);
    let ok = di_post(
        &mut c,
        "GARMIN_CONNECT_MOBILE_IOS_DI",
        &[
            ("client_id", "GARMIN_CONNECT_MOBILE_IOS_DI"),
            ("service_ticket", &ticket),
            ("grant_type", GRANT),
            ("service_url", MOBILE_SERVICE),
        ],
    );
    assert_eq!(ok.status, 200, "{}", ok.text());
    let t = ok.json();
    let access = t["access_token"].as_str().expect("access").to_string();
    let claims = crate::jwt::payload(&access).expect("JWT payload");
    assert_eq!(claims["client_id"], "GARMIN_CONNECT_MOBILE_IOS_DI");
    assert!(claims["exp"].as_i64().expect("exp") > claims["iat"].as_i64().expect("iat"));
    assert!(claims["sub"].is_string());
    // The ticket was consumed.
    let again = di_post(
        &mut c,
        "GARMIN_CONNECT_MOBILE_IOS_DI",
        &[
            ("client_id", "GARMIN_CONNECT_MOBILE_IOS_DI"),
            ("service_ticket", &ticket),
            ("grant_type", GRANT),
            ("service_url", MOBILE_SERVICE),
        ],
    );
    assert_eq!(again.json()["error"], "invalid_grant");

    let rt1 = t["refresh_token"].as_str().expect("refresh").to_string();
    let r = di_post(
        &mut c,
        "GARMIN_CONNECT_MOBILE_IOS_DI",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "GARMIN_CONNECT_MOBILE_IOS_DI"),
            ("refresh_token", &rt1),
        ],
    );
    assert_eq!(r.status, 200);
    let rt2 = r.json()["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_string();
    assert_ne!(rt1, rt2);
    let reuse = di_post(
        &mut c,
        "GARMIN_CONNECT_MOBILE_IOS_DI",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "GARMIN_CONNECT_MOBILE_IOS_DI"),
            ("refresh_token", &rt1),
        ],
    );
    assert_eq!(reuse.status, 400);
    assert_eq!(reuse.json()["error"], "invalid_grant");
    assert_eq!(sim.stats().di_refreshes, 1);
    assert_eq!(sim.stats().di_token_grants, 1);

    // DI access token works on the API; IT exchange works; IT token does not.
    let new_access = r.json()["access_token"]
        .as_str()
        .expect("access")
        .to_string();
    assert_eq!(
        c.get_auth(
            "/userprofile-service/socialProfile",
            &format!("Bearer {new_access}")
        )
        .status,
        200
    );
    let it = c.post_form(
        "/api/oauth/token?grant_type=connect2_exchange",
        &[
            ("client_id", "GARMIN_CONNECT_MOBILE_ANDROID_2025Q2"),
            ("connect_access_token", &new_access),
        ],
    );
    assert_eq!(it.status, 200, "{}", it.text());
    let it_access = it.json()["access_token"].as_str().expect("it").to_string();
    assert_eq!(
        c.get_auth(
            "/userprofile-service/socialProfile",
            &format!("Bearer {it_access}")
        )
        .status,
        401
    );

    // Expiry on the sim clock.
    sim.clock().advance(86_401);
    assert_eq!(
        c.get_auth(
            "/userprofile-service/socialProfile",
            &format!("Bearer {new_access}")
        )
        .status,
        401
    );
}

fn multipart_body(boundary: &str, name: &str, data: &[u8]) -> Vec<u8> {
    let mut b = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    b.extend_from_slice(data);
    b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    b
}

#[test]
fn upload_duplicate_download_and_workouts() {
    let sim = sim();
    let mut c = Client::new(&sim);
    let ticket = mobile_ticket(&mut c, "runner@example.com", "hunter22");
    let tok = di_post(
        &mut c,
        "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2",
        &[
            ("client_id", "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2"),
            ("service_ticket", &ticket),
            ("grant_type", GRANT),
            ("service_url", MOBILE_SERVICE),
        ],
    )
    .json();
    let bearer = format!("Bearer {}", tok["access_token"].as_str().expect("access"));
    let fit = b"\x0e\x10yR\x99\x14\x00\x00.FIT\xc9\xe5\r\n--not-a-boundary".to_vec();
    let body = multipart_body(
        "2a9e7fb7016587253c4fb05fa0ad36d9",
        "12129115726_ACTIVITY.fit",
        &fit,
    );
    let ct = "multipart/form-data; boundary=2a9e7fb7016587253c4fb05fa0ad36d9";
    assert_eq!(
        c.request(
            "POST",
            "/upload-service/upload",
            &[("Content-Type", ct)],
            &body
        )
        .status,
        401
    );
    let r = c.request(
        "POST",
        "/upload-service/upload",
        &[("Authorization", &bearer), ("Content-Type", ct)],
        &body,
    );
    assert_eq!(r.status, 202, "{}", r.text());
    assert!(r
        .header("location")
        .is_some_and(|l| l.contains("/activity-service/activity/status/")));
    let d = &r.json()["detailedImportResult"];
    assert_eq!(d["fileName"], "12129115726_ACTIVITY.fit");
    assert_eq!(d["fileSize"].as_u64(), Some(fit.len() as u64));
    assert!(d["uploadUuid"]["uuid"].is_string());
    let activity = d["successes"][0]["internalId"]
        .as_u64()
        .expect("internalId");
    assert!(d["failures"].as_array().is_some_and(Vec::is_empty));
    // The same bytes again, chunked this time, on QDomyos' path.
    let r = c.request(
        "POST",
        "/upload-service/upload/.fit",
        &[
            ("Authorization", &bearer),
            ("Content-Type", ct),
            ("Transfer-Encoding", "chunked"),
        ],
        &body,
    );
    assert_eq!(r.status, 409);
    let d = &r.json()["detailedImportResult"];
    assert_eq!(d["failures"][0]["internalId"].as_u64(), Some(activity));
    assert_eq!(d["failures"][0]["messages"][0]["code"], 202);
    assert_eq!(
        d["failures"][0]["messages"][0]["content"],
        "Duplicate Activity."
    );
    let uploads = sim.uploads();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].bytes, fit);
    assert_eq!(sim.stats().uploads, 1);
    assert_eq!(sim.stats().duplicate_uploads, 1);

    let z = c.get_auth(
        &format!("/download-service/files/activity/{activity}"),
        &bearer,
    );
    assert_eq!(z.status, 200);
    assert_eq!(
        z.header("content-type"),
        Some("application/x-zip-compressed")
    );
    assert!(z.body.windows(fit.len()).any(|w| w == fit.as_slice()));
    assert_eq!(
        c.get_auth("/download-service/files/activity/1", &bearer)
            .status,
        404
    );

    let now = sim.clock().now();
    let date = crate::timefmt::date(now);
    let (y, m) = (&date[0..4], date[5..7].parse::<u32>().expect("month") - 1);
    let cal = c
        .get_auth(&format!("/calendar-service/year/{y}/month/{m}"), &bearer)
        .json();
    let item = &cal["calendarItems"][0];
    assert_eq!(item["date"], date.as_str());
    let w = c.get_auth(
        &format!("/workout-service/workout/{}", item["workoutId"]),
        &bearer,
    );
    assert_eq!(w.status, 200);
    assert_eq!(w.json()["workoutName"], "Sim Tempo Run");
}

#[test]
fn faults_rate_limit_cloudflare_malformed_and_clear() {
    let sim = sim();
    let mut c = Client::new(&sim);
    sim.inject(
        Target::WidgetLogin,
        Fault::RateLimit {
            retry_after: Some(30),
        },
        Times::Once,
    );
    let r = widget_signin(&mut c, "runner@example.com", "hunter22");
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("30"));
    assert_eq!(r.text(), "error code: 1015");

    sim.inject(Target::WidgetPage, Fault::Malformed, Times::N(1));
    let _ = c.get(&format!("/sso/embed?{EMBED_Q}"));
    assert!(csrf_of(&c.get(&format!("/sso/signin?{SIGNIN_Q}")).text()).is_some());
    sim.inject(Target::WidgetPage, Fault::Malformed, Times::Once);
    let page = c.get(&format!("/sso/signin?{SIGNIN_Q}"));
    assert_eq!(page.title(), "GARMIN Authentication Application");
    assert!(csrf_of(&page.text()).is_none());

    sim.inject(Target::WidgetLogin, Fault::Malformed, Times::Once);
    let r = widget_signin(&mut c, "runner@example.com", "hunter22");
    assert_eq!(r.title(), "Success");
    assert!(ticket_of(&r.text()).is_none());

    sim.inject(Target::Any, Fault::CloudflareChallenge, Times::Always);
    for _ in 0..2 {
        let r = c.get("/oauth_consumer.json");
        assert_eq!(r.status, 403);
        assert_eq!(r.title(), "Just a moment...");
        assert_eq!(r.header("cf-mitigated"), Some("challenge"));
    }
    sim.clear_faults();
    assert_eq!(c.get("/oauth_consumer.json").status, 200);

    sim.inject(Target::DiToken, Fault::ServerError(502), Times::N(2));
    for _ in 0..2 {
        let r = di_post(&mut c, "GARMIN_CONNECT_MOBILE_IOS_DI", &[]);
        assert_eq!(r.status, 502);
        assert!(r.title().contains("502: Bad gateway"));
    }
    assert_eq!(
        di_post(&mut c, "GARMIN_CONNECT_MOBILE_IOS_DI", &[]).status,
        400
    );
    assert!(sim.stats().faults_injected >= 7);
}

#[test]
fn admin_api_faults_clock_stats_and_requests() {
    let sim = sim();
    let mut admin = Client::new(&sim);
    let mut c = Client::new(&sim);
    let r = admin.request(
        "POST",
        "/__sim/fault?target=preauthorized&kind=429&retry_after=7&times=2",
        &[],
        b"",
    );
    assert_eq!(r.status, 200);
    for _ in 0..2 {
        let r = preauthorize(&sim, &mut c, "ST-1-x-cas", EMBED, &crate::random::alnum(8));
        assert_eq!((r.status, r.header("retry-after")), (429, Some("7")));
    }
    assert_eq!(
        preauthorize(&sim, &mut c, "ST-1-x-cas", EMBED, "zz").status,
        401
    );
    assert_eq!(
        admin
            .request("POST", "/__sim/fault?target=nope&kind=429", &[], b"")
            .status,
        400
    );
    assert_eq!(
        admin
            .request(
                "POST",
                "/__sim/fault?target=api&kind=delay&ms=1&times=always",
                &[],
                b""
            )
            .status,
        200
    );
    assert_eq!(admin.request("POST", "/__sim/clear", &[], b"").status, 200);

    let before = sim.clock().now();
    let r = admin.request("POST", "/__sim/clock/advance?secs=3600", &[], b"");
    assert!(r.json()["now"].as_i64().expect("now") >= before + 3600);

    let _ = c.get("/nowhere");
    let stats = admin.get("/__sim/stats").json();
    assert_eq!(stats["requests"]["preauthorized"], 3);
    assert_eq!(stats["requests"]["not_found"], 1);
    assert_eq!(stats["connections"], 1);
    let log = admin.get("/__sim/requests").json();
    let log = log.as_array().expect("array");
    assert_eq!(log.len(), 4);
    assert!(log
        .iter()
        .all(|r| !r["path"].as_str().unwrap_or("").starts_with("/__sim")));
    // The Rust-side log agrees and shows the headers sent.
    let reqs = sim.requests();
    assert!(reqs[0]
        .header("authorization")
        .is_some_and(|a| a.starts_with("OAuth ")));
    assert!(reqs.iter().all(|r| r.header("cookie").is_none()));
}

#[test]
fn webview_form_signs_in_and_redirects_to_service_with_ticket() {
    let sim = sim();
    let mut c = Client::new(&sim);
    let url = format!(
        "/mobile/sso/en_US/sign-in?clientId=GCM_ANDROID_DARK&service={}",
        crate::http::qenc(MOBILE_SERVICE)
    );
    let page = c.get(&url);
    assert!(page
        .text()
        .contains("<form id=\"sim-login-form\" method=\"post\""));
    let r = c.post_form(
        &url,
        &[("username", "mfa@example.com"), ("password", "pw-mfa")],
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.title(), "Enter MFA code for login");
    let r = c.post_form(&url, &[("mfa-code", "123456")]);
    assert_eq!(r.status, 302);
    let loc = r.header("location").expect("location");
    assert!(
        loc.starts_with("https://mobile.integration.garmin.com/gcm/android?ticket=ST-"),
        "{loc}"
    );
}

#[test]
fn expire_tokens_and_shutdown_joins() {
    let sim = sim();
    let mut c = Client::new(&sim);
    let ticket = mobile_ticket(&mut c, "runner@example.com", "hunter22");
    let r = preauthorize(&sim, &mut c, &ticket, MOBILE_SERVICE, "e1");
    let oauth1 = parse_pairs(&r.text());
    let t = exchange(&sim, &mut c, &oauth1, "e2").json();
    let bearer = format!("Bearer {}", t["access_token"].as_str().expect("token"));
    assert_eq!(
        c.get_auth("/userprofile-service/socialProfile", &bearer)
            .status,
        200
    );
    sim.expire_access_tokens();
    let r = c.get_auth("/userprofile-service/socialProfile", &bearer);
    assert_eq!(r.status, 401);
    assert_eq!(exchange(&sim, &mut c, &oauth1, "e3").status, 200);
    sim.expire_refresh_tokens();
    assert_eq!(exchange(&sim, &mut c, &oauth1, "e4").status, 401);
    let addr = sim.addr();
    sim.shutdown();
    // Start/stop cycles do not leak or hang.
    for _ in 0..5 {
        let s = Simulator::builder().start().expect("start");
        drop(s);
    }
    let _ = addr;
}

#[test]
fn randomized_markup_still_carries_csrf() {
    let sim = Simulator::builder()
        .account(Account::new("a@example.com", "pw"))
        .randomize_markup(true)
        .secure_cookies(true)
        .start()
        .expect("start");
    let mut c = Client::new(&sim);
    let _ = c.get(&format!("/sso/embed?{EMBED_Q}"));
    let r = c.get(&format!("/sso/signin?{SIGNIN_Q}"));
    assert!(r.text().contains("_csrf"));
    assert!(r
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .all(|(_, v)| v.ends_with("; Secure")));
}

// ---- The rules Garmin enforces: each one refuses a client that skips the step, and the client
// that takes it passes. ----

const IOS_Q: &str =
    "clientId=GCM_IOS_DARK&locale=en-US&service=https%3A%2F%2Fmobile.integration.garmin.com%2Fgcm%2Fios";

fn creds(user: &str, pw: &str) -> Value {
    serde_json::json!({"username": user, "password": pw, "rememberMe": false, "captchaToken": ""})
}

#[test]
fn a_cold_json_login_post_gets_429_and_one_after_the_page_passes() {
    let sim = sim();
    let mut cold = Client::new(&sim);
    let login = format!("/mobile/api/login?{MOBILE_Q}");
    let r = cold.post_json(&login, &creds("runner@example.com", "hunter22"));
    assert_eq!(r.status, 429);
    assert_eq!(r.text(), "error code: 1015");
    let portal = "/portal/api/login?clientId=GarminConnect&locale=en-US&service=https%3A%2F%2Fconnect.garmin.com%2Fapp";
    assert_eq!(
        cold.post_json(portal, &creds("runner@example.com", "hunter22"))
            .status,
        429
    );
    assert_eq!(sim.stats().tickets_issued, 0);

    let mut warm = Client::new(&sim);
    assert_eq!(
        warm.get("/mobile/sso/en/sign-in?clientId=GCM_ANDROID_DARK")
            .status,
        200
    );
    let r = warm.post_json(&login, &creds("runner@example.com", "hunter22"));
    assert_eq!(r.json()["responseStatus"]["type"], "SUCCESSFUL");
}

#[test]
fn a_cold_web_view_form_post_gets_429() {
    let sim = sim();
    let target = format!(
        "/mobile/sso/en_US/sign-in?clientId=GCM_ANDROID_DARK&service={}",
        enc(MOBILE_SERVICE)
    );
    let mut cold = Client::new(&sim);
    let r = cold.post_form(
        &target,
        &[("username", "runner@example.com"), ("password", "hunter22")],
    );
    assert_eq!(r.status, 429);
    let mut browser = Client::new(&sim);
    assert_eq!(browser.get(&target).status, 200);
    let r = browser.post_form(
        &target,
        &[("username", "runner@example.com"), ("password", "hunter22")],
    );
    assert_eq!(r.status, 302);
    assert!(r
        .header("location")
        .is_some_and(|l| l.starts_with(MOBILE_SERVICE)));
}

#[test]
fn only_garmins_client_ids_are_accepted() {
    let sim = sim();
    let mut c = Client::new(&sim);
    for page in [
        "/mobile/sso/en/sign-in?clientId=NOPE",
        "/mobile/sso/en/sign-in",
        "/portal/sso/en-US/sign-in?clientId=GCM_ANDROID_DARK&service=https%3A%2F%2Fconnect.garmin.com%2Fapp",
    ] {
        assert_eq!(c.get(page).status, 400, "{page}");
    }
    assert_eq!(
        c.get("/mobile/sso/en/sign-in?clientId=GCM_IOS_DARK").status,
        200
    );
    let nope = "/mobile/api/login?clientId=NOPE&locale=en-US&service=https%3A%2F%2Fmobile.integration.garmin.com%2Fgcm%2Fandroid";
    let r = c.post_json(nope, &creds("runner@example.com", "hunter22"));
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["responseStatus"]["type"], "INVALID_CLIENT");
    let r = c.post_json(
        &format!("/mobile/api/login?{IOS_Q}"),
        &creds("runner@example.com", "hunter22"),
    );
    assert_eq!(r.json()["responseStatus"]["type"], "SUCCESSFUL");
    assert_eq!(
        sim.stats().tickets_issued,
        1,
        "only the Garmin id got a ticket"
    );
}

#[test]
fn only_garmin_owned_service_urls_get_tickets() {
    let sim = sim();
    let mut c = Client::new(&sim);
    assert_eq!(
        c.get("/mobile/sso/en/sign-in?clientId=GCM_ANDROID_DARK")
            .status,
        200
    );
    for evil in [
        "https://evil.example/x",
        "http://mobile.integration.garmin.com/gcm/android",
        "https://garmin.com.evil.example/x",
        "https://sso.garmin.com@evil.example/x",
        "https://mobile.integration.garmin.com:8443/gcm/android",
    ] {
        let q = format!(
            "/mobile/api/login?clientId=GCM_ANDROID_DARK&locale=en-US&service={}",
            enc(evil)
        );
        let r = c.post_json(&q, &creds("runner@example.com", "hunter22"));
        assert_eq!(r.status, 400, "{evil}");
        let page = format!(
            "/sso/signin?id=gauth-widget&embedWidget=true&service={}",
            enc(evil)
        );
        assert_eq!(c.get(&page).status, 400, "{evil}");
    }
    assert_eq!(sim.stats().tickets_issued, 0);
    // diauth refuses a foreign service_url outright (before looking at the ticket).
    let r = di_post(
        &mut c,
        "GARMIN_CONNECT_MOBILE_ANDROID_DI",
        &[
            ("client_id", "GARMIN_CONNECT_MOBILE_ANDROID_DI"),
            ("service_ticket", "ST-0000000-aaaaaaaaaaaaaaaaaaaa-sso"),
            ("grant_type", GRANT),
            ("service_url", "https://evil.example/x"),
        ],
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_request");
    // The widget's own-origin service (the simulator standing in for sso.garmin.com) passes.
    let own = format!(
        "/sso/signin?id=gauth-widget&embedWidget=true&service={}",
        enc(&format!("{}/sso/embed", sim.base_url()))
    );
    assert_eq!(c.get(&own).status, 200);
}

#[test]
fn rate_limits_are_keyed_on_client_id_and_account() {
    let sim = sim();
    assert!(sim.rate_limit("GCM_ANDROID_DARK", "runner@example.com"));
    assert!(!sim.rate_limit("GCM_ANDROID_DARK", "nobody@example.com"));
    let mut c = Client::new(&sim);
    c.get("/mobile/sso/en/sign-in?clientId=GCM_ANDROID_DARK");
    let android = format!("/mobile/api/login?{MOBILE_Q}");
    let r = c.post_json(&android, &creds("runner@example.com", "hunter22"));
    assert_eq!(r.status, 429, "the limited bucket");
    assert_eq!(r.text(), "error code: 1015");
    // Same client id, another account: its own bucket.
    let r = c.post_json(&android, &creds("locked@example.com", "pw"));
    assert_eq!(r.json()["responseStatus"]["type"], "ACCOUNT_LOCKED");
    // Same account, another client id: signs in.
    let r = c.post_json(
        &format!("/mobile/api/login?{IOS_Q}"),
        &creds("runner@example.com", "hunter22"),
    );
    assert_eq!(r.json()["responseStatus"]["type"], "SUCCESSFUL");

    // The widget has its own bucket.
    sim.rate_limit("gauth-widget", "runner@example.com");
    let csrf = open_signin(&mut c);
    let r = c.post_form(
        &format!("/sso/signin?{SIGNIN_Q}"),
        &[
            ("username", "runner@example.com"),
            ("password", "hunter22"),
            ("embed", "true"),
            ("_csrf", &csrf),
        ],
    );
    assert_eq!(r.status, 429);
    sim.clear_rate_limits();
    let r = c.post_json(&android, &creds("runner@example.com", "hunter22"));
    assert_eq!(r.json()["responseStatus"]["type"], "SUCCESSFUL");
}

#[test]
fn an_h2c_upgrade_offer_is_answered_over_http1_at_once() {
    let sim = sim();
    let mut s = TcpStream::connect(sim.addr()).expect("connect");
    // A guard against the old hang (the worker read the upgraded socket to its end); the answer
    // comes at once, so this never decides the test.
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        s,
        "GET /mobile/sso/en/sign-in?clientId=GCM_ANDROID_DARK HTTP/1.1\r\nHost: {}\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n",
        sim.addr()
    )
    .expect("write");
    let mut conn = BufReader::new(s);
    let r = read_response(&mut conn, false);
    assert_eq!(r.status, 200);
    assert_eq!(r.title(), "Garmin SSO Portal");
    // And with a body: exactly Content-Length bytes are read, the socket left open is not.
    let mut s = TcpStream::connect(sim.addr()).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let body = r#"{"username":"runner@example.com"}"#;
    write!(
        s,
        "POST /mobile/api/login?{MOBILE_Q} HTTP/1.1\r\nHost: {}\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        sim.addr(),
        body.len()
    )
    .expect("write");
    let mut conn = BufReader::new(s);
    assert_eq!(
        read_response(&mut conn, false).status,
        429,
        "cold, but answered"
    );
    // The workers are all still free.
    let mut c = Client::new(&sim);
    for _ in 0..crate::server::WORKERS + 1 {
        assert_eq!(c.get("/sso/embed").status, 200);
    }
}

fn di_tokens_for(sim: &Simulator, c: &mut Client, user: &str, pw: &str) -> Value {
    let ticket = mobile_ticket(c, user, pw);
    let _ = sim;
    di_post(
        c,
        "GARMIN_CONNECT_MOBILE_ANDROID_DI",
        &[
            ("client_id", "GARMIN_CONNECT_MOBILE_ANDROID_DI"),
            ("service_ticket", &ticket),
            ("grant_type", GRANT),
            ("service_url", MOBILE_SERVICE),
        ],
    )
    .json()
}

#[test]
fn user_settings_are_served_to_a_bearer_only() {
    let sim = sim();
    let mut c = Client::new(&sim);
    let t = di_tokens_for(&sim, &mut c, "runner@example.com", "hunter22");
    let bearer = format!("Bearer {}", t["access_token"].as_str().expect("token"));
    let path = "/userprofile-service/userprofile/user-settings";
    assert_eq!(c.get(path).status, 401);
    let r = c.get_auth(path, &bearer);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["userData"]["measurementSystem"], "metric");
    assert_eq!(sim.stats().requests("user_settings"), 2);
}

#[test]
fn an_account_without_upload_consent_gets_412() {
    let sim = Simulator::builder()
        .account(Account::new("eu@example.com", "pw").upload_consent(false))
        .start()
        .expect("starts");
    let mut c = Client::new(&sim);
    let t = di_tokens_for(&sim, &mut c, "eu@example.com", "pw");
    let bearer = format!("Bearer {}", t["access_token"].as_str().expect("token"));
    let body = b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.fit\"\r\nContent-Type: application/octet-stream\r\n\r\nFIT\r\n--b--\r\n";
    let r = c.request(
        "POST",
        "/upload-service/upload",
        &[
            ("Authorization", &bearer),
            ("Content-Type", "multipart/form-data; boundary=b"),
        ],
        body,
    );
    assert_eq!(r.status, 412);
    assert!(sim.uploads().is_empty());
}

const CN_GRANT: &str = "https://connectapi.garmin.cn/di-oauth2-service/oauth/grant/service_ticket";

#[test]
fn china_accounts_get_di_tokens_from_the_cn_host_only() {
    let sim = Simulator::builder()
        .account(Account::new("cn@example.com", "pw").china(true))
        .start()
        .expect("starts");
    let mut c = Client::new(&sim);
    let grant = |c: &mut Client, grant: &str, host: Option<&str>| {
        let ticket = mobile_ticket(c, "cn@example.com", "pw");
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("client_id", "GARMIN_CONNECT_MOBILE_ANDROID_DI"),
                ("service_ticket", ticket.as_str()),
                ("grant_type", grant),
                ("service_url", MOBILE_SERVICE),
            ])
            .finish();
        let auth = basic("GARMIN_CONNECT_MOBILE_ANDROID_DI");
        let mut h = vec![
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ];
        if let Some(host) = host {
            h.push(("X-Forwarded-Host", host));
        }
        c.request(
            "POST",
            "/di-oauth2-service/oauth/token",
            &h,
            body.as_bytes(),
        )
    };
    let r = grant(&mut c, GRANT, None);
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error_description"], "User doesn't exist in DB");
    let r = grant(&mut c, CN_GRANT, Some("diauth.garmin.com"));
    assert_eq!(r.status, 400, "the .com host does not know China accounts");
    let r = grant(&mut c, CN_GRANT, Some("diauth.garmin.cn"));
    assert_eq!(r.status, 200);
    let rt = r.json()["refresh_token"].as_str().expect("rt").to_string();
    let refresh = |c: &mut Client, rt: &str, host: &str| {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("client_id", "GARMIN_CONNECT_MOBILE_ANDROID_DI"),
                ("grant_type", "refresh_token"),
                ("refresh_token", rt),
            ])
            .finish();
        let auth = basic("GARMIN_CONNECT_MOBILE_ANDROID_DI");
        c.request(
            "POST",
            "/di-oauth2-service/oauth/token",
            &[
                ("Authorization", auth.as_str()),
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("X-Forwarded-Host", host),
            ],
            body.as_bytes(),
        )
    };
    let r = refresh(&mut c, &rt, "diauth.garmin.com");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error_description"], "User doesn't exist in DB");
    let r = refresh(&mut c, &rt, "diauth.garmin.cn");
    assert_eq!(
        r.status, 200,
        "the refused refresh did not use the token up"
    );
}
