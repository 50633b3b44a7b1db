//! Signing in and out, connection attempts and their outcomes, reconnecting with backoff, and
//! the user's own presence.

use std::collections::BTreeMap;

use super::{
    Account, ConnectFailure, Connected, Credentials, Effect, KeyringFault, Link, Purpose,
    Responder, StoreOp,
};
use crate::config::AccountConfig;
use crate::core::register::RegisterError;
use crate::event::Event;
use crate::model::{Availability, ConnectionState};
use crate::problem::Problem;
use crate::secret::Secret;
use crate::xmpp::register::RegistrationForm;

impl Account {
    /// `Command::SignIn`: saves the account and signs in with it, remembering or forgetting the
    /// password as asked. An empty password means "the one I gave before, or saved".
    pub(super) fn sign_in(&mut self, account: AccountConfig, password: Secret, remember: bool) {
        if let Err(error) = crate::core::connect::account_jid(&account) {
            self.set_connection(ConnectionState::Failed {
                message: error.to_string(),
            });
            return;
        }
        self.leave(true);
        if !password.is_empty() {
            return self.signed_in(account, password, remember);
        }
        let known = self
            .credentials
            .as_ref()
            .filter(|c| c.account.jid == account.jid)
            .map(|c| c.password.clone());
        match known {
            Some(password) => self.signed_in(account, password, remember),
            None => {
                let jid = account.jid.clone();
                self.signing_in = Some((account, remember));
                self.out.push(Effect::LoadPassword { jid });
            }
        }
    }

    pub(super) fn on_password_loaded(
        &mut self,
        jid: String,
        result: Result<Option<Secret>, KeyringFault>,
    ) {
        let Some((account, remember)) = self.signing_in.take_if(|(a, _)| a.jid == jid) else {
            return;
        };
        let password = match result {
            Ok(found) => found,
            Err(fault) => {
                self.keyring_problem(fault);
                None
            }
        };
        match password {
            Some(password) => self.signed_in(account, password, remember),
            None => self.set_connection(ConnectionState::AuthFailed {
                message: "type your password to sign in".into(),
            }),
        }
    }

    fn signed_in(&mut self, account: AccountConfig, password: Secret, remember: bool) {
        self.out.push(Effect::SaveAccount(account.clone()));
        self.out.push(Effect::KeepPassword {
            jid: account.jid.clone(),
            password: password.clone(),
            remember,
        });
        self.credentials = Some(Credentials { account, password });
        self.may_resume = false;
        self.emit(Event::AppsChanged {
            apps: self.app_infos(),
        });
        self.backoff.reset();
        // The first presence sent is the one the user chose to sign in with.
        self.availability = match self.settings.sign_in_as {
            Availability::Offline => Availability::Online,
            chosen => chosen,
        };
        self.connect();
    }

    pub(super) fn on_password_not_kept(&mut self, remember: bool, fault: KeyringFault) {
        match fault {
            KeyringFault::Unavailable if remember => self.problem(Problem::NoKeyring),
            KeyringFault::Unavailable => {}
            fault => self.keyring_problem(fault),
        }
    }

    fn keyring_problem(&mut self, fault: KeyringFault) {
        let detail = match fault {
            KeyringFault::Unavailable => "no keyring is available on this desktop".to_string(),
            KeyringFault::Failed(detail) => detail,
        };
        self.problem(Problem::KeyringFailed { detail });
    }

    /// Starts a connection attempt with the credentials, if there are any.
    pub(super) fn connect(&mut self) {
        let Some(credentials) = self.credentials.clone() else {
            self.link = Link::Idle;
            return;
        };
        self.attempt += 1;
        self.link = Link::Connecting;
        self.set_connection(ConnectionState::Connecting);
        let resource = match credentials.account.resource.clone() {
            Some(resource) if !resource.trim().is_empty() => resource,
            _ => self.ids.resource(),
        };
        self.out.push(Effect::Connect {
            attempt: self.attempt,
            account: credentials.account,
            password: credentials.password,
            resource,
            resume: self.may_resume,
        });
    }

    pub(super) fn on_connect_failed(&mut self, attempt: u64, failure: ConnectFailure) {
        if attempt != self.attempt || self.link != Link::Connecting {
            return;
        }
        tracing::info!("connecting failed: {failure:?}");
        self.may_resume = false;
        let state = match failure {
            ConnectFailure::AuthFailed { message } => ConnectionState::AuthFailed { message },
            ConnectFailure::CertificateRejected {
                fingerprint,
                message,
            } => ConnectionState::CertificateRejected {
                fingerprint,
                message,
            },
            ConnectFailure::Retryable { reason } => return self.schedule_retry(reason),
            ConnectFailure::Fatal { message } => ConnectionState::Failed { message },
        };
        self.link = Link::Idle;
        self.set_connection(state);
    }

    /// Waits a growing while before the next attempt, and says so.
    fn schedule_retry(&mut self, reason: String) {
        let delay = self.backoff.next_delay(self.ids.jitter());
        let until_ms = self.now_ms + delay.as_millis() as i64;
        self.link = Link::Waiting { until_ms };
        self.set_connection(ConnectionState::Reconnecting {
            next_attempt_ms: until_ms,
            attempt: self.backoff.failures(),
            reason,
        });
    }

