//! SAKKE (RFC 6508, parameter set 1 of RFC 6509) through the public Rust API: the RFC 6508
//! Appendix A vector end to end, round trips over awkward identifiers and SSVs, determinism,
//! every rejection of `decapsulate`, `SakkeReceiver::new` and `SakkePublic::new`, the SSV
//! length check, KMS issuance (b + z = 0 mod q, the range of z) and a property test tying RSK
//! validation to decapsulation.
//!
//! Malformed and out-of-subgroup points are built with an independent affine num-bigint oracle
//! of E: y^2 = x^3 - 3x over F_p (its 2-torsion point T = (0, 0) and a point of order 4, Q4 with
//! [2]Q4 = T).
//!
//! SAKKE is slow in debug builds (a receiver costs a Miller loop, about 0.4 s; a decapsulation
//! about 0.2 s): the KMSs, the vector receiver and its public handle are built once and shared.

use mcptt_kmc::Error;
use mcptt_kmc::kms::Kms;
use mcptt_kmc::sakke::{
    KmsSakkeRoot, POINT_BYTES, SED_BYTES, SSV_BYTES, SakkePublic, SakkeReceiver,
};
use num_bigint::BigUint;
use proptest::prelude::*;
use std::sync::LazyLock;

// ---------------------------------------------------------------------------------------------
// Test data
// ---------------------------------------------------------------------------------------------

struct Params {
    p: BigUint,
    q: BigUint,
    p_point: Vec<u8>,
}

static PARAMS: LazyLock<Params> = LazyLock::new(|| {
    let params: serde_json::Value =
        serde_json::from_str(include_str!("vectors/rfc6509-params.json")).unwrap();
    let set1 = &params["sakke_parameter_set_1"];
    let bytes = |name: &str| hex::decode(set1[name].as_str().unwrap()).unwrap();
    Params {
        p: BigUint::from_bytes_be(&bytes("p")),
        q: BigUint::from_bytes_be(&bytes("q")),
        p_point: bytes("p_point"),
    }
});

/// RFC 6508 Appendix A.
struct Vector {
    /// z left-padded to 128 octets.
    z: [u8; 128],
    z_point: Vec<u8>,
    id: Vec<u8>,
    rsk: Vec<u8>,
    ssv: Vec<u8>,
    sed: Vec<u8>,
}

static VECTOR: LazyLock<Vector> = LazyLock::new(|| {
    let v: serde_json::Value =
        serde_json::from_str(include_str!("vectors/rfc6508-sakke.json")).unwrap();
    let bytes = |name: &str| hex::decode(v[name].as_str().unwrap()).unwrap();
    Vector {
        z: padded(&bytes("z")),
        z_point: bytes("z_point"),
        id: bytes("id"),
        rsk: bytes("rsk"),
        ssv: bytes("ssv"),
        sed: bytes("encapsulated_data"),
    }
});

/// The RFC 6507 KSAK (any valid KSAK will do: these tests are about SAKKE).
fn ksak() -> [u8; 32] {
    let mut k = [0u8; 32];
    k[29..].copy_from_slice(&[0x01, 0x23, 0x45]);
    k
}

/// A deterministic z below 2^1021 (so below q) from a seed.
fn z_from_seed(seed: u64) -> [u8; 128] {
    let mut rng = SplitMix(seed);
    let mut z = [0u8; 128];
    for chunk in z.chunks_mut(8) {
        chunk.copy_from_slice(&rng.next().to_be_bytes());
    }
    z[0] &= 0x1f;
    z
}

static VECTOR_RECEIVER: LazyLock<SakkeReceiver> = LazyLock::new(|| {
    ok(
        SakkeReceiver::new(&VECTOR.z_point, &VECTOR.id, &VECTOR.rsk),
        "vector receiver",
    )
});

static VECTOR_PUBLIC: LazyLock<SakkePublic> =
    LazyLock::new(|| ok(SakkePublic::new(&VECTOR.z_point), "vector public"));

static KMS_A: LazyLock<Kms> =
    LazyLock::new(|| ok(Kms::from_secrets(&ksak(), &z_from_seed(0xA)), "KMS A"));

static PUBLIC_A: LazyLock<SakkePublic> =
    LazyLock::new(|| ok(SakkePublic::new(&KMS_A.z_t()), "public A"));

/// RFC 6509 style identifier ("YYYY-MM" 0x00 URI 0x00).
const ID_6509: &[u8] = b"2024-05\0tel:+15551234567\0";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn ok<T>(result: Result<T, Error>, what: &str) -> T {
    match result {
        Ok(value) => value,
        Err(error) => panic!("{what}: unexpected {error:?}"),
    }
}

fn padded(bytes: &[u8]) -> [u8; 128] {
    let mut out = [0u8; 128];
    out[128 - bytes.len()..].copy_from_slice(bytes);
    out
}

fn be128(v: &BigUint) -> [u8; 128] {
    let b = v.to_bytes_be();
    assert!(b.len() <= 128, "does not fit in 128 octets");
    padded(&b)
}

fn fits128(v: &BigUint) -> bool {
    v.bits() <= 1024
}

fn flip(bytes: &[u8], index: usize, bit: u32) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[index] ^= 1 << bit;
    out
}

fn cat(a: &[u8], b: &[u8]) -> Vec<u8> {
    [a, b].concat()
}

/// SplitMix64: deterministic test randomness.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

// ---------------------------------------------------------------------------------------------
// The oracle: affine arithmetic on y^2 = x^3 - 3x mod p with num-bigint
// ---------------------------------------------------------------------------------------------

/// An affine point; `None` is the identity.
type Aff = Option<(BigUint, BigUint)>;

mod oracle {
    use super::{Aff, PARAMS};
    use num_bigint::BigUint;

