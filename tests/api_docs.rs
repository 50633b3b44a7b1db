//! Keeps `docs/api.md` true: every example in it is produced here by the real server and by
//! serialising real values.
//!
//! The doc marks each example with `<!-- example:NAME -->` ... `<!-- /example -->`. This test
//! regenerates them and fails when the file differs; run it with `NUDGE_BLESS_DOCS=1` to write
//! the new examples into the file.

#![cfg(unix)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use nudge::api::client::ApiClient;
use nudge::api::methods::METHOD_NAMES;
use nudge::api::protocol::MAX_LINE_BYTES;
use nudge::api::server::{serve_with, ApiServer, ServerOptions};
use nudge::command::Command;
use nudge::core::{CommandSender, EventBus};
use nudge::event::Event;
use nudge::invite::{InviteSession, Origin, Role, SessionEvent, SessionState};
use nudge::model::{
    AppInfo, Availability, ChatMessage, ChatState, ConnectionState, Contact, Delivery, Direction,
    Subscription,
};
use tokio::sync::mpsc;

/// A fixed message id shown in place of the random one `send` returns.
const SHOWN_MESSAGE_ID: &str = "0f8e3b52-6c1d-4e8a-9a43-1b7d2c5e9f10";

type Blocks = BTreeMap<String, String>;

fn doc_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/api.md")
}

fn message(id: &str, direction: Direction, body: &str, at: i64, delivery: Delivery) -> ChatMessage {
    ChatMessage {
        id: id.into(),
        peer: "bob@example.org".into(),
        direction,
        body: body.into(),
        timestamp_ms: at,
        delivery,
    }
}

fn contact(jid: &str, name: Option<&str>, subscription: Subscription) -> Contact {
    Contact {
        jid: jid.into(),
        name: name.map(str::to_string),
        groups: vec!["Friends".into()],
        subscription,
        pending_out: false,
    }
}

fn history() -> Vec<ChatMessage> {
    vec![
        message(
            "a1",
            Direction::Incoming,
            "Lunch?",
            1_767_225_600_000,
            Delivery::Received,
        ),
        message(
            "a2",
            Direction::Outgoing,
            "Sure, 12:30",
            1_767_225_660_000,
            Delivery::Delivered,
        ),
    ]
}

/// One example of every event kind, in the order of `Event`'s variants.
fn event_examples() -> Vec<Event> {
    vec![
        Event::ConnectionChanged {
            state: ConnectionState::Online {
                jid: "alice@example.org/nudge-4f2a".into(),
            },
        },
        Event::AccountRegistered {
            jid: "alice@example.org".into(),
        },
        Event::RegistrationFailed {
            message: "the server does not allow creating accounts".into(),
        },
        Event::OwnPresenceChanged {
            availability: Availability::Away,
            status: Some("Back at two".into()),
        },
        Event::RosterReceived {
            contacts: vec![contact("bob@example.org", Some("Bob"), Subscription::Both)],
        },
        Event::ContactUpdated {
            contact: Contact {
                pending_out: true,
                ..contact("carol@example.org", None, Subscription::None)
            },
        },
        Event::ContactRemoved {
            jid: "carol@example.org".into(),
        },
        Event::PresenceChanged {
            jid: "bob@example.org".into(),
            resource: "laptop".into(),
            availability: Availability::Busy,
            status: Some("In a meeting".into()),
            priority: 5,
        },
        Event::SubscriptionRequested {
            jid: "dave@example.org".into(),
        },
        Event::MessageReceived {
            message: history()[0].clone(),
        },
        Event::MessageQueued {
            message: message(
                "a3",
                Direction::Outgoing,
                "See you",
                1_767_225_720_000,
                Delivery::Pending,
            ),
        },
        Event::DeliveryChanged {
            peer: "bob@example.org".into(),
            id: "a3".into(),
            delivery: Delivery::Failed {
                reason: "bob@example.org does not exist".into(),
            },
        },
        Event::ChatStateChanged {
            jid: "bob@example.org".into(),
            state: ChatState::Composing,
        },
        Event::HistoryLoaded {
            peer: "bob@example.org".into(),
            messages: history(),
        },
        Event::SessionUpdated {
            session: invite_session(),
        },
        Event::SessionEvent {
            session: invite_session().id,
            detail: SessionEvent::OnContextData {
                data: "move 4".into(),
            },
        },
        Event::ContactAppsKnown {
            jid: "bob@example.org".into(),
            resource: "laptop".into(),
            apps: vec!["{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}".into()],
        },
        Event::AppsChanged {
            apps: vec![AppInfo {
                guid: "{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}".into(),
                name: "Tic-Tac-Toe".into(),
                download_url: "https://example.org/tictactoe".into(),
                installed: true,
            }],
        },
        Event::Problem {
            message: "could not save the message history: disk full".into(),
        },
    ]
}