    pub(super) fn on_connected(&mut self, connected: Connected) {
        if connected.attempt != self.attempt || self.link != Link::Connecting {
            return;
        }
        self.backoff.reset();
        self.link = Link::Online;
        self.may_resume = false;
        self.stream_management = connected.stream_management;
        self.in_flight = connected.in_flight.into_iter().collect();
        // Unconfirmed messages are still in the outbox: the flush below sends them again.
        self.unconfirmed.clear();
        self.confirming = false;
        let jid = connected.jid;
        self.own = Some(jid.clone());
        if !connected.resumed {
            self.requests.clear();
            self.discovered.clear();
            self.request(
                Responder::Account,
                Purpose::Roster,
                crate::xmpp::roster::request,
            );
            self.request(
                Responder::Account,
                Purpose::BlockList,
                crate::xmpp::blocking::request,
            );
            self.request(
                Responder::Account,
                Purpose::Carbons,
                crate::xmpp::message::enable_carbons,
            );
            self.send_presence();
            self.start_sync();
        }
        self.set_connection(ConnectionState::Online { jid });
        self.emit(Event::OwnPresenceChanged {
            availability: self.availability,
            status: self.status.clone(),
        });
        self.store(StoreOp::ReadOutbox);
    }

    /// The link broke: try again (resuming the stream if the server allows it).
    pub(super) fn on_disconnected(&mut self, reason: String) {
        if self.link != Link::Online {
            return;
        }
        self.own = None;
        self.may_resume = true;
        self.schedule_retry(reason);
    }

    /// Leaves the link: says goodbye when online, drops an attempt in progress. Keeps the
    /// credentials, so a later presence change can sign in again.
    pub(super) fn leave(&mut self, quietly: bool) {
        match self.link {
            Link::Online => {
                let goodbye = crate::xmpp::presence::build_own(Availability::Offline, None, 0);
                self.send(goodbye);
                self.out.push(Effect::Disconnect);
            }
            Link::Connecting => self.out.push(Effect::Disconnect),
            Link::Idle | Link::Waiting { .. } => {}
        }
        let was_idle = self.link == Link::Idle;
        self.link = Link::Idle;
        self.own = None;
        self.may_resume = false;
        self.sync = None;
        if !(quietly && was_idle) {
            self.set_connection(ConnectionState::Offline);
        }
    }

    /// `Command::SignOut`: goodbye, and forget the credentials.
    pub(super) fn sign_out(&mut self) {
        self.leave(false);
        self.credentials = None;
        self.signing_in = None;
    }

    /// `Command::SetPresence`.
    pub(super) fn set_presence(&mut self, availability: Availability, status: Option<String>) {
        self.availability = availability;
        self.status = status;
        if availability == Availability::Offline {
            return self.leave(false);
        }
        match self.link {
            Link::Online => {
                self.send_presence();
                self.emit(Event::OwnPresenceChanged {
                    availability,
                    status: self.status.clone(),
                });
            }
            Link::Idle | Link::Waiting { .. } if self.credentials.is_some() => self.connect(),
            Link::Idle | Link::Waiting { .. } | Link::Connecting => {}
        }
    }

    /// Sends the user's presence, with the capabilities hash when visible.
    pub(super) fn send_presence(&mut self) {
        let mut presence =
            crate::xmpp::presence::build_own(self.availability, self.status.as_deref(), 0);
        if matches!(
            self.availability,
            Availability::Online | Availability::Away | Availability::Busy
        ) {
            // Contacts learn from the caps hash when the registered apps change.
            crate::xmpp::caps::attach(&mut presence, &self.disco_info());
        }
        self.send(presence);
    }

    /// Checks the link is alive after a silence (XEP-0199); a dead link fails the next read.
    pub(super) fn ping(&mut self) {
        let Some(own) = self.own.clone() else {
            return;
        };
        let server = tokio_xmpp::parsers::jid::Jid::from(own.domain().to_owned());
        self.request(Responder::Peer(server.clone()), Purpose::Ping, |id| {
            crate::xmpp::iq::ping(id, &server)
        });
    }

    /// `Command::FetchRegistrationForm`.
    pub(super) fn fetch_registration_form(&mut self, account: AccountConfig) {
        self.out.push(Effect::FetchRegistrationForm(account));
    }

    pub(super) fn on_registration_form(
        &mut self,
        account: AccountConfig,
        result: Result<RegistrationForm, RegisterError>,
    ) {
        // The executor checked the address before asking, so a form comes only for a valid one.
        let jid = crate::core::connect::account_jid(&account);
        match (result, jid) {
            (Ok(form), Ok(jid)) => self.emit(Event::RegistrationForm { jid, form }),
            (Err(error), _) => self.emit(Event::RegistrationFailed {
                message: error.to_string(),
            }),
            (Ok(_), Err(error)) => self.emit(Event::RegistrationFailed {
                message: error.to_string(),
            }),
        }
    }

    /// `Command::RegisterAccount`.
    pub(super) fn register(
        &mut self,
        account: AccountConfig,
        password: Secret,
        fields: BTreeMap<String, String>,
    ) {
        self.out.push(Effect::RegisterAccount {
            account,
            password,
            fields,
        });
    }

    pub(super) fn on_registered(
        &mut self,
        account: AccountConfig,
        password: Secret,
        result: Result<(), RegisterError>,
    ) {
        // The executor checked the address before registering it.
        let jid = crate::core::connect::account_jid(&account);
        match (result, jid) {
            (Ok(()), Ok(jid)) => {
                self.emit(Event::AccountRegistered { jid });
                self.sign_in(account, password, false);
            }
            (Err(error), _) => self.emit(Event::RegistrationFailed {
                message: error.to_string(),
            }),
            (Ok(()), Err(error)) => self.emit(Event::RegistrationFailed {
                message: error.to_string(),
            }),
        }
    }

    pub(super) fn set_connection(&mut self, state: ConnectionState) {
        self.emit(Event::ConnectionChanged { state });
    }
}
