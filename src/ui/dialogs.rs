//! Dialogs over the window: an invitation the user opened, a contact asking to add the user,
//! and adding a contact.

use egui::{Id, Modal, RichText, TextEdit, Ui};

use super::{invitation, labelled_field, send, theme};
use crate::command::Command;
use crate::core::CommandSender;
use crate::state::AppState;
use crate::ui::view::ViewState;

/// Shows the dialog that needs the user most: an invitation they opened, a subscription
/// request, then "Add contact".
pub fn show(ui: &mut Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    if view.sessions.dialog_session(state).is_some() {
        invitation::show(ui, state, view, commands);
    } else if let Some(jid) = view.pending_request(state) {
        subscription_request(ui, jid, view, commands);
    } else if view.add_contact.is_some() {
        add_contact(ui, view, commands);
    }
}

fn subscription_request(ui: &mut Ui, jid: &str, view: &mut ViewState, commands: &CommandSender) {
    let mut answer = None;
    Modal::new(Id::unique("subscription-request")).show(ui.ctx(), |ui| {
        ui.heading(format!("{jid} wants to add you"));
        ui.label("If you allow it, they will see when you are online and you will see them.");
        ui.add_space(theme::SMALL_GAP);
        ui.horizontal(|ui| {
            if ui.button("Allow").clicked() {
                answer = Some(Command::ApproveSubscription {
                    jid: jid.to_string(),
                });
            }
            if ui.button("Block").clicked() {
                answer = Some(Command::DenySubscription {
                    jid: jid.to_string(),
                });
            }
        });
    });
    if let Some(command) = answer {
        view.answered_requests.insert(jid.to_string());
        send(commands, command);
    }
}

fn add_contact(ui: &mut Ui, view: &mut ViewState, commands: &CommandSender) {
    let Some(form) = view.add_contact.as_mut() else {
        return;
    };
    let mut close = false;
    let modal = Modal::new(Id::unique("add-contact")).show(ui.ctx(), |ui| {
        ui.heading("Add a contact");
        labelled_field(
            ui,
            "Contact's address",
            TextEdit::singleline(&mut form.jid).hint_text("bob@example.org"),
        );
        labelled_field(ui, "Name (optional)", TextEdit::singleline(&mut form.name));
        if let Some(error) = &form.error {
            ui.label(RichText::new(error.to_string()).color(theme::ERROR));
        }
        ui.horizontal(|ui| {
            if ui.button("Add").clicked() {
                if let Some(command) = form.command() {
                    send(commands, command);
                    close = true;
                }
            }
            if ui.button("Cancel").clicked() {
                close = true;
            }
        });
    });
    if close || modal.should_close() {
        view.add_contact = None;
    }
}
