//! Contacts: the roster and its pushes, subscriptions, presence, the block list (XEP-0191),
//! and what contacts' devices support (disco and caps, XEP-0030/0115) — asked of contacts only
//! and told to contacts only.

use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::jid::{BareJid, FullJid, Jid};

use super::{Account, Purpose, Responder};
use crate::event::Event;
use crate::model::Availability;
use crate::problem::Problem;
use crate::xmpp::presence::{self, PresenceFact, SubscriptionKind};
use crate::xmpp::roster::{self, RosterChange};

impl Account {
    /// `Command::AddContact`: into the roster, and ask to see their presence.
    pub(super) fn add_contact(&mut self, to: &BareJid, name: Option<String>, groups: &[String]) {
        self.roster_set(to, name.as_deref(), groups);
        self.send(presence::build_subscription(
            to,
            SubscriptionKind::Subscribe,
        ));
    }

    /// `Command::UpdateContact`: rename or regroup.
    pub(super) fn update_contact(&mut self, to: &BareJid, name: Option<String>, groups: &[String]) {
        self.roster_set(to, name.as_deref(), groups);
    }

    fn roster_set(&mut self, jid: &BareJid, name: Option<&str>, groups: &[String]) {
        let purpose = Purpose::RosterChange(jid.clone());
        self.request(Responder::Account, purpose, |id| {
            roster::set_item(id, jid, name, groups)
        });
    }

    /// `Command::RemoveContact`.
    pub(super) fn remove_contact(&mut self, to: &BareJid) {
        let purpose = Purpose::RosterChange(to.clone());
        self.request(Responder::Account, purpose, |id| {
            roster::remove_item(id, to)
        });
    }

    /// `Command::ApproveSubscription`: allow, and ask back so trust becomes mutual.
    pub(super) fn approve_subscription(&mut self, to: &BareJid) {
        self.send(presence::build_subscription(
            to,
            SubscriptionKind::Subscribed,
        ));
        self.send(presence::build_subscription(
            to,
            SubscriptionKind::Subscribe,
        ));
    }

    /// `Command::DenySubscription`.
    pub(super) fn deny_subscription(&mut self, to: &BareJid) {
        self.send(presence::build_subscription(
            to,
            SubscriptionKind::Unsubscribed,
        ));
    }

    /// `Command::SendNudge`: at most one every few seconds per contact.
    pub(super) fn send_nudge(&mut self, to: &BareJid) {
        if !self.nudges_sent.try_send(to.as_str(), self.now_ms) {
            return self.problem(Problem::NudgeTooSoon {
                jid: to.clone(),
                seconds: crate::xmpp::attention::SEND_INTERVAL_MS / 1000,
            });
        }
        self.send(crate::xmpp::attention::nudge(to));
    }

    /// `Command::BlockContact` / `UnblockContact`; the server's push reports the new list.
    pub(super) fn change_block(&mut self, to: &BareJid, block: bool) {
        let purpose = Purpose::BlockChange(to.clone());
        self.request(Responder::Account, purpose, |id| match block {
            true => crate::xmpp::blocking::block(id, to),
            false => crate::xmpp::blocking::unblock(id, to),
        });
    }

    pub(super) fn on_roster(&mut self, iq: &Iq) {
        match roster::parse_result(iq) {
            Ok(contacts) => {
                self.roster = contacts
                    .iter()
                    .map(|c| (c.jid.clone(), c.subscription))
                    .collect();
                self.emit(Event::RosterReceived { contacts })
            }
            Err(error) => self.problem(Problem::RosterUnavailable {
                detail: error.to_string(),
            }),
        }
    }

    pub(super) fn on_roster_change_answer(&mut self, jid: BareJid, iq: &Iq) {
        if let Iq::Error { error, .. } = iq {
            let reason = crate::xmpp::error::describe(error);
            self.problem(Problem::ContactChangeRefused { jid, reason });
        }
    }

    /// A roster push from the server (only the user's own account may send one).
    pub(super) fn on_roster_push(&mut self, iq: &Iq) -> bool {
        let is_push = matches!(iq, Iq::Set { payload, .. } if payload.is("query", tokio_xmpp::parsers::ns::ROSTER));
        let Some(own) = self.own_bare().filter(|_| is_push) else {
            return false;
        };
        match roster::classify_push(iq, &own) {
            Ok(push) => {
                match push.change {
                    RosterChange::Updated(contact) => {
                        self.roster
                            .insert(contact.jid.clone(), contact.subscription);
                        self.emit(Event::ContactUpdated { contact })
                    }
                    RosterChange::Removed(jid) => {
                        self.roster.remove(&jid);
                        self.emit(Event::ContactRemoved { jid })
                    }
                }
                self.send(push.reply);
            }
            Err(error) => {
                tracing::warn!("refused a roster push: {error}");
                if let Some(reply) = crate::xmpp::iq::answer(iq, &[]) {
                    self.send(reply);
                }
            }
        }
        true
    }

    pub(super) fn on_block_list(&mut self, iq: &Iq) {
        if let Some(jids) = crate::xmpp::blocking::parse_result(iq) {
            self.blocked = jids.into_iter().collect();
            self.emit_blocked();
        }
    }

    pub(super) fn on_block_change_answer(&mut self, jid: BareJid, iq: &Iq) {
        if let Iq::Error { error, .. } = iq {
            let reason = crate::xmpp::error::describe(error);
            self.problem(Problem::BlockChangeRefused { jid, reason });
        }
    }

