//! Desktop notifications over a real D-Bus: a private bus per test, and a small stand-in for
//! the desktop's `org.freedesktop.Notifications` service that records what it was asked to
//! show and answers like a user would (clicking the notification's body, or dismissing it).
//!
//! Each test points `DBUS_SESSION_BUS_ADDRESS` at its own bus (`nudge_testkit::dbus`), so the
//! tests of this binary take turns.

#![cfg(all(unix, not(target_os = "macos")))]

use nudge_testkit::bare;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use nudge::command::Command;
use nudge::config::{Profile, Settings};
use nudge::core::{AccountOptions, Core, EventReceiver};
use nudge::event::Event;
use nudge::invite::cookies::LaunchCookies;
use nudge::model::NotificationTarget;
use nudge::platform::notify::{self, MAX_WATCHED, WATCHERS};
use tokio::sync::mpsc;

use nudge_testkit::dbus::{PrivateBus, TURN};

/// How long anything may take before the test gives up (a guard against hanging, not a
/// measurement).
const PATIENCE: Duration = Duration::from_secs(30);
/// How often the stand-in repeats its answer: the notification's watcher subscribes to the
/// answers just after the notification is shown, so an answer sent in between would be lost.
const ANSWER_EVERY: Duration = Duration::from_millis(25);

const INTERFACE: &str = "org.freedesktop.Notifications";
const PATH: &str = "/org/freedesktop/Notifications";

/// What the stand-in was asked to show.
#[derive(Clone, Debug, PartialEq)]
struct Shown {
    summary: String,
    body: String,
    actions: Vec<String>,
}

/// How the stand-in's user answers a notification.
#[derive(Clone, Copy, Debug)]
enum Answer {
    /// Clicks its body (the "default" action).
    Click,
    /// Dismisses it.
    Dismiss,
    /// Leaves it on screen.
    Leave,
}

/// The stand-in notification service, on its own connection to the bus.
struct Desktop {
    shown: mpsc::UnboundedReceiver<Shown>,
    stop: Arc<AtomicBool>,
}

impl Desktop {
    /// A service that reads bodies as markup, as GNOME Shell, KDE and dunst do.
    async fn start(bus: &PrivateBus, answer: fn(&Shown) -> Answer) -> Self {
        Self::start_with(bus, answer, true).await
    }

    /// With `markup`, the service advertises `body-markup`.
    async fn start_with(bus: &PrivateBus, answer: fn(&Shown) -> Answer, markup: bool) -> Self {
        let connection = bus.connect().await;
        connection
            .request_name(INTERFACE)
            .await
            .expect("the stand-in owns the notifications name");
        let (record, shown) = mpsc::unbounded_channel();
        let stop = Arc::new(AtomicBool::new(false));
        tokio::spawn(serve(connection, answer, markup, record, stop.clone()));
        Self { shown, stop }
    }

