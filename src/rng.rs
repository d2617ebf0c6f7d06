//! Randomness from the operating system (getrandom: getrandom(2) on Linux and Android).

use crate::Error;
use zeroize::Zeroize;

/// Fills `buf` from the operating system's RNG.
///
/// # Errors
/// [`Error::Rng`] when the operating system cannot deliver randomness.
pub fn fill(buf: &mut [u8]) -> Result<(), Error> {
    getrandom::fill(buf).map_err(|_| Error::Rng)
}

/// Draws `N` random octets and hands them to `accept` until it returns `Some`: rejection
/// sampling of values in a range. The candidate buffer is zeroized after each draw.
pub(crate) fn sample<const N: usize, T>(
    mut accept: impl FnMut(&[u8; N]) -> Option<T>,
) -> Result<T, Error> {
    let mut candidate = [0u8; N];
    loop {
        fill(&mut candidate)?;
        let out = accept(&candidate);
        candidate.zeroize();
        if let Some(value) = out {
            return Ok(value);
        }
    }
}
