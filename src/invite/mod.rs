//! Session Invite sessions: their states, events and the rules for moving between states.
//!
//! The names follow the Windows Messenger Session Invite API the feature comes from
//! (`MSGR_SESSION_STATE` and the `IMsgrSession` events), so an application author recognises
//! them. The session types and rules are the local API's (`nudge_api::session`), shared with
//! applications; this module adds what only Nudge needs: the ringing time and launch
//! [`cookies`]. The core drives the sessions and the wire format lives in `xmpp::invite`.

pub use nudge_api::env;
pub use nudge_api::session::*;

pub mod cookies;

/// How long an invitation rings before it times out, on both sides.
pub const INVITATION_TIMEOUT_MS: i64 = 120_000;
