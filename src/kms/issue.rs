//! KMS-side issuance of the TS 33.180 Annex D messages: the Root `KmsCertificate` a KMS answers
//! `init` with, and the `KmsKeySet` (UID, SSK, PVT, RSK) it answers `keyprov` with.
//!
//! The identifier of a user in one key period is the TS 33.180 F.2.1 UID, fed to ECCSI
//! (RFC 6507 5.1.1) and SAKKE (RFC 6508 6.1.1) as [`IdEncoding`] says. Key periods count NTP
//! seconds (`n = floor((t_ntp - UserKeyOffset) / UserKeyPeriod)`); times in the messages are
//! Unix seconds. For tests, demos and KMS builders; a handset never runs this.

use zeroize::Zeroizing;

use super::Kms;
use super::message::{CertificateRole, KmsCertificate, KmsKeySet};
use crate::Error;
use crate::domain::{InvalidDomain, KmsParams};
use crate::time::{NTP_UNIX_OFFSET, unix_to_ntp};
use crate::uid::{IdEncoding, UID_BYTES};

/// The `Version` attribute this module writes on a `KmsCertificate`.
pub const CERTIFICATE_VERSION: &str = "1.1.0";
/// The `Version` attribute this module writes on a `KmsKeySet` (fixed by the TS 33.180 D.3.5
/// schema).
pub const KEY_SET_VERSION: &str = "1.1.0";
/// `UserIdFormat` of the TS 33.180 F.2.1 UID.
pub const USER_ID_FORMAT_UID: &str = "2";
/// `ParameterSet` of the RFC 6509 SAKKE parameters, the only one defined.
pub const PARAMETER_SET_RFC6509: u64 = 1;

/// The public settings of a KMS's security domain: what its Root certificate announces and
/// what the UIDs of its users are derived from (TS 33.180 Table D.3.2.2-1, F.2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsDomain {
    /// `KmsUri`, the security domain; P2 of the UID, used octet for octet (e.g.
    /// `kms.example.org`).
    pub kms_uri: String,
    /// `UserKeyPeriod`, the key period length in seconds (P3 of the UID); 0 is invalid.
    pub user_key_period: u64,
    /// `UserKeyOffset`, seconds from 1900-01-01 00:00 UTC to the start of period 0 (P4 of the
    /// UID).
    pub user_key_offset: u64,
    /// How the UID becomes the ECCSI/SAKKE identifier: the 32 raw octets (TS 33.180) or their
    /// 64 lower-case hex digits.
    pub id_encoding: IdEncoding,
    /// `CertUri` of the Root certificate, also written in each key set.
    pub cert_uri: Option<String>,
    /// `ValidFrom` of the Root certificate, Unix seconds.
    pub valid_from: Option<i64>,
    /// `ValidTo` of the Root certificate, Unix seconds.
    pub valid_to: Option<i64>,
}

impl KmsDomain {
    /// A domain with the given KMS URI, period length and offset (both seconds), raw UID
    /// identifiers, and no `CertUri`, `ValidFrom` or `ValidTo`.
    pub fn new(kms_uri: impl Into<String>, user_key_period: u64, user_key_offset: u64) -> Self {
        Self {
            kms_uri: kms_uri.into(),
            user_key_period,
            user_key_offset,
            id_encoding: IdEncoding::Raw,
            cert_uri: None,
            valid_from: None,
            valid_to: None,
        }
    }

    /// A domain of the checked parameters `params`, with no `CertUri`, `ValidFrom` or
    /// `ValidTo`.
    pub fn from_params(params: KmsParams<'_>) -> Self {
        let mut domain = Self::new(
            params.kms_uri(),
            params.periods().period_s(),
            params.periods().offset_s(),
        );
        domain.id_encoding = params.id_encoding();
        domain
    }

