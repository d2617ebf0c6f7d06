//! No secret left behind in freed memory. A `#[global_allocator]` scans every block freed in
//! this test binary for the secrets the test registered (SSK, RSK, the storage key, the access
//! token, a GMK; in binary, byte-reversed and hex) and counts each hit. The test drives a
//! client through the C API as an app does: provisioning, the next period's key set
//! (rollover), expiry of the old material, export and import of the key store, MIKEY
//! create/process, certificate expiry and free, and checks after each step that no freed
//! block held a secret.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::ffi::CStr;
use std::ptr::{null, null_mut};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use mcptt_kmc::ffi::client::*;
use mcptt_kmc::ffi::mikey::*;
use mcptt_kmc::ffi::result::mkc_result;
use mcptt_kmc::ffi::srtp::*;
use mcptt_kmc::kms::Kms;
use mcptt_kmc::kms::issue::KmsDomain;
use mcptt_kmc::kms::message::{KmsPayload, KmsResponse};
use mcptt_kmc::kms::xml;

const MAX_PATTERNS: usize = 256;
/// Octets of a secret that make a pattern: enough to be unique, short enough for a prefix of
/// a secret to count.
const PATTERN_BYTES: usize = 16;

/// The registered patterns: slots below `COUNT` are written once, then only read.
struct Patterns(UnsafeCell<[[u8; PATTERN_BYTES]; MAX_PATTERNS]>);
// SAFETY: a slot is written before `COUNT` publishes it (Release) and never again; readers
// only read slots below the `COUNT` they loaded (Acquire).
unsafe impl Sync for Patterns {}

static PATTERNS: Patterns = Patterns(UnsafeCell::new([[0; PATTERN_BYTES]; MAX_PATTERNS]));
static COUNT: AtomicUsize = AtomicUsize::new(0);
/// Which first two octets some pattern starts with: the scan looks closer only there, so a
/// freed block costs one table look-up per octet.
static STARTS: [AtomicBool; 65536] = [const { AtomicBool::new(false) }; 65536];
static HITS: AtomicUsize = AtomicUsize::new(0);
/// The pattern index and block size of the last hit, for the failure message.
static LAST_PATTERN: AtomicUsize = AtomicUsize::new(usize::MAX);
static LAST_SIZE: AtomicUsize = AtomicUsize::new(0);

/// Registration is single-threaded (the one test of this binary).
fn register(pattern: &[u8]) {
    let index = COUNT.load(Ordering::Acquire);
    assert!(index < MAX_PATTERNS);
    // SAFETY: slot `index` is not yet published, so no reader looks at it.
    unsafe { (*PATTERNS.0.get())[index].copy_from_slice(&pattern[..PATTERN_BYTES]) };
    STARTS[usize::from(u16::from_be_bytes([pattern[0], pattern[1]]))]
        .store(true, Ordering::Release);
    COUNT.store(index + 1, Ordering::Release);
}

/// Registers a secret as it may lie in memory: as is, byte-reversed (little-endian limbs),
/// and as lower- and upper-case hex (the KMS's XML).
fn register_secret(secret: &[u8]) {
    register(&secret[..PATTERN_BYTES]);
    let mut reversed = [0u8; PATTERN_BYTES];
    for (r, s) in reversed.iter_mut().zip(secret.iter().rev()) {
        *r = *s;
    }
    register(&reversed);
    for digits in [b"0123456789abcdef", b"0123456789ABCDEF"] {
        let mut hex = [0u8; PATTERN_BYTES];
        for (i, h) in hex.iter_mut().enumerate() {
            let byte = secret[i / 2];
            *h = digits[usize::from(if i % 2 == 0 { byte >> 4 } else { byte & 15 })];
        }
        register(&hex);
    }
}

struct Scanning;

// SAFETY: forwards to the system allocator; the scan only reads the block being freed.
unsafe impl GlobalAlloc for Scanning {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded.
        unsafe { System.alloc_zeroed(layout) }
    }

    // `realloc` is left to the default (alloc, copy, dealloc), so that the old block of a
    // growing buffer is scanned too.

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the block is live and `layout.size()` octets long until freed below.
        let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
        let count = COUNT.load(Ordering::Acquire);
        if block.len() >= PATTERN_BYTES {
            // SAFETY: slots below `count` are published and never written again.
            let patterns = unsafe { &(&*PATTERNS.0.get())[..count] };
            for window in block.windows(PATTERN_BYTES) {
                let start = usize::from(u16::from_be_bytes([window[0], window[1]]));
                if !STARTS[start].load(Ordering::Acquire) {
                    continue;
                }
                if let Some(index) = patterns.iter().position(|p| p == window) {
                    HITS.fetch_add(1, Ordering::Relaxed);
                    LAST_PATTERN.store(index, Ordering::Relaxed);
                    LAST_SIZE.store(block.len(), Ordering::Relaxed);
                }
            }
        }
        // SAFETY: forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Scanning = Scanning;

