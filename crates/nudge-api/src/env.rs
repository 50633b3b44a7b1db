//! The environment variables a launched application finds its session in.
//!
//! Nudge sets them when it starts a registered program for a session (docs/api.md); a program
//! unlocks the local API at [`API_SOCKET`] with the one-time [`COOKIE`].

/// The session id.
pub const SESSION_ID: &str = "NUDGE_SESSION_ID";
/// The application's GUID.
pub const APP_GUID: &str = "NUDGE_APP_GUID";
/// `inviter` or `invitee`.
pub const ROLE: &str = "NUDGE_ROLE";
/// This user's bare JID.
pub const LOCAL_JID: &str = "NUDGE_LOCAL_JID";
/// The other side's bare JID.
pub const REMOTE_JID: &str = "NUDGE_REMOTE_JID";
/// This side's application address (may be empty).
pub const LOCAL_ADDRESS: &str = "NUDGE_LOCAL_ADDRESS";
/// The other side's application address (may be empty).
pub const REMOTE_ADDRESS: &str = "NUDGE_REMOTE_ADDRESS";
/// The context data of the invitation (may be empty).
pub const CONTEXT_DATA: &str = "NUDGE_CONTEXT_DATA";
/// Path of the local API socket (on Windows, the name of its named pipe).
pub const API_SOCKET: &str = "NUDGE_API_SOCKET";
/// The one-time cookie that unlocks the local API for this session.
pub const COOKIE: &str = "NUDGE_COOKIE";

/// Every variable above, in that order.
pub const ALL: [&str; 10] = [
    SESSION_ID,
    APP_GUID,
    ROLE,
    LOCAL_JID,
    REMOTE_JID,
    LOCAL_ADDRESS,
    REMOTE_ADDRESS,
    CONTEXT_DATA,
    API_SOCKET,
    COOKIE,
];
