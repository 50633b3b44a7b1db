//! The account task: one per account, owning its connection, store and reconnect policy.
//!
//! Phases: idle (no credentials or signed out) → connecting → online → (link lost) waiting for
//! the next attempt → connecting... A refused password or certificate is final until the user
//! signs in again: there is no retry loop against a server that said no.

mod avatar;
mod credentials;
mod incoming;
mod invites;
mod offline;
mod outgoing;
mod sync;

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_xmpp::parsers::jid::{BareJid, FullJid};
use tokio_xmpp::xmlstream::Timeouts;

use super::backoff::{clock_jitter, Backoff};
use super::connect::{self, ConnectError};
use super::session::{Incoming, Session, Started};
use super::sm::StreamManagement;
use super::EventBus;
use crate::apps::{AppsChange, AppsWatcher, Registry};
use crate::command::Command;
use crate::config::{AccountConfig, Profile, Settings};
use crate::event::Event;
use crate::invite::cookies::LaunchCookies;
use crate::model::{now_ms, Availability, ConnectionState, Subscription};
use crate::platform::keyring::Passwords;
use crate::store::Store;

/// What an iq we sent was for, so its answer can be handled.
#[derive(Debug, Clone)]
enum PendingIq {
    Roster,
    RosterChange(String),
    Carbons,
    Ping,
    /// A Jingle request about this Session Invite session.
    Session(String),
    /// The block list.
    BlockList,
    /// Blocking or unblocking this address.
    BlockChange(String),
    /// What a contact's device supports (which Session Invite apps it has), for a caps node.
    Disco(FullJid, Option<String>),
    /// The end of a page of the message archive (XEP-0313).
    ArchivePage,
    /// Publishing the user's display name (XEP-0172), as asked.
    Nickname(Option<String>),
    /// Publishing the user's display picture or fetching a contact's.
    Avatar(avatar::Pending),
}

/// Where the account task is.
enum Phase {
    Idle,
    Connect,
    Wait(Instant),
    Online(Box<Session>, Started),
    Stop,
}

/// What a command did to the phase while not online.
enum Next {
    Stay,
    Go(Phase),
}

/// Settings of the account task that tests may tighten.
#[derive(Debug, Clone, Copy)]
pub struct AccountOptions {
    /// Stream silence before a ping, and the time the ping has to be answered.
    pub timeouts: Timeouts,
    /// How long an unanswered invitation rings (`invite::INVITATION_TIMEOUT_MS` by default).
    pub invitation_timeout: Duration,
}

impl Default for AccountOptions {
    fn default() -> Self {
        Self {
            timeouts: Timeouts {
                read_timeout: Duration::from_secs(90),
                response_timeout: Duration::from_secs(30),
            },
            invitation_timeout: Duration::from_millis(crate::invite::INVITATION_TIMEOUT_MS as u64),
        }
    }
}

/// The state of one account.
pub struct Account {
    profile: Profile,
    store: Store,
    bus: EventBus,
    commands: mpsc::UnboundedReceiver<Command>,
    options: AccountOptions,
    passwords: Option<Passwords>,
    credentials: Option<(AccountConfig, String)>,
    own: Option<BareJid>,
    availability: Availability,
    status: Option<String>,
    resumable: Option<(FullJid, StreamManagement)>,
    backoff: Backoff,
    resource: String,
    pending: HashMap<String, PendingIq>,
    /// Subscription of every roster contact: only they may learn what this client supports
    /// (disco), and only mutual ones may send invitations by default.
    roster: HashMap<String, Subscription>,
    /// Profile settings (the invitation policy).
    settings: Settings,
    /// Registered Session Invite applications (kept current by `apps_watcher`).
    registry: Registry,
    /// Watches the applications folder; `None` if watching failed (the registry still works).
    apps_watcher: Option<(AppsWatcher, mpsc::UnboundedReceiver<AppsChange>)>,
    /// Session Invite sessions by id.
    sessions: invites::Sessions,
    /// Launch cookies shared with the local API.
    cookies: LaunchCookies,
    /// Contact devices asked for their features on this session, with the caps node asked.
    discovered: HashMap<FullJid, Option<String>>,
    /// Blocked addresses (XEP-0191).
    blocked: std::collections::BTreeSet<String>,
    /// Applications behind each verified capabilities `node#ver` (XEP-0115 cache).
    caps_cache: HashMap<String, Vec<String>>,
    /// When each contact was last nudged (local API clients are held to the window's pace).
    nudges_sent: crate::xmpp::attention::SendLimit,
    /// The message archive catch-up in progress, if any.
    sync: Option<sync::Sync>,
    /// Display pictures being fetched, and the one last reported for each person.
    pictures: avatar::Pictures,
}

