//! The provisioning client on a virtual clock against an in-process KMS built from the
//! library's own issuance and XML emitter: period rollover, prefetch, tokens, KMS errors,
//! retries, revocation, re-keying, a KMS counting periods from the Unix epoch, and malformed
//! answers that must leave the stored material unchanged.

use std::collections::HashMap;

use mcptt_kmc::client::{
    API_PATH, Client, ClientConfig, Event, Output, PARK_WITHOUT_CERTIFICATE_S, Rejection, Request,
};
use mcptt_kmc::kms::Kms;
use mcptt_kmc::kms::issue::KmsDomain;
use mcptt_kmc::kms::message::{KmsErrorInfo, KmsKeySet, KmsPayload, KmsResponse};
use mcptt_kmc::kms::xml;
use mcptt_kmc::time::NTP_UNIX_OFFSET;
use percent_encoding::percent_decode_str;

const ALICE: &str = "sip:alice@example.org";
const GMS: &str = "sip:gms@example.org";
const KMS_URI: &str = "kms.example.org";
const TOKEN: &str = "token-alice";
const PERIOD: u64 = 86_400;
/// 2027-01-15 08:00:00 UTC: well inside a period (periods start at NTP multiples of a day).
const T0: u64 = 1_800_000_000;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Normal,
    Http(u16),
    KmsError,
    Revoked,
    WrongUid,
    BadSsk,
    BadRsk,
    /// Answer the next init, then re-key before answering keyprov.
    RekeyAfterInit,
    Body(usize),
}

/// A KMS in the test process. Key sets are cached per (URI, period) to keep tests quick.
struct FakeKms {
    kms: Kms,
    domain: KmsDomain,
    unix_periods: bool,
    mode: Mode,
    bodies: Vec<Vec<u8>>,
    issued: HashMap<(String, u64), KmsKeySet>,
    requests: Vec<String>,
}

impl FakeKms {
    fn new() -> Self {
        Self {
            kms: Kms::generate().unwrap(),
            domain: KmsDomain::new(KMS_URI, PERIOD, 0),
            unix_periods: false,
            mode: Mode::Normal,
            bodies: Vec::new(),
            issued: HashMap::new(),
            requests: Vec::new(),
        }
    }

    fn rekey(&mut self) {
        self.kms = Kms::generate().unwrap();
        self.issued.clear();
    }

    fn envelope(&self, url: &str, payload: KmsPayload) -> Vec<u8> {
        let response = KmsResponse {
            user_uri: ALICE.into(),
            kms_uri: KMS_URI.into(),
            time: Some(1),
            kms_id: None,
            client_req_url: url.into(),
            payload,
        };
        xml::emit_response(&response).as_bytes().to_vec()
    }

    fn key_set(&mut self, uri: &str, n: u64) -> KmsKeySet {
        let key = (uri.to_owned(), n);
        if !self.issued.contains_key(&key) {
            let mut set = self.kms.issue_key_set(&self.domain, uri, n).unwrap();
            if self.unix_periods {
                set.valid_from = None;
                set.valid_to = None;
            }
            self.issued.insert(key.clone(), set);
        }
        self.issued[&key].clone()
    }

