//! The sign-in screen, driven by accessible labels like a user would.

use nudge_testkit::bare;
use std::collections::BTreeMap;

use egui_kittest::kittest::Queryable;
use nudge::command::Command;
use nudge::config::{AccountConfig, Settings, TlsMode};
use nudge::event::Event;
use nudge::model::{Availability, ConnectionState};
use nudge::xmpp::register::{FieldKind, RegistrationField, RegistrationForm};
use nudge_testkit::ui::Window;

#[test]
fn signing_in_sends_the_account_and_password() {
    let mut window = Window::new();
    window.type_into("Address", "alice@example.org");
    window.type_into("Password", "correct horse");
    window.click("Remember my password");
    window.click("Sign in");
    let sent = window.sent();
    assert_eq!(
        sent,
        vec![Command::SignIn {
            account: AccountConfig {
                jid: "alice@example.org".into(),
                ..AccountConfig::default()
            },
            password: "correct horse".into(),
            remember_password: true,
        }]
    );
}

#[test]
fn advanced_settings_reach_the_account() {
    let mut window = Window::new();
    window.type_into("Address", "alice@localhost");
    window.click("Advanced");
    window.type_into("Server host", "127.0.0.1");
    window.type_into("Port", "5223");
    window.click("Direct TLS");
    window.click("Sign in");
    let sent = window.sent();
    let [Command::SignIn { account, .. }] = sent.as_slice() else {
        panic!("expected one SignIn");
    };
    assert_eq!(account.host.as_deref(), Some("127.0.0.1"));
    assert_eq!(account.port, Some(5223));
    assert_eq!(account.tls, TlsMode::DirectTls);
}

#[test]
fn an_address_without_at_shows_an_error_and_sends_nothing() {
    let mut window = Window::new();
    window.click("Sign in");
    assert!(window.shows("Enter an address"));
    window.type_into("Address", "alice");
    window.click("Sign in");
    assert!(window.shows("a name, an @, and a server"));
    window.click("Create a new account");
    assert_eq!(window.sent(), vec![]);
}

fn field(var: &str, label: &str, required: bool, kind: FieldKind) -> RegistrationField {
    RegistrationField {
        var: var.into(),
        label: Some(label.into()),
        required,
        kind,
        value: None,
        description: None,
    }
}

/// What a server with a required e-mail address and a language choice asks.
fn server_form() -> RegistrationForm {
    RegistrationForm {
        instructions: Some("Choose a name and password.".into()),
        fields: vec![
            field("username", "Username", true, FieldKind::Text),
            field("password", "Password", true, FieldKind::Secret),
            field("email", "Email", true, FieldKind::Text),
            field(
                "lang",
                "Language",
                false,
                FieldKind::Choice {
                    options: vec![
                        ("en".into(), "English".into()),
                        ("fr".into(), "French".into()),
                    ],
                },
            ),
            field("news", "Send me news", false, FieldKind::Boolean),
        ],
        notes: vec!["Be nice.".into()],
        data_form: true,
        ..RegistrationForm::default()
    }
}

#[test]
fn creating_an_account_fills_in_the_servers_form() {
    let mut window = Window::new();
    window.type_into("Address", "newbie@localhost");
    window.type_into("Password", "pw");
    window.click("Create a new account");
    let sent = window.sent();
    let [Command::FetchRegistrationForm { account }] = sent.as_slice() else {
        panic!("expected the form to be asked for, got {sent:?}");
    };
    assert_eq!(account.jid.as_str(), "newbie@localhost");
    assert!(window.shows("Asking localhost what it needs for a new account…"));

    window.emit(Event::RegistrationForm {
        jid: bare("newbie@localhost"),
        form: server_form(),
    });
    assert!(window.shows("Choose a name and password."));
    assert!(window.shows("Be nice."));
    // Address and password are the sign-in screen's; only the other fields are added.
    assert_eq!(window.harness.query_all_by_label("Password").count(), 1);
    window.type_into("Email", "newbie@example.org");
    window.click("Language");
    window.click("French");
    window.click("Send me news");
    window.click("Create the account");
    let sent = window.sent();
    let [Command::RegisterAccount {
        account,
        password,
        fields,
    }] = sent.as_slice()
    else {
        panic!("expected one RegisterAccount, got {sent:?}");
    };
    assert_eq!(account.jid.as_str(), "newbie@localhost");
    assert_eq!(password.expose(), "pw");
    assert_eq!(
        fields,
        &BTreeMap::from([
            ("email".to_string(), "newbie@example.org".to_string()),
            ("lang".to_string(), "fr".to_string()),
            ("news".to_string(), "1".to_string()),
        ])
    );
    window.emit(Event::RegistrationFailed {
        message: "that name is taken".into(),
    });
    assert!(window.shows("that name is taken"));
}

