//! ECCSI (RFC 6507) on NIST P-256 with SHA-256, N = 32, as MIKEY-SAKKE (RFC 6509) and
//! 3GPP TS 33.180 use it.
//!
//! KMS side: KSAK and KPAK = \[KSAK\]G, issuance of (SSK, PVT) for an identifier (5.1.1).
//! Client side: SSK validation (5.1.2), signing (5.2.1) and verification (5.2.2).
//!
//! Encodings: points are `0x04 || x || y` (65 octets), scalars are big-endian 32 octets, a
//! signature is `r (32) || s (32) || PVT (65)` = 129 octets. Identifiers and messages are opaque
//! octet strings (empty and NUL octets allowed).
//!
//! Group operations run on `crate::nist_p256` (fiat-crypto's verified field and scalar
//! arithmetic). Secret scalars (KSAK, SSK, v, j) only go through its constant-time scalar
//! arithmetic and its constant-time fixed-base tables of G; the variable-time paths
//! (`*_vartime`) take public values only.

use crate::ct_check::{classify, public};
use crate::nist_p256::{
    AffinePoint, FieldElement, ProjectivePoint, Scalar, comb,
    msm::{self, KPAK_WINDOW, KpakTables, OddMultiples},
};
use crate::{Error, rng};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// SSK validations under one [`Verifier`] before it builds the tables of \[2^64\]KPAK and
/// \[2^128\]KPAK: they cost about as much as six validations save with them (490k
/// instructions against 85k saved per validation), so a client that validates a key set or
/// two per certificate never pays for them, and one that validates many does.
const SHIFTED_TABLES_AFTER: u32 = 6;
use subtle::{Choice, CtOption};
use zeroize::{Zeroize, Zeroizing};

/// Octets of a scalar (KSAK, SSK, v, j, r, s, HS, HE): N = 32, big-endian.
pub const SCALAR_BYTES: usize = 32;
/// Octets of a point (KPAK, PVT): `0x04 || x || y`.
pub const POINT_BYTES: usize = 65;
/// Octets of a signature: `r || s || PVT` (RFC 6507 section 3.3).
pub const SIGNATURE_BYTES: usize = 2 * SCALAR_BYTES + POINT_BYTES;

/// The P-256 base point G as `0x04 || x || y`; it is hashed into HS (5.1.1 step 3).
const G_BYTES: [u8; POINT_BYTES] = [
    0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40,
    0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2,
    0x96, 0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e,
    0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51,
    0xf5,
];

/// Decodes a public point `0x04 || x || y`: exactly 65 octets, x and y < p, on P-256. The
/// identity has no such encoding, so a decoded point is never the identity. Variable time:
/// public input only.
fn decode_point_vartime(bytes: &[u8]) -> Option<AffinePoint> {
    AffinePoint::from_sec1_vartime(bytes)
}

fn encode_point(point: &AffinePoint) -> [u8; POINT_BYTES] {
    point.to_sec1()
}

/// Decodes a 32-octet big-endian scalar in [1, q-1] in constant time; the result says only
/// whether the value was in range.
fn decode_nonzero_scalar(bytes: &[u8]) -> CtOption<Scalar> {
    let mut repr = [0u8; SCALAR_BYTES];
    let len_ok = Choice::from(u8::from(bytes.len() == SCALAR_BYTES));
    if bytes.len() == SCALAR_BYTES {
        repr.copy_from_slice(bytes);
    }
    let scalar = Scalar::from_be_bytes(&repr);
    repr.zeroize();
    let value = scalar.unwrap_or(Scalar::ZERO);
    CtOption::new(value, len_ok & scalar.is_some() & !value.is_zero())
}

fn scalar_bytes(scalar: &Scalar) -> [u8; SCALAR_BYTES] {
    scalar.to_be_bytes()
}

/// Reduces a 32-octet hash value (HS, HE) modulo q to use it as a scalar.
fn hash_to_scalar(hash: &[u8; SCALAR_BYTES]) -> Scalar {
    Scalar::reduce_be_bytes(hash)
}

