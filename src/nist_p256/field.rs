//! GF(p), p = 2^256 - 2^224 + 2^192 + 2^96 - 1: the base field of P-256, in Montgomery form on
//! fiat-crypto's `p256_64` (or `p256_32` on 32-bit targets).

#[cfg(not(target_pointer_width = "64"))]
use fiat_crypto::p256_32 as fiat;
#[cfg(target_pointer_width = "64")]
use fiat_crypto::p256_64 as fiat;
#[allow(unused_imports)] // used by the macro's expansion
use subtle::ConstantTimeEq;
#[allow(unused_imports)]
use zeroize::Zeroize;

super::montgomery_element!(
    /// An element of GF(p) in Montgomery form (always reduced below p).
    FieldElement,
    modulus = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff,
    ],
    fiat = fiat,
    mont = fiat_p256_montgomery_domain_field_element,
    non_mont = fiat_p256_non_montgomery_domain_field_element,
    mul = fiat_p256_mul,
    square = fiat_p256_square,
    add = fiat_p256_add,
    sub = fiat_p256_sub,
    opp = fiat_p256_opp,
    from_montgomery = fiat_p256_from_montgomery,
    to_montgomery = fiat_p256_to_montgomery,
    nonzero = fiat_p256_nonzero,
    selectznz = fiat_p256_selectznz,
    to_bytes = fiat_p256_to_bytes,
    from_bytes = fiat_p256_from_bytes,
    set_one = fiat_p256_set_one,
);

impl FieldElement {
    /// self^(2^n): n squarings.
    fn square_n(&self, n: u32) -> Self {
        let mut out = *self;
        for _ in 0..n {
            out = out.square();
        }
        out
    }

    /// The inverse by Fermat, self^(p-2), constant time; zero for zero. The addition chain
    /// follows the shape of p - 2 = 2^256 - 2^224 + 2^192 + 2^96 - 3: 255 squarings and
    /// 12 multiplications.
    pub(crate) fn invert(&self) -> Self {
        // x_k = self^(2^k - 1).
        let x1 = *self;
        let x2 = x1.square() * x1;
        let x3 = x2.square() * x1;
        let x6 = x3.square_n(3) * x3;
        let x12 = x6.square_n(6) * x6;
        let x15 = x12.square_n(3) * x3;
        let x30 = x15.square_n(15) * x15;
        let x32 = x30.square_n(2) * x2;
        // Bits 255..192: ffffffff 00000001; 191..64: zeros then 32 ones; 63..0: 62 ones, 0, 1.
        let t = x32.square_n(32) * x1;
        let t = t.square_n(128) * x32;
        let t = t.square_n(32) * x32;
        let t = t.square_n(30) * x30;
        t.square_n(2) * x1
    }
}
