//! Constant-time arithmetic in the fields of SAKKE parameter set 1 (RFC 6509 Appendix A).
//!
//! * [`Fp`]: integers modulo the 1024-bit prime p (p = 3 mod 4), the base field of the curve
//!   E: y^2 = x^3 - 3x.
//! * [`Fq`]: integers modulo q = (p + 1) / 4 (1022 bits), the order of the base point P; used
//!   for scalars such as (b + z)^-1 mod q and r mod q.
//! * [`Fp2`]: F_p^2 = F_p\[i\] / (i^2 + 1), the field of the pairing values.
//!
//! Representation: 16 little-endian 64-bit limbs ([`LIMBS`]) in Montgomery form with
//! R = 2^1024, always fully reduced (below the modulus). The external encoding is the canonical
//! big-endian octet string of [`BYTES`] = 128 octets (the L = 128 octets of RFC 6508).
//!
//! Timing: every function and operator is constant time (no branch or memory index depends on
//! any value, selections are done by masking) except those whose name ends in `_vartime`, which
//! are for public data only and vary with the *exponent* or the *length* of their input.
//! Values may be secret, so the types have no `Debug` output of their value and zeroize through
//! [`zeroize::DefaultIsZeroes`].

#[macro_use]
mod macros;
pub(crate) mod arith;
#[cfg(target_arch = "x86_64")]
mod mulx;
mod safegcd;

pub mod fp;
pub mod fp2;
pub mod fq;

pub use fp::Fp;
pub use fp2::Fp2;
pub use fq::Fq;

/// Number of 64-bit limbs of an [`Fp`] or [`Fq`] element.
pub const LIMBS: usize = 16;
/// Octets of the canonical big-endian encoding of an [`Fp`] or [`Fq`] element.
pub const BYTES: usize = 128;

use p256::elliptic_curve::subtle::{ConditionallySelectable, ConstantTimeEq};

/// The operations the shared exponentiation code needs (implemented by Fp, Fq and Fp2).
pub(crate) trait PowField: Copy + ConditionallySelectable {
    const ONE_VALUE: Self;
    fn field_mul(&self, rhs: &Self) -> Self;
    fn field_square(&self) -> Self;
}

/// self^exp with a fixed 4-bit window over all 1024 exponent bits: 1020 squarings and 256
/// multiplications whatever the exponent, with each table entry read by a masked scan of the
/// whole table. Constant time in the base and in the exponent.
#[inline]
pub(crate) fn pow_ct<F: PowField>(base: &F, exp: &[u64; LIMBS]) -> F {
    let mut table = [F::ONE_VALUE; 16];
    table[1] = *base;
    for k in 2..16 {
        table[k] = table[k - 1].field_mul(base);
    }
    let mut acc = F::ONE_VALUE;
    let mut first = true;
    for limb in exp.iter().rev() {
        for nibble in (0..16).rev() {
            if !first {
                // the position in the fixed loop, not the exponent, decides this branch
                for _ in 0..4 {
                    acc = acc.field_square();
                }
            }
            let digit = ((limb >> (4 * nibble)) & 0xf) as u8;
            let mut entry = F::ONE_VALUE;
            for (k, t) in table.iter().enumerate() {
                entry.conditional_assign(t, (k as u8).ct_eq(&digit));
            }
            acc = if first { entry } else { acc.field_mul(&entry) };
            first = false;
        }
    }
    acc
}

/// self^exp for a public exponent (any number of little-endian limbs): left-to-right sliding
/// window of width 4 over odd powers. Variable time in the exponent only; constant time in the
/// base (so it also serves Fermat inversion with the fixed exponent m - 2).
pub(crate) fn pow_vartime<F: PowField>(base: &F, exp: &[u64]) -> F {
    // odd powers base^1, base^3, ..., base^15
    let sq = base.field_square();
    let mut odd = [*base; 8];
    for k in 1..8 {
        odd[k] = odd[k - 1].field_mul(&sq);
    }
    let bit = |i: usize| (exp[i / 64] >> (i % 64)) & 1;
    let nbits = exp.len() * 64;
    let mut acc = F::ONE_VALUE;
    let mut started = false;
    let mut i = nbits;
    while i > 0 {
        let top = i - 1;
        if bit(top) == 0 {
            if started {
                acc = acc.field_square();
            }
            i -= 1;
            continue;
        }
        // window [low, top] of at most 4 bits ending in a set bit
        let mut low = top.saturating_sub(3);
        while bit(low) == 0 {
            low += 1;
        }
        let mut value = 0usize;
        for j in (low..=top).rev() {
            value = (value << 1) | bit(j) as usize;
            if started {
                acc = acc.field_square();
            }
        }
        acc = if started {
            acc.field_mul(&odd[value >> 1])
        } else {
            odd[value >> 1]
        };
        started = true;
        i = low;
    }
    acc
}

/// For the constant-time check only (`make test-ct`): forces the F_p / F_q multiplication
/// path, `true` for MULX/ADCX/ADOX (x86-64; faults on a CPU without BMI2 and ADX), `false` for
/// the portable one. Valgrind hides ADX from CPUID (so detection alone would never run that
/// path under it) but executes the instructions. A no-op on other architectures.
#[cfg(feature = "ct-check")]
#[doc(hidden)]
pub fn force_multiplication_path(mulx_adx: bool) {
    #[cfg(target_arch = "x86_64")]
    mulx::force(mulx_adx);
    #[cfg(not(target_arch = "x86_64"))]
    let _ = mulx_adx;
}

/// Redacted `Debug` output for secret-bearing types.
pub(crate) fn fmt_redacted(name: &str, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
    write!(f, "{name}(..)")
}

#[cfg(test)]
mod tests;
