//! An idle window asks for no repaints: only the core's waker and real timers wake it.

mod ui_support;

use std::time::Duration;

use nudge::event::Event;
use nudge::model::ChatState;
use ui_support::{contact, incoming, Window};

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
    assert_idle(&mut window, "contact list");

    window.click("Bob");
    window.emit(Event::ChatStateChanged {
        jid: "bob@example.org".into(),
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
