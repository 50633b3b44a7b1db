//! Session Invite end to end between two real cores on a real Prosody: invite, accept and
//! launch on both sides, context data, decline, cancel, timeout, a missing app, policy, and a
//! program that cannot start.

use std::path::{Path, PathBuf};
use std::time::Duration;

use nudge::apps::{Guid, Registration, Registry};
use nudge::command::{new_message_id, Command};
use nudge::event::Event;
use nudge::invite::SessionError;
use nudge::invite::{EndReason, Origin, Role, SessionEvent, SessionState};
use nudge::problem::Problem;
use nudge_testkit::client::Client;
use nudge_testkit::recorder::{make_executable, recorder};
use nudge_testkit::{bare, Prosody};

const GUID: &str = "{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}";
const URL: &str = "https://example.org/get/tictactoe";

fn register(client: &Client, program: &Path) {
    let mut registry = Registry::load(&client.profile().apps_dir()).0;
    let registration = Registration {
        guid: Guid::parse(GUID).expect("guid"),
        name: "Tic-Tac-Toe".into(),
        path: program.to_path_buf(),
        download_url: URL.into(),
        args: vec![],
        key: None,
    };
    registry.register(registration, true).expect("registers");
}

/// Waits until the core has picked up the registration from disk.
async fn registered(client: &mut Client, installed: bool) {
    client
        .wait_for("the app registration", |e| {
            matches!(e, Event::AppsChanged { apps } if apps.iter().any(|a| a.guid == GUID && a.installed == installed))
        })
        .await;
}

