//! Regressions found in review: a key set for the wrong period, parked requests that never
//! resumed, material outliving its certificate, and a late 401 discarding a fresh token.
use mcptt_kmc::client::{API_PATH, Client, ClientConfig, Event, Output, Request};
use mcptt_kmc::eccsi::Signer;
use mcptt_kmc::kms::Kms;
use mcptt_kmc::kms::issue::KmsDomain;
use mcptt_kmc::kms::message::{KmsPayload, KmsResponse};
use mcptt_kmc::kms::xml;

const ALICE: &str = "sip:alice@example.org";
const BOB: &str = "sip:bob@example.org";
const GMS: &str = "sip:gms@example.org";
const KMS_URI: &str = "kms.example.org";
const PERIOD: u64 = 86_400;
const T0: u64 = 1_800_000_000;

fn config() -> ClientConfig {
    let mut c = ClientConfig::new("https://kms.example.org", ALICE);
    c.expected_kms_uri = Some(KMS_URI.into());
    c.prefetch_s = 3_600;
    c.grace_s = 600;
    c.retry_initial_s = 2;
    c.retry_max_s = 60;
    c.max_attempts = 3;
    c
}

fn body(url: &str, payload: KmsPayload) -> Vec<u8> {
    xml::emit_response(&KmsResponse {
        user_uri: ALICE.into(),
        kms_uri: KMS_URI.into(),
        time: Some(1),
        kms_id: None,
        client_req_url: url.into(),
        payload,
    })
    .as_bytes()
    .to_vec()
}

/// Period number requested by a keyprov URL (NTP-based, period PERIOD, offset 0).
fn url_period(url: &str) -> (String, u64) {
    let path = url.split_once(API_PATH).unwrap().1;
    let mut parts = path.split('/');
    assert_eq!(parts.next(), Some("keyprov"));
    let uri = percent_encoding::percent_decode_str(parts.next().unwrap())
        .decode_utf8()
        .unwrap()
        .into_owned();
    let hex = parts.next().unwrap();
    (uri, u64::from_str_radix(&hex[..8], 16).unwrap() / PERIOD)
}

fn is_init(r: &Request) -> bool {
    r.url.ends_with("/init")
}

/// Drives the client at `now`; `answer` gives (status, body) per request.
fn drive(
    client: &mut Client,
    now: u64,
    mut answer: impl FnMut(&Request) -> (u16, Vec<u8>),
) -> (Vec<Event>, Vec<String>, Option<u64>) {
    let mut events = Vec::new();
    let mut urls = Vec::new();
    for _ in 0..1000 {
        match client.poll_output(now) {
            Output::Request(r) => {
                urls.push(r.url.clone());
                let (status, b) = answer(&r);
                client.handle_response(now, r.id, status, &b).unwrap();
            }
            Output::Event(e) => events.push(e),
            Output::WakeUp(at) => return (events, urls, Some(at)),
            Output::None => return (events, urls, None),
        }
    }
    panic!("did not settle");
}

fn normal(kms: &Kms, domain: &KmsDomain) -> impl FnMut(&Request) -> (u16, Vec<u8>) {
    move |r: &Request| {
        if is_init(r) {
            (200, body(&r.url, KmsPayload::Init(kms.certificate(domain))))
        } else {
            let (uri, n) = url_period(&r.url);
            let set = kms.issue_key_set(domain, &uri, n).unwrap();
            (200, body(&r.url, KmsPayload::KeyProv(vec![set])))
        }
    }
}

fn period_end(domain: &KmsDomain, n: u64) -> u64 {
    domain.period_bounds_unix(n).1.unwrap() as u64
}

/// The current period N's key set, given in answer to the prefetch of N+1, is refused: it
/// would have been stored for N+1 and shifted the peers' UIDs by one period.
#[test]
fn a_stale_key_set_for_the_next_period_is_refused_and_changes_nothing() {
    let kms = Kms::generate().unwrap();
    let domain = KmsDomain::new(KMS_URI, PERIOD, 0);
    let mut client = Client::new(config()).unwrap();
    client.set_access_token("t").unwrap();
    drive(&mut client, T0, normal(&kms, &domain));
    let n = client.period_of(T0).unwrap();
    assert_eq!(client.materials().count(), 1);

    // Bob's valid signature in period n.
    let bob = kms.issue_key_set(&domain, BOB, n).unwrap();
    let bob_signer = Signer::new(
        &kms.kpak().to_bytes(),
        &domain.uid(BOB, n).unwrap(),
        &bob.ssk,
        &bob.pvt,
    )
    .unwrap();
    let sig = bob_signer.sign(b"hello").unwrap();
    client
        .verify(BOB, T0, b"hello", &sig)
        .expect("bob verifies before prefetch");

    // Prefetch time: the KMS answers the request for n+1 with its current set (n), which is
    // still valid now (ValidTo = end of n > now) and starts before the end of n+1.
    let t1 = period_end(&domain, n) - 1_000;
    let (events, urls, _) = drive(&mut client, t1, |r: &Request| {
        if is_init(r) {
            (
                200,
                body(&r.url, KmsPayload::Init(kms.certificate(&domain))),
            )
        } else {
            let (uri, _asked) = url_period(&r.url);
            let set = kms.issue_key_set(&domain, &uri, n).unwrap(); // stale
            (200, body(&r.url, KmsPayload::KeyProv(vec![set])))
        }
    });
    eprintln!("urls {urls:?}\nevents {events:?}");
    let stored: Vec<_> = client
        .materials()
        .map(|m| (m.kms_period_no(), m.identity().to_owned()))
        .collect();
    eprintln!("stored {stored:?}");
    // Expected: the stale set is refused for period n+1; bob still verifies in period n.
    let bob_ok = client.verify(BOB, t1, b"hello", &sig).is_ok();
    assert!(
        client.materials().count() == 1 && bob_ok,
        "stale set (KeyPeriodNo n) stored for period n+1: {} materials {stored:?}; bob's \
         signature in the current period verifies: {bob_ok}",
        client.materials().count()
    );
}

