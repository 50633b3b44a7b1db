use super::*;
use crate::model::{bare, Delivery, Direction};

fn message(id: &str, at: i64, body: &str) -> ChatMessage {
    ChatMessage {
        id: id.into(),
        peer: bare("bob@x"),
        direction: Direction::Incoming,
        body: body.into(),
        timestamp_ms: at,
        delivery: Delivery::Received,
    }
}

/// The batch added one message at a time: what `merge` must match.
fn one_by_one(start: &Conversation, batch: &[ChatMessage]) -> Vec<ChatMessage> {
    let mut conversation = start.clone();
    for m in batch {
        conversation.upsert(m.clone());
    }
    conversation.messages
}

fn ids(messages: &[ChatMessage]) -> Vec<&str> {
    messages.iter().map(|m| m.id.as_str()).collect()
}

#[test]
fn upsert_reports_new_messages_and_replaces_known_ones() {
    let mut conversation = Conversation::default();
    assert!(conversation.upsert(message("a", 10, "one")));
    assert!(conversation.upsert(message("b", 5, "two")));
    assert!(!conversation.upsert(message("a", 10, "one, edited")));
    assert_eq!(ids(&conversation.messages), ["b", "a"]);
    assert_eq!(conversation.messages[1].body, "one, edited");
}

#[test]
fn a_batch_is_merged_by_time_after_stored_messages_of_the_same_time() {
    let mut conversation = Conversation::default();
    conversation.merge(vec![message("s1", 10, ""), message("s2", 20, "")]);
    conversation.merge(vec![
        message("n3", 20, ""),
        message("n1", 5, ""),
        message("s1", 10, "replaced"),
        message("n2", 20, ""),
        message("n4", 30, ""),
    ]);
    assert_eq!(
        ids(&conversation.messages),
        ["n1", "s1", "s2", "n3", "n2", "n4"]
    );
    assert_eq!(conversation.messages[1].body, "replaced");
}

#[test]
fn a_batch_repeating_an_id_keeps_the_last_copy_where_the_first_went() {
    let mut conversation = Conversation::default();
    conversation.merge(vec![message("s", 10, "")]);
    let batch = [
        message("a", 5, "first"),
        message("b", 7, ""),
        message("a", 5, "second"),
    ];
    let expected = one_by_one(&conversation, &batch);
    conversation.merge(batch.to_vec());
    assert_eq!(conversation.messages, expected);
    assert_eq!(ids(&conversation.messages), ["a", "b", "s"]);
    assert_eq!(conversation.messages[0].body, "second");
}

#[test]
fn merging_matches_adding_one_by_one_for_many_batches() {
    // A small deterministic generator: times collide often, ids repeat across batches.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |below: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % below
    };
    for round in 0..200 {
        let mut conversation = Conversation::default();
        for _ in 0..4 {
            let batch: Vec<ChatMessage> = (0..next(12))
                .map(|n| {
                    // A message's time never changes when it comes again, so it follows the id.
                    let id = next(30);
                    message(
                        &format!("m{id}"),
                        (id % 8) as i64 * 10,
                        &format!("{round}.{n}"),
                    )
                })
                .collect();
            let expected = one_by_one(&conversation, &batch);
            conversation.merge(batch);
            assert_eq!(conversation.messages, expected, "round {round}");
        }
    }
}

#[test]
fn loading_a_history_again_changes_nothing() {
    let mut conversation = Conversation::default();
    let history: Vec<ChatMessage> = (0..10_000)
        .map(|n| message(&format!("m{n}"), n, ""))
        .collect();
    conversation.merge(history.clone());
    conversation.merge(history.clone());
    assert_eq!(conversation.messages, history);
}
