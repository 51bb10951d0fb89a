//! Single-flight refresh: however many threads find the token expired (or get a 401) at once, one
//! of them refreshes and the others wait for that result — the new tokens or a copy of its error.
//!
//! A generation counter tells "my token is stale" from "someone already replaced it": a caller
//! passes the generation of the token it used, and a refresh only starts when that is still the
//! current one.

use crate::error::{Error, Result};
use crate::tokens::Tokens;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread::{self, ThreadId};

struct State {
    tokens: Tokens,
    generation: u64,
    /// The thread running the refresh now, if any.
    in_flight: Option<ThreadId>,
    /// Refresh attempts started so far; waiters use it to find the attempt they waited for.
    attempts: u64,
    /// The error of the last failed attempt, for the threads that waited on it.
    last_failure: Option<(u64, Error)>,
}

pub(super) struct Refresher {
    state: Mutex<State>,
    done: Condvar,
}

impl Refresher {
    pub(super) fn new(tokens: Tokens) -> Self {
        Refresher {
            state: Mutex::new(State {
                tokens,
                generation: 0,
                in_flight: None,
                attempts: 0,
                last_failure: None,
            }),
            done: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The current tokens and their generation.
    pub(super) fn snapshot(&self) -> (Tokens, u64) {
        let st = self.lock();
        (st.tokens.clone(), st.generation)
    }

    /// Replaces the tokens from outside a refresh (a new sign-in), starting a new generation.
    pub(super) fn replace(&self, tokens: Tokens) {
        let mut st = self.lock();
        st.tokens = tokens;
        st.generation += 1;
    }

    /// Makes sure the tokens are newer than generation `seen`: returns at once when they already
    /// are, joins a refresh in flight, or runs `refresh` itself. `persist` runs after a successful
    /// refresh, before the in-flight mark is cleared, so no other refresh and no waiter proceeds
    /// first and listeners see refreshes in order. [`Refresher::snapshot`] already returns the new
    /// tokens meanwhile.
    pub(super) fn refresh_after(
        &self,
        seen: u64,
        refresh: impl FnOnce(&Tokens) -> Result<Tokens>,
        persist: impl FnOnce(&Tokens),
    ) -> Result<(Tokens, u64)> {
        let me = thread::current().id();
        let mut st = self.lock();
        loop {
            if st.generation != seen {
                return Ok((st.tokens.clone(), st.generation));
            }
            match st.in_flight {
                None => break,
                Some(t) if t == me => {
                    return Err(Error::InvalidInput(
                        "a refresh listener called back into the session's refresh; that would wait for itself".into(),
                    ))
                }
                Some(_) => {
                    let attempt = st.attempts;
                    while st.in_flight.is_some() && st.attempts == attempt {
                        st = self.done.wait(st).unwrap_or_else(|p| p.into_inner());
                    }
                    if st.generation != seen {
                        continue;
                    }
                    if let Some((failed, e)) = &st.last_failure {
                        if *failed == attempt {
                            return Err(e.clone());
                        }
                    }
                }
            }
        }
        st.in_flight = Some(me);
        st.attempts += 1;
        let attempt = st.attempts;
        let old = st.tokens.clone();
        drop(st);

        // Clears the in-flight mark and wakes the waiters however this ends, a panic included.
        let guard = InFlight { refresher: self };
        match refresh(&old) {
            Ok(new) => {
                let outcome = {
                    let mut st = self.lock();
                    if st.generation != seen {
                        // Tokens from a new sign-in arrived meanwhile; they win over a refresh of
                        // the ones they replaced.
                        Err((st.tokens.clone(), st.generation))
                    } else {
                        st.tokens = new.clone();
                        st.generation += 1;
                        st.last_failure = None;
                        Ok(st.generation)
                    }
                };
                let generation = match outcome {
                    Ok(g) => g,
                    Err(current) => return Ok(current),
                };
                persist(&new);
                drop(guard);
                Ok((new, generation))
            }
            Err(e) => {
                self.lock().last_failure = Some((attempt, e.clone()));
                drop(guard);
                Err(e)
            }
        }
    }
}

struct InFlight<'a> {
    refresher: &'a Refresher,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.refresher.lock().in_flight = None;
        self.refresher.done.notify_all();
    }
}
