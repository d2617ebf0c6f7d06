//! The MIKEY common header (RFC 3830 6.1) with the CS ID map types SRTP-ID (RFC 3830 6.1.1),
//! Empty (RFC 4563) and GENERIC-ID (RFC 6043 6.1.1).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! !  version (1)  !  data type    ! next payload  !V! PRF func    !
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! !                         CSB ID (32)                           !
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ! #CS           ! CS ID map type! CS ID map info                ~
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! MIKEY-SAKKE (RFC 6509 4.1) uses data type 26 ("SAKKE msg"); TS 33.180 puts the key's
//! identifier in the CSB ID (GUK-ID for a GMK, PCK-ID, CSK-ID) and uses PRF func 1
//! (PRF-HMAC-SHA-256, RFC 6043) with a GENERIC-ID map of one crypto session or an empty map.

use super::codec::{Reader, len_u8, len_u16};
use super::{MikeyError, Part};

/// The only MIKEY version (RFC 3830 6.1).
pub const MIKEY_VERSION: u8 = 1;
/// Data type "SAKKE msg" (RFC 6509 4.1): the I_MESSAGE of MIKEY-SAKKE.
pub const DATA_TYPE_SAKKE: u8 = 26;
/// PRF func MIKEY-1 (RFC 3830 4.1.2).
pub const PRF_MIKEY_1: u8 = 0;
/// PRF func PRF-HMAC-SHA-256 (RFC 6043 6.1.1), what TS 33.180 and deployed products send.
pub const PRF_HMAC_SHA_256: u8 = 1;

/// CS ID map type SRTP-ID (RFC 3830 6.1.1).
pub const CS_MAP_SRTP_ID: u8 = 0;
/// CS ID map type Empty (RFC 4563): no map info.
pub const CS_MAP_EMPTY: u8 = 1;
/// CS ID map type GENERIC-ID (RFC 6043 6.1.1).
pub const CS_MAP_GENERIC_ID: u8 = 2;

/// Protocol type SRTP of a crypto session and of a security policy (RFC 3830 6.10).
pub const PROT_SRTP: u8 = 0;

/// One crypto session of an SRTP-ID map (RFC 3830 6.1.1): policy number (8 bits), SSRC (32),
/// ROC (32).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SrtpSession {
    /// Policy_no_i: the SP payload that applies.
    pub policy_no: u8,
    /// SSRC_i of the stream.
    pub ssrc: u32,
    /// ROC_i of the stream.
    pub roc: u32,
}

/// One crypto session of a GENERIC-ID map (RFC 6043 6.1.1):
///
/// ```text
/// CS ID (8) | Prot type (8) | S (1) #P (7) | Ps (#P x 8) | Session Data Length (16) |
/// Session Data | SPI Length (8) | SPI
/// ```
///
/// TS 33.180 E.1-E.4 use CS ID 4 (MCPTT group call, GMK), 6 (CSK for SRTCP in MCPTT) and 0/1
/// (private call, PCK); the SPI is the key's identifier (GMK-ID || GUK-ID for a GMK).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenericSession {
    /// CS ID of the crypto session.
    pub cs_id: u8,
    /// Security protocol ([`PROT_SRTP`] = 0).
    pub prot_type: u8,
    /// S: the session data carry ROC and SEQ.
    pub s_flag: bool,
    /// Ps: policy numbers (at most 127) of the SP payloads that apply.
    pub policies: Vec<u8>,
    /// Session data (for SRTP: SSRC, ROC, SEQ), kept as octets; usually empty in an I_MESSAGE.
    pub session_data: Vec<u8>,
    /// Security Parameter Index: the key identifier(s).
    pub spi: Vec<u8>,
}

/// The CS ID map: its type and info. `#CS` is the number of sessions (or, for
/// [`CsIdMap::Empty`], the value received).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CsIdMap {
    /// SRTP-ID map (type 0), one entry per crypto session.
    SrtpId(Vec<SrtpSession>),
    /// Empty map (type 1): no map info; `cs_count` is the `#CS` field (0 in TS 33.180, where it
    /// means that the default security profile applies).
    Empty {
        /// The `#CS` field.
        cs_count: u8,
    },
    /// GENERIC-ID map (type 2), one entry per crypto session.
    GenericId(Vec<GenericSession>),
}

