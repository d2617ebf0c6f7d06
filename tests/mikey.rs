//! MIKEY-SAKKE I_MESSAGE (RFC 6509, TS 33.180 Annex E) through the public API:
//!
//! - the published I_MESSAGEs of a deployed MCX product (Streamwide test vectors v5: GMK, CSK,
//!   PCK and a legacy GMK, with the full KMS material), decoded payload by payload, signatures
//!   verified with the published KPAK, keys decapsulated with the published RSKs, and one of
//!   them rebuilt octet for octet by `create_imessage`;
//! - round trips with a test KMS for GMK, PCK and CSK, with and without identity hiding and
//!   SAKKE-to-self, and across a key period boundary;
//! - every refusal: a signature by another identity, a message for another receiver, T outside
//!   the window, each payload truncated, lengths past the end, unknown and duplicated payloads,
//!   key identifiers that disagree, a tampered SED;
//! - a mutation fuzz test of the parser and of the whole processing.
//!
//! SAKKE is slow in debug builds (a receiver about 0.4 s, a decapsulation about 0.2 s): the
//! receivers are built once and shared, and each test does few SAKKE operations.

use mcptt_kmc::eccsi::{Signer, Verifier};
use mcptt_kmc::kms::Kms;
use mcptt_kmc::mikey::header::{CS_MAP_EMPTY, CS_MAP_GENERIC_ID, CS_MAP_SRTP_ID, PRF_HMAC_SHA_256};
use mcptt_kmc::mikey::kdf::{self, KEY_BYTES};
use mcptt_kmc::mikey::payload::{
    EXT_KEY_PARAMETERS, ID_SCHEME_3GPP_UID, ID_TYPE_URI, SAKKE_PARAMS_SET_1, SIGN_TYPE_ECCSI,
    payload_type, srtp_param,
};
use mcptt_kmc::mikey::{
    CreateParams, CsIdMap, GeneralExtension, IMessage, IdRole, KeyKind, KeyParameters,
    KeyParamsError, KmsParams, MikeyError, Part, PeerDirectory, ProcessParams, ReceivedKey,
    Recipient, SecurityPolicy, Timestamp, create_imessage, keyparams, parse, process_imessage, sdp,
};
use mcptt_kmc::sakke::{SakkePublic, SakkeReceiver};
use mcptt_kmc::uid::derive_uid;
use std::sync::LazyLock;

// ---------------------------------------------------------------------------------------------
// Streamwide test vectors
// ---------------------------------------------------------------------------------------------

struct SwUser {
    uri: String,
    user_id: [u8; 32],
    period: u64,
    rsk: Vec<u8>,
    ssk: Vec<u8>,
    pvt: Vec<u8>,
}

struct SwMessage {
    name: String,
    kind: KeyKind,
    key: [u8; KEY_BYTES],
    key_id: u32,
    rand: Vec<u8>,
    guk_id: Option<u32>,
    initiator: String,
    responder: String,
    sdp: String,
    bytes: Vec<u8>,
}

struct Streamwide {
    kms_uri: String,
    period: u64,
    offset: u64,
    z_t: Vec<u8>,
    kpak: Vec<u8>,
    users: std::collections::BTreeMap<String, SwUser>,
    messages: Vec<SwMessage>,
}

impl Streamwide {
    fn kms(&self) -> KmsParams<'_> {
        KmsParams::new(&self.kms_uri, self.period, self.offset).unwrap()
    }

    fn user(&self, name: &str) -> &SwUser {
        &self.users[name]
    }
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

fn id32(s: &str) -> u32 {
    u32::from_str_radix(s, 16).unwrap()
}

static SW: LazyLock<Streamwide> = LazyLock::new(|| {
    let v: serde_json::Value =
        serde_json::from_str(include_str!("vectors/streamwide-mikey.json")).unwrap();
    let s = |v: &serde_json::Value| v.as_str().unwrap().to_owned();
    let kms = &v["kms"];
    let users = v["users"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, u)| {
            (
                name.clone(),
                SwUser {
                    uri: s(&u["uri"]),
                    user_id: unhex(u["user_id"].as_str().unwrap()).try_into().unwrap(),
                    period: u["key_period_no"].as_u64().unwrap(),
                    rsk: unhex(u["rsk"].as_str().unwrap()),
                    ssk: unhex(u["ssk"].as_str().unwrap()),
                    pvt: unhex(u["pvt"].as_str().unwrap()),
                },
            )
        })
        .collect();
    let messages = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| SwMessage {
            name: s(&m["name"]),
            kind: match m["kind"].as_str().unwrap() {
                "gmk" => KeyKind::Gmk,
                "pck" => KeyKind::Pck,
                "csk" => KeyKind::Csk,
                other => panic!("kind {other}"),
            },
            key: unhex(m["key"].as_str().unwrap()).try_into().unwrap(),
            key_id: id32(m["key_id"].as_str().unwrap()),
            rand: unhex(m["rand"].as_str().unwrap()),
            guk_id: m["guk_id"].as_str().map(id32),
            initiator: s(&m["initiator"]),
            responder: s(&m["responder"]),
            sdp: s(&m["sdp"]),
            bytes: unhex(m["message"].as_str().unwrap()),
        })
        .collect();
    Streamwide {
        kms_uri: s(&kms["kms_uri"]),
        period: kms["user_key_period"].as_u64().unwrap(),
        offset: kms["user_key_offset"].as_u64().unwrap(),
        z_t: unhex(kms["z_t"].as_str().unwrap()),
        kpak: unhex(kms["kpak"].as_str().unwrap()),
        users,
        messages,
    }
});

/// T of every Streamwide message: NTP second 0xEC898DA8 (2025-06-22), in key period 236.
const SW_T: u64 = 0xec89_8da8;

// ---------------------------------------------------------------------------------------------
// An independent walk over the payload chain (the test's own oracle of payload boundaries)
// ---------------------------------------------------------------------------------------------

/// The payloads of a well-formed message as (part, start, end) octet ranges.
fn spans(m: &[u8]) -> Vec<(Part, usize, usize)> {
    let be16 = |i: usize| usize::from(u16::from_be_bytes([m[i], m[i + 1]]));
    let mut end = 10;
    match m[9] {
        0 => end += 9 * usize::from(m[8]),
        1 => {}
        2 => {
            for _ in 0..m[8] {
                let p = usize::from(m[end + 2] & 0x7f);
                end += 3 + p;
                end += 2 + be16(end);
                end += 1 + usize::from(m[end]);
            }
        }
        other => panic!("map type {other}"),
    }
    let mut out = vec![(Part::Header, 0, end)];
    let mut next = m[2];
    let mut at = end;
    loop {
        let (part, len) = match next {
            4 => (Part::Sign, 2 + (be16(at) & 0x0fff)),
            5 => (Part::T, 2 + if m[at + 1] == 2 { 4 } else { 8 }),
            11 => (Part::Rand, 2 + usize::from(m[at + 1])),
            14 => (Part::Idr, 5 + be16(at + 3)),
            10 => (Part::Sp, 5 + be16(at + 3)),
            26 => (Part::Sakke, 5 + be16(at + 3)),
            21 => (Part::GeneralExtension, 4 + be16(at + 2)),
            other => panic!("payload {other}"),
        };
        out.push((part, at, at + len));
        if part == Part::Sign {
            assert_eq!(at + len, m.len());
            return out;
        }
        next = m[at];
        at += len;
    }
}

// ---------------------------------------------------------------------------------------------
// Directories
// ---------------------------------------------------------------------------------------------

/// One KMS for everybody; our receivers by key period.
struct Directory<'a> {
    kms: KmsParams<'a>,
    verifier: &'a Verifier,
    receivers: Vec<(u64, &'a SakkeReceiver)>,
}

