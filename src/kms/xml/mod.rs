//! The XML codec of the TS 33.180 Annex D KMS interface: [`KmsResponse`] and [`KmsRequest`]
//! documents (namespace [`KMS_NAMESPACE`], TS 33.180 D.2.2, D.3.1 to D.3.5) to and from the
//! values of [`crate::kms::message`].
//!
//! # Parsing rules
//!
//! The parser reads untrusted bytes from the network, so it is strict about the document and
//! lenient only where real KMSs differ:
//!
//! - **Limits.** Input longer than [`MAX_DOCUMENT_BYTES`] is refused before any parsing
//!   ([`XmlError::TooLarge`]); element nesting deeper than [`MAX_DEPTH`] is refused
//!   ([`XmlError::TooDeep`]). The reader is a streaming pull parser and keeps no recursion of
//!   its own beyond that depth.
//! - **Encoding.** UTF-8 only (an optional UTF-8 byte order mark is skipped; an XML declaration
//!   naming another encoding is [`XmlError::UnsupportedEncoding`]). Characters XML 1.0 does not
//!   allow (C0 controls other than tab, LF and CR; U+FFFE; U+FFFF) are refused.
//! - **No DTD, no custom entities.** Any `<!DOCTYPE` is [`XmlError::DtdRefused`]; an entity
//!   reference other than the five predefined ones (`&lt;` `&gt;` `&amp;` `&apos;` `&quot;`) and
//!   numeric character references is [`XmlError::EntityRefused`], anywhere in the document,
//!   skipped parts included. Nothing is ever expanded or fetched.
//! - **Processing instructions** other than the XML declaration are ignored: they carry no data
//!   this codec reads and have no effect on it. An XML declaration anywhere but at the very
//!   start (or a PI named `xml` in any case) is malformed. Comments are ignored.
//! - **Namespaces.** Elements are matched by (namespace, local name), whatever the prefix. The
//!   root must be `KmsResponse` or `SignedKmsResponse` (for [`parse_request`]: `KmsRequest` or
//!   `SignedKmsRequest`) in [`KMS_NAMESPACE`]; a `Signed*` root holds the unsigned element and
//!   an optional `ds:Signature`, which is skipped unchecked. Elements of any other namespace
//!   (the schema's `xsd:any namespace="##other"` extension points, XML-DSig, vendor additions)
//!   are skipped with their whole subtree, at any level: except inside the three key elements
//!   of a key set, where any element child means an encrypted key (below). An element in no
//!   namespace is [`XmlError::NoNamespace`].
//! - **Unknown elements of the KMS namespace.** The schema has no extension point in its own
//!   namespace, so an unknown KMS-namespace element inside a known element is
//!   [`XmlError::UnexpectedElement`]. The only KMS-namespace elements tolerated and skipped
//!   unread are the known ones this codec does not model: `TrK-ID` and `Signature-ID`
//!   (Rel-17 additions to `KmsResponse` and `KmsRequest`), `KrrList` (`KmsRequest`), and
//!   `NewTransportKey` / `NewIntegrityKey` (`KmsInit` and `KmsKeyProv`, the
//!   `KmsInitTkIkType` / `KmsKeyProvTkIkType` extensions).
//! - **Order and cardinality.** Children are accepted in any order. A singular element given
//!   twice is [`XmlError::DuplicateElement`]; a missing required one is
//!   [`XmlError::MissingElement`]. `KmsMessage` holds exactly one of `KmsInit`, `KmsKeyProv`,
//!   `KmsCertCache`, and a response holds exactly one of `KmsMessage`, `KmsError`
//!   ([`XmlError::MissingChoice`], [`XmlError::ConflictingChoice`]). Non-blank text between the
//!   children of an element is [`XmlError::UnexpectedText`]. Content after the root element is
//!   [`XmlError::TrailingContent`].
//! - **Tolerances** (the schema makes these optional; the Rust model does not): a
//!   `KmsResponse` without `Time` gives `time: None`; a `KmsCertificate` without `Role` is
//!   `Root` inside `KmsInit` and `External` inside `KmsCertCache`; a `KmsCertCache` without
//!   `CacheNum` has cache number 0. `Version` attributes are kept, never checked (real KMSs
//!   differ). `xsi:type` attributes are accepted anywhere and ignored, except on keys.
//!
//! # Values
//!
//! Text is trimmed of XML white space (space, tab, LF, CR) and then read as:
//!
//! - **Integers** (`xsd:integer`): optional sign, decimal digits, leading zeros allowed.
//!   `UserKeyPeriod` 1..=2^32-1 seconds, `UserKeyOffset`, `KeyPeriodNo`, `CacheNum` 0..=2^32-1,
//!   `ParameterSet` 0..=255, `ErrorCode` any `i64`; anything else is [`XmlError::BadValue`].
//! - **Booleans** (`Revoked`): `true`, `false`, `1`, `0`.
//! - **Times** (`Time`, `ValidFrom`, `ValidTo`): see [`parse_datetime`].
//! - **`Role`**: `Root` or `External`. `UserIdFormat` is kept as text.
//! - **`UserID`**: 64 hex digits (either case) or the base64 of 32 octets (44 characters with
//!   padding, or 43 without).
//! - **Keys** (`PubEncKey`, `PubAuthKey`, `UserDecryptKey`, `UserSigningKeySSK`,
//!   `UserPubTokenPVT`): hex of either case with an even number of digits; text that is not
//!   valid hex is tried as base64 (padded, or unpadded), as deployed clients accept both. No
//!   white space inside. At most [`MAX_KEY_OCTETS`] octets; non-empty. The parser does not
//!   check the expected key lengths (257, 65, 32 octets): the validator that checks the keys
//!   against the certificate does. A key element with `xsi:type="…EncKeyContentType"` or with
//!   an element child (`xenc:EncryptedKey`, the optional security extension of TS 33.180 D.1)
//!   is [`XmlError::EncryptedKeyUnsupported`].
//!
//! All hex and base64 is decoded with the constant-time RustCrypto decoders (`base16ct`,
//! `base64ct`); the secret keys (SSK, RSK) go straight into zeroizing storage, and no error ever
//! carries a value from the document: errors name elements, never contents.
//!
//! # Emitting
//!
//! [`emit_response`] and [`emit_request`] write the schema's element order, the KMS namespace as
//! the default namespace, `xmlns:xsi`, fixed `Version` attributes, upper-case hex and `UserID` as
//! 64 hex digits; text and attribute values are escaped by the XML crate's writer.
//! `parse_response(emit_response(x)) == x` for every value whose strings hold only XML
//! characters without leading or trailing white space (the parser trims it), whose times lie in
//! years 1900..=9999, whose keys are 1..=1024 octets, whose integers are within the ranges
//! above, and whose `KmsCertificate` / `KmsKeySet` versions are `Some` (`None` is emitted as
//! "1.1.0").

