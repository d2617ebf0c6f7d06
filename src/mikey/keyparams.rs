//! The key parameters of TS 33.180 E.6: the data of the type-7 General Extension ("3GPP key
//! parameters") of an I_MESSAGE, an MCData protected payload (TS 33.180 8.5.4) encrypted under
//! the DPCK of the distributed key (F.1.5: KDF(key, FC 0x53, P0 = DPPK-ID), DPPK-ID = the CSB
//! ID of the message), whose plaintext is the Key Parameters information element: Key Type,
//! Status, Activation Time, Expiry Time, Text, Group IDs.
//!
//! Where the layout comes from. E.6.1 (read in the clause itself): the extension holds an MCData
//! Protected Payload message of 8.5.4 whose Payload is the Key Parameters IE (a type 6 IE: IEI
//! of 1 octet, length of 2, content); Payload ID and Payload sequence number are 0 from the
//! sender and ignored by the receiver; DPPK-ID = the CSB ID; the distributed key protects it;
//! Table E.6.1-1 gives the content: Key Type (V, 1), Status (V, 4), Activation Time (V, 5),
//! Expiry Time (V, 5), Text (LV-E), Group IDs (LV-E). We could not read clause 8.5.4, nor
//! E.6.3-E.6.11 that code each element. The rest was read off the published I_MESSAGEs of a
//! deployed product (tests/vectors/streamwide-mikey.json; their type-7 payloads decrypt and
//! authenticate exactly so, see tests/mikey.rs) and its MIKEY library:
//!
//! - the protected payload: message type (1, 0x43) | date and time (5) | payload ID (4) |
//!   payload sequence number (1) | payload algorithm (1, 1 = AES-128-GCM) | IV (16) | DPPK-ID
//!   (4) | IEI (1, 0) | length (2) | ciphertext || 16-octet tag: AES-128-GCM with the 16-octet
//!   IV as GCM nonce and the 32 octets `message type .. payload algorithm || IV || DPPK-ID` as
//!   associated data. The plaintext is the Key Parameters content itself (the IEI and length
//!   before the ciphertext are the IE's). The message type and IEI are written as the product
//!   does and not checked on reading.
//! - Key Type: the purpose tag of the key (GMK 0, CSK 2, PCK 1 in the product's messages).
//! - Status: bit 1 (0x1) set = not revoked (all the product's keys carry 1); bit 2 (0x2) =
//!   shared with a gateway (from the product's library only). A key whose status lacks bit 1
//!   is revoked.
//! - Group IDs: absent in the product's PCK and CSK messages, `count 0` in its GMK message:
//!   optional; when present, a count octet, then per group an IEI (1), length (2) and the
//!   MCData group ID (TS 24.282 15.2.14; the group layout is from the library only).
//! - Times: 40-bit counts of seconds (0 in all the product's messages). Their epoch is not
//!   stated where we could read: we take seconds since 1900 (the NTP era of the MIKEY T
//!   payload, TS 33.180 E.1). An expiry time of 0 means "no expiry".
//! - The product's older "legacy" form (its message to an IWF): the Key Parameters content in
//!   the clear, without Group IDs, with Key Type = purpose tag + 1. Accepted (the signature of
//!   the I_MESSAGE covers it) when it parses exactly; never written.

use aes_gcm::aead::consts::U16;
use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::aes::Aes128;
use aes_gcm::{AesGcm, Tag};
use zeroize::Zeroizing;

use super::kdf::{KEY_BYTES, dpck, purpose_tag};
use crate::rng;

/// MCData message type of a protected payload, written (TS 24.282 15.2.2; as the product writes it).
pub const MESSAGE_TYPE_PROTECTED_PAYLOAD: u8 = 0x43;
/// Payload algorithm AES-128-GCM (as the product writes it).
pub const ALGORITHM_AES_128_GCM: u8 = 1;
/// IEI written before the encrypted Key Parameters content (as the product does; ignored on
/// reading).
pub const PAYLOAD_IEI: u8 = 0;
/// Status bit: the key is not revoked.
pub const STATUS_NOT_REVOKED: u32 = 0x1;
/// Status bit: the key is shared with a gateway (from the product's library only).
pub const STATUS_SHARED_WITH_GATEWAY: u32 = 0x2;
/// Largest value of a 5-octet time.
pub const MAX_TIME: u64 = (1 << 40) - 1;

