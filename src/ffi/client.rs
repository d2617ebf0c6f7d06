//! C API of the provisioning client (`mkc_client`, TS 33.180 Annex D), sans-IO: the app sends
//! the requests it is given over HTTPS, feeds back responses, failures and the time, and uses
//! the provisioned material through the client. A client is mutable: use it from one thread at
//! a time. Times are Unix seconds.

use std::ffi::c_char;

use zeroize::{Zeroize, Zeroizing};

use super::out::{OutBuf, OutVal};
use super::panic::{guard, guard_value};
use super::result::mkc_result;
use super::slice::{array, c_string, input, region, text, utf8, value};
use super::{Handle, borrow, borrow_mut, out_ptr, publish_mut, release};
use crate::client::{Client, ClientConfig, ClientError, Event, Output, Rejection};
use crate::uid::IdEncoding;

pub use super::slice::mkc_str;

/// The most key sets of one KeyProv answer the client accepts.
pub const MKC_CLIENT_MAX_KEY_SETS_PER_ANSWER: usize = 16;
// A literal for the header generator; the client's constant is the owner.
const _: () = assert!(MKC_CLIENT_MAX_KEY_SETS_PER_ANSWER == crate::client::MAX_KEY_SETS_PER_ANSWER);

/// Identifier encodings for `mkc_client_config.id_encoding`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mkc_id_encoding {
    /// The 32 UID octets, as TS 33.180 F.2.1 specifies (the default).
    RawUid = 0,
    /// The 64 lower-case hex digits of the UID (64 octets of ASCII), as one vendor's KMS does.
    HexUid = 1,
}

/// Configuration of `mkc_client_new`. Fill it with `mkc_client_config_init` first, then set
/// the fields you need. Strings are borrowed only during `mkc_client_new`.
#[repr(C)]
pub struct mkc_client_config {
    /// KMS base URL, e.g. `https://kms.example.org`; requests go to
    /// `<base>/keymanagement/identity/v1/...`. Must be https:// unless `allow_insecure_http`.
    pub kms_url: mkc_str,
    /// The user's URI (MCPTT ID), as the KMS writes it in `UserUri`.
    pub user_uri: mkc_str,
    /// Array of `extra_identity_count` further identities (functional aliases, GMS identity).
    pub extra_identities: *const mkc_str,
    /// Number of entries in `extra_identities`.
    pub extra_identity_count: usize,
    /// The `KmsUri` the certificate must carry; `(NULL, 0)` when not known in advance.
    pub expected_kms_uri: mkc_str,
    /// Seconds before a key period ends at which the next period is fetched. Default 86400.
    pub prefetch_s: u64,
    /// Seconds material is kept after its period ends, then erased. Default 3600.
    pub grace_s: u64,
    /// First retry delay in seconds, doubled per failure. Default 2.
    pub retry_initial_s: u64,
    /// Cap on the retry delay in seconds. Default 600.
    pub retry_max_s: u64,
    /// Attempts per request before `MKC_EVENT_KIND_RETRIES_EXHAUSTED`. Default 8.
    pub max_attempts: u32,
    /// A `mkc_id_encoding` value. Default `MKC_ID_ENCODING_RAW_UID`.
    pub id_encoding: u32,
    /// Non-zero accepts an http:// KMS URL. For tests only. Default 0.
    pub allow_insecure_http: u32,
}

/// What `mkc_client_poll_output` returned (`mkc_output.kind`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mkc_output_kind {
    /// Nothing to do until a response, a failure or a new access token arrives.
    None = 0,
    /// `mkc_output.request` is a request to send.
    Request = 1,
    /// `mkc_output.event` is an event.
    Event = 2,
    /// Nothing more now: poll again at `mkc_output.wake_up_at` (Unix seconds) or when a
    /// response arrives.
    WakeUp = 3,
}

/// Event kinds (`mkc_event.kind`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mkc_event_kind {
    /// A KMS certificate was validated and installed: `text` = its KmsUri, `changed` = 1 when
    /// it replaced one with other keys.
    CertificateInstalled = 1,
    /// A complete key set (SSK/PVT and RSK) is ready: `identity`, `period`, `kms_period_no`,
    /// `start`, `end`, `can_sign`, `can_decrypt`.
    KeyMaterialReady = 2,
    /// Material of `identity` for `period` passed its grace window and was erased.
    MaterialExpired = 3,
    /// The access token is missing or was refused (HTTP 401/403): call
    /// `mkc_client_set_access_token`.
    AccessTokenNeeded = 4,
    /// The KMS answered with a KmsError: `kms_error_code`, `text` = ErrorMsg.
    KmsError = 5,
    /// Received material was refused: `rejection`, `text` = why, `identity`/`period` when
    /// known (`has_period`). Stored material is unchanged.
    MaterialRejected = 6,
    /// The KMS numbers periods from the Unix epoch; the client follows it from now on:
    /// `period` (the TS 33.180 F.2.1 NTP-based number of the time asked), `kms_period_no`.
    PeriodMismatch = 7,
    /// `request_id` failed with `http_status` (0: transport failure); retried at `retry_at`.
    RequestFailed = 8,
    /// A request failed `max_attempts` times and is parked (`identity` empty for init) until
    /// `mkc_client_refresh`, a new access token, or the start of the next key period (an hour
    /// later while there is no certificate).
    RetriesExhausted = 9,
    /// Half a key set is stored (`identity`, `period`, `start`, `end`, `can_sign`,
    /// `can_decrypt`; the other half was refused): the valid half is used and the client
    /// keeps asking with the capped backoff until a complete set is installed.
    KeyMaterialPartial = 10,
    /// The certificate of a partner KMS domain (from the KMS's certificate cache, TS 33.180
    /// 5.2.7) was installed: `text` = its KmsUri, `changed` = 1 when it replaced one with
    /// other keys or a revoked one. MIKEY with users of that domain works from now on.
    PartnerCertificateInstalled = 11,
    /// The certificate of a partner KMS domain was removed: `text` = its KmsUri, `rejection`
    /// = `MKC_REJECTION_REVOKED` (it came back Revoked), `MKC_REJECTION_NOT_VALID` (its
    /// ValidTo passed) or `MKC_REJECTION_NOT_IN_CACHE` (a certificate cache with a newer
    /// CacheNum no longer lists it). MIKEY with that domain is refused from now on.
    PartnerCertificateRemoved = 12,
}

