#!/usr/bin/env bash
# `make test-install`: the packaging, checked as a user would use it.
#
# 1. A program linked against the library cargo wrote (target/release/libmcptt_kmc.so, copied
#    alone into a fresh directory) runs from there: the SONAME is that file's name.
# 2. `make install DESTDIR=<stage> PREFIX=/usr` lays out the files of scripts/install.sh; the
#    installed library's SONAME is libmcptt_kmc.so.<ABI> and the links point where they should.
# 3. examples/c/eccsi_sign_verify.c builds and runs against the staged install through pkg-config
#    (shared, and static with --static) and through CMake (packaging/cmake-example: the imported
#    targets mcptt_kmc::mcptt_kmc and mcptt_kmc::mcptt_kmc_static); the CMake version file
#    accepts and refuses requested versions by the ABI rule.
# 4. `make uninstall` with the same DESTDIR and PREFIX leaves no file or link in the stage.
#
# Environment (the Makefile sets it): VERSION, ABI, SRC (target/release), BUILD (build dir),
# MAKE, CC.
set -euo pipefail

: "${VERSION:?}" "${ABI:?}" "${SRC:?}" "${BUILD:?}"
MAKE="${MAKE:-make}"
CC="${CC:-cc}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/$BUILD/test-install"
stage="$work/stage"
prefix=/usr
example="$root/examples/c/eccsi_sign_verify.c"
cflags=(-std=c99 -Wall -Wextra -Werror -pedantic)

fail() { echo "test-install: FAIL: $*" >&2; exit 1; }
step() { echo "test-install: $*"; }
soname_of() { readelf -d "$1" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p'; }
needed_of() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }

rm -rf "$work"
mkdir -p "$work"

# 1. The cargo output alone, as a new user links against it after `cargo build`.
step "a program linked against cargo's libmcptt_kmc.so runs from there"
mkdir -p "$work/cargo-lib"
cp "$SRC/libmcptt_kmc.so" "$work/cargo-lib/"
[ "$(soname_of "$work/cargo-lib/libmcptt_kmc.so")" = libmcptt_kmc.so ] ||
  fail "SONAME of $SRC/libmcptt_kmc.so is '$(soname_of "$work/cargo-lib/libmcptt_kmc.so")'," \
       "not the file's name libmcptt_kmc.so"
"$CC" "${cflags[@]}" -I"$root/include" "$example" -o "$work/cargo-lib/example" \
  -L"$work/cargo-lib" -lmcptt_kmc
LD_LIBRARY_PATH="$work/cargo-lib" "$work/cargo-lib/example" >/dev/null ||
  fail "the program linked against cargo's library does not run"

# 2. Install into the stage.
step "make install DESTDIR=$stage PREFIX=$prefix"
"$MAKE" --no-print-directory install DESTDIR="$stage" PREFIX="$prefix" >"$work/install.log"
lib="$stage$prefix/lib"
shared="libmcptt_kmc.so.$VERSION"
for f in "$lib/$shared" "$lib/libmcptt_kmc.a" "$stage$prefix/include/mcptt_kmc.h" \
         "$lib/pkgconfig/mcptt_kmc.pc" "$lib/cmake/mcptt_kmc/mcptt_kmcConfig.cmake" \
         "$lib/cmake/mcptt_kmc/mcptt_kmcConfigVersion.cmake"; do
  [ -f "$f" ] && [ ! -L "$f" ] || fail "$f is not installed as a file"
done
[ "$(readlink "$lib/libmcptt_kmc.so.$ABI")" = "$shared" ] || fail "libmcptt_kmc.so.$ABI link"
[ "$(readlink "$lib/libmcptt_kmc.so")" = "libmcptt_kmc.so.$ABI" ] || fail "libmcptt_kmc.so link"
[ "$(soname_of "$lib/$shared")" = "libmcptt_kmc.so.$ABI" ] ||
  fail "the installed library's SONAME is '$(soname_of "$lib/$shared")'"
cmp -s "$root/include/mcptt_kmc.h" "$stage$prefix/include/mcptt_kmc.h" || fail "header differs"
grep -qx "Version: $VERSION" "$lib/pkgconfig/mcptt_kmc.pc" || fail "pkg-config Version"
grep -q "$stage" "$lib/pkgconfig/mcptt_kmc.pc" "$lib/cmake/mcptt_kmc/"*.cmake &&
  fail "an installed file names the staging root"

# Runs a program built against the stage; the shared one finds libmcptt_kmc.so.<ABI> there.
run() {
  local bin="$1"
  LD_LIBRARY_PATH="$lib" "$bin" >"$bin.out" || fail "$bin failed (output in $bin.out)"
  grep -q . "$bin.out" || fail "$bin printed nothing"
}

