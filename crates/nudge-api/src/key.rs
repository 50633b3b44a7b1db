//! The key challenge/response: how a registered application with a `key` in its registration
//! unlocks the local API (docs/api.md, "Unlocking"). The application computes
//! [`key_response`]; Nudge checks it with [`key_response_matches`].

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The answer to a challenge: lowercase hex of HMAC-SHA256 keyed with the app key's UTF-8
/// bytes, over the nonce's hex text exactly as `challenge` returned it.
pub fn key_response(key: &str, nonce: &str) -> String {
    // HMAC accepts keys of any length, so `mac` always gives one; an empty answer never matches.
    mac(key, nonce)
        .map(|mac| hex(&mac.finalize().into_bytes()))
        .unwrap_or_default()
}

/// Whether a registered key may unlock at all: not empty or only spaces, since anyone can
/// compute the HMAC of a public nonce with no secret. (`nudge apps register` asks more of a
/// new key; a file written by hand is held only to this.)
pub fn usable_key(key: &str) -> bool {
    !key.trim().is_empty()
}

/// Whether `response` answers `nonce` for `key`, compared in constant time. A key that is not
/// [`usable_key`] never matches.
pub fn key_response_matches(key: &str, nonce: &str, response: &str) -> bool {
    if !usable_key(key) {
        return false;
    }
    let (Some(bytes), Some(mac)) = (unhex(response), mac(key, nonce)) else {
        return false;
    };
    mac.verify_slice(&bytes).is_ok()
}

fn mac(key: &str, nonce: &str) -> Option<Hmac<Sha256>> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()).ok()?;
    mac.update(nonce.as_bytes());
    Some(mac)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_response_is_hmac_sha256_of_the_nonce_text() {
        // RFC 4231, test case 2.
        assert_eq!(
            key_response("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn only_the_right_response_matches() {
        let nonce = "4f1c9a2e7b3d4c5e8f6a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e";
        let right = key_response("s3cret", nonce);
        assert!(key_response_matches("s3cret", nonce, &right));
        assert!(
            key_response_matches("s3cret", nonce, &right.to_uppercase()),
            "hex in either case"
        );
        assert!(!key_response_matches("other", nonce, &right));
        assert!(!key_response_matches(
            "s3cret",
            &nonce.replace('4', "5"),
            &right
        ));
        for bad in ["", "zz", &right[..62], "é", &format!("{right}00")] {
            assert!(!key_response_matches("s3cret", nonce, bad), "{bad:?}");
        }
    }
}
