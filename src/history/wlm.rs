//! Windows Live Messenger and MSN Messenger message logs: the `<Log>` files those clients
//! saved per contact (`Bob1234567890.xml`), for example
//!
//! ```xml
//! <Log FirstSessionID="1" LastSessionID="1">
//! <Message Date="14/03/2008" Time="21:04:11" DateTime="2008-03-14T20:04:11.123Z" SessionID="1">
//!   <From><User FriendlyName="Alice"/></From><To><User FriendlyName="Bob"/></To>
//!   <Text Style="font-family:Segoe UI; color:#000000; ">Hi Bob</Text></Message>
//! </Log>
//! ```
//!
//! People appear only by the display name they had at the time, so who is who is worked out:
//! the contact is named with `--as` (a display name equal to its address or the part before
//! the `@` is the contact's), the user by the account's address or local part and `--me`
//! names, and every other name by being opposite one of these in a message from one person to
//! one other. Entries that are not messages (file invitations, joins, leaves) and messages
//! from people who are neither side (group conversations) are left out and counted.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use quick_xml::events::BytesStart;

use super::dates::{self, DateOrder};
use super::xml::{local_name, Item, XmlReader};
use super::{content_id, ImportError, ImportOptions, LogKind, Occurrences, ParseError, Parsed};
use crate::model::{BareJid, ChatMessage, Delivery, Direction};

/// The root element.
pub(super) const ROOT: &str = "Log";

/// One `<Message>` as written.
struct Entry {
    line: usize,
    from: Option<String>,
    to: Vec<String>,
    date_time: Option<String>,
    date: Option<String>,
    time: Option<String>,
    text: String,
}

/// Reads the rest of a log whose `<Log>` was just opened.
pub(super) fn read(
    reader: &mut XmlReader<'_>,
    options: &ImportOptions,
    local: &dyn Fn(NaiveDateTime) -> Option<i64>,
) -> Result<Parsed, ImportError> {
    let mut entries = Vec::new();
    let mut skipped = 0;
    loop {
        match reader.next()? {
            Item::Start(start) if local_name(&start) == "Message" => {
                entries.push(read_message(reader, &start)?);
            }
            // Invitation, InvitationResponse, Join, Leave: not messages.
            Item::Start(_) => {
                skipped += 1;
                reader.skip()?;
            }
            Item::Text(_) => {}
            Item::End => break,
            Item::Eof => return Err(reader.error("the file ends before </Log>").into()),
        }
    }
    let Some(peer) = options.peer.clone() else {
        return Err(ImportError::Sides(
            "a Messenger log does not say who the contact is; name them with --as JID".into(),
        ));
    };
    let order = dates::date_order(
        entries
            .iter()
            .filter(|e| e.date_time.is_none())
            .filter_map(|e| e.date.as_deref()),
    )
    .ok_or_else(|| ParseError {
        line: 1,
        problem: "the file's dates are written both day first and month first; Nudge cannot \
                  tell which they are"
            .into(),
    })?;
    let sides = Sides::work_out(&entries, &peer, options)?;
    let mut ids = Occurrences::default();
    let mut messages = Vec::with_capacity(entries.len());
    for entry in entries {
        let timestamp_ms = timestamp(&entry, order, local)?;
        let direction = match entry.from.as_deref().and_then(|name| sides.of(name)) {
            Some(Side::Me) => Direction::Outgoing,
            Some(Side::Them) => Direction::Incoming,
            None => {
                skipped += 1;
                continue;
            }
        };
        if entry.text.is_empty() {
            skipped += 1;
            continue;
        }
        messages.push(ChatMessage {
            id: content_id(&mut ids, &peer, timestamp_ms, direction, &entry.text),
            peer: peer.clone(),
            direction,
            body: entry.text,
            timestamp_ms,
            delivery: match direction {
                Direction::Incoming => Delivery::Received,
                Direction::Outgoing => Delivery::Delivered,
            },
        });
    }
    Ok(Parsed {
        kind: LogKind::Messenger,
        messages,
        skipped,
    })
}

fn read_message(reader: &mut XmlReader<'_>, start: &BytesStart<'_>) -> Result<Entry, ParseError> {
    let mut entry = Entry {
        line: reader.line(),
        from: None,
        to: Vec::new(),
        date_time: reader.attribute(start, "DateTime")?,
        date: reader.attribute(start, "Date")?,
        time: reader.attribute(start, "Time")?,
        text: String::new(),
    };
    loop {
        match reader.next()? {
            Item::Start(child) => match local_name(&child).as_str() {
                "From" => entry.from = read_users(reader)?.into_iter().next(),
                "To" => entry.to = read_users(reader)?,
                "Text" => entry.text = reader.text_of("Text")?,
                _ => reader.skip()?,
            },
            Item::Text(_) => {}
            Item::End => return Ok(entry),
            Item::Eof => return Err(reader.error("the file ends inside a <Message>")),
        }
    }
}

