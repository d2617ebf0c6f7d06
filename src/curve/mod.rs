//! The elliptic curve of SAKKE parameter set 1 (RFC 6508, RFC 6509 Appendix A):
//! `E: y^2 = x^3 - 3x` over F_p, p a 1024-bit prime with p = 3 mod 4.
//!
//! `#E(F_p) = p + 1 = 4q` with q prime (1022 bits). Since 3 is not a square mod p, the only
//! F_p-rational point of order 2 is `T = (0, 0)`, and `E(F_p)` is cyclic of order 4q: besides
//! the order-q subgroup `<P>` there are points of order 2, 4, 2q and 4q.
//!
//! # Formulas and the inputs they are correct for
//!
//! Points are kept in homogeneous projective coordinates `(X : Y : Z)`, `(x, y) = (X/Z, Y/Z)`,
//! with the identity `O = (0 : 1 : 0)`.
//!
//! * [`Point::add`] is the complete addition law of Renes, Costello and Batina
//!   ("Complete addition formulas for prime order elliptic curves", 2016, Algorithm 4 for
//!   a = -3) specialised to b = 0. The exceptional pairs of this addition law (Bosma and
//!   Lenstra) are exactly the pairs `(P1, P2)` whose difference `P1 - P2` is a point of order 2,
//!   which on `E(F_p)` means `P1 - P2 = T = (0, 0)`. For those pairs (for example `O + T`,
//!   `T + O`, or `R + (R + T)` for any R) all three output coordinates are zero: the result is
//!   the *invalid value* `(0 : 0 : 0)`, which is no point. It is not the identity
//!   ([`Point::is_identity`] is false), it compares equal only to itself, and
//!   [`Point::to_affine`] and [`Point::to_bytes`] return `None` for it. For every other pair of
//!   points of `E(F_p)`, including the identity, `P1 = P2` and `P1 = -P2`, the result is
//!   correct. In particular the addition is complete on the order-q subgroup (a difference of
//!   two points of odd order has odd order), which is where every secret-scalar multiplication
//!   of this crate happens: the bases are P, Z_T, `[b]P + Z_T` or points that passed
//!   [`Point::from_bytes_vartime`].
//! * [`Point::double`] is the same law with `P1 = P2` (RCB Algorithm 6 with b = 0). Its
//!   difference is always O, so doubling is correct for every point of `E(F_p)`, including O
//!   and T (`[2]T = O`).
//! * [`Point::mul`] and [`FixedBase::mul`] are correct for points of the order-q subgroup
//!   (including the identity). For other points (order 2, 4, 2q or 4q) an intermediate sum may
//!   be exceptional and the result is unspecified (it may be the invalid value).
//! * [`Point::mul_vartime`] works in Jacobian coordinates with explicit (variable-time)
//!   handling of O and `P1 = ±P2`, and is correct for every point of `E(F_p)` and every
//!   scalar; so is [`Point::is_torsion_free_vartime`], which [`Point::from_bytes_vartime`]
//!   relies on.
//!
//! # Constant time
//!
//! [`Point::add`], [`Point::double`], [`Point::neg`], [`Point::to_affine`], [`Point::to_bytes`],
//! [`Point::mul`] and [`FixedBase::mul`] have no branch and no memory index that depends on the
//! point or the scalar: the scalar is recoded into signed radix-16 digits with arithmetic only,
//! table entries are chosen by a scan over the whole table with conditional moves, and the
//! sign is applied with a conditional negation. Functions ending in `_vartime` are for public
//! data only.

mod edwards;
mod fixed_base;
mod jacobian;
#[cfg(test)]
mod tests;

pub use fixed_base::FixedBase;

use jacobian::Jacobian;

use crate::field::{Fp, Fq};
use p256::elliptic_curve::subtle::{Choice, ConditionallySelectable, ConstantTimeEq, CtOption};
use zeroize::Zeroize;

/// Octets of an encoded point: `0x04 || x (128) || y (128)`.
pub const POINT_BYTES: usize = 257;

/// Octets of a coordinate.
const COORD_BYTES: usize = 128;

/// Signed radix-16 digits of a scalar below 2^1023 (`1024 / 4`).
const WINDOWS: usize = 256;

