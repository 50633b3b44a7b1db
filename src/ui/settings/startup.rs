//! "Starting Nudge" in the settings: start on login, optionally hidden in the tray.
//!
//! The switches show the autostart entry as the worker last read it and queue a change; they
//! stay greyed out while a change is on its way, so two clicks cannot cross.

use egui::{RichText, Ui};

use super::files::SettingsFilesView;
use crate::platform::autostart::AutostartState;
use crate::platform::settings_files::FileJob;
use crate::ui::theme;

/// The section's title.
pub const TITLE: &str = "Starting Nudge";
/// The switch that writes or removes the autostart entry.
pub const START_ON_LOGIN: &str = "Start Nudge when I log in";
/// The switch that adds `--hidden` to the entry.
pub const START_HIDDEN: &str = "Start hidden in the tray";

/// The two switches, or why they are not available here.
pub fn section(ui: &mut Ui, files: &mut SettingsFilesView) {
    super::section(ui, TITLE);
    if !files.available {
        ui.label(RichText::new("Not available in this window.").color(theme::colours(ui).muted));
        return;
    }
    let startup = &mut files.startup;
    let Some(current) = startup.state else {
        match &startup.error {
            Some(error) => ui.label(RichText::new(error).color(theme::colours(ui).muted)),
            None => ui.label(RichText::new("Reading…").color(theme::colours(ui).muted)),
        };
        return;
    };
    let mut wanted = current;
    ui.add_enabled_ui(!startup.waiting, |ui| {
        ui.checkbox(&mut wanted.enabled, START_ON_LOGIN)
            .on_hover_text("Adds Nudge to your desktop's startup applications");
        ui.add_enabled_ui(wanted.enabled, |ui| {
            ui.checkbox(&mut wanted.hidden, START_HIDDEN).on_hover_text(
                "Only the tray icon shows; where there is no tray, the window opens",
            );
        });
    });
    if let Some(error) = &startup.error {
        ui.label(RichText::new(error).color(theme::colours(ui).error));
    }
    if wanted != current {
        // Switching off forgets "hidden" too, so switching on again starts with the window.
        let wanted = AutostartState {
            hidden: wanted.enabled && wanted.hidden,
            ..wanted
        };
        startup.waiting = true;
        files.queue(FileJob::SetAutostart(wanted));
        ui.ctx().request_repaint();
    }
}
