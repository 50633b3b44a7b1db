//! Commands while online, the outbox, and delivery bookkeeping.

use super::{Account, Leave, PendingIq, Phase};
use crate::command::Command;
use crate::core::session::Session;
use crate::event::Event;
use crate::model::{now_ms, Availability, ChatMessage, Delivery, Direction};
use crate::xmpp::address::parse_bare;
use crate::xmpp::message;
use crate::xmpp::presence::{self, SubscriptionKind};
use crate::xmpp::roster;

/// Handles a command while online.
pub(super) async fn command(
    account: &mut Account,
    session: &mut Session,
    command: Command,
) -> Result<(), Leave> {
    let lost = Leave::Lost;
    match command {
        Command::SignIn {
            account: config,
            password,
            remember_password,
        } => {
            let next = account.sign_in(config, password, remember_password).await;
            return Err(Leave::SignOut(next));
        }
        Command::RegisterAccount { .. } | Command::FetchRegistrationForm { .. } => {
            account.problem("Sign out before creating another account.");
        }
        Command::SignOut => {
            account.credentials = None;
            return Err(Leave::SignOut(Phase::Idle));
        }
        Command::Shutdown => return Err(Leave::Stop),
        Command::SetPresence {
            availability,
            status,
        } => {
            account.availability = availability;
            account.status = status;
            if availability == Availability::Offline {
                return Err(Leave::SignOut(Phase::Idle));
            }
            account.send_presence(session).await.map_err(lost)?;
            account.emit(Event::OwnPresenceChanged {
                availability,
                status: account.status.clone(),
            });
        }
        Command::SendMessage { id, to, body } => {
            if let Some(message) = queue_message(account, id, &to, body) {
                send_chat(account, session, &message).await.map_err(lost)?;
                session.request_ack().await.map_err(lost)?;
            }
        }
        Command::SendChatState { to, state } => {
            if let Ok(to) = parse_bare(&to) {
                let stanza = message::build_chat_state(&to, state);
                session.send(stanza.into(), None).await.map_err(lost)?;
            }
        }
        Command::AddContact { jid, name, groups } => {
            let Some(to) = valid(account, &jid) else {
                return Ok(());
            };
            roster_set(account, session, &to, name.as_deref(), &groups)
                .await
                .map_err(lost)?;
            let subscribe = presence::build_subscription(&to, SubscriptionKind::Subscribe);
            session.send(subscribe.into(), None).await.map_err(lost)?;
        }
        Command::UpdateContact { jid, name, groups } => {
            let Some(to) = valid(account, &jid) else {
                return Ok(());
            };
            roster_set(account, session, &to, name.as_deref(), &groups)
                .await
                .map_err(lost)?;
        }
        Command::RemoveContact { jid } => {
            let Some(to) = valid(account, &jid) else {
                return Ok(());
            };
            request(
                account,
                session,
                "roster",
                PendingIq::RosterChange(jid),
                |id| roster::remove_item(id, &to),
            )
            .await
            .map_err(lost)?;
        }
        Command::ApproveSubscription { jid } => {
            let Some(to) = valid(account, &jid) else {
                return Ok(());
            };
            let allow = presence::build_subscription(&to, SubscriptionKind::Subscribed);
            session.send(allow.into(), None).await.map_err(lost)?;
            // Approving means the user wants this contact: ask back, so trust becomes mutual.
            let ask = presence::build_subscription(&to, SubscriptionKind::Subscribe);
            session.send(ask.into(), None).await.map_err(lost)?;
        }
        Command::DenySubscription { jid } => {
            let Some(to) = valid(account, &jid) else {
                return Ok(());
            };
            let deny = presence::build_subscription(&to, SubscriptionKind::Unsubscribed);
            session.send(deny.into(), None).await.map_err(lost)?;
        }
        Command::LoadHistory { peer, limit } => load_history(account, &peer, limit),
        Command::SendNudge { to } => {
            let Some(to) = valid(account, &to) else {
                return Ok(());
            };
            if !account.nudges_sent.try_send(to.as_str(), now_ms()) {
                account.emit(Event::Problem {
                    message: format!(
                        "Nudges to {to} are limited to one every {} seconds; this one was not sent.",
                        crate::xmpp::attention::SEND_INTERVAL_MS / 1000
                    ),
                });
                return Ok(());
            }
            let nudge = crate::xmpp::attention::nudge(&to);
            session.send(nudge.into(), None).await.map_err(lost)?;
        }
        Command::BlockContact { jid } => change_block(account, session, jid, true)
            .await
            .map_err(lost)?,
        Command::UnblockContact { jid } => change_block(account, session, jid, false)
            .await
            .map_err(lost)?,
        Command::ShowNotification {
            title,
            body,
            target,
        } => notify(account, title, body, target),
        Command::PlaySound { sound } => play_sound(sound),
        Command::SetAvatar { path } => super::avatar::set_from_file(account, session, path)
            .await
            .map_err(lost)?,
        Command::SetBuiltinAvatar { name } => super::avatar::set_builtin(account, session, name)
            .await
            .map_err(lost)?,
        Command::ClearAvatar => super::avatar::clear(account, session).await.map_err(lost)?,
        Command::SetNickname { nick } => {
            let nick = nick
                .as_deref()
                .map(crate::xmpp::nick::tidy)
                .filter(|n| !n.is_empty());
            let id = session.next_id("nick");
            let publish = crate::xmpp::nick::publish(&id, nick.as_deref());
            account.pending.insert(id, PendingIq::Nickname(nick));
            session.send(publish.into(), None).await.map_err(lost)?;
        }
        command @ (Command::Invite { .. }
        | Command::AcceptInvitation { .. }
        | Command::DeclineInvitation { .. }
        | Command::CancelInvitation { .. }
        | Command::SendContextData { .. }
        | Command::SetLocalAddress { .. }
        | Command::EndSession { .. }
        | Command::SaveSettings { .. }) => super::invites::command(account, session, command)
            .await
            .map_err(lost)?,
    }
    Ok(())
}

