//! The payloads of a MIKEY-SAKKE I_MESSAGE: T (RFC 3830 6.6), RAND (6.11), IDR (RFC 6043
//! 6.6), SP (RFC 3830 6.10), SAKKE (RFC 6509 4.2), General Extension (RFC 3830 6.15) and SIGN
//! (RFC 3830 6.5). Each payload but SIGN starts with the type of the payload that follows it
//! (the "next payload" octet); readers here start after that octet and writers emit it.

use super::codec::{Reader, len_u8, len_u16};
use super::{MikeyError, Part};

/// Payload type numbers (RFC 3830 6.1, RFC 6043 6.1, RFC 6509 4.1) used in the "next payload"
/// fields.
pub mod payload_type {
    /// No further payload.
    pub const LAST: u8 = 0;
    /// SIGN (RFC 3830 6.5).
    pub const SIGN: u8 = 4;
    /// T, timestamp (RFC 3830 6.6).
    pub const T: u8 = 5;
    /// SP, security policy (RFC 3830 6.10).
    pub const SP: u8 = 10;
    /// RAND (RFC 3830 6.11).
    pub const RAND: u8 = 11;
    /// IDR, identity with a role (RFC 6043 6.6).
    pub const IDR: u8 = 14;
    /// General Extension (RFC 3830 6.15).
    pub const GENERAL_EXTENSION: u8 = 21;
    /// SAKKE (RFC 6509 4.2).
    pub const SAKKE: u8 = 26;
}

/// TS type NTP-UTC (RFC 3830 6.6): 64-bit NTP timestamp in UTC, what TS 33.180 E.1 requires.
pub const TS_NTP_UTC: u8 = 0;
/// TS type NTP (RFC 3830 6.6): 64-bit NTP timestamp, local time.
pub const TS_NTP: u8 = 1;
/// TS type COUNTER (RFC 3830 6.6): 32-bit counter.
pub const TS_COUNTER: u8 = 2;

/// The T payload (RFC 3830 6.6): `next (8) | TS type (8) | TS value (64 or 32)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timestamp {
    /// NTP-UTC (type 0): seconds since 1900-01-01 UTC in the upper 32 bits, fraction below.
    NtpUtc(u64),
    /// NTP (type 1), local time.
    Ntp(u64),
    /// COUNTER (type 2).
    Counter(u32),
}

impl Timestamp {
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, MikeyError> {
        let part = Part::T;
        match r.u8(part)? {
            TS_NTP_UTC => Ok(Self::NtpUtc(r.u64(part)?)),
            TS_NTP => Ok(Self::Ntp(r.u64(part)?)),
            TS_COUNTER => Ok(Self::Counter(r.u32(part)?)),
            other => Err(MikeyError::UnknownTimestampType(other)),
        }
    }

    pub(crate) fn write(&self, next: u8, out: &mut Vec<u8>) {
        match self {
            Self::NtpUtc(t) => {
                out.extend_from_slice(&[next, TS_NTP_UTC]);
                out.extend_from_slice(&t.to_be_bytes());
            }
            Self::Ntp(t) => {
                out.extend_from_slice(&[next, TS_NTP]);
                out.extend_from_slice(&t.to_be_bytes());
            }
            Self::Counter(c) => {
                out.extend_from_slice(&[next, TS_COUNTER]);
                out.extend_from_slice(&c.to_be_bytes());
            }
        }
    }
}

/// The RAND payload (RFC 3830 6.11): `next (8) | RAND len (8) | RAND`.
pub(crate) fn read_rand(r: &mut Reader<'_>) -> Result<Vec<u8>, MikeyError> {
    let len = r.u8(Part::Rand)?;
    Ok(r.counted(usize::from(len), Part::Rand)?.to_vec())
}

pub(crate) fn write_rand(rand: &[u8], next: u8, out: &mut Vec<u8>) -> Result<(), MikeyError> {
    out.extend_from_slice(&[next, len_u8(rand.len(), Part::Rand)?]);
    out.extend_from_slice(rand);
    Ok(())
}

