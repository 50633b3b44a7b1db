//! Messages: routing of chat messages, carbons, receipts and chat states; the outbox; nudges and
//! display names; history.

use super::*;
use crate::model::{bare, ChatMessage, ChatState, Delivery, Direction};

const BOB: &str = "bob@example.org";
const BOB_PHONE: &str = "bob@example.org/phone";

fn chat(id: &str, body: &str) -> String {
    format!(
        "<message type='chat' from='{BOB_PHONE}' to='{DESK}' id='{id}'><body>{body}</body>\
         <origin-id xmlns='urn:xmpp:sid:0' id='{id}'/></message>"
    )
}

fn received(events: &[Event]) -> Vec<ChatMessage> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::MessageReceived { message } => Some(message.clone()),
            _ => None,
        })
        .collect()
}

fn deliveries(events: &[Event]) -> Vec<(String, Delivery)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::DeliveryChanged { id, delivery, .. } => Some((id.clone(), delivery.clone())),
            _ => None,
        })
        .collect()
}

fn send(script: &mut Script, id: &str, body: &str) {
    script.command(Command::SendMessage {
        id: id.into(),
        to: bare(BOB),
        body: body.into(),
    });
}

#[test]
fn a_chat_message_is_stored_and_shown_once_even_when_delivered_twice() {
    let mut script = Script::online();
    script.stanza(&chat("m1", "Hello"));
    script.stanza(&chat("m1", "Hello"));
    let shown = received(&script.events());
    assert_eq!(shown.len(), 1);
    assert_eq!(
        (
            shown[0].peer.as_str(),
            shown[0].body.as_str(),
            shown[0].direction
        ),
        (BOB, "Hello", Direction::Incoming)
    );
    assert_eq!(
        shown[0].timestamp_ms, T0,
        "stamped with the time it arrived"
    );
    assert_eq!(script.stored(BOB).len(), 1);
}

#[test]
fn a_receipt_is_sent_to_the_device_that_asked() {
    let mut script = Script::online();
    script.stanza(&format!(
        "<message type='chat' from='{BOB_PHONE}' id='m2'><body>Hi</body>\
         <request xmlns='urn:xmpp:receipts'/></message>"
    ));
    let sent = script.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].attr("to"), Some(BOB_PHONE));
    let receipt = sent[0]
        .get_child("received", "urn:xmpp:receipts")
        .expect("receipt");
    assert_eq!(receipt.attr("id"), Some("m2"));
}

#[test]
fn no_receipt_is_sent_when_none_was_asked() {
    let mut script = Script::online();
    script.stanza(&chat("m3", "Hi"));
    assert!(script.sent().is_empty());
}

#[test]
fn a_delayed_message_keeps_the_time_it_was_sent() {
    let mut script = Script::online();
    script.stanza(&format!(
        "<message type='chat' from='{BOB_PHONE}' id='m4'><body>old</body>\
         <delay xmlns='urn:xmpp:delay' from='example.org' stamp='2025-12-31T23:00:00Z'/></message>"
    ));
    let shown = received(&script.events());
    assert_eq!(shown[0].timestamp_ms, T0 - 3_600_000);
}

#[test]
fn a_carbon_of_what_the_user_sent_elsewhere_joins_the_conversation_as_outgoing() {
    let mut script = Script::online();
    script.stanza(&format!(
        "<message from='{ALICE}' to='{DESK}' type='chat'>\
         <sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>\
         <message xmlns='jabber:client' from='{ALICE}/phone' to='{BOB}' type='chat' id='c1'>\
         <body>from my phone</body></message></forwarded></sent></message>"
    ));
    let shown = received(&script.events());
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].peer.as_str(), BOB);
    assert_eq!(shown[0].direction, Direction::Outgoing);
    assert_eq!(shown[0].delivery, Delivery::Sent);
}

#[test]
fn a_carbon_forged_by_someone_else_is_not_believed() {
    let mut script = Script::online();
    script.stanza(&format!(
        "<message from='mallory@example.org/x' to='{DESK}' type='chat'>\
         <sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>\
         <message xmlns='jabber:client' from='{ALICE}/phone' to='{BOB}' type='chat' id='c2'>\
         <body>I owe Mallory money</body></message></forwarded></sent></message>"
    ));
    let shown = received(&script.events());
    assert!(
        shown.iter().all(|m| m.peer.as_str() != BOB),
        "nothing is put in Alice's mouth: {shown:?}"
    );
    assert!(script.stored(BOB).is_empty());
}

