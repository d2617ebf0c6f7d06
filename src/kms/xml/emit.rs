//! Writing KMS documents in the schema's element order (TS 33.180 D.2.2, D.3.1 to D.3.4),
//! through `quick_xml::Writer` (which escapes text and attribute values).

use std::io::{self, Write};

use std::borrow::Cow;

use quick_xml::Writer;
use quick_xml::escape::escape;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::name::QName;
use zeroize::Zeroizing;

use super::cursor::XSI_NAMESPACE;
use super::datetime::format_datetime;
use super::value::{hex_upper, into_string};
use crate::kms::message::{
    CertificateRole, KMS_NAMESPACE, KmsCertificate, KmsErrorInfo, KmsKeySet, KmsPayload,
    KmsRequest, KmsResponse,
};

/// `Version` of `KmsResponse`, `KmsInit`, `KmsKeyProv` and `KmsCertCache`.
const VERSION_1_0_0: &str = "1.0.0";
/// `Version` of `KmsRequest`, and of `KmsCertificate` / `KmsKeySet` when the value has none.
const VERSION_1_1_0: &str = "1.1.0";

/// Writes a `KmsResponse` document (TS 33.180 D.3.1): an XML declaration, then the response
/// with [`KMS_NAMESPACE`] as the default namespace, `xmlns:xsi`, and children in schema order
/// (`UserUri`, `KmsUri`, `Time`, `KmsId`, `ClientReqUrl`, then `KmsMessage` or `KmsError`),
/// indented by two spaces.
///
/// - `Version` attributes: `KmsResponse`, `KmsInit`, `KmsKeyProv`, `KmsCertCache` "1.0.0";
///   `KmsCertificate` and `KmsKeySet` their own version, or "1.1.0" when `None`.
/// - `KmsCertCache` carries `CacheNum`; every `KmsCertificate` carries `Role`.
/// - Optional elements are written when present; `Revoked` only when true;
///   `KmsDomainList` only when there are domains.
/// - Keys and `UserID` as upper-case hex; times as [`super::format_datetime`] (UTC, `Z`, or
///   the ±14:00 zone just outside years 1900..=9999).
///
/// The result holds the secret keys of a key provisioning response in hex, so it is built in
/// zeroizing storage: the document is written once to measure it, then into a buffer allocated
/// at that exact size, which therefore never reallocates (no stray copy of the secrets is left
/// in freed memory), and is moved into the returned string without a copy. The hex of each
/// secret key is likewise built in a zeroizing buffer of exact size.
pub fn emit_response(response: &KmsResponse) -> Zeroizing<String> {
    emit(|writer| write_response(writer, response))
}

/// Writes a `KmsRequest` document (TS 33.180 D.2.2), `Version` "1.1.0", children in schema
/// order (`UserUri`, `KmsUri`, `Time`, `ClientId`, `DeviceId`, `ClientReqUrl`,
/// `ClientError`), in the style of [`emit_response`]. A request holds no secret.
pub fn emit_request(request: &KmsRequest) -> String {
    let mut document = emit(|writer| write_request(writer, request));
    core::mem::take(&mut *document)
}

/// Runs `write` twice: into a counter, then into a zeroizing buffer of the counted size.
fn emit<F>(write: F) -> Zeroizing<String>
where
    F: Fn(&mut Writer<&mut dyn Write>) -> io::Result<()>,
{
    let mut counter = Counter(0);
    // Neither sink can fail: the counter and a vector accept every write.
    let _ = document(&mut counter, &write);
    let mut buffer = Zeroizing::new(Vec::with_capacity(counter.0));
    let _ = document(&mut *buffer, &write);
    debug_assert_eq!(buffer.len(), counter.0);
    into_string(buffer)
}

/// The XML declaration and the root element.
fn document<F>(sink: &mut dyn Write, write: &F) -> io::Result<()>
where
    F: Fn(&mut Writer<&mut dyn Write>) -> io::Result<()>,
{
    let mut writer = Writer::new_with_indent(sink, b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    write(&mut writer)?;
    writer.get_mut().write_all(b"\n")
}

/// An `io::Write` that only counts.
struct Counter(usize);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

type W<'a, 'b> = Writer<&'a mut (dyn Write + 'b)>;

