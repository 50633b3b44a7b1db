//! The contact list: who the user is, their presence, and their contacts by roster group.

mod edit;
mod groups;
mod own;

use egui::text::{LayoutJob, TextFormat, TextWrapping};
use egui::{
    pos2, vec2, Align, CentralPanel, CollapsingHeader, FontId, Id, Label, Layout, Panel, Pos2,
    Rect, RichText, Role, ScrollArea, Sense, TextEdit, TextStyle, TextWrapMode, Ui, UiBuilder,
    WidgetInfo, WidgetText,
};

use super::{connection_banner, invite, send, signin, theme, words};
use crate::command::Command;
use crate::core::CommandSender;
use crate::model::{AppInfo, Availability, BareJid};
use crate::state::{AppState, ContactEntry};
use crate::ui::view::{AddContactForm, ViewState};
pub use edit::{ContactDialog, ContactsView, MoveForm, RenameForm};
pub use groups::{group_names, GroupKey, Header, Row, RowCache};
pub use own::{own_jid, own_label, OWN_CHOICES};

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
    let band = egui::Frame::new()
        .fill(theme::colours(ui).band)
        .inner_margin(theme::BAND_MARGIN);
    Panel::top("own-presence")
        .frame(band)
        .show(ui, |ui| own::show(ui, state, view, commands));
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
        ui.label(RichText::new(words::problem(problem)).color(theme::colours(ui).warning));
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
    let muted = theme::colours(ui).muted;
    // The view decides whether it is open: a click only asks for the change.
    let shown = CollapsingHeader::new(theme::semibold(header.label()).color(muted))
        .id_salt(("contact-group", &header.key))
        .open(Some(header.open))
        .show(ui, |_| {});
    shown
        .header_response
        .clicked()
        .then(|| Action::Toggle(header.key.clone()))
}

/// One contact: the whole row is the button that opens the conversation (named by the
/// contact's name), with the framed picture, the name, the status message and the unread
/// count laid out in it.
fn contact_row(ui: &mut Ui, entry: &ContactEntry, facts: &RowFacts<'_>) -> Option<Action> {
    let rect = ui.max_rect();
    let name = entry.display_name();
    let row = ui.interact(rect, ui.scope_id().with("row"), Sense::click());
    row.widget_info(|| WidgetInfo::selected(Role::Button, true, facts.selected, name));
    let palette = theme::colours(ui);
    if facts.selected {
        ui.painter()
            .rect_filled(rect, theme::WIDGET_RADIUS, palette.selection);
    } else if row.contains_pointer() {
        ui.painter()
            .rect_filled(rect, theme::WIDGET_RADIUS, palette.faint);
    }
    if row.has_focus() {
        // Reached with Tab: Enter opens the conversation, as a click does.
        let ring = egui::Stroke::new(theme::FOCUS_RING_WIDTH, palette.accent);
        let inside = egui::StrokeKind::Inside;
        ui.painter()
            .rect_stroke(rect, theme::WIDGET_RADIUS, ring, inside);
    }
    let text = if facts.selected {
        palette.on_selection
    } else {
        palette.text
    };
    let inner = rect.shrink2(vec2(theme::SMALL_GAP, 0.0));
    let availability = entry.availability();
    let picture_side = super::avatar::ROW_SIDE + 2.0 * theme::frame_width(super::avatar::ROW_SIDE);
    let picture = Rect::from_center_size(
        pos2(inner.left() + picture_side / 2.0, inner.center().y),
        vec2(picture_side, picture_side),
    );
    ui.scope_builder(UiBuilder::new().max_rect(picture), |ui| {
        super::avatar::framed(
            ui,
            facts.avatar,
            super::avatar::ROW_SIDE,
            entry.contact.jid.as_str(),
            availability,
        );
    });
    let mut right = inner.right();
    if facts.unread > 0 {
        right = unread_pill(ui, facts.unread, pos2(right, inner.center().y)) - theme::GAP;
    }
    if facts.blocked {
        let mark = if facts.selected {
            palette.on_selection
        } else {
            palette.error
        };
        let blocked = RichText::new("blocked").small().color(mark);
        let (galley_rect, mark) = right_aligned(ui, blocked, pos2(right, inner.center().y));
        mark.on_hover_text("Nothing from this contact reaches you");
        right = galley_rect.left() - theme::GAP;
    }
    let text_left = picture.right() + theme::GAP;
    name_and_status(
        ui,
        entry,
        text,
        Rect::from_x_y_ranges(text_left..=right, inner.y_range()),
    );
    let mut action = None;
    if row.clicked() || row.double_clicked() {
        action = Some(Action::Open(entry.contact.jid.clone()));
    }
    row.context_menu(|ui| {
        if let Some(chosen) = context_menu(ui, entry, facts) {
            action = Some(chosen);
        }
    });
    action
}

