//! Request handling: bearer tokens, the TS 33.180 Annex D paths, issuance, and the
//! misbehaviour modes tests switch on.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use mcptt_kmc::Error;
use mcptt_kmc::domain::ntp_seconds_in_era;
use mcptt_kmc::kms::issue::KmsDomain;
use mcptt_kmc::kms::message::{
    CertificateRole, KmsCertificate, KmsErrorInfo, KmsKeySet, KmsPayload, KmsResponse,
};
use mcptt_kmc::kms::{KRR_CONTENT_TYPE, Kms, KmsRedirect};
use mcptt_kmc::time::NTP_UNIX_OFFSET;
use percent_encoding::percent_decode_str;
use zeroize::Zeroizing;

use crate::codec;

/// The largest request body accepted, in octets (1 MiB); larger bodies get HTTP 413.
pub const MAX_BODY: usize = 1 << 20;
/// How much of a too-large body is read and discarded before answering 413 (16 MiB).
const MAX_DRAINED: usize = 16 << 20;
/// Every KMS resource is under this path (TS 33.180 D.2.1).
const KMS_ROOT: &str = "/keymanagement/identity/v1/";
/// The runtime control resources (not part of TS 33.180).
const CONTROL_ROOT: &str = "/control/";

/// A misbehaviour, set with `--misbehave` and `POST /control/misbehave`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Behave.
    None,
    /// Key sets carry the UserID of the next key period.
    WrongUid,
    /// Key sets say Revoked true.
    Revoked,
    /// Key sets have a ValidTo in the past.
    Expired,
    /// Key sets carry SSK + 1 (fails RFC 6507 5.1.2).
    BadSsk,
    /// Key sets carry the RSK of another identity (fails RFC 6508 6.1.2).
    BadRsk,
    /// Regenerate the master secrets now; the mode then returns to `None`.
    Rekey,
    /// Every init arms a rekey that happens before the next keyprov.
    RekeyAfterInit,
    /// HTTP 401 for every KMS request, whatever the token.
    Http401,
    /// HTTP 500 for every KMS request.
    Http500,
    /// HTTP 200 with a KmsError body (ErrorCode 500) for every KMS request.
    KmsError,
    /// This HTTP status (4xx/5xx) with a KmsError body (ErrorCode = the status) for every KMS
    /// request.
    KmsErrorStatus(u16),
    /// Every KeyProv answer holds two key sets: the period asked and the next one (TS 33.180
    /// D.3 allows several).
    TwoSets,
    /// Delay every KMS answer by this many milliseconds.
    Slow(u64),
    /// Every partner certificate of the cache says Revoked true (also those read later), and
    /// CacheNum goes up once. Revocation lasts until the server stops: another mode does not
    /// undo it.
    PartnerRevoked,
    /// A keyprov for a URI the token may not ask for is answered HTTP 403 with a KMS Redirect
    /// Response (TS 33.180 D.4) naming the partner KMS URIs as acceptable for that receiver.
    Krr,
}

impl FromStr for Mode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mode = match s.trim() {
            "none" => Self::None,
            "wrong-uid" => Self::WrongUid,
            "revoked" => Self::Revoked,
            "expired" => Self::Expired,
            "bad-ssk" => Self::BadSsk,
            "bad-rsk" => Self::BadRsk,
            "rekey" => Self::Rekey,
            "rekey-after-init" => Self::RekeyAfterInit,
            "http-401" => Self::Http401,
            "http-500" => Self::Http500,
            "kms-error" => Self::KmsError,
            "two-sets" => Self::TwoSets,
            "partner-revoked" => Self::PartnerRevoked,
            "krr" => Self::Krr,
            other => match (
                other.strip_prefix("slow=").map(str::parse),
                other.strip_prefix("kms-error=").map(str::parse::<u16>),
            ) {
                (Some(Ok(ms)), _) => Self::Slow(ms),
                (_, Some(Ok(status))) if (400..=599).contains(&status) => {
                    Self::KmsErrorStatus(status)
                }
                _ => {
                    return Err(format!(
                        "unknown mode {other:?} (none, wrong-uid, revoked, expired, bad-ssk, \
                         bad-rsk, rekey, rekey-after-init, http-401, http-500, kms-error, \
                         kms-error=<400-599>, two-sets, partner-revoked, krr, slow=<ms>)"
                    ));
                }
            },
        };
        Ok(mode)
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::None => "none",
            Self::WrongUid => "wrong-uid",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
            Self::BadSsk => "bad-ssk",
            Self::BadRsk => "bad-rsk",
            Self::Rekey => "rekey",
            Self::RekeyAfterInit => "rekey-after-init",
            Self::Http401 => "http-401",
            Self::Http500 => "http-500",
            Self::KmsError => "kms-error",
            Self::TwoSets => "two-sets",
            Self::PartnerRevoked => "partner-revoked",
            Self::Krr => "krr",
            Self::KmsErrorStatus(status) => return write!(f, "kms-error={status}"),
            Self::Slow(ms) => return write!(f, "slow={ms}"),
        };
        f.write_str(name)
    }
}

