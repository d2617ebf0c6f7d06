//! The twisted Edwards model `-u^2 + v^2 = 1 + u^2 v^2` of E, for the fixed-base
//! multiplications: a mixed addition there costs 8 multiplications against 11 for the
//! complete Weierstrass formulas.
//!
//! Why E has such a model: with s^2 = -3 (-3 is a square mod p: -1 and 3 are not), x = s X
//! turns `y^2 = x^3 - 3x` into the Montgomery curve `s^-3 y^2 = X^3 + X` (A = 0, B = s^-3),
//! which is the twisted Edwards curve `a u^2 + v^2 = 1 + d u^2 v^2` with a = 2 s^3 = -d,
//! u = X / y, v = (X - 1)/(X + 1). The sign of s is chosen so that -a = -2 s^3 is a square c^2;
//! u' = c u then gives a = -1, d = 1. Altogether:
//!
//! ```text
//! (x, y) -> (u, v) = (k x / y, (x - s)/(x + s)),  k = c / s
//! (u, v) -> (x, y) = (s (1 + v)/(1 - v), k x / u)
//! ```
//!
//! The identity O maps to (0, 1). The map is undefined only at (0, 0) (order 2) and at the
//! points with x = -s (order 4), none of which is in the order-q subgroup.
//!
//! Exceptional cases: the unified addition law of a twisted Edwards curve (extended
//! coordinates, Hisil-Wong-Carter-Dawson 2008, a = -1) fails only when `d x1 x2 y1 y2 = +-1`,
//! which happens only when P1 - P2 is one of the points at infinity of the desingularised
//! curve, of order 2 or 4. For points of the order-q subgroup (odd order), as in every
//! fixed-base table here, the difference has odd order: the law is complete there, and it
//! includes the identity and doubling. No branch: constant time.

use super::Point;
use crate::field::Fp;
use p256::elliptic_curve::subtle::{Choice, ConditionallySelectable};
use std::sync::LazyLock;

/// The constants of the map (public, derived from p once per process).
pub(super) struct Constants {
    /// s, s^2 = -3, with -2 s^3 a square.
    pub(super) s: Fp,
    /// k = c / s, c^2 = -2 s^3.
    pub(super) k: Fp,
    /// k s.
    pub(super) ks: Fp,
}

pub(super) static CONSTANTS: LazyLock<Constants> = LazyLock::new(|| {
    let three = Fp::from_u64(3);
    let s = super::sqrt_vartime(&-three).expect("-3 is a square mod p");
    let minus_two_s3 = -(s.square() * s).double();
    // -2 s^3 or, with -s, 2 s^3: exactly one is a square (-1 is not)
    let (s, c) = match super::sqrt_vartime(&minus_two_s3) {
        Some(c) => (s, c),
        None => (
            -s,
            super::sqrt_vartime(&-minus_two_s3).expect("2 s^3 is a square"),
        ),
    };
    let s_inv = Option::<Fp>::from(s.invert()).expect("s != 0");
    let k = c * s_inv;
    Constants { s, k, ks: k * s }
});

/// An affine point (u, v) of the Edwards model (table entries).
#[derive(Clone, Copy)]
pub(super) struct EdAffine {
    pub(super) u: Fp,
    pub(super) v: Fp,
}

impl EdAffine {
    /// The identity (0, 1).
    pub(super) const IDENTITY: EdAffine = EdAffine {
        u: Fp::ZERO,
        v: Fp::ONE,
    };
}

impl Default for EdAffine {
    fn default() -> Self {
        Self::IDENTITY
    }
}

impl ConditionallySelectable for EdAffine {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        EdAffine {
            u: Fp::conditional_select(&a.u, &b.u, choice),
            v: Fp::conditional_select(&a.v, &b.v, choice),
        }
    }
}

/// A point in extended coordinates (U : V : T : Z): u = U/Z, v = V/Z, T = UV/Z.
#[derive(Clone, Copy)]
pub(super) struct EdExtended {
    u: Fp,
    v: Fp,
    t: Fp,
    z: Fp,
}

impl ConditionallySelectable for EdExtended {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        EdExtended {
            u: Fp::conditional_select(&a.u, &b.u, choice),
            v: Fp::conditional_select(&a.v, &b.v, choice),
            t: Fp::conditional_select(&a.t, &b.t, choice),
            z: Fp::conditional_select(&a.z, &b.z, choice),
        }
    }
}

impl EdExtended {
    pub(super) const IDENTITY: EdExtended = EdExtended {
        u: Fp::ZERO,
        v: Fp::ONE,
        t: Fp::ZERO,
        z: Fp::ONE,
    };

    /// `self + rhs` for an affine rhs (unified add-2008-hwcd-3, a = -1, 2d = 2): 8
    /// multiplications, one of them u2 v2. Constant time; complete on the order-q subgroup
    /// (module documentation).
    #[inline]
    pub(super) fn add_affine(&self, rhs: &EdAffine) -> EdExtended {
        let a = (self.v - self.u) * (rhs.v - rhs.u);
        let b = (self.v + self.u) * (rhs.v + rhs.u);
        let c = (self.t * (rhs.u * rhs.v)).double();
        let d = self.z.double();
        let e = b - a;
        let f = d - c;
        let g = d + c;
        let h = b + a;
        EdExtended {
            u: e * f,
            v: g * h,
            t: e * h,
            z: f * g,
        }
    }

