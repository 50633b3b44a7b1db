//! The contact list: who the user is, their presence, and their contacts sorted by presence.

use egui::{
    vec2, Button, CentralPanel, ComboBox, Panel, RichText, ScrollArea, Sense, TextEdit, Ui,
};

use super::{connection_banner, invite, labelled_field, send, theme};
use crate::command::Command;
use crate::core::CommandSender;
use crate::model::{bare_jid, AppInfo, Availability, ConnectionState};
use crate::state::{AppState, ContactEntry};
use crate::ui::view::{AddContactForm, ViewState};

/// Availabilities the user can choose for themselves.
const OWN_CHOICES: [Availability; 4] = [
    Availability::Online,
    Availability::Busy,
    Availability::Away,
    Availability::AppearOffline,
];

/// What the user asked for in the list, done after drawing it.
enum Action {
    Open(String),
    Remove(String),
    /// Invite the contact to the application with this GUID.
    Invite(String, String),
}

/// Draws the contact list screen.
pub fn show(ui: &mut Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    Panel::top("own-presence").show(ui, |ui| own_presence(ui, state, view, commands));
    CentralPanel::default().show(ui, |ui| {
        connection_banner(ui, &state.connection);
        problems(ui, state, view);
        ui.horizontal(|ui| {
            ui.add(
                TextEdit::singleline(&mut view.search)
                    .hint_text("Search contacts")
                    .desired_width(ui.available_width() - 100.0),
            )
            .accessible_name("Search contacts");
            if ui.button("Add contact").clicked() {
                view.add_contact = Some(AddContactForm::default());
            }
        });
        ui.add_space(theme::SMALL_GAP);
        if let Some(action) = list(ui, state, view) {
            match action {
                Action::Open(jid) => send(commands, view.open(&jid)),
                Action::Remove(jid) => send(commands, Command::RemoveContact { jid }),
                Action::Invite(jid, app_guid) => {
                    send(commands, invite::invite_command(&jid, app_guid));
                    // The conversation shows the invitation waiting, with its Cancel button.
                    send(commands, view.open(&jid));
                }
            }
        }
    });
}

fn own_presence(ui: &mut Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    let me = match &state.connection {
        ConnectionState::Online { jid } => bare_jid(jid),
        _ => view.sign_in.jid.clone(),
    };
    ui.horizontal(|ui| {
        ui.strong(me);
        if ui.button("Sign out").clicked() {
            send(commands, Command::SignOut);
        }
    });
    if !view.status_dirty {
        view.status_draft = state.own_status.clone().unwrap_or_default();
    }
    let mut chosen = None;
    ComboBox::from_label("My status")
        .selected_text(state.own_availability.label())
        .show_ui(ui, |ui| {
            for availability in OWN_CHOICES {
                let current = availability == state.own_availability;
                if ui.selectable_label(current, availability.label()).clicked() {
                    chosen = Some(availability);
                }
            }
        });
    let field = labelled_field(
        ui,
        "Status message",
        TextEdit::singleline(&mut view.status_draft).hint_text("What are you up to?"),
    );
    if field.changed() {
        view.status_dirty = true;
    }
    let applied = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    if applied {
        chosen = chosen.or(Some(match state.own_availability {
            Availability::Offline => Availability::Online,
            other => other,
        }));
    }
    if let Some(availability) = chosen {
        let status = Some(view.status_draft.trim().to_string()).filter(|s| !s.is_empty());
        view.status_dirty = false;
        send(
            commands,
            Command::SetPresence {
                availability,
                status,
            },
        );
    }
    ui.add_space(theme::SMALL_GAP);
}

fn problems(ui: &mut Ui, state: &AppState, view: &mut ViewState) {
    let shown = state
        .problems
        .get(view.dismissed_problems..)
        .unwrap_or_default();
    if shown.is_empty() {
        return;
    }
    for problem in shown {
        ui.label(RichText::new(problem).color(theme::WARNING));
    }
    if ui.button("Dismiss").clicked() {
        view.dismissed_problems = state.problems.len();
    }
}

/// Whether a contact matches the search text (name or address, ignoring case).
pub fn matches(entry: &ContactEntry, query: &str) -> bool {
    let query = query.trim().to_lowercase();
    query.is_empty()
        || entry.contact.jid.to_lowercase().contains(&query)
        || entry.contact.display_name().to_lowercase().contains(&query)
}

fn list(ui: &mut Ui, state: &AppState, view: &ViewState) -> Option<Action> {
    let shown: Vec<&ContactEntry> = state
        .sorted_contacts()
        .into_iter()
        .filter(|entry| matches(entry, &view.search))
        .collect();
    if shown.is_empty() {
        ui.label(if state.contacts.is_empty() {
            "No contacts yet. Add one to start chatting."
        } else {
            "No contact matches the search."
        });
        return None;
    }
    let mut action = None;
    ScrollArea::vertical()
        .id_salt("contact-list")
        .auto_shrink(false)
        .show_rows(ui, theme::CONTACT_ROW_HEIGHT, shown.len(), |ui, range| {
            for entry in &shown[range] {
                let unread = state
                    .conversations
                    .get(&entry.contact.jid)
                    .map_or(0, |c| c.unread);
                let selected = view.selected.as_deref() == Some(entry.contact.jid.as_str());
                if let Some(a) = row(ui, entry, &state.apps, unread, selected) {
                    action = Some(a);
                }
            }
        });
    action
}

fn row(
    ui: &mut Ui,
    entry: &ContactEntry,
    apps: &[AppInfo],
    unread: usize,
    selected: bool,
) -> Option<Action> {
    let jid = &entry.contact.jid;
    let mut action = None;
    ui.allocate_ui(
        vec2(ui.available_width(), theme::CONTACT_ROW_HEIGHT),
        |ui| {
            ui.horizontal(|ui| {
                presence_dot(ui, entry.availability());
                ui.vertical(|ui| {
                    let name = ui.add(Button::selectable(selected, entry.contact.display_name()));
                    if name.clicked() || name.double_clicked() {
                        action = Some(Action::Open(jid.clone()));
                    }
                    name.context_menu(|ui| {
                        if ui.button("Send message").clicked() {
                            action = Some(Action::Open(jid.clone()));
                        }
                        ui.menu_button(invite::MENU_LABEL, |ui| {
                            if let Some(guid) = invite::menu(ui, apps) {
                                action = Some(Action::Invite(jid.clone(), guid));
                            }
                        });
                        if ui.button("Remove").clicked() {
                            action = Some(Action::Remove(jid.clone()));
                        }
                    });
                    if let Some(status) = entry.status() {
                        ui.label(RichText::new(status).small().color(theme::HINT));
                    }
                });
                if unread > 0 {
                    ui.label(
                        RichText::new(format!("{unread} new"))
                            .strong()
                            .color(theme::UNREAD),
                    );
                }
            });
        },
    );
    action
}

/// A coloured dot for an availability, named by it for screen readers and tooltips.
pub fn presence_dot(ui: &mut Ui, availability: Availability) {
    let size = vec2(
        theme::PRESENCE_DOT_RADIUS * 2.0,
        theme::PRESENCE_DOT_RADIUS * 2.0,
    );
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    ui.painter().circle_filled(
        rect.center(),
        theme::PRESENCE_DOT_RADIUS,
        theme::presence_colour(availability),
    );
    response.on_hover_text(availability.label());
}
