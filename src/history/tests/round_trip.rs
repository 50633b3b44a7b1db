//! Export and import together: what Nudge writes it reads back unchanged, and importing what
//! is already there (an export, a log imported before) adds nothing.

use super::options;
use crate::history::{export, import_file, parse, ExportFormat, LogKind};
use crate::model::{bare, ChatMessage, Delivery, Direction};
use crate::store::Store;

fn message(peer: &str, id: &str, direction: Direction, body: &str, at: i64) -> ChatMessage {
    ChatMessage {
        id: id.into(),
        peer: bare(peer),
        direction,
        body: body.into(),
        timestamp_ms: at,
        delivery: match direction {
            Direction::Incoming => Delivery::Received,
            Direction::Outgoing => Delivery::Delivered,
        },
    }
}

fn sample() -> Vec<ChatMessage> {
    vec![
        message(
            "bob@example.org",
            "b1",
            Direction::Incoming,
            "Hi <Alice> & \"friends\" 'n' co",
            1_200_000_000_123,
        ),
        message(
            "bob@example.org",
            "b2",
            Direction::Outgoing,
            "  two lines\r\nand a\ttab, 🙂 ",
            1_200_000_060_000,
        ),
        message(
            "bob@example.org",
            "id with \"quotes\"\nand <a line>",
            Direction::Outgoing,
            "]]> is fine too",
            1_200_000_060_000,
        ),
        message(
            "carol@example.net",
            "c1",
            Direction::Incoming,
            "x\u{1}y",
            1_100_000_000_000,
        ),
    ]
}

fn store_with(messages: &[ChatMessage]) -> Store {
    let mut store = Store::open_in_memory().expect("store");
    assert_eq!(
        store.import_messages(messages).expect("import"),
        messages.len()
    );
    store
}

fn exported(store: &mut Store, peer: Option<&str>, format: ExportFormat) -> String {
    let mut out = Vec::new();
    let peer = peer.map(bare);
    let account = bare("alice@example.org");
    export(
        store,
        peer.as_ref(),
        format,
        Some(&account),
        &mut out,
        "a buffer",
    )
    .expect("export");
    String::from_utf8(out).expect("UTF-8")
}

#[test]
fn an_export_reads_back_unchanged_and_importing_it_adds_nothing() {
    let mut store = store_with(&sample());
    let xml = exported(&mut store, None, ExportFormat::Xml);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<nudge-history"));

    let parsed = parse(xml.as_bytes(), &options(None, None, &[]), &super::utc).expect("reads");
    assert_eq!(parsed.kind, LogKind::Nudge);
    // Conversations in address order, oldest first; the control character XML cannot hold
    // is the one change.
    let mut expected = sample();
    expected[3].body = "x\u{FFFD}y".into();
    assert_eq!(parsed.messages, expected);

    assert_eq!(store.import_messages(&parsed.messages).expect("import"), 0);
    // One conversation alone, under another address with --as.
    let bob = exported(&mut store, Some("bob@example.org"), ExportFormat::Xml);
    let renamed = parse(
        bob.as_bytes(),
        &options(Some("robert@example.org"), None, &[]),
        &super::utc,
    )
    .expect("reads");
    assert_eq!(renamed.messages.len(), 3);
    assert!(renamed
        .messages
        .iter()
        .all(|m| m.peer == bare("robert@example.org")));
    // --as cannot merge two conversations into one.
    assert!(parse(
        xml.as_bytes(),
        &options(Some("robert@example.org"), None, &[]),
        &super::utc
    )
    .is_err());
}

#[test]
fn importing_a_messenger_log_twice_adds_nothing_the_second_time() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("Bob1234567890.xml");
    std::fs::write(&file, super::WLM2009).expect("write");
    let mut store = Store::open(&dir.path().join("history.sqlite3")).expect("store");
    let sides = options(Some("bob@example.org"), Some("alice@example.org"), &[]);

    let first = import_file(&mut store, &file, &sides).expect("first import");
    assert_eq!((first.messages, first.added, first.skipped), (6, 6, 5));
    assert_eq!(first.peers, vec![bare("bob@example.org")]);
    let second = import_file(&mut store, &file, &sides).expect("second import");
    assert_eq!((second.messages, second.added), (6, 0));
    assert!(
        second.sentence().contains("6 were already in the history"),
        "{}",
        second.sentence()
    );

    // Imported messages are ordinary history: the conversation shows them, newest last.
    let shown = store
        .recent_messages(&bare("bob@example.org"), 200)
        .expect("read");
    assert_eq!(shown.len(), 6);
    assert_eq!(shown[5].body, "   bye   ");
    // And an export of them imports back as nothing new.
    let xml = exported(&mut store, None, ExportFormat::Xml);
    let again = dir.path().join("export.xml");
    std::fs::write(&again, xml).expect("write");
    assert_eq!(
        import_file(&mut store, &again, &sides)
            .expect("import")
            .added,
        0
    );
}

#[test]
fn the_text_export_reads_as_a_transcript() {
    let mut store = store_with(&sample());
    let text = exported(&mut store, Some("bob@example.org"), ExportFormat::Text);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Conversation with bob@example.org");
    assert_eq!(lines[1], "");
    assert!(
        lines[2].ends_with("  bob@example.org: Hi <Alice> & \"friends\" 'n' co"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].ends_with("  alice@example.org:   two lines"),
        "{}",
        lines[3]
    );
    // The second line of a message is indented under its text.
    let indent = lines[3].find("alice@example.org:").expect("name") + "alice@example.org: ".len();
    assert_eq!(lines[4], format!("{}and a\ttab, 🙂 ", " ".repeat(indent)));
    assert_eq!(lines.len(), 6);
    // Everything: one heading per conversation.
    let all = exported(&mut store, None, ExportFormat::Text);
    assert_eq!(all.matches("Conversation with ").count(), 2);
}
