//! The game's API worker against a small scripted stand-in for Nudge on a real Unix socket.
//!
//! The stand-in plays the server's side of `docs/api.md`'s JSON lines exactly, checking each
//! request the worker sends and answering with refusals and events a real Nudge rarely
//! produces on cue. The root crate's `tests/api/tictactoe_session.rs` plays the same worker
//! against two real Nudges.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nudge_api::{EndReason, Role};
use nudge_tictactoe::launch::Launch;
use nudge_tictactoe::link::{link, Link, LinkEvent};
use nudge_tictactoe::protocol::Message;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{UnixListener, UnixStream};

const SESSION: &str = "0b6f1a3e-5c2d-4e8f-9a1b-2c3d4e5f6a7b";
const COOKIE: &str = "one-time-cookie";

/// One accepted connection, as Nudge's API server sees it.
struct FakeNudge {
    lines: Lines<BufReader<OwnedReadHalf>>,
    writer: OwnedWriteHalf,
}

impl FakeNudge {
    /// Reads the next request, checks its method, and returns its id and params.
    async fn expect(&mut self, method: &str) -> (Value, Value) {
        let line = tokio::time::timeout(Duration::from_secs(5), self.lines.next_line())
            .await
            .expect("a request in time")
            .expect("readable")
            .expect("the game sent a request");
        let request: Value = serde_json::from_str(&line).expect("a JSON request");
        assert_eq!(request["method"], method, "{line}");
        (request["id"].clone(), request["params"].clone())
    }

    async fn write(&mut self, line: Value) {
        let mut bytes = serde_json::to_vec(&line).expect("json");
        bytes.push(b'\n');
        self.writer.write_all(&bytes).await.expect("write");
    }

    async fn answer(&mut self, id: Value, result: Value) {
        self.write(json!({"id": id, "result": result})).await;
    }

    async fn refuse(&mut self, id: Value, code: &str, message: &str) {
        self.write(json!({"id": id, "error": {"code": code, "message": message}}))
            .await;
    }

    /// Plays a good start: unlock with the cookie, the session, subscribe.
    async fn open(&mut self) {
        let (id, params) = self.expect("unlock").await;
        assert_eq!(params, json!({"cookie": COOKIE}));
        self.answer(id, json!({})).await;
        let (id, params) = self.expect("get_launching_session").await;
        assert_eq!(params, Value::Null);
        self.answer(id, session("CONNECTED")).await;
        let (id, _) = self.expect("subscribe").await;
        self.answer(id, json!({})).await;
    }

    async fn context_data(&mut self, session: &str, data: &str) {
        self.write(json!({"event": "session_event", "session": session,
                          "kind": "OnContextData", "data": data}))
            .await;
    }
}

fn session(state: &str) -> Value {
    json!({"id": SESSION, "role": "invitee", "origin": "menu",
           "app_guid": nudge_tictactoe::APP_GUID, "app_name": "Tic-Tac-Toe",
           "download_url": nudge_tictactoe::DOWNLOAD_URL, "peer": "alice@example.org",
           "state": state, "context": null, "local_address": null, "remote_address": null,
           "app_present": true, "end_reason": if state == "TERMINATED" { json!("timeout") } else { Value::Null },
           "end_text": null, "created_ms": 1_767_225_780_000_i64})
}

fn launch(socket: &Path) -> Launch {
    Launch {
        session_id: SESSION.into(),
        role: Role::Invitee,
        api_socket: socket.to_path_buf(),
        cookie: COOKIE.into(),
        local_jid: "bob@example.org".into(),
        remote_jid: "alice@example.org".into(),
        context_data: String::new(),
    }
}

/// A listening socket in a fresh temp dir.
fn listen() -> (tempfile::TempDir, PathBuf, UnixListener) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("api.sock");
    let listener = UnixListener::bind(&path).expect("bind");
    (dir, path, listener)
}

/// Starts the real worker (its own thread and runtime) and accepts its connection.
async fn start(
    path: &Path,
    listener: &UnixListener,
) -> (Link, std::thread::JoinHandle<()>, FakeNudge) {
    let (window, end) = link(Arc::new(|| {}));
    let worker = nudge_tictactoe::api::spawn(launch(path), end).expect("thread");
    let (stream, _) = tokio::time::timeout(Duration::from_secs(5), listener.accept())
        .await
        .expect("the game connects")
        .expect("accepted");
    (window, worker, split(stream))
}

fn split(stream: UnixStream) -> FakeNudge {
    let (reader, writer) = stream.into_split();
    FakeNudge {
        lines: BufReader::new(reader).lines(),
        writer,
    }
}