/// The role of an IDR payload (RFC 6043 6.6; roles 8 and 9 from TS 33.180 E.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdRole {
    /// IDRi (1): the initiator's URI.
    Initiator,
    /// IDRr (2): the responder's URI.
    Responder,
    /// IDRkms (3).
    Kms,
    /// IDRpsk (4).
    Psk,
    /// IDRapp (5).
    App,
    /// IDRkmsi (6): the URI of the initiator's KMS.
    InitiatorKms,
    /// IDRkmsr (7): the URI of the responder's KMS.
    ResponderKms,
    /// IDRuidi (8): the initiator's UID in place of its URI (identity hiding, TS 33.180 E.7).
    InitiatorUid,
    /// IDRuidr (9): the responder's UID in place of its URI (identity hiding, TS 33.180 E.7).
    ResponderUid,
    /// Any other role value, kept as received.
    Other(u8),
}

impl IdRole {
    /// The role from its octet.
    pub fn from_u8(value: u8) -> Self {
        match value {
            1 => Self::Initiator,
            2 => Self::Responder,
            3 => Self::Kms,
            4 => Self::Psk,
            5 => Self::App,
            6 => Self::InitiatorKms,
            7 => Self::ResponderKms,
            8 => Self::InitiatorUid,
            9 => Self::ResponderUid,
            other => Self::Other(other),
        }
    }

    /// The role's octet.
    pub fn to_u8(self) -> u8 {
        match self {
            Self::Initiator => 1,
            Self::Responder => 2,
            Self::Kms => 3,
            Self::Psk => 4,
            Self::App => 5,
            Self::InitiatorKms => 6,
            Self::ResponderKms => 7,
            Self::InitiatorUid => 8,
            Self::ResponderUid => 9,
            Self::Other(other) => other,
        }
    }
}

/// ID type NAI (RFC 6043 6.6).
pub const ID_TYPE_NAI: u8 = 0;
/// ID type URI (RFC 6043 6.6). TS 33.180 E.7 replaces only the role when it hides an identity,
/// so a UID travels with this type too (as in deployed products).
pub const ID_TYPE_URI: u8 = 1;
/// ID type byte string (RFC 6043 6.6).
pub const ID_TYPE_BYTE_STRING: u8 = 2;

/// An IDR payload (RFC 6043 6.6): `next (8) | ID Role (8) | ID Type (8) | ID len (16) | ID data`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Idr {
    /// The role.
    pub role: IdRole,
    /// The ID type ([`ID_TYPE_URI`] in TS 33.180).
    pub id_type: u8,
    /// The identity: a URI's octets, or a 32-octet UID for the roles 8 and 9.
    pub data: Vec<u8>,
}

impl Idr {
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, MikeyError> {
        let part = Part::Idr;
        let role = IdRole::from_u8(r.u8(part)?);
        let id_type = r.u8(part)?;
        let len = r.u16(part)?;
        let data = r.counted(usize::from(len), part)?.to_vec();
        Ok(Self {
            role,
            id_type,
            data,
        })
    }

    pub(crate) fn write(&self, next: u8, out: &mut Vec<u8>) -> Result<(), MikeyError> {
        out.extend_from_slice(&[next, self.role.to_u8(), self.id_type]);
        out.extend_from_slice(&len_u16(self.data.len(), Part::Idr)?.to_be_bytes());
        out.extend_from_slice(&self.data);
        Ok(())
    }
}

/// SRTP policy parameter types (RFC 3830 6.10.1 and the SRTP profile tables of TS 33.180 E.2
/// and E.3).
pub mod srtp_param {
    /// Encryption algorithm (6 = AES-GCM).
    pub const ENCRYPTION_ALGORITHM: u8 = 0;
    /// Session encryption key length, octets.
    pub const ENCRYPTION_KEY_LENGTH: u8 = 1;
    /// Authentication algorithm (4 = RCCm3, unauthenticated ROC).
    pub const AUTHENTICATION_ALGORITHM: u8 = 2;
    /// Session salt key length, octets.
    pub const SALT_KEY_LENGTH: u8 = 4;
    /// SRTP pseudo-random function (0 = AES-CM).
    pub const PRF: u8 = 5;
    /// Key derivation rate (0 = no session key refresh).
    pub const KEY_DERIVATION_RATE: u8 = 6;
    /// ROC transmission rate (1 = in every packet).
    pub const ROC_TRANSMISSION_RATE: u8 = 13;
    /// SRTP authentication tag length, octets.
    pub const SRTP_AUTH_TAG_LENGTH: u8 = 18;
    /// SRTCP authentication tag length, octets.
    pub const SRTCP_AUTH_TAG_LENGTH: u8 = 19;
    /// AEAD authentication tag length, octets.
    pub const AEAD_AUTH_TAG_LENGTH: u8 = 20;
}

