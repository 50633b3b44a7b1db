//! Session Invite, the Jingle phase: the session started and accepted only with the device that
//! answered, context data and the end relayed only from it, and this side's program launched
//! from the registry with the session in its environment.

use std::collections::HashMap;

use super::invites::{
    accepted_invitation, invite, jmi, last_session, online, session_events, BOB_LAPTOP, CHESS,
    DOWNLOAD, NS, SID,
};
use super::*;
use crate::invite::{env, EndReason, Origin, SessionEvent, SessionState};

const JINGLE: &str = "urn:xmpp:jingle:1";
const RELAY: &str = "urn:nudge:session-invite:relay:0";
const BOB_PHONE: &str = "bob@example.org/phone";
const STRANGER: &str = "mallory@evil.example/x";

/// A Jingle request about the session from `from`.
fn jingle(from: &str, id: &str, action: &str, attrs: &str, inner: &str) -> String {
    format!(
        "<iq type='set' id='{id}' from='{from}' to='{DESK}'>\
         <jingle xmlns='{JINGLE}' action='{action}' sid='{SID}'{attrs}>{inner}</jingle></iq>"
    )
}

/// `from` starts the session it proposed, with its context and address.
fn initiate(from: &str) -> String {
    jingle(
        from,
        "ji-1",
        "session-initiate",
        &format!(" initiator='{from}'"),
        &format!(
            "<content creator='initiator' name='app'>\
             <description xmlns='{NS}' guid='{CHESS}' name='Chess' download='{DOWNLOAD}'>\
             <context>e2e4 e7e5</context><address>198.51.100.4:4000</address></description>\
             <transport xmlns='{RELAY}'/></content>"
        ),
    )
}

/// `from` accepts the session the user started, giving its address.
fn accept(from: &str) -> String {
    jingle(
        from,
        "ja-1",
        "session-accept",
        &format!(" responder='{from}'"),
        &format!(
            "<content creator='initiator' name='app'>\
             <description xmlns='{NS}' guid='{CHESS}'><address>203.0.113.9:5000</address>\
             </description><transport xmlns='{RELAY}'/></content>"
        ),
    )
}

fn info(from: &str, data: &str) -> String {
    jingle(
        from,
        "info-1",
        "session-info",
        "",
        &format!("<context xmlns='{NS}'>{data}</context>"),
    )
}

fn terminate(from: &str) -> String {
    jingle(
        from,
        "jt-1",
        "session-terminate",
        "",
        &format!("<reason xmlns='{JINGLE}'><success/><text>good game</text></reason>"),
    )
}

/// The `<jingle/>` of a sent request, checked to be about the session and to go to `to`.
fn jingle_sent<'a>(sent: &'a Element, to: &str) -> &'a Element {
    assert_eq!((sent.name(), sent.attr("type")), ("iq", Some("set")));
    assert_eq!(sent.attr("to"), Some(to));
    let jingle = sent.get_child("jingle", JINGLE).expect("a jingle request");
    assert_eq!(jingle.attr("sid"), Some(SID));
    jingle
}

/// Whether `reply` answers request `id` as XEP-0166's unknown-session.
fn is_unknown_session(reply: &Element, id: &str) -> bool {
    reply.attr("type") == Some("error")
        && reply.attr("id") == Some(id)
        && reply
            .get_child("error", "jabber:client")
            .is_some_and(|e| e.has_child("unknown-session", "urn:xmpp:jingle:errors:1"))
}

fn launches(script: &mut Script) -> Vec<crate::core::account::Launch> {
    script
        .jobs()
        .into_iter()
        .filter_map(|j| match j {
            Effect::Launch(launch) => Some(launch),
            _ => None,
        })
        .collect()
}

fn variables(launch: &crate::core::account::Launch) -> HashMap<&'static str, String> {
    launch.variables.iter().cloned().collect()
}

/// The invitee's side, accepted and started by the inviter: the program is being launched.
fn launching() -> Script {
    let mut script = accepted_invitation();
    script.stanza(&initiate(BOB_LAPTOP));
    script.effects.clear();
    script
}

/// The invitee's side with the program running.
fn connected() -> Script {
    let mut script = launching();
    script.answer(Answer::Launched {
        session: SID.into(),
        result: Ok(()),
    });
    script.effects.clear();
    script
}

/// The inviter's side after Bob's laptop said proceed.
fn proceeded(origin: Origin) -> Script {
    let mut script = online(true);
    invite(&mut script, Some("opening"), origin);
    script.stanza(&jmi(BOB_LAPTOP, DESK, "ringing", ""));
    script.stanza(&jmi(BOB_LAPTOP, DESK, "proceed", ""));
    script
}

