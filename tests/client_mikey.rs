//! MIKEY-SAKKE I_MESSAGEs through provisioned clients (RFC 6509, TS 33.180 Annex E): a GMS
//! identity sends one GMK to alice and bob, alice sends bob a PCK and the server a CSK, with
//! and without identity hiding and SAKKE-to-self; and the refusals.

mod common;

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

/// The key ring (TS 33.180 5.8, 7.4, 5.11.2): what `mikey_receive` decrypts is stored by
/// purpose and ID; an SRTP stack gets the master key and salt for a packet's MKI; activation
/// and expiry are honoured, an expired key is erased, a replaced one too; a CSK download
/// from a server initiator and a key read through SAKKE-to-self are stored like any other.
#[test]
fn the_key_ring_serves_srtp_keys_by_mki() {
    use mcptt_kmc::client::{KeyRingError, Purpose};
    use mcptt_kmc::mikey::srtp::{CS_ID_MCPTT_GROUP, Mki};

    let mut d = domain();
    let (gmk_id, gmk) = new_key(KeyKind::Gmk).unwrap();
    let rand = [0x5au8; 16];
    let o = options(KeyKind::Gmk, &gmk, gmk_id);
    let to_alice = d
        .gms
        .mikey_create_imessage_with_rand(GMS, ALICE, NOW, &o, Some(rand))
        .unwrap();
    let to_bob = d
        .gms
        .mikey_create_imessage_with_rand(GMS, BOB, NOW, &o, Some(rand))
        .unwrap();
    assert!(d.alice.keyring().is_empty());
    let a = d
        .alice
        .mikey_receive(ALICE, NOW, WINDOW, Some(GMS), &to_alice)
        .unwrap();
    let b = d
        .bob
        .mikey_receive(BOB, NOW, WINDOW, Some(GMS), &to_bob)
        .unwrap();
    assert_eq!(d.alice.keyring().len(), 1);
    let held = d.alice.keyring().keys().next().unwrap();
    assert_eq!(
        (held.purpose, held.key_id, held.guk_id),
        (Purpose::Gmk, gmk_id, a.guk_id)
    );
    assert_eq!(held.key(), &*gmk);
    assert!(!format!("{:?}", d.alice.keyring()).contains(&format!("{:?}", &gmk[..4])));

    // bob's packet: alice's ring gives bob's master key for its MKI.
    let bobs = b.srtp_master(CS_ID_MCPTT_GROUP).unwrap();
    let at_alice = d
        .alice
        .keyring_mut()
        .srtp_for_mki(bobs.mki.as_bytes(), CS_ID_MCPTT_GROUP, NOW)
        .unwrap();
    assert_eq!((*at_alice.key, *at_alice.salt), (*bobs.key, *bobs.salt));
    // An MKI of another GMK, or a PCK's that alice never got: unknown.
    let ring = d.alice.keyring_mut();
    for mki in [
        Mki::gmk(gmk_id ^ 1, b.guk_id.unwrap()),
        Mki::pck(0x1000_0001),
    ] {
        assert_eq!(
            ring.srtp_for_mki(mki.as_bytes(), 4, NOW).unwrap_err(),
            KeyRingError::UnknownKey
        );
    }
    // Activation and expiry.
    ring.set_validity(gmk_id, Some(NOW + 10), Some(NOW + 100))
        .unwrap();
    assert_eq!(
        ring.srtp_for_mki(bobs.mki.as_bytes(), 4, NOW).unwrap_err(),
        KeyRingError::NotYetActive
    );
    assert!(ring.srtp_for_mki(bobs.mki.as_bytes(), 4, NOW + 10).is_ok());
    assert_eq!(
        ring.srtp_for_mki(bobs.mki.as_bytes(), 4, NOW + 100)
            .unwrap_err(),
        KeyRingError::Expired
    );
    assert!(ring.is_empty(), "an expired key is erased");

    // Received again: stored again; a newer message with the same GMK-ID replaces it.
    d.alice
        .mikey_receive(ALICE, NOW, WINDOW, None, &to_alice)
        .unwrap();
    let again = d
        .gms
        .mikey_create_imessage_with_rand(GMS, ALICE, NOW, &o, Some([1; 16]))
        .unwrap();
    d.alice
        .mikey_receive(ALICE, NOW, WINDOW, None, &again)
        .unwrap();
    assert_eq!(d.alice.keyring().len(), 1);
    assert_eq!(d.alice.keyring().keys().next().unwrap().rand, [1; 16]);

    // A CSK download: the server (here the GMS identity) is the initiator.
    let (csk_id, csk) = new_key(KeyKind::Csk).unwrap();
    let csk_msg = d
        .gms
        .mikey_create_imessage(GMS, ALICE, NOW, &options(KeyKind::Csk, &csk, csk_id))
        .unwrap();
    d.alice
        .mikey_receive(ALICE, NOW, WINDOW, Some(GMS), &csk_msg)
        .unwrap();
    let csk_held = d.alice.keyring_mut().get(csk_id, NOW).unwrap();
    assert_eq!((csk_held.purpose, csk_held.key()), (Purpose::Csk, &*csk));

    // SAKKE-to-self: the GMS identity's other device stores what it sent.
    let mut to_self = options(KeyKind::Gmk, &gmk, gmk_id);
    to_self.sakke_to_self = true;
    let copy = d
        .gms
        .mikey_create_imessage(GMS, BOB, NOW, &to_self)
        .unwrap();
    let own = d.gms.mikey_receive(GMS, NOW, WINDOW, None, &copy).unwrap();
    assert_eq!(own.recipient, Recipient::SakkeToSelf);
    assert_eq!(d.gms.keyring().len(), 1);

    // A refused message stores nothing.
    let mut bad = to_alice.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    let before = d.bob.keyring().len();
    assert!(d.bob.mikey_receive(BOB, NOW, WINDOW, None, &bad).is_err());
    assert_eq!(d.bob.keyring().len(), before);
}

