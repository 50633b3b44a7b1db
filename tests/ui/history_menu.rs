//! The conversation's History menu: Export… and Import… by label, a Messenger log imported
//! into the conversation (which is then loaded again), and the conversation exported, with a
//! stand-in file dialog and a real history database.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::kittest::Queryable;
use nudge::command::Command;
use nudge::platform::history_files::{Ask, HistoryFiles};
use nudge::store::Store;
use nudge::ui::conversation::history_menu::{EXPORT_LABEL, IMPORT_LABEL, MENU_LABEL};
use nudge_testkit::bare;
use nudge_testkit::ui::{contact, Window};

const BOB: &str = "bob@example.org";

const LOG: &str = r#"<?xml version="1.0"?>
<Log FirstSessionID="1" LastSessionID="1"><Message Date="14/03/2008" Time="21:04:11" DateTime="2008-03-14T20:04:11.123Z" SessionID="1"><From><User FriendlyName="Alice"/></From><To><User FriendlyName="Bobby"/></To><Text Style="color:#000000; ">hey, are you there?</Text></Message>
<Message Date="14/03/2008" Time="21:04:30" DateTime="2008-03-14T20:04:30.456Z" SessionID="1"><From><User FriendlyName="Bobby"/></From><To><User FriendlyName="Alice"/></To><Text Style="color:#000000; ">yes!</Text></Message>
</Log>
"#;

/// Runs frames until some label contains `text` (the work happens on another thread).
fn wait_for(window: &mut Window, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !window.shows(text) {
        assert!(Instant::now() < deadline, "{text:?} never showed");
        std::thread::sleep(Duration::from_millis(50));
        window.harness.run();
    }
}

#[test]
fn the_history_menu_offers_export_and_import_even_without_a_worker() {
    let mut window = Window::new();
    window.online_with(&[contact(BOB, "Bob")]);
    window.click("Bob");
    window.click(MENU_LABEL);
    // Shown, greyed out: there is nothing to do the work here.
    assert!(window.harness.query_by_label(EXPORT_LABEL).is_some());
    assert!(window.harness.query_by_label(IMPORT_LABEL).is_some());
    window.click(EXPORT_LABEL);
    assert!(!window
        .sent()
        .iter()
        .any(|c| !matches!(c, Command::LoadHistory { .. })));
}

#[test]
fn import_and_export_from_the_conversation_menu() {
    let dir = tempfile::tempdir().expect("dir");
    let database = dir.path().join("history.sqlite3");
    let log = dir.path().join("Bobby1234567890.xml");
    let export = dir.path().join("bob.txt");
    std::fs::write(&log, LOG).expect("log");
    let asked = Arc::new(std::sync::Mutex::new(Vec::new()));
    let chooser = {
        let (log, export, asked) = (log.clone(), export.clone(), asked.clone());
        Arc::new(move |ask: &Ask| -> Option<PathBuf> {
            asked.lock().expect("lock").push(ask.clone());
            Some(match ask {
                Ask::Open => log.clone(),
                Ask::Save { .. } => export.clone(),
            })
        })
    };
    let files = HistoryFiles::new(database.clone(), chooser, Arc::new(|| {}));
    let mut window = Window::with_history_files(files);
    window.online_with(&[contact(BOB, "Bob")]);
    window.click("Bob");
    window.sent();

    window.click(MENU_LABEL);
    window.click(IMPORT_LABEL);
    wait_for(
        &mut window,
        "Imported 2 of 2 messages from the Messenger log",
    );
    // The conversation is loaded again, so the imported messages show.
    assert!(window.sent().contains(&Command::LoadHistory {
        peer: bare(BOB),
        limit: 200
    }));
    let stored = Store::open(&database)
        .expect("store")
        .recent_messages(&bare(BOB), 10)
        .expect("read");
    assert_eq!(stored.len(), 2);

    window.click(MENU_LABEL);
    window.click(EXPORT_LABEL);
    wait_for(&mut window, "Exported 2 messages to");
    let text = std::fs::read_to_string(&export).expect("export");
    assert!(
        text.starts_with("Conversation with bob@example.org"),
        "{text}"
    );
    assert!(
        text.contains("alice@example.org: hey, are you there?"),
        "{text}"
    );
    assert_eq!(
        asked.lock().expect("lock").as_slice(),
        [
            Ask::Open,
            Ask::Save {
                suggested: "bob@example.org.xml".into()
            }
        ]
    );
}
