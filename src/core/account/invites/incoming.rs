//! Session Invite messages and Jingle requests from the other side, and invitations that time
//! out.

use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::jid::{BareJid, FullJid, Jid};

use super::{Account, Live};
use crate::apps::registration::Registration;
use crate::config::InvitePolicy;
use crate::invite::EndReason;
use crate::invite::{InviteSession, Origin, Role, SessionEvent, SessionState};
use crate::model::Subscription;
use crate::xmpp::invite::{self as wire, Invitation, InviteFact, JingleFact, Reason};

impl Account {
    /// Handles one Session Invite fact of an incoming message.
    pub(in crate::core::account) fn on_invite_fact(&mut self, fact: InviteFact) {
        match fact {
            InviteFact::Proposed { from, invitation } => self.on_proposed(from, invitation),
            // Every device of the contact rings; the session is with the one that proceeds.
            InviteFact::Ringing { from, sid } => tracing::debug!("{from} rings for session {sid}"),
            InviteFact::AcceptedElsewhere { from, sid }
            | InviteFact::DeclinedElsewhere { from, sid } => {
                // The server echoes our own answers back; only another device's answer counts.
                if self.own.as_ref().is_some_and(|own| from == *own) {
                    return;
                }
                let reason = Reason::new(EndReason::Cancel).with_text("answered on another device");
                let ringing = self.sessions.get(&sid).is_some_and(|l| {
                    l.session.role == Role::Invitee && l.session.state == SessionState::Invitation
                });
                if ringing {
                    self.finish(&sid, SessionState::Terminated, &reason, vec![]);
                }
            }
            InviteFact::Proceeded { from, sid } => self.on_proceeded(from, sid),
            InviteFact::Rejected { from, sid, reason } => {
                if self.peer_session(&sid, &from, Role::Inviter).is_none() {
                    return;
                }
                let not_accepting = reason.not_accepting;
                let declined = vec![SessionEvent::OnDeclined { not_accepting }];
                self.finish(&sid, SessionState::Declined, &reason, declined);
            }
            InviteFact::Retracted { from, sid, reason } => {
                if self.peer_session(&sid, &from, Role::Invitee).is_none() {
                    return;
                }
                let (next, extra) = match reason.condition {
                    EndReason::Cancel => (SessionState::Cancelled, vec![SessionEvent::OnCancelled]),
                    _ => (SessionState::Terminated, vec![]),
                };
                self.finish(&sid, next, &reason, extra);
            }
            InviteFact::AppNotPresent { from, sid } => {
                if self.peer_session(&sid, &from, Role::Inviter).is_some() {
                    self.publish(&sid, vec![SessionEvent::OnAppNotPresent]);
                }
            }
            InviteFact::SendFailed { sid, reason, .. } => {
                if self.sessions.contains(&sid) {
                    let failed = SessionEvent::OnSendError { message: reason };
                    self.publish(&sid, vec![failed]);
                }
            }
            InviteFact::Invalid { from, sid, error } => {
                tracing::warn!("refused a Session Invite message from {from}: {error}");
                // A broken proposal gets a security-error reject, so the inviter is not left
                // ringing.
                if let (Some(sid), Ok(device)) = (sid, from.try_into_full()) {
                    if !self.sessions.contains(&sid) {
                        let reason = Reason::new(EndReason::SecurityError);
                        self.send(wire::reject(&Jid::from(device), &sid, &reason));
                    }
                }
            }
        }
    }

    /// The live session `sid` if `from` is its peer and this side has `role`.
    fn peer_session(&mut self, sid: &str, from: &FullJid, role: Role) -> Option<&mut Live> {
        let live = self.sessions.get_mut(sid)?;
        let same_peer = live.peer == from.to_bare();
        let same_device = live.peer_device.as_ref().is_none_or(|d| d == from);
        (live.session.role == role && same_peer && same_device).then_some(live)
    }

    fn allowed_by_policy(&self, from: &BareJid) -> bool {
        match self.settings.invite_policy {
            InvitePolicy::Anyone => true,
            InvitePolicy::Nobody => false,
            InvitePolicy::TrustedContacts => self.roster.get(from) == Some(&Subscription::Both),
        }
    }

