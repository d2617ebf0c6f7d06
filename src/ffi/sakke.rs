//! C API of SAKKE (RFC 6508, parameter set 1 of RFC 6509): `mkc_sakke_public` (encapsulation to
//! identifiers under one Z_T) and `mkc_sakke_receiver` (decapsulation with a validated RSK). Both
//! handles are immutable once made and may be shared between threads.

use super::out::OutBuf;
use super::panic::{guard, guard_value};
use super::result::mkc_result;
use super::slice::{input, region};
use super::{Handle, borrow, out_ptr, publish, release};
use crate::sakke::{self, SakkePublic, SakkeReceiver};

/// Octets of Z_T, the KMS's SAKKE public key: `0x04 || x || y`, coordinates of 128 octets.
pub const MKC_SAKKE_Z_T_BYTES: usize = 257;
/// Octets of an RSK (Receiver Secret Key): `0x04 || x || y`, coordinates of 128 octets.
pub const MKC_SAKKE_RSK_BYTES: usize = 257;
/// Octets of an SSV (Shared Secret Value): n = 128 bits.
pub const MKC_SAKKE_SSV_BYTES: usize = 16;
/// Octets of the Encapsulated Data (SED): R (257) || H (16).
pub const MKC_SAKKE_SED_BYTES: usize = 273;

const _: () = assert!(MKC_SAKKE_Z_T_BYTES == sakke::POINT_BYTES);
const _: () = assert!(MKC_SAKKE_RSK_BYTES == sakke::POINT_BYTES);
const _: () = assert!(MKC_SAKKE_SSV_BYTES == sakke::SSV_BYTES);
const _: () = assert!(MKC_SAKKE_SED_BYTES == sakke::SED_BYTES);

/// SAKKE sender key: a validated Z_T with its precomputed tables. Immutable; may be used from
/// several threads at once.
pub struct mkc_sakke_public {
    _private: [u8; 0],
}

impl Handle for mkc_sakke_public {
    type Inner = SakkePublic;
}

/// SAKKE receiver key: Z_T, identifier and RSK, validated together, with the precomputed data
/// decapsulation reuses. Immutable; may be used from several threads at once. Holds a secret:
/// free it when done.
pub struct mkc_sakke_receiver {
    _private: [u8; 0],
}

impl Handle for mkc_sakke_receiver {
    type Inner = SakkeReceiver;
}

/// Returns `MKC_SAKKE_Z_T_BYTES` (257).
#[unsafe(no_mangle)]
pub extern "C" fn mkc_sakke_z_t_bytes() -> usize {
    MKC_SAKKE_Z_T_BYTES
}

/// Returns `MKC_SAKKE_RSK_BYTES` (257).
#[unsafe(no_mangle)]
pub extern "C" fn mkc_sakke_rsk_bytes() -> usize {
    MKC_SAKKE_RSK_BYTES
}

/// Returns `MKC_SAKKE_SSV_BYTES` (16).
#[unsafe(no_mangle)]
pub extern "C" fn mkc_sakke_ssv_bytes() -> usize {
    MKC_SAKKE_SSV_BYTES
}

/// Returns `MKC_SAKKE_SED_BYTES` (273).
#[unsafe(no_mangle)]
pub extern "C" fn mkc_sakke_sed_bytes() -> usize {
    MKC_SAKKE_SED_BYTES
}

/// Makes an encapsulation handle from Z_T (`0x04 || x || y`, 257 octets): x, y < p, on the
/// curve, not the identity, of order q. Precomputes Z_T's table (0.5 MB; about 15 ms on a
/// 2-core x86-64 server).
///
/// On success `*out` receives a handle to release with `mkc_sakke_public_free`; on failure
/// `*out` is unchanged. Returns `MKC_RESULT_OK`, `MKC_RESULT_NULL_PARAMETER` or
/// `MKC_RESULT_INVALID_KEY`.
///
/// # Safety
/// `z_t` must be readable for `z_t_len` octets; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_sakke_public_new(
    z_t: *const u8,
    z_t_len: usize,
    out: *mut *const mkc_sakke_public,
) -> mkc_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: forwarded caller guarantee.
        let z_t = unsafe { input(z_t, z_t_len) }?;
        let public = SakkePublic::new(z_t)?;
        // SAFETY: `out` is non-NULL and writable by the caller's guarantee.
        unsafe { publish(out, public) };
        Ok(())
    })
}

/// Releases an encapsulation handle. NULL is accepted; freeing twice is undefined.
///
/// # Safety
/// `public_key` must be NULL or a live handle from `mkc_sakke_public_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_sakke_public_free(public_key: *const mkc_sakke_public) {
    // SAFETY: forwarded caller guarantee.
    guard_value((), || unsafe { release(public_key) })
}

