//! The curve of SAKKE parameter set 1 (E: y^2 = x^3 - 3x over the 1024-bit F_p of RFC 6509
//! Appendix A) through the public API, checked against an independent affine num-bigint oracle:
//! the base point and its order, the RFC 6508 vectors, scalar multiplication (constant-time,
//! fixed-base and variable-time) on random and edge scalars, the group law including the
//! exceptional pairs of the complete formulas (differences equal to the 2-torsion point
//! (0, 0)), encoding and every rejection of `from_bytes_vartime`.

use mcptt_kmc::curve::{FixedBase, POINT_BYTES, Point};
use mcptt_kmc::field::{Fp, Fq};
use num_bigint::BigUint;
use p256::elliptic_curve::subtle::{ConditionallySelectable, ConstantTimeEq};
use std::sync::LazyLock;

// ---------------------------------------------------------------------------------------------
// Test data, conversions and the oracle
// ---------------------------------------------------------------------------------------------

struct Data {
    p: BigUint,
    q: BigUint,
    p_point: Vec<u8>,
    px: BigUint,
    py: BigUint,
    z: BigUint,
    z_point: Vec<u8>,
    id: Vec<u8>,
    rsk: Vec<u8>,
    r_bs: Vec<u8>,
    b_p_plus_z: Vec<u8>,
}

static DATA: LazyLock<Data> = LazyLock::new(|| {
    let params: serde_json::Value =
        serde_json::from_str(include_str!("vectors/rfc6509-params.json")).unwrap();
    let sakke: serde_json::Value =
        serde_json::from_str(include_str!("vectors/rfc6508-sakke.json")).unwrap();
    let set1 = &params["sakke_parameter_set_1"];
    let bytes = |v: &serde_json::Value| hex::decode(v.as_str().unwrap()).unwrap();
    let int = |v: &serde_json::Value| BigUint::from_bytes_be(&bytes(v));
    Data {
        p: int(&set1["p"]),
        q: int(&set1["q"]),
        p_point: bytes(&set1["p_point"]),
        px: int(&set1["px"]),
        py: int(&set1["py"]),
        z: int(&sakke["z"]),
        z_point: bytes(&sakke["z_point"]),
        id: bytes(&sakke["id"]),
        rsk: bytes(&sakke["rsk"]),
        r_bs: bytes(&sakke["r_bs"]),
        b_p_plus_z: bytes(&sakke["derived_by_reference_impl"]["b_p_plus_z"]),
    }
});

/// An affine point of the oracle; `None` is the identity.
type Aff = Option<(BigUint, BigUint)>;

fn be128(v: &BigUint) -> [u8; 128] {
    let b = v.to_bytes_be();
    assert!(b.len() <= 128);
    let mut out = [0u8; 128];
    out[128 - b.len()..].copy_from_slice(&b);
    out
}

fn fp(v: &BigUint) -> Fp {
    Option::from(Fp::from_be_bytes(&be128(v))).expect("below p")
}

fn fq(v: &BigUint) -> Fq {
    Option::from(Fq::from_be_bytes(&be128(v))).expect("below q")
}

fn le_limbs(v: &BigUint) -> Vec<u64> {
    v.to_u64_digits()
}

fn to_point(a: &Aff) -> Point {
    match a {
        None => Point::IDENTITY,
        Some((x, y)) => Point::from_affine(fp(x), fp(y)),
    }
}

fn to_aff(point: &Point) -> Aff {
    assert!(is_valid(point), "the invalid value (0:0:0)");
    Option::<(Fp, Fp)>::from(point.to_affine()).map(|(x, y)| {
        (
            BigUint::from_bytes_be(&x.to_be_bytes()),
            BigUint::from_bytes_be(&y.to_be_bytes()),
        )
    })
}

/// A point or the identity, not the invalid value (0 : 0 : 0) that the complete formulas give
/// for exceptional pairs (no affine form and not the identity).
fn is_valid(point: &Point) -> bool {
    bool::from(point.is_identity() | point.to_affine().is_some())
}

fn encode(a: &Aff) -> Vec<u8> {
    let (x, y) = a.as_ref().expect("not the identity");
    let mut out = vec![0x04];
    out.extend_from_slice(&be128(x));
    out.extend_from_slice(&be128(y));
    out
}

