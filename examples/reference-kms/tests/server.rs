//! Runs the `reference-kms` binary and talks HTTPS to it with a rustls + hyper client that
//! trusts the certificate the server wrote: the Annex D answers parse with
//! `mcptt_kmc::kms::xml`, the issued keys validate, and every misbehaviour shows.

use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{self, HeaderMap};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use mcptt_kmc::eccsi::{Signer, Verifier};
use mcptt_kmc::kms::message::{
    CertificateRole, KmsCertificate, KmsKeySet, KmsPayload, KmsRequest, KmsResponse,
};
use mcptt_kmc::kms::xml::{emit_request, parse_response};
use mcptt_kmc::sakke::{SakkePublic, SakkeReceiver};
use mcptt_kmc::time::NTP_UNIX_OFFSET;
use mcptt_kmc::uid::{IdEncoding, derive_uid};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

const ALICE: &str = "sip:alice@example.org";
const GROUP: &str = "sip:group1@example.org";
const BOB: &str = "sip:bob@example.org";
const KMS_URI: &str = "kms.example.org";
const PERIOD: u64 = 2_592_000;
const ROOT: &str = "/keymanagement/identity/v1/";

/// A running server, killed on drop.
struct Kms {
    child: Child,
    dir: PathBuf,
    port: u16,
    tls: TlsConnector,
}

impl Drop for Kms {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- reference-kms log ---\n{}", self.log());
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn kms(&self) -> KmsResponse {
        assert_eq!(
            self.headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            Some("application/xml")
        );
        parse_response(&self.body).expect("a KmsResponse")
    }

    fn certificate(&self) -> KmsCertificate {
        assert_eq!(self.status, StatusCode::OK);
        match self.kms().payload {
            KmsPayload::Init(certificate) => certificate,
            other => panic!("expected KmsInit, got {other:?}"),
        }
    }

    fn key_set(&self) -> KmsKeySet {
        assert_eq!(self.status, StatusCode::OK);
        match self.kms().payload {
            KmsPayload::KeyProv(mut sets) if sets.len() == 1 => sets.remove(0),
            other => panic!("expected one KmsKeySet, got {other:?}"),
        }
    }