    pub fn p() -> &'static BigUint {
        &PARAMS.p
    }

    pub fn sub(a: &BigUint, b: &BigUint) -> BigUint {
        (a % p() + p() - b % p()) % p()
    }

    pub fn on_curve(a: &Aff) -> bool {
        match a {
            None => true,
            Some((x, y)) => (y * y) % p() == sub(&(x * x * x), &(x * 3u32)),
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
            let num = sub(&(x1 * x1 * 3u32), &BigUint::from(3u32));
            num * (y1 * 2u32).modinv(p()).unwrap() % p()
        } else {
            sub(y2, y1) * sub(x2, x1).modinv(p()).unwrap() % p()
        };
        let x3 = sub(&sub(&(&lambda * &lambda), x1), x2);
        let y3 = sub(&(&lambda * sub(x1, &x3)), y1);
        Some((x3, y3))
    }

    pub fn mul_small(k: u64, a: &Aff) -> Aff {
        let mut acc = None;
        for i in (0..64).rev() {
            acc = add(&acc, &acc);
            if (k >> i) & 1 == 1 {
                acc = add(&acc, a);
            }
        }
        acc
    }

    /// A square root mod p (p = 3 mod 4), if any.
    pub fn sqrt(a: &BigUint) -> Option<BigUint> {
        let r = a.modpow(&((p() + 1u32) >> 2), p());
        ((&r * &r) % p() == a % p()).then_some(r)
    }
}

/// Decodes `0x04 || x || y` without any check.
fn aff(bytes: &[u8]) -> Aff {
    assert_eq!(bytes.len(), POINT_BYTES);
    Some((
        BigUint::from_bytes_be(&bytes[1..129]),
        BigUint::from_bytes_be(&bytes[129..]),
    ))
}

fn raw(x: &BigUint, y: &BigUint) -> Vec<u8> {
    let mut out = vec![0x04];
    out.extend_from_slice(&be128(x));
    out.extend_from_slice(&be128(y));
    out
}

fn enc(a: &Aff) -> Vec<u8> {
    let (x, y) = a.as_ref().expect("the identity has no encoding");
    raw(x, y)
}

/// T = (0, 0), the 2-torsion point.
fn t2() -> Aff {
    Some((BigUint::ZERO, BigUint::ZERO))
}

/// A point of order 4: [2]Q4 = T. x(2Q) = (x^2 + 3)^2 / 4y^2, so x^2 = -3 (a square, as -1
/// and 3 are not) and y^2 = x(x^2 - 3) = -6x, with the sign of x making -6x a square.
static Q4: LazyLock<Aff> = LazyLock::new(|| {
    let p = oracle::p();
    let root = oracle::sqrt(&(p - 3u32)).expect("-3 is a square mod p");
    for x in [root.clone(), p - &root] {
        let rhs = oracle::sub(&BigUint::ZERO, &(&x * 6u32));
        if let Some(y) = oracle::sqrt(&rhs) {
            let q4 = Some((x, y));
            assert!(oracle::on_curve(&q4));
            assert_eq!(oracle::add(&q4, &q4), t2(), "[2]Q4 = T");
            return q4;
        }
    }
    unreachable!("one of +-sqrt(-3) gives a point")
});

fn plus(point: &[u8], other: &Aff) -> Vec<u8> {
    enc(&oracle::add(&aff(point), other))
}

fn doubled(point: &[u8]) -> Vec<u8> {
    let a = aff(point);
    enc(&oracle::add(&a, &a))
}

fn negated(point: &[u8]) -> Vec<u8> {
    enc(&oracle::neg(&aff(point)))
}

/// Encodings derived from a valid point that no decoder may accept: wrong lengths and prefixes,
/// non-canonical coordinates, identity attempts, (0, 0), off-curve values.
fn malformed(valid: &[u8]) -> Vec<(String, Vec<u8>)> {
    let p = oracle::p();
    let (x, y) = aff(valid).unwrap();
    let zero = BigUint::ZERO;
    let one = BigUint::from(1u32);
    let mut out: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), vec![]),
        ("prefix only".into(), vec![0x04]),
        ("identity 0x00 (one octet)".into(), vec![0x00]),
        ("identity 0x00 || 0^256".into(), vec![0u8; POINT_BYTES]),
        ("(0, 0)".into(), raw(&zero, &zero)),
        ("(0, 1) (identity-like)".into(), raw(&zero, &one)),
        ("(0, p) = (0, 0) mod p".into(), raw(&zero, p)),
        ("(p, 0) = (0, 0) mod p".into(), raw(p, &zero)),
        ("(p, p)".into(), raw(p, p)),
        ("x = p".into(), raw(p, &y)),
        ("y = p".into(), raw(&x, p)),
        ("all-FF coordinates".into(), cat(&[0x04], &[0xff; 256])),
        ("off curve: y + 1".into(), raw(&x, &((&y + 1u32) % p))),
        ("off curve: x + 1".into(), raw(&((&x + 1u32) % p), &y)),
        ("truncated (256)".into(), valid[..256].to_vec()),
        ("extended (258)".into(), cat(valid, &[0])),
        ("x || y without prefix".into(), valid[1..].to_vec()),
        ("0x04 || x (129)".into(), valid[..129].to_vec()),
    ];
    for (name, candidate) in [
        ("x + p", (&x + p, y.clone())),
        ("y + p", (x.clone(), &y + p)),
    ] {
        if fits128(&candidate.0) && fits128(&candidate.1) {
            out.push((name.into(), raw(&candidate.0, &candidate.1)));
        }
    }
    // The negation's y + p (encodes -V non-canonically) where it fits.
    let neg_y = oracle::sub(&zero, &y);
    if fits128(&(&neg_y + p)) {
        out.push(("-V with y + p".into(), raw(&x, &(&neg_y + p))));
    }
    for prefix in [0x00u8, 0x02, 0x03, 0x05, 0x06, 0x07, 0x44, 0xff] {
        let mut bad = valid.to_vec();
        bad[0] = prefix;
        out.push((format!("prefix {prefix:#04x}, 257 octets"), bad));
    }
    for prefix in [0x02u8, 0x03] {
        let mut compressed = vec![prefix];
        compressed.extend_from_slice(&valid[1..129]);
        out.push((
            format!("compressed {prefix:#04x} || x (129 octets)"),
            compressed,
        ));
    }
    assert!(
        out.iter().any(|(name, _)| name.contains("+ p")),
        "no x + p / y + p case fits"
    );
    out
}

