//! Opening an authenticated XMPP stream: DNS (SRV), TCP, STARTTLS or direct TLS, SASL.
//!
//! The result is a stream ready for resource binding or stream resumption. Everything after
//! that (binding, stream management, stanzas) lives in `session`.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use sasl::common::Credentials;
use tokio::io::BufStream;
use tokio::net::TcpStream;
use tokio_xmpp::connect::{AsyncReadAndWrite, DnsConfig};
use tokio_xmpp::parsers::jid::BareJid;
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::sasl::DefinedCondition;
use tokio_xmpp::parsers::starttls;
use tokio_xmpp::parsers::stream_features::StreamFeatures;
use tokio_xmpp::xmlstream::{
    initiate_stream, ReadError, RecvFeaturesError, StreamHeader, Timeouts, XmppStream,
    XmppStreamElement,
};

use super::stanza_guard::{Dropped, Limits, StanzaGuard};
use super::tls::{self, RejectionSlot};
use crate::config::{AccountConfig, TlsMode};

/// The transport below the XML stream, whatever it is (TLS or loopback plaintext).
pub type BoxedIo = Box<dyn AsyncReadAndWrite + Send + 'static>;

/// An authenticated stream and the features the server offered after authentication.
pub struct Authenticated {
    /// The XML stream, ready for `<bind/>` or `<resume/>`.
    pub stream: XmppStream<BoxedIo>,
    /// Stream features after authentication (bind, stream management...).
    pub features: StreamFeatures,
    /// Stanzas the [`StanzaGuard`] dropped, for stream management to count.
    pub dropped: Arc<Dropped>,
}

/// Why a connection attempt failed. The texts are for the user.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The address is not a valid account JID.
    #[error("{0:?} is not a valid account address (it should look like name@example.org)")]
    InvalidJid(String),
    /// Plaintext was configured for a host that is not this computer.
    #[error("an unencrypted connection is only allowed to this computer (loopback), not to {0}")]
    PlaintextNotLoopback(String),
    /// DNS or TCP failed.
    #[error("could not reach the server {target}: {message}")]
    Unreachable {
        /// The host (and port) tried.
        target: String,
        /// What went wrong.
        message: String,
    },
    /// The server does not offer STARTTLS and plaintext is not allowed.
    #[error("the server does not offer encryption (STARTTLS), so Nudge will not sign in")]
    NoEncryption,
    /// The certificate is neither valid nor pinned.
    #[error("the server's certificate is not trusted: {message}")]
    CertificateRejected {
        /// Fingerprint of the refused certificate.
        fingerprint: String,
        /// Why it was refused.
        message: String,
    },
    /// TLS failed for another reason.
    #[error("the secure connection failed: {0}")]
    Tls(String),
    /// The server refused the credentials. Retrying cannot help.
    #[error("{0}")]
    AuthFailed(String),
    /// No SASL mechanism both sides support is allowed.
    #[error("the server offers no sign-in method Nudge can use safely")]
    NoMechanism,
    /// The server closed the stream or sent something invalid.
    #[error("the server ended the connection: {0}")]
    Stream(String),
    /// The server did not answer in time.
    #[error("the server did not answer in time")]
    Timeout,
}

impl ConnectError {
    /// Whether trying again later can succeed (network trouble) or not (bad password...).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Unreachable { .. } | Self::Tls(_) | Self::Stream(_) | Self::Timeout
        )
    }
}

/// How long establishing a connection may take before it counts as failed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// Parses the account's JID; it must have a local part.
pub fn account_jid(account: &AccountConfig) -> Result<BareJid, ConnectError> {
    let invalid = || ConnectError::InvalidJid(account.jid.clone());
    let jid = BareJid::new(account.jid.trim()).map_err(|_| invalid())?;
    if jid.node().is_none() {
        return Err(invalid());
    }
    Ok(jid)
}

