//! Creating and processing an I_MESSAGE (RFC 6509 2.1 and 3, TS 33.180 5.2 and Annex E).
//!
//! The initiator ([`create_imessage`]) builds, for a key K (GMK, PCK or CSK) and its 32-bit
//! identifier:
//!
//! ```text
//! HDR   version 1, data type 26, PRF-HMAC-SHA-256, CSB ID = GUK-ID (GMK) / PCK-ID / CSK-ID,
//!       a GENERIC-ID crypto session whose SPI is GMK-ID || GUK-ID (GMK) or the key ID,
//!       or no crypto session (#CS = 0, Empty map)
//! T     NTP-UTC: the time of the message, seconds in the upper 32 bits, fraction 0
//! RAND  16 random octets
//! IDRi  initiator URI   (or IDRuidi = its UID when identities are hidden, TS 33.180 E.7)
//! IDRr  responder URI   (or IDRuidr = its UID)
//! IDRkmsi, IDRkmsr      the KMS URIs
//! SP    security policy 0 (optional)
//! SAKKE params 1, ID scheme 2: K encapsulated to the responder's UID (F.2.1) for the key
//!       period of T
//! EXT   type 6, SAKKE-to-self: K encapsulated to the initiator's UID (optional, E.5)
//! SIGN  type 2: ECCSI signature with the initiator's SSK over the message up to and
//!       including the SIGN payload's own two header octets
//! ```
//!
//! The responder ([`process_imessage`]) parses, checks T against its clock and replay window,
//! recognises itself (URI or UID), finds the initiator's KMS through a [`PeerDirectory`],
//! verifies the signature against the initiator's UID, decapsulates with its RSK, and checks
//! the key identifiers. Key periods are inferred from T: period `n = floor((T - offset) /
//! period)` of each KMS is tried first, then `n - 1` and `n + 1`, so a message stamped on one
//! side of a period boundary is accepted with keys of the neighbouring period.

use super::header::{
    CommonHeader, CsIdMap, DATA_TYPE_SAKKE, GenericSession, PRF_HMAC_SHA_256, PROT_SRTP,
};
use super::kdf::{KEY_BYTES, KeyKind, purpose_tag, user_salt};
use super::keyparams::KeyParameters;
use super::message::{IMessage, parse_with_offsets};
use super::payload::{
    GeneralExtension, ID_SCHEME_3GPP_UID, ID_TYPE_URI, IdRole, Idr, SAKKE_PARAMS_SET_1,
    SIGN_TYPE_ECCSI, SakkePayload, SecurityPolicy, Signature, Timestamp,
};
use super::{MikeyError, Part};
pub use crate::domain::KmsParams;
use crate::eccsi::{SIGNATURE_BYTES, Signer, Verifier};
use crate::rng;
use crate::sakke::{SakkePublic, SakkeReceiver};
use crate::uid::UID_BYTES;
use std::fmt;
use zeroize::Zeroizing;

/// Octets of the RAND payload this module writes (RFC 3830 asks for at least 128 bits).
pub const RAND_BYTES: usize = 16;

/// What [`create_imessage`] needs besides the crypto handles. Build it with
/// [`CreateParams::new`] and change the public fields as needed. Has no `Debug`: it borrows
/// the key.
pub struct CreateParams<'a> {
    /// The kind of key; must agree with the purpose tag of `key_id`.
    pub kind: KeyKind,
    /// The key (GMK, PCK or CSK), 16 octets. Also the SAKKE SSV.
    pub key: &'a [u8; KEY_BYTES],
    /// GMK-ID, PCK-ID or CSK-ID, purpose tag in the top four bits.
    pub key_id: u32,
    /// Time of the message in NTP seconds (since 1900-01-01 UTC). Written in T as a 64-bit NTP
    /// timestamp with fraction 0 (seconds modulo 2^32, RFC 5905 era rules); it also selects the
    /// key period of both UIDs.
    pub time_ntp: u64,
    /// The RAND value; `None` draws 16 octets from the OS RNG.
    pub rand: Option<[u8; RAND_BYTES]>,
    /// The initiator's MC service user ID (URI), e.g. the group management server's.
    pub initiator_uri: &'a str,
    /// The initiator's KMS.
    pub initiator_kms: KmsParams<'a>,
    /// The responder's MC service user ID (URI).
    pub responder_uri: &'a str,
    /// The responder's KMS.
    pub responder_kms: KmsParams<'a>,
    /// The key period of the initiator's keys (its UID and `signer`); `None` takes the period
    /// of `time_ntp`. Set it just after a period boundary while the new period's keys are
    /// missing: the responder tries one period either side of T's.
    pub initiator_period: Option<u64>,
    /// The key period of the responder's UID the key is encapsulated to; `None` takes the
    /// period of `time_ntp`.
    pub responder_period: Option<u64>,
    /// Put the UIDs in IDRuidi / IDRuidr instead of the URIs in IDRi / IDRr (TS 33.180 E.7).
    pub hide_identities: bool,
    /// Add the SAKKE-to-self extension (TS 33.180 E.5); needs the initiator's KMS public key.
    pub sakke_to_self: bool,
    /// CS ID of the one GENERIC-ID crypto session, or `None` for no crypto session (`#CS` = 0,
    /// Empty map). [`CreateParams::new`] takes [`KeyKind::default_cs_id`].
    pub cs_id: Option<u8>,
    /// The SP payload, or `None` for none. [`CreateParams::new`] takes the TS 33.180 default
    /// profile for a GMK (Table E.2-1) or a CSK (Table E.3-1), and none for a PCK.
    pub policy: Option<SecurityPolicy>,
    /// Further General Extensions, written after SAKKE-to-self.
    pub extensions: Vec<GeneralExtension>,
    /// Key parameters (TS 33.180 E.6) to add as the type-7 General Extension, protected under
    /// the key with DPPK-ID = the CSB ID; written after `extensions`.
    pub key_parameters: Option<KeyParameters>,
}

