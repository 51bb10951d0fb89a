//! The upload progress bar: only for files worth watching, and only when a person can see stderr.
//!
//! The core takes an upload body as a reader ([`garmin_sso_core::Body::Reader`]) and the HTTP
//! client copies it to the socket as it reads, so counting the bytes read is counting the bytes
//! handed to the connection: a real sending progress (give or take the kernel's socket buffer), with
//! no change to the core. Once the last byte is read the bar turns into a spinner until Garmin
//! answers (its import takes a while after the body arrived).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, Read};
use std::time::Duration;

/// Files larger than this (4 MiB) get a bar; a typical FIT file (tens to hundreds of KiB) is
/// sent before a bar could draw.
pub const THRESHOLD: u64 = 4 * 1024 * 1024;

/// Whether an upload of `len` bytes shows a bar, given whether stderr is a terminal.
pub fn wanted(len: u64, stderr_is_terminal: bool) -> bool {
    stderr_is_terminal && len > THRESHOLD
}

/// A bar over `len` bytes on stderr.
pub fn bar(len: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "uploading {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Counts what is read from `inner` on `bar`, and hands over to a spinner at the end.
pub struct Counting<R> {
    inner: R,
    bar: ProgressBar,
}

impl<R> Counting<R> {
    pub fn new(inner: R, bar: ProgressBar) -> Self {
        Counting { inner, bar }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.bar.inc(n as u64);
        } else if !buf.is_empty() {
            waiting(&self.bar);
        }
        Ok(n)
    }
}

/// The body is sent: a spinner while Garmin works on it.
fn waiting(bar: &ProgressBar) {
    if let Ok(style) = ProgressStyle::with_template("{spinner} sent {total_bytes}; {msg}") {
        bar.set_style(style);
    }
    bar.set_message("waiting for Garmin's answer");
    bar.enable_steady_tick(Duration::from_millis(120));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_large_files_on_a_terminal_get_a_bar() {
        assert!(!wanted(THRESHOLD, true), "the threshold itself is small");
        assert!(wanted(THRESHOLD + 1, true));
        assert!(wanted(2 << 30, true));
        assert!(!wanted(THRESHOLD + 1, false), "a pipe or file never");
        assert!(!wanted(300 * 1024, true), "a typical FIT file");
        assert!(!wanted(0, true));
    }

    #[test]
    fn counting_passes_every_byte_through_and_counts_it() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let bar = ProgressBar::hidden();
        bar.set_length(data.len() as u64);
        let mut r = Counting::new(io::Cursor::new(data.clone()), bar.clone());
        let mut out = Vec::new();
        r.read_to_end(&mut out).expect("read");
        assert_eq!(out, data);
        assert_eq!(bar.position(), data.len() as u64);
    }
}
