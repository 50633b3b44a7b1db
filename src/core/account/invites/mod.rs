//! Session Invite in the account task: inviting, answering, launching and relaying context.
//!
//! The wire format is `xmpp::invite`; the rules for states are `invite::InviteSession`. Every
//! stanza about a session must come from the session's peer, so nobody else can accept,
//! cancel or feed data into it.

use std::collections::HashMap;

use tokio::time::Instant;
use tokio_xmpp::parsers::jid::{BareJid, FullJid, Jid};

use super::{Account, PendingIq};

mod incoming;

use crate::apps::guid::Guid;
use crate::apps::registration::Registration;
use crate::command::Command;
use crate::core::session::Session;
use crate::event::Event;
use crate::invite::{
    check_address, check_context, EndReason, InviteSession, Origin, Role, SessionError,
    SessionEvent, SessionState,
};
use crate::model::{now_ms, AppInfo};
use crate::xmpp::address::parse_bare;
use crate::xmpp::invite::{self as wire, Condition, Invitation, Reason};
pub(super) use incoming::{expire, on_answer, on_fact, on_jingle};

/// A session and what the core needs to drive it.
#[derive(Debug)]
pub(super) struct Live {
    session: InviteSession,
    /// The other side's device, once known.
    peer_device: Option<FullJid>,
    /// When an unanswered invitation gives up.
    deadline: Option<Instant>,
}

/// All sessions of the account.
pub(super) type Sessions = HashMap<String, Live>;

/// The earliest invitation deadline, if any invitation is ringing.
pub(super) fn next_deadline(sessions: &Sessions) -> Option<Instant> {
    sessions.values().filter_map(|l| l.deadline).min()
}

impl Account {
    fn session_error(&self, session: Option<&str>, error: SessionError) {
        match session.filter(|s| self.sessions.contains_key(*s)) {
            Some(id) => self.emit(Event::SessionEvent {
                session: id.to_string(),
                detail: SessionEvent::OnSendError {
                    message: error.to_string(),
                },
            }),
            None => self.problem(format!("The invitation could not be sent: {error}")),
        }
    }

    fn publish(&self, id: &str, events: Vec<SessionEvent>) {
        let Some(live) = self.sessions.get(id) else {
            return;
        };
        self.emit(Event::SessionUpdated {
            session: live.session.clone(),
        });
        for detail in events {
            self.emit(Event::SessionEvent {
                session: id.to_string(),
                detail,
            });
        }
    }

    fn registration(&self, guid: &str) -> Option<&Registration> {
        let guid = Guid::parse(guid).ok()?;
        self.registry.get(&guid)
    }

    /// Session Invite and the applications this client can launch, for disco#info answers.
    pub(super) fn advertised_features(&self) -> Vec<String> {
        let mut features = vec![wire::FEATURE.to_string()];
        features.extend(
            self.registry
                .list()
                .into_iter()
                .filter(|r| r.is_installed())
                .map(|r| wire::app_feature(r.guid.as_str())),
        );
        features
    }

    /// The registered applications as the UI shows them.
    pub(super) fn app_infos(&self) -> Vec<AppInfo> {
        self.registry
            .list()
            .into_iter()
            .map(|r| AppInfo {
                guid: r.guid.to_string(),
                name: r.name.clone(),
                download_url: r.download_url.clone(),
                installed: r.is_installed(),
            })
            .collect()
    }

    /// Re-reads the registry after a change on disk and tells everyone.
    pub(super) fn apps_changed(&mut self, registry: crate::apps::registry::Registry) {
        self.registry = registry;
        self.emit(Event::AppsChanged {
            apps: self.app_infos(),
        });
        // An invitation for an app that was just installed can now be accepted.
        let ringing: Vec<String> = self
            .sessions
            .iter()
            .filter(|(_, l)| l.session.role == Role::Invitee && !l.session.state.is_final())
            .map(|(id, _)| id.clone())
            .collect();
        for id in ringing {
            let present = self
                .sessions
                .get(&id)
                .and_then(|l| self.registration(&l.session.app_guid))
                .is_some_and(Registration::is_installed);
            if let Some(live) = self.sessions.get_mut(&id) {
                if live.session.app_present != present {
                    live.session.app_present = present;
                    self.publish(&id, vec![]);
                }
            }
        }
    }
}

