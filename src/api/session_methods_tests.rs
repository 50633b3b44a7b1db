use serde_json::json;

use super::*;
use crate::api::methods::{Method, METHOD_NAMES};
use crate::api::protocol::Request;
use crate::invite::MAX_CONTEXT_BYTES;
use crate::model::bare;

const GUID: &str = "{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}";

fn parse(name: &str, params: Value) -> Result<SessionMethod, ErrorBody> {
    match Method::from_request(&Request {
        id: 1.into(),
        method: name.into(),
        params,
    })? {
        Method::Session(method) => Ok(method),
        other => panic!("{name} parsed as {other:?}"),
    }
}

fn code(name: &str, params: Value) -> String {
    parse(name, params).expect_err("must fail").code
}

#[test]
fn every_session_method_parses_with_valid_params() {
    let lower = GUID.to_lowercase();
    let cases = vec![
        ("apps", Value::Null, SessionMethod::Apps),
        ("sessions", json!({}), SessionMethod::Sessions),
        (
            "get_launching_session",
            Value::Null,
            SessionMethod::GetLaunchingSession,
        ),
        (
            "challenge",
            json!({"guid": lower}),
            SessionMethod::Challenge { guid: GUID.into() },
        ),
        (
            "unlock",
            json!({"cookie": "c"}),
            SessionMethod::Unlock(Credential::Cookie("c".into())),
        ),
        (
            "unlock",
            json!({"token": "t"}),
            SessionMethod::Unlock(Credential::Token("t".into())),
        ),
        (
            "unlock",
            json!({"guid": GUID, "response": "ab"}),
            SessionMethod::Unlock(Credential::Key {
                guid: GUID.into(),
                response: "ab".into(),
            }),
        ),
        (
            "create_session",
            json!({"app_guid": lower, "context": "x", "local_address": ""}),
            SessionMethod::CreateSession {
                app_guid: GUID.into(),
                context: Some("x".into()),
                local_address: None,
            },
        ),
        (
            "invite",
            json!({"session": "s1", "to": "Bob@Example.org", "context": "c"}),
            SessionMethod::Invite {
                session: Some("s1".into()),
                to: bare("bob@example.org"),
                app_guid: None,
                context: Some("c".into()),
                local_address: None,
            },
        ),
        (
            "invite",
            json!({"to": "bob@example.org", "app_guid": GUID, "local_address": "192.0.2.1:9"}),
            SessionMethod::Invite {
                session: None,
                to: bare("bob@example.org"),
                app_guid: Some(GUID.into()),
                context: None,
                local_address: Some("192.0.2.1:9".into()),
            },
        ),
        (
            "session",
            json!({"session": "s1"}),
            SessionMethod::Session {
                session: "s1".into(),
            },
        ),
        (
            "end_session",
            json!({"session": "s1"}),
            SessionMethod::Act {
                session: "s1".into(),
                action: Action::End,
            },
        ),
        (
            "send_context_data",
            json!({"session": "s1", "data": "move 4"}),
            SessionMethod::Act {
                session: "s1".into(),
                action: Action::SendContextData {
                    data: "move 4".into(),
                },
            },
        ),
        (
            "set_local_address",
            json!({"session": "s1", "address": "192.0.2.1:4000"}),
            SessionMethod::Act {
                session: "s1".into(),
                action: Action::SetLocalAddress {
                    address: "192.0.2.1:4000".into(),
                },
            },
        ),
    ];
    for (name, params, expected) in cases {
        assert_eq!(parse(name, params.clone()), Ok(expected), "{name} {params}");
    }
    for (name, action) in [
        ("accept", Action::Accept),
        ("decline", Action::Decline),
        ("cancel", Action::Cancel),
    ] {
        assert_eq!(
            parse(name, json!({"session": "s"})),
            Ok(SessionMethod::Act {
                session: "s".into(),
                action
            })
        );
    }
}

#[test]
fn only_apps_challenge_and_unlock_work_locked() {
    let open: Vec<&str> = METHOD_NAMES
        .iter()
        .copied()
        .filter(|name| {
            let params = match *name {
                "challenge" => json!({"guid": GUID}),
                "unlock" => json!({"token": "t"}),
                "create_session" => json!({"app_guid": GUID}),
                "invite" => json!({"to": "bob@example.org", "app_guid": GUID}),
                "send_context_data" => json!({"session": "s", "data": ""}),
                "set_local_address" => json!({"session": "s", "address": ""}),
                "session" | "accept" | "decline" | "cancel" | "end_session" => {
                    json!({"session": "s"})
                }
                _ => Value::Null,
            };
            match SessionMethod::parse(name, &params).expect("valid") {
                Some(method) => !method.needs_unlock(),
                None => false,
            }
        })
        .collect();
    assert_eq!(open, ["apps", "challenge", "unlock"]);
}

#[test]
fn bad_session_params_are_refused_with_their_own_codes() {
    let too_big = "x".repeat(MAX_CONTEXT_BYTES + 1);
    let cases = vec![
        ("apps", json!({"all": true}), "invalid_params"),
        ("challenge", json!({"guid": "tictactoe"}), "invalid_params"),
        ("unlock", json!({}), "invalid_params"),
        (
            "unlock",
            json!({"cookie": "c", "token": "t"}),
            "invalid_params",
        ),
        ("unlock", json!({"guid": GUID}), "invalid_params"),
        ("unlock", json!({"response": "ab"}), "invalid_params"),
        ("create_session", json!({}), "invalid_params"),
        (
            "create_session",
            json!({"app_guid": GUID, "context": too_big}),
            "context_too_large",
        ),
        (
            "create_session",
            json!({"app_guid": GUID, "local_address": "a\nb"}),
            "bad_address",
        ),
        ("invite", json!({"to": "bob@example.org"}), "invalid_params"),
        (
            "invite",
            json!({"to": "bob@example.org", "session": "s", "app_guid": GUID}),
            "invalid_params",
        ),
        (
            "invite",
            json!({"to": "bob", "session": "s"}),
            "invalid_jid",
        ),
        (
            "invite",
            json!({"to": "bob@example.org", "session": "s", "context": too_big}),
            "context_too_large",
        ),
        ("session", json!({}), "invalid_params"),
        ("session", json!({"session": ""}), "invalid_params"),
        ("accept", json!({"session": "s\n"}), "invalid_params"),
        (
            "send_context_data",
            json!({"session": "s", "data": too_big}),
            "context_too_large",
        ),
        (
            "set_local_address",
            json!({"session": "s", "address": "x".repeat(513)}),
            "bad_address",
        ),
    ];
    for (name, params, expected) in cases {
        let shown = params.to_string();
        assert_eq!(
            code(name, params),
            expected,
            "{name} {}",
            &shown[..shown.len().min(80)]
        );
    }
}

#[test]
fn context_at_the_limit_is_fine() {
    let data = "x".repeat(MAX_CONTEXT_BYTES);
    assert!(parse("send_context_data", json!({"session": "s", "data": data})).is_ok());
}
