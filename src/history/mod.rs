//! History files: exporting conversations to Nudge's own XML format or to plain text, and
//! importing Nudge's XML back and Windows Live Messenger / MSN Messenger message logs
//! (docs/history.md describes the formats and the rules).
//!
//! The command line (`nudge history`, [`cli`]) and the conversation window's menu
//! (`platform::history_files`) both come here, each with a connection of its own to the
//! profile's database: SQLite in WAL mode lets it write beside a running Nudge, and an import is
//! one transaction, so it adds all its messages or none.

pub mod cli;
mod dates;
mod nudge_format;
#[cfg(test)]
mod tests;
mod text_format;
mod wlm;
mod xml;

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

use crate::model::{BareJid, ChatMessage, Direction};
use crate::platform::files::{read_regular, ReadError};
use crate::store::{Store, StoreError};

pub use dates::local_to_ms;

/// The largest file an import reads: about 200,000 Messenger messages, far more than any one
/// log held; a larger file is refused before anything is parsed.
pub const MAX_IMPORT_BYTES: u64 = 64 * 1024 * 1024;

/// What an export writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// Nudge's own XML format, which imports back without loss.
    Xml,
    /// Plain text to read, one line per message in local time.
    Text,
}

/// What kind of file an import read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogKind {
    /// Nudge's own XML export.
    Nudge,
    /// A Windows Live Messenger / MSN Messenger message log.
    Messenger,
}

/// Where and why a file could not be read as history.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct ParseError {
    /// The line (1-based) the problem is on.
    pub line: usize,
    /// What is wrong, in plain words.
    pub problem: String,
}

/// Why an import or export failed; an import that fails has added nothing.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The file could not be read, or is not a regular file, or is too large.
    #[error("{file} {problem}")]
    Read {
        /// The file.
        file: PathBuf,
        /// Why (words that finish "the file ...").
        problem: ReadError,
    },
    /// The file is not history Nudge can read.
    #[error("{file}, {error}")]
    Parse {
        /// The file.
        file: PathBuf,
        /// Where and why.
        error: ParseError,
    },
    /// The messages cannot be given to a conversation (who is who is unclear).
    #[error("{file}: {problem}")]
    Sides {
        /// The file.
        file: PathBuf,
        /// What is unclear and how to say it.
        problem: String,
    },
    /// The history database failed; nothing was added.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The export could not be written.
    #[error("could not write {target}: {source}")]
    Write {
        /// The file, or "standard output".
        target: String,
        /// Why.
        source: io::Error,
    },
}

/// Who is who in an imported file.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// The contact the messages were exchanged with (`--as`); required for Messenger logs, and
    /// renames the one conversation of a Nudge file.
    pub peer: Option<BareJid>,
    /// The profile's own account: its address and local part name the user in Messenger logs.
    pub account: Option<BareJid>,
    /// More names the user went by in Messenger logs (`--me`, the nickname).
    pub own_names: Vec<String>,
    /// A Nudge export keeps the conversations it names even with a `peer` (the window's
    /// import, where the peer is the conversation the menu was in).
    pub keep_exported_peers: bool,
}

/// The messages a file holds, ready for the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// The kind of file.
    pub kind: LogKind,
    /// The messages, in file order.
    pub messages: Vec<ChatMessage>,
    /// Entries that are not messages between the user and the contact (Messenger's file
    /// invitations, joins and leaves, and messages from third people in group conversations).
    pub skipped: usize,
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportReport {
    /// The kind of file.
    pub kind: LogKind,
    /// Messages in the file.
    pub messages: usize,
    /// Messages new to the history (the rest were there already).
    pub added: usize,
    /// Entries left out (see [`Parsed::skipped`]).
    pub skipped: usize,
    /// The conversations the messages belong to.
    pub peers: Vec<BareJid>,
}

