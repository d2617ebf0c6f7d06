//! [`Fp`]: the integers modulo p of SAKKE parameter set 1 (RFC 6509 Appendix A), the base field
//! of E: y^2 = x^3 - 3x. p is a 1024-bit prime with p = 3 mod 4.

use super::LIMBS;
use super::arith::{FieldParams, compute_inv, compute_pow2_mod, limbs_from_be_hex};

/// p of RFC 6509 Appendix A, big-endian hex.
const P_HEX: &str = "997abb1f0a563fda65c61198dad0657a416c0ce19cb48261be9ae358b3e01a2e\
                     f40aab27e2fc0f1b228730d531a59cb0e791b39ff7c88a19356d27f4a666a6d0\
                     e26c6487326b4cd4512ac5cd65681ce1b6aff4a831852a82a7cf3c521c3c09aa\
                     9f94d6af56971f1ffce3e82389857db080c5df10ac7ace87666d807afea85feb";

/// The Montgomery constants of p, derived at compile time (checked against num-bigint in the
/// unit tests).
pub(crate) struct FpParams;

impl FieldParams for FpParams {
    const MODULUS: [u64; LIMBS] = limbs_from_be_hex(P_HEX);
    const INV: u64 = compute_inv(Self::MODULUS[0]);
    const R: [u64; LIMBS] = compute_pow2_mod(&Self::MODULUS, 1024);
    const R2: [u64; LIMBS] = compute_pow2_mod(&Self::MODULUS, 2048);
    #[cfg(test)]
    const MODULUS_MINUS_TWO: [u64; LIMBS] = super::arith::compute_minus_two(&Self::MODULUS);
}

prime_field!(
    /// An element of F_p, p the 1024-bit prime of SAKKE parameter set 1.
    ///
    /// Stored as 16 little-endian 64-bit limbs in Montgomery form (R = 2^1024), always below p;
    /// encoded as 128 big-endian octets. All methods are constant time except those ending in
    /// `_vartime`. `Debug` prints no value; zeroizes as a `DefaultIsZeroes` type.
    Fp,
    FpParams,
    "p"
);
