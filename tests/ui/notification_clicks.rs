//! A click on a desktop notification (reported by the core) opens what it was about, through
//! the real `NudgeApp`: the conversation, or the invitation's dialog while it rings, with
//! Nudge brought forward.

use egui::ViewportCommand;
use egui_kittest::kittest::Queryable;
use nudge::command::Command;
use nudge::event::Event;
use nudge::invite::{Role, SessionState};
use nudge::model::NotificationTarget;
use nudge_testkit::bare;
use nudge_testkit::ui::{contact, session, Window};

const BOB: &str = "bob@example.org";
const BOBS_WINDOW: &str = "Bob — bob@example.org";
const INVITATION: &str = "Bob (bob@example.org) invites you to play Tic-Tac-Toe.";

fn online() -> Window {
    let mut window = Window::new();
    window.online_with(&[contact(BOB, "Bob")]);
    window.sent();
    window
}

fn bob() -> NotificationTarget {
    NotificationTarget::Conversation { jid: bare(BOB) }
}

/// Reports the click and runs the one frame that follows it; returns the root window's
/// viewport commands of that frame. The window then settles.
fn click(window: &mut Window, target: NotificationTarget) -> Vec<ViewportCommand> {
    window.queue(Event::NotificationClicked { target });
    window.harness.step();
    let commands = window.viewport_commands();
    window.harness.run();
    commands
}

fn history_of(peer: &str) -> Command {
    Command::LoadHistory {
        peer: bare(peer),
        limit: nudge::ui::view::HISTORY_LIMIT,
    }
}

#[test]
fn a_message_notification_click_opens_the_conversation() {
    let mut window = online();
    assert!(!window.has_window(BOBS_WINDOW));
    let commands = click(&mut window, bob());
    assert!(window.has_window(BOBS_WINDOW), "Bob's conversation is open");
    assert_eq!(window.sent(), vec![history_of(BOB)]);
    assert!(
        commands.contains(&ViewportCommand::Visible(true)),
        "a contact list hidden in the tray is shown, so its conversation windows are: {commands:?}"
    );
}

#[test]
fn clicking_again_brings_the_open_conversation_forward_without_a_second_one() {
    let mut window = online();
    click(&mut window, bob());
    window.sent();
    click(&mut window, bob());
    assert_eq!(
        window
            .harness
            .state()
            .view()
            .windows
            .open_conversations()
            .len(),
        1
    );
    assert!(window.has_window(BOBS_WINDOW));
}

#[test]
fn an_invitation_notification_click_opens_its_dialog_and_raises_nudge() {
    let mut window = online();
    window.emit(Event::SessionUpdated {
        session: session("s1", Role::Invitee, SessionState::Invitation),
    });
    assert!(window.harness.query_by_label("Accept").is_none());
    let commands = click(
        &mut window,
        NotificationTarget::Invitation {
            session: "s1".into(),
        },
    );
    assert!(window.shows(INVITATION), "the invitation dialog is open");
    assert!(window.harness.query_by_label("Accept").is_some());
    for expected in [
        ViewportCommand::Visible(true),
        ViewportCommand::Minimized(false),
        ViewportCommand::Focus,
    ] {
        assert!(commands.contains(&expected), "{expected:?} in {commands:?}");
    }
    window.click("Accept");
    assert_eq!(
        window.sent(),
        vec![Command::AcceptInvitation {
            session: "s1".into()
        }]
    );
}

#[test]
fn an_invitation_that_stopped_ringing_opens_the_conversation_instead() {
    let mut window = online();
    window.emit(Event::SessionUpdated {
        session: session("s1", Role::Invitee, SessionState::Invitation),
    });
    window.emit(Event::SessionUpdated {
        session: session("s1", Role::Invitee, SessionState::Cancelled),
    });
    window.sent();
    click(
        &mut window,
        NotificationTarget::Invitation {
            session: "s1".into(),
        },
    );
    assert!(
        !window.shows(INVITATION),
        "no dialog for a cancelled invitation"
    );
    assert!(window.has_window(BOBS_WINDOW));
    assert_eq!(window.sent(), vec![history_of(BOB)]);
}

#[test]
fn a_click_while_signed_out_only_brings_nudge_forward() {
    let mut window = Window::new();
    let commands = click(&mut window, bob());
    assert!(commands.contains(&ViewportCommand::Focus), "{commands:?}");
    assert_eq!(window.sent(), vec![], "nothing to open before signing in");
    assert!(!window.has_window(BOBS_WINDOW));
}
