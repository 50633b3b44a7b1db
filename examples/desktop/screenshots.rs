//! `scripts/screenshots [DIR]`: the real windows under Xvfb, in the light and the dark theme,
//! written as `DIR/light/NAME.png` and `DIR/dark/NAME.png` for each scene below.
//!
//! Three profiles on one throwaway Prosody: Alice and Bob sign in and chat; Carol has an address
//! but no password, so her window stays on the sign-in screen. The conversation, the display
//! pictures and the status message are made once; the dark run starts the same profiles again
//! with `theme = "dark"` in their settings, and their history comes back from their stores.
//!
//! Xvfb has no window manager: windows open where Nudge puts them (a conversation at
//! `ui::windows::FIRST_WINDOW_AT`) or where they are moved here, and clicks go to points worked
//! out from the theme's sizes. If a scene comes out wrong after a layout change, the points in
//! `Points` are what to adjust.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::{account_set, ctl, nudge, shot, start_xvfb, wait_until, window_id, xdotool, Killed};
use nudge_testkit::Prosody;

/// The pictures, by file name, in the order they are taken.
const SCENES: [Scene; 6] = [
    Scene::SignIn,
    Scene::ContactList,
    Scene::Conversation,
    Scene::GroupConversation,
    Scene::Invitation,
    Scene::Settings,
];

/// One screenshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scene {
    /// Carol's window on the sign-in screen.
    SignIn,
    /// Alice's contact list with Bob (away, with a status message and a picture).
    ContactList,
    /// Alice's conversation with Bob.
    Conversation,
    /// The hook for group conversations (MUC), which Nudge does not have yet: see
    /// [`group_conversation`].
    GroupConversation,
    /// Bob's window with the dialog of Alice's invitation to Tic-Tac-Toe.
    Invitation,
    /// Alice's settings window.
    Settings,
}

impl Scene {
    fn file_name(self) -> &'static str {
        match self {
            Scene::SignIn => "sign-in.png",
            Scene::ContactList => "contact-list.png",
            Scene::Conversation => "conversation.png",
            Scene::GroupConversation => "group-conversation.png",
            Scene::Invitation => "invitation.png",
            Scene::Settings => "settings.png",
        }
    }
}

/// Where the windows are and where to click in them (window-relative points, 1:1 pixels).
struct Points;

impl Points {
    /// Alice's contact list (the first window, moved to the top left).
    const ALICE_AT: (i32, i32) = (0, 0);
    /// Bob's contact list, right of Alice's conversation window.
    const BOB_AT: (i32, i32) = (880, 0);
    /// Bob's row: the first contact row, under the header band, the search line and the
    /// group's name.
    const FIRST_ROW: (i32, i32) = (120, 236);
    /// The Settings button in the header band.
    const SETTINGS_BUTTON: (i32, i32) = (153, 97);
    /// The middle of the lowest toast at the bottom right of a 360×640 window.
    const TOAST: (i32, i32) = (360 - 8 - 120, 640 - 8 - 26);
}

/// The shared parts of a run: the display, the server, the profiles' home.
struct Run<'a> {
    display: &'a str,
    home: &'a Path,
    server: &'a Prosody,
    jids: Vec<String>,
}

/// The Tic-Tac-Toe GUID the README registers.
const GAME: &str = "{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}";

/// Takes every scene in the light theme, then in the dark one, under `out`.
pub fn run(out: PathBuf) {
    let display = ":93";
    let _xvfb = start_xvfb(display);
    let server = Prosody::start();
    let home = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(home.path().join("run")).expect("runtime dir");
    let mut run = Run {
        display,
        home: home.path(),
        server: &server,
        jids: Vec::new(),
    };
    for (profile, user) in [("a", "alice"), ("b", "bob")] {
        run.jids
            .push(account_set(run.home, display, run.server, profile, user));
    }
    // Carol's account is set, but with no password she stays on the sign-in screen.
    account_set(run.home, display, run.server, "c", "carol");
    register_game(&run);
    for (index, theme) in ["light", "dark"].into_iter().enumerate() {
        let dir = out.join(theme);
        std::fs::create_dir_all(&dir).expect("output dir");
        for profile in ["a", "b", "c"] {
            set_theme(run.home, profile, theme);
        }
        let first_run = index == 0;
        take_all(&run, &dir, first_run);
    }
}

