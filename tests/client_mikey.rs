//! MIKEY-SAKKE I_MESSAGEs through provisioned clients (RFC 6509, TS 33.180 Annex E): a GMS
//! identity sends one GMK to alice and bob, alice sends bob a PCK and the server a CSK, with
//! and without identity hiding and SAKKE-to-self; and the refusals.

use mcptt_kmc::client::{Client, ClientConfig, ClientError, ImessageOptions, Output, new_key};
use mcptt_kmc::kms::Kms;
use mcptt_kmc::kms::issue::KmsDomain;
use mcptt_kmc::kms::message::{KmsPayload, KmsResponse};
use mcptt_kmc::kms::xml;
use mcptt_kmc::mikey::{self, KeyKind, MikeyError, Recipient};

const GMS: &str = "sip:gms@example.org";
const ALICE: &str = "sip:alice@example.org";
const BOB: &str = "sip:bob@example.org";
const NOW: u64 = 1_800_000_000;
const WINDOW: u64 = 300;

fn response(user: &str, payload: KmsPayload) -> Vec<u8> {
    let r = KmsResponse {
        user_uri: user.into(),
        kms_uri: "kms.example.org".into(),
        time: None,
        kms_id: None,
        client_req_url: "u".into(),
        payload,
    };
    xml::emit_response(&r).as_bytes().to_vec()
}

/// A client of `user` provisioned for the period of NOW by `kms`.
fn provisioned(kms: &Kms, domain: &KmsDomain, user: &str) -> Client {
    let mut config = ClientConfig::new("https://kms.example.org", user);
    config.expected_kms_uri = Some(domain.kms_uri.clone());
    let mut client = Client::new(config).unwrap();
    client.set_access_token("t").unwrap();
    let n = domain.key_period_for(NOW as i64).unwrap();
    for _ in 0..10 {
        match client.poll_output(NOW) {
            Output::Request(r) if r.url.ends_with("/init") => {
                let body = response(user, KmsPayload::Init(kms.certificate(domain)));
                client.handle_response(NOW, r.id, 200, &body).unwrap();
            }
            Output::Request(r) => {
                let set = kms.issue_key_set(domain, user, n).unwrap();
                let body = response(user, KmsPayload::KeyProv(vec![set]));
                client.handle_response(NOW, r.id, 200, &body).unwrap();
            }
            Output::Event(_) => {}
            _ => break,
        }
    }
    assert_eq!(client.materials().count(), 1, "{user} provisioned");
    client
}

struct Domain {
    gms: Client,
    alice: Client,
    bob: Client,
}

fn domain() -> Domain {
    let kms = Kms::generate().unwrap();
    let domain = KmsDomain::new("kms.example.org", 2_592_000, 0);
    Domain {
        gms: provisioned(&kms, &domain, GMS),
        alice: provisioned(&kms, &domain, ALICE),
        bob: provisioned(&kms, &domain, BOB),
    }
}

fn options<'a>(kind: KeyKind, key: &'a [u8; 16], key_id: u32) -> ImessageOptions<'a> {
    ImessageOptions {
        kind,
        key,
        key_id,
        hide_identities: false,
        sakke_to_self: false,
        responder_kms: None,
    }
}

#[test]
fn a_gms_sends_one_gmk_to_alice_and_bob() {
    let d = domain();
    let (gmk_id, gmk) = new_key(KeyKind::Gmk).unwrap();
    for (hide, to_self) in [(false, false), (true, true)] {
        let mut o = options(KeyKind::Gmk, &gmk, gmk_id);
        (o.hide_identities, o.sakke_to_self) = (hide, to_self);
        for (client, uri) in [(&d.alice, ALICE), (&d.bob, BOB)] {
            let msg = d.gms.mikey_create_imessage(GMS, uri, NOW, &o).unwrap();
            let sdp = mikey::sdp::to_key_mgmt(&msg);
            assert_eq!(mikey::sdp::from_key_mgmt(&sdp).unwrap(), msg);
            let got = client
                .mikey_process_imessage(uri, NOW + 2, WINDOW, None, &msg)
                .unwrap();
            assert_eq!(*got.key, *gmk);
            assert_eq!((got.kind, got.key_id), (KeyKind::Gmk, gmk_id));
            assert_eq!(
                got.guk_id,
                Some(mikey::guk_id(gmk_id, &gmk, uri.as_bytes()).unwrap())
            );
            assert_eq!(got.recipient, Recipient::Responder);
            assert_eq!(got.period, client.period_of(NOW).unwrap());
            if hide {
                assert_eq!(got.initiator_uri, None);
                assert_eq!(got.initiator_uid, d.gms.uid_of(GMS, NOW).unwrap());
                // With the initiator named by the app (e.g. from SIP), it is checked.
                let named = client
                    .mikey_process_imessage(uri, NOW, WINDOW, Some(GMS), &msg)
                    .unwrap();
                assert_eq!(named.initiator_uri.as_deref(), Some(GMS));
                let wrong = client.mikey_process_imessage(uri, NOW, WINDOW, Some(ALICE), &msg);
                assert!(wrong.is_err());
            } else {
                assert_eq!(got.initiator_uri.as_deref(), Some(GMS));
            }
            if to_self {
                // Another device of the GMS identity reads it through SAKKE-to-self.
                let own = d
                    .gms
                    .mikey_process_imessage(GMS, NOW, WINDOW, None, &msg)
                    .unwrap();
                assert_eq!((*own.key, own.recipient), (*gmk, Recipient::SakkeToSelf));
            } else {
                let err = d
                    .gms
                    .mikey_process_imessage(GMS, NOW, WINDOW, None, &msg)
                    .unwrap_err();
                assert_eq!(err, ClientError::Mikey(MikeyError::NotForUs));
            }
        }
    }
}

