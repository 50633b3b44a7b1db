//! Two cores exchange numbered messages through a relay in front of a real Prosody while the
//! server is killed and restarted and the link is cut mid-stanza; the [`Ledger`] keeps the
//! books and the stores are checked at the end.

use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, Instant};

use nudge::command::{new_message_id, Command};
use nudge::model::{Delivery, Direction};
use nudge::store::Store;
use nudge_testkit::client::Client;
use nudge_testkit::proxy::Relay;
use nudge_testkit::Prosody;

use super::ledger::{Ledger, Side, Totals};

/// What is done to the link or the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Prosody is killed with SIGKILL and started again on the same ports and data.
    ServerCrash,
    /// Every client connection is broken in the middle of the bytes it carries.
    CutMidStanza,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Fault::ServerCrash => "server SIGKILL + restart",
            Fault::CutMidStanza => "link cut mid-stanza",
        })
    }
}

/// An exchange to run.
pub struct Plan {
    /// Messages each side sends.
    pub per_side: usize,
    /// Time between two sends of one side.
    pub interval: Duration,
    /// The faults, in order, spread evenly over the exchange.
    pub faults: Vec<Fault>,
}

/// One fault and how long it took until messages flowed both ways again.
pub struct Recovery {
    /// The fault.
    pub fault: Fault,
    /// From the fault to the first arrival, in each direction, of a message sent after it;
    /// the slower direction.
    pub took: Duration,
}

/// What an exchange came to.
pub struct Outcome {
    /// The ledger's totals.
    pub totals: Totals,
    /// Messages the stores hold more than once (by body), both sides.
    pub stored_twice: usize,
    /// Messages sent that are not in the receiver's store.
    pub not_stored: usize,
    /// Messages still in an outbox at the end.
    pub still_queued: usize,
    /// Each fault's recovery.
    pub recoveries: Vec<Recovery>,
    /// Connections the relay broke inside a chunk of bytes.
    pub chopped: u64,
    /// Median and slowest time from sending to arriving, over every message.
    pub latency: (Duration, Duration),
    /// The whole exchange.
    pub elapsed: Duration,
    /// Messages that never arrived, for failure messages.
    pub missing: Vec<String>,
}

/// What happened in one turn of the exchange loop.
enum Step {
    Event(Side, Box<nudge::event::Event>),
    Tick,
}

/// A fault waiting to be recovered from.
struct Open {
    fault: Fault,
    at: Instant,
    /// The number of the first message each side sent after the fault.
    first_after: [usize; 2],
}

/// Runs `plan` against a fresh server and reports.
pub async fn run(plan: &Plan) -> Outcome {
    let mut server = Prosody::start();
    let relay = Relay::start(server.c2s_port()).await;
    let mut alice = Client::online_through(&server, "alice", relay.port()).await;
    let mut bob = Client::online_through(&server, "bob", relay.port()).await;
    nudge_testkit::befriend(&mut alice, &mut bob).await;

    let started = Instant::now();
    let budget = plan.interval * plan.per_side as u32
        + Duration::from_secs(30) * plan.faults.len() as u32
        + Duration::from_secs(60);
    let mut ledger = Ledger::default();
    let mut next = [0usize; 2];
    let mut faults = plan.faults.iter().copied().enumerate().peekable();
    let mut open: Option<Open> = None;
    let mut recoveries = Vec::new();
    let mut ticker = tokio::time::interval(plan.interval);
    let forever = Duration::from_secs(3600);
    loop {
        let step = tokio::select! {
            Some(event) = alice.next_event(forever) => Step::Event(Side::Alice, Box::new(event)),
            Some(event) = bob.next_event(forever) => Step::Event(Side::Bob, Box::new(event)),
            _ = ticker.tick() => Step::Tick,
        };
        match step {
            Step::Event(side, event) => ledger.observe(side, &event),
            Step::Tick => {
                // Sending waits at the next fault's point until the fault has happened, so
                // that messages are sent after each fault to measure its recovery with.
                let limit = match faults.peek() {
                    Some(&(k, _)) => due(plan, k),
                    None => plan.per_side,
                };
                for (side, from, to) in [(Side::Alice, &alice, &bob), (Side::Bob, &bob, &alice)] {
                    let n = &mut next[side as usize];
                    if *n < limit {
                        let id = new_message_id();
                        from.send(Command::SendMessage {
                            id: id.clone(),
                            to: to.jid.clone(),
                            body: side.body(*n),
                        });
                        ledger.sent(side, *n, &id);
                        *n += 1;
                    }
                }
            }
        }
        if let Some(fault) = &open {
            let arrived = [Side::Alice, Side::Bob]
                .map(|side| ledger.first_arrival_from(side, fault.first_after[side as usize]));
            if let [Some(a), Some(b)] = arrived {
                recoveries.push(Recovery {
                    fault: fault.fault,
                    took: a.max(b).saturating_duration_since(fault.at),
                });
                open = None;
            }
        }
        if open.is_none() {
            if let Some(&(k, fault)) = faults.peek() {
                if next.iter().all(|&n| n >= due(plan, k)) {
                    faults.next();
                    let at = Instant::now();
                    match fault {
                        Fault::ServerCrash => {
                            tokio::task::block_in_place(|| server.crash_and_restart())
                        }
                        Fault::CutMidStanza => relay.cut_mid_stanza(),
                    }
                    open = Some(Open {
                        fault,
                        at,
                        first_after: next,
                    });
                }
            }
        }
        let done = next.iter().all(|&n| n == plan.per_side)
            && faults.peek().is_none()
            && open.is_none()
            && ledger.all_arrived();
        if done || started.elapsed() > budget {
            break;
        }
    }
    // Late duplicates show up here, if there are any.
    for (side, client) in [(Side::Alice, &mut alice), (Side::Bob, &mut bob)] {
        for event in client.events_within(Duration::from_secs(2)).await {
            ledger.observe(side, &event);
        }
    }
    let elapsed = started.elapsed();
    let (stored_twice, not_stored, still_queued) = check_stores(&alice, &bob, plan.per_side);
    let mut latencies = ledger.latencies();
    latencies.sort();
    let latency = (
        latencies
            .get(latencies.len() / 2)
            .copied()
            .unwrap_or_default(),
        latencies.last().copied().unwrap_or_default(),
    );
    Outcome {
        totals: ledger.totals(),
        stored_twice,
        not_stored,
        still_queued,
        recoveries,
        chopped: relay.chopped(),
        latency,
        elapsed,
        missing: ledger.missing(),
    }
}