/// A user known by its bearer token: its own URI and the extra identities (groups, a GMS)
/// it may ask keys for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// The user URI: UserUri of every response to this token, and the identity of `keyprov`.
    pub uri: String,
    /// Other URIs this token may name in `keyprov/<URI>`.
    pub extra: Vec<String>,
}

impl User {
    fn may_ask_for(&self, uri: &str) -> bool {
        self.uri == uri || self.extra.iter().any(|e| e == uri)
    }
}

/// Parses `<token>=<uri>[,<extra-uri>...]`.
pub fn parse_user(arg: &str) -> Result<(String, User), String> {
    let (token, uris) = arg
        .split_once('=')
        .ok_or_else(|| "expected <token>=<uri>[,<extra-uri>...]".to_owned())?;
    if token.is_empty() || token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the token must be non-empty, without spaces".into());
    }
    let mut uris = uris.split(',').map(str::to_owned);
    let uri = uris.next().unwrap_or_default();
    let extra: Vec<String> = uris.collect();
    if uri.is_empty() || extra.iter().any(String::is_empty) {
        return Err("empty user URI".into());
    }
    Ok((token.to_owned(), User { uri, extra }))
}

/// How key period numbers are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodBase {
    /// From the NTP epoch, as TS 33.180 F.2.1 says: n = floor((t_ntp - offset) / period).
    Ntp,
    /// From the Unix epoch, as some KMSs do: n = floor((t_unix - offset) / period).
    Unix,
}

/// What does not change while the server runs.
pub struct Config {
    /// KmsUri, UserKeyPeriod, UserKeyOffset, identifier encoding, CertUri.
    pub domain: KmsDomain,
    /// The period numbering.
    pub period_base: PeriodBase,
    /// Bearer token -> user.
    pub users: HashMap<String, User>,
    /// The token `/control/*` requires, if any.
    pub control_token: Option<String>,
    /// Files of partner-domain certificates served in the cache (`--partner-certificate`).
    pub partner_certificates: Vec<PathBuf>,
}

/// The partner-domain certificates the cache serves (TS 33.180 D.3.4), Role External.
struct PartnerCache {
    /// CacheNum: 0 while no partner certificate is known, then one more at each change (the
    /// certificates of one or more files read, a revocation).
    num: u64,
    /// One slot per `--partner-certificate` file, in order, filled once the file was read.
    certificates: Vec<Option<KmsCertificate>>,
    /// Set by `partner-revoked`: every partner certificate, also one read later, is Revoked.
    revoked: bool,
}

/// What tests change at run time.
struct Dynamic {
    kms: Arc<Kms>,
    mode: Mode,
    /// Seconds added to the system clock.
    time_offset: i64,
    /// Set by init in `RekeyAfterInit` mode: rekey before the next keyprov.
    rekey_armed: bool,
    /// The partner certificates and CacheNum.
    cache: PartnerCache,
}

/// The server state shared by all connections.
pub struct Server {
    config: Config,
    state: Mutex<Dynamic>,
}

type HttpResponse = Response<Full<Bytes>>;

/// The log details of one request (never a token or a key).
#[derive(Default)]
struct Note {
    user: Option<String>,
    detail: Option<String>,
}

/// A parsed KMS resource path.
#[derive(Debug, PartialEq, Eq)]
enum Resource {
    Init,
    KeyProv {
        uri: Option<String>,
        /// NTP seconds (upper 32 bits of the 64-bit timestamp).
        ntp_time: Option<u64>,
    },
    CertCache {
        /// The CacheNum the client holds (`certcache/<CacheNum>`), if it named one.
        held: Option<u64>,
    },
}

/// Why a path is not a KMS resource.
#[derive(Debug, PartialEq, Eq)]
enum PathError {
    NotFound,
    BadRequest(&'static str),
}

/// The XML text, zeroized when hyper drops the body (its write buffer and TLS keep copies).
struct SecretText(Zeroizing<String>);

impl AsRef<[u8]> for SecretText {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl Server {
    /// A server with fresh master secrets. `mode` `Rekey` at start is the same as `None`.
    pub fn new(config: Config, mode: Mode) -> Result<Self, Error> {
        let kms = Arc::new(Kms::generate()?);
        let mode = if mode == Mode::Rekey {
            Mode::None
        } else {
            mode
        };
        let cache = PartnerCache {
            num: 0,
            certificates: vec![None; config.partner_certificates.len()],
            revoked: mode == Mode::PartnerRevoked,
        };
        Ok(Self {
            config,
            state: Mutex::new(Dynamic {
                kms,
                mode,
                time_offset: 0,
                rekey_armed: false,
                cache,
            }),
        })
    }

    /// The `KmsResponse` of an `init` (the Root certificate), with an empty UserUri and the
    /// init URL under `local`: what `--certificate-out` writes for a partner KMS to serve.
    pub fn certificate_document(&self, local: SocketAddr) -> Zeroizing<String> {
        let kms = Arc::clone(&self.state().kms);
        let certificate = kms.certificate(&self.config.domain);
        codec::emit_response(&self.envelope(
            "",
            format!("https://{local}{KMS_ROOT}init"),
            KmsPayload::Init(certificate),
        ))
    }