impl PeerDirectory for Directory<'_> {
    fn initiator_kms(&self, kms_uri: Option<&[u8]>) -> Option<(KmsParams<'_>, &Verifier)> {
        kms_uri
            .is_none_or(|uri| uri == self.kms.kms_uri().as_bytes())
            .then_some((self.kms, self.verifier))
    }

    fn receiver(&self, period: u64) -> Option<&SakkeReceiver> {
        self.receivers
            .iter()
            .find(|(n, _)| *n == period)
            .map(|(_, r)| *r)
    }
}

/// Knows nobody: processing stops before any cryptography.
struct Nobody;

impl PeerDirectory for Nobody {
    fn initiator_kms(&self, _: Option<&[u8]>) -> Option<(KmsParams<'_>, &Verifier)> {
        None
    }

    fn receiver(&self, _: u64) -> Option<&SakkeReceiver> {
        None
    }
}

static SW_VERIFIER: LazyLock<Verifier> = LazyLock::new(|| Verifier::new(&SW.kpak).unwrap());

fn sw_receiver(name: &str) -> SakkeReceiver {
    let user = SW.user(name);
    SakkeReceiver::new(&SW.z_t, &user.user_id, &user.rsk).unwrap()
}

fn sw_process(
    bytes: &[u8],
    own: &str,
    receiver: &SakkeReceiver,
    initiator_uri: Option<&str>,
) -> Result<ReceivedKey, MikeyError> {
    let user = SW.user(own);
    let directory = Directory {
        kms: SW.kms(),
        verifier: &SW_VERIFIER,
        receivers: vec![(user.period, receiver)],
    };
    let params = ProcessParams {
        now_ntp: SW_T + 30,
        replay_window_s: 300,
        own_uri: &user.uri,
        own_kms: SW.kms(),
        initiator_uri,
    };
    process_imessage(bytes, &params, &directory)
}

// ---------------------------------------------------------------------------------------------
// Streamwide: decoding
// ---------------------------------------------------------------------------------------------

#[test]
fn streamwide_uids_and_key_material() {
    let kms = SW.kms();
    for (name, user) in &SW.users {
        assert_eq!(kms.period_of(SW_T), Some(user.period), "{name}");
        let uid = derive_uid(
            user.uri.as_bytes(),
            SW.kms_uri.as_bytes(),
            SW.period,
            SW.offset,
            user.period,
        )
        .unwrap();
        assert_eq!(uid, user.user_id, "{name}");
        // RFC 6507 5.1.2: the published SSK and PVT validate against the KPAK.
        Signer::new(&SW.kpak, &user.user_id, &user.ssk, &user.pvt).unwrap();
    }
}

#[test]
fn streamwide_messages_decode_payload_by_payload() {
    let sp = [
        (0, 6),
        (1, 16),
        (2, 4),
        (4, 12),
        (5, 0),
        (6, 0),
        (18, 4),
        (19, 0),
        (20, 16),
    ];
    for m in &SW.messages {
        let name = &m.name;
        assert_eq!(sdp::from_key_mgmt(&m.sdp).unwrap(), m.bytes, "{name}");
        assert_eq!(sdp::to_key_mgmt(&m.bytes), m.sdp, "{name}");
        let msg = parse(&m.bytes).unwrap();
        let initiator = SW.user(&m.initiator);
        let responder = SW.user(&m.responder);

        // HDR
        assert_eq!(msg.header.data_type, 26, "{name}");
        assert!(!msg.header.v_flag);
        assert_eq!(msg.header.prf, PRF_HMAC_SHA_256);
        let expected_csb = m.guk_id.unwrap_or(m.key_id);
        match m.kind {
            KeyKind::Gmk => {
                // GUK-ID = GMK-ID XOR the F.1.3 salt of the responder URI.
                let guk = kdf::guk_id(m.key_id, &m.key, responder.uri.as_bytes()).unwrap();
                if let Some(published) = m.guk_id {
                    assert_eq!(guk, published, "{name}");
                }
                assert_eq!(msg.header.csb_id, guk, "{name}");
            }
            _ => assert_eq!(msg.header.csb_id, expected_csb, "{name}"),
        }
        match (&msg.header.cs_map, m.kind) {
            (CsIdMap::GenericId(sessions), KeyKind::Gmk) => {
                assert_eq!(sessions.len(), 1);
                assert_eq!(sessions[0].cs_id, 4);
                let mut spi = m.key_id.to_be_bytes().to_vec();
                spi.extend_from_slice(&msg.header.csb_id.to_be_bytes());
                assert_eq!(sessions[0].spi, spi);
                assert_eq!(sessions[0].policies, [0]);
            }
            (CsIdMap::GenericId(sessions), KeyKind::Csk) => {
                assert_eq!(sessions[0].cs_id, 6);
                assert_eq!(sessions[0].spi, m.key_id.to_be_bytes());
            }
            (CsIdMap::Empty { cs_count: 0 }, KeyKind::Pck) => {}
            // The legacy GMK format: an SRTP-ID map of two sessions.
            (CsIdMap::SrtpId(sessions), KeyKind::Gmk) => {
                assert_eq!(sessions.len(), 2);
                assert_eq!(sessions[0].ssrc, 0xcafe_babe);
            }
            (map, kind) => panic!("{name}: {kind:?} with {map:?}"),
        }
        // T, RAND
        assert_eq!(msg.timestamp, Timestamp::NtpUtc(SW_T << 32), "{name}");
        assert_eq!(msg.rand, m.rand, "{name}");
        // IDR: hidden identities (E.7) and both KMS URIs.
        let roles: Vec<_> = msg.identities.iter().map(|i| i.role).collect();
        assert_eq!(
            roles,
            [
                IdRole::InitiatorUid,
                IdRole::ResponderUid,
                IdRole::InitiatorKms,
                IdRole::ResponderKms
            ]
        );
        assert!(msg.identities.iter().all(|i| i.id_type == ID_TYPE_URI));
        assert_eq!(
            msg.identity(IdRole::InitiatorUid).unwrap().data,
            initiator.user_id
        );
        assert_eq!(
            msg.identity(IdRole::ResponderUid).unwrap().data,
            responder.user_id
        );
        for role in [IdRole::InitiatorKms, IdRole::ResponderKms] {
            assert_eq!(msg.identity(role).unwrap().data, SW.kms_uri.as_bytes());
        }
        // SP
        assert_eq!(msg.policies.len(), 1);
        let params: Vec<_> = msg.policies[0]
            .params
            .iter()
            .map(|p| (p.param_type, p.value[0]))
            .collect();
        assert_eq!(params, sp, "{name}");
        // SAKKE: parameter set 1, ID scheme 2, R (257) || H (16).
        assert_eq!(msg.sakke.params, SAKKE_PARAMS_SET_1);
        assert_eq!(msg.sakke.id_scheme, ID_SCHEME_3GPP_UID);
        assert_eq!(msg.sakke.data.len(), 273);
        assert_eq!(msg.sakke.data[0], 0x04);
        // General Extension type 7 (key parameters, opaque); no SAKKE-to-self.
        assert_eq!(msg.extensions.len(), 1);
        assert_eq!(msg.extensions[0].ext_type(), EXT_KEY_PARAMETERS);
        assert!(msg.key_parameters().is_some());
        assert!(msg.sakke_to_self().is_none());
        // SIGN: ECCSI, 129 octets whose PVT is the initiator's.
        assert_eq!(msg.signature.sig_type, SIGN_TYPE_ECCSI);
        assert_eq!(msg.signature.data.len(), 129);
        assert_eq!(msg.signature.data[64..], initiator.pvt[..]);
        assert_eq!(msg.signed_len, m.bytes.len() - 129);
        // Writing it back gives the same octets.
        assert_eq!(msg.to_bytes().unwrap(), m.bytes, "{name}");
    }
}

