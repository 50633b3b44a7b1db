//! Sessions as the API sees them: the READY ones the server keeps itself, and the rules for
//! what may be done to a session in each state.
//!
//! Pure code. `create_session` makes a READY session that only the API server knows about; it
//! dies with the connection that made it unless it is invited. Once invited, the core reports
//! it (`SessionUpdated`) and the server's copy of the core's state becomes the truth: the copy
//! here is then only a stand-in for the moment between the `Invite` command and the core's
//! first report.

use std::collections::BTreeMap;

use crate::command::Command;
use crate::invite::{InviteSession, Role, SessionError, SessionState, INVITATION_TIMEOUT_MS};

use super::protocol::{ErrorBody, ErrorCode};

/// Most never-invited sessions one connection may hold; each is a few hundred bytes, but a
/// runaway client must not grow the server without end.
pub const MAX_READY_PER_CONNECTION: usize = 64;

/// Something done to an existing session; each becomes one command for the core.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Accept an invitation the user received.
    Accept,
    /// Decline an invitation the user received.
    Decline,
    /// Withdraw an invitation the user sent (or discard a session never sent).
    Cancel,
    /// End a session that is running.
    End,
    /// Send context data to the other side.
    SendContextData {
        /// The data, already checked against the limit.
        data: String,
    },
    /// Set this side's application address.
    SetLocalAddress {
        /// The address, already checked.
        address: String,
    },
}

/// Where an allowed action is carried out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// By the core: send the command.
    Core,
    /// On the server's own READY copy: nothing was sent anywhere yet.
    Server,
}

impl Action {
    /// The method's name, for messages.
    pub fn method(&self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Decline => "decline",
            Self::Cancel => "cancel",
            Self::End => "end_session",
            Self::SendContextData { .. } => "send_context_data",
            Self::SetLocalAddress { .. } => "set_local_address",
        }
    }

    /// The command that carries the action out for `session`.
    pub fn command(&self, session: &str) -> Command {
        let session = session.to_string();
        match self {
            Self::Accept => Command::AcceptInvitation { session },
            Self::Decline => Command::DeclineInvitation { session },
            Self::Cancel => Command::CancelInvitation { session },
            Self::End => Command::EndSession { session },
            Self::SendContextData { data } => Command::SendContextData {
                session,
                data: data.clone(),
            },
            Self::SetLocalAddress { address } => Command::SetLocalAddress {
                session,
                address: address.clone(),
            },
        }
    }

    /// Whether the action fits `session` as known now, and who carries it out. `unsent` means
    /// a READY session the server keeps that was never invited. Only the obvious mismatches
    /// are refused; the core has the last word on the rest.
    pub fn check(&self, session: &InviteSession, unsent: bool) -> Result<Step, ErrorBody> {
        let state = session.state;
        let refuse = |why: &str| {
            Err(ErrorBody::new(
                ErrorCode::InvalidState,
                format!("the session is {}; {why}", state_word(state)),
            ))
        };
        if state.is_final() {
            return refuse(&format!("{} is not possible any more", self.method()));
        }
        let received = session.role == Role::Invitee;
        match self {
            Self::Accept | Self::Decline if !received => refuse(&format!(
                "only an invitation you received can be {}",
                self.past()
            )),
            Self::Accept | Self::Decline if state != SessionState::Invitation => {
                refuse(&format!("only a ringing invitation can be {}", self.past()))
            }
            Self::Cancel if received => refuse("only the inviter can cancel; decline instead"),
            Self::Cancel if !matches!(state, SessionState::Ready | SessionState::Invitation) => {
                refuse("it was answered already; use end_session to end it")
            }
            Self::End | Self::SendContextData { .. } if unsent => {
                refuse("it was never sent; invite someone first")
            }
            Self::End if state == SessionState::Invitation => {
                refuse("it is still ringing; cancel or decline it instead")
            }
            Self::Cancel | Self::SetLocalAddress { .. } if unsent => Ok(Step::Server),
            _ => Ok(Step::Core),
        }
    }

    fn past(&self) -> &'static str {
        match self {
            Self::Accept => "accepted",
            _ => "declined",
        }
    }
}

