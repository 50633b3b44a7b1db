//! Session Invite in the account core: inviting, answering, launching and relaying context.
//!
//! The wire format is `xmpp::invite`; the rules for states are `invite::InviteSession`. Every
//! stanza about a session must come from the session's peer, so nobody else can accept,
//! cancel or feed data into it.

mod incoming;
mod launch;
mod sessions;

use tokio_xmpp::parsers::jid::{BareJid, FullJid, Jid};

use super::{Account, Purpose, Responder};
use crate::apps::guid::Guid;
use crate::apps::registration::Registration;
use crate::event::Event;
use crate::invite::{
    check_address, check_context, EndReason, InviteSession, Origin, Role, SessionError,
    SessionEvent, SessionState,
};
use crate::model::AppInfo;
use crate::problem::Problem;
use crate::xmpp::invite::{self as wire, Invitation, Reason};
pub(super) use sessions::{Live, Sessions};

/// Most invitations one contact may have ringing here at once; more are answered "busy".
pub(super) const MAX_RINGING_PER_CONTACT: usize = 3;

/// How long an ended session is kept (for the window and the local API to read how it ended).
pub(super) const KEEP_ENDED_MS: i64 = 10 * 60 * 1000;

/// A new invitation, as `Command::Invite` asks for it.
#[derive(Debug, Clone)]
pub(super) struct InviteRequest {
    /// The new session's id.
    pub session: String,
    /// The contact.
    pub to: BareJid,
    /// GUID of a registered application.
    pub app_guid: String,
    /// Context data.
    pub context: Option<String>,
    /// This side's address.
    pub local_address: Option<String>,
    /// The Invite menu or an application.
    pub origin: Origin,
}

impl Account {
    fn session_error(&mut self, session: Option<&str>, error: SessionError) {
        match session.filter(|s| self.sessions.contains(s)) {
            Some(id) => {
                let message = error.to_string();
                self.emit(Event::SessionEvent {
                    session: id.to_string(),
                    detail: SessionEvent::OnSendError { message },
                })
            }
            None => self.problem(Problem::Invitation { error }),
        }
    }

    /// Reports session `id` as it is now, then `events` about it.
    fn publish(&mut self, id: &str, events: Vec<SessionEvent>) {
        let Some(live) = self.sessions.get(id) else {
            return;
        };
        let session = live.session.clone();
        self.emit(Event::SessionUpdated { session });
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
            .map(Registration::info)
            .collect()
    }

    /// The registry changed on disk: tell everyone, and contacts through a new caps hash.
    pub(super) fn apps_changed(&mut self, registry: crate::apps::Registry) {
        self.registry = registry;
        self.emit(Event::AppsChanged {
            apps: self.app_infos(),
        });
        // An invitation for an app that was just installed can now be accepted.
        for id in self.sessions.ringing_here() {
            let present = self
                .sessions
                .get(&id)
                .and_then(|l| self.registration(&l.session.app_guid))
                .is_some_and(Registration::is_installed);
            let changed = self.sessions.get_mut(&id).is_some_and(|live| {
                let changed = live.session.app_present != present;
                live.session.app_present = present;
                changed
            });
            if changed {
                self.publish(&id, vec![]);
            }
        }
        if self.is_online() {
            self.send_presence();
        }
    }

