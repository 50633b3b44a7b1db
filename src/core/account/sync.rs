//! Catching up with the server's message archive (XEP-0313) after signing in: what this device
//! missed while it was away — messages its other devices sent or received — is fetched page by
//! page from the newest archived message stored, and merged into the history.
//!
//! Each page is stored in one transaction when it ends, and the next catch-up starts from what
//! is stored, so a link lost mid-sync (or a crash) loses nothing and fetches no page twice
//! beyond the one in flight. Archived messages are history: they are shown in their
//! conversations (`HistoryLoaded`) but do not ring, toast or count as unread.

use std::collections::BTreeMap;

use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::message::Message;

use super::{Account, PendingIq};
use crate::core::session::Session;
use crate::event::Event;
use crate::model::{ChatMessage, Delivery, Direction};
use crate::xmpp::mam::{self, ArchiveError, Cursor};
use crate::xmpp::message::{self, MessageFact};

/// Most pages one catch-up fetches (with [`mam::PAGE_SIZE`], 100,000 messages); the rest
/// comes with the next sign-in.
const MAX_PAGES: usize = 400;

/// Most results kept from one page: a server sending more than it was asked for is cut off.
const MAX_PAGE_RESULTS: usize = mam::PAGE_SIZE * 2;

/// A catch-up in progress.
#[derive(Debug)]
pub(super) struct Sync {
    /// Tags the results of the page in flight.
    query_id: String,
    /// Where the page in flight started.
    cursor: Cursor,
    /// The page's messages so far, with their archive ids.
    page: Vec<(ChatMessage, String)>,
    /// What earlier pages of this catch-up brought.
    progress: Progress,
}

/// What a catch-up has done so far.
#[derive(Debug, Default)]
struct Progress {
    /// Pages asked for.
    pages: usize,
    /// Messages new to this device, stored and shown.
    new_messages: usize,
    /// Going back from the newest page (a new device): the pages so far, oldest first. They
    /// are stored together at the end, in the order they were sent, because archive
    /// timestamps are often only to the second and could not order them afterwards.
    held: Vec<(ChatMessage, String)>,
}

/// Starts catching up from the newest archived message stored (or with the latest page when
/// nothing is stored yet).
pub(super) async fn start(account: &mut Account, session: &mut Session) -> Result<(), String> {
    let cursor = match account.store.newest_archived() {
        Ok(Some((archive_id, _))) => Cursor::After(archive_id),
        Ok(None) => Cursor::Latest,
        Err(error) => {
            account.problem(format!("Message history could not be read: {error}"));
            return Ok(());
        }
    };
    account.sync = None;
    ask(account, session, cursor, Progress::default()).await
}

async fn ask(
    account: &mut Account,
    session: &mut Session,
    cursor: Cursor,
    mut progress: Progress,
) -> Result<(), String> {
    let id = session.next_id("mam");
    let query_id = crate::command::new_message_id();
    let query = mam::query(&id, &query_id, &cursor);
    account.pending.insert(id, PendingIq::ArchivePage);
    progress.pages += 1;
    account.sync = Some(Sync {
        query_id,
        cursor,
        page: Vec::new(),
        progress,
    });
    session.send(query.into(), None).await
}

/// Takes `message` if it is an archive result (of the page in flight, or a stray one that is
/// dropped); `false` leaves it to live message handling.
pub(super) fn on_message(account: &mut Account, message: &Message) -> bool {
    if !mam::is_result(message) {
        return false;
    }
    let (Some(sync), Some(own)) = (account.sync.as_mut(), account.own.as_ref()) else {
        return true;
    };
    if sync.page.len() >= MAX_PAGE_RESULTS {
        return true;
    }
    let Some(archived) = mam::archived(message, own, &sync.query_id) else {
        tracing::debug!("dropped an archive result that is not this device's query");
        return true;
    };
    let fact = message::classify_archived(archived.message, own, &archived.archive_id);
    if let Some(MessageFact::Chat {
        peer,
        id,
        body,
        direction,
        timestamp_ms,
        ..
    }) = fact
    {
        let message = ChatMessage {
            id,
            peer,
            direction,
            body,
            timestamp_ms: timestamp_ms.unwrap_or_else(crate::model::now_ms),
            delivery: match direction {
                Direction::Incoming => Delivery::Received,
                Direction::Outgoing => Delivery::Sent,
            },
        };
        sync.page.push((message, archived.archive_id));
    }
    true
}

/// The page in flight ended: stores it (or holds it, going back), shows what was new, and
/// asks for the next one.
pub(super) async fn on_page_end(
    account: &mut Account,
    session: &mut Session,
    iq: &Iq,
) -> Result<(), String> {
    let Some(Sync {
        cursor,
        page,
        mut progress,
        ..
    }) = account.sync.take()
    else {
        return Ok(());
    };
    let going_back = matches!(cursor, Cursor::Latest | Cursor::Before(_));
    if going_back {
        progress.held.splice(0..0, page);
    } else if !store(account, &mut progress, page) {
        return Ok(());
    }
    let next = match mam::page_end(iq) {
        Ok(end) => end.next(&cursor),
        Err(ArchiveError::UnknownCursor) if matches!(cursor, Cursor::After(_)) => {
            // The archive expired past the newest stored message: go by its time instead.
            match account.store.newest_archived() {
                Ok(Some((_, at_ms))) => Some(Cursor::Since(at_ms)),
                _ => None,
            }
        }
        Err(error) => {
            tracing::info!("message history is not synchronised: {error}");
            None
        }
    };
    // A new device goes back only until the recent conversations are filled.
    let enough = going_back && progress.held.len() >= mam::FIRST_SYNC_SIZE;
    match next {
        Some(next) if !enough && progress.pages < MAX_PAGES => {
            ask(account, session, next, progress).await
        }
        _ => {
            let held = std::mem::take(&mut progress.held);
            if store(account, &mut progress, held) {
                tracing::info!(
                    "message history synchronised: {} new",
                    progress.new_messages
                );
                account.emit(Event::HistorySynced {
                    new_messages: progress.new_messages,
                });
            }
            Ok(())
        }
    }
}

/// Stores `messages` in one transaction and shows those that were new; `false` when they
/// could not be stored (the next catch-up fetches them again).
fn store(
    account: &mut Account,
    progress: &mut Progress,
    messages: Vec<(ChatMessage, String)>,
) -> bool {
    match account.store.insert_archived(&messages) {
        Ok(new) => {
            progress.new_messages += new.len();
            show(account, new);
            true
        }
        Err(error) => {
            account.problem(format!(
                "Messages from the server's history could not be saved: {error}"
            ));
            false
        }
    }
}

/// Shows new archived messages in their conversations, in archive order (oldest first).
fn show(account: &Account, new: Vec<ChatMessage>) {
    let mut by_peer: BTreeMap<String, Vec<ChatMessage>> = BTreeMap::new();
    for message in new {
        by_peer
            .entry(message.peer.clone())
            .or_default()
            .push(message);
    }
    for (peer, messages) in by_peer {
        account.emit(Event::HistoryLoaded { peer, messages });
    }
}
