//! Hooks of the constant-time check, a test instrument (not part of the C API): with the cargo
//! feature `ct-check` they call the valgrind client requests in ct-check/shim.c (built by
//! build.rs); otherwise they compile to nothing.
//!
//! `classify` marks a secret as undefined for memcheck, so that any branch or memory index that
//! depends on it is reported. `declassify` marks a value the algorithm makes public (a point
//! sent on the wire, the result of a validity check) as defined again. The library calls
//! `declassify` exactly where it turns a secret-derived value into a public decision.
//!
//! The one place outside `ffi` with `unsafe`: the calls into the valgrind shim.
#![allow(unsafe_code)]

#[cfg(feature = "ct-check")]
unsafe extern "C" {
    fn mkc_ct_classify(addr: *const u8, len: usize);
    fn mkc_ct_declassify(addr: *const u8, len: usize);
}

/// Marks the bytes of `value` as secret (undefined) for memcheck.
#[inline(always)]
pub fn classify<T: ?Sized>(value: &T) {
    #[cfg(feature = "ct-check")]
    // SAFETY: the shim only tells valgrind about the address range of a live reference.
    unsafe {
        mkc_ct_classify((value as *const T).cast::<u8>(), size_of_val(value))
    };
    #[cfg(not(feature = "ct-check"))]
    let _ = value;
}

/// Returns `value` marked as public (defined) for memcheck. It goes through memory the compiler
/// must assume was changed, so no register copy of the still-secret value is used afterwards.
#[inline(always)]
pub fn public<T: Copy>(mut value: T) -> T {
    declassify_in_place(&mut value);
    std::hint::black_box(value)
}

#[inline(always)]
fn declassify_in_place<T>(value: &mut T) {
    #[cfg(feature = "ct-check")]
    // SAFETY: the shim only tells valgrind about the address range of a live reference.
    unsafe {
        mkc_ct_declassify((value as *mut T).cast::<u8>(), size_of::<T>())
    };
    #[cfg(not(feature = "ct-check"))]
    let _ = value;
}

/// Marks the bytes of `value` as public (defined) for memcheck.
#[inline(always)]
pub fn declassify<T: ?Sized>(value: &T) {
    #[cfg(feature = "ct-check")]
    // SAFETY: the shim only tells valgrind about the address range of a live reference.
    unsafe {
        mkc_ct_declassify((value as *const T).cast::<u8>(), size_of_val(value))
    };
    #[cfg(not(feature = "ct-check"))]
    let _ = value;
}
