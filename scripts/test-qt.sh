#!/usr/bin/env bash
# The Qt example (examples-qt/) twice: qmake + Qt 5.15 (how QDomyos-Zwift builds) and CMake + Qt 6
# through the C ABI's CMake package. Each build runs the QtTest suite headless against the simulator
# (`garmin-sso simulate` on 127.0.0.1). Then the QDomyos-Zwift drop-in's suite
# (examples-qt/qdomyos-zwift/tests) with qmake + Qt 5, and both qmake suites once more against the
# transport-free library (cargo --no-default-features: no ureq, no TLS library), built into its own
# target folder so it never replaces the normal one. Needs: cargo, cmake, g++, make, qtbase5-dev,
# qt6-base-dev.
#
#   scripts/test-qt.sh            (CI: the same; no stdin, no display needed)
#
# Environment: CARGO_TARGET_DIR (default target/), QT_TEST_BUILD_DIR (default $CARGO_TARGET_DIR/qt-example).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
export CI="${CI:-true}" QT_QPA_PLATFORM=offscreen CARGO_TERM_COLOR=never
target_dir=$(realpath -m "${CARGO_TARGET_DIR:-target}")
libdir="$target_dir/release"
build_root=$(realpath -m "${QT_TEST_BUILD_DIR:-$target_dir/qt-example}")
export GARMIN_SSO_BIN="$libdir/garmin-sso" GARMIN_SSO_LIBDIR="$libdir"

step() { printf '\n=== %s\n' "$*"; }

qmake5=""
for q in /usr/lib/qt5/bin/qmake "$(command -v qmake-qt5 || true)"; do
  [ -n "$q" ] && [ -x "$q" ] && { qmake5=$q; break; }
done
[ -n "$qmake5" ] || { echo "test-qt: qmake for Qt 5 not found (apt-get install qtbase5-dev)" >&2; exit 1; }

step "cargo build --release -p garmin-sso-ffi -p garmin-sso-cli (library + simulator)"
# Cargo decides whether anything is stale; a no-op when the release build is current.
cargo build --release --locked -p garmin-sso-ffi -p garmin-sso-cli
test -f "$libdir/libgarmin_sso.so" && test -f "$libdir/libgarmin_sso.a" && test -x "$GARMIN_SSO_BIN"

step "cargo build --release -p garmin-sso-ffi --no-default-features (transport-free library)"
nt_target="$target_dir/no-transport"
nt_libdir="$nt_target/release"
CARGO_TARGET_DIR="$nt_target" cargo build --release --locked -p garmin-sso-ffi --no-default-features
test -f "$nt_libdir/libgarmin_sso.so" && test -f "$nt_libdir/libgarmin_sso.a"
# The point of the build: none of the HTTP/TLS stack is in it.
nt_tree=$(cargo tree --locked -p garmin-sso-ffi --no-default-features -e normal,build --prefix none)
if grep -E '^(ureq|ureq-proto|rustls|rustls-webpki|ring|webpki-roots|native-tls|openssl|openssl-sys) ' <<<"$nt_tree" | sort -u | grep .; then
  echo "test-qt: the transport-free build still depends on the crates above" >&2
  exit 1
fi
echo "no ureq, rustls, ring or OpenSSL in: cargo tree -p garmin-sso-ffi --no-default-features"

step "C against the transport-free library: the libcurl transport signs in; no transport is refused"
cc -std=c99 -Wall -Wextra -Werror -I"$repo/include" "$repo/examples-c/curl_transport.c" \
  -o "$nt_target/curl_transport" -L"$nt_libdir" -lgarmin_sso -lcurl -Wl,-rpath,"$nt_libdir"
"$repo/examples-c/tests/with-sim.sh" "$GARMIN_SSO_BIN" "$nt_target/curl_transport" \
  runner@example.com "correct horse" </dev/null | tee "$nt_target/curl_transport.log"
grep -q "signed in as runner" "$nt_target/curl_transport.log"
printf '#include "garmin_sso.h"\n#include <stdio.h>\n#include <string.h>\nint main(void) {\n  garmin_sso_config *c = NULL; garmin_sso_client *cl = NULL;\n  if (garmin_sso_config_new("garmin.com", &c) != GARMIN_SSO_STATUS_OK) return 2;\n  garmin_sso_status s = garmin_sso_client_new(c, &cl);\n  garmin_sso_config_free(c);\n  printf("%%s: %%s\\n", garmin_sso_status_name(s), garmin_sso_last_error_message());\n  return s == GARMIN_SSO_STATUS_INVALID_INPUT && cl == NULL && strstr(garmin_sso_last_error_message(), "transport") ? 0 : 1;\n}\n' \
  >"$nt_target/no_transport.c"
cc -std=c99 -Wall -Werror -I"$repo/include" "$nt_target/no_transport.c" -o "$nt_target/no_transport" \
  -L"$nt_libdir" -lgarmin_sso -Wl,-rpath,"$nt_libdir"
"$nt_target/no_transport"

# Runs the suite; its output goes to a log so the totals can be repeated at the end.
run_suite() { # name binary
  local name=$1 bin=$2 log="$build_root/$1.log"
  step "QtTest ($name): $bin"
  set +e
  "$bin" -o "$log,txt" -o -,txt </dev/null
  local rc=$?
  set -e
  totals+=("$name: $(grep -E '^Totals:' "$log" || echo 'no totals (crashed?)')")
  return $rc
}
totals=()
status=0