/// One policy parameter of an SP payload: `type (8) | length (8) | value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyParam {
    /// The parameter type (see [`srtp_param`]).
    pub param_type: u8,
    /// The value octets (one octet for every SRTP parameter TS 33.180 uses).
    pub value: Vec<u8>,
}

/// The SP payload (RFC 3830 6.10):
/// `next (8) | Policy no (8) | Prot type (8) | Policy param length (16) | params`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityPolicy {
    /// Policy number, referred to by the crypto sessions of the header.
    pub policy_no: u8,
    /// Protocol type (0 = SRTP).
    pub prot_type: u8,
    /// The parameters, in order.
    pub params: Vec<PolicyParam>,
}

impl SecurityPolicy {
    fn srtp(pairs: &[(u8, u8)]) -> Self {
        Self {
            policy_no: 0,
            prot_type: super::header::PROT_SRTP,
            params: pairs
                .iter()
                .map(|&(param_type, value)| PolicyParam {
                    param_type,
                    value: vec![value],
                })
                .collect(),
        }
    }

    /// Policy 0, the default SRTP profile of a GMK (TS 33.180 Table E.2-1): AES-GCM, 16-octet
    /// key, RCCm3, 12-octet salt, AES-CM PRF, KDR 0, ROC in every packet, SRTP tag 4, SRTCP tag
    /// 0, AEAD tag 16.
    pub fn gmk_default() -> Self {
        use srtp_param::*;
        Self::srtp(&[
            (ENCRYPTION_ALGORITHM, 6),
            (ENCRYPTION_KEY_LENGTH, 16),
            (AUTHENTICATION_ALGORITHM, 4),
            (SALT_KEY_LENGTH, 12),
            (PRF, 0),
            (KEY_DERIVATION_RATE, 0),
            (ROC_TRANSMISSION_RATE, 1),
            (SRTP_AUTH_TAG_LENGTH, 4),
            (SRTCP_AUTH_TAG_LENGTH, 0),
            (AEAD_AUTH_TAG_LENGTH, 16),
        ])
    }

    /// Policy 0, the default SRTP profile of a PCK (TS 33.180 Table E.3-1), also used here for
    /// a CSK: AES-GCM, 16-octet key, 12-octet salt, AES-CM PRF, KDR 0, AEAD tag 16.
    pub fn pck_default() -> Self {
        use srtp_param::*;
        Self::srtp(&[
            (ENCRYPTION_ALGORITHM, 6),
            (ENCRYPTION_KEY_LENGTH, 16),
            (SALT_KEY_LENGTH, 12),
            (PRF, 0),
            (KEY_DERIVATION_RATE, 0),
            (AEAD_AUTH_TAG_LENGTH, 16),
        ])
    }

    /// The value of the first parameter of type `param_type`, if any.
    pub fn param(&self, param_type: u8) -> Option<&[u8]> {
        self.params
            .iter()
            .find(|p| p.param_type == param_type)
            .map(|p| p.value.as_slice())
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, MikeyError> {
        let part = Part::Sp;
        let policy_no = r.u8(part)?;
        let prot_type = r.u8(part)?;
        let len = r.u16(part)?;
        let mut inner = Reader::new(r.counted(usize::from(len), part)?);
        let mut params = Vec::new();
        while inner.remaining() > 0 {
            let param_type = inner.u8(part)?;
            let value_len = inner.u8(part)?;
            let value = inner.counted(usize::from(value_len), part)?.to_vec();
            params.push(PolicyParam { param_type, value });
        }
        Ok(Self {
            policy_no,
            prot_type,
            params,
        })
    }

    pub(crate) fn write(&self, next: u8, out: &mut Vec<u8>) -> Result<(), MikeyError> {
        let part = Part::Sp;
        let mut body = Vec::new();
        for p in &self.params {
            body.extend_from_slice(&[p.param_type, len_u8(p.value.len(), part)?]);
            body.extend_from_slice(&p.value);
        }
        out.extend_from_slice(&[next, self.policy_no, self.prot_type]);
        out.extend_from_slice(&len_u16(body.len(), part)?.to_be_bytes());
        out.extend_from_slice(&body);
        Ok(())
    }
}

/// SAKKE params value of parameter set 1 (RFC 6509 4.2, Appendix A).
pub const SAKKE_PARAMS_SET_1: u8 = 1;
/// SAKKE ID scheme 1: tel URI with monthly keys (RFC 6509 4.2).
pub const ID_SCHEME_TEL_URI_MONTHLY: u8 = 1;
/// SAKKE ID scheme 2: the TS 33.180 F.2.1 hashed UID ("3GPP MCX hashed UID"), as deployed
/// products send it.
pub const ID_SCHEME_3GPP_UID: u8 = 2;

/// The SAKKE payload (RFC 6509 4.2):
/// `next (8) | SAKKE params (8) | ID scheme (8) | SAKKE data length (16) | SAKKE data`, the data
/// being the Encapsulated Data R (257) || H (16) of RFC 6508 for parameter set 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SakkePayload {
    /// SAKKE params ([`SAKKE_PARAMS_SET_1`]).
    pub params: u8,
    /// ID scheme ([`ID_SCHEME_3GPP_UID`] in TS 33.180).
    pub id_scheme: u8,
    /// The SAKKE Encapsulated Data (273 octets for parameter set 1).
    pub data: Vec<u8>,
}

