#!/usr/bin/env bash
# `cargo publish --dry-run` for the crates meant for crates.io (core, simulator, CLI): packages each
# (metadata, README, license files, only the files a user needs), then builds the packaged sources
# as crates.io would, in dependency order (cargo resolves the not-yet-published workspace crates
# from a temporary local registry). The C library and the uniffi crate are shipped as built
# artefacts, not crates. Its own target directory, so the verification builds never mix with the
# workspace's.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
CARGO_TARGET_DIR="$target/publish" cargo publish --workspace --dry-run --locked \
  --exclude garmin-sso-ffi --exclude garmin-sso-uniffi
echo "check-publish: garmin-sso-core, garmin-sso-sim and garmin-sso-cli package and build as published"
