//! What the window remembers about Session Invite sessions beyond `AppState`: the open
//! invitation dialog, invitations answered here, and what session events said about the peer.

use std::collections::{BTreeMap, BTreeSet};

use crate::command::Command;
use crate::event::Event;
use crate::invite::{InviteSession, Role, SessionEvent, SessionState};
use crate::model::BareJid;
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
                self.updated(previous, session, session_peer_name(before, session))
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
pub fn peer_name<'a>(state: &'a AppState, jid: &'a BareJid) -> &'a str {
    state
        .contacts
        .get(jid)
        .map_or(jid.as_str(), |e| e.display_name())
}

/// The name shown for the other side of `session`, whose address is text (as applications
/// see it): the contact's name, else the address.
pub fn session_peer_name<'a>(state: &'a AppState, session: &'a InviteSession) -> &'a str {
    BareJid::new(&session.peer)
        .ok()
        .and_then(|jid| state.contacts.get(&jid))
        .map_or(session.peer.as_str(), |e| e.display_name())
}

/// The newest [`SESSIONS_SHOWN`] sessions with `peer`, oldest of them first.
pub fn sessions_with<'a>(state: &'a AppState, peer: &BareJid) -> Vec<&'a InviteSession> {
    let mut list: Vec<&InviteSession> = state
        .sessions
        .values()
        .filter(|s| s.peer == peer.as_str())
        .collect();
    list.sort_by(|a, b| a.created_ms.cmp(&b.created_ms).then(a.id.cmp(&b.id)));
    let skip = list.len().saturating_sub(SESSIONS_SHOWN);
    list.split_off(skip)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invite::{EndReason, Origin};

    fn ringing(id: &str, created_ms: i64) -> InviteSession {
        InviteSession {
            id: id.into(),
            role: Role::Invitee,
            origin: Origin::Menu,
            app_guid: "{00000000-0000-0000-0000-000000000001}".into(),
            app_name: "Tic-Tac-Toe".into(),
            download_url: "https://example.org/ttt".into(),
            peer: "bob@example.org".into(),
            state: SessionState::Invitation,
            context: None,
            local_address: None,
            remote_address: None,
            app_present: true,
            end_reason: None,
            end_text: None,
            created_ms,
        }
    }

    /// Applies `session` to the state as the app does: the view first, then the state.
    fn update(
        view: &mut SessionView,
        state: &mut AppState,
        session: InviteSession,
    ) -> Option<String> {
        let event = Event::SessionUpdated { session };
        let note = view.observe(state, &event);
        state.apply(event);
        note
    }

    fn cancelled(id: &str) -> InviteSession {
        InviteSession {
            state: SessionState::Cancelled,
            end_reason: Some(EndReason::Cancel),
            ..ringing(id, 1)
        }
    }

    #[test]
    fn a_cancel_closes_the_dialog_and_leaves_a_note() {
        let (mut view, mut state) = (SessionView::default(), AppState::default());
        assert_eq!(update(&mut view, &mut state, ringing("s1", 1)), None);
        view.dialog = Some("s1".into());
        assert!(view.dialog_session(&state).is_some());
        let note = update(&mut view, &mut state, cancelled("s1"));
        assert_eq!(
            note.as_deref(),
            Some("bob@example.org cancelled the invitation to Tic-Tac-Toe")
        );
        assert_eq!(view.dialog, None);
        assert!(view.unanswered(&state).is_empty());
    }

    #[test]
    fn an_answer_hides_the_toast_and_its_outcome_leaves_no_note() {
        let (mut view, mut state) = (SessionView::default(), AppState::default());
        update(&mut view, &mut state, ringing("s1", 1));
        update(&mut view, &mut state, ringing("s0", 0));
        let ids: Vec<&str> = view
            .unanswered(&state)
            .iter()
            .map(|s| s.id.as_str())
            .collect();
        assert_eq!(ids, ["s0", "s1"], "oldest first");
        view.dialog = Some("s1".into());
        assert_eq!(
            view.answer("s1", false),
            Command::DeclineInvitation {
                session: "s1".into()
            }
        );
        assert_eq!(view.dialog, None);
        assert_eq!(view.unanswered(&state).len(), 1);
        let declined = InviteSession {
            state: SessionState::Declined,
            ..ringing("s1", 1)
        };
        assert_eq!(update(&mut view, &mut state, declined), None);
        assert!(
            view.answered.is_empty(),
            "forgotten once the core confirmed"
        );
    }

    #[test]
    fn a_program_that_appears_after_accepting_rings_again() {
        let (mut view, mut state) = (SessionView::default(), AppState::default());
        let missing = InviteSession {
            app_present: false,
            ..ringing("s1", 1)
        };
        update(&mut view, &mut state, missing.clone());
        view.answer("s1", true);
        update(&mut view, &mut state, missing);
        assert!(view.unanswered(&state).is_empty());
        update(&mut view, &mut state, ringing("s1", 1));
        assert_eq!(view.unanswered(&state).len(), 1);
    }

    #[test]
    fn session_events_leave_notes_about_the_peer() {
        let (mut view, state) = (SessionView::default(), AppState::default());
        for detail in [
            SessionEvent::OnAppNotPresent,
            SessionEvent::OnDeclined {
                not_accepting: true,
            },
        ] {
            let event = Event::SessionEvent {
                session: "s1".into(),
                detail,
            };
            assert_eq!(view.observe(&state, &event), None);
        }
        assert_eq!(
            view.notes("s1"),
            SessionNotes {
                peer_lacks_app: true,
                not_accepting: true
            }
        );
        assert_eq!(view.notes("s2"), SessionNotes::default());
    }

    #[test]
    fn only_the_newest_sessions_with_the_contact_are_listed() {
        let mut state = AppState::default();
        for (id, at) in [("a", 4), ("b", 1), ("c", 3), ("d", 2)] {
            state.apply(Event::SessionUpdated {
                session: ringing(id, at),
            });
        }
        state.apply(Event::SessionUpdated {
            session: InviteSession {
                peer: "carol@example.org".into(),
                ..ringing("e", 9)
            },
        });
        let ids: Vec<&str> = sessions_with(&state, &crate::model::bare("bob@example.org"))
            .iter()
            .map(|s| s.id.as_str())
            .collect();
        assert_eq!(ids, ["d", "c", "a"]);
    }
}