/// Why material was refused (`mkc_event.rejection`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mkc_rejection {
    /// Not a rejection event.
    None = 0,
    /// The body is not a well-formed KMS message; `text` gives the parser's reason.
    Malformed = 1,
    /// Another message type than the one requested.
    UnexpectedMessage = 2,
    /// Certificate Role is not Root.
    NotRoot = 3,
    /// KmsUri is not the expected one / not the certificate's.
    WrongKmsUri = 4,
    /// UserIdFormat is not "2".
    UnsupportedUserIdFormat = 5,
    /// ParameterSet is not 1.
    UnsupportedParameterSet = 6,
    /// Marked Revoked.
    Revoked = 7,
    /// Outside its validity window.
    NotValid = 8,
    /// KPAK is not a valid P-256 point.
    InvalidKpak = 9,
    /// Z_T is not a valid SAKKE point.
    InvalidZt = 10,
    /// UserKeyPeriod is zero or overflows.
    InvalidKeyPeriod = 11,
    /// The key set is for an identity that is not ours.
    UnknownIdentity = 12,
    /// UserID differs from the UID recomputed from the key set.
    UidMismatch = 13,
    /// SSK/PVT fail RFC 6507 5.1.2.
    InvalidSsk = 14,
    /// RSK fails RFC 6508 6.1.2.
    InvalidRsk = 15,
    /// No key set for the identity requested.
    MissingKeySet = 16,
    /// No longer valid under a new KMS certificate.
    CertificateChanged = 17,
    /// No certificate yet.
    NoCertificate = 18,
    /// The key set's KeyPeriodNo is not the period asked for (as this KMS numbers periods).
    WrongPeriod = 19,
    /// A partner domain's certificate is no longer in the KMS's certificate cache (an
    /// answer with a newer CacheNum listed other domains only).
    NotInCache = 20,
}

/// An HTTP header: NUL-terminated strings, lengths without the NUL.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mkc_header {
    /// Header name, e.g. "Authorization".
    pub name: *const c_char,
    /// Octets of `name`.
    pub name_len: usize,
    /// Header value (for Authorization: `Bearer <token>`).
    pub value: *const c_char,
    /// Octets of `value`.
    pub value_len: usize,
}

/// A request to send over HTTPS. Every pointer is owned by the client and valid until the
/// next call that takes the client mutably (poll, handle_*, set_access_token, refresh, import,
/// free).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mkc_request {
    /// Pass to `mkc_client_handle_response` / `mkc_client_handle_failure`.
    pub id: u64,
    /// "POST", NUL-terminated.
    pub method: *const c_char,
    /// The full URL, NUL-terminated.
    pub url: *const c_char,
    /// Octets of `url`.
    pub url_len: usize,
    /// `header_count` headers: Authorization, Content-Type, Accept.
    pub headers: *const mkc_header,
    /// Number of headers.
    pub header_count: usize,
    /// The body (a KmsRequest XML document).
    pub body: *const u8,
    /// Octets of `body`.
    pub body_len: usize,
}

/// An event. Fields not listed for a kind are zero / NULL. Strings are NUL-terminated, owned
/// by the client, valid until its next mutating call.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mkc_event {
    /// A `mkc_event_kind` value.
    pub kind: u32,
    /// The identity concerned, or NULL.
    pub identity: *const c_char,
    /// Octets of `identity`.
    pub identity_len: usize,
    /// The key period number as the KMS numbers it: from the NTP epoch (TS 33.180 F.2.1)
    /// unless the KMS showed that it counts from the Unix epoch (PERIOD_MISMATCH), after
    /// which the client follows the KMS's numbering and period boundaries. For a key set, its
    /// own period.
    pub period: u64,
    /// 1 when `period` is meaningful (MATERIAL_REJECTED may lack one).
    pub has_period: u32,
    /// The KMS's KeyPeriodNo.
    pub kms_period_no: u64,
    /// First Unix second of the period.
    pub start: u64,
    /// End of the period (exclusive), Unix seconds.
    pub end: u64,
    /// 1 when a valid SSK/PVT is held.
    pub can_sign: u32,
    /// 1 when a valid RSK is held.
    pub can_decrypt: u32,
    /// 1 when a new certificate (own or partner) replaced one with other keys.
    pub changed: u32,
    /// A `mkc_rejection` value (MATERIAL_REJECTED; PARTNER_CERTIFICATE_REMOVED: why).
    pub rejection: u32,
    /// KmsError ErrorCode (KMS_ERROR, and REQUEST_FAILED when `has_kms_error`).
    pub kms_error_code: i64,
    /// 1 when a REQUEST_FAILED answer (HTTP 4xx/5xx) carried a KmsError: `kms_error_code`
    /// and `text` (its ErrorMsg) are set.
    pub has_kms_error: u32,
    /// Text: the KMS URI, the KMS's ErrorMsg, or the reason of a rejection; or NULL. Text
    /// from the KMS has control and bidirectional characters written as `\u{hex}` and is at
    /// most 512 octets.
    pub text: *const c_char,
    /// Octets of `text`.
    pub text_len: usize,
    /// The failed request.
    pub request_id: u64,
    /// HTTP status of the failure, 0 for a transport failure.
    pub http_status: u32,
    /// Unix time of the retry.
    pub retry_at: u64,
}

