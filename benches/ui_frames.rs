//! Benchmark: UI work per frame with 5,000 contacts and with a 100,000-message conversation
//! (budget: under 4 ms, DESIGN.md), measured on the real `NudgeApp` in an egui_kittest harness:
//! the time of one egui frame (layout and painting into shapes; no GPU). Run with
//! `cargo bench --bench ui_frames`; results go in docs/benchmarks.md.

// Benchmark code: a failed step panics with a message saying what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use nudge::event::Event;
use nudge::model::{Availability, ChatMessage, Delivery, Direction};
use nudge_testkit::bare;
use nudge_testkit::ui::{contact, Window};

const FRAMES: usize = 200;

/// Median and 90th percentile of `FRAMES` frames, in milliseconds. Never inlined, so a profiler
/// can count exactly the measured frames (`valgrind --tool=callgrind --collect-atstart=no
/// --toggle-collect='*frame_times*'`).
#[inline(never)]
fn frame_times(window: &mut Window) -> (f64, f64) {
    for _ in 0..20 {
        window.harness.step();
    }
    let mut samples: Vec<f64> = (0..FRAMES)
        .map(|_| {
            let start = Instant::now();
            window.harness.step();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    samples.sort_by(|a, b| a.total_cmp(b));
    (samples[FRAMES / 2], samples[FRAMES * 9 / 10])
}

fn main() {
    // 5,000 contacts in 20 groups, a third of them online with a status message.
    let mut window = Window::new();
    let contacts: Vec<_> = (0..5000)
        .map(|n| {
            let mut c = contact(&format!("user{n:04}@example.org"), &format!("User {n:04}"));
            c.groups = vec![format!("Group {:02}", n % 20)];
            c
        })
        .collect();
    window.online_with(&contacts);
    for n in (0..5000).step_by(3) {
        window.queue(Event::PresenceChanged {
            jid: bare(&format!("user{n:04}@example.org")),
            resource: "pc".into(),
            availability: Availability::Online,
            status: Some("Working on something".into()),
            priority: 0,
        });
    }
    window.harness.run();
    let (median, p90) = frame_times(&mut window);
    println!("contact list, 5,000 contacts: median={median:.2} ms p90={p90:.2} ms per frame");

    // One conversation with 100,000 messages, open in its window, scrolled to the newest.
    let peer = "user0000@example.org";
    let count = std::env::var("NUDGE_BENCH_MESSAGES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let messages: Vec<ChatMessage> = (0..count)
        .map(|n| ChatMessage {
            id: format!("m{n}"),
            peer: bare(peer),
            direction: if n % 2 == 0 {
                Direction::Incoming
            } else {
                Direction::Outgoing
            },
            body: format!("message number {n}: a line of ordinary chat text :)"),
            timestamp_ms: 1_767_225_600_000 + n as i64 * 60_000,
            delivery: if n % 2 == 0 {
                Delivery::Received
            } else {
                Delivery::Delivered
            },
        })
        .collect();
    window.queue(Event::HistoryLoaded {
        peer: bare(peer),
        messages,
    });
    window.harness.run();
    window.click("User 0000");
    window.harness.run();
    let (median, p90) = frame_times(&mut window);
    println!("conversation, {count} messages: median={median:.2} ms p90={p90:.2} ms per frame");
}
