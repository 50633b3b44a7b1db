//! Catching up with the server's message archive (XEP-0313) after signing in: what this device
//! missed while it was away — messages its other devices sent or received — is fetched page by
//! page from the newest archived message stored, and merged into the history.
//!
//! Each page is stored in one transaction when it ends, and the next catch-up starts from what
//! is stored, so a link lost mid-sync (or a crash) loses nothing and fetches no page twice
//! beyond the one in flight. Until a catch-up has finished, live messages are stored without
//! their archive id: otherwise one arriving while the catch-up is cut short would become the
//! next starting point and the archived messages before it would never be fetched. The
//! catch-up gives them their ids when it reaches them. Archived messages are history: they are shown in their
//! conversations (`HistoryLoaded`) but do not ring, toast or count as unread.

use std::collections::BTreeMap;

use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::message::Message;

use super::{Account, ArchivePurpose, Purpose, Responder, StoreOp};
use crate::event::Event;
use crate::model::ChatMessage;
use crate::problem::Problem;
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
    /// Where the page in flight started (`None` while the store is asked where to start).
    cursor: Option<Cursor>,
    /// The page's messages so far, with their archive ids.
    page: Vec<(ChatMessage, String)>,
    /// What earlier pages of this catch-up brought.
    progress: Progress,
    /// What the last page ended with, while its messages are being stored.
    next: Option<Next>,
}

/// What comes after a stored page.
#[derive(Debug)]
enum Next {
    /// Ask for this page.
    Page(Cursor),
    /// The archive is done (or the catch-up gives up for now).
    Done,
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

impl Account {
    /// Starts catching up: the store says from where.
    pub(super) fn start_sync(&mut self) {
        self.catching_up = true;
        self.sync = Some(Sync {
            query_id: String::new(),
            cursor: None,
            page: Vec::new(),
            progress: Progress::default(),
            next: None,
        });
        self.store(StoreOp::NewestArchived {
            purpose: ArchivePurpose::StartSync,
        });
    }

    pub(super) fn on_newest_archived(
        &mut self,
        purpose: ArchivePurpose,
        result: Result<Option<(String, i64)>, super::Fault>,
    ) {
        let Some(sync) = self.sync.take() else {
            return;
        };
        let newest = match result {
            Ok(newest) => newest,
            Err(fault) => {
                return self.problem(Problem::HistoryUnreadable {
                    detail: fault.into(),
                })
            }
        };
        let cursor = match (purpose, newest, self.unsaved_since) {
            // Messages that could not be saved are fetched again from the archive (a second
            // early, as archive times are often to the second).
            (ArchivePurpose::StartSync, Some(_), Some(unsaved_ms)) => {
                Cursor::Since(unsaved_ms.saturating_sub(1000))
            }
            (ArchivePurpose::StartSync, Some((archive_id, _)), None) => Cursor::After(archive_id),
            (ArchivePurpose::StartSync, None, _) => Cursor::Latest,
            // The archive expired past the newest stored message: go by its time instead.
            (ArchivePurpose::SyncByTime, Some((_, at_ms)), _) => Cursor::Since(at_ms),
            (ArchivePurpose::SyncByTime, None, _) => return self.finish_sync(sync.progress),
        };
        self.ask_page(cursor, sync.progress);
    }

    fn ask_page(&mut self, cursor: Cursor, mut progress: Progress) {
        if !self.is_online() {
            return;
        }
        let query_id = self.ids.fresh();
        progress.pages += 1;
        let query = query_id.clone();
        let at = cursor.clone();
        self.request(Responder::Account, Purpose::ArchivePage, |id| {
            mam::query(id, &query, &at)
        });
        self.sync = Some(Sync {
            query_id,
            cursor: Some(cursor),
            page: Vec::new(),
            progress,
            next: None,
        });
    }

