//! The provisioning client (TS 33.180 5.x and Annex D), sans-IO in the manner of quinn-proto:
//! it never reads a clock, opens a socket or touches a file. The app feeds it the time, the
//! HTTP responses and transport failures; it answers with [`Output`]s: requests to send,
//! [`Event`]s, and the time it next wants to be polled.
//!
//! Flow: `init` (the KMS certificate), then `keyprov` for each identity for the current key
//! period, then, [`ClientConfig::prefetch_s`] before the period ends, the next period (with a
//! fresh `init`, to notice a re-keyed KMS). Material is erased [`ClientConfig::grace_s`] after
//! its period ends. Everything is validated before it is stored, and bad material never
//! replaces good material.
//!
//! All times at this API are Unix seconds. Key periods are numbered as the KMS numbers them:
//! TS 33.180 F.2.1 counts from the NTP epoch, and the client assumes so until a KMS answers
//! a request for the period of time T with a `KeyPeriodNo` that is T's period counted from
//! the Unix epoch (as a deployed KMS does); from then on it follows that numbering and the
//! KMS's own period boundaries (requests, prefetch, expiry, UIDs, MIKEY). A key set whose
//! `KeyPeriodNo` is neither T's period nor the next one under the numbering in use is
//! refused ([`Rejection::WrongPeriod`]).
//!
//! A `KmsKeyProv` answer may hold several key sets (TS 33.180 D.3); at most
//! [`MAX_KEY_SETS_PER_ANSWER`] are looked at. Sets for the current or the next period of a
//! configured identity are validated and stored, each under its own period; sets for other
//! periods are ignored without an event.

mod config;
mod keyring;
mod material;
mod mikey;
mod partners;
mod store;

use std::collections::{BTreeMap, VecDeque};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use zeroize::Zeroizing;

pub use config::{ClientConfig, ConfigError};
pub use keyring::{Distributor, KeyRing, KeyRingError, Purpose, RingKey, UidTime};
pub use material::{Certificate, KeyMaterial, Rejection};
pub use mikey::{ImessageOptions, new_key};
pub use partners::{MAX_PARTNERS, PartnerStatus};
pub use store::{STORAGE_KEY_BYTES, StoreError};

/// The most key sets of one KeyProv answer the client looks at (TS 33.180 allows several,
/// e.g. the current and the next period); an answer with more is refused as malformed.
pub const MAX_KEY_SETS_PER_ANSWER: usize = 16;

use crate::domain::PeriodNumbering;
use crate::eccsi::SIGNATURE_BYTES;
use crate::kms::message::{KmsCertificate, KmsErrorInfo, KmsKeySet, KmsPayload, KmsRequest};
use crate::kms::xml;
use crate::sakke::{SED_BYTES, SSV_BYTES};
use crate::text::reportable;
use crate::{Error, time};

/// The path under the KMS base URL of every request (TS 33.180 D.2).
pub const API_PATH: &str = "/keymanagement/identity/v1/";

/// Octets a URI keeps unencoded in a keyprov path: the RFC 3986 unreserved characters.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// An HTTP header of a [`Request`]. The value of `Authorization` holds the access token and is
/// zeroized on drop.
pub struct Header {
    /// The header name.
    pub name: &'static str,
    /// The header value.
    pub value: Zeroizing<String>,
}

/// An HTTPS request for the app to send.
pub struct Request {
    /// Identifies the request in [`Client::handle_response`] and [`Client::handle_failure`].
    pub id: u64,
    /// Always `POST` (TS 33.180 D.2).
    pub method: &'static str,
    /// The full URL.
    pub url: String,
    /// `Authorization: Bearer <token>`, `Content-Type` and `Accept: application/xml`.
    pub headers: Vec<Header>,
    /// A `KmsRequest` XML body.
    pub body: Vec<u8>,
}

