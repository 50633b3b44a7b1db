//! The settings window: each control saves the whole settings with its field changed, and the
//! looks (theme, text size) follow what the core confirmed.

use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use nudge::command::Command;
use nudge::config::{ConversationLayout, InvitePolicy, Settings, Theme};
use nudge::event::Event;
use nudge::ui::settings::TITLE;
use nudge_testkit::ui::{contact, Window};

/// Online, with the settings window opened from the contact list.
fn settings_window() -> Window {
    let mut window = Window::new();
    window.online_with(&[contact("bob@example.org", "Bob")]);
    assert!(!window.shows(TITLE));
    window.click("Settings");
    assert!(window.shows(TITLE));
    window
}

/// The settings of the one `SaveSettings` sent since the last look.
fn saved(window: &mut Window) -> Settings {
    let sent = window.sent();
    let [Command::SaveSettings { settings }] = sent.as_slice() else {
        panic!("expected one SaveSettings, got {sent:?}");
    };
    settings.clone()
}

type Change = fn(&mut Settings);

#[test]
fn each_control_saves_the_settings_with_its_field_changed() {
    let cases: [(&str, Change); 17] = [
        ("Notify me of new messages", |s| {
            s.notifications.messages = false
        }),
        ("Notify me when contacts come online", |s| {
            s.notifications.contacts_online = false
        }),
        ("Notify me of invitations", |s| {
            s.notifications.invitations = false
        }),
        ("Notify me of nudges", |s| s.notifications.nudges = false),
        ("Sound for new messages", |s| s.sounds.new_message = false),
        ("Sound when contacts come online", |s| {
            s.sounds.contact_online = false
        }),
        ("Sound for nudges", |s| s.sounds.nudge = false),
        ("Play sounds", |s| s.sounds.enabled = false),
        ("All in one window, as tabs", |s| {
            s.conversations = ConversationLayout::Tabs
        }),
        ("Open a conversation when a message arrives", |s| {
            s.open_conversation_on_message = false
        }),
        ("Shake the window on a nudge", |s| s.shake_on_nudge = false),
        (
            "Keep running in the tray when the contact list is closed",
            |s| s.run_in_tray = false,
        ),
        ("Dark", |s| s.theme = Theme::Dark),
        ("Light", |s| s.theme = Theme::Light),
        ("Anyone", |s| s.invite_policy = InvitePolicy::Anyone),
        ("Nobody", |s| s.invite_policy = InvitePolicy::Nobody),
        ("Sign me in automatically", |s| {
            s.sign_in_automatically = false
        }),
    ];
    let mut window = settings_window();
    let mut expected = Settings::default();
    for (label, change) in cases {
        change(&mut expected);
        // By accessibility action: the control may be scrolled out of the window's view.
        window.harness.get_by_label(label).click_accesskit();
        window.harness.run();
        assert_eq!(saved(&mut window), expected, "after {label}");
        // The core confirms, as it does after saving the file.
        window.emit(Event::SettingsChanged {
            settings: expected.clone(),
        });
    }
}

#[test]
fn an_unconfirmed_change_stays_in_the_window_and_the_core_has_the_last_word() {
    let mut window = settings_window();
    let checkbox = "Shake the window on a nudge";
    window.harness.get_by_label(checkbox).click_accesskit();
    window.harness.run();
    assert!(!saved(&mut window).shake_on_nudge);
    window.harness.get_by_label(checkbox).click_accesskit();
    window.harness.run();
    assert!(
        saved(&mut window).shake_on_nudge,
        "the second click turns it back on"
    );
    window.emit(Event::SettingsChanged {
        settings: Settings {
            shake_on_nudge: false,
            ..Settings::default()
        },
    });
    window.harness.get_by_label(checkbox).click_accesskit();
    window.harness.run();
    assert!(
        saved(&mut window).shake_on_nudge,
        "edited from the reported value"
    );
}

#[test]
fn sign_in_as_is_a_setting_too() {
    let mut window = settings_window();
    window.harness.get_by_label("Sign in as").click_accesskit();
    window.harness.run();
    window
        .harness
        .get_by_label("Appear offline")
        .click_accesskit();
    window.harness.run();
    assert_eq!(
        saved(&mut window).sign_in_as,
        nudge::model::Availability::AppearOffline
    );
}

#[test]
fn the_text_size_is_saved_when_set_and_zooms_once_confirmed() {
    let mut window = settings_window();
    window
        .harness
        .get_by_role_and_label(Role::Slider, "Text size")
        .set_value_accesskit(1.5);
    window.harness.run();
    let settings = saved(&mut window);
    assert_eq!(settings.text_scale, 1.5);
    assert_eq!(
        window.harness.ctx.zoom_factor(),
        1.0,
        "not before the core saved it"
    );
    window.emit(Event::SettingsChanged { settings });
    window.harness.run();
    assert_eq!(window.harness.ctx.zoom_factor(), 1.5);
}

#[test]
fn dragging_the_text_size_saves_only_when_let_go() {
    let mut window = settings_window();
    window
        .harness
        .get_by_role_and_label(Role::Slider, "Text size")
        .scroll_to_me();
    window.harness.run();
    let slider = window
        .harness
        .get_by_role_and_label(Role::Slider, "Text size")
        .rect();
    let start = slider.left_center() + egui::vec2(4.0, 0.0);
    window.harness.hover_at(start);
    window.harness.run();
    window.harness.drag_at(start);
    window.harness.run();
    for step in 1..=4 {
        window
            .harness
            .hover_at(start + egui::vec2(step as f32 * 10.0, 0.0));
        window.harness.run();
    }
    assert_eq!(window.sent(), vec![], "nothing while dragging");
    let moving = window
        .harness
        .get_by_role_and_label(Role::Slider, "Text size")
        .accesskit_node()
        .numeric_value();
    assert!(
        moving.is_some_and(|value| value > 0.75),
        "the slider follows the drag: {moving:?}"
    );
    window.harness.drop_at(start + egui::vec2(40.0, 0.0));
    window.harness.run();
    let settings = saved(&mut window);
    assert!(settings.text_scale > 0.75, "moved: {}", settings.text_scale);
}

#[test]
fn the_theme_follows_the_confirmed_setting() {
    let mut window = settings_window();
    for (theme, expected) in [
        (Theme::Dark, egui::ThemePreference::Dark),
        (Theme::Light, egui::ThemePreference::Light),
        (Theme::FollowSystem, egui::ThemePreference::System),
    ] {
        window.emit(Event::SettingsChanged {
            settings: Settings {
                theme,
                ..Settings::default()
            },
        });
        window.harness.run();
        let preference = window.harness.ctx.options(|o| o.theme_preference);
        assert_eq!(preference, expected);
    }
    window.emit(Event::SettingsChanged {
        settings: Settings {
            theme: Theme::Light,
            ..Settings::default()
        },
    });
    window.harness.run();
    assert_eq!(window.harness.ctx.theme(), egui::Theme::Light);
    assert!(!window.harness.ctx.global_style().visuals.dark_mode);
}

#[test]
fn the_window_closes_and_is_quiet_while_open() {
    let mut window = settings_window();
    for step in 0..5 {
        window.harness.step();
        let delay = window.harness.output().viewport_output[&egui::ViewportId::ROOT].repaint_delay;
        assert_eq!(delay, Duration::MAX, "repaint asked on idle step {step}");
    }
    window
        .harness
        .get_by_label("Close window")
        .click_accesskit();
    window.harness.run();
    assert!(!window.shows(TITLE));
    assert_eq!(window.sent(), vec![], "closing saves nothing");
}
