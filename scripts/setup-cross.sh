#!/usr/bin/env bash
# Installs what `make test-cross` (scripts/cross-test.sh) needs beyond scripts/setup.sh, on Debian
# (bookworm or later) through apt-get: the cross C compilers and C libraries for aarch64 and
# armv7 (gcc-aarch64-linux-gnu, gcc-arm-linux-gnueabihf, libc6-dev-arm64-cross,
# libc6-dev-armhf-cross), qemu-user to run their programs, and Debian's Rust toolchain with its
# standard library source (rustc-web, cargo-web, rust-web-src: -Zbuild-std builds the standard
# library for the ARM targets from that source, since rustup can fetch no target here).
# Debian's rustc and cargo go to /usr/bin; rustup's, earlier in PATH, stay the default.
# Idempotent and quiet when everything is there.
set -euo pipefail

missing() {
  need=()
  command -v aarch64-linux-gnu-gcc >/dev/null || need+=(gcc-aarch64-linux-gnu)
  command -v arm-linux-gnueabihf-gcc >/dev/null || need+=(gcc-arm-linux-gnueabihf)
  [ -f /usr/aarch64-linux-gnu/include/stdio.h ] || need+=(libc6-dev-arm64-cross)
  [ -f /usr/arm-linux-gnueabihf/include/stdio.h ] || need+=(libc6-dev-armhf-cross)
  command -v qemu-aarch64 >/dev/null && command -v qemu-arm >/dev/null || need+=(qemu-user)
  [ -x /usr/bin/rustc ] || need+=(rustc-web)
  [ -x /usr/bin/cargo ] || need+=(cargo-web)
  [ -f /usr/lib/rustlib/src/rust/library/Cargo.lock ] || need+=(rust-web-src)
}
missing
[ ${#need[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      echo "setup-cross: missing ${need[*]}; run: sudo apt-get install -y ${need[*]}" >&2; exit 1
    fi
  fi
  echo "setup-cross: installing ${need[*]} with apt-get" >&2
  # Non-interactive; waits up to 5 minutes for another apt/dpkg (a shared CI machine) to finish.
  apt=(apt-get -o DPkg::Lock::Timeout=300 -qq)
  $sudo "${apt[@]}" update ||
    { echo "setup-cross: apt-get update failed" >&2; exit 1; }
  $sudo env DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y \
    "${need[@]}" >/dev/null ||
    { echo "setup-cross: apt-get install ${need[*]} failed" >&2; exit 1; }
  missing
  [ ${#need[@]} -eq 0 ] ||
    { echo "setup-cross: still missing after apt-get: ${need[*]}" >&2; exit 1; }
  exit 0
fi
echo "setup-cross: missing ${need[*]}; install them with your system's package manager" >&2
exit 1