/// Something the app should know about.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A KMS certificate was validated and installed. `changed` is true when it replaced one
    /// with other keys (material was re-validated against it).
    CertificateInstalled {
        /// `KmsUri` of the certificate (escaped and bounded by [`crate::text::reportable`];
        /// [`Certificate::kms_uri`] is the exact one).
        kms_uri: String,
        /// It replaced a certificate with another KPAK, Z_T or key period.
        changed: bool,
    },
    /// A complete key set (SSK/PVT and RSK) for an identity and key period was validated and
    /// stored.
    KeyMaterialReady {
        /// The identity (`UserUri`).
        identity: String,
        /// The key period number, as the KMS numbers it (see the module documentation).
        period: u64,
        /// The KMS's `KeyPeriodNo`.
        kms_period_no: u64,
        /// First Unix second of the period.
        start: u64,
        /// End of the period (exclusive), Unix seconds.
        end: u64,
        /// A valid SSK/PVT is held.
        can_sign: bool,
        /// A valid RSK is held.
        can_decrypt: bool,
    },
    /// Half a key set was validated and stored (the other half was invalid, see the
    /// [`Event::MaterialRejected`] before): the valid half is used, and the client asks again
    /// with the capped backoff until a complete set is installed.
    KeyMaterialPartial {
        /// The identity (`UserUri`).
        identity: String,
        /// The key period number, as the KMS numbers it.
        period: u64,
        /// The KMS's `KeyPeriodNo`.
        kms_period_no: u64,
        /// First Unix second of the period.
        start: u64,
        /// End of the period (exclusive), Unix seconds.
        end: u64,
        /// A valid SSK/PVT is held.
        can_sign: bool,
        /// A valid RSK is held.
        can_decrypt: bool,
    },
    /// Material passed its period and grace window and was erased.
    MaterialExpired {
        /// The identity.
        identity: String,
        /// Our key period number.
        period: u64,
    },
    /// The KMS refused the access token (HTTP 401/403), or none is set: requests wait for
    /// [`Client::set_access_token`].
    AccessTokenNeeded,
    /// The KMS answered with a `KmsError` in a 2xx answer (for other statuses it comes with
    /// [`Event::RequestFailed`]).
    KmsError {
        /// `ErrorCode`.
        code: i64,
        /// `ErrorMsg`, escaped and bounded by [`crate::text::reportable`].
        message: String,
    },
    /// Received material was refused; nothing stored was changed by it.
    MaterialRejected {
        /// The identity concerned (a key set's `UserUri`, escaped and bounded by
        /// [`crate::text::reportable`]), when known.
        identity: Option<String>,
        /// The key period concerned: a key set's own `KeyPeriodNo`, or the period asked for
        /// when no set was received; `None` for a certificate.
        period: Option<u64>,
        /// Why.
        reason: Rejection,
        /// For [`Rejection::Malformed`], the parser's message (it never contains key octets;
        /// escaped and bounded by [`crate::text::reportable`]).
        detail: Option<String>,
    },
    /// The KMS numbers key periods from the Unix epoch, not as TS 33.180 F.2.1 does: the
    /// client follows its numbering and boundaries from now on. Reported once per
    /// certificate.
    PeriodMismatch {
        /// The identity.
        identity: String,
        /// The TS 33.180 F.2.1 (NTP-based) period number of the time asked.
        ours: u64,
        /// The KMS's `KeyPeriodNo`.
        kms: u64,
    },
    /// A request failed at the HTTP or transport level and will be retried.
    RequestFailed {
        /// The request.
        request_id: u64,
        /// The HTTP status, or 0 for a transport failure.
        http_status: u16,
        /// Unix time of the retry.
        retry_at: u64,
        /// The `KmsError` of a non-2xx answer that carried one; its ErrorMsg escaped and
        /// bounded by [`crate::text::reportable`].
        kms_error: Option<KmsErrorInfo>,
    },
    /// The certificate of a partner KMS domain (from the KMS's certificate cache, TS 33.180
    /// 5.2.7) was installed: MIKEY with users of that domain works from now on.
    PartnerCertificateInstalled {
        /// Its `KmsUri` (escaped and bounded by [`crate::text::reportable`]).
        kms_uri: String,
        /// It replaced a certificate of that KmsUri with other keys, or a revoked one.
        changed: bool,
    },
    /// The certificate of a partner KMS domain was removed: it came back Revoked
    /// ([`Rejection::Revoked`]), its ValidTo passed ([`Rejection::NotValid`]), or a
    /// certificate cache with a newer CacheNum no longer lists it ([`Rejection::NotInCache`]).
    /// MIKEY with that domain is refused from now on.
    PartnerCertificateRemoved {
        /// Its `KmsUri` (escaped and bounded by [`crate::text::reportable`]).
        kms_uri: String,
        /// Why.
        reason: Rejection,
    },
    /// A request failed [`ClientConfig::max_attempts`] times and is parked until
    /// [`Client::refresh`], a new access token, or the start of the next key period (an hour
    /// later while there is no certificate).
    RetriesExhausted {
        /// The identity whose keys were requested, or `None` for `init`.
        identity: Option<String>,
    },
}

/// What [`Client::poll_output`] returns. Drain it until [`Output::WakeUp`] or [`Output::None`].
pub enum Output {
    /// Send this request; answer with its id.
    Request(Request),
    /// An event.
    Event(Event),
    /// Nothing more to do now: poll again at this Unix time, or when a response arrives.
    WakeUp(u64),
    /// Nothing to do until a response, a failure or a new token arrives.
    None,
}

