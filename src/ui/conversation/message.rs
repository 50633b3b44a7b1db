//! Drawing one line of a conversation: a day separator, a nudge, or a message.

use chrono::NaiveDate;
use egui::{Align, Label, Layout, RichText, Ui};

use super::lines::{self, Line};
use crate::model::{ChatMessage, Direction};
use crate::ui::windows::NudgeLine;
use crate::ui::{theme, words};

/// The names a conversation shows for its two sides.
pub struct Names<'a> {
    /// The contact.
    pub peer: &'a str,
    /// The user.
    pub me: &'a str,
}

/// Draws one line; `today` names the day separators.
pub fn line(
    ui: &mut Ui,
    line: Line,
    messages: &[ChatMessage],
    nudges: &[NudgeLine],
    names: &Names<'_>,
    today: NaiveDate,
) {
    match line {
        Line::Day(day) => {
            ui.vertical_centered(|ui| {
                ui.label(
                    theme::semibold(lines::day_label(day, today))
                        .small()
                        .color(theme::colours(ui).muted),
                );
            });
        }
        Line::Nudge(index) => {
            if let Some(nudge) = nudges.get(index) {
                ui.label(
                    theme::semibold(lines::nudge_text(nudge, names.peer))
                        .color(theme::colours(ui).nudge),
                );
            }
        }
        Line::Message {
            index,
            first_of_group,
        } => {
            if let Some(message) = messages.get(index) {
                self::message(ui, message, first_of_group, names);
            }
        }
    }
}

fn message(ui: &mut Ui, message: &ChatMessage, first_of_group: bool, names: &Names<'_>) {
    let time = words::clock_time(message.timestamp_ms);
    let (who, colour) = match message.direction {
        Direction::Outgoing => (names.me, theme::colours(ui).own_sender),
        Direction::Incoming => (names.peer, theme::colours(ui).peer_sender),
    };
    if let Some(action) = lines::action(&message.body) {
        let text = RichText::new(lines::action_line(who, &words::plain(action, true)))
            .italics()
            .color(colour);
        with_mark(ui, message, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(&time).small().color(theme::colours(ui).muted));
                copyable(ui, text, &message.body);
            });
        });
        return;
    }
    if first_of_group {
        ui.horizontal(|ui| {
            // "Bob says:", as in MSN Messenger.
            ui.label(theme::semibold(lines::says(who)).color(colour));
            ui.label(RichText::new(&time).small().color(theme::colours(ui).muted));
        });
    }
    with_mark(ui, message, |ui| {
        // Emoticon codes become pictures; the copy keeps the text as it was typed.
        let body = with_copy(
            crate::ui::emoticons::message_ui(ui, &words::plain(&message.body, true)),
            &message.body,
        );
        if !first_of_group {
            body.on_hover_text(time);
        }
    });
}

/// Draws `contents` with the message's delivery mark at the right, when it has one.
fn with_mark(ui: &mut Ui, message: &ChatMessage, contents: impl FnOnce(&mut Ui)) {
    let Some((mark, explanation)) = words::delivery_mark(&message.delivery) else {
        contents(ui);
        return;
    };
    ui.with_layout(Layout::right_to_left(Align::Min), |ui| {
        ui.label(RichText::new(mark).small().color(theme::colours(ui).muted))
            .on_hover_text(explanation);
        ui.with_layout(Layout::top_down(Align::Min), contents);
    });
}

/// A selectable text with a "Copy" context menu that copies `original`.
fn copyable(ui: &mut Ui, text: RichText, original: &str) -> egui::Response {
    with_copy(ui.add(Label::new(text).wrap()), original)
}

/// Gives a message's response a context menu with "Copy" for its original text.
fn with_copy(response: egui::Response, original: &str) -> egui::Response {
    response.context_menu(|ui| {
        if ui.button("Copy").clicked() {
            ui.ctx().copy_text(original.to_string());
            ui.close();
        }
    });
    response
}
