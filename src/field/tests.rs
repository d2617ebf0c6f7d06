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

/// Limbs of a BigUint below 2^1024.
fn limbs(n: &BigUint) -> [u64; LIMBS] {
    let mut out = [0u64; LIMBS];
    for (o, d) in out.iter_mut().zip(n.iter_u64_digits()) {
        *o = d;
    }
    out
}

/// Inputs for the Montgomery products: the edges (0, 1, 2, m-1, m-2, and for the first operand,
/// which may be any 1024-bit value, 2^1024-1, 2^1023 and words of all ones) and a fixed
/// xorshift stream with runs of 0x00 and 0xff words.
fn mont_inputs<P: FieldParams>() -> Vec<(BigUint, BigUint)> {
    let m = big(&P::MODULUS);
    let one = BigUint::from(1u8);
    let top = (&one << 1024u32) - 1u8;
    let firsts = [
        BigUint::ZERO,
        one.clone(),
        BigUint::from(2u8),
        &m - 1u8,
        &m - 2u8,
        top.clone(),
        &one << 1023u32,
        &top - (&one << 512u32),
    ];
    let seconds = [BigUint::ZERO, one.clone(), &m - 1u8, &m - 2u8, &m >> 1];
    let mut out = Vec::new();
    for a in &firsts {
        for b in &seconds {
            out.push((a.clone(), b.clone()));
        }
    }
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    let mut word = || {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        let w = s.wrapping_mul(0x2545_f491_4f6c_dd1d);
        match w % 8 {
            0 => u64::MAX,
            1 => 0,
            _ => w.rotate_left(17) ^ w,
        }
    };
    for _ in 0..400 {
        let a: [u64; LIMBS] = core::array::from_fn(|_| word());
        let b: [u64; LIMBS] = core::array::from_fn(|_| word());
        out.push((big(&a), big(&b) % &m));
    }
    out
}

/// Both Montgomery multiplication paths (portable, and MULX/ADCX/ADOX where the CPU has it)
/// against num-bigint: a * b * 2^-1024 mod m, fully reduced; the squares likewise.
fn check_mont_paths<P: FieldParams>() {
    use super::arith::{mont_mul_portable, mont_square_portable};
    let m = big(&P::MODULUS);
    let r_inv = (BigUint::from(1u8) << 1024u32).modinv(&m).unwrap();
    #[cfg(target_arch = "x86_64")]
    let adx = std::is_x86_feature_detected!("bmi2") && std::is_x86_feature_detected!("adx");
    for (a, b) in mont_inputs::<P>() {
        let expected = limbs(&(&a * &b * &r_inv % &m));
        let (la, lb) = (limbs(&a), limbs(&b));
        assert_eq!(
            mont_mul_portable(&la, &lb, &P::MODULUS, P::INV),
            expected,
            "portable"
        );
        #[cfg(target_arch = "x86_64")]
        if adx {
            let got = super::arith::mont_mul_adx(&la, &lb, &P::MODULUS, P::INV);
            assert_eq!(got, expected, "mulx/adcx/adox");
        }
        if a < m {
            let square = limbs(&(&a * &a * &r_inv % &m));
            assert_eq!(
                mont_square_portable(&la, &P::MODULUS, P::INV),
                square,
                "square"
            );
            #[cfg(target_arch = "x86_64")]
            if adx {
                let got = super::arith::mont_mul_adx(&la, &la, &P::MODULUS, P::INV);
                assert_eq!(got, square, "mulx/adcx/adox square");
                let got = super::arith::mont_square_adx(&la, &P::MODULUS, P::INV);
                assert_eq!(got, square, "mulx/adcx/adox dedicated square");
            }
        }
    }
}

