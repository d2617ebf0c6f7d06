#!/usr/bin/env bash
# Builds the library and its tests for ARM Linux and runs them under qemu-user
# (`make test-cross`; `make test-cross-smoke` is the short part `make test` runs):
#
#   aarch64-unknown-linux-gnu        64-bit ARM, the ISA of today's handsets
#   armv7-unknown-linux-gnueabihf    32-bit ARM, where u128 arithmetic is slow
#
# No prebuilt standard library for these targets can be fetched here (rustup reaches no server),
# so the standard library is built from source with -Zbuild-std, by Debian's Rust toolchain and
# its matching source (packages rustc-web, cargo-web, rust-web-src; scripts/setup-cross.sh
# installs them with the cross compilers and qemu-user). RUSTC_BOOTSTRAP=1 lets that stable
# toolchain take -Zbuild-std. With CROSS_TOOLCHAIN=nightly, rustup's nightly is used instead
# (it needs its rust-src component).
#
# The build uses its own target directory (target/cross) and the dev profile at opt-level 2:
# debug assertions and overflow checks stay on, and the pairing is fast enough under emulation.
#
# Usage: scripts/cross-test.sh [--smoke] [target...]
#   --smoke   aarch64 only: the ECCSI and SAKKE RFC vectors and negative cases (tests/eccsi.rs,
#             tests/sakke.rs) and the C ECCSI test (tests/c/test_eccsi.c)
#   default   both targets: the library's unit tests, the integration tests in TESTS below and
#             the C tests test_eccsi and test_sakke
# The C tests of the client (test_client, test_mikey, test_srtp) need libcurl (and libsrtp2) for
# the target and an HTTPS KMS: they are not cross-built (see README, "ARM").
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

smoke=0
targets=()
for a in "$@"; do
  case "$a" in
    --smoke) smoke=1 ;;
    -*) echo "cross-test: unknown option $a" >&2; exit 2 ;;
    *) targets+=("$a") ;;
  esac
done
if [ ${#targets[@]} -eq 0 ]; then
  if [ $smoke -eq 1 ]; then targets=(aarch64-unknown-linux-gnu); else
    targets=(aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf)
  fi
fi

# The Rust tests run: RFC vectors and negative cases of every layer the handset uses, the C
# ABI's contract, and the client's tests against the in-process KMS of tests/common (pure
# computation, no network; all of them together take minutes under qemu). Left out: header.rs,
# which compares host files (the generated header), nothing the target computes.
TESTS=(eccsi sakke uid field curve mikey mikey_kdf kms_xml kms_redirect
       ffi_contract ffi_sakke ffi_srtp ffi_sweep ffi_secret_scan ffi_client ffi_mikey
       client client_field client_mikey client_partner client_validation client_regressions
       client_fuzz mikey_periods)
C_TESTS=(test_eccsi test_sakke)
if [ $smoke -eq 1 ]; then
  TESTS=(eccsi sakke)
  C_TESTS=(test_eccsi)
fi

# The toolchain.
if [ "${CROSS_TOOLCHAIN:-debian}" = nightly ]; then
  cargo=(cargo +nightly)
  src="$(rustc +nightly --print sysroot)/lib/rustlib/src/rust/library/Cargo.lock"
else
  cargo=(/usr/bin/cargo)
  export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
  src=/usr/lib/rustlib/src/rust/library/Cargo.lock
  [ -x /usr/bin/cargo ] && [ -x /usr/bin/rustc ] ||
    { echo "cross-test: Debian's cargo/rustc missing: run scripts/setup-cross.sh" >&2; exit 1; }
fi
[ -f "$src" ] ||
  { echo "cross-test: no standard library source ($src): run scripts/setup-cross.sh" >&2; exit 1; }
export CARGO_TARGET_DIR="$root/target/cross"
# Optimized, with debug assertions and overflow checks (the dev profile's).
export CARGO_PROFILE_DEV_OPT_LEVEL=2 CARGO_PROFILE_DEV_DEBUG=line-tables-only
CWARN=(-std=c99 -Wall -Wextra -Werror -pedantic -I"$root/include" -O1 -g)

for target in "${targets[@]}"; do
  case "$target" in
    aarch64-unknown-linux-gnu) gnu=aarch64-linux-gnu qemu=qemu-aarch64 ;;
    armv7-unknown-linux-gnueabihf) gnu=arm-linux-gnueabihf qemu=qemu-arm ;;
    *) echo "cross-test: no configuration for $target" >&2; exit 2 ;;
  esac
  for tool in "$gnu-gcc" "$qemu"; do
    command -v "$tool" >/dev/null ||
      { echo "cross-test: $tool missing: run scripts/setup-cross.sh" >&2; exit 1; }
  done
  sysroot="/usr/$gnu"
  t="$(echo "$target" | tr 'a-z-' 'A-Z_')"
  export "CARGO_TARGET_${t}_LINKER=$gnu-gcc"
  export "CARGO_TARGET_${t}_RUNNER=$qemu -L $sysroot"
  export "CC_${target//-/_}=$gnu-gcc"
  out="$CARGO_TARGET_DIR/$target/debug"
  cbuild="$root/build/cross/$target"
  mkdir -p "$cbuild"

  start=$SECONDS
  echo "cross-test: $target: building the library and the tests (-Zbuild-std)"
  test_args=()
  for n in "${TESTS[@]}"; do test_args+=(--test "$n"); done
  [ $smoke -eq 1 ] || test_args+=(--lib)
  "${cargo[@]}" build -Zbuild-std --target "$target" --lib
  "${cargo[@]}" test -Zbuild-std --target "$target" --no-run "${test_args[@]}"
  echo "cross-test: $target: built in $((SECONDS - start)) s"
  if [ "$target" = aarch64-unknown-linux-gnu ]; then
    # .cargo/config.toml links it with -z max-page-size=16384: every LOAD segment 16 KB aligned.
    aligns="$(readelf -lW "$out/libmcptt_kmc.so" | awk '$1 == "LOAD" { print $NF }' | sort -u)"
    [ "$aligns" = 0x4000 ] ||
      { echo "cross-test: LOAD segments of $out/libmcptt_kmc.so aligned to $aligns, not 0x4000" >&2
        exit 1; }
    echo "cross-test: $target: libmcptt_kmc.so LOAD segments aligned to 16 KB (0x4000)"
  fi

  start=$SECONDS
  echo "cross-test: $target: running ${TESTS[*]} under $qemu"
  "${cargo[@]}" test -Zbuild-std --target "$target" "${test_args[@]}"
  echo "cross-test: $target: Rust tests ran in $((SECONDS - start)) s"

  start=$SECONDS
  for c in "${C_TESTS[@]}"; do
    echo "cross-test: $target: tests/c/$c.c under $qemu"
    "$gnu-gcc" "${CWARN[@]}" "tests/c/$c.c" -o "$cbuild/$c" -L"$out" -lmcptt_kmc
    "$qemu" -L "$sysroot" -E LD_LIBRARY_PATH="$out" "$cbuild/$c"
  done
  echo "cross-test: $target: C tests ran in $((SECONDS - start)) s"
done
echo "cross-test: passed on ${targets[*]}"
