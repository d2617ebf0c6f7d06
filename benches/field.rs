//! Criterion benchmarks of the SAKKE field arithmetic (F_p, F_q and F_p^2 of parameter set 1).
//!
//! Run with `cargo bench --bench field`.

use criterion::{Criterion, criterion_group, criterion_main};
use mcptt_kmc::field::{Fp, Fp2, Fq};
use std::hint::black_box;

/// A deterministic pseudo-random field element (xorshift64*), not zero.
fn sample_bytes(seed: u64) -> [u8; 128] {
    let mut s = seed | 1;
    let mut out = [0u8; 128];
    for chunk in out.chunks_exact_mut(8) {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        chunk.copy_from_slice(&s.wrapping_mul(0x2545_f491_4f6c_dd1d).to_be_bytes());
    }
    out
}

fn fp(seed: u64) -> Fp {
    Fp::from_be_bytes_reduce(&sample_bytes(seed))
}

fn bench_fp(c: &mut Criterion) {
    let a = fp(1);
    let b = fp(2);
    c.bench_function("Fp mul", |bench| {
        bench.iter(|| black_box(&a).mul(black_box(&b)))
    });
    c.bench_function("Fp square", |bench| bench.iter(|| black_box(&a).square()));
    c.bench_function("Fp add", |bench| {
        bench.iter(|| black_box(&a).add(black_box(&b)))
    });
    c.bench_function("Fp invert", |bench| bench.iter(|| black_box(&a).invert()));
}

fn bench_fp2(c: &mut Criterion) {
    let a = Fp2::new(fp(3), fp(4));
    let b = Fp2::new(fp(5), fp(6));
    c.bench_function("Fp2 mul", |bench| {
        bench.iter(|| black_box(&a).mul(black_box(&b)))
    });
    c.bench_function("Fp2 square", |bench| bench.iter(|| black_box(&a).square()));
}

fn bench_fq(c: &mut Criterion) {
    let a = Fq::from_be_bytes_reduce(&sample_bytes(7));
    let b = Fq::from_be_bytes_reduce(&sample_bytes(8));
    c.bench_function("Fq mul", |bench| {
        bench.iter(|| black_box(&a).mul(black_box(&b)))
    });
}

criterion_group!(benches, bench_fp, bench_fp2, bench_fq);
criterion_main!(benches);
