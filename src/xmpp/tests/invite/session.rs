//! The Jingle session: initiate, accept, context data, terminate, and the answers.

use xmpp_parsers::iq::Iq;
use xmpp_parsers::ns;

use super::{alice_device, arriving_iq, bob_device, invitation, GUID, SID};
use crate::xmpp::invite::{
    ack, classify_jingle, refuse, session_accept, session_info, session_initiate,
    session_terminate, unknown_session, EndReason, InviteError, JingleFact, Reason, NS, NS_RELAY,
};
use crate::xmpp::tests::{fixture, iq, round_trip};

const BOB: &str = "bob@example.net/laptop";

/// What alice's device reads from `stanza` sent by bob's device.
fn read(stanza: Iq) -> Result<JingleFact, InviteError> {
    classify_jingle(&arriving_iq(stanza, BOB)).expect("a Session Invite request")
}

/// A Jingle set from `from` with the given `<jingle>` attributes and children.
fn jingle(from: &str, attrs: &str, children: &str) -> Iq {
    iq(&format!("<iq xmlns='jabber:client' from='{from}' to='alice@example.org/nudge-4f2a' type='set' id='j1'><jingle xmlns='urn:xmpp:jingle:1' {attrs}>{children}</jingle></iq>"))
}

/// A content with the given description and transport.
fn content(description: &str, transport: &str) -> String {
    format!("<content creator='initiator' name='app'>{description}{transport}</content>")
}

const DESCRIPTION: &str = "<description xmlns='urn:nudge:session-invite:0' guid='{6B29FC40-CA47-1067-B31D-00DD010662DA}' name='Chess' download='https://apps.example.com/chess'/>";
const RELAY: &str = "<transport xmlns='urn:nudge:session-invite:relay:0'/>";

#[test]
fn session_initiate_round_trips_the_whole_invitation() {
    let sent = invitation();
    let stanza = session_initiate("ji-1", &bob_device(), &alice_device(), &sent).unwrap();
    let fact = classify_jingle(&arriving_iq(stanza, "alice@example.org/nudge-4f2a"))
        .unwrap()
        .unwrap();
    assert_eq!(
        fact,
        JingleFact::Initiate {
            from: alice_device(),
            invitation: sent
        }
    );
}

#[test]
fn session_initiate_has_one_app_content_with_the_relay_transport() {
    let stanza = round_trip(
        session_initiate("ji-1", &bob_device(), &alice_device(), &invitation()).unwrap(),
    );
    assert_eq!(stanza.attr("type"), Some("set"));
    assert_eq!(stanza.attr("id"), Some("ji-1"));
    assert_eq!(stanza.attr("to"), Some(BOB));
    let jingle = stanza.get_child("jingle", ns::JINGLE).unwrap();
    assert_eq!(jingle.attr("action"), Some("session-initiate"));
    assert_eq!(jingle.attr("sid"), Some(SID));
    assert_eq!(
        jingle.attr("initiator"),
        Some("alice@example.org/nudge-4f2a")
    );
    let contents: Vec<_> = jingle
        .children()
        .filter(|c| c.is("content", ns::JINGLE))
        .collect();
    assert_eq!(contents.len(), 1);
    assert_eq!(contents[0].attr("creator"), Some("initiator"));
    assert_eq!(contents[0].attr("name"), Some("app"));
    let description = contents[0].get_child("description", NS).unwrap();
    assert_eq!(description.attr("guid"), Some(GUID));
    assert!(description.has_child("context", NS));
    assert!(description.has_child("address", NS));
    assert!(contents[0].has_child("transport", NS_RELAY));
}

#[test]
fn session_initiate_fixture_is_read() {
    let fact = classify_jingle(&iq(fixture!("invite_session_initiate")))
        .unwrap()
        .unwrap();
    let JingleFact::Initiate { from, invitation } = fact else {
        panic!("{fact:?}")
    };
    assert_eq!(from, bob_device());
    assert_eq!(invitation.sid, "7d1c4e2a-0b9f-4a51-8c3e-2f6a9b1d0e47");
    assert_eq!(invitation.context.as_deref(), Some("e2e4"));
    assert_eq!(invitation.address.as_deref(), Some("198.51.100.4:4000"));
}

#[test]
fn session_accept_round_trips_with_and_without_an_address() {
    for address in [Some("203.0.113.9:5000"), Some(""), None] {
        let stanza =
            session_accept("ja-1", &alice_device(), &bob_device(), SID, GUID, address).unwrap();
        let shape = round_trip(stanza.clone());
        let jingle = shape.get_child("jingle", ns::JINGLE).unwrap();
        assert_eq!(jingle.attr("action"), Some("session-accept"));
        assert_eq!(jingle.attr("responder"), Some(BOB));
        assert_eq!(
            read(stanza).unwrap(),
            JingleFact::Accept {
                from: bob_device(),
                sid: SID.into(),
                guid: GUID.into(),
                address: address.map(str::to_owned),
            }
        );
    }
}

