//! The rules that keep a remote party from steering Session Invite: answers only in the right
//! state, from the right device, for the right application; a program launched at most once;
//! names shown from this computer's registry; nothing held forever.

use std::path::PathBuf;

use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::jid::{BareJid, FullJid, Jid};
use tokio_xmpp::parsers::message::Message;

use super::*;
use crate::apps::{Guid, Registration};
use crate::invite::EndReason;
use crate::invite::{Origin, SessionState};
use crate::model::bare;
use crate::xmpp::invite::{self as wire, Invitation, Reason};

const GAME: &str = "{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}";
const BOB: &str = "bob@example.org";
const BOB_PHONE: &str = "bob@example.org/phone";
const BOB_LAPTOP: &str = "bob@example.org/laptop";

/// Online, Bob a mutual contact, the game registered (as `/bin/true`, which exists).
fn with_game() -> Script {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut registry = Registry::empty(dir.path());
    registry
        .register(
            Registration {
                guid: Guid::parse(GAME).expect("guid"),
                name: "Checkers".into(),
                path: PathBuf::from("/bin/true"),
                download_url: "https://example.org/checkers".into(),
                args: vec![],
                key: None,
            },
            false,
        )
        .expect("registered");
    let mut script = Script::with(Settings::default(), Some(registry));
    script.sign_in_and_connect(true);
    script.answer_roster(&[Contact::mutual(BOB, "Bob")]);
    script.effects.clear();
    std::mem::forget(dir);
    script
}

fn full(jid: &str) -> FullJid {
    FullJid::new(jid).expect("full jid")
}

fn desk() -> FullJid {
    full(DESK)
}

/// A message from `from` as the server would deliver it.
fn from(mut message: Message, sender: &str) -> Stanza {
    message.from = Some(Jid::new(sender).expect("jid"));
    message.to = Some(Jid::from(desk()));
    Stanza::Message(message)
}

/// Alice invites Bob from the Invite menu; returns the session id.
fn invite(script: &mut Script) -> String {
    let sid = "s1".to_string();
    script.command(Command::Invite {
        session: sid.clone(),
        to: bare(BOB),
        app_guid: GAME.into(),
        context: None,
        local_address: None,
        origin: Origin::Menu,
    });
    script.effects.clear();
    sid
}

/// Bob's `device` sends session-accept for `sid` naming `guid`.
fn session_accept(script: &mut Script, device: &str, sid: &str, guid: &str) {
    let mut iq = wire::session_accept("sa1", &desk(), &full(device), sid, guid, None)
        .expect("session-accept");
    if let Iq::Set { from, .. } = &mut iq {
        *from = Some(Jid::new(device).expect("jid"));
    }
    script.input(Input::Stanza(Box::new(Stanza::Iq(iq))));
}

fn launches(script: &mut Script) -> usize {
    script
        .jobs()
        .iter()
        .filter(|j| matches!(j, Effect::Launch(_)))
        .count()
}

fn state(script: &Script, sid: &str) -> SessionState {
    script
        .account
        .sessions
        .get(sid)
        .expect("session")
        .session
        .state
}

#[test]
fn a_session_accept_before_the_invitation_was_accepted_launches_nothing() {
    let mut script = with_game();
    let sid = invite(&mut script);
    session_accept(&mut script, BOB_PHONE, &sid, GAME);
    assert_eq!(launches(&mut script), 0);
    assert_eq!(state(&script, &sid), SessionState::Invitation);
    let sent = script.sent();
    assert_eq!(sent[0].attr("type"), Some("error"), "refused: {sent:?}");
}

#[test]
fn a_session_accept_after_a_cancel_launches_nothing() {
    let mut script = with_game();
    let sid = invite(&mut script);
    script.command(Command::CancelInvitation {
        session: sid.clone(),
    });
    session_accept(&mut script, BOB_PHONE, &sid, GAME);
    assert_eq!(launches(&mut script), 0);
    assert_eq!(state(&script, &sid), SessionState::Cancelled);
}

/// Bob's phone accepts; Alice's side answers with session-initiate. Returns nothing; the
/// effects so far are read.
fn bob_accepts_on(script: &mut Script, sid: &str, device: &str) {
    script.input(Input::Stanza(Box::new(from(
        wire::proceed(&desk(), sid),
        device,
    ))));
    script.effects.clear();
}

#[test]
fn a_session_accept_for_another_application_launches_nothing() {
    let mut script = with_game();
    let sid = invite(&mut script);
    bob_accepts_on(&mut script, &sid, BOB_PHONE);
    session_accept(
        &mut script,
        BOB_PHONE,
        &sid,
        "{00000000-0000-0000-0000-000000000001}",
    );
    assert_eq!(launches(&mut script), 0);
    assert_eq!(state(&script, &sid), SessionState::Accepted);
}

#[test]
fn a_session_accept_from_another_device_launches_nothing() {
    let mut script = with_game();
    let sid = invite(&mut script);
    bob_accepts_on(&mut script, &sid, BOB_PHONE);
    session_accept(&mut script, BOB_LAPTOP, &sid, GAME);
    assert_eq!(launches(&mut script), 0);
}

