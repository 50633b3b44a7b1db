//! The contact list: fetching, pushes (including hostile ones), adding and removing.

use jid::BareJid;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::ns;

use super::{fixture, iq, own, round_trip};
use crate::model::{bare, Contact, Subscription};
use crate::xmpp::roster::{
    classify_push, parse_result, remove_item, request, set_item, RosterChange,
};
use crate::xmpp::ProtocolError;

/// A contact as the tests write it.
fn contact(
    jid: &str,
    name: Option<&str>,
    groups: &[&str],
    sub: Subscription,
    ask: bool,
) -> Contact {
    Contact {
        jid: bare(jid),
        name: name.map(Into::into),
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        subscription: sub,
        pending_out: ask,
    }
}

/// A roster push with the given sender attribute and items.
fn push(from_attr: &str, items: &str) -> Iq {
    iq(&format!("<iq xmlns='jabber:client' type='set' id='push-1' {from_attr}><query xmlns='jabber:iq:roster' ver='v2'>{items}</query></iq>"))
}

#[test]
fn request_is_an_empty_roster_get() {
    let stanza = round_trip(request("r-1"));
    assert_eq!(stanza.attr("type"), Some("get"));
    assert_eq!(stanza.attr("id"), Some("r-1"));
    let query = stanza.get_child("query", ns::ROSTER).unwrap();
    assert_eq!(query.children().count(), 0);
}

#[test]
fn roster_result_maps_every_readable_item_sorted() {
    let contacts = parse_result(&iq(fixture!("roster_result"))).unwrap();
    assert_eq!(
        contacts,
        vec![
            contact("bob@example.net", None, &[], Subscription::To, false),
            contact("carol@example.com", None, &[], Subscription::None, true),
            contact("dave@example.com", None, &[], Subscription::From, false),
            // ask='unsubscribe' is from RFC 3921; the item is kept, nothing pending.
            contact("erin@example.com", None, &[], Subscription::Both, false),
            contact(
                "zoe@example.com",
                Some("Zoe"),
                &["Friends", "Work"],
                Subscription::Both,
                false
            ),
        ]
    );
}

#[test]
fn roster_result_edge_cases() {
    let empty = "<iq xmlns='jabber:client' type='result' id='r'/>";
    assert_eq!(parse_result(&iq(empty)).unwrap(), vec![]);
    let removing = "<iq xmlns='jabber:client' type='result' id='r'><query xmlns='jabber:iq:roster'><item jid='gone@example.com' subscription='remove'/></query></iq>";
    assert_eq!(parse_result(&iq(removing)).unwrap(), vec![]);
    let wrong_payload =
        "<iq xmlns='jabber:client' type='result' id='r'><query xmlns='jabber:iq:private'/></iq>";
    assert!(matches!(
        parse_result(&iq(wrong_payload)),
        Err(ProtocolError::Malformed { .. })
    ));
    let refused = "<iq xmlns='jabber:client' type='error' id='r'><error type='wait'><resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>";
    let Err(ProtocolError::Refused { reason }) = parse_result(&iq(refused)) else {
        panic!("an error answer must be refused")
    };
    assert!(reason.contains("too busy"), "{reason}");
}

#[test]
fn push_from_own_account_updates_a_contact_and_needs_a_result() {
    for from_attr in ["", "from='alice@example.org'"] {
        let pushed = classify_push(
            &push(from_attr, "<item jid='bob@example.net' name='Bob' subscription='both'><group>B</group><group>A</group></item>"),
            &own(),
        )
        .unwrap();
        assert_eq!(
            pushed.change,
            RosterChange::Updated(contact(
                "bob@example.net",
                Some("Bob"),
                &["A", "B"],
                Subscription::Both,
                false
            ))
        );
        assert_eq!(pushed.ver.as_deref(), Some("v2"));
        let reply = round_trip(pushed.reply);
        assert_eq!(reply.attr("type"), Some("result"), "{from_attr}");
        assert_eq!(reply.attr("id"), Some("push-1"));
        assert_eq!(reply.children().count(), 0);
    }
}

