//! Message Archive Management (XEP-0313): queries, results, page ends, and archived messages.

use xmpp_parsers::ns;

use super::{iq, message, own, round_trip};
use crate::model::Direction;
use crate::xmpp::mam::{self, archived, page_end, ArchiveError, Cursor, PageEnd};
use crate::xmpp::message::{classify_archived, MessageFact};

const RSM: &str = "http://jabber.org/protocol/rsm";

/// A result of query `q1` holding `inner`, sent `from` (the account's own bare JID when None).
fn result(from: Option<&str>, query_id: &str, inner: &str) -> String {
    let from = from.map(|f| format!(" from='{f}'")).unwrap_or_default();
    format!(
        "<message xmlns='jabber:client' to='alice@example.org/desk'{from}>\
           <result xmlns='urn:xmpp:mam:2' queryid='{query_id}' id='A-7'>\
             <forwarded xmlns='urn:xmpp:forward:0'>\
               <delay xmlns='urn:xmpp:delay' stamp='2026-11-20T10:00:00Z'/>\
               {inner}\
             </forwarded>\
           </result>\
         </message>"
    )
}

const FROM_BOB: &str = "<message xmlns='jabber:client' type='chat' from='bob@example.org/pc' to='alice@example.org/phone' id='m1'><body>hi from bob</body><origin-id xmlns='urn:xmpp:sid:0' id='o1'/></message>";
const TO_BOB: &str = "<message xmlns='jabber:client' type='chat' from='alice@example.org/phone' to='bob@example.org' id='m2'><body>hi back</body></message>";

#[test]
fn queries_page_forward_back_or_by_time() {
    let stanza = round_trip(mam::query("mam-1", "q1", &Cursor::After("A-3".into())));
    assert_eq!(stanza.attr("type"), Some("set"));
    assert_eq!(stanza.attr("to"), None, "the user's own archive");
    let query = stanza.get_child("query", ns::MAM).unwrap();
    assert_eq!(query.attr("queryid"), Some("q1"));
    let set = query.get_child("set", RSM).unwrap();
    assert_eq!(set.get_child("after", RSM).unwrap().text(), "A-3");
    assert_eq!(
        set.get_child("max", RSM).unwrap().text(),
        mam::PAGE_SIZE.to_string()
    );

    let latest = round_trip(mam::query("mam-2", "q2", &Cursor::Latest));
    let set = latest
        .get_child("query", ns::MAM)
        .unwrap()
        .get_child("set", RSM)
        .unwrap();
    assert_eq!(
        set.get_child("before", RSM).unwrap().text(),
        "",
        "an empty <before/>: the newest page"
    );

    let back = round_trip(mam::query("mam-3", "q3", &Cursor::Before("A-9".into())));
    let set = back
        .get_child("query", ns::MAM)
        .unwrap()
        .get_child("set", RSM)
        .unwrap();
    assert_eq!(set.get_child("before", RSM).unwrap().text(), "A-9");

    let since = round_trip(mam::query("mam-4", "q4", &Cursor::Since(1_795_000_000_123)));
    let form = since
        .get_child("query", ns::MAM)
        .unwrap()
        .get_child("x", ns::DATA_FORMS)
        .unwrap();
    let start = form
        .children()
        .find(|f| f.attr("var") == Some("start"))
        .unwrap();
    assert_eq!(
        start.children().next().unwrap().text(),
        "2026-11-18T11:06:40.123Z"
    );
}

#[test]
fn only_the_users_own_archive_and_query_count() {
    let own = own();
    for from in [None, Some("alice@example.org")] {
        let got = archived(&message(&result(from, "q1", FROM_BOB)), &own, "q1").unwrap();
        assert_eq!(got.archive_id, "A-7");
        assert!(got
            .message
            .payloads
            .iter()
            .any(|p| p.is("delay", ns::DELAY)));
    }
    // Anyone else could forge history; another query's results belong to it.
    for (from, query_id) in [
        (Some("mallory@example.org"), "q1"),
        (Some("alice@example.org/other-device"), "q1"),
        (Some("example.org"), "q1"),
        (None, "q2"),
    ] {
        let forged = message(&result(from, query_id, FROM_BOB));
        assert!(mam::is_result(&forged));
        assert_eq!(archived(&forged, &own, "q1"), None, "{from:?} {query_id}");
    }
    assert!(!mam::is_result(&message(FROM_BOB)));
}

