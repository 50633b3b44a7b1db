//! Own presence, contacts' availability and subscriptions.

use jid::BareJid;
use xmpp_parsers::ns;

use super::{own, presence, round_trip};
use crate::model::{bare, Availability};
use crate::xmpp::presence::{
    build_own, build_subscription, classify, PresenceFact, SubscriptionKind,
};

/// Classifies XML as received by alice.
fn fact(xml: &str) -> Option<PresenceFact> {
    classify(presence(xml), &own())
}

/// Availability fact as the tests write it.
fn available(
    resource: &str,
    availability: Availability,
    status: Option<&str>,
    priority: i8,
) -> Option<PresenceFact> {
    Some(PresenceFact::Availability {
        jid: bare("bob@example.net"),
        resource: resource.into(),
        availability,
        status: status.map(Into::into),
        priority,
    })
}

#[test]
fn own_presence_for_each_availability() {
    let cases = [
        (Availability::Online, None, None),
        (Availability::Away, None, Some("away")),
        (Availability::Busy, None, Some("dnd")),
        (Availability::AppearOffline, Some("unavailable"), None),
        (Availability::Offline, Some("unavailable"), None),
    ];
    for (availability, type_, show) in cases {
        let stanza = round_trip(build_own(availability, Some("Lunch"), 5));
        assert_eq!(stanza.attr("type"), type_, "{availability:?}");
        let shown = stanza.get_child("show", ns::DEFAULT_NS).map(|s| s.text());
        assert_eq!(shown.as_deref(), show, "{availability:?}");
        let status = stanza.get_child("status", ns::DEFAULT_NS).map(|s| s.text());
        assert_eq!(status.as_deref(), Some("Lunch"), "{availability:?}");
        let priority = stanza
            .get_child("priority", ns::DEFAULT_NS)
            .map(|s| s.text());
        // Priority only means something for available presence.
        if type_.is_none() {
            assert_eq!(priority.as_deref(), Some("5"), "{availability:?}");
        } else {
            assert_ne!(priority.as_deref(), Some("5"), "{availability:?}");
        }
        assert_eq!(stanza.attr("to"), None, "own presence is a broadcast");
    }
    let plain = round_trip(build_own(Availability::Online, Some(""), 0));
    assert!(!plain.has_child("status", ns::DEFAULT_NS));
}

#[test]
fn contact_availability_from_show() {
    let cases = [
        ("", "", Availability::Online),
        ("", "<show>chat</show>", Availability::Online),
        ("", "<show>away</show>", Availability::Away),
        ("", "<show>xa</show>", Availability::Away),
        ("", "<show>dnd</show>", Availability::Busy),
        ("type='unavailable'", "", Availability::Offline),
        (
            "type='unavailable'",
            "<show>dnd</show>",
            Availability::Offline,
        ),
    ];
    for (attrs, children, expected) in cases {
        let xml = format!("<presence xmlns='jabber:client' from='Bob@example.net/Phone' {attrs}>{children}<priority>3</priority></presence>");
        assert_eq!(
            fact(&xml),
            available("Phone", expected, None, 3),
            "{attrs} {children}"
        );
    }
}

#[test]
fn presence_error_means_offline() {
    let xml = "<presence xmlns='jabber:client' from='bob@example.net' type='error'><error type='cancel'><remote-server-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>";
    assert_eq!(fact(xml), available("", Availability::Offline, None, 0));
}

#[test]
fn status_is_read_trimmed_and_clipped() {
    let xml = "<presence xmlns='jabber:client' from='bob@example.net/laptop'><status xml:lang='de'>Mittag</status><status>  At lunch  </status></presence>";
    assert_eq!(
        fact(xml),
        available("laptop", Availability::Online, Some("At lunch"), 0)
    );
    let blank = "<presence xmlns='jabber:client' from='bob@example.net/laptop'><status>   </status></presence>";
    assert_eq!(
        fact(blank),
        available("laptop", Availability::Online, None, 0)
    );
    let flood = format!("<presence xmlns='jabber:client' from='bob@example.net/laptop'><status>{}</status></presence>", "a".repeat(50_000));
    let Some(PresenceFact::Availability {
        status: Some(status),
        ..
    }) = fact(&flood)
    else {
        panic!("status expected")
    };
    assert_eq!(status.chars().count(), 1000);
}

