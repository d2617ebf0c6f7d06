//! A KMS security domain (TS 33.180 F.2.1, Table D.3.2.2-1): its `KmsUri`, its key periods
//! (`UserKeyPeriod`, `UserKeyOffset` and how the KMS numbers them) and how a UID becomes the
//! ECCSI/SAKKE identifier. [`KmsParams`] is the one checked type of a domain that the KMS side
//! (`kms::issue::KmsDomain::params`), the client (its certificates), MIKEY and the C API
//! (`mkc_kms_params`) hold or borrow, so that period numbers, bounds, UIDs and identifiers are
//! computed in one place; [`KeyPeriods`] is its periods part.
//!
//! TS 33.180 F.2.1 numbers periods from the NTP epoch: `n = floor((t_ntp - offset) / period)`.
//! A deployed KMS numbers them from the Unix epoch instead: `n = floor((t_unix - offset) /
//! period)`, whose boundaries fall elsewhere (with 30-day periods, about 7 days apart). The
//! client learns which numbering its KMS uses from the KMS's answers and then follows the
//! KMS's own boundaries ([`PeriodNumbering`]).

use crate::time::NTP_UNIX_OFFSET;
use crate::uid::{IdEncoding, UID_BYTES, derive_uid};

/// How a KMS numbers its key periods.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodNumbering {
    /// From the NTP epoch (1900-01-01 00:00 UTC), as TS 33.180 F.2.1 says.
    #[default]
    Ntp,
    /// From the Unix epoch (1970-01-01 00:00 UTC), as some KMSs do.
    Unix,
}

impl PeriodNumbering {
    /// Every numbering the client knows, the standard one first.
    pub const ALL: [Self; 2] = [Self::Ntp, Self::Unix];

    /// NTP seconds of the epoch periods are counted from.
    const fn epoch_ntp(self) -> u64 {
        match self {
            Self::Ntp => 0,
            Self::Unix => NTP_UNIX_OFFSET,
        }
    }
}

/// Why [`KeyPeriods::new`] refused its parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("UserKeyPeriod is zero, or period 0 does not end within 64-bit NTP seconds")]
pub struct InvalidKeyPeriod;

/// The key periods of a domain: length, offset and numbering, checked so that period 0 has
/// bounds. Every method is total: a time before period 0 or a bound past 2^64 NTP seconds
/// gives `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyPeriods {
    period_s: u64,
    offset_s: u64,
    numbering: PeriodNumbering,
}

impl KeyPeriods {
    /// `UserKeyPeriod` (seconds, not 0), `UserKeyOffset` (seconds from the numbering's epoch
    /// to the start of period 0) and the numbering.
    ///
    /// # Errors
    /// [`InvalidKeyPeriod`] when `period_s` is 0 or period 0 ends past 2^64 NTP seconds.
    pub fn new(
        period_s: u64,
        offset_s: u64,
        numbering: PeriodNumbering,
    ) -> Result<Self, InvalidKeyPeriod> {
        let periods = Self {
            period_s,
            offset_s,
            numbering,
        };
        if period_s == 0 || periods.end_ntp(0).is_none() {
            return Err(InvalidKeyPeriod);
        }
        Ok(periods)
    }

    /// `UserKeyPeriod`, seconds.
    pub fn period_s(&self) -> u64 {
        self.period_s
    }

    /// `UserKeyOffset`, seconds.
    pub fn offset_s(&self) -> u64 {
        self.offset_s
    }

    /// The numbering.
    pub fn numbering(&self) -> PeriodNumbering {
        self.numbering
    }

    /// The same periods under another numbering.
    pub fn with_numbering(self, numbering: PeriodNumbering) -> Option<Self> {
        Self::new(self.period_s, self.offset_s, numbering).ok()
    }

    /// The period number of NTP second `t_ntp`.
    pub fn number_at_ntp(&self, t_ntp: u64) -> Option<u64> {
        let since = t_ntp
            .checked_sub(self.numbering.epoch_ntp())?
            .checked_sub(self.offset_s)?;
        Some(since / self.period_s)
    }

