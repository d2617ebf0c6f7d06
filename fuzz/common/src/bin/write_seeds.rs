//! Writes the committed seed corpus, fuzz/seeds/<target>/, a handful of small inputs per
//! target: KMS documents of the fixed KMS and the shared fixtures, client answer sequences,
//! real I_MESSAGEs to bob and their SDP form, key store plaintexts of a real export, and the
//! RFC vectors for the crypto entry points. Run from fuzz/: `cargo run --release --bin
//! write-seeds` (it replaces the generated files; signatures and nonces are random, so the
//! octets differ from run to run while the inputs stay valid).

use std::fs;
use std::path::{Path, PathBuf};

use mcptt_kmc::client::{ImessageOptions, new_key};
use mcptt_kmc::kms::message::{KmsErrorInfo, KmsPayload, KmsRequest};
use mcptt_kmc::kms::xml;
use mcptt_kmc::mikey::{KeyKind, sdp};
use mcptt_kmc_fuzz_common::{
    self as common, ALICE, BOB, GMS, NOW, STORAGE_KEY, eccsi_vector, encode_record, sakke_vector,
};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn write(target: &str, name: &str, data: &[u8]) {
    let dir = root().join("seeds").join(target);
    fs::create_dir_all(&dir).expect("seed dir");
    fs::write(dir.join(name), data).expect("seed");
}

/// Runs a `client_response` input as the target does (without its checks): the client after it.
fn answer(data: &[u8]) -> mcptt_kmc::client::Client {
    use mcptt_kmc::client::{Client, Output};
    let mut client = Client::new(common::config(ALICE)).expect("config");
    client.set_access_token(common::TOKEN).expect("token");
    let mut now = NOW;
    for record in common::records(data) {
        now += record.advance_s;
        let mut id = None;
        for _ in 0..64 {
            match client.poll_output(now) {
                Output::Request(r) => {
                    id = Some(r.id);
                    break;
                }
                Output::Event(_) => {}
                Output::WakeUp(at) => now = at,
                Output::None => break,
            }
        }
        let Some(id) = id else { continue };
        match record.answer {
            common::Answer::Status(status) => {
                let _ = client.handle_response(now, id, status, record.body);
            }
            common::Answer::Failure => client.handle_failure(now, id).expect("in flight"),
        }
    }
    client
}

