use super::*;
use crate::model::{bare, Direction, Subscription};

fn contact(jid: &str, name: Option<&str>) -> Contact {
    Contact {
        jid: bare(jid),
        name: name.map(str::to_string),
        groups: vec![],
        subscription: Subscription::Both,
        pending_out: false,
    }
}

fn presence(jid: &str, resource: &str, availability: Availability, priority: i8) -> Event {
    Event::PresenceChanged {
        jid: bare(jid),
        resource: resource.into(),
        availability,
        status: Some(format!("{resource} status")),
        priority,
    }
}

fn incoming(id: &str, peer: &str, at: i64) -> ChatMessage {
    ChatMessage {
        id: id.into(),
        peer: bare(peer),
        direction: Direction::Incoming,
        body: format!("body {id}"),
        timestamp_ms: at,
        delivery: Delivery::Received,
    }
}

#[test]
fn presence_change_re_sorts_contacts() {
    let mut state = AppState::default();
    state.apply(Event::RosterReceived {
        contacts: vec![contact("zed@x", None), contact("amy@x", Some("Amy"))],
    });
    let names: Vec<_> = state
        .sorted_contacts()
        .iter()
        .map(|e| e.contact.jid.clone())
        .collect();
    assert_eq!(names, [bare("amy@x"), bare("zed@x")]);
    state.apply(presence("zed@x", "pc", Availability::Online, 0));
    let names: Vec<_> = state
        .sorted_contacts()
        .iter()
        .map(|e| e.contact.jid.clone())
        .collect();
    assert_eq!(names, [bare("zed@x"), bare("amy@x")]);
    state.apply(presence("zed@x", "pc", Availability::Offline, 0));
    assert_eq!(
        state.contacts[&bare("zed@x")].availability(),
        Availability::Offline
    );
}

#[test]
fn best_resource_wins_by_priority() {
    let mut state = AppState::default();
    state.apply(Event::RosterReceived {
        contacts: vec![contact("bob@x", None)],
    });
    state.apply(presence("bob@x", "phone", Availability::Away, 0));
    state.apply(presence("bob@x", "desk", Availability::Busy, 5));
    assert_eq!(
        state.contacts[&bare("bob@x")].availability(),
        Availability::Busy
    );
    assert_eq!(state.contacts[&bare("bob@x")].status(), Some("desk status"));
}

#[test]
fn redelivered_messages_never_duplicate_and_count_unread_once() {
    let mut state = AppState::default();
    state.apply(Event::MessageReceived {
        message: incoming("1", "bob@x", 10),
    });
    state.apply(Event::MessageReceived {
        message: incoming("1", "bob@x", 10),
    });
    state.apply(Event::MessageReceived {
        message: incoming("0", "bob@x", 5),
    });
    let conversation = &state.conversations[&bare("bob@x")];
    let ids: Vec<_> = conversation
        .messages
        .iter()
        .map(|m| m.id.as_str())
        .collect();
    assert_eq!(ids, ["0", "1"]);
    assert_eq!(conversation.unread, 2);
    state.apply(Event::ConversationRead {
        peer: bare("bob@x"),
    });
    assert_eq!(state.conversations[&bare("bob@x")].unread, 0);
}

#[test]
fn delivery_never_steps_back_from_delivered() {
    let mut state = AppState::default();
    let mut message = incoming("m", "bob@x", 1);
    message.direction = Direction::Outgoing;
    message.delivery = Delivery::Pending;
    state.apply(Event::MessageQueued { message });
    let set = |state: &mut AppState, delivery| {
        state.apply(Event::DeliveryChanged {
            peer: bare("bob@x"),
            id: "m".into(),
            delivery,
        })
    };
    set(&mut state, Delivery::Delivered);
    set(&mut state, Delivery::Sent);
    assert_eq!(
        state.conversations[&bare("bob@x")].messages[0].delivery,
        Delivery::Delivered
    );
}

