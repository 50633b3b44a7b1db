//! The account core: every decision about one account, without IO.
//!
//! [`Account::handle`] takes one [`Input`] (a command, a stanza, a timer, an effect's answer)
//! and returns the [`Effect`]s to carry out (stanzas to send, events to report, store
//! operations, programs to start). It never touches a socket, a file or a clock: the time comes
//! with each input, and the executor (`core::executor`) does the IO and feeds answers back.
//! So every rule here is unit-tested by scripting stanzas in and reading effects out
//! (`account/tests/`).
//!
//! Phases of the link: idle (no credentials or signed out) → connecting → online → (link lost)
//! waiting for the next attempt → connecting... A refused password or certificate is final
//! until the user signs in again: there is no retry loop against a server that said no.

mod avatar;
mod commands;
mod contacts;
mod effect;
mod ids;
mod input;
mod invites;
mod link;
mod messages;
mod outbox;
mod requests;
mod stanzas;
mod sync;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Duration;

use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::jid::{BareJid, FullJid, Jid};
use tokio_xmpp::xmlstream::Timeouts;
use tokio_xmpp::Stanza;

use crate::apps::Registry;
use crate::config::{AccountConfig, Profile, Settings};
use crate::core::backoff::Backoff;
use crate::core::sm::Tracked;
use crate::event::Event;
use crate::model::{Availability, Subscription};
use crate::problem::Problem;
use crate::secret::Secret;

pub use avatar::{prepare_builtin, prepare_file, PictureError, Prepared};
pub use effect::{ArchivePurpose, Effect, Fault, Launch, PictureSource, StoreAnswer, StoreOp};
pub use ids::Ids;
pub use input::{Answer, ConnectFailure, Connected, Input, KeyringFault};
use requests::{Purpose, Requests, Responder};

/// Settings of the account core that tests may tighten.
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

/// Where the link is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    /// Not connected and not trying.
    Idle,
    /// A connection attempt is under way.
    Connecting,
    /// The link was lost; the next attempt starts at this time.
    Waiting { until_ms: i64 },
    /// Signed in.
    Online,
}

/// The account and password to connect with.
#[derive(Debug, Clone)]
struct Credentials {
    account: AccountConfig,
    password: Secret,
}

/// The state of one account.
pub struct Account {
    profile: Profile,
    options: AccountOptions,
    /// Profile settings (the invitation policy).
    settings: Settings,
    /// Registered Session Invite applications.
    registry: Registry,
    /// Stanza ids, resources and jitter.
    ids: Ids,
    /// The time of the input being handled, in Unix milliseconds.
    now_ms: i64,
    /// The effects of the input being handled.
    out: Vec<Effect>,
    credentials: Option<Credentials>,
    /// A sign-in waiting for the keyring's password: the account and whether to remember it.
    signing_in: Option<(AccountConfig, bool)>,
    link: Link,
    /// The number of the latest connection attempt.
    attempt: u64,
    /// Whether the next attempt may resume the previous stream (the link was lost, not closed).
    may_resume: bool,
    availability: Availability,
    status: Option<String>,
    backoff: Backoff,
    /// The full JID bound, while online.
    own: Option<FullJid>,
    /// Whether stream management acknowledges what is sent.
    stream_management: bool,
    /// Outbox messages sent and not yet acknowledged by the server.
    in_flight: HashSet<Tracked>,
    /// Without stream management: messages written and waiting for a ping round trip to prove
    /// the server has them, and whether such a ping is on its way.
    unconfirmed: Vec<Tracked>,
    confirming: bool,
    /// The time of the earliest received message that could not be saved: the next catch-up
    /// goes back to it, so it is fetched again.
    unsaved_since: Option<i64>,
    /// A catch-up began on a fresh stream and has not finished: live messages do not move its
    /// starting point until it has (see `sync.rs`).
    catching_up: bool,
    requests: Requests,
    /// Subscription of every roster contact: only they may learn what this client supports
    /// (disco), and only mutual ones may send invitations by default.
    roster: HashMap<BareJid, Subscription>,
    /// Blocked addresses (XEP-0191).
    blocked: BTreeSet<Jid>,
    /// Contact devices asked for their features on this stream, with the caps node asked.
    discovered: HashMap<FullJid, Option<String>>,
    /// Applications behind each verified capabilities `node#ver` (XEP-0115 cache).
    caps_cache: HashMap<String, Vec<String>>,
    /// When each contact was last nudged (local API clients are held to the window's pace).
    nudges_sent: crate::xmpp::attention::SendLimit,
    /// The message archive catch-up in progress, if any.
    sync: Option<sync::Sync>,
    /// Display pictures being fetched, and the one last reported for each person.
    pictures: avatar::Pictures,
    /// Session Invite sessions.
    sessions: invites::Sessions,
}

