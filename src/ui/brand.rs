//! Nudge's logo and wordmark: the window icon's two speech bubbles beside "Nudge" in semibold
//! Nudge blue, as the sign-in screen greets with them.

use egui::load::SizedTexture;
use egui::{vec2, Image, Label, Ui};

use super::{avatar, theme};

/// The accessible label of the logo picture.
pub const LOGO_LABEL: &str = "Nudge logo";
/// The wordmark's words (also its accessible label).
pub const WORDMARK: &str = "Nudge";

/// The logo (`assets/icon.png`, drawn by `scripts/make-assets` like the packaged SVG).
const LOGO_PNG: &[u8] = include_bytes!("../../assets/icon.png");

/// Draws the logo and the wordmark side by side, centred in `ui`'s width.
pub fn logo_and_wordmark(ui: &mut Ui) {
    let palette = theme::colours(ui);
    let words = theme::semibold(WORDMARK)
        .size(theme::TEXT_TITLE)
        .color(palette.accent_text);
    let galley = egui::WidgetText::from(words.clone()).into_galley(
        ui,
        Some(egui::TextWrapMode::Extend),
        f32::INFINITY,
        egui::TextStyle::Body,
    );
    let width = theme::LOGO_SIDE + theme::GAP + galley.size().x;
    let margin = ((ui.available_width() - width) / 2.0).max(0.0);
    ui.horizontal(|ui| {
        ui.add_space(margin);
        ui.spacing_mut().item_spacing.x = theme::GAP;
        if let Some(texture) = avatar::textures::texture(ui.ctx(), "nudge-logo", LOGO_PNG) {
            let side = vec2(theme::LOGO_SIDE, theme::LOGO_SIDE);
            ui.add(Image::from_texture(SizedTexture::new(texture.id(), side)).alt_text(LOGO_LABEL));
        }
        ui.add(Label::new(words).selectable(false));
    });
}
