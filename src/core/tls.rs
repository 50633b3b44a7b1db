//! TLS for the XMPP connection: platform roots, plus certificates the user pinned.
//!
//! A pinned certificate is trusted by the SHA-256 fingerprint of its DER encoding, whatever its
//! issuer or names (that is what pinning means). Every other certificate must chain to the
//! platform's roots and match the JID's domain. A rejection records the fingerprint so the user
//! can be shown it and decide to trust it.

use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use sha2::{Digest, Sha256};

/// The SHA-256 fingerprint of a DER certificate as upper-case hex pairs joined by `:`.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Normalises a fingerprint typed or pasted by a user (any case, with or without colons).
pub fn normalise_fingerprint(text: &str) -> Option<String> {
    let hex: String = text.chars().filter(|c| !matches!(c, ':' | ' ')).collect();
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let upper = hex.to_ascii_uppercase();
    let pairs: Vec<&str> = (0..32).map(|i| &upper[i * 2..i * 2 + 2]).collect();
    Some(pairs.join(":"))
}

/// The fingerprint of the first certificate in a PEM file's text.
pub fn pem_fingerprint(pem: &str) -> Option<String> {
    use rustls::pki_types::pem::PemObject;
    CertificateDer::pem_slice_iter(pem.as_bytes())
        .next()
        .and_then(Result::ok)
        .map(|der| fingerprint(&der))
}

/// Why the server's certificate was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// Fingerprint of the server's certificate.
    pub fingerprint: String,
    /// What verification said, in plain words.
    pub message: String,
}

/// Remembers the last rejection of a handshake (rustls only returns a generic error).
pub type RejectionSlot = Arc<Mutex<Option<Rejection>>>;

#[derive(Debug)]
struct PinningVerifier {
    pinned: Vec<String>,
    roots: Option<Arc<WebPkiServerVerifier>>,
    provider: Arc<CryptoProvider>,
    rejection: RejectionSlot,
}

impl PinningVerifier {
    fn reject(&self, fingerprint: String, error: rustls::Error) -> rustls::Error {
        let message = match &error {
            rustls::Error::InvalidCertificate(reason) => describe(reason),
            other => other.to_string(),
        };
        if let Ok(mut slot) = self.rejection.lock() {
            *slot = Some(Rejection {
                fingerprint,
                message,
            });
        }
        error
    }
}

/// Why a certificate was refused, as a sentence; never the verifier's internal names.
fn describe(reason: &rustls::CertificateError) -> String {
    use rustls::CertificateError as E;
    let text = match reason {
        E::UnknownIssuer => {
            "the certificate is not signed by an authority this computer trusts (it may be self-signed)"
        }
        E::Expired | E::ExpiredContext { .. } => "the certificate has expired",
        E::NotValidYet | E::NotValidYetContext { .. } => {
            "the certificate is not valid yet (check this computer's clock)"
        }
        E::NotValidForName | E::NotValidForNameContext { .. } => {
            "the certificate was issued for a different server name"
        }
        E::Revoked => "the certificate was revoked by its authority",
        E::BadSignature
        | E::UnsupportedSignatureAlgorithmContext { .. }
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            "the certificate's signature cannot be checked"
        }
        E::InvalidPurpose | E::InvalidPurposeContext { .. } => {
            "the certificate is not meant for identifying a server"
        }
        E::Other(other) => match other.0.downcast_ref::<webpki::Error>() {
            // What `openssl req -x509` makes by default: a self-signed authority certificate.
            Some(webpki::Error::CaUsedAsEndEntity) => {
                "the certificate is self-signed (it names itself as its own authority), and this computer \
                 does not trust it"
            }
            Some(webpki::Error::CertNotValidYet { .. }) => {
                "the certificate is not valid yet (check this computer's clock)"
            }
            _ => "the certificate could not be verified",
        },
        _ => "the certificate could not be verified",
    };
    text.to_string()
}

impl ServerCertVerifier for PinningVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let fingerprint = fingerprint(end_entity);
        if self.pinned.iter().any(|p| p == &fingerprint) {
            return Ok(ServerCertVerified::assertion());
        }
        let Some(roots) = &self.roots else {
            let error = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
            return Err(self.reject(fingerprint, error));
        };
        roots
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .map_err(|error| self.reject(fingerprint, error))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A client TLS configuration trusting the platform roots and `pinned` fingerprints.
pub fn client_config(
    pinned: &[String],
    rejection: RejectionSlot,
) -> Result<Arc<ClientConfig>, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for error in &native.errors {
        tracing::debug!("skipping a platform certificate: {error}");
    }
    roots.add_parsable_certificates(native.certs);
    // A machine without any root certificates can still reach servers the user pinned.
    let roots = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .ok();
    let verifier = PinningVerifier {
        pinned: pinned
            .iter()
            .filter_map(|p| normalise_fingerprint(p))
            .collect(),
        roots,
        provider: provider.clone(),
        rejection,
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_normalised() {
        let fp = fingerprint(b"hello");
        assert_eq!(fp.len(), 32 * 3 - 1);
        assert_eq!(normalise_fingerprint(&fp.to_lowercase()), Some(fp.clone()));
        assert_eq!(normalise_fingerprint(&fp.replace(':', "")), Some(fp));
        assert_eq!(normalise_fingerprint("AB:CD"), None);
        assert_eq!(normalise_fingerprint(&"zz".repeat(32)), None);
    }

    #[test]
    fn pem_without_a_certificate_has_no_fingerprint() {
        assert_eq!(pem_fingerprint("not a pem"), None);
    }

    #[test]
    fn refusals_are_sentences_without_the_verifiers_internal_names() {
        use rustls::{CertificateError, OtherError};
        let other = |e: webpki::Error| CertificateError::Other(OtherError(Arc::new(e)));
        let cases = [
            (other(webpki::Error::CaUsedAsEndEntity), "self-signed"),
            (CertificateError::UnknownIssuer, "authority"),
            (CertificateError::Expired, "expired"),
            (CertificateError::NotValidForName, "different server name"),
            (other(webpki::Error::BadDer), "could not be verified"),
        ];
        for (error, expected) in cases {
            let text = describe(&error);
            assert!(text.contains(expected), "{text}");
            assert!(text.starts_with("the certificate"), "{text}");
            assert!(!text.contains('(') || text.contains("(it"), "{text}");
            assert!(!text.contains("Other") && !text.contains("Error"), "{text}");
        }
    }
}
