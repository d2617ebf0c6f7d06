//! Provisioning behaviours of KMSs in the field (issue 9 section 1), each on a virtual clock
//! against the in-process KMS of tests/common: two key sets in one answer, a KMS numbering
//! key periods from the Unix epoch, a key set with one valid half, KmsError in a non-2xx
//! answer, the period named by every key-set event, and the NTP era after 2036.

mod common;

use common::*;
use mcptt_kmc::client::{Client, Event, ImessageOptions, Rejection};
use mcptt_kmc::kms::message::KmsErrorInfo;
use mcptt_kmc::mikey::KeyKind;
use mcptt_kmc::time::NTP_UNIX_OFFSET;

const DAY: u64 = 86_400;
const MONTH: u64 = 30 * DAY;
/// 2027-01-15 08:00:00 UTC.
const T0: u64 = 1_800_000_000;

fn sign_verifies(client: &Client, now: u64) -> bool {
    match client.sign(ALICE, now, b"m") {
        Ok(sig) => client.verify(ALICE, now, b"m", &sig).is_ok(),
        Err(_) => false,
    }
}

/// (a) The current and the next period in one answer: both are stored, each under its own
/// period, and nothing is reported as rejected.
#[test]
fn two_key_sets_in_one_answer_are_both_stored() {
    let mut kms = FakeKms::new(DAY);
    kms.mode = Mode::TwoSets;
    let mut client = client(config(DAY));
    let (events, _) = drive(&mut client, &mut kms, T0);
    let n = kms.period_at(T0);
    assert!(rejections(&events).is_empty(), "{events:?}");
    let mut got = ready(&events);
    got.sort();
    assert_eq!(
        got,
        vec![
            (ALICE.into(), n, true, true),
            (ALICE.into(), n + 1, true, true)
        ]
    );
    // The next period starts with its keys in hand, without asking the KMS again.
    kms.mode = Mode::Http(500);
    let (_, end) = kms.bounds(n);
    assert!(sign_verifies(&client, end));
    let periods: Vec<u64> = client.materials().map(|m| m.kms_period_no()).collect();
    assert_eq!(periods, vec![n, n + 1]);
}

/// (a) A set for a period the client does not want is ignored quietly.
#[test]
fn an_unwanted_period_in_an_answer_is_ignored_quietly() {
    let mut kms = FakeKms::new(DAY);
    kms.mode = Mode::Many(4);
    let mut client = client(config(DAY));
    let (events, _) = drive(&mut client, &mut kms, T0);
    let n = kms.period_at(T0);
    assert!(rejections(&events).is_empty(), "{events:?}");
    let periods: Vec<u64> = client.materials().map(|m| m.kms_period_no()).collect();
    assert_eq!(periods, vec![n, n + 1]);
}

fn unix_kms() -> FakeKms {
    let mut kms = FakeKms::new(MONTH);
    kms.numbering = Numbering::Unix;
    kms
}

/// (b) A KMS numbering periods from the Unix epoch: provisioning succeeds on every day of
/// its period, and the keys sign.
#[test]
fn a_unix_epoch_kms_provisions_on_every_day_of_its_period() {
    let mut kms = unix_kms();
    let k = kms.period_at(T0);
    let (start, _) = kms.bounds(k);
    for day in 0..30 {
        let now = start + day * DAY + 3_600;
        let mut client = client(config(MONTH));
        let (events, _) = drive(&mut client, &mut kms, now);
        assert!(
            ready(&events).contains(&(ALICE.into(), k, true, true)),
            "day {day}: {events:?}"
        );
        assert!(sign_verifies(&client, now), "day {day}");
        assert_eq!(
            client.uid_of(ALICE, now).unwrap(),
            kms.domain.uid(ALICE, k).unwrap()
        );
    }
}

