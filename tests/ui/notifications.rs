//! How Nudge speaks when its window is not in front: desktop notifications (as commands to the
//! core) and the tray icon's menu and close-to-tray, through the real `NudgeApp`.

use nudge_testkit::bare;
use std::sync::Arc;
use std::time::Duration;

use egui::ViewportCommand;
use nudge::command::Command;
use nudge::event::Event;
use nudge::invite::{Role, SessionState};
use nudge::model::Availability;
use nudge::platform::tray::{self, TrayAction, TrayEnd, TrayStatus};
use nudge::ui::notifications::PER_CONTACT_SECONDS;
use nudge_testkit::ui::{contact, incoming, session, Window};

const BOB: &str = "bob@example.org";

fn notifications(sent: &[Command]) -> Vec<(String, String)> {
    sent.iter()
        .filter_map(|c| match c {
            Command::ShowNotification { title, body, .. } => Some((title.clone(), body.clone())),
            _ => None,
        })
        .collect()
}

fn pair(title: &str, body: &str) -> (String, String) {
    (title.to_string(), body.to_string())
}

fn message(window: &mut Window, id: &str, body: &str) {
    window.emit(Event::MessageReceived {
        message: incoming(id, BOB, body),
    });
}

/// Signed in with Bob, the sign-in presence flood over, nothing sent yet.
fn online(window: &mut Window) {
    window.online_with(&[contact(BOB, "Bob")]);
    window.harness.run_steps(24);
    window.sent();
}

#[test]
fn a_focused_window_sends_no_notification() {
    let mut window = Window::new();
    online(&mut window);
    message(&mut window, "m1", "hi");
    window.emit(Event::NudgeReceived { jid: bare(BOB) });
    assert_eq!(notifications(&window.sent()), vec![]);
}

#[test]
fn an_unfocused_window_notifies_each_kind() {
    let mut window = Window::new();
    online(&mut window);
    window.set_focused(false);
    message(&mut window, "m1", "hi there\nsecond line");
    assert_eq!(notifications(&window.sent()), vec![pair("Bob", "hi there")]);
    assert!(
        window.shows("Bob says: hi there"),
        "the toast waits for the user"
    );

    let mut window = Window::new();
    online(&mut window);
    window.set_focused(false);
    window.presence(BOB, Availability::Online, Some("back"));
    assert_eq!(
        notifications(&window.sent()),
        vec![pair("Bob has just signed in", "back")]
    );

    let mut window = Window::new();
    online(&mut window);
    window.set_focused(false);
    window.emit(Event::NudgeReceived { jid: bare(BOB) });
    assert_eq!(
        notifications(&window.sent()),
        vec![pair("Bob sent you a nudge", BOB)]
    );

    let mut window = Window::new();
    online(&mut window);
    window.set_focused(false);
    window.emit(Event::SessionUpdated {
        session: session("s1", Role::Invitee, SessionState::Invitation),
    });
    assert_eq!(
        notifications(&window.sent()),
        vec![pair("Invitation", "Bob invites you to play Tic-Tac-Toe")]
    );
}

#[test]
fn a_burst_is_held_by_a_timer_and_summed_up() {
    let mut window = Window::new();
    online(&mut window);
    window.set_focused(false);
    message(&mut window, "m1", "one");
    message(&mut window, "m2", "two");
    message(&mut window, "m3", "three");
    assert_eq!(notifications(&window.sent()), vec![pair("Bob", "one")]);
    let delay = window.harness.output().viewport_output[&egui::ViewportId::ROOT].repaint_delay;
    assert!(
        delay <= Duration::from_secs_f64(PER_CONTACT_SECONDS),
        "a timer wakes the window for the summary: {delay:?}"
    );
    window
        .harness
        .run_steps((PER_CONTACT_SECONDS * 4.0) as usize + 1);
    assert_eq!(
        notifications(&window.sent()),
        vec![pair("Nudge", "2 new messages from Bob")]
    );
}

