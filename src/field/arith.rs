//! The shared constant-time core of [`super::Fp`] and [`super::Fq`]: fixed-width (16 x 64-bit,
//! little-endian) Montgomery arithmetic over a modulus given by a [`FieldParams`] type.
//!
//! Every function here is constant time (no branch and no memory index depends on the values)
//! unless its name ends in `_vartime`. Residues are always kept fully reduced (`< MODULUS`).
//! The modulus must be odd, greater than 2^64 and below 2^1024; the top limb may be full (p of
//! SAKKE parameter set 1 has 1024 bits), so intermediate results carry an extra word.

use p256::elliptic_curve::subtle::{Choice, ConditionallySelectable};

use super::LIMBS;

const N: usize = LIMBS;

/// Fixed data of one prime field in Montgomery form with R = 2^1024.
pub(crate) trait FieldParams: 'static {
    /// The modulus m, little-endian limbs.
    const MODULUS: [u64; N];
    /// -m^-1 mod 2^64.
    const INV: u64;
    /// R mod m (the Montgomery form of 1).
    const R: [u64; N];
    /// R^2 mod m (converts into Montgomery form).
    const R2: [u64; N];
    /// m - 2, the Fermat inversion exponent (the reference of the divsteps inversion in tests).
    #[cfg(test)]
    const MODULUS_MINUS_TWO: [u64; N];
    /// R^3 mod m (brings an inverse computed on the Montgomery form back into it).
    const R3: [u64; N] = compute_pow2_mod(&Self::MODULUS, 3072);
}

// ---------------------------------------------------------------------------------------------
// const fn helpers: constants are derived from the modulus at compile time.

/// Parses a big-endian hex string of exactly 256 digits into little-endian limbs.
pub(crate) const fn limbs_from_be_hex(s: &str) -> [u64; N] {
    let b = s.as_bytes();
    assert!(b.len() == 2 * 8 * N, "expected 256 hex digits");
    let mut out = [0u64; N];
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => panic!("bad hex digit"),
        } as u64;
        // digit i (from the most significant) has weight 16^(255 - i)
        let pos = 2 * 8 * N - 1 - i;
        out[pos / 16] |= v << (4 * (pos % 16));
        i += 1;
    }
    out
}

/// Big-endian bytes of little-endian limbs.
pub(crate) const fn limbs_to_be_bytes(l: &[u64; N]) -> [u8; 8 * N] {
    let mut out = [0u8; 8 * N];
    let mut i = 0;
    while i < N {
        let b = l[N - 1 - i].to_be_bytes();
        let mut j = 0;
        while j < 8 {
            out[8 * i + j] = b[j];
            j += 1;
        }
        i += 1;
    }
    out
}

/// -m^-1 mod 2^64 by Newton iteration (m odd).
pub(crate) const fn compute_inv(m0: u64) -> u64 {
    // x = m0^-1 mod 2^k, doubling k each step from k = 3 (m0 * m0 = 1 mod 8 for odd m0).
    let mut x = m0;
    let mut i = 0;
    while i < 5 {
        x = x.wrapping_mul(2u64.wrapping_sub(m0.wrapping_mul(x)));
        i += 1;
    }
    x.wrapping_neg()
}

/// 2^k mod m by repeated doubling (compile time only; m < 2^1024).
pub(crate) const fn compute_pow2_mod(m: &[u64; N], k: usize) -> [u64; N] {
    let mut x = [0u64; N];
    x[0] = 1;
    let mut step = 0;
    while step < k {
        // x = 2x, with the bit shifted out of the top limb in `top`
        let top = x[N - 1] >> 63;
        let mut i = N - 1;
        while i > 0 {
            x[i] = (x[i] << 1) | (x[i - 1] >> 63);
            i -= 1;
        }
        x[0] <<= 1;
        // if (top, x) >= m: x -= m
        let mut d = [0u64; N];
        let mut borrow = false;
        let mut j = 0;
        while j < N {
            let (v, b) = sbb(x[j], m[j], borrow);
            d[j] = v;
            borrow = b;
            j += 1;
        }
        if top == 1 || !borrow {
            x = d;
        }
        step += 1;
    }
    x
}

