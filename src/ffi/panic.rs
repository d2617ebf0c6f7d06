//! The panic guard: no unwind crosses the C boundary. Every export runs its body in one of these.
//! The immutable handles cannot be left half-changed by a caught panic. The client
//! (`mkc_client`) is mutable: after `MKC_RESULT_PANIC` from one of its calls (a bug; none is
//! expected) free it and make a new one, or import its sealed key store.

use super::result::mkc_result;
use std::panic::{AssertUnwindSafe, catch_unwind};
use zeroize::Zeroize;

/// Octets of stack wiped after each fallible export: more than the deepest frames of the
/// secret-handling code (ECCSI, SAKKE, the Miller loop) use.
const STACK_BURN_BYTES: usize = 32 * 1024;

/// Runs a fallible export body; a panic becomes [`mkc_result::Panic`]. Afterwards the stack the
/// body used is overwritten, so no temporary copy of a secret (an SSK, an inverse, a key
/// before it was moved to the heap) stays behind in the caller's stack memory.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), mkc_result>) -> mkc_result {
    let result = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => mkc_result::Ok,
        Ok(Err(code)) => code,
        Err(_) => mkc_result::Panic,
    };
    burn_stack();
    result
}

/// Overwrites `STACK_BURN_BYTES` of the stack below the caller's frame: the region the body's
/// callees used. `zeroize` writes volatilely, so the stores are not optimized away.
#[inline(never)]
fn burn_stack() {
    // Words, not octets: zeroize's volatile stores go one element at a time.
    let mut scratch = [0u64; STACK_BURN_BYTES / 8];
    scratch.zeroize();
    std::hint::black_box(&scratch);
}

/// Runs an infallible export body (getters, `_free`); a panic gives `on_panic`.
pub(crate) fn guard_value<T>(on_panic: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(on_panic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_result_codes() {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        assert_eq!(guard(|| panic!("boom")), mkc_result::Panic);
        assert_eq!(guard_value(7u32, || panic!("boom")), 7);
        std::panic::set_hook(previous);
        assert_eq!(
            guard(|| Err(mkc_result::InvalidKey)),
            mkc_result::InvalidKey
        );
        assert_eq!(guard(|| Ok(())), mkc_result::Ok);
    }
}
