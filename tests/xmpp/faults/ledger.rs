//! The books of a message exchange under faults: every message each side sent, every time one
//! reached the other side, and what the senders were told about them.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use nudge::event::Event;
use nudge::model::{ChatMessage, Delivery, Direction};

/// One of the two people exchanging messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    Alice,
    Bob,
}

impl Side {
    /// The prefix of the bodies this side sends: `a-17`, `b-17`.
    fn prefix(self) -> &'static str {
        match self {
            Side::Alice => "a",
            Side::Bob => "b",
        }
    }

    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::Alice => Side::Bob,
            Side::Bob => Side::Alice,
        }
    }

    /// The body of message `n` from this side.
    pub fn body(self, n: usize) -> String {
        format!("{}-{n}", self.prefix())
    }

    /// Which side sent `body`, and its number, if it is one of the exchange's messages.
    fn parse(body: &str) -> Option<(Side, usize)> {
        let (prefix, n) = body.split_once('-')?;
        let side = match prefix {
            "a" => Side::Alice,
            "b" => Side::Bob,
            _ => return None,
        };
        Some((side, n.parse().ok()?))
    }
}

/// What happened to one message.
#[derive(Debug, Default)]
struct Fate {
    /// When the sender's core was told to send it.
    sent_at: Option<Instant>,
    /// When it first reached the other side (live or from the archive).
    first_arrival: Option<Instant>,
    /// How many times the other side's core reported it (more than once is a duplicate).
    arrivals: u32,
    /// The sender's core gave up on it (a bounce or a failed save).
    marked_failed: bool,
    /// The sender's core was told the server has it.
    marked_sent: bool,
    /// The sender's core showed its own message again as history from the archive.
    echoed: u32,
}

/// The books of one exchange.
#[derive(Debug, Default)]
pub struct Ledger {
    fates: BTreeMap<(Side, usize), Fate>,
    /// Which message each message id is.
    ids: HashMap<String, (Side, usize)>,
}

impl Ledger {
    /// `side` sent message `n` with message id `id` now.
    pub fn sent(&mut self, side: Side, n: usize, id: &str) {
        self.fates.entry((side, n)).or_default().sent_at = Some(Instant::now());
        self.ids.insert(id.to_string(), (side, n));
    }

    /// What `side`'s core reported.
    pub fn observe(&mut self, side: Side, event: &Event) {
        match event {
            Event::MessageReceived { message } => self.arrived(side, message),
            // The archive catch-up brings what the live stream missed.
            Event::HistoryLoaded { messages, .. } => {
                for message in messages {
                    self.arrived(side, message);
                }
            }
            Event::DeliveryChanged { id, delivery, .. } => {
                if let Some(&(from, n)) = self.ids.get(id).filter(|(from, _)| *from == side) {
                    let fate = self.fates.entry((from, n)).or_default();
                    match delivery {
                        Delivery::Failed { .. } => fate.marked_failed = true,
                        Delivery::Sent | Delivery::Delivered => fate.marked_sent = true,
                        Delivery::Pending | Delivery::Received => {}
                    }
                }
            }
            _ => {}
        }
    }

    fn arrived(&mut self, side: Side, message: &ChatMessage) {
        let Some((from, n)) = Side::parse(&message.body) else {
            return;
        };
        let fate = self.fates.entry((from, n)).or_default();
        match message.direction {
            Direction::Incoming if from != side => {
                fate.arrivals += 1;
                fate.first_arrival.get_or_insert_with(Instant::now);
            }
            // The sender's own message shown again: the user would see it twice.
            Direction::Outgoing if from == side => fate.echoed += 1,
            _ => panic!("{side:?} saw {message:?} the wrong way round"),
        }
    }

    /// Whether every message sent so far has reached the other side.
    pub fn all_arrived(&self) -> bool {
        self.fates
            .values()
            .all(|f| f.sent_at.is_none() || f.arrivals > 0)
    }

    /// When the first message `side` sent at or after `from` (by number) reached the other side.
    pub fn first_arrival_from(&self, side: Side, from: usize) -> Option<Instant> {
        self.fates
            .range((side, from)..=(side, usize::MAX))
            .filter_map(|(_, f)| f.first_arrival)
            .min()
    }

    /// The totals.
    pub fn totals(&self) -> Totals {
        let mut totals = Totals::default();
        for fate in self.fates.values().filter(|f| f.sent_at.is_some()) {
            totals.sent += 1;
            if fate.arrivals > 0 {
                totals.received += 1;
            } else {
                totals.lost += 1;
            }
            totals.duplicated += fate.arrivals.saturating_sub(1) as usize;
            totals.echoed += fate.echoed as usize;
            totals.marked_failed += usize::from(fate.marked_failed);
            totals.not_marked_sent += usize::from(!fate.marked_sent);
        }
        totals
    }

    /// The messages that never arrived, for the failure message.
    pub fn missing(&self) -> Vec<String> {
        self.fates
            .iter()
            .filter(|(_, f)| f.sent_at.is_some() && f.arrivals == 0)
            .map(|((side, n), _)| side.body(*n))
            .collect()
    }

    /// How long after being sent each message first arrived.
    pub fn latencies(&self) -> Vec<Duration> {
        self.fates
            .values()
            .filter_map(|f| Some(f.first_arrival?.saturating_duration_since(f.sent_at?)))
            .collect()
    }
}

/// What an exchange added up to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Messages the two cores were told to send.
    pub sent: usize,
    /// Messages that reached the other side at least once.
    pub received: usize,
    /// Messages that never reached the other side.
    pub lost: usize,
    /// Extra arrivals of a message that had arrived already.
    pub duplicated: usize,
    /// Own messages shown to their sender a second time, from the archive.
    pub echoed: usize,
    /// Messages their sender's core marked as failed.
    pub marked_failed: usize,
    /// Messages their sender's core never saw acknowledged by the server.
    pub not_marked_sent: usize,
}
