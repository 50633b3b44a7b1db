//! Conversation windows: one per contact (or tabs), focus, unread titles, day separators,
//! grouping, `/me`, and nudges that shake.
//!
//! egui_kittest has no native windows, so each conversation is drawn as a window inside the
//! main one (the same code path as the web); these tests drive that and read the bookkeeping.

use nudge_testkit::bare;
use std::time::Duration;

use chrono::{Local, TimeZone};
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use nudge::command::Command;
use nudge::config::{ConversationLayout, Settings};
use nudge::event::Event;
use nudge::model::{ChatMessage, Delivery, Direction};
use nudge::ui::windows::window_key;
use nudge_testkit::ui::{contact, incoming, Window};

const BOB: &str = "bob@example.org";
const CAROL: &str = "carol@example.org";
const BOB_TITLE: &str = "Bob — bob@example.org";
const CAROL_TITLE: &str = "Carol — carol@example.org";

/// Online with Bob and Carol, in a main window wide enough for conversations beside the list.
fn online() -> Window {
    online_stepping(0.25)
}

fn online_stepping(step_dt: f32) -> Window {
    let mut window = Window::sized(egui::vec2(1000.0, 720.0), step_dt);
    window.online_with(&[contact(BOB, "Bob"), contact(CAROL, "Carol")]);
    window
}

/// Clicks a contact in the list (the first node with that label: the list is drawn first).
///
/// Through its accessible action, as a screen reader would: the row spans the list, and in this
/// harness conversation windows are drawn inside the main window, over the middle of the rows.
fn open(window: &mut Window, name: &str) {
    window
        .harness
        .get_all_by_label(name)
        .next()
        .expect(name)
        .click_accesskit();
    window.harness.run();
}

fn settings(change: impl FnOnce(&mut Settings)) -> Event {
    let mut settings = Settings::default();
    change(&mut settings);
    Event::SettingsChanged { settings }
}

fn window_count(window: &Window) -> usize {
    window.harness.query_all_by_role(Role::Window).count()
}

fn open_peers(window: &Window) -> Vec<String> {
    let view = window.harness.state().view();
    let open = view.windows.open_conversations();
    open.iter().map(|c| c.peer.to_string()).collect()
}

fn in_front(window: &Window) -> Option<String> {
    window.harness.state().view().windows.embedded_focus.clone()
}

fn composer_focused_in(window: &Window, title: &str) -> bool {
    let conversation = window.harness.get_by_role_and_label(Role::Window, title);
    conversation.get_by_label("Message").is_focused()
}

fn repaint_delay(window: &Window) -> Duration {
    window.harness.output().viewport_output[&egui::ViewportId::ROOT].repaint_delay
}

#[test]
fn opening_a_conversation_creates_its_window_and_reopening_focuses_it() {
    let mut window = online();
    open(&mut window, "Bob");
    assert!(window
        .harness
        .query_by_role_and_label(Role::Window, BOB_TITLE)
        .is_some());
    open(&mut window, "Carol");
    assert_eq!(open_peers(&window), [BOB, CAROL]);
    assert_eq!(in_front(&window), Some(window_key(&bare(CAROL))));
    assert!(composer_focused_in(&window, CAROL_TITLE));
    let carol = window
        .harness
        .get_by_role_and_label(Role::Window, CAROL_TITLE);
    let bob = window
        .harness
        .get_by_role_and_label(Role::Window, BOB_TITLE);
    assert_ne!(bob.rect().min, carol.rect().min, "staggered, not stacked");
    window.sent();

    open(&mut window, "Bob");
    assert_eq!(
        open_peers(&window),
        [BOB, CAROL],
        "no second window for Bob"
    );
    assert_eq!(window_count(&window), 2);
    assert_eq!(in_front(&window), Some(window_key(&bare(BOB))));
    assert!(composer_focused_in(&window, BOB_TITLE));
}

#[test]
fn a_message_opens_a_window_without_taking_the_focus_and_counts_in_its_title() {
    let mut window = online();
    open(&mut window, "Carol");
    window.sent();
    window.emit(Event::MessageReceived {
        message: incoming("m1", BOB, "psst"),
    });
    assert_eq!(open_peers(&window), [CAROL, BOB]);
    assert_eq!(
        in_front(&window),
        Some(window_key(&bare(CAROL))),
        "Carol keeps it"
    );
    assert!(composer_focused_in(&window, CAROL_TITLE));
    let title = format!("(1) {BOB_TITLE}");
    assert!(window
        .harness
        .query_by_role_and_label(Role::Window, &title)
        .is_some());
    assert_eq!(
        window.sent(),
        vec![Command::LoadHistory {
            peer: bare(BOB),
            limit: 200
        }]
    );
    window.emit(Event::MessageReceived {
        message: incoming("m2", BOB, "hello?"),
    });
    let title = format!("(2) {BOB_TITLE}");
    // Clicking into Bob's window is looking at it: read, and the count leaves the title.
    let bob = window.harness.get_by_role_and_label(Role::Window, &title);
    bob.get_by_label("hello?").click();
    window.harness.run();
    assert_eq!(window.answer_reads(), [bare(BOB)]);
    assert!(window
        .harness
        .query_by_role_and_label(Role::Window, BOB_TITLE)
        .is_some());
    assert_eq!(
        window.harness.state().state().conversations[&bare(BOB)].unread,
        0
    );
}

