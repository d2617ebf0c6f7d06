//! C API of MIKEY-SAKKE I_MESSAGEs (RFC 6509, TS 33.180 Annex E) on the provisioning client,
//! and the byte-level helpers: new key IDs, the SDP `mikey <base64>` form.

use std::ffi::c_char;

use super::client::mkc_client;
use super::eccsi::{mkc_eccsi_public, mkc_eccsi_signer};
use super::kms::{mkc_kms_params, read_kms_params};
use super::out::{OutBuf, OutVal};
use super::panic::guard;
use super::result::mkc_result;
use super::sakke::{mkc_sakke_public, mkc_sakke_receiver};
use super::slice::text as text_arg;
use super::slice::{EMPTY, array, input, mkc_str, region, str_region, text, utf8, value_region};
use super::{borrow, borrow_mut};
use crate::client::{ImessageOptions, new_key};
use crate::mikey::{
    CreateParams, KeyKind, KeyParameters, KmsParams, OneKmsDirectory, ProcessParams, ReceivedKey,
    Recipient, create_imessage, process_imessage, sdp,
};

/// Octets of a GMK, PCK or CSK.
pub const MKC_MIKEY_KEY_BYTES: usize = 16;

const _: () = assert!(MKC_MIKEY_KEY_BYTES == crate::mikey::kdf::KEY_BYTES);

/// The longest I_MESSAGE made or processed, in octets (a real one is under 2 KB). A longer
/// message is refused with `MKC_RESULT_MIKEY_MALFORMED` before it is parsed, and its SDP form
/// (longer than 4 * ceil(8192 / 3) base64 characters) before it is decoded.
pub const MKC_MIKEY_MAX_IMESSAGE_BYTES: usize = 8192;

const _: () = assert!(MKC_MIKEY_MAX_IMESSAGE_BYTES == crate::mikey::message::MAX_IMESSAGE_BYTES);

/// Returns `MKC_MIKEY_MAX_IMESSAGE_BYTES` (8192).
#[unsafe(no_mangle)]
pub extern "C" fn mkc_mikey_max_imessage_bytes() -> usize {
    MKC_MIKEY_MAX_IMESSAGE_BYTES
}

/// Returns `MKC_MIKEY_KEY_BYTES` (16).
#[unsafe(no_mangle)]
pub extern "C" fn mkc_mikey_key_bytes() -> usize {
    MKC_MIKEY_KEY_BYTES
}

/// The kind of key an I_MESSAGE carries; its value is the purpose tag in the top 4 bits of
/// the key ID (TS 33.180 E.1).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mkc_mikey_key_kind {
    /// Group Master Key, from the group management server.
    Gmk = 0,
    /// Private Call Key, from the calling user.
    Pck = 1,
    /// Client-Server Key, from the user to an MC server (or downloaded from it).
    Csk = 2,
    /// MBMS subchannel control key, downloaded from an MC server.
    Mkfc = 4,
    /// Multicast signalling key of the MC service, downloaded from an MC server.
    Mscck = 5,
    /// Multicast Signalling Key, downloaded from an MC server.
    Musik = 6,
}

/// `constant` of `mkc_mikey_derive_key` for a TEK, e.g. the SRTP master key (RFC 3830 4.1.3).
pub const MKC_MIKEY_KDF_TEK: u32 = 0x2AD0_1C64;
/// `constant` of `mkc_mikey_derive_key` for an encryption key (RFC 3830 4.1.4).
pub const MKC_MIKEY_KDF_ENCRYPTION: u32 = 0x1579_8CEF;
/// `constant` of `mkc_mikey_derive_key` for an authentication key (RFC 3830 4.1.4).
pub const MKC_MIKEY_KDF_AUTHENTICATION: u32 = 0x1B5C_7973;
/// `constant` of `mkc_mikey_derive_key` for a salting key, e.g. the SRTP master salt (RFC 3830
/// 4.1.3).
pub const MKC_MIKEY_KDF_SALT: u32 = 0x39A2_C14B;
/// Largest `tgk_len` of `mkc_mikey_derive_key`, in octets.
pub const MKC_MIKEY_KDF_MAX_TGK_LEN: usize = 1024;
/// Largest `rand_len` of `mkc_mikey_derive_key`, in octets (the RAND payload's one-octet
/// length).
pub const MKC_MIKEY_KDF_MAX_RAND_LEN: usize = 255;
/// Largest `out_len` of `mkc_mikey_derive_key`, in octets.
pub const MKC_MIKEY_KDF_MAX_OUT_LEN: usize = 1024;

const _: () = {
    use crate::mikey::prf;
    assert!(MKC_MIKEY_KDF_TEK == prf::CONSTANT_TEK);
    assert!(MKC_MIKEY_KDF_ENCRYPTION == prf::CONSTANT_ENCRYPTION);
    assert!(MKC_MIKEY_KDF_AUTHENTICATION == prf::CONSTANT_AUTHENTICATION);
    assert!(MKC_MIKEY_KDF_SALT == prf::CONSTANT_SALT);
    assert!(MKC_MIKEY_KDF_MAX_TGK_LEN == prf::MAX_TGK_BYTES);
    assert!(MKC_MIKEY_KDF_MAX_RAND_LEN == prf::MAX_RAND_BYTES);
    assert!(MKC_MIKEY_KDF_MAX_OUT_LEN == prf::MAX_OUT_BYTES);
};

/// `flags` of `mkc_client_mikey_create_imessage`.
pub const MKC_MIKEY_HIDE_IDENTITIES: u32 = 1;
/// `flags` of `mkc_client_mikey_create_imessage`: add SAKKE-to-self (TS 33.180 E.5).
pub const MKC_MIKEY_SAKKE_TO_SELF: u32 = 2;

/// A key received in an I_MESSAGE. `key` is secret: wipe it when done. The pointers are
/// views: see `initiator_uri` and `rand` for whose memory they point into.
#[repr(C)]
pub struct mkc_mikey_key {
    /// A `mkc_mikey_key_kind` value.
    pub kind: u32,
    /// The key (GMK, PCK or CSK).
    pub key: [u8; MKC_MIKEY_KEY_BYTES],
    /// GMK-ID, PCK-ID or CSK-ID.
    pub key_id: u32,
    /// 1 when `guk_id` holds the GUK-ID (for a GMK).
    pub has_guk_id: u32,
    /// GUK-ID = GMK-ID XOR the user salt (TS 33.180 F.1.3).
    pub guk_id: u32,
    /// The CSB ID of the MIKEY header.
    pub csb_id: u32,
    /// Our key period (NTP-based) whose RSK decapsulated the key.
    pub period: u64,
    /// T of the message as Unix seconds.
    pub time: u64,
    /// The initiator's UID (32 octets) the signature was verified with.
    pub initiator_uid: [u8; 32],
    /// The initiator's URI (`initiator_uri_len` octets; use the length, a NUL may not follow),
    /// or NULL when the message hides it and none was given. To authenticate a hidden
    /// initiator, pass its URI (e.g. from the SIP message) as `initiator_uri` when processing:
    /// it is then checked against the signing UID in T's key period or, near a boundary, the
    /// neighbouring one.
    pub initiator_uri: *const c_char,
    /// Octets of `initiator_uri`.
    pub initiator_uri_len: usize,
    /// 1 when the key came through SAKKE-to-self (we are another device of the initiator).
    pub via_sakke_to_self: u32,
    /// The RAND value (for the replay cache and the SRTP key derivation). From
    /// `mkc_client_mikey_process_imessage` it is owned by the client (valid until its next
    /// mutating call); from `mkc_mikey_process_imessage` it points into the message buffer.
    pub rand: *const u8,
    /// Octets of `rand`.
    pub rand_len: usize,
}

