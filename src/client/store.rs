//! The sealed key store: the client's certificate and key material as one blob for the
//! user's profile, encrypted and authenticated with a storage key the app provides.
//!
//! [`Client::export`] seals the state; [`Client::import`] opens a blob, validates everything
//! in it again as if it had just come from the KMS, and only then replaces the client's
//! certificate and key material, all at once. A wrong storage key, a blob of another user, or
//! a tampered or truncated blob is refused with a [`StoreError`] and changes nothing.
//!
//! # Format, version 3
//!
//! All integers are big-endian.
//!
//! ```text
//! blob      = magic "MKCKS\0" (6) || version (1) = 0x03 || nonce (12) || ciphertext || tag (16)
//! AD        = magic || version || u16 length of the user URI || user URI octets
//! ```
//!
//! AES-256-GCM (NIST SP 800-38D) with the 32-octet storage key, a random 96-bit nonce from
//! the OS RNG, and the associated data `AD` above: the header and the client's
//! [`ClientConfig::user_uri`](super::ClientConfig::user_uri), so a blob opens only for the
//! user it was sealed for. The ciphertext is as long as the plaintext:
//!
//! ```text
//! plaintext   = period numbering (u8: 0 = from the NTP epoch, TS 33.180 F.2.1; 1 = from the
//!               Unix epoch; see the client module documentation)
//!               certificate flag (u8: 0 = none, 1 = present) [ certificate ]
//!               material count (u32, at most 4096) material*
//!               CacheNum of the partner certificates (opt-u64)
//!               partner count (u32, at most 64) certificate*   (partner KMS domains by
//!               KmsUri, ascending and distinct; Revoked ones too, see `client::partners`)
//!               key count (u32, at most 4096) key*
//! certificate = Version (opt-str)  Role (u8: 0 = Root, 1 = External)  CertUri (opt-str)
//!               KmsUri (str)  Issuer (opt-str)  ValidFrom (opt-i64)  ValidTo (opt-i64)
//!               Revoked (bool)  UserIdFormat (str)  UserKeyPeriod (u64)  UserKeyOffset (u64)
//!               PubEncKey (bytes)  PubAuthKey (bytes)  ParameterSet (opt-u64)
//!               KmsDomain count (u32, at most 4096) KmsDomain (str)*
//! material    = key period number (u64, equal to the set's KeyPeriodNo)
//!               flags (u8: bit 0 = SSK/PVT valid, bit 1 = RSK valid; at least one, no other bit)
//!               Version (opt-str)  KmsUri (str)  CertUri (opt-str)  Issuer (opt-str)
//!               UserUri (str)  UserID (32 octets)  ValidFrom (opt-i64)  ValidTo (opt-i64)
//!               KeyPeriodNo (u64)  Revoked (bool)  UserDecryptKey = RSK (bytes)
//!               UserSigningKeySSK = SSK (bytes)  UserPubTokenPVT = PVT (bytes)
//! key         = key ID (u32: purpose tag GMK 0, CSK 2, MKFC 4, MSCCK 5 or MuSiK 6)
//!               key (16 octets)  RAND (bytes, at most 255 octets)  GUK-ID (opt-u32)
//!               activation (opt-u64, Unix s)  expiry (opt-u64, Unix s)
//!               distributor (opt-distributor; absent only for a key read from version 2)
//! distributor = initiator KMS URI (str)  initiator URI (opt-str)  initiator UID (32 octets)
//!               T of the message (u64, NTP seconds)  boundary tolerance (u64, seconds)
//!               (when the UID was in force: a URI learnt later is hashed to it in the key
//!               periods of T, see `client::keyring::UidTime`)
//! bytes       = length (u32) || octets
//! str         = bytes holding UTF-8
//! bool        = u8: 0 or 1
//! opt-X       = u8 0 (absent), or u8 1 followed by X
//! ```
//!
//! The key sets are stored as the KMS sent them, halves found invalid included; materials
//! come in the client's order (by identity, then period). Without a certificate no material
//! is written: it could not be validated on import.
//!
//! The keys are the long-lived keys of the client's key ring (TS 33.180 5.11.2): GMKs, CSKs,
//! MKFCs, MSCCKs and MuSiKs received in I_MESSAGEs, with their RAND, GUK-ID and validity. A
//! PCK is dynamic (a call's) and never stored: it lives in memory only and is erased when it
//! expires or is replaced. Each key keeps the initiator that distributed it (its KMS URI, URI
//! when known, UID, and the time that UID was in force), since only that initiator may replace
//! or revoke it (see `client::keyring`).
//!
//! # Version 2
//!
//! Version 2 is version 3 without the distributor of a key (and with 0x02 in the header and
//! the associated data); it is still read. Its keys are kept with no distributor: nobody is
//! known to have distributed them, and holding the same key proves nothing (every member of a
//! group holds its GMK), so no I_MESSAGE may replace, revoke or re-parameterise such a key,
//! whoever sends it and whatever key it carries (refused as another initiator's): it lasts
//! until its expiry time comes or the app erases it (`KeyRing::erase`, C
//! `mkc_client_key_erase`), after which its key ID is free again. Binding it to the first
//! initiator to send its key ID instead would let any user of the domain take it over right
//! after an upgrade. [`Client::export`] writes version 3 (such keys with the distributor
//! absent). Version 1 held a signed "period delta" in place of the numbering; it is not read.
//!
//! # Import
//!
//! Decoding is strict: every length is checked against what remains, and a count above its
//! limit, a flag or boolean other than those listed, invalid UTF-8, a duplicate
//! (identity, period) or any byte left over is [`StoreError::InvalidContent`]. Then:
//! - the certificate is validated with the client's expected KMS URI at `now`;
//! - material whose period ended more than [`ClientConfig::grace_s`](super::ClientConfig::grace_s)
//!   ago, or whose identity is no longer configured, is skipped silently;
//! - a partner certificate past its ValidTo is skipped; every other one is validated as the
//!   live client does (a Revoked one is kept as revoked);
//! - every other key set is validated against the certificate (UID, SSK/PVT, RSK) at `now`, or,
//!   when its `ValidTo` has passed while its grace window is still open, at the last second of
//!   its `ValidTo` (the live client keeps such material until the grace window ends); the
//!   halves flagged valid must validate again, and a half not flagged is not installed;
//! - keys whose expiry time has come at `now` are skipped; a PCK, a purpose tag no key ring
//!   key has, or a repeated key ID is [`StoreError::InvalidContent`]. The imported keys replace
//!   the client's key ring.
//!
//! The plaintext lives only in zeroizing buffers sized once, so that it is never reallocated
//! and left behind; the secret octets (SSK, RSK) go from there into zeroizing key sets.

use std::collections::{BTreeMap, BTreeSet};

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use zeroize::Zeroizing;

use super::keyring::{Distributor, KeyRing, RingKey, UidTime};
use super::partners::{MAX_PARTNERS, Partner, Partners};
use super::{Client, ClientError, JobKind, JobState};
use crate::client::material::{Certificate, KeyMaterial};
use crate::domain::PeriodNumbering;
use crate::kms::message::{CertificateRole, KmsCertificate, KmsKeySet};
use crate::rng;
use crate::uid::UID_BYTES;

/// Octets of the storage key (AES-256-GCM).
pub const STORAGE_KEY_BYTES: usize = 32;

/// Why a key store could not be sealed or opened. Opening changes nothing on any error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The storage key is not 32 octets.
    #[error("the storage key must be 32 octets")]
    BadKeyLength,
    /// The blob is too short or does not start with the key store magic.
    #[error("not a key store blob")]
    NotAKeyStore,
    /// The blob's format version is not one this library reads.
    #[error("unsupported key store version")]
    UnsupportedVersion,
    /// Authentication failed: a wrong storage key, another user's blob, or a tampered or
    /// truncated blob.
    #[error("key store authentication failed (wrong key, other user, or tampered)")]
    AuthenticationFailed,
    /// The decrypted content is malformed or fails validation again.
    #[error("key store content is invalid")]
    InvalidContent,
    /// The operating system's RNG failed while sealing.
    #[error("RNG failure")]
    Rng,
    /// The client holds more than the format can carry (a count above its limit or a field
    /// longer than 2^32 - 1 octets).
    #[error("the client's state is too large for a key store")]
    TooLarge,
}

