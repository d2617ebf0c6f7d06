//! Key store import (client::store): the first octet chooses how the rest reaches a fresh
//! client of alice: 0, as the blob itself (header and authentication); otherwise as the
//! plaintext, sealed here under the target's storage key for alice (so the fuzzer reaches the
//! decoder and the validation behind AES-GCM; the seeds are real exports). Whatever imports
//! exports again and imports into another fresh client with the same count; a failed import
//! leaves the client empty.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcptt_kmc::client::Client;
use mcptt_kmc_fuzz_common::{self as common, ALICE, NOW, STORAGE_KEY};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let sealed;
    let blob = if mode == 0 {
        rest
    } else {
        sealed = common::seal_store(ALICE, rest);
        &sealed[..]
    };
    let mut client = Client::new(common::config(ALICE)).expect("config");
    match client.import(NOW, &STORAGE_KEY, blob) {
        Ok(count) => {
            assert_eq!(client.materials().count(), count);
            let exported = client.export(&STORAGE_KEY).expect("export");
            let mut other = Client::new(common::config(ALICE)).expect("config");
            assert_eq!(other.import(NOW, &STORAGE_KEY, &exported).ok(), Some(count));
        }
        Err(_) => {
            assert!(client.certificate().is_none());
            assert_eq!(client.materials().count(), 0);
        }
    }
});
