//! Variable-time multiplications on public data: the interleaved wNAF multi-scalar
//! multiplication of verification (shared doublings) and SSK validation's \[HS\]PVT.

use super::{AffinePoint, JacobianPoint, Scalar};
use std::sync::OnceLock;
use subtle::ConstantTimeEq;

/// wNAF digits of a scalar below 2^256: one more position for the final carry.
const NAF_LEN: usize = 257;
/// Window of G's table, built once per process: 64 odd multiples.
const G_WINDOW: usize = 8;
/// Window of a KPAK's table, built once per public handle: 32 odd multiples.
pub(crate) const KPAK_WINDOW: usize = 7;
/// Window of a PVT's table, built on every call: 8 odd multiples, made affine by one
/// variable-time inversion (11 instead of 16 products per addition; the inversion and the
/// conversion, about 90 products' worth, are paid back after some 18 of the ~43 additions of
/// a full-size scalar).
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
    JacobianPoint::odd_multiples_vartime(p, 1 << (window - 2))
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

/// sum [k_i]P_i by interleaved wNAF: one chain of doublings shared by every term.
fn msm_vartime(terms: &[([i8; NAF_LEN], &[AffinePoint])]) -> JacobianPoint {
    let Some(top) = terms
        .iter()
        .filter_map(|(digits, _)| digits.iter().rposition(|&d| d != 0))
        .max()
    else {
        return JacobianPoint::IDENTITY;
    };
    let mut acc = JacobianPoint::IDENTITY;
    for i in (0..=top).rev() {
        // No doubling of the identity before the first addition.
        if !acc.is_identity_vartime() {
            acc = acc.double();
        }
        for (digits, points) in terms {
            let d = digits[i];
            if d == 0 {
                continue;
            }
            // d is odd: |d| = 2 * index + 1.
            let index = usize::from(d.unsigned_abs() / 2);
            let p = if d > 0 {
                points[index]
            } else {
                points[index].neg()
            };
            acc = acc.add_mixed_vartime(&p);
        }
    }
    acc
}

/// \[k\]P for public k and P (wNAF of width 5). Only the tests use it today.
#[cfg(test)]
pub(crate) fn mul_vartime(k: &Scalar, p: &AffinePoint) -> JacobianPoint {
    let table = odd_multiples_affine(&[p], PVT_WINDOW);
    msm_vartime(&[(wnaf_vartime(k, PVT_WINDOW), &table[0])])
}

/// Window of SSK validation's two half-size terms: 4 affine odd multiples each, made affine
/// together with one inversion. With 128-bit scalars, wider tables cost more than they save.
const HALF_WINDOW: usize = 4;

/// The odd-multiple tables of several points for one window, in affine form with a single
/// inversion shared by all of them (Montgomery's trick).
fn odd_multiples_affine(points: &[&AffinePoint], window: usize) -> Vec<Vec<AffinePoint>> {
    let per_point = 1 << (window - 2);
    let jacobian: Vec<JacobianPoint> = points
        .iter()
        .flat_map(|p| odd_multiples_jacobian(p, window))
        .collect();
    // Odd multiples below 2^window of points of prime order q are never the identity.
    let affine = JacobianPoint::batch_to_affine_vartime(&jacobian).unwrap_or_default();
    affine
        .chunks(per_point)
        .map(<[AffinePoint]>::to_vec)
        .collect()
}

/// \[a\]P + \[b\]Q for public scalars and points (wNAF of width 4 on affine tables): the
/// doublings are those of the longer scalar, so half-size scalars (see [`half_size_vartime`])
/// halve them.
pub(crate) fn mul_two_vartime(
    a: &Scalar,
    p: &AffinePoint,
    b: &Scalar,
    q: &AffinePoint,
) -> JacobianPoint {
    let tables = odd_multiples_affine(&[p, q], HALF_WINDOW);
    msm_vartime(&[
        (wnaf_vartime(a, HALF_WINDOW), &tables[0]),
        (wnaf_vartime(b, HALF_WINDOW), &tables[1]),
    ])
}

