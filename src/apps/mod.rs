//! Session Invite applications: the registry of programs that contacts can be invited to.
//!
//! Each application is one TOML file in `<profile config dir>/apps/`, so installers can drop a
//! file and `nudge apps register` can write one ([`registry`]). [`watch`] notices files
//! appearing, changing and disappearing while Nudge runs (the seeds' OnAppRegistered and
//! OnAppUnRegistered). [`launch`] starts a registered program for a session.
//! The file format and the rules are in docs/apps.md.

pub mod cli;
pub mod guid;
pub mod launch;
pub mod registration;
pub mod registry;
pub mod watch;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

pub use guid::{Guid, GuidError};
pub use registration::{Registration, RegistrationError};
pub use registry::Registry;
pub use watch::{watch, AppsChange, AppsWatcher};

use crate::config::Profile;

/// Errors of the application registry.
#[derive(Debug, thiserror::Error)]
pub enum AppsError {
    /// A registration is not valid.
    #[error(transparent)]
    Invalid(#[from] RegistrationError),
    /// The GUID is registered already (the seeds' SR_APP_ALREADY_REGISTERED).
    #[error("an application with GUID {0} is already registered; to change it, replace it explicitly (`nudge apps register --replace`)")]
    AlreadyRegistered(Guid),
    /// No application has this GUID.
    #[error("no application with GUID {0} is registered")]
    NotRegistered(Guid),
    /// Reading or writing a file or folder failed.
    #[error("could not use {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A registration could not be written as TOML.
    #[error("could not write the registration as TOML: {0}")]
    Encode(#[from] toml::ser::Error),
    /// Watching the folder for changes could not start.
    #[error("could not watch {path} for changes: {source}")]
    Watch {
        /// The folder.
        path: PathBuf,
        /// The underlying error.
        source: notify::Error,
    },
}

impl From<GuidError> for AppsError {
    fn from(error: GuidError) -> Self {
        Self::Invalid(error.into())
    }
}

/// The folder of a profile's registered applications.
pub fn apps_dir(profile: &Profile) -> PathBuf {
    profile.config_dir.join("apps")
}