/// Connects, secures and authenticates. `timeouts` govern the stream afterwards.
pub async fn connect(
    account: &AccountConfig,
    password: &str,
    timeouts: Timeouts,
) -> Result<Authenticated, ConnectError> {
    tokio::time::timeout(CONNECT_TIMEOUT, connect_inner(account, password, timeouts))
        .await
        .map_err(|_| ConnectError::Timeout)?
}

enum Transport {
    Plaintext,
    StartTls,
    DirectTls,
}

/// A secured (or loopback) stream before authentication.
pub struct Secured {
    /// The stream, features received.
    pub stream: XmppStream<BoxedIo>,
    /// What the server offers before authentication (SASL mechanisms, registration).
    pub features: StreamFeatures,
    /// Whether TLS protects the stream.
    pub encrypted: bool,
    /// The JID's domain.
    pub domain: String,
    /// Stanzas the [`StanzaGuard`] dropped, for stream management to count.
    pub dropped: Arc<Dropped>,
}

/// Connects and secures the stream, without authenticating (also used for registration).
pub async fn secure(account: &AccountConfig, timeouts: Timeouts) -> Result<Secured, ConnectError> {
    let jid = account_jid(account)?;
    let domain = jid.domain().as_str().to_string();
    let (transport, dns) = route(account, &domain).await?;
    let target = dns.to_string();
    let tcp = dns.resolve().await.map_err(|e| ConnectError::Unreachable {
        target: target.clone(),
        message: e.to_string(),
    })?;
    let _ = tcp.set_nodelay(true);

    let rejection: RejectionSlot = Arc::new(Mutex::new(None));
    let tls_config = tls::client_config(&account.pinned_certificates, rejection.clone())
        .map_err(|e| ConnectError::Tls(e.to_string()))?;
    // Every byte from the server passes the stanza limits before the XML parser sees it.
    let dropped = Arc::new(Dropped::default());
    let (io, encrypted): (BoxedIo, bool) = match transport {
        Transport::Plaintext => (Box::new(guarded(BufStream::new(tcp), &dropped)), false),
        Transport::DirectTls => {
            let tls = handshake(tcp, &domain, tls_config, &rejection).await?;
            (Box::new(guarded(BufStream::new(tls), &dropped)), true)
        }
        Transport::StartTls => {
            let tcp = starttls(tcp, &domain, timeouts).await?;
            let tls = handshake(tcp, &domain, tls_config, &rejection).await?;
            (Box::new(guarded(BufStream::new(tls), &dropped)), true)
        }
    };
    let (features, stream) = open_stream(io, &domain, timeouts).await?;
    Ok(Secured {
        stream,
        features,
        encrypted,
        domain,
        dropped,
    })
}

/// `io` behind the stanza limits, counting what is dropped in `dropped`.
fn guarded<Io>(io: Io, dropped: &Arc<Dropped>) -> StanzaGuard<Io> {
    StanzaGuard::new(io, Limits::default(), dropped.clone())
}

async fn connect_inner(
    account: &AccountConfig,
    password: &str,
    timeouts: Timeouts,
) -> Result<Authenticated, ConnectError> {
    let jid = account_jid(account)?;
    let Secured {
        stream,
        features,
        encrypted,
        domain,
        dropped,
    } = secure(account, timeouts).await?;
    let mut mechanisms: BTreeSet<String> = features.sasl_mechanisms.clone();
    // Never sign in anonymously, and never send a password in the clear.
    mechanisms.remove("ANONYMOUS");
    if !encrypted {
        mechanisms.remove("PLAIN");
    }
    if !mechanisms
        .iter()
        .any(|m| m.starts_with("SCRAM-SHA-") || m == "PLAIN")
    {
        return Err(ConnectError::NoMechanism);
    }
    let node = jid.node().map(|n| n.as_str()).unwrap_or_default();
    let credentials = Credentials::default()
        .with_username(node)
        .with_password(password);
    let initiating = tokio_xmpp::client_login(stream, mechanisms, credentials)
        .await
        .map_err(auth_error)?;
    let pending = initiating
        .send_header(header(&domain))
        .await
        .map_err(stream_error)?;
    let (features, stream) = pending.recv_features().await.map_err(features_error)?;
    Ok(Authenticated {
        stream,
        features,
        dropped,
    })
}

