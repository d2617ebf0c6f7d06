//! The provisioning client (sans-IO) fed arbitrary answers: a fresh client of alice with a
//! fixed configuration and token; for each record of the input (common::records) the clock
//! moves, the client is polled for its next request, and the record's status and body (or a
//! transport failure) answer it. Deterministic. Checked: no panic; a known request id with a
//! status up to 999 is accepted; wake-ups lie ahead; stored material is alice's; and when the
//! client can sign, its signature verifies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcptt_kmc::client::{Client, ClientError, Output};
use mcptt_kmc_fuzz_common::{self as common, ALICE, Answer, NOW, TOKEN};

/// Polls until the next request (its id), moving the clock to each wake-up on the way.
fn next_request(client: &mut Client, now: &mut u64) -> Option<u64> {
    for _ in 0..64 {
        match client.poll_output(*now) {
            Output::Request(r) => return Some(r.id),
            Output::Event(_) => {}
            Output::WakeUp(at) => {
                assert!(at > *now, "wake-up {at} not after now {now}");
                *now = at;
            }
            Output::None => return None,
        }
    }
    None
}

fuzz_target!(|data: &[u8]| {
    let mut client = Client::new(common::config(ALICE)).expect("config");
    client.set_access_token(TOKEN).expect("token");
    let mut now = NOW;
    for record in common::records(data) {
        now = now.saturating_add(record.advance_s);
        let Some(id) = next_request(&mut client, &mut now) else {
            // Waiting for a token (the KMS refused it): give it a new one.
            client.set_access_token(TOKEN).expect("token");
            continue;
        };
        match record.answer {
            Answer::Status(status) => {
                let result = client.handle_response(now, id, status, record.body);
                if status > 999 {
                    assert_eq!(result.err(), Some(ClientError::InvalidStatus));
                    client.handle_failure(now, id).expect("in flight");
                } else {
                    result.expect("a known request");
                }
            }
            Answer::Failure => client.handle_failure(now, id).expect("in flight"),
        }
    }
    for material in client.materials() {
        assert_eq!(material.identity(), ALICE);
    }
    let msg = b"fuzz";
    if let Ok(signature) = client.sign(ALICE, now, msg) {
        client
            .verify(ALICE, now, msg, &signature)
            .expect("own signature verifies");
    }
});