/// The C view of a received key from message `msg`: `rand` and a sent initiator URI point
/// into `msg` at the offsets the core found them; a URI only the caller knew points into
/// `named`.
fn key_view(received: &ReceivedKey, msg: &[u8], named: &str) -> mkc_mikey_key {
    let at = |offset: usize, len: usize| match msg.get(offset..offset.saturating_add(len)) {
        Some(part) => (part.as_ptr(), len),
        None => (std::ptr::null(), 0),
    };
    let uri_len = received.initiator_uri.as_ref().map_or(0, String::len);
    let initiator_uri = match received.initiator_uri_offset {
        Some(offset) => at(offset, uri_len),
        None if uri_len != 0 => (named.as_ptr(), named.len()),
        None => (std::ptr::null(), 0),
    };
    let rand = at(received.rand_offset, received.rand.len());
    mkc_mikey_key {
        kind: match received.kind {
            KeyKind::Gmk => mkc_mikey_key_kind::Gmk as u32,
            KeyKind::Pck => mkc_mikey_key_kind::Pck as u32,
            KeyKind::Csk => mkc_mikey_key_kind::Csk as u32,
            KeyKind::Mkfc => mkc_mikey_key_kind::Mkfc as u32,
            KeyKind::Mscck => mkc_mikey_key_kind::Mscck as u32,
            KeyKind::Musik => mkc_mikey_key_kind::Musik as u32,
        },
        key: *received.key,
        key_id: received.key_id,
        has_guk_id: received.guk_id.is_some().into(),
        guk_id: received.guk_id.unwrap_or(0),
        csb_id: received.csb_id,
        period: received.period,
        time: crate::time::ntp_to_unix(received.time_ntp).unwrap_or(0),
        initiator_uid: received.initiator_uid,
        initiator_uri: initiator_uri.0.cast::<c_char>(),
        initiator_uri_len: initiator_uri.1,
        via_sakke_to_self: (received.recipient == Recipient::SakkeToSelf).into(),
        rand: rand.0,
        rand_len: rand.1,
    }
}

fn kind_of(kind: u32) -> Result<KeyKind, mkc_result> {
    match kind {
        0 => Ok(KeyKind::Gmk),
        1 => Ok(KeyKind::Pck),
        2 => Ok(KeyKind::Csk),
        4 => Ok(KeyKind::Mkfc),
        5 => Ok(KeyKind::Mscck),
        6 => Ok(KeyKind::Musik),
        _ => Err(mkc_result::InvalidParameter),
    }
}

/// Draws a fresh random key of `kind` (16 octets) and its key ID (random, with the kind's
/// purpose tag in the top 4 bits) from the OS RNG.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_BUFFER_TOO_SMALL` (`key_cap` < 16, neither output
/// touched);
/// `MKC_RESULT_INVALID_PARAMETER` (unknown kind, or `key_out` overlapping `key_id_out`);
/// `MKC_RESULT_RNG_FAILURE`; or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `key_out` writable for `key_cap` octets; `key_id_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_mikey_new_key(
    kind: u32,
    key_out: *mut u8,
    key_cap: usize,
    key_id_out: *mut u32,
) -> mkc_result {
    guard(|| {
        let id_region = value_region(key_id_out.cast_const());
        // SAFETY: forwarded caller guarantees.
        OutVal::check(key_id_out, false, &[region(key_out, key_cap)])?;
        let mut out = unsafe { OutBuf::fixed(key_out, key_cap, &[id_region]) }?;
        let id_out = unsafe { OutVal::new(key_id_out, &[region(key_out, key_cap)]) }?;
        let kind = kind_of(kind)?;
        if out.cap() < MKC_MIKEY_KEY_BYTES {
            out.too_small(MKC_MIKEY_KEY_BYTES);
            id_out.untouched();
            return Err(mkc_result::BufferTooSmall);
        }
        let (id, key) = new_key(kind)?;
        out.put(&key[..])?;
        id_out.set(id);
        Ok(())
    })
}

/// The MIKEY key derivation (RFC 3830 4.1.2/4.1.3 with PRF-HMAC-SHA-256, RFC 6043 6.1):
/// writes the first `out_len` octets of `PRF(tgk, constant || cs_id || csb_id || rand)` to
/// `out` (constant and csb_id as 4 octets big-endian, cs_id as 1). The TGK is cut into 32-octet
/// pieces whose PRF outputs are XORed; outputs longer than 32 octets take several HMAC blocks.
/// `constant`: `MKC_MIKEY_KDF_TEK`, `_ENCRYPTION`, `_AUTHENTICATION`, `_SALT` (any 32-bit
/// value is accepted). For the SRTP keys of TS 33.180 7.4 see `mkc_srtp_derive`, which picks
/// the CS ID, CSB ID and MKI itself.
///
/// Limits: `tgk_len` 1 to `MKC_MIKEY_KDF_MAX_TGK_LEN` (1024); `rand_len` 1 to
/// `MKC_MIKEY_KDF_MAX_RAND_LEN` (255); `out_len` 1 to `MKC_MIKEY_KDF_MAX_OUT_LEN` (1024).
/// `out` must not overlap `tgk` or `rand`. The output is a secret: wipe it when done.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_INVALID_LENGTH` (a length outside its limits);
/// `MKC_RESULT_INVALID_PARAMETER` (overlapping buffers); or `MKC_RESULT_NULL_PARAMETER`. On
/// a failure after the output checks `out` is zeroed (the header's rule).
///
/// # Safety
/// `tgk` readable for `tgk_len` octets, `rand` for `rand_len`, `out` writable for `out_len`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mkc_mikey_derive_key(
    tgk: *const u8,
    tgk_len: usize,
    csb_id: u32,
    cs_id: u8,
    rand: *const u8,
    rand_len: usize,
    constant: u32,
    out: *mut u8,
    out_len: usize,
) -> mkc_result {
    guard(|| {
        let inputs = [region(tgk, tgk_len), region(rand, rand_len)];
        // SAFETY: forwarded caller guarantees.
        let out = unsafe { OutBuf::fixed(out, out_len, &inputs) }?;
        if out_len == 0 || tgk_len == 0 || rand_len == 0 {
            return Err(mkc_result::InvalidLength);
        }
        let tgk = unsafe { input(tgk, tgk_len) }?;
        let rand = unsafe { input(rand, rand_len) }?;
        out.fill_with(|out| crate::mikey::prf::derive_key(tgk, constant, cs_id, csb_id, rand, out))
    })
}

