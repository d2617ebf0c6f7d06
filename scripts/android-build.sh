#!/usr/bin/env bash
# The Android build (`make android`; README, "Android"): the C library (libmcptt_kmc.so) and the
# JNI library (libmcptt_kmc_jni.so, from bindings/jni when it is there) for arm64-v8a,
# armeabi-v7a and x86_64, with cargo-ndk and an installed NDK:
#
#   build/android/jniLibs/<abi>/libmcptt_kmc_jni.so   what the Android library module android/
#                                                     packages (with bindings/jni/java)
#   build/android/lib/<abi>/libmcptt_kmc.so           the C library, for apps with their own
#                                                     NDK code (header: include/mcptt_kmc.h)
#
# Each library is then checked with readelf: its SONAME is its own unversioned file name
# (build.rs; an APK packages only lib*.so files) and every LOAD segment is aligned to 16 KB
# (.cargo/config.toml; required for apps targeting Android 15 and later).
#
#   scripts/android-build.sh [--api N] [--debug]   the build; needs ANDROID_NDK_HOME, cargo-ndk
#                                                  and the three rustup targets
#   scripts/android-build.sh --check               what runs without the NDK (`make
#                                                  android-check`): type-checks the crates for
#                                                  the three Android targets (-Zbuild-std with
#                                                  Debian's toolchain, as scripts/cross-test.sh),
#                                                  and checks that build.rs asks for the SONAME
#                                                  libmcptt_kmc.so and cargo passes the 16 KB
#                                                  link flag for each
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

api=24
profile=release
check=0
while [ $# -gt 0 ]; do
  case "$1" in
    --api) api="$2"; shift ;;
    --debug) profile=debug ;;
    --check) check=1 ;;
    *) echo "android-build: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

# ABI (Android's name) and Rust target.
abis=(arm64-v8a armeabi-v7a x86_64)
declare -A triple=(
  [arm64-v8a]=aarch64-linux-android
  [armeabi-v7a]=armv7-linux-androideabi
  [x86_64]=x86_64-linux-android
)
# The crates: the C library always, the JNI bridge when bindings/jni exists.
packages=(mcptt-kmc)
[ -f bindings/jni/Cargo.toml ] && packages+=(mcptt-kmc-jni)
pkg_args=()
for p in "${packages[@]}"; do pkg_args+=(-p "$p"); done

if [ $check -eq 1 ]; then
  export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
  [ -f /usr/lib/rustlib/src/rust/library/Cargo.lock ] && [ -x /usr/bin/cargo ] ||
    { echo "android-build: Debian's Rust toolchain missing: run scripts/setup-cross.sh" >&2; exit 1; }
  export CARGO_TARGET_DIR="$root/target/android-check"
  for abi in "${abis[@]}"; do
    t="${triple[$abi]}"
    start=$SECONDS
    log="$CARGO_TARGET_DIR/check-$t.log"
    mkdir -p "$CARGO_TARGET_DIR"
    # --verbose: the rustc command lines, to see the link flag cargo passes for this target.
    /usr/bin/cargo check --verbose -Zbuild-std --target "$t" --lib "${pkg_args[@]}" >"$log" 2>&1 ||
      { tail -40 "$log"; echo "android-build: cargo check failed for $t ($log)" >&2; exit 1; }
    grep -- "--crate-name mcptt_kmc " "$log" | grep -q -- "max-page-size=16384" ||
      { echo "android-build: $t: the 16 KB link flag is not passed (.cargo/config.toml)" >&2; exit 1; }
    out="$(ls -t "$CARGO_TARGET_DIR/$t"/debug/build/mcptt-kmc-*/output 2>/dev/null | head -n 1)"
    grep -qx 'cargo:rustc-cdylib-link-arg=-Wl,-soname,libmcptt_kmc.so' "$out" ||
      { echo "android-build: $t: build.rs does not ask for the SONAME libmcptt_kmc.so" >&2; exit 1; }
    echo "android-build: $abi ($t): ${packages[*]} type-check; SONAME libmcptt_kmc.so and" \
         "-z max-page-size=16384 passed to the link ($((SECONDS - start)) s)"
  done
  echo "android-build: check passed (not built: linking needs the NDK)"
  exit 0
fi

ndk="${ANDROID_NDK_HOME:-${ANDROID_NDK_ROOT:-}}"
[ -n "$ndk" ] && [ -d "$ndk" ] ||
  { echo "android-build: set ANDROID_NDK_HOME to an installed NDK (r26 or later)" >&2; exit 1; }
command -v cargo-ndk >/dev/null ||
  { echo "android-build: cargo-ndk missing: cargo install cargo-ndk" >&2; exit 1; }
for abi in "${abis[@]}"; do
  rustup target list --installed 2>/dev/null | grep -qx "${triple[$abi]}" ||
    { echo "android-build: rustup target add ${triple[$abi]}" >&2; exit 1; }
done

out="$root/build/android"
rm -rf "$out/jniLibs" "$out/lib"
mode=()
[ "$profile" = release ] && mode=(--release)
ndk_targets=()
for abi in "${abis[@]}"; do ndk_targets+=(-t "$abi"); done
# Its own target directory: the Android builds do not disturb the host's.
export CARGO_TARGET_DIR="$root/target/android"
cargo ndk "${ndk_targets[@]}" --platform "$api" -o "$out/lib" build "${mode[@]}" --lib -p mcptt-kmc
if [ -f bindings/jni/Cargo.toml ]; then
  cargo ndk "${ndk_targets[@]}" --platform "$api" -o "$out/jniLibs" build "${mode[@]}" --lib \
    -p mcptt-kmc-jni
  # cargo-ndk copies every library of the build: the module packages the JNI library only.
  find "$out/jniLibs" -name '*.so' ! -name libmcptt_kmc_jni.so -delete
fi

# The checks. readelf from binutils reads the ELF files of every architecture.
for so in "$out"/lib/*/*.so "$out"/jniLibs/*/*.so; do
  [ -f "$so" ] || continue
  name="$(basename "$so")"
  soname="$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
  # The JNI library has no SONAME of its own unless its crate sets one; the loader then uses
  # its file name, which is as good.
  [ -z "$soname" ] || [ "$soname" = "$name" ] ||
    { echo "android-build: $so: SONAME $soname, not $name" >&2; exit 1; }
  aligns="$(readelf -lW "$so" | awk '$1 == "LOAD" { print $NF }' | sort -u)"
  [ "$aligns" = 0x4000 ] ||
    { echo "android-build: $so: LOAD segments aligned to $aligns, not 16 KB (0x4000)" >&2; exit 1; }
  echo "android-build: $so: SONAME ${soname:-(none)}, 16 KB aligned"
done
echo "android-build: done; the Android library module is android/ (README, \"Android\")"
