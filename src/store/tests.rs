//! Tests against real SQLite files in a temporary folder.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::schema::latest_version;
use super::{Store, StoreError};
use crate::model::{bare, ChatMessage, Delivery, Direction};

const ALICE: &str = "alice@example.org";
const BOB: &str = "bob@example.org";

fn incoming(peer: &str, id: &str, timestamp_ms: i64) -> ChatMessage {
    ChatMessage {
        id: id.to_string(),
        peer: bare(peer),
        direction: Direction::Incoming,
        body: format!("body of {id}"),
        timestamp_ms,
        delivery: Delivery::Received,
    }
}

fn outgoing(peer: &str, id: &str, timestamp_ms: i64) -> ChatMessage {
    ChatMessage {
        direction: Direction::Outgoing,
        delivery: Delivery::Pending,
        ..incoming(peer, id, timestamp_ms)
    }
}

fn temp_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nudge.sqlite3");
    (dir, path)
}

fn ids(messages: &[ChatMessage]) -> Vec<&str> {
    messages.iter().map(|m| m.id.as_str()).collect()
}

fn raw(path: &Path) -> Connection {
    Connection::open(path).expect("raw connection")
}

fn count(conn: &Connection, table: &str) -> i64 {
    // Table names cannot be parameters; these are constants of the tests.
    conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

#[test]
fn migrations_build_an_empty_file_in_wal_mode_with_foreign_keys() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).expect("open");
    assert_eq!(store.schema_version().expect("version"), latest_version());
    let mode: String = store
        .conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("mode");
    assert_eq!(mode, "wal");
    let keys: i64 = store
        .conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .expect("fk");
    assert_eq!(keys, 1);
    assert_eq!(count(&store.conn, "messages"), 0);
    assert_eq!(count(&store.conn, "outbox"), 0);
}

#[cfg(unix)]
#[test]
fn the_history_and_its_wal_files_are_private_to_the_user() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &Path| {
        std::fs::metadata(path)
            .expect("exists")
            .permissions()
            .mode()
            & 0o777
    };
    let companion = |path: &Path, suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    // SAFETY: umask only sets the process's file creation mask; 022 is the usual one.
    unsafe { libc::umask(0o022) };
    let (_dir, path) = temp_db();
    let mut store = Store::open(&path).expect("open");
    store
        .insert_message(&incoming(ALICE, "a", 1))
        .expect("insert");
    for file in [
        path.clone(),
        companion(&path, "-wal"),
        companion(&path, "-shm"),
    ] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    drop(store);

    // A history an older Nudge left readable by others is tightened when opened.
    let (_old_dir, old) = temp_db();
    drop(Store::open(&old).expect("create"));
    let readable = std::fs::Permissions::from_mode(0o644);
    std::fs::set_permissions(&old, readable).expect("chmod");
    let mut store = Store::open(&old).expect("reopen");
    store
        .insert_message(&incoming(ALICE, "b", 2))
        .expect("insert");
    for file in [
        old.clone(),
        companion(&old, "-wal"),
        companion(&old, "-shm"),
    ] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

#[test]
fn reopening_keeps_data_and_does_not_migrate_again() {
    let (_dir, path) = temp_db();
    let mut store = Store::open(&path).expect("open");
    store
        .insert_message(&incoming(ALICE, "a", 1))
        .expect("insert");
    drop(store);
    for _ in 0..2 {
        let store = Store::open(&path).expect("reopen");
        assert_eq!(store.schema_version().expect("version"), latest_version());
        assert_eq!(
            ids(&store.recent_messages(&bare(ALICE), 10).expect("recent")),
            ["a"]
        );
    }
}

