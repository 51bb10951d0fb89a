#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine: C/C++ toolchain bits, Qt 5 and 6, libcurl
# (C transport example), OpenSSL (the C library's default TLS; `openssl s_server` in the TLS test), JNA (Kotlin on the JVM), a Secret Service (keyring store test), valgrind,
# Chromium (headless browser sign-in tests), PostgreSQL (the PostgreSQL token store's tests;
# scripts/with-postgres.sh runs a throwaway cluster). libssl-dev also builds cargo-c
# (scripts/install-c.sh).
# Idempotent: does nothing when everything is present.
set -euo pipefail
pkgs=(cmake pkg-config libssl-dev openssl libcurl4-openssl-dev qtbase5-dev qt6-base-dev qtwebengine5-dev libjna-java
      gnome-keyring dbus dbus-x11 libdbus-1-dev valgrind chromium postgresql)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup-deps: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
