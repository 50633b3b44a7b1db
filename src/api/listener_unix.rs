//! The API's Unix socket: bound in the profile's runtime folder, open to the user alone.
//!
//! The socket is `0600` in a `0700` folder, so only the user reaches it, and each client's
//! credentials are checked anyway ([`super::peer`]) before a byte is exchanged.

use std::fs;
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{UnixListener, UnixStream};

use super::ApiError;

/// The reading half of a client's connection.
pub(super) type Reader = OwnedReadHalf;
/// The writing half of a client's connection.
pub(super) type Writer = OwnedWriteHalf;

/// Why no client came out of [`Listener::accept`].
pub(super) enum AcceptError {
    /// A client that is not the user's: turned away.
    Refused(super::peer::PeerError),
    /// Accepting failed (usually out of file descriptors).
    Failed(io::Error),
}

/// The bound socket.
pub(super) struct Listener {
    listener: UnixListener,
    /// The user whose processes may connect (the one Nudge runs as).
    owner: u32,
}

impl Listener {
    /// The next client, once the kernel says it runs as the user.
    pub(super) async fn accept(&mut self) -> Result<(Reader, Writer), AcceptError> {
        let (stream, _) = self.listener.accept().await.map_err(AcceptError::Failed)?;
        super::peer::check_peer(&stream, self.owner).map_err(AcceptError::Refused)?;
        Ok(stream.into_split())
    }
}

/// The socket file, removed when the server stops if it is still the one bound.
#[derive(Debug)]
pub(super) struct Leftover {
    path: PathBuf,
    /// Device and inode of the socket we bound, so we never delete someone else's socket.
    identity: (u64, u64),
}

impl Leftover {
    /// Removes the socket file if it is still ours.
    pub(super) fn remove(&self) {
        let ours = fs::symlink_metadata(&self.path)
            .map(|m| (m.dev(), m.ino()) == self.identity)
            .unwrap_or(false);
        if ours {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Binds the socket at `socket_path` (its folder exists and is private) and makes it `0600`.
pub(super) async fn bind(socket_path: &Path) -> Result<(Listener, Leftover), ApiError> {
    let io_error = |source| ApiError::Io {
        path: socket_path.to_path_buf(),
        source,
    };
    let listener = bind_replacing_stale(socket_path).await?;
    fs::set_permissions(socket_path, fs::Permissions::from_mode(0o600)).map_err(io_error)?;
    let identity = fs::symlink_metadata(socket_path)
        .map(|m| (m.dev(), m.ino()))
        .map_err(io_error)?;
    let listener = Listener {
        listener,
        owner: crate::platform::private::current_uid(),
    };
    let leftover = Leftover {
        path: socket_path.to_path_buf(),
        identity,
    };
    Ok((listener, leftover))
}

/// Binds the socket, replacing a stale socket file but never a live one or a non-socket.
async fn bind_replacing_stale(path: &Path) -> Result<UnixListener, ApiError> {
    let io_error = |source| ApiError::Io {
        path: path.to_path_buf(),
        source,
    };
    match UnixListener::bind(path) {
        Ok(listener) => return Ok(listener),
        Err(e) if e.kind() == io::ErrorKind::AddrInUse => {}
        Err(e) => return Err(io_error(e)),
    }
    let metadata = fs::symlink_metadata(path).map_err(io_error)?;
    if !metadata.file_type().is_socket() {
        return Err(ApiError::NotASocket {
            path: path.to_path_buf(),
        });
    }
    if UnixStream::connect(path).await.is_ok() {
        return Err(ApiError::AlreadyRunning {
            path: path.to_path_buf(),
        });
    }
    // Nobody answers: an instance that crashed left it behind.
    tracing::info!(path = %path.display(), "replacing a stale API socket");
    fs::remove_file(path).map_err(io_error)?;
    UnixListener::bind(path).map_err(io_error)
}