/// As [`mul_two_vartime`] with P's table built beforehand (a KPAK's, window
/// [`KPAK_WINDOW`]): its wider window takes about 16 additions for a 128-bit scalar instead of
/// 26, and only Q's table is built here.
pub(crate) fn mul_two_with_table_vartime(
    a: &Scalar,
    p: &OddMultiples,
    b: &Scalar,
    q: &AffinePoint,
) -> JacobianPoint {
    let q_table = odd_multiples_affine(&[q], HALF_WINDOW);
    msm_vartime(&[
        (wnaf_vartime(a, KPAK_WINDOW), &p.points),
        (wnaf_vartime(b, HALF_WINDOW), &q_table[0]),
    ])
}

/// Bits of each chunk of [`KpakTables`]: SSK validation under a verifier splits HS as u / v
/// with u below 2^64 and v below 2^192 (three chunks), so that its chain of doublings is 64
/// long instead of 128.
pub(crate) const CHUNK_BITS: u32 = 64;

/// The wNAF tables (window [`KPAK_WINDOW`]) of \[2^64\]KPAK and \[2^128\]KPAK, beside KPAK's own:
/// with them \[v\]KPAK for v < 2^192 takes 64 doublings. 4 KiB, one batch inversion, 128
/// doublings to build. Public data only.
pub(crate) struct KpakTables {
    shifted: [OddMultiples; 2],
}

impl KpakTables {
    /// The tables of \[2^64\]P and \[2^128\]P, for a point P of order q.
    pub(crate) fn new_vartime(p: &AffinePoint) -> Self {
        let mut acc = JacobianPoint::from_affine(p);
        let mut shifted = Vec::with_capacity(2);
        for _ in 0..2 {
            for _ in 0..CHUNK_BITS {
                acc = acc.double();
            }
            // [2^64]P and [2^128]P are not the identity: q is prime and above 2^128.
            shifted.push(acc.to_affine_vartime().unwrap_or_default());
        }
        let points: Vec<&AffinePoint> = shifted.iter().collect();
        let mut tables = odd_multiples_affine(&points, KPAK_WINDOW).into_iter();
        let mut next = || OddMultiples {
            points: tables.next().unwrap_or_default(),
        };
        Self {
            shifted: [next(), next()],
        }
    }
}

/// \[v\]P + \[u\]Q for public v < 2^192 and u < 2^64 (from [`split_vartime`] with 64 bits), with
/// P's tables built beforehand (a KPAK's: its own and [`KpakTables`]): v in three 64-bit
/// chunks, one per table, and only Q's table built here; 64 doublings shared by the four terms.
pub(crate) fn mul_two_split_vartime(
    v: &Scalar,
    p: &OddMultiples,
    p_shifted: &KpakTables,
    u: &Scalar,
    q: &AffinePoint,
) -> JacobianPoint {
    let limbs = u256_from_scalar(v);
    let chunk = |i: usize| u256_to_scalar(&[limbs[i], 0, 0, 0]);
    let q_table = odd_multiples_affine(&[q], HALF_WINDOW);
    msm_vartime(&[
        (wnaf_vartime(&chunk(0), KPAK_WINDOW), &p.points),
        (
            wnaf_vartime(&chunk(1), KPAK_WINDOW),
            &p_shifted.shifted[0].points,
        ),
        (
            wnaf_vartime(&chunk(2), KPAK_WINDOW),
            &p_shifted.shifted[1].points,
        ),
        (wnaf_vartime(u, HALF_WINDOW), &q_table[0]),
    ])
}

/// 256-bit unsigned integers as four little-endian u64 limbs, for [`half_size_vartime`].
type U256 = [u64; 4];

fn u256_from_scalar(k: &Scalar) -> U256 {
    let bytes = k.to_be_bytes();
    core::array::from_fn(|i| {
        let at = 32 - 8 * (i + 1);
        u64::from_be_bytes(bytes[at..at + 8].try_into().unwrap_or_default())
    })
}

fn u256_to_scalar(n: &U256) -> Scalar {
    let mut bytes = [0u8; 32];
    for (i, limb) in n.iter().enumerate() {
        let at = 32 - 8 * (i + 1);
        bytes[at..at + 8].copy_from_slice(&limb.to_be_bytes());
    }
    // Only called with values below 2^193 < q.
    Scalar::from_be_bytes(&bytes).unwrap_or(Scalar::ZERO)
}

