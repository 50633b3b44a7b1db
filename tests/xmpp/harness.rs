//! Tests of the test harness itself against a real Prosody: if these fail, every integration
//! test's result is in doubt.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::panic::AssertUnwindSafe;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use nudge::config::TlsMode;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

use nudge_testkit::{account, unique_name, Prosody, ProsodyOptions};

const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// Trusts exactly one certificate, compared byte for byte.
#[derive(Debug)]
struct TrustExactly {
    der: Vec<u8>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for TrustExactly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.der.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General("not the pinned certificate".into()))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Opens a TLS connection to the direct-TLS port trusting only `der`.
async fn direct_tls(
    prosody: &Prosody,
    der: &[u8],
) -> std::io::Result<TlsStream<tokio::net::TcpStream>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = TrustExactly {
        der: der.to_vec(),
        algorithms: provider.signature_verification_algorithms,
    };
    let config =
        rustls::ClientConfig::builder_with_provider(Arc::clone(&provider) as Arc<CryptoProvider>)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", prosody.direct_tls_port())).await?;
    let name = ServerName::try_from("localhost").expect("server name");
    let connect = TlsConnector::from(Arc::new(config)).connect(name, tcp);
    tokio::time::timeout(IO_TIMEOUT, connect)
        .await
        .map_err(|_| std::io::Error::other("TLS handshake timed out"))?
}

fn stream_header(domain: &str) -> String {
    format!(
        "<?xml version='1.0'?><stream:stream to='{domain}' version='1.0' xmlns='jabber:client' \
         xmlns:stream='http://etherx.jabber.org/streams'>"
    )
}

