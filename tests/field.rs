//! Differential tests of the SAKKE field arithmetic (F_p, F_q, F_p^2 of RFC 6509 parameter set 1)
//! against num-bigint, on random values (a fixed xorshift stream) and edge values.

use mcptt_kmc::field::{BYTES, Fp, Fp2, Fq, LIMBS};
use num_bigint::BigUint;
use p256::elliptic_curve::subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

/// Deterministic xorshift64* stream.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }

    /// A 1024-bit integer, with a bias towards structured values (long runs of 0xff / 0x00).
    fn wide(&mut self) -> BigUint {
        let mut b = [0u8; BYTES];
        for chunk in b.chunks_exact_mut(8) {
            let w = match self.next() % 8 {
                0 => u64::MAX,
                1 => 0,
                _ => self.next(),
            };
            chunk.copy_from_slice(&w.to_be_bytes());
        }
        BigUint::from_bytes_be(&b)
    }
}

fn hex_field(name: &str) -> BigUint {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/rfc6509-params.json"
    ))
    .unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let hex = json["sakke_parameter_set_1"][name].as_str().unwrap();
    BigUint::parse_bytes(hex.as_bytes(), 16).unwrap()
}

fn be128(n: &BigUint) -> [u8; BYTES] {
    let b = n.to_bytes_be();
    assert!(b.len() <= BYTES);
    let mut out = [0u8; BYTES];
    out[BYTES - b.len()..].copy_from_slice(&b);
    out
}

fn limbs_of(n: &BigUint) -> [u64; LIMBS] {
    let mut out = [0u64; LIMBS];
    for (i, d) in n.iter_u64_digits().enumerate() {
        out[i] = d;
    }
    out
}

