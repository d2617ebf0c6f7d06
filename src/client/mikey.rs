//! MIKEY-SAKKE I_MESSAGEs (RFC 6509, TS 33.180 Annex E) with the client's provisioned
//! material: our SSK signs and our RSKs decapsulate; peers' UIDs come from the certificate.
//!
//! A peer is in the client's own KMS domain or in a partner domain whose certificate the
//! client holds (TS 33.180 5.2.7, see `client::partners`): a message to a responder of another
//! KMS names it in IDRkmsr and is encapsulated under that domain's Z_T and UID parameters; a
//! message from an initiator of another KMS (IDRkmsi) is verified with that domain's KPAK. A
//! domain the client holds no valid certificate of is refused as unknown, a revoked one as
//! revoked. Key periods of our own domain are numbered as our KMS numbers them (TS 33.180
//! F.2.1 from the NTP epoch, or from the Unix epoch once the KMS showed it, see
//! [`super::Event::PeriodMismatch`]); a partner domain's are the F.2.1 ones.

use zeroize::Zeroizing;

use super::partners::{PartnerStatus, Partners};
use super::{Certificate, Client, ClientError};
use crate::eccsi::Verifier;
use crate::mikey::{
    self, CreateParams, KeyKind, KeyParameters, KmsParams, PeerDirectory, ProcessParams,
    ReceivedKey,
};
use crate::sakke::SakkeReceiver;
use crate::time;
use crate::uid::IdEncoding;

/// What [`Client::mikey_create_imessage`] distributes and how.
pub struct ImessageOptions<'a> {
    /// GMK, PCK or CSK.
    pub kind: KeyKind,
    /// The key, 16 octets.
    pub key: &'a [u8; mikey::kdf::KEY_BYTES],
    /// Its identifier; the top 4 bits must be `kind`'s purpose tag.
    pub key_id: u32,
    /// Put UIDs instead of URIs in the IDR payloads (TS 33.180 E.7).
    pub hide_identities: bool,
    /// Add the SAKKE-to-self extension for our other devices (TS 33.180 E.5).
    pub sakke_to_self: bool,
    /// The responder's KMS URI when it is not ours (a partner domain whose certificate the
    /// client holds); `None` for our own KMS.
    pub responder_kms: Option<&'a str>,
}

/// The UID parameters of a certificate's domain: numbering as the client follows it.
fn params_of(cert: &Certificate, id_encoding: IdEncoding) -> KmsParams<'_> {
    cert.params().with_id_encoding(id_encoding)
}

/// The responder's view of the client: our KMS and the partner domains as initiators' KMSs,
/// our RSKs by period.
struct ClientDirectory<'a> {
    own: KmsParams<'a>,
    own_verifier: &'a Verifier,
    partners: &'a Partners,
    id_encoding: IdEncoding,
    now: u64,
    identity: &'a str,
    client: &'a Client,
}

impl PeerDirectory for ClientDirectory<'_> {
    fn initiator_kms(&self, kms_uri: Option<&[u8]>) -> Option<(KmsParams<'_>, &Verifier)> {
        match kms_uri {
            None => Some((self.own, self.own_verifier)),
            Some(k) if k == self.own.kms_uri().as_bytes() => Some((self.own, self.own_verifier)),
            Some(k) => {
                let cert = self.partners.get(k, self.now).ok()?;
                Some((params_of(cert, self.id_encoding), &cert.verifier))
            }
        }
    }

    fn is_revoked(&self, kms_uri: &[u8]) -> bool {
        self.partners.get(kms_uri, self.now).err() == Some(PartnerStatus::Revoked)
    }

    fn receiver(&self, period: u64) -> Option<&SakkeReceiver> {
        let key = (self.identity.to_owned(), period);
        self.client.materials.get(&key)?.receiver.as_ref()
    }
}

