//! The MIKEY key derivation of RFC 3830 4.1.2-4.1.4 with the PRF-HMAC-SHA-256 of RFC 6043 6.1
//! (PRF func 1 in the common header): how TS 33.180 7.4 turns a GMK or PCK (the TGK) into the
//! SRTP master key and salt.
//!
//! - label (4.1.2) = `constant || cs_id || csb_id || RAND`: constant 32 bits, CS ID 8 bits,
//!   CSB ID 32 bits, all big-endian, then the RAND octets.
//! - `PRF(inkey, label)` (4.1.3): the inkey is cut into 256-bit pieces `s_1 .. s_n` (the last
//!   may be shorter); the output is `P(s_1, label, m) XOR .. XOR P(s_n, label, m)` cut to the
//!   wanted length.
//! - `P(s, label, m) = HMAC(s, A_1 || label) || .. || HMAC(s, A_m || label)` with `A_0 =
//!   label`, `A_i = HMAC(s, A_(i-1))`; HMAC is HMAC-SHA-256 and `m = ceil(outkey_len / 256)`
//!   (RFC 6043 6.1). The output is the HMAC values, never the `A_i`.
//!
//! Every operation on the key is HMAC and XOR over fixed-length blocks: nothing branches on or
//! indexes by secret data.

use crate::Error;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

/// RFC 3830 4.1.3: the constant of the TEK derivation (the SRTP master key, TS 33.180 7.4).
pub const CONSTANT_TEK: u32 = 0x2AD0_1C64;
/// RFC 3830 4.1.4: the constant of an encryption key derivation.
pub const CONSTANT_ENCRYPTION: u32 = 0x1579_8CEF;
/// RFC 3830 4.1.4: the constant of an authentication key derivation.
pub const CONSTANT_AUTHENTICATION: u32 = 0x1B5C_7973;
/// RFC 3830 4.1.3: the constant of the salting key derivation (the SRTP master salt).
pub const CONSTANT_SALT: u32 = 0x39A2_C14B;

/// Octets of one inkey piece `s_i` and of one PRF-HMAC-SHA-256 output block.
const BLOCK: usize = 32;

/// Largest TGK accepted, in octets: far above any MIKEY key (a GMK or PCK has 16).
pub const MAX_TGK_BYTES: usize = 1024;
/// Largest RAND accepted, in octets: the RAND payload's length field is one octet (RFC 3830
/// 6.11).
pub const MAX_RAND_BYTES: usize = 255;
/// Largest output, in octets (32 HMAC blocks).
pub const MAX_OUT_BYTES: usize = 1024;

/// The label of RFC 3830 4.1.2: `constant || cs_id || csb_id || rand`.
fn label(constant: u32, cs_id: u8, csb_id: u32, rand: &[u8]) -> Vec<u8> {
    let mut label = Vec::with_capacity(9 + rand.len());
    label.extend_from_slice(&constant.to_be_bytes());
    label.push(cs_id);
    label.extend_from_slice(&csb_id.to_be_bytes());
    label.extend_from_slice(rand);
    label
}

/// XORs `P(s, label, m)` into `out` (whose length sets `m`).
fn xor_p(s: &[u8], label: &[u8], out: &mut [u8]) {
    // HMAC takes keys of any length: `new_from_slice` cannot fail.
    let keyed = <Hmac<Sha256> as KeyInit>::new_from_slice(s).expect("HMAC takes any key length");
    let mut a = Zeroizing::new([0u8; BLOCK]);
    // A_1 = HMAC(s, A_0) with A_0 = label.
    let mut mac = keyed.clone();
    mac.update(label);
    a.copy_from_slice(&mac.finalize().into_bytes());
    for chunk in out.chunks_mut(BLOCK) {
        let mut mac = keyed.clone();
        mac.update(&a[..]);
        mac.update(label);
        let mut block = Zeroizing::new([0u8; BLOCK]);
        block.copy_from_slice(&mac.finalize().into_bytes());
        for (o, b) in chunk.iter_mut().zip(block.iter()) {
            *o ^= b;
        }
        // A_(i+1) = HMAC(s, A_i).
        let mut mac = keyed.clone();
        mac.update(&a[..]);
        a.copy_from_slice(&mac.finalize().into_bytes());
    }
}

