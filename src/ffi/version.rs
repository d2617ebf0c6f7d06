//! Version and ABI version. The header's `MKC_VERSION_*` and `MKC_ABI_VERSION` macros are written
//! by build.rs from the same sources (Cargo.toml and the `abi-version` file).

use super::panic::guard_value;
use std::ffi::c_char;

const VERSION_NUL: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
const ABI_VERSION: &str = include_str!("../../abi-version");

/// The library version as a static NUL-terminated string `"MAJOR.MINOR.PATCH"` (the value of
/// `MKC_VERSION_STRING` the library was built with). Never NULL; never freed by the caller.
#[unsafe(no_mangle)]
pub extern "C" fn mkc_version() -> *const c_char {
    guard_value(c"".as_ptr(), || VERSION_NUL.as_ptr().cast())
}

/// The ABI version of the loaded library (`MKC_ABI_VERSION` of its header, also the SONAME
/// suffix on desktop Linux: `libmcptt_kmc.so.<abi>`). A program compiled against header ABI N
/// must not use a library whose ABI version differs.
#[unsafe(no_mangle)]
pub extern "C" fn mkc_abi_version() -> u32 {
    guard_value(0, || ABI_VERSION.trim().parse().unwrap_or(0))
}
