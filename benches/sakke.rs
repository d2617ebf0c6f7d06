//! Criterion benchmarks of SAKKE (RFC 6508, parameter set 1): RSK issuance, RSK validation
//! (receiver creation), encapsulation and decapsulation. `make bench` runs them.

use criterion::{Criterion, criterion_group, criterion_main};
use mcptt_kmc::kms::Kms;
use mcptt_kmc::sakke::{SakkePublic, SakkeReceiver};
use std::hint::black_box;

const ID: &[u8] = b"2011-02\0tel:+447700900123\0";
const SSV: [u8; 16] = *b"0123456789abcdef";

fn sakke(c: &mut Criterion) {
    let kms = Kms::generate().unwrap();
    let z_t = kms.z_t();
    let rsk = kms.issue_sakke(ID).unwrap();
    let public = SakkePublic::new(&z_t).unwrap();
    let receiver = SakkeReceiver::new(&z_t, ID, &rsk[..]).unwrap();
    let sed = public.encapsulate(ID, &SSV).unwrap();

    let mut group = c.benchmark_group("sakke");
    group.sample_size(20);
    group.bench_function("rsk_issuance", |b| {
        b.iter(|| kms.issue_sakke(black_box(ID)).unwrap())
    });
    group.bench_function("rsk_validation", |b| {
        b.iter(|| SakkeReceiver::new(&z_t, black_box(ID), &rsk[..]).unwrap())
    });
    group.bench_function("rsk_validation_with_public", |b| {
        b.iter(|| SakkeReceiver::with_public(&public, black_box(ID), &rsk[..]).unwrap())
    });
    group.bench_function("encapsulate", |b| {
        b.iter(|| public.encapsulate(black_box(ID), &SSV).unwrap())
    });
    group.bench_function("decapsulate", |b| {
        b.iter(|| receiver.decapsulate(black_box(&sed)).unwrap())
    });
    group.bench_function("public_new", |b| {
        b.iter(|| SakkePublic::new(black_box(&z_t)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, sakke);
criterion_main!(benches);
