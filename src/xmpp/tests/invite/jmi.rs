//! The ringing phase: JMI messages built, read back, and refused when forged.

use jid::Jid;
use xmpp_parsers::ns;

use super::{alice_device, alice_phone, arriving, bob, bob_device, invitation, GUID, SID};
use crate::xmpp::invite::{
    accept_elsewhere, app_not_present, classify_message, proceed, propose, reject, retract,
    ringing, EndReason, Invitation, InviteError, InviteFact, Reason, NS,
};
use crate::xmpp::tests::{fixture, message, own, round_trip};

/// Classifies XML as received by alice.
fn facts(xml: &str) -> Vec<InviteFact> {
    classify_message(message(xml), &own())
}

/// The one fact a stanza sent by `from` gives alice.
fn one_fact(stanza: xmpp_parsers::message::Message, from: &str) -> InviteFact {
    let facts = classify_message(arriving(stanza, from), &own());
    assert_eq!(facts.len(), 1, "{facts:?}");
    facts.into_iter().next().unwrap()
}

/// The `error` of the only fact, which must be `Invalid`.
fn invalid(xml: &str) -> InviteError {
    match facts(xml).as_slice() {
        [InviteFact::Invalid { error, .. }] => error.clone(),
        other => panic!("expected one Invalid fact, got {other:?}"),
    }
}

/// The only fact in `facts`.
fn only(facts: Vec<InviteFact>) -> InviteFact {
    assert_eq!(facts.len(), 1, "{facts:?}");
    facts.into_iter().next().unwrap()
}

/// A chat message from bob's device holding `payload`.
fn from_bob(payload: &str) -> String {
    format!("<message xmlns='jabber:client' from='bob@example.net/laptop' to='alice@example.org' type='chat'>{payload}</message>")
}

#[test]
fn propose_round_trips_for_every_shape_of_invitation() {
    let cases = [
        invitation(),
        Invitation {
            context: None,
            address: None,
            ..invitation()
        },
        Invitation {
            context: Some(String::new()),
            ..invitation()
        },
        Invitation {
            name: "Chess \"Pro\"; $(rm -rf ~) `id` <b>&amp;".into(),
            context: Some("a; $(reboot)\n'quoted' \"double\"\r\n\ttabbed  ".into()),
            address: Some("[2001:db8::7]:4000".into()),
            ..invitation()
        },
    ];
    for sent in cases {
        let alice = own();
        let stanza = propose(&alice, &sent).unwrap();
        let fact = one_fact(stanza, "bob@example.net/laptop");
        assert_eq!(
            fact,
            InviteFact::Proposed {
                from: bob_device(),
                invitation: sent.clone()
            },
            "{sent:?}"
        );
    }
}

#[test]
fn propose_goes_to_the_bare_jid_with_the_description_and_a_store_hint() {
    let stanza = round_trip(propose(&bob(), &invitation()).unwrap());
    assert_eq!(stanza.attr("to"), Some("bob@example.net"));
    assert_eq!(stanza.attr("type"), Some("chat"));
    assert_eq!(stanza.attr("id"), Some(format!("propose:{SID}").as_str()));
    assert!(stanza.has_child("store", "urn:xmpp:hints"));
    let propose = stanza.get_child("propose", ns::JINGLE_MESSAGE).unwrap();
    assert_eq!(propose.attr("id"), Some(SID));
    let description = propose.get_child("description", NS).unwrap();
    assert_eq!(description.attr("guid"), Some(GUID));
    assert_eq!(description.attr("name"), Some("Tic-Tac-Toe"));
    assert_eq!(
        description.attr("download"),
        Some("https://apps.example.com/tictactoe?os=linux")
    );
    assert_eq!(
        description.get_child("context", NS).unwrap().text(),
        invitation().context.unwrap()
    );
    assert_eq!(
        description.get_child("address", NS).unwrap().text(),
        "192.0.2.7:4000"
    );
    assert!(!stanza.has_child("body", ns::DEFAULT_NS));
}

