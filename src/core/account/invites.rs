//! Session Invite in the account task: inviting, answering, launching and relaying context.
//!
//! The wire format is `xmpp::invite`; the rules for states are `invite::InviteSession`. Every
//! stanza about a session must come from the session's peer, so nobody else can accept,
//! cancel or feed data into it.

use std::collections::HashMap;

use tokio::time::Instant;
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::jid::{BareJid, FullJid, Jid};

use super::{Account, PendingIq};
use crate::apps::guid::Guid;
use crate::apps::registration::Registration;
use crate::command::Command;
use crate::config::InvitePolicy;
use crate::core::session::Session;
use crate::event::Event;
use crate::invite::{
    check_address, check_context, env, EndReason, InviteSession, Origin, Role, SessionError,
    SessionEvent, SessionState,
};
use crate::model::{now_ms, AppInfo, Subscription};
use crate::xmpp::address::parse_bare;
use crate::xmpp::invite::{self as wire, Condition, Invitation, InviteFact, JingleFact, Reason};

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

/// Gives up on invitations nobody answered in time.
pub(super) async fn expire(account: &mut Account, session: &mut Session) -> Result<(), String> {
    let now = Instant::now();
    let due: Vec<(String, Role)> = account
        .sessions
        .iter()
        .filter(|(_, l)| l.deadline.is_some_and(|d| d <= now))
        .map(|(id, l)| (id.clone(), l.session.role))
        .collect();
    for (id, role) in due {
        match role {
            Role::Inviter => cancel(account, session, &id, Condition::Timeout).await?,
            Role::Invitee => {
                let Some(live) = account.sessions.get(&id) else {
                    continue;
                };
                let reason = match live.session.app_present {
                    true => Reason::new(Condition::Timeout),
                    false => Reason::new(Condition::UnsupportedApplications),
                };
                if let Some(device) = live.peer_device.clone() {
                    session
                        .send(wire::reject(&Jid::from(device), &id, &reason).into(), None)
                        .await?;
                }
                let next = match reason.condition {
                    Condition::UnsupportedApplications => SessionState::Declined,
                    _ => SessionState::Terminated,
                };
                finish(account, &id, next, &reason, vec![]);
            }
        }
    }
    Ok(())
}

/// Handles the Session Invite facts of an incoming message.
pub(super) async fn on_fact(
    account: &mut Account,
    session: &mut Session,
    fact: InviteFact,
) -> Result<(), String> {
    match fact {
        InviteFact::Proposed { from, invitation } => {
            on_proposed(account, session, from, invitation).await
        }
        InviteFact::Ringing { from, sid } => {
            if let Some(live) = from_peer(account, &sid, &from, Role::Inviter) {
                live.peer_device.get_or_insert(from);
            }
            Ok(())
        }
        InviteFact::AcceptedElsewhere { from, sid }
        | InviteFact::DeclinedElsewhere { from, sid } => {
            // The server echoes our own answers back; only another device's answer counts.
            if from == session.jid.clone() {
                return Ok(());
            }
            let reason = Reason::new(Condition::Cancel).with_text("answered on another device");
            let ringing = account.sessions.get(&sid).is_some_and(|l| {
                l.session.role == Role::Invitee && l.session.state == SessionState::Invitation
            });
            if ringing {
                finish(account, &sid, SessionState::Terminated, &reason, vec![]);
            }
            Ok(())
        }
        InviteFact::Proceeded { from, sid } => on_proceeded(account, session, from, sid).await,
        InviteFact::Rejected { from, sid, reason } => {
            if from_peer(account, &sid, &from, Role::Inviter).is_none() {
                return Ok(());
            }
            let not_accepting = reason.not_accepting;
            finish(
                account,
                &sid,
                SessionState::Declined,
                &reason,
                vec![SessionEvent::OnDeclined { not_accepting }],
            );
            Ok(())
        }
        InviteFact::Retracted { from, sid, reason } => {
            if from_peer(account, &sid, &from, Role::Invitee).is_none() {
                return Ok(());
            }
            let (next, extra) = match reason.condition {
                Condition::Cancel => (SessionState::Cancelled, vec![SessionEvent::OnCancelled]),
                _ => (SessionState::Terminated, vec![]),
            };
            finish(account, &sid, next, &reason, extra);
            Ok(())
        }
        InviteFact::AppNotPresent { from, sid } => {
            if from_peer(account, &sid, &from, Role::Inviter).is_some() {
                account.publish(&sid, vec![SessionEvent::OnAppNotPresent]);
            }
            Ok(())
        }
        InviteFact::SendFailed { sid, reason, .. } => {
            if account.sessions.contains_key(&sid) {
                account.publish(&sid, vec![SessionEvent::OnSendError { message: reason }]);
            }
            Ok(())
        }
        InviteFact::Invalid { from, sid, error } => {
            tracing::warn!("refused a Session Invite message from {from}: {error}");
            // A broken proposal gets a security-error reject, so the inviter is not left ringing.
            if let (Some(sid), Ok(device)) = (sid, from.try_into_full()) {
                if !account.sessions.contains_key(&sid) {
                    let reason = Reason::new(Condition::SecurityError);
                    session
                        .send(wire::reject(&Jid::from(device), &sid, &reason).into(), None)
                        .await?;
                }
            }
            Ok(())
        }
    }
}