/// The output of `mkc_client_poll_output`, tagged by `kind`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mkc_output {
    /// A `mkc_output_kind` value.
    pub kind: u32,
    /// Valid when kind is `MKC_OUTPUT_KIND_REQUEST`.
    pub request: mkc_request,
    /// Valid when kind is `MKC_OUTPUT_KIND_EVENT`.
    pub event: mkc_event,
    /// Unix seconds, when kind is `MKC_OUTPUT_KIND_WAKE_UP`.
    pub wake_up_at: u64,
}

/// The provisioning client of one user. Mutable: one thread at a time. Holds secrets (SSK,
/// RSK, the access token): free it with `mkc_client_free`, which erases them.
pub struct mkc_client {
    _private: [u8; 0],
}

/// What the handle points to: the client and the storage behind the last output's views.
pub(crate) struct ClientHandle {
    pub(super) client: Client,
    pub(super) view: View,
}

/// Owned NUL-terminated storage for the last output. Header values hold the token: zeroized.
#[derive(Default)]
pub(super) struct View {
    url: Vec<u8>,
    header_text: Vec<(Vec<u8>, Zeroizing<Vec<u8>>)>,
    headers: Vec<mkc_header>,
    body: Vec<u8>,
    identity: Vec<u8>,
    text: Vec<u8>,
}

// SAFETY: the raw pointers in `headers` point into `header_text` of the same `View`; they are
// plain addresses handed to C, read by no Rust code, and the `View` changes only through
// `&mut` (the client's mutating calls). Sending or sharing it shares nothing else.
unsafe impl Send for View {}
// SAFETY: as for `Send`: `&View` gives no access through the pointers.
unsafe impl Sync for View {}

impl Handle for mkc_client {
    type Inner = ClientHandle;
}

fn rejection_code(r: Rejection) -> mkc_rejection {
    match r {
        Rejection::Malformed => mkc_rejection::Malformed,
        Rejection::UnexpectedMessage => mkc_rejection::UnexpectedMessage,
        Rejection::NotRoot => mkc_rejection::NotRoot,
        Rejection::WrongKmsUri => mkc_rejection::WrongKmsUri,
        Rejection::UnsupportedUserIdFormat => mkc_rejection::UnsupportedUserIdFormat,
        Rejection::UnsupportedParameterSet => mkc_rejection::UnsupportedParameterSet,
        Rejection::Revoked => mkc_rejection::Revoked,
        Rejection::NotValid => mkc_rejection::NotValid,
        Rejection::InvalidKpak => mkc_rejection::InvalidKpak,
        Rejection::InvalidZt => mkc_rejection::InvalidZt,
        Rejection::InvalidKeyPeriod => mkc_rejection::InvalidKeyPeriod,
        Rejection::UnknownIdentity => mkc_rejection::UnknownIdentity,
        Rejection::UidMismatch => mkc_rejection::UidMismatch,
        Rejection::InvalidSsk => mkc_rejection::InvalidSsk,
        Rejection::InvalidRsk => mkc_rejection::InvalidRsk,
        Rejection::MissingKeySet => mkc_rejection::MissingKeySet,
        Rejection::CertificateChanged => mkc_rejection::CertificateChanged,
        Rejection::NoCertificate => mkc_rejection::NoCertificate,
        Rejection::WrongPeriod => mkc_rejection::WrongPeriod,
        Rejection::NotInCache => mkc_rejection::NotInCache,
    }
}

const fn empty_request() -> mkc_request {
    mkc_request {
        id: 0,
        method: std::ptr::null(),
        url: std::ptr::null(),
        url_len: 0,
        headers: std::ptr::null(),
        header_count: 0,
        body: std::ptr::null(),
        body_len: 0,
    }
}

const fn empty_event() -> mkc_event {
    mkc_event {
        kind: 0,
        identity: std::ptr::null(),
        identity_len: 0,
        period: 0,
        has_period: 0,
        kms_period_no: 0,
        start: 0,
        end: 0,
        can_sign: 0,
        can_decrypt: 0,
        changed: 0,
        rejection: 0,
        kms_error_code: 0,
        has_kms_error: 0,
        text: std::ptr::null(),
        text_len: 0,
        request_id: 0,
        http_status: 0,
        retry_at: 0,
    }
}

impl View {
    pub(super) fn clear(&mut self) {
        self.header_text.clear();
        self.headers.clear();
        self.url.clear();
        self.body.zeroize();
        self.body.clear();
        self.identity.clear();
        self.text.clear();
    }

    fn set_identity(&mut self, event: &mut mkc_event, identity: Option<&str>) {
        if let Some(identity) = identity {
            self.identity = c_string(identity.as_bytes());
            event.identity = self.identity.as_ptr().cast();
            event.identity_len = identity.len();
        }
    }

    fn set_text(&mut self, event: &mut mkc_event, text: &str) {
        self.text = c_string(text.as_bytes());
        event.text = self.text.as_ptr().cast();
        event.text_len = text.len();
    }

