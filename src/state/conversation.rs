//! One conversation's messages, kept in time order without duplicates.
//!
//! A conversation can hold 100,000 messages, so adding a batch (a history page) costs one pass
//! over the stored messages, never one pass per message added.

use std::collections::HashMap;

use crate::model::{ChatMessage, ChatState};

/// A one-to-one conversation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Conversation {
    /// Messages, oldest first.
    pub messages: Vec<ChatMessage>,
    /// What the contact last said about typing.
    pub their_state: Option<ChatState>,
    /// Messages received since the user last looked.
    pub unread: usize,
}

impl Conversation {
    /// Inserts or replaces by id, keeping time order; re-delivery never duplicates. Returns
    /// whether the message was new.
    pub(super) fn upsert(&mut self, message: ChatMessage) -> bool {
        // A message seen again (an update, a re-delivery) is nearly always a recent one.
        if let Some(existing) = self.messages.iter_mut().rev().find(|m| m.id == message.id) {
            *existing = message;
            return false;
        }
        let at = self
            .messages
            .partition_point(|m| m.timestamp_ms <= message.timestamp_ms);
        self.messages.insert(at, message);
        true
    }

    /// Upserts a batch as if one by one, in one pass over the stored messages: known ids are
    /// replaced in place, new messages are merged in by time (after stored ones of the same
    /// time, in batch order among themselves). A batch repeating an id keeps the last copy, at
    /// the place the first one would have taken.
    pub(super) fn merge(&mut self, batch: Vec<ChatMessage>) {
        if batch.len() <= 1 {
            for message in batch {
                self.upsert(message);
            }
            return;
        }
        // Each distinct id once, in first-seen order, with the time that places it.
        let mut slots: HashMap<String, usize> = HashMap::with_capacity(batch.len());
        let mut unique: Vec<(i64, Option<ChatMessage>)> = Vec::with_capacity(batch.len());
        for message in batch {
            match slots.get(&message.id) {
                Some(&slot) => unique[slot].1 = Some(message),
                None => {
                    slots.insert(message.id.clone(), unique.len());
                    unique.push((message.timestamp_ms, Some(message)));
                }
            }
        }
        for stored in &mut self.messages {
            if let Some(&slot) = slots.get(&stored.id) {
                if let Some(update) = unique[slot].1.take() {
                    *stored = update;
                }
            }
        }
        let mut new: Vec<(i64, ChatMessage)> = unique
            .into_iter()
            .filter_map(|(at, message)| message.map(|m| (at, m)))
            .collect();
        if new.is_empty() {
            return;
        }
        // Stable: messages of the same time keep the batch's order.
        new.sort_by_key(|(at, _)| *at);
        let stored = std::mem::take(&mut self.messages);
        let mut merged = Vec::with_capacity(stored.len() + new.len());
        let mut stored = stored.into_iter().peekable();
        for (at, message) in new {
            while let Some(older) = stored.next_if(|m| m.timestamp_ms <= at) {
                merged.push(older);
            }
            merged.push(message);
        }
        merged.extend(stored);
        self.messages = merged;
    }
}

#[cfg(test)]
#[path = "conversation_tests.rs"]
mod tests;
