//! The client never panics, whatever the order and content of its inputs: random sequences of
//! polls at random (also absurd) times, answers with random statuses and bodies (valid,
//! truncated, garbage, for another request), transport failures, tokens and refreshes. After
//! each step the wake-up time is in the future, and stored material is always for one of our
//! identities.

use std::sync::LazyLock;

use mcptt_kmc::client::{Client, ClientConfig, Output};
use mcptt_kmc::kms::Kms;
use mcptt_kmc::kms::issue::KmsDomain;
use mcptt_kmc::kms::message::{KmsErrorInfo, KmsPayload, KmsResponse};
use mcptt_kmc::kms::xml;
use proptest::prelude::*;

const ALICE: &str = "sip:alice@example.org";
const NOW: u64 = 1_800_000_000;

/// Bodies the KMS might send: a certificate, a key set for alice (current period), a KmsError,
/// their truncations, garbage.
static BODIES: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let kms = Kms::generate().unwrap();
    let domain = KmsDomain::new("kms.example.org", 86_400, 0);
    let n = domain.key_period_for(NOW as i64).unwrap();
    let wrap = |payload| {
        let r = KmsResponse {
            user_uri: ALICE.into(),
            kms_uri: "kms.example.org".into(),
            time: None,
            kms_id: None,
            client_req_url: "u".into(),
            payload,
        };
        xml::emit_response(&r).as_bytes().to_vec()
    };
    let cert = wrap(KmsPayload::Init(kms.certificate(&domain)));
    let set = wrap(KmsPayload::KeyProv(vec![
        kms.issue_key_set(&domain, ALICE, n).unwrap(),
    ]));
    let error = wrap(KmsPayload::Error(KmsErrorInfo {
        code: 7,
        message: "no".into(),
    }));
    vec![
        cert.clone(),
        set.clone(),
        error,
        cert[..cert.len() / 2].to_vec(),
        set[..set.len() - 30].to_vec(),
        Vec::new(),
        b"<KmsResponse/>".to_vec(),
        vec![0xff; 64],
    ]
});

#[derive(Clone, Debug)]
enum Step {
    Poll(u64),
    Answer {
        status: u16,
        body: usize,
        id_offset: u64,
    },
    Fail {
        id_offset: u64,
    },
    Token,
    Refresh,
}

fn step() -> impl Strategy<Value = Step> {
    let time = prop_oneof![
        8 => (0u64..200_000).prop_map(|d| NOW + d),
        1 => Just(0u64),
        1 => Just(u64::MAX),
        1 => any::<u64>(),
    ];
    prop_oneof![
        4 => time.prop_map(Step::Poll),
        4 => (
            prop_oneof![6 => Just(200u16), 1 => Just(401), 1 => Just(403), 1 => Just(500), 1 => 0u16..1000],
            prop_oneof![3 => Just(0usize), 3 => Just(1usize), 2 => 2usize..8],
            0u64..3,
        )
            .prop_map(|(status, body, id_offset)| Step::Answer { status, body, id_offset }),
        1 => (0u64..3).prop_map(|id_offset| Step::Fail { id_offset }),
        1 => Just(Step::Token),
        1 => Just(Step::Refresh),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_inputs_never_panic(steps in proptest::collection::vec(step(), 1..40)) {
        let mut config = ClientConfig::new("https://kms.example.org", ALICE);
        config.expected_kms_uri = Some("kms.example.org".into());
        let mut client = Client::new(config).unwrap();
        let mut now = NOW;
        let mut last_request: Option<u64> = None;
        for step in steps {
            match step {
                Step::Poll(t) => {
                    now = t;
                    for _ in 0..50 {
                        match client.poll_output(now) {
                            Output::Request(r) => last_request = Some(r.id),
                            Output::Event(_) => {}
                            Output::WakeUp(at) => {
                                prop_assert!(at > now);
                                break;
                            }
                            Output::None => break,
                        }
                    }
                }
                Step::Answer { status, body, id_offset } => {
                    let id = last_request.unwrap_or(1).wrapping_add(id_offset);
                    let _ = client.handle_response(now, id, status, &BODIES[body]);
                }
                Step::Fail { id_offset } => {
                    let id = last_request.unwrap_or(1).wrapping_add(id_offset);
                    let _ = client.handle_failure(now, id);
                }
                Step::Token => client.set_access_token("t").unwrap(),
                Step::Refresh => client.refresh(),
            }
            prop_assert!(client.materials().all(|m| m.identity() == ALICE));
        }
    }
}
