//! The schema mapping: KMS documents (TS 33.180 D.2.2 `KmsRequest`, D.3.1 `KmsResponse`,
//! D.3.2 `KmsInit` / `KmsCertificate`, D.3.3 `KmsKeyProv` / `KmsKeySet`, D.3.4 `KmsCertCache`)
//! read element by element from a [`Cursor`] into the values of [`crate::kms::message`].

use zeroize::Zeroizing;

use super::cursor::{ChildRule, Cursor, Element};
use super::datetime::parse_datetime_in;
use super::value::{self, is_xml_char};
use super::{MAX_DOCUMENT_BYTES, XmlError};
use crate::kms::message::{
    CertificateRole, KmsCertificate, KmsErrorInfo, KmsKeySet, KmsPayload, KmsRequest, KmsResponse,
};
use crate::uid::UID_BYTES;

/// Sets a singular element's slot, or fails with [`XmlError::DuplicateElement`] before reading
/// the second one.
macro_rules! once {
    ($slot:ident, $name:expr, $value:expr) => {{
        if $slot.is_some() {
            return Err(XmlError::DuplicateElement($name));
        }
        $slot = Some($value);
    }};
}

/// A required element's value, or [`XmlError::MissingElement`].
fn required<T>(slot: Option<T>, name: &'static str) -> Result<T, XmlError> {
    slot.ok_or(XmlError::MissingElement(name))
}

/// Parses a `KmsResponse` (or a `SignedKmsResponse`, whose `ds:Signature` is skipped
/// unchecked): the body of a KMS answer to `init`, `keyprov` or `certcache` (TS 33.180 D.3).
///
/// See the [module documentation](super) for the rules: limits, namespaces, entities, element
/// order, and how each value is read.
///
/// # Errors
/// An [`XmlError`] naming the first problem found; never one carrying a value.
pub fn parse_response(xml: &[u8]) -> Result<KmsResponse, XmlError> {
    let input = prepare(xml)?;
    let mut cursor = Cursor::new(input);
    let root = cursor.root()?;
    let response = match root.name.as_str() {
        "KmsResponse" => response(&mut cursor)?,
        "SignedKmsResponse" => signed(&mut cursor, "SignedKmsResponse", "KmsResponse", response)?,
        _ => return Err(XmlError::UnexpectedRoot(root.name)),
    };
    cursor.finish()?;
    Ok(response)
}

/// Parses a `KmsRequest` (or a `SignedKmsRequest`, whose `ds:Signature` is skipped
/// unchecked): the optional body of a client's POST (TS 33.180 D.2.2). For a KMS, or a test
/// KMS, reading client requests.
///
/// `Time` is required here. `KrrList`, `TrK-ID` and `Signature-ID` are skipped.
///
/// # Errors
/// As [`parse_response`].
pub fn parse_request(xml: &[u8]) -> Result<KmsRequest, XmlError> {
    let input = prepare(xml)?;
    let mut cursor = Cursor::new(input);
    let root = cursor.root()?;
    let request = match root.name.as_str() {
        "KmsRequest" => request(&mut cursor)?,
        "SignedKmsRequest" => signed(&mut cursor, "SignedKmsRequest", "KmsRequest", request)?,
        _ => return Err(XmlError::UnexpectedRoot(root.name)),
    };
    cursor.finish()?;
    Ok(request)
}

/// The checks before any parsing: size, UTF-8, XML characters. Skips a UTF-8 byte order mark.
pub(super) fn prepare(xml: &[u8]) -> Result<&str, XmlError> {
    if xml.len() > MAX_DOCUMENT_BYTES {
        return Err(XmlError::TooLarge);
    }
    let xml = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
    let text = core::str::from_utf8(xml).map_err(|_| XmlError::NotUtf8)?;
    if let Some((offset, _)) = text.char_indices().find(|&(_, c)| !is_xml_char(c)) {
        return Err(XmlError::Malformed {
            offset: offset as u64,
            reason: "character not allowed in XML",
        });
    }
    Ok(text)
}

