use super::*;
use crate::model::{bare, ChatMessage};

const BOB: &str = "bob@b";
const CAROL: &str = "carol@c";

fn from(peer: &str, id: &str) -> Event {
    Event::MessageReceived {
        message: ChatMessage {
            id: id.into(),
            peer: bare(peer),
            direction: Direction::Incoming,
            body: "hi".into(),
            timestamp_ms: 0,
            delivery: Delivery::Received,
        },
    }
}

#[test]
fn reopening_focuses_the_open_window_instead_of_adding_one() {
    let mut windows = ConversationWindows::default();
    assert!(windows.open(&bare(BOB)));
    assert_eq!(windows.take_requests(&bare(BOB)), [WindowRequest::Focus]);
    assert!(!windows.open(&bare(BOB)), "no second window");
    assert_eq!(windows.open_conversations().len(), 1);
    assert_eq!(windows.take_requests(&bare(BOB)), [WindowRequest::Focus]);
    assert!(windows.get(&bare(BOB)).is_some_and(|c| c.focus_composer));
}

#[test]
fn windows_open_at_staggered_places_and_reuse_freed_ones() {
    let mut windows = ConversationWindows::default();
    windows.open(&bare(BOB));
    windows.open(&bare(CAROL));
    windows.open(&bare("dave@d"));
    let slots: Vec<usize> = windows
        .open_conversations()
        .iter()
        .map(|c| c.slot)
        .collect();
    assert_eq!(slots, [0, 1, 2]);
    assert_ne!(position(0), position(1));
    assert_eq!(
        position(1) - position(0),
        vec2(WINDOW_STAGGER, WINDOW_STAGGER)
    );
    assert_eq!(position(STAGGER_SLOTS), position(0), "wraps around");
    assert!(windows.close(&bare(CAROL)));
    assert!(!windows.close(&bare(CAROL)), "already closed");
    windows.open(&bare("erin@e"));
    assert_eq!(windows.get(&bare("erin@e")).map(|c| c.slot), Some(1));
}

#[test]
fn a_new_message_opens_a_window_in_the_background_when_the_settings_say_so() {
    let mut before = AppState::default();
    let mut windows = ConversationWindows::default();
    windows.observe_event(&before, &from(BOB, "m1"));
    let bob = windows.get(&bare(BOB)).expect("opened");
    assert!(bob.opened_in_background);
    assert!(bob.requests.is_empty(), "no focus request");
    assert!(!bob.focus_composer);
    assert_eq!(windows.history_wanted(), [bare(BOB)]);
    assert_eq!(
        windows.history_wanted(),
        Vec::<BareJid>::new(),
        "asked once"
    );

    before.settings.open_conversation_on_message = false;
    windows.observe_event(&before, &from(CAROL, "m2"));
    assert!(!windows.is_open(&bare(CAROL)), "a toast's job then");
}

#[test]
fn only_new_incoming_messages_open_windows() {
    let mut before = AppState::default();
    before.apply(from(BOB, "m1"));
    let mut windows = ConversationWindows::default();
    windows.observe_event(&before, &from(BOB, "m1"));
    assert!(!windows.is_open(&bare(BOB)), "a message delivered again");
    let Event::MessageReceived { mut message } = from(CAROL, "m2") else {
        unreachable!("built above");
    };
    message.direction = Direction::Outgoing;
    message.delivery = Delivery::Sent;
    windows.observe_event(&before, &Event::MessageReceived { message });
    assert!(
        !windows.is_open(&bare(CAROL)),
        "a carbon of the user's own message"
    );
}

#[test]
fn attention_is_asked_once_per_burst_and_looking_marks_read() {
    let mut windows = ConversationWindows::default();
    windows.open_in_background(&bare(BOB));
    assert!(!windows.observe_focus(&bare(BOB), false, 0));
    assert_eq!(windows.take_requests(&bare(BOB)), []);
    assert!(!windows.observe_focus(&bare(BOB), false, 1));
    assert!(!windows.observe_focus(&bare(BOB), false, 2));
    assert_eq!(
        windows.take_requests(&bare(BOB)),
        [WindowRequest::Attention],
        "once"
    );
    assert!(windows.observe_focus(&bare(BOB), true, 2), "mark read");
    assert_eq!(
        windows.take_requests(&bare(BOB)),
        [WindowRequest::ResetAttention]
    );
    windows.observe_focus(&bare(BOB), false, 1);
    assert_eq!(
        windows.take_requests(&bare(BOB)),
        [WindowRequest::Attention],
        "a new burst"
    );
}

#[test]
fn titles_count_unread_messages() {
    assert_eq!(title("Bob", "bob@example.org", 0), "Bob — bob@example.org");
    assert_eq!(
        title("Bob", "bob@example.org", 2),
        "(2) Bob — bob@example.org"
    );
    assert_eq!(
        title("bob@example.org", "bob@example.org", 0),
        "bob@example.org"
    );
    assert_eq!(tabs_title(0), "Conversations");
    assert_eq!(tabs_title(3), "(3) Conversations");
}

