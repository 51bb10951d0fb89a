#!/usr/bin/env bash
# Builds an Android library (AAR) of the Kotlin bindings: classes.jar (the generated Kotlin, compiled)
# and jni/<ABI>/libgarmin_sso_uniffi.so for each Android ABI, cross-compiled with cargo-ndk. Apps
# add the AAR and JNA's Android build (net.java.dev.jna:jna:5.x@aar), which loads the library from
# jniLibs by its name.
#
#   scripts/build-android-aar.sh [OUT_DIR]   OUT_DIR defaults to <cargo target dir>/android-dist
#
# Needs (checked first; the script stops with what is missing, never half-builds):
#   ANDROID_NDK_HOME (or ANDROID_NDK_ROOT)  an Android NDK (r25 or later)
#   cargo-ndk                               cargo install cargo-ndk
#   rustup targets                          rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android
#   kotlinc, a JDK (jar), JNA's jar         as for scripts/package-kotlin.sh (KOTLINC, JNA_JAR)
#   ANDROID_ABIS                            optional: a subset, e.g. "arm64-v8a x86_64"
#   ANDROID_MIN_SDK                         optional: the minSdk (default 24)
# CI cannot run it (no NDK, no Android Rust targets); it checks the script parses and that it fails
# with a clear message when the NDK is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A rust_target=(
  [arm64-v8a]=aarch64-linux-android
  [armeabi-v7a]=armv7-linux-androideabi
  [x86_64]=x86_64-linux-android
  [x86]=i686-linux-android
)
read -r -a abis <<<"${ANDROID_ABIS:-arm64-v8a armeabi-v7a x86_64 x86}"
min_sdk="${ANDROID_MIN_SDK:-24}"

missing=()
ndk="${ANDROID_NDK_HOME:-${ANDROID_NDK_ROOT:-}}"
if [ -z "$ndk" ]; then
  missing+=("an Android NDK: set ANDROID_NDK_HOME (or ANDROID_NDK_ROOT) to its folder")
elif [ ! -d "$ndk/toolchains/llvm/prebuilt" ]; then
  missing+=("an Android NDK at $ndk (no toolchains/llvm/prebuilt there)")
fi
command -v cargo-ndk >/dev/null 2>&1 || missing+=("cargo-ndk: cargo install cargo-ndk")
installed_targets="$(rustup target list --installed 2>/dev/null || true)"
for abi in "${abis[@]}"; do
  t="${rust_target[$abi]:-}"
  if [ -z "$t" ]; then
    missing+=("a known ABI: $abi is none of ${!rust_target[*]}")
  elif ! grep -qx "$t" <<<"$installed_targets"; then
    missing+=("the Rust target $t ($abi): rustup target add $t")
  fi
done
. scripts/lib/kotlin.sh
kotlinc="$(kotlinc_path)"
[ -x "$kotlinc" ] || missing+=("kotlinc: set KOTLINC, or run scripts/package-kotlin.sh once (installs it into .tools/)")
jna="$(jna_jar)"
[ -f "$jna" ] || missing+=("JNA's jar at $jna: apt-get install libjna-java, or set JNA_JAR")
command -v jar >/dev/null 2>&1 || missing+=("a JDK (jar)")
if [ "${#missing[@]}" -gt 0 ]; then
  echo "build-android-aar: cannot build the AAR on this machine; missing:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 2
fi

. scripts/lib/workspace.sh
target_dir="$(workspace_target_dir)"
version="$(workspace_version)"
out="${1:-$target_dir/android-dist}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

# One cargo-ndk run for every ABI: it sets the NDK's clang as linker per target and copies each
# library to jni/<ABI>/.
ndk_args=()
for abi in "${abis[@]}"; do ndk_args+=(-t "$abi"); done
ANDROID_NDK_HOME="$ndk" cargo ndk "${ndk_args[@]}" --platform "$min_sdk" -o "$stage/aar/jni" \
  build --release --locked -p garmin-sso-uniffi --lib

mkdir -p "$stage/classes"
mapfile -t kt_sources < <(find bindings/kotlin/src/main/kotlin -name '*.kt' | sort)
# JNA's JVM jar has the same API as its Android AAR; the code falls back from java.lang.ref.Cleaner
# to JNA's cleaner on Android by itself.
"$kotlinc" -nowarn -cp "$jna" -d "$stage/classes" "${kt_sources[@]}"
jar --create --file "$stage/aar/classes.jar" -C "$stage/classes" .
cat >"$stage/aar/AndroidManifest.xml" <<XML
<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="garmin.sso">
    <uses-sdk android:minSdkVersion="$min_sdk" />
    <uses-permission android:name="android.permission.INTERNET" />
</manifest>
XML
: >"$stage/aar/R.txt"
# Consumer R8/ProGuard rules, applied to the app that uses the AAR: JNA finds structure fields and
# callbacks by reflection.
cat >"$stage/aar/proguard.txt" <<'PRO'
-keep class com.sun.jna.** { *; }
-keep class * implements com.sun.jna.** { *; }
-keep class garmin.sso.** { *; }
-dontwarn java.awt.**
PRO
for abi in "${abis[@]}"; do
  [ -f "$stage/aar/jni/$abi/libgarmin_sso_uniffi.so" ] \
    || { echo "build-android-aar: cargo-ndk left no jni/$abi/libgarmin_sso_uniffi.so" >&2; exit 1; }
done
aar="$out/garmin-sso-$version.aar"
rm -f "$aar"
(cd "$stage/aar" && jar --create --file "$aar" .)
echo "$aar"