/// Key parameters (TS 33.180 E.6) sent with a key are honoured by the key ring: activation and
/// expiry times bound the SRTP lookups; a key already expired is refused; a revoked key is
/// refused and the key of that ID erased; a MuSiK downloaded from a server (SAKKE-to-self
/// included) is stored.
#[test]
fn key_parameters_are_honoured_by_the_key_ring() {
    use mcptt_kmc::client::{ClientError, KeyRingError};
    use mcptt_kmc::mikey::KeyParameters;
    use mcptt_kmc::mikey::srtp::{CS_ID_MCPTT_GROUP, Mki};
    use mcptt_kmc::time::unix_to_ntp;

    let mut d = domain();
    let (gmk_id, gmk) = new_key(KeyKind::Gmk).unwrap();
    let o = options(KeyKind::Gmk, &gmk, gmk_id);
    let ntp = |t: u64| unix_to_ntp(t).unwrap();
    let send = |gms: &Client, params: &KeyParameters| {
        gms.mikey_create_imessage_with_parameters(GMS, ALICE, NOW, &o, None, Some(params))
            .unwrap()
    };

    // Valid from NOW + 60 to NOW + 600.
    let window = KeyParameters::new(gmk_id, ntp(NOW + 60), ntp(NOW + 600));
    let msg = send(&d.gms, &window);
    let got = d
        .alice
        .mikey_receive(ALICE, NOW, WINDOW, None, &msg)
        .unwrap();
    assert_eq!(got.key_parameters.as_ref(), Some(&window));
    let held = d.alice.keyring().keys().next().unwrap();
    assert_eq!(
        (held.activation, held.expiry),
        (Some(NOW + 60), Some(NOW + 600))
    );
    let mki = Mki::gmk(gmk_id, got.guk_id.unwrap());
    let ring = d.alice.keyring_mut();
    assert_eq!(
        ring.srtp_for_mki(mki.as_bytes(), CS_ID_MCPTT_GROUP, NOW + 59)
            .unwrap_err(),
        KeyRingError::NotYetActive
    );
    assert!(
        ring.srtp_for_mki(mki.as_bytes(), CS_ID_MCPTT_GROUP, NOW + 60)
            .is_ok()
    );
    assert_eq!(
        ring.srtp_for_mki(mki.as_bytes(), CS_ID_MCPTT_GROUP, NOW + 600)
            .unwrap_err(),
        KeyRingError::Expired
    );
    assert!(ring.is_empty());

    // Already expired when received: refused, not stored.
    let expired = KeyParameters::new(gmk_id, 0, ntp(NOW - 1));
    let msg = send(&d.gms, &expired);
    assert!(matches!(
        d.alice.mikey_receive(ALICE, NOW, WINDOW, None, &msg),
        Err(ClientError::KeyRing(KeyRingError::Expired))
    ));
    assert!(d.alice.keyring().is_empty());

    // Revoked: the key held under that ID is erased, the message refused.
    let plain = d.gms.mikey_create_imessage(GMS, ALICE, NOW, &o).unwrap();
    d.alice
        .mikey_receive(ALICE, NOW, WINDOW, None, &plain)
        .unwrap();
    assert_eq!(d.alice.keyring().len(), 1);
    let mut revoked = KeyParameters::new(gmk_id, 0, 0);
    revoked.status = 0;
    let msg = send(&d.gms, &revoked);
    assert!(matches!(
        d.alice.mikey_receive(ALICE, NOW, WINDOW, None, &msg),
        Err(ClientError::Mikey(MikeyError::KeyRevoked(id))) if id == gmk_id
    ));
    assert!(d.alice.keyring().is_empty(), "a revoked key is erased");
    // Processing alone refuses it too.
    assert!(matches!(
        d.alice.mikey_process_imessage(ALICE, NOW, WINDOW, None, &msg),
        Err(ClientError::Mikey(MikeyError::KeyRevoked(id))) if id == gmk_id
    ));

    // A MuSiK downloaded from a server, with SAKKE-to-self for the server's other instances.
    let (musik_id, musik) = new_key(KeyKind::Musik).unwrap();
    let mut mo = options(KeyKind::Musik, &musik, musik_id);
    mo.sakke_to_self = true;
    let msg = d.gms.mikey_create_imessage(GMS, ALICE, NOW, &mo).unwrap();
    let got = d
        .alice
        .mikey_receive(ALICE, NOW, WINDOW, Some(GMS), &msg)
        .unwrap();
    assert_eq!(
        (got.kind, got.key_id, *got.key),
        (KeyKind::Musik, musik_id, *musik)
    );
    assert_eq!(d.alice.keyring().keys().next().unwrap().key(), &*musik);
    let own = d
        .gms
        .mikey_receive(GMS, NOW, WINDOW, Some(GMS), &msg)
        .unwrap();
    assert_eq!(own.recipient, Recipient::SakkeToSelf);
}