const IV_BYTES: usize = 16;
const TAG_BYTES: usize = 16;
/// Octets before the IV (message type .. payload algorithm).
const HEAD_BYTES: usize = 12;
/// Octets before the encrypted payload's IEI.
const CLEAR_BYTES: usize = HEAD_BYTES + IV_BYTES + 4;

type Cipher = AesGcm<Aes128, U16>;

/// Why a type-7 payload is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyParamsError {
    /// A field runs past the end, or octets follow where none may.
    #[error("malformed key parameters")]
    Malformed,
    /// The payload algorithm is not AES-128-GCM.
    #[error("unsupported payload algorithm {0}")]
    UnsupportedAlgorithm(u8),
    /// The DPPK-ID is not the message's CSB ID.
    #[error("DPPK-ID is not the CSB ID")]
    WrongDppkId,
    /// The GCM tag does not verify under the distributed key.
    #[error("key parameters fail authentication")]
    AuthenticationFailed,
    /// The Key Type is not the purpose tag of the key ID.
    #[error("key type {0} does not match the key ID")]
    KeyTypeMismatch(u8),
    /// A value does not fit its field (when writing), or the OS RNG failed.
    #[error("cannot encode the key parameters")]
    Encode,
}

/// The key parameters of TS 33.180 E.6 (Table E.6.1-1). Not secret.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct KeyParameters {
    /// Key Type: the purpose tag of the key (0 GMK, 1 PCK, 2 CSK, 4 MKFC, 5 MSCCK, 6 MuSiK).
    pub key_type: u8,
    /// Status bits ([`STATUS_NOT_REVOKED`], [`STATUS_SHARED_WITH_GATEWAY`]).
    pub status: u32,
    /// Activation Time, seconds since 1900 (40 bits).
    pub activation_time: u64,
    /// Expiry Time, seconds since 1900 (40 bits); 0 = none.
    pub expiry_time: u64,
    /// Text: a human-readable name of the key (its octets as sent).
    pub text: Vec<u8>,
    /// Group IDs: (IEI, MCData group ID) of each group the key is for.
    pub group_ids: Vec<(u8, Vec<u8>)>,
}

/// Reads big-endian fields off a slice.
struct Fields<'a>(&'a [u8]);

impl<'a> Fields<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], KeyParamsError> {
        if self.0.len() < n {
            return Err(KeyParamsError::Malformed);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn uint(&mut self, n: usize) -> Result<u64, KeyParamsError> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, &b| acc << 8 | u64::from(b)))
    }

    fn lv_e(&mut self) -> Result<&'a [u8], KeyParamsError> {
        let len = self.uint(2)? as usize;
        self.take(len)
    }

    fn end(&self) -> Result<(), KeyParamsError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(KeyParamsError::Malformed)
        }
    }
}

fn push_uint(out: &mut Vec<u8>, value: u64, n: usize) {
    out.extend_from_slice(&value.to_be_bytes()[8 - n..]);
}

fn push_lv_e(out: &mut Vec<u8>, value: &[u8]) -> Result<(), KeyParamsError> {
    let len = u16::try_from(value.len()).map_err(|_| KeyParamsError::Encode)?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(value);
    Ok(())
}

impl KeyParameters {
    /// Parameters of a key that is not revoked, valid from `activation_time` to `expiry_time`
    /// (seconds since 1900; 0 = no expiry), with no text and no group.
    pub fn new(key_id: u32, activation_time: u64, expiry_time: u64) -> Self {
        Self {
            key_type: purpose_tag(key_id),
            status: STATUS_NOT_REVOKED,
            activation_time,
            expiry_time,
            ..Self::default()
        }
    }