#[test]
fn a_file_from_a_newer_nudge_is_refused_and_left_alone() {
    let (_dir, path) = temp_db();
    drop(Store::open(&path).expect("open"));
    let future = latest_version() + 1;
    raw(&path)
        .pragma_update(None, "user_version", future)
        .expect("bump");
    let error = Store::open(&path).expect_err("must refuse");
    let StoreError::Open { source, .. } = &error else {
        panic!("unexpected error {error:?}");
    };
    assert!(
        matches!(**source, StoreError::TooNew { found, known } if found == future && known == latest_version()),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(text.contains("newer version of Nudge"), "{text}");
    assert!(text.contains(&path.display().to_string()), "{text}");
    let version: i64 = raw(&path)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(version, future);
}

#[test]
fn a_failing_migration_rolls_back_entirely() {
    let (_dir, path) = temp_db();
    // A stray table makes migration 1 fail half-way (after nothing, or after some statements).
    raw(&path)
        .execute_batch("CREATE TABLE outbox (x INTEGER);")
        .expect("stray table");
    assert!(Store::open(&path).is_err());
    let conn = raw(&path);
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(version, 0);
    let messages_tables: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'messages'",
            [],
            |r| r.get(0),
        )
        .expect("schema");
    assert_eq!(
        messages_tables, 0,
        "the messages table must be rolled back too"
    );
}

#[test]
fn redelivered_messages_are_not_duplicated() {
    let (_dir, path) = temp_db();
    let mut store = Store::open(&path).expect("open");
    assert!(store.insert_message(&incoming(ALICE, "m1", 10)).expect("1"));
    let mut again = incoming(ALICE, "m1", 99);
    again.body = "changed".into();
    assert!(!store.insert_message(&again).expect("2"));
    // The same id from another peer is another message.
    assert!(store.insert_message(&incoming(BOB, "m1", 10)).expect("3"));
    let stored = store
        .message(&bare(ALICE), "m1")
        .expect("get")
        .expect("stored");
    assert_eq!(stored, incoming(ALICE, "m1", 10));
    assert_eq!(count(&store.conn, "messages"), 2);
}

#[test]
fn stanza_ids_deduplicate_and_fill_in() {
    let (_dir, path) = temp_db();
    let mut store = Store::open(&path).expect("open");
    store
        .insert_message(&incoming(ALICE, "live", 5))
        .expect("live");
    // MAM brings the same message again, now with the archive's stanza-id.
    let known = store
        .insert_message_with_stanza_id(&incoming(ALICE, "live", 5), "S1")
        .expect("mam");
    assert!(!known);
    assert_eq!(
        store.newest_archived().expect("newest"),
        Some(("S1".to_string(), 5))
    );
    // Another id with a known stanza-id is the same archived message.
    let duplicate = store
        .insert_message_with_stanza_id(&incoming(ALICE, "other-id", 5), "S1")
        .expect("dup");
    assert!(!duplicate);
    store
        .insert_message(&incoming(BOB, "seen-live-without-archive-id", 7))
        .expect("insert");
    let page = vec![
        (incoming(ALICE, "old", 1), "S0".to_string()),
        (incoming(ALICE, "live", 5), "S1".to_string()),
        (
            incoming(BOB, "seen-live-without-archive-id", 7),
            "S1b".to_string(),
        ),
        (incoming(BOB, "new", 9), "S2".to_string()),
    ];
    let new = store.insert_archived(&page).expect("page");
    let new_ids: Vec<&str> = new.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(new_ids, vec!["old", "new"]);
    assert_eq!(
        store.newest_archived().expect("newest"),
        Some(("S2".to_string(), 9))
    );
    assert_eq!(count(&store.conn, "messages"), 4);
    // The message seen live now carries its archive id: a page repeating it adds nothing.
    let again = vec![(incoming(BOB, "other-copy", 7), "S1b".to_string())];
    assert!(store.insert_archived(&again).expect("page").is_empty());
}

#[test]
fn equal_timestamps_keep_insertion_order() {
    let (_dir, path) = temp_db();
    let mut store = Store::open(&path).expect("open");
    // Ids sort opposite to insertion order, so ordering by id would show up.
    let inserted = ["z", "y", "x", "w", "v"];
    for id in inserted {
        store
            .insert_message(&incoming(ALICE, id, 1000))
            .expect("insert");
    }
    for _ in 0..3 {
        assert_eq!(
            ids(&store.recent_messages(&bare(ALICE), 10).expect("recent")),
            inserted
        );
    }
    assert_eq!(
        ids(&store.recent_messages(&bare(ALICE), 2).expect("recent")),
        ["w", "v"]
    );
    let above = store
        .messages_before(&bare(ALICE), 1000, "w", 2)
        .expect("before");
    assert_eq!(ids(&above), ["y", "x"]);
}

