//! Every validation of what the KMS sends, each made to fail once (TS 33.180 D.3.2, D.3.3):
//! a certificate or key set mutated in one field is refused with its own reason, and nothing
//! is stored.

use mcptt_kmc::client::{Client, ClientConfig, Event, Output, Rejection, Request};
use mcptt_kmc::kms::Kms;
use mcptt_kmc::kms::issue::KmsDomain;
use mcptt_kmc::kms::message::{
    CertificateRole, KmsCertificate, KmsKeySet, KmsPayload, KmsResponse,
};
use mcptt_kmc::kms::xml;

const ALICE: &str = "sip:alice@example.org";
const KMS_URI: &str = "kms.example.org";
const NOW: u64 = 1_800_000_000;

fn body(payload: KmsPayload) -> Vec<u8> {
    let r = KmsResponse {
        user_uri: ALICE.into(),
        kms_uri: KMS_URI.into(),
        time: None,
        kms_id: None,
        client_req_url: "u".into(),
        payload,
    };
    xml::emit_response(&r).as_bytes().to_vec()
}

fn client() -> Client {
    let mut config = ClientConfig::new("https://kms.example.org", ALICE);
    config.expected_kms_uri = Some(KMS_URI.into());
    let mut c = Client::new(config).unwrap();
    c.set_access_token("t").unwrap();
    c
}

/// Answers the next request with `body`; returns the events that follow. A request the
/// client puts out meanwhile stays in `pending` for the next answer.
fn answer(client: &mut Client, now: u64, body: &[u8]) -> Vec<Event> {
    answer_pending(client, &mut None, now, body)
}

fn answer_pending(
    client: &mut Client,
    pending: &mut Option<Request>,
    now: u64,
    body: &[u8],
) -> Vec<Event> {
    let request = match pending.take() {
        Some(r) => r,
        None => loop {
            match client.poll_output(now) {
                Output::Request(r) => break r,
                Output::Event(_) => {}
                _ => panic!("no request"),
            }
        },
    };
    client.handle_response(now, request.id, 200, body).unwrap();
    let mut events = Vec::new();
    loop {
        match client.poll_output(now) {
            Output::Event(e) => events.push(e),
            Output::Request(r) => {
                *pending = Some(r);
                break;
            }
            _ => break,
        }
    }
    events
}

fn rejected(events: &[Event]) -> Vec<Rejection> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::MaterialRejected { reason, .. } => Some(*reason),
            _ => None,
        })
        .collect()
}

/// A change to one field of a message.
type Mutation<T> = Box<dyn Fn(&mut T)>;

struct Setup {
    kms: Kms,
    domain: KmsDomain,
    cert: KmsCertificate,
    set: KmsKeySet,
}

fn setup() -> Setup {
    let kms = Kms::generate().unwrap();
    let domain = KmsDomain::new(KMS_URI, 2_592_000, 0);
    let cert = kms.certificate(&domain);
    let n = domain.key_period_for(NOW as i64).unwrap();
    let set = kms.issue_key_set(&domain, ALICE, n).unwrap();
    Setup {
        kms,
        domain,
        cert,
        set,
    }
}

#[test]
fn each_certificate_check_refuses_its_mutation() {
    let s = setup();
    let mut flipped_kpak = s.cert.pub_auth_key.clone();
    flipped_kpak[64] ^= 1;
    let mut flipped_z_t = s.cert.pub_enc_key.clone();
    flipped_z_t[256] ^= 1;
    let cases: Vec<(Rejection, Mutation<KmsCertificate>)> = vec![
        (
            Rejection::NotRoot,
            Box::new(|c| c.role = CertificateRole::External),
        ),
        (
            Rejection::WrongKmsUri,
            Box::new(|c| c.kms_uri = "kms.other.org".into()),
        ),
        (
            Rejection::UnsupportedUserIdFormat,
            Box::new(|c| c.user_id_format = "1".into()),
        ),
        (
            Rejection::UnsupportedParameterSet,
            Box::new(|c| c.parameter_set = Some(2)),
        ),
        (Rejection::Revoked, Box::new(|c| c.revoked = true)),
        (
            Rejection::NotValid,
            Box::new(|c| c.valid_to = Some(NOW as i64 - 1)),
        ),
        (
            Rejection::NotValid,
            Box::new(|c| c.valid_from = Some(NOW as i64 + 1)),
        ),
        (
            Rejection::NotValid,
            Box::new(|c| (c.valid_from, c.valid_to) = (Some(5), Some(5))),
        ),
        (
            Rejection::InvalidKpak,
            Box::new(move |c| c.pub_auth_key = flipped_kpak.clone()),
        ),
        (
            Rejection::InvalidKpak,
            Box::new(|c| c.pub_auth_key.truncate(33)),
        ),
        (
            Rejection::InvalidZt,
            Box::new(move |c| c.pub_enc_key = flipped_z_t.clone()),
        ),
        (Rejection::InvalidZt, Box::new(|c| c.pub_enc_key[0] = 0x02)),
    ];
    for (reason, mutate) in cases {
        let mut cert = s.cert.clone();
        mutate(&mut cert);
        let mut c = client();
        let events = answer(&mut c, NOW, &body(KmsPayload::Init(cert)));
        assert_eq!(rejected(&events), vec![reason], "{events:?}");
        assert!(c.certificate().is_none(), "{reason:?}");
    }
    // Absent ParameterSet is parameter set 1; the unmutated certificate installs.
    let mut cert = s.cert.clone();
    cert.parameter_set = None;
    let mut c = client();
    let events = answer(&mut c, NOW, &body(KmsPayload::Init(cert)));
    assert!(
        rejected(&events).is_empty() && c.certificate().is_some(),
        "{events:?}"
    );
}

