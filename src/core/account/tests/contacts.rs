//! Contacts: the roster and its pushes, changes the user asks for, subscriptions, contacts'
//! presence and the block list.

use super::*;
use crate::model::{bare, Availability};

const BOB: &str = "bob@example.org";
const BOB_PHONE: &str = "bob@example.org/phone";
const CAROL: &str = "carol@example.net";
const MALLORY: &str = "mallory@evil.example";
const ROSTER: &str = "jabber:iq:roster";
const BLOCKING: &str = "urn:xmpp:blocking";

/// A roster push holding `item`, sent `from` (the server speaking for the account when `None`).
fn roster_push(from: Option<&str>, id: &str, item: &str) -> String {
    let from = from.map(|f| format!(" from='{f}'")).unwrap_or_default();
    format!(
        "<iq type='set' id='{id}'{from} to='{DESK}'><query xmlns='{ROSTER}'>{item}</query></iq>"
    )
}

/// Whether the account treats `jid` as a contact: only contacts' nudges are reported.
fn is_contact(script: &mut Script, jid: &str) -> bool {
    script.events();
    script.stanza(&format!(
        "<message type='headline' from='{jid}/x'><attention xmlns='urn:xmpp:attention:0'/></message>"
    ));
    script
        .events()
        .iter()
        .any(|e| matches!(e, Event::NudgeReceived { jid: j } if j.as_str() == jid))
}

/// The one stanza sent, with its type.
fn only_sent(script: &mut Script) -> Element {
    let mut sent = script.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    sent.remove(0)
}

fn error_condition(reply: &Element) -> Option<String> {
    reply
        .get_child("error", "jabber:client")?
        .children()
        .find(|c| c.ns() == "urn:ietf:params:xml:ns:xmpp-stanzas")
        .map(|c| c.name().to_string())
}

#[test]
fn the_roster_answer_is_reported_and_replaces_the_contacts_known_before() {
    let mut script = Script::online();
    assert!(is_contact(&mut script, BOB));
    script.reconnect_fresh();
    script.answer_roster(&[contact(CAROL, Subscription::Both)]);
    let events = script.events();
    let rosters: Vec<&Vec<Contact>> = events
        .iter()
        .filter_map(|e| match e {
            Event::RosterReceived { contacts } => Some(contacts),
            _ => None,
        })
        .collect();
    assert_eq!(rosters, [&vec![contact(CAROL, Subscription::Both)]]);
    assert!(is_contact(&mut script, CAROL));
    assert!(!is_contact(&mut script, BOB), "Bob is no longer a contact");
}

#[test]
fn a_roster_the_server_refuses_is_reported_in_words() {
    let mut script = Script::new();
    script.sign_in_and_connect(true);
    let id = script.request_id(ROSTER).expect("a roster request");
    script.events();
    script.stanza(&format!(
        "<iq type='error' id='{id}'><error type='wait'>\
         <internal-server-error xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"
    ));
    let problems = script.problems();
    assert!(
        matches!(&problems[..], [Problem::RosterUnavailable { detail }] if !detail.is_empty()),
        "{problems:?}"
    );
}

#[test]
fn a_roster_answer_that_is_not_a_roster_is_reported_and_changes_nothing() {
    let mut script = Script::online();
    script.reconnect_fresh();
    let id = script.request_id(ROSTER).expect("a roster request");
    script.events();
    script.stanza(&format!(
        "<iq type='result' id='{id}'><query xmlns='jabber:iq:private'/></iq>"
    ));
    let events = script.events();
    assert!(
        matches!(
            &events[..],
            [Event::Problem {
                problem: Problem::RosterUnavailable { .. }
            }]
        ),
        "{events:?}"
    );
    assert!(
        is_contact(&mut script, BOB),
        "the roster known before stays"
    );
}

#[test]
fn a_roster_push_from_the_server_adds_a_contact_and_is_acknowledged() {
    let mut script = Script::online();
    script.stanza(&roster_push(
        None,
        "push1",
        &format!(
            "<item jid='{CAROL}' name='Carol' subscription='both'><group>Friends</group></item>"
        ),
    ));
    assert_eq!(
        script.events(),
        [Event::ContactUpdated {
            contact: Contact {
                jid: bare(CAROL),
                name: Some("Carol".into()),
                groups: vec!["Friends".into()],
                subscription: Subscription::Both,
                pending_out: false,
            }
        }]
    );
    let reply = only_sent(&mut script);
    assert_eq!(
        (reply.attr("type"), reply.attr("id")),
        (Some("result"), Some("push1"))
    );
    assert!(is_contact(&mut script, CAROL));
}

