//! Criterion benchmarks of the SAKKE parameter set 1 curve (E: y^2 = x^3 - 3x over the 1024-bit
//! F_p): constant-time variable-base and fixed-base scalar multiplication with 1022-bit
//! scalars, table precomputation, variable-time multiplication and point parsing (which includes
//! the order-q subgroup check). `make bench` runs them; results go in BENCHMARKS.md.

use criterion::{Criterion, criterion_group, criterion_main};
use mcptt_kmc::curve::{FixedBase, Point};
use mcptt_kmc::field::Fq;
use std::hint::black_box;

/// A fixed 1022-bit scalar (q - 0x1234: top bits of q, dense).
fn scalar() -> Fq {
    let mut be = Fq::MODULUS_BE;
    be[127] = be[127].wrapping_sub(0x34);
    be[126] = be[126].wrapping_sub(0x12);
    Option::from(Fq::from_be_bytes(&be)).expect("below q")
}

fn curve(c: &mut Criterion) {
    let g = Point::generator();
    let k = scalar();
    let k_limbs = k.to_canonical_limbs();
    let point = g.mul(&k);
    let table = FixedBase::new(&point);
    let encoded = Option::<[u8; 257]>::from(point.to_bytes()).unwrap();

    let mut group = c.benchmark_group("curve");
    group.sample_size(20);
    group.bench_function("point_mul_ct", |b| {
        b.iter(|| black_box(&point).mul(black_box(&k)))
    });
    group.bench_function("fixed_base_new", |b| {
        b.iter(|| FixedBase::new(black_box(&point)))
    });
    group.bench_function("fixed_base_mul_ct", |b| b.iter(|| table.mul(black_box(&k))));
    group.bench_function("mul_vartime_1022_bit", |b| {
        b.iter(|| black_box(&point).mul_vartime(black_box(&k_limbs)))
    });
    group.bench_function("from_bytes_vartime", |b| {
        b.iter(|| Point::from_bytes_vartime(black_box(&encoded)).unwrap())
    });
    group.bench_function("add", |b| b.iter(|| black_box(&point).add(black_box(&g))));
    group.bench_function("double", |b| b.iter(|| black_box(&point).double()));
    group.bench_function("to_bytes", |b| b.iter(|| black_box(&point).to_bytes()));
    group.finish();
}

criterion_group!(benches, curve);
criterion_main!(benches);
