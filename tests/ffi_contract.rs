//! The C contract of the exported functions (DESIGN section 4), checked by calling the
//! `extern "C"` functions directly from Rust: NULL handling, out-pointers set only on success,
//! BUFFER_TOO_SMALL with the needed size and an untouched buffer, size queries, lengths above
//! PTRDIFF_MAX, `_free(NULL)`, `mkc_random`, and the size functions.

use mcptt_kmc::eccsi::{KmsSigningRoot, POINT_BYTES, SCALAR_BYTES, SIGNATURE_BYTES, Verifier};
use mcptt_kmc::ffi::eccsi::*;
use mcptt_kmc::ffi::kms::*;
use mcptt_kmc::ffi::random::*;
use mcptt_kmc::ffi::result::*;
use mcptt_kmc::ffi::version::*;
use std::ffi::CStr;
use std::ptr::{self, NonNull, null, null_mut};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const ID: &[u8] = b"2011-02\0tel:+447700900123\0";
const MSG: &[u8] = b"message\0";
/// A length no C object can have: above PTRDIFF_MAX.
const HUGE: usize = isize::MAX as usize + 1;
/// Fill value of canary buffers and the sentinel of `*written`.
const CANARY: u8 = 0xA5;
const WRITTEN_SENTINEL: usize = 0xDEAD_BEEF;

/// A non-NULL, never-dereferenceable address to pre-set out-pointers with.
fn sentinel<T>() -> *const T {
    ptr::dangling::<T>()
}

/// A non-NULL pointer for inputs whose length makes the call fail before any read or write.
fn dangling_in() -> *const u8 {
    NonNull::<u8>::dangling().as_ptr()
}

fn dangling_out() -> *mut u8 {
    NonNull::<u8>::dangling().as_ptr()
}

/// KSAK and z of a test KMS.
fn ksak() -> [u8; MKC_KMS_KSAK_BYTES] {
    let mut k = [0u8; MKC_KMS_KSAK_BYTES];
    k[29..].copy_from_slice(&[0x01, 0x23, 0x45]); // the RFC 6507 KSAK
    k
}

fn z() -> [u8; MKC_KMS_Z_BYTES] {
    let mut z = [0u8; MKC_KMS_Z_BYTES];
    z[MKC_KMS_Z_BYTES - 1] = 2; // the smallest z allowed (RFC 6508 2.2)
    z
}

/// Owns a handle and frees it on drop, so that a failing assertion does not leak.
struct Owned<T> {
    ptr: *const T,
    free: unsafe extern "C" fn(*const T),
}

impl<T> Drop for Owned<T> {
    fn drop(&mut self) {
        unsafe { (self.free)(self.ptr) }
    }
}

fn new_kms() -> Owned<mkc_kms> {
    let mut out = sentinel::<mkc_kms>();
    let k = ksak();
    let z = z();
    let rc =
        unsafe { mkc_kms_new_from_secrets(k.as_ptr(), k.len(), z.as_ptr(), z.len(), &mut out) };
    assert_eq!(rc, mkc_result::Ok);
    assert!(!out.is_null() && out != sentinel());
    Owned {
        ptr: out,
        free: mkc_kms_free,
    }
}

fn kpak_of(kms: &Owned<mkc_kms>) -> [u8; MKC_ECCSI_KPAK_BYTES] {
    let mut kpak = [0u8; MKC_ECCSI_KPAK_BYTES];
    let mut written = WRITTEN_SENTINEL;
    let rc = unsafe { mkc_kms_kpak(kms.ptr, kpak.as_mut_ptr(), kpak.len(), &mut written) };
    assert_eq!(rc, mkc_result::Ok);
    assert_eq!(written, MKC_ECCSI_KPAK_BYTES);
    kpak
}

fn issue(
    kms: &Owned<mkc_kms>,
    id: &[u8],
) -> ([u8; MKC_ECCSI_SSK_BYTES], [u8; MKC_ECCSI_PVT_BYTES]) {
    let mut ssk = [0u8; MKC_ECCSI_SSK_BYTES];
    let mut pvt = [0u8; MKC_ECCSI_PVT_BYTES];
    let rc = unsafe {
        mkc_kms_issue_eccsi(
            kms.ptr,
            id.as_ptr(),
            id.len(),
            ssk.as_mut_ptr(),
            ssk.len(),
            pvt.as_mut_ptr(),
            pvt.len(),
        )
    };
    assert_eq!(rc, mkc_result::Ok);
    (ssk, pvt)
}

struct Material {
    _kms: Owned<mkc_kms>,
    kpak: [u8; MKC_ECCSI_KPAK_BYTES],
    ssk: [u8; MKC_ECCSI_SSK_BYTES],
    pvt: [u8; MKC_ECCSI_PVT_BYTES],
}

fn material() -> Material {
    let kms = new_kms();
    let kpak = kpak_of(&kms);
    let (ssk, pvt) = issue(&kms, ID);
    Material {
        _kms: kms,
        kpak,
        ssk,
        pvt,
    }
}

fn new_public(kpak: &[u8]) -> Owned<mkc_eccsi_public> {
    let mut out = sentinel::<mkc_eccsi_public>();
    let rc = unsafe { mkc_eccsi_public_new(kpak.as_ptr(), kpak.len(), &mut out) };
    assert_eq!(rc, mkc_result::Ok);
    assert!(!out.is_null() && out != sentinel());
    Owned {
        ptr: out,
        free: mkc_eccsi_public_free,
    }
}

fn new_signer(m: &Material, id: &[u8]) -> Owned<mkc_eccsi_signer> {
    let mut out = sentinel::<mkc_eccsi_signer>();
    let rc = unsafe {
        mkc_eccsi_signer_new(
            m.kpak.as_ptr(),
            m.kpak.len(),
            id.as_ptr(),
            id.len(),
            m.ssk.as_ptr(),
            m.ssk.len(),
            m.pvt.as_ptr(),
            m.pvt.len(),
            &mut out,
        )
    };
    assert_eq!(rc, mkc_result::Ok);
    assert!(!out.is_null() && out != sentinel());
    Owned {
        ptr: out,
        free: mkc_eccsi_signer_free,
    }
}

