//! Display pictures in the window: the user's own in the contact-list header (click it to change
//! it), contacts' beside their names and in conversation headers, and the "Change display
//! picture" dialog.
//!
//! Each picture becomes one texture, keyed by its SHA-1, on the frame that first shows it (see
//! `textures`): only pictures actually drawn (visible rows) are ever decoded, and a picture
//! nobody is shown with any more is freed.

pub(super) mod textures;

use egui::load::SizedTexture;
use egui::{
    pos2, vec2, Button, Color32, CornerRadius, Id, Image, Key, Label, Modal, Painter, Rect,
    Response, RichText, Sense, Stroke, Ui, UiBuilder,
};

use super::{labelled_field, send, theme};
use crate::command::Command;
use crate::core::CommandSender;
use crate::model::{Availability, Avatar, BuiltinPicture, BUILTIN_PICTURES, DEFAULT_PICTURE};

/// The accessible label of the user's own picture in the header (a button).
pub const OWN_LABEL: &str = "Display picture";
/// The title of the dialog that changes it.
pub const DIALOG_TITLE: &str = "Change display picture";
/// The label of the field for a picture file's path.
pub const FILE_FIELD_LABEL: &str = "Picture file";
/// The button that uses the typed file.
pub const USE_FILE_LABEL: &str = "Use a picture from a file…";
/// The button that removes the picture.
pub const REMOVE_LABEL: &str = "Remove picture";
/// The button that closes the dialog.
pub const CLOSE_LABEL: &str = "Close";

/// The side of the user's picture in the header, in points.
pub const OWN_SIDE: f32 = 48.0;
/// The side of a contact's picture in the list (fits a contact row).
pub const ROW_SIDE: f32 = 32.0;
/// The side of both pictures in a conversation.
pub const CONVERSATION_SIDE: f32 = 64.0;
/// The accessible label of the user's own picture where it is not a button (a conversation,
/// the sign-in screen).
pub const OWN_PICTURE_LABEL: &str = "Your display picture";
/// The side of the pictures to choose from in the dialog.
const CHOICE_SIDE: f32 = 56.0;
/// Built-in pictures per row in the dialog.
const CHOICE_COLUMNS: usize = 3;

/// The accessible label of the picture of `name` (a bare JID).
pub fn label_of(name: &str) -> String {
    format!("Display picture of {name}")
}

/// The texture of someone's picture, or of the default picture.
fn texture_of(ctx: &egui::Context, avatar: Option<&Avatar>) -> Option<egui::TextureHandle> {
    avatar
        .and_then(|a| textures::texture(ctx, &a.sha1, &a.png))
        .or_else(|| textures::texture(ctx, DEFAULT_KEY, DEFAULT_PICTURE))
}

/// The key of the default picture among the textures (SHA-1s are hex, so it cannot clash).
const DEFAULT_KEY: &str = "default";

/// The image of a texture `side` points square, named `label`.
fn sized(texture: &egui::TextureHandle, side: f32, label: String) -> Image<'static> {
    Image::from_texture(SizedTexture::new(texture.id(), vec2(side, side)))
        .corner_radius(theme::SMALL_GAP)
        .alt_text(label)
}

/// Draws a picture (or the default one) `side` points square, named `label`.
fn picture(ui: &mut Ui, avatar: Option<&Avatar>, side: f32, label: String) -> Response {
    match texture_of(ui.ctx(), avatar) {
        Some(texture) => ui.add(sized(&texture, side, label).corner_radius(inner_radius(side))),
        // Only if even the built-in picture were unreadable: keep the place and the name.
        None => ui
            .allocate_response(vec2(side, side), egui::Sense::hover())
            .accessible_name(label),
    }
}

/// The image of a built-in picture, for its button in the dialog.
fn builtin_image(
    ctx: &egui::Context,
    picture: &BuiltinPicture,
    side: f32,
) -> Option<Image<'static>> {
    let texture = textures::texture(ctx, &format!("builtin-{}", picture.name), picture.png)?;
    Some(sized(&texture, side, picture.label.to_owned()))
}