impl<'a> CreateParams<'a> {
    /// Parameters with the defaults described on each field: a random RAND, identities not
    /// hidden, no SAKKE-to-self, the key kind's crypto session and policy, no extensions.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        kind: KeyKind,
        key: &'a [u8; KEY_BYTES],
        key_id: u32,
        time_ntp: u64,
        initiator_uri: &'a str,
        initiator_kms: KmsParams<'a>,
        responder_uri: &'a str,
        responder_kms: KmsParams<'a>,
    ) -> Self {
        let policy = match kind {
            KeyKind::Gmk => Some(SecurityPolicy::gmk_default()),
            KeyKind::Csk => Some(SecurityPolicy::pck_default()),
            KeyKind::Pck | KeyKind::Mkfc | KeyKind::Mscck | KeyKind::Musik => None,
        };
        Self {
            kind,
            key,
            key_id,
            time_ntp,
            rand: None,
            initiator_uri,
            initiator_kms,
            responder_uri,
            responder_kms,
            initiator_period: None,
            responder_period: None,
            hide_identities: false,
            sakke_to_self: false,
            cs_id: kind.default_cs_id(),
            policy,
            extensions: Vec::new(),
            key_parameters: None,
        }
    }
}

/// Builds and signs an I_MESSAGE (layout in the [module documentation](self)).
///
/// `signer` holds the initiator's SSK and PVT for its identifier in the key period of
/// `params.time_ntp` (or `params.initiator_period`; the caller's key store picks it), which
/// this function cannot check: a wrong signer gives a message that no responder accepts.
/// `responder` is the responder KMS's SAKKE public key (Z_T); `initiator` is the initiator
/// KMS's, needed only for SAKKE-to-self.
///
/// # Errors
/// [`MikeyError::InvalidParams`] when a URI is empty, the key ID's purpose tag is not
/// `params.kind`'s, the time
/// is before key period 0 of a KMS, SAKKE-to-self is asked for without `initiator`, or an
/// extra extension is a second SAKKE-to-self; [`MikeyError::TooLong`] for a URI longer than
/// 65535 octets; [`MikeyError::Crypto`] if the RNG fails.
pub fn create_imessage(
    params: &CreateParams<'_>,
    signer: &Signer,
    responder: &SakkePublic,
    initiator: Option<&SakkePublic>,
) -> Result<Vec<u8>, MikeyError> {
    if params.initiator_uri.is_empty() || params.responder_uri.is_empty() {
        return Err(MikeyError::InvalidParams(
            "an empty initiator or responder URI",
        ));
    }
    if purpose_tag(params.key_id) != params.kind.purpose_tag() {
        return Err(MikeyError::InvalidParams(
            "the key ID's purpose tag is not the key kind's",
        ));
    }
    let before_period_0 = MikeyError::InvalidParams("time before key period 0");
    let n_i = match params.initiator_period {
        Some(n) => n,
        None => params
            .initiator_kms
            .period_of(params.time_ntp)
            .ok_or(before_period_0)?,
    };
    let n_r = match params.responder_period {
        Some(n) => n,
        None => params
            .responder_kms
            .period_of(params.time_ntp)
            .ok_or(before_period_0)?,
    };
    let uid_i = params
        .initiator_kms
        .uid(params.initiator_uri.as_bytes(), n_i)
        .ok_or(MikeyError::TooLong(Part::Idr))?;
    let uid_r = params
        .responder_kms
        .uid(params.responder_uri.as_bytes(), n_r)
        .ok_or(MikeyError::TooLong(Part::Idr))?;

    let (csb_id, spi) = match params.kind {
        KeyKind::Gmk => {
            let guk_id = params.key_id ^ salt(params.key, params.responder_uri.as_bytes())?;
            let mut spi = params.key_id.to_be_bytes().to_vec();
            spi.extend_from_slice(&guk_id.to_be_bytes());
            (guk_id, spi)
        }
        // A PCK, CSK, MKFC, MSCCK or MuSiK: CSB ID = the key ID (for the last three as for a CSK
        // download; we found no other rule).
        _ => (params.key_id, params.key_id.to_be_bytes().to_vec()),
    };
    let cs_map = match params.cs_id {
        Some(cs_id) => CsIdMap::GenericId(vec![GenericSession {
            cs_id,
            prot_type: PROT_SRTP,
            s_flag: false,
            policies: params.policy.iter().map(|p| p.policy_no).collect(),
            session_data: Vec::new(),
            spi,
        }]),
        None => CsIdMap::Empty { cs_count: 0 },
    };

    let idr = |role, data: &[u8]| Idr {
        role,
        id_type: ID_TYPE_URI,
        data: data.to_vec(),
    };
    let mut identities = if params.hide_identities {
        vec![
            idr(IdRole::InitiatorUid, &uid_i),
            idr(IdRole::ResponderUid, &uid_r),
        ]
    } else {
        vec![
            idr(IdRole::Initiator, params.initiator_uri.as_bytes()),
            idr(IdRole::Responder, params.responder_uri.as_bytes()),
        ]
    };
    identities.push(idr(
        IdRole::InitiatorKms,
        params.initiator_kms.kms_uri().as_bytes(),
    ));
    identities.push(idr(
        IdRole::ResponderKms,
        params.responder_kms.kms_uri().as_bytes(),
    ));

    let sakke = |public: &SakkePublic, id: &[u8]| -> Result<SakkePayload, MikeyError> {
        let sed = public
            .encapsulate(id, params.key)
            .map_err(MikeyError::Crypto)?;
        Ok(SakkePayload {
            params: SAKKE_PARAMS_SET_1,
            id_scheme: ID_SCHEME_3GPP_UID,
            data: sed.to_vec(),
        })
    };

    let mut extensions = Vec::with_capacity(params.extensions.len() + 1);
    if params.sakke_to_self {
        let own = initiator.ok_or(MikeyError::InvalidParams(
            "SAKKE-to-self needs the initiator's KMS public key",
        ))?;
        let id_i = params.initiator_kms.identifier(&uid_i);
        extensions.push(GeneralExtension::SakkeToSelf(sakke(own, &id_i)?));
    }
    for ext in &params.extensions {
        if matches!(ext, GeneralExtension::SakkeToSelf(_)) && params.sakke_to_self {
            return Err(MikeyError::InvalidParams(
                "a second SAKKE-to-self extension",
            ));
        }
        if matches!(ext, GeneralExtension::KeyParameters(_)) && params.key_parameters.is_some() {
            return Err(MikeyError::InvalidParams(
                "a second key parameters extension",
            ));
        }
        extensions.push(ext.clone());
    }
    if let Some(key_parameters) = &params.key_parameters {
        if key_parameters.key_type != params.kind.purpose_tag() {
            return Err(MikeyError::InvalidParams(
                "key parameters of another key type",
            ));
        }
        let data = key_parameters
            .protect(params.key, csb_id, params.time_ntp)
            .map_err(MikeyError::KeyParameters)?;
        extensions.push(GeneralExtension::KeyParameters(data));
    }

    let rand = match params.rand {
        Some(rand) => rand.to_vec(),
        None => {
            let mut rand = vec![0u8; RAND_BYTES];
            rng::fill(&mut rand).map_err(MikeyError::Crypto)?;
            rand
        }
    };

    let message = IMessage {
        header: CommonHeader {
            data_type: DATA_TYPE_SAKKE,
            v_flag: false,
            prf: PRF_HMAC_SHA_256,
            csb_id,
            cs_map,
        },
        timestamp: Timestamp::NtpUtc((params.time_ntp & 0xffff_ffff) << 32),
        rand,
        identities,
        policies: params.policy.iter().cloned().collect(),
        sakke: sakke(responder, &params.responder_kms.identifier(&uid_r))?,
        extensions,
        signature: Signature {
            sig_type: SIGN_TYPE_ECCSI,
            data: Vec::new(),
        },
        signed_len: 0,
    };
    let mut bytes = message.signed_part(SIGN_TYPE_ECCSI, SIGNATURE_BYTES)?;
    // Never make a message that no responder of this library would read.
    if bytes.len() + SIGNATURE_BYTES > super::message::MAX_IMESSAGE_BYTES {
        return Err(MikeyError::TooLarge);
    }
    let signature = signer.sign(&bytes).map_err(MikeyError::Crypto)?;
    bytes.extend_from_slice(&signature);
    Ok(bytes)
}

