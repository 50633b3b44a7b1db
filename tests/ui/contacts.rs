//! The contact list: roster, presence order, search, unread counts, dialogs.

use egui_kittest::kittest::Queryable;
use nudge::command::Command;
use nudge::event::Event;
use nudge::model::{Availability, ConnectionState, Contact};
use nudge::problem::Problem;
use nudge_testkit::bare;
use nudge_testkit::ui::{contact, incoming, Window};

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
    window.click("Set a status message");
    assert!(
        window.harness.get_by_label("Status message").is_focused(),
        "the field replaces the words, ready for typing"
    );
    window
        .harness
        .get_by_label("Status message")
        .type_text("in a meeting");
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
            jid: bare("dave@example.org"),
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
    window.click("Remove…");
    assert!(window.shows("Remove Bob (bob@example.org) from your contacts?"));
    assert_eq!(window.sent(), vec![], "nothing before the answer");
    window.click("Remove");
    assert_eq!(
        window.sent(),
        vec![Command::RemoveContact {
            jid: bare("bob@example.org")
        }]
    );
}

#[test]
fn a_subscription_request_can_be_allowed() {
    let mut window = Window::new();
    window.online_with(&roster());
    window.emit(Event::SubscriptionRequested {
        jid: bare("eve@example.org"),
    });
    assert!(window.shows("eve@example.org wants to add you"));
    window.click("Allow");
    assert_eq!(
        window.sent(),
        vec![Command::ApproveSubscription {
            jid: bare("eve@example.org")
        }]
    );
    assert!(!window.shows("wants to add you"), "the dialog closes");
}

