//! Partner KMS domains and revocation (issue 9 section 2; TS 33.180 5.2.7, D.3.4): the
//! certificate cache, MIKEY with a user of another domain in both directions, refusals of an
//! unknown and of a revoked domain, revocation of our own certificate and of a key set, and
//! partner certificates in the sealed key store. Two in-process KMSs (tests/common), each
//! caching the other's certificate.

mod common;

use common::*;
use mcptt_kmc::client::{
    Client, ClientError, Event, ImessageOptions, MAX_PARTNERS, Output, PartnerStatus, Rejection,
};
use mcptt_kmc::kms::message::{KmsCertificate, KmsErrorInfo, KmsPayload};
use mcptt_kmc::mikey::{KeyKind, MikeyError};

const DAY: u64 = 86_400;
const MONTH: u64 = 30 * DAY;
/// 2027-01-15 08:00:00 UTC.
const T0: u64 = 1_800_000_000;
const CAROL: &str = "sip:carol@partner.example.net";
const PARTNER: &str = "partner.example.net";
const KEY: [u8; 16] = [7u8; 16];

/// Alice at home and carol in the partner domain, each provisioned at T0 by her own KMS,
/// which caches the other domain's certificate; `cache` sets the clients' certcache interval.
fn pair(cache: u64) -> (Client, FakeKms, Client, FakeKms, Vec<Event>) {
    let mut home = FakeKms::new(MONTH);
    let mut partner = FakeKms::of_domain(PARTNER, CAROL, MONTH);
    home.partners = vec![partner.external_certificate()];
    home.cache_num = 1;
    partner.partners = vec![home.external_certificate()];
    partner.cache_num = 1;
    let mut alice_config = config(MONTH);
    alice_config.certcache_interval_s = cache;
    let mut carol_config = config_of(PARTNER, CAROL, MONTH);
    carol_config.certcache_interval_s = cache;
    let mut alice = client(alice_config);
    let mut carol = client(carol_config);
    let (events, _) = drive(&mut alice, &mut home, T0);
    drive(&mut carol, &mut partner, T0);
    (alice, home, carol, partner, events)
}

fn pck(responder_kms: Option<&str>) -> ImessageOptions<'_> {
    ImessageOptions {
        kind: KeyKind::Pck,
        key: &KEY,
        key_id: 0x1000_0042,
        hide_identities: false,
        sakke_to_self: false,
        responder_kms,
    }
}

fn installed(events: &[Event]) -> Vec<(String, bool)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::PartnerCertificateInstalled { kms_uri, changed } => {
                Some((kms_uri.clone(), *changed))
            }
            _ => None,
        })
        .collect()
}

