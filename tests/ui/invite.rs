//! Session Invite in the window: the Invite menus, the invitation toast and dialog, and the
//! sessions with a contact shown in the conversation.

use egui_kittest::kittest::{NodeT, Queryable};
use nudge::command::Command;
use nudge::event::Event;
use nudge::invite::{EndReason, InviteSession, Origin, Role, SessionEvent, SessionState};
use nudge::model::AppInfo;
use nudge_testkit::ui::{contact, session, Window, TIC_TAC_TOE};

const BOB: &str = "bob@example.org";
const WHITEBOARD: &str = "{0B0A0D00-0000-4000-8000-000000000001}";
const TOAST: &str = "Bob invites you to play Tic-Tac-Toe";

fn apps() -> Vec<AppInfo> {
    // Not sorted by name on purpose: the menu sorts.
    vec![
        AppInfo {
            guid: WHITEBOARD.into(),
            name: "Whiteboard".into(),
            download_url: "https://example.org/whiteboard".into(),
            installed: true,
        },
        AppInfo {
            guid: TIC_TAC_TOE.into(),
            name: "Tic-Tac-Toe".into(),
            download_url: "https://games.example.org/tic-tac-toe".into(),
            installed: false,
        },
    ]
}

/// Online with Bob in the roster and `apps` registered.
fn online(apps: Vec<AppInfo>) -> Window {
    let mut window = Window::new();
    window.online_with(&[contact(BOB, "Bob")]);
    window.emit(Event::AppsChanged { apps });
    window
}

/// Opens the contact list's context menu on Bob and its Invite submenu.
fn open_invite_submenu(window: &mut Window) {
    window.harness.get_by_label("Bob").click_secondary();
    window.harness.run();
    window.click("Invite");
}

/// The one `Invite` among the commands sent, with its fields.
fn the_invite(
    sent: &[Command],
) -> (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Origin,
) {
    let invites: Vec<_> = sent
        .iter()
        .filter_map(|c| match c {
            Command::Invite {
                session,
                to,
                app_guid,
                context,
                local_address,
                origin,
            } => Some((
                session.clone(),
                to.to_string(),
                app_guid.clone(),
                context.clone(),
                local_address.clone(),
                *origin,
            )),
            _ => None,
        })
        .collect();
    assert_eq!(invites.len(), 1, "one invitation in {sent:?}");
    invites[0].clone()
}

/// Reports an incoming invitation from Bob, ringing.
fn ring(window: &mut Window, invitation: InviteSession) {
    window.emit(Event::SessionUpdated {
        session: invitation,
    });
}

#[test]
fn the_contact_menu_lists_the_programs_by_name_and_invites() {
    let mut window = online(apps());
    open_invite_submenu(&mut window);
    assert!(
        window.top_of("Tic-Tac-Toe (not installed)") < window.top_of("Whiteboard"),
        "sorted by name, missing programs still listed"
    );
    window.sent();
    window.click("Whiteboard");
    let sent = window.sent();
    let (session, to, app_guid, context, local_address, origin) = the_invite(&sent);
    assert_eq!(session.len(), 36, "a new UUID: {session}");
    assert_eq!(to.as_str(), BOB);
    assert_eq!(app_guid, WHITEBOARD);
    assert_eq!((context, local_address), (None, None));
    assert_eq!(origin, Origin::Menu);
    assert!(
        window
            .harness
            .query_by_label("Bob — bob@example.org")
            .is_some(),
        "the conversation opens to show the invitation waiting"
    );
}

#[test]
fn each_invitation_is_a_new_session() {
    let mut window = online(apps());
    open_invite_submenu(&mut window);
    window.click("Whiteboard");
    let first = the_invite(&window.sent()).0;
    window.click("Invite");
    window.click("Whiteboard");
    let second = the_invite(&window.sent()).0;
    assert_ne!(first, second);
}

