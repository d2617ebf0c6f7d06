//! TS 33.180 Annex F.2.1 UID and key period time, through the Rust API (`mcptt_kmc::uid`,
//! `mcptt_kmc::time`) and the C API (`mkc_uid_derive`, `mkc_time_unix_to_ntp`,
//! `mkc_key_period_number`): every case of tests/vectors/ts33180-uid.json (the string S and the
//! UID), the C contract (small buffer, NULL, overlap, over-long URI), and period numbers at and
//! around boundaries, with zero periods, times before the offset and overflow.

use mcptt_kmc::Error;
use mcptt_kmc::domain::{KeyPeriods, PeriodNumbering};
use mcptt_kmc::ffi::result::mkc_result;
use mcptt_kmc::ffi::uid::*;
use mcptt_kmc::time::{NTP_UNIX_OFFSET, ntp_to_unix, ntp64_hex, unix_to_ntp};
use mcptt_kmc::uid::{UID_BYTES, derive_uid, uid_input};
use proptest::prelude::*;
use std::ptr::{null, null_mut};
use std::sync::LazyLock;

// The period arithmetic lives in one place, mcptt_kmc::domain::KeyPeriods (TS 33.180 F.2.1
// numbering here); these read it as the vectors are written.
fn ntp_periods(period: u64, offset: u64) -> Option<KeyPeriods> {
    KeyPeriods::new(period, offset, PeriodNumbering::Ntp).ok()
}
fn period_number(t_ntp: u64, period: u64, offset: u64) -> Option<u64> {
    ntp_periods(period, offset)?.number_at_ntp(t_ntp)
}
fn period_start(n: u64, period: u64, offset: u64) -> Option<u64> {
    ntp_periods(period, offset)?.start_ntp(n)
}
fn period_end(n: u64, period: u64, offset: u64) -> Option<u64> {
    ntp_periods(period, offset)?.end_ntp(n)
}

// ---------------------------------------------------------------------------------------------
// Vectors
// ---------------------------------------------------------------------------------------------

struct Case {
    user_uri: Vec<u8>,
    kms_uri: Vec<u8>,
    period: u64,
    offset: u64,
    period_no: u64,
    s: Vec<u8>,
    uid: [u8; UID_BYTES],
}

static CASES: LazyLock<Vec<Case>> = LazyLock::new(|| {
    let v: serde_json::Value =
        serde_json::from_str(include_str!("vectors/ts33180-uid.json")).unwrap();
    v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let text = |name: &str| c[name].as_str().unwrap_or_else(|| panic!("field {name}"));
            let int = |name: &str| c[name].as_u64().unwrap_or_else(|| panic!("field {name}"));
            Case {
                user_uri: text("user_uri").as_bytes().to_vec(),
                kms_uri: text("kms_uri").as_bytes().to_vec(),
                period: int("user_key_period"),
                offset: int("user_key_offset"),
                period_no: int("key_period_no"),
                s: hex::decode(text("s")).unwrap(),
                uid: hex::decode(text("uid")).unwrap().try_into().unwrap(),
            }
        })
        .collect()
});

/// Calls `mkc_uid_derive` on slices; `out` is pre-filled by the caller.
fn c_derive(user: &[u8], kms: &[u8], p: u64, o: u64, n: u64, out: &mut [u8]) -> mkc_result {
    unsafe {
        mkc_uid_derive(
            user.as_ptr(),
            user.len(),
            kms.as_ptr(),
            kms.len(),
            p,
            o,
            n,
            out.as_mut_ptr(),
            out.len(),
        )
    }
}

// ---------------------------------------------------------------------------------------------
// UID
// ---------------------------------------------------------------------------------------------

#[test]
fn vector_file_is_complete() {
    assert!(CASES.len() >= 7, "only {} cases", CASES.len());
}

#[test]
fn every_vector_s_string() {
    for (i, c) in CASES.iter().enumerate() {
        let s = uid_input(&c.user_uri, &c.kms_uri, c.period, c.offset, c.period_no).unwrap();
        assert_eq!(hex::encode(&s), hex::encode(&c.s), "case {i}");
    }
}

#[test]
fn every_vector_uid_rust() {
    for (i, c) in CASES.iter().enumerate() {
        let uid = derive_uid(&c.user_uri, &c.kms_uri, c.period, c.offset, c.period_no).unwrap();
        assert_eq!(hex::encode(uid), hex::encode(c.uid), "case {i}");
    }
}