#[test]
fn the_contact_proceeding_starts_the_session_with_that_device() {
    let mut script = proceeded(Origin::Menu);
    let sent = script.sent();
    let initiate = jingle_sent(sent.last().expect("sent"), BOB_LAPTOP);
    assert_eq!(initiate.attr("action"), Some("session-initiate"));
    assert_eq!(initiate.attr("initiator"), Some(DESK));
    let content = initiate.get_child("content", JINGLE).expect("content");
    assert!(
        content.has_child("transport", RELAY),
        "relayed by the server"
    );
    let description = content.get_child("description", NS).expect("description");
    assert_eq!(description.attr("guid"), Some(CHESS));
    assert_eq!(
        description.get_child("context", NS).map(|c| c.text()),
        Some("opening".into())
    );
    assert_eq!(
        description.get_child("address", NS).map(|c| c.text()),
        Some("192.0.2.1:4000".into())
    );
    let events = script.events();
    assert_eq!(last_session(&events).state, SessionState::Accepted);
    assert!(session_events(&events).contains(&SessionEvent::OnAccepted));
    // No longer ringing: the accepted session has its own time to start.
    let start_by = script.now + script.account.options.invitation_timeout.as_millis() as i64;
    assert_eq!(script.account.next_deadline(), Some(start_by));
}

#[test]
fn a_proceed_from_any_of_the_contacts_devices_starts_the_session_with_that_one() {
    // Every device of Bob rings; he may answer on the one that rang second.
    let mut script = online(true);
    invite(&mut script, None, Origin::Menu);
    script.stanza(&jmi(BOB_LAPTOP, DESK, "ringing", ""));
    script.stanza(&jmi(BOB_PHONE, DESK, "ringing", ""));
    script.effects.clear();
    script.stanza(&jmi(BOB_PHONE, DESK, "proceed", ""));
    let sent = script.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let initiate = jingle_sent(&sent[0], BOB_PHONE);
    assert_eq!(initiate.attr("action"), Some("session-initiate"));
    // From now on the session is with the phone only.
    script.stanza(&accept(BOB_LAPTOP));
    assert!(is_unknown_session(&script.sent()[0], "ja-1"));
}

#[test]
fn a_proceed_from_someone_else_is_ignored() {
    let mut script = online(true);
    invite(&mut script, None, Origin::Menu);
    script.stanza(&jmi(BOB_LAPTOP, DESK, "ringing", ""));
    script.effects.clear();
    script.stanza(&jmi(STRANGER, DESK, "proceed", ""));
    assert!(script.sent().is_empty());
    assert!(script.events().is_empty());
    assert!(script.account.next_deadline().is_some(), "still ringing");
}

#[test]
fn a_session_accept_before_the_contact_proceeded_launches_nothing() {
    let mut script = online(true);
    invite(&mut script, None, Origin::Menu);
    script.stanza(&jmi(BOB_LAPTOP, DESK, "ringing", ""));
    script.effects.clear();
    script.stanza(&accept(BOB_LAPTOP));
    assert!(launches(&mut script).is_empty());
    let events = script.events();
    assert!(
        !session_events(&events).contains(&SessionEvent::OnReadyToLaunch),
        "{events:?}"
    );
}

#[test]
fn a_repeated_session_accept_launches_the_program_once() {
    let mut script = proceeded(Origin::Menu);
    script.stanza(&accept(BOB_LAPTOP));
    assert_eq!(launches(&mut script).len(), 1);
    script.stanza(&accept(BOB_LAPTOP).replace("ja-1", "ja-2"));
    assert!(launches(&mut script).is_empty(), "before it started");
    script.answer(Answer::Launched {
        session: SID.into(),
        result: Ok(()),
    });
    script.stanza(&accept(BOB_LAPTOP).replace("ja-1", "ja-3"));
    assert!(launches(&mut script).is_empty(), "after it started");
    assert_eq!(
        last_session(&script.events()).state,
        SessionState::Connected
    );
}

#[test]
fn a_repeated_session_initiate_launches_the_program_once() {
    let mut script = launching();
    script.stanza(&initiate(BOB_LAPTOP).replace("ji-1", "ji-2"));
    assert!(launches(&mut script).is_empty());
}

