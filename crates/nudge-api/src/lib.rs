//! Nudge's local API, as a Session Invite application sees it.
//!
//! Everything a third-party application needs to take part in a session: the JSON-lines wire
//! format ([`protocol`]), a client for the per-profile Unix socket or, on Windows, named pipe
//! ([`client`], [`pipe`]), the session types the API sends ([`session`]) and the events about
//! them ([`events`]), the key challenge/response ([`key`]), and the names of the environment
//! variables Nudge launches the application with ([`env`]). Nudge itself uses the same definitions, so the two sides
//! cannot drift apart. The protocol is documented in `docs/api.md`.
//!
//! A launched application, start to end (the same example is in `docs/api.md`; Tic-Tac-Toe,
//! `crates/nudge-tictactoe`, is a whole one):
//!
//! ```no_run
//! use nudge_api::client::ApiClient;
//! use nudge_api::{env, ApiError, InviteSession, SessionEvent, SessionNotice};
//! use serde_json::{json, Value};
//!
//! /// Joins the session Nudge launched this program for, greets the other side and prints what
//! /// it sends until the session ends.
//! async fn play() -> Result<(), ApiError> {
//!     // Nudge starts the program with its session in the environment.
//!     let socket = std::env::var(env::API_SOCKET).unwrap_or_default();
//!     let cookie = std::env::var(env::COOKIE).unwrap_or_default();
//!     let mut client = ApiClient::connect(socket.as_ref()).await?;
//!     client.call("unlock", json!({ "cookie": cookie })).await?;
//!     let session = client.call("get_launching_session", Value::Null).await?;
//!     let session: InviteSession =
//!         serde_json::from_value(session).map_err(|e| ApiError::Protocol(e.to_string()))?;
//!     client.subscribe().await?;
//!     let greeting = json!({ "session": session.id, "data": "hello" });
//!     client.call("send_context_data", greeting).await?;
//!     while let Some(event) = client.next_event().await? {
//!         let Some(SessionNotice::SessionEvent { detail, .. }) = SessionNotice::read(event) else {
//!             continue;
//!         };
//!         match detail {
//!             SessionEvent::OnContextData { data } => println!("{} says {data}", session.peer),
//!             SessionEvent::OnTermination { reason } => {
//!                 println!("the session ended: {}", reason.describe());
//!                 break;
//!             }
//!             _ => {}
//!         }
//!     }
//!     Ok(())
//! }
//! ```

use std::path::PathBuf;

pub mod env;
pub mod events;
pub mod key;
pub mod pipe;
pub mod protocol;
pub mod session;

#[cfg(any(unix, windows))]
pub mod client;
#[cfg(unix)]
pub mod peer;

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
    /// The socket's folder is not private to the user.
    #[error("{path} is not private to you: {why}")]
    NotPrivate {
        /// The folder.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
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
    /// The named pipe is served by another user's process (Windows): nothing is sent to it.
    #[error(
        "{path} is served by another user ({owner}), not by your Nudge; nothing was sent to it"
    )]
    ForeignPipe {
        /// The pipe.
        path: PathBuf,
        /// The security identifier of the user running the process that serves it.
        owner: String,
    },
    /// The local API needs Unix sockets or Windows' named pipes, which this platform lacks.
    #[error("the local API is not available on this platform yet")]
    Unsupported,
}

#[cfg(test)]
mod tests {
    /// docs/api.md shows the example of this crate's documentation, which is the one compiled:
    /// the two must be the same code.
    #[test]
    fn the_guide_shows_the_compiled_example() {
        let example: Vec<&str> = include_str!("lib.rs")
            .lines()
            .skip_while(|line| *line != "//! ```no_run")
            .skip(1)
            .take_while(|line| *line != "//! ```")
            .map(|line| {
                line.strip_prefix("//! ")
                    .unwrap_or(line.trim_start_matches("//!"))
            })
            .collect();
        assert!(example.len() > 10, "the crate documents an example");
        let shown = format!("```rust\n{}\n```", example.join("\n"));
        let guide = include_str!("../../../docs/api.md");
        assert!(
            guide.contains(&shown),
            "docs/api.md must show the example of crates/nudge-api/src/lib.rs:\n{shown}"
        );
    }
}