    /// The period number of Unix second `unix_s`.
    pub fn number_at_unix(&self, unix_s: u64) -> Option<u64> {
        self.number_at_ntp(unix_s.checked_add(NTP_UNIX_OFFSET)?)
    }

    /// First NTP second of period `n`.
    pub fn start_ntp(&self, n: u64) -> Option<u64> {
        n.checked_mul(self.period_s)?
            .checked_add(self.offset_s)?
            .checked_add(self.numbering.epoch_ntp())
    }

    /// End of period `n` (exclusive), NTP seconds.
    pub fn end_ntp(&self, n: u64) -> Option<u64> {
        self.start_ntp(n.checked_add(1)?)
    }

    /// Unix seconds of the start of period `n` (0 when it starts before 1970) and of its end
    /// (exclusive; `None` when it ends before 1970 or past 2^64).
    pub fn bounds_unix(&self, n: u64) -> Option<(u64, u64)> {
        let start = self.start_ntp(n)?.saturating_sub(NTP_UNIX_OFFSET);
        let end = self.end_ntp(n)?.checked_sub(NTP_UNIX_OFFSET)?;
        Some((start, end))
    }

    /// Whether key period number `n` can be the answer to a request for the period of NTP
    /// second `t_ntp` under this numbering: `n` is that period or the next one (a KMS may
    /// send both, TS 33.180 D.3).
    pub fn answers(&self, t_ntp: u64, n: u64) -> bool {
        self.number_at_ntp(t_ntp)
            .is_some_and(|asked| n == asked || Some(n) == asked.checked_add(1))
    }
}

/// Why [`KmsParams::new`] refused a domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidDomain {
    /// The KmsUri is empty, longer than 65535 octets (a UID input is length-prefixed with 16
    /// bits), or holds a control character.
    #[error("KmsUri empty, longer than 65535 octets, or with a control character")]
    KmsUri,
    /// `UserKeyPeriod` is not in 1..=2^32-1 or `UserKeyOffset` above 2^32-1 (the ranges the
    /// KMS XML of TS 33.180 D.3 carries), or period 0 has no bounds.
    #[error("UserKeyPeriod outside 1..=4294967295 or UserKeyOffset above 4294967295")]
    KeyPeriod,
}

/// A KMS security domain as its users' identifiers are derived (TS 33.180 F.2.1): `KmsUri`
/// (borrowed), key periods and identifier encoding, checked when made. Copy it freely.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KmsParams<'a> {
    kms_uri: &'a str,
    periods: KeyPeriods,
    id_encoding: IdEncoding,
}

impl<'a> KmsParams<'a> {
    /// The domain `kms_uri` with `UserKeyPeriod` `period_s` and `UserKeyOffset` `offset_s`
    /// (seconds), periods numbered from the NTP epoch (TS 33.180 F.2.1) and raw-UID
    /// identifiers; see [`Self::with_numbering`] and [`Self::with_id_encoding`].
    ///
    /// # Errors
    /// [`InvalidDomain`] for a KmsUri or key periods outside their ranges.
    pub fn new(kms_uri: &'a str, period_s: u64, offset_s: u64) -> Result<Self, InvalidDomain> {
        if kms_uri.is_empty()
            || kms_uri.len() > usize::from(u16::MAX)
            || kms_uri.chars().any(char::is_control)
        {
            return Err(InvalidDomain::KmsUri);
        }
        let max = u64::from(u32::MAX);
        if period_s > max || offset_s > max {
            return Err(InvalidDomain::KeyPeriod);
        }
        let periods = KeyPeriods::new(period_s, offset_s, PeriodNumbering::Ntp)
            .map_err(|_| InvalidDomain::KeyPeriod)?;
        Ok(Self {
            kms_uri,
            periods,
            id_encoding: IdEncoding::Raw,
        })
    }