#[test]
fn streamwide_signatures_verify_over_everything_but_the_signature() {
    for m in &SW.messages {
        let msg = parse(&m.bytes).unwrap();
        let uid = SW.user(&m.initiator).user_id;
        let (signed, signature) = m.bytes.split_at(msg.signed_len);
        SW_VERIFIER.verify(&uid, signed, signature).unwrap();
        // Not over the message without the SIGN header, nor for the responder's identity.
        let without_header = &m.bytes[..msg.signed_len - 2];
        assert!(SW_VERIFIER.verify(&uid, without_header, signature).is_err());
        let other = SW.user(&m.responder).user_id;
        assert!(SW_VERIFIER.verify(&other, signed, signature).is_err());
    }
}

// ---------------------------------------------------------------------------------------------
// Streamwide: processing (one receiver and one decapsulation per message)
// ---------------------------------------------------------------------------------------------

fn check_streamwide_processing(index: usize) {
    let m = &SW.messages[index];
    let receiver = sw_receiver(&m.responder);
    let initiator = SW.user(&m.initiator);
    // Identities hidden; the initiator URI comes from elsewhere (the SIP message).
    let got = sw_process(&m.bytes, &m.responder, &receiver, Some(&initiator.uri)).unwrap();
    assert_eq!(got.kind, m.kind, "{}", m.name);
    assert_eq!(*got.key, m.key, "{}", m.name);
    assert_eq!(got.key_id, m.key_id, "{}", m.name);
    assert_eq!(got.csb_id, parse(&m.bytes).unwrap().header.csb_id);
    // Its key parameters (TS 33.180 E.6): under the key (or, in the legacy form, in the clear),
    // the key's purpose tag, not revoked, no times.
    let params = got.key_parameters.as_ref().expect("key parameters");
    assert_eq!(
        (
            params.key_type,
            params.status,
            params.activation_time,
            params.expiry_time
        ),
        (m.kind.purpose_tag(), 1, 0, 0),
        "{}",
        m.name
    );
    match m.kind {
        KeyKind::Gmk => assert_eq!(got.guk_id, Some(got.csb_id)),
        _ => assert_eq!(got.guk_id, None),
    }
    if let Some(guk) = m.guk_id {
        assert_eq!(got.guk_id, Some(guk));
    }
    assert_eq!(got.initiator_uri.as_deref(), Some(initiator.uri.as_str()));
    assert_eq!(got.initiator_uid, initiator.user_id);
    assert_eq!(got.initiator_period, Some(236));
    assert_eq!(got.period, 236);
    assert_eq!(got.recipient, Recipient::Responder);
    assert_eq!(got.time_ntp, SW_T);
    assert_eq!(got.rand, m.rand);
    let debug = format!("{got:?}");
    assert!(!debug.contains(&hex::encode(m.key)) && debug.contains("redacted"));
}

#[test]
fn streamwide_gmk_to_alice() {
    check_streamwide_processing(0);
}

#[test]
fn streamwide_csk_to_gms() {
    check_streamwide_processing(1);
}

#[test]
fn streamwide_pck_to_bob() {
    check_streamwide_processing(2);
}

#[test]
fn streamwide_legacy_gmk_to_iwf() {
    check_streamwide_processing(3);
}

#[test]
fn streamwide_gmk_with_the_initiator_unknown_then_confirmed() {
    let m = &SW.messages[0];
    let receiver = sw_receiver("alice");
    // Without the initiator URI the signature is checked against IDRuidi as sent ...
    let got = sw_process(&m.bytes, "alice", &receiver, None).unwrap();
    assert_eq!(*got.key, m.key);
    assert_eq!(got.initiator_uri, None);
    assert_eq!(got.initiator_period, None);
    assert_eq!(got.initiator_uid, SW.user("gms").user_id);
    // ... and the URI, learnt later, is confirmed against it (TS 33.180 E.7).
    assert!(got.initiator_matches("gms@streamwide.com", &SW.kms()));
    assert!(!got.initiator_matches("sip:bob@streamwide.com", &SW.kms()));
    // A wrong URI from the caller is refused before any decapsulation.
    assert_eq!(
        sw_process(&m.bytes, "alice", &receiver, Some("sip:bob@streamwide.com")).unwrap_err(),
        MikeyError::InitiatorMismatch
    );
    // Bob is not the responder.
    let bob = SW.user("bob");
    let params = ProcessParams {
        now_ntp: SW_T,
        replay_window_s: 300,
        own_uri: &bob.uri,
        own_kms: SW.kms(),
        initiator_uri: None,
    };
    assert_eq!(
        process_imessage(&m.bytes, &params, &Nobody).unwrap_err(),
        MikeyError::NotForUs
    );
}

#[test]
fn create_rebuilds_the_streamwide_gmk_message() {
    // SAKKE encapsulation is deterministic for a given SSV and identifier, so with the same
    // RAND, policy and extension our message matches the published one up to the signature.
    let m = &SW.messages[0];
    let published = parse(&m.bytes).unwrap();
    let gms = SW.user("gms");
    let alice = SW.user("alice");
    let signer = Signer::new(&SW.kpak, &gms.user_id, &gms.ssk, &gms.pvt).unwrap();
    let public = SakkePublic::new(&SW.z_t).unwrap();
    let mut params = CreateParams::new(
        KeyKind::Gmk,
        &m.key,
        m.key_id,
        SW_T,
        &gms.uri,
        SW.kms(),
        &alice.uri,
        SW.kms(),
    );
    params.rand = Some(m.rand.clone().try_into().unwrap());
    params.hide_identities = true;
    params.policy = Some(published.policies[0].clone());
    params.extensions = published.extensions.clone();
    let ours = create_imessage(&params, &signer, &public, None).unwrap();
    assert_eq!(ours.len(), m.bytes.len());
    assert_eq!(
        hex::encode(&ours[..published.signed_len]),
        hex::encode(&m.bytes[..published.signed_len])
    );
    // Our signature is a valid one (with another ephemeral j).
    SW_VERIFIER
        .verify(
            &gms.user_id,
            &ours[..published.signed_len],
            &ours[published.signed_len..],
        )
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// A test KMS
// ---------------------------------------------------------------------------------------------

const KMS_URI: &str = "kms.example.org";
const PERIOD: u64 = 2_592_000;
/// Key period 1477 (2025-01-15 .. 2025-02-14 on the NTP base).
const N: u64 = 1477;
/// Ten days into period N, NTP seconds.
const T: u64 = N * PERIOD + 864_000;
const WINDOW: u64 = 300;

const ALICE: &str = "sip:alice@example.org";
const BOB: &str = "sip:bob@example.org";
const GMS: &str = "sip:gms@example.org";

fn kms_params() -> KmsParams<'static> {
    KmsParams::new(KMS_URI, PERIOD, 0).unwrap()
}

struct Party {
    uri: &'static str,
    signer: Signer,
    receiver: SakkeReceiver,
}

struct World {
    public: SakkePublic,
    verifier: Verifier,
    alice: Party,
    bob: Party,
    gms: Party,
}

impl World {
    fn party(&self, uri: &str) -> &Party {
        [&self.alice, &self.bob, &self.gms]
            .into_iter()
            .find(|p| p.uri == uri)
            .unwrap()
    }
}

fn identifier(uri: &str, n: u64) -> Vec<u8> {
    kms_params().identifier(&kms_params().uid(uri.as_bytes(), n).unwrap())
}

fn signer_for(kms: &Kms, uri: &str, n: u64) -> Signer {
    let id = identifier(uri, n);
    let issued = kms.issue_eccsi(&id).unwrap();
    Signer::new(&kms.kpak().to_bytes(), &id, issued.ssk(), issued.pvt()).unwrap()
}

fn receiver_for(kms: &Kms, uri: &str, n: u64) -> SakkeReceiver {
    let id = identifier(uri, n);
    let rsk = kms.issue_sakke(&id).unwrap();
    SakkeReceiver::new(&kms.z_t(), &id, &rsk[..]).unwrap()
}

