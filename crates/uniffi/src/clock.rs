//! The app's clock as a foreign trait, passed per client: token expiry is judged by it, so an app (or
//! a test sharing a simulator's clock) decides what "now" is.

use crate::error::GarminError;
use garmin_sso_core as core;
use std::fmt;
use std::sync::Arc;

/// Wall-clock time for one client. Implement it to share time with a test server or to correct a
/// device clock you know is off; without one the client uses the system clock. Called from any
/// thread, before every API call and refresh; keep it cheap.
#[uniffi::export(foreign)]
pub trait GarminClock: Send + Sync {
    /// Whole seconds since the Unix epoch. Throwing is logged and the system clock answers instead.
    fn now_unix_seconds(&self) -> Result<i64, GarminError>;
}

/// Adapts a foreign [`GarminClock`] to the core's clock.
pub(crate) struct ForeignClock(pub(crate) Arc<dyn GarminClock>);

impl fmt::Debug for ForeignClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ForeignClock")
    }
}

impl core::Clock for ForeignClock {
    fn now(&self) -> i64 {
        // The core's clock cannot fail; a wrong "now" would refresh too early or too late, so the
        // system's time is the closest honest answer.
        self.0.now_unix_seconds().unwrap_or_else(|_| {
            log::warn!("the app's clock failed; using the system clock for this reading");
            core::Clock::now(&core::SystemClock)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(i64);
    impl GarminClock for Fixed {
        fn now_unix_seconds(&self) -> Result<i64, GarminError> {
            Ok(self.0)
        }
    }

    struct Throwing;
    impl GarminClock for Throwing {
        fn now_unix_seconds(&self) -> Result<i64, GarminError> {
            Err(uniffi::UnexpectedUniFFICallbackError::new("IllegalStateException: no time").into())
        }
    }

    #[test]
    fn the_foreign_time_is_the_core_time_and_a_throwing_clock_falls_back() {
        assert_eq!(
            core::Clock::now(&ForeignClock(Arc::new(Fixed(1_234)))),
            1_234
        );
        let system = core::Clock::now(&core::SystemClock);
        let fallback = core::Clock::now(&ForeignClock(Arc::new(Throwing)));
        // Two readings of the system clock, a moment apart.
        assert!((fallback - system).abs() <= 5, "{fallback} vs {system}");
    }
}