    fn event(&mut self, event: Event) -> mkc_event {
        let mut e = empty_event();
        match event {
            Event::CertificateInstalled { kms_uri, changed } => {
                e.kind = mkc_event_kind::CertificateInstalled as u32;
                e.changed = changed.into();
                self.set_text(&mut e, &kms_uri);
            }
            Event::PartnerCertificateInstalled { kms_uri, changed } => {
                e.kind = mkc_event_kind::PartnerCertificateInstalled as u32;
                e.changed = changed.into();
                self.set_text(&mut e, &kms_uri);
            }
            Event::PartnerCertificateRemoved { kms_uri, reason } => {
                e.kind = mkc_event_kind::PartnerCertificateRemoved as u32;
                e.rejection = rejection_code(reason) as u32;
                self.set_text(&mut e, &kms_uri);
            }
            Event::KeyMaterialReady {
                identity,
                period,
                kms_period_no,
                start,
                end,
                can_sign,
                can_decrypt,
            }
            | Event::KeyMaterialPartial {
                identity,
                period,
                kms_period_no,
                start,
                end,
                can_sign,
                can_decrypt,
            } => {
                e.kind = if can_sign && can_decrypt {
                    mkc_event_kind::KeyMaterialReady as u32
                } else {
                    mkc_event_kind::KeyMaterialPartial as u32
                };
                self.set_identity(&mut e, Some(&identity));
                (e.period, e.has_period, e.kms_period_no, e.start, e.end) =
                    (period, 1, kms_period_no, start, end);
                (e.can_sign, e.can_decrypt) = (can_sign.into(), can_decrypt.into());
            }
            Event::MaterialExpired { identity, period } => {
                e.kind = mkc_event_kind::MaterialExpired as u32;
                self.set_identity(&mut e, Some(&identity));
                (e.period, e.has_period) = (period, 1);
            }
            Event::AccessTokenNeeded => e.kind = mkc_event_kind::AccessTokenNeeded as u32,
            Event::KmsError { code, message } => {
                e.kind = mkc_event_kind::KmsError as u32;
                e.kms_error_code = code;
                self.set_text(&mut e, &message);
            }
            Event::MaterialRejected {
                identity,
                period,
                reason,
                detail,
            } => {
                e.kind = mkc_event_kind::MaterialRejected as u32;
                self.set_identity(&mut e, identity.as_deref());
                if let Some(period) = period {
                    (e.period, e.has_period) = (period, 1);
                }
                e.rejection = rejection_code(reason) as u32;
                let text = match detail {
                    Some(detail) => format!("{reason}: {detail}"),
                    None => reason.to_string(),
                };
                self.set_text(&mut e, &text);
            }
            Event::PeriodMismatch {
                identity,
                ours,
                kms,
            } => {
                e.kind = mkc_event_kind::PeriodMismatch as u32;
                self.set_identity(&mut e, Some(&identity));
                (e.period, e.has_period, e.kms_period_no) = (ours, 1, kms);
            }
            Event::RequestFailed {
                request_id,
                http_status,
                retry_at,
                kms_error,
            } => {
                e.kind = mkc_event_kind::RequestFailed as u32;
                (e.request_id, e.http_status, e.retry_at) =
                    (request_id, http_status.into(), retry_at);
                if let Some(error) = kms_error {
                    e.kms_error_code = error.code;
                    e.has_kms_error = 1;
                    self.set_text(&mut e, &error.message);
                }
            }
            Event::RetriesExhausted { identity } => {
                e.kind = mkc_event_kind::RetriesExhausted as u32;
                self.set_identity(&mut e, identity.as_deref());
            }
        }
        e
    }
}

/// Fills `*config` with the defaults (see each field) and empty strings.
///
/// Returns `MKC_RESULT_OK` or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `config` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_client_config_init(config: *mut mkc_client_config) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantee.
        let config = unsafe { OutVal::new(config, &[]) }?;
        let d = ClientConfig::new("", "");
        let empty = mkc_str {
            ptr: std::ptr::null(),
            len: 0,
        };
        let value = mkc_client_config {
            kms_url: empty,
            user_uri: empty,
            extra_identities: std::ptr::null(),
            extra_identity_count: 0,
            expected_kms_uri: empty,
            prefetch_s: d.prefetch_s,
            grace_s: d.grace_s,
            retry_initial_s: d.retry_initial_s,
            retry_max_s: d.retry_max_s,
            max_attempts: d.max_attempts,
            id_encoding: mkc_id_encoding::RawUid as u32,
            allow_insecure_http: 0,
        };
        config.set(value);
        Ok(())
    })
}

/// Makes a provisioning client from `*config` (see `mkc_client_config`). The client starts
/// with no access token, no certificate and no material; set a token and poll it.
///
/// On success `*out` receives a handle to release with `mkc_client_free`; on failure `*out`
/// is unchanged. Returns `MKC_RESULT_OK`; `MKC_RESULT_INVALID_CONFIG` (a URL that is not
/// https:// with a host, an empty or repeated identity, inconsistent retry settings, an
/// unknown id_encoding); `MKC_RESULT_INVALID_PARAMETER` (a string that is not UTF-8); or
/// `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `config` must be readable, its strings readable for their lengths, `extra_identities`
/// readable for `extra_identity_count` entries; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_client_new(
    config: *const mkc_client_config,
    out: *mut *mut mkc_client,
) -> mkc_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: forwarded caller guarantee.
        let c = unsafe { value(config) }?;
        // SAFETY: forwarded caller guarantees on the strings.
        let (url, user) = unsafe { (utf8(c.kms_url)?, utf8(c.user_uri)?) };
        let mut rust = ClientConfig::new(url, user);
        // SAFETY: forwarded caller guarantee.
        let extra = unsafe { array(c.extra_identities, c.extra_identity_count) }?;
        for s in extra {
            // SAFETY: forwarded caller guarantee.
            rust.extra_identities.push(unsafe { utf8(*s) }?.to_owned());
        }
        // SAFETY: forwarded caller guarantee.
        let expected = unsafe { utf8(c.expected_kms_uri) }?;
        rust.expected_kms_uri = (!expected.is_empty()).then(|| expected.to_owned());
        rust.prefetch_s = c.prefetch_s;
        rust.grace_s = c.grace_s;
        rust.retry_initial_s = c.retry_initial_s;
        rust.retry_max_s = c.retry_max_s;
        rust.max_attempts = c.max_attempts;
        rust.allow_insecure_http = c.allow_insecure_http != 0;
        rust.id_encoding = match c.id_encoding {
            0 => IdEncoding::Raw,
            1 => IdEncoding::Hex,
            _ => return Err(mkc_result::InvalidConfig),
        };
        let client = Client::new(rust)?;
        let handle = ClientHandle {
            client,
            view: View::default(),
        };
        // SAFETY: `out` is non-NULL and writable by the caller's guarantee.
        unsafe { publish_mut(out, handle) };
        Ok(())
    })
}

