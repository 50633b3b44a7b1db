//! The API server: owns the profile's socket (or, on Windows, named pipe) and accepts clients
//! on it.
//!
//! The socket lives in the profile's runtime folder (0700) and is itself 0600, so only the user
//! reaches it ([`super::listener`]; on Windows the pipe's security descriptor lets the user
//! alone in). Each client gets its own task ([`super::connection`]), the same code over either
//! transport; `status` and `roster` are answered from an [`AppState`] the server keeps from its
//! own [`EventBus`] subscription.
//!
//! Beside the socket the server writes `ctl.token` (0600), the secret `nudge ctl` unlocks the
//! session methods with; it is new at every start and removed at shutdown. The server also
//! keeps the READY sessions created through the API until they are invited
//! ([`super::sessions::HeldSessions`]).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{watch, Notify};
use tokio::task::{JoinHandle, JoinSet};

use super::access::{ctl_token_path, random_secret};
use super::listener::{AcceptError, Leftover, Listener};
use super::sessions::HeldSessions;
use super::ApiError;
use crate::config::Profile;
use crate::core::{CommandSender, EventBus, EventReceiver};
use crate::event::Event;
use crate::invite::cookies::LaunchCookies;
use crate::invite::InviteSession;
use crate::model::now_ms;
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

/// Where the server listens and what it shares with the rest of Nudge.
#[derive(Clone, Debug)]
pub struct ServeContext {
    /// The socket; `ctl.token` is written beside it.
    pub socket_path: PathBuf,
    /// The profile's registered applications (`Profile::apps_dir`); `None`: no applications.
    pub apps_dir: Option<PathBuf>,
    /// The launch cookies the core issues when it starts an application.
    pub cookies: LaunchCookies,
}

impl ServeContext {
    /// The profile's socket and applications, with the core's launch cookies.
    pub fn for_profile(profile: &Profile, cookies: LaunchCookies) -> Self {
        Self {
            socket_path: profile.socket_path(),
            apps_dir: Some(profile.apps_dir()),
            cookies,
        }
    }

    /// Just a socket: no applications and cookies nobody else issues.
    pub fn at(socket_path: &Path) -> Self {
        Self {
            socket_path: socket_path.to_path_buf(),
            apps_dir: None,
            cookies: LaunchCookies::default(),
        }
    }
}