#[test]
fn a_roster_push_from_the_users_bare_jid_updates_a_contact() {
    let mut script = Script::online();
    script.stanza(&roster_push(
        Some(ALICE),
        "push2",
        &format!("<item jid='{BOB}' name='Bobby' subscription='to' ask='subscribe'/>"),
    ));
    let events = script.events();
    assert!(
        matches!(&events[..], [Event::ContactUpdated { contact }]
            if contact.jid.as_str() == BOB && contact.name.as_deref() == Some("Bobby")
                && contact.subscription == Subscription::To && contact.pending_out),
        "{events:?}"
    );
    let reply = only_sent(&mut script);
    assert_eq!(reply.attr("type"), Some("result"));
    assert_eq!(reply.attr("to"), Some(ALICE));
}

#[test]
fn a_roster_push_removing_a_contact_makes_them_a_stranger() {
    let mut script = Script::online();
    script.stanza(&roster_push(
        None,
        "push3",
        &format!("<item jid='{BOB}' subscription='remove'/>"),
    ));
    assert_eq!(script.events(), [Event::ContactRemoved { jid: bare(BOB) }]);
    assert_eq!(only_sent(&mut script).attr("type"), Some("result"));
    assert!(!is_contact(&mut script, BOB));
}

#[test]
fn a_roster_push_forged_by_a_contact_changes_nothing_and_gets_an_error() {
    let mut script = Script::online();
    script.stanza(&roster_push(
        Some(BOB_PHONE),
        "forged1",
        &format!("<item jid='{MALLORY}' subscription='both'/>"),
    ));
    assert!(script.events().is_empty());
    let reply = only_sent(&mut script);
    assert_eq!(reply.attr("type"), Some("error"));
    assert_eq!(reply.attr("id"), Some("forged1"));
    assert_eq!(reply.attr("to"), Some(BOB_PHONE));
    assert!(!is_contact(&mut script, MALLORY));
}

#[test]
fn a_roster_push_forged_by_a_stranger_changes_nothing_and_gets_no_answer() {
    let mut script = Script::online();
    script.stanza(&roster_push(
        Some(&format!("{MALLORY}/x")),
        "forged2",
        &format!("<item jid='{BOB}' subscription='remove'/>"),
    ));
    assert!(script.events().is_empty());
    assert!(script.sent().is_empty(), "a stranger is told nothing");
    assert!(is_contact(&mut script, BOB), "Bob is still a contact");
}

#[test]
fn adding_a_contact_sets_the_roster_item_and_asks_to_see_their_presence() {
    let mut script = Script::online();
    script.command(Command::AddContact {
        jid: bare("Carol@Example.net"),
        name: Some("Carol".into()),
        groups: vec!["Work".into(), " Friends ".into()],
    });
    let sent = script.sent();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0].attr("type"), Some("set"));
    let item = sent[0]
        .get_child("query", ROSTER)
        .and_then(|q| q.get_child("item", ROSTER))
        .expect("a roster item");
    assert_eq!(item.attr("jid"), Some(CAROL));
    assert_eq!(item.attr("name"), Some("Carol"));
    let groups: Vec<String> = item.children().map(|g| g.text()).collect();
    assert_eq!(groups, ["Friends", "Work"]);
    assert_eq!(sent[1].name(), "presence");
    assert_eq!(
        (sent[1].attr("to"), sent[1].attr("type")),
        (Some(CAROL), Some("subscribe"))
    );
}

#[test]
fn a_roster_change_the_server_refuses_is_reported_with_its_reason() {
    let changes = [
        Command::AddContact {
            jid: bare(CAROL),
            name: None,
            groups: vec![],
        },
        Command::UpdateContact {
            jid: bare(CAROL),
            name: Some("Caz".into()),
            groups: vec![],
        },
        Command::RemoveContact { jid: bare(CAROL) },
    ];
    for change in changes {
        let mut script = Script::online();
        script.command(change.clone());
        let id = script.request_id(ROSTER).expect("a roster set");
        script.sent();
        script.stanza(&format!(
            "<iq type='error' id='{id}'><error type='cancel'>\
             <not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"
        ));
        let problems = script.problems();
        assert!(
            matches!(&problems[..], [Problem::ContactChangeRefused { jid, reason }]
                if jid.as_str() == CAROL && !reason.is_empty()),
            "{change:?}: {problems:?}"
        );
    }
}

#[test]
fn a_roster_change_the_server_accepts_reports_nothing_until_the_push() {
    let mut script = Script::online();
    script.command(Command::RemoveContact { jid: bare(BOB) });
    let id = script.request_id(ROSTER).expect("a roster set");
    script.stanza(&format!("<iq type='result' id='{id}'/>"));
    assert!(script.events().is_empty(), "the push reports the change");
}

