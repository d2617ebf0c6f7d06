//! Key derivations and key identifiers of TS 33.180 around the I_MESSAGE: the generic KDF of
//! TS 33.220 B.2 (used by TS 33.180 F.1), the F.1.3 user salt that turns a GMK-ID into a
//! GUK-ID, and the purpose tag in the top four bits of every 32-bit key identifier.
//!
//! Also the F.1.4 signalling keys ([`signalling_keys`]) and the F.1.5 MCData payload cipher key
//! ([`dpck`]).
//!
//! KDF (TS 33.220 B.2.0): `derived key = HMAC-SHA-256(Key, S)` with
//! `S = FC || P0 || L0 || P1 || L1 || ... || Pn || Ln`, each `Li` the length of `Pi` in two
//! octets, big-endian.
//!
//! User salt (TS 33.180 F.1.3): Key = GMK, FC = 0x50, P0 = the MC service user ID of the
//! group member the GMK is sent to (the URI of the I_MESSAGE's responder); the salt is the 28
//! least significant bits of the output and `GUK-ID = GMK-ID XOR salt`, so the purpose tag of
//! the GMK-ID is kept.

use crate::{Error, rng};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

/// FC of the F.1.3 user salt (GMK -> GUK-ID).
pub const FC_USER_SALT: u8 = 0x50;
/// FC of the F.1.4 signalling confidentiality key (XPK -> XPK-conf).
pub const FC_SIGNALLING_CONFIDENTIALITY: u8 = 0x51;
/// FC of the F.1.4 signalling integrity key (XPK -> XPK-int).
pub const FC_SIGNALLING_INTEGRITY: u8 = 0x52;
/// FC of the F.1.5 MCData payload cipher key (DPPK -> DPCK).
pub const FC_DPCK: u8 = 0x53;

/// Octets of a key distributed in an I_MESSAGE (GMK, PCK, CSK): 128 bits.
pub const KEY_BYTES: usize = 16;

/// Mask of the 28 bits of a key identifier below its purpose tag.
pub const KEY_ID_VALUE_MASK: u32 = 0x0fff_ffff;

/// Purpose tag of a GMK-ID.
pub const PURPOSE_GMK: u8 = 0;
/// Purpose tag of a PCK-ID.
pub const PURPOSE_PCK: u8 = 1;
/// Purpose tag of a CSK-ID.
pub const PURPOSE_CSK: u8 = 2;
/// Purpose tag of an SPK-ID.
pub const PURPOSE_SPK: u8 = 3;
/// Purpose tag of an MKFC-ID.
pub const PURPOSE_MKFC: u8 = 4;
/// Purpose tag of an MSCCK-ID.
pub const PURPOSE_MSCCK: u8 = 5;
/// Purpose tag of a MuSiK-ID.
pub const PURPOSE_MUSIK: u8 = 6;

/// The purpose tag of a key identifier: its four most significant bits.
pub fn purpose_tag(key_id: u32) -> u8 {
    // The shift leaves four bits; the cast cannot truncate.
    (key_id >> 28) as u8
}

/// The kind of key an I_MESSAGE distributes, as its identifier's purpose tag says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// Group Master Key (purpose tag 0), sent by the group management server; the CSB ID is
    /// the GUK-ID (TS 33.180 E.2).
    Gmk,
    /// Private Call Key (purpose tag 1), sent by the calling user (TS 33.180 E.3).
    Pck,
    /// Client-Server Key (purpose tag 2), sent by the user to its MC server (TS 33.180 E.4),
    /// or downloaded from the server (a CSK update).
    Csk,
    /// MBMS subchannel control key (purpose tag 4), downloaded from an MC server.
    Mkfc,
    /// Multicast signalling key of the MC service (purpose tag 5), downloaded from an MC server.
    Mscck,
    /// Multicast Signalling Key (purpose tag 6), downloaded from an MC server.
    Musik,
}

impl KeyKind {
    /// The purpose tag: 0, 1, 2, 4, 5 or 6.
    pub const fn purpose_tag(self) -> u8 {
        match self {
            Self::Gmk => PURPOSE_GMK,
            Self::Pck => PURPOSE_PCK,
            Self::Csk => PURPOSE_CSK,
            Self::Mkfc => PURPOSE_MKFC,
            Self::Mscck => PURPOSE_MSCCK,
            Self::Musik => PURPOSE_MUSIK,
        }
    }

    /// The kind of a purpose tag, or `None` for the tags of other keys (3, 7 to 15).
    pub const fn from_purpose_tag(tag: u8) -> Option<Self> {
        match tag {
            PURPOSE_GMK => Some(Self::Gmk),
            PURPOSE_PCK => Some(Self::Pck),
            PURPOSE_CSK => Some(Self::Csk),
            PURPOSE_MKFC => Some(Self::Mkfc),
            PURPOSE_MSCCK => Some(Self::Mscck),
            PURPOSE_MUSIK => Some(Self::Musik),
            _ => None,
        }
    }

