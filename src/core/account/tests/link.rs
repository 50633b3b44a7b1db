//! Signing in and out, connection outcomes, reconnecting, presence and the commands that need
//! the link.

use super::*;
use crate::core::account::{ConnectFailure, KeyringFault};
use crate::model::{bare, Availability, ConnectionState};
use crate::problem::OfflineAction;
use crate::secret::Secret;

fn states(events: &[Event]) -> Vec<ConnectionState> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::ConnectionChanged { state } => Some(state.clone()),
            _ => None,
        })
        .collect()
}

fn sign_in(script: &mut Script, password: &str, remember: bool) {
    script.command(Command::SignIn {
        account: AccountConfig {
            jid: ALICE.into(),
            ..Default::default()
        },
        password: password.into(),
        remember_password: remember,
    });
}

#[test]
fn signing_in_saves_the_account_keeps_the_password_as_asked_and_connects() {
    let mut script = Script::new();
    sign_in(&mut script, "pw", true);
    let jobs = script.jobs();
    assert!(matches!(&jobs[0], Effect::SaveAccount(a) if a.jid.as_str() == ALICE));
    assert!(matches!(
        &jobs[1],
        Effect::KeepPassword { jid, password, remember: true } if jid.as_str() == ALICE && password.expose() == "pw"
    ));
    let Effect::Connect {
        attempt,
        password,
        resume,
        resource,
        ..
    } = &jobs[2]
    else {
        panic!("{:?}", jobs[2]);
    };
    assert_eq!((*attempt, password.expose(), *resume), (1, "pw", false));
    assert!(resource.starts_with("nudge-"), "{resource}");
    assert_eq!(states(&script.events()), [ConnectionState::Connecting]);
}

#[test]
fn an_empty_password_asks_the_keyring_and_signs_in_with_what_it_has() {
    let mut script = Script::new();
    sign_in(&mut script, "", true);
    assert!(matches!(&script.jobs()[..], [Effect::LoadPassword { jid }] if jid.as_str() == ALICE));
    script.answer(Answer::PasswordLoaded {
        jid: ALICE.into(),
        result: Ok(Some(Secret::from("saved"))),
    });
    let connect = script.jobs().into_iter().find_map(|j| match j {
        Effect::Connect { password, .. } => Some(password),
        _ => None,
    });
    assert_eq!(connect.expect("connects").expose(), "saved");
}

#[test]
fn an_empty_password_with_none_saved_asks_for_one() {
    let mut script = Script::new();
    sign_in(&mut script, "", false);
    script.answer(Answer::PasswordLoaded {
        jid: ALICE.into(),
        result: Ok(None),
    });
    assert!(script.connect_attempt().is_none());
    assert!(matches!(
        states(&script.events()).last(),
        Some(ConnectionState::AuthFailed { message }) if message.contains("password")
    ));
}

#[test]
fn a_keyring_that_fails_to_read_is_reported_and_asks_for_the_password() {
    let mut script = Script::new();
    sign_in(&mut script, "", false);
    script.answer(Answer::PasswordLoaded {
        jid: ALICE.into(),
        result: Err(KeyringFault::Failed("locked".into())),
    });
    let events = script.events();
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Problem { problem: Problem::KeyringFailed { detail } } if detail == "locked"
    )));
    assert!(matches!(
        states(&events).last(),
        Some(ConnectionState::AuthFailed { .. })
    ));
}

#[test]
fn a_password_answer_for_another_account_is_ignored() {
    let mut script = Script::new();
    sign_in(&mut script, "", false);
    script.answer(Answer::PasswordLoaded {
        jid: "mallory@example.org".into(),
        result: Ok(Some(Secret::from("x"))),
    });
    assert!(script.connect_attempt().is_none());
}

#[test]
fn signing_in_again_with_no_password_reuses_the_one_given_before() {
    let mut script = Script::online();
    sign_in(&mut script, "", false);
    let jobs = script.jobs();
    assert!(!jobs
        .iter()
        .any(|j| matches!(j, Effect::LoadPassword { .. })));
    assert!(jobs
        .iter()
        .any(|j| matches!(j, Effect::Connect { password, .. } if password.expose() == "pw")));
}