/// Writes `theme` into a profile's settings (the rest stays as it is). Messages do not open
/// conversation windows by themselves: with no window manager, Bob's would open where
/// Alice's is and cover it.
fn set_theme(home: &Path, profile: &str, theme: &str) {
    let path = home
        .join("config/nudge")
        .join(profile)
        .join("settings.toml");
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let ours = ["theme", "open_conversation_on_message"];
    let mut top: Vec<String> = old
        .lines()
        .take_while(|l| !l.starts_with('['))
        .filter(|l| !ours.iter().any(|key| l.starts_with(key)))
        .map(str::to_string)
        .collect();
    top.push(format!("theme = \"{theme}\""));
    top.push("open_conversation_on_message = false".to_string());
    let tables: Vec<&str> = old.lines().skip_while(|l| !l.starts_with('[')).collect();
    let text = format!("{}\n{}\n", top.join("\n"), tables.join("\n"));
    std::fs::create_dir_all(path.parent().expect("a folder")).expect("config dir");
    std::fs::write(&path, text).expect("settings written");
}

/// Registers the game for Alice and Bob, so Alice can invite Bob and Bob's dialog offers it.
fn register_game(run: &Run<'_>) {
    let program = super::nudge_bin().with_file_name("nudge-tictactoe");
    for profile in ["a", "b"] {
        let status = nudge(
            run.home,
            run.display,
            &[
                "--profile",
                profile,
                "apps",
                "register",
                "--guid",
                GAME,
                "--name",
                "Tic-Tac-Toe",
                "--path",
                program.to_str().expect("utf-8 path"),
                "--url",
                "https://example.org/nudge/tictactoe",
            ],
        )
        .stdout(Stdio::null())
        .status()
        .expect("apps register");
        assert!(status.success(), "registering the game for {profile}");
    }
}

/// Starts the window of `profile`, signed in with `password` when given.
fn window(run: &Run<'_>, profile: &str, password: Option<&str>) -> Killed {
    let mut command = nudge(run.home, run.display, &["--profile", profile]);
    let log = std::fs::File::create(run.home.join(format!("{profile}.log"))).expect("a log file");
    command
        .env("WGPU_BACKEND", "gl")
        .stdout(Stdio::null())
        .stderr(log);
    match password {
        Some(password) => command.env("NUDGE_PASSWORD", password),
        None => command.env_remove("NUDGE_PASSWORD"),
    };
    Killed(command.spawn().expect("nudge starts"))
}

