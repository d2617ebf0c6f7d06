//! `mkc_result`: the one result type of the C API, and the mapping from core errors.

use crate::Error;
use crate::client::{ClientError, KeyRingError, StoreError};
use crate::mikey::srtp::MkiError;
use crate::mikey::{KeyParamsError, MikeyError};
use std::ffi::c_char;

/// Result of every fallible C function. Values are stable: a value is never reused for another
/// meaning. 1-99 are API use and environment errors, 100-199 cryptographic failures (which carry
/// no detail about which check failed).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum mkc_result {
    /// Success.
    Ok = 0,
    /// A required pointer argument was NULL (an input with length 0 may be NULL).
    NullParameter = 1,
    /// An output buffer is too small; `*written` (where the function has one) holds the size
    /// needed and the buffer is untouched.
    BufferTooSmall = 2,
    /// A panic was caught inside the library; no state was changed.
    Panic = 3,
    /// The operating system's random number generator failed.
    RngFailure = 4,
    /// An argument is outside its documented range (for example a length above `PTRDIFF_MAX`).
    InvalidParameter = 5,
    /// Key material failed validation: wrong length or encoding, out of range, not on the
    /// curve, or not consistent with the KMS public key and identifier.
    InvalidKey = 100,
    /// A signature did not verify.
    VerifyFailed = 101,
    /// SAKKE decapsulation failed (malformed SED, R not a point of order q, or the final
    /// check); nothing was written.
    DecapsulationFailed = 102,
    /// An input has the wrong length where the length is fixed by the standard and is not a
    /// key's (for example an SSV that is not 16 octets).
    InvalidLength = 6,
    /// A `mkc_client_config` was refused (URL not https://, empty or repeated identity,
    /// inconsistent retry settings, unknown identifier encoding).
    InvalidConfig = 7,
    /// The request id is not one the client has in flight.
    UnknownRequest = 8,
    /// The client has no validated KMS certificate yet.
    NoCertificate = 9,
    /// The client holds no valid key of the needed kind for that identity and time.
    NoKeyMaterial = 10,
    /// A key store blob is not one (bad magic), has an unknown version, or its content fails
    /// validation.
    InvalidStore = 11,
    /// A key store blob failed authentication: wrong storage key, another user's blob, or a
    /// tampered or truncated blob.
    StoreAuthenticationFailed = 103,
    /// A MIKEY message is malformed or uses something unsupported (payload, SAKKE scheme,
    /// signature type, timestamp type).
    MikeyMalformed = 12,
    /// The I_MESSAGE's timestamp T is outside the replay window.
    MikeyTimeOutsideWindow = 13,
    /// The I_MESSAGE is addressed to another identity.
    MikeyNotForUs = 14,
    /// The I_MESSAGE's initiator or key identifiers are inconsistent.
    MikeyAuthenticationFailed = 104,
    /// The peer's KMS domain is unknown: no valid certificate of the KMS an I_MESSAGE's
    /// IDRkmsi names, or of the responder's KMS given to create one, is held (TS 33.180 5.2.7:
    /// partner certificates come from the KMS's certificate cache).
    MikeyUnknownKms = 15,
    /// The peer's KMS domain was revoked (its certificate came back Revoked).
    MikeyKmsRevoked = 16,
    /// A KMS Redirect Response is not well-formed (TS 33.180 D.4; see
    /// `mkc_kms_redirect_kms_uris`).
    KmsRedirectMalformed = 17,
    /// An SRTP MKI names no key known here: not a PCK-ID (4 octets) or GMK-ID || GUK-ID (8)
    /// of TS 33.180 7.4, or the ID of another key.
    UnknownMki = 20,
    /// The key the MKI or key ID names has expired (its expiry time has come); it has been
    /// erased from the client's key ring.
    KeyExpired = 21,
    /// The key the MKI or key ID names is not active yet (its activation time is to come).
    KeyNotYetActive = 22,
    /// The client's key ring holds no key with that ID.
    UnknownKey = 23,
    /// The key is revoked (its key parameters, TS 33.180 E.6, say so): refused, and erased
    /// from the client's key ring.
    KeyRevoked = 24,
    /// The client's key ring holds a key with that ID that another initiator distributed: only
    /// the initiator that distributed a held key (the same initiator KMS URI and initiator URI
    /// or UID) may replace or revoke it (TS 33.180 5.8, 5.11.2). The message was refused and
    /// the key held is unchanged.
    KeyOtherInitiator = 25,
}