/// (b) The next period is fetched ahead by the KMS's own boundaries, and a set past its
/// ValidTo never signs or decrypts.
#[test]
fn a_unix_epoch_kms_next_period_is_prefetched_by_its_boundaries() {
    let mut kms = unix_kms();
    let k = kms.period_at(T0);
    let (start, end) = kms.bounds(k);
    let mut client = client(config(MONTH));
    let events = run_until(&mut client, &mut kms, start + DAY, end);
    assert!(
        ready(&events).contains(&(ALICE.into(), k + 1, true, true)),
        "{events:?}"
    );
    assert!(sign_verifies(&client, end - 1));
    assert!(sign_verifies(&client, end));
    let sig = client.sign(ALICE, end, b"m").unwrap();
    let uid = kms.domain.uid(ALICE, k + 1).unwrap();
    assert_eq!(client.uid_of(ALICE, end).unwrap(), uid);
    client.verify(ALICE, end, b"m", &sig).unwrap();
}

#[test]
fn a_set_past_its_valid_to_never_signs_or_decrypts() {
    let mut kms = unix_kms();
    let k = kms.period_at(T0);
    let (start, end) = kms.bounds(k);
    let mut client = client(config(MONTH));
    drive(&mut client, &mut kms, start + DAY);
    assert!(sign_verifies(&client, start + DAY));
    let sed = client.encapsulate(ALICE, start + DAY, &[1; 16]).unwrap();
    assert!(client.decapsulate(ALICE, start + DAY, &sed).is_ok());
    // The KMS is unreachable from then on: nothing replaces the set.
    kms.mode = Mode::Http(503);
    drive(&mut client, &mut kms, end - 1);
    for t in [end, end + 1, end + DAY] {
        assert!(client.sign(ALICE, t, b"m").is_err(), "signs at {t}");
        assert!(
            client.decapsulate(ALICE, t, &sed).is_err(),
            "decrypts at {t}"
        );
    }
}

/// (b) MIKEY between two users of a Unix-epoch KMS, in both directions.
#[test]
fn mikey_works_between_two_users_of_a_unix_epoch_kms() {
    let mut kms = unix_kms();
    let k = kms.period_at(T0);
    let (start, _) = kms.bounds(k);
    let now = start + 20 * DAY;
    let mut alice = client(config(MONTH));
    drive(&mut alice, &mut kms, now);
    let mut bob_config = config(MONTH);
    bob_config.user_uri = BOB.into();
    let mut bob = client(bob_config);
    drive(&mut bob, &mut kms, now);
    let key = [9u8; 16];
    let options = ImessageOptions {
        kind: KeyKind::Pck,
        key: &key,
        key_id: 0x1000_0001,
        hide_identities: false,
        sakke_to_self: false,
        responder_kms: None,
    };
    for (from, from_uri, to, to_uri) in [(&alice, ALICE, &bob, BOB), (&bob, BOB, &alice, ALICE)] {
        let message = from
            .mikey_create_imessage(from_uri, to_uri, now, &options)
            .unwrap();
        let got = to
            .mikey_process_imessage(to_uri, now, 60, Some(from_uri), &message)
            .unwrap_or_else(|e| panic!("{from_uri} -> {to_uri}: {e}"));
        assert_eq!(*got.key, key);
    }
}

/// (c) One valid half: kept, reported as partial (not ready), and asked for again with the
/// capped backoff until the whole set is installed.
#[test]
fn a_half_valid_set_is_kept_reported_partial_and_asked_again() {
    for mode in [Mode::BadSsk, Mode::BadRsk] {
        let mut kms = FakeKms::new(MONTH);
        kms.mode = mode.clone();
        let mut config = config(MONTH);
        // Few retries, to keep the test quick: the cap, not the count, is what matters.
        config.retry_max_s = 10_000;
        let mut client = client(config);
        let events = run_until(&mut client, &mut kms, T0, T0 + 200_000);
        assert!(ready(&events).is_empty(), "{mode:?}: {events:?}");
        assert!(
            events
                .iter()
                .any(|e| matches!(e, Event::KeyMaterialPartial { .. })),
            "{mode:?}"
        );
        let keyprov = kms
            .requests
            .iter()
            .filter(|u| u.contains("keyprov"))
            .count();
        assert!(
            keyprov >= 200_000 / 10_000,
            "{mode:?}: {keyprov} requests in 200,000 s"
        );
        // The valid half works meanwhile.
        let now = T0 + 200_000;
        assert_eq!(client.sign(ALICE, now, b"m").is_ok(), mode == Mode::BadRsk);
        kms.mode = Mode::Normal;
        let events = run_until(&mut client, &mut kms, now, now + 10_001);
        let k = kms.period_at(now);
        assert!(
            ready(&events).contains(&(ALICE.into(), k, true, true)),
            "{mode:?}: {events:?}"
        );
    }
}