/// Lazy reduction (F_p^2 products): the double-width product, the subtraction modulo
/// m 2^1024 and the Montgomery reduction of both paths against num-bigint.
fn check_wide_paths<P: FieldParams>() {
    use super::arith::{mul_full_portable, redc_portable, sub_wide};
    let m = big(&P::MODULUS);
    let mr = &m << 1024u32;
    let r_inv = (BigUint::from(1u8) << 1024u32).modinv(&m).unwrap();
    #[cfg(target_arch = "x86_64")]
    let adx = std::is_x86_feature_detected!("bmi2") && std::is_x86_feature_detected!("adx");
    let wide_big = |w: &[u64; 2 * LIMBS]| {
        let lo: [u64; LIMBS] = w[..LIMBS].try_into().unwrap();
        let hi: [u64; LIMBS] = w[LIMBS..].try_into().unwrap();
        big(&lo) + (big(&hi) << 1024u32)
    };
    let inputs = mont_inputs::<P>();
    let mut previous: Option<[u64; 2 * LIMBS]> = None;
    for (a, b) in inputs {
        let (la, lb) = (limbs(&a), limbs(&b));
        let product = mul_full_portable(&la, &lb);
        assert_eq!(wide_big(&product), &a * &b, "portable wide product");
        #[cfg(target_arch = "x86_64")]
        if adx {
            assert_eq!(
                super::mulx::mul_wide(&la, &lb),
                product,
                "mulx wide product"
            );
            let square = super::mulx::square_wide(&la);
            assert_eq!(wide_big(&square), &a * &a, "mulx wide square");
            let square = super::mulx::square_wide(&lb);
            assert_eq!(wide_big(&square), &b * &b, "mulx wide square");
        }
        // reduction of values below m 2^1024 (a * b with b < m qualifies)
        let expected = limbs(&(&a * &b * &r_inv % &m));
        assert_eq!(
            redc_portable(&product, &P::MODULUS, P::INV),
            expected,
            "portable redc"
        );
        #[cfg(target_arch = "x86_64")]
        if adx {
            let got = super::arith::redc_adx(&product, &P::MODULUS, P::INV);
            assert_eq!(got, expected, "mulx redc");
        }
        if let Some(prev) = previous {
            if wide_big(&prev) < mr && wide_big(&product) < mr {
                let d = sub_wide::<P>(&prev, &product);
                let expected = (wide_big(&prev) + &mr - wide_big(&product)) % &mr;
                assert_eq!(wide_big(&d), expected, "sub_wide");
                let d = sub_wide::<P>(&product, &prev);
                let expected = (wide_big(&product) + &mr - wide_big(&prev)) % &mr;
                assert_eq!(wide_big(&d), expected, "sub_wide");
            }
        }
        previous = Some(product);
    }
}

#[test]
fn fp_wide_paths_match_num_bigint() {
    check_wide_paths::<FpParams>();
}

#[test]
fn fq_wide_paths_match_num_bigint() {
    check_wide_paths::<FqParams>();
}

#[test]
fn fp_montgomery_paths_match_num_bigint() {
    check_mont_paths::<FpParams>();
}

#[test]
fn fq_montgomery_paths_match_num_bigint() {
    check_mont_paths::<FqParams>();
}

/// The path chosen at run time is the MULX/ADCX/ADOX one exactly when the CPU has BMI2 and ADX.
#[cfg(target_arch = "x86_64")]
#[test]
fn backend_follows_cpu_features() {
    let adx = std::is_x86_feature_detected!("bmi2") && std::is_x86_feature_detected!("adx");
    assert_eq!(super::mulx::enabled(), adx);
}

