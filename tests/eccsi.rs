//! ECCSI (RFC 6507) through the public Rust API: the RFC test vector, round trips over awkward
//! identifiers and messages, and a negative test for every check of KPAK parsing, SSK validation
//! (5.1.2), verification (5.2.2) and the KMS master secrets; and a cross-check against an
//! independent num-bigint + SHA-256 oracle of RFC 6507 (itself checked on Appendix A).

use mcptt_kmc::Error;
use mcptt_kmc::eccsi::{
    KmsSigningRoot, Kpak, POINT_BYTES, SCALAR_BYTES, SIGNATURE_BYTES, Signer, Verifier,
};
use mcptt_kmc::kms::{KSAK_BYTES, Kms, Z_BYTES};
use num_bigint::BigUint;
use proptest::prelude::*;
use std::sync::LazyLock;

// ---------------------------------------------------------------------------------------------
// Test data and helpers
// ---------------------------------------------------------------------------------------------

/// RFC 6507 Appendix A, as transcribed in tests/vectors/rfc6507-eccsi.json.
struct Vector {
    ksak: Vec<u8>,
    kpak: Vec<u8>,
    id: Vec<u8>,
    ssk: Vec<u8>,
    pvt: Vec<u8>,
    hs: Vec<u8>,
    m: Vec<u8>,
    r: Vec<u8>,
    s: Vec<u8>,
    signature: Vec<u8>,
    /// The P-256 field prime.
    p: BigUint,
    /// The P-256 group order.
    q: BigUint,
    /// The P-256 base point, `0x04 || x || y`.
    g: Vec<u8>,
}

static VECTOR: LazyLock<Vector> = LazyLock::new(|| {
    let v: serde_json::Value =
        serde_json::from_str(include_str!("vectors/rfc6507-eccsi.json")).unwrap();
    let hex_field = |name: &str| -> Vec<u8> {
        hex::decode(v[name].as_str().unwrap_or_else(|| panic!("field {name}"))).unwrap()
    };
    Vector {
        ksak: hex_field("ksak"),
        kpak: hex_field("kpak"),
        id: hex_field("id"),
        ssk: hex_field("ssk"),
        pvt: hex_field("pvt"),
        hs: hex_field("hs"),
        m: hex_field("m"),
        r: hex_field("r"),
        s: hex_field("s"),
        signature: hex_field("signature"),
        p: BigUint::from_bytes_be(&hex_field("p")),
        q: BigUint::from_bytes_be(&hex_field("q")),
        g: hex_field("g"),
    }
});

/// The P-256 curve coefficient b (y^2 = x^3 - 3x + b), from the RFC 6509 parameter file.
static P256_B: LazyLock<BigUint> = LazyLock::new(|| {
    let v: serde_json::Value =
        serde_json::from_str(include_str!("vectors/rfc6509-params.json")).unwrap();
    BigUint::from_bytes_be(&hex::decode(v["eccsi"]["b"].as_str().unwrap()).unwrap())
});

/// q of SAKKE parameter set 1 (RFC 6509 Appendix A), 128 octets big-endian.
static SAKKE_Q: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let v: serde_json::Value =
        serde_json::from_str(include_str!("vectors/rfc6509-params.json")).unwrap();
    hex::decode(v["sakke_parameter_set_1"]["q"].as_str().unwrap()).unwrap()
});

/// One KMS for the whole file (key generation is not what is tested here).
static KMS: LazyLock<KmsSigningRoot> = LazyLock::new(|| KmsSigningRoot::generate().unwrap());
/// A second, unrelated KMS.
static OTHER_KMS: LazyLock<KmsSigningRoot> = LazyLock::new(|| KmsSigningRoot::generate().unwrap());

/// A big-endian integer as exactly `len` octets (left-padded; panics if it does not fit).
fn be(n: &BigUint, len: usize) -> Vec<u8> {
    let bytes = n.to_bytes_be();
    assert!(bytes.len() <= len, "{n:x} does not fit {len} octets");
    let mut out = vec![0u8; len - bytes.len()];
    out.extend_from_slice(&bytes);
    out
}

fn be32(n: &BigUint) -> Vec<u8> {
    be(n, SCALAR_BYTES)
}

fn uint(bytes: &[u8]) -> BigUint {
    BigUint::from_bytes_be(bytes)
}

fn point(x: &BigUint, y: &BigUint) -> Vec<u8> {
    let mut out = vec![0x04];
    out.extend(be32(x));
    out.extend(be32(y));
    out
}

fn coordinates(point: &[u8]) -> (BigUint, BigUint) {
    assert_eq!(point.len(), POINT_BYTES);
    assert_eq!(point[0], 0x04);
    (uint(&point[1..33]), uint(&point[33..]))
}

/// -P for an encoded point P: (x, p - y).
fn negate(point_bytes: &[u8]) -> Vec<u8> {
    let (x, y) = coordinates(point_bytes);
    point(&x, &(&VECTOR.p - y))
}

/// SEC1 compressed encoding (33 octets) of an uncompressed point.
fn compressed(point_bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![0x02 | (point_bytes[64] & 1)];
    out.extend_from_slice(&point_bytes[1..33]);
    out
}

/// SEC1 "hybrid" encoding (0x06/0x07 by the parity of y, 65 octets) of an uncompressed point.
fn hybrid(point_bytes: &[u8]) -> Vec<u8> {
    let mut out = point_bytes.to_vec();
    out[0] = 0x06 | (point_bytes[64] & 1);
    out
}

/// A point on P-256 with a small x (so that x + p still fits 32 octets), found with num-bigint:
/// y = rhs^((p+1)/4) since p = 3 mod 4.
fn point_with_small_x() -> (BigUint, BigUint) {
    let p = &VECTOR.p;
    let three = BigUint::from(3u32);
    let exponent = (p + 1u32) >> 2;
    for x in 0u32..1000 {
        let x = BigUint::from(x);
        let rhs = (x.modpow(&three, p) + &*P256_B + p * 3u32 - &three * &x) % p;
        let y = rhs.modpow(&exponent, p);
        if (&y * &y) % p == rhs && y != BigUint::ZERO {
            return (x, y);
        }
    }
    unreachable!("half of all x have a point");
}

fn flip(bytes: &[u8], index: usize, bit: u8) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[index] ^= 1 << bit;
    out
}

fn signature(r: &[u8], s: &[u8], pvt: &[u8]) -> Vec<u8> {
    assert_eq!(r.len(), SCALAR_BYTES);
    assert_eq!(s.len(), SCALAR_BYTES);
    [r, s, pvt].concat()
}

fn split(sig: &[u8]) -> (&[u8], &[u8], &[u8]) {
    assert_eq!(sig.len(), SIGNATURE_BYTES);
    (&sig[..32], &sig[32..64], &sig[64..])
}

