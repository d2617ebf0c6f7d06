//! The reduced Tate-Lichtenbaum pairing of RFC 6508 section 3.2 on E: y^2 = x^3 - 3x over F_p
//! (SAKKE parameter set 1), with the distortion map (x, y) -> (-x, iy) and values in PF_p.
//!
//! RFC 6508 3.2: for R, Q of order q, run Miller's loop for f_{q-1,R} on the bits of q - 1,
//! evaluating each line at the distorted point (-Q_x, i*Q_y); raise the result to c = (p+1)/q = 4
//! and represent the class [a + ib] of PF_p = F_p^2* / F_p* by b/a. We run the loop on the
//! non-adjacent form of q - 1 instead of its bits (fewer additions); the value in PF_p is the
//! same (see `LOOP_DIGITS`), and the RFC's test vector checks it.
//!
//! Because only the class modulo F_p* matters, every line may be scaled by any non-zero F_p
//! factor; vertical lines (values in F_p) drop out. We use this twice: Jacobian coordinates
//! without inversions, and lines stored as `(c1*Q_x + c0) + i*(c2*Q_y)`.
//!
//! The loop point R fixes every line; Q only enters their evaluation. [`MillerLines`] runs the
//! loop once for a fixed R and stores its lines, so a receiver pays the point arithmetic once
//! for its RSK. The pairing is symmetric on the order-q subgroup (<aP, bP> = <P, P>^(ab)), so
//! <R, K> = <K, R> lets the fixed argument be either one.
//!
//! Constant time: the loop's control flow depends only on q. All arithmetic is the
//! constant-time field arithmetic, so a secret R (an RSK) or Q gives no secret-dependent
//! branch or index. For points of order q no intermediate point of the loop is the identity or
//! ±R, and the formulas have no exceptional case; see [`MillerLines::new_with_order_check`]
//! for other points.

use crate::field::{Fp, Fp2, Fq};
use p256::elliptic_curve::subtle::{Choice, ConditionallySelectable, ConstantTimeEq, CtOption};
use std::sync::LazyLock;
use zeroize::Zeroize;

/// One line of the Miller loop, as a function of the evaluation point Q:
/// `(c1*Q_x + c0) + i*(c2*Q_y)`, up to an F_p factor.
#[derive(Clone, Copy, Default)]
struct Line {
    c0: Fp,
    c1: Fp,
    c2: Fp,
}

impl Line {
    /// The line's value at the distorted point (-Q_x, i*Q_y), scaled into F_p^2.
    #[inline]
    fn evaluate(&self, qx: &Fp, qy: &Fp) -> Fp2 {
        Fp2::new(self.c1 * qx + self.c0, self.c2 * qy)
    }
}

/// `a * b - c * d` with one Montgomery reduction instead of two: both products stay
/// double-width (below p^2 < p 2^1024) and are subtracted modulo p 2^1024 (lazy reduction).
/// Constant time.
#[inline]
fn mul_sub(a: &Fp, b: &Fp, c: &Fp, d: &Fp) -> Fp {
    Fp::from_wide(&Fp::sub_wide(&a.mul_wide(b), &c.mul_wide(d)))
}

/// A point of the loop in Jacobian coordinates: x = X/Z^2, y = Y/Z^3.
#[derive(Clone, Copy)]
struct Jacobian {
    x: Fp,
    y: Fp,
    z: Fp,
}