#[test]
fn archived_messages_are_read_both_ways_and_nothing_else() {
    let own = own();
    let incoming = archived(&message(&result(None, "q1", FROM_BOB)), &own, "q1").unwrap();
    let Some(MessageFact::Chat {
        peer,
        id,
        server_id,
        body,
        direction,
        timestamp_ms,
        receipt_id,
        ..
    }) = classify_archived(incoming.message, &own, &incoming.archive_id)
    else {
        panic!("a chat message");
    };
    assert_eq!(
        (peer.as_str(), body.as_str()),
        ("bob@example.org", "hi from bob")
    );
    assert_eq!(direction, Direction::Incoming);
    assert_eq!(id, "o1", "the origin-id, as it was stored live");
    assert_eq!(server_id.as_deref(), Some("A-7"));
    assert_eq!(timestamp_ms, Some(1_795_168_800_000), "the archive's time");
    assert_eq!(
        receipt_id, None,
        "nothing in the archive is acknowledged again"
    );

    let outgoing = archived(&message(&result(None, "q1", TO_BOB)), &own, "q1").unwrap();
    let Some(MessageFact::Chat {
        peer, direction, ..
    }) = classify_archived(outgoing.message, &own, "A-8")
    else {
        panic!("a chat message");
    };
    assert_eq!(
        (peer.as_str(), direction),
        ("bob@example.org", Direction::Outgoing)
    );

    // Receipts, and messages that are not the user's, give nothing.
    let receipt = message("<message xmlns='jabber:client' type='chat' from='bob@example.org/pc' to='alice@example.org'><received xmlns='urn:xmpp:receipts' id='m2'/></message>");
    assert_eq!(classify_archived(receipt, &own, "A-9"), None);
    let strangers = message("<message xmlns='jabber:client' type='chat' from='bob@example.org/pc' to='carol@example.org'><body>not yours</body></message>");
    assert_eq!(classify_archived(strangers, &own, "A-10"), None);
}

#[test]
fn page_ends_say_where_to_go_next() {
    let fin = |complete: &str| {
        iq(&format!(
            "<iq xmlns='jabber:client' type='result' id='mam-1'><fin xmlns='urn:xmpp:mam:2'{complete}><set xmlns='{RSM}'><first index='0'>A-1</first><last>A-50</last></set></fin></iq>"
        ))
    };
    let more = page_end(&fin("")).unwrap();
    assert_eq!(
        more,
        PageEnd {
            complete: false,
            first: Some("A-1".into()),
            last: Some("A-50".into())
        }
    );
    assert_eq!(
        more.next(&Cursor::After("A-0".into())),
        Some(Cursor::After("A-50".into()))
    );
    assert_eq!(
        more.next(&Cursor::Since(0)),
        Some(Cursor::After("A-50".into()))
    );
    assert_eq!(
        more.next(&Cursor::Latest),
        Some(Cursor::Before("A-1".into()))
    );
    assert_eq!(
        more.next(&Cursor::Before("A-51".into())),
        Some(Cursor::Before("A-1".into()))
    );
    let done = page_end(&fin(" complete='true'")).unwrap();
    assert_eq!(done.next(&Cursor::After("A-0".into())), None);

    // An empty page names no place to go on from: it ends the walk.
    let empty = iq(&format!("<iq xmlns='jabber:client' type='result' id='mam-1'><fin xmlns='urn:xmpp:mam:2'><set xmlns='{RSM}'/></fin></iq>"));
    assert_eq!(
        page_end(&empty).unwrap().next(&Cursor::After("A-0".into())),
        None
    );
}

#[test]
fn refusals_and_junk_are_told_apart() {
    let error = |condition: &str| {
        iq(&format!("<iq xmlns='jabber:client' type='error' id='mam-1'><error type='cancel'><{condition} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"))
    };
    assert_eq!(
        page_end(&error("item-not-found")),
        Err(ArchiveError::UnknownCursor)
    );
    assert!(matches!(
        page_end(&error("feature-not-implemented")),
        Err(ArchiveError::Unavailable(_))
    ));
    for junk in [
        "<iq xmlns='jabber:client' type='result' id='mam-1'/>",
        "<iq xmlns='jabber:client' type='result' id='mam-1'><query xmlns='jabber:iq:roster'/></iq>",
        "<iq xmlns='jabber:client' type='result' id='mam-1'><fin xmlns='urn:xmpp:mam:2'/></iq>",
    ] {
        assert!(
            matches!(page_end(&iq(junk)), Err(ArchiveError::Protocol(_))),
            "{junk}"
        );
    }
}

#[test]
fn the_archives_time_wins_over_a_stamp_the_sender_put_inside() {
    let backdated = "<message xmlns='jabber:client' type='chat' from='bob@example.org/pc' \
        to='alice@example.org/phone' id='m3'><body>backdated</body>\
        <delay xmlns='urn:xmpp:delay' from='example.org' stamp='2001-01-01T00:00:00Z'/></message>";
    let stanza = message(&result(None, "q1", backdated));
    let found = archived(&stanza, &own(), "q1").expect("a result");
    let fact = classify_archived(found.message, &own(), &found.archive_id);
    let Some(MessageFact::Chat { timestamp_ms, .. }) = fact else {
        panic!("{fact:?}");
    };
    let archived_at = chrono::DateTime::parse_from_rfc3339("2026-11-20T10:00:00Z")
        .unwrap()
        .timestamp_millis();
    assert_eq!(timestamp_ms, Some(archived_at));
}
