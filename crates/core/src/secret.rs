//! Secrets that never print, one type per kind.
//!
//! A password, a service ticket, an access token and a refresh token are all strings, and a
//! function taking four `&str`s invites swapping them. Each kind is its own type here, so a ticket
//! cannot be passed where a password goes. Every kind prints `[redacted]` in `Debug` and `Display`,
//! zeroes its bytes when dropped, and is read only through `expose()`, which is easy to find in
//! review.
//!
//! Tokens serialize as plain strings: they are data the app owns, in garth's file formats.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

macro_rules! secret_kind {
    ($($(#[$doc:meta])* $name:ident;)+) => {$(
        $(#[$doc])*
        #[derive(Clone, Default, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
        pub struct $name(String);

        impl $name {
            /// Wraps a value. The `String`'s buffer is moved, not copied.
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }

            /// The value. Call only where it goes on the wire or into storage.
            pub fn expose(&self) -> &str {
                &self.0
            }

            /// True for the empty string, which no server issues and no sign-in accepts.
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[redacted]")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[redacted]")
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                $name(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                $name(value.to_owned())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map($name)
            }
        }
    )+};
}

secret_kind! {
    /// An account password, held only for the credential POST.
    Password;
    /// A CAS service ticket (`ST-…`): single-use, minutes-long, bound to one service URL.
    ServiceTicket;
    /// A bearer access token (OAuth2 or DI), or the `oauth_token` half of an OAuth1 token pair.
    AccessToken;
    /// A refresh token; DI refresh tokens rotate, so the newest one is the only one that works.
    RefreshToken;
    /// The `oauth_token_secret` of an OAuth1 token, the signing key's second half.
    TokenSecret;
    /// The OAuth1 consumer secret, the signing key's first half.
    ConsumerSecret;
    /// The token Garmin issues after MFA so that later exchanges skip the code.
    MfaToken;
    /// A partner app's OAuth2 client secret (Connect Developer Program): the app's, not the user's.
    ClientSecret;
    /// Any other value that must not print: a CSRF value, a signed `Authorization` header, a form
    /// body that carries credentials, a serialized token document.
    Secret;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact() {
        let s = Password::new("hunter2");
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(format!("{s}"), "[redacted]");
        assert_eq!(s.expose(), "hunter2");
        assert_eq!(
            format!("{:?}", Some(ServiceTicket::new("ST-1"))),
            "Some([redacted])"
        );
    }

    #[test]
    fn serde_is_transparent() {
        let s = RefreshToken::new("abc");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"abc\"");
        let back: RefreshToken = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(back, s);
    }
}