    /// Reads the partner certificate files not read yet; a file that does not exist yet is
    /// left for later (the partner KMS may not have written it). CacheNum goes up once if any
    /// file was read. Returns the problems (a file that exists but is not a certificate), for
    /// the log; such a file is tried again next time.
    pub fn load_partner_certificates(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut state = self.state();
        let cache = &mut state.cache;
        let mut changed = false;
        for (slot, path) in cache
            .certificates
            .iter_mut()
            .zip(&self.config.partner_certificates)
        {
            if slot.is_some() {
                continue;
            }
            let bytes = match std::fs::read(path) {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    problems.push(format!("cannot read {}: {e}", path.display()));
                    continue;
                }
            };
            match codec::parse_certificate(&bytes) {
                Ok(mut certificate) => {
                    certificate.role = CertificateRole::External;
                    certificate.revoked |= cache.revoked;
                    *slot = Some(certificate);
                    changed = true;
                }
                Err(why) => problems.push(format!("{}: {why}", path.display())),
            }
        }
        if changed {
            cache.num = cache.num.saturating_add(1);
        }
        problems
    }

    /// `partner-revoked`: every partner certificate says Revoked from now on; CacheNum goes up
    /// if one of them did not already.
    fn revoke_partners(&self) {
        let mut state = self.state();
        let cache = &mut state.cache;
        cache.revoked = true;
        let mut changed = false;
        for certificate in cache.certificates.iter_mut().flatten() {
            changed |= !certificate.revoked;
            certificate.revoked = true;
        }
        if changed {
            cache.num = cache.num.saturating_add(1);
        }
    }

    /// Mode `krr`: HTTP 403 with a KMS Redirect Response whose acceptable receiver KMS URIs
    /// are those of the partner certificates not revoked (`None` when there is none). The
    /// KRR is unsigned: a test double of the SIP 488 body, served over HTTP for convenience.
    fn redirect(&self, user: &User, receiver: &str, note: &mut Note) -> Option<HttpResponse> {
        self.load_partner_certificates();
        let uris: Vec<String> = {
            let state = self.state();
            let mut uris: Vec<String> = Vec::new();
            for certificate in state.cache.certificates.iter().flatten() {
                if !certificate.revoked && !uris.contains(&certificate.kms_uri) {
                    uris.push(certificate.kms_uri.clone());
                }
            }
            uris
        };
        if uris.is_empty() {
            return None;
        }
        let krr = KmsRedirect {
            initiator_uri: user.uri.clone(),
            receiver_uri: receiver.to_owned(),
            processor_uri: Some(self.config.domain.kms_uri.clone()),
            time: Some(self.now()),
            initiator_kms_uri: Some(self.config.domain.kms_uri.clone()),
            receiver_kms_uri: Some(self.config.domain.kms_uri.clone()),
            acceptable_initiator_kms_uris: Vec::new(),
            acceptable_receiver_kms_uris: uris,
            embedded: None,
        };
        note.detail = Some(format!(
            "not allowed: {receiver}; KRR to {}",
            krr.acceptable_receiver_kms_uris.join(" ")
        ));
        let mut response = Response::new(Full::new(Bytes::from(codec::emit_krr(&krr))));
        *response.status_mut() = StatusCode::FORBIDDEN;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(KRR_CONTENT_TYPE),
        );
        Some(response)
    }

    /// `certcache[/<held>]` (TS 33.180 D.2, D.3.4): the current CacheNum and every partner
    /// certificate, or no certificate when the client already holds the current CacheNum.
    fn cert_cache(
        &self,
        user: &User,
        url: String,
        held: Option<u64>,
        note: &mut Note,
    ) -> HttpResponse {
        let problems = self.load_partner_certificates();
        let (num, certificates) = {
            let state = self.state();
            let certificates: Vec<KmsCertificate> =
                state.cache.certificates.iter().flatten().cloned().collect();
            (state.cache.num, certificates)
        };
        let certificates = if held == Some(num) {
            Vec::new()
        } else {
            certificates
        };
        let mut detail = format!("CacheNum {num}, {} certificates", certificates.len());
        for problem in problems {
            detail.push_str("; ");
            detail.push_str(&problem);
        }
        note.detail = Some(detail);
        self.xml(
            StatusCode::OK,
            &user.uri,
            url,
            KmsPayload::CertCache {
                cache_num: num,
                certificates,
            },
        )
    }

    fn state(&self) -> MutexGuard<'_, Dynamic> {
        // A panic while holding the lock leaves consistent data: keep serving.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The server clock: Unix seconds plus the test offset.
    fn now(&self) -> i64 {
        let system = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        system.saturating_add(self.state().time_offset)
    }

    /// The key period number of Unix time `unix_s` on the configured base.
    fn period_at(&self, unix_s: i64) -> Option<u64> {
        let domain = &self.config.domain;
        match self.config.period_base {
            PeriodBase::Ntp => domain.key_period_for(unix_s),
            PeriodBase::Unix => u64::try_from(unix_s)
                .ok()?
                .checked_sub(domain.user_key_offset)?
                .checked_div(domain.user_key_period),
        }
    }

