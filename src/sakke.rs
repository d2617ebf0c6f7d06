//! SAKKE (RFC 6508) with parameter set 1 of RFC 6509: E: y^2 = x^3 - 3x over the 1024-bit F_p,
//! base point P of prime order q, n = 128, SHA-256.
//!
//! Sender: [`SakkePublic::encapsulate`] (6.2.1) of a caller-given 16-octet SSV to an
//! identifier under the KMS public key Z_T. Receiver: [`SakkeReceiver::new`] validates the RSK
//! (6.1.2) and [`SakkeReceiver::decapsulate`] (6.2.2) recovers the SSV.
//!
//! Encodings: points (Z_T, RSK, R) are `0x04 || x || y`, 257 octets; the SSV is 16 octets; the
//! Encapsulated Data (SED) are R (257) || H (16) = 273 octets. Identifiers are opaque octets,
//! hashed exactly as given; where the RFC uses the identifier b as a number it is read as a
//! big-endian integer (reduced mod q).
//!
//! Secrets (RSK, SSV, r, g^r, w, z) go only through constant-time arithmetic: fixed-base
//! tables with constant-time selection, the Miller loop (whose schedule depends on q only) and
//! constant-time field arithmetic. Identifiers, Z_T and R are public.

use crate::Error;
use crate::ct_check::public;
pub use crate::curve::POINT_BYTES;
use crate::curve::{FixedBase, Point};
use crate::field::Fp2;
use crate::field::{Fp, Fq};
use crate::pairing::{FixedPowTable, MillerLines, NormalizedLines, pf_pow_fixed};
use crate::params::{SAKKE_G, SAKKE_SSV_BYTES};
use p256::elliptic_curve::subtle::{ConstantTimeEq, CtOption};
use sha2::{Digest, Sha256};
use std::sync::{LazyLock, OnceLock};
use zeroize::{Zeroize, Zeroizing};

/// Octets of a Shared Secret Value: n = 128 bits.
pub const SSV_BYTES: usize = SAKKE_SSV_BYTES;
/// Octets of the Encapsulated Data: R (257) || H (16).
pub const SED_BYTES: usize = POINT_BYTES + SSV_BYTES;

const HASH_BYTES: usize = 32;

/// Constant-time fixed-base table of P, built on first use and shared by every handle: windows
/// of 6 bits (1.4 MB once per process, 171 additions per [k]P instead of 256).
static P_TABLE: LazyLock<FixedBase<6>> =
    LazyLock::new(|| FixedBase::<6>::build(&Point::generator()));

/// Powers of 1 + i*g for g^r in encapsulation, built on first use and shared by every handle.
static G_POW_TABLE: LazyLock<FixedPowTable> =
    LazyLock::new(|| FixedPowTable::new(&Fp2::new(Fp::ONE, g())));

/// g of parameter set 1 as a field element.
fn g() -> Fp {
    Fp::from_be_bytes(&SAKKE_G).unwrap_or(Fp::ZERO)
}

/// The blocks v_1 || ... || v_L of HashToIntegerRange (RFC 6508 5.1) for s = the concatenation
/// of `parts`: A = hash(s); h_0 = 0^256; h_i = hash(h_{i-1}); v_i = hash(h_i || A).
fn hash_blocks<const L: usize>(parts: &[&[u8]]) -> Zeroizing<[[u8; HASH_BYTES]; L]> {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    let a: Zeroizing<[u8; HASH_BYTES]> = Zeroizing::new(hasher.finalize().into());
    let mut h = Zeroizing::new([0u8; HASH_BYTES]);
    let mut blocks = Zeroizing::new([[0u8; HASH_BYTES]; L]);
    for block in blocks.iter_mut() {
        *h = Sha256::digest(*h).into();
        *block = Sha256::new()
            .chain_update(*h)
            .chain_update(*a)
            .finalize()
            .into();
    }
    blocks
}

/// HashToIntegerRange(s, q): ceil(lg(q)/256) = 4 blocks, read as a 1024-bit big-endian integer
/// and reduced mod q in constant time.
fn hash_to_scalar(parts: &[&[u8]]) -> Fq {
    let blocks = hash_blocks::<4>(parts);
    let mut wide = Zeroizing::new([0u8; 4 * HASH_BYTES]);
    for (chunk, block) in wide.chunks_exact_mut(HASH_BYTES).zip(blocks.iter()) {
        chunk.copy_from_slice(block);
    }
    Fq::from_be_bytes_reduce(&wide)
}

