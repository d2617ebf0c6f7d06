//! The x86-64 Montgomery multiplication with MULX/ADCX/ADOX (BMI2 + ADX), chosen at run time.
//!
//! The only `unsafe` of the library outside `src/ffi`: one `asm!` block, because the compiler
//! does not produce two interleaved carry chains (ADCX on CF, ADOX on OF) from safe Rust. The
//! portable path ([`super::arith`]) is used on every other CPU and architecture, and both are
//! differentially tested against num-bigint and run under `make test-ct`.
//!
//! Constant time: a fixed instruction sequence (two loops of 16 rows with fixed trip counts);
//! MULX, ADCX, ADOX and IMUL take the same time whatever their operands; no memory index
//! depends on a value.
#![allow(unsafe_code)]

use core::sync::atomic::{AtomicU8, Ordering};

use super::LIMBS as N;

const UNKNOWN: u8 = 0;
const PORTABLE: u8 = 1;
const ADX: u8 = 2;

/// The multiplication path in use: detected once, on first use (or forced by the ct-check).
static BACKEND: AtomicU8 = AtomicU8::new(UNKNOWN);

/// True if the MULX/ADCX/ADOX path is to be used.
#[inline(always)]
pub(crate) fn enabled() -> bool {
    match BACKEND.load(Ordering::Relaxed) {
        ADX => true,
        PORTABLE => false,
        _ => detect(),
    }
}

#[cold]
fn detect() -> bool {
    let adx = std::is_x86_feature_detected!("bmi2") && std::is_x86_feature_detected!("adx");
    BACKEND.store(if adx { ADX } else { PORTABLE }, Ordering::Relaxed);
    adx
}

/// Forces the path (`true`: MULX/ADCX/ADOX, whatever CPUID says; `false`: portable). For the
/// constant-time check, which must run both paths and under valgrind, whose CPUID hides ADX
/// although it executes it. Forcing the ADX path on a CPU without ADX faults.
#[cfg(feature = "ct-check")]
pub(crate) fn force(adx: bool) {
    BACKEND.store(if adx { ADX } else { PORTABLE }, Ordering::Relaxed);
}

/// One row of 16 columns: `t[0..16] += rdx * src[0..16]`, with the row's top word left in r11
/// (and still to receive OF and CF). The high halves alternate between r10 and r11; OF carries
/// them into the next column, CF carries the sum with the accumulator.
macro_rules! row {
    ($src:literal) => {
        concat!(
            "mulx r10, r8, [",
            $src,
            "]\n",
            "adcx r8, [rdi]\n",
            "mov [rdi], r8\n",
            col!(1, "r11", "r10", $src),
            col!(2, "r10", "r11", $src),
            col!(3, "r11", "r10", $src),
            col!(4, "r10", "r11", $src),
            col!(5, "r11", "r10", $src),
            col!(6, "r10", "r11", $src),
            col!(7, "r11", "r10", $src),
            col!(8, "r10", "r11", $src),
            col!(9, "r11", "r10", $src),
            col!(10, "r10", "r11", $src),
            col!(11, "r11", "r10", $src),
            col!(12, "r10", "r11", $src),
            col!(13, "r11", "r10", $src),
            col!(14, "r10", "r11", $src),
            col!(15, "r11", "r10", $src),
            // the top word: the last high half plus both pending carries (cannot overflow)
            "adox r11, rax\n",
            "adcx r11, rax\n",
        )
    };
}

macro_rules! col {
    ($j:literal, $hi:literal, $prev:literal, $src:literal) => {
        concat!(
            "mulx ",
            $hi,
            ", r8, [",
            $src,
            " + 8*",
            $j,
            "]\n",
            "adox r8, ",
            $prev,
            "\n",
            "adcx r8, [rdi + 8*",
            $j,
            "]\n",
            "mov [rdi + 8*",
            $j,
            "], r8\n",
        )
    };
}

