//! The executor: the account task that carries out what the account core decides.
//!
//! It waits for the next input (a command, what the stream brought, a connection attempt's
//! outcome, a deadline, a change of the applications folder, an answer from a background job),
//! hands it to [`Account::handle`], and carries out the effects in order: writing stanzas,
//! reporting events, store operations, the keyring, starting programs. It decides nothing
//! itself; where an effect has an answer, the answer goes back to the account.

mod jobs;
mod store;
mod stream;

use std::collections::VecDeque;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::apps::{AppsChange, AppsWatcher};
use crate::command::Command;
use crate::config::Profile;
use crate::core::account::{Account, AccountOptions, Answer, Effect, Ids, Input};
use crate::core::EventBus;
use crate::event::Event;
use crate::invite::cookies::LaunchCookies;
use crate::model::now_ms;
use crate::platform::keyring::Passwords;
use crate::problem::Problem;
use crate::store::Store;

pub use store::run as run_store_op;
use stream::Stream;

/// What the executor owns besides the account core.
pub struct Executor {
    account: Account,
    profile: Profile,
    store: Store,
    bus: EventBus,
    commands: mpsc::UnboundedReceiver<Command>,
    options: AccountOptions,
    passwords: Option<Passwords>,
    cookies: LaunchCookies,
    /// Watches the applications folder; `None` if watching failed (the registry still works).
    apps_watcher: Option<(AppsWatcher, mpsc::UnboundedReceiver<AppsChange>)>,
    /// The connection attempt or the signed-in stream.
    stream: Stream,
    /// Answers of background jobs (keyring, registration, pictures).
    answers: (
        mpsc::UnboundedSender<Answer>,
        mpsc::UnboundedReceiver<Answer>,
    ),
}

/// Whether to go on after a batch of effects.
#[derive(PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

impl Executor {
    /// An executor for the profile's account; it reads the settings and starts watching the
    /// applications folder (reporting what failed).
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
            let detail = error.to_string();
            bus.emit(Event::Problem {
                problem: Problem::SettingsUnreadable { detail },
            });
            Default::default()
        });
        let (registry, apps_watcher) = match crate::apps::watch(&profile.apps_dir()) {
            Ok((watcher, changes)) => (watcher.registry(), Some((watcher, changes))),
            Err(error) => {
                let detail = error.to_string();
                bus.emit(Event::Problem {
                    problem: Problem::AppsNotWatched { detail },
                });
                (crate::apps::Registry::load(&profile.apps_dir()).0, None)
            }
        };
        let account = Account::new(profile.clone(), settings, registry, options, Ids::Random);
        Self {
            account,
            profile,
            store,
            bus,
            commands,
            options,
            passwords,
            cookies,
            apps_watcher,
            stream: Stream::default(),
            answers: mpsc::unbounded_channel(),
        }
    }

    /// Runs until `Command::Shutdown` or until every command sender is gone.
    pub async fn run(mut self) {
        let first = self.account.start(now_ms());
        if self.carry_out(first).await == Flow::Stop {
            return;
        }
        loop {
            let input = self.next_input().await;
            let effects = self.account.handle(now_ms(), input);
            if self.carry_out(effects).await == Flow::Stop {
                break;
            }
        }
        self.bus.emit(Event::ConnectionChanged {
            state: crate::model::ConnectionState::Offline,
        });
    }

    /// Waits for the next thing the account must decide on.
    async fn next_input(&mut self) -> Input {
        loop {
            let deadline = self.account.next_deadline();
            let input = tokio::select! {
                command = self.commands.recv() => {
                    Some(Input::Command(command.unwrap_or(Command::Shutdown)))
                }
                happened = self.stream.next() => self.stream.settle(happened).await,
                Some(answer) = self.answers.1.recv() => Some(Input::Answer(answer)),
                change = next_apps_change(&mut self.apps_watcher) => self.on_apps_change(change),
                _ = sleep_until_ms(deadline) => Some(Input::Tick),
            };
            if let Some(input) = input {
                return input;
            }
        }
    }

    fn on_apps_change(&mut self, change: Option<AppsChange>) -> Option<Input> {
        if change.is_none() {
            // The watcher stopped (its folder went away): keep the registry as it was.
            self.apps_watcher = None;
            return None;
        }
        let registry = self.apps_watcher.as_ref().map(|(w, _)| w.registry())?;
        Some(Input::AppsChanged(registry))
    }

    /// Carries out `effects` in order; the effects of answers given on the way come first.
    async fn carry_out(&mut self, effects: Vec<Effect>) -> Flow {
        let mut queue: VecDeque<Effect> = effects.into();
        let mut flow = Flow::Continue;
        while let Some(effect) = queue.pop_front() {
            if matches!(effect, Effect::Stop) {
                flow = Flow::Stop;
                continue;
            }
            if let Some(input) = self.carry_out_one(effect).await {
                let more = self.account.handle(now_ms(), input);
                for effect in more.into_iter().rev() {
                    queue.push_front(effect);
                }
            }
        }
        if flow == Flow::Stop {
            self.stream.close().await;
        }
        flow
    }

    /// Carries out one effect; returns the input it answers with at once, if any.
    async fn carry_out_one(&mut self, effect: Effect) -> Option<Input> {
        match effect {
            Effect::Send { stanza, tracked } => self.stream.send(*stanza, tracked).await,
            Effect::RequestAck => self.stream.request_ack().await,
            Effect::Emit(event) => {
                self.bus.emit(event);
                None
            }
            Effect::Connect {
                attempt,
                account,
                password,
                resource,
                resume,
            } => {
                let timeouts = self.options.timeouts;
                self.stream
                    .connect(attempt, account, password, resource, resume, timeouts);
                None
            }
            Effect::Disconnect => {
                self.stream.close().await;
                None
            }
            Effect::Store(op) => {
                let avatars = self.profile.avatars_dir();
                store::run(&mut self.store, &avatars, op)
                    .map(|answer| Input::Answer(Answer::Store(answer)))
            }
            Effect::Stop => None,
            other => self.start_job(other),
        }
    }
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

/// Sleeps until the Unix time `deadline_ms`; never resolves without one.
async fn sleep_until_ms(deadline_ms: Option<i64>) {
    match deadline_ms {
        Some(at) => {
            let wait = (at - now_ms()).max(0) as u64;
            tokio::time::sleep(Duration::from_millis(wait)).await
        }
        None => std::future::pending().await,
    }
}