    fn answer(&mut self, request: &Request, now: u64) -> (u16, Vec<u8>) {
        self.requests.push(request.url.clone());
        assert_eq!(request.method, "POST");
        let auth = request
            .headers
            .iter()
            .find(|h| h.name == "Authorization")
            .unwrap();
        assert_eq!(auth.value.as_str(), format!("Bearer {TOKEN}"));
        let path = request.url.split_once(API_PATH).unwrap().1.to_owned();
        match self.mode {
            Mode::Http(status) => return (status, b"nope".to_vec()),
            Mode::KmsError => {
                let e = KmsPayload::Error(KmsErrorInfo {
                    code: 500,
                    message: "internal error".into(),
                });
                return (200, self.envelope(&request.url, e));
            }
            Mode::Body(i) => return (200, self.bodies[i].clone()),
            _ => {}
        }
        if path == "init" {
            let cert = self.kms.certificate(&self.domain);
            if self.mode == Mode::RekeyAfterInit {
                self.rekey();
                self.mode = Mode::Normal;
            }
            return (200, self.envelope(&request.url, KmsPayload::Init(cert)));
        }
        let mut parts = path.split('/');
        assert_eq!(parts.next(), Some("keyprov"));
        let uri = parts.next().map_or(ALICE.to_owned(), |p| {
            percent_decode_str(p).decode_utf8().unwrap().into()
        });
        let t_ntp = parts.next().map_or(now + NTP_UNIX_OFFSET, |hex| {
            u64::from_str_radix(&hex[..8], 16).unwrap()
        });
        let n = if self.unix_periods {
            (t_ntp - NTP_UNIX_OFFSET) / PERIOD
        } else {
            t_ntp / PERIOD
        };
        let mut set = self.key_set(&uri, n);
        match self.mode {
            Mode::Revoked => set.revoked = true,
            Mode::WrongUid => set.user_id = self.domain.uid(&uri, n + 1).unwrap(),
            Mode::BadSsk => set.ssk[31] ^= 1,
            Mode::BadRsk => set.rsk = self.key_set("sip:other@example.org", n).rsk,
            _ => {}
        }
        (
            200,
            self.envelope(&request.url, KmsPayload::KeyProv(vec![set])),
        )
    }
}

fn config() -> ClientConfig {
    let mut c = ClientConfig::new("https://kms.example.org:8443", ALICE);
    c.extra_identities = vec![GMS.into()];
    c.expected_kms_uri = Some(KMS_URI.into());
    c.prefetch_s = 3_600;
    c.grace_s = 600;
    c.retry_initial_s = 2;
    c.retry_max_s = 60;
    c.max_attempts = 4;
    c
}

/// Polls until the client has nothing to do now, answering every request at once. Returns
/// the events and the final output's wake-up time.
fn drive(client: &mut Client, kms: &mut FakeKms, now: u64) -> (Vec<Event>, Option<u64>) {
    let mut events = Vec::new();
    for _ in 0..1_000 {
        match client.poll_output(now) {
            Output::Request(request) => {
                let (status, body) = kms.answer(&request, now);
                client
                    .handle_response(now, request.id, status, &body)
                    .unwrap();
            }
            Output::Event(event) => events.push(event),
            Output::WakeUp(at) => {
                assert!(at > now, "wake-up {at} not after {now}");
                return (events, Some(at));
            }
            Output::None => return (events, None),
        }
    }
    panic!("the client did not settle");
}

fn ready(events: &[Event]) -> Vec<(String, u64, bool, bool)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::KeyMaterialReady {
                identity,
                period,
                can_sign,
                can_decrypt,
                ..
            } => Some((identity.clone(), *period, *can_sign, *can_decrypt)),
            _ => None,
        })
        .collect()
}

fn rejections(events: &[Event]) -> Vec<Rejection> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::MaterialRejected { reason, .. } => Some(*reason),
            _ => None,
        })
        .collect()
}

fn snapshot(client: &Client) -> Vec<(String, u64, [u8; 32], bool, bool)> {
    client
        .materials()
        .map(|m| {
            (
                m.identity().to_owned(),
                m.kms_period_no(),
                *m.uid(),
                m.can_sign(),
                m.can_decrypt(),
            )
        })
        .collect()
}

fn provisioned() -> (Client, FakeKms) {
    let mut client = Client::new(config()).unwrap();
    client.set_access_token(TOKEN).unwrap();
    let mut kms = FakeKms::new();
    let (events, _) = drive(&mut client, &mut kms, T0);
    assert!(events.contains(&Event::CertificateInstalled {
        kms_uri: KMS_URI.into(),
        changed: false
    }));
    let n = client.period_of(T0).unwrap();
    let mut got = ready(&events);
    got.sort();
    assert_eq!(
        got,
        vec![(ALICE.into(), n, true, true), (GMS.into(), n, true, true)]
    );
    (client, kms)
}