fn valid(account: &Account, jid: &str) -> Option<tokio_xmpp::parsers::jid::BareJid> {
    match parse_bare(jid) {
        Ok(jid) => Some(jid),
        Err(error) => {
            account.problem(error.to_string());
            None
        }
    }
}

async fn roster_set(
    account: &mut Account,
    session: &mut Session,
    jid: &tokio_xmpp::parsers::jid::BareJid,
    name: Option<&str>,
    groups: &[String],
) -> Result<(), String> {
    let purpose = PendingIq::RosterChange(jid.to_string());
    request(account, session, "roster", purpose, |id| {
        roster::set_item(id, jid, name, groups)
    })
    .await
}

/// Blocks or unblocks `jid` (XEP-0191); the server's push reports the new list.
async fn change_block(
    account: &mut Account,
    session: &mut Session,
    jid: String,
    block: bool,
) -> Result<(), String> {
    let Some(to) = valid(account, &jid) else {
        return Ok(());
    };
    request(
        account,
        session,
        "block",
        PendingIq::BlockChange(jid),
        |id| {
            if block {
                crate::xmpp::blocking::block(id, &to)
            } else {
                crate::xmpp::blocking::unblock(id, &to)
            }
        },
    )
    .await
}

/// Sends an iq request built with a fresh id and remembers what its answer is for.
async fn request(
    account: &mut Account,
    session: &mut Session,
    prefix: &str,
    purpose: PendingIq,
    build: impl FnOnce(&str) -> tokio_xmpp::parsers::iq::Iq,
) -> Result<(), String> {
    let id = session.next_id(prefix);
    let iq = build(&id);
    account.pending.insert(id, purpose);
    session.send(iq.into(), None).await
}

/// Puts a message in the persistent outbox and reports it; `None` if it was refused.
pub(super) fn queue_message(
    account: &mut Account,
    id: String,
    to: &str,
    body: String,
) -> Option<ChatMessage> {
    let peer = match parse_bare(to) {
        Ok(peer) => peer.to_string(),
        Err(error) => {
            account.problem(format!("The message was not sent: {error}"));
            return None;
        }
    };
    if body.trim().is_empty() {
        return None;
    }
    let message = ChatMessage {
        id,
        peer,
        direction: Direction::Outgoing,
        body,
        timestamp_ms: now_ms(),
        delivery: Delivery::Pending,
    };
    if let Err(error) = account.store.queue_outgoing(&message) {
        account.problem(format!(
            "The message could not be saved, so it was not sent: {error}"
        ));
        return None;
    }
    account.emit(Event::MessageQueued {
        message: message.clone(),
    });
    Some(message)
}

async fn send_chat(
    account: &mut Account,
    session: &mut Session,
    message: &ChatMessage,
) -> Result<(), String> {
    let to = match parse_bare(&message.peer) {
        Ok(to) => to,
        Err(error) => {
            mark_failed(account, &message.peer, &message.id, error.to_string());
            return Ok(());
        }
    };
    if let Err(error) = account.store.note_attempt(&message.peer, &message.id) {
        tracing::warn!("could not count a send attempt: {error}");
    }
    let stanza = message::build_chat(&to, &message.id, &message.body);
    let tracked = (message.peer.clone(), message.id.clone());
    let with_sm = session.sm.is_some();
    session.send(stanza.into(), Some(tracked)).await?;
    if !with_sm {
        // Without stream management, a completed write is all the assurance there is.
        mark_sent(account, &message.peer, &message.id);
    }
    Ok(())
}

