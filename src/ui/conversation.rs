//! One conversation: the messages, whether the contact is typing, the composer and the
//! Nudge button. It is drawn inside its own window or a tab; [`windows`] decides which.

pub mod history_menu;
pub mod lines;
mod message;
pub mod windows;

use egui::text::{LayoutJob, TextFormat};
use egui::{
    Align, CentralPanel, Color32, FontFamily, FontId, Key, KeyboardShortcut, Layout, Modifiers,
    Panel, RichText, TextEdit, Ui,
};

use super::contacts::presence_dot;
use super::{connection_banner, invite, rows, send, theme};
use crate::command::{new_message_id, Command};
use crate::core::CommandSender;
use crate::model::{BareJid, ChatState, ConnectionState};
use crate::state::AppState;
use crate::ui::view::ViewState;
use message::Names;

/// The label of the button that sends the contact a nudge.
pub const NUDGE_LABEL: &str = "Nudge";

/// Why the Nudge button is greyed out for a moment after a nudge.
pub const NUDGE_WAIT_HINT: &str = "You just sent a nudge; you can send another in a few seconds";

/// Draws the conversation with `peer` (a bare JID) in `ui`.
pub fn show(
    ui: &mut Ui,
    state: &AppState,
    view: &mut ViewState,
    commands: &CommandSender,
    peer: &BareJid,
) {
    let entry = state.contacts.get(peer);
    let address = peer.as_str();
    let name = entry.map_or(address, |e| e.display_name()).to_string();
    let me = super::contacts::own_jid(state, view);
    let peer_presence = entry.map(|e| e.availability()).unwrap_or_default();
    super::avatar::conversation_panel(
        ui,
        &super::avatar::ConversationPictures {
            peer: (state.avatars.get(peer), address),
            peer_presence,
            own: me.as_ref().and_then(|me| state.avatars.get(me)),
            own_presence: state.own_availability,
        },
    );
    let palette = theme::colours(ui);
    let band = egui::Frame::new()
        .fill(palette.band)
        .inner_margin(theme::BAND_MARGIN);
    Panel::top("conversation-header")
        .frame(band)
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                presence_dot(ui, peer_presence);
                ui.label(to_line(ui, &name, address));
            });
            if let Some(status) = entry.and_then(|e| e.status()) {
                ui.label(RichText::new(status).italics().color(palette.muted));
            }
            ui.add_space(theme::SMALL_GAP);
            ui.horizontal(|ui| {
                let now = ui.input(|i| i.time);
                let wait = view.windows.nudge_wait(peer, now);
                let nudge = ui.add_enabled(wait.is_zero(), egui::Button::new(NUDGE_LABEL));
                let nudge = if wait.is_zero() {
                    nudge.on_hover_text(format!("Shake {name}'s conversation window"))
                } else {
                    // Enabled again by a timed repaint, not by polling.
                    ui.ctx().request_repaint_after(wait);
                    nudge.on_disabled_hover_text(NUDGE_WAIT_HINT)
                };
                if nudge.clicked() && view.windows.nudge_sent(peer, now) {
                    send(commands, Command::SendNudge { to: peer.clone() });
                }
                ui.menu_button(invite::MENU_LABEL, |ui| {
                    if let Some(guid) = invite::menu(ui, &state.apps) {
                        send(commands, invite::invite_command(peer, guid));
                    }
                });
                history_menu::menu(ui, state, &mut view.history_files, peer);
            });
            invite::session_lines(ui, state, view, commands, peer);
            history_menu::note(ui, &view.history_files, peer);
            connection_banner(ui, &state.connection);
        });
    Panel::bottom("composer").show(ui, |ui| {
        let typing = state
            .conversations
            .get(peer)
            .is_some_and(|c| c.their_state == Some(ChatState::Composing));
        if typing {
            ui.label(RichText::new(format!("{name} is typing…")).color(theme::colours(ui).muted));
        }
        composer(ui, view, commands, peer);
    });
    CentralPanel::default().show(ui, |ui| {
        let messages = state
            .conversations
            .get(peer)
            .map_or(&[][..], |c| c.messages.as_slice());
        let heights = view.row_heights.entry(peer.clone()).or_default();
        let (lines, nudges) = view.windows.lines_of(peer, messages);
        if lines.is_empty() {
            ui.label(RichText::new("No messages yet.").color(theme::colours(ui).muted));
            return;
        }
        let me = own_name(&state.connection, &view.sign_in.jid);
        let names = Names {
            peer: &name,
            me: &me,
        };
        let today = lines::local_date(crate::model::now_ms()).unwrap_or_default();
        rows::show_rows(
            ui,
            ("conversation", address),
            heights,
            lines.len(),
            theme::MESSAGE_ROW_ESTIMATE,
            |ui, row| message::line(ui, lines[row], messages, nudges, &names, today),
        );
    });
}

