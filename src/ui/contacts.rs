//! The contact list: who the user is, their presence, and their contacts by roster group.

mod edit;
mod groups;
mod own;

use egui::{
    vec2, Button, CentralPanel, CollapsingHeader, Id, Panel, RichText, ScrollArea, Sense, TextEdit,
    Ui, UiBuilder,
};

use super::{connection_banner, invite, send, signin, theme, words};
use crate::command::Command;
use crate::core::CommandSender;
use crate::model::{AppInfo, Availability, BareJid};
use crate::state::{AppState, ContactEntry};
use crate::ui::view::{AddContactForm, ViewState};
pub use edit::{ContactDialog, ContactsView, MoveForm, RenameForm};
pub use groups::{group_names, GroupKey, Header, Row, RowCache};
pub use own::{own_label, OWN_CHOICES};

/// What the user asked for in the list, done after drawing it.
enum Action {
    Open(BareJid),
    Toggle(GroupKey),
    /// Invite the contact to the application with this GUID.
    Invite(BareJid, String),
    Dialog(ContactDialog),
    Block(BareJid),
    Unblock(BareJid),
}

/// What one contact's row needs to know besides the contact.
struct RowFacts<'a> {
    apps: &'a [AppInfo],
    avatar: Option<&'a crate::model::Avatar>,
    unread: usize,
    selected: bool,
    blocked: bool,
}

/// Draws the contact list screen.
pub fn show(ui: &mut Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    signin::after_sign_in(state, view, commands);
    Panel::top("own-presence").show(ui, |ui| own::show(ui, state, view, commands));
    CentralPanel::default().show(ui, |ui| {
        connection_banner(ui, &state.connection);
        problems(ui, state, view);
        ui.horizontal(|ui| {
            ui.add(
                TextEdit::singleline(&mut view.search)
                    .hint_text("Search contacts")
                    .desired_width(ui.available_width() - theme::ADD_CONTACT_WIDTH),
            )
            .accessible_name("Search contacts");
            if ui.button("Add contact").clicked() {
                view.add_contact = Some(AddContactForm::default());
            }
        });
        ui.add_space(theme::SMALL_GAP);
        let Some(action) = list(ui, state, view) else {
            return;
        };
        match action {
            Action::Open(jid) => send(commands, view.open(&jid)),
            Action::Toggle(key) => view.contacts.toggle(&key),
            Action::Invite(jid, app_guid) => {
                send(commands, invite::invite_command(&jid, app_guid));
                // The conversation shows the invitation waiting, with its Cancel button.
                send(commands, view.open(&jid));
            }
            Action::Dialog(dialog) => view.contacts.dialog = Some(dialog),
            Action::Block(jid) => send(commands, Command::BlockContact { jid }),
            Action::Unblock(jid) => send(commands, Command::UnblockContact { jid }),
        }
    });
}

fn problems(ui: &mut Ui, state: &AppState, view: &mut ViewState) {
    let shown: Vec<_> = state.problems_since(view.dismissed_problems).collect();
    if shown.is_empty() {
        return;
    }
    for problem in shown {
        ui.label(RichText::new(words::problem(problem)).color(theme::WARNING));
    }
    if ui.button("Dismiss").clicked() {
        view.dismissed_problems = state.problems_reported;
    }
}

