//! Reading C arguments: (pointer, length) buffers and strings, arrays, and the memory regions
//! the overlap check of [`super::out`] compares. Shared by every per-type file.

use super::result::mkc_result;

/// A (pointer, length) string: UTF-8 octets, no NUL terminator needed. `(NULL, 0)` is empty.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mkc_str {
    /// The octets.
    pub ptr: *const u8,
    /// Their number.
    pub len: usize,
}

/// A memory region of one argument: (start, length in octets).
pub(crate) type Region = (*const u8, usize);

/// The empty region: for an argument that is NULL, so has no region to compare.
pub(crate) const EMPTY: Region = (std::ptr::null(), 0);

/// The region of a `(ptr, len)` buffer.
pub(crate) fn region<T>(ptr: *const T, len: usize) -> Region {
    (ptr.cast(), len)
}

/// The region of an `mkc_str`'s octets.
pub(crate) fn str_region(s: mkc_str) -> Region {
    (s.ptr, s.len)
}

/// The region of one value `*ptr` (a struct argument, an out-value).
pub(crate) fn value_region<T>(ptr: *const T) -> Region {
    (ptr.cast(), size_of::<T>())
}

/// Whether two regions share an octet. Empty regions overlap nothing.
pub(crate) fn overlaps(a: Region, b: Region) -> bool {
    let (a_start, b_start) = (a.0.addr(), b.0.addr());
    let (a_end, b_end) = (a_start.saturating_add(a.1), b_start.saturating_add(b.1));
    a.1 != 0 && b.1 != 0 && a_start < b_end && b_start < a_end
}

/// Views an input buffer. `(NULL, 0)` and `(any, 0)` are the empty input.
///
/// # Safety
/// A non-NULL `ptr` must be valid for reads of `len` octets for the returned lifetime.
pub(crate) unsafe fn input<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], mkc_result> {
    // SAFETY: forwarded caller guarantee.
    unsafe { array(ptr, len) }
}

/// Views an array of `count` values of `T`. `(NULL, 0)` is empty.
///
/// # Safety
/// A non-NULL `ptr` must be valid for reads of `count` values for the returned lifetime.
pub(crate) unsafe fn array<'a, T>(ptr: *const T, count: usize) -> Result<&'a [T], mkc_result> {
    if count == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(mkc_result::NullParameter);
    }
    if count
        .checked_mul(size_of::<T>())
        .is_none_or(|n| isize::try_from(n).is_err())
    {
        return Err(mkc_result::InvalidParameter);
    }
    // SAFETY: non-NULL, size within isize::MAX, validity guaranteed by the caller.
    Ok(unsafe { std::slice::from_raw_parts(ptr, count) })
}

/// Reads `(ptr, len)` as UTF-8 text; text that is not UTF-8 is `INVALID_PARAMETER`.
///
/// # Safety
/// `ptr` must be readable for `len` octets.
pub(crate) unsafe fn text<'a>(ptr: *const u8, len: usize) -> Result<&'a str, mkc_result> {
    // SAFETY: forwarded caller guarantee.
    let bytes = unsafe { input(ptr, len) }?;
    std::str::from_utf8(bytes).map_err(|_| mkc_result::InvalidParameter)
}

/// Reads an `mkc_str` as UTF-8 text.
///
/// # Safety
/// `s.ptr` must be readable for `s.len` octets.
pub(crate) unsafe fn utf8<'a>(s: mkc_str) -> Result<&'a str, mkc_result> {
    // SAFETY: forwarded caller guarantee.
    unsafe { text(s.ptr, s.len) }
}

/// Reads `*ptr`, a struct argument.
///
/// # Safety
/// A non-NULL `ptr` must point to a readable `T` for the returned lifetime.
pub(crate) unsafe fn value<'a, T>(ptr: *const T) -> Result<&'a T, mkc_result> {
    // SAFETY: forwarded caller guarantee.
    unsafe { ptr.as_ref() }.ok_or(mkc_result::NullParameter)
}

/// `s` with a NUL appended, for the NUL-terminated views the client hands out.
pub(crate) fn c_string(s: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(s.len() + 1);
    v.extend_from_slice(s);
    v.push(0);
    v
}
