//! What contacts' devices support (XEP-0030 disco, XEP-0115 caps): asked of contacts only, once
//! per caps node, believed only from the device asked; and what this client tells others.

use tokio_xmpp::parsers::disco::DiscoInfoResult;

use super::*;
use crate::xmpp::caps;

const BOB: &str = "bob@example.org";
const BOB_LAPTOP: &str = "bob@example.org/laptop";
const BOB_PHONE: &str = "bob@example.org/phone";
const CAROL: &str = "carol@example.net";
const DISCO: &str = "http://jabber.org/protocol/disco#info";
const CHESS: &str = "{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}";
const SESSION_INVITE: &str = "urn:nudge:session-invite:0";

/// What a Nudge with the chess game registered answers.
fn chess_info() -> DiscoInfoResult {
    crate::xmpp::iq::disco_info(&[&crate::xmpp::invite::app_feature(CHESS)])
}

/// The caps `node#ver` of `info`.
fn node_of(info: &DiscoInfoResult) -> String {
    format!("https://nudge.example/client#{}", caps::ver(info))
}

/// Presence from `from` advertising `info` in its caps.
fn presence_with_caps(from: &str, info: &DiscoInfoResult) -> String {
    format!(
        "<presence from='{from}'><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' \
         node='https://nudge.example/client' ver='{}'/></presence>",
        caps::ver(info)
    )
}

/// The answer to disco request `id` from `from`, carrying `info`.
fn disco_answer(from: &str, id: &str, info: DiscoInfoResult) -> String {
    let payload = String::from(&Element::from(info));
    format!("<iq type='result' id='{id}' from='{from}' to='{DESK}'>{payload}</iq>")
}

/// The disco#info queries sent so far, as (to, node).
fn disco_queries(script: &mut Script) -> Vec<(String, Option<String>)> {
    script
        .sent()
        .iter()
        .filter(|s| s.name() == "iq" && s.attr("type") == Some("get"))
        .filter_map(|s| {
            let query = s.get_child("query", DISCO)?;
            Some((
                s.attr("to").unwrap_or_default().to_string(),
                query.attr("node").map(String::from),
            ))
        })
        .collect()
}

fn apps_known(events: &[Event]) -> Vec<(String, String, Vec<String>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::ContactAppsKnown {
                jid,
                resource,
                apps,
            } => Some((jid.to_string(), resource.clone(), apps.clone())),
            _ => None,
        })
        .collect()
}