    /// Whether the Status says the key is revoked (bit 1, "not revoked", clear).
    pub fn revoked(&self) -> bool {
        self.status & STATUS_NOT_REVOKED == 0
    }

    /// The Key Parameters content. Group IDs are written when there are some, or for a GMK
    /// (as a count of 0), as the product does.
    fn encode(&self) -> Result<Zeroizing<Vec<u8>>, KeyParamsError> {
        if self.activation_time > MAX_TIME || self.expiry_time > MAX_TIME {
            return Err(KeyParamsError::Encode);
        }
        let mut content = Vec::new();
        content.push(self.key_type);
        push_uint(&mut content, u64::from(self.status), 4);
        push_uint(&mut content, self.activation_time, 5);
        push_uint(&mut content, self.expiry_time, 5);
        push_lv_e(&mut content, &self.text)?;
        if !self.group_ids.is_empty() || self.key_type == super::kdf::PURPOSE_GMK {
            let count = u8::try_from(self.group_ids.len()).map_err(|_| KeyParamsError::Encode)?;
            let mut groups = vec![count];
            for (iei, id) in &self.group_ids {
                groups.push(*iei);
                push_lv_e(&mut groups, id)?;
            }
            push_lv_e(&mut content, &groups)?;
        }
        Ok(Zeroizing::new(content))
    }

    /// Reads the Key Parameters content.
    fn decode(content: &[u8]) -> Result<Self, KeyParamsError> {
        let mut f = Fields(content);
        let key_type = f.uint(1)? as u8;
        let status = f.uint(4)? as u32;
        let activation_time = f.uint(5)?;
        let expiry_time = f.uint(5)?;
        let text = f.lv_e()?.to_vec();
        // Group IDs: optional; an empty element is read as no group.
        let mut groups = Fields(if f.0.is_empty() { &[] } else { f.lv_e()? });
        f.end()?;
        let mut group_ids = Vec::new();
        if !groups.0.is_empty() {
            let count = groups.uint(1)?;
            for _ in 0..count {
                let iei = groups.uint(1)? as u8;
                group_ids.push((iei, groups.lv_e()?.to_vec()));
            }
            groups.end()?;
        }
        Ok(Self {
            key_type,
            status,
            activation_time,
            expiry_time,
            text,
            group_ids,
        })
    }

    /// The data of the type-7 General Extension: these parameters in an MCData protected
    /// payload under the DPCK of `key` with DPPK-ID `csb_id` (the CSB ID of the I_MESSAGE that
    /// distributes `key`), with a fresh random IV. `now_ntp` (seconds since 1900) is its date
    /// and time.
    ///
    /// # Errors
    /// [`KeyParamsError::Encode`] when a value does not fit its field or the RNG fails.
    pub fn protect(
        &self,
        key: &[u8; KEY_BYTES],
        csb_id: u32,
        now_ntp: u64,
    ) -> Result<Vec<u8>, KeyParamsError> {
        let mut iv = [0u8; IV_BYTES];
        rng::fill(&mut iv).map_err(|_| KeyParamsError::Encode)?;
        self.protect_with_iv(key, csb_id, now_ntp, &iv)
    }

    fn protect_with_iv(
        &self,
        key: &[u8; KEY_BYTES],
        csb_id: u32,
        now_ntp: u64,
        iv: &[u8; IV_BYTES],
    ) -> Result<Vec<u8>, KeyParamsError> {
        let plain = self.encode()?;
        let mut out = Vec::with_capacity(CLEAR_BYTES + 3 + plain.len() + TAG_BYTES);
        out.push(MESSAGE_TYPE_PROTECTED_PAYLOAD);
        push_uint(&mut out, now_ntp & MAX_TIME, 5);
        push_uint(&mut out, 0, 4); // Payload ID: 0 (E.6.1)
        out.push(0); // Payload sequence number: 0 (E.6.1)
        out.push(ALGORITHM_AES_128_GCM);
        out.extend_from_slice(iv);
        out.extend_from_slice(&csb_id.to_be_bytes());
        let ad = out.clone();
        out.push(PAYLOAD_IEI);
        let sealed_len = plain.len() + TAG_BYTES;
        let sealed_len = u16::try_from(sealed_len).map_err(|_| KeyParamsError::Encode)?;
        out.extend_from_slice(&sealed_len.to_be_bytes());
        let body_at = out.len();
        out.extend_from_slice(&plain);
        let cipher = cipher(key, csb_id);
        let tag = cipher
            .encrypt_inout_detached(iv.into(), &ad, (&mut out[body_at..]).into())
            .map_err(|_| KeyParamsError::Encode)?;
        out.extend_from_slice(&tag);
        Ok(out)
    }

