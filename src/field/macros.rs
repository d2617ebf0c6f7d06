//! Macros that stamp out the prime field types and the operator traits.

/// `Add`, `Sub`, `Mul` (by value and by reference, and mixed), `Neg`, and the `*Assign` forms,
/// all delegating to the inherent `add`, `sub`, `mul` and `neg` methods.
macro_rules! impl_field_ops {
    ($t:ty) => {
        impl_field_ops!(@binary $t, Add, add, AddAssign, add_assign);
        impl_field_ops!(@binary $t, Sub, sub, SubAssign, sub_assign);
        impl_field_ops!(@binary $t, Mul, mul, MulAssign, mul_assign);

        impl core::ops::Neg for $t {
            type Output = $t;
            #[inline]
            fn neg(self) -> $t {
                <$t>::neg(&self)
            }
        }

        impl core::ops::Neg for &$t {
            type Output = $t;
            #[inline]
            fn neg(self) -> $t {
                <$t>::neg(self)
            }
        }
    };
    (@binary $t:ty, $tr:ident, $m:ident, $tra:ident, $ma:ident) => {
        impl core::ops::$tr<$t> for $t {
            type Output = $t;
            #[inline]
            fn $m(self, rhs: $t) -> $t {
                <$t>::$m(&self, &rhs)
            }
        }

        impl core::ops::$tr<&$t> for &$t {
            type Output = $t;
            #[inline]
            fn $m(self, rhs: &$t) -> $t {
                <$t>::$m(self, rhs)
            }
        }

        impl core::ops::$tr<&$t> for $t {
            type Output = $t;
            #[inline]
            fn $m(self, rhs: &$t) -> $t {
                <$t>::$m(&self, rhs)
            }
        }

        impl core::ops::$tr<$t> for &$t {
            type Output = $t;
            #[inline]
            fn $m(self, rhs: $t) -> $t {
                <$t>::$m(self, &rhs)
            }
        }

        impl core::ops::$tra<$t> for $t {
            #[inline]
            fn $ma(&mut self, rhs: $t) {
                *self = <$t>::$m(self, &rhs);
            }
        }

        impl core::ops::$tra<&$t> for $t {
            #[inline]
            fn $ma(&mut self, rhs: &$t) {
                *self = <$t>::$m(self, rhs);
            }
        }
    };
}