/// Points on the curve outside the order-q subgroup: orders 2, 4, 2q and 4q.
fn outside_subgroup(valid: &[u8]) -> Vec<(String, Vec<u8>)> {
    let q4 = &*Q4;
    let minus_q4 = oracle::neg(q4);
    let out = vec![
        ("order 2: T = (0, 0)".to_string(), enc(&t2())),
        ("order 4: Q4".to_string(), enc(q4)),
        ("order 4: -Q4".to_string(), enc(&minus_q4)),
        ("order 2q: V + T".to_string(), plus(valid, &t2())),
        ("order 4q: V + Q4".to_string(), plus(valid, q4)),
        ("order 4q: V - Q4".to_string(), plus(valid, &minus_q4)),
    ];
    for (name, bytes) in &out {
        assert!(oracle::on_curve(&aff(bytes)), "{name} must be on the curve");
    }
    out
}

/// Every bad encoding of a point derived from `valid`.
fn bad_points(valid: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut all = malformed(valid);
    all.extend(outside_subgroup(valid));
    all
}

fn receiver_error(z_t: &[u8], id: &[u8], rsk: &[u8]) -> Option<Error> {
    SakkeReceiver::new(z_t, id, rsk).err()
}

fn decap(receiver: &SakkeReceiver, sed: &[u8]) -> Result<[u8; SSV_BYTES], Error> {
    receiver.decapsulate(sed).map(|ssv| *ssv)
}

/// RFC 6508 6.2.1 computed independently of the library: HashToIntegerRange (5.1) with
/// SHA-256, r = HashToIntegerRange(SSV || b, q), R = [r]([b mod q]P + Z_T) with the affine
/// oracle, g^r as (1 + i*g)^r in F_p^2 represented by b/a, H = SSV XOR
/// HashToIntegerRange(g^r, 2^128). Slow (two 1022-bit affine scalar multiplications).
mod sed_oracle {
    use super::{Aff, PARAMS, aff, be128, enc, oracle};
    use num_bigint::BigUint;
    use sha2::{Digest, Sha256};

    fn sha(parts: &[&[u8]]) -> Vec<u8> {
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update(part);
        }
        hasher.finalize().to_vec()
    }

    /// HashToIntegerRange(s, n, SHA-256), RFC 6508 5.1.
    pub fn hash_to_integer_range(s: &[u8], n: &BigUint) -> BigUint {
        // v = ceil(lg(n) / 256); lg(2^128) = 128, lg(q) is just above 1021.
        let lg_ceil = if n.count_ones() == 1 {
            n.bits() - 1
        } else {
            n.bits()
        };
        let blocks = lg_ceil.div_ceil(256);
        let a = sha(&[s]);
        let mut h = vec![0u8; 32];
        let mut v = Vec::new();
        for _ in 0..blocks {
            h = sha(&[&h]);
            v.extend_from_slice(&sha(&[&h, &a]));
        }
        BigUint::from_bytes_be(&v) % n
    }

    /// Jacobian coordinates (x = X/Z^2, y = Y/Z^3); `None` is the identity.
    type Jac = Option<(BigUint, BigUint, BigUint)>;

    fn m(a: &BigUint, b: &BigUint) -> BigUint {
        a * b % oracle::p()
    }

    fn double(a: &Jac) -> Jac {
        let (x, y, z) = a.as_ref()?;
        if *y == BigUint::ZERO {
            return None;
        }
        let sub = oracle::sub;
        let delta = m(z, z);
        let gamma = m(y, y);
        let beta = m(x, &gamma);
        let alpha = m(&sub(x, &delta), &(x + &delta)) * 3u32 % oracle::p();
        let x3 = sub(&m(&alpha, &alpha), &(&beta * 8u32));
        let yz = y + z;
        let z3 = sub(&sub(&m(&yz, &yz), &gamma), &delta);
        let y3 = sub(
            &m(&alpha, &sub(&(&beta * 4u32), &x3)),
            &(m(&gamma, &gamma) * 8u32),
        );
        Some((x3, y3, z3))
    }

    fn add(a: &Jac, b: &Jac) -> Jac {
        let (Some((x1, y1, z1)), Some((x2, y2, z2))) = (a, b) else {
            return a.clone().or_else(|| b.clone());
        };
        let sub = oracle::sub;
        let z1z1 = m(z1, z1);
        let z2z2 = m(z2, z2);
        let u1 = m(x1, &z2z2);
        let u2 = m(x2, &z1z1);
        let s1 = m(&m(y1, z2), &z2z2);
        let s2 = m(&m(y2, z1), &z1z1);
        let h = sub(&u2, &u1);
        let r = sub(&s2, &s1) * 2u32 % oracle::p();
        if h == BigUint::ZERO {
            return if r == BigUint::ZERO { double(a) } else { None };
        }
        let i = m(&(&h * 2u32), &(&h * 2u32));
        let j = m(&h, &i);
        let v = m(&u1, &i);
        let x3 = sub(&sub(&m(&r, &r), &j), &(&v * 2u32));
        let y3 = sub(&m(&r, &sub(&v, &x3)), &(m(&s1, &j) * 2u32));
        let z12 = z1 + z2;
        let z3 = m(&sub(&sub(&m(&z12, &z12), &z1z1), &z2z2), &h);
        Some((x3, y3, z3))
    }

    fn mul(k: &BigUint, a: &Aff) -> Aff {
        let base: Jac = a
            .as_ref()
            .map(|(x, y)| (x.clone(), y.clone(), BigUint::from(1u32)));
        let mut acc: Jac = None;
        for i in (0..k.bits()).rev() {
            acc = double(&acc);
            if k.bit(i) {
                acc = add(&acc, &base);
            }
        }
        let (x, y, z) = acc?;
        let p = oracle::p();
        let zi = z.modinv(p).unwrap();
        let zi2 = m(&zi, &zi);
        Some((m(&x, &zi2), m(&y, &m(&zi2, &zi))))
    }

    /// (1 + i*g)^r in F_p^2, as b/a.
    fn pf_pow(g: &BigUint, r: &BigUint) -> BigUint {
        let p = oracle::p();
        let (mut a, mut b) = (BigUint::from(1u32), BigUint::ZERO);
        for i in (0..r.bits()).rev() {
            // (a + ib)^2 = a^2 - b^2 + 2abi
            let (a2, b2) = (oracle::sub(&(&a * &a), &(&b * &b)), (&a * &b * 2u32) % p);
            (a, b) = (a2, b2);
            if r.bit(i) {
                // (a + ib)(1 + ig) = a - bg + i(ag + b)
                let (a2, b2) = (oracle::sub(&a, &(&b * g)), (&a * g + &b) % p);
                (a, b) = (a2, b2);
            }
        }
        b * a.modinv(p).unwrap() % p
    }

    pub fn sed(z_t: &[u8], id: &[u8], ssv: &[u8]) -> Vec<u8> {
        let params: serde_json::Value =
            serde_json::from_str(include_str!("vectors/rfc6509-params.json")).unwrap();
        let g_hex = params["sakke_parameter_set_1"]["g"].as_str().unwrap();
        let g = BigUint::from_bytes_be(&hex::decode(g_hex).unwrap());
        let q = &PARAMS.q;
        let b = BigUint::from_bytes_be(id) % q;
        let r = hash_to_integer_range(&[ssv, id].concat(), q);
        let q_b = oracle::add(&mul(&b, &aff(&PARAMS.p_point)), &aff(z_t));
        let big_r = mul(&r, &q_b);
        let g_r = pf_pow(&g, &r);
        let mask = hash_to_integer_range(&be128(&g_r), &(BigUint::from(1u32) << 128u32));
        let mask = be128(&mask);
        let h: Vec<u8> = ssv.iter().zip(&mask[112..]).map(|(s, m)| s ^ m).collect();
        [enc(&big_r), h].concat()
    }
}

