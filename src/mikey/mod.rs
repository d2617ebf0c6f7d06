//! MIKEY-SAKKE (RFC 6509) as TS 33.180 Annex E uses it: the I_MESSAGE that carries a GMK, PCK
//! or CSK from an initiator to a responder, SAKKE-encapsulated (RFC 6508) to the responder's
//! UID and ECCSI-signed (RFC 6507) with the initiator's.
//!
//! - [`header`], [`payload`], [`message`]: the byte-level codec of RFC 3830 / RFC 6043 /
//!   RFC 6509 ([`parse`], [`IMessage::to_bytes`]). Every length is checked against what
//!   remains; malformed input gives a [`MikeyError`], never a panic.
//! - [`imessage`]: [`create_imessage`] and [`process_imessage`] (time window, identities, key
//!   periods, signature, decapsulation, key identifiers).
//! - [`kdf`]: the TS 33.220 B.2 KDF, the F.1.3 user salt (GMK-ID -> GUK-ID) and key-ID
//!   purpose tags ([`KeyKind`]).
//! - [`prf`]: the MIKEY key derivation of RFC 3830 4.1.3 with PRF-HMAC-SHA-256 (RFC 6043
//!   6.1), from which TS 33.180 7.4 takes the SRTP master key and salt.
//! - [`srtp`]: the SRTP master key, salt and MKI of TS 33.180 7.4 from a GMK or PCK.
//! - [`sdp`]: the `mikey <base64>` form of SDP's `a=key-mgmt` attribute.
//!
//! Secrets (the distributed key) live only in zeroizing storage and never appear in errors or
//! `Debug` output.

mod codec;
pub mod header;
pub mod imessage;
pub mod kdf;
pub mod keyparams;
pub mod message;
pub mod payload;
pub mod prf;
pub mod sdp;
pub mod srtp;

pub use header::{CommonHeader, CsIdMap, GenericSession, SrtpSession};
pub use imessage::{
    CreateParams, KmsParams, OneKmsDirectory, PeerDirectory, ProcessParams, RAND_BYTES,
    ReceivedKey, Recipient, create_imessage, process_imessage,
};
pub use kdf::{KeyKind, guk_id, user_salt};
pub use keyparams::{KeyParameters, KeyParamsError};
pub use message::{IMessage, Offsets, parse, parse_with_offsets};
pub use payload::{
    GeneralExtension, IdRole, Idr, PolicyParam, SakkePayload, SecurityPolicy, Signature, Timestamp,
};

use std::fmt;

/// The part of an I_MESSAGE an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// The common header (with its CS ID map).
    Header,
    /// The T payload.
    T,
    /// The RAND payload.
    Rand,
    /// An IDR payload.
    Idr,
    /// An SP payload.
    Sp,
    /// The SAKKE payload.
    Sakke,
    /// The SAKKE payload inside the SAKKE-to-self extension.
    SakkeToSelf,
    /// A General Extension payload.
    GeneralExtension,
    /// The SIGN payload.
    Sign,
    /// The initiator's identity: IDRi or IDRuidi.
    InitiatorIdentity,
    /// The responder's identity: IDRr or IDRuidr.
    ResponderIdentity,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Header => "common header",
            Self::T => "T payload",
            Self::Rand => "RAND payload",
            Self::Idr => "IDR payload",
            Self::Sp => "SP payload",
            Self::Sakke => "SAKKE payload",
            Self::SakkeToSelf => "SAKKE-to-self extension",
            Self::GeneralExtension => "General Extension payload",
            Self::Sign => "SIGN payload",
            Self::InitiatorIdentity => "initiator identity (IDRi or IDRuidi)",
            Self::ResponderIdentity => "responder identity (IDRr or IDRuidr)",
        })
    }
}

