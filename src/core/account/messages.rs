//! One-to-one messages coming in: chat messages (live and carbon copies), receipts, chat
//! states, nudges and display names; and reading stored history.

use super::{Account, StoreOp};
use crate::event::Event;
use crate::model::{BareJid, ChatMessage, ChatState, Delivery, Direction};
use crate::problem::Problem;
use crate::xmpp::message::{self, MessageFact};

impl Account {
    pub(super) fn on_message_fact(&mut self, fact: MessageFact) {
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
                let message = chat_message(self.now_ms, id, peer, direction, body, timestamp_ms);
                let server_id = self.live_archive_id(server_id);
                self.store(StoreOp::InsertMessage { message, server_id });
                if let Some(receipt_id) = receipt_id.filter(|_| !self.is_stranger(&from)) {
                    self.send(message::build_receipt(&from, &receipt_id));
                }
            }
            MessageFact::Receipt { peer, id } => self.set_delivery(&peer, &id, Delivery::Delivered),
            MessageFact::ChatState { peer, state } => {
                self.emit(Event::ChatStateChanged { jid: peer, state })
            }
            MessageFact::Failed { peer, id, reason } => {
                self.set_delivery(&peer, &id, Delivery::Failed { reason })
            }
        }
    }

    /// The store kept (or knew, or could not keep) a received message.
    pub(super) fn on_message_stored(
        &mut self,
        message: ChatMessage,
        result: Result<bool, super::Fault>,
    ) {
        match result {
            Ok(true) => self.emit(Event::MessageReceived { message }),
            Ok(false) => tracing::debug!("ignored a message delivered twice"),
            // Still show it: losing a message is worse than not storing it.
            Err(detail) => {
                self.problem(Problem::MessageNotSaved {
                    detail: detail.into(),
                });
                // The next catch-up goes back to it, so the archive's copy is saved then.
                let since = self.unsaved_since.get_or_insert(message.timestamp_ms);
                *since = (*since).min(message.timestamp_ms);
                self.emit(Event::MessageReceived { message });
            }
        }
    }

    /// A contact nudged the user; strangers cannot shake the window.
    pub(super) fn on_nudge(&mut self, jid: BareJid) {
        if self.roster.contains_key(&jid) {
            self.emit(Event::NudgeReceived { jid });
        }
    }

    /// A display name was published; only contacts (and the user) name themselves here.
    pub(super) fn on_nickname(&mut self, jid: &BareJid, nick: Option<String>) {
        if self.is_own(jid) || self.roster.contains_key(jid) {
            self.emit(Event::NicknameChanged {
                jid: jid.clone(),
                nick,
            });
        }
    }

    /// `Command::SendChatState`: typing notifications go out only while online (they are
    /// worthless later).
    pub(super) fn send_chat_state(&mut self, to: &BareJid, state: ChatState) {
        if self.is_online() {
            self.send(message::build_chat_state(to, state));
        }
    }

    /// `Command::MarkRead`: the core owns read positions; the window shows what it says.
    pub(super) fn mark_read(&mut self, peer: BareJid) {
        self.emit(Event::ConversationRead { peer });
    }

    /// `Command::LoadHistory`: the newest `limit` stored messages of a conversation.
    pub(super) fn load_history(&mut self, peer: BareJid, limit: usize) {
        self.store(StoreOp::RecentMessages { peer, limit });
    }

    /// `Command::SetNickname`: publish the display name (XEP-0172), or clear it.
    pub(super) fn set_nickname(&mut self, nick: Option<String>) {
        let nick = nick
            .as_deref()
            .map(crate::xmpp::nick::tidy)
            .filter(|n| !n.is_empty());
        let purpose = super::Purpose::Nickname(nick.clone());
        self.request(super::Responder::Account, purpose, |id| {
            crate::xmpp::nick::publish(id, nick.as_deref())
        });
    }

    pub(super) fn on_nickname_answer(
        &mut self,
        nick: Option<String>,
        iq: &tokio_xmpp::parsers::iq::Iq,
    ) {
        if let tokio_xmpp::parsers::iq::Iq::Error { error, .. } = iq {
            let reason = crate::xmpp::error::describe(error);
            return self.problem(Problem::NicknameRefused { reason });
        }
        // The server also pushes it back to the user's devices; this one knows at once.
        if let Some(own) = self.own_bare() {
            self.emit(Event::NicknameChanged { jid: own, nick });
        }
    }
}

/// A chat message as received live or from the archive at `now_ms`: never dated later than now,
/// whoever stamped it; incoming ones are received, the user's own (from another device) sent.
pub(super) fn chat_message(
    now_ms: i64,
    id: String,
    peer: BareJid,
    direction: Direction,
    body: String,
    timestamp_ms: Option<i64>,
) -> ChatMessage {
    ChatMessage {
        id,
        peer,
        direction,
        body,
        timestamp_ms: timestamp_ms.map_or(now_ms, |t| t.min(now_ms)),
        delivery: match direction {
            Direction::Incoming => Delivery::Received,
            Direction::Outgoing => Delivery::Sent,
        },
    }
}
