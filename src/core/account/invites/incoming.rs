//! Session Invite messages and Jingle requests from the other side, invitations that time
//! out, and launching the program.

use tokio::time::Instant;
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::jid::{BareJid, FullJid, Jid};

use super::{advance, cancel, finish, Account, Live, PendingIq};
use crate::apps::registration::Registration;
use crate::config::InvitePolicy;
use crate::core::session::Session;
use crate::invite::{env, InviteSession, Origin, Role, SessionEvent, SessionState};
use crate::model::{now_ms, Subscription};
use crate::xmpp::invite::{self as wire, Condition, Invitation, InviteFact, JingleFact, Reason};

/// Handles the Session Invite facts of an incoming message.
pub(in crate::core::account) async fn on_fact(
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
pub(in crate::core::account) async fn on_jingle(
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
pub(in crate::core::account) async fn on_answer(account: &mut Account, sid: &str, iq: &Iq) {
    if let Iq::Error { error, .. } = iq {
        let message = crate::xmpp::error::describe(error);
        account.publish(sid, vec![SessionEvent::OnSendError { message }]);
    }
}

/// Gives up on invitations nobody answered in time.
pub(in crate::core::account) async fn expire(
    account: &mut Account,
    session: &mut Session,
) -> Result<(), String> {
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