/// The name (painted: the row itself carries it for screen readers) and, under it, the status
/// message, both cut short with "…" to fit `rect`, centred in it together.
fn name_and_status(ui: &mut Ui, entry: &ContactEntry, colour: egui::Color32, rect: Rect) {
    let width = rect.width().max(0.0);
    let painter = ui.painter();
    let mut job = LayoutJob::single_section(
        entry.display_name().to_owned(),
        TextFormat::simple(
            FontId::new(theme::TEXT_BODY, theme::semibold_family()),
            colour,
        ),
    );
    job.wrap = TextWrapping::truncate_at_width(width);
    let name = painter.layout_job(job);
    let status = entry.status().map(|status| {
        // Quieter than the name, except on the selection, where all text is its own colour.
        let palette = theme::colours(ui);
        let quiet = if colour == palette.text {
            palette.muted
        } else {
            colour
        };
        Label::new(RichText::new(status).small().color(quiet))
            .selectable(false)
            .truncate()
    });
    let status_height = if status.is_some() {
        ui.text_style_height(&TextStyle::Small)
    } else {
        0.0
    };
    let top = rect.center().y - (name.size().y + status_height) / 2.0;
    painter.galley(pos2(rect.left(), top), name.clone(), colour);
    if let Some(status) = status {
        let line = Rect::from_min_size(
            pos2(rect.left(), top + name.size().y),
            vec2(width, status_height),
        );
        let left_aligned = UiBuilder::new()
            .max_rect(line)
            .layout(Layout::left_to_right(Align::Center));
        ui.scope_builder(left_aligned, |ui| ui.add(status));
    }
}

/// The unread count as a blue pill whose right edge is at `right_middle`; returns its left.
fn unread_pill(ui: &mut Ui, unread: usize, right_middle: Pos2) -> f32 {
    let palette = theme::colours(ui);
    let words = theme::semibold(format!("{unread} new"))
        .small()
        .color(palette.on_accent);
    let width = text_width(ui, &words) + theme::PILL_HEIGHT;
    let pill = Rect::from_min_max(
        pos2(
            right_middle.x - width,
            right_middle.y - theme::PILL_HEIGHT / 2.0,
        ),
        pos2(right_middle.x, right_middle.y + theme::PILL_HEIGHT / 2.0),
    );
    ui.painter()
        .rect_filled(pill, theme::PILL_HEIGHT / 2.0, palette.accent);
    ui.put(pill, Label::new(words).selectable(false));
    pill.left()
}

/// Puts small text with its right edge at `right_middle`; returns where it went.
fn right_aligned(ui: &mut Ui, text: RichText, right_middle: Pos2) -> (Rect, egui::Response) {
    let size = vec2(
        text_width(ui, &text),
        ui.text_style_height(&TextStyle::Small),
    );
    let rect = Rect::from_min_size(
        pos2(right_middle.x - size.x, right_middle.y - size.y / 2.0),
        size,
    );
    (rect, ui.put(rect, Label::new(text).selectable(false)))
}

/// How wide `text` is on one line, in small print unless it says otherwise.
fn text_width(ui: &Ui, text: &RichText) -> f32 {
    WidgetText::from(text.clone())
        .into_galley(
            ui,
            Some(TextWrapMode::Extend),
            f32::INFINITY,
            TextStyle::Small,
        )
        .size()
        .x
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
        theme::colours(ui).presence_of(availability),
    );
    response.on_hover_text(availability.label());
}