/// HashToIntegerRange(x, 2^n) for a PF_p value x hashed as its fixed 128-octet encoding (even
/// when it starts with 0x00): one block, reduced mod 2^128, so its last 16 octets.
fn hash_to_mask(x: &Fp) -> Zeroizing<[u8; SSV_BYTES]> {
    let encoded = Zeroizing::new(x.to_be_bytes());
    let blocks = hash_blocks::<1>(&[&encoded[..]]);
    let mut mask = Zeroizing::new([0u8; SSV_BYTES]);
    mask.copy_from_slice(&blocks[0][HASH_BYTES - SSV_BYTES..]);
    mask
}

/// The identifier b as a number mod q (public).
fn identifier_scalar(id: &[u8]) -> Fq {
    Fq::from_be_slice_reduce_vartime(id)
}

fn affine(point: &Point) -> CtOption<(Fp, Fp)> {
    point.to_affine()
}

/// A sender's view of one KMS: Z_T validated, with its fixed-base table. Public data only;
/// immutable, so it may be shared between threads.
pub struct SakkePublic {
    z_t: Point,
    z_t_table: FixedBase,
}

impl SakkePublic {
    /// Takes Z_T as `0x04 || x || y` (257 octets): x, y < p, on E, not the identity, of order q.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if Z_T fails any of these checks.
    pub fn new(z_t: &[u8]) -> Result<Self, Error> {
        let z_t = Point::from_bytes_vartime(z_t).ok_or(Error::InvalidKey)?;
        Ok(Self {
            z_t,
            z_t_table: FixedBase::new(&z_t),
        })
    }

    /// Z_T, the KMS public key this handle encapsulates to.
    pub fn z_t(&self) -> &Point {
        &self.z_t
    }

    /// Encapsulates `ssv` (exactly 16 octets) to identifier `id` (RFC 6508 6.2.1):
    /// r = HashToIntegerRange(SSV || b, q), R = \[r\](\[b\]P + Z_T) = \[r*b\]P + \[r\]Z_T,
    /// H = SSV XOR HashToIntegerRange(g^r, 2^n). Returns R (257) || H (16). Deterministic for a
    /// given SSV and identifier.
    ///
    /// # Errors
    /// [`Error::InvalidLength`] if `ssv` is not 16 octets; [`Error::InvalidKey`] if \[b\]P + Z_T
    /// is the identity (b = -z mod q: no RSK exists for this identifier).
    pub fn encapsulate(&self, id: &[u8], ssv: &[u8]) -> Result<[u8; SED_BYTES], Error> {
        if ssv.len() != SSV_BYTES {
            return Err(Error::InvalidLength);
        }
        let mut r = hash_to_scalar(&[ssv, id]);
        let mut rb = r * identifier_scalar(id);
        let big_r = P_TABLE.mul(&rb).add(&self.z_t_table.mul(&r));
        rb.zeroize();
        // R is public once computed (it goes on the wire); only the identity is refused.
        let big_r = public(big_r);
        let encoded: Option<[u8; POINT_BYTES]> = big_r.to_bytes().into();
        let Some(encoded) = encoded else {
            r.zeroize();
            return Err(Error::InvalidKey);
        };
        let mut g_r = pf_pow_fixed(&G_POW_TABLE, &r).unwrap_or(Fp::ZERO);
        r.zeroize();
        let mask = hash_to_mask(&g_r);
        g_r.zeroize();
        let mut sed = [0u8; SED_BYTES];
        sed[..POINT_BYTES].copy_from_slice(&encoded);
        for ((h, s), m) in sed[POINT_BYTES..].iter_mut().zip(ssv).zip(mask.iter()) {
            *h = s ^ m;
        }
        Ok(sed)
    }
}

