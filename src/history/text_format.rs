//! The plain-text export, to read or print:
//!
//! ```text
//! Conversation with bob@example.org
//!
//! 2026-12-04 20:02  bob@example.org: Hi Alice!
//! 2026-12-04 20:03  alice@example.org: Hello Bob,
//!                   how are you?
//! ```
//!
//! Times are local (this computer's time zone); the lines after a message's first are indented
//! under its text. It is not meant to be imported: Nudge's XML format is.

use std::io::{self, Write};

use chrono::{Local, TimeZone};

use crate::model::{BareJid, ChatMessage, Direction};

/// Writes conversations as text, message by message (grouped by peer).
pub(super) struct Writer<'w> {
    out: &'w mut dyn Write,
    me: String,
    peer: Option<BareJid>,
}

impl<'w> Writer<'w> {
    /// The user's messages are labelled with `account`, or "me" without one.
    pub(super) fn new(out: &'w mut dyn Write, account: Option<&BareJid>) -> Self {
        Self {
            out,
            me: account.map_or_else(|| "me".to_string(), |a| a.to_string()),
            peer: None,
        }
    }

    /// Writes one message, with a heading when the conversation changes.
    pub(super) fn message(&mut self, message: &ChatMessage) -> io::Result<()> {
        if self.peer.as_ref() != Some(&message.peer) {
            if self.peer.is_some() {
                writeln!(self.out)?;
            }
            writeln!(self.out, "Conversation with {}\n", message.peer)?;
            self.peer = Some(message.peer.clone());
        }
        let time = Local
            .timestamp_millis_opt(message.timestamp_ms)
            .single()
            .map_or_else(
                || "????-??-?? ??:??".to_string(),
                |at| at.format("%Y-%m-%d %H:%M").to_string(),
            );
        let who = match message.direction {
            Direction::Incoming => message.peer.as_str(),
            Direction::Outgoing => self.me.as_str(),
        };
        let head = format!("{time}  {who}: ");
        let indent = " ".repeat(head.chars().count());
        // Carriage returns would move the cursor back over the heading in a terminal.
        let body = message.body.replace("\r\n", "\n").replace('\r', "\n");
        let mut lines = body.split('\n');
        writeln!(self.out, "{head}{}", lines.next().unwrap_or_default())?;
        for line in lines {
            writeln!(self.out, "{indent}{line}")?;
        }
        Ok(())
    }

    /// Flushes what was written.
    pub(super) fn finish(self) -> io::Result<()> {
        self.out.flush()
    }
}
