//! The simulator's clock: real time plus an adjustable offset.
//!
//! Every expiry the simulator checks (tickets, tokens, OAuth1 timestamps, MFA
//! expiration stamps) is measured on this clock, so tests can jump forward
//! with [`SimClock::advance`] instead of sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// A shareable handle on the simulator's clock (Unix seconds).
///
/// It ticks with real time; `advance` and `set` move it relative to real time.
/// Clones share the same clock.
#[derive(Clone, Debug)]
pub struct SimClock {
    offset: Arc<AtomicI64>,
}

pub(crate) fn real_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub(crate) fn real_now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl SimClock {
    /// A clock that reads `start` now (or real time when `None`).
    pub(crate) fn starting_at(start: Option<i64>) -> Self {
        let offset = start.map(|s| s - real_now()).unwrap_or(0);
        SimClock {
            offset: Arc::new(AtomicI64::new(offset)),
        }
    }

    /// Current time on the simulator's clock, Unix seconds.
    pub fn now(&self) -> i64 {
        real_now() + self.offset.load(Ordering::SeqCst)
    }

    /// Current time in Unix milliseconds (sub-second part from real time).
    pub fn now_millis(&self) -> i64 {
        real_now_millis() + self.offset.load(Ordering::SeqCst) * 1000
    }

    /// Moves the clock forward (or backward, when negative) by `secs`.
    pub fn advance(&self, secs: i64) {
        self.offset.fetch_add(secs, Ordering::SeqCst);
    }

    /// Sets the clock so that it reads `unix` now.
    pub fn set(&self, unix: i64) {
        self.offset.store(unix - real_now(), Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_and_set() {
        let c = SimClock::starting_at(Some(1_000_000));
        let t = c.now();
        assert!((1_000_000..1_000_005).contains(&t));
        let c2 = c.clone();
        c2.advance(3600);
        assert!(c.now() >= t + 3600);
        c.set(42);
        assert!((42..47).contains(&c2.now()));
    }
}