    fn on_proposed(&mut self, from: FullJid, invitation: Invitation) {
        let peer = from.to_bare();
        if self.own_bare().as_ref() == Some(&peer) || self.sessions.contains(&invitation.sid) {
            return;
        }
        if !self.allowed_by_policy(&peer) && self.is_stranger(&Jid::from(from.clone())) {
            tracing::info!("ignored an invitation from {peer}, who is not a contact");
            return;
        }
        if !self.allowed_by_policy(&peer) {
            tracing::info!("refused an invitation from {peer} by policy");
            let reason = Reason::not_accepting();
            return self.send(wire::reject(&Jid::from(from), &invitation.sid, &reason));
        }
        if !self.sessions.may_ring(&peer) {
            tracing::info!("refused an invitation from {peer}: too many are ringing");
            let reason = Reason::new(EndReason::Busy);
            return self.send(wire::reject(&Jid::from(from), &invitation.sid, &reason));
        }
        let registration = self.registration(&invitation.guid);
        let app_present = registration.is_some_and(Registration::is_installed);
        // The name shown is this computer's, when it has the program: the program started is
        // chosen by GUID, so a name sent over the network must not pass for another program.
        let app_name = registration
            .map(|r| r.name.clone())
            .unwrap_or(invitation.name);
        let id = invitation.sid.clone();
        let mut live = Live::new(
            peer.clone(),
            InviteSession {
                id: id.clone(),
                role: Role::Invitee,
                origin: Origin::Menu,
                app_guid: invitation.guid,
                app_name,
                download_url: invitation.download_url,
                // Written by `Live::new` from the typed address.
                peer: String::new(),
                state: SessionState::Invitation,
                context: invitation.context,
                local_address: None,
                remote_address: invitation.address,
                app_present,
                end_reason: None,
                end_text: None,
                created_ms: self.now_ms,
            },
        );
        live.peer_device = Some(from.clone());
        let deadline = self.now_ms + self.ringing_ms();
        self.sessions.insert(live, Some(deadline));
        self.publish(&id, vec![]);
        self.send(wire::ringing(&from, &id));
    }

