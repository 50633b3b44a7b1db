//! Short notes shown as toasts for a few seconds ("Bob cancelled the invitation").
//!
//! Each note's clock starts on the first frame after it was added, so a note that arrived while
//! the window was hidden is still seen for its full time.

/// How long a note stays on screen, in seconds.
pub const NOTICE_SECONDS: f64 = 6.0;

/// One note.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    /// Unique among the notes of this window (it keys the toast's animation).
    pub id: u64,
    /// The words shown.
    pub text: String,
    /// When it goes away (egui time, seconds); `None` until its first frame.
    pub expires_at: Option<f64>,
}

/// The notes on screen, oldest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Notices {
    next_id: u64,
    shown: Vec<Notice>,
}

impl Notices {
    /// Adds a note.
    pub fn push(&mut self, text: String) {
        self.shown.push(Notice {
            id: self.next_id,
            text,
            expires_at: None,
        });
        self.next_id += 1;
    }

    /// The notes on screen, oldest first.
    pub fn shown(&self) -> &[Notice] {
        &self.shown
    }

    /// Removes a note (the user clicked it).
    pub fn dismiss(&mut self, id: u64) {
        self.shown.retain(|n| n.id != id);
    }

    /// Starts the clock of new notes and drops the notes whose time ran out at `now`.
    pub fn tick(&mut self, now: f64) {
        for notice in &mut self.shown {
            notice.expires_at.get_or_insert(now + NOTICE_SECONDS);
        }
        self.shown
            .retain(|n| n.expires_at.is_none_or(|at| at > now));
    }

    /// When the next note goes away, if any is shown.
    pub fn next_deadline(&self) -> Option<f64> {
        self.shown
            .iter()
            .filter_map(|n| n.expires_at)
            .min_by(f64::total_cmp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_lives_its_full_time_from_its_first_frame() {
        let mut notices = Notices::default();
        notices.push("first".into());
        assert_eq!(notices.next_deadline(), None, "no clock before a frame");
        notices.tick(100.0);
        assert_eq!(notices.next_deadline(), Some(100.0 + NOTICE_SECONDS));
        notices.push("second".into());
        notices.tick(103.0);
        assert_eq!(notices.shown().len(), 2);
        notices.tick(100.0 + NOTICE_SECONDS);
        let left: Vec<&str> = notices.shown().iter().map(|n| n.text.as_str()).collect();
        assert_eq!(left, ["second"]);
        assert_eq!(notices.next_deadline(), Some(103.0 + NOTICE_SECONDS));
    }

    #[test]
    fn dismissing_removes_only_that_note() {
        let mut notices = Notices::default();
        notices.push("a".into());
        notices.push("b".into());
        let first = notices.shown()[0].id;
        notices.dismiss(first);
        assert_eq!(notices.shown().len(), 1);
        assert_eq!(notices.shown()[0].text, "b");
        assert_ne!(notices.shown()[0].id, first, "ids are never reused");
    }
}
