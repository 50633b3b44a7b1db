//! Where the account core's unpredictable values come from: stanza ids, resources and the
//! reconnect jitter. Random in the app; a plain sequence in tests, so scripts can name them.

/// The source of ids and jitter.
#[derive(Debug, Clone)]
pub enum Ids {
    /// Random ids (UUID v4), so nobody can guess the id of a request in flight.
    Random,
    /// `id1`, `id2`, ... and a fixed jitter of one half, for tests.
    Sequence(u64),
}

impl Ids {
    /// A new stanza id.
    pub fn fresh(&mut self) -> String {
        match self {
            Self::Random => uuid::Uuid::new_v4().simple().to_string(),
            Self::Sequence(n) => {
                *n += 1;
                format!("id{n}")
            }
        }
    }

    /// A resource for a new connection: `nudge-` and eight random characters.
    pub fn resource(&mut self) -> String {
        let id = self.fresh();
        let tail: String = id.chars().rev().take(8).collect();
        format!("nudge-{tail}")
    }

    /// A value in `0.0..1.0` that spreads reconnecting clients apart.
    pub fn jitter(&mut self) -> f64 {
        match self {
            Self::Random => f64::from(uuid::Uuid::new_v4().as_u128() as u16) / 65536.0,
            Self::Sequence(_) => 0.5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_differ_and_sequences_count() {
        let mut random = Ids::Random;
        assert_ne!(random.fresh(), random.fresh());
        assert!((0.0..1.0).contains(&random.jitter()));
        let mut sequence = Ids::Sequence(0);
        assert_eq!(sequence.fresh(), "id1");
        assert_eq!(sequence.fresh(), "id2");
        assert!(random.resource().starts_with("nudge-"));
    }
}
