//! The settings window and the looks it controls (theme, text size).
//!
//! The window edits a draft of the core's settings; every change sends the whole draft with
//! `Command::SaveSettings`, and the core answers with `Event::SettingsChanged`. The looks are
//! applied from what the core confirmed, so a setting that could not be saved is not shown.
//!
//! Two parts are files of their own rather than settings the core keeps: starting on login
//! (the desktop's autostart entry, [`startup`]) and the Applications page (the registry of
//! Session Invite programs, [`applications`]). Those go through [`files`] to a worker thread.

pub mod applications;
#[cfg(test)]
mod desktop_tests;
pub mod files;
pub mod startup;

use egui::{ComboBox, Context, Id, ScrollArea, Slider, ThemePreference, Ui, Window};

use super::contacts::{own_label, OWN_CHOICES};
use super::{send, theme};
use crate::command::Command;
use crate::config::{ConversationLayout, InvitePolicy, Settings, Theme};
use crate::core::CommandSender;
use crate::state::AppState;
use crate::ui::view::ViewState;

/// The settings window's title.
pub const TITLE: &str = "Nudge settings";
/// The tab of the settings the core keeps (and starting on login).
pub const GENERAL_PAGE: &str = "General";

/// The pages of the settings window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SettingsPage {
    /// Notifications, sounds, conversations, looks, invitations, signing in, starting.
    #[default]
    General,
    /// The registered Session Invite applications.
    Applications,
}

/// The theme and text size as applied to the window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Looks {
    /// Light, dark or the desktop's.
    pub theme: Theme,
    /// The zoom factor, within [`theme::TEXT_SCALE_RANGE`].
    pub text_scale: f32,
}

impl Looks {
    /// The looks the settings ask for, with the text size kept in range.
    pub fn of(settings: &Settings) -> Self {
        let (low, high) = theme::TEXT_SCALE_RANGE;
        let text_scale = match settings.text_scale {
            scale if scale.is_finite() => scale.clamp(low, high),
            _ => 1.0,
        };
        Self {
            theme: settings.theme,
            text_scale,
        }
    }

    /// egui's name for the theme.
    pub fn theme_preference(self) -> ThemePreference {
        match self.theme {
            Theme::Light => ThemePreference::Light,
            Theme::Dark => ThemePreference::Dark,
            Theme::FollowSystem => ThemePreference::System,
        }
    }
}

/// What the window remembers about settings between frames.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SettingsView {
    /// The settings window is shown.
    pub open: bool,
    /// The core's settings the draft started from.
    base: Option<Settings>,
    /// The settings as the user is editing them.
    draft: Settings,
    /// The looks last applied to the window.
    applied: Option<Looks>,
    /// The presence chosen under "Sign in as" was set for this sign-in (or needs no setting).
    pub sign_in_as_applied: bool,
    /// The page shown.
    pub page: SettingsPage,
    /// The autostart entry and the registered applications.
    pub files: files::SettingsFilesView,
}

impl SettingsView {
    /// The settings being edited: a fresh copy whenever the core reports new ones.
    pub fn draft(&mut self, confirmed: &Settings) -> &mut Settings {
        if self.base.as_ref() != Some(confirmed) {
            self.base = Some(confirmed.clone());
            self.draft = confirmed.clone();
        }
        &mut self.draft
    }

    /// The command that saves the draft.
    pub fn save(&self) -> Command {
        Command::SaveSettings {
            settings: self.draft.clone(),
        }
    }
}

/// Applies the theme and text size the core confirmed, only when they changed (so a zoom
/// the user made with Ctrl+Plus stays until the setting changes).
pub fn apply_looks(ctx: &Context, settings: &Settings, view: &mut SettingsView) {
    let looks = Looks::of(settings);
    if view.applied == Some(looks) {
        return;
    }
    ctx.set_theme(looks.theme_preference());
    ctx.set_zoom_factor(looks.text_scale);
    view.applied = Some(looks);
}

/// Shows the settings window while it is open; sends each change as it is made.
pub fn show(ui: &Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    let settings = &mut view.settings;
    if !settings.open {
        return;
    }
    if settings.files.needs_reading() {
        // The window's logic sends the reads to the worker on the next frame.
        ui.ctx().request_repaint();
    }
    let mut open = true;
    let mut changed = false;
    Window::new(TITLE)
        .id(Id::unique("settings-window"))
        .open(&mut open)
        .collapsible(false)
        .default_width(theme::SETTINGS_WIDTH)
        .default_height(theme::SETTINGS_HEIGHT)
        .show(ui.ctx(), |ui| {
            ui.horizontal(|ui| {
                let page = &mut settings.page;
                ui.selectable_value(page, SettingsPage::General, GENERAL_PAGE);
                ui.selectable_value(page, SettingsPage::Applications, applications::PAGE);
            });
            ui.separator();
            ScrollArea::vertical()
                .id_salt("settings-scroll")
                .auto_shrink([true, false])
                .show(ui, |ui| match settings.page {
                    SettingsPage::General => {
                        changed = controls(ui, settings.draft(&state.settings));
                        startup::section(ui, &mut settings.files);
                    }
                    SettingsPage::Applications => applications::page(ui, &mut settings.files),
                });
        });
    settings.open = open;
    if changed {
        send(commands, settings.save());
    }
}

