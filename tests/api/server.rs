//! The real API server on a socket in a temp dir, driven through the real client.
//!
//! The core's side is played by the test: it emits events on a real `EventBus` and reads the
//! commands the server sends from the receiving end of a real `CommandSender`.

#![cfg(unix)]

use nudge_testkit::bare;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::time::Duration;

use nudge::api::client::{self, ApiClient};
use nudge::api::ctl::{self, CtlCommand};
use nudge::api::protocol::{Outcome, ServerLine, MAX_LINE_BYTES};
use nudge::api::server::{serve, serve_with, ApiServer, ServerOptions};
use nudge::api::ApiError;
use nudge::command::Command;
use nudge::config::Profile;
use nudge::core::{CommandSender, EventBus};
use nudge::event::Event;
use nudge::model::{
    Availability, ChatMessage, ConnectionState, Contact, Delivery, Direction, Subscription,
};
use nudge::problem::Problem;
use serde_json::{json, Value};
use tokio::sync::mpsc;

struct Harness {
    _dir: tempfile::TempDir,
    profile: Profile,
    path: PathBuf,
    bus: EventBus,
    commands: mpsc::UnboundedReceiver<Command>,
    server: ApiServer,
}

async fn start_with(options: ServerOptions) -> Harness {
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = Profile::under(dir.path(), "test");
    profile.create_dirs().expect("dirs");
    let path = profile.socket_path();
    let (sender, commands) = mpsc::unbounded_channel();
    let bus = EventBus::default();
    let server = serve_with(&path, CommandSender::new(sender), bus.clone(), options)
        .await
        .expect("server starts");
    Harness {
        _dir: dir,
        profile,
        path,
        bus,
        commands,
        server,
    }
}

async fn start() -> Harness {
    start_with(ServerOptions::default()).await
}

impl Harness {
    async fn call(&self, method: &str, params: Value) -> Result<Value, ApiError> {
        client::call(&self.path, method, params).await
    }

    fn next_command(&mut self) -> Command {
        self.commands.try_recv().expect("a command was sent")
    }
}

fn remote_code(result: Result<Value, ApiError>) -> String {
    match result {
        Err(ApiError::Remote { code, .. }) => code,
        other => panic!("expected an error response, got {other:?}"),
    }
}

fn contact(jid: &str) -> Contact {
    Contact {
        jid: bare(jid),
        name: None,
        groups: vec!["Friends".into()],
        subscription: Subscription::Both,
        pending_out: false,
    }
}

async fn with_timeout<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(5), future)
        .await
        .expect("did not hang")
}

#[tokio::test]
async fn status_reflects_events_emitted_on_the_bus() {
    let h = start().await;
    let status = h.call("status", Value::Null).await.expect("status");
    assert_eq!(status["connection"], json!({"state": "offline"}));
    assert_eq!(status["jid"], Value::Null);

    h.bus.emit(Event::ConnectionChanged {
        state: ConnectionState::Online {
            jid: nudge_testkit::full("alice@example.org/desk"),
        },
    });
    h.bus.emit(Event::OwnPresenceChanged {
        availability: Availability::Away,
        status: Some("lunch".into()),
    });
    let status = h.call("status", json!({})).await.expect("status");
    assert_eq!(
        status,
        json!({
            "connection": {"state": "online", "jid": "alice@example.org/desk"},
            "jid": "alice@example.org",
            "availability": "away",
            "status": "lunch",
        })
    );
}

#[tokio::test]
async fn roster_lists_contacts_with_presence() {
    let h = start().await;
    h.bus.emit(Event::RosterReceived {
        contacts: vec![contact("bob@example.org"), contact("carol@example.org")],
    });
    h.bus.emit(Event::PresenceChanged {
        jid: bare("carol@example.org"),
        resource: "phone".into(),
        availability: Availability::Busy,
        status: Some("driving".into()),
        priority: 5,
    });
    let roster = h.call("roster", Value::Null).await.expect("roster");
    let contacts = roster["contacts"].as_array().expect("list");
    assert_eq!(contacts.len(), 2);
    assert_eq!(contacts[0]["jid"], "carol@example.org", "available first");
    assert_eq!(contacts[0]["availability"], "busy");
    assert_eq!(contacts[0]["status"], "driving");
    assert_eq!(contacts[0]["resources"][0]["resource"], "phone");
    assert_eq!(contacts[1]["availability"], "offline");
    assert_eq!(contacts[1]["resources"], json!([]));
}