fn removed(events: &[Event]) -> Vec<(String, Rejection)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::PartnerCertificateRemoved { kms_uri, reason } => {
                Some((kms_uri.clone(), *reason))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn partner_certificates_come_from_the_cache_and_are_asked_again_with_its_number() {
    let (mut alice, mut home, _, _, events) = pair(DAY);
    assert_eq!(installed(&events), vec![(PARTNER.to_owned(), false)]);
    assert_eq!(alice.partner_status(PARTNER, T0), PartnerStatus::Valid);
    assert_eq!(alice.partner_status(KMS_URI, T0), PartnerStatus::Valid);
    assert_eq!(
        alice.partner_status("other.example.com", T0),
        PartnerStatus::Unknown
    );
    assert_eq!(alice.partner_cache_num(), Some(1));
    let asked = |kms: &FakeKms| -> Vec<String> {
        kms.requests
            .iter()
            .filter_map(|u| u.split_once("certcache").map(|(_, rest)| rest.to_owned()))
            .collect()
    };
    assert_eq!(asked(&home), vec![String::new()]);
    // A day later: asked again naming CacheNum 1; nothing new, nothing reported.
    let later = run_until(&mut alice, &mut home, T0 + 1, T0 + DAY + 60);
    assert_eq!(asked(&home), vec![String::new(), "/1".to_owned()]);
    assert!(installed(&later).is_empty(), "{later:?}");
    assert_eq!(alice.partner_certificates().count(), 1);
}

#[test]
fn without_the_cache_the_client_never_asks_for_it() {
    let (_, home, _, _, events) = pair(0);
    assert!(home.requests.iter().all(|u| !u.contains("certcache")));
    assert!(installed(&events).is_empty());
}

#[test]
fn mikey_across_domains_in_both_directions() {
    let (alice, _, carol, _, _) = pair(DAY);
    let now = T0 + 100;
    let to_carol = alice
        .mikey_create_imessage(ALICE, CAROL, now, &pck(Some(PARTNER)))
        .unwrap();
    let got = carol
        .mikey_process_imessage(CAROL, now, 60, Some(ALICE), &to_carol)
        .unwrap();
    assert_eq!(*got.key, KEY);
    let to_alice = carol
        .mikey_create_imessage(CAROL, ALICE, now, &pck(Some(KMS_URI)))
        .unwrap();
    let got = alice
        .mikey_process_imessage(ALICE, now, 60, None, &to_alice)
        .unwrap();
    assert_eq!(*got.key, KEY);
    // Addressed under our own domain instead of the partner's, carol cannot decrypt it.
    let wrong = alice
        .mikey_create_imessage(ALICE, CAROL, now, &pck(None))
        .unwrap();
    assert!(
        carol
            .mikey_process_imessage(CAROL, now, 60, Some(ALICE), &wrong)
            .is_err()
    );
}

#[test]
fn an_unknown_domain_is_refused_as_unknown() {
    let (alice, _, carol, _, _) = pair(0);
    let now = T0 + 100;
    assert!(matches!(
        alice.mikey_create_imessage(ALICE, CAROL, now, &pck(Some(PARTNER))),
        Err(ClientError::UnknownKms)
    ));
    // Carol cannot build it either (she holds no certificate of alice's KMS).
    assert!(matches!(
        carol.mikey_create_imessage(CAROL, ALICE, now, &pck(Some(KMS_URI))),
        Err(ClientError::UnknownKms)
    ));
    // A message from the partner domain reaches alice, who holds no certificate of it.
    let (_, _, carol_with_cache, _, _) = pair(DAY);
    let message = carol_with_cache
        .mikey_create_imessage(CAROL, ALICE, now, &pck(Some(KMS_URI)))
        .unwrap();
    assert!(matches!(
        alice.mikey_process_imessage(ALICE, now, 60, None, &message),
        Err(ClientError::Mikey(MikeyError::UnknownInitiatorKms))
    ));
}

#[test]
fn a_revoked_partner_is_removed_and_refused_as_revoked() {
    let (mut alice, mut home, carol, _, _) = pair(DAY);
    let now = T0 + 100;
    let message = carol
        .mikey_create_imessage(CAROL, ALICE, now, &pck(Some(KMS_URI)))
        .unwrap();
    home.partners[0].revoked = true;
    home.cache_num = 2;
    let events = run_until(&mut alice, &mut home, T0 + 1, T0 + DAY + 60);
    assert_eq!(
        removed(&events),
        vec![(PARTNER.to_owned(), Rejection::Revoked)]
    );
    let later = T0 + DAY + 60;
    assert_eq!(alice.partner_status(PARTNER, later), PartnerStatus::Revoked);
    assert_eq!(alice.partner_cache_num(), Some(2));
    assert!(matches!(
        alice.mikey_create_imessage(ALICE, CAROL, later, &pck(Some(PARTNER))),
        Err(ClientError::RevokedKms)
    ));
    assert!(matches!(
        alice.mikey_process_imessage(ALICE, later, 2 * DAY, None, &message),
        Err(ClientError::Mikey(MikeyError::RevokedInitiatorKms))
    ));
    // Re-issued valid: installed again, reported as changed.
    home.partners[0].revoked = false;
    home.cache_num = 3;
    let events = run_until(&mut alice, &mut home, later, later + DAY + 60);
    assert_eq!(installed(&events), vec![(PARTNER.to_owned(), true)]);
}

#[test]
fn a_partner_certificate_past_its_valid_to_is_removed() {
    let mut home = FakeKms::new(MONTH);
    let partner = FakeKms::of_domain(PARTNER, CAROL, MONTH);
    let mut cert = partner.external_certificate();
    cert.valid_to = Some((T0 + 2 * DAY) as i64);
    home.partners = vec![cert];
    home.cache_num = 1;
    let mut c = config(MONTH);
    c.certcache_interval_s = 10 * DAY;
    let mut alice = client(c);
    let events = run_until(&mut alice, &mut home, T0, T0 + 3 * DAY);
    assert_eq!(installed(&events).len(), 1);
    assert_eq!(
        removed(&events),
        vec![(PARTNER.to_owned(), Rejection::NotValid)]
    );
    assert_eq!(
        alice.partner_status(PARTNER, T0 + 3 * DAY),
        PartnerStatus::Unknown
    );
}

#[test]
fn bad_partner_certificates_are_refused_and_change_nothing() {
    let (mut alice, mut home, _, partner, _) = pair(DAY);
    // Our own KmsUri as a partner's, and a partner certificate with a broken KPAK.
    let mut ours = home.external_certificate();
    ours.revoked = false;
    let mut broken = partner.external_certificate();
    broken.pub_auth_key[10] ^= 0x55;
    home.partners = vec![ours, broken];
    home.cache_num = 2;
    let events = run_until(&mut alice, &mut home, T0 + 1, T0 + DAY + 60);
    let mut got = rejections(&events);
    got.sort_by_key(|r| format!("{r:?}"));
    assert_eq!(got, vec![Rejection::InvalidKpak, Rejection::WrongKmsUri]);
    assert_eq!(
        alice.partner_status(PARTNER, T0 + DAY + 60),
        PartnerStatus::Valid
    );
    assert!(installed(&events).is_empty() && removed(&events).is_empty());
    // A cache of more than MAX_PARTNERS certificates is refused whole.
    let other = FakeKms::of_domain("p.example.com", CAROL, MONTH).external_certificate();
    home.partners = vec![other; MAX_PARTNERS + 1];
    home.cache_num = 3;
    let now = T0 + DAY + 60;
    let events = run_until(&mut alice, &mut home, now, now + DAY + 60);
    assert!(
        rejections(&events).contains(&Rejection::Malformed),
        "{events:?}"
    );
    assert_eq!(alice.partner_cache_num(), Some(2));
    assert_eq!(
        alice.partner_status("p.example.com", now),
        PartnerStatus::Unknown
    );
}

#[test]
fn our_revoked_certificate_erases_it_and_all_material() {
    let mut home = FakeKms::new(MONTH);
    let mut alice = client(config(MONTH));
    drive(&mut alice, &mut home, T0);
    assert!(alice.sign(ALICE, T0, b"m").is_ok());
    home.mode = Mode::RevokedCertificate;
    alice.refresh();
    let (events, _) = drive(&mut alice, &mut home, T0 + 10);
    assert!(
        rejections(&events).contains(&Rejection::Revoked),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::MaterialExpired { identity, .. } if identity == ALICE))
    );
    assert!(matches!(
        alice.sign(ALICE, T0 + 10, b"m"),
        Err(ClientError::NoCertificate)
    ));
    assert!(alice.certificate().is_none());
}