impl Client {
    fn kms_params(&self) -> Result<(&Certificate, KmsParams<'_>), ClientError> {
        let cert = self
            .certificate
            .as_ref()
            .ok_or(ClientError::NoCertificate)?;
        Ok((cert, params_of(cert, self.config.id_encoding)))
    }

    /// Builds an I_MESSAGE from our `identity` to `responder_uri` at Unix time `now`,
    /// distributing `options.key` (RFC 6509; TS 33.180 5.2, E.1-E.7): signed with our SSK of
    /// the period of `now`, encapsulated to the responder's UID for that period. Returns the
    /// message octets (for SDP, see [`crate::mikey::sdp::to_key_mgmt`]). A responder of a
    /// partner domain (`options.responder_kms`) is named with IDRkmsr and reached under that
    /// domain's certificate.
    ///
    /// # Errors
    /// [`ClientError::NoCertificate`], [`ClientError::NoKeyMaterial`] (no valid SSK for
    /// `identity` now), [`ClientError::InvalidTime`], [`ClientError::UnknownKms`] /
    /// [`ClientError::RevokedKms`] (no valid certificate of the responder's KMS), or
    /// [`ClientError::Mikey`] (e.g. a key ID whose purpose tag is not `options.kind`'s).
    pub fn mikey_create_imessage(
        &self,
        identity: &str,
        responder_uri: &str,
        now: u64,
        options: &ImessageOptions<'_>,
    ) -> Result<Vec<u8>, ClientError> {
        self.mikey_create_imessage_with_rand(identity, responder_uri, now, options, None)
    }

    /// As [`Client::mikey_create_imessage`] with the RAND given (`None`: 16 fresh random
    /// octets). The SRTP keys of a GMK or PCK depend on its RAND (TS 33.180 7.4): a group
    /// management server gives every member of a GMK the same RAND.
    ///
    /// # Errors
    /// As [`Client::mikey_create_imessage`].
    pub fn mikey_create_imessage_with_rand(
        &self,
        identity: &str,
        responder_uri: &str,
        now: u64,
        options: &ImessageOptions<'_>,
        rand: Option<[u8; mikey::RAND_BYTES]>,
    ) -> Result<Vec<u8>, ClientError> {
        self.mikey_create_imessage_with_parameters(
            identity,
            responder_uri,
            now,
            options,
            rand,
            None,
        )
    }

    /// As [`Client::mikey_create_imessage_with_rand`], adding `key_parameters` (TS 33.180 E.6:
    /// key type, status, activation and expiry time, text, group IDs) as the type-7 General
    /// Extension, protected under the key (DPPK-ID = the CSB ID). Its key type must be the
    /// key's purpose tag.
    ///
    /// # Errors
    /// As [`Client::mikey_create_imessage`].
    pub fn mikey_create_imessage_with_parameters(
        &self,
        identity: &str,
        responder_uri: &str,
        now: u64,
        options: &ImessageOptions<'_>,
        rand: Option<[u8; mikey::RAND_BYTES]>,
        key_parameters: Option<&KeyParameters>,
    ) -> Result<Vec<u8>, ClientError> {
        let (cert, kms) = self.kms_params()?;
        let (responder_cert, responder_kms) = match options.responder_kms {
            Some(k) if k != kms.kms_uri() => match self.partners.get(k.as_bytes(), now) {
                Ok(partner) => (partner, params_of(partner, self.config.id_encoding)),
                Err(PartnerStatus::Revoked) => return Err(ClientError::RevokedKms),
                Err(_) => return Err(ClientError::UnknownKms),
            },
            _ => (cert, kms),
        };
        let material = self.own_material(identity, now)?;
        let signer = material.signer.as_ref().ok_or(ClientError::NoKeyMaterial)?;
        let time_ntp = time::unix_to_ntp(now).ok_or(ClientError::InvalidTime)?;
        let mut params = CreateParams::new(
            options.kind,
            options.key,
            options.key_id,
            time_ntp,
            identity,
            kms,
            responder_uri,
            responder_kms,
        );
        params.hide_identities = options.hide_identities;
        params.sakke_to_self = options.sakke_to_self;
        params.rand = rand;
        params.key_parameters = key_parameters.cloned();
        Ok(mikey::create_imessage(
            &params,
            signer,
            &responder_cert.sakke,
            Some(&cert.sakke),
        )?)
    }