/// A running API server. Dropping it (or [`ApiServer::shutdown`]) stops it and removes the
/// socket file.
#[derive(Debug)]
pub struct ApiServer {
    socket_path: PathBuf,
    /// The socket file to remove, if it is still the one bound.
    leftover: Leftover,
    /// The ctl token file and what we wrote in it, so we only remove our own.
    token: (PathBuf, String),
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl ApiServer {
    /// Where the server listens.
    pub fn socket_path(&self) -> &Path {
        &self.socket_path
    }

    /// The file holding the ctl token (beside the socket).
    pub fn token_path(&self) -> &Path {
        &self.token.0
    }

    /// Stops accepting, closes every client connection and removes the socket and token files.
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
        self.leftover.remove();
        let (path, token) = &self.token;
        if fs::read_to_string(path).is_ok_and(|written| written.trim() == token) {
            let _ = fs::remove_file(path);
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

/// Starts the API server on `socket_path`, with no applications (see [`serve_context`]).
pub async fn serve_with(
    socket_path: &Path,
    commands: CommandSender,
    events: EventBus,
    options: ServerOptions,
) -> Result<ApiServer, ApiError> {
    serve_context(ServeContext::at(socket_path), commands, events, options).await
}

/// Starts the API server as `context` says.
///
/// Creates the socket's folder (0700) if missing. A leftover socket file nobody answers on is
/// replaced; if another instance answers, this fails with [`ApiError::AlreadyRunning`].
/// Writes a new ctl token beside the socket. Must be called inside a tokio runtime. The server
/// subscribes to `events` now, so start it before the core reports anything, or `status`
/// misses what came before.
pub async fn serve_context(
    context: ServeContext,
    commands: CommandSender,
    events: EventBus,
    options: ServerOptions,
) -> Result<ApiServer, ApiError> {
    let socket_path = context.socket_path.as_path();
    create_private_parent(socket_path)?;
    let (listener, leftover) = super::listener::bind(socket_path).await?;
    let token_path = ctl_token_path(socket_path);
    let token = write_token(&token_path)?;

    let notify = Arc::new(Notify::new());
    let waker_notify = notify.clone();
    let receiver = events.subscribe(Some(Arc::new(move || waker_notify.notify_one())));
    let shared = Arc::new(Shared::new(
        &context,
        commands,
        events,
        options,
        token.clone(),
        receiver,
    ));
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(accept_loop(listener, shared, notify, stopped));
    Ok(ApiServer {
        socket_path: socket_path.to_path_buf(),
        leftover,
        token: (token_path, token),
        stop,
        task: Some(task),
    })
}

/// Writes a new random token, readable by the user only.
fn write_token(path: &Path) -> Result<String, ApiError> {
    use std::io::Write;
    let io_error = |source| ApiError::Io {
        path: path.to_path_buf(),
        source,
    };
    // A token left by a crash is replaced; creating afresh never writes through a link.
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(io_error(e)),
        _ => {}
    }
    let token = random_secret();
    let mut file = crate::platform::private::new_private_file()
        .open(path)
        .map_err(io_error)?;
    writeln!(file, "{token}").map_err(io_error)?;
    Ok(token)
}

/// Makes the socket's folder if it is missing (`0700`), and refuses one that is not private:
/// a symbolic link, another user's folder, or one others may write to.
fn create_private_parent(socket_path: &Path) -> Result<(), ApiError> {
    let Some(parent) = socket_path.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    crate::platform::private::create_private_dir_all(parent).map_err(|source| ApiError::Io {
        path: parent.to_path_buf(),
        source,
    })?;
    crate::platform::private::check_strict_private_dir(parent).map_err(|error| {
        ApiError::NotPrivate {
            path: parent.to_path_buf(),
            why: error.to_string(),
        }
    })
}

async fn accept_loop(
    mut listener: Listener,
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
                Ok((reader, writer)) => {
                    connections.spawn(super::connection::run(reader, writer, shared.clone(), stopped.clone()));
                }
                // The socket is private; only a loosened folder lets anyone else this far.
                Err(AcceptError::Refused(error)) => tracing::warn!("refused a local API client: {error}"),
                Err(AcceptError::Failed(e)) => {
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
    /// The profile's registered applications, if any.
    pub(super) apps_dir: Option<PathBuf>,
    /// Launch cookies, redeemed by `unlock`.
    pub(super) cookies: LaunchCookies,
    /// The ctl token of this run.
    pub(super) token: String,
    mirror: Mutex<Mirror>,
    held: Mutex<HeldSessions>,
    /// Numbers connections, so held sessions know their creator.
    connections: AtomicU64,
}

impl Shared {
    /// What the connections of a server started as `context` says share; `receiver` feeds the
    /// server's copy of the state.
    pub(super) fn new(
        context: &ServeContext,
        commands: CommandSender,
        events: EventBus,
        options: ServerOptions,
        token: String,
        receiver: EventReceiver,
    ) -> Self {
        Self {
            commands,
            events,
            options,
            apps_dir: context.apps_dir.clone(),
            cookies: context.cookies.clone(),
            token,
            mirror: Mutex::new(Mirror {
                state: AppState::default(),
                receiver,
            }),
            held: Mutex::new(HeldSessions::default()),
            connections: AtomicU64::new(0),
        }
    }

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

impl Shared {
    /// A number for a new connection.
    pub(super) fn connection_number(&self) -> u64 {
        self.connections.fetch_add(1, Ordering::Relaxed)
    }

    /// Runs `f` on the sessions the server keeps itself.
    pub(super) fn with_held<R>(&self, f: impl FnOnce(&mut HeldSessions) -> R) -> R {
        match self.held.lock() {
            Ok(mut held) => f(&mut held),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    /// A session as the core reports it or, before that, as the server keeps it; the flag
    /// says it was never sent.
    pub(super) fn session(&self, id: &str) -> Option<(InviteSession, bool)> {
        if let Some(session) = self.with_state(|state| state.sessions.get(id).cloned()) {
            return Some((session, false));
        }
        self.with_held(|held| held.get(id).map(|(s, unsent)| (s.clone(), unsent)))
    }

    /// Every session: the core's, then the server's own that the core does not report yet.
    pub(super) fn sessions(&self) -> Vec<InviteSession> {
        let mut all: Vec<InviteSession> =
            self.with_state(|state| state.sessions.values().cloned().collect());
        let known: std::collections::BTreeSet<String> = all.iter().map(|s| s.id.clone()).collect();
        self.with_held(|held| {
            held.forget_reported(|id| known.contains(id), now_ms());
            all.extend(held.all().filter(|s| !known.contains(&s.id)).cloned());
        });
        all
    }

    /// The user's own bare JID while signed in.
    pub(super) fn own_jid(&self) -> Option<crate::model::BareJid> {
        self.with_state(AppState::own_jid)
    }
}

impl Mirror {
    fn catch_up(&mut self) {
        while let Some(event) = self.receiver.try_next() {
            // Conversations are not part of any answer the mirror gives; keeping every message
            // would only grow a long-running headless instance. Session events are kept: the
            // session methods answer from them.
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