impl Jacobian {
    /// Doubles in place (a = -3 formulas) and returns the tangent line at the old point.
    ///
    /// Tangent slope l = 3(x^2 - 1)/(2y); the line through C, evaluated at (-Q_x, iQ_y), is
    /// l(Q_x + x) + iQ_y - y. Multiplied by 2YZ^3 (an F_p factor):
    /// a = alpha*(Q_x*Z^2 + X) - 2Y^2 and b = Z3*Z^2*Q_y, with alpha = 3(X - Z^2)(X + Z^2) and
    /// Z3 = 2YZ.
    fn double_with_line(&mut self) -> Line {
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x * gamma;
        let alpha = {
            let t = (self.x - delta) * (self.x + delta);
            t.double() + t
        };
        let z3 = (self.y + self.z).square() - gamma - delta;
        let line = Line {
            c0: alpha * self.x - gamma.double(),
            c1: alpha * delta,
            c2: z3 * delta,
        };
        let beta4 = beta.double().double();
        let x3 = alpha.square() - beta4.double();
        // Y3 = alpha (4 beta - X3) - 8 gamma^2, as alpha (4 beta - X3) - (2 gamma)(4 gamma)
        // reduced once
        let gamma2 = gamma.double();
        self.y = mul_sub(&alpha, &(beta4 - x3), &gamma2, &gamma2.double());
        self.x = x3;
        self.z = z3;
        line
    }

    /// Adds the affine point (rx, ry) in place and returns the line through both points.
    ///
    /// With U = rx*Z^2, S = ry*Z^3, H = U - X and r = 2(S - Y), the slope is r/Z3 for
    /// Z3 = 2ZH; the line evaluated at (-Q_x, iQ_y) and multiplied by Z3 is
    /// a = r*(Q_x + rx) - ry*Z3 and b = Z3*Q_y.
    fn add_affine_with_line(&mut self, rx: &Fp, ry: &Fp) -> Line {
        let z1z1 = self.z.square();
        let u2 = *rx * z1z1;
        let s2 = *ry * self.z * z1z1;
        let h = u2 - self.x;
        let hh = h.square();
        let i = hh.double().double();
        let j = h * i;
        let r = (s2 - self.y).double();
        let v = self.x * i;
        let x3 = r.square() - j - v.double();
        let y3 = mul_sub(&r, &(v - x3), &self.y.double(), &j);
        let z3 = (self.z + h).square() - z1z1 - hh;
        let line = Line {
            c0: mul_sub(&r, rx, ry, &z3),
            c1: r,
            c2: z3,
        };
        self.x = x3;
        self.y = y3;
        self.z = z3;
        line
    }
}

/// The Miller loop's schedule: the non-adjacent form of q - 1 below its top digit (which is 1),
/// most significant first. Each digit is a doubling step, followed by an addition of R (+1) or
/// of -R (-1). The NAF has about a third of its digits non-zero, against half for the binary
/// form. Changing the addition chain only multiplies the Miller function by values of vertical
/// lines at the distorted point, which lie in F_p and so vanish in PF_p: the pairing is the
/// same as with the RFC's binary loop.
static LOOP_DIGITS: LazyLock<Vec<i8>> = LazyLock::new(|| {
    let q = Fq::MODULUS_BE;
    // q - 1 as little-endian 64-bit limbs (q is odd: clear bit 0).
    let mut k = [0u64; 16];
    for (i, limb) in k.iter_mut().enumerate() {
        let start = q.len() - 8 * (i + 1);
        *limb = u64::from_be_bytes(q[start..start + 8].try_into().unwrap_or([0; 8]));
    }
    k[0] &= !1;
    let mut naf = Vec::with_capacity(1030);
    while k.iter().any(|&limb| limb != 0) {
        let digit: i8 = if k[0] & 1 == 1 {
            if k[0] & 3 == 1 { 1 } else { -1 }
        } else {
            0
        };
        // k -= digit, then k >>= 1.
        if digit == 1 {
            k[0] -= 1;
        } else if digit == -1 {
            for limb in k.iter_mut() {
                let (sum, carry) = limb.overflowing_add(1);
                *limb = sum;
                if !carry {
                    break;
                }
            }
        }
        for i in 0..k.len() {
            let next = if i + 1 < k.len() { k[i + 1] << 63 } else { 0 };
            k[i] = (k[i] >> 1) | next;
        }
        naf.push(digit);
    }
    naf.pop(); // the top digit, 1: the loop starts from C = R
    naf.reverse();
    naf
});