/// Decodes a hex string of exactly `2 * N` lower-case digits at compile time.
const fn hex<const N: usize>(s: &str) -> [u8; N] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not a lower-case hex digit"),
        }
    }
    let s = s.as_bytes();
    assert!(s.len() == 2 * N);
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = (nibble(s[2 * i]) << 4) | nibble(s[2 * i + 1]);
        i += 1;
    }
    out
}

/// x-coordinate of the base point P of parameter set 1 (RFC 6509 Appendix A), big-endian.
const PX: [u8; COORD_BYTES] = hex(concat!(
    "53fc09ee332c29ad0a7990053ed9b52a2b1a2fd60aec69c698b2f204b6ff7cbf",
    "b5edb6c0f6ce2308ab10db9030b09e1043d5f22cdb9dfa55718bd9e7406ce890",
    "9760af765dd5bccb337c86548b72f2e1a702c3397a60de74a7c1514dba66910d",
    "d5cfb4cc80728d87ee9163a5b63f73ec80ec46c4967e0979880dc8abeae63895",
));

/// y-coordinate of the base point P of parameter set 1 (RFC 6509 Appendix A), big-endian.
const PY: [u8; COORD_BYTES] = hex(concat!(
    "0a8249063f6009f1f9f1f0533634a135d3e82016029906963d778d821e141178",
    "f5ea69f4654ec2b9e7f7f5e5f0de55f66b598ccf9a140b2e416cff0ca9e032b9",
    "70dae117ad547c6ccad696b5b7652fe0ac6f1e80164aa989492d979fc5a4d5f2",
    "13515ad7e9cb99a980bdad5ad5bb4636adb9b5706a67dcde75573fd71bef16d7",
));

/// A point of `E(F_p)` in homogeneous projective coordinates `(X : Y : Z)`.
///
/// The identity is `(0 : 1 : 0)`. See the [module documentation](self) for the inputs each
/// operation is correct for. Equality ([`ConstantTimeEq`]) is projective equality.
#[derive(Clone, Copy)]
pub struct Point {
    x: Fp,
    y: Fp,
    z: Fp,
}

impl Point {
    /// The identity (point at infinity), `(0 : 1 : 0)`.
    pub const IDENTITY: Point = Point {
        x: Fp::ZERO,
        y: Fp::ONE,
        z: Fp::ZERO,
    };

    /// The base point P of SAKKE parameter set 1 (RFC 6509 Appendix A), of order q.
    pub fn generator() -> Point {
        let x = Fp::from_be_bytes(&PX).unwrap();
        let y = Fp::from_be_bytes(&PY).unwrap();
        Point::from_affine(x, y)
    }

    /// The point `(x : y : 1)`. No check: the caller guarantees that `(x, y)` is on the curve.
    pub fn from_affine(x: Fp, y: Fp) -> Point {
        Point { x, y, z: Fp::ONE }
    }

    /// The affine coordinates `(x, y)`; `None` for the identity (and for the invalid value
    /// `(0 : 0 : 0)`). Constant time. (`CtOption::unwrap_or` needs `ConditionallySelectable`,
    /// which tuples lack: [`Point::to_affine_or_zero`] gives the same without a `CtOption`.)
    pub fn to_affine(&self) -> CtOption<(Fp, Fp)> {
        let (x, y, is_some) = self.to_affine_or_zero();
        CtOption::new((x, y), is_some)
    }

    /// `(x, y, Choice(1))`, or `(0, 0, Choice(0))` for the identity (and for the invalid value
    /// `(0 : 0 : 0)`). Constant time: one field inversion, no branch.
    pub fn to_affine_or_zero(&self) -> (Fp, Fp, Choice) {
        let z_inv = self.z.invert();
        let is_some = z_inv.is_some();
        let z_inv = z_inv.unwrap_or(Fp::ZERO);
        (self.x * z_inv, self.y * z_inv, is_some)
    }

    /// `self + rhs`, constant time: the complete formulas of Renes-Costello-Batina for a = -3,
    /// b = 0 (12 multiplications). Correct for every pair except those with
    /// `self - rhs = (0, 0)`, for which the result is the invalid value `(0 : 0 : 0)`; see the
    /// [module documentation](self).
    pub fn add(&self, rhs: &Point) -> Point {
        let t0 = self.x * rhs.x;
        let t1 = self.y * rhs.y;
        let t2 = self.z * rhs.z;
        // X1 Y2 + X2 Y1
        let t3 = (self.x + self.y) * (rhs.x + rhs.y) - t0 - t1;
        // Y1 Z2 + Y2 Z1
        let t4 = (self.y + self.z) * (rhs.y + rhs.z) - t1 - t2;
        // X1 Z2 + X2 Z1
        let s = (self.x + self.z) * (rhs.x + rhs.z) - t0 - t2;
        add_tail(t0, t1, t2, t3, t4, s)
    }

