//! Catching up with the server's message archive (XEP-0313) after signing in: where a catch-up
//! starts, how it pages, what is stored and shown, and what is dropped.

use super::*;
use crate::core::account::StoreAnswer;
use crate::model::{bare, ChatMessage, Delivery, Direction};
use crate::xmpp::mam::{FIRST_SYNC_SIZE, PAGE_SIZE};

const BOB: &str = "bob@example.org";
const CAROL: &str = "carol@example.net";
const MAM: &str = "urn:xmpp:mam:2";
const RSM: &str = "http://jabber.org/protocol/rsm";

/// One archive query the account sent.
#[derive(Debug)]
pub(super) struct Query {
    /// The iq's id (answered by the `<fin/>`).
    pub id: String,
    /// The `queryid` every result of the page carries.
    pub query_id: String,
    /// `<before/>`, if going back (empty: the newest page).
    pub before: Option<String>,
    /// `<after/>`, if going forward.
    pub after: Option<String>,
    /// The form's `start`, if going by time.
    pub start: Option<String>,
}

/// Takes every stanza sent and returns the archive queries among them.
pub(super) fn queries(script: &mut Script) -> Vec<Query> {
    script
        .sent()
        .iter()
        .filter_map(|iq| {
            let query = iq.get_child("query", MAM)?;
            let set = query.get_child("set", RSM);
            let text = |name: &str| set.and_then(|s| s.get_child(name, RSM)).map(|e| e.text());
            if let Some(max) = text("max") {
                assert_eq!(max, PAGE_SIZE.to_string());
            }
            let start = query
                .get_child("x", "jabber:x:data")
                .and_then(|x| x.children().find(|f| f.attr("var") == Some("start")))
                .and_then(|f| f.children().next().map(|v| v.text()));
            Some(Query {
                id: iq.attr("id")?.to_string(),
                query_id: query.attr("queryid")?.to_string(),
                before: text("before"),
                after: text("after"),
                start,
            })
        })
        .collect()
}

/// Takes every stanza sent and returns the one archive query among them.
pub(super) fn the_query(script: &mut Script) -> Query {
    let mut all = queries(script);
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0)
}

/// The time archived message `n` was sent: an hour before the scripts' clock, a second apart.
fn sent_at(n: usize) -> i64 {
    T0 - 3_600_000 + n as i64 * 1000
}

/// Archived message `n` between Bob and the user (odd: from Bob; even: from the user's phone).
pub(super) fn archived(query_id: &str, n: usize) -> String {
    archived_with(query_id, n, BOB, None)
}

/// Archived message `n` with `peer`, forwarded `from` (the user's own account when `None`).
fn archived_with(query_id: &str, n: usize, peer: &str, from: Option<&str>) -> String {
    let from = from.map(|f| format!(" from='{f}'")).unwrap_or_default();
    let (sender, to) = match n % 2 {
        1 => (format!("{peer}/pc"), format!("{ALICE}/phone")),
        _ => (format!("{ALICE}/phone"), peer.to_string()),
    };
    let stamp = chrono::DateTime::from_timestamp_millis(sent_at(n))
        .expect("a time")
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    format!(
        "<message to='{DESK}'{from}><result xmlns='{MAM}' queryid='{query_id}' id='{}'>\
         <forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='{stamp}'/>\
         <message xmlns='jabber:client' type='chat' from='{sender}' to='{to}' id='m{n}'>\
         <body>message {n}</body></message></forwarded></result></message>",
        archive_id(n)
    )
}

pub(super) fn archive_id(n: usize) -> String {
    format!("A-{n:04}")
}

/// The `<fin/>` ending page `id` (from the user's own server).
pub(super) fn fin(id: &str, complete: bool, first: usize, last: usize) -> String {
    format!(
        "<iq type='result' id='{id}' to='{DESK}'><fin xmlns='{MAM}' complete='{complete}'>\
         <set xmlns='{RSM}'><first>{}</first><last>{}</last></set></fin></iq>",
        archive_id(first),
        archive_id(last)
    )
}

/// Sends archived messages `range` as results of `query`.
fn page(script: &mut Script, query: &Query, range: std::ops::RangeInclusive<usize>) {
    for n in range {
        script.stanza(&archived(&query.query_id, n));
    }
}

/// A stored message of an earlier catch-up.
fn stored_message(n: usize) -> ChatMessage {
    ChatMessage {
        id: format!("m{n}"),
        peer: bare(BOB),
        direction: Direction::Incoming,
        body: format!("message {n}"),
        timestamp_ms: sent_at(n),
        delivery: Delivery::Received,
    }
}