#[test]
fn a_revoked_key_set_erases_that_material() {
    let mut home = FakeKms::new(MONTH);
    let mut alice = client(config(MONTH));
    drive(&mut alice, &mut home, T0);
    assert!(alice.sign(ALICE, T0, b"m").is_ok());
    home.mode = Mode::RevokedKeySet;
    alice.refresh();
    let (events, _) = drive(&mut alice, &mut home, T0 + 10);
    assert!(
        rejections(&events).contains(&Rejection::Revoked),
        "{events:?}"
    );
    let n = home.period_at(T0);
    assert!(events.iter().any(|e| matches!(
        e,
        Event::MaterialExpired { identity, period } if identity == ALICE && *period == n
    )));
    assert!(matches!(
        alice.sign(ALICE, T0 + 10, b"m"),
        Err(ClientError::NoKeyMaterial)
    ));
    assert!(alice.decapsulate(ALICE, T0 + 10, &[0u8; 273]).is_err());
}

#[test]
fn partner_certificates_live_in_the_key_store() {
    let (mut alice, mut home, carol, _, _) = pair(DAY);
    let storage_key = [5u8; 32];
    let blob = alice.export(&storage_key).unwrap();
    let mut restored = Client::new(alice.config().clone()).unwrap();
    restored.import(T0 + 50, &storage_key, &blob).unwrap();
    let events: Vec<Event> = std::iter::from_fn(|| match restored.poll_output(T0 + 50) {
        mcptt_kmc::client::Output::Event(e) => Some(e),
        _ => None,
    })
    .collect();
    assert!(
        installed(&events).contains(&(PARTNER.to_owned(), false)),
        "{events:?}"
    );
    assert_eq!(restored.partner_cache_num(), Some(1));
    let now = T0 + 100;
    let message = carol
        .mikey_create_imessage(CAROL, ALICE, now, &pck(Some(KMS_URI)))
        .unwrap();
    assert_eq!(
        *restored
            .mikey_process_imessage(ALICE, now, 60, None, &message)
            .unwrap()
            .key,
        KEY
    );
    // A revoked partner stays revoked across the store.
    home.partners[0].revoked = true;
    home.cache_num = 2;
    run_until(&mut alice, &mut home, T0 + 1, T0 + DAY + 60);
    let blob = alice.export(&storage_key).unwrap();
    let mut restored = Client::new(alice.config().clone()).unwrap();
    restored.import(T0 + DAY + 60, &storage_key, &blob).unwrap();
    assert_eq!(
        restored.partner_status(PARTNER, T0 + DAY + 60),
        PartnerStatus::Revoked
    );
}

