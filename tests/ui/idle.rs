//! An idle window asks for no repaints: only the core's waker and real timers wake it.

use nudge_testkit::bare;
use std::time::Duration;

use egui_kittest::kittest::Queryable;
use nudge::event::Event;
use nudge::invite::{EndReason, InviteSession, Role, SessionState};
use nudge::model::ChatState;
use nudge::ui::view::NOTICE_SECONDS;
use nudge_testkit::ui::{contact, incoming, session, Window};

const TOAST: &str = "Bob invites you to play Tic-Tac-Toe";

fn repaint_delay(window: &Window) -> Duration {
    window.harness.output().viewport_output[&egui::ViewportId::ROOT].repaint_delay
}

/// Steps a few frames with no input and no events and checks none asked for another frame.
fn assert_idle(window: &mut Window, screen: &str) {
    for step in 0..5 {
        window.harness.step();
        assert_eq!(
            repaint_delay(window),
            Duration::MAX,
            "{screen} asked for a repaint on idle step {step}"
        );
    }
}

#[test]
fn every_screen_is_quiet_when_nothing_happens() {
    let mut window = Window::new();
    assert_idle(&mut window, "sign-in");

    window.online_with(&[contact("bob@example.org", "Bob")]);
    window.emit(Event::MessageReceived {
        message: incoming("m1", "bob@example.org", "hi"),
    });
    // The message's toast wakes the window once more, to go away.
    window
        .harness
        .run_steps((nudge::ui::toasts::ALERT_SECONDS * 4.0) as usize + 2);
    assert!(window.harness.query_by_label("Bob says: hi").is_none());
    assert_idle(&mut window, "contact list");

    window.click("Bob");
    window.emit(Event::ChatStateChanged {
        jid: bare("bob@example.org"),
        state: ChatState::Composing,
    });
    // The composer has the keyboard focus here; its cursor must not blink the window awake.
    assert_idle(&mut window, "conversation");
}

#[test]
fn the_typing_timer_wakes_only_until_paused_is_sent() {
    let mut window = Window::new();
    window.online_with(&[contact("bob@example.org", "Bob")]);
    window.click("Bob");
    window.type_into("Message", "hi");
    assert_ne!(
        repaint_delay(&window),
        Duration::MAX,
        "the pause timer is set"
    );
    // A quarter second per step: after 6 s the pause was sent and the timer is gone.
    window.harness.run_steps(24);
    assert_idle(&mut window, "conversation after typing");
}

#[test]
fn a_toast_slides_in_and_then_the_window_is_quiet() {
    let mut window = Window::with_step_dt(1.0 / 60.0);
    window.online_with(&[contact("bob@example.org", "Bob")]);
    window.queue(Event::SessionUpdated {
        session: session("s1", Role::Invitee, SessionState::Invitation),
    });
    // The first frame sizes the toast; by the third it is on screen and moving.
    window.harness.run_steps(3);
    let sliding = window.harness.get_by_label(TOAST).rect().left();
    assert_ne!(repaint_delay(&window), Duration::MAX, "it animates");
    window.harness.run_steps(30); // half a second: longer than the slide
    let settled = window.harness.get_by_label(TOAST).rect().left();
    assert!(
        settled < sliding,
        "it slid in from the right: {sliding} -> {settled}"
    );
    let rect = window.harness.get_by_label(TOAST).rect();
    assert!(
        (340.0..=360.0).contains(&rect.right()) && (620.0..=640.0).contains(&rect.bottom()),
        "at the bottom right of the 360x640 window: {rect:?}"
    );
    assert_idle(&mut window, "a settled invitation toast");
}

#[test]
fn a_note_wakes_the_window_only_to_go_away() {
    let mut window = Window::new();
    window.online_with(&[contact("bob@example.org", "Bob")]);
    window.emit(Event::SessionUpdated {
        session: session("s1", Role::Invitee, SessionState::Invitation),
    });
    window.emit(Event::SessionUpdated {
        session: InviteSession {
            end_reason: Some(EndReason::Cancel),
            ..session("s1", Role::Invitee, SessionState::Cancelled)
        },
    });
    let note = "Bob cancelled the invitation to Tic-Tac-Toe";
    assert!(window.harness.query_by_label(note).is_some());
    let delay = repaint_delay(&window);
    assert!(
        delay > Duration::from_secs(1) && delay <= Duration::from_secs_f64(NOTICE_SECONDS),
        "a timer for the note, not an animation: {delay:?}"
    );
    // A quarter second per step.
    window
        .harness
        .run_steps((NOTICE_SECONDS * 4.0) as usize + 2);
    assert!(
        window.harness.query_by_label(note).is_none(),
        "gone in time"
    );
    assert_idle(&mut window, "after the note went away");
}
