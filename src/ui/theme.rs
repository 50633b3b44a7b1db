//! Design tokens: every colour, size, gap and typeface the window uses, in one place.
//!
//! Colours come in two palettes, [`LIGHT`] (the default, as Messenger was) and [`DARK`]; code
//! that draws asks for the palette of the theme it draws in with [`colours`]. egui's own widgets
//! get the same tokens through [`apply`] (`style`), the bundled typeface through `fonts`, and
//! `contrast` holds the unit test that every text and graphic meets WCAG AA on what it is drawn
//! on, in both themes.

mod contrast;
mod fonts;
mod style;

use egui::{Color32, FontFamily, RichText, Ui};

use crate::model::Availability;

pub use contrast::{contrast_ratio, GRAPHICS_CONTRAST, TEXT_CONTRAST};

/// The window's initial size in points (a tall, narrow messenger window).
pub const WINDOW_SIZE: [f32; 2] = [360.0, 640.0];
/// The smallest size the window may be shrunk to.
pub const WINDOW_MIN_SIZE: [f32; 2] = [280.0, 400.0];

// ---- Type scale: Open Sans, regular and semibold (assets/fonts/). ----

/// Small print: times, hints under fields, status messages in the list.
pub const TEXT_SMALL: f32 = 11.5;
/// Body text, labels and fields.
pub const TEXT_BODY: f32 = 13.5;
/// Text on buttons.
pub const TEXT_BUTTON: f32 = 13.5;
/// Dialog and section headings (semibold).
pub const TEXT_HEADING: f32 = 18.0;
/// The "Nudge" wordmark on the sign-in screen (semibold).
pub const TEXT_TITLE: f32 = 28.0;
/// The user's own name at the top of the contact list (semibold).
pub const TEXT_OWN_NAME: f32 = 16.0;
/// Code-like text: certificate fingerprints, addresses to copy.
pub const TEXT_MONO: f32 = 12.5;

/// The name of the semibold family, for names and headings.
pub const SEMIBOLD_FAMILY: &str = "Nudge semibold";

/// The semibold family (names, headings, "Bob says:").
pub fn semibold_family() -> FontFamily {
    FontFamily::Name(SEMIBOLD_FAMILY.into())
}

/// `text` set in the semibold face at the size its style gives it.
pub fn semibold(text: impl Into<String>) -> RichText {
    RichText::new(text).family(semibold_family())
}

// ---- Spacing ----

/// Gap between groups of controls.
pub const SECTION_GAP: f32 = 12.0;
/// Gap between a control and its label or neighbour.
pub const SMALL_GAP: f32 = 4.0;
/// Gap between related controls in a row or a column.
pub const GAP: f32 = 8.0;
/// Gap around the sign-in screen's parts (logo, picture, form).
pub const LARGE_GAP: f32 = 24.0;
/// Space between widgets, as egui's `item_spacing`.
pub const ITEM_SPACING: [f32; 2] = [8.0, 6.0];
/// Space inside a button around its text.
pub const BUTTON_PADDING: [f32; 2] = [10.0, 4.0];
/// The least height of a control, and of a row of them (buttons grow by their padding).
pub const CONTROL_HEIGHT: f32 = 20.0;
/// Inner margin of windows and dialogs.
pub const WINDOW_MARGIN: f32 = 12.0;
/// Inner margin of the bands at the top of the contact list and of a conversation.
pub const BAND_MARGIN: f32 = 10.0;
/// Corner radius of buttons and fields.
pub const WIDGET_RADIUS: u8 = 5;
/// Corner radius of windows, dialogs and menus.
pub const WINDOW_RADIUS: u8 = 10;
/// Width of outlines: fields, buttons, separators, toasts, the line inside a picture frame.
pub const OUTLINE_WIDTH: f32 = 1.0;
/// Width of a focused field's outline.
pub const FOCUS_OUTLINE_WIDTH: f32 = 1.5;
/// Width of the ring around a contact row reached with Tab, and of the text cursor.
pub const FOCUS_RING_WIDTH: f32 = 2.0;
/// How far down a window's shadow falls, and how soft it is.
pub const WINDOW_SHADOW: (i8, u8) = (6, 18);
/// How far down a menu's shadow falls, and how soft it is.
pub const POPUP_SHADOW: (i8, u8) = (3, 10);
/// Most rows a drop-down menu shows before it scrolls.
pub const MENU_ROWS: f32 = 8.0;

/// Width of text fields on the sign-in screen.
pub const FORM_FIELD_WIDTH: f32 = 260.0;
/// Width of the sign-in screen's centred column.
pub const SIGN_IN_WIDTH: f32 = 260.0;
/// Side of the display picture on the sign-in screen.
pub const SIGN_IN_PICTURE_SIDE: f32 = 96.0;
/// Side of the logo beside the wordmark on the sign-in screen.
pub const LOGO_SIDE: f32 = 40.0;

