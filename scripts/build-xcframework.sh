#!/usr/bin/env bash
# Builds bindings/swift/GarminSSOFFI.xcframework, the binary target of the Swift package
# (Package.swift at the repository root): libgarmin_sso_uniffi as a static library for iOS devices,
# the iOS simulator (arm64 + x86_64) and macOS (arm64 + x86_64), each slice with the generated C
# headers and the module map that declares garmin_sso_uniffiFFI and garmin_sso_coreFFI.
#
#   scripts/build-xcframework.sh            then: swift build (or add the package in Xcode)
#   ZIP=1 scripts/build-xcframework.sh      also GarminSSOFFI.xcframework.zip and its SwiftPM checksum,
#                                           for a release asset (binaryTarget(url:checksum:))
#
# Needs macOS with Xcode (xcodebuild, lipo) and rustup; it adds the Apple Rust targets itself.
# CI runs on Linux: it checks the script parses and that it stops with a clear message there.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(uname -s)" != Darwin ]; then
  echo "build-xcframework: needs macOS with Xcode (xcodebuild, lipo); this is $(uname -s)" >&2
  exit 2
fi
for tool in xcodebuild lipo rustup; do
  command -v "$tool" >/dev/null 2>&1 || { echo "build-xcframework: $tool is missing" >&2; exit 2; }
done

targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
rustup target add "${targets[@]}"
. scripts/lib/workspace.sh
target_dir="$(workspace_target_dir)"
for t in "${targets[@]}"; do
  # The crate builds a cdylib and an rlib; `cargo rustc --crate-type staticlib` adds the static
  # library Apple platforms link, without changing the crate.
  cargo rustc --release --locked -p garmin-sso-uniffi --lib --target "$t" --crate-type staticlib
done

out=bindings/swift/GarminSSOFFI.xcframework
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/ios-sim" "$stage/macos" "$stage/headers"
lib=libgarmin_sso_uniffi.a
lipo -create "$target_dir/aarch64-apple-ios-sim/release/$lib" "$target_dir/x86_64-apple-ios/release/$lib" \
  -output "$stage/ios-sim/$lib"
lipo -create "$target_dir/aarch64-apple-darwin/release/$lib" "$target_dir/x86_64-apple-darwin/release/$lib" \
  -output "$stage/macos/$lib"
# One module map for both C modules: the Swift sources import garmin_sso_uniffiFFI and
# garmin_sso_coreFFI, and a framework's Headers folder may hold only one module.modulemap.
cp bindings/swift/include/garmin_sso_uniffiFFI.h bindings/swift/include/garmin_sso_coreFFI.h \
  bindings/swift/include/module.modulemap "$stage/headers/"

rm -rf "$out"
xcodebuild -create-xcframework \
  -library "$target_dir/aarch64-apple-ios/release/$lib" -headers "$stage/headers" \
  -library "$stage/ios-sim/$lib" -headers "$stage/headers" \
  -library "$stage/macos/$lib" -headers "$stage/headers" \
  -output "$out"
echo "build-xcframework: $out"

if [ "${ZIP:-0}" = 1 ]; then
  (cd bindings/swift && rm -f GarminSSOFFI.xcframework.zip && zip -qry GarminSSOFFI.xcframework.zip GarminSSOFFI.xcframework)
  echo "build-xcframework: bindings/swift/GarminSSOFFI.xcframework.zip, checksum $(swift package compute-checksum bindings/swift/GarminSSOFFI.xcframework.zip)"
fi