const OTHER: &str = "other.example.com";
const OLDER: &str = "older.example.com";

/// Asks for the certificate cache at `now` (as the interval does) and answers that request
/// with (`status`, `payload`) from `kms`'s envelope; every other request is answered by
/// `kms`. Returns the events.
fn answer_cache(
    client: &mut Client,
    kms: &mut FakeKms,
    now: u64,
    status: u16,
    payload: KmsPayload,
) -> Vec<Event> {
    client.set_certcache_interval(DAY);
    let mut events = Vec::new();
    let mut asked = false;
    loop {
        match client.poll_output(now) {
            Output::Request(r) if r.url.contains("certcache") => {
                assert!(!asked, "asked twice");
                asked = true;
                let body = kms.envelope(&r.url, payload.clone());
                client.handle_response(now, r.id, status, &body).unwrap();
            }
            Output::Request(r) => {
                let (status, body) = kms.answer(&r, now);
                client.handle_response(now, r.id, status, &body).unwrap();
            }
            Output::Event(e) => events.push(e),
            Output::WakeUp(_) | Output::None => break,
        }
    }
    assert!(asked, "no certcache request: {events:?}");
    events
}

fn cache(cache_num: u64, certificates: Vec<KmsCertificate>) -> KmsPayload {
    KmsPayload::CertCache {
        cache_num,
        certificates,
    }
}