/// Whether the picture with this SHA-1 has been drawn (its texture exists).
pub fn is_loaded(ctx: &egui::Context, sha1: &str) -> bool {
    textures::is_loaded(ctx, sha1)
}

/// Draws someone's picture `side` points square in a frame the colour of their presence, as
/// Messenger did (`name`: their bare JID). The frame says the presence when hovered.
pub fn framed(ui: &mut Ui, avatar: Option<&Avatar>, side: f32, name: &str, presence: Availability) {
    textures::note_shown(ui.ctx(), name, avatar.map_or(DEFAULT_KEY, |a| &a.sha1));
    in_frame(ui, side, presence, |ui| {
        picture(ui, avatar, side, label_of(name));
    });
}

/// Lays out a frame around a picture `side` points square and draws `inside` in it; returns
/// the frame's response (it says the presence when hovered) and what `inside` returned.
fn in_frame<R>(
    ui: &mut Ui,
    side: f32,
    presence: Availability,
    inside: impl FnOnce(&mut Ui) -> R,
) -> (Response, R) {
    let width = theme::frame_width(side);
    let outer = vec2(side, side) + vec2(width, width) * 2.0;
    let (rect, response) = ui.allocate_exact_size(outer, Sense::hover());
    if ui.is_rect_visible(rect) {
        let colour = theme::colours(ui).presence_of(presence);
        paint_frame(ui.painter(), rect, width, colour);
    }
    let inner = ui.scope_builder(UiBuilder::new().max_rect(rect.shrink(width)), inside);
    (response.on_hover_text(presence.label()), inner.inner)
}

/// The corner radius of a frame `outer` points square.
fn frame_radius(outer: f32) -> f32 {
    theme::FRAME_RADIUS_AT_48 * outer / 48.0
}

/// A frame in `colour`, lighter on its upper half like glass, with a fine line inside it that
/// sets the picture apart from the frame.
fn paint_frame(painter: &Painter, rect: Rect, width: f32, colour: Color32) {
    let radius = frame_radius(rect.width());
    painter.rect_filled(rect, radius, colour);
    let upper = Rect::from_min_max(rect.min, pos2(rect.max.x, rect.center().y));
    let rounded_top = CornerRadius {
        nw: radius as u8,
        ne: radius as u8,
        sw: 0,
        se: 0,
    };
    painter.rect_filled(upper, rounded_top, theme::FRAME_GLOSS);
    painter.rect_stroke(
        rect.shrink(width - 0.5),
        (radius - width).max(0.0),
        Stroke::new(theme::OUTLINE_WIDTH, theme::FRAME_INNER_LINE),
        egui::StrokeKind::Middle,
    );
}

/// The side of a contact's picture in a toast.
pub const TOAST_SIDE: f32 = 40.0;

/// The picture of `person` (a bare JID) for a toast, as Messenger's pop-ups showed it; `None`
/// only if even the built-in picture were unreadable.
pub fn toast_image(
    ctx: &egui::Context,
    avatar: Option<&Avatar>,
    person: &str,
) -> Option<Image<'static>> {
    textures::note_shown(ctx, person, avatar.map_or(DEFAULT_KEY, |a| &a.sha1));
    let texture = texture_of(ctx, avatar)?;
    Some(sized(&texture, TOAST_SIDE, label_of(person)))
}

/// Both pictures at the side of a conversation, as Messenger showed them: the contact's at the
/// top, the user's own at the bottom beside the composer, each framed in its presence colour.
pub struct ConversationPictures<'a> {
    /// The contact's picture and bare JID.
    pub peer: (Option<&'a Avatar>, &'a str),
    /// The contact's presence.
    pub peer_presence: Availability,
    /// The user's own picture.
    pub own: Option<&'a Avatar>,
    /// The user's own presence.
    pub own_presence: Availability,
}

