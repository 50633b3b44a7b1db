//! Turns an address the user typed (add a contact, sign in) into a bare JID, or says why not.

use jid::{BareJid, Jid};

/// RFC 7622 allows 1023 bytes for each part of an address.
const MAX_PART: usize = 1023;

/// The longest text looked at, so a pasted novel is refused before any parsing.
const MAX_LEN: usize = MAX_PART * 3 + 2;

/// Why a typed address is not a valid XMPP address.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Nothing was typed.
    #[error("type an address such as name@example.org")]
    Empty,
    /// There is no `@`.
    #[error("an address looks like name@example.org; this one has no @")]
    MissingAt,
    /// Nothing before the `@`.
    #[error("the name before the @ is missing")]
    MissingName,
    /// Nothing after the `@`.
    #[error("the server after the @ is missing")]
    MissingServer,
    /// More than one `@`.
    #[error("an address has only one @")]
    TooManyAts,
    /// Spaces or characters XMPP addresses cannot hold.
    #[error("the address contains spaces or characters that are not allowed")]
    BadCharacters,
    /// Longer than any real address.
    #[error("the address is too long")]
    TooLong,
}

/// Validates a user-typed address into a bare JID (normalised, e.g. lower-cased).
///
/// Surrounding spaces and an `xmpp:` prefix (as pasted from a link) are dropped, and so is a
/// `/resource`: the user means the person, not one of their devices.
pub fn parse_bare(text: &str) -> Result<BareJid, AddressError> {
    let text = text.trim();
    let text = text.strip_prefix("xmpp:").unwrap_or(text);
    if text.is_empty() {
        return Err(AddressError::Empty);
    }
    if text.len() > MAX_LEN {
        return Err(AddressError::TooLong);
    }
    let bare_part = text.split('/').next().unwrap_or(text);
    if bare_part
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(AddressError::BadCharacters);
    }
    let Some((node, domain)) = bare_part.split_once('@') else {
        return Err(AddressError::MissingAt);
    };
    if node.is_empty() {
        return Err(AddressError::MissingName);
    }
    if domain.is_empty() {
        return Err(AddressError::MissingServer);
    }
    if domain.contains('@') {
        return Err(AddressError::TooManyAts);
    }
    if node.len() > MAX_PART || domain.len() > MAX_PART {
        return Err(AddressError::TooLong);
    }
    match Jid::new(bare_part) {
        Ok(jid) => Ok(jid.into_bare()),
        Err(jid::Error::NodeTooLong | jid::Error::ResourceTooLong) => Err(AddressError::TooLong),
        Err(jid::Error::NodeEmpty) => Err(AddressError::MissingName),
        Err(jid::Error::TooManyAts) => Err(AddressError::TooManyAts),
        Err(_) => Err(AddressError::BadCharacters),
    }
}