/// The same differential tests for Fp and Fq.
macro_rules! prime_field_tests {
    ($modname:ident, $F:ty, $m:expr, $seed:expr) => {
        mod $modname {
            use super::*;

            type F = $F;

            fn modulus() -> BigUint {
                $m
            }

            fn from_big(n: &BigUint) -> F {
                F::from_be_bytes(&be128(n)).expect("canonical")
            }

            fn to_big(x: &F) -> BigUint {
                BigUint::from_bytes_be(&x.to_be_bytes())
            }

            /// Edge values (all below m) and random ones.
            fn samples() -> Vec<BigUint> {
                let m = modulus();
                let one = BigUint::from(1u8);
                let bits = m.bits();
                let mut v = vec![
                    BigUint::from(0u8),
                    one.clone(),
                    BigUint::from(2u8),
                    BigUint::from(3u8),
                    BigUint::from(u64::MAX),
                    &m - 1u8,
                    &m - 2u8,
                    &m - 3u8,
                    &m >> 1,
                    (&m >> 1) + 1u8,
                    (&one << (bits - 1)) - 1u8,
                    &one << (bits - 1),
                    &one << 64,
                    (&one << 64) - 1u8,
                    &m - (&one << 64),
                    &m - (&one << 512),
                ];
                // the largest values with all lower limbs 0xff..ff: top limb below m's top limb
                let top = &m >> (64 * (LIMBS - 1));
                let low_ones = (&one << (64 * (LIMBS - 1))) - 1u8;
                v.push(((&top - 1u8) << (64 * (LIMBS - 1))) | &low_ones);
                v.push(&low_ones + 0u8);
                // equal and nearly equal 512-bit halves (the Karatsuba middle term is zero or
                // tiny, of either sign)
                let half = (&m >> 512) - 1u8;
                let h = &half >> 1;
                v.push((&h << 512) | &h);
                v.push((&h << 512) | (&h + 1u8));
                v.push((&h << 512) | (&h - 1u8));
                v.push((&half << 512) | &half);
                let mut rng = Rng($seed);
                for _ in 0..24 {
                    v.push(rng.wide() % &m);
                }
                // just below m
                for _ in 0..4 {
                    v.push(&m - 1u8 - (BigUint::from(rng.next()) % &m));
                }
                v
            }

            #[test]
            fn encoding_round_trip() {
                for n in samples() {
                    let x = from_big(&n);
                    assert_eq!(to_big(&x), n);
                    assert_eq!(x.to_canonical_limbs(), limbs_of(&n));
                    assert_eq!(F::from_be_bytes_reduce(&be128(&n)), x);
                }
            }

            #[test]
            fn from_be_bytes_rejects_non_canonical() {
                let m = modulus();
                let one = BigUint::from(1u8);
                for bad in [
                    m.clone(),
                    &m + 1u8,
                    &m + 2u8,
                    (&one << 1024) - 1u8,
                    &m << 1usize,
                ]
                .into_iter()
                .filter(|b| b.bits() <= 1024)
                {
                    assert!(bool::from(F::from_be_bytes(&be128(&bad)).is_none()));
                }
                assert!(bool::from(F::from_be_bytes(&[0xff; BYTES]).is_none()));
                assert!(bool::from(F::from_be_bytes(&be128(&(&m - 1u8))).is_some()));
                assert!(bool::from(F::from_be_bytes(&[0; BYTES]).is_some()));
                assert_eq!(F::MODULUS_BE, be128(&m));
            }

            #[test]
            fn from_be_bytes_reduce_matches() {
                let m = modulus();
                let one = BigUint::from(1u8);
                let mut inputs = vec![
                    m.clone(),
                    &m + 1u8,
                    (&one << 1024) - 1u8,
                    &one << 1023,
                    (&m << 1usize) % (&one << 1024),
                ];
                let mut rng = Rng($seed ^ 0x55);
                for _ in 0..24 {
                    inputs.push(rng.wide());
                }
                for n in inputs {
                    let x = F::from_be_bytes_reduce(&be128(&n));
                    assert_eq!(to_big(&x), &n % &m);
                }
            }

            #[test]
            fn from_be_slice_reduce_vartime_matches() {
                let m = modulus();
                let mut rng = Rng($seed ^ 0xaa);
                for len in [0usize, 1, 8, 26, 127, 128, 129, 255, 256, 257, 300, 512] {
                    for _ in 0..2 {
                        let bytes = rng.bytes(len);
                        let x = F::from_be_slice_reduce_vartime(&bytes);
                        assert_eq!(to_big(&x), BigUint::from_bytes_be(&bytes) % &m, "len {len}");
                    }
                }
                let ff = vec![0xffu8; 300];
                let x = F::from_be_slice_reduce_vartime(&ff);
                assert_eq!(to_big(&x), BigUint::from_bytes_be(&ff) % &m);
            }

            #[test]
            fn from_u64_matches() {
                for v in [0u64, 1, 2, 0xffff_ffff, u64::MAX] {
                    assert_eq!(to_big(&F::from_u64(v)), BigUint::from(v));
                }
                assert_eq!(F::from_u64(0), F::ZERO);
                assert_eq!(F::from_u64(1), F::ONE);
            }

            #[test]
            fn add_sub_neg_double_match() {
                let m = modulus();
                let s = samples();
                for a in &s {
                    let x = from_big(a);
                    assert_eq!(to_big(&x.neg()), (&m - a) % &m);
                    assert_eq!(to_big(&x.double()), (a * 2u8) % &m);
                    for b in &s {
                        let y = from_big(b);
                        assert_eq!(to_big(&x.add(&y)), (a + b) % &m);
                        assert_eq!(to_big(&x.sub(&y)), (a + &m - b) % &m);
                    }
                }
            }

            #[test]
            fn add_sub_around_the_modulus() {
                let m = modulus();
                let one = BigUint::from(1u8);
                let mut rng = Rng($seed ^ 0x77);
                for _ in 0..16 {
                    let a = rng.wide() % &m;
                    // a + b = m - 1, m, m + 1 (b reduced where needed)
                    for target in [&m - 1u8, m.clone(), &m + 1u8] {
                        let b = (&target + &m - &a) % &m;
                        let r = from_big(&a).add(&from_big(&b));
                        assert_eq!(to_big(&r), (&a + &b) % &m);
                    }
                }
                let mm1 = from_big(&(&m - 1u8));
                assert_eq!(to_big(&mm1.add(&mm1)), &m - 2u8);
                assert_eq!(to_big(&F::ZERO.sub(&F::ONE)), &m - 1u8);
                assert_eq!(to_big(&F::ONE.add(&mm1)), BigUint::from(0u8));
                assert_eq!(F::ZERO.neg(), F::ZERO);
                assert_eq!(to_big(&F::ONE.neg()), &m - &one);
            }

            #[test]
            fn mul_square_match() {
                let m = modulus();
                let s = samples();
                for a in &s {
                    let x = from_big(a);
                    assert_eq!(to_big(&x.square()), (a * a) % &m);
                    for b in &s {
                        let y = from_big(b);
                        assert_eq!(to_big(&x.mul(&y)), (a * b) % &m);
                    }
                }
            }

            #[test]
            fn invert_matches() {
                let m = modulus();
                assert!(bool::from(F::ZERO.invert().is_none()));
                let mut vals = vec![BigUint::from(1u8), BigUint::from(2u8), &m - 1u8, &m - 2u8];
                let mut rng = Rng($seed ^ 0x99);
                for _ in 0..4 {
                    vals.push(rng.wide() % &m);
                }
                for a in vals {
                    let x = from_big(&a);
                    let inv = x.invert().unwrap();
                    assert_eq!(to_big(&inv), a.modpow(&(&m - 2u8), &m));
                    assert_eq!(x.mul(&inv), F::ONE);
                }
            }

            #[test]
            fn pow_matches() {
                let m = modulus();
                let mut rng = Rng($seed ^ 0x33);
                let mut exps = vec![
                    BigUint::from(0u8),
                    BigUint::from(1u8),
                    BigUint::from(2u8),
                    BigUint::from(16u8),
                    BigUint::from(0x1_0000_0001u64),
                    &m - 1u8,
                    (BigUint::from(1u8) << 1024) - 1u8,
                ];
                for _ in 0..3 {
                    exps.push(rng.wide());
                }
                let bases = [
                    rng.wide() % &m,
                    &m - 1u8,
                    BigUint::from(0u8),
                    BigUint::from(2u8),
                ];
                for e in &exps {
                    let el = limbs_of(e);
                    for a in &bases {
                        let x = from_big(a);
                        let want = a.modpow(e, &m);
                        assert_eq!(to_big(&x.pow(&el)), want);
                        assert_eq!(to_big(&x.pow_vartime(&el)), want);
                        // a shorter slice with the same value
                        let len = e.iter_u64_digits().len();
                        assert_eq!(to_big(&x.pow_vartime(&el[..len])), want);
                    }
                }
                assert_eq!(F::from_u64(3).pow_vartime(&[]), F::ONE);
            }

            #[test]
            fn traits_and_ops() {
                let mut rng = Rng($seed ^ 0x11);
                let m = modulus();
                let a = rng.wide() % &m;
                let b = rng.wide() % &m;
                let (x, y) = (from_big(&a), from_big(&b));
                assert_eq!(x + y, x.add(&y));
                assert_eq!(&x + &y, x.add(&y));
                assert_eq!(x - y, x.sub(&y));
                assert_eq!(&x - &y, x.sub(&y));
                assert_eq!(x * y, x.mul(&y));
                assert_eq!(&x * &y, x.mul(&y));
                assert_eq!(-x, x.neg());
                assert_eq!(-&x, x.neg());
                let mut z = x;
                z += y;
                z -= x;
                z *= y;
                assert_eq!(z, y.square());
                z += &x;
                z -= &x;
                z *= &F::ONE;
                assert_eq!(z, y.square());
                assert!(bool::from(x.ct_eq(&x)));
                assert!(!bool::from(x.ct_eq(&y)));
                assert_eq!(F::conditional_select(&x, &y, Choice::from(0)), x);
                assert_eq!(F::conditional_select(&x, &y, Choice::from(1)), y);
                assert!(bool::from(F::ZERO.is_zero()));
                assert!(!bool::from(F::ONE.is_zero()));
                assert!(bool::from(x.sub(&x).is_zero()));
                assert_eq!(F::default(), F::ZERO);
                assert_eq!(format!("{x:?}"), format!("{}(..)", stringify!($F)));
                let mut s = x;
                zeroize::Zeroize::zeroize(&mut s);
                assert_eq!(s, F::ZERO);
            }
        }
    };
}

