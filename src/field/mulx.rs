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
