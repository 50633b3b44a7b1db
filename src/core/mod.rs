//! The core runtime: owns all IO (network, SQLite, processes) on a tokio runtime.
//!
//! The UI and the local API talk to it only through [`CommandSender`] and [`EventReceiver`].
//! It never imports egui.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use crate::command::Command;
use crate::event::Event;

/// Called after an event was queued for a subscriber, so a sleeping UI repaints.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// Sends commands to the core. Cheap to clone.
#[derive(Clone, Debug)]
pub struct CommandSender(mpsc::UnboundedSender<Command>);

impl CommandSender {
    /// Wraps a channel (tests build one to see what the UI sends).
    pub fn new(sender: mpsc::UnboundedSender<Command>) -> Self {
        Self(sender)
    }

    /// Queues a command; returns false when the core has stopped.
    pub fn send(&self, command: Command) -> bool {
        self.0.send(command).is_ok()
    }
}

/// Receives every event the core reports after subscribing.
#[derive(Debug)]
pub struct EventReceiver(mpsc::UnboundedReceiver<Event>);

impl EventReceiver {
    /// Wraps a channel (tests feed events by hand).
    pub fn new(receiver: mpsc::UnboundedReceiver<Event>) -> Self {
        Self(receiver)
    }

    /// The next event if one is waiting; never blocks (for the UI thread).
    pub fn try_next(&mut self) -> Option<Event> {
        self.0.try_recv().ok()
    }

    /// Waits for the next event; `None` once the core has stopped.
    pub async fn next(&mut self) -> Option<Event> {
        self.0.recv().await
    }
}

struct Subscriber {
    sender: mpsc::UnboundedSender<Event>,
    waker: Option<Waker>,
}

/// Fans events out to every subscriber (the window, API clients) and wakes them.
#[derive(Clone, Default)]
pub struct EventBus {
    inner: Arc<Mutex<Bus>>,
}

#[derive(Default)]
struct Bus {
    subscribers: Vec<Subscriber>,
    /// The latest event of each kind that describes a current value (connection, settings,
    /// registered apps; display pictures per person), replayed to anyone who subscribes later.
    current: Vec<Event>,
}

/// Whether two current values describe the same thing (so the newer replaces the older).
/// Display pictures are one current value per person.
fn same_value(a: &Event, b: &Event) -> bool {
    match (a, b) {
        (Event::AvatarChanged { jid: a, .. }, Event::AvatarChanged { jid: b, .. }) => a == b,
        _ => std::mem::discriminant(a) == std::mem::discriminant(b),
    }
}

/// Whether an event states a current value rather than something that happened once.
fn is_current_value(event: &Event) -> bool {
    matches!(
        event,
        Event::ConnectionChanged { .. }
            | Event::OwnPresenceChanged { .. }
            | Event::SettingsChanged { .. }
            | Event::AppsChanged { .. }
            | Event::AvatarChanged { .. }
    )
}

impl EventBus {
    /// A new subscriber; `waker` runs after each event is queued for it. It first receives the
    /// current connection state, own presence, settings, registered apps and display pictures,
    /// if known.
    pub fn subscribe(&self, waker: Option<Waker>) -> EventReceiver {
        let (sender, receiver) = mpsc::unbounded_channel();
        if let Ok(mut bus) = self.inner.lock() {
            for event in &bus.current {
                let _ = sender.send(event.clone());
            }
            bus.subscribers.push(Subscriber { sender, waker });
        }
        EventReceiver(receiver)
    }

    /// Reports an event to every live subscriber; subscribers that went away are dropped.
    pub fn emit(&self, event: Event) {
        let Ok(mut bus) = self.inner.lock() else {
            return;
        };
        if is_current_value(&event) {
            bus.current.retain(|e| !same_value(e, &event));
            bus.current.push(event.clone());
        }
        let subscribers = &mut bus.subscribers;
        subscribers.retain(|s| s.sender.send(event.clone()).is_ok());
        for subscriber in subscribers.iter() {
            if let Some(waker) = &subscriber.waker {
                waker();
            }
        }
    }
}

