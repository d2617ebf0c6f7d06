//! Criterion benchmarks of the MIKEY-SAKKE I_MESSAGE (RFC 6509, TS 33.180 Annex E): creating
//! one (SAKKE encapsulation + ECCSI signature; twice the encapsulation with SAKKE-to-self),
//! processing one (parse, UID derivations, ECCSI verification, SAKKE decapsulation), and the
//! structural parse alone. `make bench` runs them.

use criterion::{Criterion, criterion_group, criterion_main};
use mcptt_kmc::eccsi::{Signer, Verifier};
use mcptt_kmc::kms::Kms;
use mcptt_kmc::mikey::{
    CreateParams, KeyKind, KmsParams, PeerDirectory, ProcessParams, create_imessage, parse,
    process_imessage,
};
use mcptt_kmc::sakke::{SakkePublic, SakkeReceiver};
use std::hint::black_box;

const KMS_URI: &str = "kms.example.org";
const PERIOD: u64 = 2_592_000;
const N: u64 = 1477;
const T: u64 = N * PERIOD + 864_000;
const GMS: &str = "sip:gms@example.org";
const ALICE: &str = "sip:alice@example.org";
const KEY: [u8; 16] = *b"an MCPTT key 16!";

fn kms_params() -> KmsParams<'static> {
    KmsParams::new(KMS_URI, PERIOD, 0).unwrap()
}

fn identifier(uri: &str) -> Vec<u8> {
    kms_params().identifier(&kms_params().uid(uri.as_bytes(), N).unwrap())
}

struct Directory {
    verifier: Verifier,
    receiver: SakkeReceiver,
}

impl PeerDirectory for Directory {
    fn initiator_kms(&self, _: Option<&[u8]>) -> Option<(KmsParams<'_>, &Verifier)> {
        Some((kms_params(), &self.verifier))
    }

    fn receiver(&self, period: u64) -> Option<&SakkeReceiver> {
        (period == N).then_some(&self.receiver)
    }
}

fn mikey(c: &mut Criterion) {
    let kms = Kms::generate().unwrap();
    let kpak = kms.kpak().to_bytes();
    let gms_id = identifier(GMS);
    let issued = kms.issue_eccsi(&gms_id).unwrap();
    let signer = Signer::new(&kpak, &gms_id, issued.ssk(), issued.pvt()).unwrap();
    let public = SakkePublic::new(&kms.z_t()).unwrap();
    let alice_id = identifier(ALICE);
    let rsk = kms.issue_sakke(&alice_id).unwrap();
    let directory = Directory {
        verifier: Verifier::new(&kpak).unwrap(),
        receiver: SakkeReceiver::new(&kms.z_t(), &alice_id, &rsk[..]).unwrap(),
    };

    let gmk_id = KeyKind::Gmk.key_id(0x0abc_def1);
    let params = CreateParams::new(
        KeyKind::Gmk,
        &KEY,
        gmk_id,
        T,
        GMS,
        kms_params(),
        ALICE,
        kms_params(),
    );
    let mut hidden = CreateParams::new(
        KeyKind::Gmk,
        &KEY,
        gmk_id,
        T,
        GMS,
        kms_params(),
        ALICE,
        kms_params(),
    );
    hidden.hide_identities = true;
    hidden.sakke_to_self = true;
    let message = create_imessage(&params, &signer, &public, None).unwrap();
    let hidden_message = create_imessage(&hidden, &signer, &public, Some(&public)).unwrap();
    let process = |initiator_uri| ProcessParams {
        now_ntp: T,
        replay_window_s: 300,
        own_uri: ALICE,
        own_kms: kms_params(),
        initiator_uri,
    };
    let plain = process(None);
    let told = process(Some(GMS));

    let mut group = c.benchmark_group("mikey");
    group.sample_size(20);
    group.bench_function("create_gmk", |b| {
        b.iter(|| create_imessage(black_box(&params), &signer, &public, None).unwrap())
    });
    group.bench_function("create_gmk_hidden_sakke_to_self", |b| {
        b.iter(|| create_imessage(black_box(&hidden), &signer, &public, Some(&public)).unwrap())
    });
    group.bench_function("process_gmk", |b| {
        b.iter(|| process_imessage(black_box(&message), &plain, &directory).unwrap())
    });
    group.bench_function("process_gmk_hidden", |b| {
        b.iter(|| process_imessage(black_box(&hidden_message), &told, &directory).unwrap())
    });
    group.bench_function("parse", |b| {
        b.iter(|| parse(black_box(&hidden_message)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, mikey);
criterion_main!(benches);