    /// `[2]self`, constant time: RCB Algorithm 6 (a = -3) with b = 0 (8 multiplications and 3
    /// squarings). Correct for every point of `E(F_p)`.
    pub fn double(&self) -> Point {
        let t0 = self.x.square();
        let t1 = self.y.square();
        let t2 = self.z.square();
        let xy2 = (self.x * self.y).double();
        let xz = self.x * self.z;
        let xz6 = (xz.double() + xz).double();
        // Y^2 + 6XZ and Y^2 - 6XZ
        let u = t1 + xz6;
        let v = t1 - xz6;
        let t0_3 = t0.double() + t0;
        let t2_3 = t2.double() + t2;
        // -9Z^2 - 3X^2 and 3X^2 - 3Z^2
        let w = -(t2_3.double() + t2_3 + t0_3);
        let e = t0_3 - t2_3;
        let yz2 = (self.y * self.z).double();
        Point {
            x: u * xy2 - yz2 * w,
            y: u * v + e * w,
            z: (yz2 * t1).double().double(),
        }
    }

    /// `-self`, constant time.
    pub fn neg(&self) -> Point {
        Point {
            x: self.x,
            y: -self.y,
            z: self.z,
        }
    }

    /// Whether `self` is the identity (`Z = 0` and `Y != 0`; the invalid value `(0 : 0 : 0)` is
    /// not the identity). Constant time.
    pub fn is_identity(&self) -> Choice {
        self.z.is_zero() & !self.y.is_zero()
    }

    /// `[k]self`, constant time in `k` and in the point: signed radix-16 fixed window (a table
    /// of `[0]self ..= [8]self`, 1020 doublings and 255 additions), every table entry read
    /// with conditional moves. Correct for `self` in the order-q subgroup (including the
    /// identity); unspecified for other points.
    pub fn mul(&self, k: &Fq) -> Point {
        let mut digits = recode_signed_radix16(k);

        let mut table = [Point::IDENTITY; 9];
        table[1] = *self;
        for j in 2..table.len() {
            table[j] = if j % 2 == 0 {
                table[j / 2].double()
            } else {
                table[j - 1].add(self)
            };
        }

        let mut acc = select_projective(&table, digits[WINDOWS - 1]);
        for &digit in digits[..WINDOWS - 1].iter().rev() {
            acc = acc.double().double().double().double();
            acc = acc.add(&select_projective(&table, digit));
        }
        digits.zeroize();
        acc
    }

    /// `[k]self` for a public scalar `k` of any width (little-endian 64-bit limbs), in variable
    /// time: width-5 wNAF in Jacobian coordinates with explicit handling of O and `P1 = ±P2`. Correct for every point of `E(F_p)` and every `k` (including 0 and
    /// multiples of the order). Only for public scalars and points.
    pub fn mul_vartime(&self, k_le_limbs: &[u64]) -> Point {
        const W: usize = 5;
        let naf = wnaf_vartime(k_le_limbs, W);
        let Some(top) = naf.iter().rposition(|&d| d != 0) else {
            return Point::IDENTITY;
        };

        // Odd multiples self, [3]self, ..., [15]self.
        let base = Jacobian::from_point(self);
        let mut odd = [base; 1 << (W - 2)];
        let twice = base.double_vartime();
        for j in 1..odd.len() {
            odd[j] = odd[j - 1].add_vartime(&twice);
        }

        let mut acc = Jacobian::IDENTITY;
        for &digit in naf[..=top].iter().rev() {
            acc = acc.double_vartime();
            if digit > 0 {
                acc = acc.add_vartime(&odd[(digit as usize) / 2]);
            } else if digit < 0 {
                acc = acc.add_vartime(&odd[(digit.unsigned_abs() as usize) / 2].neg());
            }
        }
        acc.to_point()
    }