#[test]
fn a_nudge_shakes_and_rings_at_most_once_in_ten_seconds() {
    let mut windows = ConversationWindows::default();
    windows.open(&bare(BOB));
    assert!(windows.nudge_received(&bare(BOB), 100.0, true, true));
    assert!(windows.get(&bare(BOB)).is_some_and(|c| c.shake.is_some()));
    windows.get_mut(&bare(BOB)).expect("open").shake = None;
    assert!(
        !windows.nudge_received(&bare(BOB), 105.0, true, true),
        "too soon"
    );
    assert!(windows.get(&bare(BOB)).is_some_and(|c| c.shake.is_none()));
    assert!(
        windows.nudge_received(&bare(CAROL), 105.0, true, true),
        "per contact"
    );
    assert!(
        windows.nudge_received(&bare(BOB), 110.0, true, true),
        "ten seconds later"
    );
    assert_eq!(windows.sounds, [UiSound::Nudge; 3]);
    assert_eq!(windows.nudges(&bare(BOB)).len(), 3, "every nudge is a line");
    assert!(windows.nudges(&bare(BOB)).iter().all(|n| !n.from_me));
}

#[test]
fn a_nudge_without_shaking_still_rings_and_opens_by_the_settings() {
    let mut windows = ConversationWindows::default();
    assert!(!windows.nudge_received(&bare(BOB), 0.0, false, false));
    assert!(!windows.is_open(&bare(BOB)));
    assert_eq!(windows.sounds, [UiSound::Nudge]);
    assert_eq!(windows.nudges(&bare(BOB)).len(), 1, "shown when opened");
    assert!(windows.nudge_received(&bare(CAROL), 0.0, true, true));
    assert!(windows
        .get(&bare(CAROL))
        .is_some_and(|c| c.opened_in_background));
    assert!(windows.nudge_sent(&bare(CAROL), 1.0));
    assert!(windows.nudges(&bare(CAROL))[1].from_me);
}

#[test]
fn nudges_sent_to_one_contact_wait_their_turn() {
    let mut windows = ConversationWindows::default();
    assert!(windows.nudge_sent(&bare(BOB), 10.0));
    assert!(
        !windows.nudge_sent(&bare(BOB), 12.0),
        "too soon: not sent, no line"
    );
    assert_eq!(windows.nudges(&bare(BOB)).len(), 1);
    assert_eq!(
        windows.nudge_wait(&bare(BOB), 12.0),
        std::time::Duration::from_secs(3)
    );
    assert!(
        windows.nudge_sent(&bare(CAROL), 12.0),
        "other contacts are not held back"
    );
    assert_eq!(
        windows.nudge_wait(&bare(BOB), 15.0),
        std::time::Duration::ZERO
    );
    assert!(windows.nudge_sent(&bare(BOB), 15.0));
}

#[test]
fn a_shake_steps_through_its_offsets_and_ends() {
    let ShakeStep::At {
        step,
        offset,
        next_in,
    } = shake_step(0.0)
    else {
        panic!("a shake starts at once");
    };
    assert_eq!(
        (step, offset),
        (0, vec2(SHAKE_OFFSETS[0][0], SHAKE_OFFSETS[0][1]))
    );
    assert!((next_in - SHAKE_STEP_SECONDS).abs() < 1e-9);
    let ShakeStep::At { step, next_in, .. } = shake_step(SHAKE_STEP_SECONDS * 2.5) else {
        panic!("still shaking");
    };
    assert_eq!(step, 2);
    assert!((next_in - SHAKE_STEP_SECONDS / 2.0).abs() < 1e-9);
    let total = SHAKE_STEP_SECONDS * SHAKE_OFFSETS.len() as f64;
    assert_eq!(shake_step(total), ShakeStep::Done);
    assert!(total < 1.0, "a short shake: {total} s");
}

#[test]
fn closing_forgets_focus_and_picks_another_tab() {
    let mut windows = ConversationWindows::default();
    windows.open(&bare(BOB));
    windows.open(&bare(CAROL));
    assert_eq!(windows.active_tab, Some(bare(CAROL)));
    windows.embedded_focus = Some(window_key(&bare(CAROL)));
    windows.close(&bare(CAROL));
    assert_eq!(windows.active_tab, Some(bare(BOB)));
    assert_eq!(windows.embedded_focus, None);
    windows.open_in_background(&bare(CAROL));
    assert_eq!(
        windows.active_tab,
        Some(bare(BOB)),
        "a message does not switch tabs"
    );
    windows.close_all();
    assert!(windows.open_conversations().is_empty());
}