fn list(ui: &mut Ui, state: &AppState, view: &mut ViewState) -> Option<Action> {
    let count = view
        .contact_rows
        .update(state, &view.search, &view.contacts.collapsed);
    if count == 0 {
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
        .show_rows(ui, theme::CONTACT_ROW_HEIGHT, count, |ui, range| {
            for row in range.filter_map(|i| view.contact_rows.row(state, i)) {
                // Every row has the same height, so the scroll area knows where each one is.
                let (rect, _) = ui.allocate_exact_size(
                    vec2(ui.available_width(), theme::CONTACT_ROW_HEIGHT),
                    Sense::hover(),
                );
                // An id of its own keeps a row's widgets (an open menu) as the list scrolls.
                let id = match &row {
                    Row::Header(header) => Id::unique(("contact-group", &header.key)),
                    Row::Contact { entry, section } => {
                        Id::unique(("contact-row", section, &entry.contact.jid))
                    }
                };
                let mut row_ui = ui.new_child(UiBuilder::new().max_rect(rect).scope_id(id));
                let chosen = match &row {
                    Row::Header(header) => group_header(&mut row_ui, header),
                    Row::Contact { entry, .. } => {
                        let facts = RowFacts {
                            apps: &state.apps,
                            avatar: state.avatars.get(&entry.contact.jid),
                            unread: state
                                .conversations
                                .get(&entry.contact.jid)
                                .map_or(0, |c| c.unread),
                            selected: view.selected.as_ref() == Some(&entry.contact.jid),
                            blocked: state.blocked.binary_search(&entry.contact.jid).is_ok(),
                        };
                        contact_row(&mut row_ui, entry, &facts)
                    }
                };
                if chosen.is_some() {
                    action = chosen;
                }
            }
        });
    action
}

fn group_header(ui: &mut Ui, header: &Header) -> Option<Action> {
    ui.add_space(theme::GROUP_HEADER_TOP_GAP);
    // The view decides whether it is open: a click only asks for the change.
    let shown = CollapsingHeader::new(RichText::new(header.label()).strong())
        .id_salt(("contact-group", &header.key))
        .open(Some(header.open))
        .show(ui, |_| {});
    shown
        .header_response
        .clicked()
        .then(|| Action::Toggle(header.key.clone()))
}

fn contact_row(ui: &mut Ui, entry: &ContactEntry, facts: &RowFacts<'_>) -> Option<Action> {
    let mut action = None;
    ui.horizontal(|ui| {
        presence_dot(ui, entry.availability());
        super::avatar::show(
            ui,
            facts.avatar,
            super::avatar::ROW_SIDE,
            entry.contact.jid.as_str(),
        );
        ui.vertical(|ui| {
            ui.horizontal(|ui| {
                let name = ui.add(Button::selectable(facts.selected, entry.display_name()));
                if name.clicked() || name.double_clicked() {
                    action = Some(Action::Open(entry.contact.jid.clone()));
                }
                name.context_menu(|ui| {
                    if let Some(chosen) = context_menu(ui, entry, facts) {
                        action = Some(chosen);
                    }
                });
                if facts.blocked {
                    ui.label(RichText::new("blocked").small().color(theme::BLOCKED))
                        .on_hover_text("Nothing from this contact reaches you");
                }
            });
            if let Some(status) = entry.status() {
                ui.label(RichText::new(status).small().color(theme::HINT));
            }
        });
        if facts.unread > 0 {
            ui.label(
                RichText::new(format!("{} new", facts.unread))
                    .strong()
                    .color(theme::UNREAD),
            );
        }
    });
    action
}

fn context_menu(ui: &mut Ui, entry: &ContactEntry, facts: &RowFacts<'_>) -> Option<Action> {
    let contact = &entry.contact;
    let jid = contact.jid.clone();
    let mut action = None;
    if ui.button("Send message").clicked() {
        action = Some(Action::Open(jid.clone()));
    }
    ui.menu_button(invite::MENU_LABEL, |ui| {
        if let Some(guid) = invite::menu(ui, facts.apps) {
            action = Some(Action::Invite(jid.clone(), guid));
        }
    });
    ui.separator();
    if ui.button("Rename…").clicked() {
        action = Some(Action::Dialog(ContactDialog::Rename(RenameForm::new(
            contact,
        ))));
    }
    if ui.button("Move to group…").clicked() {
        action = Some(Action::Dialog(ContactDialog::Move(MoveForm::new(contact))));
    }
    if ui.button("Remove…").clicked() {
        action = Some(Action::Dialog(ContactDialog::Remove { jid: jid.clone() }));
    }
    if facts.blocked {
        if ui.button("Unblock").clicked() {
            action = Some(Action::Unblock(jid));
        }
    } else if ui.button("Block").clicked() {
        action = Some(Action::Block(jid));
    }
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