#[test]
fn updating_a_contact_renames_it_without_asking_for_presence_again() {
    let mut script = Script::online();
    script.command(Command::UpdateContact {
        jid: bare(BOB),
        name: Some("Robert".into()),
        groups: vec![],
    });
    let sent = only_sent(&mut script);
    let item = sent
        .get_child("query", ROSTER)
        .and_then(|q| q.get_child("item", ROSTER))
        .expect("a roster item");
    assert_eq!(
        (item.attr("jid"), item.attr("name")),
        (Some(BOB), Some("Robert"))
    );
    assert_ne!(item.attr("subscription"), Some("remove"));
}

#[test]
fn removing_a_contact_asks_the_server_to_remove_the_item() {
    let mut script = Script::online();
    script.command(Command::RemoveContact { jid: bare(BOB) });
    let sent = only_sent(&mut script);
    assert_eq!(sent.attr("type"), Some("set"));
    let item = sent
        .get_child("query", ROSTER)
        .and_then(|q| q.get_child("item", ROSTER))
        .expect("a roster item");
    assert_eq!(
        (item.attr("jid"), item.attr("subscription")),
        (Some(BOB), Some("remove"))
    );
}

#[test]
fn approving_a_subscription_allows_it_and_asks_back() {
    let mut script = Script::online();
    script.command(Command::ApproveSubscription { jid: bare(CAROL) });
    let sent: Vec<(Option<String>, Option<String>)> = script
        .sent()
        .iter()
        .map(|s| {
            assert_eq!(s.name(), "presence");
            (
                s.attr("to").map(String::from),
                s.attr("type").map(String::from),
            )
        })
        .collect();
    assert_eq!(
        sent,
        [
            (Some(CAROL.into()), Some("subscribed".into())),
            (Some(CAROL.into()), Some("subscribe".into())),
        ]
    );
}

#[test]
fn denying_a_subscription_says_unsubscribed() {
    let mut script = Script::online();
    script.command(Command::DenySubscription { jid: bare(CAROL) });
    let sent = only_sent(&mut script);
    assert_eq!(
        (sent.name(), sent.attr("to"), sent.attr("type")),
        ("presence", Some(CAROL), Some("unsubscribed"))
    );
}

#[test]
fn a_subscription_request_is_reported() {
    let mut script = Script::online();
    script.stanza(&format!("<presence from='{CAROL}' type='subscribe'/>"));
    assert_eq!(
        script.events(),
        [Event::SubscriptionRequested { jid: bare(CAROL) }]
    );
    assert!(script.sent().is_empty(), "the user decides");
}

#[test]
fn a_contacts_presence_is_reported_per_device() {
    let mut script = Script::online();
    script.stanza(&format!(
        "<presence from='{BOB_PHONE}'><show>away</show><status>on the bus</status>\
         <priority>5</priority></presence>"
    ));
    script.stanza(&format!(
        "<presence from='{BOB}/laptop' type='unavailable'/>"
    ));
    assert_eq!(
        script.events(),
        [
            Event::PresenceChanged {
                jid: bare(BOB),
                resource: "phone".into(),
                availability: Availability::Away,
                status: Some("on the bus".into()),
                priority: 5,
            },
            Event::PresenceChanged {
                jid: bare(BOB),
                resource: "laptop".into(),
                availability: Availability::Offline,
                status: None,
                priority: 0,
            },
        ]
    );
}

#[test]
fn the_users_other_devices_are_not_shown_as_contacts() {
    let mut script = Script::online();
    script.stanza(&format!("<presence from='{ALICE}/phone'/>"));
    script.stanza(&format!("<presence from='{DESK}'/>"));
    assert!(script.events().is_empty());
}

#[test]
fn the_block_list_answer_is_reported_sorted() {
    let mut script = Script::new();
    script.sign_in_and_connect(true);
    let id = script.request_id(BLOCKING).expect("a block list request");
    script.events();
    script.stanza(&format!(
        "<iq type='result' id='{id}'><blocklist xmlns='{BLOCKING}'>\
         <item jid='{MALLORY}'/><item jid='eve@example.net'/></blocklist></iq>"
    ));
    assert_eq!(
        script.events(),
        [Event::BlockListChanged {
            jids: vec![bare("eve@example.net").into(), bare(MALLORY).into()]
        }]
    );
}