/// Issue 9 section 2: a certificate cache with a newer CacheNum is the KMS's whole current
/// set (TS 33.180 D.3.4). A partner domain it no longer lists is erased, reported with
/// `NotInCache`, refused by MIKEY as an unknown domain, and gone from the key store.
#[test]
fn a_domain_dropped_from_a_newer_cache_is_erased_and_reported() {
    let (mut alice, mut home, carol, _, _) = pair(DAY);
    let now = T0 + 100;
    let from_carol = carol
        .mikey_create_imessage(CAROL, ALICE, now, &pck(Some(KMS_URI)))
        .unwrap();
    assert_eq!(alice.partner_status(PARTNER, now), PartnerStatus::Valid);
    let other = FakeKms::of_domain(OTHER, CAROL, MONTH).external_certificate();
    home.partners = vec![other];
    home.cache_num = 2;
    let events = run_until(&mut alice, &mut home, T0 + 1, T0 + DAY + 60);
    assert_eq!(
        removed(&events),
        vec![(PARTNER.to_owned(), Rejection::NotInCache)]
    );
    assert_eq!(installed(&events), vec![(OTHER.to_owned(), false)]);
    let later = T0 + DAY + 60;
    assert_eq!(alice.partner_status(PARTNER, later), PartnerStatus::Unknown);
    assert_eq!(alice.partner_status(OTHER, later), PartnerStatus::Valid);
    assert_eq!(alice.partner_cache_num(), Some(2));
    assert_eq!(alice.partner_certificates().count(), 1);
    assert!(matches!(
        alice.mikey_create_imessage(ALICE, CAROL, later, &pck(Some(PARTNER))),
        Err(ClientError::UnknownKms)
    ));
    assert!(matches!(
        alice.mikey_process_imessage(ALICE, later, 2 * DAY, None, &from_carol),
        Err(ClientError::Mikey(MikeyError::UnknownInitiatorKms))
    ));
    // Gone from the sealed key store too.
    let storage_key = [5u8; 32];
    let blob = alice.export(&storage_key).unwrap();
    let mut restored = Client::new(alice.config().clone()).unwrap();
    restored.import(later, &storage_key, &blob).unwrap();
    assert_eq!(
        restored.partner_status(PARTNER, later),
        PartnerStatus::Unknown
    );
    assert_eq!(restored.partner_status(OTHER, later), PartnerStatus::Valid);
    assert!(matches!(
        restored.mikey_process_imessage(ALICE, later, 2 * DAY, None, &from_carol),
        Err(ClientError::Mikey(MikeyError::UnknownInitiatorKms))
    ));
}

/// A domain the KMS had revoked and then dropped from a newer cache is forgotten: MIKEY
/// refuses it as unknown, and no second removal is reported.
#[test]
fn a_revoked_domain_dropped_from_a_newer_cache_is_forgotten() {
    let (mut alice, mut home, _, _, _) = pair(DAY);
    home.partners[0].revoked = true;
    home.cache_num = 2;
    let events = run_until(&mut alice, &mut home, T0 + 1, T0 + DAY + 60);
    assert_eq!(
        removed(&events),
        vec![(PARTNER.to_owned(), Rejection::Revoked)]
    );
    let now = T0 + DAY + 60;
    let other = FakeKms::of_domain(OTHER, CAROL, MONTH).external_certificate();
    let events = answer_cache(&mut alice, &mut home, now, 200, cache(3, vec![other]));
    assert!(removed(&events).is_empty(), "{events:?}");
    assert_eq!(alice.partner_status(PARTNER, now), PartnerStatus::Unknown);
    assert!(matches!(
        alice.mikey_create_imessage(ALICE, CAROL, now, &pck(Some(PARTNER))),
        Err(ClientError::UnknownKms)
    ));
}

