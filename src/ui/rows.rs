//! A scrolling list of rows of different heights where only the visible rows are laid out.
//!
//! Each row's height is measured when it is drawn and remembered; rows never drawn count with
//! an estimate. This keeps a conversation of 100,000 messages cheap per frame.

use std::ops::Range;

use egui::{pos2, vec2, Rect, ScrollArea, Ui, UiBuilder};

/// Remembered row heights (including the gap after each row) for one list at one width.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RowHeights {
    width: f32,
    heights: Vec<f32>,
}

impl RowHeights {
    /// Keeps measurements while the width holds and rows were only added; new rows get `estimate`.
    pub fn prepare(&mut self, width: f32, rows: usize, estimate: f32) {
        if (self.width - width).abs() > 0.5 || rows < self.heights.len() {
            self.heights.clear();
            self.width = width;
        }
        self.heights.resize(rows, estimate);
    }

    /// The height of all rows together.
    pub fn total(&self) -> f32 {
        self.heights.iter().sum()
    }

    /// The rows that overlap `top..bottom`, and where the first of them starts.
    pub fn visible(&self, top: f32, bottom: f32) -> (Range<usize>, f32) {
        let mut y = 0.0;
        let mut start = self.heights.len();
        for (row, height) in self.heights.iter().enumerate() {
            if y + height > top {
                start = row;
                break;
            }
            y += height;
        }
        let first_y = y;
        let mut end = start;
        while end < self.heights.len() && y < bottom {
            y += self.heights[end];
            end += 1;
        }
        (start..end, first_y)
    }

    /// Records the measured height of a row.
    pub fn measured(&mut self, row: usize, height: f32) {
        if let Some(slot) = self.heights.get_mut(row) {
            *slot = height;
        }
    }
}

/// Shows `rows` rows in a scroll area that sticks to the bottom; `row_ui` draws one row.
///
/// `id_salt` keeps this list's scroll position apart from other lists drawn in the same place.
pub fn show_rows(
    ui: &mut Ui,
    id_salt: impl egui::AsIdSalt,
    heights: &mut RowHeights,
    rows: usize,
    estimate: f32,
    mut row_ui: impl FnMut(&mut Ui, usize),
) {
    ScrollArea::vertical()
        .id_salt(id_salt)
        .auto_shrink(false)
        .stick_to_bottom(true)
        .show_viewport(ui, |ui, viewport| {
            let width = ui.available_width();
            let gap = ui.spacing().item_spacing.y;
            heights.prepare(width, rows, estimate);
            ui.set_height(heights.total());
            let origin = ui.max_rect().left_top();
            let (range, mut y) = heights.visible(viewport.min.y, viewport.max.y);
            for row in range {
                let rect = Rect::from_min_size(pos2(origin.x, origin.y + y), vec2(width, estimate));
                let builder = UiBuilder::new().max_rect(rect).id_salt(row);
                let drawn = ui.scope_builder(builder, |ui| row_ui(ui, row)).response;
                let height = drawn.rect.height() + gap;
                heights.measured(row, height);
                y += height;
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(heights: &[f32]) -> RowHeights {
        let mut list = RowHeights::default();
        list.prepare(100.0, heights.len(), 0.0);
        for (row, h) in heights.iter().enumerate() {
            list.measured(row, *h);
        }
        list
    }

    #[test]
    fn only_overlapping_rows_are_visible() {
        let list = rows(&[10.0, 20.0, 30.0, 40.0]);
        assert_eq!(list.total(), 100.0);
        assert_eq!(list.visible(0.0, 5.0), (0..1, 0.0));
        assert_eq!(list.visible(15.0, 35.0), (1..3, 10.0));
        assert_eq!(list.visible(60.0, 1000.0), (3..4, 60.0));
        assert_eq!(list.visible(100.0, 200.0), (4..4, 100.0));
    }

    #[test]
    fn new_rows_get_the_estimate_and_a_new_width_forgets_measurements() {
        let mut list = rows(&[10.0, 20.0]);
        list.prepare(100.0, 3, 7.0);
        assert_eq!(
            list.total(),
            37.0,
            "measured rows kept, the new one estimated"
        );
        list.prepare(200.0, 3, 7.0);
        assert_eq!(list.total(), 21.0);
    }
}
