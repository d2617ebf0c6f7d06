//! The KMS Redirect Response (KRR, TS 33.180 5.2.8 and D.4): the XML body of a SIP 488 "Not
//! Acceptable Here" answer to a MIKEY I_MESSAGE whose KMS (IDRkmsr, or IDRkmsi) an entity on the
//! path does not accept. It names the KMS URIs that would be accepted, so that the initiator can
//! build the I_MESSAGE again under one of them (if it holds that KMS's certificate).
//!
//! # What is known of the format, and what is assumed
//!
//! From the TS 33.180 Rel-17 text (clause D.4, stored copy of
//! <https://itecspec.com/spec/3gpp-33-180-d-4-kms-redirect-response-krr>, and clause 5.2.8):
//!
//! - the MIME type [`KRR_CONTENT_TYPE`], the namespace [`KRR_NAMESPACE`] and the root element
//!   `KmsRedirectResponse` (D.4.1, D.4.3); the KMS interface schema imports this namespace and
//!   names the type `KmsRedirectResponseType` (its `KrrList` element in a `KmsRequest`);
//! - what a KRR says (D.4.3's example, 5.2.8.1): an initiator sent an I_MESSAGE to a receiver
//!   under a KMS that an entity on the path (a "processor") rejected; the KRR proposes KMS URIs
//!   for the receiver (the same exists for the initiator's KMS, 5.2.8.1); a later processor that
//!   rejects some of them makes a new KRR that embeds the earlier one and narrows the list;
//! - it should be signed with XML Signature 1.1 (D.4.2: SHA-256, ECDSA-SHA256, C14N 1.0, an
//!   X.509 certificate in KeyInfo).
//!
//! The XML schema itself (D.4.4) and the element names of the example were **not** found in any
//! stored copy reachable here (the stored page stops at the example's root tag). The element
//! names below are therefore **assumed**, in the style of the KMS interface schema, and must be
//! checked against D.4.4 before interworking with a real KRR:
//!
//! ```xml
//! <KmsRedirectResponse xmlns="urn:3gpp:ns:mcsecKMSKRR:1.0">
//!   <InitiatorUri>…</InitiatorUri>                 <!-- required: who sent the I_MESSAGE -->
//!   <ReceiverUri>…</ReceiverUri>                   <!-- required: whom it was for -->
//!   <ProcessorUri>…</ProcessorUri>                 <!-- optional: who made this KRR -->
//!   <Time>…</Time>                                 <!-- optional: xsd:dateTime -->
//!   <InitiatorKmsUri>…</InitiatorKmsUri>           <!-- optional: IDRkmsi of the I_MESSAGE -->
//!   <ReceiverKmsUri>…</ReceiverKmsUri>             <!-- optional: IDRkmsr of the I_MESSAGE -->
//!   <AcceptableInitiatorKmsUris>                   <!-- at least one of the two lists -->
//!     <KmsUri>…</KmsUri>…
//!   </AcceptableInitiatorKmsUris>
//!   <AcceptableReceiverKmsUris>
//!     <KmsUri>…</KmsUri>…
//!   </AcceptableReceiverKmsUris>
//!   <KmsRedirectResponse>…</KmsRedirectResponse>   <!-- optional: the earlier KRR embedded -->
//!   <ds:Signature>…</ds:Signature>                 <!-- optional, skipped unchecked -->
//! </KmsRedirectResponse>
//! ```
//!
//! Because the names are assumed, an element of the KRR namespace with another name is skipped
//! (not refused, unlike the KMS interface codec): a real KRR with more elements than assumed
//! still yields the ones named above, and one without them fails with
//! [`XmlError::MissingElement`] or [`XmlError::MissingChoice`].
//!
//! # Not a signature check
//!
//! **The KRR's XML signature is not verified** (out of scope: D.4.2 leaves the X.509 trust to
//! the deployment): the `ds:Signature` element is skipped like any foreign element. A KRR is
//! therefore unauthenticated input, whatever it carries: the app may retarget an I_MESSAGE to
//! one of its KMS URIs only if that KMS is one it already trusts (a certificate from its home
//! KMS's cache), never fetch anything because a KRR names it.
//!
//! # Rules
//!
//! The document rules of the KMS codec apply (see [`super`]): at most
//! [`super::MAX_DOCUMENT_BYTES`], UTF-8, no DTD, no custom entity, nesting at most
//! [`super::MAX_DEPTH`], at most [`super::MAX_NAMESPACES_IN_SCOPE`] namespace declarations in
//! scope, elements matched by namespace and local name, an element in no namespace refused,
//! nothing after the root. On top: every string is trimmed of XML white space, non-empty, at
//! most [`MAX_KRR_TEXT_CHARS`] characters, and holds no control character (C0, DEL, C1, also as
//! a character reference) and no bidirectional formatting character (U+061C, U+200E, U+200F,
//! U+202A to U+202E, U+2066 to U+2069), so that an app can show it; each list holds 1 to
//! [`MAX_KRR_URIS`] URIs; at most [`MAX_KRR_EMBEDDED`] KRRs are embedded in one another.
//! Errors name elements, never their text.

