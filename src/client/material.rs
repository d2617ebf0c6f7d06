//! Validation of what the KMS sends, and the validated forms the client keeps: the KMS
//! certificate (TS 33.180 D.3.2) and per-identity, per-period key material (D.3.3), checked
//! with RFC 6507 5.1.2 (SSK/PVT against KPAK) and RFC 6508 6.1.2 (RSK against Z_T).

use crate::domain::{InvalidDomain, KeyPeriods, KmsParams, PeriodNumbering};
use crate::eccsi::{Signer, Verifier};
use crate::kms::message::{CertificateRole, KmsCertificate, KmsKeySet};
use crate::sakke::{SakkePublic, SakkeReceiver};
use crate::uid::{IdEncoding, UID_BYTES};

/// Why received material was refused. Each value has a fixed, secret-free message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// The response body is not a well-formed KMS message (see the XML error).
    #[error("malformed KMS response")]
    Malformed,
    /// The response carries another message than the one requested.
    #[error("unexpected KMS message type")]
    UnexpectedMessage,
    /// The certificate's Role is not Root.
    #[error("certificate role is not Root")]
    NotRoot,
    /// The certificate's KmsUri is not the expected one, or a key set's KmsUri is not the
    /// certificate's.
    #[error("KmsUri does not match")]
    WrongKmsUri,
    /// UserIdFormat is not "2" (the TS 33.180 F.2.1 UID).
    #[error("unsupported UserIdFormat")]
    UnsupportedUserIdFormat,
    /// ParameterSet is present and not 1 (RFC 6509).
    #[error("unsupported SAKKE parameter set")]
    UnsupportedParameterSet,
    /// The certificate or key set is marked Revoked.
    #[error("revoked")]
    Revoked,
    /// The validity window is over, not begun, or empty.
    #[error("outside its validity window")]
    NotValid,
    /// KPAK is not a valid P-256 point.
    #[error("invalid KPAK")]
    InvalidKpak,
    /// Z_T is not a valid point of the SAKKE group.
    #[error("invalid Z_T")]
    InvalidZt,
    /// UserKeyPeriod is zero or the periods overflow.
    #[error("invalid key period")]
    InvalidKeyPeriod,
    /// The key set's UserUri is none of this client's identities.
    #[error("key set for an identity of another user")]
    UnknownIdentity,
    /// The UID recomputed from the key set's own fields differs from its UserID.
    #[error("UserID does not match the UID recomputed from the key set")]
    UidMismatch,
    /// SSK/PVT fail RFC 6507 5.1.2 against KPAK.
    #[error("SSK/PVT failed validation")]
    InvalidSsk,
    /// RSK fails RFC 6508 6.1.2 against Z_T.
    #[error("RSK failed validation")]
    InvalidRsk,
    /// A KeyProv response holds no key set for the identity requested.
    #[error("no key set for the identity requested")]
    MissingKeySet,
    /// Material no longer validates against a new certificate of the KMS.
    #[error("no longer valid under the new KMS certificate")]
    CertificateChanged,
    /// There is no certificate yet to validate key material against.
    #[error("no KMS certificate")]
    NoCertificate,
    /// The key set's KeyPeriodNo cannot be the period asked for under any numbering the
    /// client knows (TS 33.180 F.2.1 from the NTP epoch, or from the Unix epoch), or is not
    /// the numbering this KMS was seen to use.
    #[error("key set for another key period")]
    WrongPeriod,
    /// A partner domain's certificate is no longer in the KMS's certificate cache: an answer
    /// with a newer CacheNum listed other domains only (TS 33.180 D.3.4).
    #[error("no longer in the KMS's certificate cache")]
    NotInCache,
}

/// A validated KMS certificate, with the verifier and SAKKE tables built once, and the key
/// periods of its domain under the numbering the client follows.
pub struct Certificate {
    pub(crate) xml: KmsCertificate,
    pub(crate) periods: KeyPeriods,
    pub(crate) verifier: Verifier,
    pub(crate) sakke: SakkePublic,
}

impl Certificate {
    /// Validates `cert` at Unix time `now` (TS 33.180 D.3.2; RFC 6509 parameter set 1).
    pub(crate) fn validate(
        cert: KmsCertificate,
        expected_kms_uri: Option<&str>,
        now: u64,
    ) -> Result<Self, Rejection> {
        if cert.role != CertificateRole::Root {
            return Err(Rejection::NotRoot);
        }
        if expected_kms_uri.is_some_and(|k| k != cert.kms_uri) || cert.kms_uri.is_empty() {
            return Err(Rejection::WrongKmsUri);
        }
        Self::validate_domain(cert, now)
    }