    /// ValidFrom / ValidTo of period `n` on the configured base, Unix seconds.
    fn period_bounds(&self, n: u64) -> (Option<i64>, Option<i64>) {
        let domain = &self.config.domain;
        match self.config.period_base {
            PeriodBase::Ntp => domain.period_bounds_unix(n),
            PeriodBase::Unix => {
                let at = |k: Option<u64>| {
                    k.and_then(|k| k.checked_mul(domain.user_key_period))
                        .and_then(|s| s.checked_add(domain.user_key_offset))
                        .and_then(|s| i64::try_from(s).ok())
                };
                (at(Some(n)), at(n.checked_add(1)))
            }
        }
    }

    /// Handles one request and logs one line for it on stderr.
    pub async fn handle(
        self: Arc<Self>,
        req: Request<Incoming>,
        peer: SocketAddr,
        local: SocketAddr,
    ) -> HttpResponse {
        let started = Instant::now();
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        let mut note = Note::default();
        let response = if path.starts_with(CONTROL_ROOT) {
            self.control(req, &mut note).await
        } else {
            let mode = self.state().mode;
            if let Mode::Slow(ms) = mode {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            self.kms_request(req, local, &mut note).await
        };
        let status = response.status().as_u16();
        let ms = started.elapsed().as_millis();
        eprintln!("{}", log_line(peer, &method, &path, status, ms, &note));
        response
    }

    /// `/keymanagement/...` and anything else that is not `/control/`.
    async fn kms_request(
        &self,
        req: Request<Incoming>,
        local: SocketAddr,
        note: &mut Note,
    ) -> HttpResponse {
        if req.method() != Method::POST {
            let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "only POST\n");
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return response;
        }
        if declared_length(req.headers()).is_some_and(|n| n > MAX_DRAINED as u64) {
            return text(StatusCode::PAYLOAD_TOO_LARGE, "request body over 1 MiB\n");
        }
        let user = match bearer_token(req.headers()) {
            Some(token) => match self.config.users.get(token) {
                Some(user) => user.clone(),
                None => return unauthorized(Some("invalid_token")),
            },
            None => return unauthorized(None),
        };
        note.user = Some(user.uri.clone());
        let url = client_req_url(&req, local);

        let mode = self.state().mode;
        match mode {
            Mode::Http401 => return unauthorized(Some("invalid_token")),
            Mode::Http500 => return text(StatusCode::INTERNAL_SERVER_ERROR, "misbehaving\n"),
            _ => {}
        }

        let path = req.uri().path().to_owned();
        let body = match read_body(req.into_body()).await {
            Ok(body) => body,
            Err(status) => return text(status, "unreadable or too large body\n"),
        };

        let resource = match parse_path(&path) {
            Ok(resource) => resource,
            Err(PathError::NotFound) => {
                return self.error(StatusCode::NOT_FOUND, &user.uri, url, 404, "not found");
            }
            Err(PathError::BadRequest(why)) => {
                note.detail = Some(why.into());
                return self.error(StatusCode::BAD_REQUEST, &user.uri, url, 400, why);
            }
        };

        if !body.trim_ascii().is_empty() {
            match codec::parse_request(&body) {
                Ok(request) => {
                    if request.user_uri != user.uri || request.kms_uri != self.config.domain.kms_uri
                    {
                        note.detail = Some(format!(
                            "KmsRequest names UserUri {:?} KmsUri {:?}",
                            request.user_uri, request.kms_uri
                        ));
                    }
                }
                Err(why) => {
                    note.detail = Some(format!("malformed KmsRequest: {why}"));
                    return self.error(
                        StatusCode::BAD_REQUEST,
                        &user.uri,
                        url,
                        400,
                        "malformed KmsRequest",
                    );
                }
            }
        }

        if mode == Mode::KmsError {
            return self.error(StatusCode::OK, &user.uri, url, 500, "internal error");
        }
        if let Mode::KmsErrorStatus(code) = mode {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return self.error(
                status,
                &user.uri,
                url,
                i64::from(code),
                "temporarily refused",
            );
        }

        match resource {
            Resource::Init => self.init(&user, url, mode),
            Resource::CertCache { held } => self.cert_cache(&user, url, held, note),
            Resource::KeyProv { uri, ntp_time } => {
                let identity = uri.unwrap_or_else(|| user.uri.clone());
                if !user.may_ask_for(&identity) {
                    note.detail = Some(format!("not allowed: {identity}"));
                    if mode == Mode::Krr {
                        if let Some(response) = self.redirect(&user, &identity, note) {
                            return response;
                        }
                    }
                    return self.error(StatusCode::FORBIDDEN, &user.uri, url, 403, "forbidden");
                }
                self.keyprov(&user, identity, ntp_time, url, mode, note)
                    .await
            }
        }
    }