/// The signalling protection keys of TS 33.180 F.1.4: from `xpk` (16 octets: a CSK, MKFC,
/// MSCCK or MuSiK) with ID `xpk_id` and the MC service user ID `user_uri`, the confidentiality
/// key (KDF of TS 33.220 B.2 with FC 0x51, P0 = user_uri, P1 = XPK-ID as 4 octets big-endian)
/// into `conf_out` and the integrity key (FC 0x52) into `int_out`, each the 16 least
/// significant octets of its output. Both are secret: wipe them when done.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_INVALID_LENGTH` (`xpk_len` not 16, URI over 65535
/// octets); `MKC_RESULT_BUFFER_TOO_SMALL` (a capacity under 16: neither output touched);
/// `MKC_RESULT_INVALID_PARAMETER` (overlapping buffers); or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// Inputs readable for their lengths; outputs writable for their capacities.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mkc_mikey_signalling_keys(
    xpk: *const u8,
    xpk_len: usize,
    xpk_id: u32,
    user_uri: *const u8,
    user_uri_len: usize,
    conf_out: *mut u8,
    conf_cap: usize,
    int_out: *mut u8,
    int_cap: usize,
) -> mkc_result {
    guard(|| {
        let inputs = [region(xpk, xpk_len), region(user_uri, user_uri_len)];
        let (conf_region, int_region) = (region(conf_out, conf_cap), region(int_out, int_cap));
        // The later output is checked first: a refused call writes nothing.
        OutBuf::check(int_out, int_cap, &[inputs[0], inputs[1], conf_region])?;
        // SAFETY: forwarded caller guarantees.
        let mut conf =
            unsafe { OutBuf::fixed(conf_out, conf_cap, &[inputs[0], inputs[1], int_region]) }?;
        let mut int =
            unsafe { OutBuf::fixed(int_out, int_cap, &[inputs[0], inputs[1], conf_region]) }?;
        let xpk = unsafe { input(xpk, xpk_len) }?;
        let uri = unsafe { input(user_uri, user_uri_len) }?;
        let xpk: &[u8; MKC_MIKEY_KEY_BYTES] =
            xpk.try_into().map_err(|_| mkc_result::InvalidLength)?;
        if conf.cap() < MKC_MIKEY_KEY_BYTES || int.cap() < MKC_MIKEY_KEY_BYTES {
            conf.too_small(MKC_MIKEY_KEY_BYTES);
            int.too_small(MKC_MIKEY_KEY_BYTES);
            return Err(mkc_result::BufferTooSmall);
        }
        let (c, i) = crate::mikey::kdf::signalling_keys(xpk, xpk_id, uri)?;
        conf.put(&c[..])?;
        int.put(&i[..])
    })
}

/// The MCData payload cipher key of TS 33.180 F.1.5: from `dppk` (16 octets: the GMK or PCK,
/// or the key of an I_MESSAGE whose E.6 key parameters it protects) with ID `dppk_id`, the
/// DPCK (KDF of TS 33.220 B.2 with FC 0x53, P0 = DPPK-ID as 4 octets big-endian, the 16 least
/// significant octets) into `out`. Secret: wipe it when done.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_INVALID_LENGTH` (`dppk_len` not 16);
/// `MKC_RESULT_BUFFER_TOO_SMALL` (`out_cap` under 16: `out` untouched);
/// `MKC_RESULT_INVALID_PARAMETER` (overlapping buffers); or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `dppk` readable for `dppk_len` octets; `out` writable for `out_cap`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_mikey_dpck(
    dppk: *const u8,
    dppk_len: usize,
    dppk_id: u32,
    out: *mut u8,
    out_cap: usize,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let mut out = unsafe { OutBuf::fixed(out, out_cap, &[region(dppk, dppk_len)]) }?;
        let dppk = unsafe { input(dppk, dppk_len) }?;
        let dppk: &[u8; MKC_MIKEY_KEY_BYTES] =
            dppk.try_into().map_err(|_| mkc_result::InvalidLength)?;
        out.need(MKC_MIKEY_KEY_BYTES)?;
        out.put(&crate::mikey::kdf::dpck(dppk, dppk_id)[..])
    })
}

/// Builds an I_MESSAGE from our `identity` to `responder_uri` at Unix time `now` carrying
/// `key` (16 octets) with `key_id` (its top 4 bits must be `kind`'s purpose tag), signed with
/// our SSK of the period of `now` and SAKKE-encapsulated to the responder's UID for that
/// period (RFC 6509; TS 33.180 E.1-E.7). `flags`: `MKC_MIKEY_HIDE_IDENTITIES`,
/// `MKC_MIKEY_SAKKE_TO_SELF`. The RAND is 16 fresh random octets (to choose it, use
/// `mkc_client_mikey_create_imessage_with_rand`). Writes the message octets and their number
/// to `*written`; for SDP, convert with `mkc_mikey_to_sdp`. A message is under 1,000 octets.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_BUFFER_TOO_SMALL` (`*written` = the size needed);
/// `MKC_RESULT_NO_CERTIFICATE`; `MKC_RESULT_NO_KEY_MATERIAL` (no valid SSK for `identity`
/// now); `MKC_RESULT_INVALID_LENGTH` (key not 16 octets); `MKC_RESULT_INVALID_PARAMETER`
/// (unknown kind or flags, a key ID of another kind, not UTF-8, overlapping buffers);
/// `MKC_RESULT_RNG_FAILURE`; or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `client` must be a live handle; inputs readable for their lengths; `msg_out` writable for
/// `msg_cap` octets; `written` writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mkc_client_mikey_create_imessage(
    client: *const mkc_client,
    identity: *const u8,
    identity_len: usize,
    responder_uri: *const u8,
    responder_uri_len: usize,
    now: u64,
    kind: u32,
    key: *const u8,
    key_len: usize,
    key_id: u32,
    flags: u32,
    msg_out: *mut u8,
    msg_cap: usize,
    written: *mut usize,
) -> mkc_result {
    // SAFETY: forwarded caller guarantees; (NULL, 0) is "no RAND given".
    unsafe {
        mkc_client_mikey_create_imessage_with_rand(
            client,
            identity,
            identity_len,
            responder_uri,
            responder_uri_len,
            now,
            kind,
            key,
            key_len,
            key_id,
            flags,
            std::ptr::null(),
            0,
            msg_out,
            msg_cap,
            written,
        )
    }
}