/// m - 2 (m > 2^64, odd).
#[cfg(test)]
pub(crate) const fn compute_minus_two(m: &[u64; N]) -> [u64; N] {
    let mut out = *m;
    out[0] -= 2;
    out
}

// ---------------------------------------------------------------------------------------------
// word primitives

/// t + a*b + c as (low, high); cannot overflow 128 bits.
#[inline(always)]
const fn mac(t: u64, a: u64, b: u64, c: u64) -> (u64, u64) {
    let r = (t as u128) + (a as u128) * (b as u128) + (c as u128);
    (r as u64, (r >> 64) as u64)
}

/// a + b + carry as (sum, carry out): one `adc` in a carry chain.
#[inline(always)]
const fn adc(a: u64, b: u64, carry: bool) -> (u64, bool) {
    let (s, c1) = a.overflowing_add(b);
    let (s, c2) = s.overflowing_add(carry as u64);
    (s, c1 | c2)
}

/// a - b - borrow as (difference, borrow out): one `sbb` in a borrow chain.
#[inline(always)]
const fn sbb(a: u64, b: u64, borrow: bool) -> (u64, bool) {
    let (d, b1) = a.overflowing_sub(b);
    let (d, b2) = d.overflowing_sub(borrow as u64);
    (d, b1 | b2)
}

/// Selects `a` where `choice` is 0 and `b` where it is 1, limb by limb, without branching.
#[inline(always)]
pub(crate) fn select(a: &[u64; N], b: &[u64; N], choice: Choice) -> [u64; N] {
    let mut out = [0u64; N];
    for i in 0..N {
        out[i] = u64::conditional_select(&a[i], &b[i], choice);
    }
    out
}

