use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::*;

const TIC_TAC_TOE: &str = "{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}";

struct Fixture {
    _dir: tempfile::TempDir,
    apps_dir: PathBuf,
    autostart_dir: PathBuf,
    files: SettingsFiles,
    wakes: Arc<AtomicUsize>,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let apps_dir = dir.path().join("apps");
    let autostart_dir = dir.path().join("autostart");
    let places = SettingsPlaces {
        apps_dir: apps_dir.clone(),
        autostart: Ok(Autostart::new(
            &autostart_dir,
            "default",
            Path::new("/usr/bin/nudge"),
        )),
    };
    let wakes = Arc::new(AtomicUsize::new(0));
    let counter = wakes.clone();
    let files = SettingsFiles::start(
        places,
        Arc::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        }),
    )
    .expect("worker");
    Fixture {
        _dir: dir,
        apps_dir,
        autostart_dir,
        files,
        wakes,
    }
}

impl Fixture {
    /// Sends `job` and waits for its one outcome.
    fn ask(&self, job: FileJob) -> FileOutcome {
        assert!(self.files.request(job));
        let mut outcomes = self.wait_for(1);
        assert_eq!(outcomes.len(), 1, "one outcome per job: {outcomes:?}");
        outcomes.remove(0)
    }

    /// Waits until `count` outcomes arrived and answers them, oldest first.
    fn wait_for(&self, count: usize) -> Vec<FileOutcome> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut outcomes = Vec::new();
        while outcomes.len() < count {
            assert!(Instant::now() < deadline, "no outcome within 10 s");
            std::thread::sleep(Duration::from_millis(5));
            outcomes.extend(self.files.outcomes());
        }
        outcomes
    }
}

fn game(name: &str) -> Registration {
    Registration {
        guid: Guid::parse(TIC_TAC_TOE).expect("guid"),
        name: name.into(),
        path: PathBuf::from("/usr/bin/nudge-tictactoe"),
        download_url: "https://example.org/tictactoe".into(),
        args: vec![],
        key: None,
    }
}

#[test]
fn registering_and_unregistering_edit_the_registry_folder() {
    let f = fixture();
    let FileOutcome::Apps { apps, problems } = f.ask(FileJob::LoadApps) else {
        panic!("apps");
    };
    assert!(apps.is_empty() && problems.is_empty());
    let FileOutcome::Registered(Ok(registered)) = f.ask(FileJob::Register {
        registration: game("Tic-Tac-Toe"),
        replace: false,
    }) else {
        panic!("registered");
    };
    assert_eq!(registered, game("Tic-Tac-Toe"));
    let (registry, _) = Registry::load(&f.apps_dir);
    assert_eq!(
        registry.list(),
        vec![&game("Tic-Tac-Toe")],
        "the CLI sees it"
    );
    let FileOutcome::Registered(Err(AppsError::AlreadyRegistered(_))) = f.ask(FileJob::Register {
        registration: game("Again"),
        replace: false,
    }) else {
        panic!("a second registration of the GUID is refused");
    };
    let guid = Guid::parse(TIC_TAC_TOE).expect("guid");
    let FileOutcome::Unregistered(Ok(gone)) = f.ask(FileJob::Unregister(guid.clone())) else {
        panic!("unregistered");
    };
    assert_eq!(gone, guid);
    assert!(Registry::load(&f.apps_dir).0.is_empty());
    let FileOutcome::Unregistered(Err(AppsError::NotRegistered(_))) =
        f.ask(FileJob::Unregister(guid))
    else {
        panic!("nothing left to unregister");
    };
    assert!(
        f.wakes.load(Ordering::SeqCst) >= 5,
        "woken for each outcome"
    );
}

#[test]
fn a_replacement_keeps_the_arguments_and_key_the_window_does_not_show() {
    let f = fixture();
    let with_key = Registration {
        args: vec!["--board".into(), "3".into()],
        key: Some("s3cret-key".into()),
        ..game("Tic-Tac-Toe")
    };
    Registry::load(&f.apps_dir)
        .0
        .register(with_key, false)
        .expect("registered as the CLI does");
    let FileOutcome::Registered(Ok(replaced)) = f.ask(FileJob::Register {
        registration: game("Noughts and Crosses"),
        replace: true,
    }) else {
        panic!("replaced");
    };
    assert_eq!(replaced.name, "Noughts and Crosses");
    assert_eq!(replaced.key.as_deref(), Some("s3cret-key"));
    assert_eq!(replaced.args, ["--board", "3"]);
    let FileOutcome::Apps { apps, .. } = f.ask(FileJob::LoadApps) else {
        panic!("apps");
    };
    assert_eq!(apps, vec![replaced]);
}

#[test]
fn invalid_registrations_and_broken_files_are_reported_in_words() {
    let f = fixture();
    let FileOutcome::Registered(Err(error)) = f.ask(FileJob::Register {
        registration: Registration {
            download_url: "http://example.org".into(),
            ..game("Tic-Tac-Toe")
        },
        replace: false,
    }) else {
        panic!("refused");
    };
    assert!(error.to_string().contains("https://"), "{error}");
    std::fs::create_dir_all(&f.apps_dir).expect("dir");
    std::fs::write(f.apps_dir.join("broken.toml"), "name = ").expect("write");
    let FileOutcome::Apps { apps, problems } = f.ask(FileJob::LoadApps) else {
        panic!("apps");
    };
    assert!(apps.is_empty());
    assert!(
        problems.len() == 1 && problems[0].contains("broken.toml"),
        "{problems:?}"
    );
}

#[test]
fn autostart_jobs_write_and_remove_the_entry_in_order() {
    let f = fixture();
    let FileOutcome::Autostart(Ok(state)) = f.ask(FileJob::ReadAutostart) else {
        panic!("read");
    };
    assert!(!state.enabled, "off by default");
    let hidden = AutostartState {
        enabled: true,
        hidden: true,
    };
    // Sent together: the worker keeps their order, so the last one wins.
    let shown = AutostartState {
        enabled: true,
        hidden: false,
    };
    assert!(f.files.request(FileJob::SetAutostart(shown)));
    assert!(f.files.request(FileJob::SetAutostart(hidden)));
    let states: Vec<AutostartState> = f
        .wait_for(2)
        .into_iter()
        .map(|outcome| match outcome {
            FileOutcome::Autostart(Ok(state)) => state,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(states, [shown, hidden]);
    let entry = f.autostart_dir.join("im.nudge.Nudge.desktop");
    let text = std::fs::read_to_string(&entry).expect("the entry");
    assert!(text.contains("Exec=/usr/bin/nudge --hidden"), "{text}");
    let FileOutcome::Autostart(Ok(off)) = f.ask(FileJob::SetAutostart(AutostartState::default()))
    else {
        panic!("off");
    };
    assert!(!off.enabled && !entry.exists());
}

#[test]
fn without_an_autostart_folder_the_reason_comes_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = SettingsFiles::start(
        SettingsPlaces {
            apps_dir: dir.path().join("apps"),
            autostart: Err(AutostartError::Unsupported),
        },
        Arc::new(|| {}),
    )
    .expect("worker");
    assert!(files.request(FileJob::ReadAutostart));
    let deadline = Instant::now() + Duration::from_secs(10);
    let outcome = loop {
        if let Some(outcome) = files.outcomes().pop() {
            break outcome;
        }
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(5));
    };
    let FileOutcome::Autostart(Err(error)) = outcome else {
        panic!("{outcome:?}");
    };
    assert!(error.to_string().contains("only available"), "{error}");
}