#[test]
fn paging_walks_back_through_history() {
    let (_dir, path) = temp_db();
    let mut store = Store::open(&path).expect("open");
    // Inserted out of order, as a MAM catch-up can.
    for i in (0..25).rev() {
        store
            .insert_message(&incoming(ALICE, &format!("m{i:02}"), i * 10))
            .expect("insert");
    }
    store.insert_message(&incoming(BOB, "bob", 5)).expect("bob");
    let expected = |range: std::ops::Range<i64>| -> Vec<String> {
        range.map(|i| format!("m{i:02}")).collect()
    };
    let page = store.recent_messages(&bare(ALICE), 10).expect("recent");
    assert_eq!(ids(&page), expected(15..25));
    let first = &page[0];
    let page = store
        .messages_before(&bare(ALICE), first.timestamp_ms, &first.id, 10)
        .expect("page 2");
    assert_eq!(ids(&page), expected(5..15));
    let first = &page[0];
    let page = store
        .messages_before(&bare(ALICE), first.timestamp_ms, &first.id, 10)
        .expect("page 3");
    assert_eq!(ids(&page), expected(0..5));
    let first = &page[0];
    assert!(store
        .messages_before(&bare(ALICE), first.timestamp_ms, &first.id, 10)
        .expect("end")
        .is_empty());
    // An unknown cursor id pages from strictly older timestamps.
    let page = store
        .messages_before(&bare(ALICE), 50, "unknown", 100)
        .expect("x");
    assert_eq!(ids(&page), expected(0..5));
}

#[test]
fn conversations_list_the_last_message_newest_first() {
    let (_dir, path) = temp_db();
    let mut store = Store::open(&path).expect("open");
    assert!(store.conversations().expect("empty").is_empty());
    store
        .insert_message(&incoming(ALICE, "a1", 10))
        .expect("a1");
    store.insert_message(&incoming(BOB, "b1", 20)).expect("b1");
    store
        .insert_message(&incoming(ALICE, "a2", 30))
        .expect("a2");
    store
        .insert_message(&incoming(ALICE, "a0", 1))
        .expect("a0 late");
    store
        .insert_message(&incoming("carol@x", "c1", 20))
        .expect("c1");
    let list = store.conversations().expect("list");
    let summary: Vec<(&str, &str)> = list
        .iter()
        .map(|(peer, m)| (peer.as_str(), m.id.as_str()))
        .collect();
    // Bob and Carol tie at 20: the one stored later counts as newer.
    assert_eq!(summary, [(ALICE, "a2"), ("carol@x", "c1"), (BOB, "b1")]);
}

#[test]
fn delivery_moves_forward_only() {
    let (_dir, path) = temp_db();
    let mut store = Store::open(&path).expect("open");
    store
        .insert_message(&outgoing(ALICE, "o", 1))
        .expect("insert");
    let state = |store: &Store| {
        store
            .message(&bare(ALICE), "o")
            .expect("get")
            .expect("some")
            .delivery
    };
    assert!(store
        .set_delivery(&bare(ALICE), "o", &Delivery::Sent)
        .expect("sent"));
    assert!(store
        .set_delivery(&bare(ALICE), "o", &Delivery::Delivered)
        .expect("dl"));
    assert!(!store
        .set_delivery(&bare(ALICE), "o", &Delivery::Sent)
        .expect("back"));
    assert!(!store
        .set_delivery(&bare(ALICE), "o", &Delivery::Pending)
        .expect("back"));
    let failed = Delivery::Failed {
        reason: "recipient unavailable".into(),
    };
    assert!(!store
        .set_delivery(&bare(ALICE), "o", &failed)
        .expect("after receipt"));
    assert_eq!(state(&store), Delivery::Delivered);

    store
        .insert_message(&outgoing(ALICE, "f", 2))
        .expect("insert");
    assert!(store
        .set_delivery(&bare(ALICE), "f", &failed)
        .expect("fail"));
    let reopened = Store::open(&path).expect("reopen");
    assert_eq!(
        reopened
            .message(&bare(ALICE), "f")
            .expect("get")
            .expect("some")
            .delivery,
        failed
    );
    // A late receipt after a failure still counts.
    assert!(store
        .set_delivery(&bare(ALICE), "f", &Delivery::Delivered)
        .expect("late"));
    assert!(!store
        .set_delivery(&bare(ALICE), "missing", &Delivery::Sent)
        .expect("unknown"));
}

