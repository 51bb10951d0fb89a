//! The service ticket every sign-in path ends in, with the service URL it is bound to.

use crate::secret::ServiceTicket;
use std::fmt;

/// A CAS service ticket (`ST-…`) and the service URL it was issued for: Garmin refuses the exchange
/// when the two do not match, so they travel together.
#[derive(Clone)]
pub struct Ticket {
    /// The ticket: single-use, valid for minutes.
    pub value: ServiceTicket,
    /// The service URL of the sign-in (the exchange's `login-url` / `service_url`).
    pub service_url: String,
}

impl fmt::Debug for Ticket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ticket")
            .field("value", &self.value)
            .field("service_url", &self.service_url)
            .finish()
    }
}
