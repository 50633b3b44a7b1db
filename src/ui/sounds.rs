//! Which sound an event calls for. The window decides (it knows the settings and what the user
//! is looking at); the core plays it (`Command::PlaySound`), because playing is IO.

use std::collections::HashMap;

use crate::command::Command;
use crate::event::Event;
use crate::model::{Availability, BareJid, Delivery, Direction, Sound};
use crate::state::AppState;

/// The shortest time between two sounds of one kind, in seconds: a burst of messages, the
/// contacts coming online at sign-in, or a stream of nudges makes one sound, not a drum roll.
fn min_gap(sound: Sound) -> f64 {
    match sound {
        Sound::NewMessage => 1.0,
        Sound::ContactOnline => 2.0,
        Sound::Nudge => 3.0,
    }
}

/// The sound `event` calls for, judged against the state *before* it is applied.
///
/// Respects the sound settings (the mute switch and each kind), stays quiet while the user is
/// Busy (as Messenger did), and sounds only for news: a message not seen before that came from
/// the contact, a contact going from offline to online, a nudge. Blocked addresses never sound.
pub fn sounds_for(event: &Event, before: &AppState) -> Option<Sound> {
    let settings = before.settings.sounds;
    if !settings.enabled || before.own_availability == Availability::Busy {
        return None;
    }
    let (sound, wanted, from) = match event {
        Event::MessageReceived { message }
            if message.direction == Direction::Incoming
                && message.delivery == Delivery::Received
                && !already_known(before, &message.peer, &message.id) =>
        {
            (Sound::NewMessage, settings.new_message, &message.peer)
        }
        Event::PresenceChanged {
            jid, availability, ..
        } if *availability != Availability::Offline && was_offline(before, jid) => {
            (Sound::ContactOnline, settings.contact_online, jid)
        }
        Event::NudgeReceived { jid } => (Sound::Nudge, settings.nudge, jid),
        _ => return None,
    };
    (wanted && !before.blocked.contains(from)).then_some(sound)
}

/// Whether the message is already in its conversation (re-delivered, or caught up again).
fn already_known(state: &AppState, peer: &BareJid, id: &str) -> bool {
    state
        .conversations
        .get(peer)
        .is_some_and(|c| c.messages.iter().any(|m| m.id == id))
}

/// Whether a contact in the roster had no device online.
fn was_offline(state: &AppState, jid: &BareJid) -> bool {
    state
        .contacts
        .get(jid)
        .is_some_and(|entry| entry.availability() == Availability::Offline)
}

/// Remembers when each kind of sound last played, to keep them apart (see [`sounds_for`]).
#[derive(Clone, Debug, Default)]
pub struct SoundGate {
    last: HashMap<Sound, f64>,
}

impl SoundGate {
    /// Whether `sound` may play at `now` (seconds, e.g. `ctx.input(|i| i.time)`); if so, it is
    /// counted as played.
    pub fn allow(&mut self, sound: Sound, now: f64) -> bool {
        if let Some(last) = self.last.get(&sound) {
            if now - last < min_gap(sound) {
                return false;
            }
        }
        self.last.insert(sound, now);
        true
    }

    /// The command that plays what `event` calls for, if anything, at `now`.
    ///
    /// `reading` is the contact whose conversation the user is looking at in a focused window:
    /// their messages arrive in front of the user, so they make no sound.
    pub fn command_for(
        &mut self,
        event: &Event,
        before: &AppState,
        now: f64,
        reading: Option<&BareJid>,
    ) -> Option<Command> {
        let sound = sounds_for(event, before)?;
        if let (Sound::NewMessage, Event::MessageReceived { message }) = (sound, event) {
            if reading == Some(&message.peer) {
                return None;
            }
        }
        self.allow(sound, now)
            .then_some(Command::PlaySound { sound })
    }
}

#[cfg(test)]
mod tests;
