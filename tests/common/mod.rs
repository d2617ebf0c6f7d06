//! The in-process KMS, the drive loop and the event filters the client tests share. The KMS
//! is built from the library's own issuance and XML emitter and shows the behaviours of the
//! reference KMS's modes (examples/reference-kms) on a virtual clock.

#![allow(dead_code)]

use std::collections::HashMap;

use mcptt_kmc::client::{API_PATH, Client, ClientConfig, Event, Output, Rejection, Request};
use mcptt_kmc::kms::Kms;
use mcptt_kmc::kms::issue::KmsDomain;
use mcptt_kmc::kms::message::{
    CertificateRole, KmsCertificate, KmsErrorInfo, KmsKeySet, KmsPayload, KmsResponse,
};
use mcptt_kmc::kms::xml;
use mcptt_kmc::time::NTP_UNIX_OFFSET;
use percent_encoding::percent_decode_str;

pub const ALICE: &str = "sip:alice@example.org";
pub const BOB: &str = "sip:bob@example.org";
pub const KMS_URI: &str = "kms.example.org";
pub const TOKEN: &str = "token";

/// What the in-process KMS does wrong (or differently).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Mode {
    Normal,
    /// This HTTP status with a plain-text body.
    Http(u16),
    /// This HTTP status with a KmsResponse carrying KmsError (code, message).
    KmsError(u16, i64, String),
    /// Key sets carry SSK + 1 (RSK good).
    BadSsk,
    /// Key sets carry another identity's RSK (SSK good).
    BadRsk,
    /// Every KeyProv answer holds the set asked for and the next period's.
    TwoSets,
    /// Like `TwoSets`, with the UserID of another period in the next period's set.
    TwoSetsNextWrongUid,
    /// Every KeyProv answer holds these many sets, periods n, n+1, ... (issue 13: many sets).
    Many(usize),
    /// Init answers the KMS's certificate with Revoked=true.
    RevokedCertificate,
    /// KeyProv answers the set asked for with Revoked=true.
    RevokedKeySet,
}

/// How the in-process KMS numbers key periods.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Numbering {
    /// TS 33.180 F.2.1: from the NTP epoch.
    Ntp,
    /// From the Unix epoch, as a deployed product does.
    Unix,
}

pub struct FakeKms {
    pub kms: Kms,
    pub domain: KmsDomain,
    pub numbering: Numbering,
    /// Write ValidFrom/ValidTo (the KMS's own period bounds) in key sets.
    pub validity: bool,
    /// Read a keyprov time in the NTP era RFC 4330 gives it (true), or always in era 0 as the
    /// reference KMS did before 2036 was thought of (false).
    pub era_rule: bool,
    pub mode: Mode,
    issued: HashMap<(String, u64), KmsKeySet>,
    pub requests: Vec<String>,
    /// The user the answers are addressed to.
    pub user: String,
    /// Partner domains' certificates served by `certcache` (Role External).
    pub partners: Vec<KmsCertificate>,
    /// The CacheNum of `partners`.
    pub cache_num: u64,
}

impl FakeKms {
    pub fn new(period: u64) -> Self {
        Self {
            kms: Kms::generate().unwrap(),
            domain: KmsDomain::new(KMS_URI, period, 0),
            numbering: Numbering::Ntp,
            validity: true,
            era_rule: true,
            mode: Mode::Normal,
            issued: HashMap::new(),
            requests: Vec::new(),
            user: ALICE.into(),
            partners: Vec::new(),
            cache_num: 0,
        }
    }

    /// A KMS of domain `kms_uri` whose answers are addressed to `user`.
    pub fn of_domain(kms_uri: &str, user: &str, period: u64) -> Self {
        let mut kms = Self::new(period);
        kms.domain = KmsDomain::new(kms_uri, period, 0);
        kms.user = user.into();
        kms
    }

    /// This KMS's certificate as a partner KMS serves it (Role External).
    pub fn external_certificate(&self) -> KmsCertificate {
        let mut cert = self.kms.certificate(&self.domain);
        cert.role = CertificateRole::External;
        cert
    }

