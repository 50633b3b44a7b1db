//! The settings window's file-backed parts, driven by label in a kittest harness with the real
//! settings worker writing into a temporary folder: starting on login and the Applications
//! page. (The file dialog cannot be driven in a test; the typed Program field is.)

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui::accesskit::Toggled;
use egui_kittest::kittest::{NodeT, Queryable};
use egui_kittest::Harness;
use tokio::sync::mpsc;

use super::applications::{self, unregister_label};
use super::startup::{START_HIDDEN, START_ON_LOGIN};
use crate::app::NudgeApp;
use crate::apps::{Guid, Registration, Registry};
use crate::command::Command;
use crate::core::{CommandSender, EventReceiver};
use crate::event::Event;
use crate::model::{Availability, ConnectionState};
use crate::platform::autostart::{Autostart, AutostartState};
use crate::platform::settings_files::{SettingsFiles, SettingsPlaces};

const TIC_TAC_TOE: &str = "{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}";
const CHESS: &str = "{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}";

/// The app online, with a settings worker whose files live in a temporary folder.
struct Window {
    harness: Harness<'static, NudgeApp>,
    events: mpsc::UnboundedSender<Event>,
    _commands: mpsc::UnboundedReceiver<Command>,
    _dir: tempfile::TempDir,
    apps_dir: PathBuf,
    entry: PathBuf,
}

impl Window {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let apps_dir = dir.path().join("apps");
        let autostart = Autostart::new(
            &dir.path().join("autostart"),
            "default",
            Path::new("/usr/bin/nudge"),
        );
        let entry = autostart.path();
        let places = SettingsPlaces {
            apps_dir: apps_dir.clone(),
            autostart: Ok(autostart),
        };
        let (command_tx, commands) = mpsc::unbounded_channel();
        let (events, event_rx) = mpsc::unbounded_channel();
        let harness = Harness::builder()
            .with_size(egui::vec2(420.0, 720.0))
            // The worker's answers wake the window between frames: a few more frames to settle.
            .with_max_steps(32)
            .build_eframe(move |creation| {
                crate::ui::theme::apply(&creation.egui_ctx);
                let waker = crate::ui::repaint_waker(&creation.egui_ctx);
                let files = SettingsFiles::start(places, waker).expect("worker");
                NudgeApp::new(
                    CommandSender::new(command_tx),
                    EventReceiver::new(event_rx),
                    None,
                )
                .with_settings_files(Some(files))
            });
        let mut window = Self {
            harness,
            events,
            _commands: commands,
            _dir: dir,
            apps_dir,
            entry,
        };
        for event in [
            Event::ConnectionChanged {
                state: ConnectionState::Online {
                    jid: crate::model::full("alice@example.org/laptop"),
                },
            },
            Event::OwnPresenceChanged {
                availability: Availability::Online,
                status: None,
            },
            Event::RosterReceived { contacts: vec![] },
        ] {
            window
                .events
                .send(event)
                .expect("the app holds the receiver");
        }
        window.harness.run();
        window
    }

    fn open_settings(&mut self) {
        self.harness.get_by_label("Settings").click();
        self.harness.run();
    }

    /// Runs frames until `done` holds, for at most 10 s (the worker answers on its thread).
    fn settle_until(&mut self, what: &str, done: impl Fn(&Self) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !done(self) {
            assert!(Instant::now() < deadline, "not within 10 s: {what}");
            std::thread::sleep(Duration::from_millis(5));
            self.harness.step();
        }
        self.harness.run();
    }

    fn shows(&self, label: &str) -> bool {
        self.harness.query_by_label(label).is_some()
    }

    fn ticked(&self, label: &str) -> bool {
        self.harness.get_by_label(label).accesskit_node().toggled() == Some(Toggled::True)
    }

    fn enabled(&self, label: &str) -> bool {
        !self
            .harness
            .get_by_label(label)
            .accesskit_node()
            .is_disabled()
    }

    fn click(&mut self, label: &str) {
        self.harness.get_by_label(label).click_accesskit();
        self.harness.run();
    }

    fn type_into(&mut self, label: &str, text: &str) {
        self.harness.get_by_label(label).focus();
        self.harness.run();
        self.harness.get_by_label(label).type_text(text);
        self.harness.run();
    }

    /// Replaces a field's text, as assistive technology does (SetValue).
    fn replace_text(&mut self, label: &str, text: &str) {
        self.harness
            .get_by_label(label)
            .set_text_value_accesskit(text);
        self.harness.run();
    }

    fn entry_text(&self) -> Option<String> {
        std::fs::read_to_string(&self.entry).ok()
    }
}

