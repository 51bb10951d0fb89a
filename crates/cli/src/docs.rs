//! Shell completions and the man page, both rendered from the clap definitions the parser uses.

use crate::cli::{Cli, CompletionsArgs};
use crate::exit::Failure;
use clap::CommandFactory;
use std::io::Write;

pub fn completions(args: &CompletionsArgs) -> Result<(), Failure> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "garmin-sso", &mut out);
    write_stdout(&out)
}

/// The top page lists every command; each command's page follows it as a section, so one file
/// documents the whole tool.
pub fn manpage() -> Result<(), Failure> {
    let cmd = Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut out)
        .map_err(io_failure)?;
    let mut commands = Vec::new();
    nested(&cmd, "", &mut commands);
    for (path, sub) in commands {
        let name = format!("garmin-sso-{}", path.replace(' ', "-"));
        let page = sub.clone().display_name(name.clone()).bin_name(name);
        let mut section = Vec::new();
        clap_mangen::Man::new(page)
            .render(&mut section)
            .map_err(io_failure)?;
        // One section per command in the one page: its title as `.SH`, its own sections as
        // `.SS`; the page title and the repeated version section are dropped.
        let text = String::from_utf8_lossy(&section);
        out.extend_from_slice(format!(".SH \"GARMIN-SSO {}\"\n", path.to_uppercase()).as_bytes());
        let mut skipping = false;
        for line in text.lines() {
            if let Some(title) = line.strip_prefix(".SH ") {
                skipping = matches!(title, "NAME" | "VERSION");
                if !skipping {
                    out.extend_from_slice(format!(".SS {title}\n").as_bytes());
                }
                continue;
            }
            if skipping
                || line.starts_with(".TH ")
                || line.starts_with(".ie ")
                || line.starts_with(".el ")
            {
                continue;
            }
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
    }
    write_stdout(&out)
}

/// Every visible command below `cmd`, depth first, with its path (`partner login`): a group such as
/// `vault` gets its own section and so does each of its commands, whose options live there.
fn nested(cmd: &clap::Command, prefix: &str, out: &mut Vec<(String, clap::Command)>) {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let path = format!("{prefix}{}", sub.get_name());
        out.push((path.clone(), sub.clone()));
        nested(sub, &format!("{path} "), out);
    }
}

fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(io_failure)
}

fn io_failure(e: std::io::Error) -> Failure {
    Failure::other(format!("cannot write the output: {e}"))
}