/// Handles a session command while offline: only local changes are possible.
pub(super) fn offline_command(account: &mut Account, command: Command) {
    match command {
        Command::SaveSettings { settings } => save_settings(account, settings),
        Command::SetLocalAddress { session, address } => {
            set_local_address(account, &session, address)
        }
        Command::Invite { session, .. } => account.session_error(
            Some(&session),
            SessionError::InvalidState {
                state: SessionState::Unknown,
                operation: "inviting while offline".into(),
            },
        ),
        _ => account.problem("You are not signed in, so the invitation cannot be answered."),
    }
}

fn save_settings(account: &mut Account, settings: crate::config::Settings) {
    if let Err(error) = account.profile.save_settings(&settings) {
        // Nothing changes when the file could not be written: the user sees the old values.
        account.problem(error.to_string());
        return;
    }
    account.settings = settings.clone();
    account.emit(Event::SettingsChanged { settings });
}

fn set_local_address(account: &mut Account, id: &str, address: String) {
    if let Err(error) = check_address(&address) {
        return account.session_error(Some(id), error);
    }
    match account.sessions.get_mut(id) {
        Some(live) => live.session.local_address = Some(address),
        None => {
            return account.session_error(None, SessionError::UnknownSession { session: id.into() })
        }
    }
    account.publish(id, vec![]);
}