/// The live session `sid` if `from` is its peer and this side has `role`.
fn from_peer<'a>(
    account: &'a mut Account,
    sid: &str,
    from: &FullJid,
    role: Role,
) -> Option<&'a mut Live> {
    let live = account.sessions.get_mut(sid)?;
    let same_peer = live.session.peer == from.to_bare().as_str();
    let same_device = live.peer_device.as_ref().is_none_or(|d| d == from);
    (live.session.role == role && same_peer && same_device).then_some(live)
}

fn allowed_by_policy(account: &Account, from: &BareJid) -> bool {
    match account.settings.invite_policy {
        InvitePolicy::Anyone => true,
        InvitePolicy::Nobody => false,
        InvitePolicy::TrustedContacts => {
            account.roster.get(from.as_str()) == Some(&Subscription::Both)
        }
    }
}

async fn on_proposed(
    account: &mut Account,
    session: &mut Session,
    from: FullJid,
    invitation: Invitation,
) -> Result<(), String> {
    let peer = from.to_bare();
    if account.own.as_ref() == Some(&peer) || account.sessions.contains_key(&invitation.sid) {
        return Ok(());
    }
    if !allowed_by_policy(account, &peer) {
        tracing::info!("refused an invitation from {peer} by policy");
        let reason = Reason::not_accepting();
        return session
            .send(
                wire::reject(&Jid::from(from), &invitation.sid, &reason).into(),
                None,
            )
            .await;
    }
    let app_present = account
        .registration(&invitation.guid)
        .is_some_and(Registration::is_installed);
    let id = invitation.sid.clone();
    let live = Live {
        session: InviteSession {
            id: id.clone(),
            role: Role::Invitee,
            origin: Origin::Menu,
            app_guid: invitation.guid,
            app_name: invitation.name,
            download_url: invitation.download_url,
            peer: peer.to_string(),
            state: SessionState::Invitation,
            context: invitation.context,
            local_address: None,
            remote_address: invitation.address,
            app_present,
            end_reason: None,
            end_text: None,
            created_ms: now_ms(),
        },
        peer_device: Some(from.clone()),
        deadline: Some(Instant::now() + account.options.invitation_timeout),
    };
    account.sessions.insert(id.clone(), live);
    account.publish(&id, vec![]);
    session.send(wire::ringing(&from, &id).into(), None).await
}

