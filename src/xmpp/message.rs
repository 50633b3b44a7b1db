//! One-to-one chat: messages (XEP-0359 ids), receipts (XEP-0184), chat states (XEP-0085),
//! delayed delivery (XEP-0203) and carbons (XEP-0280).

use jid::{BareJid, Jid};
use minidom::Element;
use sha2::{Digest, Sha256};
use xmpp_parsers::carbons::{self, Enable};
use xmpp_parsers::chatstates::ChatState as WireChatState;
use xmpp_parsers::delay::Delay;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::message::{Id, Lang, Message, MessageType};
use xmpp_parsers::ns;
use xmpp_parsers::receipts::{Received as Receipt, Request as ReceiptRequest};
use xmpp_parsers::stanza_error::StanzaError;
use xmpp_parsers::stanza_id::{OriginId, StanzaId};

use super::{error, from_own_account, peer_key};
use crate::model::{ChatState, Direction};

/// Ids longer than this are treated as absent: real clients use UUIDs, and the id ends up as a
/// database key.
const MAX_ID_LEN: usize = 256;

/// XEP-0334 message processing hints.
const HINTS: &str = "urn:xmpp:hints";

/// What an incoming `<message>` means to Nudge. One stanza can carry several facts (a body and a
/// chat state, say).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MessageFact {
    /// A chat message, from the contact or (through carbons) from another of the user's devices.
    Chat {
        /// The contact the conversation is with.
        peer: BareJid,
        /// Who sent the stanza (a full JID for the contact's device, or the user's own).
        from: Jid,
        /// Stable id: origin-id, else stanza id, else server stanza-id, else a content hash.
        id: String,
        /// The id the user's server gave it (XEP-0359 stanza-id), for archive paging.
        server_id: Option<String>,
        /// The text.
        body: String,
        /// Which way it went.
        direction: Direction,
        /// When it was originally sent (XEP-0203), if it was delayed.
        timestamp_ms: Option<i64>,
        /// The sender asked for a receipt: send `build_receipt(from, receipt_id)`.
        receipt_id: Option<String>,
    },
    /// The contact's client confirmed it received one of the user's messages.
    Receipt {
        /// The contact.
        peer: BareJid,
        /// The id of the user's message.
        id: String,
    },
    /// The contact started or stopped typing.
    ChatState {
        /// The contact.
        peer: BareJid,
        /// The new state.
        state: ChatState,
    },
    /// One of the user's messages bounced.
    Failed {
        /// The conversation.
        peer: BareJid,
        /// The id of the user's message.
        id: String,
        /// Why, in plain words.
        reason: String,
    },
}

/// A chat message with a body, asking for a receipt and saying the user is active.
pub fn build_chat(to: &BareJid, id: &str, body: &str) -> Message {
    let mut message = Message::chat(Jid::from(to.clone()));
    message.id = Some(Id(id.to_owned()));
    message.bodies.insert(Lang::new(), body.to_owned());
    message
        .with_payload(OriginId { id: id.to_owned() })
        .with_payload(ReceiptRequest)
        .with_payload(WireChatState::Active)
}

/// A chat state notification (typing, paused...), which servers should not store offline.
pub fn build_chat_state(to: &BareJid, state: ChatState) -> Message {
    let mut message = Message::chat(Jid::from(to.clone())).with_payload(wire_state(state));
    message
        .payloads
        .push(Element::builder("no-store", HINTS).build());
    message
}

/// A delivery receipt for the message `id` received from `to`.
pub fn build_receipt(to: &Jid, id: &str) -> Message {
    Message::chat(to.clone()).with_payload(Receipt { id: id.to_owned() })
}

/// Asks the server to copy the account's chats to this device too (XEP-0280).
pub fn enable_carbons(id: &str) -> Iq {
    Iq::from_set(id, Enable)
}

/// Reads an incoming `<message>`. Group chat and headlines give nothing (not handled yet).
pub fn classify(message: Message, own: &BareJid) -> Vec<MessageFact> {
    match unwrap_carbon(message, own) {
        Some((origin, inner)) => read(&inner, own, origin),
        None => Vec::new(),
    }
}

/// Reads a message out of the user's archive (XEP-0313): a chat message with its body, sent
/// or received by the user, identified by `archive_id`. Receipts, typing and errors in the
/// archive are history and give nothing; neither does a message that is not the user's.
pub fn classify_archived(message: Message, own: &BareJid, archive_id: &str) -> Option<MessageFact> {
    let from_user = message.from.as_ref().is_some_and(|f| f.to_bare() == *own);
    let to_user = message.to.as_ref().is_some_and(|t| t.to_bare() == *own);
    if !(from_user || to_user) {
        return None;
    }
    let mut facts = read(&message, own, Origin::Archived);
    let fact = facts
        .drain(..)
        .find(|f| matches!(f, MessageFact::Chat { .. }))?;
    let MessageFact::Chat {
        peer,
        from,
        id,
        body,
        direction,
        timestamp_ms,
        ..
    } = fact
    else {
        return None;
    };
    Some(MessageFact::Chat {
        peer,
        from,
        id,
        server_id: usable_id(archive_id),
        body,
        direction,
        timestamp_ms,
        receipt_id: None,
    })
}

