//! SRTP master keys of the MCPTT media profile from a GMK or PCK (TS 33.180 7.4, E.1.3): the
//! master key (16 octets), master salt (12 octets) and MKI that an SRTP stack using
//! AEAD_AES_128_GCM (RFC 7714; TS 33.180 E.2/E.3 default profiles) is given.
//!
//! - Private call (7.4.1): TGK = PCK, CSB ID = PCK-ID, RAND = the RAND of the PCK's I_MESSAGE;
//!   MKI = the 32-bit PCK-ID. Both directions share the MKI; their keys differ by CS ID (E.1.3:
//!   0 for the stream of the call's initiator, 1 for the receiver's, MCPTT).
//! - Group call (7.4.2): TGK = GMK, CSB ID = the GUK-ID of the member whose stream it is,
//!   RAND = the RAND of the GMK's I_MESSAGE, CS ID 4 (MCPTT group call); MKI = GMK-ID || GUK-ID
//!   (64 bits). Each member sends under its own GUK-ID (the CSB ID of the I_MESSAGE that gave
//!   it the GMK, TS 33.180 F.1.3); a receiver takes the sender's GUK-ID from the packet's MKI.
//!   Every member must hold the same RAND: the group management server sends the GMK to all
//!   members with one RAND.
//!
//! Master key = RFC 3830 `PRF(TGK, TEK constant || CS ID || CSB ID || RAND)` cut to 16 octets,
//! master salt = the same with the salting constant cut to 12 ([`super::prf`]).

use super::kdf::{KEY_BYTES, PURPOSE_GMK, PURPOSE_PCK, purpose_tag};
use super::prf::{CONSTANT_SALT, CONSTANT_TEK, derive_key};
use crate::Error;
use std::fmt;
use zeroize::Zeroizing;

/// Octets of an SRTP master key of AEAD_AES_128_GCM.
pub const MASTER_KEY_BYTES: usize = 16;
/// Octets of an SRTP master salt of AEAD_AES_128_GCM (RFC 7714 8.2).
pub const MASTER_SALT_BYTES: usize = 12;
/// Octets of the longest MKI: GMK-ID || GUK-ID.
pub const MKI_MAX_BYTES: usize = 8;

/// CS ID of the stream of an MCPTT private call's initiator (TS 33.180 Table E.1.3-1).
pub const CS_ID_MCPTT_PRIVATE_INITIATOR: u8 = 0;
/// CS ID of the stream of an MCPTT private call's receiver.
pub const CS_ID_MCPTT_PRIVATE_RECEIVER: u8 = 1;
/// CS ID of the stream of an MCVideo private call's initiator.
pub const CS_ID_MCVIDEO_PRIVATE_INITIATOR: u8 = 2;
/// CS ID of the stream of an MCVideo private call's receiver.
pub const CS_ID_MCVIDEO_PRIVATE_RECEIVER: u8 = 3;
/// CS ID of an MCPTT group call.
pub const CS_ID_MCPTT_GROUP: u8 = 4;
/// CS ID of an MCVideo group call.
pub const CS_ID_MCVIDEO_GROUP: u8 = 5;

/// Why an MKI gives no key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MkiError {
    /// The MKI is not 4 octets (PCK) or 8 (GMK), or its key ID is not the one given.
    #[error("the MKI names another key")]
    UnknownMki,
    /// The key ID is neither a GMK-ID nor a PCK-ID: its key does not protect media.
    #[error("not a media key (GMK or PCK)")]
    NotMediaKey,
    /// A length is out of range (RAND empty or over 255 octets).
    #[error("invalid length")]
    InvalidLength,
}

impl From<Error> for MkiError {
    fn from(_: Error) -> Self {
        Self::InvalidLength
    }
}

/// An SRTP Master Key Identifier of TS 33.180 7.4: a PCK-ID (4 octets) or GMK-ID || GUK-ID (8).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Mki {
    bytes: [u8; MKI_MAX_BYTES],
    len: usize,
}

impl Mki {
    /// The MKI of a private call: the PCK-ID.
    pub fn pck(pck_id: u32) -> Self {
        let mut bytes = [0; MKI_MAX_BYTES];
        bytes[..4].copy_from_slice(&pck_id.to_be_bytes());
        Self { bytes, len: 4 }
    }