use std::io::{self, Write};

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::XmlError;
use super::cursor::{ChildRule, Cursor};
use super::datetime::{format_datetime, parse_datetime_in};
use super::parse::prepare;

/// The XML namespace of the KRR (TS 33.180 D.4).
pub const KRR_NAMESPACE: &str = "urn:3gpp:ns:mcsecKMSKRR:1.0";

/// The MIME type of a KRR body in a SIP 488 answer (TS 33.180 D.4.1).
pub const KRR_CONTENT_TYPE: &str = "application/vnd.3gpp.kmsredirectresponse+xml";

/// The most characters of one string of a KRR (a URI).
pub const MAX_KRR_TEXT_CHARS: usize = 1024;

/// The most KMS URIs in one list of acceptable KMS URIs.
pub const MAX_KRR_URIS: usize = 16;

/// The most KRRs embedded in one another below the outermost one.
pub const MAX_KRR_EMBEDDED: usize = 4;

/// A parsed KMS Redirect Response. The acceptable KMS URIs of the outermost KRR are the ones
/// that count (a later processor narrows the earlier lists); `embedded` keeps the history.
/// Nothing in it is authenticated (see the [module documentation](self)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsRedirect {
    /// `InitiatorUri`: who sent the refused I_MESSAGE.
    pub initiator_uri: String,
    /// `ReceiverUri`: whom it was for.
    pub receiver_uri: String,
    /// `ProcessorUri`: the entity that made this KRR.
    pub processor_uri: Option<String>,
    /// `Time`, Unix seconds.
    pub time: Option<i64>,
    /// `InitiatorKmsUri`: the initiator's KMS URI of the refused I_MESSAGE (IDRkmsi).
    pub initiator_kms_uri: Option<String>,
    /// `ReceiverKmsUri`: the receiver's KMS URI of the refused I_MESSAGE (IDRkmsr).
    pub receiver_kms_uri: Option<String>,
    /// `AcceptableInitiatorKmsUris/KmsUri`: KMS URIs acceptable for the initiator, in order;
    /// empty when the KRR has no such list.
    pub acceptable_initiator_kms_uris: Vec<String>,
    /// `AcceptableReceiverKmsUris/KmsUri`: KMS URIs acceptable for the receiver, in order;
    /// empty when the KRR has no such list.
    pub acceptable_receiver_kms_uris: Vec<String>,
    /// The earlier KRR this one embeds.
    pub embedded: Option<Box<KmsRedirect>>,
}

/// Parses a KMS Redirect Response body (`application/vnd.3gpp.kmsredirectresponse+xml`).
///
/// The element names are assumed (the D.4.4 schema was not available): see the
/// [module documentation](self). The XML signature is **not** verified.
///
/// # Errors
/// An [`XmlError`] naming the first problem found: [`XmlError::UnexpectedRoot`] for a root
/// other than `KmsRedirectResponse` in [`KRR_NAMESPACE`], [`XmlError::MissingElement`] for a
/// missing `InitiatorUri`, `ReceiverUri` or `KmsUri` of a list, [`XmlError::MissingChoice`]
/// when there is no list of acceptable KMS URIs, [`XmlError::BadValue`] for a string that is
/// empty, too long or holds a control character, too many URIs or embedded KRRs, and the
/// document errors of the KMS codec.
pub fn parse_kms_redirect(body: &[u8]) -> Result<KmsRedirect, XmlError> {
    let input = prepare(body)?;
    let mut cursor = Cursor::with_namespace(input, KRR_NAMESPACE);
    let root = cursor.root()?;
    if root.name != ROOT {
        return Err(XmlError::UnexpectedRoot(root.name));
    }
    let redirect = redirect(&mut cursor, 0)?;
    cursor.finish()?;
    Ok(redirect)
}