static WORLD: LazyLock<World> = LazyLock::new(|| {
    let kms = Kms::generate().unwrap();
    let party = |uri| Party {
        uri,
        signer: signer_for(&kms, uri, N),
        receiver: receiver_for(&kms, uri, N),
    };
    World {
        public: SakkePublic::new(&kms.z_t()).unwrap(),
        verifier: Verifier::new(&kms.kpak().to_bytes()).unwrap(),
        alice: party(ALICE),
        bob: party(BOB),
        gms: party(GMS),
    }
});

const KEY: [u8; 16] = *b"an MCPTT key 16!";

fn key_id(kind: KeyKind) -> u32 {
    kind.key_id(0x0abc_def1)
}

fn create_params(kind: KeyKind, from: &'static str, to: &'static str) -> CreateParams<'static> {
    CreateParams::new(
        kind,
        &KEY,
        key_id(kind),
        T,
        from,
        kms_params(),
        to,
        kms_params(),
    )
}

fn create(params: &CreateParams<'_>) -> Vec<u8> {
    let w = &*WORLD;
    create_imessage(
        params,
        &w.party(params.initiator_uri).signer,
        &w.public,
        Some(&w.public),
    )
    .unwrap()
}

fn process_as(
    bytes: &[u8],
    own: &str,
    now: u64,
    initiator_uri: Option<&str>,
) -> Result<ReceivedKey, MikeyError> {
    let w = &*WORLD;
    let directory = Directory {
        kms: kms_params(),
        verifier: &w.verifier,
        receivers: vec![(N, &w.party(own).receiver)],
    };
    let params = ProcessParams {
        now_ntp: now,
        replay_window_s: WINDOW,
        own_uri: own,
        own_kms: kms_params(),
        initiator_uri,
    };
    process_imessage(bytes, &params, &directory)
}

/// Signs `message` again with `signer` (after the test has changed it).
fn resign(message: &IMessage, signer: &Signer) -> Vec<u8> {
    let mut bytes = message.signed_part(SIGN_TYPE_ECCSI, 129).unwrap();
    bytes.extend_from_slice(&signer.sign(&bytes).unwrap());
    bytes
}

// ---------------------------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------------------------

fn round_trip(kind: KeyKind, hide: bool, to_self: bool) {
    let (from, to) = match kind {
        KeyKind::Gmk => (GMS, ALICE),
        KeyKind::Pck => (ALICE, BOB),
        KeyKind::Csk => (ALICE, GMS),
        // Key download from a server (TS 33.180 5.9, 9.4): the server's URI is the initiator.
        KeyKind::Mkfc | KeyKind::Mscck | KeyKind::Musik => (GMS, ALICE),
    };
    let mut params = create_params(kind, from, to);
    params.hide_identities = hide;
    params.sakke_to_self = to_self;
    let bytes = create(&params);

    let msg = parse(&bytes).unwrap();
    assert_eq!(msg.to_bytes().unwrap(), bytes);
    let (uri_roles, uid_roles) = (
        [IdRole::Initiator, IdRole::Responder],
        [IdRole::InitiatorUid, IdRole::ResponderUid],
    );
    for role in if hide { uid_roles } else { uri_roles } {
        assert!(msg.identity(role).is_some(), "{role:?}");
    }
    for role in if hide { uri_roles } else { uid_roles } {
        assert!(msg.identity(role).is_none(), "{role:?}");
    }
    if hide {
        // Neither URI appears anywhere in the message.
        for uri in [from, to] {
            assert!(!bytes.windows(uri.len()).any(|w| w == uri.as_bytes()));
        }
    }
    assert_eq!(msg.sakke_to_self().is_some(), to_self);
    let expected_map = match kind {
        KeyKind::Pck | KeyKind::Mkfc | KeyKind::Mscck | KeyKind::Musik => CS_MAP_EMPTY,
        _ => CS_MAP_GENERIC_ID,
    };
    assert_eq!(msg.header.cs_map.map_type(), expected_map);

    // The responder; with hidden identities it is told the initiator URI, or not.
    let initiator_hint = if hide { None } else { Some(from) };
    let got = process_as(&bytes, to, T + 1, initiator_hint).unwrap();
    assert_eq!(got.kind, kind);
    assert_eq!(*got.key, KEY);
    assert_eq!(got.key_id, key_id(kind));
    assert_eq!(got.recipient, Recipient::Responder);
    assert_eq!(got.period, N);
    if kind == KeyKind::Gmk {
        let guk = kdf::guk_id(key_id(kind), &KEY, to.as_bytes()).unwrap();
        assert_eq!(got.guk_id, Some(guk));
        assert_eq!(msg.header.csb_id, guk);
    } else {
        assert_eq!(msg.header.csb_id, key_id(kind));
    }
    if hide {
        assert_eq!(got.initiator_uri, None);
        assert!(got.initiator_matches(from, &kms_params()));
    } else {
        assert_eq!(got.initiator_uri.as_deref(), Some(from));
        assert_eq!(got.initiator_period, Some(N));
    }
    assert_eq!(
        got.initiator_uid,
        kms_params().uid(from.as_bytes(), N).unwrap()
    );

    // Another device of the initiator takes the key from SAKKE-to-self.
    if to_self {
        let own = process_as(&bytes, from, T - 1, Some(from)).unwrap();
        assert_eq!(own.recipient, Recipient::SakkeToSelf);
        assert_eq!(*own.key, KEY);
        assert_eq!(own.key_id, key_id(kind));
    } else {
        assert_eq!(
            process_as(&bytes, from, T, None).unwrap_err(),
            MikeyError::NotForUs
        );
    }
}

#[test]
fn round_trip_gmk() {
    round_trip(KeyKind::Gmk, false, false);
}

#[test]
fn round_trip_gmk_hidden_identities_and_sakke_to_self() {
    round_trip(KeyKind::Gmk, true, true);
}

#[test]
fn round_trip_gmk_sakke_to_self() {
    round_trip(KeyKind::Gmk, false, true);
}

#[test]
fn round_trip_gmk_hidden_identities() {
    round_trip(KeyKind::Gmk, true, false);
}

#[test]
fn round_trip_pck() {
    round_trip(KeyKind::Pck, false, false);
}

#[test]
fn round_trip_pck_hidden_identities_and_sakke_to_self() {
    round_trip(KeyKind::Pck, true, true);
}

#[test]
fn round_trip_csk() {
    round_trip(KeyKind::Csk, false, false);
}

#[test]
fn round_trip_csk_hidden_identities_and_sakke_to_self() {
    round_trip(KeyKind::Csk, true, true);
}

#[test]
fn round_trip_keys_downloaded_from_a_server() {
    // MuSiK, MKFC and MSCCK: the server (here GMS's URI) is the initiator; SAKKE-to-self lets
    // its other instances read the message.
    round_trip(KeyKind::Musik, false, false);
    round_trip(KeyKind::Musik, true, true);
    round_trip(KeyKind::Mkfc, false, true);
    round_trip(KeyKind::Mscck, true, false);
}

#[test]
fn a_csk_update_from_a_server() {
    // A CSK sent by the server to the user (a CSK update), with SAKKE-to-self.
    let mut params = create_params(KeyKind::Csk, GMS, ALICE);
    params.sakke_to_self = true;
    let bytes = create(&params);
    let got = process_as(&bytes, ALICE, T, Some(GMS)).unwrap();
    assert_eq!(
        (got.kind, got.key_id, *got.key),
        (KeyKind::Csk, key_id(KeyKind::Csk), KEY)
    );
    assert_eq!(got.initiator_uri.as_deref(), Some(GMS));
    let own = process_as(&bytes, GMS, T, Some(GMS)).unwrap();
    assert_eq!(own.recipient, Recipient::SakkeToSelf);
}