#[test]
fn provisions_current_period_and_uses_it() {
    let (client, kms) = provisioned();
    assert_eq!(kms.requests.len(), 3);
    assert!(kms.requests[0].ends_with("/keymanagement/identity/v1/init"));
    // The current period is asked for at the current time, which lies in the KMS's current
    // period whatever its numbering.
    let hex = format!("{:08X}00000000", T0 + NTP_UNIX_OFFSET);
    assert!(
        kms.requests
            .iter()
            .any(|u| u.ends_with(&format!("keyprov/sip%3Aalice%40example.org/{hex}")))
    );
    assert!(
        kms.requests
            .iter()
            .any(|u| u.ends_with(&format!("keyprov/sip%3Agms%40example.org/{hex}")))
    );

    let sig = client.sign(ALICE, T0, b"hello").unwrap();
    client.verify(ALICE, T0, b"hello", &sig).unwrap();
    assert!(client.verify(ALICE, T0, b"hellO", &sig).is_err());
    assert!(client.verify(GMS, T0, b"hello", &sig).is_err());
    let ssv = [7u8; 16];
    let sed = client.encapsulate(GMS, T0, &ssv).unwrap();
    assert_eq!(*client.decapsulate(GMS, T0, &sed).unwrap(), ssv);
    assert!(client.decapsulate(ALICE, T0, &sed).is_err());
    assert!(client.sign("sip:mallory@example.org", T0, b"x").is_err());
}

#[test]
fn prefetches_next_period_rolls_over_and_erases_expired_material() {
    let (mut client, mut kms) = provisioned();
    let n = client.period_of(T0).unwrap();
    let end = (n + 1) * PERIOD - NTP_UNIX_OFFSET;
    let (_, wake) = drive(&mut client, &mut kms, T0 + 1);
    assert_eq!(
        wake,
        Some(end - 3_600),
        "the next wake-up is the prefetch time"
    );

    let (events, _) = drive(&mut client, &mut kms, end - 3_600);
    let mut got = ready(&events);
    got.sort();
    assert_eq!(
        got,
        vec![
            (ALICE.into(), n + 1, true, true),
            (GMS.into(), n + 1, true, true)
        ]
    );
    let hex = format!("{:08X}00000000", (n + 1) * PERIOD);
    assert!(kms.requests.iter().any(|u| u.ends_with(&hex)));
    // The next period's keys are not used before it starts.
    let sig = client.sign(ALICE, end - 1, b"m").unwrap();
    client.verify(ALICE, end - 1, b"m", &sig).unwrap();
    assert!(client.verify(ALICE, end, b"m", &sig).is_err());

    let (events, _) = drive(&mut client, &mut kms, end);
    assert!(
        ready(&events).is_empty(),
        "nothing to fetch at the boundary: {events:?}"
    );
    let sig = client.sign(ALICE, end, b"m").unwrap();
    client.verify(ALICE, end + 5, b"m", &sig).unwrap();

    let (events, _) = drive(&mut client, &mut kms, end + 600);
    let expired: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, Event::MaterialExpired { .. }))
        .collect();
    assert_eq!(expired.len(), 2, "{events:?}");
    assert_eq!(client.materials().count(), 2);
    assert!(
        client.sign(ALICE, end - 1, b"m").is_err(),
        "the old period's SSK is erased"
    );
}

#[test]
fn waits_for_a_token_and_asks_again_after_401() {
    let mut client = Client::new(config()).unwrap();
    let mut kms = FakeKms::new();
    let (events, wake) = drive(&mut client, &mut kms, T0);
    assert_eq!(events, vec![Event::AccessTokenNeeded]);
    assert_eq!(wake, None);
    assert!(kms.requests.is_empty());

    client.set_access_token(TOKEN).unwrap();
    kms.mode = Mode::Http(401);
    let (events, _) = drive(&mut client, &mut kms, T0);
    assert_eq!(events, vec![Event::AccessTokenNeeded]);
    assert_eq!(kms.requests.len(), 1);
    let (events, _) = drive(&mut client, &mut kms, T0 + 10);
    assert!(events.is_empty(), "asked once, then waits: {events:?}");

    kms.mode = Mode::Normal;
    client.set_access_token(TOKEN).unwrap();
    let (events, _) = drive(&mut client, &mut kms, T0 + 10);
    assert_eq!(ready(&events).len(), 2);
}

