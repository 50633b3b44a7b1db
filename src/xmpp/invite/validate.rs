//! The limits and formats of every Session Invite value. The same checks run when Nudge builds a
//! stanza and when it reads one, so what one Nudge accepts to send the other accepts to read.

use super::InviteError;
use crate::apps::Guid;

/// Largest context data, in bytes of UTF-8 (64 KiB): big enough for a game state, small enough
/// for servers' stanza limits (Prosody's default is 256 KiB) and for an environment variable.
pub const MAX_CONTEXT_BYTES: usize = 64 * 1024;
/// Longest application name, in characters.
pub const MAX_NAME_CHARS: usize = 128;
/// Longest application address, in characters.
pub const MAX_ADDRESS_CHARS: usize = 256;
/// Longest download URL, in bytes (it is ASCII).
pub const MAX_URL_LEN: usize = crate::web_url::MAX_URL_BYTES;
/// Longest session id, in bytes (it is ASCII).
pub const MAX_SID_LEN: usize = 128;
/// Longest reason text kept from the network, in characters; longer text is cut.
pub const MAX_REASON_TEXT_CHARS: usize = 500;

/// A GUID as the wire carries it: `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`, hex digits in
/// capitals ([`Guid::parse_canonical`]: lowercase is refused rather than corrected).
pub fn validate_guid(guid: &str) -> Result<(), InviteError> {
    Guid::parse_canonical(guid)
        .map(|_| ())
        .map_err(|_| InviteError::BadGuid {
            found: super::super::clip(guid, 40),
        })
}

/// A session id: 1 to [`MAX_SID_LEN`] characters from `A-Z a-z 0-9 . _ : -` (a UUID fits). The
/// id names the session in the environment of launched programs, so nothing else is allowed.
pub fn validate_sid(sid: &str) -> Result<(), InviteError> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-');
    if sid.is_empty() || sid.len() > MAX_SID_LEN || !sid.bytes().all(allowed) {
        return Err(InviteError::BadSid);
    }
    Ok(())
}

/// An application name: one line of 1 to [`MAX_NAME_CHARS`] characters, no control characters
/// and nothing that changes how it reads (direction overrides, zero-width characters: a name
/// from the network must not pass for another program's). Everything else (quotes, `;`,
/// `$(..)`) is kept literally: it is only ever shown.
pub fn validate_name(name: &str) -> Result<(), InviteError> {
    line("application name", name, MAX_NAME_CHARS)?;
    if name.chars().any(crate::text::is_deceptive) {
        return Err(InviteError::ForbiddenCharacters {
            what: "application name",
        });
    }
    if name.trim().is_empty() {
        return Err(InviteError::Empty {
            what: "application name",
        });
    }
    Ok(())
}

/// An application address: one line of at most [`MAX_ADDRESS_CHARS`] characters, no control
/// characters. Its meaning is the application's business.
pub fn validate_address(address: &str) -> Result<(), InviteError> {
    line("application address", address, MAX_ADDRESS_CHARS)
}

/// Context data: text of at most [`MAX_CONTEXT_BYTES`] bytes, any characters XML can carry
/// (no NUL or other C0 control characters except tab, line feed and carriage return).
/// Binary data must be encoded by the application (base64, say).
pub fn validate_context(context: &str) -> Result<(), InviteError> {
    if context.len() > MAX_CONTEXT_BYTES {
        return Err(InviteError::ContextTooLarge {
            bytes: context.len(),
            max: MAX_CONTEXT_BYTES,
        });
    }
    if !context.chars().all(xml_char) {
        return Err(InviteError::ForbiddenCharacters {
            what: "context data",
        });
    }
    Ok(())
}

/// A download URL the recipient may be offered to open, by the app's one rule for web
/// addresses ([`crate::web_url`]): `https://HOST[:PORT][/...]`, ASCII, at most
/// [`MAX_URL_LEN`] bytes, no spaces, no user name (`https://good@evil`), only the characters
/// RFC 3986 allows. Internationalised hosts must be written in punycode.
pub fn validate_download_url(url: &str) -> Result<(), InviteError> {
    crate::web_url::HttpsUrl::parse(url)
        .map(|_| ())
        .map_err(|error| InviteError::BadDownloadUrl {
            why: error.reason(),
        })
}

/// A one-line value of at most `max` characters without control characters.
fn line(what: &'static str, value: &str, max: usize) -> Result<(), InviteError> {
    if value.chars().count() > max {
        return Err(InviteError::TooLong { what, max });
    }
    if value.chars().any(|c| c.is_control() || !xml_char(c)) {
        return Err(InviteError::ForbiddenCharacters { what });
    }
    Ok(())
}

/// A character XML 1.0 can carry (`Char` production; Rust strings hold no surrogates).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}