/// Releases a client, erasing its key material and access token. NULL is accepted.
///
/// # Safety
/// `client` must be NULL or a live handle from `mkc_client_new`, not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_client_free(client: *mut mkc_client) {
    // SAFETY: forwarded caller guarantee.
    guard_value((), || unsafe { release(client.cast_const()) })
}

/// Sets or replaces the OAuth 2.0 access token sent as `Authorization: Bearer <token>` (RFC
/// 6750). Requests waiting for a token (after `MKC_EVENT_KIND_ACCESS_TOKEN_NEEDED`) or parked
/// become ready. The token is copied; the client erases it when replaced or freed.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_INVALID_PARAMETER` (empty, not UTF-8, or holding a
/// control character); or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `client` must be a live handle; `token` readable for `token_len` octets.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_client_set_access_token(
    client: *mut mkc_client,
    token: *const u8,
    token_len: usize,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let handle = unsafe { borrow_mut(client) }?;
        let token = unsafe { text(token, token_len) }?;
        handle.view.clear();
        Ok(handle.client.set_access_token(token)?)
    })
}

/// Makes requests parked after `MKC_EVENT_KIND_RETRIES_EXHAUSTED` ready again, and fetches the
/// current and next key sets of every identity again at the next `mkc_client_poll_output`,
/// even those held (a set no better than the one held does not replace it).
///
/// Returns `MKC_RESULT_OK` or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `client` must be a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_client_refresh(client: *mut mkc_client) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantee.
        let handle = unsafe { borrow_mut(client) }?;
        handle.view.clear();
        handle.client.refresh();
        Ok(())
    })
}

/// Asks the KMS for its certificate cache (`certcache/<CacheNum>`, TS 33.180 5.2.7, D.3.4:
/// the certificates of partner KMS domains, needed for MIKEY with their users) once the
/// client holds its own certificate, at the next `mkc_client_poll_output`, and then every
/// `interval_s` seconds; 0 (the default) stops asking. Partner certificates are reported with
/// `MKC_EVENT_KIND_PARTNER_CERTIFICATE_INSTALLED` / `_REMOVED` and kept in the sealed key
/// store. At most `MKC_CLIENT_MAX_PARTNERS` partner domains are held.
///
/// Returns `MKC_RESULT_OK` or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `client` must be a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_client_set_certcache_interval(
    client: *mut mkc_client,
    interval_s: u64,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantee.
        let handle = unsafe { borrow_mut(client) }?;
        handle.view.clear();
        handle.client.set_certcache_interval(interval_s);
        Ok(())
    })
}

/// Takes the jitter of the retry delays from `seed` (SplitMix64, not secret) instead of the OS
/// RNG, from the next retry on: two clients given the same seed and the same failures retry at
/// the same times, so that a run can be replayed (tests, field logs). Call it after
/// `mkc_client_new`, before the first `mkc_client_poll_output`, to replay a whole run; each
/// call restarts the jitter from its seed.
///
/// Returns `MKC_RESULT_OK` or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `client` must be a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_client_set_jitter_seed(
    client: *mut mkc_client,
    seed: u64,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantee.
        let handle = unsafe { borrow_mut(client) }?;
        handle.view.clear();
        handle.client.set_jitter_seed(seed);
        Ok(())
    })
}

/// What the client holds for a KMS domain (`mkc_client_partner_status`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mkc_partner_status {
    /// No valid certificate of that KmsUri is held: MIKEY with it is refused
    /// (`MKC_RESULT_MIKEY_UNKNOWN_KMS`).
    Unknown = 0,
    /// Its certificate is held and valid (our own KMS, or a partner domain).
    Valid = 1,
    /// Its certificate came back Revoked (`MKC_RESULT_MIKEY_KMS_REVOKED`).
    Revoked = 2,
}

/// The most partner KMS domains a client holds.
pub const MKC_CLIENT_MAX_PARTNERS: usize = 64;
const _: () = assert!(MKC_CLIENT_MAX_PARTNERS == crate::client::MAX_PARTNERS);

/// Writes to `*status_out` a `mkc_partner_status` value: what the client holds at Unix time
/// `now` for the KMS domain `kms_uri` (a KmsUri, e.g. one of a KMS Redirect Response's). Use
/// it to pick the domain of `mkc_client_mikey_create_imessage_with_params`.
///
/// Returns `MKC_RESULT_OK`, `MKC_RESULT_INVALID_PARAMETER` (not UTF-8) or
/// `MKC_RESULT_NULL_PARAMETER`; on failure `*status_out` is 0.
///
/// # Safety
/// `client` must be a live handle; `kms_uri` readable for its length; `status_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_client_partner_status(
    client: *const mkc_client,
    kms_uri: *const u8,
    kms_uri_len: usize,
    now: u64,
    status_out: *mut u32,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let out = unsafe { OutVal::new(status_out, &[region(kms_uri, kms_uri_len)]) }?;
        let handle = unsafe { borrow(client) }?;
        let kms_uri = unsafe { text(kms_uri, kms_uri_len) }?;
        let status = match handle.client.partner_status(kms_uri, now) {
            crate::client::PartnerStatus::Unknown => mkc_partner_status::Unknown,
            crate::client::PartnerStatus::Valid => mkc_partner_status::Valid,
            crate::client::PartnerStatus::Revoked => mkc_partner_status::Revoked,
        };
        out.set(status as u32);
        Ok(())
    })
}

