//! `kill -9` of a real `nudge --headless` instance during its archive catch-up and while an
//! invitation rings: the next start completes, nothing is lost and nothing shows twice.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nudge::command::{new_message_id, Command};
use nudge::config::Profile;
use nudge::event::Event;
use nudge::model::{Delivery, Direction};
use nudge::store::Store;
use nudge_testkit::client::Client;
use nudge_testkit::headless::{
    configure, ctl, json, read_when_there, run, start_headless, wait_ctl, wait_online, App, Pair,
};
use nudge_testkit::recorder::recorder;
use nudge_testkit::Prosody;

/// Messages Alice sends while Bob's instance is down: enough for a catch-up of several pages.
const MISSED: usize = 400;

/// The history database of `profile` under `home`.
fn database(home: &Path, profile: &str) -> PathBuf {
    Profile::in_dirs(
        profile,
        &home.join("config/nudge"),
        &home.join("data/nudge"),
        &home.join("run/nudge"),
    )
    .database_path()
}

/// How many times each incoming body is stored in `profile`'s history (none if it has no
/// history yet).
fn incoming(home: &Path, profile: &str, peer: &nudge::model::BareJid) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    let path = database(home, profile);
    if !path.exists() {
        return counts;
    }
    let Ok(store) = Store::open(&path) else {
        return counts;
    };
    for message in store.recent_messages(peer, usize::MAX).unwrap_or_default() {
        if message.direction == Direction::Incoming {
            *counts.entry(message.body).or_default() += 1;
        }
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_killed_during_its_catch_up_starts_again_and_misses_nothing() {
    let server = Prosody::start();
    let home = tempfile::tempdir().expect("temp dir");
    let home = home.path();
    let bob = nudge_testkit::bare(&configure(&server, home, "b"));
    let mut alice = Client::online(&server, "alice").await;
    let mut instance = start_headless(home, "b", "pw");
    wait_online(home, "b");
    // Bob adds Alice; she allows.
    let alice_jid = alice.jid.to_string();
    ctl(home, "b", &["ctl", "contact", "add", &alice_jid]);
    alice
        .wait_for("Bob's request", |e| {
            matches!(e, Event::SubscriptionRequested { .. })
        })
        .await;
    alice.send(Command::ApproveSubscription { jid: bob.clone() });
    // Bob's device has history: its catch-up goes forward from it through everything missed
    // (a device with none fetches only the recent messages, by design).
    let mut sent = vec!["before".to_string()];
    alice.send(Command::SendMessage {
        id: new_message_id(),
        to: bob.clone(),
        body: "before".into(),
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while !incoming(home, "b", &alice.jid).contains_key("before") {
        assert!(Instant::now() < deadline, "the first message never arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    instance.kill();

    // While Bob's instance is down, Alice writes; the server archives every message.
    for n in 0..MISSED {
        let body = format!("missed {n}");
        alice.send(Command::SendMessage {
            id: new_message_id(),
            to: bob.clone(),
            body: body.clone(),
        });
        sent.push(body);
    }
    let mut acked = 0;
    alice
        .wait_for("the server to have every message", |e| {
            if matches!(
                e,
                Event::DeliveryChanged {
                    delivery: Delivery::Sent,
                    ..
                }
            ) {
                acked += 1;
            }
            acked == MISSED
        })
        .await;

    // Bob starts and catches up; a message arrives live meanwhile; he is killed half-way.
    let mut instance = start_headless(home, "b", "pw");
    let started = Instant::now();
    let mut live_sent = false;
    let stored_at_kill = loop {
        let stored = incoming(home, "b", &alice.jid).len() - 1;
        if stored > 0 && !live_sent {
            alice.send(Command::SendMessage {
                id: new_message_id(),
                to: bob.clone(),
                body: "live during the catch-up".into(),
            });
            sent.push("live during the catch-up".into());
            live_sent = true;
        }
        if stored >= MISSED / 4 {
            instance.kill();
            break stored;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the catch-up never began ({stored} stored)"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    println!("killed with {stored_at_kill} of {} stored", sent.len());
    assert!(
        stored_at_kill < MISSED,
        "the catch-up was over before the kill: the test did not test anything"
    );

    let _instance = start_headless(home, "b", "pw");
    wait_online(home, "b");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let counts = incoming(home, "b", &alice.jid);
        let twice: Vec<_> = counts.iter().filter(|(_, &n)| n > 1).collect();
        assert!(twice.is_empty(), "stored more than once: {twice:?}");
        let missing: Vec<_> = sent.iter().filter(|b| !counts.contains_key(*b)).collect();
        if missing.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} messages never arrived, e.g. {:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // What the window would show: each message once.
    let history = json(&run(
        home,
        &["--profile", "b", "ctl", "history", &alice_jid],
    ));
    let shown = history["messages"].as_array().expect("messages");
    let mut bodies: Vec<_> = shown.iter().filter_map(|m| m["body"].as_str()).collect();
    let listed = bodies.len();
    bodies.sort_unstable();
    bodies.dedup();
    assert_eq!(bodies.len(), listed, "the history lists a message twice");
}

#[test]
fn a_client_killed_while_an_invitation_rings_starts_again_and_rings_once() {
    const GUID: &str = "{6B1F0C52-7D3E-4E8A-9F21-3C4D5E6F7A8B}";
    let server = Prosody::start();
    let home = tempfile::tempdir().expect("temp dir");
    let home = home.path();
    let out = tempfile::tempdir().expect("out");
    let program = recorder(home, out.path());
    let mut pair = Pair::start(
        &server,
        home,
        App {
            guid: GUID,
            name: "Recorder",
            path: &program,
        },
    );
    let bob = pair.bob.clone();
    let invite = |context: &str| {
        let invited = json(&run(
            home,
            &[
                "--profile",
                "a",
                "ctl",
                "invite",
                &bob,
                GUID,
                "--context",
                context,
            ],
        ));
        invited["session"].as_str().expect("session id").to_string()
    };
    let first = invite("first");
    wait_ctl(
        home,
        &["--profile", "b", "ctl", "sessions"],
        "the invitation ringing",
        |v| v["sessions"][0]["state"] == "INVITATION",
    );
    pair.kill("b");
    pair.start_again(home, "b");

    // The catch-up and the server's queues must not make the old invitation ring again.
    std::thread::sleep(Duration::from_secs(2));
    let sessions = json(&run(home, &["--profile", "b", "ctl", "sessions"]));
    println!("Bob's sessions after the restart: {sessions}");
    let theirs = json(&run(home, &["--profile", "a", "ctl", "sessions"]));
    println!("Alice's sessions after Bob's restart: {theirs}");
    // Alice still waits for an answer (until the invitation times out): listed once.
    let waiting = theirs["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .filter(|s| s["id"] == first.as_str())
        .count();
    assert_eq!(waiting, 1, "{theirs}");
    let ringing: Vec<_> = sessions["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .filter(|s| s["id"] == first.as_str())
        .collect();
    assert!(
        ringing.len() <= 1,
        "the invitation is listed twice: {sessions}"
    );

    // A new invitation rings once, and accepting it launches the program once on each side.
    let second = invite("second");
    let ringing = wait_ctl(
        home,
        &["--profile", "b", "ctl", "sessions"],
        "the new invitation",
        |v| {
            v["sessions"]
                .as_array()
                .is_some_and(|s| s.iter().any(|s| s["id"] == second.as_str()))
        },
    );
    let listed = ringing["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .filter(|s| s["id"] == second.as_str())
        .count();
    assert_eq!(listed, 1, "{ringing}");
    json(&run(home, &["--profile", "b", "ctl", "accept", &second]));
    for profile in ["a", "b"] {
        wait_ctl(
            home,
            &["--profile", profile, "ctl", "sessions"],
            "connected",
            |v| {
                v["sessions"].as_array().is_some_and(|s| {
                    s.iter()
                        .any(|s| s["id"] == second.as_str() && s["state"] == "CONNECTED")
                })
            },
        );
    }
    for role in ["inviter", "invitee"] {
        assert_eq!(
            read_when_there(&out.path().join(format!("{role}.SESSION_ID"))),
            second
        );
        assert_eq!(
            read_when_there(&out.path().join(format!("{role}.CONTEXT_DATA"))),
            "second"
        );
    }
}
