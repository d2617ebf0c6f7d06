//! The output contract of every export, implemented once (the header's preamble states it):
//!
//! 1. Output arguments are checked first: a NULL output (a buffer with a capacity, a
//!    `written`, a required out-value) is `NULL_PARAMETER`; a capacity or an input length
//!    above `PTRDIFF_MAX`, or an output overlapping any other buffer, `written` or struct
//!    argument of the call, is `INVALID_PARAMETER`. A call refused here writes nothing at all.
//! 2. Success: the result is written whole at the start of the buffer and its length to
//!    `*written`; octets past it are untouched.
//! 3. `BUFFER_TOO_SMALL`: the buffer is untouched and `*written` holds the size needed.
//! 4. Any other failure after step 1 (a NULL handle or input, a refused input, a failed
//!    operation, a caught panic): every output buffer is zeroed over its whole capacity,
//!    `*written` is 0 and every out-value is zeroed, so no partial or stale result remains.
//!
//! [`OutBuf`] and [`OutVal`] do steps 1 to 4: made first in each export, they are written on
//! success, and otherwise their `Drop` does step 3 or 4 on every path out of the call.

use super::result::mkc_result;
use super::slice::{Region, overlaps, value_region};
use zeroize::Zeroize;

enum State {
    /// Nothing delivered yet: dropping now is a failure (step 4).
    Pending,
    /// Written whole (step 2).
    Done,
    /// Too small for the given size (step 3).
    TooSmall(usize),
}

/// One output buffer `(ptr, cap)` of an export, with its `written` when it has one.
pub(crate) struct OutBuf<'a> {
    buf: &'a mut [u8],
    written: *mut usize,
    state: State,
}

/// Step 1 for the region `out` of an output: no region of the call longer than `isize::MAX`
/// (such a length is refused here, before anything is written, and not later by the input's
/// own check, which would come after the output exists and zero it), and `out` not
/// overlapping any of `others`.
fn disjoint(out: Region, others: &[Region]) -> Result<(), mkc_result> {
    let too_long = |region: &Region| isize::try_from(region.1).is_err();
    if too_long(&out) || others.iter().any(too_long) {
        return Err(mkc_result::InvalidParameter);
    }
    if others.iter().any(|&other| overlaps(out, other)) {
        return Err(mkc_result::InvalidParameter);
    }
    Ok(())
}

impl<'a> OutBuf<'a> {
    /// An output buffer with a required `written`; `others` are every other region of the call
    /// (inputs, struct arguments, other outputs).
    ///
    /// # Safety
    /// A non-NULL `ptr` must be writable for `cap` octets and `written` writable, for `'a`.
    pub(crate) unsafe fn new(
        ptr: *mut u8,
        cap: usize,
        written: *mut usize,
        others: &[Region],
    ) -> Result<Self, mkc_result> {
        if written.is_null() {
            return Err(mkc_result::NullParameter);
        }
        let written_region = value_region(written.cast_const());
        disjoint(written_region, others)?;
        disjoint((ptr.cast_const(), cap), &[written_region])?;
        // SAFETY: forwarded caller guarantee.
        let mut out = unsafe { Self::fixed(ptr, cap, others) }?;
        out.written = written;
        Ok(out)
    }

    /// Step 1 alone for a buffer without `written`. A call with several outputs checks the
    /// later ones first, so that a refused call writes nothing (an output already made would
    /// zero itself when dropped).
    pub(crate) fn check(ptr: *mut u8, cap: usize, others: &[Region]) -> Result<(), mkc_result> {
        if cap == 0 {
            return Ok(());
        }
        if ptr.is_null() {
            return Err(mkc_result::NullParameter);
        }
        disjoint((ptr.cast_const(), cap), others)
    }

