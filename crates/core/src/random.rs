//! Secret random values from the OS source: PKCE verifiers and states, vault keys and nonces.

use crate::error::{Error, Result};
use zeroize::Zeroizing;

/// `N` bytes from the OS random source, wiped when dropped.
pub(crate) fn random_bytes<const N: usize>() -> Result<Zeroizing<[u8; N]>> {
    let mut b = Zeroizing::new([0u8; N]);
    getrandom::fill(&mut b[..])
        .map_err(|e| Error::InvalidConfig(format!("the OS random source failed: {e}")))?;
    Ok(b)
}