/// A device that caught up to archived message `newest` before, signing in again; its first
/// archive query.
fn known_device(newest: usize) -> (Script, Query) {
    let mut script = Script::new();
    script
        .store
        .insert_archived(&[(stored_message(newest), archive_id(newest))])
        .expect("seed");
    signed_in(script)
}

/// A device with nothing stored, signing in; its first archive query.
fn new_device() -> (Script, Query) {
    signed_in(Script::new())
}

fn signed_in(mut script: Script) -> (Script, Query) {
    script.sign_in_and_connect(true);
    script.answer_roster(&[Contact::mutual(BOB, "Bob")]);
    let query = the_query(&mut script);
    script.effects.clear();
    (script, query)
}

/// The archive ids of every message the store was asked to keep from the archive, in order.
fn archive_inserts(script: &Script) -> Vec<Vec<String>> {
    script
        .store_ops
        .iter()
        .filter_map(|op| match op {
            StoreOp::InsertArchived { messages } => {
                Some(messages.iter().map(|(_, id)| id.clone()).collect())
            }
            _ => None,
        })
        .collect()
}

fn synced(events: &[Event]) -> Vec<usize> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::HistorySynced { new_messages } => Some(*new_messages),
            _ => None,
        })
        .collect()
}

#[test]
fn a_new_device_asks_for_the_newest_page() {
    let (_, query) = new_device();
    assert_eq!(query.before.as_deref(), Some(""), "{query:?}");
    assert_eq!((query.after, query.start), (None, None));
}

#[test]
fn a_new_device_goes_back_until_it_has_enough_then_stores_all_in_archive_order() {
    // Two pages, each short of what a new device wants, together enough.
    let half = FIRST_SYNC_SIZE / 2 + 10;
    let (mut script, first) = new_device();
    page(&mut script, &first, half + 1..=2 * half);
    script.stanza(&fin(&first.id, false, half + 1, 2 * half));
    assert!(archive_inserts(&script).is_empty(), "nothing stored yet");
    let second = the_query(&mut script);
    assert_eq!(second.before, Some(archive_id(half + 1)));
    page(&mut script, &second, 1..=half);
    script.stanza(&fin(&second.id, false, 1, half));
    assert!(queries(&mut script).is_empty(), "enough for a new device");
    let expected: Vec<String> = (1..=2 * half).map(archive_id).collect();
    assert_eq!(archive_inserts(&script), [expected]);
    assert_eq!(synced(&script.events()), [2 * half]);
    let stored = script.stored(BOB);
    assert_eq!(stored.first().map(|m| m.id.as_str()), Some("m1"));
    assert_eq!(
        stored.last().map(|m| m.id.clone()),
        Some(format!("m{}", 2 * half))
    );
}

#[test]
fn a_new_device_stops_at_the_start_of_the_archive() {
    let (mut script, query) = new_device();
    page(&mut script, &query, 1..=10);
    script.stanza(&fin(&query.id, true, 1, 10));
    assert!(queries(&mut script).is_empty());
    assert_eq!(archive_inserts(&script).len(), 1);
    assert_eq!(synced(&script.events()), [10]);
    assert_eq!(script.stored(BOB).len(), 10);
}

#[test]
fn a_known_device_asks_after_the_newest_archived_message_it_stored() {
    let (_, query) = known_device(5);
    assert_eq!(query.after, Some(archive_id(5)));
    assert_eq!((query.before, query.start), (None, None));
}

#[test]
fn a_known_device_stores_each_page_as_it_ends_and_asks_for_the_next() {
    let (mut script, first) = known_device(5);
    page(&mut script, &first, 6..=8);
    script.stanza(&fin(&first.id, false, 6, 8));
    assert_eq!(
        archive_inserts(&script),
        [vec![archive_id(6), archive_id(7), archive_id(8)]]
    );
    assert_eq!(script.stored(BOB).len(), 4, "stored before the next page");
    let second = the_query(&mut script);
    assert_eq!(second.after, Some(archive_id(8)));
    assert_ne!(second.query_id, first.query_id);
    page(&mut script, &second, 9..=9);
    script.stanza(&fin(&second.id, true, 9, 9));
    assert!(queries(&mut script).is_empty());
    assert_eq!(synced(&script.events()), [4]);
}

