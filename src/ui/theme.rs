//! Design tokens: every colour, size and gap the window uses, in one place.

use egui::Color32;

use crate::model::Availability;

/// The window's initial size in points (a tall, narrow messenger window).
pub const WINDOW_SIZE: [f32; 2] = [360.0, 640.0];
/// The smallest size the window may be shrunk to.
pub const WINDOW_MIN_SIZE: [f32; 2] = [280.0, 400.0];

/// Gap between groups of controls.
pub const SECTION_GAP: f32 = 12.0;
/// Gap between a control and its label or neighbour.
pub const SMALL_GAP: f32 = 4.0;
/// Width of text fields on the sign-in screen.
pub const FORM_FIELD_WIDTH: f32 = 260.0;

/// Radius of the presence dot in the contact list.
pub const PRESENCE_DOT_RADIUS: f32 = 5.0;
/// Height of one contact row (name line plus status line).
pub const CONTACT_ROW_HEIGHT: f32 = 40.0;

/// Height assumed for a message row before it has been measured.
pub const MESSAGE_ROW_ESTIMATE: f32 = 44.0;
/// Rows of the message composer.
pub const COMPOSER_ROWS: usize = 3;

/// Width of a toast at the bottom right of the window.
pub const TOAST_WIDTH: f32 = 240.0;
/// Smallest height of a toast.
pub const TOAST_MIN_HEIGHT: f32 = 48.0;
/// Gap between toasts and between a toast and the window's edge.
pub const TOAST_GAP: f32 = 8.0;
/// How long a toast takes to slide in, in seconds.
pub const TOAST_SLIDE_SECONDS: f32 = 0.3;
/// Corner radius of a toast.
pub const TOAST_RADIUS: u8 = 6;
/// Widest the invitation dialog grows.
pub const DIALOG_WIDTH: f32 = 320.0;
/// Tallest the context data box of the invitation dialog grows before it scrolls.
pub const CONTEXT_BOX_HEIGHT: f32 = 120.0;

/// Background of a toast (the same in light and dark themes, like MSN's blue).
pub const TOAST_FILL: Color32 = Color32::from_rgb(0x24, 0x4f, 0x8f);
/// Border of a toast.
pub const TOAST_BORDER: Color32 = Color32::from_rgb(0x5b, 0x8d, 0xd6);
/// Text on a toast.
pub const TOAST_TEXT: Color32 = Color32::WHITE;

/// Colour of errors and failures.
pub const ERROR: Color32 = Color32::from_rgb(0xd0, 0x3b, 0x3b);
/// Colour of warnings and notices (reconnecting, problems).
pub const WARNING: Color32 = Color32::from_rgb(0xc9, 0x8a, 0x10);
/// Colour of the "is typing" line and other quiet hints.
pub const HINT: Color32 = Color32::from_rgb(0x80, 0x80, 0x80);
/// Colour of the user's own name above their messages.
pub const OWN_SENDER: Color32 = Color32::from_rgb(0x2a, 0x6f, 0xd6);
/// Colour of the contact's name above their messages.
pub const PEER_SENDER: Color32 = Color32::from_rgb(0x2e, 0x8b, 0x57);
/// Colour of a session that is still going on (ringing, starting, running).
pub const SESSION_LIVE: Color32 = Color32::from_rgb(0x2a, 0x6f, 0xd6);
/// Colour of the unread count.
pub const UNREAD: Color32 = Color32::from_rgb(0x2a, 0x6f, 0xd6);

/// Applies the window's style to a context.
pub fn apply(ctx: &egui::Context) {
    ctx.all_styles_mut(|style| {
        // A blinking cursor repaints twice a second for as long as a field has focus, and the
        // composer usually has it: a steady cursor keeps an idle window at zero repaints.
        style.visuals.text_cursor.blink = false;
    });
}

/// The colour of a presence dot.
pub fn presence_colour(availability: Availability) -> Color32 {
    match availability {
        Availability::Online => Color32::from_rgb(0x3c, 0xb3, 0x4a),
        Availability::Busy => Color32::from_rgb(0xd0, 0x3b, 0x3b),
        Availability::Away => Color32::from_rgb(0xe8, 0xa3, 0x17),
        Availability::AppearOffline | Availability::Offline => Color32::from_rgb(0x9a, 0x9a, 0x9a),
    }
}

/// Width kept beside the search box for the "Add contact" button.
pub const ADD_CONTACT_WIDTH: f32 = 100.0;
/// Space above a group's name in the contact list.
pub const GROUP_HEADER_TOP_GAP: f32 = 8.0;
/// Colour of the "blocked" mark beside a contact.
pub const BLOCKED: Color32 = Color32::from_rgb(0xd0, 0x3b, 0x3b);
/// Colour of the user's own status message.
pub const STATUS_TEXT: Color32 = Color32::from_rgb(0x5a, 0x6a, 0x80);
/// Width the settings window opens with.
pub const SETTINGS_WIDTH: f32 = 320.0;
/// Smallest and largest text size, as a zoom factor.
pub const TEXT_SCALE_RANGE: (f32, f32) = (0.75, 2.0);
/// Step of the text size slider.
pub const TEXT_SCALE_STEP: f64 = 0.05;
/// The initial size of a conversation window (or the tabbed conversations window).
pub const CONVERSATION_SIZE: [f32; 2] = [420.0, 480.0];
/// The smallest size a conversation window may be shrunk to.
pub const CONVERSATION_MIN_SIZE: [f32; 2] = [300.0, 300.0];
/// Colour of a nudge line in a conversation.
pub const NUDGE: Color32 = Color32::from_rgb(0xd0, 0x6a, 0x10);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_shown_availability_has_its_own_colour() {
        let colours = [
            Availability::Online,
            Availability::Busy,
            Availability::Away,
            Availability::Offline,
        ]
        .map(presence_colour);
        for (i, a) in colours.iter().enumerate() {
            for b in &colours[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