pub mod account;
pub mod backoff;
pub mod connect;
pub mod executor;
pub mod register;
pub mod session;
pub mod sm;
pub mod stanza_guard;
pub mod tls;

pub use account::AccountOptions;

/// Why the core could not start.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The profile's folders could not be made.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The history database could not be opened.
    #[error("the history database could not be opened: {0}")]
    Store(#[from] crate::store::StoreError),
}

/// A running core: send it commands, subscribe to its events.
pub struct Core {
    commands: CommandSender,
    bus: EventBus,
    task: tokio::task::JoinHandle<()>,
}

impl Core {
    /// Opens the profile's store and starts the account task on `runtime`. The task waits for
    /// commands (`SignIn` first), so subscribe before sending any.
    pub fn start(
        runtime: &tokio::runtime::Handle,
        profile: crate::config::Profile,
        options: AccountOptions,
        passwords: Option<crate::platform::keyring::Passwords>,
        cookies: crate::invite::cookies::LaunchCookies,
    ) -> Result<Self, CoreError> {
        profile.create_dirs()?;
        let store = crate::store::Store::open(&profile.database_path())?;
        let bus = EventBus::default();
        let (sender, receiver) = mpsc::unbounded_channel();
        let executor = executor::Executor::new(
            profile,
            store,
            bus.clone(),
            receiver,
            options,
            passwords,
            cookies,
        );
        let task = runtime.spawn(executor.run());
        Ok(Self {
            commands: CommandSender(sender),
            bus,
            task,
        })
    }

    /// Where to send commands.
    pub fn commands(&self) -> CommandSender {
        self.commands.clone()
    }

    /// The event fan-out, to subscribe to.
    pub fn events(&self) -> &EventBus {
        &self.bus
    }

    /// Asks the core to sign out and stop, and waits until it has.
    pub async fn shutdown(self) {
        self.commands.send(Command::Shutdown);
        let _ = self.task.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ConnectionState;

    #[test]
    fn late_subscribers_get_current_values_but_not_past_happenings() {
        let bus = EventBus::default();
        bus.emit(Event::ConnectionChanged {
            state: ConnectionState::Connecting,
        });
        bus.emit(Event::Problem {
            problem: crate::problem::Problem::SignOutToRegister,
        });
        bus.emit(Event::ConnectionChanged {
            state: ConnectionState::Offline,
        });
        bus.emit(Event::AppsChanged { apps: vec![] });
        let mut late = bus.subscribe(None);
        let mut seen = Vec::new();
        while let Some(event) = late.try_next() {
            seen.push(event);
        }
        assert_eq!(
            seen,
            [
                Event::ConnectionChanged {
                    state: ConnectionState::Offline
                },
                Event::AppsChanged { apps: vec![] },
            ]
        );
        let woken = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = woken.clone();
        let mut early = bus.subscribe(Some(Arc::new(move || {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        })));
        while early.try_next().is_some() {}
        bus.emit(Event::Problem {
            problem: crate::problem::Problem::NoKeyring,
        });
        assert_eq!(woken.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(matches!(early.try_next(), Some(Event::Problem { .. })));
        assert!(matches!(late.try_next(), Some(Event::Problem { .. })));
    }

    #[test]
    fn late_subscribers_get_the_latest_picture_of_each_person() {
        let picture = |sha1: &str| {
            Some(crate::model::Avatar {
                sha1: sha1.into(),
                png: vec![1, 2, 3].into(),
            })
        };
        let bus = EventBus::default();
        for (jid, avatar) in [
            ("alice@x", picture("a1")),
            ("bob@x", picture("b1")),
            ("alice@x", picture("a2")),
            ("bob@x", None),
        ] {
            bus.emit(Event::AvatarChanged {
                jid: crate::model::bare(jid),
                avatar,
            });
        }
        let mut late = bus.subscribe(None);
        let mut seen = Vec::new();
        while let Some(Event::AvatarChanged { jid, avatar }) = late.try_next() {
            seen.push((jid.to_string(), avatar.map(|a| a.sha1)));
        }
        assert_eq!(
            seen,
            [
                ("alice@x".to_string(), Some("a2".to_string())),
                ("bob@x".to_string(), None)
            ]
        );
    }
}
