//! Errors of the Rust core. No variant carries secret data, and crypto failures carry no detail
//! about which check failed (a detailed failure reason can itself become a side channel).

/// Every error the core can return. The FFI layer maps each to one `mkc_result` code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Key material (KPAK, SSK, PVT, KSAK, z, ...) is malformed or fails validation.
    #[error("invalid key material")]
    InvalidKey,
    /// A signature did not verify, whatever the reason (length, range, point or equation).
    #[error("signature verification failed")]
    VerifyFailed,
    /// An input has the wrong length where the length is not part of a key (e.g. an SSV that
    /// is not 16 octets).
    #[error("input of the wrong length")]
    InvalidLength,
    /// Decapsulation failed, whatever the reason (length, point, or the final check).
    #[error("decapsulation failed")]
    DecapsulationFailed,
    /// The operating system's random number generator failed.
    #[error("operating system RNG failure")]
    Rng,
}
