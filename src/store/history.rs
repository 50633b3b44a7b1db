//! Bulk history for import and export: many messages in, every message out.
//!
//! Imports go through the same insert as received messages (`messages::insert`), so they
//! show in conversations like any other, and a (peer, id) pair already stored is skipped.

use rusqlite::{params, TransactionBehavior};

use super::messages::{insert, message_from_row, MESSAGE_COLUMNS};
use super::{Store, StoreError};
use crate::model::{BareJid, ChatMessage};

impl Store {
    /// Stores `messages` in one transaction: all of them or, on any failure, none. Returns
    /// how many were new; the others were already stored under the same peer and id.
    ///
    /// The transaction takes the write lock first (`BEGIN IMMEDIATE`), so a Nudge running on
    /// the same file waits for it (up to the busy timeout) instead of failing half-way.
    pub fn import_messages(&mut self, messages: &[ChatMessage]) -> Result<usize, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut added = 0;
        for message in messages {
            if insert(&tx, message, None)? {
                added += 1;
            }
        }
        tx.commit()?;
        Ok(added)
    }

    /// Calls `each` with every stored message, or only those with `peer`, conversation by
    /// conversation (peers in address order), oldest first within each. Reads one consistent
    /// snapshot; stops at the first error `each` returns.
    pub fn for_each_message<E: From<StoreError>>(
        &mut self,
        peer: Option<&BareJid>,
        mut each: impl FnMut(ChatMessage) -> Result<(), E>,
    ) -> Result<(), E> {
        let tx = self.conn.transaction().map_err(StoreError::from)?;
        {
            let sql = format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages m WHERE ?1 IS NULL OR m.peer = ?1
                 ORDER BY m.peer, m.timestamp_ms, m.seq"
            );
            let mut statement = tx.prepare(&sql).map_err(StoreError::from)?;
            let rows = statement
                .query_map(params![peer.map(|peer| peer.as_str())], message_from_row)
                .map_err(StoreError::from)?;
            for row in rows {
                each(row.map_err(StoreError::from)??)?;
            }
        }
        // Read only: nothing to keep.
        tx.rollback().map_err(StoreError::from)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{bare, ChatMessage, Delivery, Direction};
    use crate::store::Store;

    fn message(id: &str, body: &str) -> ChatMessage {
        ChatMessage {
            id: id.into(),
            peer: bare("bob@example.org"),
            direction: Direction::Incoming,
            body: body.into(),
            timestamp_ms: 1_000,
            delivery: Delivery::Received,
        }
    }

    #[test]
    fn an_import_that_fails_half_way_keeps_nothing_and_a_repeat_adds_nothing() {
        let mut store = Store::open_in_memory().expect("store");
        // A failure SQLite raises on the third insert, after two succeeded.
        store
            .conn
            .execute_batch(
                "CREATE TRIGGER refuse BEFORE INSERT ON messages WHEN NEW.body = 'boom'
                 BEGIN SELECT RAISE(ABORT, 'refused'); END;",
            )
            .expect("trigger");
        let batch = [
            message("a", "one"),
            message("b", "two"),
            message("c", "boom"),
        ];
        assert!(store.import_messages(&batch).is_err());
        assert!(store.conversations().expect("read").is_empty());

        assert_eq!(store.import_messages(&batch[..2]).expect("import"), 2);
        assert_eq!(store.import_messages(&batch[..2]).expect("import"), 0);
        let mut seen = Vec::new();
        store
            .for_each_message::<crate::store::StoreError>(None, |m| {
                seen.push(m.id);
                Ok(())
            })
            .expect("read");
        assert_eq!(seen, ["a", "b"]);
    }
}
