//! Differential tests of the P-256 arithmetic: the field and scalar operations against
//! num-bigint, the group operations and multiplications against the p256 crate, on edge inputs
//! (0, 1, p-1, q-1, the identity, P + P, P + (-P)) and random ones (proptest).

use super::*;
use num_bigint::BigUint;
use p256::elliptic_curve::{
    Group,
    ops::Reduce,
    sec1::{FromSec1Point, ToSec1Point},
};
use proptest::prelude::*;
use subtle::{ConditionallySelectable, ConstantTimeEq};

fn big(bytes: &[u8; 32]) -> BigUint {
    BigUint::from_bytes_be(bytes)
}

fn bytes32(n: &BigUint) -> [u8; 32] {
    let raw = n.to_bytes_be();
    let mut out = [0u8; 32];
    out[32 - raw.len()..].copy_from_slice(&raw);
    out
}

fn p() -> BigUint {
    big(&FieldElement::MODULUS)
}

fn q() -> BigUint {
    big(&Scalar::MODULUS)
}

/// Edge values of Z/mZ: 0, 1, 2, m-2, m-1, and a value with every limb's top bit set.
fn edges(m: &BigUint) -> Vec<BigUint> {
    let one = BigUint::from(1u8);
    vec![
        BigUint::from(0u8),
        one.clone(),
        BigUint::from(2u8),
        m - 2u8,
        m - &one,
        BigUint::from_bytes_be(&[0x80; 32]) % m,
    ]
}

fn fe(n: &BigUint) -> FieldElement {
    FieldElement::from_be_bytes(&bytes32(n)).unwrap()
}

fn sc(n: &BigUint) -> Scalar {
    Scalar::from_be_bytes(&bytes32(n)).unwrap()
}

fn check_field(a: &BigUint, b: &BigUint) {
    let m = p();
    let (x, y) = (fe(a), fe(b));
    assert_eq!(big(&(x + y).to_be_bytes()), (a + b) % &m);
    assert_eq!(big(&(x - y).to_be_bytes()), (a + &m - b) % &m);
    assert_eq!(big(&(x * y).to_be_bytes()), (a * b) % &m);
    assert_eq!(big(&x.square().to_be_bytes()), (a * a) % &m);
    assert_eq!(big(&x.double().to_be_bytes()), (a * 2u8) % &m);
    assert_eq!(big(&(-x).to_be_bytes()), (&m - a) % &m);
    let inverse = a.modpow(&(&m - 2u8), &m);
    assert_eq!(big(&x.invert().to_be_bytes()), inverse);
    assert_eq!(big(&x.invert_vartime().to_be_bytes()), inverse);
    assert_eq!(bool::from(x.is_zero()), *a == BigUint::from(0u8));
    assert_eq!(bool::from(x.ct_eq(&y)), a == b);
    assert_eq!(
        big(&FieldElement::conditional_select(&x, &y, 1.into()).to_be_bytes()),
        *b
    );
}

fn check_scalar(a: &BigUint, b: &BigUint) {
    let m = q();
    let (x, y) = (sc(a), sc(b));
    assert_eq!(big(&(x + y).to_be_bytes()), (a + b) % &m);
    assert_eq!(big(&(x - y).to_be_bytes()), (a + &m - b) % &m);
    assert_eq!(big(&(x * y).to_be_bytes()), (a * b) % &m);
    assert_eq!(big(&(-x).to_be_bytes()), (&m - a) % &m);
    let inverse: Option<Scalar> = x.invert_nonzero().into();
    if *a == BigUint::from(0u8) {
        assert!(inverse.is_none());
    } else {
        assert_eq!(
            big(&inverse.unwrap().to_be_bytes()),
            a.modpow(&(&m - 2u8), &m)
        );
    }
    assert_eq!(
        big(&x.invert_vartime().to_be_bytes()),
        a.modpow(&(&m - 2u8), &m)
    );
}

