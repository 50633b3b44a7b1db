//! Account passwords, kept only in the operating system's keyring.
//!
//! On Linux and the BSDs that is the Secret Service (GNOME Keyring, KWallet), on macOS the
//! Keychain and on Windows the Credential Manager; the `keyring` crate picks the store. Each
//! password is saved under the service `nudge` with the bare JID as the user name, so
//! `secret-tool lookup service nudge username alice@example.org` finds it.
//!
//! Calls block on the keyring (D-Bus on Linux): call them from a blocking-friendly place.
//! The password never appears in an error: errors are built from the keyring's answer with
//! any secret bytes it carries left out.

use std::sync::Arc;

use keyring_core::{CredentialStore, Entry, Error};

use crate::model::bare_jid;

/// The service name every Nudge password is saved under.
pub const SERVICE: &str = "nudge";

/// Errors from the keyring, in words for the user.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// There is no keyring to use (no Secret Service on the session bus, no session bus...).
    #[error("no keyring is available on this desktop: {0}")]
    Unavailable(String),
    /// The keyring is there but locked, or it refused access.
    #[error("the keyring is locked or refused access: {0}")]
    Locked(String),
    /// Reading, saving or removing a password failed.
    #[error("the keyring could not {action} the password for {jid}: {reason}")]
    Failed {
        /// What was being done: "read", "save" or "remove".
        action: &'static str,
        /// The bare JID of the account.
        jid: String,
        /// What the keyring said.
        reason: String,
    },
}

/// The passwords of Nudge's accounts in one credential store.
#[derive(Clone)]
pub struct Passwords {
    store: Arc<CredentialStore>,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Only the store's name: a store's own Debug may show its contents.
        f.debug_struct("Passwords")
            .field("backend", &self.backend())
            .finish()
    }
}

impl Passwords {
    /// The operating system's keyring, or why there is none.
    ///
    /// The `keyring` crate connects once per process; when that fails (for example no Secret
    /// Service was running), later calls report the same failure until Nudge restarts.
    pub fn system() -> Result<Self, KeyringError> {
        if let Err(error) = ::keyring::Entry::store_status() {
            return Err(KeyringError::Unavailable(describe(error)));
        }
        let store = keyring_core::get_default_store().ok_or_else(|| {
            KeyringError::Unavailable("the platform keyring could not be set up".to_string())
        })?;
        Ok(Self { store })
    }

    /// A keyring that lives in this process only (tests, and a session that chose not to
    /// remember passwords). It is keyring-core's mock store, whose debug logging shows secrets:
    /// never enable `keyring_core=debug` logging with it.
    pub fn in_memory() -> Result<Self, KeyringError> {
        let store = keyring_core::mock::Store::new()
            .map_err(|error| KeyringError::Unavailable(describe(&error)))?;
        Ok(Self { store })
    }

    /// Passwords in a given credential store.
    pub fn with_store(store: Arc<CredentialStore>) -> Self {
        Self { store }
    }

    /// The name of the credential store, for diagnostics.
    pub fn backend(&self) -> String {
        self.store.vendor()
    }

    /// Saves (or replaces) the password of the account `jid`.
    pub fn save(&self, jid: &str, password: &str) -> Result<(), KeyringError> {
        let (entry, user) = self.entry(jid, "save")?;
        entry
            .set_password(password)
            .map_err(|error| failure("save", user, &error))
    }

    /// The saved password of the account `jid`, if any.
    pub fn get(&self, jid: &str) -> Result<Option<String>, KeyringError> {
        let (entry, user) = self.entry(jid, "read")?;
        match entry.get_password() {
            Ok(password) => Ok(Some(password)),
            Err(Error::NoEntry) => Ok(None),
            Err(error) => Err(failure("read", user, &error)),
        }
    }

    /// Removes the saved password of the account `jid`; nothing saved is fine too.
    pub fn forget(&self, jid: &str) -> Result<(), KeyringError> {
        let (entry, user) = self.entry(jid, "remove")?;
        match entry.delete_credential() {
            Ok(()) | Err(Error::NoEntry) => Ok(()),
            Err(error) => Err(failure("remove", user, &error)),
        }
    }

    fn entry(&self, jid: &str, action: &'static str) -> Result<(Entry, String), KeyringError> {
        let user = bare_jid(jid);
        if user.is_empty() {
            return Err(KeyringError::Failed {
                action,
                jid: user,
                reason: "the account has no address".to_string(),
            });
        }
        match self.store.build(SERVICE, &user, None) {
            Ok(entry) => Ok((entry, user)),
            Err(error) => Err(failure(action, user, &error)),
        }
    }
}

/// Sorts a keyring error into what the user can do about it.
fn failure(action: &'static str, jid: String, error: &Error) -> KeyringError {
    match error {
        Error::NoStorageAccess(_) => KeyringError::Locked(describe(error)),
        Error::NoDefaultStore => KeyringError::Unavailable(describe(error)),
        _ => KeyringError::Failed {
            action,
            jid,
            reason: describe(error),
        },
    }
}

/// Plain words for a keyring error. Variants that carry secret bytes are described without
/// them, and unknown variants are not formatted at all.
fn describe(error: &Error) -> String {
    match error {
        Error::PlatformFailure(inner) | Error::NoStorageAccess(inner) => inner.to_string(),
        Error::NoEntry => "no password is saved".to_string(),
        Error::BadEncoding(_) => "the saved password is not valid text".to_string(),
        Error::BadDataFormat(..) => "the saved password is damaged".to_string(),
        Error::BadStoreFormat(reason) => format!("the keyring is damaged: {reason}"),
        Error::TooLong(name, limit) => {
            format!("the {name} is longer than the keyring allows ({limit})")
        }
        Error::Invalid(name, reason) => format!("the {name} is not valid: {reason}"),
        Error::Ambiguous(matches) => {
            format!(
                "{} saved passwords match; remove the extra ones",
                matches.len()
            )
        }
        Error::NoDefaultStore => "no keyring store is set up".to_string(),
        Error::NotSupportedByStore(reason) => format!("the keyring cannot do that: {reason}"),
        _ => "the keyring reported an unknown error".to_string(),
    }
}

#[cfg(test)]
mod tests;
