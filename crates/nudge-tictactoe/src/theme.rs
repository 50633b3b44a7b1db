//! The game window's design tokens: every gap and colour it uses, in one place. They match
//! Nudge's own window, so the game looks at home beside it.

use egui::Color32;

/// Gap between groups of controls.
pub const SECTION_GAP: f32 = 12.0;
/// Gap between a control and its label or neighbour.
pub const SMALL_GAP: f32 = 4.0;
/// Colour of errors and failures.
pub const ERROR: Color32 = Color32::from_rgb(0xd0, 0x3b, 0x3b);
/// Colour of warnings and notices.
pub const WARNING: Color32 = Color32::from_rgb(0xc9, 0x8a, 0x10);
/// Colour of quiet hints.
pub const HINT: Color32 = Color32::from_rgb(0x80, 0x80, 0x80);

/// Applies the look to a new window.
pub fn apply(ctx: &egui::Context) {
    ctx.all_styles_mut(|style| {
        // A blinking cursor would repaint twice a second; a steady one keeps an idle window at
        // zero repaints.
        style.visuals.text_cursor.blink = false;
    });
}