/// `PRF(inkey, label)` of RFC 3830 4.1.3 with PRF-HMAC-SHA-256 (RFC 6043 6.1), written to
/// all of `out`. `out` is overwritten, not XORed into.
///
/// # Errors
/// [`Error::InvalidLength`] when `inkey` is empty or longer than [`MAX_TGK_BYTES`], or `out`
/// is empty or longer than [`MAX_OUT_BYTES`]; `out` is then untouched.
pub fn prf(inkey: &[u8], label: &[u8], out: &mut [u8]) -> Result<(), Error> {
    if inkey.is_empty() || inkey.len() > MAX_TGK_BYTES || out.is_empty() {
        return Err(Error::InvalidLength);
    }
    if out.len() > MAX_OUT_BYTES {
        return Err(Error::InvalidLength);
    }
    let mut acc = Zeroizing::new(vec![0u8; out.len()]);
    for s in inkey.chunks(BLOCK) {
        xor_p(s, label, &mut acc);
    }
    out.copy_from_slice(&acc);
    Ok(())
}

/// The MIKEY key derivation of RFC 3830 4.1.3: `PRF(tgk, constant || cs_id || csb_id ||
/// rand)` into all of `out`. With [`CONSTANT_TEK`] and 16 octets it gives an SRTP master key,
/// with [`CONSTANT_SALT`] and 12 octets an SRTP master salt (TS 33.180 7.4).
///
/// # Errors
/// [`Error::InvalidLength`] when `tgk` is empty or longer than [`MAX_TGK_BYTES`], `rand` is
/// empty or longer than [`MAX_RAND_BYTES`], or `out` is empty or longer than
/// [`MAX_OUT_BYTES`]; `out` is then untouched.
pub fn derive_key(
    tgk: &[u8],
    constant: u32,
    cs_id: u8,
    csb_id: u32,
    rand: &[u8],
    out: &mut [u8],
) -> Result<(), Error> {
    if rand.is_empty() || rand.len() > MAX_RAND_BYTES {
        return Err(Error::InvalidLength);
    }
    let mut label = label(constant, cs_id, csb_id, rand);
    let result = prf(tgk, &label, out);
    label.zeroize();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PRF written a second way: whole P outputs concatenated first, then XORed, then cut.
    fn reference(inkey: &[u8], label: &[u8], len: usize) -> Vec<u8> {
        let hmac = |k: &[u8], parts: &[&[u8]]| {
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(k).unwrap();
            for p in parts {
                mac.update(p);
            }
            mac.finalize().into_bytes().to_vec()
        };
        let m = len.div_ceil(32);
        let mut total = vec![0u8; m * 32];
        for s in inkey.chunks(32) {
            let mut a = label.to_vec();
            let mut p = Vec::new();
            for _ in 0..m {
                a = hmac(s, &[&a]);
                p.extend(hmac(s, &[&a, label]));
            }
            for (t, x) in total.iter_mut().zip(p) {
                *t ^= x;
            }
        }
        total.truncate(len);
        total
    }

    #[test]
    fn matches_the_reference_for_every_shape() {
        for tgk_len in [1usize, 16, 32, 33, 64, 65, 100] {
            let tgk: Vec<u8> = (0..tgk_len).map(|i| (i * 7 + 3) as u8).collect();
            for out_len in [1usize, 12, 16, 31, 32, 33, 64, 100] {
                let mut out = vec![0xaa; out_len];
                derive_key(&tgk, CONSTANT_TEK, 4, 0x0123_4567, &[9; 16], &mut out).unwrap();
                let lbl = label(CONSTANT_TEK, 4, 0x0123_4567, &[9; 16]);
                assert_eq!(out, reference(&tgk, &lbl, out_len), "{tgk_len}/{out_len}");
            }
        }
    }

    #[test]
    fn label_layout() {
        assert_eq!(
            label(0x2AD0_1C64, 0x05, 0x1122_3344, &[0xee, 0xff]),
            [
                0x2a, 0xd0, 0x1c, 0x64, 0x05, 0x11, 0x22, 0x33, 0x44, 0xee, 0xff
            ]
        );
    }

    #[test]
    fn refuses_bad_lengths_and_leaves_out_untouched() {
        let mut out = [0x5a; 16];
        for (tgk, rand) in [
            (&[][..], &[1u8; 16][..]),
            (&[1u8; MAX_TGK_BYTES + 1][..], &[1u8; 16][..]),
            (&[1u8; 16][..], &[][..]),
            (&[1u8; 16][..], &[1u8; MAX_RAND_BYTES + 1][..]),
        ] {
            assert_eq!(
                derive_key(tgk, CONSTANT_TEK, 0, 0, rand, &mut out),
                Err(Error::InvalidLength)
            );
            assert_eq!(out, [0x5a; 16]);
        }
        assert_eq!(
            derive_key(&[1; 16], CONSTANT_TEK, 0, 0, &[1; 16], &mut []),
            Err(Error::InvalidLength)
        );
        let mut big = vec![0u8; MAX_OUT_BYTES + 1];
        assert_eq!(
            derive_key(&[1; 16], CONSTANT_TEK, 0, 0, &[1; 16], &mut big),
            Err(Error::InvalidLength)
        );
        assert!(big.iter().all(|&b| b == 0));
    }
}
