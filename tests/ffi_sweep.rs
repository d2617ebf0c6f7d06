//! The output contract of the header's preamble, checked on every exported function.
//!
//! The list of exports is read from include/mcptt_kmc.h, and each must have an entry in
//! `sweeps()`: a new export without one fails `every_export_is_swept`. Each entry drives its
//! function through the rule:
//! 1. a NULL output, a `written` or an input overlapping the output: NULL_PARAMETER or
//!    INVALID_PARAMETER, and nothing written at all;
//! 2. success: the result whole at the start, `*written` its length, the rest untouched;
//! 3. a buffer one octet too small (and the size query with `(NULL, 0)`): BUFFER_TOO_SMALL,
//!    the buffer untouched, `*written` the size needed;
//! 4. a failing input (a NULL handle or input): the whole buffer zeroed, `*written` 0,
//!    out-values zeroed; a constructor's handle out-pointer is left as it was.

use std::collections::BTreeSet;
use std::ptr::{null, null_mut};

use mcptt_kmc::ffi::client::*;
use mcptt_kmc::ffi::eccsi::*;
use mcptt_kmc::ffi::kms::*;
use mcptt_kmc::ffi::krr::*;
use mcptt_kmc::ffi::mikey::*;
use mcptt_kmc::ffi::random::*;
use mcptt_kmc::ffi::result::*;
use mcptt_kmc::ffi::sakke::*;
use mcptt_kmc::ffi::srtp::*;
use mcptt_kmc::ffi::uid::*;
use mcptt_kmc::ffi::version::*;
use mcptt_kmc::kms::Kms;
use mcptt_kmc::kms::issue::KmsDomain;
use mcptt_kmc::kms::message::{KmsPayload, KmsResponse};
use mcptt_kmc::kms::xml;

const ALICE: &str = "sip:alice@example.org";
const KMS_URI: &str = "kms.example.org";
const PERIOD: u64 = 2_592_000;
const NOW: u64 = 1_800_000_000;
const CANARY: u8 = 0xA5;
const SENTINEL: usize = 0xDEAD_BEEF;
/// Room for any output of the library in one buffer.
const ROOM: usize = 16 * 1024;

fn s(text: &str) -> mkc_str {
    mkc_str {
        ptr: text.as_ptr(),
        len: text.len(),
    }
}

/// One call of a buffer export: its output `(out, cap)`, `written` (ignored by exports
/// without one), `fail` (replace a handle or required input with NULL) and `alias` (pass this
/// pointer as an input buffer of non-zero length instead of its own).
#[derive(Clone, Copy)]
struct Args {
    out: *mut u8,
    cap: usize,
    written: *mut usize,
    fail: bool,
    alias: Option<*const u8>,
}

/// One call of an out-value export: `out` is the value's address.
#[derive(Clone, Copy)]
struct ValArgs {
    out: *mut u8,
    fail: bool,
    alias: Option<*const u8>,
}

