//! One-to-one message history: inserting without duplicates, delivery updates and paging.
//!
//! Messages are ordered by `(timestamp_ms, seq)`: the timestamp first, then insertion order for
//! equal timestamps, which is total and stable.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{Store, StoreError};
use crate::model::{BareJid, ChatMessage, Delivery, Direction};

/// The columns [`message_from_row`] reads, in order.
pub(super) const MESSAGE_COLUMNS: &str =
    "m.peer, m.id, m.direction, m.body, m.timestamp_ms, m.delivery, m.failure_reason";

impl Store {
    /// Stores a message; returns false when (peer, id) was already stored, so re-delivery of the
    /// same message never duplicates it.
    pub fn insert_message(&mut self, message: &ChatMessage) -> Result<bool, StoreError> {
        insert(&self.conn, message, None)
    }

    /// Stores a message together with the server's XEP-0359 `<stanza-id>`; returns false when
    /// the message was already known by its id or its stanza-id. A known message that lacked
    /// the stanza-id gets it, so a later MAM sync recognises it.
    pub fn insert_message_with_stanza_id(
        &mut self,
        message: &ChatMessage,
        stanza_id: &str,
    ) -> Result<bool, StoreError> {
        let tx = self.conn.transaction()?;
        let inserted = insert(&tx, message, Some(stanza_id))?;
        if !inserted {
            // OR IGNORE: if another message already carries this stanza-id, keep that link.
            tx.execute(
                "UPDATE OR IGNORE messages SET stanza_id = ?3
                 WHERE peer = ?1 AND id = ?2 AND stanza_id IS NULL",
                params![message.peer.as_str(), message.id, stanza_id],
            )?;
        }
        tx.commit()?;
        Ok(inserted)
    }

    /// Stores a page of archived messages (XEP-0313) in one transaction, each with its archive
    /// id; returns the ones that were new, in page order. A message already known without an
    /// archive id gets it, so the next catch-up starts after it.
    pub fn insert_archived(
        &mut self,
        messages: &[(ChatMessage, String)],
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let tx = self.conn.transaction()?;
        let mut new = Vec::new();
        for (message, stanza_id) in messages {
            if insert(&tx, message, Some(stanza_id))? {
                new.push(message.clone());
            } else {
                tx.execute(
                    "UPDATE OR IGNORE messages SET stanza_id = ?3
                     WHERE peer = ?1 AND id = ?2 AND stanza_id IS NULL",
                    params![message.peer.as_str(), message.id, stanza_id],
                )?;
            }
        }
        tx.commit()?;
        Ok(new)
    }

    /// One message, if stored.
    pub fn message(&self, peer: &BareJid, id: &str) -> Result<Option<ChatMessage>, StoreError> {
        let sql =
            format!("SELECT {MESSAGE_COLUMNS} FROM messages m WHERE m.peer = ?1 AND m.id = ?2");
        self.conn
            .query_row(&sql, params![peer.as_str(), id], message_from_row)
            .optional()?
            .transpose()
    }

    /// The server stanza-id and timestamp of the newest archived message of any conversation:
    /// where a MAM catch-up starts.
    pub fn newest_archived(&self) -> Result<Option<(String, i64)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT stanza_id, timestamp_ms FROM messages WHERE stanza_id IS NOT NULL
                 ORDER BY timestamp_ms DESC, seq DESC LIMIT 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?)
    }

    /// Moves an outgoing message on its way; returns whether it changed. A message never steps
    /// back: once Delivered it stays Delivered (a late server ack must not undo a receipt).
    pub fn set_delivery(
        &mut self,
        peer: &BareJid,
        id: &str,
        delivery: &Delivery,
    ) -> Result<bool, StoreError> {
        set_delivery(&self.conn, peer, id, delivery)
    }

    /// The newest `limit` messages with `peer`, oldest first.
    pub fn recent_messages(
        &self,
        peer: &BareJid,
        limit: usize,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m WHERE m.peer = ?1
             ORDER BY m.timestamp_ms DESC, m.seq DESC LIMIT ?2"
        );
        let mut page = query_messages(&self.conn, &sql, params![peer.as_str(), to_limit(limit)])?;
        page.reverse();
        Ok(page)
    }

    /// The `limit` messages with `peer` just before the message (`before_timestamp_ms`,
    /// `before_id`), oldest first: the page above what is shown. When `before_id` is unknown,
    /// the page ends at messages strictly older than `before_timestamp_ms`.
    pub fn messages_before(
        &self,
        peer: &BareJid,
        before_timestamp_ms: i64,
        before_id: &str,
        limit: usize,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m
             WHERE m.peer = ?1 AND (m.timestamp_ms < ?2 OR (m.timestamp_ms = ?2 AND m.seq <
                 COALESCE((SELECT c.seq FROM messages c WHERE c.peer = ?1 AND c.id = ?3), -1)))
             ORDER BY m.timestamp_ms DESC, m.seq DESC LIMIT ?4"
        );
        let mut page = query_messages(
            &self.conn,
            &sql,
            params![
                peer.as_str(),
                before_timestamp_ms,
                before_id,
                to_limit(limit)
            ],
        )?;
        page.reverse();
        Ok(page)
    }

    /// Every conversation with its last message, newest conversation first.
    pub fn conversations(&self) -> Result<Vec<(BareJid, ChatMessage)>, StoreError> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM (SELECT DISTINCT peer FROM messages) p
             JOIN messages m ON m.seq = (SELECT x.seq FROM messages x WHERE x.peer = p.peer
                 ORDER BY x.timestamp_ms DESC, x.seq DESC LIMIT 1)
             ORDER BY m.timestamp_ms DESC, m.seq DESC"
        );
        let messages = query_messages(&self.conn, &sql, [])?;
        Ok(messages
            .into_iter()
            .map(|message| (message.peer.clone(), message))
            .collect())
    }
}