    fn init(&self, user: &User, url: String, mode: Mode) -> HttpResponse {
        let kms = {
            let mut state = self.state();
            if mode == Mode::RekeyAfterInit {
                state.rekey_armed = true;
            }
            Arc::clone(&state.kms)
        };
        let certificate = kms.certificate(&self.config.domain);
        self.xml(
            StatusCode::OK,
            &user.uri,
            url,
            KmsPayload::Init(certificate),
        )
    }

    async fn keyprov(
        &self,
        user: &User,
        identity: String,
        ntp_time: Option<u64>,
        url: String,
        mode: Mode,
        note: &mut Note,
    ) -> HttpResponse {
        let now = self.now();
        let at = match ntp_time {
            Some(ntp) => i64::try_from(ntp).unwrap_or(i64::MAX) - NTP_UNIX_OFFSET as i64,
            None => now,
        };
        let Some(n) = self.period_at(at) else {
            note.detail = Some("no key period at that time".into());
            return self.error(
                StatusCode::BAD_REQUEST,
                &user.uri,
                url,
                400,
                "no key period at that time",
            );
        };

        let armed = std::mem::take(&mut self.state().rekey_armed);
        let kms = if armed {
            match tokio::task::spawn_blocking(Kms::generate).await {
                Ok(Ok(kms)) => {
                    let kms = Arc::new(kms);
                    self.state().kms = Arc::clone(&kms);
                    kms
                }
                _ => {
                    return self.error(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        &user.uri,
                        url,
                        500,
                        "rekey failed",
                    );
                }
            }
        } else {
            Arc::clone(&self.state().kms)
        };

        let domain = self.config.domain.clone();
        let periods: Vec<(u64, (Option<i64>, Option<i64>))> = if mode == Mode::TwoSets {
            [Some(n), n.checked_add(1)]
                .into_iter()
                .flatten()
                .map(|k| (k, self.period_bounds(k)))
                .collect()
        } else {
            vec![(n, self.period_bounds(n))]
        };
        let issue_uri = identity.clone();
        let issued = tokio::task::spawn_blocking(move || {
            periods
                .into_iter()
                .map(|(k, bounds)| issue(&kms, &domain, &issue_uri, k, bounds, mode, now))
                .collect::<Result<Vec<_>, _>>()
        })
        .await;
        let detail = format!(
            "{identity} KeyPeriodNo {n}{}",
            if armed { " rekeyed" } else { "" }
        );
        note.detail = Some(if mode == Mode::None {
            detail
        } else {
            format!("{detail} mode {mode}")
        });
        match issued {
            Ok(Ok(sets)) => self.xml(StatusCode::OK, &user.uri, url, KmsPayload::KeyProv(sets)),
            _ => self.error(
                StatusCode::INTERNAL_SERVER_ERROR,
                &user.uri,
                url,
                500,
                "issuance failed",
            ),
        }
    }

    /// `/control/misbehave` and `/control/time-offset`.
    async fn control(&self, req: Request<Incoming>, note: &mut Note) -> HttpResponse {
        if let Some(expected) = &self.config.control_token {
            if bearer_token(req.headers()) != Some(expected.as_str()) {
                return text(StatusCode::FORBIDDEN, "control token required\n");
            }
        }
        if req.method() != Method::POST {
            let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "only POST\n");
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return response;
        }
        let path = req.uri().path().to_owned();
        let body = match read_body(req.into_body()).await {
            Ok(body) => body,
            Err(status) => return text(status, "unreadable or too large body\n"),
        };
        let Ok(body) = std::str::from_utf8(&body) else {
            return text(StatusCode::BAD_REQUEST, "body is not UTF-8\n");
        };
        match &path[CONTROL_ROOT.len()..] {
            "misbehave" => match body.parse::<Mode>() {
                Ok(Mode::Rekey) => match tokio::task::spawn_blocking(Kms::generate).await {
                    Ok(Ok(kms)) => {
                        let mut state = self.state();
                        state.kms = Arc::new(kms);
                        state.mode = Mode::None;
                        state.rekey_armed = false;
                        note.detail = Some("rekeyed, mode none".into());
                        text(StatusCode::OK, "rekeyed; mode none\n")
                    }
                    _ => text(StatusCode::INTERNAL_SERVER_ERROR, "rekey failed\n"),
                },
                Ok(mode) => {
                    if mode == Mode::PartnerRevoked {
                        self.revoke_partners();
                    }
                    let mut state = self.state();
                    state.mode = mode;
                    state.rekey_armed = false;
                    note.detail = Some(format!("mode {mode}"));
                    text(StatusCode::OK, &format!("mode {mode}\n"))
                }
                Err(why) => text(StatusCode::BAD_REQUEST, &format!("{why}\n")),
            },
            "time-offset" => match body.trim().parse::<i64>() {
                Ok(offset) => {
                    self.state().time_offset = offset;
                    note.detail = Some(format!("time offset {offset} s"));
                    text(StatusCode::OK, &format!("time-offset {offset}\n"))
                }
                Err(_) => text(
                    StatusCode::BAD_REQUEST,
                    "expected a signed number of seconds\n",
                ),
            },
            _ => text(StatusCode::NOT_FOUND, "unknown control resource\n"),
        }
    }

    fn envelope(&self, user_uri: &str, url: String, payload: KmsPayload) -> KmsResponse {
        KmsResponse {
            user_uri: user_uri.to_owned(),
            kms_uri: self.config.domain.kms_uri.clone(),
            time: Some(self.now()),
            kms_id: None,
            client_req_url: url,
            payload,
        }
    }

    fn xml(
        &self,
        status: StatusCode,
        user_uri: &str,
        url: String,
        payload: KmsPayload,
    ) -> HttpResponse {
        let document = codec::emit_response(&self.envelope(user_uri, url, payload));
        let mut response = Response::new(Full::new(Bytes::from_owner(SecretText(document))));
        *response.status_mut() = status;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml"),
        );
        response
    }

    fn error(
        &self,
        status: StatusCode,
        user_uri: &str,
        url: String,
        code: i64,
        message: &str,
    ) -> HttpResponse {
        let payload = KmsPayload::Error(KmsErrorInfo {
            code,
            message: message.to_owned(),
        });
        self.xml(status, user_uri, url, payload)
    }
}