/// A receiver: Z_T, its identifier and its RSK K_b, validated together at creation
/// (RFC 6508 6.1.2), with what decapsulation reuses: \[b\]P + Z_T and its fixed-base table, and
/// the Miller loop's lines for K_b. Holds secret data (zeroized on drop); no `Debug`.
/// Immutable apart from the table built once on first use, so it may be shared between
/// threads.
pub struct SakkeReceiver {
    id: Vec<u8>,
    q_b: Point,
    /// The fixed-base table of \[b\]P + Z_T for decapsulation's final check, built by the first
    /// decapsulation (about 10 ms) so that creating a receiver stays cheap. 5-bit windows
    /// (820 KiB, 205 additions per check; 4 bits would be 512 KiB and 256 additions).
    q_b_table: OnceLock<FixedBase<5>>,
    rsk_lines: MillerLines,
    /// The RSK's lines scaled to c2 = 1 for decapsulation (one multiplication less per line),
    /// built by the first decapsulation (about 1 ms, 0.35 MB) so that validation stays cheap.
    normalized_lines: OnceLock<NormalizedLines>,
}

impl SakkeReceiver {
    /// Validates `rsk` (`0x04 || x || y`, 257 octets) for identifier `id` under `z_t`
    /// (257 octets): both points decode (x, y < p, on E, of order q) and
    /// <\[b\]P + Z_T, K_b> = g.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for any failure, without saying which check failed.
    pub fn new(z_t: &[u8], id: &[u8], rsk: &[u8]) -> Result<Self, Error> {
        let z_t = Point::from_bytes_vartime(z_t).ok_or(Error::InvalidKey)?;
        Self::from_validated_z_t(&z_t, id, rsk)
    }

    /// As [`Self::new`], with Z_T taken from a [`SakkePublic`] that validated it already: Z_T's
    /// subgroup check (about a quarter of [`Self::new`]'s time) is not repeated. A client
    /// validating the RSKs of many identities and periods under one certificate uses this.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for any failure, without saying which check failed.
    pub fn with_public(public: &SakkePublic, id: &[u8], rsk: &[u8]) -> Result<Self, Error> {
        Self::from_validated_z_t(&public.z_t, id, rsk)
    }

    fn from_validated_z_t(z_t: &Point, id: &[u8], rsk: &[u8]) -> Result<Self, Error> {
        // [b]P + Z_T from public values (P's table is the fastest way to [b]P; b is public,
        // so its entries are read directly rather than by a scan).
        let q_b = P_TABLE.mul_vartime(&identifier_scalar(id)).add(z_t);
        let q_b_affine: Option<(Fp, Fp)> = affine(&q_b).into();
        let (qx, qy) = q_b_affine.ok_or(Error::InvalidKey)?;
        // The RSK is secret: decoded and checked in constant time, like everything after.
        let (mut kx, mut ky, on_curve) = Point::affine_from_bytes_ct(rsk);
        // <Q_b, K_b> = <K_b, Q_b>: the loop runs over the fixed RSK once, here, and its last
        // point [q-1]K_b tells whether K_b has order q (the subgroup check, for free).
        let (rsk_lines, order_q) = MillerLines::new_with_order_check(&kx, &ky);
        let rsk_ok = on_curve & order_q;
        kx.zeroize();
        ky.zeroize();
        let pairing_is_g = rsk_lines.pairing_equals(&qx, &qy, &g());
        // Whether the RSK is valid is the public outcome of 6.1.2.
        let valid = public(rsk_ok & pairing_is_g);
        if !bool::from(valid) {
            return Err(Error::InvalidKey);
        }
        Ok(Self {
            id: id.to_vec(),
            q_b,
            q_b_table: OnceLock::new(),
            rsk_lines,
            normalized_lines: OnceLock::new(),
        })
    }

