//! Variable-time arithmetic in Jacobian coordinates for public data: `(X : Y : Z)` stands for
//! `(X / Z^2, Y / Z^3)`, any `Z = 0` for the identity. Doubling (a = -3) costs 3M + 5S against
//! 8M + 3S for the complete projective formulas, which makes [`Point::mul_vartime`] (and so
//! the subgroup check of every parsed point) about a fifth faster.
//!
//! Both operations are correct for every point of `E(F_p)`: the identity and `P1 = ±P2` are
//! handled by explicit (variable-time) branches, and doubling the 2-torsion point `(0, 0)`
//! gives `Z3 = 2 Y1 Z1 = 0`, the identity.

use super::Point;
use crate::field::Fp;

#[derive(Clone, Copy)]
pub(super) struct Jacobian {
    x: Fp,
    y: Fp,
    z: Fp,
}

impl Jacobian {
    pub(super) const IDENTITY: Jacobian = Jacobian {
        x: Fp::ONE,
        y: Fp::ONE,
        z: Fp::ZERO,
    };

    /// From homogeneous `(X : Y : Z)`: `(X Z : Y Z^2 : Z)`. The invalid value `(0 : 0 : 0)`
    /// becomes the identity (it never reaches this public-data path).
    pub(super) fn from_point(p: &Point) -> Jacobian {
        Jacobian {
            x: p.x * p.z,
            y: p.y * p.z.square(),
            z: p.z,
        }
    }

    /// To homogeneous `(X Z : Y : Z^3)`.
    pub(super) fn to_point(self) -> Point {
        if self.is_identity_vartime() {
            return Point::IDENTITY;
        }
        Point {
            x: self.x * self.z,
            y: self.y,
            z: self.z.square() * self.z,
        }
    }

    pub(super) fn is_identity_vartime(&self) -> bool {
        bool::from(self.z.is_zero())
    }

    pub(super) fn neg(&self) -> Jacobian {
        Jacobian {
            x: self.x,
            y: -self.y,
            z: self.z,
        }
    }

    /// `[2]self` (dbl-2001-b, a = -3: 3M + 5S).
    pub(super) fn double_vartime(&self) -> Jacobian {
        if self.is_identity_vartime() {
            return Jacobian::IDENTITY;
        }
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x * gamma;
        let t = (self.x - delta) * (self.x + delta);
        let alpha = t.double() + t;
        let beta4 = beta.double().double();
        let x3 = alpha.square() - beta4.double();
        let z3 = (self.y + self.z).square() - gamma - delta;
        let gamma_sq8 = gamma.square().double().double().double();
        let y3 = alpha * (beta4 - x3) - gamma_sq8;
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `self + rhs` (add-2007-bl: 11M + 5S), with explicit branches for the identity and for
    /// `self = ±rhs`.
    pub(super) fn add_vartime(&self, rhs: &Jacobian) -> Jacobian {
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
        let s1 = self.y * rhs.z * z2z2;
        let s2 = rhs.y * self.z * z1z1;
        let h = u2 - u1;
        let r = (s2 - s1).double();
        if bool::from(h.is_zero()) {
            // Same x: rhs = self or rhs = -self.
            return if bool::from(r.is_zero()) {
                self.double_vartime()
            } else {
                Jacobian::IDENTITY
            };
        }
        let i = h.double().square();
        let j = h * i;
        let v = u1 * i;
        let x3 = r.square() - j - v.double();
        let y3 = r * (v - x3) - (s1 * j).double();
        let z3 = ((self.z + rhs.z).square() - z1z1 - z2z2) * h;
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }
}