/// Runs `$body` once for each of `$i` = 0, 1, ..., 15: a full unroll with constant indices, so
/// that the code is straight-line from the start (nested uses unroll the inner loops as well;
/// LLVM then keeps the carries in flags, which it does not do as well after its own unrolling).
macro_rules! unroll16 {
    ($i:ident => $body:block) => {
        unroll16!(@ $i $body; 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
    };
    (@ $i:ident $body:block; $($n:literal)*) => {
        $( { let $i: usize = $n; $body } )*
    };
}

/// Given `hi * 2^1024 + t < 2m` (hi is one bit), returns it reduced below m: one subtraction,
/// the result chosen by masking.
#[inline(always)]
fn reduce_once(t: &[u64; N], hi: bool, m: &[u64; N]) -> [u64; N] {
    let mut d = [0u64; N];
    let mut borrow = false;
    for i in 0..N {
        (d[i], borrow) = sbb(t[i], m[i], borrow);
    }
    // borrow out of the 17-word subtraction (hi:t) - m: set iff (hi:t) < m, keep t then
    let (_, borrow) = sbb(hi as u64, 0, borrow);
    select(&d, t, Choice::from(borrow as u8))
}

// ---------------------------------------------------------------------------------------------
// additive operations

/// (a + b) mod m for a, b < m.
#[inline]
pub(crate) fn add<P: FieldParams>(a: &[u64; N], b: &[u64; N]) -> [u64; N] {
    let mut s = [0u64; N];
    let mut carry = false;
    for i in 0..N {
        (s[i], carry) = adc(a[i], b[i], carry);
    }
    reduce_once(&s, carry, &P::MODULUS)
}

/// (a - b) mod m for a, b < m.
#[inline]
pub(crate) fn sub<P: FieldParams>(a: &[u64; N], b: &[u64; N]) -> [u64; N] {
    let m = &P::MODULUS;
    let mut d = [0u64; N];
    let mut borrow = false;
    for i in 0..N {
        (d[i], borrow) = sbb(a[i], b[i], borrow);
    }
    // add m back where the subtraction borrowed
    let mask = 0u64.wrapping_sub(u64::from(Choice::from(borrow as u8).unwrap_u8()));
    let mut carry = false;
    for i in 0..N {
        (d[i], carry) = adc(d[i], m[i] & mask, carry);
    }
    d
}

// ---------------------------------------------------------------------------------------------
// double-width products

/// Runs `$body` once for each of `$i` = 0, 1, ..., 7 (see [`unroll16`]).
macro_rules! unroll8 {
    ($i:ident => $body:block) => {
        unroll8!(@ $i $body; 0 1 2 3 4 5 6 7)
    };
    (@ $i:ident $body:block; $($n:literal)*) => {
        $( { let $i: usize = $n; $body } )*
    };
}

/// Half the limbs: the operand size of the Karatsuba sub-products.
const H: usize = N / 2;

/// 8 x 8 limb schoolbook product (operand scanning, 64 limb products).
#[inline(always)]
fn mul_half(a: &[u64; H], b: &[u64; H]) -> [u64; 2 * H] {
    let mut t = [0u64; 2 * H];
    unroll8!(i => {
        let bi = b[i];
        let mut c = 0u64;
        unroll8!(j => {
            (t[i + j], c) = mac(t[i + j], a[j], bi, c);
        });
        t[i + H] = c;
    });
    t
}

/// 8-limb square: the 28 off-diagonal products, doubled, plus the 8 diagonal ones.
#[inline(always)]
fn square_half(a: &[u64; H]) -> [u64; 2 * H] {
    let mut t = [0u64; 2 * H];
    unroll8!(i => {
        let ai = a[i];
        let mut c = 0u64;
        unroll8!(j => {
            if j > i {
                (t[i + j], c) = mac(t[i + j], ai, a[j], c);
            }
        });
        t[i + H] = c;
    });
    let mut top = 0u64;
    for w in t.iter_mut() {
        let next = *w >> 63;
        *w = (*w << 1) | top;
        top = next;
    }
    let mut c = false;
    for i in 0..H {
        let (lo, hi) = mac(0, a[i], a[i], 0);
        (t[2 * i], c) = adc(t[2 * i], lo, c);
        (t[2 * i + 1], c) = adc(t[2 * i + 1], hi, c);
    }
    t
}

/// |x - y| of 8-limb values, and a mask that is all ones iff x < y (by masking, no branch).
#[inline(always)]
fn abs_diff_half(x: &[u64; H], y: &[u64; H]) -> ([u64; H], u64) {
    let mut d = [0u64; H];
    let mut borrow = false;
    for i in 0..H {
        (d[i], borrow) = sbb(x[i], y[i], borrow);
    }
    let mask = 0u64.wrapping_sub(u64::from(Choice::from(borrow as u8).unwrap_u8()));
    // conditional two's complement negation: (d ^ mask) + (mask & 1)
    let mut carry = mask & 1 == 1;
    for w in d.iter_mut() {
        (*w, carry) = adc(*w ^ mask, 0, carry);
    }
    (d, mask)
}

/// Splits a 16-limb value into its low and high halves.
#[inline(always)]
fn halves(a: &[u64; N]) -> (&[u64; H], &[u64; H]) {
    let (lo, hi) = a.split_at(H);
    (lo.try_into().unwrap(), hi.try_into().unwrap())
}

/// z0 + mid * 2^512 + z2 * 2^1024 where mid (2H words) + top * 2^1024 is the middle term.
#[inline(always)]
fn karatsuba_combine(
    z0: &[u64; 2 * H],
    z2: &[u64; 2 * H],
    mid: &[u64; 2 * H],
    top: u64,
) -> [u64; 2 * N] {
    let mut r = [0u64; 2 * N];
    r[..2 * H].copy_from_slice(z0);
    r[2 * H..].copy_from_slice(z2);
    let mut c = false;
    for i in 0..2 * H {
        (r[H + i], c) = adc(r[H + i], mid[i], c);
    }
    (r[3 * H], c) = adc(r[3 * H], top, c);
    for w in r[3 * H + 1..].iter_mut() {
        (*w, c) = adc(*w, 0, c);
    }
    r
}

/// 16 x 16 limb product with one level of subtractive Karatsuba: three 8 x 8 products (192 limb
/// products instead of 256), with the sign of the middle product applied by masking.
#[inline(always)]
fn mul_full(a: &[u64; N], b: &[u64; N]) -> [u64; 2 * N] {
    let (a0, a1) = halves(a);
    let (b0, b1) = halves(b);
    let z0 = mul_half(a0, b0);
    let z2 = mul_half(a1, b1);
    let (da, sa) = abs_diff_half(a0, a1);
    let (db, sb) = abs_diff_half(b1, b0);
    let z1 = mul_half(&da, &db);
    // (a0 - a1)(b1 - b0) = a0 b1 + a1 b0 - z0 - z2 = (-1)^s * z1
    let s = sa ^ sb;
    let mut mid = [0u64; 2 * H];
    let mut c1 = false;
    for i in 0..2 * H {
        (mid[i], c1) = adc(z0[i], z2[i], c1);
    }
    let mut c2 = s & 1 == 1;
    for i in 0..2 * H {
        (mid[i], c2) = adc(mid[i], z1[i] ^ s, c2);
    }
    // a0 b1 + a1 b0 < 2^1025: its top word is c1 + c2 - (s & 1) as a 65-bit sum, 0 or 1
    let top = (c1 as u64).wrapping_add(c2 as u64).wrapping_add(s);
    karatsuba_combine(&z0, &z2, &mid, top)
}

/// 16-limb square with one level of Karatsuba: 2 a0 a1 = a0^2 + a1^2 - (a0 - a1)^2 (three
/// 8-limb squares).
#[inline(always)]
fn square_full(a: &[u64; N]) -> [u64; 2 * N] {
    let (a0, a1) = halves(a);
    let z0 = square_half(a0);
    let z2 = square_half(a1);
    let (d, _) = abs_diff_half(a0, a1);
    let z1 = square_half(&d);
    let mut mid = [0u64; 2 * H];
    let mut c = false;
    for i in 0..2 * H {
        (mid[i], c) = adc(z0[i], z2[i], c);
    }
    let mut b = false;
    for i in 0..2 * H {
        (mid[i], b) = sbb(mid[i], z1[i], b);
    }
    // 2 a0 a1 < 2^1025: the top word is c - b, 0 or 1
    let top = (c as u64).wrapping_sub(b as u64);
    karatsuba_combine(&z0, &z2, &mid, top)
}

// ---------------------------------------------------------------------------------------------
// Montgomery multiplication

/// Montgomery reduction of a double-width T < m * 2^1024: T * R^-1 mod m, fully reduced
/// (operand scanning, one row of 16 limb products per word).
#[inline(always)]
fn redc(t: &mut [u64; 2 * N], m: &[u64; N], inv: u64) -> [u64; N] {
    let mut over = false;
    unroll16!(i => {
        let k = t[i].wrapping_mul(inv);
        let mut c = 0u64;
        unroll16!(j => {
            (t[i + j], c) = mac(t[i + j], k, m[j], c);
        });
        // the carry word lands at i + N; what overflows it is added one word up next row
        (t[i + N], over) = adc(t[i + N], c, over);
    });
    let mut hi = [0u64; N];
    hi.copy_from_slice(&t[N..]);
    // (T + K m) / R < 2m
    reduce_once(&hi, over, m)
}

/// Montgomery product a * b * R^-1 mod m, fully reduced, for a < 2^1024 and b < m (so that
/// a * b < m * R; [`from_raw_reduce`] relies on a >= m being allowed).
#[inline(always)]
pub(crate) fn mont_mul<P: FieldParams>(a: &[u64; N], b: &[u64; N]) -> [u64; N] {
    mont_mul_core(a, b, &P::MODULUS, P::INV)
}

/// [`mont_mul`] for the modulus `m` with `inv` = -m^-1 mod 2^64: Karatsuba product, then
/// reduction. Not inlined, and shared by both fields (the modulus is read from memory), which
/// keeps the unrolled code in the instruction cache.
#[inline(never)]
fn mont_mul_core(a: &[u64; N], b: &[u64; N], m: &[u64; N], inv: u64) -> [u64; N] {
    #[cfg(target_arch = "x86_64")]
    if super::mulx::enabled() {
        return mont_mul_adx(a, b, m, inv);
    }
    mont_mul_portable(a, b, m, inv)
}

/// The portable Montgomery product (any architecture; on aarch64 the u128 products become
/// MUL/UMULH pairs).
#[inline(always)]
pub(crate) fn mont_mul_portable(a: &[u64; N], b: &[u64; N], m: &[u64; N], inv: u64) -> [u64; N] {
    let mut t = mul_full(a, b);
    redc(&mut t, m, inv)
}

/// The MULX/ADCX/ADOX Montgomery product ([`super::mulx`]), with the final subtraction.
/// Only where that path is enabled (or forced).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) fn mont_mul_adx(a: &[u64; N], b: &[u64; N], m: &[u64; N], inv: u64) -> [u64; N] {
    let (hi, over) = super::mulx::mont_mul_unreduced(a, b, m, inv);
    reduce_once(&hi, over, m)
}

