//! One call from "app starts" to "session ready": the stored session first, refreshed when needed;
//! a sign-in only when that is impossible; tokens stored only after a sign-in that worked.

use super::Session;
use crate::client::PendingMfa;
use crate::client::{Client, LoginOutcome};
use crate::error::{Error, Result};
use crate::secret::Password;
use crate::store::TokenStore;
use crate::tokens::Tokens;

/// Attempts at an MFA code before giving up (Garmin itself ends the challenge after a few).
const MFA_ATTEMPTS: usize = 3;

/// Supplies credentials when a sign-in is needed: prompt the user, or read the app's own vault.
pub trait CredentialsProvider: Send + Sync {
    /// The email and password, asked for only when no stored session can be used; an `Err` ends
    /// [`resume_or_sign_in`] with that error before any sign-in request is sent.
    fn credentials(&self) -> Result<(String, Password)>;
    /// The MFA code Garmin sent (see [`PendingMfa::method`] and [`PendingMfa::code_sent_to`]).
    /// Asked again when Garmin rejects a code, up to three times in all.
    fn mfa_code(&self, pending: &PendingMfa) -> Result<String>;
}

/// Loads the stored session and refreshes it when it expires within the configured margin; signs in
/// with `creds` only when nothing usable is stored or the refresh credential is dead. New tokens
/// are saved to `store` only after a sign-in that worked, and every later refresh is saved there
/// too.
///
/// Unreadable stored tokens (bad JSON) count as none; a store that cannot be read at all (I/O
/// error, symlink) is an error, since new tokens could not be kept either. Transient refresh
/// failures (network, rate limit) are returned as they are: signing in would meet the same trouble.
pub fn resume_or_sign_in(
    client: &Client,
    store: &dyn TokenStore,
    creds: &dyn CredentialsProvider,
) -> Result<Session> {
    let shared = store.clone_store();
    let stored = match store.load() {
        Ok(t) => t,
        Err(Error::InvalidInput(why)) => {
            log::warn!("stored tokens are unreadable ({why}); signing in again");
            None
        }
        Err(e) => return Err(e),
    };
    if let Some(tokens) = stored {
        let session = Session::new(client.clone(), tokens);
        session.persist_to(shared.clone());
        match session.usable_tokens() {
            Ok(_) => return Ok(session),
            Err(e @ Error::SignInNeeded { .. }) => {
                log::info!("stored session cannot be refreshed ({e}); signing in")
            }
            Err(e) => return Err(e),
        }
    }
    let tokens = sign_in(client, creds)?;
    store.save(&tokens)?;
    let session = Session::new(client.clone(), tokens);
    session.persist_to(shared);
    Ok(session)
}

fn sign_in(client: &Client, creds: &dyn CredentialsProvider) -> Result<Tokens> {
    let (email, password) = creds.credentials()?;
    match client.login(&email, &password)? {
        LoginOutcome::Complete(tokens) => Ok(tokens),
        LoginOutcome::MfaRequired(pending) => {
            let mut last = Error::MfaCodeRejected;
            for _ in 0..MFA_ATTEMPTS {
                let code = creds.mfa_code(&pending)?;
                match pending.submit(&code) {
                    Ok(tokens) => return Ok(tokens),
                    Err(e @ Error::MfaCodeRejected) => {
                        log::info!("MFA code rejected; asking again");
                        last = e;
                    }
                    Err(e) => return Err(e),
                }
            }
            Err(last)
        }
    }
}