/// The first octets of every key store blob.
pub(crate) const STORE_MAGIC: [u8; 6] = *b"MKCKS\0";
/// The format version [`Client::export`] writes and [`Client::import`] reads.
pub(crate) const STORE_VERSION: u8 = 3;
/// The previous format version, still read: keys without their distributor (see the module
/// documentation). Version 1 held a signed "period delta" in place of the numbering; it is not
/// read.
pub(crate) const STORE_VERSION_2: u8 = 2;
/// The longest RAND of a stored key (the RAND payload's one-octet length).
const MAX_RAND_BYTES: usize = 255;

const NONCE_BYTES: usize = 12;
const TAG_BYTES: usize = 16;
const HEADER_BYTES: usize = STORE_MAGIC.len() + 1 + NONCE_BYTES;
/// The most materials, and the most `KmsDomain` entries, a key store holds.
const MAX_COUNT: usize = 4096;

const FLAG_SIGN: u8 = 1;
const FLAG_DECRYPT: u8 = 2;

impl Client {
    /// Seals the certificate, the key material and the KMS's period numbering into one blob
    /// for the user's profile, encrypted and authenticated (AES-256-GCM) under `storage_key`
    /// and bound to this client's user URI. The format is described in the module
    /// documentation of `client::store`.
    ///
    /// # Errors
    /// `Store(BadKeyLength)` when `storage_key` is not 32 octets, `Store(Rng)` when the OS RNG
    /// fails, `Store(TooLarge)` when the state exceeds the format's limits.
    pub fn export(&self, storage_key: &[u8]) -> Result<Vec<u8>, ClientError> {
        let cipher = cipher(storage_key)?;
        let ad = associated_data(STORE_VERSION, &self.config.user_uri)?;
        let mut counter = Counter(0);
        self.encode(&mut counter)?;
        let body_len = counter.0;
        let total = body_len
            .checked_add(HEADER_BYTES + TAG_BYTES)
            .ok_or(StoreError::TooLarge)?;
        // One allocation of the final size: the plaintext is written into it and encrypted in
        // place, so no copy of it is ever left in freed memory.
        let mut blob = Zeroizing::new(vec![0u8; total]);
        let (header, rest) = blob.split_at_mut(HEADER_BYTES);
        let (body, tag_out) = rest.split_at_mut(body_len);
        header[..STORE_MAGIC.len()].copy_from_slice(&STORE_MAGIC);
        header[STORE_MAGIC.len()] = STORE_VERSION;
        let mut nonce = [0u8; NONCE_BYTES];
        rng::fill(&mut nonce).map_err(|_| StoreError::Rng)?;
        header[STORE_MAGIC.len() + 1..].copy_from_slice(&nonce);
        let mut filler = Filler {
            out: body,
            pos: 0,
            overflow: false,
        };
        self.encode(&mut filler)?;
        if filler.overflow || filler.pos != body_len {
            // The two passes disagree: a bug, never a reason to emit a broken blob.
            return Err(StoreError::TooLarge.into());
        }
        let tag = cipher
            .encrypt_inout_detached(&Nonce::from(nonce), &ad, body.into())
            .map_err(|_| StoreError::TooLarge)?;
        tag_out.copy_from_slice(&tag);
        // The buffer now holds only ciphertext.
        Ok(std::mem::take(&mut *blob))
    }

    /// Opens a blob made by [`Client::export`] for this client's user URI, validates all it
    /// holds again at Unix time `now`, and replaces the client's certificate, key material
    /// and KMS period numbering with it at once. Returns the number of materials installed;
    /// material whose period and grace window are over, or whose identity is no longer
    /// configured, is skipped. Pushes [`Event::CertificateInstalled`] (for a first or
    /// changed certificate) and one [`Event::KeyMaterialReady`] per material installed.
    ///
    /// # Errors
    /// `Store(..)` with [`StoreError::BadKeyLength`], [`StoreError::NotAKeyStore`],
    /// [`StoreError::UnsupportedVersion`], [`StoreError::AuthenticationFailed`] (wrong key,
    /// another user's blob, tampered or truncated) or [`StoreError::InvalidContent`]
    /// (malformed, or failing validation again). On any error the client is unchanged.
    pub fn import(
        &mut self,
        now: u64,
        storage_key: &[u8],
        blob: &[u8],
    ) -> Result<usize, ClientError> {
        let (plaintext, version) = open(storage_key, &self.config.user_uri, blob)?;
        let decoded = decode(&plaintext, version)?;
        drop(plaintext);
        let mut ring = KeyRing::new();
        let mut ids = BTreeSet::new();
        for key in decoded.keys {
            if !ids.insert(key.key_id) {
                return Err(StoreError::InvalidContent.into());
            }
            if key.expiry.is_none_or(|e| now < e) {
                ring.store(key, now);
            }
        }

        let mut keys = BTreeSet::new();
        if !decoded
            .materials
            .iter()
            .all(|m| keys.insert((m.set.user_uri.as_str(), m.period)))
        {
            return Err(StoreError::InvalidContent.into());
        }
        let own_kms = decoded
            .certificate
            .as_ref()
            .map(|c| c.kms_uri.clone())
            .unwrap_or_default();
        let partners = import_partners(decoded.cache_num, decoded.partners, &own_kms, now)?;
        let Some(xml) = decoded.certificate else {
            if !decoded.materials.is_empty() {
                return Err(StoreError::InvalidContent.into());
            }
            self.replace(None, BTreeMap::new(), partners);
            self.keyring = ring;
            return Ok(0);
        };
        let mut cert = Certificate::validate(xml, self.config.expected_kms_uri.as_deref(), now)
            .map_err(|_| StoreError::InvalidContent)?;
        cert.periods = cert
            .periods
            .with_numbering(decoded.numbering)
            .ok_or(StoreError::InvalidContent)?;
        let mut materials = BTreeMap::new();
        for stored in decoded.materials {
            let key = (stored.set.user_uri.clone(), stored.period);
            if let Some(material) = self.revalidate_stored(&cert, stored, now)? {
                materials.insert(key, material);
            }
        }
        let installed = materials.len();
        self.replace(Some(cert), materials, partners);
        self.keyring = ring;
        Ok(installed)
    }

    /// Validates one stored material again; `None` when it is to be skipped.
    fn revalidate_stored(
        &self,
        cert: &Certificate,
        stored: StoredMaterial,
        now: u64,
    ) -> Result<Option<KeyMaterial>, StoreError> {
        let StoredMaterial { period, flags, set } = stored;
        // Material is kept under the KMS's own number for its period.
        if period != set.key_period_no {
            return Err(StoreError::InvalidContent);
        }
        let Some((_, end)) = cert.period_bounds(period) else {
            // The live client erases material whose period has no bounds.
            return Ok(None);
        };
        if end.saturating_add(self.config.grace_s) <= now {
            return Ok(None);
        }
        if !self.config.identities().any(|i| *i == set.user_uri) {
            return Ok(None);
        }
        // A set whose ValidTo has passed is judged as of its last valid second: the live
        // client keeps it until the period's grace window ends.
        let now_i = i64::try_from(now).unwrap_or(i64::MAX);
        let at = match set.valid_to {
            Some(to) if to <= now_i => u64::try_from(to.saturating_sub(1)).unwrap_or(0),
            _ => now,
        };
        let validated = KeyMaterial::validate(
            set,
            period,
            cert,
            self.config.identities(),
            self.config.id_encoding,
            at,
        )
        .map_err(|_| StoreError::InvalidContent)?;
        let mut material = validated.material.ok_or(StoreError::InvalidContent)?;
        let sign = flags & FLAG_SIGN != 0;
        let decrypt = flags & FLAG_DECRYPT != 0;
        if (sign && !material.can_sign()) || (decrypt && !material.can_decrypt()) {
            return Err(StoreError::InvalidContent);
        }
        // Exactly the halves held at export.
        if !sign {
            material.signer = None;
        }
        if !decrypt {
            material.receiver = None;
        }
        Ok(Some(material))
    }

