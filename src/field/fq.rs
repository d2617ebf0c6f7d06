//! [`Fq`]: the integers modulo q = (p + 1) / 4 of SAKKE parameter set 1 (RFC 6509 Appendix A),
//! the prime order of the base point P: the field of SAKKE scalars ((b + z)^-1 mod q, r mod q).
//! q has 1022 bits.

use super::LIMBS;
use super::arith::{FieldParams, compute_inv, compute_pow2_mod, limbs_from_be_hex};

/// q of RFC 6509 Appendix A, big-endian hex.
const Q_HEX: &str = "265eaec7c2958ff69971846636b4195e905b0338672d20986fa6b8d62cf8068b\
                     bd02aac9f8bf03c6c8a1cc354c69672c39e46ce7fdf222864d5b49fd2999a9b4\
                     389b1921cc9ad335144ab173595a07386dabfd2a0c614aa0a9f3cf14870f026a\
                     a7e535abd5a5c7c7ff38fa08e2615f6c203177c42b1eb3a1d99b601ebfaa17fb";

/// The Montgomery constants of q, derived at compile time (checked against num-bigint in the
/// unit tests).
pub(crate) struct FqParams;

impl FieldParams for FqParams {
    const MODULUS: [u64; LIMBS] = limbs_from_be_hex(Q_HEX);
    const INV: u64 = compute_inv(Self::MODULUS[0]);
    const R: [u64; LIMBS] = compute_pow2_mod(&Self::MODULUS, 1024);
    const R2: [u64; LIMBS] = compute_pow2_mod(&Self::MODULUS, 2048);
    #[cfg(test)]
    const MODULUS_MINUS_TWO: [u64; LIMBS] = super::arith::compute_minus_two(&Self::MODULUS);
}

prime_field!(
    /// An element of F_q, q = (p + 1) / 4 the 1022-bit order of the SAKKE base point: a scalar.
    ///
    /// Stored as 16 little-endian 64-bit limbs in Montgomery form (R = 2^1024), always below q;
    /// encoded as 128 big-endian octets. All methods are constant time except those ending in
    /// `_vartime`. `Debug` prints no value; zeroizes as a `DefaultIsZeroes` type.
    Fq,
    FqParams,
    "q"
);
