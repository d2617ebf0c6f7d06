#!/usr/bin/env bash
# Installs what `make test`, `make demo` and `make bench` need beyond Rust itself (C and C++
# compilers, make, valgrind, the sanitizer runtimes, libcurl's and libsrtp2's headers, a JDK
# and JUnit 4, patchelf, pkg-config, cmake), on Debian or Ubuntu through apt-get when it can;
# otherwise says exactly what to install. Idempotent and quiet when everything is there.
set -euo pipefail

need=()
cc="${CC:-cc}"
cxx="${CXX:-c++}"
command -v cargo >/dev/null || { echo "setup: cargo not found: install Rust (https://rustup.rs), then re-run." >&2; exit 1; }
command -v "$cc" >/dev/null || need+=(gcc)
command -v "$cxx" >/dev/null || need+=(g++)
command -v make >/dev/null || need+=(make)
command -v valgrind >/dev/null || need+=(valgrind)
# make install / test-install: patchelf sets the installed library's SONAME; the test builds a C
# program through pkg-config and CMake; readelf (binutils) reads SONAME and NEEDED.
command -v patchelf >/dev/null || need+=(patchelf)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v cmake >/dev/null || need+=(cmake)
command -v readelf >/dev/null || need+=(binutils)
# -fsanitize=address,undefined needs the sanitizer runtimes, which Debian's gcc package brings
# (libasan and libubsan of the matching version).
if command -v "$cc" >/dev/null && ! echo 'int main(void){return 0;}' |
    "$cc" -x c -fsanitize=address,undefined -o /dev/null - >/dev/null 2>&1; then
  need+=(gcc)
fi
# libcurl's headers and library, for the programs that send the client's requests over HTTPS
# (examples/c/provisioning_demo.c, tests/c/test_client.c).
curl_probe='#include <curl/curl.h>
int main(void) { return curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK; }'
if command -v "$cc" >/dev/null &&
    ! echo "$curl_probe" | "$cc" -x c -o /dev/null - -lcurl >/dev/null 2>&1; then
  need+=(libcurl4-openssl-dev)
fi
# libsrtp 2's headers and library: the real SRTP stack the group key demo and tests/c/test_srtp.c
# protect media with (AEAD_AES_128_GCM needs its OpenSSL build, which Debian's is).
srtp_probe='#include <srtp2/srtp.h>
int main(void) { return srtp_init() != srtp_err_status_ok; }'
if command -v "$cc" >/dev/null &&
    ! echo "$srtp_probe" | "$cc" -x c -o /dev/null - -lsrtp2 >/dev/null 2>&1; then
  need+=(libsrtp2-dev)
fi

# The Java API's build and tests (make test-jni, make demo-java): a JDK (javac, java) and JUnit 4
# with its hamcrest, as Debian packages them (no Maven repository is needed).
command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
[ -f /usr/share/java/junit4.jar ] && [ -f /usr/share/java/hamcrest-core.jar ] || need+=(junit4)

[ ${#need[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      echo "setup: missing ${need[*]}; run: sudo apt-get install -y ${need[*]}" >&2; exit 1
    fi
  fi
  echo "setup: installing ${need[*]} with apt-get" >&2
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  exit 0
fi
echo "setup: missing ${need[*]}; install them with your system's package manager, then re-run." >&2
exit 1