#[test]
fn every_vector_uid_c() {
    for (i, c) in CASES.iter().enumerate() {
        // Exact capacity, and a larger one (only the first 32 octets are written).
        let mut out = [0xA5u8; MKC_UID_BYTES];
        let rc = c_derive(
            &c.user_uri,
            &c.kms_uri,
            c.period,
            c.offset,
            c.period_no,
            &mut out,
        );
        assert_eq!(rc, mkc_result::Ok, "case {i}");
        assert_eq!(out, c.uid, "case {i}");
        let mut big = [0xA5u8; MKC_UID_BYTES + 8];
        let rc = c_derive(
            &c.user_uri,
            &c.kms_uri,
            c.period,
            c.offset,
            c.period_no,
            &mut big,
        );
        assert_eq!(rc, mkc_result::Ok, "case {i}");
        assert_eq!(big[..MKC_UID_BYTES], c.uid, "case {i}");
        assert_eq!(big[MKC_UID_BYTES..], [0xA5; 8], "case {i}");
    }
}

#[test]
fn s_layout_by_hand() {
    // Zero is one 0x00 octet; u64::MAX takes 8 octets; empty URIs have length 0.
    let s = uid_input(b"", b"k", 0, u64::MAX, 256).unwrap();
    let mut expected = vec![0x00];
    expected.extend_from_slice(b"MIKEY-SAKKE-UID");
    expected.extend_from_slice(&[0x00, 0x0F]);
    expected.extend_from_slice(&[0x00, 0x00]); // P1 empty, L1 = 0
    expected.extend_from_slice(&[b'k', 0x00, 0x01]);
    expected.extend_from_slice(&[0x00, 0x00, 0x01]);
    expected.extend_from_slice(&[0xFF; 8]);
    expected.extend_from_slice(&[0x00, 0x08]);
    expected.extend_from_slice(&[0x01, 0x00, 0x00, 0x02]);
    assert_eq!(s, expected);
}

#[test]
fn uri_length_limit() {
    let max = vec![b'a'; 65535];
    let over = vec![b'a'; 65536];
    let s = uid_input(&max, b"kms", 1, 0, 0).unwrap();
    assert_eq!(s[18 + 65535..18 + 65537], [0xFF, 0xFF]);
    assert!(derive_uid(&max, &max, 1, 0, 0).is_ok());
    assert_eq!(uid_input(&over, b"kms", 1, 0, 0), Err(Error::InvalidLength));
    assert_eq!(
        derive_uid(&over, b"kms", 1, 0, 0),
        Err(Error::InvalidLength)
    );
    assert_eq!(
        derive_uid(b"sip:a", &over, 1, 0, 0),
        Err(Error::InvalidLength)
    );

    let mut out = [0xA5u8; MKC_UID_BYTES];
    assert_eq!(
        c_derive(&over, b"kms", 1, 0, 0, &mut out),
        mkc_result::InvalidLength
    );
    assert_eq!(
        c_derive(b"sip:a", &over, 1, 0, 0, &mut out),
        mkc_result::InvalidLength
    );
    // A failure after the output's checks zeroes it (the header's output rule).
    assert_eq!(out, [0; MKC_UID_BYTES], "zeroed on failure");
    assert_eq!(c_derive(&max, b"kms", 1, 0, 0, &mut out), mkc_result::Ok);
    assert_eq!(out, derive_uid(&max, b"kms", 1, 0, 0).unwrap());
}

#[test]
fn c_small_buffer_writes_nothing() {
    let c = &CASES[0];
    for cap in [0, 1, MKC_UID_BYTES - 1] {
        let mut out = vec![0xA5u8; cap];
        let rc = c_derive(
            &c.user_uri,
            &c.kms_uri,
            c.period,
            c.offset,
            c.period_no,
            &mut out,
        );
        assert_eq!(rc, mkc_result::BufferTooSmall, "cap {cap}");
        assert!(out.iter().all(|&b| b == 0xA5), "cap {cap}");
    }
    // (NULL, 0) is an empty output buffer, hence too small.
    let rc = unsafe { mkc_uid_derive(null(), 0, null(), 0, 1, 0, 0, null_mut(), 0) };
    assert_eq!(rc, mkc_result::BufferTooSmall);
}