#[test]
fn going_offline_forgets_presence() {
    let mut state = AppState::default();
    state.apply(Event::RosterReceived {
        contacts: vec![contact("bob@x", None)],
    });
    state.apply(presence("bob@x", "pc", Availability::Online, 0));
    state.apply(Event::ConnectionChanged {
        state: ConnectionState::Offline,
    });
    assert_eq!(
        state.contacts[&bare("bob@x")].availability(),
        Availability::Offline
    );
}

#[test]
fn approving_clears_the_request() {
    let mut state = AppState::default();
    state.apply(Event::SubscriptionRequested { jid: bare("eve@x") });
    state.apply(Event::SubscriptionRequested { jid: bare("eve@x") });
    assert_eq!(state.subscription_requests, [bare("eve@x")]);
    let mut eve = contact("eve@x", None);
    eve.subscription = Subscription::From;
    state.apply(Event::ContactUpdated { contact: eve });
    assert!(state.subscription_requests.is_empty());
}

#[test]
fn pictures_are_kept_per_person_replaced_and_removed() {
    let picture = |sha1: &str| crate::model::Avatar {
        sha1: sha1.into(),
        png: vec![1, 2].into(),
    };
    let mut state = AppState::default();
    for (jid, avatar) in [
        ("alice@x", Some(picture("a1"))),
        ("bob@x", Some(picture("b1"))),
        ("alice@x", Some(picture("a2"))),
        ("bob@x", None),
    ] {
        state.apply(Event::AvatarChanged {
            jid: bare(jid),
            avatar,
        });
    }
    assert_eq!(state.avatars.len(), 1);
    assert_eq!(state.avatars[&bare("alice@x")].sha1, "a2");
    // Pictures are not presence: going offline keeps them.
    state.apply(Event::ConnectionChanged {
        state: ConnectionState::Offline,
    });
    assert_eq!(state.avatars.len(), 1);
}

#[test]
fn what_strangers_can_make_grow_is_capped() {
    use crate::invite::{InviteSession, Origin, Role, SessionState};
    use crate::problem::Problem;
    let mut state = AppState::default();
    for n in 0..1000 {
        state.apply(Event::SubscriptionRequested {
            jid: bare(&format!("spam{n}@example.net")),
        });
        state.apply(Event::Problem {
            problem: Problem::UnreadableMessage {
                from: format!("spam{n}@example.net"),
                detail: "junk".into(),
            },
        });
        state.apply(Event::SessionUpdated {
            session: InviteSession {
                id: format!("s{n}"),
                role: Role::Invitee,
                origin: Origin::Menu,
                app_guid: "{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}".into(),
                app_name: "Game".into(),
                download_url: "https://example.org".into(),
                peer: "bob@x".into(),
                state: if n == 0 {
                    SessionState::Invitation
                } else {
                    SessionState::Declined
                },
                context: None,
                local_address: None,
                remote_address: None,
                app_present: true,
                end_reason: None,
                end_text: None,
                created_ms: n,
            },
        });
    }
    assert_eq!(state.subscription_requests.len(), MAX_SUBSCRIPTION_REQUESTS);
    assert_eq!(
        state.subscription_requests.last(),
        Some(&bare("spam999@example.net")),
        "the latest are kept"
    );
    assert_eq!(state.problems.len(), MAX_PROBLEMS);
    assert_eq!(state.problems_reported, 1000);
    assert_eq!(state.problems_since(990).count(), 10);
    assert_eq!(state.problems_since(0).count(), MAX_PROBLEMS);
    assert_eq!(state.problems_since(1000).count(), 0);
    assert_eq!(state.sessions.len(), MAX_ENDED_SESSIONS + 1);
    assert!(
        state.sessions.contains_key("s0"),
        "a live session is never dropped"
    );
    assert!(state.sessions.contains_key("s999") && !state.sessions.contains_key("s1"));
}