impl From<Error> for mkc_result {
    fn from(error: Error) -> Self {
        match error {
            Error::InvalidKey => Self::InvalidKey,
            Error::VerifyFailed => Self::VerifyFailed,
            Error::Rng => Self::RngFailure,
            Error::InvalidLength => Self::InvalidLength,
            Error::DecapsulationFailed => Self::DecapsulationFailed,
        }
    }
}

impl From<ClientError> for mkc_result {
    fn from(error: ClientError) -> Self {
        match error {
            ClientError::Config(_) => Self::InvalidConfig,
            ClientError::UnknownRequest => Self::UnknownRequest,
            ClientError::NoCertificate => Self::NoCertificate,
            ClientError::NoKeyMaterial => Self::NoKeyMaterial,
            ClientError::InvalidTime | ClientError::InvalidToken | ClientError::InvalidStatus => {
                Self::InvalidParameter
            }
            ClientError::Crypto(e) => e.into(),
            ClientError::Store(StoreError::BadKeyLength) => Self::InvalidLength,
            ClientError::Store(StoreError::Rng) => Self::RngFailure,
            ClientError::Store(StoreError::AuthenticationFailed) => Self::StoreAuthenticationFailed,
            ClientError::Store(_) => Self::InvalidStore,
            ClientError::Mikey(e) => e.into(),
            ClientError::UnknownKms => Self::MikeyUnknownKms,
            ClientError::RevokedKms => Self::MikeyKmsRevoked,
            ClientError::KeyRing(e) => e.into(),
        }
    }
}

impl From<MikeyError> for mkc_result {
    fn from(error: MikeyError) -> Self {
        match error {
            MikeyError::TimeOutsideWindow => Self::MikeyTimeOutsideWindow,
            MikeyError::NotForUs => Self::MikeyNotForUs,
            MikeyError::SignatureInvalid => Self::VerifyFailed,
            MikeyError::DecapsulationFailed => Self::DecapsulationFailed,
            MikeyError::NoReceiverKey => Self::NoKeyMaterial,
            MikeyError::UnknownInitiatorKms => Self::MikeyUnknownKms,
            MikeyError::RevokedInitiatorKms => Self::MikeyKmsRevoked,
            MikeyError::InitiatorMismatch | MikeyError::KeyIdMismatch => {
                Self::MikeyAuthenticationFailed
            }
            MikeyError::InvalidParams(_) | MikeyError::TooLong(_) | MikeyError::NoKeyPeriod => {
                Self::InvalidParameter
            }
            MikeyError::KeyRevoked(_) => Self::KeyRevoked,
            MikeyError::KeyParameters(
                KeyParamsError::AuthenticationFailed
                | KeyParamsError::WrongDppkId
                | KeyParamsError::KeyTypeMismatch(_),
            ) => Self::MikeyAuthenticationFailed,
            MikeyError::Crypto(e) => e.into(),
            _ => Self::MikeyMalformed,
        }
    }
}

impl From<MkiError> for mkc_result {
    fn from(error: MkiError) -> Self {
        match error {
            MkiError::UnknownMki => Self::UnknownMki,
            MkiError::NotMediaKey => Self::InvalidParameter,
            MkiError::InvalidLength => Self::InvalidLength,
        }
    }
}

impl From<KeyRingError> for mkc_result {
    fn from(error: KeyRingError) -> Self {
        match error {
            KeyRingError::UnknownKey => Self::UnknownMki,
            KeyRingError::Expired => Self::KeyExpired,
            KeyRingError::NotYetActive => Self::KeyNotYetActive,
            KeyRingError::NotMediaKey | KeyRingError::UnsupportedPurpose => Self::InvalidParameter,
            KeyRingError::OtherInitiator => Self::KeyOtherInitiator,
        }
    }
}