/// Guards: an answer with the same or an older CacheNum, an empty answer (with a newer
/// CacheNum: "nothing new", as a KMS answers `certcache/<CacheNum>` when the client holds
/// the current cache), a KmsError and a failed (4xx, 5xx) answer erase nothing. The older
/// answer installs nothing either (its domain stays unknown) and leaves the held CacheNum; only
/// the empty newer one moves it. The last answer, newer and non-empty, shows that the same
/// drive does erase.
#[test]
fn only_a_newer_non_empty_cache_erases_a_domain() {
    let (mut alice, mut home, _, _, _) = pair(DAY);
    let other = || FakeKms::of_domain(OTHER, CAROL, MONTH).external_certificate();
    // 100 s apart: a failed request is asked again (with the next guard's answer) after
    // its backoff, at most 2 * 2^3 s here.
    let mut now = T0 + 10;
    let error = KmsPayload::Error(KmsErrorInfo {
        code: 500,
        message: "later".into(),
    });
    let older = FakeKms::of_domain(OLDER, CAROL, MONTH).external_certificate();
    // (what, status, answer, the CacheNum held after it)
    let guards: Vec<(&str, u16, KmsPayload, u64)> = vec![
        ("same CacheNum", 200, cache(1, vec![other()]), 1),
        ("older CacheNum", 200, cache(0, vec![older]), 1),
        ("empty, newer CacheNum", 200, cache(7, Vec::new()), 7),
        ("404", 404, cache(8, vec![other()]), 7),
        ("500", 500, cache(8, vec![other()]), 7),
        ("KmsError", 200, error.clone(), 7),
        ("KmsError in a 400", 400, error, 7),
    ];
    for (what, status, payload, held) in guards {
        now += 100;
        let events = answer_cache(&mut alice, &mut home, now, status, payload);
        assert!(removed(&events).is_empty(), "{what}: {events:?}");
        assert_eq!(
            alice.partner_status(PARTNER, now),
            PartnerStatus::Valid,
            "{what}"
        );
        assert_eq!(alice.partner_cache_num(), Some(held), "{what}");
        assert_eq!(
            alice.partner_status(OLDER, now),
            PartnerStatus::Unknown,
            "{what}: an older cache installed a domain"
        );
    }
    let held = alice.partner_cache_num().unwrap();
    now += 100;
    let events = answer_cache(
        &mut alice,
        &mut home,
        now,
        200,
        cache(held + 1, vec![other()]),
    );
    assert_eq!(
        removed(&events),
        vec![(PARTNER.to_owned(), Rejection::NotInCache)]
    );
    assert_eq!(alice.partner_status(PARTNER, now), PartnerStatus::Unknown);
}

/// Breaker: an answer with an OLDER CacheNum than the one held is stale (a lagging KMS replica,
/// a cached response): the module documentation says it erases nothing, but it must not undo
/// what a newer cache decided either. Today it re-installs a domain the newer cache dropped
/// (MIKEY with it works again) and moves the held CacheNum back, so the client next asks for
/// `certcache/<older>`.
#[test]
fn an_older_cache_does_not_bring_back_a_dropped_domain() {
    let (mut alice, mut home, _, _, _) = pair(DAY);
    let partner_cert = home.partners[0].clone();
    let other = FakeKms::of_domain(OTHER, CAROL, MONTH).external_certificate();
    // Cache 2 no longer names the partner: dropped.
    let now = T0 + 100;
    let events = answer_cache(
        &mut alice,
        &mut home,
        now,
        200,
        cache(2, vec![other.clone()]),
    );
    assert_eq!(
        removed(&events),
        vec![(PARTNER.to_owned(), Rejection::NotInCache)]
    );
    assert_eq!(alice.partner_status(PARTNER, now), PartnerStatus::Unknown);
    // A stale answer, cache 1 (which named the partner), arrives afterwards.
    let now = now + 100;
    answer_cache(
        &mut alice,
        &mut home,
        now,
        200,
        cache(1, vec![partner_cert.clone()]),
    );
    assert_eq!(
        alice.partner_status(PARTNER, now),
        PartnerStatus::Unknown,
        "a stale cache re-installed a domain a newer cache dropped"
    );
    assert_eq!(
        alice.partner_cache_num(),
        Some(2),
        "the held CacheNum went back"
    );
}

/// Breaker: as above, for a domain that a newer cache (3) returned Revoked: a stale cache 1
/// naming its old valid certificate makes it Valid again (MIKEY with a revoked KMS domain).
#[test]
fn an_older_cache_does_not_unrevoke_a_domain() {
    let (mut alice, mut home, _, _, _) = pair(DAY);
    let partner_cert = home.partners[0].clone();
    let mut revoked = partner_cert.clone();
    revoked.revoked = true;
    let now = T0 + 100;
    answer_cache(&mut alice, &mut home, now, 200, cache(3, vec![revoked]));
    assert_eq!(alice.partner_status(PARTNER, now), PartnerStatus::Revoked);
    let now = now + 100;
    answer_cache(
        &mut alice,
        &mut home,
        now,
        200,
        cache(1, vec![partner_cert]),
    );
    assert_eq!(
        alice.partner_status(PARTNER, now),
        PartnerStatus::Revoked,
        "a stale cache un-revoked a partner domain"
    );
}

