//! What the account core asks to be done: stanzas to send, events to report, store operations,
//! programs to start, pages to open. The executor (`core::executor`) carries them out and feeds
//! the answers of those that have one back as [`super::Answer`]s.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use tokio_xmpp::Stanza;

use crate::config::{AccountConfig, Settings};
use crate::core::sm::Tracked;
use crate::event::Event;
use crate::model::{BareJid, ChatMessage, Delivery, NotificationTarget, Sound};
use crate::secret::Secret;

/// One thing to do, in order.
#[derive(Debug)]
pub enum Effect {
    /// Write a stanza to the stream; `tracked` messages are reported by [`super::Input::Acked`].
    Send {
        /// The stanza.
        stanza: Box<Stanza>,
        /// The outgoing chat message it carries, if any.
        tracked: Option<Tracked>,
    },
    /// Ask the server to acknowledge what it handled (XEP-0198 `<r/>`).
    RequestAck,
    /// Report an event to the window and the local API.
    Emit(Event),
    /// Start connection attempt `attempt` (replacing any attempt or stream there is).
    Connect {
        /// Its number, repeated in the answer.
        attempt: u64,
        /// Where and as whom.
        account: AccountConfig,
        /// The password.
        password: Secret,
        /// The resource to bind.
        resource: String,
        /// Whether the previous stream may be resumed (XEP-0198).
        resume: bool,
    },
    /// Close the stream (after what was sent before) or drop the attempt in progress, and
    /// forget what could resume it.
    Disconnect,
    /// A store operation (SQLite history, outbox, the picture cache).
    Store(StoreOp),
    /// Read the password saved for `jid` ([`super::Answer::PasswordLoaded`]).
    LoadPassword {
        /// The account.
        jid: String,
    },
    /// Save the password in the keyring, or forget a saved one.
    KeepPassword {
        /// The account.
        jid: String,
        /// The password.
        password: Secret,
        /// Save (`true`) or forget.
        remember: bool,
    },
    /// Write the account's settings file.
    SaveAccount(AccountConfig),
    /// Write the profile's settings ([`super::Answer::SettingsSaved`]).
    SaveSettings(Settings),
    /// Ask the server for its registration form ([`super::Answer::RegistrationForm`]).
    FetchRegistrationForm(AccountConfig),
    /// Create the account on its server ([`super::Answer::Registered`]).
    RegisterAccount {
        /// Where and as whom.
        account: AccountConfig,
        /// The new password.
        password: Secret,
        /// The form's other fields.
        fields: BTreeMap<String, String>,
    },
    /// Read and prepare a picture ([`super::Answer::PicturePrepared`]).
    PreparePicture(PictureSource),
    /// Start a registered program for a session ([`super::Answer::Launched`]).
    Launch(Launch),
    /// Forget the launch cookies of a session that ended.
    RevokeCookies {
        /// The session.
        session: String,
    },
    /// Open an https page in the browser (the user asked; the address was shown).
    OpenPage {
        /// The address.
        url: String,
    },
    /// Show a desktop notification.
    Notify {
        /// The title.
        title: String,
        /// The text.
        body: String,
        /// What a click on it opens.
        target: Option<NotificationTarget>,
    },
    /// Play a sound.
    PlaySound(Sound),
    /// Stop the core (after the effects before it).
    Stop,
}

/// Where a new display picture comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PictureSource {
    /// A file the user chose.
    File(String),
    /// One of Nudge's own pictures, by name.
    Builtin(String),
}

/// A program to start for a Session Invite session: the registry's program and arguments, the
/// session in the environment. The executor adds the launch cookie.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Launch {
    /// The session.
    pub session: String,
    /// The registered program.
    pub program: PathBuf,
    /// Its registered arguments.
    pub args: Vec<String>,
    /// The session's environment variables (`invite::env`), cookie aside.
    pub variables: Vec<(&'static str, String)>,
}

