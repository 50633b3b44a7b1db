//! Chat messages, receipts, chat states and carbons.

use jid::{BareJid, Jid};
use xmpp_parsers::ns;

use super::{element, fixture, message, own, round_trip, wire};
use crate::model::{bare, ChatState, Direction};
use crate::xmpp::message::{
    build_chat, build_chat_state, build_receipt, classify, enable_carbons, MessageFact,
};

/// Classifies XML as received by alice.
fn facts(xml: &str) -> Vec<MessageFact> {
    classify(message(xml), &own())
}

/// The only chat fact among `facts`.
fn chat(facts: &[MessageFact]) -> &MessageFact {
    let chats: Vec<_> = facts
        .iter()
        .filter(|f| matches!(f, MessageFact::Chat { .. }))
        .collect();
    assert_eq!(chats.len(), 1, "expected one chat fact in {facts:?}");
    chats[0]
}

/// The id of the only chat fact.
fn chat_id(xml: &str) -> String {
    match chat(&facts(xml)) {
        MessageFact::Chat { id, .. } => id.clone(),
        _ => unreachable!(),
    }
}

/// A one-line chat message from bob with the given attributes and children.
fn from_bob(attrs: &str, children: &str) -> String {
    format!("<message xmlns='jabber:client' from='bob@example.net/phone' to='alice@example.org' type='chat' {attrs}>{children}</message>")
}

#[test]
fn build_chat_carries_id_origin_id_receipt_request_and_active_state() {
    let bob = BareJid::new("bob@example.net").unwrap();
    let stanza = round_trip(build_chat(&bob, "id-1", "Hello <b>&amp; bye"));
    assert_eq!(stanza.name(), "message");
    assert_eq!(stanza.attr("type"), Some("chat"));
    assert_eq!(stanza.attr("to"), Some("bob@example.net"));
    assert_eq!(stanza.attr("id"), Some("id-1"));
    assert_eq!(
        stanza.get_child("body", ns::DEFAULT_NS).unwrap().text(),
        "Hello <b>&amp; bye"
    );
    let origin = stanza.get_child("origin-id", ns::SID).unwrap();
    assert_eq!(origin.attr("id"), Some("id-1"));
    assert!(stanza.has_child("request", ns::RECEIPTS));
    assert!(stanza.has_child("active", ns::CHATSTATES));
}

#[test]
fn build_chat_is_understood_by_the_receiving_side() {
    let alice = own();
    let mut sent = build_chat(&alice, "round-1", "ping?");
    sent.from = Some(Jid::new("bob@example.net/phone").unwrap());
    let received = classify(message(&wire(sent)), &alice);
    assert_eq!(
        received,
        vec![
            MessageFact::Chat {
                peer: bare("bob@example.net"),
                from: Jid::new("bob@example.net/phone").unwrap(),
                id: "round-1".into(),
                server_id: None,
                body: "ping?".into(),
                direction: Direction::Incoming,
                timestamp_ms: None,
                receipt_id: Some("round-1".into()),
            },
            MessageFact::ChatState {
                peer: bare("bob@example.net"),
                state: ChatState::Active
            },
        ]
    );
}

#[test]
fn build_chat_state_has_no_body_and_a_no_store_hint() {
    let bob = BareJid::new("bob@example.net").unwrap();
    let cases = [
        (ChatState::Active, "active"),
        (ChatState::Composing, "composing"),
        (ChatState::Paused, "paused"),
        (ChatState::Inactive, "inactive"),
        (ChatState::Gone, "gone"),
    ];
    for (state, name) in cases {
        let stanza = round_trip(build_chat_state(&bob, state));
        assert_eq!(stanza.attr("type"), Some("chat"), "{name}");
        assert!(stanza.has_child(name, ns::CHATSTATES), "{name}");
        assert!(stanza.has_child("no-store", "urn:xmpp:hints"), "{name}");
        assert!(!stanza.has_child("body", ns::DEFAULT_NS), "{name}");
        assert!(!stanza.has_child("request", ns::RECEIPTS), "{name}");
    }
}

