//! Points of P-256 (y^2 = x^3 - 3x + b over GF(p), prime order q) in three representations:
//! affine (tables, encodings), projective with the complete formulas of Renes, Costello and
//! Batina (constant time, secret scalars) and Jacobian with the exceptional cases handled by
//! branches (public data only).

use super::FieldElement;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq, CtOption};
use zeroize::Zeroize;

/// The curve coefficient b (FIPS 186-4 D.1.2.3).
const B: FieldElement = FieldElement::from_be_bytes_const(&[
    0x5a, 0xc6, 0x35, 0xd8, 0xaa, 0x3a, 0x93, 0xe7, 0xb3, 0xeb, 0xbd, 0x55, 0x76, 0x98, 0x86, 0xbc,
    0x65, 0x1d, 0x06, 0xb0, 0xcc, 0x53, 0xb0, 0xf6, 0x3b, 0xce, 0x3c, 0x3e, 0x27, 0xd2, 0x60, 0x4b,
]);

/// Octets of an uncompressed SEC1 point: `0x04 || x || y`.
pub(crate) const SEC1_BYTES: usize = 65;

/// A point other than the identity, in affine coordinates.
#[derive(Clone, Copy)]
pub(crate) struct AffinePoint {
    pub(crate) x: FieldElement,
    pub(crate) y: FieldElement,
}

impl AffinePoint {
    /// The base point G (FIPS 186-4 D.1.2.3).
    pub(crate) const GENERATOR: Self = Self {
        x: FieldElement::from_be_bytes_const(&[
            0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4,
            0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45,
            0xd8, 0x98, 0xc2, 0x96,
        ]),
        y: FieldElement::from_be_bytes_const(&[
            0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f,
            0x9e, 0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68,
            0x37, 0xbf, 0x51, 0xf5,
        ]),
    };

    /// Decodes `0x04 || x || y` (65 octets) with x, y < p and y^2 = x^3 - 3x + b (SEC1 2.3.4
    /// and 3.2.2.1 for an uncompressed point; the identity has no such encoding). The p256
    /// crate is the differential oracle of this check (tests). Variable time: public input
    /// only.
    pub(crate) fn from_sec1_vartime(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != SEC1_BYTES || bytes[0] != 0x04 {
            return None;
        }
        let coordinate = |range: core::ops::Range<usize>| -> Option<FieldElement> {
            FieldElement::from_be_bytes(bytes[range].try_into().ok()?).into()
        };
        let (x, y) = (coordinate(1..33)?, coordinate(33..65)?);
        let three = FieldElement::ONE.double() + FieldElement::ONE;
        let rhs = (x.square() - three) * x + B;
        bool::from(y.square().ct_eq(&rhs)).then_some(Self { x, y })
    }

    /// `0x04 || x || y` (65 octets).
    pub(crate) fn to_sec1(&self) -> [u8; SEC1_BYTES] {
        let mut out = [0u8; SEC1_BYTES];
        out[0] = 0x04;
        out[1..33].copy_from_slice(&self.x.to_be_bytes());
        out[33..].copy_from_slice(&self.y.to_be_bytes());
        out
    }

    pub(crate) fn neg(&self) -> Self {
        Self {
            x: self.x,
            y: -self.y,
        }
    }
}

// CtOption::map needs a default value; any point will do.
impl Default for AffinePoint {
    fn default() -> Self {
        Self::GENERATOR
    }
}

impl Zeroize for AffinePoint {
    fn zeroize(&mut self) {
        self.x.zeroize();
        self.y.zeroize();
    }
}

impl ConditionallySelectable for AffinePoint {
    #[inline(always)]
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Self {
            x: FieldElement::conditional_select(&a.x, &b.x, choice),
            y: FieldElement::conditional_select(&a.y, &b.y, choice),
        }
    }
}