/// Key parameters (TS 33.180 E.6) ride in the type-7 extension, protected under the key.
#[test]
fn key_parameters_round_trip() {
    for kind in [KeyKind::Gmk, KeyKind::Pck, KeyKind::Musik] {
        let (from, to) = if kind == KeyKind::Pck {
            (ALICE, BOB)
        } else {
            (GMS, ALICE)
        };
        let mut kp = KeyParameters::new(key_id(kind), T - 10, T + 3600);
        kp.text = b"Group 7 key".to_vec();
        kp.group_ids = vec![(0x01, b"sip:group7@example.org".to_vec())];
        let mut params = create_params(kind, from, to);
        params.key_parameters = Some(kp.clone());
        let bytes = create(&params);
        let msg = parse(&bytes).unwrap();
        let data = msg.key_parameters().expect("a type-7 extension");
        // Under the key: the text is not in the clear.
        assert!(!data.windows(11).any(|w| w == b"Group 7 key"));
        let got = process_as(&bytes, to, T, None).unwrap();
        assert_eq!(got.key_parameters, Some(kp), "{kind:?}");
        // Without them, none.
        let plain = create(&create_params(kind, from, to));
        assert_eq!(
            process_as(&plain, to, T, None).unwrap().key_parameters,
            None
        );
    }
    // Parameters of another key type are refused when creating.
    let mut params = create_params(KeyKind::Gmk, GMS, ALICE);
    params.key_parameters = Some(KeyParameters::new(key_id(KeyKind::Pck), 0, 0));
    let w = &*WORLD;
    assert!(matches!(
        create_imessage(&params, &w.party(GMS).signer, &w.public, None),
        Err(MikeyError::InvalidParams(_))
    ));
}

#[test]
fn a_revoked_key_is_refused() {
    let mut kp = KeyParameters::new(key_id(KeyKind::Gmk), 0, 0);
    kp.status = keyparams::STATUS_SHARED_WITH_GATEWAY; // "not revoked" clear
    let mut params = create_params(KeyKind::Gmk, GMS, ALICE);
    params.key_parameters = Some(kp);
    let bytes = create(&params);
    assert_eq!(
        process_as(&bytes, ALICE, T, None).unwrap_err(),
        MikeyError::KeyRevoked(key_id(KeyKind::Gmk))
    );
}

#[test]
fn a_bad_type_7_payload_is_refused() {
    let kp = KeyParameters::new(key_id(KeyKind::Gmk), 0, 0);
    let guk = kdf::guk_id(key_id(KeyKind::Gmk), &KEY, ALICE.as_bytes()).unwrap();
    let good = kp.protect(&KEY, guk, T).unwrap();
    let mut tampered = good.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    let other_key = kp.protect(&[0x77; 16], guk, T).unwrap();
    let other_dppk = kp.protect(&KEY, guk ^ 1, T).unwrap();
    for (data, expected) in [
        (good.clone(), None),
        (tampered, Some(KeyParamsError::AuthenticationFailed)),
        (other_key, Some(KeyParamsError::AuthenticationFailed)),
        (other_dppk, Some(KeyParamsError::WrongDppkId)),
        (good[..20].to_vec(), Some(KeyParamsError::Malformed)),
        (vec![], Some(KeyParamsError::Malformed)),
    ] {
        // Signed by the GMS like any message: only the extension is wrong.
        let mut params = create_params(KeyKind::Gmk, GMS, ALICE);
        params.extensions = vec![GeneralExtension::KeyParameters(data)];
        let result = process_as(&create(&params), ALICE, T, None);
        match expected {
            None => assert!(result.unwrap().key_parameters.is_some()),
            Some(e) => assert_eq!(result.unwrap_err(), MikeyError::KeyParameters(e)),
        }
    }
}

#[test]
fn created_message_layout() {
    // No SAKKE operation beyond creation: check what was written.
    let mut params = create_params(KeyKind::Gmk, GMS, ALICE);
    params.rand = Some([7; 16]);
    let bytes = create(&params);
    let msg = parse(&bytes).unwrap();
    assert_eq!(&bytes[..4], [1, 26, payload_type::T, PRF_HMAC_SHA_256]);
    assert_eq!(msg.timestamp, Timestamp::NtpUtc((T & 0xffff_ffff) << 32));
    assert_eq!(msg.rand, [7; 16]);
    let roles: Vec<_> = msg.identities.iter().map(|i| i.role).collect();
    assert_eq!(
        roles,
        [
            IdRole::Initiator,
            IdRole::Responder,
            IdRole::InitiatorKms,
            IdRole::ResponderKms
        ]
    );
    assert_eq!(
        msg.identity(IdRole::Initiator).unwrap().data,
        GMS.as_bytes()
    );
    assert_eq!(msg.policies, [SecurityPolicy::gmk_default()]);
    assert_eq!(
        msg.policies[0].param(srtp_param::ROC_TRANSMISSION_RATE),
        Some(&[1][..])
    );
    assert_eq!(msg.signature.sig_type, SIGN_TYPE_ECCSI);
    let parts: Vec<_> = spans(&bytes).into_iter().map(|(p, _, _)| p).collect();
    assert_eq!(
        parts,
        [
            Part::Header,
            Part::T,
            Part::Rand,
            Part::Idr,
            Part::Idr,
            Part::Idr,
            Part::Idr,
            Part::Sp,
            Part::Sakke,
            Part::Sign
        ]
    );
    WORLD
        .verifier
        .verify(
            &identifier(GMS, N),
            &bytes[..msg.signed_len],
            &msg.signature.data,
        )
        .unwrap();
}

#[test]
fn create_refuses_inconsistent_parameters() {
    let w = &*WORLD;
    let mut params = create_params(KeyKind::Pck, ALICE, BOB);
    params.key_id = KeyKind::Csk.key_id(1);
    let err = create_imessage(&params, &w.alice.signer, &w.public, None).unwrap_err();
    assert!(matches!(err, MikeyError::InvalidParams(_)), "{err}");

    let mut params = create_params(KeyKind::Pck, ALICE, BOB);
    params.sakke_to_self = true;
    let err = create_imessage(&params, &w.alice.signer, &w.public, None).unwrap_err();
    assert!(matches!(err, MikeyError::InvalidParams(_)), "{err}");

    let mut params = create_params(KeyKind::Pck, ALICE, BOB);
    params.initiator_kms = KmsParams::new(KMS_URI, PERIOD, T + 1).unwrap();
    let err = create_imessage(&params, &w.alice.signer, &w.public, None).unwrap_err();
    assert!(matches!(err, MikeyError::InvalidParams(_)), "{err}");
}

#[test]
fn one_key_period_either_side_of_t() {
    // Just after the boundary into N + 1, the initiator still signs and encapsulates with
    // period N keys.
    let mut params = create_params(KeyKind::Pck, ALICE, BOB);
    params.time_ntp = (N + 1) * PERIOD + 5;
    params.initiator_period = Some(N);
    params.responder_period = Some(N);
    let bytes = create(&params);
    let got = process_as(&bytes, BOB, params.time_ntp, Some(ALICE)).unwrap();
    assert_eq!(*got.key, KEY);
    assert_eq!(got.period, N);
    assert_eq!(got.initiator_period, Some(N));

    // Two periods away is too far: the signature matches no candidate identity.
    params.time_ntp = (N + 2) * PERIOD + 5;
    let bytes = create(&params);
    assert_eq!(
        process_as(&bytes, BOB, params.time_ntp, Some(ALICE)).unwrap_err(),
        MikeyError::SignatureInvalid
    );
    // With hidden identities the receiver sees at once that the UIDs are not of a nearby
    // period.
    params.hide_identities = true;
    let bytes = create(&params);
    assert_eq!(
        process_as(&bytes, BOB, params.time_ntp, None).unwrap_err(),
        MikeyError::NotForUs
    );
}

// ---------------------------------------------------------------------------------------------
// Refusals that need a signature
// ---------------------------------------------------------------------------------------------

