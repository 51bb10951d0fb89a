#!/usr/bin/env bash
# Runs the keyring store's tests against a real Secret Service: a private D-Bus session bus with a
# gnome-keyring in a throwaway data folder, so nothing touches the user's own keyring. The unlock
# password must be non-empty: with an empty one gnome-keyring creates no login collection.
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
XDG_DATA_HOME="$data" dbus-run-session -- bash -c '
  set -euo pipefail
  printf "%s" "throwaway-ci-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cargo test --release --locked -p garmin-sso-core --features keyring --test store
'