    /// The MKI of a group member's stream: GMK-ID || GUK-ID.
    pub fn gmk(gmk_id: u32, guk_id: u32) -> Self {
        let mut bytes = [0; MKI_MAX_BYTES];
        bytes[..4].copy_from_slice(&gmk_id.to_be_bytes());
        bytes[4..].copy_from_slice(&guk_id.to_be_bytes());
        Self { bytes, len: 8 }
    }

    /// Reads an MKI as found in a packet: 4 octets with a PCK-ID's purpose tag, or 8 whose
    /// first four are a GMK-ID and the last four a GUK-ID (same purpose tag).
    pub fn parse(mki: &[u8]) -> Option<Self> {
        let id = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        match mki.len() {
            4 if purpose_tag(id(mki)) == PURPOSE_PCK => Some(Self::pck(id(mki))),
            8 if purpose_tag(id(mki)) == PURPOSE_GMK
                && purpose_tag(id(&mki[4..])) == PURPOSE_GMK =>
            {
                Some(Self::gmk(id(mki), id(&mki[4..])))
            }
            _ => None,
        }
    }

    /// The MKI octets, as the SRTP packet carries them.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// The key ID the MKI names: the PCK-ID or the GMK-ID.
    pub fn key_id(&self) -> u32 {
        u32::from_be_bytes([self.bytes[0], self.bytes[1], self.bytes[2], self.bytes[3]])
    }

    /// The CSB ID of the stream's key: the PCK-ID, or the GUK-ID of a GMK MKI.
    pub fn csb_id(&self) -> u32 {
        let at = if self.len == 8 { 4 } else { 0 };
        let b = &self.bytes[at..at + 4];
        u32::from_be_bytes([b[0], b[1], b[2], b[3]])
    }
}

impl fmt::Debug for Mki {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mki(")?;
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

/// An SRTP master key, master salt and MKI. The key and salt are zeroized on drop and never
/// shown by `Debug`.
#[derive(Clone)]
pub struct SrtpMaster {
    /// The master key.
    pub key: Zeroizing<[u8; MASTER_KEY_BYTES]>,
    /// The master salt.
    pub salt: Zeroizing<[u8; MASTER_SALT_BYTES]>,
    /// The MKI the packets carry.
    pub mki: Mki,
}

impl fmt::Debug for SrtpMaster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SrtpMaster")
            .field("mki", &self.mki)
            .finish_non_exhaustive()
    }
}

impl SrtpMaster {
    /// The master key and salt of the stream named by `mki`, keyed by `key` (a GMK or PCK)
    /// whose ID is `key_id`, with the RAND of its I_MESSAGE and the stream's `cs_id` (Table
    /// E.1.3-1; the `CS_ID_*` constants). A sender passes [`Mki::pck`] or [`Mki::gmk`] with
    /// its own GUK-ID; a receiver passes the MKI of the packet ([`Mki::parse`]).
    ///
    /// # Errors
    /// [`MkiError::UnknownMki`] when the MKI's key ID is not `key_id`;
    /// [`MkiError::NotMediaKey`] when `key_id` is no GMK-ID or PCK-ID;
    /// [`MkiError::InvalidLength`] when `rand` is empty or over 255 octets.
    pub fn derive(
        key: &[u8; KEY_BYTES],
        key_id: u32,
        rand: &[u8],
        cs_id: u8,
        mki: Mki,
    ) -> Result<Self, MkiError> {
        let kind_ok = match purpose_tag(key_id) {
            PURPOSE_PCK => mki.len == 4,
            PURPOSE_GMK => mki.len == 8,
            _ => return Err(MkiError::NotMediaKey),
        };
        if !kind_ok || mki.key_id() != key_id {
            return Err(MkiError::UnknownMki);
        }
        let csb_id = mki.csb_id();
        let mut master = Self {
            key: Zeroizing::new([0; MASTER_KEY_BYTES]),
            salt: Zeroizing::new([0; MASTER_SALT_BYTES]),
            mki,
        };
        derive_key(key, CONSTANT_TEK, cs_id, csb_id, rand, &mut master.key[..])?;
        derive_key(
            key,
            CONSTANT_SALT,
            cs_id,
            csb_id,
            rand,
            &mut master.salt[..],
        )?;
        Ok(master)
    }
}