/// The next output at Unix time `now`: events first, then requests to send, then
/// `MKC_OUTPUT_KIND_WAKE_UP` (poll again then) or `MKC_OUTPUT_KIND_NONE`. Call it in a loop
/// until WAKE_UP or NONE, after creating the client and after every response, failure, token
/// change, and wake-up. `*output` is fully written; its pointers stay valid until the next
/// mutating call on this client.
///
/// Returns `MKC_RESULT_OK` or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `client` must be a live handle; `output` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_client_poll_output(
    client: *mut mkc_client,
    now: u64,
    output: *mut mkc_output,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let output = unsafe { OutVal::new(output, &[]) }?;
        let handle = unsafe { borrow_mut(client) }?;
        handle.view.clear();
        let mut out = mkc_output {
            kind: mkc_output_kind::None as u32,
            request: empty_request(),
            event: empty_event(),
            wake_up_at: 0,
        };
        match handle.client.poll_output(now) {
            Output::Request(request) => {
                let view = &mut handle.view;
                view.url = c_string(request.url.as_bytes());
                view.body = request.body;
                for h in &request.headers {
                    let value = Zeroizing::new(c_string(h.value.as_bytes()));
                    view.header_text.push((c_string(h.name.as_bytes()), value));
                }
                view.headers = view
                    .header_text
                    .iter()
                    .map(|(name, value)| mkc_header {
                        name: name.as_ptr().cast(),
                        name_len: name.len() - 1,
                        value: value.as_ptr().cast(),
                        value_len: value.len() - 1,
                    })
                    .collect();
                out.kind = mkc_output_kind::Request as u32;
                out.request = mkc_request {
                    id: request.id,
                    method: c"POST".as_ptr(),
                    url: view.url.as_ptr().cast(),
                    url_len: view.url.len() - 1,
                    headers: view.headers.as_ptr(),
                    header_count: view.headers.len(),
                    body: view.body.as_ptr(),
                    body_len: view.body.len(),
                };
            }
            Output::Event(event) => {
                out.kind = mkc_output_kind::Event as u32;
                out.event = handle.view.event(event);
            }
            Output::WakeUp(at) => {
                out.kind = mkc_output_kind::WakeUp as u32;
                out.wake_up_at = at;
            }
            Output::None => {}
        }
        output.set(out);
        Ok(())
    })
}

/// Feeds the response to request `request_id` at Unix time `now`: its HTTP status and body
/// (the body may be empty; at most 1 MiB is parsed, more is refused as malformed). Whatever the
/// body holds, stored material changes only through validated data; the outcome comes as
/// events from `mkc_client_poll_output`.
///
/// A KeyProv answer may hold several key sets (TS 33.180 D.3): one with more than
/// `MKC_CLIENT_MAX_KEY_SETS_PER_ANSWER` is refused (MATERIAL_REJECTED, MALFORMED); sets for the
/// current or next key period of a configured identity are validated and stored, each under
/// its own period, and sets for other periods are ignored without an event. A 4xx/5xx answer
/// carrying a KmsError gives REQUEST_FAILED with `has_kms_error`, `kms_error_code` and `text`.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_UNKNOWN_REQUEST` when `request_id` is not in flight;
/// `MKC_RESULT_INVALID_PARAMETER` for a status above 999; or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `client` must be a live handle; `body` readable for `body_len` octets.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_client_handle_response(
    client: *mut mkc_client,
    now: u64,
    request_id: u64,
    http_status: u32,
    body: *const u8,
    body_len: usize,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let handle = unsafe { borrow_mut(client) }?;
        let body = unsafe { input(body, body_len) }?;
        // A status beyond u16 is as out of range as one above 999: the core refuses both.
        let status = u16::try_from(http_status).unwrap_or(u16::MAX);
        handle.view.clear();
        Ok(handle
            .client
            .handle_response(now, request_id, status, body)?)
    })
}

/// Reports that request `request_id` failed without an HTTP response (DNS, TCP, TLS, timeout)
/// at Unix time `now`; it is retried with backoff.
///
/// Returns `MKC_RESULT_OK`, `MKC_RESULT_UNKNOWN_REQUEST` or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `client` must be a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_client_handle_failure(
    client: *mut mkc_client,
    now: u64,
    request_id: u64,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantee.
        let handle = unsafe { borrow_mut(client) }?;
        handle.view.clear();
        Ok(handle.client.handle_failure(now, request_id)?)
    })
}

/// Our key period number of Unix time `now` under the installed certificate (NTP-based, TS
/// 33.180 F.2.1), with the period's first Unix second and its end (exclusive). Any out-pointer
/// may be NULL.
///
/// Returns `MKC_RESULT_OK`, `MKC_RESULT_NO_CERTIFICATE`, `MKC_RESULT_INVALID_PARAMETER` (time
/// out of range) or `MKC_RESULT_NULL_PARAMETER` (client NULL).
///
/// # Safety
/// `client` must be a live handle; each non-NULL out-pointer writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_client_key_period(
    client: *const mkc_client,
    now: u64,
    period_out: *mut u64,
    start_out: *mut u64,
    end_out: *mut u64,
) -> mkc_result {
    guard(|| {
        let regions = [period_out, start_out, end_out].map(|p| region(p, size_of::<u64>()));
        OutVal::check(start_out, true, &[regions[0], regions[2]])?;
        OutVal::check(end_out, true, &[regions[0], regions[1]])?;
        // SAFETY: forwarded caller guarantees.
        let (period_out, start_out, end_out) = unsafe {
            (
                OutVal::optional(period_out, &[regions[1], regions[2]])?,
                OutVal::optional(start_out, &[regions[0], regions[2]])?,
                OutVal::optional(end_out, &[regions[0], regions[1]])?,
            )
        };
        let handle = unsafe { borrow(client) }?;
        let (n, start, end) = handle.client.key_period(now)?;
        period_out.set(n);
        start_out.set(start);
        end_out.set(end);
        Ok(())
    })
}

