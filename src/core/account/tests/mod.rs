//! Scripted-stanza tests of the account core: stanzas and commands in, effects out.
//!
//! A [`Script`] drives an [`Account`] the way the executor does, with a real in-memory store
//! answering its store operations (through the executor's own `run_store_op`), and keeps every
//! other effect for the test to read: stanzas sent (as XML), events reported, jobs started.

mod contacts;
mod discovery;
mod forged;
mod invite_rules;
mod invites;
mod jingle;
mod link;
mod messages;
mod pictures;
mod sync;

use std::collections::VecDeque;

use minidom::Element;
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::jid::FullJid;
use tokio_xmpp::parsers::message::Message;
use tokio_xmpp::parsers::presence::Presence;
use tokio_xmpp::Stanza;

use super::{Account, AccountOptions, Answer, Connected, Effect, Ids, Input, StoreOp};
use crate::apps::Registry;
use crate::command::Command;
use crate::config::{AccountConfig, Profile, Settings};
use crate::core::executor::run_store_op;
use crate::event::Event;
use crate::model::{bare, Contact, Subscription};
use crate::problem::Problem;
use crate::store::Store;

/// The user the scripts sign in as.
pub(super) const ALICE: &str = "alice@example.org";
/// The device the scripts are bound to.
pub(super) const DESK: &str = "alice@example.org/desk";
/// The start of the scripts' clock (2026-01-01 00:00:00 UTC).
pub(super) const T0: i64 = 1_767_225_600_000;

/// An account core driven by hand.
pub(super) struct Script {
    pub account: Account,
    pub store: Store,
    /// The profile's folders (the picture cache, the socket path for launches).
    pub dir: tempfile::TempDir,
    pub now: i64,
    /// Effects not yet read by the test, store operations excepted.
    pub effects: VecDeque<Effect>,
    /// Store operations carried out, for tests that check what was written.
    pub store_ops: Vec<StoreOp>,
    /// While set, store operations wait in `held` instead of being carried out, as a slow
    /// disk would keep them (see [`Script::release_held`]).
    pub holding: bool,
    /// Store operations kept back while `holding`.
    pub held: Vec<StoreOp>,
}

impl Script {
    /// A fresh account (nothing stored, no apps), not signed in.
    pub fn new() -> Self {
        Self::with(Settings::default(), None)
    }

    /// A fresh account with these settings and, optionally, this registry.
    pub fn with(settings: Settings, registry: Option<Registry>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open_in_memory().expect("in-memory store");
        let mut script = Self::starting(dir, store, settings, registry);
        script.effects.clear();
        script
    }

    /// The account started again on the same profile folder and store, as after a restart:
    /// what the start reported is left for the test to read.
    pub fn restarted(self) -> Self {
        Self::starting(self.dir, self.store, Settings::default(), None)
    }

    fn starting(
        dir: tempfile::TempDir,
        store: Store,
        settings: Settings,
        registry: Option<Registry>,
    ) -> Self {
        let profile = Profile::under(dir.path(), "test");
        profile.create_dirs().expect("profile dirs");
        let registry = registry.unwrap_or_else(|| Registry::empty(&profile.apps_dir()));
        let options = AccountOptions::default();
        let account = Account::new(profile, settings, registry, options, Ids::Sequence(0));
        let mut script = Self {
            account,
            store,
            dir,
            now: T0,
            effects: VecDeque::new(),
            store_ops: Vec::new(),
            holding: false,
            held: Vec::new(),
        };
        let first = script.account.start(script.now);
        script.carry_out(first);
        script
    }

    /// The account's avatar cache folder.
    pub fn avatars_dir(&self) -> std::path::PathBuf {
        Profile::under(self.dir.path(), "test").avatars_dir()
    }

    /// Signed in as alice on `desk` with stream management, the roster answered with
    /// `contacts`; every effect so far is read.
    pub fn online_with(contacts: &[Contact]) -> Self {
        Self::online_as(Settings::default(), None, contacts)
    }