async fn on_proceeded(
    account: &mut Account,
    session: &mut Session,
    from: FullJid,
    sid: String,
) -> Result<(), String> {
    let Some(live) = from_peer(account, &sid, &from, Role::Inviter) else {
        return Ok(());
    };
    if live.session.state != SessionState::Invitation {
        return Ok(());
    }
    live.peer_device = Some(from.clone());
    let invitation = Invitation {
        sid: sid.clone(),
        guid: live.session.app_guid.clone(),
        name: live.session.app_name.clone(),
        download_url: live.session.download_url.clone(),
        context: live.session.context.clone(),
        address: live.session.local_address.clone(),
    };
    if !advance(
        account,
        &sid,
        SessionState::Accepted,
        "starting the session",
    ) {
        return Ok(());
    }
    account.publish(&sid, vec![SessionEvent::OnAccepted]);
    let iq_id = session.next_id("jingle");
    let initiator = session.jid.clone();
    match wire::session_initiate(&iq_id, &from, &initiator, &invitation) {
        Ok(iq) => {
            account.pending.insert(iq_id, PendingIq::Session(sid));
            session.send(iq.into(), None).await
        }
        Err(error) => {
            let reason = Reason::new(Condition::FailedApplication).with_text(&error.to_string());
            finish(account, &sid, SessionState::Terminated, &reason, vec![]);
            Ok(())
        }
    }
}

/// Handles a Jingle request about a session; `false` when it is not a Session Invite one.
pub(super) async fn on_jingle(
    account: &mut Account,
    session: &mut Session,
    iq: &Iq,
) -> Result<bool, String> {
    let Some(fact) = wire::classify_jingle(iq) else {
        return Ok(false);
    };
    let fact = match fact {
        Ok(fact) => fact,
        Err(error) => {
            session.send(wire::refuse(iq, &error).into(), None).await?;
            return Ok(true);
        }
    };
    let (sid, from) = match &fact {
        JingleFact::Initiate { from, invitation } => (invitation.sid.clone(), from.clone()),
        JingleFact::Accept { from, sid, .. }
        | JingleFact::Info { from, sid, .. }
        | JingleFact::Terminate { from, sid, .. } => (sid.clone(), from.clone()),
    };
    let expected_role = match fact {
        JingleFact::Initiate { .. } => Some(Role::Invitee),
        JingleFact::Accept { .. } => Some(Role::Inviter),
        _ => None,
    };
    let known = account.sessions.get(&sid).is_some_and(|l| {
        l.session.peer == from.to_bare().as_str()
            && l.peer_device.as_ref().is_none_or(|d| *d == from)
            && expected_role.is_none_or(|r| r == l.session.role)
    });
    if !known {
        session.send(wire::unknown_session(iq).into(), None).await?;
        return Ok(true);
    }
    session.send(wire::ack(iq).into(), None).await?;
    match fact {
        JingleFact::Initiate { invitation, .. } => {
            on_initiate(account, session, &sid, invitation).await?
        }
        JingleFact::Accept { address, .. } => {
            if let Some(live) = account.sessions.get_mut(&sid) {
                live.session.remote_address = address;
            }
            account.publish(&sid, vec![SessionEvent::OnReadyToLaunch]);
            let launch_here = account
                .sessions
                .get(&sid)
                .is_some_and(|l| l.session.origin == Origin::Menu);
            connect_app(account, session, &sid, launch_here).await?;
        }
        JingleFact::Info {
            context: Some(data),
            ..
        } => {
            account.publish(&sid, vec![SessionEvent::OnContextData { data }]);
        }
        JingleFact::Info { context: None, .. } => {}
        JingleFact::Terminate { reason, .. } => {
            finish(account, &sid, SessionState::Terminated, &reason, vec![]);
        }
    }
    Ok(true)
}

