#!/usr/bin/env bash
# The C ABI in CI (also the README's test command for it): builds the CLI (which runs the
# simulator), fails when include/garmin_sso.h differs from a fresh cbindgen generation, checks the
# header as strict C99 and C++17, installs the library (with its database stores) into a temporary
# prefix with cargo-c (scripts/install-c.sh) and checks its versioned SONAME and symlinks, that
# programs linked against it record that SONAME (NEEDED), and pkg-config; builds examples-c against
# the installed CMake package, runs ctest (C tests and examples against simulator processes on
# 127.0.0.1), then runs every test once more under valgrind (errors or definite/indirect leaks
# fail) and under ASan/UBSan, and prints ctest's summaries. Needs no stdin.
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

# The library the tests link is cargo-c's build (install step below); target/release only gives the
# CLI here.
step "cargo build --release -p garmin-sso-cli (the simulator the tests start)"
cargo build --release --locked -p garmin-sso-cli

step "header: committed include/garmin_sso.h equals a fresh cbindgen generation"
scripts/gen-header.sh --check

step "header: warning-free as C99 and as C++17"
printf '#include "garmin_sso.h"\nint main(void) { return garmin_sso_version() == 0; }\n' >"$work/h.c"
cp "$work/h.c" "$work/h.cpp"
cc -std=c99 -Wall -Wextra -pedantic -Werror -Iinclude -c "$work/h.c" -o "$work/h.o"
c++ -std=c++17 -Wall -Wextra -pedantic -Werror -Iinclude -c "$work/h.cpp" -o "$work/hpp.o"

step "install into a temporary prefix (cargo cinstall); versioned SONAME; pkg-config"
GARMIN_SSO_FEATURES=sqlite,postgres CARGO_TARGET_DIR="$target" scripts/install-c.sh "$work/prefix"
. scripts/lib/workspace.sh
version="$(workspace_version)"
soname="$(c_soname)"
# The dynamic section's NEEDED and SONAME names of an ELF file, one a line.
elf_names() { readelf -d "$2" | sed -n "s/.*($1).*\[\(.*\)\]$/\1/p"; }
expect_needed() { # program: it must load the library by its SONAME, not by an unversioned name or path
  local needed
  needed="$(elf_names NEEDED "$1" | grep garmin_sso || true)"
  [ "$needed" = "$soname" ] || { echo "test-c: $1 needs '${needed}', expected $soname" >&2; exit 1; }
  echo "NEEDED $needed: $(basename "$1")"
}
installed="$(elf_names SONAME "$work/prefix/lib/libgarmin_sso.so")"
[ "$installed" = "$soname" ] || { echo "test-c: installed SONAME '$installed', expected $soname" >&2; exit 1; }
# cargo-c points both links straight at the real file.
for link in libgarmin_sso.so "$soname"; do
  [ "$(readlink "$work/prefix/lib/$link")" = "libgarmin_sso.so.$version" ] \
    || { ls -l "$work/prefix/lib" >&2; echo "test-c: expected $link -> libgarmin_sso.so.$version" >&2; exit 1; }
done
[ -f "$work/prefix/lib/libgarmin_sso.so.$version" ] && ! [ -L "$work/prefix/lib/libgarmin_sso.so.$version" ]
echo "SONAME $installed; lib/libgarmin_sso.so and lib/$soname -> libgarmin_sso.so.$version"
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
pkg-config --exists --print-errors garmin_sso
[ "$(pkg-config --modversion garmin_sso)" = "$version" ] \
  || { echo "test-c: pkg-config says $(pkg-config --modversion garmin_sso), Cargo.toml $version" >&2; exit 1; }
echo "pkg-config --modversion garmin_sso: $version"
printf '#include <garmin_sso.h>\n#include <stdio.h>\nint main(void) { printf("pkg-config build sees %%s\\n", garmin_sso_version()); return 0; }\n' >"$work/pc.c"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Werror $(pkg-config --cflags garmin_sso) "$work/pc.c" -o "$work/pc" $(pkg-config --libs garmin_sso) \
  -Wl,-rpath,"$work/prefix/lib"
"$work/pc"
expect_needed "$work/pc"
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
# What CMake linked through the package's IMPORTED_LOCATION (the real file) records the SONAME too.
for p in test_signin test_header_cxx signin curl_transport; do expect_needed "$build/$p"; done

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