// ---------------------------------------------------------------------------------------------
// Constants and parameters
// ---------------------------------------------------------------------------------------------

#[test]
fn sizes_and_parameters() {
    assert_eq!(SSV_BYTES, 16);
    assert_eq!(POINT_BYTES, 257);
    assert_eq!(SED_BYTES, 273);
    assert_eq!(SED_BYTES, POINT_BYTES + SSV_BYTES);
    let c = &*PARAMS;
    assert_eq!(&c.p + 1u32, &c.q * 4u32);
    assert!(oracle::on_curve(&aff(&c.p_point)));
    // The oracle's small-order points.
    assert!(oracle::on_curve(&Q4));
    assert_eq!(oracle::mul_small(4, &Q4), None);
}

// ---------------------------------------------------------------------------------------------
// RFC 6508 Appendix A
// ---------------------------------------------------------------------------------------------

#[test]
fn rfc6508_kms_side() {
    let v = &*VECTOR;
    let root = ok(KmsSakkeRoot::from_z(&v.z), "from_z");
    assert_eq!(root.z_t_bytes().to_vec(), v.z_point, "Z_T");
    assert_eq!(ok(root.issue(&v.id), "issue").to_vec(), v.rsk, "RSK");

    let kms = ok(Kms::from_secrets(&ksak(), &v.z), "from_secrets");
    assert_eq!(kms.z_t().to_vec(), v.z_point, "Kms::z_t");
    assert_eq!(ok(kms.issue_sakke(&v.id), "issue_sakke").to_vec(), v.rsk);
}

#[test]
fn rfc6508_encapsulate() {
    let v = &*VECTOR;
    let public = &*VECTOR_PUBLIC;
    let z_t: Option<[u8; POINT_BYTES]> = public.z_t().to_bytes().into();
    assert_eq!(z_t.unwrap().to_vec(), v.z_point);
    let sed = ok(public.encapsulate(&v.id, &v.ssv), "encapsulate");
    assert_eq!(sed.to_vec(), v.sed, "SED of RFC 6508 Appendix A");
}

#[test]
fn rfc6508_decapsulate() {
    let v = &*VECTOR;
    let ssv = ok(decap(&VECTOR_RECEIVER, &v.sed), "decapsulate");
    assert_eq!(ssv.to_vec(), v.ssv);
    // The same receiver again (its table is built on first use).
    assert_eq!(ok(decap(&VECTOR_RECEIVER, &v.sed), "again").to_vec(), v.ssv);
}

// ---------------------------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------------------------

fn edge_ssvs() -> Vec<(&'static str, [u8; 16])> {
    let mut leading_zero = [0x5au8; 16];
    leading_zero[0] = 0;
    let mut top_bit = [0x01u8; 16];
    top_bit[0] = 0x80;
    vec![
        ("all zero", [0u8; 16]),
        ("leading zero", leading_zero),
        ("top bit set", top_bit),
        ("all FF", [0xffu8; 16]),
    ]
}

/// Issues an RSK for `id` under KMS A, builds a receiver and round-trips every edge SSV.
fn round_trip_under_a(id: &[u8]) {
    let rsk = ok(KMS_A.issue_sakke(id), "issue");
    let receiver = ok(SakkeReceiver::new(&KMS_A.z_t(), id, &rsk[..]), "receiver");
    for (name, ssv) in edge_ssvs() {
        let sed = ok(PUBLIC_A.encapsulate(id, &ssv), name);
        assert_eq!(sed.len(), SED_BYTES);
        assert_eq!(sed[0], 0x04, "{name}: R is 0x04 || x || y");
        assert_eq!(
            ok(decap(&receiver, &sed), name),
            ssv,
            "{name}: id {id:02x?}"
        );
    }
}

#[test]
fn round_trip_empty_identifier() {
    round_trip_under_a(b"");
}

#[test]
fn round_trip_identifier_with_leading_zero_octets() {
    round_trip_under_a(&[0x00, 0x00, 0x00, 0x12, 0x34]);
}

#[test]
fn round_trip_32_octet_uid() {
    // TS 33.180 F.2.1 UID of tests/vectors/ts33180-uid.json, first case.
    let uid =
        hex::decode("74e2af803ab5d72841bbced0ce319ffe64f6fe23c88a2d258aabcf6ac5658ef4").unwrap();
    round_trip_under_a(&uid);
}

