//! C API of the KMS side: `mkc_kms` holds the master secrets (KSAK for ECCSI, z for SAKKE) and
//! issues user key material. For tests, demos and KMS builders. Immutable once made; may be
//! shared between threads.

use super::eccsi::{MKC_ECCSI_PVT_BYTES, MKC_ECCSI_SSK_BYTES};
use super::out::OutBuf;
use super::panic::{guard, guard_value};
use super::result::mkc_result;
use super::sakke::MKC_SAKKE_RSK_BYTES;
use super::slice::{EMPTY, input, mkc_str, region, str_region, utf8, value_region};
use super::{Handle, borrow, out_ptr, publish, release};
use crate::domain::KmsParams;
use crate::kms::issue::KmsDomain;
use crate::kms::message::{KmsPayload, KmsResponse};
use crate::kms::{self, Kms, xml};
use crate::uid::IdEncoding;

/// Octets of the KSAK, the ECCSI master secret: big-endian integer in [1, q-1] (P-256 order).
pub const MKC_KMS_KSAK_BYTES: usize = 32;
/// Octets of z, the SAKKE master secret: big-endian integer in [2, q-1] (q of RFC 6509
/// parameter set 1; RFC 6508 2.2).
pub const MKC_KMS_Z_BYTES: usize = 128;

const _: () = assert!(MKC_KMS_KSAK_BYTES == kms::KSAK_BYTES);
const _: () = assert!(MKC_KMS_Z_BYTES == kms::Z_BYTES);

/// A Key Management Server's master secrets (KSAK and z) and public keys. Immutable; may be
/// used from several threads at once. Holds secrets: free it when done.
pub struct mkc_kms {
    _private: [u8; 0],
}

impl Handle for mkc_kms {
    type Inner = Kms;
}

/// Returns `MKC_KMS_KSAK_BYTES` (32).
#[unsafe(no_mangle)]
pub extern "C" fn mkc_kms_ksak_bytes() -> usize {
    MKC_KMS_KSAK_BYTES
}

/// Returns `MKC_KMS_Z_BYTES` (128).
#[unsafe(no_mangle)]
pub extern "C" fn mkc_kms_z_bytes() -> usize {
    MKC_KMS_Z_BYTES
}

/// Makes a KMS with fresh master secrets KSAK and z from the OS RNG.
///
/// On success `*out` receives a handle to release with `mkc_kms_free`; on failure `*out` is
/// unchanged. Returns `MKC_RESULT_OK`, `MKC_RESULT_NULL_PARAMETER` or `MKC_RESULT_RNG_FAILURE`.
///
/// # Safety
/// `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_kms_new_random(out: *mut *const mkc_kms) -> mkc_result {
    guard(|| {
        let out = out_ptr(out)?;
        let kms = Kms::generate()?;
        // SAFETY: `out` is non-NULL and writable by the caller's guarantee.
        unsafe { publish(out, kms) };
        Ok(())
    })
}

/// Makes a KMS from given master secrets: `ksak` (32 octets, big-endian, in [1, q-1] of P-256)
/// and `z` (128 octets, big-endian, in [2, q-1] of SAKKE parameter set 1). Both are copied; the
/// caller may wipe its copies.
///
/// On success `*out` receives a handle to release with `mkc_kms_free`; on failure `*out` is
/// unchanged. Returns `MKC_RESULT_OK`, `MKC_RESULT_NULL_PARAMETER` or `MKC_RESULT_INVALID_KEY`
/// (a wrong length or a value out of range).
///
/// # Safety
/// `ksak` and `z` must be readable for their lengths; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_kms_new_from_secrets(
    ksak: *const u8,
    ksak_len: usize,
    z: *const u8,
    z_len: usize,
    out: *mut *const mkc_kms,
) -> mkc_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: forwarded caller guarantees.
        let (ksak, z) = unsafe { (input(ksak, ksak_len)?, input(z, z_len)?) };
        let kms = Kms::from_secrets(ksak, z)?;
        // SAFETY: `out` is non-NULL and writable by the caller's guarantee.
        unsafe { publish(out, kms) };
        Ok(())
    })
}