    /// Validates the certificate of a partner domain from the KMS's certificate cache (TS
    /// 33.180 5.2.7, D.3.4) at Unix time `now`: as a Root certificate, except that its Role
    /// is not looked at (a cache holds other domains' certificates, whatever a KMS writes in
    /// Role) and its KmsUri must not be `own_kms_uri`.
    pub(crate) fn validate_external(
        cert: KmsCertificate,
        own_kms_uri: &str,
        now: u64,
    ) -> Result<Self, Rejection> {
        if cert.kms_uri == own_kms_uri || cert.kms_uri.is_empty() {
            return Err(Rejection::WrongKmsUri);
        }
        Self::validate_domain(cert, now)
    }

    /// The checks of every certificate: UID format, parameter set, Revoked, validity, key
    /// periods, KPAK and Z_T.
    fn validate_domain(cert: KmsCertificate, now: u64) -> Result<Self, Rejection> {
        // The domain's checks (KmsUri, period ranges) are the ones every layer uses.
        KmsParams::new(&cert.kms_uri, cert.user_key_period, cert.user_key_offset).map_err(|e| {
            match e {
                InvalidDomain::KmsUri => Rejection::WrongKmsUri,
                InvalidDomain::KeyPeriod => Rejection::InvalidKeyPeriod,
            }
        })?;
        if cert.user_id_format.trim() != "2" {
            return Err(Rejection::UnsupportedUserIdFormat);
        }
        if cert.parameter_set.is_some_and(|p| p != 1) {
            return Err(Rejection::UnsupportedParameterSet);
        }
        if cert.revoked {
            return Err(Rejection::Revoked);
        }
        if !window_holds(cert.valid_from, cert.valid_to, now) {
            return Err(Rejection::NotValid);
        }
        let periods = KeyPeriods::new(
            cert.user_key_period,
            cert.user_key_offset,
            PeriodNumbering::Ntp,
        )
        .map_err(|_| Rejection::InvalidKeyPeriod)?;
        // A period 0 that starts after now (e.g. UserKeyOffset 4294967295) leaves no period
        // to ask keys for: refused, and asked again with the backoff.
        if periods.number_at_unix(now).is_none() {
            return Err(Rejection::InvalidKeyPeriod);
        }
        let verifier = Verifier::new(&cert.pub_auth_key).map_err(|_| Rejection::InvalidKpak)?;
        let sakke = SakkePublic::new(&cert.pub_enc_key).map_err(|_| Rejection::InvalidZt)?;
        Ok(Self {
            xml: cert,
            periods,
            verifier,
            sakke,
        })
    }

    /// True when Unix time `now` is inside the certificate's ValidFrom/ValidTo.
    pub(crate) fn holds_at(&self, now: u64) -> bool {
        window_holds(self.xml.valid_from, self.xml.valid_to, now)
    }

    /// The certificate as received.
    pub fn kms_certificate(&self) -> &KmsCertificate {
        &self.xml
    }

    /// `KmsUri`.
    pub fn kms_uri(&self) -> &str {
        &self.xml.kms_uri
    }

    /// True when `other` has the same KMS URI, KPAK, Z_T and key periods, so that material
    /// validated under one holds under the other.
    pub(crate) fn same_keys(&self, other: &KmsCertificate) -> bool {
        self.xml.kms_uri == other.kms_uri
            && self.xml.pub_auth_key == other.pub_auth_key
            && self.xml.pub_enc_key == other.pub_enc_key
            && self.xml.user_key_period == other.user_key_period
            && self.xml.user_key_offset == other.user_key_offset
    }

    /// The key periods of the domain, under the numbering the client follows.
    pub fn key_periods(&self) -> KeyPeriods {
        self.periods
    }

    /// The key period number of Unix time `unix_s`, as the KMS numbers periods.
    pub(crate) fn period_of(&self, unix_s: u64) -> Option<u64> {
        self.periods.number_at_unix(unix_s)
    }

    /// Unix seconds of the start of period `n`, and of its end (exclusive).
    pub(crate) fn period_bounds(&self, n: u64) -> Option<(u64, u64)> {
        self.periods.bounds_unix(n)
    }

    /// The domain of this certificate (raw-UID identifiers; the client sets its encoding),
    /// periods numbered as the client follows the KMS.
    pub fn params(&self) -> KmsParams<'_> {
        KmsParams::of_checked(&self.xml.kms_uri, self.periods)
    }

    /// The UID of `uri` for KMS period number `kms_period_no`.
    pub(crate) fn uid(&self, uri: &str, kms_period_no: u64) -> Option<[u8; UID_BYTES]> {
        self.params().uid(uri.as_bytes(), kms_period_no)
    }
}

