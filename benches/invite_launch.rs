//! Benchmark: from "Accept" to the registered program running, between two real cores on a
//! real Prosody on loopback (budget: under 200 ms, DESIGN.md). Run with
//! `cargo bench --bench invite_launch`; results go in docs/benchmarks.md.

// Benchmark code: a failed step panics with a message saying what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use nudge::apps::{Guid, Registration, Registry};
use nudge::command::{new_message_id, Command};
use nudge::event::Event;
use nudge::invite::{Origin, SessionState};
use nudge_testkit::client::Client;
use nudge_testkit::Prosody;

const GUID: &str = "{0D1E2F30-4152-6374-8596-A7B8C9DAEBFC}";
const ROUNDS: usize = 30;

fn now_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// A program that records when it started (nanoseconds since the epoch) in `out/<session>`.
fn stamper(dir: &Path, out: &Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("stamp.sh");
    let script = format!(
        "#!/bin/sh\n[ \"$NUDGE_ROLE\" = invitee ] && date +%s%N > '{}/'\"$NUDGE_SESSION_ID\"\n",
        out.display()
    );
    std::fs::write(&path, script).expect("script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

fn register(client: &Client, program: &Path) {
    let mut registry = Registry::load(&client.profile().apps_dir()).0;
    let registration = Registration {
        guid: Guid::parse(GUID).expect("guid"),
        name: "Stamp".into(),
        path: program.to_path_buf(),
        download_url: "https://example.org/stamp".into(),
        args: vec![],
        key: None,
    };
    registry.register(registration, true).expect("register");
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let server = Prosody::start();
    let dir = tempfile::tempdir().expect("dir");
    let out = tempfile::tempdir().expect("out");
    let mut alice = Client::online(&server, "alice").await;
    let mut bob = Client::online(&server, "bob").await;
    nudge_testkit::befriend(&mut alice, &mut bob).await;
    let program = stamper(dir.path(), out.path());
    for client in [&mut alice, &mut bob] {
        register(client, &program);
        client
            .wait_for(
                "the app",
                |e| matches!(e, Event::AppsChanged { apps } if !apps.is_empty()),
            )
            .await;
    }

    let mut to_program = Vec::new();
    let mut to_connected = Vec::new();
    for _ in 0..ROUNDS {
        let id = new_message_id();
        alice.send(Command::Invite {
            session: id.clone(),
            to: bob.jid.clone(),
            app_guid: GUID.into(),
            context: None,
            local_address: None,
            origin: Origin::Application,
        });
        bob.wait_for("the invitation", |e| {
            matches!(e, Event::SessionUpdated { session } if session.id == id && session.state == SessionState::Invitation)
        })
        .await;
        let started = now_ns();
        let clock = Instant::now();
        bob.send(Command::AcceptInvitation {
            session: id.clone(),
        });
        bob.wait_for("connected", |e| {
            matches!(e, Event::SessionUpdated { session } if session.id == id && session.state == SessionState::Connected)
        })
        .await;
        to_connected.push(clock.elapsed().as_secs_f64() * 1000.0);
        let stamp = out.path().join(&id);
        let launched = loop {
            if let Ok(text) = std::fs::read_to_string(&stamp) {
                if let Ok(ns) = text.trim().parse::<u128>() {
                    break ns;
                }
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        };
        to_program.push((launched.saturating_sub(started)) as f64 / 1_000_000.0);
        bob.send(Command::EndSession {
            session: id.clone(),
        });
        alice
            .wait_for("the end", |e| {
                matches!(e, Event::SessionUpdated { session } if session.id == id && session.state == SessionState::Terminated)
            })
            .await;
    }
    for (what, mut samples) in [
        ("accept -> program running (ms)", to_program),
        ("accept -> CONNECTED event (ms)", to_connected),
    ] {
        samples.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{what}: n={} median={:.1} p90={:.1} max={:.1}",
            samples.len(),
            percentile(&samples, 0.5),
            percentile(&samples, 0.9),
            samples[samples.len() - 1]
        );
    }
}
