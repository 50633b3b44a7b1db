//! The registry on disk: round trips, duplicates, replacing, broken files, file names.

use std::fs;

use super::sample;
use crate::apps::{AppsError, Guid, Registry};

const CHESS: &str = "{11111111-2222-3333-4444-555555555555}";
const DRAW: &str = "{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}";

fn guid(text: &str) -> Guid {
    Guid::parse(text).expect("test GUID")
}

#[test]
fn a_missing_folder_is_an_empty_registry() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (registry, problems) = Registry::load(&dir.path().join("apps"));
    assert!(registry.is_empty());
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn registrations_round_trip_through_their_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let apps = dir.path().join("apps");
    let mut registry = Registry::empty(&apps);
    let mut chess = sample(CHESS, "Chess");
    chess.key = Some("s3cret-Key".into());
    chess.args = vec!["--mode".into(), "two words".into(), "$(not a shell)".into()];
    registry.register(chess.clone(), false).expect("register");
    registry
        .register(sample(DRAW, "Whiteboard"), false)
        .expect("register");

    let (loaded, problems) = Registry::load(&apps);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(loaded, registry);
    assert_eq!(loaded.get(&guid(CHESS)), Some(&chess));
    assert_eq!(loaded.len(), 2);
    assert!(apps.join(format!("{CHESS}.toml")).is_file());
    // Nothing but the two registrations is left behind (no temporary files).
    assert_eq!(fs::read_dir(&apps).expect("list").count(), 2);
}

#[cfg(unix)]
#[test]
fn files_are_private_to_the_user_because_they_may_hold_a_key() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut registry = Registry::empty(dir.path());
    let mut chess = sample(CHESS, "Chess");
    chess.key = Some("s3cret".into());
    registry.register(chess, false).expect("register");
    let mode = fs::metadata(registry.file_path(&guid(CHESS)))
        .expect("metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn list_is_sorted_by_name_then_guid() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut registry = Registry::empty(dir.path());
    let apps = [
        ("{00000000-0000-0000-0000-000000000003}", "chess"),
        ("{00000000-0000-0000-0000-000000000002}", "Whiteboard"),
        ("{00000000-0000-0000-0000-000000000009}", "Chess"),
        ("{00000000-0000-0000-0000-000000000001}", "Chess"),
        ("{00000000-0000-0000-0000-000000000004}", "Arcade"),
    ];
    for (id, name) in apps {
        registry
            .register(sample(id, name), false)
            .expect("register");
    }
    let listed: Vec<(&str, &str)> = registry
        .list()
        .iter()
        .map(|r| (r.name.as_str(), &r.guid.as_str()[34..37]))
        .collect();
    assert_eq!(
        listed,
        [
            ("Arcade", "004"),
            ("Chess", "001"),
            ("Chess", "009"),
            ("chess", "003"),
            ("Whiteboard", "002"),
        ]
    );
}

#[test]
fn registering_a_guid_twice_is_refused_unless_replaced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut registry = Registry::empty(dir.path());
    registry
        .register(sample(CHESS, "Chess"), false)
        .expect("first");

    let error = registry
        .register(sample(CHESS, "Other chess"), false)
        .expect_err("second");
    assert!(matches!(error, AppsError::AlreadyRegistered(ref g) if *g == guid(CHESS)));
    assert!(error.to_string().contains("already registered"), "{error}");

    // Another writer that never saw the first registration is refused by the file itself.
    let mut stale = Registry::empty(dir.path());
    let error = stale
        .register(sample(CHESS, "Stale chess"), false)
        .expect_err("file exists");
    assert!(matches!(error, AppsError::AlreadyRegistered(_)), "{error}");
    assert_eq!(
        Registry::load(dir.path())
            .0
            .get(&guid(CHESS))
            .map(|r| r.name.as_str()),
        Some("Chess")
    );

    registry
        .register(sample(CHESS, "Chess 2"), true)
        .expect("replace");
    let (loaded, _) = Registry::load(dir.path());
    assert_eq!(loaded.len(), 1);
    assert_eq!(
        loaded.get(&guid(CHESS)).map(|r| r.name.as_str()),
        Some("Chess 2")
    );
    // Replacing leaves no temporary file behind either.
    assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 1);
}

#[test]
fn invalid_registrations_are_never_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut registry = Registry::empty(dir.path());
    let mut bad = sample(CHESS, "Chess");
    bad.download_url = "javascript:alert(1)".into();
    let error = registry.register(bad, true).expect_err("invalid");
    assert!(matches!(error, AppsError::Invalid(_)), "{error}");
    assert!(!registry.file_path(&guid(CHESS)).exists());
}

