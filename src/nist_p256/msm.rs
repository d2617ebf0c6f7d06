//! Variable-time multiplications on public data: the interleaved wNAF multi-scalar
//! multiplication of verification (shared doublings) and SSK validation's \[HS\]PVT.

use super::{AffinePoint, JacobianPoint, Scalar};
use std::sync::OnceLock;

/// wNAF digits of a scalar below 2^256: one more position for the final carry.
const NAF_LEN: usize = 257;
/// Window of G's table, built once per process: 64 odd multiples.
const G_WINDOW: usize = 8;
/// Window of a KPAK's table, built once per public handle: 32 odd multiples.
pub(crate) const KPAK_WINDOW: usize = 7;
/// Window of a PVT's table, built on every call (Jacobian, no inversion): 8 odd multiples.
const PVT_WINDOW: usize = 5;

/// The odd multiples P, 3P, ..., (2^(w-1) - 1)P of a point in affine form: the table of a
/// width-w wNAF. Public data only.
pub(crate) struct OddMultiples {
    points: Vec<AffinePoint>,
}

impl OddMultiples {
    /// The table of `p` for the window `window` (2^(window-2) points, one batch inversion).
    pub(crate) fn new_vartime(p: &AffinePoint, window: usize) -> Self {
        let jacobian = odd_multiples_jacobian(p, window);
        // The multiples of a point of prime order q by odd numbers below 2^7 are never the
        // identity.
        let points = JacobianPoint::batch_to_affine_vartime(&jacobian).unwrap_or_default();
        Self { points }
    }
}

fn odd_multiples_jacobian(p: &AffinePoint, window: usize) -> Vec<JacobianPoint> {
    let one = JacobianPoint::from_affine(p);
    let two = one.double();
    let mut points = Vec::with_capacity(1 << (window - 2));
    points.push(one);
    for i in 1..1 << (window - 2) {
        points.push(points[i - 1].add_vartime(&two));
    }
    points
}

static G_TABLE: OnceLock<OddMultiples> = OnceLock::new();

fn generator_table() -> &'static OddMultiples {
    G_TABLE.get_or_init(|| OddMultiples::new_vartime(&AffinePoint::GENERATOR, G_WINDOW))
}

/// Width-w NAF of k, least significant first: every nonzero digit is odd, |d| < 2^(w-1), and
/// any w consecutive digits hold at most one nonzero.
fn wnaf_vartime(k: &Scalar, window: usize) -> [i8; NAF_LEN] {
    let bytes = k.to_be_bytes();
    let mut limbs = [0u64; 6];
    for (i, limb) in limbs.iter_mut().take(4).enumerate() {
        let at = 32 - 8 * (i + 1);
        *limb = u64::from_be_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
    }
    let width = 1u64 << window;
    let mut naf = [0i8; NAF_LEN];
    let mut pos = 0;
    let mut carry = 0;
    while pos < NAF_LEN {
        let (limb, bit) = (pos / 64, pos % 64);
        let buf = if bit + window <= 64 {
            limbs[limb] >> bit
        } else {
            (limbs[limb] >> bit) | (limbs[limb + 1] << (64 - bit))
        };
        let value = carry + (buf & (width - 1));
        if value & 1 == 0 {
            // An even window: this digit is 0 (a pending carry moves up with pos).
            pos += 1;
            continue;
        }
        if value < width / 2 {
            carry = 0;
            naf[pos] = value as i8;
        } else {
            carry = 1;
            naf[pos] = (value as i64 - width as i64) as i8;
        }
        pos += window;
    }
    naf
}

enum Table<'a> {
    Affine(&'a [AffinePoint]),
    Jacobian(&'a [JacobianPoint]),
}

/// sum [k_i]P_i by interleaved wNAF: one chain of doublings shared by every term.
fn msm_vartime(terms: &[([i8; NAF_LEN], Table<'_>)]) -> JacobianPoint {
    let Some(top) = terms
        .iter()
        .filter_map(|(digits, _)| digits.iter().rposition(|&d| d != 0))
        .max()
    else {
        return JacobianPoint::IDENTITY;
    };
    let mut acc = JacobianPoint::IDENTITY;
    for i in (0..=top).rev() {
        acc = acc.double();
        for (digits, table) in terms {
            let d = digits[i];
            if d == 0 {
                continue;
            }
            // d is odd: |d| = 2 * index + 1.
            let index = usize::from(d.unsigned_abs() / 2);
            acc = match table {
                Table::Affine(points) => {
                    let p = if d > 0 {
                        points[index]
                    } else {
                        points[index].neg()
                    };
                    acc.add_mixed_vartime(&p)
                }
                Table::Jacobian(points) => {
                    let p = if d > 0 {
                        points[index]
                    } else {
                        points[index].neg()
                    };
                    acc.add_vartime(&p)
                }
            };
        }
    }
    acc
}

/// \[k\]P for public k and P (wNAF of width 5).
pub(crate) fn mul_vartime(k: &Scalar, p: &AffinePoint) -> JacobianPoint {
    let table = odd_multiples_jacobian(p, PVT_WINDOW);
    msm_vartime(&[(wnaf_vartime(k, PVT_WINDOW), Table::Jacobian(&table))])
}

/// \[a\]G + \[b\]Q + \[c\]P with Q's table built beforehand (a KPAK) and P's built here (a PVT):
/// 256 doublings shared by the three terms. Public data only.
pub(crate) fn mul_generator_and_two_vartime(
    a: &Scalar,
    b: &Scalar,
    q: &OddMultiples,
    c: &Scalar,
    p: &AffinePoint,
) -> JacobianPoint {
    let p_table = odd_multiples_jacobian(p, PVT_WINDOW);
    msm_vartime(&[
        (
            wnaf_vartime(a, G_WINDOW),
            Table::Affine(&generator_table().points),
        ),
        (wnaf_vartime(b, KPAK_WINDOW), Table::Affine(&q.points)),
        (wnaf_vartime(c, PVT_WINDOW), Table::Jacobian(&p_table)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use subtle::ConstantTimeEq;

    /// The digits recombine to k and obey the wNAF shape, for every window used here.
    #[test]
    fn wnaf_recombines() {
        for k in [
            Scalar::ZERO,
            Scalar::ONE,
            -Scalar::ONE,
            Scalar::from_u64(0xffff_ffff),
        ] {
            for window in [PVT_WINDOW, KPAK_WINDOW, G_WINDOW] {
                let naf = wnaf_vartime(&k, window);
                let mut sum = Scalar::ZERO;
                for (i, &d) in naf.iter().enumerate().rev() {
                    sum = sum.double();
                    let magnitude = Scalar::from_u64(u64::from(d.unsigned_abs()));
                    sum = if d < 0 {
                        sum - magnitude
                    } else {
                        sum + magnitude
                    };
                    if d != 0 {
                        assert!(d % 2 != 0 && i32::from(d).abs() < 1 << (window - 1));
                        assert!(naf[i + 1..].iter().take(window - 1).all(|&e| e == 0));
                    }
                }
                assert!(bool::from(sum.ct_eq(&k)));
            }
        }
    }
}
