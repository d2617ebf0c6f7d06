//! The SDP key-mgmt attribute (RFC 4567): arbitrary text as `a=key-mgmt:mikey <base64>`, and
//! arbitrary octets written as one. Decoding what was written gives the octets back (an empty
//! message is refused: it is no I_MESSAGE); what
//! decodes re-encodes to text that decodes to the same octets; decoded octets go on to the
//! I_MESSAGE parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcptt_kmc::mikey::{self, message::MAX_IMESSAGE_BYTES, sdp};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(octets) = sdp::from_key_mgmt(text) {
            let written = sdp::to_key_mgmt(&octets);
            assert_eq!(sdp::from_key_mgmt(&written).as_deref(), Ok(&octets[..]));
            let _ = mikey::parse(&octets);
        }
    }
    if !data.is_empty() && data.len() <= MAX_IMESSAGE_BYTES {
        let written = sdp::to_key_mgmt(data);
        assert_eq!(sdp::from_key_mgmt(&written).as_deref(), Ok(data));
        let attribute = format!("a=key-mgmt:{written}");
        assert_eq!(sdp::from_key_mgmt(&attribute).as_deref(), Ok(data));
    }
});
