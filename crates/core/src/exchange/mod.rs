//! From a service ticket to API tokens: the legacy OAuth1 → OAuth2 exchange (PROTOCOL §4) or DI
//! OAuth2 (§5); and refreshing either family.

pub(crate) mod consumer;
pub(crate) mod di;
pub(crate) mod legacy;
