//! A Nudge core driven by a test: send commands, wait for events, keep an `AppState`.

use std::time::Duration;

use nudge::command::Command;
use nudge::config::Profile;
use nudge::core::{AccountOptions, CommandSender, Core, EventReceiver};
use nudge::event::Event;
use nudge::invite::cookies::LaunchCookies;
use nudge::model::{BareJid, ConnectionState};
use nudge::platform::keyring::Passwords;
use nudge::state::AppState;
use tokio_xmpp::xmlstream::Timeouts;

use super::prosody::Prosody;

/// How long any single expected event may take on a loaded 2-core machine.
const PATIENCE: Duration = Duration::from_secs(30);

/// One running core with its own profile in a temp dir.
pub struct Client {
    /// The account's bare JID (`nobody@localhost` until signed in).
    pub jid: BareJid,
    /// The account's password.
    pub password: String,
    /// Everything the core reported so far.
    pub state: AppState,
    commands: CommandSender,
    events: EventReceiver,
    core: Option<Core>,
    /// The folder the profile lives in.
    dir: std::path::PathBuf,
    /// Removes `dir` when the client is dropped, unless the test owns the folder.
    _temp: Option<tempfile::TempDir>,
}

impl Client {
    /// A core with a fresh profile, not signed in.
    // No Default: `new` starts a core in a new profile folder, which a default value should not do.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self::with_timeouts(default_timeouts())
    }

    /// A core whose stream pings after `timeouts.read_timeout` of silence.
    pub fn with_timeouts(timeouts: Timeouts) -> Self {
        Self::build(timeouts, None)
    }

    /// A core that keeps remembered passwords in `passwords`.
    pub fn with_passwords(passwords: Passwords) -> Self {
        Self::build(default_timeouts(), Some(passwords))
    }

    /// A core whose profile lives in `dir`, which the test owns (a small file system, for
    /// instance); not signed in.
    pub fn in_folder(dir: &std::path::Path) -> Self {
        Self::build_in(dir.to_path_buf(), None, default_timeouts(), None)
    }

    fn build(timeouts: Timeouts, passwords: Option<Passwords>) -> Self {
        let temp = tempfile::tempdir().expect("temp dir");
        Self::build_in(temp.path().to_path_buf(), Some(temp), timeouts, passwords)
    }

    fn build_in(
        dir: std::path::PathBuf,
        temp: Option<tempfile::TempDir>,
        timeouts: Timeouts,
        passwords: Option<Passwords>,
    ) -> Self {
        let (core, events) = start_core(Profile::under(&dir, "test"), timeouts, passwords);
        Self {
            jid: super::bare("nobody@localhost"),
            password: String::new(),
            state: AppState::default(),
            commands: core.commands(),
            events,
            core: Some(core),
            dir,
            _temp: temp,
        }
    }

    /// A new user `name` (made unique) on `server`, signed in.
    pub async fn online(server: &Prosody, name: &str) -> Self {
        let user = super::unique_name(name);
        let password = format!("{user}-pw");
        server.create_user(&user, &password);
        let jid = format!("{user}@{}", server.domain());
        Self::online_as(server, &jid, password, "").await
    }

    /// Signs in as an existing `jid`, with `resource` if not empty.
    pub async fn online_as(server: &Prosody, jid: &str, password: String, resource: &str) -> Self {
        let mut client = Self::new();
        let user = jid.split('@').next().unwrap_or(jid);
        let mut account = super::account(server, user);
        if !resource.is_empty() {
            account.resource = Some(resource.to_string());
        }
        client.sign_in_with(account, password);
        client.wait_online().await;
        client
    }

    /// A new user `name` (made unique) on `server`, signed in through 127.0.0.1:`port` (a
    /// [`super::proxy::Relay`] in front of the server, say).
    pub async fn online_through(server: &Prosody, name: &str, port: u16) -> Self {
        let user = super::unique_name(name);
        let password = format!("{user}-pw");
        server.create_user(&user, &password);
        let mut client = Self::new();
        let mut account = super::account(server, &user);
        account.port = Some(port);
        client.sign_in_with(account, password);
        client.wait_online().await;
        client
    }

    /// Sends `SignIn` for `account` with `password` (not remembered) and notes who this is.
    pub fn sign_in_with(&mut self, account: nudge::config::AccountConfig, password: String) {
        self.jid = super::bare(&account.jid);
        self.password = password.clone();
        self.send(Command::SignIn {
            account,
            password: password.into(),
            remember_password: false,
        });
    }

    /// The profile this core runs (a temp dir, or the folder given to [`Client::in_folder`]).
    pub fn profile(&self) -> Profile {
        Profile::under(&self.dir, "test")
    }

    /// Sends a command to the core.
    pub fn send(&self, command: Command) {
        assert!(self.commands.send(command), "the core has stopped");
    }

    /// Waits until an event matches, applying every event to `state` on the way.
    pub async fn wait_for(&mut self, what: &str, mut matches: impl FnMut(&Event) -> bool) -> Event {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let next = tokio::time::timeout_at(deadline, self.events.next()).await;
            let Ok(Some(event)) = next else {
                panic!(
                    "{} waited {PATIENCE:?} for {what}; state: {:?}",
                    self.jid, self.state.connection
                );
            };
            self.state.apply(event.clone());
            if matches(&event) {
                return event;
            }
        }
    }

    /// Waits until the account is online.
    pub async fn wait_online(&mut self) {
        self.wait_for("online", |e| {
            matches!(
                e,
                Event::ConnectionChanged {
                    state: ConnectionState::Online { .. }
                }
            )
        })
        .await;
    }

    /// Signs out and waits until the core is offline.
    pub async fn sign_out(&mut self) {
        self.send(Command::SignOut);
        self.wait_for("signed out", |e| {
            matches!(
                e,
                Event::ConnectionChanged {
                    state: ConnectionState::Offline
                }
            )
        })
        .await;
    }

    /// The next event if one arrives within `window` (applied to `state` too).
    pub async fn next_event(&mut self, window: Duration) -> Option<Event> {
        let event = tokio::time::timeout(window, self.events.next())
            .await
            .ok()
            .flatten()?;
        self.state.apply(event.clone());
        Some(event)
    }

    /// Every event that arrives within `window` (applied to `state` too).
    pub async fn events_within(&mut self, window: Duration) -> Vec<Event> {
        let deadline = tokio::time::Instant::now() + window;
        let mut seen = Vec::new();
        while let Ok(Some(event)) = tokio::time::timeout_at(deadline, self.events.next()).await {
            self.state.apply(event.clone());
            seen.push(event);
        }
        seen
    }
}

