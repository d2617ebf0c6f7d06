//! mcptt-kmc: the key management client of an MCPTT handset (3GPP TS 33.180), with the ECCSI
//! (RFC 6507) and SAKKE (RFC 6508) primitives it needs, behind a C ABI (`include/mcptt_kmc.h`).
//!
//! The Rust API here is the core; the C API in [`ffi`] only converts and delegates. Only the
//! `ffi` module and two x86-64 assembly modules of field arithmetic (`field::mulx` for SAKKE,
//! `nist_p256::field_x86_64` for ECCSI) contain `unsafe` code.

#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod client;
pub mod ct_check;
pub mod curve;
pub mod domain;
pub mod eccsi;
mod error;
pub mod ffi;
pub mod field;
pub mod kms;
pub mod mikey;
mod nist_p256;
pub mod pairing;
pub mod params;
pub mod rng;
pub mod sakke;
pub mod text;
pub mod time;
pub mod uid;

pub use error::Error;

/// The library version, `MAJOR.MINOR.PATCH` (from Cargo.toml).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
