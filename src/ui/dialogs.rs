//! Dialogs over the window: an invitation the user opened, a contact asking to add the user,
//! renaming, moving or removing a contact, adding a contact, and the settings window.

use egui::{Id, Modal, RichText, TextEdit, Ui};

use super::contacts::{group_names, ContactDialog, MoveForm, RenameForm};
use super::{invitation, labelled_field, send, settings, theme};
use crate::command::Command;
use crate::core::CommandSender;
use crate::model::BareJid;
use crate::state::AppState;
use crate::ui::view::ViewState;

/// Shows the dialog that needs the user most: an invitation they opened, a subscription
/// request, a contact's dialog, then "Add contact". The settings window stays beside them.
pub fn show(ui: &mut Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    settings::show(ui, state, view, commands);
    if view.sessions.dialog_session(state).is_some() {
        invitation::show(ui, state, view, commands);
    } else if let Some(jid) = view.pending_request(state).cloned() {
        subscription_request(ui, jid, view, commands);
    } else if view.contacts.dialog.is_some() {
        contact_dialog(ui, state, view, commands);
    } else if view.add_contact.is_some() {
        add_contact(ui, view, commands);
    }
}

fn subscription_request(ui: &mut Ui, jid: BareJid, view: &mut ViewState, commands: &CommandSender) {
    let mut answer = Vec::new();
    Modal::new(Id::unique("subscription-request")).show(ui.ctx(), |ui| {
        ui.heading(format!("{jid} wants to add you"));
        ui.label("If you allow it, they will see when you are online and you will see them.");
        ui.add_space(theme::SMALL_GAP);
        ui.horizontal(|ui| {
            if ui.button("Allow").clicked() {
                answer = vec![Command::ApproveSubscription { jid: jid.clone() }];
            }
            let block = ui
                .button("Block")
                .on_hover_text("Refuse, and receive nothing more from this address");
            if block.clicked() {
                answer = vec![
                    Command::DenySubscription { jid: jid.clone() },
                    Command::BlockContact { jid: jid.clone() },
                ];
            }
        });
    });
    if !answer.is_empty() {
        view.answered_requests.insert(jid);
        for command in answer {
            send(commands, command);
        }
    }
}

/// Rename, move or remove: the contact's dialog, while the contact is still in the roster.
fn contact_dialog(ui: &mut Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    let Some(dialog) = view.contacts.dialog.as_mut() else {
        return;
    };
    let jid = match dialog {
        ContactDialog::Rename(form) => &form.jid,
        ContactDialog::Move(form) => &form.jid,
        ContactDialog::Remove { jid } => jid,
    };
    let Some(entry) = state.contacts.get(jid) else {
        view.contacts.dialog = None;
        return;
    };
    let contact = &entry.contact;
    let mut outcome = None;
    let modal = Modal::new(Id::unique("contact-dialog")).show(ui.ctx(), |ui| {
        ui.set_max_width(theme::DIALOG_WIDTH);
        outcome = match dialog {
            ContactDialog::Rename(form) => rename(ui, form),
            ContactDialog::Move(form) => move_to_group(ui, form, &group_names(state)),
            ContactDialog::Remove { .. } => {
                remove(ui, contact.display_name(), contact.jid.as_str())
            }
        };
    });
    let command = match (outcome, &*dialog) {
        (Some(true), ContactDialog::Rename(form)) => Some(form.command(contact)),
        (Some(true), ContactDialog::Move(form)) => Some(form.command(contact)),
        (Some(true), ContactDialog::Remove { jid }) => {
            Some(Command::RemoveContact { jid: jid.clone() })
        }
        _ => None,
    };
    if let Some(command) = command {
        send(commands, command);
    }
    if outcome.is_some() || modal.should_close() {
        view.contacts.dialog = None;
    }
}

/// OK and Cancel; `Some(true)` for OK, `Some(false)` for Cancel.
fn buttons(ui: &mut Ui, ok: &str) -> Option<bool> {
    let mut chosen = None;
    ui.add_space(theme::SMALL_GAP);
    ui.horizontal(|ui| {
        if ui.button(ok).clicked() {
            chosen = Some(true);
        }
        if ui.button("Cancel").clicked() {
            chosen = Some(false);
        }
    });
    chosen
}

fn rename(ui: &mut Ui, form: &mut RenameForm) -> Option<bool> {
    ui.heading("Rename a contact");
    ui.label(RichText::new(form.jid.as_str()).color(theme::colours(ui).muted));
    let field = labelled_field(
        ui,
        "New name",
        TextEdit::singleline(&mut form.name).hint_text("empty shows the address"),
    );
    let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    buttons(ui, "Rename").or(entered.then_some(true))
}

fn move_to_group(ui: &mut Ui, form: &mut MoveForm, groups: &[String]) -> Option<bool> {
    ui.heading("Move to group");
    ui.label(RichText::new(form.jid.as_str()).color(theme::colours(ui).muted));
    for group in groups {
        ui.radio_value(&mut form.group, group.clone(), group);
    }
    ui.radio_value(&mut form.group, String::new(), "No group");
    labelled_field(
        ui,
        "New group",
        TextEdit::singleline(&mut form.new_group).hint_text("a new group's name"),
    );
    buttons(ui, "Move")
}

fn remove(ui: &mut Ui, name: &str, jid: &str) -> Option<bool> {
    ui.heading("Remove a contact");
    let who = if name == jid {
        jid.to_string()
    } else {
        format!("{name} ({jid})")
    };
    ui.label(format!(
        "Remove {who} from your contacts? You will stop seeing each other's presence."
    ));
    buttons(ui, "Remove")
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
        if !form.groups.is_empty() {
            ui.label(format!("In the group: {}", form.groups.join(", ")));
        }
        if let Some(error) = &form.error {
            ui.label(RichText::new(error.to_string()).color(theme::colours(ui).error));
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
