//! Display pictures in the window: the header's own picture and its dialog, contacts' pictures
//! in the list and in conversations.

use nudge_testkit::bare;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui_kittest::kittest::{NodeT, Queryable};
use nudge::command::Command;
use nudge::event::Event;
use nudge::model::{Avatar, BUILTIN_PICTURES};
use nudge::ui::avatar::{
    label_of, CLOSE_LABEL, DIALOG_TITLE, FILE_FIELD_LABEL, OWN_LABEL, REMOVE_LABEL, USE_FILE_LABEL,
};
use nudge_testkit::ui::{contact, Window};

/// A picture as the core reports it: an 8×8 PNG of one colour.
fn picture(seed: u8) -> Avatar {
    let image = image::RgbaImage::from_pixel(8, 8, image::Rgba([seed, 100, 200, 255]));
    let mut png = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut png, image::ImageFormat::Png)
        .expect("encode");
    let png = png.into_inner();
    Avatar {
        sha1: nudge::xmpp::avatar::sha1_hex(&png),
        png: png.into(),
    }
}

/// Whether the window drew the picture (its texture exists).
fn drawn(window: &Window, avatar: &Avatar) -> bool {
    nudge::ui::avatar::is_loaded(&window.harness.ctx, &avatar.sha1)
}

fn changed(window: &mut Window, jid: &str, avatar: Option<Avatar>) {
    window.emit(Event::AvatarChanged {
        jid: bare(jid),
        avatar,
    });
}

#[test]
fn the_header_shows_the_own_picture_by_its_label() {
    let mut window = Window::new();
    window.online_with(&[]);
    assert!(
        window.harness.query_by_label(OWN_LABEL).is_some(),
        "the default picture"
    );
    let mine = picture(1);
    assert!(!drawn(&window, &mine));
    changed(&mut window, "alice@example.org", Some(mine.clone()));
    assert!(window.harness.query_by_label(OWN_LABEL).is_some());
    assert!(drawn(&window, &mine), "the header draws the own picture");
}

#[test]
fn choosing_a_builtin_picture_sends_it_and_closes_the_dialog() {
    let mut window = Window::new();
    window.online_with(&[]);
    assert!(!window.has_window(DIALOG_TITLE));
    window.click(OWN_LABEL);
    assert!(window.has_window(DIALOG_TITLE));
    for picture in BUILTIN_PICTURES {
        assert!(
            window.harness.query_by_label(picture.label).is_some(),
            "{} is offered",
            picture.label
        );
    }
    window.click("Kitten");
    assert_eq!(
        window.sent(),
        [Command::SetBuiltinAvatar {
            name: "kitten".into()
        }]
    );
    assert!(!window.has_window(DIALOG_TITLE));
}

#[test]
fn a_typed_path_is_sent_without_its_quotes() {
    let mut window = Window::new();
    window.online_with(&[]);
    window.click(OWN_LABEL);
    assert!(
        window
            .harness
            .get_by_label(USE_FILE_LABEL)
            .accesskit_node()
            .is_disabled(),
        "nothing typed yet"
    );
    window.type_into(FILE_FIELD_LABEL, "'/home/alice/Pictures/me.jpg'");
    window.click(USE_FILE_LABEL);
    assert_eq!(
        window.sent(),
        [Command::SetAvatar {
            path: "/home/alice/Pictures/me.jpg".into()
        }]
    );
    assert!(!window.has_window(DIALOG_TITLE));
}

#[test]
fn removing_is_offered_only_with_a_picture() {
    let mut window = Window::new();
    window.online_with(&[]);
    window.click(OWN_LABEL);
    assert!(window
        .harness
        .get_by_label(REMOVE_LABEL)
        .accesskit_node()
        .is_disabled());
    changed(&mut window, "alice@example.org", Some(picture(2)));
    window.click(REMOVE_LABEL);
    assert_eq!(window.sent(), [Command::ClearAvatar]);
    window.click(OWN_LABEL);
    window.click(CLOSE_LABEL);
    assert!(!window.has_window(DIALOG_TITLE));
    assert!(window.sent().is_empty(), "closing changes nothing");
}

