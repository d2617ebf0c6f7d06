//! The MIKEY key derivation (RFC 3830 4.1.2/4.1.3, PRF-HMAC-SHA-256 of RFC 6043 6.1) against
//! an independent implementation: tests/vectors/mikey-kdf.json, written by
//! tests/vectors/mikey_kdf.py with nothing but Python's hmac and hashlib (TGKs of 16, 32, 33,
//! 64 and 100 octets; outputs of 1 to 100 octets; RANDs of 1 to 255 octets; all four RFC 3830
//! constants), and Streamwide's published SRTP key/salt vectors. Both the core function and
//! the C export are checked, and every refusal of the C export.

use std::ptr::{null, null_mut};

use mcptt_kmc::ffi::mikey::*;
use mcptt_kmc::ffi::result::mkc_result;
use mcptt_kmc::mikey::prf;

struct Case {
    tgk: Vec<u8>,
    constant: u32,
    cs_id: u8,
    csb_id: u32,
    rand: Vec<u8>,
    out: Vec<u8>,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/mikey-kdf.json"
    ))
    .unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            tgk: hex::decode(c["tgk"].as_str().unwrap()).unwrap(),
            constant: u32::try_from(c["constant"].as_u64().unwrap()).unwrap(),
            cs_id: u8::try_from(c["cs_id"].as_u64().unwrap()).unwrap(),
            csb_id: u32::try_from(c["csb_id"].as_u64().unwrap()).unwrap(),
            rand: hex::decode(c["rand"].as_str().unwrap()).unwrap(),
            out: hex::decode(c["out"].as_str().unwrap()).unwrap(),
        })
        .collect()
}

fn c_derive(
    tgk: &[u8],
    csb_id: u32,
    cs_id: u8,
    rand: &[u8],
    constant: u32,
    out: &mut [u8],
) -> mkc_result {
    unsafe {
        mkc_mikey_derive_key(
            tgk.as_ptr(),
            tgk.len(),
            csb_id,
            cs_id,
            rand.as_ptr(),
            rand.len(),
            constant,
            out.as_mut_ptr(),
            out.len(),
        )
    }
}

#[test]
fn matches_python_on_every_case() {
    let cases = cases();
    assert_eq!(cases.len(), 120);
    let mut shapes = std::collections::BTreeSet::new();
    for (i, c) in cases.iter().enumerate() {
        shapes.insert((c.tgk.len(), c.out.len()));
        let mut core = vec![0u8; c.out.len()];
        prf::derive_key(&c.tgk, c.constant, c.cs_id, c.csb_id, &c.rand, &mut core).unwrap();
        assert_eq!(core, c.out, "core, case {i}");
        let mut ffi = vec![0u8; c.out.len()];
        assert_eq!(
            c_derive(&c.tgk, c.csb_id, c.cs_id, &c.rand, c.constant, &mut ffi),
            mkc_result::Ok
        );
        assert_eq!(ffi, c.out, "C export, case {i}");
    }
    // TGKs over 32 octets (several pieces XORed) and outputs over 32 (several blocks).
    assert!(shapes.contains(&(100, 100)) && shapes.contains(&(33, 33)));
}

/// The committed vectors are what the script writes (when python3 is there to run it).
#[test]
fn vectors_are_what_the_script_writes() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let Ok(run) = std::process::Command::new("python3")
        .arg(format!("{dir}/tests/vectors/mikey_kdf.py"))
        .output()
    else {
        eprintln!("python3 not found: the committed vectors are checked by the other tests");
        return;
    };
    assert!(run.status.success());
    let committed = std::fs::read(format!("{dir}/tests/vectors/mikey-kdf.json")).unwrap();
    assert_eq!(run.stdout, committed);
}

