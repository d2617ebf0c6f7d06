//! The C ABI. This layer only checks arguments, converts and delegates to the core; it is the
//! only place with `unsafe` code. Conventions (DESIGN section 4): opaque handles made by
//! `mkc_<object>_new*` through an out-pointer set only on success and released by
//! `mkc_<object>_free` (NULL accepted); every fallible call returns `mkc_result`; every buffer is
//! (pointer, length); outputs are written whole or not at all; no panic crosses the boundary.
#![allow(unsafe_code, non_camel_case_types)]

pub mod client;
pub mod ct_check;
pub mod eccsi;
pub mod kms;
pub mod mikey;
mod panic;
pub mod random;
pub mod result;
pub mod sakke;
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

/// Borrows the value behind a handle.
///
/// # Safety
/// `handle` must be NULL or a pointer returned by this library's `_new` for `H` and not yet
/// freed.
pub(crate) unsafe fn borrow<'a, H: Handle>(handle: *const H) -> Result<&'a H::Inner, mkc_result> {
    // SAFETY: by the caller's guarantee a non-NULL handle points to a live `H::Inner`.
    unsafe { handle.cast::<H::Inner>().as_ref() }.ok_or(mkc_result::NullParameter)
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

/// Views an input buffer. `(NULL, 0)` and `(any, 0)` are the empty input.
///
/// # Safety
/// A non-NULL `ptr` must be valid for reads of `len` octets for the returned lifetime.
pub(crate) unsafe fn input<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], mkc_result> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(mkc_result::NullParameter);
    }
    if isize::try_from(len).is_err() {
        return Err(mkc_result::InvalidParameter);
    }
    // SAFETY: non-NULL, length within isize::MAX, validity guaranteed by the caller.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Views an output buffer of capacity `cap`. `(NULL, 0)` is an empty buffer (a size query).
///
/// # Safety
/// A non-NULL `ptr` must be valid for writes of `cap` octets for the returned lifetime.
pub(crate) unsafe fn output<'a>(ptr: *mut u8, cap: usize) -> Result<&'a mut [u8], mkc_result> {
    if cap == 0 {
        return Ok(&mut []);
    }
    if ptr.is_null() {
        return Err(mkc_result::NullParameter);
    }
    if isize::try_from(cap).is_err() {
        return Err(mkc_result::InvalidParameter);
    }
    // SAFETY: non-NULL, length within isize::MAX, validity guaranteed by the caller.
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr, cap) })
}

/// Refuses an output buffer `(out, out_cap)` that overlaps any of `others` (other buffers of
/// the same call, or a `written` pointer): Rust must never see one region of memory both as
/// shared input and as mutable output. Empty regions overlap nothing.
pub(crate) fn check_disjoint(
    out: *mut u8,
    out_cap: usize,
    others: &[(*const u8, usize)],
) -> Result<(), mkc_result> {
    let start = out.addr();
    let end = start.saturating_add(out_cap);
    for &(other, len) in others {
        let other_start = other.addr();
        let other_end = other_start.saturating_add(len);
        if out_cap != 0 && len != 0 && start < other_end && other_start < end {
            return Err(mkc_result::InvalidParameter);
        }
    }
    Ok(())
}

/// Refuses a `written` out-pointer that overlaps an input buffer (see [`check_disjoint`]).
pub(crate) fn check_written_disjoint(
    written: *mut usize,
    inputs: &[(*const u8, usize)],
) -> Result<(), mkc_result> {
    check_disjoint(written.cast::<u8>(), size_of::<usize>(), inputs)
}

/// The region a `size_t *written` out-pointer occupies, for [`check_disjoint`].
pub(crate) fn written_region(written: *mut usize) -> (*const u8, usize) {
    (written.cast::<u8>().cast_const(), size_of::<usize>())
}

/// Checks that an out-pointer is non-NULL.
pub(crate) fn out_ptr<T>(ptr: *mut T) -> Result<*mut T, mkc_result> {
    if ptr.is_null() {
        Err(mkc_result::NullParameter)
    } else {
        Ok(ptr)
    }
}

/// Writes `data` whole into `out` and its length into `*written`, or, when `out` is too small,
/// writes only the needed size into `*written` and returns `BufferTooSmall`.
///
/// # Safety
/// `written` must be valid for writes (checked non-NULL by the caller).
pub(crate) unsafe fn emit(
    out: &mut [u8],
    written: *mut usize,
    data: &[u8],
) -> Result<(), mkc_result> {
    // SAFETY: the caller guarantees `written` is writable.
    unsafe { written.write(data.len()) };
    let dest = out
        .get_mut(..data.len())
        .ok_or(mkc_result::BufferTooSmall)?;
    dest.copy_from_slice(data);
    Ok(())
}