/// The message as this device should read it: itself when it came directly, else the message
/// inside a carbon (XEP-0280). `None` for a carbon that is forged (not sent by the user's own
/// account), malformed, or not about the user. Other extensions (Session Invite) reuse this so
/// every carbon passes the same checks.
pub(crate) fn unwrap_carbon(message: Message, own: &BareJid) -> Option<(Origin, Message)> {
    let carbon = message
        .payloads
        .iter()
        .find(|p| p.is("received", ns::CARBONS) || p.is("sent", ns::CARBONS));
    let Some(carbon) = carbon else {
        return Some((Origin::Direct, message));
    };
    // Anyone can wrap a forged message in a carbon; only the user's own account may send them.
    if !from_own_account(message.from.as_ref(), own) {
        return None;
    }
    let (origin, forwarded) = if carbon.is("sent", ns::CARBONS) {
        let sent = carbons::Sent::try_from(carbon.clone()).ok()?;
        (Origin::CarbonSent, sent.forwarded)
    } else {
        let received = carbons::Received::try_from(carbon.clone()).ok()?;
        (Origin::CarbonReceived, received.forwarded)
    };
    let mut inner = forwarded.message;
    if !carbon_addressed_to_own(&inner, own, origin) {
        return None;
    }
    // The forwarding delay says when the original was sent if the inner message does not.
    if let Some(delay) = forwarded.delay {
        if !inner.payloads.iter().any(|p| p.is("delay", ns::DELAY)) {
            inner.payloads.push(own_server_delay(delay, own).into());
        }
    }
    Some((origin, inner))
}

/// Whether a `<delay/>` was added by the user's own server or account.
fn delayed_by_own_side(from: Option<&Jid>, own: &BareJid) -> bool {
    from.is_some_and(|from| {
        from.to_bare() == *own
            || (from.node().is_none() && from.resource().is_none() && from.domain() == own.domain())
    })
}

/// The forwarding's `<delay/>`, said by the user's own server (a carbon or an archive result
/// comes from the user's account, so its wrapper is the server's word).
pub(crate) fn own_server_delay(mut delay: Delay, own: &BareJid) -> Delay {
    delay.from = Some(Jid::from(own.domain().to_owned()));
    delay
}

/// How a message reached this device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Addressed to this device (or the account).
    Direct,
    /// A copy of a message another of the user's devices received.
    CarbonReceived,
    /// A copy of a message another of the user's devices sent.
    CarbonSent,
    /// Out of the user's archive: sent by the user when it is from them, else received.
    Archived,
}

/// A carbon must be about the user: received by them, or sent by them.
fn carbon_addressed_to_own(inner: &Message, own: &BareJid, origin: Origin) -> bool {
    let bare_is_own = |jid: &Jid| jid.to_bare() == *own;
    match origin {
        Origin::CarbonReceived => inner.to.as_ref().is_some_and(bare_is_own),
        Origin::CarbonSent => inner.from.as_ref().is_none_or(bare_is_own),
        Origin::Direct | Origin::Archived => true,
    }
}

/// The payloads of a message that matter here, read once.
#[derive(Default)]
struct Payloads {
    origin_id: Option<String>,
    server_id: Option<String>,
    receipt_requested: bool,
    receipt: Option<String>,
    chat_state: Option<ChatState>,
    delay_ms: Option<i64>,
    error: Option<StanzaError>,
}

impl Payloads {
    /// Unknown or malformed payloads are skipped: one bad extension must not lose the message.
    fn read(message: &Message, own: &BareJid) -> Self {
        let mut found = Self::default();
        for payload in &message.payloads {
            if payload.is("origin-id", ns::SID) {
                found.origin_id = OriginId::try_from(payload.clone())
                    .ok()
                    .and_then(|o| usable_id(&o.id));
            } else if payload.is("stanza-id", ns::SID) {
                // Only the user's own server may name the archive id; others could forge it.
                if let Ok(sid) = StanzaId::try_from(payload.clone()) {
                    if sid.by == *own {
                        found.server_id = usable_id(&sid.id);
                    }
                }
            } else if payload.is("request", ns::RECEIPTS) {
                found.receipt_requested = true;
            } else if payload.is("received", ns::RECEIPTS) {
                found.receipt = Receipt::try_from(payload.clone())
                    .ok()
                    .and_then(|r| usable_id(&r.id));
            } else if payload.has_ns(ns::CHATSTATES) {
                found.chat_state = WireChatState::try_from(payload.clone())
                    .ok()
                    .map(model_state);
            } else if payload.is("delay", ns::DELAY) {
                // Only the user's server (offline storage, the archive) or account may say when a
                // message was sent; a sender's own stamp could date it anywhere.
                found.delay_ms = Delay::try_from(payload.clone())
                    .ok()
                    .filter(|d| delayed_by_own_side(d.from.as_ref(), own))
                    .map(|d| d.stamp.0.timestamp_millis());
            } else if payload.is("error", ns::DEFAULT_NS) {
                found.error = StanzaError::try_from(payload.clone()).ok();
            }
        }
        found
    }
}