#[test]
fn session_info_round_trips_context_literally() {
    let texts = [
        "e2e4",
        "  spaces kept  ",
        "a; $(reboot) `id` 'q' \"d\"\r\nline two & <tag>",
        "",
    ];
    for context in texts {
        let stanza = session_info("jc-1", &alice_device(), SID, context).unwrap();
        let shape = round_trip(stanza.clone());
        let jingle = shape.get_child("jingle", ns::JINGLE).unwrap();
        assert_eq!(jingle.attr("action"), Some("session-info"));
        assert!(jingle.has_child("context", NS));
        assert_eq!(
            read(stanza).unwrap(),
            JingleFact::Info {
                from: bob_device(),
                sid: SID.into(),
                context: Some(context.into())
            },
            "{context:?}"
        );
    }
    let fact = classify_jingle(&iq(fixture!("invite_session_info")))
        .unwrap()
        .unwrap();
    assert!(matches!(
        fact,
        JingleFact::Info { context: Some(c), .. } if c == "  move: e7e5; echo $(whoami) \"x\"\n"
    ));
}

#[test]
fn an_empty_session_info_is_a_ping() {
    let ping = jingle(BOB, &format!("action='session-info' sid='{SID}'"), "");
    assert_eq!(
        classify_jingle(&ping),
        Some(Ok(JingleFact::Info {
            from: bob_device(),
            sid: SID.into(),
            context: None
        }))
    );
}

#[test]
fn unknown_session_info_is_refused_as_not_implemented() {
    let request = jingle(
        BOB,
        &format!("action='session-info' sid='{SID}'"),
        "<ringing xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>",
    );
    let error = classify_jingle(&request).unwrap().unwrap_err();
    assert!(matches!(error, InviteError::Unsupported { .. }));
    let reply = round_trip(refuse(&request, &error));
    assert_eq!(reply.attr("type"), Some("error"));
    assert_eq!(reply.attr("to"), Some(BOB));
    assert_eq!(reply.attr("id"), Some("j1"));
    let error = reply.get_child("error", ns::DEFAULT_NS).unwrap();
    assert_eq!(error.attr("type"), Some("cancel"));
    assert!(error.has_child("feature-not-implemented", ns::XMPP_STANZAS));
    assert!(error.has_child("unsupported-info", "urn:xmpp:jingle:errors:1"));
}

#[test]
fn session_terminate_round_trips_every_reason() {
    for condition in EndReason::ALL {
        let reason = Reason::new(condition).with_text("Game over: X wins");
        let stanza = session_terminate("jt-1", &alice_device(), SID, &reason);
        let shape = round_trip(stanza.clone());
        let jingle = shape.get_child("jingle", ns::JINGLE).unwrap();
        assert_eq!(jingle.attr("action"), Some("session-terminate"));
        let wire_reason = jingle.get_child("reason", ns::JINGLE).unwrap();
        assert!(wire_reason.has_child(condition.wire_name(), ns::JINGLE));
        assert_eq!(
            read(stanza).unwrap(),
            JingleFact::Terminate {
                from: bob_device(),
                sid: SID.into(),
                reason
            }
        );
    }
}

#[test]
fn terminate_with_an_unknown_or_no_reason_reads_as_failed_application() {
    let fact = classify_jingle(&iq(fixture!("invite_terminate_unknown")))
        .unwrap()
        .unwrap();
    let JingleFact::Terminate { reason, .. } = fact else {
        panic!()
    };
    assert_eq!(reason.condition, EndReason::FailedApplication);
    assert_eq!(reason.unrecognised.as_deref(), Some("gone"));
    assert_eq!(reason.text.as_deref(), Some("Bob went offline"));
    let bare = jingle(BOB, &format!("action='session-terminate' sid='{SID}'"), "");
    let Some(Ok(JingleFact::Terminate { reason, .. })) = classify_jingle(&bare) else {
        panic!()
    };
    assert_eq!(reason, Reason::new(EndReason::FailedApplication));
}

