//! [`Fp2`]: F_p^2 = F_p\[i\] / (i^2 + 1), the field of the SAKKE pairing values (p = 3 mod 4, so
//! -1 is not a square in F_p and i^2 + 1 is irreducible).

use p256::elliptic_curve::subtle::{Choice, ConditionallySelectable, ConstantTimeEq, CtOption};

use super::{Fp, LIMBS, PowField};

/// An element `c0 + c1 * i` of F_p^2 (i^2 = -1).
///
/// All methods are constant time except those ending in `_vartime`. `Debug` prints no value;
/// zeroizes as a `DefaultIsZeroes` type. RFC 6508 represents an element a + ib of the pairing
/// group by the F_p element b/a; that conversion belongs to the pairing code.
#[derive(Clone, Copy, Default)]
pub struct Fp2 {
    /// The real part.
    pub c0: Fp,
    /// The coefficient of i.
    pub c1: Fp,
}

impl Fp2 {
    /// Zero.
    pub const ZERO: Self = Self {
        c0: Fp::ZERO,
        c1: Fp::ZERO,
    };
    /// One.
    pub const ONE: Self = Self {
        c0: Fp::ONE,
        c1: Fp::ZERO,
    };

    /// `c0 + c1 * i`.
    #[inline]
    pub const fn new(c0: Fp, c1: Fp) -> Self {
        Self { c0, c1 }
    }

    /// `self + rhs`. Constant time.
    #[inline]
    pub fn add(&self, rhs: &Self) -> Self {
        Self::new(self.c0.add(&rhs.c0), self.c1.add(&rhs.c1))
    }

    /// `self - rhs`. Constant time.
    #[inline]
    pub fn sub(&self, rhs: &Self) -> Self {
        Self::new(self.c0.sub(&rhs.c0), self.c1.sub(&rhs.c1))
    }

    /// `-self`. Constant time.
    #[inline]
    pub fn neg(&self) -> Self {
        Self::new(self.c0.neg(), self.c1.neg())
    }

    /// `2 * self`. Constant time.
    #[inline]
    pub fn double(&self) -> Self {
        Self::new(self.c0.double(), self.c1.double())
    }

    /// `self * rhs` with Karatsuba (3 F_p products):
    /// `(a + bi)(c + di) = (ac - bd) + ((a + b)(c + d) - ac - bd) i`, with lazy reduction: the
    /// three products stay double-width (each below p^2 < p 2^1024), are combined modulo
    /// p 2^1024, and only the two results are reduced (two Montgomery reductions, not three).
    /// Constant time.
    #[inline]
    pub fn mul(&self, rhs: &Self) -> Self {
        let ac = self.c0.mul_wide(&rhs.c0);
        let bd = self.c1.mul_wide(&rhs.c1);
        let s = self.c0.add(&self.c1).mul_wide(&rhs.c0.add(&rhs.c1));
        let re = Fp::sub_wide(&ac, &bd);
        let im = Fp::sub_wide(&Fp::sub_wide(&s, &ac), &bd);
        Self::new(Fp::from_wide(&re), Fp::from_wide(&im))
    }

    /// `self^2` with 2 F_p multiplications: `(a + bi)^2 = (a + b)(a - b) + 2ab i`. Constant time.
    #[inline]
    pub fn square(&self) -> Self {
        let c0 = self.c0.add(&self.c1).mul(&self.c0.sub(&self.c1));
        let c1 = self.c0.mul(&self.c1).double();
        Self::new(c0, c1)
    }

    /// The conjugate `c0 - c1 * i` (the Frobenius map x -> x^p). Constant time.
    #[inline]
    pub fn conjugate(&self) -> Self {
        Self::new(self.c0, self.c1.neg())
    }

    /// `self * k` for `k` in F_p (2 F_p multiplications). Constant time.
    #[inline]
    pub fn mul_by_fp(&self, k: &Fp) -> Self {
        Self::new(self.c0.mul(k), self.c1.mul(k))
    }

    /// `self^-1 = (c0 - c1 i) / (c0^2 + c1^2)`, `None` for zero. Constant time (one F_p
    /// inversion).
    pub fn invert(&self) -> CtOption<Self> {
        let norm = self.c0.square().add(&self.c1.square());
        norm.invert()
            .map(|n| Self::new(self.c0.mul(&n), self.c1.neg().mul(&n)))
    }

    /// Whether `self` is zero. Constant time.
    #[inline]
    pub fn is_zero(&self) -> Choice {
        self.c0.is_zero() & self.c1.is_zero()
    }

    /// `self^exp` for a 1024-bit exponent given as 16 little-endian limbs (`0^0 = 1`).
    /// Constant time in the base and in the exponent (fixed 4-bit window, masked table reads).
    pub fn pow(&self, exp: &[u64; LIMBS]) -> Self {
        super::pow_ct(self, exp)
    }

    /// `self^exp` for a public exponent of any length (little-endian limbs). Variable time in
    /// the exponent; use only when the exponent is public.
    pub fn pow_vartime(&self, exp: &[u64]) -> Self {
        super::pow_vartime(self, exp)
    }
}

impl PowField for Fp2 {
    const ONE_VALUE: Self = Self::ONE;
    #[inline]
    fn field_mul(&self, rhs: &Self) -> Self {
        self.mul(rhs)
    }
    #[inline]
    fn field_square(&self) -> Self {
        self.square()
    }
}

impl ConstantTimeEq for Fp2 {
    #[inline]
    fn ct_eq(&self, other: &Self) -> Choice {
        self.c0.ct_eq(&other.c0) & self.c1.ct_eq(&other.c1)
    }
}

impl ConditionallySelectable for Fp2 {
    #[inline]
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Self::new(
            Fp::conditional_select(&a.c0, &b.c0, choice),
            Fp::conditional_select(&a.c1, &b.c1, choice),
        )
    }
}

impl PartialEq for Fp2 {
    /// Constant time (through `ct_eq`).
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.ct_eq(other))
    }
}

impl Eq for Fp2 {}

impl core::fmt::Debug for Fp2 {
    /// Prints only the type name: values may be secret.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        super::fmt_redacted("Fp2", f)
    }
}

impl zeroize::DefaultIsZeroes for Fp2 {}

impl_field_ops!(Fp2);
