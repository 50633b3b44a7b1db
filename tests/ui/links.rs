//! `xmpp:` links handed to the window (by a second `nudge`, or the desktop): the window comes to
//! the front and fills in what the link asks for, through the real `NudgeApp`. Nothing is sent.

use egui::ViewportCommand;
use egui_kittest::kittest::Queryable;
use nudge::command::Command;
use nudge::event::Event;
use nudge::xmpp::uri::parse;
use nudge_testkit::ui::{contact, Window};

const BOB: &str = "bob@example.org";
const BOBS_WINDOW: &str = "Bob — bob@example.org";

fn online() -> Window {
    let mut window = Window::new();
    window.online_with(&[contact(BOB, "Bob")]);
    window.sent();
    window
}

/// Hands the link over and runs the one frame that follows; returns that frame's viewport
/// commands. The window then settles.
fn hand_over(window: &mut Window, link: Option<&str>) -> Vec<ViewportCommand> {
    window.queue(Event::OpenRequested {
        link: link.map(|text| parse(text).expect("a link")),
    });
    window.harness.step();
    let commands = window.viewport_commands();
    window.harness.run();
    commands
}

fn composer_text(window: &Window) -> String {
    window
        .harness
        .get_by_label(BOBS_WINDOW)
        .get_by_label("Message")
        .value()
        .unwrap_or_default()
}

#[test]
fn a_message_link_brings_nudge_forward_with_the_text_ready_but_unsent() {
    let mut window = online();
    let commands = hand_over(
        &mut window,
        Some("xmpp:bob@example.org?message;body=Hi%20Bob"),
    );
    assert!(
        commands.contains(&ViewportCommand::Visible(true)),
        "{commands:?}"
    );
    assert!(commands.contains(&ViewportCommand::Focus), "{commands:?}");
    assert!(window.has_window(BOBS_WINDOW));
    assert_eq!(composer_text(&window), "Hi Bob");
    let sent = window.sent();
    assert!(
        sent.iter()
            .all(|c| !matches!(c, Command::SendMessage { .. })),
        "{sent:?}"
    );
}

#[test]
fn a_bare_request_only_brings_the_window_forward() {
    let mut window = online();
    let commands = hand_over(&mut window, None);
    assert!(commands.contains(&ViewportCommand::Focus), "{commands:?}");
    assert!(!window.has_window(BOBS_WINDOW));
}

#[test]
fn a_link_waits_for_sign_in_and_says_so() {
    let mut window = Window::new();
    hand_over(&mut window, Some("xmpp:bob@example.org?message;body=Later"));
    assert!(window.shows("Once you are signed in, Nudge opens the link to bob@example.org."));
    window.online_with(&[contact(BOB, "Bob")]);
    assert!(window.has_window(BOBS_WINDOW));
    assert_eq!(composer_text(&window), "Later");
}

#[test]
fn a_roster_link_fills_the_add_contact_dialog_and_adding_is_the_users_click() {
    let mut window = online();
    hand_over(
        &mut window,
        Some("xmpp:erin@example.org?roster;name=Erin;group=Work"),
    );
    assert!(window.shows("In the group: Work"));
    assert!(
        window.sent().is_empty(),
        "nothing is added before the user clicks"
    );
    window.click("Add");
    assert_eq!(
        window.sent(),
        [Command::AddContact {
            jid: nudge_testkit::bare("erin@example.org"),
            name: Some("Erin".into()),
            groups: vec!["Work".into()],
        }]
    );
}
