//! `reference-kms`: a TS 33.180 Annex D KMS over HTTPS on the loopback interface, built on
//! `mcptt_kmc::kms`, for tests and demos of the key management client. Never for production:
//! its master secrets live in memory only, its certificate is self-signed, and anyone who can
//! reach the control endpoints can make it lie.

mod codec;
mod service;

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use mcptt_kmc::kms::issue::KmsDomain;
use mcptt_kmc::uid::IdEncoding;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};
use tokio_rustls::TlsAcceptor;

use service::{Config, Mode, PeriodBase, Server, User};

/// Time a client has to finish the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A reference TS 33.180 KMS over HTTPS, for tests and demos only (never production).
#[derive(Parser, Debug)]
#[command(name = "reference-kms", version)]
struct Cli {
    /// Address to listen on; must be a loopback address (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Where to write the self-signed server certificate (PEM) that clients must trust.
    #[arg(long, value_name = "PATH")]
    ca_out: PathBuf,
    /// Where to write the bound port (decimal and a newline), once the server is listening.
    #[arg(long, value_name = "PATH")]
    port_out: Option<PathBuf>,
    /// KmsUri of the security domain (P2 of the UID).
    #[arg(long, value_name = "URI", default_value = "kms.example.org")]
    kms_uri: String,
    /// UserKeyPeriod, seconds (P3 of the UID), 1 to 2^32 - 1.
    #[arg(long, value_name = "SECONDS", default_value_t = 2_592_000,
          value_parser = clap::value_parser!(u64).range(1..=0xFFFF_FFFF))]
    key_period: u64,
    /// UserKeyOffset, seconds (P4 of the UID).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    key_offset: u64,
    /// A bearer token, its user URI and the extra URIs it may ask keys for (repeatable).
    #[arg(long = "user", value_name = "TOKEN=URI[,URI...]", required = true,
          value_parser = service::parse_user)]
    users: Vec<(String, User)>,
    /// How the UID becomes the ECCSI/SAKKE identifier: its 32 octets (TS 33.180) or its 64
    /// lower-case hex digits.
    #[arg(long, value_enum, default_value_t = Encoding::Raw)]
    id_encoding: Encoding,
    /// Count key periods from the Unix epoch instead of NTP's (as some KMSs do).
    #[arg(long)]
    unix_epoch_periods: bool,
    /// Initial misbehaviour: none, wrong-uid, revoked, expired, bad-ssk, bad-rsk, rekey,
    /// rekey-after-init, http-401, http-500, kms-error, kms-error=<status>, two-sets,
    /// partner-revoked, slow=<ms>.
    #[arg(long, value_name = "MODE", default_value = "none")]
    misbehave: Mode,
    /// Bearer token that POST /control/* requires (without it, control is open).
    #[arg(long, value_name = "TOKEN")]
    control_token: Option<String>,
    /// CertUri of the Root certificate and the key sets.
    #[arg(long, value_name = "URI")]
    cert_uri: Option<String>,
    /// Where to write this KMS's certificate, as the KmsResponse of an init (for a partner
    /// KMS's --partner-certificate), once the server is listening.
    #[arg(long, value_name = "PATH")]
    certificate_out: Option<PathBuf>,
    /// A file holding a partner KMS's certificate (a KmsResponse with KmsInit, as
    /// --certificate-out writes it), served in the certcache with Role External
    /// (repeatable). A file that does not exist yet is read at the first certcache request
    /// after it appears.
    #[arg(long = "partner-certificate", value_name = "PATH")]
    partner_certificates: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Encoding {
    /// The 32 UID octets.
    Raw,
    /// The 64 lower-case hex digits of the UID.
    Hex,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("reference-kms: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli));
    runtime.shutdown_timeout(Duration::from_secs(2));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("reference-kms: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    if !cli.listen.ip().is_loopback() {
        return Err(format!(
            "refusing to listen on {}: this test KMS serves the loopback interface only",
            cli.listen
        ));
    }
    let mut users = HashMap::new();
    for (token, user) in cli.users {
        if users.insert(token, user).is_some() {
            return Err("a token is given twice in --user".into());
        }
    }
    let domain = KmsDomain {
        id_encoding: match cli.id_encoding {
            Encoding::Raw => IdEncoding::Raw,
            Encoding::Hex => IdEncoding::Hex,
        },
        cert_uri: cli.cert_uri,
        ..KmsDomain::new(cli.kms_uri, cli.key_period, cli.key_offset)
    };
    let period_base = if cli.unix_epoch_periods {
        PeriodBase::Unix
    } else {
        PeriodBase::Ntp
    };
    let config = Config {
        domain,
        period_base,
        users,
        control_token: cli.control_token,
        partner_certificates: cli.partner_certificates,
    };
    let server = Arc::new(
        Server::new(config, cli.misbehave).map_err(|e| format!("cannot make the KMS: {e}"))?,
    );
    // A partner certificate file that exists at start must be one; one still missing is
    // read later (the partner KMS may start after this one).
    if let Some(problem) = server.load_partner_certificates().into_iter().next() {
        return Err(format!("--partner-certificate {problem}"));
    }

    let (cert_pem, acceptor) = tls_acceptor()?;
    let listener = TcpListener::bind(cli.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", cli.listen))?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("no local address: {e}"))?;
    write_atomically(&cli.ca_out, cert_pem.as_bytes())?;
    if let Some(certificate_out) = &cli.certificate_out {
        write_atomically(
            certificate_out,
            server.certificate_document(local).as_bytes(),
        )?;
    }
    if let Some(port_out) = &cli.port_out {
        write_atomically(port_out, format!("{}\n", local.port()).as_bytes())?;
    }
    eprintln!(
        "reference-kms: listening on https://{local}/keymanagement/identity/v1/ \
         (periods from the {} epoch, mode {})",
        if cli.unix_epoch_periods {
            "Unix"
        } else {
            "NTP"
        },
        cli.misbehave
    );

    let mut sigterm = signal(SignalKind::terminate()).map_err(|e| format!("SIGTERM: {e}"))?;
    let mut sigint = signal(SignalKind::interrupt()).map_err(|e| format!("SIGINT: {e}"))?;
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, peer)) => {
                    tokio::spawn(serve(tcp, peer, local, acceptor.clone(), Arc::clone(&server)));
                }
                Err(e) => {
                    eprintln!("reference-kms: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = sigterm.recv() => break,
            _ = sigint.recv() => break,
        }
    }
    eprintln!("reference-kms: shutting down");
    Ok(())
}