    /// Decapsulates a SED (273 octets: R || H) as in RFC 6508 6.2.2: w = <R, K_b>,
    /// SSV = H XOR HashToIntegerRange(w, 2^n), then r = HashToIntegerRange(SSV || b, q) and the
    /// check \[r\](\[b\]P + Z_T) = R before the SSV is released.
    ///
    /// # Errors
    /// [`Error::DecapsulationFailed`] for any failure (length, R not a point of order q, or the
    /// final check), without saying which.
    pub fn decapsulate(&self, sed: &[u8]) -> Result<Zeroizing<[u8; SSV_BYTES]>, Error> {
        if sed.len() != SED_BYTES {
            return Err(Error::DecapsulationFailed);
        }
        let (r_bytes, h) = sed.split_at(POINT_BYTES);
        // R must be a point of E; its subgroup check is the final one: [r]([b]P + Z_T) lies
        // in the order-q subgroup, so it equals R only if R does. Until then w only feeds the
        // SSV candidate, which nothing releases, and the loop (over the RSK) is constant time
        // whatever the evaluation point R.
        let (rx, ry) =
            Point::affine_from_bytes_vartime(r_bytes).ok_or(Error::DecapsulationFailed)?;
        let big_r = Point::from_affine(rx, ry);
        let w = self
            .normalized_lines
            .get_or_init(|| self.rsk_lines.normalized())
            .pairing(&rx, &ry);
        let w_ok = w.is_some();
        let mut w = w.unwrap_or(Fp::ZERO);
        let mask = hash_to_mask(&w);
        w.zeroize();
        let mut ssv = Zeroizing::new([0u8; SSV_BYTES]);
        for ((s, h), m) in ssv.iter_mut().zip(h).zip(mask.iter()) {
            *s = h ^ m;
        }
        let mut r = hash_to_scalar(&[&ssv[..], &self.id]);
        let test = self
            .q_b_table
            .get_or_init(|| FixedBase::<5>::build(&self.q_b))
            .mul(&r);
        r.zeroize();
        // The check's result is public: it decides whether anything is released.
        let valid = public(test.ct_eq(&big_r) & w_ok);
        if bool::from(valid) {
            Ok(ssv)
        } else {
            Err(Error::DecapsulationFailed)
        }
    }
}

/// The KMS side of SAKKE (RFC 6508 6.1.1): the master secret z in [2, q-1], Z_T = \[z\]P.
/// z is zeroized on drop; no `Debug`.
pub struct KmsSakkeRoot {
    z: Fq,
    z_t: Point,
}

impl Drop for KmsSakkeRoot {
    fn drop(&mut self) {
        self.z.zeroize();
    }
}

impl KmsSakkeRoot {
    /// Takes z as 128 octets big-endian, in [2, q-1] (RFC 6508 2.2).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if `z` is not 128 octets, is 0 or 1, or is >= q.
    pub fn from_z(z: &[u8]) -> Result<Self, Error> {
        let bytes: &[u8; 128] = z.try_into().map_err(|_| Error::InvalidKey)?;
        let z = Fq::from_be_bytes(bytes);
        let value = z.unwrap_or(Fq::ZERO);
        let valid = public(z.is_some() & !value.is_zero() & !value.ct_eq(&Fq::ONE));
        if !bool::from(valid) {
            return Err(Error::InvalidKey);
        }
        let z = z.unwrap_or(Fq::ZERO);
        Ok(Self {
            z,
            z_t: P_TABLE.mul(&z),
        })
    }

    /// Z_T = \[z\]P as `0x04 || x || y` (257 octets).
    pub fn z_t_bytes(&self) -> [u8; POINT_BYTES] {
        // z is in [1, q-1] and P has order q, so Z_T is never the identity.
        self.z_t.to_bytes().unwrap_or([0u8; POINT_BYTES])
    }

