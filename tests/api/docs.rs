//! Keeps `docs/api.md` true: every example in it is produced here by the real server and by
//! serialising real values.
//!
//! The doc marks each example with `<!-- example:NAME -->` ... `<!-- /example -->`. This test
//! regenerates them and fails when the file differs; run it with `NUDGE_BLESS_DOCS=1` to write
//! the new examples into the file.

#![cfg(unix)]

use nudge_testkit::bare;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use nudge::api::access::key_response;
use nudge::api::client::ApiClient;
use nudge::api::methods::METHOD_NAMES;
use nudge::api::protocol::MAX_LINE_BYTES;
use nudge::api::server::{serve_context, ApiServer, ServeContext, ServerOptions};
use nudge::command::Command;
use nudge::config::Profile;
use nudge::core::{CommandSender, EventBus};
use nudge::event::Event;
use nudge::invite::cookies::LaunchCookies;
use nudge::invite::{InviteSession, Origin, Role, SessionEvent, SessionState, MAX_CONTEXT_BYTES};
use nudge::model::{
    AppInfo, Availability, ChatMessage, ChatState, ConnectionState, Contact, Delivery, Direction,
    Subscription,
};
use nudge::xmpp::register::{RegistrationField, RegistrationForm};
use tokio::sync::mpsc;

/// A fixed message id shown in place of the random one `send` returns.
const SHOWN_MESSAGE_ID: &str = "0f8e3b52-6c1d-4e8a-9a43-1b7d2c5e9f10";
/// The registered application of the examples, and its key.
const GAME: &str = "{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}";
const GAME_KEY: &str = "correct-horse-battery-staple";
/// Fixed values shown in place of random ones (session ids, nonces, cookies, the token).
const SHOWN_SESSION_ID: &str = "7d1e9c40-2b5a-4f6e-8c3d-9a0b1c2d3e4f";
const SHOWN_NONCE: &str = "4f1c9a2e7b3d4c5e8f6a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e";
const SHOWN_COOKIE: &str = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d";
const SHOWN_TOKEN: &str = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b";
const SHOWN_CREATED_MS: &str = "1767225900000";

type Blocks = BTreeMap<String, String>;

fn doc_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/api.md")
}

fn message(id: &str, direction: Direction, body: &str, at: i64, delivery: Delivery) -> ChatMessage {
    ChatMessage {
        id: id.into(),
        peer: bare("bob@example.org"),
        direction,
        body: body.into(),
        timestamp_ms: at,
        delivery,
    }
}

