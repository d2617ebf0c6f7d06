//! The KMS side: master secrets and issuance of user key material (RFC 6507 5.1.1; RFC 6508
//! 6.1.1 comes with SAKKE). For tests, demos and KMS builders; a handset never holds these.

use crate::eccsi::{IssuedKey, KmsSigningRoot, Kpak};
use crate::params::{SAKKE_Q, SAKKE_SCALAR_BYTES};
use crate::{Error, ct, rng};
use zeroize::Zeroizing;

/// Octets of the KSAK (ECCSI master secret), big-endian.
pub const KSAK_BYTES: usize = crate::eccsi::SCALAR_BYTES;
/// Octets of the SAKKE master secret z of parameter set 1, big-endian.
pub const Z_BYTES: usize = SAKKE_SCALAR_BYTES;

/// A KMS holding both master secrets from the start: KSAK (ECCSI, in [1, q-1] for the P-256
/// order q) and z (SAKKE, in [1, q-1] for the parameter set 1 order q). Both are zeroized on
/// drop; this type has no `Debug`.
pub struct Kms {
    signing: KmsSigningRoot,
    z: Zeroizing<[u8; Z_BYTES]>,
}

impl Kms {
    /// A KMS with fresh KSAK and z from the OS RNG.
    ///
    /// # Errors
    /// [`Error::Rng`] if the OS RNG fails.
    pub fn generate() -> Result<Self, Error> {
        let signing = KmsSigningRoot::generate()?;
        // q has 1022 bits: drawing 1022-bit candidates keeps about 60% of the draws.
        let z = rng::sample::<Z_BYTES, _>(|candidate| {
            let mut z = Zeroizing::new(*candidate);
            z[0] &= 0x3f;
            bool::from(ct::is_in_range_be(&*z, &SAKKE_Q)).then_some(z)
        })?;
        Ok(Self { signing, z })
    }

    /// A KMS from given secrets: KSAK (32 octets, in [1, q-1] of P-256) and z (128 octets, in
    /// [1, q-1] of SAKKE parameter set 1), both big-endian.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if either secret has the wrong length or is out of range.
    pub fn from_secrets(ksak: &[u8], z: &[u8]) -> Result<Self, Error> {
        let signing = KmsSigningRoot::from_ksak(ksak)?;
        let z: &[u8; Z_BYTES] = z.try_into().map_err(|_| Error::InvalidKey)?;
        if !bool::from(ct::is_in_range_be(z, &SAKKE_Q)) {
            return Err(Error::InvalidKey);
        }
        Ok(Self {
            signing,
            z: Zeroizing::new(*z),
        })
    }

    /// KPAK = [KSAK]G, the public half of the ECCSI master key.
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

    /// The SAKKE master secret z (128 octets); used by SAKKE issuance.
    #[allow(dead_code)]
    pub(crate) fn z(&self) -> &[u8; Z_BYTES] {
        &self.z
    }
}
