//! The C contract of the provisioning client (`mkc_client_*`), called through the `extern "C"`
//! functions from Rust: config defaults, refused configurations, NULL rules, the tagged output
//! and its borrowed views, unknown request ids, a full provisioning through the C API against
//! the in-process issuance, sign/verify/encapsulate/decapsulate, size queries, and the key
//! store (wrong key, tampering: client unchanged).

use std::ffi::CStr;
use std::ptr::{null, null_mut};

use mcptt_kmc::ffi::client::*;
use mcptt_kmc::ffi::result::mkc_result;
use mcptt_kmc::kms::Kms;
use mcptt_kmc::kms::issue::KmsDomain;
use mcptt_kmc::kms::message::{KmsPayload, KmsResponse};
use mcptt_kmc::kms::xml;

const ALICE: &str = "sip:alice@example.org";
const NOW: u64 = 1_800_000_000;

fn s(text: &str) -> mkc_str {
    mkc_str {
        ptr: text.as_ptr(),
        len: text.len(),
    }
}

fn config(url: &'static str) -> mkc_client_config {
    let mut c = std::mem::MaybeUninit::<mkc_client_config>::uninit();
    assert_eq!(
        unsafe { mkc_client_config_init(c.as_mut_ptr()) },
        mkc_result::Ok
    );
    let mut c = unsafe { c.assume_init() };
    c.kms_url = s(url);
    c.user_uri = s(ALICE);
    c.expected_kms_uri = s("kms.example.org");
    c
}

fn new_client(c: &mkc_client_config) -> Result<*mut mkc_client, mkc_result> {
    let mut out: *mut mkc_client = null_mut();
    match unsafe { mkc_client_new(c, &mut out) } {
        mkc_result::Ok => Ok(out),
        e => {
            assert!(out.is_null(), "out set on failure");
            Err(e)
        }
    }
}

fn poll(client: *mut mkc_client) -> mkc_output {
    let mut out = std::mem::MaybeUninit::<mkc_output>::uninit();
    assert_eq!(
        unsafe { mkc_client_poll_output(client, NOW, out.as_mut_ptr()) },
        mkc_result::Ok
    );
    unsafe { out.assume_init() }
}

fn response(payload: KmsPayload) -> Vec<u8> {
    let r = KmsResponse {
        user_uri: ALICE.into(),
        kms_uri: "kms.example.org".into(),
        time: None,
        kms_id: None,
        client_req_url: "u".into(),
        payload,
    };
    xml::emit_response(&r).as_bytes().to_vec()
}

#[test]
fn defaults_and_refused_configurations() {
    let c = config("https://kms.example.org");
    assert_eq!(c.prefetch_s, 86_400);
    assert_eq!(c.max_attempts, 8);
    assert_eq!(c.id_encoding, mkc_id_encoding::RawUid as u32);
    assert_eq!(
        unsafe { mkc_client_config_init(null_mut()) },
        mkc_result::NullParameter
    );
    assert_eq!(
        new_client(&config("http://kms.example.org")).unwrap_err(),
        mkc_result::InvalidConfig
    );
    let mut insecure = config("http://kms.example.org");
    insecure.allow_insecure_http = 1;
    unsafe { mkc_client_free(new_client(&insecure).unwrap()) };
    let mut bad = config("https://kms.example.org");
    bad.id_encoding = 7;
    assert_eq!(new_client(&bad).unwrap_err(), mkc_result::InvalidConfig);
    bad.id_encoding = 0;
    bad.extra_identity_count = 1;
    assert_eq!(new_client(&bad).unwrap_err(), mkc_result::NullParameter);
    let not_utf8 = [0xffu8, 0xfe];
    bad.extra_identity_count = 0;
    bad.user_uri = mkc_str {
        ptr: not_utf8.as_ptr(),
        len: 2,
    };
    assert_eq!(new_client(&bad).unwrap_err(), mkc_result::InvalidParameter);
    let mut out: *mut mkc_client = null_mut();
    assert_eq!(
        unsafe { mkc_client_new(null(), &mut out) },
        mkc_result::NullParameter
    );
    unsafe { mkc_client_free(null_mut()) };
}