/// Montgomery square a^2 * R^-1 mod m for a < m.
#[inline(always)]
pub(crate) fn mont_square<P: FieldParams>(a: &[u64; N]) -> [u64; N] {
    mont_square_core(a, &P::MODULUS, P::INV)
}

/// [`mont_square`] for the modulus `m` (see [`mont_mul_core`]).
#[inline(never)]
fn mont_square_core(a: &[u64; N], m: &[u64; N], inv: u64) -> [u64; N] {
    #[cfg(target_arch = "x86_64")]
    if super::mulx::enabled() {
        return mont_square_adx(a, m, inv);
    }
    mont_square_portable(a, m, inv)
}

/// The MULX/ADCX/ADOX Montgomery square of a < m: the dedicated square
/// ([`super::mulx::square_wide`], 136 product MULX instead of 256), then the reduction rows.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) fn mont_square_adx(a: &[u64; N], m: &[u64; N], inv: u64) -> [u64; N] {
    let mut t = super::mulx::square_wide(a);
    let (hi, over) = super::mulx::redc_unreduced(&mut t, m, inv);
    reduce_once(&hi, over, m)
}

/// The portable Montgomery square.
#[inline(always)]
pub(crate) fn mont_square_portable(a: &[u64; N], m: &[u64; N], inv: u64) -> [u64; N] {
    let mut t = square_full(a);
    redc(&mut t, m, inv)
}

