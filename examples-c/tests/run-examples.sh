#!/usr/bin/env bash
# The signin and upload examples end to end (run through with-sim.sh --no-wrap): sign in with MFA,
# the password and code typed on stdin; save the tokens; upload a FIT file; upload it again (a
# duplicate, exit 3). Each example runs under $GARMIN_SSO_TEST_WRAPPER (valgrind) when set.
set -euo pipefail
signin="$1"; upload="$2"
tmp="$GARMIN_SSO_TEST_TMP"
run() { ${GARMIN_SSO_TEST_WRAPPER:-} "$@"; }

out="$(printf 'mfa pass\n000000\n123456\n' | run "$signin" --save "$tmp/tokens.json" mfa@example.com)"
echo "$out"
grep -q "signed in as mfa" <<<"$out"
[ "$(stat -c %a "$tmp/tokens.json")" = 600 ]

printf '\016\020example-activity.FIT' >"$tmp/example.fit"
out="$(run "$upload" "$tmp/tokens.json" "$tmp/example.fit")"
echo "$out"
grep -q "uploaded: upload id [0-9]*, 1 imported, 0 refused" <<<"$out"

set +e
out="$(run "$upload" "$tmp/tokens.json" "$tmp/example.fit")"
rc=$?
set -e
echo "$out"
[ "$rc" = 3 ] && grep -q "already has this activity" <<<"$out"
echo "examples passed"
