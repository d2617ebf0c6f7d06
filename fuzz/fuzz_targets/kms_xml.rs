//! The KMS XML codec (TS 33.180 Annex D): arbitrary bytes as a KmsResponse and as a
//! KmsRequest. Whatever parses must emit to a document that parses back to the same value
//! (the parser accepts its own output: emit then parse is the identity, up to the one default
//! the emitter fills in: a certificate's or key set's missing `Version` is written "1.1.0").
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcptt_kmc::kms::message::{KmsPayload, KmsResponse};
use mcptt_kmc::kms::xml;

/// `response` as the emitter writes it: missing certificate and key set versions "1.1.0".
fn as_emitted(mut response: KmsResponse) -> KmsResponse {
    let fill = |v: &mut Option<String>| {
        v.get_or_insert_with(|| "1.1.0".into());
    };
    match &mut response.payload {
        KmsPayload::Init(certificate) => fill(&mut certificate.version),
        KmsPayload::KeyProv(sets) => sets.iter_mut().for_each(|s| fill(&mut s.version)),
        KmsPayload::CertCache { certificates, .. } => {
            certificates.iter_mut().for_each(|c| fill(&mut c.version))
        }
        KmsPayload::Error(_) => {}
    }
    response
}

fuzz_target!(|data: &[u8]| {
    if let Ok(response) = xml::parse_response(data) {
        let emitted = xml::emit_response(&response);
        let again = xml::parse_response(emitted.as_bytes())
            .unwrap_or_else(|e| panic!("emitted response refused: {e}\n{}", emitted.as_str()));
        assert_eq!(again, as_emitted(response.clone()), "response round trip");
        assert!(xml::emit_response_checked(&response).is_ok());
    }
    if let Ok(request) = xml::parse_request(data) {
        let emitted = xml::emit_request(&request);
        let again = xml::parse_request(emitted.as_bytes())
            .unwrap_or_else(|e| panic!("emitted request refused: {e}\n{emitted}"));
        assert_eq!(again, request, "request round trip");
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(t) = xml::parse_datetime(text) {
            let formatted = xml::format_datetime(t);
            assert_eq!(
                xml::parse_datetime(&formatted),
                Ok(t),
                "dateTime {formatted}"
            );
        }
    }
});