/// Releases a KMS handle and zeroizes its secrets. NULL is accepted; freeing twice is
/// undefined.
///
/// # Safety
/// `kms` must be NULL or a live handle from `mkc_kms_new_*`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_kms_free(kms: *const mkc_kms) {
    // SAFETY: forwarded caller guarantee.
    guard_value((), || unsafe { release(kms) })
}

/// Writes the KPAK (`0x04 || x || y`, 65 octets) to `out` and 65 to `*written`.
///
/// Returns `MKC_RESULT_OK`, `MKC_RESULT_NULL_PARAMETER`, or `MKC_RESULT_BUFFER_TOO_SMALL` with
/// `*written` = 65 and `out` untouched.
///
/// # Safety
/// `kms` must be a live handle; `out` writable for `out_cap` octets; `written` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_kms_kpak(
    kms: *const mkc_kms,
    out: *mut u8,
    out_cap: usize,
    written: *mut usize,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let out = unsafe { OutBuf::new(out, out_cap, written, &[]) }?;
        let kms = unsafe { borrow(kms) }?;
        out.put(&kms.kpak().to_bytes())
    })
}

/// Issues ECCSI key material for identifier `id` (arbitrary octets, e.g. a TS 33.180 UID) as in
/// RFC 6507 5.1.1: writes the SSK (32 octets, big-endian) to `ssk_out` and the PVT
/// (`0x04 || x || y`, 65 octets) to `pvt_out`. A fresh random v is drawn for each call.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_BUFFER_TOO_SMALL` when `ssk_cap` < 32 or `pvt_cap` < 65,
/// with neither buffer touched (this function has no `written`: the sizes are
/// `MKC_ECCSI_SSK_BYTES` and `MKC_ECCSI_PVT_BYTES`); `MKC_RESULT_INVALID_PARAMETER` when the
/// buffers overlap each other or `id`; `MKC_RESULT_NULL_PARAMETER`; or
/// `MKC_RESULT_RNG_FAILURE`. On a failure other than BUFFER_TOO_SMALL both buffers are
/// zeroed over their whole capacity.
///
/// # Safety
/// `kms` must be a live handle; `id` readable for `id_len` octets; `ssk_out` and `pvt_out`
/// writable for their capacities.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_kms_issue_eccsi(
    kms: *const mkc_kms,
    id: *const u8,
    id_len: usize,
    ssk_out: *mut u8,
    ssk_cap: usize,
    pvt_out: *mut u8,
    pvt_cap: usize,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let id_region = region(id, id_len);
        let (ssk_region, pvt_region) = (region(ssk_out, ssk_cap), region(pvt_out, pvt_cap));
        OutBuf::check(pvt_out, pvt_cap, &[id_region, ssk_region])?;
        let mut ssk_out = unsafe { OutBuf::fixed(ssk_out, ssk_cap, &[id_region, pvt_region]) }?;
        let mut pvt_out = unsafe { OutBuf::fixed(pvt_out, pvt_cap, &[id_region, ssk_region]) }?;
        let kms = unsafe { borrow(kms) }?;
        let id = unsafe { input(id, id_len) }?;
        if ssk_out.cap() < MKC_ECCSI_SSK_BYTES || pvt_out.cap() < MKC_ECCSI_PVT_BYTES {
            ssk_out.too_small(MKC_ECCSI_SSK_BYTES);
            pvt_out.too_small(MKC_ECCSI_PVT_BYTES);
            return Err(mkc_result::BufferTooSmall);
        }
        let issued = kms.issue_eccsi(id)?;
        ssk_out.put(issued.ssk())?;
        pvt_out.put(issued.pvt())
    })
}

/// Writes Z_T, the SAKKE public key (`0x04 || x || y`, 257 octets), to `out` and 257 to
/// `*written`.
///
/// Returns `MKC_RESULT_OK`, `MKC_RESULT_NULL_PARAMETER`, or `MKC_RESULT_BUFFER_TOO_SMALL` with
/// `*written` = 257 and `out` untouched.
///
/// # Safety
/// `kms` must be a live handle; `out` writable for `out_cap` octets; `written` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_kms_z_t(
    kms: *const mkc_kms,
    out: *mut u8,
    out_cap: usize,
    written: *mut usize,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let out = unsafe { OutBuf::new(out, out_cap, written, &[]) }?;
        let kms = unsafe { borrow(kms) }?;
        out.put(&kms.z_t())
    })
}