impl Account {
    /// A task for the profile's account; it does nothing until it gets a command.
    pub fn new(
        profile: Profile,
        store: Store,
        bus: EventBus,
        commands: mpsc::UnboundedReceiver<Command>,
        options: AccountOptions,
        passwords: Option<Passwords>,
        cookies: LaunchCookies,
    ) -> Self {
        let settings = profile.load_settings().unwrap_or_else(|error| {
            bus.emit(Event::Problem {
                message: error.to_string(),
            });
            Settings::default()
        });
        let (registry, apps_watcher) = match crate::apps::watch(&profile.apps_dir()) {
            Ok((watcher, changes)) => (watcher.registry(), Some((watcher, changes))),
            Err(error) => {
                bus.emit(Event::Problem {
                    message: format!("Changes to registered programs will not be noticed: {error}"),
                });
                (Registry::load(&profile.apps_dir()).0, None)
            }
        };
        let suffix: String = uuid::Uuid::new_v4()
            .simple()
            .to_string()
            .chars()
            .take(8)
            .collect();
        Self {
            profile,
            store,
            bus,
            commands,
            options,
            passwords,
            credentials: None,
            own: None,
            availability: Availability::Online,
            status: None,
            resumable: None,
            backoff: Backoff::default(),
            resource: format!("nudge-{suffix}"),
            pending: HashMap::new(),
            roster: HashMap::new(),
            settings,
            registry,
            apps_watcher,
            sessions: invites::Sessions::new(),
            cookies,
            discovered: HashMap::new(),
            caps_cache: HashMap::new(),
            nudges_sent: Default::default(),
            sync: None,
            blocked: Default::default(),
            pictures: Default::default(),
        }
    }

    fn emit(&self, event: Event) {
        self.bus.emit(event);
    }

    fn set_connection(&self, state: ConnectionState) {
        self.emit(Event::ConnectionChanged { state });
    }

    fn problem(&self, message: impl Into<String>) {
        self.emit(Event::Problem {
            message: message.into(),
        });
    }

    /// Runs until `Command::Shutdown` or until every command sender is gone.
    pub async fn run(mut self) {
        // The current values every subscriber gets first (the bus replays them).
        self.emit(Event::SettingsChanged {
            settings: self.settings.clone(),
        });
        self.emit(Event::AppsChanged {
            apps: self.app_infos(),
        });
        avatar::replay_cached(&mut self);
        let mut phase = Phase::Idle;
        loop {
            phase = match phase {
                Phase::Idle => self.idle().await,
                Phase::Wait(until) => self.wait(until).await,
                Phase::Connect => self.connect().await,
                Phase::Online(session, started) => self.online(*session, started).await,
                Phase::Stop => break,
            };
        }
        self.set_connection(ConnectionState::Offline);
    }

    async fn idle(&mut self) -> Phase {
        loop {
            tokio::select! {
                change = next_apps_change(&mut self.apps_watcher) => self.on_apps_change(change),
                command = self.commands.recv() => {
                    let Some(command) = command else { return Phase::Stop };
                    if let Next::Go(next) = self.offline_command(command).await {
                        return next;
                    }
                }
            }
        }
    }

    fn on_apps_change(&mut self, change: Option<AppsChange>) {
        if change.is_none() {
            // The watcher stopped (its folder went away): keep the registry as it was.
            self.apps_watcher = None;
            return;
        }
        let registry = self.apps_watcher.as_ref().map(|(w, _)| w.registry());
        if let Some(registry) = registry {
            self.apps_changed(registry);
        }
    }

