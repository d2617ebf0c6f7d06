//! C API of the SRTP master keys of TS 33.180 7.4 (media profile AEAD_AES_128_GCM, RFC 7714):
//! the MKI of a stream and the master key and salt for an MKI.

use super::borrow_mut;
use super::client::mkc_client;
use super::out::{OutBuf, OutVal};
use super::panic::guard;
use super::result::mkc_result;
use super::slice::{input, region};
use crate::mikey::kdf::{PURPOSE_GMK, PURPOSE_PCK, purpose_tag};
use crate::mikey::srtp::{self, Mki, SrtpMaster};

/// Octets of an SRTP master key (AEAD_AES_128_GCM).
pub const MKC_SRTP_MASTER_KEY_BYTES: usize = 16;
/// Octets of an SRTP master salt (AEAD_AES_128_GCM, RFC 7714 8.2).
pub const MKC_SRTP_MASTER_SALT_BYTES: usize = 12;
/// Octets of the longest MKI of TS 33.180 7.4 (GMK-ID || GUK-ID); a PCK's MKI has 4.
pub const MKC_SRTP_MKI_MAX_BYTES: usize = 8;

/// CS ID (TS 33.180 Table E.1.3-1) of the stream sent by an MCPTT private call's initiator.
pub const MKC_SRTP_CS_ID_MCPTT_PRIVATE_INITIATOR: u8 = 0;
/// CS ID of the stream sent by an MCPTT private call's receiver.
pub const MKC_SRTP_CS_ID_MCPTT_PRIVATE_RECEIVER: u8 = 1;
/// CS ID of the stream sent by an MCVideo private call's initiator.
pub const MKC_SRTP_CS_ID_MCVIDEO_PRIVATE_INITIATOR: u8 = 2;
/// CS ID of the stream sent by an MCVideo private call's receiver.
pub const MKC_SRTP_CS_ID_MCVIDEO_PRIVATE_RECEIVER: u8 = 3;
/// CS ID of an MCPTT group call.
pub const MKC_SRTP_CS_ID_MCPTT_GROUP: u8 = 4;
/// CS ID of an MCVideo group call.
pub const MKC_SRTP_CS_ID_MCVIDEO_GROUP: u8 = 5;

const _: () = {
    assert!(MKC_SRTP_MASTER_KEY_BYTES == srtp::MASTER_KEY_BYTES);
    assert!(MKC_SRTP_MASTER_SALT_BYTES == srtp::MASTER_SALT_BYTES);
    assert!(MKC_SRTP_MKI_MAX_BYTES == srtp::MKI_MAX_BYTES);
    assert!(MKC_SRTP_CS_ID_MCPTT_PRIVATE_INITIATOR == srtp::CS_ID_MCPTT_PRIVATE_INITIATOR);
    assert!(MKC_SRTP_CS_ID_MCPTT_PRIVATE_RECEIVER == srtp::CS_ID_MCPTT_PRIVATE_RECEIVER);
    assert!(MKC_SRTP_CS_ID_MCVIDEO_PRIVATE_INITIATOR == srtp::CS_ID_MCVIDEO_PRIVATE_INITIATOR);
    assert!(MKC_SRTP_CS_ID_MCVIDEO_PRIVATE_RECEIVER == srtp::CS_ID_MCVIDEO_PRIVATE_RECEIVER);
    assert!(MKC_SRTP_CS_ID_MCPTT_GROUP == srtp::CS_ID_MCPTT_GROUP);
    assert!(MKC_SRTP_CS_ID_MCVIDEO_GROUP == srtp::CS_ID_MCVIDEO_GROUP);
};

/// Returns `MKC_SRTP_MASTER_KEY_BYTES` (16).
#[unsafe(no_mangle)]
pub extern "C" fn mkc_srtp_master_key_bytes() -> usize {
    MKC_SRTP_MASTER_KEY_BYTES
}

/// Returns `MKC_SRTP_MASTER_SALT_BYTES` (12).
#[unsafe(no_mangle)]
pub extern "C" fn mkc_srtp_master_salt_bytes() -> usize {
    MKC_SRTP_MASTER_SALT_BYTES
}