impl Account {
    /// The core of the profile's account, with the settings and registry read at start.
    pub fn new(
        profile: Profile,
        settings: Settings,
        registry: Registry,
        options: AccountOptions,
        ids: Ids,
    ) -> Self {
        Self {
            profile,
            options,
            settings,
            registry,
            ids,
            now_ms: 0,
            out: Vec::new(),
            credentials: None,
            signing_in: None,
            link: Link::Idle,
            attempt: 0,
            may_resume: false,
            availability: Availability::Online,
            status: None,
            backoff: Backoff::default(),
            own: None,
            stream_management: false,
            in_flight: HashSet::new(),
            unconfirmed: Vec::new(),
            confirming: false,
            unsaved_since: None,
            catching_up: false,
            requests: Requests::default(),
            roster: HashMap::new(),
            blocked: BTreeSet::new(),
            discovered: HashMap::new(),
            caps_cache: HashMap::new(),
            nudges_sent: Default::default(),
            sync: None,
            pictures: Default::default(),
            sessions: invites::Sessions::default(),
        }
    }

    /// What every subscriber learns first: the settings, the registered applications, and the
    /// cached display pictures (read from the store).
    pub fn start(&mut self, now_ms: i64) -> Vec<Effect> {
        self.now_ms = now_ms;
        self.emit(Event::SettingsChanged {
            settings: self.settings.clone(),
        });
        self.emit(Event::AppsChanged {
            apps: self.app_infos(),
        });
        self.store(StoreOp::AvatarHashes);
        std::mem::take(&mut self.out)
    }

    /// Decides what `input` means at `now_ms` and returns what to do about it, in order.
    pub fn handle(&mut self, now_ms: i64, input: Input) -> Vec<Effect> {
        self.now_ms = now_ms;
        match input {
            Input::Command(command) => self.on_command(command),
            Input::Stanza(stanza) => self.on_stanza(*stanza),
            Input::Malformed(malformed) => self.on_malformed(malformed),
            Input::Acked(done) => self.on_acked(done),
            Input::Written(tracked) => self.on_written(tracked),
            Input::Idle => self.ping(),
            Input::Connected(connected) => self.on_connected(connected),
            Input::ConnectFailed { attempt, failure } => self.on_connect_failed(attempt, failure),
            Input::Disconnected { reason } => self.on_disconnected(reason),
            Input::Tick => self.on_tick(),
            Input::AppsChanged(registry) => self.apps_changed(registry),
            Input::Answer(answer) => self.on_answer(answer),
        }
        std::mem::take(&mut self.out)
    }

    /// When the account next wants [`Input::Tick`]: a reconnect attempt or an invitation that
    /// stops ringing, in Unix milliseconds.
    pub fn next_deadline(&self) -> Option<i64> {
        let reconnect = match self.link {
            Link::Waiting { until_ms } => Some(until_ms),
            _ => None,
        };
        [reconnect, self.sessions.next_deadline()]
            .into_iter()
            .flatten()
            .min()
    }

    fn on_tick(&mut self) {
        if let Link::Waiting { until_ms } = self.link {
            if until_ms <= self.now_ms {
                self.connect();
            }
        }
        self.expire_invitations();
    }

