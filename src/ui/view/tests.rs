use super::*;
use crate::event::Event;
use crate::model::bare;

fn form(jid: &str) -> SignInForm {
    SignInForm {
        jid: jid.into(),
        password: "secret".into(),
        ..SignInForm::default()
    }
}

#[test]
fn jids_are_validated() {
    assert_eq!(validate_jid("  "), Err(FormError::EmptyJid));
    assert_eq!(validate_jid("alice"), Err(FormError::BadJid));
    assert_eq!(validate_jid("@example.org"), Err(FormError::BadJid));
    assert_eq!(validate_jid("alice@"), Err(FormError::BadJid));
    assert_eq!(validate_jid("al ice@example.org"), Err(FormError::BadJid));
    assert_eq!(
        validate_jid(" alice@example.org "),
        Ok("alice@example.org".into())
    );
}

#[test]
fn the_form_builds_the_account_with_advanced_settings() {
    let mut form = form("alice@example.org");
    form.host = " 127.0.0.1 ".into();
    form.port = "5223".into();
    form.tls = TlsMode::DirectTls;
    form.remember_password = true;
    let Some(Command::SignIn {
        account,
        password,
        remember_password,
    }) = form.sign_in()
    else {
        panic!("expected SignIn");
    };
    assert_eq!(account.host.as_deref(), Some("127.0.0.1"));
    assert_eq!(account.port, Some(5223));
    assert_eq!(account.tls, TlsMode::DirectTls);
    assert_eq!(password.expose(), "secret");
    assert!(remember_password);
}

#[test]
fn a_bad_port_or_jid_is_an_error_and_no_command() {
    let mut bad_port = form("alice@example.org");
    bad_port.port = "0".into();
    assert_eq!(bad_port.sign_in(), None);
    assert_eq!(bad_port.error, Some(FormError::BadPort));
    bad_port.port = "99999".into();
    assert_eq!(bad_port.sign_in(), None);

    let mut bad_jid = form("alice");
    assert_eq!(bad_jid.sign_in(), None);
    assert_eq!(bad_jid.error, Some(FormError::BadJid));
    bad_jid.jid = "alice@example.org".into();
    assert!(bad_jid.sign_in().is_some());
    assert_eq!(bad_jid.error, None, "a valid submit clears the error");
}

#[test]
fn registering_needs_a_password() {
    let mut form = form("alice@example.org");
    form.password.clear();
    assert_eq!(form.register(Default::default()), None);
    assert_eq!(form.error, Some(FormError::EmptyPassword));
    form.password = "pw".into();
    assert!(matches!(
        form.register(Default::default()),
        Some(Command::RegisterAccount { .. })
    ));
}

#[test]
fn trusting_a_certificate_pins_it_once() {
    let mut form = form("alice@example.org");
    for _ in 0..2 {
        let Some(Command::SignIn { account, .. }) = form.trust_and_sign_in("AB:CD") else {
            panic!("expected SignIn");
        };
        assert_eq!(account.pinned_certificates, vec!["AB:CD".to_string()]);
    }
}

#[test]
fn the_saved_account_fills_the_form_and_round_trips() {
    let saved = AccountConfig {
        jid: "alice@example.org".into(),
        host: Some("xmpp.example.org".into()),
        port: Some(5222),
        tls: TlsMode::StartTls,
        pinned_certificates: vec!["AA".into()],
        resource: Some("laptop".into()),
    };
    let form = SignInForm::from_account(Some(saved.clone()));
    assert_eq!(form.account(), Ok(saved));
}

#[test]
fn typing_sends_each_state_once() {
    let mut typing = Typing::default();
    assert_eq!(typing.edited(0.0, false), Some(ChatState::Composing));
    assert_eq!(typing.edited(1.0, false), None, "still composing");
    assert_eq!(typing.paused_at(), Some(1.0 + PAUSED_AFTER_SECONDS));
    assert_eq!(
        typing.tick(5.9),
        None,
        "not yet 5 s since the last keystroke"
    );
    assert_eq!(typing.tick(6.0), Some(ChatState::Paused));
    assert_eq!(typing.tick(60.0), None, "paused is sent once");
    assert_eq!(typing.paused_at(), None, "no timer while paused");
    assert_eq!(typing.edited(61.0, false), Some(ChatState::Composing));
    assert_eq!(typing.sent(), Some(ChatState::Active));
    assert_eq!(typing.sent(), None, "active is sent once");
}

#[test]
fn emptying_the_draft_goes_back_to_active() {
    let mut typing = Typing::default();
    assert_eq!(typing.edited(0.0, true), None, "nothing was announced");
    typing.edited(1.0, false);
    assert_eq!(typing.edited(2.0, true), Some(ChatState::Active));
    assert_eq!(typing.paused_at(), None);
}

