//! Criterion benchmarks of ECCSI (RFC 6507): KPAK generation, issuance, SSK validation, sign and
//! verify. `make bench` runs them; results go in BENCHMARKS.md.

use criterion::{Criterion, criterion_group, criterion_main};
use mcptt_kmc::eccsi::{KmsSigningRoot, Signer, Verifier};
use std::hint::black_box;

const ID: &[u8] = b"2011-02\0tel:+447700900123\0";
const MSG: &[u8] = b"message\0";

fn eccsi(c: &mut Criterion) {
    let kms = KmsSigningRoot::generate().unwrap();
    let kpak = kms.kpak().to_bytes();
    let issued = kms.issue(ID).unwrap();
    let signer = Signer::new(&kpak, ID, issued.ssk(), issued.pvt()).unwrap();
    let verifier = Verifier::new(&kpak).unwrap();
    let signature = signer.sign(MSG).unwrap();

    let mut group = c.benchmark_group("eccsi");
    group.bench_function("kpak_generation", |b| {
        b.iter(|| KmsSigningRoot::generate().unwrap())
    });
    group.bench_function("issue", |b| b.iter(|| kms.issue(black_box(ID)).unwrap()));
    group.bench_function("ssk_validation", |b| {
        b.iter(|| Signer::new(&kpak, black_box(ID), issued.ssk(), issued.pvt()).unwrap())
    });
    group.bench_function("sign", |b| b.iter(|| signer.sign(black_box(MSG)).unwrap()));
    group.bench_function("verify", |b| {
        b.iter(|| {
            verifier
                .verify(black_box(ID), black_box(MSG), &signature)
                .unwrap()
        })
    });
    group.bench_function("public_key_new", |b| {
        b.iter(|| Verifier::new(black_box(&kpak)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, eccsi);
criterion_main!(benches);