#[test]
fn signature_by_another_identity() {
    let w = &*WORLD;
    // Bob signs a message that names Alice as the initiator.
    let params = create_params(KeyKind::Pck, ALICE, GMS);
    let bytes = create_imessage(&params, &w.bob.signer, &w.public, None).unwrap();
    assert_eq!(
        process_as(&bytes, GMS, T, None).unwrap_err(),
        MikeyError::SignatureInvalid
    );
    // Hidden identities: the same with IDRuidi.
    let mut params = params;
    params.hide_identities = true;
    let bytes = create_imessage(&params, &w.bob.signer, &w.public, None).unwrap();
    assert_eq!(
        process_as(&bytes, GMS, T, None).unwrap_err(),
        MikeyError::SignatureInvalid
    );
    // A valid message with one octet of the RAND changed.
    let mut bytes = create(&create_params(KeyKind::Pck, ALICE, GMS));
    let rand_at = spans(&bytes)[2].1 + 2;
    bytes[rand_at] ^= 1;
    assert_eq!(
        process_as(&bytes, GMS, T, None).unwrap_err(),
        MikeyError::SignatureInvalid
    );
}

#[test]
fn message_for_another_receiver() {
    for hide in [false, true] {
        let mut params = create_params(KeyKind::Pck, ALICE, BOB);
        params.hide_identities = hide;
        let bytes = create(&params);
        assert_eq!(
            process_as(&bytes, GMS, T, None).unwrap_err(),
            MikeyError::NotForUs,
            "hide {hide}"
        );
    }
    // For us by URI, but under another KMS.
    let mut params = create_params(KeyKind::Pck, ALICE, BOB);
    params.responder_kms = KmsParams::new("kms.elsewhere.example", PERIOD, 0).unwrap();
    let bytes = create(&params);
    assert_eq!(
        process_as(&bytes, BOB, T, None).unwrap_err(),
        MikeyError::NotForUs
    );
}

#[test]
fn t_outside_the_window() {
    let bytes = create(&create_params(KeyKind::Pck, ALICE, BOB));
    for now in [T + WINDOW + 1, T - WINDOW - 1, T + PERIOD, 0] {
        assert_eq!(
            process_as(&bytes, BOB, now, None).unwrap_err(),
            MikeyError::TimeOutsideWindow,
            "now {now}"
        );
    }
    // At the edges of the window the message passes the time check (and stops at the
    // directory, without cryptography).
    for now in [T + WINDOW, T - WINDOW] {
        let params = ProcessParams {
            now_ntp: now,
            replay_window_s: WINDOW,
            own_uri: BOB,
            own_kms: kms_params(),
            initiator_uri: None,
        };
        assert_eq!(
            process_imessage(&bytes, &params, &Nobody).unwrap_err(),
            MikeyError::UnknownInitiatorKms
        );
    }
}

#[test]
fn refusals_after_a_valid_signature() {
    let w = &*WORLD;
    let bytes = create(&create_params(KeyKind::Gmk, GMS, ALICE));
    let msg = parse(&bytes).unwrap();

    // SPI that disagrees with the CSB ID.
    let mut bad = msg.clone();
    if let CsIdMap::GenericId(sessions) = &mut bad.header.cs_map {
        sessions[0].spi[7] ^= 1;
    }
    assert_eq!(
        process_as(&resign(&bad, &w.gms.signer), ALICE, T, None).unwrap_err(),
        MikeyError::KeyIdMismatch
    );

    // A tampered SED.
    let mut bad = msg.clone();
    bad.sakke.data[272] ^= 1;
    assert_eq!(
        process_as(&resign(&bad, &w.gms.signer), ALICE, T, None).unwrap_err(),
        MikeyError::DecapsulationFailed
    );

    // No RSK for the period.
    let directory = Directory {
        kms: kms_params(),
        verifier: &w.verifier,
        receivers: vec![(N + 5, &w.alice.receiver)],
    };
    let params = ProcessParams {
        now_ntp: T,
        replay_window_s: WINDOW,
        own_uri: ALICE,
        own_kms: kms_params(),
        initiator_uri: None,
    };
    assert_eq!(
        process_imessage(&bytes, &params, &directory).unwrap_err(),
        MikeyError::NoReceiverKey
    );

    // A KMS the directory does not know.
    let mut bad = msg.clone();
    bad.identities
        .iter_mut()
        .find(|i| i.role == IdRole::InitiatorKms)
        .unwrap()
        .data = b"kms.unknown.example".to_vec();
    assert_eq!(
        process_as(&resign(&bad, &w.gms.signer), ALICE, T, None).unwrap_err(),
        MikeyError::UnknownInitiatorKms
    );

    // An initiator URI from the caller that IDRi contradicts.
    assert_eq!(
        process_as(&bytes, ALICE, T, Some(BOB)).unwrap_err(),
        MikeyError::InitiatorMismatch
    );

    // No initiator identity at all.
    let mut bad = msg.clone();
    bad.identities.retain(|i| i.role != IdRole::Initiator);
    assert_eq!(
        process_as(&resign(&bad, &w.gms.signer), ALICE, T, None).unwrap_err(),
        MikeyError::Missing(Part::InitiatorIdentity)
    );

    // A UID of the wrong length.
    let mut bad = msg.clone();
    bad.identities.retain(|i| i.role != IdRole::Initiator);
    bad.identities.push(mcptt_kmc::mikey::Idr {
        role: IdRole::InitiatorUid,
        id_type: ID_TYPE_URI,
        data: vec![1; 31],
    });
    assert_eq!(
        process_as(&resign(&bad, &w.gms.signer), ALICE, T, None).unwrap_err(),
        MikeyError::InvalidIdentity
    );
}

#[test]
fn refusals_of_what_the_message_claims() {
    let bytes = create(&create_params(KeyKind::Pck, ALICE, BOB));
    let msg = parse(&bytes).unwrap();
    let nobody = |bytes: &[u8]| {
        let params = ProcessParams {
            now_ntp: T,
            replay_window_s: WINDOW,
            own_uri: BOB,
            own_kms: kms_params(),
            initiator_uri: None,
        };
        process_imessage(bytes, &params, &Nobody).unwrap_err()
    };
    assert_eq!(nobody(&bytes), MikeyError::UnknownInitiatorKms);

    let mut bad = msg.clone();
    bad.header.csb_id = 0x3000_0001;
    assert_eq!(
        nobody(&bad.to_bytes().unwrap()),
        MikeyError::UnsupportedKeyType(3)
    );

    let mut bad = msg.clone();
    bad.sakke.id_scheme = 1;
    assert_eq!(
        nobody(&bad.to_bytes().unwrap()),
        MikeyError::UnsupportedSakke {
            params: 1,
            id_scheme: 1
        }
    );

    let mut bad = msg.clone();
    bad.signature.sig_type = 0;
    assert_eq!(
        nobody(&bad.to_bytes().unwrap()),
        MikeyError::UnsupportedSignature {
            sig_type: 0,
            len: 129
        }
    );

    let mut bad = msg.clone();
    bad.timestamp = Timestamp::Counter(7);
    assert_eq!(
        nobody(&bad.to_bytes().unwrap()),
        MikeyError::UnsupportedTimestamp(2)
    );

    let mut bad = msg.clone();
    bad.identities
        .retain(|i| !matches!(i.role, IdRole::Responder | IdRole::ResponderUid));
    assert_eq!(
        nobody(&bad.to_bytes().unwrap()),
        MikeyError::Missing(Part::ResponderIdentity)
    );
}

// ---------------------------------------------------------------------------------------------
// Structural refusals (no cryptography)
// ---------------------------------------------------------------------------------------------

/// The Streamwide messages and a few of our own (one with SAKKE-to-self): seeds for the
/// structural tests and the fuzzer.
static SEEDS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let mut seeds: Vec<_> = SW.messages.iter().map(|m| m.bytes.clone()).collect();
    let mut params = create_params(KeyKind::Gmk, GMS, ALICE);
    params.sakke_to_self = true;
    params.extensions = vec![GeneralExtension::Other {
        ext_type: 1,
        data: b"sdp-id".to_vec(),
    }];
    seeds.push(create(&params));
    let mut params = create_params(KeyKind::Csk, ALICE, GMS);
    params.hide_identities = true;
    seeds.push(create(&params));
    seeds
});

