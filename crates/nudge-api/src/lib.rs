//! Nudge's local API, as a Session Invite application sees it.
//!
//! Everything a third-party application needs to take part in a session: the JSON-lines wire
//! format ([`protocol`]), a client for the per-profile Unix socket ([`client`]), the session
//! types the API sends ([`session`]) and the events about them ([`events`]), the key
//! challenge/response ([`key`]), and the names of the environment variables Nudge launches the
//! application with ([`env`]). Nudge itself uses the same definitions, so the two sides
//! cannot drift apart. The protocol is documented in `docs/api.md`.

use std::path::PathBuf;

pub mod env;
pub mod events;
pub mod key;
pub mod protocol;
pub mod session;

#[cfg(unix)]
pub mod client;

pub use events::SessionNotice;
pub use key::key_response;
pub use session::{
    check_address, check_context, EndReason, InviteSession, Origin, Role, SessionError,
    SessionEvent, SessionState, MAX_ADDRESS_BYTES, MAX_CONTEXT_BYTES,
};

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