fn game(guid: &str, name: &str, path: &str) -> Registration {
    Registration {
        guid: Guid::parse(guid).expect("guid"),
        name: name.into(),
        path: PathBuf::from(path),
        download_url: format!("https://example.org/{}", name.to_lowercase()),
        args: vec![],
        key: None,
    }
}

#[test]
fn starting_on_login_is_off_by_default_and_the_switches_write_the_entry() {
    let mut window = Window::new();
    window.open_settings();
    window.settle_until("the entry is read", |w| w.shows(START_ON_LOGIN));
    assert!(!window.ticked(START_ON_LOGIN), "off by default");
    assert!(!window.enabled(START_HIDDEN), "nothing to hide while off");
    assert_eq!(window.entry_text(), None);

    window.click(START_ON_LOGIN);
    window.settle_until("the entry is written", |w| {
        w.entry_text().is_some() && w.enabled(START_ON_LOGIN)
    });
    assert!(window.ticked(START_ON_LOGIN) && !window.ticked(START_HIDDEN));
    let text = window.entry_text().unwrap_or_default();
    assert!(text.contains("\nExec=/usr/bin/nudge\n"), "{text}");

    window.click(START_HIDDEN);
    window.settle_until("the entry starts hidden", |w| {
        w.entry_text().is_some_and(|t| t.contains("--hidden")) && w.enabled(START_HIDDEN)
    });
    assert!(window.ticked(START_HIDDEN));

    window.click(START_ON_LOGIN);
    window.settle_until("the entry is removed", |w| {
        w.entry_text().is_none() && w.enabled(START_ON_LOGIN)
    });
    assert!(!window.ticked(START_ON_LOGIN) && !window.ticked(START_HIDDEN));
}

#[test]
fn an_entry_made_elsewhere_shows_as_it_is() {
    let mut window = Window::new();
    let autostart = Autostart::new(
        window.entry.parent().expect("folder"),
        "default",
        Path::new("/opt/nudge/nudge"),
    );
    autostart
        .set(AutostartState {
            enabled: true,
            hidden: true,
        })
        .expect("written");
    window.open_settings();
    window.settle_until("the entry is read", |w| w.shows(START_ON_LOGIN));
    assert!(window.ticked(START_ON_LOGIN) && window.ticked(START_HIDDEN));
}

#[test]
fn the_applications_page_lists_registers_and_unregisters() {
    let mut window = Window::new();
    // Registered beforehand, as `nudge apps register` does.
    Registry::load(&window.apps_dir)
        .0
        .register(
            game(TIC_TAC_TOE, "Tic-Tac-Toe", "/nonexistent/nudge-tictactoe"),
            false,
        )
        .expect("registered");
    window.open_settings();
    window.click(applications::PAGE);
    window.settle_until("the list is read", |w| w.shows("Tic-Tac-Toe"));
    for line in [
        format!("GUID: {TIC_TAC_TOE}"),
        "Program: /nonexistent/nudge-tictactoe (not installed here)".to_string(),
        "Download page: https://example.org/tic-tac-toe".to_string(),
    ] {
        assert!(window.shows(&line), "{line}");
    }

    window.click(applications::REGISTER_OPEN);
    window.type_into(applications::GUID_FIELD, &CHESS.to_lowercase());
    window.type_into(applications::NAME_FIELD, "Chess");
    window.type_into(applications::PROGRAM_FIELD, "/usr/bin/chess");
    window.type_into(applications::URL_FIELD, "https://example.org/chess");
    window.click(applications::REGISTER);
    window.settle_until("Chess is registered", |w| w.shows("Registered Chess."));
    window.settle_until("the list is read again", |w| {
        w.shows(&unregister_label("Chess"))
    });
    let (registry, problems) = Registry::load(&window.apps_dir);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        registry.get(&Guid::parse(CHESS).expect("guid")),
        Some(&game(CHESS, "Chess", "/usr/bin/chess")),
        "the GUID is stored in capitals"
    );
    assert!(
        !window.shows(applications::REGISTER),
        "the form closes once registered"
    );

    window.click(&unregister_label("Tic-Tac-Toe"));
    window.settle_until("Tic-Tac-Toe is unregistered", |w| {
        w.shows("Unregistered Tic-Tac-Toe.")
    });
    window.settle_until("the list is read again", |w| !w.shows("Tic-Tac-Toe"));
    let left: Vec<String> = Registry::load(&window.apps_dir)
        .0
        .list()
        .iter()
        .map(|app| app.name.clone())
        .collect();
    assert_eq!(left, ["Chess"]);
}