#[test]
fn round_trip_rfc6509_identifier() {
    round_trip_under_a(ID_6509);
}

/// An identifier longer than q: b is reduced mod q for [b]P, hashed whole for r.
#[test]
fn round_trip_identifier_longer_than_q() {
    let id: Vec<u8> = (0..200u32).map(|i| (i * 37 + 11) as u8).collect();
    round_trip_under_a(&id);
}

/// The RSK depends on b as a number only; the SED hashes the identifier's exact octets.
#[test]
fn leading_zero_identifiers_share_the_rsk_but_not_the_sed() {
    let short: &[u8] = &[0x12, 0x34];
    let long: &[u8] = &[0x00, 0x00, 0x00, 0x12, 0x34];
    let rsk_short = ok(KMS_A.issue_sakke(short), "issue short");
    let rsk_long = ok(KMS_A.issue_sakke(long), "issue long");
    assert_eq!(rsk_short[..], rsk_long[..], "same b, same RSK");
    let empty = ok(KMS_A.issue_sakke(b""), "issue empty");
    assert_eq!(empty[..], ok(KMS_A.issue_sakke(&[0]), "issue [0]")[..]);
    assert_eq!(
        empty[..],
        ok(KMS_A.issue_sakke(&[0, 0, 0]), "issue [0,0,0]")[..]
    );

    let receiver = ok(
        SakkeReceiver::new(&KMS_A.z_t(), short, &rsk_long[..]),
        "receiver",
    );
    let ssv = [0x42u8; 16];
    let own = ok(PUBLIC_A.encapsulate(short, &ssv), "own");
    let other = ok(PUBLIC_A.encapsulate(long, &ssv), "other");
    assert_ne!(
        own[..],
        other[..],
        "r = HashToIntegerRange(SSV || b) uses the exact octets"
    );
    assert_eq!(ok(decap(&receiver, &own), "own"), ssv);
    assert_eq!(decap(&receiver, &other), Err(Error::DecapsulationFailed));
}

#[test]
fn kms_generate_round_trip() {
    let kms = ok(Kms::generate(), "generate");
    let other = ok(Kms::generate(), "generate");
    assert_ne!(kms.z_t(), other.z_t(), "two fresh KMSs share Z_T");
    let id = b"2025-01\0sip:alice@example.org\0";
    let rsk = ok(kms.issue_sakke(id), "issue");
    let receiver = ok(SakkeReceiver::new(&kms.z_t(), id, &rsk[..]), "receiver");
    let public = ok(SakkePublic::new(&kms.z_t()), "public");
    let ssv = [0x3cu8; 16];
    let sed = ok(public.encapsulate(id, &ssv), "encapsulate");
    assert_eq!(ok(decap(&receiver, &sed), "decapsulate"), ssv);
}

/// The SED oracle reproduces RFC 6508 Appendix A (so it can be trusted below).
#[test]
fn sed_oracle_matches_rfc6508() {
    let v = &*VECTOR;
    assert_eq!(sed_oracle::sed(&v.z_point, &v.id, &v.ssv), v.sed);
}

/// Encapsulation agrees with the independent oracle on identifiers the RFC vector does not
/// exercise: empty (b = 0), leading 0x00 octets (hashed, not stripped), longer than q (b reduced
/// mod q), a 32-octet UID; and on edge SSVs.
#[test]
fn encapsulation_matches_the_oracle_on_awkward_identifiers() {
    let z_t = KMS_A.z_t();
    let long: Vec<u8> = (0..200u32).map(|i| (i * 37 + 11) as u8).collect();
    let cases: [(&[u8], [u8; 16]); 4] = [
        (b"", [0u8; 16]),
        (&[0x00, 0x00, 0x00, 0x12, 0x34], [0xff; 16]),
        (&long, [0x80; 16]),
        (
            &[0xffu8; 32],
            *b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f",
        ),
    ];
    for (id, ssv) in cases {
        let sed = ok(PUBLIC_A.encapsulate(id, &ssv), "encapsulate");
        assert_eq!(
            sed.to_vec(),
            sed_oracle::sed(&z_t, id, &ssv),
            "id of {} octets",
            id.len()
        );
    }
}