#[test]
fn unregistering_removes_the_file_and_a_missing_guid_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut registry = Registry::empty(dir.path());
    registry
        .register(sample(CHESS, "Chess"), false)
        .expect("register");
    let removed = registry.unregister(&guid(CHESS)).expect("unregister");
    assert_eq!(removed.map(|r| r.name), Some("Chess".to_string()));
    assert!(registry.get(&guid(CHESS)).is_none());
    assert!(!registry.file_path(&guid(CHESS)).exists());

    let error = registry.unregister(&guid(CHESS)).expect_err("gone");
    assert!(matches!(error, AppsError::NotRegistered(_)), "{error}");
    assert!(error.to_string().contains("no application"), "{error}");
}

#[test]
fn broken_files_are_reported_and_skipped_but_never_deleted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut registry = Registry::empty(dir.path());
    registry
        .register(sample(CHESS, "Chess"), false)
        .expect("register");
    let good_text = fs::read_to_string(registry.file_path(&guid(CHESS))).expect("read");

    let broken = [
        (format!("{DRAW}.toml"), "name = \n".to_string(), "line 1"),
        (
            "{00000000-0000-0000-0000-000000000001}.toml".to_string(),
            good_text
                .replace(CHESS, "{00000000-0000-0000-0000-000000000001}")
                .replace("https://example.org/chess", "http://example.org/chess"),
            "https://",
        ),
        (
            "chess-copy.toml".to_string(),
            good_text.clone(),
            "must be named {11111111-2222-3333-4444-555555555555}.toml",
        ),
        (
            "{00000000-0000-0000-0000-000000000002}.toml".to_string(),
            good_text.replace(CHESS, "{00000000-0000-0000-0000-000000000002}")
                + "colour = \"blue\"\n",
            "colour",
        ),
        (
            "{00000000-0000-0000-0000-000000000003}.toml".to_string(),
            "\u{0}\u{ff}".to_string(),
            "line",
        ),
    ];
    for (name, text, _) in &broken {
        fs::write(dir.path().join(name), text).expect("write");
    }
    fs::write(
        dir.path()
            .join("{00000000-0000-0000-0000-000000000004}.toml"),
        [0xff, 0xfe],
    )
    .expect("write");
    fs::write(dir.path().join("notes.txt"), "not a registration").expect("write");
    fs::write(dir.path().join(".hidden.toml"), "ignored").expect("write");

    let (loaded, problems) = Registry::load(dir.path());
    assert_eq!(loaded.len(), 1, "only the good file is used");
    assert!(loaded.get(&guid(CHESS)).is_some());
    assert_eq!(problems.len(), broken.len() + 1, "{problems:#?}");
    for (name, _, expected) in &broken {
        let problem = problems
            .iter()
            .find(|p| p.contains(name.as_str()))
            .unwrap_or_else(|| panic!("no problem for {name}: {problems:#?}"));
        assert!(problem.contains(expected), "{problem}");
    }
    assert!(
        problems.iter().any(|p| p.contains("not UTF-8")),
        "{problems:#?}"
    );
    assert!(
        problems.iter().all(|p| !p.contains('\n')),
        "one line each: {problems:#?}"
    );
    for (name, _, _) in &broken {
        assert!(dir.path().join(name).exists(), "{name} is kept");
    }
}

#[test]
fn oversized_files_are_refused_unread() {
    let dir = tempfile::tempdir().expect("temp dir");
    let name = format!("{CHESS}.toml");
    let huge = "# padding\n".repeat(10_000);
    fs::write(dir.path().join(&name), huge).expect("write");
    let (loaded, problems) = Registry::load(dir.path());
    assert!(loaded.is_empty());
    assert_eq!(problems.len(), 1);
    assert!(problems[0].contains("too large"), "{problems:?}");
}

#[test]
fn a_broken_file_can_be_unregistered_or_replaced_but_not_silently_overwritten() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(format!("{CHESS}.toml"));
    fs::write(&path, "broken = ").expect("write");
    let (mut registry, problems) = Registry::load(dir.path());
    assert_eq!(problems.len(), 1);

    let error = registry
        .register(sample(CHESS, "Chess"), false)
        .expect_err("a file holds the GUID");
    assert!(matches!(error, AppsError::AlreadyRegistered(_)), "{error}");
    assert_eq!(fs::read_to_string(&path).expect("read"), "broken = ");

    assert_eq!(registry.unregister(&guid(CHESS)).expect("unregister"), None);
    assert!(!path.exists());
}