    fn on_answer(&mut self, answer: Answer) {
        match answer {
            Answer::Store(answer) => self.on_store_answer(answer),
            Answer::PasswordLoaded { jid, result } => self.on_password_loaded(jid, result),
            Answer::PasswordNotKept { remember, fault } => {
                self.on_password_not_kept(remember, fault)
            }
            Answer::AccountNotSaved(fault) => self.problem(Problem::AccountNotSaved {
                detail: fault.into(),
            }),
            Answer::SettingsSaved { result } => self.on_settings_saved(result),
            Answer::RegistrationForm { account, result } => {
                self.on_registration_form(account, result)
            }
            Answer::Registered {
                account,
                password,
                result,
            } => self.on_registered(account, password, result),
            Answer::PicturePrepared { result } => self.on_picture_prepared(result),
            Answer::Launched { session, result } => self.on_launched(&session, result),
            Answer::PageNotOpened(fault) => self.problem(Problem::PageNotOpened {
                detail: fault.into(),
            }),
        }
    }

    fn on_store_answer(&mut self, answer: StoreAnswer) {
        match answer {
            StoreAnswer::Inserted { message, result } => self.on_message_stored(message, result),
            StoreAnswer::ArchivedInserted { result } => self.on_archive_stored(result),
            StoreAnswer::Queued { message, result } => self.on_queued(message, result),
            StoreAnswer::Outbox(result) => self.on_outbox(result),
            StoreAnswer::NewestArchived { purpose, result } => {
                self.on_newest_archived(purpose, result)
            }
            StoreAnswer::History { peer, result } => match result {
                Ok(messages) => self.emit(Event::HistoryLoaded { peer, messages }),
                Err(fault) => self.problem(Problem::HistoryUnreadable {
                    detail: fault.into(),
                }),
            },
            StoreAnswer::AvatarHashes(result) => self.on_avatar_hashes(result),
            StoreAnswer::CachedPicture { jid, sha1, png } => self.on_cached_picture(jid, sha1, png),
        }
    }

    // The effect helpers every handler uses.

    fn emit(&mut self, event: Event) {
        self.out.push(Effect::Emit(event));
    }

    fn problem(&mut self, problem: Problem) {
        self.emit(Event::Problem { problem });
    }

    /// Sends a stanza; nothing goes out while the link is down.
    fn send(&mut self, stanza: impl Into<Stanza>) {
        if self.link != Link::Online {
            return;
        }
        self.out.push(Effect::Send {
            stanza: Box::new(stanza.into()),
            tracked: None,
        });
    }

    fn store(&mut self, op: StoreOp) {
        self.out.push(Effect::Store(op));
    }

    /// Sends an iq request built with a fresh id, remembering who may answer it and what for.
    fn request(&mut self, responder: Responder, purpose: Purpose, build: impl FnOnce(&str) -> Iq) {
        let id = self.ids.fresh();
        let iq = build(&id);
        self.send_request(id, responder, purpose, iq);
    }

    /// Sends request `iq` (whose id is `id`), remembering who may answer it and what for.
    fn send_request(&mut self, id: String, responder: Responder, purpose: Purpose, iq: Iq) {
        self.requests.add(id, responder, purpose);
        self.send(iq);
    }

    /// Whether the account is signed in.
    fn is_online(&self) -> bool {
        self.link == Link::Online && self.own.is_some()
    }

    /// The user's bare JID while online.
    fn own_bare(&self) -> Option<BareJid> {
        self.own.as_ref().map(|own| own.to_bare())
    }

    /// Whether `from` is nobody the user knows: not a roster contact, not the user's own
    /// account or server. Strangers are sent nothing, not even refusals: any answer would tell
    /// them this device is here, even while the user appears offline.
    fn is_stranger(&self, from: &Jid) -> bool {
        let Some(own) = self.own_bare() else {
            return true;
        };
        let bare = from.to_bare();
        bare != own
            && !(from.node().is_none() && from.domain() == own.domain())
            && !self.roster.contains_key(&bare)
    }

    /// Whether `jid` (bare) is the user's own account.
    fn is_own(&self, jid: &BareJid) -> bool {
        self.own.as_ref().is_some_and(|own| own.to_bare() == *jid)
    }
}