/// Turns one (unwrapped) message into facts.
fn read(message: &Message, own: &BareJid, origin: Origin) -> Vec<MessageFact> {
    let payloads = Payloads::read(message, own);
    let stanza_id = message.id.as_ref().and_then(|id| usable_id(&id.0));
    match message.type_ {
        MessageType::Error if origin == Origin::Direct => {
            return failed(message, payloads, stanza_id).into_iter().collect()
        }
        MessageType::Chat | MessageType::Normal => {}
        MessageType::Error | MessageType::Groupchat | MessageType::Headline => return Vec::new(),
    }
    let own_jid = Jid::from(own.clone());
    let sent_by_user = origin == Origin::CarbonSent
        || (origin == Origin::Archived
            && message.from.as_ref().is_some_and(|f| f.to_bare() == *own));
    let (peer, direction) = if sent_by_user {
        match &message.to {
            Some(to) => (peer_key(to), Direction::Outgoing),
            None => return Vec::new(),
        }
    } else {
        (
            peer_key(message.from.as_ref().unwrap_or(&own_jid)),
            Direction::Incoming,
        )
    };
    let mut facts = Vec::new();
    let body = message.get_best_body(vec![]).map(|(_, body)| body.as_str());
    if let Some(body) = body.filter(|b| !b.is_empty()) {
        let from = message.from.clone().unwrap_or(own_jid);
        let id = payloads
            .origin_id
            .clone()
            .or_else(|| stanza_id.clone())
            .or_else(|| payloads.server_id.clone())
            .unwrap_or_else(|| content_hash(&from, body, payloads.delay_ms));
        // Only the device a message was addressed to acknowledges it, and only if it has an id.
        let receipt_id = stanza_id
            .clone()
            .filter(|_| origin == Origin::Direct && payloads.receipt_requested);
        facts.push(MessageFact::Chat {
            peer: peer.clone(),
            from,
            id,
            server_id: payloads.server_id.clone(),
            body: body.to_owned(),
            direction,
            timestamp_ms: payloads.delay_ms,
            receipt_id,
        });
    }
    // Receipts and typing sent by the user's other devices say nothing about the contact.
    if origin != Origin::CarbonSent {
        if let Some(id) = payloads.receipt {
            facts.push(MessageFact::Receipt {
                peer: peer.clone(),
                id,
            });
        }
        if let Some(state) = payloads.chat_state {
            facts.push(MessageFact::ChatState { peer, state });
        }
    }
    facts
}

/// A bounced message: which of the user's messages failed and why.
fn failed(message: &Message, payloads: Payloads, stanza_id: Option<String>) -> Option<MessageFact> {
    let peer = peer_key(message.from.as_ref()?);
    let id = stanza_id.or(payloads.origin_id)?;
    let reason = payloads
        .error
        .as_ref()
        .map(error::describe)
        .unwrap_or_else(|| "the message could not be delivered".to_owned());
    Some(MessageFact::Failed { peer, id, reason })
}

/// An id as sent, unless it is empty, huge or holds control characters.
fn usable_id(id: &str) -> Option<String> {
    let ok = !id.is_empty() && id.len() <= MAX_ID_LEN && !id.chars().any(char::is_control);
    ok.then(|| id.to_owned())
}

/// A stable id for a message that came without one, so a re-delivered copy is recognised.
fn content_hash(from: &Jid, body: &str, timestamp_ms: Option<i64>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(from.as_str().as_bytes());
    hasher.update([0]);
    hasher.update(timestamp_ms.map(|t| t.to_string()).unwrap_or_default());
    hasher.update([0]);
    hasher.update(body.as_bytes());
    let digest = hasher.finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("hash-{hex}")
}

/// The wire element for a chat state.
fn wire_state(state: ChatState) -> WireChatState {
    match state {
        ChatState::Active => WireChatState::Active,
        ChatState::Composing => WireChatState::Composing,
        ChatState::Paused => WireChatState::Paused,
        ChatState::Inactive => WireChatState::Inactive,
        ChatState::Gone => WireChatState::Gone,
    }
}

/// The model's chat state for a wire element.
fn model_state(state: WireChatState) -> ChatState {
    match state {
        WireChatState::Active => ChatState::Active,
        WireChatState::Composing => ChatState::Composing,
        WireChatState::Paused => ChatState::Paused,
        WireChatState::Inactive => ChatState::Inactive,
        WireChatState::Gone => ChatState::Gone,
    }
}
