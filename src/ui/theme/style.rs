//! egui's style made from the tokens: the type scale, spacing, and a palette's colours on
//! every widget state. Only names from `theme` appear here, never a colour or size of its own.

use egui::style::{Selection, WidgetVisuals, Widgets};
use egui::{CornerRadius, FontFamily, FontId, Margin, Shadow, Stroke, Style, TextStyle};

use super::{
    semibold_family, Palette, BUTTON_PADDING, CONTROL_HEIGHT, FOCUS_OUTLINE_WIDTH,
    FOCUS_RING_WIDTH, ITEM_SPACING, MENU_ROWS, OUTLINE_WIDTH, POPUP_SHADOW, TEXT_BODY, TEXT_BUTTON,
    TEXT_HEADING, TEXT_MONO, TEXT_SMALL, WIDGET_RADIUS, WINDOW_MARGIN, WINDOW_RADIUS,
    WINDOW_SHADOW,
};

/// Makes `style` Nudge's, in the colours of `palette`.
pub(super) fn apply(style: &mut Style, palette: &Palette) {
    style.text_styles = [
        (
            TextStyle::Small,
            FontId::new(TEXT_SMALL, FontFamily::Proportional),
        ),
        (
            TextStyle::Body,
            FontId::new(TEXT_BODY, FontFamily::Proportional),
        ),
        (
            TextStyle::Button,
            FontId::new(TEXT_BUTTON, FontFamily::Proportional),
        ),
        (
            TextStyle::Heading,
            FontId::new(TEXT_HEADING, semibold_family()),
        ),
        (
            TextStyle::Monospace,
            FontId::new(TEXT_MONO, FontFamily::Monospace),
        ),
    ]
    .into();
    let spacing = &mut style.spacing;
    spacing.item_spacing = ITEM_SPACING.into();
    spacing.button_padding = BUTTON_PADDING.into();
    spacing.interact_size.y = CONTROL_HEIGHT;
    spacing.combo_height = CONTROL_HEIGHT * MENU_ROWS;
    spacing.window_margin = Margin::same(WINDOW_MARGIN as i8);
    style.visuals = visuals(palette, style.visuals.text_cursor.clone());
    // A blinking cursor repaints twice a second for as long as a field has focus, and the
    // composer usually has it: a steady cursor keeps an idle window at zero repaints.
    style.visuals.text_cursor.blink = false;
}

/// One widget state: `fill` behind it, `text` on it, `border` around it.
fn state(fill: egui::Color32, text: egui::Color32, border: Stroke) -> WidgetVisuals {
    WidgetVisuals {
        bg_fill: fill,
        weak_bg_fill: fill,
        bg_stroke: border,
        corner_radius: CornerRadius::same(WIDGET_RADIUS),
        fg_stroke: Stroke::new(OUTLINE_WIDTH, text),
        expansion: 0.0,
    }
}

fn visuals(p: &Palette, mut cursor: egui::style::TextCursorStyle) -> egui::Visuals {
    let dark_mode = p.dark;
    let mut v = if dark_mode {
        egui::Visuals::dark()
    } else {
        egui::Visuals::light()
    };
    let outline = Stroke::new(OUTLINE_WIDTH, p.control_border);
    let hovered_outline = Stroke::new(OUTLINE_WIDTH, p.accent);
    v.widgets = Widgets {
        noninteractive: state(p.window, p.text, Stroke::new(OUTLINE_WIDTH, p.separator)),
        // A check box or radio button's inside is a field; a button's is `weak_bg_fill`.
        inactive: WidgetVisuals {
            bg_fill: p.field,
            ..state(p.button, p.text, outline)
        },
        hovered: state(p.button_hover, p.text, hovered_outline),
        active: state(p.button_pressed, p.text, hovered_outline),
        open: state(p.button_pressed, p.text, outline),
    };
    v.override_text_color = None;
    v.weak_text_color = Some(p.muted);
    v.selection = Selection {
        bg_fill: p.selection,
        stroke: Stroke::new(FOCUS_OUTLINE_WIDTH, p.on_selection),
    };
    v.hyperlink_color = p.accent_text;
    v.faint_bg_color = p.faint;
    v.extreme_bg_color = p.field;
    v.text_edit_bg_color = Some(p.field);
    v.code_bg_color = p.faint;
    v.warn_fg_color = p.warning;
    v.error_fg_color = p.error;
    v.window_fill = p.window;
    v.panel_fill = p.window;
    v.window_stroke = Stroke::new(OUTLINE_WIDTH, p.separator);
    v.window_corner_radius = CornerRadius::same(WINDOW_RADIUS);
    v.menu_corner_radius = CornerRadius::same(WIDGET_RADIUS + 1);
    let shadow = |(down, blur): (i8, u8), color| Shadow {
        offset: [0, down],
        blur,
        spread: 0,
        color,
    };
    v.window_shadow = shadow(WINDOW_SHADOW, p.window_shadow);
    v.popup_shadow = shadow(POPUP_SHADOW, p.popup_shadow);
    cursor.stroke = Stroke::new(FOCUS_RING_WIDTH, p.accent);
    v.text_cursor = cursor;
    v.slider_trailing_fill = true;
    v.indent_has_left_vline = false;
    v
}

#[cfg(test)]
mod tests {
    use super::super::{DARK, LIGHT};
    use super::*;
    use egui::vec2;

    #[test]
    fn both_themes_share_the_type_scale_and_spacing() {
        let styled = |palette| {
            let mut style = Style::default();
            apply(&mut style, palette);
            style
        };
        let (light, dark) = (styled(&LIGHT), styled(&DARK));
        assert_eq!(light.text_styles, dark.text_styles);
        assert_eq!(
            light.spacing.item_spacing,
            vec2(ITEM_SPACING[0], ITEM_SPACING[1])
        );
        assert_eq!(
            light.text_styles[&TextStyle::Heading].family,
            semibold_family()
        );
        assert!(!light.visuals.dark_mode && dark.visuals.dark_mode);
        assert_eq!(light.visuals.panel_fill, LIGHT.window);
        assert_eq!(dark.visuals.panel_fill, DARK.window);
        assert!(
            !light.visuals.text_cursor.blink,
            "an idle window never repaints"
        );
    }
}