#[test]
fn an_invalid_address_fails_at_once() {
    let mut script = Script::new();
    script.command(Command::SignIn {
        account: AccountConfig {
            jid: "not an address".into(),
            ..Default::default()
        },
        password: "pw".into(),
        remember_password: false,
    });
    assert!(script.connect_attempt().is_none());
    assert!(matches!(
        &states(&script.events())[..],
        [ConnectionState::Failed { .. }]
    ));
}

#[test]
fn a_fresh_stream_asks_for_roster_block_list_carbons_and_history_and_sends_presence() {
    let mut script = Script::new();
    script.sign_in_and_connect(true);
    let sent = script.sent_xml();
    let has = |needle: &str| sent.iter().any(|s| s.contains(needle));
    assert!(has("jabber:iq:roster"), "{sent:#?}");
    assert!(has("urn:xmpp:blocking"));
    assert!(has("urn:xmpp:carbons:2"));
    assert!(has("urn:xmpp:mam:2"));
    assert!(sent.iter().any(|s| s.starts_with("<presence")));
    let events = script.events();
    assert!(matches!(
        states(&events).last(),
        Some(ConnectionState::Online { jid }) if jid.as_str() == DESK
    ));
    assert!(events.iter().any(|e| matches!(
        e,
        Event::OwnPresenceChanged {
            availability: Availability::Online,
            ..
        }
    )));
}

#[test]
fn a_resumed_stream_asks_for_nothing_again() {
    let mut script = Script::online();
    script.input(Input::Disconnected {
        reason: "cut".into(),
    });
    script.advance(60_000);
    let attempt = script.connect_attempt().expect("reconnects");
    script.connected(attempt, true, true);
    let sent = script.sent_xml();
    assert!(
        !sent.iter().any(|s| s.contains("jabber:iq:roster")),
        "{sent:#?}"
    );
    assert!(!sent.iter().any(|s| s.starts_with("<presence")));
}

#[test]
fn a_refused_password_is_final() {
    let mut script = Script::new();
    sign_in(&mut script, "wrong", false);
    let attempt = script.connect_attempt().expect("attempt");
    script.input(Input::ConnectFailed {
        attempt,
        failure: ConnectFailure::AuthFailed {
            message: "not-authorized".into(),
        },
    });
    assert_eq!(script.account.next_deadline(), None);
    script.advance(3_600_000);
    assert!(script.connect_attempt().is_none());
    assert!(matches!(
        states(&script.events()).last(),
        Some(ConnectionState::AuthFailed { .. })
    ));
}

#[test]
fn a_refused_certificate_is_final_and_names_its_fingerprint() {
    let mut script = Script::new();
    sign_in(&mut script, "pw", false);
    let attempt = script.connect_attempt().expect("attempt");
    script.input(Input::ConnectFailed {
        attempt,
        failure: ConnectFailure::CertificateRejected {
            fingerprint: "AB:CD".into(),
            message: "self-signed".into(),
        },
    });
    assert_eq!(script.account.next_deadline(), None);
    assert!(matches!(
        states(&script.events()).last(),
        Some(ConnectionState::CertificateRejected { fingerprint, .. }) if fingerprint == "AB:CD"
    ));
}

#[test]
fn network_trouble_retries_after_a_growing_wait() {
    let mut script = Script::new();
    sign_in(&mut script, "pw", false);
    let mut waits = Vec::new();
    for _ in 0..4 {
        let attempt = script.connect_attempt().expect("attempt");
        script.input(Input::ConnectFailed {
            attempt,
            failure: ConnectFailure::Retryable {
                reason: "unreachable".into(),
            },
        });
        let at = script.account.next_deadline().expect("a retry");
        waits.push(at - script.now);
        script.advance(at - script.now);
    }
    // 1 s, 2 s, 4 s, 8 s, each stretched by the (fixed) jitter of one half: +12.5 %.
    assert_eq!(waits, [1125, 2250, 4500, 9000]);
    let events = script.events();
    assert!(matches!(
        states(&events).iter().rev().nth(1),
        Some(ConnectionState::Reconnecting { attempt: 4, reason, .. }) if reason == "unreachable"
    ));
}