#[test]
fn the_inviting_device_starting_the_session_is_accepted_and_this_sides_program_launched() {
    let mut script = accepted_invitation();
    script.stanza(&initiate(BOB_LAPTOP));
    let sent = script.sent();
    assert_eq!(
        (sent[0].attr("type"), sent[0].attr("id"), sent[0].attr("to")),
        (Some("result"), Some("ji-1"), Some(BOB_LAPTOP))
    );
    let accept = jingle_sent(&sent[1], BOB_LAPTOP);
    assert_eq!(accept.attr("action"), Some("session-accept"));
    assert_eq!(accept.attr("responder"), Some(DESK));
    let events = session_events(&script.events());
    assert!(events.contains(&SessionEvent::OnReadyToLaunch));
    assert!(events.contains(&SessionEvent::BeforeAppLaunch));
    let launches = launches(&mut script);
    assert_eq!(launches.len(), 1);
    let launch = &launches[0];
    assert_eq!(launch.session, SID);
    assert_eq!(launch.program, std::path::PathBuf::from("/bin/true"));
    assert_eq!(launch.args, ["--invite", "$(not a shell)"]);
    let vars = variables(launch);
    assert_eq!(vars[env::SESSION_ID], SID);
    assert_eq!(vars[env::APP_GUID], CHESS);
    assert_eq!(vars[env::ROLE], "invitee");
    assert_eq!(vars[env::LOCAL_JID], ALICE);
    assert_eq!(vars[env::REMOTE_JID], "bob@example.org");
    assert_eq!(vars[env::REMOTE_ADDRESS], "198.51.100.4:4000");
    assert_eq!(
        vars[env::CONTEXT_DATA],
        "e2e4 e7e5",
        "the context the session started with"
    );
    assert!(vars[env::API_SOCKET].ends_with("api.sock"));
    assert!(
        !vars.contains_key(env::COOKIE),
        "the executor adds the cookie"
    );
}

#[test]
fn a_started_program_connects_the_session() {
    let mut script = launching();
    script.answer(Answer::Launched {
        session: SID.into(),
        result: Ok(()),
    });
    let events = script.events();
    assert_eq!(last_session(&events).state, SessionState::Connected);
    assert!(
        session_events(&events).contains(&SessionEvent::OnStateChanged {
            previous: SessionState::Accepted,
            current: SessionState::Connected
        })
    );
}

#[test]
fn a_program_that_will_not_start_ends_the_session_on_both_sides() {
    let mut script = launching();
    script.answer(Answer::Launched {
        session: SID.into(),
        result: Err("permission denied".into()),
    });
    let sent = script.sent();
    assert_eq!(sent.len(), 1);
    let end = jingle_sent(&sent[0], BOB_LAPTOP);
    assert_eq!(end.attr("action"), Some("session-terminate"));
    let reason = end.get_child("reason", JINGLE).expect("a reason");
    assert!(reason.has_child("failed-application", JINGLE));
    let events = script.events();
    assert!(events.contains(&Event::Problem {
        problem: Problem::ProgramNotStarted {
            detail: "permission denied".into()
        }
    }));
    let session = last_session(&events);
    assert_eq!(
        (session.state, session.end_reason),
        (SessionState::Terminated, Some(EndReason::FailedApplication))
    );
    assert!(matches!(
        &script.jobs()[..],
        [Effect::RevokeCookies { session }] if session == SID
    ));
}

#[test]
fn a_session_started_by_another_device_or_a_stranger_is_unknown() {
    for other in [BOB_PHONE, STRANGER] {
        let mut script = accepted_invitation();
        script.stanza(&initiate(other));
        let sent = script.sent();
        if other == STRANGER {
            assert!(sent.is_empty(), "a stranger is told nothing");
        } else {
            assert_eq!(sent.len(), 1, "{other}");
            assert!(is_unknown_session(&sent[0], "ji-1"), "{other}");
        }
        assert!(launches(&mut script).is_empty(), "{other}");
        assert!(script.events().is_empty(), "{other}");
    }
}

#[test]
fn the_contact_accepting_the_session_launches_the_inviters_program() {
    let mut script = proceeded(Origin::Menu);
    script.effects.clear();
    script.stanza(&accept(BOB_LAPTOP));
    let sent = script.sent();
    assert_eq!(
        (sent[0].attr("type"), sent[0].attr("id")),
        (Some("result"), Some("ja-1"))
    );
    let events = session_events(&script.events());
    assert!(events.contains(&SessionEvent::OnReadyToLaunch));
    let launches = launches(&mut script);
    assert_eq!(launches.len(), 1);
    let vars = variables(&launches[0]);
    assert_eq!(vars[env::ROLE], "inviter");
    assert_eq!(vars[env::LOCAL_ADDRESS], "192.0.2.1:4000");
    assert_eq!(vars[env::REMOTE_ADDRESS], "203.0.113.9:5000");
    assert_eq!(vars[env::CONTEXT_DATA], "opening");
}

