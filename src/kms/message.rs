//! The messages of the TS 33.180 Annex D KMS interface as Rust values: what
//! [`crate::kms::xml`] parses from and emits to XML (namespace
//! `urn:3gpp:ns:mcsecKMSInterface:1.0`).
//!
//! Times are Unix seconds (`i64`, UTC): the XML carries `xsd:dateTime`. Keys are the decoded
//! octets; secret keys (SSK, RSK) live in zeroizing storage and have no `Debug` output.

use zeroize::Zeroizing;

use crate::uid::UID_BYTES;

/// The XML namespace of the KMS interface (TS 33.180 D.3.5).
pub const KMS_NAMESPACE: &str = "urn:3gpp:ns:mcsecKMSInterface:1.0";

/// The role of a KMS certificate (`Role` attribute).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertificateRole {
    /// `Root`: the certificate of the user's own KMS.
    Root,
    /// `External`: a certificate of another security domain.
    External,
}

/// `KmsCertificate` (TS 33.180 Table D.3.2.2-1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsCertificate {
    /// `Version` attribute, if present (not checked: real KMSs differ).
    pub version: Option<String>,
    /// `Role` attribute.
    pub role: CertificateRole,
    /// `CertUri`, the identifier of this certificate.
    pub cert_uri: Option<String>,
    /// `KmsUri`, the security domain; P2 of the UID.
    pub kms_uri: String,
    /// `Issuer`.
    pub issuer: Option<String>,
    /// `ValidFrom`, Unix seconds.
    pub valid_from: Option<i64>,
    /// `ValidTo`, Unix seconds.
    pub valid_to: Option<i64>,
    /// `Revoked` (absent means false).
    pub revoked: bool,
    /// `UserIdFormat`; "2" is the TS 33.180 F.2.1 UID.
    pub user_id_format: String,
    /// `UserKeyPeriod`, seconds; P3 of the UID.
    pub user_key_period: u64,
    /// `UserKeyOffset`, seconds from 1900-01-01 00:00 UTC; P4 of the UID.
    pub user_key_offset: u64,
    /// `PubEncKey`: Z_T, the SAKKE public key, as decoded octets (257 for parameter set 1).
    pub pub_enc_key: Vec<u8>,
    /// `PubAuthKey`: KPAK, the ECCSI public key, as decoded octets (65).
    pub pub_auth_key: Vec<u8>,
    /// `ParameterSet` (1 = RFC 6509), if present.
    pub parameter_set: Option<u64>,
    /// `KmsDomainList/KmsDomain` entries.
    pub kms_domains: Vec<String>,
}

/// `KmsKeySet` (TS 33.180 Table D.3.3.2-1): one identity's key material for one key period.
#[derive(Clone, PartialEq, Eq)]
pub struct KmsKeySet {
    /// `Version` attribute, if present.
    pub version: Option<String>,
    /// `KmsUri` of the issuing KMS.
    pub kms_uri: String,
    /// `CertUri`.
    pub cert_uri: Option<String>,
    /// `Issuer`.
    pub issuer: Option<String>,
    /// `UserUri`, the identity; P1 of the UID, used octet for octet.
    pub user_uri: String,
    /// `UserID`, the 32-octet UID (64 hex digits or base64 in the XML).
    pub user_id: [u8; UID_BYTES],
    /// `ValidFrom`, Unix seconds.
    pub valid_from: Option<i64>,
    /// `ValidTo`, Unix seconds.
    pub valid_to: Option<i64>,
    /// `KeyPeriodNo`, the key period number as the KMS counts it; P5 of the UID.
    pub key_period_no: u64,
    /// `Revoked` (absent means false).
    pub revoked: bool,
    /// `UserDecryptKey`: the SAKKE RSK octets (257 for parameter set 1). Secret.
    pub rsk: Zeroizing<Vec<u8>>,
    /// `UserSigningKeySSK`: the ECCSI SSK octets (32). Secret.
    pub ssk: Zeroizing<Vec<u8>>,
    /// `UserPubTokenPVT`: the ECCSI PVT octets (65).
    pub pvt: Vec<u8>,
}

impl core::fmt::Debug for KmsKeySet {
    // The SSK and RSK are secrets: never printed.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KmsKeySet")
            .field("kms_uri", &self.kms_uri)
            .field("user_uri", &self.user_uri)
            .field("key_period_no", &self.key_period_no)
            .field("revoked", &self.revoked)
            .finish_non_exhaustive()
    }
}

/// `KmsError` / `ClientError` (ErrorType): a code and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsErrorInfo {
    /// `ErrorCode`.
    pub code: i64,
    /// `ErrorMsg`.
    pub message: String,
}

/// What a `KmsResponse` carries: one `KmsMessage` choice, or a `KmsError`.
// A response is parsed once and consumed at once: boxing the certificate would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KmsPayload {
    /// `KmsInit`: the KMS's Root certificate.
    Init(KmsCertificate),
    /// `KmsKeyProv`: zero or more key sets.
    KeyProv(Vec<KmsKeySet>),
    /// `KmsCertCache`: a cache number and certificates.
    CertCache {
        /// `CacheNum` attribute.
        cache_num: u64,
        /// The certificates (`KmsCertificate` and the certificate of each
        /// `SignedKmsCertificate`).
        certificates: Vec<KmsCertificate>,
    },
    /// `KmsError` instead of a `KmsMessage`.
    Error(KmsErrorInfo),
}

/// `KmsResponse` (TS 33.180 Table D.3.1-1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsResponse {
    /// `UserUri`: the user the response is for.
    pub user_uri: String,
    /// `KmsUri`: the KMS sending it.
    pub kms_uri: String,
    /// `Time` when sent, Unix seconds.
    pub time: Option<i64>,
    /// `KmsId`.
    pub kms_id: Option<String>,
    /// `ClientReqUrl`: the URL the request was sent to.
    pub client_req_url: String,
    /// The message or the error.
    pub payload: KmsPayload,
}

/// `KmsRequest` (TS 33.180 Table D.2.2-1), the body a client may POST.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsRequest {
    /// `UserUri`.
    pub user_uri: String,
    /// `KmsUri`.
    pub kms_uri: String,
    /// `Time` the request was made, Unix seconds.
    pub time: i64,
    /// `ClientId`.
    pub client_id: Option<String>,
    /// `DeviceId`.
    pub device_id: Option<String>,
    /// `ClientReqUrl`: the URL the request is sent to.
    pub client_req_url: String,
    /// `ClientError`.
    pub client_error: Option<KmsErrorInfo>,
}
