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

/// One entry of a sign-in chain: a flow and, for the mobile flow, the Garmin app it presents
/// itself as. Garmin rate-limits per client id and account (docs/protocol.md §0), so the same
/// flow as another app is a separate attempt that a 429 for the first one does not stop.
///
/// A [`Flow`] converts into an entry (`Flow::Mobile` then presents
/// [`Config::mobile_client`](crate::Config::mobile_client)), so flow lists from front ends keep
/// working wherever a chain is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Strategy {
    /// The sign-in path.
    pub flow: Flow,
    /// The app a [`Flow::Mobile`] entry presents itself as; `None` means
    /// [`Config::mobile_client`](crate::Config::mobile_client) (Android unless changed). Must be
    /// `None` for the widget and portal flows, which have one client each.
    pub mobile_app: Option<MobileApp>,
}

impl Strategy {
    /// The widget flow (docs/protocol.md §1).
    pub const WIDGET: Strategy = Strategy {
        flow: Flow::Widget,
        mobile_app: None,
    };
    /// The portal flow (docs/protocol.md §3).
    pub const PORTAL: Strategy = Strategy {
        flow: Flow::Portal,
        mobile_app: None,
    };
    /// The mobile flow as [`Config::mobile_client`](crate::Config::mobile_client).
    pub const MOBILE: Strategy = Strategy {
        flow: Flow::Mobile,
        mobile_app: None,
    };

    /// The mobile flow as `app` (`GCM_ANDROID_DARK` or `GCM_IOS_DARK`, each with its own service
    /// URL and its own rate-limit bucket).
    pub const fn mobile(app: MobileApp) -> Strategy {
        Strategy {
            flow: Flow::Mobile,
            mobile_app: Some(app),
        }
    }

    /// The default chain: mobile as iOS, mobile as Android, widget, portal. iOS goes first as
    /// python-garminconnect's chain does since Garmin began throttling the Android client id
    /// (docs/protocol.md §9); each later entry sits in another rate-limit bucket.
    pub const DEFAULT_CHAIN: [Strategy; 4] = [
        Strategy::mobile(MobileApp::Ios),
        Strategy::mobile(MobileApp::Android),
        Strategy::WIDGET,
        Strategy::PORTAL,
    ];
}

impl From<Flow> for Strategy {
    fn from(flow: Flow) -> Strategy {
        Strategy {
            flow,
            mobile_app: None,
        }
    }
}

/// `widget`, `portal`, `mobile`, or `mobile/ios` and `mobile/android` for an entry with its own
/// app: the names in [`crate::Error::AllStrategiesFailed`]'s message.
impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.mobile_app {
            Some(app) => write!(f, "{}/{}", self.flow, app.name()),
            None => f.write_str(self.flow.name()),
        }
    }
}

/// Garmin's phone apps, whose client ids the mobile JSON and web-view sign-ins present. Garmin rate
/// limits per client id and account, so switching app can get past a limit that waiting would not.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    strum::VariantArray,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::Display,
    strum::FromRepr,
)]
#[strum(serialize_all = "snake_case", ascii_case_insensitive)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[repr(u32)]
pub enum MobileApp {
    /// Garmin Connect Mobile for Android (`GCM_ANDROID_DARK`).
    #[default]
    Android = 0,
    /// Garmin Connect Mobile for iOS (`GCM_IOS_DARK`).
    Ios = 1,
}

impl MobileApp {
    /// Every app, in numeric order.
    pub const ALL: &'static [MobileApp] = <MobileApp as strum::VariantArray>::VARIANTS;

    /// The lower-case name every front end uses.
    pub fn name(self) -> &'static str {
        self.into()
    }
}