impl CsIdMap {
    /// The CS ID map type octet.
    pub fn map_type(&self) -> u8 {
        match self {
            Self::SrtpId(_) => CS_MAP_SRTP_ID,
            Self::Empty { .. } => CS_MAP_EMPTY,
            Self::GenericId(_) => CS_MAP_GENERIC_ID,
        }
    }
}

/// The common header of a MIKEY message (RFC 3830 6.1). The version is always 1 and is not
/// stored; the next-payload field is derived from the payloads when a message is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommonHeader {
    /// Data type: [`DATA_TYPE_SAKKE`] for an I_MESSAGE.
    pub data_type: u8,
    /// V: a verification message is requested (never for MIKEY-SAKKE, which has no response).
    pub v_flag: bool,
    /// PRF func (7 bits): [`PRF_HMAC_SHA_256`] in TS 33.180.
    pub prf: u8,
    /// CSB ID: GUK-ID (GMK), PCK-ID or CSK-ID in TS 33.180.
    pub csb_id: u32,
    /// The crypto sessions.
    pub cs_map: CsIdMap,
}

impl CommonHeader {
    /// Reads a header; returns it with its next-payload field.
    ///
    /// # Errors
    /// [`MikeyError::BadVersion`] unless the version is 1, [`MikeyError::Truncated`] /
    /// [`MikeyError::LengthPastEnd`] when a field runs past the end,
    /// [`MikeyError::UnknownCsIdMap`] for a map type other than 0, 1, 2.
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<(Self, u8), MikeyError> {
        let part = Part::Header;
        let version = r.u8(part)?;
        if version != MIKEY_VERSION {
            return Err(MikeyError::BadVersion(version));
        }
        let data_type = r.u8(part)?;
        let next = r.u8(part)?;
        let v_prf = r.u8(part)?;
        let csb_id = r.u32(part)?;
        let cs_count = r.u8(part)?;
        let map_type = r.u8(part)?;
        let cs_map = match map_type {
            CS_MAP_SRTP_ID => {
                let mut sessions = Vec::with_capacity(usize::from(cs_count));
                for _ in 0..cs_count {
                    sessions.push(SrtpSession {
                        policy_no: r.u8(part)?,
                        ssrc: r.u32(part)?,
                        roc: r.u32(part)?,
                    });
                }
                CsIdMap::SrtpId(sessions)
            }
            CS_MAP_EMPTY => CsIdMap::Empty { cs_count },
            CS_MAP_GENERIC_ID => {
                let mut sessions = Vec::with_capacity(usize::from(cs_count));
                for _ in 0..cs_count {
                    sessions.push(read_generic(r)?);
                }
                CsIdMap::GenericId(sessions)
            }
            other => return Err(MikeyError::UnknownCsIdMap(other)),
        };
        let header = Self {
            data_type,
            v_flag: v_prf & 0x80 != 0,
            prf: v_prf & 0x7f,
            csb_id,
            cs_map,
        };
        Ok((header, next))
    }

    /// Appends the header with `next` as its next-payload field.
    ///
    /// # Errors
    /// [`MikeyError::TooLong`] when a count or length does not fit its field (more than 255
    /// sessions, 127 policies, 65535 octets of session data, 255 of SPI), or the PRF does not
    /// fit 7 bits.
    pub(crate) fn write(&self, next: u8, out: &mut Vec<u8>) -> Result<(), MikeyError> {
        let part = Part::Header;
        if self.prf > 0x7f {
            return Err(MikeyError::TooLong(part));
        }
        out.extend_from_slice(&[MIKEY_VERSION, self.data_type, next]);
        out.push(u8::from(self.v_flag) << 7 | self.prf);
        out.extend_from_slice(&self.csb_id.to_be_bytes());
        match &self.cs_map {
            CsIdMap::SrtpId(sessions) => {
                out.extend_from_slice(&[len_u8(sessions.len(), part)?, CS_MAP_SRTP_ID]);
                for s in sessions {
                    out.push(s.policy_no);
                    out.extend_from_slice(&s.ssrc.to_be_bytes());
                    out.extend_from_slice(&s.roc.to_be_bytes());
                }
            }
            CsIdMap::Empty { cs_count } => out.extend_from_slice(&[*cs_count, CS_MAP_EMPTY]),
            CsIdMap::GenericId(sessions) => {
                out.extend_from_slice(&[len_u8(sessions.len(), part)?, CS_MAP_GENERIC_ID]);
                for s in sessions {
                    write_generic(s, out)?;
                }
            }
        }
        Ok(())
    }
}