    async fn wait(&mut self, until: Instant) -> Phase {
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(until) => return Phase::Connect,
                change = next_apps_change(&mut self.apps_watcher) => self.on_apps_change(change),
                command = self.commands.recv() => {
                    let Some(command) = command else { return Phase::Stop };
                    if let Next::Go(next) = self.offline_command(command).await {
                        return next;
                    }
                }
            }
        }
    }

    async fn connect(&mut self) -> Phase {
        let Some((account, password)) = self.credentials.clone() else {
            return Phase::Idle;
        };
        self.set_connection(ConnectionState::Connecting);
        let previous = self.resumable.take();
        let resource = account
            .resource
            .clone()
            .unwrap_or_else(|| self.resource.clone());
        let timeouts = self.options.timeouts;
        let attempt = async move {
            let auth = connect::connect(&account, &password, timeouts).await?;
            // Binding or resuming must not hang on a server that stops answering.
            tokio::time::timeout(
                std::time::Duration::from_secs(20),
                Session::start(auth, previous, &resource),
            )
            .await
            .map_err(|_| ConnectError::Timeout)?
        };
        tokio::pin!(attempt);
        let result = loop {
            tokio::select! {
                result = &mut attempt => break result,
                change = next_apps_change(&mut self.apps_watcher) => self.on_apps_change(change),
                command = self.commands.recv() => {
                    let Some(command) = command else { return Phase::Stop };
                    if let Next::Go(next) = self.offline_command(command).await {
                        return next;
                    }
                }
            }
        };
        match result {
            Ok((session, started)) => Phase::Online(Box::new(session), started),
            Err(error) => self.connect_failed(error),
        }
    }

    fn connect_failed(&mut self, error: ConnectError) -> Phase {
        tracing::info!("connecting failed: {error}");
        let state = match error {
            ConnectError::AuthFailed(message) => ConnectionState::AuthFailed { message },
            ConnectError::CertificateRejected {
                fingerprint,
                message,
            } => ConnectionState::CertificateRejected {
                fingerprint,
                message,
            },
            error if error.is_retryable() => return self.schedule_retry(error.to_string()),
            error => ConnectionState::Failed {
                message: error.to_string(),
            },
        };
        self.set_connection(state);
        Phase::Idle
    }

    fn schedule_retry(&mut self, reason: String) -> Phase {
        let delay = self.backoff.next_delay(clock_jitter());
        self.set_connection(ConnectionState::Reconnecting {
            next_attempt_ms: now_ms() + delay.as_millis() as i64,
            attempt: self.backoff.failures(),
            reason,
        });
        Phase::Wait(Instant::now() + delay)
    }

    async fn online(&mut self, mut session: Session, started: Started) -> Phase {
        self.backoff.reset();
        self.own = Some(session.jid.to_bare());
        if let Err(reason) = self.begin(&mut session, started).await {
            self.resumable = session.into_resumable();
            return self.schedule_retry(reason);
        }
        loop {
            let deadline = invites::next_deadline(&self.sessions);
            let step = tokio::select! {
                incoming = session.read() => self.on_incoming(&mut session, incoming).await,
                _ = sleep_until_some(deadline) => {
                    invites::expire(self, &mut session).await.map_err(Leave::Lost)
                }
                change = next_apps_change(&mut self.apps_watcher) => {
                    self.on_apps_change(change);
                    // A new caps hash tells contacts to look again.
                    self.send_presence(&mut session).await.map_err(Leave::Lost)
                }
                command = self.commands.recv() => match command {
                    Some(command) => self.online_command(&mut session, command).await,
                    None => Err(Leave::Stop),
                },
            };
            match step {
                Ok(()) => {}
                Err(Leave::Lost(reason)) => {
                    self.resumable = session.into_resumable();
                    return self.schedule_retry(reason);
                }
                Err(Leave::SignOut(next)) => {
                    outgoing::sign_out(self, session).await;
                    return next;
                }
                Err(Leave::Stop) => {
                    outgoing::sign_out(self, session).await;
                    return Phase::Stop;
                }
            }
        }
    }

    /// Sets up a new or resumed session and sends what waited in the outbox.
    async fn begin(&mut self, session: &mut Session, started: Started) -> Result<(), String> {
        match started {
            Started::Fresh => {
                self.pending.clear();
                self.discovered.clear();
                let roster = session.next_id("roster");
                self.pending.insert(roster.clone(), PendingIq::Roster);
                session
                    .send(crate::xmpp::roster::request(&roster).into(), None)
                    .await?;
                let blocklist = session.next_id("blocklist");
                self.pending.insert(blocklist.clone(), PendingIq::BlockList);
                session
                    .send(crate::xmpp::blocking::request(&blocklist).into(), None)
                    .await?;
                let carbons = session.next_id("carbons");
                self.pending.insert(carbons.clone(), PendingIq::Carbons);
                session
                    .send(crate::xmpp::message::enable_carbons(&carbons).into(), None)
                    .await?;
                self.send_presence(session).await?;
                sync::start(self, session).await?;
            }
            Started::Resumed(resend) => {
                for (stanza, tracked) in resend {
                    session.send(stanza, tracked).await?;
                }
            }
        }
        self.set_connection(ConnectionState::Online {
            jid: session.jid.to_string(),
        });
        self.emit(Event::OwnPresenceChanged {
            availability: self.availability,
            status: self.status.clone(),
        });
        outgoing::flush_outbox(self, session).await
    }

    async fn send_presence(&mut self, session: &mut Session) -> Result<(), String> {
        let mut presence =
            crate::xmpp::presence::build_own(self.availability, self.status.as_deref(), 0);
        if matches!(
            self.availability,
            Availability::Online | Availability::Away | Availability::Busy
        ) {
            // Contacts learn from the caps hash when the registered apps change.
            crate::xmpp::caps::attach(&mut presence, &self.disco_info());
        }
        session.send(presence.into(), None).await
    }

    /// What this client tells contacts it supports (XEP-0030), apps included.
    pub(super) fn disco_info(&self) -> tokio_xmpp::parsers::disco::DiscoInfoResult {
        let features = self.advertised_features();
        let features: Vec<&str> = features.iter().map(String::as_str).collect();
        crate::xmpp::iq::disco_info(&features)
    }

    async fn on_incoming(
        &mut self,
        session: &mut Session,
        incoming: Incoming,
    ) -> Result<(), Leave> {
        let result = match incoming {
            Incoming::Stanza(stanza) => incoming::stanza(self, session, *stanza).await,
            Incoming::Malformed(malformed) => incoming::malformed(self, session, malformed).await,
            Incoming::Acked(done) => {
                for (peer, id) in done {
                    outgoing::mark_sent(self, &peer, &id);
                }
                Ok(())
            }
            Incoming::AckRequested => session.send_ack().await,
            Incoming::Idle => outgoing::ping(self, session).await,
            Incoming::Closed(reason) => return Err(Leave::Lost(reason)),
        };
        result.map_err(Leave::Lost)
    }

    async fn online_command(
        &mut self,
        session: &mut Session,
        command: Command,
    ) -> Result<(), Leave> {
        outgoing::command(self, session, command).await
    }
}

/// Why the online loop ends.
enum Leave {
    /// The link broke: reconnect.
    Lost(String),
    /// The user signed out (or went offline): close, then go to this phase.
    SignOut(Phase),
    /// The core is stopping.
    Stop,
}

/// The next change of the applications folder; never resolves without a watcher.
async fn next_apps_change(
    watcher: &mut Option<(AppsWatcher, mpsc::UnboundedReceiver<AppsChange>)>,
) -> Option<AppsChange> {
    match watcher {
        Some((_, changes)) => changes.recv().await,
        None => std::future::pending().await,
    }
}

/// Sleeps until `deadline`; never resolves without one.
async fn sleep_until_some(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
