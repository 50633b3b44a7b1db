//! The lines of a conversation: messages grouped by sender, day separators and nudges.
//!
//! Building the lines needs each message's local date, which costs a time zone lookup, so
//! the lines are kept per conversation and only the new messages are added when the
//! conversation grows at its end (the usual case); anything else rebuilds them.

use chrono::{Local, NaiveDate, TimeZone};

use crate::model::{ChatMessage, Direction};
use crate::ui::windows::NudgeLine;

/// Messages from the same side less than this far apart share one sender line.
pub const GROUP_WITHIN_MS: i64 = 5 * 60 * 1000;

/// One line of a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Line {
    /// The first line of a day's messages.
    Day(NaiveDate),
    /// A message, by its index in the conversation.
    Message {
        /// Index into the conversation's messages.
        index: usize,
        /// Whether it starts a group (sender and time shown above it).
        first_of_group: bool,
    },
    /// A nudge, by its index in the conversation's nudges.
    Nudge(usize),
}

/// The lines of one conversation and what they were built from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lines {
    lines: Vec<Line>,
    messages_seen: usize,
    nudges_seen: usize,
    last_message_id: Option<String>,
    last_ms: i64,
    last_day: Option<NaiveDate>,
    /// The last message's side and time, while it can still start no new group.
    last_message: Option<(Direction, i64)>,
}

impl Lines {
    /// The lines for `messages` and `nudges` (both oldest first), updated in place.
    pub fn update(&mut self, messages: &[ChatMessage], nudges: &[NudgeLine]) -> &[Line] {
        if !self.extends(messages, nudges) {
            *self = Self::default();
        }
        self.append(messages, nudges);
        &self.lines
    }

    /// Whether the conversation only grew at its end since the lines were built.
    fn extends(&self, messages: &[ChatMessage], nudges: &[NudgeLine]) -> bool {
        if messages.len() < self.messages_seen || nudges.len() < self.nudges_seen {
            return false;
        }
        let same_last = match self.messages_seen {
            0 => true,
            n => messages.get(n - 1).map(|m| &m.id) == self.last_message_id.as_ref(),
        };
        let later = messages[self.messages_seen..]
            .iter()
            .map(|m| m.timestamp_ms)
            .chain(nudges[self.nudges_seen..].iter().map(|n| n.at_ms))
            .all(|at| at >= self.last_ms);
        same_last && later
    }

    /// Adds the messages and nudges not seen yet, merged by time.
    fn append(&mut self, messages: &[ChatMessage], nudges: &[NudgeLine]) {
        let (mut m, mut n) = (self.messages_seen, self.nudges_seen);
        loop {
            let message_first = messages.get(m).filter(|message| {
                nudges
                    .get(n)
                    .is_none_or(|nudge| message.timestamp_ms <= nudge.at_ms)
            });
            if let Some(message) = message_first {
                self.push_message(m, message);
                m += 1;
                continue;
            }
            let Some(nudge) = nudges.get(n) else {
                break;
            };
            self.push_day(nudge.at_ms);
            self.lines.push(Line::Nudge(n));
            self.last_message = None;
            self.last_ms = self.last_ms.max(nudge.at_ms);
            n += 1;
        }
        self.messages_seen = messages.len();
        self.nudges_seen = nudges.len();
        self.last_message_id = messages.last().map(|m| m.id.clone());
    }

    fn push_message(&mut self, index: usize, message: &ChatMessage) {
        let new_day = self.push_day(message.timestamp_ms);
        let is_action = action(&message.body).is_some();
        let continues = !new_day
            && !is_action
            && self.last_message.is_some_and(|(direction, at)| {
                direction == message.direction && message.timestamp_ms - at < GROUP_WITHIN_MS
            });
        self.lines.push(Line::Message {
            index,
            first_of_group: !continues,
        });
        // An action line stands alone: the message after it shows its sender again.
        self.last_message = (!is_action).then_some((message.direction, message.timestamp_ms));
        self.last_ms = self.last_ms.max(message.timestamp_ms);
    }

    /// Adds a day separator when `at_ms` falls on a new day; returns whether it did.
    fn push_day(&mut self, at_ms: i64) -> bool {
        let day = local_date(at_ms);
        if day.is_none() || day == self.last_day {
            return false;
        }
        self.last_day = day;
        if let Some(day) = day {
            self.lines.push(Line::Day(day));
        }
        true
    }
}

/// The local calendar date of a timestamp.
pub fn local_date(timestamp_ms: i64) -> Option<NaiveDate> {
    Local
        .timestamp_millis_opt(timestamp_ms)
        .single()
        .map(|time| time.date_naive())
}

/// The words of a day separator: "Today", "Yesterday", or the date.
pub fn day_label(day: NaiveDate, today: NaiveDate) -> String {
    if day == today {
        "Today".to_string()
    } else if today.pred_opt() == Some(day) {
        "Yesterday".to_string()
    } else {
        day.format("%A %-d %B %Y").to_string()
    }
}

/// The action of a `/me` message (XEP-0245): `"/me waves"` is `Some("waves")`.
pub fn action(body: &str) -> Option<&str> {
    body.strip_prefix("/me ")
        .map(str::trim_start)
        .filter(|rest| !rest.is_empty())
}

/// How an action is shown: `* Bob waves`.
pub fn action_line(who: &str, action: &str) -> String {
    format!("* {who} {action}")
}

/// The line above a group of messages: "Bob says:".
pub fn says(who: &str) -> String {
    format!("{who} says:")
}

/// The line shown for a nudge.
pub fn nudge_text(nudge: &NudgeLine, peer_name: &str) -> String {
    if nudge.from_me {
        "You sent a nudge.".to_string()
    } else {
        format!("{peer_name} sent you a nudge!")
    }
}

#[cfg(test)]
#[path = "lines_tests.rs"]
mod tests;