    /// Processes an I_MESSAGE addressed to our `identity` at Unix time `now` (RFC 6509; TS
    /// 33.180 5.2, E.7): T within `replay_window_s` seconds of `now`, the initiator's UID from
    /// `initiator_uri` (when the app knows it, e.g. from SIP) or from the message, the ECCSI
    /// signature, SAKKE decapsulation with our RSK of T's key period (or, when T is within
    /// `replay_window_s` of a boundary, the neighbouring one's), and the key identifiers. The app keeps the replay cache (T and RAND are returned).
    ///
    /// # Errors
    /// [`ClientError::NoCertificate`], [`ClientError::InvalidTime`], or
    /// [`ClientError::Mikey`] for any refusal (malformed, outside the window, not for us,
    /// signature, no RSK for the period, decapsulation).
    pub fn mikey_process_imessage(
        &self,
        identity: &str,
        now: u64,
        replay_window_s: u64,
        initiator_uri: Option<&str>,
        message: &[u8],
    ) -> Result<ReceivedKey, ClientError> {
        let received = self.mikey_process_imessage_revoked_too(
            identity,
            now,
            replay_window_s,
            initiator_uri,
            message,
        )?;
        if received
            .key_parameters
            .as_ref()
            .is_some_and(KeyParameters::revoked)
        {
            return Err(mikey::MikeyError::KeyRevoked(received.key_id).into());
        }
        Ok(received)
    }

    /// The UID parameters of the initiator KMS `kms_uri` as the client knows it at `now`: our
    /// own KMS, or a partner domain whose valid certificate is held.
    pub(crate) fn initiator_kms_params(&self, kms_uri: &str, now: u64) -> Option<KmsParams<'_>> {
        let (_, own) = self.kms_params().ok()?;
        if kms_uri == own.kms_uri() {
            return Some(own);
        }
        let cert = self.partners.get(kms_uri.as_bytes(), now).ok()?;
        Some(params_of(cert, self.config.id_encoding))
    }

    /// As [`Client::mikey_process_imessage`], but a key whose key parameters say it is revoked
    /// is returned rather than refused (the key ring checks who revokes it).
    pub(crate) fn mikey_process_imessage_revoked_too(
        &self,
        identity: &str,
        now: u64,
        replay_window_s: u64,
        initiator_uri: Option<&str>,
        message: &[u8],
    ) -> Result<ReceivedKey, ClientError> {
        let (cert, params) = self.kms_params()?;
        let now_ntp = time::unix_to_ntp(now).ok_or(ClientError::InvalidTime)?;
        let directory = ClientDirectory {
            own: params,
            own_verifier: &cert.verifier,
            partners: &self.partners,
            id_encoding: self.config.id_encoding,
            now,
            identity,
            client: self,
        };
        let process = ProcessParams {
            now_ntp,
            replay_window_s,
            own_uri: identity,
            own_kms: params,
            initiator_uri,
        };
        Ok(mikey::imessage::process_imessage_revoked_too(
            message, &process, &directory,
        )?)
    }
}

/// A fresh random key ID of `kind` (purpose tag in the top 4 bits) and a fresh random key.
///
/// # Errors
/// `Crypto(Error::Rng)` if the OS RNG fails.
pub fn new_key(
    kind: KeyKind,
) -> Result<(u32, Zeroizing<[u8; mikey::kdf::KEY_BYTES]>), ClientError> {
    let id = kind.random_key_id()?;
    let mut key = Zeroizing::new([0u8; mikey::kdf::KEY_BYTES]);
    crate::rng::fill(&mut key[..])?;
    Ok((id, key))
}
