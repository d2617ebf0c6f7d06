//! GF(p) multiplication, squaring, addition and subtraction of P-256 in x86-64 assembly, for
//! [`super::field`]: the same Montgomery form (R = 2^256) and limbs as fiat-crypto's `p256_64`,
//! whose other functions this module re-exports unchanged, so that the field is defined on it
//! exactly as on fiat. fiat stays the path on every other architecture (and under
//! `--cfg mkc_fiat_32`); both are differentially tested against each other and num-bigint
//! (`super::tests`).
//!
//! Why: the compiler's code for fiat's product is 364 instructions, far from the carry-chain
//! optimum; these are about half of that. Baseline x86-64 only (MUL, ADD/ADC, SUB/SBB, shifts,
//! CMOV): no MULX/ADX, so there is no run-time detection, and valgrind (`make test-ct`) runs
//! exactly the code that ships.
//!
//! Constant time: fixed instruction sequences, no branch and no memory index on a value; the
//! final conditional subtraction of p is by CMOV, the conditional addition by a mask.
//!
//! The product (or square) is computed in full, 8 limbs, then its low half is reduced in four
//! Montgomery steps that use p's shape: p = -1 mod 2^64, so the step's multiplier is the low
//! limb m itself, and m p = m 2^256 - m 2^224 + m 2^192 + m 2^96 - m, whose low two limbs with
//! the low limb m sum to m 2^96 (a shift), leaving one MUL by p's top limb 2^64 - 2^32 + 1.
//! With x < p^2: x = H 2^256 + L, (L + M p) / 2^256 <= p (M < 2^256) and H < p, so the
//! result H + (L + M p) / 2^256 is below 2p and one conditional subtraction of p reduces it.
#![allow(unsafe_code)]

pub(crate) use fiat_crypto::p256_64::{
    fiat_p256_from_bytes, fiat_p256_from_montgomery, fiat_p256_montgomery_domain_field_element,
    fiat_p256_non_montgomery_domain_field_element, fiat_p256_nonzero, fiat_p256_opp,
    fiat_p256_selectznz, fiat_p256_set_one, fiat_p256_to_bytes, fiat_p256_to_montgomery,
};

type Element = fiat_p256_montgomery_domain_field_element;

/// One row of the schoolbook product: `t[i..i+5] = t[i..i+4] + a * b_i`, with `rsi` -> a and
/// the memory operand `$b` = b_i; the row's top limb `$t4` is written, the others accumulate.
/// `rdi` carries the high half of one column into the next. Cannot overflow: every column sum
/// t + c + a_j b_i is at most (2^64 - 1) (2 + 2^64 - 1) = 2^128 - 1.
#[rustfmt::skip]
macro_rules! row {
    ($b:literal, $t0:literal, $t1:literal, $t2:literal, $t3:literal, $t4:literal) => {
        concat!(
            "mov rax, [rsi]\n",
            "mul qword ptr ", $b, "\n",
            "add ", $t0, ", rax\n",
            "adc rdx, 0\n",
            "mov rdi, rdx\n",
            "mov rax, [rsi + 8]\n",
            "mul qword ptr ", $b, "\n",
            "add ", $t1, ", rdi\n",
            "adc rdx, 0\n",
            "add ", $t1, ", rax\n",
            "adc rdx, 0\n",
            "mov rdi, rdx\n",
            "mov rax, [rsi + 16]\n",
            "mul qword ptr ", $b, "\n",
            "add ", $t2, ", rdi\n",
            "adc rdx, 0\n",
            "add ", $t2, ", rax\n",
            "adc rdx, 0\n",
            "mov rdi, rdx\n",
            "mov rax, [rsi + 24]\n",
            "mul qword ptr ", $b, "\n",
            "add ", $t3, ", rdi\n",
            "adc rdx, 0\n",
            "add ", $t3, ", rax\n",
            "adc rdx, 0\n",
            "mov ", $t4, ", rdx\n",
        )
    };
}

/// One Montgomery step on the 4-limb window (w0, w1, w2, w3) with `rsi` = 2^64 - 2^32 + 1
/// (p's top limb): m = w0, window + m p = (w1 + m 2^32, w2 + (m >> 32), w3 + lo(m p3),
/// hi(m p3)) plus carries, shifted down one limb; the new top limb is written into w0's
/// register, so the window becomes (w1, w2, w3, w0). The window stays below 2^256 (it is at
/// most 2^192 + p after the first step), so the top limb hi(m p3) + carry cannot overflow.
#[rustfmt::skip]
macro_rules! reduce_step {
    ($w0:literal, $w1:literal, $w2:literal, $w3:literal) => {
        concat!(
            "mov rax, ", $w0, "\n",
            "mul rsi\n",
            "mov rdi, ", $w0, "\n",
            "shl rdi, 32\n",
            "shr ", $w0, ", 32\n",
            "add ", $w1, ", rdi\n",
            "adc ", $w2, ", ", $w0, "\n",
            "adc ", $w3, ", rax\n",
            "adc rdx, 0\n",
            "mov ", $w0, ", rdx\n",
        )
    };
}