/// The TS 33.180 F.2.1 UID (32 octets) of `uri` at Unix time `now`, from the certificate's
/// KmsUri and key period and the KMS's period number.
///
/// Returns `MKC_RESULT_OK`, `MKC_RESULT_BUFFER_TOO_SMALL` (`uid_cap` < 32),
/// `MKC_RESULT_NO_CERTIFICATE`, `MKC_RESULT_INVALID_PARAMETER` (not UTF-8, overlap, time out of
/// range) or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `client` must be a live handle; `uri` readable for `uri_len`; `uid_out` writable for
/// `uid_cap` octets.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_client_uid(
    client: *const mkc_client,
    uri: *const u8,
    uri_len: usize,
    now: u64,
    uid_out: *mut u8,
    uid_cap: usize,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let mut out = unsafe { OutBuf::fixed(uid_out, uid_cap, &[region(uri, uri_len)]) }?;
        let handle = unsafe { borrow(client) }?;
        let uri = unsafe { text(uri, uri_len) }?;
        out.need(crate::uid::UID_BYTES)?;
        out.deliver(handle.client.uid_of(uri, now))
    })
}

/// The shape the client's fixed-size crypto calls share: checks the buffers, borrows the
/// client, reads `uri` as UTF-8 and `data`, refuses an output below `size` octets (with `size`
/// in `*written`), then writes what `op` returns.
///
/// # Safety
/// As for the exported functions: `client` live; inputs readable for their lengths; `out`
/// writable for `cap` octets.
#[allow(clippy::too_many_arguments)]
unsafe fn fixed_output<R: AsRef<[u8]>>(
    client: *const mkc_client,
    uri: *const u8,
    uri_len: usize,
    data: *const u8,
    data_len: usize,
    out: *mut u8,
    cap: usize,
    written: *mut usize,
    size: usize,
    op: impl FnOnce(&Client, &str, &[u8]) -> Result<R, ClientError>,
) -> Result<(), mkc_result> {
    let inputs = [region(uri, uri_len), region(data, data_len)];
    // SAFETY: forwarded caller guarantees.
    let mut out = unsafe { OutBuf::new(out, cap, written, &inputs) }?;
    let handle = unsafe { borrow(client) }?;
    let uri = unsafe { text(uri, uri_len) }?;
    let data = unsafe { input(data, data_len) }?;
    out.need(size)?;
    out.deliver(op(&handle.client, uri, data))
}

/// Signs `msg` with ECCSI (RFC 6507 5.2.1) as our `identity` with the SSK of the key period of
/// Unix time `now`, writing `r || s || PVT` (129 octets) and 129 to `*written`.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_BUFFER_TOO_SMALL` (`*written` = 129);
/// `MKC_RESULT_NO_CERTIFICATE`; `MKC_RESULT_NO_KEY_MATERIAL` (no valid SSK for that identity
/// and period); `MKC_RESULT_RNG_FAILURE`; `MKC_RESULT_INVALID_PARAMETER`; or
/// `MKC_RESULT_NULL_PARAMETER`. Outputs as the header's preamble says.
///
/// # Safety
/// `client` must be a live handle; inputs readable for their lengths; `sig_out` writable for
/// `sig_cap` octets; `written` writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mkc_client_sign(
    client: *const mkc_client,
    identity: *const u8,
    identity_len: usize,
    now: u64,
    msg: *const u8,
    msg_len: usize,
    sig_out: *mut u8,
    sig_cap: usize,
    written: *mut usize,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        unsafe {
            fixed_output(
                client,
                identity,
                identity_len,
                msg,
                msg_len,
                sig_out,
                sig_cap,
                written,
                crate::eccsi::SIGNATURE_BYTES,
                |c, id, m| c.sign(id, now, m),
            )
        }
    })
}

/// Verifies an ECCSI signature (RFC 6507 5.2.2, 129 octets) over `msg` by `peer_uri`, made in
/// the key period of Unix time `now`; the peer's UID comes from its URI, the certificate and
/// the time.
///
/// Returns `MKC_RESULT_OK` (valid), `MKC_RESULT_VERIFY_FAILED`, `MKC_RESULT_NO_CERTIFICATE`,
/// `MKC_RESULT_INVALID_PARAMETER` or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `client` must be a live handle; inputs readable for their lengths.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mkc_client_verify(
    client: *const mkc_client,
    peer_uri: *const u8,
    peer_uri_len: usize,
    now: u64,
    msg: *const u8,
    msg_len: usize,
    sig: *const u8,
    sig_len: usize,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let handle = unsafe { borrow(client) }?;
        let peer = unsafe { text(peer_uri, peer_uri_len) }?;
        let (msg, sig) = unsafe { (input(msg, msg_len)?, input(sig, sig_len)?) };
        Ok(handle.client.verify(peer, now, msg, sig)?)
    })
}

