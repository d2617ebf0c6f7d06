#!/usr/bin/env bash
# Installs what `make test-race` needs beyond scripts/setup.sh: rustup's nightly toolchain with
# its standard library source (rust-src: -Zbuild-std rebuilds std with -Zsanitizer=thread, so
# that ThreadSanitizer sees the atomics of std's Once/OnceLock and reports no false race), and
# GCC's ThreadSanitizer runtime (libtsan, for the C test program). Idempotent and quiet when
# everything is there; when something is missing and cannot be installed it says what and
# exits 1: the race test never passes without having run.
set -euo pipefail
toolchain="${RACE_TOOLCHAIN:-nightly}"
cc="${CC:-cc}"
fail() {
  echo "setup-race: $*" >&2
  exit 1
}
if ! cargo "+$toolchain" --version >/dev/null 2>&1; then
  command -v rustup >/dev/null || fail "no '$toolchain' Rust toolchain and no rustup to install it"
  echo "setup-race: installing the '$toolchain' toolchain with rustup" >&2
  rustup toolchain install "$toolchain" --profile minimal --component rust-src ||
    fail "the '$toolchain' toolchain could not be installed (rustup toolchain install $toolchain)"
fi
sysroot=$(rustc "+$toolchain" --print sysroot)
if [ ! -f "$sysroot/lib/rustlib/src/rust/library/Cargo.lock" ]; then
  command -v rustup >/dev/null || fail "the '$toolchain' toolchain has no rust-src and there is no rustup"
  echo "setup-race: adding rust-src to the '$toolchain' toolchain with rustup" >&2
  rustup component add rust-src --toolchain "$toolchain" ||
    fail "rust-src could not be added (rustup component add rust-src --toolchain $toolchain)"
fi
if ! echo 'int main(void){return 0;}' | "$cc" -x c -fsanitize=thread -o /dev/null - >/dev/null 2>&1; then
  if command -v apt-get >/dev/null; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
      if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
        fail "$cc -fsanitize=thread does not link; run: sudo apt-get install -y gcc"
      fi
    fi
    echo "setup-race: installing gcc's ThreadSanitizer runtime with apt-get" >&2
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc >/dev/null
  fi
  echo 'int main(void){return 0;}' | "$cc" -x c -fsanitize=thread -o /dev/null - >/dev/null 2>&1 ||
    fail "$cc -fsanitize=thread does not link (GCC's libtsan is missing)"
fi
