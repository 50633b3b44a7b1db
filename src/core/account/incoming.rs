//! Handling what the server sends while online.

use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::Stanza;

use super::{Account, PendingIq};
use crate::core::register::iq_id;
use crate::core::session::{Malformed, Session};
use crate::event::Event;
use crate::model::{now_ms, ChatMessage, Delivery, Direction};
use crate::xmpp::message::{self, MessageFact};
use crate::xmpp::presence::{self, PresenceFact};
use crate::xmpp::roster::{self, RosterChange};

/// Handles one stanza. `Err` means the link is gone.
pub(super) async fn stanza(
    account: &mut Account,
    session: &mut Session,
    stanza: Stanza,
) -> Result<(), String> {
    let Some(own) = account.own.clone() else {
        return Ok(());
    };
    match stanza {
        Stanza::Message(incoming) => {
            if super::sync::on_message(account, &incoming) {
                return Ok(());
            }
            if super::avatar::on_message(account, session, &incoming).await? {
                return Ok(());
            }
            if let Some((jid, nick)) = crate::xmpp::nick::classify_notification(&incoming) {
                // Only contacts name themselves here; anyone else is ignored.
                let jid = jid.to_string();
                if own.as_str() == jid || account.roster.contains_key(&jid) {
                    account.emit(Event::NicknameChanged { jid, nick });
                }
                return Ok(());
            }
            // Nudges count only from contacts: a stranger cannot shake the window.
            if let Some(jid) = crate::xmpp::attention::nudged_by(&incoming) {
                if account.roster.contains_key(&jid) {
                    account.emit(Event::NudgeReceived { jid });
                }
            }
            for fact in crate::xmpp::invite::classify_message(incoming.clone(), &own) {
                super::invites::on_fact(account, session, fact).await?;
            }
            for fact in message::classify(incoming, &own) {
                on_message_fact(account, session, fact).await?;
            }
        }
        Stanza::Presence(incoming) => {
            let advertised = crate::xmpp::caps::advertised(&incoming);
            if let Some(fact) = presence::classify(incoming, &own) {
                discover(account, session, &fact, advertised).await?;
                on_presence_fact(account, fact);
            }
        }
        Stanza::Iq(iq) => on_iq(account, session, iq).await?,
    }
    Ok(())
}

async fn on_message_fact(
    account: &mut Account,
    session: &mut Session,
    fact: MessageFact,
) -> Result<(), String> {
    match fact {
        MessageFact::Chat {
            peer,
            from,
            id,
            server_id,
            body,
            direction,
            timestamp_ms,
            receipt_id,
        } => {
            let message = ChatMessage {
                id,
                peer,
                direction,
                body,
                timestamp_ms: timestamp_ms.unwrap_or_else(now_ms),
                delivery: match direction {
                    Direction::Incoming => Delivery::Received,
                    Direction::Outgoing => Delivery::Sent,
                },
            };
            let stored = match server_id.as_deref() {
                Some(server_id) => account
                    .store
                    .insert_message_with_stanza_id(&message, server_id),
                None => account.store.insert_message(&message),
            };
            match stored {
                Ok(true) => account.emit(Event::MessageReceived { message }),
                Ok(false) => tracing::debug!("ignored a message delivered twice"),
                // Still show it: losing a message is worse than not storing it.
                Err(error) => {
                    account.problem(format!("A message could not be saved to history: {error}"));
                    account.emit(Event::MessageReceived { message });
                }
            }
            if let Some(receipt_id) = receipt_id {
                session
                    .send(message::build_receipt(&from, &receipt_id).into(), None)
                    .await?;
            }
        }
        MessageFact::Receipt { peer, id } => {
            super::outgoing::set_delivery(account, &peer, &id, crate::model::Delivery::Delivered)
        }
        MessageFact::ChatState { peer, state } => {
            account.emit(Event::ChatStateChanged { jid: peer, state })
        }
        MessageFact::Failed { peer, id, reason } => {
            super::outgoing::set_delivery(account, &peer, &id, Delivery::Failed { reason })
        }
    }
    Ok(())
}

