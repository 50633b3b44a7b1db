//! `Command`: what the UI (or the local API) asks the core to do. Imperative, one line each.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::{AccountConfig, Settings};
use crate::invite::Origin;
use crate::model::{Availability, BareJid, ChatState, Sound};

/// A request from the UI or the local API to the core.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Sign in with this account and password (saved config is replaced by `account`).
    SignIn {
        /// Where and as whom to connect.
        account: AccountConfig,
        /// The password; kept only in the OS keyring, and only when `remember_password`.
        password: crate::secret::Secret,
        /// Save the password in the OS keyring (or forget a saved one when false).
        remember_password: bool,
    },
    /// Disconnect cleanly and stay offline.
    SignOut,
    /// Create the account on its server (XEP-0077), then sign in with it.
    RegisterAccount {
        /// Where and as whom to register.
        account: AccountConfig,
        /// The password for the new account.
        password: crate::secret::Secret,
        /// What else the server's registration form asks, by field name (`email`...); the
        /// user name and password come from `account` and `password`.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        fields: BTreeMap<String, String>,
    },
    /// Change the user's presence and status message.
    SetPresence {
        /// Online, away, busy, appear offline or offline.
        availability: Availability,
        /// The status message; `None` clears it.
        status: Option<String>,
    },
    /// Send a chat message; it waits in the outbox while offline.
    SendMessage {
        /// The message id (XEP-0359 origin-id) chosen by the sender, e.g. [`new_message_id`].
        id: String,
        /// The contact.
        to: BareJid,
        /// The text.
        body: String,
    },
    /// Tell a contact whether the user is typing (XEP-0085).
    SendChatState {
        /// The contact.
        to: BareJid,
        /// The state to send.
        state: ChatState,
    },
    /// Add a contact to the roster and ask to see their presence.
    AddContact {
        /// Who.
        jid: BareJid,
        /// Optional display name.
        name: Option<String>,
        /// Roster groups.
        groups: Vec<String>,
    },
    /// Remove a contact from the roster (which also cancels subscriptions).
    RemoveContact {
        /// Who.
        jid: BareJid,
    },
    /// Rename a contact and/or move it between groups.
    UpdateContact {
        /// Who.
        jid: BareJid,
        /// New display name (`None` clears it).
        name: Option<String>,
        /// New groups.
        groups: Vec<String>,
    },
    /// Allow a contact who asked to see the user's presence (and ask back, for mutual trust).
    ApproveSubscription {
        /// Who.
        jid: BareJid,
    },
    /// Refuse a contact's request to see the user's presence.
    DenySubscription {
        /// Who.
        jid: BareJid,
    },
    /// Load the stored history of a conversation (newest `limit` messages).
    LoadHistory {
        /// The contact.
        peer: BareJid,
        /// How many messages at most.
        limit: usize,
    },
    /// Invite a contact to a registered application: a new Session Invite session.
    Invite {
        /// The new session's id, chosen by the caller (see [`new_message_id`]).
        session: String,
        /// The contact.
        to: BareJid,
        /// GUID of a registered application.
        app_guid: String,
        /// Context data for the application (at most `invite::MAX_CONTEXT_BYTES`).
        context: Option<String>,
        /// This side's application address, if it has one already.
        local_address: Option<String>,
        /// The Invite menu (Nudge launches this side's app too) or an application.
        origin: Origin,
    },
    /// Accept an invitation: launch the application, or show where to get it.
    AcceptInvitation {
        /// The session.
        session: String,
    },
    /// Decline an invitation.
    DeclineInvitation {
        /// The session.
        session: String,
    },
    /// Withdraw an invitation that is still ringing.
    CancelInvitation {
        /// The session.
        session: String,
    },
    /// Send context data to the other side of a session.
    SendContextData {
        /// The session.
        session: String,
        /// The data (at most `invite::MAX_CONTEXT_BYTES`).
        data: String,
    },
    /// Set this side's application address.
    SetLocalAddress {
        /// The session.
        session: String,
        /// The address, e.g. `192.0.2.1:4000`.
        address: String,
    },
    /// End a running session.
    EndSession {
        /// The session.
        session: String,
    },
    /// Send a contact a nudge (XEP-0224 attention): their conversation window shakes.
    SendNudge {
        /// The contact.
        to: BareJid,
    },
    /// Block an address (XEP-0191): nothing from it reaches the user any more.
    BlockContact {
        /// Who.
        jid: BareJid,
    },
    /// Unblock an address.
    UnblockContact {
        /// Who.
        jid: BareJid,
    },
    /// Show a desktop notification (the window decides when, e.g. while it is not focused).
    ShowNotification {
        /// The title.
        title: String,
        /// The text.
        body: String,
        /// What it is about: a click on it opens that (`Event::NotificationClicked`). Absent
        /// for a summary of several things.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<crate::model::NotificationTarget>,
    },
    /// Save the profile's settings (invitation policy, notifications, looks...).
    SaveSettings {
        /// All settings as they should be now.
        settings: Settings,
    },
    /// Play a sound (the window decides when, from the settings and what happened).
    PlaySound {
        /// Which sound.
        sound: Sound,
    },
    /// Ask the account's server what it wants to create an account (XEP-0077): answered by
    /// `RegistrationForm` or `RegistrationFailed`.
    FetchRegistrationForm {
        /// Where and as whom to register.
        account: AccountConfig,
    },
    /// Use the picture in this file (PNG, JPEG, GIF or WebP) as the display picture: the core
    /// crops it square, scales it to 96×96 and publishes it to contacts (XEP-0084).
    SetAvatar {
        /// The file's path.
        path: String,
    },
    /// Use one of Nudge's own pictures (a `model::BUILTIN_PICTURES` name) as the display picture.
    SetBuiltinAvatar {
        /// Its name, e.g. `beach`.
        name: String,
    },
    /// Remove the display picture (contacts see the default picture).
    ClearAvatar,
    /// Publish the user's display name to their contacts (XEP-0172); `None` clears it (they
    /// see the address, or the name they gave the user).
    SetNickname {
        /// The name, one line (cut to 64 characters).
        nick: Option<String>,
    },
    /// The user has seen the conversation with `peer`: its unread messages are read.
    MarkRead {
        /// The contact.
        peer: BareJid,
    },
    /// Bring the window to the front and, with a link, do what it asks (an `xmpp:` link opened
    /// from the desktop or handed over by a second `nudge`). Nothing is sent: the window fills
    /// in what the link says and the user decides.
    Open {
        /// The link to follow, if any.
        link: Option<crate::xmpp::uri::XmppUri>,
    },
    /// Stop the core: sign out and end its tasks.
    Shutdown,
}

/// A fresh, unique message id for [`Command::SendMessage`].
pub fn new_message_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
