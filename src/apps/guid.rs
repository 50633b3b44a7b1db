//! The GUID that names a Session Invite application: `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`.
//!
//! This is Nudge's one GUID type and parser: the registry, the local API and the wire format
//! all read GUIDs through it, so they agree on what a GUID is. Its one case rule:
//! - where people and installers write GUIDs (the command line, registration files, the local
//!   API), lowercase is accepted and made uppercase ([`Guid::parse`]): tools such as `uuidgen`
//!   print lowercase, and two spellings of one GUID are always the same application;
//! - on the network only the canonical form is read ([`Guid::parse_canonical`]): Nudge always
//!   sends GUIDs in capitals, and refusing another spelling rather than correcting it keeps one
//!   GUID one string everywhere it travels (docs/session-invite.md).
//!
//! Everything else (missing braces, wrong group lengths, spaces, other characters) is refused.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::registration::clip;

/// Lengths of the five hex groups between the braces.
const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];

/// An application GUID, always held in the canonical uppercase form with braces.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Guid(String);

/// Text that is not a GUID; the message quotes it (shortened) and shows the right form.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{found:?} is not an application GUID: write it as {{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}} \
     with hexadecimal digits, braces included"
)]
pub struct GuidError {
    /// What was given, shortened so a hostile file cannot flood the screen.
    pub found: String,
}

/// Which hex letters a GUID may hold.
#[derive(Clone, Copy)]
enum Letters {
    /// `a-f` and `A-F` (normalised to uppercase).
    EitherCase,
    /// `A-F` only: the canonical form.
    Capitals,
}

impl Guid {
    /// Parses `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}` with hex digits in either case, as people
    /// and installers write it, and keeps it in uppercase.
    pub fn parse(text: &str) -> Result<Self, GuidError> {
        Self::parse_with(text, Letters::EitherCase)
    }

    /// Parses a GUID that must already be canonical (hex digits in capitals), as it must be on
    /// the wire.
    pub fn parse_canonical(text: &str) -> Result<Self, GuidError> {
        Self::parse_with(text, Letters::Capitals)
    }

    fn parse_with(text: &str, letters: Letters) -> Result<Self, GuidError> {
        let bad = || GuidError { found: clip(text) };
        let inner = text
            .strip_prefix('{')
            .and_then(|rest| rest.strip_suffix('}'))
            .ok_or_else(bad)?;
        let digit = |b: u8| match letters {
            Letters::EitherCase => b.is_ascii_hexdigit(),
            Letters::Capitals => b.is_ascii_digit() || (b'A'..=b'F').contains(&b),
        };
        let groups: Vec<&str> = inner.split('-').collect();
        let well_formed = groups.len() == GROUPS.len()
            && groups
                .iter()
                .zip(GROUPS)
                .all(|(group, length)| group.len() == length && group.bytes().all(digit));
        if !well_formed {
            return Err(bad());
        }
        Ok(Self(text.to_ascii_uppercase()))
    }

    /// The canonical text, e.g. `{44BBA842-CC51-11CF-AAFA-00AA00B6015C}`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name of the registry file for this GUID: `{GUID}.toml`.
    ///
    /// Safe by construction: only braces, hex digits and dashes, never a path separator or `..`.
    pub fn file_name(&self) -> String {
        format!("{}.toml", self.0)
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Guid {
    type Err = GuidError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl TryFrom<String> for Guid {
    type Error = GuidError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<Guid> for String {
    fn from(guid: Guid) -> Self {
        guid.0
    }
}