#[test]
fn a_received_carbon_is_shown_as_incoming() {
    let mut script = Script::online();
    script.stanza(&format!(
        "<message from='{ALICE}' to='{DESK}' type='chat'>\
         <received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>\
         <message xmlns='jabber:client' from='{BOB_PHONE}' to='{ALICE}/phone' type='chat' id='c3'>\
         <body>to your phone</body></message></forwarded></received></message>"
    ));
    let shown = received(&script.events());
    assert_eq!(shown.len(), 1);
    assert_eq!(
        (shown[0].peer.as_str(), shown[0].direction),
        (BOB, Direction::Incoming)
    );
}

#[test]
fn typing_notifications_are_reported() {
    let mut script = Script::online();
    script.stanza(&format!(
        "<message type='chat' from='{BOB_PHONE}'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>"
    ));
    assert_eq!(
        script.events(),
        [Event::ChatStateChanged {
            jid: bare(BOB),
            state: ChatState::Composing
        }]
    );
}

#[test]
fn typing_notifications_go_out_only_while_online() {
    let mut script = Script::new();
    script.command(Command::SendChatState {
        to: bare(BOB),
        state: ChatState::Composing,
    });
    assert!(script.effects.is_empty());
    let mut script = Script::online();
    script.command(Command::SendChatState {
        to: bare(BOB),
        state: ChatState::Composing,
    });
    let sent = script.sent();
    assert!(sent[0].has_child("composing", "http://jabber.org/protocol/chatstates"));
}

#[test]
fn a_message_goes_to_the_outbox_first_then_out_tracked_with_an_ack_request() {
    let mut script = Script::online();
    send(&mut script, "o1", "Hello Bob");
    let queued = script.store.outbox().expect("outbox");
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].delivery, Delivery::Pending);
    let events = script.events();
    assert!(matches!(&events[..], [Event::MessageQueued { message }] if message.id == "o1"));
    assert!(matches!(
        script.effects.front(),
        Some(Effect::Send { tracked: Some((peer, id)), .. }) if peer.as_str() == BOB && id == "o1"
    ));
    let sent = script.sent();
    assert_eq!(sent[0].attr("to"), Some(BOB));
    assert!(matches!(&script.jobs()[..], [Effect::RequestAck]));
}

#[test]
fn an_acknowledged_message_leaves_the_outbox_as_sent() {
    let mut script = Script::online();
    send(&mut script, "o2", "Hi");
    script.events();
    assert!(
        deliveries(&script.events()).is_empty(),
        "not sent before the ack"
    );
    script.input(Input::Acked(vec![(bare(BOB), "o2".into())]));
    assert_eq!(
        deliveries(&script.events()),
        [("o2".into(), Delivery::Sent)]
    );
    assert!(script.store.outbox().expect("outbox").is_empty());
}

#[test]
fn without_stream_management_a_written_message_counts_as_sent_once_a_ping_comes_back() {
    let mut script = Script::new();
    script.sign_in_and_connect(false);
    script.answer_roster(&[]);
    script.effects.clear();
    send(&mut script, "o3", "Hi");
    assert!(!script
        .jobs()
        .iter()
        .any(|j| matches!(j, Effect::RequestAck)));
    script.sent();
    script.input(Input::Written((bare(BOB), "o3".into())));
    // A write only reached the socket: the message waits for the server to answer a ping.
    assert!(deliveries(&script.events()).is_empty());
    let id = script
        .request_id("urn:xmpp:ping")
        .expect("a confirming ping");
    assert_eq!(script.sent()[0].attr("to"), Some("example.org"));
    send(&mut script, "o4", "Again");
    script.input(Input::Written((bare(BOB), "o4".into())));
    assert!(
        script.request_id("urn:xmpp:ping").is_none(),
        "one ping at a time"
    );
    script.stanza(&format!("<iq type='result' from='example.org' id='{id}'/>"));
    assert_eq!(
        deliveries(&script.events()),
        [("o3".into(), Delivery::Sent)]
    );
    // The message written meanwhile gets a ping of its own.
    let next = script.request_id("urn:xmpp:ping").expect("another ping");
    script.stanza(&format!(
        "<iq type='result' from='example.org' id='{next}'/>"
    ));
    assert_eq!(
        deliveries(&script.events()),
        [("o4".into(), Delivery::Sent)]
    );
    assert!(script.store.outbox().expect("outbox").is_empty());
}