    /// The next notification shown.
    async fn next(&mut self) -> Shown {
        tokio::time::timeout(PATIENCE, self.shown.recv())
            .await
            .expect("a notification is shown")
            .expect("the stand-in runs")
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

type Hints = HashMap<String, zbus::OwnedVariant>;
type Notify = (String, u32, String, String, String, Vec<String>, Hints, i32);

async fn serve(
    connection: zbus::Connection,
    answer: fn(&Shown) -> Answer,
    markup: bool,
    record: mpsc::UnboundedSender<Shown>,
    stop: Arc<AtomicBool>,
) {
    let mut calls = zbus::MessageStream::from(&connection);
    let mut last_id = 0u32;
    while let Some(Ok(message)) = calls.next().await {
        let header = message.header();
        if header.message_type() != zbus::message::Type::MethodCall {
            continue;
        }
        let member = header.member().map(|m| m.as_str().to_string());
        let replied = match member.as_deref() {
            Some("Notify") => {
                let (_app, _replaces, _icon, summary, body, actions, _hints, _timeout): Notify =
                    message.body().deserialize().expect("Notify's arguments");
                last_id += 1;
                let id = last_id;
                let replied = connection.reply(&header, &id).await;
                let shown = Shown {
                    summary,
                    body,
                    actions,
                };
                let signal = match answer(&shown) {
                    Answer::Click => Some(("ActionInvoked", Reply::Action(id))),
                    Answer::Dismiss => Some(("NotificationClosed", Reply::Closed(id))),
                    Answer::Leave => None,
                };
                let _ = record.send(shown);
                if let Some((name, body)) = signal {
                    tokio::spawn(repeat(connection.clone(), name, body, stop.clone()));
                }
                replied
            }
            Some("GetCapabilities") => {
                let mut capabilities = vec!["actions".to_string(), "body".to_string()];
                if markup {
                    capabilities.push("body-markup".to_string());
                }
                connection.reply(&header, &capabilities).await
            }
            Some("GetServerInformation") => {
                connection
                    .reply(&header, &("stand-in", "nudge tests", "1", "1.2"))
                    .await
            }
            _ => connection.reply(&header, &()).await,
        };
        replied.expect("the stand-in answers");
    }
}

/// A signal about one notification.
#[derive(Clone, Copy)]
enum Reply {
    /// `ActionInvoked(id, "default")`.
    Action(u32),
    /// `NotificationClosed(id, 2)`: dismissed by the user.
    Closed(u32),
}

async fn repeat(connection: zbus::Connection, name: &str, reply: Reply, stop: Arc<AtomicBool>) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !stop.load(Ordering::Relaxed) && tokio::time::Instant::now() < deadline {
        let sent = match reply {
            Reply::Action(id) => {
                connection
                    .emit_signal(None::<&str>, PATH, INTERFACE, name, &(id, "default"))
                    .await
            }
            Reply::Closed(id) => {
                connection
                    .emit_signal(None::<&str>, PATH, INTERFACE, name, &(id, 2u32))
                    .await
            }
        };
        if sent.is_err() {
            return;
        }
        tokio::time::sleep(ANSWER_EVERY).await;
    }
}

fn start_core(dir: &tempfile::TempDir) -> (Core, EventReceiver) {
    let core = Core::start(
        &tokio::runtime::Handle::current(),
        Profile::under(dir.path(), "test"),
        AccountOptions::default(),
        None,
        LaunchCookies::default(),
    )
    .expect("core starts");
    let events = core.events().subscribe(None);
    (core, events)
}

fn show(core: &Core, title: &str, body: &str, target: Option<NotificationTarget>) {
    assert!(core.commands().send(Command::ShowNotification {
        title: title.into(),
        body: body.into(),
        target,
    }));
}

/// The next click the core reports; any problem reported meanwhile fails the test.
async fn next_click(events: &mut EventReceiver) -> NotificationTarget {
    tokio::time::timeout(PATIENCE, async {
        loop {
            match events.next().await.expect("the core runs") {
                Event::NotificationClicked { target } => return target,
                Event::Problem { problem } => panic!("a problem was reported: {problem:?}"),
                _ => {}
            }
        }
    })
    .await
    .expect("a click is reported")
}

/// Waits until no notification is watched any more: every waiting thread has ended.
async fn until_none_watched() {
    tokio::time::timeout(PATIENCE, async {
        while WATCHERS.watched() > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("every watch ends");
}

fn bob() -> NotificationTarget {
    NotificationTarget::Conversation {
        jid: bare("bob@example.org"),
    }
}

fn default_action() -> Vec<String> {
    vec![notify::DEFAULT_ACTION.to_string(), "Open".to_string()]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clicked_notification_reports_what_it_was_about() {
    let _turn = TURN.lock().await;
    let bus = PrivateBus::start();
    let mut desktop = Desktop::start(&bus, |_| Answer::Click).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (core, mut events) = start_core(&dir);

    show(&core, "Bob", "hello there", Some(bob()));
    assert_eq!(
        desktop.next().await,
        Shown {
            summary: "Bob".into(),
            body: "hello there".into(),
            actions: default_action(),
        }
    );
    assert_eq!(next_click(&mut events).await, bob());

    let invitation = NotificationTarget::Invitation {
        session: "0b6f1a3e-5c2d-4e8f-9a1b-2c3d4e5f6a7b".into(),
    };
    show(
        &core,
        "Invitation",
        "Bob invites you to play Tic-Tac-Toe",
        Some(invitation.clone()),
    );
    assert_eq!(desktop.next().await.actions, default_action());
    assert_eq!(next_click(&mut events).await, invitation);

    core.shutdown().await;
    until_none_watched().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dismissed_notification_reports_nothing_and_is_no_longer_watched() {
    let _turn = TURN.lock().await;
    let bus = PrivateBus::start();
    let mut desktop = Desktop::start(&bus, |shown| {
        if shown.summary == "Carol" {
            Answer::Dismiss
        } else {
            Answer::Click
        }
    })
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (core, mut events) = start_core(&dir);

    show(
        &core,
        "Carol",
        "psst",
        Some(NotificationTarget::Conversation {
            jid: bare("carol@example.org"),
        }),
    );
    assert_eq!(desktop.next().await.summary, "Carol");
    // The dismissal ends its watch; the count going back to none proves the thread ended.
    until_none_watched().await;
    show(&core, "Bob", "hi", Some(bob()));
    assert_eq!(desktop.next().await.summary, "Bob");
    assert_eq!(
        next_click(&mut events).await,
        bob(),
        "the first click reported is Bob's: Carol's notification was dismissed"
    );

    core.shutdown().await;
    until_none_watched().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_summary_about_several_things_asks_for_no_click() {
    let _turn = TURN.lock().await;
    let bus = PrivateBus::start();
    let mut desktop = Desktop::start(&bus, |_| Answer::Click).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (core, mut events) = start_core(&dir);

    show(&core, "Nudge", "2 new messages from Bob and Carol", None);
    assert_eq!(
        desktop.next().await,
        Shown {
            summary: "Nudge".into(),
            body: "2 new messages from Bob and Carol".into(),
            actions: vec![],
        }
    );
    // Events come in order: a click on the summary would be reported before Bob's.
    show(&core, "Bob", "hi", Some(bob()));
    assert_eq!(desktop.next().await.actions, default_action());
    assert_eq!(next_click(&mut events).await, bob());

    core.shutdown().await;
    until_none_watched().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_so_many_are_watched_and_a_lost_bus_ends_every_watch() {
    let _turn = TURN.lock().await;
    let bus = PrivateBus::start();
    let mut desktop = Desktop::start(&bus, |_| Answer::Leave).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (core, _events) = start_core(&dir);

    let count = MAX_WATCHED + 2;
    for n in 0..count {
        show(
            &core,
            &format!("Contact {n}"),
            "hi",
            Some(NotificationTarget::Conversation {
                jid: bare(&format!("contact{n}@example.org")),
            }),
        );
    }
    let mut clickable = 0;
    for _ in 0..count {
        let shown = desktop.next().await;
        if shown.actions == default_action() {
            clickable += 1;
        } else {
            assert_eq!(shown.actions, Vec::<String>::new(), "{shown:?}");
        }
    }
    assert_eq!(
        clickable, MAX_WATCHED,
        "the rest are shown without a click action"
    );
    assert_eq!(
        WATCHERS.watched(),
        MAX_WATCHED,
        "left on screen, still watched"
    );

    // The desktop's bus goes away: nothing can be clicked any more, and no thread waits on.
    drop(desktop);
    drop(bus);
    until_none_watched().await;
    core.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_notification_service_nothing_is_shown_and_the_core_goes_on() {
    let _turn = TURN.lock().await;
    let _bus = PrivateBus::start();
    let refused = notify::show("Bob", "hi", true);
    assert!(
        matches!(refused, Err(notify::NotifyError::NotShown(_))),
        "no service on this bus"
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let (core, mut events) = start_core(&dir);
    show(&core, "Bob", "hi", Some(bob()));
    let settings = Settings::default();
    core.commands().send(Command::SaveSettings {
        settings: settings.clone(),
    });
    let seen = nudge_testkit::client::until_settings_echo(&mut events, &settings).await;
    assert!(
        !seen
            .iter()
            .any(|e| matches!(e, Event::Problem { .. } | Event::NotificationClicked { .. })),
        "nothing reported: {seen:?}"
    );
    until_none_watched().await;
    core.shutdown().await;
}

/// What a message may hold to be read as markup: a link and a picture.
const HOSTILE_BODY: &str = r#"<a href="https://evil.example">win</a> & <img src="file:///etc/x">"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_in_a_message_is_shown_as_text() {
    let _turn = TURN.lock().await;
    let bus = PrivateBus::start();
    let mut desktop = Desktop::start(&bus, |_| Answer::Dismiss).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (core, _events) = start_core(&dir);

    show(&core, "Mallory <m@evil.example>", HOSTILE_BODY, None);
    let shown = desktop.next().await;
    assert_eq!(
        shown.body,
        "&lt;a href=&quot;https://evil.example&quot;&gt;win&lt;/a&gt; &amp; \
         &lt;img src=&quot;file:///etc/x&quot;&gt;"
    );
    // The summary is never read as markup, so it stays as it is.
    assert_eq!(shown.summary, "Mallory <m@evil.example>");
    core.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_without_markup_is_given_the_text_unchanged() {
    let _turn = TURN.lock().await;
    let bus = PrivateBus::start();
    let mut desktop = Desktop::start_with(&bus, |_| Answer::Dismiss, false).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (core, _events) = start_core(&dir);

    show(&core, "Mallory", HOSTILE_BODY, None);
    assert_eq!(desktop.next().await.body, HOSTILE_BODY);
    core.shutdown().await;
}