#[test]
fn retries_with_capped_jittered_backoff_then_parks() {
    let mut client = Client::new(config()).unwrap();
    client.set_access_token(TOKEN).unwrap();
    let mut kms = FakeKms::new();
    kms.mode = Mode::Http(500);
    let mut now = T0;
    let mut delays = Vec::new();
    loop {
        let (events, wake) = drive(&mut client, &mut kms, now);
        if events
            .iter()
            .any(|e| matches!(e, Event::RetriesExhausted { identity: None }))
        {
            // Without a certificate, parked for an hour.
            assert_eq!(wake, Some(now + PARK_WITHOUT_CERTIFICATE_S));
            break;
        }
        let retry_at = events
            .iter()
            .find_map(|e| match e {
                Event::RequestFailed {
                    http_status: 500,
                    retry_at,
                    ..
                } => Some(*retry_at),
                _ => None,
            })
            .expect("a failure event");
        assert_eq!(wake, Some(retry_at));
        delays.push(retry_at - now);
        now = retry_at;
    }
    assert_eq!(delays.len(), 3, "max_attempts = 4");
    for (i, d) in delays.iter().enumerate() {
        let full = (2u64 << i).min(60);
        assert!(
            (full / 2..=full).contains(d),
            "delay {d} for attempt {}",
            i + 1
        );
    }
    assert_eq!(kms.requests.len(), 4);
    // Parked: no retry before the hour is over; refresh retries at once.
    drive(&mut client, &mut kms, now + 1_000);
    assert_eq!(kms.requests.len(), 4);
    kms.mode = Mode::Normal;
    client.refresh();
    let (events, _) = drive(&mut client, &mut kms, now + 1_000);
    // The current and the next period of both identities: refresh fetches both.
    assert_eq!(ready(&events).len(), 4);
}

#[test]
fn a_parked_init_retries_after_an_hour_without_a_certificate() {
    let mut client = Client::new(config()).unwrap();
    client.set_access_token(TOKEN).unwrap();
    let mut kms = FakeKms::new();
    kms.mode = Mode::Http(500);
    let mut now = T0;
    let parked_at = loop {
        let (events, wake) = drive(&mut client, &mut kms, now);
        if events
            .iter()
            .any(|e| matches!(e, Event::RetriesExhausted { .. }))
        {
            break now;
        }
        now = wake.unwrap();
    };
    let sent = kms.requests.len();
    kms.mode = Mode::Normal;
    drive(
        &mut client,
        &mut kms,
        parked_at + PARK_WITHOUT_CERTIFICATE_S - 1,
    );
    assert_eq!(kms.requests.len(), sent);
    let (events, _) = drive(
        &mut client,
        &mut kms,
        parked_at + PARK_WITHOUT_CERTIFICATE_S,
    );
    assert_eq!(ready(&events).len(), 2, "{events:?}");
}

#[test]
fn kms_errors_are_reported_and_retried() {
    let mut client = Client::new(config()).unwrap();
    client.set_access_token(TOKEN).unwrap();
    let mut kms = FakeKms::new();
    kms.mode = Mode::KmsError;
    let (events, wake) = drive(&mut client, &mut kms, T0);
    assert!(events.contains(&Event::KmsError {
        code: 500,
        message: "internal error".into()
    }));
    kms.mode = Mode::Normal;
    let (events, _) = drive(&mut client, &mut kms, wake.unwrap());
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::CertificateInstalled { .. }))
    );
}

fn provision_with(mode: Mode) -> (Client, Vec<Event>) {
    let mut client = Client::new(config()).unwrap();
    client.set_access_token(TOKEN).unwrap();
    let mut kms = FakeKms::new();
    // The certificate first, then the misbehaving keyprov.
    let Output::Request(init) = client.poll_output(T0) else {
        panic!("init request expected")
    };
    assert!(init.url.ends_with("/init"));
    let (status, body) = kms.answer(&init, T0);
    client.handle_response(T0, init.id, status, &body).unwrap();
    kms.mode = mode;
    let (events, _) = drive(&mut client, &mut kms, T0);
    (client, events)
}

#[test]
fn refuses_revoked_wrong_uid_and_bad_ssk_key_sets() {
    for (mode, reason) in [
        (Mode::Revoked, Rejection::Revoked),
        (Mode::WrongUid, Rejection::UidMismatch),
        (Mode::BadSsk, Rejection::InvalidSsk),
    ] {
        let (client, events) = provision_with(mode);
        assert!(
            rejections(&events).contains(&reason),
            "{mode:?}: {events:?}"
        );
        let stored = snapshot(&client);
        if mode == Mode::BadSsk {
            // A valid RSK is kept even though the SSK was refused.
            assert!(stored.iter().all(|m| !m.3 && m.4), "{stored:?}");
        } else {
            assert!(stored.is_empty(), "{mode:?}: {stored:?}");
        }
    }
}