    /// Whether `[q]self` is the identity, i.e. `self` lies in the order-q subgroup. Correct for
    /// every point of `E(F_p)`. Variable time: for public points only.
    pub fn is_torsion_free_vartime(&self) -> bool {
        bool::from(self.mul_vartime(&q_limbs()).is_identity())
    }

    /// Parses a point received from outside: exactly [`POINT_BYTES`] octets `0x04 || x || y`
    /// with `x, y < p`, on the curve, not `(0, 0)`, and in the order-q subgroup (which also
    /// excludes the identity, which has no such encoding). Variable time: for public points.
    ///
    /// The subgroup test is [`in_order_q_subgroup_vartime`] (2-descent, two square roots and
    /// one or two Jacobi symbols) rather than `[q]R = O` (1022 doublings), which it matches on
    /// every point of `E(F_p)` (tests/curve.rs).
    pub fn from_bytes_vartime(bytes: &[u8]) -> Option<Point> {
        let (x, y) = Self::affine_from_bytes_vartime(bytes)?;
        if !in_order_q_subgroup_vartime(&x) {
            return None;
        }
        Some(Point::from_affine(x, y))
    }

    /// The checks of [`Point::from_bytes_vartime`] without the subgroup test: the affine
    /// coordinates of `0x04 || x || y` with `x, y < p`, on the curve and not `(0, 0)`. For a
    /// public point whose subgroup membership is implied by a later check (SAKKE
    /// decapsulation's `[r]([b]P + Z_T) = R`). Variable time.
    pub fn affine_from_bytes_vartime(bytes: &[u8]) -> Option<(Fp, Fp)> {
        if bytes.len() != POINT_BYTES || bytes[0] != 0x04 {
            return None;
        }
        let x_bytes: &[u8; COORD_BYTES] = bytes[1..1 + COORD_BYTES].try_into().ok()?;
        let y_bytes: &[u8; COORD_BYTES] = bytes[1 + COORD_BYTES..].try_into().ok()?;
        let x = Option::<Fp>::from(Fp::from_be_bytes(x_bytes))?;
        let y = Option::<Fp>::from(Fp::from_be_bytes(y_bytes))?;
        // (0, 0) is on the curve and has order 2; the subgroup check would reject it too, but
        // it is the one input the addition formulas treat specially, so it is named here.
        if bool::from(x.is_zero() & y.is_zero()) {
            return None;
        }
        if !is_on_curve(&x, &y) {
            return None;
        }
        Some((x, y))
    }

    /// Decodes a secret point (an RSK) in constant time, with the checks of
    /// [`Point::from_bytes_vartime`] except the subgroup test, which the caller makes another
    /// way (the Miller loop over an RSK ends on [q-1]K): the affine coordinates and whether the
    /// octets are `0x04 || x || y` with x, y < p, on the curve and not (0, 0). Only the length
    /// is treated as public.
    pub fn affine_from_bytes_ct(bytes: &[u8]) -> (Fp, Fp, Choice) {
        if bytes.len() != POINT_BYTES {
            return (Fp::ZERO, Fp::ZERO, Choice::from(0));
        }
        let x_bytes: &[u8; COORD_BYTES] = bytes[1..1 + COORD_BYTES]
            .try_into()
            .unwrap_or(&[0; COORD_BYTES]);
        let y_bytes: &[u8; COORD_BYTES] = bytes[1 + COORD_BYTES..]
            .try_into()
            .unwrap_or(&[0; COORD_BYTES]);
        let (x, y) = (Fp::from_be_bytes(x_bytes), Fp::from_be_bytes(y_bytes));
        let canonical = x.is_some() & y.is_some();
        let (x, y) = (x.unwrap_or(Fp::ZERO), y.unwrap_or(Fp::ZERO));
        let valid = bytes[0].ct_eq(&0x04)
            & canonical
            & !(x.is_zero() & y.is_zero())
            & is_on_curve_ct(&x, &y);
        (x, y, valid)
    }

    /// The encoding `0x04 || x || y` (128-octet big-endian coordinates); `None` for the
    /// identity (and for the invalid value). Constant time.
    pub fn to_bytes(&self) -> CtOption<[u8; POINT_BYTES]> {
        let (x, y, is_some) = self.to_affine_or_zero();
        let mut out = [0u8; POINT_BYTES];
        out[0] = 0x04;
        out[1..1 + COORD_BYTES].copy_from_slice(&x.to_be_bytes());
        out[1 + COORD_BYTES..].copy_from_slice(&y.to_be_bytes());
        CtOption::new(out, is_some)
    }
}

