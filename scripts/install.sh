#!/usr/bin/env bash
# Installs or uninstalls the C library (`make install`, `make uninstall`):
#
#   <libdir>/libmcptt_kmc.so.<VERSION>   the shared library, SONAME libmcptt_kmc.so.<ABI>
#   <libdir>/libmcptt_kmc.so.<ABI>       -> libmcptt_kmc.so.<VERSION>  (what the loader opens)
#   <libdir>/libmcptt_kmc.so             -> libmcptt_kmc.so.<ABI>      (what -lmcptt_kmc links)
#   <libdir>/libmcptt_kmc.a              the static library
#   <includedir>/mcptt_kmc.h
#   <libdir>/pkgconfig/mcptt_kmc.pc
#   <libdir>/cmake/mcptt_kmc/mcptt_kmcConfig.cmake, mcptt_kmcConfigVersion.cmake
#
# Usage: scripts/install.sh install|uninstall, with in the environment PREFIX, libdir,
# includedir (absolute, as the installed files should name them), DESTDIR (a staging root put
# in front of every path written, never into the files), VERSION, ABI and SRC (the cargo output
# directory holding libmcptt_kmc.so and libmcptt_kmc.a). The Makefile sets them all.
#
# Cargo builds the shared library with the unversioned SONAME libmcptt_kmc.so (build.rs), so that
# a program linked against target/<profile>/ runs from there; the installed copy gets its
# versioned SONAME here, with patchelf.
#
# uninstall removes exactly the files above (for this VERSION and ABI) and the package's own
# directory lib/cmake/mcptt_kmc; directories shared with other packages stay.
set -euo pipefail

action="${1:?usage: install.sh install|uninstall}"
: "${PREFIX:?}" "${libdir:?}" "${includedir:?}" "${VERSION:?}" "${ABI:?}"
DESTDIR="${DESTDIR:-}"
here="$(cd "$(dirname "$0")/.." && pwd)"

shared="libmcptt_kmc.so.$VERSION"
soname="libmcptt_kmc.so.$ABI"
cmakedir="$libdir/cmake/mcptt_kmc"
pcdir="$libdir/pkgconfig"
# What the static library needs from the system (Rust staticlib on *-linux-gnu: the list of
# `cargo rustc --lib --crate-type staticlib -- --print native-static-libs`). test-install links
# the static library with exactly this list, so a missing entry fails there.
native_static_libs="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"

files=(
  "$libdir/$shared" "$libdir/$soname" "$libdir/libmcptt_kmc.so" "$libdir/libmcptt_kmc.a"
  "$includedir/mcptt_kmc.h" "$pcdir/mcptt_kmc.pc"
  "$cmakedir/mcptt_kmcConfig.cmake" "$cmakedir/mcptt_kmcConfigVersion.cmake"
)

if [ "$action" = uninstall ]; then
  for f in "${files[@]}"; do
    if [ -e "$DESTDIR$f" ] || [ -L "$DESTDIR$f" ]; then
      rm -f "$DESTDIR$f"
      echo "removed $DESTDIR$f"
    fi
  done
  rmdir "$DESTDIR$cmakedir" 2>/dev/null || true
  exit 0
fi
[ "$action" = install ] || { echo "install.sh: unknown action $action" >&2; exit 2; }

: "${SRC:?}"
for f in "$SRC/libmcptt_kmc.so" "$SRC/libmcptt_kmc.a" "$here/include/mcptt_kmc.h"; do
  [ -f "$f" ] || { echo "install.sh: $f is missing: build first (make lib)" >&2; exit 1; }
done
command -v patchelf >/dev/null ||
  { echo "install.sh: patchelf not found (scripts/setup.sh installs it)" >&2; exit 1; }

