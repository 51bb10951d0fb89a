//! Time and waiting, injectable so that tests and the simulator agree on "now" and tests record
//! waits instead of sleeping.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of wall-clock time in whole Unix seconds (the unit of garth's `expires_at`).
pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch. Read for every expiry check and OAuth1 `oauth_timestamp`;
    /// Garmin refuses a signed request whose timestamp is far from its own time.
    fn now(&self) -> i64;
}

/// The OS wall clock, cut to whole seconds: the default [`Config::clock`](crate::Config::clock).
/// A system clock set before 1970 reads 0, which makes every token look expired.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }
}

/// A clock that only moves when told to; clones share the same time.
#[derive(Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    /// A clock standing at `unix_secs`.
    pub fn new(unix_secs: i64) -> Self {
        ManualClock(Arc::new(AtomicI64::new(unix_secs)))
    }
    /// Moves the clock forward (or back, with a negative value).
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
    /// Jumps to `unix_secs` (forward or back); every clone reads the new time at once.
    pub fn set(&self, unix_secs: i64) {
        self.0.store(unix_secs, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl fmt::Debug for ManualClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ManualClock").field(&self.now()).finish()
    }
}

impl<F: Fn() -> i64 + Send + Sync> Clock for F {
    fn now(&self) -> i64 {
        self()
    }
}

/// How the library waits (for a token lock another process holds, for pacing). Tests inject one
/// that advances a [`ManualClock`] and records the wait instead of sleeping.
pub trait Sleeper: Send + Sync {
    /// Returns after about `d`.
    fn sleep(&self, d: Duration);
}

/// The OS sleep: the default [`Config::sleeper`](crate::Config::sleeper).
#[derive(Debug, Clone, Copy, Default)]
pub struct ThreadSleeper;

impl Sleeper for ThreadSleeper {
    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
    }
}

impl<F: Fn(Duration) + Send + Sync> Sleeper for F {
    fn sleep(&self, d: Duration) {
        self(d)
    }
}