prime_field_tests!(fp, Fp, hex_field("p"), 0x0123_4567_89ab_cdef);
prime_field_tests!(fq, Fq, hex_field("q"), 0xfedc_ba98_7654_3210);

#[test]
fn moduli_match_the_rfc_and_q_is_p_plus_one_over_four() {
    let p = hex_field("p");
    let q = hex_field("q");
    assert_eq!(BigUint::from_bytes_be(&Fp::MODULUS_BE), p);
    assert_eq!(BigUint::from_bytes_be(&Fq::MODULUS_BE), q);
    assert_eq!(&q * 4u8, &p + 1u8);
    assert_eq!(p.bits(), 1024);
    assert_eq!(q.bits(), 1022);
    assert_eq!(&p % 4u8, BigUint::from(3u8));
}

mod fp2 {
    use super::*;

    type Pair = (BigUint, BigUint);

    fn p() -> BigUint {
        hex_field("p")
    }

    fn fp(n: &BigUint) -> Fp {
        Fp::from_be_bytes(&be128(n)).unwrap()
    }

    fn to_pair(x: &Fp2) -> Pair {
        (
            BigUint::from_bytes_be(&x.c0.to_be_bytes()),
            BigUint::from_bytes_be(&x.c1.to_be_bytes()),
        )
    }

