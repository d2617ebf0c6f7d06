//! GF(q), q the order of the P-256 group: ECCSI's scalars (KSAK, SSK, v, j, r, s, HS, HE), in
//! Montgomery form on fiat-crypto's `p256_scalar_64` (or `p256_scalar_32` on 32-bit targets).

#[cfg(any(not(target_pointer_width = "64"), mkc_fiat_32))]
use fiat_crypto::p256_scalar_32 as fiat;
#[cfg(all(target_pointer_width = "64", not(mkc_fiat_32)))]
use fiat_crypto::p256_scalar_64 as fiat;
use subtle::ConditionallySelectable;
#[allow(unused_imports)] // used by the macro's expansion
use subtle::ConstantTimeEq;
#[allow(unused_imports)]
use zeroize::Zeroize;

super::montgomery_element!(
    /// An element of GF(q) in Montgomery form (always reduced below q). Secret scalars in it
    /// are zeroized by their owners.
    Scalar,
    modulus = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63,
        0x25, 0x51,
    ],
    fiat = fiat,
    mont = fiat_p256_scalar_montgomery_domain_field_element,
    non_mont = fiat_p256_scalar_non_montgomery_domain_field_element,
    mul = fiat_p256_scalar_mul,
    square = fiat_p256_scalar_square,
    add = fiat_p256_scalar_add,
    sub = fiat_p256_scalar_sub,
    opp = fiat_p256_scalar_opp,
    from_montgomery = fiat_p256_scalar_from_montgomery,
    to_montgomery = fiat_p256_scalar_to_montgomery,
    nonzero = fiat_p256_scalar_nonzero,
    selectznz = fiat_p256_scalar_selectznz,
    to_bytes = fiat_p256_scalar_to_bytes,
    from_bytes = fiat_p256_scalar_from_bytes,
    set_one = fiat_p256_scalar_set_one,
);

impl Scalar {
    /// A 32-octet big-endian value (a hash: HS, HE) reduced modulo q. As the value is below
    /// 2^256 < 2q, one conditional subtraction reduces it. Constant time.
    pub(crate) fn reduce_be_bytes(bytes: &[u8; 32]) -> Self {
        let (mut reduced, below) = super::sub_be(bytes, &Self::MODULUS);
        for (r, b) in reduced.iter_mut().zip(bytes) {
            *r = u8::conditional_select(r, b, below);
        }
        let out = Self::from_be_bytes(&reduced).unwrap_or(Self::ZERO);
        reduced.zeroize();
        out
    }

    /// The multiplicative inverse, none for zero. Constant time.
    pub(crate) fn invert_nonzero(&self) -> subtle::CtOption<Self> {
        subtle::CtOption::new(self.invert(), !self.is_zero())
    }

    #[cfg(test)]
    pub(crate) fn from_u64(value: u64) -> Self {
        let mut bytes = [0u8; 32];
        bytes[24..].copy_from_slice(&value.to_be_bytes());
        Self::from_be_bytes(&bytes).unwrap()
    }
}