fn salt(key: &[u8; KEY_BYTES], user_uri: &[u8]) -> Result<u32, MikeyError> {
    user_salt(key, user_uri).map_err(|_| MikeyError::TooLong(Part::Idr))
}

/// What the responder knows about the others, asked by [`process_imessage`].
pub trait PeerDirectory {
    /// The parameters and ECCSI verifier (KPAK) of the initiator's KMS. `kms_uri` is the value
    /// of the IDRkmsi payload, `None` when the message has none (then the caller's own KMS is
    /// the usual answer). `None` refuses the message.
    fn initiator_kms(&self, kms_uri: Option<&[u8]>) -> Option<(KmsParams<'_>, &Verifier)>;

    /// True when `kms_uri` (an IDRkmsi value that [`Self::initiator_kms`] refused) names a
    /// KMS whose certificate was revoked: the refusal is then
    /// [`MikeyError::RevokedInitiatorKms`] instead of [`MikeyError::UnknownInitiatorKms`].
    fn is_revoked(&self, kms_uri: &[u8]) -> bool {
        let _ = kms_uri;
        false
    }

    /// Our own SAKKE receiver (RSK for our identifier) in key period `period` of our KMS, or
    /// `None` when we hold no key for that period.
    fn receiver(&self, period: u64) -> Option<&SakkeReceiver>;
}

/// The directory of a responder whose initiators all belong to one KMS: that KMS's
/// parameters and KPAK, and our receivers found by `receivers` (key period to RSK). The client
/// and the C API both answer [`process_imessage`] with it.
pub struct OneKmsDirectory<'a, R> {
    /// The initiator's KMS (whose KmsUri an IDRkmsi payload, when present, must name).
    pub initiator: KmsParams<'a>,
    /// Its ECCSI verifier (KPAK).
    pub verifier: &'a Verifier,
    /// Our SAKKE receiver of a key period, if we hold one.
    pub receivers: R,
}

