//! The C contract of the SRTP exports (TS 33.180 7.4): MKIs of PCK and GMK streams, the master
//! key and salt for an MKI (checked against the RFC 3830 PRF of the core), and every refusal:
//! unknown MKI, wrong lengths, keys that protect no media, NULL pointers, overlapping buffers.

use std::ptr::{null, null_mut};

use mcptt_kmc::ffi::mikey::*;
use mcptt_kmc::ffi::result::mkc_result;
use mcptt_kmc::ffi::srtp::*;
use mcptt_kmc::mikey::prf;

const KEY: [u8; 16] = *b"sixteen octets!!";
const RAND: [u8; 16] = [0x33; 16];
const PCK_ID: u32 = 0x1234_5678;
const GMK_ID: u32 = 0x0df9_bc39;
const GUK_ID: u32 = 0x06a1_2aea;

fn mki(key_id: u32, guk_id: u32) -> Result<Vec<u8>, mkc_result> {
    let mut out = [0u8; MKC_SRTP_MKI_MAX_BYTES];
    let mut written = 0usize;
    let rc = unsafe { mkc_srtp_mki(key_id, guk_id, out.as_mut_ptr(), out.len(), &mut written) };
    if rc == mkc_result::Ok {
        Ok(out[..written].to_vec())
    } else {
        Err(rc)
    }
}

fn derive(
    key: &[u8],
    key_id: u32,
    rand: &[u8],
    cs_id: u8,
    mki: &[u8],
) -> Result<mkc_srtp_master, mkc_result> {
    let mut out = mkc_srtp_master {
        master_key: [0xee; 16],
        master_salt: [0xee; 12],
        mki: [0xee; 8],
        mki_len: 99,
    };
    let rc = unsafe {
        mkc_srtp_derive(
            key.as_ptr(),
            key.len(),
            key_id,
            rand.as_ptr(),
            rand.len(),
            cs_id,
            mki.as_ptr(),
            mki.len(),
            &mut out,
        )
    };
    if rc == mkc_result::Ok {
        Ok(out)
    } else {
        // The header's rule 4: a refused call zeroes its out-value.
        assert_eq!(
            (out.master_key, out.master_salt, out.mki, out.mki_len),
            ([0; 16], [0; 12], [0; 8], 0),
            "not zeroed on failure"
        );
        Err(rc)
    }
}

fn prf_out<const N: usize>(constant: u32, cs_id: u8, csb_id: u32) -> [u8; N] {
    let mut out = [0u8; N];
    prf::derive_key(&KEY, constant, cs_id, csb_id, &RAND, &mut out).unwrap();
    out
}

#[test]
fn sizes() {
    assert_eq!(mkc_srtp_master_key_bytes(), 16);
    assert_eq!(mkc_srtp_master_salt_bytes(), 12);
    assert_eq!(mkc_srtp_mki_max_bytes(), 8);
}

#[test]
fn pck_and_gmk_streams() {
    let pck_mki = mki(PCK_ID, 0xffff_ffff).unwrap();
    assert_eq!(pck_mki, PCK_ID.to_be_bytes());
    let gmk_mki = mki(GMK_ID, GUK_ID).unwrap();
    assert_eq!(gmk_mki, hex::decode("0df9bc3906a12aea").unwrap());
    for cs_id in [
        MKC_SRTP_CS_ID_MCPTT_PRIVATE_INITIATOR,
        MKC_SRTP_CS_ID_MCPTT_PRIVATE_RECEIVER,
    ] {
        let m = derive(&KEY, PCK_ID, &RAND, cs_id, &pck_mki).unwrap();
        assert_eq!(
            m.master_key,
            prf_out::<16>(MKC_MIKEY_KDF_TEK, cs_id, PCK_ID)
        );
        assert_eq!(
            m.master_salt,
            prf_out::<12>(MKC_MIKEY_KDF_SALT, cs_id, PCK_ID)
        );
        assert_eq!(&m.mki[..m.mki_len], &pck_mki[..]);
    }
    let m = derive(&KEY, GMK_ID, &RAND, MKC_SRTP_CS_ID_MCPTT_GROUP, &gmk_mki).unwrap();
    assert_eq!(m.master_key, prf_out::<16>(MKC_MIKEY_KDF_TEK, 4, GUK_ID));
    assert_eq!(m.master_salt, prf_out::<12>(MKC_MIKEY_KDF_SALT, 4, GUK_ID));
    assert_eq!(&m.mki[..m.mki_len], &gmk_mki[..]);
}

