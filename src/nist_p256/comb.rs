//! Constant-time fixed-base multiplication \[k\]G on affine tables built once per process.
//!
//! The scalar is recoded into 43 signed digits of 6 bits (Booth: each digit in [-32, 31]),
//! k = sum d_i 2^(6i), and table row i holds j 2^(6i) G for j = 1..32 in affine form (43 x 32
//! points, 88 KiB). \[k\]G is then 43 mixed additions and no doubling: 42 incomplete Jacobian
//! ones, which the row structure keeps away from their exceptional cases (see
//! [`mul_generator`]), and a complete projective one for the top row. (7-bit digits, 37
//! additions on 148 KiB, measured no faster: the scans of twice as many entries eat the 6
//! additions saved.) Each lookup reads the
//! whole row with conditional selects, and a zero digit still computes an addition whose
//! result is discarded by a select, so neither time nor memory access depends on k.

use super::{AffinePoint, FieldElement, JacobianPoint, LIMBS, ProjectivePoint, Scalar, Word};
use std::sync::OnceLock;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroize;

const WINDOW_BITS: usize = 6;
/// |d| <= 32: the entries 1..=32 of a row.
const ENTRIES: usize = 1 << (WINDOW_BITS - 1);
/// 256 bits and the final carry of the recoding.
const WINDOWS: usize = 257usize.div_ceil(WINDOW_BITS);

/// An affine point as its x and y limbs side by side (Montgomery form), the form the
/// constant-time scan reads: one flat array, so that its masked ORs vectorize.
type Entry = [Word; 2 * LIMBS];

/// Row i, entry j - 1: \[j 2^(6i)\]G.
static TABLE: OnceLock<Vec<Entry>> = OnceLock::new();

fn table() -> &'static [Entry] {
    TABLE.get_or_init(|| {
        let mut points = Vec::with_capacity(WINDOWS * ENTRIES);
        let mut base = JacobianPoint::from_affine(&AffinePoint::GENERATOR);
        for _ in 0..WINDOWS {
            let mut multiple = base;
            points.push(multiple);
            for _ in 1..ENTRIES {
                multiple = multiple.add_vartime(&base);
                points.push(multiple);
            }
            // 2 * 32 * 2^(6i) G = 2^(6(i+1)) G.
            base = multiple.double();
        }
        // j 2^(6i) with 1 <= j <= 32 is never a multiple of the prime q: no identity.
        let affine = JacobianPoint::batch_to_affine_vartime(&points).unwrap_or_default();
        affine
            .iter()
            .map(|p| {
                let (x, y) = (p.x.limbs(), p.y.limbs());
                core::array::from_fn(|t| if t < LIMBS { x[t] } else { y[t - LIMBS] })
            })
            .collect()
    })
}

/// The Booth digits of k, least significant first, in constant time.
fn booth_digits(k: &Scalar) -> [i8; WINDOWS] {
    let mut bytes = k.to_be_bytes();
    let mut digits = [0i8; WINDOWS];
    let mut carry = 0i32;
    for (i, digit) in digits.iter_mut().enumerate() {
        let bit = i * WINDOW_BITS;
        // The 6 bits from `bit` (little-endian bit order) from the two octets holding them.
        let byte = bit / 8;
        let low = u32::from(bytes[31 - byte]);
        let high = if byte < 31 {
            u32::from(bytes[30 - byte])
        } else {
            0
        };
        let raw = (((low | (high << 8)) >> (bit % 8)) & ((1 << WINDOW_BITS) - 1)) as i32 + carry;
        // raw in [0, 64]: from 32 up the digit is raw - 64 and 1 carries.
        carry = (raw + (1 << (WINDOW_BITS - 1))) >> WINDOW_BITS;
        *digit = (raw - (carry << WINDOW_BITS)) as i8;
    }
    bytes.zeroize();
    digits
}

