//! Session Invite, the ringing phase (XEP-0353 messages): inviting, who may invite the user,
//! accepting with and without the application, declining, cancelling, timing out, and answers
//! from the user's other devices. The Jingle phase is in `jingle.rs`, which shares the helpers
//! here.

use super::*;
use crate::apps::{Guid, Registration};
use crate::config::InvitePolicy;
use crate::invite::{
    EndReason, InviteSession, Origin, Role, SessionError, SessionEvent, SessionState,
};
use crate::model::bare;

pub(super) const CHESS: &str = "{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}";
pub(super) const BOB: &str = "bob@example.org";
pub(super) const BOB_LAPTOP: &str = "bob@example.org/laptop";
pub(super) const SID: &str = "5f0c6c1e-8e55-4e43-9d0a-4c7a1b6f2b10";
pub(super) const DOWNLOAD: &str = "https://example.org/chess";
pub(super) const JMI: &str = "urn:xmpp:jingle-message:0";
pub(super) const NS: &str = "urn:nudge:session-invite:0";
const JINGLE: &str = "urn:xmpp:jingle:1";
const STRANGER: &str = "stranger@example.net/pc";

/// A registry with the chess game; its program exists (`/bin/true`) when `installed`.
pub(super) fn chess_registry(installed: bool) -> Registry {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut registry = Registry::empty(dir.path());
    let program = match installed {
        true => "/bin/true",
        false => "/nonexistent/nudge-chess",
    };
    registry
        .register(
            Registration {
                guid: Guid::parse(CHESS).expect("GUID"),
                name: "Chess".into(),
                path: program.into(),
                download_url: DOWNLOAD.into(),
                args: vec!["--invite".into(), "$(not a shell)".into()],
                key: None,
            },
            false,
        )
        .expect("register");
    registry
}

/// Signed in with Bob as a mutual contact and chess registered (installed or not).
pub(super) fn online(installed: bool) -> Script {
    online_with_policy(InvitePolicy::default(), installed, Subscription::Both)
}

fn online_with_policy(policy: InvitePolicy, installed: bool, bob: Subscription) -> Script {
    let settings = Settings {
        invite_policy: policy,
        ..Default::default()
    };
    Script::online_as(
        settings,
        Some(chess_registry(installed)),
        &[contact(BOB, bob)],
    )
}

/// Invites Bob to chess from the Invite menu (or an application).
pub(super) fn invite(script: &mut Script, context: Option<&str>, origin: Origin) {
    script.command(Command::Invite {
        session: SID.into(),
        to: bare(BOB),
        app_guid: CHESS.into(),
        context: context.map(String::from),
        local_address: Some("192.0.2.1:4000".into()),
        origin,
    });
}

/// A Session Invite message `kind` about the session from `from`, with `inner` inside.
pub(super) fn jmi(from: &str, to: &str, kind: &str, inner: &str) -> String {
    format!(
        "<message from='{from}' to='{to}' type='chat' id='{kind}:{SID}'>\
         <{kind} xmlns='{JMI}' id='{SID}'>{inner}</{kind}></message>"
    )
}

/// Bob's laptop (or `from`) invites the user to chess.
pub(super) fn proposal(from: &str) -> String {
    jmi(
        from,
        ALICE,
        "propose",
        &format!(
            "<description xmlns='{NS}' guid='{CHESS}' name='Chess' download='{DOWNLOAD}'>\
             <context>e2e4</context><address>198.51.100.4:4000</address></description>"
        ),
    )
}

/// Bob's invitation, ringing here; everything so far is read.
pub(super) fn ringing(installed: bool) -> Script {
    let mut script = online(installed);
    script.stanza(&proposal(BOB_LAPTOP));
    script.effects.clear();
    script
}

/// Bob's invitation, accepted here; everything so far is read.
pub(super) fn accepted_invitation() -> Script {
    let mut script = ringing(true);
    script.command(Command::AcceptInvitation {
        session: SID.into(),
    });
    script.effects.clear();
    script
}