#[test]
fn push_with_subscription_remove_is_a_removal() {
    let pushed = classify_push(&iq(fixture!("roster_push_remove")), &own()).unwrap();
    assert_eq!(
        pushed.change,
        RosterChange::Removed(bare("bob@example.net"))
    );
    assert_eq!(pushed.ver.as_deref(), Some("ver15"));
}

#[test]
fn push_from_anyone_else_is_refused() {
    let item = "<item jid='mallory@evil.example' subscription='both'/>";
    for from in [
        "mallory@evil.example",
        "mallory@evil.example/x",
        "alice@example.org/other-device",
        "example.org",
    ] {
        let result = classify_push(&push(&format!("from='{from}'"), item), &own());
        assert_eq!(
            result,
            Err(ProtocolError::ForeignRosterPush { from: from.into() }),
            "{from}"
        );
    }
}

#[test]
fn push_must_hold_exactly_one_item_and_be_a_roster_set() {
    let two = "<item jid='a@example.com'/><item jid='b@example.com'/>";
    assert!(matches!(
        classify_push(&push("", two), &own()),
        Err(ProtocolError::Malformed { .. })
    ));
    assert!(matches!(
        classify_push(&push("", ""), &own()),
        Err(ProtocolError::Malformed { .. })
    ));
    let bad_jid = "<item jid='@@'/>";
    assert!(matches!(
        classify_push(&push("", bad_jid), &own()),
        Err(ProtocolError::Malformed { .. })
    ));
    let not_roster =
        iq("<iq xmlns='jabber:client' type='set' id='x'><query xmlns='jabber:iq:private'/></iq>");
    assert!(matches!(
        classify_push(&not_roster, &own()),
        Err(ProtocolError::Unexpected { .. })
    ));
    let a_get =
        iq("<iq xmlns='jabber:client' type='get' id='x'><query xmlns='jabber:iq:roster'/></iq>");
    assert!(matches!(
        classify_push(&a_get, &own()),
        Err(ProtocolError::Unexpected { .. })
    ));
}

#[test]
fn set_item_writes_name_and_sorted_unique_groups() {
    let bob = BareJid::new("bob@example.net").unwrap();
    let groups = vec![
        "Work".to_owned(),
        " ".to_owned(),
        "Friends".to_owned(),
        "Work".to_owned(),
    ];
    let stanza = round_trip(set_item("s-1", &bob, Some("Bob"), &groups));
    assert_eq!(stanza.attr("type"), Some("set"));
    let item = stanza
        .get_child("query", ns::ROSTER)
        .and_then(|q| q.get_child("item", ns::ROSTER))
        .unwrap();
    assert_eq!(item.attr("jid"), Some("bob@example.net"));
    assert_eq!(item.attr("name"), Some("Bob"));
    // A client must not set subscription or ask itself (RFC 6121 §2.1.2.5).
    assert_eq!(item.attr("subscription").unwrap_or("none"), "none");
    assert_eq!(item.attr("ask"), None);
    let written: Vec<String> = item.children().map(|g| g.text()).collect();
    assert_eq!(written, vec!["Friends", "Work"]);

    let unnamed = round_trip(set_item("s-2", &bob, None, &[]));
    let item = unnamed
        .get_child("query", ns::ROSTER)
        .unwrap()
        .get_child("item", ns::ROSTER)
        .unwrap();
    assert_eq!(item.attr("name"), None);
}

#[test]
fn remove_item_sets_subscription_remove() {
    let bob = BareJid::new("bob@example.net").unwrap();
    let stanza = round_trip(remove_item("rm-1", &bob));
    assert_eq!(stanza.attr("type"), Some("set"));
    assert_eq!(stanza.attr("id"), Some("rm-1"));
    let item = stanza
        .get_child("query", ns::ROSTER)
        .unwrap()
        .get_child("item", ns::ROSTER)
        .unwrap();
    assert_eq!(item.attr("jid"), Some("bob@example.net"));
    assert_eq!(item.attr("subscription"), Some("remove"));
}
