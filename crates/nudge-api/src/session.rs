//! Session Invite sessions: their states, events and the rules for moving between states.
//!
//! The names follow the Windows Messenger Session Invite API the feature comes from
//! (`MSGR_SESSION_STATE` and the `IMsgrSession` events), so an application author recognises
//! them. This module is pure data and rules: the local API sends these types, and Nudge's core
//! moves its sessions through the same rules.

use serde::{Deserialize, Serialize};

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;

/// Largest context data accepted from an application or the network, in bytes.
pub const MAX_CONTEXT_BYTES: usize = 64 * 1024;

/// Longest address an application may set (an address is e.g. `host:port`).
pub const MAX_ADDRESS_BYTES: usize = 256;

/// Where a session is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SessionState {
    /// Not known (never set on a live session).
    Unknown,
    /// Created by the inviter, not sent yet.
    Ready,
    /// Ringing: sent and not answered yet.
    Invitation,
    /// Accepted; the application is being launched.
    Accepted,
    /// The application runs; context data can flow.
    Connected,
    /// The inviter cancelled before it was answered.
    Cancelled,
    /// The invitee declined (or policy refused, or the app was missing).
    Declined,
    /// Ended: finished, failed or timed out.
    Terminated,
}

impl SessionState {
    /// Whether nothing more can happen to the session.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Cancelled | Self::Declined | Self::Terminated)
    }
}

/// Which side of the invitation this client is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// This client sent the invitation.
    Inviter,
    /// This client received it.
    Invitee,
}

/// Who started an invitation on the inviter's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The Invite menu: Nudge launches the inviter's copy of the app too.
    #[default]
    Menu,
    /// A running application through the local API: it gets the events instead.
    Application,
}

/// Why a session ended: the XEP-0166 reasons Session Invite uses, on the wire
/// (`xmpp::invite`) and in the local API alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndReason {
    /// The invitee said no.
    Decline,
    /// The inviter withdrew it.
    Cancel,
    /// Nobody answered in time.
    Timeout,
    /// The invitee is busy.
    Busy,
    /// The invitee does not have the application.
    UnsupportedApplications,
    /// The application could not be started or failed.
    FailedApplication,
    /// Finished normally.
    Success,
    /// Refused for a security reason (policy, or a malformed or spoofed invitation).
    SecurityError,
}

impl EndReason {
    /// Every reason, in the order above.
    pub const ALL: [EndReason; 8] = [
        EndReason::Decline,
        EndReason::Cancel,
        EndReason::Timeout,
        EndReason::Busy,
        EndReason::UnsupportedApplications,
        EndReason::FailedApplication,
        EndReason::Success,
        EndReason::SecurityError,
    ];

    /// The XEP-0166 condition element on the wire (`<decline/>`, ...); the local API's JSON
    /// uses the same names.
    pub fn wire_name(self) -> &'static str {
        match self {
            Self::Decline => "decline",
            Self::Cancel => "cancel",
            Self::Timeout => "timeout",
            Self::Busy => "busy",
            Self::UnsupportedApplications => "unsupported-applications",
            Self::FailedApplication => "failed-application",
            Self::Success => "success",
            Self::SecurityError => "security-error",
        }
    }

    /// The reason named `name` on the wire, if Session Invite uses it.
    pub fn from_wire_name(name: &str) -> Option<EndReason> {
        Self::ALL.into_iter().find(|r| r.wire_name() == name)
    }

    /// Words for the user.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Decline => "declined",
            Self::Cancel => "cancelled",
            Self::Timeout => "nobody answered in time",
            Self::Busy => "busy",
            Self::UnsupportedApplications => "the program is not installed",
            Self::FailedApplication => "the program could not be started",
            Self::Success => "finished",
            Self::SecurityError => "refused for security reasons",
        }
    }
}

/// One Session Invite session as the UI and the local API see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteSession {
    /// The session id (a UUID), the same on both sides.
    pub id: String,
    /// Inviter or invitee.
    pub role: Role,
    /// Who started it on the inviter's side.
    pub origin: Origin,
    /// The application's GUID, `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`.
    pub app_guid: String,
    /// The application's name as the inviter's registry gives it.
    pub app_name: String,
    /// Where to get the application (https only).
    pub download_url: String,
    /// Bare JID of the other side.
    pub peer: String,
    /// Where the session is.
    pub state: SessionState,
    /// Context data given with the invitation.
    pub context: Option<String>,
    /// This side's application address.
    pub local_address: Option<String>,
    /// The other side's application address.
    pub remote_address: Option<String>,
    /// Whether this machine has the application registered and installed.
    pub app_present: bool,
    /// Why it ended, once final.
    pub end_reason: Option<EndReason>,
    /// Extra words about the end (from the other side or the launcher).
    pub end_text: Option<String>,
    /// When it was created, in Unix milliseconds.
    pub created_ms: i64,
}