/// How many messages each side sends before fault `k` (from 0): the faults divide the
/// exchange into equal parts.
fn due(plan: &Plan, k: usize) -> usize {
    (k + 1) * plan.per_side / (plan.faults.len() + 1)
}

/// Reads both profiles' history: how many messages are stored twice, how many sent messages
/// the receiver did not store, and how many wait in an outbox.
fn check_stores(alice: &Client, bob: &Client, per_side: usize) -> (usize, usize, usize) {
    let mut twice = 0;
    let mut missing = 0;
    let mut queued = 0;
    for (side, own, peer) in [(Side::Alice, alice, bob), (Side::Bob, bob, alice)] {
        let store = Store::open(&own.profile().database_path()).expect("the history opens");
        let messages = store
            .recent_messages(&peer.jid, usize::MAX)
            .expect("the history reads");
        let mut counts: HashMap<(bool, &str), usize> = HashMap::new();
        for message in &messages {
            let incoming = message.direction == Direction::Incoming;
            *counts.entry((incoming, message.body.as_str())).or_default() += 1;
            if message.direction == Direction::Outgoing {
                assert!(
                    !matches!(message.delivery, Delivery::Failed { .. }),
                    "{side:?}'s {message:?}"
                );
            }
        }
        twice += counts.values().filter(|&&c| c > 1).count();
        missing += (0..per_side)
            .filter(|&n| !counts.contains_key(&(true, side.other().body(n).as_str())))
            .count();
        queued += store.outbox().expect("the outbox reads").len();
    }
    (twice, missing, queued)
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.totals;
        writeln!(f, "| measure | value |\n|---|---|")?;
        writeln!(f, "| messages sent (both ways) | {} |", t.sent)?;
        writeln!(f, "| received | {} |", t.received)?;
        writeln!(f, "| lost | {} |", t.lost)?;
        writeln!(
            f,
            "| duplicated (shown twice) | {} |",
            t.duplicated + t.echoed
        )?;
        writeln!(
            f,
            "| stored twice / not stored | {} / {} |",
            self.stored_twice, self.not_stored
        )?;
        writeln!(f, "| marked failed by the sender | {} |", t.marked_failed)?;
        writeln!(
            f,
            "| never acknowledged to the sender | {} |",
            t.not_marked_sent
        )?;
        writeln!(f, "| left in an outbox | {} |", self.still_queued)?;
        writeln!(
            f,
            "| connections broken inside a chunk | {} |",
            self.chopped
        )?;
        let (median, slowest) = self.latency;
        writeln!(
            f,
            "| latency, median / slowest | {median:.2?} / {slowest:.2?} |"
        )?;
        writeln!(f, "| whole exchange | {:.1?} |", self.elapsed)?;
        writeln!(f, "\n| # | fault | time to recover |\n|---|---|---|")?;
        for (i, r) in self.recoveries.iter().enumerate() {
            writeln!(f, "| {} | {} | {:.2?} |", i + 1, r.fault, r.took)?;
        }
        Ok(())
    }
}