    fn from_pair(a: &Pair) -> Fp2 {
        Fp2::new(fp(&a.0), fp(&a.1))
    }

    /// (a + bi)(c + di) = (ac - bd) + (ad + bc) i mod p
    fn model_mul(x: &Pair, y: &Pair) -> Pair {
        let p = p();
        let re = (&x.0 * &y.0 + &p * &p - (&x.1 * &y.1) % &p * 1u8) % &p;
        let im = (&x.0 * &y.1 + &x.1 * &y.0) % &p;
        (re, im)
    }

    fn model_pow(x: &Pair, e: &BigUint) -> Pair {
        let mut acc = (BigUint::from(1u8), BigUint::from(0u8));
        for i in (0..e.bits()).rev() {
            acc = model_mul(&acc, &acc);
            if e.bit(i) {
                acc = model_mul(&acc, x);
            }
        }
        acc
    }

    fn samples() -> Vec<Pair> {
        let p = p();
        let z = BigUint::from(0u8);
        let one = BigUint::from(1u8);
        let mut v = vec![
            (z.clone(), z.clone()),
            (one.clone(), z.clone()),
            (z.clone(), one.clone()),
            (&p - 1u8, &p - 1u8),
            (&p - 1u8, z.clone()),
            (z.clone(), &p - 1u8),
            (&p - 2u8, &p - 1u8),
        ];
        let mut rng = Rng(0x2468_ace0_1357_9bdf);
        for _ in 0..10 {
            v.push((rng.wide() % &p, rng.wide() % &p));
        }
        v
    }

    #[test]
    fn mul_square_match_model() {
        for a in samples() {
            let x = from_pair(&a);
            assert_eq!(to_pair(&x.square()), model_mul(&a, &a));
            for b in samples() {
                let y = from_pair(&b);
                assert_eq!(to_pair(&x.mul(&y)), model_mul(&a, &b));
                assert_eq!(x * y, x.mul(&y));
            }
        }
    }