#[test]
fn a_bad_registration_is_refused_in_words_and_keeps_what_was_typed() {
    let mut window = Window::new();
    Registry::load(&window.apps_dir)
        .0
        .register(game(CHESS, "Chess", "/usr/bin/chess"), false)
        .expect("registered");
    window.open_settings();
    window.click(applications::PAGE);
    window.settle_until("the list is read", |w| w.shows("Chess"));
    window.click(applications::REGISTER_OPEN);
    window.type_into(applications::GUID_FIELD, CHESS);
    window.type_into(applications::NAME_FIELD, "Chess 2");
    window.type_into(applications::PROGRAM_FIELD, "chess2");
    window.type_into(applications::URL_FIELD, "http://example.org/chess");
    window.click(applications::REGISTER);
    let refusal = "The program path \"chess2\" is not a full path";
    assert!(
        window.harness.query_by_label_contains(refusal).is_some(),
        "a relative path is refused"
    );
    let typed = window.harness.get_by_label(applications::URL_FIELD).value();
    assert_eq!(typed.as_deref(), Some("http://example.org/chess"));

    window.replace_text(applications::PROGRAM_FIELD, "/usr/bin/chess2");
    window.click(applications::REGISTER);
    assert!(window
        .harness
        .query_by_label_contains("must start with https://")
        .is_some());

    window.replace_text(applications::URL_FIELD, "https://example.org/chess2");
    window.click(applications::REGISTER);
    window.settle_until("the worker refuses the taken GUID", |w| {
        w.harness
            .query_by_label_contains("is registered already")
            .is_some()
    });
    window.click(applications::REPLACE);
    window.click(applications::REGISTER);
    window.settle_until("Chess 2 replaces Chess", |w| w.shows("Registered Chess 2."));
    let (registry, _) = Registry::load(&window.apps_dir);
    let names: Vec<&str> = registry.list().iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Chess 2"]);
}

#[test]
fn the_invite_menus_hint_leads_to_the_applications_page() {
    let hint = crate::ui::words::NO_APPS_HINT;
    for words in ["settings", applications::PAGE, applications::REGISTER_OPEN] {
        assert!(hint.contains(words), "{hint:?} should name {words:?}");
    }
}

#[test]
fn the_form_ignores_surrounding_spaces_and_new_guids_are_valid() {
    let form = super::files::RegisterForm {
        guid: format!("  {}\t", CHESS.to_lowercase()),
        name: " Chess ".into(),
        program: " /usr/bin/chess ".into(),
        download_url: " https://example.org/chess ".into(),
        ..Default::default()
    };
    assert_eq!(
        form.registration(),
        Ok(game(CHESS, "Chess", "/usr/bin/chess"))
    );
    let fresh = super::files::new_guid();
    assert_eq!(
        Guid::parse(&fresh).map(|g| g.to_string()),
        Ok(fresh.clone())
    );
    assert_ne!(fresh, super::files::new_guid(), "a new one each time");
}