/// The divsteps inversion against Fermat's and num-bigint, on edge values and a random stream,
/// for both fields.
#[test]
fn safegcd_inversion_matches_fermat_and_num_bigint() {
    use super::{Fp, Fq};
    fn check<P: FieldParams>(values: &[[u64; LIMBS]]) {
        let m = big(&P::MODULUS);
        for v in values {
            let x = big(v) % &m;
            let mont = super::arith::from_raw_reduce::<P>(&limbs(&x));
            let inv = super::safegcd::invert::<P>(&mont);
            let got = big(&super::arith::from_mont::<P>(&inv));
            match x.modinv(&m) {
                Some(expected) => assert_eq!(got, expected),
                None => assert_eq!(got, BigUint::ZERO),
            }
        }
    }
    let mut values: Vec<[u64; LIMBS]> = Vec::new();
    for m in [FpParams::MODULUS, FqParams::MODULUS] {
        let mut m1 = m;
        m1[0] -= 1;
        let mut m2 = m;
        m2[0] -= 2;
        values.extend([m1, m2]);
    }
    let mut one = [0u64; LIMBS];
    one[0] = 1;
    let mut two = one;
    two[0] = 2;
    values.extend([[0; LIMBS], one, two, [u64::MAX; LIMBS], [1u64 << 63; LIMBS]]);
    let mut s = 0x0123_4567_89ab_cdefu64;
    for _ in 0..200 {
        values.push(core::array::from_fn(|_| {
            s ^= s >> 12;
            s ^= s << 25;
            s ^= s >> 27;
            let w = s.wrapping_mul(0x2545_f491_4f6c_dd1d);
            match w % 8 {
                0 => u64::MAX,
                1 => 0,
                _ => w,
            }
        }));
    }
    check::<FpParams>(&values);
    check::<FqParams>(&values);
    // and through the public API, against Fermat
    for v in &values[..40] {
        let a = Fp::from_be_bytes_reduce(&super::arith::limbs_to_be(v));
        let inv: Option<Fp> = a.invert().into();
        assert_eq!(inv.unwrap_or(Fp::ZERO), a.invert_fermat());
        let b = Fq::from_be_bytes_reduce(&super::arith::limbs_to_be(v));
        let inv: Option<Fq> = b.invert().into();
        assert_eq!(inv.unwrap_or(Fq::ZERO), b.invert_fermat());
    }
}

/// The Jacobi symbol against Euler's criterion (num-bigint) for both moduli, on edge values
/// (0, 1, 2, 3, m - 1, m - 2, m >> 1) and a random stream; and `is_square_vartime` of F_p.
#[test]
fn jacobi_matches_euler_criterion() {
    fn check<P: FieldParams>() {
        let m = big(&P::MODULUS);
        let half = (&m - 1u8) >> 1;
        let mut values: Vec<BigUint> = [0u8, 1, 2, 3, 4, 5, 9, 12]
            .iter()
            .map(|&v| BigUint::from(v))
            .collect();
        values.extend([&m - 1u8, &m - 2u8, &m - 3u8, &m >> 1]);
        values.extend(
            mont_inputs::<P>()
                .into_iter()
                .map(|(a, b)| (a * 7u8 + b) % &m),
        );
        for a in &values {
            let euler = a.modpow(&half, &m);
            let expected = if *a == BigUint::ZERO {
                0
            } else if euler == BigUint::from(1u8) {
                1
            } else {
                assert_eq!(euler, &m - 1u8);
                -1
            };
            let got = super::arith::jacobi_vartime(&limbs(a), &P::MODULUS);
            assert_eq!(got, expected, "jacobi of {a:x}");
        }
    }
    check::<FpParams>();
    check::<FqParams>();
    // as seen through Fp: squares are squares, 3 is not (p = 3 mod 4 and E(F_p) has one point
    // of order 2), -1 is not (p = 3 mod 4)
    use super::Fp;
    assert!(Fp::ZERO.is_square_vartime());
    assert!(Fp::ONE.is_square_vartime());
    assert!(!(-Fp::ONE).is_square_vartime());
    assert!(!Fp::from_u64(3).is_square_vartime());
    let x = Fp::from_u64(0x1234_5678_9abc_def0);
    assert!(x.square().is_square_vartime());
    assert!(!(-x.square()).is_square_vartime());
}
