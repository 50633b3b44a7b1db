use super::*;
use crate::config::Settings;
use crate::model::{bare, ChatMessage, Contact, Subscription};

const BOB: &str = "bob@example.org";
const EVE: &str = "eve@example.org";

/// Alice online with Bob and Eve in the roster, both offline, default settings.
fn signed_in() -> AppState {
    let mut state = AppState::default();
    let contact = |jid: &str| Contact {
        jid: bare(jid),
        name: None,
        groups: vec![],
        subscription: Subscription::Both,
        pending_out: false,
    };
    state.apply(Event::OwnPresenceChanged {
        availability: Availability::Online,
        status: None,
    });
    state.apply(Event::RosterReceived {
        contacts: vec![contact(BOB), contact(EVE)],
    });
    state
}

fn with_settings(mut state: AppState, change: impl FnOnce(&mut Settings)) -> AppState {
    let mut settings = state.settings.clone();
    change(&mut settings);
    state.apply(Event::SettingsChanged { settings });
    state
}

fn message(id: &str, from: &str, direction: Direction, delivery: Delivery) -> Event {
    Event::MessageReceived {
        message: ChatMessage {
            id: id.into(),
            peer: bare(from),
            direction,
            body: "hi :)".into(),
            timestamp_ms: 1_704_112_496_000,
            delivery,
        },
    }
}

fn incoming(id: &str, from: &str) -> Event {
    message(id, from, Direction::Incoming, Delivery::Received)
}

fn presence(jid: &str, availability: Availability) -> Event {
    Event::PresenceChanged {
        jid: bare(jid),
        resource: "phone".into(),
        availability,
        status: None,
        priority: 0,
    }
}

fn nudge(jid: &str) -> Event {
    Event::NudgeReceived { jid: bare(jid) }
}

#[test]
fn news_makes_its_sound() {
    let state = signed_in();
    assert_eq!(
        sounds_for(&incoming("m1", BOB), &state),
        Some(Sound::NewMessage)
    );
    assert_eq!(
        sounds_for(&presence(BOB, Availability::Online), &state),
        Some(Sound::ContactOnline)
    );
    assert_eq!(
        sounds_for(&presence(BOB, Availability::Away), &state),
        Some(Sound::ContactOnline),
        "signing in as away is still coming online"
    );
    assert_eq!(sounds_for(&nudge(BOB), &state), Some(Sound::Nudge));
}

#[test]
fn what_is_not_news_is_quiet() {
    let mut state = signed_in();
    state.apply(incoming("m1", BOB));
    state.apply(presence(BOB, Availability::Online));
    let quiet = [
        (incoming("m1", BOB), "a message seen before"),
        (
            message("m2", BOB, Direction::Outgoing, Delivery::Sent),
            "the user's own message from another device",
        ),
        (
            presence(BOB, Availability::Away),
            "an online contact going away",
        ),
        (presence(BOB, Availability::Offline), "a contact leaving"),
        (
            presence("stranger@example.org", Availability::Online),
            "someone not in the roster",
        ),
        (
            Event::ChatStateChanged {
                jid: bare(BOB),
                state: crate::model::ChatState::Composing,
            },
            "typing",
        ),
        (Event::ContactRemoved { jid: bare(EVE) }, "a roster change"),
    ];
    for (event, why) in quiet {
        assert_eq!(sounds_for(&event, &state), None, "{why}");
    }
}

#[test]
fn each_kind_can_be_turned_off() {
    let state = with_settings(signed_in(), |s| s.sounds.new_message = false);
    assert_eq!(sounds_for(&incoming("m1", BOB), &state), None);
    assert_eq!(sounds_for(&nudge(BOB), &state), Some(Sound::Nudge));

    let state = with_settings(signed_in(), |s| s.sounds.contact_online = false);
    assert_eq!(
        sounds_for(&presence(BOB, Availability::Online), &state),
        None
    );
    assert_eq!(
        sounds_for(&incoming("m1", BOB), &state),
        Some(Sound::NewMessage)
    );

    let state = with_settings(signed_in(), |s| s.sounds.nudge = false);
    assert_eq!(sounds_for(&nudge(BOB), &state), None);
    assert_eq!(
        sounds_for(&presence(BOB, Availability::Online), &state),
        Some(Sound::ContactOnline)
    );
}

#[test]
fn mute_busy_and_blocked_silence_everything() {
    let events = [
        incoming("m1", BOB),
        presence(BOB, Availability::Online),
        nudge(BOB),
    ];

    let muted = with_settings(signed_in(), |s| s.sounds.enabled = false);
    let mut busy = signed_in();
    busy.apply(Event::OwnPresenceChanged {
        availability: Availability::Busy,
        status: None,
    });
    let mut blocked = signed_in();
    blocked.apply(Event::BlockListChanged {
        jids: vec![bare(BOB).into()],
    });
    for event in &events {
        assert_eq!(sounds_for(event, &muted), None, "muted: {event:?}");
        assert_eq!(sounds_for(event, &busy), None, "busy: {event:?}");
        assert_eq!(sounds_for(event, &blocked), None, "blocked: {event:?}");
    }
    assert_eq!(
        sounds_for(&nudge(EVE), &blocked),
        Some(Sound::Nudge),
        "only the blocked address is silenced"
    );
}

#[test]
fn the_gate_spaces_sounds_of_one_kind() {
    let mut gate = SoundGate::default();
    assert!(gate.allow(Sound::ContactOnline, 10.0));
    assert!(
        !gate.allow(Sound::ContactOnline, 10.5),
        "the sign-in burst makes one sound"
    );
    assert!(
        gate.allow(Sound::NewMessage, 10.5),
        "kinds are counted apart"
    );
    assert!(!gate.allow(Sound::ContactOnline, 11.9));
    assert!(gate.allow(Sound::ContactOnline, 12.0));
    assert!(gate.allow(Sound::Nudge, 0.0));
    assert!(!gate.allow(Sound::Nudge, 2.9), "nudges are rate-limited");
    assert!(gate.allow(Sound::Nudge, 3.0));
}

#[test]
fn commands_skip_the_conversation_being_read() {
    let state = signed_in();
    let mut gate = SoundGate::default();
    assert_eq!(
        gate.command_for(&incoming("m1", BOB), &state, 0.0, Some(&bare(BOB))),
        None
    );
    assert_eq!(
        gate.command_for(&incoming("m2", EVE), &state, 0.0, Some(&bare(BOB))),
        Some(Command::PlaySound {
            sound: Sound::NewMessage
        })
    );
    assert_eq!(
        gate.command_for(&incoming("m3", EVE), &state, 0.5, None),
        None,
        "too soon after the last one"
    );
    assert_eq!(
        gate.command_for(&nudge(BOB), &state, 0.5, Some(&bare(BOB))),
        Some(Command::PlaySound {
            sound: Sound::Nudge
        }),
        "a nudge sounds even in the open conversation"
    );
}
