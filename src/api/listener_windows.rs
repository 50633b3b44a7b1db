//! The API's named pipe on Windows: `\\.\pipe\nudge-<user SID>-<profile>`, open to the user
//! alone (see [`nudge_api::pipe`]).
//!
//! The first instance is created with `FILE_FLAG_FIRST_PIPE_INSTANCE`, so a pipe of that name
//! that already exists (another Nudge of the profile, or anyone squatting the name) makes the
//! start fail instead of sharing it. Every instance refuses remote clients and carries a
//! security descriptor that lets only the user's SID in; each client's user is checked anyway
//! before a byte is exchanged. One instance always waits for the next client: a new one is
//! created as soon as a client takes the waiting one.

use std::io;
use std::path::{Path, PathBuf};

use nudge_api::pipe::{self, PipePeerError, UserOnly};
use tokio::io::{ReadHalf, WriteHalf};
use tokio::net::windows::named_pipe::{NamedPipeServer, ServerOptions};

use super::ApiError;

/// The reading half of a client's connection.
pub(super) type Reader = ReadHalf<NamedPipeServer>;
/// The writing half of a client's connection.
pub(super) type Writer = WriteHalf<NamedPipeServer>;

/// Why no client came out of [`Listener::accept`].
pub(super) enum AcceptError {
    /// A client that is not the user's: turned away.
    Refused(PipePeerError),
    /// Making or connecting an instance of the pipe failed.
    Failed(io::Error),
}

/// The pipe, with the instance waiting for the next client.
pub(super) struct Listener {
    name: PathBuf,
    security: UserOnly,
    /// The user whose processes may connect (the one Nudge runs as).
    owner: String,
    /// The instance waiting for a client; `None` after making one failed (retried at the next
    /// accept).
    waiting: Option<NamedPipeServer>,
}

impl Listener {
    /// The next client, once Windows says it runs as the user.
    ///
    /// Cancel-safe: the waiting instance stays in place until a client has connected to it,
    /// and nothing after that waits.
    pub(super) async fn accept(&mut self) -> Result<(Reader, Writer), AcceptError> {
        let waiting = match self.waiting.take() {
            Some(waiting) => waiting,
            None => self.instance(false).map_err(AcceptError::Failed)?,
        };
        let waiting = self.waiting.insert(waiting);
        if let Err(error) = waiting.connect().await {
            // A client that went before it was connected leaves the instance unusable: the next
            // accept makes a fresh one instead of failing on it forever.
            self.waiting = None;
            return Err(AcceptError::Failed(error));
        }
        let connected = match self.instance(false) {
            Ok(next) => self.waiting.replace(next),
            Err(error) => {
                tracing::warn!("the API could not make the pipe's next instance: {error}");
                self.waiting.take()
            }
        };
        let connected = connected.ok_or_else(|| {
            AcceptError::Failed(io::Error::other("the connected instance went missing"))
        })?;
        let user = pipe::client_user(&connected);
        pipe::check_pipe_user(user, &self.owner).map_err(AcceptError::Refused)?;
        Ok(tokio::io::split(connected))
    }

    /// A new instance of the pipe; `first` for the one that claims the name.
    fn instance(&self, first: bool) -> io::Result<NamedPipeServer> {
        let mut options = ServerOptions::new();
        options
            .first_pipe_instance(first)
            .reject_remote_clients(true);
        pipe::create_server(&options, &self.name, &self.security)
    }
}

/// Nothing is left behind: the pipe goes when its last instance closes.
#[derive(Debug)]
pub(super) struct Leftover;

impl Leftover {
    /// Nothing to remove.
    pub(super) fn remove(&self) {}
}

/// Creates the first instance of the pipe of `socket_path` (see [`pipe::pipe_name`]).
pub(super) async fn bind(socket_path: &Path) -> Result<(Listener, Leftover), ApiError> {
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source: io::Error| ApiError::Io { path, source }
    };
    let owner = pipe::current_user_sid().map_err(io_error(socket_path))?;
    let name = pipe::pipe_name(&owner, socket_path);
    let security = UserOnly::for_user(&owner).map_err(io_error(&name))?;
    let mut listener = Listener {
        name,
        security,
        owner,
        waiting: None,
    };
    let first = listener.instance(true).map_err(|source| {
        // The name is taken: by another Nudge of the profile, or by someone else's pipe.
        if source.kind() == io::ErrorKind::PermissionDenied {
            ApiError::AlreadyRunning {
                path: listener.name.clone(),
            }
        } else {
            io_error(&listener.name)(source)
        }
    })?;
    listener.waiting = Some(first);
    Ok((listener, Leftover))
}
