#!/usr/bin/env bash
# Builds every cargo-fuzz target of fuzz/ and runs each for a bounded time from its committed corpus
# (seeded from the simulator's real answers: `cd fuzz && cargo run --example record`). Fails on any
# crash, panic, leak, out-of-memory or hang, and prints each target's executions.
#   scripts/test-fuzz.sh                 every target, FUZZ_SECONDS each (default 15)
#   scripts/test-fuzz.sh flow tokens     only these
# The toolchain is stable: RUSTC_BOOTSTRAP=1 lets it take the nightly-only sanitizer flags
# cargo-fuzz passes (-Zsanitizer=address, coverage instrumentation). cargo-fuzz is built once per
# machine, pinned, by scripts/lib/pinned-tool.sh.
# New inputs found during the run go to a scratch corpus, never into fuzz/corpus; a crash's input
# is kept under fuzz/artifacts/<target>/ for `cargo fuzz run <target> <file>`.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-15}"
target="${CARGO_TARGET_DIR:-target}"
# Absolute: cargo fuzz runs from fuzz/.
case "$target" in /*) ;; *) target="$PWD/$target" ;; esac
. scripts/lib/pinned-tool.sh
cargo_fuzz="$(pinned_tool cargo-fuzz 0.13.2 cargo-fuzz)"
export RUSTC_BOOTSTRAP=1
# The fuzz build has its own flags (sanitizer, coverage): its own directory, so it never
# invalidates the workspace's artifacts.
export CARGO_TARGET_DIR="$target/fuzz"
cd fuzz
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <("$cargo_fuzz" list); fi
# -O with debug assertions: optimised enough to run many inputs, and overflow checks stay on (an
# overflowing server number panics here instead of wrapping silently).
if [ $# -gt 0 ]; then
  for t in "${targets[@]}"; do "$cargo_fuzz" build -O --debug-assertions "$t"; done
else
  "$cargo_fuzz" build -O --debug-assertions
fi
# The seed: FUZZ_SEED if set; in CI a fixed one, so that a CI failure is the same run on any machine
# (the executions a longer run makes start with those of a shorter one); otherwise libFuzzer's own
# random seed, to explore. Longer exploration: FUZZ_SECONDS=600 FUZZ_SEED= scripts/test-fuzz.sh.
seed="${FUZZ_SEED-}"
if [ -z "${FUZZ_SEED+set}" ] && [ "${CI:-}" = true ]; then seed=20261205; fi
seed_flag=()
[ -n "$seed" ] && seed_flag=(-seed="$seed")
echo "test-fuzz: ${seconds}s per target, seed ${seed:-random}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
failed=0
printf '%-14s %10s %8s %8s %s\n' target executions exec/s peak-MB result
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t" "artifacts/$t"
  log="$scratch/$t.log"
  # -malloc_limit_mb=64: no single allocation over 64 MB (inputs are kilobytes; only an
  # amplification could get there); -rss_limit_mb=512: the whole process, of which ~270 MB is the
  # sanitizer's and libFuzzer's own baseline; -timeout: no input may hang; -detect_leaks stays on
  # (LeakSanitizer). peak-MB in the table includes that baseline. The committed corpus is read,
  # never written.
  if "$cargo_fuzz" run -O --debug-assertions "$t" "$scratch/$t" "corpus/$t" -- \
      "${seed_flag[@]}" -max_total_time="$seconds" -rss_limit_mb=512 -malloc_limit_mb=64 -timeout=10 \
      -print_final_stats=1 -close_fd_mask=3 -artifact_prefix="artifacts/$t/" >"$log" 2>&1; then
    result=ok
  else
    result=FAILED
    failed=1
  fi
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  rss="$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)"
  printf '%-14s %10s %8s %8s %s\n' "$t" "${execs:-?}" "${rate:-?}" "${rss:-?}" "$result"
  if [ "$result" = FAILED ]; then
    grep -E -A30 '^(==[0-9]+==ERROR|thread .* panicked|SUMMARY|ERROR: libFuzzer)' "$log" | head -80 >&2 || tail -40 "$log" >&2
    # -close_fd_mask hid the target's own output: run the saved input once more to show the panic.
    input="$(ls -t "artifacts/$t"/* 2>/dev/null | head -1)"
    if [ -n "$input" ]; then
      echo "test-fuzz: $t on $input once more, with its output:" >&2
      "$cargo_fuzz" run -O --debug-assertions "$t" "$input" -- -runs=1 2>&1 |
        grep -E -A12 'panicked at|==[0-9]+==ERROR' | head -40 >&2 || true
    fi
  fi
done
if [ "$failed" -ne 0 ]; then
  echo "test-fuzz: a target failed; the input is under fuzz/artifacts/<target>/" >&2
  exit 1
fi
echo "test-fuzz: every target ran ${seconds}s without a crash, leak, OOM or hang"