#[test]
fn propose_fixture_keeps_hostile_text_literal_and_ignores_unknown_children() {
    let facts = facts(fixture!("invite_propose"));
    let [InviteFact::Proposed { from, invitation }] = facts.as_slice() else {
        panic!("{facts:?}")
    };
    assert_eq!(from, &bob_device());
    assert_eq!(invitation.sid, "7d1c4e2a-0b9f-4a51-8c3e-2f6a9b1d0e47");
    assert_eq!(invitation.name, "Chess \"Pro\"; $(rm -rf ~)");
    assert_eq!(
        invitation.context.as_deref(),
        Some("line one; $(reboot) `id` 'quoted' \"double\"\nline two & <tag>")
    );
    assert_eq!(invitation.address.as_deref(), Some("[2001:db8::7]:4000"));
}

#[test]
fn answers_round_trip_with_their_sender_and_sid() {
    let bob_jid = "bob@example.net/laptop";
    let cases = [
        (
            ringing(&alice_device(), SID),
            InviteFact::Ringing {
                from: bob_device(),
                sid: SID.into(),
            },
        ),
        (
            proceed(&alice_device(), SID),
            InviteFact::Proceeded {
                from: bob_device(),
                sid: SID.into(),
            },
        ),
        (
            app_not_present(&alice_device(), SID),
            InviteFact::AppNotPresent {
                from: bob_device(),
                sid: SID.into(),
            },
        ),
    ];
    for (stanza, expected) in cases {
        assert_eq!(one_fact(stanza, bob_jid), expected);
    }
}

#[test]
fn answers_go_to_the_inviting_device() {
    let cases = [
        (
            ringing(&alice_device(), SID),
            "ringing",
            ns::JINGLE_MESSAGE,
            false,
        ),
        (
            proceed(&alice_device(), SID),
            "proceed",
            ns::JINGLE_MESSAGE,
            true,
        ),
        (
            app_not_present(&alice_device(), SID),
            "app-not-present",
            NS,
            false,
        ),
    ];
    for (stanza, name, namespace, stored) in cases {
        let stanza = round_trip(stanza);
        assert_eq!(
            stanza.attr("to"),
            Some("alice@example.org/nudge-4f2a"),
            "{name}"
        );
        assert_eq!(stanza.attr("type"), Some("chat"), "{name}");
        let payload = stanza.get_child(name, namespace).unwrap();
        assert_eq!(payload.attr("id"), Some(SID), "{name}");
        assert_eq!(
            stanza.has_child("store", "urn:xmpp:hints"),
            stored,
            "{name}"
        );
    }
}

#[test]
fn reject_round_trips_every_condition_with_and_without_text() {
    for condition in EndReason::ALL {
        for text in [None, Some("Sorry, I'm busy; try \"later\"\nor tomorrow")] {
            let mut reason = Reason::new(condition);
            reason.text = text.map(str::to_owned);
            let fact = one_fact(
                reject(&alice_device().into(), SID, &reason),
                "bob@example.net/laptop",
            );
            assert_eq!(
                fact,
                InviteFact::Rejected {
                    from: bob_device(),
                    sid: SID.into(),
                    reason: reason.clone()
                }
            );
        }
    }
}

#[test]
fn policy_refusal_is_decline_with_not_accepting() {
    let stanza = round_trip(reject(
        &alice_device().into(),
        SID,
        &Reason::not_accepting(),
    ));
    let reason = stanza
        .get_child("reject", ns::JINGLE_MESSAGE)
        .and_then(|r| r.get_child("reason", ns::JINGLE))
        .unwrap();
    assert!(reason.has_child("decline", ns::JINGLE));
    assert!(reason.has_child("not-accepting", NS));
    let facts = facts(fixture!("invite_reject_not_accepting"));
    let [InviteFact::Rejected { reason, .. }] = facts.as_slice() else {
        panic!("{facts:?}")
    };
    assert!(reason.not_accepting);
    assert_eq!(reason.condition, EndReason::Decline);
    assert_eq!(
        reason.text.as_deref(),
        Some("Bob is not accepting invitations")
    );
}

#[test]
fn retract_goes_to_the_bare_jid_and_round_trips_cancel_and_timeout() {
    for condition in [EndReason::Cancel, EndReason::Timeout] {
        let reason = Reason::new(condition);
        let stanza = retract(&own(), SID, &reason);
        let shape = round_trip(stanza.clone());
        assert_eq!(shape.attr("to"), Some("alice@example.org"));
        let retract = shape.get_child("retract", ns::JINGLE_MESSAGE).unwrap();
        assert!(retract
            .get_child("reason", ns::JINGLE)
            .unwrap()
            .has_child(condition.wire_name(), ns::JINGLE));
        assert_eq!(
            one_fact(stanza, "bob@example.net/laptop"),
            InviteFact::Retracted {
                from: bob_device(),
                sid: SID.into(),
                reason
            }
        );
    }
}