/// The lines of Miller's loop for f_{q-1,R} with R fixed (RFC 6508 3.2): everything of the
/// pairing <R, .> that does not depend on the second argument. Holds data derived from R, so
/// it is zeroized on drop (R may be an RSK).
pub struct MillerLines {
    /// One doubling line per bit, followed by an addition line for each set bit, in order.
    lines: Vec<Line>,
}

impl Drop for MillerLines {
    fn drop(&mut self) {
        for line in &mut self.lines {
            line.c0.zeroize();
            line.c1.zeroize();
            line.c2.zeroize();
        }
    }
}

impl MillerLines {
    /// Runs the loop for R = (rx, ry), a point of order q in affine coordinates.
    pub fn new(rx: &Fp, ry: &Fp) -> Self {
        Self::new_with_order_check(rx, ry).0
    }

    /// Runs the loop for R = (rx, ry), a point of E other than (0, 0), and also says whether R
    /// has order q, at no extra cost: the loop ends on C = [q-1]R, and [q-1]R = -R exactly when
    /// \[q\]R = O. Constant time.
    ///
    /// Why the check is sound for any such R: every exceptional case of the two formulas (a
    /// doubling of a point with Y = 0, an addition of C = ±R, which gives H = 0) produces
    /// Z3 = 0, and Z = 0 then stays 0 to the end. So a final Z != 0 means no exceptional step
    /// happened and C really is [q-1]R. And no valid key is refused: for R of order q, 2q or 4q
    /// (E(F_p) is cyclic of order 4q) the additions and subtractions see C = \[k\]R with
    /// 2 <= k <= (q-1)/2 + 1 (q - 1 is even, so its last NAF digit is a bare doubling) and the
    /// doublings points of order above 2, so nothing exceptional occurs.
    pub fn new_with_order_check(rx: &Fp, ry: &Fp) -> (Self, Choice) {
        let mut c = Jacobian {
            x: *rx,
            y: *ry,
            z: Fp::ONE,
        };
        // The exact count, so that the vector never reallocates (which would free an
        // unzeroized copy of the lines).
        let count = LOOP_DIGITS.iter().map(|&d| 1 + usize::from(d != 0)).sum();
        let mut lines = Vec::with_capacity(count);
        let minus_ry = -*ry;
        for &digit in LOOP_DIGITS.iter() {
            lines.push(c.double_with_line());
            if digit > 0 {
                lines.push(c.add_affine_with_line(rx, ry));
            } else if digit < 0 {
                lines.push(c.add_affine_with_line(rx, &minus_ry));
            }
        }
        // C = (X : Y : Z) equals -R = (rx, -ry) iff X = rx*Z^2, Y = -ry*Z^3 and Z != 0.
        let mut z2 = c.z.square();
        let order_q = !c.z.is_zero() & c.x.ct_eq(&(*rx * z2)) & c.y.ct_eq(&-(*ry * z2 * c.z));
        // C is -R: as secret as R.
        z2.zeroize();
        c.x.zeroize();
        c.y.zeroize();
        c.z.zeroize();
        (Self { lines }, order_q)
    }

    /// Miller's loop value f_{q-1,R} at the distorted (qx, qy), before the final power.
    fn miller_value(&self, qx: &Fp, qy: &Fp) -> Fp2 {
        let mut v = Fp2::ONE;
        let mut lines = self.lines.iter();
        for &digit in LOOP_DIGITS.iter() {
            // The schedule mirrors `new`, so the iterator cannot run dry.
            let Some(line) = lines.next() else { break };
            v = v.square() * line.evaluate(qx, qy);
            if digit != 0 {
                let Some(line) = lines.next() else { break };
                v *= line.evaluate(qx, qy);
            }
        }
        v
    }

    /// The pairing <R, Q> in PF_p, as b/a for the class [a + ib] (RFC 6508 3.2): Miller's loop
    /// at Q = (qx, qy), then the power c = 4. `None` only when a = 0, which points of order q
    /// never give.
    pub fn pairing(&self, qx: &Fp, qy: &Fp) -> CtOption<Fp> {
        let t = self.miller_value(qx, qy).square().square();
        t.c0.invert().map(|inv_a| t.c1 * inv_a)
    }