#[test]
fn blocking_asks_the_server_and_a_refusal_is_reported() {
    let mut script = Script::online();
    script.command(Command::BlockContact { jid: bare(MALLORY) });
    let sent = only_sent(&mut script);
    let item = sent
        .get_child("block", BLOCKING)
        .and_then(|b| b.get_child("item", BLOCKING))
        .expect("a block request");
    assert_eq!(item.attr("jid"), Some(MALLORY));
    let id = sent.attr("id").expect("an id");
    script.stanza(&format!(
        "<iq type='error' id='{id}'><error type='cancel'>\
         <not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"
    ));
    assert!(matches!(
        &script.problems()[..],
        [Problem::BlockChangeRefused { jid, .. }] if jid.as_str() == MALLORY
    ));
}

#[test]
fn unblocking_asks_the_server_to_unblock_that_address() {
    let mut script = Script::online();
    script.command(Command::UnblockContact { jid: bare(MALLORY) });
    let sent = only_sent(&mut script);
    let item = sent
        .get_child("unblock", BLOCKING)
        .and_then(|b| b.get_child("item", BLOCKING))
        .expect("an unblock request");
    assert_eq!(item.attr("jid"), Some(MALLORY));
    assert!(script.events().is_empty(), "the server's push reports it");
}

#[test]
fn a_block_push_from_the_users_account_changes_the_list_and_is_acknowledged() {
    let mut script = Script::online();
    script.stanza(&format!(
        "<iq type='set' id='b1' from='{ALICE}'><block xmlns='{BLOCKING}'><item jid='{MALLORY}'/></block></iq>"
    ));
    script.stanza(&format!(
        "<iq type='set' id='b2'><block xmlns='{BLOCKING}'><item jid='eve@example.net'/></block></iq>"
    ));
    script.stanza(&format!(
        "<iq type='set' id='b3'><unblock xmlns='{BLOCKING}'><item jid='{MALLORY}'/></unblock></iq>"
    ));
    let lists: Vec<Vec<String>> = script
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::BlockListChanged { jids } => {
                Some(jids.iter().map(ToString::to_string).collect())
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        lists,
        [
            vec![MALLORY.to_string()],
            vec!["eve@example.net".into(), MALLORY.into()],
            vec!["eve@example.net".into()],
        ]
    );
    let replies: Vec<(Option<String>, Option<String>)> = script
        .sent()
        .iter()
        .map(|s| {
            (
                s.attr("type").map(String::from),
                s.attr("id").map(String::from),
            )
        })
        .collect();
    let result = |id: &str| (Some("result".to_string()), Some(id.to_string()));
    assert_eq!(replies, [result("b1"), result("b2"), result("b3")]);
}

#[test]
fn an_empty_unblock_push_unblocks_everyone() {
    let mut script = Script::online();
    script.stanza(&format!(
        "<iq type='set' id='b1'><block xmlns='{BLOCKING}'><item jid='{MALLORY}'/>\
         <item jid='eve@example.net'/></block></iq>"
    ));
    script.events();
    script.stanza(&format!(
        "<iq type='set' id='b2'><unblock xmlns='{BLOCKING}'/></iq>"
    ));
    assert_eq!(script.events(), [Event::BlockListChanged { jids: vec![] }]);
}

#[test]
fn a_block_push_forged_by_someone_else_changes_nothing() {
    let mut script = Script::online();
    script.stanza(&format!(
        "<iq type='set' id='b1'><block xmlns='{BLOCKING}'><item jid='{MALLORY}'/></block></iq>"
    ));
    script.events();
    script.sent();
    for from in [BOB_PHONE, "mallory@evil.example/x", "alice@evil.example"] {
        script.stanza(&format!(
            "<iq type='set' id='f1' from='{from}'><unblock xmlns='{BLOCKING}'/></iq>"
        ));
        assert!(script.events().is_empty(), "{from}");
        // A contact's device gets an error; strangers are told nothing at all.
        let sent = script.sent();
        if from == BOB_PHONE {
            assert_eq!(sent.len(), 1);
            assert_eq!(sent[0].attr("type"), Some("error"), "{from}");
            assert_eq!(
                error_condition(&sent[0]).as_deref(),
                Some("service-unavailable")
            );
        } else {
            assert!(sent.is_empty(), "{from}: {sent:?}");
        }
    }
    // The list is still the one the server gave: a real push builds on it.
    script.stanza(&format!(
        "<iq type='set' id='b2'><block xmlns='{BLOCKING}'><item jid='eve@example.net'/></block></iq>"
    ));
    assert_eq!(
        script.events(),
        [Event::BlockListChanged {
            jids: vec![bare("eve@example.net").into(), bare(MALLORY).into()]
        }]
    );
}