// ---------------------------------------------------------------------------------------------
// double-width values reduced once (lazy reduction): F_p^2 products sum three products and
// reduce twice instead of three times

/// The double-width product a * b of a, b < 2^1024.
#[inline(never)]
pub(crate) fn mul_wide(a: &[u64; N], b: &[u64; N]) -> [u64; 2 * N] {
    #[cfg(target_arch = "x86_64")]
    if super::mulx::enabled() {
        return super::mulx::mul_wide(a, b);
    }
    mul_full(a, b)
}

/// Montgomery reduction t * R^-1 mod m, fully reduced, of a double-width t < m * 2^1024.
#[inline(always)]
pub(crate) fn redc_wide<P: FieldParams>(t: &[u64; 2 * N]) -> [u64; N] {
    redc_core(t, &P::MODULUS, P::INV)
}

/// [`redc_wide`] for the modulus `m` (see [`mont_mul_core`]).
#[inline(never)]
fn redc_core(t: &[u64; 2 * N], m: &[u64; N], inv: u64) -> [u64; N] {
    let mut t = *t;
    #[cfg(target_arch = "x86_64")]
    if super::mulx::enabled() {
        let (hi, over) = super::mulx::redc_unreduced(&mut t, m, inv);
        return reduce_once(&hi, over, m);
    }
    redc(&mut t, m, inv)
}

