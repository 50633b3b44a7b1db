//! Alerts: the toasts for new messages and contacts coming online, with their clocks.
//!
//! Plain data fed by events (before `AppState` applies them) and by the frame clock, so what
//! shows and when it goes is unit-tested without a window.

use crate::event::Event;
use crate::model::{Availability, BareJid, ChatMessage, ConnectionState, Delivery, Direction};
use crate::state::AppState;
use crate::ui::view::peer_name;
use crate::ui::words;

/// How long an alert stays on screen, in seconds.
pub const ALERT_SECONDS: f64 = 6.0;
/// Seconds after signing in during which contacts "coming online" are the server's presence
/// flood, not news: no alerts for them.
pub const QUIET_AFTER_SIGN_IN_SECONDS: f64 = 5.0;

/// What an alert is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertKind {
    /// A new message in a conversation that is not on screen.
    Message,
    /// A contact came online.
    Online,
}

/// One alert toast.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    /// Unique among this window's alerts (it keys the toast's animation).
    pub id: u64,
    /// What it is about.
    pub kind: AlertKind,
    /// The contact; clicking the toast opens their conversation.
    pub peer: BareJid,
    /// The words shown.
    pub text: String,
    /// When it goes away (egui time, seconds); `None` until its first frame.
    pub expires_at: Option<f64>,
}

/// The alerts on screen, oldest first, and the quiet time after signing in.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Alerts {
    next_id: u64,
    shown: Vec<Alert>,
    /// Presence before this moment (egui time) makes no alert.
    quiet_until: f64,
}

impl Alerts {
    /// Learns from an event before `before` (the state) applies it, at `now` (egui time);
    /// `visible` is the conversation on screen, whose messages need no toast.
    pub fn observe(
        &mut self,
        before: &AppState,
        visible: Option<&BareJid>,
        event: &Event,
        now: f64,
    ) {
        let wanted = before.settings.notifications;
        match event {
            Event::ConnectionChanged { state } => self.connection(before, state, now),
            Event::MessageReceived { message }
                if wanted.messages
                    && is_news(before, message)
                    && visible != Some(&message.peer) =>
            {
                let text = words::message_toast(peer_name(before, &message.peer), &message.body);
                self.put(AlertKind::Message, &message.peer, text);
            }
            Event::PresenceChanged {
                jid, availability, ..
            } if wanted.contacts_online
                && !self.quiet(now)
                && comes_online(before, jid, *availability) =>
            {
                let text = words::online_toast(peer_name(before, jid));
                self.put(AlertKind::Online, jid, text);
            }
            _ => {}
        }
    }

    fn connection(&mut self, before: &AppState, state: &ConnectionState, now: f64) {
        if state.is_online() && !before.connection.is_online() {
            self.quiet_until = now + QUIET_AFTER_SIGN_IN_SECONDS;
        }
        if !state.is_online() {
            // Presence is gone with the connection, and a message toast would open a
            // conversation behind the sign-in screen.
            self.shown.clear();
        }
    }

    /// Shows an alert, or refreshes the one of the same kind for the same contact (one toast
    /// per conversation: a second message replaces the first and restarts its clock).
    fn put(&mut self, kind: AlertKind, peer: &BareJid, text: String) {
        if let Some(alert) = self
            .shown
            .iter_mut()
            .find(|a| a.kind == kind && a.peer == *peer)
        {
            alert.text = text;
            alert.expires_at = None;
            return;
        }
        self.shown.push(Alert {
            id: self.next_id,
            kind,
            peer: peer.clone(),
            text,
            expires_at: None,
        });
        self.next_id += 1;
    }

    /// Whether presence at `now` is still the flood that follows signing in.
    pub fn quiet(&self, now: f64) -> bool {
        now < self.quiet_until
    }

    /// The alerts on screen, oldest first.
    pub fn shown(&self) -> &[Alert] {
        &self.shown
    }

    /// Removes an alert (the user clicked it).
    pub fn dismiss(&mut self, id: u64) {
        self.shown.retain(|a| a.id != id);
    }

    /// The conversation with `peer` is on screen: its message alert has done its job.
    pub fn seen(&mut self, peer: &BareJid) {
        self.shown
            .retain(|a| !(a.kind == AlertKind::Message && a.peer == *peer));
    }

    /// Starts the clock of new alerts and drops those whose time ran out at `now`.
    pub fn tick(&mut self, now: f64) {
        for alert in &mut self.shown {
            alert.expires_at.get_or_insert(now + ALERT_SECONDS);
        }
        self.shown
            .retain(|a| a.expires_at.is_none_or(|at| at > now));
    }

    /// When the next alert goes away, if any is shown.
    pub fn next_deadline(&self) -> Option<f64> {
        self.shown
            .iter()
            .filter_map(|a| a.expires_at)
            .min_by(f64::total_cmp)
    }
}

/// Whether `message` is one the user has not seen: incoming, and not a re-delivery.
pub fn is_news(before: &AppState, message: &ChatMessage) -> bool {
    message.direction == Direction::Incoming
        && message.delivery == Delivery::Received
        && !before
            .conversations
            .get(&message.peer)
            .is_some_and(|c| c.messages.iter().any(|m| m.id == message.id))
}

/// Whether a presence change takes a roster contact from offline to online.
pub fn comes_online(before: &AppState, jid: &BareJid, availability: Availability) -> bool {
    availability != Availability::Offline
        && before
            .contacts
            .get(jid)
            .is_some_and(|e| e.availability() == Availability::Offline)
}

#[cfg(test)]
mod tests;
