//! What the account core is told: commands, what the stream brought, timers, and the answers
//! of the effects it asked for.

use tokio_xmpp::parsers::jid::FullJid;
use tokio_xmpp::Stanza;

use crate::command::Command;
use crate::config::AccountConfig;
use crate::core::session::Malformed;
use crate::core::sm::Tracked;
use crate::secret::Secret;
use crate::xmpp::register::RegistrationForm;

use super::avatar::{PictureError, Prepared};
use super::effect::Fault;
use crate::core::register::RegisterError;

/// One thing for [`super::Account::handle`] to decide on.
#[derive(Debug)]
pub enum Input {
    /// A command from the window or the local API.
    Command(Command),
    /// A stanza read from the stream.
    Stanza(Box<Stanza>),
    /// A stanza that could not be parsed (the stream goes on).
    Malformed(Malformed),
    /// The server acknowledged these tracked messages (XEP-0198).
    Acked(Vec<Tracked>),
    /// A tracked message was written to a stream without stream management.
    Written(Tracked),
    /// The stream was silent for a while: check that the link is alive.
    Idle,
    /// The connection attempt `attempt` succeeded.
    Connected(Connected),
    /// The connection attempt `attempt` failed.
    ConnectFailed {
        /// Which attempt (a stale attempt's answer is ignored).
        attempt: u64,
        /// Why.
        failure: ConnectFailure,
    },
    /// The stream of the signed-in session broke.
    Disconnected {
        /// Why, in plain words.
        reason: String,
    },
    /// The time of the earliest deadline came (see [`super::Account::next_deadline`]).
    Tick,
    /// The registered applications changed on disk.
    AppsChanged(crate::apps::Registry),
    /// An effect's answer.
    Answer(Answer),
}

/// A signed-in stream.
#[derive(Debug)]
pub struct Connected {
    /// Which attempt.
    pub attempt: u64,
    /// The full JID the server bound (or the resumed one).
    pub jid: FullJid,
    /// The previous stream was resumed (XEP-0198): presence, roster and carbons still hold.
    pub resumed: bool,
    /// Stream management is on: messages count as sent when the server acknowledges them.
    pub stream_management: bool,
    /// Messages resent on the resumed stream and not yet acknowledged.
    pub in_flight: Vec<Tracked>,
}

/// Why a connection attempt failed, as far as deciding what next is concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectFailure {
    /// The server refused the credentials: final until the user signs in again.
    AuthFailed {
        /// What the server said.
        message: String,
    },
    /// The certificate is neither valid nor pinned: final until the user trusts it.
    CertificateRejected {
        /// Its SHA-256 fingerprint.
        fingerprint: String,
        /// Why it was refused.
        message: String,
    },
    /// Network trouble: try again later.
    Retryable {
        /// Why.
        reason: String,
    },
    /// Retrying cannot help (a bad configuration).
    Fatal {
        /// Why.
        message: String,
    },
}

/// The answer of an effect that reports back.
#[derive(Debug)]
pub enum Answer {
    /// A store operation's outcome.
    Store(super::effect::StoreAnswer),
    /// The password saved in the keyring for `jid` (`Ok(None)`: none saved).
    PasswordLoaded {
        /// The account.
        jid: String,
        /// The password, or why the keyring could not be read.
        result: Result<Option<Secret>, KeyringFault>,
    },
    /// Saving or forgetting the password failed.
    PasswordNotKept {
        /// Whether it was to be saved (or forgotten).
        remember: bool,
        /// Why.
        fault: KeyringFault,
    },
    /// Writing the account's settings file failed.
    AccountNotSaved(Fault),
    /// Writing the profile's settings failed (`Ok` means they were written).
    SettingsSaved {
        /// The settings as asked, or why they were not written.
        result: Result<crate::config::Settings, Fault>,
    },
    /// The server's registration form, or why it could not be had.
    RegistrationForm {
        /// The account it was asked for.
        account: AccountConfig,
        /// The form or the reason.
        result: Result<RegistrationForm, RegisterError>,
    },
    /// The account was created (or why not).
    Registered {
        /// The account.
        account: AccountConfig,
        /// Its password.
        password: Secret,
        /// Whether it worked.
        result: Result<(), RegisterError>,
    },
    /// A picture file was read and prepared (or why not).
    PicturePrepared {
        /// The picture, or why it cannot be used.
        result: Result<Prepared, PictureError>,
    },
    /// A Session Invite program was started (or why not).
    Launched {
        /// The session.
        session: String,
        /// Whether it started.
        result: Result<(), Fault>,
    },
    /// A download page could not be opened.
    PageNotOpened(Fault),
}

/// Why the keyring did not do what was asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyringFault {
    /// There is no keyring on this desktop.
    Unavailable,
    /// It refused.
    Failed(String),
}