/// One connection: TLS, then HTTP/1.1 with keep-alive.
async fn serve(
    tcp: tokio::net::TcpStream,
    peer: SocketAddr,
    local: SocketAddr,
    acceptor: TlsAcceptor,
    server: Arc<Server>,
) {
    let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => {
            eprintln!("reference-kms: {peer} TLS handshake failed: {e}");
            return;
        }
        Err(_) => {
            eprintln!("reference-kms: {peer} TLS handshake timed out");
            return;
        }
    };
    let service = service_fn(move |req| {
        let server = Arc::clone(&server);
        async move { Ok::<_, Infallible>(server.handle(req, peer, local).await) }
    });
    if let Err(e) = http1::Builder::new()
        .serve_connection(TokioIo::new(tls), service)
        .await
    {
        eprintln!("reference-kms: {peer} connection error: {e}");
    }
}

/// A fresh self-signed certificate for 127.0.0.1 and localhost (ECDSA P-256), as PEM, and
/// the TLS acceptor that presents it (rustls with the ring provider, TLS 1.2 and 1.3).
fn tls_acceptor() -> Result<(String, TlsAcceptor), String> {
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .map_err(|e| format!("cannot make the certificate: {e}"))?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| {
            b.with_no_client_auth()
                .with_single_cert(vec![certified.cert.der().clone()], key)
        })
        .map_err(|e| format!("TLS configuration: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((certified.cert.pem(), TlsAcceptor::from(Arc::new(config))))
}

/// Writes `contents` to a temporary name beside `path`, then renames it to `path`, so that a
/// reader never sees a partial file.
fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), String> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp.{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, contents)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("cannot write {}: {e}", path.display())
        })
}
