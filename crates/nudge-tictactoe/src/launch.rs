//! The session Nudge launched the game for, read from the environment.

use std::fmt;
use std::path::PathBuf;

use nudge_api::{env, Role};

/// The variables whose presence means "Nudge started this program".
const LAUNCH_VARIABLES: [&str; 7] = [
    env::SESSION_ID,
    env::ROLE,
    env::API_SOCKET,
    env::COOKIE,
    env::LOCAL_JID,
    env::REMOTE_JID,
    env::CONTEXT_DATA,
];

/// Why the environment does not describe a launch.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LaunchError {
    /// None of Nudge's variables is set: someone started the program by hand.
    #[error("this game is started by Nudge, not by hand")]
    NotLaunched,
    /// Some variables are set but a required one is missing or empty.
    #[error("Nudge's launch settings are incomplete: {0} is not set")]
    Missing(&'static str),
    /// `NUDGE_ROLE` is neither `inviter` nor `invitee`.
    #[error("Nudge's launch settings are not valid: NUDGE_ROLE must be inviter or invitee")]
    BadRole,
}

/// Everything Nudge told the game about its session.
#[derive(Clone, PartialEq, Eq)]
pub struct Launch {
    /// The session id.
    pub session_id: String,
    /// Which side of the invitation this copy is on (the inviter plays X first).
    pub role: Role,
    /// The local API socket to connect to.
    pub api_socket: PathBuf,
    /// The one-time cookie that unlocks the session (never shown or logged).
    pub cookie: String,
    /// This user's bare JID (may be empty).
    pub local_jid: String,
    /// The opponent's bare JID (may be empty).
    pub remote_jid: String,
    /// The invitation's context data (may be empty; the game does not need it).
    pub context_data: String,
}

impl fmt::Debug for Launch {
    // Written by hand so the cookie never reaches a log line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Launch")
            .field("session_id", &self.session_id)
            .field("role", &self.role)
            .field("api_socket", &self.api_socket)
            .field("cookie", &"<hidden>")
            .field("local_jid", &self.local_jid)
            .field("remote_jid", &self.remote_jid)
            .field("context_data", &self.context_data)
            .finish()
    }
}

impl Launch {
    /// Reads the launch from this process's environment.
    pub fn from_env() -> Result<Self, LaunchError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the launch through `lookup` (a variable's value, `None` when unset).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, LaunchError> {
        let value = |name: &str| lookup(name).filter(|value| !value.is_empty());
        if LAUNCH_VARIABLES.iter().all(|name| value(name).is_none()) {
            return Err(LaunchError::NotLaunched);
        }
        let required = |name: &'static str| value(name).ok_or(LaunchError::Missing(name));
        let role = match required(env::ROLE)?.as_str() {
            "inviter" => Role::Inviter,
            "invitee" => Role::Invitee,
            _ => return Err(LaunchError::BadRole),
        };
        Ok(Self {
            session_id: required(env::SESSION_ID)?,
            role,
            api_socket: PathBuf::from(required(env::API_SOCKET)?),
            cookie: required(env::COOKIE)?,
            local_jid: value(env::LOCAL_JID).unwrap_or_default(),
            remote_jid: value(env::REMOTE_JID).unwrap_or_default(),
            context_data: value(env::CONTEXT_DATA).unwrap_or_default(),
        })
    }

    /// The name to show for the opponent before Nudge confirms the session.
    pub fn opponent(&self) -> &str {
        if self.remote_jid.is_empty() {
            "your opponent"
        } else {
            &self.remote_jid
        }
    }
}
