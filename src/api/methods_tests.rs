use serde_json::{json, Value};

use super::*;
use crate::event::Event;
use crate::model::{bare, Contact};

fn method(name: &str, params: Value) -> Result<Method, ErrorBody> {
    Method::from_request(&Request {
        id: 1.into(),
        method: name.into(),
        params,
    })
}

fn error_code(name: &str, params: Value) -> String {
    method(name, params).expect_err("must fail").code
}

#[test]
fn every_method_parses_with_valid_params() {
    let cases = vec![
        ("status", Value::Null, Method::Status),
        ("roster", json!({}), Method::Roster),
        ("subscribe", Value::Null, Method::Subscribe),
        (
            "send",
            json!({"to": "Bob@Example.ORG", "body": "hi"}),
            Method::Send {
                to: bare("bob@example.org"),
                body: "hi".into(),
            },
        ),
        (
            "presence",
            json!({"availability": "dnd", "status": "meeting"}),
            Method::Presence {
                availability: Availability::Busy,
                status: Some("meeting".into()),
            },
        ),
        (
            "presence",
            json!({"availability": "online", "status": ""}),
            Method::Presence {
                availability: Availability::Online,
                status: None,
            },
        ),
        (
            "contact_add",
            json!({"jid": "bob@x.org", "groups": ["Work", "Friends", "Work"]}),
            Method::ContactAdd {
                jid: bare("bob@x.org"),
                name: None,
                groups: vec!["Friends".into(), "Work".into()],
            },
        ),
        (
            "contact_remove",
            json!({"jid": "bob@x.org"}),
            Method::ContactRemove {
                jid: bare("bob@x.org"),
            },
        ),
        (
            "contact_approve",
            json!({"jid": "bob@x.org"}),
            Method::ContactApprove {
                jid: bare("bob@x.org"),
            },
        ),
        (
            "contact_deny",
            json!({"jid": "bob@x.org"}),
            Method::ContactDeny {
                jid: bare("bob@x.org"),
            },
        ),
        (
            "history",
            json!({"peer": "bob@x.org"}),
            Method::History {
                peer: bare("bob@x.org"),
                limit: DEFAULT_HISTORY_LIMIT,
            },
        ),
    ];
    for (name, params, expected) in cases {
        assert_eq!(
            method(name, params.clone()),
            Ok(expected),
            "{name} {params}"
        );
    }
}

#[test]
fn unknown_methods_name_the_known_ones() {
    let error = method("stauts", Value::Null).expect_err("unknown");
    assert_eq!(error.code, "unknown_method");
    assert!(error.message.contains("\"stauts\""), "{}", error.message);
    assert!(
        error.message.contains("status, roster"),
        "{}",
        error.message
    );
}

#[test]
fn bad_params_are_invalid_params() {
    let cases = vec![
        ("status", json!({"verbose": true})),
        ("send", json!({"to": "bob@x.org"})),
        ("send", json!({"to": "bob@x.org", "body": 5})),
        ("send", json!({"to": "bob@x.org", "body": "  "})),
        (
            "send",
            json!({"to": "bob@x.org", "body": "hi", "cc": "eve@x.org"}),
        ),
        ("presence", json!({"availability": "sleepy"})),
        ("presence", json!({})),
        ("contact_add", json!({"jid": "bob@x.org", "groups": "Work"})),
        ("history", json!({"peer": "bob@x.org", "limit": 0})),
        (
            "history",
            json!({"peer": "bob@x.org", "limit": MAX_HISTORY_LIMIT + 1}),
        ),
        ("history", json!({"peer": "bob@x.org", "limit": -1})),
    ];
    for (name, params) in cases {
        assert_eq!(
            error_code(name, params.clone()),
            "invalid_params",
            "{name} {params}"
        );
    }
}

#[test]
fn jids_must_be_bare_user_jids() {
    for bad in ["bob", "bob@x.org/phone", "@x.org", "a@b@c", "", "bob@"] {
        assert_eq!(
            error_code("send", json!({"to": bad, "body": "hi"})),
            "invalid_jid",
            "{bad:?}"
        );
        assert_eq!(
            error_code("contact_remove", json!({"jid": bad})),
            "invalid_jid"
        );
    }
    let error = method("history", json!({"peer": "bob/x"})).expect_err("bad");
    assert!(error.message.contains("\"peer\""), "{}", error.message);
}

