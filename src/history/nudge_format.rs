//! Nudge's own history format (docs/history.md has an example):
//!
//! ```xml
//! <nudge-history xmlns="https://nudge.im/ns/history" version="1" account="alice@example.org">
//!   <conversation with="bob@example.org">
//!     <message id="m1" direction="in" time="2026-12-04T19:02:11.250Z">Hi!</message>
//!   </conversation>
//! </nudge-history>
//! ```
//!
//! The body is the element's text exactly (spaces, line breaks and carriage returns kept), so
//! an export imports back without loss, and the message ids make a second import add nothing.

use std::io::{self, Write};

use quick_xml::events::BytesStart;

use super::xml::{local_name, Item, XmlReader};
use super::{content_id, dates, ImportError, ImportOptions, LogKind, Parsed};
use crate::model::{BareJid, ChatMessage, Delivery, Direction};

/// The root element.
pub(super) const ROOT: &str = "nudge-history";
/// The namespace of the root element.
pub(super) const NAMESPACE: &str = "https://nudge.im/ns/history";
/// The version this build writes and reads.
const VERSION: u32 = 1;

/// Writes a history file message by message (grouped by peer, as the store hands them out).
pub(super) struct Writer<'w> {
    out: &'w mut dyn Write,
    peer: Option<BareJid>,
}

impl<'w> Writer<'w> {
    /// Writes the declaration and opens the root element.
    pub(super) fn start(out: &'w mut dyn Write, account: Option<&BareJid>) -> io::Result<Self> {
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        write!(out, r#"<{ROOT} xmlns="{NAMESPACE}" version="{VERSION}""#)?;
        if let Some(account) = account {
            write!(out, r#" account="{}""#, escape(account.as_str(), true))?;
        }
        writeln!(out, ">")?;
        Ok(Self { out, peer: None })
    }

    /// Writes one message, opening its conversation when the peer changes.
    pub(super) fn message(&mut self, message: &ChatMessage) -> io::Result<()> {
        if self.peer.as_ref() != Some(&message.peer) {
            if self.peer.is_some() {
                writeln!(self.out, "  </conversation>")?;
            }
            writeln!(
                self.out,
                r#"  <conversation with="{}">"#,
                escape(message.peer.as_str(), true)
            )?;
            self.peer = Some(message.peer.clone());
        }
        let direction = match message.direction {
            Direction::Incoming => "in",
            Direction::Outgoing => "out",
        };
        let time = dates::format_utc(message.timestamp_ms).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("message {} has a time out of range", message.id),
            )
        })?;
        writeln!(
            self.out,
            r#"    <message id="{}" direction="{direction}" time="{time}">{}</message>"#,
            escape(&message.id, true),
            escape(&message.body, false)
        )
    }

    /// Closes what is open.
    pub(super) fn finish(self) -> io::Result<()> {
        if self.peer.is_some() {
            writeln!(self.out, "  </conversation>")?;
        }
        writeln!(self.out, "</{ROOT}>")?;
        self.out.flush()
    }
}

/// Escapes text for XML. Carriage returns become `&#13;` (a reader would turn a raw one into a
/// line feed), and in attributes tabs and line feeds become references too (a reader would
/// turn them into spaces). Characters XML 1.0 cannot hold at all (control characters, which no
/// XMPP message carries) become U+FFFD.
fn escape(text: &str, attribute: bool) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '\r' => escaped.push_str("&#13;"),
            '"' if attribute => escaped.push_str("&quot;"),
            '\n' if attribute => escaped.push_str("&#10;"),
            '\t' if attribute => escaped.push_str("&#9;"),
            '\t' | '\n' => escaped.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => escaped.push('\u{FFFD}'),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Reads the rest of a file whose root element (`root`) was just opened.