/// The portable double-width product (for the differential tests of both paths).
#[cfg(test)]
pub(crate) fn mul_full_portable(a: &[u64; N], b: &[u64; N]) -> [u64; 2 * N] {
    mul_full(a, b)
}

/// The portable reduction of [`redc_wide`] (for the differential tests of both paths).
#[cfg(test)]
pub(crate) fn redc_portable(t: &[u64; 2 * N], m: &[u64; N], inv: u64) -> [u64; N] {
    redc(&mut t.clone(), m, inv)
}

/// The MULX/ADCX/ADOX reduction of [`redc_wide`] (for the differential tests).
#[cfg(all(test, target_arch = "x86_64"))]
pub(crate) fn redc_adx(t: &[u64; 2 * N], m: &[u64; N], inv: u64) -> [u64; N] {
    let (hi, over) = super::mulx::redc_unreduced(&mut t.clone(), m, inv);
    reduce_once(&hi, over, m)
}

/// (x - y) mod (m * 2^1024) for double-width x, y < m * 2^1024: the difference, plus m times
/// 2^1024 where it borrowed (by masking), stays below m * 2^1024, so it can be reduced once.
#[inline]
pub(crate) fn sub_wide<P: FieldParams>(x: &[u64; 2 * N], y: &[u64; 2 * N]) -> [u64; 2 * N] {
    let m = &P::MODULUS;
    let mut d = [0u64; 2 * N];
    let mut borrow = false;
    for i in 0..2 * N {
        (d[i], borrow) = sbb(x[i], y[i], borrow);
    }
    let mask = 0u64.wrapping_sub(u64::from(Choice::from(borrow as u8).unwrap_u8()));
    // the carry out of the top word cancels the borrow
    let mut carry = false;
    for i in 0..N {
        (d[N + i], carry) = adc(d[N + i], m[i] & mask, carry);
    }
    d
}

/// a * R^-1 mod m: leaves Montgomery form (the result is the canonical residue).
#[inline]
pub(crate) fn from_mont<P: FieldParams>(a: &[u64; N]) -> [u64; N] {
    let mut t = [0u64; 2 * N];
    t[..N].copy_from_slice(a);
    redc(&mut t, &P::MODULUS, P::INV)
}

/// Montgomery form of any 1024-bit integer x (x * R mod m), also for x >= m.
#[inline]
pub(crate) fn from_raw_reduce<P: FieldParams>(x: &[u64; N]) -> [u64; N] {
    mont_mul::<P>(x, &P::R2)
}

/// Choice(1) iff x < m (constant time).
#[inline]
pub(crate) fn is_canonical<P: FieldParams>(x: &[u64; N]) -> Choice {
    let m = &P::MODULUS;
    let mut borrow = false;
    for i in 0..N {
        (_, borrow) = sbb(x[i], m[i], borrow);
    }
    Choice::from(borrow as u8)
}

/// Choice(1) iff all limbs are zero (constant time).
#[inline]
pub(crate) fn is_zero(x: &[u64; N]) -> Choice {
    let mut acc = 0u64;
    for l in x {
        acc |= l;
    }
    // (acc | -acc) has its top bit set iff acc != 0
    let nonzero = (acc | acc.wrapping_neg()) >> 63;
    Choice::from((nonzero ^ 1) as u8)
}