fn bytes_of(point: &Point) -> Vec<u8> {
    Option::<[u8; POINT_BYTES]>::from(point.to_bytes())
        .expect("not the identity")
        .to_vec()
}

fn eq(a: &Point, b: &Point) -> bool {
    bool::from(a.ct_eq(b))
}

/// Whether `point` is the oracle's `a` (projective comparison: no inversion, fast in debug
/// builds).
fn is(point: &Point, a: &Aff) -> bool {
    eq(point, &to_point(a))
}

/// Affine arithmetic on y^2 = x^3 - 3x mod p with num-bigint: the oracle.
mod oracle {
    use super::{Aff, DATA};
    use num_bigint::BigUint;

    fn p() -> &'static BigUint {
        &DATA.p
    }

    fn sub(a: &BigUint, b: &BigUint) -> BigUint {
        (a + p() - b % p()) % p()
    }

    pub fn on_curve(a: &Aff) -> bool {
        match a {
            None => true,
            Some((x, y)) => {
                let rhs = sub(&(x * x * x), &(x * 3u32));
                (y * y) % p() == rhs
            }
        }
    }

    pub fn neg(a: &Aff) -> Aff {
        a.as_ref().map(|(x, y)| (x.clone(), sub(&BigUint::ZERO, y)))
    }

    pub fn add(a: &Aff, b: &Aff) -> Aff {
        let (Some((x1, y1)), Some((x2, y2))) = (a, b) else {
            return a.clone().or_else(|| b.clone());
        };
        let lambda = if x1 == x2 {
            if (y1 + y2) % p() == BigUint::ZERO {
                return None;
            }
            // (3x^2 - 3) / 2y
            let num = sub(&(x1 * x1 * 3u32), &BigUint::from(3u32));
            num * (y1 * 2u32).modinv(p()).unwrap() % p()
        } else {
            sub(y2, y1) * sub(x2, x1).modinv(p()).unwrap() % p()
        };
        let x3 = sub(&sub(&(&lambda * &lambda), x1), x2);
        let y3 = sub(&(&lambda * sub(x1, &x3)), y1);
        Some((x3, y3))
    }

    pub fn mul(k: &BigUint, a: &Aff) -> Aff {
        let mut acc = None;
        for i in (0..k.bits()).rev() {
            acc = add(&acc, &acc);
            if k.bit(i) {
                acc = add(&acc, a);
            }
        }
        acc
    }
}

/// SplitMix64: deterministic test randomness.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniform-ish scalar below q.
    fn scalar(&mut self) -> BigUint {
        let limbs: Vec<u64> = (0..20).map(|_| self.next()).collect();
        BigUint::new(
            limbs
                .iter()
                .flat_map(|l| [*l as u32, (*l >> 32) as u32])
                .collect(),
        ) % &DATA.q
    }
}

fn generator_aff() -> Aff {
    Some((DATA.px.clone(), DATA.py.clone()))
}

static P_TABLE: LazyLock<FixedBase> = LazyLock::new(|| FixedBase::new(&Point::generator()));

/// Points outside the order-q subgroup, found from x = 1, 2, ... (y = sqrt(x^3 - 3x), p = 3
/// mod 4) and checked with the oracle: `r` of order 4q, `t4 = [q]r` of order 4, `t = (0, 0)`.
struct SmallOrder {
    r: Aff,
    t4: Aff,
    t: Aff,
}

static SMALL: LazyLock<SmallOrder> = LazyLock::new(|| {
    let p = &DATA.p;
    let q = &DATA.q;
    let sqrt_exp = (p + 1u32) >> 2;
    let legendre_exp = (p - 1u32) >> 1;
    let t: Aff = Some((BigUint::ZERO, BigUint::ZERO));
    for x in 1u32.. {
        let x = BigUint::from(x);
        let rhs = (&x * &x * &x + p * 3u32 - &x * 3u32) % p;
        if rhs.modpow(&legendre_exp, p) != BigUint::from(1u32) {
            continue;
        }
        let r: Aff = Some((x.clone(), rhs.modpow(&sqrt_exp, p)));
        assert!(oracle::on_curve(&r));
        // [q]r through the library (fast), confirmed below with the oracle's group law.
        let t4 = to_aff(&to_point(&r).mul_vartime(&le_limbs(q)));
        let t4_2 = oracle::add(&t4, &t4);
        if t4.is_some() && t4_2.is_some() {
            assert_eq!(t4_2, t);
            assert_eq!(oracle::add(&t4_2, &t4_2), None);
            return SmallOrder { r, t4, t };
        }
    }
    unreachable!()
});

