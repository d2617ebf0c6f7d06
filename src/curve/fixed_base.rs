//! Fixed-base scalar multiplication with a precomputed signed radix-2^W table (W = 4 by
//! default; 6 for the shared table of P).

use super::edwards::{EdAffine, EdExtended, batch_to_affine};
use super::{Point, digit_sign_abs};
use crate::field::Fq;
use p256::elliptic_curve::subtle::{ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroize;

/// Windows of W bits covering a scalar below q < 2^1022 plus the carry of the signed recoding.
const fn windows(w: usize) -> usize {
    1022 / w + 1
}

/// The signed radix-2^W digits `d_i` of `k` (`k = sum d_i 2^(W i)`), each in
/// `[-2^(W-1), 2^(W-1))` but the last, which is non-negative. Arithmetic only, no branch on k.
fn recode_signed<const W: usize>(k: &Fq) -> Vec<i8> {
    let mut limbs = k.to_canonical_limbs();
    let mut digits = vec![0i8; windows(W)];
    let mut carry = 0u8;
    for (i, digit) in digits.iter_mut().enumerate() {
        // bits W i .. W i + W - 1 (positions are public; a window may straddle two limbs)
        let pos = W * i;
        let (w, s) = (pos / 64, pos % 64);
        let mut bits = limbs.get(w).copied().unwrap_or(0) >> s;
        if s + W > 64 {
            bits |= limbs.get(w + 1).copied().unwrap_or(0) << (64 - s);
        }
        let v = (bits & ((1 << W) - 1)) as u8 + carry; // 0 ..= 2^W
        carry = (v + (1 << (W - 1))) >> W; // 1 iff v >= 2^(W-1)
        *digit = (v as i8).wrapping_sub((carry << W) as i8);
    }
    limbs.zeroize();
    digits
}

/// A precomputed table for a fixed base B (P, Z_T, a receiver's `[b]P + Z_T`): paid once per
/// handle.
///
/// For each of the radix-2^W windows i the table holds the affine points `[j * 2^(W i)]B` for
/// j = 1..=2^(W-1), in the twisted Edwards model of E (`super::edwards`), where a mixed
/// addition is 8 field multiplications instead of 11. W = 4: 256 windows of 8 points of 256
/// octets, 512 KiB per table, and [`FixedBase::mul`] is 256 mixed additions, each preceded by
/// a constant-time scan over its window's 8 entries (the table of Z_T). W = 5 (a receiver's
/// `[b]P + Z_T`): 205 windows of 16 points, 820 KiB, 205 additions. W = 6 (the shared table of
/// P): 171 windows of 32 points, 1.4 MB, 171 additions.
///
/// The base must lie in the order-q subgroup (or be the identity): every base in this crate
/// does (P, Z_T and points accepted by [`Point::from_bytes_vartime`], and sums of them). For
/// other bases the results are unspecified. [`FixedBase::new`] runs in variable time (the base
/// is public); it costs about 1280 doublings, 768 additions (Edwards) and one batch inversion.
#[derive(Clone)]
pub struct FixedBase<const W: usize = 4> {
    /// `table[i][j] = [(j + 1) * 2^(W i)]B` (Edwards affine), 2^(W-1) entries per window.
    table: Vec<Vec<EdAffine>>,
    /// The base is the identity, for which the affine table cannot be formed.
    base_is_identity: bool,
}

impl FixedBase {
    /// Precomputes the table of `base` (W = 4).
    pub fn new(base: &Point) -> FixedBase {
        FixedBase::build(base)
    }
}

impl<const W: usize> FixedBase<W> {
    /// Table entries per window: the multiples `[1] ..= [2^(W-1)]` (signed digits supply the
    /// negatives).
    const ENTRIES: usize = 1 << (W - 1);

    /// Precomputes the table of `base` with windows of W bits.
    pub fn build(base: &Point) -> FixedBase<W> {
        let entries = Self::ENTRIES;
        if bool::from(base.is_identity()) {
            return FixedBase {
                table: Vec::new(),
                base_is_identity: true,
            };
        }

        // Multiples window by window in the Edwards model (its doubling and addition are
        // cheaper than the Weierstrass ones), then affine with one inversion for all.
        let mut extended: Vec<EdExtended> = Vec::with_capacity(windows(W) * entries);
        let mut b = EdExtended::from_weierstrass_vartime(base);
        for _ in 0..windows(W) {
            let start = extended.len();
            extended.push(b);
            for j in 2..=entries {
                // [j]b from [j/2]b or [j-1]b, already in this window
                let next = if j % 2 == 0 {
                    extended[start + j / 2 - 1].double()
                } else {
                    extended[start + j - 2].add(&b)
                };
                extended.push(next);
            }
            b = extended[start + entries - 1].double();
        }
        let affine = batch_to_affine(&extended);
        let table = affine.chunks_exact(entries).map(<[_]>::to_vec).collect();

        FixedBase {
            table,
            base_is_identity: false,
        }
    }

    /// `[k]B`, constant time in `k`: signed radix-2^W digits, one mixed Edwards addition per
    /// window with the entry read by a scan over the whole window and conditionally negated
    /// ((u, v) -> (-u, v)); a zero digit adds the identity (0, 1), which the unified formulas
    /// allow. The sum goes back to the Weierstrass model without inversion.
    pub fn mul(&self, k: &Fq) -> Point {
        if self.base_is_identity {
            return Point::IDENTITY;
        }
        let mut digits = recode_signed::<W>(k);
        let mut acc = EdExtended::IDENTITY;
        for (window, &digit) in self.table.iter().zip(digits.iter()) {
            let (negative, abs) = digit_sign_abs(digit);
            let mut entry = EdAffine::IDENTITY;
            for (j, candidate) in window.iter().enumerate() {
                entry.conditional_assign(candidate, abs.ct_eq(&(j as u8 + 1)));
            }
            entry.u.conditional_assign(&-entry.u, negative);
            acc = acc.add_affine(&entry);
        }
        digits.zeroize();
        acc.to_weierstrass()
    }

    /// `[k]B` for a public `k` (an identifier b): as [`FixedBase::mul`], but each entry is
    /// read directly and zero digits add nothing, so the time depends on `k`.
    pub fn mul_vartime(&self, k: &Fq) -> Point {
        if self.base_is_identity {
            return Point::IDENTITY;
        }
        let digits = recode_signed::<W>(k);
        let mut acc = EdExtended::IDENTITY;
        for (window, &digit) in self.table.iter().zip(digits.iter()) {
            if digit == 0 {
                continue;
            }
            let mut entry = window[usize::from(digit.unsigned_abs()) - 1];
            if digit < 0 {
                entry.u = -entry.u;
            }
            acc = acc.add_affine(&entry);
        }
        acc.to_weierstrass()
    }
}