/// The four Montgomery steps on the low half r8..r11 of the 8-limb value r8..r15, the high
/// half r12..r15 added, and the conditional subtraction of p; the result (below p) is in
/// r12..r15. Clobbers rax, rcx, rdx, rdi, and sets rsi to p's top limb.
macro_rules! reduce_wide {
    () => {
        concat!(
            "mov rsi, 0xffffffff00000001\n",
            reduce_step!("r8", "r9", "r10", "r11"),
            reduce_step!("r9", "r10", "r11", "r8"),
            reduce_step!("r10", "r11", "r8", "r9"),
            reduce_step!("r11", "r8", "r9", "r10"),
            "xor ecx, ecx\n",
            "add r8, r12\n",
            "adc r9, r13\n",
            "adc r10, r14\n",
            "adc r11, r15\n",
            "adc rcx, 0\n",
            subtract_p!(),
        )
    };
}

/// (rcx : r11 r10 r9 r8), below 2p, minus p if it is at least p, into r12..r15: the subtraction
/// is always computed, and CMOV keeps the minuend when it borrowed. Needs `rsi` = p's top limb;
/// clobbers rdx and rcx.
macro_rules! subtract_p {
    () => {
        concat!(
            "mov r12, r8\n",
            "mov r13, r9\n",
            "mov r14, r10\n",
            "mov r15, r11\n",
            "mov edx, 0xffffffff\n",
            "sub r12, -1\n",
            "sbb r13, rdx\n",
            "sbb r14, 0\n",
            "sbb r15, rsi\n",
            "sbb rcx, 0\n",
            "cmovc r12, r8\n",
            "cmovc r13, r9\n",
            "cmovc r14, r10\n",
            "cmovc r15, r11\n",
        )
    };
}