/// Draws [`ConversationPictures`] in a panel at the right of a conversation.
pub fn conversation_panel(ui: &mut Ui, pictures: &ConversationPictures<'_>) {
    let (peer_picture, peer) = pictures.peer;
    let band = egui::Frame::new()
        .fill(theme::colours(ui).band)
        .inner_margin(theme::BAND_MARGIN);
    egui::Panel::right("conversation-pictures")
        .resizable(false)
        .frame(band)
        .show(ui, |ui| {
            framed(
                ui,
                peer_picture,
                CONVERSATION_SIDE,
                peer,
                pictures.peer_presence,
            );
            ui.with_layout(egui::Layout::bottom_up(egui::Align::Min), |ui| {
                own_picture(ui, pictures.own, CONVERSATION_SIDE, pictures.own_presence);
            });
        });
}

/// The user's own picture, framed, not a button (a conversation, the sign-in screen); returns
/// the frame's response.
pub fn own_picture(
    ui: &mut Ui,
    avatar: Option<&Avatar>,
    side: f32,
    presence: Availability,
) -> Response {
    // Keyed apart from contacts' bare JIDs, which never contain spaces.
    textures::note_shown(ui.ctx(), OWN_LABEL, avatar.map_or(DEFAULT_KEY, |a| &a.sha1));
    let (frame, _) = in_frame(ui, side, presence, |ui| {
        picture(ui, avatar, side, OWN_PICTURE_LABEL.to_owned());
    });
    frame
}

/// The user's own picture as a button, framed in their presence colour; returns whether it
/// was clicked (open the dialog).
pub fn own_button(ui: &mut Ui, avatar: Option<&Avatar>, presence: Availability) -> bool {
    textures::note_shown(ui.ctx(), OWN_LABEL, avatar.map_or(DEFAULT_KEY, |a| &a.sha1));
    let Some(texture) = texture_of(ui.ctx(), avatar) else {
        return ui.button(OWN_LABEL).clicked();
    };
    let (_, clicked) = in_frame(ui, OWN_SIDE, presence, |ui| {
        let image =
            sized(&texture, OWN_SIDE, OWN_LABEL.to_owned()).corner_radius(inner_radius(OWN_SIDE));
        ui.add(Button::image(image).frame(false))
            .accessible_name(OWN_LABEL)
            .on_hover_text("Click to change your display picture")
            .clicked()
    });
    clicked
}

/// The corner radius of a framed picture `side` points square (the frame's, less its width).
fn inner_radius(side: f32) -> u8 {
    let width = theme::frame_width(side);
    (frame_radius(side + 2.0 * width) - width).max(0.0) as u8
}

/// What the dialog remembers between frames (in egui's memory: it is the dialog's own).
#[derive(Clone, Debug, Default)]
struct DialogState {
    open: bool,
    path: String,
}

fn dialog_id() -> Id {
    Id::unique("change-display-picture")
}

/// Opens the "Change display picture" dialog.
pub fn open_dialog(ctx: &egui::Context) {
    ctx.data_mut(|d| d.get_temp_mut_or_default::<DialogState>(dialog_id()).open = true);
}

/// Draws the dialog while it is open; sends the chosen change.
pub fn dialog(ctx: &egui::Context, own: Option<&Avatar>, commands: &CommandSender) {
    let mut dialog: DialogState = ctx.data(|d| d.get_temp(dialog_id()).unwrap_or_default());
    if !dialog.open {
        return;
    }
    let mut chosen = dropped_file(ctx).map(|path| Command::SetAvatar { path });
    let modal = Modal::new(dialog_id().with("modal")).show(ctx, |ui| {
        ui.set_max_width(theme::DIALOG_WIDTH);
        ui.heading(DIALOG_TITLE);
        if let Some(command) = contents(ui, own, &mut dialog) {
            chosen = Some(command);
        }
    });
    if let Some(command) = chosen {
        send(commands, command);
        dialog = DialogState::default();
    }
    // Escape or a click beside the dialog closes it, as the other dialogs do.
    if modal.should_close() {
        dialog.open = false;
    }
    ctx.data_mut(|d| d.insert_temp(dialog_id(), dialog));
}