/// Learns which applications a contact's device has: from the caps cache, else by asking it
/// (once per caps hash, or once per session for clients without caps).
async fn discover(
    account: &mut Account,
    session: &mut Session,
    fact: &PresenceFact,
    node: Option<String>,
) -> Result<(), String> {
    let PresenceFact::Availability {
        jid,
        resource,
        availability,
        ..
    } = fact
    else {
        return Ok(());
    };
    if *availability == crate::model::Availability::Offline || resource.is_empty() {
        return Ok(());
    }
    // Only contacts are asked (and only contacts are answered).
    if !account.roster.contains_key(jid) {
        return Ok(());
    }
    let Ok(device) = tokio_xmpp::parsers::jid::FullJid::new(&format!("{jid}/{resource}")) else {
        return Ok(());
    };
    if let Some(apps) = node.as_ref().and_then(|n| account.caps_cache.get(n)) {
        let apps = apps.clone();
        account.discovered.insert(device.clone(), node);
        account.emit(Event::ContactAppsKnown {
            jid: jid.clone(),
            resource: resource.clone(),
            apps,
        });
        return Ok(());
    }
    if account.discovered.get(&device) == Some(&node) {
        return Ok(());
    }
    account.discovered.insert(device.clone(), node.clone());
    let id = session.next_id("disco");
    account
        .pending
        .insert(id.clone(), PendingIq::Disco(device.clone(), node.clone()));
    session
        .send(
            crate::xmpp::caps::query(&id, &device, node.as_deref()).into(),
            None,
        )
        .await
}

fn on_presence_fact(account: &mut Account, fact: PresenceFact) {
    match fact {
        PresenceFact::Availability {
            jid,
            resource,
            availability,
            status,
            priority,
        } => {
            // The user's own other devices are not contacts.
            if account.own.as_ref().is_some_and(|own| own.as_str() == jid) {
                return;
            }
            account.emit(Event::PresenceChanged {
                jid,
                resource,
                availability,
                status,
                priority,
            })
        }
        PresenceFact::SubscribeRequest { jid } => {
            account.emit(Event::SubscriptionRequested { jid })
        }
        // The roster push that follows carries the new subscription state.
        PresenceFact::Subscribed { jid } | PresenceFact::Unsubscribed { jid } => {
            tracing::debug!("subscription of {jid} changed")
        }
    }
}

async fn on_iq(account: &mut Account, session: &mut Session, iq: Iq) -> Result<(), String> {
    let own = account.own.clone();
    match &iq {
        Iq::Result { .. } | Iq::Error { .. } => {
            let Some(purpose) = account.pending.remove(iq_id(&iq)) else {
                return Ok(());
            };
            if let PendingIq::Session(sid) = &purpose {
                super::invites::on_answer(account, sid, &iq).await;
                return Ok(());
            }
            if let PendingIq::ArchivePage = purpose {
                return super::sync::on_page_end(account, session, &iq).await;
            }
            if let PendingIq::Avatar(pending) = purpose {
                return super::avatar::on_answer(account, session, pending, &iq).await;
            }
            on_answer(account, purpose, &iq);
            Ok(())
        }
        Iq::Set { .. } | Iq::Get { .. } => {
            if super::invites::on_jingle(account, session, &iq).await? {
                return Ok(());
            }
            if let Some(own) = &own {
                if let Some(push) = crate::xmpp::blocking::classify_push(&iq, own) {
                    apply_block_push(account, push);
                    let Iq::Set { from, id, .. } = &iq else {
                        return Ok(());
                    };
                    let ack = Iq::Result {
                        from: None,
                        to: from.clone(),
                        id: id.clone(),
                        payload: None,
                    };
                    return session.send(ack.into(), None).await;
                }
                if is_roster_push(&iq) {
                    return match roster::classify_push(&iq, own) {
                        Ok(push) => {
                            match push.change {
                                RosterChange::Updated(contact) => {
                                    account
                                        .roster
                                        .insert(contact.jid.clone(), contact.subscription);
                                    account.emit(Event::ContactUpdated { contact })
                                }
                                RosterChange::Removed(jid) => {
                                    account.roster.remove(&jid);
                                    account.emit(Event::ContactRemoved { jid })
                                }
                            }
                            session.send(push.reply.into(), None).await
                        }
                        Err(error) => {
                            tracing::warn!("refused a roster push: {error}");
                            match crate::xmpp::iq::answer(&iq, &[]) {
                                Some(reply) => session.send(reply.into(), None).await,
                                None => Ok(()),
                            }
                        }
                    };
                }
            }
            // What this client supports is only for contacts (and the user's own server).
            let reply = if is_disco(&iq) && !may_discover(account, &iq) {
                Some(crate::xmpp::iq::refuse(&iq))
            } else if let Some(reply) = answer_caps_node(account, &iq) {
                Some(reply)
            } else {
                let features = account.advertised_features();
                let features: Vec<&str> = features.iter().map(String::as_str).collect();
                crate::xmpp::iq::answer(&iq, &features)
            };
            match reply {
                Some(reply) => session.send(reply.into(), None).await,
                None => Ok(()),
            }
        }
    }
}