/// A point in projective coordinates (x = X/Z, y = Y/Z; the identity is (0 : 1 : 0)). Every
/// operation is constant time and complete (no exceptional case).
#[derive(Clone, Copy)]
pub(crate) struct ProjectivePoint {
    x: FieldElement,
    y: FieldElement,
    z: FieldElement,
}

impl ProjectivePoint {
    #[allow(dead_code)] // only the tests use it today (the comb starts in Jacobian form)
    pub(crate) const IDENTITY: Self = Self {
        x: FieldElement::ZERO,
        y: FieldElement::ONE,
        z: FieldElement::ZERO,
    };

    // Only the tests use it today (the comb starts from the identity).
    #[allow(dead_code)]
    pub(crate) fn from_affine(p: &AffinePoint) -> Self {
        Self {
            x: p.x,
            y: p.y,
            z: FieldElement::ONE,
        }
    }

    /// self + rhs: Renes-Costello-Batina 2015, algorithm 4 (a = -3), complete. Only the tests
    /// use it today.
    #[allow(dead_code)]
    pub(crate) fn add(&self, rhs: &Self) -> Self {
        let xx = self.x * rhs.x;
        let yy = self.y * rhs.y;
        let zz = self.z * rhs.z;
        let xy = (self.x + self.y) * (rhs.x + rhs.y) - (xx + yy);
        let yz = (self.y + self.z) * (rhs.y + rhs.z) - (yy + zz);
        let xz = (self.x + self.z) * (rhs.x + rhs.z) - (xx + zz);
        Self::finish_add(xx, yy, zz, xy, yz, xz)
    }

    /// self + rhs for an affine rhs: algorithm 5 (a = -3), complete for any self.
    pub(crate) fn add_mixed(&self, rhs: &AffinePoint) -> Self {
        let xx = self.x * rhs.x;
        let yy = self.y * rhs.y;
        let xy = (self.x + self.y) * (rhs.x + rhs.y) - (xx + yy);
        let yz = rhs.y * self.z + self.y;
        let xz = rhs.x * self.z + self.x;
        Self::finish_add(xx, yy, self.z, xy, yz, xz)
    }

    /// The common tail of algorithms 4 and 5 from the products XX, YY, ZZ and the cross terms
    /// XY = X1Y2 + X2Y1, YZ = Y1Z2 + Y2Z1, XZ = X1Z2 + X2Z1.
    #[inline(always)]
    fn finish_add(
        xx: FieldElement,
        yy: FieldElement,
        zz: FieldElement,
        xy: FieldElement,
        yz: FieldElement,
        xz: FieldElement,
    ) -> Self {
        let bzz = xz - B * zz;
        let bzz3 = bzz.double() + bzz;
        let yy_minus = yy - bzz3;
        let yy_plus = yy + bzz3;
        let zz3 = zz.double() + zz;
        let bxz = B * xz - (zz3 + xx);
        let bxz3 = bxz.double() + bxz;
        let xx3_minus_zz3 = xx.double() + xx - zz3;
        Self {
            x: yy_plus * xy - yz * bxz3,
            y: yy_plus * yy_minus + xx3_minus_zz3 * bxz3,
            z: yy_minus * yz + xy * xx3_minus_zz3,
        }
    }

    /// 2 * self: algorithm 6 (a = -3), complete. Only the tests use it today.
    #[allow(dead_code)]
    pub(crate) fn double(&self) -> Self {
        let xx = self.x.square();
        let yy = self.y.square();
        let zz = self.z.square();
        let xy2 = (self.x * self.y).double();
        let xz2 = (self.x * self.z).double();
        let bzz = B * zz - xz2;
        let bzz3 = bzz.double() + bzz;
        let yy_minus = yy - bzz3;
        let yy_plus = yy + bzz3;
        let zz3 = zz.double() + zz;
        let bxz2 = B * xz2 - (zz3 + xx);
        let bxz6 = bxz2.double() + bxz2;
        let xx3_minus_zz3 = xx.double() + xx - zz3;
        let yz2 = (self.y * self.z).double();
        Self {
            x: yy_minus * xy2 - bxz6 * yz2,
            y: yy_plus * yy_minus + xx3_minus_zz3 * bxz6,
            z: (yz2 * yy).double().double(),
        }
    }