fn invite_session() -> InviteSession {
    InviteSession {
        id: "0b6f1a3e-5c2d-4e8f-9a1b-2c3d4e5f6a7b".into(),
        role: Role::Invitee,
        origin: Origin::Menu,
        app_guid: "{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}".into(),
        app_name: "Tic-Tac-Toe".into(),
        download_url: "https://example.org/tictactoe".into(),
        peer: "bob@example.org".into(),
        state: SessionState::Invitation,
        context: Some("bob plays X".into()),
        local_address: None,
        remote_address: Some("192.0.2.7:4000".into()),
        app_present: true,
        end_reason: None,
        end_text: None,
        created_ms: 1_767_225_780_000,
    }
}

/// The variant's position; the exhaustive match makes a new variant fail to compile here
/// until it gets an example.
fn variant_index(event: &Event) -> usize {
    match event {
        Event::ConnectionChanged { .. } => 0,
        Event::AccountRegistered { .. } => 1,
        Event::RegistrationFailed { .. } => 2,
        Event::OwnPresenceChanged { .. } => 3,
        Event::RosterReceived { .. } => 4,
        Event::ContactUpdated { .. } => 5,
        Event::ContactRemoved { .. } => 6,
        Event::PresenceChanged { .. } => 7,
        Event::SubscriptionRequested { .. } => 8,
        Event::MessageReceived { .. } => 9,
        Event::MessageQueued { .. } => 10,
        Event::DeliveryChanged { .. } => 11,
        Event::ChatStateChanged { .. } => 12,
        Event::HistoryLoaded { .. } => 13,
        Event::SessionUpdated { .. } => 14,
        Event::SessionEvent { .. } => 15,
        Event::ContactAppsKnown { .. } => 16,
        Event::AppsChanged { .. } => 17,
        Event::Problem { .. } => 18,
    }
}
const EVENT_KINDS: usize = 19;

fn event_line(event: &Event) -> String {
    serde_json::to_string(event).expect("serialises")
}

fn event_blocks(blocks: &mut Blocks) {
    let examples = event_examples();
    let covered: Vec<usize> = examples.iter().map(variant_index).collect();
    assert_eq!(
        covered,
        (0..EVENT_KINDS).collect::<Vec<_>>(),
        "one example per kind, in order"
    );
    for event in &examples {
        let line = event_line(event);
        let kind: serde_json::Value = serde_json::from_str(&line).expect("json");
        let kind = kind["event"].as_str().expect("kind").to_string();
        blocks.insert(format!("event:{kind}"), line);
    }
    let states = [
        ConnectionState::Offline,
        ConnectionState::Connecting,
        ConnectionState::Online {
            jid: "alice@example.org/nudge-4f2a".into(),
        },
        ConnectionState::Reconnecting {
            next_attempt_ms: 1_767_225_630_000,
            attempt: 3,
            reason: "the server closed the connection".into(),
        },
        ConnectionState::AuthFailed {
            message: "wrong password".into(),
        },
        ConnectionState::CertificateRejected {
            fingerprint: "AB:CD:EF:01".into(),
            message: "the certificate is self-signed".into(),
        },
        ConnectionState::Failed {
            message: "plaintext is only allowed to a loopback address".into(),
        },
    ];
    let lines: Vec<String> = states
        .into_iter()
        .map(|state| event_line(&Event::ConnectionChanged { state }))
        .collect();
    blocks.insert("connection-states".into(), lines.join("\n"));
}

struct Server {
    _dir: tempfile::TempDir,
    path: PathBuf,
    bus: EventBus,
    _server: ApiServer,
}