#[test]
fn build_receipt_names_the_acknowledged_message() {
    let to = Jid::new("bob@example.net/phone").unwrap();
    let stanza = round_trip(build_receipt(&to, "m-42"));
    assert_eq!(stanza.attr("to"), Some("bob@example.net/phone"));
    let received = stanza.get_child("received", ns::RECEIPTS).unwrap();
    assert_eq!(received.attr("id"), Some("m-42"));
    assert!(!stanza.has_child("body", ns::DEFAULT_NS));
    assert!(!stanza.has_child("request", ns::RECEIPTS));
}

#[test]
fn enable_carbons_is_a_set_with_the_enable_element() {
    let stanza = round_trip(enable_carbons("carbons-1"));
    assert_eq!(stanza.attr("type"), Some("set"));
    assert_eq!(stanza.attr("id"), Some("carbons-1"));
    assert!(stanza.has_child("enable", ns::CARBONS));
}

#[test]
fn full_chat_message_gives_chat_and_chat_state() {
    let facts = facts(fixture!("chat_full"));
    assert_eq!(
        facts,
        vec![
            MessageFact::Chat {
                peer: bare("bob@example.net"),
                from: Jid::new("bob@example.net/phone").unwrap(),
                id: "origin-1".into(),
                server_id: Some("archive-7".into()),
                body: "Hi Alice, are you there?".into(),
                direction: Direction::Incoming,
                timestamp_ms: None,
                receipt_id: Some("stanza-1".into()),
            },
            MessageFact::ChatState {
                peer: bare("bob@example.net"),
                state: ChatState::Active
            },
        ]
    );
}

#[test]
fn message_id_prefers_origin_id_then_stanza_id_then_archive_id() {
    let long = "x".repeat(300);
    let cases = [
        // (attributes, children, expected id)
        (
            "id='attr'",
            "<origin-id xmlns='urn:xmpp:sid:0' id='origin'/>",
            "origin",
        ),
        ("id='attr'", "", "attr"),
        (
            "",
            "<stanza-id xmlns='urn:xmpp:sid:0' id='arch' by='alice@example.org'/>",
            "arch",
        ),
        (
            "id='attr'",
            "<origin-id xmlns='urn:xmpp:sid:0' id=''/>",
            "attr",
        ),
        (
            "id='attr'",
            &format!("<origin-id xmlns='urn:xmpp:sid:0' id='{long}'/>"),
            "attr",
        ),
        (
            "id='attr'",
            "<origin-id xmlns='urn:xmpp:sid:0' id='a&#9;b'/>",
            "attr",
        ),
        ("id='attr'", "<origin-id xmlns='urn:xmpp:sid:0'/>", "attr"),
    ];
    for (attrs, children, expected) in cases {
        let xml = from_bob(attrs, &format!("<body>hi</body>{children}"));
        assert_eq!(chat_id(&xml), expected, "{attrs} {children}");
    }
}

#[test]
fn message_without_any_id_gets_a_stable_content_hash() {
    let plain = from_bob("", "<body>hi</body>");
    let again = chat_id(&plain);
    assert!(again.starts_with("hash-"), "{again}");
    assert_eq!(chat_id(&plain), again, "re-delivery must dedupe");
    assert_ne!(chat_id(&from_bob("", "<body>hi!</body>")), again);
    let delayed = from_bob(
        "",
        "<body>hi</body><delay xmlns='urn:xmpp:delay' from='example.org' stamp='2024-01-01T00:00:00Z'/>",
    );
    assert_ne!(chat_id(&delayed), again);
    // A huge or odd id is not trusted as a database key either.
    let odd = from_bob(&format!("id='{}'", "y".repeat(1000)), "<body>hi</body>");
    assert_eq!(chat_id(&odd), again);
}

#[test]
fn archive_id_from_anyone_but_the_own_server_is_ignored() {
    let xml = from_bob(
        "",
        "<body>hi</body><stanza-id xmlns='urn:xmpp:sid:0' id='forged' by='example.net'/>",
    );
    let facts = facts(&xml);
    let MessageFact::Chat { id, server_id, .. } = chat(&facts) else {
        unreachable!()
    };
    assert_eq!(server_id, &None);
    assert_ne!(id, "forged");
}

