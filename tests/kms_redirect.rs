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