fn is_disco(iq: &Iq) -> bool {
    matches!(iq, Iq::Get { payload, .. } if payload.is("query", tokio_xmpp::parsers::ns::DISCO_INFO))
}

/// Whether the sender of `iq` is the user's server, the user's own account or a contact.
fn may_discover(account: &Account, iq: &Iq) -> bool {
    let Iq::Get { from, .. } = iq else {
        return false;
    };
    let Some(own) = &account.own else {
        return false;
    };
    let Some(from) = from else {
        return true;
    };
    let bare = from.to_bare();
    bare == *own
        || bare.as_str() == own.domain().as_str()
        || account.roster.contains_key(bare.as_str())
}

fn on_answer(account: &mut Account, purpose: PendingIq, iq: &Iq) {
    match purpose {
        PendingIq::Roster => match roster::parse_result(iq) {
            Ok(contacts) => {
                account.roster = contacts
                    .iter()
                    .map(|c| (c.jid.clone(), c.subscription))
                    .collect();
                account.emit(Event::RosterReceived { contacts })
            }
            Err(error) => account.problem(format!("The contact list could not be loaded: {error}")),
        },
        PendingIq::RosterChange(jid) => {
            if let Iq::Error { error, .. } = iq {
                account.problem(format!(
                    "Changing {jid} in your contacts failed: {}",
                    crate::xmpp::error::describe(error)
                ));
            }
        }
        PendingIq::Carbons => {
            if matches!(iq, Iq::Error { .. }) {
                tracing::info!("the server does not copy messages to other devices (carbons)");
            }
        }
        PendingIq::Disco(device, node) => {
            let Iq::Result {
                payload: Some(payload),
                ..
            } = iq
            else {
                return;
            };
            let Ok(info) = tokio_xmpp::parsers::disco::DiscoInfoResult::try_from(payload.clone())
            else {
                return;
            };
            let apps = crate::xmpp::invite::apps_in_features(&info.features);
            if let Some(node) = node {
                if crate::xmpp::caps::matches(&node, &info) {
                    account.caps_cache.insert(node, apps.clone());
                }
            }
            account.emit(Event::ContactAppsKnown {
                jid: device.to_bare().to_string(),
                resource: device.resource().to_string(),
                apps,
            });
        }
        PendingIq::BlockList => {
            if let Some(jids) = crate::xmpp::blocking::parse_result(iq) {
                account.blocked = jids.into_iter().collect();
                emit_blocked(account);
            }
        }
        PendingIq::BlockChange(jid) => {
            if let Iq::Error { error, .. } = iq {
                account.problem(format!(
                    "Blocking or unblocking {jid} failed: {}",
                    crate::xmpp::error::describe(error)
                ));
            }
        }
        PendingIq::Nickname(nick) => match (iq, &account.own) {
            (Iq::Error { error, .. }, _) => account.problem(format!(
                "Your display name could not be changed: {}",
                crate::xmpp::error::describe(error)
            )),
            // The server also pushes it back to the user's devices; this one knows at once.
            (_, Some(own)) => account.emit(Event::NicknameChanged {
                jid: own.to_string(),
                nick,
            }),
            _ => {}
        },
        PendingIq::Ping | PendingIq::Session(_) | PendingIq::ArchivePage | PendingIq::Avatar(_) => {
        }
    }
}