pub(super) fn insert(
    conn: &Connection,
    message: &ChatMessage,
    stanza_id: Option<&str>,
) -> Result<bool, StoreError> {
    let (delivery, reason) = delivery_to_sql(&message.delivery);
    let changed = conn.execute(
        "INSERT OR IGNORE INTO messages
             (peer, id, stanza_id, direction, body, timestamp_ms, delivery, failure_reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            message.peer.as_str(),
            message.id,
            stanza_id,
            direction_to_sql(message.direction),
            message.body,
            message.timestamp_ms,
            delivery,
            reason,
        ],
    )?;
    Ok(changed == 1)
}

/// The states a message may be in for `new` to replace them: a receipt may arrive before the
/// server's ack, and a retry or late receipt may follow a failure, but nothing undoes Delivered.
/// Always four entries (repeated where fewer apply) so the statement has a fixed arity.
fn allowed_before(new: &Delivery) -> [&'static str; 4] {
    match new {
        Delivery::Pending => ["pending", "failed", "failed", "failed"],
        Delivery::Sent => ["pending", "sent", "failed", "failed"],
        Delivery::Delivered => ["pending", "sent", "delivered", "failed"],
        Delivery::Failed { .. } => ["pending", "sent", "failed", "failed"],
        Delivery::Received => ["received", "received", "received", "received"],
    }
}

pub(super) fn set_delivery(
    conn: &Connection,
    peer: &BareJid,
    id: &str,
    delivery: &Delivery,
) -> Result<bool, StoreError> {
    let (state, reason) = delivery_to_sql(delivery);
    let [a, b, c, d] = allowed_before(delivery);
    let changed = conn.execute(
        "UPDATE messages SET delivery = ?3, failure_reason = ?4
         WHERE peer = ?1 AND id = ?2 AND delivery IN (?5, ?6, ?7, ?8)
           AND NOT (delivery = ?3 AND failure_reason IS ?4)",
        params![peer.as_str(), id, state, reason, a, b, c, d],
    )?;
    Ok(changed == 1)
}

pub(super) fn query_messages<P: rusqlite::Params>(
    conn: &Connection,
    sql: &str,
    params: P,
) -> Result<Vec<ChatMessage>, StoreError> {
    let mut statement = conn.prepare_cached(sql)?;
    let rows = statement.query_map(params, message_from_row)?;
    let mut messages = Vec::new();
    for row in rows {
        messages.push(row??);
    }
    Ok(messages)
}

/// Reads [`MESSAGE_COLUMNS`]; the outer error is SQLite's, the inner one an unknown value.
pub(super) fn message_from_row(row: &Row<'_>) -> rusqlite::Result<Result<ChatMessage, StoreError>> {
    let peer: String = row.get(0)?;
    let direction: String = row.get(2)?;
    let delivery: String = row.get(5)?;
    let reason: Option<String> = row.get(6)?;
    let peer = match jid_from_sql(&peer) {
        Ok(peer) => peer,
        Err(error) => return Ok(Err(error)),
    };
    let (Some(direction), Some(delivery)) = (
        direction_from_sql(&direction),
        delivery_from_sql(&delivery, reason),
    ) else {
        return Ok(Err(StoreError::Corrupt(format!(
            "a message has direction {direction:?} and delivery {delivery:?}"
        ))));
    };
    Ok(Ok(ChatMessage {
        id: row.get(1)?,
        peer,
        direction,
        body: row.get(3)?,
        timestamp_ms: row.get(4)?,
        delivery,
    }))
}

/// A bare JID column: written from a `BareJid`, so anything else was not written by Nudge.
pub(super) fn jid_from_sql(text: &str) -> Result<BareJid, StoreError> {
    BareJid::new(text).map_err(|error| {
        StoreError::Corrupt(format!(
            "a stored address {text:?} is not a bare JID ({error})"
        ))
    })
}

fn to_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

fn direction_to_sql(direction: Direction) -> &'static str {
    match direction {
        Direction::Incoming => "incoming",
        Direction::Outgoing => "outgoing",
    }
}

fn direction_from_sql(text: &str) -> Option<Direction> {
    match text {
        "incoming" => Some(Direction::Incoming),
        "outgoing" => Some(Direction::Outgoing),
        _ => None,
    }
}

pub(super) fn delivery_to_sql(delivery: &Delivery) -> (&'static str, Option<&str>) {
    match delivery {
        Delivery::Pending => ("pending", None),
        Delivery::Sent => ("sent", None),
        Delivery::Delivered => ("delivered", None),
        Delivery::Failed { reason } => ("failed", Some(reason.as_str())),
        Delivery::Received => ("received", None),
    }
}

fn delivery_from_sql(text: &str, reason: Option<String>) -> Option<Delivery> {
    match text {
        "pending" => Some(Delivery::Pending),
        "sent" => Some(Delivery::Sent),
        "delivered" => Some(Delivery::Delivered),
        "failed" => Some(Delivery::Failed {
            reason: reason.unwrap_or_default(),
        }),
        "received" => Some(Delivery::Received),
        _ => None,
    }
}
