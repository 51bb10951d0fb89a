#!/usr/bin/env bash
# Regenerates docs/man/garmin-sso.1 from the CLI's clap definitions (crates/cli/tests/docs.rs fails
# while the committed page differs from what the CLI renders).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --release --locked -p garmin-sso-cli -- manpage > docs/man/garmin-sso.1
echo "gen-man: docs/man/garmin-sso.1"