impl super::ReceivedKey {
    /// The SRTP master of our own stream under this received key (TS 33.180 7.4): for a PCK,
    /// MKI = PCK-ID; for a GMK, MKI = GMK-ID || our GUK-ID (the message's CSB ID). `cs_id` as
    /// for [`SrtpMaster::derive`]. To read a peer's stream, call [`SrtpMaster::derive`] with
    /// the packet's MKI.
    ///
    /// # Errors
    /// As [`SrtpMaster::derive`]; a CSK gives [`MkiError::NotMediaKey`].
    pub fn srtp_master(&self, cs_id: u8) -> Result<SrtpMaster, MkiError> {
        let mki = match (self.kind, self.guk_id) {
            (super::KeyKind::Pck, _) => Mki::pck(self.key_id),
            (super::KeyKind::Gmk, Some(guk_id)) => Mki::gmk(self.key_id, guk_id),
            _ => return Err(MkiError::NotMediaKey),
        };
        SrtpMaster::derive(&self.key, self.key_id, &self.rand, cs_id, mki)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mki_forms() {
        let pck = Mki::pck(0x1234_5678);
        assert_eq!(pck.as_bytes(), [0x12, 0x34, 0x56, 0x78]);
        assert_eq!((pck.key_id(), pck.csb_id()), (0x1234_5678, 0x1234_5678));
        let gmk = Mki::gmk(0x0df9_bc39, 0x06a1_2aea);
        assert_eq!(gmk.as_bytes(), hex_bytes("0df9bc3906a12aea"));
        assert_eq!((gmk.key_id(), gmk.csb_id()), (0x0df9_bc39, 0x06a1_2aea));
        assert_eq!(Mki::parse(pck.as_bytes()), Some(pck));
        assert_eq!(Mki::parse(gmk.as_bytes()), Some(gmk));
        // Wrong lengths and purpose tags are no MKI of TS 33.180 7.4.
        for bad in [
            "",
            "12345678aa",
            "02345678",
            "0df9bc39",
            "1df9bc3906a12aea",
            "0df9bc3916a12aea",
        ] {
            assert_eq!(Mki::parse(&hex_bytes(bad)), None, "{bad}");
        }
        assert_eq!(format!("{gmk:?}"), "Mki(0df9bc3906a12aea)");
    }

    fn hex_bytes(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn derive_uses_the_mki_csb_id_and_refuses_other_keys() {
        let key = [7u8; 16];
        let rand = [9u8; 16];
        let m = SrtpMaster::derive(&key, 0x0000_0001, &rand, 4, Mki::gmk(1, 0x0abc_def0)).unwrap();
        let mut expect = [0u8; 16];
        derive_key(&key, CONSTANT_TEK, 4, 0x0abc_def0, &rand, &mut expect).unwrap();
        assert_eq!(*m.key, expect);
        let mut salt = [0u8; 12];
        derive_key(&key, CONSTANT_SALT, 4, 0x0abc_def0, &rand, &mut salt).unwrap();
        assert_eq!(*m.salt, salt);
        assert!(!format!("{m:?}").contains("07"));
        let err = |id, mki| SrtpMaster::derive(&key, id, &rand, 0, mki).unwrap_err();
        assert_eq!(
            err(0x1000_0001, Mki::pck(0x1000_0002)),
            MkiError::UnknownMki
        );
        assert_eq!(
            err(0x1000_0001, Mki::gmk(0x1000_0001, 5)),
            MkiError::UnknownMki
        );
        assert_eq!(
            err(0x0000_0001, Mki::pck(0x0000_0001)),
            MkiError::UnknownMki
        );
        assert_eq!(
            err(0x2000_0001, Mki::pck(0x2000_0001)),
            MkiError::NotMediaKey
        );
        assert_eq!(
            SrtpMaster::derive(&key, 0x1000_0001, &[], 0, Mki::pck(0x1000_0001)).unwrap_err(),
            MkiError::InvalidLength
        );
    }
}