/// Little-endian limbs of a big-endian 128-octet string.
#[inline]
pub(crate) fn limbs_from_be(bytes: &[u8; 8 * N]) -> [u64; N] {
    let mut out = [0u64; N];
    for (i, chunk) in bytes.chunks_exact(8).enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        out[N - 1 - i] = u64::from_be_bytes(w);
    }
    out
}

/// Big-endian 128-octet string of little-endian limbs.
#[inline]
pub(crate) fn limbs_to_be(l: &[u64; N]) -> [u8; 8 * N] {
    let mut out = [0u8; 8 * N];
    for (i, chunk) in out.chunks_exact_mut(8).enumerate() {
        chunk.copy_from_slice(&l[N - 1 - i].to_be_bytes());
    }
    out
}

/// Reduces a big-endian integer of any length (public data) into Montgomery form.
pub(crate) fn from_be_slice_reduce_vartime<P: FieldParams>(bytes: &[u8]) -> [u64; N] {
    const B: usize = 8 * N;
    let mut acc = [0u64; N];
    // the first (most significant) chunk is the short one
    let (head, rest) = bytes.split_at(bytes.len() % B);
    for chunk in core::iter::once(head).chain(rest.chunks_exact(B)) {
        let mut buf = [0u8; B];
        buf[B - chunk.len()..].copy_from_slice(chunk);
        let v = from_raw_reduce::<P>(&limbs_from_be(&buf));
        // acc = acc * 2^1024 + v; R2 is the Montgomery form of R = 2^1024 mod m
        acc = mont_mul::<P>(&acc, &P::R2);
        acc = add::<P>(&acc, &v);
    }
    acc
}

// ---------------------------------------------------------------------------------------------
// Jacobi symbol (variable time, public values only)

/// The Jacobi symbol (a / n) of a < n for an odd n: 1, -1, or 0 when gcd(a, n) > 1. Binary
/// algorithm: strip the factors 2 of a ((2 / n) = -1 iff n = 3 or 5 mod 8), swap a and n when
/// a < n (quadratic reciprocity: the sign flips iff both are 3 mod 4), subtract n from a.
/// Every step takes one bit or more off a + n, so about 2 * 1024 steps of 16-limb shifts and
/// subtractions, against about 1250 multiplications for Euler's criterion. Variable time.
pub(crate) fn jacobi_vartime(a: &[u64; N], n: &[u64; N]) -> i8 {
    let (mut a, mut n) = (*a, *n);
    let mut sign = 1i8;
    let is_zero = |x: &[u64; N]| x.iter().all(|&w| w == 0);
    while !is_zero(&a) {
        // a = 2^k a' with a' odd
        let mut k = 0u32;
        while a[0] == 0 {
            a.copy_within(1.., 0);
            a[N - 1] = 0;
            k += 64;
        }
        let tz = a[0].trailing_zeros();
        if tz > 0 {
            for i in 0..N - 1 {
                a[i] = (a[i] >> tz) | (a[i + 1] << (64 - tz));
            }
            a[N - 1] >>= tz;
        }
        k += tz;
        if k % 2 == 1 && matches!(n[0] % 8, 3 | 5) {
            sign = -sign;
        }
        // both odd now: order them, then a - n is even
        let less = (0..N)
            .rev()
            .find(|&i| a[i] != n[i])
            .is_some_and(|i| a[i] < n[i]);
        if less {
            core::mem::swap(&mut a, &mut n);
            if a[0] % 4 == 3 && n[0] % 4 == 3 {
                sign = -sign;
            }
        }
        let mut borrow = false;
        for i in 0..N {
            (a[i], borrow) = sbb(a[i], n[i], borrow);
        }
    }
    let one = n[0] == 1 && n[1..].iter().all(|&w| w == 0);
    if one { sign } else { 0 }
}