impl ImportReport {
    /// One sentence for the user.
    pub fn sentence(&self) -> String {
        let with = self
            .peers
            .iter()
            .map(|peer| peer.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let kind = match self.kind {
            LogKind::Nudge => "Nudge history",
            LogKind::Messenger => "Messenger log",
        };
        let mut sentence = format!(
            "Imported {} of {} messages from the {kind}{}",
            self.added,
            self.messages,
            if with.is_empty() {
                String::new()
            } else {
                format!(" (with {with})")
            }
        );
        let known = self.messages - self.added;
        if known > 0 {
            sentence.push_str(&format!("; {known} were already in the history"));
        }
        if self.skipped > 0 {
            sentence.push_str(&format!(
                "; {} entries were not messages between you and the contact and were left out",
                self.skipped
            ));
        }
        sentence.push('.');
        sentence
    }
}

/// Reads `file` (at most [`MAX_IMPORT_BYTES`]) and adds its messages to `store` in one
/// transaction. Messenger's local `Date`/`Time` are read in this computer's time zone.
pub fn import_file(
    store: &mut Store,
    file: &Path,
    options: &ImportOptions,
) -> Result<ImportReport, HistoryError> {
    let bytes = read_regular(file, MAX_IMPORT_BYTES).map_err(|problem| HistoryError::Read {
        file: file.to_path_buf(),
        problem,
    })?;
    let parsed = parse(&bytes, options, &local_to_ms).map_err(|error| match error {
        ImportError::Parse(error) => HistoryError::Parse {
            file: file.to_path_buf(),
            error,
        },
        ImportError::Sides(problem) => HistoryError::Sides {
            file: file.to_path_buf(),
            problem,
        },
    })?;
    let added = store.import_messages(&parsed.messages)?;
    let mut peers: Vec<BareJid> = parsed.messages.iter().map(|m| m.peer.clone()).collect();
    peers.sort();
    peers.dedup();
    Ok(ImportReport {
        kind: parsed.kind,
        messages: parsed.messages.len(),
        added,
        skipped: parsed.skipped,
        peers,
    })
}

/// Why bytes are not history: where the file is wrong, or who is who is unclear.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportError {
    /// The file is malformed, hostile or not history.
    Parse(ParseError),
    /// The messages cannot be given to the user and the contact.
    Sides(String),
}

impl From<ParseError> for ImportError {
    fn from(error: ParseError) -> Self {
        Self::Parse(error)
    }
}

/// Reads a history file's bytes: UTF-8 XML, Nudge's own or a Messenger log, told apart by
/// the root element. `local` turns Messenger's local times into epoch milliseconds.
pub fn parse(
    bytes: &[u8],
    options: &ImportOptions,
    local: &dyn Fn(NaiveDateTime) -> Option<i64>,
) -> Result<Parsed, ImportError> {
    let text = utf8(bytes)?;
    let mut reader = xml::XmlReader::new(text);
    let root = loop {
        match reader.next()? {
            xml::Item::Start(start) => break start,
            xml::Item::Text(text) if text.trim().is_empty() => {}
            xml::Item::Text(_) => return Err(reader.error("text before the first element").into()),
            xml::Item::End | xml::Item::Eof => {
                return Err(reader.error("the file holds no XML element").into())
            }
        }
    };
    match xml::local_name(&root).as_str() {
        nudge_format::ROOT => nudge_format::read(&mut reader, &root, options),
        wlm::ROOT => wlm::read(&mut reader, options, local),
        other => Err(reader
            .error(format!(
                "<{other}> is neither a Nudge history export (<{}>) nor a Messenger log \
                 (<{}>)",
                nudge_format::ROOT,
                wlm::ROOT
            ))
            .into()),
    }
}