impl<'a, R: Fn(u64) -> Option<&'a SakkeReceiver>> PeerDirectory for OneKmsDirectory<'a, R> {
    fn initiator_kms(&self, kms_uri: Option<&[u8]>) -> Option<(KmsParams<'_>, &Verifier)> {
        let known = kms_uri.is_none_or(|k| k == self.initiator.kms_uri().as_bytes());
        known.then_some((self.initiator, self.verifier))
    }

    fn receiver(&self, period: u64) -> Option<&SakkeReceiver> {
        (self.receivers)(period)
    }
}

/// What [`process_imessage`] checks the message against.
#[derive(Clone, Copy, Debug)]
pub struct ProcessParams<'a> {
    /// The current time, NTP seconds.
    pub now_ntp: u64,
    /// The largest accepted distance, in seconds, between T and `now_ntp` (RFC 3830 5.4; the
    /// caller keeps the replay cache of messages seen within it).
    pub replay_window_s: u64,
    /// Our MC service user ID (URI).
    pub own_uri: &'a str,
    /// Our KMS.
    pub own_kms: KmsParams<'a>,
    /// The initiator's URI when the caller knows it from elsewhere (e.g. from the SIP message
    /// when the I_MESSAGE hides it, TS 33.180 E.7). When given, it must hash to IDRuidi and
    /// equal IDRi.
    pub initiator_uri: Option<&'a str>,
}

/// Which SAKKE payload carried the key to us.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recipient {
    /// We are the responder: the SAKKE payload.
    Responder,
    /// We are the initiator (another of its devices): the SAKKE-to-self extension.
    SakkeToSelf,
}