/// Issues the key set and applies the key-set misbehaviours.
fn issue(
    kms: &Kms,
    domain: &KmsDomain,
    uri: &str,
    n: u64,
    (valid_from, valid_to): (Option<i64>, Option<i64>),
    mode: Mode,
    now: i64,
) -> Result<KmsKeySet, Error> {
    let mut set = kms.issue_key_set(domain, uri, n)?;
    set.valid_from = valid_from;
    set.valid_to = valid_to;
    match mode {
        Mode::WrongUid => {
            let other = n.checked_add(1).unwrap_or_else(|| n - 1);
            set.user_id = domain.uid(uri, other)?;
        }
        Mode::Revoked => set.revoked = true,
        Mode::Expired => {
            let period = i64::try_from(domain.user_key_period).unwrap_or(i64::MAX);
            set.valid_to = Some(now.saturating_sub(1));
            set.valid_from = Some(now.saturating_sub(1).saturating_sub(period));
        }
        Mode::BadSsk => {
            // SSK + 1, big-endian, carrying.
            for byte in set.ssk.iter_mut().rev() {
                let (sum, carry) = byte.overflowing_add(1);
                *byte = sum;
                if !carry {
                    break;
                }
            }
        }
        Mode::BadRsk => {
            let other = domain.identifier(&format!("{uri}.other"), n)?;
            set.rsk = Zeroizing::new(kms.issue_sakke(&other)?.to_vec());
        }
        _ => {}
    }
    Ok(set)
}

/// The log line of one request. The path, the user and the detail come from the client (a
/// percent-decoded path segment may hold any character): each is escaped and bounded by
/// [`log_text`], so a request cannot forge or hide log lines.
fn log_line(
    peer: SocketAddr,
    method: &hyper::Method,
    path: &str,
    status: u16,
    ms: u128,
    note: &Note,
) -> String {
    let mut line = format!(
        "reference-kms: {peer} {method} {} -> {status} ({ms} ms)",
        log_text(path)
    );
    if let Some(user) = &note.user {
        line.push_str(&format!(" user={}", log_text(user)));
    }
    if let Some(detail) = &note.detail {
        line.push_str(&format!(" [{}]", log_text(detail)));
    }
    line
}

/// Characters of client text written to the log at most.
const MAX_LOG_TEXT_CHARS: usize = 200;

/// `text` for the log: control characters (C0, DEL, C1 such as U+0085 and U+009B), bidi
/// controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) and the backslash written
/// as `\u{..}` escapes, at most [`MAX_LOG_TEXT_CHARS`] characters, then `...`.
fn log_text(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == MAX_LOG_TEXT_CHARS {
            out.push_str("...");
            break;
        }
        let bidi = matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if c.is_control() || bidi || c == '\\' {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// Parses the path under `/keymanagement/identity/v1/`.
fn parse_path(path: &str) -> Result<Resource, PathError> {
    let rest = path.strip_prefix(KMS_ROOT).ok_or(PathError::NotFound)?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let mut segments = rest.split('/');
    let resource = match (segments.next(), segments.next(), segments.next()) {
        (Some("init"), None, _) => Resource::Init,
        (Some("certcache"), held, None) => Resource::CertCache {
            held: held.map(parse_cache_num).transpose()?,
        },
        (Some("keyprov"), uri, time) => {
            let uri = match uri {
                Some(segment) => Some(
                    percent_decode_str(segment)
                        .decode_utf8()
                        .map_err(|_| PathError::BadRequest("URI is not UTF-8"))?
                        .into_owned(),
                ),
                None => None,
            };
            if uri.as_deref() == Some("") {
                return Err(PathError::BadRequest("empty URI"));
            }
            let ntp_time = time.map(parse_ntp_hex).transpose()?;
            Resource::KeyProv { uri, ntp_time }
        }
        _ => return Err(PathError::NotFound),
    };
    if segments.next().is_some() {
        return Err(PathError::NotFound);
    }
    Ok(resource)
}

/// The CacheNum of `certcache/<CacheNum>`: decimal digits only, at most 2^32 - 1 (the range
/// the XML codec reads).
fn parse_cache_num(segment: &str) -> Result<u64, PathError> {
    const BAD: PathError = PathError::BadRequest("CacheNum is not a decimal number below 2^32");
    if segment.is_empty() || segment.len() > 10 || !segment.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BAD);
    }
    let num: u64 = segment.parse().map_err(|_| BAD)?;
    if num > u64::from(u32::MAX) {
        return Err(BAD);
    }
    Ok(num)
}

