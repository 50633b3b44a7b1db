//! The local API's server on platforms with neither Unix sockets nor named pipes: not available.
//!
//! The same names as the Unix server, so starting Nudge reads the same everywhere: the window
//! runs without the API (logged once), and headless mode, which is nothing but the API,
//! refuses to start (`runner::run_headless`).

use std::time::Duration;

use super::ApiError;
use crate::config::Profile;
use crate::core::{CommandSender, EventBus};
use crate::invite::cookies::LaunchCookies;

/// Settings of the server (unused here).
#[derive(Debug, Clone, Copy)]
pub struct ServerOptions {
    /// How long `history` waits for the core's answer.
    pub history_timeout: Duration,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            history_timeout: Duration::from_secs(10),
        }
    }
}

/// What the server would serve (unused here).
pub struct ServeContext {
    /// The launch cookies the core issues when it starts an application.
    pub cookies: LaunchCookies,
}

impl ServeContext {
    /// The context of a profile.
    pub fn for_profile(_profile: &Profile, cookies: LaunchCookies) -> Self {
        Self { cookies }
    }
}

/// A server that does not listen.
pub struct ApiServer;

impl ApiServer {
    /// Nothing to stop.
    pub async fn shutdown(self) {}
}

/// Logs that the local API is not available here and goes on without it.
pub async fn serve_context(
    _context: ServeContext,
    _commands: CommandSender,
    _events: EventBus,
    _options: ServerOptions,
) -> Result<ApiServer, ApiError> {
    tracing::warn!(
        "{}: `nudge ctl` and Session Invite programs cannot reach Nudge",
        ApiError::Unsupported
    );
    Ok(ApiServer)
}