#[test]
fn each_payload_truncated() {
    for seed in SEEDS.iter() {
        for (part, start, end) in spans(seed) {
            for cut in start..end {
                let err = parse(&seed[..cut]).unwrap_err();
                assert!(
                    err == MikeyError::Truncated(part) || err == MikeyError::LengthPastEnd(part),
                    "cut at {cut} in {part:?} [{start}, {end}): {err:?}"
                );
            }
        }
        parse(seed).unwrap();
    }
}

/// `seed` with a 16-bit value written at `at`.
fn with_u16(seed: &[u8], at: usize, value: u16) -> Vec<u8> {
    let mut m = seed.to_vec();
    m[at..at + 2].copy_from_slice(&value.to_be_bytes());
    m
}

#[test]
fn lengths_pointing_past_the_end() {
    let seed = &SEEDS[0];
    for (part, start, _) in spans(seed) {
        let bad = match part {
            Part::Idr | Part::Sp | Part::Sakke => with_u16(seed, start + 3, 0xffff),
            Part::GeneralExtension => with_u16(seed, start + 2, 0xffff),
            Part::Sign => with_u16(seed, start, 0x2fff),
            // Session data length of the GENERIC-ID crypto session.
            Part::Header => with_u16(seed, 13 + 1, 0xffff),
            // RAND: 255 octets claimed where 16 remain.
            Part::Rand => {
                let mut m = seed[..start + 18].to_vec();
                m[start + 1] = 0xff;
                m
            }
            Part::T => continue,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            parse(&bad),
            Err(MikeyError::LengthPastEnd(part)),
            "{part:?}"
        );
    }
    // The SAKKE payload inside SAKKE-to-self claims more than its extension holds.
    let seed = &SEEDS[4];
    let (_, start, _) = spans(seed)
        .into_iter()
        .find(|(p, _, _)| *p == Part::GeneralExtension)
        .unwrap();
    assert_eq!(seed[start + 1], 6);
    let bad = with_u16(seed, start + 4 + 3, 274);
    assert_eq!(
        parse(&bad),
        Err(MikeyError::LengthPastEnd(Part::SakkeToSelf))
    );
}

#[test]
fn unknown_payloads_and_header_fields() {
    let seed = &SEEDS[0];
    // The header names an unknown first payload; a later payload names KEMAC (1).
    let mut bad = seed.clone();
    bad[2] = 99;
    assert_eq!(parse(&bad), Err(MikeyError::UnknownPayload(99)));
    let (_, rand_at, _) = spans(seed)[2];
    let mut bad = seed.clone();
    bad[rand_at] = 1;
    assert_eq!(parse(&bad), Err(MikeyError::UnknownPayload(1)));
    // The last payload before SIGN names "no more payloads".
    let spans = spans(seed);
    let (_, last_at, _) = spans[spans.len() - 2];
    let mut bad = seed.clone();
    bad[last_at] = payload_type::LAST;
    assert_eq!(parse(&bad), Err(MikeyError::Missing(Part::Sign)));

    let mut bad = seed.clone();
    bad[0] = 2;
    assert_eq!(parse(&bad), Err(MikeyError::BadVersion(2)));
    let mut bad = seed.clone();
    bad[1] = 0;
    assert_eq!(parse(&bad), Err(MikeyError::BadDataType(0)));
    let mut bad = seed.clone();
    bad[9] = 7;
    assert_eq!(parse(&bad), Err(MikeyError::UnknownCsIdMap(7)));
    let mut bad = seed.clone();
    bad[spans[1].1 + 1] = 3;
    assert_eq!(parse(&bad), Err(MikeyError::UnknownTimestampType(3)));
    let mut bad = seed.clone();
    bad.push(0);
    assert_eq!(parse(&bad), Err(MikeyError::TrailingData(Part::Sign)));
    assert_eq!(parse(&[]), Err(MikeyError::Truncated(Part::Header)));
}

/// `seed` with a copy of its payload `index` (by [`spans`]) inserted right after it: the
/// original names the copy, the copy names the original's successor.
fn duplicate_payload(seed: &[u8], index: usize) -> Vec<u8> {
    let spans = spans(seed);
    let (part, start, end) = spans[index];
    assert_ne!(part, Part::Sign);
    let own_type = if index == 1 {
        seed[2]
    } else {
        seed[spans[index - 1].1]
    };
    let mut first = seed[start..end].to_vec();
    first[0] = own_type;
    let mut m = seed[..start].to_vec();
    m.extend_from_slice(&first);
    m.extend_from_slice(&seed[start..]);
    m
}

fn index_of(seed: &[u8], part: Part) -> usize {
    spans(seed).iter().position(|(p, _, _)| *p == part).unwrap()
}

#[test]
fn duplicated_payloads() {
    let seed = &SEEDS[0];
    let spans_ = spans(seed);
    for (index, (part, _, _)) in spans_.iter().enumerate().skip(1) {
        if *part == Part::Sign {
            continue;
        }
        let bad = duplicate_payload(seed, index);
        assert_eq!(bad.len(), seed.len() + (spans_[index].2 - spans_[index].1));
        match part {
            // Several SP and General Extension payloads are allowed.
            Part::Sp | Part::GeneralExtension => {
                let msg = parse(&bad).unwrap();
                assert!(msg.policies.len() == 2 || msg.extensions.len() == 2);
            }
            _ => assert_eq!(parse(&bad), Err(MikeyError::Duplicate(*part)), "{part:?}"),
        }
    }
    // Two SAKKE-to-self extensions.
    let seed = &SEEDS[4];
    let index = spans(seed)
        .iter()
        .position(|(p, s, _)| *p == Part::GeneralExtension && seed[s + 1] == 6)
        .unwrap();
    assert_eq!(
        parse(&duplicate_payload(seed, index)),
        Err(MikeyError::Duplicate(Part::SakkeToSelf))
    );
    // A duplicated SAKKE payload is refused by processing too.
    let bad = duplicate_payload(&SEEDS[0], index_of(&SEEDS[0], Part::Sakke));
    let alice = SW.user("alice");
    let params = ProcessParams {
        now_ntp: SW_T,
        replay_window_s: 300,
        own_uri: &alice.uri,
        own_kms: SW.kms(),
        initiator_uri: None,
    };
    assert_eq!(
        process_imessage(&bad, &params, &Nobody).unwrap_err(),
        MikeyError::Duplicate(Part::Sakke)
    );
}

#[test]
fn missing_payloads() {
    // Drop a payload by making its predecessor name its successor.
    let seed = &SEEDS[0];
    let spans = spans(seed);
    for part in [Part::T, Part::Rand, Part::Sakke] {
        let index = index_of(seed, part);
        let (_, start, end) = spans[index];
        let mut m = seed[..start].to_vec();
        m.extend_from_slice(&seed[end..]);
        let pred = if index == 1 { 2 } else { spans[index - 1].1 };
        m[pred] = seed[start];
        assert_eq!(parse(&m), Err(MikeyError::Missing(part)), "{part:?}");
    }
}

#[test]
fn srtp_id_map_round_trip() {
    let legacy = &SW.messages[3].bytes;
    let msg = parse(legacy).unwrap();
    assert_eq!(msg.header.cs_map.map_type(), CS_MAP_SRTP_ID);
    assert_eq!(msg.to_bytes().unwrap(), *legacy);
}

// ---------------------------------------------------------------------------------------------
// Fuzzing
// ---------------------------------------------------------------------------------------------

