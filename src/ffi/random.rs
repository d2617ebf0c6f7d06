//! `mkc_random`: octets from the operating system's RNG, for apps that need key material (SSVs,
//! GMKs) without their own RNG.

use super::out::OutBuf;
use super::panic::guard;
use super::result::mkc_result;
use crate::rng;

/// Fills `buf` (`len` octets) from the operating system's RNG (getrandom(2) on Linux and
/// Android). `len` 0 is a no-op, and `buf` may then be NULL.
///
/// Returns `MKC_RESULT_OK`, `MKC_RESULT_NULL_PARAMETER`, or `MKC_RESULT_RNG_FAILURE` with `buf`
/// zeroed.
///
/// # Safety
/// `buf` must be writable for `len` octets.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_random(buf: *mut u8, len: usize) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantee.
        let out = unsafe { OutBuf::fixed(buf, len, &[]) }?;
        out.fill_with(rng::fill)
    })
}