/// As `mkc_client_mikey_create_imessage`, with the RAND of the message given: `rand` of
/// `rand_len` = 16 octets, or `(NULL, 0)` for 16 fresh random octets. The SRTP keys of a key
/// depend on its RAND (TS 33.180 7.4): a group management server sends a GMK to all members
/// with one RAND (e.g. from `mkc_random`), and a private call's initiator keeps the RAND of
/// the PCK it sent.
///
/// Returns as `mkc_client_mikey_create_imessage`, with `MKC_RESULT_INVALID_LENGTH` also for
/// a RAND that is not 16 octets.
///
/// # Safety
/// As `mkc_client_mikey_create_imessage`; `rand` readable for `rand_len` octets.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mkc_client_mikey_create_imessage_with_rand(
    client: *const mkc_client,
    identity: *const u8,
    identity_len: usize,
    responder_uri: *const u8,
    responder_uri_len: usize,
    now: u64,
    kind: u32,
    key: *const u8,
    key_len: usize,
    key_id: u32,
    flags: u32,
    rand: *const u8,
    rand_len: usize,
    msg_out: *mut u8,
    msg_cap: usize,
    written: *mut usize,
) -> mkc_result {
    // SAFETY: forwarded caller guarantees; (NULL, 0) is our own KMS, NULL no key parameters.
    unsafe {
        mkc_client_mikey_create_imessage_with_params(
            client,
            identity,
            identity_len,
            responder_uri,
            responder_uri_len,
            std::ptr::null(),
            0,
            now,
            kind,
            key,
            key_len,
            key_id,
            flags,
            rand,
            rand_len,
            std::ptr::null(),
            std::ptr::null(),
            0,
            std::ptr::null(),
            0,
            msg_out,
            msg_cap,
            written,
        )
    }
}

/// Key parameters of a key (TS 33.180 E.6): what the type-7 General Extension of an
/// I_MESSAGE says about it. Not secret.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mkc_mikey_key_params {
    /// The key type: the key ID's purpose tag (a `mkc_mikey_key_kind` value).
    pub key_type: u32,
    /// Status bits: `MKC_MIKEY_KEY_STATUS_NOT_REVOKED`, `MKC_MIKEY_KEY_STATUS_SHARED_WITH_GATEWAY`.
    /// A key without `MKC_MIKEY_KEY_STATUS_NOT_REVOKED` is revoked.
    pub status: u32,
    /// Activation time, Unix seconds (0: at once).
    pub activation: u64,
    /// Expiry time, Unix seconds (0: none).
    pub expiry: u64,
    /// Number of group IDs (read with `mkc_mikey_key_parameters_group_id`); ignored when
    /// creating (the `groups` argument gives them).
    pub group_count: u32,
}

/// One group ID of key parameters (TS 33.180 E.6): the MCData group ID's octets and the IEI
/// written before them (TS 24.282 15.2.14 gives it; we could not read its value, so the caller
/// chooses it).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mkc_mikey_group_id {
    /// The IEI.
    pub iei: u8,
    /// The group ID's octets (e.g. the group's URI), at most 65535.
    pub id: mkc_str,
}

/// Status bit of `mkc_mikey_key_params`: the key is not revoked.
pub const MKC_MIKEY_KEY_STATUS_NOT_REVOKED: u32 = 1;
/// Status bit of `mkc_mikey_key_params`: the key is shared with a gateway.
pub const MKC_MIKEY_KEY_STATUS_SHARED_WITH_GATEWAY: u32 = 2;

const _: () = {
    use crate::mikey::keyparams;
    assert!(MKC_MIKEY_KEY_STATUS_NOT_REVOKED == keyparams::STATUS_NOT_REVOKED);
    assert!(MKC_MIKEY_KEY_STATUS_SHARED_WITH_GATEWAY == keyparams::STATUS_SHARED_WITH_GATEWAY);
};

/// The core key parameters of a C value and its text. Times before 1970 or past 40 bits of
/// seconds since 1900 are `INVALID_PARAMETER`.
fn core_params(p: &mkc_mikey_key_params, text: &[u8]) -> Result<KeyParameters, mkc_result> {
    let time = |unix: u64| match unix {
        0 => Ok(0),
        t => crate::time::unix_to_ntp(t)
            .filter(|&n| n <= crate::mikey::keyparams::MAX_TIME)
            .ok_or(mkc_result::InvalidParameter),
    };
    Ok(KeyParameters {
        key_type: u8::try_from(p.key_type).map_err(|_| mkc_result::InvalidParameter)?,
        status: p.status,
        activation_time: time(p.activation)?,
        expiry_time: time(p.expiry)?,
        text: text.to_vec(),
        group_ids: Vec::new(),
    })
}

