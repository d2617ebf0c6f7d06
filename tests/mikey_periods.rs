//! Keys of a neighbouring key period count only near the boundary (within the replay window
//! of T), never for a whole extra period (found in review).
use mcptt_kmc::eccsi::{Signer, Verifier};
use mcptt_kmc::kms::Kms;
use mcptt_kmc::mikey::{
    CreateParams, KeyKind, KmsParams, PeerDirectory, ProcessParams, create_imessage,
    process_imessage,
};
use mcptt_kmc::sakke::{SakkePublic, SakkeReceiver};

const KMS_URI: &str = "kms.example.org";
const PERIOD: u64 = 2_592_000;
const N: u64 = 1477;
const ALICE: &str = "sip:alice@example.org";
const BOB: &str = "sip:bob@example.org";
const KEY: [u8; 16] = *b"an MCPTT key 16!";

fn kp() -> KmsParams<'static> {
    KmsParams::new(KMS_URI, PERIOD, 0).unwrap()
}
fn id(uri: &str, n: u64) -> Vec<u8> {
    kp().identifier(&kp().uid(uri.as_bytes(), n).unwrap())
}

struct Dir<'a> {
    verifier: &'a Verifier,
    receivers: Vec<(u64, &'a SakkeReceiver)>,
}
impl PeerDirectory for Dir<'_> {
    fn initiator_kms(&self, k: Option<&[u8]>) -> Option<(KmsParams<'_>, &Verifier)> {
        k.is_none_or(|k| k == KMS_URI.as_bytes())
            .then_some((kp(), self.verifier))
    }
    fn receiver(&self, p: u64) -> Option<&SakkeReceiver> {
        self.receivers
            .iter()
            .find(|(n, _)| *n == p)
            .map(|(_, r)| *r)
    }
}

/// A message stamped mid-period and signed with the previous or the next period's SSK is
/// refused; the same signer is accepted within the window of the boundary.
#[test]
fn neighbouring_period_keys_count_only_near_the_boundary() {
    let kms = Kms::generate().unwrap();
    let kpak = kms.kpak().to_bytes();
    let verifier = Verifier::new(&kpak).unwrap();
    let public = SakkePublic::new(&kms.z_t()).unwrap();
    let signer_for = |n| {
        let i = id(ALICE, n);
        let e = kms.issue_eccsi(&i).unwrap();
        Signer::new(&kpak, &i, e.ssk(), e.pvt()).unwrap()
    };
    let bob_rsk = {
        let i = id(BOB, N + 1);
        let rsk = kms.issue_sakke(&i).unwrap();
        SakkeReceiver::new(&kms.z_t(), &i, &rsk[..]).unwrap()
    };
    let dir = Dir {
        verifier: &verifier,
        receivers: vec![(N + 1, &bob_rsk)],
    };
    let mid = (N + 1) * PERIOD + PERIOD / 2; // 15 days into N + 1

    for (signer_period, label) in [(N, "previous period SSK"), (N + 2, "next period SSK")] {
        let signer = signer_for(signer_period);
        for hide in [false, true] {
            let mut p = CreateParams::new(
                KeyKind::Pck,
                &KEY,
                KeyKind::Pck.key_id(7),
                mid,
                ALICE,
                kp(),
                BOB,
                kp(),
            );
            p.initiator_period = Some(signer_period);
            p.hide_identities = hide;
            let bytes = create_imessage(&p, &signer, &public, None).unwrap();
            let params = ProcessParams {
                now_ntp: mid,
                replay_window_s: 300,
                own_uri: BOB,
                own_kms: kp(),
                initiator_uri: Some(ALICE),
            };
            assert!(
                process_imessage(&bytes, &params, &dir).is_err(),
                "{label}, hide={hide}"
            );
        }
    }
    // 100 s after the boundary, the previous period's SSK still counts.
    let near = (N + 1) * PERIOD + 100;
    let signer = signer_for(N);
    let mut p = CreateParams::new(
        KeyKind::Pck,
        &KEY,
        KeyKind::Pck.key_id(7),
        near,
        ALICE,
        kp(),
        BOB,
        kp(),
    );
    p.initiator_period = Some(N);
    let bytes = create_imessage(&p, &signer, &public, None).unwrap();
    let params = ProcessParams {
        now_ntp: near,
        replay_window_s: 300,
        own_uri: BOB,
        own_kms: kp(),
        initiator_uri: None,
    };
    let got = process_imessage(&bytes, &params, &dir).unwrap();
    assert_eq!((got.initiator_period, got.period), (Some(N), N + 1));
}
