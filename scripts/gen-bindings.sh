#!/usr/bin/env bash
# Builds the uniffi cdylib (release) and generates the Kotlin, Swift and Python bindings from it in
# library mode with the in-workspace uniffi-bindgen (crates/uniffi, feature `cli`).
#
#   scripts/gen-bindings.sh [OUT_ROOT]      OUT_ROOT defaults to bindings/ (check-bindings.sh uses a temp dir)
#
# The library holds two uniffi components: garmin_sso_uniffi (this crate: client, session, errors)
# and garmin_sso_core (the core's shared enums: Flow, ErrorKind, TokenPreference, …, exported by the
# core's `uniffi` feature). Each gets its own generated file per language.
#
# Generated files (committed):
#   kotlin/src/main/kotlin/garmin/sso/garmin_sso_uniffi.kt           (package garmin.sso)
#   kotlin/src/main/kotlin/garmin/sso/core/garmin_sso_core.kt        (package garmin.sso.core)
#   python/src/garmin_sso/_native/garmin_sso_uniffi.py, garmin_sso_core.py   (re-exported by __init__.py)
#   swift/Sources/GarminSSO/garmin_sso_uniffi.swift, garmin_sso_core.swift
#   swift/include/garmin_sso_uniffiFFI.h, garmin_sso_coreFFI.h, module.modulemap (both C modules)
# The Python wheel does not package the committed Python modules: maturin generates them again from
# the library it builds, with this same generator binary (scripts/package-python.sh), and
# scripts/test-bindings.sh checks the wheel's copies equal these.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-bindings}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

. scripts/lib/workspace.sh
target_dir="$(workspace_target_dir)"
lib_file="$(uniffi_lib_file)"

# The generator in the dev profile with the `cli` feature: the very build maturin's
# `cargo run --bin uniffi-bindgen` makes when it packages the Python wheel, so the two share it and
# generate with the uniffi version Cargo.lock pins.
cargo build --locked -p garmin-sso-uniffi --features cli --bin uniffi-bindgen
cargo build --release --locked -p garmin-sso-uniffi --lib
lib="$target_dir/release/$lib_file"
bindgen="$target_dir/debug/uniffi-bindgen"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for lang in kotlin swift python; do
  # --no-format: formatter availability (ktlint, swiftformat) must not change the output.
  # --config: the core component's settings (its own folder has no uniffi.toml).
  "$bindgen" generate --library "$lib" --config crates/uniffi/bindgen.toml --language "$lang" \
    --out-dir "$tmp/$lang" --no-format >/dev/null
done

place() { # place SRC DEST
  mkdir -p "$(dirname "$2")"
  cp "$1" "$2"
}
place "$tmp/kotlin/garmin/sso/garmin_sso_uniffi.kt" "$out/kotlin/src/main/kotlin/garmin/sso/garmin_sso_uniffi.kt"
place "$tmp/kotlin/garmin/sso/core/garmin_sso_core.kt" "$out/kotlin/src/main/kotlin/garmin/sso/core/garmin_sso_core.kt"
for component in garmin_sso_uniffi garmin_sso_core; do
  place "$tmp/python/$component.py" "$out/python/src/garmin_sso/_native/$component.py"
  place "$tmp/swift/$component.swift" "$out/swift/Sources/GarminSSO/$component.swift"
  place "$tmp/swift/${component}FFI.h" "$out/swift/include/${component}FFI.h"
done
# One module map declaring both C modules (each generated map ends without a newline).
for component in garmin_sso_uniffi garmin_sso_core; do
  cat "$tmp/swift/${component}FFI.modulemap"
  echo
done >"$out/swift/include/module.modulemap"
echo "gen-bindings: bindings generated under $out from $lib"
