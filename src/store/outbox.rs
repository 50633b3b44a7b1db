//! The persistent outbox: what the user typed waits here until the server has it.
//!
//! Queueing writes the message and its outbox row in one transaction, and sending or failing
//! removes the row and updates the message in one transaction, so after a crash every message
//! is either still queued or already marked: nothing typed is lost and nothing is sent twice.

use rusqlite::{params, OptionalExtension};

use super::messages::{self, MESSAGE_COLUMNS};
use super::{Store, StoreError};
use crate::model::{BareJid, ChatMessage, Delivery, Direction};

/// A queued message and how often sending it was tried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxEntry {
    /// The message, with `Delivery::Pending`.
    pub message: ChatMessage,
    /// How many times sending it has been attempted.
    pub attempts: u32,
}

impl Store {
    /// Stores an outgoing message as Pending and queues it, atomically. Returns false (and
    /// queues nothing) when a message with the same (peer, id) is already stored.
    pub fn queue_outgoing(&mut self, message: &ChatMessage) -> Result<bool, StoreError> {
        if message.direction != Direction::Outgoing {
            return Err(StoreError::NotOutgoing);
        }
        let pending = ChatMessage {
            delivery: Delivery::Pending,
            ..message.clone()
        };
        let tx = self.conn.transaction()?;
        if !messages::insert(&tx, &pending, None)? {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO outbox (peer, id) VALUES (?1, ?2)",
            params![pending.peer.as_str(), pending.id],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// The queued messages, in the order they were queued.
    pub fn outbox(&self) -> Result<Vec<ChatMessage>, StoreError> {
        Ok(self
            .outbox_entries()?
            .into_iter()
            .map(|entry| entry.message)
            .collect())
    }

    /// The queued messages with their attempt counts, in the order they were queued.
    pub fn outbox_entries(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS}, o.attempts FROM outbox o
             JOIN messages m ON m.peer = o.peer AND m.id = o.id
             ORDER BY o.position"
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement.query_map([], |row| {
            let attempts: u32 = row.get(7)?;
            Ok(messages::message_from_row(row)?.map(|message| OutboxEntry { message, attempts }))
        })?;
        let mut entries = Vec::new();
        for row in rows {
            entries.push(row??);
        }
        Ok(entries)
    }

    /// Counts one more attempt to send a queued message; returns the new count, or None when
    /// the message is not queued.
    pub fn note_attempt(&mut self, peer: &BareJid, id: &str) -> Result<Option<u32>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "UPDATE outbox SET attempts = attempts + 1 WHERE peer = ?1 AND id = ?2
                 RETURNING attempts",
                params![peer.as_str(), id],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// The server has the message: takes it out of the outbox and marks it Sent, atomically.
    /// Returns whether it was queued.
    pub fn mark_sent(&mut self, peer: &BareJid, id: &str) -> Result<bool, StoreError> {
        self.dequeue(peer, id, &Delivery::Sent)
    }

    /// Sending is given up: takes the message out of the outbox and marks it Failed with
    /// `reason`, atomically. Returns whether it was queued.
    pub fn mark_failed(
        &mut self,
        peer: &BareJid,
        id: &str,
        reason: &str,
    ) -> Result<bool, StoreError> {
        let failed = Delivery::Failed {
            reason: reason.to_string(),
        };
        self.dequeue(peer, id, &failed)
    }

    fn dequeue(
        &mut self,
        peer: &BareJid,
        id: &str,
        delivery: &Delivery,
    ) -> Result<bool, StoreError> {
        let tx = self.conn.transaction()?;
        let removed = tx.execute(
            "DELETE FROM outbox WHERE peer = ?1 AND id = ?2",
            params![peer.as_str(), id],
        )?;
        // Also when not queued: a late ack still moves the message on (never backwards).
        messages::set_delivery(&tx, peer, id, delivery)?;
        tx.commit()?;
        Ok(removed == 1)
    }
}
