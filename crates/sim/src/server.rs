//! The HTTP server: tiny_http with a few worker threads (keep-alive and
//! chunked request bodies are handled by tiny_http).

use std::io::{Cursor, Read};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::http::{Req, Resp};
use crate::state::Shared;

/// Largest request body accepted (uploads included).
const MAX_BODY: u64 = 256 * 1024 * 1024;
pub(crate) const WORKERS: usize = 8;

pub(crate) struct Running {
    pub server: Arc<tiny_http::Server>,
    pub workers: Vec<JoinHandle<()>>,
    pub stop: Arc<AtomicBool>,
    pub addr: SocketAddr,
}

pub(crate) fn start(shared: Arc<Shared>, listen: &str) -> std::io::Result<Running> {
    let server = tiny_http::Server::from_listener(nodelay_listener(listen)?, None)
        .map_err(|e| std::io::Error::other(format!("cannot listen on {listen}: {e}")))?;
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| std::io::Error::other("not an IP listener"))?;
    let server = Arc::new(server);
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::with_capacity(WORKERS);
    for i in 0..WORKERS {
        let server = Arc::clone(&server);
        let shared = Arc::clone(&shared);
        let stop = Arc::clone(&stop);
        let h = std::thread::Builder::new()
            .name(format!("garmin-sim-{i}"))
            .spawn(move || worker(&server, &shared, &stop, addr))?;
        workers.push(h);
    }
    Ok(Running {
        server,
        workers,
        stop,
        addr,
    })
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running").field("addr", &self.addr).finish()
    }
}

impl Running {
    /// Stops the workers and joins them; the listener closes when the last
    /// `Arc<Server>` goes away.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for _ in 0..self.workers.len() {
            self.server.unblock();
        }
        for h in self.workers.drain(..) {
            let _ = h.join();
        }
    }
}

fn worker(server: &tiny_http::Server, shared: &Shared, stop: &AtomicBool, local: SocketAddr) {
    loop {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        match server.recv() {
            Ok(rq) => serve(shared, rq, local),
            Err(_) if stop.load(Ordering::SeqCst) => return,
            Err(e) => log::debug!("accept error: {e}"),
        }
    }
}

fn serve(shared: &Shared, mut rq: tiny_http::Request, local: SocketAddr) {
    // With `Connection: upgrade` (libcurl offers `Upgrade: h2c` over plain http) tiny_http hands
    // over the raw socket as the body, so reading "to the end" would wait for the client to hang
    // up. Garmin's servers ignore the offer and answer over HTTP/1.1; so does the simulator:
    // only the declared Content-Length is read, and tiny_http closes the connection after the
    // answer.
    let upgrade = rq.headers().iter().any(|h| {
        h.field.equiv("Connection") && h.value.as_str().to_ascii_lowercase().contains("upgrade")
    });
    let limit = if upgrade {
        match rq.body_length() {
            Some(n) if (n as u64) <= MAX_BODY => n as u64,
            Some(_) => {
                let _ = rq.respond(tiny_http::Response::empty(413));
                return;
            }
            // A chunked body on an upgrade offer cannot be told apart from the new protocol.
            None if rq
                .headers()
                .iter()
                .any(|h| h.field.equiv("Transfer-Encoding")) =>
            {
                let _ = rq.respond(tiny_http::Response::empty(400));
                return;
            }
            None => 0,
        }
    } else {
        MAX_BODY
    };
    let mut body = Vec::new();
    if let Err(e) = rq.as_reader().take(limit).read_to_end(&mut body) {
        log::debug!("reading request body failed: {e}");
        let _ = rq.respond(tiny_http::Response::empty(400));
        return;
    }
    let headers: Vec<(String, String)> = rq
        .headers()
        .iter()
        .map(|h| (h.field.as_str().to_string(), h.value.as_str().to_string()))
        .collect();
    let mut req = Req::new(rq.method().as_str(), rq.url(), headers, body);
    req.remote = rq.remote_addr().copied();
    req.local = local;
    let resp = crate::router::dispatch(shared, &req);
    log::debug!("{} {} -> {}", req.method, req.path, resp.status);
    let head = req.method == "HEAD";
    if let Err(e) = rq.respond(to_tiny(resp, head, shared.clock.now())) {
        log::debug!("writing response failed: {e}");
    }
}

/// `now` is the simulator's clock: without a `Date` of ours, tiny_http would stamp its own from the
/// machine's wall clock, and a client comparing Garmin's `Date` with its own clock (`garmin-sso
/// doctor`) could never see the skew a test set with `/__sim/clock/…`.
fn to_tiny(resp: Resp, head: bool, now: i64) -> tiny_http::Response<Cursor<Vec<u8>>> {
    let body = if head { Vec::new() } else { resp.body };
    let mut r = tiny_http::Response::from_data(body).with_status_code(resp.status);
    let has_date = resp
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("Date"));
    if !has_date {
        let date = crate::timefmt::http_date(now);
        if let Ok(h) = tiny_http::Header::from_bytes(&b"Date"[..], date.as_bytes()) {
            r.add_header(h);
        }
    }
    for (k, v) in resp.headers {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            r.add_header(h);
        }
    }
    r
}

/// A listener whose accepted sockets have Nagle off (Linux copies TCP_NODELAY to them). tiny_http
/// writes a response's head and body separately; with Nagle on, the body waits for the client's
/// delayed ACK (~40 ms a request on loopback) and every measurement would show the simulator's
/// stall instead of the client's cost.
fn nodelay_listener(listen: &str) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    use std::net::ToSocketAddrs;
    let addr = listen
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::other(format!("{listen} resolves to no address")))?;
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    socket.set_nodelay(true)?;
    socket.bind(&addr.into())?;
    socket.listen(128)?;
    Ok(socket.into())
}

#[cfg(test)]
mod tests {
    use super::to_tiny;
    use crate::http::Resp;

    /// The `Date` header is the simulator's clock in RFC 7231 IMF-fixdate form, and an answer that
    /// sets its own keeps it.
    #[test]
    fn date_comes_from_the_simulator_clock() {
        let date = |r: &tiny_http::Response<_>| {
            r.headers()
                .iter()
                .filter(|h| h.field.equiv("Date"))
                .map(|h| h.value.as_str().to_owned())
                .collect::<Vec<_>>()
        };
        let r = to_tiny(Resp::new(200), false, 1_722_729_185);
        assert_eq!(date(&r), ["Sat, 03 Aug 2024 23:53:05 GMT"]);
        let mut own = Resp::new(200);
        own.headers
            .push(("Date".into(), "Thu, 01 Jan 1970 00:00:00 GMT".into()));
        assert_eq!(
            date(&to_tiny(own, false, 1_722_729_185)),
            ["Thu, 01 Jan 1970 00:00:00 GMT"]
        );
    }
}