#[test]
fn without_stream_management_a_message_lost_before_the_ping_is_sent_again() {
    let mut script = Script::new();
    script.sign_in_and_connect(false);
    script.answer_roster(&[]);
    script.effects.clear();
    send(&mut script, "o5", "Hi");
    script.input(Input::Written((bare(BOB), "o5".into())));
    script.input(Input::Disconnected {
        reason: "cut".into(),
    });
    assert_eq!(
        script.store.outbox().expect("outbox").len(),
        1,
        "still waiting"
    );
    script.advance(60_000);
    let attempt = script.connect_attempt().expect("reconnects");
    script.effects.clear();
    script.connected(attempt, false, false);
    let again: Vec<_> = script
        .sent()
        .into_iter()
        .filter(|s| s.name() == "message")
        .collect();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attr("id"), Some("o5"));
}

#[test]
fn a_message_that_could_not_be_saved_is_fetched_again_by_the_next_catch_up() {
    let mut script = Script::online();
    // Something is archived already, so a catch-up would normally start after it.
    script
        .store
        .insert_archived(&[(
            ChatMessage {
                id: "old".into(),
                peer: bare(BOB),
                direction: Direction::Incoming,
                body: "old".into(),
                timestamp_ms: T0 - 60_000,
                delivery: Delivery::Received,
            },
            "A-1".into(),
        )])
        .expect("stored");
    let lost = ChatMessage {
        id: "lost".into(),
        peer: bare(BOB),
        direction: Direction::Incoming,
        body: "disk was full".into(),
        timestamp_ms: T0,
        delivery: Delivery::Received,
    };
    script.answer(Answer::Store(super::super::StoreAnswer::Inserted {
        message: lost,
        result: Err("disk full".into()),
    }));
    script.input(Input::Disconnected {
        reason: "cut".into(),
    });
    script.advance(60_000);
    let attempt = script.connect_attempt().expect("reconnects");
    script.effects.clear();
    script.connected(attempt, false, true);
    let query = script
        .sent_xml()
        .into_iter()
        .find(|s| s.contains("urn:xmpp:mam:2"))
        .expect("a catch-up");
    assert!(
        query.contains("2025-12-31T23:59:59"),
        "from the lost message's time: {query}"
    );
    assert!(!query.contains("A-1"), "{query}");
}

#[test]
fn messages_written_offline_wait_in_the_outbox_and_go_out_on_connecting() {
    let mut script = Script::new();
    send(&mut script, "w1", "first");
    send(&mut script, "w2", "second");
    assert!(script.sent().is_empty());
    assert_eq!(script.store.outbox().expect("outbox").len(), 2);
    script.sign_in_and_connect(true);
    let bodies: Vec<String> = script
        .sent()
        .iter()
        .filter(|s| s.name() == "message")
        .filter_map(|s| s.get_child("body", "jabber:client").map(|b| b.text()))
        .collect();
    assert_eq!(bodies, ["first", "second"]);
}

#[test]
fn messages_still_in_flight_on_a_resumed_stream_are_not_sent_twice() {
    let mut script = Script::online();
    send(&mut script, "r1", "once");
    script.input(Input::Disconnected {
        reason: "cut".into(),
    });
    script.advance(60_000);
    let attempt = script.connect_attempt().expect("reconnects");
    script.effects.clear();
    script.input(Input::Connected(Connected {
        attempt,
        jid: FullJid::new(DESK).expect("jid"),
        resumed: true,
        stream_management: true,
        in_flight: vec![(bare(BOB), "r1".into())],
    }));
    assert!(
        !script.sent().iter().any(|s| s.name() == "message"),
        "the resumed stream resent it already"
    );
}

#[test]
fn a_fresh_stream_after_a_lost_one_sends_what_was_never_acknowledged() {
    let mut script = Script::online();
    send(&mut script, "l1", "lost on the way");
    script.input(Input::Disconnected {
        reason: "cut".into(),
    });
    script.advance(60_000);
    let attempt = script.connect_attempt().expect("reconnects");
    script.effects.clear();
    script.connected(attempt, false, true);
    let messages: Vec<_> = script
        .sent()
        .into_iter()
        .filter(|s| s.name() == "message")
        .collect();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].attr("id"), Some("l1"));
}

#[test]
fn empty_messages_are_not_sent() {
    let mut script = Script::online();
    send(&mut script, "e1", "   \n ");
    assert!(script.effects.is_empty());
    assert!(script.store.outbox().expect("outbox").is_empty());
}