#[test]
fn the_outbox_keeps_queue_order_and_refuses_duplicates() {
    let (_dir, path) = temp_db();
    let mut store = Store::open(&path).expect("open");
    let mut first = outgoing(BOB, "q1", 50);
    first.delivery = Delivery::Sent; // queueing always stores Pending
    assert!(store.queue_outgoing(&first).expect("q1"));
    assert!(store
        .queue_outgoing(&outgoing(ALICE, "q2", 10))
        .expect("q2"));
    assert!(!store
        .queue_outgoing(&outgoing(BOB, "q1", 50))
        .expect("again"));
    assert!(matches!(
        store.queue_outgoing(&incoming(ALICE, "in", 1)),
        Err(StoreError::NotOutgoing)
    ));
    let queued = store.outbox().expect("outbox");
    assert_eq!(ids(&queued), ["q1", "q2"]);
    assert_eq!(queued[0].delivery, Delivery::Pending);
    assert_eq!(store.note_attempt(&bare(BOB), "q1").expect("a1"), Some(1));
    assert_eq!(store.note_attempt(&bare(BOB), "q1").expect("a2"), Some(2));
    assert_eq!(store.note_attempt(&bare(BOB), "nope").expect("a3"), None);
    let entries = store.outbox_entries().expect("entries");
    assert_eq!(entries[0].attempts, 2);
    assert_eq!(entries[1].attempts, 0);
}

#[test]
fn mark_sent_and_mark_failed_dequeue_and_update() {
    let (_dir, path) = temp_db();
    let mut store = Store::open(&path).expect("open");
    for id in ["s", "f", "r"] {
        store
            .queue_outgoing(&outgoing(ALICE, id, 1))
            .expect("queue");
    }
    assert!(store.mark_sent(&bare(ALICE), "s").expect("sent"));
    assert!(!store.mark_sent(&bare(ALICE), "s").expect("twice"));
    assert!(store
        .mark_failed(&bare(ALICE), "f", "the server refused it")
        .expect("failed"));
    // A receipt can overtake the server's ack; the ack must not undo it.
    store
        .set_delivery(&bare(ALICE), "r", &Delivery::Delivered)
        .expect("receipt");
    assert!(store.mark_sent(&bare(ALICE), "r").expect("late ack"));
    assert!(store.outbox().expect("outbox").is_empty());
    let state = |id| {
        store
            .message(&bare(ALICE), id)
            .expect("get")
            .expect("some")
            .delivery
    };
    assert_eq!(state("s"), Delivery::Sent);
    assert_eq!(
        state("f"),
        Delivery::Failed {
            reason: "the server refused it".into()
        }
    );
    assert_eq!(state("r"), Delivery::Delivered);
}

#[test]
fn mark_sent_is_atomic() {
    let (_dir, path) = temp_db();
    let mut store = Store::open(&path).expect("open");
    store
        .queue_outgoing(&outgoing(ALICE, "m", 1))
        .expect("queue");
    // Make the second half (the delivery update) fail after the outbox row was deleted.
    store
        .conn
        .execute_batch(
            "CREATE TEMP TRIGGER refuse BEFORE UPDATE ON messages
             BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;",
        )
        .expect("trigger");
    assert!(store.mark_sent(&bare(ALICE), "m").is_err());
    assert!(store.mark_failed(&bare(ALICE), "m", "x").is_err());
    drop(store);
    let store = Store::open(&path).expect("reopen");
    assert_eq!(ids(&store.outbox().expect("outbox")), ["m"]);
    assert_eq!(
        store
            .message(&bare(ALICE), "m")
            .expect("get")
            .expect("some")
            .delivery,
        Delivery::Pending
    );
}

#[test]
fn the_outbox_survives_a_connection_that_was_never_closed() {
    let (_dir, path) = temp_db();
    let mut store = Store::open(&path).expect("open");
    store.queue_outgoing(&outgoing(ALICE, "1", 1)).expect("1");
    store.queue_outgoing(&outgoing(BOB, "2", 2)).expect("2");
    store.note_attempt(&bare(BOB), "2").expect("attempt");
    // No Drop, no close, no checkpoint: the WAL holds the only copy.
    std::mem::forget(store);
    let store = Store::open(&path).expect("reopen");
    let entries = store.outbox_entries().expect("outbox");
    assert_eq!(ids(&store.outbox().expect("outbox")), ["1", "2"]);
    assert_eq!(entries[1].attempts, 1);
}