/// The next report the worker gave the window.
async fn next(window: &mut Link) -> LinkEvent {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(event) = window.try_next() {
            return event;
        }
        assert!(Instant::now() < deadline, "no report from the worker");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn finished(worker: std::thread::JoinHandle<()>) {
    tokio::task::spawn_blocking(move || worker.join())
        .await
        .expect("joined")
        .expect("the worker did not panic");
}

#[tokio::test]
async fn a_game_unlocks_plays_and_ends_its_session() {
    let (_dir, path, listener) = listen();
    let (mut window, worker, mut nudge) = start(&path, &listener).await;
    nudge.open().await;
    let LinkEvent::Joined { session } = next(&mut window).await else {
        panic!("joined first");
    };
    assert_eq!(session.id, SESSION);
    assert_eq!(session.peer, "alice@example.org");

    // Only this session's context data reaches the window.
    nudge
        .context_data("another-session", "tictactoe/1 move 8")
        .await;
    nudge.context_data(SESSION, "tictactoe/1 hello").await;
    assert_eq!(
        next(&mut window).await,
        LinkEvent::Data("tictactoe/1 hello".into())
    );

    assert!(window.send(Message::Move(4)));
    let (id, params) = nudge.expect("send_context_data").await;
    assert_eq!(
        params,
        json!({"session": SESSION, "data": "tictactoe/1 move 4"})
    );
    nudge.answer(id, json!({})).await;

    nudge
        .write(json!({"event": "session_event", "session": SESSION,
                      "kind": "OnTermination", "reason": "success"}))
        .await;
    assert_eq!(
        next(&mut window).await,
        LinkEvent::Ended {
            reason: Some(EndReason::Success)
        }
    );

    assert!(window.end());
    let (id, params) = nudge.expect("end_session").await;
    assert_eq!(params, json!({"session": SESSION}));
    nudge
        .refuse(id, "invalid_state", "the session is already over")
        .await;
    finished(worker).await;
}

#[tokio::test]
async fn closing_the_window_ends_the_session() {
    let (_dir, path, listener) = listen();
    let (mut window, worker, mut nudge) = start(&path, &listener).await;
    nudge.open().await;
    assert!(matches!(next(&mut window).await, LinkEvent::Joined { .. }));
    drop(window);
    let (id, params) = nudge.expect("end_session").await;
    assert_eq!(params, json!({"session": SESSION}));
    nudge.answer(id, json!({})).await;
    finished(worker).await;
}

#[tokio::test]
async fn a_refused_move_is_reported_and_the_game_goes_on() {
    let (_dir, path, listener) = listen();
    let (mut window, worker, mut nudge) = start(&path, &listener).await;
    nudge.open().await;
    next(&mut window).await;
    window.send(Message::Move(0));
    let (id, _) = nudge.expect("send_context_data").await;
    nudge
        .refuse(id, "invalid_state", "the session has not started")
        .await;
    assert_eq!(
        next(&mut window).await,
        LinkEvent::SendFailed("the session has not started".into())
    );
    nudge.context_data(SESSION, "tictactoe/1 move 1").await;
    assert_eq!(
        next(&mut window).await,
        LinkEvent::Data("tictactoe/1 move 1".into())
    );
    drop(window);
    let (id, _) = nudge.expect("end_session").await;
    nudge.answer(id, json!({})).await;
    finished(worker).await;
}

#[tokio::test]
async fn a_session_that_already_ended_is_reported_at_once() {
    let (_dir, path, listener) = listen();
    let (mut window, worker, mut nudge) = start(&path, &listener).await;
    let (id, _) = nudge.expect("unlock").await;
    nudge.answer(id, json!({})).await;
    let (id, _) = nudge.expect("get_launching_session").await;
    nudge.answer(id, session("TERMINATED")).await;
    let (id, _) = nudge.expect("subscribe").await;
    nudge.answer(id, json!({})).await;
    assert!(matches!(next(&mut window).await, LinkEvent::Joined { .. }));
    assert_eq!(
        next(&mut window).await,
        LinkEvent::Ended {
            reason: Some(EndReason::Timeout)
        }
    );
    drop(window);
    let (id, _) = nudge.expect("end_session").await;
    nudge.answer(id, json!({})).await;
    finished(worker).await;
}

#[tokio::test]
async fn a_refused_cookie_is_said_plainly() {
    let (_dir, path, listener) = listen();
    let (mut window, worker, mut nudge) = start(&path, &listener).await;
    let (id, _) = nudge.expect("unlock").await;
    nudge.refuse(id, "unlock_failed", "unlock failed").await;
    let LinkEvent::Lost(words) = next(&mut window).await else {
        panic!("lost");
    };
    assert!(
        words.contains("did not accept this game's launch ticket"),
        "{words}"
    );
    assert!(!words.contains(COOKIE));
    finished(worker).await;
}

#[tokio::test]
async fn nudge_not_running_is_said_plainly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut window, end) = link(Arc::new(|| {}));
    let worker =
        nudge_tictactoe::api::spawn(launch(&dir.path().join("nobody.sock")), end).expect("thread");
    let LinkEvent::Lost(words) = next(&mut window).await else {
        panic!("lost");
    };
    assert!(words.starts_with("Nudge is not running"), "{words}");
    finished(worker).await;
}

#[tokio::test]
async fn nudge_going_away_mid_game_is_said_plainly() {
    let (_dir, path, listener) = listen();
    let (mut window, worker, mut nudge) = start(&path, &listener).await;
    nudge.open().await;
    next(&mut window).await;
    drop(nudge);
    let LinkEvent::Lost(words) = next(&mut window).await else {
        panic!("lost");
    };
    assert!(words.contains("Nudge was closed or restarted"), "{words}");
    finished(worker).await;
}

#[tokio::test]
async fn garbage_from_nudge_is_a_lost_connection_not_a_crash() {
    let (_dir, path, listener) = listen();
    let (mut window, worker, mut nudge) = start(&path, &listener).await;
    nudge.open().await;
    next(&mut window).await;
    nudge
        .writer
        .write_all(b"this is not json\n")
        .await
        .expect("write");
    let LinkEvent::Lost(words) = next(&mut window).await else {
        panic!("lost");
    };
    assert!(words.starts_with("Lost the connection to Nudge"), "{words}");
    finished(worker).await;
}
