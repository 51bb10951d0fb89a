#!/usr/bin/env bash
# Regenerates what the CLI renders from its clap definitions: the man page docs/man/garmin-sso.1
# and the shell completions docs/completions/garmin-sso.{bash,zsh,fish}. crates/cli/tests/docs.rs
# fails while a committed file differs from what the CLI renders now.
set -euo pipefail
cd "$(dirname "$0")/.."
cli() { cargo run --quiet --release --locked -p garmin-sso-cli -- "$@"; }
cli manpage > docs/man/garmin-sso.1
echo "gen-man: docs/man/garmin-sso.1"
mkdir -p docs/completions
for shell in bash zsh fish; do
    cli completions "$shell" > "docs/completions/garmin-sso.$shell"
    echo "gen-man: docs/completions/garmin-sso.$shell"
done
