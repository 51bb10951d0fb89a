//! Shell completions and the man page come from the parser's own definitions: every command is
//! in them, and the committed man page is what the CLI renders now.

use std::process::Command;

const COMMANDS: [&str; 9] = [
    "login", "upload", "status", "refresh", "doctor", "logout", "export", "import", "vault",
];

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_garmin-sso"))
        .args(args)
        .output()
        .expect("run garmin-sso");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[test]
fn completions_name_every_command_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = run(&["completions", shell]);
        for cmd in COMMANDS {
            assert!(script.contains(cmd), "{shell} completions lack `{cmd}`");
        }
        assert!(
            script.contains("token-dir"),
            "{shell} completions lack options"
        );
    }
    assert!(run(&["completions", "bash"]).contains("complete -F _garmin__sso"));
}

/// The completions shipped in docs/completions/ (for packagers, and for people without the
/// binary at hand) are what the CLI renders now.
#[test]
fn the_committed_completions_are_current() {
    for shell in ["bash", "zsh", "fish"] {
        let path = format!(
            "{}/../../docs/completions/garmin-sso.{shell}",
            env!("CARGO_MANIFEST_DIR")
        );
        let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(
            run(&["completions", shell]) == committed,
            "docs/completions/garmin-sso.{shell} is stale: run scripts/gen-man.sh"
        );
        assert!(committed.contains("doctor") && committed.contains("json"));
    }
    // And the bash one at least parses (bash is everywhere the tests run; zsh and fish are not).
    let bash = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/completions/garmin-sso.bash"
    );
    let check = Command::new("bash")
        .args(["-n", bash])
        .output()
        .expect("bash");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn an_unknown_shell_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_garmin-sso"))
        .args(["completions", "tcsh"])
        .output()
        .expect("run garmin-sso");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("tcsh"));
}

#[test]
fn the_committed_man_page_is_current_and_documents_every_command() {
    let page = run(&["manpage"]);
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/man/garmin-sso.1"
    ))
    .expect("docs/man/garmin-sso.1");
    assert!(
        page == committed,
        "docs/man/garmin-sso.1 is stale: run scripts/gen-man.sh"
    );
    for cmd in COMMANDS {
        let title = format!(".SH \"GARMIN-SSO {}\"", cmd.to_uppercase());
        assert!(page.contains(&title), "no section {title}");
    }
    assert!(page.starts_with(".ie") && page.contains(".TH garmin-sso 1"));
}
