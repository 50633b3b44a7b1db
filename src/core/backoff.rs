//! When to try connecting again after losing the link.

use std::time::Duration;

/// Exponential backoff with jitter: 1 s, 2 s, 4 s ... up to a minute.
#[derive(Debug, Default, Clone)]
pub struct Backoff {
    failures: u32,
}

/// The longest wait between two attempts.
pub const MAX_DELAY: Duration = Duration::from_secs(60);

impl Backoff {
    /// Records a failed attempt and returns how long to wait before the next one.
    /// `jitter` in `0.0..1.0` spreads reconnecting clients apart (up to +25 %).
    pub fn next_delay(&mut self, jitter: f64) -> Duration {
        let exponent = self.failures.min(6);
        self.failures = self.failures.saturating_add(1);
        let base = Duration::from_secs(1u64 << exponent).min(MAX_DELAY);
        base.mul_f64(1.0 + jitter.clamp(0.0, 1.0) * 0.25)
            .min(MAX_DELAY)
    }

    /// How many attempts failed in a row.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Forgets failures after a successful connection.
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

/// A cheap jitter value in `0.0..1.0` from the clock (no need for a random generator here).
pub fn clock_jitter() -> f64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    f64::from(nanos % 1000) / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_cap() {
        let mut backoff = Backoff::default();
        let delays: Vec<u64> = (0..9).map(|_| backoff.next_delay(0.0).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(backoff.failures(), 9);
        backoff.reset();
        assert_eq!(backoff.next_delay(0.0), Duration::from_secs(1));
    }

    #[test]
    fn jitter_stretches_at_most_a_quarter() {
        let mut backoff = Backoff::default();
        assert_eq!(backoff.next_delay(1.0), Duration::from_millis(1250));
        assert!(backoff.next_delay(5.0) <= Duration::from_millis(2500));
    }
}
