//! GF(p), p = 2^256 - 2^224 + 2^192 + 2^96 - 1: the base field of P-256, in Montgomery form on
//! fiat-crypto's `p256_64` (or `p256_32` on 32-bit targets). On x86-64 the product, square,
//! sum and difference are those of [`super::field_x86_64`] (assembly, same representation).

#[cfg(all(target_arch = "x86_64", not(mkc_fiat_32)))]
use super::field_x86_64 as fiat;
#[cfg(any(not(target_pointer_width = "64"), mkc_fiat_32))]
use fiat_crypto::p256_32 as fiat;
#[cfg(all(
    target_pointer_width = "64",
    not(target_arch = "x86_64"),
    not(mkc_fiat_32)
))]
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
    /// The Montgomery-form limbs, little-endian.
    #[inline(always)]
    pub(crate) fn limbs(&self) -> &[super::Word; super::LIMBS] {
        &self.0.0
    }

    /// From Montgomery-form limbs, which must be below p (limbs of another element).
    #[inline(always)]
    pub(crate) fn from_limbs(limbs: [super::Word; super::LIMBS]) -> Self {
        Self(fiat::fiat_p256_montgomery_domain_field_element(limbs))
    }
}