/// Encapsulates `ssv` (exactly 16 octets, e.g. a GMK or PCK) to identifier `id` (arbitrary
/// octets) as in RFC 6508 6.2.1, writing the SED R (257) || H (16) = 273 octets to `sed_out`
/// and 273 to `*written`. Deterministic: the same SSV and identifier give the same SED.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_INVALID_LENGTH` when `ssv_len` is not 16;
/// `MKC_RESULT_BUFFER_TOO_SMALL` when `sed_cap` < 273, with `*written` = 273 and `sed_out`
/// untouched; `MKC_RESULT_INVALID_KEY` when no RSK can exist for `id` under this Z_T (b = -z
/// mod q); or `MKC_RESULT_NULL_PARAMETER`. On a failure other than BUFFER_TOO_SMALL,
/// `sed_out` is zeroed and `*written` = 0.
///
/// # Safety
/// `public_key` must be a live handle; `id` and `ssv` readable for their lengths; `sed_out`
/// writable for `sed_cap` octets; `written` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_sakke_encapsulate(
    public_key: *const mkc_sakke_public,
    id: *const u8,
    id_len: usize,
    ssv: *const u8,
    ssv_len: usize,
    sed_out: *mut u8,
    sed_cap: usize,
    written: *mut usize,
) -> mkc_result {
    guard(|| {
        let inputs = [region(id, id_len), region(ssv, ssv_len)];
        // SAFETY: forwarded caller guarantees.
        let mut out = unsafe { OutBuf::new(sed_out, sed_cap, written, &inputs) }?;
        let public = unsafe { borrow(public_key) }?;
        let (id, ssv) = unsafe { (input(id, id_len)?, input(ssv, ssv_len)?) };
        if ssv.len() != MKC_SAKKE_SSV_BYTES {
            return Err(mkc_result::InvalidLength);
        }
        out.need(MKC_SAKKE_SED_BYTES)?;
        out.deliver(public.encapsulate(id, ssv))
    })
}

/// Makes a decapsulation handle from Z_T (257 octets), the receiver's identifier `id`
/// (arbitrary octets, e.g. a TS 33.180 UID) and its RSK (257 octets, `0x04 || x || y`), after
/// validating them together as in RFC 6508 6.1.2 (<`[b]`P + Z_T, RSK> = g). Precomputes what
/// decapsulation reuses (about 0.6 MB, zeroized on free). The RSK is copied; the caller may wipe
/// its own copy.
///
/// On success `*out` receives a handle to release with `mkc_sakke_receiver_free`; on failure
/// `*out` is unchanged. Returns `MKC_RESULT_OK`, `MKC_RESULT_NULL_PARAMETER` or
/// `MKC_RESULT_INVALID_KEY` (for any failure, without detail).
///
/// # Safety
/// Each buffer must be readable for its length; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_sakke_receiver_new(
    z_t: *const u8,
    z_t_len: usize,
    id: *const u8,
    id_len: usize,
    rsk: *const u8,
    rsk_len: usize,
    out: *mut *const mkc_sakke_receiver,
) -> mkc_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: forwarded caller guarantees.
        let (z_t, id, rsk) = unsafe {
            (
                input(z_t, z_t_len)?,
                input(id, id_len)?,
                input(rsk, rsk_len)?,
            )
        };
        let receiver = SakkeReceiver::new(z_t, id, rsk)?;
        // SAFETY: `out` is non-NULL and writable by the caller's guarantee.
        unsafe { publish(out, receiver) };
        Ok(())
    })
}

/// As `mkc_sakke_receiver_new`, with Z_T taken from an encapsulation handle that validated it
/// already, so Z_T's subgroup check (about a quarter of the time) is not repeated: for a
/// client validating many RSKs under one KMS certificate.
///
/// On success `*out` receives a handle to release with `mkc_sakke_receiver_free`; on failure
/// `*out` is unchanged. Returns `MKC_RESULT_OK`, `MKC_RESULT_NULL_PARAMETER` or
/// `MKC_RESULT_INVALID_KEY` (for any failure, without detail).
///
/// # Safety
/// `public_key` must be a live handle; `id` and `rsk` readable for their lengths; `out`
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_sakke_receiver_new_with_public(
    public_key: *const mkc_sakke_public,
    id: *const u8,
    id_len: usize,
    rsk: *const u8,
    rsk_len: usize,
    out: *mut *const mkc_sakke_receiver,
) -> mkc_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: forwarded caller guarantees.
        let public = unsafe { borrow(public_key) }?;
        let (id, rsk) = unsafe { (input(id, id_len)?, input(rsk, rsk_len)?) };
        let receiver = SakkeReceiver::with_public(public, id, rsk)?;
        // SAFETY: `out` is non-NULL and writable by the caller's guarantee.
        unsafe { publish(out, receiver) };
        Ok(())
    })
}

/// Releases a decapsulation handle and zeroizes its secret data. NULL is accepted; freeing
/// twice is undefined.
///
/// # Safety
/// `receiver` must be NULL or a live handle from `mkc_sakke_receiver_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_sakke_receiver_free(receiver: *const mkc_sakke_receiver) {
    // SAFETY: forwarded caller guarantee.
    guard_value((), || unsafe { release(receiver) })
}

/// Decapsulates a SED (273 octets: R || H) as in RFC 6508 6.2.2, writing the 16-octet SSV to
/// `ssv_out` and 16 to `*written`. The SSV is released only after the check
/// `[r]`(`[b]`P + Z_T) = R.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_DECAPSULATION_FAILED` for any bad SED (wrong length,
/// R not a point of order q, failed check), with `ssv_out` zeroed and `*written` = 0;
/// `MKC_RESULT_BUFFER_TOO_SMALL` when `ssv_cap` < 16, with `*written` = 16 and nothing
/// else done; or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `receiver` must be a live handle; `sed` readable for `sed_len` octets; `ssv_out` writable
/// for `ssv_cap` octets; `written` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_sakke_decapsulate(
    receiver: *const mkc_sakke_receiver,
    sed: *const u8,
    sed_len: usize,
    ssv_out: *mut u8,
    ssv_cap: usize,
    written: *mut usize,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let mut out = unsafe { OutBuf::new(ssv_out, ssv_cap, written, &[region(sed, sed_len)]) }?;
        let receiver = unsafe { borrow(receiver) }?;
        let sed = unsafe { input(sed, sed_len) }?;
        out.need(MKC_SAKKE_SSV_BYTES)?;
        out.deliver(receiver.decapsulate(sed))
    })
}
