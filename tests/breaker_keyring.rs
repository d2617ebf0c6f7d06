//! Breaker: the key ring's distributor check (issue 10) across key periods.

mod common;

use common::*;
use mcptt_kmc::client::{ClientError, ImessageOptions, KeyRingError, new_key};
use mcptt_kmc::mikey::{KeyKind, KeyParameters, MikeyError};

const GMS: &str = "sip:gms@example.org";
const MONTH: u64 = 30 * 86_400;
const T0: u64 = 1_800_000_000;
const WINDOW: u64 = 300;

/// A GMS that hides its identity (TS 33.180 E.7) distributes a GMK; alice's app processes
/// it without naming the initiator, as `ReceivedKey::initiator_uri` documents ("confirm it
/// later with `initiator_matches`"). The ring records the distributor by its UID only, which
/// changes with the key period. One period later the same GMS revokes the GMK (hidden again,
/// and this time the app even names it from SIP, and the UID checks out): refused as
/// `OtherInitiator`, and the revoked GMK stays in the ring, serving SRTP until it expires.
/// A GMK outlives a key period (a month) easily, so a GMS with hidden identity can never
/// revoke or re-key its GMKs after the first period rollover.
#[test]
fn a_hidden_gms_can_revoke_its_gmk_in_the_next_key_period() {
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
        kind: KeyKind::Gmk,
        key: &gmk,
        key_id: gmk_id,
        hide_identities: true,
        sakke_to_self: false,
        responder_kms: None,
    };
    let first = gms.mikey_create_imessage(GMS, ALICE, T0, &o).unwrap();
    let got = alice
        .mikey_receive(ALICE, T0, WINDOW, None, &first)
        .unwrap();
    assert_eq!(got.initiator_uri, None);

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
    let result = alice.mikey_receive(ALICE, t1, WINDOW, Some(GMS), &revocation);
    assert_ne!(
        result.as_ref().err(),
        Some(&ClientError::KeyRing(KeyRingError::OtherInitiator)),
        "the GMS that distributed the GMK may not revoke it one key period later"
    );
    assert!(alice.keyring().is_empty(), "the revoked GMK is still held");
}