#[test]
fn encapsulation_is_deterministic() {
    let v = &*VECTOR;
    let public = &*VECTOR_PUBLIC;
    let first = ok(public.encapsulate(&v.id, &v.ssv), "first");
    let second = ok(public.encapsulate(&v.id, &v.ssv), "second");
    assert_eq!(first, second, "same SSV and identifier, same SED");
    // A second handle on the same Z_T gives the same SED too.
    let again = ok(SakkePublic::new(&v.z_point), "public");
    assert_eq!(ok(again.encapsulate(&v.id, &v.ssv), "third"), first);

    let mut other_ssv = v.ssv.clone();
    other_ssv[15] ^= 1;
    let different = ok(public.encapsulate(&v.id, &other_ssv), "other SSV");
    assert_ne!(
        different[..POINT_BYTES],
        first[..POINT_BYTES],
        "R must change with the SSV"
    );
    assert_ne!(
        different[POINT_BYTES..],
        first[POINT_BYTES..],
        "H must change with the SSV"
    );

    let other_id = ok(public.encapsulate(ID_6509, &v.ssv), "other id");
    assert_ne!(
        other_id[..POINT_BYTES],
        first[..POINT_BYTES],
        "R must change with the id"
    );

    // Distinct edge SSVs give pairwise distinct SEDs.
    let seds: Vec<_> = edge_ssvs()
        .iter()
        .map(|(name, ssv)| ok(public.encapsulate(&v.id, ssv), name))
        .collect();
    for i in 0..seds.len() {
        for j in i + 1..seds.len() {
            assert_ne!(seds[i], seds[j], "SSVs {i} and {j}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// decapsulate: every failure is DecapsulationFailed
// ---------------------------------------------------------------------------------------------

fn assert_decap_fails(sed: &[u8], what: &str) {
    assert_eq!(
        decap(&VECTOR_RECEIVER, sed),
        Err(Error::DecapsulationFailed),
        "{what}"
    );
}

#[test]
fn decapsulate_rejects_bad_r_encodings() {
    let v = &*VECTOR;
    let (r, h) = v.sed.split_at(POINT_BYTES);
    for (name, bad_r) in bad_points(r) {
        assert_decap_fails(&cat(&bad_r, h), &format!("R: {name}"));
    }
}

#[test]
fn decapsulate_rejects_wrong_lengths() {
    let v = &*VECTOR;
    for (name, sed) in [
        ("empty", vec![]),
        ("one octet", vec![0x04]),
        ("R only (257)", v.sed[..POINT_BYTES].to_vec()),
        ("truncated (272)", v.sed[..272].to_vec()),
        ("extended (274, 0x00)", cat(&v.sed, &[0x00])),
        ("extended (274, 0xff)", cat(&v.sed, &[0xff])),
        ("SED twice", cat(&v.sed, &v.sed)),
        ("leading 0x00 (274)", cat(&[0x00], &v.sed)),
        ("H only", v.sed[POINT_BYTES..].to_vec()),
    ] {
        assert_decap_fails(&sed, name);
    }
}

#[test]
fn decapsulate_rejects_corrupted_h() {
    let v = &*VECTOR;
    let mut positions: Vec<(usize, u32)> = Vec::new();
    for octet in [POINT_BYTES, SED_BYTES - 1] {
        positions.extend((0..8).map(|bit| (octet, bit)));
    }
    positions.push((POINT_BYTES + 7, 3));
    for (octet, bit) in positions {
        assert_decap_fails(
            &flip(&v.sed, octet, bit),
            &format!("H octet {octet} bit {bit}"),
        );
    }
    // H of another (valid) SED to the same receiver.
    let mut ssv = v.ssv.clone();
    ssv[0] ^= 0x80;
    let other = ok(VECTOR_PUBLIC.encapsulate(&v.id, &ssv), "other");
    assert_decap_fails(
        &cat(&v.sed[..POINT_BYTES], &other[POINT_BYTES..]),
        "H swapped",
    );
    assert_decap_fails(
        &cat(&other[..POINT_BYTES], &v.sed[POINT_BYTES..]),
        "R swapped",
    );
}

#[test]
fn decapsulate_rejects_corrupted_r() {
    let v = &*VECTOR;
    let mut positions = vec![(0usize, 0u32), (0, 1), (0, 2), (0, 7)];
    for octet in [1usize, 2, 64, 128, 129, 130, 200, 256] {
        for bit in [0u32, 3, 7] {
            positions.push((octet, bit));
        }
    }
    for (octet, bit) in positions {
        assert_decap_fails(
            &flip(&v.sed, octet, bit),
            &format!("R octet {octet} bit {bit}"),
        );
    }
}

#[test]
fn decapsulate_rejects_sed_for_another_identity() {
    let v = &*VECTOR;
    for id in [ID_6509, &v.id[..25], b"" as &[u8]] {
        let sed = ok(VECTOR_PUBLIC.encapsulate(id, &v.ssv), "encapsulate");
        assert_decap_fails(&sed, &format!("SED for {id:02x?}"));
    }
}

#[test]
fn decapsulate_rejects_sed_under_another_kms() {
    let v = &*VECTOR;
    let sed = ok(PUBLIC_A.encapsulate(&v.id, &v.ssv), "encapsulate under A");
    assert_decap_fails(&sed, "SED under another Z_T");
}

#[test]
fn decapsulate_rejects_other_points_of_the_subgroup() {
    let v = &*VECTOR;
    let (r, h) = v.sed.split_at(POINT_BYTES);
    let cases = [
        ("[2]R", doubled(r)),
        ("-R", negated(r)),
        ("[3]R", enc(&oracle::mul_small(3, &aff(r)))),
        ("P", PARAMS.p_point.clone()),
        ("Z_T", v.z_point.clone()),
        ("the RSK", v.rsk.clone()),
    ];
    for (name, point) in cases {
        assert!(oracle::on_curve(&aff(&point)), "{name}");
        assert_decap_fails(&cat(&point, h), name);
    }
    // The receiver is not affected by the failures.
    assert_eq!(
        ok(decap(&VECTOR_RECEIVER, &v.sed), "after failures").to_vec(),
        v.ssv
    );
}

// ---------------------------------------------------------------------------------------------
// SakkeReceiver::new: every failure is InvalidKey
// ---------------------------------------------------------------------------------------------

#[test]
fn receiver_rejects_material_of_another_identity_or_kms() {
    let v = &*VECTOR;
    let kms = ok(Kms::from_secrets(&ksak(), &v.z), "vector KMS");
    let other_rsk = ok(kms.issue_sakke(ID_6509), "other identity's RSK");
    // (what, Z_T, identifier, RSK)
    type Case<'a> = (&'a str, &'a [u8], &'a [u8], &'a [u8]);
    let cases: [Case; 4] = [
        ("another identity's RSK", &v.z_point, &v.id, &other_rsk[..]),
        (
            "another identifier",
            &v.z_point,
            ID_6509.split_last().unwrap().1,
            &v.rsk,
        ),
        ("another KMS's Z_T", &KMS_A.z_t(), &v.id, &v.rsk),
        (
            "identifier without its trailing NUL",
            &v.z_point,
            &v.id[..25],
            &v.rsk,
        ),
    ];
    for (name, z_t, id, rsk) in cases {
        assert_eq!(
            receiver_error(z_t, id, rsk),
            Some(Error::InvalidKey),
            "{name}"
        );
    }
    // The other identity's RSK is fine for its own identifier.
    assert!(SakkeReceiver::new(&v.z_point, ID_6509, &other_rsk[..]).is_ok());
}

#[test]
fn receiver_rejects_other_subgroup_points_as_rsk() {
    let v = &*VECTOR;
    for (name, rsk) in [
        ("[2]RSK", doubled(&v.rsk)),
        ("-RSK", negated(&v.rsk)),
        ("P", PARAMS.p_point.clone()),
        ("Z_T", v.z_point.clone()),
    ] {
        assert_eq!(
            receiver_error(&v.z_point, &v.id, &rsk),
            Some(Error::InvalidKey),
            "{name}"
        );
    }
}

#[test]
fn receiver_rejects_rsk_outside_the_subgroup() {
    let v = &*VECTOR;
    for (name, rsk) in outside_subgroup(&v.rsk) {
        assert_eq!(
            receiver_error(&v.z_point, &v.id, &rsk),
            Some(Error::InvalidKey),
            "RSK {name}"
        );
    }
}

/// Malformed RSKs, split in two tests because each rejection costs a Miller loop (the RSK is
/// decoded in constant time). `coordinates` selects the 257-octet 0x04 encodings with bad
/// coordinates; otherwise the bad lengths and prefixes.
fn assert_malformed_rsks_rejected(coordinates: bool) {
    let v = &*VECTOR;
    let cases: Vec<_> = malformed(&v.rsk)
        .into_iter()
        .filter(|(_, b)| (b.len() == POINT_BYTES && b[0] == 0x04) == coordinates)
        // Prefixes beyond the usual SEC 1 ones are covered by the decapsulation and Z_T tests.
        .filter(|(_, b)| !(b.len() == POINT_BYTES && [0x05, 0x07, 0x44].contains(&b[0])))
        .collect();
    assert!(cases.len() >= 10);
    for (name, rsk) in cases {
        assert_eq!(
            receiver_error(&v.z_point, &v.id, &rsk),
            Some(Error::InvalidKey),
            "RSK {name}"
        );
    }
}

#[test]
fn receiver_rejects_rsk_with_bad_length_or_prefix() {
    assert_malformed_rsks_rejected(false);
}

#[test]
fn receiver_rejects_rsk_with_bad_coordinates() {
    assert_malformed_rsks_rejected(true);
}

#[test]
fn receiver_rejects_bad_z_t() {
    let v = &*VECTOR;
    let mut cases = bad_points(&v.z_point);
    cases.push(("-Z_T".into(), negated(&v.z_point)));
    cases.push(("[2]Z_T".into(), doubled(&v.z_point)));
    cases.push(("P".into(), PARAMS.p_point.clone()));
    for (name, z_t) in cases {
        assert_eq!(
            receiver_error(&z_t, &v.id, &v.rsk),
            Some(Error::InvalidKey),
            "Z_T {name}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// SakkePublic
// ---------------------------------------------------------------------------------------------

#[test]
fn public_rejects_bad_z_t() {
    let v = &*VECTOR;
    for (name, z_t) in bad_points(&v.z_point) {
        assert_eq!(
            SakkePublic::new(&z_t).err(),
            Some(Error::InvalidKey),
            "Z_T {name}"
        );
    }
}

#[test]
fn encapsulate_rejects_ssv_of_wrong_length() {
    let v = &*VECTOR;
    for len in [0usize, 1, 15, 17, 32, SED_BYTES] {
        let ssv = vec![0x11u8; len];
        assert_eq!(
            VECTOR_PUBLIC.encapsulate(&v.id, &ssv).err(),
            Some(Error::InvalidLength),
            "SSV of {len} octets"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// KMS
// ---------------------------------------------------------------------------------------------

/// b + z = 0 mod q: no RSK exists. z = q - 5 and b = 5 (however the identifier spells it).
#[test]
fn kms_refuses_identifier_with_b_plus_z_zero() {
    let q = &PARAMS.q;
    let z = be128(&(q - 5u32));
    let kms = ok(Kms::from_secrets(&ksak(), &z), "z = q - 5");
    let root = ok(KmsSakkeRoot::from_z(&z), "z = q - 5");
    // Z_T = [q - 5]P = -[5]P.
    let minus_5p = enc(&oracle::neg(&oracle::mul_small(5, &aff(&PARAMS.p_point))));
    assert_eq!(kms.z_t().to_vec(), minus_5p);
    for id in [vec![5u8], vec![0, 0, 5], be128(&(q + 5u32)).to_vec()] {
        assert_eq!(
            kms.issue_sakke(&id).err(),
            Some(Error::InvalidKey),
            "id {id:02x?}"
        );
        assert_eq!(
            root.issue(&id).err(),
            Some(Error::InvalidKey),
            "id {id:02x?}"
        );
    }
    // Neighbours are fine, and the sender refuses to encapsulate to b = -z.
    let rsk4 = ok(kms.issue_sakke(&[4]), "b = 4");
    ok(kms.issue_sakke(&[6]), "b = 6");
    let public = ok(SakkePublic::new(&kms.z_t()), "public");
    assert_eq!(
        public.encapsulate(&[5], &[0u8; 16]).err(),
        Some(Error::InvalidKey),
        "encapsulate to b = -z"
    );
    // No receiver either: [b]P + Z_T is the identity.
    assert_eq!(
        receiver_error(&kms.z_t(), &[5], &rsk4[..]),
        Some(Error::InvalidKey)
    );
}

/// The same with the RFC 6508 Z_T: b = q - z.
#[test]
fn encapsulate_to_minus_z_under_the_vector_key() {
    let v = &*VECTOR;
    let b = &PARAMS.q - BigUint::from_bytes_be(&v.z);
    let id = be128(&b);
    assert_eq!(
        VECTOR_PUBLIC.encapsulate(&id, &v.ssv).err(),
        Some(Error::InvalidKey)
    );
    let kms = ok(Kms::from_secrets(&ksak(), &v.z), "vector KMS");
    assert_eq!(kms.issue_sakke(&id).err(), Some(Error::InvalidKey));
}

#[test]
fn from_z_range() {
    let q = &PARAMS.q;
    let p = &PARAMS.p;
    let small = |k: u32| be128(&BigUint::from(k)).to_vec();
    let mut two_129 = vec![0u8];
    two_129.extend_from_slice(&small(2));
    let rejected: Vec<(&str, Vec<u8>)> = vec![
        ("0", small(0)),
        ("1", small(1)),
        ("q", be128(q).to_vec()),
        ("q + 1", be128(&(q + 1u32)).to_vec()),
        ("2q - 1", be128(&(q * 2u32 - 1u32)).to_vec()),
        ("p", be128(p).to_vec()),
        ("all FF", vec![0xff; 128]),
        ("empty", vec![]),
        ("20 octets (RFC z unpadded)", VECTOR.z[108..].to_vec()),
        ("127 octets", vec![0x01; 127]),
        ("2 as 129 octets", two_129),
        ("256 octets", vec![0x01; 256]),
    ];
    for (name, z) in rejected {
        assert_eq!(
            KmsSakkeRoot::from_z(&z).err(),
            Some(Error::InvalidKey),
            "z = {name}"
        );
        assert_eq!(
            Kms::from_secrets(&ksak(), &z).err(),
            Some(Error::InvalidKey),
            "Kms z = {name}"
        );
    }
    let generator = aff(&PARAMS.p_point);
    let accepted: [(&str, Vec<u8>, Vec<u8>); 3] = [
        ("2", small(2), enc(&oracle::add(&generator, &generator))),
        ("3", small(3), enc(&oracle::mul_small(3, &generator))),
        (
            "q - 1",
            be128(&(q - 1u32)).to_vec(),
            enc(&oracle::neg(&generator)),
        ),
    ];
    for (name, z, expected) in accepted {
        let root = ok(KmsSakkeRoot::from_z(&z), name);
        assert_eq!(root.z_t_bytes().to_vec(), expected, "Z_T for z = {name}");
        let kms = ok(Kms::from_secrets(&ksak(), &z), name);
        assert_eq!(kms.z_t().to_vec(), expected, "Kms Z_T for z = {name}");
    }
}

/// With z = 2 the RSK of b is [(b + 2)^-1]P: for b = 0, [2^-1]P, whose double is P.
#[test]
fn issued_rsk_matches_the_oracle() {
    let kms = ok(
        Kms::from_secrets(&ksak(), &be128(&BigUint::from(2u32))),
        "z = 2",
    );
    let rsk = ok(kms.issue_sakke(b""), "b = 0");
    assert_eq!(doubled(&rsk[..]), PARAMS.p_point, "[2]RSK = P");
    let rsk = ok(kms.issue_sakke(&[1]), "b = 1");
    assert_eq!(
        enc(&oracle::mul_small(3, &aff(&rsk[..]))),
        PARAMS.p_point,
        "[3]RSK = P"
    );
    // b is the identifier read as a big-endian integer of any length, reduced mod q: these all
    // have b = 1, so [3]RSK = P for each.
    let q = &PARAMS.q;
    let mut long_zeros = vec![0u8; 300];
    long_zeros.push(1);
    let q_plus_1 = be128(&(q + 1u32)).to_vec();
    let huge_multiple = ((q << 600u32) + 1u32).to_bytes_be();
    assert!(huge_multiple.len() > 200);
    for id in [long_zeros, q_plus_1, huge_multiple] {
        let rsk = ok(kms.issue_sakke(&id), "b = 1 mod q");
        assert_eq!(
            enc(&oracle::mul_small(3, &aff(&rsk[..]))),
            PARAMS.p_point,
            "[3]RSK = P for an identifier of {} octets",
            id.len()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Property: RSK validation and decapsulation agree
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Mutation {
    FlipBit(usize),
    OtherIdentity(Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0..POINT_BYTES * 8).prop_map(Mutation::FlipBit),
        proptest::collection::vec(any::<u8>(), 0..=8).prop_map(Mutation::OtherIdentity),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 4,
        failure_persistence: None,
        max_shrink_iters: 8,
        ..ProptestConfig::default()
    })]

    #[test]
    fn prop_rsk_validation_and_decapsulation_agree(
        id in proptest::collection::vec(any::<u8>(), 0..=40),
        ssv in any::<[u8; 16]>(),
        mutation in mutation(),
    ) {
        let z_t = KMS_A.z_t();
        let rsk = ok(KMS_A.issue_sakke(&id), "issue");
        let sed = ok(PUBLIC_A.encapsulate(&id, &ssv), "encapsulate");
        let receiver = SakkeReceiver::new(&z_t, &id, &rsk[..]);
        prop_assert!(receiver.is_ok(), "a freshly issued RSK must validate");
        let receiver = receiver.ok().unwrap();
        prop_assert_eq!(decap(&receiver, &sed), Ok(ssv));

        let mutated: Vec<u8> = match &mutation {
            Mutation::FlipBit(bit) => flip(&rsk[..], bit / 8, (bit % 8) as u32),
            Mutation::OtherIdentity(other) => ok(KMS_A.issue_sakke(other), "other").to_vec(),
        };
        match SakkeReceiver::new(&z_t, &id, &mutated) {
            Err(error) => prop_assert_eq!(error, Error::InvalidKey),
            Ok(accepted) => {
                // Validation passed: the key must then really work.
                prop_assert_eq!(&mutated[..], &rsk[..], "a different RSK validated: {:?}", mutation);
                prop_assert_eq!(decap(&accepted, &sed), Ok(ssv));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// SakkeReceiver::with_public
// ---------------------------------------------------------------------------------------------

/// A receiver made from an already validated Z_T (`with_public`) accepts and refuses exactly
/// what `new` does, and decapsulates the RFC 6508 vector.
#[test]
fn receiver_with_public_matches_new() {
    let v = &*VECTOR;
    let public = SakkePublic::new(&v.z_point).unwrap();
    let receiver = SakkeReceiver::with_public(&public, &v.id, &v.rsk).unwrap();
    assert_eq!(decap(&receiver, &v.sed).unwrap().to_vec(), v.ssv);
    let mut rsks = malformed(&v.rsk);
    rsks.push(("-RSK".into(), negated(&v.rsk)));
    rsks.push(("[2]RSK".into(), doubled(&v.rsk)));
    for (name, rsk) in rsks {
        assert_eq!(
            SakkeReceiver::with_public(&public, &v.id, &rsk).err(),
            Some(Error::InvalidKey),
            "RSK {name}"
        );
    }
    let mut other_id = v.id.clone();
    other_id[0] ^= 1;
    assert_eq!(
        SakkeReceiver::with_public(&public, &other_id, &v.rsk).err(),
        Some(Error::InvalidKey),
        "another identifier"
    );
}