/// A uniformly random scalar in [1, q-1] from the OS RNG (rejection sampling).
fn random_nonzero_scalar() -> Result<Scalar, Error> {
    rng::sample::<SCALAR_BYTES, Scalar>(|bytes| decode_nonzero_scalar(bytes).into())
}

/// HS = hash(G || KPAK || ID || PVT) (RFC 6507 5.1.1 step 3, 5.1.2 step 2, 5.2.2 step 2).
fn compute_hs(kpak: &[u8; POINT_BYTES], id: &[u8], pvt: &[u8; POINT_BYTES]) -> [u8; SCALAR_BYTES] {
    Sha256::new()
        .chain_update(G_BYTES)
        .chain_update(kpak)
        .chain_update(id)
        .chain_update(pvt)
        .finalize()
        .into()
}

/// HE = hash(HS || r || M) (RFC 6507 5.2.1 step 3, 5.2.2 step 3).
fn compute_he(hs: &[u8; SCALAR_BYTES], r: &[u8], msg: &[u8]) -> [u8; SCALAR_BYTES] {
    Sha256::new()
        .chain_update(hs)
        .chain_update(r)
        .chain_update(msg)
        .finalize()
        .into()
}

/// The KMS Public Authentication Key: a validated P-256 point (RFC 6507 4.2).
#[derive(Clone)]
pub struct Kpak {
    point: AffinePoint,
    bytes: [u8; POINT_BYTES],
}

// The encoding is canonical (x, y < p), so comparing and printing it is comparing and printing
// the point.
impl PartialEq for Kpak {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for Kpak {}

impl core::fmt::Debug for Kpak {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Kpak")
            .field("bytes", &self.bytes.as_slice())
            .finish()
    }
}

impl Kpak {
    /// Parses and validates a KPAK given as `0x04 || x || y` (65 octets).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if the length or prefix is wrong, a coordinate is >= p, or the
    /// point is not on P-256.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let point = decode_point_vartime(bytes).ok_or(Error::InvalidKey)?;
        // The encoding just decoded is canonical (0x04, x and y < p): it is kept as it is.
        let bytes: [u8; POINT_BYTES] = bytes.try_into().map_err(|_| Error::InvalidKey)?;
        Ok(Self { point, bytes })
    }

    /// The KPAK as `0x04 || x || y` (65 octets).
    pub fn to_bytes(&self) -> [u8; POINT_BYTES] {
        self.bytes
    }
}

/// Verifies ECCSI signatures made under one KPAK (RFC 6507 5.2.2). Holds public data only;
/// the wNAF table of KPAK (32 affine odd multiples, 2 KiB) is computed once here, and the
/// tables of \[2^64\]KPAK and \[2^128\]KPAK (4 KiB) at a later [`Signer::with_verifier`]
/// (after six validations under this verifier: they cost about as much as six save).
pub struct Verifier {
    kpak: Kpak,
    kpak_table: OddMultiples,
    kpak_shifted: OnceLock<KpakTables>,
    /// SSK validations under this verifier so far (saturating; only decides when to build
    /// `kpak_shifted`).
    validations: AtomicU32,
}

impl Verifier {
    /// Builds a verifier for a KPAK given as `0x04 || x || y` (65 octets).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if the KPAK does not pass [`Kpak::from_bytes`].
    pub fn new(kpak: &[u8]) -> Result<Self, Error> {
        let kpak = Kpak::from_bytes(kpak)?;
        let kpak_table = OddMultiples::new_vartime(&kpak.point, KPAK_WINDOW);
        Ok(Self {
            kpak,
            kpak_table,
            kpak_shifted: OnceLock::new(),
            validations: AtomicU32::new(0),
        })
    }

    /// The KPAK this verifier checks against.
    pub fn kpak(&self) -> &Kpak {
        &self.kpak
    }

