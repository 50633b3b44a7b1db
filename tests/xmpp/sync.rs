//! Catching up with the server's message archive (XEP-0313) against a real Prosody: what one
//! device missed while another was in use arrives as history, paged, without duplicates.

use nudge::command::{new_message_id, Command};
use nudge::event::Event;
use nudge::model::{ChatMessage, Direction};
use nudge_testkit::client::Client;
use nudge_testkit::Prosody;

/// Sends `count` numbered messages from `from` to `to` and waits until `to` has the last one.
async fn chat(from: &Client, to: &mut Client, prefix: &str, count: usize) {
    for n in 0..count {
        from.send(Command::SendMessage {
            id: new_message_id(),
            to: to.jid.clone(),
            body: format!("{prefix} {n}"),
        });
    }
    let last = format!("{prefix} {}", count - 1);
    to.wait_for(
        "the last message",
        |e| matches!(e, Event::MessageReceived { message } if message.body == last),
    )
    .await;
}

/// Signs `client` back in as `jid` (its profile and history kept) and collects what the
/// catch-up shows until it reports the end.
async fn sign_in_and_sync(
    client: &mut Client,
    server: &Prosody,
    resource: &str,
) -> (Vec<ChatMessage>, usize, Vec<Event>) {
    let user = client.jid.node().expect("a user part").to_string();
    let mut account = nudge_testkit::account(server, &user);
    account.resource = Some(resource.into());
    client.send(Command::SignIn {
        account,
        password: client.password.as_str().into(),
        remember_password: false,
    });
    let mut shown = Vec::new();
    let mut live = Vec::new();
    loop {
        let event = client
            .wait_for("the catch-up", |e| {
                matches!(
                    e,
                    Event::HistoryLoaded { .. }
                        | Event::HistorySynced { .. }
                        | Event::MessageReceived { .. }
                )
            })
            .await;
        match event {
            Event::HistoryLoaded { messages, .. } => shown.extend(messages),
            Event::HistorySynced { new_messages } => return (shown, new_messages, live),
            other => live.push(other),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_catches_up_with_what_another_device_saw() {
    let server = Prosody::start();
    let mut alice = Client::online(&server, "alice").await;
    let mut bob = Client::online(&server, "bob").await;
    nudge_testkit::befriend(&mut alice, &mut bob).await;
    // The first sign-in of a new device finds nothing to catch up with yet.
    chat(&alice, &mut bob, "seen live", 1).await;

    bob.sign_out().await;
    // Bob's other device is in use meanwhile: nothing is kept offline for the first one.
    let mut phone =
        Client::online_as(&server, bob.jid.as_str(), bob.password.clone(), "phone").await;
    // More than a page, so the catch-up has to follow the archive's paging.
    let missed = nudge::xmpp::mam::PAGE_SIZE + 10;
    chat(&alice, &mut phone, "missed", missed).await;
    phone.send(Command::SendMessage {
        id: new_message_id(),
        to: alice.jid.clone(),
        body: "answered from the phone".into(),
    });
    alice
        .wait_for(
            "the phone's answer",
            |e| matches!(e, Event::MessageReceived { message } if message.body == "answered from the phone"),
        )
        .await;
    drop(phone);

    let (shown, new_messages, live) = sign_in_and_sync(&mut bob, &server, "desk").await;
    assert_eq!(
        new_messages,
        missed + 1,
        "each missed message once, none seen live again"
    );
    assert_eq!(shown.len(), missed + 1);
    assert!(
        live.is_empty(),
        "history does not ring as new messages: {live:?}"
    );
    let incoming: Vec<&str> = shown
        .iter()
        .filter(|m| m.direction == Direction::Incoming)
        .map(|m| m.body.as_str())
        .collect();
    assert_eq!(incoming.len(), missed);
    assert!(incoming.iter().all(|b| b.starts_with("missed ")));
    let answer = shown
        .iter()
        .find(|m| m.direction == Direction::Outgoing)
        .expect("the phone's answer, as sent by Bob");
    assert_eq!(answer.body, "answered from the phone");
    assert_eq!(answer.peer, alice.jid);
    // The conversation holds everything once.
    let conversation = &bob.state.conversations[&alice.jid];
    assert_eq!(conversation.messages.len(), missed + 2);
    let live_once = conversation
        .messages
        .iter()
        .filter(|m| m.body == "seen live 0")
        .count();
    assert_eq!(live_once, 1);

    // Signing in again finds nothing new.
    bob.sign_out().await;
    let (shown, new_messages, _) = sign_in_and_sync(&mut bob, &server, "desk").await;
    assert_eq!((shown.len(), new_messages), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_device_starts_with_the_latest_page() {
    let server = Prosody::start();
    let mut alice = Client::online(&server, "alice").await;
    let mut bob = Client::online(&server, "bob").await;
    nudge_testkit::befriend(&mut alice, &mut bob).await;
    let total = nudge::xmpp::mam::FIRST_SYNC_SIZE * 2;
    chat(&alice, &mut bob, "earlier", total).await;

    let mut laptop = Client::new();
    laptop.jid = bob.jid.clone();
    laptop.password = bob.password.clone();
    let (shown, new_messages, _) = sign_in_and_sync(&mut laptop, &server, "laptop").await;
    // Back from the newest, a page at a time, until the recent conversations are filled.
    assert!(
        (nudge::xmpp::mam::FIRST_SYNC_SIZE..total).contains(&new_messages),
        "{new_messages} of {total}"
    );
    assert_eq!(shown.len(), new_messages);
    let conversation = &laptop.state.conversations[&alice.jid];
    let bodies: Vec<&str> = conversation
        .messages
        .iter()
        .map(|m| m.body.as_str())
        .collect();
    let newest: Vec<String> = (total - new_messages..total)
        .map(|n| format!("earlier {n}"))
        .collect();
    assert_eq!(
        bodies, newest,
        "the newest messages, in order, none missing"
    );
}
