//! Emoticons in the window: message text shows their images (named for screen readers), and
//! the picker types their codes into the draft.

use egui::accesskit::Role;
use egui::load::{ImagePoll, SizeHint};
use egui::{ImageSource, TextEdit};
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use nudge::ui::emoticons::{self, Emoticon, PICKER_LABEL};

/// Runs frames until the images decoded on loader threads have arrived: `run` alone stops as
/// soon as no repaint is pending, which on a busy machine can be before a decode finishes.
fn settle<State>(harness: &mut Harness<'_, State>) {
    for _ in 0..20 {
        harness.run();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// A harness showing one message body.
fn message(text: &'static str) -> Harness<'static> {
    let mut harness = Harness::new_ui(move |ui| {
        emoticons::message_ui(ui, text);
    });
    settle(&mut harness);
    harness
}

/// The decoded image egui holds for an emoticon, if it is loaded.
fn loaded_size(harness: &Harness<'_>, emoticon: Emoticon) -> Option<[usize; 2]> {
    let ImageSource::Bytes { uri, .. } = emoticon.image() else {
        panic!("emoticons are embedded bytes");
    };
    match harness.ctx.try_load_image(&uri, SizeHint::default()) {
        Ok(ImagePoll::Ready { image }) => Some(image.size),
        _ => None,
    }
}

#[test]
fn a_message_shows_emoticon_images_with_their_meaning() {
    let harness = message("hi :) see you at 10:30 (y) <3");
    for emoticon in [Emoticon::Smile, Emoticon::ThumbsUp, Emoticon::Heart] {
        harness.get_by_role_and_label(Role::Image, emoticon.meaning());
        assert_eq!(
            loaded_size(&harness, emoticon),
            Some([32, 32]),
            "{emoticon:?} decoded from its PNG"
        );
    }
    assert!(harness
        .query_by_label_contains("see you at 10:30")
        .is_some());
    assert!(harness.query_by_label("sad").is_none());
}

#[test]
fn text_without_emoticons_is_one_plain_label() {
    let harness = message("Dr:Pepper at http://x.org/:P");
    assert!(harness
        .query_by_label("Dr:Pepper at http://x.org/:P")
        .is_some());
    assert!(harness.query_by_label("tongue out").is_none());
}

#[test]
fn lines_and_emoticons_keep_their_order() {
    let harness = message("first :(\n\nthird (H)");
    let first = harness.get_by_label_contains("first").rect();
    let sad = harness.get_by_label("sad").rect();
    let third = harness.get_by_label_contains("third").rect();
    let cool = harness.get_by_label("cool").rect();
    assert!(
        sad.left() >= first.right() - 0.5,
        "the face follows its words"
    );
    assert!(
        third.top() > sad.bottom(),
        "a blank line and the third line come below"
    );
    assert!(cool.left() >= third.right() - 0.5);
    assert!(
        third.top() - first.bottom() > first.height() * 0.5,
        "the empty line keeps its height"
    );
}

#[test]
fn the_picker_appends_the_chosen_code() {
    let mut harness = Harness::new_ui_state(
        |ui, draft: &mut String| {
            emoticons::picker_button(ui, draft, None);
        },
        String::from("good game"),
    );
    settle(&mut harness);
    assert!(
        harness.query_by_label("thumbs up").is_none(),
        "closed at first"
    );
    harness.get_by_label(PICKER_LABEL).click();
    settle(&mut harness);
    for emoticon in Emoticon::ALL {
        assert!(
            harness.query_by_label(emoticon.meaning()).is_some(),
            "{emoticon:?} is in the picker"
        );
    }
    harness.get_by_label("thumbs up").click();
    settle(&mut harness);
    assert_eq!(harness.state(), "good game (y)");
    assert!(
        harness.query_by_label("thumbs up").is_none(),
        "closed after"
    );

    harness.get_by_label(PICKER_LABEL).click();
    settle(&mut harness);
    harness.get_by_label("heart").click();
    settle(&mut harness);
    assert_eq!(harness.state(), "good game (y) <3");
}

#[test]
fn the_picker_inserts_at_the_composer_cursor_and_gives_it_focus_back() {
    let mut harness = Harness::new_ui_state(
        |ui, draft: &mut String| {
            let composer = ui
                .add(TextEdit::singleline(draft))
                .accessible_name("Message");
            emoticons::picker_button(ui, draft, Some(composer.id));
        },
        String::new(),
    );
    settle(&mut harness);
    harness.get_by_label("Message").focus();
    settle(&mut harness);
    harness.get_by_label("Message").type_text("hithere");
    settle(&mut harness);
    for _ in 0.."there".len() {
        harness.key_press(egui::Key::ArrowLeft);
        settle(&mut harness);
    }
    harness.get_by_label(PICKER_LABEL).click();
    settle(&mut harness);
    harness.get_by_label("smile").click();
    settle(&mut harness);
    assert_eq!(harness.state(), "hi :) there");
    assert!(harness.get_by_label("Message").is_focused());
    harness.get_by_label("Message").type_text("!");
    settle(&mut harness);
    assert_eq!(
        harness.state(),
        "hi :) !there",
        "typing goes on after the code"
    );
}

#[test]
fn a_message_with_emoticons_is_idle_once_its_images_are_loaded() {
    let mut harness = message("idle :) (y)");
    assert_eq!(loaded_size(&harness, Emoticon::Smile), Some([32, 32]));
    for step in 0..5 {
        harness.step();
        let delay = harness.output().viewport_output[&egui::ViewportId::ROOT].repaint_delay;
        assert_eq!(
            delay,
            std::time::Duration::MAX,
            "asked for a repaint on idle step {step}"
        );
    }
}