enum Sweep<'a> {
    /// Output buffer `(out, cap)`, with `*written` when `written`; `fixed` is the size of an
    /// export without `written` (None: it has one). `can_fail`: a handle or input can be
    /// NULL. `aliasable`: it has an input buffer.
    Buffer {
        call: Box<dyn Fn(Args) -> mkc_result + 'a>,
        written: bool,
        fixed: Option<usize>,
        can_fail: bool,
        aliasable: bool,
    },
    /// An out-value of `size` octets; `optional`: NULL is accepted; `can_fail`: it has an
    /// input or handle to fail.
    Value {
        call: Box<dyn Fn(ValArgs) -> mkc_result + 'a>,
        size: usize,
        optional: bool,
        can_fail: bool,
        aliasable: bool,
    },
    /// A constructor: `call(out, fail)` with a handle out-pointer.
    Constructor(Box<dyn Fn(*mut *const u8, bool) -> mkc_result + 'a>),
    /// No output: `call(fail)` must give NULL_PARAMETER (or the named failure) for `fail`.
    NoOutput(Box<dyn Fn(bool) -> mkc_result + 'a>),
    /// Sizes, versions, `_free`, `mkc_result_str`: no pointer argument to sweep, or only a
    /// handle that NULL is accepted for; `call` runs it (with NULL where it takes a pointer).
    Infallible(Box<dyn Fn() + 'a>),
}

/// Exports whose capacity is the length asked for: any capacity in range is filled, so
/// there is no too-small buffer. Each with the largest capacity it takes.
const FILLS: [(&str, usize); 2] = [("mkc_random", ROOM), ("mkc_mikey_derive_key", 1024)];

fn check_buffer(
    name: &str,
    call: &dyn Fn(Args) -> mkc_result,
    written_arg: bool,
    fixed: Option<usize>,
    can_fail: bool,
    aliasable: bool,
) {
    let args = |buf: &mut Vec<u8>, cap: usize, written: &mut usize| Args {
        out: buf.as_mut_ptr(),
        cap,
        written,
        fail: false,
        alias: None,
    };
    let fill = FILLS.iter().find(|(n, _)| *n == name).map(|(_, cap)| *cap);
    let room = fill.unwrap_or(ROOM);
    // Step 2: success.
    let mut buf = vec![CANARY; ROOM];
    let mut written = SENTINEL;
    let rc = call(args(&mut buf, room, &mut written));
    assert_eq!(rc, mkc_result::Ok, "{name}: success");
    let size = match fixed {
        Some(_) if fill.is_some() => room,
        Some(size) => size,
        None => written,
    };
    assert!(size > 0 && size <= ROOM, "{name}: size {size}");
    if written_arg {
        assert_eq!(written, size, "{name}: *written");
    }
    assert!(
        buf[size..].iter().all(|&b| b == CANARY),
        "{name}: wrote past the result"
    );

    // Step 3: one octet too small, and the size query.
    if fill.is_none() {
        let mut buf = vec![CANARY; size];
        let mut written = SENTINEL;
        let rc = call(args(&mut buf, size - 1, &mut written));
        assert_eq!(rc, mkc_result::BufferTooSmall, "{name}: too small");
        assert!(buf.iter().all(|&b| b == CANARY), "{name}: too small wrote");
        if written_arg {
            assert_eq!(written, size, "{name}: too small *written");
            let mut written = SENTINEL;
            let rc = call(Args {
                out: null_mut(),
                cap: 0,
                written: &mut written,
                fail: false,
                alias: None,
            });
            assert_eq!(rc, mkc_result::BufferTooSmall, "{name}: size query");
            assert_eq!(written, size, "{name}: size query *written");
        }
    }

    // Step 1: NULL outputs, overlaps.
    let mut buf = vec![CANARY; ROOM];
    let mut written = SENTINEL;
    let rc = call(Args {
        out: null_mut(),
        cap: room,
        written: &mut written,
        fail: false,
        alias: None,
    });
    assert_eq!(rc, mkc_result::NullParameter, "{name}: NULL out");
    assert_eq!(written, SENTINEL, "{name}: NULL out wrote *written");
    if written_arg {
        let rc = call(Args {
            written: null_mut(),
            ..args(&mut buf, room, &mut written)
        });
        assert_eq!(rc, mkc_result::NullParameter, "{name}: NULL written");
        assert!(
            buf.iter().all(|&b| b == CANARY),
            "{name}: NULL written wrote"
        );
        let inside = buf[64..].as_mut_ptr().cast::<usize>();
        let rc = call(Args {
            written: inside,
            ..args(&mut buf, room, &mut written)
        });
        assert_eq!(rc, mkc_result::InvalidParameter, "{name}: written in out");
        assert!(buf.iter().all(|&b| b == CANARY), "{name}: overlap wrote");
    }
    if aliasable {
        let inside = buf[100..].as_ptr();
        let rc = call(Args {
            alias: Some(inside),
            ..args(&mut buf, room, &mut written)
        });
        assert_eq!(rc, mkc_result::InvalidParameter, "{name}: input in out");
        assert!(buf.iter().all(|&b| b == CANARY), "{name}: overlap wrote");
        assert_eq!(written, SENTINEL, "{name}: overlap wrote *written");
    }

    // Step 4: a failing input zeroes the output.
    if can_fail {
        let rc = call(Args {
            fail: true,
            ..args(&mut buf, room, &mut written)
        });
        assert!(
            !matches!(rc, mkc_result::Ok | mkc_result::BufferTooSmall),
            "{name}: failing input gave {rc:?}"
        );
        assert!(
            buf[..room].iter().all(|&b| b == 0),
            "{name}: output not zeroed"
        );
        assert!(
            buf[room..].iter().all(|&b| b == CANARY),
            "{name}: past the capacity"
        );
        if written_arg {
            assert_eq!(written, 0, "{name}: *written not 0 on failure");
        }
    }
}

fn check_value(
    name: &str,
    call: &dyn Fn(ValArgs) -> mkc_result,
    size: usize,
    optional: bool,
    can_fail: bool,
    aliasable: bool,
) {
    let mut value = vec![CANARY; size + 16];
    let rc = call(ValArgs {
        out: null_mut(),
        fail: false,
        alias: None,
    });
    if optional {
        assert_ne!(rc, mkc_result::NullParameter, "{name}: NULL optional out");
    } else {
        assert_eq!(rc, mkc_result::NullParameter, "{name}: NULL out");
    }
    if aliasable {
        let rc = call(ValArgs {
            out: value.as_mut_ptr(),
            fail: false,
            alias: Some(value[size / 2..].as_ptr()),
        });
        assert_eq!(rc, mkc_result::InvalidParameter, "{name}: input in out");
        assert!(value.iter().all(|&b| b == CANARY), "{name}: overlap wrote");
    }
    let rc = call(ValArgs {
        out: value.as_mut_ptr(),
        fail: false,
        alias: None,
    });
    assert_eq!(rc, mkc_result::Ok, "{name}: success");
    if !can_fail {
        return;
    }
    value.fill(CANARY);
    let rc = call(ValArgs {
        out: value.as_mut_ptr(),
        fail: true,
        alias: None,
    });
    assert_ne!(rc, mkc_result::Ok, "{name}: failing input");
    assert!(value[..size].iter().all(|&b| b == 0), "{name}: not zeroed");
    assert!(value[size..].iter().all(|&b| b == CANARY), "{name}: past");
}

fn check_constructor(name: &str, call: &dyn Fn(*mut *const u8, bool) -> mkc_result) {
    assert_eq!(
        call(null_mut(), false),
        mkc_result::NullParameter,
        "{name}: NULL out"
    );
    let sentinel = std::ptr::dangling::<u8>();
    let mut out = sentinel;
    assert_ne!(
        call(&mut out, true),
        mkc_result::Ok,
        "{name}: failing input"
    );
    assert_eq!(out, sentinel, "{name}: out written on failure");
}

/// Every exported function named in the header.
fn header_exports() -> BTreeSet<String> {
    let header = include_str!("../include/mcptt_kmc.h");
    header
        .lines()
        .filter(|line| !line.starts_with([' ', '*', '#', '/']))
        .filter_map(|line| {
            let end = line.find('(')?;
            let start = line[..end].rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
            let name = &line[start + 1..end];
            name.starts_with("mkc_").then(|| name.to_owned())
        })
        .collect()
}

/// What the sweeps share: a KMS, key handles and a provisioned client.
struct Fixture {
    kms: *const mkc_kms,
    rust_kms: Kms,
    params: mkc_kms_params,
    signer: *const mkc_eccsi_signer,
    public: *const mkc_eccsi_public,
    z_t: *const mkc_sakke_public,
    receiver: *const mkc_sakke_receiver,
    uid: [u8; 32],
    sed: Vec<u8>,
    client: *mut mkc_client,
    imessage: Vec<u8>,
    blob: Vec<u8>,
}

fn fixture() -> Fixture {
    // The RFC 6507 KSAK and the smallest z (RFC 6508 2.2): one KMS on both sides.
    let mut ksak = [0u8; 32];
    ksak[29..].copy_from_slice(&[0x01, 0x23, 0x45]);
    let mut z = [0u8; 128];
    z[127] = 2;
    let rust_kms = Kms::from_secrets(&ksak, &z).ok().unwrap();
    let mut kms: *const mkc_kms = null();
    assert_eq!(
        unsafe { mkc_kms_new_from_secrets(ksak.as_ptr(), 32, z.as_ptr(), 128, &mut kms) },
        mkc_result::Ok
    );
    let domain = KmsDomain::new(KMS_URI, PERIOD, 0);
    let period = domain.key_period_for(NOW as i64).unwrap();
    let set = rust_kms.issue_key_set(&domain, ALICE, period).unwrap();
    let kpak = rust_kms.kpak().to_bytes();
    let z_t_bytes = rust_kms.z_t();
    let mut f = Fixture {
        kms,
        params: mkc_kms_params {
            kms_uri: s(KMS_URI),
            key_period_s: PERIOD,
            key_offset_s: 0,
            id_encoding: 0,
        },
        signer: null(),
        public: null(),
        z_t: null(),
        receiver: null(),
        uid: set.user_id,
        sed: Vec::new(),
        client: null_mut(),
        imessage: Vec::new(),
        blob: Vec::new(),
        rust_kms,
    };
    unsafe {
        let ssk = &set.ssk[..];
        let pvt = &set.pvt[..];
        let rc = mkc_eccsi_signer_new(
            kpak.as_ptr(),
            65,
            f.uid.as_ptr(),
            32,
            ssk.as_ptr(),
            32,
            pvt.as_ptr(),
            65,
            &mut f.signer,
        );
        assert_eq!(rc, mkc_result::Ok);
        assert_eq!(
            mkc_eccsi_public_new(kpak.as_ptr(), 65, &mut f.public),
            mkc_result::Ok
        );
        assert_eq!(
            mkc_sakke_public_new(z_t_bytes.as_ptr(), 257, &mut f.z_t),
            mkc_result::Ok
        );
        let rc = mkc_sakke_receiver_new_with_public(
            f.z_t,
            f.uid.as_ptr(),
            32,
            set.rsk.as_ptr(),
            257,
            &mut f.receiver,
        );
        assert_eq!(rc, mkc_result::Ok);
        f.sed = vec![0; 273];
        let mut written = 0;
        let rc = mkc_sakke_encapsulate(
            f.z_t,
            f.uid.as_ptr(),
            32,
            [7u8; 16].as_ptr(),
            16,
            f.sed.as_mut_ptr(),
            273,
            &mut written,
        );
        assert_eq!(rc, mkc_result::Ok);
    }
    f.client = provisioned_client(&f.rust_kms, &domain, period);
    unsafe {
        let mut msg = vec![0u8; ROOM];
        let mut written = 0;
        let rc = mkc_client_mikey_create_imessage(
            f.client,
            ALICE.as_ptr(),
            ALICE.len(),
            ALICE.as_ptr(),
            ALICE.len(),
            NOW,
            0,
            [9u8; 16].as_ptr(),
            16,
            0x0123_4567,
            0,
            msg.as_mut_ptr(),
            msg.len(),
            &mut written,
        );
        assert_eq!(rc, mkc_result::Ok);
        msg.truncate(written);
        f.imessage = msg;
        let mut blob = vec![0u8; ROOM];
        let rc = mkc_client_export(
            f.client,
            [3u8; 32].as_ptr(),
            32,
            blob.as_mut_ptr(),
            blob.len(),
            &mut written,
        );
        assert_eq!(rc, mkc_result::Ok);
        blob.truncate(written);
        f.blob = blob;
    }
    f
}

fn provisioned_client(kms: &Kms, domain: &KmsDomain, period: u64) -> *mut mkc_client {
    let mut config = std::mem::MaybeUninit::<mkc_client_config>::uninit();
    unsafe {
        assert_eq!(mkc_client_config_init(config.as_mut_ptr()), mkc_result::Ok);
    }
    let mut config = unsafe { config.assume_init() };
    config.kms_url = s("https://kms.example.org");
    config.user_uri = s(ALICE);
    let mut client = null_mut();
    unsafe {
        assert_eq!(mkc_client_new(&config, &mut client), mkc_result::Ok);
        assert_eq!(
            mkc_client_set_access_token(client, b"t".as_ptr(), 1),
            mkc_result::Ok
        );
    }
    for _ in 0..20 {
        let mut out = std::mem::MaybeUninit::<mkc_output>::uninit();
        let out = unsafe {
            assert_eq!(
                mkc_client_poll_output(client, NOW, out.as_mut_ptr()),
                mkc_result::Ok
            );
            out.assume_init()
        };
        if out.kind == mkc_output_kind::Event as u32 {
            continue;
        }
        if out.kind != mkc_output_kind::Request as u32 {
            break;
        }
        let url = unsafe { std::ffi::CStr::from_ptr(out.request.url) }
            .to_str()
            .unwrap();
        let payload = if url.ends_with("/init") {
            KmsPayload::Init(kms.certificate(domain))
        } else {
            KmsPayload::KeyProv(vec![kms.issue_key_set(domain, ALICE, period).unwrap()])
        };
        let body = xml::emit_response(&KmsResponse {
            user_uri: ALICE.into(),
            kms_uri: KMS_URI.into(),
            time: None,
            kms_id: None,
            client_req_url: url.into(),
            payload,
        });
        let rc = unsafe {
            mkc_client_handle_response(client, NOW, out.request.id, 200, body.as_ptr(), body.len())
        };
        assert_eq!(rc, mkc_result::Ok);
    }
    client
}

/// A buffer export with an input buffer to alias and a handle or input to fail.
fn buffer<'a>(
    written: bool,
    fixed: Option<usize>,
    call: Box<dyn Fn(Args) -> mkc_result + 'a>,
) -> Sweep<'a> {
    Sweep::Buffer {
        call,
        written,
        fixed,
        can_fail: true,
        aliasable: true,
    }
}

