//! The sign-in flows a strategy chain is made of. Every front end names them the same way:
//! `widget`, `mobile`, `portal` (C `GARMIN_SSO_FLOW_*`, uniffi `Flow`, CLI `--flow`).

/// A way of reaching a service ticket with an email and password (docs/protocol.md §1–§3).
/// `from_repr` takes the C ABI's number, `parse` the name.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    strum::VariantArray,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::Display,
    strum::FromRepr,
)]
#[strum(serialize_all = "snake_case", ascii_case_insensitive)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[repr(u32)]
pub enum Flow {
    /// The classic HTML widget: a form POST whose answer page carries the ticket
    /// (docs/protocol.md §1).
    Widget = 0,
    /// The JSON API Garmin's phone apps use (docs/protocol.md §2); presents itself as the mobile
    /// client preset.
    Mobile = 1,
    /// The JSON API of the Connect web app (docs/protocol.md §3); the slowest, paced like a
    /// person typing.
    Portal = 2,
}

impl Flow {
    /// Every flow, in numeric order.
    pub const ALL: &'static [Flow] = <Flow as strum::VariantArray>::VARIANTS;

    /// The lower-case name used on the command line, in messages and in every binding.
    pub fn name(self) -> &'static str {
        self.into()
    }
}