/// A state as the API writes it (`READY`, `TERMINATED`, ...).
pub fn state_word(state: SessionState) -> String {
    serde_json::to_value(state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{state:?}"))
}

/// The API error for a session error, with the code of the same name.
pub fn session_error(error: SessionError) -> ErrorBody {
    let code = match &error {
        SessionError::InvalidState { .. } => ErrorCode::InvalidState,
        SessionError::UnknownSession { .. } => ErrorCode::UnknownSession,
        SessionError::AppNotRegistered { .. } => ErrorCode::AppNotRegistered,
        SessionError::InvitedSelf => ErrorCode::InvitedSelf,
        SessionError::ContextTooLarge { .. } => ErrorCode::ContextTooLarge,
        SessionError::BadAddress => ErrorCode::BadAddress,
    };
    ErrorBody::new(code, error.to_string())
}

/// One session the server keeps.
#[derive(Clone, Debug)]
struct Held {
    session: InviteSession,
    /// The connection that created it.
    owner: u64,
    /// `Invite` was sent for it; the core's reports take over.
    invited: bool,
    /// When `Invite` was sent, in Unix milliseconds.
    invited_ms: i64,
}

/// The sessions created through the API and not yet reported by the core.
#[derive(Debug, Default)]
pub struct HeldSessions {
    held: BTreeMap<String, Held>,
}

impl HeldSessions {
    /// Keeps a new READY session created by connection `owner`.
    pub fn create(&mut self, owner: u64, session: InviteSession) -> Result<(), ErrorBody> {
        let unsent = self
            .held
            .values()
            .filter(|h| h.owner == owner && !h.invited)
            .count();
        if unsent >= MAX_READY_PER_CONNECTION {
            return Err(ErrorBody::new(
                ErrorCode::TooManySessions,
                format!(
                    "this connection holds {MAX_READY_PER_CONNECTION} sessions that were never \
                     sent; invite someone with them or cancel them first"
                ),
            ));
        }
        self.held.insert(
            session.id.clone(),
            Held {
                session,
                owner,
                invited: false,
                invited_ms: 0,
            },
        );
        Ok(())
    }

    /// A session the server keeps, with whether it was never sent.
    pub fn get(&self, id: &str) -> Option<(&InviteSession, bool)> {
        self.held.get(id).map(|h| (&h.session, !h.invited))
    }

    /// Every session the server keeps.
    pub fn all(&self) -> impl Iterator<Item = &InviteSession> {
        self.held.values().map(|h| &h.session)
    }

    /// Records that a never-sent session was invited, after `edit` fills in what the
    /// invitation adds; `None` when it is not a never-sent one.
    pub fn invite(
        &mut self,
        id: &str,
        now_ms: i64,
        edit: impl FnOnce(&mut InviteSession),
    ) -> Option<InviteSession> {
        let held = self.held.get_mut(id).filter(|h| !h.invited)?;
        held.invited = true;
        held.invited_ms = now_ms;
        edit(&mut held.session);
        Some(held.session.clone())
    }

    /// Sets the address of a never-sent session.
    pub fn set_local_address(&mut self, id: &str, address: &str) {
        if let Some(held) = self.held.get_mut(id).filter(|h| !h.invited) {
            held.session.local_address = Some(address.to_string());
        }
    }

    /// Drops a never-sent session.
    pub fn discard(&mut self, id: &str) {
        self.held.retain(|key, h| key != id || h.invited);
    }

    /// A connection closed: its never-sent sessions go with it.
    pub fn connection_closed(&mut self, owner: u64) {
        self.held.retain(|_, h| h.invited || h.owner != owner);
    }

    /// Forgets invited sessions the core now reports itself, and those it never reported
    /// within an invitation's lifetime (a core that stopped, for instance).
    pub fn forget_reported(&mut self, reported: impl Fn(&str) -> bool, now_ms: i64) {
        self.held.retain(|id, h| {
            let stale = now_ms - h.invited_ms > INVITATION_TIMEOUT_MS;
            !(h.invited && (stale || reported(id)))
        });
    }
}

#[cfg(test)]
#[path = "sessions_tests.rs"]
mod tests;
