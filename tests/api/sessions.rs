//! The Session Invite methods of the real API server, driven through the real client.
//!
//! As in `api_server.rs`, the test plays the core: it reports sessions on a real `EventBus`,
//! issues launch cookies from a real `LaunchCookies`, and reads the commands the server sends.
//! The registry is a real `apps/` folder of TOML files in the temp profile.

#![cfg(unix)]

use nudge_testkit::bare;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::time::Duration;

use nudge::api::access::key_response;
use nudge::api::client::ApiClient;
use nudge::api::ctl::{self, CtlCommand};
use nudge::api::server::{serve_context, ApiServer, ServeContext, ServerOptions};
use nudge::api::ApiError;
use nudge::command::Command;
use nudge::config::Profile;
use nudge::core::{CommandSender, EventBus};
use nudge::event::Event;
use nudge::invite::cookies::LaunchCookies;
use nudge::invite::{
    EndReason, InviteSession, Origin, Role, SessionEvent, SessionState, MAX_CONTEXT_BYTES,
};
use nudge::model::ConnectionState;
use serde_json::{json, Value};
use tokio::sync::mpsc;

/// Tic-Tac-Toe: registered with a key.
const GAME: &str = "{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}";
const GAME_KEY: &str = "tictactoe-secret";
/// Chess: registered without a key.
const CHESS: &str = "{0C4E5F6A-1B2C-4D3E-8F9A-0B1C2D3E4F5A}";

struct Harness {
    _dir: tempfile::TempDir,
    profile: Profile,
    path: PathBuf,
    bus: EventBus,
    cookies: LaunchCookies,
    commands: mpsc::UnboundedReceiver<Command>,
    server: Option<ApiServer>,
}

/// Registers `guid` the way `nudge apps register` does: a file named after the GUID.
fn register(profile: &Profile, slug: &str, guid: &str, name: &str, key: Option<&str>) {
    let dir = profile.apps_dir();
    std::fs::create_dir_all(&dir).expect("apps dir");
    let key = key.map(|k| format!("key = \"{k}\"\n")).unwrap_or_default();
    std::fs::write(
        dir.join(format!("{guid}.toml")),
        format!(
            "guid = \"{guid}\"\nname = \"{name}\"\npath = \"/bin/sh\"\n\
             download_url = \"https://example.org/{slug}\"\nargs = [\"-c\", \"true\"]\n{key}"
        ),
    )
    .expect("registration");
}

async fn start() -> Harness {
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = Profile::under(dir.path(), "test");
    profile.create_dirs().expect("dirs");
    register(&profile, "game", GAME, "Tic-Tac-Toe", Some(GAME_KEY));
    register(&profile, "chess", CHESS, "Chess", None);
    let (sender, commands) = mpsc::unbounded_channel();
    let bus = EventBus::default();
    let cookies = LaunchCookies::default();
    let context = ServeContext::for_profile(&profile, cookies.clone());
    let server = serve_context(
        context,
        CommandSender::new(sender),
        bus.clone(),
        ServerOptions::default(),
    )
    .await
    .expect("server starts");
    Harness {
        path: profile.socket_path(),
        _dir: dir,
        profile,
        bus,
        cookies,
        commands,
        server: Some(server),
    }
}

impl Harness {
    async fn client(&self) -> ApiClient {
        ApiClient::connect(&self.path).await.expect("connect")
    }

    fn token(&self) -> String {
        std::fs::read_to_string(self.profile.runtime_dir.join("ctl.token"))
            .expect("token file")
            .trim()
            .to_string()
    }

    /// A connection unlocked with the ctl token.
    async fn ctl_client(&self) -> ApiClient {
        let mut client = self.client().await;
        client
            .call("unlock", json!({"token": self.token()}))
            .await
            .expect("token unlocks");
        client
    }

    /// A connection unlocked with the game's key.
    async fn app_client(&self) -> ApiClient {
        let mut client = self.client().await;
        let nonce = challenge(&mut client, GAME).await;
        client
            .call(
                "unlock",
                json!({"guid": GAME, "response": key_response(GAME_KEY, &nonce)}),
            )
            .await
            .expect("key unlocks");
        client
    }

    /// The core reports a session.
    fn report(&self, session: &InviteSession) {
        self.bus.emit(Event::SessionUpdated {
            session: session.clone(),
        });
    }

