#!/usr/bin/env bash
# Builds the uniffi cdylib (release) and generates the Kotlin, Swift and Python bindings from it in
# library mode with the in-workspace uniffi-bindgen (crates/uniffi, feature `cli`).
#
#   scripts/gen-bindings.sh [OUT_ROOT]      OUT_ROOT defaults to bindings/ (check-bindings.sh uses a temp dir)
#
# Generated files (committed):
#   kotlin/src/main/kotlin/garmin/sso/garmin_sso_uniffi.kt
#   python/src/garmin_sso/garmin_sso_uniffi.py
#   swift/Sources/GarminSSO/garmin_sso_uniffi.swift
#   swift/include/garmin_sso_uniffiFFI.h, swift/include/module.modulemap
# The shared library is also copied into python/src/garmin_sso/ so the package can be pip-installed;
# it is build output and git-ignored.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-bindings}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

target_dir="$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
case "$(uname -s)" in
  Darwin) lib_file=libgarmin_sso_uniffi.dylib ;;
  *) lib_file=libgarmin_sso_uniffi.so ;;
esac

# The generator first: building it compiles the library with the `cli` feature, so the plain cdylib
# is built last and is what ends up in target/release.
cargo build --release --locked -p garmin-sso-uniffi --features cli --bin uniffi-bindgen
cargo build --release --locked -p garmin-sso-uniffi --lib
lib="$target_dir/release/$lib_file"
bindgen="$target_dir/release/uniffi-bindgen"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for lang in kotlin swift python; do
  # --no-format: formatter availability (ktlint, swiftformat) must not change the output.
  "$bindgen" generate --library "$lib" --crate garmin_sso_uniffi --language "$lang" \
    --out-dir "$tmp/$lang" --no-format >/dev/null
done

place() { # place SRC DEST
  mkdir -p "$(dirname "$2")"
  cp "$1" "$2"
}
place "$tmp/kotlin/garmin/sso/garmin_sso_uniffi.kt" "$out/kotlin/src/main/kotlin/garmin/sso/garmin_sso_uniffi.kt"
place "$tmp/python/garmin_sso_uniffi.py" "$out/python/src/garmin_sso/garmin_sso_uniffi.py"
place "$tmp/swift/garmin_sso_uniffi.swift" "$out/swift/Sources/GarminSSO/garmin_sso_uniffi.swift"
place "$tmp/swift/garmin_sso_uniffiFFI.h" "$out/swift/include/garmin_sso_uniffiFFI.h"
place "$tmp/swift/garmin_sso_uniffiFFI.modulemap" "$out/swift/include/module.modulemap"
place "$lib" "$out/python/src/garmin_sso/$lib_file"
echo "gen-bindings: bindings generated under $out from $lib"
