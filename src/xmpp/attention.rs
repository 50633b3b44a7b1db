//! XEP-0224 attention: a "nudge" that shakes the contact's conversation window.

use tokio_xmpp::parsers::attention::Attention;
use tokio_xmpp::parsers::jid::{BareJid, Jid};
use tokio_xmpp::parsers::message::{Message, MessageType};
use tokio_xmpp::parsers::ns;

/// A nudge to `to`.
pub fn nudge(to: &BareJid) -> Message {
    let mut message = Message::new(Some(Jid::from(to.clone())));
    message.type_ = MessageType::Headline;
    message.payloads.push(Attention.into());
    message
}

/// The bare JID of who nudged, if `message` is a nudge (never a carbon or an error).
pub fn nudged_by(message: &Message) -> Option<String> {
    if message.type_ == MessageType::Error
        || !message
            .payloads
            .iter()
            .any(|p| p.is("attention", ns::ATTENTION))
    {
        return None;
    }
    message.from.as_ref().map(|f| f.to_bare().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nudge_round_trips() {
        let mut sent = nudge(&BareJid::new("bob@x").expect("jid"));
        assert_eq!(nudged_by(&sent), None, "no sender yet");
        sent.from = Some(Jid::new("alice@x/pc").expect("jid"));
        assert_eq!(nudged_by(&sent).as_deref(), Some("alice@x"));
        sent.type_ = MessageType::Error;
        assert_eq!(nudged_by(&sent), None);
        assert_eq!(nudged_by(&Message::new(None)), None);
    }
}