/// A GMK received in an I_MESSAGE survives export and import (TS 33.180 5.11.2: long-lived keys
/// go into the sealed key store); a PCK does not.
#[test]
fn long_lived_keys_survive_the_sealed_key_store() {
    use mcptt_kmc::client::KeyRingError;
    use mcptt_kmc::mikey::srtp::{CS_ID_MCPTT_GROUP, Mki};

    let mut d = domain();
    let (gmk_id, gmk) = new_key(KeyKind::Gmk).unwrap();
    let to_alice = d
        .gms
        .mikey_create_imessage(GMS, ALICE, NOW, &options(KeyKind::Gmk, &gmk, gmk_id))
        .unwrap();
    let got = d
        .alice
        .mikey_receive(ALICE, NOW, WINDOW, None, &to_alice)
        .unwrap();
    let (pck_id, pck) = new_key(KeyKind::Pck).unwrap();
    let to_alice = d
        .bob
        .mikey_create_imessage(BOB, ALICE, NOW, &options(KeyKind::Pck, &pck, pck_id))
        .unwrap();
    d.alice
        .mikey_receive(ALICE, NOW, WINDOW, None, &to_alice)
        .unwrap();
    assert_eq!(d.alice.keyring().len(), 2);

    let storage_key = [0x42u8; 32];
    let blob = d.alice.export(&storage_key).unwrap();
    let mut config = ClientConfig::new("https://kms.example.org", ALICE);
    config.expected_kms_uri = Some("kms.example.org".into());
    let mut restored = Client::new(config).unwrap();
    restored.import(NOW, &storage_key, &blob).unwrap();
    let mki = Mki::gmk(gmk_id, got.guk_id.unwrap());
    let before = d
        .alice
        .keyring_mut()
        .srtp_for_mki(mki.as_bytes(), CS_ID_MCPTT_GROUP, NOW)
        .unwrap();
    let after = restored
        .keyring_mut()
        .srtp_for_mki(mki.as_bytes(), CS_ID_MCPTT_GROUP, NOW)
        .unwrap();
    assert_eq!((*before.key, *before.salt), (*after.key, *after.salt));
    assert_eq!(
        restored
            .keyring_mut()
            .srtp_for_mki(Mki::pck(pck_id).as_bytes(), 0, NOW)
            .unwrap_err(),
        KeyRingError::UnknownKey,
        "the PCK stays in memory only"
    );
}