// ---------------------------------------------------------------------------------------------
// Base point, order, RFC vectors
// ---------------------------------------------------------------------------------------------

#[test]
fn parameters_are_those_of_rfc6509() {
    let d = &*DATA;
    assert_eq!(d.p.to_bytes_be(), Fp::MODULUS_BE.to_vec());
    assert_eq!(d.q.to_bytes_be(), Fq::MODULUS_BE.to_vec());
    assert_eq!(&d.p + 1u32, &d.q * 4u32);
    assert_eq!(d.q.bits(), 1022);
    // 3 is not a square mod p: (0, 0) is the only rational point of order 2.
    let e = (&d.p - 1u32) >> 1;
    assert_ne!(BigUint::from(3u32).modpow(&e, &d.p), BigUint::from(1u32));
}

#[test]
fn generator_is_p_on_the_curve_and_of_order_q() {
    let g = Point::generator();
    assert!(oracle::on_curve(&generator_aff()));
    assert_eq!(bytes_of(&g), DATA.p_point);
    assert_eq!(to_aff(&g), generator_aff());
    assert!(!bool::from(g.is_identity()));
    assert!(bool::from(g.mul_vartime(&le_limbs(&DATA.q)).is_identity()));
    assert!(g.is_torsion_free_vartime());
    // Not of order 1, 2 or 4 either (q prime, so the order is exactly q).
    assert!(!bool::from(g.mul_vartime(&[4]).is_identity()));
}

#[test]
fn rfc6508_z_point_is_z_times_p() {
    let z = fq(&DATA.z);
    let g = Point::generator();
    assert_eq!(bytes_of(&g.mul(&z)), DATA.z_point);
    assert_eq!(bytes_of(&P_TABLE.mul(&z)), DATA.z_point);
    assert_eq!(bytes_of(&g.mul_vartime(&le_limbs(&DATA.z))), DATA.z_point);
    assert_eq!(
        encode(&oracle::mul(&DATA.z, &generator_aff())),
        DATA.z_point
    );
}

#[test]
fn b_p_plus_z_matches_the_reference_implementation() {
    let b = BigUint::from_bytes_be(&DATA.id);
    assert!(b < DATA.q);
    let g = Point::generator();
    let z = Point::from_bytes_vartime(&DATA.z_point).unwrap();
    // The identifier integer as a public scalar, and as a secret one.
    let bp = g.mul_vartime(&le_limbs(&b));
    assert_eq!(bytes_of(&bp.add(&z)), DATA.b_p_plus_z);
    assert_eq!(bytes_of(&z.add(&g.mul(&fq(&b)))), DATA.b_p_plus_z);
    assert_eq!(bytes_of(&P_TABLE.mul(&fq(&b)).add(&z)), DATA.b_p_plus_z);
    let expected = oracle::add(
        &oracle::mul(&b, &generator_aff()),
        &to_aff(&Point::from_bytes_vartime(&DATA.z_point).unwrap()),
    );
    assert_eq!(encode(&expected), DATA.b_p_plus_z);
}

#[test]
fn rsk_and_r_bs_are_valid_subgroup_points() {
    for v in [
        &DATA.z_point,
        &DATA.rsk,
        &DATA.r_bs,
        &DATA.b_p_plus_z,
        &DATA.p_point,
    ] {
        let point = Point::from_bytes_vartime(v).expect("accepted");
        assert_eq!(&bytes_of(&point), v);
    }
}

// ---------------------------------------------------------------------------------------------
// Scalar multiplication
// ---------------------------------------------------------------------------------------------

