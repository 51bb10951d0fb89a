#!/usr/bin/env bash
# Builds the JVM jar of the Kotlin bindings: the generated Kotlin (garmin.sso, garmin.sso.core)
# compiled, plus libgarmin_sso_uniffi under JNA's resource path for this machine
# (linux-x86-64/, darwin-aarch64/, …), where JNA finds it on the class path. So
#   java -cp garmin-sso-VERSION.jar:jna.jar:your-app.jar …
# works from any folder, with no -Djna.library.path and no LD_LIBRARY_PATH.
# The jar carries no Kotlin runtime (the app brings its own kotlin-stdlib, as with any Kotlin
# library) and no JNA (Debian: libjna-java; Maven: net.java.dev.jna:jna).
#
#   scripts/package-kotlin.sh [OUT_DIR]     OUT_DIR defaults to <cargo target dir>/kotlin-dist
#
# Needs: cargo, a JDK (jar), kotlinc (KOTLINC, or on the PATH, or installed from npm into .tools/),
# JNA (/usr/share/java/jna.jar or JNA_JAR). Android: scripts/build-android-aar.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/workspace.sh
target_dir="$(workspace_target_dir)"
version="$(workspace_version)"
out="${1:-$target_dir/kotlin-dist}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# JNA's resource prefix (com.sun.jna.Platform.RESOURCE_PREFIX) for the machine building the jar.
case "$(uname -m)" in
  x86_64 | amd64) arch=x86-64 ;;
  aarch64 | arm64) arch=aarch64 ;;
  *) echo "package-kotlin: no JNA resource prefix known for $(uname -m)" >&2; exit 1 ;;
esac
case "$(uname -s)" in
  Linux) prefix="linux-$arch" ;;
  Darwin) prefix="darwin-$arch" ;;
  *) echo "package-kotlin: unsupported OS $(uname -s)" >&2; exit 1 ;;
esac
lib_file="$(uniffi_lib_file)"

. scripts/lib/kotlin.sh
kotlinc="$(kotlinc_path --install)"
jna="$(jna_jar)"
[ -f "$jna" ] || { echo "package-kotlin: no JNA jar at $jna (apt-get install libjna-java, or set JNA_JAR)" >&2; exit 1; }

# The library as apps ship it: default features (no SQLite store), as for Android and iOS, for
# sure, whatever the last build of it had (the Python wheel's sqlite).
forget_uniffi_lib "$target_dir"
cargo build --release --locked -p garmin-sso-uniffi --lib

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/classes/$prefix"
# Both generated components: garmin.sso (garmin_sso_uniffi.kt) and garmin.sso.core (garmin_sso_core.kt).
mapfile -t kt_sources < <(find bindings/kotlin/src/main/kotlin -name '*.kt' | sort)
"$kotlinc" -nowarn -cp "$jna" -d "$stage/classes" "${kt_sources[@]}"
cp "$target_dir/release/$lib_file" "$stage/classes/$prefix/"
jar_file="$out/garmin-sso-$version.jar"
rm -f "$jar_file"
jar --create --file "$jar_file" -C "$stage/classes" .
echo "$jar_file"