    #[allow(dead_code)] // only the tests use it today
    pub(crate) fn neg(&self) -> Self {
        Self {
            x: self.x,
            y: -self.y,
            z: self.z,
        }
    }

    pub(crate) fn is_identity(&self) -> Choice {
        self.z.is_zero()
    }

    /// The affine point, none for the identity. Constant time (one safegcd inversion).
    pub(crate) fn to_affine(&self) -> CtOption<AffinePoint> {
        let z_inv = self.z.invert();
        CtOption::new(
            AffinePoint {
                x: self.x * z_inv,
                y: self.y * z_inv,
            },
            !self.is_identity(),
        )
    }

    /// Whether self equals the Jacobian point `rhs`, by cross-multiplication. Constant time in
    /// self; `rhs` must not be the identity (its Z is used as a divisor).
    pub(crate) fn ct_eq_jacobian(&self, rhs: &JacobianPoint) -> Choice {
        let z2z2 = rhs.z.square();
        let x_eq = (self.x * z2z2).ct_eq(&(rhs.x * self.z));
        let y_eq = (self.y * z2z2 * rhs.z).ct_eq(&(rhs.y * self.z));
        x_eq & y_eq & !self.is_identity() & !rhs.z.is_zero()
    }
}

impl Zeroize for ProjectivePoint {
    fn zeroize(&mut self) {
        self.x.zeroize();
        self.y.zeroize();
        self.z.zeroize();
    }
}

impl ConditionallySelectable for ProjectivePoint {
    #[inline(always)]
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Self {
            x: FieldElement::conditional_select(&a.x, &b.x, choice),
            y: FieldElement::conditional_select(&a.y, &b.y, choice),
            z: FieldElement::conditional_select(&a.z, &b.z, choice),
        }
    }
}

impl ConstantTimeEq for ProjectivePoint {
    fn ct_eq(&self, other: &Self) -> Choice {
        // X1/Z1 = X2/Z2 and Y1/Z1 = Y2/Z2, with both identities (Z = 0) equal.
        let x_eq = (self.x * other.z).ct_eq(&(other.x * self.z));
        let y_eq = (self.y * other.z).ct_eq(&(other.y * self.z));
        let both_identity = self.is_identity() & other.is_identity();
        let neither = !self.is_identity() & !other.is_identity();
        both_identity | (neither & x_eq & y_eq)
    }
}

/// A point in Jacobian coordinates (x = X/Z^2, y = Y/Z^3; the identity has Z = 0), for public
/// data: the additions branch on the exceptional cases (identity, P = Q, P = -Q).
#[derive(Clone, Copy)]
pub(crate) struct JacobianPoint {
    x: FieldElement,
    y: FieldElement,
    z: FieldElement,
}

impl JacobianPoint {
    pub(crate) const IDENTITY: Self = Self {
        x: FieldElement::ONE,
        y: FieldElement::ONE,
        z: FieldElement::ZERO,
    };

    pub(crate) fn from_affine(p: &AffinePoint) -> Self {
        Self {
            x: p.x,
            y: p.y,
            z: FieldElement::ONE,
        }
    }

    pub(crate) fn is_identity_vartime(&self) -> bool {
        bool::from(self.z.is_zero())
    }