#[test]
fn with_no_program_registered_the_menu_says_how_to_add_one() {
    let mut window = online(vec![]);
    open_invite_submenu(&mut window);
    let item = window.harness.get_by_label("No programs registered");
    assert!(item.accesskit_node().is_disabled());
    assert!(window.shows("nudge apps register"));
    window.sent();
    window
        .harness
        .get_by_label("No programs registered")
        .click();
    window.harness.run();
    assert_eq!(window.sent(), vec![]);
}

#[test]
fn the_conversation_header_invites_the_contact() {
    let mut window = online(apps());
    window.click("Bob");
    window.sent();
    window.click("Invite");
    window.click("Tic-Tac-Toe (not installed)");
    let (_, to, app_guid, _, _, origin) = the_invite(&window.sent());
    assert_eq!((to.as_str(), app_guid.as_str()), (BOB, TIC_TAC_TOE));
    assert_eq!(origin, Origin::Menu);
}

#[test]
fn a_ringing_invitation_toasts_and_accepting_sends_accept() {
    let mut window = online(apps());
    assert!(window.harness.query_by_label(TOAST).is_none());
    ring(
        &mut window,
        session("s1", Role::Invitee, SessionState::Invitation),
    );
    assert!(window.harness.query_by_label(TOAST).is_some());
    assert!(
        window.harness.query_by_label("Accept").is_none(),
        "not before a click"
    );
    window.click(TOAST);
    assert!(window.shows("Bob (bob@example.org) invites you to play Tic-Tac-Toe."));
    assert!(
        window.harness.query_by_label(TOAST).is_none(),
        "the toast became the dialog"
    );
    assert!(!window.shows("not installed"), "the program is here");
    window.sent();
    window.click("Accept");
    assert_eq!(
        window.sent(),
        vec![Command::AcceptInvitation {
            session: "s1".into()
        }]
    );
    assert!(window.harness.query_by_label("Accept").is_none(), "closed");
    assert!(window.harness.query_by_label(TOAST).is_none(), "answered");
}

#[test]
fn decline_and_cancel_both_decline() {
    for button in ["Decline", "Cancel"] {
        let mut window = online(apps());
        ring(
            &mut window,
            session("s1", Role::Invitee, SessionState::Invitation),
        );
        window.click(TOAST);
        window.sent();
        window.click(button);
        assert_eq!(
            window.sent(),
            vec![Command::DeclineInvitation {
                session: "s1".into()
            }],
            "{button}"
        );
        assert!(window.harness.query_by_label("Accept").is_none());
    }
}

#[test]
fn escape_closes_the_dialog_as_a_decline() {
    let mut window = online(apps());
    ring(
        &mut window,
        session("s1", Role::Invitee, SessionState::Invitation),
    );
    window.click(TOAST);
    window.sent();
    window.press(egui::Key::Escape);
    assert_eq!(
        window.sent(),
        vec![Command::DeclineInvitation {
            session: "s1".into()
        }]
    );
}

#[test]
fn a_missing_program_shows_where_to_get_it_and_the_context_as_text() {
    let mut window = online(apps());
    ring(
        &mut window,
        InviteSession {
            app_present: false,
            context: Some("<b>board</b> $(rm -rf ~)".into()),
            ..session("s1", Role::Invitee, SessionState::Invitation)
        },
    );
    window.click(TOAST);
    assert!(window.shows("Tic-Tac-Toe is not installed on this computer"));
    assert!(window
        .harness
        .query_by_label("https://games.example.org/tic-tac-toe")
        .is_some());
    assert!(window.shows("Nudge opens this address in your web browser"));
    assert!(window
        .harness
        .query_by_label("<b>board</b> $(rm -rf ~)")
        .is_some());
}

#[test]
fn the_dialog_closes_when_the_inviter_cancels() {
    let mut window = online(apps());
    ring(
        &mut window,
        session("s1", Role::Invitee, SessionState::Invitation),
    );
    window.click(TOAST);
    assert!(window.harness.query_by_label("Accept").is_some());
    ring(
        &mut window,
        InviteSession {
            end_reason: Some(EndReason::Cancel),
            ..session("s1", Role::Invitee, SessionState::Cancelled)
        },
    );
    assert!(window.harness.query_by_label("Accept").is_none());
    assert!(window.harness.query_by_label(TOAST).is_none());
    let note = "Bob cancelled the invitation to Tic-Tac-Toe";
    assert!(window.harness.query_by_label(note).is_some());
    window.click(note);
    assert!(window.harness.query_by_label(note).is_none(), "dismissed");
    assert_eq!(window.sent(), vec![], "nothing is sent for it");
}