    /// Opens the data of a type-7 General Extension with `key` (the key the I_MESSAGE
    /// distributes), `csb_id` (its CSB ID, which must be the DPPK-ID) and `key_id` (whose
    /// purpose tag the Key Type must be), and reads the key parameters.
    ///
    /// # Errors
    /// Every [`KeyParamsError`] but `Encode`.
    pub fn open(
        data: &[u8],
        key: &[u8; KEY_BYTES],
        csb_id: u32,
        key_id: u32,
    ) -> Result<Self, KeyParamsError> {
        if data.len() < CLEAR_BYTES + 3 + TAG_BYTES {
            return Self::legacy(data, key_id);
        }
        let mut f = Fields(data);
        let head = f.take(HEAD_BYTES)?;
        let algorithm = head[HEAD_BYTES - 1];
        let iv: [u8; IV_BYTES] = f
            .take(IV_BYTES)?
            .try_into()
            .map_err(|_| KeyParamsError::Malformed)?;
        let dppk_id = f.uint(4)? as u32;
        let _payload_iei = f.take(1)?;
        let sealed = f.lv_e()?;
        f.end()?;
        if algorithm != ALGORITHM_AES_128_GCM {
            return Err(KeyParamsError::UnsupportedAlgorithm(algorithm));
        }
        if dppk_id != csb_id {
            return Err(KeyParamsError::WrongDppkId);
        }
        let body_len = sealed
            .len()
            .checked_sub(TAG_BYTES)
            .ok_or(KeyParamsError::Malformed)?;
        let (body, tag) = sealed.split_at(body_len);
        let ad = &data[..CLEAR_BYTES];
        let mut plain = Zeroizing::new(body.to_vec());
        let tag: [u8; TAG_BYTES] = tag.try_into().map_err(|_| KeyParamsError::Malformed)?;
        cipher(key, csb_id)
            .decrypt_inout_detached(
                (&iv).into(),
                ad,
                plain.as_mut_slice().into(),
                &Tag::from(tag),
            )
            .map_err(|_| KeyParamsError::AuthenticationFailed)?;
        let params = Self::decode(&plain)?;
        if params.key_type != purpose_tag(key_id) {
            return Err(KeyParamsError::KeyTypeMismatch(params.key_type));
        }
        Ok(params)
    }
}

impl KeyParameters {
    /// The product's legacy form: the content in the clear, no Group IDs, Key Type = purpose
    /// tag + 1. Anything else this short is malformed.
    fn legacy(data: &[u8], key_id: u32) -> Result<Self, KeyParamsError> {
        let mut params = Self::decode(data).map_err(|_| KeyParamsError::Malformed)?;
        if !params.group_ids.is_empty()
            || data.len() != 17 + params.text.len()
            || params.key_type != purpose_tag(key_id) + 1
        {
            return Err(KeyParamsError::Malformed);
        }
        params.key_type -= 1;
        Ok(params)
    }
}