#[test]
fn c_null_parameters() {
    let mut out = [0xA5u8; MKC_UID_BYTES];
    let uri = b"sip:user@example.org";
    let rc = unsafe { mkc_uid_derive(null(), 3, uri.as_ptr(), 3, 1, 0, 0, out.as_mut_ptr(), 32) };
    assert_eq!(rc, mkc_result::NullParameter);
    let rc = unsafe { mkc_uid_derive(uri.as_ptr(), 3, null(), 3, 1, 0, 0, out.as_mut_ptr(), 32) };
    assert_eq!(rc, mkc_result::NullParameter);
    let rc = unsafe { mkc_uid_derive(uri.as_ptr(), 3, uri.as_ptr(), 3, 1, 0, 0, null_mut(), 32) };
    assert_eq!(rc, mkc_result::NullParameter);
    // NULL inputs come after the output's checks: they zero it (the header's output rule).
    assert_eq!(out, [0; MKC_UID_BYTES]);
    // (NULL, 0) URIs are the empty string.
    let rc = unsafe { mkc_uid_derive(null(), 0, null(), 0, 1, 0, 0, out.as_mut_ptr(), 32) };
    assert_eq!(rc, mkc_result::Ok);
    assert_eq!(out, derive_uid(b"", b"", 1, 0, 0).unwrap());
}

#[test]
fn c_output_overlapping_an_input_is_refused() {
    let mut buf = [0u8; 64];
    buf[..20].copy_from_slice(b"sip:user@example.org");
    let base = buf.as_mut_ptr();
    let kms = b"kms.example.org";
    unsafe {
        // uid_out over the user URI, at its start and partly overlapping its end.
        for start in [0usize, 10, 19] {
            let before = buf;
            let rc = mkc_uid_derive(
                base,
                20,
                kms.as_ptr(),
                kms.len(),
                1,
                0,
                0,
                base.add(start),
                32,
            );
            assert_eq!(rc, mkc_result::InvalidParameter, "start {start}");
            assert_eq!(buf, before);
        }
        // uid_out over the KMS URI.
        let rc = mkc_uid_derive(kms.as_ptr(), kms.len(), base, 20, 1, 0, 0, base.add(4), 32);
        assert_eq!(rc, mkc_result::InvalidParameter);
        // Adjacent, not overlapping: fine.
        let rc = mkc_uid_derive(base, 20, kms.as_ptr(), kms.len(), 1, 0, 0, base.add(20), 32);
        assert_eq!(rc, mkc_result::Ok);
        assert_eq!(
            buf[20..52],
            derive_uid(b"sip:user@example.org", kms, 1, 0, 0).unwrap()
        );
    }
}

#[test]
fn uid_size_pair() {
    assert_eq!(MKC_UID_BYTES, 32);
    assert_eq!(mkc_uid_bytes(), MKC_UID_BYTES);
    assert_eq!(UID_BYTES, MKC_UID_BYTES);
}

#[test]
fn every_input_changes_the_uid() {
    let base = derive_uid(b"sip:a@b", b"kms", 2_592_000, 0, 1).unwrap();
    for other in [
        derive_uid(b"sip:a@c", b"kms", 2_592_000, 0, 1),
        derive_uid(b"sip:a@b", b"kmt", 2_592_000, 0, 1),
        derive_uid(b"sip:a@b", b"kms", 2_592_001, 0, 1),
        derive_uid(b"sip:a@b", b"kms", 2_592_000, 1, 1),
        derive_uid(b"sip:a@b", b"kms", 2_592_000, 0, 2),
        // Moving an octet between the URIs changes S through the lengths.
        derive_uid(b"sip:a@", b"bkms", 2_592_000, 0, 1),
    ] {
        assert_ne!(other.unwrap(), base);
    }
}

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

/// 2014-02-23 08:39:14 UTC: NTP 0xD6B43232, the TS 33.180 keyprov URL example.
const EXAMPLE_UNIX: u64 = 1_393_144_754;
const EXAMPLE_NTP: u64 = 0xD6B4_3232;

#[test]
fn ntp_example() {
    assert_eq!(NTP_UNIX_OFFSET, 2_208_988_800);
    assert_eq!(unix_to_ntp(EXAMPLE_UNIX), Some(EXAMPLE_NTP));
    assert_eq!(ntp_to_unix(EXAMPLE_NTP), Some(EXAMPLE_UNIX));
    assert_eq!(ntp64_hex(EXAMPLE_NTP), "D6B4323200000000");
    let mut ntp = 0u64;
    assert_eq!(
        unsafe { mkc_time_unix_to_ntp(EXAMPLE_UNIX, &mut ntp) },
        mkc_result::Ok
    );
    assert_eq!(ntp, EXAMPLE_NTP);
}

