//! The contact list: roster, presence order, search, unread counts, dialogs.

mod ui_support;

use egui_kittest::kittest::Queryable;
use nudge::command::Command;
use nudge::event::Event;
use nudge::model::{Availability, ConnectionState};
use ui_support::{contact, incoming, Window};

fn roster() -> Vec<nudge::model::Contact> {
    vec![
        contact("bob@example.org", "Bob"),
        contact("carol@example.org", "Carol"),
    ]
}

#[test]
fn the_roster_is_shown_once_online() {
    let mut window = Window::new();
    window.emit(Event::RosterReceived { contacts: roster() });
    assert!(
        window.harness.query_by_label("Bob").is_none(),
        "not online yet"
    );
    window.online_with(&roster());
    assert!(window.harness.query_by_label("Bob").is_some());
    assert!(window.harness.query_by_label("Carol").is_some());
    assert!(window.shows("alice@example.org"));
}

#[test]
fn a_presence_change_resorts_the_list_and_shows_the_status() {
    let mut window = Window::new();
    window.online_with(&roster());
    assert!(
        window.top_of("Bob") < window.top_of("Carol"),
        "by name when all offline"
    );
    window.presence("carol@example.org", Availability::Online, Some("at lunch"));
    assert!(
        window.top_of("Carol") < window.top_of("Bob"),
        "online first"
    );
    assert!(window.shows("at lunch"));
    window.presence("bob@example.org", Availability::Online, None);
    assert!(
        window.top_of("Bob") < window.top_of("Carol"),
        "by name again"
    );
}

#[test]
fn search_filters_as_you_type() {
    let mut window = Window::new();
    window.online_with(&roster());
    window.type_into("Search contacts", "car");
    assert!(window.harness.query_by_label("Carol").is_some());
    assert!(window.harness.query_by_label("Bob").is_none());
    window.type_into("Search contacts", "zzz");
    assert!(window.shows("No contact matches"));
}

#[test]
fn unread_messages_are_counted() {
    let mut window = Window::new();
    window.online_with(&roster());
    for id in ["m1", "m2"] {
        window.emit(Event::MessageReceived {
            message: incoming(id, "carol@example.org", "hello"),
        });
    }
    assert!(window.harness.query_by_label("2 new").is_some());
}

#[test]
fn own_presence_and_status_are_set() {
    let mut window = Window::new();
    window.online_with(&roster());
    window.click("My status");
    window.click("Busy");
    assert_eq!(
        window.sent(),
        vec![Command::SetPresence {
            availability: Availability::Busy,
            status: None
        }]
    );
    window.emit(Event::OwnPresenceChanged {
        availability: Availability::Busy,
        status: None,
    });
    window.type_into("Status message", "in a meeting");
    window.press(egui::Key::Enter);
    assert_eq!(
        window.sent(),
        vec![Command::SetPresence {
            availability: Availability::Busy,
            status: Some("in a meeting".into())
        }]
    );
}

#[test]
fn adding_a_contact_sends_add_contact() {
    let mut window = Window::new();
    window.online_with(&roster());
    window.click("Add contact");
    window.type_into("Contact's address", "dave");
    window.click("Add");
    assert!(window.shows("a name, an @, and a server"));
    assert_eq!(window.sent(), vec![]);
    window.type_into("Contact's address", "@example.org");
    window.type_into("Name (optional)", "Dave");
    window.click("Add");
    assert_eq!(
        window.sent(),
        vec![Command::AddContact {
            jid: "dave@example.org".into(),
            name: Some("Dave".into()),
            groups: vec![]
        }]
    );
    assert!(
        window.harness.query_by_label("Contact's address").is_none(),
        "closed"
    );
}

#[test]
fn the_context_menu_removes_a_contact() {
    let mut window = Window::new();
    window.online_with(&roster());
    window.harness.get_by_label("Bob").click_secondary();
    window.harness.run();
    window.click("Remove");
    assert_eq!(
        window.sent(),
        vec![Command::RemoveContact {
            jid: "bob@example.org".into()
        }]
    );
}

#[test]
fn a_subscription_request_can_be_allowed() {
    let mut window = Window::new();
    window.online_with(&roster());
    window.emit(Event::SubscriptionRequested {
        jid: "eve@example.org".into(),
    });
    assert!(window.shows("eve@example.org wants to add you"));
    window.click("Allow");
    assert_eq!(
        window.sent(),
        vec![Command::ApproveSubscription {
            jid: "eve@example.org".into()
        }]
    );
    assert!(!window.shows("wants to add you"), "the dialog closes");
}

#[test]
fn problems_can_be_dismissed_and_sign_out_is_sent() {
    let mut window = Window::new();
    window.online_with(&roster());
    window.emit(Event::Problem {
        message: "could not save history".into(),
    });
    assert!(window.shows("could not save history"));
    window.click("Dismiss");
    assert!(!window.shows("could not save history"));
    window.click("Sign out");
    assert_eq!(window.sent(), vec![Command::SignOut]);
    window.emit(Event::ConnectionChanged {
        state: ConnectionState::Offline,
    });
    assert!(window.harness.query_by_label("Sign in").is_some());
}

#[test]
fn a_reconnect_keeps_the_list_and_says_so() {
    let mut window = Window::new();
    window.online_with(&roster());
    window.emit(Event::ConnectionChanged {
        state: ConnectionState::Reconnecting {
            next_attempt_ms: nudge::model::now_ms() + 5_000,
            attempt: 1,
            reason: "the network went away".into(),
        },
    });
    assert!(window.harness.query_by_label("Bob").is_some());
    assert!(window.shows("Reconnecting in"));
}