const ROOT: &str = "KmsRedirectResponse";

/// Sets a singular element's slot, or fails with [`XmlError::DuplicateElement`].
fn once<T>(slot: &mut Option<T>, name: &'static str, value: T) -> Result<(), XmlError> {
    if slot.is_some() {
        return Err(XmlError::DuplicateElement(name));
    }
    *slot = Some(value);
    Ok(())
}

/// The content of a `KmsRedirectResponse`, `embedded` levels below the outermost one.
fn redirect(cursor: &mut Cursor<'_>, embedded: usize) -> Result<KmsRedirect, XmlError> {
    let (mut initiator_uri, mut receiver_uri, mut processor_uri, mut time) =
        (None, None, None, None);
    let (mut initiator_kms_uri, mut receiver_kms_uri) = (None, None);
    let (mut initiator_list, mut receiver_list, mut earlier) = (None, None, None);
    while let Some(child) = cursor.next_child(ROOT)? {
        match child.name.as_str() {
            "InitiatorUri" => once(
                &mut initiator_uri,
                "InitiatorUri",
                text(cursor, "InitiatorUri")?,
            )?,
            "ReceiverUri" => once(
                &mut receiver_uri,
                "ReceiverUri",
                text(cursor, "ReceiverUri")?,
            )?,
            "ProcessorUri" => once(
                &mut processor_uri,
                "ProcessorUri",
                text(cursor, "ProcessorUri")?,
            )?,
            "Time" => once(
                &mut time,
                "Time",
                parse_datetime_in(cursor.text(ChildRule::Refuse)?.trimmed(), "Time")?,
            )?,
            "InitiatorKmsUri" => once(
                &mut initiator_kms_uri,
                "InitiatorKmsUri",
                text(cursor, "InitiatorKmsUri")?,
            )?,
            "ReceiverKmsUri" => once(
                &mut receiver_kms_uri,
                "ReceiverKmsUri",
                text(cursor, "ReceiverKmsUri")?,
            )?,
            "AcceptableInitiatorKmsUris" => once(
                &mut initiator_list,
                "AcceptableInitiatorKmsUris",
                uri_list(cursor, "AcceptableInitiatorKmsUris")?,
            )?,
            "AcceptableReceiverKmsUris" => once(
                &mut receiver_list,
                "AcceptableReceiverKmsUris",
                uri_list(cursor, "AcceptableReceiverKmsUris")?,
            )?,
            ROOT => {
                if embedded >= MAX_KRR_EMBEDDED {
                    return Err(XmlError::BadValue {
                        element: ROOT,
                        reason: "too many embedded KRRs",
                    });
                }
                once(
                    &mut earlier,
                    ROOT,
                    Box::new(redirect(cursor, embedded + 1)?),
                )?;
            }
            // The names are assumed: others of the KRR namespace are skipped, not refused.
            _ => cursor.skip()?,
        }
    }
    if initiator_list.is_none() && receiver_list.is_none() {
        return Err(XmlError::MissingChoice(ROOT));
    }
    Ok(KmsRedirect {
        initiator_uri: initiator_uri.ok_or(XmlError::MissingElement("InitiatorUri"))?,
        receiver_uri: receiver_uri.ok_or(XmlError::MissingElement("ReceiverUri"))?,
        processor_uri,
        time,
        initiator_kms_uri,
        receiver_kms_uri,
        acceptable_initiator_kms_uris: initiator_list.unwrap_or_default(),
        acceptable_receiver_kms_uris: receiver_list.unwrap_or_default(),
        embedded: earlier,
    })
}