pub(super) fn read(
    reader: &mut XmlReader<'_>,
    root: &BytesStart<'_>,
    options: &ImportOptions,
) -> Result<Parsed, ImportError> {
    if let Some(version) = reader.attribute(root, "version")? {
        match version.trim().parse::<u32>() {
            Ok(version) if version <= VERSION => {}
            _ => {
                return Err(reader
                    .error(format!(
                        "the file is version {version} of Nudge's history format; this Nudge \
                         reads version {VERSION} (update Nudge to import it)"
                    ))
                    .into())
            }
        }
    }
    let mut messages = Vec::new();
    let mut ids = super::Occurrences::default();
    loop {
        match reader.next()? {
            Item::Start(start) if local_name(&start) == "conversation" => {
                let with = reader
                    .attribute(&start, "with")?
                    .ok_or_else(|| reader.error("<conversation> has no with=\"…\" address"))?;
                let peer = crate::xmpp::address::parse_bare(&with).map_err(|error| {
                    reader.error(format!("the address {with:?} is not valid ({error})"))
                })?;
                read_conversation(reader, &peer, &mut ids, &mut messages)?;
            }
            // Elements a later version may add are passed over.
            Item::Start(_) => reader.skip()?,
            Item::Text(_) => {}
            Item::End => break,
            Item::Eof => return Err(reader.error("the file ends before </nudge-history>").into()),
        }
    }
    rename(&mut messages, options)?;
    Ok(Parsed {
        kind: LogKind::Nudge,
        messages,
        skipped: 0,
    })
}

fn read_conversation(
    reader: &mut XmlReader<'_>,
    peer: &BareJid,
    ids: &mut super::Occurrences,
    messages: &mut Vec<ChatMessage>,
) -> Result<(), ImportError> {
    loop {
        match reader.next()? {
            Item::Start(start) if local_name(&start) == "message" => {
                let direction = match reader.attribute(&start, "direction")?.as_deref() {
                    Some("in") => Direction::Incoming,
                    Some("out") => Direction::Outgoing,
                    other => {
                        return Err(reader
                            .error(format!(
                                "a message's direction is {other:?}; it must be \"in\" or \"out\""
                            ))
                            .into())
                    }
                };
                let time = reader
                    .attribute(&start, "time")?
                    .ok_or_else(|| reader.error("a message has no time=\"…\""))?;
                let timestamp_ms = dates::parse_utc(&time).ok_or_else(|| {
                    reader.error(format!(
                        "the time {time:?} is not a date and time such as \
                         2026-12-04T19:02:11.250Z"
                    ))
                })?;
                let id = reader.attribute(&start, "id")?.filter(|id| !id.is_empty());
                let body = reader.text_of("message")?;
                let id = match id {
                    Some(id) => id,
                    None => content_id(ids, peer, timestamp_ms, direction, &body),
                };
                messages.push(ChatMessage {
                    id,
                    peer: peer.clone(),
                    direction,
                    body,
                    timestamp_ms,
                    delivery: match direction {
                        Direction::Incoming => Delivery::Received,
                        Direction::Outgoing => Delivery::Delivered,
                    },
                });
            }
            Item::Start(_) => reader.skip()?,
            Item::Text(_) => {}
            Item::End => return Ok(()),
            Item::Eof => return Err(reader.error("the file ends before </conversation>").into()),
        }
    }
}

/// `--as` gives the one conversation of a file another address.
fn rename(messages: &mut [ChatMessage], options: &ImportOptions) -> Result<(), ImportError> {
    let Some(peer) = options
        .peer
        .as_ref()
        .filter(|_| !options.keep_exported_peers)
    else {
        return Ok(());
    };
    let mut peers: Vec<&BareJid> = messages.iter().map(|m| &m.peer).collect();
    peers.sort();
    peers.dedup();
    if peers.len() > 1 {
        return Err(ImportError::Sides(format!(
            "the file holds conversations with {} contacts; --as can only name the contact \
             of a file with one conversation (import it without --as)",
            peers.len()
        )));
    }
    for message in messages {
        message.peer = peer.clone();
    }
    Ok(())
}
