#!/usr/bin/env bash
# `cargo publish --dry-run` for the crates meant for crates.io (core, simulator, CLI): packages each
# (metadata, README, license files, only the files a user needs), then builds the packaged sources
# as crates.io would, in dependency order (cargo resolves the not-yet-published workspace crates
# from a temporary local registry), in its own target directory so the verification builds never
# mix with the workspace's. The C library and the uniffi crate are shipped as built artefacts, not
# crates. Then `cargo install --path crates/cli` and the installed binary's demo.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
CARGO_TARGET_DIR="$target/publish" cargo publish --workspace --dry-run --locked \
  --exclude garmin-sso-ffi --exclude garmin-sso-uniffi
echo "check-publish: garmin-sso-core, garmin-sso-sim and garmin-sso-cli package and build as published"

# What a user of the repository types: `cargo install --path crates/cli` gives a working
# `garmin-sso`. Built in the workspace's target directory (only the core and the CLI recompile,
# for the CLI's own feature set: about a minute), installed into a throwaway root, then its demo
# runs a whole sign-in against the simulator built into it.
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
CARGO_TARGET_DIR="$target" cargo install --locked --quiet --path crates/cli --root "$root"
"$root/bin/garmin-sso" demo </dev/null >"$root/demo.log" \
  || { cat "$root/demo.log"; echo "check-publish: the installed garmin-sso demo failed" >&2; exit 1; }
grep -q '^Done\. The simulator answered' "$root/demo.log" \
  || { cat "$root/demo.log"; echo "check-publish: the installed garmin-sso demo did not finish" >&2; exit 1; }
echo "check-publish: cargo install --path crates/cli: $("$root/bin/garmin-sso" --version), its demo signs in"