    /// Unix seconds of the start and end of the KMS's period `n`.
    pub fn bounds(&self, n: u64) -> (u64, u64) {
        self.checked_bounds(n).expect("a period after 1970")
    }

    fn checked_bounds(&self, n: u64) -> Option<(u64, u64)> {
        let p = self.domain.user_key_period;
        let o = self.domain.user_key_offset;
        let epoch = match self.numbering {
            Numbering::Ntp => NTP_UNIX_OFFSET,
            Numbering::Unix => 0,
        };
        Some((
            (o + n * p).checked_sub(epoch)?,
            (o + (n + 1) * p).checked_sub(epoch)?,
        ))
    }

    /// The KMS's period number of NTP second `t_ntp`.
    pub fn period_at_ntp(&self, t_ntp: u64) -> Option<u64> {
        let p = self.domain.user_key_period;
        let o = self.domain.user_key_offset;
        match self.numbering {
            Numbering::Ntp => t_ntp.checked_sub(o).map(|t| t / p),
            Numbering::Unix => t_ntp.checked_sub(NTP_UNIX_OFFSET + o).map(|t| t / p),
        }
    }

    pub fn period_at(&self, unix: u64) -> u64 {
        self.period_at_ntp(unix + NTP_UNIX_OFFSET).unwrap()
    }

    pub fn envelope(&self, url: &str, payload: KmsPayload) -> Vec<u8> {
        let response = KmsResponse {
            user_uri: self.user.clone(),
            kms_uri: self.domain.kms_uri.clone(),
            time: Some(1),
            kms_id: None,
            client_req_url: url.into(),
            payload,
        };
        xml::emit_response(&response).as_bytes().to_vec()
    }

    /// The key set of `uri` for the KMS's period `n` (cached: issuance costs milliseconds).
    pub fn key_set(&mut self, uri: &str, n: u64) -> KmsKeySet {
        let key = (uri.to_owned(), n);
        if !self.issued.contains_key(&key) {
            let mut set = self.kms.issue_key_set(&self.domain, uri, n).unwrap();
            if let (true, Some((from, to))) = (self.validity, self.checked_bounds(n)) {
                (set.valid_from, set.valid_to) = (Some(from as i64), Some(to as i64));
            } else {
                (set.valid_from, set.valid_to) = (None, None);
            }
            self.issued.insert(key.clone(), set);
        }
        self.issued[&key].clone()
    }

    fn spoil(&mut self, mut set: KmsKeySet) -> KmsKeySet {
        match self.mode {
            Mode::BadSsk => set.ssk[31] ^= 1,
            Mode::BadRsk => set.rsk = self.key_set("sip:other@example.org", set.key_period_no).rsk,
            _ => {}
        }
        set
    }