#[test]
fn the_screen_follows_the_connection() {
    let mut view = ViewState::default();
    let mut state = AppState::default();
    assert_eq!(view.screen(&state), Screen::SignIn);

    let connect = |state: &mut AppState, view: &mut ViewState, connection: ConnectionState| {
        state.apply(Event::ConnectionChanged {
            state: connection.clone(),
        });
        view.observe_connection(&connection);
    };
    connect(&mut state, &mut view, ConnectionState::Connecting);
    assert_eq!(view.screen(&state), Screen::SignIn, "not signed in yet");

    view.sign_in.password = "secret".into();
    connect(
        &mut state,
        &mut view,
        ConnectionState::Online {
            jid: crate::model::full("a@b/c"),
        },
    );
    assert_eq!(view.screen(&state), Screen::Contacts);
    assert!(
        view.sign_in.password.is_empty(),
        "password forgotten once online"
    );

    let reconnecting = ConnectionState::Reconnecting {
        next_attempt_ms: 0,
        attempt: 1,
        reason: "lost".into(),
    };
    connect(&mut state, &mut view, reconnecting);
    assert_eq!(
        view.screen(&state),
        Screen::Contacts,
        "a reconnect keeps the list"
    );
    view.open(&bare("bob@b"));
    connect(&mut state, &mut view, ConnectionState::Connecting);
    assert_eq!(view.screen(&state), Screen::Contacts);
    assert!(
        view.windows.is_open(&bare("bob@b")),
        "a reconnect keeps the window"
    );

    let failed = ConnectionState::AuthFailed {
        message: "no".into(),
    };
    connect(&mut state, &mut view, failed);
    assert_eq!(view.screen(&state), Screen::SignIn);
    assert!(
        !view.windows.is_open(&bare("bob@b")),
        "the session's windows close"
    );
    connect(&mut state, &mut view, ConnectionState::Connecting);
    assert_eq!(view.screen(&state), Screen::SignIn, "the session ended");
}

#[test]
fn opening_a_conversation_loads_its_history() {
    let mut view = ViewState::default();
    assert_eq!(
        view.open(&bare("bob@b")),
        Command::LoadHistory {
            peer: bare("bob@b"),
            limit: HISTORY_LIMIT
        }
    );
    assert_eq!(view.selected, Some(bare("bob@b")));
}

#[test]
fn only_real_text_is_taken_as_a_message() {
    let mut view = ViewState::default();
    assert_eq!(view.take_message(&bare("bob@b")), None);
    view.drafts.insert(bare("bob@b"), " \n".into());
    assert_eq!(view.take_message(&bare("bob@b")), None);
    view.drafts.insert(bare("bob@b"), "hi\nthere\n".into());
    assert_eq!(
        view.take_message(&bare("bob@b")).as_deref(),
        Some("hi\nthere")
    );
    assert_eq!(view.drafts[&bare("bob@b")], "", "the draft is emptied");
}

#[test]
fn typing_deadlines_cover_every_contact() {
    let mut view = ViewState::default();
    assert_eq!(view.next_typing_deadline(), None);
    view.typing
        .entry(bare("a@b"))
        .or_default()
        .edited(3.0, false);
    view.typing
        .entry(bare("c@d"))
        .or_default()
        .edited(1.0, false);
    assert_eq!(
        view.next_typing_deadline(),
        Some(1.0 + PAUSED_AFTER_SECONDS)
    );
    assert_eq!(
        view.due_chat_states(1.0 + PAUSED_AFTER_SECONDS),
        vec![(bare("c@d"), ChatState::Paused)]
    );
    assert_eq!(
        view.next_typing_deadline(),
        Some(3.0 + PAUSED_AFTER_SECONDS)
    );
}

#[test]
fn answered_requests_are_hidden() {
    let mut state = AppState::default();
    let mut view = ViewState::default();
    for jid in ["x@y", "z@y"] {
        state.apply(Event::SubscriptionRequested { jid: bare(jid) });
    }
    assert_eq!(view.pending_request(&state), Some(&bare("x@y")));
    view.answered_requests.insert(bare("x@y"));
    assert_eq!(view.pending_request(&state), Some(&bare("z@y")));
}

#[test]
fn add_contact_validates_and_drops_an_empty_name() {
    let mut form = AddContactForm {
        jid: "bob".into(),
        ..AddContactForm::default()
    };
    assert_eq!(form.command(), None);
    assert_eq!(form.error, Some(FormError::BadJid));
    form.jid = "bob@example.org".into();
    form.name = "  ".into();
    assert_eq!(
        form.command(),
        Some(Command::AddContact {
            jid: bare("bob@example.org"),
            name: None,
            groups: vec![]
        })
    );
}

#[test]
fn add_contact_sends_the_address_normalised_or_says_what_is_wrong_with_it() {
    let mut form = AddContactForm {
        jid: "bob@@example.org".into(),
        ..AddContactForm::default()
    };
    assert_eq!(form.command(), None, "nothing reaches the core");
    assert_eq!(
        form.error,
        Some(FormError::InvalidJid(crate::xmpp::AddressError::TooManyAts))
    );
    assert_eq!(
        form.error.as_ref().map(ToString::to_string).as_deref(),
        Some("That is not an address Nudge can use: an address has only one @.")
    );
    form.jid = " xmpp:Bob@Example.ORG/phone ".into();
    assert!(matches!(
        form.command(),
        Some(Command::AddContact { jid, .. }) if jid == bare("bob@example.org")
    ));
    assert_eq!(form.error, None);
}

#[test]
fn a_message_that_was_not_sent_goes_back_into_an_empty_composer() {
    let mut view = ViewState::new(None);
    let state = AppState::default();
    let refused = |text: &str| Event::Problem {
        problem: crate::problem::Problem::MessageNotSent {
            to: bare("Bob@Example.org"),
            detail: "disk full".into(),
            text: text.into(),
        },
    };
    view.observe_event(&state, &refused("first try"));
    assert_eq!(view.drafts[&bare("bob@example.org")], "first try");
    // Something typed since is never overwritten.
    view.drafts
        .insert(bare("bob@example.org"), "new words".into());
    view.observe_event(&state, &refused("second try"));
    assert_eq!(view.drafts[&bare("bob@example.org")], "new words");
}
