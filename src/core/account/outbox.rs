//! Outgoing messages: the persistent outbox, sending, and what the server and the contact
//! said about them (acknowledged, delivered, bounced).
//!
//! A message is in the outbox before anything is sent, so nothing typed is lost offline or in a
//! crash; it leaves the outbox when the server has it.

use super::{Account, Effect, StoreOp};
use crate::core::sm::Tracked;
use crate::event::Event;
use crate::model::{BareJid, ChatMessage, Delivery, Direction};
use crate::problem::Problem;
use crate::xmpp::message;

impl Account {
    /// `Command::SendMessage`: into the outbox first; it is sent once the store has it.
    pub(super) fn queue_message(&mut self, id: String, peer: BareJid, body: String) {
        if body.trim().is_empty() {
            return;
        }
        let message = ChatMessage {
            id,
            peer,
            direction: Direction::Outgoing,
            body,
            timestamp_ms: self.now_ms,
            delivery: Delivery::Pending,
        };
        self.store(StoreOp::QueueOutgoing { message });
    }

    /// The outbox has the message (or not): report it and send it if online.
    pub(super) fn on_queued(&mut self, message: ChatMessage, result: Result<(), super::Fault>) {
        if let Err(detail) = result {
            return self.problem(Problem::MessageNotSent {
                to: message.peer,
                detail: format!("it could not be saved ({detail})"),
                text: message.body,
            });
        }
        self.emit(Event::MessageQueued {
            message: message.clone(),
        });
        if self.is_online() {
            self.send_chat(&message);
            self.request_ack();
        }
    }

    /// Sends an outbox message, tracked so its acknowledgement takes it out of the outbox.
    fn send_chat(&mut self, message: &ChatMessage) {
        self.store(StoreOp::NoteAttempt {
            peer: message.peer.clone(),
            id: message.id.clone(),
        });
        let stanza = message::build_chat(&message.peer, &message.id, &message.body);
        let tracked: Tracked = (message.peer.clone(), message.id.clone());
        self.out.push(Effect::Send {
            stanza: Box::new(stanza.into()),
            tracked: Some(tracked.clone()),
        });
        if self.stream_management {
            self.in_flight.insert(tracked);
        }
    }

    /// A message was written to a stream without stream management: it stays in the outbox
    /// until a ping round trip proves the server read that far (a write only reached the
    /// socket's buffer).
    pub(super) fn on_written(&mut self, tracked: Tracked) {
        if self.stream_management {
            return;
        }
        self.unconfirmed.push(tracked);
        if !self.confirming {
            self.confirm_written();
        }
    }

    /// Sends a ping that confirms the messages written so far.
    fn confirm_written(&mut self) {
        let Some(own) = self.own.clone() else {
            return;
        };
        let batch = std::mem::take(&mut self.unconfirmed);
        if batch.is_empty() {
            return;
        }
        self.confirming = true;
        let server = tokio_xmpp::parsers::jid::Jid::from(own.domain().to_owned());
        let responder = super::Responder::Peer(server.clone());
        self.request(responder, super::Purpose::Confirm(batch), |id| {
            crate::xmpp::iq::ping(id, &server)
        });
    }

    /// The server answered the confirming ping: it has every message written before it.
    pub(super) fn on_confirmed(&mut self, batch: Vec<Tracked>) {
        self.confirming = false;
        for tracked in batch {
            self.mark_sent(tracked);
        }
        self.confirm_written();
    }

    fn request_ack(&mut self) {
        if self.stream_management {
            self.out.push(Effect::RequestAck);
        }
    }

    /// The outbox after connecting: sends what is not already on its way.
    pub(super) fn on_outbox(&mut self, result: Result<Vec<ChatMessage>, super::Fault>) {
        let waiting = match result {
            Ok(waiting) => waiting,
            Err(fault) => {
                return self.problem(Problem::HistoryUnreadable {
                    detail: fault.into(),
                })
            }
        };
        if !self.is_online() {
            return;
        }
        let mut sent_any = false;
        for message in waiting {
            let tracked = (message.peer.clone(), message.id.clone());
            if self.in_flight.contains(&tracked) {
                continue;
            }
            self.send_chat(&message);
            sent_any = true;
        }
        if sent_any {
            self.request_ack();
        }
    }

    /// The server acknowledged these messages.
    pub(super) fn on_acked(&mut self, done: Vec<Tracked>) {
        for tracked in done {
            self.in_flight.remove(&tracked);
            self.mark_sent(tracked);
        }
    }

    /// The server has the message: it leaves the outbox.
    fn mark_sent(&mut self, (peer, id): Tracked) {
        self.store(StoreOp::MarkSent {
            peer: peer.clone(),
            id: id.clone(),
        });
        self.emit(Event::DeliveryChanged {
            peer,
            id,
            delivery: Delivery::Sent,
        });
    }

    fn mark_failed(&mut self, peer: &BareJid, id: &str, reason: String) {
        self.store(StoreOp::MarkFailed {
            peer: peer.clone(),
            id: id.to_string(),
            reason: reason.clone(),
        });
        self.emit(Event::DeliveryChanged {
            peer: peer.clone(),
            id: id.to_string(),
            delivery: Delivery::Failed { reason },
        });
    }

    /// Records a receipt or a bounce.
    pub(super) fn set_delivery(&mut self, peer: &BareJid, id: &str, delivery: Delivery) {
        if let Delivery::Failed { reason } = &delivery {
            return self.mark_failed(peer, id, reason.clone());
        }
        self.store(StoreOp::SetDelivery {
            peer: peer.clone(),
            id: id.to_string(),
            delivery: delivery.clone(),
        });
        self.emit(Event::DeliveryChanged {
            peer: peer.clone(),
            id: id.to_string(),
            delivery,
        });
    }
}
