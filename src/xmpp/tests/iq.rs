//! Pings, service discovery and answering every request.

use jid::Jid;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::ns;

use super::{fixture, iq, round_trip};
use crate::xmpp::iq::{answer, ping, refuse, CLIENT_NAME, FEATURES};

/// The answer to `xml`, serialised and parsed back.
fn answered(xml: &str, extra: &[&str]) -> Option<minidom::Element> {
    answer(&iq(xml), extra).map(round_trip)
}

#[test]
fn ping_goes_to_the_given_address() {
    let server = Jid::new("example.org").unwrap();
    let stanza = round_trip(ping("p-1", &server));
    assert_eq!(stanza.attr("type"), Some("get"));
    assert_eq!(stanza.attr("to"), Some("example.org"));
    assert_eq!(stanza.attr("id"), Some("p-1"));
    assert!(stanza.has_child("ping", ns::PING));
}

#[test]
fn ping_is_answered_with_an_empty_result() {
    let xml = "<iq xmlns='jabber:client' from='example.org' to='alice@example.org/nudge' type='get' id='s2c1'><ping xmlns='urn:xmpp:ping'/></iq>";
    let reply = answered(xml, &[]).unwrap();
    assert_eq!(reply.attr("type"), Some("result"));
    assert_eq!(reply.attr("to"), Some("example.org"));
    assert_eq!(reply.attr("id"), Some("s2c1"));
    assert_eq!(reply.children().count(), 0);
}

#[test]
fn disco_info_names_nudge_and_its_features() {
    let reply = answered(fixture!("disco_info_get"), &["urn:example:session-invite"]).unwrap();
    assert_eq!(reply.attr("type"), Some("result"));
    assert_eq!(reply.attr("to"), Some("bob@example.net/phone"));
    assert_eq!(reply.attr("id"), Some("disco-1"));
    let query = reply.get_child("query", ns::DISCO_INFO).unwrap();
    let identity = query.get_child("identity", ns::DISCO_INFO).unwrap();
    assert_eq!(identity.attr("category"), Some("client"));
    assert_eq!(identity.attr("type"), Some("pc"));
    assert_eq!(identity.attr("name"), Some(CLIENT_NAME));
    let features: Vec<&str> = query
        .children()
        .filter(|c| c.is("feature", ns::DISCO_INFO))
        .filter_map(|c| c.attr("var"))
        .collect();
    for required in [
        "urn:xmpp:receipts",
        "http://jabber.org/protocol/chatstates",
        "urn:xmpp:carbons:2",
        "urn:xmpp:ping",
        "http://jabber.org/protocol/disco#info",
        "urn:example:session-invite",
    ] {
        assert!(
            features.contains(&required),
            "{required} missing from {features:?}"
        );
    }
    assert_eq!(features.len(), FEATURES.len() + 1);
    let mut sorted = features.clone();
    sorted.sort();
    assert_eq!(features, sorted, "features are listed in a stable order");
}

#[test]
fn disco_info_for_an_unknown_node_is_item_not_found() {
    let xml = "<iq xmlns='jabber:client' from='bob@example.net/phone' type='get' id='d2'><query xmlns='http://jabber.org/protocol/disco#info' node='http://example.org#abc'/></iq>";
    let reply = answered(xml, &[]).unwrap();
    assert_eq!(reply.attr("type"), Some("error"));
    let error = reply.get_child("error", ns::DEFAULT_NS).unwrap();
    assert!(error.has_child("item-not-found", ns::XMPP_STANZAS));
}

#[test]
fn every_other_request_gets_service_unavailable() {
    let cases = [
        "<iq xmlns='jabber:client' from='bob@example.net/phone' type='get' id='o1'><query xmlns='jabber:iq:version'/></iq>",
        "<iq xmlns='jabber:client' from='bob@example.net/phone' type='get' id='o2'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>",
        "<iq xmlns='jabber:client' from='bob@example.net/phone' type='set' id='o3'><jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='x'/></iq>",
        "<iq xmlns='jabber:client' from='mallory@evil.example/x' type='set' id='o4'><query xmlns='jabber:iq:roster'><item jid='mallory@evil.example'/></query></iq>",
        "<iq xmlns='jabber:client' from='bob@example.net/phone' type='get' id='o5'><unknown xmlns='urn:example:future'/></iq>",
    ];
    for xml in cases {
        let reply = answered(xml, &[]).unwrap();
        let request = iq(xml);
        assert_eq!(reply.attr("type"), Some("error"), "{xml}");
        assert_eq!(reply.attr("id"), Some(request.id()), "{xml}");
        assert_eq!(
            reply.attr("to"),
            request.from().map(|f| f.as_str()),
            "{xml}"
        );
        let error = reply.get_child("error", ns::DEFAULT_NS).unwrap();
        assert_eq!(error.attr("type"), Some("cancel"));
        assert!(
            error.has_child("service-unavailable", ns::XMPP_STANZAS),
            "{xml}"
        );
    }
}

#[test]
fn results_and_errors_are_never_answered() {
    let cases = [
        "<iq xmlns='jabber:client' from='example.org' type='result' id='r1'/>",
        "<iq xmlns='jabber:client' from='example.org' type='error' id='r2'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
    ];
    for xml in cases {
        assert_eq!(answered(xml, &[]), None, "{xml}");
    }
}

#[test]
fn refuse_answers_even_a_known_request() {
    // The caller uses this to keep features from strangers.
    let request = iq(fixture!("disco_info_get"));
    let Iq::Error { to, id, error, .. } = refuse(&request) else {
        panic!("refuse must give an error")
    };
    assert_eq!(to, request.from().cloned());
    assert_eq!(id, "disco-1");
    assert_eq!(
        error.defined_condition,
        xmpp_parsers::stanza_error::DefinedCondition::ServiceUnavailable
    );
}
