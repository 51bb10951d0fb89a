#!/usr/bin/env bash
# Regenerates include/garmin_sso.h from crates/ffi with a pinned cbindgen.
#   scripts/gen-header.sh            write include/garmin_sso.h
#   scripts/gen-header.sh --check    fail (exit 1, with a diff) when the committed header is stale
# cbindgen is installed once with `cargo install --locked` (its own lock file: reproducible) into
# the target directory, so a second run needs no network.
set -euo pipefail
cd "$(dirname "$0")/.."
CBINDGEN_VERSION=0.29.4
target="${CARGO_TARGET_DIR:-target}"
root="$target/tools/cbindgen-$CBINDGEN_VERSION"
cbindgen="$root/bin/cbindgen"
if ! [ -x "$cbindgen" ] || [ "$("$cbindgen" --version)" != "cbindgen $CBINDGEN_VERSION" ]; then
  echo "gen-header: installing cbindgen $CBINDGEN_VERSION into $root" >&2
  # Its own build directory, so the tool's build never mixes with the workspace's artifacts.
  CARGO_TARGET_DIR="$target/tools/cbindgen-build" \
    cargo install cbindgen --version "=$CBINDGEN_VERSION" --locked --root "$root" --quiet
fi
out=include/garmin_sso.h
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
"$cbindgen" --quiet --config crates/ffi/cbindgen.toml --crate garmin-sso-ffi --output "$tmp" crates/ffi
if [ "${1:-}" = "--check" ]; then
  if ! diff -u "$out" "$tmp"; then
    echo "gen-header: $out is out of date; run scripts/gen-header.sh and commit the result" >&2
    exit 1
  fi
  echo "gen-header: $out is up to date"
else
  mkdir -p include
  cp "$tmp" "$out"
  echo "gen-header: wrote $out"
fi