#[test]
fn scalar_multiplications_agree_on_edge_scalars() {
    let g = Point::generator();
    let q = &DATA.q;
    let neg_g = oracle::neg(&generator_aff());
    let two_g = oracle::add(&generator_aff(), &generator_aff());
    let cases: [(BigUint, Aff); 5] = [
        (BigUint::ZERO, None),
        (BigUint::from(1u32), generator_aff()),
        (BigUint::from(2u32), two_g.clone()),
        // [q - k]P = -[k]P as P has order q (checked above).
        (q - 1u32, neg_g),
        (q - 2u32, oracle::neg(&two_g)),
    ];
    for (k, expected) in &cases {
        let kq = fq(k);
        let expected = to_point(expected);
        assert!(eq(&g.mul(&kq), &expected));
        assert!(eq(&P_TABLE.mul(&kq), &expected));
        assert!(eq(&g.mul_vartime(&le_limbs(k)), &expected));
    }
    // mul_vartime takes any width: q, q + 1, 4q + 1, and zero-padded or empty limb slices.
    assert!(bool::from(g.mul_vartime(&le_limbs(q)).is_identity()));
    assert!(eq(&g.mul_vartime(&le_limbs(&(q + 1u32))), &g));
    assert!(eq(&g.mul_vartime(&le_limbs(&(q * 4u32 + 1u32))), &g));
    assert!(eq(&g.mul_vartime(&[2, 0, 0, 0]), &g.double()));
    assert!(bool::from(g.mul_vartime(&[]).is_identity()));
    assert!(bool::from(g.mul_vartime(&[0; 40]).is_identity()));
    // Scalars with long runs of ones and of zeros (carries across every window).
    for k in [
        (BigUint::from(1u32) << 1021) - 1u32,
        BigUint::from(1u32) << 1021,
        (BigUint::from(1u32) << 1021) + 0x8888_8888u32,
    ] {
        let expected = g.mul_vartime(&le_limbs(&k));
        assert!(eq(&g.mul(&fq(&k)), &expected));
        assert!(eq(&P_TABLE.mul(&fq(&k)), &expected));
    }
}

#[test]
fn scalar_multiplications_agree_with_the_oracle_on_random_scalars() {
    let mut rng = Rng(1);
    let g = Point::generator();
    let z = Point::from_bytes_vartime(&DATA.z_point).unwrap();
    let z_table = FixedBase::new(&z);
    for _ in 0..1 {
        let k = rng.scalar();
        let kq = fq(&k);
        let expected = oracle::mul(&k, &generator_aff());
        assert!(is(&g.mul(&kq), &expected));
        assert!(is(&P_TABLE.mul(&kq), &expected));
        assert!(is(&g.mul_vartime(&le_limbs(&k)), &expected));

        let expected_z = z.mul_vartime(&le_limbs(&k));
        assert!(eq(&z.mul(&kq), &expected_z));
        assert!(eq(&z_table.mul(&kq), &expected_z));
    }
    // Short scalars (e.g. an identifier integer) through the oracle.
    for bits in [1u32, 7, 64, 65, 208] {
        let k = rng.scalar() >> (1022 - bits);
        let expected = oracle::mul(&k, &generator_aff());
        assert!(is(&g.mul_vartime(&le_limbs(&k)), &expected));
        assert!(is(&P_TABLE.mul(&fq(&k)), &expected));
    }
}

#[test]
fn fixed_base_of_the_identity_and_of_a_sum() {
    let table = FixedBase::new(&Point::IDENTITY);
    let mut rng = Rng(2);
    assert!(bool::from(table.mul(&fq(&rng.scalar())).is_identity()));
    // A base in projective form (not normalised).
    let g = Point::generator();
    let base = g.double().add(&g);
    let table = FixedBase::new(&base);
    let k = rng.scalar();
    assert!(eq(&table.mul(&fq(&k)), &base.mul_vartime(&le_limbs(&k))));
    assert!(bool::from(table.mul(&Fq::ZERO).is_identity()));
}