/// The variable-time inversion on inputs that stress its divsteps: powers of two (long runs of
/// zeros), 2^k - 1 (long runs of ones), small values and m minus them, for p and q.
#[test]
fn inversion_vartime_edges() {
    for m in [p(), q()] {
        let mut values = vec![];
        for k in 0..256u32 {
            values.push((BigUint::from(1u8) << k) % &m);
            values.push(((BigUint::from(1u8) << k) - 1u8) % &m);
        }
        for small in 0..64u32 {
            values.push(BigUint::from(small) % &m);
            values.push((&m - small) % &m);
        }
        for a in values {
            let expected = a.modpow(&(&m - 2u8), &m);
            let got = if m == p() {
                big(&fe(&a).invert_vartime().to_be_bytes())
            } else {
                big(&sc(&a).invert_vartime().to_be_bytes())
            };
            assert_eq!(got, expected, "a = {a:x}");
        }
    }
}

#[test]
fn field_edges() {
    for a in edges(&p()) {
        for b in edges(&p()) {
            check_field(&a, &b);
        }
    }
}

#[test]
fn scalar_edges() {
    for a in edges(&q()) {
        for b in edges(&q()) {
            check_scalar(&a, &b);
        }
    }
}

/// Decoding takes exactly the values below the modulus; hashes reduce modulo q.
#[test]
fn decoding_ranges() {
    for (m, decodes) in [
        (
            p(),
            (|b: &[u8; 32]| bool::from(FieldElement::from_be_bytes(b).is_some()))
                as fn(&[u8; 32]) -> bool,
        ),
        (q(), |b: &[u8; 32]| {
            bool::from(Scalar::from_be_bytes(b).is_some())
        }),
    ] {
        assert!(decodes(&bytes32(&(&m - 1u8))));
        assert!(decodes(&[0; 32]));
        assert!(!decodes(&bytes32(&m)));
        assert!(!decodes(&bytes32(&(&m + 1u8))));
        assert!(!decodes(&[0xff; 32]));
    }
    for value in [
        q() - 1u8,
        q(),
        q() + 1u8,
        BigUint::from_bytes_be(&[0xff; 32]),
    ] {
        let reduced = Scalar::reduce_be_bytes(&bytes32(&value));
        assert_eq!(big(&reduced.to_be_bytes()), &value % q());
    }
}

/// The p256 crate's encoding of a point, none for the identity.
fn oracle_sec1(point: &p256::ProjectivePoint) -> Option<Vec<u8>> {
    (!bool::from(point.is_identity()))
        .then(|| point.to_affine().to_sec1_point(false).as_bytes().to_vec())
}

fn projective_sec1(point: &ProjectivePoint) -> Option<Vec<u8>> {
    Option::<AffinePoint>::from(point.to_affine()).map(|a| a.to_sec1().to_vec())
}

fn jacobian_sec1(point: &JacobianPoint) -> Option<Vec<u8>> {
    point.to_affine_vartime().map(|a| a.to_sec1().to_vec())
}

fn oracle_scalar(bytes: &[u8; 32]) -> p256::Scalar {
    <p256::Scalar as Reduce<p256::FieldBytes>>::reduce(&p256::FieldBytes::from(*bytes))
}

/// \[k\]G as both libraries' points (k reduced modulo q); none for the identity.
fn point_pair(k: &[u8; 32]) -> (Option<AffinePoint>, p256::ProjectivePoint) {
    let oracle = p256::ProjectivePoint::mul_by_generator(&oracle_scalar(k));
    let ours = oracle_sec1(&oracle).map(|b| AffinePoint::from_sec1_vartime(&b).unwrap());
    (ours, oracle)
}