/// As `mkc_client_mikey_create_imessage_with_rand`, to a responder of the KMS domain
/// `responder_kms_uri` and adding key parameters.
///
/// `responder_kms_uri` (a KmsUri; `(NULL, 0)` or our own KmsUri for our domain): for a partner
/// domain (TS 33.180 5.2.7) the client must hold its certificate from the KMS's certificate
/// cache (see `mkc_client_set_certcache_interval`); the message then names that KMS in
/// IDRkmsr, and the key is encapsulated to the responder's UID under that domain's Z_T and key
/// periods (TS 33.180 F.2.1 numbering).
///
/// Key parameters (TS 33.180 E.6) go in the type-7 General Extension, protected under the
/// key: `params` (its `key_type` must be `kind`) and the key's name `text` of `text_len`
/// octets (at most 65535; `(NULL, 0)` for none), and `group_count` group IDs from `groups`
/// (at most 255; `(NULL, 0)` for none). `params` NULL: none.
///
/// Returns as `mkc_client_mikey_create_imessage_with_rand`, and
/// `MKC_RESULT_MIKEY_UNKNOWN_KMS` (no valid certificate of the responder's KMS held),
/// `MKC_RESULT_MIKEY_KMS_REVOKED` (it was revoked), `MKC_RESULT_INVALID_PARAMETER` also for a
/// key type other than `kind`, a time not representable, a text or group ID over 65535
/// octets, or more than 255 groups.
///
/// # Safety
/// As `mkc_client_mikey_create_imessage_with_rand`; `responder_kms_uri` readable for its
/// length; `params` NULL or readable; `text` readable for `text_len` octets; `groups`
/// readable for `group_count` entries, each `id` readable for its length.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mkc_client_mikey_create_imessage_with_params(
    client: *const mkc_client,
    identity: *const u8,
    identity_len: usize,
    responder_uri: *const u8,
    responder_uri_len: usize,
    responder_kms_uri: *const u8,
    responder_kms_uri_len: usize,
    now: u64,
    kind: u32,
    key: *const u8,
    key_len: usize,
    key_id: u32,
    flags: u32,
    rand: *const u8,
    rand_len: usize,
    params: *const mkc_mikey_key_params,
    text: *const u8,
    text_len: usize,
    groups: *const mkc_mikey_group_id,
    group_count: usize,
    msg_out: *mut u8,
    msg_cap: usize,
    written: *mut usize,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let group_list = unsafe { array(groups, group_count) }.unwrap_or(&[]);
        let mut inputs = vec![
            region(identity, identity_len),
            region(responder_uri, responder_uri_len),
            region(responder_kms_uri, responder_kms_uri_len),
            region(key, key_len),
            region(rand, rand_len),
            value_region(params),
            region(text, text_len),
            region(
                groups,
                group_count.saturating_mul(size_of::<mkc_mikey_group_id>()),
            ),
        ];
        inputs.extend(group_list.iter().map(|g| str_region(g.id)));
        let out = unsafe { OutBuf::new(msg_out, msg_cap, written, &inputs) }?;
        let group_list = unsafe { array(groups, group_count) }?;
        if flags & !(MKC_MIKEY_HIDE_IDENTITIES | MKC_MIKEY_SAKKE_TO_SELF) != 0 {
            return Err(mkc_result::InvalidParameter);
        }
        let kind = kind_of(kind)?;
        let handle = unsafe { borrow(client) }?;
        let identity = unsafe { text_arg(identity, identity_len) }?;
        let responder = unsafe { text_arg(responder_uri, responder_uri_len) }?;
        let responder_kms = unsafe { text_arg(responder_kms_uri, responder_kms_uri_len) }?;
        let key = unsafe { input(key, key_len) }?;
        let rand = unsafe { input(rand, rand_len) }?;
        let text = unsafe { input(text, text_len) }?;
        let key: &[u8; MKC_MIKEY_KEY_BYTES] =
            key.try_into().map_err(|_| mkc_result::InvalidLength)?;
        let rand = match rand.len() {
            0 => None,
            _ => Some(rand.try_into().map_err(|_| mkc_result::InvalidLength)?),
        };
        let key_params = match unsafe { params.as_ref() } {
            None => None,
            Some(p) => {
                if p.key_type != u32::from(kind.purpose_tag())
                    || text.len() > usize::from(u16::MAX)
                    || group_list.len() > usize::from(u8::MAX)
                {
                    return Err(mkc_result::InvalidParameter);
                }
                let mut core = core_params(p, text)?;
                for g in group_list {
                    let id = unsafe { input(g.id.ptr, g.id.len) }?;
                    if id.len() > usize::from(u16::MAX) {
                        return Err(mkc_result::InvalidParameter);
                    }
                    core.group_ids.push((g.iei, id.to_vec()));
                }
                Some(core)
            }
        };
        let options = ImessageOptions {
            kind,
            key,
            key_id,
            hide_identities: flags & MKC_MIKEY_HIDE_IDENTITIES != 0,
            sakke_to_self: flags & MKC_MIKEY_SAKKE_TO_SELF != 0,
            responder_kms: (!responder_kms.is_empty()).then_some(responder_kms),
        };
        out.deliver(handle.client.mikey_create_imessage_with_parameters(
            identity,
            responder,
            now,
            &options,
            rand,
            key_params.as_ref(),
        ))
    })
}

/// Reads the key parameters (TS 33.180 E.6) of an I_MESSAGE already processed into `*key`
/// (by `mkc_client_mikey_process_imessage`, `mkc_client_mikey_receive_imessage` or
/// `mkc_mikey_process_imessage`, which checked its signature and refused a bad or revoked
/// one): `*params_out` gets the key type, status and times, `text_out` the key's name (its
/// octets as sent, no NUL) and `*text_written` its length. A message without key parameters
/// gives `MKC_RESULT_UNKNOWN_KEY` (outputs zeroed). Group IDs are not given here.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_BUFFER_TOO_SMALL` (`*text_written` = the size needed,
/// `*params_out` untouched); `MKC_RESULT_UNKNOWN_KEY` (no key parameters);
/// `MKC_RESULT_MIKEY_MALFORMED` (a message or parameters that do not parse);
/// `MKC_RESULT_MIKEY_AUTHENTICATION_FAILED` (parameters not under `key`, or of another key);
/// `MKC_RESULT_INVALID_PARAMETER`; or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `msg` readable for `msg_len` octets; `key` readable; `params_out` writable; `text_out`
/// writable for `text_cap` octets; `text_written` writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mkc_mikey_key_parameters(
    msg: *const u8,
    msg_len: usize,
    key: *const mkc_mikey_key,
    params_out: *mut mkc_mikey_key_params,
    text_out: *mut u8,
    text_cap: usize,
    text_written: *mut usize,
) -> mkc_result {
    guard(|| {
        let inputs = [region(msg, msg_len), value_region(key)];
        let params_region = value_region(params_out.cast_const());
        OutVal::check(
            params_out,
            false,
            &[
                inputs[0],
                inputs[1],
                region(text_out, text_cap),
                value_region(text_written),
            ],
        )?;
        // SAFETY: forwarded caller guarantees.
        let text = unsafe {
            OutBuf::new(
                text_out,
                text_cap,
                text_written,
                &[inputs[0], inputs[1], params_region],
            )
        }?;
        let params_out = unsafe { OutVal::new(params_out, &inputs) }?;
        let key = unsafe { key.as_ref() }.ok_or(mkc_result::NullParameter)?;
        let msg = unsafe { input(msg, msg_len) }?;
        let message = crate::mikey::parse(msg)?;
        let data = message.key_parameters().ok_or(mkc_result::UnknownKey)?;
        let params = KeyParameters::open(data, &key.key, key.csb_id, key.key_id)
            .map_err(crate::mikey::MikeyError::KeyParameters)?;
        let unix = |t: u64| crate::time::ntp_to_unix(t).unwrap_or(0);
        let value = mkc_mikey_key_params {
            key_type: params.key_type.into(),
            status: params.status,
            activation: unix(params.activation_time),
            expiry: if params.expiry_time == 0 {
                0
            } else {
                unix(params.expiry_time).max(1)
            },
            group_count: u32::try_from(params.group_ids.len()).unwrap_or(u32::MAX),
        };
        match text.put(&params.text) {
            Ok(()) => {
                params_out.set(value);
                Ok(())
            }
            Err(mkc_result::BufferTooSmall) => {
                params_out.untouched();
                Err(mkc_result::BufferTooSmall)
            }
            Err(e) => Err(e),
        }
    })
}