    /// [`Self::miller_value`] with every line divided by Q_y (an F_p factor, so the same
    /// pairing): for `u = Q_x / Q_y` and `w = -1 / Q_y` a line's value is
    /// `(c1*u - c0*w) + i*c2`, two products reduced once instead of two reductions.
    fn miller_value_scaled(&self, u: &Fp, w: &Fp) -> Fp2 {
        let mut v = Fp2::ONE;
        let mut lines = self.lines.iter();
        let value = |line: &Line| Fp2::new(mul_sub(&line.c1, u, &line.c0, w), line.c2);
        for &digit in LOOP_DIGITS.iter() {
            let Some(line) = lines.next() else { break };
            v = v.square() * value(line);
            if digit != 0 {
                let Some(line) = lines.next() else { break };
                v *= value(line);
            }
        }
        v
    }

    /// Whether <R, Q> = `value` (RFC 6508 6.1.2's test of an RSK), without the pairing's
    /// inversion: for the class [a + ib], b/a = value iff b = value * a with a != 0.
    /// Constant time. False when Q_y = 0 (no point of order q has it).
    pub fn pairing_equals(&self, qx: &Fp, qy: &Fp, value: &Fp) -> Choice {
        let qy_inv = qy.invert();
        let ok = qy_inv.is_some();
        let qy_inv = qy_inv.unwrap_or(Fp::ZERO);
        let t = self
            .miller_value_scaled(&(*qx * qy_inv), &-qy_inv)
            .square()
            .square();
        ok & !t.c0.is_zero() & t.c1.ct_eq(&(*value * t.c0))
    }
}

/// The lines of a [`MillerLines`] each scaled by 1/c2 (an F_p factor, which the pairing
/// ignores): `(c1'*Q_x + c0') + i*Q_y`, one multiplication per line to evaluate instead of two.
/// Two coefficients per line (256 octets). Derived from R: zeroized on drop.
pub struct NormalizedLines {
    /// `[c0 / c2, c1 / c2]` of each line, in the order of [`MillerLines`].
    lines: Vec<[Fp; 2]>,
}

impl Drop for NormalizedLines {
    fn drop(&mut self) {
        self.lines.zeroize();
    }
}

impl MillerLines {
    /// The lines scaled to c2 = 1, with one inversion for all of them (Montgomery's batch
    /// trick: three multiplications per line). Constant time. Every c2 is non-zero for an R of
    /// order q (see [`MillerLines::new_with_order_check`]); a zero c2 would only make the
    /// pairing wrong.
    pub fn normalized(&self) -> NormalizedLines {
        let mut prefix: Vec<Fp> = Vec::with_capacity(self.lines.len());
        let mut acc = Fp::ONE;
        for line in &self.lines {
            prefix.push(acc);
            acc *= line.c2;
        }
        let mut inv = acc.invert().unwrap_or(Fp::ZERO);
        let mut lines = vec![[Fp::ZERO; 2]; self.lines.len()];
        for (i, line) in self.lines.iter().enumerate().rev() {
            let mut c2_inv = inv * prefix[i];
            inv *= line.c2;
            lines[i] = [line.c0 * c2_inv, line.c1 * c2_inv];
            c2_inv.zeroize();
        }
        prefix.zeroize();
        acc.zeroize();
        inv.zeroize();
        NormalizedLines { lines }
    }
}