#[test]
fn pck_and_csk_round_trip() {
    let d = domain();
    for kind in [KeyKind::Pck, KeyKind::Csk] {
        let (id, key) = new_key(kind).unwrap();
        let msg = d
            .alice
            .mikey_create_imessage(ALICE, BOB, NOW, &options(kind, &key, id))
            .unwrap();
        let got = d
            .bob
            .mikey_process_imessage(BOB, NOW, WINDOW, None, &msg)
            .unwrap();
        assert_eq!(
            (*got.key, got.kind, got.key_id, got.guk_id),
            (*key, kind, id, None)
        );
        assert_eq!(got.initiator_uri.as_deref(), Some(ALICE));
    }
}

#[test]
fn refusals() {
    let d = domain();
    let (id, key) = new_key(KeyKind::Pck).unwrap();
    let o = options(KeyKind::Pck, &key, id);
    let msg = d.alice.mikey_create_imessage(ALICE, BOB, NOW, &o).unwrap();
    let mikey_err = |r: Result<_, ClientError>| match r {
        Err(ClientError::Mikey(e)) => e,
        Err(e) => panic!("{e:?}"),
        Ok(_) => panic!("accepted"),
    };
    // Another receiver, a time outside the window, a tampered octet, a truncation.
    assert_eq!(
        mikey_err(
            d.alice
                .mikey_process_imessage(ALICE, NOW, WINDOW, None, &msg)
        ),
        MikeyError::NotForUs
    );
    let late = NOW + WINDOW + 1;
    assert_eq!(
        mikey_err(d.bob.mikey_process_imessage(BOB, late, WINDOW, None, &msg)),
        MikeyError::TimeOutsideWindow
    );
    let mut tampered = msg.clone();
    tampered[30] ^= 1;
    assert!(
        d.bob
            .mikey_process_imessage(BOB, NOW, WINDOW, None, &tampered)
            .is_err()
    );
    assert!(
        d.bob
            .mikey_process_imessage(BOB, NOW, WINDOW, None, &msg[..msg.len() - 1])
            .is_err()
    );
    // Signed by bob but claiming to be alice: bob's message with alice named as initiator.
    let from_bob = d.bob.mikey_create_imessage(BOB, ALICE, NOW, &o).unwrap();
    assert!(
        d.alice
            .mikey_process_imessage(ALICE, NOW, WINDOW, Some(GMS), &from_bob)
            .is_err()
    );
    // A key ID of another kind; an identity we have no keys for; a period with no keys.
    let wrong_kind = options(KeyKind::Gmk, &key, id);
    assert!(
        d.alice
            .mikey_create_imessage(ALICE, BOB, NOW, &wrong_kind)
            .is_err()
    );
    assert_eq!(
        d.alice
            .mikey_create_imessage(BOB, ALICE, NOW, &o)
            .unwrap_err(),
        ClientError::NoKeyMaterial
    );
    let next_period = NOW + 2 * 2_592_000;
    assert_eq!(
        d.alice
            .mikey_create_imessage(ALICE, BOB, next_period, &o)
            .unwrap_err(),
        ClientError::NoKeyMaterial
    );
}

#[test]
fn an_empty_responder_uri_is_refused() {
    let d = domain();
    let (id, key) = new_key(KeyKind::Pck).unwrap();
    let err = d
        .alice
        .mikey_create_imessage(ALICE, "", NOW, &options(KeyKind::Pck, &key, id))
        .unwrap_err();
    assert!(
        matches!(err, ClientError::Mikey(MikeyError::InvalidParams(_))),
        "{err:?}"
    );
}