/// Errors of the client's operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The configuration was refused.
    #[error("invalid configuration: {0}")]
    Config(#[from] ConfigError),
    /// The request id is not one in flight.
    #[error("unknown or finished request id")]
    UnknownRequest,
    /// No validated KMS certificate yet.
    #[error("no KMS certificate")]
    NoCertificate,
    /// No valid key material for that identity at that time.
    #[error("no key material for that identity at that time")]
    NoKeyMaterial,
    /// The time is outside what key periods can express.
    #[error("time out of range")]
    InvalidTime,
    /// An access token that is empty or holds a control character (CR or LF would split the
    /// Authorization header).
    #[error("empty access token, or one with a control character")]
    InvalidToken,
    /// An HTTP status above 999 (RFC 9110 15: three digits).
    #[error("HTTP status out of range")]
    InvalidStatus,
    /// A cryptographic operation failed.
    #[error(transparent)]
    Crypto(#[from] Error),
    /// The sealed key store could not be made or opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No valid certificate of the peer's KMS domain is held (not in the KMS's certificate
    /// cache, or past its ValidTo).
    #[error("unknown KMS domain")]
    UnknownKms,
    /// The peer's KMS domain was revoked.
    #[error("revoked KMS domain")]
    RevokedKms,
    /// A MIKEY I_MESSAGE could not be made, or was refused.
    #[error(transparent)]
    Mikey(#[from] crate::mikey::MikeyError),
    /// The key ring refused a key (e.g. one whose expiry time has passed).
    #[error(transparent)]
    KeyRing(#[from] KeyRingError),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum JobKind {
    Init,
    KeyProv {
        identity: String,
        period: u64,
    },
    /// `certcache[/<CacheNum>]`: partner domains' certificates.
    CertCache,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum JobState {
    Ready {
        at: u64,
    },
    /// Sent with the access token of generation `token`; a keyprov for the period of NTP
    /// second `asked_ntp`.
    InFlight {
        request_id: u64,
        token: u64,
        asked_ntp: Option<u64>,
    },
    NeedToken,
    /// Given up after `max_attempts`; ready again at `until` (the next key period, or
    /// [`PARK_WITHOUT_CERTIFICATE_S`] later when no certificate tells the periods), or on
    /// [`Client::refresh`] or a new token.
    Parked {
        until: u64,
    },
}

/// How long a request stays parked when no certificate gives the next key period.
pub const PARK_WITHOUT_CERTIFICATE_S: u64 = 3_600;

struct Job {
    kind: JobKind,
    state: JobState,
    attempts: u32,
}

/// The provisioning client of one user. Use it from one thread at a time.
pub struct Client {
    config: ClientConfig,
    base_url: String,
    token: Option<Zeroizing<String>>,
    /// Counts `set_access_token` calls: a 401 answers the token its request was sent with.
    token_generation: u64,
    token_event_sent: bool,
    pub(crate) certificate: Option<Certificate>,
    /// Material by (identity, our period number).
    pub(crate) materials: BTreeMap<(String, u64), KeyMaterial>,
    jobs: Vec<Job>,
    events: VecDeque<Event>,
    next_request_id: u64,
    /// Whether the certificate's period numbering was confirmed by a stored key set (then it
    /// is required of every later one).
    pub(crate) numbering_known: bool,
    /// [`Client::refresh`] asked for the current and next sets again.
    refresh_requested: bool,
    /// The state of the backoff jitter when [`ClientConfig::jitter_seed`] is set.
    jitter: Option<u64>,
    /// Our period number for which `init` was last requested ahead of the next period.
    init_checked_for: Option<u64>,
    /// Certificates of partner KMS domains.
    pub(crate) partners: partners::Partners,
    /// Unix time of the next `certcache` request (with [`ClientConfig::certcache_interval_s`]).
    certcache_due: u64,
    /// The keys received in I_MESSAGEs, by purpose and ID (keyring.rs).
    pub(crate) keyring: KeyRing,
}

impl Client {
    /// A client for `config`.
    ///
    /// # Errors
    /// [`ClientError::Config`] when the configuration is refused.
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        let base_url = config.validate()?;
        let jitter = config.jitter_seed;
        Ok(Self {
            config,
            base_url,
            token: None,
            token_generation: 0,
            token_event_sent: false,
            certificate: None,
            materials: BTreeMap::new(),
            jobs: Vec::new(),
            events: VecDeque::new(),
            next_request_id: 1,
            numbering_known: false,
            refresh_requested: false,
            jitter,
            init_checked_for: None,
            partners: partners::Partners::default(),
            certcache_due: 0,
            keyring: KeyRing::new(),
        })
    }

    /// Sets [`ClientConfig::certcache_interval_s`]; a non-zero interval asks for the
    /// certificate cache at the next poll (once a certificate is held), 0 stops asking.
    pub fn set_certcache_interval(&mut self, interval_s: u64) {
        self.config.certcache_interval_s = interval_s;
        self.certcache_due = 0;
    }

    /// Sets [`ClientConfig::jitter_seed`] to `seed` and restarts the jitter from it: the retry
    /// delays from now on are a function of the seed, so that a run can be replayed.
    pub fn set_jitter_seed(&mut self, seed: u64) {
        self.config.jitter_seed = Some(seed);
        self.jitter = Some(seed);
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Sets or replaces the OAuth access token sent as `Authorization: Bearer`. Requests
    /// waiting for a token, or parked, become ready.
    ///
    /// # Errors
    /// [`ClientError::InvalidToken`] for an empty token or one with a control character
    /// (it goes into an HTTP header line); the current token is then kept.
    pub fn set_access_token(&mut self, token: &str) -> Result<(), ClientError> {
        if token.is_empty() || token.chars().any(char::is_control) {
            return Err(ClientError::InvalidToken);
        }
        self.token = Some(Zeroizing::new(token.to_owned()));
        self.token_generation += 1;
        self.token_event_sent = false;
        for job in &mut self.jobs {
            if matches!(job.state, JobState::NeedToken | JobState::Parked { .. }) {
                job.state = JobState::Ready { at: 0 };
                job.attempts = 0;
            }
        }
        Ok(())
    }

    /// Makes parked requests ready again (after [`Event::RetriesExhausted`]) and fetches the
    /// current and next key sets of every identity again at the next poll, even those held
    /// (a set no better than the one held does not replace it).
    pub fn refresh(&mut self) {
        self.refresh_requested = true;
        for job in &mut self.jobs {
            if matches!(job.state, JobState::Parked { .. }) {
                job.state = JobState::Ready { at: 0 };
                job.attempts = 0;
            }
        }
    }

    /// The validated KMS certificate, if any.
    pub fn certificate(&self) -> Option<&Certificate> {
        self.certificate.as_ref()
    }

    /// The stored material, ordered by identity and period.
    pub fn materials(&self) -> impl Iterator<Item = &KeyMaterial> {
        self.materials.values()
    }

    /// Our key period number of Unix time `now` under the installed certificate.
    ///
    /// # Errors
    /// [`ClientError::NoCertificate`], or [`ClientError::InvalidTime`] if out of range.
    pub fn period_of(&self, now: u64) -> Result<u64, ClientError> {
        let cert = self
            .certificate
            .as_ref()
            .ok_or(ClientError::NoCertificate)?;
        cert.period_of(now).ok_or(ClientError::InvalidTime)
    }

    /// Our key period number of Unix time `now`, with its first Unix second and its end
    /// (exclusive).
    ///
    /// # Errors
    /// [`ClientError::NoCertificate`], or [`ClientError::InvalidTime`] if out of range.
    pub fn key_period(&self, now: u64) -> Result<(u64, u64, u64), ClientError> {
        let n = self.period_of(now)?;
        let cert = self
            .certificate
            .as_ref()
            .ok_or(ClientError::NoCertificate)?;
        let (start, end) = cert.period_bounds(n).ok_or(ClientError::InvalidTime)?;
        Ok((n, start, end))
    }

    /// The next output at Unix time `now`: events first, then requests, then the wake-up.
    pub fn poll_output(&mut self, now: u64) -> Output {
        self.advance(now);
        if let Some(event) = self.events.pop_front() {
            return Output::Event(event);
        }
        if let Some(request) = self.next_request(now) {
            return Output::Request(request);
        }
        if let Some(event) = self.events.pop_front() {
            return Output::Event(event);
        }
        match self.next_wakeup(now) {
            Some(at) => Output::WakeUp(at),
            None => Output::None,
        }
    }

    /// Feeds the HTTP status and body of the response to request `request_id` at Unix time
    /// `now`. Whatever the body holds, stored material changes only through validated data;
    /// the outcome shows as events.
    ///
    /// # Errors
    /// [`ClientError::InvalidStatus`] for a status above 999;
    /// [`ClientError::UnknownRequest`] when no request with that id is in flight.
    pub fn handle_response(
        &mut self,
        now: u64,
        request_id: u64,
        http_status: u16,
        body: &[u8],
    ) -> Result<(), ClientError> {
        if http_status > 999 {
            return Err(ClientError::InvalidStatus);
        }
        let index = self.in_flight(request_id)?;
        match http_status {
            401 | 403 => {
                let JobState::InFlight { token, .. } = self.jobs[index].state else {
                    unreachable!("in_flight found an in-flight job")
                };
                if token == self.token_generation {
                    self.token = None;
                    self.jobs[index].state = JobState::NeedToken;
                    self.request_token();
                } else {
                    // Refused an older token: send it again with the current one.
                    self.jobs[index].state = JobState::Ready { at: now };
                }
            }
            200..=299 => self.handle_body(now, index, body),
            status => {
                // A KMS may explain a 4xx/5xx with a KmsError (TS 33.180 D.3.1).
                let kms_error = match xml::parse_response(body) {
                    Ok(response) => match response.payload {
                        KmsPayload::Error(info) => Some(KmsErrorInfo {
                            code: info.code,
                            message: reportable(&info.message),
                        }),
                        _ => None,
                    },
                    Err(_) => None,
                };
                self.fail(now, index, Some((request_id, status, kms_error)));
            }
        }
        Ok(())
    }

    /// Reports that request `request_id` failed in transport (no HTTP response).
    ///
    /// # Errors
    /// [`ClientError::UnknownRequest`] when no request with that id is in flight.
    pub fn handle_failure(&mut self, now: u64, request_id: u64) -> Result<(), ClientError> {
        let index = self.in_flight(request_id)?;
        self.fail(now, index, Some((request_id, 0, None)));
        Ok(())
    }

    /// Signs `msg` with ECCSI (RFC 6507 5.2.1) as `identity` with the key period of Unix time
    /// `now`: `r || s || PVT`, 129 octets.
    ///
    /// # Errors
    /// [`ClientError::NoCertificate`], [`ClientError::NoKeyMaterial`] (no valid SSK for that
    /// identity and period), [`ClientError::InvalidTime`], or `Crypto(Error::Rng)`.
    pub fn sign(
        &self,
        identity: &str,
        now: u64,
        msg: &[u8],
    ) -> Result<[u8; SIGNATURE_BYTES], ClientError> {
        let material = self.own_material(identity, now)?;
        let signer = material.signer.as_ref().ok_or(ClientError::NoKeyMaterial)?;
        Ok(signer.sign(msg)?)
    }

    /// Decapsulates a SAKKE SED (RFC 6508 6.2.2, 273 octets) addressed to `identity` in the
    /// key period of Unix time `now`, giving the 16-octet SSV.
    ///
    /// # Errors
    /// [`ClientError::NoCertificate`], [`ClientError::NoKeyMaterial`] (no valid RSK),
    /// [`ClientError::InvalidTime`], or `Crypto(Error::DecapsulationFailed)`.
    pub fn decapsulate(
        &self,
        identity: &str,
        now: u64,
        sed: &[u8],
    ) -> Result<Zeroizing<[u8; SSV_BYTES]>, ClientError> {
        let material = self.own_material(identity, now)?;
        let receiver = material
            .receiver
            .as_ref()
            .ok_or(ClientError::NoKeyMaterial)?;
        Ok(receiver.decapsulate(sed)?)
    }

    /// Verifies an ECCSI signature (RFC 6507 5.2.2) by `peer_uri` made in the key period of
    /// Unix time `now`: the peer's UID comes from its URI, the certificate and the time.
    ///
    /// # Errors
    /// [`ClientError::NoCertificate`], [`ClientError::InvalidTime`], or
    /// `Crypto(Error::VerifyFailed)`.
    pub fn verify(
        &self,
        peer_uri: &str,
        now: u64,
        msg: &[u8],
        signature: &[u8],
    ) -> Result<(), ClientError> {
        let (cert, id) = self.peer_identifier(peer_uri, now)?;
        Ok(cert.verifier.verify(&id, msg, signature)?)
    }

    /// Encapsulates a 16-octet SSV (RFC 6508 6.2.1) to `peer_uri` for the key period of Unix
    /// time `now`: the SED, 273 octets.
    ///
    /// # Errors
    /// [`ClientError::NoCertificate`], [`ClientError::InvalidTime`], or
    /// `Crypto(Error::InvalidLength)` for an SSV that is not 16 octets.
    pub fn encapsulate(
        &self,
        peer_uri: &str,
        now: u64,
        ssv: &[u8],
    ) -> Result<[u8; SED_BYTES], ClientError> {
        let (cert, id) = self.peer_identifier(peer_uri, now)?;
        Ok(cert.sakke.encapsulate(&id, ssv)?)
    }

    /// The UID of `uri` at Unix time `now`: TS 33.180 F.2.1 with the certificate's KmsUri and
    /// key period, and the KMS's period number (ours plus the offset the KMS showed).
    ///
    /// # Errors
    /// [`ClientError::NoCertificate`] or [`ClientError::InvalidTime`].
    pub fn uid_of(&self, uri: &str, now: u64) -> Result<[u8; crate::uid::UID_BYTES], ClientError> {
        let cert = self
            .certificate
            .as_ref()
            .ok_or(ClientError::NoCertificate)?;
        let n = cert.period_of(now).ok_or(ClientError::InvalidTime)?;
        cert.uid(uri, n).ok_or(ClientError::InvalidTime)
    }

    fn peer_identifier(&self, uri: &str, now: u64) -> Result<(&Certificate, Vec<u8>), ClientError> {
        let uid = self.uid_of(uri, now)?;
        let cert = self
            .certificate
            .as_ref()
            .ok_or(ClientError::NoCertificate)?;
        Ok((cert, self.config.id_encoding.identifier(&uid)))
    }

    fn own_material(&self, identity: &str, now: u64) -> Result<&KeyMaterial, ClientError> {
        let period = self.period_of(now)?;
        self.materials
            .get(&(identity.to_owned(), period))
            .filter(|m| m.usable_at(now))
            .ok_or(ClientError::NoKeyMaterial)
    }

    fn in_flight(&self, request_id: u64) -> Result<usize, ClientError> {
        self.jobs
            .iter()
            .position(
                |j| matches!(j.state, JobState::InFlight { request_id: r, .. } if r == request_id),
            )
            .ok_or(ClientError::UnknownRequest)
    }

    fn request_token(&mut self) {
        if !self.token_event_sent {
            self.token_event_sent = true;
            self.events.push_back(Event::AccessTokenNeeded);
        }
    }

    /// Applies the passage of time: erases expired material, drops finished jobs, and creates
    /// the jobs the current and next periods need.
    fn advance(&mut self, now: u64) {
        let grace = self.config.grace_s;
        let expired: Vec<(String, u64)> = match &self.certificate {
            Some(cert) => self
                .materials
                .keys()
                .filter(|(_, period)| {
                    cert.period_bounds(*period)
                        .is_none_or(|(_, end)| end.saturating_add(grace) <= now)
                })
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        for key in expired {
            self.materials.remove(&key);
            self.events.push_back(Event::MaterialExpired {
                identity: key.0,
                period: key.1,
            });
        }
        if let Some(cert) = &self.certificate {
            // Saturated: a time past i64::MAX is after every ValidTo.
            let now_i = i64::try_from(now).unwrap_or(i64::MAX);
            if cert.xml.valid_to.is_some_and(|to| to <= now_i) {
                self.events.push_back(Event::MaterialRejected {
                    identity: None,
                    period: None,
                    reason: Rejection::NotValid,
                    detail: None,
                });
                self.erase_domain();
            }
        }
        self.expire_partners(now);
        for job in &mut self.jobs {
            if matches!(job.state, JobState::Parked { until } if until <= now) {
                job.state = JobState::Ready { at: now };
                job.attempts = 0;
            }
        }
        if self.certificate.is_none() {
            self.ensure_job(JobKind::Init, now);
            return;
        }
        if self.config.certcache_interval_s > 0 && self.certcache_due <= now {
            self.certcache_due = u64::MAX;
            self.ensure_job(JobKind::CertCache, now);
        }
        let Some(cert) = &self.certificate else {
            return;
        };
        let Some(current) = cert.period_of(now) else {
            return;
        };
        let Some((_, end)) = cert.period_bounds(current) else {
            return;
        };
        // Jobs for periods that are over are dropped.
        self.jobs.retain(|job| match &job.kind {
            JobKind::KeyProv { period, .. } => *period >= current,
            JobKind::Init | JobKind::CertCache => true,
        });
        let refresh = std::mem::take(&mut self.refresh_requested);
        let mut wanted = vec![current];
        if refresh || now >= end.saturating_sub(self.config.prefetch_s) {
            wanted.extend(current.checked_add(1));
            if self.init_checked_for != Some(current + 1) {
                self.init_checked_for = Some(current + 1);
                self.ensure_job(JobKind::Init, now);
            }
        }
        let identities: Vec<String> = self.config.identities().cloned().collect();
        for period in wanted {
            for identity in &identities {
                if refresh || !self.materials.contains_key(&(identity.clone(), period)) {
                    self.ensure_job(
                        JobKind::KeyProv {
                            identity: identity.clone(),
                            period,
                        },
                        now,
                    );
                }
            }
        }
    }

    fn ensure_job(&mut self, kind: JobKind, now: u64) {
        if !self.jobs.iter().any(|j| j.kind == kind) {
            self.jobs.push(Job {
                kind,
                state: JobState::Ready { at: now },
                attempts: 0,
            });
        }
    }

    fn next_request(&mut self, now: u64) -> Option<Request> {
        let index = self
            .jobs
            .iter()
            .position(|j| matches!(j.state, JobState::Ready { at } if at <= now))?;
        let Some(token) = self.token.clone() else {
            for job in &mut self.jobs {
                if matches!(job.state, JobState::Ready { at } if at <= now) {
                    job.state = JobState::NeedToken;
                }
            }
            self.request_token();
            return None;
        };
        let id = self.next_request_id;
        self.next_request_id += 1;
        let (url, asked_ntp) = self.url_for(&self.jobs[index].kind, now);
        let body = xml::emit_request(&KmsRequest {
            user_uri: self.config.user_uri.clone(),
            kms_uri: self.kms_uri_for_request(),
            time: i64::try_from(now).unwrap_or(i64::MAX),
            client_id: None,
            device_id: None,
            client_req_url: url.clone(),
            client_error: None,
        })
        .into_bytes();
        self.jobs[index].state = JobState::InFlight {
            request_id: id,
            token: self.token_generation,
            asked_ntp,
        };
        let mut authorization = Zeroizing::new(String::with_capacity(7 + token.len()));
        authorization.push_str("Bearer ");
        authorization.push_str(&token);
        Some(Request {
            id,
            method: "POST",
            url,
            headers: vec![
                Header {
                    name: "Authorization",
                    value: authorization,
                },
                Header {
                    name: "Content-Type",
                    value: Zeroizing::new("application/xml".into()),
                },
                Header {
                    name: "Accept",
                    value: Zeroizing::new("application/xml".into()),
                },
            ],
            body,
        })
    }

    fn kms_uri_for_request(&self) -> String {
        match (&self.certificate, &self.config.expected_kms_uri) {
            (Some(cert), _) => cert.xml.kms_uri.clone(),
            (None, Some(expected)) => expected.clone(),
            (None, None) => {
                let rest = self.base_url.split_once("://").map_or("", |(_, r)| r);
                rest.split('/').next().unwrap_or("").to_owned()
            }
        }
    }

    /// `init`, or `keyprov/<URI>/<NTP time>` (TS 33.180 D.2.1) with its NTP second: the
    /// explicit form for every identity and period, so that the KMS's answer is for the period
    /// asked whatever its clock says. The time is `now` for the current period, which lies
    /// in the KMS's current period whatever its numbering, and the start of the period (by
    /// the numbering in use) for a later one.
    fn url_for(&self, kind: &JobKind, now: u64) -> (String, Option<u64>) {
        let base = format!("{}{}", self.base_url, API_PATH);
        match kind {
            JobKind::Init => (format!("{base}init"), None),
            JobKind::CertCache => match self.partners.cache_num {
                Some(n) => (format!("{base}certcache/{n}"), None),
                None => (format!("{base}certcache"), None),
            },
            JobKind::KeyProv { identity, period } => {
                let asked = self.certificate.as_ref().and_then(|c| {
                    let now_ntp = time::unix_to_ntp(now)?;
                    if c.periods.number_at_ntp(now_ntp) == Some(*period) {
                        Some(now_ntp)
                    } else {
                        c.periods.start_ntp(*period)
                    }
                });
                let encoded = utf8_percent_encode(identity, PATH_SEGMENT);
                match asked {
                    Some(t) => (
                        format!("{base}keyprov/{encoded}/{}", time::ntp64_hex(t)),
                        Some(t),
                    ),
                    None => (format!("{base}keyprov/{encoded}"), None),
                }
            }
        }
    }

    fn next_wakeup(&self, now: u64) -> Option<u64> {
        let mut times: Vec<u64> = self
            .jobs
            .iter()
            .filter_map(|j| match j.state {
                JobState::Ready { at } | JobState::Parked { until: at } => Some(at),
                _ => None,
            })
            .collect();
        if let Some(cert) = &self.certificate {
            for (_, period) in self.materials.keys() {
                if let Some((_, end)) = cert.period_bounds(*period) {
                    times.push(end.saturating_add(self.config.grace_s));
                }
            }
            if let Some((_, end)) = cert.period_of(now).and_then(|n| cert.period_bounds(n)) {
                times.push(end.saturating_sub(self.config.prefetch_s));
                times.push(end);
            }
            if let Some(to) = cert.xml.valid_to {
                times.push(u64::try_from(to).unwrap_or(0));
            }
            if self.config.certcache_interval_s > 0 && self.certcache_due != u64::MAX {
                times.push(self.certcache_due);
            }
        }
        times.extend(self.next_partner_expiry());
        times.into_iter().filter(|t| *t > now).min()
    }

    fn fail(&mut self, now: u64, index: usize, http: Option<(u64, u16, Option<KmsErrorInfo>)>) {
        let next_period = self.certificate.as_ref().and_then(|c| {
            let n = c.period_of(now)?;
            Some(c.period_bounds(n)?.1)
        });
        let job = &mut self.jobs[index];
        job.attempts += 1;
        if job.attempts >= self.config.max_attempts {
            let until = next_period.unwrap_or(now.saturating_add(PARK_WITHOUT_CERTIFICATE_S));
            job.state = JobState::Parked { until };
            let identity = match &job.kind {
                JobKind::Init | JobKind::CertCache => None,
                JobKind::KeyProv { identity, .. } => Some(identity.clone()),
            };
            self.events.push_back(Event::RetriesExhausted { identity });
            return;
        }
        let attempts = job.attempts;
        let at = now.saturating_add(self.backoff(attempts));
        self.jobs[index].state = JobState::Ready { at };
        if let Some((request_id, http_status, kms_error)) = http {
            self.events.push_back(Event::RequestFailed {
                request_id,
                http_status,
                retry_at: at,
                kms_error,
            });
        }
    }

    /// The delay before retry `attempt` (1-based): `initial * 2^(attempt-1)` capped at the
    /// maximum, then jittered uniformly into `[d/2, d]` so that many handsets do not retry in
    /// step. The jitter comes from [`ClientConfig::jitter_seed`] when set (SplitMix64, not
    /// secret), else from the OS RNG.
    fn backoff(&mut self, attempt: u32) -> u64 {
        let config = &self.config;
        let doubled = config
            .retry_initial_s
            .saturating_mul(1u64 << attempt.saturating_sub(1).min(40));
        let delay = doubled.min(config.retry_max_s);
        let random = match &mut self.jitter {
            Some(state) => {
                *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = *state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^ (z >> 31)
            }
            None => {
                let mut r = [0u8; 8];
                if crate::rng::fill(&mut r).is_err() {
                    return delay;
                }
                u64::from_le_bytes(r)
            }
        };
        let half = delay / 2;
        delay - random % (half + 1)
    }

    /// Reports refused material; the identity (a KMS's text) and detail are escaped and
    /// bounded.
    fn reject(
        &mut self,
        identity: Option<String>,
        period: Option<u64>,
        reason: Rejection,
        detail: Option<String>,
    ) {
        self.events.push_back(Event::MaterialRejected {
            identity: identity.as_deref().map(reportable),
            period,
            reason,
            detail: detail.as_deref().map(reportable),
        });
    }

    fn handle_body(&mut self, now: u64, index: usize, body: &[u8]) {
        let (identity, period) = match &self.jobs[index].kind {
            JobKind::Init | JobKind::CertCache => (None, None),
            JobKind::KeyProv { identity, period } => (Some(identity.clone()), Some(*period)),
        };
        let cache = self.jobs[index].kind == JobKind::CertCache;
        let JobState::InFlight {
            request_id,
            asked_ntp,
            ..
        } = self.jobs[index].state
        else {
            unreachable!("a response is handled for an in-flight job")
        };
        let response = match xml::parse_response(body) {
            Ok(response) => response,
            Err(e) => {
                self.reject(identity, period, Rejection::Malformed, Some(e.to_string()));
                return self.fail(now, index, None);
            }
        };
        match (response.payload, identity, period) {
            (KmsPayload::Error(info), _, _) => {
                self.events.push_back(Event::KmsError {
                    code: info.code,
                    message: reportable(&info.message),
                });
                self.fail(now, index, None);
            }
            (
                KmsPayload::CertCache {
                    cache_num,
                    certificates,
                },
                None,
                _,
            ) if cache => {
                if self.install_cert_cache(cache_num, certificates, now) {
                    self.jobs.remove(index);
                    self.certcache_due = now.saturating_add(self.config.certcache_interval_s);
                } else {
                    self.fail(now, index, None);
                }
            }
            (KmsPayload::Init(cert), None, _) if !cache => {
                match self.install_certificate(cert, now) {
                    Ok(()) => {
                        self.jobs.remove(index);
                    }
                    Err(reason) => {
                        self.reject(None, None, reason, None);
                        self.fail(now, index, None);
                    }
                }
            }
            (KmsPayload::KeyProv(sets), Some(identity), Some(period)) => {
                if sets.len() > MAX_KEY_SETS_PER_ANSWER {
                    self.reject(
                        Some(identity),
                        Some(period),
                        Rejection::Malformed,
                        Some(format!(
                            "{} key sets in one answer, at most {MAX_KEY_SETS_PER_ANSWER}",
                            sets.len()
                        )),
                    );
                    return self.fail(now, index, None);
                }
                let outcome = self.store_key_sets(sets, &identity, period, asked_ntp, now);
                // The numbering may have changed: drop the other jobs' stale period numbers
                // (advance makes them again), find this job again, and name the period asked
                // as the KMS numbers it.
                if outcome.numbering_changed {
                    self.jobs.retain(|j| {
                        matches!(j.kind, JobKind::Init | JobKind::CertCache)
                            || matches!(j.state, JobState::InFlight { .. })
                    });
                }
                let Ok(index) = self.in_flight(request_id) else {
                    return;
                };
                let period = match (&self.certificate, asked_ntp) {
                    (Some(cert), Some(t)) => cert.periods.number_at_ntp(t).unwrap_or(period),
                    _ => period,
                };
                self.jobs[index].kind = JobKind::KeyProv {
                    identity: identity.clone(),
                    period,
                };
                match self.materials.get(&(identity, period)) {
                    Some(m) if m.is_complete() => {
                        self.jobs.remove(index);
                    }
                    Some(_) => {
                        // Half a set: keep asking with the capped backoff, never parked.
                        let job = &mut self.jobs[index];
                        job.attempts = job.attempts.saturating_add(1);
                        let attempts = job.attempts;
                        let at = now.saturating_add(self.backoff(attempts));
                        self.jobs[index].state = JobState::Ready { at };
                    }
                    None => {
                        // The KMS may have been re-keyed since our init: ask again.
                        self.ensure_job(JobKind::Init, now);
                        self.fail(now, index, None);
                    }
                }
            }
            (_, identity, period) => {
                self.reject(identity, period, Rejection::UnexpectedMessage, None);
                self.fail(now, index, None);
            }
        }
    }

    /// Drops the certificate and everything validated under it, which may not outlive it
    /// (its ValidTo passed, or it came back Revoked).
    fn erase_domain(&mut self) {
        self.certificate = None;
        self.numbering_known = false;
        for ((identity, period), _) in std::mem::take(&mut self.materials) {
            self.events
                .push_back(Event::MaterialExpired { identity, period });
        }
    }

    /// Validates and installs a certificate; with new keys, re-validates stored material and
    /// drops what no longer holds. Our KMS's certificate coming back Revoked erases it and
    /// all material (TS 33.180 5.2.7: nothing signs or decrypts under a revoked domain).
    fn install_certificate(&mut self, cert: KmsCertificate, now: u64) -> Result<(), Rejection> {
        if cert.revoked
            && self
                .certificate
                .as_ref()
                .is_some_and(|held| held.kms_uri() == cert.kms_uri)
        {
            // Then refused below (reported and retried as any refusal).
            self.erase_domain();
        }
        let mut new = Certificate::validate(cert, self.config.expected_kms_uri.as_deref(), now)?;
        let changed = self
            .certificate
            .as_ref()
            .is_some_and(|old| !old.same_keys(&new.xml));
        let first = self.certificate.is_none();
        if let Some(old) = &self.certificate {
            // The KMS's numbering outlives a re-keying.
            if let Some(periods) = new.periods.with_numbering(old.periods.numbering()) {
                new.periods = periods;
            }
        }
        self.set_certificate(new);
        if first || changed {
            self.numbering_known = false;
        }
        if changed {
            // What no longer validates under the new keys is dropped (and reported).
            for ((identity, period), material) in std::mem::take(&mut self.materials) {
                self.revalidate(identity, period, material, now);
            }
        }
        Ok(())
    }

    /// Installs a validated certificate of our KMS and reports it
    /// ([`Event::CertificateInstalled`]) when it is the first or has other keys than the one
    /// held. With [`Self::set_material`] and `Client::set_partner`, the one path by which
    /// provisioned state is installed and announced, for KMS answers and import alike.
    pub(crate) fn set_certificate(&mut self, new: Certificate) {
        let changed = self
            .certificate
            .as_ref()
            .is_some_and(|old| !old.same_keys(&new.xml));
        if self.certificate.is_none() || changed {
            self.events.push_back(Event::CertificateInstalled {
                kms_uri: reportable(&new.xml.kms_uri),
                changed,
            });
        }
        self.certificate = Some(new);
    }

    /// Stores validated material under its identity and period and reports it
    /// ([`Event::KeyMaterialReady`] or [`Event::KeyMaterialPartial`]); see
    /// [`Self::set_certificate`].
    pub(crate) fn set_material(&mut self, material: KeyMaterial) {
        let cert = self
            .certificate
            .as_ref()
            .expect("material is validated against a certificate");
        self.events.push_back(material_event(cert, &material));
        let key = (material.set.user_uri.clone(), material.period);
        self.materials.insert(key, material);
    }

    fn revalidate(&mut self, identity: String, period: u64, material: KeyMaterial, now: u64) {
        let Some(cert) = &self.certificate else {
            return;
        };
        let had = (material.can_sign(), material.can_decrypt());
        let result = KeyMaterial::validate(
            material.set.clone(),
            period,
            cert,
            self.config.identities(),
            self.config.id_encoding,
            now,
        );
        match result {
            Ok(v)
                if v.material
                    .as_ref()
                    .is_some_and(|m| (m.can_sign(), m.can_decrypt()) == had) =>
            {
                self.materials
                    .insert((identity, period), v.material.expect("checked above"));
            }
            _ => self.reject(
                Some(identity),
                Some(period),
                Rejection::CertificateChanged,
                None,
            ),
        }
    }

    /// Validates and stores, one at a time, the key sets of a KeyProv answer to the job for
    /// (`wanted`, `period`) sent for the period of NTP second `asked_ntp`: learns the KMS's
    /// numbering from the set for `wanted`, stores each set of a configured identity for the
    /// current, the next or the asked period under its own period, ignores sets for other
    /// periods, and refuses a set for `wanted` that cannot answer the request.
    fn store_key_sets(
        &mut self,
        sets: Vec<KmsKeySet>,
        wanted: &str,
        period: u64,
        asked_ntp: Option<u64>,
        now: u64,
    ) -> KeyProvOutcome {
        let mut outcome = KeyProvOutcome {
            numbering_changed: false,
        };
        let Some(cert) = &mut self.certificate else {
            self.reject(
                Some(wanted.to_owned()),
                Some(period),
                Rejection::NoCertificate,
                None,
            );
            return outcome;
        };
        if let (Some(t), false) = (asked_ntp, self.numbering_known) {
            let explains = |p: crate::domain::KeyPeriods| {
                sets.iter()
                    .any(|s| s.user_uri == wanted && p.answers(t, s.key_period_no))
            };
            if !explains(cert.periods) {
                let other = PeriodNumbering::ALL
                    .into_iter()
                    .filter_map(|n| cert.periods.with_numbering(n))
                    .find(|p| explains(*p) && p.number_at_unix(now).is_some());
                if let Some(periods) = other {
                    let ntp_number = cert.periods.with_numbering(PeriodNumbering::Ntp);
                    cert.periods = periods;
                    outcome.numbering_changed = true;
                    if periods.numbering() != PeriodNumbering::Ntp {
                        let ours = ntp_number.and_then(|p| p.number_at_ntp(t)).unwrap_or(0);
                        let kms = periods.number_at_ntp(t).unwrap_or(0);
                        self.events.push_back(Event::PeriodMismatch {
                            identity: wanted.to_owned(),
                            ours,
                            kms,
                        });
                    }
                    // Material held under the other numbering has other period numbers.
                    for ((identity, period), _) in std::mem::take(&mut self.materials) {
                        self.events
                            .push_back(Event::MaterialExpired { identity, period });
                    }
                }
            }
        }
        let Some(cert) = &self.certificate else {
            return outcome;
        };
        let current = cert.period_of(now);
        let asked = asked_ntp.and_then(|t| cert.periods.number_at_ntp(t));
        let wanted_periods = [current, current.and_then(|c| c.checked_add(1)), asked];
        let sent_wanted = sets.iter().any(|s| s.user_uri == wanted);
        let answered = sets
            .iter()
            .any(|s| s.user_uri == wanted && wanted_periods.contains(&Some(s.key_period_no)));
        for set in sets {
            let k = set.key_period_no;
            let is_wanted_identity = set.user_uri == wanted;
            let Some(cert) = &self.certificate else {
                break;
            };
            if !wanted_periods.contains(&Some(k)) {
                // A set for a period not wanted is ignored quietly, unless it was the only
                // answer for the identity asked: then the KMS answered another period.
                if is_wanted_identity && !answered {
                    self.reject(
                        Some(set.user_uri.clone()),
                        Some(k),
                        Rejection::WrongPeriod,
                        None,
                    );
                }
                continue;
            }
            let identity = set.user_uri.clone();
            let result = KeyMaterial::validate(
                set,
                k,
                cert,
                self.config.identities(),
                self.config.id_encoding,
                now,
            );
            let validated = match result {
                Ok(v) => v,
                Err(Rejection::Revoked) => {
                    // Our KMS revoked this identity's keys of period k (validate checked the
                    // KmsUri and the identity first): erase what is held for them.
                    self.reject(Some(identity.clone()), Some(k), Rejection::Revoked, None);
                    if self.materials.remove(&(identity.clone(), k)).is_some() {
                        self.events.push_back(Event::MaterialExpired {
                            identity,
                            period: k,
                        });
                    }
                    continue;
                }
                Err(reason) => {
                    self.reject(Some(identity), Some(k), reason, None);
                    continue;
                }
            };
            for reason in validated.rejections {
                self.reject(Some(identity.clone()), Some(k), reason, None);
            }
            if let Some(material) = validated.material {
                if self.store_material(material) {
                    self.numbering_known = true;
                }
            }
        }
        if !sent_wanted {
            self.reject(
                Some(wanted.to_owned()),
                Some(period),
                Rejection::MissingKeySet,
                None,
            );
        }
        outcome
    }

    /// Stores validated material unless it would replace better material: a half missing
    /// from the new set is kept from the old one when both have the same UID, and the result
    /// must hold at least as many valid halves as before. True when stored. Raises
    /// [`Event::KeyMaterialReady`] for a complete set, [`Event::KeyMaterialPartial`] for half.
    fn store_material(&mut self, mut new: KeyMaterial) -> bool {
        let key = (new.set.user_uri.clone(), new.period);
        if let Some(old) = self.materials.get_mut(&key) {
            let score = |m: &KeyMaterial| u8::from(m.can_sign()) + u8::from(m.can_decrypt());
            let same_uid = old.uid == new.uid;
            let take_signer = same_uid && new.signer.is_none() && old.signer.is_some();
            let take_receiver = same_uid && new.receiver.is_none() && old.receiver.is_some();
            if score(&new) + u8::from(take_signer) + u8::from(take_receiver) < score(old) {
                return false;
            }
            if take_signer {
                new.signer = old.signer.take();
                new.set.ssk = old.set.ssk.clone();
                new.set.pvt = old.set.pvt.clone();
            }
            if take_receiver {
                new.receiver = old.receiver.take();
                new.set.rsk = old.set.rsk.clone();
            }
        }
        self.set_material(new);
        true
    }
}

/// What a KeyProv answer changed beyond the stored material.
struct KeyProvOutcome {
    /// The client started following another period numbering.
    numbering_changed: bool,
}

/// [`Event::KeyMaterialReady`] for a complete set, [`Event::KeyMaterialPartial`] for half of
/// one: what live provisioning and import report for installed material.
pub(crate) fn material_event(cert: &Certificate, material: &KeyMaterial) -> Event {
    let (start, end) = cert.period_bounds(material.period).unwrap_or((0, 0));
    let identity = material.set.user_uri.clone();
    let (period, kms_period_no) = (material.period, material.set.key_period_no);
    let (can_sign, can_decrypt) = (material.can_sign(), material.can_decrypt());
    if material.is_complete() {
        Event::KeyMaterialReady {
            identity,
            period,
            kms_period_no,
            start,
            end,
            can_sign,
            can_decrypt,
        }
    } else {
        Event::KeyMaterialPartial {
            identity,
            period,
            kms_period_no,
            start,
            end,
            can_sign,
            can_decrypt,
        }
    }
}
