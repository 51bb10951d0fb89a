//! Simulated Garmin accounts.

use std::fmt;

/// How an account's second factor is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaMethod {
    /// Code sent by e-mail (`mfaMethod = "email"`).
    Email,
    /// Code sent by text message (`mfaMethod = "sms"`).
    Sms,
    /// Authenticator app (`mfaMethod = "totp"`); nothing is ever sent.
    Totp,
}

impl MfaMethod {
    /// The wire name Garmin uses (`email`, `sms`, `totp`).
    pub fn as_str(self) -> &'static str {
        match self {
            MfaMethod::Email => "email",
            MfaMethod::Sms => "sms",
            MfaMethod::Totp => "totp",
        }
    }

    /// Parses a wire name in any case; also takes `phone` for SMS and `app` for TOTP. `None` for
    /// anything else.
    pub fn parse(s: &str) -> Option<MfaMethod> {
        match s.to_ascii_lowercase().as_str() {
            "email" => Some(MfaMethod::Email),
            "sms" | "phone" => Some(MfaMethod::Sms),
            "totp" | "app" => Some(MfaMethod::Totp),
            _ => None,
        }
    }
}

/// One account the simulator knows.
///
/// ```
/// use garmin_sso_sim::{Account, MfaMethod};
/// let plain = Account::new("runner@example.com", "correct horse");
/// let mfa = Account::new("mfa@example.com", "pw").with_mfa("123456", MfaMethod::Email);
/// let manual = Account::new("sms@example.com", "pw")
///     .with_mfa("654321", MfaMethod::Sms)
///     .code_sent_automatically(false);
/// let locked = Account::new("locked@example.com", "pw").locked(true);
/// # let _ = (plain, mfa, manual, locked);
/// ```
#[derive(Clone)]
pub struct Account {
    pub(crate) email: String,
    pub(crate) password: String,
    pub(crate) mfa: Option<(String, MfaMethod)>,
    pub(crate) code_sent_automatically: bool,
    pub(crate) locked: bool,
    pub(crate) child: bool,
    pub(crate) display_name: Option<String>,
    pub(crate) full_name: Option<String>,
    pub(crate) china: bool,
    pub(crate) upload_consent: bool,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .field("mfa", &self.mfa.as_ref().map(|(_, m)| m))
            .field("code_sent_automatically", &self.code_sent_automatically)
            .field("locked", &self.locked)
            .field("child", &self.child)
            .field("china", &self.china)
            .field("upload_consent", &self.upload_consent)
            .finish()
    }
}

impl Account {
    /// An account signing in with `email` (matched case-insensitively) and `password`.
    pub fn new(email: &str, password: &str) -> Account {
        Account {
            email: email.to_string(),
            password: password.to_string(),
            mfa: None,
            code_sent_automatically: true,
            locked: false,
            child: false,
            display_name: None,
            full_name: None,
            china: false,
            upload_consent: true,
        }
    }

    /// Turns on MFA: `code` is the only code accepted.
    pub fn with_mfa(mut self, code: &str, method: MfaMethod) -> Account {
        self.mfa = Some((code.to_string(), method));
        self
    }

    /// For e-mail/SMS MFA in the widget flow: whether the code goes out with
    /// the credential POST (default `true`). When `false` the MFA page says no
    /// code was sent (`var codeSentTo = "";`) and the client must request it
    /// with `POST /sso/verifyMFA/mfaCode` before a code is accepted.
    pub fn code_sent_automatically(mut self, yes: bool) -> Account {
        self.code_sent_automatically = yes;
        self
    }

    /// A locked account: the right password gets the "Account Locked" page.
    pub fn locked(mut self, yes: bool) -> Account {
        self.locked = yes;
        self
    }

    /// A child (parent-managed) account: the right password gets "Unable to sign in".
    pub fn child(mut self, yes: bool) -> Account {
        self.child = yes;
        self
    }

    /// An account of mainland China (`garmin.cn`): its DI tokens are granted only for the `.cn`
    /// grant type, and the token endpoint refuses it when addressed as `diauth.garmin.com`
    /// (400 `User doesn't exist in DB`, as reported from the field).
    pub fn china(mut self, yes: bool) -> Account {
        self.china = yes;
        self
    }

    /// Whether the account has agreed to uploads in Garmin Connect (default `true`). EU accounts
    /// that have not get HTTP 412 on uploads.
    pub fn upload_consent(mut self, yes: bool) -> Account {
        self.upload_consent = yes;
        self
    }

    /// Display name returned by the social profile (default: the e-mail's local part).
    pub fn display_name(mut self, name: &str) -> Account {
        self.display_name = Some(name.to_string());
        self
    }

    /// The e-mail address as given to [`Account::new`]; sign-ins match it case-insensitively.
    pub fn email(&self) -> &str {
        &self.email
    }

    pub(crate) fn mfa_method(&self) -> Option<MfaMethod> {
        self.mfa.as_ref().map(|(_, m)| *m)
    }

    pub(crate) fn shown_display_name(&self) -> String {
        self.display_name.clone().unwrap_or_else(|| {
            self.email
                .split('@')
                .next()
                .unwrap_or("user")
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
                .collect()
        })
    }

    pub(crate) fn shown_full_name(&self) -> String {
        self.full_name
            .clone()
            .unwrap_or_else(|| format!("Sim {}", self.shown_display_name()))
    }

    /// A stable GUID derived from the e-mail address.
    pub(crate) fn guid(&self) -> String {
        use sha1::{Digest, Sha1};
        let h = Sha1::digest(self.email.to_ascii_lowercase().as_bytes());
        let x: String = h.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "{}-{}-4{}-a{}-{}",
            &x[0..8],
            &x[8..12],
            &x[13..16],
            &x[17..20],
            &x[20..32]
        )
    }

    /// `mt*****@gmail.com` style, as Garmin shows it.
    pub(crate) fn masked_email(&self) -> String {
        let (local, domain) = self.email.split_once('@').unwrap_or((&self.email, ""));
        let head: String = local.chars().take(2).collect();
        format!("{head}*****@{domain}")
    }

    pub(crate) fn masked_phone(&self) -> String {
        "+1 ***-***-0142".to_string()
    }

    /// Where a code goes for this account's method ("" for TOTP).
    pub(crate) fn code_destination(&self) -> String {
        match self.mfa_method() {
            Some(MfaMethod::Email) => self.masked_email(),
            Some(MfaMethod::Sms) => self.masked_phone(),
            _ => String::new(),
        }
    }
}