#[test]
fn problems_can_be_dismissed_and_sign_out_is_sent() {
    let mut window = Window::new();
    window.online_with(&roster());
    let problem = Problem::MessageNotSaved {
        detail: "disk full".into(),
    };
    let words = nudge::ui::words::problem(&problem);
    window.emit(Event::Problem { problem });
    assert!(window.shows(&words));
    window.click("Dismiss");
    assert!(!window.shows(&words));
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

/// Bob and Frank (Friends) and Carol (Friends, offline); Dave (Work); Erin (no group);
/// Frank is offline too.
fn grouped_roster() -> Vec<Contact> {
    let member = |jid: &str, name: &str, group: &[&str]| Contact {
        groups: group.iter().map(|g| g.to_string()).collect(),
        ..contact(jid, name)
    };
    vec![
        member("bob@example.org", "Bob", &["Friends"]),
        member("carol@example.org", "Carol", &["Friends"]),
        member("frank@example.org", "Frank", &["Friends"]),
        member("dave@example.org", "Dave", &["Work"]),
        member("erin@example.org", "Erin", &[]),
    ]
}

/// Online with the grouped roster; Bob, Dave and Erin are online.
fn grouped_window() -> Window {
    let mut window = Window::new();
    window.online_with(&grouped_roster());
    for jid in ["bob", "dave", "erin"] {
        window.presence(&format!("{jid}@example.org"), Availability::Online, None);
    }
    window
}

#[test]
fn contacts_are_grouped_with_counts_and_the_offline_group_comes_last() {
    let window = grouped_window();
    let order = [
        "Friends (1/3)",
        "Bob",
        "Work (1/1)",
        "Dave",
        "Contacts (1/1)",
        "Erin",
        "Offline (2)",
        "Carol",
        "Frank",
    ];
    for pair in order.windows(2) {
        assert!(
            window.top_of(pair[0]) < window.top_of(pair[1]),
            "{} above {}",
            pair[0],
            pair[1]
        );
    }
}

#[test]
fn a_group_collapses_to_its_header_and_opens_again() {
    let mut window = grouped_window();
    window.click("Friends (1/3)");
    assert!(window.harness.query_by_label("Bob").is_none(), "Bob hidden");
    assert!(window.harness.query_by_label("Friends (1/3)").is_some());
    assert!(window.harness.query_by_label("Dave").is_some());
    window.click("Offline (2)");
    assert!(window.harness.query_by_label("Carol").is_none());
    window.click("Friends (1/3)");
    assert!(window.harness.query_by_label("Bob").is_some(), "open again");
    // A presence change updates the counts of a closed group too.
    window.presence("carol@example.org", Availability::Away, None);
    assert!(window.harness.query_by_label("Friends (2/3)").is_some());
    assert!(window.harness.query_by_label("Offline (1)").is_some());
}

#[test]
fn search_finds_contacts_in_every_group_even_closed_ones() {
    let mut window = grouped_window();
    window.click("Friends (1/3)");
    window.click("Offline (2)");
    // "n" is in Frank (offline, in Friends) and Erin (no group), and in no address's domain.
    window.type_into("Search contacts", "n");
    for shown in ["Frank", "Erin", "Offline (2)", "Contacts (1/1)"] {
        assert!(window.harness.query_by_label(shown).is_some(), "{shown}");
    }
    for hidden in ["Bob", "Carol", "Dave", "Work (1/1)", "Friends (1/3)"] {
        assert!(window.harness.query_by_label(hidden).is_none(), "{hidden}");
    }
}

#[test]
fn rename_keeps_the_groups() {
    let mut window = grouped_window();
    window.harness.get_by_label("Bob").click_secondary();
    window.harness.run();
    window.click("Rename…");
    assert_eq!(
        window.harness.get_by_label("New name").value().as_deref(),
        Some("Bob")
    );
    window.type_into("New name", " Jr");
    window.click("Rename");
    assert_eq!(
        window.sent(),
        vec![Command::UpdateContact {
            jid: bare("bob@example.org"),
            name: Some("Bob Jr".into()),
            groups: vec!["Friends".into()],
        }]
    );
    assert!(
        window.harness.query_by_label("New name").is_none(),
        "closed"
    );
}

#[test]
fn move_to_group_offers_the_existing_groups_and_a_new_one() {
    let mut window = grouped_window();
    window.harness.get_by_label("Bob").click_secondary();
    window.harness.run();
    window.click("Move to group…");
    window.click("Work");
    window.click("Move");
    assert_eq!(
        window.sent(),
        vec![Command::UpdateContact {
            jid: bare("bob@example.org"),
            name: Some("Bob".into()),
            groups: vec!["Work".into()],
        }]
    );
    window.harness.get_by_label("Erin").click_secondary();
    window.harness.run();
    window.click("Move to group…");
    window.type_into("New group", "Family");
    window.click("Move");
    assert_eq!(
        window.sent(),
        vec![Command::UpdateContact {
            jid: bare("erin@example.org"),
            name: Some("Erin".into()),
            groups: vec!["Family".into()],
        }]
    );
}

#[test]
fn contacts_are_blocked_and_unblocked_from_the_menu_and_marked() {
    let mut window = grouped_window();
    window.harness.get_by_label("Bob").click_secondary();
    window.harness.run();
    window.click("Block");
    assert_eq!(
        window.sent(),
        vec![Command::BlockContact {
            jid: bare("bob@example.org")
        }]
    );
    assert!(window.harness.query_by_label("blocked").is_none());
    window.emit(Event::BlockListChanged {
        jids: vec![bare("bob@example.org").into()],
    });
    let mark = window.harness.get_by_label("blocked").rect();
    let bob = window.harness.get_by_label("Bob").rect();
    assert!(
        mark.left() > bob.left() && (mark.center().y - bob.center().y).abs() < bob.height(),
        "the mark is beside Bob: {mark:?} {bob:?}"
    );
    window.harness.get_by_label("Bob").click_secondary();
    window.harness.run();
    window.click("Unblock");
    assert_eq!(
        window.sent(),
        vec![Command::UnblockContact {
            jid: bare("bob@example.org")
        }]
    );
}

#[test]
fn a_subscription_request_can_be_blocked() {
    let mut window = Window::new();
    window.online_with(&roster());
    window.emit(Event::SubscriptionRequested {
        jid: bare("spam@example.org"),
    });
    window.click("Block");
    assert_eq!(
        window.sent(),
        vec![
            Command::DenySubscription {
                jid: bare("spam@example.org")
            },
            Command::BlockContact {
                jid: bare("spam@example.org")
            }
        ]
    );
    assert!(!window.shows("wants to add you"), "the dialog closes");
}

#[test]
fn escape_leaves_the_status_message_as_it_was() {
    let mut window = Window::new();
    window.online_with(&roster());
    window.emit(Event::OwnPresenceChanged {
        availability: Availability::Away,
        status: Some("at work".into()),
    });
    window.click("at work");
    assert_eq!(
        window
            .harness
            .get_by_label("Status message")
            .value()
            .as_deref(),
        Some("at work"),
        "editing starts from the current status"
    );
    window
        .harness
        .get_by_label("Status message")
        .type_text(", late");
    window.harness.run();
    window.press(egui::Key::Escape);
    assert_eq!(window.sent(), vec![]);
    assert!(window.harness.query_by_label("Status message").is_none());
    assert!(window.harness.query_by_label("at work").is_some());
    // Enter saves, keeping the presence.
    window.click("at work");
    window.harness.get_by_label("Status message").type_text("!");
    window.harness.run();
    window.press(egui::Key::Enter);
    assert_eq!(
        window.sent(),
        vec![Command::SetPresence {
            availability: Availability::Away,
            status: Some("at work!".into())
        }]
    );
}

#[test]
fn five_thousand_contacts_lay_out_only_the_visible_rows() {
    let mut window = Window::new();
    let roster: Vec<Contact> = (0..5_000)
        .map(|i| Contact {
            groups: vec![format!("Team {}", i % 10)],
            ..contact(&format!("p{i}@example.org"), &format!("Person {i:04}"))
        })
        .collect();
    window.online_with(&roster);
    // Half of each team is online.
    for i in (0..5_000).filter(|i| (i / 10) % 2 == 0) {
        window.queue(Event::PresenceChanged {
            jid: bare(&format!("p{i}@example.org")),
            resource: "r".into(),
            availability: Availability::Online,
            status: None,
            priority: 0,
        });
    }
    window.harness.run();
    assert!(window.harness.query_by_label("Team 0 (250/500)").is_some());
    let shown = window
        .harness
        .query_all_by_label_contains("Person ")
        .count();
    assert!((5..60).contains(&shown), "{shown} contact rows laid out");
    // Closed groups are one row each: every team's header fits on screen.
    for team in 0..10 {
        window.click(&format!("Team {team} (250/500)"));
    }
    assert!(window.harness.query_by_label("Offline (2500)").is_some());
    window.click("Offline (2500)");
    assert_eq!(
        window
            .harness
            .query_all_by_label_contains("Person ")
            .count(),
        0
    );
}

#[test]
fn the_grouped_list_is_quiet_when_idle() {
    let mut window = grouped_window();
    window.click("Friends (1/3)");
    window.harness.run_steps(4);
    for step in 0..5 {
        window.harness.step();
        let delay = window.harness.output().viewport_output[&egui::ViewportId::ROOT].repaint_delay;
        assert_eq!(
            delay,
            std::time::Duration::MAX,
            "repaint asked on idle step {step}"
        );
    }
}

#[test]
fn the_header_shows_the_own_name_and_the_four_presences() {
    let mut window = Window::new();
    window.online_with(&roster());
    assert!(
        window.harness.query_by_label("alice").is_some(),
        "the local part"
    );
    window.click("My status");
    for choice in ["Online", "Busy", "Be right back / Away", "Appear offline"] {
        assert!(window.harness.query_by_label(choice).is_some(), "{choice}");
    }
    window.click("Be right back / Away");
    assert_eq!(
        window.sent(),
        vec![Command::SetPresence {
            availability: Availability::Away,
            status: None
        }]
    );
}

#[test]
fn the_own_name_is_edited_in_place_and_contacts_show_theirs() {
    let mut window = Window::new();
    let mut contacts = roster();
    for contact in &mut contacts {
        contact.name = None;
    }
    window.online_with(&contacts);
    let bob = contacts[0].jid.clone();

    window.click("alice");
    assert!(window.harness.get_by_label("Display name").is_focused());
    window
        .harness
        .get_by_label("Display name")
        .type_text(" Ally ");
    window.press(egui::Key::Enter);
    assert_eq!(
        window.sent(),
        vec![Command::SetNickname {
            nick: Some("alice Ally".into())
        }]
    );
    window.emit(Event::NicknameChanged {
        jid: bare("alice@example.org"),
        nick: Some("Ally".into()),
    });
    assert!(window.harness.query_by_label("Ally").is_some());
    assert!(window.harness.query_by_label("Display name").is_none());

    // A contact the user gave no name is shown by the name they gave themselves.
    assert!(window.harness.query_by_label(bob.as_str()).is_some());
    window.emit(Event::NicknameChanged {
        jid: bob.clone(),
        nick: Some("Bobby Tables".into()),
    });
    assert!(window.harness.query_by_label("Bobby Tables").is_some());
    assert!(window.harness.query_by_label(bob.as_str()).is_none());
    window.type_into("Search contacts", "tables");
    assert!(window.harness.query_by_label("Bobby Tables").is_some());
}

#[test]
fn a_contact_row_is_one_button_that_the_keyboard_opens_too() {
    let mut window = Window::new();
    window.online_with(&roster());
    window.presence("bob@example.org", Availability::Away, Some("making coffee"));
    // The name is the row's own label: one node, a button, whatever else the row shows.
    assert_eq!(window.harness.query_all_by_label("Bob").count(), 1);
    assert!(window
        .harness
        .query_by_role_and_label(egui::accesskit::Role::Button, "Bob")
        .is_some());
    assert!(window.shows("making coffee"));
    window.harness.get_by_label("Bob").focus();
    window.harness.run();
    window.press(egui::Key::Enter);
    assert_eq!(
        window.sent(),
        vec![Command::LoadHistory {
            peer: nudge_testkit::bare("bob@example.org"),
            limit: 200
        }],
        "Enter on the focused row opens the conversation"
    );
}