fn check(step: &str) {
    let hits = HITS.swap(0, Ordering::Relaxed);
    assert_eq!(
        hits,
        0,
        "{step}: {hits} freed block(s) held a secret (last: pattern {} of 4 per secret, in a \
         block of {} octets)",
        LAST_PATTERN.load(Ordering::Relaxed),
        LAST_SIZE.load(Ordering::Relaxed),
    );
}

const ALICE: &str = "sip:alice@example.org";
const KMS_URI: &str = "kms.example.org";
const PERIOD: u64 = 86_400;
const T0: u64 = 1_800_000_000;
const TOKEN: &[u8] = b"secret-token-0123456789";
const STORAGE_KEY: [u8; 32] = [0x5c; 32];
const CSK: [u8; 16] = *b"client-server k1";
const CSK_NEW: [u8; 16] = *b"client-server k2";
const PCK: [u8; 16] = *b"private call key";
const GMK: [u8; 16] = [
    0x3b, 0x91, 0x0e, 0x77, 0xc4, 0x12, 0xaa, 0x5d, 0x60, 0x08, 0xf1, 0x2e, 0x99, 0x4b, 0xd3, 0x07,
];

fn s(text: &str) -> mkc_str {
    mkc_str {
        ptr: text.as_ptr(),
        len: text.len(),
    }
}

struct Kmss {
    kms: Kms,
    domain: KmsDomain,
}

impl Kmss {
    /// Answers the client's request at `now`; a key set's secrets are registered first.
    fn answer(&self, url: &str, now: u64) -> zeroize::Zeroizing<String> {
        let payload = if url.ends_with("/init") {
            KmsPayload::Init(self.kms.certificate(&self.domain))
        } else {
            // The answer holds the key sets of the period of `now` and of the next one, the
            // two the client may ask for: the other one is refused, as a real answer's
            // stray set would be.
            let period = self.domain.key_period_for(now as i64).unwrap();
            let set = self.kms.issue_key_set(&self.domain, ALICE, period).unwrap();
            let next = self
                .kms
                .issue_key_set(&self.domain, ALICE, period + 1)
                .unwrap();
            for set in [&set, &next] {
                register_secret(&set.ssk);
                register_secret(&set.rsk[1..]);
            }
            KmsPayload::KeyProv(vec![set, next])
        };
        xml::emit_response(&KmsResponse {
            user_uri: ALICE.into(),
            kms_uri: KMS_URI.into(),
            time: None,
            kms_id: None,
            client_req_url: url.into(),
            payload,
        })
    }
}

/// Polls until the client waits, answering every request; returns the events seen.
fn run(client: *mut mkc_client, kms: &Kmss, now: u64) -> Vec<u32> {
    let mut events = Vec::new();
    for _ in 0..50 {
        let mut out = std::mem::MaybeUninit::<mkc_output>::uninit();
        let out = unsafe {
            assert_eq!(
                mkc_client_poll_output(client, now, out.as_mut_ptr()),
                mkc_result::Ok
            );
            out.assume_init()
        };
        if out.kind == mkc_output_kind::Event as u32 {
            events.push(out.event.kind);
            continue;
        }
        if out.kind != mkc_output_kind::Request as u32 {
            return events;
        }
        let url = unsafe { CStr::from_ptr(out.request.url) }
            .to_str()
            .unwrap()
            .to_owned();
        let body = kms.answer(&url, now);
        let rc = unsafe {
            mkc_client_handle_response(client, now, out.request.id, 200, body.as_ptr(), body.len())
        };
        assert_eq!(rc, mkc_result::Ok);
    }
    panic!("the client did not settle");
}

fn new_client() -> *mut mkc_client {
    let mut config = std::mem::MaybeUninit::<mkc_client_config>::uninit();
    let mut client = null_mut();
    unsafe {
        assert_eq!(mkc_client_config_init(config.as_mut_ptr()), mkc_result::Ok);
        let mut config = config.assume_init();
        config.kms_url = s("https://kms.example.org");
        config.user_uri = s(ALICE);
        assert_eq!(mkc_client_new(&config, &mut client), mkc_result::Ok);
        assert_eq!(
            mkc_client_set_access_token(client, TOKEN.as_ptr(), TOKEN.len()),
            mkc_result::Ok
        );
    }
    client
}