fn contact(jid: &str, name: Option<&str>) -> Contact {
    Contact {
        jid: bare(jid),
        name: name.map(str::to_string),
        groups: vec![],
        subscription: Subscription::Both,
        pending_out: false,
    }
}

#[test]
fn status_view_follows_the_state() {
    let mut state = AppState::default();
    assert_eq!(
        StatusView::of(&state),
        StatusView {
            connection: ConnectionState::Offline,
            jid: None,
            availability: Availability::Offline,
            status: None,
        }
    );
    state.apply(Event::ConnectionChanged {
        state: ConnectionState::Online {
            jid: crate::model::full("Alice@x.org/desk"),
        },
    });
    state.apply(Event::OwnPresenceChanged {
        availability: Availability::Away,
        status: Some("lunch".into()),
    });
    let view = StatusView::of(&state);
    assert_eq!(view.jid, Some(bare("alice@x.org")));
    assert_eq!(view.availability, Availability::Away);
    assert_eq!(view.status.as_deref(), Some("lunch"));
}

#[test]
fn roster_view_lists_presence_sorted() {
    let mut state = AppState::default();
    state.apply(Event::RosterReceived {
        contacts: vec![
            contact("zed@x.org", Some("Zed")),
            contact("amy@x.org", None),
        ],
    });
    state.apply(Event::PresenceChanged {
        jid: bare("zed@x.org"),
        resource: "phone".into(),
        availability: Availability::Online,
        status: Some("here".into()),
        priority: 0,
    });
    state.apply(Event::SubscriptionRequested {
        jid: bare("eve@x.org"),
    });
    let view = RosterView::of(&state);
    let jids: Vec<&str> = view.contacts.iter().map(|c| c.jid.as_str()).collect();
    assert_eq!(jids, ["zed@x.org", "amy@x.org"], "online first");
    assert_eq!(view.contacts[0].status.as_deref(), Some("here"));
    assert_eq!(view.contacts[0].resources.len(), 1);
    assert_eq!(view.contacts[1].availability, Availability::Offline);
    assert_eq!(view.subscription_requests, [bare("eve@x.org")]);
}

#[test]
fn avatar_takes_exactly_one_absolute_path_builtin_or_removal() {
    use crate::command::Command;
    assert_eq!(
        method("avatar", json!({"path": "/home/a/me.png"})),
        Ok(Method::Avatar(Command::SetAvatar {
            path: "/home/a/me.png".into()
        }))
    );
    assert_eq!(
        method("avatar", json!({"builtin": "beach"})),
        Ok(Method::Avatar(Command::SetBuiltinAvatar {
            name: "beach".into()
        }))
    );
    assert_eq!(
        method("avatar", json!({"remove": true})),
        Ok(Method::Avatar(Command::ClearAvatar))
    );
    for bad in [
        json!({"path": "me.png"}),
        json!({"builtin": "../../etc/passwd"}),
        json!({}),
        json!({"remove": false}),
        json!({"path": "/a.png", "remove": true}),
        json!({"path": "/a.png", "builtin": "beach"}),
        json!({"colour": "red"}),
    ] {
        assert_eq!(error_code("avatar", bad.clone()), "invalid_params", "{bad}");
    }
}

#[test]
fn open_reads_its_link_and_refuses_what_is_not_one() {
    use crate::xmpp::uri::XmppUri;
    assert_eq!(method("open", Value::Null), Ok(Method::Open { link: None }));
    assert_eq!(
        method("open", json!({"uri": null})),
        Ok(Method::Open { link: None })
    );
    assert_eq!(
        method(
            "open",
            json!({"uri": "xmpp:Bob@X.org?message;body=Hi%20there"})
        ),
        Ok(Method::Open {
            link: Some(XmppUri::Message {
                jid: crate::model::bare("bob@x.org"),
                body: Some("Hi there".into()),
            })
        })
    );
    for bad in [
        json!({"uri": "https://example.org"}),
        json!({"uri": "xmpp:not an address"}),
        json!({"uri": "xmpp:bob@x.org?remove"}),
        json!({"link": "xmpp:bob@x.org"}),
    ] {
        assert_eq!(error_code("open", bad.clone()), "invalid_params", "{bad}");
    }
}