    /// Installs imported state at once and reports it as the live client does.
    fn replace(
        &mut self,
        cert: Option<Certificate>,
        materials: BTreeMap<(String, u64), KeyMaterial>,
        partners: Partners,
    ) {
        // Through the same install path as the KMS's answers, raising the same events.
        let Partners { cache_num, by_uri } = partners;
        let mut held = std::mem::take(&mut self.partners.by_uri);
        for (uri, partner) in by_uri {
            if let Some(old) = held.remove(&uri) {
                self.partners.by_uri.insert(uri.clone(), old);
            }
            self.set_partner(uri, partner);
        }
        // Domains the blob does not hold are dropped (the blob replaces the state).
        drop(held);
        self.partners.cache_num = cache_num;
        // Requests not yet sent for material now held are not needed any more.
        self.jobs.retain(|job| match (&job.kind, job.state) {
            (_, JobState::InFlight { .. }) | (JobKind::Init | JobKind::CertCache, _) => true,
            (JobKind::KeyProv { identity, period }, _) => {
                !materials.contains_key(&(identity.clone(), *period))
            }
        });
        self.materials.clear();
        match cert {
            Some(cert) => {
                self.set_certificate(cert);
                for (_, material) in materials {
                    self.set_material(material);
                }
            }
            None => self.certificate = None,
        }
        self.numbering_known = !self.materials.is_empty();
    }

    /// Writes the plaintext of the key store to `sink`.
    fn encode(&self, sink: &mut impl Sink) -> Result<(), StoreError> {
        let numbering = self
            .certificate
            .as_ref()
            .map_or(PeriodNumbering::Ntp, |c| c.periods.numbering());
        sink.put(&[numbering_octet(numbering)]);
        self.encode_own(sink)?;
        match self.partners.cache_num {
            Some(n) => {
                sink.put(&[1]);
                sink.put(&n.to_be_bytes());
            }
            None => sink.put(&[0]),
        }
        put_count(sink, self.partners.by_uri.len())?;
        for partner in self.partners.by_uri.values() {
            match partner {
                Partner::Valid(cert) => encode_certificate(sink, &cert.xml)?,
                Partner::Revoked(xml) => encode_certificate(sink, xml)?,
            }
        }
        let long_lived: Vec<&RingKey> = self
            .keyring
            .keys()
            .filter(|k| !k.purpose.is_dynamic())
            .collect();
        put_count(sink, long_lived.len())?;
        for key in long_lived {
            encode_ring_key(sink, key)?;
        }
        Ok(())
    }

    /// The certificate flag, the certificate and the material.
    fn encode_own(&self, sink: &mut impl Sink) -> Result<(), StoreError> {
        let Some(cert) = &self.certificate else {
            sink.put(&[0]);
            put_count(sink, 0)?;
            return Ok(());
        };
        sink.put(&[1]);
        encode_certificate(sink, &cert.xml)?;
        put_count(sink, self.materials.len())?;
        for material in self.materials.values() {
            sink.put(&material.period.to_be_bytes());
            let flags = if material.can_sign() { FLAG_SIGN } else { 0 }
                | if material.can_decrypt() {
                    FLAG_DECRYPT
                } else {
                    0
                };
            sink.put(&[flags]);
            encode_key_set(sink, &material.set)?;
        }
        Ok(())
    }
}

fn cipher(storage_key: &[u8]) -> Result<Aes256Gcm, StoreError> {
    if storage_key.len() != STORAGE_KEY_BYTES {
        return Err(StoreError::BadKeyLength);
    }
    Aes256Gcm::new_from_slice(storage_key).map_err(|_| StoreError::BadKeyLength)
}

/// magic || version || u16 length || user URI.
fn associated_data(version: u8, user_uri: &str) -> Result<Vec<u8>, StoreError> {
    let len = u16::try_from(user_uri.len()).map_err(|_| StoreError::TooLarge)?;
    let mut ad = Vec::with_capacity(HEADER_BYTES + 2 + user_uri.len());
    ad.extend_from_slice(&STORE_MAGIC);
    ad.push(version);
    ad.extend_from_slice(&len.to_be_bytes());
    ad.extend_from_slice(user_uri.as_bytes());
    Ok(ad)
}

/// Checks the header and decrypts: the plaintext, in a zeroizing buffer, and the format
/// version (3, or 2).
fn open(
    storage_key: &[u8],
    user_uri: &str,
    blob: &[u8],
) -> Result<(Zeroizing<Vec<u8>>, u8), StoreError> {
    let cipher = cipher(storage_key)?;
    let magic_len = STORE_MAGIC.len();
    if blob.len() <= magic_len || blob[..magic_len] != STORE_MAGIC {
        return Err(StoreError::NotAKeyStore);
    }
    let version = blob[magic_len];
    if version != STORE_VERSION && version != STORE_VERSION_2 {
        return Err(StoreError::UnsupportedVersion);
    }
    if blob.len() < HEADER_BYTES + TAG_BYTES {
        return Err(StoreError::NotAKeyStore);
    }
    let ad = associated_data(version, user_uri).map_err(|_| StoreError::AuthenticationFailed)?;
    let mut nonce = [0u8; NONCE_BYTES];
    nonce.copy_from_slice(&blob[magic_len + 1..HEADER_BYTES]);
    let (ciphertext, tag) = blob[HEADER_BYTES..].split_at(blob.len() - HEADER_BYTES - TAG_BYTES);
    let mut tag_bytes = [0u8; TAG_BYTES];
    tag_bytes.copy_from_slice(tag);
    let mut plaintext = Zeroizing::new(ciphertext.to_vec());
    cipher
        .decrypt_inout_detached(
            &Nonce::from(nonce),
            &ad,
            plaintext.as_mut_slice().into(),
            &Tag::from(tag_bytes),
        )
        .map_err(|_| StoreError::AuthenticationFailed)?;
    Ok((plaintext, version))
}

/// Where the encoder writes: a counter for sizing, then the buffer.
trait Sink {
    fn put(&mut self, octets: &[u8]);
}

struct Counter(usize);

impl Sink for Counter {
    fn put(&mut self, octets: &[u8]) {
        self.0 = self.0.saturating_add(octets.len());
    }
}

/// Writes into a buffer of fixed size; never grows it.
struct Filler<'a> {
    out: &'a mut [u8],
    pos: usize,
    overflow: bool,
}

impl Sink for Filler<'_> {
    fn put(&mut self, octets: &[u8]) {
        match self
            .out
            .get_mut(self.pos..self.pos.saturating_add(octets.len()))
        {
            Some(dst) => {
                dst.copy_from_slice(octets);
                self.pos += octets.len();
            }
            None => self.overflow = true,
        }
    }
}

fn put_count(sink: &mut impl Sink, n: usize) -> Result<(), StoreError> {
    if n > MAX_COUNT {
        return Err(StoreError::TooLarge);
    }
    sink.put(
        &u32::try_from(n)
            .map_err(|_| StoreError::TooLarge)?
            .to_be_bytes(),
    );
    Ok(())
}

fn put_bytes(sink: &mut impl Sink, octets: &[u8]) -> Result<(), StoreError> {
    let len = u32::try_from(octets.len()).map_err(|_| StoreError::TooLarge)?;
    sink.put(&len.to_be_bytes());
    sink.put(octets);
    Ok(())
}

fn put_opt_str(sink: &mut impl Sink, s: Option<&str>) -> Result<(), StoreError> {
    match s {
        None => {
            sink.put(&[0]);
            Ok(())
        }
        Some(s) => {
            sink.put(&[1]);
            put_bytes(sink, s.as_bytes())
        }
    }
}

fn put_opt_i64(sink: &mut impl Sink, v: Option<i64>) {
    match v {
        None => sink.put(&[0]),
        Some(v) => {
            sink.put(&[1]);
            sink.put(&v.to_be_bytes());
        }
    }
}

