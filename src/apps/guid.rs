//! The GUID that names a registered application: `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`.
//!
//! The seeds say the letters must be uppercase. Tools such as `uuidgen` print lowercase, so
//! lowercase input is accepted and normalised to uppercase; everything else (missing braces,
//! wrong group lengths, spaces, other characters) is refused. Two spellings of one GUID are
//! therefore always the same application.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::registration::{clip, RegistrationError};

/// Lengths of the five hex groups between the braces.
const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];

/// An application GUID, always stored in the canonical uppercase form with braces.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Guid(String);

impl Guid {
    /// Parses `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}` (hex digits, either case).
    pub fn parse(text: &str) -> Result<Self, RegistrationError> {
        let bad = || RegistrationError::BadGuid(clip(text));
        let inner = text
            .strip_prefix('{')
            .and_then(|rest| rest.strip_suffix('}'))
            .ok_or_else(bad)?;
        let groups: Vec<&str> = inner.split('-').collect();
        let well_formed = groups.len() == GROUPS.len()
            && groups.iter().zip(GROUPS).all(|(group, length)| {
                group.len() == length && group.bytes().all(|b| b.is_ascii_hexdigit())
            });
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
    type Err = RegistrationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl TryFrom<String> for Guid {
    type Error = RegistrationError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<Guid> for String {
    fn from(guid: Guid) -> Self {
        guid.0
    }
}
