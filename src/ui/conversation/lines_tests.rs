use super::*;
use crate::model::{bare, Delivery};

const MINUTE: i64 = 60_000;

/// Noon on 2 January 2024 in the local time zone, so day boundaries are the local ones.
fn noon() -> i64 {
    Local
        .with_ymd_and_hms(2024, 1, 2, 12, 0, 0)
        .single()
        .map(|t| t.timestamp_millis())
        .expect("a valid local time")
}

fn message(id: &str, direction: Direction, at: i64, body: &str) -> ChatMessage {
    ChatMessage {
        id: id.into(),
        peer: bare("bob@b"),
        direction,
        body: body.into(),
        timestamp_ms: at,
        delivery: Delivery::Received,
    }
}

fn day(ms: i64) -> Line {
    Line::Day(local_date(ms).expect("a date"))
}

fn first(index: usize) -> Line {
    Line::Message {
        index,
        first_of_group: true,
    }
}

fn more(index: usize) -> Line {
    Line::Message {
        index,
        first_of_group: false,
    }
}

#[test]
fn messages_group_by_sender_within_five_minutes_and_days_are_separated() {
    let t = noon();
    let messages = [
        message("a", Direction::Incoming, t - 24 * 60 * MINUTE, "yesterday"),
        message("b", Direction::Incoming, t, "hi"),
        message("c", Direction::Incoming, t + MINUTE, "are you there?"),
        message("d", Direction::Outgoing, t + 2 * MINUTE, "yes"),
        message("e", Direction::Outgoing, t + 10 * MINUTE, "later"),
    ];
    let mut lines = Lines::default();
    assert_eq!(
        lines.update(&messages, &[]),
        [
            day(t - 24 * 60 * MINUTE),
            first(0),
            day(t),
            first(1),
            more(2),
            first(3),
            first(4),
        ]
    );
}

#[test]
fn an_action_stands_alone_and_nudges_merge_by_time() {
    let t = noon();
    let messages = [
        message("a", Direction::Incoming, t, "hi"),
        message("b", Direction::Incoming, t + MINUTE, "/me waves"),
        message("c", Direction::Incoming, t + 2 * MINUTE, "so"),
        message("d", Direction::Incoming, t + 4 * MINUTE, "well"),
    ];
    let nudges = [NudgeLine {
        at_ms: t + 3 * MINUTE,
        from_me: false,
    }];
    let mut lines = Lines::default();
    assert_eq!(
        lines.update(&messages, &nudges),
        [
            day(t),
            first(0),
            first(1),
            first(2),
            Line::Nudge(0),
            first(3)
        ]
    );
}

#[test]
fn growing_at_the_end_appends_and_anything_else_rebuilds() {
    let t = noon();
    let mut messages = vec![
        message("a", Direction::Incoming, t, "one"),
        message("b", Direction::Incoming, t + MINUTE, "two"),
    ];
    let mut lines = Lines::default();
    lines.update(&messages, &[]);
    messages.push(message("c", Direction::Incoming, t + 2 * MINUTE, "three"));
    assert_eq!(
        lines.update(&messages, &[]),
        [day(t), first(0), more(1), more(2)]
    );
    // Older history arrives in front: every index moves.
    messages.insert(0, message("z", Direction::Outgoing, t - MINUTE, "zero"));
    assert_eq!(
        lines.update(&messages, &[]),
        [day(t), first(0), first(1), more(2), more(3)]
    );
    // A late nudge stamped before the last line also rebuilds rather than misordering.
    let nudges = [NudgeLine {
        at_ms: t + 30_000,
        from_me: true,
    }];
    assert_eq!(
        lines.update(&messages, &nudges),
        [
            day(t),
            first(0),
            first(1),
            Line::Nudge(0),
            first(2),
            more(3)
        ]
    );
}

#[test]
fn days_are_named_today_yesterday_or_by_date() {
    let today = NaiveDate::from_ymd_opt(2024, 1, 2).expect("a date");
    let yesterday = NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date");
    let before = NaiveDate::from_ymd_opt(2023, 12, 25).expect("a date");
    assert_eq!(day_label(today, today), "Today");
    assert_eq!(day_label(yesterday, today), "Yesterday");
    assert_eq!(day_label(before, today), "Monday 25 December 2023");
}

#[test]
fn me_actions_follow_xep_0245() {
    assert_eq!(action("/me waves"), Some("waves"));
    assert_eq!(action("/me  waves back"), Some("waves back"));
    assert_eq!(action("/me"), None);
    assert_eq!(action("/me "), None);
    assert_eq!(action("/meow"), None);
    assert_eq!(action(" /me waves"), None, "only at the very start");
    assert_eq!(action_line("Bob", "waves"), "* Bob waves");
    assert_eq!(says("Bob"), "Bob says:");
}

#[test]
fn nudge_lines_say_who_sent_it() {
    let line = |from_me| NudgeLine { at_ms: 0, from_me };
    assert_eq!(nudge_text(&line(false), "Bob"), "Bob sent you a nudge!");
    assert_eq!(nudge_text(&line(true), "Bob"), "You sent a nudge.");
}