/// The sessions reported, as they were each time.
pub(super) fn sessions(events: &[Event]) -> Vec<InviteSession> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::SessionUpdated { session } => Some(session.clone()),
            _ => None,
        })
        .collect()
}

/// What happened to sessions, in order.
pub(super) fn session_events(events: &[Event]) -> Vec<SessionEvent> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::SessionEvent { detail, .. } => Some(detail.clone()),
            _ => None,
        })
        .collect()
}

/// The session as last reported.
pub(super) fn last_session(events: &[Event]) -> InviteSession {
    sessions(events).pop().expect("a session reported")
}

/// The Session Invite element of a sent message, with where it went.
pub(super) fn jmi_sent(sent: &Element) -> (String, String, &Element) {
    let element = sent
        .children()
        .find(|c| c.ns() == JMI || c.ns() == NS)
        .expect("a Session Invite element");
    assert_eq!(element.attr("id"), Some(SID));
    (
        sent.attr("to").unwrap_or_default().to_string(),
        element.name().to_string(),
        element,
    )
}

/// The condition in a `<reject/>` or `<retract/>`'s reason.
pub(super) fn condition(element: &Element) -> String {
    element
        .get_child("reason", JINGLE)
        .and_then(|r| r.children().find(|c| c.name() != "text"))
        .map(|c| c.name().to_string())
        .unwrap_or_default()
}

#[test]
fn inviting_proposes_to_the_contacts_bare_jid_and_rings_until_the_deadline() {
    let mut script = online(true);
    invite(&mut script, Some("board=empty"), Origin::Menu);
    let sent = script.sent();
    assert_eq!(sent.len(), 1);
    let (to, kind, propose) = jmi_sent(&sent[0]);
    assert_eq!(
        (to.as_str(), kind.as_str()),
        (BOB, "propose"),
        "every device rings"
    );
    let description = propose.get_child("description", NS).expect("a description");
    assert_eq!(description.attr("guid"), Some(CHESS));
    assert_eq!(description.attr("name"), Some("Chess"));
    assert_eq!(description.attr("download"), Some(DOWNLOAD));
    assert_eq!(
        description.get_child("context", NS).map(|c| c.text()),
        Some("board=empty".into())
    );
    let events = script.events();
    let session = last_session(&events);
    assert_eq!(
        (session.role, session.state, session.peer.as_str()),
        (Role::Inviter, SessionState::Invitation, BOB)
    );
    assert!(
        session_events(&events).contains(&SessionEvent::OnStateChanged {
            previous: SessionState::Ready,
            current: SessionState::Invitation
        })
    );
    assert_eq!(
        script.account.next_deadline(),
        Some(script.now + crate::invite::INVITATION_TIMEOUT_MS)
    );
}

#[test]
fn inviting_yourself_is_refused() {
    let mut script = online(true);
    script.command(Command::Invite {
        session: SID.into(),
        to: bare(ALICE),
        app_guid: CHESS.into(),
        context: None,
        local_address: None,
        origin: Origin::Menu,
    });
    assert_eq!(
        script.problems(),
        [Problem::Invitation {
            error: SessionError::InvitedSelf
        }]
    );
    assert!(script.sent().is_empty());
}

#[test]
fn context_data_over_the_limit_is_refused_before_anything_is_sent() {
    let mut script = online(true);
    let context = "x".repeat(crate::invite::MAX_CONTEXT_BYTES + 1);
    invite(&mut script, Some(&context), Origin::Menu);
    assert!(matches!(
        &script.problems()[..],
        [Problem::Invitation { error: SessionError::ContextTooLarge { size, .. } }]
            if *size == crate::invite::MAX_CONTEXT_BYTES + 1
    ));
    assert!(script.sent().is_empty());
    assert_eq!(script.account.next_deadline(), None, "no session rings");
}