fn read_generic(r: &mut Reader<'_>) -> Result<GenericSession, MikeyError> {
    let part = Part::Header;
    let cs_id = r.u8(part)?;
    let prot_type = r.u8(part)?;
    let s_p = r.u8(part)?;
    let policies = r.counted(usize::from(s_p & 0x7f), part)?.to_vec();
    let data_len = r.u16(part)?;
    let session_data = r.counted(usize::from(data_len), part)?.to_vec();
    let spi_len = r.u8(part)?;
    let spi = r.counted(usize::from(spi_len), part)?.to_vec();
    Ok(GenericSession {
        cs_id,
        prot_type,
        s_flag: s_p & 0x80 != 0,
        policies,
        session_data,
        spi,
    })
}

fn write_generic(s: &GenericSession, out: &mut Vec<u8>) -> Result<(), MikeyError> {
    let part = Part::Header;
    let count = len_u8(s.policies.len(), part)?;
    if count > 0x7f {
        return Err(MikeyError::TooLong(part));
    }
    out.extend_from_slice(&[s.cs_id, s.prot_type, u8::from(s.s_flag) << 7 | count]);
    out.extend_from_slice(&s.policies);
    out.extend_from_slice(&len_u16(s.session_data.len(), part)?.to_be_bytes());
    out.extend_from_slice(&s.session_data);
    out.push(len_u8(s.spi.len(), part)?);
    out.extend_from_slice(&s.spi);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(header: &CommonHeader) -> Vec<u8> {
        let mut out = Vec::new();
        header.write(5, &mut out).unwrap();
        let mut r = Reader::new(&out);
        let (back, next) = CommonHeader::read(&mut r).unwrap();
        assert_eq!(next, 5);
        assert_eq!(&back, header);
        assert_eq!(r.remaining(), 0);
        out
    }

    #[test]
    fn generic_id_map_layout() {
        let header = CommonHeader {
            data_type: DATA_TYPE_SAKKE,
            v_flag: false,
            prf: PRF_HMAC_SHA_256,
            csb_id: 0x06a1_2aea,
            cs_map: CsIdMap::GenericId(vec![GenericSession {
                cs_id: 4,
                prot_type: PROT_SRTP,
                s_flag: false,
                policies: vec![0],
                session_data: vec![],
                spi: vec![0x0d, 0xf9, 0xbc, 0x39, 0x06, 0xa1, 0x2a, 0xea],
            }]),
        };
        // The header of a deployed GMK I_MESSAGE (Streamwide test vector v5, test 1).
        let expected = "011a050106a12aea0102040001000000080df9bc3906a12aea";
        assert_eq!(hex(&round_trip(&header)), expected);
    }

    #[test]
    fn empty_and_srtp_id_maps() {
        let mut header = CommonHeader {
            data_type: DATA_TYPE_SAKKE,
            v_flag: true,
            prf: PRF_MIKEY_1,
            csb_id: 0x1699_2638,
            cs_map: CsIdMap::Empty { cs_count: 0 },
        };
        assert_eq!(hex(&round_trip(&header)), "011a0580169926380001");
        header.cs_map = CsIdMap::SrtpId(vec![SrtpSession {
            policy_no: 0,
            ssrc: 0xcafe_babe,
            roc: 0,
        }]);
        assert_eq!(round_trip(&header).len(), 10 + 9);
    }

    #[test]
    fn bad_version_and_map_type() {
        let mut r = Reader::new(&[2, 26, 5, 1, 0, 0, 0, 0, 0, 1]);
        assert_eq!(CommonHeader::read(&mut r), Err(MikeyError::BadVersion(2)));
        let mut r = Reader::new(&[1, 26, 5, 1, 0, 0, 0, 0, 0, 9]);
        assert_eq!(
            CommonHeader::read(&mut r),
            Err(MikeyError::UnknownCsIdMap(9))
        );
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}
