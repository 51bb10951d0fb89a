//! A small client of the Chrome DevTools protocol: JSON commands and events over one WebSocket
//! (tungstenite, blocking), with flattened target sessions. Reads poll with a short socket timeout
//! so every wait checks the sign-in deadline; nothing here blocks past it.
//!
//! Messages may carry the service ticket (a paused request's URL) or cookies: they are never
//! logged, and the protocol's own error texts are scrubbed before they enter an [`Error`].

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::transport::scrub_message;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;
use tungstenite::{Message, WebSocket};

/// How long one socket read waits before the deadline is checked again.
const POLL: Duration = Duration::from_millis(200);

/// A point in time on the configured [`Clock`] (whole seconds) after which waiting stops.
#[derive(Clone)]
pub(crate) struct Deadline {
    clock: Arc<dyn Clock>,
    at: i64,
    secs: u64,
}

impl Deadline {
    pub(crate) fn after(clock: Arc<dyn Clock>, timeout: Duration) -> Deadline {
        // Round up: a timeout of 1.5 s must not end after 1 s.
        let secs = timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0);
        let at = clock
            .now()
            .saturating_add(i64::try_from(secs).unwrap_or(i64::MAX));
        Deadline { clock, at, secs }
    }

    pub(crate) fn expired(&self) -> bool {
        self.clock.now() >= self.at
    }

    pub(crate) fn check(&self, waiting_for: &str) -> Result<()> {
        if self.expired() {
            Err(Error::Timeout(format!(
                "{waiting_for}: nothing within {} s",
                self.secs
            )))
        } else {
            Ok(())
        }
    }
}

pub(crate) fn failure(detail: impl Into<String>) -> Error {
    Error::unexpected("browser", scrub_message(&detail.into()))
}

/// One DevTools WebSocket connection to the browser target.
pub(crate) struct Cdp {
    ws: WebSocket<TcpStream>,
    next_id: u64,
    events: VecDeque<Value>,
}

impl fmt::Debug for Cdp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cdp")
            .field("next_id", &self.next_id)
            .field("queued_events", &self.events.len())
            .finish()
    }
}

impl Cdp {
    /// Connects to `ws://127.0.0.1:<port><path>` (the browser's DevTools endpoint).
    pub(crate) fn connect(port: u16, path: &str) -> Result<Cdp> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))
            .map_err(|e| failure(format!("cannot connect to the DevTools port: {e}")))?;
        // The handshake gets a generous bound; afterwards reads poll.
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(|e| failure(format!("DevTools socket: {e}")))?;
        stream
            .set_write_timeout(Some(Duration::from_secs(10)))
            .map_err(|e| failure(format!("DevTools socket: {e}")))?;
        let url = format!("ws://127.0.0.1:{port}{path}");
        let (ws, _) = tungstenite::client::client(url.as_str(), stream)
            .map_err(|e| failure(format!("DevTools WebSocket handshake failed: {e}")))?;
        ws.get_ref()
            .set_read_timeout(Some(POLL))
            .map_err(|e| failure(format!("DevTools socket: {e}")))?;
        Ok(Cdp {
            ws,
            next_id: 1,
            events: VecDeque::new(),
        })
    }

    /// Sends a command without waiting for its answer; returns its id.
    pub(crate) fn send(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<u64> {
        let id = self.next_id;
        self.next_id += 1;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = Value::String(s.to_owned());
        }
        self.ws
            .send(Message::text(msg.to_string()))
            .map_err(|e| failure(format!("DevTools {method}: cannot send: {e}")))?;
        Ok(id)
    }

    /// Sends a command and waits for its result; events read meanwhile are queued.
    pub(crate) fn call(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
        deadline: &Deadline,
    ) -> Result<Value> {
        let id = self.send(session, method, params)?;
        loop {
            deadline.check(&format!("waiting for the browser to answer {method}"))?;
            let Some(msg) = self.read()? else { continue };
            if msg.get("id").and_then(Value::as_u64) == Some(id) {
                if let Some(err) = msg.get("error") {
                    let text = err
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("no message");
                    return Err(failure(format!("DevTools {method} failed: {text}")));
                }
                return Ok(msg.get("result").cloned().unwrap_or(Value::Null));
            }
            if msg.get("method").is_some() {
                self.events.push_back(msg);
            }
        }
    }

    /// The next event, or `None` when none arrived within one poll interval.
    pub(crate) fn next_event(&mut self) -> Result<Option<Value>> {
        if let Some(ev) = self.events.pop_front() {
            return Ok(Some(ev));
        }
        loop {
            match self.read()? {
                None => return Ok(None),
                Some(msg) if msg.get("method").is_some() => return Ok(Some(msg)),
                // A late answer to a command sent without waiting.
                Some(_) => continue,
            }
        }
    }

    /// One JSON message, or `None` after one poll interval without any.
    fn read(&mut self) -> Result<Option<Value>> {
        match self.ws.read() {
            Ok(Message::Text(t)) => serde_json::from_str(t.as_str())
                .map(Some)
                .map_err(|e| failure(format!("DevTools sent malformed JSON: {e}"))),
            Ok(Message::Close(_)) => Err(failure("the browser closed the DevTools connection")),
            Ok(_) => Ok(None),
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                Ok(None)
            }
            Err(
                tungstenite::Error::ConnectionClosed
                | tungstenite::Error::AlreadyClosed
                | tungstenite::Error::Protocol(_)
                | tungstenite::Error::Io(_),
            ) => Err(failure("the browser closed the DevTools connection")),
            Err(e) => Err(failure(format!("DevTools connection: {e}"))),
        }
    }

    /// Best effort: asks the browser to quit, without waiting for the answer.
    pub(crate) fn close_browser(&mut self) {
        let _ = self.send(None, "Browser.close", json!({}));
        let _ = self.ws.flush();
    }
}