/// A server whose core stand-in answers `LoadHistory` (when `answer_history`) or never answers.
async fn server(answer_history: bool, core_running: bool, timeout: Duration) -> Server {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("api.sock");
    let (sender, mut commands) = mpsc::unbounded_channel();
    let bus = EventBus::default();
    let options = ServerOptions {
        history_timeout: timeout,
    };
    let server = serve_with(&path, CommandSender::new(sender), bus.clone(), options)
        .await
        .expect("server");
    let core_bus = bus.clone();
    if core_running {
        tokio::spawn(async move {
            while let Some(command) = commands.recv().await {
                if let (Command::LoadHistory { peer, .. }, true) = (command, answer_history) {
                    core_bus.emit(Event::HistoryLoaded {
                        peer,
                        messages: history(),
                    });
                }
            }
        });
    }
    Server {
        _dir: dir,
        path,
        bus,
        _server: server,
    }
}

/// Sends each request line and records it with the raw response line.
async fn exchange(client: &mut ApiClient, requests: &[&str]) -> String {
    let mut shown = Vec::new();
    for request in requests {
        client.send_line(request.as_bytes()).await.expect("sent");
        let response = client.next_raw_line().await.expect("read").expect("a line");
        shown.push(format!("→ {request}"));
        shown.push(format!("← {}", String::from_utf8(response).expect("utf-8")));
    }
    shown.join("\n")
}