    /// The Edwards point of a Weierstrass point of the order-q subgroup (O gives (0, 1)).
    /// Variable time, with an inversion: for public points (table bases). Points outside
    /// the map's domain give an unspecified value, not a panic.
    pub(super) fn from_weierstrass_vartime(p: &Point) -> EdExtended {
        if bool::from(p.is_identity()) {
            return EdExtended::IDENTITY;
        }
        let [u, v] = batch_from_weierstrass(core::slice::from_ref(p))
            .first()
            .map(|e| [e.u, e.v])
            .unwrap_or([Fp::ZERO, Fp::ONE]);
        EdExtended {
            u,
            v,
            t: u * v,
            z: Fp::ONE,
        }
    }

    /// `self + rhs` (unified add-2008-hwcd-3, a = -1, 2d = 2): 9 multiplications. Complete on
    /// the order-q subgroup. Constant time.
    pub(super) fn add(&self, rhs: &EdExtended) -> EdExtended {
        let a = (self.v - self.u) * (rhs.v - rhs.u);
        let b = (self.v + self.u) * (rhs.v + rhs.u);
        let c = (self.t * rhs.t).double();
        let d = (self.z * rhs.z).double();
        let e = b - a;
        let f = d - c;
        let g = d + c;
        let h = b + a;
        EdExtended {
            u: e * f,
            v: g * h,
            t: e * h,
            z: f * g,
        }
    }

    /// `[2]self` (dbl-2008-hwcd, a = -1): 4 multiplications and 4 squarings. Correct for every
    /// point of odd order. Constant time.
    pub(super) fn double(&self) -> EdExtended {
        let a = self.u.square();
        let b = self.v.square();
        let c = self.z.square().double();
        let e = (self.u + self.v).square() - a - b;
        let g = b - a;
        let f = g - c;
        let h = -(a + b);
        EdExtended {
            u: e * f,
            v: g * h,
            t: e * h,
            z: f * g,
        }
    }

    /// The Weierstrass point in homogeneous projective coordinates, without inversion:
    /// `(s (Z + V) U : k s (Z + V) Z : (Z - V) U)` (5 multiplications). The identity (0, 1)
    /// becomes `(0 : 2 k s Z^2 : 0)`, the Weierstrass identity. Constant time.
    pub(super) fn to_weierstrass(self) -> Point {
        let consts = &*CONSTANTS;
        let zpv = self.z + self.v;
        Point {
            x: consts.s * (zpv * self.u),
            y: consts.ks * (zpv * self.z),
            z: (self.z - self.v) * self.u,
        }
    }
}

/// The Edwards affine points of Weierstrass projective points of the order-q subgroup other
/// than O, with one inversion for all (Montgomery's trick): u = k X / Y and
/// v = (X - s Z)/(X + s Z). A zero denominator (only for points outside that subgroup) is
/// replaced by 1 so that the others stay right. Variable time: for public points (tables).
pub(super) fn batch_from_weierstrass(points: &[Point]) -> Vec<EdAffine> {
    let consts = &*CONSTANTS;
    let nonzero = |x: Fp| Fp::conditional_select(&x, &Fp::ONE, x.is_zero());
    let dens: Vec<(Fp, Fp)> = points
        .iter()
        .map(|p| (nonzero(p.y), nonzero(p.x + consts.s * p.z)))
        .collect();
    let mut prefix = Vec::with_capacity(points.len());
    let mut acc = Fp::ONE;
    for (dy, dv) in &dens {
        prefix.push(acc);
        acc = acc * *dy * *dv;
    }
    let mut inv = acc.invert().unwrap_or(Fp::ZERO);
    let mut out = vec![EdAffine::IDENTITY; points.len()];
    for (idx, p) in points.iter().enumerate().rev() {
        let (dy, dv) = dens[idx];
        // 1 / (dy dv) for this point, then strip it from the running inverse
        let both = inv * prefix[idx];
        inv = inv * dy * dv;
        out[idx] = EdAffine {
            u: consts.k * p.x * (both * dv),
            v: (p.x - consts.s * p.z) * (both * dy),
        };
    }
    out
}

/// The affine points of extended Edwards points, with one inversion for all (Montgomery's
/// trick, 5 multiplications per point). A zero Z (only for bases outside the order-q
/// subgroup) is replaced by 1 so that the others stay right. For public points (tables).
pub(super) fn batch_to_affine(points: &[EdExtended]) -> Vec<EdAffine> {
    let nonzero = |x: Fp| Fp::conditional_select(&x, &Fp::ONE, x.is_zero());
    let mut prefix = Vec::with_capacity(points.len());
    let mut acc = Fp::ONE;
    for p in points {
        prefix.push(acc);
        acc *= nonzero(p.z);
    }
    let mut inv = acc.invert().unwrap_or(Fp::ZERO);
    let mut out = vec![EdAffine::IDENTITY; points.len()];
    for (idx, p) in points.iter().enumerate().rev() {
        let z_inv = inv * prefix[idx];
        inv *= nonzero(p.z);
        out[idx] = EdAffine {
            u: p.u * z_inv,
            v: p.v * z_inv,
        };
    }
    out
}