#[test]
fn toasts_stack_upwards_oldest_at_the_bottom() {
    let mut window = online(apps());
    ring(
        &mut window,
        session("s1", Role::Invitee, SessionState::Invitation),
    );
    ring(
        &mut window,
        InviteSession {
            app_name: "Whiteboard".into(),
            created_ms: 1_704_112_497_000,
            ..session("s2", Role::Invitee, SessionState::Invitation)
        },
    );
    let newer = "Bob invites you to use Whiteboard";
    assert!(window.top_of(newer) < window.top_of(TOAST));
    window.click(newer);
    assert!(window.shows("Bob (bob@example.org) invites you to use Whiteboard."));
}

/// Online with Bob's conversation open and nothing sent yet.
fn talking_to_bob() -> Window {
    let mut window = online(apps());
    window.click("Bob");
    window.sent();
    window
}

#[test]
fn a_waiting_invitation_can_be_cancelled() {
    let mut window = talking_to_bob();
    ring(
        &mut window,
        session("s1", Role::Inviter, SessionState::Invitation),
    );
    assert!(window.shows("Waiting for Bob to accept Tic-Tac-Toe…"));
    window.click("Cancel");
    assert_eq!(
        window.sent(),
        vec![Command::CancelInvitation {
            session: "s1".into()
        }]
    );
    window.emit(Event::SessionEvent {
        session: "s1".into(),
        detail: SessionEvent::OnAppNotPresent,
    });
    assert!(window.shows("Bob doesn't have Tic-Tac-Toe yet"));
}

#[test]
fn a_running_session_can_be_ended_and_its_end_is_explained() {
    let mut window = talking_to_bob();
    ring(
        &mut window,
        session("s1", Role::Inviter, SessionState::Connected),
    );
    assert!(window.shows("Tic-Tac-Toe is running"));
    window.click("End");
    assert_eq!(
        window.sent(),
        vec![Command::EndSession {
            session: "s1".into()
        }]
    );
    ring(
        &mut window,
        InviteSession {
            end_reason: Some(EndReason::Success),
            ..session("s1", Role::Inviter, SessionState::Terminated)
        },
    );
    assert!(window.shows("Tic-Tac-Toe ended: finished"));
    assert!(window.harness.query_by_label("End").is_none());
}

#[test]
fn refusals_are_told_apart() {
    let mut window = talking_to_bob();
    let declined = |reason| InviteSession {
        end_reason: Some(reason),
        ..session("s1", Role::Inviter, SessionState::Declined)
    };
    ring(&mut window, declined(EndReason::Decline));
    assert!(window.shows("Bob declined the invitation to Tic-Tac-Toe"));
    ring(&mut window, declined(EndReason::UnsupportedApplications));
    assert!(window.shows("Bob doesn't have Tic-Tac-Toe"));
    window.emit(Event::SessionEvent {
        session: "s1".into(),
        detail: SessionEvent::OnDeclined {
            not_accepting: true,
        },
    });
    assert!(window.shows("Bob is not accepting invitations"));
    assert!(window.harness.query_by_label("Cancel").is_none());
}

#[test]
fn an_invitation_answered_elsewhere_can_be_reopened_from_the_conversation() {
    let mut window = talking_to_bob();
    ring(
        &mut window,
        InviteSession {
            app_present: false,
            ..session("s1", Role::Invitee, SessionState::Invitation)
        },
    );
    window.click(TOAST);
    window.click("Accept");
    assert!(window.harness.query_by_label(TOAST).is_none());
    // The core keeps it ringing while the program is fetched; the conversation still offers it.
    window.click("Answer");
    assert!(window.harness.query_by_label("Accept").is_some());
}