/// Every addition formula on P and Q against p256, with P and Q possibly the identity.
fn check_group(k1: &[u8; 32], k2: &[u8; 32]) {
    let (a, oracle_a) = point_pair(k1);
    let (b, oracle_b) = point_pair(k2);
    let projective = |p: &Option<AffinePoint>| {
        p.as_ref()
            .map_or(ProjectivePoint::IDENTITY, ProjectivePoint::from_affine)
    };
    let jacobian = |p: &Option<AffinePoint>| {
        p.as_ref()
            .map_or(JacobianPoint::IDENTITY, JacobianPoint::from_affine)
    };
    let sum = oracle_sec1(&(oracle_a + oracle_b));
    let double = oracle_sec1(&oracle_a.double());
    let (pa, pb) = (projective(&a), projective(&b));
    let (ja, jb) = (jacobian(&a), jacobian(&b));
    assert_eq!(projective_sec1(&pa.add(&pb)), sum);
    assert_eq!(projective_sec1(&pa.double()), double);
    assert_eq!(jacobian_sec1(&ja.add_vartime(&jb)), sum);
    assert_eq!(jacobian_sec1(&ja.double()), double);
    assert_eq!(projective_sec1(&pa.neg()), oracle_sec1(&-oracle_a));
    // A doubled point in Jacobian form (Z != 1) as the left operand too.
    let ja2 = ja.double();
    let pa2 = pa.double();
    let sum2 = oracle_sec1(&(oracle_a.double() + oracle_b));
    assert_eq!(jacobian_sec1(&ja2.add_vartime(&jb)), sum2);
    assert_eq!(projective_sec1(&pa2.add(&pb)), sum2);
    if let Some(b) = &b {
        assert_eq!(projective_sec1(&pa.add_mixed(b)), sum);
        assert_eq!(jacobian_sec1(&ja.add_mixed_vartime(b)), sum);
        assert_eq!(projective_sec1(&pa2.add_mixed(b)), sum2);
        assert_eq!(jacobian_sec1(&ja2.add_mixed_vartime(b)), sum2);
        assert_eq!(
            bool::from(pa2.ct_eq_jacobian(&jb)),
            oracle_a.double() == oracle_b
        );
        let a2 = oracle_a.double();
        assert_eq!(
            ja2.has_affine_x_vartime(&b.x),
            !bool::from(a2.is_identity()) && (a2 == oracle_b || a2 == -oracle_b)
        );
    }
    assert_eq!(bool::from(pa.ct_eq(&pb)), oracle_a == oracle_b);
}

fn be(n: &BigUint) -> [u8; 32] {
    bytes32(n)
}

#[test]
fn group_edges() {
    let q = q();
    let scalars = [
        BigUint::from(0u8),
        BigUint::from(1u8),
        BigUint::from(2u8),
        &q - 1u8,
        &q - 2u8,
    ];
    for a in &scalars {
        for b in &scalars {
            // Covers P + P, P + (-P) (1 and q-1), identity + P and P + identity.
            check_group(&be(a), &be(b));
        }
    }
}

/// \[k\]G, \[k\]P and the three-term sum against p256.
fn check_multiplications(k1: &[u8; 32], k2: &[u8; 32], k3: &[u8; 32], point_k: &[u8; 32]) {
    let reduce = |k: &[u8; 32]| Scalar::reduce_be_bytes(k);
    let (s1, s2, s3) = (reduce(k1), reduce(k2), reduce(k3));
    let (o1, o2, o3) = (oracle_scalar(k1), oracle_scalar(k2), oracle_scalar(k3));
    assert_eq!(
        projective_sec1(&comb::mul_generator(&s1)),
        oracle_sec1(&p256::ProjectivePoint::mul_by_generator(&o1))
    );
    let (point, oracle_point) = point_pair(point_k);
    let Some(point) = point else { return };
    assert_eq!(
        jacobian_sec1(&msm::mul_vartime(&s1, &point)),
        oracle_sec1(&(oracle_point * o1))
    );
    let (q_point, oracle_q) = point_pair(k3);
    let Some(q_point) = q_point else { return };
    let q_table = msm::OddMultiples::new_vartime(&q_point, msm::KPAK_WINDOW);
    assert_eq!(
        jacobian_sec1(&msm::mul_two_vartime(&s1, &point, &s2, &q_point)),
        oracle_sec1(&(oracle_point * o1 + oracle_q * o2))
    );
    let expected = p256::ProjectivePoint::mul_by_generator(&o1) + oracle_q * o2 + oracle_point * o3;
    assert_eq!(
        jacobian_sec1(&msm::mul_generator_and_two_vartime(
            &s1, &s2, &q_table, &s3, &point
        )),
        oracle_sec1(&expected)
    );
}

#[test]
fn multiplication_edges() {
    let q = q();
    let scalars = [
        BigUint::from(0u8),
        BigUint::from(1u8),
        &q - 1u8,
        q.clone(),
        BigUint::from_bytes_be(&[0xff; 32]),
        BigUint::from(1u8) << 255u32,
    ];
    for a in &scalars {
        for b in &scalars {
            check_multiplications(&be(a), &be(b), &be(&(&q - 3u8)), &be(&((b + 5u8) % &q)));
        }
    }
    // [a]G + [b]Q + [c]P summing to the identity: a = -(b*k_Q + c*k_P) mod q.
    let (kq, kp, b, c) = (
        BigUint::from(11u8),
        BigUint::from(13u8),
        BigUint::from(17u8),
        BigUint::from(19u8),
    );
    let a = (&q - (&b * &kq + &c * &kp) % &q) % &q;
    check_multiplications(&be(&a), &be(&b), &be(&kq), &be(&kp));
}

