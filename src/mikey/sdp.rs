//! The SDP form of a MIKEY message (RFC 4567 3.1): `a=key-mgmt:mikey <base64>`, the message in
//! standard base64 with padding (RFC 4648 4). SIP bodies of MCX products carry the
//! `mikey <base64>` part.

use super::MikeyError;
use base64ct::{Base64, Base64Unpadded, Encoding};

/// The protocol identifier of the key-mgmt attribute.
pub const PROTOCOL_ID: &str = "mikey";

/// `mikey <base64 of message>`, the value of an `a=key-mgmt` attribute.
pub fn to_key_mgmt(message: &[u8]) -> String {
    let mut text = vec![0u8; Base64::encoded_len(message)];
    // The buffer has exactly the encoded length, so encoding cannot fail.
    let encoded = Base64::encode(message, &mut text).unwrap_or_default();
    format!("{PROTOCOL_ID} {encoded}")
}

/// The message octets of a key-mgmt value. Accepts `a=key-mgmt:mikey <b64>`, `mikey <b64>` or
/// the bare base64, with surrounding white space, padded or not.
///
/// # Errors
/// [`MikeyError::BadBase64`] when the text is not base64 (after the prefixes), or names another
/// key management protocol.
pub fn from_key_mgmt(text: &str) -> Result<Vec<u8>, MikeyError> {
    let mut rest = text.trim();
    if let Some(value) = rest.strip_prefix("a=key-mgmt:") {
        rest = value.trim_start();
    }
    if let Some(value) = rest.strip_prefix(PROTOCOL_ID) {
        // "mikey" must be a whole word: followed by white space.
        if value.starts_with(char::is_whitespace) {
            rest = value.trim_start();
        }
    }
    if rest.is_empty() || rest.contains(char::is_whitespace) {
        return Err(MikeyError::BadBase64);
    }
    // The base64 of the longest I_MESSAGE: refuse more before decoding anything.
    if rest.len() > super::message::MAX_IMESSAGE_BYTES.div_ceil(3) * 4 {
        return Err(MikeyError::TooLarge);
    }
    // Three octets per four characters, rounded up: room for any valid input.
    let mut out = vec![0u8; rest.len().div_ceil(4) * 3];
    let len = match Base64::decode(rest, &mut out) {
        Ok(decoded) => decoded.len(),
        Err(_) => Base64Unpadded::decode(rest, &mut out)
            .map_err(|_| MikeyError::BadBase64)?
            .len(),
    };
    out.truncate(len);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_text_is_refused_before_decoding() {
        let max = super::super::message::MAX_IMESSAGE_BYTES;
        let at_cap = to_key_mgmt(&vec![0u8; max]);
        assert_eq!(from_key_mgmt(&at_cap).unwrap().len(), max);
        let over = to_key_mgmt(&vec![0u8; max + 3]);
        assert_eq!(from_key_mgmt(&over), Err(MikeyError::TooLarge));
    }

    #[test]
    fn round_trip_and_prefixes() {
        let msg = [1u8, 26, 5, 1, 0xff];
        let text = to_key_mgmt(&msg);
        assert_eq!(text, "mikey ARoFAf8=");
        assert_eq!(from_key_mgmt(&text).unwrap(), msg);
        assert_eq!(from_key_mgmt("a=key-mgmt:mikey ARoFAf8=\r\n").unwrap(), msg);
        assert_eq!(from_key_mgmt("ARoFAf8=").unwrap(), msg);
        assert_eq!(from_key_mgmt("mikey ARoFAf8").unwrap(), msg);
    }

    #[test]
    fn refuses_non_base64() {
        for bad in [
            "",
            "mikey",
            "mikey ",
            "mikey AR oF",
            "mikey ARo!",
            "zrtp ARoFAf8=",
        ] {
            assert_eq!(from_key_mgmt(bad), Err(MikeyError::BadBase64), "{bad:?}");
        }
    }
}