#[test]
fn reject_and_retract_without_reason_get_the_safe_default() {
    let reject = from_bob(&format!(
        "<reject xmlns='urn:xmpp:jingle-message:0' id='{SID}'/>"
    ));
    let retract = from_bob(&format!(
        "<retract xmlns='urn:xmpp:jingle-message:0' id='{SID}'/>"
    ));
    let InviteFact::Rejected { reason, .. } = only(facts(&reject)) else {
        panic!()
    };
    assert_eq!(reason, Reason::new(EndReason::Decline));
    let InviteFact::Retracted { reason, .. } = only(facts(&retract)) else {
        panic!()
    };
    assert_eq!(reason, Reason::new(EndReason::Cancel));
}

#[test]
fn unknown_or_ambiguous_conditions_map_to_the_default_and_are_reported() {
    let cases = [
        ("<reason xmlns='urn:xmpp:jingle:1'><gone/></reason>", "gone"),
        ("<reason xmlns='urn:xmpp:jingle:1'><whatever/></reason>", "whatever"),
        ("<reason xmlns='urn:xmpp:jingle:1'><text>no condition</text></reason>", "no condition"),
        (
            "<reason xmlns='urn:xmpp:jingle:1'><success/><decline/></reason>",
            "several conditions",
        ),
        (
            "<reason xmlns='urn:xmpp:jingle:1'><busy/></reason><reason xmlns='urn:xmpp:jingle:1'><success/></reason>",
            "several reasons",
        ),
    ];
    for (reason_xml, reported) in cases {
        let xml = from_bob(&format!(
            "<reject xmlns='urn:xmpp:jingle-message:0' id='{SID}'>{reason_xml}</reject>"
        ));
        let InviteFact::Rejected { reason, .. } = only(facts(&xml)) else {
            panic!("{xml}")
        };
        assert_eq!(reason.condition, EndReason::Decline, "{xml}");
        assert_eq!(reason.unrecognised.as_deref(), Some(reported), "{xml}");
    }
}

#[test]
fn reason_text_loses_control_characters_and_is_cut() {
    let long = "x".repeat(2000);
    let xml = from_bob(&format!(
        "<reject xmlns='urn:xmpp:jingle-message:0' id='{SID}'><reason xmlns='urn:xmpp:jingle:1'><busy/><text>  bad\u{9b}31m\u{7f} red {long}</text></reason></reject>"
    ));
    let InviteFact::Rejected { reason, .. } = only(facts(&xml)) else {
        panic!()
    };
    let text = reason.text.as_deref().unwrap();
    // XML cannot carry C0 escapes, but C1 CSI and DEL pass the parser and must not reach a terminal.
    assert!(text.starts_with("bad31m red x"), "{text}");
    assert_eq!(
        text.chars().count(),
        crate::xmpp::invite::MAX_REASON_TEXT_CHARS
    );
}

#[test]
fn accept_from_another_own_device_stops_the_ringing_here() {
    let stanza = accept_elsewhere(&own(), SID);
    let shape = round_trip(stanza.clone());
    assert_eq!(shape.attr("to"), Some("alice@example.org"));
    assert!(shape.has_child("accept", ns::JINGLE_MESSAGE));
    assert_eq!(
        one_fact(stanza, "alice@example.org/phone"),
        InviteFact::AcceptedElsewhere {
            from: alice_phone().into(),
            sid: SID.into()
        }
    );
}

#[test]
fn reject_to_the_own_bare_jid_from_another_device_is_declined_elsewhere() {
    let stanza = reject(&own().into(), SID, &Reason::new(EndReason::Decline));
    assert_eq!(
        one_fact(stanza, "alice@example.org/phone"),
        InviteFact::DeclinedElsewhere {
            from: alice_phone().into(),
            sid: SID.into()
        }
    );
}

#[test]
fn accept_from_anyone_but_the_own_account_is_ignored() {
    for from in [
        "bob@example.net/laptop",
        "mallory@evil.example/x",
        "example.org",
    ] {
        let stanza = arriving(accept_elsewhere(&own(), SID), from);
        assert_eq!(classify_message(stanza, &own()), vec![], "{from}");
    }
}