    /// An output buffer without `written`: its size is fixed and documented.
    ///
    /// # Safety
    /// A non-NULL `ptr` must be writable for `cap` octets for `'a`.
    pub(crate) unsafe fn fixed(
        ptr: *mut u8,
        cap: usize,
        others: &[Region],
    ) -> Result<Self, mkc_result> {
        Self::check(ptr, cap, others)?;
        let buf: &'a mut [u8] = if cap == 0 {
            &mut []
        } else {
            // SAFETY: non-NULL, within isize::MAX, not overlapping any other argument, writable
            // by the caller's guarantee.
            unsafe { std::slice::from_raw_parts_mut(ptr, cap) }
        };
        Ok(Self {
            buf,
            written: std::ptr::null_mut(),
            state: State::Pending,
        })
    }

    /// The capacity.
    pub(crate) fn cap(&self) -> usize {
        self.buf.len()
    }

    /// Refuses a buffer below `size` octets before any work is done (step 3).
    pub(crate) fn need(&mut self, size: usize) -> Result<(), mkc_result> {
        if self.buf.len() < size {
            self.state = State::TooSmall(size);
            return Err(mkc_result::BufferTooSmall);
        }
        Ok(())
    }

    /// Marks the call as refused for a too-small buffer elsewhere, needing `size` here.
    pub(crate) fn too_small(&mut self, size: usize) {
        self.state = State::TooSmall(size);
    }

    /// Writes `data` whole (step 2), or reports its size when it does not fit (step 3).
    pub(crate) fn put(mut self, data: &[u8]) -> Result<(), mkc_result> {
        let dest = self.buf.get_mut(..data.len());
        let Some(dest) = dest else {
            self.state = State::TooSmall(data.len());
            return Err(mkc_result::BufferTooSmall);
        };
        dest.copy_from_slice(data);
        self.state = State::Done;
        if !self.written.is_null() {
            // SAFETY: checked non-NULL and disjoint in `new`, writable by the caller.
            unsafe { self.written.write(data.len()) };
        }
        Ok(())
    }

    /// Lets `fill` write the whole buffer in place (step 2, `*written` = the capacity); when it
    /// fails, the `Drop` zeroes what it wrote (step 4).
    pub(crate) fn fill_with<E: Into<mkc_result>>(
        mut self,
        fill: impl FnOnce(&mut [u8]) -> Result<(), E>,
    ) -> Result<(), mkc_result> {
        fill(self.buf).map_err(Into::into)?;
        self.state = State::Done;
        if !self.written.is_null() {
            // SAFETY: checked non-NULL and disjoint in `new`, writable by the caller.
            unsafe { self.written.write(self.buf.len()) };
        }
        Ok(())
    }

    /// Delivers the result of the operation: [`Self::put`] on success; on failure the `Drop`
    /// does step 4.
    pub(crate) fn deliver<R: AsRef<[u8]>, E: Into<mkc_result>>(
        self,
        result: Result<R, E>,
    ) -> Result<(), mkc_result> {
        self.put(result.map_err(Into::into)?.as_ref())
    }
}

impl Drop for OutBuf<'_> {
    fn drop(&mut self) {
        let written = match self.state {
            State::Done => return,
            State::TooSmall(size) => size,
            State::Pending => {
                self.buf.zeroize();
                0
            }
        };
        if !self.written.is_null() {
            // SAFETY: checked non-NULL and disjoint in `new`, writable by the caller.
            unsafe { self.written.write(written) };
        }
    }
}

/// One out-value `*ptr` of an export (a struct, a count, an ID): written on success, zeroed
/// on failure. Only plain C data (integers, arrays, pointers) for which all-zero is a value.
pub(crate) struct OutVal<T> {
    ptr: *mut T,
    done: bool,
}

impl<T> OutVal<T> {
    /// A required out-value; `others` are every other region of the call.
    ///
    /// # Safety
    /// A non-NULL `ptr` must be writable for the life of the value.
    pub(crate) unsafe fn new(ptr: *mut T, others: &[Region]) -> Result<Self, mkc_result> {
        if ptr.is_null() {
            return Err(mkc_result::NullParameter);
        }
        // SAFETY: forwarded caller guarantee.
        unsafe { Self::optional(ptr, others) }
    }

    /// Step 1 alone (see [`OutBuf::check`]); `optional`: NULL is accepted.
    pub(crate) fn check(ptr: *mut T, optional: bool, others: &[Region]) -> Result<(), mkc_result> {
        if ptr.is_null() {
            return if optional {
                Ok(())
            } else {
                Err(mkc_result::NullParameter)
            };
        }
        disjoint(value_region(ptr.cast_const()), others)
    }

    /// An out-value the caller may leave NULL (then nothing is written).
    ///
    /// # Safety
    /// A non-NULL `ptr` must be writable for the life of the value.
    pub(crate) unsafe fn optional(ptr: *mut T, others: &[Region]) -> Result<Self, mkc_result> {
        if !ptr.is_null() {
            disjoint(value_region(ptr.cast_const()), others)?;
        }
        Ok(Self { ptr, done: false })
    }

    /// Leaves the value untouched: for `BUFFER_TOO_SMALL` (step 3) in a call without `written`.
    pub(crate) fn untouched(mut self) {
        self.done = true;
    }

    /// Writes the value (step 2).
    pub(crate) fn set(mut self, value: T) {
        if !self.ptr.is_null() {
            // SAFETY: checked non-NULL and disjoint; writable by the caller's guarantee.
            unsafe { self.ptr.write(value) };
        }
        self.done = true;
    }
}

impl<T> Drop for OutVal<T> {
    fn drop(&mut self) {
        if !self.done && !self.ptr.is_null() {
            // SAFETY: checked non-NULL and disjoint; writable by the caller's guarantee. The
            // types used here are plain C data, valid when all-zero.
            unsafe { self.ptr.write_bytes(0, 1) };
        }
    }
}