/// The refusal of a message for a key another initiator distributed (TS 33.180 5.8, 5.11.2):
/// only the initiator that distributed a held key may replace or revoke it.
fn refused_as_other_initiator(result: Result<mikey::ReceivedKey, ClientError>) {
    use mcptt_kmc::client::KeyRingError;
    match result {
        Err(e) => assert_eq!(e, ClientError::KeyRing(KeyRingError::OtherInitiator)),
        Ok(got) => panic!("accepted: {got:?}"),
    }
}

/// A GMK the GMS distributed, and a PCK bob distributed, are not replaced by a message of
/// another initiator carrying the same GMK-ID or PCK-ID (with the initiator named or hidden);
/// the initiator that distributed them may replace them, named or hidden.
#[test]
fn another_initiator_does_not_replace_a_held_key() {
    use mcptt_kmc::mikey::srtp::{CS_ID_MCPTT_GROUP, Mki};

    let mut d = domain();
    let (gmk_id, gmk) = new_key(KeyKind::Gmk).unwrap();
    let o = options(KeyKind::Gmk, &gmk, gmk_id);
    let from_gms = d
        .gms
        .mikey_create_imessage_with_rand(GMS, ALICE, NOW, &o, Some([1; 16]))
        .unwrap();
    let held = d
        .alice
        .mikey_receive(ALICE, NOW, WINDOW, Some(GMS), &from_gms)
        .unwrap();
    let mki = Mki::gmk(gmk_id, held.guk_id.unwrap());
    let master = |c: &mut Client| {
        let m = c
            .keyring_mut()
            .srtp_for_mki(mki.as_bytes(), CS_ID_MCPTT_GROUP, NOW)
            .unwrap();
        (*m.key, *m.salt)
    };
    let before = master(&mut d.alice);

    // bob sends alice another key under the GMS's GMK-ID, named and hidden.
    let (_, other) = new_key(KeyKind::Gmk).unwrap();
    for hide in [false, true] {
        let mut o = options(KeyKind::Gmk, &other, gmk_id);
        o.hide_identities = hide;
        let from_bob = d
            .bob
            .mikey_create_imessage_with_rand(BOB, ALICE, NOW, &o, Some([2; 16]))
            .unwrap();
        // The message itself is fine: processing alone accepts it.
        assert!(
            d.alice
                .mikey_process_imessage(ALICE, NOW, WINDOW, None, &from_bob)
                .is_ok()
        );
        let named = (!hide).then_some(BOB);
        refused_as_other_initiator(d.alice.mikey_receive(ALICE, NOW, WINDOW, named, &from_bob));
        refused_as_other_initiator(d.alice.mikey_receive(ALICE, NOW, WINDOW, None, &from_bob));
    }
    assert_eq!(d.alice.keyring().len(), 1);
    let kept = d.alice.keyring().keys().next().unwrap();
    assert_eq!((kept.key(), &kept.rand[..]), (&*gmk, &[1u8; 16][..]));
    assert_eq!(
        master(&mut d.alice),
        before,
        "the GMS's key still serves the MKI"
    );

    // A PCK bob distributed is not replaced by the GMS's PCK with the same PCK-ID.
    let (pck_id, pck) = new_key(KeyKind::Pck).unwrap();
    let from_bob = d
        .bob
        .mikey_create_imessage(BOB, ALICE, NOW, &options(KeyKind::Pck, &pck, pck_id))
        .unwrap();
    d.alice
        .mikey_receive(ALICE, NOW, WINDOW, None, &from_bob)
        .unwrap();
    let (_, other_pck) = new_key(KeyKind::Pck).unwrap();
    let from_gms_pck = d
        .gms
        .mikey_create_imessage(GMS, ALICE, NOW, &options(KeyKind::Pck, &other_pck, pck_id))
        .unwrap();
    refused_as_other_initiator(
        d.alice
            .mikey_receive(ALICE, NOW, WINDOW, None, &from_gms_pck),
    );
    assert_eq!(d.alice.keyring_mut().get(pck_id, NOW).unwrap().key(), &*pck);

    // The distributors themselves may replace their keys: bob his PCK, the GMS its GMK (with
    // its identity hidden, too: it is recognised by its UID).
    let (_, newer_pck) = new_key(KeyKind::Pck).unwrap();
    let again = d
        .bob
        .mikey_create_imessage(BOB, ALICE, NOW, &options(KeyKind::Pck, &newer_pck, pck_id))
        .unwrap();
    d.alice
        .mikey_receive(ALICE, NOW, WINDOW, None, &again)
        .unwrap();
    assert_eq!(
        d.alice.keyring_mut().get(pck_id, NOW).unwrap().key(),
        &*newer_pck
    );
    for (hide, rand) in [(false, [3u8; 16]), (true, [4u8; 16])] {
        let (_, newer) = new_key(KeyKind::Gmk).unwrap();
        let mut o = options(KeyKind::Gmk, &newer, gmk_id);
        o.hide_identities = hide;
        let again = d
            .gms
            .mikey_create_imessage_with_rand(GMS, ALICE, NOW, &o, Some(rand))
            .unwrap();
        d.alice
            .mikey_receive(ALICE, NOW, WINDOW, None, &again)
            .unwrap();
        let replaced = d.alice.keyring_mut().get(gmk_id, NOW).unwrap();
        assert_eq!((replaced.key(), &replaced.rand[..]), (&*newer, &rand[..]));
    }
    // Still bound to the GMS after a hidden replacement: bob is refused again.
    let mut o = options(KeyKind::Gmk, &other, gmk_id);
    o.hide_identities = true;
    let from_bob = d.bob.mikey_create_imessage(BOB, ALICE, NOW, &o).unwrap();
    refused_as_other_initiator(d.alice.mikey_receive(ALICE, NOW, WINDOW, None, &from_bob));
}