#[test]
fn the_answer_of_an_abandoned_attempt_is_ignored() {
    let mut script = Script::new();
    sign_in(&mut script, "pw", false);
    let first = script.connect_attempt().expect("attempt");
    sign_in(&mut script, "pw2", false);
    let second = script.connect_attempt().expect("attempt");
    assert_ne!(first, second);
    script.events();
    script.connected(first, false, true);
    assert!(script.sent().is_empty());
    script.input(Input::ConnectFailed {
        attempt: first,
        failure: ConnectFailure::AuthFailed {
            message: "old".into(),
        },
    });
    assert!(states(&script.events()).is_empty());
    script.connected(second, false, true);
    assert!(!script.sent().is_empty());
}

#[test]
fn a_lost_link_reconnects_and_may_resume() {
    let mut script = Script::online();
    script.input(Input::Disconnected {
        reason: "the connection was lost".into(),
    });
    assert!(matches!(
        &states(&script.events())[..],
        [ConnectionState::Reconnecting { .. }]
    ));
    script.advance(1125);
    let jobs = script.jobs();
    assert!(jobs
        .iter()
        .any(|j| matches!(j, Effect::Connect { resume: true, .. })));
}

#[test]
fn signing_out_says_goodbye_closes_and_stays_offline() {
    let mut script = Script::online();
    script.command(Command::SignOut);
    let sent = script.sent_xml();
    assert!(sent[0].starts_with("<presence") && sent[0].contains("unavailable"));
    assert!(matches!(&script.jobs()[..], [Effect::Disconnect]));
    assert_eq!(states(&script.events()), [ConnectionState::Offline]);
    script.command(Command::SetPresence {
        availability: Availability::Online,
        status: None,
    });
    assert!(
        script.connect_attempt().is_none(),
        "no credentials any more"
    );
}

#[test]
fn going_offline_keeps_the_credentials_for_coming_back() {
    let mut script = Script::online();
    script.command(Command::SetPresence {
        availability: Availability::Offline,
        status: None,
    });
    assert!(matches!(&script.jobs()[..], [Effect::Disconnect]));
    script.sent();
    script.command(Command::SetPresence {
        availability: Availability::Away,
        status: Some("back soon".into()),
    });
    let attempt = script.connect_attempt().expect("signs in again");
    script.connected(attempt, false, true);
    let presence = script
        .sent_xml()
        .into_iter()
        .find(|s| s.starts_with("<presence"))
        .expect("presence");
    assert!(presence.contains("<show>away</show>"), "{presence}");
    assert!(presence.contains("back soon"));
}

#[test]
fn a_status_change_online_is_sent_and_reported() {
    let mut script = Script::online();
    script.command(Command::SetPresence {
        availability: Availability::Busy,
        status: Some("in a meeting".into()),
    });
    let sent = script.sent_xml();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains("<show>dnd</show>") && sent[0].contains("in a meeting"));
    assert!(script.events().contains(&Event::OwnPresenceChanged {
        availability: Availability::Busy,
        status: Some("in a meeting".into()),
    }));
}

#[test]
fn the_chosen_sign_in_presence_is_the_first_one_sent() {
    let settings = Settings {
        sign_in_as: Availability::Busy,
        ..Default::default()
    };
    let mut script = Script::with(settings, None);
    script.sign_in_and_connect(true);
    let presence = script
        .sent_xml()
        .into_iter()
        .find(|s| s.starts_with("<presence"))
        .expect("presence");
    assert!(presence.contains("<show>dnd</show>"), "{presence}");
}

#[test]
fn signing_in_while_online_says_goodbye_first() {
    let mut script = Script::online();
    sign_in(&mut script, "pw", false);
    let sent = script.sent_xml();
    assert!(sent[0].contains("unavailable"));
    let jobs = script.jobs();
    let disconnect = jobs.iter().position(|j| matches!(j, Effect::Disconnect));
    let connect = jobs
        .iter()
        .position(|j| matches!(j, Effect::Connect { .. }));
    assert!(disconnect < connect, "{jobs:?}");
}

#[test]
fn shutting_down_says_goodbye_then_stops() {
    let mut script = Script::online();
    script.command(Command::Shutdown);
    assert!(script.sent_xml()[0].contains("unavailable"));
    assert!(matches!(
        &script.jobs()[..],
        [Effect::Disconnect, Effect::Stop]
    ));
}