#[test]
fn an_application_that_is_not_registered_cannot_be_offered() {
    let mut script = Script::online();
    invite(&mut script, None, Origin::Menu);
    assert!(matches!(
        &script.problems()[..],
        [Problem::Invitation { error: SessionError::AppNotRegistered { guid } }] if guid == CHESS
    ));
    assert!(script.sent().is_empty());
}

#[test]
fn a_strangers_invitation_goes_unanswered_by_default() {
    let mut script = online(true);
    script.stanza(&proposal(STRANGER));
    // Not even a refusal: it would tell a stranger this device is here.
    assert!(script.sent().is_empty());
    assert!(sessions(&script.events()).is_empty(), "nothing rings");
}

#[test]
fn a_contact_the_policy_refuses_is_told_the_user_is_not_accepting() {
    let mut script = online_with_policy(InvitePolicy::Nobody, true, Subscription::Both);
    script.stanza(&proposal(BOB_LAPTOP));
    let sent = script.sent();
    assert_eq!(sent.len(), 1);
    let (to, kind, reject) = jmi_sent(&sent[0]);
    assert_eq!((to.as_str(), kind.as_str()), (BOB_LAPTOP, "reject"));
    assert_eq!(condition(reject), "decline");
    assert!(reject
        .get_child("reason", JINGLE)
        .is_some_and(|r| r.has_child("not-accepting", NS)));
}

#[test]
fn a_contact_without_mutual_subscription_is_refused_by_default() {
    let mut script = online_with_policy(InvitePolicy::TrustedContacts, true, Subscription::To);
    script.stanza(&proposal(BOB_LAPTOP));
    let sent = script.sent();
    assert_eq!(jmi_sent(&sent[0]).1, "reject");
    assert!(sessions(&script.events()).is_empty());
}

#[test]
fn a_mutual_contacts_invitation_rings() {
    let mut script = online(true);
    script.stanza(&proposal(BOB_LAPTOP));
    let sent = script.sent();
    assert_eq!(sent.len(), 1);
    let (to, kind, _) = jmi_sent(&sent[0]);
    assert_eq!((to.as_str(), kind.as_str()), (BOB_LAPTOP, "ringing"));
    let session = last_session(&script.events());
    assert_eq!(
        (session.role, session.state, session.app_present),
        (Role::Invitee, SessionState::Invitation, true)
    );
    assert_eq!(session.context.as_deref(), Some("e2e4"));
    assert_eq!(session.remote_address.as_deref(), Some("198.51.100.4:4000"));
    assert!(script.account.next_deadline().is_some());
}

#[test]
fn with_the_anyone_setting_a_stranger_rings() {
    let mut script = online_with_policy(InvitePolicy::Anyone, true, Subscription::Both);
    script.stanza(&proposal(STRANGER));
    assert_eq!(jmi_sent(&script.sent()[0]).1, "ringing");
    assert_eq!(last_session(&script.events()).peer, "stranger@example.net");
}

#[test]
fn with_the_nobody_setting_even_a_mutual_contact_is_refused() {
    let mut script = online_with_policy(InvitePolicy::Nobody, true, Subscription::Both);
    script.stanza(&proposal(BOB_LAPTOP));
    let sent = script.sent();
    let (to, kind, reject) = jmi_sent(&sent[0]);
    assert_eq!((to.as_str(), kind.as_str()), (BOB_LAPTOP, "reject"));
    assert!(reject
        .get_child("reason", JINGLE)
        .is_some_and(|r| r.has_child("not-accepting", NS)));
    assert!(sessions(&script.events()).is_empty());
}

#[test]
fn accepting_with_the_application_installed_proceeds_and_tells_the_users_other_devices() {
    let mut script = ringing(true);
    script.command(Command::AcceptInvitation {
        session: SID.into(),
    });
    let sent = script.sent();
    let answers: Vec<(String, String)> = sent
        .iter()
        .map(|s| {
            let (to, kind, _) = jmi_sent(s);
            (to, kind)
        })
        .collect();
    assert_eq!(
        answers,
        [
            (ALICE.to_string(), "accept".to_string()),
            (BOB_LAPTOP.to_string(), "proceed".to_string()),
        ]
    );
    let events = script.events();
    assert_eq!(last_session(&events).state, SessionState::Accepted);
    assert!(session_events(&events).contains(&SessionEvent::OnAccepted));
    assert!(script.jobs().is_empty(), "launched once the session starts");
}