    /// `Command::Invite`.
    pub(super) fn invite(&mut self, request: InviteRequest) {
        let InviteRequest {
            session: id,
            to,
            app_guid,
            context,
            local_address,
            origin,
        } = request;
        if !self.is_online() {
            let error = SessionError::InvalidState {
                state: SessionState::Unknown,
                operation: "inviting while offline".into(),
            };
            return self.problem(Problem::Invitation { error });
        }
        if self.own_bare().as_ref() == Some(&to) {
            return self.session_error(None, SessionError::InvitedSelf);
        }
        if self.sessions.contains(&id) {
            return self.problem(Problem::SessionReused);
        }
        let Some(registration) = self.registration(&app_guid).cloned() else {
            return self.session_error(None, SessionError::AppNotRegistered { guid: app_guid });
        };
        if let Some(error) = context.as_deref().and_then(|c| check_context(c).err()) {
            return self.session_error(None, error);
        }
        if let Some(error) = local_address
            .as_deref()
            .and_then(|a| check_address(a).err())
        {
            return self.session_error(None, error);
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
                let error = SessionError::InvalidState {
                    state: SessionState::Ready,
                    operation: error.to_string(),
                };
                return self.problem(Problem::Invitation { error });
            }
        };
        let mut live = Live::new(
            to.clone(),
            InviteSession {
                id: id.clone(),
                role: Role::Inviter,
                origin,
                app_guid: invitation.guid.clone(),
                app_name: invitation.name.clone(),
                download_url: invitation.download_url.clone(),
                // Written by `Live::new` from the typed address.
                peer: String::new(),
                state: SessionState::Ready,
                context,
                local_address,
                remote_address: None,
                app_present: registration.is_installed(),
                end_reason: None,
                end_text: None,
                created_ms: self.now_ms,
            },
        );
        let events = live
            .session
            .move_to(SessionState::Invitation, "inviting")
            .unwrap_or_default();
        let deadline = self.now_ms + self.ringing_ms();
        self.sessions.insert(live, Some(deadline));
        self.publish(&id, events);
        self.send(stanza);
    }

    /// How long an invitation rings (and an accepted session may take to start).
    fn ringing_ms(&self) -> i64 {
        self.options.invitation_timeout.as_millis() as i64
    }

    /// Moves a session and reports it; an impossible move is reported as a send error.
    fn advance(&mut self, id: &str, next: SessionState, operation: &str) -> bool {
        let Some(live) = self.sessions.get_mut(id) else {
            return false;
        };
        match live.session.move_to(next, operation) {
            Ok(events) => {
                // An accepted session must start in time too; a started one runs as long as
                // its programs do.
                let deadline = match next {
                    SessionState::Accepted => Some(self.now_ms + self.ringing_ms()),
                    _ => None,
                };
                if next != SessionState::Invitation {
                    self.sessions.set_deadline(id, deadline);
                }
                self.publish(id, events);
                true
            }
            Err(error) => {
                self.session_error(Some(id), error);
                false
            }
        }
    }

    /// Ends a session locally with a reason, reporting it; nothing is sent.
    fn finish(&mut self, id: &str, next: SessionState, reason: &Reason, extra: Vec<SessionEvent>) {
        let Some(live) = self.sessions.get_mut(id) else {
            return;
        };
        if live.session.state.is_final() {
            return;
        }
        let mut events = extra;
        match live
            .session
            .end(next, reason.condition, reason.text.clone())
        {
            Ok(more) => events.extend(more),
            Err(error) => return self.session_error(Some(id), error),
        }
        self.sessions.ended(id, self.now_ms);
        self.out.push(super::Effect::RevokeCookies {
            session: id.to_string(),
        });
        self.publish(id, events);
    }

    /// The live session `id`, or an `UnknownSession` problem.
    fn live_session(&mut self, id: &str) -> Option<&Live> {
        if !self.sessions.contains(id) {
            self.session_error(None, SessionError::UnknownSession { session: id.into() });
        }
        self.sessions.get(id)
    }

    fn wrong_state(&mut self, id: &str, state: SessionState, operation: &str) {
        let error = SessionError::InvalidState {
            state,
            operation: operation.into(),
        };
        self.session_error(Some(id), error);
    }

    /// Sends a Jingle request about session `sid` to its peer's device.
    fn jingle_request(
        &mut self,
        sid: &str,
        device: &FullJid,
        build: impl FnOnce(&str) -> tokio_xmpp::parsers::iq::Iq,
    ) {
        let responder = Responder::Peer(Jid::from(device.clone()));
        self.request(responder, Purpose::Session(sid.to_string()), build);
    }

    /// `Command::AcceptInvitation`.
    pub(super) fn accept_invitation(&mut self, id: &str) {
        let Some(live) = self.live_session(id) else {
            return;
        };
        let (role, state, guid, url) = (
            live.session.role,
            live.session.state,
            live.session.app_guid.clone(),
            live.session.download_url.clone(),
        );
        let Some(device) = live.peer_device.clone() else {
            return;
        };
        if role != Role::Invitee || state != SessionState::Invitation {
            return self.wrong_state(id, state, "accepting");
        }
        let installed = self
            .registration(&guid)
            .is_some_and(Registration::is_installed);
        if !installed {
            // Show where to get it; the invitation keeps ringing until it is installed or
            // times out.
            self.out.push(super::Effect::OpenPage { url });
            return self.send(wire::app_not_present(&device, id));
        }
        let Some(own) = self.own_bare() else {
            return;
        };
        self.send(wire::accept_elsewhere(&own, id));
        self.send(wire::proceed(&device, id));
        if self.advance(id, SessionState::Accepted, "accepting") {
            self.publish(id, vec![SessionEvent::OnAccepted]);
        }
    }

    /// `Command::DeclineInvitation`.
    pub(super) fn decline_invitation(&mut self, id: &str) {
        let reason = Reason::new(EndReason::Decline);
        let Some(live) = self.live_session(id) else {
            return;
        };
        let (role, state) = (live.session.role, live.session.state);
        let Some(device) = live.peer_device.clone() else {
            return;
        };
        if role != Role::Invitee || state != SessionState::Invitation {
            return self.wrong_state(id, state, "declining");
        }
        self.send(wire::reject(&Jid::from(device), id, &reason));
        if let Some(own) = self.own_bare() {
            self.send(wire::reject(&Jid::from(own), id, &reason));
        }
        self.finish(id, SessionState::Declined, &reason, vec![]);
    }

    /// `Command::CancelInvitation`.
    pub(super) fn cancel_invitation(&mut self, id: &str) {
        self.withdraw(id, EndReason::Cancel);
    }

    /// Withdraws a ringing invitation (the user cancelled, or it timed out).
    fn withdraw(&mut self, id: &str, condition: EndReason) {
        let Some(live) = self.live_session(id) else {
            return;
        };
        let (role, state, peer) = (live.session.role, live.session.state, live.peer.clone());
        if role != Role::Inviter || state != SessionState::Invitation {
            return self.wrong_state(id, state, "cancelling");
        }
        let reason = Reason::new(condition);
        self.send(wire::retract(&peer, id, &reason));
        let next = match condition {
            EndReason::Cancel => SessionState::Cancelled,
            _ => SessionState::Terminated,
        };
        self.finish(id, next, &reason, vec![]);
    }

    /// `Command::SendContextData`.
    pub(super) fn send_context(&mut self, id: &str, data: String) {
        let Some(live) = self.live_session(id) else {
            return;
        };
        let state = live.session.state;
        let Some(device) = live.peer_device.clone() else {
            return self.wrong_state(id, state, "sending context data");
        };
        if !matches!(state, SessionState::Accepted | SessionState::Connected) {
            return self.wrong_state(id, state, "sending context data");
        }
        if let Err(error) = check_context(&data) {
            return self.session_error(Some(id), error);
        }
        let iq_id = self.ids.fresh();
        match wire::session_info(&iq_id, &device, id, &data) {
            Ok(iq) => {
                let responder = Responder::Peer(Jid::from(device));
                self.send_request(iq_id, responder, Purpose::Session(id.to_string()), iq);
            }
            Err(error) => self.wrong_state(id, state, &error.to_string()),
        }
    }

    /// `Command::SetLocalAddress`: works offline too (it only changes this side).
    pub(super) fn set_local_address(&mut self, id: &str, address: String) {
        if let Err(error) = check_address(&address) {
            return self.session_error(Some(id), error);
        }
        match self.sessions.get_mut(id) {
            Some(live) => live.session.local_address = Some(address),
            None => {
                return self
                    .session_error(None, SessionError::UnknownSession { session: id.into() })
            }
        }
        self.publish(id, vec![]);
    }

    /// `Command::EndSession`.
    pub(super) fn end_session(&mut self, id: &str) {
        let reason = Reason::new(EndReason::Success);
        let Some(live) = self.live_session(id) else {
            return;
        };
        let state = live.session.state;
        let device = live.peer_device.clone();
        if !matches!(state, SessionState::Accepted | SessionState::Connected) {
            return self.wrong_state(id, state, "ending the session");
        }
        if let Some(device) = device {
            self.jingle_request(id, &device, |iq_id| {
                wire::session_terminate(iq_id, &device, id, &reason)
            });
        }
        self.finish(id, SessionState::Terminated, &reason, vec![]);
    }
}
