//! Fixed-base scalar multiplication with a precomputed radix-16 table.

use super::{Affine, Point, WINDOWS, digit_sign_abs, recode_signed_radix16};
use crate::field::{Fp, Fq};
use p256::elliptic_curve::subtle::{ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroize;

/// Table entries per window: the multiples `[1] ..= [8]` (signed digits supply the negatives).
const ENTRIES: usize = 8;

/// A precomputed table for a fixed base B (P, Z_T, a receiver's `[b]P + Z_T`): paid once per
/// handle.
///
/// For each of the 256 radix-16 windows i the table holds the affine points
/// `[j * 16^i]B` for j = 1..=8: 2048 points of 256 octets, 512 KiB per table. [`FixedBase::mul`]
/// then needs no doubling at all: 256 mixed additions (11 field multiplications each), each
/// preceded by a constant-time scan over the 8 entries of its window.
///
/// The base must lie in the order-q subgroup (or be the identity): every base in this crate
/// does (P, Z_T and points accepted by [`Point::from_bytes_vartime`], and sums of them). For
/// other bases the results are unspecified. [`FixedBase::new`] runs in variable time (the base
/// is public); it costs about 1280 doublings, 768 additions and one batch inversion.
#[derive(Clone)]
pub struct FixedBase {
    /// `table[i][j] = [(j + 1) * 16^i]B`.
    table: Vec<[Affine; ENTRIES]>,
    /// The base is the identity, for which the affine table cannot be formed.
    base_is_identity: bool,
}

impl FixedBase {
    /// Precomputes the table of `base`.
    pub fn new(base: &Point) -> FixedBase {
        if bool::from(base.is_identity()) {
            return FixedBase {
                table: Vec::new(),
                base_is_identity: true,
            };
        }

        // Projective multiples, window by window.
        let mut projective = Vec::with_capacity(WINDOWS * ENTRIES);
        let mut b = *base;
        for _ in 0..WINDOWS {
            let b2 = b.double();
            let b3 = b2.add(&b);
            let b4 = b2.double();
            let b5 = b4.add(&b);
            let b6 = b3.double();
            let b7 = b6.add(&b);
            let b8 = b4.double();
            projective.extend_from_slice(&[b, b2, b3, b4, b5, b6, b7, b8]);
            b = b8.double();
        }

        // Batch inversion of the Z coordinates (Montgomery's trick). A zero Z (possible only
        // for a base outside the order-q subgroup) is replaced by 1 so that the others stay
        // right.
        let zs: Vec<Fp> = projective
            .iter()
            .map(|p| Fp::conditional_select(&p.z, &Fp::ONE, p.z.is_zero()))
            .collect();
        let mut prefix = Vec::with_capacity(zs.len());
        let mut acc = Fp::ONE;
        for z in &zs {
            prefix.push(acc);
            acc *= *z;
        }
        let mut inv = acc.invert().unwrap_or(Fp::ZERO);
        let mut table = vec![[Affine::default(); ENTRIES]; WINDOWS];
        for (idx, point) in projective.iter().enumerate().rev() {
            let z_inv = inv * prefix[idx];
            inv *= zs[idx];
            table[idx / ENTRIES][idx % ENTRIES] = Affine {
                x: point.x * z_inv,
                y: point.y * z_inv,
            };
        }

        FixedBase {
            table,
            base_is_identity: false,
        }
    }

    /// `[k]B`, constant time in `k`: signed radix-16 digits, one mixed addition per window
    /// with the entry read by a scan over the whole window and conditionally negated; a zero
    /// digit keeps the accumulator (conditional move).
    pub fn mul(&self, k: &Fq) -> Point {
        if self.base_is_identity {
            return Point::IDENTITY;
        }
        let mut digits = recode_signed_radix16(k);
        let mut acc = Point::IDENTITY;
        for (window, &digit) in self.table.iter().zip(digits.iter()) {
            let (negative, abs) = digit_sign_abs(digit);
            let mut entry = Affine::default();
            for (j, candidate) in window.iter().enumerate() {
                entry.conditional_assign(candidate, abs.ct_eq(&(j as u8 + 1)));
            }
            entry.y.conditional_assign(&-entry.y, negative);
            let sum = acc.add_affine(&entry);
            acc.conditional_assign(&sum, !abs.ct_eq(&0));
        }
        digits.zeroize();
        acc
    }
}