    fn on_proceeded(&mut self, from: FullJid, sid: String) {
        let Some(live) = self.peer_session(&sid, &from, Role::Inviter) else {
            return;
        };
        if live.session.state != SessionState::Invitation {
            return;
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
        if !self.advance(&sid, SessionState::Accepted, "starting the session") {
            return;
        }
        self.publish(&sid, vec![SessionEvent::OnAccepted]);
        let Some(initiator) = self.own.clone() else {
            return;
        };
        let iq_id = self.ids.fresh();
        match wire::session_initiate(&iq_id, &from, &initiator, &invitation) {
            Ok(iq) => {
                let responder = super::Responder::Peer(Jid::from(from));
                self.send_request(iq_id, responder, super::Purpose::Session(sid), iq);
            }
            Err(error) => {
                let reason =
                    Reason::new(EndReason::FailedApplication).with_text(&error.to_string());
                self.finish(&sid, SessionState::Terminated, &reason, vec![]);
            }
        }
    }

    /// Handles a Jingle request about a session; `false` when it is not a Session Invite one.
    pub(in crate::core::account) fn on_jingle(&mut self, iq: &Iq) -> bool {
        let Some(fact) = wire::classify_jingle(iq) else {
            return false;
        };
        let fact = match fact {
            Ok(fact) => fact,
            Err(error) => {
                self.send(wire::refuse(iq, &error));
                return true;
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
        // Jingle comes only from the device that answered the invitation.
        let known = self.sessions.get(&sid).is_some_and(|l| {
            l.peer_device.as_ref() == Some(&from)
                && expected_role.is_none_or(|r| r == l.session.role)
        });
        if !known {
            self.send(wire::unknown_session(iq));
            return true;
        }
        if !self.fits_the_session(&sid, &fact) {
            tracing::warn!("refused a Jingle request from {from} out of order for {sid}");
            self.send(wire::out_of_order(iq));
            return true;
        }
        self.send(wire::ack(iq));
        match fact {
            JingleFact::Initiate { invitation, .. } => self.on_initiate(&sid, invitation),
            JingleFact::Accept { address, .. } => {
                if let Some(live) = self.sessions.get_mut(&sid) {
                    live.session.remote_address = address;
                }
                self.publish(&sid, vec![SessionEvent::OnReadyToLaunch]);
                let launch_here = self
                    .sessions
                    .get(&sid)
                    .is_some_and(|l| l.session.origin == Origin::Menu);
                self.connect_app(&sid, launch_here);
            }
            JingleFact::Info {
                context: Some(data),
                ..
            } => self.publish(&sid, vec![SessionEvent::OnContextData { data }]),
            JingleFact::Info { context: None, .. } => {}
            JingleFact::Terminate { reason, .. } => {
                self.finish(&sid, SessionState::Terminated, &reason, vec![]);
            }
        }
        true
    }

    /// Whether a Jingle request fits where session `sid` is: the session is started and
    /// accepted once, for its own application, while accepted; nothing is launched twice.
    fn fits_the_session(&self, sid: &str, fact: &JingleFact) -> bool {
        let Some(live) = self.sessions.get(sid) else {
            return false;
        };
        let accepted = live.session.state == SessionState::Accepted && !live.launched;
        match fact {
            JingleFact::Initiate { invitation, .. } => {
                accepted && invitation.guid == live.session.app_guid
            }
            JingleFact::Accept { guid, .. } => accepted && *guid == live.session.app_guid,
            JingleFact::Info { .. } | JingleFact::Terminate { .. } => {
                !live.session.state.is_final()
            }
        }
    }

    fn on_initiate(&mut self, sid: &str, invitation: Invitation) {
        let Some(live) = self.sessions.get_mut(sid) else {
            return;
        };
        live.session.remote_address = invitation.address;
        if invitation.context.is_some() {
            live.session.context = invitation.context;
        }
        let Some(device) = live.peer_device.clone() else {
            return;
        };
        let address = live.session.local_address.clone();
        let Some(responder) = self.own.clone() else {
            return;
        };
        let iq_id = self.ids.fresh();
        match wire::session_accept(
            &iq_id,
            &device,
            &responder,
            sid,
            &invitation.guid,
            address.as_deref(),
        ) {
            Ok(iq) => {
                let asked = super::Responder::Peer(Jid::from(device));
                self.send_request(iq_id, asked, super::Purpose::Session(sid.to_string()), iq);
            }
            Err(error) => tracing::warn!("could not accept session {sid}: {error}"),
        }
        self.publish(sid, vec![SessionEvent::OnReadyToLaunch]);
        self.connect_app(sid, true);
    }

    /// An answer to one of our Jingle requests: an error means the other side did not get it.
    pub(in crate::core::account) fn on_session_answer(&mut self, sid: &str, iq: &Iq) {
        if let Iq::Error { error, .. } = iq {
            let message = crate::xmpp::error::describe(error);
            self.publish(sid, vec![SessionEvent::OnSendError { message }]);
        }
    }

    /// Gives up on invitations nobody answered in time and accepted sessions that never
    /// started, and forgets sessions that ended a while ago.
    pub(in crate::core::account) fn expire_invitations(&mut self) {
        for id in self.sessions.due(self.now_ms) {
            self.sessions.set_deadline(&id, None);
            let Some(live) = self.sessions.get(&id) else {
                continue;
            };
            match (live.session.state, live.session.role) {
                (state, _) if state.is_final() => self.sessions.forget(&id),
                (SessionState::Invitation, Role::Inviter) => self.withdraw(&id, EndReason::Timeout),
                (SessionState::Invitation, Role::Invitee) => {
                    let reason = match live.session.app_present {
                        true => Reason::new(EndReason::Timeout),
                        false => Reason::new(EndReason::UnsupportedApplications),
                    };
                    if let Some(device) = live.peer_device.clone() {
                        self.send(wire::reject(&Jid::from(device), &id, &reason));
                    }
                    let next = match reason.condition {
                        EndReason::UnsupportedApplications => SessionState::Declined,
                        _ => SessionState::Terminated,
                    };
                    self.finish(&id, next, &reason, vec![]);
                }
                (SessionState::Accepted, _) => {
                    let reason = Reason::new(EndReason::Timeout);
                    if let Some(device) = live.peer_device.clone() {
                        let responder = super::Responder::Peer(Jid::from(device.clone()));
                        let purpose = super::Purpose::Session(id.clone());
                        self.request(responder, purpose, |iq_id| {
                            wire::session_terminate(iq_id, &device, &id, &reason)
                        });
                    }
                    self.finish(&id, SessionState::Terminated, &reason, vec![]);
                }
                _ => {}
            }
        }
    }
}