impl SakkePayload {
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, MikeyError> {
        let part = Part::Sakke;
        let params = r.u8(part)?;
        let id_scheme = r.u8(part)?;
        let len = r.u16(part)?;
        let data = r.counted(usize::from(len), part)?.to_vec();
        Ok(Self {
            params,
            id_scheme,
            data,
        })
    }

    pub(crate) fn write(&self, next: u8, out: &mut Vec<u8>) -> Result<(), MikeyError> {
        out.extend_from_slice(&[next, self.params, self.id_scheme]);
        out.extend_from_slice(&len_u16(self.data.len(), Part::Sakke)?.to_be_bytes());
        out.extend_from_slice(&self.data);
        Ok(())
    }
}

/// General Extension type "SAKKE-to-self" (TS 33.180 E.5).
pub const EXT_SAKKE_TO_SELF: u8 = 6;
/// General Extension type "3GPP key parameters" (TS 33.180 E.6).
pub const EXT_KEY_PARAMETERS: u8 = 7;

/// A General Extension payload (RFC 3830 6.15): `next (8) | Type (8) | Length (16) | Data`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GeneralExtension {
    /// Type 6, SAKKE-to-self (TS 33.180 E.5): a whole SAKKE payload encapsulating the key to the
    /// initiator's own UID. Its inner next-payload octet is written 0 and ignored on reading.
    SakkeToSelf(SakkePayload),
    /// Type 7, 3GPP key parameters (TS 33.180 E.6): an MCData protected payload under the
    /// distributed key, kept opaque here.
    KeyParameters(Vec<u8>),
    /// Any other type, kept opaque.
    Other {
        /// The extension type.
        ext_type: u8,
        /// The data.
        data: Vec<u8>,
    },
}

impl GeneralExtension {
    /// The extension type octet.
    pub fn ext_type(&self) -> u8 {
        match self {
            Self::SakkeToSelf(_) => EXT_SAKKE_TO_SELF,
            Self::KeyParameters(_) => EXT_KEY_PARAMETERS,
            Self::Other { ext_type, .. } => *ext_type,
        }
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, MikeyError> {
        let part = Part::GeneralExtension;
        let ext_type = r.u8(part)?;
        let len = r.u16(part)?;
        let data = r.counted(usize::from(len), part)?;
        Ok(match ext_type {
            EXT_SAKKE_TO_SELF => {
                let mut inner = Reader::new(data);
                let _ignored_next = inner.u8(Part::SakkeToSelf)?;
                let sakke =
                    SakkePayload::read(&mut inner).map_err(|e| e.within(Part::SakkeToSelf))?;
                if inner.remaining() != 0 {
                    return Err(MikeyError::TrailingData(Part::SakkeToSelf));
                }
                Self::SakkeToSelf(sakke)
            }
            EXT_KEY_PARAMETERS => Self::KeyParameters(data.to_vec()),
            other => Self::Other {
                ext_type: other,
                data: data.to_vec(),
            },
        })
    }

    pub(crate) fn write(&self, next: u8, out: &mut Vec<u8>) -> Result<(), MikeyError> {
        let mut inner = Vec::new();
        let data = match self {
            Self::SakkeToSelf(sakke) => {
                sakke.write(payload_type::LAST, &mut inner)?;
                &inner[..]
            }
            Self::KeyParameters(data) | Self::Other { data, .. } => &data[..],
        };
        out.extend_from_slice(&[next, self.ext_type()]);
        out.extend_from_slice(&len_u16(data.len(), Part::GeneralExtension)?.to_be_bytes());
        out.extend_from_slice(data);
        Ok(())
    }
}

/// S type ECCSI (RFC 6509 4.3): the SIGN payload carries an RFC 6507 signature, r (32) || s
/// (32) || PVT (65) = 129 octets.
pub const SIGN_TYPE_ECCSI: u8 = 2;

/// The SIGN payload (RFC 3830 6.5): `S type (4) | Signature len (12) | Signature`. It is always
/// last and has no next-payload field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// S type ([`SIGN_TYPE_ECCSI`]).
    pub sig_type: u8,
    /// The signature.
    pub data: Vec<u8>,
}