/// Chooses the transport and where to connect.
async fn route(
    account: &AccountConfig,
    domain: &str,
) -> Result<(Transport, DnsConfig), ConnectError> {
    let host = account
        .host
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty());
    let fixed = |default_port: u16| {
        let host = host.unwrap_or(domain);
        DnsConfig::no_srv(host, account.port.unwrap_or(default_port))
    };
    Ok(match account.tls {
        TlsMode::PlaintextLoopback => {
            let host = host.unwrap_or(domain);
            if !is_loopback(host) {
                return Err(ConnectError::PlaintextNotLoopback(host.to_string()));
            }
            (Transport::Plaintext, fixed(5222))
        }
        TlsMode::StartTls if host.is_some() || account.port.is_some() => {
            (Transport::StartTls, fixed(5222))
        }
        TlsMode::StartTls => (Transport::StartTls, DnsConfig::srv_default_client(domain)),
        TlsMode::DirectTls if host.is_some() || account.port.is_some() => {
            (Transport::DirectTls, fixed(5223))
        }
        TlsMode::DirectTls => (Transport::DirectTls, DnsConfig::srv_xmpps(domain)),
        TlsMode::Auto if host.is_some() || account.port.is_some() => {
            (Transport::StartTls, fixed(5222))
        }
        TlsMode::Auto if offers_direct_tls(domain).await => {
            (Transport::DirectTls, DnsConfig::srv_xmpps(domain))
        }
        TlsMode::Auto => (Transport::StartTls, DnsConfig::srv_default_client(domain)),
    })
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether the domain publishes `_xmpps-client._tcp` SRV records (XEP-0368).
async fn offers_direct_tls(domain: &str) -> bool {
    let Ok(builder) = hickory_resolver::TokioResolver::builder_tokio() else {
        return false;
    };
    let resolver = builder.build();
    let Ok(resolver) = resolver else {
        return false;
    };
    let name = format!("_xmpps-client._tcp.{domain}.");
    match resolver.srv_lookup(name).await {
        Ok(lookup) => !lookup.answers().is_empty(),
        Err(_) => false,
    }
}

fn header(domain: &str) -> StreamHeader<'static> {
    StreamHeader {
        to: Some(Cow::Owned(domain.to_string())),
        from: None,
        id: None,
    }
}

async fn open_stream<Io: AsyncReadAndWrite>(
    io: Io,
    domain: &str,
    timeouts: Timeouts,
) -> Result<(StreamFeatures, XmppStream<Io>), ConnectError> {
    let pending = initiate_stream(io, ns::JABBER_CLIENT, header(domain), timeouts)
        .await
        .map_err(stream_error)?;
    pending.recv_features().await.map_err(features_error)
}

async fn starttls(
    tcp: TcpStream,
    domain: &str,
    timeouts: Timeouts,
) -> Result<TcpStream, ConnectError> {
    // Limited like the encrypted stream (an attacker on the path can write here too).
    let io = guarded(BufStream::new(tcp), &Arc::new(Dropped::default()));
    let (features, mut stream) = open_stream(io, domain, timeouts).await?;
    if !features.can_starttls() {
        return Err(ConnectError::NoEncryption);
    }
    stream
        .send(&XmppStreamElement::Starttls(starttls::Nonza::Request(
            starttls::Request,
        )))
        .await
        .map_err(stream_error)?;
    loop {
        match stream.next().await {
            Some(Ok(element)) => match element.into_read_error() {
                Ok(XmppStreamElement::Starttls(starttls::Nonza::Proceed(_))) => break,
                Ok(XmppStreamElement::Starttls(_)) => return Err(ConnectError::NoEncryption),
                Ok(_) => continue,
                Err(e) => return Err(read_error(e)),
            },
            Some(Err(ReadError::SoftTimeout)) => continue,
            Some(Err(e)) => return Err(read_error(e)),
            None => return Err(ConnectError::Stream("the connection closed".into())),
        }
    }
    Ok(stream.into_inner().into_inner().into_inner())
}