#[test]
fn a_message_the_store_cannot_keep_is_not_sent_and_says_why() {
    let mut script = Script::online();
    let message = ChatMessage {
        id: "f1".into(),
        peer: bare(BOB),
        direction: Direction::Outgoing,
        body: "hi".into(),
        timestamp_ms: T0,
        delivery: Delivery::Pending,
    };
    script.answer(Answer::Store(super::super::StoreAnswer::Queued {
        message,
        result: Err("disk full".into()),
    }));
    assert!(matches!(
        &script.problems()[..],
        [Problem::MessageNotSent { detail, .. }] if detail.contains("disk full")
    ));
    assert!(script.sent().is_empty());
}

#[test]
fn a_received_message_the_store_cannot_keep_is_still_shown() {
    let mut script = Script::online();
    let message = ChatMessage {
        id: "f2".into(),
        peer: bare(BOB),
        direction: Direction::Incoming,
        body: "hi".into(),
        timestamp_ms: T0,
        delivery: Delivery::Received,
    };
    script.answer(Answer::Store(super::super::StoreAnswer::Inserted {
        message: message.clone(),
        result: Err("disk full".into()),
    }));
    let events = script.events();
    assert!(events.contains(&Event::MessageReceived { message }));
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Problem {
            problem: Problem::MessageNotSaved { .. }
        }
    )));
}

#[test]
fn a_receipt_marks_the_message_delivered() {
    let mut script = Script::online();
    send(&mut script, "d1", "hi");
    script.input(Input::Acked(vec![(bare(BOB), "d1".into())]));
    script.events();
    script.stanza(&format!(
        "<message from='{BOB_PHONE}' id='rcpt'><received xmlns='urn:xmpp:receipts' id='d1'/></message>"
    ));
    assert_eq!(
        deliveries(&script.events()),
        [("d1".into(), Delivery::Delivered)]
    );
    assert_eq!(script.stored(BOB)[0].delivery, Delivery::Delivered);
}

#[test]
fn a_bounce_marks_the_message_failed_with_the_servers_reason() {
    let mut script = Script::online();
    send(&mut script, "b1", "hi");
    script.events();
    script.stanza(&format!(
        "<message type='error' from='{BOB}' id='b1'><error type='cancel'>\
         <service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>"
    ));
    let changes = deliveries(&script.events());
    assert!(
        matches!(&changes[..], [(id, Delivery::Failed { .. })] if id == "b1"),
        "{changes:?}"
    );
    assert!(script.store.outbox().expect("outbox").is_empty());
}

#[test]
fn nudges_count_only_from_contacts() {
    let mut script = Script::online();
    let nudge = |from: &str| {
        format!(
            "<message type='headline' from='{from}'><attention xmlns='urn:xmpp:attention:0'/></message>"
        )
    };
    script.stanza(&nudge(BOB_PHONE));
    script.stanza(&nudge("stranger@example.net/x"));
    assert_eq!(script.events(), [Event::NudgeReceived { jid: bare(BOB) }]);
}

#[test]
fn sending_nudges_is_limited_per_contact() {
    let mut script = Script::online();
    script.command(Command::SendNudge { to: bare(BOB) });
    script.command(Command::SendNudge { to: bare(BOB) });
    assert_eq!(script.sent().len(), 1);
    assert!(matches!(
        &script.problems()[..],
        [Problem::NudgeTooSoon { jid, seconds: 5 }] if jid.as_str() == BOB
    ));
    script.advance(5_000);
    script.command(Command::SendNudge { to: bare(BOB) });
    assert_eq!(script.sent().len(), 1);
}

#[test]
fn display_names_count_only_from_contacts_and_the_user() {
    let mut script = Script::online();
    let nick = |from: &str, name: &str| {
        format!(
            "<message from='{from}' type='headline'><event xmlns='http://jabber.org/protocol/pubsub#event'>\
             <items node='http://jabber.org/protocol/nick'><item id='current'>\
             <nick xmlns='http://jabber.org/protocol/nick'>{name}</nick></item></items></event></message>"
        )
    };
    script.stanza(&nick(BOB, "Bobby"));
    script.stanza(&nick("eve@example.net", "Bob"));
    script.stanza(&nick(ALICE, "Al"));
    assert_eq!(
        script.events(),
        [
            Event::NicknameChanged {
                jid: bare(BOB),
                nick: Some("Bobby".into())
            },
            Event::NicknameChanged {
                jid: bare(ALICE),
                nick: Some("Al".into())
            },
        ]
    );
}

