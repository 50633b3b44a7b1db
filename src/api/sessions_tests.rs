use super::*;
use crate::invite::{Origin, SessionState::*};

fn session(id: &str, role: Role, state: SessionState) -> InviteSession {
    InviteSession {
        id: id.into(),
        role,
        origin: Origin::Application,
        app_guid: "{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}".into(),
        app_name: "Game".into(),
        download_url: "https://example.org".into(),
        peer: String::new(),
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

fn data() -> Action {
    Action::SendContextData { data: "x".into() }
}

fn address() -> Action {
    Action::SetLocalAddress {
        address: "192.0.2.1:4000".into(),
    }
}

#[test]
fn actions_fit_the_role_and_state() {
    use Role::*;
    // Expected: `Some(step)` when allowed, `None` when refused with invalid_state.
    type Case = (Action, Role, SessionState, bool, Option<Step>);
    let cases: Vec<Case> = vec![
        (Action::Accept, Invitee, Invitation, false, Some(Step::Core)),
        (
            Action::Decline,
            Invitee,
            Invitation,
            false,
            Some(Step::Core),
        ),
        (Action::Accept, Inviter, Invitation, false, None),
        (Action::Accept, Invitee, Connected, false, None),
        (Action::Decline, Inviter, Ready, true, None),
        (Action::Cancel, Inviter, Invitation, false, Some(Step::Core)),
        (Action::Cancel, Inviter, Ready, true, Some(Step::Server)),
        (Action::Cancel, Inviter, Ready, false, Some(Step::Core)),
        (Action::Cancel, Invitee, Invitation, false, None),
        (Action::Cancel, Inviter, Connected, false, None),
        (Action::End, Inviter, Connected, false, Some(Step::Core)),
        (Action::End, Invitee, Accepted, false, Some(Step::Core)),
        (Action::End, Inviter, Invitation, false, None),
        (Action::End, Inviter, Ready, true, None),
        (data(), Invitee, Connected, false, Some(Step::Core)),
        (data(), Inviter, Ready, true, None),
        (address(), Inviter, Ready, true, Some(Step::Server)),
        (address(), Invitee, Accepted, false, Some(Step::Core)),
    ];
    for (action, role, state, unsent, expected) in cases {
        let got = action.check(&session("s", role, state), unsent);
        match expected {
            Some(step) => assert_eq!(got, Ok(step), "{action:?} {role:?} {state:?}"),
            None => assert_eq!(
                got.map_err(|e| e.code),
                Err("invalid_state".to_string()),
                "{action:?} {role:?} {state:?}"
            ),
        }
    }
}

#[test]
fn nothing_happens_to_a_final_session() {
    for state in [Cancelled, Declined, Terminated] {
        for role in [Role::Inviter, Role::Invitee] {
            for action in [
                Action::Accept,
                Action::Decline,
                Action::Cancel,
                Action::End,
                data(),
                address(),
            ] {
                let error = action
                    .check(&session("s", role, state), false)
                    .expect_err("final");
                assert_eq!(error.code, "invalid_state");
                assert!(
                    error.message.contains(&state_word(state)),
                    "{}",
                    error.message
                );
            }
        }
    }
    let error = Action::Cancel
        .check(&session("s", Role::Inviter, Terminated), false)
        .expect_err("final");
    assert_eq!(
        error.message,
        "the session is TERMINATED; cancel is not possible any more"
    );
}

#[test]
fn each_action_is_its_command() {
    assert_eq!(
        Action::Accept.command("s1"),
        Command::AcceptInvitation {
            session: "s1".into()
        }
    );
    assert_eq!(
        Action::End.command("s1"),
        Command::EndSession {
            session: "s1".into()
        }
    );
    assert_eq!(
        data().command("s1"),
        Command::SendContextData {
            session: "s1".into(),
            data: "x".into()
        }
    );
}

#[test]
fn session_errors_keep_their_names_as_codes() {
    let cases = [
        (SessionError::InvitedSelf, "invited_self"),
        (SessionError::BadAddress, "bad_address"),
        (
            SessionError::ContextTooLarge { size: 2, limit: 1 },
            "context_too_large",
        ),
        (
            SessionError::UnknownSession {
                session: "s".into(),
            },
            "unknown_session",
        ),
        (
            SessionError::AppNotRegistered { guid: "{G}".into() },
            "app_not_registered",
        ),
    ];
    for (error, code) in cases {
        // The model's serde form names it the same way (its tuple variants cannot be
        // serialised with an internal tag, so only the struct and unit ones are compared).
        if let Ok(wire) = serde_json::to_value(&error) {
            assert_eq!(wire["code"], code, "the model's own name");
        }
        assert_eq!(session_error(error).code, code);
    }
}

#[test]
fn unsent_sessions_live_with_their_connection() {
    let mut held = HeldSessions::default();
    held.create(1, session("a", Role::Inviter, Ready))
        .expect("a");
    held.create(1, session("b", Role::Inviter, Ready))
        .expect("b");
    held.create(2, session("c", Role::Inviter, Ready))
        .expect("c");
    held.set_local_address("a", "192.0.2.1:1");
    let sent = held
        .invite("a", 1_000, |s| {
            s.peer = "bob@example.org".into();
            s.context = Some("hi".into());
        })
        .expect("unsent");
    assert_eq!(sent.peer.as_str(), "bob@example.org");
    assert_eq!(sent.context.as_deref(), Some("hi"));
    assert_eq!(sent.local_address.as_deref(), Some("192.0.2.1:1"));
    assert!(held.invite("a", 1_000, |_| {}).is_none(), "only once");
    assert_eq!(held.get("a").map(|(_, unsent)| unsent), Some(false));

    held.connection_closed(1);
    let left: Vec<&str> = held.all().map(|s| s.id.as_str()).collect();
    assert_eq!(left, ["a", "c"], "the invited one waits for the core");

    held.discard("c");
    held.discard("a");
    assert!(held.get("c").is_none());
    assert!(
        held.get("a").is_some(),
        "an invited session is not discarded"
    );
    held.forget_reported(|id| id == "a", 1_001);
    assert!(held.get("a").is_none());
}

#[test]
fn invited_sessions_the_core_never_reports_are_dropped_in_time() {
    let mut held = HeldSessions::default();
    held.create(1, session("a", Role::Inviter, Ready))
        .expect("a");
    held.invite("a", 0, |_| {});
    held.forget_reported(|_| false, INVITATION_TIMEOUT_MS);
    assert!(held.get("a").is_some());
    held.forget_reported(|_| false, INVITATION_TIMEOUT_MS + 1);
    assert!(held.get("a").is_none());
}

#[test]
fn a_connection_holds_a_bounded_number_of_unsent_sessions() {
    let mut held = HeldSessions::default();
    for n in 0..MAX_READY_PER_CONNECTION {
        held.create(1, session(&format!("s{n}"), Role::Inviter, Ready))
            .expect("within the limit");
    }
    let error = held
        .create(1, session("over", Role::Inviter, Ready))
        .expect_err("over");
    assert_eq!(error.code, "too_many_sessions");
    held.create(2, session("other", Role::Inviter, Ready))
        .expect("another connection has its own allowance");
    held.invite("s0", 0, |_| {});
    held.create(1, session("again", Role::Inviter, Ready))
        .expect("an invited one no longer counts");
}

/// Applications read the event stream with nudge-api's `SessionNotice`: it must read Nudge's
/// own serialisation of the session events, and nothing else as one.
#[test]
fn applications_read_the_session_events_nudge_sends() {
    use crate::event::Event;
    use crate::invite::SessionEvent;
    use crate::model::ConnectionState;
    use nudge_api::SessionNotice;

    let ended = session("s1", Role::Invitee, Terminated);
    let updated = serde_json::to_value(Event::SessionUpdated {
        session: ended.clone(),
    })
    .expect("json");
    assert_eq!(
        SessionNotice::read(updated),
        Some(SessionNotice::SessionUpdated { session: ended })
    );
    let detail = SessionEvent::OnContextData {
        data: "move 4".into(),
    };
    let event = serde_json::to_value(Event::SessionEvent {
        session: "s1".into(),
        detail: detail.clone(),
    })
    .expect("json");
    assert_eq!(
        SessionNotice::read(event),
        Some(SessionNotice::SessionEvent {
            session: "s1".into(),
            detail
        })
    );
    let other = serde_json::to_value(Event::ConnectionChanged {
        state: ConnectionState::Offline,
    })
    .expect("json");
    assert_eq!(SessionNotice::read(other), Some(SessionNotice::Other));
}