#[test]
fn a_bad_rsk_does_not_take_a_valid_ssk_down() {
    let (client, events) = provision_with(Mode::BadRsk);
    assert!(rejections(&events).contains(&Rejection::InvalidRsk));
    let sig = client.sign(ALICE, T0, b"m").unwrap();
    client.verify(ALICE, T0, b"m", &sig).unwrap();
    assert!(client.decapsulate(ALICE, T0, &[0u8; 273]).is_err());
}

#[test]
fn rekeying_between_init_and_keyprov_is_survived() {
    let mut client = Client::new(config()).unwrap();
    client.set_access_token(TOKEN).unwrap();
    let mut kms = FakeKms::new();
    kms.mode = Mode::RekeyAfterInit;
    let (events, wake) = drive(&mut client, &mut kms, T0);
    let r = rejections(&events);
    assert!(
        r.contains(&Rejection::InvalidSsk) && r.contains(&Rejection::InvalidRsk),
        "{events:?}"
    );
    assert!(ready(&events).is_empty());
    // The client asked for the certificate again at once; the keyprov retry then succeeds.
    assert!(
        events.contains(&Event::CertificateInstalled {
            kms_uri: KMS_URI.into(),
            changed: true
        }),
        "{events:?}"
    );
    let (events, _) = drive(&mut client, &mut kms, wake.unwrap() + 60);
    assert_eq!(ready(&events).len(), 2, "{events:?}");
}

#[test]
fn a_new_certificate_drops_material_it_does_not_validate() {
    let (mut client, mut kms) = provisioned();
    kms.rekey();
    let n = client.period_of(T0).unwrap();
    let end = (n + 1) * PERIOD - NTP_UNIX_OFFSET;
    let (events, _) = drive(&mut client, &mut kms, end - 3_600);
    assert!(events.contains(&Event::CertificateInstalled {
        kms_uri: KMS_URI.into(),
        changed: true
    }));
    assert!(rejections(&events).contains(&Rejection::CertificateChanged));
    // The current period's material was fetched again under the new keys.
    let sig = client.sign(ALICE, end - 3_600, b"m").unwrap();
    client.verify(ALICE, end - 3_600, b"m", &sig).unwrap();
}

#[test]
fn a_kms_counting_periods_from_the_unix_epoch_is_reported_and_followed() {
    let mut client = Client::new(config()).unwrap();
    client.set_access_token(TOKEN).unwrap();
    let mut kms = FakeKms::new();
    kms.unix_periods = true;
    let (events, _) = drive(&mut client, &mut kms, T0);
    // Reported with the TS 33.180 number of the time asked; the client then counts as the
    // KMS does.
    let ours = (T0 + NTP_UNIX_OFFSET) / PERIOD;
    let theirs = T0 / PERIOD;
    assert_eq!(client.period_of(T0).unwrap(), theirs);
    assert!(
        events.contains(&Event::PeriodMismatch {
            identity: ALICE.into(),
            ours,
            kms: theirs
        }),
        "{events:?}"
    );
    assert_eq!(ready(&events).len(), 2);
    let sig = client.sign(ALICE, T0, b"m").unwrap();
    client.verify(ALICE, T0, b"m", &sig).unwrap();
    assert_eq!(
        client.uid_of(ALICE, T0).unwrap(),
        kms.domain.uid(ALICE, theirs).unwrap()
    );
}

#[test]
fn a_certificate_for_another_kms_is_refused() {
    let mut client = Client::new(config()).unwrap();
    client.set_access_token(TOKEN).unwrap();
    let mut kms = FakeKms::new();
    kms.domain.kms_uri = "kms.elsewhere.org".into();
    let (events, _) = drive(&mut client, &mut kms, T0);
    assert!(rejections(&events).contains(&Rejection::WrongKmsUri));
    assert!(client.certificate().is_none());
}