#[test]
fn the_program_is_launched_at_most_once_per_session() {
    let mut script = with_game();
    let sid = invite(&mut script);
    bob_accepts_on(&mut script, &sid, BOB_PHONE);
    session_accept(&mut script, BOB_PHONE, &sid, GAME);
    assert_eq!(launches(&mut script), 1);
    script.answer(Answer::Launched {
        session: sid.clone(),
        result: Ok(()),
    });
    assert_eq!(state(&script, &sid), SessionState::Connected);
    session_accept(&mut script, BOB_PHONE, &sid, GAME);
    assert_eq!(
        launches(&mut script),
        0,
        "a second session-accept starts nothing"
    );
}

#[test]
fn the_device_that_answers_becomes_the_peer_even_if_another_one_rang() {
    let mut script = with_game();
    let sid = invite(&mut script);
    script.input(Input::Stanza(Box::new(from(
        wire::ringing(&desk(), &sid),
        BOB_PHONE,
    ))));
    bob_accepts_on(&mut script, &sid, BOB_LAPTOP);
    assert_eq!(state(&script, &sid), SessionState::Accepted);
    let live = script.account.sessions.get(&sid).expect("session");
    assert_eq!(live.peer_device, Some(full(BOB_LAPTOP)));
}

#[test]
fn a_refusal_from_another_device_than_the_one_that_rang_counts() {
    let mut script = with_game();
    let sid = invite(&mut script);
    script.input(Input::Stanza(Box::new(from(
        wire::ringing(&desk(), &sid),
        BOB_PHONE,
    ))));
    let reject = wire::reject(&Jid::from(desk()), &sid, &Reason::new(EndReason::Decline));
    script.input(Input::Stanza(Box::new(from(reject, BOB_LAPTOP))));
    assert_eq!(state(&script, &sid), SessionState::Declined);
}

#[test]
fn once_a_device_accepted_the_others_cannot_answer_for_it() {
    let mut script = with_game();
    let sid = invite(&mut script);
    bob_accepts_on(&mut script, &sid, BOB_PHONE);
    let reject = wire::reject(&Jid::from(desk()), &sid, &Reason::new(EndReason::Decline));
    script.input(Input::Stanza(Box::new(from(reject, BOB_LAPTOP))));
    assert_eq!(state(&script, &sid), SessionState::Accepted);
}

#[test]
fn an_accepted_session_that_never_starts_times_out() {
    let mut script = with_game();
    let sid = invite(&mut script);
    bob_accepts_on(&mut script, &sid, BOB_PHONE);
    assert!(
        script.account.next_deadline().is_some(),
        "it has a deadline"
    );
    script.advance(script.account.options.invitation_timeout.as_millis() as i64 + 1);
    assert_eq!(state(&script, &sid), SessionState::Terminated);
    let sent = script.sent_xml();
    assert!(
        sent.iter()
            .any(|s| s.contains("session-terminate") && s.contains("timeout")),
        "{sent:#?}"
    );
}

/// Bob invites Alice to the game, naming it `name`.
fn proposal(sid: &str, name: &str) -> Stanza {
    let invitation = Invitation {
        sid: sid.into(),
        guid: GAME.into(),
        name: name.into(),
        download_url: "https://example.org/checkers".into(),
        context: None,
        address: None,
    };
    let propose = wire::propose(&BareJid::new(ALICE).expect("jid"), &invitation).expect("propose");
    from(propose, BOB_PHONE)
}

#[test]
fn an_invitation_shows_the_name_this_computer_registered_not_the_one_sent() {
    let mut script = with_game();
    script.input(Input::Stanza(Box::new(proposal(
        "p1",
        "Totally Safe Viewer",
    ))));
    let live = script.account.sessions.get("p1").expect("ringing");
    assert_eq!(live.session.app_name, "Checkers");
}

#[test]
fn ringing_invitations_from_one_contact_are_capped() {
    let mut script = with_game();
    for n in 0..50 {
        script.input(Input::Stanza(Box::new(proposal(
            &format!("flood{n}"),
            "Checkers",
        ))));
    }
    let ringing = script.account.sessions.ringing_here().len();
    assert!(
        ringing <= super::super::invites::MAX_RINGING_PER_CONTACT,
        "{ringing}"
    );
    let busy = script
        .sent_xml()
        .iter()
        .filter(|s| s.contains("<busy"))
        .count();
    assert_eq!(busy, 50 - ringing, "the rest are told Alice is busy");
}

#[test]
fn ended_sessions_are_forgotten_after_a_while() {
    let mut script = with_game();
    let sid = invite(&mut script);
    script.command(Command::CancelInvitation {
        session: sid.clone(),
    });
    assert!(script.account.sessions.contains(&sid));
    script.advance(super::super::invites::KEEP_ENDED_MS + 1);
    script.input(Input::Tick);
    assert!(!script.account.sessions.contains(&sid));
}
