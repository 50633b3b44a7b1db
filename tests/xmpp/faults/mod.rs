//! Fault injection against the real server: messages exchanged both ways while Prosody is
//! killed and restarted and the link is cut mid-stanza (figures in docs/reliability.md), and
//! the history on a full file system.

mod client_kill;
mod exchange;
mod full_disk;
mod ledger;

use std::time::Duration;

use exchange::{Fault, Outcome, Plan};

/// Fails the test with the figures unless nothing was lost, duplicated or left behind.
fn assert_nothing_lost(outcome: &Outcome, faults: usize) {
    let t = &outcome.totals;
    let verdict = format!("{outcome}\nmissing: {:?}", outcome.missing);
    assert_eq!(t.lost, 0, "{verdict}");
    assert_eq!((t.duplicated, t.echoed), (0, 0), "{verdict}");
    assert_eq!(
        (outcome.stored_twice, outcome.not_stored),
        (0, 0),
        "{verdict}"
    );
    assert_eq!(t.marked_failed, 0, "{verdict}");
    assert_eq!(t.not_marked_sent, 0, "{verdict}");
    assert_eq!(outcome.still_queued, 0, "{verdict}");
    assert_eq!(outcome.recoveries.len(), faults, "{verdict}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_survive_a_server_crash_and_a_link_cut_mid_stanza() {
    let plan = Plan {
        per_side: 100,
        interval: Duration::from_millis(20),
        faults: vec![Fault::ServerCrash, Fault::CutMidStanza],
    };
    let outcome = exchange::run(&plan).await;
    println!("{outcome}");
    assert_nothing_lost(&outcome, plan.faults.len());
    assert!(outcome.chopped >= 1, "no connection was broken mid-stanza");
}

/// The figures of docs/reliability.md: 1,000 messages each way, five server crashes and five
/// links cut mid-stanza. `cargo test --test xmpp faults:: -- --ignored --nocapture --test-threads=1`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "about a minute; its figures are in docs/reliability.md"]
async fn a_thousand_messages_each_way_survive_five_crashes_and_five_cuts() {
    let faults: Vec<Fault> = (0..5)
        .flat_map(|_| [Fault::ServerCrash, Fault::CutMidStanza])
        .collect();
    let plan = Plan {
        per_side: 1000,
        interval: Duration::from_millis(20),
        faults,
    };
    let outcome = exchange::run(&plan).await;
    println!("{outcome}");
    assert_nothing_lost(&outcome, plan.faults.len());
}

/// The same exchange without faults: the baseline for docs/reliability.md.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the baseline of the figures in docs/reliability.md"]
async fn a_thousand_messages_each_way_without_faults() {
    let plan = Plan {
        per_side: 1000,
        interval: Duration::from_millis(20),
        faults: vec![],
    };
    let outcome = exchange::run(&plan).await;
    println!("{outcome}");
    assert_nothing_lost(&outcome, 0);
}
