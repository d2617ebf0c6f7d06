//! Unit tests of the internals: scalar recodings, the Edwards and variable-time additions, and the
//! raw coordinates of the exceptional case. The group law itself is checked against a
//! num-bigint oracle in tests/curve.rs.

use super::*;
use jacobian::Jacobian;
use num_bigint::{BigInt, BigUint};

fn fq_from_u64s(limbs: &[u64]) -> Fq {
    let mut be = [0u8; 128];
    for (i, limb) in limbs.iter().enumerate() {
        be[128 - 8 * (i + 1)..128 - 8 * i].copy_from_slice(&limb.to_be_bytes());
    }
    Option::from(Fq::from_be_bytes(&be)).expect("below q")
}

fn q_minus(k: u64) -> [u64; 16] {
    let mut limbs = q_limbs();
    let (low, borrow) = limbs[0].overflowing_sub(k);
    limbs[0] = low;
    assert!(!borrow);
    limbs
}

fn scalars() -> Vec<[u64; 16]> {
    let mut out = vec![[0u64; 16], q_minus(1), q_minus(2), q_minus(0x88)];
    let mut x = 0x0123_4567_89ab_cdefu64;
    for fill in [0u64, u64::MAX, 0x8888_8888_8888_8888, 0x7777_7777_7777_7777] {
        let mut limbs = [fill; 16];
        limbs[15] &= (1 << 61) - 1;
        out.push(limbs);
        let mut limbs = [0u64; 16];
        for limb in limbs.iter_mut() {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *limb = x;
        }
        limbs[15] &= (1 << 61) - 1;
        out.push(limbs);
    }
    out.push({
        let mut one = [0u64; 16];
        one[0] = 1;
        one
    });
    out
}

fn from_signed_digits(digits: &[i8], radix_bits: u32) -> BigInt {
    digits.iter().rev().fold(BigInt::ZERO, |acc, &d| {
        (acc << radix_bits) + BigInt::from(d)
    })
}

#[test]
fn signed_radix16_recoding() {
    for limbs in scalars() {
        let k = fq_from_u64s(&limbs);
        let digits = recode_signed_radix16(&k);
        assert!(digits[..WINDOWS - 1].iter().all(|&d| (-8..8).contains(&d)));
        assert!((0..=4).contains(&digits[WINDOWS - 1]));
        let expected = BigInt::from(BigUint::new(
            limbs
                .iter()
                .flat_map(|l| [*l as u32, (*l >> 32) as u32])
                .collect(),
        ));
        assert_eq!(from_signed_digits(&digits, 4), expected);
    }
}

#[test]
fn digit_sign_and_absolute_value() {
    for d in -8i8..=8 {
        let (negative, abs) = digit_sign_abs(d);
        assert_eq!(bool::from(negative), d < 0);
        assert_eq!(i16::from(abs), i16::from(d).abs());
    }
}

#[test]
fn wnaf_recoding() {
    let mut cases: Vec<Vec<u64>> = scalars().into_iter().map(|l| l.to_vec()).collect();
    cases.extend([
        vec![],
        vec![u64::MAX],
        vec![u64::MAX; 3],
        vec![0x8000_0000_0000_0000],
        vec![0, 0x8000_0000_0000_0001],
        vec![0xf800_0000_0000_001f, 0x1f],
    ]);
    for w in [2usize, 4, 5, 6] {
        for k in &cases {
            let naf = wnaf_vartime(k, w);
            let expected = BigInt::from(BigUint::new(
                k.iter()
                    .flat_map(|l| [*l as u32, (*l >> 32) as u32])
                    .collect(),
            ));
            assert_eq!(from_signed_digits(&naf, 1), expected, "w = {w}, k = {k:x?}");
            let bound = 1i16 << (w - 1);
            let mut last_nonzero: Option<usize> = None;
            for (i, &d) in naf.iter().enumerate() {
                if d != 0 {
                    assert!(d % 2 != 0 && i16::from(d).abs() < bound);
                    if let Some(j) = last_nonzero {
                        assert!(i - j >= w);
                    }
                    last_nonzero = Some(i);
                }
            }
        }
    }
}

/// The variable-time (Jacobian) addition, for any pair of points.
fn add_vartime(a: &Point, b: &Point) -> Point {
    Jacobian::from_point(a)
        .add_vartime(&Jacobian::from_point(b))
        .to_point()
}

fn some_points() -> Vec<Point> {
    let g = Point::generator();
    let g2 = g.double();
    let g3 = g2.add(&g);
    vec![
        Point::IDENTITY,
        g,
        g.neg(),
        g2,
        g3,
        g3.neg(),
        g3.double().add(&g2),
    ]
}

/// The Edwards model: table entries lie on -u^2 + v^2 = 1 + u^2 v^2, and mixed Edwards sums
/// (from the identity, so also doublings and sums with the identity) map back to the
/// Weierstrass sums.
#[test]
fn edwards_addition_agrees_with_weierstrass_addition() {
    let points: Vec<Point> = some_points()
        .into_iter()
        .filter(|p| !bool::from(p.is_identity()))
        .collect();
    let affine = edwards::batch_from_weierstrass(&points);
    for e in &affine {
        let (u2, v2) = (e.u.square(), e.v.square());
        assert!(bool::from((v2 - u2).ct_eq(&(Fp::ONE + u2 * v2))));
    }
    for (a, ea) in points.iter().zip(&affine) {
        let ext_a = edwards::EdExtended::IDENTITY.add_affine(ea);
        assert!(bool::from(ext_a.to_weierstrass().ct_eq(a)));
        assert!(bool::from(
            edwards::EdExtended::IDENTITY
                .add_affine(&edwards::EdAffine::IDENTITY)
                .to_weierstrass()
                .is_identity()
        ));
        for (b, eb) in points.iter().zip(&affine) {
            let sum = ext_a.add_affine(eb).to_weierstrass();
            assert!(bool::from(sum.ct_eq(&a.add(b))));
        }
    }
}