#[test]
fn results_of_another_query_are_dropped() {
    let (mut script, query) = known_device(5);
    script.stanza(&archived("someone-elses-query", 6));
    page(&mut script, &query, 7..=7);
    script.stanza(&fin(&query.id, true, 7, 7));
    assert_eq!(archive_inserts(&script), [vec![archive_id(7)]]);
    assert_eq!(synced(&script.events()), [1]);
}

#[test]
fn results_from_anyone_but_the_users_account_are_dropped_and_not_shown() {
    let (mut script, query) = known_device(5);
    for from in [
        "bob@example.org/pc",
        "mallory@evil.example",
        "alice@example.org/phone",
    ] {
        script.stanza(&archived_with(&query.query_id, 6, BOB, Some(from)));
    }
    script.stanza(&archived_with(&query.query_id, 7, BOB, Some(ALICE)));
    script.stanza(&fin(&query.id, true, 7, 7));
    assert_eq!(archive_inserts(&script), [vec![archive_id(7)]]);
    let events = script.events();
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::MessageReceived { .. })),
        "{events:?}"
    );
}

#[test]
fn a_page_with_more_results_than_allowed_is_cut_off() {
    let (mut script, query) = new_device();
    let limit = PAGE_SIZE * 2;
    page(&mut script, &query, 1..=limit + 3);
    script.stanza(&fin(&query.id, true, 1, limit + 3));
    let inserts = archive_inserts(&script);
    assert_eq!(inserts.len(), 1);
    assert_eq!(inserts[0].len(), limit);
    assert_eq!(inserts[0].last(), Some(&archive_id(limit)));
    assert_eq!(synced(&script.events()), [limit]);
}

#[test]
fn a_server_that_forgot_the_stored_id_is_asked_by_time_instead() {
    let (mut script, query) = known_device(5);
    script.stanza(&format!(
        "<iq type='error' id='{}'><error type='cancel'>\
         <item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
        query.id
    ));
    let by_time = the_query(&mut script);
    let expected = chrono::DateTime::from_timestamp_millis(sent_at(5))
        .expect("a time")
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    assert_eq!(by_time.start, Some(expected));
    assert_eq!((&by_time.before, &by_time.after), (&None, &None));
    page(&mut script, &by_time, 5..=6);
    script.stanza(&fin(&by_time.id, true, 5, 6));
    assert_eq!(
        synced(&script.events()),
        [1],
        "message 5 was stored already"
    );
}

#[test]
fn an_archive_the_server_will_not_share_ends_the_catch_up_quietly() {
    let (mut script, query) = known_device(5);
    script.stanza(&format!(
        "<iq type='error' id='{}'><error type='cancel'>\
         <feature-not-implemented xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
        query.id
    ));
    assert!(queries(&mut script).is_empty());
    assert_eq!(synced(&script.events()), [0]);
}