    /// Signed in with these settings and registry, the roster answered with `contacts`; every
    /// effect so far is read.
    pub fn online_as(settings: Settings, registry: Option<Registry>, contacts: &[Contact]) -> Self {
        let mut script = Self::with(settings, registry);
        script.sign_in_and_connect(true);
        script.answer_roster(contacts);
        script.effects.clear();
        script
    }

    /// Signed in with Bob as a mutual contact.
    pub fn online() -> Self {
        Self::online_with(&[Contact::mutual("bob@example.org", "Bob")])
    }

    /// Sends the sign-in command and reports the attempt connected.
    pub fn sign_in_and_connect(&mut self, stream_management: bool) {
        self.command(Command::SignIn {
            account: AccountConfig {
                jid: ALICE.into(),
                ..Default::default()
            },
            password: "pw".into(),
            remember_password: false,
        });
        let attempt = self.connect_attempt().expect("a connection attempt");
        self.connected(attempt, false, stream_management);
    }

    /// Reports attempt `attempt` connected (fresh or resumed).
    pub fn connected(&mut self, attempt: u64, resumed: bool, stream_management: bool) {
        self.input(Input::Connected(Connected {
            attempt,
            jid: FullJid::new(DESK).expect("jid"),
            resumed,
            stream_management,
            in_flight: vec![],
        }));
    }

    /// Loses the link and comes back on a fresh stream (nothing resumed), as after the server
    /// forgot the session; what the new stream sent is left for the test to read.
    pub fn reconnect_fresh(&mut self) {
        self.input(Input::Disconnected {
            reason: "cut".into(),
        });
        self.advance(60_000);
        let attempt = self.connect_attempt().expect("reconnects");
        self.effects.clear();
        self.connected(attempt, false, true);
    }

    /// The number of the first `Connect` effect not read yet, taking it (and only it).
    pub fn connect_attempt(&mut self) -> Option<u64> {
        let at = self
            .effects
            .iter()
            .position(|effect| matches!(effect, Effect::Connect { .. }))?;
        match self.effects.remove(at) {
            Some(Effect::Connect { attempt, .. }) => Some(attempt),
            _ => None,
        }
    }

    /// Answers the roster request with `contacts`.
    pub fn answer_roster(&mut self, contacts: &[Contact]) {
        let id = self
            .request_id("jabber:iq:roster")
            .expect("a roster request");
        let items: String = contacts
            .iter()
            .map(|c| {
                let sub = match c.subscription {
                    Subscription::None => "none",
                    Subscription::To => "to",
                    Subscription::From => "from",
                    Subscription::Both => "both",
                };
                format!("<item jid='{}' subscription='{sub}'/>", c.jid)
            })
            .collect();
        self.stanza(&format!(
            "<iq type='result' id='{id}' to='{DESK}'><query xmlns='jabber:iq:roster'>{items}</query></iq>"
        ));
    }

    /// Hands one input to the account and carries out its effects.
    pub fn input(&mut self, input: Input) {
        let effects = self.account.handle(self.now, input);
        self.carry_out(effects);
    }

    /// A command.
    pub fn command(&mut self, command: Command) {
        self.input(Input::Command(command));
    }

    /// A stanza from the server, in XML (`jabber:client` is added when not given).
    pub fn stanza(&mut self, xml: &str) {
        self.input(Input::Stanza(Box::new(parse(xml))));
    }

    /// An answer of an effect.
    pub fn answer(&mut self, answer: Answer) {
        self.input(Input::Answer(answer));
    }

    /// Moves the clock on and ticks when a deadline has come.
    pub fn advance(&mut self, ms: i64) {
        self.now += ms;
        if self
            .account
            .next_deadline()
            .is_some_and(|at| at <= self.now)
        {
            self.input(Input::Tick);
        }
    }

    /// Carries out the store operations held so far (feeding their answers back), and stops
    /// holding.
    pub fn release_held(&mut self) {
        self.holding = false;
        let held: Vec<Effect> = self.held.drain(..).map(Effect::Store).collect();
        self.carry_out(held);
    }