/// Encapsulates a 16-octet SSV to `peer_uri` for the key period of Unix time `now` (RFC 6508
/// 6.2.1), writing the SED (273 octets) and 273 to `*written`.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_BUFFER_TOO_SMALL` (`*written` = 273);
/// `MKC_RESULT_INVALID_LENGTH` (SSV not 16 octets); `MKC_RESULT_NO_CERTIFICATE`;
/// `MKC_RESULT_INVALID_PARAMETER`; or `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `client` must be a live handle; inputs readable for their lengths; `sed_out` writable for
/// `sed_cap` octets; `written` writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mkc_client_encapsulate(
    client: *const mkc_client,
    peer_uri: *const u8,
    peer_uri_len: usize,
    now: u64,
    ssv: *const u8,
    ssv_len: usize,
    sed_out: *mut u8,
    sed_cap: usize,
    written: *mut usize,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        unsafe {
            fixed_output(
                client,
                peer_uri,
                peer_uri_len,
                ssv,
                ssv_len,
                sed_out,
                sed_cap,
                written,
                crate::sakke::SED_BYTES,
                |c, peer, v| c.encapsulate(peer, now, v),
            )
        }
    })
}

/// Decapsulates a SED (273 octets) addressed to our `identity` in the key period of Unix time
/// `now` (RFC 6508 6.2.2), writing the SSV (16 octets) and 16 to `*written`.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_BUFFER_TOO_SMALL` (`*written` = 16);
/// `MKC_RESULT_DECAPSULATION_FAILED`; `MKC_RESULT_NO_CERTIFICATE`;
/// `MKC_RESULT_NO_KEY_MATERIAL` (no valid RSK for that identity and period);
/// `MKC_RESULT_INVALID_PARAMETER`; or `MKC_RESULT_NULL_PARAMETER`. Outputs as the header's
/// preamble says: on failure `ssv_out` is zeroed.
///
/// # Safety
/// `client` must be a live handle; inputs readable for their lengths; `ssv_out` writable for
/// `ssv_cap` octets; `written` writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mkc_client_decapsulate(
    client: *const mkc_client,
    identity: *const u8,
    identity_len: usize,
    now: u64,
    sed: *const u8,
    sed_len: usize,
    ssv_out: *mut u8,
    ssv_cap: usize,
    written: *mut usize,
) -> mkc_result {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        unsafe {
            fixed_output(
                client,
                identity,
                identity_len,
                sed,
                sed_len,
                ssv_out,
                ssv_cap,
                written,
                crate::sakke::SSV_BYTES,
                |c, id, d| c.decapsulate(id, now, d),
            )
        }
    })
}

/// Seals the client's certificate, key material and the long-lived keys of its key ring (GMK,
/// CSK, MKFC, MSCCK, MuSiK; never a PCK) into one blob for the user's profile:
/// AES-256-GCM under the 32-octet `storage_key`, bound to the user URI (the README's "Key
/// store" section gives the format). Writes the blob and its length to `*written`; to learn the size, call
/// with `blob_cap` = 0 (gives `MKC_RESULT_BUFFER_TOO_SMALL` and the size).
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_BUFFER_TOO_SMALL`; `MKC_RESULT_INVALID_LENGTH` (key
/// not 32 octets); `MKC_RESULT_RNG_FAILURE`; `MKC_RESULT_INVALID_PARAMETER`; or
/// `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `client` must be a live handle; `storage_key` readable for `storage_key_len`; `blob_out`
/// writable for `blob_cap` octets; `written` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_client_export(
    client: *const mkc_client,
    storage_key: *const u8,
    storage_key_len: usize,
    blob_out: *mut u8,
    blob_cap: usize,
    written: *mut usize,
) -> mkc_result {
    guard(|| {
        let key_region = region(storage_key, storage_key_len);
        // SAFETY: forwarded caller guarantees.
        let out = unsafe { OutBuf::new(blob_out, blob_cap, written, &[key_region]) }?;
        let handle = unsafe { borrow(client) }?;
        let key = unsafe { input(storage_key, storage_key_len) }?;
        out.deliver(handle.client.export(key))
    })
}

/// Opens a blob from `mkc_client_export` at Unix time `now` with the 32-octet `storage_key`
/// and installs its content after validating all of it again (certificate against this
/// client's configuration, e.g. its expected KmsUri; UIDs, SSK/PVT, RSK). Material whose
/// period ended more than the grace window ago is skipped, so a successful import may install
/// nothing: `*installed` (when not NULL) receives the number of (identity, period) key sets
/// installed. The next polls report `MKC_EVENT_KIND_CERTIFICATE_INSTALLED` and one
/// `MKC_EVENT_KIND_KEY_MATERIAL_READY` per key set, as provisioning does. On any error the
/// client is unchanged and `*installed` (when not NULL) is 0.
///
/// Returns `MKC_RESULT_OK`; `MKC_RESULT_STORE_AUTHENTICATION_FAILED` (wrong key, another
/// user's blob, tampered or truncated); `MKC_RESULT_INVALID_STORE` (not a key store, unknown
/// version, content that fails validation); `MKC_RESULT_INVALID_LENGTH` (key not 32 octets);
/// `MKC_RESULT_INVALID_PARAMETER` (`installed` overlapping an input); or
/// `MKC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `client` must be a live handle; `storage_key` and `blob` readable for their lengths;
/// `installed` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkc_client_import(
    client: *mut mkc_client,
    now: u64,
    storage_key: *const u8,
    storage_key_len: usize,
    blob: *const u8,
    blob_len: usize,
    installed: *mut usize,
) -> mkc_result {
    guard(|| {
        let inputs = [region(storage_key, storage_key_len), region(blob, blob_len)];
        // SAFETY: forwarded caller guarantees.
        let installed = unsafe { OutVal::optional(installed, &inputs) }?;
        let handle = unsafe { borrow_mut(client) }?;
        let key = unsafe { input(storage_key, storage_key_len) }?;
        let blob = unsafe { input(blob, blob_len) }?;
        handle.view.clear();
        installed.set(handle.client.import(now, key, blob)?);
        Ok(())
    })
}