#[test]
fn ntp_unix_edges() {
    assert_eq!(unix_to_ntp(0), Some(NTP_UNIX_OFFSET));
    assert_eq!(
        unix_to_ntp(u64::MAX - NTP_UNIX_OFFSET),
        Some(u64::MAX),
        "largest convertible"
    );
    assert_eq!(unix_to_ntp(u64::MAX - NTP_UNIX_OFFSET + 1), None);
    assert_eq!(unix_to_ntp(u64::MAX), None);
    assert_eq!(ntp_to_unix(NTP_UNIX_OFFSET), Some(0));
    assert_eq!(
        ntp_to_unix(NTP_UNIX_OFFSET - 1),
        None,
        "1969-12-31 23:59:59"
    );
    assert_eq!(ntp_to_unix(0), None, "1900");
    assert_eq!(ntp_to_unix(u64::MAX), Some(u64::MAX - NTP_UNIX_OFFSET));

    let mut ntp = 7u64;
    assert_eq!(
        unsafe { mkc_time_unix_to_ntp(u64::MAX - NTP_UNIX_OFFSET + 1, &mut ntp) },
        mkc_result::InvalidParameter
    );
    assert_eq!(ntp, 0, "zeroed on failure");
    assert_eq!(
        unsafe { mkc_time_unix_to_ntp(0, null_mut()) },
        mkc_result::NullParameter
    );
}

#[test]
fn ntp64_hex_format() {
    assert_eq!(ntp64_hex(0), "0000000000000000");
    assert_eq!(ntp64_hex(0xABC), "00000ABC00000000");
    assert_eq!(ntp64_hex(0xFFFF_FFFF), "FFFFFFFF00000000");
    // 2036-02-07 06:28:16 UTC starts NTP era 1: the seconds wrap (RFC 5905 section 6).
    assert_eq!(ntp64_hex(0x1_0000_0000), "0000000000000000");
    assert_eq!(ntp64_hex(0x1_0000_0ABC), "00000ABC00000000");
    assert_eq!(ntp64_hex(u64::MAX), "FFFFFFFF00000000");
}

#[test]
fn period_boundaries() {
    for (period, offset) in [
        (2_592_000u64, 0u64),
        (10, 0),
        (25_920_000, 100),
        (16_777_215, 0),
    ] {
        for n in [0u64, 1, 236, 1477, 20_393_844] {
            let start = period_start(n, period, offset).unwrap();
            let end = period_end(n, period, offset).unwrap();
            assert_eq!(start, offset + n * period);
            assert_eq!(end, start + period);
            assert_eq!(period_start(n + 1, period, offset), Some(end));
            assert_eq!(period_number(start, period, offset), Some(n), "at start");
            assert_eq!(
                period_number(start + 1, period, offset),
                Some(n),
                "start + 1"
            );
            assert_eq!(period_number(end - 1, period, offset), Some(n), "end - 1");
            assert_eq!(period_number(end, period, offset), Some(n + 1), "at end");
            if n > 0 {
                assert_eq!(period_number(start - 1, period, offset), Some(n - 1));
            }
        }
    }
    // Offset larger than the period (vector #5's shape) is valid.
    assert_eq!(period_number(45_920_000, 25_920_000, 45_920_000), Some(0));
    assert_eq!(period_number(45_919_999, 25_920_000, 45_920_000), None);
}

#[test]
fn period_number_refusals() {
    assert_eq!(period_number(100, 0, 0), None, "zero period");
    assert_eq!(period_number(99, 10, 100), None, "t < offset");
    assert_eq!(period_number(100, 10, 100), Some(0), "t = offset");
    assert_eq!(period_number(u64::MAX, 1, 0), Some(u64::MAX));
    assert_eq!(period_number(u64::MAX, u64::MAX, 0), Some(1));
    assert_eq!(period_start(1, 0, 0), None, "zero period");
    assert_eq!(period_end(1, 0, 0), None, "zero period");
    assert_eq!(period_start(u64::MAX, 2, 0), None, "n * period overflows");
    assert_eq!(period_start(1, u64::MAX, 1), None, "+ offset overflows");
    assert_eq!(period_start(u64::MAX, 1, 0), Some(u64::MAX));
    assert_eq!(period_end(u64::MAX, 1, 0), None, "n + 1 overflows");
    assert_eq!(period_end(u64::MAX - 1, 1, 0), Some(u64::MAX));
    assert_eq!(period_end(0, u64::MAX, 1), None, "end overflows");
}

