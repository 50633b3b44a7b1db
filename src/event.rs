//! `Event`: facts the core reports to the UI and the local API. Past tense, one line each.

use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::invite::{InviteSession, SessionEvent};
use crate::model::{
    AppInfo, Availability, Avatar, BareJid, ChatMessage, ChatState, ConnectionState, Contact,
    Delivery,
};

/// Something that happened in the core.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The connection changed state (connecting, online, reconnecting, failed...).
    ConnectionChanged {
        /// The new state.
        state: ConnectionState,
    },
    /// The account was created on the server (XEP-0077).
    AccountRegistered {
        /// The new account.
        jid: BareJid,
    },
    /// Creating the account failed.
    RegistrationFailed {
        /// Why, in plain words.
        message: String,
    },
    /// The user's own presence changed (as sent to contacts).
    OwnPresenceChanged {
        /// The availability now shown.
        availability: Availability,
        /// The status message now shown.
        status: Option<String>,
    },
    /// The whole roster arrived (replaces what was known).
    RosterReceived {
        /// Every contact.
        contacts: Vec<Contact>,
    },
    /// A contact was added or changed.
    ContactUpdated {
        /// The contact as it is now.
        contact: Contact,
    },
    /// A contact was removed from the roster.
    ContactRemoved {
        /// Who.
        jid: BareJid,
    },
    /// One of a contact's resources changed presence.
    PresenceChanged {
        /// The contact.
        jid: BareJid,
        /// The resource (device).
        resource: String,
        /// Its availability (`Offline` when it left).
        availability: Availability,
        /// Its status message.
        status: Option<String>,
        /// Its priority.
        priority: i8,
    },
    /// Someone asked to see the user's presence; the user should approve or deny.
    SubscriptionRequested {
        /// Who asked.
        jid: BareJid,
    },
    /// A message arrived, or one the user sent from another device was copied here (carbons).
    MessageReceived {
        /// The message.
        message: ChatMessage,
    },
    /// An outgoing message was accepted into the outbox.
    MessageQueued {
        /// The message, with `Delivery::Pending`.
        message: ChatMessage,
    },
    /// An outgoing message moved on (sent, delivered, failed).
    DeliveryChanged {
        /// The conversation.
        peer: BareJid,
        /// The message's id.
        id: String,
        /// The new state.
        delivery: Delivery,
    },
    /// A contact started or stopped typing.
    ChatStateChanged {
        /// The contact.
        jid: BareJid,
        /// The new chat state.
        state: ChatState,
    },
    /// A contact sent a nudge (XEP-0224 attention).
    NudgeReceived {
        /// The contact.
        jid: BareJid,
    },
    /// The addresses the user blocked (XEP-0191), whole, sorted.
    BlockListChanged {
        /// Blocked addresses: people (bare), whole servers (a domain) or single devices (full),
        /// as the server lists them.
        jids: Vec<jid::Jid>,
    },
    /// Stored history of a conversation, oldest first.
    HistoryLoaded {
        /// The contact.
        peer: BareJid,
        /// The messages, oldest first.
        messages: Vec<ChatMessage>,
    },
    /// A Session Invite session was created or changed (the whole session as it is now).
    SessionUpdated {
        /// The session.
        session: InviteSession,
    },
    /// Something happened to a session (BeforeAppLaunch, OnAccepted, ... OnTermination).
    SessionEvent {
        /// The session's id.
        session: String,
        /// What happened (its `kind` and details sit beside `session` in JSON).
        #[serde(flatten)]
        detail: SessionEvent,
    },
    /// The profile's settings, at start and after every change.
    SettingsChanged {
        /// All settings.
        settings: Settings,
    },
    /// A contact's device told which Session Invite applications it can launch.
    ContactAppsKnown {
        /// The contact.
        jid: BareJid,
        /// The device.
        resource: String,
        /// GUIDs of the applications it has.
        apps: Vec<String>,
    },
    /// The registered applications changed (OnAppRegistered / OnAppUnRegistered).
    AppsChanged {
        /// Every registered application, sorted by name.
        apps: Vec<AppInfo>,
    },
    /// What the server wants to create the account `jid` (answers `FetchRegistrationForm`).
    RegistrationForm {
        /// The account the form is for.
        jid: BareJid,
        /// The server's form.
        form: crate::xmpp::register::RegistrationForm,
    },
    /// Catching up with the server's message archive after signing in is done.
    HistorySynced {
        /// How many messages were new to this device (shown with `HistoryLoaded`).
        new_messages: usize,
    },
    /// The user clicked a desktop notification: the window opens what it was about.
    NotificationClicked {
        /// What the notification was about.
        target: crate::model::NotificationTarget,
    },
    /// Someone's display picture is known or changed, the user's own included (`None`: none).
    AvatarChanged {
        /// Whose picture it is.
        jid: BareJid,
        /// The picture, or `None` once it was removed.
        avatar: Option<Avatar>,
    },
    /// Someone's display name (XEP-0172) is known or changed, the user's own included.
    NicknameChanged {
        /// Whose name it is.
        jid: BareJid,
        /// The name, or `None` once it was cleared.
        nick: Option<String>,
    },
    /// The user read the conversation with `peer` (on this device): nothing in it is unread.
    ConversationRead {
        /// The contact.
        peer: BareJid,
    },
    /// Something asked for the window (a second `nudge`, an `xmpp:` link): it comes to the
    /// front and follows the link, if there is one.
    OpenRequested {
        /// The link to follow.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        link: Option<crate::xmpp::uri::XmppUri>,
    },
    /// Something went wrong that the user should know about (its `code` and details sit
    /// beside `event` in JSON; the local API adds the `message` in words).
    Problem {
        /// What happened.
        #[serde(flatten)]
        problem: crate::problem::Problem,
    },
}