const CRASH_DB: &str = "NUDGE_TEST_CRASH_DB";

#[test]
#[ignore = "helper: run in a child process by the_outbox_survives_an_aborted_process"]
fn crash_helper_queues_then_aborts() {
    let path = std::env::var_os(CRASH_DB).expect("run by the_outbox_survives_an_aborted_process");
    let mut store = Store::open(Path::new(&path)).expect("open");
    store
        .queue_outgoing(&outgoing(ALICE, "typed", 1))
        .expect("queue");
    store
        .queue_outgoing(&outgoing(ALICE, "sent", 2))
        .expect("queue");
    store.mark_sent(&bare(ALICE), "sent").expect("sent");
    std::process::abort();
}

#[test]
fn the_outbox_survives_an_aborted_process() {
    let (_dir, path) = temp_db();
    let status = std::process::Command::new(std::env::current_exe().expect("exe"))
        .args([
            "--exact",
            "store::tests::crash_helper_queues_then_aborts",
            "--ignored",
            "--test-threads=1",
        ])
        .env(CRASH_DB, &path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run child");
    assert!(!status.success(), "the child must have aborted");
    let store = Store::open(&path).expect("reopen");
    assert_eq!(ids(&store.outbox().expect("outbox")), ["typed"]);
    assert_eq!(
        store
            .message(&bare(ALICE), "sent")
            .expect("get")
            .expect("some")
            .delivery,
        Delivery::Sent
    );
}

#[test]
fn hostile_text_is_stored_literally() {
    let (_dir, path) = temp_db();
    let mut store = Store::open(&path).expect("open");
    let bodies = [
        "it's \"quoted\" `back` \\ slashed".to_string(),
        "'; DROP TABLE messages; --".to_string(),
        "\u{202e}rtl ✓ 🙂 e\u{301} 漢字 \u{feff}".to_string(),
        "line\nbreak\r\n\ttab %s %n {0} ?1 :name".to_string(),
        "x".repeat(1024 * 1024),
    ];
    // Quotes cannot be in an address (nodeprep), so the address tries the rest.
    let peer = &bare("robert);drop_table_outbox;--@example.org");
    for (i, body) in bodies.iter().enumerate() {
        let mut message = outgoing(peer.as_str(), &format!("'{i}'); --"), i as i64);
        message.body = body.clone();
        assert!(store.queue_outgoing(&message).expect("queue"));
    }
    store
        .mark_failed(peer, "'0'); --", "it's \"bad\"; DROP TABLE x")
        .expect("fail");
    drop(store);
    let store = Store::open(&path).expect("reopen");
    let stored = store.recent_messages(peer, 10).expect("recent");
    let stored_bodies: Vec<&String> = stored.iter().map(|m| &m.body).collect();
    assert_eq!(stored_bodies, bodies.iter().collect::<Vec<_>>());
    assert_eq!(stored[4].body.len(), 1024 * 1024);
    assert_eq!(
        stored[0].delivery,
        Delivery::Failed {
            reason: "it's \"bad\"; DROP TABLE x".into()
        }
    );
    assert_eq!(store.outbox().expect("outbox").len(), 4);
    assert_eq!(store.conversations().expect("conversations")[0].0, *peer);
}

#[test]
fn an_in_memory_store_works_the_same() {
    let mut store = Store::open_in_memory().expect("memory");
    assert_eq!(store.schema_version().expect("version"), latest_version());
    store
        .queue_outgoing(&outgoing(ALICE, "m", 1))
        .expect("queue");
    assert!(store.mark_sent(&bare(ALICE), "m").expect("sent"));
    assert_eq!(
        store.recent_messages(&bare(ALICE), 1).expect("recent")[0].delivery,
        Delivery::Sent
    );
}

#[test]
fn open_reports_the_path_when_the_folder_is_missing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("missing").join("nudge.sqlite3");
    let error = Store::open(&path).expect_err("no folder");
    assert!(error
        .to_string()
        .contains("could not open the history database"));
    assert!(error.to_string().contains("missing"), "{error}");
}
