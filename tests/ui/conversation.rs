//! The conversation view: history, sending, delivery marks, typing notifications, copying.

use egui_kittest::kittest::Queryable;
use nudge::command::Command;
use nudge::event::Event;
use nudge::model::{ChatState, Delivery};
use nudge_testkit::bare;
use nudge_testkit::ui::{contact, incoming, outgoing, Window};

const BOB: &str = "bob@example.org";

/// Online with Bob in the roster and his conversation open.
fn talking_to_bob() -> Window {
    let mut window = Window::new();
    window.online_with(&[contact(BOB, "Bob")]);
    window.click("Bob");
    window
}

#[test]
fn opening_a_conversation_loads_its_history() {
    let mut window = talking_to_bob();
    assert_eq!(
        window.sent(),
        vec![Command::LoadHistory {
            peer: bare(BOB),
            limit: 200
        }]
    );
    assert!(
        window.harness.get_by_label("Message").is_focused(),
        "the composer is ready for typing"
    );
    window.emit(Event::HistoryLoaded {
        peer: bare(BOB),
        messages: vec![incoming("h1", BOB, "from last week")],
    });
    assert!(window.harness.query_by_label("from last week").is_some());
    window.click("Close window");
    assert!(
        window.harness.query_by_label("Message").is_none(),
        "the conversation closed"
    );
    assert!(
        window.harness.query_by_label("Bob").is_some(),
        "the list stays"
    );
}

#[test]
fn the_context_menu_opens_a_conversation() {
    let mut window = Window::new();
    window.online_with(&[contact(BOB, "Bob")]);
    window.harness.get_by_label("Bob").click_secondary();
    window.harness.run();
    window.click("Send message");
    assert_eq!(
        window.sent(),
        vec![Command::LoadHistory {
            peer: bare(BOB),
            limit: 200
        }]
    );
    assert!(window
        .harness
        .query_by_label("Bob — bob@example.org")
        .is_some());
}

#[test]
fn enter_sends_the_message_and_shift_enter_makes_a_new_line() {
    let mut window = talking_to_bob();
    window.sent();
    window.type_into("Message", "hello");
    window
        .harness
        .key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::Enter);
    window.harness.run();
    window.harness.get_by_label("Message").type_text("bob");
    window.harness.run();
    assert!(
        window
            .sent()
            .iter()
            .all(|c| !matches!(c, Command::SendMessage { .. })),
        "shift+enter does not send"
    );
    window.press(egui::Key::Enter);
    let sent = window.sent();
    let [Command::SendMessage { id, to, body }] = &sent[..1] else {
        panic!("expected SendMessage first, got {sent:?}");
    };
    assert!(!id.is_empty());
    assert_eq!((to.as_str(), body.as_str()), (BOB, "hello\nbob"));
    assert_eq!(
        sent[1..],
        [Command::SendChatState {
            to: bare(BOB),
            state: ChatState::Active
        }]
    );
    assert_eq!(
        window.harness.get_by_label("Message").value().as_deref(),
        Some(""),
        "the composer is emptied"
    );
}

#[test]
fn typing_sends_composing_once_then_paused_after_five_seconds() {
    let mut window = talking_to_bob();
    window.sent();
    window.type_into("Message", "h");
    window.type_into("Message", "i");
    assert_eq!(
        window.sent(),
        vec![Command::SendChatState {
            to: bare(BOB),
            state: ChatState::Composing
        }]
    );
    let delay = window.harness.output().viewport_output[&egui::ViewportId::ROOT].repaint_delay;
    assert!(
        delay <= std::time::Duration::from_secs(5),
        "a wake-up is scheduled for the pause, got {delay:?}"
    );
    // The harness advances egui's clock by a quarter second per step.
    window.harness.run_steps(24);
    assert_eq!(
        window.sent(),
        vec![Command::SendChatState {
            to: bare(BOB),
            state: ChatState::Paused
        }]
    );
    window.harness.run_steps(24);
    assert_eq!(window.sent(), vec![], "paused is sent once");
}

#[test]
fn received_messages_and_typing_are_shown() {
    let mut window = talking_to_bob();
    window.emit(Event::ChatStateChanged {
        jid: bare(BOB),
        state: ChatState::Composing,
    });
    assert!(window.shows("Bob is typing…"));
    window.emit(Event::MessageReceived {
        message: incoming("m1", BOB, "are you there?"),
    });
    assert!(window.harness.query_by_label("are you there?").is_some());
    assert!(!window.shows("is typing"), "a message ends typing");
    // The conversation is on screen: the window asks the core to mark it read, once.
    let asked = |sent: Vec<Command>| {
        sent.iter()
            .filter(|c| matches!(c, Command::MarkRead { peer } if peer.as_str() == BOB))
            .count()
    };
    assert_eq!(asked(window.sent()), 1);
    window.harness.run_steps(3);
    assert_eq!(asked(window.sent()), 0, "asked once until the core answers");
    window.emit(Event::ConversationRead { peer: bare(BOB) });
    assert_eq!(
        window.harness.state().state().conversations[&bare(BOB)].unread,
        0
    );
}

#[test]
fn delivery_marks_render_and_failures_explain_on_hover() {
    let mut window = talking_to_bob();
    let marks = [
        ("p", Delivery::Pending, "sending…"),
        ("s", Delivery::Sent, "sent"),
        ("d", Delivery::Delivered, "delivered"),
        (
            "f",
            Delivery::Failed {
                reason: "bob is unknown".into(),
            },
            "not delivered",
        ),
    ];
    for (id, delivery, _) in &marks {
        window.emit(Event::MessageQueued {
            message: outgoing(id, BOB, &format!("message {id}"), delivery.clone()),
        });
    }
    // The harness panics on any glyph egui's fonts lack, so this also checks the marks render.
    for (_, _, mark) in &marks {
        assert_eq!(
            window.harness.query_all_by_label(mark).count(),
            1,
            "{mark} shown once"
        );
    }
    window.harness.get_by_label("not delivered").hover();
    window.harness.run();
    assert!(window.shows("Not delivered: bob is unknown"));
}

#[test]
fn a_long_history_lays_out_only_visible_rows() {
    let mut window = talking_to_bob();
    let messages = (0..2_000)
        .map(|i| incoming(&format!("m{i}"), BOB, &format!("line {i}")))
        .collect();
    window.emit(Event::HistoryLoaded {
        peer: bare(BOB),
        messages,
    });
    window.harness.run();
    assert!(
        window.harness.query_by_label("line 1999").is_some(),
        "sticks to the newest"
    );
    assert!(
        window.harness.query_by_label("line 0").is_none(),
        "old rows are not laid out"
    );
    let shown = window.harness.query_all_by_label_contains("line ").count();
    assert!(shown < 50, "{shown} rows laid out");
}

#[test]
fn message_text_can_be_copied_from_its_menu() {
    let mut window = talking_to_bob();
    window.emit(Event::MessageReceived {
        message: incoming("m1", BOB, "the address is 10 Main St"),
    });
    window
        .harness
        .get_by_label("the address is 10 Main St")
        .click_secondary();
    window.harness.run();
    window.harness.get_by_label("Copy").click();
    window.harness.step();
    let copied: Vec<_> = window
        .harness
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|c| match c {
            egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(copied, ["the address is 10 Main St"]);
}

#[test]
fn closing_a_conversation_tells_the_contact_it_was_left() {
    let mut window = talking_to_bob();
    window.type_into("Message", "h");
    window.sent();
    window.click("Close window");
    assert_eq!(
        window.sent(),
        vec![Command::SendChatState {
            to: bare(BOB),
            state: ChatState::Gone
        }]
    );
}
