//! Plain data shared by the core, the UI and the local API: contacts, presence, messages.
//!
//! Everything here is serialisable because the local API sends it as JSON (see `docs/api.md`).

use serde::{Deserialize, Serialize};

pub use jid::{BareJid, FullJid};

/// A bare JID written in a test, e.g. `bare("bob@example.org")`.
#[cfg(test)]
pub(crate) fn bare(text: &str) -> BareJid {
    BareJid::new(text).expect("a bare JID in a test")
}

/// A full JID written in a test, e.g. `full("bob@example.org/phone")`.
#[cfg(test)]
pub(crate) fn full(text: &str) -> FullJid {
    FullJid::new(text).expect("a full JID in a test")
}

/// How available someone is, as shown in the contact list.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    /// Online and available.
    Online,
    /// Busy / do not disturb (XMPP `dnd`).
    Busy,
    /// Away or be right back (XMPP `away` and `xa`).
    Away,
    /// Connected but shown as offline to contacts (own presence only).
    AppearOffline,
    /// Not connected.
    #[default]
    Offline,
}

impl Availability {
    /// Words for the user.
    pub fn label(self) -> &'static str {
        match self {
            Self::Online => "Online",
            Self::Busy => "Busy",
            Self::Away => "Away",
            Self::AppearOffline => "Appear offline",
            Self::Offline => "Offline",
        }
    }

    /// Parses the names used on the command line and in the API (`online`, `away`, `busy`,
    /// `appear_offline`/`invisible`, `offline`).
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().replace('-', "_").as_str() {
            "online" | "available" => Some(Self::Online),
            "away" | "brb" | "xa" => Some(Self::Away),
            "busy" | "dnd" => Some(Self::Busy),
            "appear_offline" | "invisible" => Some(Self::AppearOffline),
            "offline" => Some(Self::Offline),
            _ => None,
        }
    }
}

/// The presence subscription between the user and a contact (RFC 6121 §2.1.2.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Subscription {
    /// Neither side sees the other's presence.
    #[default]
    None,
    /// The user sees the contact's presence.
    To,
    /// The contact sees the user's presence.
    From,
    /// Mutual: the contact is trusted.
    Both,
}

/// A roster item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Who.
    pub jid: BareJid,
    /// The name the user gave the contact, if any.
    pub name: Option<String>,
    /// Roster groups, sorted.
    pub groups: Vec<String>,
    /// Subscription state.
    pub subscription: Subscription,
    /// The user asked to see the contact's presence and awaits an answer.
    pub pending_out: bool,
}

impl Contact {
    /// A contact with a name and a mutual subscription, for tests.
    #[cfg(test)]
    pub(crate) fn mutual(jid: &str, name: &str) -> Self {
        Self {
            jid: bare(jid),
            name: Some(name.into()),
            groups: vec![],
            subscription: Subscription::Both,
            pending_out: false,
        }
    }

    /// Mutual presence subscription is what makes a contact trusted (DESIGN.md).
    pub fn is_trusted(&self) -> bool {
        self.subscription == Subscription::Both
    }

    /// The name to show: the roster name, else the JID.
    pub fn display_name(&self) -> &str {
        self.name
            .as_deref()
            .filter(|n| !n.is_empty())
            .unwrap_or(self.jid.as_str())
    }
}

/// The presence of one of a contact's resources (devices).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourcePresence {
    /// The resource part of the full JID.
    pub resource: String,
    /// How available that device is.
    pub availability: Availability,
    /// The status message, if any.
    pub status: Option<String>,
    /// XMPP priority, used to pick the presence shown for the contact.
    pub priority: i8,
}

/// Which way a message went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the contact to the user.
    Incoming,
    /// From the user (this device or another of theirs) to the contact.
    Outgoing,
}

/// Where an outgoing message is on its way to the contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Delivery {
    /// Waiting in the outbox to be sent.
    Pending,
    /// The server acknowledged it (XEP-0198).
    Sent,
    /// The contact's client confirmed receipt (XEP-0184).
    Delivered,
    /// It could not be delivered; the reason is for the user.
    Failed {
        /// What went wrong, in plain words.
        reason: String,
    },
    /// An incoming message.
    Received,
}

/// One chat message in a one-to-one conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Stable id: the XEP-0359 origin-id (or stanza id) the sender chose.
    pub id: String,
    /// The contact the conversation is with.
    pub peer: BareJid,
    /// Which way it went.
    pub direction: Direction,
    /// The text.
    pub body: String,
    /// Milliseconds since the Unix epoch.
    pub timestamp_ms: i64,
    /// Delivery state (outgoing) or `Received` (incoming).
    pub delivery: Delivery,
}

/// XEP-0085 chat states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatState {
    /// Paying attention to the conversation.
    Active,
    /// Typing.
    Composing,
    /// Stopped typing for a moment.
    Paused,
    /// Not paying attention.
    Inactive,
    /// Left the conversation.
    Gone,
}

