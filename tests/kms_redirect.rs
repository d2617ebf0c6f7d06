//! The KMS Redirect Response parser through the public API (TS 33.180 5.2.8, D.4; element
//! names assumed, see `mcptt_kmc::kms::xml::krr`).

use mcptt_kmc::kms::xml::{XmlError, emit_kms_redirect};
use mcptt_kmc::kms::{KRR_CONTENT_TYPE, KRR_NAMESPACE, KmsRedirect, parse_kms_redirect};

#[test]
fn a_krr_names_the_acceptable_kms_uris() {
    assert_eq!(
        KRR_CONTENT_TYPE,
        "application/vnd.3gpp.kmsredirectresponse+xml"
    );
    let body = format!(
        "<KmsRedirectResponse xmlns='{KRR_NAMESPACE}'>\
           <InitiatorUri>sip:alice@example.org</InitiatorUri>\
           <ReceiverUri>sip:carol@partner.example.net</ReceiverUri>\
           <ReceiverKmsUri>kms.example.org</ReceiverKmsUri>\
           <AcceptableReceiverKmsUris><KmsUri>partner.example.net</KmsUri></AcceptableReceiverKmsUris>\
         </KmsRedirectResponse>"
    );
    let krr = parse_kms_redirect(body.as_bytes()).unwrap();
    assert_eq!(krr.acceptable_receiver_kms_uris, ["partner.example.net"]);
    assert_eq!(krr.receiver_kms_uri.as_deref(), Some("kms.example.org"));
    assert_eq!(
        parse_kms_redirect(emit_kms_redirect(&krr).as_bytes()).unwrap(),
        krr
    );

    let refused: [(&str, XmlError); 3] = [
        (
            "<KmsRedirectResponse/>",
            XmlError::NoNamespace("KmsRedirectResponse".into()),
        ),
        (
            "<KmsResponse xmlns='urn:3gpp:ns:mcsecKMSInterface:1.0'/>",
            XmlError::UnexpectedRoot("KmsResponse".into()),
        ),
        (
            "<KmsRedirectResponse xmlns='urn:3gpp:ns:mcsecKMSKRR:1.0'/>",
            XmlError::MissingChoice("KmsRedirectResponse"),
        ),
    ];
    for (body, error) in refused {
        assert_eq!(parse_kms_redirect(body.as_bytes()), Err(error), "{body}");
    }
    let _: fn(&[u8]) -> Result<KmsRedirect, XmlError> = parse_kms_redirect;
}

/// The C export: the list as NUL-terminated URIs, the count, the output rule.
#[test]
fn the_c_export_writes_the_list_and_follows_the_output_rule() {
    use mcptt_kmc::ffi::krr::{
        MKC_KRR_INITIATOR_KMS_URIS, MKC_KRR_RECEIVER_KMS_URIS, mkc_kms_redirect_kms_uris,
    };
    use mcptt_kmc::ffi::result::mkc_result;
    let body = format!(
        "<KmsRedirectResponse xmlns='{KRR_NAMESPACE}'>\
           <InitiatorUri>sip:alice@example.org</InitiatorUri>\
           <ReceiverUri>sip:carol@partner.example.net</ReceiverUri>\
           <AcceptableReceiverKmsUris><KmsUri>partner.example.net</KmsUri>\
             <KmsUri>kms.example.com</KmsUri></AcceptableReceiverKmsUris>\
         </KmsRedirectResponse>"
    );
    let call = |body: &[u8], which: u32, out: &mut [u8], count: &mut usize| {
        let mut written = 77usize;
        let rc = unsafe {
            mkc_kms_redirect_kms_uris(
                body.as_ptr(),
                body.len(),
                which,
                out.as_mut_ptr(),
                out.len(),
                &mut written,
                count,
            )
        };
        (rc, written)
    };
    let expected = b"partner.example.net\0kms.example.com\0";
    let mut out = [0xAAu8; 64];
    let mut count = 9;
    let (rc, written) = call(
        body.as_bytes(),
        MKC_KRR_RECEIVER_KMS_URIS,
        &mut out,
        &mut count,
    );
    assert_eq!((rc, written, count), (mkc_result::Ok, expected.len(), 2));
    assert_eq!(&out[..written], expected);
    // No initiator list: empty, count 0.
    let (rc, written) = call(
        body.as_bytes(),
        MKC_KRR_INITIATOR_KMS_URIS,
        &mut out,
        &mut count,
    );
    assert_eq!((rc, written, count), (mkc_result::Ok, 0, 0));
    // Too small: untouched, the size needed, count untouched.
    let mut small = [0xAAu8; 10];
    count = 9;
    let (rc, written) = call(
        body.as_bytes(),
        MKC_KRR_RECEIVER_KMS_URIS,
        &mut small,
        &mut count,
    );
    assert_eq!(
        (rc, written, count),
        (mkc_result::BufferTooSmall, expected.len(), 9)
    );
    assert!(small.iter().all(|&b| b == 0xAA));
    // Malformed, or an unknown list: outputs zeroed.
    for (body, which, want) in [
        (
            &b"<KmsRedirectResponse/>"[..],
            MKC_KRR_RECEIVER_KMS_URIS,
            mkc_result::KmsRedirectMalformed,
        ),
        (body.as_bytes(), 2, mkc_result::InvalidParameter),
    ] {
        let mut out = [0xAAu8; 64];
        count = 9;
        let (rc, written) = call(body, which, &mut out, &mut count);
        assert_eq!((rc, written, count), (want, 0, 0));
        assert!(out.iter().all(|&b| b == 0));
    }
    // The count may be NULL.
    let mut written = 0usize;
    let rc = unsafe {
        mkc_kms_redirect_kms_uris(
            body.as_ptr(),
            body.len(),
            MKC_KRR_RECEIVER_KMS_URIS,
            out.as_mut_ptr(),
            out.len(),
            &mut written,
            std::ptr::null_mut(),
        )
    };
    assert_eq!((rc, written), (mkc_result::Ok, expected.len()));
}