fn u256_bits(n: &U256) -> u32 {
    (0..4)
        .rev()
        .find(|&i| n[i] != 0)
        .map_or(0, |i| 64 * i as u32 + 64 - n[i].leading_zeros())
}

fn u256_shl(n: &U256, shift: u32) -> U256 {
    let (limbs, bits) = ((shift / 64) as usize, shift % 64);
    core::array::from_fn(|i| {
        let at = |j: usize| if j >= limbs { n[j - limbs] } else { 0 };
        let low = if bits != 0 && i > limbs {
            at(i - 1) >> (64 - bits)
        } else {
            0
        };
        (at(i) << bits) | low
    })
}

fn u256_ge(a: &U256, b: &U256) -> bool {
    a.iter().rev().cmp(b.iter().rev()) != core::cmp::Ordering::Less
}

fn u256_sub(a: &U256, b: &U256) -> U256 {
    let mut borrow = false;
    core::array::from_fn(|i| {
        let (d, b1) = a[i].overflowing_sub(b[i]);
        let (d, b2) = d.overflowing_sub(u64::from(borrow));
        borrow = b1 || b2;
        d
    })
}

fn u256_add(a: &U256, b: &U256) -> U256 {
    let mut carry = false;
    core::array::from_fn(|i| {
        let (s, c1) = a[i].overflowing_add(b[i]);
        let (s, c2) = s.overflowing_add(u64::from(carry));
        carry = c1 || c2;
        s
    })
}

/// A public scalar k as a fraction of half-size integers: k = u / v (mod q) with v in
/// [1, 2^128) and |u| < 2^128, returned as (|u|, u < 0, v). The extended Euclidean algorithm
/// on (q, k), stopped at the first remainder below 2^128 (then |v| <= q / 2^128). Multiplying
/// a check by v turns \[k\]P into \[u\]P: half the doublings. Variable time: public k only.
pub(crate) fn half_size_vartime(k: &Scalar) -> (Scalar, bool, Scalar) {
    split_vartime(k, 128)
}