#[test]
fn unknown_request_ids_are_refused() {
    let (mut client, _) = provisioned();
    assert!(client.handle_response(T0, 999, 200, b"").is_err());
    assert!(
        client.handle_failure(T0, 1).is_err(),
        "request 1 is finished"
    );
}

#[test]
fn transport_failures_are_retried() {
    let mut client = Client::new(config()).unwrap();
    client.set_access_token(TOKEN).unwrap();
    let Output::Request(r) = client.poll_output(T0) else {
        panic!()
    };
    client.handle_failure(T0, r.id).unwrap();
    let Output::Event(Event::RequestFailed {
        http_status: 0,
        retry_at,
        ..
    }) = client.poll_output(T0)
    else {
        panic!()
    };
    assert!(matches!(client.poll_output(T0), Output::WakeUp(t) if t == retry_at));
    assert!(matches!(client.poll_output(retry_at), Output::Request(_)));
}

/// Malformed answers to a keyprov request: every truncation of a valid answer and the
/// classic attacks. Each is refused with an event and leaves the stored material unchanged.
#[test]
fn malformed_answers_never_change_stored_material() {
    let mut kms = FakeKms::new();
    let mut client = Client::new(config()).unwrap();
    client.set_access_token(TOKEN).unwrap();
    // Alice provisioned; the GMS identity's answers are the malformed ones.
    let n = kms.domain.key_period_for(T0 as i64).unwrap();
    let good = {
        let set = kms.key_set(GMS, n);
        kms.envelope("u", KmsPayload::KeyProv(vec![set]))
    };
    // Every truncation that cuts into the document (trailing white space is harmless).
    let last = good.iter().rposition(|b| *b == b'>').unwrap();
    let mut bodies: Vec<Vec<u8>> = (0..=last).map(|i| good[..i].to_vec()).collect();
    let text = String::from_utf8(good.clone()).unwrap();
    // Each leaf element duplicated, emptied, given a huge number, and renamed.
    let mut at = 0;
    while let Some(open) = text[at..].find('<').map(|i| i + at) {
        at = open + 1;
        let Some(end) = text[open..].find('>').map(|i| i + open) else {
            break;
        };
        let name = &text[open + 1..end];
        if name.starts_with(['/', '?']) || name.contains(' ') {
            continue;
        }
        let close = format!("</{name}>");
        let Some(stop) = text[end..].find(&close).map(|i| i + end + close.len()) else {
            continue;
        };
        let element = &text[open..stop];
        if text[end + 1..stop - close.len()].contains('<') {
            // Not a leaf: only duplicate it.
            bodies.push(format!("{}{element}{}", &text[..stop], &text[stop..]).into_bytes());
            continue;
        }
        bodies.push(format!("{}{element}{}", &text[..stop], &text[stop..]).into_bytes());
        bodies.push(format!("{}<{name}></{name}>{}", &text[..open], &text[stop..]).into_bytes());
        let huge = format!("<{name}>184467440737095516160</{name}>");
        bodies.push(format!("{}{huge}{}", &text[..open], &text[stop..]).into_bytes());
        bodies.push(format!("{}<{name}x>1</{name}x>{}", &text[..open], &text[stop..]).into_bytes());
    }
    // A certificate where a key set was asked for.
    bodies.push(kms.envelope("u", KmsPayload::Init(kms.kms.certificate(&kms.domain))));
    bodies.push(
        text.replace("urn:3gpp:ns:mcsecKMSInterface:1.0", "urn:other")
            .into_bytes(),
    );
    bodies.push(
        text.replace("<KeyPeriodNo>", "<KeyPeriodNo>99999999999999999999999")
            .into_bytes(),
    );
    bodies.push(
        text.replacen("<KmsUri>", "<KmsUri>x</KmsUri><KmsUri>", 2)
            .into_bytes(),
    );
    bodies.push(
        format!(
            "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>{}",
            text.replace(GMS, "&b;")
        )
        .into_bytes(),
    );
    let mut huge = text.clone().into_bytes();
    huge.extend(std::iter::repeat_n(b' ', 10 << 20));
    bodies.push(huge);
    bodies.push(b"\xff\xfe<\x00".to_vec());
    bodies.push(Vec::new());
    assert!(bodies.len() > 1_000);
    kms.bodies = bodies.clone();

    // Provision alice alone first: GMS keyprov answers come from `bodies`.
    drive_alice_only(&mut client, &mut kms);
    let before = snapshot(&client);
    assert_eq!(before.len(), 1);
    let mut now = T0;
    let good_payload = xml::parse_response(&good).unwrap().payload;
    let mut harmless = 0;
    for (i, candidate) in bodies.iter().enumerate() {
        // Mutations of the envelope alone (Time, ClientReqUrl, ...) leave a valid key set: skip.
        if xml::parse_response(candidate).is_ok_and(|r| r.payload == good_payload) {
            harmless += 1;
            continue;
        }
        kms.mode = Mode::Body(i);
        client.refresh();
        // Refresh asks for every identity's current and next sets: only GMS answers count.
        let request = loop {
            match client.poll_output(now) {
                Output::Request(r) if r.url.contains("gms") => break r,
                Output::Request(r) => client.handle_failure(now, r.id).unwrap(),
                Output::WakeUp(at) => now = at,
                Output::Event(_) => {}
                _ => panic!("no request for body {i}"),
            }
        };
        assert!(request.url.contains("gms"), "{}", request.url);
        let (status, body) = kms.answer(&request, now);
        client
            .handle_response(now, request.id, status, &body)
            .unwrap();
        let mut events = Vec::new();
        while let Output::Event(e) = client.poll_output(now) {
            events.push(e);
        }
        assert!(
            !rejections(&events).is_empty() && ready(&events).is_empty(),
            "body {i}: {}",
            String::from_utf8_lossy(candidate)
        );
        assert_eq!(snapshot(&client), before, "body {i} changed the store");
    }
    assert!(harmless < 20, "{harmless} harmless mutations");
}