    /// Takes `message` if it is an archive result (of the page in flight, or a stray one that is
    /// dropped); `false` leaves it to live message handling.
    pub(super) fn on_archive_result(&mut self, message: &Message) -> bool {
        if !mam::is_result(message) {
            return false;
        }
        let (Some(sync), Some(own)) = (self.sync.as_mut(), self.own.as_ref()) else {
            return true;
        };
        if sync.page.len() >= MAX_PAGE_RESULTS || sync.next.is_some() {
            return true;
        }
        let own = own.to_bare();
        let Some(archived) = mam::archived(message, &own, &sync.query_id) else {
            tracing::debug!("dropped an archive result that is not this device's query");
            return true;
        };
        let fact = message::classify_archived(archived.message, &own, &archived.archive_id);
        if let Some(MessageFact::Chat {
            peer,
            id,
            body,
            direction,
            timestamp_ms,
            ..
        }) = fact
        {
            let message =
                super::messages::chat_message(self.now_ms, id, peer, direction, body, timestamp_ms);
            sync.page.push((message, archived.archive_id));
        }
        true
    }

    /// The page in flight ended: stores it (or holds it, going back), then asks for the next
    /// one once the store has it.
    pub(super) fn on_page_end(&mut self, iq: &Iq) {
        let Some(mut sync) = self.sync.take() else {
            return;
        };
        let Some(cursor) = sync.cursor.clone() else {
            return;
        };
        let page = std::mem::take(&mut sync.page);
        let going_back = matches!(cursor, Cursor::Latest | Cursor::Before(_));
        let next = match mam::page_end(iq) {
            Ok(end) => end.next(&cursor).map(Next::Page),
            Err(ArchiveError::UnknownCursor) if matches!(cursor, Cursor::After(_)) => {
                // The archive expired past the newest stored message: ask the store for its time.
                sync.next = None;
                self.sync = Some(sync);
                return self.store(StoreOp::NewestArchived {
                    purpose: ArchivePurpose::SyncByTime,
                });
            }
            Err(error) => {
                tracing::info!("message history is not synchronised: {error}");
                None
            }
        };
        // A new device goes back only until the recent conversations are filled.
        let mut next = next.unwrap_or(Next::Done);
        let mut to_store = page;
        if going_back {
            sync.progress
                .held
                .splice(0..0, std::mem::take(&mut to_store));
            if sync.progress.held.len() >= mam::FIRST_SYNC_SIZE {
                next = Next::Done;
            }
        }
        if sync.progress.pages >= MAX_PAGES {
            next = Next::Done;
        }
        if going_back && matches!(next, Next::Done) {
            to_store = std::mem::take(&mut sync.progress.held);
        }
        sync.next = Some(next);
        self.sync = Some(sync);
        if to_store.is_empty() {
            return self.on_archive_stored(Ok(Vec::new()));
        }
        self.store(StoreOp::InsertArchived { messages: to_store });
    }

    /// The store kept a page (or could not): show what was new, and go on.
    pub(super) fn on_archive_stored(&mut self, result: Result<Vec<ChatMessage>, super::Fault>) {
        let Some(mut sync) = self.sync.take() else {
            return;
        };
        let new = match result {
            Ok(new) => new,
            Err(detail) => {
                // The next catch-up fetches them again.
                return self.problem(Problem::ArchiveNotSaved {
                    detail: detail.into(),
                });
            }
        };
        sync.progress.new_messages += new.len();
        self.show_archived(new);
        match sync.next.take() {
            Some(Next::Page(cursor)) => self.ask_page(cursor, sync.progress),
            Some(Next::Done) | None => self.finish_sync(sync.progress),
        }
    }

    /// The archive id a live message is stored with: none while a catch-up is unfinished.
    pub(super) fn live_archive_id(&self, server_id: Option<String>) -> Option<String> {
        server_id.filter(|_| !self.catching_up)
    }

    fn finish_sync(&mut self, progress: Progress) {
        self.catching_up = false;
        // Everything since the unsaved messages came again and was stored.
        self.unsaved_since = None;
        tracing::info!(
            "message history synchronised: {} new",
            progress.new_messages
        );
        self.emit(Event::HistorySynced {
            new_messages: progress.new_messages,
        });
    }

    /// Shows new archived messages in their conversations, in archive order (oldest first).
    fn show_archived(&mut self, new: Vec<ChatMessage>) {
        let mut by_peer: BTreeMap<crate::model::BareJid, Vec<ChatMessage>> = BTreeMap::new();
        for message in new {
            by_peer
                .entry(message.peer.clone())
                .or_default()
                .push(message);
        }
        for (peer, messages) in by_peer {
            self.emit(Event::HistoryLoaded { peer, messages });
        }
    }
}