async fn method_blocks(blocks: &mut Blocks) {
    let s = server(true, true, Duration::from_secs(5)).await;
    s.bus.emit(Event::ConnectionChanged {
        state: ConnectionState::Online {
            jid: "alice@example.org/nudge-4f2a".into(),
        },
    });
    s.bus.emit(Event::OwnPresenceChanged {
        availability: Availability::Online,
        status: Some("Working from home".into()),
    });
    s.bus.emit(Event::RosterReceived {
        contacts: vec![
            contact("bob@example.org", Some("Bob"), Subscription::Both),
            contact("carol@example.org", None, Subscription::To),
        ],
    });
    s.bus.emit(Event::PresenceChanged {
        jid: "bob@example.org".into(),
        resource: "laptop".into(),
        availability: Availability::Online,
        status: Some("Coding".into()),
        priority: 5,
    });
    s.bus.emit(Event::SubscriptionRequested {
        jid: "dave@example.org".into(),
    });
    let mut client = ApiClient::connect(&s.path).await.expect("connect");
    let examples: &[(&str, &[&str])] = &[
        ("status", &[r#"{"id":1,"method":"status"}"#]),
        ("roster", &[r#"{"id":2,"method":"roster"}"#]),
        (
            "send",
            &[r#"{"id":3,"method":"send","params":{"to":"bob@example.org","body":"Hi Bob!"}}"#],
        ),
        (
            "presence",
            &[
                r#"{"id":4,"method":"presence","params":{"availability":"away","status":"Back at two"}}"#,
            ],
        ),
        (
            "contact_add",
            &[
                r#"{"id":5,"method":"contact_add","params":{"jid":"erin@example.org","name":"Erin","groups":["Work"]}}"#,
            ],
        ),
        (
            "contact_remove",
            &[r#"{"id":6,"method":"contact_remove","params":{"jid":"carol@example.org"}}"#],
        ),
        (
            "contact_approve",
            &[r#"{"id":7,"method":"contact_approve","params":{"jid":"dave@example.org"}}"#],
        ),
        (
            "contact_deny",
            &[r#"{"id":8,"method":"contact_deny","params":{"jid":"mallory@example.org"}}"#],
        ),
        (
            "history",
            &[r#"{"id":"h-1","method":"history","params":{"peer":"bob@example.org","limit":20}}"#],
        ),
    ];
    for (name, requests) in examples {
        let mut shown = exchange(&mut client, requests).await;
        if *name == "send" {
            shown = hide_message_id(&shown);
        }
        blocks.insert(format!("method:{name}"), shown);
    }
    // Subscribe, then show the first pushed event.
    let mut shown = exchange(&mut client, &[r#"{"id":9,"method":"subscribe"}"#]).await;
    s.bus.emit(Event::ChatStateChanged {
        jid: "bob@example.org".into(),
        state: ChatState::Composing,
    });
    let pushed = client.next_raw_line().await.expect("read").expect("event");
    shown.push_str(&format!(
        "\n← {}",
        String::from_utf8(pushed).expect("utf-8")
    ));
    blocks.insert("method:subscribe".into(), shown);
}

fn hide_message_id(shown: &str) -> String {
    let start = shown.find(r#""result":{"id":""#).expect("an id") + r#""result":{"id":""#.len();
    let end = start + shown[start..].find('"').expect("closing quote");
    format!("{}{SHOWN_MESSAGE_ID}{}", &shown[..start], &shown[end..])
}

async fn error_blocks(blocks: &mut Blocks) {
    let s = server(true, true, Duration::from_secs(5)).await;
    let mut client = ApiClient::connect(&s.path).await.expect("connect");
    let mut shown = exchange(
        &mut client,
        &[
            r#"{"id":1,"method":"status""#,
            r#"{"method":"status"}"#,
            r#"{"id":2,"method":"stats"}"#,
            r#"{"id":3,"method":"send","params":{"to":"bob@example.org"}}"#,
            r#"{"id":4,"method":"presence","params":{"availability":"sleepy"}}"#,
            r#"{"id":5,"method":"send","params":{"to":"bob","body":"Hi"}}"#,
        ],
    )
    .await;
    client
        .send_line(&vec![b' '; MAX_LINE_BYTES + 1])
        .await
        .expect("sent");
    let response = client.next_raw_line().await.expect("read").expect("line");
    shown.push_str(&format!(
        "\n→ (a line of {} bytes)\n← {}",
        MAX_LINE_BYTES + 1,
        String::from_utf8(response).expect("utf-8")
    ));

    let slow = server(false, true, Duration::from_millis(500)).await;
    let mut client = ApiClient::connect(&slow.path).await.expect("connect");
    let timeout = exchange(
        &mut client,
        &[r#"{"id":6,"method":"history","params":{"peer":"bob@example.org"}}"#],
    )
    .await;
    let stopped = server(false, false, Duration::from_millis(500)).await;
    let mut client = ApiClient::connect(&stopped.path).await.expect("connect");
    let core_stopped = exchange(
        &mut client,
        &[r#"{"id":7,"method":"contact_remove","params":{"jid":"bob@example.org"}}"#],
    )
    .await;
    blocks.insert("errors".into(), [shown, timeout, core_stopped].join("\n"));
}

/// Replaces the inside of every marked block; fails on a marker without an example and the
/// other way round.
fn fill(doc: &str, blocks: &Blocks) -> Result<String, String> {
    const OPEN: &str = "<!-- example:";
    const CLOSE: &str = "<!-- /example -->";
    let mut out = String::new();
    let mut rest = doc;
    let mut used = Vec::new();
    while let Some(at) = rest.find(OPEN) {
        let name_end = rest[at..].find(" -->").ok_or("unterminated marker")? + at;
        let name = &rest[at + OPEN.len()..name_end];
        let close = rest[name_end..]
            .find(CLOSE)
            .ok_or(format!("no {CLOSE} after {name}"))?
            + name_end;
        let content = blocks
            .get(name)
            .ok_or(format!("the doc has a block {name:?} no test produces"))?;
        out.push_str(&rest[..name_end]);
        out.push_str(&format!(" -->\n```\n{content}\n```\n"));
        rest = &rest[close..];
        used.push(name.to_string());
    }
    out.push_str(rest);
    let missing: Vec<&String> = blocks.keys().filter(|k| !used.contains(k)).collect();
    if !missing.is_empty() {
        return Err(format!("docs/api.md lacks blocks for {missing:?}"));
    }
    Ok(out)
}

#[tokio::test]
async fn api_doc_examples_are_what_the_server_really_sends() {
    let mut blocks = Blocks::new();
    event_blocks(&mut blocks);
    method_blocks(&mut blocks).await;
    error_blocks(&mut blocks).await;
    for name in METHOD_NAMES {
        assert!(
            blocks.contains_key(&format!("method:{name}")),
            "no example of {name}"
        );
    }
    let path = doc_path();
    let doc = std::fs::read_to_string(&path).expect("docs/api.md exists");
    let filled = fill(&doc, &blocks).unwrap_or_else(|e| panic!("{e}"));
    if std::env::var_os("NUDGE_BLESS_DOCS").is_some() {
        std::fs::write(&path, filled).expect("write docs");
        return;
    }
    assert!(
        filled == doc,
        "docs/api.md is out of date; run `NUDGE_BLESS_DOCS=1 cargo test --test api_docs`"
    );
}
