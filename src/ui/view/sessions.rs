//! What the window remembers about Session Invite sessions beyond `AppState`: the open
//! invitation dialog, invitations answered here, and what session events said about the peer.

use std::collections::{BTreeMap, BTreeSet};

use crate::command::Command;
use crate::event::Event;
use crate::invite::{InviteSession, Role, SessionEvent, SessionState};
use crate::state::AppState;
use crate::ui::words;

/// How many sessions with one contact the conversation view lists (the newest ones).
pub const SESSIONS_SHOWN: usize = 3;

/// What session events told about the other side, which the session snapshot does not carry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionNotes {
    /// OnAppNotPresent: the invited contact does not have the application (yet).
    pub peer_lacks_app: bool,
    /// OnDeclined by policy: the contact is not accepting invitations.
    pub not_accepting: bool,
}

/// The window's side of Session Invite.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionView {
    /// The session whose invitation dialog is open.
    pub dialog: Option<String>,
    /// Invitations answered here; their toasts stay hidden while the core catches up.
    pub answered: BTreeSet<String>,
    /// Notes per session id.
    pub notes: BTreeMap<String, SessionNotes>,
}

impl SessionView {
    /// Learns from an event before `AppState` applies it (`before` is the state it changes);
    /// returns a note for the user when an invitation stopped ringing unanswered.
    pub fn observe(&mut self, before: &AppState, event: &Event) -> Option<String> {
        match event {
            Event::SessionEvent { session, detail } => {
                self.note(session, detail);
                None
            }
            Event::SessionUpdated { session } => {
                let previous = before.sessions.get(&session.id);
                self.updated(previous, session, peer_name(before, &session.peer))
            }
            _ => None,
        }
    }

    fn note(&mut self, session: &str, detail: &SessionEvent) {
        match detail {
            SessionEvent::OnAppNotPresent => {
                self.notes
                    .entry(session.to_string())
                    .or_default()
                    .peer_lacks_app = true;
            }
            SessionEvent::OnDeclined { not_accepting } => {
                self.notes
                    .entry(session.to_string())
                    .or_default()
                    .not_accepting = *not_accepting;
            }
            _ => {}
        }
    }

    fn updated(
        &mut self,
        previous: Option<&InviteSession>,
        session: &InviteSession,
        who: &str,
    ) -> Option<String> {
        if session.role != Role::Invitee {
            return None;
        }
        if session.state == SessionState::Invitation {
            // Accepted while the program was missing, and now it is here: ring again so the
            // user can start it.
            if previous.is_some_and(|p| !p.app_present) && session.app_present {
                self.answered.remove(&session.id);
            }
            return None;
        }
        if !previous.is_some_and(|p| p.state == SessionState::Invitation) {
            return None;
        }
        if self.dialog.as_deref() == Some(session.id.as_str()) {
            self.dialog = None;
        }
        if self.answered.remove(&session.id) {
            return None;
        }
        words::invitation_ended(session, who)
    }

    /// What events said about a session.
    pub fn notes(&self, session: &str) -> SessionNotes {
        self.notes.get(session).copied().unwrap_or_default()
    }

    /// Invitations that ring and were not answered here, oldest first.
    pub fn unanswered<'a>(&self, state: &'a AppState) -> Vec<&'a InviteSession> {
        state
            .ringing_invitations()
            .into_iter()
            .filter(|s| !self.answered.contains(&s.id))
            .collect()
    }

    /// The session of the open dialog; closes the dialog when it no longer rings.
    pub fn dialog_session<'a>(&mut self, state: &'a AppState) -> Option<&'a InviteSession> {
        let id = self.dialog.as_ref()?;
        let ringing = state
            .sessions
            .get(id)
            .filter(|s| s.role == Role::Invitee && s.state == SessionState::Invitation);
        if ringing.is_none() {
            self.dialog = None;
        }
        ringing
    }

    /// Answers an invitation: closes its dialog, hides its toast, and returns the command.
    pub fn answer(&mut self, session: &str, accept: bool) -> Command {
        self.dialog = None;
        self.answered.insert(session.to_string());
        let session = session.to_string();
        if accept {
            Command::AcceptInvitation { session }
        } else {
            Command::DeclineInvitation { session }
        }
    }
}

/// A contact's name for sentences: the roster name, else the address.
pub fn peer_name<'a>(state: &'a AppState, jid: &'a str) -> &'a str {
    state
        .contacts
        .get(jid)
        .map_or(jid, |e| e.contact.display_name())
}

/// The newest [`SESSIONS_SHOWN`] sessions with `peer`, oldest of them first.
pub fn sessions_with<'a>(state: &'a AppState, peer: &str) -> Vec<&'a InviteSession> {
    let mut list: Vec<&InviteSession> =
        state.sessions.values().filter(|s| s.peer == peer).collect();
    list.sort_by(|a, b| a.created_ms.cmp(&b.created_ms).then(a.id.cmp(&b.id)));
    let skip = list.len().saturating_sub(SESSIONS_SHOWN);
    list.split_off(skip)
}