    /// A connection unlocked with a cookie for `session` (which the core reported).
    async fn launched_client(&self, session: &InviteSession) -> ApiClient {
        self.report(session);
        let cookie = self.cookies.issue(&session.id);
        let mut client = self.client().await;
        client
            .call("unlock", json!({"cookie": cookie}))
            .await
            .expect("cookie unlocks");
        client
    }

    fn next_command(&mut self) -> Command {
        self.commands.try_recv().expect("a command was sent")
    }

    fn no_command(&mut self) {
        assert_eq!(self.commands.try_recv().ok(), None, "no command expected");
    }

    async fn ctl(&self, args: CtlCommand) -> Result<String, ApiError> {
        let mut out = Vec::new();
        ctl::run_at(&self.path, &args, &mut out).await?;
        Ok(String::from_utf8(out).expect("utf-8"))
    }
}

async fn challenge(client: &mut ApiClient, guid: &str) -> String {
    let answer = client
        .call("challenge", json!({"guid": guid}))
        .await
        .expect("challenge");
    answer["nonce"].as_str().expect("a nonce").to_string()
}

fn code(result: Result<Value, ApiError>) -> String {
    match result {
        Err(ApiError::Remote { code, .. }) => code,
        other => panic!("expected an error response, got {other:?}"),
    }
}

fn session(id: &str, guid: &str, role: Role, state: SessionState) -> InviteSession {
    InviteSession {
        id: id.into(),
        role,
        origin: Origin::Menu,
        app_guid: guid.into(),
        app_name: "Tic-Tac-Toe".into(),
        download_url: "https://example.org/game".into(),
        peer: "bob@example.org".into(),
        state,
        context: None,
        local_address: None,
        remote_address: None,
        app_present: true,
        end_reason: None,
        end_text: None,
        created_ms: 1_000,
    }
}

fn ringing(id: &str) -> InviteSession {
    session(id, GAME, Role::Invitee, SessionState::Invitation)
}

async fn with_timeout<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(5), future)
        .await
        .expect("did not hang")
}

#[tokio::test]
async fn a_cookie_unlocks_one_connection_once() {
    let h = start().await;
    let s1 = ringing("s1");
    h.report(&s1);
    let cookie = h.cookies.issue("s1");

    let mut wrong = h.client().await;
    assert_eq!(
        code(wrong.call("unlock", json!({"cookie": "0123abcd"})).await),
        "unlock_failed"
    );
    assert_eq!(code(wrong.call("sessions", Value::Null).await), "locked");

    let mut first = h.client().await;
    first
        .call("unlock", json!({"cookie": cookie}))
        .await
        .expect("the cookie unlocks");
    assert_eq!(
        code(first.call("unlock", json!({"cookie": cookie})).await),
        "already_unlocked"
    );
    assert_eq!(
        code(first.call("unlock", json!({"token": h.token()})).await),
        "already_unlocked",
        "not even with another credential"
    );
    assert_eq!(
        code(first.call("challenge", json!({"guid": GAME})).await),
        "already_unlocked"
    );

    let mut second = h.client().await;
    assert_eq!(
        code(second.call("unlock", json!({"cookie": cookie})).await),
        "unlock_failed",
        "a cookie works on one connection only"
    );
    first
        .call("session", json!({"session": "s1"}))
        .await
        .expect("the first connection keeps its session");
}

/// Every method that reads or changes the user's account, with valid params.
fn account_methods() -> Vec<(&'static str, Value)> {
    vec![
        ("status", Value::Null),
        ("roster", Value::Null),
        ("send", json!({"to": "bob@example.org", "body": "hi"})),
        ("history", json!({"peer": "bob@example.org"})),
        ("presence", json!({"availability": "away"})),
        ("contact_add", json!({"jid": "mallory@example.org"})),
        ("contact_remove", json!({"jid": "bob@example.org"})),
        ("contact_approve", json!({"jid": "mallory@example.org"})),
        ("contact_deny", json!({"jid": "bob@example.org"})),
        ("avatar", json!({"remove": true})),
    ]
}