/// NTP seconds of a 64-bit NTP timestamp in 16 hex digits (either case). The timestamp
/// carries the seconds modulo 2^32 (RFC 5905 eras): they are placed in 1968-2036 or
/// 2036-2104 by RFC 4330 section 3's rule.
fn parse_ntp_hex(segment: &str) -> Result<u64, PathError> {
    const BAD: PathError = PathError::BadRequest("time is not 16 hex digits");
    if segment.len() != 16 || !segment.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(BAD);
    }
    let timestamp = u64::from_str_radix(segment, 16).map_err(|_| BAD)?;
    let seconds = u32::try_from(timestamp >> 32).map_err(|_| BAD)?;
    Ok(ntp_seconds_in_era(seconds))
}

/// The token of `Authorization: Bearer <token>` (scheme case-insensitive, RFC 6750 2.1).
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// `https://<Host><path>` of the request, with the listening address when Host is missing.
fn client_req_url<B>(req: &Request<B>, local: SocketAddr) -> String {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map_or_else(|| local.to_string(), str::to_owned);
    let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
    format!("https://{host}{path}")
}

/// Reads a body of at most [`MAX_BODY`] octets. A larger one is read on and discarded up to
/// [`MAX_DRAINED`] octets before the 413, so that the client, still sending, gets to read the
/// answer (closing a socket with unread data resets the connection).
async fn read_body(mut body: Incoming) -> Result<Bytes, StatusCode> {
    let mut data = Vec::new();
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| StatusCode::BAD_REQUEST)?;
        if let Ok(chunk) = frame.into_data() {
            total = total.saturating_add(chunk.len());
            if total > MAX_DRAINED {
                break;
            }
            if total <= MAX_BODY {
                data.extend_from_slice(&chunk);
            }
        }
    }
    if total > MAX_BODY {
        Err(StatusCode::PAYLOAD_TOO_LARGE)
    } else {
        Ok(Bytes::from(data))
    }
}

