use super::*;
use crate::model::{bare, Contact};

const BOB: &str = "bob@example.org";
const CAROL: &str = "carol@example.org";

fn contact(jid: &str, name: &str) -> Contact {
    Contact::mutual(jid, name)
}

fn message(id: &str, peer: &str, direction: Direction, body: &str) -> Event {
    Event::MessageReceived {
        message: ChatMessage {
            id: id.into(),
            peer: bare(peer),
            direction,
            body: body.into(),
            timestamp_ms: 1_704_112_496_000,
            delivery: match direction {
                Direction::Incoming => Delivery::Received,
                Direction::Outgoing => Delivery::Sent,
            },
        },
    }
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

/// The window's order: the alerts see each event before the state applies it.
struct Fixture {
    state: AppState,
    alerts: Alerts,
}

impl Fixture {
    /// Signed in at `now` with Bob and Carol in the roster, both offline.
    fn online_at(now: f64) -> Self {
        let mut fixture = Self {
            state: AppState::default(),
            alerts: Alerts::default(),
        };
        fixture.feed(
            Event::ConnectionChanged {
                state: ConnectionState::Online {
                    jid: crate::model::full("alice@example.org/pc"),
                },
            },
            now,
        );
        fixture.feed(
            Event::RosterReceived {
                contacts: vec![contact(BOB, "Bob"), contact(CAROL, "Carol")],
            },
            now,
        );
        fixture
    }

    fn feed(&mut self, event: Event, now: f64) {
        self.feed_seen(event, None, now);
    }

    fn feed_seen(&mut self, event: Event, visible: Option<&str>, now: f64) {
        let visible = visible.map(bare);
        self.alerts
            .observe(&self.state, visible.as_ref(), &event, now);
        self.state.apply(event);
    }

    fn texts(&self) -> Vec<&str> {
        self.alerts
            .shown()
            .iter()
            .map(|a| a.text.as_str())
            .collect()
    }
}

#[test]
fn a_new_message_alerts_with_its_first_line() {
    let mut f = Fixture::online_at(0.0);
    f.feed(
        message("m1", BOB, Direction::Incoming, "  hello there\nsecond line"),
        10.0,
    );
    assert_eq!(f.texts(), ["Bob says: hello there"]);
    let alert = &f.alerts.shown()[0];
    assert_eq!((alert.kind, alert.peer.as_str()), (AlertKind::Message, BOB));
}

#[test]
fn no_alert_for_own_copies_redeliveries_or_the_conversation_on_screen() {
    let mut f = Fixture::online_at(0.0);
    f.feed(
        message("m1", BOB, Direction::Outgoing, "from my phone"),
        10.0,
    );
    assert!(f.texts().is_empty(), "a carbon of the user's own message");
    f.feed_seen(
        message("m2", BOB, Direction::Incoming, "hi"),
        Some(BOB),
        10.0,
    );
    assert!(f.texts().is_empty(), "Bob's conversation is on screen");
    f.feed(message("m2", BOB, Direction::Incoming, "hi"), 11.0);
    assert!(f.texts().is_empty(), "delivered twice");
    f.feed_seen(
        message("m3", BOB, Direction::Incoming, "yo"),
        Some(CAROL),
        12.0,
    );
    assert_eq!(
        f.texts(),
        ["Bob says: yo"],
        "another conversation is on screen"
    );
}

#[test]
fn one_message_alert_per_conversation_showing_the_latest() {
    let mut f = Fixture::online_at(0.0);
    f.feed(message("m1", BOB, Direction::Incoming, "one"), 10.0);
    f.alerts.tick(10.0);
    f.feed(message("m2", CAROL, Direction::Incoming, "hey"), 11.0);
    f.feed(message("m3", BOB, Direction::Incoming, "two"), 12.0);
    assert_eq!(f.texts(), ["Bob says: two", "Carol says: hey"]);
    f.alerts.tick(12.0);
    assert_eq!(
        f.alerts.next_deadline(),
        Some(12.0 + ALERT_SECONDS),
        "the refreshed alert's clock restarted, like the new one's"
    );
}

#[test]
fn the_presence_flood_after_signing_in_is_quiet() {
    let mut f = Fixture::online_at(100.0);
    f.feed(presence(BOB, Availability::Online), 101.0);
    assert!(f.texts().is_empty(), "Bob was online before we signed in");
    f.feed(presence(BOB, Availability::Offline), 110.0);
    f.feed(presence(BOB, Availability::Away), 111.0);
    f.feed(presence(CAROL, Availability::Busy), 111.0);
    assert_eq!(
        f.texts(),
        ["Bob has just signed in", "Carol has just signed in"]
    );
    f.feed(presence(BOB, Availability::Online), 112.0);
    assert_eq!(f.texts().len(), 2, "away to online is not signing in");
}

#[test]
fn a_reconnect_is_quiet_again() {
    let mut f = Fixture::online_at(0.0);
    f.feed(presence(BOB, Availability::Online), 50.0);
    assert_eq!(f.texts().len(), 1);
    f.feed(
        Event::ConnectionChanged {
            state: ConnectionState::Connecting,
        },
        60.0,
    );
    assert!(f.texts().is_empty(), "toasts go with the connection");
    f.feed(
        Event::ConnectionChanged {
            state: ConnectionState::Online {
                jid: crate::model::full("alice@example.org/pc"),
            },
        },
        61.0,
    );
    f.feed(presence(BOB, Availability::Online), 62.0);
    assert!(f.texts().is_empty());
}

#[test]
fn settings_turn_each_kind_off() {
    let mut f = Fixture::online_at(0.0);
    f.state.settings.notifications.messages = false;
    f.feed(message("m1", BOB, Direction::Incoming, "hi"), 10.0);
    f.feed(presence(CAROL, Availability::Online), 10.0);
    assert_eq!(f.texts(), ["Carol has just signed in"]);
    f.state.settings.notifications.contacts_online = false;
    f.state.settings.notifications.messages = true;
    f.feed(presence(BOB, Availability::Online), 11.0);
    f.feed(message("m2", CAROL, Direction::Incoming, "yo"), 11.0);
    assert_eq!(f.texts(), ["Carol has just signed in", "Carol says: yo"]);
}

#[test]
fn alerts_live_their_time_from_their_first_frame_and_go_when_seen() {
    let mut f = Fixture::online_at(0.0);
    f.feed(message("m1", BOB, Direction::Incoming, "hi"), 10.0);
    f.feed(presence(BOB, Availability::Online), 10.0);
    assert_eq!(f.alerts.next_deadline(), None, "no clock before a frame");
    f.alerts.tick(20.0);
    assert_eq!(f.alerts.next_deadline(), Some(20.0 + ALERT_SECONDS));
    f.alerts.seen(&bare(BOB));
    assert_eq!(
        f.texts(),
        ["Bob has just signed in"],
        "opening the conversation answers the message alert only"
    );
    f.alerts.tick(20.0 + ALERT_SECONDS);
    assert!(f.texts().is_empty());
    assert_eq!(f.alerts.next_deadline(), None);
}

#[test]
fn dismissing_removes_only_that_alert() {
    let mut f = Fixture::online_at(0.0);
    f.feed(message("m1", BOB, Direction::Incoming, "hi"), 10.0);
    f.feed(message("m2", CAROL, Direction::Incoming, "hey"), 10.0);
    let first = f.alerts.shown()[0].id;
    f.alerts.dismiss(first);
    assert_eq!(f.texts(), ["Carol says: hey"]);
}

#[test]
fn a_long_message_is_cut_and_control_characters_are_made_visible() {
    let mut f = Fixture::online_at(0.0);
    let long = format!("{}\u{202E}evil", "x".repeat(100));
    f.feed(message("m1", BOB, Direction::Incoming, &long), 10.0);
    let text = f.texts()[0].to_string();
    assert_eq!(
        text,
        format!("Bob says: {}…", "x".repeat(words::MESSAGE_PREVIEW_CHARS))
    );
    f.feed(message("m2", BOB, Direction::Incoming, "a\u{202E}b"), 11.0);
    assert_eq!(f.texts(), ["Bob says: a\u{FFFD}b"]);
}