/// The entry for a digit d: \[d 2^(6i)\]G from `row`, and whether d != 0. Reads every entry.
fn lookup(row: &[Entry], digit: i8) -> (AffinePoint, Choice) {
    let d = i32::from(digit);
    let sign = d >> 31; // -1 or 0
    let abs = ((d ^ sign) - sign) as u32;
    let mut acc: Entry = [0; 2 * LIMBS];
    for (j, candidate) in (1u32..).zip(row) {
        // All ones iff j == abs: (j ^ abs) - 1 borrows into the top bit only from zero.
        // Through black_box: seeing that exactly one j matches, the compiler otherwise turns
        // the masked ORs into a branch on the secret digit (make test-ct caught it).
        let mask = core::hint::black_box(
            ((u64::from(j ^ abs).wrapping_sub(1) >> 63) as Word).wrapping_neg(),
        );
        for (a, c) in acc.iter_mut().zip(candidate) {
            *a |= c & mask;
        }
    }
    let mut entry = AffinePoint {
        x: FieldElement::from_limbs(core::array::from_fn(|t| acc[t])),
        y: FieldElement::from_limbs(core::array::from_fn(|t| acc[LIMBS + t])),
    };
    acc.zeroize();
    let negated = entry.neg();
    entry.conditional_assign(&negated, Choice::from((sign & 1) as u8));
    (entry, !abs.ct_eq(&0))
}

/// \[k\]G in constant time (projective; the identity for k = 0).
///
/// Rows 0 to 41 go through the incomplete Jacobian mixed addition (8M + 3S against 13M for the
/// complete formula), which is exact here: before row i the accumulator is \[S\]G with
/// S = sum over j < i of d_j 2^(6j), so |S| <= 32 (2^(6i) - 1) / 63 < 2^(6i), and S != 0 once
/// a digit was nonzero (its lowest nonzero digit is 1 to 32 times a power of 64). The entry is
/// \[d_i 2^(6i)\]G with 1 <= |d_i| <= 32, so 0 < |S -+ d_i 2^(6i)| < 33 * 2^(6i) <= 33 * 2^246
/// < q: the accumulator is never the identity then, nor +-entry. The identity before the first
/// nonzero digit is handled by a select. Row 42 (where that bound no longer holds) uses the
/// complete formula.
pub(crate) fn mul_generator(k: &Scalar) -> ProjectivePoint {
    let table = table();
    let mut digits = booth_digits(k);
    let (rows, last_row) = table.split_at(ENTRIES * (WINDOWS - 1));
    let mut acc = JacobianPoint::IDENTITY;
    let mut acc_is_identity = Choice::from(1);
    for (row, digit) in rows.chunks_exact(ENTRIES).zip(&digits) {
        let (mut entry, nonzero) = lookup(row, *digit);
        let mut sum = acc.add_mixed_incomplete(&entry);
        let fresh = JacobianPoint::from_affine(&entry);
        sum.conditional_assign(&fresh, acc_is_identity);
        acc.conditional_assign(&sum, nonzero);
        acc_is_identity &= !nonzero;
        entry.zeroize();
        sum.zeroize();
    }
    // The identity is (1, 1, 0) here: (0 : 1 : 0) in projective coordinates.
    let mut projective = acc.to_projective();
    acc.zeroize();
    let (mut entry, nonzero) = lookup(last_row, digits[WINDOWS - 1]);
    let sum = projective.add_mixed(&entry);
    projective.conditional_assign(&sum, nonzero);
    entry.zeroize();
    digits.zeroize();
    projective
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The digits recombine to k, including the carry into the last window.
    #[test]
    fn booth_digits_recombine() {
        for k in [
            Scalar::ZERO,
            Scalar::ONE,
            -Scalar::ONE,
            Scalar::from_u64(0x20),
            Scalar::from_u64(0x40),
            Scalar::from_u64(0x7f),
        ] {
            let digits = booth_digits(&k);
            let mut sum = Scalar::ZERO;
            let mut power = Scalar::ONE;
            for d in digits {
                let magnitude = Scalar::from_u64(u64::from(d.unsigned_abs()));
                sum = if d < 0 {
                    sum - magnitude * power
                } else {
                    sum + magnitude * power
                };
                power = power * Scalar::from_u64(1 << WINDOW_BITS);
                let half = 1 << (WINDOW_BITS - 1);
                assert!((-half..half).contains(&i32::from(d)));
            }
            assert!(bool::from(sum.ct_eq(&k)));
        }
    }
}