fn encode_certificate(sink: &mut impl Sink, c: &KmsCertificate) -> Result<(), StoreError> {
    put_opt_str(sink, c.version.as_deref())?;
    sink.put(&[match c.role {
        CertificateRole::Root => 0,
        CertificateRole::External => 1,
    }]);
    put_opt_str(sink, c.cert_uri.as_deref())?;
    put_bytes(sink, c.kms_uri.as_bytes())?;
    put_opt_str(sink, c.issuer.as_deref())?;
    put_opt_i64(sink, c.valid_from);
    put_opt_i64(sink, c.valid_to);
    sink.put(&[u8::from(c.revoked)]);
    put_bytes(sink, c.user_id_format.as_bytes())?;
    sink.put(&c.user_key_period.to_be_bytes());
    sink.put(&c.user_key_offset.to_be_bytes());
    put_bytes(sink, &c.pub_enc_key)?;
    put_bytes(sink, &c.pub_auth_key)?;
    match c.parameter_set {
        None => sink.put(&[0]),
        Some(p) => {
            sink.put(&[1]);
            sink.put(&p.to_be_bytes());
        }
    }
    put_count(sink, c.kms_domains.len())?;
    for domain in &c.kms_domains {
        put_bytes(sink, domain.as_bytes())?;
    }
    Ok(())
}

fn encode_key_set(sink: &mut impl Sink, s: &KmsKeySet) -> Result<(), StoreError> {
    put_opt_str(sink, s.version.as_deref())?;
    put_bytes(sink, s.kms_uri.as_bytes())?;
    put_opt_str(sink, s.cert_uri.as_deref())?;
    put_opt_str(sink, s.issuer.as_deref())?;
    put_bytes(sink, s.user_uri.as_bytes())?;
    sink.put(&s.user_id);
    put_opt_i64(sink, s.valid_from);
    put_opt_i64(sink, s.valid_to);
    sink.put(&s.key_period_no.to_be_bytes());
    sink.put(&[u8::from(s.revoked)]);
    put_bytes(sink, &s.rsk)?;
    put_bytes(sink, &s.ssk)?;
    put_bytes(sink, &s.pvt)?;
    Ok(())
}

fn numbering_octet(numbering: PeriodNumbering) -> u8 {
    match numbering {
        PeriodNumbering::Ntp => 0,
        PeriodNumbering::Unix => 1,
    }
}

/// The plaintext decoded, not yet validated.
struct Decoded {
    numbering: PeriodNumbering,
    certificate: Option<KmsCertificate>,
    materials: Vec<StoredMaterial>,
    cache_num: Option<u64>,
    partners: Vec<KmsCertificate>,
    /// The long-lived keys of the key ring.
    keys: Vec<RingKey>,
}

/// Validates stored partner certificates again at `now` (see the module documentation).
fn import_partners(
    cache_num: Option<u64>,
    stored: Vec<KmsCertificate>,
    own_kms: &str,
    now: u64,
) -> Result<Partners, StoreError> {
    let mut partners = Partners {
        cache_num,
        by_uri: BTreeMap::new(),
    };
    for xml in stored {
        let uri = xml.kms_uri.clone();
        // Written ascending and distinct; anything else was not written by export.
        if partners
            .by_uri
            .keys()
            .next_back()
            .is_some_and(|last| *last >= uri)
        {
            return Err(StoreError::InvalidContent);
        }
        if xml.revoked {
            if uri.is_empty() || uri == own_kms {
                return Err(StoreError::InvalidContent);
            }
            partners.by_uri.insert(uri, Partner::Revoked(xml));
            continue;
        }
        let now_i = i64::try_from(now).unwrap_or(i64::MAX);
        if xml.valid_to.is_some_and(|to| to <= now_i) {
            continue;
        }
        let cert = Certificate::validate_external(xml, own_kms, now)
            .map_err(|_| StoreError::InvalidContent)?;
        partners.by_uri.insert(uri, Partner::Valid(Box::new(cert)));
    }
    Ok(partners)
}

struct StoredMaterial {
    period: u64,
    flags: u8,
    set: KmsKeySet,
}

/// A strict reader: every read is checked against what remains.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], StoreError> {
        if n > self.rest.len() {
            return Err(StoreError::InvalidContent);
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], StoreError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, StoreError> {
        Ok(self.array::<1>()?[0])
    }

    fn flag(&mut self) -> Result<bool, StoreError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(StoreError::InvalidContent),
        }
    }

    fn u64(&mut self) -> Result<u64, StoreError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    fn i64(&mut self) -> Result<i64, StoreError> {
        Ok(i64::from_be_bytes(self.array()?))
    }

    fn count(&mut self) -> Result<usize, StoreError> {
        let n = usize::try_from(u32::from_be_bytes(self.array()?))
            .map_err(|_| StoreError::InvalidContent)?;
        if n > MAX_COUNT {
            return Err(StoreError::InvalidContent);
        }
        Ok(n)
    }

    fn bytes(&mut self) -> Result<&'a [u8], StoreError> {
        let len = usize::try_from(u32::from_be_bytes(self.array()?))
            .map_err(|_| StoreError::InvalidContent)?;
        self.take(len)
    }

    fn secret(&mut self) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        Ok(Zeroizing::new(self.bytes()?.to_vec()))
    }

    fn string(&mut self) -> Result<String, StoreError> {
        let octets = self.bytes()?;
        std::str::from_utf8(octets)
            .map(str::to_owned)
            .map_err(|_| StoreError::InvalidContent)
    }

    fn opt_string(&mut self) -> Result<Option<String>, StoreError> {
        self.flag()?.then(|| self.string()).transpose()
    }

    fn opt_i64(&mut self) -> Result<Option<i64>, StoreError> {
        self.flag()?.then(|| self.i64()).transpose()
    }

    fn opt_u64(&mut self) -> Result<Option<u64>, StoreError> {
        self.flag()?.then(|| self.u64()).transpose()
    }
}

/// A ring key: its fields as in version 2, then its distributor.
fn encode_ring_key(sink: &mut impl Sink, key: &RingKey) -> Result<(), StoreError> {
    encode_ring_key_v2(sink, key)?;
    match &key.distributor {
        None => sink.put(&[0]),
        Some(d) => {
            sink.put(&[1]);
            put_bytes(sink, d.kms_uri.as_bytes())?;
            put_opt_str(sink, d.uri.as_deref())?;
            sink.put(&d.uid);
            sink.put(&d.uid_time.time_ntp.to_be_bytes());
            sink.put(&d.uid_time.tolerance_s.to_be_bytes());
        }
    }
    Ok(())
}

/// The fields of a ring key of version 2: ID, key, RAND, GUK-ID, activation, expiry.
fn encode_ring_key_v2(sink: &mut impl Sink, key: &RingKey) -> Result<(), StoreError> {
    sink.put(&key.key_id.to_be_bytes());
    sink.put(key.key());
    put_bytes(sink, &key.rand)?;
    match key.guk_id {
        None => sink.put(&[0]),
        Some(id) => {
            sink.put(&[1]);
            sink.put(&id.to_be_bytes());
        }
    }
    for time in [key.activation, key.expiry] {
        match time {
            None => sink.put(&[0]),
            Some(t) => {
                sink.put(&[1]);
                sink.put(&t.to_be_bytes());
            }
        }
    }
    Ok(())
}

/// Reads one ring key of format `version` (2: without its distributor); a PCK (dynamic) or a
/// tag no ring key has is refused.
fn decode_ring_key(r: &mut Reader<'_>, version: u8) -> Result<RingKey, StoreError> {
    let key_id = u32::from_be_bytes(r.array()?);
    let secret = Zeroizing::new(r.array::<16>()?);
    let rand = r.bytes()?;
    if rand.is_empty() || rand.len() > MAX_RAND_BYTES {
        return Err(StoreError::InvalidContent);
    }
    let guk_id = r
        .flag()?
        .then(|| r.array().map(u32::from_be_bytes))
        .transpose()?;
    let mut key =
        RingKey::new(&secret, key_id, rand, guk_id).map_err(|_| StoreError::InvalidContent)?;
    if key.purpose.is_dynamic() {
        return Err(StoreError::InvalidContent);
    }
    key.activation = r.opt_u64()?;
    key.expiry = r.opt_u64()?;
    if version != STORE_VERSION_2 && r.flag()? {
        key.distributor = Some(Distributor {
            kms_uri: r.string()?,
            uri: r.opt_string()?,
            uid: r.array::<UID_BYTES>()?,
            uid_time: UidTime {
                time_ntp: r.u64()?,
                tolerance_s: r.u64()?,
            },
        });
    }
    Ok(key)
}