fn text(status: StatusCode, body: &str) -> HttpResponse {
    let mut response = Response::new(Full::new(Bytes::from(body.to_owned())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// HTTP 401 with the RFC 6750 3 challenge.
fn unauthorized(error: Option<&str>) -> HttpResponse {
    let challenge = match error {
        Some(error) => format!("Bearer realm=\"reference-kms\", error=\"{error}\""),
        None => "Bearer realm=\"reference-kms\"".to_owned(),
    };
    let mut response = text(StatusCode::UNAUTHORIZED, "bearer token required\n");
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A percent-decoded path segment reaches the log as the user or the detail: ESC and LF
    /// in it forged log lines. Every client text is escaped and bounded.
    #[test]
    fn client_text_cannot_forge_log_lines() {
        let forged =
            "sip:a\n2026-01-01 reference-kms: 127.0.0.1 admin login \u{1b}[2J\u{85}\u{202e}x";
        let note = Note {
            user: Some(forged.into()),
            detail: Some(format!("not allowed: {forged}")),
        };
        let peer: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let line = log_line(
            peer,
            &hyper::Method::POST,
            "/keymanagement/a%0Ab",
            403,
            1,
            &note,
        );
        assert!(!line.chars().any(|c| c.is_control()), "{line:?}");
        assert!(!line.contains('\u{202e}'));
        assert!(line.contains("sip:a\\u{a}2026"), "{line}");
        assert!(line.contains("\\u{1b}[2J"), "{line}");
        let long = "x".repeat(1000);
        assert_eq!(log_text(&long).chars().count(), MAX_LOG_TEXT_CHARS + 3);
        assert_eq!(log_text("a\\b"), "a\\u{5c}b");
    }

    #[test]
    fn modes_round_trip() {
        for name in [
            "none",
            "wrong-uid",
            "revoked",
            "expired",
            "bad-ssk",
            "bad-rsk",
            "rekey",
            "rekey-after-init",
            "http-401",
            "http-500",
            "kms-error",
            "kms-error=400",
            "kms-error=503",
            "two-sets",
            "partner-revoked",
            "krr",
            "slow=250",
        ] {
            let mode: Mode = name.parse().unwrap();
            assert_eq!(mode.to_string(), name);
        }
        assert_eq!(" revoked\n".parse::<Mode>(), Ok(Mode::Revoked));
        assert!("slow=".parse::<Mode>().is_err());
        assert!("slow=-1".parse::<Mode>().is_err());
        assert!("bogus".parse::<Mode>().is_err());
        assert!("kms-error=200".parse::<Mode>().is_err());
        assert!("kms-error=600".parse::<Mode>().is_err());
    }

    #[test]
    fn users_parse() {
        let (token, user) = parse_user("t1=sip:alice@example.org,sip:g1@example.org").unwrap();
        assert_eq!(token, "t1");
        assert_eq!(user.uri, "sip:alice@example.org");
        assert_eq!(user.extra, ["sip:g1@example.org"]);
        assert!(user.may_ask_for("sip:g1@example.org"));
        assert!(!user.may_ask_for("sip:bob@example.org"));
        let (_, plain) = parse_user("t=alice@org.com").unwrap();
        assert!(plain.extra.is_empty());
        for bad in ["t1", "=sip:a@b", "t1=", "t1=sip:a@b,", "t 1=sip:a@b"] {
            assert!(parse_user(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn paths_parse() {
        let p = |s: &str| parse_path(s);
        assert_eq!(p("/keymanagement/identity/v1/init"), Ok(Resource::Init));
        assert_eq!(p("/keymanagement/identity/v1/init/"), Ok(Resource::Init));
        assert_eq!(
            p("/keymanagement/identity/v1/keyprov"),
            Ok(Resource::KeyProv {
                uri: None,
                ntp_time: None
            })
        );
        assert_eq!(
            p("/keymanagement/identity/v1/keyprov/sip%3Auser%40example.org"),
            Ok(Resource::KeyProv {
                uri: Some("sip:user@example.org".into()),
                ntp_time: None
            })
        );
        for time in ["D6B4323200000000", "d6b4323200000000", "D6b43232FFFFFFFF"] {
            assert_eq!(
                p(&format!(
                    "/keymanagement/identity/v1/keyprov/sip:u@x/{time}"
                )),
                Ok(Resource::KeyProv {
                    uri: Some("sip:u@x".into()),
                    ntp_time: Some(0xD6B4_3232)
                })
            );
        }
        assert_eq!(
            p("/keymanagement/identity/v1/certcache/3"),
            Ok(Resource::CertCache { held: Some(3) })
        );
        assert_eq!(
            p("/keymanagement/identity/v1/certcache"),
            Ok(Resource::CertCache { held: None })
        );
        assert_eq!(
            p("/keymanagement/identity/v1/certcache/4294967295"),
            Ok(Resource::CertCache {
                held: Some(0xFFFF_FFFF)
            })
        );
        for bad in ["x", "-1", "+1", "1.0", "4294967296", "99999999999", "%31"] {
            assert!(
                matches!(
                    p(&format!("/keymanagement/identity/v1/certcache/{bad}")),
                    Err(PathError::BadRequest(_))
                ),
                "{bad}"
            );
        }
        // After 2036-02-07 the seconds wrap: a clear top bit is era 1 (RFC 4330).
        assert_eq!(
            p("/keymanagement/identity/v1/keyprov/sip:u@x/0000000500000000"),
            Ok(Resource::KeyProv {
                uri: Some("sip:u@x".into()),
                ntp_time: Some((1 << 32) + 5)
            })
        );
        for bad in ["D6B43232", "D6B432320000000G", "+6B4323200000000"] {
            assert!(matches!(
                p(&format!("/keymanagement/identity/v1/keyprov/sip:u@x/{bad}")),
                Err(PathError::BadRequest(_))
            ));
        }
        for missing in [
            "/",
            "/keymanagement/identity/v1/",
            "/keymanagement/identity/v1/nope",
            "/keymanagement/identity/v2/init",
            "/keymanagement/identity/v1/init/x",
            "/keymanagement/identity/v1/keyprov/a/D6B4323200000000/x",
        ] {
            assert_eq!(p(missing), Err(PathError::NotFound), "{missing}");
        }
    }

    #[test]
    fn bearer_tokens() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer_token(&headers), None);
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer abc"),
        );
        assert_eq!(bearer_token(&headers), Some("abc"));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer abc"),
        );
        assert_eq!(bearer_token(&headers), Some("abc"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer_token(&headers), None);
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(bearer_token(&headers), None);
    }

    fn server(base: PeriodBase) -> Server {
        let config = Config {
            domain: KmsDomain::new("kms.example.org", 100, 10),
            period_base: base,
            users: HashMap::new(),
            control_token: None,
            partner_certificates: Vec::new(),
        };
        Server::new(config, Mode::Rekey).unwrap()
    }

    #[test]
    fn period_bases() {
        let ntp = server(PeriodBase::Ntp);
        assert_eq!(ntp.state().mode, Mode::None);
        assert_eq!(ntp.period_at(0), Some((NTP_UNIX_OFFSET - 10) / 100));
        let unix = server(PeriodBase::Unix);
        assert_eq!(unix.period_at(5), None);
        assert_eq!(unix.period_at(10), Some(0));
        assert_eq!(unix.period_at(1_010), Some(10));
        assert_eq!(unix.period_bounds(10), (Some(1_010), Some(1_110)));
        let (from, to) = ntp.period_bounds(ntp.period_at(1_000_000).unwrap());
        assert!(from.unwrap() <= 1_000_000 && 1_000_000 < to.unwrap());
    }
}