/// Pings after 20 s of silence, gives up 10 s later: quick enough for tests.
fn default_timeouts() -> Timeouts {
    Timeouts {
        read_timeout: Duration::from_secs(20),
        response_timeout: Duration::from_secs(10),
    }
}

/// Starts a core on `profile` and subscribes to it.
fn start_core(
    profile: Profile,
    timeouts: Timeouts,
    passwords: Option<Passwords>,
) -> (Core, EventReceiver) {
    let options = AccountOptions {
        timeouts,
        invitation_timeout: Duration::from_secs(6),
    };
    let core = Core::start(
        &tokio::runtime::Handle::current(),
        profile,
        options,
        passwords,
        LaunchCookies::default(),
    )
    .expect("core starts");
    let events = core.events().subscribe(None);
    (core, events)
}

impl Client {
    /// Stops the core (signing out) and starts a new one on the same profile, as a restart of
    /// Nudge would; the new core is not signed in and `state` starts empty.
    pub async fn restart(&mut self) {
        if let Some(core) = self.core.take() {
            core.shutdown().await;
        }
        let (core, events) = start_core(self.profile(), default_timeouts(), None);
        self.commands = core.commands();
        self.events = events;
        self.core = Some(core);
        self.state = AppState::default();
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Some(core) = self.core.take() {
            // Sign out politely; the runtime ends the task if the test is already over.
            core.commands().send(Command::Shutdown);
        }
    }
}

/// Collects `events` until the core echoes `settings` (sent last as `SaveSettings`): the core
/// answers commands in order, so everything caused by the commands before has arrived.
pub async fn until_settings_echo(
    events: &mut EventReceiver,
    settings: &nudge::config::Settings,
) -> Vec<Event> {
    tokio::time::timeout(PATIENCE, async {
        let mut seen = Vec::new();
        while let Some(event) = events.next().await {
            let done = matches!(&event, Event::SettingsChanged { settings: s } if s == settings);
            seen.push(event);
            if done {
                break;
            }
        }
        seen
    })
    .await
    .expect("the core answers in time")
}
