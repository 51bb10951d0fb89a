#!/usr/bin/env bash
# Fails when the committed bindings under bindings/ differ from what the current Rust code generates.
# Fix with: scripts/gen-bindings.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
scripts/gen-bindings.sh "$tmp" >/dev/null
status=0
while IFS= read -r f; do
  if ! diff -u "bindings/$f" "$tmp/$f" >"$tmp.diff" 2>&1; then
    echo "check-bindings: bindings/$f is out of date:" >&2
    head -40 "$tmp.diff" >&2
    status=1
  fi
done < <(cd "$tmp" && find . -type f | sed 's|^\./||' | sort)
rm -f "$tmp.diff"
if [ "$status" -ne 0 ]; then
  echo "check-bindings: FAILED — run scripts/gen-bindings.sh and commit the result" >&2
  exit 1
fi
echo "check-bindings: bindings are current"