    pub fn answer(&mut self, request: &Request, now: u64) -> (u16, Vec<u8>) {
        self.requests.push(request.url.clone());
        let path = request.url.split_once(API_PATH).unwrap().1.to_owned();
        match self.mode.clone() {
            Mode::Http(status) => return (status, b"nope".to_vec()),
            Mode::KmsError(status, code, message) => {
                let e = KmsPayload::Error(KmsErrorInfo { code, message });
                return (status, self.envelope(&request.url, e));
            }
            _ => {}
        }
        if path == "init" {
            let mut cert = self.kms.certificate(&self.domain);
            cert.revoked = self.mode == Mode::RevokedCertificate;
            return (200, self.envelope(&request.url, KmsPayload::Init(cert)));
        }
        if let Some(rest) = path.strip_prefix("certcache") {
            // certcache/<n>: nothing new when the client holds the current number.
            let held = rest.strip_prefix('/').map(|n| n.parse::<u64>().unwrap());
            let certificates = if held == Some(self.cache_num) {
                Vec::new()
            } else {
                self.partners.clone()
            };
            let payload = KmsPayload::CertCache {
                cache_num: self.cache_num,
                certificates,
            };
            return (200, self.envelope(&request.url, payload));
        }
        let mut parts = path.split('/');
        assert_eq!(parts.next(), Some("keyprov"));
        let user = self.user.clone();
        let uri = parts.next().map_or(user, |p| {
            percent_decode_str(p).decode_utf8().unwrap().into()
        });
        let now_ntp = now + NTP_UNIX_OFFSET;
        let t_ntp = parts.next().map_or(now_ntp, |hex| {
            let seconds = u64::from_str_radix(&hex[..8], 16).unwrap();
            // RFC 4330 section 3: the most significant bit clear means era 1 (from 2036).
            if self.era_rule && seconds & 0x8000_0000 == 0 {
                seconds + (1 << 32)
            } else {
                seconds
            }
        });
        let n = self.period_at_ntp(t_ntp).unwrap_or(0);
        let count = match self.mode {
            Mode::TwoSets | Mode::TwoSetsNextWrongUid => 2,
            Mode::Many(count) => count,
            _ => 1,
        };
        let sets = (0..count as u64)
            .map(|i| {
                let mut set = self.key_set(&uri, n + i);
                set.revoked = self.mode == Mode::RevokedKeySet;
                if i == 1 && self.mode == Mode::TwoSetsNextWrongUid {
                    set.user_id = self.domain.uid(&uri, n + 7).unwrap();
                }
                self.spoil(set)
            })
            .collect();
        (200, self.envelope(&request.url, KmsPayload::KeyProv(sets)))
    }
}

pub fn config(period: u64) -> ClientConfig {
    config_of(KMS_URI, ALICE, period)
}

/// The test configuration of `user` in domain `kms_uri`.
pub fn config_of(kms_uri: &str, user: &str, period: u64) -> ClientConfig {
    let mut c = ClientConfig::new(format!("https://{kms_uri}"), user);
    c.expected_kms_uri = Some(kms_uri.into());
    c.prefetch_s = period / 10;
    c.grace_s = 600;
    c.retry_initial_s = 2;
    c.retry_max_s = 600;
    c.max_attempts = 8;
    c
}

/// Polls until the client has nothing to do now, answering every request at once. Returns
/// the events and the wake-up time.
pub fn drive(client: &mut Client, kms: &mut FakeKms, now: u64) -> (Vec<Event>, Option<u64>) {
    let mut events = Vec::new();
    for _ in 0..1_000 {
        match client.poll_output(now) {
            Output::Request(request) => {
                let (status, body) = kms.answer(&request, now);
                client
                    .handle_response(now, request.id, status, &body)
                    .unwrap();
            }
            Output::Event(event) => events.push(event),
            Output::WakeUp(at) => {
                assert!(at > now, "wake-up {at} not after {now}");
                return (events, Some(at));
            }
            Output::None => return (events, None),
        }
    }
    panic!("the client did not settle");
}

/// Drives the client from `from` through every wake-up before `until`; returns all events.
pub fn run_until(client: &mut Client, kms: &mut FakeKms, from: u64, until: u64) -> Vec<Event> {
    let mut now = from;
    let mut all = Vec::new();
    while now < until {
        let (events, wake) = drive(client, kms, now);
        all.extend(events);
        match wake {
            Some(at) => now = at,
            None => break,
        }
    }
    all
}

/// (identity, period, can_sign, can_decrypt) of each KeyMaterialReady.
pub fn ready(events: &[Event]) -> Vec<(String, u64, bool, bool)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::KeyMaterialReady {
                identity,
                period,
                can_sign,
                can_decrypt,
                ..
            } => Some((identity.clone(), *period, *can_sign, *can_decrypt)),
            _ => None,
        })
        .collect()
}

pub fn rejections(events: &[Event]) -> Vec<Rejection> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::MaterialRejected { reason, .. } => Some(*reason),
            _ => None,
        })
        .collect()
}

/// A client of `config` with a token.
pub fn client(config: ClientConfig) -> Client {
    let mut client = Client::new(config).unwrap();
    client.set_access_token(TOKEN).unwrap();
    client
}
