//! C API of ECCSI (RFC 6507): `mkc_eccsi_public` (verification under a KPAK) and
//! `mkc_eccsi_signer` (signing with a validated SSK/PVT). Both handles are immutable once made
//! and may be shared between threads.

use super::out::OutBuf;
use super::panic::{guard, guard_value};
use super::result::mkc_result;
use super::slice::{input, region};
use super::{Handle, borrow, out_ptr, publish, release};
use crate::eccsi::{self, Signer, Verifier};

/// Octets of an ECCSI signature: r (32) || s (32) || PVT (65) (RFC 6507 3.3).
pub const MKC_ECCSI_SIGNATURE_BYTES: usize = 129;
/// Octets of a KPAK: `0x04 || x || y` on P-256.
pub const MKC_ECCSI_KPAK_BYTES: usize = 65;
/// Octets of a PVT: `0x04 || x || y` on P-256.
pub const MKC_ECCSI_PVT_BYTES: usize = 65;
/// Octets of an SSK: big-endian integer in [1, q-1], q the order of P-256.
pub const MKC_ECCSI_SSK_BYTES: usize = 32;

const _: () = assert!(MKC_ECCSI_SIGNATURE_BYTES == eccsi::SIGNATURE_BYTES);
const _: () = assert!(MKC_ECCSI_KPAK_BYTES == eccsi::POINT_BYTES);
const _: () = assert!(MKC_ECCSI_PVT_BYTES == eccsi::POINT_BYTES);
const _: () = assert!(MKC_ECCSI_SSK_BYTES == eccsi::SCALAR_BYTES);

/// ECCSI verification key: a validated KPAK with its precomputed tables. Immutable; may be used
/// from several threads at once.
pub struct mkc_eccsi_public {
    _private: [u8; 0],
}

impl Handle for mkc_eccsi_public {
    type Inner = Verifier;
}

/// ECCSI signing key: KPAK, identifier, SSK and PVT, validated together, with HS precomputed.
/// Immutable; may be used from several threads at once. Holds a secret: free it when done.
pub struct mkc_eccsi_signer {
    _private: [u8; 0],
}

impl Handle for mkc_eccsi_signer {
    type Inner = Signer;
}

/// Returns `MKC_ECCSI_SIGNATURE_BYTES` (129).
#[unsafe(no_mangle)]
pub extern "C" fn mkc_eccsi_signature_bytes() -> usize {
    MKC_ECCSI_SIGNATURE_BYTES
}

/// Returns `MKC_ECCSI_KPAK_BYTES` (65).
#[unsafe(no_mangle)]
pub extern "C" fn mkc_eccsi_kpak_bytes() -> usize {
    MKC_ECCSI_KPAK_BYTES
}

/// Returns `MKC_ECCSI_PVT_BYTES` (65).
#[unsafe(no_mangle)]
pub extern "C" fn mkc_eccsi_pvt_bytes() -> usize {
    MKC_ECCSI_PVT_BYTES
}

/// Returns `MKC_ECCSI_SSK_BYTES` (32).
#[unsafe(no_mangle)]
pub extern "C" fn mkc_eccsi_ssk_bytes() -> usize {
    MKC_ECCSI_SSK_BYTES
}

/// Makes a verification handle from a KPAK (`0x04 || x || y`, 65 octets), validated as RFC 6507
/// 5.2.2 step 1 validates a PVT: x, y < p, on P-256, not the identity.
///
/// On success `*out` receives a handle to release with `mkc_eccsi_public_free`; on failure
/// `*out` is unchanged.
///
/// Returns `MKC_RESULT_OK`, `MKC_RESULT_NULL_PARAMETER` (`kpak` or `out` NULL) or
/// `MKC_RESULT_INVALID_KEY` (wrong length or an invalid point).
///
/// # Safety
/// `kpak` must be readable for `kpak_len` octets; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_eccsi_public_new(
    kpak: *const u8,
    kpak_len: usize,
    out: *mut *const mkc_eccsi_public,
) -> mkc_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: the caller guarantees the buffer.
        let kpak = unsafe { input(kpak, kpak_len) }?;
        let verifier = Verifier::new(kpak)?;
        // SAFETY: `out` is non-NULL and writable by the caller's guarantee.
        unsafe { publish(out, verifier) };
        Ok(())
    })
}

/// Releases a verification handle. NULL is accepted; freeing twice is undefined.
///
/// # Safety
/// `public_key` must be NULL or a live handle from `mkc_eccsi_public_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_eccsi_public_free(public_key: *const mkc_eccsi_public) {
    // SAFETY: forwarded caller guarantee.
    guard_value((), || unsafe { release(public_key) })
}

/// Verifies an ECCSI signature (RFC 6507 5.2.2) over `msg` for identifier `id` under the
/// handle's KPAK. `id` and `msg` are arbitrary octets (empty and NUL octets allowed; NULL with
/// length 0 is the empty string).
///
/// Returns `MKC_RESULT_OK` when the signature is valid, `MKC_RESULT_VERIFY_FAILED` for any
/// invalid signature (not exactly 129 octets, r or s outside [1, q-1], a PVT that is not a valid
/// `0x04 || x || y` point, or a failed equation), or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `public_key` must be a live handle; each buffer must be readable for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_eccsi_verify(
    public_key: *const mkc_eccsi_public,
    id: *const u8,
    id_len: usize,
    msg: *const u8,
    msg_len: usize,
    sig: *const u8,
    sig_len: usize,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let verifier = unsafe { borrow(public_key) }?;
        let (id, msg, sig) = unsafe {
            (
                input(id, id_len)?,
                input(msg, msg_len)?,
                input(sig, sig_len)?,
            )
        };
        Ok(verifier.verify(id, msg, sig)?)
    })
}