    /// The kind that `key_id`'s purpose tag names, if one of these.
    pub fn of_key_id(key_id: u32) -> Option<Self> {
        Self::from_purpose_tag(purpose_tag(key_id))
    }

    /// `value`'s low 28 bits under this kind's purpose tag.
    pub const fn key_id(self, value: u32) -> u32 {
        (self.purpose_tag() as u32) << 28 | (value & KEY_ID_VALUE_MASK)
    }

    /// A fresh key identifier: this kind's purpose tag over 28 random bits.
    ///
    /// # Errors
    /// [`Error::Rng`] if the OS RNG fails.
    pub fn random_key_id(self) -> Result<u32, Error> {
        let mut bytes = [0u8; 4];
        rng::fill(&mut bytes)?;
        Ok(self.key_id(u32::from_be_bytes(bytes)))
    }

    /// The CS ID of the crypto session TS 33.180 gives this key in an MCPTT I_MESSAGE: 4
    /// (MCPTT group call) for a GMK, 6 (SRTCP protection for MCPTT) for a CSK; `None` for a
    /// PCK, sent with no crypto session (`#CS` = 0, the default profile of E.3.2 applies).
    /// For an MKFC, MSCCK or MuSiK, also `None`: we found no CS ID TS 33.180 gives them in an
    /// I_MESSAGE, so such messages are made with no crypto session.
    pub const fn default_cs_id(self) -> Option<u8> {
        match self {
            Self::Gmk => Some(4),
            Self::Csk => Some(6),
            Self::Pck | Self::Mkfc | Self::Mscck | Self::Musik => None,
        }
    }
}

/// The KDF of TS 33.220 B.2: HMAC-SHA-256 keyed with `key` over `FC || P0 || L0 || ... ||
/// Pn || Ln`. The 32-octet output is zeroized on drop.
///
/// # Errors
/// [`Error::InvalidLength`] when a parameter is longer than 65535 octets.
pub fn kdf(key: &[u8], fc: u8, params: &[&[u8]]) -> Result<Zeroizing<[u8; 32]>, Error> {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).map_err(|_| Error::InvalidKey)?;
    mac.update(&[fc]);
    for p in params {
        let len = u16::try_from(p.len()).map_err(|_| Error::InvalidLength)?;
        mac.update(p);
        mac.update(&len.to_be_bytes());
    }
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(&mac.finalize().into_bytes());
    Ok(out)
}

/// The user salt of TS 33.180 F.1.3: the 28 least significant bits of
/// `KDF(GMK, 0x50, P0 = user_uri)`, `user_uri` being the MC service user ID of the group
/// member (octets as in its IDR payload, e.g. `sip:alice@example.org`).
///
/// # Errors
/// [`Error::InvalidLength`] when the URI is longer than 65535 octets.
pub fn user_salt(gmk: &[u8; KEY_BYTES], user_uri: &[u8]) -> Result<u32, Error> {
    let out = kdf(gmk, FC_USER_SALT, &[user_uri])?;
    let mut last = [0u8; 4];
    last.copy_from_slice(&out[28..]);
    Ok(u32::from_be_bytes(last) & KEY_ID_VALUE_MASK)
}

/// GUK-ID = GMK-ID XOR [`user_salt`]`(gmk, user_uri)` (TS 33.180 F.1.3): the CSB ID of a GMK's
/// I_MESSAGE to `user_uri`. The purpose tag of the GMK-ID is unchanged. XOR-ing a GUK-ID with
/// the same salt gives the GMK-ID back.
///
/// # Errors
/// [`Error::InvalidLength`] when the URI is longer than 65535 octets.
pub fn guk_id(gmk_id: u32, gmk: &[u8; KEY_BYTES], user_uri: &[u8]) -> Result<u32, Error> {
    Ok(gmk_id ^ user_salt(gmk, user_uri)?)
}

/// The 128 least significant bits of a KDF output: how TS 33.180 F.1 cuts a 128-bit key.
fn low_128(out: &[u8; 32]) -> Zeroizing<[u8; KEY_BYTES]> {
    let mut key = Zeroizing::new([0u8; KEY_BYTES]);
    key.copy_from_slice(&out[32 - KEY_BYTES..]);
    key
}

/// The signalling protection keys of TS 33.180 F.1.4 (as our research notes give the clause,
/// section 5): Key = the XPK (a CSK, MKFC, MSCCK or MuSiK of 128 bits), FC = 0x51 for the
/// confidentiality key and 0x52 for the integrity key, P0 = the MC service user ID
/// (`user_uri`, UTF-8 octets), P1 = the XPK-ID (4 octets, big-endian); each key is the 128
/// least significant bits of its output. Returns (confidentiality, integrity).
///
/// # Errors
/// [`Error::InvalidLength`] when the URI is longer than 65535 octets.
#[allow(clippy::type_complexity)]
pub fn signalling_keys(
    xpk: &[u8; KEY_BYTES],
    xpk_id: u32,
    user_uri: &[u8],
) -> Result<(Zeroizing<[u8; KEY_BYTES]>, Zeroizing<[u8; KEY_BYTES]>), Error> {
    let id = xpk_id.to_be_bytes();
    let conf = kdf(xpk, FC_SIGNALLING_CONFIDENTIALITY, &[user_uri, &id])?;
    let int = kdf(xpk, FC_SIGNALLING_INTEGRITY, &[user_uri, &id])?;
    Ok((low_128(&conf), low_128(&int)))
}