/// A key parameters extension (TS 33.180 E.6) with Status = revoked from another initiator does
/// not erase a held key; the initiator that distributed it may revoke it.
#[test]
fn another_initiator_does_not_revoke_a_held_key() {
    use mcptt_kmc::mikey::KeyParameters;

    let mut d = domain();
    let (gmk_id, gmk) = new_key(KeyKind::Gmk).unwrap();
    let o = options(KeyKind::Gmk, &gmk, gmk_id);
    let from_gms = d.gms.mikey_create_imessage(GMS, ALICE, NOW, &o).unwrap();
    d.alice
        .mikey_receive(ALICE, NOW, WINDOW, None, &from_gms)
        .unwrap();
    let mut revoked = KeyParameters::new(gmk_id, 0, 0);
    revoked.status = 0;

    // bob revokes the GMS's GMK-ID, with a key of his own and with the GMK itself.
    let (_, other) = new_key(KeyKind::Gmk).unwrap();
    for key in [&other, &gmk] {
        let o = options(KeyKind::Gmk, key, gmk_id);
        let from_bob = d
            .bob
            .mikey_create_imessage_with_parameters(BOB, ALICE, NOW, &o, None, Some(&revoked))
            .unwrap();
        refused_as_other_initiator(d.alice.mikey_receive(ALICE, NOW, WINDOW, None, &from_bob));
        assert_eq!(
            d.alice.keyring_mut().get(gmk_id, NOW).unwrap().key(),
            &*gmk,
            "still held"
        );
    }

    // The GMS revokes it: refused as revoked, and erased.
    let from_gms = d
        .gms
        .mikey_create_imessage_with_parameters(GMS, ALICE, NOW, &o, None, Some(&revoked))
        .unwrap();
    assert!(matches!(
        d.alice.mikey_receive(ALICE, NOW, WINDOW, None, &from_gms),
        Err(ClientError::Mikey(MikeyError::KeyRevoked(id))) if id == gmk_id
    ));
    assert!(d.alice.keyring().is_empty());
    // A revocation of a key not held is refused as revoked, whoever sends it.
    let o = options(KeyKind::Gmk, &other, gmk_id);
    let from_bob = d
        .bob
        .mikey_create_imessage_with_parameters(BOB, ALICE, NOW, &o, None, Some(&revoked))
        .unwrap();
    assert!(matches!(
        d.alice.mikey_receive(ALICE, NOW, WINDOW, None, &from_bob),
        Err(ClientError::Mikey(MikeyError::KeyRevoked(id))) if id == gmk_id
    ));
}

