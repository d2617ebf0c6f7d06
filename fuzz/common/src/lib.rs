//! What the fuzz targets of mcptt-kmc share, and what the seed writer needs to make inputs
//! they understand: a KMS with fixed secrets (the RFC 6507 KSAK and the RFC 6508 z), one key
//! period domain, clients provisioned by it at a fixed time, the record format of the
//! `client_response` target and the sealing of a `store_import` plaintext.
//!
//! Everything here is deterministic given the fuzz input, except the random nonces of
//! signatures and encapsulations, which no outcome a target checks depends on.

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use mcptt_kmc::client::{Client, ClientConfig, Output};
use mcptt_kmc::kms::Kms;
use mcptt_kmc::kms::issue::KmsDomain;
use mcptt_kmc::kms::message::{KmsPayload, KmsResponse};
use mcptt_kmc::kms::xml;

/// Unix time of every target (2027-01-15): the clients are provisioned for its key period.
pub const NOW: u64 = 1_800_000_000;
/// The KMS's URI.
pub const KMS_URI: &str = "kms.example.org";
/// The base URL the clients are configured with.
pub const KMS_URL: &str = "https://kms.example.org";
/// 30-day key periods, offset 0.
pub const USER_KEY_PERIOD: u64 = 2_592_000;
/// The users.
pub const ALICE: &str = "sip:alice@example.org";
/// The responder of the MIKEY target.
pub const BOB: &str = "sip:bob@example.org";
/// The initiator of the MIKEY seeds (a group management server).
pub const GMS: &str = "sip:gms@example.org";
/// The access token the clients are given.
pub const TOKEN: &str = "fuzz-token";
/// The replay window of the MIKEY target, seconds.
pub const REPLAY_WINDOW_S: u64 = 300;
/// The storage key of the `store_import` target.
pub const STORAGE_KEY: [u8; 32] = [0x5a; 32];
/// The nonce the `store_import` target seals with (fixed: the target must be deterministic).
pub const STORE_NONCE: [u8; 12] = [0xa5; 12];

const ECCSI_JSON: &str = include_str!("../../../tests/vectors/rfc6507-eccsi.json");
const SAKKE_JSON: &str = include_str!("../../../tests/vectors/rfc6508-sakke.json");

/// Lower-case hex to octets. Panics on bad hex (the vector files are fixed).
pub fn unhex(text: &str) -> Vec<u8> {
    assert!(text.len() % 2 == 0, "odd hex length");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

fn field(json: &str, name: &str) -> Vec<u8> {
    let value: serde_json::Value = serde_json::from_str(json).expect("vector JSON");
    unhex(value[name].as_str().expect("vector field"))
}

/// A field of the RFC 6507 Appendix A vectors (`kpak`, `id`, `ssk`, `pvt`, `m`, `signature`, ...).
pub fn eccsi_vector(name: &str) -> Vec<u8> {
    field(ECCSI_JSON, name)
}

/// A field of the RFC 6508 Appendix A vectors (`z`, `z_point`, `id`, `rsk`, `encapsulated_data`, ...).
pub fn sakke_vector(name: &str) -> Vec<u8> {
    field(SAKKE_JSON, name)
}

/// The RFC 6508 z as the 128 octets (big-endian) a KMS takes.
pub fn sakke_z() -> Vec<u8> {
    let z = sakke_vector("z");
    [vec![0; 128 - z.len()], z].concat()
}

/// The KMS of every target: KSAK of RFC 6507, z of RFC 6508.
pub fn kms() -> Kms {
    Kms::from_secrets(&eccsi_vector("ksak"), &sakke_z()).expect("RFC secrets")
}

/// The KMS domain: [`KMS_URI`], [`USER_KEY_PERIOD`], offset 0.
pub fn domain() -> KmsDomain {
    KmsDomain::new(KMS_URI, USER_KEY_PERIOD, 0)
}

/// A KmsResponse document for `user` carrying `payload`.
pub fn response(user: &str, payload: KmsPayload) -> Vec<u8> {
    let r = KmsResponse {
        user_uri: user.into(),
        kms_uri: KMS_URI.into(),
        time: None,
        kms_id: None,
        client_req_url: KMS_URL.into(),
        payload,
    };
    xml::emit_response(&r).as_bytes().to_vec()
}

/// The configuration of `user`'s client: [`KMS_URL`], expecting [`KMS_URI`].
pub fn config(user: &str) -> ClientConfig {
    let mut config = ClientConfig::new(KMS_URL, user);
    config.expected_kms_uri = Some(KMS_URI.into());
    config
}

/// The init response of [`kms`].
pub fn init_response(kms: &Kms, user: &str) -> Vec<u8> {
    response(user, KmsPayload::Init(kms.certificate(&domain())))
}

/// A keyprov response of [`kms`] for `user`'s key period of `now`.
pub fn keyprov_response(kms: &Kms, user: &str, now: u64) -> Vec<u8> {
    let domain = domain();
    let n = domain.key_period_for(now as i64).expect("period");
    let set = kms.issue_key_set(&domain, user, n).expect("key set");
    response(user, KmsPayload::KeyProv(vec![set]))
}

/// A client of `user` provisioned by `kms` for the key period of [`NOW`].
pub fn provisioned(kms: &Kms, user: &str) -> Client {
    let mut client = Client::new(config(user)).expect("config");
    client.set_access_token(TOKEN).expect("token");
    for _ in 0..16 {
        match client.poll_output(NOW) {
            Output::Request(r) => {
                let body = if r.url.ends_with("/init") {
                    init_response(kms, user)
                } else {
                    keyprov_response(kms, user, NOW)
                };
                client
                    .handle_response(NOW, r.id, 200, &body)
                    .expect("response");
            }
            Output::Event(_) => {}
            Output::WakeUp(_) | Output::None => break,
        }
    }
    assert_eq!(client.materials().count(), 1, "{user} provisioned");
    client
}

/// What the `client_response` target does with the next request: answer it with an HTTP
/// status and a body, or report a transport failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// An HTTP response with this status.
    Status(u16),
    /// A transport failure (no response).
    Failure,
}