#[test]
fn each_key_set_check_refuses_its_mutation() {
    let s = setup();
    let (_, period_end) = s.domain.period_bounds_unix(s.set.key_period_no);
    let other_uid = s.domain.uid(ALICE, s.set.key_period_no + 1).unwrap();
    let cases: Vec<(Rejection, Mutation<KmsKeySet>)> = vec![
        (
            Rejection::WrongKmsUri,
            Box::new(|k| k.kms_uri = "kms.other.org".into()),
        ),
        (
            Rejection::UnknownIdentity,
            Box::new(|k| k.user_uri = "sip:mallory@example.org".into()),
        ),
        (Rejection::Revoked, Box::new(|k| k.revoked = true)),
        (
            Rejection::NotValid,
            Box::new(|k| k.valid_to = Some(NOW as i64)),
        ),
        (
            Rejection::NotValid,
            Box::new(move |k| k.valid_from = period_end),
        ),
        (
            Rejection::UidMismatch,
            Box::new(move |k| k.user_id = other_uid),
        ),
        // Judged under its own period n + 1, with no validity window to refuse it first.
        (
            Rejection::UidMismatch,
            Box::new(|k| {
                k.key_period_no += 1;
                (k.valid_from, k.valid_to) = (None, None);
            }),
        ),
    ];
    for (reason, mutate) in cases {
        let mut set = s.set.clone();
        mutate(&mut set);
        let mut c = client();
        let mut pending = None;
        answer_pending(
            &mut c,
            &mut pending,
            NOW,
            &body(KmsPayload::Init(s.cert.clone())),
        );
        let events = answer_pending(
            &mut c,
            &mut pending,
            NOW,
            &body(KmsPayload::KeyProv(vec![set])),
        );
        let r = rejected(&events);
        assert_eq!(r.first(), Some(&reason), "{events:?}");
        assert_eq!(c.materials().count(), 0, "{reason:?}");
    }
    // A KeyProv without our key set.
    let mut c = client();
    let mut p = None;
    answer_pending(&mut c, &mut p, NOW, &body(KmsPayload::Init(s.cert.clone())));
    let events = answer_pending(&mut c, &mut p, NOW, &body(KmsPayload::KeyProv(vec![])));
    assert_eq!(rejected(&events), vec![Rejection::MissingKeySet]);
    // The retry asks for the certificate again first, then the unmutated set is stored.
    let cert = body(KmsPayload::Init(s.cert.clone()));
    answer_pending(&mut c, &mut p, NOW, &cert);
    let set = body(KmsPayload::KeyProv(vec![s.set.clone()]));
    let events = answer_pending(&mut c, &mut p, NOW + 60, &set);
    assert!(rejected(&events).is_empty(), "{events:?}");
    assert_eq!(c.materials().count(), 1);
    let _ = &s.kms;
}

#[test]
fn a_key_set_arriving_after_the_certificate_expired_is_refused() {
    let s = setup();
    let mut cert = s.cert.clone();
    cert.valid_to = Some(NOW as i64 + 10);
    let mut c = client();
    let mut pending = None;
    answer_pending(&mut c, &mut pending, NOW, &body(KmsPayload::Init(cert)));
    let keyprov = pending.expect("keyprov expected");
    // The certificate ends while the request is out.
    let mut events = Vec::new();
    while let Output::Event(e) = c.poll_output(NOW + 20) {
        events.push(e);
    }
    assert_eq!(rejected(&events), vec![Rejection::NotValid]);
    assert!(c.certificate().is_none());
    let set = body(KmsPayload::KeyProv(vec![s.set.clone()]));
    c.handle_response(NOW + 20, keyprov.id, 200, &set).unwrap();
    let mut events = Vec::new();
    while let Output::Event(e) = c.poll_output(NOW + 20) {
        events.push(e);
    }
    assert!(
        rejected(&events).contains(&Rejection::NoCertificate),
        "{events:?}"
    );
    assert_eq!(c.materials().count(), 0);
}

/// Once the KMS's period numbering is known from a stored set, a set numbered for another
/// period (here n+2 answering the prefetch of n+1, with no validity window to give it away)
/// is refused.
#[test]
fn a_key_set_for_another_period_is_refused_once_the_numbering_is_known() {
    let s = setup();
    let mut config = ClientConfig::new("https://kms.example.org", ALICE);
    config.expected_kms_uri = Some(KMS_URI.into());
    config.prefetch_s = 1_000;
    let mut c = Client::new(config).unwrap();
    c.set_access_token("t").unwrap();
    let mut p = None;
    answer_pending(&mut c, &mut p, NOW, &body(KmsPayload::Init(s.cert.clone())));
    answer_pending(
        &mut c,
        &mut p,
        NOW,
        &body(KmsPayload::KeyProv(vec![s.set.clone()])),
    );
    assert_eq!(c.materials().count(), 1);
    let n = s.set.key_period_no;
    let (_, end) = s.domain.period_bounds_unix(n);
    let prefetch = end.unwrap() as u64 - 1_000;
    let mut ahead = s.kms.issue_key_set(&s.domain, ALICE, n + 2).unwrap();
    (ahead.valid_from, ahead.valid_to) = (None, None);
    // The prefetch asks for the certificate, then for period n + 1.
    answer_pending(
        &mut c,
        &mut p,
        prefetch,
        &body(KmsPayload::Init(s.cert.clone())),
    );
    let events = answer_pending(
        &mut c,
        &mut p,
        prefetch,
        &body(KmsPayload::KeyProv(vec![ahead])),
    );
    assert_eq!(
        rejected(&events),
        vec![Rejection::WrongPeriod],
        "{events:?}"
    );
    assert_eq!(c.materials().count(), 1);
}