    /// A block list push (only from the user's own account).
    pub(super) fn on_block_push(&mut self, iq: &Iq) -> bool {
        use crate::xmpp::blocking::BlockPush;
        let Some(own) = self.own_bare() else {
            return false;
        };
        let Some(push) = crate::xmpp::blocking::classify_push(iq, &own) else {
            return false;
        };
        match push {
            BlockPush::Blocked(jids) => self.blocked.extend(jids),
            BlockPush::Unblocked(jids) if jids.is_empty() => self.blocked.clear(),
            BlockPush::Unblocked(jids) => {
                for jid in jids {
                    self.blocked.remove(&jid);
                }
            }
        }
        self.emit_blocked();
        if let Iq::Set { from, id, .. } = iq {
            self.send(Iq::Result {
                from: None,
                to: from.clone(),
                id: id.clone(),
                payload: None,
            });
        }
        true
    }

    fn emit_blocked(&mut self) {
        let jids = self.blocked.iter().cloned().collect();
        self.emit(Event::BlockListChanged { jids });
    }

    pub(super) fn on_presence_fact(&mut self, fact: PresenceFact) {
        match fact {
            PresenceFact::Availability {
                jid,
                resource,
                availability,
                status,
                priority,
            } => {
                // The user's own other devices are not contacts.
                if self.is_own(&jid) {
                    return;
                }
                self.emit(Event::PresenceChanged {
                    jid,
                    resource,
                    availability,
                    status,
                    priority,
                })
            }
            PresenceFact::SubscribeRequest { jid } => {
                self.emit(Event::SubscriptionRequested { jid })
            }
            // The roster push that follows carries the new subscription state.
            PresenceFact::Subscribed { jid } | PresenceFact::Unsubscribed { jid } => {
                tracing::debug!("subscription of {jid} changed")
            }
        }
    }

    /// Learns which applications a contact's device has: from the caps cache, else by asking it
    /// (once per caps hash, or once per stream for clients without caps).
    pub(super) fn discover(&mut self, fact: &PresenceFact, node: Option<String>) {
        let PresenceFact::Availability {
            jid,
            resource,
            availability,
            ..
        } = fact
        else {
            return;
        };
        if *availability == Availability::Offline || resource.is_empty() {
            return;
        }
        // Only contacts are asked (and only contacts are answered).
        if !self.roster.contains_key(jid) {
            return;
        }
        let Ok(device) = jid.with_resource_str(resource) else {
            return;
        };
        if let Some(apps) = node.as_ref().and_then(|n| self.caps_cache.get(n)).cloned() {
            self.discovered.insert(device, node);
            return self.emit(Event::ContactAppsKnown {
                jid: jid.clone(),
                resource: resource.clone(),
                apps,
            });
        }
        if self.discovered.get(&device) == Some(&node) {
            return;
        }
        self.discovered.insert(device.clone(), node.clone());
        let responder = Responder::Peer(Jid::from(device.clone()));
        let purpose = Purpose::Disco(device.clone(), node.clone());
        self.request(responder, purpose, |id| {
            crate::xmpp::caps::query(id, &device, node.as_deref())
        });
    }

    pub(super) fn on_disco_answer(&mut self, device: FullJid, node: Option<String>, iq: &Iq) {
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
                self.caps_cache.insert(node, apps.clone());
            }
        }
        self.emit(Event::ContactAppsKnown {
            jid: device.to_bare(),
            resource: device.resource().to_string(),
            apps,
        });
    }

    /// Answers a query (disco, ping, version...); what this client supports is only for
    /// contacts, the user's own account and server.
    pub(super) fn answer_query(&mut self, iq: &Iq) {
        let reply = if is_disco(iq) && !self.may_discover(iq) {
            Some(crate::xmpp::iq::refuse(iq))
        } else if let Some(reply) = self.answer_caps_node(iq) {
            Some(reply)
        } else {
            let features = self.advertised_features();
            let features: Vec<&str> = features.iter().map(String::as_str).collect();
            crate::xmpp::iq::answer(iq, &features)
        };
        if let Some(reply) = reply {
            self.send(reply);
        }
    }

    /// Whether the sender of `iq` is the user's server, the user's own account or a contact.
    fn may_discover(&self, iq: &Iq) -> bool {
        let Iq::Get { from, .. } = iq else {
            return false;
        };
        let Some(own) = self.own_bare() else {
            return false;
        };
        let Some(from) = from else {
            return true;
        };
        let bare = from.to_bare();
        bare == own || bare.as_str() == own.domain().as_str() || self.roster.contains_key(&bare)
    }

    /// Answers a disco#info query for this client's own caps `node#ver` (XEP-0115 §6.2).
    fn answer_caps_node(&self, iq: &Iq) -> Option<Iq> {
        let Iq::Get {
            from, id, payload, ..
        } = iq
        else {
            return None;
        };
        let query = tokio_xmpp::parsers::disco::DiscoInfoQuery::try_from(payload.clone()).ok()?;
        let node = query.node?;
        let mut info = self.disco_info();
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

    /// What this client tells contacts it supports (XEP-0030), apps included.
    pub(super) fn disco_info(&self) -> tokio_xmpp::parsers::disco::DiscoInfoResult {
        let features = self.advertised_features();
        let features: Vec<&str> = features.iter().map(String::as_str).collect();
        crate::xmpp::iq::disco_info(&features)
    }
}

fn is_disco(iq: &Iq) -> bool {
    matches!(iq, Iq::Get { payload, .. } if payload.is("query", tokio_xmpp::parsers::ns::DISCO_INFO))
}
