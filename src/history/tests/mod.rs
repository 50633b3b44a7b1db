//! The history files: Messenger logs read the way they were written, Nudge's format back and
//! forth, and hostile files refused with the line named.

mod hostile;
mod round_trip;

use chrono::NaiveDateTime;

use super::{parse, ImportError, ImportOptions, LogKind, Parsed};
use crate::model::{bare, Direction};

/// Messenger's local times as if this computer were on UTC, so tests do not depend on the zone.
pub(super) fn utc(at: NaiveDateTime) -> Option<i64> {
    Some(at.and_utc().timestamp_millis())
}

pub(super) fn options(peer: Option<&str>, account: Option<&str>, me: &[&str]) -> ImportOptions {
    ImportOptions {
        peer: peer.map(bare),
        account: account.map(bare),
        own_names: me.iter().map(|n| n.to_string()).collect(),
        keep_exported_peers: false,
    }
}

pub(super) fn read(text: &str, options: &ImportOptions) -> Result<Parsed, ImportError> {
    parse(text.as_bytes(), options, &utc)
}

fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .expect("a test time")
        .timestamp_millis()
}

const WLM2009: &str = include_str!("samples/wlm2009_bob.xml");
const MSN7: &str = include_str!("samples/msn7_carol.xml");
const MSN6_US: &str = include_str!("samples/msn6_us_dates.xml");

#[test]
fn a_windows_live_messenger_log_becomes_the_conversation_with_the_contact() {
    let parsed = read(
        WLM2009,
        &options(Some("bob@example.org"), Some("alice@example.org"), &[]),
    )
    .expect("reads");
    assert_eq!(parsed.kind, LogKind::Messenger);
    let got: Vec<(Direction, &str, i64)> = parsed
        .messages
        .iter()
        .map(|m| (m.direction, m.body.as_str(), m.timestamp_ms))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Direction::Outgoing,
                "hey, are you there?",
                ms("2008-03-14T20:04:11.123Z")
            ),
            (
                Direction::Incoming,
                "yes! <3 Fish & chips tonight?",
                ms("2008-03-14T20:04:30.456Z")
            ),
            (
                Direction::Outgoing,
                "lol\nsee you at 8",
                ms("2008-03-14T20:06:00Z")
            ),
            // Bob under a new name (☼ as a character reference), the same words twice.
            (Direction::Incoming, "lol", ms("2008-03-15T09:15:42Z")),
            (Direction::Incoming, "lol", ms("2008-03-15T09:15:42Z")),
            (
                Direction::Outgoing,
                "   bye   ",
                ms("2008-03-15T09:17:30.500Z")
            ),
        ]
    );
    assert!(parsed
        .messages
        .iter()
        .all(|m| m.peer == bare("bob@example.org")));
    // The invitation, its answer, Carol's join, her message to both and her leave.
    assert_eq!(parsed.skipped, 5);
    // Equal messages get different ids, and the same ids on every reading.
    assert_ne!(parsed.messages[3].id, parsed.messages[4].id);
    let again = read(
        WLM2009,
        &options(Some("bob@example.org"), Some("alice@example.org"), &[]),
    )
    .expect("reads");
    assert_eq!(again.messages, parsed.messages);
}

#[test]
fn older_logs_with_only_local_dates_are_read_in_the_order_the_file_uses() {
    // 25/04/2005 can only be day first, so 03/04/2005 is the 3rd of April.
    let parsed = read(MSN7, &options(Some("carol@example.org"), None, &["Al"])).expect("reads");
    let got: Vec<(Direction, i64)> = parsed
        .messages
        .iter()
        .map(|m| (m.direction, m.timestamp_ms))
        .collect();
    assert_eq!(
        got,
        vec![
            (Direction::Outgoing, ms("2005-04-03T09:30:00Z")),
            (Direction::Incoming, ms("2005-04-25T18:02:07Z")),
        ]
    );
    // Nothing tells: month first, as Messenger's default format, and 12-hour times.
    let parsed = read(MSN6_US, &options(Some("dave@example.org"), None, &[])).expect("reads");
    assert_eq!(parsed.messages[0].timestamp_ms, ms("2004-04-03T21:30:00Z"));
    assert_eq!(parsed.messages[0].direction, Direction::Incoming);
}

#[test]
fn who_is_who_must_be_known() {
    let cases: &[(ImportOptions, &str)] = &[
        (options(None, Some("alice@example.org"), &[]), "--as JID"),
        (
            options(Some("zed@example.org"), Some("yan@example.org"), &[]),
            "cannot tell which of the names",
        ),
        (
            options(Some("alice@example.org"), Some("alice@example.net"), &[]),
            "both yours and the contact's",
        ),
    ];
    for (options, words) in cases {
        match read(WLM2009, options) {
            Err(ImportError::Sides(problem)) => {
                assert!(problem.contains(words), "{problem:?} lacks {words:?}")
            }
            other => panic!("expected a sides error with {words:?}, got {other:?}"),
        }
    }
    // --me settles it without an account.
    let parsed = read(WLM2009, &options(Some("zed@example.org"), None, &["alice"])).expect("reads");
    assert_eq!(parsed.messages[0].direction, Direction::Outgoing);
}

#[test]
fn dates_are_read_in_every_shape_messenger_wrote() {
    use super::dates::{date_order, parse_local, parse_utc, DateOrder};
    let at = |text: &str| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").ok();
    let cases = [
        (
            "14/03/2008",
            "21:04:11",
            DateOrder::DayFirst,
            at("2008-03-14 21:04:11"),
        ),
        (
            "3/14/2008",
            "9:04:11 PM",
            DateOrder::MonthFirst,
            at("2008-03-14 21:04:11"),
        ),
        (
            "14.03.08",
            "21:04",
            DateOrder::DayFirst,
            at("2008-03-14 21:04:00"),
        ),
        (
            "2008-03-14",
            "21:04:11",
            DateOrder::MonthFirst,
            at("2008-03-14 21:04:11"),
        ),
        ("31/02/2008", "21:04:11", DateOrder::DayFirst, None),
        ("14/03/2008", "25:00:00", DateOrder::DayFirst, None),
        ("yesterday", "21:04:11", DateOrder::DayFirst, None),
    ];
    for (date, time, order, expected) in cases {
        assert_eq!(parse_local(date, time, order), expected, "{date} {time}");
    }
    assert_eq!(
        date_order(["1/2/2008", "13/2/2008"]),
        Some(DateOrder::DayFirst)
    );
    assert_eq!(
        date_order(["1/2/2008", "2/13/2008"]),
        Some(DateOrder::MonthFirst)
    );
    assert_eq!(date_order(["13/2/2008", "2/13/2008"]), None);
    assert_eq!(
        parse_utc("2008-03-14T20:04:11Z"),
        Some(ms("2008-03-14T20:04:11Z"))
    );
    assert_eq!(
        parse_utc("2008-03-14T20:04:11.5"),
        Some(ms("2008-03-14T20:04:11.5Z"))
    );
    assert_eq!(parse_utc("2008-03-14"), None);
}