/// Where the connection of the account is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum ConnectionState {
    /// Not connected and not trying.
    #[default]
    Offline,
    /// Connecting, negotiating TLS or authenticating.
    Connecting,
    /// Signed in.
    Online {
        /// The full JID the server bound.
        jid: FullJid,
    },
    /// The link was lost; the next attempt is scheduled.
    Reconnecting {
        /// When the next attempt starts, in milliseconds since the Unix epoch.
        next_attempt_ms: i64,
        /// How many attempts failed in a row.
        attempt: u32,
        /// Why the last attempt failed, in plain words.
        reason: String,
    },
    /// The server refused the password. Final: no retry until the user signs in again.
    AuthFailed {
        /// What the server said, in plain words.
        message: String,
    },
    /// The server's certificate is neither valid nor pinned. Final until the user trusts it.
    CertificateRejected {
        /// SHA-256 fingerprint of the certificate, as `AB:CD:...`.
        fingerprint: String,
        /// Why verification failed, in plain words.
        message: String,
    },
    /// Connecting failed in a way retrying cannot fix (for example a bad configuration).
    Failed {
        /// What went wrong, in plain words.
        message: String,
    },
}

impl ConnectionState {
    /// Whether the account is signed in.
    pub fn is_online(&self) -> bool {
        matches!(self, Self::Online { .. })
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The bare part (`user@domain`) of a JID string, lower-cased where XMPP compares without case.
pub fn bare_jid(jid: &str) -> String {
    let bare = jid.split('/').next().unwrap_or(jid);
    match bare.split_once('@') {
        Some((node, domain)) => format!("{}@{}", node.to_lowercase(), domain.to_lowercase()),
        None => bare.to_lowercase(),
    }
}

/// A sound the window asks the core to play (the files are in `assets/sounds/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sound {
    /// A message arrived.
    NewMessage,
    /// A contact came online.
    ContactOnline,
    /// A contact sent a nudge.
    Nudge,
}

/// A registered Session Invite application, as shown in Invite menus (never its key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppInfo {
    /// `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`.
    pub guid: String,
    /// The name shown in menus.
    pub name: String,
    /// Where to get it (https).
    pub download_url: String,
    /// Whether the program exists and can be run.
    pub installed: bool,
}

/// What a desktop notification is about: what clicking it opens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NotificationTarget {
    /// The conversation with a contact.
    Conversation {
        /// The contact.
        jid: BareJid,
    },
    /// The dialog of a Session Invite invitation.
    Invitation {
        /// The session's id.
        session: String,
    },
}

/// A display picture (XEP-0084): a PNG named by its SHA-1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Avatar {
    /// SHA-1 of the PNG, 40 lowercase hex digits; it names the picture everywhere (cache file,
    /// PEP item, the window's texture), so the same picture is never loaded twice.
    pub sha1: String,
    /// The PNG; base64 in JSON. Shared, so copies of events and state do not copy the image.
    #[serde(with = "png_base64")]
    pub png: std::sync::Arc<[u8]>,
}

/// A display picture that comes with Nudge (drawn by `scripts/make-assets`, in `assets/avatars/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltinPicture {
    /// Its name in [`crate::command::Command::SetBuiltinAvatar`].
    pub name: &'static str,
    /// What it shows, in words (its accessible label).
    pub label: &'static str,
    /// The 96×96 PNG.
    pub png: &'static [u8],
}

/// The pictures offered in "Change display picture", in the dialog's order.
pub const BUILTIN_PICTURES: [BuiltinPicture; 6] = [
    builtin(
        "beach",
        "Beach",
        include_bytes!("../assets/avatars/beach.png"),
    ),
    builtin(
        "flower",
        "Flower",
        include_bytes!("../assets/avatars/flower.png"),
    ),
    builtin(
        "planet",
        "Planet",
        include_bytes!("../assets/avatars/planet.png"),
    ),
    builtin(
        "kitten",
        "Kitten",
        include_bytes!("../assets/avatars/kitten.png"),
    ),
    builtin(
        "smiley",
        "Smiley",
        include_bytes!("../assets/avatars/smiley.png"),
    ),
    builtin(
        "mountains",
        "Mountains",
        include_bytes!("../assets/avatars/mountains.png"),
    ),
];

/// The picture shown for someone who has none (a person's outline, as Messenger showed).
pub const DEFAULT_PICTURE: &[u8] = include_bytes!("../assets/avatars/default.png");

const fn builtin(name: &'static str, label: &'static str, png: &'static [u8]) -> BuiltinPicture {
    BuiltinPicture { name, label, png }
}

/// The built-in picture called `name`.
pub fn builtin_picture(name: &str) -> Option<&'static BuiltinPicture> {
    BUILTIN_PICTURES.iter().find(|p| p.name == name)
}

/// Serde for picture bytes as standard base64 text.
mod png_base64 {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(png: &std::sync::Arc<[u8]>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(png))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<std::sync::Arc<[u8]>, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map(Into::into)
            .map_err(serde::de::Error::custom)
    }
}