/// A key taken from an I_MESSAGE. `Debug` does not show the key.
pub struct ReceivedKey {
    /// The kind of key (purpose tag of the CSB ID).
    pub kind: KeyKind,
    /// The key.
    pub key: Zeroizing<[u8; KEY_BYTES]>,
    /// GMK-ID, PCK-ID or CSK-ID.
    pub key_id: u32,
    /// The GUK-ID (the CSB ID) for a GMK.
    pub guk_id: Option<u32>,
    /// The CSB ID of the header.
    pub csb_id: u32,
    /// The initiator's URI: from IDRi, or the caller's [`ProcessParams::initiator_uri`];
    /// `None` when the message hides it and the caller gave none (then confirm it later with
    /// [`ReceivedKey::initiator_matches`]).
    pub initiator_uri: Option<String>,
    /// The KMS URI of the initiator's KMS: the IDRkmsi payload's, or our own KMS's when the
    /// message has none.
    pub initiator_kms_uri: String,
    /// The initiator's UID the signature was verified with.
    pub initiator_uid: [u8; UID_BYTES],
    /// The initiator's key period, when its URI is known.
    pub initiator_period: Option<u64>,
    /// Our key period whose RSK decapsulated the key.
    pub period: u64,
    /// Which SAKKE payload carried the key.
    pub recipient: Recipient,
    /// The T value as received (64-bit NTP timestamp).
    pub timestamp: u64,
    /// T in NTP seconds, with the era taken nearest to the current time.
    pub time_ntp: u64,
    /// The RAND value (for the MIKEY PRF of the SRTP keys and for a replay cache).
    pub rand: Vec<u8>,
    /// Offset of the RAND value in the message octets.
    pub rand_offset: usize,
    /// Offset of the initiator's URI in the message octets when the message carries it (IDRi);
    /// `None` when it came only from [`ProcessParams::initiator_uri`] or is unknown.
    pub initiator_uri_offset: Option<usize>,
    /// How close to a period boundary T had to be for keys of the neighbouring period to
    /// count (the replay window of [`ProcessParams`]).
    pub boundary_tolerance_s: u64,
    /// The key's parameters (TS 33.180 E.6), when the message carries them; never revoked
    /// (a revoked key is refused with [`MikeyError::KeyRevoked`]).
    pub key_parameters: Option<KeyParameters>,
}

impl ReceivedKey {
    /// Whether `uri` hashes, under `kms`, to the initiator UID the signature was verified
    /// with, in the key period of T or, near a boundary, a neighbouring one (TS 33.180 E.7:
    /// the last step of authenticating a message whose initiator was hidden).
    pub fn initiator_matches(&self, uri: &str, kms: &KmsParams<'_>) -> bool {
        kms.candidates(self.time_ntp, self.boundary_tolerance_s)
            .unwrap_or_default()
            .into_iter()
            .any(|n| {
                kms.uid(uri.as_bytes(), n)
                    .is_some_and(|uid| uid == self.initiator_uid)
            })
    }
}

impl fmt::Debug for ReceivedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceivedKey")
            .field("kind", &self.kind)
            .field("key", &"<redacted>")
            .field("key_id", &format_args!("{:08x}", self.key_id))
            .field("guk_id", &self.guk_id.map(|id| format!("{id:08x}")))
            .field("csb_id", &format_args!("{:08x}", self.csb_id))
            .field("initiator_uri", &self.initiator_uri)
            .field("initiator_kms_uri", &self.initiator_kms_uri)
            .field("initiator_period", &self.initiator_period)
            .field("period", &self.period)
            .field("recipient", &self.recipient)
            .field("time_ntp", &self.time_ntp)
            .finish_non_exhaustive()
    }
}

/// The NTP second of a 32-bit NTP seconds field in the era nearest to `now_ntp` (RFC 5905
/// section 6).
fn resolve_era(seconds: u32, now_ntp: u64) -> u64 {
    const ERA: u64 = 1 << 32;
    let same_era = (now_ntp & !(ERA - 1)) | u64::from(seconds);
    [
        same_era.checked_sub(ERA),
        Some(same_era),
        same_era.checked_add(ERA),
    ]
    .into_iter()
    .flatten()
    .min_by_key(|t| t.abs_diff(now_ntp))
    .unwrap_or(same_era)
}

/// How an identity pair (URI role, UID role) of the message compares with a user.
enum Match {
    /// Neither payload is present.
    Absent,
    /// A payload names someone else.
    Other,
    /// The URI matches (no UID to pin the period).
    AnyPeriod,
    /// The UID matches the user's in this key period.
    Period(u64),
}

