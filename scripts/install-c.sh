#!/usr/bin/env bash
# Installs libgarmin_sso for C and C++ projects:
#   scripts/install-c.sh PREFIX
# PREFIX/include/garmin_sso.h, PREFIX/lib/libgarmin_sso.{so,a}, PREFIX/lib/pkgconfig/garmin_sso.pc
# and PREFIX/lib/cmake/garmin_sso/garmin_sso{Config,ConfigVersion}.cmake, so that a project uses
# `find_package(garmin_sso CONFIG REQUIRED)` + `target_link_libraries(app garmin_sso::garmin_sso)`
# (or garmin_sso::garmin_sso_static), or `pkg-config --cflags --libs garmin_sso`.
# Builds the release library first (cargo build --release -p garmin-sso-ffi) unless
# GARMIN_SSO_NO_BUILD=1; the library is taken from $CARGO_TARGET_DIR/release (default target/release).
set -euo pipefail
if [ $# -ne 1 ]; then echo "usage: $0 PREFIX" >&2; exit 2; fi
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$1"
prefix="$(cd "$1" && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
if [ "${GARMIN_SSO_NO_BUILD:-0}" != 1 ]; then
  (cd "$root" && cargo build --release --locked -p garmin-sso-ffi)
fi
version="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' "$root/Cargo.toml")"
[ -n "$version" ] || { echo "install-c: cannot read the version from Cargo.toml" >&2; exit 1; }

# What a program linking the static library needs besides it (rustc --print native-static-libs
# on Linux/glibc).
static_libs="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"

install -d "$prefix/include" "$prefix/lib/pkgconfig" "$prefix/lib/cmake/garmin_sso"
install -m 0644 "$root/include/garmin_sso.h" "$prefix/include/garmin_sso.h"
install -m 0755 "$target/release/libgarmin_sso.so" "$prefix/lib/libgarmin_sso.so"
install -m 0644 "$target/release/libgarmin_sso.a" "$prefix/lib/libgarmin_sso.a"

cat >"$prefix/lib/pkgconfig/garmin_sso.pc" <<PC
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: garmin_sso
Description: Garmin Connect sign-in (SSO, MFA, OAuth1/OAuth2/DI tokens) for C and C++
Version: $version
Libs: -L\${libdir} -lgarmin_sso
Libs.private: $static_libs
Cflags: -I\${includedir}
PC

cat >"$prefix/lib/cmake/garmin_sso/garmin_ssoConfig.cmake" <<'CMAKE'
# CMake package for libgarmin_sso: garmin_sso::garmin_sso (shared) and garmin_sso::garmin_sso_static.
# Relocatable: paths are relative to this file (PREFIX/lib/cmake/garmin_sso).
get_filename_component(_garmin_sso_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
include(CMakeFindDependencyMacro)
find_dependency(Threads)
if(NOT TARGET garmin_sso::garmin_sso)
  add_library(garmin_sso::garmin_sso SHARED IMPORTED)
  set_target_properties(garmin_sso::garmin_sso PROPERTIES
    IMPORTED_LOCATION "${_garmin_sso_prefix}/lib/libgarmin_sso.so"
    IMPORTED_SONAME "libgarmin_sso.so"
    INTERFACE_INCLUDE_DIRECTORIES "${_garmin_sso_prefix}/include")
endif()
if(NOT TARGET garmin_sso::garmin_sso_static)
  add_library(garmin_sso::garmin_sso_static STATIC IMPORTED)
  set_target_properties(garmin_sso::garmin_sso_static PROPERTIES
    IMPORTED_LOCATION "${_garmin_sso_prefix}/lib/libgarmin_sso.a"
    INTERFACE_INCLUDE_DIRECTORIES "${_garmin_sso_prefix}/include"
    INTERFACE_LINK_LIBRARIES "Threads::Threads;${CMAKE_DL_LIBS};m;rt;util")
endif()
set(garmin_sso_INCLUDE_DIRS "${_garmin_sso_prefix}/include")
set(garmin_sso_LIBRARIES garmin_sso::garmin_sso)
unset(_garmin_sso_prefix)
CMAKE

cat >"$prefix/lib/cmake/garmin_sso/garmin_ssoConfigVersion.cmake" <<CMAKE
# Compatible when the major version matches (0.x: when major and minor match) and the installed
# version is at least the requested one.
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
echo "install-c: installed libgarmin_sso $version into $prefix"
