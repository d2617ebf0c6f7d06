//! Lexical values of the KMS schema: integers, booleans, the UID and keys in hex or base64.
//! All hex and base64 goes through the constant-time RustCrypto codecs `base16ct` and
//! `base64ct`; decoded keys land directly in zeroizing buffers. Errors name the element and a
//! fixed reason, never the text.

use base64ct::{Base64, Base64Unpadded, Encoding};
use zeroize::Zeroizing;

use super::{MAX_KEY_OCTETS, XmlError};
use crate::uid::UID_BYTES;

/// Whether `c` is XML white space (S production of XML 1.0: space, tab, LF, CR).
pub(super) fn is_xml_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// `text` without leading and trailing XML white space.
pub(super) fn trim_xml(text: &str) -> &str {
    text.trim_matches(is_xml_whitespace)
}

/// Whether `c` is allowed in an XML 1.0 document (the Char production; surrogates cannot
/// occur in a `char`).
pub(super) fn is_xml_char(c: char) -> bool {
    !matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

fn bad(element: &'static str, reason: &'static str) -> XmlError {
    XmlError::BadValue { element, reason }
}

/// An `xsd:integer` (optional sign, decimal digits, leading zeros allowed) in `min..=max`.
pub(super) fn integer(
    text: &str,
    element: &'static str,
    min: i64,
    max: i64,
) -> Result<i64, XmlError> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'+') => (false, &text[1..]),
        Some(b'-') => (true, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(element, "not an integer"));
    }
    let significant = digits.trim_start_matches('0');
    // 19 digits always fit an i128 accumulator below; more cannot be an i64.
    if significant.len() > 19 {
        return Err(bad(element, "out of range"));
    }
    let magnitude = significant
        .bytes()
        .fold(0i128, |acc, b| acc * 10 + i128::from(b - b'0'));
    let value = if negative { -magnitude } else { magnitude };
    if value < i128::from(min) || value > i128::from(max) {
        return Err(bad(element, "out of range"));
    }
    // In min..=max, so it fits.
    i64::try_from(value).map_err(|_| bad(element, "out of range"))
}

/// A non-negative integer in `min..=max`.
pub(super) fn unsigned(
    text: &str,
    element: &'static str,
    min: u32,
    max: u32,
) -> Result<u64, XmlError> {
    let value = integer(text, element, i64::from(min), i64::from(max))?;
    u64::try_from(value).map_err(|_| bad(element, "out of range"))
}

/// An `xsd:boolean`: `true`, `false`, `1`, `0`.
pub(super) fn boolean(text: &str, element: &'static str) -> Result<bool, XmlError> {
    match text {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(bad(element, "not a boolean")),
    }
}

/// `UserID`: 64 hex digits (either case), or the base64 of 32 octets (44 characters padded, 43
/// unpadded).
pub(super) fn user_id(text: &str) -> Result<[u8; UID_BYTES], XmlError> {
    const ELEMENT: &str = "UserID";
    let mut uid = [0u8; UID_BYTES];
    let decoded = match text.len() {
        64 => base16ct::mixed::decode(text, &mut uid)
            .map(<[u8]>::len)
            .ok(),
        44 => Base64::decode(text, &mut uid).map(<[u8]>::len).ok(),
        43 => Base64Unpadded::decode(text, &mut uid).map(<[u8]>::len).ok(),
        _ => return Err(bad(ELEMENT, "not 64 hex digits or the base64 of 32 octets")),
    };
    match decoded {
        Some(UID_BYTES) => Ok(uid),
        _ => Err(bad(ELEMENT, "not 64 hex digits or the base64 of 32 octets")),
    }
}

/// A key: hex of either case, else base64 (padded, or unpadded when the length is not a
/// multiple of 4); 1..=[`MAX_KEY_OCTETS`] octets. Decoded straight into zeroizing storage,
/// which is never reallocated.
pub(super) fn key(text: &str, element: &'static str) -> Result<Zeroizing<Vec<u8>>, XmlError> {
    if text.is_empty() {
        return Err(bad(element, "empty key"));
    }
    if text.len() > 2 * MAX_KEY_OCTETS {
        return Err(bad(element, "key longer than 1024 octets"));
    }
    if text.len() % 2 == 0 {
        let mut octets = Zeroizing::new(vec![0u8; text.len() / 2]);
        if base16ct::mixed::decode(text, &mut octets).is_ok() {
            return Ok(octets);
        }
    }
    // Room for the unpadded decoded length of any text of this length.
    let mut octets = Zeroizing::new(vec![0u8; text.len() / 4 * 3 + 3]);
    let decoded = if text.len() % 4 == 0 {
        Base64::decode(text, &mut octets).map(<[u8]>::len)
    } else {
        Base64Unpadded::decode(text, &mut octets).map(<[u8]>::len)
    };
    match decoded {
        Ok(0) => Err(bad(element, "empty key")),
        Ok(n) if n > MAX_KEY_OCTETS => Err(bad(element, "key longer than 1024 octets")),
        Ok(n) => {
            // Shortening keeps the allocation; the zeroizing wrapper clears all of it on drop.
            octets.truncate(n);
            Ok(octets)
        }
        Err(_) => Err(bad(element, "neither hex nor base64")),
    }
}

/// Upper-case hex of `octets`, in a zeroizing string built in place (for secret keys too).
pub(super) fn hex_upper(octets: &[u8]) -> Zeroizing<String> {
    let mut text = Zeroizing::new(vec![0u8; 2 * octets.len()]);
    if base16ct::upper::encode(octets, &mut text).is_err() {
        // Unreachable: the buffer has exactly the encoded length.
        return Zeroizing::new(String::new());
    }
    into_string(text)
}

/// Moves zeroizing UTF-8 octets into a zeroizing `String` without copying them.
pub(super) fn into_string(mut octets: Zeroizing<Vec<u8>>) -> Zeroizing<String> {
    match String::from_utf8(core::mem::take(&mut *octets)) {
        Ok(text) => Zeroizing::new(text),
        Err(error) => {
            // Unreachable for the ASCII and UTF-8 this module writes; clear it all the same.
            drop(Zeroizing::new(error.into_bytes()));
            Zeroizing::new(String::new())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        assert_eq!(integer("+007", "x", 0, 10), Ok(7));
        assert_eq!(integer("-0", "x", 0, 10), Ok(0));
        assert_eq!(
            integer("-9223372036854775808", "x", i64::MIN, i64::MAX),
            Ok(i64::MIN)
        );
        assert!(integer("9223372036854775808", "x", i64::MIN, i64::MAX).is_err());
        assert!(integer("99999999999999999999999", "x", 0, 10).is_err());
        assert!(integer("", "x", 0, 10).is_err());
        assert!(integer("+", "x", 0, 10).is_err());
        assert!(integer("1 2", "x", 0, 10).is_err());
        assert!(integer("0x10", "x", 0, 100).is_err());
    }

    #[test]
    fn keys() {
        assert_eq!(&key("0aFf", "k").unwrap()[..], &[0x0a, 0xff]);
        assert_eq!(&key("AQID", "k").unwrap()[..], &[1, 2, 3]);
        assert_eq!(&key("AQI=", "k").unwrap()[..], &[1, 2]);
        assert_eq!(&key("AQI", "k").unwrap()[..], &[1, 2]);
        // Not hex (odd length): unpadded base64.
        assert_eq!(&key("abc", "k").unwrap()[..], &[0x69, 0xb7]);
        assert!(key("@@@@", "k").is_err());
        assert!(key("", "k").is_err());
        assert_eq!(&hex_upper(&[0xab, 0x01])[..], "AB01");
    }
}