#[test]
fn a_form_for_another_address_is_put_away() {
    let mut window = Window::new();
    window.type_into("Address", "newbie@localhost");
    window.click("Create a new account");
    window.emit(Event::RegistrationForm {
        jid: bare("newbie@localhost"),
        form: server_form(),
    });
    assert!(window.harness.query_by_label("Email").is_some());
    window.type_into("Address", "x");
    assert!(window.harness.query_by_label("Email").is_none());
    assert!(window
        .harness
        .query_by_label("Create the account")
        .is_none());
}

#[test]
fn the_connection_state_is_shown_in_words() {
    let mut window = Window::new();
    window.emit(Event::ConnectionChanged {
        state: ConnectionState::Connecting,
    });
    assert!(window.shows("Connecting…"));
    window.emit(Event::ConnectionChanged {
        state: ConnectionState::AuthFailed {
            message: "the password is wrong".into(),
        },
    });
    assert!(window.shows("the password is wrong"));
    assert!(!window.shows("Connecting…"));
    window.emit(Event::ConnectionChanged {
        state: ConnectionState::Failed {
            message: "no server answers at example.org".into(),
        },
    });
    assert!(window.shows("no server answers at example.org"));
}

#[test]
fn a_rejected_certificate_can_be_trusted_and_signs_in_again() {
    let saved = AccountConfig {
        jid: "alice@localhost".into(),
        host: Some("127.0.0.1".into()),
        tls: TlsMode::StartTls,
        ..AccountConfig::default()
    };
    let mut window = Window::with_account(Some(saved.clone()));
    window.type_into("Password", "secret");
    window.click("Sign in");
    assert_eq!(window.sent().len(), 1);
    let fingerprint = "AB:CD:EF:01:23:45";
    window.emit(Event::ConnectionChanged {
        state: ConnectionState::CertificateRejected {
            fingerprint: fingerprint.into(),
            message: "self-signed certificate".into(),
        },
    });
    assert!(window.shows("self-signed certificate"));
    assert!(window.harness.query_by_label(fingerprint).is_some());
    window.click("Trust this certificate");
    assert_eq!(
        window.sent(),
        vec![Command::SignIn {
            account: AccountConfig {
                pinned_certificates: vec![fingerprint.into()],
                ..saved
            },
            password: "secret".into(),
            remember_password: false,
        }]
    );
}

#[test]
fn reconnecting_without_a_session_counts_down_and_repaints_each_second() {
    let mut window = Window::new();
    let in_30_s = nudge::model::now_ms() + 30_000;
    window.emit(Event::ConnectionChanged {
        state: ConnectionState::Reconnecting {
            next_attempt_ms: in_30_s,
            attempt: 2,
            reason: "connection refused".into(),
        },
    });
    assert!(window.shows("(attempt 2): connection refused"));
    assert!(window.shows("Reconnecting in"));
    let delay = window.harness.output().viewport_output[&egui::ViewportId::ROOT].repaint_delay;
    assert!(
        delay <= std::time::Duration::from_secs(1),
        "the countdown needs a tick, got {delay:?}"
    );
}

#[test]
fn each_sign_in_failure_is_explained_in_words() {
    let cases = [
        (
            ConnectionState::Reconnecting {
                next_attempt_ms: nudge::model::now_ms() + 10_000,
                attempt: 1,
                reason: "could not reach the server nowhere.example: no such host".into(),
            },
            "could not reach the server nowhere.example: no such host",
        ),
        (
            ConnectionState::AuthFailed {
                message: "the password is wrong, or the account does not exist".into(),
            },
            "Sign-in refused: the password is wrong, or the account does not exist",
        ),
        (
            ConnectionState::Failed {
                message: "the server does not offer encryption (STARTTLS)".into(),
            },
            "Could not connect: the server does not offer encryption (STARTTLS)",
        ),
        (
            ConnectionState::CertificateRejected {
                fingerprint: "AB:CD".into(),
                message: "the certificate is self-signed".into(),
            },
            "The server's certificate is not trusted: the certificate is self-signed",
        ),
    ];
    for (state, words) in cases {
        let mut window = Window::new();
        window.emit(Event::ConnectionChanged { state });
        assert!(window.shows(words), "{words}");
    }
}

#[test]
fn the_registration_outcome_is_shown() {
    let mut window = Window::new();
    window.emit(Event::RegistrationFailed {
        message: "someone already has that name".into(),
    });
    assert!(window.shows("Could not create the account: someone already has that name"));
    window.emit(Event::AccountRegistered {
        jid: bare("newbie@localhost"),
    });
    assert!(window.shows("The account newbie@localhost was created."));
    assert!(!window.shows("Could not create the account"));
}

#[test]
fn stop_trying_ends_the_attempts() {
    let mut window = Window::new();
    assert!(window.harness.query_by_label("Stop trying").is_none());
    window.emit(Event::ConnectionChanged {
        state: ConnectionState::Reconnecting {
            next_attempt_ms: nudge::model::now_ms() + 10_000,
            attempt: 3,
            reason: "connection refused".into(),
        },
    });
    window.click("Stop trying");
    assert_eq!(window.sent(), vec![Command::SignOut]);
}