/// Makes a signing handle from the KMS's KPAK (65 octets), the identifier `id` (arbitrary
/// octets, e.g. a TS 33.180 UID), the SSK (32 octets big-endian) and the PVT (65 octets,
/// `0x04 || x || y`), after validating them together as in RFC 6507 5.1.2 (`[SSK]`G = KPAK +
/// `[HS]`PVT). HS is computed here once. The SSK is copied; the caller may wipe its own copy.
///
/// On success `*out` receives a handle to release with `mkc_eccsi_signer_free`; on failure
/// `*out` is unchanged.
///
/// Returns `MKC_RESULT_OK`, `MKC_RESULT_NULL_PARAMETER` or `MKC_RESULT_INVALID_KEY` (for any
/// wrong length, invalid point, SSK out of range or failed validation, without detail).
///
/// # Safety
/// Each buffer must be readable for its length; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_eccsi_signer_new(
    kpak: *const u8,
    kpak_len: usize,
    id: *const u8,
    id_len: usize,
    ssk: *const u8,
    ssk_len: usize,
    pvt: *const u8,
    pvt_len: usize,
    out: *mut *const mkc_eccsi_signer,
) -> mkc_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: forwarded caller guarantees.
        let (kpak, id, ssk, pvt) = unsafe {
            (
                input(kpak, kpak_len)?,
                input(id, id_len)?,
                input(ssk, ssk_len)?,
                input(pvt, pvt_len)?,
            )
        };
        let signer = Signer::new(kpak, id, ssk, pvt)?;
        // SAFETY: `out` is non-NULL and writable by the caller's guarantee.
        unsafe { publish(out, signer) };
        Ok(())
    })
}

/// As `mkc_eccsi_signer_new`, with the KPAK taken from a verification handle that validated it
/// already and whose table of KPAK's multiples then serves the check (about a tenth faster):
/// for a client validating its key sets under one KMS certificate. The signing handle does not
/// refer to `public_key` afterwards; either may be freed first.
///
/// On success `*out` receives a handle to release with `mkc_eccsi_signer_free`; on failure
/// `*out` is unchanged. Returns `MKC_RESULT_OK`, `MKC_RESULT_NULL_PARAMETER` or
/// `MKC_RESULT_INVALID_KEY` (for any wrong length, invalid point, SSK out of range or failed
/// validation, without detail).
///
/// # Safety
/// `public_key` must be a live handle; each buffer must be readable for its length; `out`
/// must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_eccsi_signer_new_with_public(
    public_key: *const mkc_eccsi_public,
    id: *const u8,
    id_len: usize,
    ssk: *const u8,
    ssk_len: usize,
    pvt: *const u8,
    pvt_len: usize,
    out: *mut *const mkc_eccsi_signer,
) -> mkc_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: forwarded caller guarantees.
        let verifier = unsafe { borrow(public_key) }?;
        let (id, ssk, pvt) = unsafe {
            (
                input(id, id_len)?,
                input(ssk, ssk_len)?,
                input(pvt, pvt_len)?,
            )
        };
        let signer = Signer::with_verifier(verifier, id, ssk, pvt)?;
        // SAFETY: `out` is non-NULL and writable by the caller's guarantee.
        unsafe { publish(out, signer) };
        Ok(())
    })
}

/// Releases a signing handle and zeroizes its SSK. NULL is accepted; freeing twice is
/// undefined.
///
/// # Safety
/// `signer` must be NULL or a live handle from `mkc_eccsi_signer_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_eccsi_signer_free(signer: *const mkc_eccsi_signer) {
    // SAFETY: forwarded caller guarantee.
    guard_value((), || unsafe { release(signer) })
}

/// Signs `msg` (arbitrary octets) as in RFC 6507 5.2.1 with a fresh ephemeral from the OS RNG,
/// writing r (32) || s (32) || PVT (65) = 129 octets to `sig_out` and 129 to `*written`.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_BUFFER_TOO_SMALL` when `sig_cap` < 129, with `*written`
/// = 129 and `sig_out` untouched (`sig_out` may then be NULL with `sig_cap` 0 to ask the size);
/// `MKC_RESULT_INVALID_PARAMETER` when `sig_out` overlaps `msg` or `written`;
/// `MKC_RESULT_NULL_PARAMETER`; or `MKC_RESULT_RNG_FAILURE`. On any failure but
/// BUFFER_TOO_SMALL all `sig_cap` octets of `sig_out` are zeroed and `*written` = 0.
///
/// # Safety
/// `signer` must be a live handle; `msg` readable for `msg_len` octets; `sig_out` writable for
/// `sig_cap` octets; `written` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_eccsi_sign(
    signer: *const mkc_eccsi_signer,
    msg: *const u8,
    msg_len: usize,
    sig_out: *mut u8,
    sig_cap: usize,
    written: *mut usize,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let mut out = unsafe { OutBuf::new(sig_out, sig_cap, written, &[region(msg, msg_len)]) }?;
        let signer = unsafe { borrow(signer) }?;
        let msg = unsafe { input(msg, msg_len) }?;
        out.need(MKC_ECCSI_SIGNATURE_BYTES)?;
        out.deliver(signer.sign(msg))
    })
}