/// One identity's validated key material for one key period. Either half may be missing when
/// the KMS sent it invalid: a rejected RSK does not take a valid SSK down with it.
pub struct KeyMaterial {
    /// The key set as received (secrets zeroized on drop); kept for the sealed key store.
    pub(crate) set: KmsKeySet,
    /// The key period this material serves, as the KMS numbers it (its `KeyPeriodNo`).
    pub(crate) period: u64,
    pub(crate) uid: [u8; UID_BYTES],
    /// Boxed: the SSK lies inline in a `Signer`, and a `KeyMaterial` is moved by plain copy
    /// (out of a `Vec` of outcomes, out of a map's node) leaving the old bytes unwiped in
    /// freed or still-live memory; behind a box, a move copies only the pointer.
    pub(crate) signer: Option<Box<Signer>>,
    pub(crate) receiver: Option<SakkeReceiver>,
}

/// The outcome of validating a key set: the material (if any half is good) and the refusals.
pub(crate) struct Validated {
    pub(crate) material: Option<KeyMaterial>,
    pub(crate) rejections: Vec<Rejection>,
}

impl KeyMaterial {
    /// Validates `set` for our period `period` at Unix time `now` against `cert`, for one of
    /// `identities`. Structural failures refuse the whole set; SSK and RSK are judged apart.
    pub(crate) fn validate<'a>(
        set: KmsKeySet,
        period: u64,
        cert: &Certificate,
        identities: impl IntoIterator<Item = &'a String>,
        encoding: IdEncoding,
        now: u64,
    ) -> Result<Validated, Rejection> {
        if set.kms_uri != cert.xml.kms_uri {
            return Err(Rejection::WrongKmsUri);
        }
        if !identities.into_iter().any(|i| *i == set.user_uri) {
            return Err(Rejection::UnknownIdentity);
        }
        if set.revoked {
            return Err(Rejection::Revoked);
        }
        let (period_start, period_end) = cert
            .period_bounds(period)
            .ok_or(Rejection::InvalidKeyPeriod)?;
        // A key set fetched ahead is not valid yet: it must start before the period it serves
        // ends, and must not have ended.
        let now_i = i64::try_from(now).unwrap_or(i64::MAX);
        let empty = matches!((set.valid_from, set.valid_to), (Some(f), Some(t)) if f >= t);
        let ended = set.valid_to.is_some_and(|t| t <= now_i);
        let too_late = set
            .valid_from
            .is_some_and(|f| f >= i64::try_from(period_end).unwrap_or(i64::MAX));
        // It must cover some of the period it is stored for.
        let too_early = set
            .valid_to
            .is_some_and(|t| t <= i64::try_from(period_start).unwrap_or(i64::MAX));
        if empty || ended || too_late || too_early {
            return Err(Rejection::NotValid);
        }
        let uid = cert
            .uid(&set.user_uri, set.key_period_no)
            .ok_or(Rejection::UidMismatch)?;
        if uid != set.user_id {
            return Err(Rejection::UidMismatch);
        }
        let id = encoding.identifier(&uid);
        let mut rejections = Vec::new();
        // Under the certificate's verifier: its KPAK is validated and its table built once.
        let signer = Signer::with_verifier(&cert.verifier, &id, &set.ssk, &set.pvt)
            .map(Box::new)
            .map_err(|_| rejections.push(Rejection::InvalidSsk))
            .ok();
        let receiver = SakkeReceiver::with_public(&cert.sakke, &id, &set.rsk)
            .map_err(|_| rejections.push(Rejection::InvalidRsk))
            .ok();
        let material = (signer.is_some() || receiver.is_some()).then_some(KeyMaterial {
            set,
            period,
            uid,
            signer,
            receiver,
        });
        Ok(Validated {
            material,
            rejections,
        })
    }

    /// The identity (`UserUri`).
    pub fn identity(&self) -> &str {
        &self.set.user_uri
    }

    /// The KMS's key period number (`KeyPeriodNo`).
    pub fn kms_period_no(&self) -> u64 {
        self.set.key_period_no
    }

    /// The UID.
    pub fn uid(&self) -> &[u8; UID_BYTES] {
        &self.uid
    }

    /// True when a valid SSK/PVT is held.
    pub fn can_sign(&self) -> bool {
        self.signer.is_some()
    }

    /// True when a valid RSK is held.
    pub fn can_decrypt(&self) -> bool {
        self.receiver.is_some()
    }

    /// True when both halves are held.
    pub fn is_complete(&self) -> bool {
        self.can_sign() && self.can_decrypt()
    }

    /// True when Unix time `now` is inside the set's ValidFrom/ValidTo (absent bounds are
    /// open): a set past its ValidTo never signs or decrypts.
    pub(crate) fn usable_at(&self, now: u64) -> bool {
        window_holds(self.set.valid_from, self.set.valid_to, now)
    }
}

/// True when Unix time `now` lies in `[from, to)` (absent bounds are open) and the window is
/// not empty.
fn window_holds(from: Option<i64>, to: Option<i64>, now: u64) -> bool {
    let now = i64::try_from(now).unwrap_or(i64::MAX);
    if let (Some(f), Some(t)) = (from, to) {
        if f >= t {
            return false;
        }
    }
    from.is_none_or(|f| f <= now) && to.is_none_or(|t| now < t)
}
