//! Display names (XEP-0172 User Nickname over PEP): the name the user chose for themselves,
//! published to their contacts, and contacts' names pushed back to us.
//!
//! A contact's name in the user's roster always wins; the nickname is what is shown when the
//! user gave the contact no name, instead of the bare address.

use jid::{BareJid, Jid};
use minidom::Element;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::message::Message;
use xmpp_parsers::ns;
use xmpp_parsers::pubsub::event::Payload;
use xmpp_parsers::pubsub::pubsub::{Item, Publish};
use xmpp_parsers::pubsub::{self, NodeName, PubSub};

use super::clip;

/// The feature that asks the server to push contacts' nicknames to us (XEP-0163 §9).
pub const NOTIFY_FEATURE: &str = "http://jabber.org/protocol/nick+notify";

/// The longest nickname kept, in characters: a name, not a paragraph.
pub const MAX_CHARS: usize = 64;

/// Publishes `nick` as the user's display name; `None` (or blank) clears it.
pub fn publish(id: &str, nick: Option<&str>) -> Iq {
    let text = nick.map(tidy).unwrap_or_default();
    let mut element = Element::builder("nick", ns::NICK);
    if !text.is_empty() {
        element = element.append(text);
    }
    let item = Item {
        id: None,
        publisher: None,
        payload: Some(element.build()),
    };
    Iq::from_set(
        id,
        PubSub::Publish {
            publish: Publish {
                node: NodeName(ns::NICK.to_owned()),
                items: vec![item],
            },
            publish_options: None,
        },
    )
}

/// A nickname as shown: one line, no control characters, at most [`MAX_CHARS`].
pub fn tidy(text: &str) -> String {
    let line: String = text.lines().next().unwrap_or_default().to_owned();
    clip(line.trim(), MAX_CHARS).trim().to_owned()
}

/// Reads a nickname notification: `None` if `message` carries none (other handlers may look),
/// else who it is about and their nickname (`None`: they cleared it).
pub fn classify_notification(message: &Message) -> Option<(BareJid, Option<String>)> {
    let event = message
        .payloads
        .iter()
        .find(|p| p.is("event", ns::PUBSUB_EVENT))?;
    let items = event.get_child("items", ns::PUBSUB_EVENT)?;
    if items.attr("node") != Some(ns::NICK) {
        return None;
    }
    // PEP events come from the publisher's bare JID.
    let jid = message.from.as_ref().map(Jid::to_bare)?;
    let event = pubsub::Event::try_from(event.clone()).ok()?;
    let nick = match event.payload {
        Payload::Items { published, .. } => published
            .into_iter()
            .filter_map(|item| item.payload)
            .next_back()
            .filter(|payload| payload.is("nick", ns::NICK))
            .map(|payload| tidy(&payload.text()))
            .filter(|nick| !nick.is_empty()),
        _ => None,
    };
    Some((jid, nick))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xmpp::tests::{message, round_trip};

    fn event(from: &str, items: &str) -> Message {
        message(&format!(
            "<message xmlns='jabber:client' from='{from}' to='alice@example.org/desk'>\
               <event xmlns='http://jabber.org/protocol/pubsub#event'>\
                 <items node='http://jabber.org/protocol/nick'>{items}</items>\
               </event>\
             </message>"
        ))
    }

    #[test]
    fn publishing_puts_one_nick_in_the_nick_node() {
        let stanza = round_trip(publish("nick-1", Some("  Alice <3\nsecond line")));
        let published = stanza
            .get_child("pubsub", ns::PUBSUB)
            .and_then(|p| p.get_child("publish", ns::PUBSUB))
            .expect("publish");
        assert_eq!(published.attr("node"), Some(ns::NICK));
        let nick = published
            .get_child("item", ns::PUBSUB)
            .and_then(|i| i.get_child("nick", ns::NICK))
            .expect("nick");
        assert_eq!(nick.text(), "Alice <3");
        let cleared = round_trip(publish("nick-2", None));
        let nick = cleared
            .get_child("pubsub", ns::PUBSUB)
            .and_then(|p| p.get_child("publish", ns::PUBSUB))
            .and_then(|p| p.get_child("item", ns::PUBSUB))
            .and_then(|i| i.get_child("nick", ns::NICK))
            .expect("an empty nick");
        assert_eq!(nick.text(), "");
    }

    #[test]
    fn notifications_give_the_newest_nick_tidied() {
        let got = classify_notification(&event(
            "bob@example.org",
            "<item id='a'><nick xmlns='http://jabber.org/protocol/nick'>Old</nick></item>\
             <item id='b'><nick xmlns='http://jabber.org/protocol/nick'>  Bobby\nthe second line  </nick></item>",
        ));
        assert_eq!(
            got,
            Some((
                BareJid::new("bob@example.org").unwrap(),
                Some("Bobby".into())
            ))
        );
        let long = "x".repeat(500);
        let got = classify_notification(&event(
            "bob@example.org/phone",
            &format!("<item><nick xmlns='http://jabber.org/protocol/nick'>{long}</nick></item>"),
        ))
        .unwrap();
        assert_eq!(got.0.as_str(), "bob@example.org", "the bare JID");
        assert_eq!(got.1.unwrap().chars().count(), MAX_CHARS);
    }

    #[test]
    fn empty_retracted_or_foreign_payloads_clear_and_others_pass_by() {
        for items in [
            "<item><nick xmlns='http://jabber.org/protocol/nick'/></item>",
            "<item><nick xmlns='http://jabber.org/protocol/nick'>   </nick></item>",
            "<item><name xmlns='urn:example'>Bob</name></item>",
            "<retract id='a'/>",
        ] {
            let got = classify_notification(&event("bob@example.org", items));
            assert_eq!(got.map(|g| g.1), Some(None), "{items}");
        }
        let other_node = message(
            "<message xmlns='jabber:client' from='bob@example.org'>\
               <event xmlns='http://jabber.org/protocol/pubsub#event'>\
                 <items node='urn:xmpp:avatar:metadata'/>\
               </event>\
             </message>",
        );
        assert_eq!(classify_notification(&other_node), None);
        let plain = message(
            "<message xmlns='jabber:client' from='bob@example.org'><body>hi</body></message>",
        );
        assert_eq!(classify_notification(&plain), None);
    }
}
