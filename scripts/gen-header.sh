#!/usr/bin/env bash
# Regenerates include/garmin_sso.h from crates/ffi with a pinned cbindgen.
#   scripts/gen-header.sh            write include/garmin_sso.h
#   scripts/gen-header.sh --check    fail (exit 1, with a diff) when the committed header is stale
# cbindgen is built once per machine, pinned and --locked (its own lock file: reproducible), by
# scripts/lib/pinned-tool.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/pinned-tool.sh
cbindgen="$(pinned_tool cbindgen 0.29.4 cbindgen)"
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