/// Sends every message waiting in the outbox that is not already on its way.
pub(super) async fn flush_outbox(
    account: &mut Account,
    session: &mut Session,
) -> Result<(), String> {
    let waiting = match account.store.outbox() {
        Ok(waiting) => waiting,
        Err(error) => {
            account.problem(format!("Unsent messages could not be read: {error}"));
            return Ok(());
        }
    };
    let mut sent_any = false;
    for message in waiting {
        let tracked = (message.peer.clone(), message.id.clone());
        if session
            .sm
            .as_ref()
            .is_some_and(|sm| sm.is_in_flight(&tracked))
        {
            continue;
        }
        send_chat(account, session, &message).await?;
        sent_any = true;
    }
    if sent_any {
        session.request_ack().await?;
    }
    Ok(())
}

/// The server has the message: it leaves the outbox.
pub(super) fn mark_sent(account: &mut Account, peer: &str, id: &str) {
    match account.store.mark_sent(peer, id) {
        Ok(_) => account.emit(Event::DeliveryChanged {
            peer: peer.to_string(),
            id: id.to_string(),
            delivery: Delivery::Sent,
        }),
        Err(error) => tracing::warn!("could not mark {id} as sent: {error}"),
    }
}

fn mark_failed(account: &mut Account, peer: &str, id: &str, reason: String) {
    if let Err(error) = account.store.mark_failed(peer, id, &reason) {
        tracing::warn!("could not mark {id} as failed: {error}");
    }
    account.emit(Event::DeliveryChanged {
        peer: peer.to_string(),
        id: id.to_string(),
        delivery: Delivery::Failed { reason },
    });
}

/// Records a receipt or a bounce.
pub(super) fn set_delivery(account: &mut Account, peer: &str, id: &str, delivery: Delivery) {
    if let Delivery::Failed { reason } = &delivery {
        return mark_failed(account, peer, id, reason.clone());
    }
    match account.store.set_delivery(peer, id, &delivery) {
        Ok(_) => account.emit(Event::DeliveryChanged {
            peer: peer.to_string(),
            id: id.to_string(),
            delivery,
        }),
        Err(error) => tracing::warn!("could not record delivery of {id}: {error}"),
    }
}

/// Reports the newest `limit` stored messages of a conversation.
pub(super) fn load_history(account: &mut Account, peer: &str, limit: usize) {
    let peer = crate::model::bare_jid(peer);
    match account.store.recent_messages(&peer, limit) {
        Ok(messages) => account.emit(Event::HistoryLoaded { peer, messages }),
        Err(error) => account.problem(format!("History could not be read: {error}")),
    }
}

/// Checks the link is alive after a silence (XEP-0199); a dead link fails the next read.
pub(super) async fn ping(account: &mut Account, session: &mut Session) -> Result<(), String> {
    let id = session.next_id("ping");
    let Some(own) = account.own.clone() else {
        return Ok(());
    };
    account.pending.insert(id.clone(), PendingIq::Ping);
    session
        .send(
            crate::xmpp::iq::ping(
                &id,
                &tokio_xmpp::parsers::jid::Jid::from(own.domain().to_owned()),
            )
            .into(),
            None,
        )
        .await
}

/// Says goodbye: unavailable presence, then closes the stream. Nothing is left to resume.
pub(super) async fn sign_out(account: &mut Account, mut session: Session) {
    let goodbye = presence::build_own(Availability::Offline, None, 0);
    let _ = session.send(goodbye.into(), None).await;
    session.close().await;
    account.resumable = None;
    account.set_connection(crate::model::ConnectionState::Offline);
}

/// Shows a desktop notification without holding up the account task; a click on one about
/// something is reported as `Event::NotificationClicked`.
///
/// The notification gets a thread of its own rather than the runtime's blocking pool: waiting
/// for a click may last as long as the notification stays on screen, and the runtime waits
/// for its blocking tasks when Nudge quits.
pub(super) fn notify(
    account: &Account,
    title: String,
    body: String,
    target: Option<crate::model::NotificationTarget>,
) {
    let on_click = target.map(|target| {
        let bus = account.bus.clone();
        Box::new(move || bus.emit(Event::NotificationClicked { target })) as Box<_>
    });
    if let Err(error) = crate::platform::notify::spawn(title, body, on_click) {
        tracing::warn!("{error}");
    }
}

/// Plays a sound without holding up the account task; a missing audio device is logged there.
pub(super) fn play_sound(sound: crate::model::Sound) {
    tokio::task::spawn_blocking(move || crate::platform::sound::play(sound));
}