#[tokio::test]
async fn only_the_ctl_token_reads_and_sends_messages() {
    let mut h = start().await;
    h.report(&ringing("s1"));
    let cookie = h.cookies.issue("s1");
    // A program Nudge launched (a remote invitation can start one) opens a second connection.
    let mut launched = h.client().await;
    launched
        .call("unlock", json!({"cookie": cookie}))
        .await
        .expect("the cookie unlocks");
    let mut app = h.app_client().await;
    let mut locked = h.client().await;
    for (method, params) in account_methods() {
        for client in [&mut launched, &mut app] {
            assert_eq!(
                code(client.call(method, params.clone()).await),
                "forbidden",
                "{method} on a Session Invite connection"
            );
        }
        assert_eq!(
            code(locked.call(method, params.clone()).await),
            "locked",
            "{method} before unlocking"
        );
    }
    assert_eq!(code(locked.call("subscribe", Value::Null).await), "locked");
    // Nothing reached the core.
    h.no_command();

    // The user's own ctl is not limited.
    let mut ctl = h.ctl_client().await;
    ctl.call("send", json!({"to": "bob@example.org", "body": "hi"}))
        .await
        .expect("ctl sends");
    assert!(matches!(h.next_command(), Command::SendMessage { .. }));
}

#[tokio::test]
async fn get_launching_session_returns_the_cookies_session() {
    let h = start().await;
    h.report(&ringing("other"));
    let mut launched = h.launched_client(&ringing("s1")).await;
    let answer = launched
        .call("get_launching_session", Value::Null)
        .await
        .expect("launching session");
    assert_eq!(answer["id"], "s1");
    assert_eq!(answer["state"], "INVITATION");
    assert_eq!(answer["app_guid"], GAME);

    let mut ctl = h.ctl_client().await;
    assert_eq!(
        code(ctl.call("get_launching_session", Value::Null).await),
        "unknown_session",
        "no cookie, no launching session"
    );
}

#[tokio::test]
async fn the_key_challenge_unlocks_a_registered_app() {
    let h = start().await;
    let mut client = h.client().await;
    let nonce = challenge(&mut client, &GAME.to_lowercase()).await;
    assert_eq!(nonce.len(), 64);
    client
        .call(
            "unlock",
            json!({"guid": GAME, "response": key_response(GAME_KEY, &nonce)}),
        )
        .await
        .expect("the right response unlocks");
    client
        .call("sessions", Value::Null)
        .await
        .expect("session methods work now");
    assert_eq!(
        code(
            client
                .call(
                    "unlock",
                    json!({"guid": GAME, "response": key_response(GAME_KEY, &nonce)})
                )
                .await
        ),
        "already_unlocked"
    );
}

#[tokio::test]
async fn a_wrong_response_fails_and_spends_the_nonce() {
    let h = start().await;
    let mut client = h.client().await;
    let nonce = challenge(&mut client, GAME).await;
    let wrong = key_response("not-the-key", &nonce);
    let error = client
        .call("unlock", json!({"guid": GAME, "response": wrong}))
        .await;
    match &error {
        Err(ApiError::Remote { code, message }) => {
            assert_eq!(code, "unlock_failed");
            assert!(!message.contains(GAME_KEY) && !message.contains(&nonce));
        }
        other => panic!("{other:?}"),
    }
    let right = key_response(GAME_KEY, &nonce);
    assert_eq!(
        code(
            client
                .call("unlock", json!({"guid": GAME, "response": right}))
                .await
        ),
        "unlock_failed",
        "a nonce is good for one attempt"
    );

    // Without a challenge there is no nonce to answer.
    let mut fresh = h.client().await;
    assert_eq!(
        code(
            fresh
                .call("unlock", json!({"guid": GAME, "response": right}))
                .await
        ),
        "unlock_failed"
    );
    // A nonce belongs to the connection that asked for it.
    let mut asker = h.client().await;
    let nonce = challenge(&mut asker, GAME).await;
    assert_eq!(
        code(
            fresh
                .call(
                    "unlock",
                    json!({"guid": GAME, "response": key_response(GAME_KEY, &nonce)})
                )
                .await
        ),
        "unlock_failed"
    );
    // And to the GUID it was asked for.
    let mut other = h.client().await;
    let nonce = challenge(&mut other, CHESS).await;
    assert_eq!(
        code(
            other
                .call(
                    "unlock",
                    json!({"guid": GAME, "response": key_response(GAME_KEY, &nonce)})
                )
                .await
        ),
        "unlock_failed"
    );
}