/// Every setting; returns whether one changed and should be saved now.
fn controls(ui: &mut Ui, settings: &mut Settings) -> bool {
    let mut changed = false;
    section(ui, "Desktop notifications");
    let notify = &mut settings.notifications;
    changed |= ui
        .checkbox(&mut notify.messages, "Notify me of new messages")
        .changed();
    changed |= ui
        .checkbox(
            &mut notify.contacts_online,
            "Notify me when contacts come online",
        )
        .changed();
    changed |= ui
        .checkbox(&mut notify.invitations, "Notify me of invitations")
        .changed();
    changed |= ui
        .checkbox(&mut notify.nudges, "Notify me of nudges")
        .changed();

    section(ui, "Sounds");
    let sounds = &mut settings.sounds;
    changed |= ui.checkbox(&mut sounds.enabled, "Play sounds").changed();
    ui.add_enabled_ui(sounds.enabled, |ui| {
        changed |= ui
            .checkbox(&mut sounds.new_message, "Sound for new messages")
            .changed();
        changed |= ui
            .checkbox(
                &mut sounds.contact_online,
                "Sound when contacts come online",
            )
            .changed();
        changed |= ui.checkbox(&mut sounds.nudge, "Sound for nudges").changed();
    });

    section(ui, "Conversations");
    let layout = &mut settings.conversations;
    changed |= ui
        .radio_value(
            layout,
            ConversationLayout::Windows,
            "Each in its own window",
        )
        .changed();
    changed |= ui
        .radio_value(
            layout,
            ConversationLayout::Tabs,
            "All in one window, as tabs",
        )
        .changed();
    changed |= ui
        .checkbox(
            &mut settings.open_conversation_on_message,
            "Open a conversation when a message arrives",
        )
        .changed();
    changed |= ui
        .checkbox(&mut settings.shake_on_nudge, "Shake the window on a nudge")
        .changed();
    changed |= ui
        .checkbox(
            &mut settings.run_in_tray,
            "Keep running in the tray when the contact list is closed",
        )
        .changed();

    changed |= looks(ui, settings);

    section(ui, "Who may invite me to programs");
    let policy = &mut settings.invite_policy;
    changed |= ui
        .radio_value(
            policy,
            InvitePolicy::TrustedContacts,
            "Trusted contacts only",
        )
        .on_hover_text("Contacts who share their presence with you and see yours")
        .changed();
    changed |= ui
        .radio_value(policy, InvitePolicy::Anyone, "Anyone")
        .changed();
    changed |= ui
        .radio_value(policy, InvitePolicy::Nobody, "Nobody")
        .changed();

    section(ui, "Signing in");
    changed | sign_in_preferences(ui, settings)
}

/// Theme and text size; the slider saves when it is let go, not at every step of a drag.
fn looks(ui: &mut Ui, settings: &mut Settings) -> bool {
    let mut changed = false;
    section(ui, "Theme");
    let chosen = &mut settings.theme;
    changed |= ui.radio_value(chosen, Theme::Light, "Light").changed();
    changed |= ui.radio_value(chosen, Theme::Dark, "Dark").changed();
    changed |= ui
        .radio_value(chosen, Theme::FollowSystem, "Follow system")
        .changed();
    let label = ui.label(theme::semibold("Text size"));
    let (low, high) = theme::TEXT_SCALE_RANGE;
    let slider = ui
        .add(
            Slider::new(&mut settings.text_scale, low..=high)
                .step_by(theme::TEXT_SCALE_STEP)
                .custom_formatter(|value, _| format!("{:.0}%", value * 100.0))
                .custom_parser(|text| {
                    let number = text.trim().trim_end_matches('%').trim().parse::<f64>();
                    number.ok().map(|percent| percent / 100.0)
                }),
        )
        .labelled_by(label.id);
    changed | slider.drag_stopped() | (slider.changed() && !slider.dragged())
}

/// "Sign me in automatically" and "Sign in as"; returns whether one changed.
pub fn sign_in_preferences(ui: &mut Ui, settings: &mut Settings) -> bool {
    // "Sign in as" first, as Messenger's sign-in screen had it, then the switch.
    let mut changed = false;
    ComboBox::from_label("Sign in as")
        .selected_text(own_label(settings.sign_in_as))
        .show_ui(ui, |ui| {
            for availability in OWN_CHOICES {
                changed |= ui
                    .selectable_value(
                        &mut settings.sign_in_as,
                        availability,
                        own_label(availability),
                    )
                    .changed();
            }
        });
    changed |= ui
        .checkbox(
            &mut settings.sign_in_automatically,
            "Sign me in automatically",
        )
        .on_hover_text("When Nudge starts, if your password is remembered")
        .changed();
    changed
}

fn section(ui: &mut Ui, title: &str) {
    ui.add_space(theme::SECTION_GAP);
    ui.label(theme::semibold(title).color(theme::colours(ui).accent_text));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_draft_follows_the_core_until_edited_and_after_each_report() {
        let mut view = SettingsView::default();
        let confirmed = Settings::default();
        view.draft(&confirmed).shake_on_nudge = false;
        assert!(!view.draft(&confirmed).shake_on_nudge, "an edit is kept");
        let Command::SaveSettings { settings } = view.save() else {
            panic!("SaveSettings");
        };
        assert!(!settings.shake_on_nudge);
        let reported = Settings {
            run_in_tray: false,
            ..Settings::default()
        };
        let draft = view.draft(&reported);
        assert!(
            draft.shake_on_nudge && !draft.run_in_tray,
            "the core's word wins"
        );
    }

    #[test]
    fn text_size_is_kept_in_range() {
        let scaled = |text_scale| {
            Looks::of(&Settings {
                text_scale,
                ..Settings::default()
            })
            .text_scale
        };
        assert_eq!(scaled(1.5), 1.5);
        assert_eq!(scaled(9.0), 2.0);
        assert_eq!(scaled(0.1), 0.75);
        assert_eq!(scaled(f32::NAN), 1.0);
    }
}