/// Decodes the plaintext of a blob of format `version` (3 or 2).
fn decode(plaintext: &[u8], version: u8) -> Result<Decoded, StoreError> {
    let mut r = Reader { rest: plaintext };
    let numbering = match r.u8()? {
        0 => PeriodNumbering::Ntp,
        1 => PeriodNumbering::Unix,
        _ => return Err(StoreError::InvalidContent),
    };
    let certificate = r.flag()?.then(|| decode_certificate(&mut r)).transpose()?;
    let count = r.count()?;
    // Each material takes far more than 64 octets: no allocation beyond what the blob holds.
    let mut materials = Vec::with_capacity(count.min(r.rest.len() / 64));
    for _ in 0..count {
        let period = r.u64()?;
        let flags = r.u8()?;
        if flags == 0 || flags & !(FLAG_SIGN | FLAG_DECRYPT) != 0 {
            return Err(StoreError::InvalidContent);
        }
        let set = decode_key_set(&mut r)?;
        materials.push(StoredMaterial { period, flags, set });
    }
    let cache_num = r.opt_u64()?;
    let count = r.count()?;
    if count > MAX_PARTNERS {
        return Err(StoreError::InvalidContent);
    }
    let mut partners = Vec::with_capacity(count);
    for _ in 0..count {
        partners.push(decode_certificate(&mut r)?);
    }
    let count = r.count()?;
    let mut keys = Vec::with_capacity(count.min(r.rest.len() / 32));
    for _ in 0..count {
        keys.push(decode_ring_key(&mut r, version)?);
    }
    if !r.rest.is_empty() {
        return Err(StoreError::InvalidContent);
    }
    Ok(Decoded {
        numbering,
        certificate,
        materials,
        cache_num,
        partners,
        keys,
    })
}

fn decode_certificate(r: &mut Reader<'_>) -> Result<KmsCertificate, StoreError> {
    let version = r.opt_string()?;
    let role = match r.u8()? {
        0 => CertificateRole::Root,
        1 => CertificateRole::External,
        _ => return Err(StoreError::InvalidContent),
    };
    let cert_uri = r.opt_string()?;
    let kms_uri = r.string()?;
    let issuer = r.opt_string()?;
    let valid_from = r.opt_i64()?;
    let valid_to = r.opt_i64()?;
    let revoked = r.flag()?;
    let user_id_format = r.string()?;
    let user_key_period = r.u64()?;
    let user_key_offset = r.u64()?;
    let pub_enc_key = r.bytes()?.to_vec();
    let pub_auth_key = r.bytes()?.to_vec();
    let parameter_set = r.opt_u64()?;
    let domains = r.count()?;
    let mut kms_domains = Vec::with_capacity(domains.min(r.rest.len() / 4));
    for _ in 0..domains {
        kms_domains.push(r.string()?);
    }
    Ok(KmsCertificate {
        version,
        role,
        cert_uri,
        kms_uri,
        issuer,
        valid_from,
        valid_to,
        revoked,
        user_id_format,
        user_key_period,
        user_key_offset,
        pub_enc_key,
        pub_auth_key,
        parameter_set,
        kms_domains,
    })
}