/// xorshift64*: a small deterministic generator, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut m = seed.to_vec();
    let boundaries: Vec<usize> = spans(seed).iter().map(|(_, s, _)| *s).collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(m.len());
        match rng.below(8) {
            0 => m[at] ^= 1 << rng.below(8),
            1 => m[at] = rng.next() as u8,
            2 => m.truncate(at),
            3 => {
                m.remove(at);
            }
            4 => m.insert(at, rng.next() as u8),
            // A next-payload or type octet at a payload boundary.
            5 => {
                let b = boundaries[rng.below(boundaries.len())];
                if let Some(x) = m.get_mut(b) {
                    *x = [0, 4, 5, 10, 11, 14, 21, 26, 1, 255][rng.below(10)];
                }
            }
            // A length field near a payload start.
            6 => {
                let b = boundaries[rng.below(boundaries.len())] + 1 + rng.below(4);
                if let Some(x) = m.get_mut(b) {
                    *x = [0, 1, 0x7f, 0x80, 0xff][rng.below(5)];
                }
            }
            _ => {
                let b = boundaries[rng.below(boundaries.len())];
                let len = rng.below(40);
                let chunk: Vec<u8> = m.iter().skip(b).take(len).copied().collect();
                let at = rng.below(m.len() + 1);
                m.splice(at..at, chunk);
            }
        }
        if m.is_empty() {
            break;
        }
    }
    m
}

#[test]
fn fuzz_parser() {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let (mut accepted, mut refused) = (0, 0);
    for i in 0..20_000 {
        let seed = &SEEDS[i % SEEDS.len()];
        let m = mutate(&mut rng, seed);
        match parse(&m) {
            Ok(msg) => {
                accepted += 1;
                // What parses writes back, and that parses to the same message.
                let again = parse(&msg.to_bytes().unwrap()).unwrap();
                assert_eq!(
                    IMessage {
                        signed_len: 0,
                        ..again
                    },
                    IMessage {
                        signed_len: 0,
                        ..msg
                    }
                );
            }
            Err(err) => {
                refused += 1;
                assert!(!err.to_string().is_empty());
            }
        }
        // The SDP form never panics either.
        let _ = sdp::from_key_mgmt(&String::from_utf8_lossy(&m));
    }
    eprintln!("fuzz_parser: {accepted} accepted, {refused} refused");
    assert!(refused > 10_000, "{accepted} accepted, {refused} refused");
}

#[test]
fn fuzz_processing() {
    let mut rng = Rng(0x0dd_ba11_cafe_f00d);
    let mut outcomes = std::collections::BTreeMap::new();
    let alice = SW.user("alice");
    let params = ProcessParams {
        now_ntp: SW_T,
        replay_window_s: 600,
        own_uri: &alice.uri,
        own_kms: SW.kms(),
        initiator_uri: Some("gms@streamwide.com"),
    };
    for i in 0..400 {
        let seed = &SEEDS[i % 4];
        let m = mutate(&mut rng, seed);
        // The stub directory fails fast: no mutated message gets as far as cryptography.
        let err = process_imessage(&m, &params, &Nobody).unwrap_err();
        *outcomes.entry(format!("{err:?}")).or_insert(0) += 1;
    }
    eprintln!("fuzz_processing: {outcomes:?}");
    // A few dozen go through signature verification with the real KPAK: none verifies.
    let directory = Directory {
        kms: SW.kms(),
        verifier: &SW_VERIFIER,
        receivers: vec![],
    };
    for _ in 0..40 {
        let seed = &SEEDS[0];
        let mut m = seed.clone();
        // Flip one bit anywhere in the signed part.
        let at = rng.below(m.len() - 129);
        m[at] ^= 1 << rng.below(8);
        let err = process_imessage(&m, &params, &directory).unwrap_err();
        assert_ne!(
            err,
            MikeyError::NoReceiverKey,
            "bit flip at {at} passed the signature"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// SRTP master keys from the received keys (TS 33.180 7.4)
// ---------------------------------------------------------------------------------------------

use mcptt_kmc::mikey::srtp::{self, Mki, MkiError, SrtpMaster};

/// A group call: the GMS sends one GMK to alice and bob with one RAND; each member keys its
/// own stream with its GUK-ID, and the other derives that key from the GMK and the packet's
/// MKI alone. With two RANDs the members cannot read each other.
#[test]
fn group_members_derive_each_others_srtp_keys_from_the_mki() {
    let rand = [0x42u8; 16];
    let send = |to: &'static str, rand| {
        let mut params = create_params(KeyKind::Gmk, GMS, to);
        params.rand = rand;
        process_as(&create(&params), to, T, Some(GMS)).unwrap()
    };
    let alice = send(ALICE, Some(rand));
    let bob = send(BOB, Some(rand));
    assert_ne!(alice.guk_id, bob.guk_id);
    for (sender, receiver) in [(&alice, &bob), (&bob, &alice)] {
        let own = sender.srtp_master(srtp::CS_ID_MCPTT_GROUP).unwrap();
        assert_eq!(
            own.mki.as_bytes(),
            [
                sender.key_id.to_be_bytes(),
                sender.guk_id.unwrap().to_be_bytes()
            ]
            .concat()
        );
        let packet_mki = Mki::parse(own.mki.as_bytes()).unwrap();
        let theirs = SrtpMaster::derive(
            &receiver.key,
            receiver.key_id,
            &receiver.rand,
            srtp::CS_ID_MCPTT_GROUP,
            packet_mki,
        )
        .unwrap();
        assert_eq!((*theirs.key, *theirs.salt), (*own.key, *own.salt));
        assert_eq!(theirs.mki, own.mki);
    }
    // Each member's stream has its own key.
    let a = alice.srtp_master(srtp::CS_ID_MCPTT_GROUP).unwrap();
    let b = bob.srtp_master(srtp::CS_ID_MCPTT_GROUP).unwrap();
    assert_ne!(*a.key, *b.key);
    // The value of the shared RAND: bob with a message of another RAND cannot read alice.
    let other = send(BOB, None);
    let wrong = SrtpMaster::derive(&other.key, other.key_id, &other.rand, 4, a.mki).unwrap();
    assert_ne!(*wrong.key, *a.key);
    // A packet of another GMK: refused.
    let foreign = Mki::gmk(alice.key_id ^ 1, alice.guk_id.unwrap());
    assert_eq!(
        SrtpMaster::derive(&bob.key, bob.key_id, &bob.rand, 4, foreign).unwrap_err(),
        MkiError::UnknownMki
    );
}

/// A private call: alice (initiator) sends the PCK to bob; both directions carry MKI = PCK-ID,
/// alice's stream under CS ID 0, bob's under CS ID 1.
#[test]
fn private_call_keys_agree_in_both_directions() {
    let rand = [0x17u8; 16];
    let mut params = create_params(KeyKind::Pck, ALICE, BOB);
    params.rand = Some(rand);
    let bob = process_as(&create(&params), BOB, T, Some(ALICE)).unwrap();
    assert_eq!(bob.rand, rand);
    let pck_id = key_id(KeyKind::Pck);
    for cs_id in [
        srtp::CS_ID_MCPTT_PRIVATE_INITIATOR,
        srtp::CS_ID_MCPTT_PRIVATE_RECEIVER,
    ] {
        let at_bob = bob.srtp_master(cs_id).unwrap();
        let at_alice = SrtpMaster::derive(&KEY, pck_id, &rand, cs_id, Mki::pck(pck_id)).unwrap();
        assert_eq!((*at_bob.key, *at_bob.salt), (*at_alice.key, *at_alice.salt));
        assert_eq!(at_bob.mki.as_bytes(), pck_id.to_be_bytes());
        // The independent check: the RFC 3830 PRF with CSB ID = PCK-ID.
        let mut key = [0u8; 16];
        mcptt_kmc::mikey::prf::derive_key(&KEY, 0x2AD0_1C64, cs_id, pck_id, &rand, &mut key)
            .unwrap();
        assert_eq!(*at_bob.key, key);
    }
    let i = bob.srtp_master(0).unwrap();
    let r = bob.srtp_master(1).unwrap();
    assert_ne!(*i.key, *r.key);
    // A CSK protects no media.
    let csk = process_as(
        &create(&create_params(KeyKind::Csk, ALICE, GMS)),
        GMS,
        T,
        Some(ALICE),
    )
    .unwrap();
    assert_eq!(csk.srtp_master(0).unwrap_err(), MkiError::NotMediaKey);
}
