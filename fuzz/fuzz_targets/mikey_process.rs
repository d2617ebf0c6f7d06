//! MIKEY-SAKKE I_MESSAGE processing (RFC 6509, TS 33.180 Annex E): arbitrary bytes processed
//! by bob's client, provisioned once by the fixed KMS for the key period of NOW (the seeds are
//! real I_MESSAGEs to bob, so the fuzzer starts past the signature). Also: whatever parses
//! writes back to octets that parse to the same message.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use mcptt_kmc::client::Client;
use mcptt_kmc::mikey;
use mcptt_kmc_fuzz_common::{self as common, BOB, GMS, NOW, REPLAY_WINDOW_S};

static BOB_CLIENT: LazyLock<Client> = LazyLock::new(|| common::provisioned(&common::kms(), BOB));

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = mikey::parse(data) {
        if let Ok(bytes) = message.to_bytes() {
            let mut again = mikey::parse(&bytes).expect("written message parses");
            again.signed_len = message.signed_len;
            assert_eq!(again, message, "I_MESSAGE round trip");
        }
    }
    let bob = &*BOB_CLIENT;
    let initiator = if data.len() % 2 == 0 { None } else { Some(GMS) };
    let _ = bob.mikey_process_imessage(BOB, NOW, REPLAY_WINDOW_S, initiator, data);
});
