//! The C contract of the SAKKE exports (`mkc_sakke_*`, `mkc_kms_z_t`, `mkc_kms_issue_sakke`),
//! checked by calling the `extern "C"` functions directly from Rust (DESIGN section 4): NULL
//! rules ((NULL, 0) is the empty input), out-pointers set only on success, BUFFER_TOO_SMALL with
//! the needed size and an untouched buffer, size queries, INVALID_LENGTH for SSVs that are not
//! 16 octets, DECAPSULATION_FAILED with `*written` = 0 and the output untouched, overlapping
//! output and input buffers, `_free(NULL)`, the size functions, the RFC 6508 vector, and handles
//! shared by several threads.

use mcptt_kmc::ffi::kms::*;
use mcptt_kmc::ffi::result::*;
use mcptt_kmc::ffi::sakke::*;
use mcptt_kmc::kms::Kms;
use mcptt_kmc::sakke::{self, SakkePublic};
use std::ptr::{self, NonNull, null, null_mut};
use std::sync::{Barrier, LazyLock};

// ---------------------------------------------------------------------------------------------
// Helpers and shared material
// ---------------------------------------------------------------------------------------------

const ID: &[u8] = b"2024-05\0tel:+15551234567\0";
const SSV: [u8; 16] = *b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff";
/// A length no C object can have: above PTRDIFF_MAX.
const HUGE: usize = isize::MAX as usize + 1;
const CANARY: u8 = 0xA5;
const WRITTEN_SENTINEL: usize = 0xDEAD_BEEF;

/// A non-NULL, never-dereferenceable address to pre-set out-pointers with.
fn sentinel<T>() -> *const T {
    ptr::dangling::<T>()
}

fn dangling_in() -> *const u8 {
    NonNull::<u8>::dangling().as_ptr()
}

fn dangling_out() -> *mut u8 {
    NonNull::<u8>::dangling().as_ptr()
}

fn ksak() -> [u8; MKC_KMS_KSAK_BYTES] {
    let mut k = [0u8; MKC_KMS_KSAK_BYTES];
    k[29..].copy_from_slice(&[0x01, 0x23, 0x45]);
    k
}

/// A fixed z below q (top bits clear).
fn z() -> [u8; MKC_KMS_Z_BYTES] {
    let mut z = [0u8; MKC_KMS_Z_BYTES];
    for (i, b) in z.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(151).wrapping_add(29);
    }
    z[0] &= 0x1f;
    z
}

fn untouched(buf: &[u8]) -> bool {
    buf.iter().all(|&b| b == CANARY)
}

fn zeroed(buf: &[u8]) -> bool {
    buf.iter().all(|&b| b == 0)
}

/// After a failure past the output checks (the header's rule 4) the output is zeroed over its
/// capacity and `*written` is 0; then the canaries are put back.
unsafe fn wiped_then_reset(out: *mut u8, cap: usize, written: &mut usize) {
    let buf = unsafe { std::slice::from_raw_parts_mut(out, cap) };
    assert!(zeroed(buf), "output not zeroed on failure");
    assert_eq!(*written, 0, "*written not 0 on failure");
    buf.fill(CANARY);
    *written = WRITTEN_SENTINEL;
}

/// Owns a handle and frees it on drop.
struct Owned<T> {
    ptr: *const T,
    free: unsafe extern "C" fn(*const T),
}

impl<T> Drop for Owned<T> {
    fn drop(&mut self) {
        unsafe { (self.free)(self.ptr) }
    }
}

fn new_kms(ksak: &[u8], z: &[u8]) -> Owned<mkc_kms> {
    let mut out = sentinel::<mkc_kms>();
    let rc = unsafe {
        mkc_kms_new_from_secrets(ksak.as_ptr(), ksak.len(), z.as_ptr(), z.len(), &mut out)
    };
    assert_eq!(rc, mkc_result::Ok);
    assert!(!out.is_null() && out != sentinel());
    Owned {
        ptr: out,
        free: mkc_kms_free,
    }
}

fn z_t_of(kms: *const mkc_kms) -> [u8; MKC_SAKKE_Z_T_BYTES] {
    let mut z_t = [0u8; MKC_SAKKE_Z_T_BYTES];
    let mut written = WRITTEN_SENTINEL;
    let rc = unsafe { mkc_kms_z_t(kms, z_t.as_mut_ptr(), z_t.len(), &mut written) };
    assert_eq!(rc, mkc_result::Ok);
    assert_eq!(written, MKC_SAKKE_Z_T_BYTES);
    z_t
}

fn issue(kms: *const mkc_kms, id: &[u8]) -> [u8; MKC_SAKKE_RSK_BYTES] {
    let mut rsk = [0u8; MKC_SAKKE_RSK_BYTES];
    let rc =
        unsafe { mkc_kms_issue_sakke(kms, id.as_ptr(), id.len(), rsk.as_mut_ptr(), rsk.len()) };
    assert_eq!(rc, mkc_result::Ok);
    rsk
}

fn new_public(z_t: &[u8]) -> Owned<mkc_sakke_public> {
    let mut out = sentinel::<mkc_sakke_public>();
    let rc = unsafe { mkc_sakke_public_new(z_t.as_ptr(), z_t.len(), &mut out) };
    assert_eq!(rc, mkc_result::Ok);
    assert!(!out.is_null() && out != sentinel());
    Owned {
        ptr: out,
        free: mkc_sakke_public_free,
    }
}

