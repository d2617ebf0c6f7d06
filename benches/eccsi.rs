//! Criterion benchmarks of ECCSI (RFC 6507): KPAK generation, issuance, SSK validation, sign and
//! verify. `make bench` runs them; results go in BENCHMARKS.md.
//!
//! With `MKC_BENCH_COUNT=<op>:<n>` in the environment the binary instead runs `<op>` (one of
//! the names below, or `setup` for none) `n` times and exits: run it under
//! `valgrind --tool=callgrind` for reproducible instruction counts on a noisy machine
//! (BENCHMARKS.md gives the command).

use criterion::{Criterion, criterion_group};
use mcptt_kmc::eccsi::{IssuedKey, KmsSigningRoot, Signer, Verifier};
use std::hint::black_box;

const ID: &[u8] = b"2011-02\0tel:+447700900123\0";
const MSG: &[u8] = b"message\0";

struct Fixture {
    kms: KmsSigningRoot,
    kpak: [u8; 65],
    issued: IssuedKey,
    signer: Signer,
    verifier: Verifier,
    signature: [u8; 129],
}

fn fixture() -> Fixture {
    let kms = KmsSigningRoot::generate().unwrap();
    let kpak = kms.kpak().to_bytes();
    let issued = kms.issue(ID).unwrap();
    let signer = Signer::new(&kpak, ID, issued.ssk(), issued.pvt()).unwrap();
    let verifier = Verifier::new(&kpak).unwrap();
    let signature = signer.sign(MSG).unwrap();
    Fixture {
        kms,
        kpak,
        issued,
        signer,
        verifier,
        signature,
    }
}

/// The operations, by the names criterion reports them under.
const OPS: [&str; 6] = [
    "kpak_generation",
    "issue",
    "ssk_validation",
    "sign",
    "verify",
    "public_key_new",
];

fn run(f: &Fixture, op: &str) {
    match op {
        "kpak_generation" => drop(black_box(KmsSigningRoot::generate().unwrap())),
        "issue" => drop(black_box(f.kms.issue(black_box(ID)).unwrap())),
        "ssk_validation" => drop(black_box(
            Signer::new(&f.kpak, black_box(ID), f.issued.ssk(), f.issued.pvt()).unwrap(),
        )),
        "sign" => drop(black_box(f.signer.sign(black_box(MSG)).unwrap())),
        "verify" => f
            .verifier
            .verify(black_box(ID), black_box(MSG), &f.signature)
            .unwrap(),
        "public_key_new" => drop(black_box(Verifier::new(black_box(&f.kpak)).unwrap())),
        _ => unreachable!("unknown op {op}"),
    }
}

fn eccsi(c: &mut Criterion) {
    let f = fixture();
    let mut group = c.benchmark_group("eccsi");
    for op in OPS {
        group.bench_function(op, |b| b.iter(|| run(&f, op)));
    }
    group.finish();
}

criterion_group!(benches, eccsi);

/// CPU time of this thread, in seconds.
fn thread_cpu_seconds() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime");
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

fn main() {
    if let Ok(request) = std::env::var("MKC_BENCH_COUNT") {
        let (op, n) = request.split_once(':').expect("MKC_BENCH_COUNT=<op>:<n>");
        let n: usize = n.parse().expect("a count");
        assert!(op == "setup" || OPS.contains(&op), "unknown op {op}");
        let f = fixture();
        if op != "setup" {
            run(&f, op); // builds whatever is built on first use
            let start = thread_cpu_seconds();
            for _ in 1..n {
                run(&f, op);
            }
            let per_op = (thread_cpu_seconds() - start) / (n.max(2) - 1) as f64;
            // CPU time, not wall time: a rough figure on a loaded machine, beside callgrind's.
            eprintln!(
                "{op}: {:.1} us CPU per op, {:.0} ops/s",
                per_op * 1e6,
                1.0 / per_op
            );
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