impl NormalizedLines {
    /// As [`MillerLines::miller_value`] (the same value up to an F_p factor).
    ///
    /// A doubling line and the addition line after it share their imaginary part Q_y, so their
    /// product is formed first, in two F_p multiplications:
    /// `(a + iQ_y)(a' + iQ_y) = (a a' - Q_y^2) + i Q_y (a + a')`; the accumulator then takes
    /// one F_p^2 multiplication per step instead of two at each addition step.
    fn miller_value(&self, qx: &Fp, qy: &Fp) -> Fp2 {
        let qy_sq = qy.square();
        let mut v = Fp2::ONE;
        let mut lines = self.lines.iter();
        for &digit in LOOP_DIGITS.iter() {
            let Some(line) = lines.next() else { break };
            let a = line[1] * qx + line[0];
            // the schedule (digits of q - 1) is public: so is this branch
            let l = if digit != 0 {
                let Some(next) = lines.next() else { break };
                let a_next = next[1] * qx + next[0];
                Fp2::new(a * a_next - qy_sq, *qy * (a + a_next))
            } else {
                Fp2::new(a, *qy)
            };
            v = v.square() * l;
        }
        v
    }

    /// As [`MillerLines::pairing`]: <R, Q> in PF_p.
    pub fn pairing(&self, qx: &Fp, qy: &Fp) -> CtOption<Fp> {
        let t = self.miller_value(qx, qy).square().square();
        t.c0.invert().map(|inv_a| t.c1 * inv_a)
    }
}

/// <R, Q> of RFC 6508 3.2 for points of order q given in affine coordinates; see
/// [`MillerLines::pairing`].
pub fn pairing(rx: &Fp, ry: &Fp, qx: &Fp, qy: &Fp) -> CtOption<Fp> {
    MillerLines::new(rx, ry).pairing(qx, qy)
}

/// Powers of a fixed element of F_p^2 for constant-time exponentiation by secret exponents:
/// `windows[i][j] = base^(j * 16^i)` for the 256 4-bit windows of a 1024-bit exponent. One
/// multiplication per window and no squaring; 256 x 16 elements, 1 MiB.
pub struct FixedPowTable {
    windows: Vec<[Fp2; 16]>,
}

impl FixedPowTable {
    /// Precomputes the table of `base` (4096 multiplications).
    pub fn new(base: &Fp2) -> Self {
        let mut windows = Vec::with_capacity(256);
        let mut step = *base;
        for _ in 0..256 {
            let mut row = [Fp2::ONE; 16];
            for j in 1..16 {
                row[j] = row[j - 1] * step;
            }
            step = row[15] * step;
            windows.push(row);
        }
        Self { windows }
    }

    /// base^e for a secret exponent, in constant time: each window's entry is read by a
    /// masked scan over all 16.
    pub fn pow(&self, e: &Fq) -> Fp2 {
        let mut limbs = e.to_canonical_limbs();
        let mut acc = Fp2::ONE;
        for (i, row) in self.windows.iter().enumerate() {
            let digit = ((limbs[i / 16] >> (4 * (i % 16))) & 0xf) as u8;
            let mut entry = Fp2::ONE;
            for (j, candidate) in row.iter().enumerate() {
                entry.conditional_assign(candidate, digit.ct_eq(&(j as u8)));
            }
            acc *= entry;
        }
        limbs.zeroize();
        acc
    }
}

/// g^r in PF_p (RFC 6508 6.2.1 step 4): the class [1 + i*g] raised to r in F_p^2, then b/a,
/// with `table` the [`FixedPowTable`] of 1 + i*g. Constant time in r. `None` only if a = 0,
/// which no power of 1 + ig below its order gives.
pub fn pf_pow_fixed(table: &FixedPowTable, r: &Fq) -> CtOption<Fp> {
    let t = table.pow(r);
    t.c0.invert().map(|inv_a| t.c1 * inv_a)
}

/// g^r in PF_p (RFC 6508 6.2.1 step 4): the class [1 + i*g] raised to r in F_p^2, then b/a.
/// Constant time in r. The plain form of [`pf_pow_fixed`], kept as its test reference. `g` is the PF_p value of parameter set 1 (it is never the class of a
/// with a = 0 because 1 + ig has real part 1, and powers keep a != 0 for exponents below q).
#[cfg(test)]
pub(crate) fn pf_pow(g: &Fp, r: &Fq) -> CtOption<Fp> {
    let t = Fp2::new(Fp::ONE, *g).pow(&r.to_canonical_limbs());
    t.c0.invert().map(|inv_a| t.c1 * inv_a)
}