fn new_receiver(z_t: &[u8], id: &[u8], rsk: &[u8]) -> Owned<mkc_sakke_receiver> {
    let mut out = sentinel::<mkc_sakke_receiver>();
    let rc = unsafe {
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
    assert_eq!(rc, mkc_result::Ok);
    assert!(!out.is_null() && out != sentinel());
    Owned {
        ptr: out,
        free: mkc_sakke_receiver_free,
    }
}

fn encapsulate(
    public: *const mkc_sakke_public,
    id: &[u8],
    ssv: &[u8],
) -> [u8; MKC_SAKKE_SED_BYTES] {
    let mut sed = [0u8; MKC_SAKKE_SED_BYTES];
    let mut written = WRITTEN_SENTINEL;
    let rc = unsafe {
        mkc_sakke_encapsulate(
            public,
            id.as_ptr(),
            id.len(),
            ssv.as_ptr(),
            ssv.len(),
            sed.as_mut_ptr(),
            sed.len(),
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::Ok);
    assert_eq!(written, MKC_SAKKE_SED_BYTES);
    sed
}

/// Decapsulates into a canary buffer of `cap` octets (+ 8 spare); returns the result,
/// `*written` (pre-set to the sentinel) and the buffer.
fn decapsulate_into(
    receiver: *const mkc_sakke_receiver,
    sed: &[u8],
    cap: usize,
) -> (mkc_result, usize, Vec<u8>) {
    let mut out = vec![CANARY; cap + 8];
    let mut written = WRITTEN_SENTINEL;
    let rc = unsafe {
        mkc_sakke_decapsulate(
            receiver,
            sed.as_ptr(),
            sed.len(),
            out.as_mut_ptr(),
            cap,
            &mut written,
        )
    };
    (rc, written, out)
}

/// One KMS (through the C API), its Z_T, the RSK of `ID`, a public handle, a receiver and a SED
/// of `SSV` to `ID`. The handles live for the whole process; they are immutable and documented
/// as shareable between threads, so their addresses are kept as integers.
struct Shared {
    kms: usize,
    z_t: [u8; MKC_SAKKE_Z_T_BYTES],
    rsk: [u8; MKC_SAKKE_RSK_BYTES],
    public: usize,
    receiver: usize,
    sed: [u8; MKC_SAKKE_SED_BYTES],
}

impl Shared {
    fn kms(&self) -> *const mkc_kms {
        self.kms as *const mkc_kms
    }
    fn public(&self) -> *const mkc_sakke_public {
        self.public as *const mkc_sakke_public
    }
    fn receiver(&self) -> *const mkc_sakke_receiver {
        self.receiver as *const mkc_sakke_receiver
    }
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let kms = new_kms(&ksak(), &z());
    let z_t = z_t_of(kms.ptr);
    let rsk = issue(kms.ptr, ID);
    let public = new_public(&z_t);
    let receiver = new_receiver(&z_t, ID, &rsk);
    let sed = encapsulate(public.ptr, ID, &SSV);
    let shared = Shared {
        kms: kms.ptr as usize,
        z_t,
        rsk,
        public: public.ptr as usize,
        receiver: receiver.ptr as usize,
        sed,
    };
    // Kept alive for the whole process.
    std::mem::forget((kms, public, receiver));
    shared
});

// ---------------------------------------------------------------------------------------------
// Sizes, free, the RFC vector
// ---------------------------------------------------------------------------------------------

#[test]
fn size_functions_equal_their_constants() {
    assert_eq!(mkc_sakke_z_t_bytes(), MKC_SAKKE_Z_T_BYTES);
    assert_eq!(mkc_sakke_rsk_bytes(), MKC_SAKKE_RSK_BYTES);
    assert_eq!(mkc_sakke_ssv_bytes(), MKC_SAKKE_SSV_BYTES);
    assert_eq!(mkc_sakke_sed_bytes(), MKC_SAKKE_SED_BYTES);
    assert_eq!(mkc_kms_z_bytes(), MKC_KMS_Z_BYTES);
    assert_eq!(MKC_SAKKE_Z_T_BYTES, 257);
    assert_eq!(MKC_SAKKE_RSK_BYTES, 257);
    assert_eq!(MKC_SAKKE_SSV_BYTES, 16);
    assert_eq!(MKC_SAKKE_SED_BYTES, 273);
    assert_eq!(MKC_KMS_Z_BYTES, 128);
    assert_eq!(MKC_SAKKE_SED_BYTES, sakke::SED_BYTES);
    assert_eq!(MKC_SAKKE_SSV_BYTES, sakke::SSV_BYTES);
    assert_eq!(MKC_SAKKE_RSK_BYTES, sakke::POINT_BYTES);
    assert_eq!(mkc_result::InvalidLength as u32, 6);
    assert_eq!(mkc_result::DecapsulationFailed as u32, 102);
}

#[test]
fn free_accepts_null() {
    unsafe {
        mkc_sakke_public_free(null());
        mkc_sakke_receiver_free(null());
        mkc_kms_free(null());
    }
}

#[test]
fn rfc6508_vector_through_the_c_api() {
    let v: serde_json::Value =
        serde_json::from_str(include_str!("vectors/rfc6508-sakke.json")).unwrap();
    let bytes = |name: &str| hex::decode(v[name].as_str().unwrap()).unwrap();
    let mut z = [0u8; MKC_KMS_Z_BYTES];
    let z_raw = bytes("z");
    z[MKC_KMS_Z_BYTES - z_raw.len()..].copy_from_slice(&z_raw);
    let (id, ssv) = (bytes("id"), bytes("ssv"));

    let kms = new_kms(&ksak(), &z);
    assert_eq!(z_t_of(kms.ptr).to_vec(), bytes("z_point"), "Z_T");
    assert_eq!(issue(kms.ptr, &id).to_vec(), bytes("rsk"), "RSK");

    let public = new_public(&bytes("z_point"));
    let sed = encapsulate(public.ptr, &id, &ssv);
    assert_eq!(sed.to_vec(), bytes("encapsulated_data"), "SED");

    let receiver = new_receiver(&bytes("z_point"), &id, &bytes("rsk"));
    let (rc, written, out) = decapsulate_into(receiver.ptr, &sed, 16);
    assert_eq!(rc, mkc_result::Ok);
    assert_eq!(written, 16);
    assert_eq!(out[..16], ssv[..]);
    assert!(untouched(&out[16..]));
}

// ---------------------------------------------------------------------------------------------
// mkc_sakke_public_new
// ---------------------------------------------------------------------------------------------

#[test]
fn public_new_null_and_out_pointer() {
    let s = &*SHARED;
    unsafe {
        let rc = mkc_sakke_public_new(s.z_t.as_ptr(), s.z_t.len(), null_mut());
        assert_eq!(rc, mkc_result::NullParameter, "NULL out");

        let mut out = sentinel::<mkc_sakke_public>();
        let rc = mkc_sakke_public_new(null(), MKC_SAKKE_Z_T_BYTES, &mut out);
        assert_eq!(rc, mkc_result::NullParameter, "NULL z_t");
        assert_eq!(out, sentinel(), "out changed on failure");

        // (NULL, 0) is the empty input: an invalid key, not a NULL parameter.
        let rc = mkc_sakke_public_new(null(), 0, &mut out);
        assert_eq!(rc, mkc_result::InvalidKey, "(NULL, 0) Z_T");
        assert_eq!(out, sentinel());

        for len in [HUGE, usize::MAX] {
            let rc = mkc_sakke_public_new(dangling_in(), len, &mut out);
            assert_eq!(rc, mkc_result::InvalidParameter, "huge z_t_len");
            assert_eq!(out, sentinel());
        }
    }
    let mut bad = Vec::new();
    bad.push(s.z_t[..256].to_vec());
    bad.push([&s.z_t[..], &[0][..]].concat());
    let mut compressed_prefix = s.z_t;
    compressed_prefix[0] = 0x02;
    bad.push(compressed_prefix.to_vec());
    bad.push(
        s.z_t[..129]
            .iter()
            .enumerate()
            .map(|(i, &b)| if i == 0 { 0x03 } else { b })
            .collect(),
    );
    let mut origin = [0u8; MKC_SAKKE_Z_T_BYTES];
    origin[0] = 0x04;
    bad.push(origin.to_vec());
    let mut off_curve = s.z_t;
    off_curve[256] ^= 1;
    bad.push(off_curve.to_vec());
    for (i, z_t) in bad.iter().enumerate() {
        let mut out = sentinel::<mkc_sakke_public>();
        let rc = unsafe { mkc_sakke_public_new(z_t.as_ptr(), z_t.len(), &mut out) };
        assert_eq!(rc, mkc_result::InvalidKey, "bad Z_T #{i}");
        assert_eq!(out, sentinel(), "bad Z_T #{i}: out changed");
    }
}

// ---------------------------------------------------------------------------------------------
// mkc_sakke_receiver_new
// ---------------------------------------------------------------------------------------------

#[test]
fn receiver_new_null_and_out_pointer() {
    let s = &*SHARED;
    let (z, zl, i, il, r, rl) = (
        s.z_t.as_ptr(),
        s.z_t.len(),
        ID.as_ptr(),
        ID.len(),
        s.rsk.as_ptr(),
        s.rsk.len(),
    );
    unsafe {
        let rc = mkc_sakke_receiver_new(z, zl, i, il, r, rl, null_mut());
        assert_eq!(rc, mkc_result::NullParameter, "NULL out");

        let mut out = sentinel::<mkc_sakke_receiver>();
        let rc = mkc_sakke_receiver_new(null(), zl, i, il, r, rl, &mut out);
        assert_eq!(rc, mkc_result::NullParameter, "NULL z_t");
        let rc = mkc_sakke_receiver_new(z, zl, null(), il, r, rl, &mut out);
        assert_eq!(rc, mkc_result::NullParameter, "NULL id");
        let rc = mkc_sakke_receiver_new(z, zl, i, il, null(), rl, &mut out);
        assert_eq!(rc, mkc_result::NullParameter, "NULL rsk");
        assert_eq!(out, sentinel(), "out changed on failure");

        for len in [HUGE, usize::MAX] {
            let rc = mkc_sakke_receiver_new(dangling_in(), len, i, il, r, rl, &mut out);
            assert_eq!(rc, mkc_result::InvalidParameter, "huge z_t_len");
            let rc = mkc_sakke_receiver_new(z, zl, dangling_in(), len, r, rl, &mut out);
            assert_eq!(rc, mkc_result::InvalidParameter, "huge id_len");
            let rc = mkc_sakke_receiver_new(z, zl, i, il, dangling_in(), len, &mut out);
            assert_eq!(rc, mkc_result::InvalidParameter, "huge rsk_len");
        }
        assert_eq!(out, sentinel());

        // (NULL, 0) Z_T or RSK: empty inputs, hence invalid keys.
        let rc = mkc_sakke_receiver_new(null(), 0, i, il, r, rl, &mut out);
        assert_eq!(rc, mkc_result::InvalidKey, "(NULL, 0) Z_T");
        let rc = mkc_sakke_receiver_new(z, zl, i, il, null(), 0, &mut out);
        assert_eq!(rc, mkc_result::InvalidKey, "(NULL, 0) RSK");
        assert_eq!(out, sentinel());

        // Validation failures: the RSK of another identity, a flipped bit.
        let rc = mkc_sakke_receiver_new(z, zl, i, il - 1, r, rl, &mut out);
        assert_eq!(rc, mkc_result::InvalidKey, "another identifier");
        let mut flipped = s.rsk;
        flipped[200] ^= 0x10;
        let rc = mkc_sakke_receiver_new(z, zl, i, il, flipped.as_ptr(), rl, &mut out);
        assert_eq!(rc, mkc_result::InvalidKey, "flipped RSK");
        assert_eq!(out, sentinel(), "out changed on failure");
    }
}

/// (NULL, 0) is the empty identifier, a valid one.
#[test]
fn receiver_for_the_empty_identifier_may_pass_null() {
    let s = &*SHARED;
    let rsk = issue(s.kms(), b"");
    let mut out = sentinel::<mkc_sakke_receiver>();
    let rc = unsafe {
        mkc_sakke_receiver_new(
            s.z_t.as_ptr(),
            s.z_t.len(),
            null(),
            0,
            rsk.as_ptr(),
            rsk.len(),
            &mut out,
        )
    };
    assert_eq!(rc, mkc_result::Ok);
    assert!(!out.is_null() && out != sentinel());
    let receiver = Owned {
        ptr: out,
        free: mkc_sakke_receiver_free,
    };
    // Encapsulate to (NULL, 0) as well; it equals the Rust API's SED for b"".
    let mut sed = [0u8; MKC_SAKKE_SED_BYTES];
    let mut written = WRITTEN_SENTINEL;
    let rc = unsafe {
        mkc_sakke_encapsulate(
            s.public(),
            null(),
            0,
            SSV.as_ptr(),
            SSV.len(),
            sed.as_mut_ptr(),
            sed.len(),
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::Ok);
    assert_eq!(written, MKC_SAKKE_SED_BYTES);
    let rust = SakkePublic::new(&s.z_t)
        .ok()
        .unwrap()
        .encapsulate(b"", &SSV)
        .ok()
        .unwrap();
    assert_eq!(sed, rust);
    // A dangling pointer with length 0 is the empty identifier too.
    let mut again = [0u8; MKC_SAKKE_SED_BYTES];
    let rc = unsafe {
        mkc_sakke_encapsulate(
            s.public(),
            dangling_in(),
            0,
            SSV.as_ptr(),
            SSV.len(),
            again.as_mut_ptr(),
            again.len(),
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::Ok);
    assert_eq!(again, sed);
    let (rc, written, out) = decapsulate_into(receiver.ptr, &sed, 16);
    assert_eq!((rc, written), (mkc_result::Ok, 16));
    assert_eq!(out[..16], SSV);
}

// ---------------------------------------------------------------------------------------------
// mkc_sakke_encapsulate
// ---------------------------------------------------------------------------------------------

#[test]
fn encapsulate_null_parameters() {
    let s = &*SHARED;
    let mut sed = [CANARY; MKC_SAKKE_SED_BYTES + 8];
    let mut written = WRITTEN_SENTINEL;
    let (p, i, il, v, vl) = (s.public(), ID.as_ptr(), ID.len(), SSV.as_ptr(), SSV.len());
    let (o, ol) = (sed.as_mut_ptr(), MKC_SAKKE_SED_BYTES);
    unsafe {
        let rc = mkc_sakke_encapsulate(null(), i, il, v, vl, o, ol, &mut written);
        assert_eq!(rc, mkc_result::NullParameter, "NULL public");
        wiped_then_reset(o, ol, &mut written);
        let rc = mkc_sakke_encapsulate(p, null(), il, v, vl, o, ol, &mut written);
        assert_eq!(rc, mkc_result::NullParameter, "NULL id");
        wiped_then_reset(o, ol, &mut written);
        let rc = mkc_sakke_encapsulate(p, i, il, null(), vl, o, ol, &mut written);
        assert_eq!(rc, mkc_result::NullParameter, "NULL ssv");
        wiped_then_reset(o, ol, &mut written);
        let rc = mkc_sakke_encapsulate(p, i, il, v, vl, null_mut(), ol, &mut written);
        assert_eq!(rc, mkc_result::NullParameter, "NULL sed_out");
        let rc = mkc_sakke_encapsulate(p, i, il, v, vl, o, ol, null_mut());
        assert_eq!(rc, mkc_result::NullParameter, "NULL written");
        for len in [HUGE, usize::MAX] {
            let rc = mkc_sakke_encapsulate(p, dangling_in(), len, v, vl, o, ol, &mut written);
            assert_eq!(rc, mkc_result::InvalidParameter, "huge id_len");
            let rc = mkc_sakke_encapsulate(p, i, il, dangling_in(), len, o, ol, &mut written);
            assert!(
                matches!(rc, mkc_result::InvalidParameter | mkc_result::InvalidLength),
                "huge ssv_len: {rc:?}"
            );
            let rc = mkc_sakke_encapsulate(p, i, il, v, vl, dangling_out(), len, &mut written);
            assert_eq!(rc, mkc_result::InvalidParameter, "huge sed_cap");
        }
    }
    assert!(untouched(&sed), "sed_out touched on failure");
    assert_eq!(
        written, WRITTEN_SENTINEL,
        "*written set on a NULL/invalid parameter"
    );
}

#[test]
fn encapsulate_rejects_ssv_of_wrong_length() {
    let s = &*SHARED;
    let long = [0x77u8; 64];
    for (ptr, len) in [
        (null(), 0usize),
        (long.as_ptr(), 0),
        (long.as_ptr(), 1),
        (long.as_ptr(), 15),
        (long.as_ptr(), 17),
        (long.as_ptr(), 32),
    ] {
        let mut sed = [CANARY; MKC_SAKKE_SED_BYTES + 8];
        let mut written = WRITTEN_SENTINEL;
        let rc = unsafe {
            mkc_sakke_encapsulate(
                s.public(),
                ID.as_ptr(),
                ID.len(),
                ptr,
                len,
                sed.as_mut_ptr(),
                sed.len(),
                &mut written,
            )
        };
        assert_eq!(rc, mkc_result::InvalidLength, "ssv_len {len}");
        assert!(
            zeroed(&sed[..MKC_SAKKE_SED_BYTES]),
            "ssv_len {len}: sed_out not zeroed"
        );
        assert_eq!(written, 0, "ssv_len {len}: *written is 0 on failure");
    }
}

#[test]
fn encapsulate_buffer_too_small_and_size_query() {
    let s = &*SHARED;
    // (NULL, 0): a size query.
    let mut written = WRITTEN_SENTINEL;
    let rc = unsafe {
        mkc_sakke_encapsulate(
            s.public(),
            ID.as_ptr(),
            ID.len(),
            SSV.as_ptr(),
            SSV.len(),
            null_mut(),
            0,
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::BufferTooSmall);
    assert_eq!(written, MKC_SAKKE_SED_BYTES);
    for cap in [0usize, 1, 16, 257, MKC_SAKKE_SED_BYTES - 1] {
        let mut sed = [CANARY; MKC_SAKKE_SED_BYTES + 8];
        let mut written = WRITTEN_SENTINEL;
        let rc = unsafe {
            mkc_sakke_encapsulate(
                s.public(),
                ID.as_ptr(),
                ID.len(),
                SSV.as_ptr(),
                SSV.len(),
                sed.as_mut_ptr(),
                cap,
                &mut written,
            )
        };
        assert_eq!(rc, mkc_result::BufferTooSmall, "cap {cap}");
        assert_eq!(written, MKC_SAKKE_SED_BYTES, "cap {cap}");
        assert!(untouched(&sed), "cap {cap}: sed_out touched");
    }
    // Exact and bigger buffers: exactly 273 octets written.
    for cap in [MKC_SAKKE_SED_BYTES, MKC_SAKKE_SED_BYTES + 1, 400] {
        let mut sed = vec![CANARY; cap + 8];
        let mut written = WRITTEN_SENTINEL;
        let rc = unsafe {
            mkc_sakke_encapsulate(
                s.public(),
                ID.as_ptr(),
                ID.len(),
                SSV.as_ptr(),
                SSV.len(),
                sed.as_mut_ptr(),
                cap,
                &mut written,
            )
        };
        assert_eq!(rc, mkc_result::Ok, "cap {cap}");
        assert_eq!(written, MKC_SAKKE_SED_BYTES, "cap {cap}");
        assert_eq!(
            sed[..MKC_SAKKE_SED_BYTES],
            s.sed[..],
            "cap {cap}: deterministic SED"
        );
        assert!(
            untouched(&sed[MKC_SAKKE_SED_BYTES..]),
            "cap {cap}: wrote past the SED"
        );
    }
}

#[test]
fn encapsulate_overlapping_buffers_are_refused() {
    let s = &*SHARED;
    // One arena of usize (so that `written` can live inside it, aligned), 800 octets on every
    // target (100 words on 64-bit, 200 on 32-bit).
    let mut arena = vec![0usize; 800 / size_of::<usize>()];
    let base = arena.as_mut_ptr().cast::<u8>();
    let arena_bytes = arena.len() * size_of::<usize>();
    let fill = |base: *mut u8| unsafe { std::ptr::write_bytes(base, CANARY, arena_bytes) };
    let snapshot =
        |base: *mut u8| unsafe { std::slice::from_raw_parts(base, arena_bytes).to_vec() };

    // sed_out overlapping the SSV (SSV at 0..16, sed_out from 8).
    fill(base);
    unsafe { ptr::copy_nonoverlapping(SSV.as_ptr(), base, 16) };
    let before = snapshot(base);
    let mut written = WRITTEN_SENTINEL;
    let rc = unsafe {
        mkc_sakke_encapsulate(
            s.public(),
            ID.as_ptr(),
            ID.len(),
            base,
            16,
            base.add(8),
            MKC_SAKKE_SED_BYTES,
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::InvalidParameter, "sed_out overlapping ssv");
    assert_eq!(snapshot(base), before, "arena changed");
    assert_eq!(written, WRITTEN_SENTINEL);

    // sed_out overlapping the identifier (id at 300.., sed_out 0..273 + 40 capacity).
    fill(base);
    unsafe { ptr::copy_nonoverlapping(ID.as_ptr(), base.add(300), ID.len()) };
    let before = snapshot(base);
    let rc = unsafe {
        mkc_sakke_encapsulate(
            s.public(),
            base.add(300),
            ID.len(),
            SSV.as_ptr(),
            SSV.len(),
            base,
            310,
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::InvalidParameter, "sed_out overlapping id");
    assert_eq!(snapshot(base), before, "arena changed");
    assert_eq!(written, WRITTEN_SENTINEL);

    // `written` inside sed_out.
    fill(base);
    let before = snapshot(base);
    let inner_written = unsafe { arena.as_mut_ptr().add(10) };
    let rc = unsafe {
        mkc_sakke_encapsulate(
            s.public(),
            ID.as_ptr(),
            ID.len(),
            SSV.as_ptr(),
            SSV.len(),
            base,
            MKC_SAKKE_SED_BYTES,
            inner_written,
        )
    };
    assert_eq!(rc, mkc_result::InvalidParameter, "written inside sed_out");
    assert_eq!(snapshot(base), before, "arena changed");

    // Adjacent but disjoint: fine.
    fill(base);
    unsafe { ptr::copy_nonoverlapping(SSV.as_ptr(), base, 16) };
    let rc = unsafe {
        mkc_sakke_encapsulate(
            s.public(),
            ID.as_ptr(),
            ID.len(),
            base,
            16,
            base.add(16),
            MKC_SAKKE_SED_BYTES,
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::Ok, "adjacent buffers");
    assert_eq!(written, MKC_SAKKE_SED_BYTES);
    let out = snapshot(base);
    assert_eq!(out[16..16 + MKC_SAKKE_SED_BYTES], s.sed[..]);
    assert!(untouched(&out[16 + MKC_SAKKE_SED_BYTES..]));
}

/// b = -z mod q: no RSK exists, and the sender refuses with INVALID_KEY.
#[test]
fn encapsulate_and_issue_refuse_b_equal_minus_z() {
    let q: Vec<u8> = {
        let params: serde_json::Value =
            serde_json::from_str(include_str!("vectors/rfc6509-params.json")).unwrap();
        hex::decode(params["sakke_parameter_set_1"]["q"].as_str().unwrap()).unwrap()
    };
    // z = q - 5 (q ends in 0xfb, so no borrow).
    let mut z = [0u8; MKC_KMS_Z_BYTES];
    z.copy_from_slice(&q);
    assert!(z[127] >= 5);
    z[127] -= 5;
    let kms = new_kms(&ksak(), &z);
    let z_t = z_t_of(kms.ptr);
    let public = new_public(&z_t);
    let id = [5u8];

    let mut sed = [CANARY; MKC_SAKKE_SED_BYTES + 8];
    let mut written = WRITTEN_SENTINEL;
    let rc = unsafe {
        mkc_sakke_encapsulate(
            public.ptr,
            id.as_ptr(),
            id.len(),
            SSV.as_ptr(),
            SSV.len(),
            sed.as_mut_ptr(),
            MKC_SAKKE_SED_BYTES,
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::InvalidKey);
    assert!(
        zeroed(&sed[..MKC_SAKKE_SED_BYTES]),
        "sed_out not zeroed on failure"
    );
    assert_eq!(written, 0, "*written is 0 on failure");

    // mkc_kms_issue_sakke: INVALID_KEY with the buffer zeroed.
    let mut rsk = [CANARY; MKC_SAKKE_RSK_BYTES];
    let rc =
        unsafe { mkc_kms_issue_sakke(kms.ptr, id.as_ptr(), id.len(), rsk.as_mut_ptr(), rsk.len()) };
    assert_eq!(rc, mkc_result::InvalidKey);
    assert!(rsk.iter().all(|&b| b == 0), "RSK buffer not zeroed");
    // ... over its whole capacity, and not beyond.
    let mut rsk = [CANARY; 308];
    let rc = unsafe { mkc_kms_issue_sakke(kms.ptr, id.as_ptr(), id.len(), rsk.as_mut_ptr(), 300) };
    assert_eq!(rc, mkc_result::InvalidKey);
    assert!(
        rsk[..300].iter().all(|&b| b == 0),
        "RSK buffer not zeroed over its capacity"
    );
    assert!(untouched(&rsk[300..]), "wrote past rsk_cap");
    // Too small still wins, touching nothing.
    let mut rsk = [CANARY; MKC_SAKKE_RSK_BYTES];
    let rc = unsafe { mkc_kms_issue_sakke(kms.ptr, id.as_ptr(), id.len(), rsk.as_mut_ptr(), 256) };
    assert_eq!(rc, mkc_result::BufferTooSmall);
    assert!(untouched(&rsk));

    // No receiver for b = 5 either, whatever the RSK.
    let rsk4 = issue(kms.ptr, &[4]);
    let mut out = sentinel::<mkc_sakke_receiver>();
    let rc = unsafe {
        mkc_sakke_receiver_new(
            z_t.as_ptr(),
            z_t.len(),
            id.as_ptr(),
            1,
            rsk4.as_ptr(),
            rsk4.len(),
            &mut out,
        )
    };
    assert_eq!(rc, mkc_result::InvalidKey);
    assert_eq!(out, sentinel());
}

// ---------------------------------------------------------------------------------------------
// mkc_sakke_decapsulate
// ---------------------------------------------------------------------------------------------

#[test]
fn decapsulate_null_parameters() {
    let s = &*SHARED;
    let mut out = [CANARY; 24];
    let mut written = WRITTEN_SENTINEL;
    let (r, e, el, o, ol) = (
        s.receiver(),
        s.sed.as_ptr(),
        s.sed.len(),
        out.as_mut_ptr(),
        16,
    );
    unsafe {
        let rc = mkc_sakke_decapsulate(null(), e, el, o, ol, &mut written);
        assert_eq!(rc, mkc_result::NullParameter, "NULL receiver");
        wiped_then_reset(o, ol, &mut written);
        let rc = mkc_sakke_decapsulate(r, null(), el, o, ol, &mut written);
        assert_eq!(rc, mkc_result::NullParameter, "NULL sed");
        wiped_then_reset(o, ol, &mut written);
        let rc = mkc_sakke_decapsulate(r, e, el, null_mut(), ol, &mut written);
        assert_eq!(rc, mkc_result::NullParameter, "NULL ssv_out");
        let rc = mkc_sakke_decapsulate(r, e, el, o, ol, null_mut());
        assert_eq!(rc, mkc_result::NullParameter, "NULL written");
        for len in [HUGE, usize::MAX] {
            let rc = mkc_sakke_decapsulate(r, dangling_in(), len, o, ol, &mut written);
            assert_eq!(rc, mkc_result::InvalidParameter, "huge sed_len");
            let rc = mkc_sakke_decapsulate(r, e, el, dangling_out(), len, &mut written);
            assert_eq!(rc, mkc_result::InvalidParameter, "huge ssv_cap");
        }
    }
    assert!(untouched(&out), "ssv_out touched on failure");
    assert_eq!(
        written, WRITTEN_SENTINEL,
        "*written set on a NULL/invalid parameter"
    );
}

#[test]
fn decapsulate_buffer_too_small_and_size_query() {
    let s = &*SHARED;
    let mut written = WRITTEN_SENTINEL;
    let rc = unsafe {
        mkc_sakke_decapsulate(
            s.receiver(),
            s.sed.as_ptr(),
            s.sed.len(),
            null_mut(),
            0,
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::BufferTooSmall, "size query");
    assert_eq!(written, MKC_SAKKE_SSV_BYTES);
    for cap in [0usize, 1, 8, MKC_SAKKE_SSV_BYTES - 1] {
        let (rc, written, out) = decapsulate_into(s.receiver(), &s.sed, cap);
        assert_eq!(rc, mkc_result::BufferTooSmall, "cap {cap}");
        assert_eq!(written, MKC_SAKKE_SSV_BYTES, "cap {cap}");
        assert!(untouched(&out), "cap {cap}: ssv_out touched");
    }
    for cap in [MKC_SAKKE_SSV_BYTES, MKC_SAKKE_SSV_BYTES + 1, 64] {
        let (rc, written, out) = decapsulate_into(s.receiver(), &s.sed, cap);
        assert_eq!(rc, mkc_result::Ok, "cap {cap}");
        assert_eq!(written, MKC_SAKKE_SSV_BYTES, "cap {cap}");
        assert_eq!(out[..16], SSV, "cap {cap}");
        assert!(untouched(&out[16..]), "cap {cap}: wrote past the SSV");
    }
}

#[test]
fn decapsulate_failures_zero_the_output_and_written() {
    let s = &*SHARED;
    let sed = &s.sed[..];
    let flip = |i: usize, mask: u8| {
        let mut bad = s.sed.to_vec();
        bad[i] ^= mask;
        bad
    };
    let mut origin = s.sed.to_vec();
    origin[1..MKC_SAKKE_Z_T_BYTES].fill(0);
    let mut compressed = s.sed.to_vec();
    compressed[0] = 0x02;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("truncated (272)", sed[..272].to_vec()),
        ("extended (274)", [sed, &[0][..]].concat()),
        ("R only", sed[..257].to_vec()),
        ("H bit 0 flipped", flip(257, 0x01)),
        ("H last bit flipped", flip(272, 0x80)),
        ("R bit flipped", flip(100, 0x04)),
        ("R = (0, 0)", origin),
        ("prefix 0x02", compressed),
    ];
    for (name, bad) in cases {
        let (rc, written, out) = decapsulate_into(s.receiver(), &bad, 16);
        assert_eq!(rc, mkc_result::DecapsulationFailed, "{name}");
        assert_eq!(written, 0, "{name}: *written");
        assert!(zeroed(&out[..16]), "{name}: ssv_out not zeroed");
    }
    // (NULL, 0) is an empty SED: a decapsulation failure, not a NULL parameter.
    let mut out = [CANARY; 24];
    let mut written = WRITTEN_SENTINEL;
    let rc = unsafe {
        mkc_sakke_decapsulate(s.receiver(), null(), 0, out.as_mut_ptr(), 16, &mut written)
    };
    assert_eq!(rc, mkc_result::DecapsulationFailed, "(NULL, 0) SED");
    assert_eq!(written, 0);
    assert!(zeroed(&out[..16]) && untouched(&out[16..]));
    // A SED of another identity under the same Z_T.
    let other = encapsulate(s.public(), b"2024-05\0tel:+15559999999\0", &SSV);
    let (rc, written, out) = decapsulate_into(s.receiver(), &other, 16);
    assert_eq!(
        (rc, written),
        (mkc_result::DecapsulationFailed, 0),
        "other identity"
    );
    assert!(zeroed(&out[..16]));
}

#[test]
fn decapsulate_overlapping_buffers_are_refused() {
    let s = &*SHARED;
    // 480 octets on every target: the SED (273) and an SSV after it fit. Counting usize words
    // instead made it 240 octets on 32-bit targets, and the SED copy overran it (armv7).
    let mut arena = vec![0usize; 480 / size_of::<usize>()];
    let base = arena.as_mut_ptr().cast::<u8>();
    let arena_bytes = arena.len() * size_of::<usize>();
    let snapshot =
        |base: *mut u8| unsafe { std::slice::from_raw_parts(base, arena_bytes).to_vec() };
    unsafe {
        std::ptr::write_bytes(base, CANARY, arena_bytes);
        ptr::copy_nonoverlapping(s.sed.as_ptr(), base, MKC_SAKKE_SED_BYTES);
    }
    let mut written = WRITTEN_SENTINEL;
    for (name, at) in [
        ("inside the SED", 100usize),
        ("over its end", 265),
        ("at its start", 0),
    ] {
        let before = snapshot(base);
        let rc = unsafe {
            mkc_sakke_decapsulate(
                s.receiver(),
                base,
                MKC_SAKKE_SED_BYTES,
                base.add(at),
                MKC_SAKKE_SSV_BYTES,
                &mut written,
            )
        };
        assert_eq!(rc, mkc_result::InvalidParameter, "ssv_out {name}");
        assert_eq!(snapshot(base), before, "{name}: arena changed");
        assert_eq!(written, WRITTEN_SENTINEL, "{name}: *written changed");
    }
    // `written` inside ssv_out.
    let before = snapshot(base);
    let inner_written = unsafe { arena.as_mut_ptr().add(40) };
    let rc = unsafe {
        mkc_sakke_decapsulate(
            s.receiver(),
            s.sed.as_ptr(),
            s.sed.len(),
            base.add(40 * size_of::<usize>() - 8),
            MKC_SAKKE_SSV_BYTES,
            inner_written,
        )
    };
    assert_eq!(rc, mkc_result::InvalidParameter, "written inside ssv_out");
    assert_eq!(snapshot(base), before, "arena changed");
    // Right after the SED: fine.
    let rc = unsafe {
        mkc_sakke_decapsulate(
            s.receiver(),
            base,
            MKC_SAKKE_SED_BYTES,
            base.add(MKC_SAKKE_SED_BYTES),
            MKC_SAKKE_SSV_BYTES,
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::Ok, "adjacent buffers");
    assert_eq!(written, MKC_SAKKE_SSV_BYTES);
    let out = snapshot(base);
    assert_eq!(out[MKC_SAKKE_SED_BYTES..MKC_SAKKE_SED_BYTES + 16], SSV);
}

// ---------------------------------------------------------------------------------------------
// mkc_kms_z_t and mkc_kms_issue_sakke
// ---------------------------------------------------------------------------------------------

/// z out of [2, q-1] or of the wrong length: INVALID_KEY, `*out` unchanged.
#[test]
fn kms_new_from_secrets_checks_z() {
    let params: serde_json::Value =
        serde_json::from_str(include_str!("vectors/rfc6509-params.json")).unwrap();
    let q = hex::decode(params["sakke_parameter_set_1"]["q"].as_str().unwrap()).unwrap();
    let small = |k: u8| {
        let mut z = vec![0u8; MKC_KMS_Z_BYTES];
        z[MKC_KMS_Z_BYTES - 1] = k;
        z
    };
    let mut q_plus_1 = q.clone();
    q_plus_1[127] += 1;
    let k = ksak();
    for (name, z) in [
        ("0", small(0)),
        ("1", small(1)),
        ("q", q.clone()),
        ("q + 1", q_plus_1),
        ("all FF", vec![0xff; 128]),
        ("127 octets", small(2)[1..].to_vec()),
        ("129 octets", [&[0][..], &small(2)].concat()),
        ("empty", vec![]),
    ] {
        let mut out = sentinel::<mkc_kms>();
        let rc =
            unsafe { mkc_kms_new_from_secrets(k.as_ptr(), k.len(), z.as_ptr(), z.len(), &mut out) };
        assert_eq!(rc, mkc_result::InvalidKey, "z = {name}");
        assert_eq!(out, sentinel(), "z = {name}: out changed");
    }
    let mut out = sentinel::<mkc_kms>();
    let rc = unsafe { mkc_kms_new_from_secrets(k.as_ptr(), k.len(), null(), 0, &mut out) };
    assert_eq!(rc, mkc_result::InvalidKey, "(NULL, 0) z");
    assert_eq!(out, sentinel());
    let rc = unsafe { mkc_kms_new_from_secrets(k.as_ptr(), k.len(), null(), 128, &mut out) };
    assert_eq!(rc, mkc_result::NullParameter, "NULL z");
    assert_eq!(out, sentinel());
    // The ends of the range are accepted.
    let mut q_minus_1 = q.clone();
    q_minus_1[127] -= 1;
    drop(new_kms(&k, &small(2)));
    drop(new_kms(&k, &q_minus_1));
}

#[test]
fn kms_z_t_contract() {
    let s = &*SHARED;
    let expected = Kms::from_secrets(&ksak(), &z()).ok().unwrap().z_t();
    assert_eq!(s.z_t, expected);
    let mut buf = [CANARY; 300];
    let mut written = WRITTEN_SENTINEL;
    unsafe {
        let rc = mkc_kms_z_t(null(), buf.as_mut_ptr(), buf.len(), &mut written);
        assert_eq!(rc, mkc_result::NullParameter, "NULL kms");
        wiped_then_reset(buf.as_mut_ptr(), buf.len(), &mut written);
        let rc = mkc_kms_z_t(s.kms(), null_mut(), buf.len(), &mut written);
        assert_eq!(rc, mkc_result::NullParameter, "NULL out");
        let rc = mkc_kms_z_t(s.kms(), buf.as_mut_ptr(), buf.len(), null_mut());
        assert_eq!(rc, mkc_result::NullParameter, "NULL written");
        for cap in [HUGE, usize::MAX] {
            let rc = mkc_kms_z_t(s.kms(), dangling_out(), cap, &mut written);
            assert_eq!(rc, mkc_result::InvalidParameter, "huge out_cap");
        }
    }
    assert!(untouched(&buf), "buffer touched on failure");
    assert_eq!(written, WRITTEN_SENTINEL);

    let rc = unsafe { mkc_kms_z_t(s.kms(), null_mut(), 0, &mut written) };
    assert_eq!(rc, mkc_result::BufferTooSmall, "size query");
    assert_eq!(written, MKC_SAKKE_Z_T_BYTES);
    for cap in [0usize, 1, 128, MKC_SAKKE_Z_T_BYTES - 1] {
        let mut buf = [CANARY; 300];
        let mut written = WRITTEN_SENTINEL;
        let rc = unsafe { mkc_kms_z_t(s.kms(), buf.as_mut_ptr(), cap, &mut written) };
        assert_eq!(rc, mkc_result::BufferTooSmall, "cap {cap}");
        assert_eq!(written, MKC_SAKKE_Z_T_BYTES, "cap {cap}");
        assert!(untouched(&buf), "cap {cap}: touched");
    }
    for cap in [MKC_SAKKE_Z_T_BYTES, MKC_SAKKE_Z_T_BYTES + 1, 290] {
        let mut buf = [CANARY; 300];
        let mut written = WRITTEN_SENTINEL;
        let rc = unsafe { mkc_kms_z_t(s.kms(), buf.as_mut_ptr(), cap, &mut written) };
        assert_eq!(rc, mkc_result::Ok, "cap {cap}");
        assert_eq!(written, MKC_SAKKE_Z_T_BYTES, "cap {cap}");
        assert_eq!(buf[..MKC_SAKKE_Z_T_BYTES], expected[..], "cap {cap}");
        assert!(
            untouched(&buf[MKC_SAKKE_Z_T_BYTES..]),
            "cap {cap}: wrote past Z_T"
        );
    }
    // `written` inside the output buffer.
    // 320 octets on every target, more than Z_T's size (the buffer claimed must exist).
    let mut arena = vec![0usize; 320 / size_of::<usize>()];
    let arena_bytes = arena.len() * size_of::<usize>();
    let base = arena.as_mut_ptr().cast::<u8>();
    unsafe { std::ptr::write_bytes(base, CANARY, arena_bytes) };
    let rc = unsafe {
        mkc_kms_z_t(
            s.kms(),
            base,
            MKC_SAKKE_Z_T_BYTES,
            arena.as_mut_ptr().add(4),
        )
    };
    assert_eq!(rc, mkc_result::InvalidParameter, "written inside out");
    let bytes = unsafe { std::slice::from_raw_parts(base, arena_bytes) };
    assert!(untouched(bytes));
}

#[test]
fn kms_issue_sakke_contract() {
    let s = &*SHARED;
    let rust_kms = Kms::from_secrets(&ksak(), &z()).ok().unwrap();
    let expected = rust_kms.issue_sakke(ID).ok().unwrap();
    assert_eq!(s.rsk[..], expected[..]);
    let mut rsk = [CANARY; 300];
    let (k, i, il, o) = (s.kms(), ID.as_ptr(), ID.len(), rsk.as_mut_ptr());
    unsafe {
        let rc = mkc_kms_issue_sakke(null(), i, il, o, MKC_SAKKE_RSK_BYTES);
        assert_eq!(rc, mkc_result::NullParameter, "NULL kms");
        let rc = mkc_kms_issue_sakke(k, null(), il, o, MKC_SAKKE_RSK_BYTES);
        assert_eq!(rc, mkc_result::NullParameter, "NULL id");
        // Both failed after the output's checks: zeroed (the header's rule 4).
        assert!(zeroed(&rsk[..MKC_SAKKE_RSK_BYTES]) && untouched(&rsk[MKC_SAKKE_RSK_BYTES..]));
        rsk[..MKC_SAKKE_RSK_BYTES].fill(CANARY);
        let rc = mkc_kms_issue_sakke(k, i, il, null_mut(), MKC_SAKKE_RSK_BYTES);
        assert_eq!(rc, mkc_result::NullParameter, "NULL rsk_out");
        for len in [HUGE, usize::MAX] {
            let rc = mkc_kms_issue_sakke(k, dangling_in(), len, o, MKC_SAKKE_RSK_BYTES);
            assert_eq!(rc, mkc_result::InvalidParameter, "huge id_len");
            let rc = mkc_kms_issue_sakke(k, i, il, dangling_out(), len);
            assert_eq!(rc, mkc_result::InvalidParameter, "huge rsk_cap");
        }
    }
    assert!(untouched(&rsk), "rsk_out touched on failure");

    // Too small: 256 (and the (NULL, 0) query) touch nothing.
    let rc = unsafe { mkc_kms_issue_sakke(k, i, il, null_mut(), 0) };
    assert_eq!(rc, mkc_result::BufferTooSmall, "(NULL, 0)");
    for cap in [0usize, 1, 256] {
        let mut rsk = [CANARY; 300];
        let rc = unsafe { mkc_kms_issue_sakke(k, i, il, rsk.as_mut_ptr(), cap) };
        assert_eq!(rc, mkc_result::BufferTooSmall, "cap {cap}");
        assert!(untouched(&rsk), "cap {cap}: touched");
    }
    // Exact and bigger: exactly 257 octets written.
    for cap in [MKC_SAKKE_RSK_BYTES, MKC_SAKKE_RSK_BYTES + 1, 290] {
        let mut rsk = [CANARY; 300];
        let rc = unsafe { mkc_kms_issue_sakke(k, i, il, rsk.as_mut_ptr(), cap) };
        assert_eq!(rc, mkc_result::Ok, "cap {cap}");
        assert_eq!(rsk[..MKC_SAKKE_RSK_BYTES], expected[..], "cap {cap}");
        assert!(
            untouched(&rsk[MKC_SAKKE_RSK_BYTES..]),
            "cap {cap}: wrote past the RSK"
        );
    }
    // (NULL, 0) identifier: the empty identifier.
    let mut rsk = [CANARY; MKC_SAKKE_RSK_BYTES];
    let rc = unsafe { mkc_kms_issue_sakke(k, null(), 0, rsk.as_mut_ptr(), rsk.len()) };
    assert_eq!(rc, mkc_result::Ok, "(NULL, 0) id");
    assert_eq!(rsk[..], rust_kms.issue_sakke(b"").ok().unwrap()[..]);
    // rsk_out overlapping the identifier.
    let mut arena = [CANARY; 400];
    arena[..ID.len()].copy_from_slice(ID);
    let before = arena;
    let base = arena.as_mut_ptr();
    let rc = unsafe { mkc_kms_issue_sakke(k, base, ID.len(), base.add(10), MKC_SAKKE_RSK_BYTES) };
    assert_eq!(rc, mkc_result::InvalidParameter, "rsk_out overlapping id");
    assert_eq!(arena, before, "arena changed");
}

// ---------------------------------------------------------------------------------------------
// Threads
// ---------------------------------------------------------------------------------------------

/// A fresh receiver (whose decapsulation table is built on first use) and a public handle,
/// used from 3 threads at once.
#[test]
fn handles_are_usable_from_several_threads() {
    let s = &*SHARED;
    let receiver = new_receiver(&s.z_t, ID, &s.rsk);
    let public = new_public(&s.z_t);
    let (public_addr, receiver_addr) = (public.ptr as usize, receiver.ptr as usize);
    let barrier = Barrier::new(3);
    std::thread::scope(|scope| {
        for t in 0..3u8 {
            let barrier = &barrier;
            scope.spawn(move || {
                let public = public_addr as *const mkc_sakke_public;
                let receiver = receiver_addr as *const mkc_sakke_receiver;
                // Start together, before anything that may fail (no deadlock on failure).
                barrier.wait();
                for i in 0..2u8 {
                    let ssv = [t.wrapping_mul(16).wrapping_add(i); 16];
                    let sed = encapsulate(public, ID, &ssv);
                    let (rc, written, out) = decapsulate_into(receiver, &sed, 16);
                    assert_eq!(rc, mkc_result::Ok, "thread {t} round {i}");
                    assert_eq!(written, 16);
                    assert_eq!(out[..16], ssv, "thread {t} round {i}");
                    // A failure in one thread does not disturb the others.
                    let mut bad = sed;
                    bad[272] ^= 1;
                    let (rc, written, _) = decapsulate_into(receiver, &bad, 16);
                    assert_eq!((rc, written), (mkc_result::DecapsulationFailed, 0));
                }
            });
        }
    });
}