/// Decoding refuses what p256 refuses: wrong length, prefix, off-curve points, coordinates
/// >= p.
#[test]
fn sec1_decoding() {
    let g = AffinePoint::GENERATOR.to_sec1();
    assert!(AffinePoint::from_sec1_vartime(&g).is_some());
    let mut off_curve = g;
    off_curve[64] ^= 1;
    assert!(AffinePoint::from_sec1_vartime(&off_curve).is_none());
    let mut compressed = g;
    compressed[0] = 0x02;
    assert!(AffinePoint::from_sec1_vartime(&compressed).is_none());
    assert!(AffinePoint::from_sec1_vartime(&g[..64]).is_none());
    let mut big_x = g;
    big_x[1..33].copy_from_slice(&FieldElement::MODULUS);
    assert!(AffinePoint::from_sec1_vartime(&big_x).is_none());
    // y and p - y are both on the curve; y + p (when below 2^256) is not a canonical encoding.
    let y = big(g[33..].try_into().unwrap());
    let mut negated = g;
    negated[33..].copy_from_slice(&bytes32(&(p() - &y)));
    assert!(AffinePoint::from_sec1_vartime(&negated).is_some());
    let y_plus_p = &y + p();
    if y_plus_p.bits() <= 256 {
        let mut big_y = g;
        big_y[33..].copy_from_slice(&bytes32(&y_plus_p));
        assert!(AffinePoint::from_sec1_vartime(&big_y).is_none());
    }
    // (0, sqrt(b)) style inputs: x = 0 with y = 0 and y = 1 are off the curve.
    let mut zero = [0u8; 65];
    zero[0] = 0x04;
    assert!(AffinePoint::from_sec1_vartime(&zero).is_none());
    assert!(AffinePoint::from_sec1_vartime(&[0u8; 65]).is_none());
    assert!(AffinePoint::from_sec1_vartime(&[0u8; 1]).is_none());
    assert_eq!(
        g.to_vec(),
        p256::AffinePoint::GENERATOR
            .to_sec1_point(false)
            .as_bytes()
            .to_vec()
    );
    let decoded = p256::AffinePoint::from_sec1_point(&p256::Sec1Point::from_bytes(g).unwrap());
    assert!(bool::from(decoded.is_some()));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn field_random(a in any::<[u8; 32]>(), b in any::<[u8; 32]>()) {
        check_field(&(big(&a) % p()), &(big(&b) % p()));
    }

    #[test]
    fn scalar_random(a in any::<[u8; 32]>(), b in any::<[u8; 32]>()) {
        check_scalar(&(big(&a) % q()), &(big(&b) % q()));
        prop_assert_eq!(big(&Scalar::reduce_be_bytes(&a).to_be_bytes()), big(&a) % q());
    }

    #[test]
    fn group_random(a in any::<[u8; 32]>(), b in any::<[u8; 32]>()) {
        check_group(&a, &b);
        check_group(&a, &a);
    }

    /// Our SEC1 decoding accepts exactly what p256 accepts: random coordinates (off the
    /// curve), points of the curve, and those with one bit of y flipped.
    #[test]
    fn sec1_random(x in any::<[u8; 32]>(), y in any::<[u8; 32]>(), k in any::<[u8; 32]>()) {
        let oracle_accepts = |bytes: &[u8]| {
            p256::Sec1Point::from_bytes(bytes).ok().is_some_and(|sec1| {
                bool::from(p256::AffinePoint::from_sec1_point(&sec1).is_some())
            })
        };
        let mut random = [0x04u8; 65];
        random[1..33].copy_from_slice(&x);
        random[33..].copy_from_slice(&y);
        let (_, point) = point_pair(&k);
        let mut candidates = vec![random.to_vec()];
        if let Some(on_curve) = oracle_sec1(&point) {
            let mut flipped = on_curve.clone();
            flipped[64] ^= 1 << (y[0] % 8);
            candidates.push(on_curve);
            candidates.push(flipped);
        }
        for bytes in candidates {
            let ours = AffinePoint::from_sec1_vartime(&bytes);
            prop_assert_eq!(ours.is_some(), oracle_accepts(&bytes));
            if let Some(point) = ours {
                prop_assert_eq!(point.to_sec1().to_vec(), bytes);
            }
        }
    }

    #[test]
    fn multiplications_random(
        a in any::<[u8; 32]>(),
        b in any::<[u8; 32]>(),
        c in any::<[u8; 32]>(),
        k in any::<[u8; 32]>(),
    ) {
        check_multiplications(&a, &b, &c, &k);
    }
}