/// Malformed or invalid 65-octet-ish point encodings that every point input must refuse:
/// (description, encoding). `valid` is a valid point used to build near-misses.
fn bad_points(valid: &[u8]) -> Vec<(String, Vec<u8>)> {
    let p = &VECTOR.p;
    let (x, y) = coordinates(valid);
    let (sx, sy) = point_with_small_x();
    let all_ff = BigUint::from_bytes_be(&[0xff; 32]);
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), vec![]),
        ("prefix only".into(), vec![0x04]),
        ("64 octets (prefix dropped)".into(), valid[1..].to_vec()),
        ("64 octets (last dropped)".into(), valid[..64].to_vec()),
        ("66 octets".into(), [valid, &[0]].concat()),
        ("compressed, 33 octets".into(), compressed(valid)),
        ("hybrid 0x06/0x07 prefix".into(), hybrid(valid)),
        (
            "all zero (the identity has no affine encoding)".into(),
            vec![0; 65],
        ),
        ("single 0x00 (SEC1 identity)".into(), vec![0x00]),
        (
            "0x04 || 0 || 0".into(),
            point(&BigUint::ZERO, &BigUint::ZERO),
        ),
        ("x = p".into(), point(p, &y)),
        ("y = p".into(), point(&x, p)),
        ("x = p + 1".into(), point(&(p + 1u32), &y)),
        ("y = p + 1".into(), point(&x, &(p + 1u32))),
        ("x all-FF".into(), point(&all_ff, &y)),
        ("y all-FF".into(), point(&x, &all_ff)),
        (
            "x + p (non-canonical encoding of a curve point)".into(),
            point(&(&sx + p), &sy),
        ),
        (
            "y + 1 (off the curve)".into(),
            point(&x, &((&y + 1u32) % p)),
        ),
        (
            "x + 1 (off the curve)".into(),
            point(&((&x + 1u32) % p), &y),
        ),
    ];
    for prefix in [0x00u8, 0x01, 0x02, 0x03, 0x05, 0x06, 0x07, 0xff] {
        let mut bad = valid.to_vec();
        bad[0] = prefix;
        cases.push((format!("prefix {prefix:#04x}"), bad));
    }
    cases
}

// ---------------------------------------------------------------------------------------------
// RFC 6507 Appendix A
// ---------------------------------------------------------------------------------------------

#[test]
fn rfc6507_vector_verifies() {
    let v = &*VECTOR;
    assert_eq!(v.signature, signature(&v.r, &v.s, &v.pvt));
    let verifier = Verifier::new(&v.kpak).unwrap();
    assert_eq!(verifier.kpak().to_bytes().to_vec(), v.kpak);
    assert_eq!(verifier.verify(&v.id, &v.m, &v.signature), Ok(()));
}

#[test]
fn rfc6507_vector_kpak_from_ksak() {
    let v = &*VECTOR;
    let kms = KmsSigningRoot::from_ksak(&v.ksak).unwrap();
    assert_eq!(kms.kpak().to_bytes().to_vec(), v.kpak);
    assert_eq!(*kms.kpak(), Kpak::from_bytes(&v.kpak).unwrap());
    // The same through Kms (z = 2 is the smallest valid SAKKE master secret).
    let kms = Kms::from_secrets(&v.ksak, &z_small(2)).unwrap();
    assert_eq!(kms.kpak().to_bytes().to_vec(), v.kpak);
}

#[test]
fn ksak_one_gives_the_generator() {
    let kms = KmsSigningRoot::from_ksak(&be32(&BigUint::from(1u32))).unwrap();
    assert_eq!(kms.kpak().to_bytes().to_vec(), VECTOR.g);
    let q_minus_1 = &VECTOR.q - 1u32;
    let kms = KmsSigningRoot::from_ksak(&be32(&q_minus_1)).unwrap();
    assert_eq!(kms.kpak().to_bytes().to_vec(), negate(&VECTOR.g));
}

#[test]
fn rfc6507_vector_signer() {
    let v = &*VECTOR;
    let signer = assert_signer_accepts(&v.kpak, &v.id, &v.ssk, &v.pvt);
    assert_eq!(signer.pvt().to_vec(), v.pvt);
    assert_eq!(signer.hs().to_vec(), v.hs);
    // A fresh signature from the RFC's key verifies, and is not the RFC's (j is random).
    let sig = signer.sign(&v.m).unwrap();
    assert_ne!(sig.to_vec(), v.signature);
    assert_eq!(&sig[64..], v.pvt.as_slice());
    let verifier = Verifier::new(&v.kpak).unwrap();
    assert_eq!(verifier.verify(&v.id, &v.m, &sig), Ok(()));
}

/// The RFC's identifier and message end in NUL octets that are part of the signed data: dropping
/// them (as a C string API would) must break the signature.
#[test]
fn rfc6507_vector_trailing_nuls_are_signed() {
    let v = &*VECTOR;
    let verifier = Verifier::new(&v.kpak).unwrap();
    assert_eq!(*v.m.last().unwrap(), 0);
    assert_eq!(*v.id.last().unwrap(), 0);
    let m_trimmed = &v.m[..v.m.len() - 1];
    let id_trimmed = &v.id[..v.id.len() - 1];
    let id_first_part = &v.id[..v.id.iter().position(|&b| b == 0).unwrap()];
    assert_eq!(
        verifier.verify(&v.id, m_trimmed, &v.signature),
        Err(Error::VerifyFailed)
    );
    assert_eq!(
        verifier.verify(id_trimmed, &v.m, &v.signature),
        Err(Error::VerifyFailed)
    );
    assert_eq!(
        verifier.verify(id_first_part, &v.m, &v.signature),
        Err(Error::VerifyFailed)
    );
    assert_eq!(
        verifier.verify(&v.id, &[v.m.as_slice(), &[0]].concat(), &v.signature),
        Err(Error::VerifyFailed)
    );
}

