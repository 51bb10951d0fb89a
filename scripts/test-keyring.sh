#!/usr/bin/env bash
# Runs the keyring store's tests against a real Secret Service: a private D-Bus session bus with an
# unlocked gnome-keyring, so nothing touches the user's own keyring.
set -euo pipefail
cd "$(dirname "$0")/.."
dbus-run-session -- bash -c '
  set -euo pipefail
  printf "" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cargo test --release --locked -p garmin-sso-core --features keyring --test store -- keyring
'