/// The text of a UTF-8 file without its byte order mark; anything else is an error naming the
/// line where the first byte that is not UTF-8 is.
fn utf8(bytes: &[u8]) -> Result<&str, ParseError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(ParseError {
            line: 1,
            problem: "the file is UTF-16; Nudge reads UTF-8 files only (save it as UTF-8 \
                      first)"
                .into(),
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|error| {
        let valid = &bytes[..error.valid_up_to()];
        ParseError {
            line: 1 + valid.iter().filter(|b| **b == b'\n').count(),
            problem: "the file is not UTF-8 text; Nudge reads UTF-8 files only".into(),
        }
    })
}

/// Writes the history (one conversation, or all) to `out`; returns how many messages.
/// `account` is named in the file, so a reader knows whose side "out" is.
pub fn export(
    store: &mut Store,
    peer: Option<&BareJid>,
    format: ExportFormat,
    account: Option<&BareJid>,
    out: &mut dyn Write,
    target: &str,
) -> Result<usize, HistoryError> {
    let write = |source: io::Error| HistoryError::Write {
        target: target.to_string(),
        source,
    };
    let mut count = 0;
    match format {
        ExportFormat::Xml => {
            let mut writer = nudge_format::Writer::start(out, account).map_err(write)?;
            store.for_each_message(peer, |message| {
                count += 1;
                writer.message(&message).map_err(write)
            })?;
            writer.finish().map_err(write)?;
        }
        ExportFormat::Text => {
            let mut writer = text_format::Writer::new(out, account);
            store.for_each_message(peer, |message| {
                count += 1;
                writer.message(&message).map_err(write)
            })?;
            writer.finish().map_err(write)?;
        }
    }
    Ok(count)
}

/// Exports to `file`: written beside it under a temporary name (private to the user) and
/// renamed over it only when complete, so a failed export leaves no half-written file.
pub fn export_to_file(
    store: &mut Store,
    peer: Option<&BareJid>,
    format: ExportFormat,
    account: Option<&BareJid>,
    file: &Path,
) -> Result<usize, HistoryError> {
    let target = file.display().to_string();
    let write = |source: io::Error| HistoryError::Write {
        target: target.clone(),
        source,
    };
    let mut partial = file.as_os_str().to_owned();
    partial.push(format!(".partial-{}", std::process::id()));
    let partial = PathBuf::from(partial);
    let result = (|| {
        let handle = crate::platform::private::new_private_file()
            .open(&partial)
            .map_err(write)?;
        let mut out = io::BufWriter::new(handle);
        let count = export(store, peer, format, account, &mut out, &target)?;
        let handle = out.into_inner().map_err(|e| write(e.into_error()))?;
        handle.sync_all().map_err(write)?;
        std::fs::rename(&partial, file).map_err(write)?;
        Ok(count)
    })();
    if result.is_err() {
        // Whatever was written is incomplete; a missing file is fine.
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// How often each message content was met in one file, so two equal messages (the same words
/// in the same second) get different ids, and the same ids on every import of the file.
#[derive(Default)]
struct Occurrences(HashMap<[u8; 32], u32>);

/// A stable id for an imported message without one: a digest of the conversation, time,
/// direction and text, and how many equal messages came before it in the file. Importing the
/// file again yields the same ids, which the store already has.
fn content_id(
    seen: &mut Occurrences,
    peer: &BareJid,
    timestamp_ms: i64,
    direction: Direction,
    body: &str,
) -> String {
    let mut digest = Sha256::new();
    digest.update(peer.as_str().as_bytes());
    digest.update([0]);
    digest.update(timestamp_ms.to_be_bytes());
    digest.update([match direction {
        Direction::Incoming => b'i',
        Direction::Outgoing => b'o',
    }]);
    digest.update(body.as_bytes());
    let content: [u8; 32] = digest.finalize().into();
    let count = seen.0.entry(content).or_insert(0);
    let occurrence = *count;
    *count += 1;
    let mut digest = Sha256::new();
    digest.update(content);
    digest.update(occurrence.to_be_bytes());
    let id: [u8; 32] = digest.finalize().into();
    let hex: String = id[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("import-{hex}")
}