#[test]
fn ack_and_error_answers_go_back_to_the_requester() {
    let request = iq(fixture!("invite_session_info"));
    let result = round_trip(ack(&request));
    assert_eq!(result.attr("type"), Some("result"));
    assert_eq!(result.attr("id"), Some("ji-2"));
    assert_eq!(result.attr("to"), Some(BOB));
    assert_eq!(result.children().count(), 0);

    let unknown = round_trip(unknown_session(&request));
    assert_eq!(unknown.attr("type"), Some("error"));
    assert_eq!(unknown.attr("id"), Some("ji-2"));
    let error = unknown.get_child("error", ns::DEFAULT_NS).unwrap();
    assert_eq!(error.attr("type"), Some("cancel"));
    assert!(error.has_child("item-not-found", ns::XMPP_STANZAS));
    assert!(error.has_child("unknown-session", "urn:xmpp:jingle:errors:1"));

    let bad = round_trip(refuse(&request, &InviteError::BadSid));
    let error = bad.get_child("error", ns::DEFAULT_NS).unwrap();
    assert_eq!(error.attr("type"), Some("modify"));
    assert!(error.has_child("bad-request", ns::XMPP_STANZAS));
}

#[test]
fn what_is_not_a_session_invite_request_is_left_to_others() {
    let cases = [
        iq(fixture!("invite_session_initiate_rtp")),
        iq(fixture!("disco_info_get")),
        iq("<iq xmlns='jabber:client' from='bob@example.net/laptop' type='result' id='r1'/>"),
        jingle(BOB, &format!("action='transport-info' sid='{SID}'"), ""),
        jingle(BOB, &format!("action='content-add' sid='{SID}'"), ""),
        iq(&format!("<iq xmlns='jabber:client' from='{BOB}' type='get' id='g1'><jingle xmlns='urn:xmpp:jingle:1' action='session-info' sid='{SID}'/></iq>")),
    ];
    for request in cases {
        assert_eq!(classify_jingle(&request), None, "{request:?}");
    }
}

#[test]
fn jingle_from_the_server_or_a_bare_address_is_refused() {
    let attrs = format!("action='session-info' sid='{SID}'");
    let from_server = iq(&format!("<iq xmlns='jabber:client' type='set' id='j1'><jingle xmlns='urn:xmpp:jingle:1' {attrs}/></iq>"));
    let cases = [
        from_server,
        jingle("bob@example.net", &attrs, ""),
        jingle("example.net", &attrs, ""),
    ];
    for request in cases {
        let result = classify_jingle(&request).unwrap();
        assert!(
            matches!(result, Err(InviteError::UnexpectedSender { .. })),
            "{result:?}"
        );
    }
}

#[test]
fn an_initiator_or_responder_other_than_the_sender_is_refused() {
    let initiate = jingle(
        BOB,
        &format!("action='session-initiate' sid='{SID}' initiator='carol@example.net/x'"),
        &content(DESCRIPTION, RELAY),
    );
    let accept = jingle(
        BOB,
        &format!("action='session-accept' sid='{SID}' responder='carol@example.net/x'"),
        &content(DESCRIPTION, RELAY),
    );
    let same_but_cased = jingle(
        BOB,
        &format!("action='session-accept' sid='{SID}' responder='Bob@Example.NET/laptop'"),
        &content(DESCRIPTION, RELAY),
    );
    assert!(matches!(
        classify_jingle(&same_but_cased),
        Some(Ok(JingleFact::Accept { .. }))
    ));
    for request in [initiate, accept] {
        let result = classify_jingle(&request).unwrap();
        assert_eq!(
            result,
            Err(InviteError::UnexpectedSender {
                from: "carol@example.net/x".into()
            })
        );
    }
}

#[test]
fn malformed_contents_are_refused() {
    let ice = "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1'/>";
    let initiate = format!("action='session-initiate' sid='{SID}' initiator='{BOB}'");
    let cases = [
        (
            content(DESCRIPTION, ice),
            InviteError::Unsupported {
                what: "another transport than the server relay",
            },
        ),
        (
            content(DESCRIPTION, ""),
            InviteError::Missing { what: "transport" },
        ),
        (
            content(DESCRIPTION, &format!("{RELAY}{RELAY}")),
            InviteError::Duplicate { what: "transport" },
        ),
        (
            format!(
                "{}{}",
                content(DESCRIPTION, RELAY),
                content(DESCRIPTION, RELAY)
            ),
            InviteError::Duplicate {
                what: "application content",
            },
        ),
        (
            content(&format!("{DESCRIPTION}{DESCRIPTION}"), RELAY),
            InviteError::Duplicate {
                what: "application description",
            },
        ),
    ];
    for (children, expected) in cases {
        let request = jingle(BOB, &initiate, &children);
        assert_eq!(classify_jingle(&request), Some(Err(expected)), "{children}");
    }
    let no_sid = jingle(BOB, "action='session-terminate'", "");
    assert_eq!(classify_jingle(&no_sid), Some(Err(InviteError::BadSid)));
    let accept_without_content = jingle(BOB, &format!("action='session-accept' sid='{SID}'"), "");
    assert_eq!(
        classify_jingle(&accept_without_content),
        Some(Err(InviteError::Missing {
            what: "application content"
        }))
    );
}