#[tokio::test]
async fn an_app_without_a_key_cannot_unlock_by_key() {
    let h = start().await;
    let mut client = h.client().await;
    let nonce = challenge(&mut client, CHESS).await;
    for key in ["", "anything"] {
        assert_eq!(
            code(
                client
                    .call(
                        "unlock",
                        json!({"guid": CHESS, "response": key_response(key, &nonce)})
                    )
                    .await
            ),
            "unlock_failed"
        );
    }
    assert_eq!(
        code(
            client
                .call(
                    "challenge",
                    json!({"guid": "{11111111-2222-3333-4444-555555555555}"})
                )
                .await
        ),
        "app_not_registered"
    );
}

#[tokio::test]
async fn an_empty_or_unusable_key_never_unlocks() {
    // Installers drop files by hand; `nudge apps register` would refuse these keys.
    const EMPTY: &str = "{0E0E0E0E-0000-4000-8000-000000000001}";
    const SPACES: &str = "{0E0E0E0E-0000-4000-8000-000000000002}";
    let h = start().await;
    register(&h.profile, "empty.toml", EMPTY, "Empty key", Some(""));
    register(&h.profile, "spaces.toml", SPACES, "Spaced key", Some("  "));
    for (guid, key) in [(EMPTY, ""), (SPACES, "  ")] {
        let mut client = h.client().await;
        // The registry refuses such a registration outright; were it read, the key would still
        // not unlock: anyone can answer a challenge for an empty key (HMAC with no secret).
        let asked = client.call("challenge", json!({"guid": guid})).await;
        let Ok(answer) = asked else {
            assert_eq!(code(asked), "app_not_registered", "{guid}");
            continue;
        };
        let nonce = answer["nonce"].as_str().expect("a nonce").to_string();
        assert_eq!(
            code(
                client
                    .call(
                        "unlock",
                        json!({"guid": guid, "response": key_response(key, &nonce)})
                    )
                    .await
            ),
            "unlock_failed",
            "{guid} unlocked with the key {key:?}"
        );
    }
}

#[tokio::test]
async fn the_ctl_token_is_private_new_each_start_and_removed_at_shutdown() {
    let mut h = start().await;
    let token_path = h.profile.runtime_dir.join("ctl.token");
    let mode = std::fs::metadata(&token_path)
        .expect("token")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let old = h.token();
    assert_eq!(old.len(), 64);

    let mut client = h.client().await;
    assert_eq!(
        code(
            client
                .call("unlock", json!({"token": format!("{old}x")}))
                .await
        ),
        "unlock_failed"
    );
    client
        .call("unlock", json!({"token": old}))
        .await
        .expect("the token unlocks");

    h.server.take().expect("server").shutdown().await;
    assert!(!token_path.exists(), "removed at shutdown");

    let restarted = serve_context(
        ServeContext::for_profile(&h.profile, LaunchCookies::default()),
        CommandSender::new(mpsc::unbounded_channel().0),
        EventBus::default(),
        ServerOptions::default(),
    )
    .await
    .expect("restarts");
    assert_ne!(h.token(), old);
    let mut client = h.client().await;
    assert_eq!(
        code(client.call("unlock", json!({"token": old})).await),
        "unlock_failed",
        "a stale token fails"
    );
    drop(restarted);
    assert!(!token_path.exists(), "removed on drop too");
}

#[tokio::test]
async fn session_methods_are_locked_until_unlock() {
    let mut h = start().await;
    h.report(&ringing("s1"));
    let mut client = h.client().await;
    let calls = [
        ("create_session", json!({"app_guid": GAME})),
        ("invite", json!({"to": "bob@example.org", "app_guid": GAME})),
        ("get_launching_session", Value::Null),
        ("session", json!({"session": "s1"})),
        ("sessions", Value::Null),
        ("accept", json!({"session": "s1"})),
        ("decline", json!({"session": "s1"})),
        ("cancel", json!({"session": "s1"})),
        ("end_session", json!({"session": "s1"})),
        ("send_context_data", json!({"session": "s1", "data": "x"})),
        (
            "set_local_address",
            json!({"session": "s1", "address": "x"}),
        ),
    ];
    for (method, params) in calls {
        assert_eq!(
            code(client.call(method, params).await),
            "locked",
            "{method}"
        );
    }
    h.no_command();
    let apps = client
        .call("apps", Value::Null)
        .await
        .expect("apps is open");
    assert_eq!(
        apps,
        json!({"apps": [
            {"guid": CHESS, "name": "Chess", "download_url": "https://example.org/chess", "installed": true},
            {"guid": GAME, "name": "Tic-Tac-Toe", "download_url": "https://example.org/game", "installed": true},
        ]}),
        "sorted by name, never a key"
    );
    assert_eq!(
        code(client.call("status", Value::Null).await),
        "locked",
        "the account's methods are locked too"
    );
}