/// AES-128-GCM with a 16-octet nonce under the DPCK of `key` (F.1.5, DPPK-ID = `dppk_id`).
fn cipher(key: &[u8; KEY_BYTES], dppk_id: u32) -> Cipher {
    let dpck = dpck(key, dppk_id);
    Cipher::new((&*dpck).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 16] = [0x5a; 16];
    const CSB: u32 = 0x0abc_def0;
    const GMK_ID: u32 = 0x0123_4567;

    fn sample() -> KeyParameters {
        KeyParameters {
            key_type: 0,
            status: STATUS_NOT_REVOKED | STATUS_SHARED_WITH_GATEWAY,
            activation_time: 0xee00_0000,
            expiry_time: 0xee10_0000,
            text: b"Fire team 1".to_vec(),
            group_ids: vec![(0x5a, b"sip:fire@example.org".to_vec())],
        }
    }

    #[test]
    fn round_trip_and_layout() {
        let params = sample();
        let data = params
            .protect_with_iv(&KEY, CSB, 0xee00_1234, &[3; 16])
            .unwrap();
        assert_eq!(data[0], MESSAGE_TYPE_PROTECTED_PAYLOAD);
        assert_eq!(&data[1..6], &[0, 0xee, 0, 0x12, 0x34]);
        assert_eq!(&data[6..12], &[0, 0, 0, 0, 0, ALGORITHM_AES_128_GCM]);
        assert_eq!(&data[12..28], &[3; 16]);
        assert_eq!(&data[28..32], &CSB.to_be_bytes());
        assert_eq!(
            KeyParameters::open(&data, &KEY, CSB, GMK_ID).unwrap(),
            params
        );
        // The plaintext is not in the clear.
        assert!(!data.windows(11).any(|w| w == b"Fire team 1"));
        // Encryption as specified: AES-128-GCM, 16-octet nonce, 32 octets of AD, under the DPCK.
        let plain = params.encode().unwrap();
        let mut body = plain.to_vec();
        let tag = Cipher::new((&*dpck(&KEY, CSB)).into())
            .encrypt_inout_detached((&[3u8; 16]).into(), &data[..32], body.as_mut_slice().into())
            .unwrap();
        assert_eq!(&data[35..35 + body.len()], &body[..]);
        assert_eq!(&data[35 + body.len()..], &tag[..]);
        // No group: a count of 0.
        let bare = KeyParameters::new(0x2000_0001, 5, 0);
        let data = bare.protect(&KEY, CSB, 1).unwrap();
        let read = KeyParameters::open(&data, &KEY, CSB, 0x2000_0001).unwrap();
        assert_eq!(read, bare);
        assert!(!read.revoked());
    }

    #[test]
    fn refusals() {
        let data = sample().protect(&KEY, CSB, 0).unwrap();
        let open = |d: &[u8]| KeyParameters::open(d, &KEY, CSB, GMK_ID);
        // Another key, another CSB ID, a key ID of another purpose.
        assert_eq!(
            KeyParameters::open(&data, &[0; 16], CSB, GMK_ID),
            Err(KeyParamsError::AuthenticationFailed)
        );
        assert_eq!(
            KeyParameters::open(&data, &KEY, CSB ^ 1, GMK_ID),
            Err(KeyParamsError::WrongDppkId)
        );
        assert_eq!(
            KeyParameters::open(&data, &KEY, CSB, 0x1000_0001),
            Err(KeyParamsError::KeyTypeMismatch(0))
        );
        // Every octet of the clear header and the ciphertext is authenticated.
        for at in (0..data.len()).filter(|&i| !(28..35).contains(&i)) {
            let mut bad = data.clone();
            bad[at] ^= 0x01;
            let err = open(&bad).unwrap_err();
            assert!(
                matches!(
                    err,
                    KeyParamsError::AuthenticationFailed | KeyParamsError::UnsupportedAlgorithm(_)
                ),
                "octet {at}: {err:?}"
            );
        }
        // Truncated or extended.
        for len in [0, 11, 17, 31, 34, 50, data.len() - 1] {
            assert_eq!(open(&data[..len]), Err(KeyParamsError::Malformed), "{len}");
        }
        let mut longer = data.clone();
        longer.push(0);
        assert_eq!(open(&longer), Err(KeyParamsError::Malformed));
        // A plaintext that is no Key Parameters IE, correctly encrypted.
        let mut p = sample();
        p.text = vec![b'x'; 3];
        let good = p.encode().unwrap();
        let mut bad_ie = good.to_vec();
        bad_ie.truncate(bad_ie.len() - 1);
        let seal = |plain: &[u8]| {
            let mut out = data[..CLEAR_BYTES].to_vec();
            out.push(PAYLOAD_IEI);
            out.extend_from_slice(&((plain.len() + 16) as u16).to_be_bytes());
            let mut body = plain.to_vec();
            let iv: [u8; 16] = data[12..28].try_into().unwrap();
            let tag = cipher(&KEY, CSB)
                .encrypt_inout_detached((&iv).into(), &data[..32], body.as_mut_slice().into())
                .unwrap();
            out.extend_from_slice(&body);
            out.extend_from_slice(&tag);
            out
        };
        assert!(open(&seal(&good)).is_ok());
        assert_eq!(open(&seal(&bad_ie)), Err(KeyParamsError::Malformed));
        // Times beyond 40 bits cannot be written.
        let mut late = sample();
        late.expiry_time = MAX_TIME + 1;
        assert_eq!(late.protect(&KEY, CSB, 0), Err(KeyParamsError::Encode));
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The type-7 payloads of a deployed product's published I_MESSAGEs
    /// (tests/vectors/streamwide-mikey.json: "Test 1: GMK", "Test 2: CSK", and the legacy form
    /// of "Test 4").
    #[test]
    fn a_deployed_products_payloads() {
        let gmk: [u8; 16] = hex("07d1a1677ac36d8e81620484689b3c2d").try_into().unwrap();
        let data = hex(concat!(
            "43000000000100000000000128704fa41c8fe20f881c1bab0d32d8ca06a12aea0000244eddc3bf8c",
            "2a4a5d3fc9848440123e7d054dab4308d505759206cc789d05a4ce0e49364d"
        ));
        let expected = KeyParameters {
            key_type: 0,
            status: STATUS_NOT_REVOKED,
            ..KeyParameters::default()
        };
        let got = KeyParameters::open(&data, &gmk, 0x06a1_2aea, 0x0df9_bc39).unwrap();
        assert_eq!(got, expected);
        // Our encoding of the same parameters is the product's plaintext.
        assert_eq!(
            &expected.encode().unwrap()[..],
            hex("0000000001000000000000000000000000000100")
        );
        let csk: [u8; 16] = hex("e06e65106183547342d3e8a6ce2540a8").try_into().unwrap();
        let data = hex(concat!(
            "4300000000010000000000016f7ee262ac4da7f5d06a72de86816abe2ddd5bf0000021bc70f37086",
            "4c4fa8f7a8b3992acc17d2335538bea90d6016992b6b982ae86008f0"
        ));
        let got = KeyParameters::open(&data, &csk, 0x2ddd_5bf0, 0x2ddd_5bf0).unwrap();
        assert_eq!((got.key_type, got.status, got.group_ids.len()), (2, 1, 0));
        assert_eq!(
            &got.encode().unwrap()[..],
            hex("0200000001000000000000000000000000")
        );
        // The legacy form: in the clear, Key Type = purpose tag + 1.
        let legacy = hex("0100000001000000000000000000000000");
        let got = KeyParameters::open(&legacy, &gmk, 0x0482_09a7, 0x0df9_bc39).unwrap();
        assert_eq!(got, expected);
        assert_eq!(
            KeyParameters::open(&legacy, &gmk, 0x0482_09a7, 0x1000_0001),
            Err(KeyParamsError::Malformed)
        );
    }

    #[test]
    fn revoked_status() {
        let mut p = KeyParameters::new(GMK_ID, 0, 0);
        assert!(!p.revoked());
        p.status = STATUS_SHARED_WITH_GATEWAY;
        assert!(p.revoked());
        p.status = 0;
        let data = p.protect(&KEY, CSB, 0).unwrap();
        assert!(
            KeyParameters::open(&data, &KEY, CSB, GMK_ID)
                .unwrap()
                .revoked()
        );
    }
}