#[test]
fn commands_that_need_the_link_say_so_offline() {
    let cases = [
        (
            Command::SendNudge {
                to: bare("bob@example.org"),
            },
            OfflineAction::Contact,
        ),
        (
            Command::BlockContact {
                jid: bare("bob@example.org"),
            },
            OfflineAction::Contact,
        ),
        (
            Command::AddContact {
                jid: bare("bob@example.org"),
                name: None,
                groups: vec![],
            },
            OfflineAction::ChangeContacts,
        ),
        (
            Command::RemoveContact {
                jid: bare("bob@example.org"),
            },
            OfflineAction::ChangeContacts,
        ),
        (Command::ClearAvatar, OfflineAction::ChangePicture),
        (
            Command::SetNickname {
                nick: Some("Al".into()),
            },
            OfflineAction::ChangeName,
        ),
        (
            Command::AcceptInvitation {
                session: "s".into(),
            },
            OfflineAction::Invitation,
        ),
        (
            Command::EndSession {
                session: "s".into(),
            },
            OfflineAction::Invitation,
        ),
    ];
    for (command, action) in cases {
        let mut script = Script::new();
        script.command(command.clone());
        assert_eq!(
            script.problems(),
            [Problem::NotSignedIn { action }],
            "{command:?}"
        );
        assert!(script.sent().is_empty() && script.jobs().is_empty());
    }
}

#[test]
fn a_silent_link_is_checked_with_a_ping_to_the_server() {
    let mut script = Script::online();
    script.input(Input::Idle);
    let sent = script.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].attr("to"), Some("example.org"));
    assert!(sent[0].has_child("ping", "urn:xmpp:ping"));
}

#[test]
fn creating_an_account_needs_signing_out_first() {
    let mut script = Script::online();
    script.command(Command::FetchRegistrationForm {
        account: AccountConfig::default(),
    });
    assert_eq!(script.problems(), [Problem::SignOutToRegister]);
}

#[test]
fn a_created_account_is_announced_and_signed_in_with_its_password_not_remembered() {
    let mut script = Script::new();
    let account = AccountConfig {
        jid: ALICE.into(),
        ..Default::default()
    };
    script.command(Command::RegisterAccount {
        account: account.clone(),
        password: "new".into(),
        fields: Default::default(),
    });
    assert!(matches!(
        &script.jobs()[..],
        [Effect::RegisterAccount { password, .. }] if password.expose() == "new"
    ));
    script.answer(Answer::Registered {
        account,
        password: "new".into(),
        result: Ok(()),
    });
    assert!(script
        .events()
        .contains(&Event::AccountRegistered { jid: bare(ALICE) }));
    assert!(script.jobs().iter().any(|j| matches!(
        j,
        Effect::KeepPassword {
            remember: false,
            ..
        }
    )));
}

#[test]
fn a_missing_keyring_matters_only_when_the_password_was_to_be_remembered() {
    let mut script = Script::new();
    script.answer(Answer::PasswordNotKept {
        remember: false,
        fault: KeyringFault::Unavailable,
    });
    assert!(script.problems().is_empty());
    script.answer(Answer::PasswordNotKept {
        remember: true,
        fault: KeyringFault::Unavailable,
    });
    assert_eq!(script.problems(), [Problem::NoKeyring]);
}

#[test]
fn settings_change_only_once_written() {
    let mut script = Script::new();
    let settings = Settings {
        sign_in_as: Availability::Away,
        ..Default::default()
    };
    script.command(Command::SaveSettings {
        settings: settings.clone(),
    });
    assert!(matches!(&script.jobs()[..], [Effect::SaveSettings(s)] if *s == settings));
    script.answer(Answer::SettingsSaved {
        result: Err("read-only".into()),
    });
    assert_eq!(
        script.problems(),
        [Problem::SettingsNotSaved {
            detail: "read-only".into()
        }]
    );
    script.answer(Answer::SettingsSaved {
        result: Ok(settings.clone()),
    });
    assert_eq!(script.events(), [Event::SettingsChanged { settings }]);
}

#[test]
fn the_command_debug_output_never_shows_the_password() {
    let command = Command::SignIn {
        account: AccountConfig::default(),
        password: "hunter2".into(),
        remember_password: true,
    };
    assert!(!format!("{command:?}").contains("hunter2"));
    let mut script = Script::new();
    sign_in(&mut script, "hunter2", false);
    assert!(!format!("{:?}", script.jobs()).contains("hunter2"));
}