#[test]
fn an_application_that_invited_is_told_instead_of_launched() {
    let mut script = proceeded(Origin::Application);
    script.effects.clear();
    script.stanza(&accept(BOB_LAPTOP));
    assert!(launches(&mut script).is_empty(), "it runs already");
    let events = script.events();
    assert_eq!(last_session(&events).state, SessionState::Connected);
    assert!(session_events(&events).contains(&SessionEvent::OnReadyToLaunch));
}

#[test]
fn a_session_accept_from_another_device_is_unknown() {
    let mut script = proceeded(Origin::Menu);
    script.effects.clear();
    script.stanza(&accept(BOB_PHONE).replace("ja-1", "ja-2"));
    let sent = script.sent();
    assert!(is_unknown_session(&sent[0], "ja-2"));
    assert!(launches(&mut script).is_empty());
    assert!(script.events().is_empty());
}

#[test]
fn context_data_from_the_peer_device_is_reported() {
    let mut script = connected();
    script.stanza(&info(BOB_LAPTOP, "move: e7e5; $(whoami)"));
    let sent = script.sent();
    assert_eq!(
        (sent[0].attr("type"), sent[0].attr("id")),
        (Some("result"), Some("info-1"))
    );
    assert_eq!(
        session_events(&script.events()),
        [SessionEvent::OnContextData {
            data: "move: e7e5; $(whoami)".into()
        }]
    );
}

#[test]
fn context_data_from_anyone_else_is_refused_and_not_reported() {
    let mut script = connected();
    for other in [BOB_PHONE, STRANGER] {
        script.stanza(&info(other, "resign"));
        let sent = script.sent();
        match other {
            STRANGER => assert!(sent.is_empty(), "a stranger is told nothing"),
            _ => assert!(is_unknown_session(&sent[0], "info-1"), "{other}"),
        }
        assert!(script.events().is_empty(), "{other}");
    }
}

#[test]
fn context_data_is_sent_to_the_peer_device() {
    let mut script = connected();
    script.command(Command::SendContextData {
        session: SID.into(),
        data: "move: g1f3".into(),
    });
    let sent = script.sent();
    let info = jingle_sent(&sent[0], BOB_LAPTOP);
    assert_eq!(info.attr("action"), Some("session-info"));
    assert_eq!(
        info.get_child("context", NS).map(|c| c.text()),
        Some("move: g1f3".into())
    );
}

#[test]
fn context_data_over_the_limit_is_refused_and_not_sent() {
    let mut script = connected();
    script.command(Command::SendContextData {
        session: SID.into(),
        data: "x".repeat(crate::invite::MAX_CONTEXT_BYTES + 1),
    });
    assert!(script.sent().is_empty());
    assert!(matches!(
        &session_events(&script.events())[..],
        [SessionEvent::OnSendError { message }] if message.contains("limit")
    ));
}

#[test]
fn the_peer_device_ending_the_session_ends_it_here() {
    let mut script = connected();
    script.stanza(&terminate(BOB_LAPTOP));
    assert_eq!(script.sent()[0].attr("type"), Some("result"));
    let session = last_session(&script.events());
    assert_eq!(
        (session.state, session.end_reason),
        (SessionState::Terminated, Some(EndReason::Success))
    );
    assert_eq!(session.end_text.as_deref(), Some("good game"));
}

#[test]
fn nobody_else_can_end_the_session() {
    let mut script = connected();
    for other in [BOB_PHONE, STRANGER] {
        script.stanza(&terminate(other));
        let sent = script.sent();
        match other {
            STRANGER => assert!(sent.is_empty(), "a stranger is told nothing"),
            _ => assert!(is_unknown_session(&sent[0], "jt-1"), "{other}"),
        }
        assert!(script.events().is_empty(), "{other}");
    }
    script.command(Command::SendContextData {
        session: SID.into(),
        data: "still here".into(),
    });
    assert_eq!(script.sent().len(), 1, "the session goes on");
}

#[test]
fn ending_the_session_tells_the_peer_device() {
    let mut script = connected();
    script.command(Command::EndSession {
        session: SID.into(),
    });
    let sent = script.sent();
    let end = jingle_sent(&sent[0], BOB_LAPTOP);
    assert_eq!(end.attr("action"), Some("session-terminate"));
    assert!(end
        .get_child("reason", JINGLE)
        .is_some_and(|r| r.has_child("success", JINGLE)));
    let session = last_session(&script.events());
    assert_eq!(
        (session.state, session.end_reason),
        (SessionState::Terminated, Some(EndReason::Success))
    );
    assert!(matches!(
        &script.jobs()[..],
        [Effect::RevokeCookies { session }] if session == SID
    ));
}