mod cursor;
mod datetime;
mod emit;
pub mod krr;
mod parse;
mod value;

pub use datetime::{format_datetime, parse_datetime};
pub use emit::{emit_request, emit_response};
pub use krr::{KmsRedirect, emit_kms_redirect, parse_kms_redirect};
pub use parse::{parse_request, parse_response};

#[cfg(doc)]
use crate::kms::message::{KMS_NAMESPACE, KmsRequest, KmsResponse};

/// Emits a KmsResponse document and reads it back: a document this library's own parser
/// would refuse (a time past year 9999, a period number beyond 2^32 - 1, text XML cannot
/// carry) is never handed out; the parser's error is returned instead.
///
/// # Errors
/// The [`XmlError`] of [`parse_response`] on the emitted document.
pub fn emit_response_checked(
    response: &crate::kms::message::KmsResponse,
) -> Result<zeroize::Zeroizing<String>, XmlError> {
    let text = emit_response(response);
    parse_response(text.as_bytes())?;
    Ok(text)
}

/// The largest document [`parse_response`] and [`parse_request`] accept: 1 MiB. A key
/// provisioning response for one user is about 2 KiB.
pub const MAX_DOCUMENT_BYTES: usize = 1 << 20;

/// The deepest element nesting accepted, the root being at depth 1. The deepest KMS element
/// (`KmsDomain` in a cached `SignedKmsCertificate`) lies at depth 7; an XML signature or an
/// encrypted key below it adds a few levels, far from this limit.
pub const MAX_DEPTH: usize = 32;

/// The most namespace declarations (`xmlns`, `xmlns:p`) in scope at once. A KMS document needs
/// a handful (KMS, XML Schema instance, XML Signature); the bound keeps each prefix look-up,
/// which walks the declarations in scope, short: a document of many declarations and many
/// prefixed names would otherwise cost their product.
pub const MAX_NAMESPACES_IN_SCOPE: usize = 32;

/// The largest key accepted in one key element, in octets (a SAKKE key of parameter set 1 has
/// 257).
pub const MAX_KEY_OCTETS: usize = 1024;