/// As [`half_size_vartime`] with the Euclidean algorithm stopped at the first remainder of at
/// most `bits` bits (1 to 128): k = u / v (mod q) with |u| < 2^bits and v in
/// [1, 2^(256 - bits)), since |v| <= q / r for the remainder r >= 2^bits before u.
pub(crate) fn split_vartime(k: &Scalar, bits: u32) -> (Scalar, bool, Scalar) {
    let q: U256 = u256_from_scalar(&(-Scalar::ONE));
    let q = u256_add(&q, &[1, 0, 0, 0]);
    // Invariant: r_i = +-t_i k (mod q), the signs of t alternating; t holds magnitudes.
    let (mut r0, mut r1) = (q, u256_from_scalar(k));
    let (mut t0, mut t1): (U256, U256) = ([0; 4], [1, 0, 0, 0]);
    while u256_bits(&r1) > bits {
        // r0 mod r1 by shifted subtractions; t0 grows by the same multiples of t1.
        while u256_ge(&r0, &r1) {
            let mut shift = u256_bits(&r0) - u256_bits(&r1);
            if !u256_ge(&r0, &u256_shl(&r1, shift)) {
                shift -= 1;
            }
            r0 = u256_sub(&r0, &u256_shl(&r1, shift));
            t0 = u256_add(&t0, &u256_shl(&t1, shift));
        }
        core::mem::swap(&mut r0, &mut r1);
        core::mem::swap(&mut t0, &mut t1);
    }
    let (u, v) = (u256_to_scalar(&r1), u256_to_scalar(&t1));
    // k v = +-u: the sign of t1 decides.
    let negative = !bool::from((*k * v).ct_eq(&u));
    (u, negative, v)
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
    let p_table = odd_multiples_affine(&[p], PVT_WINDOW);
    msm_vartime(&[
        (wnaf_vartime(a, G_WINDOW), &generator_table().points),
        (wnaf_vartime(b, KPAK_WINDOW), &q.points),
        (wnaf_vartime(c, PVT_WINDOW), &p_table[0]),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// k v = +-u (mod q) with u, v below 2^128, v != 0, for edge and pseudo-random k.
    #[test]
    fn half_size_fractions() {
        let mut k = Scalar::from_u64(0x1234_5678_9abc_def1);
        let two_64 = Scalar::from_u64(1 << 32) * Scalar::from_u64(1 << 32);
        let two_128 = two_64 * two_64;
        let mut cases = vec![
            Scalar::ZERO,
            Scalar::ONE,
            -Scalar::ONE,
            -Scalar::from_u64(2),
            two_128,
            two_128 + Scalar::ONE,
            two_128 - Scalar::ONE,
            two_128 * two_64,
            -two_128,
            Scalar::from_u64(3).invert_nonzero().unwrap(),
        ];
        for _ in 0..200 {
            k = k * k + Scalar::from_u64(7);
            cases.push(k);
        }
        for k in cases {
            let (u, negative, v) = half_size_vartime(&k);
            assert!(u256_bits(&u256_from_scalar(&u)) <= 128);
            let v_bits = u256_bits(&u256_from_scalar(&v));
            assert!((1..=128).contains(&v_bits));
            let signed_u = if negative { -u } else { u };
            assert!(bool::from((k * v).ct_eq(&signed_u)));
        }
    }

    /// The 64-bit split of SSK validation under a verifier: k v = +-u (mod q) with u below
    /// 2^64 and v in [1, 2^192), and [`mul_two_split_vartime`] on KPAK-like tables equal to
    /// [`mul_two_vartime`] on the same scalars.
    #[test]
    fn split_fractions_and_multiplication() {
        let mut k = Scalar::from_u64(0x0fed_cba9_8765_4321);
        let two_64 = Scalar::from_u64(1 << 32) * Scalar::from_u64(1 << 32);
        let mut cases = vec![
            Scalar::ONE,
            -Scalar::ONE,
            two_64,
            two_64 - Scalar::ONE,
            two_64 * two_64 * two_64,
            Scalar::from_u64(5).invert_nonzero().unwrap(),
        ];
        for _ in 0..40 {
            k = k * k + Scalar::from_u64(11);
            cases.push(k);
        }
        let p = mul_vartime(&Scalar::from_u64(0x1234_5678), &AffinePoint::GENERATOR)
            .to_affine_vartime()
            .unwrap();
        let q = mul_vartime(&Scalar::from_u64(0x9abc_def0), &AffinePoint::GENERATOR)
            .to_affine_vartime()
            .unwrap();
        let table = OddMultiples::new_vartime(&p, KPAK_WINDOW);
        let shifted = KpakTables::new_vartime(&p);
        for k in cases {
            let (u, negative, v) = split_vartime(&k, CHUNK_BITS);
            assert!(u256_bits(&u256_from_scalar(&u)) <= 64);
            let v_bits = u256_bits(&u256_from_scalar(&v));
            assert!((1..=192).contains(&v_bits));
            let signed_u = if negative { -u } else { u };
            assert!(bool::from((k * v).ct_eq(&signed_u)));
            let split = mul_two_split_vartime(&v, &table, &shifted, &u, &q);
            let direct = mul_two_vartime(&v, &p, &u, &q);
            let with_table = mul_two_with_table_vartime(&v, &table, &u, &q);
            assert_eq!(
                split.to_affine_vartime().map(|a| a.to_sec1()),
                direct.to_affine_vartime().map(|a| a.to_sec1())
            );
            assert_eq!(
                with_table.to_affine_vartime().map(|a| a.to_sec1()),
                direct.to_affine_vartime().map(|a| a.to_sec1())
            );
        }
    }

    /// The digits recombine to k and obey the wNAF shape, for every window used here.
    #[test]
    fn wnaf_recombines() {
        for k in [
            Scalar::ZERO,
            Scalar::ONE,
            -Scalar::ONE,
            Scalar::from_u64(0xffff_ffff),
        ] {
            for window in [HALF_WINDOW, PVT_WINDOW, KPAK_WINDOW, G_WINDOW] {
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
