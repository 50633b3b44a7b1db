//! Display pictures in the window: the user's own in the contact-list header (click it to change
//! it), contacts' beside their names and in conversation headers, and the "Change display
//! picture" dialog.
//!
//! Pictures reach egui as `bytes://avatar/<sha1>.png` images: egui's loaders decode each one once
//! and keep its texture under that name, and only pictures actually drawn (visible rows) are ever
//! loaded. The bytes are shared (`Arc`), so drawing a frame copies no image.

use egui::load::Bytes;
use egui::{vec2, Button, Id, Image, ImageSource, Key, Label, Modal, RichText, Ui};

use super::{emoticons, labelled_field, send, theme};
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

/// The accessible label of someone's picture (`jid` is a bare JID or a name).
pub fn label_of(name: &str) -> String {
    format!("Display picture of {name}")
}

/// The name egui knows a picture by.
fn uri_of(sha1: &str) -> String {
    format!("bytes://avatar/{sha1}.png")
}

/// The image of a picture (or the default one) `side` points square, named `label`.
pub fn image<'a>(avatar: Option<&Avatar>, side: f32, label: String) -> Image<'a> {
    let source = match avatar {
        Some(avatar) => ImageSource::Bytes {
            uri: uri_of(&avatar.sha1).into(),
            bytes: Bytes::Shared(avatar.png.clone()),
        },
        None => ImageSource::Bytes {
            uri: "bytes://avatar/default.png".into(),
            bytes: Bytes::Static(DEFAULT_PICTURE),
        },
    };
    Image::new(source)
        .fit_to_exact_size(vec2(side, side))
        .corner_radius(theme::SMALL_GAP)
        .alt_text(label)
}

/// The image of a built-in picture.
fn builtin_image(picture: &BuiltinPicture, side: f32) -> Image<'static> {
    Image::new(ImageSource::Bytes {
        uri: format!("bytes://builtin-avatar/{}.png", picture.name).into(),
        bytes: Bytes::Static(picture.png),
    })
    .fit_to_exact_size(vec2(side, side))
    .alt_text(picture.label)
}

/// Draws someone's picture `side` points square (`name`: their bare JID).
///
/// The image loaders are installed by the header ([`own_button`]), drawn first every frame.
pub fn show(ui: &mut Ui, avatar: Option<&Avatar>, side: f32, name: &str) {
    forget_replaced(ui.ctx(), name, avatar);
    ui.add(image(avatar, side, label_of(name)));
}

/// When someone's picture changed, lets egui drop the old one's bytes and texture (a picture
/// shared by several people is simply loaded again for the others).
fn forget_replaced(ctx: &egui::Context, name: &str, avatar: Option<&Avatar>) {
    let sha1 = avatar.map(|a| a.sha1.as_str());
    let replaced = ctx.data_mut(|d| {
        let shown = d.get_temp_mut_or_default::<std::collections::HashMap<String, String>>(
            Id::unique("avatars-shown"),
        );
        match (shown.get(name).map(String::as_str), sha1) {
            (old, new) if old == new => None,
            (_, Some(new)) => shown.insert(name.to_owned(), new.to_owned()),
            (_, None) => shown.remove(name),
        }
    });
    if let Some(old) = replaced {
        ctx.forget_image(&uri_of(&old));
    }
}

/// The user's own picture as a button; returns whether it was clicked (open the dialog).
pub fn own_button(ui: &mut Ui, avatar: Option<&Avatar>) -> bool {
    emoticons::install_image_loaders(ui.ctx());
    // Keyed apart from contacts' bare JIDs, which always contain no spaces.
    forget_replaced(ui.ctx(), OWN_LABEL, avatar);
    ui.add(Button::image(image(avatar, OWN_SIDE, OWN_LABEL.to_owned())).frame(false))
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
    emoticons::install_image_loaders(ctx);
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
        ui.add(image(
            own,
            OWN_SIDE * 2.0,
            "Your display picture".to_owned(),
        ));
        ui.add(Label::new("Contacts see this picture next to your name.").wrap());
    });
    ui.add_space(theme::SMALL_GAP);
    ui.label("Choose a picture:");
    egui::Grid::new("builtin-pictures").show(ui, |ui| {
        for (index, picture) in BUILTIN_PICTURES.iter().enumerate() {
            let clicked = ui
                .add(Button::image(builtin_image(picture, CHOICE_SIDE)))
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