// ---- Display picture frames (as Messenger's: coloured by presence, glossy at the top) ----

/// Width of a picture's frame: a twelfth of the picture's side, never thinner than this.
pub const FRAME_MIN_WIDTH: f32 = 2.5;
/// Corner radius of a frame around a picture of 48 points (scaled with the side).
pub const FRAME_RADIUS_AT_48: f32 = 9.0;
/// The gloss on a frame's upper half: white over a quarter of the colour (premultiplied).
pub const FRAME_GLOSS: Color32 = Color32::from_rgba_premultiplied(70, 70, 70, 70);
/// The fine line between a frame and its picture.
pub const FRAME_INNER_LINE: Color32 = Color32::from_black_alpha(60);

/// The width of the frame around a picture `side` points square.
pub fn frame_width(side: f32) -> f32 {
    (side / 12.0).max(FRAME_MIN_WIDTH)
}

// ---- The contact list ----

/// Radius of the presence dot (beside a name in a conversation's header).
pub const PRESENCE_DOT_RADIUS: f32 = 5.0;
/// Height of one contact row (framed picture, name line, status line).
pub const CONTACT_ROW_HEIGHT: f32 = 44.0;
/// Side of an unread count's pill: its height, and its smallest width.
pub const PILL_HEIGHT: f32 = 18.0;
/// Width kept beside the search box for the "Add contact" button.
pub const ADD_CONTACT_WIDTH: f32 = 104.0;
/// Space above a group's name in the contact list.
pub const GROUP_HEADER_TOP_GAP: f32 = 8.0;

// ---- Conversations ----

/// Height assumed for a message row before it has been measured.
pub const MESSAGE_ROW_ESTIMATE: f32 = 44.0;
/// Rows of the message composer.
pub const COMPOSER_ROWS: usize = 3;
/// The initial size of a conversation window (or the tabbed conversations window).
pub const CONVERSATION_SIZE: [f32; 2] = [460.0, 560.0];
/// The smallest size a conversation window may be shrunk to.
pub const CONVERSATION_MIN_SIZE: [f32; 2] = [320.0, 320.0];

// ---- Toasts and dialogs ----

/// Width of a toast at the bottom right of the window.
pub const TOAST_WIDTH: f32 = 240.0;
/// Smallest height of a toast.
pub const TOAST_MIN_HEIGHT: f32 = 48.0;
/// Gap between toasts and between a toast and the window's edge.
pub const TOAST_GAP: f32 = 8.0;
/// How long a toast takes to slide in, in seconds.
pub const TOAST_SLIDE_SECONDS: f32 = 0.3;
/// Corner radius of a toast.
pub const TOAST_RADIUS: u8 = 8;
/// Widest the invitation dialog grows.
pub const DIALOG_WIDTH: f32 = 320.0;
/// Tallest the context data box of the invitation dialog grows before it scrolls.
pub const CONTEXT_BOX_HEIGHT: f32 = 120.0;
/// Width the settings window opens with.
pub const SETTINGS_WIDTH: f32 = 320.0;
/// Height the settings window opens with (less where the window is smaller).
pub const SETTINGS_HEIGHT: f32 = 560.0;
/// Smallest and largest text size, as a zoom factor.
pub const TEXT_SCALE_RANGE: (f32, f32) = (0.75, 2.0);
/// Step of the text size slider.
pub const TEXT_SCALE_STEP: f64 = 0.05;

// ---- Colours ----

/// The colours of presence: picture frames, dots, the tray's light.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PresenceColours {
    /// Online.
    pub online: Color32,
    /// Busy.
    pub busy: Color32,
    /// Away ("Be right back").
    pub away: Color32,
    /// Offline, or appearing offline.
    pub offline: Color32,
}