fn contact(jid: &str, name: Option<&str>, subscription: Subscription) -> Contact {
    Contact {
        jid: bare(jid),
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
                jid: nudge_testkit::full("alice@example.org/nudge-4f2a"),
            },
        },
        Event::AccountRegistered {
            jid: bare("alice@example.org"),
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
            jid: bare("carol@example.org"),
        },
        Event::PresenceChanged {
            jid: bare("bob@example.org"),
            resource: "laptop".into(),
            availability: Availability::Busy,
            status: Some("In a meeting".into()),
            priority: 5,
        },
        Event::SubscriptionRequested {
            jid: bare("dave@example.org"),
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
            peer: bare("bob@example.org"),
            id: "a3".into(),
            delivery: Delivery::Failed {
                reason: "bob@example.org does not exist".into(),
            },
        },
        Event::ChatStateChanged {
            jid: bare("bob@example.org"),
            state: ChatState::Composing,
        },
        Event::NudgeReceived {
            jid: bare("bob@example.org"),
        },
        Event::BlockListChanged {
            jids: vec![bare("spam@example.net").into()],
        },
        Event::HistoryLoaded {
            peer: bare("bob@example.org"),
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
        Event::SettingsChanged {
            settings: nudge::config::Settings::default(),
        },
        Event::ContactAppsKnown {
            jid: bare("bob@example.org"),
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
        Event::RegistrationForm {
            jid: bare("alice@example.org"),
            form: RegistrationForm {
                instructions: Some("Choose a username and password.".into()),
                fields: vec![
                    RegistrationField {
                        label: Some("Username".into()),
                        ..RegistrationField::legacy("username")
                    },
                    RegistrationField {
                        label: Some("Password".into()),
                        ..RegistrationField::legacy("password")
                    },
                    RegistrationField {
                        label: Some("Email".into()),
                        ..RegistrationField::legacy("email")
                    },
                ],
                hidden: vec![("FORM_TYPE".into(), "jabber:iq:register".into())],
                data_form: true,
                ..RegistrationForm::default()
            },
        },
        Event::HistorySynced { new_messages: 12 },
        Event::NotificationClicked {
            target: nudge::model::NotificationTarget::Conversation {
                jid: bare("bob@example.org"),
            },
        },
        Event::AvatarChanged {
            jid: bare("bob@example.org"),
            avatar: Some(nudge::model::Avatar {
                sha1: "c5446ab91a22797444bd59d7fcb2bed73e13853f".into(),
                png: RED_PNG.to_vec().into(),
            }),
        },
        Event::NicknameChanged {
            jid: bare("bob@example.org"),
            nick: Some("Bobby".into()),
        },
        Event::ConversationRead {
            peer: bare("bob@example.org"),
        },
        Event::OpenRequested {
            link: Some(nudge::xmpp::uri::XmppUri::Message {
                jid: nudge_testkit::bare("bob@example.org"),
                body: Some("Hi Bob".into()),
            }),
        },
        Event::Problem {
            problem: nudge::problem::Problem::MessageNotSaved {
                detail: "disk full".into(),
            },
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
        Event::NudgeReceived { .. } => 13,
        Event::BlockListChanged { .. } => 14,
        Event::HistoryLoaded { .. } => 15,
        Event::SessionUpdated { .. } => 16,
        Event::SessionEvent { .. } => 17,
        Event::SettingsChanged { .. } => 18,
        Event::ContactAppsKnown { .. } => 19,
        Event::AppsChanged { .. } => 20,
        Event::RegistrationForm { .. } => 21,
        Event::HistorySynced { .. } => 22,
        Event::NotificationClicked { .. } => 23,
        Event::AvatarChanged { .. } => 24,
        Event::NicknameChanged { .. } => 25,
        Event::ConversationRead { .. } => 26,
        Event::OpenRequested { .. } => 27,
        Event::Problem { .. } => 28,
    }
}
const EVENT_KINDS: usize = 29;

/// A 4×4 red PNG: the display picture of the examples.
const RED_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x04, 0x08, 0x06, 0x00, 0x00, 0x00, 0xa9, 0xf1, 0x9e,
    0x7e, 0x00, 0x00, 0x00, 0x12, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x38, 0xa1, 0xa1, 0xf1,
    0x1f, 0x19, 0x33, 0x90, 0x2e, 0x00, 0x00, 0x6c, 0x38, 0x21, 0x71, 0xb1, 0x2c, 0x05, 0xe0, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

fn event_line(event: &Event) -> String {
    nudge::api::event_line(event).expect("serialises")
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
            jid: nudge_testkit::full("alice@example.org/nudge-4f2a"),
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
    cookies: LaunchCookies,
    token_path: PathBuf,
    _server: ApiServer,
}

impl Server {
    fn token(&self) -> String {
        std::fs::read_to_string(&self.token_path)
            .expect("token")
            .trim()
            .to_string()
    }
}

/// A server with Tic-Tac-Toe registered, whose core stand-in answers `LoadHistory` (when
/// `answer_history`) or never answers, and reports the sessions it is asked to change.
async fn server(answer_history: bool, core_running: bool, timeout: Duration) -> Server {
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = Profile::under(dir.path(), "docs");
    profile.create_dirs().expect("dirs");
    std::fs::create_dir_all(profile.apps_dir()).expect("apps dir");
    std::fs::write(
        profile.apps_dir().join(format!("{GAME}.toml")),
        format!(
            "guid = \"{GAME}\"\nname = \"Tic-Tac-Toe\"\npath = \"/bin/sh\"\n\
             download_url = \"https://example.org/tictactoe\"\nkey = \"{GAME_KEY}\"\n"
        ),
    )
    .expect("registration");
    let (sender, mut commands) = mpsc::unbounded_channel();
    let bus = EventBus::default();
    let options = ServerOptions {
        history_timeout: timeout,
    };
    let cookies = LaunchCookies::default();
    let server = serve_context(
        ServeContext::for_profile(&profile, cookies.clone()),
        CommandSender::new(sender),
        bus.clone(),
        options,
    )
    .await
    .expect("server");
    let core_bus = bus.clone();
    if core_running {
        tokio::spawn(async move {
            while let Some(command) = commands.recv().await {
                match command {
                    Command::LoadHistory { peer, .. } if answer_history => {
                        core_bus.emit(Event::HistoryLoaded {
                            peer,
                            messages: history(),
                        });
                    }
                    Command::Invite {
                        session,
                        to,
                        context,
                        local_address,
                        origin,
                        ..
                    } => core_bus.emit(Event::SessionUpdated {
                        session: InviteSession {
                            id: session,
                            role: Role::Inviter,
                            origin,
                            peer: to.to_string(),
                            context,
                            local_address,
                            remote_address: None,
                            ..invite_session()
                        },
                    }),
                    _ => {}
                }
            }
        });
    }
    Server {
        _dir: dir,
        token_path: profile.runtime_dir.join("ctl.token"),
        path: profile.socket_path(),
        bus,
        cookies,
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
            jid: nudge_testkit::full("alice@example.org/nudge-4f2a"),
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
        jid: bare("bob@example.org"),
        resource: "laptop".into(),
        availability: Availability::Online,
        status: Some("Coding".into()),
        priority: 5,
    });
    s.bus.emit(Event::SubscriptionRequested {
        jid: bare("dave@example.org"),
    });
    // Unlocked with the ctl token off the record, as `nudge ctl` does.
    let mut client = ApiClient::connect_as_user(&s.path).await.expect("connect");
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
        (
            "avatar",
            &[
                r#"{"id":"a-1","method":"avatar","params":{"path":"/home/alice/Pictures/me.jpg"}}"#,
                r#"{"id":"a-2","method":"avatar","params":{"builtin":"kitten"}}"#,
                r#"{"id":"a-3","method":"avatar","params":{"remove":true}}"#,
                r#"{"id":"a-4","method":"avatar","params":{"path":"me.jpg"}}"#,
            ],
        ),
        (
            "open",
            &[
                r#"{"id":"o-1","method":"open","params":{"uri":"xmpp:bob@example.org?message;body=Hi%20Bob"}}"#,
                r#"{"id":"o-2","method":"open"}"#,
                r#"{"id":"o-3","method":"open","params":{"uri":"https://example.org/"}}"#,
            ],
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
        jid: bare("bob@example.org"),
        state: ChatState::Composing,
    });
    let pushed = client.next_raw_line().await.expect("read").expect("event");
    shown.push_str(&format!(
        "\n← {}",
        String::from_utf8(pushed).expect("utf-8")
    ));
    blocks.insert("method:subscribe".into(), shown);
}

