//! The settings' Applications page: the registered Session Invite applications with their
//! GUID, name, program and download page; Register… (a form, with the desktop's file dialog
//! for the program) and Unregister.
//!
//! The page only queues jobs: registering goes through the same registry code as
//! `nudge apps register` on the settings worker's thread, and the list is read back from the
//! folder, so it always shows what the Invite menu offers.

use egui::{Button, RichText, TextEdit, Ui};

use super::files::{new_guid, SettingsFilesView};
use crate::apps::Registration;
use crate::platform::settings_files::FileJob;
use crate::ui::{labelled_field, theme};

/// The page's tab.
pub const PAGE: &str = "Applications";
/// The button that opens the Register form.
pub const REGISTER_OPEN: &str = "Register…";
/// The form's fields.
pub const GUID_FIELD: &str = "GUID";
/// The name shown in the Invite menu.
pub const NAME_FIELD: &str = "Name";
/// The program's path.
pub const PROGRAM_FIELD: &str = "Program";
/// The download page.
pub const URL_FIELD: &str = "Download page";
/// Fills the GUID field with a fresh one.
pub const NEW_GUID: &str = "New GUID";
/// Opens the desktop's file dialog for the program.
pub const BROWSE: &str = "Browse…";
/// Lets a registration replace one with the same GUID.
pub const REPLACE: &str = "Replace the application with this GUID";
/// Sends the form.
pub const REGISTER: &str = "Register";
/// Closes the form, keeping nothing.
pub const CANCEL: &str = "Cancel";

/// The label of the button that unregisters `name`.
pub fn unregister_label(name: &str) -> String {
    format!("Unregister {name}")
}

/// Draws the page.
pub fn page(ui: &mut Ui, files: &mut SettingsFilesView) {
    if !files.available {
        ui.label(RichText::new("Not available in this window.").color(theme::colours(ui).muted));
        return;
    }
    ui.label(
        "Programs you can invite contacts to from the Invite menu. \
         Contacts need the same program, registered with the same GUID.",
    );
    let mut unregister = None;
    let page = &mut files.applications;
    match &page.apps {
        None => {
            ui.label(RichText::new("Reading…").color(theme::colours(ui).muted));
        }
        Some(apps) if apps.is_empty() => {
            ui.label(
                RichText::new("No applications are registered yet.")
                    .color(theme::colours(ui).muted),
            );
        }
        Some(apps) => {
            for app in apps {
                if application(ui, app, !page.waiting) {
                    unregister = Some(app.guid.clone());
                }
            }
        }
    }
    for problem in &page.problems {
        ui.label(RichText::new(format!("Skipped {problem}")).color(theme::colours(ui).warning));
    }
    if let Some(message) = &page.message {
        let (text, colour) = match message {
            Ok(done) => (done.as_str(), theme::colours(ui).muted),
            Err(refused) => (refused.as_str(), theme::colours(ui).error),
        };
        ui.label(RichText::new(sentence(text)).color(colour));
    }
    if let Some(guid) = unregister {
        page.waiting = true;
        page.message = None;
        files.queue(FileJob::Unregister(guid));
        ui.ctx().request_repaint();
    }
    ui.add_space(theme::SECTION_GAP);
    register_form(ui, files);
}

/// One registered application; answers whether its Unregister button was clicked.
fn application(ui: &mut Ui, app: &Registration, enabled: bool) -> bool {
    let mut clicked = false;
    ui.group(|ui| {
        ui.label(theme::semibold(&app.name));
        ui.label(format!("GUID: {}", app.guid));
        let program = app.path.display();
        if app.is_installed() {
            ui.label(format!("Program: {program}"));
        } else {
            ui.label(format!("Program: {program} (not installed here)"));
        }
        ui.label(format!("Download page: {}", app.download_url));
        clicked = ui
            .add_enabled(enabled, Button::new(unregister_label(&app.name)))
            .clicked();
    });
    clicked
}

/// The Register… button, or the form it opens.
fn register_form(ui: &mut Ui, files: &mut SettingsFilesView) {
    let page = &mut files.applications;
    if !page.form_open {
        if ui.button(REGISTER_OPEN).clicked() {
            page.form_open = true;
            page.message = None;
        }
        return;
    }
    ui.label(theme::semibold("Register an application"));
    let form = &mut page.form;
    let width = theme::FORM_FIELD_WIDTH;
    labelled_field(
        ui,
        GUID_FIELD,
        TextEdit::singleline(&mut form.guid)
            .hint_text("{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}")
            .desired_width(width),
    );
    if ui
        .button(NEW_GUID)
        .on_hover_text("For a program of your own; to match a contact's program, use its GUID")
        .clicked()
    {
        form.guid = new_guid();
    }
    labelled_field(
        ui,
        NAME_FIELD,
        TextEdit::singleline(&mut form.name).desired_width(width),
    );
    labelled_field(
        ui,
        PROGRAM_FIELD,
        TextEdit::singleline(&mut form.program)
            .hint_text("/usr/bin/program")
            .desired_width(width),
    );
    let mut browse = false;
    ui.add_enabled_ui(!page.choosing, |ui| {
        browse = ui.button(BROWSE).clicked();
    });
    let form = &mut page.form;
    labelled_field(
        ui,
        URL_FIELD,
        TextEdit::singleline(&mut form.download_url)
            .hint_text("https://")
            .desired_width(width),
    );
    ui.checkbox(&mut form.replace, REPLACE);
    if let Some(error) = &form.error {
        ui.label(RichText::new(sentence(error)).color(theme::colours(ui).error));
    }
    let mut send = false;
    let mut cancel = false;
    ui.horizontal(|ui| {
        send = ui
            .add_enabled(!page.waiting, Button::new(REGISTER))
            .clicked();
        cancel = ui.button(CANCEL).clicked();
    });
    if browse {
        page.choosing = true;
        files.queue(FileJob::PickProgram);
        ui.ctx().request_repaint();
    } else if cancel {
        page.form = Default::default();
        page.form_open = false;
    } else if send {
        match page.form.registration() {
            Ok(registration) => {
                page.form.error = None;
                page.waiting = true;
                let replace = page.form.replace;
                files.queue(FileJob::Register {
                    registration,
                    replace,
                });
                ui.ctx().request_repaint();
            }
            // Refused before it reaches the disk; every field keeps what was typed.
            Err(error) => page.form.error = Some(error.to_string()),
        }
    }
}

/// An error or notice as a sentence: a capital letter first and a full stop at the end.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}