/// Every colour of one theme, named by what it is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Palette {
    /// Whether it is a dark theme (light text on dark grounds).
    pub dark: bool,
    /// Behind the contact list, conversations, dialogs and menus.
    pub window: Color32,
    /// The bands at the top of the contact list and of a conversation.
    pub band: Color32,
    /// Inside text fields.
    pub field: Color32,
    /// A row under the pointer; striped lines.
    pub faint: Color32,
    /// A button at rest.
    pub button: Color32,
    /// A button under the pointer.
    pub button_hover: Color32,
    /// A button being pressed.
    pub button_pressed: Color32,
    /// Lines between areas (decoration only).
    pub separator: Color32,
    /// The outline of fields, check boxes and buttons (a graphic: it shows where a control is).
    pub control_border: Color32,
    /// Text.
    pub text: Color32,
    /// Quieter text: hints, times, status messages, "is typing…".
    pub muted: Color32,
    /// Nudge blue: the primary button, the text cursor, focus.
    pub accent: Color32,
    /// The primary button under the pointer or pressed.
    pub accent_hover: Color32,
    /// Text on the accent colour.
    pub on_accent: Color32,
    /// Text in Nudge blue on the window: unread counts, links, live sessions.
    pub accent_text: Color32,
    /// Behind selected text and the selected row or tab.
    pub selection: Color32,
    /// Text on the selection.
    pub on_selection: Color32,
    /// Errors and failures.
    pub error: Color32,
    /// Warnings and notices (reconnecting, problems).
    pub warning: Color32,
    /// The user's own name above their messages.
    pub own_sender: Color32,
    /// The contact's name above their messages.
    pub peer_sender: Color32,
    /// A nudge line in a conversation.
    pub nudge: Color32,
    /// The user's own status message.
    pub status_text: Color32,
    /// Presence.
    pub presence: PresenceColours,
    /// The shadow under windows and dialogs.
    pub window_shadow: Color32,
    /// The shadow under menus and tooltips.
    pub popup_shadow: Color32,
    /// Behind a toast (Messenger's blue pop-up, the same in both themes).
    pub toast: Color32,
    /// A toast's border.
    pub toast_border: Color32,
    /// Text on a toast.
    pub on_toast: Color32,
}

/// Messenger blue, the colour of the logo.
pub const BRAND_BLUE: Color32 = Color32::from_rgb(0x1f, 0x6f, 0xeb);

const TOAST: Color32 = Color32::from_rgb(0x1f, 0x4f, 0x99);
const TOAST_BORDER: Color32 = Color32::from_rgb(0x5b, 0x8d, 0xd6);
const ACCENT_HOVER: Color32 = Color32::from_rgb(0x1a, 0x5f, 0xd0);

/// The light theme: white and Messenger's pale blue, the default.
pub const LIGHT: Palette = Palette {
    dark: false,
    window: Color32::from_rgb(0xff, 0xff, 0xff),
    band: Color32::from_rgb(0xea, 0xf2, 0xfc),
    field: Color32::from_rgb(0xff, 0xff, 0xff),
    faint: Color32::from_rgb(0xf1, 0xf5, 0xfb),
    button: Color32::from_rgb(0xe6, 0xed, 0xf6),
    button_hover: Color32::from_rgb(0xd9, 0xe4, 0xf2),
    button_pressed: Color32::from_rgb(0xc9, 0xd8, 0xec),
    separator: Color32::from_rgb(0xd5, 0xdd, 0xe8),
    control_border: Color32::from_rgb(0x7d, 0x8a, 0x9b),
    text: Color32::from_rgb(0x1a, 0x23, 0x32),
    muted: Color32::from_rgb(0x56, 0x62, 0x73),
    accent: BRAND_BLUE,
    accent_hover: ACCENT_HOVER,
    on_accent: Color32::WHITE,
    accent_text: Color32::from_rgb(0x14, 0x59, 0xc7),
    selection: Color32::from_rgb(0xcf, 0xe1, 0xfb),
    on_selection: Color32::from_rgb(0x0f, 0x2a, 0x52),
    error: Color32::from_rgb(0xc6, 0x28, 0x28),
    warning: Color32::from_rgb(0x9a, 0x5b, 0x00),
    own_sender: Color32::from_rgb(0x14, 0x59, 0xc7),
    peer_sender: Color32::from_rgb(0x1d, 0x7a, 0x3e),
    nudge: Color32::from_rgb(0xb4, 0x49, 0x0c),
    status_text: Color32::from_rgb(0x45, 0x56, 0x6e),
    presence: PresenceColours {
        online: Color32::from_rgb(0x2e, 0x9d, 0x3f),
        busy: Color32::from_rgb(0xd6, 0x3a, 0x3a),
        away: Color32::from_rgb(0xb8, 0x74, 0x00),
        offline: Color32::from_rgb(0x7b, 0x87, 0x94),
    },
    window_shadow: Color32::from_black_alpha(40),
    popup_shadow: Color32::from_black_alpha(30),
    toast: TOAST,
    toast_border: TOAST_BORDER,
    on_toast: Color32::WHITE,
};

