#!/usr/bin/env bash
# Runs one command against a fresh Garmin simulator process:
#   with-sim.sh GARMIN_SSO_CLI [--no-wrap] COMMAND [ARGS...]
# Starts `garmin-sso simulate` on a free loopback port with the test accounts and the partner app of
# test_partner.c, reads the base URL from its first stdout line (a blocking read on a FIFO: no
# polling), exports it as GARMIN_SSO_BASE_URL, runs the command (under $GARMIN_SSO_TEST_WRAPPER,
# e.g. valgrind, when set, unless --no-wrap: a script that applies the wrapper to its own programs),
# and stops the simulator. Exits with the command's status.
set -euo pipefail
cli="$1"; shift
wrapper="${GARMIN_SSO_TEST_WRAPPER:-}"
if [ "${1:-}" = "--no-wrap" ]; then wrapper=""; shift; fi
dir="$(mktemp -d)"
fifo="$dir/url"
mkfifo "$fifo"
"$cli" simulate --listen 127.0.0.1:0 \
  --account 'runner@example.com:correct horse' \
  --account 'mfa@example.com:mfa pass:123456' \
  --locked-account 'locked@example.com:locked pass' \
  --child-account 'child@example.com:child pass' \
  --partner-client 'c-partner-app,c-partner-secret-7d1e,http://127.0.0.1:8765/callback' \
  >"$fifo" 2>"$dir/sim.log" &
sim=$!
cleanup() { kill "$sim" 2>/dev/null || true; wait "$sim" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
exec 3<"$fifo"
if ! read -r url <&3; then
  echo "with-sim: the simulator did not start:" >&2
  cat "$dir/sim.log" >&2
  exit 1
fi
export GARMIN_SSO_BASE_URL="$url"
export GARMIN_SSO_TEST_TMP="$dir"
set +e
$wrapper "$@"
rc=$?
set -e
exit $rc