    /// Verifies `signature` (129 octets: r || s || PVT) over `msg` for the identifier `id`.
    ///
    /// Rejects a signature that is not 129 octets, r or s outside [1, q-1], and a PVT that is
    /// not `0x04 || x || y` with x, y < p on P-256. Accepts both (r, s) and (r, q - s), as
    /// RFC 6507 allows. RFC 6507 would also accept r = Jx in [q, p-1]; [`Signer::sign`] never
    /// produces one (it draws a new j), and this check refuses it (a chance of about 2^-130
    /// per signature from a signer that does not). Variable time: every input is public.
    ///
    /// # Errors
    /// [`Error::VerifyFailed`] for any failure, without saying which check failed.
    pub fn verify(&self, id: &[u8], msg: &[u8], signature: &[u8]) -> Result<(), Error> {
        self.verify_inner(id, msg, signature)
            .ok_or(Error::VerifyFailed)
    }

    fn verify_inner(&self, id: &[u8], msg: &[u8], signature: &[u8]) -> Option<()> {
        if signature.len() != SIGNATURE_BYTES {
            return None;
        }
        let (r_bytes, rest) = signature.split_at(SCALAR_BYTES);
        let (s_bytes, pvt_bytes) = rest.split_at(SCALAR_BYTES);
        let r: Option<Scalar> = decode_nonzero_scalar(r_bytes).into();
        let s: Option<Scalar> = decode_nonzero_scalar(s_bytes).into();
        let (r, s) = (r?, s?);
        // 5.2.2 step 1: PVT is a point of E other than the identity.
        let pvt = decode_point_vartime(pvt_bytes)?;
        let pvt_bytes: &[u8; POINT_BYTES] = pvt_bytes.try_into().ok()?;

        let hs_bytes = compute_hs(&self.kpak.bytes, id, pvt_bytes);
        let hs = hash_to_scalar(&hs_bytes);
        let he = hash_to_scalar(&compute_he(&hs_bytes, r_bytes, msg));

        // Steps 4-5 as one multi-scalar multiplication with shared doublings:
        // J = [s]([HE]G + [r]([HS]PVT + KPAK)) = [s*HE]G + [s*r*HS]PVT + [s*r]KPAK.
        let sr = s * r;
        let j =
            msm::mul_generator_and_two_vartime(&(s * he), &sr, &self.kpak_table, &(sr * hs), &pvt);

        // Step 6: J is not the identity and Jx = r (r < q < p, so r is a field element as is).
        let r_x: Option<FieldElement> =
            FieldElement::from_be_bytes(r_bytes.try_into().ok()?).into();
        j.has_affine_x_vartime(&r_x?).then_some(())
    }
}

/// An ECCSI signing key: the KPAK, the identifier's HS, SSK and PVT, validated together at
/// creation (RFC 6507 5.1.2). SSK is zeroized on drop; this type has no `Debug`.
pub struct Signer {
    hs: [u8; SCALAR_BYTES],
    ssk: Scalar,
    pvt: [u8; POINT_BYTES],
}

impl Drop for Signer {
    fn drop(&mut self) {
        self.ssk.zeroize();
    }
}

impl Signer {
    /// Validates an (SSK, PVT) pair for identifier `id` under `kpak` (RFC 6507 5.1.2) and
    /// computes HS once for all later signatures.
    ///
    /// `kpak` and `pvt` are `0x04 || x || y` (65 octets); `ssk` is 32 octets big-endian.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for any failure: a malformed KPAK or PVT, SSK = 0 or >= q, or
    /// \[SSK\]G != KPAK + \[HS\]PVT.
    pub fn new(kpak: &[u8], id: &[u8], ssk: &[u8], pvt: &[u8]) -> Result<Self, Error> {
        let kpak = Kpak::from_bytes(kpak)?;
        Self::validate(&kpak, None, id, ssk, pvt)
    }