/// An answer with an older CacheNum changes nothing at all and is not reported: a revocation
/// it carries is not applied (the newer cache held did not revoke), a domain only it names is
/// not installed, and the next request still names the CacheNum held.
#[test]
fn an_older_cache_changes_nothing_and_is_ignored_quietly() {
    let (mut alice, mut home, _, _, _) = pair(DAY);
    let partner_cert = home.partners[0].clone();
    let now = T0 + 100;
    answer_cache(
        &mut alice,
        &mut home,
        now,
        200,
        cache(5, vec![partner_cert.clone()]),
    );
    assert_eq!(alice.partner_cache_num(), Some(5));
    let mut revoked = partner_cert;
    revoked.revoked = true;
    let older = FakeKms::of_domain(OLDER, CAROL, MONTH).external_certificate();
    let now = now + 100;
    let events = answer_cache(
        &mut alice,
        &mut home,
        now,
        200,
        cache(4, vec![revoked, older]),
    );
    assert!(events.is_empty(), "{events:?}");
    assert_eq!(alice.partner_status(PARTNER, now), PartnerStatus::Valid);
    assert_eq!(alice.partner_status(OLDER, now), PartnerStatus::Unknown);
    assert_eq!(alice.partner_cache_num(), Some(5));
    // Answered, not failed: the next request comes at the interval and names 5.
    home.requests.clear();
    run_until(&mut alice, &mut home, now, now + DAY + 60);
    let asked: Vec<&String> = home
        .requests
        .iter()
        .filter(|u| u.contains("certcache"))
        .collect();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert!(asked[0].ends_with("certcache/5"), "{asked:?}");
}

/// An answer with the same CacheNum as the cache that revoked a domain (the KMS sent it
/// again, or another replica sent its copy) never turns that domain valid: only a newer
/// cache takes a revocation back. It may still install a domain it names that is not held
/// as revoked.
#[test]
fn the_same_cache_does_not_unrevoke_a_domain() {
    let (mut alice, mut home, _, _, _) = pair(DAY);
    let partner_cert = home.partners[0].clone();
    let mut revoked = partner_cert.clone();
    revoked.revoked = true;
    let now = T0 + 100;
    answer_cache(&mut alice, &mut home, now, 200, cache(3, vec![revoked]));
    assert_eq!(alice.partner_status(PARTNER, now), PartnerStatus::Revoked);
    let other = FakeKms::of_domain(OTHER, CAROL, MONTH).external_certificate();
    let now = now + 100;
    let events = answer_cache(
        &mut alice,
        &mut home,
        now,
        200,
        cache(3, vec![partner_cert.clone(), other]),
    );
    assert_eq!(
        alice.partner_status(PARTNER, now),
        PartnerStatus::Revoked,
        "the same cache un-revoked a partner domain"
    );
    assert_eq!(installed(&events), vec![(OTHER.to_owned(), false)]);
    assert!(removed(&events).is_empty(), "{events:?}");
    assert_eq!(alice.partner_cache_num(), Some(3));
    assert!(matches!(
        alice.mikey_create_imessage(ALICE, CAROL, now, &pck(Some(PARTNER))),
        Err(ClientError::RevokedKms)
    ));
    // A newer cache naming it valid does take the revocation back.
    let now = now + 100;
    let events = answer_cache(
        &mut alice,
        &mut home,
        now,
        200,
        cache(4, vec![partner_cert]),
    );
    assert_eq!(installed(&events), vec![(PARTNER.to_owned(), true)]);
    assert_eq!(alice.partner_status(PARTNER, now), PartnerStatus::Valid);
}
