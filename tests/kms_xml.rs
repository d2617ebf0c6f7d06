//! The TS 33.180 Annex D KMS XML codec: real fixtures, tolerated variants, every refusal with
//! its specific error, round trips, and a malformed-input sweep.

use base64ct::{Base64, Base64Unpadded, Encoding};
use mcptt_kmc::kms::message::*;
use mcptt_kmc::kms::xml::*;
use proptest::prelude::*;
use zeroize::Zeroizing;

const INIT: &[u8] = include_bytes!("fixtures/kms/init-response-1.xml");
const KEYPROV: &[u8] = include_bytes!("fixtures/kms/keyprov-response-1.xml");
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

// ---------------------------------------------------------------------------------------------
// Helpers

fn text(doc: &[u8]) -> &str {
    std::str::from_utf8(doc).unwrap()
}

/// `doc` with the first `from` replaced by `to` (which must be there).
fn swap(doc: &[u8], from: &str, to: &str) -> Vec<u8> {
    let doc = text(doc);
    assert!(doc.contains(from), "fixture lacks {from:?}");
    doc.replacen(from, to, 1).into_bytes()
}

/// `doc` with every `from` replaced by `to`.
fn swap_all(doc: &[u8], from: &str, to: &str) -> Vec<u8> {
    let doc = text(doc);
    assert!(doc.contains(from), "fixture lacks {from:?}");
    doc.replace(from, to).into_bytes()
}

/// The text of the first `<tag>…</tag>` of `doc`.
fn inner<'a>(doc: &'a [u8], tag: &str) -> &'a str {
    let doc = text(doc);
    let start = doc.find(&format!("<{tag}>")).unwrap() + tag.len() + 2;
    let end = start + doc[start..].find(&format!("</{tag}>")).unwrap();
    &doc[start..end]
}

fn err(doc: &[u8]) -> XmlError {
    parse_response(doc).expect_err("document must be refused")
}

fn init() -> KmsResponse {
    parse_response(INIT).unwrap()
}

fn keyprov() -> KmsResponse {
    parse_response(KEYPROV).unwrap()
}

fn certificate(response: &KmsResponse) -> &KmsCertificate {
    match &response.payload {
        KmsPayload::Init(certificate) => certificate,
        other => panic!("not an init response: {other:?}"),
    }
}

fn key_sets(response: &KmsResponse) -> &[KmsKeySet] {
    match &response.payload {
        KmsPayload::KeyProv(key_sets) => key_sets,
        other => panic!("not a keyprov response: {other:?}"),
    }
}

/// A response document around `inner`, KMS namespace as default.
fn response_doc(inner: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><KmsResponse xmlns="{KMS_NAMESPACE}" xmlns:xsi="{XSI}">{inner}</KmsResponse>"#
    )
    .into_bytes()
}

/// Envelope children of a response, then `message` (`<KmsMessage>…` or `<KmsError>…`).
fn envelope(message: &str) -> Vec<u8> {
    response_doc(&format!(
        "<UserUri>alice@org.com</UserUri><KmsUri>localhost:8080</KmsUri>\
         <Time>2021-05-17T13:25:16</Time>\
         <ClientReqUrl>http://localhost:8080/keymanagement/identity/v1/keyprov</ClientReqUrl>{message}"
    ))
}

/// `KmsKeySet` children of the keyprov fixture, as (name, text), in schema order.
fn fixture_key_set_children() -> Vec<(&'static str, String)> {
    [
        "KmsUri",
        "UserUri",
        "UserID",
        "KeyPeriodNo",
        "UserDecryptKey",
        "UserSigningKeySSK",
        "UserPubTokenPVT",
    ]
    .into_iter()
    .map(|name| {
        let doc = &KEYPROV[KEYPROV.windows(9).position(|w| w == b"KmsKeySet").unwrap()..];
        (name, inner(doc, name).to_owned())
    })
    .collect()
}

fn elements(children: &[(&str, String)]) -> String {
    children
        .iter()
        .map(|(name, value)| format!("<{name}>{value}</{name}>"))
        .collect()
}

/// A key provisioning response with the fixture's key set children given.
fn key_set_doc(children: &[(&str, String)]) -> Vec<u8> {
    envelope(&format!(
        r#"<KmsMessage><KmsKeyProv Version="1.0.0"><KmsKeySet Version="1.1.0">{}</KmsKeySet></KmsKeyProv></KmsMessage>"#,
        elements(children)
    ))
}

/// The fixture key set with child `name` replaced by `value` (or removed when `None`).
fn key_set_with(name: &str, value: Option<&str>) -> Vec<u8> {
    let mut children = fixture_key_set_children();
    match value {
        Some(value) => children.iter_mut().find(|(n, _)| *n == name).unwrap().1 = value.into(),
        None => children.retain(|(n, _)| *n != name),
    }
    key_set_doc(&children)
}

/// The init fixture with `<name>…</name>` replaced by `<name>value</name>`.
fn init_with(name: &str, value: &str) -> Vec<u8> {
    let old = format!("<{name}>{}</{name}>", inner(INIT, name));
    swap(INIT, &old, &format!("<{name}>{value}</{name}>"))
}

fn bad_value(element: &'static str) -> impl Fn(XmlError) {
    move |error| match error {
        XmlError::BadValue { element: e, .. } if e == element => {}
        other => panic!("expected BadValue for {element}, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The fixtures

#[test]
fn init_fixture_parses() {
    let response = init();
    assert_eq!(response.user_uri, "alice@org.com");
    assert_eq!(response.kms_uri, "localhost:8080");
    assert_eq!(response.time, Some(1_620_645_782)); // 2021-05-10T11:23:02 UTC
    assert_eq!(response.kms_id, None);
    assert_eq!(
        response.client_req_url,
        "http://localhost:8080/keymanagement/identity/v1/init"
    );
    let cert = certificate(&response);
    assert_eq!(cert.version.as_deref(), Some("1.1.0"));
    assert_eq!(cert.role, CertificateRole::Root);
    assert_eq!(cert.kms_uri, "localhost:8080");
    assert_eq!(cert.user_id_format, "2");
    assert_eq!(cert.user_key_period, 2_592_000);
    assert_eq!(cert.user_key_offset, 0);
    assert_eq!(cert.pub_enc_key.len(), 257);
    assert_eq!(cert.pub_enc_key[0], 0x04);
    assert_eq!(&cert.pub_enc_key[1..4], &[0x59, 0x58, 0xEF]);
    assert_eq!(cert.pub_auth_key.len(), 65);
    assert_eq!(cert.pub_auth_key[0], 0x04);
    assert_eq!(cert.parameter_set, None);
    assert!(cert.kms_domains.is_empty());
    assert_eq!(
        (&cert.cert_uri, &cert.issuer, cert.valid_from, cert.revoked),
        (&None, &None, None, false)
    );
}

#[test]
fn keyprov_fixture_parses_and_its_uid_recomputes() {
    let response = keyprov();
    assert_eq!(response.time, Some(1_621_257_916)); // 2021-05-17T13:25:16 UTC
    let sets = key_sets(&response);
    assert_eq!(sets.len(), 1);
    let set = &sets[0];
    assert_eq!(set.version.as_deref(), Some("1.1.0"));
    assert_eq!(set.kms_uri, "localhost:8080");
    assert_eq!(set.user_uri, "alice@org.com");
    assert_eq!(set.key_period_no, 625);
    assert!(!set.revoked);
    assert_eq!(set.ssk.len(), 32);
    assert_eq!(set.pvt.len(), 65);
    assert_eq!(set.rsk.len(), 257);
    assert_eq!(set.ssk[0], 0xD3);
    let uid =
        mcptt_kmc::uid::derive_uid(b"alice@org.com", b"localhost:8080", 2_592_000, 0, 625).unwrap();
    assert_eq!(set.user_id, uid);
}

#[test]
fn fixture_key_set_does_not_validate_against_fixture_certificate() {
    let init = init();
    let cert = certificate(&init);
    let keyprov = keyprov();
    let set = &key_sets(&keyprov)[0];
    assert!(
        mcptt_kmc::eccsi::Signer::new(&cert.pub_auth_key, &set.user_id, &set.ssk, &set.pvt)
            .is_err()
    );
    assert!(
        mcptt_kmc::sakke::SakkeReceiver::new(&cert.pub_enc_key, &set.user_id, &set.rsk).is_err()
    );
}

// ---------------------------------------------------------------------------------------------
// Tolerated variants

/// Puts every element of `doc` under prefix `k`, bound to the KMS namespace.
fn prefixed(doc: &[u8]) -> Vec<u8> {
    let doc = text(doc).replace(
        &format!("xmlns=\"{KMS_NAMESPACE}\""),
        &format!("xmlns:k=\"{KMS_NAMESPACE}\""),
    );
    let mut out = String::new();
    let mut chars = doc.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '<' {
            if chars.peek() == Some(&'/') {
                out.push(chars.next().unwrap());
            }
            if chars.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                out.push_str("k:");
            }
        }
    }
    out.into_bytes()
}

#[test]
fn prefixed_namespace() {
    let doc = prefixed(KEYPROV);
    assert!(text(&doc).contains("<k:KmsResponse xmlns:k="));
    assert!(text(&doc).contains("</k:UserSigningKeySSK>"));
    assert_eq!(parse_response(&doc).unwrap(), keyprov());
    assert_eq!(parse_response(&prefixed(INIT)).unwrap(), init());
    // Another prefix for the same namespace on one inner element.
    let doc = swap(
        KEYPROV,
        "<KeyPeriodNo>625</KeyPeriodNo>",
        &format!(r#"<q:KeyPeriodNo xmlns:q="{KMS_NAMESPACE}">625</q:KeyPeriodNo>"#),
    );
    assert_eq!(parse_response(&doc).unwrap(), keyprov());
}

#[test]
fn reversed_element_order() {
    let mut children = fixture_key_set_children();
    children.reverse();
    let doc = response_doc(&format!(
        r#"<KmsMessage><KmsKeyProv xsi:type="KmsKeyProvTkIkType" Version="1.0.0"><KmsKeySet Version="1.1.0">{}</KmsKeySet></KmsKeyProv></KmsMessage><ClientReqUrl>http://localhost:8080/keymanagement/identity/v1/keyprov</ClientReqUrl><Time>2021-05-17T13:25:16</Time><KmsUri>localhost:8080</KmsUri><UserUri>alice@org.com</UserUri>"#,
        elements(&children)
    ));
    assert_eq!(parse_response(&doc).unwrap(), keyprov());

    let cert = [
        "PubAuthKey",
        "PubEncKey",
        "UserKeyOffset",
        "UserKeyPeriod",
        "UserIdFormat",
        "KmsUri",
    ]
    .map(|name| format!("<{name}>{}</{name}>", inner(INIT, name)))
    .concat();
    let doc = response_doc(&format!(
        r#"<KmsMessage><KmsInit Version="1.0.0"><KmsCertificate Role="Root" Version="1.1.0">{cert}</KmsCertificate></KmsInit></KmsMessage><ClientReqUrl>http://localhost:8080/keymanagement/identity/v1/init</ClientReqUrl><Time>2021-05-10T11:23:02</Time><KmsUri>localhost:8080</KmsUri><UserUri>alice@org.com</UserUri>"#
    ));
    assert_eq!(parse_response(&doc).unwrap(), init());
}

#[test]
fn lower_case_and_mixed_case_hex() {
    let mut children = fixture_key_set_children();
    for (name, value) in &mut children {
        if matches!(*name, "UserID" | "UserDecryptKey" | "UserSigningKeySSK") {
            *value = value.to_lowercase();
        }
        if *name == "UserPubTokenPVT" {
            // Alternate case.
            *value = value
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if i % 2 == 0 {
                        c.to_ascii_lowercase()
                    } else {
                        c
                    }
                })
                .collect();
        }
    }
    assert_eq!(parse_response(&key_set_doc(&children)).unwrap(), keyprov());
    let doc = init_with("PubEncKey", &inner(INIT, "PubEncKey").to_lowercase());
    assert_eq!(parse_response(&doc).unwrap(), init());
}