/// The `FriendlyName`s of the `<User>`s in a `<From>` or `<To>`.
fn read_users(reader: &mut XmlReader<'_>) -> Result<Vec<String>, ParseError> {
    let mut users = Vec::new();
    loop {
        match reader.next()? {
            Item::Start(child) => {
                if local_name(&child) == "User" {
                    users.push(
                        reader
                            .attribute(&child, "FriendlyName")?
                            .unwrap_or_default(),
                    );
                }
                reader.skip()?;
            }
            Item::Text(_) => {}
            Item::End => return Ok(users),
            Item::Eof => return Err(reader.error("the file ends inside a <Message>")),
        }
    }
}

fn timestamp(
    entry: &Entry,
    order: DateOrder,
    local: &dyn Fn(NaiveDateTime) -> Option<i64>,
) -> Result<i64, ParseError> {
    if let Some(at) = entry.date_time.as_deref().and_then(dates::parse_utc) {
        return Ok(at);
    }
    if entry.date_time.is_none() {
        if let (Some(date), Some(time)) = (&entry.date, &entry.time) {
            if let Some(at) = dates::parse_local(date, time, order).and_then(local) {
                return Ok(at);
            }
        }
    }
    let shown = |name: &str, value: &Option<String>| {
        value
            .as_ref()
            .map(|v| format!("{name}={v:?}"))
            .unwrap_or_default()
    };
    let written = [
        shown("DateTime", &entry.date_time),
        shown("Date", &entry.date),
        shown("Time", &entry.time),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(" ");
    Err(ParseError {
        line: entry.line,
        problem: if written.is_empty() {
            "a message has no date (DateTime, or Date and Time)".into()
        } else {
            format!("a message's date cannot be read ({written})")
        },
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Me,
    Them,
}

impl Side {
    fn other(self) -> Self {
        match self {
            Self::Me => Self::Them,
            Self::Them => Self::Me,
        }
    }
}

/// Which display names are the user's and which the contact's.
struct Sides(HashMap<String, Side>);

/// Display names compare without case and surrounding spaces.
fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

impl Sides {
    fn of(&self, name: &str) -> Option<Side> {
        self.0.get(&key(name)).copied()
    }

    fn work_out(
        entries: &[Entry],
        peer: &BareJid,
        options: &ImportOptions,
    ) -> Result<Self, ImportError> {
        let mut names: Vec<String> = entries.iter().filter_map(|e| e.from.clone()).collect();
        names.sort_by_key(|name| key(name));
        names.dedup_by_key(|name| key(name));
        let known: std::collections::HashSet<String> = names.iter().map(|n| key(n)).collect();

        let mut mine: Vec<String> = options.own_names.iter().map(|n| key(n)).collect();
        if let Some(account) = &options.account {
            mine.push(key(account.as_str()));
            mine.extend(account.node().map(|node| key(node.as_str())));
        }
        let theirs = [
            Some(key(peer.as_str())),
            peer.node().map(|node| key(node.as_str())),
        ];
        let mut sides = HashMap::new();
        for name in mine.into_iter().filter(|n| known.contains(n)) {
            sides.insert(name, Side::Me);
        }
        for name in theirs.into_iter().flatten().filter(|n| known.contains(n)) {
            if sides.insert(name.clone(), Side::Them) == Some(Side::Me) {
                return Err(ImportError::Sides(format!(
                    "the name {name:?} is both yours and the contact's; name yours with --me"
                )));
            }
        }
        // Two people per message: whoever is opposite a known name is on the other side.
        let pairs: Vec<(String, String)> = entries
            .iter()
            .filter_map(|e| match (&e.from, e.to.as_slice()) {
                (Some(from), [to]) => Some((key(from), key(to))),
                _ => None,
            })
            .collect();
        loop {
            let mut changed = false;
            for (a, b) in &pairs {
                match (sides.get(a).copied(), sides.get(b).copied()) {
                    (Some(x), None) => {
                        sides.insert(b.clone(), x.other());
                        changed = true;
                    }
                    (None, Some(y)) => {
                        sides.insert(a.clone(), y.other());
                        changed = true;
                    }
                    (Some(x), Some(y)) if x == y => {
                        return Err(ImportError::Sides(format!(
                            "the log has {a:?} writing to {b:?}, but both names look like the \
                             same side; say which are yours with --me NAME"
                        )));
                    }
                    _ => {}
                }
            }
            if !changed {
                break;
            }
        }
        if !names.is_empty() && names.iter().all(|name| !sides.contains_key(&key(name))) {
            let list = names
                .iter()
                .map(|n| format!("{n:?}"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(ImportError::Sides(format!(
                "Nudge cannot tell which of the names in the log are yours ({list}); name yours \
                 with --me NAME (as often as needed)"
            )));
        }
        Ok(Self(sides))
    }
}