/// (c) refresh re-fetches the current and next sets on demand.
#[test]
fn refresh_fetches_the_current_and_next_sets_again() {
    let mut kms = FakeKms::new(MONTH);
    let mut client = client(config(MONTH));
    drive(&mut client, &mut kms, T0);
    let before = kms.requests.len();
    client.refresh();
    let (events, _) = drive(&mut client, &mut kms, T0 + 1);
    let k = kms.period_at(T0);
    let asked: Vec<&String> = kms.requests[before..]
        .iter()
        .filter(|u| u.contains("keyprov"))
        .collect();
    assert_eq!(asked.len(), 2, "{:?}", &kms.requests[before..]);
    let mut got = ready(&events);
    got.sort();
    assert_eq!(
        got,
        vec![
            (ALICE.into(), k, true, true),
            (ALICE.into(), k + 1, true, true)
        ]
    );
}

/// (d) KmsError in a 4xx/5xx answer: its ErrorCode and ErrorMsg reach the event, escaped.
#[test]
fn kms_error_in_a_non_2xx_answer_is_surfaced_escaped() {
    for status in [400u16, 404, 500, 503] {
        let mut kms = FakeKms::new(MONTH);
        kms.mode = Mode::KmsError(status, 4711, "busy\nFAKE: line\u{202e}\u{9b}x".into());
        let mut client = client(config(MONTH));
        let (events, _) = drive(&mut client, &mut kms, T0);
        let failed = events
            .iter()
            .find_map(|e| match e {
                Event::RequestFailed {
                    http_status,
                    kms_error,
                    ..
                } => Some((*http_status, kms_error.clone())),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{status}: {events:?}"));
        assert_eq!(failed.0, status);
        let KmsErrorInfo { code, message } = failed.1.expect("the KmsError");
        assert_eq!(code, 4711);
        assert_eq!(message, "busy\\u{a}FAKE: line\\u{202e}\\u{9b}x");
    }
}

/// (e) Each rejected set is reported with its own period, not the one asked for.
#[test]
fn events_about_a_key_set_name_its_period() {
    let mut kms = FakeKms::new(MONTH);
    kms.mode = Mode::TwoSetsNextWrongUid;
    let n = kms.period_at(T0);
    let mut client = client(config(MONTH));
    let (events, _) = drive(&mut client, &mut kms, T0);
    let rejected: Vec<(Option<u64>, Rejection)> = events
        .iter()
        .filter_map(|e| match e {
            Event::MaterialRejected { period, reason, .. } => Some((*period, *reason)),
            _ => None,
        })
        .collect();
    assert!(!rejected.is_empty(), "{events:?}");
    assert!(
        rejected
            .iter()
            .all(|r| *r == (Some(n + 1), Rejection::UidMismatch)),
        "{events:?}"
    );
    assert_eq!(ready(&events), vec![(ALICE.into(), n, true, true)]);
}

/// (f) After the NTP rollover, a KMS reading the keyprov time in era 0 answers KeyPeriodNo
/// 0: the client refuses that set. A KMS applying RFC 4330's rule provisions normally.
#[test]
fn after_2036_a_set_for_an_impossible_period_is_refused() {
    // 2040-01-01 00:00:00 UTC.
    let now = 2_208_988_800;
    assert!(now + NTP_UNIX_OFFSET > 1 << 32);
    let mut kms = FakeKms::new(MONTH);
    kms.era_rule = false;
    let mut c = client(config(MONTH));
    let (events, _) = drive(&mut c, &mut kms, now);
    assert!(ready(&events).is_empty(), "{events:?}");
    assert!(
        rejections(&events).contains(&Rejection::WrongPeriod),
        "{events:?}"
    );
    assert!(c.materials().next().is_none());
    assert!(c.sign(ALICE, now, b"m").is_err());

    let mut kms = FakeKms::new(MONTH);
    let mut c = client(config(MONTH));
    let (events, _) = drive(&mut c, &mut kms, now);
    let k = kms.period_at(now);
    assert!(
        ready(&events).contains(&(ALICE.into(), k, true, true)),
        "{events:?}"
    );
    assert!(sign_verifies(&c, now));
}

// Bounds and escapes of what the client reports and holds (issue 13 section 2).

/// More key sets than the cap in one answer: refused at once, nothing validated.
#[test]
fn an_answer_with_more_key_sets_than_the_cap_is_refused() {
    use mcptt_kmc::client::MAX_KEY_SETS_PER_ANSWER;
    let mut kms = FakeKms::new(DAY);
    kms.mode = Mode::Many(MAX_KEY_SETS_PER_ANSWER + 1);
    let mut client = client(config(DAY));
    let (events, _) = drive(&mut client, &mut kms, T0);
    assert_eq!(
        rejections(&events),
        vec![Rejection::Malformed],
        "{events:?}"
    );
    assert!(client.materials().next().is_none());
    // At the cap, only the current and next periods are validated and stored.
    kms.mode = Mode::Many(MAX_KEY_SETS_PER_ANSWER);
    let (events, _) = drive(&mut client, &mut kms, T0 + 1_000);
    assert!(rejections(&events).is_empty(), "{events:?}");
    assert_eq!(client.materials().count(), 2);
}

/// A rejected set's UserUri and a KmsError's ErrorMsg reach events escaped and bounded.
#[test]
fn kms_text_in_events_is_escaped_and_bounded() {
    use mcptt_kmc::kms::message::KmsPayload;
    use mcptt_kmc::text::MAX_REPORTED_BYTES;
    let mut kms = FakeKms::new(DAY);
    let mut client = client(config(DAY));
    drive(&mut client, &mut kms, T0);
    let n = kms.period_at(T0);
    // (XML 1.0 carries no C0 control but TAB, LF and CR.)
    let evil = format!("sip:x\nFAKE\t\u{85}\u{202e}\u{9b}@y{}", "z".repeat(5_000));
    let mut set = kms.kms.issue_key_set(&kms.domain, &evil, n).unwrap();
    set.valid_from = None;
    set.valid_to = None;
    let own = kms.key_set(ALICE, n);
    client.refresh();
    let mut events = Vec::new();
    loop {
        match client.poll_output(T0 + 1) {
            mcptt_kmc::client::Output::Request(r) => {
                let body =
                    kms.envelope(&r.url, KmsPayload::KeyProv(vec![set.clone(), own.clone()]));
                client.handle_response(T0 + 1, r.id, 200, &body).unwrap();
            }
            mcptt_kmc::client::Output::Event(e) => events.push(e),
            _ => break,
        }
    }
    let identity = events
        .iter()
        .find_map(|e| match e {
            Event::MaterialRejected {
                identity: Some(i),
                reason: Rejection::UnknownIdentity,
                ..
            } => Some(i.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{events:?}"));
    assert!(
        identity.starts_with("sip:x\\u{a}FAKE\\u{9}\\u{85}\\u{202e}\\u{9b}@y"),
        "{identity}"
    );
    assert!(identity.len() <= MAX_REPORTED_BYTES);
    assert!(!identity.chars().any(char::is_control));

    let mut kms = FakeKms::new(DAY);
    kms.mode = Mode::KmsError(200, 1, format!("a\u{2028}b\u{9b}c{}", "d".repeat(5_000)));
    let mut client = common::client(config(DAY));
    let (events, _) = drive(&mut client, &mut kms, T0);
    let message = events
        .iter()
        .find_map(|e| match e {
            Event::KmsError { message, .. } => Some(message.clone()),
            _ => None,
        })
        .unwrap();
    assert!(message.starts_with("a\\u{2028}b\\u{9b}cddd"), "{message}");
    assert!(message.len() <= MAX_REPORTED_BYTES);
}

/// A certificate whose period 0 starts in the future (UserKeyOffset 4294967295) gives a
/// defined outcome: refused, reported, and asked again after a wake-up.
#[test]
fn a_certificate_with_its_first_period_in_the_future_is_refused_with_a_wake_up() {
    let mut kms = FakeKms::new(DAY);
    kms.domain.user_key_offset = 4_294_967_295;
    let mut client = client(config(DAY));
    let (events, wake) = drive(&mut client, &mut kms, T0);
    assert!(
        rejections(&events).contains(&Rejection::InvalidKeyPeriod),
        "{events:?}"
    );
    assert!(client.certificate().is_none());
    assert!(wake.is_some_and(|w| w <= T0 + 600), "{wake:?}");
}

/// Times at or above 2^63 drop an expired certificate as any later time does, and a
/// KeyPeriodNo near 2^64 neither panics nor is stored.
#[test]
fn huge_times_and_period_numbers_are_refused_alike_in_every_profile() {
    let mut kms = FakeKms::new(DAY);
    kms.domain.valid_to = Some(T0 as i64 + 3_600);
    let mut client = client(config(DAY));
    drive(&mut client, &mut kms, T0);
    assert!(client.certificate().is_some());
    drive(&mut client, &mut kms, 1 << 63);
    assert!(
        client.certificate().is_none(),
        "the expired certificate is kept at 2^63"
    );

    for k in [1u64 << 63, u64::MAX] {
        let mut kms = FakeKms::new(DAY);
        let mut client = common::client(config(DAY));
        let init = next_request(&mut client, T0);
        let (status, body) = kms.answer(&init, T0);
        client.handle_response(T0, init.id, status, &body).unwrap();
        let r = next_request(&mut client, T0);
        let mut set = kms.kms.issue_key_set(&kms.domain, ALICE, k).unwrap();
        (set.valid_from, set.valid_to) = (None, None);
        let body = kms.envelope(
            &r.url,
            mcptt_kmc::kms::message::KmsPayload::KeyProv(vec![set]),
        );
        client.handle_response(T0, r.id, 200, &body).unwrap();
        let (events, _) = drive(&mut client, &mut kms, T0);
        assert!(
            client.materials().all(|m| m.kms_period_no() != k),
            "{events:?}"
        );
    }
}

fn next_request(client: &mut Client, now: u64) -> mcptt_kmc::client::Request {
    loop {
        match client.poll_output(now) {
            mcptt_kmc::client::Output::Request(r) => return r,
            mcptt_kmc::client::Output::Event(_) => {}
            _ => panic!("no request"),
        }
    }
}

/// With a jitter seed in the configuration, the retry times are a function of the seed: a run
/// can be replayed.
#[test]
fn retry_jitter_replays_from_the_configured_seed() {
    let retry_times = |seed: u64| {
        let mut config = config(DAY);
        config.jitter_seed = Some(seed);
        config.max_attempts = 6;
        let mut kms = FakeKms::new(DAY);
        kms.mode = Mode::Http(503);
        let mut client = common::client(config);
        let events = run_until(&mut client, &mut kms, T0, T0 + 3_000);
        events
            .iter()
            .filter_map(|e| match e {
                Event::RequestFailed { retry_at, .. } => Some(*retry_at),
                _ => None,
            })
            .collect::<Vec<u64>>()
    };
    let a = retry_times(42);
    assert_eq!(a.len(), 5, "{a:?}");
    assert_eq!(a, retry_times(42));
    assert_ne!(a, retry_times(43));
    // Client::set_jitter_seed (mkc_client_set_jitter_seed) on a client configured without a
    // seed replays the same times as the seed in the configuration.
    let mut config = config(DAY);
    config.max_attempts = 6;
    let mut kms = FakeKms::new(DAY);
    kms.mode = Mode::Http(503);
    let mut client = common::client(config);
    client.set_jitter_seed(42);
    assert_eq!(client.config().jitter_seed, Some(42));
    let events = run_until(&mut client, &mut kms, T0, T0 + 3_000);
    let b: Vec<u64> = events
        .iter()
        .filter_map(|e| match e {
            Event::RequestFailed { retry_at, .. } => Some(*retry_at),
            _ => None,
        })
        .collect();
    assert_eq!(a, b);
}

/// Issue 13: the KmsUri of our KMS's certificate is the KMS's text. Its
/// CertificateInstalled event carries it escaped and bounded (bidi overrides and isolates, a
/// backslash, 10 kB), while the certificate keeps the exact KmsUri, from which the UIDs are
/// derived. A KmsUri with LF or ESC is refused (a KmsUri holds no control character) and
/// no event carries either.
#[test]
fn the_kms_uri_of_an_installed_certificate_is_escaped_and_bounded_in_its_event() {
    use mcptt_kmc::text::{MAX_REPORTED_BYTES, reportable};
    let evil = format!(
        "kms.example.org\u{202e}gro.elpmaxe\u{2066}\\{}",
        "k".repeat(10_000)
    );
    let mut kms = FakeKms::of_domain(&evil, ALICE, DAY);
    let mut c = config(DAY);
    c.expected_kms_uri = Some(evil.clone());
    let mut client = client(c);
    let (events, _) = drive(&mut client, &mut kms, T0);
    let reported: Vec<&String> = events
        .iter()
        .filter_map(|e| match e {
            Event::CertificateInstalled { kms_uri, .. } => Some(kms_uri),
            _ => None,
        })
        .collect();
    assert_eq!(reported.len(), 1, "{events:?}");
    let reported = reported[0];
    assert!(
        reported.starts_with("kms.example.org\\u{202e}gro.elpmaxe\\u{2066}\\\\kkk"),
        "{reported}"
    );
    assert!(reported.len() <= MAX_REPORTED_BYTES && reported.ends_with("..."));
    assert_eq!(*reported, reportable(&evil));
    assert!(!reported.contains('\u{202e}') && !reported.contains('\u{2066}'));
    // The certificate keeps the exact KmsUri: the key set's UID, derived from it, matched.
    assert_eq!(client.certificate().unwrap().kms_uri(), evil);
    assert!(!ready(&events).is_empty(), "{events:?}");
    assert!(sign_verifies(&client, T0 + 1));

    // LF and ESC: refused as a KmsUri, and no event carries a control character.
    for bad in [
        "kms.example.org\nFAKE: installed",
        "kms.example.org\u{1b}[2J",
    ] {
        let mut kms = FakeKms::of_domain(bad, ALICE, DAY);
        let mut c = config(DAY);
        c.expected_kms_uri = None;
        let mut client = common::client(c);
        let (events, _) = drive(&mut client, &mut kms, T0);
        assert!(client.certificate().is_none(), "{events:?}");
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, Event::CertificateInstalled { .. })),
            "{events:?}"
        );
        assert!(!rejections(&events).is_empty(), "{events:?}");
        for e in &events {
            let text = match e {
                Event::MaterialRejected {
                    identity, detail, ..
                } => format!("{identity:?}{detail:?}"),
                Event::CertificateInstalled { kms_uri, .. } => kms_uri.clone(),
                _ => String::new(),
            };
            assert!(!text.contains('\n') && !text.contains('\u{1b}'), "{text}");
        }
    }
}