/// Something that happened to a session (the `IMsgrSession` events).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum SessionEvent {
    /// The application is about to be launched.
    BeforeAppLaunch,
    /// The invitee accepted.
    OnAccepted,
    /// The invitee does not have the application.
    OnAppNotPresent,
    /// The inviter cancelled.
    OnCancelled,
    /// The other side sent context data.
    OnContextData {
        /// The data.
        data: String,
    },
    /// The invitee declined.
    OnDeclined {
        /// Whether policy refused it ("not accepting invitations") rather than the person.
        not_accepting: bool,
    },
    /// Everything is ready; the application can be launched.
    OnReadyToLaunch,
    /// Something this side sent did not arrive.
    OnSendError {
        /// What went wrong, in plain words.
        message: String,
    },
    /// The state changed.
    OnStateChanged {
        /// The state before.
        previous: SessionState,
        /// The state now.
        current: SessionState,
    },
    /// The session ended.
    OnTermination {
        /// Why.
        reason: EndReason,
    },
}

/// Errors of session operations, in plain words (the seeds' error results).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum SessionError {
    /// The operation does not fit the session's state.
    #[error("the session is {state:?}; {operation} is not possible now")]
    InvalidState {
        /// The state it is in.
        state: SessionState,
        /// What was attempted.
        operation: String,
    },
    /// No such session.
    #[error("there is no session {session}")]
    UnknownSession {
        /// The id asked for.
        session: String,
    },
    /// The application is not registered here.
    #[error("no application with GUID {guid} is registered")]
    AppNotRegistered {
        /// The GUID asked for.
        guid: String,
    },
    /// The user invited themselves.
    #[error("you cannot invite yourself")]
    InvitedSelf,
    /// Context data over the limit.
    #[error("context data is {size} bytes; the limit is {limit}")]
    ContextTooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// An address over the limit or with control characters.
    #[error("the address is not valid (at most {MAX_ADDRESS_BYTES} bytes, no control characters)")]
    BadAddress,
}

impl InviteSession {
    /// Moves to `next` if the rules allow it, returning `OnStateChanged` (and `OnTermination`
    /// for an end); a session never leaves a final state.
    pub fn move_to(
        &mut self,
        next: SessionState,
        operation: &str,
    ) -> Result<Vec<SessionEvent>, SessionError> {
        use SessionState::*;
        let allowed = matches!(
            (self.state, next),
            (Ready, Invitation)
                | (Invitation, Accepted | Cancelled | Declined | Terminated)
                | (Accepted, Connected | Terminated)
                | (Connected, Terminated)
        );
        if !allowed {
            return Err(SessionError::InvalidState {
                state: self.state,
                operation: operation.to_string(),
            });
        }
        let previous = self.state;
        self.state = next;
        Ok(vec![SessionEvent::OnStateChanged {
            previous,
            current: next,
        }])
    }

    /// Ends the session with `reason` from whatever live state it is in.
    pub fn end(
        &mut self,
        next: SessionState,
        reason: EndReason,
        text: Option<String>,
    ) -> Result<Vec<SessionEvent>, SessionError> {
        let mut events = self.move_to(next, "ending")?;
        self.end_reason = Some(reason);
        self.end_text = text;
        events.push(SessionEvent::OnTermination { reason });
        Ok(events)
    }
}

/// Checks context data against the limit.
pub fn check_context(data: &str) -> Result<(), SessionError> {
    if data.len() > MAX_CONTEXT_BYTES {
        return Err(SessionError::ContextTooLarge {
            size: data.len(),
            limit: MAX_CONTEXT_BYTES,
        });
    }
    Ok(())
}

/// Checks an application address (length, no control characters).
pub fn check_address(address: &str) -> Result<(), SessionError> {
    if address.len() > MAX_ADDRESS_BYTES || address.chars().any(char::is_control) {
        return Err(SessionError::BadAddress);
    }
    Ok(())
}