/// Starts the window of `profile` when no other is on screen and waits until it is shown; a
/// window that does not come up in 20 s is started once more, its log printed.
fn window_on_screen(run: &Run<'_>, profile: &str, password: Option<&str>) -> (Killed, String) {
    for _ in 0..2 {
        let started = window(run, profile, password);
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while std::time::Instant::now() < deadline {
            if let Some(id) = windows_named(run.display, "Nudge").into_iter().next() {
                return (started, id);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let log = std::fs::read_to_string(run.home.join(format!("{profile}.log")));
        println!(
            "{profile}'s window did not show; its log:\n{}",
            log.unwrap_or_default()
        );
    }
    panic!("the window of profile {profile} never showed");
}

/// The X window ids of windows named exactly `name`, oldest first.
fn windows_named(display: &str, name: &str) -> Vec<String> {
    let pattern = format!("^{name}$");
    Command::new("xdotool")
        .args(["search", "--name", &pattern])
        .env("DISPLAY", display)
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn click_at(display: &str, window: (i32, i32), point: (i32, i32)) {
    let (x, y) = (window.0 + point.0, window.1 + point.1);
    xdotool(display, &["mousemove", &x.to_string(), &y.to_string()]);
    xdotool(display, &["click", "1"]);
    // Away again, so no hover highlight shows in the picture.
    xdotool(display, &["mousemove", "1279", "799"]);
}

fn settle() {
    std::thread::sleep(Duration::from_millis(1200));
}

/// Every scene in one theme, into `dir`; the first run also befriends and chats.
fn take_all(run: &Run<'_>, dir: &Path, first_run: bool) {
    let display = run.display;
    let path = |scene: Scene| dir.join(scene.file_name());

    // Carol alone first: her window would lie under the others.
    {
        let (_carol, carol) = window_on_screen(run, "c", None);
        settle();
        shot(display, &carol, &path(Scene::SignIn));
    }

    let (_alice, alice) = window_on_screen(run, "a", Some("pw"));
    let _bob = window(run, "b", Some("pw"));
    let mut bob = String::new();
    wait_until("Bob's window", || {
        match windows_named(display, "Nudge")
            .into_iter()
            .find(|w| *w != alice)
        {
            Some(id) => {
                bob = id;
                true
            }
            None => false,
        }
    });
    for profile in ["a", "b"] {
        wait_until("sign-in", || {
            ctl(run.home, profile, &["status"])["connection"]["state"] == "online"
        });
    }
    let (a, b) = Points::ALICE_AT;
    xdotool(
        display,
        &["windowmove", &alice, &a.to_string(), &b.to_string()],
    );
    let (x, y) = Points::BOB_AT;
    xdotool(
        display,
        &["windowmove", &bob, &x.to_string(), &y.to_string()],
    );
    if first_run {
        befriend_and_chat(run);
    }
    // Presence is not kept across runs: Bob is away with a status message in every picture.
    ctl(run.home, "b", &["presence", "away", "Making coffee"]);
    // Past the toasts of the messages and of Bob coming online.
    std::thread::sleep(Duration::from_secs(7));

    for scene in SCENES {
        match scene {
            Scene::SignIn => {}
            Scene::ContactList => shot(display, &alice, &path(scene)),
            Scene::Conversation => {
                click_at(display, Points::ALICE_AT, Points::FIRST_ROW);
                settle();
                let conversation = window_id(display, "Bob")
                    .or_else(|| window_id(display, "bob@localhost"))
                    .expect("the conversation window opened");
                shot(display, &conversation, &path(scene));
            }
            Scene::GroupConversation => group_conversation(run, &path(scene)),
            Scene::Invitation => invitation(run, &bob, &path(scene)),
            Scene::Settings => {
                click_at(display, Points::ALICE_AT, Points::SETTINGS_BUTTON);
                settle();
                shot(display, &alice, &path(scene));
            }
        }
    }
}

/// Makes Alice and Bob contacts who trust each other, with pictures, a status and a chat.
fn befriend_and_chat(run: &Run<'_>) {
    let (home, jids) = (run.home, &run.jids);
    ctl(home, "a", &["contact", "add", &jids[1], "--name", "Bob"]);
    wait_until("bob sees the request", || {
        ctl(home, "b", &["roster"])["subscription_requests"][0] == jids[0].as_str()
    });
    ctl(home, "b", &["contact", "approve", &jids[0]]);
    wait_until("alice sees bob asking back", || {
        ctl(home, "a", &["roster"])["subscription_requests"][0] == jids[1].as_str()
    });
    ctl(home, "a", &["contact", "approve", &jids[1]]);
    ctl(home, "a", &["avatar", "--builtin", "kitten"]);
    ctl(home, "b", &["avatar", "--builtin", "beach"]);
    for (profile, to, text) in [
        ("a", &jids[1], "Hi Bob! Did you see the new Nudge build? :)"),
        ("b", &jids[0], "Yes! The Invite menu is great (y)"),
        ("a", &jids[1], "Want a game of Tic-Tac-Toe later? ;)"),
        ("b", &jids[0], "Sure, after my coffee :D"),
    ] {
        ctl(home, profile, &["send", to, text]);
        std::thread::sleep(Duration::from_millis(300));
    }
    // The conversation is read on Alice's side once it opens; Bob's side keeps it unread.
    std::thread::sleep(Duration::from_secs(2));
}

/// The hook for the group conversation screenshot. Group conversations (MUC, XEP-0045) do not
/// exist yet, so there is nothing to show: when they do, join a room with Alice and Bob here
/// (through `ctl`), open it in Alice's window, `shot` it to `path`, and add it to the README.
fn group_conversation(_run: &Run<'_>, path: &Path) {
    println!(
        "skipped {}: Nudge has no group conversations yet",
        path.display()
    );
}

/// Alice invites Bob to Tic-Tac-Toe; Bob's toast opens the dialog, which is shot; then Alice
/// cancels, which closes it.
fn invitation(run: &Run<'_>, bob: &str, path: &Path) {
    let (home, display) = (run.home, run.display);
    let invited = ctl(home, "a", &["invite", &run.jids[1], GAME]);
    let session = invited["session"].as_str().unwrap_or_default().to_string();
    std::thread::sleep(Duration::from_secs(2));
    click_at(display, Points::BOB_AT, Points::TOAST);
    settle();
    shot(display, bob, path);
    if !session.is_empty() {
        ctl(home, "a", &["cancel", &session]);
    }
    settle();
}
