//! Desktop notifications: which events become `Command::ShowNotification`, and how often.
//!
//! Only while no Nudge window has the keyboard focus (the toasts speak when one has). Each
//! kind is gated by `settings.notifications`. A contact gets at most one notification per
//! [`PER_CONTACT_SECONDS`], and at most [`BURST_MAX`] go out per [`BURST_SECONDS`]; what is
//! held back is summed up in one notification when the wait is over (or dropped, if the user
//! came back to Nudge meanwhile and saw the toasts).
//!
//! Each notification says what it is about (a [`NotificationTarget`]); when the user clicks
//! one, the core reports `Event::NotificationClicked` and [`clicks`] opens that conversation
//! or invitation and brings Nudge forward.

use std::collections::BTreeMap;

use crate::command::Command;
use crate::event::Event;
use crate::invite::{Role, SessionState};
use crate::model::{BareJid, NotificationTarget};
use crate::state::AppState;
use crate::ui::toasts::{comes_online, is_news};
use crate::ui::view::{peer_name, session_peer_name, ViewState};
use crate::ui::words;

pub mod clicks;

pub use clicks::{click_action, ClickAction};

/// Seconds between two notifications about the same contact.
pub const PER_CONTACT_SECONDS: f64 = 5.0;
/// The window in which at most [`BURST_MAX`] notifications go out.
pub const BURST_SECONDS: f64 = 5.0;
/// How many notifications go out in [`BURST_SECONDS`] before the rest are summed up.
pub const BURST_MAX: usize = 3;

/// What a notification is about, in the order a summary lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Message,
    Invitation,
    Nudge,
    Online,
}

/// A notification that could go out now.
#[derive(Clone, Debug, PartialEq)]
struct Candidate {
    kind: Kind,
    peer: BareJid,
    who: String,
    title: String,
    body: String,
    target: NotificationTarget,
}

impl Candidate {
    fn command(&self) -> Command {
        Command::ShowNotification {
            title: self.title.clone(),
            body: self.body.clone(),
            target: Some(self.target.clone()),
        }
    }
}

/// Whether any of Nudge's windows has the keyboard focus.
pub fn any_window_focused(ctx: &egui::Context) -> bool {
    ctx.input(|i| i.focused || i.raw.viewports.values().any(|v| v.focused == Some(true)))
}

/// The rate limits and what they hold back.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Notifier {
    /// When each contact was last the subject of a notification (egui time).
    last_by_contact: BTreeMap<BareJid, f64>,
    /// When the notifications of the current burst went out.
    recent: Vec<f64>,
    /// Held back, oldest first.
    held: Vec<Candidate>,
    /// When what is held goes out as one notification.
    flush_at: Option<f64>,
    /// Notifications the user clicked, for the window to follow once the events are applied.
    clicked: Vec<NotificationTarget>,
}

impl Notifier {
    /// The notifications `event` calls for, seen before `before` (the state) applies it, at
    /// `now` (egui time); none while a window is `focused`.
    pub fn notifications_for(
        &mut self,
        event: &Event,
        before: &AppState,
        view: &ViewState,
        focused: bool,
        now: f64,
    ) -> Vec<Command> {
        if let Event::NotificationClicked { target } = event {
            self.clicked.push(target.clone());
        }
        if focused {
            return Vec::new();
        }
        let Some(candidate) = candidate(event, before, view, now) else {
            return Vec::new();
        };
        self.recent.retain(|at| now - at < BURST_SECONDS);
        let contact_is_quiet = self
            .last_by_contact
            .get(&candidate.peer)
            .is_some_and(|at| now - at < PER_CONTACT_SECONDS);
        if contact_is_quiet || self.recent.len() >= BURST_MAX || !self.held.is_empty() {
            // Once something is held, newer news waits with it so the order stays true.
            self.held.push(candidate);
            self.flush_at.get_or_insert(now + PER_CONTACT_SECONDS);
            return Vec::new();
        }
        self.sent(std::slice::from_ref(&candidate), now);
        vec![candidate.command()]
    }