/// Issues the SAKKE Receiver Secret Key for identifier `id` (arbitrary octets) as in RFC 6508
/// 6.1.1: RSK = [(b + z)^-1]P, written to `rsk_out` as `0x04 || x || y` (257 octets).
///
/// b is the identifier read as a big-endian integer mod q, so identifiers that are equal as
/// integers (e.g. differing only by leading 0x00 octets) get the same RSK, and either RSK
/// recovers SSVs sent to the other. A KMS must therefore issue RSKs for identifiers of one
/// fixed format only, such as the 32-octet TS 33.180 UIDs.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_BUFFER_TOO_SMALL` when `rsk_cap` < 257, with the buffer
/// untouched; `MKC_RESULT_INVALID_KEY` when b + z = 0 mod q (no RSK exists for this identifier
/// under this KMS), with the buffer zeroed over its whole capacity; or
/// `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `kms` must be a live handle; `id` readable for `id_len` octets; `rsk_out` writable for
/// `rsk_cap` octets.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_kms_issue_sakke(
    kms: *const mkc_kms,
    id: *const u8,
    id_len: usize,
    rsk_out: *mut u8,
    rsk_cap: usize,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let mut out = unsafe { OutBuf::fixed(rsk_out, rsk_cap, &[region(id, id_len)]) }?;
        let kms = unsafe { borrow(kms) }?;
        let id = unsafe { input(id, id_len) }?;
        out.need(MKC_SAKKE_RSK_BYTES)?;
        out.deliver(kms.issue_sakke(id))
    })
}

/// The public parameters of a KMS's security domain that UIDs are derived with (TS 33.180
/// D.3.2, F.2.1): what its certificate announces.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mkc_kms_params {
    /// `KmsUri` (P2 of the UID).
    pub kms_uri: mkc_str,
    /// `UserKeyPeriod`, seconds (P3).
    pub key_period_s: u64,
    /// `UserKeyOffset`, seconds from 1900-01-01 00:00 UTC (P4).
    pub key_offset_s: u64,
    /// A `mkc_id_encoding` value: how the UID is fed to ECCSI and SAKKE.
    pub id_encoding: u32,
}

/// Reads an `mkc_kms_params` as the core's checked domain.
///
/// # Safety
/// Its string must be readable for its length.
pub(super) unsafe fn read_kms_params<'a>(
    params: &mkc_kms_params,
) -> Result<KmsParams<'a>, mkc_result> {
    // SAFETY: forwarded caller guarantee.
    let uri = unsafe { utf8(params.kms_uri) }?;
    let encoding = match params.id_encoding {
        0 => IdEncoding::Raw,
        1 => IdEncoding::Hex,
        _ => return Err(mkc_result::InvalidParameter),
    };
    let domain = KmsParams::new(uri, params.key_period_s, params.key_offset_s)
        .map_err(|_| mkc_result::InvalidParameter)?;
    Ok(domain.with_id_encoding(encoding))
}

/// Builds a KmsResponse (TS 33.180 D.3) for `user_uri` from its parts and writes it.
///
/// # Safety
/// As for the exported functions below.
#[allow(clippy::too_many_arguments)]
unsafe fn response_xml(
    kms: *const mkc_kms,
    params: *const mkc_kms_params,
    user_uri: mkc_str,
    client_req_url: mkc_str,
    now: u64,
    out: *mut u8,
    cap: usize,
    written: *mut usize,
    payload: impl FnOnce(&Kms, &KmsDomain, &str) -> Result<KmsPayload, mkc_result>,
) -> Result<(), mkc_result> {
    // SAFETY: forwarded caller guarantees.
    let p = unsafe { params.as_ref() };
    let inputs = [
        value_region(params),
        p.map_or(EMPTY, |p| str_region(p.kms_uri)),
        str_region(user_uri),
        str_region(client_req_url),
    ];
    let out = unsafe { OutBuf::new(out, cap, written, &inputs) }?;
    let p = p.ok_or(mkc_result::NullParameter)?;
    let kms = unsafe { borrow(kms) }?;
    let params = unsafe { read_kms_params(p) }?;
    let (user, url) = unsafe { (utf8(user_uri)?, utf8(client_req_url)?) };
    let domain = KmsDomain::from_params(params);
    let response = KmsResponse {
        user_uri: user.to_owned(),
        kms_uri: params.kms_uri().to_owned(),
        time: i64::try_from(now).ok(),
        kms_id: None,
        client_req_url: url.to_owned(),
        payload: payload(kms, &domain, user)?,
    };
    let text = xml::emit_response_checked(&response).map_err(|_| mkc_result::InvalidParameter)?;
    out.put(text.as_bytes())
}