fn features(reply: &Element) -> Vec<String> {
    reply
        .get_child("query", DISCO)
        .map(|q| {
            q.children()
                .filter(|c| c.name() == "feature")
                .filter_map(|f| f.attr("var").map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn only_roster_contacts_are_asked_what_their_device_supports() {
    let mut script = Script::online();
    let info = chess_info();
    script.stanza(&presence_with_caps("stranger@example.net/pc", &info));
    assert!(disco_queries(&mut script).is_empty());
    script.stanza(&presence_with_caps(BOB_LAPTOP, &info));
    assert_eq!(
        disco_queries(&mut script),
        [(BOB_LAPTOP.to_string(), Some(node_of(&info)))]
    );
}

#[test]
fn a_device_is_asked_once_per_caps_node() {
    let mut script = Script::online();
    let info = chess_info();
    script.stanza(&presence_with_caps(BOB_LAPTOP, &info));
    script.stanza(&presence_with_caps(BOB_LAPTOP, &info));
    assert_eq!(disco_queries(&mut script).len(), 1, "the same node again");
    let plain = crate::xmpp::iq::disco_info(&[]);
    script.stanza(&presence_with_caps(BOB_LAPTOP, &plain));
    assert_eq!(
        disco_queries(&mut script),
        [(BOB_LAPTOP.to_string(), Some(node_of(&plain)))],
        "a new node is asked about"
    );
}

#[test]
fn a_contact_going_offline_is_not_asked() {
    let mut script = Script::online();
    script.stanza(&format!(
        "<presence from='{BOB_LAPTOP}' type='unavailable'/>"
    ));
    assert!(disco_queries(&mut script).is_empty());
}

#[test]
fn a_verified_answer_is_cached_so_other_devices_with_that_node_are_not_asked() {
    let mut script =
        Script::online_with(&[Contact::mutual(BOB, "Bob"), Contact::mutual(CAROL, "Carol")]);
    let info = chess_info();
    script.stanza(&presence_with_caps(BOB_LAPTOP, &info));
    let id = script.request_id(DISCO).expect("a disco query");
    script.sent();
    script.stanza(&disco_answer(BOB_LAPTOP, &id, chess_info()));
    assert_eq!(
        apps_known(&script.events()),
        [(BOB.into(), "laptop".into(), vec![CHESS.to_string()])]
    );
    script.stanza(&presence_with_caps(&format!("{CAROL}/pc"), &info));
    assert!(disco_queries(&mut script).is_empty(), "a cache hit");
    assert_eq!(
        apps_known(&script.events()),
        [(CAROL.into(), "pc".into(), vec![CHESS.to_string()])]
    );
}

#[test]
fn an_answer_that_does_not_match_its_caps_hash_is_not_cached() {
    let mut script = Script::online();
    let info = chess_info();
    script.stanza(&presence_with_caps(BOB_LAPTOP, &info));
    let id = script.request_id(DISCO).expect("a disco query");
    script.sent();
    // The laptop claims the hash of "chess" but answers with no apps at all.
    script.stanza(&disco_answer(
        BOB_LAPTOP,
        &id,
        crate::xmpp::iq::disco_info(&[]),
    ));
    assert_eq!(
        apps_known(&script.events()),
        [(BOB.into(), "laptop".into(), vec![])],
        "what the device said is true of that device"
    );
    script.stanza(&presence_with_caps(BOB_PHONE, &info));
    assert_eq!(
        disco_queries(&mut script),
        [(BOB_PHONE.to_string(), Some(node_of(&info)))],
        "the lie was not cached for the node"
    );
}

#[test]
fn a_disco_answer_counts_only_from_the_device_asked() {
    let mut script = Script::online();
    let info = chess_info();
    script.stanza(&presence_with_caps(BOB_LAPTOP, &info));
    let id = script.request_id(DISCO).expect("a disco query");
    script.sent();
    for forger in [BOB_PHONE, BOB, "mallory@evil.example/x", "example.org"] {
        script.stanza(&disco_answer(forger, &id, chess_info()));
        assert!(apps_known(&script.events()).is_empty(), "{forger}");
    }
    script.stanza(&disco_answer(BOB_LAPTOP, &id, chess_info()));
    assert_eq!(apps_known(&script.events()).len(), 1);
}

#[test]
fn a_strangers_queries_go_unanswered() {
    let mut script = Script::online();
    for payload in [
        format!("<query xmlns='{DISCO}'/>"),
        "<ping xmlns='urn:xmpp:ping'/>".to_string(),
        "<query xmlns='jabber:iq:version'/>".to_string(),
    ] {
        script.stanza(&format!(
            "<iq type='get' id='q1' from='stranger@example.net/pc'>{payload}</iq>"
        ));
    }
    // Not even an error: it would tell a stranger this device is here.
    assert!(script.sent().is_empty());
}

#[test]
fn a_contacts_disco_query_is_answered_with_the_session_invite_features() {
    let mut script = Script::online();
    script.stanza(&format!(
        "<iq type='get' id='q2' from='{BOB_LAPTOP}'><query xmlns='{DISCO}'/></iq>"
    ));
    let sent = script.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].attr("type"), sent[0].attr("to")),
        (Some("result"), Some(BOB_LAPTOP))
    );
    let features = features(&sent[0]);
    assert!(features.iter().any(|f| f == SESSION_INVITE), "{features:?}");
    assert!(features
        .iter()
        .any(|f| f == "urn:xmpp:avatar:metadata+notify"));
}

#[test]
fn the_users_server_and_account_may_ask_what_this_client_supports() {
    let mut script = Script::online();
    for from in [
        None,
        Some("example.org"),
        Some(ALICE),
        Some("alice@example.org/phone"),
    ] {
        let from_attr = from.map(|f| format!(" from='{f}'")).unwrap_or_default();
        script.stanza(&format!(
            "<iq type='get' id='q3'{from_attr}><query xmlns='{DISCO}'/></iq>"
        ));
        let sent = script.sent();
        assert_eq!(sent[0].attr("type"), Some("result"), "{from:?}");
        assert!(features(&sent[0]).iter().any(|f| f == SESSION_INVITE));
    }
}

#[test]
fn a_query_for_this_clients_caps_node_is_answered_with_that_node() {
    let mut script = Script::online();
    script.command(Command::SetPresence {
        availability: crate::model::Availability::Online,
        status: None,
    });
    let presence = script
        .sent()
        .into_iter()
        .find(|s| s.name() == "presence")
        .expect("presence");
    let caps = presence
        .get_child("c", "http://jabber.org/protocol/caps")
        .expect("caps in the presence");
    let node = format!(
        "{}#{}",
        caps.attr("node").expect("node"),
        caps.attr("ver").expect("ver")
    );
    script.stanza(&format!(
        "<iq type='get' id='q4' from='{BOB_LAPTOP}'><query xmlns='{DISCO}' node='{node}'/></iq>"
    ));
    let sent = script.sent();
    assert_eq!(sent[0].attr("type"), Some("result"));
    let query = sent[0].get_child("query", DISCO).expect("a disco answer");
    assert_eq!(query.attr("node"), Some(node.as_str()));
    assert!(features(&sent[0]).iter().any(|f| f == SESSION_INVITE));
}

#[test]
fn a_query_for_a_node_this_client_does_not_have_is_answered_item_not_found() {
    let mut script = Script::online();
    script.stanza(&format!(
        "<iq type='get' id='q5' from='{BOB_LAPTOP}'><query xmlns='{DISCO}' node='urn:nudge:client#old'/></iq>"
    ));
    let sent = script.sent();
    assert_eq!(sent[0].attr("type"), Some("error"));
    let error = sent[0].get_child("error", "jabber:client").expect("error");
    assert!(error.has_child("item-not-found", "urn:ietf:params:xml:ns:xmpp-stanzas"));
}
