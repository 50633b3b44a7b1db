//! Toasts for new messages and contacts coming online: when they appear, what a click does,
//! when they go, and the settings that turn them off.

use nudge_testkit::bare;
use std::time::Duration;

use egui_kittest::kittest::Queryable;
use nudge::command::Command;
use nudge::config::Settings;
use nudge::event::Event;
use nudge::model::Availability;
use nudge::ui::toasts::{ALERT_SECONDS, QUIET_AFTER_SIGN_IN_SECONDS};
use nudge_testkit::ui::{contact, incoming, Window};

const BOB: &str = "bob@example.org";
const CAROL: &str = "carol@example.org";

/// Signed in with Bob and Carol, both offline.
fn online() -> Window {
    let mut window = Window::new();
    window.online_with(&[contact(BOB, "Bob"), contact(CAROL, "Carol")]);
    window.sent();
    window
}

fn repaint_delay(window: &Window) -> Duration {
    window.harness.output().viewport_output[&egui::ViewportId::ROOT].repaint_delay
}

/// Lets `seconds` of frames pass (a quarter second each), with no input.
fn wait(window: &mut Window, seconds: f64) {
    window.harness.run_steps((seconds * 4.0).ceil() as usize);
}

fn message(window: &mut Window, id: &str, peer: &str, body: &str) {
    window.emit(Event::MessageReceived {
        message: incoming(id, peer, body),
    });
}

#[test]
fn a_message_toasts_and_clicking_it_opens_the_conversation() {
    let mut window = online();
    message(&mut window, "m1", BOB, "  hello there  \nhow are you?");
    let toast = "Bob says: hello there";
    assert!(window.harness.query_by_label(toast).is_some());
    window.click(toast);
    assert!(
        window.has_window("Bob — bob@example.org"),
        "Bob's conversation is open"
    );
    assert!(window.sent().contains(&Command::LoadHistory {
        peer: bare(BOB),
        limit: nudge::ui::view::HISTORY_LIMIT,
    }));
    assert!(window.harness.query_by_label(toast).is_none(), "answered");
}

#[test]
fn the_conversation_on_screen_gets_no_toast_but_the_others_do() {
    let mut window = online();
    window.click("Bob");
    message(&mut window, "m1", BOB, "hi");
    // "Bob says:" alone is the sender line inside Bob's window; the toast would read "Bob says: hi".
    assert!(!window.shows("Bob says: hi"));
    message(&mut window, "m2", CAROL, "psst");
    window.click("Carol says: psst");
    assert!(
        window.has_window("Carol — carol@example.org"),
        "Carol's conversation is open"
    );
    assert!(window.sent().contains(&Command::LoadHistory {
        peer: bare(CAROL),
        limit: nudge::ui::view::HISTORY_LIMIT,
    }));
}

#[test]
fn a_toast_goes_after_a_few_seconds_and_the_window_is_quiet_again() {
    let mut window = online();
    message(&mut window, "m1", BOB, "hi");
    let delay = repaint_delay(&window);
    assert!(
        delay > Duration::from_secs(1) && delay <= Duration::from_secs_f64(ALERT_SECONDS),
        "a timer for the toast, not an animation: {delay:?}"
    );
    wait(&mut window, ALERT_SECONDS - 1.0);
    assert!(window.shows("Bob says: hi"), "still there");
    wait(&mut window, 1.5);
    assert!(!window.shows("Bob says: hi"), "gone in time");
    for step in 0..5 {
        window.harness.step();
        assert_eq!(repaint_delay(&window), Duration::MAX, "idle step {step}");
    }
}

#[test]
fn contacts_online_at_sign_in_make_no_toast_but_later_arrivals_do() {
    let mut window = online();
    window.presence(BOB, Availability::Online, None);
    assert!(
        !window.shows("Bob has just signed in"),
        "the presence flood right after signing in"
    );
    wait(&mut window, QUIET_AFTER_SIGN_IN_SECONDS + 0.5);
    window.presence(CAROL, Availability::Away, Some("lunch"));
    assert!(window.shows("Carol has just signed in"));
    window.presence(BOB, Availability::Busy, None);
    assert!(
        !window.shows("Bob has just signed in"),
        "Bob was online already"
    );
    window.sent();
    window.click("Carol has just signed in");
    assert!(window.has_window("Carol — carol@example.org"));
    assert!(window.sent().contains(&Command::LoadHistory {
        peer: bare(CAROL),
        limit: nudge::ui::view::HISTORY_LIMIT,
    }));
}

#[test]
fn toasts_stack_upwards_in_arrival_order() {
    let mut window = online();
    wait(&mut window, QUIET_AFTER_SIGN_IN_SECONDS + 0.5);
    message(&mut window, "m1", BOB, "first");
    window.presence(CAROL, Availability::Online, None);
    let older = window.top_of("Bob says: first");
    let newer = window.top_of("Carol has just signed in");
    assert!(
        newer < older,
        "the newer toast sits above: {newer} < {older}"
    );
    message(&mut window, "m2", BOB, "second");
    assert!(
        !window.shows("Bob says: first"),
        "one toast per conversation"
    );
    assert!(window.shows("Bob says: second"));
}

#[test]
fn the_notification_settings_turn_toasts_off_too() {
    let mut window = online();
    let mut settings = Settings::default();
    settings.notifications.messages = false;
    window.emit(Event::SettingsChanged {
        settings: settings.clone(),
    });
    wait(&mut window, QUIET_AFTER_SIGN_IN_SECONDS + 0.5);
    message(&mut window, "m1", BOB, "hi");
    assert!(!window.shows("Bob says: hi"));
    window.presence(CAROL, Availability::Online, None);
    assert!(
        window.shows("Carol has just signed in"),
        "only messages are off"
    );

    settings.notifications.messages = true;
    settings.notifications.contacts_online = false;
    window.emit(Event::SettingsChanged { settings });
    window.presence(BOB, Availability::Online, None);
    assert!(!window.shows("Bob has just signed in"));
    message(&mut window, "m2", BOB, "again");
    assert!(window.shows("Bob says: again"));
}

#[test]
fn signing_out_takes_the_toasts_away() {
    let mut window = online();
    message(&mut window, "m1", BOB, "hi");
    window.emit(Event::ConnectionChanged {
        state: nudge::model::ConnectionState::Offline,
    });
    window.online_with(&[contact(BOB, "Bob")]);
    assert!(!window.shows("Bob says: hi"));
}