#[test]
fn publishing_a_display_name_reports_it_once_the_server_agrees() {
    let mut script = Script::online();
    script.command(Command::SetNickname {
        nick: Some("  Alice\nLiddell ".into()),
    });
    let id = script
        .request_id("http://jabber.org/protocol/pubsub")
        .expect("publish");
    assert!(
        script.sent_xml()[0].contains(">Alice<"),
        "only the first line, trimmed"
    );
    script.stanza(&format!("<iq type='result' id='{id}'/>"));
    assert_eq!(
        script.events(),
        [Event::NicknameChanged {
            jid: bare(ALICE),
            nick: Some("Alice".into())
        }]
    );
}

#[test]
fn stored_history_is_read_for_the_window() {
    let mut script = Script::online();
    script.stanza(&chat("h1", "one"));
    script.stanza(&chat("h2", "two"));
    script.events();
    script.command(Command::LoadHistory {
        peer: bare("Bob@Example.org"),
        limit: 1,
    });
    let events = script.events();
    let Event::HistoryLoaded { peer, messages } = &events[0] else {
        panic!("{events:?}");
    };
    assert_eq!(peer.as_str(), BOB);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].body, "two");
}

#[test]
fn an_unreadable_message_is_reported_and_an_unreadable_request_answered() {
    use crate::core::session::Malformed;
    let mut script = Script::online();
    script.input(Input::Malformed(Malformed {
        kind: "message".into(),
        from: Some("bob@example.org/\u{1b}[31mred".into()),
        id: None,
        type_: Some("chat".into()),
        reason: "bad id".into(),
    }));
    let problems = script.problems();
    assert!(matches!(
        &problems[..],
        [Problem::UnreadableMessage { from, .. }] if !from.contains('\u{1b}')
    ));
    script.input(Input::Malformed(Malformed {
        kind: "iq".into(),
        from: Some(BOB_PHONE.into()),
        id: Some("q1".into()),
        type_: Some("get".into()),
        reason: "bad payload".into(),
    }));
    let sent = script.sent();
    assert_eq!(sent[0].attr("type"), Some("error"));
    assert_eq!(sent[0].attr("id"), Some("q1"));
}

#[test]
fn stanzas_that_arrive_after_the_link_went_down_are_ignored() {
    let mut script = Script::online();
    script.input(Input::Disconnected {
        reason: "cut".into(),
    });
    script.events();
    script.stanza(&chat("late", "too late"));
    assert!(script.events().is_empty());
}

#[test]
fn the_core_marks_a_conversation_read_online_or_not() {
    let mut script = Script::new();
    script.command(Command::MarkRead {
        peer: bare("Bob@Example.org"),
    });
    assert_eq!(
        script.events(),
        [Event::ConversationRead { peer: bare(BOB) }]
    );
}

#[test]
fn an_open_request_reaches_the_window_signed_in_or_not_and_sends_nothing() {
    let link = crate::xmpp::uri::parse("xmpp:bob@example.org?message;body=Hi").ok();
    for mut script in [Script::new(), Script::online()] {
        script.command(Command::Open { link: link.clone() });
        assert_eq!(
            script.events(),
            [Event::OpenRequested { link: link.clone() }]
        );
        assert!(script.sent().is_empty(), "a link only fills in");
    }
}

#[test]
fn a_delay_stamped_by_the_sender_is_not_believed() {
    let mut script = Script::online();
    script.stanza(&format!(
        "<message type='chat' from='{BOB_PHONE}' id='t1'><body>backdated</body>\
         <delay xmlns='urn:xmpp:delay' from='{BOB}' stamp='2020-01-01T00:00:00Z'/></message>"
    ));
    assert_eq!(received(&script.events())[0].timestamp_ms, T0);
}

#[test]
fn no_message_is_dated_in_the_future() {
    let mut script = Script::online();
    script.stanza(&format!(
        "<message type='chat' from='{BOB_PHONE}' id='t2'><body>from tomorrow</body>\
         <delay xmlns='urn:xmpp:delay' from='example.org' stamp='2030-01-01T00:00:00Z'/></message>"
    ));
    assert_eq!(received(&script.events())[0].timestamp_ms, T0);
}

#[test]
fn a_stranger_gets_no_receipt() {
    let mut script = Script::online();
    script.stanza(
        "<message type='chat' from='stranger@example.net/pc' id='s1'><body>hello?</body>\
         <request xmlns='urn:xmpp:receipts'/></message>",
    );
    assert_eq!(received(&script.events()).len(), 1, "the message is shown");
    assert!(
        script.sent().is_empty(),
        "but nothing tells them it arrived"
    );
}