/// When the certificate's ValidTo passes, the material validated under it is erased too,
/// even while no new certificate comes.
#[test]
fn material_is_erased_when_its_certificate_expires() {
    let kms = Kms::generate().unwrap();
    let mut domain = KmsDomain::new(KMS_URI, PERIOD, 0);
    let n = domain.key_period_for(T0 as i64).unwrap();
    let t_exp = T0 + 3_600;
    domain.valid_to = Some(t_exp as i64);
    let mut client = Client::new(config()).unwrap();
    client.set_access_token("t").unwrap();
    drive(&mut client, T0, normal(&kms, &domain));
    assert_eq!(client.materials().count(), 1);
    // KMS unreachable from the expiry on.
    let mut now = t_exp;
    let late = period_end(&domain, n) + 10 * PERIOD;
    let mut expired_events = 0;
    while now < late {
        let (events, _, wake) = drive(&mut client, now, |_r: &Request| (503, vec![]));
        expired_events += events
            .iter()
            .filter(|e| matches!(e, Event::MaterialExpired { .. }))
            .count();
        now = wake.unwrap_or(now + PERIOD).max(now + 1);
    }
    let (_, _, _) = drive(&mut client, late, |_r: &Request| (503, vec![]));
    assert_eq!(
        (client.materials().count(), expired_events),
        (0, 1),
        "material of period {n} still held 10 periods after it ended (grace 600 s)"
    );
}

/// When the certificate expires its material is erased with it; a new certificate with
/// other keys then brings freshly fetched material, never the old SSK under the new KPAK.
#[test]
fn material_does_not_outlive_its_certificate() {
    let kms = Kms::generate().unwrap();
    let mut domain = KmsDomain::new(KMS_URI, PERIOD, 0);
    let t_exp = T0 + 3_600;
    domain.valid_to = Some(t_exp as i64);
    let mut client = Client::new(config()).unwrap();
    client.set_access_token("t").unwrap();
    drive(&mut client, T0, normal(&kms, &domain));
    assert_eq!(client.materials().count(), 1);
    // The KMS re-keyed: new KPAK, new Z_T, certificate valid for longer.
    let kms2 = Kms::generate().unwrap();
    let mut domain2 = KmsDomain::new(KMS_URI, PERIOD, 0);
    domain2.valid_to = Some((T0 + 100 * PERIOD) as i64);
    let (events, urls, _) = drive(&mut client, t_exp, normal(&kms2, &domain2));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::MaterialExpired { .. })),
        "{events:?}"
    );
    assert!(urls.iter().any(|u| u.contains("/keyprov/")), "{urls:?}");
    let sig = client.sign(ALICE, t_exp + 1, b"m").unwrap();
    client.verify(ALICE, t_exp + 1, b"m", &sig).unwrap();
    let blob = client.export(&[7u8; 32]).unwrap();
    let mut fresh = Client::new(config()).unwrap();
    fresh.import(t_exp + 1, &[7u8; 32], &blob).unwrap();
}