/// Writes group ID number `index` (from 0 to `group_count` - 1 of `mkc_mikey_key_params`) of
/// the key parameters of an I_MESSAGE processed into `*key` (see `mkc_mikey_key_parameters`):
/// the MCData group ID's octets to `id_out`, their number to `*written`, and the IEI that
/// preceded them to `*iei_out`.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_BUFFER_TOO_SMALL` (`*written` = the size needed,
/// `*iei_out` untouched); `MKC_RESULT_UNKNOWN_KEY` (no key parameters, or no group `index`);
/// the refusals of `mkc_mikey_key_parameters`; `MKC_RESULT_INVALID_PARAMETER`; or
/// `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `msg` readable for `msg_len` octets; `key` readable; `iei_out` writable; `id_out` writable
/// for `id_cap` octets; `written` writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mkc_mikey_key_parameters_group_id(
    msg: *const u8,
    msg_len: usize,
    key: *const mkc_mikey_key,
    index: u32,
    iei_out: *mut u8,
    id_out: *mut u8,
    id_cap: usize,
    written: *mut usize,
) -> mkc_result {
    guard(|| {
        let inputs = [region(msg, msg_len), value_region(key)];
        let iei_region = value_region(iei_out.cast_const());
        OutVal::check(
            iei_out,
            false,
            &[
                inputs[0],
                inputs[1],
                region(id_out, id_cap),
                value_region(written),
            ],
        )?;
        // SAFETY: forwarded caller guarantees.
        let id =
            unsafe { OutBuf::new(id_out, id_cap, written, &[inputs[0], inputs[1], iei_region]) }?;
        let iei_out = unsafe { OutVal::new(iei_out, &inputs) }?;
        let key = unsafe { key.as_ref() }.ok_or(mkc_result::NullParameter)?;
        let msg = unsafe { input(msg, msg_len) }?;
        let message = crate::mikey::parse(msg)?;
        let data = message.key_parameters().ok_or(mkc_result::UnknownKey)?;
        let params = KeyParameters::open(data, &key.key, key.csb_id, key.key_id)
            .map_err(crate::mikey::MikeyError::KeyParameters)?;
        let (iei, group) = usize::try_from(index)
            .ok()
            .and_then(|i| params.group_ids.get(i))
            .ok_or(mkc_result::UnknownKey)?;
        match id.put(group) {
            Ok(()) => {
                iei_out.set(*iei);
                Ok(())
            }
            Err(mkc_result::BufferTooSmall) => {
                iei_out.untouched();
                Err(mkc_result::BufferTooSmall)
            }
            Err(e) => Err(e),
        }
    })
}

/// Processes an I_MESSAGE addressed to our `identity` at Unix time `now` (RFC 6509; TS
/// 33.180 5.2, E.7): T must lie within `replay_window_s` seconds of `now`; the initiator's
/// UID comes from `initiator_uri` when given (e.g. from SIP; `(NULL, 0)` when not) or from the
/// message; the ECCSI signature is verified; the key is decapsulated with our RSK of T's key
/// period (or, when T is within `replay_window_s` of a boundary, the neighbouring one's); the
/// key identifiers are checked. Key periods are the KMS's: TS 33.180 F.2.1's (from the NTP
/// epoch), or, once the KMS has shown that it counts from the Unix epoch (a
/// `MKC_EVENT_KIND_PERIOD_MISMATCH`), its own numbering and boundaries; the client assumes that
/// the initiator's KMS numbers periods the same way (one KMS domain). On success `*key_out` is
/// filled (wipe its `key` when done); on failure it is zeroed. Its `rand` and
/// `initiator_uri` point into `msg` (or, for a URI only the caller gave, into
/// `initiator_uri`): keep those alive while using them. The app keeps the replay cache (T
/// and RAND are given). An I_MESSAGE longer than `MKC_MIKEY_MAX_IMESSAGE_BYTES` is refused
/// before it is parsed.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_MIKEY_MALFORMED`; `MKC_RESULT_MIKEY_TIME_OUTSIDE_WINDOW`;
/// `MKC_RESULT_MIKEY_NOT_FOR_US`; `MKC_RESULT_VERIFY_FAILED`;
/// `MKC_RESULT_MIKEY_AUTHENTICATION_FAILED` (initiator or key identifiers inconsistent, or
/// key parameters (TS 33.180 E.6) not authenticated under the key); `MKC_RESULT_KEY_REVOKED`
/// (the key parameters say the key is revoked); `MKC_RESULT_MIKEY_UNKNOWN_KMS` (IDRkmsi
/// names a KMS that is neither ours nor a partner whose certificate is held);
/// `MKC_RESULT_MIKEY_KMS_REVOKED` (it names a revoked partner KMS);
/// `MKC_RESULT_NO_KEY_MATERIAL` (no RSK for the period); `MKC_RESULT_DECAPSULATION_FAILED`;
/// `MKC_RESULT_NO_CERTIFICATE`; `MKC_RESULT_INVALID_PARAMETER`; or
/// `MKC_RESULT_NULL_PARAMETER`. `MKC_RESULT_MIKEY_MALFORMED` also for key parameters that do
/// not parse.
///
/// # Safety
/// `client` must be a live handle; inputs readable for their lengths; `key_out` writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mkc_client_mikey_process_imessage(
    client: *const mkc_client,
    identity: *const u8,
    identity_len: usize,
    now: u64,
    replay_window_s: u64,
    initiator_uri: *const u8,
    initiator_uri_len: usize,
    msg: *const u8,
    msg_len: usize,
    key_out: *mut mkc_mikey_key,
) -> mkc_result {
    guard(|| {
        let inputs = [
            region(identity, identity_len),
            region(initiator_uri, initiator_uri_len),
            region(msg, msg_len),
        ];
        // SAFETY: forwarded caller guarantees.
        let key_out = unsafe { OutVal::new(key_out, &inputs) }?;
        let handle = unsafe { borrow(client) }?;
        let identity = unsafe { text(identity, identity_len) }?;
        let named = unsafe { text(initiator_uri, initiator_uri_len) }?;
        let msg = unsafe { input(msg, msg_len) }?;
        let initiator = (!named.is_empty()).then_some(named);
        let received =
            handle
                .client
                .mikey_process_imessage(identity, now, replay_window_s, initiator, msg)?;
        key_out.set(key_view(&received, msg, named));
        Ok(())
    })
}