/// a b / 2^256 mod p for a, b < p (Montgomery product).
#[inline]
pub(crate) fn mul(a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {
    let (r0, r1, r2, r3): (u64, u64, u64, u64);
    // SAFETY: reads the 32 octets behind each of the two references; writes registers only,
    // all of them declared.
    unsafe {
        core::arch::asm!(
            // row 0: r8..r12 = a * b0
            "mov rax, [rsi]",
            "mul qword ptr [rcx]",
            "mov r8, rax",
            "mov r9, rdx",
            "mov rax, [rsi + 8]",
            "mul qword ptr [rcx]",
            "add r9, rax",
            "adc rdx, 0",
            "mov r10, rdx",
            "mov rax, [rsi + 16]",
            "mul qword ptr [rcx]",
            "add r10, rax",
            "adc rdx, 0",
            "mov r11, rdx",
            "mov rax, [rsi + 24]",
            "mul qword ptr [rcx]",
            "add r11, rax",
            "adc rdx, 0",
            "mov r12, rdx",
            row!("[rcx + 8]", "r9", "r10", "r11", "r12", "r13"),
            row!("[rcx + 16]", "r10", "r11", "r12", "r13", "r14"),
            row!("[rcx + 24]", "r11", "r12", "r13", "r14", "r15"),
            reduce_wide!(),
            inout("rsi") a.as_ptr() => _,
            inout("rcx") b.as_ptr() => _,
            out("rax") _,
            out("rdx") _,
            out("rdi") _,
            out("r8") _,
            out("r9") _,
            out("r10") _,
            out("r11") _,
            lateout("r12") r0,
            lateout("r13") r1,
            lateout("r14") r2,
            lateout("r15") r3,
            options(pure, readonly, nostack),
        );
    }
    [r0, r1, r2, r3]
}

/// a^2 / 2^256 mod p for a < p: the six cross products once, doubled, plus the four squares.
#[inline]
pub(crate) fn square(a: &[u64; 4]) -> [u64; 4] {
    let (r0, r1, r2, r3): (u64, u64, u64, u64);
    // SAFETY: reads the 32 octets behind the reference; writes registers only, all of them
    // declared.
    unsafe {
        core::arch::asm!(
            // cross products a_i a_j (i < j) into columns 1..6 (r9..r14)
            "mov rax, [rsi + 8]",
            "mul qword ptr [rsi]",
            "mov r9, rax",
            "mov r10, rdx",
            "mov rax, [rsi + 16]",
            "mul qword ptr [rsi]",
            "add r10, rax",
            "adc rdx, 0",
            "mov r11, rdx",
            "mov rax, [rsi + 24]",
            "mul qword ptr [rsi]",
            "add r11, rax",
            "adc rdx, 0",
            "mov r12, rdx",
            "mov rax, [rsi + 16]",
            "mul qword ptr [rsi + 8]",
            "add r11, rax",
            "adc rdx, 0",
            "mov rdi, rdx",
            "mov rax, [rsi + 24]",
            "mul qword ptr [rsi + 8]",
            "add r12, rdi",
            "adc rdx, 0",
            "add r12, rax",
            "adc rdx, 0",
            "mov r13, rdx",
            "mov rax, [rsi + 24]",
            "mul qword ptr [rsi + 16]",
            "add r13, rax",
            "adc rdx, 0",
            "mov r14, rdx",
            // doubled, the carry into column 7 (r15)
            "xor r15d, r15d",
            "add r9, r9",
            "adc r10, r10",
            "adc r11, r11",
            "adc r12, r12",
            "adc r13, r13",
            "adc r14, r14",
            "adc r15, 0",
            // the squares a_i^2 into columns 2i, 2i + 1
            "mov rax, [rsi]",
            "mul rax",
            "mov r8, rax",
            "mov rdi, rdx",
            "mov rax, [rsi + 8]",
            "mul rax",
            "add r9, rdi",
            "adc r10, rax",
            "adc rdx, 0",
            "mov rdi, rdx",
            "mov rax, [rsi + 16]",
            "mul rax",
            "add r11, rdi",
            "adc r12, rax",
            "adc rdx, 0",
            "mov rdi, rdx",
            "mov rax, [rsi + 24]",
            "mul rax",
            "add r13, rdi",
            "adc r14, rax",
            "adc r15, rdx",
            reduce_wide!(),
            inout("rsi") a.as_ptr() => _,
            out("rax") _,
            out("rcx") _,
            out("rdx") _,
            out("rdi") _,
            out("r8") _,
            out("r9") _,
            out("r10") _,
            out("r11") _,
            lateout("r12") r0,
            lateout("r13") r1,
            lateout("r14") r2,
            lateout("r15") r3,
            options(pure, readonly, nostack),
        );
    }
    [r0, r1, r2, r3]
}

/// a + b mod p for a, b < p.
#[inline]
pub(crate) fn add(a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {
    let (r0, r1, r2, r3): (u64, u64, u64, u64);
    // SAFETY: reads the 32 octets behind each of the two references; writes registers only,
    // all of them declared.
    unsafe {
        core::arch::asm!(
            "mov r8, [rsi]",
            "mov r9, [rsi + 8]",
            "mov r10, [rsi + 16]",
            "mov r11, [rsi + 24]",
            "xor ecx, ecx",
            "add r8, [rdi]",
            "adc r9, [rdi + 8]",
            "adc r10, [rdi + 16]",
            "adc r11, [rdi + 24]",
            "adc rcx, 0",
            "mov rsi, 0xffffffff00000001",
            subtract_p!(),
            inout("rsi") a.as_ptr() => _,
            in("rdi") b.as_ptr(),
            out("rcx") _,
            out("rdx") _,
            out("r8") _,
            out("r9") _,
            out("r10") _,
            out("r11") _,
            lateout("r12") r0,
            lateout("r13") r1,
            lateout("r14") r2,
            lateout("r15") r3,
            options(pure, readonly, nostack),
        );
    }
    [r0, r1, r2, r3]
}

/// a - b mod p for a, b < p: p added back under the mask of the borrow.
#[inline]
pub(crate) fn sub(a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {
    let (r0, r1, r2, r3): (u64, u64, u64, u64);
    // SAFETY: reads the 32 octets behind each of the two references; writes registers only,
    // all of them declared.
    unsafe {
        core::arch::asm!(
            "mov r8, [rsi]",
            "mov r9, [rsi + 8]",
            "mov r10, [rsi + 16]",
            "mov r11, [rsi + 24]",
            "sub r8, [rdi]",
            "sbb r9, [rdi + 8]",
            "sbb r10, [rdi + 16]",
            "sbb r11, [rdi + 24]",
            // rcx = all ones if it borrowed, else 0; then p's limbs under that mask
            "sbb rcx, rcx",
            "mov rdx, rcx",
            "shr rdx, 32",
            "mov rax, 0xffffffff00000001",
            "and rax, rcx",
            "add r8, rcx",
            "adc r9, rdx",
            "adc r10, 0",
            "adc r11, rax",
            in("rsi") a.as_ptr(),
            in("rdi") b.as_ptr(),
            out("rax") _,
            out("rcx") _,
            out("rdx") _,
            lateout("r8") r0,
            lateout("r9") r1,
            lateout("r10") r2,
            lateout("r11") r3,
            options(pure, readonly, nostack),
        );
    }
    [r0, r1, r2, r3]
}

/// fiat's signature for [`mul`], so that the field macro takes this module for fiat's.
#[inline(always)]
pub(crate) fn fiat_p256_mul(out: &mut Element, a: &Element, b: &Element) {
    out.0 = mul(&a.0, &b.0);
}

/// fiat's signature for [`square`].
#[inline(always)]
pub(crate) fn fiat_p256_square(out: &mut Element, a: &Element) {
    out.0 = square(&a.0);
}

/// fiat's signature for [`add`].
#[inline(always)]
pub(crate) fn fiat_p256_add(out: &mut Element, a: &Element, b: &Element) {
    out.0 = add(&a.0, &b.0);
}

/// fiat's signature for [`sub`].
#[inline(always)]
pub(crate) fn fiat_p256_sub(out: &mut Element, a: &Element, b: &Element) {
    out.0 = sub(&a.0, &b.0);
}