/// A parked init is ready again in the next key period, as documented.
#[test]
fn a_parked_init_resumes_in_the_next_period() {
    let kms = Kms::generate().unwrap();
    let domain = KmsDomain::new(KMS_URI, PERIOD, 0);
    let mut client = Client::new(config()).unwrap();
    client.set_access_token("t").unwrap();
    drive(&mut client, T0, normal(&kms, &domain));
    let n = client.period_of(T0).unwrap();
    let end = period_end(&domain, n);
    // At prefetch time, init fails until parked; keyprov works.
    let mut t = end - 3_000;
    let mut parked = false;
    for _ in 0..20 {
        let (events, _, wake) = drive(&mut client, t, |r: &Request| {
            if is_init(r) {
                (500, vec![])
            } else {
                normal(&kms, &domain)(r)
            }
        });
        parked |= events
            .iter()
            .any(|e| matches!(e, Event::RetriesExhausted { identity: None }));
        t = wake.unwrap().min(t + 100);
        if parked {
            break;
        }
    }
    assert!(parked, "init parked");
    // Next period (n+1), at its prefetch time: the client should check the certificate again.
    let end2 = period_end(&domain, n + 1);
    let mut inits = 0;
    for now in [
        end + 10,
        end2 - 3_000,
        end2 + 10,
        period_end(&domain, n + 2) - 3_000,
    ] {
        let (_, urls, _) = drive(&mut client, now, normal(&kms, &domain));
        inits += urls.iter().filter(|u| u.ends_with("/init")).count();
    }
    assert!(
        inits > 0,
        "no init was sent in the two following key periods: the parked init never resumes"
    );
}

/// A 401 to a request sent with an old token keeps the new token set in the meantime and
/// resends the request with it.
#[test]
fn a_late_401_for_an_old_token_keeps_the_new_one() {
    let kms = Kms::generate().unwrap();
    let domain = KmsDomain::new(KMS_URI, PERIOD, 0);
    let mut cfg = config();
    cfg.extra_identities = vec![GMS.into()];
    let mut client = Client::new(cfg).unwrap();
    client.set_access_token("old").unwrap();
    // init first
    let Output::Request(init) = client.poll_output(T0) else {
        panic!()
    };
    let (s, b) = normal(&kms, &domain)(&init);
    client.handle_response(T0, init.id, s, &b).unwrap();
    // two keyprov requests in flight with the old token
    let mut inflight = Vec::new();
    loop {
        match client.poll_output(T0) {
            Output::Request(r) => inflight.push(r),
            Output::Event(_) => {}
            _ => break,
        }
    }
    assert_eq!(inflight.len(), 2);
    client
        .handle_response(T0, inflight[0].id, 401, b"")
        .unwrap();
    let mut saw_need = false;
    while let Output::Event(e) = client.poll_output(T0) {
        saw_need |= e == Event::AccessTokenNeeded;
    }
    assert!(saw_need);
    client.set_access_token("new").unwrap();
    // The second old request now comes back 401 too (it carried "old").
    client
        .handle_response(T0, inflight[1].id, 401, b"")
        .unwrap();
    let mut requests_with_new = 0;
    let mut need_again = false;
    for _ in 0..10 {
        match client.poll_output(T0) {
            Output::Request(r) => {
                let auth = r
                    .headers
                    .iter()
                    .find(|h| h.name == "Authorization")
                    .unwrap();
                assert_eq!(auth.value.as_str(), "Bearer new");
                requests_with_new += 1;
                let (s, b) = normal(&kms, &domain)(&r);
                client.handle_response(T0, r.id, s, &b).unwrap();
            }
            Output::Event(e) => need_again |= e == Event::AccessTokenNeeded,
            _ => break,
        }
    }
    assert!(
        requests_with_new > 0 && !need_again,
        "the fresh token was discarded by a 401 to a request sent with the old one \
         (requests with the new token: {requests_with_new}, AccessTokenNeeded again: {need_again})"
    );
}

/// A prefetch of period n+1 that exhausted its retries during period n is ready again when
/// n+1 starts, so the client does not spend n+1 without keys.
#[test]
fn a_parked_prefetch_resumes_when_its_period_starts() {
    let kms = Kms::generate().unwrap();
    let domain = KmsDomain::new(KMS_URI, PERIOD, 0);
    let mut client = Client::new(config()).unwrap();
    client.set_access_token("t").unwrap();
    drive(&mut client, T0, normal(&kms, &domain));
    let n = client.period_of(T0).unwrap();
    let end = period_end(&domain, n);
    // The KMS has no keys for n+1 yet during the prefetch window.
    let mut t = end - 3_000;
    let mut parked = false;
    while t < end && !parked {
        let (events, _, wake) = drive(&mut client, t, |r: &Request| {
            if is_init(r) {
                normal(&kms, &domain)(r)
            } else {
                (500, vec![])
            }
        });
        parked = events
            .iter()
            .any(|e| matches!(e, Event::RetriesExhausted { identity: Some(_) }));
        t = wake.unwrap();
    }
    assert!(parked);
    // Period n+1 has begun and the KMS works again.
    let mut keyprovs = 0;
    for now in [end, end + 60, end + 3_600, end + 40_000] {
        let (_, urls, _) = drive(&mut client, now, normal(&kms, &domain));
        keyprovs += urls.iter().filter(|u| u.contains("/keyprov/")).count();
    }
    let can_sign = client.sign(ALICE, end + 40_000, b"m").is_ok();
    assert!(
        keyprovs > 0 && can_sign,
        "in period n+1 the client sent {keyprovs} keyprov requests and can sign: {can_sign}"
    );
}