    /// A domain of parts checked elsewhere: `kms_uri` and `periods` of a certificate that
    /// passed [`Self::new`]'s checks when it was validated.
    pub(crate) fn of_checked(kms_uri: &'a str, periods: KeyPeriods) -> Self {
        Self {
            kms_uri,
            periods,
            id_encoding: IdEncoding::Raw,
        }
    }

    /// The same domain with its periods numbered as `numbering` says.
    #[must_use]
    pub fn with_numbering(mut self, numbering: PeriodNumbering) -> Self {
        // Both numberings of a period in the checked ranges have bounds.
        if let Some(periods) = self.periods.with_numbering(numbering) {
            self.periods = periods;
        }
        self
    }

    /// The same domain with another identifier encoding.
    #[must_use]
    pub fn with_id_encoding(mut self, id_encoding: IdEncoding) -> Self {
        self.id_encoding = id_encoding;
        self
    }

    /// `KmsUri`: P2 of the UID, and the value of IDRkmsi / IDRkmsr.
    pub fn kms_uri(&self) -> &'a str {
        self.kms_uri
    }

    /// The key periods.
    pub fn periods(&self) -> KeyPeriods {
        self.periods
    }

    /// How a UID becomes the ECCSI / SAKKE identifier.
    pub fn id_encoding(&self) -> IdEncoding {
        self.id_encoding
    }

    /// The key period of NTP second `t_ntp`, or `None` before period 0.
    pub fn period_of(&self, t_ntp: u64) -> Option<u64> {
        self.periods.number_at_ntp(t_ntp)
    }

    /// The UID (TS 33.180 F.2.1) of `user_uri` in key period `n`, or `None` for a URI longer
    /// than 65535 octets.
    pub fn uid(&self, user_uri: &[u8], n: u64) -> Option<[u8; UID_BYTES]> {
        derive_uid(
            user_uri,
            self.kms_uri.as_bytes(),
            self.periods.period_s(),
            self.periods.offset_s(),
            n,
        )
        .ok()
    }

    /// The ECCSI / SAKKE identifier of a UID under [`Self::id_encoding`].
    pub fn identifier(&self, uid: &[u8; UID_BYTES]) -> Vec<u8> {
        self.id_encoding.identifier(uid)
    }

    /// Key periods to try for NTP second `t_ntp`: its period n, then n - 1 when `t_ntp` is
    /// within `tolerance_s` after n's start, and n + 1 when within `tolerance_s` before n's
    /// end. Keys of a neighbouring period are accepted only across a nearby boundary, never
    /// for a whole extra period. `None` before period 0.
    pub fn candidates(&self, t_ntp: u64, tolerance_s: u64) -> Option<Vec<u64>> {
        let n = self.periods.number_at_ntp(t_ntp)?;
        let start = self.periods.start_ntp(n)?;
        let end = self.periods.end_ntp(n);
        let previous = n.checked_sub(1).filter(|_| t_ntp - start <= tolerance_s);
        let next = end
            .filter(|e| e - t_ntp <= tolerance_s)
            .and_then(|_| n.checked_add(1));
        Some([Some(n), previous, next].into_iter().flatten().collect())
    }
}