/// A list of 1 to [`MAX_KRR_URIS`] `KmsUri` children; other KRR-namespace children skipped.
fn uri_list(cursor: &mut Cursor<'_>, name: &'static str) -> Result<Vec<String>, XmlError> {
    let mut uris = Vec::new();
    while let Some(child) = cursor.next_child(name)? {
        if child.name == "KmsUri" {
            if uris.len() == MAX_KRR_URIS {
                return Err(XmlError::BadValue {
                    element: name,
                    reason: "too many KMS URIs",
                });
            }
            uris.push(text(cursor, "KmsUri")?);
        } else {
            cursor.skip()?;
        }
    }
    if uris.is_empty() {
        return Err(XmlError::MissingElement("KmsUri"));
    }
    Ok(uris)
}

/// A string of a KRR: trimmed, non-empty, bounded, no control or bidi formatting character.
fn text(cursor: &mut Cursor<'_>, element: &'static str) -> Result<String, XmlError> {
    let content = cursor.text(ChildRule::Refuse)?;
    check_text(content.trimmed(), element).map(str::to_owned)
}

fn check_text<'t>(text: &'t str, element: &'static str) -> Result<&'t str, XmlError> {
    let bad = |reason| XmlError::BadValue { element, reason };
    if text.is_empty() {
        return Err(bad("empty"));
    }
    if text.chars().count() > MAX_KRR_TEXT_CHARS {
        return Err(bad("too long"));
    }
    if text.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Err(bad("control character"));
    }
    Ok(text)
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Writes a KRR document in the assumed element order of the
/// [module documentation](self), with [`KRR_NAMESPACE`] as the default namespace, unsigned.
/// For tests and test servers; `parse_kms_redirect(emit_kms_redirect(x)) == x` for every `x`
/// whose strings pass the parser's checks, whose time lies in years 1900..=9999, which has at
/// least one non-empty list of at most [`MAX_KRR_URIS`], and whose embedded KRRs do too, at
/// most [`MAX_KRR_EMBEDDED`] deep.
pub fn emit_kms_redirect(redirect: &KmsRedirect) -> String {
    let mut buffer = Vec::new();
    let mut writer = Writer::new_with_indent(&mut buffer, b' ', 2);
    // A vector accepts every write.
    let _ = writer
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .and_then(|()| write_redirect(&mut writer, redirect, true));
    buffer.push(b'\n');
    String::from_utf8(buffer).unwrap_or_default()
}

fn write_redirect<W: Write>(
    writer: &mut Writer<W>,
    redirect: &KmsRedirect,
    root: bool,
) -> io::Result<()> {
    let mut start = BytesStart::new(ROOT);
    if root {
        start.push_attribute(("xmlns", KRR_NAMESPACE));
    }
    writer.write_event(Event::Start(start))?;
    element(writer, "InitiatorUri", &redirect.initiator_uri)?;
    element(writer, "ReceiverUri", &redirect.receiver_uri)?;
    if let Some(uri) = &redirect.processor_uri {
        element(writer, "ProcessorUri", uri)?;
    }
    if let Some(time) = redirect.time {
        element(writer, "Time", &format_datetime(time))?;
    }
    if let Some(uri) = &redirect.initiator_kms_uri {
        element(writer, "InitiatorKmsUri", uri)?;
    }
    if let Some(uri) = &redirect.receiver_kms_uri {
        element(writer, "ReceiverKmsUri", uri)?;
    }
    for (name, uris) in [
        (
            "AcceptableInitiatorKmsUris",
            &redirect.acceptable_initiator_kms_uris,
        ),
        (
            "AcceptableReceiverKmsUris",
            &redirect.acceptable_receiver_kms_uris,
        ),
    ] {
        if !uris.is_empty() {
            writer.write_event(Event::Start(BytesStart::new(name)))?;
            for uri in uris {
                element(writer, "KmsUri", uri)?;
            }
            writer.write_event(Event::End(BytesEnd::new(name)))?;
        }
    }
    if let Some(earlier) = &redirect.embedded {
        write_redirect(writer, earlier, false)?;
    }
    writer.write_event(Event::End(BytesEnd::new(ROOT)))
}