/// The comb's incomplete additions against p256 on scalars whose Booth digits are extreme (for
/// 6- and 7-bit windows): a single nonzero digit in each row, runs of the largest digits and
/// of -1, the top row's largest digits
/// (k near q, near multiples of 2^252 and 2^253, and q - d 2^252 where a doubling in the top
/// row would come from), small k and q - small k.
#[test]
fn comb_edges() {
    let q = q();
    let one = BigUint::from(1u8);
    let mut scalars: Vec<BigUint> = (0u32..64).map(BigUint::from).collect();
    scalars.extend((1u32..64).map(|i| &q - i));
    for (bits, rows) in [(6u32, 43u32), (7, 37)] {
        for i in 0..rows {
            for j in [1u32, 31, 32, 33, 63, 64, 65, 127] {
                scalars.push((BigUint::from(j) << (bits * i)) % &q);
                scalars.push((&q - (BigUint::from(j) << (bits * i)) % &q) % &q);
            }
        }
    }
    for d in 1u32..=16 {
        for shift in [252u32, 253] {
            let big_d = BigUint::from(d) << shift;
            for delta in [0u32, 1, 2, 31, 32, 33] {
                scalars.push((&big_d + delta) % &q);
                scalars.push((&big_d + &q - delta) % &q);
                scalars.push((&q + &q - &big_d % &q - delta) % &q);
            }
        }
    }
    // Digits +32 everywhere ((2^258 - 1) 32 / 63, reduced) and -1 everywhere (-1 mod q is
    // q - 1, already above), and alternating +32/-32.
    for (bits, rows) in [(6u32, 43u32), (7, 37)] {
        let half = 1u32 << (bits - 1);
        let ones = (&one << (bits * rows)) - &one;
        scalars.push((&ones * half / ((1u32 << bits) - 1)) % &q);
        let mut alternating = BigUint::from(0u8);
        for i in 0..rows {
            let digit = BigUint::from(half) << (bits * i);
            alternating = if i % 2 == 0 {
                alternating + digit
            } else {
                alternating + &q - digit % &q
            };
        }
        scalars.push(alternating % &q);
    }
    for k in &scalars {
        let bytes = be(k);
        assert_eq!(
            projective_sec1(&comb::mul_generator(&Scalar::reduce_be_bytes(&bytes))),
            oracle_sec1(&p256::ProjectivePoint::mul_by_generator(&oracle_scalar(
                &bytes
            ))),
            "k = {k:x}"
        );
    }
}

/// The x86-64 assembly of `field_x86_64` against fiat-crypto's `p256_64` and num-bigint, on the
/// raw Montgomery limbs: every value below p is a valid input, so the edges are those of the
/// representation (0, 1, p-1, p-2, R mod p, R^2 mod p, 2^256 - 1 reduced, limbs of all ones,
/// top limb at its maximum below p, 2^255) as well as of the arithmetic.
#[cfg(all(target_arch = "x86_64", not(mkc_fiat_32)))]
mod assembly {
    use super::super::field_x86_64 as asm;
    use super::*;
    use fiat_crypto::p256_64 as fiat;

    fn limbs(n: &BigUint) -> [u64; 4] {
        let digits = n.to_u64_digits();
        core::array::from_fn(|i| digits.get(i).copied().unwrap_or(0))
    }

    fn value(limbs: &[u64; 4]) -> BigUint {
        BigUint::from_slice(
            &limbs
                .iter()
                .flat_map(|l| [*l as u32, (*l >> 32) as u32])
                .collect::<Vec<_>>(),
        )
    }