/// Returns `MKC_SRTP_MKI_MAX_BYTES` (8).
#[unsafe(no_mangle)]
pub extern "C" fn mkc_srtp_mki_max_bytes() -> usize {
    MKC_SRTP_MKI_MAX_BYTES
}

/// An SRTP master key, master salt and MKI for one stream. `master_key` and `master_salt` are
/// secret: wipe the whole struct when done.
#[repr(C)]
pub struct mkc_srtp_master {
    /// The SRTP master key.
    pub master_key: [u8; MKC_SRTP_MASTER_KEY_BYTES],
    /// The SRTP master salt.
    pub master_salt: [u8; MKC_SRTP_MASTER_SALT_BYTES],
    /// The MKI the stream's packets carry (`mki_len` octets, big-endian IDs).
    pub mki: [u8; MKC_SRTP_MKI_MAX_BYTES],
    /// Octets of `mki`: 4 (PCK-ID) or 8 (GMK-ID || GUK-ID).
    pub mki_len: usize,
}

/// Writes the MKI of the stream a member sends (TS 33.180 7.4) and its length to `*written`:
/// for a PCK-ID (purpose tag 1), the 4 octets of the PCK-ID (`guk_id` is ignored); for a
/// GMK-ID (purpose tag 0), the 8 octets GMK-ID || GUK-ID, `guk_id` being the sender's own
/// GUK-ID (the `guk_id` of the `mkc_mikey_key` that gave it the GMK). IDs are big-endian.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_BUFFER_TOO_SMALL` (`*written` = the size needed);
/// `MKC_RESULT_INVALID_PARAMETER` (`key_id` neither a GMK-ID nor a PCK-ID, a GUK-ID without
/// the GMK purpose tag, overlapping buffers); or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `mki_out` writable for `mki_cap` octets; `written` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_srtp_mki(
    key_id: u32,
    guk_id: u32,
    mki_out: *mut u8,
    mki_cap: usize,
    written: *mut usize,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let out = unsafe { OutBuf::new(mki_out, mki_cap, written, &[]) }?;
        let mki = match purpose_tag(key_id) {
            PURPOSE_PCK => Mki::pck(key_id),
            PURPOSE_GMK if purpose_tag(guk_id) == PURPOSE_GMK => Mki::gmk(key_id, guk_id),
            _ => return Err(mkc_result::InvalidParameter),
        };
        out.put(mki.as_bytes())
    })
}

