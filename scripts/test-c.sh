#!/usr/bin/env bash
# The C ABI in CI (also the README's test command for it): builds the release library and the CLI
# (which runs the simulator), fails when include/garmin_sso.h differs from a fresh cbindgen
# generation, checks the header as strict C99 and C++17, installs into a temporary prefix and
# checks pkg-config, builds examples-c against the installed CMake package, runs ctest (C tests and
# examples against simulator processes on 127.0.0.1), then runs every test once more under valgrind
# (errors or definite/indirect leaks fail), and prints ctest's summaries. Needs no stdin.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
export CARGO_TERM_COLOR=never
target="${CARGO_TARGET_DIR:-target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
work="$target/c-abi"
rm -rf "$work"
mkdir -p "$work"
step() { printf '\n=== %s\n' "$*"; }

step "cargo build --release -p garmin-sso-ffi (with its database stores) -p garmin-sso-cli"
cargo build --release --locked -p garmin-sso-ffi --features garmin-sso-ffi/sqlite,garmin-sso-ffi/postgres -p garmin-sso-cli

step "header: committed include/garmin_sso.h equals a fresh cbindgen generation"
scripts/gen-header.sh --check

step "header: warning-free as C99 and as C++17"
printf '#include "garmin_sso.h"\nint main(void) { return garmin_sso_version() == 0; }\n' >"$work/h.c"
cp "$work/h.c" "$work/h.cpp"
cc -std=c99 -Wall -Wextra -pedantic -Werror -Iinclude -c "$work/h.c" -o "$work/h.o"
c++ -std=c++17 -Wall -Wextra -pedantic -Werror -Iinclude -c "$work/h.cpp" -o "$work/hpp.o"

step "install into a temporary prefix; pkg-config"
GARMIN_SSO_NO_BUILD=1 CARGO_TARGET_DIR="$target" scripts/install-c.sh "$work/prefix"
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
pkg-config --exists --print-errors garmin_sso
printf '#include <garmin_sso.h>\n#include <stdio.h>\nint main(void) { printf("pkg-config build sees %%s\\n", garmin_sso_version()); return 0; }\n' >"$work/pc.c"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Werror $(pkg-config --cflags garmin_sso) "$work/pc.c" -o "$work/pc" $(pkg-config --libs garmin_sso) \
  -Wl,-rpath,"$work/prefix/lib"
"$work/pc"
# shellcheck disable=SC2046
cc -std=c99 $(pkg-config --cflags garmin_sso) "$work/pc.c" -o "$work/pc-static" "$work/prefix/lib/libgarmin_sso.a" \
  $(pkg-config --libs-only-other --static garmin_sso) $(pkg-config --static --libs-only-l garmin_sso | sed 's/-lgarmin_sso//')
"$work/pc-static"

step "examples-c: configure and build against the installed CMake package"
build="$work/build"
cmake -S examples-c -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DGARMIN_SSO_REQUIRE_INSTALLED=ON -DGARMIN_SSO_CLI="$target/release/garmin-sso" >"$work/cmake.log" \
  || { cat "$work/cmake.log"; exit 1; }
grep "Using installed garmin_sso" "$work/cmake.log"
cmake --build "$build" -j 2

step "ctest: C tests and examples against the simulator"
ctest --test-dir "$build" --output-on-failure </dev/null | tee "$work/ctest.log"

step "ctest under valgrind (every test program and example)"
export GARMIN_SSO_TEST_WRAPPER="valgrind --quiet --error-exitcode=1 --leak-check=full \
--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
--suppressions=$root/examples-c/tests/valgrind.supp"
ctest --test-dir "$build" --output-on-failure --exclude-regex test_header_cxx </dev/null | tee "$work/ctest-valgrind.log"

step "ctest under AddressSanitizer and UndefinedBehaviorSanitizer (the C side: tests, examples, C++ header test)"
# valgrind above covers the library; this build instruments the C and C++ callers (use after free,
# overflows of the buffers the tests hand to the library, UB in the callers) and LeakSanitizer
# checks at exit. The library itself is not instrumented: ASan replaces malloc/free process-wide,
# so every allocation it makes is tracked too. Any UB report aborts (-fno-sanitize-recover).
# No suppressions are needed; the options below only make reports fail loudly with stacks.
asan="$work/build-asan"
san="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
cmake -S examples-c -B "$asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DGARMIN_SSO_REQUIRE_INSTALLED=ON -DGARMIN_SSO_CLI="$target/release/garmin-sso" \
  -DCMAKE_C_FLAGS="$san" -DCMAKE_CXX_FLAGS="$san" -DCMAKE_EXE_LINKER_FLAGS="$san" >"$work/cmake-asan.log" \
  || { cat "$work/cmake-asan.log"; exit 1; }
cmake --build "$asan" -j 2
(
  unset GARMIN_SSO_TEST_WRAPPER
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  ctest --test-dir "$asan" --output-on-failure </dev/null | tee "$work/ctest-asan.log"
)

step "summary"
echo "ctest:          $(grep 'tests passed' "$work/ctest.log")"
echo "ctest+valgrind: $(grep 'tests passed' "$work/ctest-valgrind.log")"
echo "ctest+asan+ubsan: $(grep 'tests passed' "$work/ctest-asan.log")"