#[test]
fn offline_message_keeps_its_original_time_and_wants_a_receipt() {
    let facts = facts(fixture!("offline_delayed"));
    let MessageFact::Chat {
        timestamp_ms,
        receipt_id,
        id,
        ..
    } = chat(&facts)
    else {
        unreachable!()
    };
    assert_eq!(*timestamp_ms, Some(1_709_296_200_000));
    assert_eq!(receipt_id.as_deref(), Some("m-42"));
    assert_eq!(id, "m-42");
}

#[test]
fn malformed_delay_does_not_lose_the_message() {
    let xml = from_bob(
        "id='d1'",
        "<body>still here</body><delay xmlns='urn:xmpp:delay' stamp='yesterday'/>",
    );
    let facts = facts(&xml);
    let MessageFact::Chat { timestamp_ms, .. } = chat(&facts) else {
        unreachable!()
    };
    assert_eq!(*timestamp_ms, None);
}

#[test]
fn receipt_is_only_wanted_when_asked_for_with_an_id() {
    let cases = [
        (
            "id='r1'",
            "<body>a</body><request xmlns='urn:xmpp:receipts'/>",
            Some("r1"),
        ),
        ("id='r1'", "<body>a</body>", None),
        (
            "",
            "<body>a</body><request xmlns='urn:xmpp:receipts'/>",
            None,
        ),
    ];
    for (attrs, children, expected) in cases {
        let facts = facts(&from_bob(attrs, children));
        let MessageFact::Chat { receipt_id, .. } = chat(&facts) else {
            unreachable!()
        };
        assert_eq!(receipt_id.as_deref(), expected, "{attrs} {children}");
    }
}

#[test]
fn messages_without_a_body_give_no_chat() {
    let cases = [
        "<request xmlns='urn:xmpp:receipts'/>",
        "<body></body>",
        "<subject>only a subject</subject>",
        "<thread>t1</thread>",
        "<x xmlns='jabber:x:conference' jid='room@muc.example.org'/>",
    ];
    for children in cases {
        assert_eq!(facts(&from_bob("id='n'", children)), vec![], "{children}");
    }
}

#[test]
fn groupchat_and_headline_are_not_handled_yet() {
    for type_ in ["groupchat", "headline"] {
        let xml = format!("<message xmlns='jabber:client' from='room@muc.example.org/bob' type='{type_}' id='g'><body>hi</body><composing xmlns='http://jabber.org/protocol/chatstates'/></message>");
        assert_eq!(facts(&xml), vec![], "{type_}");
    }
}

#[test]
fn normal_messages_with_a_body_count_as_chat() {
    let xml = "<message xmlns='jabber:client' from='bob@example.net/phone' id='n1'><body>old client</body></message>";
    let facts = facts(xml);
    let MessageFact::Chat { body, .. } = chat(&facts) else {
        unreachable!()
    };
    assert_eq!(body, "old client");
}

#[test]
fn body_without_language_wins_over_translations() {
    let xml = from_bob(
        "id='l'",
        "<body xml:lang='de'>Hallo</body><body>Hello</body><body xml:lang='fr'>Salut</body>",
    );
    let facts = facts(&xml);
    let MessageFact::Chat { body, .. } = chat(&facts) else {
        unreachable!()
    };
    assert_eq!(body, "Hello");
}

#[test]
fn message_without_sender_is_from_the_own_account() {
    let xml =
        "<message xmlns='jabber:client' type='chat' id='self'><body>note to self</body></message>";
    let facts = facts(xml);
    let MessageFact::Chat { peer, from, .. } = chat(&facts) else {
        unreachable!()
    };
    assert_eq!(peer.as_str(), "alice@example.org");
    assert_eq!(from, &Jid::new("alice@example.org").unwrap());
}