#[test]
fn archived_messages_are_shown_as_history_per_conversation_and_do_not_ring() {
    let (mut script, query) = known_device(5);
    script.stanza(&archived_with(&query.query_id, 6, BOB, None));
    script.stanza(&archived_with(&query.query_id, 7, CAROL, None));
    script.stanza(&archived_with(&query.query_id, 8, BOB, None));
    script.stanza(&fin(&query.id, true, 6, 8));
    let events = script.events();
    let shown: Vec<(String, Vec<String>)> = events
        .iter()
        .filter_map(|e| match e {
            Event::HistoryLoaded { peer, messages } => Some((
                peer.to_string(),
                messages.iter().map(|m| m.id.clone()).collect(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        shown,
        [
            (BOB.to_string(), vec!["m6".to_string(), "m8".to_string()]),
            (CAROL.to_string(), vec!["m7".to_string()]),
        ]
    );
    assert!(!events
        .iter()
        .any(|e| matches!(e, Event::MessageReceived { .. })));
    assert!(matches!(
        events.last(),
        Some(Event::HistorySynced { new_messages: 3 })
    ));
    let jobs = script.jobs();
    assert!(
        !jobs
            .iter()
            .any(|j| matches!(j, Effect::Notify { .. } | Effect::PlaySound(_))),
        "{jobs:?}"
    );
    let directions: Vec<Direction> = script.stored(BOB).iter().map(|m| m.direction).collect();
    assert_eq!(
        directions,
        [
            Direction::Incoming,
            Direction::Outgoing,
            Direction::Outgoing
        ],
        "5 was stored as incoming, 6 and 8 the user sent from the phone"
    );
}

#[test]
fn messages_already_stored_are_not_counted_as_new() {
    let mut script = Script::new();
    let mut known = stored_message(2);
    known.direction = Direction::Outgoing;
    known.delivery = Delivery::Sent;
    script.store.insert_message(&known).expect("seed");
    let (mut script, query) = signed_in(script);
    assert_eq!(
        query.before.as_deref(),
        Some(""),
        "no archive id stored yet"
    );
    page(&mut script, &query, 1..=3);
    script.stanza(&fin(&query.id, true, 1, 3));
    let events = script.events();
    assert_eq!(synced(&events), [2]);
    let shown: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::HistoryLoaded { messages, .. } => {
                Some(messages.iter().map(|m| m.id.clone()).collect::<Vec<_>>())
            }
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(shown, ["m1", "m3"]);
    assert_eq!(script.stored(BOB).len(), 3);
}

#[test]
fn a_page_the_store_cannot_keep_is_reported_and_the_catch_up_stops() {
    let (mut script, query) = known_device(5);
    page(&mut script, &query, 6..=8);
    script.holding = true;
    script.stanza(&fin(&query.id, false, 6, 8));
    assert!(matches!(
        &script.held[..],
        [StoreOp::InsertArchived { messages }] if messages.len() == 3
    ));
    script.held.clear();
    script.holding = false;
    script.answer(Answer::Store(StoreAnswer::ArchivedInserted {
        result: Err("disk full".into()),
    }));
    let events = script.events();
    assert_eq!(
        events,
        [Event::Problem {
            problem: Problem::ArchiveNotSaved {
                detail: "disk full".into()
            }
        }]
    );
    assert!(queries(&mut script).is_empty(), "no next page");
    assert_eq!(script.stored(BOB).len(), 1);
}

#[test]
fn a_link_lost_while_a_page_is_being_stored_asks_for_nothing_more() {
    let (mut script, query) = known_device(5);
    page(&mut script, &query, 6..=8);
    script.holding = true;
    script.stanza(&fin(&query.id, false, 6, 8));
    script.input(Input::Disconnected {
        reason: "cut".into(),
    });
    script.release_held();
    assert!(queries(&mut script).is_empty());
    assert_eq!(script.stored(BOB).len(), 4, "the page is kept");
    // The next fresh stream picks up after what was stored.
    script.advance(60_000);
    let attempt = script.connect_attempt().expect("reconnects");
    script.connected(attempt, false, true);
    assert_eq!(the_query(&mut script).after, Some(archive_id(8)));
}

/// Message `n` from Bob arriving live, with the archive id the user's server gave it.
fn live_with_archive_id(n: usize) -> String {
    format!(
        "<message type='chat' from='{BOB}/pc' to='{DESK}' id='m{n}'><body>message {n}</body>\
         <stanza-id xmlns='urn:xmpp:sid:0' id='{}' by='{ALICE}'/></message>",
        archive_id(n)
    )
}

#[test]
fn a_catch_up_cut_short_starts_again_where_it_started_not_after_live_messages() {
    // The server archived 6..=9 while the device was away; the catch-up's page is lost with
    // the link, but message 10 arrived live before that.
    let (mut script, query) = known_device(5);
    page(&mut script, &query, 6..=7);
    script.stanza(&live_with_archive_id(10));
    assert_eq!(
        script.stored(BOB).len(),
        2,
        "the live message is shown and kept"
    );
    script.input(Input::Disconnected {
        reason: "cut".into(),
    });
    script.advance(60_000);
    let attempt = script.connect_attempt().expect("reconnects");
    script.connected(attempt, false, true);
    let again = the_query(&mut script);
    assert_eq!(again.after, Some(archive_id(5)), "6..=9 are still to fetch");
    // The archive brings the live message too: it is recognised, and the next catch-up
    // starts after it.
    page(&mut script, &again, 6..=10);
    script.stanza(&fin(&again.id, true, 6, 10));
    assert_eq!(script.stored(BOB).len(), 6);
    assert_eq!(synced(&script.events()), [4]);
    assert_eq!(
        script
            .store
            .newest_archived()
            .expect("reads")
            .map(|(id, _)| id),
        Some(archive_id(10))
    );
}

#[test]
fn a_device_killed_during_its_catch_up_fetches_what_it_missed_when_it_starts_again() {
    let (mut script, query) = known_device(5);
    page(&mut script, &query, 6..=7);
    script.stanza(&live_with_archive_id(10));
    // What the store kept is all a new start has to go by.
    let mut restarted = script.restarted();
    restarted.effects.clear();
    let (_, query) = signed_in(restarted);
    assert_eq!(query.after, Some(archive_id(5)));
}