#[test]
fn with_the_setting_off_a_message_opens_no_window() {
    let mut window = online();
    window.emit(settings(|s| s.open_conversation_on_message = false));
    window.emit(Event::MessageReceived {
        message: incoming("m1", BOB, "psst"),
    });
    assert_eq!(open_peers(&window), Vec::<String>::new());
    assert_eq!(window_count(&window), 0);
    assert!(
        window.harness.query_by_label("1 new").is_some(),
        "the list counts it"
    );
}

#[test]
fn the_tabs_setting_puts_every_conversation_in_one_window() {
    let mut window = online();
    window.emit(settings(|s| s.conversations = ConversationLayout::Tabs));
    open(&mut window, "Bob");
    open(&mut window, "Carol");
    assert_eq!(window_count(&window), 1);
    let tabs = window
        .harness
        .get_by_role_and_label(Role::Window, "Conversations");
    assert!(tabs.query_by_label("Bob").is_some() && tabs.query_by_label("Carol").is_some());
    assert!(tabs
        .query_by_label("To: Carol <carol@example.org>")
        .is_some());

    window.emit(Event::MessageReceived {
        message: incoming("m1", BOB, "over here"),
    });
    let tabs = window
        .harness
        .get_by_role_and_label(Role::Window, "(1) Conversations");
    assert!(tabs.query_by_label("1 new").is_some(), "on Bob's tab");
    tabs.get_by_label("Bob").click();
    window.harness.run();
    assert_eq!(window.answer_reads(), [bare(BOB)]);
    let tabs = window
        .harness
        .get_by_role_and_label(Role::Window, "Conversations");
    assert!(tabs.query_by_label("over here").is_some());
    assert_eq!(
        window.harness.state().state().conversations[&bare(BOB)].unread,
        0
    );

    window.click("Close Carol");
    assert_eq!(open_peers(&window), [BOB]);
}

fn message_at(id: &str, direction: Direction, at_ms: i64, body: &str) -> ChatMessage {
    ChatMessage {
        direction,
        timestamp_ms: at_ms,
        delivery: match direction {
            Direction::Incoming => Delivery::Received,
            Direction::Outgoing => Delivery::Delivered,
        },
        ..incoming(id, BOB, body)
    }
}

#[test]
fn days_are_separated_and_messages_grouped_by_sender() {
    let mut window = online();
    open(&mut window, "Bob");
    let today = Local::now().date_naive();
    let at = |day: chrono::NaiveDate, h, m| {
        let time = day.and_hms_opt(h, m, 0).expect("a time");
        Local
            .from_local_datetime(&time)
            .earliest()
            .expect("a local time")
            .timestamp_millis()
    };
    let yesterday = today.pred_opt().expect("a day before");
    let long_ago = yesterday
        .pred_opt()
        .and_then(|d| d.pred_opt())
        .expect("earlier");
    window.emit(Event::HistoryLoaded {
        peer: bare(BOB),
        messages: vec![
            message_at("a", Direction::Incoming, at(long_ago, 9, 0), "back then"),
            message_at("b", Direction::Incoming, at(yesterday, 12, 0), "lunch?"),
            message_at("c", Direction::Outgoing, at(yesterday, 12, 1), "sure"),
            message_at("d", Direction::Incoming, at(today, 0, 0), "first"),
            message_at("e", Direction::Incoming, at(today, 0, 1), "second"),
        ],
    });
    let long_ago_label = long_ago.format("%A %-d %B %Y").to_string();
    for label in [long_ago_label.as_str(), "Yesterday", "Today"] {
        assert!(window.harness.query_by_label(label).is_some(), "{label}");
    }
    assert!(window.top_of("Yesterday") < window.top_of("lunch?"));
    assert!(window.top_of("Today") < window.top_of("first"));
    assert_eq!(
        window.harness.query_all_by_label("Bob says:").count(),
        3,
        "back then / lunch? / first+second"
    );
    assert_eq!(window.harness.query_all_by_label("alice says:").count(), 1);
}

