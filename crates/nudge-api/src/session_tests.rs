use super::*;

fn session(state: SessionState) -> InviteSession {
    InviteSession {
        id: "s".into(),
        role: Role::Inviter,
        origin: Origin::Menu,
        app_guid: "{00000000-0000-0000-0000-000000000001}".into(),
        app_name: "Tic-Tac-Toe".into(),
        download_url: "https://example.org/ttt".into(),
        peer: "bob@x".into(),
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

#[test]
fn the_happy_path_is_allowed_and_reports_each_change() {
    let mut s = session(SessionState::Ready);
    for next in [
        SessionState::Invitation,
        SessionState::Accepted,
        SessionState::Connected,
    ] {
        let previous = s.state;
        let events = s.move_to(next, "test").expect("allowed");
        assert_eq!(
            events,
            [SessionEvent::OnStateChanged {
                previous,
                current: next
            }]
        );
    }
    let events = s
        .end(SessionState::Terminated, EndReason::Success, None)
        .expect("end");
    assert_eq!(
        events.last(),
        Some(&SessionEvent::OnTermination {
            reason: EndReason::Success
        })
    );
    assert_eq!(s.end_reason, Some(EndReason::Success));
}

#[test]
fn final_states_are_final_and_skipping_is_refused() {
    use SessionState::*;
    for state in [Cancelled, Declined, Terminated] {
        assert!(state.is_final());
        for next in [
            Ready, Invitation, Accepted, Connected, Cancelled, Declined, Terminated,
        ] {
            assert!(
                session(state).move_to(next, "x").is_err(),
                "{state:?} -> {next:?}"
            );
        }
    }
    assert!(session(Ready).move_to(Connected, "x").is_err());
    assert!(session(Invitation).move_to(Connected, "x").is_err());
    assert!(session(Connected).move_to(Declined, "x").is_err());
    let error = session(Connected)
        .move_to(Cancelled, "cancelling")
        .expect_err("refused");
    assert!(error.to_string().contains("cancelling"), "{error}");
}

#[test]
fn limits_are_enforced() {
    assert!(check_context(&"x".repeat(MAX_CONTEXT_BYTES)).is_ok());
    assert!(matches!(
        check_context(&"x".repeat(MAX_CONTEXT_BYTES + 1)),
        Err(SessionError::ContextTooLarge { .. })
    ));
    assert!(check_address("127.0.0.1:4000").is_ok());
    assert!(check_address("a\nb").is_err());
    assert!(check_address(&"a".repeat(MAX_ADDRESS_BYTES + 1)).is_err());
}

#[test]
fn states_serialise_with_the_seed_names() {
    assert_eq!(
        serde_json::to_string(&SessionState::Invitation).expect("json"),
        "\"INVITATION\""
    );
    assert_eq!(
        serde_json::to_string(&EndReason::UnsupportedApplications).expect("json"),
        "\"unsupported-applications\""
    );
    let event = SessionEvent::OnStateChanged {
        previous: SessionState::Ready,
        current: SessionState::Invitation,
    };
    assert_eq!(
        serde_json::to_string(&event).expect("json"),
        r#"{"kind":"OnStateChanged","previous":"READY","current":"INVITATION"}"#
    );
}

#[test]
fn end_reasons_have_one_name_on_the_wire_and_in_the_api() {
    let names: Vec<&str> = EndReason::ALL.iter().map(|r| r.wire_name()).collect();
    assert_eq!(
        names,
        [
            "decline",
            "cancel",
            "timeout",
            "busy",
            "unsupported-applications",
            "failed-application",
            "success",
            "security-error",
        ]
    );
    for reason in EndReason::ALL {
        let json = serde_json::to_string(&reason).expect("json");
        assert_eq!(json, format!("\"{}\"", reason.wire_name()));
        assert_eq!(EndReason::from_wire_name(reason.wire_name()), Some(reason));
    }
    assert_eq!(EndReason::from_wire_name("gone"), None);
}
