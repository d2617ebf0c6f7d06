//! Criterion benchmarks of provisioning: parsing a KeyProv response (TS 33.180 D.3.3), and
//! parsing plus validating and storing it through the client (UID, RFC 6507 5.1.2, RFC 6508
//! 6.1.2). Before timing, prints the client's heap memory per identity and key period,
//! measured with a counting allocator. `make bench` runs it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicIsize, Ordering};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use mcptt_kmc::client::{Client, ClientConfig, Output};
use mcptt_kmc::kms::Kms;
use mcptt_kmc::kms::issue::KmsDomain;
use mcptt_kmc::kms::message::{KmsPayload, KmsResponse};
use mcptt_kmc::kms::xml;

/// The system allocator, counting the bytes live on the heap.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator and only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same layout contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same pointer and layout contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const USER: &str = "sip:alice@example.org";
const NOW: u64 = 1_800_000_000;

fn response(payload: KmsPayload) -> Vec<u8> {
    let r = KmsResponse {
        user_uri: USER.into(),
        kms_uri: "kms.example.org".into(),
        time: Some(NOW as i64),
        kms_id: None,
        client_req_url: "https://kms.example.org/keymanagement/identity/v1/keyprov".into(),
        payload,
    };
    xml::emit_response(&r).as_bytes().to_vec()
}

/// A client with its certificate installed and a keyprov request for `USER` in flight.
fn client_waiting_for_keyprov(init: &[u8]) -> (Client, u64) {
    let mut config = ClientConfig::new("https://kms.example.org", USER);
    config.expected_kms_uri = Some("kms.example.org".into());
    let mut client = Client::new(config).unwrap();
    client.set_access_token("t").unwrap();
    let Output::Request(r) = client.poll_output(NOW) else {
        panic!("init expected")
    };
    client.handle_response(NOW, r.id, 200, init).unwrap();
    loop {
        match client.poll_output(NOW) {
            Output::Request(r) => return (client, r.id),
            Output::Event(_) => {}
            _ => panic!("keyprov expected"),
        }
    }
}

fn memory_report(init: &[u8], keyprov: &[u8], kms: &Kms, domain: &KmsDomain) {
    let (mut client, id) = client_waiting_for_keyprov(init);
    let before = LIVE.load(Ordering::Relaxed);
    client.handle_response(NOW, id, 200, keyprov).unwrap();
    while let Output::Event(_) = client.poll_output(NOW) {}
    let stored = LIVE.load(Ordering::Relaxed) - before;
    let n = client.period_of(NOW).unwrap();
    let uid = domain.uid(USER, n).unwrap();
    let sed = mcptt_kmc::sakke::SakkePublic::new(&kms.z_t())
        .unwrap()
        .encapsulate(&uid, &[1; 16])
        .unwrap();
    let before = LIVE.load(Ordering::Relaxed);
    client.decapsulate(USER, NOW, &sed).unwrap();
    let table = LIVE.load(Ordering::Relaxed) - before;
    println!(
        "client memory per identity and key period: {stored} bytes stored, +{table} bytes after the first decapsulation"
    );
}

fn client(c: &mut Criterion) {
    let kms = Kms::generate().unwrap();
    let domain = KmsDomain::new("kms.example.org", 2_592_000, 0);
    let init = response(KmsPayload::Init(kms.certificate(&domain)));
    let n = domain.key_period_for(NOW as i64).unwrap();
    let set = kms.issue_key_set(&domain, USER, n).unwrap();
    let keyprov = response(KmsPayload::KeyProv(vec![set]));
    memory_report(&init, &keyprov, &kms, &domain);

    let mut group = c.benchmark_group("client");
    group.sample_size(20);
    group.bench_function("keyprov_parse", |b| {
        b.iter(|| xml::parse_response(black_box(&keyprov)).unwrap())
    });
    group.bench_function("keyprov_parse_validate_store", |b| {
        b.iter_batched(
            || client_waiting_for_keyprov(&init),
            |(mut client, id)| {
                client
                    .handle_response(NOW, id, 200, black_box(&keyprov))
                    .unwrap();
                client
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, client);
criterion_main!(benches);