#[test]
fn own_devices_proposals_ringing_and_server_stamped_answers_give_nothing() {
    let cases = [
        (
            propose(&bob(), &invitation()).unwrap(),
            Some("alice@example.org/phone"),
        ),
        (ringing(&bob_device(), SID), Some("alice@example.org/phone")),
        (
            retract(&bob(), SID, &Reason::new(EndReason::Cancel)),
            Some("alice@example.org/phone"),
        ),
        (accept_elsewhere(&own(), SID), None),
    ];
    for (stanza, from) in cases {
        let stanza = match from {
            Some(from) => arriving(stanza, from),
            None => message(&crate::xmpp::tests::wire(stanza)),
        };
        assert_eq!(classify_message(stanza, &own()), vec![]);
    }
}

/// A carbon of `inner` (a message XML) of kind `sent` or `received`, wrapped by `wrapper_from`.
fn carbon(kind: &str, wrapper_from: &str, inner: &str) -> String {
    format!(
        "<message xmlns='jabber:client' from='{wrapper_from}' to='alice@example.org/nudge-4f2a' type='chat'><{kind} xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>{inner}</forwarded></{kind}></message>"
    )
}

#[test]
fn sent_carbons_of_own_answers_mean_answered_elsewhere() {
    assert_eq!(
        facts(fixture!("invite_carbon_proceed")),
        vec![InviteFact::AcceptedElsewhere {
            from: alice_phone().into(),
            sid: SID.into()
        }]
    );
    let inner = format!("<message xmlns='jabber:client' from='alice@example.org/phone' to='bob@example.net/laptop' type='chat'><reject xmlns='urn:xmpp:jingle-message:0' id='{SID}'><reason xmlns='urn:xmpp:jingle:1'><decline/></reason></reject></message>");
    assert_eq!(
        facts(&carbon("sent", "alice@example.org", &inner)),
        vec![InviteFact::DeclinedElsewhere {
            from: alice_phone().into(),
            sid: SID.into()
        }]
    );
}

#[test]
fn spoofed_or_foreign_carbons_of_jmi_give_nothing() {
    let own_reject = format!("<message xmlns='jabber:client' from='alice@example.org/phone' to='bob@example.net/laptop' type='chat'><reject xmlns='urn:xmpp:jingle-message:0' id='{SID}'/></message>");
    let bob_accept = format!("<message xmlns='jabber:client' from='bob@example.net/laptop' to='alice@example.org' type='chat'><accept xmlns='urn:xmpp:jingle-message:0' id='{SID}'/></message>");
    let bob_proceed = format!("<message xmlns='jabber:client' from='bob@example.net/laptop' to='alice@example.org/phone' type='chat'><proceed xmlns='urn:xmpp:jingle-message:0' id='{SID}'/></message>");
    let own_propose = crate::xmpp::tests::wire(arriving(
        propose(&bob(), &invitation()).unwrap(),
        "alice@example.org/phone",
    ));
    let cases = [
        // The wrapper does not come from alice's account.
        fixture!("invite_carbon_spoofed").to_owned(),
        carbon("sent", "bob@example.net", &own_reject),
        carbon("received", "mallory@evil.example/x", &bob_accept),
        // A "sent" carbon of something bob sent is not alice's answer.
        carbon("sent", "alice@example.org", &bob_accept),
        // Bob answered alice's other device: not this device's session.
        carbon("received", "alice@example.org", &bob_proceed),
        // Alice invited bob from her phone: this device must not ring.
        carbon("sent", "alice@example.org", &own_propose),
    ];
    for xml in cases {
        assert_eq!(facts(&xml), vec![], "{xml}");
    }
}

#[test]
fn a_bounced_invitation_is_a_send_error_even_without_the_payload() {
    let InviteFact::SendFailed { to, sid, reason } = only(facts(fixture!("invite_bounce"))) else {
        panic!()
    };
    assert_eq!(to, Jid::new("carol@example.net").unwrap());
    assert_eq!(sid, SID);
    assert_eq!(reason, "the contact cannot receive this now");
    let echoed = format!("<message xmlns='jabber:client' from='carol@example.net' type='error' id='other'><propose xmlns='urn:xmpp:jingle-message:0' id='{SID}'/><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>");
    assert!(matches!(
        facts(&echoed).as_slice(),
        [InviteFact::SendFailed { sid, reason, .. }] if sid == SID && reason == "that address does not exist"
    ));
    // An ordinary chat message bouncing is message.rs's business.
    assert_eq!(facts(fixture!("message_error")), vec![]);
}

