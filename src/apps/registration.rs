//! One registered application: what the Invite menu shows, what to launch, where to get it.
//!
//! A registration is read from files that installers drop, so every field is checked before it
//! is trusted: the name reaches menus and dialogs, the path and arguments reach a process, and
//! the download URL reaches a browser.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::guid::{Guid, GuidError};
use crate::model::AppInfo;

/// The longest application name, in characters (it has to fit in a menu).
pub const MAX_NAME_CHARS: usize = 100;
/// The longest program path, in bytes.
pub const MAX_PATH_BYTES: usize = 4096;
/// The longest download URL, in bytes.
pub const MAX_URL_BYTES: usize = crate::web_url::MAX_URL_BYTES;
/// The longest app key, in bytes.
pub const MAX_KEY_BYTES: usize = 256;

/// Why a registration is not valid. The messages are meant for the user, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    /// The GUID is not `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`.
    #[error(transparent)]
    BadGuid(#[from] GuidError),
    /// The name is empty or only spaces.
    #[error("the application needs a name")]
    EmptyName,
    /// The name is longer than [`MAX_NAME_CHARS`].
    #[error("the application name is too long (at most {MAX_NAME_CHARS} characters)")]
    NameTooLong,
    /// The name has line breaks, tabs or other invisible control characters.
    #[error("the application name may not contain line breaks, tabs or other control characters")]
    NameControlCharacters,
    /// The name starts or ends with spaces.
    #[error("the application name may not start or end with spaces")]
    NameSpaces,
    /// The program path is not absolute.
    #[error("the program path {0:?} is not a full path: give it from the root, e.g. /usr/bin/app")]
    RelativePath(String),
    /// The program path has control characters or is too long.
    #[error("the program path is not usable: {0}")]
    BadPath(&'static str),
    /// The download URL is not a plain `https://` address.
    #[error("the download address {url:?} is not usable: {reason}")]
    BadUrl {
        /// The URL (clipped).
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A program argument contains a NUL character.
    #[error("program argument {0} contains a NUL character, which no program can receive")]
    ArgumentNul(usize),
    /// The key is empty, too long, or has spaces or control characters.
    #[error("the application key is not usable: {0}")]
    BadKey(&'static str),
}

/// A registered application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// The application's unique identifier.
    pub guid: Guid,
    /// The name shown in the Invite menu and in invitations.
    pub name: String,
    /// The absolute path of the program to launch.
    pub path: PathBuf,
    /// Where someone without the program can download it (`https://` only).
    pub download_url: String,
    /// Arguments given to the program before anything Nudge adds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// The app's secret key for the lock-and-key handshake; never shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl Registration {
    /// Checks every field; the first problem found is returned.
    pub fn validate(&self) -> Result<(), RegistrationError> {
        validate_name(&self.name)?;
        validate_path(&self.path)?;
        validate_download_url(&self.download_url)?;
        if let Some(index) = self.args.iter().position(|arg| arg.contains('\0')) {
            return Err(RegistrationError::ArgumentNul(index + 1));
        }
        if let Some(key) = &self.key {
            validate_key(key)?;
        }
        Ok(())
    }

    /// True when the program exists and may be executed; the program is never run.
    pub fn is_installed(&self) -> bool {
        super::launch::is_executable_file(&self.path)
    }

    /// The public view the UI and the local API show: everything but the path, arguments and
    /// key.
    pub fn info(&self) -> AppInfo {
        AppInfo {
            guid: self.guid.to_string(),
            name: self.name.clone(),
            download_url: self.download_url.clone(),
            installed: self.is_installed(),
        }
    }
}

/// Checks an application name: 1 to [`MAX_NAME_CHARS`] characters, printable, no edge spaces.
pub fn validate_name(name: &str) -> Result<(), RegistrationError> {
    if name.trim().is_empty() {
        return Err(RegistrationError::EmptyName);
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(RegistrationError::NameTooLong);
    }
    if name.chars().any(is_hostile_char) {
        return Err(RegistrationError::NameControlCharacters);
    }
    if name.trim() != name {
        return Err(RegistrationError::NameSpaces);
    }
    Ok(())
}

/// Control characters, and the invisible ones that can make a name or path read differently
/// from what it is (one rule for all text from outside: `text::is_deceptive`).
fn is_hostile_char(c: char) -> bool {
    crate::text::is_deceptive(c)
}

/// Checks a program path: absolute, no control characters, not too long.
pub fn validate_path(path: &Path) -> Result<(), RegistrationError> {
    let text = path.to_string_lossy();
    if text.is_empty() {
        return Err(RegistrationError::BadPath("it is empty"));
    }
    if text.len() > MAX_PATH_BYTES {
        return Err(RegistrationError::BadPath("it is too long"));
    }
    if text.chars().any(is_hostile_char) {
        return Err(RegistrationError::BadPath(
            "it contains line breaks or other control characters",
        ));
    }
    // A relative path would depend on whichever folder Nudge happens to run in.
    if !path.is_absolute() {
        return Err(RegistrationError::RelativePath(clip(&text)));
    }
    Ok(())
}

/// Checks a download URL with the app's one rule for web addresses ([`crate::web_url`]):
/// `https://`, a plain host name or IP address, and only the characters a web address may
/// hold (no spaces, no control characters, no `user@`).
pub fn validate_download_url(url: &str) -> Result<(), RegistrationError> {
    crate::web_url::HttpsUrl::parse(url)
        .map(|_| ())
        .map_err(|error| RegistrationError::BadUrl {
            url: clip(url),
            reason: error.reason(),
        })
}

/// Checks an app key: printable ASCII without spaces, 1 to [`MAX_KEY_BYTES`] bytes.
pub fn validate_key(key: &str) -> Result<(), RegistrationError> {
    if key.is_empty() {
        return Err(RegistrationError::BadKey("it is empty"));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(RegistrationError::BadKey("it is too long"));
    }
    if !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(RegistrationError::BadKey(
            "it may only hold printable ASCII characters without spaces",
        ));
    }
    Ok(())
}

/// Shortens text quoted in an error so a hostile file cannot flood the screen.
pub(crate) fn clip(text: &str) -> String {
    const MAX: usize = 80;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let mut clipped: String = text.chars().take(MAX).collect();
        clipped.push('…');
        clipped
    }
}