# 3a. pkg-config, with the stage as sysroot: -I and -L point into it.
export PKG_CONFIG_LIBDIR="$lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$stage"
[ "$(pkg-config --modversion mcptt_kmc)" = "$VERSION" ] || fail "pkg-config --modversion"
pkg-config --exists "mcptt_kmc >= $VERSION" || fail "pkg-config version comparison"
step "pkg-config: shared"
# shellcheck disable=SC2046  # pkg-config's output is a list of words
"$CC" "${cflags[@]}" $(pkg-config --cflags mcptt_kmc) "$example" -o "$work/pc_shared" \
  $(pkg-config --libs mcptt_kmc)
[ "$(needed_of "$work/pc_shared" | grep mcptt)" = "libmcptt_kmc.so.$ABI" ] ||
  fail "pc_shared does not need libmcptt_kmc.so.$ABI"
run "$work/pc_shared"
step "pkg-config: static (--static, Libs.private)"
# shellcheck disable=SC2046
"$CC" "${cflags[@]}" $(pkg-config --cflags mcptt_kmc) "$example" -o "$work/pc_static" \
  -Wl,-Bstatic $(pkg-config --libs-only-L mcptt_kmc) -lmcptt_kmc -Wl,-Bdynamic \
  $(pkg-config --static --libs-only-l mcptt_kmc | sed 's/-lmcptt_kmc//')
needed_of "$work/pc_static" | grep -q mcptt && fail "pc_static needs the shared library"
run "$work/pc_static"
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR

# 3b. CMake: the example project, and the version file's answers.
step "CMake: find_package(mcptt_kmc 0.1), mcptt_kmc::mcptt_kmc and mcptt_kmc::mcptt_kmc_static"
cmake -S "$root/packaging/cmake-example" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$stage$prefix" \
  -DCMAKE_C_COMPILER="$CC" >"$work/cmake.log" || { cat "$work/cmake.log"; fail "cmake configure"; }
cmake --build "$work/cmake" >>"$work/cmake.log" || { cat "$work/cmake.log"; fail "cmake build"; }
[ "$(needed_of "$work/cmake/eccsi_sign_verify_shared" | grep mcptt)" = "libmcptt_kmc.so.$ABI" ] ||
  fail "the CMake-built program does not need libmcptt_kmc.so.$ABI"
needed_of "$work/cmake/eccsi_sign_verify_static" | grep -q mcptt &&
  fail "the static CMake-built program needs the shared library"
run "$work/cmake/eccsi_sign_verify_shared"
run "$work/cmake/eccsi_sign_verify_static"

# find_package(mcptt_kmc <request>) in a project without compilers: found or not.
finds() {
  local dir="$work/cmake-version/$(echo "$1" | tr -c 'A-Za-z0-9\n' _)"
  mkdir -p "$dir"
  printf 'cmake_minimum_required(VERSION 3.19)\nproject(v NONE)\nfind_package(mcptt_kmc %s QUIET)\nif(NOT mcptt_kmc_FOUND)\n  message(FATAL_ERROR "not found")\nendif()\n' \
    "$1" >"$dir/CMakeLists.txt"
  cmake -S "$dir" -B "$dir/b" -DCMAKE_PREFIX_PATH="$stage$prefix" >/dev/null 2>&1
}
IFS=. read -r major minor patch <<<"$VERSION"
if [ "$major" -eq 0 ]; then
  good=("0.$minor" "$VERSION" "0.$minor...0.$((minor + 2))")
  bad=("0.$((minor + 1))" "$((major + 1))" "0.$minor.$((patch + 1))" "0.$minor...<$VERSION")
  [ "$minor" -gt 0 ] && bad+=("0.$((minor - 1))")
else
  good=("$major" "$major.$minor" "$VERSION")
  bad=("$((major + 1))" "$major.$((minor + 1))" "$major.$minor.$((patch + 1))")
  [ "$major" -gt 1 ] && bad+=("$((major - 1))")
fi
for v in "${good[@]}"; do finds "$v" || fail "find_package(mcptt_kmc $v) refused $VERSION"; done
for v in "${bad[@]}"; do finds "$v" && fail "find_package(mcptt_kmc $v) accepted $VERSION"; done
step "CMake version file: ${good[*]} accepted; ${bad[*]} refused"

# 4. Uninstall: nothing of ours stays.
step "make uninstall DESTDIR=$stage PREFIX=$prefix"
"$MAKE" --no-print-directory uninstall DESTDIR="$stage" PREFIX="$prefix" >"$work/uninstall.log"
left="$(find "$stage" ! -type d)"
[ -z "$left" ] || fail "make uninstall left: $left"
[ ! -e "$lib/cmake/mcptt_kmc" ] || fail "make uninstall left lib/cmake/mcptt_kmc"
step "ok: installed, built and ran through pkg-config (shared, static) and CMake (shared," \
     "static), uninstalled to an empty stage"