#[test]
fn variable_time_addition_agrees_with_the_complete_formulas() {
    for a in some_points() {
        for b in some_points() {
            assert!(bool::from(add_vartime(&a, &b).ct_eq(&a.add(&b))));
            let doubled = Jacobian::from_point(&a).double_vartime().to_point();
            assert!(bool::from(doubled.ct_eq(&a.double())));
        }
    }
}

#[test]
fn exceptional_sums_are_all_zero_coordinates() {
    let t = Point::from_affine(Fp::ZERO, Fp::ZERO);
    let g = Point::generator();
    // g + T, computed with the classical formulas (not exceptional for them).
    let g_plus_t = add_vartime(&g, &t);
    for (a, b) in [
        (Point::IDENTITY, t),
        (t, Point::IDENTITY),
        (g, g_plus_t),
        (g_plus_t, g),
        (g.neg(), g_plus_t.neg()),
    ] {
        let sum = a.add(&b);
        assert!(bool::from(
            sum.x.is_zero() & sum.y.is_zero() & sum.z.is_zero()
        ));
        assert!(!bool::from(sum.is_identity()));
        assert!(bool::from(sum.to_affine().is_none()));
        // The classical formulas handle them: O + T = T, g + (g + T) = [2]g + T.
        let expected = add_vartime(&a, &b);
        assert!(bool::from(expected.ct_eq(&add_vartime(&b, &a))));
        assert!(!bool::from(expected.ct_eq(&sum)));
    }
    assert!(bool::from(
        add_vartime(&Point::IDENTITY, &t).ct_eq(&Point::from_affine(Fp::ZERO, Fp::ZERO))
    ));
}

#[test]
fn double_of_the_2_torsion_point_is_the_identity() {
    let t = Point::from_affine(Fp::ZERO, Fp::ZERO);
    assert!(bool::from(t.double().is_identity()));
    assert!(bool::from(Point::IDENTITY.double().is_identity()));
    let tj = Jacobian::from_point(&t);
    assert!(tj.double_vartime().is_identity_vartime());
    assert!(tj.add_vartime(&tj).is_identity_vartime());
    assert!(bool::from(tj.to_point().ct_eq(&t)));
}

#[test]
fn q_limbs_match_the_field_modulus() {
    let q = BigUint::from_bytes_be(&Fq::MODULUS_BE);
    assert_eq!(q.to_u64_digits(), q_limbs().to_vec());
    assert_eq!(q.bits(), 1022);
}

#[test]
fn base_point_constants() {
    let g = Point::generator();
    let (x, y) = Option::<(Fp, Fp)>::from(g.to_affine()).unwrap();
    assert_eq!(x.to_be_bytes(), PX);
    assert_eq!(y.to_be_bytes(), PY);
    assert!(is_on_curve(&x, &y));
}

#[test]
fn affine_or_zero() {
    let (x, y, some) = Point::IDENTITY.to_affine_or_zero();
    assert!(!bool::from(some) && bool::from(x.is_zero() & y.is_zero()));
    let (x, y, some) = Point::generator().double().to_affine_or_zero();
    assert!(bool::from(some));
    let (x2, y2) = Option::<(Fp, Fp)>::from(Point::generator().double().to_affine()).unwrap();
    assert!(bool::from(x.ct_eq(&x2) & y.ct_eq(&y2)));
}

/// Bases outside the order-q subgroup are out of contract for FixedBase, but must not panic
/// (a zero Z in the batch inversion).
#[test]
fn fixed_base_outside_the_subgroup_does_not_panic() {
    let t = Point::from_affine(Fp::ZERO, Fp::ZERO);
    let table = FixedBase::new(&t);
    let _ = table.mul(&Fq::from_u64(5));
}

/// Fixed-base tables of every window width in use (4, 5 and 6 bits), constant-time and
/// variable-time, agree with the plain constant-time multiplication, on edge and random
/// scalars.
#[test]
fn fixed_base_window_widths_agree_with_mul() {
    let base = Point::generator().double().add(&Point::generator());
    let w4 = FixedBase::new(&base);
    let w5 = FixedBase::<5>::build(&base);
    let w6 = FixedBase::<6>::build(&base);
    let mut scalars: Vec<Fq> = scalars().iter().map(|l| fq_from_u64s(l)).collect();
    scalars.push(Fq::ZERO);
    scalars.push(Fq::ONE);
    scalars.push(-Fq::ONE);
    for k in &scalars {
        let expected = base.mul(k);
        assert!(bool::from(w4.mul(k).ct_eq(&expected)));
        assert!(bool::from(w5.mul(k).ct_eq(&expected)));
        assert!(bool::from(w6.mul(k).ct_eq(&expected)));
        assert!(bool::from(w4.mul_vartime(k).ct_eq(&expected)));
        assert!(bool::from(w5.mul_vartime(k).ct_eq(&expected)));
        assert!(bool::from(w6.mul_vartime(k).ct_eq(&expected)));
    }
}
