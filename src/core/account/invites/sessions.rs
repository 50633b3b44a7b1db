//! The account's Session Invite sessions, with their deadlines kept in order so the next one is
//! found without looking at every session.

use std::collections::{BTreeSet, HashMap};

use tokio_xmpp::parsers::jid::{BareJid, FullJid};

use crate::invite::{InviteSession, Role, SessionState};

/// Most sessions kept at once (live and recently ended).
const MAX_SESSIONS: usize = 256;

/// A session and what the core needs to drive it.
#[derive(Debug)]
pub(in crate::core::account) struct Live {
    /// The session as the UI and the API see it.
    pub session: InviteSession,
    /// The other side (`session.peer` is the same address as text, for applications).
    pub peer: BareJid,
    /// The other side's device, once known.
    pub peer_device: Option<FullJid>,
    /// This side's program was asked to start (a session launches at most once).
    pub launched: bool,
    /// When it gives up (ringing or accepted without starting), in Unix milliseconds.
    deadline: Option<i64>,
}

impl Live {
    /// A new live session with `peer`; its deadline is set when it is inserted.
    pub fn new(peer: BareJid, mut session: InviteSession) -> Self {
        session.peer = peer.to_string();
        Self {
            session,
            peer,
            peer_device: None,
            launched: false,
            deadline: None,
        }
    }
}

/// All sessions of the account.
#[derive(Debug, Default)]
pub(in crate::core::account) struct Sessions {
    live: HashMap<String, Live>,
    /// (deadline, session id) of every session that has one.
    deadlines: BTreeSet<(i64, String)>,
}

impl Sessions {
    /// Whether session `id` is known.
    pub fn contains(&self, id: &str) -> bool {
        self.live.contains_key(id)
    }

    /// Session `id`.
    pub fn get(&self, id: &str) -> Option<&Live> {
        self.live.get(id)
    }

    /// Session `id`, to change (its deadline through [`Sessions::set_deadline`] only).
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Live> {
        self.live.get_mut(id)
    }

    /// Adds a session with a deadline.
    pub fn insert(&mut self, live: Live, deadline: Option<i64>) {
        let id = live.session.id.clone();
        self.live.insert(id.clone(), live);
        self.set_deadline(&id, deadline);
    }

    /// Sets or clears session `id`'s deadline.
    pub fn set_deadline(&mut self, id: &str, deadline: Option<i64>) {
        let Some(live) = self.live.get_mut(id) else {
            return;
        };
        if let Some(old) = live.deadline.take() {
            self.deadlines.remove(&(old, id.to_string()));
        }
        if let Some(at) = deadline {
            live.deadline = Some(at);
            self.deadlines.insert((at, id.to_string()));
        }
    }

    /// Session `id` ended at `now_ms`: it is forgotten [`super::KEEP_ENDED_MS`] later.
    pub fn ended(&mut self, id: &str, now_ms: i64) {
        self.set_deadline(id, Some(now_ms + super::KEEP_ENDED_MS));
    }

    /// Forgets session `id`.
    pub fn forget(&mut self, id: &str) {
        self.set_deadline(id, None);
        self.live.remove(id);
    }

    /// Whether another invitation from `peer` (bare JID) may ring: fewer than
    /// [`super::MAX_RINGING_PER_CONTACT`] of theirs ring, and fewer than [`MAX_SESSIONS`] are
    /// kept in all.
    pub fn may_ring(&self, peer: &BareJid) -> bool {
        let ringing = self
            .live
            .values()
            .filter(|l| {
                l.peer == *peer
                    && l.session.role == Role::Invitee
                    && l.session.state == SessionState::Invitation
            })
            .count();
        ringing < super::MAX_RINGING_PER_CONTACT && self.live.len() < MAX_SESSIONS
    }

    /// The earliest deadline.
    pub fn next_deadline(&self) -> Option<i64> {
        self.deadlines.first().map(|(at, _)| *at)
    }

    /// Sessions whose deadline has come.
    pub fn due(&self, now_ms: i64) -> Vec<String> {
        self.deadlines
            .iter()
            .take_while(|(at, _)| *at <= now_ms)
            .map(|(_, id)| id.clone())
            .collect()
    }

    /// Invitations ringing on this side (the user may still accept them).
    pub fn ringing_here(&self) -> Vec<String> {
        self.live
            .iter()
            .filter(|(_, l)| {
                l.session.role == Role::Invitee && l.session.state == SessionState::Invitation
            })
            .map(|(id, _)| id.clone())
            .collect()
    }
}
