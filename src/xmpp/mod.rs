//! The XMPP protocol layer: pure functions from typed stanzas to Nudge's model and builders back.
//!
//! Nothing here touches a socket or awaits. The session (in `core`) moves stanzas and calls these
//! functions; each module owns one concern:
//! - [`message`]: one-to-one chat, receipts, chat states, carbons;
//! - [`roster`]: the contact list (RFC 6121);
//! - [`presence`]: availability and subscriptions;
//! - [`register`]: in-band account creation (XEP-0077);
//! - [`invite`]: Session Invite (XEP-0353 ringing, then a Jingle session for the application);
//! - [`iq`]: pings, service discovery and the mandatory answer to every request;
//! - [`avatar`]: display pictures (XEP-0084 over PEP);
//! - [`address`]: turning what the user typed into a JID;
//! - [`error`]: stanza errors in plain words.

pub mod address;
pub mod attention;
pub mod avatar;
pub mod blocking;
pub mod caps;
pub mod error;
pub mod invite;
pub mod iq;
pub mod mam;
pub mod message;
pub mod nick;
pub mod presence;
pub mod register;
pub mod roster;
pub mod uri;

#[cfg(test)]
mod tests;

use jid::{BareJid, Jid};

pub use address::{parse_bare, AddressError};
pub use message::MessageFact;
pub use presence::{PresenceFact, SubscriptionKind};
pub use register::{RegistrationError, RegistrationField, RegistrationForm};
pub use roster::{RosterChange, RosterPush};

/// What went wrong reading a stanza, in words the user can be shown.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// A roster change came from someone other than the user's own account (RFC 6121 §2.1.6).
    #[error(
        "a contact list change from {from} was ignored because it did not come from your server"
    )]
    ForeignRosterPush {
        /// Who sent it.
        from: String,
    },
    /// The stanza is not of the kind the function reads (the caller routed it wrongly).
    #[error("the server sent {found} where Nudge expected {expected}")]
    Unexpected {
        /// What was expected, in words.
        expected: &'static str,
        /// What came instead, in words.
        found: &'static str,
    },
    /// The stanza is of the right kind but its content does not follow the protocol.
    #[error("the server sent {what} that Nudge could not read")]
    Malformed {
        /// What could not be read, in words.
        what: &'static str,
    },
    /// The server answered a request with an error.
    #[error("the server refused: {reason}")]
    Refused {
        /// Why, in plain words (see [`error::describe`]).
        reason: String,
    },
}

/// A fresh random stanza id (UUID v4), for callers that do not keep their own.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The bare JID of `jid`: the key the rest of Nudge knows a person by (the jid crate has already
/// normalised it, e.g. lower-cased).
pub(crate) fn peer_key(jid: &Jid) -> BareJid {
    jid.to_bare()
}

/// Whether a stanza comes from the user's own account: no `from` (the server speaking for the
/// account) or exactly the user's bare JID. Roster pushes and carbons are trusted only then.
pub(crate) fn from_own_account(from: Option<&Jid>, own: &BareJid) -> bool {
    from.is_none_or(|from| from == own)
}

/// Text from the network, cut to `max` characters and freed of control characters, so a hostile
/// peer cannot flood the UI or smuggle terminal escapes into logs.
pub(crate) fn clip(text: &str, max: usize) -> String {
    text.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .take(max)
        .collect()
}