/// The Montgomery product a * b * 2^-1024 mod m before its final conditional subtraction:
/// returns (hi, over) with over * 2^1024 + hi < 2m, for a * b < m * 2^1024 and inv = -m^-1 mod
/// 2^64. Operand scanning: 16 product rows, then 16 reduction rows, into a 32-word buffer.
#[inline(always)]
pub(crate) fn mont_mul_unreduced(
    a: &[u64; N],
    b: &[u64; N],
    m: &[u64; N],
    inv: u64,
) -> ([u64; N], bool) {
    let mut t = [0u64; 2 * N];
    let over: u64;
    // SAFETY: runs only where `enabled()` found (or the ct-check forced) BMI2 and ADX. Reads
    // a[0..16], b[0..16], m[0..16] and reads and writes t[0..32], all in bounds of the arrays
    // behind the pointers; every register written is declared; no stack use.
    unsafe {
        core::arch::asm!(
            // t = a * b: row i adds b[i] * a to t[i..i+16] and sets t[i+16]
            "mov r14d, 16",
            "2:",
            "mov rdx, [rcx]",
            "xor eax, eax",
            row!("rsi"),
            "mov [rdi + 128], r11",
            "add rdi, 8",
            "add rcx, 8",
            "dec r14",
            "jnz 2b",
            // reduction: row i adds k * m to t[i..i+16], k = t[i] * inv, so that t[i] becomes
            // 0; the carry out of word i + 16 goes to the next row in r15
            "sub rdi, 128",
            "xor r15d, r15d",
            "mov r14d, 16",
            "3:",
            "mov rdx, [rdi]",
            "imul rdx, r13",
            "xor eax, eax",
            row!("r12"),
            "xor r9d, r9d",
            "add r11, r15",
            "adc r9, 0",
            "add r11, [rdi + 128]",
            "adc r9, 0",
            "mov [rdi + 128], r11",
            "mov r15, r9",
            "add rdi, 8",
            "dec r14",
            "jnz 3b",
            inout("rdi") t.as_mut_ptr() => _,
            in("rsi") a.as_ptr(),
            inout("rcx") b.as_ptr() => _,
            in("r12") m.as_ptr(),
            in("r13") inv,
            out("r15") over,
            out("rax") _,
            out("rdx") _,
            out("r8") _,
            out("r9") _,
            out("r10") _,
            out("r11") _,
            out("r14") _,
            options(nostack),
        );
    }
    let mut hi = [0u64; N];
    hi.copy_from_slice(&t[N..]);
    (hi, over != 0)
}

/// The double-width product a * b: the 16 product rows of [`mont_mul_unreduced`] alone, for
/// sums of products that are reduced once (F_p^2 multiplication).
#[inline(always)]
pub(crate) fn mul_wide(a: &[u64; N], b: &[u64; N]) -> [u64; 2 * N] {
    let mut t = [0u64; 2 * N];
    // SAFETY: runs only where `enabled()` found (or the ct-check forced) BMI2 and ADX. Reads
    // a[0..16] and b[0..16] and reads and writes t[0..32], all in bounds of the arrays behind
    // the pointers; every register written is declared; no stack use.
    unsafe {
        core::arch::asm!(
            "mov r14d, 16",
            "2:",
            "mov rdx, [rcx]",
            "xor eax, eax",
            row!("rsi"),
            "mov [rdi + 128], r11",
            "add rdi, 8",
            "add rcx, 8",
            "dec r14",
            "jnz 2b",
            inout("rdi") t.as_mut_ptr() => _,
            in("rsi") a.as_ptr(),
            inout("rcx") b.as_ptr() => _,
            out("rax") _,
            out("rdx") _,
            out("r8") _,
            out("r10") _,
            out("r11") _,
            out("r14") _,
            options(nostack),
        );
    }
    t
}