# A path of the package relative to PREFIX, for the relocatable CMake file; empty when it is
# not under PREFIX (then the CMake file names it absolutely).
rel() { case "$1" in "$PREFIX"/*) echo "${1#"$PREFIX"/}" ;; *) echo "" ;; esac; }
libdir_rel="$(rel "$libdir")"
includedir_rel="$(rel "$includedir")"
cmakedir_rel="$(rel "$cmakedir")"
if [ -n "$libdir_rel" ] && [ -n "$includedir_rel" ]; then
  # From <prefix>/<cmakedir_rel> up to <prefix>: one ".." per path component.
  to_prefix="$(echo "$cmakedir_rel" | sed 's#[^/][^/]*#..#g')"
else
  # Not relocatable: absolute paths (the "prefix" is then the file system's root).
  to_prefix="$(echo "$cmakedir" | sed 's#^/##; s#[^/][^/]*#..#g')"
  libdir_rel="${libdir#/}"
  includedir_rel="${includedir#/}"
  cmakedir_rel="${cmakedir#/}"
fi
# The ELF class of the library (5th octet: 1 = 32-bit, 2 = 64-bit) gives the pointer size.
case "$(od -An -tu1 -j4 -N1 "$SRC/libmcptt_kmc.so" | tr -d ' ')" in
  1) sizeof_void_p=4 ;; 2) sizeof_void_p=8 ;;
  *) echo "install.sh: $SRC/libmcptt_kmc.so is not an ELF file" >&2; exit 1 ;;
esac
# CMake's INTERFACE_LINK_LIBRARIES takes a list of names: "-lm -ldl" becomes "m;dl".
native_static_libs_cmake="$(echo "$native_static_libs" | sed 's/-l//g; s/ /;/g')"

fill() {
  sed -e "s|@PREFIX@|$PREFIX|g" -e "s|@LIBDIR@|$libdir|g" -e "s|@INCLUDEDIR@|$includedir|g" \
      -e "s|@VERSION@|$VERSION|g" -e "s|@ABI@|$ABI|g" \
      -e "s|@NATIVE_STATIC_LIBS@|$native_static_libs|g" \
      -e "s|@NATIVE_STATIC_LIBS_CMAKE@|$native_static_libs_cmake|g" \
      -e "s|@CMAKEDIR_REL@|$cmakedir_rel|g" -e "s|@CMAKEDIR_TO_PREFIX@|$to_prefix|g" \
      -e "s|@LIBDIR_REL@|$libdir_rel|g" -e "s|@INCLUDEDIR_REL@|$includedir_rel|g" \
      -e "s|@SHARED_FILE@|$shared|g" -e "s|@SIZEOF_VOID_P@|$sizeof_void_p|g" "$1"
}

install -d "$DESTDIR$libdir" "$DESTDIR$includedir" "$DESTDIR$pcdir" "$DESTDIR$cmakedir"

# The shared library gets its SONAME in a temporary copy, then goes in whole.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp "$SRC/libmcptt_kmc.so" "$tmp/$shared"
patchelf --set-soname "$soname" "$tmp/$shared"
[ "$(patchelf --print-soname "$tmp/$shared")" = "$soname" ] ||
  { echo "install.sh: could not set the SONAME $soname" >&2; exit 1; }
install -m 0755 "$tmp/$shared" "$DESTDIR$libdir/$shared"
ln -sfn "$shared" "$DESTDIR$libdir/$soname"
ln -sfn "$soname" "$DESTDIR$libdir/libmcptt_kmc.so"
install -m 0644 "$SRC/libmcptt_kmc.a" "$DESTDIR$libdir/libmcptt_kmc.a"
install -m 0644 "$here/include/mcptt_kmc.h" "$DESTDIR$includedir/mcptt_kmc.h"

fill "$here/packaging/mcptt_kmc.pc.in" >"$tmp/mcptt_kmc.pc"
fill "$here/packaging/mcptt_kmcConfig.cmake.in" >"$tmp/mcptt_kmcConfig.cmake"
fill "$here/packaging/mcptt_kmcConfigVersion.cmake.in" >"$tmp/mcptt_kmcConfigVersion.cmake"
install -m 0644 "$tmp/mcptt_kmc.pc" "$DESTDIR$pcdir/mcptt_kmc.pc"
install -m 0644 "$tmp/mcptt_kmcConfig.cmake" "$tmp/mcptt_kmcConfigVersion.cmake" "$DESTDIR$cmakedir/"

for f in "${files[@]}"; do echo "installed $DESTDIR$f"; done
