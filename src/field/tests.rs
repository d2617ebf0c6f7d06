//! Unit tests of the private constants (the differential tests of the public API are in
//! tests/field.rs).

use num_bigint::BigUint;

use super::LIMBS;
use super::arith::FieldParams;
use super::fp::FpParams;
use super::fq::FqParams;

fn big(l: &[u64; LIMBS]) -> BigUint {
    let mut digits = Vec::with_capacity(2 * LIMBS);
    for w in l {
        digits.push(*w as u32);
        digits.push((*w >> 32) as u32);
    }
    BigUint::new(digits)
}

fn check_params<P: FieldParams>() {
    let m = big(&P::MODULUS);
    let one = BigUint::from(1u8);
    let r = &one << 1024;
    let w = &one << 64;
    assert!(m.bit(0), "modulus is odd");
    assert!(m < r);
    assert_eq!(big(&P::R), &r % &m, "R mod m");
    assert_eq!(big(&P::R2), (&r * &r) % &m, "R^2 mod m");
    assert_eq!(big(&P::MODULUS_MINUS_TWO), &m - 2u8, "m - 2");
    // m * (-m^-1) = -1 mod 2^64
    let prod = (&m * BigUint::from(P::INV)) % &w;
    assert_eq!(prod, &w - 1u8, "INV = -m^-1 mod 2^64");
}

#[test]
fn fp_constants() {
    check_params::<FpParams>();
    assert_eq!(big(&FpParams::MODULUS).bits(), 1024);
    assert_eq!(FpParams::MODULUS[0] & 3, 3, "p = 3 mod 4");
}

#[test]
fn fq_constants() {
    check_params::<FqParams>();
    assert_eq!(big(&FqParams::MODULUS).bits(), 1022);
}

#[test]
fn q_times_four_is_p_plus_one() {
    let p = big(&FpParams::MODULUS);
    let q = big(&FqParams::MODULUS);
    assert_eq!(q * 4u8, p + 1u8);
}

#[test]
fn modulus_be_matches_limbs() {
    use super::{Fp, Fq};
    assert_eq!(
        BigUint::from_bytes_be(&Fp::MODULUS_BE),
        big(&FpParams::MODULUS)
    );
    assert_eq!(
        BigUint::from_bytes_be(&Fq::MODULUS_BE),
        big(&FqParams::MODULUS)
    );
}