/// A prime field type over a [`crate::field::arith::FieldParams`] type.
macro_rules! prime_field {
    ($(#[$doc:meta])* $name:ident, $params:ty, $modname:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Default)]
        pub struct $name([u64; $crate::field::LIMBS]);

        impl $name {
            /// Zero.
            pub const ZERO: Self = Self([0; $crate::field::LIMBS]);
            /// One.
            pub const ONE: Self = Self(<$params as $crate::field::arith::FieldParams>::R);
            #[doc = concat!("The modulus ", $modname, ", big-endian (128 octets).")]
            pub const MODULUS_BE: [u8; $crate::field::BYTES] =
                $crate::field::arith::limbs_to_be_bytes(
                    &<$params as $crate::field::arith::FieldParams>::MODULUS,
                );

            /// Canonical decoding of a big-endian 128-octet integer: `None` unless the value is
            #[doc = concat!("below ", $modname, ". Constant time.")]
            #[inline]
            pub fn from_be_bytes(
                bytes: &[u8; $crate::field::BYTES],
            ) -> p256::elliptic_curve::subtle::CtOption<Self> {
                let raw = $crate::field::arith::limbs_from_be(bytes);
                let ok = $crate::field::arith::is_canonical::<$params>(&raw);
                p256::elliptic_curve::subtle::CtOption::new(
                    Self($crate::field::arith::from_raw_reduce::<$params>(&raw)),
                    ok,
                )
            }

            /// Any big-endian 128-octet integer (0 to 2^1024 - 1), reduced modulo
            #[doc = concat!(" ", $modname, ". Constant time.")]
            #[inline]
            pub fn from_be_bytes_reduce(bytes: &[u8; $crate::field::BYTES]) -> Self {
                Self($crate::field::arith::from_raw_reduce::<$params>(
                    &$crate::field::arith::limbs_from_be(bytes),
                ))
            }

            /// A big-endian integer of any length (also empty, which is zero), reduced modulo
            #[doc = concat!(" ", $modname, ". Variable time in the length only: for public")]
            /// data such as an identifier read as an integer.
            pub fn from_be_slice_reduce_vartime(bytes: &[u8]) -> Self {
                Self($crate::field::arith::from_be_slice_reduce_vartime::<$params>(bytes))
            }

            /// The canonical big-endian 128-octet encoding. Constant time.
            #[inline]
            pub fn to_be_bytes(&self) -> [u8; $crate::field::BYTES] {
                $crate::field::arith::limbs_to_be(&self.to_canonical_limbs())
            }

            /// The canonical value (not the Montgomery form) as 16 little-endian 64-bit limbs,
            /// e.g. to read scalar bits. Constant time.
            #[inline]
            pub fn to_canonical_limbs(&self) -> [u64; $crate::field::LIMBS] {
                $crate::field::arith::from_mont::<$params>(&self.0)
            }

            /// The element `v`. Constant time.
            #[inline]
            pub fn from_u64(v: u64) -> Self {
                let mut l = [0u64; $crate::field::LIMBS];
                l[0] = v;
                Self($crate::field::arith::from_raw_reduce::<$params>(&l))
            }

            /// `self + rhs`. Constant time.
            #[inline]
            pub fn add(&self, rhs: &Self) -> Self {
                Self($crate::field::arith::add::<$params>(&self.0, &rhs.0))
            }

            /// `self - rhs`. Constant time.
            #[inline]
            pub fn sub(&self, rhs: &Self) -> Self {
                Self($crate::field::arith::sub::<$params>(&self.0, &rhs.0))
            }

            /// `-self` (zero stays zero). Constant time.
            #[inline]
            pub fn neg(&self) -> Self {
                Self($crate::field::arith::sub::<$params>(&[0; $crate::field::LIMBS], &self.0))
            }

            /// `2 * self`. Constant time.
            #[inline]
            pub fn double(&self) -> Self {
                Self($crate::field::arith::add::<$params>(&self.0, &self.0))
            }

            /// `self * rhs` (Montgomery multiplication). Constant time.
            #[inline]
            pub fn mul(&self, rhs: &Self) -> Self {
                Self($crate::field::arith::mont_mul::<$params>(&self.0, &rhs.0))
            }

            /// `self^2` (dedicated squaring). Constant time.
            #[inline]
            pub fn square(&self) -> Self {
                Self($crate::field::arith::mont_square::<$params>(&self.0))
            }

            /// The double-width product `self * rhs` of the Montgomery forms, not reduced (for
            /// sums of products reduced once, [`Self::from_wide`]). Constant time.
            #[allow(dead_code)]
            #[inline]
            pub(crate) fn mul_wide(&self, rhs: &Self) -> [u64; 2 * $crate::field::LIMBS] {
                $crate::field::arith::mul_wide(&self.0, &rhs.0)
            }

            /// `(x - y) mod (m * 2^1024)` for double-width values below `m * 2^1024` (such as
            /// [`Self::mul_wide`] products). Constant time.
            #[allow(dead_code)]
            #[inline]
            pub(crate) fn sub_wide(
                x: &[u64; 2 * $crate::field::LIMBS],
                y: &[u64; 2 * $crate::field::LIMBS],
            ) -> [u64; 2 * $crate::field::LIMBS] {
                $crate::field::arith::sub_wide::<$params>(x, y)
            }

            /// The element of a double-width Montgomery value `t < m * 2^1024`: one Montgomery
            /// reduction. Constant time.
            #[allow(dead_code)]
            #[inline]
            pub(crate) fn from_wide(t: &[u64; 2 * $crate::field::LIMBS]) -> Self {
                Self($crate::field::arith::redc_wide::<$params>(t))
            }

            /// Whether `self` is a square modulo the (prime) modulus, 0 included: the Jacobi
            /// symbol of its canonical value (`arith::jacobi_vartime`), not Euler's criterion.
            /// Variable time: for public values only.
            #[allow(dead_code)]
            pub fn is_square_vartime(&self) -> bool {
                let a = self.to_canonical_limbs();
                let m = <$params as $crate::field::arith::FieldParams>::MODULUS;
                $crate::field::arith::jacobi_vartime(&a, &m) >= 0
            }

            /// `self^-1`, `None` for zero. Constant time: Bernstein-Yang divsteps, a fixed
            /// number of masked steps (`field::safegcd`).
            pub fn invert(&self) -> p256::elliptic_curve::subtle::CtOption<Self> {
                let r = Self($crate::field::safegcd::invert::<$params>(&self.0));
                p256::elliptic_curve::subtle::CtOption::new(r, !self.is_zero())
            }

            /// `self^-1` by Fermat, `self^(m - 2)` (a fixed sequence of squarings and
            /// multiplications; zero gives zero): the reference of [`Self::invert`] in tests.
            #[cfg(test)]
            pub(crate) fn invert_fermat(&self) -> Self {
                $crate::field::pow_vartime(
                    self,
                    &<$params as $crate::field::arith::FieldParams>::MODULUS_MINUS_TWO,
                )
            }

            /// `self^exp` for a 1024-bit exponent given as 16 little-endian limbs (`0^0 = 1`).
            /// Constant time in the base and in the exponent (fixed 4-bit window, masked table
            /// reads).
            pub fn pow(&self, exp: &[u64; $crate::field::LIMBS]) -> Self {
                $crate::field::pow_ct(self, exp)
            }

            /// `self^exp` for a public exponent of any length (little-endian limbs). Variable
            /// time in the exponent; use only when the exponent is public.
            pub fn pow_vartime(&self, exp: &[u64]) -> Self {
                $crate::field::pow_vartime(self, exp)
            }

            /// Whether `self` is zero. Constant time.
            #[inline]
            pub fn is_zero(&self) -> p256::elliptic_curve::subtle::Choice {
                $crate::field::arith::is_zero(&self.0)
            }
        }

        impl $crate::field::PowField for $name {
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

        impl p256::elliptic_curve::subtle::ConstantTimeEq for $name {
            #[inline]
            fn ct_eq(&self, other: &Self) -> p256::elliptic_curve::subtle::Choice {
                // both sides are fully reduced, so equal values have equal limbs
                self.0[..].ct_eq(&other.0[..])
            }
        }

        impl p256::elliptic_curve::subtle::ConditionallySelectable for $name {
            #[inline]
            fn conditional_select(
                a: &Self,
                b: &Self,
                choice: p256::elliptic_curve::subtle::Choice,
            ) -> Self {
                Self($crate::field::arith::select(&a.0, &b.0, choice))
            }
        }

        impl PartialEq for $name {
            /// Constant time (through `ct_eq`).
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                use p256::elliptic_curve::subtle::ConstantTimeEq;
                bool::from(self.ct_eq(other))
            }
        }

        impl Eq for $name {}

        impl core::fmt::Debug for $name {
            /// Prints only the type name: values may be secret.
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                $crate::field::fmt_redacted(stringify!($name), f)
            }
        }

        impl zeroize::DefaultIsZeroes for $name {}

        impl_field_ops!($name);
    };
}
