#!/usr/bin/env bash
# Builds the cargo-fuzz targets of fuzz/ and runs each for a bounded time (README, "Fuzzing").
#
#   fuzz/run.sh [--smoke] [target...]
#
# FUZZ_SECONDS per target (default 60; with --smoke 12). Each target starts from its committed
# seeds (fuzz/seeds/<target>) and keeps what it finds in fuzz/corpus/<target> (not committed).
# A crash, a failed assertion, a leak, an input slower than FUZZ_TIMEOUT seconds (default 30) or
# more than 2 GB of memory fails the run; the input is saved in fuzz/artifacts/<target>/ and
# `cargo +nightly fuzz run <target> <file>` replays it. Needs the nightly toolchain and
# cargo-fuzz: a missing one is installed (rustup, cargo install), and if that fails the run
# FAILS saying so; it never passes without having fuzzed.
set -euo pipefail
cd "$(dirname "$0")"

TARGETS_ALL=(kms_xml kms_xml_emit client_response mikey_process sdp store_import crypto)
smoke=0
if [[ "${1:-}" == "--smoke" ]]; then
  smoke=1
  shift
fi
if [[ $# -gt 0 ]]; then TARGETS=("$@"); else TARGETS=("${TARGETS_ALL[@]}"); fi
if [[ $smoke == 1 ]]; then seconds="${FUZZ_SECONDS:-12}"; else seconds="${FUZZ_SECONDS:-60}"; fi
timeout_s="${FUZZ_TIMEOUT:-30}"
toolchain="${FUZZ_TOOLCHAIN:-nightly}"
mode=$([[ $smoke == 1 ]] && echo "fuzz smoke" || echo "fuzz")

fail() {
  echo "$mode: FAILED: $*" >&2
  exit 1
}

# The nightly toolchain (libFuzzer's instrumentation and sanitizers are nightly-only).
if ! cargo "+$toolchain" --version >/dev/null 2>&1; then
  echo "$mode: the Rust toolchain '$toolchain' is missing; installing it with rustup"
  command -v rustup >/dev/null || fail "no '$toolchain' toolchain and no rustup to install it"
  rustup toolchain install "$toolchain" --profile minimal ||
    fail "the '$toolchain' toolchain is missing and could not be installed (rustup toolchain install $toolchain)"
fi
# cargo-fuzz.
if ! cargo "+$toolchain" fuzz --version >/dev/null 2>&1; then
  echo "$mode: cargo-fuzz is missing; installing it (cargo install cargo-fuzz --locked)"
  cargo install cargo-fuzz --locked ||
    fail "cargo-fuzz is missing and could not be installed (cargo install cargo-fuzz --locked)"
fi

# Debug assertions and overflow checks on, AddressSanitizer (the default), every target at once.
FUZZ_FLAGS=(-a)
start=$(date +%s)
echo "$mode: building the fuzz targets: cargo +$toolchain fuzz build (ASan, debug assertions)"
cargo "+$toolchain" fuzz build "${FUZZ_FLAGS[@]}" || fail "the fuzz targets do not build"
echo "$mode: built in $(($(date +%s) - start)) s"

failed=()
for target in "${TARGETS[@]}"; do
  [[ -d "seeds/$target" ]] || fail "unknown target '$target' (no fuzz/seeds/$target)"
  mkdir -p "corpus/$target"
  log="artifacts/$target.log"
  mkdir -p artifacts
  echo "$mode: $target for $seconds s (seeds: $(ls "seeds/$target" | wc -l) files)"
  if cargo "+$toolchain" fuzz run "${FUZZ_FLAGS[@]}" "$target" "corpus/$target" "seeds/$target" -- \
      -max_total_time="$seconds" -timeout="$timeout_s" -rss_limit_mb=2048 \
      -print_final_stats=1 >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 || true)
    echo "$mode: $target: ok, ${runs:-?} inputs, $cov"
  else
    tail -n 40 "$log" >&2
    echo "$mode: $target: FAILED (log: fuzz/$log, input: fuzz/artifacts/$target/)" >&2
    failed+=("$target")
  fi
done
echo "$mode: total $(($(date +%s) - start)) s"
[[ ${#failed[@]} -eq 0 ]] || fail "${failed[*]}"
echo "$mode: all ${#TARGETS[@]} targets ran clean"