async fn on_initiate(
    account: &mut Account,
    session: &mut Session,
    sid: &str,
    invitation: Invitation,
) -> Result<(), String> {
    let Some(live) = account.sessions.get_mut(sid) else {
        return Ok(());
    };
    if live.session.state != SessionState::Accepted || live.session.app_guid != invitation.guid {
        return Ok(());
    }
    live.session.remote_address = invitation.address;
    if invitation.context.is_some() {
        live.session.context = invitation.context;
    }
    let Some(device) = live.peer_device.clone() else {
        return Ok(());
    };
    let address = live.session.local_address.clone();
    let iq_id = session.next_id("jingle");
    let responder = session.jid.clone();
    match wire::session_accept(
        &iq_id,
        &device,
        &responder,
        sid,
        &invitation.guid,
        address.as_deref(),
    ) {
        Ok(iq) => {
            account
                .pending
                .insert(iq_id, PendingIq::Session(sid.to_string()));
            session.send(iq.into(), None).await?;
        }
        Err(error) => tracing::warn!("could not accept session {sid}: {error}"),
    }
    account.publish(sid, vec![SessionEvent::OnReadyToLaunch]);
    connect_app(account, session, sid, true).await
}

/// Launches this side's program (when asked) and moves the session to CONNECTED; a program
/// that will not start ends the session on both sides with `failed-application`.
async fn connect_app(
    account: &mut Account,
    session: &mut Session,
    sid: &str,
    launch_here: bool,
) -> Result<(), String> {
    if launch_here {
        account.publish(sid, vec![SessionEvent::BeforeAppLaunch]);
        if let Err(error) = launch(account, sid) {
            let reason = Reason::new(Condition::FailedApplication).with_text(&error);
            account.problem(format!("The program could not be started: {error}"));
            let device = account
                .sessions
                .get(sid)
                .and_then(|l| l.peer_device.clone());
            if let Some(device) = device {
                let iq_id = session.next_id("jingle");
                session
                    .send(
                        wire::session_terminate(&iq_id, &device, sid, &reason).into(),
                        None,
                    )
                    .await?;
            }
            finish(account, sid, SessionState::Terminated, &reason, vec![]);
            return Ok(());
        }
    }
    advance(account, sid, SessionState::Connected, "connecting");
    Ok(())
}

fn launch(account: &mut Account, sid: &str) -> Result<(), String> {
    let Some(live) = account.sessions.get(sid) else {
        return Err("the session is gone".into());
    };
    let s = &live.session;
    let Some(registration) = account.registration(&s.app_guid).cloned() else {
        return Err(format!("{} is not registered on this computer", s.app_name));
    };
    let cookie = account.cookies.issue(sid);
    let own = account
        .own
        .as_ref()
        .map(|j| j.to_string())
        .unwrap_or_default();
    let role = match s.role {
        Role::Inviter => "inviter",
        Role::Invitee => "invitee",
    };
    let variables = vec![
        (env::SESSION_ID, s.id.clone()),
        (env::APP_GUID, s.app_guid.clone()),
        (env::ROLE, role.to_string()),
        (env::LOCAL_JID, own),
        (env::REMOTE_JID, s.peer.clone()),
        (
            env::LOCAL_ADDRESS,
            s.local_address.clone().unwrap_or_default(),
        ),
        (
            env::REMOTE_ADDRESS,
            s.remote_address.clone().unwrap_or_default(),
        ),
        (env::CONTEXT_DATA, s.context.clone().unwrap_or_default()),
        (
            env::API_SOCKET,
            account.profile.socket_path().display().to_string(),
        ),
        (env::COOKIE, cookie),
    ];
    crate::apps::launch::launch(&registration.path, &registration.args, &variables)
        .map(|_| ())
        .map_err(|e| {
            account.cookies.revoke_session(sid);
            e.to_string()
        })
}

/// An answer to one of our Jingle requests: an error means the other side did not get it.
pub(super) async fn on_answer(account: &mut Account, sid: &str, iq: &Iq) {
    if let Iq::Error { error, .. } = iq {
        let message = crate::xmpp::error::describe(error);
        account.publish(sid, vec![SessionEvent::OnSendError { message }]);
    }
}