    /// The domain's checked parameters, where its periods, UIDs and identifiers are computed
    /// (periods numbered from the NTP epoch, TS 33.180 F.2.1).
    ///
    /// # Errors
    /// [`InvalidDomain`] when a field is outside its range.
    pub fn params(&self) -> Result<KmsParams<'_>, InvalidDomain> {
        Ok(
            KmsParams::new(&self.kms_uri, self.user_key_period, self.user_key_offset)?
                .with_id_encoding(self.id_encoding),
        )
    }

    /// The key period number of Unix time `unix_s` (seconds since 1970-01-01 00:00 UTC) on the
    /// NTP time base of TS 33.180: `floor((unix_s + 2208988800 - offset) / period)`. `None`
    /// when the domain is invalid, or `unix_s` is before the NTP epoch or before the offset.
    pub fn key_period_for(&self, unix_s: i64) -> Option<u64> {
        self.params().ok()?.period_of(ntp_of_unix(unix_s)?)
    }

    /// The bounds of key period `n` as Unix seconds: (first second, first second of the next
    /// period). Each is `None` when it is before 1970-01-01 00:00 UTC, does not fit, or the
    /// domain is invalid.
    pub fn period_bounds_unix(&self, n: u64) -> (Option<i64>, Option<i64>) {
        let Ok(params) = self.params() else {
            return (None, None);
        };
        let periods = params.periods();
        let to_unix = |ntp: Option<u64>| {
            ntp.and_then(|t| t.checked_sub(NTP_UNIX_OFFSET))
                .and_then(|t| i64::try_from(t).ok())
        };
        (to_unix(periods.start_ntp(n)), to_unix(periods.end_ntp(n)))
    }

    /// The UID (TS 33.180 F.2.1, 32 octets) of `user_uri` in key period `key_period_no` of
    /// this domain.
    ///
    /// # Errors
    /// [`Error::InvalidLength`] when a URI is longer than 65535 octets or the domain is
    /// invalid.
    pub fn uid(&self, user_uri: &str, key_period_no: u64) -> Result<[u8; UID_BYTES], Error> {
        self.params()
            .map_err(|_| Error::InvalidLength)?
            .uid(user_uri.as_bytes(), key_period_no)
            .ok_or(Error::InvalidLength)
    }

    /// The ECCSI `ID` / SAKKE `b` of `user_uri` in key period `key_period_no`: the UID under
    /// [`Self::id_encoding`] (32 or 64 octets).
    ///
    /// # Errors
    /// [`Error::InvalidLength`] when a URI is longer than 65535 octets.
    pub fn identifier(&self, user_uri: &str, key_period_no: u64) -> Result<Vec<u8>, Error> {
        Ok(self
            .id_encoding
            .identifier(&self.uid(user_uri, key_period_no)?))
    }
}

/// NTP seconds of a signed Unix time, or `None` before the NTP epoch or on overflow.
fn ntp_of_unix(unix_s: i64) -> Option<u64> {
    if unix_s >= 0 {
        unix_to_ntp(u64::try_from(unix_s).ok()?)
    } else {
        NTP_UNIX_OFFSET.checked_sub(unix_s.unsigned_abs())
    }
}

impl Kms {
    /// The Root `KmsCertificate` of this KMS for `domain` (TS 33.180 Table D.3.2.2-1): Role
    /// Root, UserIdFormat "2" (the F.2.1 UID), ParameterSet 1 (RFC 6509), PubEncKey = Z_T
    /// (257 octets), PubAuthKey = KPAK (65 octets), and the domain's KmsUri, period, offset,
    /// CertUri and validity.
    pub fn certificate(&self, domain: &KmsDomain) -> KmsCertificate {
        KmsCertificate {
            version: Some(CERTIFICATE_VERSION.to_owned()),
            role: CertificateRole::Root,
            cert_uri: domain.cert_uri.clone(),
            kms_uri: domain.kms_uri.clone(),
            issuer: None,
            valid_from: domain.valid_from,
            valid_to: domain.valid_to,
            revoked: false,
            user_id_format: USER_ID_FORMAT_UID.to_owned(),
            user_key_period: domain.user_key_period,
            user_key_offset: domain.user_key_offset,
            pub_enc_key: self.z_t().to_vec(),
            pub_auth_key: self.kpak().to_bytes().to_vec(),
            parameter_set: Some(PARAMETER_SET_RFC6509),
            kms_domains: Vec::new(),
        }
    }