async fn handshake(
    tcp: TcpStream,
    domain: &str,
    config: Arc<rustls::ClientConfig>,
    rejection: &RejectionSlot,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, ConnectError> {
    let name = rustls::pki_types::ServerName::try_from(domain.to_string())
        .map_err(|_| ConnectError::Tls(format!("{domain} is not a valid server name")))?;
    let connector = tokio_rustls::TlsConnector::from(config);
    connector.connect(name, tcp).await.map_err(|error| {
        let rejected = rejection.lock().ok().and_then(|mut slot| slot.take());
        match rejected {
            Some(r) => ConnectError::CertificateRejected {
                fingerprint: r.fingerprint,
                message: r.message,
            },
            None => ConnectError::Tls(error.to_string()),
        }
    })
}

fn stream_error(error: std::io::Error) -> ConnectError {
    if error.kind() == std::io::ErrorKind::TimedOut {
        ConnectError::Timeout
    } else {
        ConnectError::Stream(error.to_string())
    }
}

fn features_error(error: RecvFeaturesError) -> ConnectError {
    match error {
        RecvFeaturesError::Io(e) => stream_error(e),
        RecvFeaturesError::StreamError(e) => ConnectError::Stream(e.to_string()),
    }
}

fn read_error(error: ReadError) -> ConnectError {
    match error {
        ReadError::HardError(e) => stream_error(e),
        ReadError::SoftTimeout => ConnectError::Timeout,
        other => ConnectError::Stream(other.to_string()),
    }
}

fn auth_error(error: tokio_xmpp::Error) -> ConnectError {
    use tokio_xmpp::error::AuthError;
    match error {
        tokio_xmpp::Error::Auth(AuthError::Fail(condition)) => {
            ConnectError::AuthFailed(auth_failure_text(&condition).to_string())
        }
        tokio_xmpp::Error::Auth(AuthError::NoMechanism) => ConnectError::NoMechanism,
        tokio_xmpp::Error::Auth(other) => {
            ConnectError::AuthFailed(format!("signing in failed: {other}"))
        }
        tokio_xmpp::Error::Io(e) => stream_error(e),
        other => ConnectError::Stream(other.to_string()),
    }
}

fn auth_failure_text(condition: &DefinedCondition) -> &'static str {
    match condition {
        DefinedCondition::NotAuthorized => "the password is wrong, or the account does not exist",
        DefinedCondition::AccountDisabled => "this account has been disabled by the server",
        DefinedCondition::CredentialsExpired => "the password has expired; change it on the server",
        DefinedCondition::EncryptionRequired => "the server requires encryption to sign in",
        DefinedCondition::TemporaryAuthFailure => {
            "the server could not check the password right now"
        }
        _ => "the server refused to sign in",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_recognised() {
        for host in ["localhost", "127.0.0.1", "127.3.4.5", "::1", "[::1]"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "example.org",
            "10.0.0.1",
            "192.168.1.1",
            "localhost.evil.org",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[tokio::test]
    async fn plaintext_is_refused_beyond_loopback() {
        let account = AccountConfig {
            jid: "a@example.org".into(),
            tls: TlsMode::PlaintextLoopback,
            ..Default::default()
        };
        let error = connect(&account, "pw", Timeouts::tight())
            .await
            .err()
            .expect("must refuse");
        assert!(
            matches!(error, ConnectError::PlaintextNotLoopback(_)),
            "{error}"
        );
    }

    #[test]
    fn account_jid_needs_a_local_part() {
        let mut account = AccountConfig {
            jid: "example.org".into(),
            ..Default::default()
        };
        assert!(account_jid(&account).is_err());
        account.jid = "alice@example.org".into();
        assert!(account_jid(&account).is_ok());
        account.jid = "al ice@@x".into();
        assert!(account_jid(&account).is_err());
    }
}