    fn error_code(&self) -> i64 {
        match self.kms().payload {
            KmsPayload::Error(error) => error.code,
            other => panic!("expected KmsError, got {other:?}"),
        }
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn ntp_period(unix_s: i64) -> u64 {
    (unix_s as u64 + NTP_UNIX_OFFSET) / PERIOD
}

fn uid(uri: &str, n: u64) -> [u8; 32] {
    derive_uid(uri.as_bytes(), KMS_URI.as_bytes(), PERIOD, 0, n).unwrap()
}

/// Whether the key set validates under the certificate with the identifier of `encoding`.
fn validates(set: &KmsKeySet, cert: &KmsCertificate, encoding: IdEncoding) -> (bool, bool) {
    let id = encoding.identifier(&set.user_id);
    (
        Signer::new(&cert.pub_auth_key, &id, &set.ssk, &set.pvt).is_ok(),
        SakkeReceiver::new(&cert.pub_enc_key, &id, &set.rsk).is_ok(),
    )
}

/// `uri` percent-encoded as one path segment (`sip%3Aalice%40example%2Eorg`).
fn pct(uri: &str) -> String {
    percent_encoding::utf8_percent_encode(uri, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A TLS client (rustls, ring provider) trusting `roots` only.
fn connector(roots: rustls::RootCertStore) -> TlsConnector {
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

impl Kms {
    fn start(extra_args: &[&str]) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "reference-kms-test-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let ca = dir.join("ca.pem");
        let port_file = dir.join("port");
        let child = Command::new(env!("CARGO_BIN_EXE_reference-kms"))
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--ca-out")
            .arg(&ca)
            .arg("--port-out")
            .arg(&port_file)
            .args(if extra_args.contains(&"--kms-uri") {
                &["--key-offset", "0"][..]
            } else {
                &["--kms-uri", KMS_URI, "--key-offset", "0"][..]
            })
            .args(if extra_args.contains(&"--key-period") {
                &[][..]
            } else {
                &["--key-period", "2592000"][..]
            })
            .args(["--user", &format!("alice-token={ALICE},{GROUP}")])
            .args(["--user", &format!("bob-token={BOB}")])
            .args(extra_args)
            .stdin(Stdio::null())
            .stderr(std::fs::File::create(dir.join("log")).unwrap())
            .spawn()
            .expect("start reference-kms");
        // Until the CA file is read, the connector trusts nothing.
        let mut kms = Self {
            child,
            dir,
            port: 0,
            tls: connector(rustls::RootCertStore::empty()),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        let port = loop {
            if let Ok(text) = std::fs::read_to_string(&port_file) {
                break text.trim().parse::<u16>().expect("a port number");
            }
            if let Ok(Some(status)) = kms.child.try_wait() {
                panic!("reference-kms exited early: {status}");
            }
            assert!(Instant::now() < deadline, "no port file after 60 s");
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(std::fs::read_to_string(&port_file).unwrap().ends_with('\n'));
        kms.port = port;
        let pem = std::fs::read(&ca).expect("the CA file exists once the port file does");
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(&pem).expect("a PEM certificate"))
            .unwrap();
        kms.tls = connector(roots);
        kms
    }

    /// What the server wrote on stderr so far.
    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }

    /// One POST over a fresh TLS connection, naming the server `server_name`.
    async fn post_as(
        &self,
        server_name: &'static str,
        path: &str,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> Reply {
        let tcp = TcpStream::connect(("127.0.0.1", self.port)).await.unwrap();
        let name = ServerName::try_from(server_name).unwrap();
        let tls = self.tls.connect(name, tcp).await.expect("TLS handshake");
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .unwrap();
        tokio::spawn(connection);
        let mut request = Request::post(path)
            .header(header::HOST, format!("{server_name}:{}", self.port))
            .header(header::ACCEPT, "application/xml");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if !body.is_empty() {
            request = request.header(header::CONTENT_TYPE, "application/xml");
        }
        let response = sender
            .send_request(request.body(Full::new(Bytes::from(body))).unwrap())
            .await
            .expect("a response");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: body.to_vec(),
        }
    }

    async fn post(&self, path: &str, token: Option<&str>) -> Reply {
        self.post_as("localhost", path, token, Vec::new()).await
    }

    async fn alice(&self, resource: &str) -> Reply {
        self.post(&format!("{ROOT}{resource}"), Some("alice-token"))
            .await
    }

    async fn control(&self, resource: &str, token: Option<&str>, body: &str) -> Reply {
        self.post_as(
            "localhost",
            &format!("/control/{resource}"),
            token,
            body.as_bytes().to_vec(),
        )
        .await
    }

    async fn misbehave(&self, mode: &str) {
        let reply = self.control("misbehave", None, mode).await;
        assert_eq!(reply.status, StatusCode::OK, "mode {mode}");
    }

    fn terminate(mut self) -> ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "still running 20 s after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[tokio::test]
async fn init_and_keyprov_give_keys_that_validate() {
    let kms = Kms::start(&[]);
    let reply = kms.alice("init").await;
    let response = reply.kms();
    assert_eq!(response.user_uri, ALICE);
    assert_eq!(response.kms_uri, KMS_URI);
    assert_eq!(
        response.client_req_url,
        format!("https://localhost:{}{ROOT}init", kms.port)
    );
    assert!((response.time.unwrap() - unix_now()).abs() < 60);
    let cert = reply.certificate();
    assert_eq!(cert.role, CertificateRole::Root);
    assert_eq!(cert.kms_uri, KMS_URI);
    assert_eq!(cert.user_id_format, "2");
    assert_eq!((cert.user_key_period, cert.user_key_offset), (PERIOD, 0));
    assert_eq!(cert.parameter_set, Some(1));
    assert!(Verifier::new(&cert.pub_auth_key).is_ok());
    assert!(SakkePublic::new(&cert.pub_enc_key).is_ok());

    let before = ntp_period(unix_now());
    let reply = kms.alice("keyprov").await;
    let after = ntp_period(unix_now());
    let response = reply.kms();
    assert_eq!(response.user_uri, ALICE);
    assert_eq!(
        response.client_req_url,
        format!("https://localhost:{}{ROOT}keyprov", kms.port)
    );
    let set = reply.key_set();
    assert!(set.key_period_no == before || set.key_period_no == after);
    assert_eq!(set.user_uri, ALICE);
    assert_eq!(set.kms_uri, KMS_URI);
    assert_eq!(set.user_id, uid(ALICE, set.key_period_no));
    assert!(!set.revoked);
    let (from, to) = (set.valid_from.unwrap(), set.valid_to.unwrap());
    assert!(from <= unix_now() && unix_now() < to + 60);
    assert_eq!(to - from, PERIOD as i64);
    assert_eq!(validates(&set, &cert, IdEncoding::Raw), (true, true));
    assert_eq!(validates(&set, &cert, IdEncoding::Hex), (false, false));

    // The same over a connection that names the server by its IP address.
    let reply = kms
        .post_as(
            "127.0.0.1",
            &format!("{ROOT}init"),
            Some("alice-token"),
            Vec::new(),
        )
        .await;
    assert_eq!(
        reply.kms().client_req_url,
        format!("https://127.0.0.1:{}{ROOT}init", kms.port)
    );

    // One log line per request, without tokens or keys.
    let log = kms.log();
    let requests: Vec<&str> = log.lines().filter(|l| l.contains(" POST ")).collect();
    assert_eq!(requests.len(), 3, "{log}");
    assert!(
        requests[1].contains(&format!("{ROOT}keyprov -> 200")),
        "{log}"
    );
    assert!(!log.contains("alice-token"));
    let ssk_hex: String = set.ssk.iter().map(|b| format!("{b:02X}")).collect();
    assert!(!log.to_uppercase().contains(&ssk_hex));
}

#[tokio::test]
async fn tokens_and_identities_are_checked() {
    let kms = Kms::start(&[]);
    for token in [None, Some("mallory-token")] {
        for resource in ["init", "keyprov"] {
            let reply = kms.post(&format!("{ROOT}{resource}"), token).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
            let challenge = reply.headers[header::WWW_AUTHENTICATE].to_str().unwrap();
            assert!(challenge.starts_with("Bearer"), "{challenge}");
        }
    }

    // Alice may ask for her group's keys, not for Bob's.
    let reply = kms.alice(&format!("keyprov/{}", pct(GROUP))).await;
    let set = reply.key_set();
    assert_eq!(reply.kms().user_uri, ALICE);
    assert_eq!(set.user_uri, GROUP);
    assert_eq!(set.user_id, uid(GROUP, set.key_period_no));
    let cert = kms.alice("init").await.certificate();
    assert_eq!(validates(&set, &cert, IdEncoding::Raw), (true, true));

    let reply = kms.alice(&format!("keyprov/{}", pct(BOB))).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.error_code(), 403);
    // Bob gets his own keys; his token does not open Alice's group.
    let reply = kms.post(&format!("{ROOT}keyprov"), Some("bob-token")).await;
    assert_eq!(reply.key_set().user_uri, BOB);
    assert_eq!(reply.kms().user_uri, BOB);
    let reply = kms
        .post(&format!("{ROOT}keyprov/{}", pct(GROUP)), Some("bob-token"))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn keyprov_at_a_time_gives_that_period() {
    let kms = Kms::start(&[]);
    let n = kms.alice("keyprov").await.key_set().key_period_no;
    let next_start = (n + 1) * PERIOD;
    let cert = kms.alice("init").await.certificate();
    for time in [
        format!("{next_start:08X}00000000"),
        format!("{:08x}80000000", next_start + 10),
    ] {
        let reply = kms.alice(&format!("keyprov/{}/{time}", pct(ALICE))).await;
        let set = reply.key_set();
        assert_eq!(set.key_period_no, n + 1, "{time}");
        assert_eq!(set.user_id, uid(ALICE, n + 1));
        assert_eq!(
            set.valid_from,
            Some((next_start - NTP_UNIX_OFFSET) as i64),
            "{time}"
        );
        assert_eq!(validates(&set, &cert, IdEncoding::Raw), (true, true));
    }
    // The URI may also be given unencoded, as one deployed client sends it.
    let reply = kms
        .alice(&format!("keyprov/{ALICE}/{:08X}00000000", n * PERIOD))
        .await;
    assert_eq!(reply.key_set().key_period_no, n);

    let reply = kms.alice(&format!("keyprov/{}/D6B43232", pct(ALICE))).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error_code(), 400);
}

#[tokio::test]
async fn bodies_and_paths() {
    let kms = Kms::start(&[]);
    let reply = kms.alice("certificates").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error_code(), 404);
    assert_eq!(reply.kms().user_uri, ALICE);
    let reply = kms.alice("certcache").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(matches!(
        reply.kms().payload,
        KmsPayload::CertCache { cache_num: 0, ref certificates } if certificates.is_empty()
    ));
    let reply = kms.post("/elsewhere", Some("alice-token")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error_code(), 404);

    let request = KmsRequest {
        user_uri: ALICE.into(),
        kms_uri: KMS_URI.into(),
        time: unix_now(),
        client_id: None,
        device_id: None,
        client_req_url: format!("https://localhost:{}{ROOT}keyprov", kms.port),
        client_error: None,
    };
    let body = emit_request(&request).as_bytes().to_vec();
    let reply = kms
        .post_as(
            "localhost",
            &format!("{ROOT}keyprov"),
            Some("alice-token"),
            body,
        )
        .await;
    assert_eq!(reply.key_set().user_uri, ALICE);

    let malformed = b"<KmsRequest xmlns='urn:3gpp:ns:mcsecKMSInterface:1.0'>".to_vec();
    let reply = kms
        .post_as(
            "localhost",
            &format!("{ROOT}keyprov"),
            Some("alice-token"),
            malformed,
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error_code(), 400);

    let huge = vec![b' '; (1 << 20) + 1];
    let reply = kms
        .post_as(
            "localhost",
            &format!("{ROOT}keyprov"),
            Some("alice-token"),
            huge,
        )
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn key_set_misbehaviours_show() {
    let kms = Kms::start(&[]);
    let cert = kms.alice("init").await.certificate();

    kms.misbehave("wrong-uid").await;
    let set = kms.alice("keyprov").await.key_set();
    let n = set.key_period_no;
    assert_ne!(set.user_id, uid(ALICE, n));
    assert_eq!(set.user_id, uid(ALICE, n + 1));

    kms.misbehave("revoked").await;
    let set = kms.alice("keyprov").await.key_set();
    assert!(set.revoked);
    assert_eq!(validates(&set, &cert, IdEncoding::Raw), (true, true));

    kms.misbehave("expired").await;
    let set = kms.alice("keyprov").await.key_set();
    assert!(set.valid_to.unwrap() < unix_now() + 1);
    assert!(set.valid_from.unwrap() < set.valid_to.unwrap());

    kms.misbehave("bad-ssk").await;
    let set = kms.alice("keyprov").await.key_set();
    assert_eq!(validates(&set, &cert, IdEncoding::Raw), (false, true));

    kms.misbehave("bad-rsk").await;
    let set = kms.alice("keyprov").await.key_set();
    assert_eq!(validates(&set, &cert, IdEncoding::Raw), (true, false));

    kms.misbehave("none").await;
    let set = kms.alice("keyprov").await.key_set();
    assert!(!set.revoked);
    assert_eq!(set.user_id, uid(ALICE, set.key_period_no));
    assert_eq!(validates(&set, &cert, IdEncoding::Raw), (true, true));
}

#[tokio::test]
async fn rekey_misbehaviours_show() {
    let kms = Kms::start(&[]);
    let first = kms.alice("init").await.certificate();

    kms.misbehave("rekey").await;
    let second = kms.alice("init").await.certificate();
    assert_ne!(second.pub_auth_key, first.pub_auth_key);
    assert_ne!(second.pub_enc_key, first.pub_enc_key);
    let set = kms.alice("keyprov").await.key_set();
    assert_eq!(validates(&set, &second, IdEncoding::Raw), (true, true));
    assert_eq!(validates(&set, &first, IdEncoding::Raw), (false, false));
    // The mode went back to none: no further rekey.
    assert_eq!(kms.alice("init").await.certificate(), second);

    kms.misbehave("rekey-after-init").await;
    let announced = kms.alice("init").await.certificate();
    assert_eq!(announced, second);
    let set = kms.alice("keyprov").await.key_set();
    assert_eq!(validates(&set, &announced, IdEncoding::Raw), (false, false));
    let third = kms.alice("init").await.certificate();
    assert_ne!(third.pub_auth_key, second.pub_auth_key);
    assert_eq!(validates(&set, &third, IdEncoding::Raw), (true, true));
}

#[tokio::test]
async fn transport_misbehaviours_show() {
    let kms = Kms::start(&["--misbehave", "http-500"]);
    assert_eq!(
        kms.alice("init").await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );

    kms.misbehave("http-401").await;
    let reply = kms.alice("keyprov").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(reply.headers.contains_key(header::WWW_AUTHENTICATE));

    kms.misbehave("kms-error").await;
    let reply = kms.alice("init").await;
    assert_eq!(reply.status, StatusCode::OK);
    match reply.kms().payload {
        KmsPayload::Error(error) => {
            assert_eq!(error.code, 500);
            assert_eq!(error.message, "internal error");
        }
        other => panic!("expected KmsError, got {other:?}"),
    }

    kms.misbehave("slow=400").await;
    let started = Instant::now();
    assert_eq!(kms.alice("init").await.status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(400));

    let reply = kms.control("misbehave", None, "sideways").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    kms.misbehave("none").await;
    let started = Instant::now();
    kms.alice("init").await.certificate();
    assert!(started.elapsed() < Duration::from_millis(400));
}

#[tokio::test]
async fn control_token_and_time_offset() {
    let kms = Kms::start(&["--control-token", "ctl"]);
    for token in [None, Some("alice-token")] {
        let reply = kms.control("misbehave", token, "revoked").await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        let reply = kms.control("time-offset", token, "100").await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
    }
    assert!(!kms.alice("keyprov").await.key_set().revoked);
    let reply = kms.control("misbehave", Some("ctl"), "revoked").await;
    assert_eq!(reply.status, StatusCode::OK);
    let n = kms.alice("keyprov").await.key_set().key_period_no;
    kms.control("misbehave", Some("ctl"), "none").await;

    let reply = kms
        .control("time-offset", Some("ctl"), &PERIOD.to_string())
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = kms.alice("keyprov").await;
    let set = reply.key_set();
    assert!(set.key_period_no == n + 1 || set.key_period_no == n + 2);
    assert!(reply.kms().time.unwrap() >= unix_now() + PERIOD as i64 - 60);
    let reply = kms.control("time-offset", Some("ctl"), "-5184000").await;
    assert_eq!(reply.status, StatusCode::OK);
    let set = kms.alice("keyprov").await.key_set();
    assert!(set.key_period_no == n - 2 || set.key_period_no == n - 1);
    let reply = kms.control("time-offset", Some("ctl"), "soon").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn unix_epoch_periods_and_hex_identifiers() {
    let kms = Kms::start(&["--unix-epoch-periods", "--id-encoding", "hex"]);
    let cert = kms.alice("init").await.certificate();
    let before = unix_now() as u64 / PERIOD;
    let set = kms.alice("keyprov").await.key_set();
    let after = unix_now() as u64 / PERIOD;
    assert!(set.key_period_no == before || set.key_period_no == after);
    assert_eq!(set.user_id, uid(ALICE, set.key_period_no));
    assert_eq!(set.valid_from, Some((set.key_period_no * PERIOD) as i64));
    assert_eq!(validates(&set, &cert, IdEncoding::Hex), (true, true));
    assert_eq!(validates(&set, &cert, IdEncoding::Raw), (false, false));
}

#[test]
fn exits_cleanly_on_sigterm() {
    let kms = Kms::start(&[]);
    let status = kms.terminate();
    assert!(status.success(), "{status}");
}

#[test]
fn refuses_bad_arguments() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_reference-kms"))
            .args(args)
            .stderr(Stdio::null())
            .status()
            .unwrap()
    };
    let dir = std::env::temp_dir().join(format!("reference-kms-args-{}", std::process::id()));
    let ca = dir.join("ca.pem");
    let ca = ca.to_str().unwrap();
    let not_a_certificate = std::env::temp_dir().join(format!(
        "reference-kms-args-{}-partner.xml",
        std::process::id()
    ));
    std::fs::write(&not_a_certificate, b"<KmsResponse/>").unwrap();
    for args in [
        vec!["--ca-out", ca],
        vec!["--ca-out", ca, "--user", "no-uri"],
        vec![
            "--ca-out",
            ca,
            "--user",
            "t=sip:a@b",
            "--misbehave",
            "sideways",
        ],
        vec!["--ca-out", ca, "--user", "t=sip:a@b", "--key-period", "0"],
        vec![
            "--ca-out",
            ca,
            "--user",
            "t=sip:a@b",
            "--listen",
            "0.0.0.0:0",
        ],
        vec!["--ca-out", ca, "--user", "t=sip:a@b", "--user", "t=sip:c@d"],
        // A partner certificate file that exists but holds no certificate.
        vec![
            "--ca-out",
            ca,
            "--user",
            "t=sip:a@b",
            "--partner-certificate",
            not_a_certificate.to_str().unwrap(),
        ],
    ] {
        assert!(!run(&args).success(), "{args:?}");
    }
    assert!(!std::path::Path::new(ca).exists());
    let _ = std::fs::remove_file(&not_a_certificate);
}

// Partner security domains (TS 33.180 5.2.7, D.3.4): two instances, each serving the other's
// certificate in its certcache.

const PARTNER_URI: &str = "partner.example.net";

/// A directory for the certificate files two instances exchange, removed on drop.
struct Exchange(PathBuf);

impl Exchange {
    fn new() -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "reference-kms-exchange-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn file(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_owned()
    }
}

impl Drop for Exchange {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A home KMS (kms.example.org) and a partner KMS (partner.example.net), each with the
/// other's certificate file; the home one is started first, before the partner's file exists.
fn home_and_partner(home_args: &[&str]) -> (Exchange, Kms, Kms) {
    let exchange = Exchange::new();
    let (home_cert, partner_cert) = (exchange.file("home.xml"), exchange.file("partner.xml"));
    let mut args = vec![
        "--certificate-out",
        &home_cert,
        "--partner-certificate",
        &partner_cert,
    ];
    args.extend_from_slice(home_args);
    let home = Kms::start(&args);
    let partner = Kms::start(&[
        "--kms-uri",
        PARTNER_URI,
        "--certificate-out",
        &partner_cert,
        "--partner-certificate",
        &home_cert,
    ]);
    (exchange, home, partner)
}

impl Reply {
    fn cert_cache(&self) -> (u64, Vec<KmsCertificate>) {
        assert_eq!(self.status, StatusCode::OK);
        match self.kms().payload {
            KmsPayload::CertCache {
                cache_num,
                certificates,
            } => (cache_num, certificates),
            other => panic!("expected KmsCertCache, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn certcache_serves_the_partner_certificate() {
    let (_exchange, home, partner) = home_and_partner(&[]);
    let home_root = home.alice("init").await.certificate();
    let partner_root = partner.alice("init").await.certificate();
    assert_eq!(partner_root.kms_uri, PARTNER_URI);

    let (num, certificates) = home.alice("certcache").await.cert_cache();
    assert_eq!(num, 1);
    assert_eq!(certificates.len(), 1);
    let external = &certificates[0];
    assert_eq!(external.role, CertificateRole::External);
    assert!(!external.revoked);
    assert_eq!(
        KmsCertificate {
            role: CertificateRole::Root,
            ..external.clone()
        },
        partner_root
    );
    // A key set of the partner domain validates under the certificate from the home cache.
    let set = partner.alice("keyprov").await.key_set();
    assert_eq!(set.kms_uri, PARTNER_URI);
    assert_eq!(validates(&set, external, IdEncoding::Raw), (true, true));

    // And the other way round.
    let (num, certificates) = partner.alice("certcache").await.cert_cache();
    assert_eq!(num, 1);
    assert_eq!(certificates.len(), 1);
    assert_eq!(certificates[0].kms_uri, KMS_URI);
    assert_eq!(certificates[0].role, CertificateRole::External);
    assert_eq!(certificates[0].pub_auth_key, home_root.pub_auth_key);
    assert_eq!(certificates[0].pub_enc_key, home_root.pub_enc_key);

    // The file --certificate-out wrote is the init answer's certificate.
    let written = std::fs::read(_exchange.file("home.xml")).unwrap();
    match parse_response(&written).unwrap().payload {
        KmsPayload::Init(certificate) => assert_eq!(certificate, home_root),
        other => panic!("expected KmsInit, got {other:?}"),
    }
}

#[tokio::test]
async fn certcache_answers_the_delta_of_the_cache_number_held() {
    let (_exchange, home, _partner) = home_and_partner(&[]);
    // The client holds the current number: nothing new.
    let (num, certificates) = home.alice("certcache/1").await.cert_cache();
    assert_eq!((num, certificates.len()), (1, 0));
    // Any other number (older, or from before a restart): the whole cache.
    for held in ["0", "7", "4294967295", "01"] {
        let (num, certificates) = home.alice(&format!("certcache/{held}")).await.cert_cache();
        let expected = if held == "01" { 0 } else { 1 };
        assert_eq!((num, certificates.len()), (1, expected), "certcache/{held}");
    }
    let (num, certificates) = home.alice("certcache/").await.cert_cache();
    assert_eq!((num, certificates.len()), (1, 1));
}

#[tokio::test]
async fn certcache_without_partners_is_empty_at_zero() {
    let kms = Kms::start(&[]);
    for resource in ["certcache", "certcache/0", "certcache/3"] {
        let (num, certificates) = kms.alice(resource).await.cert_cache();
        assert_eq!((num, certificates.len()), (0, 0), "{resource}");
    }
}

#[tokio::test]
async fn partner_revoked_mode_revokes_and_bumps_the_cache_number() {
    let (_exchange, home, _partner) = home_and_partner(&[]);
    assert_eq!(home.alice("certcache").await.cert_cache().0, 1);
    home.misbehave("partner-revoked").await;
    // A client holding 1 gets the change.
    let (num, certificates) = home.alice("certcache/1").await.cert_cache();
    assert_eq!(num, 2);
    assert_eq!(certificates.len(), 1);
    assert!(certificates[0].revoked);
    assert_eq!(certificates[0].kms_uri, PARTNER_URI);
    let (num, certificates) = home.alice("certcache/2").await.cert_cache();
    assert_eq!((num, certificates.len()), (2, 0));
    // Setting it again changes nothing; another mode does not undo the revocation.
    home.misbehave("partner-revoked").await;
    home.misbehave("none").await;
    let (num, certificates) = home.alice("certcache").await.cert_cache();
    assert_eq!(num, 2);
    assert!(certificates[0].revoked);
    // Key sets are not affected.
    assert!(!home.alice("keyprov").await.key_set().revoked);

    // Revoked from the start: the certificate is revoked when first served.
    let (_exchange, home, _partner) = home_and_partner(&["--misbehave", "partner-revoked"]);
    let (num, certificates) = home.alice("certcache").await.cert_cache();
    assert_eq!(num, 1);
    assert!(certificates[0].revoked);
}

#[tokio::test]
async fn krr_mode_redirects_a_keyprov_for_a_partner_user() {
    let carol = "sip:carol@partner.example.net";
    let (_exchange, home, _partner) = home_and_partner(&[]);
    // Without the mode: 403 with a KmsError.
    let reply = home.alice(&format!("keyprov/{}", pct(carol))).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.error_code(), 403);

    home.misbehave("krr").await;
    let reply = home.alice(&format!("keyprov/{}", pct(carol))).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        reply
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some(mcptt_kmc::kms::KRR_CONTENT_TYPE)
    );
    let krr = mcptt_kmc::kms::parse_kms_redirect(&reply.body).expect("a KRR");
    assert_eq!(krr.initiator_uri, ALICE);
    assert_eq!(krr.receiver_uri, carol);
    assert_eq!(krr.receiver_kms_uri.as_deref(), Some(KMS_URI));
    assert_eq!(krr.acceptable_receiver_kms_uris, [PARTNER_URI]);
    // Allowed identities still get keys.
    assert_eq!(home.alice("keyprov").await.key_set().user_uri, ALICE);

    // A revoked partner is not acceptable: no KRR, the usual 403.
    home.misbehave("partner-revoked").await;
    home.misbehave("krr").await;
    let reply = home.alice(&format!("keyprov/{}", pct(carol))).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.error_code(), 403);
}

#[tokio::test]
async fn certcache_refuses_a_malformed_cache_number() {
    let (_exchange, home, _partner) = home_and_partner(&[]);
    for bad in ["x", "-1", "%2B1", "1.5", "4294967296", "99999999999", "1/2"] {
        let reply = home.alice(&format!("certcache/{bad}")).await;
        let expected = if bad == "1/2" {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::BAD_REQUEST
        };
        assert_eq!(reply.status, expected, "certcache/{bad}");
        assert_eq!(
            reply.error_code(),
            i64::from(expected.as_u16()),
            "certcache/{bad}"
        );
    }
}

#[tokio::test]
async fn period_zero_and_the_longest_period() {
    // With 2^32 - 1 second periods, now is in period 0, which started in 1900.
    let kms = Kms::start(&["--key-period", "4294967295", "--misbehave", "wrong-uid"]);
    let cert = kms.alice("init").await.certificate();
    assert_eq!(cert.user_key_period, 4_294_967_295);
    let set = kms.alice("keyprov").await.key_set();
    assert_eq!(set.key_period_no, 0);
    assert_eq!(set.valid_from, None);
    assert_eq!(set.valid_to, Some(4_294_967_295 - NTP_UNIX_OFFSET as i64));
    let uid_1 = derive_uid(ALICE.as_bytes(), KMS_URI.as_bytes(), 4_294_967_295, 0, 1).unwrap();
    assert_eq!(set.user_id, uid_1);
}

// The provisioning client of mcptt-kmc driven through the server over HTTPS (issue 9: each
// field behaviour shown by a mode of this server).

use mcptt_kmc::client::{Client, ClientConfig, Event, Output};
use mcptt_kmc::kms::message::KmsErrorInfo;

const DAY: i64 = 86_400;

impl Kms {
    /// A client of alice's for this server.
    fn client(&self) -> Client {
        let mut config = ClientConfig::new(format!("https://localhost:{}", self.port), ALICE);
        config.expected_kms_uri = Some(KMS_URI.into());
        config.prefetch_s = 86_400;
        config.retry_initial_s = 2;
        config.retry_max_s = 600;
        let mut client = Client::new(config).unwrap();
        client.set_access_token("alice-token");
        client
    }

    /// Moves the server clock to Unix time `at` (the client is given the same time).
    async fn set_time(&self, at: i64) {
        let offset = at - unix_now();
        let reply = self.control("time-offset", None, &offset.to_string()).await;
        assert_eq!(reply.status, StatusCode::OK);
    }

    /// Polls the client at `now` and sends its requests until it has nothing to do now.
    async fn drive(&self, client: &mut Client, now: u64) -> Vec<Event> {
        let mut events = Vec::new();
        for _ in 0..100 {
            match client.poll_output(now) {
                Output::Request(request) => {
                    let path = request
                        .url
                        .split_once(&format!(":{}", self.port))
                        .unwrap()
                        .1;
                    let reply = self
                        .post_as("localhost", path, Some("alice-token"), request.body.clone())
                        .await;
                    client
                        .handle_response(now, request.id, reply.status.as_u16(), &reply.body)
                        .unwrap();
                }
                Output::Event(event) => events.push(event),
                Output::WakeUp(_) | Output::None => return events,
            }
        }
        panic!("the client did not settle: {events:?}");
    }
}

fn ready_periods(events: &[Event]) -> Vec<(u64, bool, bool)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::KeyMaterialReady {
                period,
                can_sign,
                can_decrypt,
                ..
            } => Some((*period, *can_sign, *can_decrypt)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn client_stores_both_sets_of_a_two_set_answer() {
    let kms = Kms::start(&[]);
    kms.misbehave("two-sets").await;
    let mut client = kms.client();
    let now = unix_now() as u64;
    let events = kms.drive(&mut client, now).await;
    let n = ntp_period(now as i64);
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::MaterialRejected { .. })),
        "{events:?}"
    );
    let mut got = ready_periods(&events);
    got.sort();
    assert_eq!(
        got,
        vec![(n, true, true), (n + 1, true, true)],
        "{events:?}"
    );
}

#[tokio::test]
async fn client_provisions_from_a_unix_epoch_kms_on_any_day_and_after_2036() {
    let kms = Kms::start(&["--unix-epoch-periods"]);
    let k = unix_now() / PERIOD as i64;
    for day in [0, 9, 17, 29] {
        let now = k * PERIOD as i64 + day * DAY + 3_600;
        kms.set_time(now).await;
        let mut client = kms.client();
        let events = kms.drive(&mut client, now as u64).await;
        assert!(
            ready_periods(&events).contains(&(k as u64, true, true)),
            "day {day}: {events:?}"
        );
        let sig = client.sign(ALICE, now as u64, b"m").unwrap();
        client.verify(ALICE, now as u64, b"m", &sig).unwrap();
    }
    // 2040-01-01: the keyprov time wraps; the server places it in era 1 (RFC 4330).
    let kms = Kms::start(&[]);
    let now = 2_208_988_800i64;
    kms.set_time(now).await;
    let mut client = kms.client();
    let events = kms.drive(&mut client, now as u64).await;
    assert!(
        ready_periods(&events).contains(&(ntp_period(now), true, true)),
        "{events:?}"
    );
}

#[tokio::test]
async fn client_keeps_half_a_set_and_asks_again() {
    let kms = Kms::start(&[]);
    kms.misbehave("bad-ssk").await;
    let mut client = kms.client();
    let now = unix_now() as u64;
    let events = kms.drive(&mut client, now).await;
    assert!(ready_periods(&events).is_empty(), "{events:?}");
    assert!(
        events.iter().any(|e| matches!(
            e,
            Event::KeyMaterialPartial {
                can_sign: false,
                can_decrypt: true,
                ..
            }
        )),
        "{events:?}"
    );
    kms.misbehave("none").await;
    // The retry comes within the capped backoff.
    let events = kms.drive(&mut client, now + 600).await;
    assert_eq!(
        ready_periods(&events),
        vec![(ntp_period(now as i64), true, true)]
    );
}

#[tokio::test]
async fn client_surfaces_a_kms_error_in_a_4xx_or_5xx_answer() {
    let kms = Kms::start(&[]);
    for status in [400u16, 503] {
        kms.misbehave(&format!("kms-error={status}")).await;
        let mut client = kms.client();
        let events = kms.drive(&mut client, unix_now() as u64).await;
        let error = events.iter().find_map(|e| match e {
            Event::RequestFailed {
                http_status,
                kms_error,
                ..
            } if *http_status == status => kms_error.clone(),
            _ => None,
        });
        assert_eq!(
            error,
            Some(KmsErrorInfo {
                code: i64::from(status),
                message: "temporarily refused".into()
            }),
            "{events:?}"
        );
    }
}