#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        Err("the window never reads files".into())
    }
}

#[test]
fn a_file_dropped_on_the_open_dialog_becomes_the_picture() {
    let mut window = Window::new();
    window.online_with(&[]);
    let drop = |window: &mut Window| {
        window
            .harness
            .input_mut()
            .dropped_files
            .push(Arc::new(Dropped("/tmp/holiday.webp".into())));
        window.harness.run();
    };
    drop(&mut window);
    assert!(window.sent().is_empty(), "dropping elsewhere does nothing");
    window.click(OWN_LABEL);
    drop(&mut window);
    assert_eq!(
        window.sent(),
        [Command::SetAvatar {
            path: "/tmp/holiday.webp".into()
        }]
    );
}

#[test]
fn contact_rows_show_their_pictures_and_only_visible_rows_load_them() {
    let mut window = Window::new();
    let mut roster = vec![contact("bob@example.org", "Bob")];
    roster
        .extend((0..200).map(|i| contact(&format!("zz{i:03}@example.org"), &format!("Zz {i:03}"))));
    window.online_with(&roster);
    let bob = picture(3);
    let far = picture(4);
    changed(&mut window, "bob@example.org", Some(bob.clone()));
    changed(&mut window, "zz199@example.org", Some(far.clone()));
    assert!(window
        .harness
        .query_by_label(&label_of("bob@example.org"))
        .is_some());
    assert!(drawn(&window, &bob));
    assert!(
        !drawn(&window, &far),
        "a row scrolled out of view loads no picture"
    );
    changed(&mut window, "bob@example.org", None);
    assert!(
        window
            .harness
            .query_by_label(&label_of("bob@example.org"))
            .is_some(),
        "the default picture takes its place"
    );
    assert!(
        !drawn(&window, &bob),
        "the replaced picture is forgotten, not kept for ever"
    );
}

#[test]
fn the_conversation_shows_the_contact_picture() {
    let mut window = Window::sized(egui::vec2(1000.0, 800.0), 0.1);
    window.online_with(&[contact("bob@example.org", "Bob")]);
    let bob = picture(5);
    changed(&mut window, "bob@example.org", Some(bob.clone()));
    window.click("Bob");
    let in_conversation = window
        .harness
        .query_all_by_label(&label_of("bob@example.org"))
        .count();
    assert_eq!(in_conversation, 2, "in the list and in the conversation");
}

#[test]
fn a_message_toast_shows_the_senders_picture() {
    let mut window = Window::sized(egui::vec2(400.0, 700.0), 0.1);
    window.online_with(&[contact("bob@example.org", "Bob")]);
    // Only the toast may draw Bob: his row is filtered out and no window opens for a message.
    let settings = nudge::config::Settings {
        open_conversation_on_message: false,
        ..Default::default()
    };
    window.emit(Event::SettingsChanged { settings });
    window.type_into("Search contacts", "nobody");
    let bob = picture(9);
    changed(&mut window, "bob@example.org", Some(bob.clone()));
    assert!(!drawn(&window, &bob));
    window.emit(Event::MessageReceived {
        message: nudge_testkit::ui::incoming("m1", "bob@example.org", "hi there"),
    });
    assert!(window.harness.query_by_label_contains("hi there").is_some());
    assert!(drawn(&window, &bob), "the toast shows Bob's picture");
}

#[test]
fn shown_pictures_leave_the_window_idle() {
    let mut window = Window::sized(egui::vec2(1000.0, 800.0), 0.1);
    window.online_with(&[contact("bob@example.org", "Bob")]);
    changed(&mut window, "alice@example.org", Some(picture(6)));
    changed(&mut window, "bob@example.org", Some(picture(7)));
    window.click("Bob");
    window.click(OWN_LABEL);
    assert!(window.has_window(DIALOG_TITLE));
    for step in 0..5 {
        window.harness.step();
        let delay = window.harness.output().viewport_output[&egui::ViewportId::ROOT].repaint_delay;
        assert_eq!(
            delay,
            std::time::Duration::MAX,
            "pictures asked for a repaint on idle step {step}"
        );
    }
}