    #[test]
    fn add_sub_neg_conjugate_mul_by_fp() {
        let p = p();
        let k = (p.clone() - 5u8, BigUint::from(0u8));
        for a in samples() {
            let x = from_pair(&a);
            for b in samples() {
                let y = from_pair(&b);
                assert_eq!(to_pair(&(x + y)), ((&a.0 + &b.0) % &p, (&a.1 + &b.1) % &p));
                assert_eq!(
                    to_pair(&(x - y)),
                    ((&a.0 + &p - &b.0) % &p, (&a.1 + &p - &b.1) % &p)
                );
            }
            assert_eq!(to_pair(&x.neg()), ((&p - &a.0) % &p, (&p - &a.1) % &p));
            assert_eq!(to_pair(&x.double()), ((&a.0 * 2u8) % &p, (&a.1 * 2u8) % &p));
            assert_eq!(to_pair(&x.conjugate()), (a.0.clone(), (&p - &a.1) % &p));
            assert_eq!(to_pair(&x.mul_by_fp(&fp(&k.0))), model_mul(&a, &k));
            // the product with the conjugate is the norm, in F_p
            let n = x.mul(&x.conjugate());
            assert!(bool::from(n.c1.is_zero()));
        }
    }

    #[test]
    fn invert_matches() {
        assert!(bool::from(Fp2::ZERO.invert().is_none()));
        for a in samples().into_iter().skip(1).take(8) {
            let x = from_pair(&a);
            let inv = x.invert().unwrap();
            assert_eq!(x * inv, Fp2::ONE);
        }
    }

    #[test]
    fn pow_matches_model() {
        let mut rng = Rng(0x1122_3344_5566_7788);
        let p = p();
        let x_pair = (rng.wide() % &p, rng.wide() % &p);
        let x = from_pair(&x_pair);
        for e in [
            BigUint::from(0u8),
            BigUint::from(1u8),
            BigUint::from(5u8),
            hex_field("q"),
            rng.wide(),
        ] {
            let el = limbs_of(&e);
            let want = model_pow(&x_pair, &e);
            assert_eq!(to_pair(&x.pow(&el)), want);
            assert_eq!(to_pair(&x.pow_vartime(&el)), want);
        }
        // (p+1) = 4q: an element of norm 1 raised to p + 1 is 1; x^(p^2 - 1) = 1
        let pm1 = limbs_of(&(&p - 1u8));
        let pp1 = limbs_of(&(&p + 1u8));
        let unit = x.pow_vartime(&pm1); // x^(p-1) has norm 1
        assert_eq!(unit.pow_vartime(&pp1), Fp2::ONE);
    }

    #[test]
    fn traits() {
        let a = from_pair(&samples()[9]);
        let b = from_pair(&samples()[10]);
        assert!(bool::from(a.ct_eq(&a)));
        assert!(!bool::from(a.ct_eq(&b)));
        assert_eq!(Fp2::conditional_select(&a, &b, Choice::from(1)), b);
        assert!(bool::from(Fp2::ZERO.is_zero()));
        assert!(!bool::from(Fp2::new(Fp::ZERO, Fp::ONE).is_zero()));
        assert_eq!(Fp2::default(), Fp2::ZERO);
        let mut c = a;
        c += b;
        c -= b;
        c *= Fp2::ONE;
        assert_eq!(c, a);
        assert_eq!(-(-a), a);
        assert_eq!(format!("{a:?}"), "Fp2(..)");
        let mut s = a;
        zeroize::Zeroize::zeroize(&mut s);
        assert_eq!(s, Fp2::ZERO);
        // i^2 = -1
        let i = Fp2::new(Fp::ZERO, Fp::ONE);
        assert_eq!(i.square(), -Fp2::ONE);
    }
}