#[test]
fn group_chat_headline_and_plain_chat_give_nothing() {
    let stanza = crate::xmpp::tests::wire(propose(&own(), &invitation()).unwrap());
    for type_ in ["groupchat", "headline"] {
        let xml = stanza.replace("type='chat'", &format!("type='{type_}'"));
        let xml = xml.replacen("<message ", "<message from='room@muc.example.net/bob' ", 1);
        assert_eq!(facts(&xml), vec![], "{type_}");
    }
    assert_eq!(facts(fixture!("chat_full")), vec![]);
}

#[test]
fn proposals_for_other_applications_are_left_alone() {
    assert_eq!(facts(fixture!("invite_propose_rtp")), vec![]);
}

#[test]
fn broken_proposals_are_reported_with_the_sid() {
    let description = "<description xmlns='urn:nudge:session-invite:0' guid='{6B29FC40-CA47-1067-B31D-00DD010662DA}' name='Chess' download='https://apps.example.com/chess'/>";
    let cases = [
        (
            format!("<propose xmlns='urn:xmpp:jingle-message:0' id='{SID}'/>"),
            InviteError::Missing {
                what: "application description",
            },
        ),
        (
            format!("<propose xmlns='urn:xmpp:jingle-message:0' id='{SID}'>{description}{description}</propose>"),
            InviteError::Duplicate {
                what: "application description",
            },
        ),
        (
            format!("<propose xmlns='urn:xmpp:jingle-message:0' id='{SID}'><description xmlns='urn:nudge:session-invite:0' name='Chess' download='https://apps.example.com/chess'/></propose>"),
            InviteError::Missing {
                what: "application id",
            },
        ),
        (
            format!("<propose xmlns='urn:xmpp:jingle-message:0' id='{SID}'><description xmlns='urn:nudge:session-invite:0' guid='{GUID}' name='Chess' download='https://x.example'><context>a</context><context>b</context></description></propose>"),
            InviteError::Duplicate {
                what: "context data",
            },
        ),
    ];
    for (payload, expected) in cases {
        let facts = facts(&from_bob(&payload));
        assert_eq!(
            facts,
            vec![InviteFact::Invalid {
                from: bob_device().into(),
                sid: Some(SID.into()),
                error: expected
            }],
            "{payload}"
        );
    }
}

#[test]
fn a_missing_or_unusable_sid_is_reported() {
    let cases = [
        "<ringing xmlns='urn:xmpp:jingle-message:0'/>".to_owned(),
        "<proceed xmlns='urn:xmpp:jingle-message:0' id=''/>".to_owned(),
        "<proceed xmlns='urn:xmpp:jingle-message:0' id='a b'/>".to_owned(),
        "<proceed xmlns='urn:xmpp:jingle-message:0' id='$(id)'/>".to_owned(),
        format!(
            "<proceed xmlns='urn:xmpp:jingle-message:0' id='{}'/>",
            "a".repeat(129)
        ),
    ];
    for payload in cases {
        assert_eq!(
            invalid(&from_bob(&payload)),
            InviteError::BadSid,
            "{payload}"
        );
    }
}

#[test]
fn two_invitation_elements_in_one_message_are_believed_neither() {
    let payload = format!("<proceed xmlns='urn:xmpp:jingle-message:0' id='{SID}'/><reject xmlns='urn:xmpp:jingle-message:0' id='{SID}'/>");
    assert_eq!(
        invalid(&from_bob(&payload)),
        InviteError::Duplicate {
            what: "invitation element"
        }
    );
}

#[test]
fn contacts_must_answer_from_a_device() {
    for from in ["bob@example.net", "example.net"] {
        let stanza = arriving(proceed(&alice_device(), SID), from);
        let facts = classify_message(stanza, &own());
        assert!(
            matches!(
                facts.as_slice(),
                [InviteFact::Invalid { error: InviteError::UnexpectedSender { .. }, sid: Some(sid), .. }] if sid == SID
            ),
            "{from}: {facts:?}"
        );
    }
}