/// Random values and the fixed ones the doc shows instead.
#[derive(Default)]
struct Shown(Vec<(String, String)>);

impl Shown {
    fn add(&mut self, real: &str, shown: &str) {
        self.0.push((real.to_string(), shown.to_string()));
    }

    fn apply(&self, text: &str) -> String {
        self.0.iter().fold(text.to_string(), |text, (real, shown)| {
            text.replace(real, shown)
        })
    }
}

fn session_example(id: &str, role: Role, state: SessionState) -> InviteSession {
    InviteSession {
        id: id.into(),
        role,
        state,
        ..invite_session()
    }
}

/// The Session Invite methods, on one server with Tic-Tac-Toe registered.
async fn session_blocks(blocks: &mut Blocks) {
    let s = server(true, true, Duration::from_secs(5)).await;
    s.bus.emit(Event::ConnectionChanged {
        state: ConnectionState::Online {
            jid: nudge_testkit::full("alice@example.org/nudge-4f2a"),
        },
    });
    let mut shown = Shown::default();
    let mut put = |name: &str, text: String, shown: &Shown| {
        blocks.insert(name.to_string(), shown.apply(&text));
    };

    let mut locked = ApiClient::connect(&s.path).await.expect("connect");
    let text = exchange(&mut locked, &[r#"{"id":1,"method":"apps"}"#]).await;
    put("method:apps", text, &shown);

    // A registered application unlocks with its key.
    let mut app = ApiClient::connect(&s.path).await.expect("connect");
    let challenge = format!(r#"{{"id":1,"method":"challenge","params":{{"guid":"{GAME}"}}}}"#);
    let mut text = exchange(&mut app, &[&challenge]).await;
    let nonce = text.rsplit(r#""nonce":""#).next().expect("nonce")[..64].to_string();
    let response = key_response(GAME_KEY, &nonce);
    shown.add(&nonce, SHOWN_NONCE);
    shown.add(&response, &key_response(GAME_KEY, SHOWN_NONCE));
    let unlock = format!(
        r#"{{"id":2,"method":"unlock","params":{{"guid":"{GAME}","response":"{response}"}}}}"#
    );
    text.push('\n');
    text.push_str(&exchange(&mut app, &[&unlock]).await);
    put("method:challenge", text, &shown);

    // A launched program unlocks with its cookie; ctl with its token.
    let launched_id = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d";
    let mut launching = session_example(launched_id, Role::Invitee, SessionState::Connected);
    launching.local_address = Some("192.0.2.4:4000".into());
    launching.created_ms = 1_767_225_700_000;
    s.bus.emit(Event::SessionUpdated { session: launching });
    let cookie = s.cookies.issue(launched_id);
    shown.add(&cookie, SHOWN_COOKIE);
    shown.add(&s.token(), SHOWN_TOKEN);
    let mut launched = ApiClient::connect(&s.path).await.expect("connect");
    let mut text = exchange(
        &mut launched,
        &[
            &format!(r#"{{"id":1,"method":"unlock","params":{{"cookie":"{cookie}"}}}}"#),
            &format!(r#"{{"id":2,"method":"unlock","params":{{"cookie":"{cookie}"}}}}"#),
        ],
    )
    .await;
    let mut ctl = ApiClient::connect(&s.path).await.expect("connect");
    text.push_str("\n(another connection: nudge ctl)\n");
    text.push_str(
        &exchange(
            &mut ctl,
            &[&format!(
                r#"{{"id":1,"method":"unlock","params":{{"token":"{}"}}}}"#,
                s.token()
            )],
        )
        .await,
    );
    put("method:unlock", text, &shown);

    // The user's account is the ctl token's alone: not a launched program's, nor a locked
    // connection's.
    let mut text = exchange(
        &mut launched,
        &[r#"{"id":3,"method":"send","params":{"to":"bob@example.org","body":"Hi"}}"#],
    )
    .await;
    text.push_str("\n(a connection that is not unlocked)\n");
    text.push_str(
        &exchange(
            &mut locked,
            &[
                r#"{"id":2,"method":"status"}"#,
                r#"{"id":3,"method":"subscribe"}"#,
            ],
        )
        .await,
    );
    put("account-scope", text, &shown);

    // The application creates a session, sets its address and invites.
    let text = exchange(
        &mut app,
        &[&format!(
            r#"{{"id":3,"method":"create_session","params":{{"app_guid":"{GAME}","context":"You play O"}}}}"#
        )],
    )
    .await;
    let created = text.rsplit(r#""session":""#).next().expect("id")[..36].to_string();
    shown.add(&created, SHOWN_SESSION_ID);
    put("method:create_session", text, &shown);
    let text = exchange(
        &mut app,
        &[&format!(
            r#"{{"id":4,"method":"session","params":{{"session":"{created}"}}}}"#
        )],
    )
    .await;
    let created_ms = text.rsplit(r#""created_ms":"#).next().expect("ms")[..13].to_string();
    shown.add(&created_ms, SHOWN_CREATED_MS);
    put("method:session", text, &shown);
    let text = exchange(
        &mut app,
        &[&format!(
            r#"{{"id":5,"method":"set_local_address","params":{{"session":"{created}","address":"192.0.2.1:4000"}}}}"#
        )],
    )
    .await;
    put("method:set_local_address", text, &shown);
    let text = exchange(
        &mut app,
        &[&format!(
            r#"{{"id":6,"method":"invite","params":{{"session":"{created}","to":"bob@example.org"}}}}"#
        )],
    )
    .await;
    put("method:invite", text, &shown);
    // Wait (off the record) until the core stand-in has reported the invitation.
    let mut watcher = ApiClient::connect(&s.path).await.expect("connect");
    watcher
        .call("unlock", serde_json::json!({"token": s.token()}))
        .await
        .expect("unlock");
    for _ in 0..500 {
        let now = watcher
            .call("session", serde_json::json!({"session": created}))
            .await
            .expect("session");
        if now["state"] == "INVITATION" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let text = exchange(&mut app, &[r#"{"id":7,"method":"sessions"}"#]).await;
    put("method:sessions", text, &shown);
    let text = exchange(
        &mut app,
        &[&format!(
            r#"{{"id":8,"method":"cancel","params":{{"session":"{created}"}}}}"#
        )],
    )
    .await;
    put("method:cancel", text, &shown);

    // The launched program.
    let text = exchange(
        &mut launched,
        &[r#"{"id":3,"method":"get_launching_session"}"#],
    )
    .await;
    put("method:get_launching_session", text, &shown);
    let text = exchange(
        &mut launched,
        &[&format!(
            r#"{{"id":4,"method":"send_context_data","params":{{"session":"{launched_id}","data":"move 4"}}}}"#
        )],
    )
    .await;
    put("method:send_context_data", text, &shown);
    let text = exchange(
        &mut launched,
        &[&format!(
            r#"{{"id":5,"method":"end_session","params":{{"session":"{launched_id}"}}}}"#
        )],
    )
    .await;
    put("method:end_session", text, &shown);

    // ctl answers invitations.
    for id in [
        "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a",
    ] {
        s.bus.emit(Event::SessionUpdated {
            session: session_example(id, Role::Invitee, SessionState::Invitation),
        });
    }
    let text = exchange(
        &mut ctl,
        &[r#"{"id":2,"method":"accept","params":{"session":"1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"}}"#],
    )
    .await;
    put("method:accept", text, &shown);
    let text = exchange(
        &mut ctl,
        &[r#"{"id":3,"method":"decline","params":{"session":"2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a"}}"#],
    )
    .await;
    put("method:decline", text, &shown);

    // What goes wrong.
    let mut ended = session_example(
        "3e4f5a6b-7c8d-4e9f-0a1b-2c3d4e5f6a7b",
        Role::Inviter,
        SessionState::Terminated,
    );
    ended.end_reason = Some(nudge::invite::EndReason::Timeout);
    s.bus.emit(Event::SessionUpdated { session: ended });
    let mut text = exchange(
        &mut locked,
        &[
            r#"{"id":2,"method":"sessions"}"#,
            r#"{"id":3,"method":"unlock","params":{"cookie":"0123456789abcdef"}}"#,
            r#"{"id":4,"method":"challenge","params":{"guid":"{11111111-2222-3333-4444-555555555555}"}}"#,
        ],
    )
    .await;
    text.push('\n');
    text.push_str(
        &exchange(
            &mut launched,
            &[
                r#"{"id":6,"method":"session","params":{"session":"1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"}}"#,
                r#"{"id":7,"method":"session","params":{"session":"no-such-session"}}"#,
            ],
        )
        .await,
    );
    text.push('\n');
    text.push_str(
        &exchange(
            &mut ctl,
            &[
                r#"{"id":4,"method":"cancel","params":{"session":"3e4f5a6b-7c8d-4e9f-0a1b-2c3d4e5f6a7b"}}"#,
                r#"{"id":5,"method":"invite","params":{"to":"alice@example.org","app_guid":"{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}"}}"#,
                r#"{"id":6,"method":"set_local_address","params":{"session":"1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f","address":"a\nb"}}"#,
            ],
        )
        .await,
    );
    let big = "x".repeat(MAX_CONTEXT_BYTES + 1);
    let request = format!(
        r#"{{"id":7,"method":"send_context_data","params":{{"session":"1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f","data":"{big}"}}}}"#
    );
    ctl.send_line(request.as_bytes()).await.expect("sent");
    let response = ctl.next_raw_line().await.expect("read").expect("line");
    text.push_str(&format!(
        "\n→ (send_context_data with {} bytes of data)\n← {}",
        MAX_CONTEXT_BYTES + 1,
        String::from_utf8(response).expect("utf-8")
    ));
    put("session-errors", text, &shown);
}

fn hide_message_id(shown: &str) -> String {
    let start = shown.find(r#""result":{"id":""#).expect("an id") + r#""result":{"id":""#.len();
    let end = start + shown[start..].find('"').expect("closing quote");
    format!("{}{SHOWN_MESSAGE_ID}{}", &shown[..start], &shown[end..])
}

async fn error_blocks(blocks: &mut Blocks) {
    let s = server(true, true, Duration::from_secs(5)).await;
    let mut client = ApiClient::connect_as_user(&s.path).await.expect("connect");
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
    let mut client = ApiClient::connect_as_user(&slow.path)
        .await
        .expect("connect");
    let timeout = exchange(
        &mut client,
        &[r#"{"id":6,"method":"history","params":{"peer":"bob@example.org"}}"#],
    )
    .await;
    let stopped = server(false, false, Duration::from_millis(500)).await;
    let mut client = ApiClient::connect_as_user(&stopped.path)
        .await
        .expect("connect");
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
    session_blocks(&mut blocks).await;
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
        "docs/api.md is out of date; run `NUDGE_BLESS_DOCS=1 cargo test --test api docs::`"
    );
}
