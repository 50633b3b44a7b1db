//! Forged answers: request ids are easy to guess in these scripts (`id1`, `id2`, ...), as they
//! would be for anyone watching a predictable client, so only who answers decides whether an
//! answer counts. A contact or a stranger answering the user's own requests changes nothing,
//! and the server's real answer still counts afterwards.

use super::sync::{archived, fin, queries, the_query};
use super::*;

const BOB: &str = "bob@example.org";
const BOB_PHONE: &str = "bob@example.org/phone";
const MALLORY: &str = "mallory@evil.example";
const ROSTER: &str = "jabber:iq:roster";
const BLOCKING: &str = "urn:xmpp:blocking";

/// Everyone who may not answer for the user's account: a contact, a stranger, a stranger's
/// server, and one of the user's other devices (a device is not the account).
const FORGERS: [&str; 4] = [
    BOB_PHONE,
    "mallory@evil.example/x",
    "evil.example",
    "alice@example.org/phone",
];

fn roster_result(id: &str, from: Option<&str>, jid: &str) -> String {
    let from = from.map(|f| format!(" from='{f}'")).unwrap_or_default();
    format!(
        "<iq type='result' id='{id}'{from} to='{DESK}'><query xmlns='{ROSTER}'>\
         <item jid='{jid}' subscription='both'/></query></iq>"
    )
}

fn rosters(events: &[Event]) -> Vec<Vec<String>> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::RosterReceived { contacts } => {
                Some(contacts.iter().map(|c| c.jid.to_string()).collect())
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_roster_result_forged_by_a_contact_changes_nothing() {
    let mut script = Script::online();
    script.reconnect_fresh();
    let id = script.request_id(ROSTER).expect("a roster request");
    script.events();
    script.stanza(&roster_result(&id, Some(BOB_PHONE), MALLORY));
    assert!(rosters(&script.events()).is_empty());
    script.stanza(&roster_result(&id, None, BOB));
    assert_eq!(rosters(&script.events()), [vec![BOB.to_string()]]);
}

#[test]
fn a_roster_result_forged_by_a_stranger_changes_nothing() {
    let mut script = Script::new();
    script.sign_in_and_connect(true);
    let id = script.request_id(ROSTER).expect("a roster request");
    script.events();
    for forger in FORGERS {
        script.stanza(&roster_result(&id, Some(forger), MALLORY));
        assert!(rosters(&script.events()).is_empty(), "{forger}");
    }
    // Mallory did not become a contact: her nudge is not reported.
    script.stanza(&roster_result(&id, Some(ALICE), BOB));
    assert_eq!(rosters(&script.events()), [vec![BOB.to_string()]]);
    script.sent();
    script.stanza(&format!(
        "<message type='headline' from='{MALLORY}/x'><attention xmlns='urn:xmpp:attention:0'/></message>"
    ));
    assert!(script.events().is_empty(), "Mallory is no contact");
}

#[test]
fn a_block_list_forged_by_a_contact_or_a_stranger_changes_nothing() {
    let mut script = Script::new();
    script.sign_in_and_connect(true);
    let id = script.request_id(BLOCKING).expect("a block list request");
    script.events();
    for forger in FORGERS {
        // A forged empty list would unblock everyone the user blocked.
        script.stanza(&format!(
            "<iq type='result' id='{id}' from='{forger}'><blocklist xmlns='{BLOCKING}'/></iq>"
        ));
        assert!(script.events().is_empty(), "{forger}");
    }
    script.stanza(&format!(
        "<iq type='result' id='{id}'><blocklist xmlns='{BLOCKING}'><item jid='{MALLORY}'/></blocklist></iq>"
    ));
    assert_eq!(
        script.events(),
        [Event::BlockListChanged {
            jids: vec![crate::model::bare(MALLORY).into()]
        }]
    );
}

#[test]
fn a_forged_end_of_an_archive_page_changes_nothing() {
    let mut script = Script::new();
    script.sign_in_and_connect(true);
    script.answer_roster(&[Contact::mutual(BOB, "Bob")]);
    let query = the_query(&mut script);
    script.effects.clear();
    script.stanza(&archived(&query.query_id, 1));
    for forger in FORGERS {
        // Ending the page early would store a half page and skip the rest of the archive.
        let forged = fin(&query.id, true, 1, 1).replace("<iq ", &format!("<iq from='{forger}' "));
        script.stanza(&forged);
        assert!(script.events().is_empty(), "{forger}");
        assert!(
            !script
                .store_ops
                .iter()
                .any(|op| matches!(op, StoreOp::InsertArchived { .. })),
            "{forger}"
        );
    }
    script.stanza(&archived(&query.query_id, 3));
    script.stanza(&fin(&query.id, true, 1, 3));
    assert!(queries(&mut script).is_empty());
    assert!(script
        .events()
        .contains(&Event::HistorySynced { new_messages: 2 }));
}