#[tokio::test]
async fn send_queues_a_send_message_command_with_the_returned_id() {
    let mut h = start().await;
    let result = h
        .call("send", json!({"to": "Bob@Example.org", "body": "hello"}))
        .await
        .expect("send");
    let id = result["id"].as_str().expect("an id").to_string();
    assert_eq!(
        h.next_command(),
        Command::SendMessage {
            id,
            to: bare("bob@example.org"),
            body: "hello".into(),
        }
    );
}

#[tokio::test]
async fn each_method_sends_its_command() {
    let mut h = start().await;
    let cases = vec![
        (
            "presence",
            json!({"availability": "busy", "status": "meeting"}),
            Command::SetPresence {
                availability: Availability::Busy,
                status: Some("meeting".into()),
            },
        ),
        (
            "contact_add",
            json!({"jid": "dan@example.org", "name": "Dan", "groups": ["Work"]}),
            Command::AddContact {
                jid: bare("dan@example.org"),
                name: Some("Dan".into()),
                groups: vec!["Work".into()],
            },
        ),
        (
            "contact_remove",
            json!({"jid": "dan@example.org"}),
            Command::RemoveContact {
                jid: bare("dan@example.org"),
            },
        ),
        (
            "contact_approve",
            json!({"jid": "eve@example.org"}),
            Command::ApproveSubscription {
                jid: bare("eve@example.org"),
            },
        ),
        (
            "contact_deny",
            json!({"jid": "eve@example.org"}),
            Command::DenySubscription {
                jid: bare("eve@example.org"),
            },
        ),
    ];
    for (method, params, command) in cases {
        assert_eq!(h.call(method, params).await.expect(method), json!({}));
        assert_eq!(h.next_command(), command, "{method}");
    }
}

#[tokio::test]
async fn invalid_requests_send_no_command() {
    let mut h = start().await;
    let code = remote_code(h.call("send", json!({"to": "bob", "body": "x"})).await);
    assert_eq!(code, "invalid_jid");
    let code = remote_code(h.call("presence", json!({"availability": "asleep"})).await);
    assert_eq!(code, "invalid_params");
    assert!(h.commands.try_recv().is_err(), "nothing reached the core");
}

#[tokio::test]
async fn a_stopped_core_is_reported() {
    let mut h = start().await;
    h.commands.close();
    let code = remote_code(
        h.call("contact_deny", json!({"jid": "eve@example.org"}))
            .await,
    );
    assert_eq!(code, "core_stopped");
}

#[tokio::test]
async fn subscribe_streams_every_event_in_order() {
    let h = start().await;
    let mut stream = client::events(&h.path).await.expect("subscribed");
    let events = vec![
        Event::ConnectionChanged {
            state: ConnectionState::Connecting,
        },
        Event::MessageReceived {
            message: ChatMessage {
                id: "m1".into(),
                peer: bare("bob@example.org"),
                direction: Direction::Incoming,
                body: "hi".into(),
                timestamp_ms: 1_700_000_000_000,
                delivery: Delivery::Received,
            },
        },
        Event::ContactRemoved {
            jid: bare("bob@example.org"),
        },
    ];
    for event in &events {
        h.bus.emit(event.clone());
    }
    for event in events {
        let line = with_timeout(stream.next_event())
            .await
            .expect("read")
            .expect("an event");
        let received: Event = serde_json::from_value(line).expect("an Event");
        assert_eq!(received, event);
    }
}

