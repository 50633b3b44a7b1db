//! `Problem`: what went wrong that the user should know about, as data.
//!
//! The core reports problems typed, with the facts that matter (whose message, which address,
//! what the server said); the sentences people read are written once, in `ui::words::problem`,
//! and the local API sends the same `code` and text.

use serde::{Deserialize, Serialize};

use crate::invite::SessionError;
use crate::model::BareJid;

/// Something went wrong; nothing was lost unless the problem says so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Problem {
    /// What was asked needs a connection and the account is not signed in.
    NotSignedIn {
        /// What the user tried.
        action: OfflineAction,
    },
    /// An address typed or sent is not a valid bare JID.
    InvalidAddress {
        /// The text given (shortened by the core when it came from the network).
        address: String,
        /// What is wrong with it.
        detail: String,
    },
    /// A message could not be queued: it was not sent.
    MessageNotSent {
        /// The conversation.
        to: BareJid,
        /// Why.
        detail: String,
        /// The text, so the window can put it back in the composer.
        text: String,
    },
    /// A received message could not be written to history (it is still shown).
    MessageNotSaved {
        /// Why the store failed.
        detail: String,
    },
    /// Messages fetched from the server's archive could not be saved; they come again next time.
    ArchiveNotSaved {
        /// Why the store failed.
        detail: String,
    },
    /// Stored history (or the outbox) could not be read.
    HistoryUnreadable {
        /// Why the store failed.
        detail: String,
    },
    /// A message from the network could not be read and was skipped.
    UnreadableMessage {
        /// The sender's address, printable and short.
        from: String,
        /// What the parser said.
        detail: String,
    },
    /// The contact list could not be loaded.
    RosterUnavailable {
        /// Why.
        detail: String,
    },
    /// The server refused a change to the contact list.
    ContactChangeRefused {
        /// The contact.
        jid: BareJid,
        /// What the server said.
        reason: String,
    },
    /// The server refused to block or unblock an address.
    BlockChangeRefused {
        /// The address.
        jid: BareJid,
        /// What the server said.
        reason: String,
    },
    /// The display name could not be published.
    NicknameRefused {
        /// What the server said.
        reason: String,
    },
    /// The chosen picture cannot be the display picture (unreadable, too large...).
    PictureRefused {
        /// Why.
        detail: String,
    },
    /// The server refused to publish the display picture.
    PictureNotPublished {
        /// What the server said.
        reason: String,
    },
    /// The server refused to remove the display picture.
    PictureNotRemoved {
        /// What the server said.
        reason: String,
    },
    /// Nudges are rate-limited; this one was not sent.
    NudgeTooSoon {
        /// The contact.
        jid: BareJid,
        /// The interval, in seconds.
        seconds: i64,
    },
    /// Creating an account was asked while signed in.
    SignOutToRegister,
    /// The password could not be saved: there is no keyring on this desktop.
    NoKeyring,
    /// The keyring refused to read, save or forget the password.
    KeyringFailed {
        /// What it said.
        detail: String,
    },
    /// The account's settings file could not be written.
    AccountNotSaved {
        /// Why.
        detail: String,
    },
    /// The settings could not be read (defaults are used) or written (nothing changed).
    SettingsNotSaved {
        /// Why.
        detail: String,
    },
    /// The settings file could not be read; defaults are used.
    SettingsUnreadable {
        /// Why.
        detail: String,
    },
    /// Changes to the registered programs folder will not be noticed.
    AppsNotWatched {
        /// Why.
        detail: String,
    },
    /// A Session Invite operation failed before a session existed.
    Invitation {
        /// The session error.
        error: SessionError,
    },
    /// The session id given for a new invitation was already used.
    SessionReused,
    /// A registered program could not be started.
    ProgramNotStarted {
        /// Why.
        detail: String,
    },
    /// A web page (a download page) could not be opened.
    PageNotOpened {
        /// Why.
        detail: String,
    },
}

/// What the user tried while not signed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfflineAction {
    /// Sending a nudge, blocking or unblocking.
    Contact,
    /// Adding, removing, renaming or approving contacts.
    ChangeContacts,
    /// Changing the display picture.
    ChangePicture,
    /// Changing the display name.
    ChangeName,
    /// Answering or sending an invitation.
    Invitation,
}