fn match_user(
    message: &IMessage,
    uri_role: IdRole,
    uid_role: IdRole,
    uri: &[u8],
    kms: &KmsParams<'_>,
    candidates: &[u64],
) -> Result<Match, MikeyError> {
    let by_uri = message.identity(uri_role);
    let by_uid = message.identity(uid_role);
    if by_uri.is_none() && by_uid.is_none() {
        return Ok(Match::Absent);
    }
    if by_uri.is_some_and(|idr| idr.data != uri) {
        return Ok(Match::Other);
    }
    let Some(by_uid) = by_uid else {
        return Ok(Match::AnyPeriod);
    };
    for &n in candidates {
        if kms.uid(uri, n).ok_or(MikeyError::TooLong(Part::Idr))?[..] == by_uid.data[..] {
            return Ok(Match::Period(n));
        }
    }
    Ok(Match::Other)
}

/// Processes an I_MESSAGE received by the user `params.own_uri`: parse, check T against
/// `params.now_ntp` and the replay window, recognise ourselves as the responder (IDRr /
/// IDRuidr; or as the initiator when a SAKKE-to-self extension is present), find the
/// initiator's KMS in `directory`, verify the ECCSI signature against the initiator's UID
/// (from IDRi or `params.initiator_uri` in key period n, n - 1 or n + 1 of T, or IDRuidi as
/// sent), decapsulate with our RSK of key period n, n - 1 or n + 1, and check the key
/// identifiers: for a GMK, GMK-ID = CSB ID (GUK-ID) XOR the F.1.3 salt of the responder URI,
/// and the SPI of the crypto session, when present, must equal GMK-ID || GUK-ID (GMK) or the
/// key ID.
///
/// The signature is checked before any decapsulation, so a forged message costs a
/// verification, not a pairing.
///
/// # Errors
/// Any [`parse`] error; then [`MikeyError::UnsupportedTimestamp`],
/// [`MikeyError::TimeOutsideWindow`], [`MikeyError::UnsupportedSakke`],
/// [`MikeyError::UnsupportedSignature`], [`MikeyError::UnsupportedKeyType`],
/// [`MikeyError::NoKeyPeriod`], [`MikeyError::Missing`] (no responder or initiator
/// identity), [`MikeyError::NotForUs`], [`MikeyError::InvalidIdentity`],
/// [`MikeyError::UnknownInitiatorKms`], [`MikeyError::RevokedInitiatorKms`],
/// [`MikeyError::InitiatorMismatch`],
/// [`MikeyError::SignatureInvalid`], [`MikeyError::NoReceiverKey`],
/// [`MikeyError::DecapsulationFailed`], [`MikeyError::KeyIdMismatch`],
/// [`MikeyError::KeyParameters`], [`MikeyError::KeyRevoked`] (the key parameters say so).
pub fn process_imessage<D: PeerDirectory + ?Sized>(
    bytes: &[u8],
    params: &ProcessParams<'_>,
    directory: &D,
) -> Result<ReceivedKey, MikeyError> {
    let received = process_imessage_revoked_too(bytes, params, directory)?;
    if received
        .key_parameters
        .as_ref()
        .is_some_and(KeyParameters::revoked)
    {
        return Err(MikeyError::KeyRevoked(received.key_id));
    }
    Ok(received)
}