/// `ptr` or, when failing, NULL.
fn or_null<T>(ptr: *const T, fail: bool) -> *const T {
    if fail { null() } else { ptr }
}

/// An input buffer: its own, or the alias the sweep gives.
fn input(own: &[u8], alias: Option<*const u8>) -> *const u8 {
    alias.unwrap_or(own.as_ptr())
}

fn sweeps(f: &Fixture) -> Vec<(&'static str, Sweep<'_>)> {
    let id = &f.uid[..];
    let msg = b"message";
    let key = [9u8; 16];
    let storage_key = [3u8; 32];
    let infallible = |call: Box<dyn Fn()>| Sweep::Infallible(call);
    let mut v: Vec<(&'static str, Sweep<'_>)> = vec![
        // Sizes, versions, texts, `_free(NULL)`.
        (
            "mkc_eccsi_signature_bytes",
            infallible(Box::new(|| assert_eq!(mkc_eccsi_signature_bytes(), 129))),
        ),
        (
            "mkc_eccsi_kpak_bytes",
            infallible(Box::new(|| assert_eq!(mkc_eccsi_kpak_bytes(), 65))),
        ),
        (
            "mkc_eccsi_pvt_bytes",
            infallible(Box::new(|| assert_eq!(mkc_eccsi_pvt_bytes(), 65))),
        ),
        (
            "mkc_eccsi_ssk_bytes",
            infallible(Box::new(|| assert_eq!(mkc_eccsi_ssk_bytes(), 32))),
        ),
        (
            "mkc_kms_ksak_bytes",
            infallible(Box::new(|| assert_eq!(mkc_kms_ksak_bytes(), 32))),
        ),
        (
            "mkc_kms_z_bytes",
            infallible(Box::new(|| assert_eq!(mkc_kms_z_bytes(), 128))),
        ),
        (
            "mkc_mikey_key_bytes",
            infallible(Box::new(|| assert_eq!(mkc_mikey_key_bytes(), 16))),
        ),
        (
            "mkc_mikey_max_imessage_bytes",
            infallible(Box::new(|| {
                assert_eq!(mkc_mikey_max_imessage_bytes(), 8192)
            })),
        ),
        (
            "mkc_sakke_z_t_bytes",
            infallible(Box::new(|| assert_eq!(mkc_sakke_z_t_bytes(), 257))),
        ),
        (
            "mkc_sakke_rsk_bytes",
            infallible(Box::new(|| assert_eq!(mkc_sakke_rsk_bytes(), 257))),
        ),
        (
            "mkc_sakke_ssv_bytes",
            infallible(Box::new(|| assert_eq!(mkc_sakke_ssv_bytes(), 16))),
        ),
        (
            "mkc_sakke_sed_bytes",
            infallible(Box::new(|| assert_eq!(mkc_sakke_sed_bytes(), 273))),
        ),
        (
            "mkc_srtp_master_key_bytes",
            infallible(Box::new(|| assert_eq!(mkc_srtp_master_key_bytes(), 16))),
        ),
        (
            "mkc_srtp_master_salt_bytes",
            infallible(Box::new(|| assert_eq!(mkc_srtp_master_salt_bytes(), 12))),
        ),
        (
            "mkc_srtp_mki_max_bytes",
            infallible(Box::new(|| assert_eq!(mkc_srtp_mki_max_bytes(), 8))),
        ),
        (
            "mkc_uid_bytes",
            infallible(Box::new(|| assert_eq!(mkc_uid_bytes(), 32))),
        ),
        (
            "mkc_version",
            infallible(Box::new(|| assert!(!mkc_version().is_null()))),
        ),
        (
            "mkc_abi_version",
            infallible(Box::new(|| assert!(mkc_abi_version() > 0))),
        ),
        (
            "mkc_result_str",
            infallible(Box::new(|| assert!(!mkc_result_str(u32::MAX).is_null()))),
        ),
        (
            "mkc_client_free",
            infallible(Box::new(|| unsafe { mkc_client_free(null_mut()) })),
        ),
        (
            "mkc_eccsi_public_free",
            infallible(Box::new(|| unsafe { mkc_eccsi_public_free(null()) })),
        ),
        (
            "mkc_eccsi_signer_free",
            infallible(Box::new(|| unsafe { mkc_eccsi_signer_free(null()) })),
        ),
        (
            "mkc_kms_free",
            infallible(Box::new(|| unsafe { mkc_kms_free(null()) })),
        ),
        (
            "mkc_sakke_public_free",
            infallible(Box::new(|| unsafe { mkc_sakke_public_free(null()) })),
        ),
        (
            "mkc_sakke_receiver_free",
            infallible(Box::new(|| unsafe { mkc_sakke_receiver_free(null()) })),
        ),
    ];

    // Constructors: the handle out-pointer is written on success only.
    let kpak = f.rust_kms.kpak().to_bytes();
    let z_t = f.rust_kms.z_t();
    v.push((
        "mkc_eccsi_public_new",
        Sweep::Constructor(Box::new(move |out, fail| unsafe {
            mkc_eccsi_public_new(or_null(kpak.as_ptr(), fail), 65, out.cast())
        })),
    ));
    v.push((
        "mkc_eccsi_signer_new",
        Sweep::Constructor(Box::new(move |out, fail| unsafe {
            let k = [1u8; 65];
            mkc_eccsi_signer_new(
                or_null(k.as_ptr(), fail),
                65,
                k.as_ptr(),
                1,
                k.as_ptr(),
                32,
                k.as_ptr(),
                65,
                out.cast(),
            )
        })),
    ));
    v.push((
        "mkc_eccsi_signer_new_with_public",
        Sweep::Constructor(Box::new(move |out, fail| unsafe {
            let k = [1u8; 65];
            mkc_eccsi_signer_new_with_public(
                or_null(f.public, fail),
                k.as_ptr(),
                1,
                k.as_ptr(),
                32,
                k.as_ptr(),
                65,
                out.cast(),
            )
        })),
    ));
    v.push((
        "mkc_sakke_public_new",
        Sweep::Constructor(Box::new(move |out, fail| unsafe {
            mkc_sakke_public_new(or_null(z_t.as_ptr(), fail), 257, out.cast())
        })),
    ));
    v.push((
        "mkc_sakke_receiver_new",
        Sweep::Constructor(Box::new(move |out, fail| unsafe {
            let k = [1u8; 257];
            mkc_sakke_receiver_new(
                or_null(k.as_ptr(), fail),
                257,
                k.as_ptr(),
                1,
                k.as_ptr(),
                257,
                out.cast(),
            )
        })),
    ));
    v.push((
        "mkc_sakke_receiver_new_with_public",
        Sweep::Constructor(Box::new(move |out, fail| unsafe {
            let k = [1u8; 257];
            mkc_sakke_receiver_new_with_public(
                or_null(f.z_t, fail),
                k.as_ptr(),
                1,
                k.as_ptr(),
                257,
                out.cast(),
            )
        })),
    ));
    v.push((
        "mkc_kms_new_from_secrets",
        Sweep::Constructor(Box::new(move |out, fail| unsafe {
            let k = [1u8; 128];
            mkc_kms_new_from_secrets(or_null(k.as_ptr(), fail), 32, k.as_ptr(), 128, out.cast())
        })),
    ));
    v.push((
        "mkc_kms_new_random",
        Sweep::Constructor(Box::new(move |out, fail| unsafe {
            if fail {
                // No input to fail: refuse a NULL out instead, leaving nothing to check.
                return mkc_kms_new_random(null_mut());
            }
            let rc = mkc_kms_new_random(out.cast());
            if rc == mkc_result::Ok {
                mkc_kms_free(*out.cast::<*const mkc_kms>());
            }
            rc
        })),
    ));
    v.push((
        "mkc_client_new",
        Sweep::Constructor(Box::new(move |out, fail| unsafe {
            if fail {
                return mkc_client_new(null(), out.cast());
            }
            let mut config = std::mem::MaybeUninit::<mkc_client_config>::uninit();
            mkc_client_config_init(config.as_mut_ptr());
            let mut config = config.assume_init();
            config.kms_url = s("https://k");
            config.user_uri = s(ALICE);
            let rc = mkc_client_new(&config, out.cast());
            if rc == mkc_result::Ok {
                mkc_client_free(*out.cast::<*mut mkc_client>());
            }
            rc
        })),
    ));

    // Calls without an output: a NULL handle is refused.
    let c = f.client.cast_const();
    v.push((
        "mkc_eccsi_verify",
        Sweep::NoOutput(Box::new(move |fail| unsafe {
            mkc_eccsi_verify(
                or_null(f.public, fail),
                id.as_ptr(),
                32,
                msg.as_ptr(),
                7,
                [0u8; 129].as_ptr(),
                129,
            )
        })),
    ));
    v.push((
        "mkc_client_verify",
        Sweep::NoOutput(Box::new(move |fail| unsafe {
            mkc_client_verify(
                or_null(c, fail),
                ALICE.as_ptr(),
                ALICE.len(),
                NOW,
                msg.as_ptr(),
                7,
                [0u8; 129].as_ptr(),
                129,
            )
        })),
    ));
    v.push((
        "mkc_client_set_access_token",
        Sweep::NoOutput(Box::new(move |fail| unsafe {
            mkc_client_set_access_token(or_null(c, fail).cast_mut(), b"t".as_ptr(), 1)
        })),
    ));
    v.push((
        "mkc_client_refresh",
        Sweep::NoOutput(Box::new(move |fail| unsafe {
            mkc_client_refresh(or_null(c, fail).cast_mut())
        })),
    ));
    v.push((
        "mkc_client_set_certcache_interval",
        Sweep::NoOutput(Box::new(move |fail| unsafe {
            // On a client of its own: the fixture's must not start asking for the cache.
            let other = empty_client();
            let rc = mkc_client_set_certcache_interval(or_null(other, fail).cast_mut(), 86_400);
            mkc_client_free(other.cast_mut());
            rc
        })),
    ));
    v.push((
        "mkc_client_set_jitter_seed",
        Sweep::NoOutput(Box::new(move |fail| unsafe {
            mkc_client_set_jitter_seed(or_null(c, fail).cast_mut(), 42)
        })),
    ));
    v.push((
        "mkc_client_handle_response",
        Sweep::NoOutput(Box::new(move |fail| unsafe {
            mkc_client_handle_response(or_null(c, fail).cast_mut(), NOW, u64::MAX, 200, null(), 0)
        })),
    ));
    v.push((
        "mkc_client_handle_failure",
        Sweep::NoOutput(Box::new(move |fail| unsafe {
            mkc_client_handle_failure(or_null(c, fail).cast_mut(), NOW, u64::MAX)
        })),
    ));

    // Buffer outputs.
    v.push((
        "mkc_kms_redirect_kms_uris",
        buffer(
            true,
            None,
            Box::new(move |a: Args| unsafe {
                let krr: &[u8] = b"<KmsRedirectResponse xmlns='urn:3gpp:ns:mcsecKMSKRR:1.0'>\
                    <InitiatorUri>sip:a@example.org</InitiatorUri>\
                    <ReceiverUri>sip:c@partner.example.net</ReceiverUri>\
                    <AcceptableReceiverKmsUris><KmsUri>partner.example.net</KmsUri>\
                    </AcceptableReceiverKmsUris></KmsRedirectResponse>";
                mkc_kms_redirect_kms_uris(
                    or_null(input(krr, a.alias), a.fail),
                    krr.len(),
                    MKC_KRR_RECEIVER_KMS_URIS,
                    a.out,
                    a.cap,
                    a.written,
                    null_mut(),
                )
            }),
        ),
    ));
    v.push((
        "mkc_eccsi_sign",
        buffer(
            true,
            None,
            Box::new(move |a: Args| unsafe {
                mkc_eccsi_sign(
                    or_null(f.signer, a.fail),
                    input(msg, a.alias),
                    7,
                    a.out,
                    a.cap,
                    a.written,
                )
            }),
        ),
    ));
    v.push((
        "mkc_sakke_encapsulate",
        buffer(
            true,
            None,
            Box::new(move |a: Args| unsafe {
                mkc_sakke_encapsulate(
                    or_null(f.z_t, a.fail),
                    input(id, a.alias),
                    32,
                    key.as_ptr(),
                    16,
                    a.out,
                    a.cap,
                    a.written,
                )
            }),
        ),
    ));
    let sed = &f.sed[..];
    v.push((
        "mkc_sakke_decapsulate",
        buffer(
            true,
            None,
            Box::new(move |a: Args| unsafe {
                mkc_sakke_decapsulate(
                    or_null(f.receiver, a.fail),
                    input(sed, a.alias),
                    273,
                    a.out,
                    a.cap,
                    a.written,
                )
            }),
        ),
    ));
    v.push((
        "mkc_kms_kpak",
        Sweep::Buffer {
            call: Box::new(move |a: Args| unsafe {
                mkc_kms_kpak(or_null(f.kms, a.fail), a.out, a.cap, a.written)
            }),
            written: true,
            fixed: None,
            can_fail: true,
            aliasable: false,
        },
    ));
    v.push((
        "mkc_kms_z_t",
        Sweep::Buffer {
            call: Box::new(move |a: Args| unsafe {
                mkc_kms_z_t(or_null(f.kms, a.fail), a.out, a.cap, a.written)
            }),
            written: true,
            fixed: None,
            can_fail: true,
            aliasable: false,
        },
    ));
    v.push((
        "mkc_kms_issue_sakke",
        buffer(
            false,
            Some(257),
            Box::new(move |a: Args| unsafe {
                mkc_kms_issue_sakke(or_null(f.kms, a.fail), input(id, a.alias), 32, a.out, a.cap)
            }),
        ),
    ));
    // Two outputs: the sweep drives the SSK buffer, the PVT buffer beside it in ROOM.
    v.push((
        "mkc_kms_issue_eccsi",
        buffer(
            false,
            Some(32),
            Box::new(move |a: Args| unsafe {
                let mut pvt = [0u8; 65];
                let rc = mkc_kms_issue_eccsi(
                    or_null(f.kms, a.fail),
                    input(id, a.alias),
                    32,
                    a.out,
                    a.cap,
                    pvt.as_mut_ptr(),
                    65,
                );
                if a.fail {
                    assert_eq!(pvt, [0; 65], "mkc_kms_issue_eccsi: PVT not zeroed");
                }
                rc
            }),
        ),
    ));
    let params = &f.params;
    v.push((
        "mkc_kms_init_response_xml",
        buffer(
            true,
            None,
            Box::new(move |a: Args| unsafe {
                let user = mkc_str {
                    ptr: input(ALICE.as_bytes(), a.alias),
                    len: ALICE.len(),
                };
                mkc_kms_init_response_xml(
                    or_null(f.kms, a.fail),
                    params,
                    user,
                    s("u"),
                    NOW,
                    a.out,
                    a.cap,
                    a.written,
                )
            }),
        ),
    ));
    v.push((
        "mkc_kms_keyprov_response_xml",
        buffer(
            true,
            None,
            Box::new(move |a: Args| unsafe {
                // A key set's SSK and PVT are fresh at each call, but its length is fixed.
                let user = mkc_str {
                    ptr: input(ALICE.as_bytes(), a.alias),
                    len: ALICE.len(),
                };
                let period = (NOW + mcptt_kmc::time::NTP_UNIX_OFFSET) / PERIOD;
                mkc_kms_keyprov_response_xml(
                    or_null(f.kms, a.fail),
                    params,
                    user,
                    s("u"),
                    NOW,
                    period,
                    a.out,
                    a.cap,
                    a.written,
                )
            }),
        ),
    ));
    v.push((
        "mkc_uid_derive",
        buffer(
            false,
            Some(32),
            Box::new(move |a: Args| unsafe {
                mkc_uid_derive(
                    or_null(input(ALICE.as_bytes(), a.alias), a.fail),
                    ALICE.len(),
                    KMS_URI.as_ptr(),
                    KMS_URI.len(),
                    PERIOD,
                    0,
                    7,
                    a.out,
                    a.cap,
                )
            }),
        ),
    ));
    v.push((
        "mkc_random",
        Sweep::Buffer {
            call: Box::new(move |a: Args| unsafe { mkc_random(a.out, a.cap) }),
            written: false,
            fixed: Some(ROOM),
            can_fail: false,
            aliasable: false,
        },
    ));
    let tgk = [0x42u8; 32];
    v.push((
        "mkc_mikey_derive_key",
        buffer(
            false,
            Some(1024),
            Box::new(move |a: Args| unsafe {
                let tgk = or_null(input(&tgk, a.alias), a.fail);
                let rand = [1u8; 16];
                mkc_mikey_derive_key(tgk, 32, 7, 0, rand.as_ptr(), 16, 0x2AD0_1C64, a.out, a.cap)
            }),
        ),
    ));
    v.push((
        "mkc_mikey_new_key",
        buffer(
            false,
            Some(16),
            Box::new(move |a: Args| unsafe {
                let mut id = 0u32;
                let id_ptr: *mut u32 = match a.alias {
                    Some(inside) => inside.cast_mut().cast(),
                    None => &mut id,
                };
                // A failing input: an unknown key kind.
                mkc_mikey_new_key(if a.fail { 9 } else { 0 }, a.out, a.cap, id_ptr)
            }),
        ),
    ));
    let imessage = &f.imessage[..];
    v.push((
        "mkc_mikey_to_sdp",
        buffer(
            true,
            None,
            Box::new(move |a: Args| unsafe {
                mkc_mikey_to_sdp(
                    or_null(input(imessage, a.alias), a.fail),
                    imessage.len(),
                    a.out.cast(),
                    a.cap,
                    a.written,
                )
            }),
        ),
    ));
    let sdp = mcptt_kmc::mikey::sdp::to_key_mgmt(imessage);
    v.push((
        "mkc_mikey_from_sdp",
        buffer(
            true,
            None,
            Box::new(move |a: Args| unsafe {
                mkc_mikey_from_sdp(
                    or_null(input(sdp.as_bytes(), a.alias), a.fail).cast(),
                    sdp.len(),
                    a.out,
                    a.cap,
                    a.written,
                )
            }),
        ),
    ));
    v.push((
        "mkc_client_uid",
        buffer(
            false,
            Some(32),
            Box::new(move |a: Args| unsafe {
                mkc_client_uid(
                    or_null(c, a.fail),
                    input(ALICE.as_bytes(), a.alias),
                    ALICE.len(),
                    NOW,
                    a.out,
                    a.cap,
                )
            }),
        ),
    ));
    v.push((
        "mkc_client_sign",
        buffer(
            true,
            None,
            Box::new(move |a: Args| unsafe {
                mkc_client_sign(
                    or_null(c, a.fail),
                    input(ALICE.as_bytes(), a.alias),
                    ALICE.len(),
                    NOW,
                    msg.as_ptr(),
                    7,
                    a.out,
                    a.cap,
                    a.written,
                )
            }),
        ),
    ));
    v.push((
        "mkc_client_encapsulate",
        buffer(
            true,
            None,
            Box::new(move |a: Args| unsafe {
                mkc_client_encapsulate(
                    or_null(c, a.fail),
                    input(ALICE.as_bytes(), a.alias),
                    ALICE.len(),
                    NOW,
                    key.as_ptr(),
                    16,
                    a.out,
                    a.cap,
                    a.written,
                )
            }),
        ),
    ));
    v.push((
        "mkc_client_decapsulate",
        buffer(
            true,
            None,
            Box::new(move |a: Args| unsafe {
                let mut sed = [0u8; 273];
                let mut n = 0;
                let rc = mkc_client_encapsulate(
                    c,
                    ALICE.as_ptr(),
                    ALICE.len(),
                    NOW,
                    key.as_ptr(),
                    16,
                    sed.as_mut_ptr(),
                    273,
                    &mut n,
                );
                assert_eq!(rc, mkc_result::Ok);
                mkc_client_decapsulate(
                    or_null(c, a.fail),
                    input(ALICE.as_bytes(), a.alias),
                    ALICE.len(),
                    NOW,
                    sed.as_ptr(),
                    273,
                    a.out,
                    a.cap,
                    a.written,
                )
            }),
        ),
    ));
    v.push((
        "mkc_client_export",
        buffer(
            true,
            None,
            Box::new(move |a: Args| unsafe {
                mkc_client_export(
                    or_null(c, a.fail),
                    input(&storage_key, a.alias),
                    32,
                    a.out,
                    a.cap,
                    a.written,
                )
            }),
        ),
    ));
    v.push((
        "mkc_client_mikey_create_imessage",
        buffer(
            true,
            None,
            Box::new(move |a: Args| unsafe {
                mkc_client_mikey_create_imessage(
                    or_null(c, a.fail),
                    input(ALICE.as_bytes(), a.alias),
                    ALICE.len(),
                    ALICE.as_ptr(),
                    ALICE.len(),
                    NOW,
                    0,
                    key.as_ptr(),
                    16,
                    0x0123_4567,
                    0,
                    a.out,
                    a.cap,
                    a.written,
                )
            }),
        ),
    ));
    let create = move |a: Args| unsafe {
        let p = mkc_mikey_create_params {
            kind: 0,
            key: input(&key, a.alias),
            key_len: 16,
            key_id: 0x0123_4567,
            flags: 0,
            now: NOW,
            initiator_uri: s(ALICE),
            initiator_kms: f.params,
            responder_uri: s(ALICE),
            responder_kms: f.params,
        };
        mkc_mikey_create_imessage(
            or_null(f.signer, a.fail),
            f.z_t,
            null(),
            &p,
            a.out,
            a.cap,
            a.written,
        )
    };
    v.push((
        "mkc_mikey_create_imessage",
        buffer(true, None, Box::new(create)),
    ));

    // Out-values.
    v.push((
        "mkc_client_config_init",
        Sweep::Value {
            // Its only failure is a NULL out.
            call: Box::new(|a: ValArgs| unsafe { mkc_client_config_init(a.out.cast()) }),
            size: size_of::<mkc_client_config>(),
            optional: false,
            can_fail: false,
            aliasable: false,
        },
    ));
    v.push((
        "mkc_client_poll_output",
        Sweep::Value {
            call: Box::new(move |a: ValArgs| unsafe {
                mkc_client_poll_output(or_null(c, a.fail).cast_mut(), NOW, a.out.cast())
            }),
            size: size_of::<mkc_output>(),
            optional: false,
            can_fail: true,
            aliasable: false,
        },
    ));
    v.push((
        "mkc_client_key_period",
        Sweep::Value {
            call: Box::new(move |a: ValArgs| unsafe {
                mkc_client_key_period(
                    or_null(c, a.fail),
                    NOW,
                    a.out.cast(),
                    null_mut(),
                    null_mut(),
                )
            }),
            size: 8,
            optional: true,
            can_fail: true,
            aliasable: false,
        },
    ));
    v.push((
        "mkc_client_partner_status",
        Sweep::Value {
            call: Box::new(move |a: ValArgs| unsafe {
                let uri = b"partner.example.net";
                mkc_client_partner_status(
                    or_null(c, a.fail),
                    input(uri, a.alias),
                    uri.len(),
                    NOW,
                    a.out.cast(),
                )
            }),
            size: 4,
            optional: false,
            can_fail: true,
            aliasable: true,
        },
    ));
    v.push((
        "mkc_client_import",
        Sweep::Value {
            call: Box::new(move |a: ValArgs| unsafe {
                let blob = &f.blob[..];
                // Importing into a second client: the first one stays as the fixture made it.
                let other = empty_client();
                let rc = mkc_client_import(
                    or_null(other, a.fail).cast_mut(),
                    NOW,
                    storage_key.as_ptr(),
                    32,
                    input(blob, a.alias),
                    blob.len(),
                    a.out.cast(),
                );
                mkc_client_free(other.cast_mut());
                rc
            }),
            size: size_of::<usize>(),
            optional: true,
            can_fail: true,
            aliasable: true,
        },
    ));
    v.push((
        "mkc_client_mikey_process_imessage",
        Sweep::Value {
            call: Box::new(move |a: ValArgs| unsafe {
                mkc_client_mikey_process_imessage(
                    or_null(c, a.fail),
                    ALICE.as_ptr(),
                    ALICE.len(),
                    NOW,
                    60,
                    null(),
                    0,
                    input(imessage, a.alias),
                    imessage.len(),
                    a.out.cast(),
                )
            }),
            size: size_of::<mkc_mikey_key>(),
            optional: false,
            can_fail: true,
            aliasable: true,
        },
    ));
    v.push((
        "mkc_mikey_process_imessage",
        Sweep::Value {
            call: Box::new(move |a: ValArgs| unsafe {
                let receivers = [f.receiver];
                let periods = [(NOW + mcptt_kmc::time::NTP_UNIX_OFFSET) / PERIOD];
                mkc_mikey_process_imessage(
                    or_null(f.public, a.fail),
                    &f.params,
                    receivers.as_ptr(),
                    periods.as_ptr(),
                    1,
                    s(ALICE),
                    &f.params,
                    NOW,
                    60,
                    s(""),
                    input(imessage, a.alias),
                    imessage.len(),
                    a.out.cast(),
                )
            }),
            size: size_of::<mkc_mikey_key>(),
            optional: false,
            can_fail: true,
            aliasable: true,
        },
    ));
    // The SRTP keys of TS 33.180 7.4 and the key ring.
    let pck_id = 0x1000_0042u32;
    let rand16 = [5u8; 16];
    v.push((
        "mkc_srtp_mki",
        Sweep::Buffer {
            call: Box::new(move |a: Args| unsafe {
                // A failing input: a key ID of no media key (purpose tag 2).
                let id = if a.fail { 0x2000_0001 } else { pck_id };
                mkc_srtp_mki(id, 0, a.out, a.cap, a.written)
            }),
            written: true,
            fixed: None,
            can_fail: true,
            aliasable: false,
        },
    ));
    v.push((
        "mkc_srtp_derive",
        Sweep::Value {
            call: Box::new(move |a: ValArgs| unsafe {
                let mki = pck_id.to_be_bytes();
                mkc_srtp_derive(
                    or_null(input(&key, a.alias), a.fail),
                    16,
                    pck_id,
                    rand16.as_ptr(),
                    16,
                    0,
                    mki.as_ptr(),
                    4,
                    a.out.cast(),
                )
            }),
            size: size_of::<mkc_srtp_master>(),
            optional: false,
            can_fail: true,
            aliasable: true,
        },
    ));
    let cm = f.client;
    // Receives the fixture's GMK into the client's key ring; gives the MKI of its stream.
    let receive_gmk = move || unsafe {
        let mut got = std::mem::MaybeUninit::<mkc_mikey_key>::uninit();
        let rc = mkc_client_mikey_receive_imessage(
            cm,
            ALICE.as_ptr(),
            ALICE.len(),
            NOW,
            60,
            null(),
            0,
            imessage.as_ptr(),
            imessage.len(),
            got.as_mut_ptr(),
        );
        assert_eq!(rc, mkc_result::Ok);
        let got = got.assume_init();
        let mut mki = [0u8; 8];
        mki[..4].copy_from_slice(&got.key_id.to_be_bytes());
        mki[4..].copy_from_slice(&got.guk_id.to_be_bytes());
        mki
    };
    v.push((
        "mkc_client_srtp_for_mki",
        Sweep::Value {
            call: Box::new(move |a: ValArgs| unsafe {
                let mki = receive_gmk();
                mkc_client_srtp_for_mki(
                    or_null(cm, a.fail).cast_mut(),
                    NOW,
                    4,
                    input(&mki, a.alias),
                    8,
                    a.out.cast(),
                )
            }),
            size: size_of::<mkc_srtp_master>(),
            optional: false,
            can_fail: true,
            aliasable: true,
        },
    ));
    v.push((
        "mkc_client_mikey_receive_imessage",
        Sweep::Value {
            call: Box::new(move |a: ValArgs| unsafe {
                mkc_client_mikey_receive_imessage(
                    or_null(cm, a.fail).cast_mut(),
                    ALICE.as_ptr(),
                    ALICE.len(),
                    NOW,
                    60,
                    null(),
                    0,
                    input(imessage, a.alias),
                    imessage.len(),
                    a.out.cast(),
                )
            }),
            size: size_of::<mkc_mikey_key>(),
            optional: false,
            can_fail: true,
            aliasable: true,
        },
    ));
    v.push((
        "mkc_client_key_set_validity",
        Sweep::NoOutput(Box::new(move |fail| unsafe {
            receive_gmk();
            mkc_client_key_set_validity(or_null(cm, fail).cast_mut(), 0x0123_4567, 0, 0)
        })),
    ));
    v.push((
        "mkc_client_key_erase",
        Sweep::NoOutput(Box::new(move |fail| unsafe {
            receive_gmk();
            mkc_client_key_erase(or_null(cm, fail).cast_mut(), 0x0123_4567)
        })),
    ));
    v.push((
        "mkc_client_mikey_create_imessage_with_rand",
        buffer(
            true,
            None,
            Box::new(move |a: Args| unsafe {
                mkc_client_mikey_create_imessage_with_rand(
                    or_null(c, a.fail),
                    ALICE.as_ptr(),
                    ALICE.len(),
                    ALICE.as_ptr(),
                    ALICE.len(),
                    NOW,
                    0,
                    key.as_ptr(),
                    16,
                    0x0123_4567,
                    0,
                    input(&rand16, a.alias),
                    16,
                    a.out,
                    a.cap,
                    a.written,
                )
            }),
        ),
    ));
    // Key parameters (TS 33.180 E.6): created with a GMK, read back from the processed message.
    let kp = mkc_mikey_key_params {
        key_type: 0,
        status: MKC_MIKEY_KEY_STATUS_NOT_REVOKED,
        activation: NOW - 10,
        expiry: NOW + 3600,
        group_count: 0,
    };
    let kp_text = b"Group 7";
    let group_uri = "sip:group7@example.org";
    let kp_groups = [mkc_mikey_group_id {
        iei: 0x5a,
        id: s(group_uri),
    }];
    v.push((
        "mkc_client_mikey_create_imessage_with_params",
        buffer(
            true,
            None,
            Box::new(move |a: Args| unsafe {
                mkc_client_mikey_create_imessage_with_params(
                    or_null(c, a.fail),
                    ALICE.as_ptr(),
                    ALICE.len(),
                    ALICE.as_ptr(),
                    ALICE.len(),
                    KMS_URI.as_ptr(),
                    KMS_URI.len(),
                    NOW,
                    0,
                    key.as_ptr(),
                    16,
                    0x0123_4567,
                    0,
                    rand16.as_ptr(),
                    16,
                    &kp,
                    input(kp_text, a.alias),
                    kp_text.len(),
                    kp_groups.as_ptr(),
                    1,
                    a.out,
                    a.cap,
                    a.written,
                )
            }),
        ),
    ));
    let (with_params, with_params_key) = unsafe {
        let mut msg = vec![0u8; ROOM];
        let mut written = 0;
        let rc = mkc_client_mikey_create_imessage_with_params(
            c,
            ALICE.as_ptr(),
            ALICE.len(),
            ALICE.as_ptr(),
            ALICE.len(),
            null(),
            0,
            NOW,
            0,
            key.as_ptr(),
            16,
            0x0123_4567,
            0,
            null(),
            0,
            &kp,
            kp_text.as_ptr(),
            kp_text.len(),
            kp_groups.as_ptr(),
            1,
            msg.as_mut_ptr(),
            msg.len(),
            &mut written,
        );
        assert_eq!(rc, mkc_result::Ok);
        msg.truncate(written);
        let mut got = std::mem::MaybeUninit::<mkc_mikey_key>::uninit();
        let rc = mkc_client_mikey_process_imessage(
            c,
            ALICE.as_ptr(),
            ALICE.len(),
            NOW,
            60,
            null(),
            0,
            msg.as_ptr(),
            msg.len(),
            got.as_mut_ptr(),
        );
        assert_eq!(rc, mkc_result::Ok);
        (msg, got.assume_init())
    };
    // Shared by two sweeps for the life of the test.
    let with_params: &'static [u8] = Box::leak(with_params.into_boxed_slice());
    let with_params_key: &'static mkc_mikey_key = Box::leak(Box::new(with_params_key));
    v.push((
        "mkc_mikey_key_parameters",
        buffer(
            true,
            None,
            Box::new(move |a: Args| unsafe {
                let mut params = std::mem::MaybeUninit::<mkc_mikey_key_params>::uninit();
                let rc = mkc_mikey_key_parameters(
                    input(with_params, a.alias),
                    with_params.len(),
                    or_null(with_params_key, a.fail),
                    params.as_mut_ptr(),
                    a.out,
                    a.cap,
                    a.written,
                );
                if rc == mkc_result::Ok {
                    let p = params.assume_init();
                    assert_eq!(
                        (p.key_type, p.status, p.activation, p.expiry, p.group_count),
                        (0, 1, NOW - 10, NOW + 3600, 1)
                    );
                }
                rc
            }),
        ),
    ));
    let with_params_for_groups = with_params;
    v.push((
        "mkc_mikey_key_parameters_group_id",
        buffer(
            true,
            None,
            Box::new(move |a: Args| unsafe {
                let msg = with_params_for_groups;
                let mut iei = 0u8;
                let rc = mkc_mikey_key_parameters_group_id(
                    input(msg, a.alias),
                    msg.len(),
                    or_null(with_params_key, a.fail),
                    0,
                    &mut iei,
                    a.out,
                    a.cap,
                    a.written,
                );
                if rc == mkc_result::Ok {
                    assert_eq!(iei, 0x5a);
                    assert_eq!(
                        std::slice::from_raw_parts(a.out, *a.written),
                        group_uri.as_bytes()
                    );
                }
                rc
            }),
        ),
    ));
    // The KDF calls of TS 33.180 F.1.4 and F.1.5.
    v.push((
        "mkc_mikey_dpck",
        buffer(
            false,
            Some(16),
            Box::new(move |a: Args| unsafe {
                mkc_mikey_dpck(
                    or_null(input(&key, a.alias), a.fail),
                    16,
                    0x0123_4567,
                    a.out,
                    a.cap,
                )
            }),
        ),
    ));
    v.push((
        "mkc_mikey_signalling_keys",
        buffer(
            false,
            Some(16),
            Box::new(move |a: Args| unsafe {
                // The sweep drives the confidentiality key's buffer; the integrity key's is
                // its own.
                let mut int = [0u8; 16];
                let rc = mkc_mikey_signalling_keys(
                    or_null(input(&key, a.alias), a.fail),
                    16,
                    0x2000_0001,
                    ALICE.as_ptr(),
                    ALICE.len(),
                    a.out,
                    a.cap,
                    int.as_mut_ptr(),
                    int.len(),
                );
                match rc {
                    mkc_result::Ok => assert_ne!(int, [0; 16]),
                    _ => assert_eq!(int, [0; 16]),
                }
                rc
            }),
        ),
    ));
    v.push((
        "mkc_time_unix_to_ntp",
        Sweep::Value {
            call: Box::new(|a: ValArgs| unsafe {
                mkc_time_unix_to_ntp(if a.fail { u64::MAX } else { NOW }, a.out.cast())
            }),
            size: 8,
            optional: false,
            can_fail: true,
            aliasable: false,
        },
    ));
    v.push((
        "mkc_key_period_number",
        Sweep::Value {
            call: Box::new(|a: ValArgs| unsafe {
                mkc_key_period_number(NOW, if a.fail { 0 } else { PERIOD }, 0, a.out.cast())
            }),
            size: 8,
            optional: false,
            can_fail: true,
            aliasable: false,
        },
    ));
    v
}