/// Writes this KMS's answer to an `init` request (TS 33.180 D.3.2): a KmsResponse for
/// `user_uri` carrying KmsInit with the Root KmsCertificate of the domain `params` (Z_T,
/// KPAK, UserIdFormat 2, ParameterSet 1), `client_req_url` as ClientReqUrl and Unix time
/// `now` as Time. UTF-8 XML without a NUL; its length goes to `*written`.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_BUFFER_TOO_SMALL` (`*written` = the size needed);
/// `MKC_RESULT_INVALID_PARAMETER` (an empty KMS URI, a period outside 1..=2^32-1 s, an offset
/// above 2^32-1 s, an unknown id_encoding, a time or period bound after year 9999, a string
/// that is not UTF-8 or that XML cannot carry, overlapping buffers); or
/// `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `kms` a live handle; `params` and the strings readable; `xml_out` writable for `xml_cap`
/// octets; `written` writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mkc_kms_init_response_xml(
    kms: *const mkc_kms,
    params: *const mkc_kms_params,
    user_uri: mkc_str,
    client_req_url: mkc_str,
    now: u64,
    xml_out: *mut u8,
    xml_cap: usize,
    written: *mut usize,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        unsafe {
            response_xml(
                kms,
                params,
                user_uri,
                client_req_url,
                now,
                xml_out,
                xml_cap,
                written,
                |kms, domain, _| Ok(KmsPayload::Init(kms.certificate(domain))),
            )
        }
    })
}

/// Issues and writes the key set of `user_uri` for key period `period_no` (TS 33.180 D.3.3): a
/// KmsResponse carrying KmsKeyProv with one KmsKeySet (UID per F.2.1, SSK/PVT per RFC 6507
/// 5.1.1 with a fresh v, RSK per RFC 6508 6.1.1, the period's bounds as ValidFrom/ValidTo).
/// The XML holds the secret SSK and RSK in hex: wipe `xml_out` when sent. Each call issues a
/// fresh SSK/PVT, also one that fails for a small buffer: query the size with a large enough
/// buffer (a key set response is under 4 KiB for URIs of 100 octets).
///
/// Returns as `mkc_kms_init_response_xml` (also `MKC_RESULT_INVALID_PARAMETER` for a
/// `period_no` above 2^32-1), and `MKC_RESULT_INVALID_LENGTH` for a URI longer than 65535
/// octets, `MKC_RESULT_RNG_FAILURE`.
///
/// # Safety
/// As for `mkc_kms_init_response_xml`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mkc_kms_keyprov_response_xml(
    kms: *const mkc_kms,
    params: *const mkc_kms_params,
    user_uri: mkc_str,
    client_req_url: mkc_str,
    now: u64,
    period_no: u64,
    xml_out: *mut u8,
    xml_cap: usize,
    written: *mut usize,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        unsafe {
            response_xml(
                kms,
                params,
                user_uri,
                client_req_url,
                now,
                xml_out,
                xml_cap,
                written,
                |kms, domain, user| {
                    if period_no > u64::from(u32::MAX) {
                        return Err(mkc_result::InvalidParameter);
                    }
                    let set = kms.issue_key_set(domain, user, period_no)?;
                    Ok(KmsPayload::KeyProv(vec![set]))
                },
            )
        }
    })
}
