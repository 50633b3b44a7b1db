//! A scrolling list of rows of different heights where only the visible rows are laid out.
//!
//! Each row's height is measured when it is drawn and remembered; rows never drawn count with
//! an estimate. The heights are kept in a Fenwick tree (running sums), so finding the rows on
//! screen, the total height, and recording a measurement each cost O(log n): a conversation of
//! 100,000 messages costs no more per frame than one of a hundred.

use std::ops::Range;

use egui::{pos2, vec2, Rect, ScrollArea, Ui, UiBuilder};

/// Remembered row heights (including the gap after each row) for one list at one width.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RowHeights {
    width: f32,
    /// Each row's height.
    heights: Vec<f32>,
    /// Fenwick tree over `heights`: entry `i` (1-based) sums the `i & i.wrapping_neg()` rows
    /// ending at row `i`. Sums are f64, which adds f32 heights exactly at any realistic length.
    sums: Vec<f64>,
}

impl RowHeights {
    /// Keeps measurements while the width holds and rows were only added; new rows get `estimate`.
    pub fn prepare(&mut self, width: f32, rows: usize, estimate: f32) {
        if (self.width - width).abs() > 0.5 || rows < self.heights.len() {
            // Every row is estimated again: build the tree in one pass (a resize does this
            // on every frame of the drag).
            self.width = width;
            self.heights.clear();
            self.heights.resize(rows, estimate);
            self.build();
        }
        while self.heights.len() < rows {
            self.push(estimate);
        }
    }

    /// Builds the sums from `heights` in O(n): each entry passes its sum on to its parent.
    fn build(&mut self) {
        self.sums.clear();
        self.sums.extend(self.heights.iter().map(|h| f64::from(*h)));
        for i in 1..=self.sums.len() {
            let parent = i + (i & i.wrapping_neg());
            if parent <= self.sums.len() {
                self.sums[parent - 1] += self.sums[i - 1];
            }
        }
    }

    /// The height of all rows together.
    pub fn total(&self) -> f32 {
        self.before(self.heights.len()) as f32
    }

    /// The rows that overlap `top..bottom`, and where the first of them starts.
    pub fn visible(&self, top: f32, bottom: f32) -> (Range<usize>, f32) {
        // The first row ending below `top`; rows only start where the previous one ends.
        let start = self.count_while(|y| y <= f64::from(top));
        let end = (self.count_while(|y| y < f64::from(bottom)) + 1).min(self.heights.len());
        (start..end.max(start), self.before(start) as f32)
    }

    /// Records the measured height of a row.
    pub fn measured(&mut self, row: usize, height: f32) {
        let Some(slot) = self.heights.get_mut(row) else {
            return;
        };
        let change = f64::from(height) - f64::from(*slot);
        *slot = height;
        if change == 0.0 {
            return;
        }
        let mut i = row + 1;
        while i <= self.sums.len() {
            self.sums[i - 1] += change;
            i += i & i.wrapping_neg();
        }
    }

    /// Adds a row at the end.
    fn push(&mut self, height: f32) {
        let i = self.sums.len() + 1;
        // Entry `i` covers rows (i - lowbit(i), i]: this row plus entries already built.
        let mut sum = f64::from(height);
        let mut j = i - 1;
        let floor = i - (i & i.wrapping_neg());
        while j > floor {
            sum += self.sums[j - 1];
            j -= j & j.wrapping_neg();
        }
        self.heights.push(height);
        self.sums.push(sum);
    }

    /// The height of the first `rows` rows together.
    fn before(&self, rows: usize) -> f64 {
        let mut sum = 0.0;
        let mut i = rows.min(self.sums.len());
        while i > 0 {
            sum += self.sums[i - 1];
            i -= i & i.wrapping_neg();
        }
        sum
    }

    /// The most rows whose heights together still satisfy `fits` (heights are never negative,
    /// so the running sum only grows and the answer is found by descending the tree).
    fn count_while(&self, fits: impl Fn(f64) -> bool) -> usize {
        let len = self.sums.len();
        let mut count = 0;
        let mut sum = 0.0;
        let mut step = if len == 0 { 0 } else { 1 << len.ilog2() };
        while step > 0 {
            let next = count + step;
            if next <= len && fits(sum + self.sums[next - 1]) {
                count = next;
                sum += self.sums[next - 1];
            }
            step >>= 1;
        }
        count
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

    /// The rows overlapping `top..bottom` found by walking every row, as the tree must match.
    fn walk(heights: &[f32], top: f32, bottom: f32) -> (Range<usize>, f32) {
        let mut y = 0.0;
        let mut start = heights.len();
        for (row, height) in heights.iter().enumerate() {
            if y + height > top {
                start = row;
                break;
            }
            y += height;
        }
        let first_y = y;
        let mut end = start;
        while end < heights.len() && y < bottom {
            y += heights[end];
            end += 1;
        }
        (start..end, first_y)
    }

    #[test]
    fn the_tree_agrees_with_walking_the_rows_after_any_measurements() {
        let mut seed: u32 = 12_345;
        let mut next = move |below: u32| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (seed >> 16) % below
        };
        for len in [0, 1, 2, 3, 7, 8, 9, 31, 100] {
            let mut list = RowHeights::default();
            list.prepare(300.0, len, 18.0);
            let mut heights = vec![18.0; len];
            for _ in 0..40 {
                if len > 0 {
                    let row = next(len as u32) as usize;
                    // Zero-height rows and half points happen (an empty row, a scaled font).
                    let height = next(60) as f32 / 2.0;
                    list.measured(row, height);
                    heights[row] = height;
                }
                assert_eq!(list.total(), heights.iter().sum::<f32>());
                let top = next(1000) as f32 / 2.0;
                let bottom = top + next(300) as f32 / 2.0;
                assert_eq!(
                    list.visible(top, bottom),
                    walk(&heights, top, bottom),
                    "{len} rows, {top}..{bottom}"
                );
                // Exactly at a row's edge.
                let edge = heights[..len / 2].iter().sum::<f32>();
                assert_eq!(
                    list.visible(edge, edge + 1.0),
                    walk(&heights, edge, edge + 1.0)
                );
            }
        }
    }

    #[test]
    fn a_new_width_estimates_every_row_again() {
        let mut list = rows(&[10.0, 20.0, 30.0, 40.0, 50.0]);
        list.prepare(250.0, 7, 3.0);
        assert_eq!(list.total(), 21.0);
        list.measured(4, 10.0);
        assert_eq!(list.visible(12.0, 13.0), (4..5, 12.0));
        assert_eq!(list.visible(22.0, 23.0), (5..6, 22.0));
    }

    #[test]
    fn rows_added_later_extend_the_sums() {
        let mut list = rows(&[10.0, 20.0, 30.0]);
        for extra in 4..=20 {
            list.prepare(100.0, extra, 5.0);
        }
        list.measured(19, 1.0);
        assert_eq!(list.total(), 60.0 + 16.0 * 5.0 + 1.0);
        assert_eq!(list.visible(140.0, 140.5), (19..20, 140.0));
        assert_eq!(list.visible(139.5, 140.0), (18..19, 135.0));
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