/// The double-width square a^2 of a < 2^1024 with 136 MULX instead of 256: the 120 products
/// a\[i\] a\[j\] (i < j) in 15 rows of 15, 14, ..., 1 columns (the two carry chains of
/// [`row!`], accumulator in t), then one pass that doubles t (ADCX t, t: CF carries the
/// shifted-out bit) and adds the 16 squares a\[i\]^2 at words 2i, 2i + 1 (ADOX: OF carries).
/// a^2 < 2^2048, so no carry leaves the last word. Straight-line code: the rows have
/// different lengths, so each column is written out with its offsets.
#[inline(always)]
pub(crate) fn square_wide(a: &[u64; N]) -> [u64; 2 * N] {
    let mut t = [0u64; 2 * N];
    // SAFETY: runs only where `enabled()` found (or the ct-check forced) BMI2 and ADX. Reads
    // a[0..16] and reads and writes t[0..32] (offsets below 256), all in bounds of the arrays
    // behind the pointers; every register written is declared; no stack use.
    unsafe {
        core::arch::asm!(
            // row 0: t[1..=15] += a[0] * a[1..16], top word to t[16]
            "mov rdx, [rsi + 0]\nxor eax, eax",
            "mulx r10, r8, [rsi + 8]\nadcx r8, [rdi + 8]\nmov [rdi + 8], r8",
            "mulx r11, r8, [rsi + 16]\nadox r8, r10\nadcx r8, [rdi + 16]\nmov [rdi + 16], r8",
            "mulx r10, r8, [rsi + 24]\nadox r8, r11\nadcx r8, [rdi + 24]\nmov [rdi + 24], r8",
            "mulx r11, r8, [rsi + 32]\nadox r8, r10\nadcx r8, [rdi + 32]\nmov [rdi + 32], r8",
            "mulx r10, r8, [rsi + 40]\nadox r8, r11\nadcx r8, [rdi + 40]\nmov [rdi + 40], r8",
            "mulx r11, r8, [rsi + 48]\nadox r8, r10\nadcx r8, [rdi + 48]\nmov [rdi + 48], r8",
            "mulx r10, r8, [rsi + 56]\nadox r8, r11\nadcx r8, [rdi + 56]\nmov [rdi + 56], r8",
            "mulx r11, r8, [rsi + 64]\nadox r8, r10\nadcx r8, [rdi + 64]\nmov [rdi + 64], r8",
            "mulx r10, r8, [rsi + 72]\nadox r8, r11\nadcx r8, [rdi + 72]\nmov [rdi + 72], r8",
            "mulx r11, r8, [rsi + 80]\nadox r8, r10\nadcx r8, [rdi + 80]\nmov [rdi + 80], r8",
            "mulx r10, r8, [rsi + 88]\nadox r8, r11\nadcx r8, [rdi + 88]\nmov [rdi + 88], r8",
            "mulx r11, r8, [rsi + 96]\nadox r8, r10\nadcx r8, [rdi + 96]\nmov [rdi + 96], r8",
            "mulx r10, r8, [rsi + 104]\nadox r8, r11\nadcx r8, [rdi + 104]\nmov [rdi + 104], r8",
            "mulx r11, r8, [rsi + 112]\nadox r8, r10\nadcx r8, [rdi + 112]\nmov [rdi + 112], r8",
            "mulx r10, r8, [rsi + 120]\nadox r8, r11\nadcx r8, [rdi + 120]\nmov [rdi + 120], r8",
            "adox r10, rax\nadcx r10, rax\nmov [rdi + 128], r10",
            // row 1: t[3..=16] += a[1] * a[2..16], top word to t[17]
            "mov rdx, [rsi + 8]\nxor eax, eax",
            "mulx r10, r8, [rsi + 16]\nadcx r8, [rdi + 24]\nmov [rdi + 24], r8",
            "mulx r11, r8, [rsi + 24]\nadox r8, r10\nadcx r8, [rdi + 32]\nmov [rdi + 32], r8",
            "mulx r10, r8, [rsi + 32]\nadox r8, r11\nadcx r8, [rdi + 40]\nmov [rdi + 40], r8",
            "mulx r11, r8, [rsi + 40]\nadox r8, r10\nadcx r8, [rdi + 48]\nmov [rdi + 48], r8",
            "mulx r10, r8, [rsi + 48]\nadox r8, r11\nadcx r8, [rdi + 56]\nmov [rdi + 56], r8",
            "mulx r11, r8, [rsi + 56]\nadox r8, r10\nadcx r8, [rdi + 64]\nmov [rdi + 64], r8",
            "mulx r10, r8, [rsi + 64]\nadox r8, r11\nadcx r8, [rdi + 72]\nmov [rdi + 72], r8",
            "mulx r11, r8, [rsi + 72]\nadox r8, r10\nadcx r8, [rdi + 80]\nmov [rdi + 80], r8",
            "mulx r10, r8, [rsi + 80]\nadox r8, r11\nadcx r8, [rdi + 88]\nmov [rdi + 88], r8",
            "mulx r11, r8, [rsi + 88]\nadox r8, r10\nadcx r8, [rdi + 96]\nmov [rdi + 96], r8",
            "mulx r10, r8, [rsi + 96]\nadox r8, r11\nadcx r8, [rdi + 104]\nmov [rdi + 104], r8",
            "mulx r11, r8, [rsi + 104]\nadox r8, r10\nadcx r8, [rdi + 112]\nmov [rdi + 112], r8",
            "mulx r10, r8, [rsi + 112]\nadox r8, r11\nadcx r8, [rdi + 120]\nmov [rdi + 120], r8",
            "mulx r11, r8, [rsi + 120]\nadox r8, r10\nadcx r8, [rdi + 128]\nmov [rdi + 128], r8",
            "adox r11, rax\nadcx r11, rax\nmov [rdi + 136], r11",
            // row 2: t[5..=17] += a[2] * a[3..16], top word to t[18]
            "mov rdx, [rsi + 16]\nxor eax, eax",
            "mulx r10, r8, [rsi + 24]\nadcx r8, [rdi + 40]\nmov [rdi + 40], r8",
            "mulx r11, r8, [rsi + 32]\nadox r8, r10\nadcx r8, [rdi + 48]\nmov [rdi + 48], r8",
            "mulx r10, r8, [rsi + 40]\nadox r8, r11\nadcx r8, [rdi + 56]\nmov [rdi + 56], r8",
            "mulx r11, r8, [rsi + 48]\nadox r8, r10\nadcx r8, [rdi + 64]\nmov [rdi + 64], r8",
            "mulx r10, r8, [rsi + 56]\nadox r8, r11\nadcx r8, [rdi + 72]\nmov [rdi + 72], r8",
            "mulx r11, r8, [rsi + 64]\nadox r8, r10\nadcx r8, [rdi + 80]\nmov [rdi + 80], r8",
            "mulx r10, r8, [rsi + 72]\nadox r8, r11\nadcx r8, [rdi + 88]\nmov [rdi + 88], r8",
            "mulx r11, r8, [rsi + 80]\nadox r8, r10\nadcx r8, [rdi + 96]\nmov [rdi + 96], r8",
            "mulx r10, r8, [rsi + 88]\nadox r8, r11\nadcx r8, [rdi + 104]\nmov [rdi + 104], r8",
            "mulx r11, r8, [rsi + 96]\nadox r8, r10\nadcx r8, [rdi + 112]\nmov [rdi + 112], r8",
            "mulx r10, r8, [rsi + 104]\nadox r8, r11\nadcx r8, [rdi + 120]\nmov [rdi + 120], r8",
            "mulx r11, r8, [rsi + 112]\nadox r8, r10\nadcx r8, [rdi + 128]\nmov [rdi + 128], r8",
            "mulx r10, r8, [rsi + 120]\nadox r8, r11\nadcx r8, [rdi + 136]\nmov [rdi + 136], r8",
            "adox r10, rax\nadcx r10, rax\nmov [rdi + 144], r10",
            // row 3: t[7..=18] += a[3] * a[4..16], top word to t[19]
            "mov rdx, [rsi + 24]\nxor eax, eax",
            "mulx r10, r8, [rsi + 32]\nadcx r8, [rdi + 56]\nmov [rdi + 56], r8",
            "mulx r11, r8, [rsi + 40]\nadox r8, r10\nadcx r8, [rdi + 64]\nmov [rdi + 64], r8",
            "mulx r10, r8, [rsi + 48]\nadox r8, r11\nadcx r8, [rdi + 72]\nmov [rdi + 72], r8",
            "mulx r11, r8, [rsi + 56]\nadox r8, r10\nadcx r8, [rdi + 80]\nmov [rdi + 80], r8",
            "mulx r10, r8, [rsi + 64]\nadox r8, r11\nadcx r8, [rdi + 88]\nmov [rdi + 88], r8",
            "mulx r11, r8, [rsi + 72]\nadox r8, r10\nadcx r8, [rdi + 96]\nmov [rdi + 96], r8",
            "mulx r10, r8, [rsi + 80]\nadox r8, r11\nadcx r8, [rdi + 104]\nmov [rdi + 104], r8",
            "mulx r11, r8, [rsi + 88]\nadox r8, r10\nadcx r8, [rdi + 112]\nmov [rdi + 112], r8",
            "mulx r10, r8, [rsi + 96]\nadox r8, r11\nadcx r8, [rdi + 120]\nmov [rdi + 120], r8",
            "mulx r11, r8, [rsi + 104]\nadox r8, r10\nadcx r8, [rdi + 128]\nmov [rdi + 128], r8",
            "mulx r10, r8, [rsi + 112]\nadox r8, r11\nadcx r8, [rdi + 136]\nmov [rdi + 136], r8",
            "mulx r11, r8, [rsi + 120]\nadox r8, r10\nadcx r8, [rdi + 144]\nmov [rdi + 144], r8",
            "adox r11, rax\nadcx r11, rax\nmov [rdi + 152], r11",
            // row 4: t[9..=19] += a[4] * a[5..16], top word to t[20]
            "mov rdx, [rsi + 32]\nxor eax, eax",
            "mulx r10, r8, [rsi + 40]\nadcx r8, [rdi + 72]\nmov [rdi + 72], r8",
            "mulx r11, r8, [rsi + 48]\nadox r8, r10\nadcx r8, [rdi + 80]\nmov [rdi + 80], r8",
            "mulx r10, r8, [rsi + 56]\nadox r8, r11\nadcx r8, [rdi + 88]\nmov [rdi + 88], r8",
            "mulx r11, r8, [rsi + 64]\nadox r8, r10\nadcx r8, [rdi + 96]\nmov [rdi + 96], r8",
            "mulx r10, r8, [rsi + 72]\nadox r8, r11\nadcx r8, [rdi + 104]\nmov [rdi + 104], r8",
            "mulx r11, r8, [rsi + 80]\nadox r8, r10\nadcx r8, [rdi + 112]\nmov [rdi + 112], r8",
            "mulx r10, r8, [rsi + 88]\nadox r8, r11\nadcx r8, [rdi + 120]\nmov [rdi + 120], r8",
            "mulx r11, r8, [rsi + 96]\nadox r8, r10\nadcx r8, [rdi + 128]\nmov [rdi + 128], r8",
            "mulx r10, r8, [rsi + 104]\nadox r8, r11\nadcx r8, [rdi + 136]\nmov [rdi + 136], r8",
            "mulx r11, r8, [rsi + 112]\nadox r8, r10\nadcx r8, [rdi + 144]\nmov [rdi + 144], r8",
            "mulx r10, r8, [rsi + 120]\nadox r8, r11\nadcx r8, [rdi + 152]\nmov [rdi + 152], r8",
            "adox r10, rax\nadcx r10, rax\nmov [rdi + 160], r10",
            // row 5: t[11..=20] += a[5] * a[6..16], top word to t[21]
            "mov rdx, [rsi + 40]\nxor eax, eax",
            "mulx r10, r8, [rsi + 48]\nadcx r8, [rdi + 88]\nmov [rdi + 88], r8",
            "mulx r11, r8, [rsi + 56]\nadox r8, r10\nadcx r8, [rdi + 96]\nmov [rdi + 96], r8",
            "mulx r10, r8, [rsi + 64]\nadox r8, r11\nadcx r8, [rdi + 104]\nmov [rdi + 104], r8",
            "mulx r11, r8, [rsi + 72]\nadox r8, r10\nadcx r8, [rdi + 112]\nmov [rdi + 112], r8",
            "mulx r10, r8, [rsi + 80]\nadox r8, r11\nadcx r8, [rdi + 120]\nmov [rdi + 120], r8",
            "mulx r11, r8, [rsi + 88]\nadox r8, r10\nadcx r8, [rdi + 128]\nmov [rdi + 128], r8",
            "mulx r10, r8, [rsi + 96]\nadox r8, r11\nadcx r8, [rdi + 136]\nmov [rdi + 136], r8",
            "mulx r11, r8, [rsi + 104]\nadox r8, r10\nadcx r8, [rdi + 144]\nmov [rdi + 144], r8",
            "mulx r10, r8, [rsi + 112]\nadox r8, r11\nadcx r8, [rdi + 152]\nmov [rdi + 152], r8",
            "mulx r11, r8, [rsi + 120]\nadox r8, r10\nadcx r8, [rdi + 160]\nmov [rdi + 160], r8",
            "adox r11, rax\nadcx r11, rax\nmov [rdi + 168], r11",
            // row 6: t[13..=21] += a[6] * a[7..16], top word to t[22]
            "mov rdx, [rsi + 48]\nxor eax, eax",
            "mulx r10, r8, [rsi + 56]\nadcx r8, [rdi + 104]\nmov [rdi + 104], r8",
            "mulx r11, r8, [rsi + 64]\nadox r8, r10\nadcx r8, [rdi + 112]\nmov [rdi + 112], r8",
            "mulx r10, r8, [rsi + 72]\nadox r8, r11\nadcx r8, [rdi + 120]\nmov [rdi + 120], r8",
            "mulx r11, r8, [rsi + 80]\nadox r8, r10\nadcx r8, [rdi + 128]\nmov [rdi + 128], r8",
            "mulx r10, r8, [rsi + 88]\nadox r8, r11\nadcx r8, [rdi + 136]\nmov [rdi + 136], r8",
            "mulx r11, r8, [rsi + 96]\nadox r8, r10\nadcx r8, [rdi + 144]\nmov [rdi + 144], r8",
            "mulx r10, r8, [rsi + 104]\nadox r8, r11\nadcx r8, [rdi + 152]\nmov [rdi + 152], r8",
            "mulx r11, r8, [rsi + 112]\nadox r8, r10\nadcx r8, [rdi + 160]\nmov [rdi + 160], r8",
            "mulx r10, r8, [rsi + 120]\nadox r8, r11\nadcx r8, [rdi + 168]\nmov [rdi + 168], r8",
            "adox r10, rax\nadcx r10, rax\nmov [rdi + 176], r10",
            // row 7: t[15..=22] += a[7] * a[8..16], top word to t[23]
            "mov rdx, [rsi + 56]\nxor eax, eax",
            "mulx r10, r8, [rsi + 64]\nadcx r8, [rdi + 120]\nmov [rdi + 120], r8",
            "mulx r11, r8, [rsi + 72]\nadox r8, r10\nadcx r8, [rdi + 128]\nmov [rdi + 128], r8",
            "mulx r10, r8, [rsi + 80]\nadox r8, r11\nadcx r8, [rdi + 136]\nmov [rdi + 136], r8",
            "mulx r11, r8, [rsi + 88]\nadox r8, r10\nadcx r8, [rdi + 144]\nmov [rdi + 144], r8",
            "mulx r10, r8, [rsi + 96]\nadox r8, r11\nadcx r8, [rdi + 152]\nmov [rdi + 152], r8",
            "mulx r11, r8, [rsi + 104]\nadox r8, r10\nadcx r8, [rdi + 160]\nmov [rdi + 160], r8",
            "mulx r10, r8, [rsi + 112]\nadox r8, r11\nadcx r8, [rdi + 168]\nmov [rdi + 168], r8",
            "mulx r11, r8, [rsi + 120]\nadox r8, r10\nadcx r8, [rdi + 176]\nmov [rdi + 176], r8",
            "adox r11, rax\nadcx r11, rax\nmov [rdi + 184], r11",
            // row 8: t[17..=23] += a[8] * a[9..16], top word to t[24]
            "mov rdx, [rsi + 64]\nxor eax, eax",
            "mulx r10, r8, [rsi + 72]\nadcx r8, [rdi + 136]\nmov [rdi + 136], r8",
            "mulx r11, r8, [rsi + 80]\nadox r8, r10\nadcx r8, [rdi + 144]\nmov [rdi + 144], r8",
            "mulx r10, r8, [rsi + 88]\nadox r8, r11\nadcx r8, [rdi + 152]\nmov [rdi + 152], r8",
            "mulx r11, r8, [rsi + 96]\nadox r8, r10\nadcx r8, [rdi + 160]\nmov [rdi + 160], r8",
            "mulx r10, r8, [rsi + 104]\nadox r8, r11\nadcx r8, [rdi + 168]\nmov [rdi + 168], r8",
            "mulx r11, r8, [rsi + 112]\nadox r8, r10\nadcx r8, [rdi + 176]\nmov [rdi + 176], r8",
            "mulx r10, r8, [rsi + 120]\nadox r8, r11\nadcx r8, [rdi + 184]\nmov [rdi + 184], r8",
            "adox r10, rax\nadcx r10, rax\nmov [rdi + 192], r10",
            // row 9: t[19..=24] += a[9] * a[10..16], top word to t[25]
            "mov rdx, [rsi + 72]\nxor eax, eax",
            "mulx r10, r8, [rsi + 80]\nadcx r8, [rdi + 152]\nmov [rdi + 152], r8",
            "mulx r11, r8, [rsi + 88]\nadox r8, r10\nadcx r8, [rdi + 160]\nmov [rdi + 160], r8",
            "mulx r10, r8, [rsi + 96]\nadox r8, r11\nadcx r8, [rdi + 168]\nmov [rdi + 168], r8",
            "mulx r11, r8, [rsi + 104]\nadox r8, r10\nadcx r8, [rdi + 176]\nmov [rdi + 176], r8",
            "mulx r10, r8, [rsi + 112]\nadox r8, r11\nadcx r8, [rdi + 184]\nmov [rdi + 184], r8",
            "mulx r11, r8, [rsi + 120]\nadox r8, r10\nadcx r8, [rdi + 192]\nmov [rdi + 192], r8",
            "adox r11, rax\nadcx r11, rax\nmov [rdi + 200], r11",
            // row 10: t[21..=25] += a[10] * a[11..16], top word to t[26]
            "mov rdx, [rsi + 80]\nxor eax, eax",
            "mulx r10, r8, [rsi + 88]\nadcx r8, [rdi + 168]\nmov [rdi + 168], r8",
            "mulx r11, r8, [rsi + 96]\nadox r8, r10\nadcx r8, [rdi + 176]\nmov [rdi + 176], r8",
            "mulx r10, r8, [rsi + 104]\nadox r8, r11\nadcx r8, [rdi + 184]\nmov [rdi + 184], r8",
            "mulx r11, r8, [rsi + 112]\nadox r8, r10\nadcx r8, [rdi + 192]\nmov [rdi + 192], r8",
            "mulx r10, r8, [rsi + 120]\nadox r8, r11\nadcx r8, [rdi + 200]\nmov [rdi + 200], r8",
            "adox r10, rax\nadcx r10, rax\nmov [rdi + 208], r10",
            // row 11: t[23..=26] += a[11] * a[12..16], top word to t[27]
            "mov rdx, [rsi + 88]\nxor eax, eax",
            "mulx r10, r8, [rsi + 96]\nadcx r8, [rdi + 184]\nmov [rdi + 184], r8",
            "mulx r11, r8, [rsi + 104]\nadox r8, r10\nadcx r8, [rdi + 192]\nmov [rdi + 192], r8",
            "mulx r10, r8, [rsi + 112]\nadox r8, r11\nadcx r8, [rdi + 200]\nmov [rdi + 200], r8",
            "mulx r11, r8, [rsi + 120]\nadox r8, r10\nadcx r8, [rdi + 208]\nmov [rdi + 208], r8",
            "adox r11, rax\nadcx r11, rax\nmov [rdi + 216], r11",
            // row 12: t[25..=27] += a[12] * a[13..16], top word to t[28]
            "mov rdx, [rsi + 96]\nxor eax, eax",
            "mulx r10, r8, [rsi + 104]\nadcx r8, [rdi + 200]\nmov [rdi + 200], r8",
            "mulx r11, r8, [rsi + 112]\nadox r8, r10\nadcx r8, [rdi + 208]\nmov [rdi + 208], r8",
            "mulx r10, r8, [rsi + 120]\nadox r8, r11\nadcx r8, [rdi + 216]\nmov [rdi + 216], r8",
            "adox r10, rax\nadcx r10, rax\nmov [rdi + 224], r10",
            // row 13: t[27..=28] += a[13] * a[14..16], top word to t[29]
            "mov rdx, [rsi + 104]\nxor eax, eax",
            "mulx r10, r8, [rsi + 112]\nadcx r8, [rdi + 216]\nmov [rdi + 216], r8",
            "mulx r11, r8, [rsi + 120]\nadox r8, r10\nadcx r8, [rdi + 224]\nmov [rdi + 224], r8",
            "adox r11, rax\nadcx r11, rax\nmov [rdi + 232], r11",
            // row 14: t[29..=29] += a[14] * a[15..16], top word to t[30]
            "mov rdx, [rsi + 112]\nxor eax, eax",
            "mulx r10, r8, [rsi + 120]\nadcx r8, [rdi + 232]\nmov [rdi + 232], r8",
            "adox r10, rax\nadcx r10, rax\nmov [rdi + 240], r10",
            // t = 2 t + a[i]^2 at words 2i, 2i + 1: CF carries the doubling, OF the squares
            "xor eax, eax",
            "mov rdx, [rsi + 0]\nmulx r9, r8, rdx",
            "mov r10, [rdi + 0]\nadcx r10, r10\nadox r10, r8\nmov [rdi + 0], r10",
            "mov r11, [rdi + 8]\nadcx r11, r11\nadox r11, r9\nmov [rdi + 8], r11",
            "mov rdx, [rsi + 8]\nmulx r9, r8, rdx",
            "mov r10, [rdi + 16]\nadcx r10, r10\nadox r10, r8\nmov [rdi + 16], r10",
            "mov r11, [rdi + 24]\nadcx r11, r11\nadox r11, r9\nmov [rdi + 24], r11",
            "mov rdx, [rsi + 16]\nmulx r9, r8, rdx",
            "mov r10, [rdi + 32]\nadcx r10, r10\nadox r10, r8\nmov [rdi + 32], r10",
            "mov r11, [rdi + 40]\nadcx r11, r11\nadox r11, r9\nmov [rdi + 40], r11",
            "mov rdx, [rsi + 24]\nmulx r9, r8, rdx",
            "mov r10, [rdi + 48]\nadcx r10, r10\nadox r10, r8\nmov [rdi + 48], r10",
            "mov r11, [rdi + 56]\nadcx r11, r11\nadox r11, r9\nmov [rdi + 56], r11",
            "mov rdx, [rsi + 32]\nmulx r9, r8, rdx",
            "mov r10, [rdi + 64]\nadcx r10, r10\nadox r10, r8\nmov [rdi + 64], r10",
            "mov r11, [rdi + 72]\nadcx r11, r11\nadox r11, r9\nmov [rdi + 72], r11",
            "mov rdx, [rsi + 40]\nmulx r9, r8, rdx",
            "mov r10, [rdi + 80]\nadcx r10, r10\nadox r10, r8\nmov [rdi + 80], r10",
            "mov r11, [rdi + 88]\nadcx r11, r11\nadox r11, r9\nmov [rdi + 88], r11",
            "mov rdx, [rsi + 48]\nmulx r9, r8, rdx",
            "mov r10, [rdi + 96]\nadcx r10, r10\nadox r10, r8\nmov [rdi + 96], r10",
            "mov r11, [rdi + 104]\nadcx r11, r11\nadox r11, r9\nmov [rdi + 104], r11",
            "mov rdx, [rsi + 56]\nmulx r9, r8, rdx",
            "mov r10, [rdi + 112]\nadcx r10, r10\nadox r10, r8\nmov [rdi + 112], r10",
            "mov r11, [rdi + 120]\nadcx r11, r11\nadox r11, r9\nmov [rdi + 120], r11",
            "mov rdx, [rsi + 64]\nmulx r9, r8, rdx",
            "mov r10, [rdi + 128]\nadcx r10, r10\nadox r10, r8\nmov [rdi + 128], r10",
            "mov r11, [rdi + 136]\nadcx r11, r11\nadox r11, r9\nmov [rdi + 136], r11",
            "mov rdx, [rsi + 72]\nmulx r9, r8, rdx",
            "mov r10, [rdi + 144]\nadcx r10, r10\nadox r10, r8\nmov [rdi + 144], r10",
            "mov r11, [rdi + 152]\nadcx r11, r11\nadox r11, r9\nmov [rdi + 152], r11",
            "mov rdx, [rsi + 80]\nmulx r9, r8, rdx",
            "mov r10, [rdi + 160]\nadcx r10, r10\nadox r10, r8\nmov [rdi + 160], r10",
            "mov r11, [rdi + 168]\nadcx r11, r11\nadox r11, r9\nmov [rdi + 168], r11",
            "mov rdx, [rsi + 88]\nmulx r9, r8, rdx",
            "mov r10, [rdi + 176]\nadcx r10, r10\nadox r10, r8\nmov [rdi + 176], r10",
            "mov r11, [rdi + 184]\nadcx r11, r11\nadox r11, r9\nmov [rdi + 184], r11",
            "mov rdx, [rsi + 96]\nmulx r9, r8, rdx",
            "mov r10, [rdi + 192]\nadcx r10, r10\nadox r10, r8\nmov [rdi + 192], r10",
            "mov r11, [rdi + 200]\nadcx r11, r11\nadox r11, r9\nmov [rdi + 200], r11",
            "mov rdx, [rsi + 104]\nmulx r9, r8, rdx",
            "mov r10, [rdi + 208]\nadcx r10, r10\nadox r10, r8\nmov [rdi + 208], r10",
            "mov r11, [rdi + 216]\nadcx r11, r11\nadox r11, r9\nmov [rdi + 216], r11",
            "mov rdx, [rsi + 112]\nmulx r9, r8, rdx",
            "mov r10, [rdi + 224]\nadcx r10, r10\nadox r10, r8\nmov [rdi + 224], r10",
            "mov r11, [rdi + 232]\nadcx r11, r11\nadox r11, r9\nmov [rdi + 232], r11",
            "mov rdx, [rsi + 120]\nmulx r9, r8, rdx",
            "mov r10, [rdi + 240]\nadcx r10, r10\nadox r10, r8\nmov [rdi + 240], r10",
            "mov r11, [rdi + 248]\nadcx r11, r11\nadox r11, r9\nmov [rdi + 248], r11",
            in("rsi") a.as_ptr(),
            in("rdi") t.as_mut_ptr(),
            out("rax") _,
            out("rdx") _,
            out("r8") _,
            out("r9") _,
            out("r10") _,
            out("r11") _,
            options(nostack),
        );
    }
    t
}