fn contents(ui: &mut Ui, own: Option<&Avatar>, dialog: &mut DialogState) -> Option<Command> {
    let mut chosen = None;
    ui.horizontal(|ui| {
        picture(ui, own, OWN_SIDE * 2.0, "Your display picture".to_owned());
        ui.add(Label::new("Contacts see this picture next to your name.").wrap());
    });
    ui.add_space(theme::SMALL_GAP);
    ui.label("Choose a picture:");
    egui::Grid::new("builtin-pictures").show(ui, |ui| {
        for (index, picture) in BUILTIN_PICTURES.iter().enumerate() {
            let clicked = ui
                .add(match builtin_image(ui.ctx(), picture, CHOICE_SIDE) {
                    Some(image) => Button::image(image),
                    None => Button::new(picture.label),
                })
                .accessible_name(picture.label)
                .on_hover_text(picture.label)
                .clicked();
            if clicked {
                chosen = Some(Command::SetBuiltinAvatar {
                    name: picture.name.to_owned(),
                });
            }
            if index % CHOICE_COLUMNS == CHOICE_COLUMNS - 1 {
                ui.end_row();
            }
        }
    });
    ui.add_space(theme::SMALL_GAP);
    let field = labelled_field(
        ui,
        FILE_FIELD_LABEL,
        egui::TextEdit::singleline(&mut dialog.path)
            .hint_text("/home/you/Pictures/me.png")
            .desired_width(theme::FORM_FIELD_WIDTH),
    );
    let entered = field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
    let path = clean_path(&dialog.path);
    let use_file = ui
        .add_enabled(!path.is_empty(), Button::new(USE_FILE_LABEL))
        .clicked();
    if (use_file || entered) && !path.is_empty() {
        chosen = Some(Command::SetAvatar { path });
    }
    ui.label(
        RichText::new("Or drop a picture file (PNG, JPEG, GIF or WebP) on this window.")
            .small()
            .color(theme::colours(ui).muted),
    );
    ui.separator();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(own.is_some(), Button::new(REMOVE_LABEL))
            .clicked()
        {
            chosen = Some(Command::ClearAvatar);
        }
        if ui.button(CLOSE_LABEL).clicked() {
            dialog.open = false;
        }
    });
    chosen
}

/// A file dropped on the window while the dialog is open.
fn dropped_file(ctx: &egui::Context) -> Option<String> {
    ctx.input(|i| {
        i.raw
            .dropped_files
            .iter()
            .map(|f| f.path())
            .find(|p| !p.as_os_str().is_empty())
            .map(|p| p.display().to_string())
    })
}

/// A typed or pasted path without the quotes or `file://` a file manager's copy adds.
pub fn clean_path(typed: &str) -> String {
    let trimmed = typed.trim();
    let unquoted = ['"', '\'']
        .iter()
        .find_map(|q| {
            trimmed
                .strip_prefix(*q)
                .and_then(|rest| rest.strip_suffix(*q))
        })
        .unwrap_or(trimmed);
    unquoted
        .strip_prefix("file://")
        .unwrap_or(unquoted)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_paths_lose_quotes_and_the_file_scheme() {
        assert_eq!(clean_path("  /tmp/me.png "), "/tmp/me.png");
        assert_eq!(clean_path("'/tmp/my picture.png'"), "/tmp/my picture.png");
        assert_eq!(clean_path("\"/tmp/me.png\""), "/tmp/me.png");
        assert_eq!(clean_path("file:///tmp/me.png"), "/tmp/me.png");
        assert_eq!(clean_path("'/tmp/half"), "'/tmp/half");
        assert_eq!(clean_path("   "), "");
    }

    #[test]
    fn labels_name_whose_picture_it_is() {
        assert_eq!(
            label_of("bob@example.org"),
            "Display picture of bob@example.org"
        );
    }
}