    /// 2 * self, "dbl-2001-b" (a = -3): 3M + 5S, arranged for fewer additions (Z3 = 2YZ, and
    /// gamma only used doubled). The identity doubles to Z = 0; P-256 has no point of order 2,
    /// so there is no other exceptional case.
    pub(crate) fn double(&self) -> Self {
        let delta = self.z.square();
        let gamma2 = self.y.square().double();
        let t = (self.x - delta) * (self.x + delta);
        let alpha = t.double() + t;
        // 4 beta = 4 X gamma = X (2 gamma) 2.
        let beta4 = (self.x * gamma2).double();
        let x = alpha.square() - beta4.double();
        let z = (self.y * self.z).double();
        // 8 gamma^2 = 2 (2 gamma)^2.
        let gamma_sq8 = gamma2.square().double();
        let y = alpha * (beta4 - x) - gamma_sq8;
        Self { x, y, z }
    }

    /// self + rhs, "madd-2004-hmv": 8M + 3S (fewer additions than madd-2007-bl's 7M + 4S), with
    /// the exceptional cases by branches.
    pub(crate) fn add_mixed_vartime(&self, rhs: &AffinePoint) -> Self {
        if self.is_identity_vartime() {
            return Self::from_affine(rhs);
        }
        let z1z1 = self.z.square();
        let u2 = rhs.x * z1z1;
        let s2 = rhs.y * (self.z * z1z1);
        let h = u2 - self.x;
        let r = s2 - self.y;
        if bool::from(h.is_zero()) {
            return if bool::from(r.is_zero()) {
                self.double()
            } else {
                Self::IDENTITY
            };
        }
        Self::finish_add(&self.x, &self.y, h, r, self.z * h)
    }

    /// The tail shared by the additions: X3 = r^2 - H^3 - 2 U1 H^2,
    /// Y3 = r (U1 H^2 - X3) - S1 H^3, from U1 = `u1`, S1 = `s1`, H, r and Z3.
    #[inline(always)]
    fn finish_add(
        u1: &FieldElement,
        s1: &FieldElement,
        h: FieldElement,
        r: FieldElement,
        z: FieldElement,
    ) -> Self {
        let hh = h.square();
        let hhh = h * hh;
        let v = *u1 * hh;
        let x = r.square() - hhh - v.double();
        let y = r * (v - x) - *s1 * hhh;
        Self { x, y, z }
    }

    /// self + rhs, "add-1998-cmo-2": 12M + 4S (as many products as add-2007-bl's 11M + 5S,
    /// fewer additions), with the exceptional cases by branches.
    pub(crate) fn add_vartime(&self, rhs: &Self) -> Self {
        if self.is_identity_vartime() {
            return *rhs;
        }
        if rhs.is_identity_vartime() {
            return *self;
        }
        let z1z1 = self.z.square();
        let z2z2 = rhs.z.square();
        let u1 = self.x * z2z2;
        let u2 = rhs.x * z1z1;
        let s1 = self.y * (rhs.z * z2z2);
        let s2 = rhs.y * (self.z * z1z1);
        let h = u2 - u1;
        let r = s2 - s1;
        if bool::from(h.is_zero()) {
            return if bool::from(r.is_zero()) {
                self.double()
            } else {
                Self::IDENTITY
            };
        }
        Self::finish_add(&u1, &s1, h, r, self.z * rhs.z * h)
    }

    /// The affine point, none for the identity.
    #[allow(dead_code)] // only the tests use it today
    pub(crate) fn to_affine_vartime(&self) -> Option<AffinePoint> {
        if self.is_identity_vartime() {
            return None;
        }
        let z_inv = self.z.invert_vartime();
        let z_inv2 = z_inv.square();
        Some(AffinePoint {
            x: self.x * z_inv2,
            y: self.y * z_inv2 * z_inv,
        })
    }

    /// Whether the affine x of self is `x` (false for the identity): X = x * Z^2, no inversion.
    pub(crate) fn has_affine_x_vartime(&self, x: &FieldElement) -> bool {
        !self.is_identity_vartime() && bool::from(self.x.ct_eq(&(*x * self.z.square())))
    }