/// As `mkc_client_mikey_process_imessage`, then stores the key in the client's key ring (by
/// purpose and key ID, replacing and erasing one with the same ID from the same initiator; keys
/// whose expiry has come are erased), with its initiator as the key's distributor, from which
/// `mkc_client_srtp_for_mki` gives an SRTP stack the master key and
/// salt for a packet's MKI. A key download from a server (a CSK, or another key sent with the
/// server's URI as initiator, also through SAKKE-to-self) is stored like any other. This call
/// changes the client: it takes `mkc_client *` (one thread at a time); the processing alone
/// (`mkc_client_mikey_process_imessage`) only reads it.
///
/// The key's activation and expiry times come from its key parameters (TS 33.180 E.6) when
/// the message carries them.
///
/// Only the initiator that distributed a key held may replace or revoke it (TS 33.180 5.8,
/// 5.11.2): the same initiator KMS URI and the same initiator URI (or, when the message hides
/// it, a UID the held URI hashes to, or the UID recorded; or, when the distributing message hid
/// it and the app did not name it, a URI, from IDRi or `initiator_uri`, that hashes to the
/// recorded UID in the key period of that message's T, so the distributor is recognised in
/// later key periods too). A later message that hides its initiator and is not named is
/// matched by an equal UID only, so only within the same key period: name the initiator to
/// be recognised in another. A message of any other initiator
/// for a key ID the key ring holds, a new key or a revocation, is refused with
/// `MKC_RESULT_KEY_OTHER_INITIATOR` and the key held is left as it was. A key read from a key
/// store of format version 2 has no recorded distributor: no message may replace, revoke or
/// re-parameterise it (`MKC_RESULT_KEY_OTHER_INITIATOR`, even for a message carrying the very
/// same key, which every group member holds); it lasts until its expiry time comes or the app
/// erases it with `mkc_client_key_erase`. A key ID not held is taken from any initiator.
///
/// Returns as `mkc_client_mikey_process_imessage` (checked first), then
/// `MKC_RESULT_KEY_OTHER_INITIATOR`, and `MKC_RESULT_KEY_EXPIRED` for a key whose expiry time
/// has already come. On failure nothing is stored and `*key_out` is zeroed; on
/// `MKC_RESULT_KEY_REVOKED` (from the key's distributor, or for a key ID not held) the key of
/// that ID is also erased from the key ring.
///
/// # Safety
/// As `mkc_client_mikey_process_imessage`; no other thread uses `client` now.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mkc_client_mikey_receive_imessage(
    client: *mut mkc_client,
    identity: *const u8,
    identity_len: usize,
    now: u64,
    replay_window_s: u64,
    initiator_uri: *const u8,
    initiator_uri_len: usize,
    msg: *const u8,
    msg_len: usize,
    key_out: *mut mkc_mikey_key,
) -> mkc_result {
    guard(|| {
        let inputs = [
            region(identity, identity_len),
            region(initiator_uri, initiator_uri_len),
            region(msg, msg_len),
        ];
        // SAFETY: forwarded caller guarantees.
        let key_out = unsafe { OutVal::new(key_out, &inputs) }?;
        let handle = unsafe { borrow_mut(client) }?;
        let identity = unsafe { text(identity, identity_len) }?;
        let named = unsafe { text(initiator_uri, initiator_uri_len) }?;
        let msg = unsafe { input(msg, msg_len) }?;
        let initiator = (!named.is_empty()).then_some(named);
        handle.view.clear();
        let received =
            handle
                .client
                .mikey_receive(identity, now, replay_window_s, initiator, msg)?;
        key_out.set(key_view(&received, msg, named));
        Ok(())
    })
}

/// Writes the SDP `a=key-mgmt` value of a MIKEY message: `mikey ` and its padded base64 (RFC
/// 4567), without a NUL, and its length to `*written`: 6 + 4 * ceil(msg_len / 3) octets.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_BUFFER_TOO_SMALL` (`*written` = the size needed);
/// `MKC_RESULT_INVALID_PARAMETER` (overlapping buffers); or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `msg` readable for `msg_len`; `text_out` writable for `text_cap`; `written` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_mikey_to_sdp(
    msg: *const u8,
    msg_len: usize,
    text_out: *mut c_char,
    text_cap: usize,
    written: *mut usize,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let out =
            unsafe { OutBuf::new(text_out.cast(), text_cap, written, &[region(msg, msg_len)]) }?;
        let msg = unsafe { input(msg, msg_len) }?;
        out.put(sdp::to_key_mgmt(msg).as_bytes())
    })
}

/// Decodes the SDP form of a MIKEY message (RFC 4567) into the message octets, and their
/// number to `*written`. Accepted, with leading and trailing white space: the attribute value
/// `mikey <base64>`, the whole line `a=key-mgmt:mikey <base64>`, or the bare base64; padded
/// or unpadded base64, no white space inside it, no further `;` parameters. Checks only the
/// encoding; the message itself is checked when processed.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_MIKEY_MALFORMED` (none of these forms);
/// `MKC_RESULT_BUFFER_TOO_SMALL` (`*written` = the size needed);
/// `MKC_RESULT_INVALID_PARAMETER`; or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `text` readable for `text_len`; `msg_out` writable for `msg_cap`; `written` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_mikey_from_sdp(
    text: *const c_char,
    text_len: usize,
    msg_out: *mut u8,
    msg_cap: usize,
    written: *mut usize,
) -> mkc_result {
    guard(|| {
        let text = text.cast::<u8>();
        // SAFETY: forwarded caller guarantees.
        let out = unsafe { OutBuf::new(msg_out, msg_cap, written, &[region(text, text_len)]) }?;
        let text = unsafe { input(text, text_len) }?;
        let text = std::str::from_utf8(text).map_err(|_| mkc_result::MikeyMalformed)?;
        out.deliver(sdp::from_key_mgmt(text))
    })
}

/// What `mkc_mikey_create_imessage` builds.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mkc_mikey_create_params {
    /// A `mkc_mikey_key_kind` value.
    pub kind: u32,
    /// The key, 16 octets.
    pub key: *const u8,
    /// Octets of `key` (16).
    pub key_len: usize,
    /// Its ID; the top 4 bits must be `kind`'s purpose tag.
    pub key_id: u32,
    /// `MKC_MIKEY_HIDE_IDENTITIES`, `MKC_MIKEY_SAKKE_TO_SELF`.
    pub flags: u32,
    /// Time of the message, Unix seconds: T, and the key period of both UIDs.
    pub now: u64,
    /// The initiator's URI (whose SSK the signer holds for the period of `now`).
    pub initiator_uri: mkc_str,
    /// The initiator's KMS.
    pub initiator_kms: mkc_kms_params,
    /// The responder's URI.
    pub responder_uri: mkc_str,
    /// The responder's KMS.
    pub responder_kms: mkc_kms_params,
}

/// Reads an `mkc_kms_params` as MIKEY's KMS parameters.
///
/// # Safety
/// Its string must be readable for its length.
unsafe fn kms_params<'a>(kms: &mkc_kms_params) -> Result<KmsParams<'a>, mkc_result> {
    // SAFETY: forwarded caller guarantee.
    unsafe { read_kms_params(kms) }
}

