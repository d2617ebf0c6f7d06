//! The KMS side: master secrets and issuance of user key material (RFC 6507 5.1.1, RFC 6508
//! 6.1.1). For tests, demos and KMS builders; a handset never holds these.

use crate::eccsi::{IssuedKey, KmsSigningRoot, Kpak};
use crate::params::SAKKE_SCALAR_BYTES;
use crate::sakke::{self, KmsSakkeRoot};
use crate::{Error, rng};
use zeroize::Zeroizing;

pub mod issue;
pub mod message;
pub mod xml;

/// The KMS Redirect Response (TS 33.180 5.2.8, D.4): see [`xml::krr`] (its element names are
/// assumed, and its XML signature is not verified).
pub use xml::krr::{KRR_CONTENT_TYPE, KRR_NAMESPACE, KmsRedirect, parse_kms_redirect};

/// Octets of the KSAK (ECCSI master secret), big-endian.
pub const KSAK_BYTES: usize = crate::eccsi::SCALAR_BYTES;
/// Octets of the SAKKE master secret z of parameter set 1, big-endian.
pub const Z_BYTES: usize = SAKKE_SCALAR_BYTES;

/// A KMS holding both master secrets from the start: KSAK (ECCSI, in [1, q-1] for the P-256
/// order q) and z (SAKKE, in [2, q-1] for the parameter set 1 order q, RFC 6508 2.2). Both
/// are zeroized on drop; this type has no `Debug`.
pub struct Kms {
    signing: KmsSigningRoot,
    sakke: KmsSakkeRoot,
}

impl Kms {
    /// A KMS with fresh KSAK and z from the OS RNG.
    ///
    /// # Errors
    /// [`Error::Rng`] if the OS RNG fails.
    pub fn generate() -> Result<Self, Error> {
        let signing = KmsSigningRoot::generate()?;
        // q has 1022 bits: drawing 1022-bit candidates keeps about 60% of the draws.
        let sakke = rng::sample::<Z_BYTES, _>(|candidate| {
            let mut z = Zeroizing::new(*candidate);
            z[0] &= 0x3f;
            KmsSakkeRoot::from_z(&z[..]).ok()
        })?;
        Ok(Self { signing, sakke })
    }

    /// A KMS from given secrets: KSAK (32 octets, in [1, q-1] of P-256) and z (128 octets, in
    /// [2, q-1] of SAKKE parameter set 1), both big-endian.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if either secret has the wrong length or is out of range.
    pub fn from_secrets(ksak: &[u8], z: &[u8]) -> Result<Self, Error> {
        let signing = KmsSigningRoot::from_ksak(ksak)?;
        let sakke = KmsSakkeRoot::from_z(z)?;
        Ok(Self { signing, sakke })
    }

    /// KPAK = \[KSAK\]G, the public half of the ECCSI master key.
    pub fn kpak(&self) -> &Kpak {
        self.signing.kpak()
    }

    /// Issues (SSK, PVT) for an identifier (RFC 6507 5.1.1).
    ///
    /// # Errors
    /// [`Error::Rng`] if the OS RNG fails.
    pub fn issue_eccsi(&self, id: &[u8]) -> Result<IssuedKey, Error> {
        self.signing.issue(id)
    }

    /// Z_T = \[z\]P, the SAKKE public key, as `0x04 || x || y` (257 octets).
    pub fn z_t(&self) -> [u8; sakke::POINT_BYTES] {
        self.sakke.z_t_bytes()
    }

    /// Issues the RSK for an identifier (RFC 6508 6.1.1), 257 octets.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if b + z = 0 mod q for this identifier.
    pub fn issue_sakke(&self, id: &[u8]) -> Result<Zeroizing<[u8; sakke::POINT_BYTES]>, Error> {
        self.sakke.issue(id)
    }
}
