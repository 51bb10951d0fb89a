# Sourced by the scripts that need a cargo tool at an exact version (cargo-c, cbindgen, cargo-fuzz,
# cargo-semver-checks).
#   pinned_tool CRATE VERSION BINARY   prints the path of BINARY from CRATE at VERSION
# The tool is built once per machine, --locked, into
# ${GARMIN_SSO_TOOLS:-${CARGO_HOME:-~/.cargo}/garmin-sso-tools}/CRATE-VERSION: outside the target
# directory, so CI's fresh clones reuse it and a later run needs no network; pinned and called by
# path, so whichever version comes first in PATH never decides what CI checks.
pinned_tool() {
  local crate="$1" version="$2" binary="$3"
  local dir="${GARMIN_SSO_TOOLS:-${CARGO_HOME:-$HOME/.cargo}/garmin-sso-tools}/$crate-$version"
  if ! [ -x "$dir/bin/$binary" ]; then
    echo "installing $crate $version into $dir" >&2
    # Without CARGO_TARGET_DIR, cargo install builds in a temporary directory it removes afterwards.
    env -u CARGO_TARGET_DIR cargo install "$crate" --version "=$version" --locked --root "$dir" --quiet >&2
  fi
  printf '%s\n' "$dir/bin/$binary"
}