#[test]
fn error_message_reports_which_message_failed_and_why() {
    let facts = facts(fixture!("message_error"));
    assert_eq!(facts.len(), 1, "{facts:?}");
    let MessageFact::Failed { peer, id, reason } = &facts[0] else {
        panic!("{facts:?}")
    };
    assert_eq!(peer.as_str(), "nobody@example.net");
    assert_eq!(id, "out-9");
    assert!(reason.contains("cannot receive"), "{reason}");
    assert!(reason.contains("User does not exist"), "{reason}");
}

#[test]
fn error_messages_without_id_or_error_element() {
    let no_id = "<message xmlns='jabber:client' from='bob@example.net' type='error'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>";
    assert_eq!(facts(no_id), vec![]);
    let no_error = "<message xmlns='jabber:client' from='bob@example.net' type='error' id='e1'/>";
    assert_eq!(
        facts(no_error),
        vec![MessageFact::Failed {
            peer: bare("bob@example.net"),
            id: "e1".into(),
            reason: "the message could not be delivered".into(),
        }]
    );
    let hostile_text = format!("<message xmlns='jabber:client' from='bob@example.net' type='error' id='e2'><error type='cancel'><remote-server-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>{}</text></error></message>", "spam ".repeat(500));
    let facts = facts(&hostile_text);
    let MessageFact::Failed { reason, .. } = &facts[0] else {
        panic!("{facts:?}")
    };
    assert!(reason.starts_with("the contact's server could not be found"));
    assert!(
        reason.len() < 400,
        "server text must be clipped: {}",
        reason.len()
    );
}

#[test]
fn receipts_and_chat_states_from_the_contact() {
    let cases = [
        (
            "<received xmlns='urn:xmpp:receipts' id='out-1'/>",
            vec![MessageFact::Receipt {
                peer: bare("bob@example.net"),
                id: "out-1".into(),
            }],
        ),
        ("<received xmlns='urn:xmpp:receipts'/>", vec![]),
        ("<received xmlns='urn:xmpp:receipts' id=''/>", vec![]),
        (
            "<composing xmlns='http://jabber.org/protocol/chatstates'/>",
            vec![MessageFact::ChatState {
                peer: bare("bob@example.net"),
                state: ChatState::Composing,
            }],
        ),
        (
            "<typing xmlns='http://jabber.org/protocol/chatstates'/>",
            vec![],
        ),
        ("<unknown xmlns='urn:example:new'/>", vec![]),
    ];
    for (children, expected) in cases {
        assert_eq!(facts(&from_bob("", children)), expected, "{children}");
    }
}

#[test]
fn carbon_received_is_unwrapped_without_asking_for_a_receipt() {
    let facts = facts(fixture!("carbon_received"));
    assert_eq!(
        facts,
        vec![
            MessageFact::Chat {
                peer: bare("bob@example.net"),
                from: Jid::new("bob@example.net/phone").unwrap(),
                id: "c-origin-1".into(),
                server_id: None,
                body: "Did you get this on your other device?".into(),
                direction: Direction::Incoming,
                timestamp_ms: None,
                receipt_id: None,
            },
            MessageFact::ChatState {
                peer: bare("bob@example.net"),
                state: ChatState::Composing
            },
        ]
    );
}

#[test]
fn carbon_sent_is_an_outgoing_message_to_the_inner_recipient() {
    let facts = facts(fixture!("carbon_sent"));
    assert_eq!(
        facts,
        vec![MessageFact::Chat {
            peer: bare("carol@example.com"),
            from: Jid::new("alice@example.org/desktop").unwrap(),
            id: "s-origin-1".into(),
            server_id: None,
            body: "Written on my desktop".into(),
            direction: Direction::Outgoing,
            timestamp_ms: None,
            receipt_id: None,
        }]
    );
}

