//! One conversation: the messages, whether the contact is typing, and the composer.

use egui::{Button, CentralPanel, Key, KeyboardShortcut, Modifiers, Panel, RichText, TextEdit, Ui};

use super::contacts::presence_dot;
use super::{connection_banner, invite, rows, send, theme, words};
use crate::command::{new_message_id, Command};
use crate::core::CommandSender;
use crate::model::{ChatMessage, ChatState, Direction};
use crate::state::AppState;
use crate::ui::view::ViewState;

/// Draws the conversation with `peer` (a bare JID).
pub fn show(
    ui: &mut Ui,
    state: &mut AppState,
    view: &mut ViewState,
    commands: &CommandSender,
    peer: &str,
) {
    // The user is looking at it, so nothing in it is unread.
    state.mark_read(peer);
    let entry = state.contacts.get(peer);
    let name = entry.map_or(peer, |e| e.contact.display_name()).to_string();
    Panel::top("conversation-header").show(ui, |ui| {
        ui.horizontal(|ui| {
            if ui.button("Back to contacts").clicked() {
                view.open_conversation = None;
            }
            presence_dot(ui, entry.map(|e| e.availability()).unwrap_or_default());
            ui.heading(&name);
            ui.menu_button(invite::MENU_LABEL, |ui| {
                if let Some(guid) = invite::menu(ui, &state.apps) {
                    send(commands, invite::invite_command(peer, guid));
                }
            });
        });
        if let Some(status) = entry.and_then(|e| e.status()) {
            ui.label(RichText::new(status).small().color(theme::HINT));
        }
        invite::session_lines(ui, state, view, commands, peer);
        connection_banner(ui, &state.connection);
    });
    Panel::bottom("composer").show(ui, |ui| {
        let typing = state
            .conversations
            .get(peer)
            .is_some_and(|c| c.their_state == Some(ChatState::Composing));
        if typing {
            ui.label(RichText::new(format!("{name} is typing…")).color(theme::HINT));
        }
        composer(ui, view, commands, peer);
    });
    CentralPanel::default().show(ui, |ui| {
        let messages = state
            .conversations
            .get(peer)
            .map_or(&[][..], |c| c.messages.as_slice());
        if messages.is_empty() {
            ui.label(RichText::new("No messages yet.").color(theme::HINT));
            return;
        }
        let heights = view.row_heights.entry(peer.to_string()).or_default();
        rows::show_rows(
            ui,
            ("conversation", peer),
            heights,
            messages.len(),
            theme::MESSAGE_ROW_ESTIMATE,
            |ui, row| message_row(ui, &messages[row], &name),
        );
    });
}

fn composer(ui: &mut Ui, view: &mut ViewState, commands: &CommandSender, peer: &str) {
    let now = ui.input(|i| i.time);
    let draft = view.drafts.entry(peer.to_string()).or_default();
    let field = ui
        .add(
            TextEdit::multiline(draft)
                .hint_text("Type a message (Shift+Enter for a new line)")
                .desired_rows(theme::COMPOSER_ROWS)
                .desired_width(f32::INFINITY)
                // Plain Enter sends; only Shift+Enter makes a new line.
                .return_key(KeyboardShortcut::new(Modifiers::SHIFT, Key::Enter)),
        )
        .accessible_name("Message");
    if std::mem::take(&mut view.focus_composer) {
        field.request_focus();
    }
    if field.changed() {
        let empty = draft.is_empty();
        let typing = view.typing.entry(peer.to_string()).or_default();
        if let Some(state) = typing.edited(now, empty) {
            send_chat_state(commands, peer, state);
        }
    }
    let pressed_enter =
        field.has_focus() && ui.input(|i| i.key_pressed(Key::Enter) && !i.modifiers.shift);
    let clicked = ui.add(Button::new("Send")).clicked();
    if !(pressed_enter || clicked) {
        return;
    }
    let Some(body) = view.take_message(peer) else {
        return;
    };
    send(
        commands,
        Command::SendMessage {
            id: new_message_id(),
            to: peer.to_string(),
            body,
        },
    );
    if let Some(state) = view.typing.entry(peer.to_string()).or_default().sent() {
        send_chat_state(commands, peer, state);
    }
    field.request_focus();
}

/// Sends a chat state to a contact.
pub fn send_chat_state(commands: &CommandSender, peer: &str, state: ChatState) {
    send(
        commands,
        Command::SendChatState {
            to: peer.to_string(),
            state,
        },
    );
}

fn message_row(ui: &mut Ui, message: &ChatMessage, peer_name: &str) {
    ui.horizontal(|ui| {
        let (sender, colour) = match message.direction {
            Direction::Outgoing => ("You", theme::OWN_SENDER),
            Direction::Incoming => (peer_name, theme::PEER_SENDER),
        };
        ui.label(RichText::new(sender).strong().color(colour));
        ui.label(
            RichText::new(words::clock_time(message.timestamp_ms))
                .small()
                .color(theme::HINT),
        );
        if let Some((mark, explanation)) = words::delivery_mark(&message.delivery) {
            ui.label(mark).on_hover_text(explanation);
        }
    });
    ui.label(&message.body);
}
