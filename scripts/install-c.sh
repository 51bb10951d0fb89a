#!/usr/bin/env bash
# Installs libgarmin_sso for C and C++ projects:
#   scripts/install-c.sh PREFIX
# With cargo-c (`cargo cinstall`, metadata in crates/ffi/Cargo.toml):
#   PREFIX/include/garmin_sso.h                  the committed cbindgen header
#   PREFIX/lib/libgarmin_sso.so.X.Y.Z            SONAME libgarmin_sso.so.0.1 while the version is 0.x
#   PREFIX/lib/libgarmin_sso.so.0.1, .so         symlinks to it (runtime name, link-time name)
#   PREFIX/lib/libgarmin_sso.a
#   PREFIX/lib/pkgconfig/garmin_sso.pc
# and, from this script (cargo-c makes none), the relocatable CMake package
#   PREFIX/lib/cmake/garmin_sso/garmin_sso{Config,ConfigVersion}.cmake
# so that a project uses `find_package(garmin_sso CONFIG REQUIRED)` +
# `target_link_libraries(app garmin_sso::garmin_sso)` (or garmin_sso::garmin_sso_static), or
# `pkg-config --cflags --libs garmin_sso`.
#
# Environment: GARMIN_SSO_FEATURES (cargo features of garmin-sso-ffi, e.g. "sqlite,postgres";
# default: the crate's defaults), CARGO_TARGET_DIR (default target/; cargo-c builds in
# $CARGO_TARGET_DIR/cargo-c, apart from `cargo build`'s target/release, whose library keeps the
# unversioned SONAME that build-tree consumers link against).
# cargo-c is built once per machine (scripts/lib/pinned-tool.sh); building it needs libssl-dev and
# pkg-config (scripts/setup-deps.sh).
set -euo pipefail
if [ $# -ne 1 ]; then echo "usage: $0 PREFIX" >&2; exit 2; fi
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$1"
prefix="$(cd "$1" && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac

# The newest cargo-c that builds with the toolchain CI has (rustc 1.95); bump both together.
. "$root/scripts/lib/pinned-tool.sh"
cinstall="$(pinned_tool cargo-c 0.10.24+cargo-0.98.0 cargo-cinstall)"

. "$root/scripts/lib/workspace.sh"
version="$(cd "$root" && workspace_version)"
soname="$(cd "$root" && c_soname)"

features=()
[ -z "${GARMIN_SSO_FEATURES:-}" ] || features=(--features "$GARMIN_SSO_FEATURES")
# The pinned binary called directly (as cargo would call a subcommand), not whichever
# cargo-cinstall comes first in PATH.
# Its own target directory: cargo-c always builds for an explicit --target, which puts its
# build scripts and proc macros in $target/release, and its (newer) embedded cargo then leaves the
# workspace's `cargo build` there with fingerprints it considers stale: every crate rebuilt.
(cd "$root" && CARGO_TARGET_DIR="$target/cargo-c" "$cinstall" cinstall --release --locked -p garmin-sso-ffi \
  "${features[@]}" --prefix "$prefix" --libdir "$prefix/lib" --includedir "$prefix/include")

real="libgarmin_sso.so.$version"
for f in "$real" "$soname" libgarmin_sso.so libgarmin_sso.a pkgconfig/garmin_sso.pc; do
  [ -e "$prefix/lib/$f" ] || { echo "install-c: cargo cinstall did not install lib/$f" >&2; exit 1; }
done
cmp -s "$root/include/garmin_sso.h" "$prefix/include/garmin_sso.h" \
  || { echo "install-c: the installed header differs from include/garmin_sso.h" >&2; exit 1; }

# What the static library needs besides it (libc, libm, libdl; with native-tls the system TLS library),
# as cargo-c found it (`rustc --print native-static-libs`) for Libs.private: the static CMake target
# links the same, so the two never drift apart when a feature adds a system library.
static_libs="Threads::Threads"
for l in $(sed -n 's/^Libs\.private: *//p' "$prefix/lib/pkgconfig/garmin_sso.pc"); do
  case "$l" in -lpthread | -lc) ;; -l*) static_libs="$static_libs;${l#-l}" ;; esac
done

install -d "$prefix/lib/cmake/garmin_sso"
cat >"$prefix/lib/cmake/garmin_sso/garmin_ssoConfig.cmake" <<CMAKE
# CMake package for libgarmin_sso $version: garmin_sso::garmin_sso (shared) and
# garmin_sso::garmin_sso_static. Relocatable: paths are relative to this file
# (PREFIX/lib/cmake/garmin_sso). Programs linked against the shared library record its SONAME,
# $soname, and load whichever compatible release is installed under that name.
get_filename_component(_garmin_sso_prefix "\${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
include(CMakeFindDependencyMacro)
find_dependency(Threads)
if(NOT TARGET garmin_sso::garmin_sso)
  add_library(garmin_sso::garmin_sso SHARED IMPORTED)
  set_target_properties(garmin_sso::garmin_sso PROPERTIES
    IMPORTED_LOCATION "\${_garmin_sso_prefix}/lib/$real"
    IMPORTED_SONAME "$soname"
    INTERFACE_INCLUDE_DIRECTORIES "\${_garmin_sso_prefix}/include")
endif()
if(NOT TARGET garmin_sso::garmin_sso_static)
  add_library(garmin_sso::garmin_sso_static STATIC IMPORTED)
  set_target_properties(garmin_sso::garmin_sso_static PROPERTIES
    IMPORTED_LOCATION "\${_garmin_sso_prefix}/lib/libgarmin_sso.a"
    INTERFACE_INCLUDE_DIRECTORIES "\${_garmin_sso_prefix}/include"
    INTERFACE_LINK_LIBRARIES "$static_libs")
endif()
set(garmin_sso_INCLUDE_DIRS "\${_garmin_sso_prefix}/include")
set(garmin_sso_LIBRARIES garmin_sso::garmin_sso)
unset(_garmin_sso_prefix)
CMAKE

cat >"$prefix/lib/cmake/garmin_sso/garmin_ssoConfigVersion.cmake" <<CMAKE
# Compatible when the major version matches (0.x: when major and minor match, as the SONAME says)
# and the installed version is at least the requested one.
set(PACKAGE_VERSION "$version")
string(REPLACE "." ";" _have "\${PACKAGE_VERSION}")
string(REPLACE "." ";" _want "\${PACKAGE_FIND_VERSION}")
list(GET _have 0 _have_major)
list(GET _have 1 _have_minor)
set(PACKAGE_VERSION_COMPATIBLE FALSE)
if(NOT PACKAGE_FIND_VERSION)
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
elseif(NOT PACKAGE_FIND_VERSION VERSION_GREATER PACKAGE_VERSION)
  list(GET _want 0 _want_major)
  set(_want_minor 0)
  list(LENGTH _want _n)
  if(_n GREATER 1)
    list(GET _want 1 _want_minor)
  endif()
  if(_have_major EQUAL _want_major AND (_have_major GREATER 0 OR _have_minor EQUAL _want_minor))
    set(PACKAGE_VERSION_COMPATIBLE TRUE)
  endif()
endif()
if(PACKAGE_FIND_VERSION STREQUAL PACKAGE_VERSION)
  set(PACKAGE_VERSION_EXACT TRUE)
endif()
CMAKE
echo "install-c: installed libgarmin_sso $version (SONAME $soname) into $prefix"