/// A fresh client of the fixture's configuration, with no material: the import target.
fn empty_client() -> *const mkc_client {
    let mut config = std::mem::MaybeUninit::<mkc_client_config>::uninit();
    let mut client = null_mut();
    unsafe {
        mkc_client_config_init(config.as_mut_ptr());
        let mut config = config.assume_init();
        config.kms_url = s("https://kms.example.org");
        config.user_uri = s(ALICE);
        assert_eq!(mkc_client_new(&config, &mut client), mkc_result::Ok);
    }
    client
}

#[test]
fn every_export_is_swept() {
    let f = fixture();
    let sweeps = sweeps(&f);
    let swept: BTreeSet<String> = sweeps.iter().map(|(n, _)| (*n).to_owned()).collect();
    let exports = header_exports();
    assert!(exports.len() > 60, "header parse found {}", exports.len());
    let missing: Vec<_> = exports.difference(&swept).collect();
    assert!(missing.is_empty(), "exports without a sweep: {missing:?}");
    let stale: Vec<_> = swept.difference(&exports).collect();
    assert!(stale.is_empty(), "sweeps of no export: {stale:?}");
    for (name, sweep) in &sweeps {
        match sweep {
            Sweep::Buffer {
                call,
                written,
                fixed,
                can_fail,
                aliasable,
            } => check_buffer(name, call.as_ref(), *written, *fixed, *can_fail, *aliasable),
            Sweep::Value {
                call,
                size,
                optional,
                can_fail,
                aliasable,
            } => check_value(name, call.as_ref(), *size, *optional, *can_fail, *aliasable),
            Sweep::Constructor(call) => check_constructor(name, call.as_ref()),
            Sweep::NoOutput(call) => {
                assert_eq!(call(true), mkc_result::NullParameter, "{name}: NULL handle");
                let _ = call(false);
            }
            Sweep::Infallible(call) => call(),
        }
    }
}