    /// As [`Signer::new`], with the KPAK taken from a [`Verifier`] that validated it already
    /// and whose tables of KPAK's multiples then serve the check: for a client validating its
    /// key sets under one KMS certificate. \[v\]KPAK uses the verifier's table (width 7);
    /// after a few validations under the same verifier the check needs 64 doublings instead
    /// of 128 (HS = u / v with u < 2^64, v < 2^192, and \[v\]KPAK from the tables of KPAK,
    /// \[2^64\]KPAK and \[2^128\]KPAK, the last two built then, once per verifier).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for any failure: a malformed PVT, SSK = 0 or >= q, or
    /// \[SSK\]G != KPAK + \[HS\]PVT.
    pub fn with_verifier(
        verifier: &Verifier,
        id: &[u8],
        ssk: &[u8],
        pvt: &[u8],
    ) -> Result<Self, Error> {
        let shifted = match verifier.kpak_shifted.get() {
            Some(tables) => Some(tables),
            None => {
                let seen = verifier
                    .validations
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                        Some(n.saturating_add(1))
                    })
                    .unwrap_or(u32::MAX);
                (seen >= SHIFTED_TABLES_AFTER).then(|| {
                    verifier
                        .kpak_shifted
                        .get_or_init(|| KpakTables::new_vartime(&verifier.kpak.point))
                })
            }
        };
        Self::validate(
            &verifier.kpak,
            Some((&verifier.kpak_table, shifted)),
            id,
            ssk,
            pvt,
        )
    }

    /// RFC 6507 5.1.2 under a decoded KPAK, with its table when there is one.
    fn validate(
        kpak: &Kpak,
        kpak_tables: Option<(&OddMultiples, Option<&KpakTables>)>,
        id: &[u8],
        ssk: &[u8],
        pvt: &[u8],
    ) -> Result<Self, Error> {
        let pvt_point = decode_point_vartime(pvt).ok_or(Error::InvalidKey)?;
        // Canonical once decoded (0x04, x and y < p): kept as given.
        let pvt: [u8; POINT_BYTES] = pvt.try_into().map_err(|_| Error::InvalidKey)?;
        let ssk = decode_nonzero_scalar(ssk);
        if !bool::from(public(ssk.is_some())) {
            return Err(Error::InvalidKey);
        }
        let ssk = ssk.unwrap_or(Scalar::ZERO);
        let signer = Self {
            hs: compute_hs(&kpak.bytes, id, &pvt),
            ssk,
            pvt,
        };

        // [SSK]G = KPAK + [HS]PVT, multiplied by v for HS = u / v (mod q) with u, v below
        // 2^128: [v SSK]G = [v]KPAK + [u]PVT, an equivalent check (v is invertible mod q) with
        // half the doublings. With the shifted tables of KPAK, u < 2^64 and v < 2^192 instead
        // (v in three chunks of 64 bits on the tables of KPAK, [2^64]KPAK, [2^128]KPAK): a
        // quarter of the doublings. [v SSK]G in constant time (generator tables); the right-hand side uses
        // public values only.
        let hs = hash_to_scalar(&signer.hs);
        let (u, u_negative, v) = match kpak_tables {
            Some((_, Some(_))) => msm::split_vartime(&hs, msm::CHUNK_BITS),
            _ => msm::half_size_vartime(&hs),
        };
        let mut v_ssk = v * signer.ssk;
        let lhs = comb::mul_generator(&v_ssk);
        v_ssk.zeroize();
        let pvt_term = if u_negative {
            pvt_point.neg()
        } else {
            pvt_point
        };
        let rhs = match kpak_tables {
            Some((table, Some(shifted))) => {
                msm::mul_two_split_vartime(&v, table, shifted, &u, &pvt_term)
            }
            Some((table, None)) => msm::mul_two_with_table_vartime(&v, table, &u, &pvt_term),
            None => msm::mul_two_vartime(&v, &kpak.point, &u, &pvt_term),
        };
        // KPAK = -[HS]PVT gives the identity, which no SSK in [1, q-1] reaches.
        if !rhs.is_identity_vartime() && bool::from(public(lhs.ct_eq_jacobian(&rhs))) {
            Ok(signer)
        } else {
            Err(Error::InvalidKey)
        }
    }

    /// The PVT as `0x04 || x || y` (65 octets).
    pub fn pvt(&self) -> &[u8; POINT_BYTES] {
        &self.pvt
    }

    /// HS = hash(G || KPAK || ID || PVT), 32 octets.
    pub fn hs(&self) -> &[u8; SCALAR_BYTES] {
        &self.hs
    }

    /// Signs `msg` (RFC 6507 5.2.1) with a fresh ephemeral j from the OS RNG, drawing a new j
    /// whenever r = Jx is not in [1, q-1] or HE + r * SSK = 0 (mod q).
    ///
    /// Returns r (32) || s (32) || PVT (65). Two calls give different signatures.
    ///
    /// # Errors
    /// [`Error::Rng`] if the OS RNG fails.
    pub fn sign(&self, msg: &[u8]) -> Result<[u8; SIGNATURE_BYTES], Error> {
        loop {
            let mut j = random_nonzero_scalar()?;
            classify(&j);
            let signature = self.sign_with_j(msg, &j);
            j.zeroize();
            if let Some(signature) = signature {
                return Ok(signature);
            }
        }
    }

    /// Signs with the caller's j; `None` when j must be replaced (5.2.1 steps 2 and 4). Only the
    /// known-answer test gives j from outside.
    pub(crate) fn sign_with_j(&self, msg: &[u8], j: &Scalar) -> Option<[u8; SIGNATURE_BYTES]> {
        // J = [j]G with the constant-time generator tables; r = Jx is public.
        let r_bytes = public(affine_x(&comb::mul_generator(j)));
        let r: Option<Scalar> = decode_nonzero_scalar(&r_bytes).into();
        let r = r?;
        let he = hash_to_scalar(&compute_he(&self.hs, &r_bytes, msg));
        let mut denominator = he + r * self.ssk;
        let inverse = denominator.invert_nonzero();
        denominator.zeroize();
        let invertible = public(inverse.is_some());
        let mut inverse: Option<Scalar> =
            bool::from(invertible).then(|| inverse.unwrap_or(Scalar::ZERO));
        // s' = (HE + r*SSK)^-1 * j. For P-256, q < 2^256, so s' always fits N octets and the
        // s = q - s' case of step 6 cannot arise.
        let s = inverse.map(|inv| inv * *j);
        inverse.zeroize();
        let s = s?;
        let mut signature = [0u8; SIGNATURE_BYTES];
        signature[..SCALAR_BYTES].copy_from_slice(&r_bytes);
        signature[SCALAR_BYTES..2 * SCALAR_BYTES].copy_from_slice(&scalar_bytes(&s));
        signature[2 * SCALAR_BYTES..].copy_from_slice(&self.pvt);
        Some(signature)
    }
}

