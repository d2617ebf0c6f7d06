//! The crypto entry points of the C API, called as C would call them: the first octet chooses
//! one, the rest is its input. Key constructors from octets (ECCSI KPAK, signer SSK/PVT,
//! SAKKE Z_T, receiver RSK, KMS secrets), ECCSI verify with the RFC 6507 KPAK and identifier,
//! SAKKE decapsulate with the RFC 6508 receiver (one handle shared by every run, as the header
//! allows). Checked: no crash (ASan), results are codes of the header, outputs follow the
//! output contract.
#![no_main]

use std::ptr;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use mcptt_kmc::ffi::eccsi::*;
use mcptt_kmc::ffi::kms::*;
use mcptt_kmc::ffi::result::mkc_result;
use mcptt_kmc::ffi::sakke::*;
use mcptt_kmc_fuzz_common::{eccsi_vector, sakke_vector};

struct Shared<T>(*const T);
// SAFETY: the header documents these handles as immutable and usable from several threads.
unsafe impl<T> Send for Shared<T> {}
// SAFETY: as above.
unsafe impl<T> Sync for Shared<T> {}

static VERIFIER: LazyLock<Shared<mkc_eccsi_public>> = LazyLock::new(|| {
    let kpak = eccsi_vector("kpak");
    let mut out = ptr::null();
    // SAFETY: valid slices and out-pointer.
    let r = unsafe { mkc_eccsi_public_new(kpak.as_ptr(), kpak.len(), &mut out) };
    assert_eq!(r, mkc_result::Ok);
    Shared(out)
});

static RECEIVER: LazyLock<Shared<mkc_sakke_receiver>> = LazyLock::new(|| {
    let (z_t, id, rsk) = (
        sakke_vector("z_point"),
        sakke_vector("id"),
        sakke_vector("rsk"),
    );
    let mut out = ptr::null();
    // SAFETY: valid slices and out-pointer.
    let r = unsafe {
        mkc_sakke_receiver_new(
            z_t.as_ptr(),
            z_t.len(),
            id.as_ptr(),
            id.len(),
            rsk.as_ptr(),
            rsk.len(),
            &mut out,
        )
    };
    assert_eq!(r, mkc_result::Ok);
    Shared(out)
});

static ECCSI_ID: LazyLock<Vec<u8>> = LazyLock::new(|| eccsi_vector("id"));
static ECCSI_KPAK: LazyLock<Vec<u8>> = LazyLock::new(|| eccsi_vector("kpak"));
static SAKKE_ID: LazyLock<Vec<u8>> = LazyLock::new(|| sakke_vector("id"));
static SAKKE_Z_T: LazyLock<Vec<u8>> = LazyLock::new(|| sakke_vector("z_point"));

/// Checks a constructor's outcome: a handle exactly on success. Frees it.
fn constructed<T>(r: mkc_result, out: *const T, free: unsafe extern "C" fn(*const T)) {
    assert_eq!(r == mkc_result::Ok, !out.is_null(), "{r:?}");
    // SAFETY: NULL or a live handle of this type, not used again.
    unsafe { free(out) };
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, input)) = data.split_first() else {
        return;
    };
    // A split point for the constructors with two secret inputs.
    let (a, b) = input.split_at(input.len().min(32));
    // SAFETY (every call below): slices valid for their lengths, out-pointers valid, handles
    // live.
    unsafe {
        match choice % 7 {
            0 => {
                let mut out = ptr::null();
                let r = mkc_eccsi_public_new(input.as_ptr(), input.len(), &mut out);
                constructed(r, out, mkc_eccsi_public_free);
            }
            1 => {
                // signature (129 octets) || message, under the RFC 6507 identifier.
                let (sig, msg) = input.split_at(input.len().min(129));
                let id = &ECCSI_ID;
                let r = mkc_eccsi_verify(
                    VERIFIER.0,
                    id.as_ptr(),
                    id.len(),
                    msg.as_ptr(),
                    msg.len(),
                    sig.as_ptr(),
                    sig.len(),
                );
                assert!(
                    matches!(r, mkc_result::Ok | mkc_result::VerifyFailed),
                    "{r:?}"
                );
            }
            2 => {
                // SSK (32 octets) || PVT, with the RFC 6507 KPAK and identifier.
                let (kpak, id) = (&ECCSI_KPAK, &ECCSI_ID);
                let mut out = ptr::null();
                let r = mkc_eccsi_signer_new(
                    kpak.as_ptr(),
                    kpak.len(),
                    id.as_ptr(),
                    id.len(),
                    a.as_ptr(),
                    a.len(),
                    b.as_ptr(),
                    b.len(),
                    &mut out,
                );
                constructed(r, out, mkc_eccsi_signer_free);
            }
            3 => {
                let mut out = ptr::null();
                let r = mkc_sakke_public_new(input.as_ptr(), input.len(), &mut out);
                constructed(r, out, mkc_sakke_public_free);
            }
            4 => {
                // An RSK for the RFC 6508 identifier and Z_T.
                let (z_t, id) = (&SAKKE_Z_T, &SAKKE_ID);
                let mut out = ptr::null();
                let r = mkc_sakke_receiver_new(
                    z_t.as_ptr(),
                    z_t.len(),
                    id.as_ptr(),
                    id.len(),
                    input.as_ptr(),
                    input.len(),
                    &mut out,
                );
                constructed(r, out, mkc_sakke_receiver_free);
            }
            5 => {
                let mut ssv = [0xeeu8; 16];
                let mut written = usize::MAX;
                let r = mkc_sakke_decapsulate(
                    RECEIVER.0,
                    input.as_ptr(),
                    input.len(),
                    ssv.as_mut_ptr(),
                    ssv.len(),
                    &mut written,
                );
                if r == mkc_result::Ok {
                    assert_eq!(written, 16);
                } else {
                    assert_eq!((written, ssv), (0, [0; 16]), "{r:?}: outputs zeroed");
                }
            }
            _ => {
                // KSAK (32 octets) || z.
                let mut out = ptr::null();
                let r =
                    mkc_kms_new_from_secrets(a.as_ptr(), a.len(), b.as_ptr(), b.len(), &mut out);
                constructed(r, out, mkc_kms_free);
            }
        }
    }
});