/// `<name>text</name>`, escaped: the five markup characters, and CR as `&#13;` (a parser
/// turns a raw CR, or CR LF, into LF: XML 1.0 2.11).
fn text(writer: &mut W<'_, '_>, name: &str, value: &str) -> io::Result<()> {
    let mut escaped = escape(value);
    if escaped.contains('\r') {
        escaped = Cow::Owned(escaped.replace('\r', "&#13;"));
    }
    writer
        .create_element(name)
        .write_text_content(BytesText::from_escaped(escaped))?;
    Ok(())
}

/// An attribute whose value comes from the data (a `Version`), escaped: the five markup
/// characters, and tab, LF and CR as character references (a parser turns raw ones into spaces:
/// XML 1.0 3.3.3), so that the value reads back as written.
fn data_attribute<'a>(name: &'a str, value: &str) -> Attribute<'a> {
    let mut escaped = escape(value).into_owned();
    if escaped.contains(['\t', '\n', '\r']) {
        escaped = escaped
            .replace('\t', "&#9;")
            .replace('\n', "&#10;")
            .replace('\r', "&#13;");
    }
    Attribute {
        key: QName(name.as_bytes()),
        value: Cow::Owned(escaped.into_bytes()),
    }
}

fn optional_text(writer: &mut W<'_, '_>, name: &str, value: Option<&str>) -> io::Result<()> {
    match value {
        Some(value) => text(writer, name, value),
        None => Ok(()),
    }
}

fn optional_time(writer: &mut W<'_, '_>, name: &str, value: Option<i64>) -> io::Result<()> {
    match value {
        Some(value) => text(writer, name, &format_datetime(value)),
        None => Ok(()),
    }
}

fn write_response(writer: &mut W<'_, '_>, response: &KmsResponse) -> io::Result<()> {
    writer
        .create_element("KmsResponse")
        .with_attributes([
            ("xmlns", KMS_NAMESPACE),
            ("xmlns:xsi", XSI_NAMESPACE),
            ("Version", VERSION_1_0_0),
        ])
        .write_inner_content(|writer| {
            text(writer, "UserUri", &response.user_uri)?;
            text(writer, "KmsUri", &response.kms_uri)?;
            optional_time(writer, "Time", response.time)?;
            optional_text(writer, "KmsId", response.kms_id.as_deref())?;
            text(writer, "ClientReqUrl", &response.client_req_url)?;
            match &response.payload {
                KmsPayload::Error(error) => write_error(writer, "KmsError", error),
                payload => writer
                    .create_element("KmsMessage")
                    .write_inner_content(|writer| write_message(writer, payload))
                    .map(drop),
            }
        })?;
    Ok(())
}

fn write_message(writer: &mut W<'_, '_>, payload: &KmsPayload) -> io::Result<()> {
    match payload {
        KmsPayload::Init(certificate) => writer
            .create_element("KmsInit")
            .with_attribute(("Version", VERSION_1_0_0))
            .write_inner_content(|writer| write_certificate(writer, certificate))
            .map(drop),
        KmsPayload::KeyProv(key_sets) => writer
            .create_element("KmsKeyProv")
            .with_attribute(("Version", VERSION_1_0_0))
            .write_inner_content(|writer| {
                key_sets
                    .iter()
                    .try_for_each(|key_set| write_key_set(writer, key_set))
            })
            .map(drop),
        KmsPayload::CertCache {
            cache_num,
            certificates,
        } => writer
            .create_element("KmsCertCache")
            .with_attributes([
                ("Version", VERSION_1_0_0),
                ("CacheNum", cache_num.to_string().as_str()),
            ])
            .write_inner_content(|writer| {
                certificates
                    .iter()
                    .try_for_each(|certificate| write_certificate(writer, certificate))
            })
            .map(drop),
        KmsPayload::Error(error) => write_error(writer, "KmsError", error),
    }
}

fn write_error(writer: &mut W<'_, '_>, name: &str, error: &KmsErrorInfo) -> io::Result<()> {
    writer.create_element(name).write_inner_content(|writer| {
        text(writer, "ErrorCode", &error.code.to_string())?;
        text(writer, "ErrorMsg", &error.message)
    })?;
    Ok(())
}