#[test]
fn mul_vartime_is_correct_outside_the_subgroup() {
    let s = &*SMALL;
    let r = to_point(&s.r);
    let t4 = to_point(&s.t4);
    // [4q]R = O, [q]R = T4, [2q]R = T, [2]T4 = T, [4]T4 = O; small multiples via the oracle.
    let q = &DATA.q;
    assert!(bool::from(
        r.mul_vartime(&le_limbs(&(q * 4u32))).is_identity()
    ));
    assert!(is(&r.mul_vartime(&le_limbs(&(q * 2u32))), &s.t));
    assert!(is(&t4.mul_vartime(&[2]), &s.t));
    assert!(is(&t4.mul_vartime(&[3]), &oracle::neg(&s.t4)));
    assert!(bool::from(t4.mul_vartime(&[4]).is_identity()));
    assert!(bool::from(to_point(&s.t).mul_vartime(&[2]).is_identity()));
    for k in 1u32..40 {
        let k = BigUint::from(k);
        assert!(is(&r.mul_vartime(&le_limbs(&k)), &oracle::mul(&k, &s.r)));
    }
}

// ---------------------------------------------------------------------------------------------
// Group law
// ---------------------------------------------------------------------------------------------

#[test]
fn group_law_basics() {
    let g = Point::generator();
    let o = Point::IDENTITY;
    assert!(eq(&g.add(&g), &g.double()));
    assert!(bool::from(g.add(&g.neg()).is_identity()));
    assert!(bool::from(g.neg().add(&g).is_identity()));
    assert!(eq(&o.add(&g), &g));
    assert!(eq(&g.add(&o), &g));
    assert!(bool::from(o.add(&o).is_identity()));
    assert!(bool::from(o.double().is_identity()));
    assert!(bool::from(o.neg().is_identity()));
    assert!(eq(&g.neg().neg(), &g));
    assert!(!eq(&g, &g.neg()));
    assert!(!eq(&g, &o) && !eq(&o, &g));
    assert!(eq(&o, &o));
    assert!(bool::from(Point::IDENTITY.to_affine().is_none()));
    assert!(bool::from(Point::IDENTITY.to_bytes().is_none()));
    // Projective equality across representations: 3P computed two ways.
    let three_a = g.double().add(&g);
    let three_b = g.add(&g.add(&g));
    assert!(eq(&three_a, &three_b));
    assert_eq!(bytes_of(&three_a), bytes_of(&three_b));
    // ConditionallySelectable.
    let choice = |b: u8| p256::elliptic_curve::subtle::Choice::from(b);
    assert!(eq(&Point::conditional_select(&g, &o, choice(0)), &g));
    assert!(eq(&Point::conditional_select(&g, &o, choice(1)), &o));
}

#[test]
fn add_and_double_agree_with_the_oracle_on_subgroup_points() {
    let mut rng = Rng(3);
    let g = Point::generator();
    let points: Vec<Point> = (0..4)
        .map(|_| g.mul_vartime(&le_limbs(&rng.scalar())))
        .chain([g, g.neg(), Point::IDENTITY])
        .collect();
    let affs: Vec<Aff> = points.iter().map(to_aff).collect();
    for (a, a_aff) in points.iter().zip(&affs) {
        assert!(is(&a.double(), &oracle::add(a_aff, a_aff)));
        for (b, b_aff) in points.iter().zip(&affs) {
            assert!(is(&a.add(b), &oracle::add(a_aff, b_aff)));
        }
    }
}

/// The claim behind the documented contract of `Point::add`: the complete formulas of
/// Renes-Costello-Batina fail exactly for the pairs whose difference is the point (0, 0) of
/// order 2 (then they give the invalid value (0 : 0 : 0)); `double` never fails.
#[test]
fn exceptional_pairs_are_exactly_those_differing_by_the_2_torsion_point() {
    let s = &*SMALL;
    let g = generator_aff();
    let r2 = oracle::add(&s.r, &s.r);
    let set: Vec<Aff> = vec![
        None,
        s.t.clone(),
        s.t4.clone(),
        oracle::neg(&s.t4),
        s.r.clone(),
        oracle::neg(&s.r),
        oracle::add(&s.r, &s.t),
        oracle::add(&s.r, &s.t4),
        r2.clone(),
        oracle::add(&r2, &s.t),
        oracle::add(&r2, &r2),
        g.clone(),
        oracle::neg(&g),
        oracle::add(&g, &s.t),
        oracle::add(&g, &s.t4),
    ];
    let mut exceptional = 0;
    for a in &set {
        assert!(oracle::on_curve(a));
        let pa = to_point(a);
        assert!(is(&pa.double(), &oracle::add(a, a)));
        for b in &set {
            let sum = pa.add(&to_point(b));
            if oracle::add(a, &oracle::neg(b)) == s.t {
                exceptional += 1;
                assert!(!is_valid(&sum));
                assert!(!bool::from(sum.is_identity()));
                assert!(bool::from(sum.to_bytes().is_none()));
                assert!(!eq(&sum, &Point::IDENTITY) && !eq(&sum, &to_point(a)));
            } else {
                assert!(is(&sum, &oracle::add(a, b)));
            }
        }
    }
    // O + T, T + O, R + (R + T), (R + T) + R, ... were all met.
    assert!(exceptional >= 10, "{exceptional}");
}