/// Everything that can go wrong with an I_MESSAGE. No variant carries secret data; crypto
/// failures say which step failed but not why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MikeyError {
    /// The message is longer than [`message::MAX_IMESSAGE_BYTES`]: refused before parsing.
    #[error("I_MESSAGE longer than {} octets", message::MAX_IMESSAGE_BYTES)]
    TooLarge,
    /// A fixed-size field of the part runs past the end of the message.
    #[error("{0} is truncated")]
    Truncated(Part),
    /// A length field of the part points past the end of the message (or of its payload).
    #[error("a length in the {0} points past the end")]
    LengthPastEnd(Part),
    /// Octets follow the part where nothing may.
    #[error("unexpected octets after the {0}")]
    TrailingData(Part),
    /// A value is too long for its length field (when writing).
    #[error("a value is too long for its field in the {0}")]
    TooLong(Part),
    /// A next-payload field names a payload type this codec does not handle.
    #[error("unknown or unsupported payload type {0}")]
    UnknownPayload(u8),
    /// The CS ID map type is none of SRTP-ID (0), Empty (1), GENERIC-ID (2).
    #[error("unknown CS ID map type {0}")]
    UnknownCsIdMap(u8),
    /// The TS type of the T payload is none of NTP-UTC, NTP, COUNTER.
    #[error("unknown timestamp type {0}")]
    UnknownTimestampType(u8),
    /// A payload that may appear once appears twice.
    #[error("duplicate {0}")]
    Duplicate(Part),
    /// A required payload is absent.
    #[error("missing {0}")]
    Missing(Part),
    /// The MIKEY version is not 1.
    #[error("MIKEY version {0}, expected 1")]
    BadVersion(u8),
    /// The data type is not 26 (SAKKE msg).
    #[error("data type {0}, expected 26 (SAKKE message)")]
    BadDataType(u8),
    /// The text is not a base64 MIKEY message.
    #[error("not a base64 MIKEY message")]
    BadBase64,
    /// The timestamp is not NTP-UTC (TS 33.180 E.1).
    #[error("timestamp type {0}, expected NTP-UTC (0)")]
    UnsupportedTimestamp(u8),
    /// The SAKKE payload is not parameter set 1 with ID scheme 2 (TS 33.180 hashed UID).
    #[error("SAKKE params {params} / ID scheme {id_scheme} not supported")]
    UnsupportedSakke {
        /// SAKKE params.
        params: u8,
        /// ID scheme.
        id_scheme: u8,
    },
    /// The SIGN payload is not a 129-octet ECCSI signature (S type 2).
    #[error("signature type {sig_type} of {len} octets, expected ECCSI (2) of 129")]
    UnsupportedSignature {
        /// S type.
        sig_type: u8,
        /// Signature length.
        len: usize,
    },
    /// The key identifier's purpose tag is not GMK (0), PCK (1) or CSK (2).
    #[error("key purpose tag {0} not supported")]
    UnsupportedKeyType(u8),
    /// The timestamp is further from the current time than the replay window allows.
    #[error("timestamp outside the replay window")]
    TimeOutsideWindow,
    /// The time is before key period 0 of a KMS.
    #[error("no key period at this time")]
    NoKeyPeriod,
    /// The message names another responder (and carries no SAKKE-to-self for us).
    #[error("message is not for this identity")]
    NotForUs,
    /// The peer directory knows no KMS for the initiator (no certificate of the KMS that
    /// IDRkmsi names, or of a valid one).
    #[error("unknown KMS of the initiator")]
    UnknownInitiatorKms,
    /// The KMS that IDRkmsi names was revoked (its certificate came back Revoked).
    #[error("the initiator's KMS is revoked")]
    RevokedInitiatorKms,
    /// The initiator URI (IDRi or the one given by the caller) does not hash to the UID in
    /// IDRuidi, or IDRi differs from the URI given by the caller.
    #[error("initiator identity mismatch")]
    InitiatorMismatch,
    /// An identity payload that must hold a 32-octet UID does not, or a URI is not UTF-8.
    #[error("malformed identity")]
    InvalidIdentity,
    /// The ECCSI signature does not verify for the initiator.
    #[error("signature verification failed")]
    SignatureInvalid,
    /// No SAKKE receiver (RSK) for any candidate key period.
    #[error("no receiver key for the key period")]
    NoReceiverKey,
    /// SAKKE decapsulation failed for every candidate key period.
    #[error("decapsulation failed")]
    DecapsulationFailed,
    /// The SPI of the crypto session disagrees with the CSB ID and the key.
    #[error("key identifiers disagree")]
    KeyIdMismatch,
    /// The parameters given to create a message are inconsistent.
    #[error("invalid parameters: {0}")]
    InvalidParams(&'static str),
    /// The key parameters (TS 33.180 E.6, the type-7 General Extension) are refused: malformed,
    /// not authenticated under the distributed key, or naming another key.
    #[error("key parameters: {0}")]
    KeyParameters(keyparams::KeyParamsError),
    /// The key parameters say the key (its ID here) is revoked (TS 33.180 E.6).
    #[error("key {0:#010x} is revoked")]
    KeyRevoked(u32),
    /// A primitive failed while creating a message (RNG, key material).
    #[error("crypto failure: {0}")]
    Crypto(crate::Error),
}

impl MikeyError {
    /// The same truncation error, attributed to `part` (for payloads nested in another).
    pub(crate) fn within(self, part: Part) -> Self {
        match self {
            Self::Truncated(_) => Self::Truncated(part),
            Self::LengthPastEnd(_) => Self::LengthPastEnd(part),
            other => other,
        }
    }
}