#[test]
fn sign_me_in_automatically_saves_the_setting() {
    let mut window = Window::new();
    assert!(Settings::default().sign_in_automatically);
    window.click("Sign me in automatically");
    assert_eq!(
        window.sent(),
        vec![Command::SaveSettings {
            settings: Settings {
                sign_in_automatically: false,
                ..Settings::default()
            }
        }]
    );
}

#[test]
fn sign_in_as_is_saved_and_set_once_online() {
    let mut window = Window::new();
    window.click("Sign in as");
    window.click("Busy");
    let busy = Settings {
        sign_in_as: Availability::Busy,
        ..Settings::default()
    };
    assert_eq!(
        window.sent(),
        vec![Command::SaveSettings {
            settings: busy.clone()
        }]
    );
    window.emit(Event::SettingsChanged { settings: busy });
    window.type_into("Address", "alice@example.org");
    window.type_into("Password", "pw");
    window.click("Sign in");
    assert!(matches!(window.sent().as_slice(), [Command::SignIn { .. }]));
    window.online_with(&[]);
    assert_eq!(
        window.sent(),
        vec![Command::SetPresence {
            availability: Availability::Busy,
            status: None
        }]
    );
    // A reconnect keeps whatever the user chose since.
    window.emit(Event::ConnectionChanged {
        state: ConnectionState::Connecting,
    });
    window.online_with(&[]);
    assert_eq!(window.sent(), vec![]);
}

/// The horizontal middle of the widget labelled `label`.
fn middle_of(window: &Window, label: &str) -> f32 {
    window.harness.get_by_label(label).rect().center().x
}

#[test]
fn the_sign_in_screen_greets_with_the_logo_and_a_framed_picture() {
    let window = Window::new();
    for label in [
        nudge::ui::brand::LOGO_LABEL,
        nudge::ui::brand::WORDMARK,
        nudge::ui::avatar::OWN_PICTURE_LABEL,
        nudge::ui::signin::GREETING,
    ] {
        assert!(window.harness.query_by_label(label).is_some(), "{label}");
    }
    assert!(
        window
            .harness
            .query_by_label("Signing in as Online")
            .is_some(),
        "the frame has the colour of the presence chosen under Sign in as"
    );
}

#[test]
fn the_picture_frame_follows_sign_in_as() {
    let mut window = Window::new();
    window.emit(Event::SettingsChanged {
        settings: Settings {
            sign_in_as: Availability::Busy,
            ..Settings::default()
        },
    });
    assert!(window
        .harness
        .query_by_label("Signing in as Busy")
        .is_some());
    assert!(window
        .harness
        .query_by_label("Signing in as Online")
        .is_none());
}

#[test]
fn the_form_is_one_centred_column_in_any_window() {
    for width in [360.0, 1000.0] {
        let mut window = Window::sized(egui::vec2(width, 800.0), 0.1);
        window.harness.run();
        let middle = width / 2.0;
        for label in [
            "Address",
            "Password",
            "Sign in",
            nudge::ui::avatar::OWN_PICTURE_LABEL,
            nudge::ui::signin::GREETING,
        ] {
            let at = middle_of(&window, label);
            assert!(
                (at - middle).abs() <= 1.0,
                "{label} is centred in a {width}-point window: {at}"
            );
        }
        let field = window.harness.get_by_label("Address").rect();
        let button = window.harness.get_by_label("Sign in").rect();
        assert_eq!(
            field.width(),
            button.width(),
            "the Sign in button spans the column"
        );
        assert!(field.width() <= nudge::ui::theme::SIGN_IN_WIDTH);
        let logo = window
            .harness
            .get_by_label(nudge::ui::brand::LOGO_LABEL)
            .rect();
        let picture = window
            .harness
            .get_by_label(nudge::ui::avatar::OWN_PICTURE_LABEL)
            .rect();
        assert!(
            logo.bottom() < picture.top() && picture.bottom() < field.top(),
            "logo, then picture, then the form"
        );
    }
}

#[test]
fn the_window_is_light_until_the_settings_say_dark() {
    let mut window = Window::new();
    let visuals = window.harness.ctx.global_style().visuals.clone();
    assert!(!visuals.dark_mode, "light by default");
    assert_eq!(visuals.panel_fill, nudge::ui::theme::LIGHT.window);
    window.emit(Event::SettingsChanged {
        settings: Settings {
            theme: nudge::config::Theme::Dark,
            ..Settings::default()
        },
    });
    let visuals = window.harness.ctx.global_style().visuals.clone();
    assert!(visuals.dark_mode);
    assert_eq!(visuals.panel_fill, nudge::ui::theme::DARK.window);
}