#[test]
fn base64_user_id_and_keys() {
    let expected = keyprov();
    let set = &key_sets(&expected)[0];
    let b64 = |octets: &[u8]| {
        let mut buf = vec![0u8; 400];
        Base64::encode(octets, &mut buf).unwrap().to_owned()
    };
    let b64_unpadded = |octets: &[u8]| {
        let mut buf = vec![0u8; 400];
        Base64Unpadded::encode(octets, &mut buf).unwrap().to_owned()
    };
    for encode in [b64, b64_unpadded] {
        let mut children = fixture_key_set_children();
        for (name, value) in &mut children {
            let octets: &[u8] = match *name {
                "UserID" => &set.user_id,
                "UserDecryptKey" => &set.rsk,
                "UserSigningKeySSK" => &set.ssk,
                "UserPubTokenPVT" => &set.pvt,
                _ => continue,
            };
            *value = encode(octets);
        }
        assert!(children[2].1.len() == 44 || children[2].1.len() == 43);
        assert_eq!(parse_response(&key_set_doc(&children)).unwrap(), expected);
    }
    let cert = init();
    let doc = init_with("PubAuthKey", &b64(&certificate(&cert).pub_auth_key));
    assert_eq!(parse_response(&doc).unwrap(), cert);
}

#[test]
fn whitespace_references_cdata_and_comments_in_values() {
    let doc = swap(
        KEYPROV,
        "<KeyPeriodNo>625</KeyPeriodNo>",
        "<KeyPeriodNo>\n\t +0625 \r\n</KeyPeriodNo>",
    );
    assert_eq!(parse_response(&doc).unwrap(), keyprov());
    let doc = swap(
        KEYPROV,
        "<UserUri>alice@org.com</UserUri>",
        "<UserUri>al<!-- c -->ice&#x40;org<![CDATA[.c]]>&#111;m</UserUri>",
    );
    assert_eq!(parse_response(&doc).unwrap(), keyprov());
    let doc = swap(
        INIT,
        "<KmsUri>localhost:8080</KmsUri>",
        "<KmsUri>a&amp;b&lt;c&gt;d&apos;e&quot;</KmsUri>",
    );
    assert_eq!(parse_response(&doc).unwrap().kms_uri, "a&b<c>d'e\"");
    // A processing instruction and a byte order mark are harmless.
    let mut doc = b"\xEF\xBB\xBF".to_vec();
    doc.extend(swap(KEYPROV, "<KmsMessage>", "<?vendor note?><KmsMessage>"));
    assert_eq!(parse_response(&doc).unwrap(), keyprov());
}

#[test]
fn foreign_elements_are_skipped_at_every_level() {
    let ext = r#"<x:ext xmlns:x="urn:vendor:ext" x:a="1"><x:b><x:c>deep</x:c><KmsUri xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0">ignored</KmsUri></x:b>text</x:ext>"#;
    let mut doc = KEYPROV.to_vec();
    for anchor in [
        "<UserUri>",
        "<ClientReqUrl>",
        "<KmsKeyProv ",
        "<KmsKeySet ",
        "<KeyPeriodNo>",
        "</KmsKeySet>",
        "</KmsKeyProv>",
        "</KmsMessage>",
        "</KmsResponse>",
    ] {
        doc = swap(&doc, anchor, &format!("{ext}{anchor}"));
    }
    // Inside a text-only element the text around it joins; an empty foreign element too.
    doc = swap(
        &doc,
        "<UserUri>alice@org.com</UserUri>",
        &format!("<UserUri>alice@{ext}org.com<y:e xmlns:y='urn:y'/></UserUri>"),
    );
    // Foreign attributes on KMS elements.
    doc = swap(
        &doc,
        "<KmsKeySet ",
        r#"<KmsKeySet xmlns:v="urn:v" v:flag="on" "#,
    );
    assert_eq!(parse_response(&doc).unwrap(), keyprov());
    // Inside KmsMessage next to the choice, and in the certificate.
    let doc = swap(INIT, "<KmsInit ", &format!("{ext}<KmsInit "));
    let doc = swap(&doc, "<PubAuthKey>", &format!("{ext}<PubAuthKey>"));
    assert_eq!(parse_response(&doc).unwrap(), init());
}

