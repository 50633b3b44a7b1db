//! Two (or more) real Nudge cores against a real Prosody: messaging, presence, roster,
//! carbons, authentication, certificates and reconnection.

use std::time::Duration;

use nudge::command::{new_message_id, Command};
use nudge::config::{AccountConfig, TlsMode};
use nudge::event::Event;
use nudge::model::{Availability, ChatState, ConnectionState, Delivery, Direction};
use nudge::problem::Problem;
use nudge_testkit::client::Client;
use nudge_testkit::prosody::Prosody;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_go_both_ways_with_receipts() {
    let server = Prosody::start();
    let mut alice = Client::online(&server, "alice").await;
    let mut bob = Client::online(&server, "bob").await;
    // Receipts go to contacts only (a stranger is sent nothing).
    nudge_testkit::befriend(&mut alice, &mut bob).await;

    let id = new_message_id();
    alice.send(Command::SendMessage {
        id: id.clone(),
        to: bob.jid.clone(),
        body: "Hi Bob! <b>&amp;</b> 😀".into(),
    });
    let received = bob
        .wait_for(
            "alice's message",
            |e| matches!(e, Event::MessageReceived { message } if message.id == id),
        )
        .await;
    let Event::MessageReceived { message } = received else {
        unreachable!()
    };
    assert_eq!(message.body, "Hi Bob! <b>&amp;</b> 😀");
    assert_eq!(message.peer, alice.jid);
    assert_eq!(message.direction, Direction::Incoming);
    alice
        .wait_for("the receipt", |e| {
            matches!(e, Event::DeliveryChanged { id: i, delivery: Delivery::Delivered, .. } if *i == id)
        })
        .await;

    let reply = new_message_id();
    bob.send(Command::SendMessage {
        id: reply.clone(),
        to: alice.jid.clone(),
        body: "Hello Alice".into(),
    });
    alice
        .wait_for(
            "bob's reply",
            |e| matches!(e, Event::MessageReceived { message } if message.id == reply),
        )
        .await;
    bob.wait_for("the receipt", |e| {
        matches!(e, Event::DeliveryChanged { id: i, delivery: Delivery::Delivered, .. } if *i == reply)
    })
    .await;
    // Both sides kept the conversation in their history.
    alice.send(Command::LoadHistory {
        peer: bob.jid.clone(),
        limit: 10,
    });
    let history = alice
        .wait_for("history", |e| matches!(e, Event::HistoryLoaded { .. }))
        .await;
    let Event::HistoryLoaded { messages, .. } = history else {
        unreachable!()
    };
    let ids: Vec<_> = messages.iter().map(|m| m.id.clone()).collect();
    assert_eq!(ids, [id, reply]);
    assert_eq!(messages[0].delivery, Delivery::Delivered);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_notifications_arrive() {
    let server = Prosody::start();
    let alice = Client::online(&server, "alice").await;
    let mut bob = Client::online(&server, "bob").await;
    for state in [ChatState::Composing, ChatState::Paused] {
        alice.send(Command::SendChatState {
            to: bob.jid.clone(),
            state,
        });
        bob.wait_for(
            "a chat state",
            |e| matches!(e, Event::ChatStateChanged { state: s, .. } if s == &state),
        )
        .await;
    }
    assert_eq!(
        bob.state.conversations[&alice.jid].their_state,
        Some(ChatState::Paused)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscription_approval_makes_contacts_trusted_and_shares_presence() {
    let server = Prosody::start();
    let mut alice = Client::online(&server, "alice").await;
    let mut bob = Client::online(&server, "bob").await;
    nudge_testkit::befriend(&mut alice, &mut bob).await;
    assert!(alice.state.contacts[&bob.jid].contact.is_trusted());

    bob.send(Command::SetPresence {
        availability: Availability::Away,
        status: Some("out for lunch".into()),
    });
    alice
        .wait_for("bob away", |e| {
            matches!(e, Event::PresenceChanged { availability: Availability::Away, status: Some(s), .. } if s == "out for lunch")
        })
        .await;
    assert_eq!(
        alice.state.contacts[&bob.jid].availability(),
        Availability::Away
    );
    bob.send(Command::SetPresence {
        availability: Availability::Busy,
        status: None,
    });
    alice
        .wait_for("bob busy", |e| {
            matches!(
                e,
                Event::PresenceChanged {
                    availability: Availability::Busy,
                    ..
                }
            )
        })
        .await;
    bob.send(Command::SetPresence {
        availability: Availability::AppearOffline,
        status: None,
    });
    alice
        .wait_for("bob gone", |e| {
            matches!(
                e,
                Event::PresenceChanged {
                    availability: Availability::Offline,
                    ..
                }
            )
        })
        .await;

    // Renaming and removing go through roster pushes.
    alice.send(Command::UpdateContact {
        jid: bob.jid.clone(),
        name: Some("Bobby".into()),
        groups: vec!["Friends".into()],
    });
    alice
        .wait_for("rename", |e| matches!(e, Event::ContactUpdated { contact } if contact.name.as_deref() == Some("Bobby")))
        .await;
    assert_eq!(alice.state.contacts[&bob.jid].contact.groups, ["Friends"]);
    alice.send(Command::RemoveContact {
        jid: bob.jid.clone(),
    });
    alice
        .wait_for("removal", |e| matches!(e, Event::ContactRemoved { .. }))
        .await;
    assert!(!alice.state.contacts.contains_key(&bob.jid));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carbons_copy_messages_to_the_users_other_device() {
    let server = Prosody::start();
    let mut desk = Client::online(&server, "carol").await;
    let mut laptop =
        Client::online_as(&server, desk.jid.as_str(), desk.password.clone(), "laptop").await;
    let mut bob = Client::online(&server, "bob").await;

    let id = new_message_id();
    desk.send(Command::SendMessage {
        id: id.clone(),
        to: bob.jid.clone(),
        body: "from my desk".into(),
    });
    let copied = laptop
        .wait_for(
            "the sent carbon",
            |e| matches!(e, Event::MessageReceived { message } if message.id == id),
        )
        .await;
    let Event::MessageReceived { message } = copied else {
        unreachable!()
    };
    assert_eq!(message.direction, Direction::Outgoing);
    assert_eq!(message.peer, bob.jid);
    bob.wait_for(
        "the message",
        |e| matches!(e, Event::MessageReceived { message } if message.id == id),
    )
    .await;

    // A message to the bare JID reaches both devices.
    let reply = new_message_id();
    bob.send(Command::SendMessage {
        id: reply.clone(),
        to: desk.jid.clone(),
        body: "to both".into(),
    });
    for device in [&mut desk, &mut laptop] {
        device
            .wait_for(
                "the reply",
                |e| matches!(e, Event::MessageReceived { message } if message.id == reply),
            )
            .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_final_without_retries() {
    let server = Prosody::start();
    let user = nudge_testkit::unique_name("dave");
    server.create_user(&user, "right-password");
    let mut client = Client::new();
    let account = nudge_testkit::account(&server, &user);
    client.send(Command::SignIn {
        account,
        password: "wrong-password".into(),
        remember_password: false,
    });
    let failed = client
        .wait_for("auth failure", |e| {
            matches!(
                e,
                Event::ConnectionChanged {
                    state: ConnectionState::AuthFailed { .. }
                }
            )
        })
        .await;
    let Event::ConnectionChanged {
        state: ConnectionState::AuthFailed { message },
    } = failed
    else {
        unreachable!()
    };
    assert!(message.contains("password"), "{message}");
    // No retry loop: nothing at all happens in the next seconds.
    let later = client.events_within(Duration::from_secs(3)).await;
    assert!(
        later.is_empty(),
        "unexpected events after AuthFailed: {later:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_is_refused_with_its_fingerprint() {
    let server = Prosody::start();
    let user = nudge_testkit::unique_name("erin");
    server.create_user(&user, "pw");
    let mut client = Client::new();
    let mut account = nudge_testkit::account(&server, &user);
    account.pinned_certificates.clear();
    client.send(Command::SignIn {
        account: account.clone(),
        password: "pw".into(),
        remember_password: false,
    });
    let refused = client
        .wait_for("certificate refusal", |e| {
            matches!(
                e,
                Event::ConnectionChanged {
                    state: ConnectionState::CertificateRejected { .. }
                }
            )
        })
        .await;
    let Event::ConnectionChanged {
        state:
            ConnectionState::CertificateRejected {
                fingerprint,
                message,
            },
    } = refused
    else {
        unreachable!()
    };
    assert_eq!(fingerprint, server.cert_fingerprint());
    // The test server's certificate is what `openssl req -x509` makes: said in words.
    assert!(message.contains("self-signed"), "{message}");
    assert!(!message.contains("Error"), "{message}");
    // Pinning the fingerprint the user was shown lets them in.
    account.pinned_certificates = vec![fingerprint];
    client.send(Command::SignIn {
        account,
        password: "pw".into(),
        remember_password: false,
    });
    client.wait_online().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_tls_and_plaintext_loopback_connect() {
    let server = Prosody::start_with(nudge_testkit::ProsodyOptions {
        allow_plaintext: true,
        ..Default::default()
    });
    let user = nudge_testkit::unique_name("frank");
    server.create_user(&user, "pw");
    let mut direct = Client::new();
    let mut account = nudge_testkit::account(&server, &user);
    account.tls = TlsMode::DirectTls;
    account.port = Some(server.direct_tls_port());
    direct.send(Command::SignIn {
        account,
        password: "pw".into(),
        remember_password: false,
    });
    direct.wait_online().await;

    let mut plain = Client::new();
    let mut account = nudge_testkit::account(&server, &user);
    account.tls = TlsMode::PlaintextLoopback;
    plain.send(Command::SignIn {
        account,
        password: "pw".into(),
        remember_password: false,
    });
    plain.wait_online().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registering_creates_the_account_and_signs_in() {
    let server = Prosody::start();
    let user = nudge_testkit::unique_name("grace");
    let mut client = Client::new();
    let account: AccountConfig = nudge_testkit::account(&server, &user);
    client.send(Command::RegisterAccount {
        account: account.clone(),
        password: "s3cret".into(),
        fields: Default::default(),
    });
    client
        .wait_for("registration", |e| {
            matches!(e, Event::AccountRegistered { .. })
        })
        .await;
    client.wait_online().await;

    // The name is now taken: a second registration is refused in plain words.
    let mut again = Client::new();
    again.send(Command::RegisterAccount {
        account,
        password: "other".into(),
        fields: Default::default(),
    });
    let refused = again
        .wait_for("refusal", |e| matches!(e, Event::RegistrationFailed { .. }))
        .await;
    let Event::RegistrationFailed { message } = refused else {
        unreachable!()
    };
    assert!(message.contains("taken"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registering_fills_in_the_servers_own_form() {
    let server = Prosody::start_with(nudge_testkit::ProsodyOptions {
        registration_fields: vec!["email+", "name"],
        ..Default::default()
    });
    let user = nudge_testkit::unique_name("heidi");
    let account: AccountConfig = nudge_testkit::account(&server, &user);
    let mut client = Client::new();
    client.send(Command::FetchRegistrationForm {
        account: account.clone(),
    });
    let answer = client
        .wait_for("the form", |e| matches!(e, Event::RegistrationForm { .. }))
        .await;
    let Event::RegistrationForm { jid, form } = answer else {
        unreachable!()
    };
    assert_eq!(jid.as_str(), account.jid);
    let extra: Vec<(&str, bool)> = form
        .extra_fields()
        .map(|f| (f.var.as_str(), f.required))
        .collect();
    assert_eq!(extra, vec![("email", true), ("name", false)]);
    assert!(form.data_form && !form.captcha && !form.registered);

    // Leaving out the required e-mail address is caught before the server is asked.
    client.send(Command::RegisterAccount {
        account: account.clone(),
        password: "s3cret".into(),
        fields: Default::default(),
    });
    let refused = client
        .wait_for("the refusal", |e| {
            matches!(e, Event::RegistrationFailed { .. })
        })
        .await;
    let Event::RegistrationFailed { message } = refused else {
        unreachable!()
    };
    assert!(message.contains("Email"), "{message}");

    client.send(Command::RegisterAccount {
        account: account.clone(),
        password: "s3cret".into(),
        fields: [
            ("email".to_string(), format!("{user}@example.org")),
            ("name".to_string(), "Heidi <Hopper>".to_string()),
        ]
        .into(),
    });
    client
        .wait_for("registration", |e| {
            matches!(e, Event::AccountRegistered { .. })
        })
        .await;
    client.wait_online().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_restart_reconnects_and_delivers_the_outbox_exactly_once() {
    let mut server = Prosody::start();
    let mut alice = Client::online(&server, "alice").await;
    let mut bob = Client::online(&server, "bob").await;

    // A hard kill, like a crash: no stream close, no goodbye.
    server.kill();
    for client in [&mut alice, &mut bob] {
        client
            .wait_for("reconnecting", |e| {
                matches!(
                    e,
                    Event::ConnectionChanged {
                        state: ConnectionState::Reconnecting { .. }
                    }
                )
            })
            .await;
    }
    let ids: Vec<String> = (0..3).map(|_| new_message_id()).collect();
    for (n, id) in ids.iter().enumerate() {
        alice.send(Command::SendMessage {
            id: id.clone(),
            to: bob.jid.clone(),
            body: format!("queued {n}"),
        });
        alice
            .wait_for("queued", |e| matches!(e, Event::MessageQueued { message } if message.id == *id && message.delivery == Delivery::Pending))
            .await;
    }
    server.restart();
    alice.wait_online().await;
    bob.wait_online().await;
    for id in &ids {
        bob.wait_for(
            "a queued message",
            |e| matches!(e, Event::MessageReceived { message } if message.id == *id),
        )
        .await;
        alice
            .wait_for("sent", |e| matches!(e, Event::DeliveryChanged { id: i, delivery: Delivery::Sent | Delivery::Delivered, .. } if *i == *id))
            .await;
    }
    // Give any duplicate time to show up, then count.
    let extra = bob.events_within(Duration::from_secs(2)).await;
    assert!(
        !extra
            .iter()
            .any(|e| matches!(e, Event::MessageReceived { message } if ids.contains(&message.id))),
        "a message arrived twice: {extra:?}"
    );
    let conversation = &bob.state.conversations[&alice.jid];
    assert_eq!(conversation.messages.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remembered_password_signs_in_again_from_the_keyring() {
    let server = Prosody::start();
    let user = nudge_testkit::unique_name("heidi");
    server.create_user(&user, "kept-secret");
    let passwords = nudge::platform::keyring::Passwords::in_memory().expect("mock keyring");
    let mut client = Client::with_passwords(passwords.clone());
    let account = nudge_testkit::account(&server, &user);
    client.send(Command::SignIn {
        account: account.clone(),
        password: "kept-secret".into(),
        remember_password: true,
    });
    client.wait_online().await;
    assert_eq!(
        passwords.get(&account.jid).expect("keyring"),
        Some("kept-secret".into())
    );

    client.sign_out().await;
    // An empty password means "the saved one".
    client.send(Command::SignIn {
        account: account.clone(),
        password: Default::default(),
        remember_password: true,
    });
    client.wait_online().await;

    // Unticking "remember" forgets it; an empty password then asks for the password.
    client.send(Command::SignIn {
        account: account.clone(),
        password: "kept-secret".into(),
        remember_password: false,
    });
    client.wait_online().await;
    assert_eq!(passwords.get(&account.jid).expect("keyring"), None);
    client.sign_out().await;
    client.send(Command::SignIn {
        account,
        password: Default::default(),
        remember_password: false,
    });
    client
        .wait_for("a request for the password", |e| {
            matches!(e, Event::ConnectionChanged { state: ConnectionState::AuthFailed { message } } if message.contains("password"))
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nudges_arrive_and_blocking_silences_a_contact() {
    let server = Prosody::start();
    let mut alice = Client::online(&server, "alice").await;
    let mut bob = Client::online(&server, "bob").await;
    nudge_testkit::befriend(&mut alice, &mut bob).await;

    alice.send(Command::SendNudge {
        to: bob.jid.clone(),
    });
    let alice_jid = alice.jid.clone();
    bob.wait_for(
        "the nudge",
        |e| matches!(e, Event::NudgeReceived { jid } if *jid == alice_jid),
    )
    .await;
    // A second nudge right away is held back, in words, and never reaches Bob.
    alice.send(Command::SendNudge {
        to: bob.jid.clone(),
    });
    alice
        .wait_for("the refusal", |e| {
            matches!(
                e,
                Event::Problem {
                    problem: Problem::NudgeTooSoon { .. }
                }
            )
        })
        .await;
    let quiet = bob.events_within(Duration::from_millis(500)).await;
    assert!(
        !quiet
            .iter()
            .any(|e| matches!(e, Event::NudgeReceived { .. })),
        "a nudge too soon arrived: {quiet:?}"
    );

    bob.send(Command::BlockContact {
        jid: alice.jid.clone(),
    });
    bob.wait_for(
        "the block list",
        |e| matches!(e, Event::BlockListChanged { jids } if jids == std::slice::from_ref(&alice_jid)),
    )
    .await;
    let id = new_message_id();
    alice.send(Command::SendMessage {
        id: id.clone(),
        to: bob.jid.clone(),
        body: "can you hear me?".into(),
    });
    let quiet = bob.events_within(Duration::from_secs(1)).await;
    assert!(
        !quiet
            .iter()
            .any(|e| matches!(e, Event::MessageReceived { .. })),
        "a blocked contact's message arrived: {quiet:?}"
    );

    bob.send(Command::UnblockContact {
        jid: alice.jid.clone(),
    });
    bob.wait_for(
        "an empty block list",
        |e| matches!(e, Event::BlockListChanged { jids } if jids.is_empty()),
    )
    .await;
    let id = new_message_id();
    alice.send(Command::SendMessage {
        id: id.clone(),
        to: bob.jid.clone(),
        body: "and now?".into(),
    });
    bob.wait_for(
        "the message",
        |e| matches!(e, Event::MessageReceived { message } if message.id == id),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_uses_the_chosen_presence() {
    let server = Prosody::start();
    let mut alice = Client::online(&server, "alice").await;
    let mut bob = Client::online(&server, "bob").await;
    nudge_testkit::befriend(&mut alice, &mut bob).await;
    bob.send(Command::SaveSettings {
        settings: nudge::config::Settings {
            sign_in_as: Availability::Busy,
            ..Default::default()
        },
    });
    bob.wait_for("settings", |e| matches!(e, Event::SettingsChanged { .. }))
        .await;
    bob.send(Command::SignOut);
    alice
        .wait_for("bob offline", |e| {
            matches!(
                e,
                Event::PresenceChanged {
                    availability: Availability::Offline,
                    ..
                }
            )
        })
        .await;
    let account = nudge_testkit::account(&server, bob.jid.as_str());
    bob.send(Command::SignIn {
        account,
        password: bob.password.as_str().into(),
        remember_password: false,
    });
    // The very first presence Alice sees is Busy, never a flash of Online.
    let first = alice
        .wait_for("bob back", |e| matches!(e, Event::PresenceChanged { availability, .. } if *availability != Availability::Offline))
        .await;
    assert!(
        matches!(
            first,
            Event::PresenceChanged {
                availability: Availability::Busy,
                ..
            }
        ),
        "{first:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_display_name_reaches_contacts_and_the_users_other_devices() {
    let server = Prosody::start();
    let mut alice = Client::online(&server, "alice").await;
    let mut bob = Client::online(&server, "bob").await;
    nudge_testkit::befriend(&mut alice, &mut bob).await;
    let mut phone =
        Client::online_as(&server, alice.jid.as_str(), alice.password.clone(), "phone").await;

    alice.send(Command::SetNickname {
        nick: Some("  Alice in\nWonderland".into()),
    });
    let alice_jid = alice.jid.clone();
    let named = |e: &Event, nick: Option<&str>| matches!(e, Event::NicknameChanged { jid, nick: got } if *jid == alice_jid && got.as_deref() == nick);
    alice
        .wait_for("her own name", |e| named(e, Some("Alice in")))
        .await;
    bob.wait_for("Alice's name", |e| named(e, Some("Alice in")))
        .await;
    phone
        .wait_for("the name on her phone", |e| named(e, Some("Alice in")))
        .await;
    assert_eq!(
        bob.state.contacts[&alice.jid].nickname.as_deref(),
        Some("Alice in")
    );

    alice.send(Command::SetNickname { nick: None });
    bob.wait_for("the name cleared", |e| named(e, None)).await;
}