/// The affine x of a point from a nonzero scalar times G (never the identity), 32 octets
/// big-endian. Constant time.
fn affine_x(point: &ProjectivePoint) -> [u8; SCALAR_BYTES] {
    let affine = point.to_affine();
    let x = affine.map(|p| p.x).unwrap_or(FieldElement::ZERO);
    x.to_be_bytes()
}

/// An (SSK, PVT) pair issued by the KMS for one identifier. SSK is zeroized on drop.
pub struct IssuedKey {
    ssk: Zeroizing<[u8; SCALAR_BYTES]>,
    pvt: [u8; POINT_BYTES],
}

impl IssuedKey {
    /// The Secret Signing Key, 32 octets big-endian.
    pub fn ssk(&self) -> &[u8; SCALAR_BYTES] {
        &self.ssk
    }

    /// The Public Validation Token, `0x04 || x || y` (65 octets).
    pub fn pvt(&self) -> &[u8; POINT_BYTES] {
        &self.pvt
    }
}

/// The KMS side of ECCSI: the KMS Secret Authentication Key and its KPAK (RFC 6507 4.2).
/// KSAK is zeroized on drop; this type has no `Debug`.
pub struct KmsSigningRoot {
    ksak: Scalar,
    kpak: Kpak,
}

impl Drop for KmsSigningRoot {
    fn drop(&mut self) {
        self.ksak.zeroize();
    }
}

