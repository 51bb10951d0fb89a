//! Reading the password and MFA code: from stdin lines when piped, or prompts on a terminal.
//!
//! Both lines are read through the process-wide stdin buffer, so a password line and a code line
//! written together (`printf 'pw\n123456\n' | garmin-sso login …`) are both seen.

use crate::exit::Failure;
use garmin_sso_core::{Error, Password, Secret};
use std::io::{self, BufRead, IsTerminal, Write};

/// Where answers come from.
#[derive(Debug)]
pub struct Input {
    terminal: bool,
}

impl Input {
    pub fn new() -> Self {
        Input {
            terminal: io::stdin().is_terminal(),
        }
    }

    /// True when a person can be asked again (a wrong MFA code on a terminal).
    pub fn is_interactive(&self) -> bool {
        self.terminal
    }

    /// The password: the first stdin line (`--password-stdin`), or a prompt without echo.
    pub fn password(&self, from_stdin: bool) -> Result<Password, Failure> {
        if self.terminal {
            let pw = rpassword::prompt_password("Garmin password: ")?;
            return Ok(Password::new(pw));
        }
        if !from_stdin {
            return Err(Failure::other(
                "no password: stdin is not a terminal; pass --password-stdin and write the password as the first line",
            ));
        }
        match read_line()? {
            Some(pw) if !pw.is_empty() => Ok(Password::new(pw)),
            _ => Err(Failure::other(
                "no password: the first line of stdin was empty or missing",
            )),
        }
    }

    /// The MFA code: the next stdin line, or a prompt on a terminal.
    pub fn mfa_code(&self, method: &str, sent_to: Option<&str>) -> Result<Secret, Failure> {
        if self.terminal {
            let mut err = io::stderr();
            match sent_to {
                Some(to) if !to.is_empty() => write!(err, "Code sent by {method} to {to}. ")?,
                _ => write!(err, "Code from your {method}. ")?,
            }
            write!(err, "MFA code: ")?;
            err.flush()?;
        }
        match read_line()? {
            Some(code) if !code.is_empty() => Ok(Secret::new(code)),
            _ => Err(Error::MfaRequired.into()),
        }
    }
}

/// One line without its line ending; `None` at end of input.
pub fn read_line() -> Result<Option<String>, Failure> {
    let mut line = String::new();
    let n = io::stdin().lock().read_line(&mut line)?;
    if n == 0 {
        return Ok(None);
    }
    // Trimmed in place rather than copied, so the only copy is the one the caller wraps in a Secret.
    let len = line.trim_end_matches(['\n', '\r']).len();
    line.truncate(len);
    Ok(Some(line))
}
