#!/usr/bin/env bash
# Every test of the project, on a fresh machine: Rust unit and integration tests against the simulator
# (the database token stores against a real SQLite file and a throwaway PostgreSQL server),
# the keyring store against a real Secret Service, the C ABI (ctest + valgrind), the Kotlin/Python/Swift
# bindings, and the Qt example's QtTest suite. Everything talks to simulators on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

scripts/setup-deps.sh

step() { printf '\n=== %s\n' "$*"; }

# One optimisation profile for everything, so the C, Qt and binding tests reuse what cargo test built.
step "cargo build --release (library, CLI, bindings)"
cargo build --release --workspace --locked

step "parity: docs/parity.md names what every front end really exports"
python3 scripts/check-parity.py

# Under a throwaway PostgreSQL on 127.0.0.1: the workspace build turns on the core's sqlite and
# postgres features (through the CLI), so the PostgreSQL store's tests run here, and fail if the
# server is missing when CI is set.
step "cargo test (core, simulator, CLI; SQLite and PostgreSQL stores against real servers)"
scripts/with-postgres.sh cargo test --release --workspace --locked

# The workspace build above unifies the core's TLS features (the C library's native-tls wins), so
# the rustls stack that the CLI and the bindings ship is tested against a real TLS server here,
# with the core alone.
step "TLS: the core alone over rustls against openssl s_server (crates/core/tests/tls.rs)"
cargo test --release --locked -p garmin-sso-core --test tls

step "cargo doc: no rustdoc warning, every intra-doc link resolves"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked -p garmin-sso-core -p garmin-sso-sim -p garmin-sso-ffi -p garmin-sso-uniffi

step "crates.io: core, simulator and CLI package and build as published (scripts/check-publish.sh)"
scripts/check-publish.sh

step "semver: the core's public API against the 0.1.0 baseline (scripts/check-semver.sh)"
scripts/check-semver.sh

step "keyring store against a real Secret Service (gnome-keyring under dbus-run-session)"
scripts/test-keyring.sh

step "C ABI: header check, examples, ctest, valgrind"
scripts/test-c.sh

step "size: the shipped C library, stripped, default and transport-free (scripts/check-size.sh)"
scripts/check-size.sh

step "uniffi bindings: current check, Python (pytest), Kotlin (JVM), Swift header"
scripts/test-bindings.sh

step "Qt example: qmake + Qt 5 and CMake + Qt 6, QtTest offscreen"
scripts/test-qt.sh

# Every parser and whole sign-in flows against a hostile in-process server, 15 s per target from
# the committed corpus (about 5 minutes with the sanitizer build); fails on a crash, leak, OOM or hang.
step "fuzzing: every cargo-fuzz target for a bounded time (scripts/test-fuzz.sh)"
scripts/test-fuzz.sh

step "all test suites passed"
