//! The user-facing text for states: one place, so wording stays consistent and is tested.

use chrono::{FixedOffset, Local, TimeZone};

use crate::model::{ConnectionState, Delivery};

/// The connection state in plain words, or `None` when there is nothing to say.
pub fn connection(state: &ConnectionState, now_ms: i64) -> Option<String> {
    match state {
        ConnectionState::Offline | ConnectionState::Online { .. } => None,
        ConnectionState::Connecting => Some("Connecting…".to_string()),
        ConnectionState::Reconnecting {
            next_attempt_ms,
            attempt,
            reason,
        } => {
            let seconds = ((next_attempt_ms - now_ms).max(0) + 999) / 1000;
            Some(format!(
                "Reconnecting in {seconds} s (attempt {attempt}): {reason}"
            ))
        }
        ConnectionState::AuthFailed { message } => Some(format!("Sign-in refused: {message}")),
        ConnectionState::CertificateRejected { message, .. } => Some(format!(
            "The server's certificate is not trusted: {message}"
        )),
        ConnectionState::Failed { message } => Some(format!("Could not connect: {message}")),
    }
}

/// The mark after an outgoing message and the words shown when hovering it.
///
/// Words, not symbols: egui's default font has no check mark, hourglass or warning sign.
pub fn delivery_mark(delivery: &Delivery) -> Option<(&'static str, String)> {
    match delivery {
        Delivery::Pending => Some(("sending…", "Waiting to be sent".to_string())),
        Delivery::Sent => Some(("sent", "The server has it".to_string())),
        Delivery::Delivered => Some(("delivered", "The contact's device confirmed it".to_string())),
        Delivery::Failed { reason } => Some(("not delivered", format!("Not delivered: {reason}"))),
        Delivery::Received => None,
    }
}

/// `HH:MM` of a timestamp in the user's time zone.
pub fn clock_time(timestamp_ms: i64) -> String {
    Local
        .timestamp_millis_opt(timestamp_ms)
        .single()
        .map(|time| time.format("%H:%M").to_string())
        .unwrap_or_default()
}

/// `HH:MM` of a timestamp at a fixed UTC offset.
pub fn clock_time_at(timestamp_ms: i64, offset: FixedOffset) -> String {
    offset
        .timestamp_millis_opt(timestamp_ms)
        .single()
        .map(|time| time.format("%H:%M").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnecting_counts_down_in_whole_seconds() {
        let state = ConnectionState::Reconnecting {
            next_attempt_ms: 10_000,
            attempt: 3,
            reason: "connection reset".into(),
        };
        assert_eq!(
            connection(&state, 2_500).as_deref(),
            Some("Reconnecting in 8 s (attempt 3): connection reset")
        );
        assert_eq!(
            connection(&state, 20_000).as_deref(),
            Some("Reconnecting in 0 s (attempt 3): connection reset")
        );
    }

    #[test]
    fn final_states_carry_the_servers_words() {
        let refused = ConnectionState::AuthFailed {
            message: "not-authorized".into(),
        };
        assert!(connection(&refused, 0).is_some_and(|t| t.contains("not-authorized")));
        let failed = ConnectionState::Failed {
            message: "no such host".into(),
        };
        assert!(connection(&failed, 0).is_some_and(|t| t.contains("no such host")));
        assert_eq!(connection(&ConnectionState::Offline, 0), None);
    }

    #[test]
    fn failures_explain_themselves_on_hover() {
        let failed = Delivery::Failed {
            reason: "recipient unavailable".into(),
        };
        assert_eq!(
            delivery_mark(&failed),
            Some((
                "not delivered",
                "Not delivered: recipient unavailable".to_string()
            ))
        );
        assert_eq!(delivery_mark(&Delivery::Received), None);
    }

    #[test]
    fn times_are_hours_and_minutes_at_the_offset() {
        // 2024-01-01 12:34:56 UTC.
        let at = 1_704_112_496_000;
        let utc = FixedOffset::east_opt(0).expect("valid offset");
        let plus_two = FixedOffset::east_opt(2 * 3600).expect("valid offset");
        assert_eq!(clock_time_at(at, utc), "12:34");
        assert_eq!(clock_time_at(at, plus_two), "14:34");
        assert_eq!(clock_time(at).len(), 5);
    }
}