#[test]
fn spoofed_carbons_are_ignored() {
    assert_eq!(facts(fixture!("carbon_spoofed")), vec![]);
    let inner = "<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='carol@example.com/x' to='alice@example.org/desktop' type='chat' id='f'><body>forged</body></message></forwarded>";
    let senders = [
        "bob@example.net",
        "bob@example.net/phone",
        // Another resource of the account is not the account itself.
        "alice@example.org/evil",
        "example.org",
        "alice@example.org.evil.example",
    ];
    for from in senders {
        for wrapper in ["received", "sent"] {
            let xml = format!("<message xmlns='jabber:client' from='{from}' type='chat'><{wrapper} xmlns='urn:xmpp:carbons:2'>{inner}</{wrapper}></message>");
            assert_eq!(facts(&xml), vec![], "{from} {wrapper}");
        }
    }
}

/// A carbon from the own account wrapping `inner`.
fn carbon(wrapper: &str, inner: &str) -> String {
    format!("<message xmlns='jabber:client' from='alice@example.org' type='chat'><{wrapper} xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>{inner}</forwarded></{wrapper}></message>")
}

#[test]
fn carbon_copies_of_receipts_and_chat_states() {
    let receipt = "<message xmlns='jabber:client' from='bob@example.net/phone' to='alice@example.org/desktop'><received xmlns='urn:xmpp:receipts' id='out-5'/></message>";
    let typing = "<message xmlns='jabber:client' from='bob@example.net/phone' to='alice@example.org/desktop' type='chat'><paused xmlns='http://jabber.org/protocol/chatstates'/></message>";
    let own_receipt = "<message xmlns='jabber:client' from='alice@example.org/desktop' to='bob@example.net/phone'><received xmlns='urn:xmpp:receipts' id='in-5'/></message>";
    let own_typing = "<message xmlns='jabber:client' from='alice@example.org/desktop' to='bob@example.net' type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>";
    let cases = [
        (
            carbon("received", receipt),
            vec![MessageFact::Receipt {
                peer: bare("bob@example.net"),
                id: "out-5".into(),
            }],
        ),
        (
            carbon("received", typing),
            vec![MessageFact::ChatState {
                peer: bare("bob@example.net"),
                state: ChatState::Paused,
            }],
        ),
        // What the user's other devices sent says nothing about the contact.
        (carbon("sent", own_receipt), vec![]),
        (carbon("sent", own_typing), vec![]),
    ];
    for (xml, expected) in cases {
        assert_eq!(facts(&xml), expected, "{xml}");
    }
}

#[test]
fn carbons_about_someone_else_or_malformed_are_ignored() {
    // Neither sent by nor addressed to the user.
    let between_others = "<message xmlns='jabber:client' from='bob@example.net/phone' to='carol@example.com' type='chat' id='x'><body>not yours</body></message>";
    let cases = [
        carbon("received", between_others),
        carbon("sent", between_others),
        "<message xmlns='jabber:client' from='alice@example.org' type='chat'><sent xmlns='urn:xmpp:carbons:2'/></message>".to_owned(),
        "<message xmlns='jabber:client' from='alice@example.org' type='chat'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'/></received></message>".to_owned(),
    ];
    for xml in cases {
        assert_eq!(facts(&xml), vec![], "{xml}");
    }
}

#[test]
fn carbon_without_outer_sender_comes_from_the_server_and_is_trusted() {
    let inner = "<message xmlns='jabber:client' from='bob@example.net/phone' to='alice@example.org' type='chat' id='i'><body>hi</body></message>";
    let xml = carbon("received", inner).replace(" from='alice@example.org'", "");
    assert!(element(&xml).attr("from").is_none());
    let facts = facts(&xml);
    let MessageFact::Chat { body, .. } = chat(&facts) else {
        unreachable!()
    };
    assert_eq!(body, "hi");
}

#[test]
fn carbon_keeps_the_forwarding_delay() {
    let inner = "<delay xmlns='urn:xmpp:delay' stamp='2024-03-01T12:30:00Z'/><message xmlns='jabber:client' from='bob@example.net/phone' to='alice@example.org' type='chat' id='i'><body>late</body></message>";
    let facts = facts(&carbon("received", inner));
    let MessageFact::Chat { timestamp_ms, .. } = chat(&facts) else {
        unreachable!()
    };
    assert_eq!(*timestamp_ms, Some(1_709_296_200_000));
}