fn element<W: Write>(writer: &mut Writer<W>, name: &str, text: &str) -> io::Result<()> {
    writer.write_event(Event::Start(BytesStart::new(name)))?;
    writer.write_event(Event::Text(BytesText::new(text)))?;
    writer.write_event(Event::End(BytesEnd::new(name)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kms::xml::MAX_DOCUMENT_BYTES;

    /// The D.4.3 scenario in the assumed element names: processor.2 narrows processor.1's
    /// list of receiver KMS URIs to one, embedding processor.1's KRR; both are signed.
    const EXAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<krr:KmsRedirectResponse xmlns:krr="urn:3gpp:ns:mcsecKMSKRR:1.0"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="krr-2">
  <krr:InitiatorUri>example:initiator@example.org</krr:InitiatorUri>
  <krr:ReceiverUri>example:receiver@example.org</krr:ReceiverUri>
  <krr:ProcessorUri>example:processor.2@example.org</krr:ProcessorUri>
  <krr:Time>2026-12-05T08:30:00Z</krr:Time>
  <krr:ReceiverKmsUri>kms.reject.example.org</krr:ReceiverKmsUri>
  <krr:AcceptableReceiverKmsUris>
    <krr:KmsUri> kms.option1.example.org </krr:KmsUri>
  </krr:AcceptableReceiverKmsUris>
  <krr:KmsRedirectResponse Id="krr-1">
    <krr:InitiatorUri>example:initiator@example.org</krr:InitiatorUri>
    <krr:ReceiverUri>example:receiver@example.org</krr:ReceiverUri>
    <krr:ProcessorUri>example:processor.1@example.org</krr:ProcessorUri>
    <krr:ReceiverKmsUri>kms.reject.example.org</krr:ReceiverKmsUri>
    <krr:AcceptableReceiverKmsUris>
      <krr:KmsUri>kms.option1.example.org</krr:KmsUri>
      <krr:KmsUri>kms.option2.example.org</krr:KmsUri>
    </krr:AcceptableReceiverKmsUris>
    <ds:Signature><ds:SignedInfo/><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>
  </krr:KmsRedirectResponse>
  <krr:VendorHint>skipped</krr:VendorHint>
  <ds:Signature><ds:SignedInfo/><ds:SignatureValue>BBBB</ds:SignatureValue></ds:Signature>
</krr:KmsRedirectResponse>
"#;

    fn minimal() -> KmsRedirect {
        KmsRedirect {
            initiator_uri: "sip:alice@example.org".into(),
            receiver_uri: "sip:carol@partner.example.net".into(),
            processor_uri: None,
            time: None,
            initiator_kms_uri: None,
            receiver_kms_uri: None,
            acceptable_initiator_kms_uris: Vec::new(),
            acceptable_receiver_kms_uris: vec!["partner.example.net".into()],
            embedded: None,
        }
    }

    fn parse(text: &str) -> Result<KmsRedirect, XmlError> {
        parse_kms_redirect(text.as_bytes())
    }

    #[test]
    fn the_example_parses() {
        let krr = parse(EXAMPLE).unwrap();
        assert_eq!(krr.initiator_uri, "example:initiator@example.org");
        assert_eq!(krr.receiver_uri, "example:receiver@example.org");
        assert_eq!(
            krr.processor_uri.as_deref(),
            Some("example:processor.2@example.org")
        );
        assert_eq!(krr.time, Some(1_796_459_400));
        assert_eq!(
            krr.receiver_kms_uri.as_deref(),
            Some("kms.reject.example.org")
        );
        assert_eq!(
            krr.acceptable_receiver_kms_uris,
            ["kms.option1.example.org"]
        );
        assert!(krr.acceptable_initiator_kms_uris.is_empty());
        let earlier = krr.embedded.as_deref().unwrap();
        assert_eq!(
            earlier.acceptable_receiver_kms_uris,
            ["kms.option1.example.org", "kms.option2.example.org"]
        );
        assert!(earlier.embedded.is_none());
        // A byte order mark is skipped.
        let with_bom = [b"\xEF\xBB\xBF".as_slice(), EXAMPLE.as_bytes()].concat();
        assert_eq!(parse_kms_redirect(&with_bom).unwrap(), krr);
    }

    #[test]
    fn emitted_documents_round_trip() {
        let mut krr = minimal();
        assert_eq!(parse(&emit_kms_redirect(&krr)).unwrap(), krr);
        krr.processor_uri = Some("sip:ptt-as@example.org".into());
        krr.time = Some(1_800_000_000);
        krr.initiator_kms_uri = Some("kms.example.org".into());
        krr.receiver_kms_uri = Some("kms.example.org".into());
        krr.acceptable_initiator_kms_uris = vec!["kms.example.org".into(), "a&b<c".into()];
        krr.embedded = Some(Box::new(minimal()));
        let text = emit_kms_redirect(&krr);
        assert!(
            text.contains("xmlns=\"urn:3gpp:ns:mcsecKMSKRR:1.0\""),
            "{text}"
        );
        assert_eq!(parse(&text).unwrap(), krr);
    }

    #[test]
    fn missing_elements_are_refused() {
        let base = emit_kms_redirect(&minimal());
        let without = |element: &str| {
            let start = base.find(&format!("<{element}>")).unwrap();
            let end_tag = format!("</{element}>");
            let end = base.find(&end_tag).unwrap() + end_tag.len();
            format!("{}{}", &base[..start], &base[end..])
        };
        assert_eq!(
            parse(&without("InitiatorUri")),
            Err(XmlError::MissingElement("InitiatorUri"))
        );
        assert_eq!(
            parse(&without("ReceiverUri")),
            Err(XmlError::MissingElement("ReceiverUri"))
        );
        assert_eq!(
            parse(&without("AcceptableReceiverKmsUris")),
            Err(XmlError::MissingChoice("KmsRedirectResponse"))
        );
        assert_eq!(
            parse(&without("KmsUri")),
            Err(XmlError::MissingElement("KmsUri"))
        );
        let twice = base.replacen(
            "<ReceiverUri>",
            "<ReceiverUri>x</ReceiverUri><ReceiverUri>",
            1,
        );
        assert_eq!(
            parse(&twice),
            Err(XmlError::DuplicateElement("ReceiverUri"))
        );
    }

    #[test]
    fn wrong_root_or_namespace_is_refused() {
        let base = emit_kms_redirect(&minimal());
        let kms_namespace = base.replace(KRR_NAMESPACE, crate::kms::message::KMS_NAMESPACE);
        assert_eq!(
            parse(&kms_namespace),
            Err(XmlError::UnexpectedRoot("KmsRedirectResponse".into()))
        );
        let no_namespace = base.replace(&format!(" xmlns=\"{KRR_NAMESPACE}\""), "");
        assert_eq!(
            parse(&no_namespace),
            Err(XmlError::NoNamespace("KmsRedirectResponse".into()))
        );
        let other_root = base.replace("KmsRedirectResponse", "KmsRedirect");
        assert_eq!(
            parse(&other_root),
            Err(XmlError::UnexpectedRoot("KmsRedirect".into()))
        );
        // A KMS interface document is not a KRR.
        let kms = "<KmsResponse xmlns=\"urn:3gpp:ns:mcsecKMSInterface:1.0\"/>";
        assert_eq!(
            parse(kms),
            Err(XmlError::UnexpectedRoot("KmsResponse".into()))
        );
        // A child in no namespace.
        let unqualified = base.replacen("<ReceiverUri>", "<x xmlns=\"\">1</x><ReceiverUri>", 1);
        assert_eq!(parse(&unqualified), Err(XmlError::NoNamespace("x".into())));
    }

    #[test]
    fn document_rules_apply() {
        let base = emit_kms_redirect(&minimal());
        let huge = format!("{base}{}", " ".repeat(MAX_DOCUMENT_BYTES));
        assert_eq!(parse(&huge), Err(XmlError::TooLarge));
        let dtd = base.replacen(
            "<KmsRedirectResponse",
            "<!DOCTYPE x [<!ENTITY e \"e\">]><KmsRedirectResponse",
            1,
        );
        assert_eq!(parse(&dtd), Err(XmlError::DtdRefused));
        let entity = base.replacen(">partner.example.net<", ">&e;<", 1);
        assert_eq!(parse(&entity), Err(XmlError::EntityRefused));
        assert_eq!(
            parse(&format!("{base}<KmsRedirectResponse/>")),
            Err(XmlError::TrailingContent)
        );
        assert_eq!(parse_kms_redirect(b"\xFF"), Err(XmlError::NotUtf8));
        let text = base.replacen("<ReceiverUri>", "stray<ReceiverUri>", 1);
        assert_eq!(
            parse(&text),
            Err(XmlError::UnexpectedText("KmsRedirectResponse"))
        );
    }

    #[test]
    fn strings_are_checked() {
        let base = emit_kms_redirect(&minimal());
        let with_uri = |uri: &str| base.replacen(">partner.example.net<", &format!(">{uri}<"), 1);
        for bad in [
            "a\u{85}b",
            "a&#x85;b",
            "a&#x7F;b",
            "a&#9;b",
            "a\tb",
            "a\nb",
            "a\u{202E}b",
            "a&#x2066;b",
        ] {
            assert_eq!(
                parse(&with_uri(bad)),
                Err(XmlError::BadValue {
                    element: "KmsUri",
                    reason: "control character"
                }),
                "{bad:?}"
            );
        }
        // C0 controls other than tab, LF and CR are not XML characters at all.
        for bad in ["a\u{1}b", "a&#x1B;[2Jb"] {
            assert!(
                matches!(parse(&with_uri(bad)), Err(XmlError::Malformed { .. })),
                "{bad:?}"
            );
        }
        assert_eq!(
            parse(&with_uri("   ")),
            Err(XmlError::BadValue {
                element: "KmsUri",
                reason: "empty"
            })
        );
        let long = "k".repeat(MAX_KRR_TEXT_CHARS);
        assert!(parse(&with_uri(&long)).is_ok());
        assert_eq!(
            parse(&with_uri(&format!("{long}k"))),
            Err(XmlError::BadValue {
                element: "KmsUri",
                reason: "too long"
            })
        );
        let initiator = base.replacen("sip:alice@example.org", "sip:alice@example.org\u{9B}", 1);
        assert_eq!(
            parse(&initiator),
            Err(XmlError::BadValue {
                element: "InitiatorUri",
                reason: "control character"
            })
        );
        // Non-ASCII text is fine.
        assert!(parse(&with_uri("kms.bücher.example")).is_ok());
    }

    /// Every prefix of the example and every one-octet change of it is answered (a KRR or an
    /// error), never a panic.
    #[test]
    fn damaged_documents_are_answered() {
        let bytes = EXAMPLE.as_bytes();
        for end in 0..bytes.len() {
            let _ = parse_kms_redirect(&bytes[..end]);
        }
        for i in (0..bytes.len()).step_by(7) {
            for value in [b'<', b'>', b'&', b'/', b'"', 0x00, 0xC3, b'x'] {
                let mut damaged = bytes.to_vec();
                damaged[i] = value;
                let _ = parse_kms_redirect(&damaged);
            }
        }
    }

    #[test]
    fn counts_are_bounded() {
        let mut krr = minimal();
        krr.acceptable_receiver_kms_uris = (0..MAX_KRR_URIS).map(|i| format!("k{i}")).collect();
        assert_eq!(parse(&emit_kms_redirect(&krr)).unwrap(), krr);
        krr.acceptable_receiver_kms_uris.push("one.more".into());
        assert_eq!(
            parse(&emit_kms_redirect(&krr)),
            Err(XmlError::BadValue {
                element: "AcceptableReceiverKmsUris",
                reason: "too many KMS URIs"
            })
        );

        let mut chain = minimal();
        for _ in 0..MAX_KRR_EMBEDDED {
            let mut outer = minimal();
            outer.embedded = Some(Box::new(chain));
            chain = outer;
        }
        assert_eq!(parse(&emit_kms_redirect(&chain)).unwrap(), chain);
        let mut outer = minimal();
        outer.embedded = Some(Box::new(chain));
        assert_eq!(
            parse(&emit_kms_redirect(&outer)),
            Err(XmlError::BadValue {
                element: "KmsRedirectResponse",
                reason: "too many embedded KRRs"
            })
        );
    }
}