#[test]
fn the_notification_settings_are_obeyed() {
    let mut window = Window::new();
    online(&mut window);
    let mut settings = nudge::config::Settings::default();
    settings.notifications.messages = false;
    window.emit(Event::SettingsChanged { settings });
    window.set_focused(false);
    message(&mut window, "m1", "hi");
    assert_eq!(notifications(&window.sent()), vec![]);
    window.emit(Event::NudgeReceived { jid: bare(BOB) });
    assert_eq!(
        notifications(&window.sent()).len(),
        1,
        "nudges still notify"
    );
}

/// A window with a tray whose other end the test holds.
fn with_tray() -> (Window, TrayEnd) {
    let (link, end) = tray::channel(Arc::new(|| {}));
    let mut window = Window::with_tray(link);
    online(&mut window);
    (window, end)
}

/// Asks the window to close, as the window manager's close button does, and runs one frame.
fn request_close(window: &mut Window) {
    window
        .harness
        .input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    window.harness.step();
}

#[test]
fn the_tray_menu_sends_commands_and_learns_the_presence() {
    let (mut window, end) = with_tray();
    assert_eq!(
        end.statuses().last(),
        Some(&TrayStatus {
            signed_in: true,
            availability: Availability::Online
        })
    );
    window.emit(Event::OwnPresenceChanged {
        availability: Availability::Online,
        status: Some("coding".into()),
    });
    end.sender.act(TrayAction::SetPresence(Availability::Busy));
    window.harness.run();
    assert_eq!(
        window.sent(),
        vec![Command::SetPresence {
            availability: Availability::Busy,
            status: Some("coding".into()),
        }]
    );
    window.emit(Event::OwnPresenceChanged {
        availability: Availability::Busy,
        status: Some("coding".into()),
    });
    assert_eq!(
        end.statuses(),
        vec![TrayStatus {
            signed_in: true,
            availability: Availability::Busy
        }]
    );
    end.sender.act(TrayAction::SignOut);
    window.harness.run();
    assert_eq!(window.sent(), vec![Command::SignOut]);
}

#[test]
fn closing_hides_in_the_tray_and_open_brings_the_window_back() {
    let (mut window, end) = with_tray();
    request_close(&mut window);
    let commands = window.viewport_commands();
    assert!(
        commands.contains(&ViewportCommand::CancelClose),
        "{commands:?}"
    );
    assert!(commands.contains(&ViewportCommand::Visible(false)));

    end.sender.act(TrayAction::Open);
    window.harness.step();
    let commands = window.viewport_commands();
    assert!(
        commands.contains(&ViewportCommand::Visible(true)),
        "{commands:?}"
    );
    assert!(commands.contains(&ViewportCommand::Focus));
}

#[test]
fn quit_from_the_tray_really_closes() {
    let (mut window, end) = with_tray();
    end.sender.act(TrayAction::Quit);
    window.harness.step();
    assert!(window.viewport_commands().contains(&ViewportCommand::Close));
    request_close(&mut window);
    assert!(!window
        .viewport_commands()
        .contains(&ViewportCommand::CancelClose));
}

#[test]
fn without_a_tray_or_the_setting_closing_quits() {
    let mut window = Window::new();
    online(&mut window);
    request_close(&mut window);
    assert!(!window
        .viewport_commands()
        .contains(&ViewportCommand::CancelClose));

    let (mut window, end) = with_tray();
    let settings = nudge::config::Settings {
        run_in_tray: false,
        ..Default::default()
    };
    window.emit(Event::SettingsChanged { settings });
    request_close(&mut window);
    assert!(!window
        .viewport_commands()
        .contains(&ViewportCommand::CancelClose));

    let (mut window, end_gone) = with_tray();
    end_gone.sender.set_shown(false);
    request_close(&mut window);
    assert!(
        !window
            .viewport_commands()
            .contains(&ViewportCommand::CancelClose),
        "the desktop's tray host went away"
    );
    drop(end);
}