    /// Issues the `KmsKeySet` (TS 33.180 Table D.3.3.2-1) of `user_uri` for key period
    /// `key_period_no` of `domain`:
    /// UID = [`derive_uid`]`(user_uri, kms_uri, period, offset, key_period_no)` (F.2.1), the
    /// identifier is the UID under `domain.id_encoding`, (SSK, PVT) come from RFC 6507 5.1.1
    /// with a fresh v, the RSK from RFC 6508 6.1.1. ValidFrom / ValidTo are the bounds of the
    /// period on the NTP time base, in Unix seconds (`None` when before 1970). The SSK and RSK
    /// stay in zeroizing storage; Revoked is false.
    ///
    /// # Errors
    /// [`Error::InvalidLength`] when a URI is longer than 65535 octets, [`Error::InvalidKey`]
    /// in the negligible case b + z = 0 mod q, [`Error::Rng`] if the OS RNG fails.
    pub fn issue_key_set(
        &self,
        domain: &KmsDomain,
        user_uri: &str,
        key_period_no: u64,
    ) -> Result<KmsKeySet, Error> {
        let uid = domain.uid(user_uri, key_period_no)?;
        let id = domain.id_encoding.identifier(&uid);
        let eccsi = self.issue_eccsi(&id)?;
        let rsk = self.issue_sakke(&id)?;
        let (valid_from, valid_to) = domain.period_bounds_unix(key_period_no);
        Ok(KmsKeySet {
            version: Some(KEY_SET_VERSION.to_owned()),
            kms_uri: domain.kms_uri.clone(),
            cert_uri: domain.cert_uri.clone(),
            issuer: None,
            user_uri: user_uri.to_owned(),
            user_id: uid,
            valid_from,
            valid_to,
            key_period_no,
            revoked: false,
            rsk: Zeroizing::new(rsk.to_vec()),
            ssk: Zeroizing::new(eccsi.ssk().to_vec()),
            pvt: eccsi.pvt().to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eccsi::{Signer, Verifier};
    use crate::sakke::{SakkePublic, SakkeReceiver};
    use crate::uid::derive_uid;

    const USER: &str = "sip:alice@example.org";

    fn kms() -> Kms {
        let mut ksak = [0u8; 32];
        ksak[31] = 0x2a;
        ksak[0] = 0x11;
        let mut z = [0u8; 128];
        z[0] = 0x12;
        z[127] = 0x35;
        Kms::from_secrets(&ksak, &z).expect("secrets in range")
    }

    fn domain(encoding: IdEncoding) -> KmsDomain {
        KmsDomain {
            id_encoding: encoding,
            cert_uri: Some("cert1.kms.example.org".into()),
            ..KmsDomain::new("kms.example.org", 2_592_000, 0)
        }
    }

    #[test]
    fn certificate_carries_the_public_keys() {
        let kms = kms();
        let cert = kms.certificate(&domain(IdEncoding::Raw));
        assert_eq!(cert.role, CertificateRole::Root);
        assert_eq!(cert.user_id_format, "2");
        assert_eq!(cert.parameter_set, Some(1));
        assert_eq!(cert.kms_uri, "kms.example.org");
        assert_eq!(cert.cert_uri.as_deref(), Some("cert1.kms.example.org"));
        assert_eq!((cert.user_key_period, cert.user_key_offset), (2_592_000, 0));
        assert_eq!(cert.pub_auth_key, kms.kpak().to_bytes());
        assert_eq!(cert.pub_enc_key, kms.z_t());
        assert!(Verifier::new(&cert.pub_auth_key).is_ok());
        assert!(SakkePublic::new(&cert.pub_enc_key).is_ok());
    }

    #[test]
    fn key_sets_validate_under_their_own_encoding_only() {
        let kms = kms();
        let kpak = kms.kpak().to_bytes();
        let z_t = kms.z_t();
        for (encoding, other) in [
            (IdEncoding::Raw, IdEncoding::Hex),
            (IdEncoding::Hex, IdEncoding::Raw),
        ] {
            let domain = domain(encoding);
            let set = kms.issue_key_set(&domain, USER, 1490).expect("issue");
            let uid = derive_uid(USER.as_bytes(), b"kms.example.org", 2_592_000, 0, 1490).unwrap();
            assert_eq!(set.user_id, uid);
            assert_eq!(set.key_period_no, 1490);
            assert_eq!(set.user_uri, USER);
            assert_eq!(set.kms_uri, "kms.example.org");
            assert!(!set.revoked);
            assert_eq!((set.ssk.len(), set.pvt.len(), set.rsk.len()), (32, 65, 257));

            let id = encoding.identifier(&uid);
            assert_eq!(id.len(), if encoding == IdEncoding::Raw { 32 } else { 64 });
            assert!(Signer::new(&kpak, &id, &set.ssk, &set.pvt).is_ok());
            assert!(SakkeReceiver::new(&z_t, &id, &set.rsk).is_ok());

            let wrong = other.identifier(&uid);
            assert!(Signer::new(&kpak, &wrong, &set.ssk, &set.pvt).is_err());
            assert!(SakkeReceiver::new(&z_t, &wrong, &set.rsk).is_err());
        }
    }

    #[test]
    fn key_set_of_another_period_does_not_validate() {
        let kms = kms();
        let domain = domain(IdEncoding::Raw);
        let set = kms.issue_key_set(&domain, USER, 7).expect("issue");
        let next = domain.identifier(USER, 8).unwrap();
        assert_eq!(next.len(), UID_BYTES);
        assert!(Signer::new(&kms.kpak().to_bytes(), &next, &set.ssk, &set.pvt).is_err());
    }

    #[test]
    fn validity_is_the_ntp_period_in_unix_seconds() {
        let kms = kms();
        let domain = domain(IdEncoding::Raw);
        // 2025-06-21 09:00:00 UTC.
        let now = 1_750_496_400_i64;
        let n = domain.key_period_for(now).expect("period");
        assert_eq!(n, (now as u64 + NTP_UNIX_OFFSET) / 2_592_000);
        let set = kms.issue_key_set(&domain, USER, n).expect("issue");
        let (from, to) = (set.valid_from.unwrap(), set.valid_to.unwrap());
        assert!(from <= now && now < to);
        assert_eq!(to - from, 2_592_000);
        assert_eq!(
            (from as u64 + NTP_UNIX_OFFSET) % 2_592_000,
            0,
            "starts on an NTP period boundary"
        );
        assert_eq!(domain.key_period_for(to), Some(n + 1));
        assert_eq!(domain.key_period_for(to - 1), Some(n));
    }

    #[test]
    fn periods_before_1970_have_no_unix_bounds() {
        let domain = domain(IdEncoding::Raw);
        // Period 0 starts at NTP 0 (1900) and ends long before 1970.
        assert_eq!(domain.period_bounds_unix(0), (None, None));
        // The period holding the Unix epoch starts before it and ends after it.
        let n = domain.key_period_for(0).unwrap();
        let (from, to) = domain.period_bounds_unix(n);
        assert_eq!(from, None);
        assert!(to.unwrap() > 0);
        assert_eq!(domain.key_period_for(-(NTP_UNIX_OFFSET as i64)), Some(0));
        assert_eq!(domain.key_period_for(-(NTP_UNIX_OFFSET as i64) - 1), None);
        let zero = KmsDomain::new("kms.example.org", 0, 0);
        assert_eq!(zero.key_period_for(0), None);
        assert_eq!(zero.period_bounds_unix(1), (None, None));
    }

    #[test]
    fn offset_shifts_the_periods() {
        let domain = KmsDomain::new("kms.example.org", 100, 50);
        // NTP 2208988800 + 0 - 50 = ..., floor / 100.
        let n = domain.key_period_for(0).unwrap();
        assert_eq!(n, (NTP_UNIX_OFFSET - 50) / 100);
        let (from, to) = domain.period_bounds_unix(n + 1);
        assert_eq!(to.unwrap() - from.unwrap(), 100);
        assert_eq!((from.unwrap() as u64 + NTP_UNIX_OFFSET - 50) % 100, 0);
    }
}
