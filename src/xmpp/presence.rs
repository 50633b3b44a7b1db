//! Presence (RFC 6121 §3–4): the user's own availability, contacts' availability and the
//! subscription handshake.

use jid::{BareJid, Jid};
use xmpp_parsers::ns;
use xmpp_parsers::presence::{Presence, Show, Type};

use super::{clip, peer_key};
use crate::model::Availability;

/// Longest status message kept from the network.
const MAX_STATUS: usize = 1000;

/// What an incoming `<presence>` means to Nudge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PresenceFact {
    /// One of a contact's devices (or the user's own other devices) changed availability.
    Availability {
        /// Who.
        jid: BareJid,
        /// The device's resource; empty when the presence came from a bare JID.
        resource: String,
        /// How available it is (`Offline` when it left or errored).
        availability: Availability,
        /// Its status message.
        status: Option<String>,
        /// Its priority.
        priority: i8,
    },
    /// Someone asks to see the user's presence.
    SubscribeRequest {
        /// Who asks.
        jid: BareJid,
    },
    /// The contact accepted the user's request to see their presence.
    Subscribed {
        /// Who.
        jid: BareJid,
    },
    /// The contact refused or revoked the user's view of their presence.
    Unsubscribed {
        /// Who.
        jid: BareJid,
    },
}

/// The subscription presences the user can send (RFC 6121 §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubscriptionKind {
    /// Ask to see the contact's presence.
    Subscribe,
    /// Let the contact see the user's presence.
    Subscribed,
    /// Stop seeing the contact's presence.
    Unsubscribe,
    /// Refuse or revoke the contact's view of the user's presence.
    Unsubscribed,
}

/// The user's own broadcast presence.
///
/// `AppearOffline` sends plain unavailable presence: contacts see the user offline. The server
/// then treats this device as unavailable too, so messages to the bare JID may go to offline
/// storage until the user becomes visible again.
pub fn build_own(availability: Availability, status: Option<&str>, priority: i8) -> Presence {
    let mut presence = match availability {
        Availability::Online => Presence::available().with_priority(priority),
        Availability::Away => Presence::available()
            .with_show(Show::Away)
            .with_priority(priority),
        Availability::Busy => Presence::available()
            .with_show(Show::Dnd)
            .with_priority(priority),
        Availability::AppearOffline | Availability::Offline => Presence::unavailable(),
    };
    if let Some(status) = status.filter(|s| !s.is_empty()) {
        presence.set_status("", status);
    }
    presence
}

/// A subscription request or answer to `to`.
pub fn build_subscription(to: &BareJid, kind: SubscriptionKind) -> Presence {
    let type_ = match kind {
        SubscriptionKind::Subscribe => Type::Subscribe,
        SubscriptionKind::Subscribed => Type::Subscribed,
        SubscriptionKind::Unsubscribe => Type::Unsubscribe,
        SubscriptionKind::Unsubscribed => Type::Unsubscribed,
    };
    Presence::new(type_).with_to(Jid::from(to.clone()))
}

/// Reads an incoming `<presence>`. Probes, `unsubscribe` (a roster push follows), group chat
/// presence and presence without a sender give nothing.
pub fn classify(presence: Presence, own: &BareJid) -> Option<PresenceFact> {
    let from = presence.from.as_ref()?;
    let jid = peer_key(from);
    let from_self = from.to_bare() == *own;
    match presence.type_ {
        Type::None | Type::Unavailable | Type::Error => {
            // Group chat occupants are not contacts; the MUC layer reads these.
            if presence.payloads.iter().any(|p| p.has_ns(ns::MUC_USER)) {
                return None;
            }
            Some(availability_fact(&presence, from, jid))
        }
        // The user's own account never needs to ask itself for permission.
        Type::Subscribe if !from_self => Some(PresenceFact::SubscribeRequest { jid }),
        Type::Subscribed if !from_self => Some(PresenceFact::Subscribed { jid }),
        Type::Unsubscribed if !from_self => Some(PresenceFact::Unsubscribed { jid }),
        Type::Subscribe
        | Type::Subscribed
        | Type::Unsubscribed
        | Type::Unsubscribe
        | Type::Probe => None,
    }
}

/// Availability of one device.
fn availability_fact(presence: &Presence, from: &Jid, jid: BareJid) -> PresenceFact {
    let availability = match (&presence.type_, &presence.show) {
        (Type::Unavailable | Type::Error, _) => Availability::Offline,
        (_, None | Some(Show::Chat)) => Availability::Online,
        (_, Some(Show::Away | Show::Xa)) => Availability::Away,
        (_, Some(Show::Dnd)) => Availability::Busy,
    };
    let status = ["en", ""]
        .iter()
        .find_map(|lang| presence.statuses.get(*lang))
        .or_else(|| presence.statuses.values().next())
        .map(|s| clip(s.trim(), MAX_STATUS))
        .filter(|s| !s.is_empty());
    PresenceFact::Availability {
        jid,
        resource: from.resource().map(|r| r.to_string()).unwrap_or_default(),
        availability,
        status,
        priority: presence.priority.0,
    }
}