fn decode_key_set(r: &mut Reader<'_>) -> Result<KmsKeySet, StoreError> {
    let version = r.opt_string()?;
    let kms_uri = r.string()?;
    let cert_uri = r.opt_string()?;
    let issuer = r.opt_string()?;
    let user_uri = r.string()?;
    let user_id = r.array::<UID_BYTES>()?;
    let valid_from = r.opt_i64()?;
    let valid_to = r.opt_i64()?;
    let key_period_no = r.u64()?;
    let revoked = r.flag()?;
    let rsk = r.secret()?;
    let ssk = r.secret()?;
    let pvt = r.bytes()?.to_vec();
    Ok(KmsKeySet {
        version,
        kms_uri,
        cert_uri,
        issuer,
        user_uri,
        user_id,
        valid_from,
        valid_to,
        key_period_no,
        revoked,
        rsk,
        ssk,
        pvt,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::*;
    use crate::client::Event;
    use crate::client::{API_PATH, ClientConfig, Output};
    use crate::kms::Kms;
    use crate::kms::issue::KmsDomain;
    use crate::kms::message::{KmsPayload, KmsResponse};
    use crate::kms::xml;

    const ALICE: &str = "sip:alice@example.org";
    const BOB: &str = "sip:bob@example.org";
    const KMS_URI: &str = "kms.example.org";
    const PERIOD: u64 = 86_400;
    /// 2027-01-15 08:00:00 UTC: eight hours into a period (periods start at NTP multiples of
    /// a day), far from the prefetch window.
    const T0: u64 = 1_800_000_000;
    const GRACE: u64 = 600;
    const KEY: [u8; STORAGE_KEY_BYTES] = [0x42; STORAGE_KEY_BYTES];

    fn config(user: &str) -> ClientConfig {
        let mut c = ClientConfig::new("https://kms.example.org", user);
        c.expected_kms_uri = Some(KMS_URI.into());
        c.prefetch_s = 3_600;
        c.grace_s = GRACE;
        c
    }

    fn domain() -> KmsDomain {
        KmsDomain::new(KMS_URI, PERIOD, 0)
    }

    fn period() -> u64 {
        domain().key_period_for(T0 as i64).unwrap()
    }

    /// Unix time of the end of the period of `T0`.
    fn period_end() -> u64 {
        domain().period_bounds_unix(period()).1.unwrap() as u64
    }

    /// A client provisioned through its real flow: requests answered with XML from the
    /// library's own KMS issuance and emitter.
    fn provision() -> Client {
        let mut ksak = [0u8; 32];
        ksak[0] = 0x11;
        ksak[31] = 0x2a;
        let mut z = [0u8; 128];
        z[0] = 0x12;
        z[127] = 0x35;
        let kms = Kms::from_secrets(&ksak, &z).unwrap();
        let domain = domain();
        let mut client = Client::new(config(ALICE)).unwrap();
        client.set_access_token("token").unwrap();
        for _ in 0..100 {
            match client.poll_output(T0) {
                Output::Request(request) => {
                    let path = request.url.split_once(API_PATH).unwrap().1;
                    let payload = if path == "init" {
                        KmsPayload::Init(kms.certificate(&domain))
                    } else {
                        assert!(path.starts_with("keyprov/"), "{path}");
                        KmsPayload::KeyProv(vec![
                            kms.issue_key_set(&domain, ALICE, period()).unwrap(),
                        ])
                    };
                    let body = xml::emit_response(&KmsResponse {
                        user_uri: ALICE.into(),
                        kms_uri: KMS_URI.into(),
                        time: Some(T0 as i64),
                        kms_id: None,
                        client_req_url: request.url.clone(),
                        payload,
                    });
                    client
                        .handle_response(T0, request.id, 200, body.as_bytes())
                        .unwrap();
                }
                Output::Event(_) => {}
                Output::WakeUp(_) | Output::None => break,
            }
        }
        assert_eq!(client.materials.len(), 1);
        assert!(
            client
                .materials
                .values()
                .all(|m| m.can_sign() && m.can_decrypt())
        );
        client
    }

    struct Fixture {
        /// A blob of a provisioned client, sealed under `KEY` for `ALICE`.
        blob: Vec<u8>,
        /// Its plaintext.
        plaintext: Vec<u8>,
    }

    /// Provisioned once for all tests: each real validation costs an RSK check.
    fn fixture() -> &'static Fixture {
        static FIXTURE: OnceLock<Fixture> = OnceLock::new();
        FIXTURE.get_or_init(|| {
            let blob = provision().export(&KEY).unwrap();
            let plaintext = open(&KEY, ALICE, &blob).unwrap().0.to_vec();
            Fixture { blob, plaintext }
        })
    }

    /// The client's state as the plaintext of an export.
    fn state(client: &Client) -> Vec<u8> {
        open(&KEY, &client.config.user_uri, &client.export(&KEY).unwrap())
            .unwrap()
            .0
            .to_vec()
    }

    fn store_error(result: Result<usize, ClientError>) -> StoreError {
        match result {
            Err(ClientError::Store(e)) => e,
            Err(e) => panic!("not a store error: {e:?}"),
            Ok(n) => panic!("imported {n} materials"),
        }
    }

    /// Seals a plaintext of our choosing the way `export` does.
    fn seal(user: &str, plaintext: &[u8]) -> Vec<u8> {
        seal_version(STORE_VERSION, user, plaintext)
    }

    /// Seals a plaintext as a blob of format `version`.
    fn seal_version(version: u8, user: &str, plaintext: &[u8]) -> Vec<u8> {
        let mut body = plaintext.to_vec();
        let nonce = [7u8; NONCE_BYTES];
        let tag = cipher(&KEY)
            .unwrap()
            .encrypt_inout_detached(
                &Nonce::from(nonce),
                &associated_data(version, user).unwrap(),
                body.as_mut_slice().into(),
            )
            .unwrap();
        let mut blob = STORE_MAGIC.to_vec();
        blob.push(version);
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&body);
        blob.extend_from_slice(&tag);
        blob
    }

    impl Sink for Vec<u8> {
        fn put(&mut self, octets: &[u8]) {
            self.extend_from_slice(octets);
        }
    }

    fn encode_decoded(d: &Decoded) -> Vec<u8> {
        encode_decoded_as(STORE_VERSION, d)
    }

    /// The plaintext of `d` in format `version` (3, or 2: keys without their distributor).
    fn encode_decoded_as(version: u8, d: &Decoded) -> Vec<u8> {
        let mut out = Vec::new();
        out.put(&[numbering_octet(d.numbering)]);
        match &d.certificate {
            None => out.put(&[0]),
            Some(c) => {
                out.put(&[1]);
                encode_certificate(&mut out, c).unwrap();
            }
        }
        put_count(&mut out, d.materials.len()).unwrap();
        for m in &d.materials {
            out.put(&m.period.to_be_bytes());
            out.put(&[m.flags]);
            encode_key_set(&mut out, &m.set).unwrap();
        }
        match d.cache_num {
            Some(n) => {
                out.put(&[1]);
                out.put(&n.to_be_bytes());
            }
            None => out.put(&[0]),
        }
        put_count(&mut out, d.partners.len()).unwrap();
        for c in &d.partners {
            encode_certificate(&mut out, c).unwrap();
        }
        put_count(&mut out, d.keys.len()).unwrap();
        for k in &d.keys {
            if version == STORE_VERSION_2 {
                encode_ring_key_v2(&mut out, k).unwrap();
            } else {
                encode_ring_key(&mut out, k).unwrap();
            }
        }
        out
    }

    /// The fixture's content, decoded, changed by `edit`, and sealed again under `KEY`.
    fn edited(edit: impl FnOnce(&mut Decoded)) -> Vec<u8> {
        let mut decoded = decode(&fixture().plaintext, STORE_VERSION).unwrap();
        edit(&mut decoded);
        seal(ALICE, &encode_decoded(&decoded))
    }

    fn assert_untouched(client: &Client) {
        assert!(client.certificate.is_none());
        assert!(client.materials.is_empty());
        assert!(!client.numbering_known);
        assert!(client.events.is_empty());
    }

    #[test]
    fn round_trip_restores_the_same_state() {
        let f = fixture();
        assert_eq!(f.blob[..6], *b"MKCKS\0");
        assert_eq!(f.blob[6], 3);
        assert_eq!(f.blob.len(), HEADER_BYTES + f.plaintext.len() + TAG_BYTES);
        assert_eq!(
            encode_decoded(&decode(&f.plaintext, STORE_VERSION).unwrap()),
            f.plaintext,
            "codec round trip"
        );

        let mut client = Client::new(config(ALICE)).unwrap();
        assert_eq!(client.import(T0, &KEY, &f.blob), Ok(1));
        assert_eq!(state(&client), f.plaintext);
        let n = period();
        let (start, end) = client
            .certificate
            .as_ref()
            .unwrap()
            .period_bounds(n)
            .unwrap();
        assert_eq!(end, period_end());
        let events: Vec<Event> = client.events.drain(..).collect();
        assert_eq!(
            events,
            [
                Event::CertificateInstalled {
                    kms_uri: KMS_URI.into(),
                    changed: false
                },
                Event::KeyMaterialReady {
                    identity: ALICE.into(),
                    period: n,
                    kms_period_no: n,
                    start,
                    end,
                    can_sign: true,
                    can_decrypt: true,
                },
            ]
        );
        // Nothing to fetch: the certificate and the material are there.
        assert!(matches!(client.poll_output(T0), Output::WakeUp(_)));

        // The restored keys work.
        let signature = client.sign(ALICE, T0, b"floor request").unwrap();
        client
            .verify(ALICE, T0, b"floor request", &signature)
            .unwrap();
        let sed = client.encapsulate(ALICE, T0, &[9u8; 16]).unwrap();
        assert_eq!(*client.decapsulate(ALICE, T0, &sed).unwrap(), [9u8; 16]);

        // A fresh nonce each time.
        let again = client.export(&KEY).unwrap();
        assert_ne!(again[7..HEADER_BYTES], f.blob[7..HEADER_BYTES]);
    }

    #[test]
    fn wrong_key_is_refused() {
        let mut client = Client::new(config(ALICE)).unwrap();
        let mut other = KEY;
        other[31] ^= 1;
        let blob = &fixture().blob;
        assert_eq!(
            store_error(client.import(T0, &other, blob)),
            StoreError::AuthenticationFailed
        );
        for bad in [&KEY[..31], &[0x42; 33][..], &[][..]] {
            assert_eq!(
                store_error(client.import(T0, bad, blob)),
                StoreError::BadKeyLength
            );
            assert_eq!(
                client.export(bad).err(),
                Some(ClientError::Store(StoreError::BadKeyLength))
            );
        }
        assert_untouched(&client);
    }

    #[test]
    fn another_users_blob_is_refused() {
        let mut bob = Client::new(config(BOB)).unwrap();
        assert_eq!(
            store_error(bob.import(T0, &KEY, &fixture().blob)),
            StoreError::AuthenticationFailed
        );
        assert_untouched(&bob);
    }

    #[test]
    fn every_truncation_is_refused() {
        let mut client = Client::new(config(ALICE)).unwrap();
        let blob = &fixture().blob;
        for len in 0..blob.len() {
            let e = store_error(client.import(T0, &KEY, &blob[..len]));
            let expected = if len < HEADER_BYTES + TAG_BYTES {
                StoreError::NotAKeyStore
            } else {
                StoreError::AuthenticationFailed
            };
            assert_eq!(e, expected, "length {len}");
        }
        let mut longer = blob.clone();
        longer.push(0);
        assert_eq!(
            store_error(client.import(T0, &KEY, &longer)),
            StoreError::AuthenticationFailed
        );
        assert_untouched(&client);
    }

    #[test]
    fn every_bit_flip_is_refused() {
        let mut client = Client::new(config(ALICE)).unwrap();
        let blob = &fixture().blob;
        // Header, nonce, the start of the ciphertext, and the tag.
        let positions = (0..HEADER_BYTES + 16).chain(blob.len() - TAG_BYTES..blob.len());
        for pos in positions {
            for bit in 0..8 {
                let mut flipped = blob.clone();
                flipped[pos] ^= 1 << bit;
                let e = store_error(client.import(T0, &KEY, &flipped));
                let expected = match pos {
                    0..6 => StoreError::NotAKeyStore,
                    // Version 2 is read, under its own associated data: the tag fails.
                    6 if flipped[6] == STORE_VERSION_2 => StoreError::AuthenticationFailed,
                    6 => StoreError::UnsupportedVersion,
                    _ => StoreError::AuthenticationFailed,
                };
                assert_eq!(e, expected, "octet {pos} bit {bit}");
            }
        }
        assert_untouched(&client);
    }

    /// The long-lived keys of the key ring go into the store; a PCK does not; keys expired by
    /// the time of import are skipped.
    #[test]
    fn long_lived_keys_are_sealed_and_restored() {
        let mut client = provision();
        let mut gmk = RingKey::new(&[1; 16], 0x0123_4567, &[9; 16], Some(0x0abc_def0)).unwrap();
        let gms = Distributor {
            kms_uri: KMS_URI.into(),
            uri: Some("sip:gms@example.org".into()),
            uid: [0x5a; UID_BYTES],
            uid_time: UidTime {
                time_ntp: 0x0102_0304_0506_0708,
                tolerance_s: 300,
            },
        };
        gmk.distributor = Some(gms.clone());
        let mut csk = RingKey::new(&[2; 16], 0x2000_0001, &[8; 16], None).unwrap();
        csk.activation = Some(T0 - 5);
        csk.expiry = Some(T0 + 100);
        let mut musik = RingKey::new(&[3; 16], 0x6000_0001, &[7; 16], None).unwrap();
        // Distributed by a message that hid its initiator: the UID and when it was in force
        // (to hash a URI learnt later to it) are all there is.
        let hidden = Distributor {
            kms_uri: KMS_URI.into(),
            uri: None,
            uid: [0xa5; UID_BYTES],
            uid_time: UidTime {
                time_ntp: u64::MAX - 1,
                tolerance_s: 0,
            },
        };
        musik.distributor = Some(hidden.clone());
        let pck = RingKey::new(&[4; 16], 0x1000_0001, &[6; 16], None).unwrap();
        for key in [gmk, csk, musik, pck] {
            client.keyring.store(key, T0);
        }
        let blob = client.export(&KEY).unwrap();
        // The key octets are not in the clear.
        assert!(!blob.windows(16).any(|w| w == [2; 16]));

        let mut restored = Client::new(config(ALICE)).unwrap();
        restored.import(T0, &KEY, &blob).unwrap();
        let ids: Vec<u32> = restored.keyring.keys().map(|k| k.key_id).collect();
        assert_eq!(ids, [0x0123_4567, 0x2000_0001, 0x6000_0001], "no PCK");
        let csk = restored
            .keyring
            .keys()
            .find(|k| k.key_id == 0x2000_0001)
            .unwrap();
        assert_eq!(
            (csk.key(), &csk.rand[..], csk.activation, csk.expiry),
            (&[2; 16], &[8; 16][..], Some(T0 - 5), Some(T0 + 100))
        );
        let gmk = restored.keyring.keys().next().unwrap();
        assert_eq!(gmk.guk_id, Some(0x0abc_def0));
        assert_eq!(gmk.distributor, Some(gms), "who distributed it is kept");
        assert_eq!(csk.distributor, None);
        let musik = restored.keyring.keys().last().unwrap();
        assert_eq!(
            musik.distributor,
            Some(hidden),
            "a hidden distributor's UID and its time are kept"
        );

        // Imported after the CSK's expiry: skipped.
        let mut later = Client::new(config(ALICE)).unwrap();
        later.import(T0 + 100, &KEY, &blob).unwrap();
        assert_eq!(later.keyring.len(), 2);

        // A PCK, or a key ID twice, in the key section: refused, nothing changed.
        for bad in [0x1000_0002u32, 0x0123_4567] {
            let blob = edited(|d| {
                d.keys = vec![
                    RingKey::new(&[1; 16], 0x0123_4567, &[9; 16], None).unwrap(),
                    RingKey::new(&[5; 16], bad, &[9; 16], None).unwrap(),
                ];
            });
            let mut client = Client::new(config(ALICE)).unwrap();
            assert_eq!(
                store_error(client.import(T0, &KEY, &blob)),
                StoreError::InvalidContent
            );
            assert_untouched(&client);
            assert!(client.keyring.is_empty());
        }
    }

    #[test]
    fn unsupported_version_and_foreign_data_are_refused() {
        let mut client = Client::new(config(ALICE)).unwrap();
        let mut blob = fixture().blob.clone();
        for version in [0u8, 1, 4, 0xff] {
            blob[6] = version;
            assert_eq!(
                store_error(client.import(T0, &KEY, &blob)),
                StoreError::UnsupportedVersion
            );
        }
        // The version is checked before the length.
        assert_eq!(
            store_error(client.import(T0, &KEY, b"MKCKS\0\x01")),
            StoreError::UnsupportedVersion
        );
        for foreign in [
            &b""[..],
            b"MKCKS\0",
            b"<?xml version=\"1.0\"?><KmsResponse/>",
            &[0u8; 100],
        ] {
            assert_eq!(
                store_error(client.import(T0, &KEY, foreign)),
                StoreError::NotAKeyStore
            );
        }
        assert_untouched(&client);
    }

    #[test]
    fn malformed_content_is_invalid_and_never_panics() {
        let mut client = Client::new(config(ALICE)).unwrap();
        let plaintext = &fixture().plaintext;
        let invalid = |client: &mut Client, content: &[u8]| {
            assert_eq!(
                store_error(client.import(T0, &KEY, &seal(ALICE, content))),
                StoreError::InvalidContent
            );
        };
        for len in 0..plaintext.len() {
            invalid(&mut client, &plaintext[..len]);
        }
        let mut trailing = plaintext.clone();
        trailing.push(0);
        invalid(&mut client, &trailing);

        let decoded = decode(plaintext, STORE_VERSION).unwrap();
        let mut cert = Vec::new();
        encode_certificate(&mut cert, decoded.certificate.as_ref().unwrap()).unwrap();
        let count_at = 1 + 1 + cert.len();
        let flags_at = count_at + 4 + 8;
        let patched = |at: usize, octets: &[u8]| {
            let mut p = plaintext.clone();
            p[at..at + octets.len()].copy_from_slice(octets);
            p
        };
        // Period numbering, certificate flag, material count (above the limit, and one more
        // than present), material flags, a material's period other than its KeyPeriodNo.
        let period = u64::from_be_bytes(plaintext[count_at + 4..count_at + 12].try_into().unwrap());
        for (at, octets) in [
            (0, &[2u8][..]),
            (0, &[0xFF][..]),
            (1, &[2u8][..]),
            (count_at + 4, &(period + 1).to_be_bytes()[..]),
            (count_at, &4097u32.to_be_bytes()[..]),
            (count_at, &u32::MAX.to_be_bytes()[..]),
            (count_at, &2u32.to_be_bytes()[..]),
            (flags_at, &[0][..]),
            (flags_at, &[4][..]),
            (flags_at, &[7][..]),
        ] {
            invalid(&mut client, &patched(at, octets));
        }
        // Invalid UTF-8 in the material's UserUri.
        let uri_at = plaintext
            .windows(ALICE.len())
            .rposition(|w| w == ALICE.as_bytes())
            .unwrap();
        invalid(&mut client, &patched(uri_at, &[0xff]));
        // Material without a certificate, and the same material twice.
        let no_cert = edited(|d| d.certificate = None);
        assert_eq!(
            store_error(client.import(T0, &KEY, &no_cert)),
            StoreError::InvalidContent
        );
        let twice = edited(|d| {
            let m = &d.materials[0];
            let copy = StoredMaterial {
                period: m.period,
                flags: m.flags,
                set: m.set.clone(),
            };
            d.materials.push(copy);
        });
        assert_eq!(
            store_error(client.import(T0, &KEY, &twice)),
            StoreError::InvalidContent
        );
        assert_untouched(&client);
    }

    #[test]
    fn a_failed_import_changes_nothing() {
        let mut client = Client::new(config(ALICE)).unwrap();
        assert_eq!(client.import(T0, &KEY, &fixture().blob), Ok(1));
        client.events.clear();
        let before = state(&client);
        let mut other = KEY;
        other[0] ^= 0x80;
        let blob = &fixture().blob;
        let revoked_cert = edited(|d| d.certificate.as_mut().unwrap().revoked = true);
        let bad_ssk = edited(|d| d.materials[0].set.ssk[31] ^= 1);
        // Partner certificates: our own KmsUri, a broken KPAK, the same domain twice, one
        // more than the limit.
        let partner = |uri: &str| {
            let mut c = decode(&fixture().plaintext, STORE_VERSION)
                .unwrap()
                .certificate
                .unwrap();
            c.kms_uri = uri.into();
            c.role = CertificateRole::External;
            c
        };
        let own_partner = edited(|d| d.partners = vec![partner("kms.example.org")]);
        let bad_partner = edited(|d| {
            let mut c = partner("p.example.net");
            c.pub_auth_key[5] ^= 1;
            d.partners = vec![c];
        });
        let twice = edited(|d| d.partners = vec![partner("p.example.net"); 2]);
        let too_many = edited(|d| {
            d.partners = (0..=MAX_PARTNERS)
                .map(|i| partner(&format!("p{i:03}.example.net")))
                .collect();
        });
        let failures: [(&[u8], &[u8], StoreError); 9] = [
            (&KEY, &own_partner, StoreError::InvalidContent),
            (&KEY, &bad_partner, StoreError::InvalidContent),
            (&KEY, &twice, StoreError::InvalidContent),
            (&KEY, &too_many, StoreError::InvalidContent),
            (&other, blob, StoreError::AuthenticationFailed),
            (
                &KEY,
                &blob[..blob.len() - 1],
                StoreError::AuthenticationFailed,
            ),
            (&KEY, &blob[..20], StoreError::NotAKeyStore),
            (&KEY, &revoked_cert, StoreError::InvalidContent),
            // The SSK was valid at export: it must validate again.
            (&KEY, &bad_ssk, StoreError::InvalidContent),
        ];
        for (key, blob, expected) in failures {
            assert_eq!(store_error(client.import(T0, key, blob)), expected);
            assert_eq!(state(&client), before);
            assert!(client.events.is_empty());
        }
        // A certificate of another KMS than the configured one.
        let other_kms =
            edited(|d| d.certificate.as_mut().unwrap().kms_uri = "kms.other.org".into());
        assert_eq!(
            store_error(client.import(T0, &KEY, &other_kms)),
            StoreError::InvalidContent
        );
        assert_eq!(state(&client), before);

        // A successful import replaces everything, here with an empty store.
        let empty = Client::new(config(ALICE)).unwrap().export(&KEY).unwrap();
        assert_eq!(client.import(T0, &KEY, &empty), Ok(0));
        assert!(client.certificate.is_none() && client.materials.is_empty());
    }

    #[test]
    fn material_past_its_grace_window_is_skipped() {
        let blob = &fixture().blob;
        let end = period_end();
        let mut client = Client::new(config(ALICE)).unwrap();
        assert_eq!(client.import(end + GRACE, &KEY, blob), Ok(0));
        assert!(client.certificate.is_some() && client.materials.is_empty());
        assert_eq!(
            client.events.drain(..).collect::<Vec<_>>(),
            [Event::CertificateInstalled {
                kms_uri: KMS_URI.into(),
                changed: false
            }]
        );
        // Within the grace window the material is kept, as the live client keeps it, though
        // its ValidTo has passed.
        let mut client = Client::new(config(ALICE)).unwrap();
        assert_eq!(client.import(end + GRACE - 1, &KEY, blob), Ok(1));
        let material = client.materials.values().next().unwrap();
        assert!(material.can_sign() && material.can_decrypt());
    }

    #[test]
    fn unconfigured_identities_and_unflagged_halves_are_not_installed() {
        let mut client = Client::new(config(ALICE)).unwrap();
        let gms = edited(|d| d.materials[0].set.user_uri = "sip:gms@example.org".into());
        assert_eq!(client.import(T0, &KEY, &gms), Ok(0));
        assert!(client.certificate.is_some());

        let sign_only = edited(|d| d.materials[0].flags = FLAG_SIGN);
        assert_eq!(client.import(T0, &KEY, &sign_only), Ok(1));
        let material = client.materials.values().next().unwrap();
        assert!(material.can_sign() && !material.can_decrypt());
        assert_eq!(
            client.decapsulate(ALICE, T0, &[0u8; 273]).err(),
            Some(ClientError::NoKeyMaterial)
        );
        // Exported again, the flags say the same.
        assert_eq!(
            decode(&state(&client), STORE_VERSION).unwrap().materials[0].flags,
            FLAG_SIGN
        );
    }

    /// A store of format version 2 (keys without their distributor) is still read: its keys
    /// are kept with no distributor, so that no message may replace, revoke or re-parameterise
    /// them, not even one carrying the very same key, until they expire. Exported again, it
    /// becomes version 3 with the distributor absent.
    #[test]
    fn a_version_2_store_is_read_and_its_keys_have_no_distributor() {
        use crate::client::KeyRingError;

        let gmk_id = 0x0123_4567;
        let v2 = {
            let mut d = decode(&fixture().plaintext, STORE_VERSION).unwrap();
            let mut gmk = RingKey::new(&[1; 16], gmk_id, &[9; 16], Some(0x0abc_def0)).unwrap();
            gmk.expiry = Some(T0 + 100);
            // Written in the version 2 layout: the distributor is not there to write.
            gmk.distributor = Some(Distributor {
                kms_uri: KMS_URI.into(),
                uri: None,
                uid: [1; UID_BYTES],
                uid_time: UidTime {
                    time_ntp: 0,
                    tolerance_s: 0,
                },
            });
            d.keys = vec![gmk];
            encode_decoded_as(STORE_VERSION_2, &d)
        };
        // Not a version 3 plaintext (the distributor flag is missing) ...
        assert!(decode(&v2, STORE_VERSION).is_err());
        assert_eq!(
            store_error(
                Client::new(config(ALICE))
                    .unwrap()
                    .import(T0, &KEY, &seal(ALICE, &v2))
            ),
            StoreError::InvalidContent
        );
        // ... nor a version 2 blob under version 3's associated data, or the reverse.
        let mut relabelled = seal_version(STORE_VERSION_2, ALICE, &v2);
        relabelled[6] = STORE_VERSION;
        assert_eq!(
            store_error(
                Client::new(config(ALICE))
                    .unwrap()
                    .import(T0, &KEY, &relabelled)
            ),
            StoreError::AuthenticationFailed
        );

        let blob = seal_version(STORE_VERSION_2, ALICE, &v2);
        let mut client = Client::new(config(ALICE)).unwrap();
        assert_eq!(client.import(T0, &KEY, &blob), Ok(1));
        assert!(client.certificate.is_some());
        let held = client.keyring.keys().next().unwrap();
        assert_eq!(
            (held.key_id, held.key(), held.expiry, &held.distributor),
            (gmk_id, &[1; 16], Some(T0 + 100), &None)
        );

        // Any message for its ID is refused whoever sends it, whatever key it carries (this
        // used to admit a message carrying the very same key: no proof for a shared GMK).
        let gms = Distributor {
            kms_uri: KMS_URI.into(),
            uri: Some("sip:gms@example.org".into()),
            uid: [2; UID_BYTES],
            uid_time: UidTime {
                time_ntp: 0,
                tolerance_s: 0,
            },
        };
        assert_eq!(
            client.keyring.admit(gmk_id, &gms, |_, _, _| true, T0),
            Err(KeyRingError::OtherInitiator)
        );
        // Once expired, the ID is free again.
        assert_eq!(
            client.keyring.admit(gmk_id, &gms, |_, _, _| true, T0 + 100),
            Ok(gms)
        );

        // Exported again: version 3, distributor absent, read back the same.
        let again = client.export(&KEY).unwrap();
        assert_eq!(again[6], STORE_VERSION);
        let mut restored = Client::new(config(ALICE)).unwrap();
        assert_eq!(restored.import(T0, &KEY, &again), Ok(1));
        let held = restored.keyring.keys().next().unwrap();
        assert_eq!((held.key(), &held.distributor), (&[1; 16], &None));
    }
}