#[test]
fn status_loses_control_characters_that_could_reach_a_terminal() {
    // C1 controls such as CSI (U+009B) are legal XML but start escape sequences in terminals.
    let xml = "<presence xmlns='jabber:client' from='bob@example.net/x'><status>a&#x9B;31mb&#x85;c\td</status></presence>";
    assert_eq!(
        fact(xml),
        available("x", Availability::Online, Some("a31mbc\td"), 0)
    );
}

#[test]
fn presence_from_an_unknown_resource_or_stranger_is_still_reported() {
    // Whether the sender is a contact is the roster's business; the fact names them exactly.
    let xml = "<presence xmlns='jabber:client' from='stranger@elsewhere.example/never-seen-before'><show>away</show></presence>";
    assert_eq!(
        fact(xml),
        Some(PresenceFact::Availability {
            jid: bare("stranger@elsewhere.example"),
            resource: "never-seen-before".into(),
            availability: Availability::Away,
            status: None,
            priority: 0,
        })
    );
}

#[test]
fn subscription_presences() {
    let cases = [
        (
            "subscribe",
            Some(PresenceFact::SubscribeRequest {
                jid: bare("bob@example.net"),
            }),
        ),
        (
            "subscribed",
            Some(PresenceFact::Subscribed {
                jid: bare("bob@example.net"),
            }),
        ),
        (
            "unsubscribed",
            Some(PresenceFact::Unsubscribed {
                jid: bare("bob@example.net"),
            }),
        ),
        ("unsubscribe", None),
        ("probe", None),
    ];
    for (type_, expected) in cases {
        let xml = format!(
            "<presence xmlns='jabber:client' from='bob@example.net/phone' type='{type_}'/>"
        );
        assert_eq!(fact(&xml), expected, "{type_}");
    }
}

#[test]
fn presence_that_is_not_about_a_contact_gives_nothing() {
    let cases = [
        "<presence xmlns='jabber:client'/>",
        "<presence xmlns='jabber:client' from='alice@example.org/desktop' type='subscribe'/>",
        "<presence xmlns='jabber:client' from='room@muc.example.org/bob'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' role='participant'/></x></presence>",
    ];
    for xml in cases {
        assert_eq!(fact(xml), None, "{xml}");
    }
}

#[test]
fn own_other_devices_are_reported() {
    let xml = "<presence xmlns='jabber:client' from='alice@example.org/phone'><show>xa</show><priority>-1</priority></presence>";
    assert_eq!(
        fact(xml),
        Some(PresenceFact::Availability {
            jid: bare("alice@example.org"),
            resource: "phone".into(),
            availability: Availability::Away,
            status: None,
            priority: -1,
        })
    );
}

#[test]
fn unknown_payloads_are_ignored() {
    let xml = "<presence xmlns='jabber:client' from='bob@example.net/phone'><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='v'/><x xmlns='vcard-temp:x:update'><photo/></x><future xmlns='urn:example:new'/></presence>";
    assert_eq!(fact(xml), available("phone", Availability::Online, None, 0));
}

#[test]
fn build_subscription_for_each_kind() {
    let bob = BareJid::new("bob@example.net").unwrap();
    let cases = [
        (SubscriptionKind::Subscribe, "subscribe"),
        (SubscriptionKind::Subscribed, "subscribed"),
        (SubscriptionKind::Unsubscribe, "unsubscribe"),
        (SubscriptionKind::Unsubscribed, "unsubscribed"),
    ];
    for (kind, type_) in cases {
        let stanza = round_trip(build_subscription(&bob, kind));
        assert_eq!(stanza.name(), "presence");
        assert_eq!(stanza.attr("type"), Some(type_));
        assert_eq!(stanza.attr("to"), Some("bob@example.net"));
    }
}