impl KmsSigningRoot {
    /// A fresh KSAK in [1, q-1] from the OS RNG, and KPAK = \[KSAK\]G.
    ///
    /// # Errors
    /// [`Error::Rng`] if the OS RNG fails.
    pub fn generate() -> Result<Self, Error> {
        Ok(Self::from_scalar(random_nonzero_scalar()?))
    }

    /// Takes a KSAK of 32 octets big-endian in [1, q-1].
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if `ksak` is not 32 octets, is 0 or is >= q.
    pub fn from_ksak(ksak: &[u8]) -> Result<Self, Error> {
        let ksak = decode_nonzero_scalar(ksak);
        let ksak = bool::from(public(ksak.is_some())).then(|| ksak.unwrap_or(Scalar::ZERO));
        Ok(Self::from_scalar(ksak.ok_or(Error::InvalidKey)?))
    }

    fn from_scalar(ksak: Scalar) -> Self {
        // KSAK in [1, q-1]: KPAK is never the identity.
        let point = comb::mul_generator(&ksak)
            .to_affine()
            .unwrap_or(AffinePoint::GENERATOR);
        let point = AffinePoint {
            x: public(point.x),
            y: public(point.y),
        };
        Self {
            ksak,
            kpak: Kpak {
                point,
                bytes: encode_point(&point),
            },
        }
    }

    /// KPAK = \[KSAK\]G.
    pub fn kpak(&self) -> &Kpak {
        &self.kpak
    }

    /// Issues (SSK, PVT) for identifier `id` (RFC 6507 5.1.1) with a fresh random v, drawing
    /// again in the (negligible) cases HS = 0 or SSK = 0 (mod q).
    ///
    /// # Errors
    /// [`Error::Rng`] if the OS RNG fails.
    pub fn issue(&self, id: &[u8]) -> Result<IssuedKey, Error> {
        loop {
            let mut v = random_nonzero_scalar()?;
            classify(&v);
            let issued = self.issue_with_v(id, &v);
            v.zeroize();
            if let Some(issued) = issued {
                return Ok(issued);
            }
        }
    }

    /// 5.1.1 with the caller's v; `None` when HS = 0 or SSK = 0 (mod q) and v must be
    /// replaced (step 5: with HS = 0 the SSK would be the KSAK itself).
    pub(crate) fn issue_with_v(&self, id: &[u8], v: &Scalar) -> Option<IssuedKey> {
        // v in [1, q-1]: PVT is never the identity; it is public.
        let pvt = public(encode_point(
            &comb::mul_generator(v)
                .to_affine()
                .unwrap_or(AffinePoint::GENERATOR),
        ));
        let hs = hash_to_scalar(&compute_hs(&self.kpak.bytes, id, &pvt));
        let ssk = derive_ssk(&self.ksak, &hs, v);
        let valid = public(ssk.is_some());
        let mut ssk = ssk.unwrap_or(Scalar::ZERO);
        let issued = IssuedKey {
            ssk: Zeroizing::new(scalar_bytes(&ssk)),
            pvt,
        };
        ssk.zeroize();
        bool::from(valid).then_some(issued)
    }
}