/// "To: Bob <bob@example.org>", as Messenger's header read, with the name in semibold: one
/// label, so screen readers read it as one line.
fn to_line(ui: &Ui, name: &str, peer: &str) -> LayoutJob {
    let palette = theme::colours(ui);
    let format = |size: f32, family: FontFamily, color: Color32| TextFormat {
        font_id: FontId::new(size, family),
        color,
        valign: Align::Center,
        ..TextFormat::default()
    };
    let mut job = LayoutJob::default();
    job.append(
        "To: ",
        0.0,
        format(theme::TEXT_BODY, FontFamily::Proportional, palette.muted),
    );
    job.append(
        name,
        0.0,
        format(theme::TEXT_OWN_NAME, theme::semibold_family(), palette.text),
    );
    if name != peer {
        let address = format!(" <{peer}>");
        job.append(
            &address,
            0.0,
            format(theme::TEXT_SMALL, FontFamily::Proportional, palette.muted),
        );
    }
    job
}

/// The name the user's own messages are shown with: the local part of their address (the
/// bound one, or the one they signed in with while reconnecting).
fn own_name(connection: &ConnectionState, signed_in_as: &str) -> String {
    let jid = match connection {
        ConnectionState::Online { jid } => jid.as_str(),
        _ => signed_in_as,
    };
    jid.split(['@', '/']).next().unwrap_or(jid).to_string()
}

fn composer(ui: &mut Ui, view: &mut ViewState, commands: &CommandSender, peer: &BareJid) {
    let now = ui.input(|i| i.time);
    let focus = view
        .windows
        .get_mut(peer)
        .is_some_and(|c| std::mem::take(&mut c.focus_composer));
    let draft = view.drafts.entry(peer.clone()).or_default();
    let field = ui
        .add(
            TextEdit::multiline(draft)
                .id_salt(("composer", peer.as_str()))
                .hint_text("Type a message (Shift+Enter for a new line)")
                .desired_rows(theme::COMPOSER_ROWS)
                .desired_width(f32::INFINITY)
                // Plain Enter sends; only Shift+Enter makes a new line.
                .return_key(KeyboardShortcut::new(Modifiers::SHIFT, Key::Enter)),
        )
        .accessible_name("Message");
    if focus {
        field.request_focus();
    }
    let (picked, clicked) = ui
        .horizontal(|ui| {
            let picked = super::emoticons::picker_button(ui, draft, Some(field.id));
            let send = ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                theme::primary_button(ui, "Send", 0.0).clicked()
            });
            (picked, send.inner)
        })
        .inner;
    if field.changed() || picked {
        let empty = draft.is_empty();
        let typing = view.typing.entry(peer.clone()).or_default();
        if let Some(state) = typing.edited(now, empty) {
            send_chat_state(commands, peer, state);
        }
    }
    let pressed_enter =
        field.has_focus() && ui.input(|i| i.key_pressed(Key::Enter) && !i.modifiers.shift);
    if !(pressed_enter || clicked) {
        return;
    }
    // Sent as typed: a "/me waves" goes out as that plain text (XEP-0245).
    let Some(body) = view.take_message(peer) else {
        return;
    };
    send(
        commands,
        Command::SendMessage {
            id: new_message_id(),
            to: peer.clone(),
            body,
        },
    );
    if let Some(state) = view.typing.entry(peer.clone()).or_default().sent() {
        send_chat_state(commands, peer, state);
    }
    field.request_focus();
}

/// Sends a chat state to a contact.
pub fn send_chat_state(commands: &CommandSender, peer: &BareJid, state: ChatState) {
    send(
        commands,
        Command::SendChatState {
            to: peer.clone(),
            state,
        },
    );
}