/// The API reads the registry as `nudge apps list` and the core do: files that the registry
/// refuses are neither listed nor unlocked, whatever their keys say.
#[tokio::test]
async fn the_api_serves_only_what_the_registry_accepts() {
    const PLAIN_HTTP: &str = "{11111111-2222-3333-4444-555555555555}";
    const HUGE: &str = "{22222222-3333-4444-5555-666666666666}";
    const MISNAMED: &str = "{33333333-4444-5555-6666-777777777777}";
    let h = start().await;
    let dir = h.profile.apps_dir();
    let file = |guid: &str, url: &str, padding: usize| {
        format!(
            "guid = \"{guid}\"\nname = \"Sneaky\"\npath = \"/bin/sh\"\n\
             download_url = \"{url}\"\nkey = \"sneaky-key\"\n# {}\n",
            "x".repeat(padding)
        )
    };
    let write = |name: String, text: String| std::fs::write(dir.join(name), text).expect("write");
    write(
        format!("{PLAIN_HTTP}.toml"),
        file(PLAIN_HTTP, "http://example.org/s", 0),
    );
    write(
        format!("{HUGE}.toml"),
        file(HUGE, "https://example.org/s", 70 * 1024),
    );
    write(
        "sneaky.toml".into(),
        file(MISNAMED, "https://example.org/s", 0),
    );
    let mut client = h.client().await;
    let apps = client.call("apps", Value::Null).await.expect("apps");
    let listed: Vec<&str> = apps["apps"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|app| app["guid"].as_str())
        .collect();
    assert_eq!(listed, [CHESS, GAME]);
    for guid in [PLAIN_HTTP, HUGE, MISNAMED] {
        let refused = client.call("challenge", json!({ "guid": guid })).await;
        assert_eq!(code(refused), "app_not_registered", "{guid}");
    }
}