/// `blob` (format 3, whose last key has no distributor, so its plaintext ends in that key's
/// distributor flag 0) re-sealed as format 2: the same plaintext without that last octet,
/// under version 2's associated data. What a client upgraded from a version 2 build holds.
fn as_version_2(blob: &[u8], storage_key: &[u8; 32], user: &str) -> Vec<u8> {
    use aes_gcm::aead::{AeadInOut, KeyInit};
    use aes_gcm::{Aes256Gcm, Nonce, Tag};
    let ad = |version: u8| {
        let mut ad = b"MKCKS\0".to_vec();
        ad.push(version);
        ad.extend_from_slice(&(user.len() as u16).to_be_bytes());
        ad.extend_from_slice(user.as_bytes());
        ad
    };
    assert_eq!(blob[6], 3);
    let cipher = Aes256Gcm::new_from_slice(storage_key).unwrap();
    let nonce: [u8; 12] = blob[7..19].try_into().unwrap();
    let (body, tag) = blob[19..].split_at(blob.len() - 19 - 16);
    let tag: [u8; 16] = tag.try_into().unwrap();
    let mut plain = body.to_vec();
    cipher
        .decrypt_inout_detached(
            &Nonce::from(nonce),
            &ad(3),
            plain.as_mut_slice().into(),
            &Tag::from(tag),
        )
        .unwrap();
    assert_eq!(plain.pop(), Some(0), "the last key has no distributor");
    let tag = cipher
        .encrypt_inout_detached(&Nonce::from(nonce), &ad(2), plain.as_mut_slice().into())
        .unwrap();
    let mut out = b"MKCKS\0".to_vec();
    out.push(2);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&plain);
    out.extend_from_slice(&tag);
    out
}

/// Breaker: a GMK read from a version 2 key store has no distributor, and the ring then lets
/// "a message carrying the very same key" revoke or re-parameterise it, as proof that its
/// sender is the distributor. For a GMK that is no proof: every member of the group holds it.
/// Here bob, a member who received the same GMK from the GMS, revokes alice's GMK (and could
/// equally shorten its expiry): the takeover issue 10 closes stays open for every GMK of an
/// upgraded handset until it expires.
#[test]
fn a_group_member_cannot_revoke_a_gmk_read_from_a_version_2_store() {
    use mcptt_kmc::client::KeyRingError;
    use mcptt_kmc::mikey::KeyParameters;

    let mut d = domain();
    let (gmk_id, gmk) = new_key(KeyKind::Gmk).unwrap();
    let o = options(KeyKind::Gmk, &gmk, gmk_id);
    // The GMS sends the group's GMK to alice and to bob.
    for (client, uri) in [(&mut d.alice, ALICE), (&mut d.bob, BOB)] {
        let msg = d.gms.mikey_create_imessage(GMS, uri, NOW, &o).unwrap();
        client.mikey_receive(uri, NOW, WINDOW, None, &msg).unwrap();
    }
    // alice's handset was upgraded from a build writing key stores of version 2.
    let mut held = d.alice.keyring().keys().next().unwrap().clone();
    held.distributor = None;
    d.alice.keyring_mut().store(held, NOW);
    let storage_key = [0x42u8; 32];
    let v2 = as_version_2(&d.alice.export(&storage_key).unwrap(), &storage_key, ALICE);
    let mut alice = Client::new(d.alice.config().clone()).unwrap();
    assert_eq!(alice.import(NOW, &storage_key, &v2), Ok(1));
    assert_eq!(alice.keyring().keys().next().unwrap().distributor, None);

    // bob, not the GMS, revokes it with the GMK he was given.
    let mut revoked = KeyParameters::new(gmk_id, 0, 0);
    revoked.status = 0;
    let from_bob = d
        .bob
        .mikey_create_imessage_with_parameters(BOB, ALICE, NOW, &o, None, Some(&revoked))
        .unwrap();
    let result = alice.mikey_receive(ALICE, NOW + 1, WINDOW, None, &from_bob);
    assert_eq!(
        result.err(),
        Some(ClientError::KeyRing(KeyRingError::OtherInitiator)),
        "a group member revoked a GMK he did not distribute"
    );
    assert_eq!(alice.keyring().len(), 1, "the GMK was erased");
}