/// Builds an I_MESSAGE with keys the app holds itself (RFC 6509; TS 33.180 E.1-E.7): signed
/// with `signer` (the initiator's SSK for its UID in the period of `params->now`; this cannot
/// be checked here: a wrong signer gives a message no responder accepts), encapsulated to the
/// responder's UID under `responder_kms` (its KMS's Z_T), and, with `MKC_MIKEY_SAKKE_TO_SELF`,
/// to the initiator's UID under `initiator_kms` (NULL otherwise). Writes the message octets
/// and their number to `*written`.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_BUFFER_TOO_SMALL` (`*written` = the size needed);
/// `MKC_RESULT_INVALID_LENGTH` (key not 16 octets); `MKC_RESULT_INVALID_PARAMETER` (unknown
/// kind, flags or id_encoding, a key ID of another kind, SAKKE-to-self without
/// `initiator_kms`, a time before key period 0, not UTF-8, overlapping buffers);
/// `MKC_RESULT_RNG_FAILURE`; or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// Handles live (`initiator_kms` may be NULL); `params` readable with its strings and key;
/// `msg_out` writable for `msg_cap` octets; `written` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_mikey_create_imessage(
    signer: *const mkc_eccsi_signer,
    responder_kms: *const mkc_sakke_public,
    initiator_kms: *const mkc_sakke_public,
    params: *const mkc_mikey_create_params,
    msg_out: *mut u8,
    msg_cap: usize,
    written: *mut usize,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let p = unsafe { params.as_ref() };
        let inputs = [
            value_region(params),
            p.map_or(EMPTY, |p| region(p.key, p.key_len)),
            p.map_or(EMPTY, |p| str_region(p.initiator_uri)),
            p.map_or(EMPTY, |p| str_region(p.responder_uri)),
            p.map_or(EMPTY, |p| str_region(p.initiator_kms.kms_uri)),
            p.map_or(EMPTY, |p| str_region(p.responder_kms.kms_uri)),
        ];
        let out = unsafe { OutBuf::new(msg_out, msg_cap, written, &inputs) }?;
        let p = p.ok_or(mkc_result::NullParameter)?;
        if p.flags & !(MKC_MIKEY_HIDE_IDENTITIES | MKC_MIKEY_SAKKE_TO_SELF) != 0 {
            return Err(mkc_result::InvalidParameter);
        }
        let kind = kind_of(p.kind)?;
        let signer = unsafe { borrow(signer) }?;
        let responder = unsafe { borrow(responder_kms) }?;
        let initiator = if initiator_kms.is_null() {
            None
        } else {
            Some(unsafe { borrow(initiator_kms) }?)
        };
        let key = unsafe { input(p.key, p.key_len) }?;
        let key: &[u8; MKC_MIKEY_KEY_BYTES] =
            key.try_into().map_err(|_| mkc_result::InvalidLength)?;
        let (initiator_uri, responder_uri) =
            unsafe { (utf8(p.initiator_uri)?, utf8(p.responder_uri)?) };
        let (i_kms, r_kms) =
            unsafe { (kms_params(&p.initiator_kms)?, kms_params(&p.responder_kms)?) };
        let time_ntp = crate::time::unix_to_ntp(p.now).ok_or(mkc_result::InvalidParameter)?;
        let mut create = CreateParams::new(
            kind,
            key,
            p.key_id,
            time_ntp,
            initiator_uri,
            i_kms,
            responder_uri,
            r_kms,
        );
        create.hide_identities = p.flags & MKC_MIKEY_HIDE_IDENTITIES != 0;
        create.sakke_to_self = p.flags & MKC_MIKEY_SAKKE_TO_SELF != 0;
        out.deliver(create_imessage(&create, signer, responder, initiator))
    })
}

/// Processes an I_MESSAGE with keys the app holds itself (RFC 6509; TS 33.180 5.2, E.7): T
/// within `replay_window_s` seconds of Unix time `now`; the initiator's KMS is
/// `initiator_kms` (parameters) with `initiator_kpak` (its KPAK; a message naming another KMS
/// in IDRkmsi is refused); the initiator's UID comes from `initiator_uri` when given (`(NULL,
/// 0)` when not) or from the message; our identity is `own_uri` under `own_kms`; `receivers`
/// holds `receiver_count` of our SAKKE receivers, `receiver_periods[i]` being the key period
/// (NTP-based) of `receivers[i]`, at most 64; T's period is tried and, within
/// `replay_window_s` of a boundary, the neighbouring one. On success
/// `*key_out` is filled; its `initiator_uri` and `rand` point into `msg` or `initiator_uri`
/// (not NUL-terminated: use the lengths). On failure it is zeroed.
///
/// Returns as `mkc_client_mikey_process_imessage`, with `MKC_RESULT_NO_KEY_MATERIAL` when no
/// receiver is given for the period.
///
/// # Safety
/// Handles live; arrays readable for `receiver_count` entries; strings and `msg` readable for
/// their lengths; `key_out` writable. Keep `msg` and `initiator_uri` alive while using the
/// views in `*key_out`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mkc_mikey_process_imessage(
    initiator_kpak: *const mkc_eccsi_public,
    initiator_kms: *const mkc_kms_params,
    receivers: *const *const mkc_sakke_receiver,
    receiver_periods: *const u64,
    receiver_count: usize,
    own_uri: mkc_str,
    own_kms: *const mkc_kms_params,
    now: u64,
    replay_window_s: u64,
    initiator_uri: mkc_str,
    msg: *const u8,
    msg_len: usize,
    key_out: *mut mkc_mikey_key,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let (i_kms, o_kms) = unsafe { (initiator_kms.as_ref(), own_kms.as_ref()) };
        let array_size = receiver_count.saturating_mul(size_of::<u64>());
        let inputs = [
            region(msg, msg_len),
            str_region(own_uri),
            str_region(initiator_uri),
            value_region(initiator_kms),
            value_region(own_kms),
            i_kms.map_or(EMPTY, |k| str_region(k.kms_uri)),
            o_kms.map_or(EMPTY, |k| str_region(k.kms_uri)),
            region(receivers, array_size),
            region(receiver_periods, array_size),
        ];
        let key_out = unsafe { OutVal::new(key_out, &inputs) }?;
        let verifier = unsafe { borrow(initiator_kpak) }?;
        let i_kms = i_kms.ok_or(mkc_result::NullParameter)?;
        let o_kms = o_kms.ok_or(mkc_result::NullParameter)?;
        let (i_kms, o_kms) = unsafe { (kms_params(i_kms)?, kms_params(o_kms)?) };
        if receiver_count > 64 {
            return Err(mkc_result::InvalidParameter);
        }
        let handles = unsafe { array(receivers, receiver_count) }?;
        let periods = unsafe { array(receiver_periods, receiver_count) }?;
        let mut table = Vec::with_capacity(receiver_count);
        for (&h, &p) in handles.iter().zip(periods) {
            table.push((p, unsafe { borrow::<mkc_sakke_receiver>(h) }?));
        }
        let own = unsafe { utf8(own_uri) }?;
        let named = unsafe { utf8(initiator_uri) }?;
        let msg = unsafe { input(msg, msg_len) }?;
        let now_ntp = crate::time::unix_to_ntp(now).ok_or(mkc_result::InvalidParameter)?;
        let directory = OneKmsDirectory {
            initiator: i_kms,
            verifier,
            receivers: |period| table.iter().find(|(p, _)| *p == period).map(|(_, r)| *r),
        };
        let process = ProcessParams {
            now_ntp,
            replay_window_s,
            own_uri: own,
            own_kms: o_kms,
            initiator_uri: (!named.is_empty()).then_some(named),
        };
        let received = process_imessage(msg, &process, &directory)?;
        key_out.set(key_view(&received, msg, named));
        Ok(())
    })
}
