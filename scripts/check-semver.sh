#!/usr/bin/env bash
# The core's public Rust API against a baseline, with a pinned cargo-semver-checks: a change that
# breaks callers (a public item removed, a signature changed, an auto trait lost, an enum variant
# added to an exhaustive enum) fails unless the workspace version says so (0.1.x -> 0.2.0 before
# 1.0; a major bump after), and CHANGELOG.md then says how to migrate.
#
# The baseline is a git revision until the core is on crates.io; from the first publish on, it
# becomes `--baseline-version` of the last release. Move BASELINE forward to the commit of each
# release (the version in Cargo.toml at that commit is what the bump is measured against).
# Features: cargo-semver-checks' heuristic, every feature of the core (TLS stacks, stores,
# browser), so an API behind a feature is checked too.
set -euo pipefail
cd "$(dirname "$0")/.."
# 0.1.0 as first shipped (stop 20 of the project, the packaging work of issue #17).
BASELINE=f302f9bed7eb42b400ddb1b7bafc4a203c64f082
if ! git cat-file -e "$BASELINE^{commit}" 2>/dev/null; then
  hint=""
  [ "$(git rev-parse --is-shallow-repository 2>/dev/null)" = true ] && hint=" (a shallow clone: \`git fetch --unshallow\` first)"
  echo "check-semver: the baseline commit $BASELINE is not in this repository$hint" >&2
  exit 1
fi
. scripts/lib/pinned-tool.sh
semver="$(pinned_tool cargo-semver-checks 0.51.0 cargo-semver-checks)"
# It checks the baseline out and documents both versions under the target directory
# (target/semver-checks/), apart from the workspace's own build.
"$semver" semver-checks --package garmin-sso-core --baseline-rev "$BASELINE"