#[test]
fn provisions_and_uses_material_through_the_c_api() {
    let kms = Kms::generate().unwrap();
    let domain = KmsDomain::new("kms.example.org", 2_592_000, 0);
    let client = new_client(&config("https://kms.example.org")).unwrap();

    let first = poll(client);
    assert_eq!(first.kind, mkc_output_kind::Event as u32);
    assert_eq!(first.event.kind, mkc_event_kind::AccessTokenNeeded as u32);
    assert_eq!(poll(client).kind, mkc_output_kind::None as u32);
    assert_eq!(
        unsafe { mkc_client_set_access_token(client, b"a\nb".as_ptr(), 3) },
        mkc_result::InvalidParameter
    );
    assert_eq!(
        unsafe { mkc_client_set_access_token(client, b"tok".as_ptr(), 3) },
        mkc_result::Ok
    );

    let mut installed = 0;
    let mut ready = 0;
    for _ in 0..20 {
        let out = poll(client);
        match out.kind {
            k if k == mkc_output_kind::Request as u32 => {
                let r = out.request;
                let url = unsafe { CStr::from_ptr(r.url) }.to_str().unwrap();
                assert_eq!(url.len(), r.url_len);
                assert_eq!(
                    unsafe { CStr::from_ptr(r.method) }.to_str().unwrap(),
                    "POST"
                );
                let headers = unsafe { std::slice::from_raw_parts(r.headers, r.header_count) };
                let auth = unsafe { CStr::from_ptr(headers[0].value) }
                    .to_str()
                    .unwrap();
                assert_eq!(auth, "Bearer tok");
                assert!(r.body_len > 0 && !r.body.is_null());
                assert_eq!(
                    unsafe { mkc_client_handle_response(client, NOW, r.id + 100, 200, null(), 0) },
                    mkc_result::UnknownRequest
                );
                let body = if url.ends_with("/init") {
                    response(KmsPayload::Init(kms.certificate(&domain)))
                } else {
                    let n = domain.key_period_for(NOW as i64).unwrap();
                    response(KmsPayload::KeyProv(vec![
                        kms.issue_key_set(&domain, ALICE, n).unwrap(),
                    ]))
                };
                let rc = unsafe {
                    mkc_client_handle_response(client, NOW, r.id, 200, body.as_ptr(), body.len())
                };
                assert_eq!(rc, mkc_result::Ok);
            }
            k if k == mkc_output_kind::Event as u32 => {
                let e = out.event;
                if e.kind == mkc_event_kind::CertificateInstalled as u32 {
                    installed += 1;
                    assert_eq!(
                        unsafe { CStr::from_ptr(e.text) }.to_str().unwrap(),
                        "kms.example.org"
                    );
                }
                if e.kind == mkc_event_kind::KeyMaterialReady as u32 {
                    ready += 1;
                    assert_eq!(
                        unsafe { CStr::from_ptr(e.identity) }.to_str().unwrap(),
                        ALICE
                    );
                    assert_eq!((e.can_sign, e.can_decrypt, e.has_period), (1, 1, 1));
                    assert!(e.start <= NOW && NOW < e.end);
                }
            }
            k => {
                assert_eq!(k, mkc_output_kind::WakeUp as u32);
                assert!(poll(client).wake_up_at > NOW);
                break;
            }
        }
    }
    assert_eq!((installed, ready), (1, 1));

    let (mut period, mut start, mut end) = (0, 0, 0);
    assert_eq!(
        unsafe { mkc_client_key_period(client, NOW, &mut period, &mut start, &mut end) },
        mkc_result::Ok
    );
    assert_eq!(period, domain.key_period_for(NOW as i64).unwrap());
    let mut uid = [0u8; 32];
    let rc = unsafe {
        mkc_client_uid(
            client,
            ALICE.as_ptr(),
            ALICE.len(),
            NOW,
            uid.as_mut_ptr(),
            32,
        )
    };
    assert_eq!(rc, mkc_result::Ok);
    assert_eq!(uid, domain.uid(ALICE, period).unwrap());

    let msg = b"hello";
    let mut sig = [0u8; 129];
    let mut written = 0usize;
    let rc = unsafe {
        mkc_client_sign(
            client,
            ALICE.as_ptr(),
            ALICE.len(),
            NOW,
            msg.as_ptr(),
            5,
            sig.as_mut_ptr(),
            10,
            &mut written,
        )
    };
    assert_eq!((rc, written), (mkc_result::BufferTooSmall, 129));
    let rc = unsafe {
        mkc_client_sign(
            client,
            ALICE.as_ptr(),
            ALICE.len(),
            NOW,
            msg.as_ptr(),
            5,
            sig.as_mut_ptr(),
            129,
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::Ok);
    let verify = |m: &[u8]| unsafe {
        mkc_client_verify(
            client,
            ALICE.as_ptr(),
            ALICE.len(),
            NOW,
            m.as_ptr(),
            m.len(),
            sig.as_ptr(),
            129,
        )
    };
    assert_eq!(verify(msg), mkc_result::Ok);
    assert_eq!(verify(b"hellO"), mkc_result::VerifyFailed);
    let bob = "sip:bob@example.org";
    let rc = unsafe {
        mkc_client_sign(
            client,
            bob.as_ptr(),
            bob.len(),
            NOW,
            msg.as_ptr(),
            5,
            sig.as_mut_ptr(),
            129,
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::NoKeyMaterial);

    let ssv = [9u8; 16];
    let mut sed = [0u8; 273];
    let rc = unsafe {
        mkc_client_encapsulate(
            client,
            ALICE.as_ptr(),
            ALICE.len(),
            NOW,
            ssv.as_ptr(),
            16,
            sed.as_mut_ptr(),
            273,
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::Ok);
    let mut out = [0u8; 16];
    let rc = unsafe {
        mkc_client_decapsulate(
            client,
            ALICE.as_ptr(),
            ALICE.len(),
            NOW,
            sed.as_ptr(),
            273,
            out.as_mut_ptr(),
            16,
            &mut written,
        )
    };
    assert_eq!((rc, out), (mkc_result::Ok, ssv));

    // Key store: size query, export, wrong key and tampering refused, client unchanged.
    let key = [3u8; 32];
    let rc = unsafe { mkc_client_export(client, key.as_ptr(), 32, null_mut(), 0, &mut written) };
    assert_eq!(rc, mkc_result::BufferTooSmall);
    let mut blob = vec![0u8; written];
    let rc = unsafe {
        mkc_client_export(
            client,
            key.as_ptr(),
            32,
            blob.as_mut_ptr(),
            blob.len(),
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::Ok);
    let wrong = [4u8; 32];
    let import = |k: &[u8], b: &[u8]| unsafe {
        mkc_client_import(
            client,
            NOW,
            k.as_ptr(),
            k.len(),
            b.as_ptr(),
            b.len(),
            null_mut(),
        )
    };
    assert_eq!(import(&wrong, &blob), mkc_result::StoreAuthenticationFailed);
    assert_eq!(import(&key[..31], &blob), mkc_result::InvalidLength);
    let mut tampered = blob.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert_eq!(
        import(&key, &tampered),
        mkc_result::StoreAuthenticationFailed
    );
    assert_eq!(import(&key, b"nope"), mkc_result::InvalidStore);
    let rc = unsafe {
        mkc_client_decapsulate(
            client,
            ALICE.as_ptr(),
            ALICE.len(),
            NOW,
            sed.as_ptr(),
            273,
            out.as_mut_ptr(),
            16,
            &mut written,
        )
    };
    assert_eq!(
        rc,
        mkc_result::Ok,
        "failed imports left the client unchanged"
    );
    assert_eq!(import(&key, &blob), mkc_result::Ok);
    unsafe { mkc_client_free(client) };
}

/// The KMS side in C: `mkc_kms_init_response_xml` and `mkc_kms_keyprov_response_xml` answer a
/// client's requests, and the client validates and installs what they wrote.
#[test]
fn kms_responses_written_through_the_c_api_provision_a_client() {
    use mcptt_kmc::ffi::kms::*;
    let mut kms: *const mkc_kms = std::ptr::null();
    assert_eq!(unsafe { mkc_kms_new_random(&mut kms) }, mkc_result::Ok);
    let params = mkc_kms_params {
        kms_uri: s("kms.example.org"),
        key_period_s: 2_592_000,
        key_offset_s: 0,
        id_encoding: 0,
    };
    let client = new_client(&config("https://kms.example.org")).unwrap();
    assert_eq!(
        unsafe { mkc_client_set_access_token(client, b"t".as_ptr(), 1) },
        mkc_result::Ok
    );
    let mut ready = 0;
    for _ in 0..20 {
        let out = poll(client);
        if out.kind == mkc_output_kind::Event as u32 {
            ready += u32::from(out.event.kind == mkc_event_kind::KeyMaterialReady as u32);
            continue;
        }
        if out.kind != mkc_output_kind::Request as u32 {
            break;
        }
        let r = out.request;
        let url = unsafe { CStr::from_ptr(r.url) }
            .to_str()
            .unwrap()
            .to_owned();
        let mut xml = vec![0u8; 8192];
        let mut written = 0;
        let rc = if url.ends_with("/init") {
            let mut small = 0;
            let rc = unsafe {
                mkc_kms_init_response_xml(
                    kms,
                    &params,
                    s(ALICE),
                    s(&url),
                    NOW,
                    null_mut(),
                    0,
                    &mut small,
                )
            };
            assert_eq!(rc, mkc_result::BufferTooSmall);
            assert!(small > 1000);
            unsafe {
                mkc_kms_init_response_xml(
                    kms,
                    &params,
                    s(ALICE),
                    s(&url),
                    NOW,
                    xml.as_mut_ptr(),
                    xml.len(),
                    &mut written,
                )
            }
        } else {
            let period = (NOW + mcptt_kmc::time::NTP_UNIX_OFFSET) / 2_592_000;
            unsafe {
                mkc_kms_keyprov_response_xml(
                    kms,
                    &params,
                    s(ALICE),
                    s(&url),
                    NOW,
                    period,
                    xml.as_mut_ptr(),
                    xml.len(),
                    &mut written,
                )
            }
        };
        assert_eq!(rc, mkc_result::Ok);
        let rc =
            unsafe { mkc_client_handle_response(client, NOW, r.id, 200, xml.as_ptr(), written) };
        assert_eq!(rc, mkc_result::Ok);
    }
    assert_eq!(ready, 1);
    let bad = mkc_kms_params {
        key_period_s: 0,
        ..params
    };
    let mut xml = [0u8; 16];
    let mut written = 0;
    let rc = unsafe {
        mkc_kms_init_response_xml(
            kms,
            &bad,
            s(ALICE),
            s("u"),
            NOW,
            xml.as_mut_ptr(),
            16,
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::InvalidParameter);
    let rc = unsafe {
        mkc_kms_init_response_xml(
            kms,
            null(),
            s(ALICE),
            s("u"),
            NOW,
            xml.as_mut_ptr(),
            16,
            &mut written,
        )
    };
    assert_eq!(rc, mkc_result::NullParameter);
    unsafe {
        mkc_client_free(client);
        mkc_kms_free(kms);
    }
}