/// As [`process_imessage`], but a key whose key parameters say it is revoked is returned (with
/// those parameters) rather than refused: the client's key ring needs to know who revokes a key
/// before it erases it.
pub(crate) fn process_imessage_revoked_too<D: PeerDirectory + ?Sized>(
    bytes: &[u8],
    params: &ProcessParams<'_>,
    directory: &D,
) -> Result<ReceivedKey, MikeyError> {
    let (message, offsets) = parse_with_offsets(bytes)?;
    let signed = bytes
        .get(..message.signed_len)
        .ok_or(MikeyError::Truncated(Part::Sign))?;

    // Time (RFC 3830 5.4).
    let timestamp = match message.timestamp {
        Timestamp::NtpUtc(t) => t,
        Timestamp::Ntp(_) => return Err(MikeyError::UnsupportedTimestamp(1)),
        Timestamp::Counter(_) => return Err(MikeyError::UnsupportedTimestamp(2)),
    };
    let time_ntp = resolve_era((timestamp >> 32) as u32, params.now_ntp);
    if time_ntp.abs_diff(params.now_ntp) > params.replay_window_s {
        return Err(MikeyError::TimeOutsideWindow);
    }

    // What the message claims to be.
    for sakke in std::iter::once(&message.sakke).chain(message.sakke_to_self()) {
        if sakke.params != SAKKE_PARAMS_SET_1 || sakke.id_scheme != ID_SCHEME_3GPP_UID {
            return Err(MikeyError::UnsupportedSakke {
                params: sakke.params,
                id_scheme: sakke.id_scheme,
            });
        }
    }
    if message.signature.sig_type != SIGN_TYPE_ECCSI
        || message.signature.data.len() != SIGNATURE_BYTES
    {
        return Err(MikeyError::UnsupportedSignature {
            sig_type: message.signature.sig_type,
            len: message.signature.data.len(),
        });
    }
    let csb_id = message.header.csb_id;
    let kind =
        KeyKind::of_key_id(csb_id).ok_or(MikeyError::UnsupportedKeyType(purpose_tag(csb_id)))?;

    // Who we are in it.
    let own_uri = params.own_uri.as_bytes();
    let own_candidates = params
        .own_kms
        .candidates(time_ntp, params.replay_window_s)
        .ok_or(MikeyError::NoKeyPeriod)?;
    let own_kms_uri = params.own_kms.kms_uri().as_bytes();
    let kms_is_ours = |role| {
        message
            .identity(role)
            .is_none_or(|idr: &Idr| idr.data == own_kms_uri)
    };
    let as_responder = match_user(
        &message,
        IdRole::Responder,
        IdRole::ResponderUid,
        own_uri,
        &params.own_kms,
        &own_candidates,
    )?;
    let (recipient, own_periods) = match as_responder {
        Match::Period(n) if kms_is_ours(IdRole::ResponderKms) => (Recipient::Responder, vec![n]),
        Match::AnyPeriod if kms_is_ours(IdRole::ResponderKms) => {
            (Recipient::Responder, own_candidates.clone())
        }
        _ => {
            let as_initiator = if message.sakke_to_self().is_some() {
                match_user(
                    &message,
                    IdRole::Initiator,
                    IdRole::InitiatorUid,
                    own_uri,
                    &params.own_kms,
                    &own_candidates,
                )?
            } else {
                Match::Other
            };
            match as_initiator {
                Match::Period(n) if kms_is_ours(IdRole::InitiatorKms) => {
                    (Recipient::SakkeToSelf, vec![n])
                }
                Match::AnyPeriod if kms_is_ours(IdRole::InitiatorKms) => {
                    (Recipient::SakkeToSelf, own_candidates.clone())
                }
                _ if matches!(as_responder, Match::Absent) => {
                    return Err(MikeyError::Missing(Part::ResponderIdentity));
                }
                _ => return Err(MikeyError::NotForUs),
            }
        }
    };

    // Who sent it: the signature (RFC 6509 3.2, TS 33.180 E.7).
    let idr_uri = message.identity(IdRole::Initiator).map(|i| &i.data[..]);
    let idr_uid = message.identity(IdRole::InitiatorUid).map(|i| &i.data[..]);
    if idr_uri.is_none() && idr_uid.is_none() {
        return Err(MikeyError::Missing(Part::InitiatorIdentity));
    }
    let initiator_uri: Option<&[u8]> = match (idr_uri, params.initiator_uri) {
        (Some(sent), Some(known)) if sent != known.as_bytes() => {
            return Err(MikeyError::InitiatorMismatch);
        }
        (Some(sent), _) => Some(sent),
        (None, known) => known.map(str::as_bytes),
    };
    let initiator_uri_text = initiator_uri
        .map(|uri| String::from_utf8(uri.to_vec()).map_err(|_| MikeyError::InvalidIdentity))
        .transpose()?;
    let kms_uri = message.identity(IdRole::InitiatorKms).map(|i| &i.data[..]);
    let (initiator_kms, verifier) = directory.initiator_kms(kms_uri).ok_or_else(|| {
        if kms_uri.is_some_and(|k| directory.is_revoked(k)) {
            MikeyError::RevokedInitiatorKms
        } else {
            MikeyError::UnknownInitiatorKms
        }
    })?;
    let signature = &message.signature.data[..];
    let (initiator_uid, initiator_period) = match initiator_uri {
        Some(uri) => {
            let mut uid_seen = false;
            let mut verified = None;
            for n in initiator_kms
                .candidates(time_ntp, params.replay_window_s)
                .ok_or(MikeyError::NoKeyPeriod)?
            {
                let uid = initiator_kms
                    .uid(uri, n)
                    .ok_or(MikeyError::TooLong(Part::Idr))?;
                if idr_uid.is_some_and(|sent| sent != uid) {
                    continue;
                }
                uid_seen = true;
                let id = initiator_kms.identifier(&uid);
                if verifier.verify(&id, signed, signature).is_ok() {
                    verified = Some((uid, Some(n)));
                    break;
                }
            }
            match verified {
                Some(found) => found,
                None if uid_seen => return Err(MikeyError::SignatureInvalid),
                None => return Err(MikeyError::InitiatorMismatch),
            }
        }
        None => {
            let uid: [u8; UID_BYTES] = idr_uid
                .unwrap_or_default()
                .try_into()
                .map_err(|_| MikeyError::InvalidIdentity)?;
            verifier
                .verify(&initiator_kms.identifier(&uid), signed, signature)
                .map_err(|_| MikeyError::SignatureInvalid)?;
            (uid, None)
        }
    };

    // The key.
    let sed = match recipient {
        Recipient::Responder => &message.sakke.data[..],
        Recipient::SakkeToSelf => match message.sakke_to_self() {
            Some(payload) => &payload.data[..],
            None => return Err(MikeyError::Missing(Part::SakkeToSelf)),
        },
    };
    let mut any_receiver = false;
    let mut decapsulated = None;
    for &n in &own_periods {
        if let Some(receiver) = directory.receiver(n) {
            any_receiver = true;
            if let Ok(key) = receiver.decapsulate(sed) {
                decapsulated = Some((key, n));
                break;
            }
        }
    }
    let (key, period) = decapsulated.ok_or(if any_receiver {
        MikeyError::DecapsulationFailed
    } else {
        MikeyError::NoReceiverKey
    })?;

    // Its identifiers.
    let spi = match &message.header.cs_map {
        CsIdMap::GenericId(sessions) => sessions.first().map(|s| &s.spi[..]),
        _ => None,
    }
    .filter(|spi| !spi.is_empty());
    let (key_id, guk_id) = match kind {
        KeyKind::Gmk => {
            let responder_uri = match recipient {
                Recipient::Responder => Some(own_uri),
                Recipient::SakkeToSelf => message.identity(IdRole::Responder).map(|i| &i.data[..]),
            };
            let gmk_id = match (responder_uri, spi) {
                (Some(uri), _) => csb_id ^ salt(&key, uri)?,
                (None, Some(spi)) => spi
                    .get(..4)
                    .and_then(|id| id.try_into().ok())
                    .map(u32::from_be_bytes)
                    .ok_or(MikeyError::KeyIdMismatch)?,
                (None, None) => return Err(MikeyError::Missing(Part::ResponderIdentity)),
            };
            if let Some(spi) = spi {
                let mut expected = gmk_id.to_be_bytes().to_vec();
                let matches = if spi.len() == 4 {
                    spi == expected
                } else {
                    expected.extend_from_slice(&csb_id.to_be_bytes());
                    spi == expected
                };
                if !matches {
                    return Err(MikeyError::KeyIdMismatch);
                }
            }
            (gmk_id, Some(csb_id))
        }
        KeyKind::Pck | KeyKind::Csk | KeyKind::Mkfc | KeyKind::Mscck | KeyKind::Musik => {
            if spi.is_some_and(|spi| spi != csb_id.to_be_bytes()) {
                return Err(MikeyError::KeyIdMismatch);
            }
            (csb_id, None)
        }
    };

    // Its parameters (TS 33.180 E.6): under the key, DPPK-ID = CSB ID (a revoked key is
    // refused by the caller).
    let key_parameters = message
        .key_parameters()
        .map(|data| KeyParameters::open(data, &key, csb_id, key_id))
        .transpose()
        .map_err(MikeyError::KeyParameters)?;

    let initiator_uri_offset = idr_uri.and(offsets.identity(IdRole::Initiator));
    Ok(ReceivedKey {
        kind,
        key,
        key_id,
        guk_id,
        csb_id,
        initiator_uri: initiator_uri_text,
        initiator_kms_uri: initiator_kms.kms_uri().to_owned(),
        initiator_uid,
        initiator_period,
        period,
        recipient,
        timestamp,
        time_ntp,
        rand: message.rand,
        rand_offset: offsets.rand,
        initiator_uri_offset,
        boundary_tolerance_s: params.replay_window_s,
        key_parameters,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn era_nearest_to_now() {
        let now = 0xec89_8da8;
        assert_eq!(resolve_era(0xec89_8da8, now), now);
        assert_eq!(resolve_era(0xec89_8d00, now), now - 0xa8);
        // Just after the 2036 wrap, a timestamp from just before it.
        let now = (1u64 << 32) + 10;
        assert_eq!(resolve_era(0xffff_fff0, now), 0xffff_fff0);
        assert_eq!(resolve_era(20, now), (1 << 32) + 20);
        assert_eq!(resolve_era(u32::MAX, 0), u64::from(u32::MAX));
    }
}
