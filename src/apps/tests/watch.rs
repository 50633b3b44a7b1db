//! The watcher against a real folder and real file events.

use std::fs;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;

use super::sample;
use crate::apps::{watch, AppsChange, Guid, Registry};

const CHESS: &str = "{11111111-2222-3333-4444-555555555555}";
const DRAW: &str = "{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}";

/// Generous: file events are quick, but CI machines are busy.
const PATIENCE: Duration = Duration::from_secs(20);

/// The next change, or a failure naming what was awaited.
async fn next(rx: &mut UnboundedReceiver<AppsChange>, what: &str) -> AppsChange {
    match tokio::time::timeout(PATIENCE, rx.recv()).await {
        Ok(Some(change)) => change,
        Ok(None) => panic!("the watcher stopped while waiting for {what}"),
        Err(_) => panic!("no change reported while waiting for {what}"),
    }
}

/// What an installer might write, by hand, without Nudge's help.
fn installer_file(guid: &str, name: &str) -> String {
    let slug = name.replace(' ', "-").to_lowercase();
    format!(
        "guid = \"{guid}\"\nname = \"{name}\"\npath = \"/opt/{slug}/run\"\n\
         download_url = \"https://example.org/{slug}\"\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn dropped_changed_and_removed_files_are_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let apps = dir.path().join("apps");
    let (watcher, mut rx) = watch(&apps).expect("watch");
    assert!(apps.is_dir(), "the folder is created");
    assert!(watcher.registry().is_empty());
    let chess = Guid::parse(CHESS).expect("guid");
    let file = apps.join(format!("{CHESS}.toml"));

    // An installer drops a file: OnAppRegistered.
    fs::write(&file, installer_file(CHESS, "Chess")).expect("write");
    let change = next(&mut rx, "the registration").await;
    assert_eq!(change.registered.len(), 1, "{change:?}");
    assert_eq!(change.registered[0].guid, chess);
    assert_eq!(change.registered[0].name, "Chess");
    assert!(change.unregistered.is_empty() && change.changed.is_empty());
    assert!(change.problems.is_empty(), "{change:?}");
    assert!(watcher.registry().get(&chess).is_some());

    // It is edited in place: a change, not a new application.
    fs::write(&file, installer_file(CHESS, "Chess Deluxe")).expect("write");
    let change = next(&mut rx, "the change").await;
    assert!(
        change.registered.is_empty() && change.unregistered.is_empty(),
        "{change:?}"
    );
    assert_eq!(change.changed.len(), 1, "{change:?}");
    assert_eq!(change.changed[0].name, "Chess Deluxe");

    // It is deleted: OnAppUnRegistered.
    fs::remove_file(&file).expect("remove");
    let change = next(&mut rx, "the removal").await;
    assert_eq!(change.unregistered, vec![chess.clone()], "{change:?}");
    assert!(change.registered.is_empty() && change.changed.is_empty());
    assert!(watcher.registry().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn registry_writes_and_broken_files_are_picked_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let apps = dir.path().join("apps");
    fs::create_dir_all(&apps).expect("mkdir");
    fs::write(
        apps.join(format!("{CHESS}.toml")),
        installer_file(CHESS, "Chess"),
    )
    .expect("write");
    let (watcher, mut rx) = watch(&apps).expect("watch");
    assert_eq!(
        watcher.registry().len(),
        1,
        "files already there are read at start"
    );

    // `nudge apps register` in another process: a temporary file, then a link into place.
    let mut other = Registry::load(&apps).0;
    other
        .register(sample(DRAW, "Whiteboard"), false)
        .expect("register");
    let change = next(&mut rx, "the second registration").await;
    let names: Vec<&str> = change.registered.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Whiteboard"], "{change:?}");

    // A broken file alone is reported as a problem, with nothing registered.
    let broken = apps.join("{00000000-0000-0000-0000-000000000001}.toml");
    fs::write(&broken, "name = ").expect("write");
    let change = next(&mut rx, "the problem").await;
    assert!(change.is_empty(), "{change:?}");
    assert_eq!(change.problems.len(), 1, "{change:?}");
    assert!(change.problems[0].contains("000000000001"), "{change:?}");
    assert_eq!(watcher.problems(), change.problems);

    // Fixing it registers it and clears the problem.
    fs::write(
        &broken,
        installer_file("{00000000-0000-0000-0000-000000000001}", "Arcade"),
    )
    .expect("write");
    let change = next(&mut rx, "the fix").await;
    assert_eq!(change.registered.len(), 1, "{change:?}");
    assert!(change.problems.is_empty(), "{change:?}");

    // Replacing through the registry is a change.
    other
        .register(sample(DRAW, "Whiteboard 2"), true)
        .expect("replace");
    let change = next(&mut rx, "the replacement").await;
    assert_eq!(change.changed.len(), 1, "{change:?}");
    assert_eq!(change.changed[0].name, "Whiteboard 2");
    assert!(change.registered.is_empty() && change.unregistered.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn dropping_the_watcher_ends_the_stream() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (watcher, mut rx) = watch(dir.path()).expect("watch");
    drop(watcher);
    let end = tokio::time::timeout(PATIENCE, rx.recv())
        .await
        .expect("the stream ends");
    assert!(end.is_none());
}

#[test]
fn the_difference_of_two_registries() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut old = Registry::empty(dir.path());
    old.register(sample(CHESS, "Chess"), false)
        .expect("register");
    old.register(sample(DRAW, "Whiteboard"), false)
        .expect("register");
    let mut new = old.clone();
    new.unregister(&Guid::parse(CHESS).expect("guid"))
        .expect("unregister");
    new.register(sample(DRAW, "Whiteboard 2"), true)
        .expect("replace");
    new.register(
        sample("{00000000-0000-0000-0000-000000000001}", "Arcade"),
        false,
    )
    .expect("register");

    let change = AppsChange::between(&old, &new);
    assert_eq!(change.unregistered, vec![Guid::parse(CHESS).expect("guid")]);
    assert_eq!(change.changed.len(), 1);
    assert_eq!(change.changed[0].name, "Whiteboard 2");
    assert_eq!(change.registered.len(), 1);
    assert_eq!(change.registered[0].name, "Arcade");
    assert!(AppsChange::between(&new, &new).is_empty());
}