/// A stanza that could not be parsed: answer iq requests with an error, tell the user of
/// unreadable messages, and go on.
pub(super) async fn malformed(
    account: &mut Account,
    session: &mut Session,
    malformed: Malformed,
) -> Result<(), String> {
    tracing::warn!(
        "unreadable {} from {:?}: {}",
        malformed.kind,
        malformed.from,
        malformed.reason
    );
    match malformed.kind.as_str() {
        "iq" if matches!(malformed.type_.as_deref(), Some("get") | Some("set")) => {
            let reply = bad_request(malformed.id.unwrap_or_default(), malformed.from.as_deref());
            return session.send(reply.into(), None).await;
        }
        "message" => {
            // The sender's address is raw network text: keep what is shown short and printable.
            let from: String = malformed
                .from
                .as_deref()
                .unwrap_or("the server")
                .chars()
                .filter(|c| !c.is_control())
                .take(100)
                .collect();
            account.problem(format!(
                "A message from {from} could not be read and was skipped ({}).",
                malformed.reason
            ));
        }
        _ => {}
    }
    Ok(())
}

fn is_roster_push(iq: &Iq) -> bool {
    matches!(iq, Iq::Set { payload, .. } if payload.is("query", tokio_xmpp::parsers::ns::ROSTER))
}

/// The error owed to an iq request that could not be parsed (RFC 6120 §8.3.3.1).
fn bad_request(id: String, from: Option<&str>) -> Iq {
    use tokio_xmpp::parsers::stanza_error::{DefinedCondition, ErrorType, StanzaError};
    Iq::Error {
        from: None,
        to: from.and_then(|f| f.parse().ok()),
        id,
        payload: None,
        error: StanzaError::new(
            ErrorType::Modify,
            DefinedCondition::BadRequest,
            "en",
            "Nudge could not read this request",
        ),
    }
}

/// Answers a disco#info query for this client's own caps `node#ver` (XEP-0115 §6.2).
fn answer_caps_node(account: &Account, iq: &Iq) -> Option<Iq> {
    let Iq::Get {
        from, id, payload, ..
    } = iq
    else {
        return None;
    };
    let query = tokio_xmpp::parsers::disco::DiscoInfoQuery::try_from(payload.clone()).ok()?;
    let node = query.node?;
    let mut info = account.disco_info();
    let ours = format!(
        "{}#{}",
        crate::xmpp::caps::NODE,
        crate::xmpp::caps::ver(&info)
    );
    if node != ours {
        return None;
    }
    info.node = Some(node);
    Some(Iq::Result {
        from: None,
        to: from.clone(),
        id: id.clone(),
        payload: Some(info.into()),
    })
}

fn apply_block_push(account: &mut Account, push: crate::xmpp::blocking::BlockPush) {
    use crate::xmpp::blocking::BlockPush;
    match push {
        BlockPush::Blocked(jids) => account.blocked.extend(jids),
        BlockPush::Unblocked(jids) if jids.is_empty() => account.blocked.clear(),
        BlockPush::Unblocked(jids) => {
            for jid in jids {
                account.blocked.remove(&jid);
            }
        }
    }
    emit_blocked(account);
}

fn emit_blocked(account: &Account) {
    account.emit(Event::BlockListChanged {
        jids: account.blocked.iter().cloned().collect(),
    });
}
