//! The local application API: a per-profile Unix socket speaking JSON lines.
//!
//! `nudge ctl` and registered applications use it to read state, send messages and follow the
//! event stream. The wire format is documented in `docs/api.md`; [`protocol`] and [`methods`]
//! are its pure (sans-IO) halves, [`server`] and [`client`] move the lines, [`ctl`] is the
//! command-line client.

use std::path::PathBuf;

pub mod access;
pub mod ctl;
pub mod methods;
pub mod protocol;
pub mod registry;
pub mod session_methods;
pub mod sessions;

#[cfg(unix)]
pub mod client;
#[cfg(unix)]
mod connection;
#[cfg(unix)]
pub mod peer;
#[cfg(unix)]
pub mod server;
#[cfg(not(unix))]
#[path = "server_elsewhere.rs"]
pub mod server;
#[cfg(unix)]
mod session_desk;

/// Errors of the local API, on either end of the socket.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Another Nudge already listens on this profile's socket.
    #[error("Nudge is already running for this profile (it answers on {path})")]
    AlreadyRunning {
        /// The socket that answered.
        path: PathBuf,
    },
    /// Something that is not a socket sits where the socket belongs; we never delete it.
    #[error("{path} exists and is not a socket; move it away so Nudge can listen there")]
    NotASocket {
        /// The file in the way.
        path: PathBuf,
    },
    /// Nobody listens on the socket.
    #[error("Nudge is not running (no socket at {path})")]
    NotRunning {
        /// Where the socket was expected.
        path: PathBuf,
    },
    /// Nobody listens on the socket of a named profile.
    #[error("Nudge is not running for profile {profile} (no socket at {path})")]
    NotRunningForProfile {
        /// The profile's name.
        profile: String,
        /// Where the socket was expected.
        path: PathBuf,
    },
    /// Reading or writing the socket (or its folder) failed.
    #[error("could not use {path}: {source}")]
    Io {
        /// The socket or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The socket's folder is not private to the user (see `platform::private`).
    #[error(transparent)]
    NotPrivate(#[from] crate::platform::private::PrivateError),
    /// The socket is served by another user's process: nothing is sent to it.
    #[error(
        "{path} is served by another user (user id {owner}), not by your Nudge; nothing was \
         sent to it"
    )]
    ForeignSocket {
        /// The socket.
        path: PathBuf,
        /// The user id of the process serving it.
        owner: u32,
    },
    /// Nudge answered the request with an error.
    #[error("{message} ({code})")]
    Remote {
        /// The machine-readable code, e.g. `invalid_params` (see `docs/api.md`).
        code: String,
        /// What went wrong, in plain words.
        message: String,
    },
    /// The other end sent something that is not valid API traffic.
    #[error("the API sent something unexpected: {0}")]
    Protocol(String),
    /// Nudge closed the connection before answering.
    #[error("Nudge closed the connection before answering")]
    Closed,
    /// The local API needs Unix sockets, which this platform lacks.
    #[error("the local API is not available on this platform yet")]
    Unsupported,
}