fn sign(signer: &Owned<mkc_eccsi_signer>, msg: &[u8]) -> [u8; MKC_ECCSI_SIGNATURE_BYTES] {
    let mut sig = [0u8; MKC_ECCSI_SIGNATURE_BYTES];
    let mut written = WRITTEN_SENTINEL;
    let rc = unsafe {
        mkc_eccsi_sign(
            signer.ptr,
            msg.as_ptr(),
            msg.len(),
            sig.as_mut_ptr(),
            sig.len(),
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::Ok);
    assert_eq!(written, MKC_ECCSI_SIGNATURE_BYTES);
    sig
}

fn verify(public: &Owned<mkc_eccsi_public>, id: &[u8], msg: &[u8], sig: &[u8]) -> mkc_result {
    unsafe {
        mkc_eccsi_verify(
            public.ptr,
            id.as_ptr(),
            id.len(),
            msg.as_ptr(),
            msg.len(),
            sig.as_ptr(),
            sig.len(),
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Sizes, result strings, versions
// ---------------------------------------------------------------------------------------------

#[test]
fn size_functions_equal_their_constants() {
    assert_eq!(mkc_eccsi_signature_bytes(), MKC_ECCSI_SIGNATURE_BYTES);
    assert_eq!(mkc_eccsi_kpak_bytes(), MKC_ECCSI_KPAK_BYTES);
    assert_eq!(mkc_eccsi_pvt_bytes(), MKC_ECCSI_PVT_BYTES);
    assert_eq!(mkc_eccsi_ssk_bytes(), MKC_ECCSI_SSK_BYTES);
    assert_eq!(mkc_kms_ksak_bytes(), MKC_KMS_KSAK_BYTES);
    assert_eq!(mkc_kms_z_bytes(), MKC_KMS_Z_BYTES);
    // ... and the values of RFC 6507 / RFC 6509 and of the Rust core.
    assert_eq!(MKC_ECCSI_SIGNATURE_BYTES, 129);
    assert_eq!(MKC_ECCSI_SIGNATURE_BYTES, SIGNATURE_BYTES);
    assert_eq!(MKC_ECCSI_KPAK_BYTES, 65);
    assert_eq!(MKC_ECCSI_KPAK_BYTES, POINT_BYTES);
    assert_eq!(MKC_ECCSI_PVT_BYTES, 65);
    assert_eq!(MKC_ECCSI_PVT_BYTES, POINT_BYTES);
    assert_eq!(MKC_ECCSI_SSK_BYTES, 32);
    assert_eq!(MKC_ECCSI_SSK_BYTES, SCALAR_BYTES);
    assert_eq!(MKC_KMS_KSAK_BYTES, 32);
    assert_eq!(MKC_KMS_KSAK_BYTES, mcptt_kmc::kms::KSAK_BYTES);
    assert_eq!(MKC_KMS_Z_BYTES, 128);
    assert_eq!(MKC_KMS_Z_BYTES, mcptt_kmc::kms::Z_BYTES);
}

#[test]
fn result_values_are_stable() {
    assert_eq!(mkc_result::Ok as u32, 0);
    assert_eq!(mkc_result::NullParameter as u32, 1);
    assert_eq!(mkc_result::BufferTooSmall as u32, 2);
    assert_eq!(mkc_result::Panic as u32, 3);
    assert_eq!(mkc_result::RngFailure as u32, 4);
    assert_eq!(mkc_result::InvalidParameter as u32, 5);
    assert_eq!(mkc_result::InvalidKey as u32, 100);
    assert_eq!(mkc_result::VerifyFailed as u32, 101);
    assert_eq!(mkc_result::InvalidLength as u32, 6);
    assert_eq!(mkc_result::DecapsulationFailed as u32, 102);
    assert_eq!(mkc_result::KeyRevoked as u32, 24);
    assert_eq!(mkc_result::KeyOtherInitiator as u32, 25);
    assert_eq!(std::mem::size_of::<mkc_result>(), 4);
}

#[test]
fn result_str_is_static_and_never_null() {
    let text = |code: u32| {
        let ptr = mkc_result_str(code);
        assert!(!ptr.is_null(), "mkc_result_str({code}) is NULL");
        unsafe { CStr::from_ptr(ptr) }.to_str().unwrap().to_owned()
    };
    let known: Vec<u32> = (0..=17).chain(20..=25).chain(100..=104).collect();
    let texts: Vec<String> = known.iter().map(|&c| text(c)).collect();
    for (code, t) in known.iter().zip(&texts) {
        assert!(!t.is_empty(), "code {code}");
        assert_ne!(t, "unknown result code", "code {code}");
    }
    let mut unique = texts.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        texts.len(),
        "two codes share a text: {texts:?}"
    );
    for code in [18u32, 26, 99, 105, 0x8000_0000, u32::MAX] {
        assert_eq!(text(code), "unknown result code");
    }
    // The same pointer every time (static storage).
    assert_eq!(mkc_result_str(101), mkc_result_str(101));
}

#[test]
fn version_functions() {
    let version = mkc_version();
    assert!(!version.is_null());
    assert_eq!(
        unsafe { CStr::from_ptr(version) }.to_str().unwrap(),
        env!("CARGO_PKG_VERSION")
    );
    assert_ne!(mkc_abi_version(), 0);
}

// ---------------------------------------------------------------------------------------------
// _free accepts NULL
// ---------------------------------------------------------------------------------------------

#[test]
fn free_accepts_null() {
    unsafe {
        mkc_eccsi_public_free(null());
        mkc_eccsi_signer_free(null());
        mkc_kms_free(null());
    }
    // ... and real handles (a crash or a sanitizer report would fail the test run).
    let m = material();
    drop(new_public(&m.kpak));
    drop(new_signer(&m, ID));
    let mut kms = null::<mkc_kms>();
    assert_eq!(unsafe { mkc_kms_new_random(&mut kms) }, mkc_result::Ok);
    assert!(!kms.is_null());
    unsafe { mkc_kms_free(kms) };
}

// ---------------------------------------------------------------------------------------------
// mkc_eccsi_public_new / mkc_eccsi_verify
// ---------------------------------------------------------------------------------------------

#[test]
fn public_new_null_and_out_pointer() {
    let m = material();
    // NULL out.
    let rc = unsafe { mkc_eccsi_public_new(m.kpak.as_ptr(), m.kpak.len(), null_mut()) };
    assert_eq!(rc, mkc_result::NullParameter);
    // NULL kpak with a length.
    let mut out = sentinel::<mkc_eccsi_public>();
    let rc = unsafe { mkc_eccsi_public_new(null(), MKC_ECCSI_KPAK_BYTES, &mut out) };
    assert_eq!(rc, mkc_result::NullParameter);
    assert_eq!(out, sentinel(), "*out changed on failure");
    // (NULL, 0) is an empty input: a KPAK of the wrong length, not a NULL parameter.
    let rc = unsafe { mkc_eccsi_public_new(null(), 0, &mut out) };
    assert_eq!(rc, mkc_result::InvalidKey);
    assert_eq!(out, sentinel(), "*out changed on failure");
    // Invalid keys leave *out alone.
    let mut bad = m.kpak;
    bad[0] = 0x02;
    for (kpak, len) in [
        (bad.as_ptr(), bad.len()),
        (m.kpak.as_ptr(), 64),
        (m.kpak.as_ptr(), 1),
    ] {
        let rc = unsafe { mkc_eccsi_public_new(kpak, len, &mut out) };
        assert_eq!(rc, mkc_result::InvalidKey);
        assert_eq!(out, sentinel(), "*out changed on failure");
    }
    let mut off_curve = m.kpak;
    off_curve[64] ^= 1;
    let rc = unsafe { mkc_eccsi_public_new(off_curve.as_ptr(), off_curve.len(), &mut out) };
    assert_eq!(rc, mkc_result::InvalidKey);
    assert_eq!(out, sentinel(), "*out changed on failure");
    // Length above PTRDIFF_MAX.
    let rc = unsafe { mkc_eccsi_public_new(dangling_in(), HUGE, &mut out) };
    assert_eq!(rc, mkc_result::InvalidParameter);
    let rc = unsafe { mkc_eccsi_public_new(dangling_in(), usize::MAX, &mut out) };
    assert_eq!(rc, mkc_result::InvalidParameter);
    assert_eq!(out, sentinel(), "*out changed on failure");
    // Success sets it.
    let rc = unsafe { mkc_eccsi_public_new(m.kpak.as_ptr(), m.kpak.len(), &mut out) };
    assert_eq!(rc, mkc_result::Ok);
    assert!(!out.is_null() && out != sentinel());
    unsafe { mkc_eccsi_public_free(out) };
}

#[test]
fn verify_null_parameters() {
    let m = material();
    let public = new_public(&m.kpak);
    let signer = new_signer(&m, ID);
    let sig = sign(&signer, MSG);
    assert_eq!(verify(&public, ID, MSG, &sig), mkc_result::Ok);
    unsafe {
        let rc = mkc_eccsi_verify(
            null(),
            ID.as_ptr(),
            ID.len(),
            MSG.as_ptr(),
            MSG.len(),
            sig.as_ptr(),
            sig.len(),
        );
        assert_eq!(rc, mkc_result::NullParameter, "NULL handle");
        let rc = mkc_eccsi_verify(
            public.ptr,
            null(),
            ID.len(),
            MSG.as_ptr(),
            MSG.len(),
            sig.as_ptr(),
            sig.len(),
        );
        assert_eq!(rc, mkc_result::NullParameter, "NULL id");
        let rc = mkc_eccsi_verify(
            public.ptr,
            ID.as_ptr(),
            ID.len(),
            null(),
            MSG.len(),
            sig.as_ptr(),
            sig.len(),
        );
        assert_eq!(rc, mkc_result::NullParameter, "NULL msg");
        let rc = mkc_eccsi_verify(
            public.ptr,
            ID.as_ptr(),
            ID.len(),
            MSG.as_ptr(),
            MSG.len(),
            null(),
            sig.len(),
        );
        assert_eq!(rc, mkc_result::NullParameter, "NULL sig");
        // (NULL, 0) signature: an empty input, which is a bad signature.
        let rc = mkc_eccsi_verify(
            public.ptr,
            ID.as_ptr(),
            ID.len(),
            MSG.as_ptr(),
            MSG.len(),
            null(),
            0,
        );
        assert_eq!(rc, mkc_result::VerifyFailed, "(NULL, 0) signature");
        // Lengths above PTRDIFF_MAX.
        for len in [HUGE, usize::MAX] {
            let rc = mkc_eccsi_verify(
                public.ptr,
                dangling_in(),
                len,
                MSG.as_ptr(),
                MSG.len(),
                sig.as_ptr(),
                sig.len(),
            );
            assert_eq!(rc, mkc_result::InvalidParameter, "huge id_len");
            let rc = mkc_eccsi_verify(
                public.ptr,
                ID.as_ptr(),
                ID.len(),
                dangling_in(),
                len,
                sig.as_ptr(),
                sig.len(),
            );
            assert_eq!(rc, mkc_result::InvalidParameter, "huge msg_len");
            let rc = mkc_eccsi_verify(
                public.ptr,
                ID.as_ptr(),
                ID.len(),
                MSG.as_ptr(),
                MSG.len(),
                dangling_in(),
                len,
            );
            assert_eq!(rc, mkc_result::InvalidParameter, "huge sig_len");
        }
    }
}

/// (NULL, 0) is the empty identifier / message everywhere, and equal to (non-NULL, 0).
#[test]
fn null_zero_is_the_empty_input() {
    let kms = new_kms();
    let kpak = kpak_of(&kms);
    let mut ssk = [0u8; MKC_ECCSI_SSK_BYTES];
    let mut pvt = [0u8; MKC_ECCSI_PVT_BYTES];
    let rc = unsafe {
        mkc_kms_issue_eccsi(
            kms.ptr,
            null(),
            0,
            ssk.as_mut_ptr(),
            ssk.len(),
            pvt.as_mut_ptr(),
            pvt.len(),
        )
    };
    assert_eq!(rc, mkc_result::Ok);
    let mut signer = null::<mkc_eccsi_signer>();
    let rc = unsafe {
        mkc_eccsi_signer_new(
            kpak.as_ptr(),
            kpak.len(),
            null(),
            0,
            ssk.as_ptr(),
            ssk.len(),
            pvt.as_ptr(),
            pvt.len(),
            &mut signer,
        )
    };
    assert_eq!(rc, mkc_result::Ok);
    let signer = Owned {
        ptr: signer,
        free: mkc_eccsi_signer_free,
    };
    let mut sig = [0u8; MKC_ECCSI_SIGNATURE_BYTES];
    let mut written = WRITTEN_SENTINEL;
    let rc = unsafe {
        mkc_eccsi_sign(
            signer.ptr,
            null(),
            0,
            sig.as_mut_ptr(),
            sig.len(),
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::Ok);
    assert_eq!(written, MKC_ECCSI_SIGNATURE_BYTES);
    let public = new_public(&kpak);
    let rc = unsafe { mkc_eccsi_verify(public.ptr, null(), 0, null(), 0, sig.as_ptr(), sig.len()) };
    assert_eq!(rc, mkc_result::Ok);
    // Non-NULL pointers with length 0 are the same empty strings.
    let rc = unsafe {
        mkc_eccsi_verify(
            public.ptr,
            dangling_in(),
            0,
            dangling_in(),
            0,
            sig.as_ptr(),
            sig.len(),
        )
    };
    assert_eq!(rc, mkc_result::Ok);
    // The Rust core agrees.
    assert_eq!(Verifier::new(&kpak).unwrap().verify(b"", b"", &sig), Ok(()));
    // And a non-empty message or identifier does not verify.
    assert_eq!(verify(&public, b"", b"\0", &sig), mkc_result::VerifyFailed);
    assert_eq!(verify(&public, b"\0", b"", &sig), mkc_result::VerifyFailed);
}

/// The identifier and message are (pointer, length): NUL octets inside are data.
#[test]
fn embedded_nul_octets_are_data() {
    let m = material();
    let public = new_public(&m.kpak);
    let signer = new_signer(&m, ID);
    let sig = sign(&signer, MSG);
    assert_eq!(verify(&public, ID, MSG, &sig), mkc_result::Ok);
    let id_c_string = &ID[..ID.iter().position(|&b| b == 0).unwrap()];
    let msg_c_string = &MSG[..MSG.len() - 1];
    assert_eq!(
        verify(&public, id_c_string, MSG, &sig),
        mkc_result::VerifyFailed
    );
    assert_eq!(
        verify(&public, ID, msg_c_string, &sig),
        mkc_result::VerifyFailed
    );
}

#[test]
fn verify_failures_have_one_code() {
    let m = material();
    let public = new_public(&m.kpak);
    let signer = new_signer(&m, ID);
    let sig = sign(&signer, MSG);
    let mut cases: Vec<Vec<u8>> = vec![vec![], sig[..128].to_vec(), [&sig[..], &[0]].concat()];
    for index in [0, 40, 64, 100, 128] {
        let mut bad = sig.to_vec();
        bad[index] ^= 0x10;
        cases.push(bad);
    }
    let mut zero_rs = sig.to_vec();
    zero_rs[..64].fill(0);
    cases.push(zero_rs);
    for bad in cases {
        assert_eq!(verify(&public, ID, MSG, &bad), mkc_result::VerifyFailed);
    }
    assert_eq!(
        verify(&public, b"other", MSG, &sig),
        mkc_result::VerifyFailed
    );
    assert_eq!(
        verify(&public, ID, b"other", &sig),
        mkc_result::VerifyFailed
    );
}

// ---------------------------------------------------------------------------------------------
// mkc_eccsi_signer_new / mkc_eccsi_sign
// ---------------------------------------------------------------------------------------------

#[test]
fn signer_new_null_and_out_pointer() {
    let m = material();
    let (kpak, ssk, pvt) = (m.kpak, m.ssk, m.pvt);
    type Args = (
        *const u8,
        usize,
        *const u8,
        usize,
        *const u8,
        usize,
        *const u8,
        usize,
    );
    let good: Args = (
        kpak.as_ptr(),
        kpak.len(),
        ID.as_ptr(),
        ID.len(),
        ssk.as_ptr(),
        ssk.len(),
        pvt.as_ptr(),
        pvt.len(),
    );
    let call = |a: Args, out: *mut *const mkc_eccsi_signer| unsafe {
        mkc_eccsi_signer_new(a.0, a.1, a.2, a.3, a.4, a.5, a.6, a.7, out)
    };
    assert_eq!(
        call(good, null_mut()),
        mkc_result::NullParameter,
        "NULL out"
    );

    let mut failing: Vec<(&str, Args, mkc_result)> = vec![
        (
            "NULL kpak",
            (
                null(),
                good.1,
                good.2,
                good.3,
                good.4,
                good.5,
                good.6,
                good.7,
            ),
            mkc_result::NullParameter,
        ),
        (
            "NULL id",
            (
                good.0,
                good.1,
                null(),
                good.3,
                good.4,
                good.5,
                good.6,
                good.7,
            ),
            mkc_result::NullParameter,
        ),
        (
            "NULL ssk",
            (
                good.0,
                good.1,
                good.2,
                good.3,
                null(),
                good.5,
                good.6,
                good.7,
            ),
            mkc_result::NullParameter,
        ),
        (
            "NULL pvt",
            (
                good.0,
                good.1,
                good.2,
                good.3,
                good.4,
                good.5,
                null(),
                good.7,
            ),
            mkc_result::NullParameter,
        ),
        (
            "(NULL, 0) kpak",
            (null(), 0, good.2, good.3, good.4, good.5, good.6, good.7),
            mkc_result::InvalidKey,
        ),
        (
            "(NULL, 0) ssk",
            (good.0, good.1, good.2, good.3, null(), 0, good.6, good.7),
            mkc_result::InvalidKey,
        ),
        (
            "(NULL, 0) pvt",
            (good.0, good.1, good.2, good.3, good.4, good.5, null(), 0),
            mkc_result::InvalidKey,
        ),
        (
            "(NULL, 0) id: another identity",
            (good.0, good.1, null(), 0, good.4, good.5, good.6, good.7),
            mkc_result::InvalidKey,
        ),
        (
            "short kpak",
            (good.0, 64, good.2, good.3, good.4, good.5, good.6, good.7),
            mkc_result::InvalidKey,
        ),
        (
            "short ssk",
            (good.0, good.1, good.2, good.3, good.4, 31, good.6, good.7),
            mkc_result::InvalidKey,
        ),
        (
            "short pvt",
            (good.0, good.1, good.2, good.3, good.4, good.5, good.6, 64),
            mkc_result::InvalidKey,
        ),
        (
            "short id",
            (
                good.0,
                good.1,
                good.2,
                good.3 - 1,
                good.4,
                good.5,
                good.6,
                good.7,
            ),
            mkc_result::InvalidKey,
        ),
    ];
    for len in [HUGE, usize::MAX] {
        failing.extend([
            (
                "huge kpak_len",
                (
                    dangling_in(),
                    len,
                    good.2,
                    good.3,
                    good.4,
                    good.5,
                    good.6,
                    good.7,
                ),
                mkc_result::InvalidParameter,
            ),
            (
                "huge id_len",
                (
                    good.0,
                    good.1,
                    dangling_in(),
                    len,
                    good.4,
                    good.5,
                    good.6,
                    good.7,
                ),
                mkc_result::InvalidParameter,
            ),
            (
                "huge ssk_len",
                (
                    good.0,
                    good.1,
                    good.2,
                    good.3,
                    dangling_in(),
                    len,
                    good.6,
                    good.7,
                ),
                mkc_result::InvalidParameter,
            ),
            (
                "huge pvt_len",
                (
                    good.0,
                    good.1,
                    good.2,
                    good.3,
                    good.4,
                    good.5,
                    dangling_in(),
                    len,
                ),
                mkc_result::InvalidParameter,
            ),
        ]);
    }
    let mut wrong_ssk = ssk;
    wrong_ssk[31] ^= 1;
    failing.push((
        "SSK + 1 bit",
        (
            good.0,
            good.1,
            good.2,
            good.3,
            wrong_ssk.as_ptr(),
            good.5,
            good.6,
            good.7,
        ),
        mkc_result::InvalidKey,
    ));
    for (what, args, expected) in failing {
        let mut out = sentinel::<mkc_eccsi_signer>();
        assert_eq!(call(args, &mut out), expected, "{what}");
        assert_eq!(out, sentinel(), "{what}: *out changed on failure");
    }
    let mut out = sentinel::<mkc_eccsi_signer>();
    assert_eq!(call(good, &mut out), mkc_result::Ok);
    assert!(!out.is_null() && out != sentinel());
    unsafe { mkc_eccsi_signer_free(out) };
}

#[test]
fn sign_null_parameters() {
    let m = material();
    let signer = new_signer(&m, ID);
    let mut sig = [CANARY; MKC_ECCSI_SIGNATURE_BYTES];
    let mut written = WRITTEN_SENTINEL;
    unsafe {
        let rc = mkc_eccsi_sign(
            null(),
            MSG.as_ptr(),
            MSG.len(),
            sig.as_mut_ptr(),
            sig.len(),
            &mut written,
        );
        assert_eq!(rc, mkc_result::NullParameter, "NULL signer");
        // The output passed its checks: a later failure zeroes it (the header's rule 4).
        assert_eq!(sig, [0; MKC_ECCSI_SIGNATURE_BYTES], "sig_out zeroed");
        assert_eq!(written, 0, "*written zeroed");
        let rc = mkc_eccsi_sign(
            signer.ptr,
            null(),
            MSG.len(),
            sig.as_mut_ptr(),
            sig.len(),
            &mut written,
        );
        assert_eq!(rc, mkc_result::NullParameter, "NULL msg");
        assert_eq!(written, 0, "*written zeroed");
        sig = [CANARY; MKC_ECCSI_SIGNATURE_BYTES];
        written = WRITTEN_SENTINEL;
        let rc = mkc_eccsi_sign(
            signer.ptr,
            MSG.as_ptr(),
            MSG.len(),
            null_mut(),
            sig.len(),
            &mut written,
        );
        assert_eq!(rc, mkc_result::NullParameter, "NULL sig_out");
        let rc = mkc_eccsi_sign(
            signer.ptr,
            MSG.as_ptr(),
            MSG.len(),
            sig.as_mut_ptr(),
            sig.len(),
            null_mut(),
        );
        assert_eq!(rc, mkc_result::NullParameter, "NULL written");
        let rc = mkc_eccsi_sign(
            signer.ptr,
            MSG.as_ptr(),
            MSG.len(),
            sig.as_mut_ptr(),
            10,
            null_mut(),
        );
        assert_eq!(
            rc,
            mkc_result::NullParameter,
            "NULL written with a small buffer"
        );
        for len in [HUGE, usize::MAX] {
            let rc = mkc_eccsi_sign(
                signer.ptr,
                dangling_in(),
                len,
                sig.as_mut_ptr(),
                sig.len(),
                &mut written,
            );
            // A region that long overlaps the output: refused in step 1, nothing written.
            assert_eq!(rc, mkc_result::InvalidParameter, "huge msg_len");
            let rc = mkc_eccsi_sign(
                signer.ptr,
                MSG.as_ptr(),
                MSG.len(),
                dangling_out(),
                len,
                &mut written,
            );
            assert_eq!(rc, mkc_result::InvalidParameter, "huge sig_cap");
        }
    }
    assert_eq!(
        sig, [CANARY; MKC_ECCSI_SIGNATURE_BYTES],
        "sig_out written on failure"
    );
    assert_eq!(
        written, WRITTEN_SENTINEL,
        "*written set on a NULL/invalid parameter"
    );
}

/// A length above PTRDIFF_MAX is refused in step 1 whatever the addresses: here the message
/// lies above the output and `written` (one allocation, in that order), so its region overlaps
/// neither (on a 32-bit target that is an ordinary layout), and the call must still write
/// nothing (regression: the output was zeroed and `*written` set to 0).
#[test]
fn huge_input_length_writes_nothing_without_overlap() {
    const WORDS: usize = 1 + MKC_ECCSI_SIGNATURE_BYTES.div_ceil(size_of::<usize>()) + 4;
    let m = material();
    let signer = new_signer(&m, ID);
    for len in [HUGE, usize::MAX] {
        let mut arena = vec![usize::from_ne_bytes([CANARY; size_of::<usize>()]); WORDS];
        arena[0] = WRITTEN_SENTINEL;
        let base = arena.as_mut_ptr();
        let (written, sig, msg) = unsafe {
            (
                base,
                base.add(1).cast::<u8>(),
                base.add(WORDS - 2).cast::<u8>().cast_const(),
            )
        };
        let rc = unsafe {
            mkc_eccsi_sign(
                signer.ptr,
                msg,
                len,
                sig,
                MKC_ECCSI_SIGNATURE_BYTES,
                written,
            )
        };
        assert_eq!(rc, mkc_result::InvalidParameter, "msg_len {len}");
        assert_eq!(arena[0], WRITTEN_SENTINEL, "msg_len {len}: *written set");
        let octets: Vec<u8> = arena[1..].iter().flat_map(|w| w.to_ne_bytes()).collect();
        assert!(
            octets.iter().all(|&b| b == CANARY),
            "msg_len {len}: sig_out written"
        );
    }
}

#[test]
fn sign_buffer_too_small_and_size_query() {
    let m = material();
    let signer = new_signer(&m, ID);
    // (NULL, 0): the size query.
    let mut written = WRITTEN_SENTINEL;
    let rc = unsafe {
        mkc_eccsi_sign(
            signer.ptr,
            MSG.as_ptr(),
            MSG.len(),
            null_mut(),
            0,
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::BufferTooSmall);
    assert_eq!(written, MKC_ECCSI_SIGNATURE_BYTES);
    // Too small by one, and much too small: nothing written.
    for cap in [0usize, 1, 64, MKC_ECCSI_SIGNATURE_BYTES - 1] {
        let mut buf = vec![CANARY; MKC_ECCSI_SIGNATURE_BYTES + 16];
        let mut written = WRITTEN_SENTINEL;
        let rc = unsafe {
            mkc_eccsi_sign(
                signer.ptr,
                MSG.as_ptr(),
                MSG.len(),
                buf.as_mut_ptr(),
                cap,
                &mut written,
            )
        };
        assert_eq!(rc, mkc_result::BufferTooSmall, "cap {cap}");
        assert_eq!(written, MKC_ECCSI_SIGNATURE_BYTES, "cap {cap}");
        assert!(
            buf.iter().all(|&b| b == CANARY),
            "cap {cap}: the buffer was touched"
        );
    }
}

#[test]
fn sign_bigger_buffer_writes_only_the_signature() {
    let m = material();
    let signer = new_signer(&m, ID);
    let public = new_public(&m.kpak);
    for cap in [
        MKC_ECCSI_SIGNATURE_BYTES,
        MKC_ECCSI_SIGNATURE_BYTES + 1,
        4096,
    ] {
        let mut buf = vec![CANARY; cap + 8];
        let mut written = WRITTEN_SENTINEL;
        let rc = unsafe {
            mkc_eccsi_sign(
                signer.ptr,
                MSG.as_ptr(),
                MSG.len(),
                buf.as_mut_ptr(),
                cap,
                &mut written,
            )
        };
        assert_eq!(rc, mkc_result::Ok, "cap {cap}");
        assert_eq!(written, MKC_ECCSI_SIGNATURE_BYTES, "cap {cap}");
        assert!(
            buf[MKC_ECCSI_SIGNATURE_BYTES..]
                .iter()
                .all(|&b| b == CANARY),
            "cap {cap}: octets after the signature were touched"
        );
        let sig = &buf[..MKC_ECCSI_SIGNATURE_BYTES];
        assert_eq!(&sig[64..], &m.pvt, "the signature ends with the PVT");
        assert_eq!(verify(&public, ID, MSG, sig), mkc_result::Ok);
        assert_eq!(Verifier::new(&m.kpak).unwrap().verify(ID, MSG, sig), Ok(()));
    }
}

#[test]
fn sign_twice_gives_two_valid_signatures() {
    let m = material();
    let signer = new_signer(&m, ID);
    let public = new_public(&m.kpak);
    let a = sign(&signer, MSG);
    let b = sign(&signer, MSG);
    assert_ne!(a, b);
    assert_eq!(verify(&public, ID, MSG, &a), mkc_result::Ok);
    assert_eq!(verify(&public, ID, MSG, &b), mkc_result::Ok);
}

// ---------------------------------------------------------------------------------------------
// mkc_kms_*
// ---------------------------------------------------------------------------------------------

#[test]
fn kms_new_random_null_and_out_pointer() {
    assert_eq!(
        unsafe { mkc_kms_new_random(null_mut()) },
        mkc_result::NullParameter
    );
    let mut a = sentinel::<mkc_kms>();
    assert_eq!(unsafe { mkc_kms_new_random(&mut a) }, mkc_result::Ok);
    assert!(!a.is_null() && a != sentinel());
    let a = Owned {
        ptr: a,
        free: mkc_kms_free,
    };
    let mut b = null::<mkc_kms>();
    assert_eq!(unsafe { mkc_kms_new_random(&mut b) }, mkc_result::Ok);
    let b = Owned {
        ptr: b,
        free: mkc_kms_free,
    };
    assert_ne!(kpak_of(&a), kpak_of(&b), "two random KMSs share a KPAK");
}

#[test]
fn kms_new_from_secrets_null_and_out_pointer() {
    let (k, z) = (ksak(), z());
    let call = |kp: *const u8, kl: usize, zp: *const u8, zl: usize, out: *mut *const mkc_kms| unsafe {
        mkc_kms_new_from_secrets(kp, kl, zp, zl, out)
    };
    assert_eq!(
        call(k.as_ptr(), k.len(), z.as_ptr(), z.len(), null_mut()),
        mkc_result::NullParameter
    );
    let zero_ksak = [0u8; MKC_KMS_KSAK_BYTES];
    let ff_z = [0xffu8; MKC_KMS_Z_BYTES];
    let cases: Vec<(&str, *const u8, usize, *const u8, usize, mkc_result)> = vec![
        (
            "NULL ksak",
            null(),
            k.len(),
            z.as_ptr(),
            z.len(),
            mkc_result::NullParameter,
        ),
        (
            "NULL z",
            k.as_ptr(),
            k.len(),
            null(),
            z.len(),
            mkc_result::NullParameter,
        ),
        (
            "(NULL, 0) ksak",
            null(),
            0,
            z.as_ptr(),
            z.len(),
            mkc_result::InvalidKey,
        ),
        (
            "(NULL, 0) z",
            k.as_ptr(),
            k.len(),
            null(),
            0,
            mkc_result::InvalidKey,
        ),
        (
            "short ksak",
            k.as_ptr(),
            31,
            z.as_ptr(),
            z.len(),
            mkc_result::InvalidKey,
        ),
        (
            "short z",
            k.as_ptr(),
            k.len(),
            z.as_ptr(),
            127,
            mkc_result::InvalidKey,
        ),
        (
            "zero ksak",
            zero_ksak.as_ptr(),
            zero_ksak.len(),
            z.as_ptr(),
            z.len(),
            mkc_result::InvalidKey,
        ),
        (
            "all-FF z",
            k.as_ptr(),
            k.len(),
            ff_z.as_ptr(),
            ff_z.len(),
            mkc_result::InvalidKey,
        ),
        (
            "huge ksak_len",
            dangling_in(),
            HUGE,
            z.as_ptr(),
            z.len(),
            mkc_result::InvalidParameter,
        ),
        (
            "huge z_len",
            k.as_ptr(),
            k.len(),
            dangling_in(),
            HUGE,
            mkc_result::InvalidParameter,
        ),
        (
            "max ksak_len",
            dangling_in(),
            usize::MAX,
            z.as_ptr(),
            z.len(),
            mkc_result::InvalidParameter,
        ),
        (
            "max z_len",
            k.as_ptr(),
            k.len(),
            dangling_in(),
            usize::MAX,
            mkc_result::InvalidParameter,
        ),
    ];
    for (what, kp, kl, zp, zl, expected) in cases {
        let mut out = sentinel::<mkc_kms>();
        assert_eq!(call(kp, kl, zp, zl, &mut out), expected, "{what}");
        assert_eq!(out, sentinel(), "{what}: *out changed on failure");
    }
    let mut out = sentinel::<mkc_kms>();
    assert_eq!(
        call(k.as_ptr(), k.len(), z.as_ptr(), z.len(), &mut out),
        mkc_result::Ok
    );
    assert!(!out.is_null() && out != sentinel());
    let kms = Owned {
        ptr: out,
        free: mkc_kms_free,
    };
    // The RFC 6507 KSAK gives the RFC 6507 KPAK.
    assert_eq!(
        kpak_of(&kms).to_vec(),
        KmsSigningRoot::from_ksak(&k)
            .unwrap()
            .kpak()
            .to_bytes()
            .to_vec()
    );
}

#[test]
fn kms_kpak_contract() {
    let kms = new_kms();
    let expected = KmsSigningRoot::from_ksak(&ksak())
        .unwrap()
        .kpak()
        .to_bytes();
    let mut buf = [CANARY; 100];
    let mut written = WRITTEN_SENTINEL;
    unsafe {
        let rc = mkc_kms_kpak(null(), buf.as_mut_ptr(), buf.len(), &mut written);
        assert_eq!(rc, mkc_result::NullParameter, "NULL kms");
        // The output passed its checks: the failure zeroes it (the header's rule 4).
        assert!(buf.iter().all(|&b| b == 0), "buffer zeroed");
        assert_eq!(written, 0, "*written zeroed");
        buf = [CANARY; 100];
        written = WRITTEN_SENTINEL;
        let rc = mkc_kms_kpak(kms.ptr, null_mut(), buf.len(), &mut written);
        assert_eq!(rc, mkc_result::NullParameter, "NULL out");
        let rc = mkc_kms_kpak(kms.ptr, buf.as_mut_ptr(), buf.len(), null_mut());
        assert_eq!(rc, mkc_result::NullParameter, "NULL written");
        for cap in [HUGE, usize::MAX] {
            let rc = mkc_kms_kpak(kms.ptr, dangling_out(), cap, &mut written);
            assert_eq!(rc, mkc_result::InvalidParameter, "huge out_cap");
        }
    }
    assert!(
        buf.iter().all(|&b| b == CANARY),
        "buffer touched on failure"
    );
    assert_eq!(
        written, WRITTEN_SENTINEL,
        "*written set on a NULL/invalid parameter"
    );

    // Size query and too-small buffers.
    let rc = unsafe { mkc_kms_kpak(kms.ptr, null_mut(), 0, &mut written) };
    assert_eq!(rc, mkc_result::BufferTooSmall);
    assert_eq!(written, MKC_ECCSI_KPAK_BYTES);
    for cap in [0usize, 1, 33, MKC_ECCSI_KPAK_BYTES - 1] {
        let mut buf = [CANARY; 100];
        let mut written = WRITTEN_SENTINEL;
        let rc = unsafe { mkc_kms_kpak(kms.ptr, buf.as_mut_ptr(), cap, &mut written) };
        assert_eq!(rc, mkc_result::BufferTooSmall, "cap {cap}");
        assert_eq!(written, MKC_ECCSI_KPAK_BYTES, "cap {cap}");
        assert!(
            buf.iter().all(|&b| b == CANARY),
            "cap {cap}: the buffer was touched"
        );
    }
    // Exact and bigger buffers.
    for cap in [MKC_ECCSI_KPAK_BYTES, MKC_ECCSI_KPAK_BYTES + 1, 92] {
        let mut buf = [CANARY; 100];
        let mut written = WRITTEN_SENTINEL;
        let rc = unsafe { mkc_kms_kpak(kms.ptr, buf.as_mut_ptr(), cap, &mut written) };
        assert_eq!(rc, mkc_result::Ok, "cap {cap}");
        assert_eq!(written, MKC_ECCSI_KPAK_BYTES, "cap {cap}");
        assert_eq!(buf[..MKC_ECCSI_KPAK_BYTES], expected[..], "cap {cap}");
        assert!(
            buf[MKC_ECCSI_KPAK_BYTES..].iter().all(|&b| b == CANARY),
            "cap {cap}: wrote past the KPAK"
        );
    }
}

/// Calls mkc_kms_issue_eccsi with canary buffers of `ssk_len`/`pvt_len` octets passed with the
/// capacities `ssk_cap`/`pvt_cap`; returns the result and both buffers.
fn issue_into(
    kms: &Owned<mkc_kms>,
    id: &[u8],
    ssk_cap: usize,
    pvt_cap: usize,
) -> (mkc_result, Vec<u8>, Vec<u8>) {
    let mut ssk = vec![CANARY; ssk_cap + 8];
    let mut pvt = vec![CANARY; pvt_cap + 8];
    let rc = unsafe {
        mkc_kms_issue_eccsi(
            kms.ptr,
            id.as_ptr(),
            id.len(),
            ssk.as_mut_ptr(),
            ssk_cap,
            pvt.as_mut_ptr(),
            pvt_cap,
        )
    };
    (rc, ssk, pvt)
}

#[test]
fn kms_issue_eccsi_buffer_too_small_touches_neither_buffer() {
    let kms = new_kms();
    let (s, p) = (MKC_ECCSI_SSK_BYTES, MKC_ECCSI_PVT_BYTES);
    for (ssk_cap, pvt_cap) in [
        (s - 1, p),
        (s, p - 1),
        (s - 1, p - 1),
        (0, p),
        (s, 0),
        (0, 0),
        (1, 1),
        (s + 100, p - 1),
        (s - 1, p + 100),
    ] {
        let (rc, ssk, pvt) = issue_into(&kms, ID, ssk_cap, pvt_cap);
        assert_eq!(
            rc,
            mkc_result::BufferTooSmall,
            "caps ({ssk_cap}, {pvt_cap})"
        );
        assert!(
            ssk.iter().all(|&b| b == CANARY),
            "caps ({ssk_cap}, {pvt_cap}): SSK buffer touched"
        );
        assert!(
            pvt.iter().all(|&b| b == CANARY),
            "caps ({ssk_cap}, {pvt_cap}): PVT buffer touched"
        );
    }
    // (NULL, 0) outputs: a size query, not a NULL parameter.
    let rc = unsafe {
        mkc_kms_issue_eccsi(kms.ptr, ID.as_ptr(), ID.len(), null_mut(), 0, null_mut(), 0)
    };
    assert_eq!(rc, mkc_result::BufferTooSmall);
    let mut pvt = [CANARY; MKC_ECCSI_PVT_BYTES];
    let rc = unsafe {
        mkc_kms_issue_eccsi(
            kms.ptr,
            ID.as_ptr(),
            ID.len(),
            null_mut(),
            0,
            pvt.as_mut_ptr(),
            pvt.len(),
        )
    };
    assert_eq!(rc, mkc_result::BufferTooSmall);
    assert!(pvt.iter().all(|&b| b == CANARY), "PVT buffer touched");
}

#[test]
fn kms_issue_eccsi_bigger_buffers_write_only_the_key() {
    let kms = new_kms();
    let kpak = kpak_of(&kms);
    let (s, p) = (MKC_ECCSI_SSK_BYTES, MKC_ECCSI_PVT_BYTES);
    for (ssk_cap, pvt_cap) in [(s, p), (s + 1, p + 1), (64, 200)] {
        let (rc, ssk, pvt) = issue_into(&kms, ID, ssk_cap, pvt_cap);
        assert_eq!(rc, mkc_result::Ok, "caps ({ssk_cap}, {pvt_cap})");
        assert!(
            ssk[s..].iter().all(|&b| b == CANARY),
            "caps ({ssk_cap}, {pvt_cap}): wrote past the SSK"
        );
        assert!(
            pvt[p..].iter().all(|&b| b == CANARY),
            "caps ({ssk_cap}, {pvt_cap}): wrote past the PVT"
        );
        assert_eq!(pvt[0], 0x04);
        let mut out = null::<mkc_eccsi_signer>();
        let rc = unsafe {
            mkc_eccsi_signer_new(
                kpak.as_ptr(),
                kpak.len(),
                ID.as_ptr(),
                ID.len(),
                ssk.as_ptr(),
                s,
                pvt.as_ptr(),
                p,
                &mut out,
            )
        };
        assert_eq!(rc, mkc_result::Ok, "the issued key does not validate");
        unsafe { mkc_eccsi_signer_free(out) };
    }
}

#[test]
fn kms_issue_eccsi_null_parameters() {
    let kms = new_kms();
    let mut ssk = [CANARY; MKC_ECCSI_SSK_BYTES];
    let mut pvt = [CANARY; MKC_ECCSI_PVT_BYTES];
    let (sp, sl, pp, pl) = (ssk.as_mut_ptr(), ssk.len(), pvt.as_mut_ptr(), pvt.len());
    unsafe {
        for (kms, id) in [(null(), ID.as_ptr()), (kms.ptr, null())] {
            let rc = mkc_kms_issue_eccsi(kms, id, ID.len(), sp, sl, pp, pl);
            assert_eq!(rc, mkc_result::NullParameter, "NULL kms or id");
            // The outputs passed their checks: the failure zeroes them (the header's rule 4).
            assert!(
                (*sp.cast::<[u8; MKC_ECCSI_SSK_BYTES]>())
                    .iter()
                    .all(|&b| b == 0)
            );
            assert!(
                (*pp.cast::<[u8; MKC_ECCSI_PVT_BYTES]>())
                    .iter()
                    .all(|&b| b == 0)
            );
            sp.write_bytes(CANARY, sl);
            pp.write_bytes(CANARY, pl);
        }
        let rc = mkc_kms_issue_eccsi(kms.ptr, ID.as_ptr(), ID.len(), null_mut(), sl, pp, pl);
        assert_eq!(rc, mkc_result::NullParameter, "NULL ssk_out");
        let rc = mkc_kms_issue_eccsi(kms.ptr, ID.as_ptr(), ID.len(), sp, sl, null_mut(), pl);
        assert_eq!(rc, mkc_result::NullParameter, "NULL pvt_out");
        for len in [HUGE, usize::MAX] {
            let rc = mkc_kms_issue_eccsi(kms.ptr, dangling_in(), len, sp, sl, pp, pl);
            assert_eq!(rc, mkc_result::InvalidParameter, "huge id_len");
            sp.write_bytes(CANARY, sl);
            pp.write_bytes(CANARY, pl);
            let rc =
                mkc_kms_issue_eccsi(kms.ptr, ID.as_ptr(), ID.len(), dangling_out(), len, pp, pl);
            assert_eq!(rc, mkc_result::InvalidParameter, "huge ssk_cap");
            let rc =
                mkc_kms_issue_eccsi(kms.ptr, ID.as_ptr(), ID.len(), sp, sl, dangling_out(), len);
            assert_eq!(rc, mkc_result::InvalidParameter, "huge pvt_cap");
        }
    }
    assert!(
        ssk.iter().all(|&b| b == CANARY),
        "SSK buffer touched on failure"
    );
    assert!(
        pvt.iter().all(|&b| b == CANARY),
        "PVT buffer touched on failure"
    );
}

// ---------------------------------------------------------------------------------------------
// mkc_random
// ---------------------------------------------------------------------------------------------

#[test]
fn random_contract() {
    assert_eq!(unsafe { mkc_random(null_mut(), 0) }, mkc_result::Ok);
    assert_eq!(
        unsafe { mkc_random(null_mut(), 1) },
        mkc_result::NullParameter
    );
    assert_eq!(
        unsafe { mkc_random(null_mut(), 64) },
        mkc_result::NullParameter
    );
    assert_eq!(
        unsafe { mkc_random(dangling_out(), HUGE) },
        mkc_result::InvalidParameter
    );
    assert_eq!(
        unsafe { mkc_random(dangling_out(), usize::MAX) },
        mkc_result::InvalidParameter
    );
    // Length 0 with a real buffer: nothing written.
    let mut buf = [CANARY; 64];
    assert_eq!(unsafe { mkc_random(buf.as_mut_ptr(), 0) }, mkc_result::Ok);
    assert_eq!(buf, [CANARY; 64]);
    // Fills exactly len octets. 48 random octets all equal to the canary: probability 2^-384.
    let mut buf = [CANARY; 64];
    assert_eq!(unsafe { mkc_random(buf.as_mut_ptr(), 48) }, mkc_result::Ok);
    assert!(
        buf[..48].iter().any(|&b| b != CANARY),
        "mkc_random did not fill the buffer"
    );
    assert!(
        buf[48..].iter().all(|&b| b == CANARY),
        "mkc_random wrote past len"
    );
    // Two draws differ; the whole buffer is random (each 16-octet window changed).
    let mut a = [0u8; 64];
    let mut b = [0u8; 64];
    assert_eq!(
        unsafe { mkc_random(a.as_mut_ptr(), a.len()) },
        mkc_result::Ok
    );
    assert_eq!(
        unsafe { mkc_random(b.as_mut_ptr(), b.len()) },
        mkc_result::Ok
    );
    assert_ne!(a, b);
    for chunk in a.chunks(16) {
        assert_ne!(chunk, &[0u8; 16], "an unfilled 16-octet window");
    }
    // A large request.
    let mut big = vec![0u8; 1 << 20];
    assert_eq!(
        unsafe { mkc_random(big.as_mut_ptr(), big.len()) },
        mkc_result::Ok
    );
    assert!(big[big.len() - 16..] != [0u8; 16]);
}

// ---------------------------------------------------------------------------------------------
// Threads: handles with public data and signers are immutable and shareable
// ---------------------------------------------------------------------------------------------

#[test]
fn handles_are_usable_from_several_threads() {
    let m = material();
    let public = new_public(&m.kpak);
    let signer = new_signer(&m, ID);
    // Raw pointers are not Send; pass the addresses.
    let (public_addr, signer_addr) = (public.ptr as usize, signer.ptr as usize);
    std::thread::scope(|scope| {
        for t in 0..3u8 {
            scope.spawn(move || {
                let public = public_addr as *const mkc_eccsi_public;
                let signer = signer_addr as *const mkc_eccsi_signer;
                for i in 0..3u8 {
                    let msg = [t, i];
                    let mut sig = [0u8; MKC_ECCSI_SIGNATURE_BYTES];
                    let mut written = 0;
                    let rc = unsafe {
                        mkc_eccsi_sign(
                            signer,
                            msg.as_ptr(),
                            msg.len(),
                            sig.as_mut_ptr(),
                            sig.len(),
                            &mut written,
                        )
                    };
                    assert_eq!(rc, mkc_result::Ok);
                    let rc = unsafe {
                        mkc_eccsi_verify(
                            public,
                            ID.as_ptr(),
                            ID.len(),
                            msg.as_ptr(),
                            msg.len(),
                            sig.as_ptr(),
                            sig.len(),
                        )
                    };
                    assert_eq!(rc, mkc_result::Ok);
                }
            });
        }
    });
}

/// A `written` pointer inside an input buffer is refused like an overlapping output, and the
/// input is left as it was.
#[test]
fn sign_refuses_written_inside_the_message() {
    let m = material();
    let signer = new_signer(&m, ID);
    let mut sig = [CANARY; MKC_ECCSI_SIGNATURE_BYTES];
    // A message buffer with room for a size_t inside it, aligned for usize.
    let mut msg_words = [0usize; 4];
    let msg_ptr = msg_words.as_mut_ptr().cast::<u8>();
    let msg_len = size_of_val(&msg_words);
    let rc = unsafe {
        mkc_eccsi_sign(
            signer.ptr,
            msg_ptr,
            msg_len,
            sig.as_mut_ptr(),
            sig.len(),
            &mut msg_words[1],
        )
    };
    assert_eq!(rc, mkc_result::InvalidParameter);
    assert_eq!(msg_words, [0usize; 4], "the message changed");
    assert_eq!(
        sig, [CANARY; MKC_ECCSI_SIGNATURE_BYTES],
        "the output was written"
    );
}