    /// Issues the RSK K_b = [(b + z)^-1]P for identifier `id` (6.1.1), as 257 octets.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if b + z = 0 mod q (this identifier cannot have an RSK under z).
    pub fn issue(&self, id: &[u8]) -> Result<Zeroizing<[u8; POINT_BYTES]>, Error> {
        let mut sum = identifier_scalar(id) + self.z;
        let inverse = sum.invert();
        sum.zeroize();
        let valid = public(inverse.is_some());
        let mut k = inverse.unwrap_or(Fq::ONE);
        let rsk = P_TABLE.mul(&k);
        k.zeroize();
        if !bool::from(valid) {
            return Err(Error::InvalidKey);
        }
        Ok(Zeroizing::new(rsk.to_bytes().unwrap_or([0u8; POINT_BYTES])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pairing::pairing;

    fn vector() -> serde_json::Value {
        serde_json::from_str(include_str!("../tests/vectors/rfc6508-sakke.json")).unwrap()
    }

    fn field(v: &serde_json::Value, name: &str) -> Vec<u8> {
        hex::decode(v[name].as_str().unwrap()).unwrap()
    }

    fn padded(bytes: &[u8]) -> [u8; 128] {
        let mut out = [0u8; 128];
        out[128 - bytes.len()..].copy_from_slice(bytes);
        out
    }

    fn point(bytes: &[u8]) -> (Fp, Fp) {
        let p = Point::from_bytes_vartime(bytes).unwrap();
        Option::from(p.to_affine()).unwrap()
    }

    /// <P, P> = g (RFC 6508 3.2 with parameter set 1).
    #[test]
    fn pairing_of_base_point_is_g() {
        let (px, py) = Option::from(Point::generator().to_affine()).unwrap();
        let value: Fp = Option::from(pairing(&px, &py, &px, &py)).unwrap();
        assert_eq!(value.to_be_bytes(), SAKKE_G);
    }

    /// RFC 6508 Appendix A, every intermediate value: r, R, g^r, w, mask, H, and the SED.
    #[test]
    fn rfc6508_known_answer() {
        let v = vector();
        let (id, ssv) = (field(&v, "id"), field(&v, "ssv"));
        let kms = KmsSakkeRoot::from_z(&padded(&field(&v, "z"))).unwrap();
        assert_eq!(kms.z_t_bytes().to_vec(), field(&v, "z_point"));
        assert_eq!(kms.issue(&id).unwrap().to_vec(), field(&v, "rsk"));

        let r = hash_to_scalar(&[&ssv, &id]);
        assert_eq!(r.to_be_bytes().to_vec(), padded(&field(&v, "r")).to_vec());
        let g_r: Fp = Option::from(pf_pow_fixed(&G_POW_TABLE, &r)).unwrap();
        let g_r_plain: Fp = Option::from(crate::pairing::pf_pow(&g(), &r)).unwrap();
        assert_eq!(g_r_plain.to_be_bytes(), g_r.to_be_bytes());
        assert_eq!(g_r.to_be_bytes().to_vec(), field(&v, "g_r"));
        assert_eq!(hash_to_mask(&g_r).to_vec(), field(&v, "mask"));

        let (rx, ry) = point(&field(&v, "r_bs"));
        let (kx, ky) = point(&field(&v, "rsk"));
        let w: Fp = Option::from(pairing(&rx, &ry, &kx, &ky)).unwrap();
        assert_eq!(w.to_be_bytes().to_vec(), field(&v, "w"));
        // The symmetric form the receiver uses, with its lines as stored and normalized.
        let w_swapped: Fp = Option::from(pairing(&kx, &ky, &rx, &ry)).unwrap();
        assert_eq!(w_swapped.to_be_bytes().to_vec(), field(&v, "w"));
        let normalized = MillerLines::new(&kx, &ky).normalized();
        let w_normalized: Fp = Option::from(normalized.pairing(&rx, &ry)).unwrap();
        assert_eq!(w_normalized.to_be_bytes().to_vec(), field(&v, "w"));

        let public = SakkePublic::new(&field(&v, "z_point")).unwrap();
        let sed = public.encapsulate(&id, &ssv).unwrap();
        assert_eq!(sed.to_vec(), field(&v, "encapsulated_data"));
        assert_eq!(sed[POINT_BYTES..].to_vec(), field(&v, "h"));

        let receiver = SakkeReceiver::new(&field(&v, "z_point"), &id, &field(&v, "rsk")).unwrap();
        assert_eq!(receiver.decapsulate(&sed).unwrap().to_vec(), ssv);
    }

    /// HashToIntegerRange hashes g^r as 128 octets even when it starts with 0x00.
    #[test]
    fn mask_hashes_fixed_width_encoding() {
        let small = Fp::from_u64(5);
        let mut expected_input = [0u8; 128];
        expected_input[127] = 5;
        let a: [u8; 32] = Sha256::digest(expected_input).into();
        let h1: [u8; 32] = Sha256::digest([0u8; 32]).into();
        let v1: [u8; 32] = Sha256::new()
            .chain_update(h1)
            .chain_update(a)
            .finalize()
            .into();
        assert_eq!(hash_to_mask(&small)[..], v1[16..]);
    }
}
