//! Display pictures in the window: the user's own in the contact-list header (click it to change
//! it), contacts' beside their names and in conversation headers, and the "Change display
//! picture" dialog.
//!
//! Each picture becomes one texture, keyed by its SHA-1, on the frame that first shows it (see
//! `textures`): only pictures actually drawn (visible rows) are ever decoded, and a picture
//! nobody is shown with any more is freed.

mod textures;

use egui::load::SizedTexture;
use egui::{vec2, Button, Id, Image, Key, Label, Modal, Response, RichText, Ui};

use super::{labelled_field, send, theme};
use crate::command::Command;
use crate::core::CommandSender;
use crate::model::{Avatar, BuiltinPicture, BUILTIN_PICTURES, DEFAULT_PICTURE};

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
/// The side of the contact's picture in a conversation.
pub const CONVERSATION_SIDE: f32 = 64.0;
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
        Some(texture) => ui.add(sized(&texture, side, label)),
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

/// Draws someone's picture `side` points square (`name`: their bare JID).
pub fn show(ui: &mut Ui, avatar: Option<&Avatar>, side: f32, name: &str) {
    textures::note_shown(ui.ctx(), name, avatar.map_or(DEFAULT_KEY, |a| &a.sha1));
    picture(ui, avatar, side, label_of(name));
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

/// The contact's picture at the side of a conversation, as Messenger showed it.
pub fn conversation_panel(ui: &mut Ui, avatar: Option<&Avatar>, peer: &str) {
    egui::Panel::right("conversation-picture")
        .resizable(false)
        .show(ui, |ui| show(ui, avatar, CONVERSATION_SIDE, peer));
}

/// The user's own picture as a button; returns whether it was clicked (open the dialog).
pub fn own_button(ui: &mut Ui, avatar: Option<&Avatar>) -> bool {
    // Keyed apart from contacts' bare JIDs, which never contain spaces.
    textures::note_shown(ui.ctx(), OWN_LABEL, avatar.map_or(DEFAULT_KEY, |a| &a.sha1));
    let Some(texture) = texture_of(ui.ctx(), avatar) else {
        return ui.button(OWN_LABEL).clicked();
    };
    ui.add(Button::image(sized(&texture, OWN_SIDE, OWN_LABEL.to_owned())).frame(false))
        .accessible_name(OWN_LABEL)
        .on_hover_text("Click to change your display picture")
        .clicked()
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
            .color(theme::HINT),
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
