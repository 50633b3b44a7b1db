//! The API server: owns the profile's socket file and accepts clients on it.
//!
//! The socket lives in the profile's runtime folder (0700) and is itself 0600, so only the user
//! reaches it. Each client gets its own task ([`super::connection`]); `status` and `roster` are
//! answered from an [`AppState`] the server keeps from its own [`EventBus`] subscription.

use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{watch, Notify};
use tokio::task::{JoinHandle, JoinSet};

use super::ApiError;
use crate::core::{CommandSender, EventBus, EventReceiver};
use crate::event::Event;
use crate::state::AppState;

/// Tunables of the server; the defaults suit real use.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    /// How long `history` waits for the core's `HistoryLoaded` before answering `timeout`.
    pub history_timeout: Duration,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            history_timeout: Duration::from_secs(10),
        }
    }
}

/// A running API server. Dropping it (or [`ApiServer::shutdown`]) stops it and removes the
/// socket file.
#[derive(Debug)]
pub struct ApiServer {
    socket_path: PathBuf,
    /// Device and inode of the socket we bound, so we never delete someone else's socket.
    identity: Option<(u64, u64)>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl ApiServer {
    /// Where the server listens.
    pub fn socket_path(&self) -> &Path {
        &self.socket_path
    }

    /// Stops accepting, closes every client connection and removes the socket file.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        // Drop removes the socket file.
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        let ours = fs::symlink_metadata(&self.socket_path)
            .map(|m| Some((m.dev(), m.ino())) == self.identity)
            .unwrap_or(false);
        if ours {
            let _ = fs::remove_file(&self.socket_path);
        }
    }
}

/// Starts the API server on `socket_path` with default options.
pub async fn serve(
    socket_path: &Path,
    commands: CommandSender,
    events: EventBus,
) -> Result<ApiServer, ApiError> {
    serve_with(socket_path, commands, events, ServerOptions::default()).await
}

/// Starts the API server on `socket_path`.
///
/// Creates the socket's folder (0700) if missing. A leftover socket file nobody answers on is
/// replaced; if another instance answers, this fails with [`ApiError::AlreadyRunning`].
/// Must be called inside a tokio runtime. The server subscribes to `events` now, so start it
/// before the core reports anything, or `status` misses what came before.
pub async fn serve_with(
    socket_path: &Path,
    commands: CommandSender,
    events: EventBus,
    options: ServerOptions,
) -> Result<ApiServer, ApiError> {
    let io_error = |source| ApiError::Io {
        path: socket_path.to_path_buf(),
        source,
    };
    create_private_parent(socket_path)?;
    let listener = bind(socket_path).await?;
    fs::set_permissions(socket_path, fs::Permissions::from_mode(0o600)).map_err(io_error)?;
    let identity = fs::symlink_metadata(socket_path)
        .map(|m| (m.dev(), m.ino()))
        .map_err(io_error)?;

    let notify = Arc::new(Notify::new());
    let waker_notify = notify.clone();
    let receiver = events.subscribe(Some(Arc::new(move || waker_notify.notify_one())));
    let shared = Arc::new(Shared {
        commands,
        events,
        options,
        mirror: Mutex::new(Mirror {
            state: AppState::default(),
            receiver,
        }),
    });
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(accept_loop(listener, shared, notify, stopped));
    Ok(ApiServer {
        socket_path: socket_path.to_path_buf(),
        identity: Some(identity),
        stop,
        task: Some(task),
    })
}

fn create_private_parent(socket_path: &Path) -> Result<(), ApiError> {
    let Some(parent) = socket_path.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    if parent.exists() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(parent)
        .map_err(|source| ApiError::Io {
            path: parent.to_path_buf(),
            source,
        })
}

/// Binds the socket, replacing a stale socket file but never a live one or a non-socket.
async fn bind(path: &Path) -> Result<UnixListener, ApiError> {
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

async fn accept_loop(
    listener: UnixListener,
    shared: Arc<Shared>,
    notify: Arc<Notify>,
    mut stopped: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stopped.changed() => break,
            () = notify.notified() => shared.drain(),
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(super::connection::run(stream, shared.clone(), stopped.clone()));
                }
                Err(e) => {
                    // Usually out of file descriptors: wait instead of spinning.
                    tracing::warn!("the API could not accept a client: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
        }
    }
    // Connections watch `stopped` too; this waits for them to close their sockets.
    while connections.join_next().await.is_some() {}
}

/// The server's copy of the core's state, and the subscription that feeds it.
struct Mirror {
    state: AppState,
    receiver: EventReceiver,
}

/// What every connection of one server shares.
pub(super) struct Shared {
    /// Where requests become commands.
    pub(super) commands: CommandSender,
    /// For subscriptions and for waiting on answers such as `HistoryLoaded`.
    pub(super) events: EventBus,
    /// The server's tunables.
    pub(super) options: ServerOptions,
    mirror: Mutex<Mirror>,
}

impl Shared {
    /// Applies waiting events to the mirror.
    fn drain(&self) {
        if let Ok(mut mirror) = self.mirror.lock() {
            mirror.catch_up();
        }
    }

    /// Runs `f` on the state with every event emitted so far applied, so a client that saw an
    /// event never reads a state from before it.
    pub(super) fn with_state<R>(&self, f: impl FnOnce(&AppState) -> R) -> R {
        match self.mirror.lock() {
            Ok(mut mirror) => {
                mirror.catch_up();
                f(&mirror.state)
            }
            Err(poisoned) => f(&poisoned.into_inner().state),
        }
    }
}

impl Mirror {
    fn catch_up(&mut self) {
        while let Some(event) = self.receiver.try_next() {
            // Conversations are not part of any answer the mirror gives; keeping every message
            // would only grow a long-running headless instance.
            if !matches!(
                event,
                Event::MessageReceived { .. }
                    | Event::MessageQueued { .. }
                    | Event::DeliveryChanged { .. }
                    | Event::ChatStateChanged { .. }
                    | Event::HistoryLoaded { .. }
            ) {
                self.state.apply(event);
            }
        }
    }
}