impl Signature {
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, MikeyError> {
        let part = Part::Sign;
        let head = r.u16(part)?;
        let len = usize::from(head & 0x0fff);
        let data = r.counted(len, part)?.to_vec();
        Ok(Self {
            sig_type: (head >> 12) as u8,
            data,
        })
    }

    /// The two header octets: S type and the 12-bit length.
    pub(crate) fn header(sig_type: u8, len: usize) -> Result<[u8; 2], MikeyError> {
        if sig_type > 0x0f || len > 0x0fff {
            return Err(MikeyError::TooLong(Part::Sign));
        }
        let head = u16::from(sig_type) << 12 | len_u16(len, Part::Sign)?;
        Ok(head.to_be_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sp_round_trip_and_layout() {
        let sp = SecurityPolicy::gmk_default();
        let mut out = Vec::new();
        sp.write(payload_type::SAKKE, &mut out).unwrap();
        assert_eq!(out[..5], [26, 0, 0, 0, 30]);
        assert_eq!(out.len(), 5 + 30);
        let mut r = Reader::new(&out[1..]);
        assert_eq!(SecurityPolicy::read(&mut r).unwrap(), sp);
        assert_eq!(sp.param(srtp_param::AEAD_AUTH_TAG_LENGTH), Some(&[16][..]));
        assert_eq!(sp.param(3), None);
    }

    #[test]
    fn sp_parameter_past_its_payload() {
        // Policy param length 3, but the parameter claims 5 octets of value.
        let bytes = [0, 0, 0, 3, 0, 5, 6];
        assert_eq!(
            SecurityPolicy::read(&mut Reader::new(&bytes)),
            Err(MikeyError::LengthPastEnd(Part::Sp))
        );
    }

    #[test]
    fn sakke_to_self_nests_a_sakke_payload() {
        let ext = GeneralExtension::SakkeToSelf(SakkePayload {
            params: SAKKE_PARAMS_SET_1,
            id_scheme: ID_SCHEME_3GPP_UID,
            data: vec![0xaa; 3],
        });
        let mut out = Vec::new();
        ext.write(payload_type::SIGN, &mut out).unwrap();
        assert_eq!(out, [4, 6, 0, 8, 0, 1, 2, 0, 3, 0xaa, 0xaa, 0xaa]);
        assert_eq!(
            GeneralExtension::read(&mut Reader::new(&out[1..])).unwrap(),
            ext
        );
        // An inner SAKKE payload shorter than the extension says.
        let bad = [6, 0, 9, 0, 1, 2, 0, 3, 0xaa, 0xaa, 0xaa, 0];
        assert_eq!(
            GeneralExtension::read(&mut Reader::new(&bad)),
            Err(MikeyError::TrailingData(Part::SakkeToSelf))
        );
    }

    #[test]
    fn sign_header_packs_type_and_length() {
        assert_eq!(
            Signature::header(SIGN_TYPE_ECCSI, 129).unwrap(),
            [0x20, 0x81]
        );
        assert!(Signature::header(16, 1).is_err());
        assert!(Signature::header(2, 4096).is_err());
        let mut r = Reader::new(&[0x20, 0x02, 7, 8]);
        assert_eq!(
            Signature::read(&mut r).unwrap(),
            Signature {
                sig_type: 2,
                data: vec![7, 8]
            }
        );
    }

    #[test]
    fn roles_round_trip() {
        for v in 0..=255u8 {
            assert_eq!(IdRole::from_u8(v).to_u8(), v);
        }
    }
}
