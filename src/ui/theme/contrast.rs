//! WCAG 2 contrast: the ratio between two colours' relative luminances, and (in the tests) every
//! pair of colours the window draws one on the other, in both themes.
//!
//! <https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio>: text needs 4.5:1 against what is behind
//! it (AA, 1.4.3); large text and the graphics that show a control or a state (a field's
//! outline, a presence frame) need 3:1 (1.4.11).

use egui::Color32;

/// The contrast text needs against its background (WCAG AA).
pub const TEXT_CONTRAST: f64 = 4.5;
/// The contrast large text and meaningful graphics need against their background (WCAG AA).
pub const GRAPHICS_CONTRAST: f64 = 3.0;

/// A colour channel (0–255, sRGB) made linear.
fn linear(channel: u8) -> f64 {
    let c = f64::from(channel) / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// The relative luminance of an opaque colour, from 0 (black) to 1 (white).
fn relative_luminance(colour: Color32) -> f64 {
    0.2126 * linear(colour.r()) + 0.7152 * linear(colour.g()) + 0.0722 * linear(colour.b())
}

/// The contrast ratio of two opaque colours, from 1 (the same) to 21 (black on white).
pub fn contrast_ratio(a: Color32, b: Color32) -> f64 {
    let (a, b) = (relative_luminance(a), relative_luminance(b));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

#[cfg(test)]
mod tests {
    use egui::{Color32, Visuals};

    use super::super::{style, Palette, DARK, LIGHT};
    use super::*;

    /// What is drawn, on what, and the contrast it needs.
    struct Pair {
        what: &'static str,
        fg: Color32,
        bg: Color32,
        needs: f64,
    }

    fn text(what: &'static str, fg: Color32, bg: Color32) -> Pair {
        Pair {
            what,
            fg,
            bg,
            needs: TEXT_CONTRAST,
        }
    }

    fn graphic(what: &'static str, fg: Color32, bg: Color32) -> Pair {
        Pair {
            what,
            fg,
            bg,
            needs: GRAPHICS_CONTRAST,
        }
    }

    /// Every pair of tokens the window draws one on the other.
    fn token_pairs(p: &Palette) -> Vec<Pair> {
        let mut pairs = Vec::new();
        // Text is drawn on the window, the bands, fields, faint rows and buttons.
        for (ground, bg) in [
            ("window", p.window),
            ("band", p.band),
            ("field", p.field),
            ("faint row", p.faint),
        ] {
            pairs.push(text(ground, p.text, bg));
            pairs.push(text(ground, p.muted, bg));
            pairs.push(text(ground, p.accent_text, bg));
            pairs.push(text(ground, p.error, bg));
            pairs.push(text(ground, p.warning, bg));
            pairs.push(graphic(ground, p.control_border, bg));
            pairs.push(graphic(ground, p.accent, bg));
            for availability in [p.presence.online, p.presence.busy, p.presence.away] {
                pairs.push(graphic(ground, availability, bg));
            }
            pairs.push(graphic(ground, p.presence.offline, bg));
        }
        for bg in [p.button, p.button_hover, p.button_pressed] {
            pairs.push(text("button", p.text, bg));
        }
        // A conversation's lines, on the window.
        for fg in [p.own_sender, p.peer_sender, p.nudge] {
            pairs.push(text("conversation", fg, p.window));
        }
        // The own status message in the contact list's band.
        pairs.push(text("own status", p.status_text, p.band));
        pairs.push(text("selected", p.on_selection, p.selection));
        pairs.push(text("selected", p.text, p.selection));
        pairs.push(text("primary button", p.on_accent, p.accent));
        pairs.push(text("primary button", p.on_accent, p.accent_hover));
        pairs.push(text("toast", p.on_toast, p.toast));
        // The unread count's pill: accent on the window and the faint row under the pointer.
        pairs.push(text("unread pill", p.on_accent, p.accent));
        pairs
    }

    /// The pairs egui draws with the visuals built from a palette, read back from them: what
    /// the widgets actually show, whatever egui derives on its own.
    fn visuals_pairs(v: &Visuals) -> Vec<Pair> {
        let w = &v.widgets;
        let edit_bg = v.text_edit_bg_color();
        vec![
            text("label", v.text_color(), v.panel_fill),
            text("label in a window", v.text_color(), v.window_fill),
            text("weak text", v.weak_text_color(), v.panel_fill),
            text("weak text in a window", v.weak_text_color(), v.window_fill),
            text("a field's hint", v.weak_text_color(), edit_bg),
            text("typed text", w.inactive.text_color(), edit_bg),
            text("button", w.inactive.text_color(), w.inactive.weak_bg_fill),
            text(
                "button, hovered",
                w.hovered.text_color(),
                w.hovered.weak_bg_fill,
            ),
            text(
                "button, pressed",
                w.active.text_color(),
                w.active.weak_bg_fill,
            ),
            text("open menu button", w.open.text_color(), w.open.weak_bg_fill),
            text("selected", v.selection.stroke.color, v.selection.bg_fill),
            text("link", v.hyperlink_color, v.panel_fill),
            text("warning", v.warn_fg_color, v.panel_fill),
            text("error", v.error_fg_color, v.panel_fill),
            text("code", v.text_color(), v.code_bg_color),
            graphic(
                "a field's outline",
                w.inactive.bg_stroke.color,
                v.panel_fill,
            ),
            graphic("a focused field", v.selection.stroke.color, edit_bg),
            graphic(
                "a check box",
                w.inactive.fg_stroke.color,
                w.inactive.bg_fill,
            ),
            graphic("the text cursor", v.text_cursor.stroke.color, edit_bg),
        ]
    }

    fn failures(theme: &str, pairs: &[Pair]) -> Vec<String> {
        pairs
            .iter()
            .filter_map(|pair| {
                assert_eq!(
                    pair.fg.a(),
                    255,
                    "{theme} {}: opaque colours only",
                    pair.what
                );
                assert_eq!(
                    pair.bg.a(),
                    255,
                    "{theme} {}: opaque colours only",
                    pair.what
                );
                let ratio = contrast_ratio(pair.fg, pair.bg);
                (ratio < pair.needs).then(|| {
                    format!(
                        "{theme}, {}: {:?} on {:?} is {ratio:.2}:1, needs {}:1",
                        pair.what, pair.fg, pair.bg, pair.needs
                    )
                })
            })
            .collect()
    }

    #[test]
    fn the_ratio_matches_wcag_examples() {
        let ratio = |a, b| (contrast_ratio(a, b) * 100.0).round() / 100.0;
        assert_eq!(ratio(Color32::BLACK, Color32::WHITE), 21.0);
        assert_eq!(ratio(Color32::WHITE, Color32::WHITE), 1.0);
        // #767676 on white is the lightest grey that passes AA for text.
        assert_eq!(ratio(Color32::from_gray(0x76), Color32::WHITE), 4.54);
        assert_eq!(ratio(Color32::from_gray(0x77), Color32::WHITE), 4.48);
        assert_eq!(
            contrast_ratio(Color32::WHITE, Color32::from_rgb(0x1f, 0x6f, 0xeb)),
            contrast_ratio(Color32::from_rgb(0x1f, 0x6f, 0xeb), Color32::WHITE),
            "the order does not matter"
        );
    }

    #[test]
    fn every_token_pair_meets_wcag_aa_in_both_themes() {
        let mut failed = failures("light", &token_pairs(&LIGHT));
        failed.extend(failures("dark", &token_pairs(&DARK)));
        assert!(failed.is_empty(), "{}", failed.join("\n"));
    }

    #[test]
    fn what_egui_draws_with_the_themes_meets_wcag_aa() {
        let mut failed = Vec::new();
        for (theme, palette) in [("light", &LIGHT), ("dark", &DARK)] {
            let mut style = egui::Style::default();
            style::apply(&mut style, palette);
            assert_eq!(style.visuals.dark_mode, theme == "dark");
            failed.extend(failures(theme, &visuals_pairs(&style.visuals)));
        }
        assert!(failed.is_empty(), "{}", failed.join("\n"));
    }

    #[test]
    fn a_failing_pair_is_caught() {
        // The check itself: egui's stock grey hint on white would not pass.
        let grey_on_white = [text("hint", Color32::from_gray(0x80), Color32::WHITE)];
        assert_eq!(failures("check", &grey_on_white).len(), 1);
    }
}
