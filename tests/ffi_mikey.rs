//! The C contract of the MIKEY exports, called through the `extern "C"` functions: the
//! byte-level create/process with the app's own handles (round trip, hidden identities, views
//! into the message, refusals), new key IDs, and the SDP form.

use std::ptr::{null, null_mut};

use mcptt_kmc::ffi::client::mkc_str;
use mcptt_kmc::ffi::eccsi::*;
use mcptt_kmc::ffi::kms::mkc_kms_params;
use mcptt_kmc::ffi::mikey::*;
use mcptt_kmc::ffi::result::mkc_result;
use mcptt_kmc::ffi::sakke::*;
use mcptt_kmc::kms::Kms;
use mcptt_kmc::kms::issue::KmsDomain;

const ALICE: &str = "sip:alice@example.org";
const BOB: &str = "sip:bob@example.org";
const KMS_URI: &str = "kms.example.org";
const PERIOD: u64 = 2_592_000;
const NOW: u64 = 1_800_000_000;

fn s(text: &str) -> mkc_str {
    mkc_str {
        ptr: text.as_ptr(),
        len: text.len(),
    }
}

fn kms_params() -> mkc_kms_params {
    mkc_kms_params {
        kms_uri: s(KMS_URI),
        key_period_s: PERIOD,
        key_offset_s: 0,
        id_encoding: 0,
    }
}

struct Keys {
    signer: *const mkc_eccsi_signer,
    kpak: *const mkc_eccsi_public,
    z_t: *const mkc_sakke_public,
    bob: *const mkc_sakke_receiver,
    period: u64,
}

fn keys() -> Keys {
    let kms = Kms::generate().unwrap();
    let domain = KmsDomain::new(KMS_URI, PERIOD, 0);
    let period = domain.key_period_for(NOW as i64).unwrap();
    let alice = kms.issue_key_set(&domain, ALICE, period).unwrap();
    let bob = kms.issue_key_set(&domain, BOB, period).unwrap();
    let kpak_bytes = kms.kpak().to_bytes();
    let z_t_bytes = kms.z_t();
    let mut k = Keys {
        signer: null(),
        kpak: null(),
        z_t: null(),
        bob: null(),
        period,
    };
    unsafe {
        let rc = mkc_eccsi_signer_new(
            kpak_bytes.as_ptr(),
            65,
            alice.user_id.as_ptr(),
            32,
            alice.ssk.as_ptr(),
            32,
            alice.pvt.as_ptr(),
            65,
            &mut k.signer,
        );
        assert_eq!(rc, mkc_result::Ok);
        assert_eq!(
            mkc_eccsi_public_new(kpak_bytes.as_ptr(), 65, &mut k.kpak),
            mkc_result::Ok
        );
        assert_eq!(
            mkc_sakke_public_new(z_t_bytes.as_ptr(), 257, &mut k.z_t),
            mkc_result::Ok
        );
        let rc = mkc_sakke_receiver_new(
            z_t_bytes.as_ptr(),
            257,
            bob.user_id.as_ptr(),
            32,
            bob.rsk.as_ptr(),
            257,
            &mut k.bob,
        );
        assert_eq!(rc, mkc_result::Ok);
    }
    k
}

fn create(k: &Keys, key: &[u8; 16], key_id: u32, flags: u32) -> Result<Vec<u8>, mkc_result> {
    let params = mkc_mikey_create_params {
        kind: mkc_mikey_key_kind::Pck as u32,
        key: key.as_ptr(),
        key_len: 16,
        key_id,
        flags,
        now: NOW,
        initiator_uri: s(ALICE),
        initiator_kms: kms_params(),
        responder_uri: s(BOB),
        responder_kms: kms_params(),
    };
    let mut out = vec![0u8; 2048];
    let mut written = 0;
    let to_self = if flags & MKC_MIKEY_SAKKE_TO_SELF != 0 {
        k.z_t
    } else {
        null()
    };
    match unsafe {
        mkc_mikey_create_imessage(
            k.signer,
            k.z_t,
            to_self,
            &params,
            out.as_mut_ptr(),
            out.len(),
            &mut written,
        )
    } {
        mkc_result::Ok => {
            out.truncate(written);
            Ok(out)
        }
        e => Err(e),
    }
}