/// Reads until the text received so far contains one of `ends`.
async fn read_until<S: AsyncRead + Unpin>(stream: &mut S, ends: &[&str]) -> String {
    let mut text = String::new();
    let mut buf = [0u8; 4096];
    while !ends.iter().any(|end| text.contains(end)) {
        let n = tokio::time::timeout(IO_TIMEOUT, stream.read(&mut buf))
            .await
            .unwrap_or_else(|_| panic!("no {ends:?} within {IO_TIMEOUT:?}; got {text:?}"))
            .expect("read from server");
        assert!(n > 0, "server closed the stream; got {text:?}");
        text.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    text
}

async fn send<S: AsyncWrite + Unpin>(stream: &mut S, text: &str) {
    stream.write_all(text.as_bytes()).await.expect("write");
    stream.flush().await.expect("flush");
}

/// Signs in with SASL PLAIN over direct TLS; true on `<success/>`, false on `<failure/>`.
async fn login(prosody: &Prosody, jid: &str, password: &str) -> bool {
    let (user, domain) = jid.split_once('@').expect("bare jid");
    let mut tls = direct_tls(prosody, prosody.cert_der())
        .await
        .expect("TLS to the direct-TLS port");
    send(&mut tls, &stream_header(domain)).await;
    let features = read_until(&mut tls, &["</stream:features>"]).await;
    assert!(features.contains("PLAIN"), "PLAIN not offered: {features}");
    let credentials = base64(format!("\0{user}\0{password}").as_bytes());
    let auth = format!(
        "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{credentials}</auth>"
    );
    send(&mut tls, &auth).await;
    let answer = read_until(&mut tls, &["<success", "<failure"]).await;
    answer.contains("<success")
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The stream features the plain c2s port offers before any TLS (blocking, std only).
fn plaintext_features(prosody: &Prosody) -> String {
    let addr = SocketAddr::from(([127, 0, 0, 1], prosody.c2s_port()));
    let mut tcp = TcpStream::connect_timeout(&addr, IO_TIMEOUT).expect("connect to c2s");
    tcp.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
    tcp.write_all(stream_header(prosody.domain()).as_bytes())
        .expect("write header");
    let mut text = String::new();
    let mut buf = [0u8; 4096];
    while !text.contains("</stream:features>") {
        let n = tcp.read(&mut buf).expect("read features");
        assert!(n > 0, "server closed the stream; got {text:?}");
        text.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    text
}

fn accepts_tcp(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok()
}

#[test]
fn base64_matches_rfc4648_vectors() {
    for (input, expected) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64(input.as_bytes()), expected, "{input:?}");
    }
}

#[test]
fn server_accepts_tcp_on_both_client_ports_and_requires_starttls() {
    let prosody = Prosody::start();
    assert_eq!(prosody.domain(), "localhost");
    assert_ne!(prosody.c2s_port(), prosody.direct_tls_port());
    assert!(accepts_tcp(prosody.c2s_port()));
    assert!(accepts_tcp(prosody.direct_tls_port()));
    assert!(accepts_tcp(prosody.http_port()));

    let features = plaintext_features(&prosody);
    assert!(
        features.contains("urn:ietf:params:xml:ns:xmpp-tls"),
        "{features}"
    );
    assert!(
        features.contains("<required"),
        "STARTTLS not required: {features}"
    );
    assert!(
        !features.contains("<mechanism>"),
        "SASL before TLS: {features}"
    );
}

#[test]
fn plaintext_option_offers_sign_in_without_tls() {
    let prosody = Prosody::start_with(ProsodyOptions {
        allow_plaintext: true,
        ..Default::default()
    });
    let features = plaintext_features(&prosody);
    assert!(
        features.contains("<mechanism>"),
        "no SASL before TLS: {features}"
    );
    assert!(!features.contains("<required"), "{features}");
}

#[tokio::test]
async fn direct_tls_port_presents_the_generated_certificate() {
    let prosody = Prosody::start();
    let tls = direct_tls(&prosody, prosody.cert_der())
        .await
        .expect("handshake trusting the server's own certificate");
    let (_, session) = tls.get_ref();
    let presented = session.peer_certificates().expect("peer certificates");
    assert_eq!(presented[0].as_ref(), prosody.cert_der());

    // A different certificate must not be trusted: proves the pinning verifier can say no.
    let other = Prosody::start();
    assert_ne!(other.cert_der(), prosody.cert_der());
    assert!(direct_tls(&prosody, other.cert_der()).await.is_err());
}

#[test]
fn fingerprint_agrees_with_openssl() {
    let prosody = Prosody::start();
    let output = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(prosody.cert_pem_path())
        .output()
        .expect("run openssl");
    let text = String::from_utf8_lossy(&output.stdout);
    let openssl = text.trim().rsplit('=').next().expect("fingerprint");
    assert_eq!(prosody.cert_fingerprint(), openssl);
    assert_eq!(prosody.cert_fingerprint().len(), 32 * 3 - 1);
}

#[tokio::test]
async fn create_user_makes_accounts_and_refuses_duplicates() {
    let prosody = Prosody::start();
    let (first, second) = (unique_name("alice"), unique_name("alice"));
    assert_ne!(first, second);
    let first_jid = prosody.create_user(&first, "pw-one");
    let second_jid = prosody.create_user(&second, "pw-two");
    assert_eq!(first_jid, format!("{first}@localhost"));
    assert!(login(&prosody, &first_jid, "pw-one").await);
    assert!(login(&prosody, &second_jid, "pw-two").await);
    assert!(!login(&prosody, &second_jid, "pw-one").await);

    let duplicate = std::panic::catch_unwind(AssertUnwindSafe(|| {
        prosody.create_user(&first, "other");
    }));
    let message = duplicate.expect_err("a duplicate account must fail");
    let message = message
        .downcast_ref::<String>()
        .expect("panic message is a String");
    assert!(message.contains("already exists"), "{message}");
    assert!(
        login(&prosody, &first_jid, "pw-one").await,
        "duplicate changed the password"
    );
}

#[tokio::test]
async fn restart_keeps_ports_and_accounts() {
    let mut prosody = Prosody::start();
    let jid = prosody.create_user(&unique_name("bob"), "secret");
    let (c2s, direct) = (prosody.c2s_port(), prosody.direct_tls_port());

    prosody.stop();
    assert!(!prosody.is_running());
    assert!(!accepts_tcp(c2s), "port still open after stop");

    prosody.restart();
    assert!(prosody.is_running());
    assert_eq!(
        (prosody.c2s_port(), prosody.direct_tls_port()),
        (c2s, direct)
    );
    assert!(login(&prosody, &jid, "secret").await);

    // A crash (SIGKILL) followed by a restart works too.
    prosody.kill();
    assert!(!prosody.is_running());
    prosody.restart();
    assert!(login(&prosody, &jid, "secret").await);
}

#[tokio::test]
async fn two_servers_run_side_by_side_with_separate_accounts() {
    let one = Prosody::start();
    let two = Prosody::start();
    let ports_one = [one.c2s_port(), one.direct_tls_port(), one.http_port()];
    let ports_two = [two.c2s_port(), two.direct_tls_port(), two.http_port()];
    assert!(ports_one.iter().all(|port| !ports_two.contains(port)));

    let name = unique_name("carol");
    let jid = one.create_user(&name, "pw");
    assert!(login(&one, &jid, "pw").await);
    assert!(
        !login(&two, &jid, "pw").await,
        "account leaked to the other server"
    );
    two.create_user(&name, "pw");
    assert!(login(&two, &jid, "pw").await);
}

#[test]
fn account_points_at_the_starttls_port_with_the_certificate_pinned() {
    let prosody = Prosody::start();
    let config = account(&prosody, "dave");
    assert_eq!(config.jid.as_str(), "dave@localhost");
    assert_eq!(config.host.as_deref(), Some("127.0.0.1"));
    assert_eq!(config.port, Some(prosody.c2s_port()));
    assert_eq!(config.tls, TlsMode::StartTls);
    assert_eq!(
        config.pinned_certificates,
        vec![prosody.cert_fingerprint().to_string()]
    );
    assert_eq!(account(&prosody, "dave@localhost"), config);
}

#[test]
fn unique_names_are_distinct_valid_localparts() {
    let a = unique_name("Al-ice");
    let b = unique_name("Al-ice");
    assert_ne!(a, b);
    assert!(a.starts_with("alice"), "{a}");
    assert!(
        a.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
        "{a}"
    );
}

#[test]
fn restart_fails_clearly_when_another_program_holds_the_port() {
    let mut prosody = Prosody::start();
    prosody.stop();
    // The listener accepts connections, so only the log can tell the harness it is not Prosody.
    let _squatter = std::net::TcpListener::bind(("127.0.0.1", prosody.direct_tls_port()))
        .expect("take the stopped server's port");
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| prosody.restart()));
    let message = outcome.expect_err("restart must fail while the port is taken");
    let message = message.downcast_ref::<String>().expect("panic message");
    assert!(message.contains("could not bind"), "{message}");
    assert!(message.contains("tail of prosody.log"), "{message}");
    assert!(!prosody.is_running());
}
