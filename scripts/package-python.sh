#!/usr/bin/env bash
# Builds the Python distribution of garmin-sso with maturin (bindings = "uniffi", from
# bindings/python/pyproject.toml): a platform wheel carrying garmin_sso/, the uniffi-generated modules
# and libgarmin_sso_uniffi, and an sdist that builds the same wheel on any machine with a Rust
# toolchain (pip install garmin_sso-*.tar.gz).
#
#   scripts/package-python.sh [OUT_DIR]     OUT_DIR defaults to <cargo target dir>/python-dist
#
# maturin comes from PyPI, pinned (MATURIN_VERSION, the one pyproject.toml's build-system requires),
# into a venv under .tools/ that later runs reuse. The version of the wheel is the workspace's Cargo
# version; maturin generates the Python modules by running this workspace's own uniffi-bindgen
# (crates/uniffi, `cargo run --bin uniffi-bindgen`), so the generator is the uniffi version
# Cargo.lock pins, the same one scripts/gen-bindings.sh uses.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
maturin_version="${MATURIN_VERSION:-1.16.0}"
grep -q "\"maturin==$maturin_version\"" bindings/python/pyproject.toml || {
  echo "package-python: MATURIN_VERSION $maturin_version is not the one bindings/python/pyproject.toml requires" >&2
  exit 1
}
. scripts/lib/workspace.sh
target_dir="$(workspace_target_dir)"
out="${1:-$target_dir/python-dist}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

venv="$root/.tools/maturin-$maturin_version"
if [ ! -x "$venv/bin/maturin" ]; then
  echo "package-python: installing maturin $maturin_version from PyPI into .tools/"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --disable-pip-version-check --quiet "maturin==$maturin_version"
fi

# Only this version's files in OUT_DIR, so callers can glob for "the" wheel and sdist.
rm -f "$out"/garmin_sso-*.whl "$out"/garmin_sso-*.tar.gz
# This wheel's features (sqlite) for sure, whatever the last build of the library had.
forget_uniffi_lib "$target_dir"
cd bindings/python
# --locked here, not in pyproject.toml: the sdist's workspace has only the crates the wheel needs, so
# cargo drops the other crates' entries from its Cargo.lock when it builds (every version it keeps
# stays as locked, uniffi's included).
"$venv/bin/maturin" build --release --locked --out "$out"
"$venv/bin/maturin" sdist --out "$out"
ls "$out"/garmin_sso-*.whl "$out"/garmin_sso-*.tar.gz
