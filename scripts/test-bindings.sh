#!/usr/bin/env bash
# The uniffi bindings end to end, non-interactive (CI=true, no stdin):
#   1. the committed bindings are current (scripts/check-bindings.sh; builds the release cdylib),
#   2. Python: a venv with pytest, the package pip-installed from bindings/python, pytest against the
#      simulator (garmin-sso simulate),
#   3. Kotlin: kotlinc from npm (installed into .tools/ when absent) compiles the generated bindings
#      with bindings/kotlin/test/Main.kt; it runs on the JVM with JNA against the simulator,
#   4. Swift: the generated C header compiles and every symbol it declares is exported by the library.
#
# Usage: CI=true scripts/test-bindings.sh
# Needs: cargo, python3 (with venv), a JDK (java), npm, cc, nm, and JNA (Debian: libjna-java; or set JNA_JAR).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
step() { printf '\n--- test-bindings: %s\n' "$*"; }

target_dir="$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
case "$(uname -s)" in
  Darwin) lib_file=libgarmin_sso_uniffi.dylib ;;
  *) lib_file=libgarmin_sso_uniffi.so ;;
esac
lib="$target_dir/release/$lib_file"

step "bindings are current"
scripts/check-bindings.sh

step "release builds: the library (into the Python package) and the simulator CLI"
cargo build --release --locked -p garmin-sso-uniffi --lib --features sqlite
cargo build --release --locked -p garmin-sso-cli
cp "$lib" bindings/python/src/garmin_sso/
export GARMIN_SSO_BIN="$target_dir/release/garmin-sso"

step "Python: venv, pip install bindings/python, pytest"
venv="${GARMIN_SSO_VENV:-$root/bindings/python/.venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check --quiet)
"${pip[@]}" install "pytest>=7"
"${pip[@]}" install --force-reinstall --no-deps "$root/bindings/python"
# Run from the tests folder so `import garmin_sso` finds the installed package, not src/.
(cd bindings/python/tests && "$venv/bin/python" -m pytest -q -p no:cacheprovider)

step "Kotlin: kotlinc + JNA on the JVM"
kotlinc="${KOTLINC:-}"
if [ -z "$kotlinc" ]; then
  if command -v kotlinc >/dev/null 2>&1; then
    kotlinc="$(command -v kotlinc)"
  else
    kotlinc="$root/.tools/node_modules/kotlin-compiler/bin/kotlinc"
    if [ ! -x "$kotlinc" ]; then
      echo "installing kotlinc from npm into .tools/"
      npm install --prefix "$root/.tools" --no-audit --no-fund --loglevel=error "kotlin-compiler@${KOTLIN_COMPILER_VERSION:-2.4.20}"
    fi
  fi
fi
jna="${JNA_JAR:-/usr/share/java/jna.jar}"
[ -f "$jna" ] || { echo "test-bindings: no JNA jar at $jna (apt-get install libjna-java, or set JNA_JAR)" >&2; exit 1; }
kt_out="$target_dir/kotlin-test"
rm -rf "$kt_out" && mkdir -p "$kt_out"
# Both generated components: garmin.sso (garmin_sso_uniffi.kt) and garmin.sso.core (garmin_sso_core.kt).
mapfile -t kt_sources < <(find bindings/kotlin/src/main/kotlin -name '*.kt' | sort)
"$kotlinc" -nowarn -include-runtime -cp "$jna" -d "$kt_out/bindings-test.jar" \
  "${kt_sources[@]}" bindings/kotlin/test/Main.kt
java -Djna.library.path="$target_dir/release" -cp "$kt_out/bindings-test.jar:$jna" MainKt "$GARMIN_SSO_BIN"

step "Swift: C header compiles; every declared symbol is exported"
bindings/swift/check-header.sh "$lib"

step "all binding tests passed"