/// Derives the SRTP master key and salt of the stream whose packets carry `mki` (TS 33.180
/// 7.4, RFC 3830 4.1.3 with PRF-HMAC-SHA-256): TGK = `key` (the GMK or PCK, 16 octets) whose
/// ID is `key_id`; RAND = `rand`, the RAND of the I_MESSAGE that distributed the key (the
/// `rand` of its `mkc_mikey_key`); CS ID = `cs_id` (the `MKC_SRTP_CS_ID_*` of the stream:
/// for a private call, the initiator's stream uses ..._PRIVATE_INITIATOR and the receiver's
/// ..._PRIVATE_RECEIVER; a group call uses ..._GROUP); CSB ID = the PCK-ID, or for a GMK the
/// GUK-ID in the MKI's last 4 octets. A sender passes the MKI of `mkc_srtp_mki`; a receiver
/// passes the MKI of the packet it holds. `*out` gets the master key (16 octets), master salt
/// (12) and the MKI, for AEAD_AES_128_GCM (RFC 7714).
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_UNKNOWN_MKI` (the MKI is not a PCK-ID or GMK-ID ||
/// GUK-ID, or names another key than `key_id`); `MKC_RESULT_INVALID_LENGTH` (`key_len` not
/// 16, `rand_len` 0 or over 255); `MKC_RESULT_INVALID_PARAMETER` (`key_id` neither a GMK-ID
/// nor a PCK-ID, overlapping buffers); or `MKC_RESULT_NULL_PARAMETER`. On failure `*out` is
/// zeroed.
///
/// # Safety
/// `key`, `rand` and `mki` readable for their lengths; `out` writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mkc_srtp_derive(
    key: *const u8,
    key_len: usize,
    key_id: u32,
    rand: *const u8,
    rand_len: usize,
    cs_id: u8,
    mki: *const u8,
    mki_len: usize,
    out: *mut mkc_srtp_master,
) -> mkc_result {
    guard(|| {
        let inputs = [
            region(key, key_len),
            region(rand, rand_len),
            region(mki, mki_len),
        ];
        // SAFETY: forwarded caller guarantees.
        let out = unsafe { OutVal::new(out, &inputs) }?;
        let key = unsafe { input(key, key_len) }?;
        let rand = unsafe { input(rand, rand_len) }?;
        let mki = unsafe { input(mki, mki_len) }?;
        let key: &[u8; MKC_SRTP_MASTER_KEY_BYTES] =
            key.try_into().map_err(|_| mkc_result::InvalidLength)?;
        let mki = Mki::parse(mki).ok_or(mkc_result::UnknownMki)?;
        let master = SrtpMaster::derive(key, key_id, rand, cs_id, mki)?;
        out.set(master_view(&master));
        Ok(())
    })
}

/// The C value of a core SRTP master. The copy left on the stack is overwritten by `guard`.
fn master_view(master: &SrtpMaster) -> mkc_srtp_master {
    let mut value = mkc_srtp_master {
        master_key: *master.key,
        master_salt: *master.salt,
        mki: [0; MKC_SRTP_MKI_MAX_BYTES],
        mki_len: master.mki.as_bytes().len(),
    };
    value.mki[..value.mki_len].copy_from_slice(master.mki.as_bytes());
    value
}

/// The SRTP master key and salt for a packet an SRTP stack holds, from the client's key ring
/// (the keys `mkc_client_mikey_receive_imessage` stored): `mki` is the packet's MKI (a PCK-ID,
/// or GMK-ID || GUK-ID, TS 33.180 7.4), `cs_id` the stream's `MKC_SRTP_CS_ID_*`, `now` Unix
/// seconds for the key's activation and expiry times. A key whose expiry has come is erased.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_UNKNOWN_MKI` (not such an MKI, or no key in the ring
/// with its ID); `MKC_RESULT_KEY_EXPIRED` (the key expired and was erased);
/// `MKC_RESULT_KEY_NOT_YET_ACTIVE`; `MKC_RESULT_INVALID_PARAMETER` (overlapping buffers); or
/// `MKC_RESULT_NULL_PARAMETER`. On failure `*out` is zeroed.
///
/// # Safety
/// `client` a live handle; `mki` readable for `mki_len` octets; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_client_srtp_for_mki(
    client: *mut mkc_client,
    now: u64,
    cs_id: u8,
    mki: *const u8,
    mki_len: usize,
    out: *mut mkc_srtp_master,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let out = unsafe { OutVal::new(out, &[region(mki, mki_len)]) }?;
        let handle = unsafe { borrow_mut(client) }?;
        let mki = unsafe { input(mki, mki_len) }?;
        handle.view.clear();
        let master = handle.client.keyring_mut().srtp_for_mki(mki, cs_id, now)?;
        out.set(master_view(&master));
        Ok(())
    })
}

/// Sets when the key `key_id` of the client's key ring may be used: from `activation` until
/// `expiry` (Unix seconds; 0 = no bound), e.g. from the key's parameters (TS 33.180 E.6) or the
/// app's policy. From `expiry` on, the key is erased and lookups give `MKC_RESULT_KEY_EXPIRED`
/// then `MKC_RESULT_UNKNOWN_MKI`.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_UNKNOWN_KEY`; or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `client` a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_client_key_set_validity(
    client: *mut mkc_client,
    key_id: u32,
    activation: u64,
    expiry: u64,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantee.
        let handle = unsafe { borrow_mut(client) }?;
        handle.view.clear();
        let bound = |t: u64| (t != 0).then_some(t);
        handle
            .client
            .keyring_mut()
            .set_validity(key_id, bound(activation), bound(expiry))
            .map_err(|_| mkc_result::UnknownKey)
    })
}

/// Erases the key `key_id` from the client's key ring (e.g. a PCK when its call ends, TS
/// 33.180 5.11.2).
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_UNKNOWN_KEY`; or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `client` a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_client_key_erase(client: *mut mkc_client, key_id: u32) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantee.
        let handle = unsafe { borrow_mut(client) }?;
        handle.view.clear();
        if handle.client.keyring_mut().erase(key_id) {
            Ok(())
        } else {
            Err(mkc_result::UnknownKey)
        }
    })
}