#[tokio::test]
async fn a_subscriber_can_still_call_methods() {
    let mut h = start().await;
    let mut stream = client::events(&h.path).await.expect("subscribed");
    h.bus.emit(Event::SubscriptionRequested {
        jid: bare("eve@example.org"),
    });
    // The event arrives while `call` waits; it is kept for `next_event`.
    let result = stream
        .call("contact_approve", json!({"jid": "eve@example.org"}))
        .await
        .expect("call");
    assert_eq!(result, json!({}));
    let event = with_timeout(stream.next_event()).await.expect("read");
    assert_eq!(event.expect("event")["event"], "subscription_requested");
    assert!(matches!(
        h.next_command(),
        Command::ApproveSubscription { .. }
    ));
}

#[tokio::test]
async fn two_clients_are_served_at_once() {
    let mut h = start().await;
    let mut watcher = client::events(&h.path).await.expect("subscribed");
    let mut other = ApiClient::connect_as_user(&h.path)
        .await
        .expect("second client");
    let mut third = ApiClient::connect_as_user(&h.path)
        .await
        .expect("third client");
    // Both stay connected while they take turns.
    other.call("status", Value::Null).await.expect("status");
    third
        .call("send", json!({"to": "bob@example.org", "body": "one"}))
        .await
        .expect("send");
    other
        .call("send", json!({"to": "bob@example.org", "body": "two"}))
        .await
        .expect("send");
    let bodies: Vec<String> = (0..2)
        .map(|_| match h.next_command() {
            Command::SendMessage { body, .. } => body,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(bodies, ["one", "two"]);
    h.bus.emit(Event::Problem {
        problem: Problem::MessageNotSaved {
            detail: "disk full".into(),
        },
    });
    let event = with_timeout(watcher.next_event()).await.expect("read");
    let event = event.expect("event");
    assert_eq!(event["code"], "message_not_saved");
    assert_eq!(event["detail"], "disk full");
    assert_eq!(
        event["message"],
        nudge::ui::words::problem(&Problem::MessageNotSaved {
            detail: "disk full".into()
        })
    );
    let status = other
        .call("status", Value::Null)
        .await
        .expect("still served");
    assert_eq!(status["availability"], "offline");
}

#[tokio::test]
async fn history_answers_with_the_loaded_messages_for_that_peer() {
    let mut h = start().await;
    let path = h.path.clone();
    let request = tokio::spawn(async move {
        client::call(
            &path,
            "history",
            json!({"peer": "bob@example.org", "limit": 2}),
        )
        .await
    });
    let command = with_timeout(h.commands.recv()).await.expect("a command");
    assert_eq!(
        command,
        Command::LoadHistory {
            peer: bare("bob@example.org"),
            limit: 2,
        }
    );
    let message = |id: &str, at: i64| ChatMessage {
        id: id.into(),
        peer: bare("bob@example.org"),
        direction: Direction::Outgoing,
        body: format!("text {id}"),
        timestamp_ms: at,
        delivery: Delivery::Sent,
    };
    // Another conversation's history is not the answer; a longer answer is cut to the newest.
    h.bus.emit(Event::HistoryLoaded {
        peer: bare("carol@example.org"),
        messages: vec![],
    });
    h.bus.emit(Event::HistoryLoaded {
        peer: bare("bob@example.org"),
        messages: vec![message("a", 1), message("b", 2), message("c", 3)],
    });
    let result = with_timeout(request)
        .await
        .expect("joined")
        .expect("history");
    assert_eq!(result["peer"], "bob@example.org");
    let ids: Vec<&str> = result["messages"]
        .as_array()
        .expect("list")
        .iter()
        .map(|m| m["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["b", "c"]);
}

#[tokio::test]
async fn history_times_out_when_the_core_does_not_answer() {
    let h = start_with(ServerOptions {
        history_timeout: Duration::from_millis(100),
    })
    .await;
    let code = remote_code(h.call("history", json!({"peer": "bob@example.org"})).await);
    assert_eq!(code, "timeout");
}

#[tokio::test]
async fn the_socket_is_private_to_the_user() {
    let h = start().await;
    let mode = |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode();
    assert_eq!(mode(&h.path) & 0o777, 0o600);
    assert_eq!(mode(&h.profile.runtime_dir) & 0o777, 0o700);
}

#[tokio::test]
async fn a_missing_runtime_folder_is_created_private() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("run/nudge/p/api.sock");
    let (sender, _commands) = mpsc::unbounded_channel();
    let server = serve(&path, CommandSender::new(sender), EventBus::default())
        .await
        .expect("server starts");
    let mode = std::fs::metadata(path.parent().expect("parent"))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
    drop(server);
}

#[tokio::test]
async fn a_stale_socket_is_replaced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("api.sock");
    // A listener that goes away leaves its socket file behind, as a crashed instance would.
    drop(std::os::unix::net::UnixListener::bind(&path).expect("bind"));
    assert!(path.exists());
    let (sender, _commands) = mpsc::unbounded_channel();
    let server = serve(&path, CommandSender::new(sender), EventBus::default())
        .await
        .expect("replaces the stale socket");
    let status = client::call(&path, "status", Value::Null)
        .await
        .expect("answers");
    assert_eq!(status["availability"], "offline");
    drop(server);
}

#[tokio::test]
async fn a_second_server_on_the_same_socket_is_refused() {
    let h = start().await;
    let (sender, _commands) = mpsc::unbounded_channel();
    let error = serve(&h.path, CommandSender::new(sender), EventBus::default())
        .await
        .expect_err("refused");
    assert!(
        matches!(error, ApiError::AlreadyRunning { .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("Nudge is already running for this profile"),
        "{error}"
    );
    // The first server is untouched.
    h.call("status", Value::Null).await.expect("still answers");
}

#[tokio::test]
async fn a_file_that_is_not_a_socket_is_left_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("api.sock");
    std::fs::write(&path, "precious").expect("write");
    let (sender, _commands) = mpsc::unbounded_channel();
    let error = serve(&path, CommandSender::new(sender), EventBus::default())
        .await
        .expect_err("refused");
    assert!(matches!(error, ApiError::NotASocket { .. }), "{error:?}");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "precious");
}

async fn raw_response(client: &mut ApiClient, line: &[u8]) -> (Value, Value) {
    client.send_line(line).await.expect("sent");
    match with_timeout(client.next_line()).await.expect("read") {
        Some(ServerLine::Response(response)) => {
            let id = serde_json::to_value(&response.id).expect("id");
            match response.outcome {
                Outcome::Error(error) => (id, json!(error.code)),
                Outcome::Result(result) => (id, result),
            }
        }
        other => panic!("expected a response, got {other:?}"),
    }
}

#[tokio::test]
async fn malformed_lines_get_errors_and_the_connection_keeps_working() {
    let h = start().await;
    let mut client = ApiClient::connect_as_user(&h.path).await.expect("connect");
    let cases: Vec<(Vec<u8>, Value, Value)> = vec![
        (b"{oops".to_vec(), Value::Null, json!("parse_error")),
        (b"\xff\xfe".to_vec(), Value::Null, json!("parse_error")),
        (b"42".to_vec(), Value::Null, json!("invalid_request")),
        (
            br#"{"id":"a","method":"launch_rockets"}"#.to_vec(),
            json!("a"),
            json!("unknown_method"),
        ),
        (
            br#"{"id":2,"method":"send","params":{"to":"bob@example.org"}}"#.to_vec(),
            json!(2),
            json!("invalid_params"),
        ),
        (
            vec![b'x'; MAX_LINE_BYTES + 1],
            Value::Null,
            json!("line_too_long"),
        ),
        (
            br#"{"id":3,"method":"status"}"#.to_vec(),
            json!(3),
            json!({"connection": {"state": "offline"}, "jid": null, "availability": "offline", "status": null}),
        ),
    ];
    for (line, id, outcome) in cases {
        let shown = String::from_utf8_lossy(&line[..line.len().min(40)]).into_owned();
        assert_eq!(
            raw_response(&mut client, &line).await,
            (id, outcome),
            "{shown}"
        );
    }
    // Blank lines are ignored rather than answered.
    client.send_line(b"").await.expect("sent");
    assert_eq!(
        client.call("status", Value::Null).await.expect("works")["availability"],
        "offline"
    );
}

#[tokio::test]
async fn shutdown_closes_clients_and_removes_the_socket() {
    let h = start().await;
    let path = h.path.clone();
    let mut stream = client::events(&path).await.expect("subscribed");
    with_timeout(h.server.shutdown()).await;
    assert!(!path.exists(), "socket file removed");
    let end = with_timeout(stream.next_event()).await.expect("clean end");
    assert_eq!(end, None);
    let error = client::call(&path, "status", Value::Null)
        .await
        .expect_err("nobody listens");
    assert!(matches!(error, ApiError::NotRunning { .. }), "{error:?}");
}

#[tokio::test]
async fn dropping_the_server_removes_the_socket() {
    let h = start().await;
    let path = h.path.clone();
    drop(h.server);
    assert!(!path.exists());
}

#[tokio::test]
async fn ctl_prints_results_and_names_the_profile_when_not_running() {
    let h = start().await;
    let mut out = Vec::new();
    ctl::run_at(&h.path, &CtlCommand::Status, &mut out)
        .await
        .expect("ctl status");
    let text = String::from_utf8(out).expect("utf-8");
    assert!(
        text.contains("\n  \"availability\": \"offline\""),
        "pretty: {text}"
    );
    let printed: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(printed["jid"], Value::Null);

    let dir = tempfile::tempdir().expect("temp dir");
    let nobody = Profile::under(dir.path(), "work");
    let error = ctl::run(&nobody, CtlCommand::Roster)
        .await
        .expect_err("not running");
    let message = error.to_string();
    assert!(
        message.starts_with("Nudge is not running for profile work (no socket at "),
        "{message}"
    );
    assert!(message.contains("api.sock"), "{message}");
}

/// Output the test can look at while `ctl events` is still writing to it.
#[derive(Clone, Default)]
struct SharedOutput(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for SharedOutput {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl SharedOutput {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().expect("lock").clone()).expect("utf-8")
    }
}

#[tokio::test]
async fn ctl_events_prints_one_object_per_line_until_the_socket_closes() {
    let h = start().await;
    let path = h.path.clone();
    let output = SharedOutput::default();
    let mut writer = output.clone();
    let printer =
        tokio::spawn(async move { ctl::run_at(&path, &CtlCommand::Events, &mut writer).await });
    // Emit until the printer has subscribed and printed something.
    let started = tokio::time::Instant::now();
    while output.text().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "nothing printed"
        );
        h.bus.emit(Event::ContactRemoved {
            jid: bare("bob@example.org"),
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    h.server.shutdown().await;
    with_timeout(printer)
        .await
        .expect("joined")
        .expect("ends cleanly");
    let text = output.text();
    assert!(text.ends_with('\n'), "whole lines: {text:?}");
    for line in text.lines() {
        let event: Event = serde_json::from_str(line).expect("one event per line");
        assert_eq!(
            event,
            Event::ContactRemoved {
                jid: bare("bob@example.org")
            }
        );
    }
}

#[tokio::test]
async fn a_subscriber_that_stops_reading_is_disconnected() {
    let h = start().await;
    let mut stalled = client::events(&h.path).await.expect("subscribed");
    let total = 50_000;
    for n in 0..total {
        h.bus.emit(Event::Problem {
            problem: Problem::MessageNotSaved {
                detail: format!("problem number {n} with some words to fill the line"),
            },
        });
    }
    // Not reading: the socket buffer and the server's outbox fill up and the server gives up.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut received = 0;
    while with_timeout(stalled.next_raw_line())
        .await
        .expect("read")
        .is_some()
    {
        received += 1;
    }
    assert!(
        received < total,
        "disconnected early, after {received} lines"
    );
    // Others are still served.
    h.call("status", Value::Null).await.expect("server alive");
}