#[test]
fn accepting_without_the_application_shows_where_to_get_it_and_keeps_ringing() {
    let mut script = ringing(false);
    script.command(Command::AcceptInvitation {
        session: SID.into(),
    });
    assert!(matches!(
        &script.jobs()[..],
        [Effect::OpenPage { url }] if url == DOWNLOAD
    ));
    let sent = script.sent();
    assert_eq!(sent.len(), 1);
    let (to, kind, _) = jmi_sent(&sent[0]);
    assert_eq!(
        (to.as_str(), kind.as_str()),
        (BOB_LAPTOP, "app-not-present")
    );
    assert!(sessions(&script.events()).is_empty(), "unchanged");
    assert!(script.account.next_deadline().is_some(), "still ringing");
}

#[test]
fn an_application_installed_while_the_invitation_rings_can_then_be_accepted() {
    let mut script = ringing(false);
    script.input(Input::AppsChanged(chess_registry(true)));
    let events = script.events();
    assert!(last_session(&events).app_present);
    script.sent();
    script.command(Command::AcceptInvitation {
        session: SID.into(),
    });
    let kinds: Vec<String> = script.sent().iter().map(|s| jmi_sent(s).1).collect();
    assert_eq!(kinds, ["accept", "proceed"]);
}

#[test]
fn declining_rejects_to_the_inviting_device_and_the_users_account() {
    let mut script = ringing(true);
    script.command(Command::DeclineInvitation {
        session: SID.into(),
    });
    let sent = script.sent();
    let rejects: Vec<(String, String, String)> = sent
        .iter()
        .map(|s| {
            let (to, kind, element) = jmi_sent(s);
            (to, kind, condition(element))
        })
        .collect();
    let reject = |to: &str| (to.to_string(), "reject".to_string(), "decline".to_string());
    assert_eq!(rejects, [reject(BOB_LAPTOP), reject(ALICE)]);
    let session = last_session(&script.events());
    assert_eq!(
        (session.state, session.end_reason),
        (SessionState::Declined, Some(EndReason::Decline))
    );
    assert!(matches!(
        &script.jobs()[..],
        [Effect::RevokeCookies { session }] if session == SID
    ));
    // No longer ringing: the only deadline left forgets the ended session later.
    let forget_at = script.now + crate::core::account::invites::KEEP_ENDED_MS;
    assert_eq!(script.account.next_deadline(), Some(forget_at));
}

#[test]
fn cancelling_retracts_the_invitation_from_every_device() {
    let mut script = online(true);
    invite(&mut script, None, Origin::Menu);
    script.effects.clear();
    script.command(Command::CancelInvitation {
        session: SID.into(),
    });
    let sent = script.sent();
    let (to, kind, retract) = jmi_sent(&sent[0]);
    assert_eq!((to.as_str(), kind.as_str()), (BOB, "retract"));
    assert_eq!(condition(retract), "cancel");
    let session = last_session(&script.events());
    assert_eq!(
        (session.state, session.end_reason),
        (SessionState::Cancelled, Some(EndReason::Cancel))
    );
    // No longer ringing: the only deadline left forgets the ended session later.
    let forget_at = script.now + crate::core::account::invites::KEEP_ENDED_MS;
    assert_eq!(script.account.next_deadline(), Some(forget_at));
}