/// The dark theme: blue-grey night colours with the same blue.
pub const DARK: Palette = Palette {
    dark: true,
    window: Color32::from_rgb(0x18, 0x1c, 0x22),
    band: Color32::from_rgb(0x20, 0x27, 0x31),
    field: Color32::from_rgb(0x10, 0x14, 0x1a),
    faint: Color32::from_rgb(0x1f, 0x25, 0x2d),
    button: Color32::from_rgb(0x2c, 0x34, 0x3f),
    button_hover: Color32::from_rgb(0x36, 0x40, 0x4d),
    button_pressed: Color32::from_rgb(0x41, 0x4d, 0x5c),
    separator: Color32::from_rgb(0x2f, 0x37, 0x42),
    control_border: Color32::from_rgb(0x6b, 0x76, 0x84),
    text: Color32::from_rgb(0xe8, 0xed, 0xf3),
    muted: Color32::from_rgb(0xa3, 0xad, 0xb9),
    accent: BRAND_BLUE,
    accent_hover: ACCENT_HOVER,
    on_accent: Color32::WHITE,
    accent_text: Color32::from_rgb(0x6f, 0xa8, 0xff),
    selection: Color32::from_rgb(0x24, 0x4a, 0x7c),
    on_selection: Color32::WHITE,
    error: Color32::from_rgb(0xff, 0x7b, 0x72),
    warning: Color32::from_rgb(0xe3, 0xb3, 0x41),
    own_sender: Color32::from_rgb(0x79, 0xb0, 0xff),
    peer_sender: Color32::from_rgb(0x5f, 0xcf, 0x86),
    nudge: Color32::from_rgb(0xff, 0x9d, 0x57),
    status_text: Color32::from_rgb(0xb4, 0xc2, 0xd4),
    presence: PresenceColours {
        online: Color32::from_rgb(0x3f, 0xb9, 0x50),
        busy: Color32::from_rgb(0xf8, 0x51, 0x49),
        away: Color32::from_rgb(0xe3, 0xa0, 0x08),
        offline: Color32::from_rgb(0x7d, 0x88, 0x95),
    },
    window_shadow: Color32::from_black_alpha(110),
    popup_shadow: Color32::from_black_alpha(90),
    toast: TOAST,
    toast_border: TOAST_BORDER,
    on_toast: Color32::WHITE,
};

/// The palette of the light or the dark theme.
pub fn palette(dark_mode: bool) -> &'static Palette {
    if dark_mode {
        &DARK
    } else {
        &LIGHT
    }
}

/// The palette of the theme `ui` draws in.
pub fn colours(ui: &Ui) -> &'static Palette {
    palette(ui.visuals().dark_mode)
}

impl Palette {
    /// The colour of a presence: a picture's frame, a dot.
    pub fn presence_of(&self, availability: Availability) -> Color32 {
        let presence = &self.presence;
        match availability {
            Availability::Online => presence.online,
            Availability::Busy => presence.busy,
            Availability::Away => presence.away,
            Availability::AppearOffline | Availability::Offline => presence.offline,
        }
    }
}

/// The colour of a presence in the light theme (the tray's light, which has no theme).
pub fn presence_colour(availability: Availability) -> Color32 {
    LIGHT.presence_of(availability)
}

/// Gives a context Nudge's typeface and both themes' styles. The theme shown is chosen by
/// the settings (`settings::apply_looks`); until they arrive, egui follows the desktop.
pub fn apply(ctx: &egui::Context) {
    ctx.set_fonts(fonts::definitions());
    for (theme, palette) in [(egui::Theme::Light, &LIGHT), (egui::Theme::Dark, &DARK)] {
        ctx.style_mut_of(theme, |style| style::apply(style, palette));
    }
}

/// A button in Nudge blue for the one thing a screen is for (Sign in, Send, Accept): white
/// text on the accent colour, darker under the pointer.
/// `min_width` widens it (the sign-in screen's fills its column); 0 fits the text.
pub fn primary_button(ui: &mut Ui, text: &str, min_width: f32) -> egui::Response {
    let palette = colours(ui);
    ui.scope(|ui| {
        let widgets = &mut ui.visuals_mut().widgets;
        for (state, fill) in [
            (&mut widgets.inactive, palette.accent),
            (&mut widgets.hovered, palette.accent_hover),
            (&mut widgets.active, palette.accent_hover),
        ] {
            state.weak_bg_fill = fill;
            state.bg_fill = fill;
            state.bg_stroke = egui::Stroke::NONE;
            state.fg_stroke.color = palette.on_accent;
        }
        // Grown on both sides: the words stay in the middle of a wide button.
        let atoms = (egui::Atom::grow(), semibold(text), egui::Atom::grow());
        ui.add(egui::Button::new(atoms).min_size(egui::vec2(min_width, CONTROL_HEIGHT)))
    })
    .inner
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_shown_availability_has_its_own_colour_in_each_theme() {
        for palette in [&LIGHT, &DARK] {
            let colours = [
                Availability::Online,
                Availability::Busy,
                Availability::Away,
                Availability::Offline,
            ]
            .map(|a| palette.presence_of(a));
            for (i, a) in colours.iter().enumerate() {
                for b in &colours[i + 1..] {
                    assert_ne!(a, b);
                }
            }
        }
    }

    #[test]
    fn frames_grow_with_the_picture_but_never_vanish() {
        assert_eq!(frame_width(96.0), 8.0);
        assert_eq!(frame_width(24.0), FRAME_MIN_WIDTH);
    }
}