/// Streamwide's key derivation unit test (sw_mikey_sakke unit_tests/test_key_deriv.cc): a
/// 16-octet SSV as TGK, 16-octet RAND, master key (16) || master salt (12).
#[test]
fn streamwide_srtp_vectors() {
    let tgk = hex::decode("A27B7D578EEB9B1EE7705E385996D300").unwrap();
    let rand = hex::decode("4339F62F55AAC86348846A482C893802").unwrap();
    for (constant, cs_id, csb_id, expected) in [
        (
            MKC_MIKEY_KDF_TEK,
            4u8,
            0x0633_F457u32,
            "59AAA49EBB54813602B7CC165961B4E8745EB4DF7D155C473114A799",
        ),
        (
            MKC_MIKEY_KDF_ENCRYPTION,
            4,
            0x05A8_5C16,
            "3924935940c154ccbc3c2ad05c8f51811725869b80f370cc9f24e13b",
        ),
        (
            MKC_MIKEY_KDF_ENCRYPTION,
            0,
            0x05A8_5C16,
            "f17c80a8d2f9befa47cf712603d7229ac3b7b561a291a1d3abef482b",
        ),
    ] {
        let mut out = [0u8; 28];
        assert_eq!(
            c_derive(&tgk, csb_id, cs_id, &rand, constant, &mut out[..16]),
            mkc_result::Ok
        );
        assert_eq!(
            c_derive(
                &tgk,
                csb_id,
                cs_id,
                &rand,
                MKC_MIKEY_KDF_SALT,
                &mut out[16..]
            ),
            mkc_result::Ok
        );
        assert_eq!(hex::encode(out), expected.to_lowercase());
    }
}

#[test]
fn refusals_leave_the_output_untouched() {
    let tgk = [7u8; 16];
    let rand = [9u8; 16];
    let mut out = [0x5au8; 16];
    let long_tgk = vec![1u8; MKC_MIKEY_KDF_MAX_TGK_LEN + 1];
    let long_rand = vec![1u8; MKC_MIKEY_KDF_MAX_RAND_LEN + 1];
    for (t, r, code) in [
        (&tgk[..0], &rand[..], mkc_result::InvalidLength),
        (&long_tgk[..], &rand[..], mkc_result::InvalidLength),
        (&tgk[..], &rand[..0], mkc_result::InvalidLength),
        (&tgk[..], &long_rand[..], mkc_result::InvalidLength),
    ] {
        assert_eq!(c_derive(t, 1, 0, r, MKC_MIKEY_KDF_TEK, &mut out), code);
        assert_eq!(out, [0x5a; 16]);
    }
    let mut big = vec![0x5au8; MKC_MIKEY_KDF_MAX_OUT_LEN + 1];
    assert_eq!(
        c_derive(&tgk, 1, 0, &rand, MKC_MIKEY_KDF_TEK, &mut big),
        mkc_result::InvalidLength
    );
    assert!(big.iter().all(|&b| b == 0x5a));
    let maximal = vec![3u8; MKC_MIKEY_KDF_MAX_OUT_LEN];
    let mut max_out = vec![0u8; MKC_MIKEY_KDF_MAX_OUT_LEN];
    assert_eq!(
        c_derive(
            &maximal,
            1,
            0,
            &long_rand[1..],
            MKC_MIKEY_KDF_TEK,
            &mut max_out
        ),
        mkc_result::Ok
    );
    unsafe {
        assert_eq!(
            mkc_mikey_derive_key(
                tgk.as_ptr(),
                16,
                1,
                0,
                rand.as_ptr(),
                16,
                0,
                out.as_mut_ptr(),
                0
            ),
            mkc_result::InvalidLength
        );
        assert_eq!(
            mkc_mikey_derive_key(null(), 16, 1, 0, rand.as_ptr(), 16, 0, out.as_mut_ptr(), 16),
            mkc_result::NullParameter
        );
        assert_eq!(
            mkc_mikey_derive_key(tgk.as_ptr(), 16, 1, 0, null(), 16, 0, out.as_mut_ptr(), 16),
            mkc_result::NullParameter
        );
        assert_eq!(
            mkc_mikey_derive_key(tgk.as_ptr(), 16, 1, 0, rand.as_ptr(), 16, 0, null_mut(), 16),
            mkc_result::NullParameter
        );
        // The output over the TGK: refused.
        let mut both = [1u8; 32];
        let p = both.as_mut_ptr();
        assert_eq!(
            mkc_mikey_derive_key(p, 32, 1, 0, rand.as_ptr(), 16, 0, p.add(8), 16),
            mkc_result::InvalidParameter
        );
    }
    assert_eq!(out, [0x5a; 16]);
}