impl ConstantTimeEq for Point {
    /// Projective equality: `X1 Z2 = X2 Z1` and `Y1 Z2 = Y2 Z1`, and both or neither are the
    /// identity. The invalid value `(0 : 0 : 0)` equals only itself.
    fn ct_eq(&self, other: &Self) -> Choice {
        (self.x * other.z).ct_eq(&(other.x * self.z))
            & (self.y * other.z).ct_eq(&(other.y * self.z))
            & self.z.is_zero().ct_eq(&other.z.is_zero())
            & self.y.is_zero().ct_eq(&other.y.is_zero())
    }
}

impl ConditionallySelectable for Point {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Point {
            x: Fp::conditional_select(&a.x, &b.x, choice),
            y: Fp::conditional_select(&a.y, &b.y, choice),
            z: Fp::conditional_select(&a.z, &b.z, choice),
        }
    }
}

/// The common second half of the complete addition (RCB Algorithm 4, a = -3, b = 0) given
/// `t0 = X1X2`, `t1 = Y1Y2`, `t2 = Z1Z2`, `t3 = X1Y2 + X2Y1`, `t4 = Y1Z2 + Y2Z1` and
/// `s = X1Z2 + X2Z1`:
///
/// ```text
/// X3 = t3 (t1 + 3s) + t4 (3 t0 + 9 t2)
/// Y3 = (t1 + 3s)(t1 - 3s) - (3 t0 - 3 t2)(3 t0 + 9 t2)
/// Z3 = t4 (t1 - 3s) + t3 (3 t0 - 3 t2)
/// ```
#[inline(always)]
fn add_tail(t0: Fp, t1: Fp, t2: Fp, t3: Fp, t4: Fp, s: Fp) -> Point {
    let s3 = s.double() + s;
    let u = t1 + s3;
    let v = t1 - s3;
    let t0_3 = t0.double() + t0;
    let t2_3 = t2.double() + t2;
    // -(3 t0 + 9 t2)
    let w = -(t2_3.double() + t2_3 + t0_3);
    // 3 t0 - 3 t2
    let e = t0_3 - t2_3;
    Point {
        x: t3 * u - t4 * w,
        y: u * v + e * w,
        z: t4 * v + t3 * e,
    }
}

/// Whether `y^2 = x^3 - 3x`.
fn is_on_curve(x: &Fp, y: &Fp) -> bool {
    bool::from(is_on_curve_ct(x, y))
}

/// Whether y^2 = x^3 - 3x, in constant time.
fn is_on_curve_ct(x: &Fp, y: &Fp) -> Choice {
    let x2 = x.square();
    let rhs = (x2 - Fp::from_u64(3)) * *x;
    y.square().ct_eq(&rhs)
}

/// q as little-endian 64-bit limbs.
/// A square root of `a` in F_p, if `a` is a square: `a^((p+1)/4)` (p = 3 mod 4), and
/// (p + 1)/4 = q. Variable time in nothing but the public exponent; for public values.
fn sqrt_vartime(a: &Fp) -> Option<Fp> {
    let s = a.pow_vartime(&q_limbs());
    bool::from(s.square().ct_eq(a)).then_some(s)
}

/// Whether the point R = (x0, y0) of E(F_p), R != (0, 0), lies in the order-q subgroup, which
/// is 4E(F_p) (E(F_p) is cyclic of order 4q). By 2-descent through the 2-isogeny
/// phi: E -> E': Y^2 = X^3 + 12X with kernel {O, (0, 0)}, [2] = phi^ o phi:
/// * R is in phi^(E'(F_p)) iff X^2 - 4 x0 X + 12 = 0 has a root, i.e. x0^2 - 3 = d^2;
/// * the two roots X = 2(x0 +- d) have product 12, not a square (3 is not), so exactly one is
///   a square, i.e. lies in phi(E(F_p)) (the kernel of X -> X mod squares); so R is in 2E
///   iff d exists. That X = 2u is the one for which x^2 - X x - 3 = 0 has roots, i.e.
///   u^2 + 3 = e^2, and then x = u + e is the x-coordinate of a half S of R ([2]S = R; the other
///   half is S + (0, 0)).
/// * R is in 4E iff S (either half) is in 2E: x^2 - 3 is a square.
///
/// Two square roots and one or two Jacobi symbols (the tests that only ask whether a root
/// exists) in all. Variable time: for public points only.
fn in_order_q_subgroup_vartime(x0: &Fp) -> bool {
    let three = Fp::from_u64(3);
    let Some(d) = sqrt_vartime(&(x0.square() - three)) else {
        return false;
    };
    // Which u has u^2 + 3 square is a Jacobi symbol; only that u's root is computed.
    let halves = [*x0 + d, *x0 - d];
    let Some(u) = halves
        .iter()
        .find(|u| (u.square() + three).is_square_vartime())
    else {
        return false;
    };
    let Some(e) = sqrt_vartime(&(u.square() + three)) else {
        return false;
    };
    let x = *u + e;
    (x.square() - three).is_square_vartime()
}

