//! Signed-in sessions: authenticated Connect API calls, refresh (ahead of expiry, once on 401, single
//! flight), FIT upload, profile. (Being written; see issue 5.)