/// A GMS that hides its identity (TS 33.180 E.7) distributes a GMK; alice's app processes it
/// without naming the initiator, as `ReceivedKey::initiator_uri` documents ("confirm it later
/// with `initiator_matches`"). The ring records the distributor's UID and when that UID was in
/// force (the message's T). One key period later (another UID) the same GMS revokes the GMK:
/// - hidden again and not named by the app: its new UID cannot be tied to the recorded one, so
///   the revocation is refused as `OtherInitiator` (documented; the GMK stays);
/// - named by the app (from SIP) and verified: the URI hashes to the recorded UID in the key
///   period of the recorded T, so it is the distributor and the GMK is erased.
///
/// (Was tests/breaker_keyring.rs: the ring compared UIDs only, so a GMS with hidden identity
/// could never revoke or re-key its GMKs after the first period rollover.)
#[test]
fn a_hidden_gms_can_revoke_its_gmk_in_the_next_key_period() {
    use common::{FakeKms, KMS_URI, Mode, client, config, config_of, drive};
    use mcptt_kmc::client::KeyRingError;
    use mcptt_kmc::mikey::KeyParameters;
    const MONTH: u64 = 30 * 86_400;
    const T0: u64 = NOW;

    let mut kms = FakeKms::new(MONTH);
    kms.mode = Mode::TwoSets;
    let mut gms = client(config_of(KMS_URI, GMS, MONTH));
    drive(&mut gms, &mut kms, T0);
    let mut alice = client(config(MONTH));
    drive(&mut alice, &mut kms, T0);
    let t1 = T0 + MONTH;
    assert_ne!(gms.period_of(T0).unwrap(), gms.period_of(t1).unwrap());

    let (gmk_id, gmk) = new_key(KeyKind::Gmk).unwrap();
    let o = ImessageOptions {
        hide_identities: true,
        ..options(KeyKind::Gmk, &gmk, gmk_id)
    };
    let first = gms.mikey_create_imessage(GMS, ALICE, T0, &o).unwrap();
    let got = alice
        .mikey_receive(ALICE, T0, WINDOW, None, &first)
        .unwrap();
    assert_eq!(got.initiator_uri, None);
    let recorded = alice.keyring().keys().next().unwrap().distributor.clone();
    assert_eq!(recorded.as_ref().and_then(|d| d.uri.clone()), None);
    assert_eq!(
        recorded.map(|d| d.uid_time.time_ntp),
        Some(got.time_ntp),
        "when the UID was in force is recorded"
    );

    // One key period later: the GMS revokes it.
    let mut revoked = KeyParameters::new(gmk_id, 0, 0);
    revoked.status = 0;
    let revocation = gms
        .mikey_create_imessage_with_parameters(GMS, ALICE, t1, &o, None, Some(&revoked))
        .unwrap();
    // The message itself is the GMS's (checked with the name from SIP).
    assert!(matches!(
        alice.mikey_process_imessage(ALICE, t1, WINDOW, Some(GMS), &revocation),
        Err(ClientError::Mikey(MikeyError::KeyRevoked(_)))
    ));
    // Hidden and unnamed: another period's UID, which nothing ties to the recorded one.
    assert_eq!(
        alice
            .mikey_receive(ALICE, t1, WINDOW, None, &revocation)
            .err(),
        Some(ClientError::KeyRing(KeyRingError::OtherInitiator))
    );
    assert_eq!(alice.keyring().len(), 1);
    // Named by the app: GMS hashes to the recorded UID in the recorded period.
    let result = alice.mikey_receive(ALICE, t1, WINDOW, Some(GMS), &revocation);
    assert_ne!(
        result.as_ref().err(),
        Some(&ClientError::KeyRing(KeyRingError::OtherInitiator)),
        "the GMS that distributed the GMK may not revoke it one key period later"
    );
    assert!(matches!(
        result,
        Err(ClientError::Mikey(MikeyError::KeyRevoked(id))) if id == gmk_id
    ));
    assert!(alice.keyring().is_empty(), "the revoked GMK is still held");
}