step "qmake + Qt 5 ($("$qmake5" -query QT_VERSION)), one-line include of examples-qt/garmin_sso.pri"
rm -rf "$build_root/qmake-qt5" && mkdir -p "$build_root/qmake-qt5"
(cd "$build_root/qmake-qt5" &&
  "$qmake5" "$repo/examples-qt/examples-qt.pro" GARMIN_SSO_LIBDIR="$libdir" GARMIN_SSO_BIN="$GARMIN_SSO_BIN" &&
  make -j"$(nproc)" -s)
run_suite qt5-qmake "$build_root/qmake-qt5/tests/tst_garminconnect_sso" || status=1

# qmake + Qt 5 builds of a .pro against one library folder. `name` names the build folder.
qmake_build() { # name pro libdir
  local dir="$build_root/$1"
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && "$qmake5" "$2" GARMIN_SSO_LIBDIR="$3" GARMIN_SSO_BIN="$GARMIN_SSO_BIN" && make -j"$(nproc)" -s)
}

step "QDomyos-Zwift drop-in (examples-qt/qdomyos-zwift), qmake + Qt 5"
qmake_build qdz-qt5 "$repo/examples-qt/qdomyos-zwift/tests/tests.pro" "$libdir"
run_suite qdz-qt5-qmake "$build_root/qdz-qt5/tst_qdomyos_zwift_dropin" || status=1

step "QtWebEngine web-view sign-in (examples-qt/webview), qmake + Qt 5, offscreen"
# Chromium inside QtWebEngine runs headless here: QT_QPA_PLATFORM=offscreen, Qt Quick's software
# backend, --disable-gpu; the test sets those (and QTWEBENGINE_DISABLE_SANDBOX=1 as root) itself.
if [ -f "$("$qmake5" -query QT_INSTALL_HEADERS)/QtWebEngineWidgets/QWebEngineView" ]; then
  qmake_build webview-qt5 "$repo/examples-qt/webview/tests/tests.pro" "$libdir"
  run_suite webview-qt5-qmake "$build_root/webview-qt5/tst_garmin_web_sign_in" || status=1
elif [ "$CI" = true ] || [ "$CI" = 1 ]; then
  echo "test-qt: CI=true but QtWebEngine for Qt 5 is missing (apt-get install qtwebengine5-dev)" >&2
  status=1
else
  echo "test-qt: skipped the web-view suite: no QtWebEngine for Qt 5 (apt-get install qtwebengine5-dev)"
fi

step "transport-free library: the qmake + Qt 5 suites again, HTTP only through QNetworkAccessManager"
qmake_build qmake-qt5-no-transport "$repo/examples-qt/examples-qt.pro" "$nt_libdir"
qmake_build qdz-qt5-no-transport "$repo/examples-qt/qdomyos-zwift/tests/tests.pro" "$nt_libdir"
# The binaries must have linked (rpath) the transport-free library, not the normal one.
ldd "$build_root/qdz-qt5-no-transport/tst_qdomyos_zwift_dropin" | grep -F "$nt_libdir/libgarmin_sso.so"
GARMIN_SSO_EXPECT_NO_TRANSPORT=1 run_suite qt5-qmake-no-transport \
  "$build_root/qmake-qt5-no-transport/tests/tst_garminconnect_sso" || status=1
GARMIN_SSO_EXPECT_NO_TRANSPORT=1 run_suite qdz-qt5-qmake-no-transport \
  "$build_root/qdz-qt5-no-transport/tst_qdomyos_zwift_dropin" || status=1

step "CMake + Qt 6, find_package(garmin_sso) from an install prefix"
prefix="$build_root/prefix"
rm -rf "$prefix" "$build_root/cmake-qt6" && mkdir -p "$build_root"
scripts/install-c.sh "$prefix"
cmake -S examples-qt -B "$build_root/cmake-qt6" -DGARMIN_SSO_QT_MAJOR=6 \
  -DGARMIN_SSO_BIN="$GARMIN_SSO_BIN" -DCMAKE_BUILD_TYPE=Release \
  "-DCMAKE_PREFIX_PATH=$prefix" -DGARMIN_SSO_REQUIRE_PACKAGE=ON >"$build_root/cmake-configure.log"
# Which libgarmin_sso CMake found (the package config, as REQUIRE_PACKAGE demands).
grep -E 'libgarmin_sso:' "$build_root/cmake-configure.log"
cmake --build "$build_root/cmake-qt6" -j"$(nproc)"
run_suite qt6-cmake "$build_root/cmake-qt6/tst_garminconnect_sso" || status=1

step "library sizes (x86_64 Linux, release, stripped)"
for lib in "$libdir/libgarmin_sso.so" "$nt_libdir/libgarmin_sso.so"; do
  strip -o "$build_root/stripped.so" "$lib"
  printf '%-60s %8d bytes stripped (%d unstripped)\n' "$lib" "$(stat -c %s "$build_root/stripped.so")" "$(stat -c %s "$lib")"
done
rm -f "$build_root/stripped.so"

step "QtTest totals"
printf '%s\n' "${totals[@]}"
exit $status
