//! The KMS XML codec the other way round: a KmsResponse value built from the input (strings,
//! numbers, times and flags of every kind of payload; the keys from a fixed KMS's documents),
//! emitted with `emit_response_checked`. Whatever it hands out must parse back to the same
//! value (up to the missing `Version` it fills in); what it refuses must be a document the
//! parser refuses. Strings are the input's octets as UTF-8 (invalid sequences replaced) with
//! XML white space trimmed at both ends (the parser trims values).
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use mcptt_kmc::kms::message::{KmsErrorInfo, KmsPayload, KmsResponse};
use mcptt_kmc::kms::xml;

static INIT: LazyLock<KmsResponse> = LazyLock::new(|| {
    xml::parse_response(include_bytes!("../seeds/kms_xml/init.xml")).expect("init seed")
});
static KEYPROV: LazyLock<KmsResponse> = LazyLock::new(|| {
    xml::parse_response(include_bytes!("../seeds/kms_xml/keyprov.xml")).expect("keyprov seed")
});

/// Reads values off the input; past its end, empty strings and zeros.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        let (&b, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        b
    }
    fn u64(&mut self) -> u64 {
        let mut v = [0u8; 8];
        v.iter_mut().for_each(|b| *b = self.byte());
        u64::from_le_bytes(v)
    }
    fn i64(&mut self) -> i64 {
        self.u64() as i64
    }
    fn flag(&mut self) -> bool {
        self.byte() & 1 == 1
    }
    fn string(&mut self) -> String {
        let len = usize::from(self.byte());
        let (text, rest) = self.0.split_at(len.min(self.0.len()));
        self.0 = rest;
        let s = String::from_utf8_lossy(text);
        s.trim_matches([' ', '\t', '\n', '\r']).to_owned()
    }
    fn opt_string(&mut self) -> Option<String> {
        self.flag().then(|| self.string())
    }
    fn opt_i64(&mut self) -> Option<i64> {
        self.flag().then(|| self.i64())
    }
}

/// `response` as the emitter writes it: missing certificate and key set versions "1.1.0".
fn as_emitted(mut response: KmsResponse) -> KmsResponse {
    let fill = |v: &mut Option<String>| {
        v.get_or_insert_with(|| "1.1.0".into());
    };
    match &mut response.payload {
        KmsPayload::Init(certificate) => fill(&mut certificate.version),
        KmsPayload::KeyProv(sets) => sets.iter_mut().for_each(|s| fill(&mut s.version)),
        KmsPayload::CertCache { certificates, .. } => {
            certificates.iter_mut().for_each(|c| fill(&mut c.version))
        }
        KmsPayload::Error(_) => {}
    }
    response
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let kind = input.byte();
    let mut response = match kind % 4 {
        0 => INIT.clone(),
        1 | 2 => KEYPROV.clone(),
        _ => KmsResponse {
            payload: KmsPayload::Error(KmsErrorInfo {
                code: 0,
                message: String::new(),
            }),
            ..INIT.clone()
        },
    };
    response.user_uri = input.string();
    response.kms_uri = input.string();
    response.client_req_url = input.string();
    response.time = input.opt_i64();
    response.kms_id = input.opt_string();
    match &mut response.payload {
        KmsPayload::Init(c) => {
            c.version = input.opt_string();
            c.cert_uri = input.opt_string();
            c.kms_uri = input.string();
            c.issuer = input.opt_string();
            c.valid_from = input.opt_i64();
            c.valid_to = input.opt_i64();
            c.revoked = input.flag();
            c.user_id_format = input.string();
            c.user_key_period = input.u64();
            c.user_key_offset = input.u64();
            c.parameter_set = input.flag().then(|| u64::from(input.byte()));
            c.kms_domains = (0..input.byte() % 4).map(|_| input.string()).collect();
        }
        KmsPayload::KeyProv(sets) => {
            let template = sets[0].clone();
            let count = if kind % 4 == 2 {
                0
            } else {
                1 + input.byte() % 3
            };
            *sets = (0..count)
                .map(|_| {
                    let mut s = template.clone();
                    s.version = input.opt_string();
                    s.kms_uri = input.string();
                    s.cert_uri = input.opt_string();
                    s.issuer = input.opt_string();
                    s.user_uri = input.string();
                    s.valid_from = input.opt_i64();
                    s.valid_to = input.opt_i64();
                    s.key_period_no = input.u64();
                    s.revoked = input.flag();
                    s
                })
                .collect();
        }
        KmsPayload::Error(e) => {
            e.code = input.i64();
            e.message = input.string();
        }
        KmsPayload::CertCache { .. } => unreachable!("not built"),
    }
    match xml::emit_response_checked(&response) {
        Ok(text) => {
            let parsed = xml::parse_response(text.as_bytes()).expect("checked document parses");
            assert_eq!(
                parsed,
                as_emitted(response),
                "emit then parse\n{}",
                text.as_str()
            );
        }
        Err(_) => {
            let text = xml::emit_response(&response);
            assert!(xml::parse_response(text.as_bytes()).is_err());
        }
    }
});