#[test]
fn signed_response_with_signature() {
    let signature = r##"<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:Reference URI="#xmldoc"/></ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>"##;
    let body = text(KEYPROV).split_once("?>").unwrap().1;
    let doc = format!(
        r#"<?xml version="1.0"?><SignedKmsResponse xmlns="{KMS_NAMESPACE}" Id="s">{body}{signature}</SignedKmsResponse>"#
    );
    assert_eq!(parse_response(doc.as_bytes()).unwrap(), keyprov());
    // Signature first works too; no KmsResponse, or two, do not.
    let doc = format!(
        r#"<SignedKmsResponse xmlns="{KMS_NAMESPACE}">{signature}{body}</SignedKmsResponse>"#
    );
    assert_eq!(parse_response(doc.as_bytes()).unwrap(), keyprov());
    let doc =
        format!(r#"<SignedKmsResponse xmlns="{KMS_NAMESPACE}">{signature}</SignedKmsResponse>"#);
    assert_eq!(err(doc.as_bytes()), XmlError::MissingElement("KmsResponse"));
    let doc =
        format!(r#"<SignedKmsResponse xmlns="{KMS_NAMESPACE}">{body}{body}</SignedKmsResponse>"#);
    assert_eq!(
        err(doc.as_bytes()),
        XmlError::DuplicateElement("KmsResponse")
    );
}

#[test]
fn error_response() {
    let doc = envelope(
        "<KmsError><ErrorCode>-401</ErrorCode><ErrorMsg>Unauthorized &amp; gone</ErrorMsg></KmsError>",
    );
    let response = parse_response(&doc).unwrap();
    assert_eq!(
        response.payload,
        KmsPayload::Error(KmsErrorInfo {
            code: -401,
            message: "Unauthorized & gone".into()
        })
    );
    let doc = envelope("<KmsError><ErrorMsg/></KmsError>");
    assert_eq!(err(&doc), XmlError::MissingElement("ErrorCode"));
    let doc = envelope("<KmsError><ErrorCode>1</ErrorCode></KmsError>");
    assert_eq!(err(&doc), XmlError::MissingElement("ErrorMsg"));
    let doc =
        envelope("<KmsError><ErrorCode>99999999999999999999999</ErrorCode><ErrorMsg/></KmsError>");
    bad_value("ErrorCode")(err(&doc));
}

fn certificate_xml(attributes: &str, kms_uri: &str, extra: &str) -> String {
    format!(
        "<KmsCertificate {attributes}><CertUri>cert.{kms_uri}</CertUri><KmsUri>{kms_uri}</KmsUri>\
         <Issuer>www.example.org</Issuer><ValidFrom>2021-01-01T00:00:00Z</ValidFrom>\
         <ValidTo>2022-01-01T00:00:00+01:00</ValidTo><Revoked>1</Revoked>\
         <UserIdFormat>2</UserIdFormat><UserKeyPeriod>2419200</UserKeyPeriod>\
         <UserKeyOffset>0</UserKeyOffset><PubEncKey>04AB</PubEncKey><PubAuthKey>04CD</PubAuthKey>\
         <ParameterSet>1</ParameterSet>{extra}</KmsCertificate>"
    )
}

#[test]
fn cert_cache_with_two_certificates() {
    let first = certificate_xml(
        r#"Version="1.0.0" Role="External""#,
        "kms.one.example",
        "<KmsDomainList><KmsDomain>sec1.example.org</KmsDomain><KmsDomain>sec2.example.org</KmsDomain></KmsDomainList>",
    );
    let second = certificate_xml("", "kms.two.example", "");
    let signature = r#"<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>"#;
    let doc = envelope(&format!(
        r#"<KmsMessage><KmsCertCache Version="1.0.0" CacheNum="7"><SignedKmsCertificate>{first}{signature}</SignedKmsCertificate>{second}</KmsCertCache></KmsMessage>"#
    ));
    let response = parse_response(&doc).unwrap();
    let KmsPayload::CertCache {
        cache_num,
        certificates,
    } = &response.payload
    else {
        panic!("not a cert cache: {response:?}");
    };
    assert_eq!(*cache_num, 7);
    assert_eq!(certificates.len(), 2);
    let (a, b) = (&certificates[0], &certificates[1]);
    assert_eq!(a.kms_uri, "kms.one.example");
    assert_eq!(a.cert_uri.as_deref(), Some("cert.kms.one.example"));
    assert_eq!(a.version.as_deref(), Some("1.0.0"));
    assert_eq!(a.role, CertificateRole::External);
    assert_eq!(a.issuer.as_deref(), Some("www.example.org"));
    assert_eq!(a.valid_from, Some(1_609_459_200));
    assert_eq!(a.valid_to, Some(1_640_995_200 - 3600));
    assert!(a.revoked);
    assert_eq!(a.user_key_period, 2_419_200);
    assert_eq!(a.pub_enc_key, [0x04, 0xAB]);
    assert_eq!(a.pub_auth_key, [0x04, 0xCD]);
    assert_eq!(a.parameter_set, Some(1));
    assert_eq!(a.kms_domains, ["sec1.example.org", "sec2.example.org"]);
    // No Role in a cache means External; no Version stays None.
    assert_eq!(b.kms_uri, "kms.two.example");
    assert_eq!(b.role, CertificateRole::External);
    assert_eq!(b.version, None);
    assert!(b.kms_domains.is_empty());
    // Round trip; a certificate without a version is emitted as "1.1.0".
    let mut expected = response.clone();
    if let KmsPayload::CertCache { certificates, .. } = &mut expected.payload {
        certificates[1].version = Some("1.1.0".into());
    }
    assert_eq!(
        parse_response(emit_response(&response).as_bytes()).unwrap(),
        expected
    );

    // No CacheNum means 0; no certificates is fine.
    let doc = envelope("<KmsMessage><KmsCertCache/></KmsMessage>");
    assert_eq!(
        parse_response(&doc).unwrap().payload,
        KmsPayload::CertCache {
            cache_num: 0,
            certificates: vec![]
        }
    );
    let doc = envelope(r#"<KmsMessage><KmsCertCache CacheNum="4294967296"/></KmsMessage>"#);
    bad_value("CacheNum")(err(&doc));
    let doc = envelope(r#"<KmsMessage><KmsCertCache CacheNum="x"/></KmsMessage>"#);
    bad_value("CacheNum")(err(&doc));
    let doc = envelope(&format!(
        "<KmsMessage><KmsCertCache>{}</KmsCertCache></KmsMessage>",
        certificate_xml("", "k", "<KmsDomainList/>")
    ));
    assert_eq!(err(&doc), XmlError::MissingElement("KmsDomain"));
}

#[test]
fn init_variants() {
    // No Role in KmsInit means Root; a SignedKmsCertificate; the TkIk extension children.
    let cert = certificate_xml("", "kms.example", "");
    let tkik = r#"<NewTransportKey xsi:type="EncKeyContentType"><xenc:EncryptedKey xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"><xenc:CipherData/></xenc:EncryptedKey></NewTransportKey><NewIntegrityKey/>"#;
    let doc = envelope(&format!(
        r#"<KmsMessage><KmsInit xsi:type="KmsInitTkIkType">{tkik}<SignedKmsCertificate>{cert}</SignedKmsCertificate>{tkik}</KmsInit></KmsMessage>"#
    ));
    let response = parse_response(&doc).unwrap();
    assert_eq!(certificate(&response).role, CertificateRole::Root);
    assert_eq!(certificate(&response).kms_uri, "kms.example");
    let doc = envelope(&format!(
        r#"<KmsMessage><KmsKeyProv xsi:type="KmsKeyProvTkIkType">{tkik}</KmsKeyProv></KmsMessage>"#
    ));
    assert_eq!(
        parse_response(&doc).unwrap().payload,
        KmsPayload::KeyProv(vec![])
    );
    // Two certificates in an init.
    let doc = envelope(&format!(
        "<KmsMessage><KmsInit>{cert}{cert}</KmsInit></KmsMessage>"
    ));
    assert_eq!(err(&doc), XmlError::DuplicateElement("KmsCertificate"));
    let doc = envelope(&format!(
        "<KmsMessage><KmsInit>{cert}<SignedKmsCertificate>{cert}</SignedKmsCertificate></KmsInit></KmsMessage>"
    ));
    assert_eq!(err(&doc), XmlError::DuplicateElement("KmsCertificate"));
    let doc = envelope("<KmsMessage><KmsInit/></KmsMessage>");
    assert_eq!(err(&doc), XmlError::MissingElement("KmsCertificate"));
    let doc = envelope("<KmsMessage><KmsInit><SignedKmsCertificate/></KmsInit></KmsMessage>");
    assert_eq!(err(&doc), XmlError::MissingElement("KmsCertificate"));
}

#[test]
fn missing_time_is_tolerated_and_rel17_elements_skipped() {
    let doc = swap(
        KEYPROV,
        "<Time>2021-05-17T13:25:16</Time>",
        "<TrK-ID>t</TrK-ID><Signature-ID><x/></Signature-ID>",
    );
    let response = parse_response(&doc).unwrap();
    assert_eq!(response.time, None);
    assert_eq!(response.payload, keyprov().payload);
}

// ---------------------------------------------------------------------------------------------
// Structure errors

#[test]
fn root_must_be_a_kms_response() {
    let doc = swap_all(KEYPROV, "KmsResponse", "KmsAnswer");
    assert_eq!(err(&doc), XmlError::UnexpectedRoot("KmsAnswer".into()));
    let doc = swap(KEYPROV, KMS_NAMESPACE, "urn:3gpp:ns:mcsecKMSInterface:2.0");
    assert_eq!(err(&doc), XmlError::UnexpectedRoot("KmsResponse".into()));
    let doc = swap(KEYPROV, &format!("xmlns=\"{KMS_NAMESPACE}\""), "");
    assert_eq!(err(&doc), XmlError::NoNamespace("KmsResponse".into()));
    let request = emit_request(&sample_request());
    assert_eq!(
        err(request.as_bytes()),
        XmlError::UnexpectedRoot("KmsRequest".into())
    );
    assert_eq!(
        parse_request(KEYPROV).unwrap_err(),
        XmlError::UnexpectedRoot("KmsResponse".into())
    );
    assert!(matches!(err(b""), XmlError::Malformed { .. }));
    assert!(matches!(
        err(b"  <!-- only -->  "),
        XmlError::Malformed { .. }
    ));
    assert!(matches!(
        err(b"<?xml version=\"1.0\"?>"),
        XmlError::Malformed { .. }
    ));
}

#[test]
fn unknown_kms_elements_are_refused() {
    let doc = swap(
        KEYPROV,
        "<KeyPeriodNo>",
        "<Colour>red</Colour><KeyPeriodNo>",
    );
    assert_eq!(err(&doc), XmlError::UnexpectedElement("Colour".into()));
    let doc = swap(KEYPROV, "<KmsMessage>", "<Extra/><KmsMessage>");
    assert_eq!(err(&doc), XmlError::UnexpectedElement("Extra".into()));
    let doc = swap(INIT, "<PubAuthKey>", "<KmsKeySet/><PubAuthKey>");
    assert_eq!(err(&doc), XmlError::UnexpectedElement("KmsKeySet".into()));
    let doc = swap(KEYPROV, "<KmsKeyProv ", "<KmsLookup/><KmsKeyProv ");
    assert_eq!(err(&doc), XmlError::UnexpectedElement("KmsLookup".into()));
    // A KMS element inside a text-only element.
    let doc = swap(KEYPROV, "<UserUri>alice", "<UserUri><b/>alice");
    assert_eq!(err(&doc), XmlError::UnexpectedElement("b".into()));
    // No namespace, at an inner level.
    let doc = swap(
        KEYPROV,
        "<KeyPeriodNo>",
        r#"<plain xmlns="">x</plain><KeyPeriodNo>"#,
    );
    assert_eq!(err(&doc), XmlError::NoNamespace("plain".into()));
    let doc = swap(
        KEYPROV,
        "<UserUri>alice",
        r#"<UserUri><plain xmlns=""/>alice"#,
    );
    assert_eq!(err(&doc), XmlError::NoNamespace("plain".into()));
    // Undeclared prefix.
    let doc = swap(KEYPROV, "<KmsMessage>", "<u:x/><KmsMessage>");
    assert!(matches!(err(&doc), XmlError::Malformed { reason, .. } if reason.contains("prefix")));
}

#[test]
fn duplicate_elements() {
    for (anchor, name) in [
        ("<UserUri>alice@org.com</UserUri>", "UserUri"),
        ("<ClientReqUrl>", "ClientReqUrl"),
        ("<KeyPeriodNo>625</KeyPeriodNo>", "KeyPeriodNo"),
        ("<UserSigningKeySSK>", "UserSigningKeySSK"),
    ] {
        let full = if anchor.ends_with('>') && !anchor.contains("</") {
            let tag = &anchor[1..anchor.len() - 1];
            format!("<{tag}>{}</{tag}>", inner(KEYPROV, tag))
        } else {
            anchor.to_owned()
        };
        let doc = swap(KEYPROV, &full, &format!("{full}{full}"));
        assert_eq!(err(&doc), XmlError::DuplicateElement(name), "{name}");
    }
    let message = format!("<KmsMessage>{}</KmsMessage>", inner(KEYPROV, "KmsMessage"));
    let doc = swap(KEYPROV, &message, &format!("{message}{message}"));
    assert_eq!(err(&doc), XmlError::DuplicateElement("KmsMessage"));
    let doc = swap(
        INIT,
        "<UserKeyOffset>0</UserKeyOffset>",
        "<UserKeyOffset>0</UserKeyOffset><UserKeyOffset>0</UserKeyOffset>",
    );
    assert_eq!(err(&doc), XmlError::DuplicateElement("UserKeyOffset"));
}

#[test]
fn missing_elements() {
    for name in [
        "KmsUri",
        "UserUri",
        "UserID",
        "KeyPeriodNo",
        "UserDecryptKey",
        "UserSigningKeySSK",
        "UserPubTokenPVT",
    ] {
        assert_eq!(
            err(&key_set_with(name, None)),
            XmlError::MissingElement(name),
            "{name}"
        );
    }
    for name in [
        "UserIdFormat",
        "UserKeyPeriod",
        "UserKeyOffset",
        "PubEncKey",
        "PubAuthKey",
    ] {
        let full = format!("<{name}>{}</{name}>", inner(INIT, name));
        assert_eq!(err(&swap(INIT, &full, "")), XmlError::MissingElement(name));
    }
    let doc = swap(
        INIT,
        "<KmsUri>localhost:8080</KmsUri>\n        <UserIdFormat>",
        "<UserIdFormat>",
    );
    assert_eq!(err(&doc), XmlError::MissingElement("KmsUri"));
    for name in ["UserUri", "KmsUri", "ClientReqUrl"] {
        let full = format!("<{name}>{}</{name}>", inner(KEYPROV, name));
        assert_eq!(
            err(&swap(KEYPROV, &full, "")),
            XmlError::MissingElement(name)
        );
    }
}

#[test]
fn payload_choices() {
    assert_eq!(err(&envelope("")), XmlError::MissingChoice("KmsResponse"));
    let error = "<KmsError><ErrorCode>1</ErrorCode><ErrorMsg>x</ErrorMsg></KmsError>";
    let message = format!("<KmsMessage>{}</KmsMessage>", inner(KEYPROV, "KmsMessage"));
    assert_eq!(
        err(&envelope(&format!("{message}{error}"))),
        XmlError::ConflictingChoice("KmsResponse")
    );
    assert_eq!(
        err(&envelope("<KmsMessage/>")),
        XmlError::MissingChoice("KmsMessage")
    );
    assert_eq!(
        err(&envelope(
            r#"<KmsMessage><v:x xmlns:v="urn:v"/></KmsMessage>"#
        )),
        XmlError::MissingChoice("KmsMessage")
    );
    assert_eq!(
        err(&envelope(
            "<KmsMessage><KmsKeyProv/><KmsCertCache/></KmsMessage>"
        )),
        XmlError::ConflictingChoice("KmsMessage")
    );
    assert_eq!(
        err(&envelope(
            "<KmsMessage><KmsKeyProv/><KmsKeyProv/></KmsMessage>"
        )),
        XmlError::ConflictingChoice("KmsMessage")
    );
}

#[test]
fn unexpected_text() {
    let doc = swap(KEYPROV, "<KeyPeriodNo>", "stray<KeyPeriodNo>");
    assert_eq!(err(&doc), XmlError::UnexpectedText("KmsKeySet"));
    let doc = swap(KEYPROV, "<KmsMessage>", "<KmsMessage>&amp;");
    assert_eq!(err(&doc), XmlError::UnexpectedText("KmsMessage"));
    let doc = swap(KEYPROV, "<KmsMessage>", "<KmsMessage><![CDATA[x]]>");
    assert_eq!(err(&doc), XmlError::UnexpectedText("KmsMessage"));
    // White space by character reference is still white space.
    let doc = swap(KEYPROV, "<KmsMessage>", "<KmsMessage>&#x20;&#10;");
    assert_eq!(parse_response(&doc).unwrap(), keyprov());
}

#[test]
fn encrypted_keys_are_unsupported() {
    for name in ["UserDecryptKey", "UserSigningKeySSK", "UserPubTokenPVT"] {
        let value = inner(KEYPROV, name);
        for (open, body) in [
            (format!(r#"<{name} xsi:type="EncKeyContentType">"#), value.to_owned()),
            (format!(r#"<{name} xsi:type="x:EncKeyContentType" xmlns:x="{KMS_NAMESPACE}">"#), String::new()),
            (
                format!("<{name}>"),
                r#"<xenc:EncryptedKey xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"><xenc:CipherData><xenc:CipherValue>AAAA</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey>"#.to_owned(),
            ),
            (format!("<{name}>"), "<EncryptedKey/>".to_owned()),
        ] {
            let doc = swap(KEYPROV, &format!("<{name}>{value}</{name}>"), &format!("{open}{body}</{name}>"));
            assert_eq!(err(&doc), XmlError::EncryptedKeyUnsupported, "{name} {open}");
        }
        // KeyContentType is the plain form.
        let doc = swap(
            KEYPROV,
            &format!("<{name}>"),
            &format!(r#"<{name} xsi:type="KeyContentType">"#),
        );
        assert_eq!(parse_response(&doc).unwrap(), keyprov());
    }
}

// ---------------------------------------------------------------------------------------------
// Document-level refusals

#[test]
fn dtd_and_entities_are_refused() {
    let body = text(KEYPROV).split_once("?>").unwrap().1;
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>"#;
    let doc = format!("{laughs}{}", body.replace("alice@org.com", "&lol9;"));
    assert_eq!(err(doc.as_bytes()), XmlError::DtdRefused);
    let xxe = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>{}",
        body.replace("alice@org.com", "&xxe;")
    );
    assert_eq!(err(xxe.as_bytes()), XmlError::DtdRefused);
    let doc = format!("<!DOCTYPE KmsResponse SYSTEM \"http://example.org/kms.dtd\">{body}");
    assert_eq!(err(doc.as_bytes()), XmlError::DtdRefused);
    let doc = swap(KEYPROV, "<KmsMessage>", "<!DOCTYPE x><KmsMessage>");
    assert_eq!(err(&doc), XmlError::DtdRefused);
    // Undeclared entities, in text, in a foreign subtree, in attributes.
    let doc = swap(KEYPROV, "alice@org.com", "&xxe;");
    assert_eq!(err(&doc), XmlError::EntityRefused);
    let doc = swap(
        KEYPROV,
        "<KmsMessage>",
        r#"<v:x xmlns:v="urn:v">&lol9;</v:x><KmsMessage>"#,
    );
    assert_eq!(err(&doc), XmlError::EntityRefused);
    let doc = swap(KEYPROV, r#"Version="1.1.0""#, r#"Version="&ver;""#);
    assert_eq!(err(&doc), XmlError::EntityRefused);
    let doc = swap(
        KEYPROV,
        "<KmsMessage>",
        r#"<v:x xmlns:v="urn:v" v:a="&e;"/><KmsMessage>"#,
    );
    assert_eq!(err(&doc), XmlError::EntityRefused);
    // A character reference to a character XML forbids.
    let doc = swap(KEYPROV, "alice@org.com", "alice&#1;");
    assert!(matches!(err(&doc), XmlError::Malformed { .. }));
}

#[test]
fn declarations_encoding_and_characters() {
    let doc = swap(KEYPROV, "encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"");
    assert_eq!(err(&doc), XmlError::UnsupportedEncoding);
    let doc = swap(KEYPROV, "encoding=\"UTF-8\"", "encoding=\"utf-8\"");
    assert_eq!(parse_response(&doc).unwrap(), keyprov());
    // Not UTF-8: Latin-1 é, and UTF-16.
    let doc = swap(KEYPROV, "alice@org.com", "alic\u{e9}@org.com");
    let latin1: Vec<u8> = text(&doc).chars().map(|c| c as u8).collect();
    assert_eq!(err(&latin1), XmlError::NotUtf8);
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text(KEYPROV).encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(err(&utf16), XmlError::NotUtf8);
    // UTF-8 in values is fine.
    assert_eq!(parse_response(&doc).unwrap().user_uri, "alic\u{e9}@org.com");
    // A control character, raw.
    let doc = swap(KEYPROV, "alice@org.com", "alice\u{1}");
    assert!(
        matches!(err(&doc), XmlError::Malformed { reason, .. } if reason.contains("character"))
    );
    // A second XML declaration, or one not at the start.
    let doc = swap(
        KEYPROV,
        "<KmsMessage>",
        "<?xml version=\"1.0\"?><KmsMessage>",
    );
    assert!(matches!(err(&doc), XmlError::Malformed { .. }));
    let mut doc = b" ".to_vec();
    doc.extend_from_slice(KEYPROV);
    assert!(matches!(err(&doc), XmlError::Malformed { .. }));
}

#[test]
fn trailing_content_is_refused() {
    for tail in [
        "x",
        "<KmsResponse/>",
        "<v:x xmlns:v=\"urn:v\"/>",
        "&amp;",
        "<![CDATA[x]]>",
    ] {
        let mut doc = KEYPROV.to_vec();
        doc.extend_from_slice(tail.as_bytes());
        assert_eq!(err(&doc), XmlError::TrailingContent, "{tail}");
    }
    let mut doc = KEYPROV.to_vec();
    doc.extend_from_slice(b"\n<!-- end -->\n<?pi?>\n");
    assert_eq!(parse_response(&doc).unwrap(), keyprov());
    let mut doc = KEYPROV.to_vec();
    doc.extend_from_slice(b"</KmsResponse>");
    assert!(matches!(err(&doc), XmlError::Malformed { .. }));
}

#[test]
fn size_limit() {
    let mut doc = KEYPROV.to_vec();
    doc.resize(10 << 20, b' ');
    assert_eq!(err(&doc), XmlError::TooLarge);
    assert_eq!(parse_request(&doc).unwrap_err(), XmlError::TooLarge);
    // Exactly the limit (padded with white space after the root) is read.
    let mut doc = KEYPROV.to_vec();
    doc.resize(MAX_DOCUMENT_BYTES, b' ');
    assert_eq!(parse_response(&doc).unwrap(), keyprov());
    doc.push(b' ');
    assert_eq!(err(&doc), XmlError::TooLarge);
    // Garbage over the limit is refused before it is looked at.
    assert_eq!(err(&vec![0xFF; MAX_DOCUMENT_BYTES + 1]), XmlError::TooLarge);
}

/// `depth` nested foreign elements inside the KmsResponse of the keyprov fixture, so that the
/// innermost one is at depth `depth + 1`.
fn nested_foreign(depth: usize) -> Vec<u8> {
    let open = "<v:n>".repeat(depth);
    let close = "</v:n>".repeat(depth);
    let doc = swap(
        KEYPROV,
        "<KmsMessage>",
        &format!("{open}{close}<KmsMessage>"),
    );
    swap(&doc, "Id=\"xmldoc\"", "Id=\"xmldoc\" xmlns:v=\"urn:v\"")
}

#[test]
fn depth_limit() {
    assert_eq!(
        parse_response(&nested_foreign(MAX_DEPTH - 1)).unwrap(),
        keyprov()
    );
    assert_eq!(err(&nested_foreign(MAX_DEPTH)), XmlError::TooDeep);
    assert_eq!(err(&nested_foreign(10_000)), XmlError::TooDeep);
    // Unclosed, as an attacker would send it, and empty innermost elements.
    let doc = format!(
        r#"<KmsResponse xmlns="{KMS_NAMESPACE}" xmlns:v="urn:v">{}"#,
        "<v:n>".repeat(10_000)
    );
    assert_eq!(err(doc.as_bytes()), XmlError::TooDeep);
    let doc = format!(
        r#"<KmsResponse xmlns="{KMS_NAMESPACE}" xmlns:v="urn:v">{}<v:e/>"#,
        "<v:n>".repeat(MAX_DEPTH - 1)
    );
    assert_eq!(err(doc.as_bytes()), XmlError::TooDeep);
    // KMS-namespace nesting is refused by name first.
    let doc = format!(
        r#"<KmsResponse xmlns="{KMS_NAMESPACE}">{}"#,
        "<KmsResponse>".repeat(10_000)
    );
    assert_eq!(
        err(doc.as_bytes()),
        XmlError::UnexpectedElement("KmsResponse".into())
    );
}

// ---------------------------------------------------------------------------------------------
// Values

#[test]
fn integer_ranges() {
    let cases: &[(&str, &str, bool)] = &[
        ("UserKeyPeriod", "0", false),
        ("UserKeyPeriod", "1", true),
        ("UserKeyPeriod", "4294967295", true),
        ("UserKeyPeriod", "4294967296", false),
        ("UserKeyPeriod", "-1", false),
        ("UserKeyPeriod", "99999999999999999999999", false),
        ("UserKeyPeriod", "+0002592000", true),
        ("UserKeyPeriod", "2592000.0", false),
        ("UserKeyPeriod", "2,592,000", false),
        ("UserKeyPeriod", "", false),
        ("UserKeyPeriod", "0x100", false),
        ("UserKeyOffset", "0", true),
        ("UserKeyOffset", "-0", true),
        ("UserKeyOffset", "4294967295", true),
        ("UserKeyOffset", "4294967296", false),
        ("UserKeyOffset", "-5", false),
        ("UserKeyOffset", "ten", false),
    ];
    for &(name, value, ok) in cases {
        let result = parse_response(&init_with(name, value));
        match (ok, result) {
            (true, Ok(_)) => {}
            (false, Err(error)) => bad_value(name)(error),
            (_, result) => panic!("{name}={value:?}: {result:?}"),
        }
    }
    for (value, ok) in [
        ("0", true),
        ("255", true),
        ("256", false),
        ("-1", false),
        ("1e2", false),
    ] {
        let doc = swap(
            INIT,
            "</PubAuthKey>",
            &format!("</PubAuthKey><ParameterSet>{value}</ParameterSet>"),
        );
        match parse_response(&doc) {
            Ok(response) => {
                assert!(ok, "{value}");
                assert_eq!(
                    certificate(&response).parameter_set,
                    Some(value.parse().unwrap())
                );
            }
            Err(error) => {
                assert!(!ok, "{value}");
                bad_value("ParameterSet")(error);
            }
        }
    }
    for (value, ok) in [
        ("0", true),
        ("4294967295", true),
        ("4294967296", false),
        ("99999999999999999999999", false),
        ("-625", false),
        ("62 5", false),
    ] {
        match parse_response(&key_set_with("KeyPeriodNo", Some(value))) {
            Ok(_) => assert!(ok, "{value}"),
            Err(error) => {
                assert!(!ok, "{value}");
                bad_value("KeyPeriodNo")(error);
            }
        }
    }
}

#[test]
fn booleans_and_roles() {
    for (value, revoked) in [
        ("true", true),
        ("1", true),
        ("false", false),
        ("0", false),
        (" true\n", true),
    ] {
        let doc = swap(
            INIT,
            "<UserIdFormat>",
            &format!("<Revoked>{value}</Revoked><UserIdFormat>"),
        );
        assert_eq!(certificate(&parse_response(&doc).unwrap()).revoked, revoked);
    }
    for value in ["yes", "TRUE", "True", "", "2"] {
        let doc = swap(
            INIT,
            "<UserIdFormat>",
            &format!("<Revoked>{value}</Revoked><UserIdFormat>"),
        );
        bad_value("Revoked")(err(&doc));
    }
    let doc = swap(INIT, "Role=\"Root\"", "Role=\"External\"");
    assert_eq!(
        certificate(&parse_response(&doc).unwrap()).role,
        CertificateRole::External
    );
    for role in ["root", "Leaf", ""] {
        let doc = swap(INIT, "Role=\"Root\"", &format!("Role=\"{role}\""));
        bad_value("Role")(err(&doc));
    }
    // UserIdFormat is kept as text.
    let doc = init_with("UserIdFormat", " vendor-7 ");
    assert_eq!(
        certificate(&parse_response(&doc).unwrap()).user_id_format,
        "vendor-7"
    );
}

#[test]
fn user_id_encodings() {
    let uid = key_sets(&keyprov())[0].user_id;
    let hex = inner(KEYPROV, "UserID");
    for bad in [
        &hex[..62],
        &format!("{hex}00"),
        &format!("{}zz", &hex[..62]),
        "",
        "AAAA",
        // 44 characters of base64 that decode to 33 octets are impossible; 44 invalid ones:
        &"!".repeat(44),
        // 43 unpadded characters with non-canonical trailing bits.
        &format!("{}B", &"A".repeat(42)),
    ] {
        bad_value("UserID")(err(&key_set_with("UserID", Some(bad))));
    }
    let mut buf = [0u8; 44];
    let padded = Base64::encode(&uid, &mut buf).unwrap().to_owned();
    assert_eq!(padded.len(), 44);
    let set = parse_response(&key_set_with("UserID", Some(&padded))).unwrap();
    assert_eq!(key_sets(&set)[0].user_id, uid);
    let set = parse_response(&key_set_with(
        "UserID",
        Some(&format!(" {}\n", &padded[..43])),
    ))
    .unwrap();
    assert_eq!(key_sets(&set)[0].user_id, uid);
}

#[test]
fn key_encodings_and_limits() {
    let ssk = inner(KEYPROV, "UserSigningKeySSK");
    for (value, ok) in [
        (format!("{ssk}0"), false), // odd hex, not base64 either
        ("0".repeat(2048), true),   // 1024 octets
        ("0".repeat(2050), false),  // 1025 octets
        ("Q".repeat(1368), false),  // 1026 octets of base64
        ("Q".repeat(1364), true),   // 1023 octets of base64
        ("A".repeat(1368), true),   // hex first: 684 octets
        (String::new(), false),
        ("====".into(), false),
        ("AB CD".into(), false),
        ("0x04AB".into(), false),
    ] {
        match parse_response(&key_set_with("UserSigningKeySSK", Some(&value))) {
            Ok(_) => assert!(ok, "{} chars", value.len()),
            Err(error) => {
                assert!(!ok, "{} chars", value.len());
                bad_value("UserSigningKeySSK")(error);
            }
        }
    }
    let doc = init_with("PubEncKey", "0");
    bad_value("PubEncKey")(err(&doc));
    let doc = init_with("PubAuthKey", "");
    bad_value("PubAuthKey")(err(&doc));
    // Lengths are the validator's job, not the parser's.
    let response = parse_response(&key_set_with("UserPubTokenPVT", Some("04"))).unwrap();
    assert_eq!(key_sets(&response)[0].pvt, [4]);
}

#[test]
fn errors_never_carry_values() {
    // Neither hex nor base64.
    let secret = "D31C6FD21791D92D0BC721B50125C2B83450F4727EC5A845853AD30E023C34F!";
    for doc in [
        key_set_with("UserSigningKeySSK", Some(secret)),
        key_set_with("UserDecryptKey", Some(secret)),
        key_set_with("UserID", Some(secret)),
        key_set_with("KeyPeriodNo", Some(secret)),
        swap(
            KEYPROV,
            "<KeyPeriodNo>",
            &format!("<Bad>{secret}</Bad><KeyPeriodNo>"),
        ),
        swap(KEYPROV, "<KeyPeriodNo>", &format!("{secret}<KeyPeriodNo>")),
    ] {
        let error = err(&doc);
        for shown in [format!("{error}"), format!("{error:?}")] {
            assert!(!shown.contains("D31C6FD2"), "{shown}");
            assert!(!shown.contains("d31c6fd2"), "{shown}");
        }
    }
    // A too-long element name is cut in the error.
    let name = "N".repeat(1000);
    let doc = swap(KEYPROV, "<KeyPeriodNo>", &format!("<{name}/><KeyPeriodNo>"));
    match err(&doc) {
        XmlError::UnexpectedElement(shown) => assert!(shown.len() <= 64),
        other => panic!("{other:?}"),
    }
}

#[test]
fn datetimes() {
    let cases: &[(&str, Option<i64>)] = &[
        ("2021-05-10T11:23:02", Some(1_620_645_782)),
        ("2021-05-10T11:23:02Z", Some(1_620_645_782)),
        ("2021-05-10T11:23:02.999Z", Some(1_620_645_782)),
        ("2021-05-10T13:23:02+02:00", Some(1_620_645_782)),
        ("2021-05-10T01:23:02-10:00", Some(1_620_645_782)),
        ("2021-05-10T11:23:02+00:00", Some(1_620_645_782)),
        ("2021-05-10T11:23:02-00:00", Some(1_620_645_782)),
        (" 2021-05-10T11:23:02\n", Some(1_620_645_782)),
        ("1970-01-01T00:00:00Z", Some(0)),
        ("1900-01-01T00:00:00Z", Some(-2_208_988_800)),
        (
            "1900-01-01T00:00:00+14:00",
            Some(-2_208_988_800 - 14 * 3600),
        ),
        ("9999-12-31T23:59:59Z", Some(253_402_300_799)),
        ("2000-02-29T00:00:00Z", Some(951_782_400)),
        ("2020-12-31T24:00:00", Some(1_609_459_200)),
        ("1899-12-31T23:59:59Z", None),
        ("10000-01-01T00:00:00Z", None),
        ("-2021-05-10T11:23:02", None),
        ("21-05-10T11:23:02", None),
        ("2021-5-10T11:23:02", None),
        ("2021-05-10 11:23:02", None),
        ("2021-05-10T11:23", None),
        ("2021-05-10", None),
        ("2021-13-10T11:23:02", None),
        ("2021-00-10T11:23:02", None),
        ("2021-02-29T11:23:02", None),
        ("1900-02-29T11:23:02", None),
        ("2021-04-31T11:23:02", None),
        ("2021-05-00T11:23:02", None),
        ("2021-05-10T25:23:02", None),
        ("2021-05-10T24:00:01", None),
        ("2021-05-10T11:60:02", None),
        ("2021-05-10T11:23:60", None),
        ("2021-05-10T11:23:02.", None),
        ("2021-05-10T11:23:02+15:00", None),
        ("2021-05-10T11:23:02+14:30", None),
        ("2021-05-10T11:23:02+01:60", None),
        ("2021-05-10T11:23:02+0100", None),
        ("2021-05-10T11:23:02ZZ", None),
        ("2021-05-10T11:23:02 Z", None),
        ("", None),
        ("２０２１-05-10T11:23:02", None),
    ];
    for &(text, expected) in cases {
        match (parse_datetime(text), expected) {
            (Ok(t), Some(e)) => assert_eq!(t, e, "{text}"),
            (
                Err(XmlError::BadValue {
                    element: "dateTime",
                    ..
                }),
                None,
            ) => {}
            (result, _) => panic!("{text:?}: {result:?}"),
        }
    }
    assert_eq!(format_datetime(1_621_257_916), "2021-05-17T13:25:16Z");
    assert_eq!(format_datetime(0), "1970-01-01T00:00:00Z");
    assert_eq!(format_datetime(-2_208_988_800), "1900-01-01T00:00:00Z");
    assert_eq!(format_datetime(253_402_300_799), "9999-12-31T23:59:59Z");
    // Just past year 9999 in UTC: written in the -14:00 zone, which the parser reads.
    assert_eq!(
        format_datetime(253_402_300_800),
        "9999-12-31T10:00:00-14:00"
    );
    // Far past it: a year the parser refuses, as xsd:dateTime writes it.
    assert_eq!(format_datetime(253_402_400_000), "10000-01-02T03:33:20Z");
    assert_eq!(format_datetime(-1), "1969-12-31T23:59:59Z");
    // In a document the element is named.
    let doc = swap(KEYPROV, "2021-05-17T13:25:16", "2021-02-30T13:25:16");
    bad_value("Time")(err(&doc));
    let doc = swap(
        INIT,
        "<UserIdFormat>",
        "<ValidTo>soon</ValidTo><UserIdFormat>",
    );
    bad_value("ValidTo")(err(&doc));
}

// ---------------------------------------------------------------------------------------------
// Emitting and round trips

/// Asserts that `tags` occur in `doc` in this order.
fn assert_in_order(doc: &str, tags: &[&str]) {
    let mut from = 0;
    for tag in tags {
        let at = doc[from..]
            .find(tag)
            .unwrap_or_else(|| panic!("{tag} missing or out of order in {doc}"));
        from += at + tag.len();
    }
}

fn sample_request() -> KmsRequest {
    KmsRequest {
        user_uri: "sip:alice@org.example".into(),
        kms_uri: "kms.org.example".into(),
        time: 1_750_496_400,
        client_id: Some("client <1> & 'two'".into()),
        device_id: Some("device \"3\"".into()),
        client_req_url: "https://kms.org.example/keymanagement/identity/v1/keyprov?a=1&b=2".into(),
        client_error: Some(KmsErrorInfo {
            code: 7,
            message: "bad <thing>".into(),
        }),
    }
}

#[test]
fn emitted_response_layout() {
    let response = keyprov();
    let doc = emit_response(&response);
    let doc: &str = &doc;
    assert!(doc.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(doc.contains(&format!(
        r#"<KmsResponse xmlns="{KMS_NAMESPACE}" xmlns:xsi="{XSI}" Version="1.0.0">"#
    )));
    assert!(doc.contains(r#"<KmsKeyProv Version="1.0.0">"#));
    assert!(doc.contains(r#"<KmsKeySet Version="1.1.0">"#));
    assert!(doc.contains("<Time>2021-05-17T13:25:16Z</Time>"));
    assert!(doc.contains(
        "<UserID>060C5CDDD13B87BE1E37D3FF091101684B88AADEF26C409A8B49C8DA9DD81A05</UserID>"
    ));
    let order = [
        "<UserUri>",
        "<KmsUri>",
        "<Time>",
        "<ClientReqUrl>",
        "<KmsMessage>",
        "<KmsKeySet",
        "<UserID>",
        "<KeyPeriodNo>",
        "<UserDecryptKey>",
        "<UserSigningKeySSK>",
        "<UserPubTokenPVT>",
    ];
    assert_in_order(doc, &order);
    // Upper-case hex throughout.
    let rsk = doc
        .split("<UserDecryptKey>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    assert_eq!(rsk.len(), 514);
    assert!(
        rsk.chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    );
    // Built at its exact size: the buffer never grew.
    let built = emit_response(&response);
    assert_eq!(built.capacity(), built.len());

    // Certificate order, attributes and optional parts.
    let mut full = init();
    let KmsPayload::Init(cert) = &mut full.payload else {
        unreachable!()
    };
    cert.cert_uri = Some("c".into());
    cert.issuer = Some("i".into());
    cert.valid_from = Some(0);
    cert.valid_to = Some(1);
    cert.revoked = true;
    cert.parameter_set = Some(1);
    cert.kms_domains = vec!["d1".into(), "d2".into()];
    cert.version = None;
    full.kms_id = Some("KMS-1".into());
    let doc = emit_response(&full);
    let order = [
        "<KmsId>",
        "<ClientReqUrl>",
        "<KmsInit Version=\"1.0.0\">",
        "<KmsCertificate Version=\"1.1.0\" Role=\"Root\">",
        "<CertUri>",
        "<KmsUri>",
        "<Issuer>",
        "<ValidFrom>",
        "<ValidTo>",
        "<Revoked>true",
        "<UserIdFormat>",
        "<UserKeyPeriod>",
        "<UserKeyOffset>",
        "<PubEncKey>",
        "<PubAuthKey>",
        "<ParameterSet>",
        "<KmsDomainList>",
        "<KmsDomain>d1",
        "<KmsDomain>d2",
    ];
    assert_in_order(&doc, &order);
    let back = parse_response(doc.as_bytes()).unwrap();
    let KmsPayload::Init(cert) = &mut full.payload else {
        unreachable!()
    };
    cert.version = Some("1.1.0".into());
    assert_eq!(back, full);
}

#[test]
fn emitted_request_layout_and_round_trip() {
    let request = sample_request();
    let doc = emit_request(&request);
    assert!(doc.contains(&format!(
        r#"<KmsRequest xmlns="{KMS_NAMESPACE}" xmlns:xsi="{XSI}" Version="1.1.0">"#
    )));
    assert!(doc.contains("<Time>2025-06-21T09:00:00Z</Time>"));
    assert!(doc.contains("&lt;1&gt; &amp; "));
    let order = [
        "<UserUri>",
        "<KmsUri>",
        "<Time>",
        "<ClientId>",
        "<DeviceId>",
        "<ClientReqUrl>",
        "<ClientError>",
        "<ErrorCode>",
        "<ErrorMsg>",
    ];
    assert_in_order(&doc, &order);
    assert_eq!(parse_request(doc.as_bytes()).unwrap(), request);

    let bare = KmsRequest {
        client_id: None,
        device_id: None,
        client_error: None,
        ..request.clone()
    };
    assert_eq!(parse_request(emit_request(&bare).as_bytes()).unwrap(), bare);

    // SignedKmsRequest, KrrList, reversed order; Time is required in a request.
    let body = doc.split_once("?>").unwrap().1;
    let signed = format!(
        r#"<s:SignedKmsRequest xmlns:s="{KMS_NAMESPACE}">{}<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/></s:SignedKmsRequest>"#,
        body.replace(
            "<ClientReqUrl>",
            "<KrrList><Krr>x</Krr></KrrList><ClientReqUrl>"
        )
    );
    assert_eq!(parse_request(signed.as_bytes()).unwrap(), request);
    let no_time = doc.replace("<Time>2025-06-21T09:00:00Z</Time>", "");
    assert_eq!(
        parse_request(no_time.as_bytes()).unwrap_err(),
        XmlError::MissingElement("Time")
    );
    let twice = doc.replace("<ClientId>", "<DeviceId>x</DeviceId><ClientId>");
    assert_eq!(
        parse_request(twice.as_bytes()).unwrap_err(),
        XmlError::DuplicateElement("DeviceId")
    );
}

#[test]
fn round_trips_of_the_fixtures_and_the_error() {
    for response in [
        init(),
        keyprov(),
        parse_response(&envelope(
            "<KmsError><ErrorCode>0</ErrorCode><ErrorMsg/></KmsError>",
        ))
        .unwrap(),
    ] {
        let doc = emit_response(&response);
        assert_eq!(parse_response(doc.as_bytes()).unwrap(), response);
        // Emitting is deterministic.
        assert_eq!(*emit_response(&response), *doc);
    }
    let doc: Zeroizing<String> = emit_response(&keyprov());
    assert!(doc.contains("D31C6FD21791D92D0BC721B50125C2B83450F4727EC5A845853AD30E023C34F3"));
}

// ---------------------------------------------------------------------------------------------
// Property tests

/// Strings of XML characters with awkward ones (`<&"'>`, non-ASCII), no leading or trailing
/// white space.
fn odd_text() -> impl Strategy<Value = String> {
    "([a-zA-Z0-9<>&\"':/@.%_é€𝄞-]{1,12}( [a-zA-Z0-9<>&\"';]{1,5})?)?"
}

fn unix_time() -> impl Strategy<Value = i64> {
    -2_208_988_800i64..=253_402_300_799
}

fn octets() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 1..300)
}

fn arb_certificate() -> impl Strategy<Value = KmsCertificate> {
    (
        (
            odd_text(),
            prop_oneof![Just(CertificateRole::Root), Just(CertificateRole::External)],
        ),
        (
            prop::option::of(odd_text()),
            odd_text(),
            prop::option::of(odd_text()),
        ),
        (
            prop::option::of(unix_time()),
            prop::option::of(unix_time()),
            any::<bool>(),
        ),
        (odd_text(), 1..=u64::from(u32::MAX), 0..=u64::from(u32::MAX)),
        (octets(), octets(), prop::option::of(0u64..=255)),
        prop::collection::vec(odd_text(), 0..3),
    )
        .prop_map(
            |(
                (version, role),
                (cert_uri, kms_uri, issuer),
                (valid_from, valid_to, revoked),
                (user_id_format, user_key_period, user_key_offset),
                (pub_enc_key, pub_auth_key, parameter_set),
                kms_domains,
            )| KmsCertificate {
                version: Some(version),
                role,
                cert_uri,
                kms_uri,
                issuer,
                valid_from,
                valid_to,
                revoked,
                user_id_format,
                user_key_period,
                user_key_offset,
                pub_enc_key,
                pub_auth_key,
                parameter_set,
                kms_domains,
            },
        )
}

fn arb_key_set() -> impl Strategy<Value = KmsKeySet> {
    (
        (
            odd_text(),
            odd_text(),
            prop::option::of(odd_text()),
            prop::option::of(odd_text()),
        ),
        (
            odd_text(),
            any::<[u8; 32]>(),
            prop::option::of(unix_time()),
            prop::option::of(unix_time()),
        ),
        (0..=u64::from(u32::MAX), any::<bool>()),
        (octets(), octets(), octets()),
    )
        .prop_map(
            |(
                (version, kms_uri, cert_uri, issuer),
                (user_uri, user_id, valid_from, valid_to),
                (key_period_no, revoked),
                (rsk, ssk, pvt),
            )| KmsKeySet {
                version: Some(version),
                kms_uri,
                cert_uri,
                issuer,
                user_uri,
                user_id,
                valid_from,
                valid_to,
                key_period_no,
                revoked,
                rsk: Zeroizing::new(rsk),
                ssk: Zeroizing::new(ssk),
                pvt,
            },
        )
}

fn arb_payload() -> impl Strategy<Value = KmsPayload> {
    prop_oneof![
        arb_certificate().prop_map(KmsPayload::Init),
        prop::collection::vec(arb_key_set(), 0..3).prop_map(KmsPayload::KeyProv),
        (
            0..=u64::from(u32::MAX),
            prop::collection::vec(arb_certificate(), 0..3)
        )
            .prop_map(|(cache_num, certificates)| KmsPayload::CertCache {
                cache_num,
                certificates
            }),
        (any::<i64>(), odd_text())
            .prop_map(|(code, message)| KmsPayload::Error(KmsErrorInfo { code, message })),
    ]
}

fn arb_response() -> impl Strategy<Value = KmsResponse> {
    (
        (odd_text(), odd_text(), prop::option::of(unix_time())),
        (prop::option::of(odd_text()), odd_text(), arb_payload()),
    )
        .prop_map(
            |((user_uri, kms_uri, time), (kms_id, client_req_url, payload))| KmsResponse {
                user_uri,
                kms_uri,
                time,
                kms_id,
                client_req_url,
                payload,
            },
        )
}

fn arb_request() -> impl Strategy<Value = KmsRequest> {
    (
        (odd_text(), odd_text(), unix_time()),
        (
            prop::option::of(odd_text()),
            prop::option::of(odd_text()),
            odd_text(),
        ),
        prop::option::of((any::<i64>(), odd_text())),
    )
        .prop_map(
            |((user_uri, kms_uri, time), (client_id, device_id, client_req_url), error)| {
                KmsRequest {
                    user_uri,
                    kms_uri,
                    time,
                    client_id,
                    device_id,
                    client_req_url,
                    client_error: error.map(|(code, message)| KmsErrorInfo { code, message }),
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn response_round_trip(response in arb_response()) {
        let doc = emit_response(&response);
        prop_assert_eq!(doc.capacity(), doc.len());
        prop_assert_eq!(parse_response(doc.as_bytes()).unwrap(), response);
    }

    #[test]
    fn request_round_trip(request in arb_request()) {
        let doc = emit_request(&request);
        prop_assert_eq!(parse_request(doc.as_bytes()).unwrap(), request);
    }

    #[test]
    fn datetime_round_trip(t in unix_time()) {
        prop_assert_eq!(parse_datetime(&format_datetime(t)), Ok(t));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = parse_response(&bytes);
        let _ = parse_request(&bytes);
    }

    #[test]
    fn arbitrary_datetimes_never_panic(text in "[0-9T:Z+.-]{0,30}") {
        let _ = parse_datetime(&text);
    }
}

// ---------------------------------------------------------------------------------------------
// Malformed-input sweep

/// A small deterministic PRNG (xorshift64*).
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Bytes that matter to XML, to make mutations bite.
const SPICE: &[u8] = b"<>&;/=\"' \n:!?[]-#xX0aZ\x00\xC3\xFF";

fn mutate(rng: &mut XorShift, doc: &[u8]) -> Vec<u8> {
    let mut doc = doc.to_vec();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(doc.len().max(1));
        let byte = if rng.below(2) == 0 {
            SPICE[rng.below(SPICE.len())]
        } else {
            rng.next() as u8
        };
        match rng.below(4) {
            0 if !doc.is_empty() => doc[at] ^= 1 << rng.below(8),
            1 if !doc.is_empty() => doc[at] = byte,
            2 => doc.insert(at.min(doc.len()), byte),
            _ if !doc.is_empty() => {
                doc.remove(at);
            }
            _ => doc.push(byte),
        }
    }
    doc
}

/// Every truncation, and random flips, insertions and deletions, of the fixtures and of
/// emitted documents: each is refused or parsed, never a panic.
#[test]
fn malformed_input_sweep() {
    let full_init = init();
    let full_keyprov = keyprov();
    let mut count = 0usize;
    for (doc, full) in [(INIT, &full_init), (KEYPROV, &full_keyprov)] {
        for len in 0..doc.len() {
            count += 1;
            match parse_response(&doc[..len]) {
                Err(_) => {}
                // Only trailing white space may go.
                Ok(parsed) => {
                    assert_eq!(&parsed, full);
                    assert!(doc[len..].iter().all(u8::is_ascii_whitespace));
                }
            }
        }
    }

    let emitted_cert_cache = {
        let cert = certificate(&full_init).clone();
        let mut external = cert.clone();
        external.role = CertificateRole::External;
        external.kms_domains = vec!["a.example".into(), "b&c".into()];
        emit_response(&KmsResponse {
            payload: KmsPayload::CertCache {
                cache_num: 3,
                certificates: vec![cert, external],
            },
            ..full_init.clone()
        })
    };
    let emitted_request = emit_request(&sample_request());
    let emitted_keyprov = emit_response(&full_keyprov);
    let seeds: [&[u8]; 5] = [
        INIT,
        KEYPROV,
        emitted_cert_cache.as_bytes(),
        emitted_keyprov.as_bytes(),
        emitted_request.as_bytes(),
    ];
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut refused = 0usize;
    for seed in seeds {
        for _ in 0..1500 {
            let doc = mutate(&mut rng, seed);
            count += 1;
            refused += usize::from(parse_response(&doc).is_err());
            let _ = parse_request(&doc);
        }
    }
    // Most mutations of a document break it; a few (in values or white space) do not.
    assert!(refused > 3000, "only {refused} refused");
    assert!(count > 10_000, "{count}");
}

/// Every leaf element of the fixtures duplicated, moved to another namespace, or moved to no
/// namespace; every integer field made huge.
#[test]
fn structural_mutation_sweep() {
    for doc in [INIT, KEYPROV] {
        let doc_text = text(doc);
        let mut leaves = Vec::new();
        let mut rest = doc_text;
        while let Some(open) = rest.find('<') {
            rest = &rest[open + 1..];
            let name_end = rest.find(['>', ' ']).unwrap();
            let name = &rest[..name_end];
            if name.starts_with(['/', '?']) {
                continue;
            }
            let close = format!("</{name}>");
            let body = &rest[name_end..];
            if let Some(end) = body.find(&close) {
                if !body[1..end].contains('<') {
                    leaves.push((
                        name.to_owned(),
                        format!("<{name}{}", &body[..end + close.len()]),
                    ));
                }
            }
        }
        assert!(leaves.len() >= 7, "{leaves:?}");
        for (name, element) in &leaves {
            let doubled = swap(doc, element, &format!("{element}{element}"));
            match err(&doubled) {
                XmlError::DuplicateElement(shown) => assert_eq!(shown, name),
                other => panic!("{name}: {other:?}"),
            }
            let foreign = element.replacen(
                &format!("<{name}"),
                &format!("<{name} xmlns=\"urn:other\""),
                1,
            );
            match parse_response(&swap(doc, element, &foreign)) {
                Err(XmlError::MissingElement(shown)) => assert_eq!(shown, name),
                // Time is optional in the model.
                Ok(response) if name == "Time" => assert_eq!(response.time, None),
                other => panic!("{name}: {other:?}"),
            }
            let none = element.replacen(&format!("<{name}"), &format!("<{name} xmlns=\"\""), 1);
            assert_eq!(
                err(&swap(doc, element, &none)),
                XmlError::NoNamespace(name.clone())
            );
            let unknown = element.replace(&format!("{name}>"), "Unknown>").replacen(
                &format!("<{name}"),
                "<Unknown",
                1,
            );
            assert_eq!(
                err(&swap(doc, element, &unknown)),
                XmlError::UnexpectedElement("Unknown".into())
            );
        }
    }
    for name in ["UserKeyPeriod", "UserKeyOffset"] {
        bad_value(name)(err(&init_with(name, "99999999999999999999999")));
    }
    bad_value("KeyPeriodNo")(err(&key_set_with(
        "KeyPeriodNo",
        Some("99999999999999999999999"),
    )));
}

/// Found by fuzz/fuzz_targets/kms_xml_emit.rs: a raw CR in text reads back as LF (XML 1.0
/// 2.11), a raw tab, LF or CR in an attribute value as a space (3.3.3). The emitter writes them
/// as character references, so that the document reads back as the value it was made from.
#[test]
fn emitted_cr_tab_lf_read_back_unchanged() {
    for value in ["a\rb", "a\r\nb", "a\tb", "a\nb", "<&\r\">'\t\n"] {
        let mut response = keyprov();
        if let KmsPayload::KeyProv(sets) = &mut response.payload {
            sets[0].version = Some(value.into());
        }
        let doc = emit_response_checked(&response).unwrap();
        assert_eq!(
            parse_response(doc.as_bytes()).unwrap(),
            response,
            "Version {value:?}"
        );

        response.payload = KmsPayload::Error(KmsErrorInfo {
            code: 1,
            message: format!("x{value}x"),
        });
        response.user_uri = format!("sip:{value}@example.org");
        let doc = emit_response_checked(&response).unwrap();
        assert_eq!(
            parse_response(doc.as_bytes()).unwrap(),
            response,
            "text {value:?}"
        );
    }
}