/// Waits for the recorded variable `name` of `role`'s program.
async fn recorded(out: &Path, role: &str, name: &str) -> String {
    let path = out.join(format!("{role}.{name}"));
    for _ in 0..300 {
        if let Ok(text) = std::fs::read_to_string(&path) {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the {role} program never recorded {name}");
}

async fn session_in(client: &mut Client, id: &str, state: SessionState) {
    client
        .wait_for(&format!("session {state:?}"), |e| {
            matches!(e, Event::SessionUpdated { session } if session.id == id && session.state == state)
        })
        .await;
}

async fn session_event(
    client: &mut Client,
    id: &str,
    wanted: impl Fn(&SessionEvent) -> bool,
) -> SessionEvent {
    let event = client
        .wait_for("a session event", |e| {
            matches!(e, Event::SessionEvent { session, detail } if session == id && wanted(detail))
        })
        .await;
    let Event::SessionEvent { detail, .. } = event else {
        unreachable!()
    };
    detail
}

/// Two befriended users, each with the app registered (installed or not).
async fn pair(server: &Prosody, dir: &Path, out: &Path, bob_has_app: bool) -> (Client, Client) {
    let mut alice = Client::online(server, "alice").await;
    let mut bob = Client::online(server, "bob").await;
    nudge_testkit::befriend(&mut alice, &mut bob).await;
    let program = recorder(dir, out);
    register(&alice, &program);
    registered(&mut alice, true).await;
    if bob_has_app {
        register(&bob, &program);
        registered(&mut bob, true).await;
    }
    (alice, bob)
}

fn invite(alice: &Client, bob: &Client, context: &str) -> String {
    let id = new_message_id();
    alice.send(Command::Invite {
        session: id.clone(),
        to: bob.jid.clone(),
        app_guid: GUID.into(),
        context: Some(context.into()),
        local_address: Some("198.51.100.1:4000".into()),
        origin: Origin::Menu,
    });
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepting_launches_the_app_on_both_sides_and_context_flows() {
    let server = Prosody::start();
    let dir = tempfile::tempdir().expect("dir");
    let out = tempfile::tempdir().expect("out");
    let (mut alice, mut bob) = pair(&server, dir.path(), out.path(), true).await;

    let hostile = "x; rm -rf ~ $(touch pwned) `id` \"quoted\" 'single'";
    let id = invite(&alice, &bob, hostile);
    session_in(&mut alice, &id, SessionState::Invitation).await;
    let ringing = bob
        .wait_for(
            "the invitation",
            |e| matches!(e, Event::SessionUpdated { session } if session.id == id),
        )
        .await;
    let Event::SessionUpdated { session } = ringing else {
        unreachable!()
    };
    assert_eq!(
        (session.role, session.state),
        (Role::Invitee, SessionState::Invitation)
    );
    assert_eq!(session.app_name, "Tic-Tac-Toe");
    assert_eq!(session.context.as_deref(), Some(hostile));
    assert!(session.app_present);

    bob.send(Command::SetLocalAddress {
        session: id.clone(),
        address: "203.0.113.9:5000".into(),
    });
    bob.send(Command::AcceptInvitation {
        session: id.clone(),
    });
    session_event(&mut alice, &id, |e| matches!(e, SessionEvent::OnAccepted)).await;
    session_in(&mut alice, &id, SessionState::Connected).await;
    session_in(&mut bob, &id, SessionState::Connected).await;

    // Both programs ran with the session in their environment, hostile text kept literal.
    for (role, local, remote) in [
        ("inviter", &alice.jid, &bob.jid),
        ("invitee", &bob.jid, &alice.jid),
    ] {
        assert_eq!(recorded(out.path(), role, "SESSION_ID").await, id);
        assert_eq!(recorded(out.path(), role, "APP_GUID").await, GUID);
        assert_eq!(
            recorded(out.path(), role, "LOCAL_JID").await,
            local.as_str()
        );
        assert_eq!(
            recorded(out.path(), role, "REMOTE_JID").await,
            remote.as_str()
        );
        assert_eq!(recorded(out.path(), role, "CONTEXT_DATA").await, hostile);
        assert_eq!(recorded(out.path(), role, "COOKIE").await.len(), 64);
        assert!(recorded(out.path(), role, "API_SOCKET")
            .await
            .ends_with("api.sock"));
    }
    assert_eq!(
        recorded(out.path(), "inviter", "REMOTE_ADDRESS").await,
        "203.0.113.9:5000"
    );
    assert_eq!(
        recorded(out.path(), "invitee", "REMOTE_ADDRESS").await,
        "198.51.100.1:4000"
    );
    assert_ne!(
        recorded(out.path(), "inviter", "COOKIE").await,
        recorded(out.path(), "invitee", "COOKIE").await
    );
    assert!(!out.path().join("pwned").exists() && !dir.path().join("pwned").exists());

    // Context data both ways.
    alice.send(Command::SendContextData {
        session: id.clone(),
        data: "move 4".into(),
    });
    let got = session_event(&mut bob, &id, |e| {
        matches!(e, SessionEvent::OnContextData { .. })
    })
    .await;
    assert_eq!(
        got,
        SessionEvent::OnContextData {
            data: "move 4".into()
        }
    );
    bob.send(Command::SendContextData {
        session: id.clone(),
        data: "move 0\nwith a newline".into(),
    });
    let got = session_event(&mut alice, &id, |e| {
        matches!(e, SessionEvent::OnContextData { .. })
    })
    .await;
    assert_eq!(
        got,
        SessionEvent::OnContextData {
            data: "move 0\nwith a newline".into()
        }
    );

    // Over the limit is refused locally and nothing is sent.
    let big = "x".repeat(nudge::invite::MAX_CONTEXT_BYTES + 1);
    alice.send(Command::SendContextData {
        session: id.clone(),
        data: big,
    });
    session_event(
        &mut alice,
        &id,
        |e| matches!(e, SessionEvent::OnSendError { message } if message.contains("limit")),
    )
    .await;

    // Ending reaches the other side.
    bob.send(Command::EndSession {
        session: id.clone(),
    });
    let ended = session_event(&mut alice, &id, |e| {
        matches!(e, SessionEvent::OnTermination { .. })
    })
    .await;
    assert_eq!(
        ended,
        SessionEvent::OnTermination {
            reason: EndReason::Success
        }
    );
    assert_eq!(alice.state.sessions[&id].state, SessionState::Terminated);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declining_and_cancelling_reach_the_other_side() {
    let server = Prosody::start();
    let dir = tempfile::tempdir().expect("dir");
    let out = tempfile::tempdir().expect("out");
    let (mut alice, mut bob) = pair(&server, dir.path(), out.path(), true).await;

    let id = invite(&alice, &bob, "");
    session_in(&mut bob, &id, SessionState::Invitation).await;
    bob.send(Command::DeclineInvitation {
        session: id.clone(),
    });
    let declined = session_event(&mut alice, &id, |e| {
        matches!(e, SessionEvent::OnDeclined { .. })
    })
    .await;
    assert_eq!(
        declined,
        SessionEvent::OnDeclined {
            not_accepting: false
        }
    );
    assert_eq!(alice.state.sessions[&id].state, SessionState::Declined);
    session_in(&mut bob, &id, SessionState::Declined).await;

    let id = invite(&alice, &bob, "");
    session_in(&mut bob, &id, SessionState::Invitation).await;
    alice.send(Command::CancelInvitation {
        session: id.clone(),
    });
    session_event(&mut bob, &id, |e| matches!(e, SessionEvent::OnCancelled)).await;
    assert_eq!(bob.state.sessions[&id].state, SessionState::Cancelled);
    // A cancelled invitation cannot be accepted any more.
    bob.send(Command::AcceptInvitation {
        session: id.clone(),
    });
    session_event(&mut bob, &id, |e| {
        matches!(e, SessionEvent::OnSendError { .. })
    })
    .await;
    assert!(
        !out.path().join("invitee.SESSION_ID").exists(),
        "nothing was launched"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_invitation_times_out() {
    let server = Prosody::start();
    let dir = tempfile::tempdir().expect("dir");
    let out = tempfile::tempdir().expect("out");
    let (mut alice, mut bob) = pair(&server, dir.path(), out.path(), true).await;
    let id = invite(&alice, &bob, "");
    session_in(&mut bob, &id, SessionState::Invitation).await;
    let ended = session_event(&mut alice, &id, |e| {
        matches!(e, SessionEvent::OnTermination { .. })
    })
    .await;
    assert_eq!(
        ended,
        SessionEvent::OnTermination {
            reason: EndReason::Timeout
        }
    );
    session_in(&mut bob, &id, SessionState::Terminated).await;
    assert_eq!(bob.state.sessions[&id].end_reason, Some(EndReason::Timeout));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_app_opens_its_page_and_can_be_accepted_once_installed() {
    let _ = browser_file();
    let server = Prosody::start();
    let dir = tempfile::tempdir().expect("dir");
    let out = tempfile::tempdir().expect("out");
    let (mut alice, mut bob) = pair(&server, dir.path(), out.path(), false).await;

    let id = invite(&alice, &bob, "");
    let ringing = bob
        .wait_for(
            "the invitation",
            |e| matches!(e, Event::SessionUpdated { session } if session.id == id),
        )
        .await;
    let Event::SessionUpdated { session } = ringing else {
        unreachable!()
    };
    assert!(!session.app_present);
    assert_eq!(session.download_url, URL);
    bob.send(Command::AcceptInvitation {
        session: id.clone(),
    });
    session_event(&mut alice, &id, |e| {
        matches!(e, SessionEvent::OnAppNotPresent)
    })
    .await;
    // $BROWSER (set for this test binary in `browser_records`) was given the page.
    let opened = browser_records().await;
    assert_eq!(opened, URL);

    // The user installs it; the registry notices and the same invitation can now be accepted.
    register(&bob, &recorder(dir.path(), out.path()));
    bob.wait_for("the app becomes present", |e| {
        matches!(e, Event::SessionUpdated { session } if session.id == id && session.app_present)
    })
    .await;
    bob.send(Command::AcceptInvitation {
        session: id.clone(),
    });
    session_in(&mut bob, &id, SessionState::Connected).await;
    assert_eq!(recorded(out.path(), "invitee", "SESSION_ID").await, id);
}

/// The browser stand-in writes the address it was asked to open into a file.
async fn browser_records() -> String {
    let file = browser_file();
    for _ in 0..200 {
        if let Ok(text) = std::fs::read_to_string(&file) {
            if !text.is_empty() {
                return text.trim().to_string();
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the browser was not opened");
}

fn browser_file() -> PathBuf {
    static SETUP: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    SETUP
        .get_or_init(|| {
            let dir = std::env::temp_dir().join(format!("nudge-browser-{}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("dir");
            let record = dir.join("opened");
            let browser = dir.join("browser.sh");
            std::fs::write(
                &browser,
                format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", record.display()),
            )
            .expect("script");
            make_executable(&browser);
            // Only this test opens pages; the variable is read when a page is opened.
            unsafe { std::env::set_var("BROWSER", &browser) };
            record
        })
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_from_strangers_go_unanswered_unless_the_policy_allows_them() {
    let _ = browser_file();
    let server = Prosody::start();
    let dir = tempfile::tempdir().expect("dir");
    let out = tempfile::tempdir().expect("out");
    let mut stranger = Client::online(&server, "mallory").await;
    let mut bob = Client::online(&server, "bob").await;
    register(&stranger, &recorder(dir.path(), out.path()));
    registered(&mut stranger, true).await;
    let id = invite(&stranger, &bob, "");
    session_in(&mut stranger, &id, SessionState::Invitation).await;
    // Bob's Nudge answers nothing at all: a refusal would tell a stranger he is there.
    let unanswered = stranger.events_within(Duration::from_millis(1000)).await;
    assert!(
        !unanswered.iter().any(|e| matches!(
            e,
            Event::SessionEvent {
                detail: SessionEvent::OnDeclined { .. },
                ..
            }
        )),
        "the stranger learned something: {unanswered:?}"
    );
    let quiet = bob.events_within(Duration::from_millis(500)).await;
    assert!(
        !quiet
            .iter()
            .any(|e| matches!(e, Event::SessionUpdated { .. })),
        "bob was shown an invitation from a stranger: {quiet:?}"
    );

    // With the policy opened up, the same stranger rings. The invitation must not overtake
    // the new policy on its way into Bob's core, so wait until the core has taken it.
    let open = nudge::config::Settings {
        invite_policy: nudge::config::InvitePolicy::Anyone,
        ..Default::default()
    };
    bob.send(Command::SaveSettings {
        settings: open.clone(),
    });
    bob.wait_for(
        "the open policy",
        |e| matches!(e, Event::SettingsChanged { settings } if *settings == open),
    )
    .await;
    let id = invite(&stranger, &bob, "");
    session_in(&mut bob, &id, SessionState::Invitation).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_program_that_cannot_start_ends_the_session_on_both_sides() {
    let server = Prosody::start();
    let dir = tempfile::tempdir().expect("dir");
    let out = tempfile::tempdir().expect("out");
    let (mut alice, mut bob) = pair(&server, dir.path(), out.path(), false).await;
    // Executable, but its interpreter does not exist: the OS refuses to start it.
    let broken = dir.path().join("broken.sh");
    std::fs::write(&broken, "#!/nonexistent/interpreter\n").expect("script");
    make_executable(&broken);
    register(&bob, &broken);
    registered(&mut bob, true).await;

    let id = invite(&alice, &bob, "");
    session_in(&mut bob, &id, SessionState::Invitation).await;
    bob.send(Command::AcceptInvitation {
        session: id.clone(),
    });
    bob.wait_for("a clear problem", |e| {
        matches!(
            e,
            Event::Problem {
                problem: Problem::ProgramNotStarted { .. }
            }
        )
    })
    .await;
    let ended = session_event(&mut alice, &id, |e| {
        matches!(e, SessionEvent::OnTermination { .. })
    })
    .await;
    assert_eq!(
        ended,
        SessionEvent::OnTermination {
            reason: EndReason::FailedApplication
        }
    );
    assert!(alice.state.sessions[&id]
        .end_text
        .as_deref()
        .is_some_and(|t| t.contains("could not be started")));
    session_in(&mut bob, &id, SessionState::Terminated).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inviting_yourself_or_with_an_unregistered_app_is_an_error() {
    let server = Prosody::start();
    let mut alice = Client::online(&server, "alice").await;
    alice.send(Command::Invite {
        session: new_message_id(),
        to: alice.jid.clone(),
        app_guid: GUID.into(),
        context: None,
        local_address: None,
        origin: Origin::Menu,
    });
    alice
        .wait_for("invited self", |e| {
            matches!(
                e,
                Event::Problem {
                    problem: Problem::Invitation {
                        error: SessionError::InvitedSelf
                    }
                }
            )
        })
        .await;
    alice.send(Command::Invite {
        session: new_message_id(),
        to: bare("bob@localhost"),
        app_guid: GUID.into(),
        context: None,
        local_address: None,
        origin: Origin::Menu,
    });
    alice
        .wait_for("not registered", |e| {
            matches!(
                e,
                Event::Problem {
                    problem: Problem::Invitation {
                        error: SessionError::AppNotRegistered { .. }
                    }
                }
            )
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_learn_which_apps_the_others_client_has() {
    let server = Prosody::start();
    let dir = tempfile::tempdir().expect("dir");
    let out = tempfile::tempdir().expect("out");
    let mut alice = Client::online(&server, "alice").await;
    let mut bob = Client::online(&server, "bob").await;
    nudge_testkit::befriend(&mut alice, &mut bob).await;

    // Bob installs the app while online: his caps change and Alice asks again.
    register(&bob, &recorder(dir.path(), out.path()));
    let bob_jid = bob.jid.clone();
    alice
        .wait_for("bob's apps", |e| {
            matches!(e, Event::ContactAppsKnown { jid, apps, .. } if *jid == bob_jid && apps == &[GUID.to_string()])
        })
        .await;
    assert!(alice.state.contacts[&bob.jid].has_app(GUID));

    // And when he removes it, the mark goes away.
    let mut registry = Registry::load(&bob.profile().apps_dir()).0;
    registry
        .unregister(&Guid::parse(GUID).expect("guid"))
        .expect("unregisters");
    alice
        .wait_for("bob's apps gone", |e| {
            matches!(e, Event::ContactAppsKnown { jid, apps, .. } if *jid == bob_jid && apps.is_empty())
        })
        .await;
    assert!(!alice.state.contacts[&bob.jid].has_app(GUID));
}
