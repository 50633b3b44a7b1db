//! The top of the contact list: the user's display picture (click it to change it), name,
//! presence selector and status message, which is edited in place (click it, type, Enter
//! saves, Escape cancels).

use egui::{Button, ComboBox, Key, RichText, TextEdit, Ui};

use super::super::{avatar, send, theme};
use crate::command::Command;
use crate::core::CommandSender;
use crate::model::{bare_jid, Availability, ConnectionState};
use crate::state::AppState;
use crate::ui::view::ViewState;

/// Availabilities the user can choose for themselves, in menu order.
pub const OWN_CHOICES: [Availability; 4] = [
    Availability::Online,
    Availability::Busy,
    Availability::Away,
    Availability::AppearOffline,
];

/// The words for one's own presence (MSN's "Be right back" is XMPP's away).
pub fn own_label(availability: Availability) -> &'static str {
    match availability {
        Availability::Away => "Be right back / Away",
        other => other.label(),
    }
}

/// Shown in place of the status message while there is none; click it to write one.
pub const STATUS_PLACEHOLDER: &str = "Set a status message";

/// The name shown for the user: the local part of their address.
pub fn own_name(jid: &str) -> &str {
    jid.split_once('@').map_or(jid, |(local, _)| local)
}

/// Draws the user's picture, name, the Settings and Sign out buttons, presence and status
/// message, and the "Change display picture" dialog while it is open.
pub fn show(ui: &mut Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    let me = match &state.connection {
        ConnectionState::Online { jid } => bare_jid(jid),
        _ => view.sign_in.jid.trim().to_string(),
    };
    let picture = state.avatars.get(&me);
    // As in Messenger: the picture, with the name and the personal message beside it.
    ui.horizontal(|ui| {
        if avatar::own_button(ui, picture) {
            avatar::open_dialog(ui.ctx());
        }
        ui.vertical(|ui| {
            ui.horizontal(|ui| {
                ui.strong(own_name(&me));
                ui.label(RichText::new(&me).small().color(theme::HINT));
            });
            status_message(ui, state, view, commands);
        });
    });
    buttons(ui, state, view, commands);
    ui.add_space(theme::SMALL_GAP);
    avatar::dialog(ui.ctx(), picture, commands);
}

/// The presence selector, Settings and Sign out.
fn buttons(ui: &mut Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    ui.horizontal(|ui| {
        if let Some(availability) = presence_selector(ui, state.own_availability) {
            send(
                commands,
                Command::SetPresence {
                    availability,
                    status: state.own_status.clone(),
                },
            );
        }
        if ui.button("Settings").clicked() {
            view.settings.open = true;
        }
        if ui.button("Sign out").clicked() {
            send(commands, Command::SignOut);
        }
    });
}

/// The "My status" menu; returns a newly chosen availability.
fn presence_selector(ui: &mut Ui, current: Availability) -> Option<Availability> {
    let mut chosen = None;
    ComboBox::from_label("My status")
        .selected_text(own_label(current))
        .show_ui(ui, |ui| {
            for availability in OWN_CHOICES {
                let selected = availability == current;
                if ui
                    .selectable_label(selected, own_label(availability))
                    .clicked()
                    && !selected
                {
                    chosen = Some(availability);
                }
            }
        });
    chosen
}

fn status_message(ui: &mut Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    let editing = &mut view.contacts;
    if !editing.editing_status {
        let (text, colour) = match state.own_status.as_deref().filter(|s| !s.is_empty()) {
            Some(status) => (status, theme::STATUS_TEXT),
            None => (STATUS_PLACEHOLDER, theme::HINT),
        };
        let shown = ui
            .add(Button::new(RichText::new(text).italics().color(colour)).frame(false))
            .on_hover_text("Click to change your status message");
        if shown.clicked() {
            view.status_draft = state.own_status.clone().unwrap_or_default();
            editing.editing_status = true;
            editing.focus_status = true;
        }
        return;
    }
    let field = ui
        .add(
            TextEdit::singleline(&mut view.status_draft)
                .hint_text("What are you up to?")
                .desired_width(f32::INFINITY),
        )
        .accessible_name("Status message");
    if std::mem::take(&mut editing.focus_status) {
        field.request_focus();
        return;
    }
    if !field.lost_focus() {
        return;
    }
    // Enter saves; Escape or clicking elsewhere leaves the status as it was.
    editing.editing_status = false;
    if ui.input(|i| i.key_pressed(Key::Enter)) {
        let status = Some(view.status_draft.trim().to_string()).filter(|s| !s.is_empty());
        let availability = match state.own_availability {
            Availability::Offline => Availability::Online,
            other => other,
        };
        send(
            commands,
            Command::SetPresence {
                availability,
                status,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_own_name_is_the_local_part() {
        assert_eq!(own_name("alice@example.org"), "alice");
        assert_eq!(own_name("example.org"), "example.org");
    }

    #[test]
    fn away_reads_as_be_right_back_and_each_choice_differs() {
        let labels = OWN_CHOICES.map(own_label);
        assert_eq!(
            labels,
            ["Online", "Busy", "Be right back / Away", "Appear offline"]
        );
    }
}
