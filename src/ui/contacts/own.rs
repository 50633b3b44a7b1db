//! The top of the contact list: the user's display picture (click it to change it), name,
//! presence selector and status message, which is edited in place (click it, type, Enter
//! saves, Escape cancels).

use egui::{Button, ComboBox, Key, RichText, Role, TextEdit, Ui, WidgetInfo};

use super::super::{avatar, send, theme};
use crate::command::Command;
use crate::core::CommandSender;
use crate::model::Availability;
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

/// The user's bare JID: the bound one, or (while reconnecting) the account typed on the
/// sign-in screen, when it is a valid address.
pub fn own_jid(state: &AppState, view: &ViewState) -> Option<jid::BareJid> {
    state
        .own_jid()
        .or_else(|| crate::xmpp::parse_bare(view.sign_in.jid.trim()).ok())
}

/// Draws the user's picture, name, the Settings and Sign out buttons, presence and status
/// message, and the "Change display picture" dialog while it is open.
pub fn show(ui: &mut Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    let own = own_jid(state, view);
    let me = own
        .as_ref()
        .map_or_else(|| view.sign_in.jid.trim().to_string(), ToString::to_string);
    let picture = own.as_ref().and_then(|own| state.avatars.get(own));
    // As in Messenger: the picture in its presence frame, with the name and the personal
    // message beside it.
    ui.horizontal(|ui| {
        if avatar::own_button(ui, picture, state.own_availability) {
            avatar::open_dialog(ui.ctx());
        }
        ui.vertical(|ui| {
            ui.spacing_mut().item_spacing.y = 0.0;
            own_display_name(ui, state, view, commands, &me);
            ui.label(RichText::new(&me).small().color(theme::colours(ui).muted));
            status_message(ui, state, view, commands);
        });
    });
    ui.add_space(theme::SMALL_GAP);
    buttons(ui, state, view, commands);
    avatar::dialog(ui.ctx(), picture, commands);
}

/// The presence selector, Settings and Sign out.
fn buttons(ui: &mut Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    // Wrapped: a narrow contact list puts the buttons on a second line rather than cut them.
    ui.horizontal_wrapped(|ui| {
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

/// The label of the presence menu: its name for screen readers and tests, and its tooltip (the
/// menu shows only the presence, as Messenger's did).
pub const PRESENCE_MENU_LABEL: &str = "My status";

/// The "My status" menu; returns a newly chosen availability.
fn presence_selector(ui: &mut Ui, current: Availability) -> Option<Availability> {
    let mut chosen = None;
    let menu = ComboBox::from_id_salt(PRESENCE_MENU_LABEL)
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
    menu.response
        .widget_info(|| WidgetInfo::labeled(Role::ComboBox, true, PRESENCE_MENU_LABEL));
    menu.response.on_hover_text(PRESENCE_MENU_LABEL);
    chosen
}

/// Which line of the header is being edited in place.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EditingOwn {
    /// Neither.
    #[default]
    Nothing,
    /// The display name.
    Name,
    /// The status message.
    Status,
}

/// Shown in place of the name while it is being edited.
pub const NAME_FIELD_LABEL: &str = "Display name";

/// Shown in place of the status message while it is being edited.
pub const STATUS_FIELD_LABEL: &str = "Status message";

/// One line of the header that turns into a text field when clicked: Enter gives the new text
/// (trimmed; `None` when blank), Escape or clicking elsewhere leaves it as it was.
struct InPlace<'a> {
    which: EditingOwn,
    shown: RichText,
    hover: &'a str,
    field_label: &'a str,
    hint: &'a str,
    current: Option<&'a str>,
}

impl InPlace<'_> {
    /// Draws the line; `Some(new text)` when the user pressed Enter in its field.
    fn show(self, ui: &mut Ui, view: &mut ViewState) -> Option<Option<String>> {
        let editing = &mut view.contacts;
        if editing.editing != self.which {
            let shown = ui
                .add(Button::new(self.shown).frame(false))
                .on_hover_text(self.hover);
            if shown.clicked() {
                view.own_draft = self.current.unwrap_or_default().to_string();
                editing.editing = self.which;
                editing.focus_editor = true;
            }
            return None;
        }
        let field = ui
            .add(
                TextEdit::singleline(&mut view.own_draft)
                    .hint_text(self.hint)
                    .desired_width(f32::INFINITY),
            )
            .accessible_name(self.field_label);
        if std::mem::take(&mut editing.focus_editor) {
            field.request_focus();
            return None;
        }
        if !field.lost_focus() {
            return None;
        }
        editing.editing = EditingOwn::Nothing;
        ui.input(|i| i.key_pressed(Key::Enter))
            .then(|| Some(view.own_draft.trim().to_string()).filter(|s| !s.is_empty()))
    }
}

/// The user's display name (their nickname, else the local part of their address), edited in
/// place and published to contacts.
fn own_display_name(
    ui: &mut Ui,
    state: &AppState,
    view: &mut ViewState,
    commands: &CommandSender,
    me: &str,
) {
    let name = state.own_nickname.as_deref().unwrap_or(own_name(me));
    let line = InPlace {
        which: EditingOwn::Name,
        shown: theme::semibold(name).size(theme::TEXT_OWN_NAME),
        hover: "Click to change the name your contacts see",
        field_label: NAME_FIELD_LABEL,
        hint: "Your name",
        current: Some(name),
    };
    if let Some(nick) = line.show(ui, view) {
        send(commands, Command::SetNickname { nick });
    }
}

fn status_message(ui: &mut Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    let current = state.own_status.as_deref().filter(|s| !s.is_empty());
    let (text, colour) = match current {
        Some(status) => (status, theme::colours(ui).status_text),
        None => (STATUS_PLACEHOLDER, theme::colours(ui).muted),
    };
    let line = InPlace {
        which: EditingOwn::Status,
        shown: RichText::new(text).italics().color(colour),
        hover: "Click to change your status message",
        field_label: STATUS_FIELD_LABEL,
        hint: "What are you up to?",
        current,
    };
    if let Some(status) = line.show(ui, view) {
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