fn main() {
    let kms = common::kms();
    let fixtures = root().join("../tests/fixtures/kms");
    let fixture = |name: &str| fs::read(fixtures.join(name)).expect("fixture");
    let init = common::init_response(&kms, ALICE);
    let keyprov = common::keyprov_response(&kms, ALICE, NOW);
    let error = common::response(
        ALICE,
        KmsPayload::Error(KmsErrorInfo {
            code: 7,
            message: "not authorised".into(),
        }),
    );

    // kms_xml: our documents and the real KMS's.
    write("kms_xml", "init.xml", &init);
    write("kms_xml", "keyprov.xml", &keyprov);
    write("kms_xml", "error.xml", &error);
    write(
        "kms_xml",
        "fixture-init.xml",
        &fixture("init-response-1.xml"),
    );
    write(
        "kms_xml",
        "fixture-keyprov.xml",
        &fixture("keyprov-response-1.xml"),
    );
    let request = KmsRequest {
        user_uri: ALICE.into(),
        kms_uri: common::KMS_URI.into(),
        time: NOW as i64,
        client_id: Some("client".into()),
        device_id: Some("device".into()),
        client_req_url: format!("{}/keymanagement/identity/v1/init", common::KMS_URL),
        client_error: Some(KmsErrorInfo {
            code: 1,
            message: "retry".into(),
        }),
    };
    write(
        "kms_xml",
        "request.xml",
        xml::emit_request(&request).as_bytes(),
    );

    // kms_xml_emit: a few value descriptions (kind, then length-prefixed strings and numbers).
    let text = |s: &str| [vec![s.len() as u8], s.as_bytes().to_vec()].concat();
    let uris = [text(ALICE), text(common::KMS_URI), text(common::KMS_URL)].concat();
    write(
        "kms_xml_emit",
        "error",
        &[
            vec![3],
            uris.clone(),
            vec![0, 0],
            vec![7; 8],
            text("no & <way>"),
        ]
        .concat(),
    );
    write(
        "kms_xml_emit",
        "init",
        &[vec![0], uris.clone(), vec![1], NOW.to_le_bytes().to_vec()].concat(),
    );
    write(
        "kms_xml_emit",
        "keyprov",
        &[vec![1], uris, vec![0, 1], text("kms.example.org"), vec![2]].concat(),
    );

    // client_response: init then keyprov (provisions); a KmsError; 401 then the answers
    // again; the real KMS's documents (refused: another KMS URI).
    let both = [encode_record(0, 0, &init), encode_record(0, 0, &keyprov)].concat();
    write("client_response", "provision", &both);
    assert_eq!(
        answer(&both).materials().count(),
        1,
        "the provision seed provisions"
    );
    let next_period = common::keyprov_response(&kms, ALICE, NOW + common::USER_KEY_PERIOD);
    let rollover = [
        both.clone(),
        // 111^2 minutes (8.6 days) later, the clock then moved to the client's wake-up (a
        // day before NOW's period ends), the client asks for the certificate again, then for
        // the next period's keys.
        encode_record(0, 111, &init),
        encode_record(0, 0, &next_period),
    ]
    .concat();
    write("client_response", "rollover", &rollover);
    assert_eq!(
        answer(&rollover).materials().count(),
        2,
        "the rollover seed adds a period"
    );
    write("client_response", "kms-error", &encode_record(0, 0, &error));
    let refused = [
        encode_record(0xe0, 0, b""),
        encode_record(0xe4, 1, b""),
        encode_record(0xf0, 2, b""),
        both,
    ]
    .concat();
    write("client_response", "refusals", &refused);
    let real = [
        encode_record(0, 0, &fixture("init-response-1.xml")),
        encode_record(0, 0, &fixture("keyprov-response-1.xml")),
    ]
    .concat();
    write("client_response", "fixtures", &real);

    // mikey_process and sdp: I_MESSAGEs from the GMS to bob at NOW; each is checked to go all
    // the way through bob's processing, as the target runs it.
    let gms = common::provisioned(&kms, GMS);
    let bob = common::provisioned(&kms, BOB);
    let kinds = [
        ("gmk", KeyKind::Gmk, false, false),
        ("gmk-hidden-self", KeyKind::Gmk, true, true),
        ("pck", KeyKind::Pck, false, false),
        ("csk-hidden", KeyKind::Csk, true, false),
    ];
    for (name, kind, hide, to_self) in kinds {
        let (key_id, key) = new_key(kind).expect("key");
        let options = ImessageOptions {
            kind,
            key: &key,
            key_id,
            hide_identities: hide,
            sakke_to_self: to_self,
            responder_kms: None,
        };
        let message = gms
            .mikey_create_imessage(GMS, BOB, NOW, &options)
            .expect("I_MESSAGE");
        let initiator = if message.len() % 2 == 0 {
            None
        } else {
            Some(GMS)
        };
        let received = bob
            .mikey_process_imessage(BOB, NOW, common::REPLAY_WINDOW_S, initiator, &message)
            .expect("bob processes the seed");
        assert_eq!(*received.key, *key, "{name}: the key");
        write("mikey_process", name, &message);
        write(
            "sdp",
            name,
            format!("a=key-mgmt:{}", sdp::to_key_mgmt(&message)).as_bytes(),
        );
    }

    // store_import: the plaintext of alice's export (mode 1) and the blob itself (mode 0),
    // with a GMK and a CSK (initiator hidden) from the GMS in her key ring, so that the keys
    // and who distributed them are in the seeds.
    let mut alice = common::provisioned(&kms, ALICE);
    for (kind, hide) in [(KeyKind::Gmk, false), (KeyKind::Csk, true)] {
        let (key_id, key) = new_key(kind).expect("key");
        let options = ImessageOptions {
            kind,
            key: &key,
            key_id,
            hide_identities: hide,
            sakke_to_self: false,
            responder_kms: None,
        };
        let message = gms
            .mikey_create_imessage(GMS, ALICE, NOW, &options)
            .expect("I_MESSAGE");
        alice
            .mikey_receive(ALICE, NOW, common::REPLAY_WINDOW_S, None, &message)
            .expect("alice keeps the key");
    }
    assert_eq!(alice.keyring().len(), 2, "two keys in alice's key ring");
    let blob = alice.export(&STORAGE_KEY).expect("export");
    let plaintext = common::open_store(ALICE, &blob);
    let mut restored = mcptt_kmc::client::Client::new(common::config(ALICE)).expect("config");
    let sealed = common::seal_store(ALICE, &plaintext);
    assert_eq!(
        restored.import(NOW, &STORAGE_KEY, &sealed).ok(),
        Some(1),
        "plaintext seed"
    );
    write(
        "store_import",
        "plaintext",
        &[&[1u8][..], &plaintext].concat(),
    );
    write("store_import", "blob", &[&[0u8][..], &blob].concat());
    let empty = mcptt_kmc::client::Client::new(common::config(ALICE)).expect("config");
    let blob = empty.export(&STORAGE_KEY).expect("export");
    write(
        "store_import",
        "empty",
        &[&[1u8][..], &common::open_store(ALICE, &blob)].concat(),
    );

    // crypto: one valid input per entry point (choice octet first).
    let seed = |choice: u8, parts: &[Vec<u8>]| [vec![choice], parts.concat()].concat();
    write("crypto", "0-kpak", &seed(0, &[eccsi_vector("kpak")]));
    write(
        "crypto",
        "1-verify",
        &seed(1, &[eccsi_vector("signature"), eccsi_vector("m")]),
    );
    write(
        "crypto",
        "2-signer",
        &seed(2, &[eccsi_vector("ssk"), eccsi_vector("pvt")]),
    );
    write("crypto", "3-z_t", &seed(3, &[sakke_vector("z_point")]));
    write("crypto", "4-rsk", &seed(4, &[sakke_vector("rsk")]));
    write(
        "crypto",
        "5-decapsulate",
        &seed(5, &[sakke_vector("encapsulated_data")]),
    );
    write(
        "crypto",
        "6-kms",
        &seed(6, &[eccsi_vector("ksak"), common::sakke_z()]),
    );
    println!("seeds written to fuzz/seeds/ and checked");
}
