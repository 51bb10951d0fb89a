//! `garmin-sso`: sign in to Garmin Connect, call its API, and run a local Garmin simulator.
//!
//! Exit codes are a table over the core's `ErrorKind` (`exit.rs`); scripts read them and the
//! `--json` objects (`output.rs`), both documented in docs/cli.md. Logs go to stderr
//! (`RUST_LOG=info`) and never carry secrets.

// This is a command-line program: printing to stdout is its job.
#![allow(clippy::print_stdout)]

mod api;
mod cli;
mod context;
mod demo;
mod docs;
mod doctor;
mod exit;
mod input;
mod logging;
mod login;
mod output;
mod partner;
mod progress;
mod simulate;
mod timefmt;
mod tokens;
mod vault;

use clap::Parser;
use cli::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    logging::init();
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Login(a) => login::login(a),
        Command::BrowserUrl(a) => login::browser_url(a),
        Command::ExchangeTicket(a) => login::exchange_ticket(a),
        Command::Partner(c) => partner::run(c),
        Command::Simulate(a) => simulate::run(a),
        Command::Demo(a) => demo::run(a),
        Command::Get(a) => api::get(a),
        Command::Upload(a) => api::upload(a),
        Command::Refresh(a) => api::refresh(a),
        Command::Doctor(a) => doctor::run(a),
        Command::Status(a) => tokens::status(a),
        Command::Logout(a) => tokens::logout(a),
        Command::Export(a) => tokens::export(a),
        Command::Import(a) => tokens::import(a),
        Command::Vault(c) => vault::run(c),
        Command::Completions(a) => docs::completions(a),
        Command::Manpage => docs::manpage(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            // Under --json the failure is stdout's one object; the line on stderr is for the
            // person watching.
            if json_requested(&cli.command) && !f.reported {
                output::print_json(&f.to_json());
            }
            eprintln!("garmin-sso: {f}");
            f.exit_code()
        }
    }
}

/// The commands with `--json` (docs/cli.md), and whether it was given.
fn json_requested(command: &Command) -> bool {
    match command {
        Command::Login(a) => a.json.json,
        Command::Status(a) => a.json.json,
        Command::Upload(a) => a.json.json,
        Command::Refresh(a) => a.json.json,
        Command::Doctor(a) => a.json.json,
        _ => false,
    }
}