#[test]
fn freed_memory_holds_no_secret() {
    register(&TOKEN[..PATTERN_BYTES]);
    register(&STORAGE_KEY[..PATTERN_BYTES]);
    register_secret(&GMK);
    register_secret(&CSK);
    register_secret(&CSK_NEW);
    register_secret(&PCK);
    // The certificate expires after three periods: its expiry is the last step.
    let mut domain = KmsDomain::new(KMS_URI, PERIOD, 0);
    domain.valid_to = Some((T0 + 3 * PERIOD) as i64);
    let kms = Kmss {
        kms: Kms::generate().unwrap(),
        domain,
    };
    check("set-up");

    // Provisioning.
    let client = new_client();
    let events = run(client, &kms, T0);
    assert!(events.contains(&(mkc_event_kind::KeyMaterialReady as u32)));
    check("provisioning");

    // MIKEY to ourselves: create, process.
    let mut msg = vec![0u8; 4096];
    let mut written = 0;
    unsafe {
        let rc = mkc_client_mikey_create_imessage(
            client,
            ALICE.as_ptr(),
            ALICE.len(),
            ALICE.as_ptr(),
            ALICE.len(),
            T0,
            0,
            GMK.as_ptr(),
            16,
            0x0123_4567,
            0,
            msg.as_mut_ptr(),
            msg.len(),
            &mut written,
        );
        assert_eq!(rc, mkc_result::Ok);
        let mut key = std::mem::MaybeUninit::<mkc_mikey_key>::uninit();
        let rc = mkc_client_mikey_process_imessage(
            client,
            ALICE.as_ptr(),
            ALICE.len(),
            T0,
            60,
            null(),
            0,
            msg.as_ptr(),
            written,
            key.as_mut_ptr(),
        );
        assert_eq!(rc, mkc_result::Ok);
        let mut key = key.assume_init();
        assert_eq!(key.key, GMK);
        zeroize::Zeroize::zeroize(&mut key.key);
    }
    drop(msg);
    check("MIKEY");

    // The key ring: a GMK, a CSK and a PCK received and stored, SRTP keys for the GMK's MKI,
    // the PCK erased (its call ends), the CSK replaced.
    unsafe {
        let mut held_gmk_mki = Vec::new();
        for (kind, key, key_id) in [
            (0u32, GMK, 0x0123_4567u32),
            (2, CSK, 0x2000_0042),
            (1, PCK, 0x1000_0042),
            (2, CSK_NEW, 0x2000_0042),
        ] {
            let mut msg = vec![0u8; 4096];
            let mut written = 0;
            let rc = mkc_client_mikey_create_imessage(
                client,
                ALICE.as_ptr(),
                ALICE.len(),
                ALICE.as_ptr(),
                ALICE.len(),
                T0,
                kind,
                key.as_ptr(),
                16,
                key_id,
                0,
                msg.as_mut_ptr(),
                msg.len(),
                &mut written,
            );
            assert_eq!(rc, mkc_result::Ok);
            let mut got = std::mem::MaybeUninit::<mkc_mikey_key>::uninit();
            let rc = mkc_client_mikey_receive_imessage(
                client,
                ALICE.as_ptr(),
                ALICE.len(),
                T0,
                60,
                null(),
                0,
                msg.as_ptr(),
                written,
                got.as_mut_ptr(),
            );
            assert_eq!(rc, mkc_result::Ok);
            let mut got = got.assume_init();
            if kind == 0 {
                held_gmk_mki = [got.key_id.to_be_bytes(), got.guk_id.to_be_bytes()].concat();
            }
            zeroize::Zeroize::zeroize(&mut got.key);
        }
        let mut master = std::mem::MaybeUninit::<mkc_srtp_master>::uninit();
        let rc = mkc_client_srtp_for_mki(
            client,
            T0,
            MKC_SRTP_CS_ID_MCPTT_GROUP,
            held_gmk_mki.as_ptr(),
            held_gmk_mki.len(),
            master.as_mut_ptr(),
        );
        assert_eq!(rc, mkc_result::Ok);
        let mut master = master.assume_init();
        register(&master.master_key);
        zeroize::Zeroize::zeroize(&mut master.master_key);
        zeroize::Zeroize::zeroize(&mut master.master_salt);
        assert_eq!(mkc_client_key_erase(client, 0x1000_0042), mkc_result::Ok);
    }
    check("key ring");

    // Export and import into a second client.
    let mut blob = vec![0u8; 64 * 1024];
    unsafe {
        let rc = mkc_client_export(
            client,
            STORAGE_KEY.as_ptr(),
            32,
            blob.as_mut_ptr(),
            blob.len(),
            &mut written,
        );
        assert_eq!(rc, mkc_result::Ok);
        let other = new_client();
        let mut installed = 0;
        let rc = mkc_client_import(
            other,
            T0,
            STORAGE_KEY.as_ptr(),
            32,
            blob.as_ptr(),
            written,
            &mut installed,
        );
        assert_eq!(rc, mkc_result::Ok);
        assert!(installed > 0);
        let _ = run(other, &kms, T0);
        mkc_client_free(other);
    }
    drop(blob);
    check("export and import");

    // Rollover: the next period's material, then the first period's expiry.
    let events = run(client, &kms, T0 + PERIOD);
    assert!(events.contains(&(mkc_event_kind::KeyMaterialReady as u32)) || !events.is_empty());
    let later = T0 + 2 * PERIOD + 2 * 3600;
    let events = run(client, &kms, later);
    assert!(
        events.contains(&(mkc_event_kind::MaterialExpired as u32)),
        "no expiry in {events:?}"
    );
    check("rollover and expiry");

    // The certificate's expiry takes all material with it.
    let events = run(client, &kms, T0 + 3 * PERIOD + 1);
    assert!(events.contains(&(mkc_event_kind::MaterialExpired as u32)));
    check("certificate expiry");

    unsafe { mkc_client_free(client) };
    check("free");
    assert!(
        COUNT.load(Ordering::Relaxed) > 12,
        "secrets were registered"
    );
}