/// The MCData payload cipher key of TS 33.180 F.1.5: Key = the DPPK (the GMK or PCK, or the
/// key an I_MESSAGE distributes when it protects its E.6 key parameters), FC = 0x53, P0 = the
/// DPPK-ID (4 octets, big-endian); the 128 least significant bits of the output.
pub fn dpck(dppk: &[u8; KEY_BYTES], dppk_id: u32) -> Zeroizing<[u8; KEY_BYTES]> {
    // One 4-octet parameter: within the KDF's length limit.
    let out = kdf(dppk, FC_DPCK, &[&dppk_id.to_be_bytes()]).expect("4-octet parameter");
    low_128(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The verified F.1.3 vector (Streamwide test vectors v5, test 1; notes section 5).
    #[test]
    fn user_salt_vector() {
        let gmk = [
            0x07, 0xd1, 0xa1, 0x67, 0x7a, 0xc3, 0x6d, 0x8e, 0x81, 0x62, 0x04, 0x84, 0x68, 0x9b,
            0x3c, 0x2d,
        ];
        let uri = b"sip:alice@streamwide.com";
        assert_eq!(user_salt(&gmk, uri).unwrap(), 0x0b58_96d3);
        assert_eq!(guk_id(0x0df9_bc39, &gmk, uri).unwrap(), 0x06a1_2aea);
        assert_eq!(guk_id(0x06a1_2aea, &gmk, uri).unwrap(), 0x0df9_bc39);
    }

    #[test]
    fn purpose_tags() {
        assert_eq!(KeyKind::of_key_id(0x0df9_bc39), Some(KeyKind::Gmk));
        assert_eq!(KeyKind::of_key_id(0x1699_2638), Some(KeyKind::Pck));
        assert_eq!(KeyKind::of_key_id(0x2ddd_5bf0), Some(KeyKind::Csk));
        assert_eq!(KeyKind::of_key_id(0x4000_0000), Some(KeyKind::Mkfc));
        assert_eq!(KeyKind::of_key_id(0x5000_0000), Some(KeyKind::Mscck));
        assert_eq!(KeyKind::of_key_id(0x6000_0000), Some(KeyKind::Musik));
        for other in [0x3000_0000, 0x7000_0000, 0xf000_0000] {
            assert_eq!(KeyKind::of_key_id(other), None);
        }
        assert_eq!(KeyKind::Csk.key_id(0xffff_ffff), 0x2fff_ffff);
        for kind in [
            KeyKind::Gmk,
            KeyKind::Pck,
            KeyKind::Csk,
            KeyKind::Mkfc,
            KeyKind::Mscck,
            KeyKind::Musik,
        ] {
            assert_eq!(
                KeyKind::of_key_id(kind.random_key_id().unwrap()),
                Some(kind)
            );
        }
    }

    /// F.1.4 and F.1.5 against HMAC-SHA-256 over S written out octet by octet.
    #[test]
    fn signalling_keys_and_dpck() {
        let key = [0x11u8; 16];
        let hmac = |s: &[u8]| {
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).unwrap();
            mac.update(s);
            mac.finalize().into_bytes()
        };
        let (conf, int) = signalling_keys(&key, 0x2abc_def0, b"sip:a").unwrap();
        let s = |fc| {
            [
                &[fc][..],
                b"sip:a",
                &[0, 5],
                &[0x2a, 0xbc, 0xde, 0xf0],
                &[0, 4],
            ]
            .concat()
        };
        assert_eq!(conf[..], hmac(&s(0x51))[16..]);
        assert_eq!(int[..], hmac(&s(0x52))[16..]);
        assert_ne!(*conf, *int);
        let d = dpck(&key, 0x0123_4567);
        assert_eq!(d[..], hmac(&[0x53, 1, 0x23, 0x45, 0x67, 0, 4])[16..]);
    }

    #[test]
    fn kdf_encodes_lengths() {
        // HMAC-SHA-256 over 0x50 || "ab" || 0x0002 || "" || 0x0000, computed independently.
        let a = kdf(b"key", 0x50, &[b"ab", b""]).unwrap();
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(b"key").unwrap();
        mac.update(&[0x50, b'a', b'b', 0, 2, 0, 0]);
        assert_eq!(a[..], mac.finalize().into_bytes()[..]);
        assert_eq!(
            kdf(b"key", 0, &[&vec![0u8; 65_536]]).unwrap_err(),
            Error::InvalidLength
        );
    }
}