/// A `Signed*` wrapper: exactly one `inner` element; the `ds:Signature` is foreign and skipped.
fn signed<T>(
    cursor: &mut Cursor<'_>,
    wrapper: &'static str,
    inner: &'static str,
    read: fn(&mut Cursor<'_>) -> Result<T, XmlError>,
) -> Result<T, XmlError> {
    let mut value = None;
    while let Some(child) = cursor.next_child(wrapper)? {
        if child.name == inner {
            once!(value, inner, read(cursor)?);
        } else {
            return Err(child.unexpected());
        }
    }
    required(value, inner)
}

/// Trimmed text of a text-only element, as a `String`.
fn string(cursor: &mut Cursor<'_>) -> Result<String, XmlError> {
    Ok(cursor.text(ChildRule::Refuse)?.trimmed().to_owned())
}

fn unsigned(
    cursor: &mut Cursor<'_>,
    name: &'static str,
    min: u32,
    max: u32,
) -> Result<u64, XmlError> {
    value::unsigned(cursor.text(ChildRule::Refuse)?.trimmed(), name, min, max)
}

fn boolean(cursor: &mut Cursor<'_>, name: &'static str) -> Result<bool, XmlError> {
    value::boolean(cursor.text(ChildRule::Refuse)?.trimmed(), name)
}

fn datetime(cursor: &mut Cursor<'_>, name: &'static str) -> Result<i64, XmlError> {
    parse_datetime_in(cursor.text(ChildRule::Refuse)?.trimmed(), name)
}

/// A key of a certificate (`xsd:hexBinary`, base64 tolerated); public.
fn public_key(cursor: &mut Cursor<'_>, name: &'static str) -> Result<Vec<u8>, XmlError> {
    let mut octets = value::key(cursor.text(ChildRule::Refuse)?.trimmed(), name)?;
    Ok(core::mem::take(&mut *octets))
}

/// A key of a key set (`abstractKeyContentType`): plain content only; an
/// `EncKeyContentType` or an element child is an encrypted key.
fn key_content(
    cursor: &mut Cursor<'_>,
    element: &Element,
    name: &'static str,
) -> Result<Zeroizing<Vec<u8>>, XmlError> {
    if element.xsi_type.as_deref() == Some("EncKeyContentType") {
        return Err(XmlError::EncryptedKeyUnsupported);
    }
    value::key(cursor.text(ChildRule::EncryptedKey)?.trimmed(), name)
}

/// `KmsResponse` (D.3.1).
fn response(cursor: &mut Cursor<'_>) -> Result<KmsResponse, XmlError> {
    let (mut user_uri, mut kms_uri, mut time, mut kms_id, mut client_req_url) =
        (None, None, None, None, None);
    let (mut message, mut error) = (None, None);
    while let Some(child) = cursor.next_child("KmsResponse")? {
        match child.name.as_str() {
            "UserUri" => once!(user_uri, "UserUri", string(cursor)?),
            "KmsUri" => once!(kms_uri, "KmsUri", string(cursor)?),
            "Time" => once!(time, "Time", datetime(cursor, "Time")?),
            "KmsId" => once!(kms_id, "KmsId", string(cursor)?),
            "ClientReqUrl" => once!(client_req_url, "ClientReqUrl", string(cursor)?),
            "KmsMessage" => once!(message, "KmsMessage", kms_message(cursor)?),
            "KmsError" => once!(error, "KmsError", error_type(cursor, "KmsError")?),
            "TrK-ID" | "Signature-ID" => cursor.skip()?,
            _ => return Err(child.unexpected()),
        }
    }
    let payload = match (message, error) {
        (Some(message), None) => message,
        (None, Some(error)) => KmsPayload::Error(error),
        (None, None) => return Err(XmlError::MissingChoice("KmsResponse")),
        (Some(_), Some(_)) => return Err(XmlError::ConflictingChoice("KmsResponse")),
    };
    Ok(KmsResponse {
        user_uri: required(user_uri, "UserUri")?,
        kms_uri: required(kms_uri, "KmsUri")?,
        time,
        kms_id,
        client_req_url: required(client_req_url, "ClientReqUrl")?,
        payload,
    })
}

/// `ErrorType` (`KmsError`, `ClientError`).
fn error_type(cursor: &mut Cursor<'_>, name: &'static str) -> Result<KmsErrorInfo, XmlError> {
    let (mut code, mut message) = (None, None);
    while let Some(child) = cursor.next_child(name)? {
        match child.name.as_str() {
            "ErrorCode" => once!(
                code,
                "ErrorCode",
                value::integer(
                    cursor.text(ChildRule::Refuse)?.trimmed(),
                    "ErrorCode",
                    i64::MIN,
                    i64::MAX
                )?
            ),
            "ErrorMsg" => once!(message, "ErrorMsg", string(cursor)?),
            _ => return Err(child.unexpected()),
        }
    }
    Ok(KmsErrorInfo {
        code: required(code, "ErrorCode")?,
        message: required(message, "ErrorMsg")?,
    })
}

/// `KmsMessage`: exactly one of `KmsInit`, `KmsKeyProv`, `KmsCertCache`.
fn kms_message(cursor: &mut Cursor<'_>) -> Result<KmsPayload, XmlError> {
    let mut payload = None;
    while let Some(child) = cursor.next_child("KmsMessage")? {
        let is_choice = matches!(
            child.name.as_str(),
            "KmsInit" | "KmsKeyProv" | "KmsCertCache"
        );
        if !is_choice {
            return Err(child.unexpected());
        }
        if payload.is_some() {
            return Err(XmlError::ConflictingChoice("KmsMessage"));
        }
        payload = Some(match child.name.as_str() {
            "KmsInit" => KmsPayload::Init(kms_init(cursor)?),
            "KmsKeyProv" => KmsPayload::KeyProv(kms_key_prov(cursor)?),
            _ => cert_cache(cursor, &child)?,
        });
    }
    payload.ok_or(XmlError::MissingChoice("KmsMessage"))
}

/// `KmsInit` (D.3.2): one `KmsCertificate` or `SignedKmsCertificate`; the `KmsInitTkIkType`
/// children `NewTransportKey` / `NewIntegrityKey` are skipped.
fn kms_init(cursor: &mut Cursor<'_>) -> Result<KmsCertificate, XmlError> {
    let mut certificate = None;
    while let Some(child) = cursor.next_child("KmsInit")? {
        match child.name.as_str() {
            "KmsCertificate" => once!(
                certificate,
                "KmsCertificate",
                kms_certificate(cursor, &child, CertificateRole::Root)?
            ),
            "SignedKmsCertificate" => once!(
                certificate,
                "KmsCertificate",
                signed_certificate(cursor, CertificateRole::Root)?
            ),
            "NewTransportKey" | "NewIntegrityKey" => cursor.skip()?,
            _ => return Err(child.unexpected()),
        }
    }
    required(certificate, "KmsCertificate")
}

/// `KmsKeyProv` (D.3.3): zero or more `KmsKeySet`; the `KmsKeyProvTkIkType` children
/// `NewTransportKey` / `NewIntegrityKey` are skipped.
fn kms_key_prov(cursor: &mut Cursor<'_>) -> Result<Vec<KmsKeySet>, XmlError> {
    let mut key_sets = Vec::new();
    while let Some(child) = cursor.next_child("KmsKeyProv")? {
        match child.name.as_str() {
            "KmsKeySet" => key_sets.push(kms_key_set(cursor, &child)?),
            "NewTransportKey" | "NewIntegrityKey" => cursor.skip()?,
            _ => return Err(child.unexpected()),
        }
    }
    Ok(key_sets)
}

/// `KmsCertCache` (D.3.4): the `CacheNum` attribute (0 when absent) and the certificates of
/// its `KmsCertificate` and `SignedKmsCertificate` children, in document order.
fn cert_cache(cursor: &mut Cursor<'_>, element: &Element) -> Result<KmsPayload, XmlError> {
    let cache_num = match element.attribute("CacheNum") {
        Some(text) => value::unsigned(value::trim_xml(text), "CacheNum", 0, u32::MAX)?,
        None => 0,
    };
    let mut certificates = Vec::new();
    while let Some(child) = cursor.next_child("KmsCertCache")? {
        match child.name.as_str() {
            "KmsCertificate" => {
                certificates.push(kms_certificate(cursor, &child, CertificateRole::External)?);
            }
            "SignedKmsCertificate" => {
                certificates.push(signed_certificate(cursor, CertificateRole::External)?);
            }
            _ => return Err(child.unexpected()),
        }
    }
    Ok(KmsPayload::CertCache {
        cache_num,
        certificates,
    })
}

/// `SignedKmsCertificate`: one `KmsCertificate` and a skipped `ds:Signature`.
fn signed_certificate(
    cursor: &mut Cursor<'_>,
    default_role: CertificateRole,
) -> Result<KmsCertificate, XmlError> {
    let mut certificate = None;
    while let Some(child) = cursor.next_child("SignedKmsCertificate")? {
        if child.name == "KmsCertificate" {
            once!(
                certificate,
                "KmsCertificate",
                kms_certificate(cursor, &child, default_role)?
            );
        } else {
            return Err(child.unexpected());
        }
    }
    required(certificate, "KmsCertificate")
}

/// `KmsCertificate` (Table D.3.2.2-1). `default_role` applies when `Role` is absent.
fn kms_certificate(
    cursor: &mut Cursor<'_>,
    element: &Element,
    default_role: CertificateRole,
) -> Result<KmsCertificate, XmlError> {
    let role = match element.attribute("Role").map(value::trim_xml) {
        None => default_role,
        Some("Root") => CertificateRole::Root,
        Some("External") => CertificateRole::External,
        Some(_) => {
            return Err(XmlError::BadValue {
                element: "Role",
                reason: "not Root or External",
            });
        }
    };
    let (mut cert_uri, mut kms_uri, mut issuer, mut valid_from, mut valid_to, mut revoked) =
        (None, None, None, None, None, None);
    let (mut user_id_format, mut user_key_period, mut user_key_offset) = (None, None, None);
    let (mut pub_enc_key, mut pub_auth_key, mut parameter_set, mut kms_domains) =
        (None, None, None, None);
    while let Some(child) = cursor.next_child("KmsCertificate")? {
        match child.name.as_str() {
            "CertUri" => once!(cert_uri, "CertUri", string(cursor)?),
            "KmsUri" => once!(kms_uri, "KmsUri", string(cursor)?),
            "Issuer" => once!(issuer, "Issuer", string(cursor)?),
            "ValidFrom" => once!(valid_from, "ValidFrom", datetime(cursor, "ValidFrom")?),
            "ValidTo" => once!(valid_to, "ValidTo", datetime(cursor, "ValidTo")?),
            "Revoked" => once!(revoked, "Revoked", boolean(cursor, "Revoked")?),
            "UserIdFormat" => once!(user_id_format, "UserIdFormat", string(cursor)?),
            "UserKeyPeriod" => once!(
                user_key_period,
                "UserKeyPeriod",
                unsigned(cursor, "UserKeyPeriod", 1, u32::MAX)?
            ),
            "UserKeyOffset" => once!(
                user_key_offset,
                "UserKeyOffset",
                unsigned(cursor, "UserKeyOffset", 0, u32::MAX)?
            ),
            "PubEncKey" => once!(pub_enc_key, "PubEncKey", public_key(cursor, "PubEncKey")?),
            "PubAuthKey" => once!(
                pub_auth_key,
                "PubAuthKey",
                public_key(cursor, "PubAuthKey")?
            ),
            "ParameterSet" => once!(
                parameter_set,
                "ParameterSet",
                unsigned(cursor, "ParameterSet", 0, 255)?
            ),
            "KmsDomainList" => once!(kms_domains, "KmsDomainList", domain_list(cursor)?),
            _ => return Err(child.unexpected()),
        }
    }
    Ok(KmsCertificate {
        version: element.attribute("Version").map(str::to_owned),
        role,
        cert_uri,
        kms_uri: required(kms_uri, "KmsUri")?,
        issuer,
        valid_from,
        valid_to,
        revoked: revoked.unwrap_or(false),
        user_id_format: required(user_id_format, "UserIdFormat")?,
        user_key_period: required(user_key_period, "UserKeyPeriod")?,
        user_key_offset: required(user_key_offset, "UserKeyOffset")?,
        pub_enc_key: required(pub_enc_key, "PubEncKey")?,
        pub_auth_key: required(pub_auth_key, "PubAuthKey")?,
        parameter_set,
        kms_domains: kms_domains.unwrap_or_default(),
    })
}

/// `KmsDomainList`: one or more `KmsDomain`.
fn domain_list(cursor: &mut Cursor<'_>) -> Result<Vec<String>, XmlError> {
    let mut domains = Vec::new();
    while let Some(child) = cursor.next_child("KmsDomainList")? {
        if child.name == "KmsDomain" {
            domains.push(string(cursor)?);
        } else {
            return Err(child.unexpected());
        }
    }
    if domains.is_empty() {
        return Err(XmlError::MissingElement("KmsDomain"));
    }
    Ok(domains)
}

/// `KmsKeySet` (Table D.3.3.2-1).
fn kms_key_set(cursor: &mut Cursor<'_>, element: &Element) -> Result<KmsKeySet, XmlError> {
    let (mut kms_uri, mut cert_uri, mut issuer, mut user_uri, mut user_id) =
        (None, None, None, None, None::<[u8; UID_BYTES]>);
    let (mut valid_from, mut valid_to, mut key_period_no, mut revoked) = (None, None, None, None);
    let (mut rsk, mut ssk, mut pvt) = (None, None, None);
    while let Some(child) = cursor.next_child("KmsKeySet")? {
        match child.name.as_str() {
            "KmsUri" => once!(kms_uri, "KmsUri", string(cursor)?),
            "CertUri" => once!(cert_uri, "CertUri", string(cursor)?),
            "Issuer" => once!(issuer, "Issuer", string(cursor)?),
            "UserUri" => once!(user_uri, "UserUri", string(cursor)?),
            "UserID" => once!(
                user_id,
                "UserID",
                value::user_id(cursor.text(ChildRule::Refuse)?.trimmed())?
            ),
            "ValidFrom" => once!(valid_from, "ValidFrom", datetime(cursor, "ValidFrom")?),
            "ValidTo" => once!(valid_to, "ValidTo", datetime(cursor, "ValidTo")?),
            "KeyPeriodNo" => once!(
                key_period_no,
                "KeyPeriodNo",
                unsigned(cursor, "KeyPeriodNo", 0, u32::MAX)?
            ),
            "Revoked" => once!(revoked, "Revoked", boolean(cursor, "Revoked")?),
            "UserDecryptKey" => once!(
                rsk,
                "UserDecryptKey",
                key_content(cursor, &child, "UserDecryptKey")?
            ),
            "UserSigningKeySSK" => once!(
                ssk,
                "UserSigningKeySSK",
                key_content(cursor, &child, "UserSigningKeySSK")?
            ),
            "UserPubTokenPVT" => once!(
                pvt,
                "UserPubTokenPVT",
                key_content(cursor, &child, "UserPubTokenPVT")?
            ),
            _ => return Err(child.unexpected()),
        }
    }
    let mut pvt = required(pvt, "UserPubTokenPVT")?;
    Ok(KmsKeySet {
        version: element.attribute("Version").map(str::to_owned),
        kms_uri: required(kms_uri, "KmsUri")?,
        cert_uri,
        issuer,
        user_uri: required(user_uri, "UserUri")?,
        user_id: required(user_id, "UserID")?,
        valid_from,
        valid_to,
        key_period_no: required(key_period_no, "KeyPeriodNo")?,
        revoked: revoked.unwrap_or(false),
        rsk: required(rsk, "UserDecryptKey")?,
        ssk: required(ssk, "UserSigningKeySSK")?,
        pvt: core::mem::take(&mut *pvt),
    })
}

/// `KmsRequest` (Table D.2.2-1).
fn request(cursor: &mut Cursor<'_>) -> Result<KmsRequest, XmlError> {
    let (mut user_uri, mut kms_uri, mut time, mut client_id, mut device_id) =
        (None, None, None, None, None);
    let (mut client_req_url, mut client_error) = (None, None);
    while let Some(child) = cursor.next_child("KmsRequest")? {
        match child.name.as_str() {
            "UserUri" => once!(user_uri, "UserUri", string(cursor)?),
            "KmsUri" => once!(kms_uri, "KmsUri", string(cursor)?),
            "Time" => once!(time, "Time", datetime(cursor, "Time")?),
            "ClientId" => once!(client_id, "ClientId", string(cursor)?),
            "DeviceId" => once!(device_id, "DeviceId", string(cursor)?),
            "ClientReqUrl" => once!(client_req_url, "ClientReqUrl", string(cursor)?),
            "ClientError" => once!(
                client_error,
                "ClientError",
                error_type(cursor, "ClientError")?
            ),
            "KrrList" | "TrK-ID" | "Signature-ID" => cursor.skip()?,
            _ => return Err(child.unexpected()),
        }
    }
    Ok(KmsRequest {
        user_uri: required(user_uri, "UserUri")?,
        kms_uri: required(kms_uri, "KmsUri")?,
        time: required(time, "Time")?,
        client_id,
        device_id,
        client_req_url: required(client_req_url, "ClientReqUrl")?,
        client_error,
    })
}
