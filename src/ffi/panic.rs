//! The panic guard: no unwind crosses the C boundary. Every export runs its body in one of these.
//! Handles are immutable, so a caught panic leaves no half-changed state behind.

use super::result::mkc_result;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs a fallible export body; a panic becomes [`mkc_result::Panic`].
pub(crate) fn guard(body: impl FnOnce() -> Result<(), mkc_result>) -> mkc_result {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => mkc_result::Ok,
        Ok(Err(code)) => code,
        Err(_) => mkc_result::Panic,
    }
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
