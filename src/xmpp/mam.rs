//! Message Archive Management (XEP-0313) with Result Set Management paging (XEP-0059): asking
//! the user's own archive for what this device missed, and reading the pages it sends back.
//!
//! A query is an `<iq type='set'>` to the account (no `to`), tagged with a `queryid`. The
//! server answers with one `<message>` per archived message, each wrapping it in `<result
//! queryid='…' id='ARCHIVE-ID'><forwarded><delay/><message/></forwarded></result>`, then with
//! the iq result holding `<fin complete='…'><set><last>ARCHIVE-ID</last></set></fin>`.

use tokio_xmpp::parsers::data_forms::{DataForm, DataFormType, Field, FieldType};
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::jid::BareJid;
use tokio_xmpp::parsers::mam::{Fin, Query, QueryId, Result_};
use tokio_xmpp::parsers::message::Message;
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::rsm::SetQuery;
use tokio_xmpp::parsers::stanza_error::{DefinedCondition, StanzaError};

use super::{error, from_own_account, ProtocolError};

/// How many messages one page asks for: big enough to catch up quickly, small enough that one
/// page never holds the link up for long.
pub const PAGE_SIZE: usize = 250;

/// How many messages the first sync of a new device fetches at least: the latest ones, enough
/// to fill the recent conversations; older ones stay on the server. (Archives hold receipts
/// and other body-less messages too, so this takes as many pages as it needs.)
pub const FIRST_SYNC_SIZE: usize = 100;

/// Where a catch-up starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cursor {
    /// Nothing is stored yet: the newest page.
    Latest,
    /// The page before this archive id (going back from [`Cursor::Latest`]).
    Before(String),
    /// Everything after this archive id (the newest one stored).
    After(String),
    /// Everything from this time on (milliseconds since the epoch), when the server no longer
    /// knows the archive id.
    Since(i64),
}

/// The query for one page of the user's archive from `cursor`.
pub fn query(id: &str, query_id: &str, cursor: &Cursor) -> Iq {
    let (set, form) = match cursor {
        Cursor::Latest => (
            SetQuery {
                max: Some(PAGE_SIZE),
                before: Some(String::new()),
                ..empty_set()
            },
            None,
        ),
        Cursor::Before(archive_id) => (
            SetQuery {
                max: Some(PAGE_SIZE),
                before: Some(archive_id.clone()),
                ..empty_set()
            },
            None,
        ),
        Cursor::After(archive_id) => (
            SetQuery {
                max: Some(PAGE_SIZE),
                after: Some(archive_id.clone()),
                ..empty_set()
            },
            None,
        ),
        Cursor::Since(ms) => (
            SetQuery {
                max: Some(PAGE_SIZE),
                ..empty_set()
            },
            Some(since_form(*ms)),
        ),
    };
    Iq::from_set(
        id,
        Query {
            queryid: Some(QueryId(query_id.to_owned())),
            node: None,
            form,
            set: Some(set),
            flip_page: false,
        },
    )
}

fn empty_set() -> SetQuery {
    SetQuery {
        max: None,
        after: None,
        before: None,
        index: None,
    }
}

/// The filter "messages from this time on" (XEP-0313 §4.1.2).
fn since_form(ms: i64) -> DataForm {
    let start = chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    DataForm::new(
        DataFormType::Submit,
        ns::MAM,
        vec![Field::new("start", FieldType::TextSingle).with_value(&start)],
    )
}

/// One message out of the archive, as the server forwarded it.
#[derive(Clone, Debug, PartialEq)]
pub struct Archived {
    /// The archive's id for it (its XEP-0359 stanza-id).
    pub archive_id: String,
    /// The message itself, with the archive's timestamp as its `<delay/>`.
    pub message: Message,
}

/// Reads `message` as a result of the query `query_id`. `None` when it is not one, or when it
/// did not come from the user's own account (anyone else could forge history) or answers
/// another query.
pub fn archived(message: &Message, own: &BareJid, query_id: &str) -> Option<Archived> {
    let payload = message.payloads.iter().find(|p| p.is("result", ns::MAM))?;
    if !from_own_account(message.from.as_ref(), own) {
        return None;
    }
    let result = Result_::try_from(payload.clone()).ok()?;
    if result.queryid.as_ref().map(|q| q.0.as_str()) != Some(query_id) {
        return None;
    }
    let mut inner = result.forwarded.message;
    // The archive's time is when the server had the message; a stamp inside it is the
    // sender's word and gives way.
    if let Some(delay) = result.forwarded.delay {
        inner.payloads.retain(|p| !p.is("delay", ns::DELAY));
        inner
            .payloads
            .push(crate::xmpp::message::own_server_delay(delay, own).into());
    }
    Some(Archived {
        archive_id: result.id,
        message: inner,
    })
}

/// Whether `message` is any archive result (to keep it away from live message handling).
pub fn is_result(message: &Message) -> bool {
    message.payloads.iter().any(|p| p.is("result", ns::MAM))
}

/// How a page ended. Servers may send fewer messages than asked for (Prosody sends at most
/// 50 a page), so only `complete` says the archive has nothing more in that direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageEnd {
    /// Nothing more in the direction the query went.
    pub complete: bool,
    /// The archive id of the page's first (oldest) message.
    pub first: Option<String>,
    /// The archive id of the page's last (newest) message.
    pub last: Option<String>,
}

impl PageEnd {
    /// Where the next page starts, going in the direction `cursor` went; `None` when the
    /// archive has nothing more that way.
    pub fn next(&self, cursor: &Cursor) -> Option<Cursor> {
        if self.complete {
            return None;
        }
        match cursor {
            Cursor::Latest | Cursor::Before(_) => self.first.clone().map(Cursor::Before),
            Cursor::After(_) | Cursor::Since(_) => self.last.clone().map(Cursor::After),
        }
    }
}

/// Why a page was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    /// The server does not know the archive id the query started after (it expired).
    #[error("the server no longer knows where this device's history ended")]
    UnknownCursor,
    /// The server has no archive for this account, or refuses to share it.
    #[error("the server keeps no message history for this account ({0})")]
    Unavailable(String),
    /// The answer did not follow the protocol.
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
}

/// Reads the iq that ends a page.
pub fn page_end(iq: &Iq) -> Result<PageEnd, ArchiveError> {
    let payload = match iq {
        Iq::Result {
            payload: Some(payload),
            ..
        } => payload,
        Iq::Error { error, .. } => return Err(refusal(error)),
        _ => {
            return Err(ProtocolError::Malformed {
                what: "the end of a history page",
            }
            .into())
        }
    };
    let fin = Fin::try_from(payload.clone()).map_err(|_| ProtocolError::Malformed {
        what: "the end of a history page",
    })?;
    Ok(PageEnd {
        complete: fin.complete,
        first: fin.set.first.map(|f| f.item),
        last: fin.set.last,
    })
}

fn refusal(stanza_error: &StanzaError) -> ArchiveError {
    match stanza_error.defined_condition {
        DefinedCondition::ItemNotFound => ArchiveError::UnknownCursor,
        _ => ArchiveError::Unavailable(error::describe(stanza_error)),
    }
}