/// A store operation. Those that answer do so with the [`StoreAnswer`] of the same name.
#[derive(Clone, Debug, PartialEq)]
pub enum StoreOp {
    /// Keep a received (or carbon-copied) message unless it is known: [`StoreAnswer::Inserted`].
    InsertMessage {
        /// The message.
        message: ChatMessage,
        /// The id the user's server gave it (XEP-0359), for archive paging.
        server_id: Option<String>,
    },
    /// Keep a page of archived messages in one transaction: [`StoreAnswer::ArchivedInserted`].
    InsertArchived {
        /// The messages with their archive ids, in archive order.
        messages: Vec<(ChatMessage, String)>,
    },
    /// Put an outgoing message in the outbox: [`StoreAnswer::Queued`].
    QueueOutgoing {
        /// The message.
        message: ChatMessage,
    },
    /// Count a send attempt of an outbox message.
    NoteAttempt {
        /// The conversation.
        peer: BareJid,
        /// The message.
        id: String,
    },
    /// The server has the message: it leaves the outbox.
    MarkSent {
        /// The conversation.
        peer: BareJid,
        /// The message.
        id: String,
    },
    /// The message could not be delivered: it leaves the outbox.
    MarkFailed {
        /// The conversation.
        peer: BareJid,
        /// The message.
        id: String,
        /// Why.
        reason: String,
    },
    /// Record a delivery state (a receipt).
    SetDelivery {
        /// The conversation.
        peer: BareJid,
        /// The message.
        id: String,
        /// The new state.
        delivery: Delivery,
    },
    /// Read the messages waiting in the outbox: [`StoreAnswer::Outbox`].
    ReadOutbox,
    /// Read the newest archived message's id and time: [`StoreAnswer::NewestArchived`].
    NewestArchived {
        /// What the answer is for.
        purpose: ArchivePurpose,
    },
    /// Read the newest `limit` messages of a conversation: [`StoreAnswer::History`].
    RecentMessages {
        /// The conversation.
        peer: BareJid,
        /// How many.
        limit: usize,
    },
    /// Remember whose display picture has which hash (`None`: no picture).
    SetAvatarHash {
        /// Whose.
        jid: BareJid,
        /// The PNG's SHA-1.
        sha1: Option<String>,
    },
    /// Read every remembered picture hash: [`StoreAnswer::AvatarHashes`].
    AvatarHashes,
    /// Read a cached picture: [`StoreAnswer::CachedPicture`].
    CachedPicture {
        /// Whose.
        jid: BareJid,
        /// Its hash.
        sha1: String,
    },
    /// Keep a picture in the cache.
    KeepPicture {
        /// Its hash.
        sha1: String,
        /// The PNG.
        png: Arc<[u8]>,
    },
    /// Delete cached pictures that are not in `keep`.
    PrunePictures {
        /// Hashes still in use.
        keep: Vec<String>,
    },
}

/// Why an effect failed, in the failing part's own words (SQLite, the file system): the core
/// puts it in a typed [`crate::problem::Problem`] as its `detail`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct Fault {
    /// What the failing part said.
    pub detail: String,
}

impl Fault {
    /// A fault from any error.
    pub fn from_error(error: &dyn std::fmt::Display) -> Self {
        Self {
            detail: error.to_string(),
        }
    }
}

impl From<&str> for Fault {
    fn from(detail: &str) -> Self {
        Self {
            detail: detail.to_string(),
        }
    }
}

impl From<Fault> for String {
    fn from(fault: Fault) -> Self {
        fault.detail
    }
}

/// Why the newest archived message was asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchivePurpose {
    /// Starting a catch-up after signing in.
    StartSync,
    /// The server forgot the stored id: catching up by time instead.
    SyncByTime,
}

/// What a store operation found or did; `Err` says why it failed.
#[derive(Clone, Debug, PartialEq)]
pub enum StoreAnswer {
    /// [`StoreOp::InsertMessage`]: whether it was new.
    Inserted {
        /// The message.
        message: ChatMessage,
        /// New (`true`), known already (`false`), or not stored.
        result: Result<bool, Fault>,
    },
    /// [`StoreOp::InsertArchived`]: the messages that were new.
    ArchivedInserted {
        /// The new ones, in archive order, or why nothing was stored.
        result: Result<Vec<ChatMessage>, Fault>,
    },
    /// [`StoreOp::QueueOutgoing`].
    Queued {
        /// The message.
        message: ChatMessage,
        /// Whether it is in the outbox.
        result: Result<(), Fault>,
    },
    /// [`StoreOp::ReadOutbox`].
    Outbox(Result<Vec<ChatMessage>, Fault>),
    /// [`StoreOp::NewestArchived`].
    NewestArchived {
        /// What it was asked for.
        purpose: ArchivePurpose,
        /// The archive id and time, if any message is archived.
        result: Result<Option<(String, i64)>, Fault>,
    },
    /// [`StoreOp::RecentMessages`].
    History {
        /// The conversation.
        peer: BareJid,
        /// Its newest messages, oldest first.
        result: Result<Vec<ChatMessage>, Fault>,
    },
    /// [`StoreOp::AvatarHashes`].
    AvatarHashes(Result<Vec<(BareJid, String)>, Fault>),
    /// [`StoreOp::CachedPicture`].
    CachedPicture {
        /// Whose.
        jid: BareJid,
        /// The hash asked for.
        sha1: String,
        /// The picture, when cached and intact.
        png: Option<Arc<[u8]>>,
    },
}