/// The statuses of selector octets 0xe0..=0xef (0 and 1000 are refused by the client).
const STATUSES: [u16; 16] = [
    401, 403, 404, 500, 503, 301, 100, 204, 299, 300, 999, 1000, 0, 418, 429, 202,
];

/// One step of the `client_response` target: move the clock forward, then answer the
/// client's next request.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    /// Seconds to move the clock forward first.
    pub advance_s: u64,
    /// How to answer.
    pub answer: Answer,
    /// The body (for [`Answer::Status`]).
    pub body: &'a [u8],
}

/// Splits a `client_response` input into records, each
/// `selector (u8) || advance (u8) || body length (u16 LE) || body`; the last one's body is
/// whatever remains when the length runs past the end. Selector below 0xe0: HTTP 200;
/// 0xe0..=0xef: a status of [`STATUSES`]; 0xf0 and above: a transport failure. The clock
/// moves `advance^2 * 60` seconds (up to about 45 days).
pub fn records(mut data: &[u8]) -> Vec<Record<'_>> {
    let mut out = Vec::new();
    while data.len() >= 4 && out.len() < 16 {
        let selector = data[0];
        let advance = u64::from(data[1]);
        let len = usize::from(u16::from_le_bytes([data[2], data[3]]));
        let rest = &data[4..];
        let (body, next) = rest.split_at(len.min(rest.len()));
        let answer = match selector {
            0..=0xdf => Answer::Status(200),
            0xe0..=0xef => Answer::Status(STATUSES[usize::from(selector - 0xe0)]),
            _ => Answer::Failure,
        };
        out.push(Record {
            advance_s: advance * advance * 60,
            answer,
            body,
        });
        data = next;
    }
    out
}

/// Encodes one record of [`records`] (HTTP 200 for `selector` 0).
pub fn encode_record(selector: u8, advance: u8, body: &[u8]) -> Vec<u8> {
    let len = u16::try_from(body.len()).expect("body under 64 KiB");
    let mut out = vec![selector, advance];
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// The key store header: magic and format version (client::store, version 3: keys with the
/// initiator that distributed them).
const STORE_HEADER: &[u8; 7] = b"MKCKS\0\x03";

/// The associated data of a key store blob of `user_uri` (client::store).
fn store_ad(user_uri: &str) -> Vec<u8> {
    let mut ad = STORE_HEADER.to_vec();
    ad.extend_from_slice(&(user_uri.len() as u16).to_be_bytes());
    ad.extend_from_slice(user_uri.as_bytes());
    ad
}

/// Seals `plaintext` as a key store blob of `user_uri` under [`STORAGE_KEY`] with
/// [`STORE_NONCE`], as `Client::export` would (format version 3): so the target reaches the
/// decoder and the validation behind the authentication.
pub fn seal_store(user_uri: &str, plaintext: &[u8]) -> Vec<u8> {
    let cipher = Aes256Gcm::new_from_slice(&STORAGE_KEY).expect("key");
    let mut blob = STORE_HEADER.to_vec();
    blob.extend_from_slice(&STORE_NONCE);
    let start = blob.len();
    blob.extend_from_slice(plaintext);
    let tag = cipher
        .encrypt_inout_detached(
            &Nonce::from(STORE_NONCE),
            &store_ad(user_uri),
            (&mut blob[start..]).into(),
        )
        .expect("seal");
    blob.extend_from_slice(&tag);
    blob
}

/// Opens a blob of `user_uri` sealed under [`STORAGE_KEY`] (for the seed writer: the
/// plaintext of a real export).
pub fn open_store(user_uri: &str, blob: &[u8]) -> Vec<u8> {
    let cipher = Aes256Gcm::new_from_slice(&STORAGE_KEY).expect("key");
    let nonce: [u8; 12] = blob[7..19].try_into().expect("nonce");
    let (body, tag) = blob[19..].split_at(blob.len() - 19 - 16);
    let tag: [u8; 16] = tag.try_into().expect("tag");
    let mut plaintext = body.to_vec();
    cipher
        .decrypt_inout_detached(
            &Nonce::from(nonce),
            &store_ad(user_uri),
            plaintext.as_mut_slice().into(),
            &Tag::from(tag),
        )
        .expect("open");
    plaintext
}