    /// Carries out store operations at once (feeding their answers back), keeps the rest.
    fn carry_out(&mut self, effects: Vec<Effect>) {
        let mut queue: VecDeque<Effect> = effects.into();
        let avatars = self.avatars_dir();
        while let Some(effect) = queue.pop_front() {
            let Effect::Store(op) = effect else {
                self.effects.push_back(effect);
                continue;
            };
            if self.holding {
                self.held.push(op);
                continue;
            }
            self.store_ops.push(op.clone());
            if let Some(answer) = run_store_op(&mut self.store, &avatars, op) {
                let more = self
                    .account
                    .handle(self.now, Input::Answer(Answer::Store(answer)));
                for effect in more.into_iter().rev() {
                    queue.push_front(effect);
                }
            }
        }
    }

    /// Takes every stanza sent so far, as elements.
    pub fn sent(&mut self) -> Vec<Element> {
        let mut sent = Vec::new();
        self.effects.retain(|effect| match effect {
            Effect::Send { stanza, .. } => {
                sent.push(element_of(stanza));
                false
            }
            _ => true,
        });
        sent
    }

    /// Takes every stanza sent so far, as XML text (for `contains` checks).
    pub fn sent_xml(&mut self) -> Vec<String> {
        self.sent().iter().map(String::from).collect()
    }

    /// Takes every event reported so far.
    pub fn events(&mut self) -> Vec<Event> {
        let mut events = Vec::new();
        self.effects.retain(|effect| match effect {
            Effect::Emit(event) => {
                events.push(event.clone());
                false
            }
            _ => true,
        });
        events
    }

    /// Takes every problem reported so far.
    pub fn problems(&mut self) -> Vec<Problem> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Problem { problem } => Some(problem),
                _ => None,
            })
            .collect()
    }

    /// The id of the first request sent so far whose payload is in `namespace`, without taking
    /// anything.
    pub fn request_id(&self, namespace: &str) -> Option<String> {
        self.effects.iter().find_map(|effect| match effect {
            Effect::Send { stanza, .. } => {
                let element = element_of(stanza);
                let is_request = element.name() == "iq"
                    && matches!(element.attr("type"), Some("get") | Some("set"))
                    && element.children().any(|c| c.ns() == namespace);
                is_request.then(|| element.attr("id").unwrap_or_default().to_string())
            }
            _ => None,
        })
    }

    /// Takes every effect that is neither a stanza nor an event.
    pub fn jobs(&mut self) -> Vec<Effect> {
        let (kept, jobs): (Vec<Effect>, Vec<Effect>) = std::mem::take(&mut self.effects)
            .into_iter()
            .partition(|effect| matches!(effect, Effect::Send { .. } | Effect::Emit(_)));
        self.effects = kept.into();
        jobs
    }

    /// The stored messages of a conversation, oldest first.
    pub fn stored(&self, peer: &str) -> Vec<crate::model::ChatMessage> {
        self.store.recent_messages(&bare(peer), 1000).expect("read")
    }
}

/// A stanza parsed from XML, as the stream reader would give it.
pub(super) fn parse(xml: &str) -> Stanza {
    let xml = xml.trim();
    let first_tag = &xml[..xml.find('>').expect("a tag")];
    let xml = if first_tag.contains("xmlns=") {
        xml.to_string()
    } else {
        let end = xml.find([' ', '>', '/']).expect("a tag");
        format!("{} xmlns='jabber:client'{}", &xml[..end], &xml[end..])
    };
    let element: Element = xml.parse().expect("well-formed XML");
    match element.name() {
        "message" => Stanza::Message(Message::try_from(element).expect("a message")),
        "presence" => Stanza::Presence(Presence::try_from(element).expect("a presence")),
        "iq" => Stanza::Iq(Iq::try_from(element).expect("an iq")),
        other => panic!("not a stanza: {other}"),
    }
}

/// A sent stanza as an element.
pub(super) fn element_of(stanza: &Stanza) -> Element {
    match crate::core::session::clone_stanza(stanza) {
        Stanza::Iq(iq) => iq.into(),
        Stanza::Message(message) => message.into(),
        Stanza::Presence(presence) => presence.into(),
    }
}

/// A contact with this subscription.
pub(super) fn contact(jid: &str, subscription: Subscription) -> Contact {
    Contact {
        jid: bare(jid),
        name: None,
        groups: vec![],
        subscription,
        pending_out: false,
    }
}