#[test]
fn an_invitation_nobody_answers_is_withdrawn_when_it_stops_ringing() {
    let mut script = online(true);
    invite(&mut script, None, Origin::Menu);
    script.effects.clear();
    script.advance(crate::invite::INVITATION_TIMEOUT_MS - 1);
    assert!(script.sent().is_empty(), "still ringing");
    script.advance(1);
    let sent = script.sent();
    let (to, kind, retract) = jmi_sent(&sent[0]);
    assert_eq!((to.as_str(), kind.as_str()), (BOB, "retract"));
    assert_eq!(condition(retract), "timeout");
    let session = last_session(&script.events());
    assert_eq!(
        (session.state, session.end_reason),
        (SessionState::Terminated, Some(EndReason::Timeout))
    );
}

#[test]
fn an_invitation_the_user_does_not_answer_is_turned_down_when_it_stops_ringing() {
    let mut script = ringing(true);
    script.advance(crate::invite::INVITATION_TIMEOUT_MS);
    let sent = script.sent();
    let (to, kind, reject) = jmi_sent(&sent[0]);
    assert_eq!((to.as_str(), kind.as_str()), (BOB_LAPTOP, "reject"));
    assert_eq!(condition(reject), "timeout");
    let session = last_session(&script.events());
    assert_eq!(
        (session.state, session.end_reason),
        (SessionState::Terminated, Some(EndReason::Timeout))
    );
}

#[test]
fn an_invitation_for_a_missing_application_times_out_as_unsupported() {
    let mut script = ringing(false);
    script.advance(crate::invite::INVITATION_TIMEOUT_MS);
    let sent = script.sent();
    assert_eq!(condition(jmi_sent(&sent[0]).2), "unsupported-applications");
    let session = last_session(&script.events());
    assert_eq!(
        (session.state, session.end_reason),
        (
            SessionState::Declined,
            Some(EndReason::UnsupportedApplications)
        )
    );
}

#[test]
fn the_contact_declining_ends_the_invitation_and_says_whether_by_policy() {
    let mut script = online(true);
    invite(&mut script, None, Origin::Menu);
    script.effects.clear();
    script.stanza(&jmi(
        BOB_LAPTOP,
        DESK,
        "reject",
        &format!("<reason xmlns='{JINGLE}'><decline/><not-accepting xmlns='{NS}'/></reason>"),
    ));
    let events = script.events();
    assert_eq!(last_session(&events).state, SessionState::Declined);
    assert!(session_events(&events).contains(&SessionEvent::OnDeclined {
        not_accepting: true
    }));
}

#[test]
fn a_rejection_from_someone_else_is_ignored() {
    let mut script = online(true);
    invite(&mut script, None, Origin::Menu);
    script.effects.clear();
    let decline = format!("<reason xmlns='{JINGLE}'><decline/></reason>");
    script.stanza(&jmi("mallory@evil.example/x", DESK, "reject", &decline));
    assert!(script.events().is_empty());
    assert!(script.account.next_deadline().is_some(), "still ringing");
}

#[test]
fn the_inviter_withdrawing_stops_the_ringing_here() {
    let mut script = ringing(true);
    script.stanza(&jmi(
        BOB_LAPTOP,
        ALICE,
        "retract",
        &format!("<reason xmlns='{JINGLE}'><cancel/></reason>"),
    ));
    let events = script.events();
    assert_eq!(last_session(&events).state, SessionState::Cancelled);
    assert!(session_events(&events).contains(&SessionEvent::OnCancelled));
}

#[test]
fn an_invitation_answered_on_another_device_stops_ringing_here() {
    let mut script = ringing(true);
    script.stanza(&jmi("alice@example.org/phone", ALICE, "accept", ""));
    let session = last_session(&script.events());
    assert_eq!(session.state, SessionState::Terminated);
    assert_eq!(
        session.end_text.as_deref(),
        Some("answered on another device")
    );
    assert!(script.sent().is_empty(), "the other device answered Bob");
}

#[test]
fn the_servers_echo_of_this_devices_own_answer_changes_nothing() {
    let mut script = ringing(true);
    script.stanza(&jmi(DESK, ALICE, "accept", ""));
    assert!(script.events().is_empty());
    assert!(script.account.next_deadline().is_some(), "still ringing");
}
