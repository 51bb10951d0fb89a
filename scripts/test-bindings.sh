#!/usr/bin/env bash
# The uniffi bindings end to end, each installed the way its ecosystem installs things, and tested
# from outside the source tree, non-interactive (CI=true, no stdin):
#   1. the committed bindings are current (scripts/check-bindings.sh),
#   2. Python: the wheel and sdist (scripts/package-python.sh, maturin); the wheel's generated modules
#      are the committed ones; the wheel installed into a fresh venv in a temp folder and the pytest
#      suite run from a copy of the tests there (the import must come from site-packages), against the
#      simulator (garmin-sso simulate); the sdist built into a wheel by pip, as a user with a Rust
#      toolchain installs it,
#   3. Kotlin: the jar (scripts/package-kotlin.sh) with the native library at JNA's resource path;
#      bindings/kotlin/test/Main.kt compiled against it and run from a temp folder with
#      `java -cp garmin-sso.jar:jna.jar:test.jar`, no library path; the Android AAR script parses and
#      stops with a clear message without an NDK,
#   4. Swift: the generated C headers compile and every symbol they declare is exported by the
#      library; Package.swift names files that exist; the xcframework script parses and stops with a
#      clear message off macOS.
#
# Usage: CI=true scripts/test-bindings.sh
# Needs: cargo, python3 (with venv), a JDK (java, jar), npm, cc, nm, and JNA (Debian: libjna-java; or
# set JNA_JAR). Installs maturin (PyPI, into .tools/) and kotlinc (npm, into .tools/) when absent.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
step() { printf '\n--- test-bindings: %s\n' "$*"; }

. scripts/lib/workspace.sh
target_dir="$(workspace_target_dir)"
export CARGO_TARGET_DIR="$target_dir" # the sdist build below reuses it, from another folder
lib_file="$(uniffi_lib_file)"
lib="$target_dir/release/$lib_file"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

step "bindings are current"
scripts/check-bindings.sh

step "the simulator CLI (release)"
cargo build --release --locked -p garmin-sso-cli
export GARMIN_SSO_BIN="$target_dir/release/garmin-sso"

step "Python: wheel and sdist (maturin, bindings = uniffi)"
dist="$work/python-dist"
scripts/package-python.sh "$dist"
wheel="$(ls "$dist"/garmin_sso-*.whl)"
sdist="$(ls "$dist"/garmin_sso-*.tar.gz)"
version="$(workspace_version)"
case "$(basename "$wheel")" in
  "garmin_sso-$version-"*) ;;
  *) echo "test-bindings: the wheel $(basename "$wheel") does not carry the Cargo version $version" >&2; exit 1 ;;
esac
# One source of truth: maturin generated the modules with the workspace's uniffi-bindgen from the
# library it built; they must be the committed ones (which check-bindings just compared with the
# Rust code), and the wheel must carry exactly one copy of each, beside the library.
python3 - "$wheel" "$lib_file" <<'PY'
import pathlib, sys, zipfile
wheel, lib_file = sys.argv[1], sys.argv[2]
committed = pathlib.Path("bindings/python/src/garmin_sso/_native")
names = zipfile.ZipFile(wheel).namelist()
expected = {"garmin_sso/__init__.py", "garmin_sso/_native/__init__.py", f"garmin_sso/_native/{lib_file}"}
expected |= {f"garmin_sso/_native/{p.name}" for p in committed.glob("*.py")}
package = {n for n in names if n.startswith("garmin_sso/")}
if package != expected:
    sys.exit(f"test-bindings: the wheel's package files {sorted(package)} are not {sorted(expected)}")
z = zipfile.ZipFile(wheel)
for p in sorted(committed.glob("*.py")):
    if z.read(f"garmin_sso/_native/{p.name}") != p.read_bytes():
        sys.exit(f"test-bindings: the wheel's garmin_sso/_native/{p.name} differs from {p} (maturin's uniffi-bindgen is not the workspace's?)")
print(f"test-bindings: {pathlib.Path(wheel).name}: {len(package)} package files; generated modules equal the committed ones")
PY

step "Python: the wheel in a fresh venv outside the tree, pytest from a copy of the tests"
python3 -m venv "$work/venv"
pip=("$work/venv/bin/python" -m pip --disable-pip-version-check --quiet)
"${pip[@]}" install "pytest>=7" "$wheel"
cp -r bindings/python/tests "$work/tests"
cd "$work/tests"
"$work/venv/bin/python" - <<'PY'
import pathlib, sysconfig
import garmin_sso
where = pathlib.Path(garmin_sso.__file__).resolve()
site = pathlib.Path(sysconfig.get_paths()["purelib"]).resolve()
assert site in where.parents, f"garmin_sso imported from {where}, not from {site}"
print(f"test-bindings: garmin_sso imported from {where.parent}")
PY
"$work/venv/bin/python" -m pytest -q -p no:cacheprovider
cd "$root"

