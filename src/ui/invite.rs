//! Session Invite in the contact list and the conversation: the Invite menu and the sessions
//! with a contact in plain words, with their Cancel / End / Answer buttons.

use egui::{Button, RichText, Ui};

use super::{send, theme, words};
use crate::command::{new_message_id, Command};
use crate::core::CommandSender;
use crate::invite::{InviteSession, Origin, Role, SessionState};
use crate::model::{AppInfo, BareJid};
use crate::state::AppState;
use crate::ui::view::{peer_name, sessions_with, ViewState};

/// The label of the Invite menu (egui draws the submenu arrow after it).
pub const MENU_LABEL: &str = "Invite";

/// Fills an Invite menu with the registered programs, by name; returns the GUID chosen.
///
/// Programs not installed here are listed too, marked: the contact may have them.
pub fn menu(ui: &mut Ui, apps: &[AppInfo]) -> Option<String> {
    if apps.is_empty() {
        ui.add_enabled(false, Button::new(words::NO_APPS));
        ui.label(
            RichText::new(words::NO_APPS_HINT)
                .small()
                .color(theme::colours(ui).muted),
        );
        return None;
    }
    let mut sorted: Vec<&AppInfo> = apps.iter().collect();
    sorted.sort_by_cached_key(|a| (a.name.to_lowercase(), a.guid.clone()));
    let mut chosen = None;
    for app in sorted {
        if ui.button(words::app_menu_item(app)).clicked() {
            chosen = Some(app.guid.clone());
        }
    }
    chosen
}

/// The command that invites `to` to the application `app_guid` from the menu (a new session).
pub fn invite_command(to: &BareJid, app_guid: String) -> Command {
    Command::Invite {
        session: new_message_id(),
        to: to.clone(),
        app_guid,
        context: None,
        local_address: None,
        origin: Origin::Menu,
    }
}

/// What a button beside a session line does.
enum LineAction {
    Cancel(String),
    End(String),
    Answer(String),
}

/// Lists the newest sessions with `peer` in plain words, with the button each state offers.
pub fn session_lines(
    ui: &mut Ui,
    state: &AppState,
    view: &mut ViewState,
    commands: &CommandSender,
    peer: &BareJid,
) {
    let who = peer_name(state, peer);
    let mut action = None;
    for session in sessions_with(state, peer) {
        let text = words::session_status(session, who, view.sessions.notes(&session.id));
        let colour = if session.state.is_final() {
            theme::colours(ui).muted
        } else {
            theme::colours(ui).accent_text
        };
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(text).color(colour));
            if let Some((label, chosen)) = button_for(session) {
                if ui.button(label).clicked() {
                    action = Some(chosen);
                }
            }
        });
    }
    match action {
        Some(LineAction::Cancel(session)) => send(commands, Command::CancelInvitation { session }),
        Some(LineAction::End(session)) => send(commands, Command::EndSession { session }),
        Some(LineAction::Answer(session)) => view.sessions.dialog = Some(session),
        None => {}
    }
}

/// The one button a session's state offers, with its label.
fn button_for(session: &InviteSession) -> Option<(&'static str, LineAction)> {
    let id = session.id.clone();
    match (session.role, session.state) {
        (Role::Inviter, SessionState::Invitation) => Some(("Cancel", LineAction::Cancel(id))),
        (Role::Invitee, SessionState::Invitation) => Some(("Answer", LineAction::Answer(id))),
        (_, SessionState::Accepted | SessionState::Connected) => Some(("End", LineAction::End(id))),
        _ => None,
    }
}