/// Handles a session command while online.
pub(super) async fn command(
    account: &mut Account,
    session: &mut Session,
    command: Command,
) -> Result<(), String> {
    match command {
        Command::Invite {
            session: id,
            to,
            app_guid,
            context,
            local_address,
            origin,
        } => {
            invite(
                account,
                session,
                id,
                &to,
                &app_guid,
                context,
                local_address,
                origin,
            )
            .await
        }
        Command::AcceptInvitation { session: id } => accept(account, session, &id).await,
        Command::DeclineInvitation { session: id } => {
            answer_no(account, session, &id, Reason::new(Condition::Decline)).await
        }
        Command::CancelInvitation { session: id } => {
            cancel(account, session, &id, Condition::Cancel).await
        }
        Command::SendContextData { session: id, data } => {
            send_context(account, session, &id, data).await
        }
        Command::EndSession { session: id } => {
            end(account, session, &id, Reason::new(Condition::Success)).await
        }
        other => {
            offline_command(account, other);
            Ok(())
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn invite(
    account: &mut Account,
    session: &mut Session,
    id: String,
    to: &str,
    app_guid: &str,
    context: Option<String>,
    local_address: Option<String>,
    origin: Origin,
) -> Result<(), String> {
    let to = match parse_bare(to) {
        Ok(to) => to,
        Err(error) => {
            account.problem(format!("The invitation could not be sent: {error}"));
            return Ok(());
        }
    };
    if account.own.as_ref() == Some(&to) {
        account.session_error(None, SessionError::InvitedSelf);
        return Ok(());
    }
    if account.sessions.contains_key(&id) {
        account.problem("That session was already used for an invitation.");
        return Ok(());
    }
    let Some(registration) = account.registration(app_guid).cloned() else {
        account.session_error(
            None,
            SessionError::AppNotRegistered {
                guid: app_guid.into(),
            },
        );
        return Ok(());
    };
    if let Some(error) = context.as_deref().and_then(|c| check_context(c).err()) {
        account.session_error(None, error);
        return Ok(());
    }
    if let Some(error) = local_address
        .as_deref()
        .and_then(|a| check_address(a).err())
    {
        account.session_error(None, error);
        return Ok(());
    }
    let invitation = Invitation {
        sid: id.clone(),
        guid: registration.guid.to_string(),
        name: registration.name.clone(),
        download_url: registration.download_url.clone(),
        context: context.clone(),
        address: local_address.clone(),
    };
    let stanza = match wire::propose(&to, &invitation) {
        Ok(stanza) => stanza,
        Err(error) => {
            account.problem(format!("The invitation could not be sent: {error}"));
            return Ok(());
        }
    };
    let mut live = Live {
        session: InviteSession {
            id: id.clone(),
            role: Role::Inviter,
            origin,
            app_guid: invitation.guid.clone(),
            app_name: invitation.name.clone(),
            download_url: invitation.download_url.clone(),
            peer: to.to_string(),
            state: SessionState::Ready,
            context,
            local_address,
            remote_address: None,
            app_present: registration.is_installed(),
            end_reason: None,
            end_text: None,
            created_ms: now_ms(),
        },
        peer_device: None,
        deadline: Some(Instant::now() + account.options.invitation_timeout),
    };
    let events = live
        .session
        .move_to(SessionState::Invitation, "inviting")
        .unwrap_or_default();
    account.sessions.insert(id.clone(), live);
    account.publish(&id, events);
    session.send(stanza.into(), None).await
}

/// Moves a session and reports it; an impossible move is reported as a send error.
fn advance(account: &mut Account, id: &str, next: SessionState, operation: &str) -> bool {
    let Some(live) = account.sessions.get_mut(id) else {
        return false;
    };
    match live.session.move_to(next, operation) {
        Ok(events) => {
            if next != SessionState::Invitation {
                live.deadline = None;
            }
            account.publish(id, events);
            true
        }
        Err(error) => {
            account.session_error(Some(id), error);
            false
        }
    }
}

/// Ends a session locally with a reason, reporting it; nothing is sent.
fn finish(
    account: &mut Account,
    id: &str,
    next: SessionState,
    reason: &Reason,
    extra: Vec<SessionEvent>,
) {
    let Some(live) = account.sessions.get_mut(id) else {
        return;
    };
    if live.session.state.is_final() {
        return;
    }
    let mut events = extra;
    match live
        .session
        .end(next, end_reason(reason.condition), reason.text.clone())
    {
        Ok(more) => events.extend(more),
        Err(error) => return account.session_error(Some(id), error),
    }
    live.deadline = None;
    account.cookies.revoke_session(id);
    account.publish(id, events);
}

fn end_reason(condition: Condition) -> EndReason {
    match condition {
        Condition::Decline => EndReason::Decline,
        Condition::Cancel => EndReason::Cancel,
        Condition::Timeout => EndReason::Timeout,
        Condition::Busy => EndReason::Busy,
        Condition::UnsupportedApplications => EndReason::UnsupportedApplications,
        Condition::FailedApplication => EndReason::FailedApplication,
        Condition::Success => EndReason::Success,
        Condition::SecurityError => EndReason::SecurityError,
    }
}

fn live_session<'a>(account: &'a Account, id: &str) -> Option<&'a Live> {
    let live = account.sessions.get(id);
    if live.is_none() {
        account.session_error(None, SessionError::UnknownSession { session: id.into() });
    }
    live
}

fn wrong_state(account: &Account, id: &str, state: SessionState, operation: &str) {
    account.session_error(
        Some(id),
        SessionError::InvalidState {
            state,
            operation: operation.into(),
        },
    );
}

async fn accept(account: &mut Account, session: &mut Session, id: &str) -> Result<(), String> {
    let Some(live) = live_session(account, id) else {
        return Ok(());
    };
    let (role, state, guid, url) = (
        live.session.role,
        live.session.state,
        live.session.app_guid.clone(),
        live.session.download_url.clone(),
    );
    let Some(device) = live.peer_device.clone() else {
        return Ok(());
    };
    if role != Role::Invitee || state != SessionState::Invitation {
        wrong_state(account, id, state, "accepting");
        return Ok(());
    }
    let installed = account
        .registration(&guid)
        .is_some_and(Registration::is_installed);
    if !installed {
        // Show where to get it; the invitation keeps ringing until it is installed or times out.
        if let Err(error) = crate::platform::opener::open_url(&url) {
            account.problem(error.to_string());
        }
        return session
            .send(wire::app_not_present(&device, id).into(), None)
            .await;
    }
    let Some(own) = account.own.clone() else {
        return Ok(());
    };
    session
        .send(wire::accept_elsewhere(&own, id).into(), None)
        .await?;
    session
        .send(wire::proceed(&device, id).into(), None)
        .await?;
    if advance(account, id, SessionState::Accepted, "accepting") {
        account.publish(id, vec![SessionEvent::OnAccepted]);
    }
    Ok(())
}

async fn answer_no(
    account: &mut Account,
    session: &mut Session,
    id: &str,
    reason: Reason,
) -> Result<(), String> {
    let Some(live) = live_session(account, id) else {
        return Ok(());
    };
    let (role, state) = (live.session.role, live.session.state);
    let Some(device) = live.peer_device.clone() else {
        return Ok(());
    };
    if role != Role::Invitee || state != SessionState::Invitation {
        wrong_state(account, id, state, "declining");
        return Ok(());
    }
    session
        .send(wire::reject(&Jid::from(device), id, &reason).into(), None)
        .await?;
    if let Some(own) = account.own.clone() {
        session
            .send(wire::reject(&Jid::from(own), id, &reason).into(), None)
            .await?;
    }
    finish(account, id, SessionState::Declined, &reason, vec![]);
    Ok(())
}

async fn cancel(
    account: &mut Account,
    session: &mut Session,
    id: &str,
    condition: Condition,
) -> Result<(), String> {
    let Some(live) = live_session(account, id) else {
        return Ok(());
    };
    let (role, state, peer) = (
        live.session.role,
        live.session.state,
        live.session.peer.clone(),
    );
    if role != Role::Inviter || state != SessionState::Invitation {
        wrong_state(account, id, state, "cancelling");
        return Ok(());
    }
    let reason = Reason::new(condition);
    if let Ok(peer) = BareJid::new(&peer) {
        session
            .send(wire::retract(&peer, id, &reason).into(), None)
            .await?;
    }
    let next = match condition {
        Condition::Cancel => SessionState::Cancelled,
        _ => SessionState::Terminated,
    };
    finish(account, id, next, &reason, vec![]);
    Ok(())
}

async fn send_context(
    account: &mut Account,
    session: &mut Session,
    id: &str,
    data: String,
) -> Result<(), String> {
    let Some(live) = live_session(account, id) else {
        return Ok(());
    };
    let state = live.session.state;
    let Some(device) = live.peer_device.clone() else {
        wrong_state(account, id, state, "sending context data");
        return Ok(());
    };
    if !matches!(state, SessionState::Accepted | SessionState::Connected) {
        wrong_state(account, id, state, "sending context data");
        return Ok(());
    }
    if let Err(error) = check_context(&data) {
        account.session_error(Some(id), error);
        return Ok(());
    }
    let iq_id = session.next_id("jingle");
    match wire::session_info(&iq_id, &device, id, &data) {
        Ok(iq) => {
            account
                .pending
                .insert(iq_id, PendingIq::Session(id.to_string()));
            session.send(iq.into(), None).await
        }
        Err(error) => {
            account.session_error(
                Some(id),
                SessionError::InvalidState {
                    state,
                    operation: error.to_string(),
                },
            );
            Ok(())
        }
    }
}

async fn end(
    account: &mut Account,
    session: &mut Session,
    id: &str,
    reason: Reason,
) -> Result<(), String> {
    let Some(live) = live_session(account, id) else {
        return Ok(());
    };
    let state = live.session.state;
    if !matches!(state, SessionState::Accepted | SessionState::Connected) {
        wrong_state(account, id, state, "ending the session");
        return Ok(());
    }
    if let Some(device) = live.peer_device.clone() {
        let iq_id = session.next_id("jingle");
        account
            .pending
            .insert(iq_id.clone(), PendingIq::Session(id.to_string()));
        session
            .send(
                wire::session_terminate(&iq_id, &device, id, &reason).into(),
                None,
            )
            .await?;
    }
    finish(account, id, SessionState::Terminated, &reason, vec![]);
    Ok(())
}