fn err<T>(r: Result<T, mkc_result>) -> mkc_result {
    match r {
        Err(e) => e,
        Ok(_) => panic!("accepted"),
    }
}

fn process(
    k: &Keys,
    msg: &[u8],
    periods: &[u64],
    named: &str,
    now: u64,
) -> Result<mkc_mikey_key, mkc_result> {
    let receivers: Vec<*const mkc_sakke_receiver> = periods.iter().map(|_| k.bob).collect();
    let mut key = std::mem::MaybeUninit::<mkc_mikey_key>::uninit();
    let rc = unsafe {
        mkc_mikey_process_imessage(
            k.kpak,
            &kms_params(),
            receivers.as_ptr(),
            periods.as_ptr(),
            periods.len(),
            s(BOB),
            &kms_params(),
            now,
            300,
            s(named),
            msg.as_ptr(),
            msg.len(),
            key.as_mut_ptr(),
        )
    };
    if rc == mkc_result::Ok {
        Ok(unsafe { key.assume_init() })
    } else {
        Err(rc)
    }
}

#[test]
fn byte_level_round_trip_with_views_into_the_message() {
    let k = keys();
    let mut key = [0u8; 16];
    let mut key_id = 0u32;
    let rc = unsafe {
        mkc_mikey_new_key(
            mkc_mikey_key_kind::Pck as u32,
            key.as_mut_ptr(),
            16,
            &mut key_id,
        )
    };
    assert_eq!(rc, mkc_result::Ok);
    assert_eq!(key_id >> 28, 1, "PCK purpose tag");

    for flags in [
        0,
        MKC_MIKEY_HIDE_IDENTITIES,
        MKC_MIKEY_HIDE_IDENTITIES | MKC_MIKEY_SAKKE_TO_SELF,
    ] {
        let msg = create(&k, &key, key_id, flags).unwrap();
        let got = process(&k, &msg, &[k.period], "", NOW + 1).unwrap();
        assert_eq!(
            (got.key, got.key_id, got.kind),
            (key, key_id, mkc_mikey_key_kind::Pck as u32)
        );
        assert_eq!(
            (got.period, got.has_guk_id, got.via_sakke_to_self),
            (k.period, 0, 0)
        );
        let rand = unsafe { std::slice::from_raw_parts(got.rand, got.rand_len) };
        assert!(got.rand_len >= 16);
        let inside = msg.as_ptr_range();
        assert!(inside.contains(&got.rand), "RAND points into the message");
        assert!(msg.windows(rand.len()).any(|w| w == rand));
        if flags & MKC_MIKEY_HIDE_IDENTITIES == 0 {
            let uri = unsafe {
                std::slice::from_raw_parts(got.initiator_uri.cast::<u8>(), got.initiator_uri_len)
            };
            assert_eq!(uri, ALICE.as_bytes());
            assert!(inside.contains(&got.initiator_uri.cast::<u8>()));
        } else {
            assert!(got.initiator_uri.is_null());
            let named = process(&k, &msg, &[k.period], ALICE, NOW).unwrap();
            assert_eq!(named.initiator_uri_len, ALICE.len());
            assert_eq!(
                err(process(&k, &msg, &[k.period], BOB, NOW)),
                mkc_result::MikeyAuthenticationFailed
            );
        }
    }
}