/// SSK = KSAK + HS * v (mod q), or none when HS = 0 or SSK = 0 (RFC 6507 5.1.1 steps 4-5).
fn derive_ssk(ksak: &Scalar, hs: &Scalar, v: &Scalar) -> CtOption<Scalar> {
    let ssk = *ksak + *hs * *v;
    CtOption::new(ssk, !ssk.is_zero() & !hs.is_zero())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector() -> serde_json::Value {
        serde_json::from_str(include_str!("../tests/vectors/rfc6507-eccsi.json")).unwrap()
    }

    fn field(v: &serde_json::Value, name: &str) -> Vec<u8> {
        hex::decode(v[name].as_str().unwrap()).unwrap()
    }

    fn scalar(v: &serde_json::Value, name: &str) -> Scalar {
        Option::from(decode_nonzero_scalar(&field(v, name))).unwrap()
    }

    #[test]
    fn generator_encoding_matches_p256() {
        assert_eq!(G_BYTES, encode_point(&AffinePoint::GENERATOR));
        assert_eq!(G_BYTES.to_vec(), field(&vector(), "g"));
    }

    /// RFC 6507 Appendix A: KPAK from KSAK, (SSK, PVT, HS) from v, the signature from j.
    #[test]
    fn rfc6507_known_answer() {
        let v = vector();
        let kms = KmsSigningRoot::from_ksak(&field(&v, "ksak")).unwrap();
        assert_eq!(kms.kpak().to_bytes().to_vec(), field(&v, "kpak"));

        let id = field(&v, "id");
        let issued = kms.issue_with_v(&id, &scalar(&v, "v")).unwrap();
        assert_eq!(issued.pvt().to_vec(), field(&v, "pvt"));
        assert_eq!(issued.ssk().to_vec(), field(&v, "ssk"));

        let signer = Signer::new(&field(&v, "kpak"), &id, issued.ssk(), issued.pvt()).unwrap();
        assert_eq!(signer.hs().to_vec(), field(&v, "hs"));
        let m = field(&v, "m");
        assert_eq!(
            compute_he(signer.hs(), &field(&v, "r"), &m).to_vec(),
            field(&v, "he")
        );
        let signature = signer.sign_with_j(&m, &scalar(&v, "j")).unwrap();
        assert_eq!(signature.to_vec(), field(&v, "signature"));

        let verifier = Verifier::new(&field(&v, "kpak")).unwrap();
        verifier.verify(&id, &m, &signature).unwrap();
        // [HS]PVT + KPAK, the Y of 5.2.2 step 4.
        let y = msm::mul_vartime(
            &hash_to_scalar(signer.hs()),
            &decode_point_vartime(issued.pvt()).unwrap(),
        )
        .add_mixed_vartime(&kms.kpak().point);
        assert_eq!(
            encode_point(&y.to_affine_vartime().unwrap()).to_vec(),
            v["derived_by_reference_impl"]["y_point"]
                .as_str()
                .map(|s| hex::decode(s).unwrap())
                .unwrap()
        );
    }

    /// 5.1.1 step 5: HS = 0 or SSK = 0 gives no key.
    #[test]
    fn derive_ssk_refuses_zero_hs_and_zero_ssk() {
        let ksak = Scalar::from_u64(0x12345);
        let v = Scalar::from_u64(0x23456);
        let hs = Scalar::from_u64(7);
        assert!(bool::from(derive_ssk(&ksak, &hs, &v).is_some()));
        assert!(bool::from(derive_ssk(&ksak, &Scalar::ZERO, &v).is_none()));
        let v_zeroing = -ksak * hs.invert_nonzero().unwrap();
        assert!(bool::from(derive_ssk(&ksak, &hs, &v_zeroing).is_none()));
    }

    /// A j whose Jx is not a valid r, or one making HE + r*SSK = 0, must be refused.
    #[test]
    fn sign_with_j_refuses_degenerate_denominator() {
        let v = vector();
        let signer = Signer::new(
            &field(&v, "kpak"),
            &field(&v, "id"),
            &field(&v, "ssk"),
            &field(&v, "pvt"),
        )
        .unwrap();
        // Pick j, compute r, and choose SSK' so that HE + r*SSK' = 0: build a signer with that SSK
        // directly (bypassing validation) to reach the retry branch.
        let j = scalar(&v, "j");
        let m = field(&v, "m");
        let r_bytes = affine_x(&comb::mul_generator(&j));
        let r: Scalar = Option::from(decode_nonzero_scalar(&r_bytes)).unwrap();
        let he = hash_to_scalar(&compute_he(&signer.hs, &r_bytes, &m));
        let bad_ssk = -he * r.invert_nonzero().unwrap();
        let degenerate = Signer {
            hs: signer.hs,
            ssk: bad_ssk,
            pvt: signer.pvt,
        };
        assert!(degenerate.sign_with_j(&m, &j).is_none());
    }
}