/// The reduction rows of [`mont_mul_unreduced`] alone: for t < m * 2^1024, returns (hi, over)
/// with over * 2^1024 + hi = t * 2^-1024 mod m, below 2m. Overwrites t.
#[inline(always)]
pub(crate) fn redc_unreduced(t: &mut [u64; 2 * N], m: &[u64; N], inv: u64) -> ([u64; N], bool) {
    let over: u64;
    // SAFETY: as in `mul_wide`: reads m[0..16], reads and writes t[0..32], in bounds; every
    // register written is declared; no stack use.
    unsafe {
        core::arch::asm!(
            "xor r15d, r15d",
            "mov r14d, 16",
            "3:",
            "mov rdx, [rdi]",
            "imul rdx, r13",
            "xor eax, eax",
            row!("r12"),
            "xor r9d, r9d",
            "add r11, r15",
            "adc r9, 0",
            "add r11, [rdi + 128]",
            "adc r9, 0",
            "mov [rdi + 128], r11",
            "mov r15, r9",
            "add rdi, 8",
            "dec r14",
            "jnz 3b",
            inout("rdi") t.as_mut_ptr() => _,
            in("r12") m.as_ptr(),
            in("r13") inv,
            out("r15") over,
            out("rax") _,
            out("rdx") _,
            out("r8") _,
            out("r9") _,
            out("r10") _,
            out("r11") _,
            out("r14") _,
            options(nostack),
        );
    }
    let mut hi = [0u64; N];
    hi.copy_from_slice(&t[N..]);
    (hi, over != 0)
}
