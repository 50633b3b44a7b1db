//! XEP-0224 attention: a "nudge" that shakes the contact's conversation window.

use std::collections::HashMap;

use tokio_xmpp::parsers::attention::Attention;
use tokio_xmpp::parsers::jid::{BareJid, Jid};
use tokio_xmpp::parsers::message::{Message, MessageType};
use tokio_xmpp::parsers::ns;

/// The shortest time between two nudges to one contact, in milliseconds: a nudge shakes the
/// other person's window, so a stream of them is a nuisance, not a conversation.
pub const SEND_INTERVAL_MS: i64 = 5_000;

/// When each contact was last nudged, to keep nudges to one per [`SEND_INTERVAL_MS`].
///
/// Time is whatever clock the caller keeps, in milliseconds (the core uses the wall clock, the
/// window its frame clock); it only has to move forward.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SendLimit {
    last: HashMap<String, i64>,
}

impl SendLimit {
    /// How many milliseconds until `peer` may be nudged again at `now_ms` (0: now).
    pub fn wait_ms(&self, peer: &str, now_ms: i64) -> i64 {
        self.last.get(peer).map_or(0, |at| {
            (at + SEND_INTERVAL_MS - now_ms).clamp(0, SEND_INTERVAL_MS)
        })
    }

    /// Counts a nudge to `peer` at `now_ms` when the interval allows; `false` when too soon.
    pub fn try_send(&mut self, peer: &str, now_ms: i64) -> bool {
        if self.wait_ms(peer, now_ms) > 0 {
            return false;
        }
        self.last.insert(peer.to_string(), now_ms);
        true
    }
}

/// A nudge to `to`.
pub fn nudge(to: &BareJid) -> Message {
    let mut message = Message::new(Some(Jid::from(to.clone())));
    message.type_ = MessageType::Headline;
    message.payloads.push(Attention.into());
    message
}

/// The bare JID of who nudged, if `message` is a nudge (never a carbon or an error).
pub fn nudged_by(message: &Message) -> Option<BareJid> {
    if message.type_ == MessageType::Error
        || !message
            .payloads
            .iter()
            .any(|p| p.is("attention", ns::ATTENTION))
    {
        return None;
    }
    message.from.as_ref().map(Jid::to_bare)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nudges_to_one_contact_keep_their_interval() {
        let mut limit = SendLimit::default();
        assert!(limit.try_send("bob@x", 1_000));
        assert!(!limit.try_send("bob@x", 1_001), "too soon");
        assert_eq!(limit.wait_ms("bob@x", 2_000), SEND_INTERVAL_MS - 1_000);
        assert!(
            limit.try_send("carol@x", 2_000),
            "another contact is not held back"
        );
        assert!(!limit.try_send("bob@x", 1_000 + SEND_INTERVAL_MS - 1));
        assert!(limit.try_send("bob@x", 1_000 + SEND_INTERVAL_MS));
        assert_eq!(
            limit.wait_ms("bob@x", 1_000 + SEND_INTERVAL_MS),
            SEND_INTERVAL_MS
        );
        // A clock that went backwards never means a wait longer than the interval.
        assert_eq!(limit.wait_ms("bob@x", 0), SEND_INTERVAL_MS);
    }

    #[test]
    fn a_nudge_round_trips() {
        let mut sent = nudge(&BareJid::new("bob@x").expect("jid"));
        assert_eq!(nudged_by(&sent), None, "no sender yet");
        sent.from = Some(Jid::new("alice@x/pc").expect("jid"));
        assert_eq!(
            nudged_by(&sent),
            Some(BareJid::new("alice@x").expect("jid"))
        );
        sent.type_ = MessageType::Error;
        assert_eq!(nudged_by(&sent), None);
        assert_eq!(nudged_by(&Message::new(None)), None);
    }
}
