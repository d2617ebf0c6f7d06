//! The MIKEY-SAKKE user identifier (UID) of 3GPP TS 33.180 Annex F.2.1 (carried over from
//! TS 33.179 F.2.1): the 32-octet identifier a handset feeds to ECCSI (RFC 6507 `ID`) and SAKKE
//! (RFC 6508 `a`/`b`) for a user URI in one key period.
//!
//! `UID = SHA-256(S)`: plain SHA-256, no key, no HMAC, no truncation, over the TS 33.220 Annex B
//! style string
//!
//! ```text
//! S = 0x00 || "MIKEY-SAKKE-UID" || 0x000F || P1 || L1 || P2 || L2 || P3 || L3 || P4 || L4 || P5 || L5
//! ```
//!
//! with P1 the user URI and P2 the KMS URI (octets exactly as the KMS wrote them in `UserUri`
//! and `KmsUri`), P3 the key period length (`UserKeyPeriod`, seconds), P4 the key period offset
//! (`UserKeyOffset`, seconds) and P5 the key period number (`KeyPeriodNo`). Each Li is the
//! length of Pi in two octets, big-endian; the integers P3..P5 are big-endian in the fewest
//! octets, zero being the one octet 0x00. Everything here is public data.

use crate::Error;
use sha2::{Digest, Sha256};

/// Octets of a UID: a full SHA-256 output.
pub const UID_BYTES: usize = 32;

/// FC, the dummy function code that starts S.
const FC: u8 = 0x00;
/// P0, the fixed label; its length L0 is 0x000F.
const LABEL: &[u8] = b"MIKEY-SAKKE-UID";

/// Appends `Pi || Li`, or fails when `Pi` is too long for a two-octet length.
fn push_field(s: &mut Vec<u8>, field: &[u8]) -> Result<(), Error> {
    let len = u16::try_from(field.len()).map_err(|_| Error::InvalidLength)?;
    s.extend_from_slice(field);
    s.extend_from_slice(&len.to_be_bytes());
    Ok(())
}

/// `value` big-endian in the fewest octets; zero is the one octet 0x00.
fn minimal_be(value: u64) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let skip = (value.leading_zeros() / 8).min(7) as usize;
    bytes[skip..].to_vec()
}

/// The string S of TS 33.180 F.2.1 that [`derive_uid`] hashes: `0x00 || "MIKEY-SAKKE-UID" ||
/// 0x000F || user_uri || L1 || kms_uri || L2 || key_period_s || L3 || key_offset_s || L4 ||
/// period_no || L5`.
///
/// `user_uri` and `kms_uri` are used octet for octet (no `sip:` added or stripped, no
/// normalisation). `key_period_s` and `key_offset_s` are seconds, `period_no` the key period
/// number as the KMS gives it in `KeyPeriodNo`.
///
/// # Errors
/// [`Error::InvalidLength`] when a URI is longer than 65535 octets (its length does not fit
/// the two-octet Li).
pub fn uid_input(
    user_uri: &[u8],
    kms_uri: &[u8],
    key_period_s: u64,
    key_offset_s: u64,
    period_no: u64,
) -> Result<Vec<u8>, Error> {
    // 1 + 15 + 2, the two URIs with their lengths, three integers of at most 8 + 2 octets.
    let capacity = 18 + user_uri.len() + kms_uri.len() + 4 + 3 * 10;
    let mut s = Vec::with_capacity(capacity);
    s.push(FC);
    push_field(&mut s, LABEL)?;
    push_field(&mut s, user_uri)?;
    push_field(&mut s, kms_uri)?;
    for value in [key_period_s, key_offset_s, period_no] {
        push_field(&mut s, &minimal_be(value))?;
    }
    Ok(s)
}

/// The UID of TS 33.180 F.2.1: SHA-256 of [`uid_input`]`(user_uri, kms_uri, key_period_s,
/// key_offset_s, period_no)`, 32 octets.
///
/// To check a key set from a KMS, compute the UID from the key set's own `KeyPeriodNo` and
/// compare it with its `UserID`: some KMSs count periods from the Unix epoch rather than NTP's.
///
/// # Errors
/// [`Error::InvalidLength`] when a URI is longer than 65535 octets.
pub fn derive_uid(
    user_uri: &[u8],
    kms_uri: &[u8],
    key_period_s: u64,
    key_offset_s: u64,
    period_no: u64,
) -> Result<[u8; UID_BYTES], Error> {
    let s = uid_input(user_uri, kms_uri, key_period_s, key_offset_s, period_no)?;
    Ok(Sha256::digest(&s).into())
}

/// How a UID is fed to ECCSI and SAKKE as the identifier (`ID` of RFC 6507, `b` of RFC 6508).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum IdEncoding {
    /// The 32 UID octets, as TS 33.180 F.2.1 specifies.
    #[default]
    Raw,
    /// The 64 lower-case hex digits of the UID as ASCII text (64 octets), as one vendor's KMS
    /// does.
    Hex,
}

impl IdEncoding {
    /// The identifier octets for `uid` under this encoding: 32 or 64 octets.
    pub fn identifier(self, uid: &[u8; UID_BYTES]) -> Vec<u8> {
        match self {
            Self::Raw => uid.to_vec(),
            Self::Hex => base16ct::lower::encode_string(uid).into_bytes(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_take_the_fewest_octets() {
        assert_eq!(minimal_be(0), [0x00]);
        assert_eq!(minimal_be(1), [0x01]);
        assert_eq!(minimal_be(0xFF), [0xFF]);
        assert_eq!(minimal_be(0x100), [0x01, 0x00]);
        assert_eq!(minimal_be(2_592_000), [0x27, 0x8D, 0x00]);
        assert_eq!(minimal_be(u64::MAX), [0xFF; 8]);
    }

    #[test]
    fn hex_identifier_is_lower_case_text() {
        let mut uid = [0u8; UID_BYTES];
        uid[0] = 0xAB;
        uid[31] = 0x0F;
        assert_eq!(IdEncoding::Raw.identifier(&uid), uid.to_vec());
        let hex = IdEncoding::Hex.identifier(&uid);
        assert_eq!(hex.len(), 64);
        assert_eq!(&hex[..2], b"ab");
        assert_eq!(&hex[62..], b"0f");
    }
}