fn drive_alice_only(client: &mut Client, kms: &mut FakeKms) {
    for _ in 0..20 {
        match client.poll_output(T0) {
            Output::Request(r) if r.url.contains("gms") => {
                client.handle_failure(T0, r.id).unwrap();
            }
            Output::Request(r) => {
                let (status, body) = kms.answer(&r, T0);
                client.handle_response(T0, r.id, status, &body).unwrap();
            }
            Output::Event(_) => {}
            _ => return,
        }
    }
}

/// The deployed-product fixtures: the init certificate installs, and the key set (from another
/// run of that KMS) parses and matches its UID but fails SSK and RSK validation, so nothing is
/// stored (fixtures/kms/README.md).
#[test]
fn fixture_key_set_is_refused_against_the_fixture_certificate() {
    let init = include_bytes!("fixtures/kms/init-response-1.xml");
    let keyprov = include_bytes!("fixtures/kms/keyprov-response-1.xml");
    let mut config = ClientConfig::new("https://localhost:8080", "alice@org.com");
    config.expected_kms_uri = Some("localhost:8080".into());
    let mut client = Client::new(config).unwrap();
    client.set_access_token(TOKEN).unwrap();
    let now = 1_621_257_916; // 2021-05-17T13:25:16Z, the fixtures' Time
    let Output::Request(r) = client.poll_output(now) else {
        panic!()
    };
    client.handle_response(now, r.id, 200, init).unwrap();
    let mut events = Vec::new();
    loop {
        match client.poll_output(now) {
            Output::Event(e) => events.push(e),
            Output::Request(r) if r.url.ends_with("/init") => {
                client.handle_response(now, r.id, 200, init).unwrap();
            }
            Output::Request(r) => {
                assert!(r.url.contains("keyprov/alice%40org.com/"), "{}", r.url);
                client.handle_response(now, r.id, 200, keyprov).unwrap();
            }
            _ => break,
        }
    }
    assert!(events.contains(&Event::CertificateInstalled {
        kms_uri: "localhost:8080".into(),
        changed: false
    }));
    let r = rejections(&events);
    assert!(
        r.contains(&Rejection::InvalidSsk) && r.contains(&Rejection::InvalidRsk),
        "{events:?}"
    );
    assert!(!r.contains(&Rejection::UidMismatch) && !r.contains(&Rejection::MissingKeySet));
    assert_eq!(client.materials().count(), 0);
    assert!(
        client.certificate().is_some(),
        "the good certificate is kept"
    );
}
