//! Reading the event stream for what concerns sessions, which is what an application acts on.
//!
//! After `subscribe`, Nudge pushes one JSON object per event, its `event` member naming the
//! kind (docs/api.md, "Events"). A connection unlocked for some sessions receives only
//! `session_updated` and `session_event` of those; [`SessionNotice::read`] turns them into
//! typed values and any other kind into [`SessionNotice::Other`].

use serde::Deserialize;
use serde_json::Value;

use crate::session::{InviteSession, SessionEvent};

/// A pushed event as an application sees it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SessionNotice {
    /// A session was created or changed: the whole session as it is now.
    SessionUpdated {
        /// The session.
        session: InviteSession,
    },
    /// Something happened to a session (BeforeAppLaunch, OnAccepted, ... OnTermination).
    SessionEvent {
        /// The session's id.
        session: String,
        /// What happened (its `kind` and details sit beside `session` in JSON).
        #[serde(flatten)]
        detail: SessionEvent,
    },
    /// Any other kind (messages, presence, ...): nothing a session needs.
    #[serde(other)]
    Other,
}

impl SessionNotice {
    /// Reads one pushed event, as [`crate::client::ApiClient::next_event`] returns it; `None`
    /// when it is a session event that does not read as one (a newer or broken server).
    pub fn read(event: Value) -> Option<Self> {
        serde_json::from_value(event).ok()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::session::EndReason;

    #[test]
    fn session_events_are_read_and_everything_else_is_other() {
        let ended = json!({
            "event": "session_event",
            "session": "s1",
            "kind": "OnTermination",
            "reason": "success",
        });
        assert_eq!(
            SessionNotice::read(ended),
            Some(SessionNotice::SessionEvent {
                session: "s1".into(),
                detail: SessionEvent::OnTermination {
                    reason: EndReason::Success
                },
            })
        );
        let message = json!({"event": "message_received", "message": {"body": "hi"}});
        assert_eq!(SessionNotice::read(message), Some(SessionNotice::Other));
        let broken = json!({"event": "session_event", "session": "s1", "kind": "OnNothing"});
        assert_eq!(SessionNotice::read(broken), None);
        assert_eq!(SessionNotice::read(json!({"id": 1})), None);
    }
}