    /// The affine forms of `points` with one inversion (Montgomery's trick); none if one of
    /// them is the identity.
    pub(crate) fn batch_to_affine_vartime(points: &[Self]) -> Option<Vec<AffinePoint>> {
        if points.iter().any(Self::is_identity_vartime) {
            return None;
        }
        // prefix[i] = Z_0 * ... * Z_(i-1).
        let mut prefix = Vec::with_capacity(points.len());
        let mut acc = FieldElement::ONE;
        for p in points {
            prefix.push(acc);
            acc = acc * p.z;
        }
        let mut inv = acc.invert_vartime();
        let mut out = vec![AffinePoint::GENERATOR; points.len()];
        for (i, p) in points.iter().enumerate().rev() {
            let z_inv = inv * prefix[i];
            inv = inv * p.z;
            let z_inv2 = z_inv.square();
            out[i] = AffinePoint {
                x: p.x * z_inv2,
                y: p.y * z_inv2 * z_inv,
            };
        }
        Some(out)
    }
}

/// Constant-time pieces for the comb of [`super::comb`], which keeps its accumulator in
/// Jacobian coordinates because its row structure rules out the exceptional cases of the
/// incomplete addition (the proof is there).
impl JacobianPoint {
    /// self + rhs by "madd-2004-hmv" (8M + 3S) without any branch: correct only when self is
    /// not the identity and self != +-rhs; the caller must exclude or select away those cases.
    pub(crate) fn add_mixed_incomplete(&self, rhs: &AffinePoint) -> Self {
        let z1z1 = self.z.square();
        let u2 = rhs.x * z1z1;
        let s2 = rhs.y * (self.z * z1z1);
        let h = u2 - self.x;
        let r = s2 - self.y;
        Self::finish_add(&self.x, &self.y, h, r, self.z * h)
    }

    /// P, 3P, 5P, ..., (2n - 1)P for a point P of P-256 (n >= 1). The additions of 2P are
    /// mixed ones (8M + 3S instead of 12M + 4S) on the curve isomorphic to P-256 by
    /// (x, y) -> (x Zd^2, y Zd^3), where 2P = (Xd, Yd, Zd) is the affine (Xd, Yd); a point
    /// (X, Y, Z) there is (X, Y, Z Zd) here. Additions do not use the curve's coefficients, and
    /// no exceptional case arises: (2i + 1)P = +-2P would need a multiple of P below 2n + 2 to
    /// be the identity, and P has prime order q. Public data only.
    pub(crate) fn odd_multiples_vartime(p: &AffinePoint, n: usize) -> Vec<Self> {
        let d = Self::from_affine(p).double();
        let zd2 = d.z.square();
        let d_affine = AffinePoint { x: d.x, y: d.y };
        let mut current = Self {
            x: p.x * zd2,
            y: p.y * (zd2 * d.z),
            z: FieldElement::ONE,
        };
        let mut out = Vec::with_capacity(n);
        out.push(Self { z: d.z, ..current });
        for _ in 1..n {
            current = current.add_mixed_incomplete(&d_affine);
            out.push(Self {
                z: current.z * d.z,
                ..current
            });
        }
        out
    }

    /// The same point in projective coordinates, (X Z : Y : Z^3); the identity (Z = 0) maps to
    /// a projective identity (0 : Y : 0) when Y != 0. Constant time.
    pub(crate) fn to_projective(&self) -> ProjectivePoint {
        let zz = self.z.square();
        ProjectivePoint {
            x: self.x * self.z,
            y: self.y,
            z: zz * self.z,
        }
    }
}

impl ConditionallySelectable for JacobianPoint {
    #[inline(always)]
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Self {
            x: FieldElement::conditional_select(&a.x, &b.x, choice),
            y: FieldElement::conditional_select(&a.y, &b.y, choice),
            z: FieldElement::conditional_select(&a.z, &b.z, choice),
        }
    }
}

impl Zeroize for JacobianPoint {
    fn zeroize(&mut self) {
        self.x.zeroize();
        self.y.zeroize();
        self.z.zeroize();
    }
}
