//! Tic-Tac-Toe's API worker against the real thing: two `nudge --headless` instances on a real
//! Prosody, an invitation accepted through `nudge ctl`, and on each side the game's worker
//! unlocking the launched session with the cookie Nudge gave the program, then playing moves as
//! context data and ending the session.

#![cfg(unix)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use nudge::invite::{EndReason, Role};
use nudge_testkit::headless::{ctl, read_when_there, wait_ctl, App, Pair};
use nudge_testkit::recorder::recorder;
use nudge_testkit::Prosody;
use nudge_tictactoe::launch::Launch;
use nudge_tictactoe::link::{link, Link, LinkEvent};
use nudge_tictactoe::protocol::Message;

/// The launch Nudge gave the program on `role`'s side, as the recorder wrote it down.
fn recorded_launch(out: &Path, role: &str) -> Launch {
    Launch::from_lookup(|name| {
        // No context was sent, so that file stays empty: do not wait for it.
        let variable = name
            .strip_prefix("NUDGE_")
            .filter(|v| *v != "CONTEXT_DATA")?;
        Some(read_when_there(&out.join(format!("{role}.{variable}"))))
    })
    .expect("a complete launch")
}

/// The game's worker for `launch`, on its own thread as in the game.
fn start_worker(launch: Launch) -> (Link, std::thread::JoinHandle<()>) {
    let (window, end) = link(Arc::new(|| {}));
    let worker = nudge_tictactoe::api::spawn(launch, end).expect("worker thread");
    (window, worker)
}

/// The next report the worker gave the window.
fn next(window: &mut Link) -> LinkEvent {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(event) = window.try_next() {
            return event;
        }
        assert!(Instant::now() < deadline, "no report from the worker");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A game Alice invited Bob to and Bob accepted, between two headless Nudges. The recorder
/// stands in for the game's program and writes down each side's launch.
struct Accepted {
    pair: Pair,
    session: String,
    out: tempfile::TempDir,
    home: tempfile::TempDir,
    // Stopped last: the instances sign out from it when the pair drops.
    _server: Prosody,
}

fn accepted_game() -> Accepted {
    let server = Prosody::start();
    let home = tempfile::tempdir().expect("temp dir");
    let out = tempfile::tempdir().expect("out");
    let program = recorder(home.path(), out.path());
    let pair = Pair::start(
        &server,
        home.path(),
        App {
            guid: nudge_tictactoe::APP_GUID,
            name: "Tic-Tac-Toe",
            path: &program,
        },
    );
    let invited = ctl(
        home.path(),
        "a",
        &["ctl", "invite", &pair.bob, nudge_tictactoe::APP_GUID],
    );
    let session = invited["session"].as_str().expect("session id").to_string();
    wait_ctl(
        home.path(),
        &["--profile", "b", "ctl", "sessions"],
        "the invitation",
        |v| v["sessions"][0]["state"] == "INVITATION",
    );
    ctl(home.path(), "b", &["ctl", "accept", &session]);
    Accepted {
        pair,
        session,
        out,
        home,
        _server: server,
    }
}

#[test]
fn two_games_play_through_two_real_nudges() {
    let game = accepted_game();
    let (pair, session, out, home) = (&game.pair, &game.session, game.out.path(), game.home.path());
    let x = recorded_launch(out, "inviter");
    let o = recorded_launch(out, "invitee");
    assert_eq!((x.role, o.role), (Role::Inviter, Role::Invitee));
    assert_eq!(
        (x.local_jid.as_str(), o.local_jid.as_str()),
        (pair.alice.as_str(), pair.bob.as_str())
    );
    assert_ne!(
        x.api_socket, o.api_socket,
        "each side talks to its own Nudge"
    );
    let (mut alice, alice_worker) = start_worker(x);
    let (mut bob, bob_worker) = start_worker(o);

    for (window, peer) in [(&mut alice, &pair.bob), (&mut bob, &pair.alice)] {
        let LinkEvent::Joined { session: joined } = next(window) else {
            panic!("the worker joins its session first");
        };
        assert_eq!(&joined.id, session);
        assert_eq!(&joined.peer, peer);
    }

    // Moves cross the network as context data, in order, each to the other side only.
    let mut players = [alice, bob];
    for (from, message) in [
        (0, Message::Hello),
        (1, Message::Hello),
        (0, Message::Move(4)),
        (1, Message::Move(0)),
        (0, Message::Move(8)),
    ] {
        assert!(players[from].send(message));
        assert_eq!(
            next(&mut players[1 - from]),
            LinkEvent::Data(message.to_string())
        );
    }
    let [mut alice, bob] = players;
    assert_eq!(alice.try_next(), None);

    // Bob closes his game: his worker ends the session, Alice's game hears she was left.
    assert!(bob.end());
    match next(&mut alice) {
        LinkEvent::Ended { reason } => assert_eq!(reason, Some(EndReason::Success)),
        other => panic!("Alice's game should hear the end, got {other:?}"),
    }
    wait_ctl(
        home,
        &["--profile", "a", "ctl", "sessions"],
        "the end on Alice's side",
        |v| v["sessions"][0]["state"] == "TERMINATED",
    );
    bob_worker.join().expect("Bob's worker ends cleanly");
    drop(alice);
    alice_worker.join().expect("Alice's worker ends cleanly");
}

#[test]
fn a_used_cookie_unlocks_nothing() {
    let game = accepted_game();
    let launch = recorded_launch(game.out.path(), "invitee");

    let (mut first, first_worker) = start_worker(launch.clone());
    assert!(matches!(next(&mut first), LinkEvent::Joined { .. }));
    // A second program replaying the same cookie is refused in plain words.
    let (mut replay, replay_worker) = start_worker(launch);
    match next(&mut replay) {
        LinkEvent::Lost(words) => assert!(!words.is_empty()),
        other => panic!("a replayed cookie must not unlock, got {other:?}"),
    }
    replay_worker.join().expect("the refused worker stops");
    assert!(first.end());
    first_worker
        .join()
        .expect("the first worker ends the session");
}
