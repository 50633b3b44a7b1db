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

fn session(role: Role, state: SessionState) -> InviteSession {
    InviteSession {
        id: "s1".into(),
        role,
        origin: crate::invite::Origin::Menu,
        app_guid: "{00000000-0000-0000-0000-000000000001}".into(),
        app_name: "Tic-Tac-Toe".into(),
        download_url: "https://example.org/ttt".into(),
        peer: "bob@example.org".into(),
        state,
        context: None,
        local_address: None,
        remote_address: None,
        app_present: true,
        end_reason: None,
        end_text: None,
        created_ms: 0,
    }
}

fn ended(role: Role, state: SessionState, reason: EndReason) -> InviteSession {
    InviteSession {
        end_reason: Some(reason),
        ..session(role, state)
    }
}

#[test]
fn games_are_played_and_other_programs_used() {
    assert_eq!(app_verb("Tic-Tac-Toe"), "play");
    assert_eq!(app_verb("Chess Club"), "play");
    assert_eq!(app_verb("Whiteboard"), "use");
    assert_eq!(
        invitation_toast("Bob", "Whiteboard"),
        "Bob invites you to use Whiteboard"
    );
}

#[test]
fn network_text_cannot_hide_or_reorder_what_is_shown() {
    assert_eq!(plain("a\u{202E}gpj.exe", false), "a\u{FFFD}gpj.exe");
    assert_eq!(plain("line\nnext\u{7}", true), "line\nnext\u{FFFD}");
    assert_eq!(plain("line\nnext", false), "line\u{FFFD}next");
    let long = "x".repeat(CONTEXT_PREVIEW_CHARS + 10);
    let preview = context_preview(&long);
    assert!(preview.ends_with(&format!("({} bytes in all)", long.len())));
    assert_eq!(context_preview("<b>hi</b>"), "<b>hi</b>");
}

#[test]
fn the_dialog_names_the_inviter_and_says_what_accepting_does() {
    assert_eq!(
        invitation_from("Bob", "bob@example.org", "Tic-Tac-Toe"),
        "Bob (bob@example.org) invites you to play Tic-Tac-Toe."
    );
    assert_eq!(
        invitation_from("bob@example.org", "bob@example.org", "Paint"),
        "bob@example.org invites you to use Paint."
    );
    assert!(download_note("https://example.org/get").contains("opens this address"));
    assert!(download_note("http://example.org/get").contains("will not open"));
}

#[test]
fn outgoing_sessions_in_plain_words() {
    let no_notes = SessionNotes::default();
    let cases = [
        (
            session(Role::Inviter, SessionState::Invitation),
            no_notes,
            "Waiting for Bob to accept Tic-Tac-Toe…",
        ),
        (
            session(Role::Inviter, SessionState::Invitation),
            SessionNotes {
                peer_lacks_app: true,
                not_accepting: false,
            },
            "Bob doesn't have Tic-Tac-Toe yet; waiting while they get it…",
        ),
        (
            session(Role::Inviter, SessionState::Connected),
            no_notes,
            "Tic-Tac-Toe is running",
        ),
        (
            ended(Role::Inviter, SessionState::Declined, EndReason::Decline),
            no_notes,
            "Bob declined the invitation to Tic-Tac-Toe",
        ),
        (
            ended(Role::Inviter, SessionState::Declined, EndReason::Decline),
            SessionNotes {
                peer_lacks_app: false,
                not_accepting: true,
            },
            "Bob is not accepting invitations",
        ),
        (
            ended(
                Role::Inviter,
                SessionState::Declined,
                EndReason::SecurityError,
            ),
            no_notes,
            "Bob is not accepting invitations",
        ),
        (
            ended(
                Role::Inviter,
                SessionState::Declined,
                EndReason::UnsupportedApplications,
            ),
            no_notes,
            "Bob doesn't have Tic-Tac-Toe",
        ),
        (
            ended(Role::Inviter, SessionState::Cancelled, EndReason::Cancel),
            no_notes,
            "You cancelled the invitation to Tic-Tac-Toe",
        ),
        (
            ended(Role::Inviter, SessionState::Terminated, EndReason::Timeout),
            no_notes,
            "Tic-Tac-Toe ended: nobody answered in time",
        ),
    ];
    for (session, notes, expected) in cases {
        assert_eq!(session_status(&session, "Bob", notes), expected);
    }
}

#[test]
fn an_end_shows_the_extra_words_as_plain_text() {
    let failed = InviteSession {
        end_text: Some("exit status 127\u{1b}[2J".into()),
        ..ended(
            Role::Invitee,
            SessionState::Terminated,
            EndReason::FailedApplication,
        )
    };
    assert_eq!(
        session_status(&failed, "Bob", SessionNotes::default()),
        "Tic-Tac-Toe ended: the program could not be started (exit status 127\u{FFFD}[2J)"
    );
}

#[test]
fn only_a_cancel_or_a_timeout_leaves_a_note_for_the_invitee() {
    let cancelled = ended(Role::Invitee, SessionState::Cancelled, EndReason::Cancel);
    assert_eq!(
        invitation_ended(&cancelled, "Bob").as_deref(),
        Some("Bob cancelled the invitation to Tic-Tac-Toe")
    );
    let missed = ended(Role::Invitee, SessionState::Terminated, EndReason::Timeout);
    assert_eq!(
        invitation_ended(&missed, "Bob").as_deref(),
        Some("You missed Bob's invitation to Tic-Tac-Toe")
    );
    let declined = ended(Role::Invitee, SessionState::Declined, EndReason::Decline);
    assert_eq!(invitation_ended(&declined, "Bob"), None);
}

#[test]
fn programs_missing_here_are_marked_in_the_menu() {
    let app = AppInfo {
        guid: "{00000000-0000-0000-0000-000000000001}".into(),
        name: "Tic-Tac-Toe".into(),
        download_url: "https://example.org/ttt".into(),
        installed: false,
    };
    assert_eq!(app_menu_item(&app), "Tic-Tac-Toe (not installed)");
    let installed = AppInfo {
        installed: true,
        ..app
    };
    assert_eq!(app_menu_item(&installed), "Tic-Tac-Toe");
}