#[test]
fn the_2_torsion_point_under_add_and_double() {
    let s = &*SMALL;
    let t = Point::from_affine(Fp::ZERO, Fp::ZERO);
    let t4 = to_point(&s.t4);
    // Documented: [2]T = O, T + T = O (difference O), T4 + T4 = T, T + T4 = -T4 (difference of
    // order 4); O + T and T + O are exceptional (difference T) and give the invalid value.
    assert!(bool::from(t.double().is_identity()));
    assert!(bool::from(t.add(&t).is_identity()));
    assert!(is(&t4.add(&t4), &s.t));
    assert!(is(&t4.double(), &s.t));
    assert!(is(&t.add(&t4), &oracle::neg(&s.t4)));
    assert!(!is_valid(&Point::IDENTITY.add(&t)));
    assert!(!is_valid(&t.add(&Point::IDENTITY)));
    // The invalid value is neither the identity nor a point, and stays invalid.
    let invalid = t.add(&Point::IDENTITY);
    assert!(eq(&invalid, &invalid));
    assert!(!is_valid(&invalid.double()));
    assert!(!is_valid(&invalid.add(&Point::generator())));
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

#[test]
fn encoding_round_trips() {
    let mut rng = Rng(4);
    let g = Point::generator();
    for point in [
        g,
        g.neg(),
        g.double(),
        g.mul_vartime(&le_limbs(&rng.scalar())),
    ] {
        let bytes = bytes_of(&point);
        assert_eq!(bytes.len(), POINT_BYTES);
        assert_eq!(bytes[0], 0x04);
        let back = Point::from_bytes_vartime(&bytes).expect("round trip");
        assert!(eq(&back, &point));
        assert_eq!(bytes_of(&back), bytes);
    }
}

#[test]
fn from_bytes_rejects_malformed_encodings() {
    let good = DATA.z_point.clone();
    assert!(Point::from_bytes_vartime(&good).is_some());
    // Lengths.
    assert!(Point::from_bytes_vartime(&[]).is_none());
    assert!(Point::from_bytes_vartime(&[0x04]).is_none());
    assert!(Point::from_bytes_vartime(&good[..256]).is_none());
    assert!(Point::from_bytes_vartime(&good[1..]).is_none());
    let mut long = good.clone();
    long.push(0);
    assert!(Point::from_bytes_vartime(&long).is_none());
    // Prefixes: compressed, infinity, hybrid, anything else.
    for prefix in [0x00, 0x02, 0x03, 0x05, 0x06, 0x07, 0xff] {
        let mut v = good.clone();
        v[0] = prefix;
        assert!(Point::from_bytes_vartime(&v).is_none(), "{prefix:#x}");
    }
    // The identity has no encoding: all zero, and 0x00 alone.
    assert!(Point::from_bytes_vartime(&[0u8; POINT_BYTES]).is_none());
    assert!(Point::from_bytes_vartime(&[0x00]).is_none());
}

#[test]
fn from_bytes_rejects_unreduced_coordinates() {
    let p = &DATA.p;
    let (x, y) = to_aff(&Point::from_bytes_vartime(&DATA.z_point).unwrap()).unwrap();
    let raw = |x: &BigUint, y: &BigUint| {
        let mut v = vec![0x04];
        v.extend_from_slice(&be128(x));
        v.extend_from_slice(&be128(y));
        v
    };
    assert!(Point::from_bytes_vartime(&raw(&x, &y)).is_some());
    // x + p and y + p name the same point but are not reduced (both fit 1024 bits here).
    let xp = &x + p;
    let yp = &y + p;
    assert!(xp.bits() <= 1024 && yp.bits() <= 1024);
    assert!(Point::from_bytes_vartime(&raw(&xp, &y)).is_none());
    assert!(Point::from_bytes_vartime(&raw(&x, &yp)).is_none());
    // p itself (= 0 mod p) and all-ones.
    let ones = (BigUint::from(1u32) << 1024) - 1u32;
    assert!(Point::from_bytes_vartime(&raw(p, &BigUint::ZERO)).is_none());
    assert!(Point::from_bytes_vartime(&raw(&ones, &y)).is_none());
    assert!(Point::from_bytes_vartime(&raw(&x, &ones)).is_none());
}

#[test]
fn from_bytes_rejects_points_off_the_curve() {
    let mut v = DATA.z_point.clone();
    v[POINT_BYTES - 1] ^= 1;
    assert!(Point::from_bytes_vartime(&v).is_none());
    let mut v = DATA.z_point.clone();
    v[1] ^= 0x80;
    assert!(Point::from_bytes_vartime(&v).is_none());
    // (1, 1), (0, 1): not on the curve.
    let mut v = [0u8; POINT_BYTES];
    v[0] = 0x04;
    v[128] = 1;
    v[256] = 1;
    assert!(Point::from_bytes_vartime(&v).is_none());
    v[128] = 0;
    assert!(Point::from_bytes_vartime(&v).is_none());
}

#[test]
fn from_bytes_rejects_points_outside_the_order_q_subgroup() {
    let s = &*SMALL;
    let r2 = oracle::add(&s.r, &s.r);
    let r4 = oracle::add(&r2, &r2);
    // Orders: r has order 4q (SMALL: [q]r = t4 of order 4, and [4]r != O), so [2]r has order
    // 2q and [4]r order q; adding t (order 2) or t4 (order 4) to [4]r gives orders 2q and 4q.
    assert!(oracle::mul(&BigUint::from(4u32), &s.r).is_some());
    let q = &DATA.q;
    let cases: Vec<(Aff, BigUint)> = vec![
        (s.t.clone(), BigUint::from(2u32)),
        (s.t4.clone(), BigUint::from(4u32)),
        (oracle::neg(&s.t4), BigUint::from(4u32)),
        (r2.clone(), q * 2u32),
        (oracle::add(&r4, &s.t), q * 2u32),
        (s.r.clone(), q * 4u32),
        (oracle::add(&r4, &s.t4), q * 4u32),
    ];
    for (a, order) in &cases {
        assert!(oracle::on_curve(a));
        if order.bits() <= 3 {
            assert!(oracle::mul(order, a).is_none());
        }
        assert!(!to_point(a).is_torsion_free_vartime());
        assert!(Point::from_bytes_vartime(&encode(a)).is_none());
    }
    // [4]R is in the subgroup and is accepted.
    assert!(to_point(&r4).is_torsion_free_vartime());
    let accepted = Point::from_bytes_vartime(&encode(&r4)).expect("order q");
    assert_eq!(to_aff(&accepted), r4);
}

/// The 2-descent subgroup test of `from_bytes_vartime` agrees with `[q]R = O` on points of every
/// order: the multiples [k]r of a point r of order 4q (k = 1..=24 hits every coset of 4E), and
/// their sums with P.
#[test]
fn subgroup_test_by_halving_agrees_with_q_times_r() {
    let r = to_point(&SMALL.r);
    let g = Point::generator();
    for k in 1u64..=24 {
        for point in [r.mul_vartime(&[k]), r.mul_vartime(&[k]).add(&g)] {
            let Some(bytes) = Option::<[u8; 257]>::from(point.to_bytes()) else {
                continue;
            };
            let by_halving = Point::from_bytes_vartime(&bytes).is_some();
            assert_eq!(by_halving, point.is_torsion_free_vartime(), "[{k}]r");
            assert_eq!(by_halving, k % 4 == 0, "[{k}]r");
        }
    }
}