#[test]
fn me_actions_are_sent_as_typed_and_shown_as_actions() {
    let mut window = online();
    open(&mut window, "Bob");
    window.emit(Event::MessageReceived {
        message: incoming("m1", BOB, "/me waves"),
    });
    assert!(window.harness.query_by_label("* Bob waves").is_some());
    assert!(window.harness.query_by_label("Bob says:").is_none());
    window.type_into("Message", "/me waves back");
    window.sent();
    window.press(egui::Key::Enter);
    let sent = window.sent();
    let Some(Command::SendMessage { id, body, .. }) = sent.first() else {
        panic!("expected SendMessage, got {sent:?}");
    };
    assert_eq!(body, "/me waves back", "plain text, XEP-0245");
    window.emit(Event::MessageQueued {
        message: ChatMessage {
            direction: Direction::Outgoing,
            delivery: Delivery::Pending,
            ..incoming(id, BOB, body)
        },
    });
    assert!(window
        .harness
        .query_by_label("* alice waves back")
        .is_some());
}

#[test]
fn the_nudge_button_sends_a_nudge() {
    let mut window = online();
    open(&mut window, "Bob");
    window.sent();
    window.click("Nudge");
    assert_eq!(window.sent(), vec![Command::SendNudge { to: bare(BOB) }]);
    assert!(window.harness.query_by_label("You sent a nudge.").is_some());

    // Right after, the button is greyed out and a timer, not polling, brings it back.
    assert!(window
        .harness
        .get_by_label("Nudge")
        .accesskit_node()
        .is_disabled());
    let delay = repaint_delay(&window);
    assert!(
        delay > Duration::ZERO && delay <= Duration::from_secs(5),
        "{delay:?}"
    );
    window.harness.get_by_label("Nudge").click();
    window.harness.run();
    assert_eq!(window.sent(), vec![], "a greyed-out button sends nothing");
    for _ in 0..24 {
        window.harness.step();
    }
    assert!(!window
        .harness
        .get_by_label("Nudge")
        .accesskit_node()
        .is_disabled());
    window.click("Nudge");
    assert_eq!(window.sent(), vec![Command::SendNudge { to: bare(BOB) }]);
}

#[test]
fn a_nudge_shows_a_line_and_shakes_once_in_ten_seconds_then_is_quiet() {
    let mut window = online_stepping(1.0 / 60.0);
    open(&mut window, "Bob");
    let home = window
        .harness
        .get_by_role_and_label(Role::Window, BOB_TITLE)
        .rect()
        .min;
    window.queue(Event::NudgeReceived { jid: bare(BOB) });
    window.harness.run_steps(2);
    assert!(window
        .harness
        .query_by_label("Bob sent you a nudge!")
        .is_some());
    assert_ne!(repaint_delay(&window), Duration::MAX, "the shake is timed");
    let mut moved = false;
    for _ in 0..60 {
        window.harness.step();
        let at = window
            .harness
            .get_by_role_and_label(Role::Window, BOB_TITLE)
            .rect()
            .min;
        moved |= at != home;
    }
    assert!(moved, "the window shook");
    let settled = window
        .harness
        .get_by_role_and_label(Role::Window, BOB_TITLE)
        .rect()
        .min;
    assert_eq!(settled, home, "and came back to its place");
    for step in 0..5 {
        window.harness.step();
        assert_eq!(repaint_delay(&window), Duration::MAX, "idle step {step}");
    }

    // A second nudge within ten seconds is a line, without a shake or a sound.
    window.emit(Event::NudgeReceived { jid: bare(BOB) });
    assert_eq!(
        window
            .harness
            .query_all_by_label("Bob sent you a nudge!")
            .count(),
        2
    );
    let view = window.harness.state().view();
    // (Whether a sound plays is decided in src/ui/sounds.rs, with its own tests.)
    assert!(view
        .windows
        .get(&bare(BOB))
        .is_some_and(|c| c.shake.is_none()));
    assert_eq!(repaint_delay(&window), Duration::MAX);
}

#[test]
fn open_windows_and_tabs_are_quiet_when_nothing_happens() {
    let mut window = online();
    // Message toasts have their own timer (`toasts.rs`); this is about the windows.
    window.emit(settings(|s| s.notifications.messages = false));
    open(&mut window, "Bob");
    window.emit(Event::MessageReceived {
        message: incoming("m1", CAROL, "hi"),
    });
    let assert_idle = |window: &mut Window, what: &str| {
        for step in 0..5 {
            window.harness.step();
            assert_eq!(
                repaint_delay(window),
                Duration::MAX,
                "{what}, idle step {step}"
            );
        }
    };
    assert_idle(&mut window, "two windows, one unread");
    window.emit(settings(|s| s.conversations = ConversationLayout::Tabs));
    assert_idle(&mut window, "tabs");
}