/// The Streamwide v5 check of the notes (4.2): NTP 0xEC898DA8 is in period 236 of 16777215 s.
#[test]
fn real_kms_period() {
    assert_eq!(period_number(0xEC89_8DA8, 16_777_215, 0), Some(236));
    let unix = ntp_to_unix(0xEC89_8DA8).unwrap();
    let mut n = 0u64;
    assert_eq!(
        unsafe { mkc_key_period_number(unix, 16_777_215, 0, &mut n) },
        mkc_result::Ok
    );
    assert_eq!(n, 236);
}

#[test]
fn c_key_period_number_boundaries() {
    // 30-day periods, offset 0 on the NTP base: period 1477 holds 2021 (the notes' Unix-epoch
    // trap: a KMS counting from 1970 says 625).
    let period = 2_592_000u64;
    let start_ntp = period_start(1477, period, 0).unwrap();
    let start_unix = ntp_to_unix(start_ntp).unwrap();
    for (unix, expected) in [
        (start_unix - 1, 1476),
        (start_unix, 1477),
        (start_unix + 1, 1477),
        (start_unix + period - 1, 1477),
        (start_unix + period, 1478),
    ] {
        let mut n = u64::MAX;
        let rc = unsafe { mkc_key_period_number(unix, period, 0, &mut n) };
        assert_eq!(rc, mkc_result::Ok, "unix {unix}");
        assert_eq!(n, expected, "unix {unix}");
    }
    // With an offset: the first period starts exactly at the offset (NTP seconds).
    let offset = NTP_UNIX_OFFSET + 1000;
    let mut n = 7u64;
    assert_eq!(
        unsafe { mkc_key_period_number(999, 10, offset, &mut n) },
        mkc_result::InvalidParameter,
        "before the offset"
    );
    assert_eq!(n, 0, "zeroed on failure");
    assert_eq!(
        unsafe { mkc_key_period_number(1000, 10, offset, &mut n) },
        mkc_result::Ok
    );
    assert_eq!(n, 0);
    assert_eq!(
        unsafe { mkc_key_period_number(1019, 10, offset, &mut n) },
        mkc_result::Ok
    );
    assert_eq!(n, 1);
}

#[test]
fn c_key_period_number_refusals() {
    let mut n = 7u64;
    for (unix, period, offset, why) in [
        (EXAMPLE_UNIX, 0, 0, "zero period"),
        (0, 0, 0, "zero period at the epoch"),
        (0, 10, NTP_UNIX_OFFSET + 1, "time before the offset"),
        (0, 10, u64::MAX, "offset beyond any time"),
        (u64::MAX, 10, 0, "NTP time overflows"),
        (
            u64::MAX - NTP_UNIX_OFFSET + 1,
            10,
            0,
            "NTP time overflows by one",
        ),
    ] {
        let rc = unsafe { mkc_key_period_number(unix, period, offset, &mut n) };
        assert_eq!(rc, mkc_result::InvalidParameter, "{why}");
        assert_eq!(n, 0, "{why}: zeroed");
        n = 7;
    }
    assert_eq!(
        unsafe { mkc_key_period_number(u64::MAX - NTP_UNIX_OFFSET, 1, 0, &mut n) },
        mkc_result::Ok,
        "largest convertible time"
    );
    assert_eq!(n, u64::MAX);
    assert_eq!(
        unsafe { mkc_key_period_number(EXAMPLE_UNIX, 10, 0, null_mut()) },
        mkc_result::NullParameter
    );
}

proptest! {
    /// The period of t contains t, for any period, offset and t >= offset whose period 0
    /// ends within 64-bit NTP seconds (KeyPeriods refuses the others).
    #[test]
    fn period_contains_its_time(t in any::<u64>(), period in 1u64.., offset in any::<u64>()) {
        match period_number(t, period, offset) {
            None => prop_assert!(
                t < offset || u128::from(offset) + u128::from(period) > u128::from(u64::MAX)
            ),
            Some(n) => {
                let start = period_start(n, period, offset).unwrap();
                prop_assert!(start <= t);
                if let Some(end) = period_end(n, period, offset) {
                    prop_assert!(t < end);
                    prop_assert_eq!(end - start, period);
                } else {
                    // The end does not fit 64 bits: t is in the last representable period.
                    prop_assert!(u128::from(start) + u128::from(period) > u128::from(u64::MAX));
                }
            }
        }
    }

    /// Unix -> NTP -> Unix is the identity wherever it is defined.
    #[test]
    fn ntp_round_trip(unix in any::<u64>()) {
        match unix_to_ntp(unix) {
            Some(ntp) => prop_assert_eq!(ntp_to_unix(ntp), Some(unix)),
            None => prop_assert!(unix > u64::MAX - NTP_UNIX_OFFSET),
        }
    }
}