/// (r, q - s) is the other valid form of a signature (RFC 6507 5.2.1 step 6); J becomes -J and
/// Jx is unchanged.
#[test]
fn negated_s_verifies() {
    let v = &*VECTOR;
    let verifier = Verifier::new(&v.kpak).unwrap();
    let neg_s = be32(&(&v.q - uint(&v.s)));
    assert_eq!(
        verifier.verify(&v.id, &v.m, &signature(&v.r, &neg_s, &v.pvt)),
        Ok(())
    );

    let id = b"sip:alice@example.org";
    let (signer, verifier) = signer_for(&KMS, id);
    for msg in [&b""[..], b"x", b"a longer message"] {
        let sig = signer.sign(msg).unwrap();
        let (r, s, pvt) = split(&sig);
        let neg_s = be32(&(&v.q - uint(s)));
        assert_eq!(verifier.verify(id, msg, &signature(r, &neg_s, pvt)), Ok(()));
        // ... but (q - r, s) is not a signature.
        let neg_r = be32(&(&v.q - uint(r)));
        assert_eq!(
            verifier.verify(id, msg, &signature(&neg_r, s, pvt)),
            Err(Error::VerifyFailed)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------------------------

/// Issues (SSK, PVT) for `id` and returns a validated signer and a verifier for the KMS.
fn signer_for(kms: &KmsSigningRoot, id: &[u8]) -> (Signer, Verifier) {
    let kpak = kms.kpak().to_bytes();
    let issued = kms.issue(id).unwrap();
    let signer = Signer::new(&kpak, id, issued.ssk(), issued.pvt())
        .expect("an SSK just issued by the KMS must validate");
    assert_eq!(signer.pvt(), issued.pvt());
    (signer, Verifier::new(&kpak).unwrap())
}

fn round_trip(kms: &KmsSigningRoot, id: &[u8], msg: &[u8]) {
    let (signer, verifier) = signer_for(kms, id);
    let sig = signer.sign(msg).unwrap();
    assert_eq!(sig.len(), SIGNATURE_BYTES);
    assert_eq!(&sig[64..], signer.pvt());
    assert_eq!(verifier.verify(id, msg, &sig), Ok(()), "id {id:02x?}");
    // Any other message or identifier fails.
    let mut other_msg = msg.to_vec();
    other_msg.push(0);
    assert_eq!(
        verifier.verify(id, &other_msg, &sig),
        Err(Error::VerifyFailed)
    );
    if !msg.is_empty() {
        assert_eq!(
            verifier.verify(id, &msg[1..], &sig),
            Err(Error::VerifyFailed)
        );
        let mut changed = msg.to_vec();
        *changed.last_mut().unwrap() ^= 0x01;
        assert_eq!(
            verifier.verify(id, &changed, &sig),
            Err(Error::VerifyFailed)
        );
    }
    let mut other_id = id.to_vec();
    other_id.push(0);
    assert_eq!(
        verifier.verify(&other_id, msg, &sig),
        Err(Error::VerifyFailed)
    );
}

#[test]
fn round_trip_awkward_identifiers_and_messages() {
    let mut uid = [0u8; 32];
    mcptt_kmc::rng::fill(&mut uid).unwrap();
    let ids: Vec<Vec<u8>> = vec![
        vec![],
        vec![0],
        vec![0, 0, 0],
        b"a\0b".to_vec(),
        b"\0leading".to_vec(),
        b"2011-02\0tel:+447700900123\0".to_vec(),
        uid.to_vec(),
        vec![0u8; 32],
        vec![0xff; 32],
        vec![0x5a; 1000],
    ];
    let msgs: Vec<Vec<u8>> = vec![vec![], vec![0], vec![0xa5], b"message\0".to_vec()];
    for id in &ids {
        for msg in &msgs {
            round_trip(&KMS, id, msg);
        }
    }
}

#[test]
fn round_trip_64_kib_message() {
    let mut msg = vec![0u8; 64 * 1024];
    mcptt_kmc::rng::fill(&mut msg).unwrap();
    round_trip(&KMS, b"tel:+447700900123", &msg);
    // The same length with a NUL in the middle.
    msg[32 * 1024] = 0;
    round_trip(&KMS, &[0u8; 32], &msg);
}

/// Identifiers differing only in a NUL octet (the C-string truncation class) are different
/// identities: the key of one does not validate or verify for the other.
#[test]
fn identifiers_with_nul_are_not_truncated() {
    let kpak = KMS.kpak().to_bytes();
    let id_a = b"user\0a".to_vec();
    let id_b = b"user\0b".to_vec();
    let id_prefix = b"user".to_vec();
    let issued = KMS.issue(&id_a).unwrap();
    assert!(Signer::new(&kpak, &id_a, issued.ssk(), issued.pvt()).is_ok());
    for other in [&id_b, &id_prefix] {
        assert_eq!(
            Signer::new(&kpak, other, issued.ssk(), issued.pvt()).err(),
            Some(Error::InvalidKey)
        );
    }
    let (signer, verifier) = signer_for(&KMS, &id_a);
    let sig = signer.sign(b"m").unwrap();
    assert_eq!(verifier.verify(&id_a, b"m", &sig), Ok(()));
    assert_eq!(verifier.verify(&id_b, b"m", &sig), Err(Error::VerifyFailed));
    assert_eq!(
        verifier.verify(&id_prefix, b"m", &sig),
        Err(Error::VerifyFailed)
    );
}

#[test]
fn kms_issue_eccsi_round_trip() {
    let mut ksak = [0u8; KSAK_BYTES];
    mcptt_kmc::rng::fill(&mut ksak).unwrap();
    ksak[0] = 0x7f; // < q
    let kms = Kms::from_secrets(&ksak, &z_small(7)).unwrap();
    let kpak = kms.kpak().to_bytes();
    assert_eq!(
        kpak,
        KmsSigningRoot::from_ksak(&ksak).unwrap().kpak().to_bytes()
    );
    let id = [0x11u8; 32];
    let issued = kms.issue_eccsi(&id).unwrap();
    let signer = Signer::new(&kpak, &id, issued.ssk(), issued.pvt()).unwrap();
    let sig = signer.sign(b"hello").unwrap();
    assert_eq!(
        Verifier::new(&kpak).unwrap().verify(&id, b"hello", &sig),
        Ok(())
    );
    // Issuance draws a fresh v each time.
    let again = kms.issue_eccsi(&id).unwrap();
    assert_ne!(again.pvt(), issued.pvt());
    assert_ne!(again.ssk(), issued.ssk());
    assert!(Signer::new(&kpak, &id, again.ssk(), again.pvt()).is_ok());

    let random = Kms::generate().unwrap();
    assert_ne!(random.kpak().to_bytes(), kpak);
    let issued = random.issue_eccsi(&id).unwrap();
    assert!(Signer::new(&random.kpak().to_bytes(), &id, issued.ssk(), issued.pvt()).is_ok());
}

/// Signing does not change the signer; each signature uses a fresh ephemeral.
#[test]
fn sign_verify_sign_again() {
    let id = b"tel:+447700900123";
    let (signer, verifier) = signer_for(&KMS, id);
    let pvt = *signer.pvt();
    let hs = *signer.hs();
    let first = signer.sign(b"same message").unwrap();
    assert_eq!(verifier.verify(id, b"same message", &first), Ok(()));
    assert_eq!(*signer.pvt(), pvt);
    assert_eq!(*signer.hs(), hs);
    let second = signer.sign(b"same message").unwrap();
    assert_eq!(verifier.verify(id, b"same message", &second), Ok(()));
    assert_ne!(first, second);
    assert_ne!(first[..32], second[..32], "r must differ (fresh j)");
    assert_eq!(first[64..], second[64..]);
    assert_eq!(*signer.pvt(), pvt);
    assert_eq!(*signer.hs(), hs);
    // The first is still valid after the second was made.
    assert_eq!(verifier.verify(id, b"same message", &first), Ok(()));
}

fn bytes_with_nuls(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(prop_oneof![3 => any::<u8>(), 1 => Just(0u8)], 0..=max)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 32,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn prop_round_trip(id in bytes_with_nuls(80), msg in bytes_with_nuls(600)) {
        round_trip(&KMS, &id, &msg);
    }

    #[test]
    fn prop_any_flipped_bit_fails(bit in 0..SIGNATURE_BYTES * 8, msg in bytes_with_nuls(64)) {
        let id = b"prop-flip";
        let (signer, verifier) = signer_for(&KMS, id);
        let sig = signer.sign(&msg).unwrap();
        prop_assert_eq!(verifier.verify(id, &msg, &sig), Ok(()));
        let bad = flip(&sig, bit / 8, (bit % 8) as u8);
        prop_assert_eq!(verifier.verify(id, &msg, &bad), Err(Error::VerifyFailed));
    }

    #[test]
    fn prop_other_kms_fails(id in bytes_with_nuls(40), msg in bytes_with_nuls(64)) {
        let (signer, _) = signer_for(&KMS, &id);
        let sig = signer.sign(&msg).unwrap();
        let other = Verifier::new(&OTHER_KMS.kpak().to_bytes()).unwrap();
        prop_assert_eq!(other.verify(&id, &msg, &sig), Err(Error::VerifyFailed));
    }
}

// ---------------------------------------------------------------------------------------------
// Verification: one negative test per check
// ---------------------------------------------------------------------------------------------

fn vector_verifier() -> Verifier {
    Verifier::new(&VECTOR.kpak).unwrap()
}

fn assert_vector_rejects(sig: &[u8], what: &str) {
    let v = &*VECTOR;
    assert_eq!(
        vector_verifier().verify(&v.id, &v.m, sig),
        Err(Error::VerifyFailed),
        "{what} must not verify"
    );
}

#[test]
fn verify_rejects_wrong_signature_length() {
    let v = &*VECTOR;
    assert_vector_rejects(&[], "0 octets");
    assert_vector_rejects(&v.signature[..1], "1 octet");
    assert_vector_rejects(&v.signature[..64], "r || s only");
    assert_vector_rejects(&v.signature[..128], "128 octets");
    assert_vector_rejects(
        &[v.signature.as_slice(), &[0]].concat(),
        "130 octets (appended 0)",
    );
    assert_vector_rejects(
        &[v.signature.as_slice(), &[0x04]].concat(),
        "130 octets (appended 4)",
    );
    assert_vector_rejects(
        &[&[0], v.signature.as_slice()].concat(),
        "130 octets (prepended 0)",
    );
    assert_vector_rejects(
        &[v.signature.as_slice(), &v.signature].concat(),
        "the signature twice",
    );
    assert_vector_rejects(
        &signature(&v.r, &v.s, &compressed(&v.pvt)),
        "compressed PVT, 97 octets",
    );
    // Sanity: the untouched vector does verify.
    assert_eq!(vector_verifier().verify(&v.id, &v.m, &v.signature), Ok(()));
}

/// Scalars r and s must be in [1, q-1].
fn out_of_range_scalars() -> Vec<(String, Vec<u8>)> {
    let q = &VECTOR.q;
    vec![
        ("0".into(), vec![0; 32]),
        ("q".into(), be32(q)),
        ("q + 1".into(), be32(&(q + 1u32))),
        ("q + 2".into(), be32(&(q + 2u32))),
        ("all-FF".into(), vec![0xff; 32]),
        ("2^255".into(), [&[0x80][..], &[0; 31]].concat()),
    ]
}

#[test]
fn verify_rejects_r_out_of_range() {
    let v = &*VECTOR;
    for (what, r) in out_of_range_scalars() {
        assert_vector_rejects(&signature(&r, &v.s, &v.pvt), &format!("r = {what}"));
    }
}

#[test]
fn verify_rejects_s_out_of_range() {
    let v = &*VECTOR;
    for (what, s) in out_of_range_scalars() {
        assert_vector_rejects(&signature(&v.r, &s, &v.pvt), &format!("s = {what}"));
    }
}

/// q + k for a small k is out of range, not another spelling of k. (A true alias of a *valid*
/// s, s + q, fits 32 octets only when s < 2^256 - q, about one signature in 2^32, so it cannot
/// be built here; these only show the out-of-range values are refused.)
#[test]
fn verify_rejects_scalar_aliases() {
    let v = &*VECTOR;
    let q = &v.q;
    let small = BigUint::from(5u32);
    let alias = be32(&(q + &small));
    let plain = be32(&small);
    assert_vector_rejects(&signature(&v.r, &alias, &v.pvt), "s = q + 5");
    assert_vector_rejects(&signature(&v.r, &plain, &v.pvt), "s = 5");
    assert_vector_rejects(&signature(&alias, &v.s, &v.pvt), "r = q + 5");
}

/// Signatures built from public constants only (r, s small or zero, with the real PVT, KPAK or
/// G): the "forged from public constants" class of wolfSSL's CVE-2026-5466. None may verify,
/// for the RFC's identifier and message or for others.
#[test]
fn verify_rejects_signatures_from_public_constants() {
    let v = &*VECTOR;
    let q = &v.q;
    let values: Vec<Vec<u8>> = vec![
        vec![0; 32],
        be32(&BigUint::from(1u32)),
        be32(&BigUint::from(2u32)),
        be32(&(q - 1u32)),
        be32(&(q - 2u32)),
        be32(q),
        v.hs.clone(),
        v.kpak[1..33].to_vec(),
        v.pvt[1..33].to_vec(),
    ];
    let pvts = [
        v.pvt.clone(),
        v.kpak.clone(),
        negate(&v.kpak),
        v.g.clone(),
        negate(&v.pvt),
    ];
    let verifier = vector_verifier();
    let targets: [(&[u8], &[u8]); 3] = [
        (&v.id, &v.m),
        (b"", b""),
        (b"tel:+447700900123", b"message"),
    ];
    for r in &values {
        for s in &values {
            for pvt in &pvts {
                for (id, msg) in targets {
                    let sig = signature(r, s, pvt);
                    assert_eq!(
                        verifier.verify(id, msg, &sig),
                        Err(Error::VerifyFailed),
                        "r = {}, s = {}, PVT = {}",
                        hex::encode(r),
                        hex::encode(s),
                        hex::encode(pvt)
                    );
                }
            }
        }
    }
    // The all-zero signature (r = s = 0, PVT = 0).
    assert_vector_rejects(&[0u8; SIGNATURE_BYTES], "all-zero signature");
}

#[test]
fn verify_rejects_bad_pvt_encodings() {
    let v = &*VECTOR;
    for (what, pvt) in bad_points(&v.pvt) {
        if pvt.len() != POINT_BYTES {
            continue; // covered by the length test
        }
        assert_vector_rejects(&signature(&v.r, &v.s, &pvt), &format!("PVT {what}"));
    }
}

#[test]
fn verify_rejects_other_valid_pvt() {
    let v = &*VECTOR;
    let (sx, sy) = point_with_small_x();
    for (what, pvt) in [
        ("-PVT", negate(&v.pvt)),
        ("G", v.g.clone()),
        ("KPAK", v.kpak.clone()),
        ("a curve point with small x", point(&sx, &sy)),
        (
            "another identity's PVT",
            KMS.issue(&v.id).unwrap().pvt().to_vec(),
        ),
    ] {
        assert_vector_rejects(&signature(&v.r, &v.s, &pvt), what);
    }
}

#[test]
fn verify_rejects_other_kms_identifier_and_message() {
    let v = &*VECTOR;
    // Another KMS's KPAK.
    let other = Verifier::new(&OTHER_KMS.kpak().to_bytes()).unwrap();
    assert_eq!(
        other.verify(&v.id, &v.m, &v.signature),
        Err(Error::VerifyFailed)
    );
    let g_verifier = Verifier::new(&v.g).unwrap();
    assert_eq!(
        g_verifier.verify(&v.id, &v.m, &v.signature),
        Err(Error::VerifyFailed)
    );
    let neg_verifier = Verifier::new(&negate(&v.kpak)).unwrap();
    assert_eq!(
        neg_verifier.verify(&v.id, &v.m, &v.signature),
        Err(Error::VerifyFailed)
    );
    // Another identifier.
    let verifier = vector_verifier();
    assert_eq!(
        verifier.verify(b"2011-03\0tel:+447700900123\0", &v.m, &v.signature),
        Err(Error::VerifyFailed)
    );
    assert_eq!(
        verifier.verify(b"", &v.m, &v.signature),
        Err(Error::VerifyFailed)
    );
    // Another message.
    assert_eq!(
        verifier.verify(&v.id, b"message\x01", &v.signature),
        Err(Error::VerifyFailed)
    );
    assert_eq!(
        verifier.verify(&v.id, b"", &v.signature),
        Err(Error::VerifyFailed)
    );

    // The same with fresh keys: a signature of one identity under another's KPAK/identifier.
    let (signer, verifier) = signer_for(&KMS, b"alice");
    let sig = signer.sign(b"hi").unwrap();
    assert_eq!(verifier.verify(b"alice", b"hi", &sig), Ok(()));
    assert_eq!(
        verifier.verify(b"bob", b"hi", &sig),
        Err(Error::VerifyFailed)
    );
    assert_eq!(
        verifier.verify(b"alice", b"ho", &sig),
        Err(Error::VerifyFailed)
    );
    let other = Verifier::new(&OTHER_KMS.kpak().to_bytes()).unwrap();
    assert_eq!(
        other.verify(b"alice", b"hi", &sig),
        Err(Error::VerifyFailed)
    );
}

#[test]
fn verify_rejects_flipped_bits_in_each_field() {
    let v = &*VECTOR;
    let positions: &[(usize, u8)] = &[(0, 7), (0, 0), (1, 3), (15, 4), (30, 6), (31, 0), (31, 7)];
    for &(index, bit) in positions {
        let r = flip(&v.r, index, bit);
        assert_vector_rejects(
            &signature(&r, &v.s, &v.pvt),
            &format!("r bit {index}.{bit}"),
        );
        let s = flip(&v.s, index, bit);
        assert_vector_rejects(
            &signature(&v.r, &s, &v.pvt),
            &format!("s bit {index}.{bit}"),
        );
    }
    let pvt_positions: &[(usize, u8)] = &[
        (0, 0),
        (0, 1),
        (0, 2),
        (0, 7),
        (1, 0),
        (1, 7),
        (16, 2),
        (32, 0),
        (33, 0),
        (33, 7),
        (50, 5),
        (64, 0),
        (64, 7),
    ];
    for &(index, bit) in pvt_positions {
        let pvt = flip(&v.pvt, index, bit);
        assert_vector_rejects(
            &signature(&v.r, &v.s, &pvt),
            &format!("PVT bit {index}.{bit}"),
        );
    }
    // Swapped r and s.
    assert_vector_rejects(&signature(&v.s, &v.r, &v.pvt), "r and s swapped");
}

// ---------------------------------------------------------------------------------------------
// KPAK validation
// ---------------------------------------------------------------------------------------------

#[test]
fn kpak_accepts_valid_points() {
    let v = &*VECTOR;
    for valid in [v.kpak.clone(), v.g.clone(), negate(&v.kpak), v.pvt.clone()] {
        assert_eq!(Kpak::from_bytes(&valid).unwrap().to_bytes().to_vec(), valid);
        assert!(Verifier::new(&valid).is_ok());
    }
    // The curve point with a small x used for the non-canonical test is itself accepted, so that
    // test checks the range of x and nothing else.
    let (sx, sy) = point_with_small_x();
    let canonical = point(&sx, &sy);
    assert_eq!(
        Kpak::from_bytes(&canonical).unwrap().to_bytes().to_vec(),
        canonical
    );
    assert!(Verifier::new(&canonical).is_ok());
}

#[test]
fn kpak_rejects_bad_encodings() {
    let v = &*VECTOR;
    for (what, bad) in bad_points(&v.kpak) {
        assert_eq!(
            Kpak::from_bytes(&bad),
            Err(Error::InvalidKey),
            "Kpak::from_bytes: {what}"
        );
        assert_eq!(
            Verifier::new(&bad).err(),
            Some(Error::InvalidKey),
            "Verifier::new: {what}"
        );
    }
    for len in [0, 1, 32, 33, 64, 66, 97, 129] {
        let mut bad = vec![0x04; len];
        bad[..len.min(65)].copy_from_slice(&v.kpak[..len.min(65)]);
        assert_eq!(
            Kpak::from_bytes(&bad),
            Err(Error::InvalidKey),
            "length {len}"
        );
        assert_eq!(
            Verifier::new(&bad).err(),
            Some(Error::InvalidKey),
            "length {len}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// SSK validation (RFC 6507 5.1.2)
// ---------------------------------------------------------------------------------------------

struct Issued {
    kpak: Vec<u8>,
    id: Vec<u8>,
    ssk: Vec<u8>,
    pvt: Vec<u8>,
}

fn issue(kms: &KmsSigningRoot, id: &[u8]) -> Issued {
    let issued = kms.issue(id).unwrap();
    Issued {
        kpak: kms.kpak().to_bytes().to_vec(),
        id: id.to_vec(),
        ssk: issued.ssk().to_vec(),
        pvt: issued.pvt().to_vec(),
    }
}

/// Both constructors refuse: `Signer::new` from the KPAK's octets and, when the KPAK itself
/// is valid, `Signer::with_verifier` under a verifier of it (its KPAK table).
fn assert_signer_rejects(kpak: &[u8], id: &[u8], ssk: &[u8], pvt: &[u8], what: &str) {
    assert_eq!(
        Signer::new(kpak, id, ssk, pvt).err(),
        Some(Error::InvalidKey),
        "Signer::new must refuse {what}"
    );
    if let Ok(verifier) = Verifier::new(kpak) {
        assert_eq!(
            Signer::with_verifier(&verifier, id, ssk, pvt).err(),
            Some(Error::InvalidKey),
            "Signer::with_verifier must refuse {what}"
        );
    }
}

/// `Signer::with_verifier` accepts what `Signer::new` accepts, with the same HS and PVT.
fn assert_signer_accepts(kpak: &[u8], id: &[u8], ssk: &[u8], pvt: &[u8]) -> Signer {
    let signer = Signer::new(kpak, id, ssk, pvt).expect("Signer::new accepts");
    let verifier = Verifier::new(kpak).unwrap();
    let with = Signer::with_verifier(&verifier, id, ssk, pvt).expect("with_verifier accepts");
    assert_eq!(with.hs(), signer.hs());
    assert_eq!(with.pvt(), signer.pvt());
    let sig = with.sign(b"with_verifier").unwrap();
    assert_eq!(verifier.verify(id, b"with_verifier", &sig), Ok(()));
    signer
}

#[test]
fn signer_accepts_what_the_kms_issued() {
    for id in [&b""[..], b"\0", b"alice", &[7u8; 32]] {
        let a = issue(&KMS, id);
        assert_signer_accepts(&a.kpak, &a.id, &a.ssk, &a.pvt);
    }
}

/// Many issued keys (random v, so random HS and half-size splits): both constructors accept
/// each, and refuse it with another identifier's SSK.
#[test]
fn signer_with_verifier_agrees_on_many_keys() {
    let verifier = Verifier::new(&KMS.kpak().to_bytes()).unwrap();
    let mut previous: Option<Issued> = None;
    for i in 0..64u32 {
        let a = issue(&KMS, &i.to_be_bytes());
        assert_signer_accepts(&a.kpak, &a.id, &a.ssk, &a.pvt);
        if let Some(b) = &previous {
            assert!(Signer::with_verifier(&verifier, &a.id, &b.ssk, &a.pvt).is_err());
            assert!(Signer::with_verifier(&verifier, &a.id, &a.ssk, &b.pvt).is_err());
        }
        previous = Some(a);
    }
}

#[test]
fn signer_rejects_other_identity_material() {
    let a = issue(&KMS, b"alice");
    let b = issue(&KMS, b"bob");
    assert!(Signer::new(&b.kpak, &b.id, &b.ssk, &b.pvt).is_ok());
    assert_signer_rejects(
        &a.kpak,
        &a.id,
        &b.ssk,
        &a.pvt,
        "the SSK of another identifier",
    );
    assert_signer_rejects(
        &a.kpak,
        &a.id,
        &a.ssk,
        &b.pvt,
        "the PVT of another identity",
    );
    assert_signer_rejects(
        &a.kpak,
        &a.id,
        &b.ssk,
        &b.pvt,
        "(SSK, PVT) of another identifier",
    );
    assert_signer_rejects(&a.kpak, &b.id, &a.ssk, &a.pvt, "another identifier");
    assert_signer_rejects(&a.kpak, b"alice\0", &a.ssk, &a.pvt, "identifier + NUL");
    assert_signer_rejects(&a.kpak, b"", &a.ssk, &a.pvt, "the empty identifier");
    // Another KMS's KPAK, and another KMS's material for the same identifier.
    let other_kpak = OTHER_KMS.kpak().to_bytes();
    assert_signer_rejects(&other_kpak, &a.id, &a.ssk, &a.pvt, "another KMS's KPAK");
    let c = issue(&OTHER_KMS, b"alice");
    assert_signer_rejects(&a.kpak, &a.id, &c.ssk, &c.pvt, "another KMS's (SSK, PVT)");
    assert_signer_rejects(&a.kpak, &a.id, &a.ssk, &c.pvt, "another KMS's PVT");
    // The RFC's SSK under the RFC's KPAK but for another identifier.
    let v = &*VECTOR;
    assert_signer_rejects(
        &v.kpak,
        b"2011-02\0tel:+447700900123",
        &v.ssk,
        &v.pvt,
        "RFC id - NUL",
    );
    assert_signer_rejects(
        &a.kpak,
        &v.id,
        &v.ssk,
        &v.pvt,
        "the RFC's material under another KPAK",
    );
}

#[test]
fn signer_rejects_bad_ssk_values() {
    let a = issue(&KMS, b"alice");
    let q = &VECTOR.q;
    let ssk = uint(&a.ssk);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("SSK + 1 mod q", be32(&((&ssk + 1u32) % q))),
        ("SSK - 1 mod q", be32(&((&ssk + q - 1u32) % q))),
        ("q - SSK", be32(&(q - &ssk))),
        ("SSK + q (if it fits)", {
            let alias = &ssk + q;
            if alias.bits() <= 256 {
                be32(&alias)
            } else {
                vec![0xff; 32]
            }
        }),
        ("SSK = 0", vec![0; 32]),
        ("SSK = 1", be32(&BigUint::from(1u32))),
        ("SSK = q", be32(q)),
        ("SSK = q + 1", be32(&(q + 1u32))),
        ("SSK = q - 1", be32(&(q - 1u32))),
        ("SSK all-FF", vec![0xff; 32]),
        ("SSK 31 octets", a.ssk[1..].to_vec()),
        ("SSK 31 octets (last dropped)", a.ssk[..31].to_vec()),
        ("SSK 33 octets (leading 0)", [&[0u8][..], &a.ssk].concat()),
        ("SSK 33 octets (trailing 0)", [&a.ssk[..], &[0u8]].concat()),
        ("SSK empty", vec![]),
        ("SSK 64 octets", [&a.ssk[..], &a.ssk].concat()),
    ];
    for (what, bad) in cases {
        assert_signer_rejects(&a.kpak, &a.id, &bad, &a.pvt, what);
    }
}

#[test]
fn signer_rejects_flipped_bits() {
    let a = issue(&KMS, b"alice");
    for (index, bit) in [(0, 7), (0, 0), (10, 3), (31, 0), (31, 7)] {
        let ssk = flip(&a.ssk, index, bit);
        assert_signer_rejects(
            &a.kpak,
            &a.id,
            &ssk,
            &a.pvt,
            &format!("SSK bit {index}.{bit}"),
        );
    }
    for (index, bit) in [
        (0, 0),
        (0, 1),
        (0, 2),
        (1, 0),
        (1, 7),
        (32, 0),
        (33, 0),
        (48, 4),
        (64, 0),
    ] {
        let pvt = flip(&a.pvt, index, bit);
        assert_signer_rejects(
            &a.kpak,
            &a.id,
            &a.ssk,
            &pvt,
            &format!("PVT bit {index}.{bit}"),
        );
        let kpak = flip(&a.kpak, index, bit);
        assert_signer_rejects(
            &kpak,
            &a.id,
            &a.ssk,
            &a.pvt,
            &format!("KPAK bit {index}.{bit}"),
        );
    }
    for (index, bit) in [(0, 0), (2, 5), (4, 7)] {
        let id = flip(&a.id, index, bit);
        assert_signer_rejects(
            &a.kpak,
            &id,
            &a.ssk,
            &a.pvt,
            &format!("id bit {index}.{bit}"),
        );
    }
}

#[test]
fn signer_rejects_bad_point_encodings() {
    let a = issue(&KMS, b"alice");
    for (what, bad) in bad_points(&a.pvt) {
        assert_signer_rejects(&a.kpak, &a.id, &a.ssk, &bad, &format!("PVT {what}"));
    }
    for (what, bad) in bad_points(&a.kpak) {
        assert_signer_rejects(&bad, &a.id, &a.ssk, &a.pvt, &format!("KPAK {what}"));
    }
    // -PVT and -KPAK are valid points but not this key.
    assert_signer_rejects(&a.kpak, &a.id, &a.ssk, &negate(&a.pvt), "-PVT");
    assert_signer_rejects(&negate(&a.kpak), &a.id, &a.ssk, &a.pvt, "-KPAK");
}

/// Keys made of public constants only (SSK = 1, HS or q - 1 with PVT = G, KPAK or -KPAK) are
/// refused.
#[test]
fn signer_rejects_public_constant_keys() {
    let v = &*VECTOR;
    let one = be32(&BigUint::from(1u32));
    for pvt in [v.g.clone(), v.kpak.clone(), negate(&v.kpak)] {
        for ssk in [one.clone(), v.hs.clone(), be32(&(&v.q - 1u32))] {
            assert_signer_rejects(&v.kpak, &v.id, &ssk, &pvt, "public constants");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// KMS master secrets
// ---------------------------------------------------------------------------------------------

fn z_small(value: u8) -> Vec<u8> {
    let mut z = vec![0u8; Z_BYTES];
    z[Z_BYTES - 1] = value;
    z
}

fn assert_kms_rejects(ksak: &[u8], z: &[u8], what: &str) {
    assert_eq!(
        Kms::from_secrets(ksak, z).err(),
        Some(Error::InvalidKey),
        "Kms::from_secrets must refuse {what}"
    );
}

#[test]
fn sakke_q_constant_matches_rfc6509() {
    assert_eq!(SAKKE_Q.len(), Z_BYTES);
    assert_eq!(mcptt_kmc::params::SAKKE_Q.to_vec(), *SAKKE_Q);
}

#[test]
fn kms_rejects_bad_ksak() {
    let q = &VECTOR.q;
    let z = z_small(2);
    assert!(Kms::from_secrets(&VECTOR.ksak, &z).is_ok());
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty KSAK", vec![]),
        ("31-octet KSAK", VECTOR.ksak[1..].to_vec()),
        ("33-octet KSAK", [&[0u8][..], &VECTOR.ksak].concat()),
        ("KSAK = 0", vec![0; 32]),
        ("KSAK = q", be32(q)),
        ("KSAK = q + 1", be32(&(q + 1u32))),
        ("KSAK all-FF", vec![0xff; 32]),
    ];
    for (what, ksak) in cases {
        assert_kms_rejects(&ksak, &z, what);
        assert_eq!(
            KmsSigningRoot::from_ksak(&ksak).err(),
            Some(Error::InvalidKey),
            "KmsSigningRoot::from_ksak must refuse {what}"
        );
    }
    // The edges of the range are accepted.
    for ksak in [be32(&BigUint::from(1u32)), be32(&(q - 1u32))] {
        assert!(Kms::from_secrets(&ksak, &z).is_ok());
        assert!(KmsSigningRoot::from_ksak(&ksak).is_ok());
    }
}

#[test]
fn kms_rejects_bad_z() {
    let ksak = &VECTOR.ksak;
    let q = uint(&SAKKE_Q);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty z", vec![]),
        ("127-octet z", z_small(1)[1..].to_vec()),
        ("129-octet z", [&[0u8][..], &z_small(1)].concat()),
        ("32-octet z", be32(&BigUint::from(1u32))),
        ("z = 0", vec![0; Z_BYTES]),
        ("z = 1 (RFC 6508 2.2: z is in [2, q-1])", z_small(1)),
        ("z = q", SAKKE_Q.clone()),
        ("z = q + 1", be(&(&q + 1u32), Z_BYTES)),
        ("z all-FF (>= q)", vec![0xff; Z_BYTES]),
        ("z = 2^1023", [&[0x80][..], &[0u8; Z_BYTES - 1]].concat()),
    ];
    for (what, z) in cases {
        assert_kms_rejects(ksak, &z, what);
    }
}

#[test]
fn kms_accepts_z_edges() {
    let ksak = &VECTOR.ksak;
    let q = uint(&SAKKE_Q);
    for (what, z) in [
        ("z = 2", z_small(2)),
        ("z = q - 1", be(&(&q - 1u32), Z_BYTES)),
        ("z = q - 2", be(&(&q - 2u32), Z_BYTES)),
        ("z = 2^1016", [&[0x01][..], &[0u8; Z_BYTES - 1]].concat()),
    ] {
        let kms = Kms::from_secrets(ksak, &z).unwrap_or_else(|e| panic!("{what}: {e:?}"));
        assert_eq!(kms.kpak().to_bytes().to_vec(), VECTOR.kpak, "{what}");
    }
}

// ---------------------------------------------------------------------------------------------
// An independent oracle: RFC 6507 written out with num-bigint (affine P-256 arithmetic) and
// SHA-256, sharing no code with the library. It is first checked against Appendix A, then used
// to check the library's signatures and to feed it signatures the library did not make.
// ---------------------------------------------------------------------------------------------

mod oracle {
    use super::{VECTOR, be32, point, uint};
    use num_bigint::BigUint;
    use sha2::{Digest, Sha256};

    /// None is the identity.
    pub type Point = Option<(BigUint, BigUint)>;

    fn p() -> &'static BigUint {
        &VECTOR.p
    }

    pub fn q() -> &'static BigUint {
        &VECTOR.q
    }

    fn sub(a: &BigUint, b: &BigUint) -> BigUint {
        (a + p() - b % p()) % p()
    }

    fn inv(a: &BigUint) -> BigUint {
        a.modinv(p()).expect("inverse of 0")
    }

    /// Jacobian coordinates (X, Y, Z) for x = X/Z^2, y = Y/Z^3; Z = 0 is the identity.
    type Jacobian = (BigUint, BigUint, BigUint);

    fn to_jacobian(a: &Point) -> Jacobian {
        match a {
            None => (BigUint::from(1u32), BigUint::from(1u32), BigUint::ZERO),
            Some((x, y)) => (x.clone(), y.clone(), BigUint::from(1u32)),
        }
    }

    fn to_affine((x, y, z): &Jacobian) -> Point {
        if *z == BigUint::ZERO {
            return None;
        }
        let p = p();
        let zi = inv(z);
        let zi2 = &zi * &zi % p;
        Some((x * &zi2 % p, y * zi2 * zi % p))
    }

    /// Doubling with a = -3.
    fn double_j((x, y, z): &Jacobian) -> Jacobian {
        let p = p();
        if *z == BigUint::ZERO || *y == BigUint::ZERO {
            return to_jacobian(&None);
        }
        let delta = z * z % p;
        let gamma = y * y % p;
        let beta = x * &gamma % p;
        let alpha = sub(x, &delta) * ((x + &delta) % p) * 3u32 % p;
        let x3 = sub(&(&alpha * &alpha % p), &(&beta * 8u32 % p));
        let z3 = sub(&sub(&((y + z) * (y + z) % p), &gamma), &delta);
        let y3 = sub(
            &(alpha * sub(&(&beta * 4u32 % p), &x3) % p),
            &(&gamma * &gamma * 8u32 % p),
        );
        (x3, y3, z3)
    }

    fn add_j(a: &Jacobian, b: &Jacobian) -> Jacobian {
        let p = p();
        if a.2 == BigUint::ZERO {
            return b.clone();
        }
        if b.2 == BigUint::ZERO {
            return a.clone();
        }
        let (x1, y1, z1) = a;
        let (x2, y2, z2) = b;
        let z1z1 = z1 * z1 % p;
        let z2z2 = z2 * z2 % p;
        let u1 = x1 * &z2z2 % p;
        let u2 = x2 * &z1z1 % p;
        let s1 = y1 * z2 % p * &z2z2 % p;
        let s2 = y2 * z1 % p * &z1z1 % p;
        let h = sub(&u2, &u1);
        let r = sub(&s2, &s1);
        if h == BigUint::ZERO {
            return if r == BigUint::ZERO {
                double_j(a)
            } else {
                to_jacobian(&None)
            };
        }
        let h2 = &h * &h % p;
        let h3 = &h2 * &h % p;
        let u1h2 = &u1 * &h2 % p;
        let x3 = sub(&sub(&(&r * &r % p), &h3), &(&u1h2 * 2u32 % p));
        let y3 = sub(&(&r * sub(&u1h2, &x3) % p), &(&s1 * &h3 % p));
        let z3 = h * z1 % p * z2 % p;
        (x3, y3, z3)
    }

    pub fn add(a: &Point, b: &Point) -> Point {
        to_affine(&add_j(&to_jacobian(a), &to_jacobian(b)))
    }

    pub fn mul(k: &BigUint, base: &Point) -> Point {
        let base = to_jacobian(base);
        let mut acc = to_jacobian(&None);
        for i in (0..k.bits()).rev() {
            acc = double_j(&acc);
            if k.bit(i) {
                acc = add_j(&acc, &base);
            }
        }
        to_affine(&acc)
    }

    pub fn decode(bytes: &[u8]) -> Point {
        assert_eq!(bytes.len(), 65);
        assert_eq!(bytes[0], 0x04);
        let (x, y) = (uint(&bytes[1..33]), uint(&bytes[33..]));
        assert!(x < *p() && y < *p());
        let rhs = (&x * &x * &x + p() * 3u32 - &x * 3u32 + &*super::P256_B) % p();
        assert_eq!(&y * &y % p(), rhs, "not on P-256");
        Some((x, y))
    }

    pub fn encode(point_value: &Point) -> Vec<u8> {
        let (x, y) = point_value.as_ref().expect("the identity has no encoding");
        point(x, y)
    }

    pub fn g() -> Point {
        decode(&VECTOR.g)
    }

    fn sha256(parts: &[&[u8]]) -> Vec<u8> {
        let mut hash = Sha256::new();
        for part in parts {
            hash.update(part);
        }
        hash.finalize().to_vec()
    }

    /// HS = hash(G || KPAK || ID || PVT).
    pub fn hs(kpak: &[u8], id: &[u8], pvt: &[u8]) -> Vec<u8> {
        sha256(&[&VECTOR.g, kpak, id, pvt])
    }

    /// 5.1.1: (SSK, PVT) for KSAK and v.
    pub fn issue(ksak: &BigUint, v: &BigUint, id: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let kpak = encode(&mul(ksak, &g()));
        let pvt = encode(&mul(v, &g()));
        let hs = uint(&hs(&kpak, id, &pvt)) % q();
        (be32(&((ksak + hs * v) % q())), pvt)
    }

    /// 5.1.2: [SSK]G == KPAK + [HS]PVT.
    pub fn validate(kpak: &[u8], id: &[u8], ssk: &[u8], pvt: &[u8]) -> bool {
        let hs = uint(&hs(kpak, id, pvt)) % q();
        mul(&uint(ssk), &g()) == add(&decode(kpak), &mul(&hs, &decode(pvt)))
    }

    /// 5.2.1 with a given j; None when j must be replaced (r = 0 or r >= q would not be a
    /// valid scalar for the library either, and a zero denominator).
    pub fn sign(
        kpak: &[u8],
        id: &[u8],
        ssk: &[u8],
        pvt: &[u8],
        j: &BigUint,
        msg: &[u8],
    ) -> Option<Vec<u8>> {
        let (jx, _) = mul(j, &g())?;
        if jx >= *q() || jx == BigUint::ZERO {
            return None;
        }
        let r = be32(&jx);
        let hs = hs(kpak, id, pvt);
        let he = uint(&sha256(&[&hs, &r, msg])) % q();
        let denominator = (he + &jx * uint(ssk)) % q();
        let s = denominator.modinv(q())? * j % q();
        Some([r, be32(&s), pvt.to_vec()].concat())
    }

    /// 5.2.2 as the RFC words it: PVT on the curve, J = [s]([HE]G + [r]Y), Jx = r mod p and
    /// non-zero. Lengths and encodings as the library's API requires.
    pub fn verify(kpak: &[u8], id: &[u8], msg: &[u8], sig: &[u8]) -> bool {
        if sig.len() != 129 || sig[64] != 0x04 {
            return false;
        }
        let (r, s, pvt) = (&sig[..32], &sig[32..64], &sig[64..]);
        let (x, y) = (uint(&pvt[1..33]), uint(&pvt[33..]));
        if x >= *p()
            || y >= *p()
            || &y * &y % p() != (&x * &x * &x + p() * 3u32 - &x * 3u32 + &*super::P256_B) % p()
        {
            return false;
        }
        let hs = hs(kpak, id, pvt);
        let he = uint(&sha256(&[&hs, r, msg])) % q();
        let y_point = add(&mul(&(uint(&hs) % q()), &decode(pvt)), &decode(kpak));
        let inner = add(&mul(&he, &g()), &mul(&uint(r), &y_point));
        match mul(&uint(s), &inner) {
            None => false,
            Some((jx, _)) => jx != BigUint::ZERO && jx == uint(r) % p(),
        }
    }
}

fn random_scalar() -> BigUint {
    let mut bytes = [0u8; 32];
    mcptt_kmc::rng::fill(&mut bytes).unwrap();
    uint(&bytes) % (&VECTOR.q - 1u32) + 1u32
}

#[test]
fn oracle_reproduces_rfc6507_appendix_a() {
    let v = &*VECTOR;
    let ksak = uint(&v.ksak);
    assert_eq!(oracle::encode(&oracle::mul(&ksak, &oracle::g())), v.kpak);
    let json: serde_json::Value =
        serde_json::from_str(include_str!("vectors/rfc6507-eccsi.json")).unwrap();
    let scalar = |name: &str| uint(&hex::decode(json[name].as_str().unwrap()).unwrap());
    let (ssk, pvt) = oracle::issue(&ksak, &scalar("v"), &v.id);
    assert_eq!((ssk.clone(), pvt.clone()), (v.ssk.clone(), v.pvt.clone()));
    assert_eq!(oracle::hs(&v.kpak, &v.id, &v.pvt), v.hs);
    assert!(oracle::validate(&v.kpak, &v.id, &v.ssk, &v.pvt));
    let sig = oracle::sign(&v.kpak, &v.id, &v.ssk, &v.pvt, &scalar("j"), &v.m).unwrap();
    assert_eq!(sig, v.signature);
    assert!(oracle::verify(&v.kpak, &v.id, &v.m, &v.signature));
    assert!(!oracle::verify(&v.kpak, &v.id, b"message", &v.signature));
}

/// What the library issues and signs satisfies the RFC's equations as the oracle computes them.
#[test]
fn library_output_satisfies_the_oracle() {
    let kpak = KMS.kpak().to_bytes();
    for id in [&b""[..], b"\0", b"a\0b", &[0x33; 32]] {
        let issued = KMS.issue(id).unwrap();
        assert!(
            oracle::validate(&kpak, id, issued.ssk(), issued.pvt()),
            "issued key for {id:02x?}"
        );
        let signer = Signer::new(&kpak, id, issued.ssk(), issued.pvt()).unwrap();
        assert_eq!(
            signer.hs().to_vec(),
            oracle::hs(&kpak, id, issued.pvt()),
            "HS for {id:02x?}"
        );
        for msg in [&b""[..], b"\0", b"message\0"] {
            let sig = signer.sign(msg).unwrap();
            assert!(
                oracle::verify(&kpak, id, msg, &sig),
                "library signature over {msg:02x?}"
            );
            let mut other = msg.to_vec();
            other.push(1);
            assert!(!oracle::verify(&kpak, id, &other, &sig));
        }
    }
    // KPAK = [KSAK]G for a random KSAK.
    let ksak = random_scalar();
    let root = KmsSigningRoot::from_ksak(&be32(&ksak)).unwrap();
    assert_eq!(
        root.kpak().to_bytes().to_vec(),
        oracle::encode(&oracle::mul(&ksak, &oracle::g()))
    );
}

/// Keys issued and signatures made by the oracle (not by the library) are accepted, in both the
/// (r, s) and (r, q - s) forms; the oracle's keys for one identifier are refused for another.
#[test]
fn library_accepts_oracle_keys_and_signatures() {
    let ksak = random_scalar();
    let kpak = oracle::encode(&oracle::mul(&ksak, &oracle::g()));
    let verifier = Verifier::new(&kpak).unwrap();
    for id in [&b"tel:+447700900123"[..], b"", &[0u8; 32]] {
        let (ssk, pvt) = oracle::issue(&ksak, &random_scalar(), id);
        assert!(
            Signer::new(&kpak, id, &ssk, &pvt).is_ok(),
            "oracle key for {id:02x?}"
        );
        assert_eq!(
            Signer::new(&kpak, b"someone else", &ssk, &pvt).err(),
            Some(Error::InvalidKey)
        );
        let msg = b"from the oracle";
        let sig = loop {
            if let Some(sig) = oracle::sign(&kpak, id, &ssk, &pvt, &random_scalar(), msg) {
                break sig;
            }
        };
        assert_eq!(
            verifier.verify(id, msg, &sig),
            Ok(()),
            "oracle signature for {id:02x?}"
        );
        let (r, s, pvt_part) = split(&sig);
        let neg = signature(r, &be32(&(oracle::q() - uint(s))), pvt_part);
        assert!(oracle::verify(&kpak, id, msg, &neg));
        assert_eq!(verifier.verify(id, msg, &neg), Ok(()));
        assert_eq!(
            verifier.verify(id, b"from the oracle!", &sig),
            Err(Error::VerifyFailed)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 16,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// The library and the oracle agree on a signature with one flipped bit (both reject) and
    /// on the original (both accept).
    #[test]
    fn prop_library_agrees_with_oracle(bit in 0..SIGNATURE_BYTES * 8, msg in bytes_with_nuls(32)) {
        let id = b"oracle";
        let (signer, verifier) = signer_for(&KMS, id);
        let kpak = KMS.kpak().to_bytes();
        let sig = signer.sign(&msg).unwrap();
        prop_assert!(oracle::verify(&kpak, id, &msg, &sig));
        prop_assert_eq!(verifier.verify(id, &msg, &sig), Ok(()));
        let bad = flip(&sig, bit / 8, (bit % 8) as u8);
        let oracle_accepts = bad[64] == 0x04 && {
            let (x, y) = (uint(&bad[65..97]), uint(&bad[97..]));
            x < VECTOR.p && y < VECTOR.p && oracle::verify(&kpak, id, &msg, &bad)
        };
        prop_assert!(!oracle_accepts);
        prop_assert_eq!(verifier.verify(id, &msg, &bad), Err(Error::VerifyFailed));
    }
}
