//! The typeface: Open Sans, regular and semibold, bundled in `assets/fonts/` with its licence.
//!
//! Open Sans was drawn by Steve Matteson, who also drew Segoe UI, Messenger's typeface on
//! Windows; it reads well at small sizes on any screen. egui's own fonts stay behind it, for
//! the scripts Open Sans lacks and for emoji.

use std::sync::Arc;

use egui::{FontData, FontDefinitions, FontFamily};

use super::semibold_family;

const REGULAR: &[u8] = include_bytes!("../../../assets/fonts/OpenSans-Regular.ttf");
const SEMIBOLD: &[u8] = include_bytes!("../../../assets/fonts/OpenSans-Semibold.ttf");

const REGULAR_NAME: &str = "OpenSans-Regular";
const SEMIBOLD_NAME: &str = "OpenSans-Semibold";

/// egui's fonts with Open Sans first for text, and a semibold family for names and headings.
pub(super) fn definitions() -> FontDefinitions {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(
        REGULAR_NAME.to_owned(),
        Arc::new(FontData::from_static(REGULAR)),
    );
    fonts.font_data.insert(
        SEMIBOLD_NAME.to_owned(),
        Arc::new(FontData::from_static(SEMIBOLD)),
    );
    let fallbacks = fonts
        .families
        .get(&FontFamily::Proportional)
        .cloned()
        .unwrap_or_default();
    let family = |first: &str| {
        std::iter::once(first.to_owned())
            .chain(fallbacks.iter().cloned())
            .collect::<Vec<_>>()
    };
    fonts
        .families
        .insert(FontFamily::Proportional, family(REGULAR_NAME));
    fonts
        .families
        .insert(semibold_family(), family(SEMIBOLD_NAME));
    fonts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_set_in_open_sans_with_egui_fonts_behind_it() {
        let fonts = definitions();
        let proportional = &fonts.families[&FontFamily::Proportional];
        assert_eq!(proportional[0], REGULAR_NAME);
        assert_eq!(fonts.families[&semibold_family()][0], SEMIBOLD_NAME);
        // The emoji and symbol fallbacks are still there, after the text face.
        let stock = FontDefinitions::default();
        for name in &stock.families[&FontFamily::Proportional] {
            assert!(proportional.contains(name), "{name} kept as a fallback");
        }
    }

    #[test]
    fn the_bundled_files_are_truetype_fonts() {
        for file in [REGULAR, SEMIBOLD] {
            assert_eq!(&file[..4], &[0, 1, 0, 0], "a TrueType font's signature");
        }
    }
}