#[test]
fn byte_level_refusals() {
    let k = keys();
    let key = [5u8; 16];
    let pck_id = 0x1234_5678;
    let msg = create(&k, &key, pck_id, 0).unwrap();
    assert_eq!(
        err(process(&k, &msg, &[], "", NOW)),
        mkc_result::NoKeyMaterial
    );
    assert_eq!(
        err(process(&k, &msg, &[k.period + 5], "", NOW)),
        mkc_result::NoKeyMaterial
    );
    assert_eq!(
        err(process(&k, &msg, &[k.period], "", NOW + 301)),
        mkc_result::MikeyTimeOutsideWindow
    );
    assert_eq!(
        err(process(&k, &msg[..msg.len() - 1], &[k.period], "", NOW)),
        mkc_result::MikeyMalformed
    );
    let mut tampered = msg.clone();
    let n = tampered.len();
    tampered[n - 40] ^= 1; // inside the signature's s
    assert_eq!(
        err(process(&k, &tampered, &[k.period], "", NOW)),
        mkc_result::VerifyFailed
    );
    // A key ID of another kind, unknown flags, SAKKE-to-self without the initiator's Z_T.
    assert_eq!(
        create(&k, &key, 0x2234_5678, 0).unwrap_err(),
        mkc_result::InvalidParameter
    );
    assert_eq!(
        create(&k, &key, pck_id, 4).unwrap_err(),
        mkc_result::InvalidParameter
    );
    let mut written = 0;
    let mut out = [0u8; 8];
    let params = mkc_mikey_create_params {
        kind: 1,
        key: key.as_ptr(),
        key_len: 15,
        key_id: pck_id,
        flags: 0,
        now: NOW,
        initiator_uri: s(ALICE),
        initiator_kms: kms_params(),
        responder_uri: s(BOB),
        responder_kms: kms_params(),
    };
    let rc = unsafe {
        mkc_mikey_create_imessage(
            k.signer,
            k.z_t,
            null(),
            &params,
            out.as_mut_ptr(),
            8,
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::InvalidLength);
    let params = mkc_mikey_create_params {
        key_len: 16,
        ..params
    };
    let rc = unsafe {
        mkc_mikey_create_imessage(
            k.signer,
            k.z_t,
            null(),
            &params,
            out.as_mut_ptr(),
            8,
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::BufferTooSmall);
    assert!(written > 400 && written < 1000, "{written}");
    let rc = unsafe {
        mkc_mikey_create_imessage(
            null(),
            k.z_t,
            null(),
            &params,
            out.as_mut_ptr(),
            8,
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::NullParameter);
    let rc = unsafe {
        mkc_mikey_create_imessage(
            k.signer,
            k.z_t,
            null(),
            null(),
            out.as_mut_ptr(),
            8,
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::NullParameter);
    let rc = unsafe { mkc_mikey_new_key(9, out.as_mut_ptr(), 16, null_mut()) };
    assert_eq!(rc, mkc_result::NullParameter);
    let mut id = 0;
    assert_eq!(
        unsafe { mkc_mikey_new_key(9, out.as_mut_ptr(), 8, &mut id) },
        mkc_result::InvalidParameter
    );
    assert_eq!(
        unsafe { mkc_mikey_new_key(0, out.as_mut_ptr(), 8, &mut id) },
        mkc_result::BufferTooSmall
    );
}

#[test]
fn sdp_form_round_trips_and_refuses_garbage() {
    let msg = [1u8, 26, 0, 2, 3, 4, 5];
    let mut text = [0u8; 64];
    let mut written = 0;
    let rc = unsafe {
        mkc_mikey_to_sdp(
            msg.as_ptr(),
            msg.len(),
            text.as_mut_ptr().cast(),
            64,
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::Ok);
    assert!(text[..written].starts_with(b"mikey "));
    let mut back = [0u8; 64];
    let mut n = 0;
    let rc =
        unsafe { mkc_mikey_from_sdp(text.as_ptr().cast(), written, back.as_mut_ptr(), 64, &mut n) };
    assert_eq!((rc, &back[..n]), (mkc_result::Ok, &msg[..]));
    let rc = unsafe { mkc_mikey_to_sdp(msg.as_ptr(), msg.len(), null_mut(), 0, &mut written) };
    assert_eq!((rc, written), (mkc_result::BufferTooSmall, 18));
    for bad in ["mikey !!!", "sdes AAAA", ""] {
        let rc = unsafe {
            mkc_mikey_from_sdp(
                bad.as_ptr().cast(),
                bad.len(),
                back.as_mut_ptr(),
                64,
                &mut n,
            )
        };
        assert_eq!(rc, mkc_result::MikeyMalformed, "{bad:?}");
    }
}

/// An output that overlaps an input is refused (README rule): `*key_out` inside the message,
/// and `msg_out` over the `*params` struct (found in review).
#[test]
fn outputs_overlapping_inputs_are_refused() {
    let k = keys();
    let key = [7u8; 16];
    let msg = create(&k, &key, 0x1234_5678, 0).unwrap();
    // The message in an 8-aligned buffer, `key_out` 16 octets into it.
    let mut store = vec![0u64; msg.len().div_ceil(8)];
    let base = store.as_mut_ptr().cast::<u8>();
    unsafe { std::ptr::copy_nonoverlapping(msg.as_ptr(), base, msg.len()) };
    let key_out = unsafe { base.add(16) }.cast::<mkc_mikey_key>();
    let receivers = [k.bob];
    let periods = [k.period];
    let rc = unsafe {
        mkc_mikey_process_imessage(
            k.kpak,
            &kms_params(),
            receivers.as_ptr(),
            periods.as_ptr(),
            1,
            s(BOB),
            &kms_params(),
            NOW,
            300,
            s(""),
            base,
            msg.len(),
            key_out,
        )
    };
    assert_eq!(rc, mkc_result::InvalidParameter);
    let copy: Vec<u8> = unsafe { std::slice::from_raw_parts(base, msg.len()) }.to_vec();
    assert_eq!(copy, msg, "the message is untouched");

    let mut params_store = vec![0u64; 256];
    let params_at = params_store.as_mut_ptr().cast::<u8>();
    let params = params_at.cast::<mkc_mikey_create_params>();
    unsafe {
        params.write(mkc_mikey_create_params {
            kind: mkc_mikey_key_kind::Pck as u32,
            key: key.as_ptr(),
            key_len: 16,
            key_id: 0x1234_5678,
            flags: 0,
            now: NOW,
            initiator_uri: s(ALICE),
            initiator_kms: kms_params(),
            responder_uri: s(BOB),
            responder_kms: kms_params(),
        })
    };
    let mut written = 0;
    let rc = unsafe {
        mkc_mikey_create_imessage(
            k.signer,
            k.z_t,
            null(),
            params,
            params_at,
            2048,
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::InvalidParameter);
}

/// The KMS XML writers refuse what the KMS interface cannot carry instead of writing a
/// document no client reads (found in review).
#[test]
fn kms_xml_writers_refuse_values_the_interface_cannot_carry() {
    use mcptt_kmc::ffi::kms::*;
    let mut kms: *const mkc_kms = null();
    assert_eq!(unsafe { mkc_kms_new_random(&mut kms) }, mkc_result::Ok);
    let init = |p: &mkc_kms_params, now: u64| {
        let mut out = vec![0u8; 16384];
        let mut written = 0;
        unsafe {
            mkc_kms_init_response_xml(
                kms,
                p,
                s(ALICE),
                s("u"),
                now,
                out.as_mut_ptr(),
                out.len(),
                &mut written,
            )
        }
    };
    assert_eq!(init(&kms_params(), NOW), mkc_result::Ok);
    let p = mkc_kms_params {
        key_period_s: 1 << 32,
        ..kms_params()
    };
    assert_eq!(init(&p, NOW), mkc_result::InvalidParameter);
    let p = mkc_kms_params {
        key_offset_s: 1 << 33,
        ..kms_params()
    };
    assert_eq!(init(&p, NOW), mkc_result::InvalidParameter);
    assert_eq!(
        init(&kms_params(), 400_000_000_000),
        mkc_result::InvalidParameter
    );
    let mut out = vec![0u8; 16384];
    let mut written = 0;
    let rc = unsafe {
        mkc_kms_keyprov_response_xml(
            kms,
            &kms_params(),
            s(ALICE),
            s("u"),
            NOW,
            1 << 32,
            out.as_mut_ptr(),
            out.len(),
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::InvalidParameter);
    unsafe { mkc_kms_free(kms) };
}