    /// What is held back, as one notification once its wait is over; nothing (and nothing held
    /// any more) when a window is `focused`, since the toasts told the user.
    pub fn tick(&mut self, focused: bool, now: f64) -> Vec<Command> {
        if focused {
            self.held.clear();
            self.flush_at = None;
            return Vec::new();
        }
        match self.flush_at {
            Some(at) if at <= now => {}
            _ => return Vec::new(),
        }
        self.flush_at = None;
        let held = std::mem::take(&mut self.held);
        let command = match held.as_slice() {
            [] => return Vec::new(),
            [one] => one.command(),
            many => Command::ShowNotification {
                title: words::SUMMARY_TITLE.to_string(),
                body: summary(many),
                target: common_target(many),
            },
        };
        self.sent(&held, now);
        vec![command]
    }

    /// The notifications clicked since the last call, oldest first.
    pub fn take_clicked(&mut self) -> Vec<NotificationTarget> {
        std::mem::take(&mut self.clicked)
    }

    /// When held notifications are due, if any are held.
    pub fn next_deadline(&self) -> Option<f64> {
        self.flush_at
    }

    fn sent(&mut self, about: &[Candidate], now: f64) {
        for candidate in about {
            self.last_by_contact.insert(candidate.peer.clone(), now);
        }
        self.recent.push(now);
    }
}

/// The notification an event calls for, if its kind is wanted.
fn candidate(event: &Event, before: &AppState, view: &ViewState, now: f64) -> Option<Candidate> {
    let wanted = before.settings.notifications;
    let (kind, peer, title, body) = match event {
        Event::MessageReceived { message } if wanted.messages && is_news(before, message) => {
            let who = peer_name(before, &message.peer);
            let preview = words::message_preview(&message.body);
            (
                Kind::Message,
                message.peer.clone(),
                who.to_string(),
                preview,
            )
        }
        Event::PresenceChanged {
            jid,
            availability,
            status,
            ..
        } if wanted.contacts_online
            && !view.alerts.quiet(now)
            && comes_online(before, jid, *availability) =>
        {
            let title = words::online_toast(peer_name(before, jid));
            let body = status
                .as_deref()
                .map_or_else(|| jid.to_string(), |s| words::plain(s, false));
            (Kind::Online, jid.clone(), title, body)
        }
        Event::NudgeReceived { jid } if wanted.nudges => {
            let title = words::nudge_notification(peer_name(before, jid));
            (Kind::Nudge, jid.clone(), title, jid.to_string())
        }
        Event::SessionUpdated { session }
            if wanted.invitations
                && session.role == Role::Invitee
                && session.state == SessionState::Invitation
                && !view.sessions.answered.contains(&session.id)
                && before
                    .sessions
                    .get(&session.id)
                    .is_none_or(|s| s.state != SessionState::Invitation) =>
        {
            // Invitations come from the core, which only makes them for valid addresses.
            let from = BareJid::new(&session.peer).ok()?;
            let body =
                words::invitation_toast(session_peer_name(before, session), &session.app_name);
            (
                Kind::Invitation,
                from,
                words::INVITATION_TITLE.to_string(),
                body,
            )
        }
        _ => return None,
    };
    if before.blocked.contains(&peer) {
        return None;
    }
    let target = match event {
        Event::SessionUpdated { session } => NotificationTarget::Invitation {
            session: session.id.clone(),
        },
        _ => NotificationTarget::Conversation { jid: peer.clone() },
    };
    Some(Candidate {
        kind,
        who: peer_name(before, &peer).to_string(),
        peer,
        title,
        body,
        target,
    })
}

/// What a summary is about: the one subject of everything in it, or nothing when it tells of
/// several (there is no single thing a click should open).
fn common_target(held: &[Candidate]) -> Option<NotificationTarget> {
    let (first, rest) = held.split_first()?;
    rest.iter()
        .all(|c| c.target == first.target)
        .then(|| first.target.clone())
}

/// One line per kind: "3 new messages from Bob and Carol", "Dave signed in".
fn summary(held: &[Candidate]) -> String {
    let mut by_kind: BTreeMap<Kind, (usize, Vec<&str>)> = BTreeMap::new();
    for candidate in held {
        let (count, who) = by_kind.entry(candidate.kind).or_default();
        *count += 1;
        if !who.contains(&candidate.who.as_str()) {
            who.push(&candidate.who);
        }
    }
    let lines: Vec<String> = by_kind
        .into_iter()
        .map(|(kind, (count, who))| match kind {
            Kind::Message => words::messages_summary(count, &who),
            Kind::Invitation => words::invitations_summary(count, &who),
            Kind::Nudge => words::nudges_summary(&who),
            Kind::Online => words::online_summary(&who),
        })
        .collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests;
