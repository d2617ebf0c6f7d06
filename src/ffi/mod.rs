//! The C ABI. This layer only checks arguments, converts and delegates to the core; it is the
//! only place with `unsafe` code. Conventions (DESIGN section 4): opaque handles made by
//! `mkc_<object>_new*` through an out-pointer set only on success and released by
//! `mkc_<object>_free` (NULL accepted); every fallible call returns `mkc_result`; every buffer is
//! (pointer, length); outputs follow the one contract of [`out`]; no panic crosses the boundary.
//!
//! Plumbing: [`slice`] reads arguments, [`out`] writes results, [`result`] maps every core
//! error to `mkc_result`, `panic` guards each export; the handle helpers are below.
#![allow(unsafe_code, non_camel_case_types)]

pub mod client;
pub mod eccsi;
pub mod kms;
pub mod krr;
pub mod mikey;
pub(crate) mod out;
mod panic;
pub mod random;
pub mod result;
pub mod sakke;
pub mod slice;
pub mod srtp;
pub mod uid;
pub mod version;

use result::mkc_result;

/// Ties an opaque C type to the Rust value its pointer really points to (a `Box<Inner>`).
pub(crate) trait Handle {
    type Inner;
}

/// Moves `inner` to the heap and writes the handle to `*out`; `out` was checked non-NULL.
///
/// # Safety
/// `out` must be valid for writes.
pub(crate) unsafe fn publish<H: Handle>(out: *mut *const H, inner: H::Inner) {
    let handle = Box::into_raw(Box::new(inner)).cast::<H>().cast_const();
    // SAFETY: the caller guarantees `out` is writable.
    unsafe { out.write(handle) };
}

/// As [`publish`], for a mutable handle (`H *` in C).
///
/// # Safety
/// `out` must be valid for writes.
pub(crate) unsafe fn publish_mut<H: Handle>(out: *mut *mut H, inner: H::Inner) {
    // SAFETY: forwarded caller guarantee; `*const H` and `*mut H` have one layout.
    unsafe { publish(out.cast::<*const H>(), inner) }
}

/// Borrows the value behind a handle.
///
/// # Safety
/// `handle` must be NULL or a pointer returned by this library's `_new` for `H` and not yet
/// freed, not mutated by another thread now.
pub(crate) unsafe fn borrow<'a, H: Handle>(handle: *const H) -> Result<&'a H::Inner, mkc_result> {
    // SAFETY: by the caller's guarantee a non-NULL handle points to a live `H::Inner`.
    unsafe { handle.cast::<H::Inner>().as_ref() }.ok_or(mkc_result::NullParameter)
}

/// Borrows the value behind a mutable handle mutably.
///
/// # Safety
/// As [`borrow`], and no other thread uses the handle now.
pub(crate) unsafe fn borrow_mut<'a, H: Handle>(
    handle: *mut H,
) -> Result<&'a mut H::Inner, mkc_result> {
    // SAFETY: by the caller's guarantee a non-NULL handle points to a live `H::Inner`.
    unsafe { handle.cast::<H::Inner>().as_mut() }.ok_or(mkc_result::NullParameter)
}

/// Drops the value behind a handle (its `Drop` zeroizes secrets). NULL is a no-op.
///
/// # Safety
/// `handle` must be NULL or a live handle of type `H` that is not used again.
pub(crate) unsafe fn release<H: Handle>(handle: *const H) {
    if !handle.is_null() {
        // SAFETY: the handle came from `Box::into_raw` in `publish` and is freed once.
        drop(unsafe { Box::from_raw(handle.cast::<H::Inner>().cast_mut()) });
    }
}

/// Checks a constructor's handle out-pointer: non-NULL. It is written only on success.
pub(crate) fn out_ptr<T>(ptr: *mut T) -> Result<*mut T, mkc_result> {
    if ptr.is_null() {
        Err(mkc_result::NullParameter)
    } else {
        Ok(ptr)
    }
}

/// The header's thread rules, checked at compile time: the immutable handles may be used from
/// several threads at once (`Send + Sync`); the client moves between threads and its `const`
/// calls may run at once (`Send + Sync` too, the views of its last output included).
const _: () = {
    const fn shareable<T: Send + Sync>() {}
    shareable::<<eccsi::mkc_eccsi_public as Handle>::Inner>();
    shareable::<<eccsi::mkc_eccsi_signer as Handle>::Inner>();
    shareable::<<kms::mkc_kms as Handle>::Inner>();
    shareable::<<sakke::mkc_sakke_public as Handle>::Inner>();
    shareable::<<sakke::mkc_sakke_receiver as Handle>::Inner>();
    shareable::<<client::mkc_client as Handle>::Inner>();
};