fn q_limbs() -> [u64; 16] {
    let mut limbs = [0u64; 16];
    for (limb, chunk) in limbs.iter_mut().zip(Fq::MODULUS_BE.rchunks_exact(8)) {
        *limb = u64::from_be_bytes(chunk.try_into().expect("8 octets"));
    }
    limbs
}

/// The signed radix-16 digits `d_0 .. d_255` of `k`: `k = sum d_i 16^i` with `d_i` in
/// `[-8, 8)` for `i < 255` and `d_255` in `[0, 4]` (as `k < q < 2^1022`). Arithmetic only, no
/// branch on `k`.
fn recode_signed_radix16(k: &Fq) -> [i8; WINDOWS] {
    let mut limbs = k.to_canonical_limbs();
    let mut digits = [0i8; WINDOWS];
    let mut carry = 0u8;
    for (i, digit) in digits.iter_mut().enumerate() {
        let window = ((limbs[i / 16] >> ((i % 16) * 4)) & 0xf) as u8;
        let v = window + carry; // 0 ..= 16
        carry = (v + 8) >> 4; // 1 iff v >= 8
        *digit = (v as i8).wrapping_sub((carry << 4) as i8);
    }
    limbs.zeroize();
    digits
}

/// Sign (1 if negative) and absolute value of a digit in `[-8, 8]`, without branches.
#[inline(always)]
fn digit_sign_abs(digit: i8) -> (Choice, u8) {
    let sign = (digit as u8) >> 7;
    let mask = 0u8.wrapping_sub(sign);
    let abs = ((digit as u8) ^ mask).wrapping_add(sign);
    (Choice::from(sign), abs)
}

/// `[digit]` of the point whose multiples `[0] ..= [8]` are in `table`, reading every entry.
fn select_projective(table: &[Point; 9], digit: i8) -> Point {
    let (negative, abs) = digit_sign_abs(digit);
    let mut out = Point::IDENTITY;
    for (j, entry) in table.iter().enumerate() {
        out.conditional_assign(entry, abs.ct_eq(&(j as u8)));
    }
    out.y.conditional_assign(&-out.y, negative);
    out
}

/// Width-`w` non-adjacent form of a public scalar: digits odd or zero, `|d| < 2^(w-1)`, at
/// least `w - 1` zeros after each nonzero digit. Variable time.
fn wnaf_vartime(k: &[u64], w: usize) -> Vec<i8> {
    let width = 1u64 << w;
    let mask = width - 1;
    // Room for the carry out of the top window.
    let len = 64 * k.len() + w + 1;
    let mut naf = vec![0i8; len];
    let limb = |i: usize| k.get(i).copied().unwrap_or(0);
    let mut pos = 0;
    let mut carry = 0u64;
    while pos < len {
        let (idx, bit) = (pos / 64, pos % 64);
        let buf = if bit + w <= 64 {
            limb(idx) >> bit
        } else {
            (limb(idx) >> bit) | (limb(idx + 1) << (64 - bit))
        };
        let window = carry + (buf & mask);
        if window & 1 == 0 {
            pos += 1;
            continue;
        }
        if window < width / 2 {
            carry = 0;
            naf[pos] = window as i8;
        } else {
            carry = 1;
            naf[pos] = (window as i64 - width as i64) as i8;
        }
        pos += w;
    }
    debug_assert_eq!(carry, 0);
    naf
}