step "Python: the sdist builds into a wheel (pip, with the Rust toolchain)"
# pip builds in an isolated environment with the maturin the sdist's pyproject.toml pins (from PyPI),
# from the unpacked sdist in a temp folder; CARGO_TARGET_DIR keeps the dependencies compiled above.
"${pip[@]}" wheel --no-deps --wheel-dir "$work/from-sdist" "$sdist"
python3 - "$work/from-sdist" "$lib_file" <<'PY'
import pathlib, sys, zipfile
[wheel] = pathlib.Path(sys.argv[1]).glob("garmin_sso-*.whl")
names = set(zipfile.ZipFile(wheel).namelist())
for need in ("garmin_sso/__init__.py", "garmin_sso/_native/garmin_sso_uniffi.py",
             "garmin_sso/_native/garmin_sso_core.py", f"garmin_sso/_native/{sys.argv[2]}"):
    if need not in names:
        sys.exit(f"test-bindings: {wheel.name} (from the sdist) lacks {need}")
print(f"test-bindings: the sdist built {wheel.name}")
PY
python3 -m venv "$work/venv-sdist"
"$work/venv-sdist/bin/python" -m pip --disable-pip-version-check --quiet install "$work"/from-sdist/garmin_sso-*.whl
(cd "$work" && "$work/venv-sdist/bin/python" -c 'import garmin_sso as g; g.GarminClient(g.GarminConfig(), None); print("test-bindings: the wheel from the sdist imports and makes a client")')

step "Kotlin: the jar (native library at JNA's resource path), Main.kt from a temp folder"
kotlin_dist="$work/kotlin-dist"
scripts/package-kotlin.sh "$kotlin_dist"
jar_file="$(ls "$kotlin_dist"/garmin-sso-*.jar)"
python3 - "$jar_file" "$lib_file" <<'PY'
import re, sys, zipfile
jar, lib = sys.argv[1], sys.argv[2]
hits = [n for n in zipfile.ZipFile(jar).namelist() if re.fullmatch(r"(linux|darwin)-[a-z0-9-]+/" + re.escape(lib), n)]
if not hits:
    sys.exit(f"test-bindings: {jar} has no native library at JNA's resource path")
print(f"test-bindings: {jar.rsplit('/', 1)[-1]} carries {hits[0]}")
PY
. scripts/lib/kotlin.sh
kotlinc="$(kotlinc_path)"
jna="$(jna_jar)"
mkdir -p "$work/kotlin-app"
cp "$jar_file" "$work/kotlin-app/garmin-sso.jar"
cp "$jna" "$work/kotlin-app/jna.jar"
# The test program as an app: its own jar with the Kotlin runtime, the library jar and JNA beside it.
"$kotlinc" -nowarn -include-runtime -cp "$work/kotlin-app/garmin-sso.jar:$work/kotlin-app/jna.jar" \
  -d "$work/kotlin-app/test.jar" bindings/kotlin/test/Main.kt
(cd "$work/kotlin-app" && env -u LD_LIBRARY_PATH java -cp garmin-sso.jar:jna.jar:test.jar MainKt "$GARMIN_SSO_BIN")

step "Android: scripts/build-android-aar.sh parses, and without an NDK says what is missing"
bash -n scripts/build-android-aar.sh
if [ -z "${ANDROID_NDK_HOME:-}${ANDROID_NDK_ROOT:-}" ]; then
  set +e
  scripts/build-android-aar.sh "$work/android" >/dev/null 2>"$work/aar.err"
  rc=$?
  set -e
  if [ "$rc" -ne 2 ] || ! grep -q "an Android NDK: set ANDROID_NDK_HOME" "$work/aar.err"; then
    echo "test-bindings: build-android-aar.sh without an NDK exited $rc:" >&2
    cat "$work/aar.err" >&2
    exit 1
  fi
  echo "test-bindings: build-android-aar.sh stops without an NDK (exit 2, names what is missing)"
fi

step "Swift: C headers compile; every declared symbol is exported; Package.swift names real files"
bindings/swift/check-header.sh "$lib"
python3 bindings/swift/check-package.py
bash -n scripts/build-xcframework.sh
if [ "$(uname -s)" != Darwin ]; then
  set +e
  scripts/build-xcframework.sh >/dev/null 2>"$work/xcf.err"
  rc=$?
  set -e
  [ "$rc" -eq 2 ] && grep -q "needs macOS" "$work/xcf.err" \
    || { echo "test-bindings: build-xcframework.sh off macOS exited $rc:" >&2; cat "$work/xcf.err" >&2; exit 1; }
  echo "test-bindings: build-xcframework.sh stops off macOS (exit 2)"
fi

step "all binding tests passed"