fn write_certificate(writer: &mut W<'_, '_>, certificate: &KmsCertificate) -> io::Result<()> {
    let role = match certificate.role {
        CertificateRole::Root => "Root",
        CertificateRole::External => "External",
    };
    let version = certificate.version.as_deref().unwrap_or(VERSION_1_1_0);
    writer
        .create_element("KmsCertificate")
        .with_attributes([data_attribute("Version", version), ("Role", role).into()])
        .write_inner_content(|writer| {
            optional_text(writer, "CertUri", certificate.cert_uri.as_deref())?;
            text(writer, "KmsUri", &certificate.kms_uri)?;
            optional_text(writer, "Issuer", certificate.issuer.as_deref())?;
            optional_time(writer, "ValidFrom", certificate.valid_from)?;
            optional_time(writer, "ValidTo", certificate.valid_to)?;
            if certificate.revoked {
                text(writer, "Revoked", "true")?;
            }
            text(writer, "UserIdFormat", &certificate.user_id_format)?;
            text(
                writer,
                "UserKeyPeriod",
                &certificate.user_key_period.to_string(),
            )?;
            text(
                writer,
                "UserKeyOffset",
                &certificate.user_key_offset.to_string(),
            )?;
            text(writer, "PubEncKey", &hex_upper(&certificate.pub_enc_key))?;
            text(writer, "PubAuthKey", &hex_upper(&certificate.pub_auth_key))?;
            if let Some(parameter_set) = certificate.parameter_set {
                text(writer, "ParameterSet", &parameter_set.to_string())?;
            }
            if !certificate.kms_domains.is_empty() {
                writer
                    .create_element("KmsDomainList")
                    .write_inner_content(|writer| {
                        certificate
                            .kms_domains
                            .iter()
                            .try_for_each(|domain| text(writer, "KmsDomain", domain))
                    })?;
            }
            Ok(())
        })?;
    Ok(())
}

fn write_key_set(writer: &mut W<'_, '_>, key_set: &KmsKeySet) -> io::Result<()> {
    let version = key_set.version.as_deref().unwrap_or(VERSION_1_1_0);
    writer
        .create_element("KmsKeySet")
        .with_attribute(data_attribute("Version", version))
        .write_inner_content(|writer| {
            text(writer, "KmsUri", &key_set.kms_uri)?;
            optional_text(writer, "CertUri", key_set.cert_uri.as_deref())?;
            optional_text(writer, "Issuer", key_set.issuer.as_deref())?;
            text(writer, "UserUri", &key_set.user_uri)?;
            text(writer, "UserID", &hex_upper(&key_set.user_id))?;
            optional_time(writer, "ValidFrom", key_set.valid_from)?;
            optional_time(writer, "ValidTo", key_set.valid_to)?;
            text(writer, "KeyPeriodNo", &key_set.key_period_no.to_string())?;
            if key_set.revoked {
                text(writer, "Revoked", "true")?;
            }
            // Secret hex lives only in zeroizing buffers, and in the document itself.
            text(writer, "UserDecryptKey", &hex_upper(&key_set.rsk))?;
            text(writer, "UserSigningKeySSK", &hex_upper(&key_set.ssk))?;
            text(writer, "UserPubTokenPVT", &hex_upper(&key_set.pvt))
        })?;
    Ok(())
}

fn write_request(writer: &mut W<'_, '_>, request: &KmsRequest) -> io::Result<()> {
    writer
        .create_element("KmsRequest")
        .with_attributes([
            ("xmlns", KMS_NAMESPACE),
            ("xmlns:xsi", XSI_NAMESPACE),
            ("Version", VERSION_1_1_0),
        ])
        .write_inner_content(|writer| {
            text(writer, "UserUri", &request.user_uri)?;
            text(writer, "KmsUri", &request.kms_uri)?;
            text(writer, "Time", &format_datetime(request.time))?;
            optional_text(writer, "ClientId", request.client_id.as_deref())?;
            optional_text(writer, "DeviceId", request.device_id.as_deref())?;
            text(writer, "ClientReqUrl", &request.client_req_url)?;
            match &request.client_error {
                Some(error) => write_error(writer, "ClientError", error),
                None => Ok(()),
            }
        })?;
    Ok(())
}