/// Why a KMS document could not be parsed.
///
/// No variant carries text from the document other than element names: a value (which may be a
/// secret key) never appears in an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// The input is longer than [`MAX_DOCUMENT_BYTES`]; nothing was parsed.
    #[error("document larger than {} octets", MAX_DOCUMENT_BYTES)]
    TooLarge,
    /// The input is not UTF-8.
    #[error("document is not UTF-8")]
    NotUtf8,
    /// The XML declaration names an encoding other than UTF-8.
    #[error("document declares an encoding other than UTF-8")]
    UnsupportedEncoding,
    /// The document is not well-formed XML (or not namespace-well-formed): `offset` is the octet
    /// position where the reader stopped, `reason` says what is wrong.
    #[error("malformed XML at octet {offset}: {reason}")]
    Malformed {
        /// Octet offset into the input (after a byte order mark, if any).
        offset: u64,
        /// What is wrong.
        reason: &'static str,
    },
    /// The document has a document type declaration (`<!DOCTYPE`): refused, never read.
    #[error("document type declarations are refused")]
    DtdRefused,
    /// The document references an entity other than the five predefined ones.
    #[error("entity references other than the predefined ones are refused")]
    EntityRefused,
    /// Elements are nested deeper than [`MAX_DEPTH`].
    #[error("elements nested deeper than {}", MAX_DEPTH)]
    TooDeep,
    /// Elements or text follow the root element.
    #[error("content after the root element")]
    TrailingContent,
    /// The root element is not the expected KMS-namespace element (its local name).
    #[error("unexpected root element {0}")]
    UnexpectedRoot(String),
    /// An element in no namespace (its local name).
    #[error("element {0} has no namespace")]
    NoNamespace(String),
    /// A KMS-namespace element where the schema has none of that name (its local name).
    #[error("unexpected element {0}")]
    UnexpectedElement(String),
    /// Non-blank text inside an element that holds only elements (that element's name).
    #[error("unexpected text in {0}")]
    UnexpectedText(&'static str),
    /// A singular element given more than once.
    #[error("duplicate element {0}")]
    DuplicateElement(&'static str),
    /// A required element is missing.
    #[error("missing element {0}")]
    MissingElement(&'static str),
    /// The element named holds none of its choices: `KmsMessage` without `KmsInit`,
    /// `KmsKeyProv` or `KmsCertCache`, or `KmsResponse` without `KmsMessage` or `KmsError`.
    #[error("{0} holds none of its choices")]
    MissingChoice(&'static str),
    /// The element named holds more than one of its choices.
    #[error("{0} holds more than one of its choices")]
    ConflictingChoice(&'static str),
    /// An element's (or attribute's) text is not a valid value of its type.
    #[error("bad value in {element}: {reason}")]
    BadValue {
        /// The element or attribute.
        element: &'static str,
        /// What is wrong (never the value itself).
        reason: &'static str,
    },
    /// A key is encrypted (`EncKeyContentType`, `xenc:EncryptedKey`): the security extension of
    /// TS 33.180 D.1 is not implemented.
    #[error("encrypted key material (security extension) is not supported")]
    EncryptedKeyUnsupported,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kms::Kms;
    use crate::kms::issue::KmsDomain;
    use crate::kms::message::{KmsPayload, KmsResponse};

    fn init_document() -> String {
        let kms = Kms::generate().unwrap();
        let domain = KmsDomain::new("kms.example.org", 86_400, 0);
        let response = KmsResponse {
            user_uri: "sip:alice@example.org".into(),
            kms_uri: "kms.example.org".into(),
            time: None,
            kms_id: None,
            client_req_url: "u".into(),
            payload: KmsPayload::Init(kms.certificate(&domain)),
        };
        emit_response(&response).to_string()
    }

    /// `document` with `count` more namespace declarations on its root element.
    fn with_declarations(document: &str, count: usize) -> String {
        let declarations: String = (0..count)
            .map(|i| format!(" xmlns:p{i}=\"urn:p{i}\""))
            .collect();
        document.replacen("<KmsResponse", &format!("<KmsResponse{declarations}"), 1)
    }

    fn too_many(result: Result<KmsResponse, XmlError>) -> bool {
        matches!(
            result,
            Err(XmlError::Malformed {
                reason: "too many namespace declarations in scope",
                ..
            })
        )
    }

    /// A 1 MiB document of many namespace declarations and prefixed names took 1.4 s where
    /// an ordinary one of that size takes 0.015 s: each prefix look-up walked every
    /// declaration. The declarations in scope are bounded instead.
    #[test]
    fn namespace_declarations_in_scope_are_bounded() {
        let document = init_document();
        let root_tag = &document[document.find("<KmsResponse").unwrap()..];
        let root_tag = &root_tag[..root_tag.find('>').unwrap()];
        let own = root_tag.matches("xmlns").count();
        let room = MAX_NAMESPACES_IN_SCOPE - own;
        assert!(parse_response(with_declarations(&document, room).as_bytes()).is_ok());
        assert!(too_many(parse_response(
            with_declarations(&document, room + 1).as_bytes()
        )));

        // The hostile shape: many declarations (under the reader's own limit of 256 per
        // element), then prefixed names whose look-up walks them all, 1 MiB in all.
        let mut hostile = format!(
            "<KmsResponse xmlns=\"{}\"",
            crate::kms::message::KMS_NAMESPACE
        );
        for i in 0..250 {
            hostile.push_str(&format!(" xmlns:p{i}=\"urn:p{i}\""));
        }
        hostile.push('>');
        while hostile.len() < MAX_DOCUMENT_BYTES - 64 {
            hostile.push_str("<p0:a/>");
        }
        hostile.push_str("</KmsResponse>");
        let result = parse_response(hostile.as_bytes());
        assert!(too_many(result.clone()), "{result:?}");

        // Redeclaring in nested elements counts each declaration while it is in scope only.
        let nested = document.replacen("<KmsUri>", "<p:x xmlns:p=\"urn:p\"/><KmsUri>", 1);
        assert!(parse_response(with_declarations(&nested, room - 1).as_bytes()).is_ok());
    }
}