#[test]
fn refusals() {
    let gmk_mki = mki(GMK_ID, GUK_ID).unwrap();
    // MKIs: another key, a malformed one, or of the wrong kind.
    for (key_id, bad) in [
        (GMK_ID, mki(GMK_ID ^ 1, GUK_ID).unwrap()),
        (GMK_ID, gmk_mki[..4].to_vec()),
        (GMK_ID, [&gmk_mki[..], &[0]].concat()),
        (GMK_ID, vec![]),
        (GMK_ID, hex::decode("0df9bc3916a12aea").unwrap()),
        (PCK_ID, mki(PCK_ID ^ 1, 0).unwrap()),
        (PCK_ID, gmk_mki.clone()),
    ] {
        assert_eq!(
            derive(&KEY, key_id, &RAND, 4, &bad).err().unwrap(),
            mkc_result::UnknownMki
        );
    }
    assert_eq!(
        derive(&KEY[..15], GMK_ID, &RAND, 4, &gmk_mki)
            .err()
            .unwrap(),
        mkc_result::InvalidLength
    );
    assert_eq!(
        derive(&KEY, GMK_ID, &[], 4, &gmk_mki).err().unwrap(),
        mkc_result::InvalidLength
    );
    assert_eq!(
        derive(&KEY, GMK_ID, &[1; 256], 4, &gmk_mki).err().unwrap(),
        mkc_result::InvalidLength
    );
    // A CSK-ID names no media key, and a GUK-ID must keep the GMK purpose tag.
    assert_eq!(
        mki(0x2000_0001, 0).unwrap_err(),
        mkc_result::InvalidParameter
    );
    assert_eq!(
        mki(GMK_ID, 0x1000_0000).unwrap_err(),
        mkc_result::InvalidParameter
    );
    unsafe {
        let mut out = std::mem::zeroed::<mkc_srtp_master>();
        let mut written = 0usize;
        assert_eq!(
            mkc_srtp_derive(
                null(),
                16,
                GMK_ID,
                RAND.as_ptr(),
                16,
                4,
                gmk_mki.as_ptr(),
                8,
                &mut out
            ),
            mkc_result::NullParameter
        );
        assert_eq!(
            mkc_srtp_derive(
                KEY.as_ptr(),
                16,
                GMK_ID,
                RAND.as_ptr(),
                16,
                4,
                gmk_mki.as_ptr(),
                8,
                null_mut()
            ),
            mkc_result::NullParameter
        );
        assert_eq!(
            mkc_srtp_mki(GMK_ID, GUK_ID, null_mut(), 8, &mut written),
            mkc_result::NullParameter
        );
        assert_eq!(
            mkc_srtp_mki(GMK_ID, GUK_ID, null_mut(), 0, null_mut()),
            mkc_result::NullParameter
        );
        // Size query, then a short buffer: BUFFER_TOO_SMALL with the size needed.
        assert_eq!(
            mkc_srtp_mki(GMK_ID, GUK_ID, null_mut(), 0, &mut written),
            mkc_result::BufferTooSmall
        );
        assert_eq!(written, 8);
        let mut short = [0u8; 4];
        assert_eq!(
            mkc_srtp_mki(GMK_ID, GUK_ID, short.as_mut_ptr(), 4, &mut written),
            mkc_result::BufferTooSmall
        );
        assert_eq!(short, [0; 4]);
        // The output over an input: refused.
        let mut master = std::mem::zeroed::<mkc_srtp_master>();
        let p = (&raw mut master).cast::<u8>();
        p.copy_from(KEY.as_ptr(), 16);
        assert_eq!(
            mkc_srtp_derive(
                p,
                16,
                GMK_ID,
                RAND.as_ptr(),
                16,
                4,
                gmk_mki.as_ptr(),
                8,
                &mut master
            ),
            mkc_result::InvalidParameter
        );
    }
}

/// TS 33.180 F.1.4 and F.1.5 through the C exports, against the core and the refusals.
#[test]
fn signalling_keys_and_dpck() {
    let uri = b"sip:alice@example.org";
    let (mut conf, mut int, mut dpck) = ([0u8; 16], [0u8; 16], [0u8; 16]);
    unsafe {
        assert_eq!(
            mkc_mikey_signalling_keys(
                KEY.as_ptr(),
                16,
                0x2000_0001,
                uri.as_ptr(),
                uri.len(),
                conf.as_mut_ptr(),
                16,
                int.as_mut_ptr(),
                16
            ),
            mkc_result::Ok
        );
        let (c, i) = mcptt_kmc::mikey::kdf::signalling_keys(&KEY, 0x2000_0001, uri).unwrap();
        assert_eq!((conf, int), (*c, *i));
        let mut small = [0u8; 15];
        assert_eq!(
            mkc_mikey_signalling_keys(
                KEY.as_ptr(),
                16,
                1,
                uri.as_ptr(),
                uri.len(),
                conf.as_mut_ptr(),
                16,
                small.as_mut_ptr(),
                15
            ),
            mkc_result::BufferTooSmall
        );
        assert_eq!(
            mkc_mikey_signalling_keys(
                KEY.as_ptr(),
                15,
                1,
                uri.as_ptr(),
                uri.len(),
                conf.as_mut_ptr(),
                16,
                int.as_mut_ptr(),
                16
            ),
            mkc_result::InvalidLength
        );
        assert_eq!(
            mkc_mikey_signalling_keys(
                KEY.as_ptr(),
                16,
                1,
                uri.as_ptr(),
                uri.len(),
                conf.as_mut_ptr(),
                16,
                conf.as_mut_ptr(),
                16
            ),
            mkc_result::InvalidParameter
        );
        assert_eq!(
            mkc_mikey_dpck(KEY.as_ptr(), 16, GMK_ID, dpck.as_mut_ptr(), 16),
            mkc_result::Ok
        );
        assert_eq!(dpck, *mcptt_kmc::mikey::kdf::dpck(&KEY, GMK_ID));
        assert_eq!(
            mkc_mikey_dpck(KEY.as_ptr(), 16, GMK_ID, small.as_mut_ptr(), 15),
            mkc_result::BufferTooSmall
        );
        assert_eq!(small, [0; 15]);
        assert_eq!(
            mkc_mikey_dpck(null(), 16, GMK_ID, dpck.as_mut_ptr(), 16),
            mkc_result::NullParameter
        );
        assert_eq!(
            mkc_mikey_dpck(KEY.as_ptr(), 17, GMK_ID, dpck.as_mut_ptr(), 16),
            mkc_result::InvalidLength
        );
    }
}
