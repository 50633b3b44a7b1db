//! The times in history files: RFC 3339 in Nudge's own format and in Messenger's `DateTime`,
//! and Messenger's older `Date`/`Time` pair, written in the saving computer's local time and
//! short-date format.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeZone, Utc};

/// A time in milliseconds since the Unix epoch, as RFC 3339 in UTC with milliseconds
/// (`2008-03-14T20:04:11.123Z`); `None` for times chrono cannot represent.
pub(super) fn format_utc(ms: i64) -> Option<String> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|at| at.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// An RFC 3339 time (`2008-03-14T20:04:11.123Z`, `2008-03-14T21:04:11+01:00`); without an
/// offset, as Messenger sometimes wrote it, the time is UTC.
pub(super) fn parse_utc(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.timestamp_millis());
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|at| at.and_utc().timestamp_millis())
}

/// How a file writes its short dates: Messenger used the computer's regional format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum DateOrder {
    /// 3/14/2008 (the United States).
    MonthFirst,
    /// 14/03/2008 or 14.03.2008 (most other places).
    DayFirst,
}

/// The three numbers of a short date in the order written, or a year-first date's parts.
enum ShortDate {
    YearFirst(i32, u32, u32),
    Ambiguous(u32, u32, i32),
}

fn split_date(text: &str) -> Option<ShortDate> {
    let parts: Vec<&str> = text.trim().split(['/', '.', '-']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    if a.len() == 4 {
        return Some(ShortDate::YearFirst(
            a.parse().ok()?,
            b.parse().ok()?,
            c.parse().ok()?,
        ));
    }
    let year: i32 = c.parse().ok()?;
    // Two-digit years: Messenger existed from 1999, so 99 is 1999 and 08 is 2008.
    let year = match (c.len(), year) {
        (2, 70..) => 1900 + year,
        (2, _) => 2000 + year,
        _ => year,
    };
    Some(ShortDate::Ambiguous(a.parse().ok()?, b.parse().ok()?, year))
}

/// The order a whole file's dates are in, judged from the dates that tell (a first number over
/// 12 is a day); `None` when some tell one way and some the other. Files whose dates never
/// tell are read month first, as Messenger's own default (United States) format wrote them.
pub(super) fn date_order<'a>(dates: impl IntoIterator<Item = &'a str>) -> Option<DateOrder> {
    let (mut day_first, mut month_first) = (false, false);
    for date in dates {
        if let Some(ShortDate::Ambiguous(a, b, _)) = split_date(date) {
            day_first |= a > 12;
            month_first |= b > 12;
        }
    }
    match (day_first, month_first) {
        (true, true) => None,
        (true, false) => Some(DateOrder::DayFirst),
        _ => Some(DateOrder::MonthFirst),
    }
}

/// A local date and time from Messenger's `Date` and `Time` (`21:04:11`, `9:04:11 PM`).
pub(super) fn parse_local(date: &str, time: &str, order: DateOrder) -> Option<NaiveDateTime> {
    let date = match split_date(date)? {
        ShortDate::YearFirst(y, m, d) => NaiveDate::from_ymd_opt(y, m, d)?,
        ShortDate::Ambiguous(a, b, y) => match order {
            DateOrder::MonthFirst => NaiveDate::from_ymd_opt(y, a, b)?,
            DateOrder::DayFirst => NaiveDate::from_ymd_opt(y, b, a)?,
        },
    };
    let time = time.trim();
    let time = ["%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p"]
        .iter()
        .find_map(|format| NaiveTime::parse_from_str(time, format).ok())?;
    Some(date.and_time(time))
}

/// A local time in the computer's time zone, in milliseconds since the Unix epoch. A time that
/// a clock change skipped or repeated takes the earlier reading.
pub fn local_to_ms(at: NaiveDateTime) -> Option<i64> {
    chrono::Local
        .from_local_datetime(&at)
        .earliest()
        .map(|at| at.timestamp_millis())
}