#[tokio::test]
async fn a_launched_program_acts_only_on_its_own_sessions() {
    let mut h = start().await;
    h.report(&ringing("theirs"));
    let mut launched = h.launched_client(&ringing("mine")).await;
    assert_eq!(
        code(launched.call("session", json!({"session": "theirs"})).await),
        "forbidden"
    );
    assert_eq!(
        code(launched.call("accept", json!({"session": "theirs"})).await),
        "forbidden"
    );
    assert_eq!(
        code(launched.call("session", json!({"session": "nobody"})).await),
        "unknown_session"
    );
    h.no_command();
    let listed = launched
        .call("sessions", Value::Null)
        .await
        .expect("sessions");
    let ids: Vec<&str> = listed["sessions"]
        .as_array()
        .expect("list")
        .iter()
        .map(|s| s["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["mine"]);
    launched
        .call("accept", json!({"session": "mine"}))
        .await
        .expect("its own");
    assert_eq!(
        h.next_command(),
        Command::AcceptInvitation {
            session: "mine".into()
        }
    );
    assert_eq!(
        code(
            launched
                .call("create_session", json!({"app_guid": CHESS}))
                .await
        ),
        "forbidden",
        "only sessions of its own application"
    );
    let created = launched
        .call("create_session", json!({"app_guid": GAME}))
        .await
        .expect("same application");
    let id = created["session"].as_str().expect("id");
    launched
        .call("session", json!({"session": id}))
        .await
        .expect("a session it created is its own");
}

#[tokio::test]
async fn a_launched_subscriber_sees_only_its_session_events() {
    let h = start().await;
    let mut launched = h.launched_client(&ringing("mine")).await;
    launched.subscribe().await.expect("subscribe");
    h.bus.emit(Event::ContactRemoved {
        jid: bare("carol@example.org"),
    });
    h.report(&ringing("theirs"));
    h.bus.emit(Event::SessionEvent {
        session: "theirs".into(),
        detail: SessionEvent::OnAccepted,
    });
    h.bus.emit(Event::SessionEvent {
        session: "mine".into(),
        detail: SessionEvent::OnContextData {
            data: "move 4".into(),
        },
    });
    let connected = session("mine", GAME, Role::Invitee, SessionState::Connected);
    h.report(&connected);
    let first = with_timeout(launched.next_event()).await.expect("read");
    assert_eq!(
        first,
        Some(
            json!({"event": "session_event", "session": "mine", "kind": "OnContextData", "data": "move 4"})
        )
    );
    let second = with_timeout(launched.next_event())
        .await
        .expect("read")
        .expect("event");
    assert_eq!(second["event"], "session_updated");
    assert_eq!(second["session"]["id"], "mine");
    assert_eq!(second["session"]["state"], "CONNECTED");
}

#[tokio::test]
async fn an_app_subscriber_sees_the_sessions_of_its_guid() {
    let h = start().await;
    let mut app = h.app_client().await;
    app.subscribe().await.expect("subscribe");
    h.report(&session(
        "chess",
        CHESS,
        Role::Invitee,
        SessionState::Invitation,
    ));
    h.bus.emit(Event::SessionEvent {
        session: "chess".into(),
        detail: SessionEvent::OnAccepted,
    });
    h.report(&ringing("game"));
    h.bus.emit(Event::SessionEvent {
        session: "game".into(),
        detail: SessionEvent::OnAccepted,
    });
    let first = with_timeout(app.next_event())
        .await
        .expect("read")
        .expect("event");
    assert_eq!(first["session"]["id"], "game");
    let second = with_timeout(app.next_event())
        .await
        .expect("read")
        .expect("event");
    assert_eq!(
        second,
        json!({"event": "session_event", "session": "game", "kind": "OnAccepted"})
    );
}

#[tokio::test]
async fn events_need_an_unlock_and_then_follow_its_scope() {
    let h = start().await;
    let mut client = h.client().await;
    assert_eq!(code(client.call("subscribe", Value::Null).await), "locked");
    h.report(&ringing("mine"));
    let cookie = h.cookies.issue("mine");
    client
        .call("unlock", json!({"cookie": cookie}))
        .await
        .expect("unlock");
    client.subscribe().await.expect("subscribe once unlocked");
    h.bus.emit(Event::ContactRemoved {
        jid: bare("dave@example.org"),
    });
    h.bus.emit(Event::SessionEvent {
        session: "mine".into(),
        detail: SessionEvent::OnReadyToLaunch,
    });
    let first = with_timeout(client.next_event())
        .await
        .expect("read")
        .expect("event");
    assert_eq!(
        first["kind"], "OnReadyToLaunch",
        "the contact event is not shown"
    );
}

#[tokio::test]
async fn create_then_invite_sends_the_invite_command_as_an_application() {
    let mut h = start().await;
    let mut app = h.app_client().await;
    let created = app
        .call(
            "create_session",
            json!({"app_guid": GAME, "context": "you play O", "local_address": "192.0.2.1:4000"}),
        )
        .await
        .expect("created");
    let id = created["session"].as_str().expect("id").to_string();
    h.no_command();
    let ready = app
        .call("session", json!({"session": id}))
        .await
        .expect("session");
    assert_eq!(ready["state"], "READY");
    assert_eq!(ready["role"], "inviter");
    assert_eq!(ready["app_name"], "Tic-Tac-Toe");
    assert_eq!(ready["peer"], "");

    app.call(
        "set_local_address",
        json!({"session": id, "address": "192.0.2.1:4001"}),
    )
    .await
    .expect("set before sending");
    h.no_command();
    let invited = app
        .call("invite", json!({"session": id, "to": "Bob@Example.org"}))
        .await
        .expect("invited");
    assert_eq!(invited, json!({"session": id}));
    assert_eq!(
        h.next_command(),
        Command::Invite {
            session: id.clone(),
            to: bare("bob@example.org"),
            app_guid: GAME.into(),
            context: Some("you play O".into()),
            local_address: Some("192.0.2.1:4001".into()),
            origin: Origin::Application,
        }
    );
    assert_eq!(
        code(
            app.call("invite", json!({"session": id, "to": "carol@example.org"}))
                .await
        ),
        "invalid_state",
        "a session is invited once"
    );

    // The core's report takes over from the server's copy.
    let mut reported = session(&id, GAME, Role::Inviter, SessionState::Invitation);
    reported.origin = Origin::Application;
    h.report(&reported);
    let now = app
        .call("session", json!({"session": id}))
        .await
        .expect("session");
    assert_eq!(now["state"], "INVITATION");
    let listed = app.call("sessions", Value::Null).await.expect("sessions");
    assert_eq!(listed["sessions"].as_array().expect("list").len(), 1);
}

#[tokio::test]
async fn invite_with_an_app_guid_creates_the_session_on_the_fly() {
    let mut h = start().await;
    let mut app = h.app_client().await;
    let invited = app
        .call(
            "invite",
            json!({"to": "bob@example.org", "app_guid": GAME, "context": "hi"}),
        )
        .await
        .expect("invited");
    let id = invited["session"].as_str().expect("id");
    match h.next_command() {
        Command::Invite {
            session,
            to,
            app_guid,
            context,
            origin,
            ..
        } => {
            assert_eq!((session.as_str(), to.as_str()), (id, "bob@example.org"));
            assert_eq!(app_guid, GAME);
            assert_eq!(context.as_deref(), Some("hi"));
            assert_eq!(origin, Origin::Application);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        code(
            app.call(
                "invite",
                json!({"to": "bob@example.org", "app_guid": CHESS})
            )
            .await
        ),
        "forbidden",
        "an app invites only to itself"
    );
    let mut ctl = h.ctl_client().await;
    assert_eq!(
        code(
            ctl.call(
                "invite",
                json!({"to": "bob@example.org", "app_guid": "{11111111-2222-3333-4444-555555555555}"})
            )
            .await
        ),
        "app_not_registered"
    );
    h.no_command();
}

#[tokio::test]
async fn inviting_yourself_is_refused() {
    let mut h = start().await;
    h.bus.emit(Event::ConnectionChanged {
        state: ConnectionState::Online {
            jid: nudge_testkit::full("alice@example.org/nudge-1"),
        },
    });
    let mut ctl = h.ctl_client().await;
    let error = ctl
        .call(
            "invite",
            json!({"to": "Alice@example.org", "app_guid": GAME}),
        )
        .await;
    assert_eq!(code(error), "invited_self");
    h.no_command();
    let listed = ctl.call("sessions", Value::Null).await.expect("sessions");
    assert_eq!(listed, json!({"sessions": []}), "nothing was created");
}

#[tokio::test]
async fn context_over_the_limit_is_refused() {
    let mut h = start().await;
    let mut launched = h
        .launched_client(&session("s1", GAME, Role::Invitee, SessionState::Connected))
        .await;
    let data = "x".repeat(MAX_CONTEXT_BYTES + 1);
    assert_eq!(
        code(
            launched
                .call("send_context_data", json!({"session": "s1", "data": data}))
                .await
        ),
        "context_too_large"
    );
    assert_eq!(
        code(
            launched
                .call("create_session", json!({"app_guid": GAME, "context": data}))
                .await
        ),
        "context_too_large"
    );
    h.no_command();
    launched
        .call(
            "send_context_data",
            json!({"session": "s1", "data": "x".repeat(MAX_CONTEXT_BYTES)}),
        )
        .await
        .expect("at the limit");
    assert!(
        matches!(h.next_command(), Command::SendContextData { data, .. } if data.len() == MAX_CONTEXT_BYTES)
    );
}

#[tokio::test]
async fn actions_on_a_final_session_are_invalid_state() {
    let mut h = start().await;
    let mut ended = session("s1", GAME, Role::Inviter, SessionState::Terminated);
    ended.end_reason = Some(EndReason::Timeout);
    h.report(&ended);
    let mut ctl = h.ctl_client().await;
    for (method, params) in [
        ("cancel", json!({"session": "s1"})),
        ("end_session", json!({"session": "s1"})),
        ("send_context_data", json!({"session": "s1", "data": "x"})),
    ] {
        let error = ctl.call(method, params).await;
        match error {
            Err(ApiError::Remote { code, message }) => {
                assert_eq!(code, "invalid_state", "{method}");
                assert!(message.contains("TERMINATED"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
    h.report(&ringing("s2"));
    assert_eq!(
        code(ctl.call("cancel", json!({"session": "s2"})).await),
        "invalid_state",
        "the invitee declines, it does not cancel"
    );
    h.no_command();
}

#[tokio::test]
async fn unsent_sessions_end_with_their_connection_or_a_cancel() {
    let mut h = start().await;
    let mut ctl = h.ctl_client().await;
    let kept = ctl
        .call("create_session", json!({"app_guid": GAME}))
        .await
        .expect("created")["session"]
        .as_str()
        .expect("id")
        .to_string();
    ctl.call("cancel", json!({"session": kept}))
        .await
        .expect("a session never sent is simply dropped");
    h.no_command();
    assert_eq!(
        code(ctl.call("session", json!({"session": kept})).await),
        "unknown_session"
    );

    let mut app = h.app_client().await;
    let gone = app
        .call("create_session", json!({"app_guid": GAME}))
        .await
        .expect("created")["session"]
        .as_str()
        .expect("id")
        .to_string();
    ctl.call("session", json!({"session": gone}))
        .await
        .expect("ctl sees every session");
    drop(app);
    // The server notices the close on its own time; poll briefly.
    let mut left = Ok(Value::Null);
    for _ in 0..100 {
        left = ctl.call("session", json!({"session": gone})).await;
        if left.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(code(left), "unknown_session");
}

#[tokio::test]
async fn ctl_drives_sessions_end_to_end() {
    let mut h = start().await;
    let out = h
        .ctl(CtlCommand::Invite {
            jid: "bob@example.org".into(),
            guid: GAME.to_lowercase(),
            context: Some("x; $(rm -rf ~) \"quoted\"".into()),
        })
        .await
        .expect("ctl invite");
    let printed: Value = serde_json::from_str(&out).expect("json");
    let id = printed["session"].as_str().expect("id").to_string();
    assert_eq!(
        h.next_command(),
        Command::Invite {
            session: id.clone(),
            to: bare("bob@example.org"),
            app_guid: GAME.into(),
            context: Some("x; $(rm -rf ~) \"quoted\"".into()),
            local_address: None,
            origin: Origin::Menu,
        },
        "the user asked: Nudge launches the inviter's copy too"
    );

    h.report(&ringing("incoming"));
    let listed: Value =
        serde_json::from_str(&h.ctl(CtlCommand::Sessions).await.expect("sessions")).expect("json");
    let ids: Vec<&str> = listed["sessions"]
        .as_array()
        .expect("list")
        .iter()
        .map(|s| s["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], "incoming", "oldest first");
    assert_eq!(ids[1], id);

    for (command, expected) in [
        (
            CtlCommand::Accept {
                session: "incoming".into(),
            },
            Command::AcceptInvitation {
                session: "incoming".into(),
            },
        ),
        (
            CtlCommand::Decline {
                session: "incoming".into(),
            },
            Command::DeclineInvitation {
                session: "incoming".into(),
            },
        ),
        (
            CtlCommand::Cancel {
                session: id.clone(),
            },
            Command::CancelInvitation {
                session: id.clone(),
            },
        ),
    ] {
        assert_eq!(h.ctl(command).await.expect("ctl").trim(), "{}");
        assert_eq!(h.next_command(), expected);
    }
    h.report(&session(
        "running",
        GAME,
        Role::Inviter,
        SessionState::Connected,
    ));
    h.ctl(CtlCommand::Context {
        session: "running".into(),
        data: "move 4".into(),
    })
    .await
    .expect("ctl context");
    assert_eq!(
        h.next_command(),
        Command::SendContextData {
            session: "running".into(),
            data: "move 4".into()
        }
    );
    let apps: Value =
        serde_json::from_str(&h.ctl(CtlCommand::Apps).await.expect("apps")).expect("json");
    assert_eq!(apps["apps"][1]["name"], "Tic-Tac-Toe");
    assert!(!apps.to_string().contains(GAME_KEY));

    h.report(&session(
        "over",
        GAME,
        Role::Invitee,
        SessionState::Declined,
    ));
    match h
        .ctl(CtlCommand::Accept {
            session: "over".into(),
        })
        .await
    {
        Err(ApiError::Remote { code, .. }) => assert_eq!(code, "invalid_state"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn ctl_without_a_valid_token_cannot_use_sessions() {
    let h = start().await;
    let token_path = h.profile.runtime_dir.join("ctl.token");
    std::fs::write(&token_path, "0000\n").expect("overwrite");
    match h.ctl(CtlCommand::Sessions).await {
        Err(ApiError::Remote { code, .. }) => assert_eq!(code, "unlock_failed"),
        other => panic!("{other:?}"),
    }
    std::fs::remove_file(&token_path).expect("remove");
    match h.ctl(CtlCommand::Sessions).await {
        Err(ApiError::Io { path, .. }) => assert_eq!(path, token_path),
        other => panic!("{other:?}"),
    }
    h.ctl(CtlCommand::Apps).await.expect("apps needs no token");
}