    fn element(limbs: [u64; 4]) -> fiat::fiat_p256_montgomery_domain_field_element {
        fiat::fiat_p256_montgomery_domain_field_element(limbs)
    }

    /// asm and fiat agree, and the product is a b / 2^256 mod p exactly.
    fn check(a: &[u64; 4], b: &[u64; 4]) {
        let m = p();
        let r_inv = (BigUint::from(1u8) << 256u32).modpow(&(&m - 2u8), &m);
        let (x, y) = (element(*a), element(*b));
        let mut expected = element([0; 4]);
        fiat::fiat_p256_mul(&mut expected, &x, &y);
        let product = asm::mul(a, b);
        assert_eq!(product, expected.0, "mul {a:x?} {b:x?}");
        assert_eq!(value(&product), value(a) * value(b) * &r_inv % &m);
        fiat::fiat_p256_square(&mut expected, &x);
        let square = asm::square(a);
        assert_eq!(square, expected.0, "square {a:x?}");
        assert_eq!(value(&square), value(a) * value(a) * &r_inv % &m);
        fiat::fiat_p256_add(&mut expected, &x, &y);
        assert_eq!(asm::add(a, b), expected.0, "add {a:x?} {b:x?}");
        assert_eq!(value(&asm::add(a, b)), (value(a) + value(b)) % &m);
        fiat::fiat_p256_sub(&mut expected, &x, &y);
        assert_eq!(asm::sub(a, b), expected.0, "sub {a:x?} {b:x?}");
        assert_eq!(value(&asm::sub(a, b)), (value(a) + &m - value(b)) % &m);
    }

    fn raw_edges() -> Vec<[u64; 4]> {
        let m = p();
        let r = BigUint::from(1u8) << 256u32;
        let mut values: Vec<BigUint> = vec![
            BigUint::from(0u8),
            BigUint::from(1u8),
            BigUint::from(2u8),
            &m - 1u8,
            &m - 2u8,
            &m - (BigUint::from(1u8) << 64u32),
            &r % &m,
            (&r * &r) % &m,
            (&r - 1u8) % &m,
            &m - (&r % &m),
            BigUint::from(1u8) << 255u32,
            (BigUint::from(1u8) << 224u32) - 1u8,
            BigUint::from(u64::MAX),
            BigUint::from(1u8) << 192u32,
            (&m + 1u8) / 2u8,
            (&m - 1u8) / 2u8,
        ];
        // limb patterns: all ones but the top limb at its largest below p's
        values.push(value(&[
            u64::MAX,
            u64::MAX,
            u64::MAX,
            0xffff_ffff_0000_0000,
        ]));
        values.push(value(&[0, 0, 0, 0xffff_ffff_0000_0001]));
        values.push(value(&[u64::MAX, 0xffff_ffff, 0, 0xffff_ffff_0000_0000]));
        values.push(value(&[0x8000_0000_0000_0000; 4]));
        values.iter().map(|v| limbs(&(v % &m))).collect()
    }

    #[test]
    fn assembly_edges() {
        let edges = raw_edges();
        for a in &edges {
            for b in &edges {
                check(a, b);
            }
        }
    }

    /// Long chains (each output the next input), which reach values that no edge lists.
    #[test]
    fn assembly_chains() {
        let mut a = limbs(&(p() - 3u8));
        let mut b = [
            0x0123_4567_89ab_cdef,
            0xfedc_ba98_7654_3210,
            7,
            0x8000_0000_0000_0001,
        ];
        for _ in 0..20_000 {
            check(&a, &b);
            let next = asm::mul(&a, &b);
            b = asm::add(&asm::square(&a), &b);
            a = asm::sub(&next, &b);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn assembly_random(a in any::<[u8; 32]>(), b in any::<[u8; 32]>()) {
            check(&limbs(&(big(&a) % p())), &limbs(&(big(&b) % p())));
        }

        /// Inputs just below p and just above 0, where the final subtraction decides.
        #[test]
        fn assembly_near_edges(a in 0u64..1 << 40, b in 0u64..1 << 40) {
            let m = p();
            check(&limbs(&(&m - 1u8 - a)), &limbs(&BigUint::from(b)));
            check(&limbs(&(&m - 1u8 - a)), &limbs(&(&m - 1u8 - b)));
        }
    }
}