/// NTP seconds of a 32-bit NTP timestamp's seconds field, placed in the era RFC 4330 section 3
/// gives it: with the most significant bit set, 1968-2036 (era 0); clear, 2036-2104 (era 1).
pub fn ntp_seconds_in_era(seconds: u32) -> u64 {
    if seconds & 0x8000_0000 != 0 {
        u64::from(seconds)
    } else {
        u64::from(seconds) + (1 << 32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numberings_differ_by_the_epochs() {
        let ntp = KeyPeriods::new(2_592_000, 0, PeriodNumbering::Ntp).unwrap();
        let unix = ntp.with_numbering(PeriodNumbering::Unix).unwrap();
        let t = 1_800_000_000;
        assert_eq!(
            ntp.number_at_unix(t),
            Some((t + NTP_UNIX_OFFSET) / 2_592_000)
        );
        assert_eq!(unix.number_at_unix(t), Some(t / 2_592_000));
        let k = t / 2_592_000;
        assert_eq!(
            unix.bounds_unix(k),
            Some((k * 2_592_000, (k + 1) * 2_592_000))
        );
        assert!(unix.answers(t + NTP_UNIX_OFFSET, k));
        assert!(unix.answers(t + NTP_UNIX_OFFSET, k + 1));
        assert!(!ntp.answers(t + NTP_UNIX_OFFSET, k));
        assert_eq!(unix.number_at_unix(0), Some(0));
        assert_eq!(ntp.bounds_unix(0), None, "period 0 of NTP ends in 1900");
    }

    #[test]
    fn invalid_periods_are_refused() {
        assert_eq!(
            KeyPeriods::new(0, 0, PeriodNumbering::Ntp),
            Err(InvalidKeyPeriod)
        );
        assert_eq!(
            KeyPeriods::new(u64::MAX, 1, PeriodNumbering::Ntp),
            Err(InvalidKeyPeriod)
        );
        assert!(KeyPeriods::new(u64::MAX - NTP_UNIX_OFFSET + 1, 0, PeriodNumbering::Unix).is_err());
        let p = KeyPeriods::new(10, u64::MAX - 10, PeriodNumbering::Ntp).unwrap();
        assert_eq!(p.start_ntp(1), Some(u64::MAX));
        assert_eq!(p.end_ntp(1), None);
        assert_eq!(p.number_at_ntp(5), None);
    }

    #[test]
    fn a_domain_is_checked_when_made() {
        assert!(KmsParams::new("kms.example.org", 2_592_000, 0).is_ok());
        for uri in ["", "kms\u{1b}.org", "kms\n.org"] {
            assert_eq!(KmsParams::new(uri, 10, 0), Err(InvalidDomain::KmsUri));
        }
        let long = "k".repeat(65_536);
        assert_eq!(KmsParams::new(&long, 10, 0), Err(InvalidDomain::KmsUri));
        assert!(KmsParams::new(&long[..65_535], 10, 0).is_ok());
        for (period, offset) in [(0, 0), (1 << 32, 0), (10, 1 << 32)] {
            assert_eq!(
                KmsParams::new("k", period, offset),
                Err(InvalidDomain::KeyPeriod)
            );
        }
        let d = KmsParams::new("k", u64::from(u32::MAX), u64::from(u32::MAX)).unwrap();
        assert_eq!(
            d.with_numbering(PeriodNumbering::Unix)
                .periods()
                .numbering(),
            PeriodNumbering::Unix
        );
    }

    #[test]
    fn candidate_periods() {
        let kms = KmsParams::new("kms.example.org", 100, 50).unwrap();
        assert_eq!(kms.candidates(50, 0).unwrap(), [0]);
        assert_eq!(kms.candidates(50, 100).unwrap(), [0, 1]);
        assert_eq!(kms.candidates(349, 0).unwrap(), [2]);
        assert_eq!(kms.candidates(349, 1).unwrap(), [2, 3]);
        assert_eq!(kms.candidates(251, 1).unwrap(), [2, 1]);
        assert_eq!(kms.candidates(300, 49).unwrap(), [2]);
        assert_eq!(kms.candidates(349, 100).unwrap(), [2, 1, 3]);
        assert_eq!(kms.candidates(49, 0), None);
    }

    #[test]
    fn eras_follow_rfc_4330() {
        assert_eq!(ntp_seconds_in_era(0xD6B4_3232), 0xD6B4_3232);
        assert_eq!(ntp_seconds_in_era(0x8000_0000), 0x8000_0000);
        assert_eq!(ntp_seconds_in_era(5), (1 << 32) + 5);
        assert_eq!(ntp_seconds_in_era(0x7FFF_FFFF), (1 << 32) + 0x7FFF_FFFF);
    }
}