impl mkc_result {
    /// The static, NUL-terminated description of a result value; unknown values get a generic
    /// text. Codes coming from C are read as `u32`, never as the enum.
    fn describe(code: u32) -> &'static [u8] {
        const ALL: [mkc_result; 29] = [
            mkc_result::Ok,
            mkc_result::NullParameter,
            mkc_result::BufferTooSmall,
            mkc_result::Panic,
            mkc_result::RngFailure,
            mkc_result::InvalidParameter,
            mkc_result::InvalidKey,
            mkc_result::VerifyFailed,
            mkc_result::InvalidLength,
            mkc_result::DecapsulationFailed,
            mkc_result::InvalidConfig,
            mkc_result::UnknownRequest,
            mkc_result::NoCertificate,
            mkc_result::NoKeyMaterial,
            mkc_result::InvalidStore,
            mkc_result::StoreAuthenticationFailed,
            mkc_result::MikeyMalformed,
            mkc_result::MikeyTimeOutsideWindow,
            mkc_result::MikeyNotForUs,
            mkc_result::MikeyAuthenticationFailed,
            mkc_result::MikeyUnknownKms,
            mkc_result::MikeyKmsRevoked,
            mkc_result::KmsRedirectMalformed,
            mkc_result::UnknownMki,
            mkc_result::KeyExpired,
            mkc_result::KeyNotYetActive,
            mkc_result::UnknownKey,
            mkc_result::KeyRevoked,
            mkc_result::KeyOtherInitiator,
        ];
        match ALL.iter().find(|r| **r as u32 == code) {
            Some(mkc_result::Ok) => b"ok\0",
            Some(mkc_result::NullParameter) => b"a required pointer argument was NULL\0",
            Some(mkc_result::BufferTooSmall) => b"output buffer too small\0",
            Some(mkc_result::Panic) => b"internal error (panic caught at the C boundary)\0",
            Some(mkc_result::RngFailure) => b"operating system random number generator failed\0",
            Some(mkc_result::InvalidParameter) => b"argument out of range\0",
            Some(mkc_result::InvalidKey) => b"invalid key material\0",
            Some(mkc_result::VerifyFailed) => b"signature verification failed\0",
            Some(mkc_result::InvalidLength) => b"input of the wrong length\0",
            Some(mkc_result::DecapsulationFailed) => b"decapsulation failed\0",
            Some(mkc_result::InvalidConfig) => b"invalid client configuration\0",
            Some(mkc_result::UnknownRequest) => b"unknown or finished request id\0",
            Some(mkc_result::NoCertificate) => b"no KMS certificate\0",
            Some(mkc_result::NoKeyMaterial) => b"no key material for that identity and time\0",
            Some(mkc_result::InvalidStore) => b"not a valid key store\0",
            Some(mkc_result::StoreAuthenticationFailed) => {
                b"key store authentication failed (wrong key, other user, or tampered)\0"
            }
            Some(mkc_result::MikeyMalformed) => b"malformed or unsupported MIKEY message\0",
            Some(mkc_result::MikeyTimeOutsideWindow) => {
                b"MIKEY timestamp outside the replay window\0"
            }
            Some(mkc_result::MikeyNotForUs) => b"MIKEY message addressed to another identity\0",
            Some(mkc_result::MikeyAuthenticationFailed) => {
                b"MIKEY initiator or key identifiers inconsistent\0"
            }
            Some(mkc_result::MikeyUnknownKms) => b"no valid certificate of the peer's KMS\0",
            Some(mkc_result::MikeyKmsRevoked) => b"the peer's KMS is revoked\0",
            Some(mkc_result::KmsRedirectMalformed) => b"malformed KMS Redirect Response\0",
            Some(mkc_result::UnknownMki) => b"the SRTP MKI names no known key\0",
            Some(mkc_result::KeyExpired) => b"the key has expired and was erased\0",
            Some(mkc_result::KeyNotYetActive) => b"the key is not active yet\0",
            Some(mkc_result::UnknownKey) => b"no key with that ID in the key ring\0",
            Some(mkc_result::KeyRevoked) => b"the key is revoked\0",
            Some(mkc_result::KeyOtherInitiator) => {
                b"the key held under that ID was distributed by another initiator\0"
            }
            None => b"unknown result code\0",
        }
    }
}

/// A static, NUL-terminated English description of `result` (any `uint32_t`; unknown values
/// give "unknown result code"). The string is never freed by the caller. Never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mkc_result_str(result: u32) -> *const c_char {
    super::panic::guard_value(c"internal error".as_ptr(), || {
        mkc_result::describe(result).as_ptr().cast()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn every_code_has_its_own_text_and_unknown_codes_are_safe() {
        let mut seen = std::collections::HashSet::new();
        for code in [
            0u32, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 20, 21, 22, 23, 24,
            25, 100, 101, 102, 103, 104,
        ] {
            let text = unsafe { CStr::from_ptr(mkc_result_str(code)) }
                .to_str()
                .unwrap();
            assert_ne!(text, "unknown result code", "code {code}");
            assert!(seen.insert(text));
        }
        for code in [18u32, 26, 99, 105, u32::MAX] {
            let text = unsafe { CStr::from_ptr(mkc_result_str(code)) }
                .to_str()
                .unwrap();
            assert_eq!(text, "unknown result code");
        }
    }
}
