//! A link that breaks while the server stays up: stream resumption (XEP-0198) and dead-link
//! detection by ping (XEP-0199), through a relay the test can cut or freeze.

use std::time::Duration;

use nudge::command::{new_message_id, Command};
use nudge::event::Event;
use nudge::model::ConnectionState;
use nudge_testkit::client::Client;
use nudge_testkit::proxy::Relay;
use nudge_testkit::Prosody;
use tokio_xmpp::xmlstream::Timeouts;

fn is_reconnecting(event: &Event) -> bool {
    matches!(
        event,
        Event::ConnectionChanged {
            state: ConnectionState::Reconnecting { .. }
        }
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_link_resumes_the_stream_and_loses_nothing() {
    let server = Prosody::start();
    let relay = Relay::start(server.c2s_port()).await;
    let user = nudge_testkit::unique_name("alice");
    server.create_user(&user, "pw");
    let mut alice = Client::new();
    let mut account = nudge_testkit::account(&server, &user);
    account.port = Some(relay.port());
    alice.jid = nudge_testkit::bare(&account.jid);
    alice.send(Command::SignIn {
        account,
        password: "pw".into(),
        remember_password: false,
    });
    alice
        .wait_for("the roster", |e| matches!(e, Event::RosterReceived { .. }))
        .await;
    let mut bob = Client::online(&server, "bob").await;

    relay.cut();
    alice.wait_for("reconnecting", is_reconnecting).await;
    // Bob writes while Alice's link is down; the server keeps it for the resumed stream.
    let id = new_message_id();
    bob.send(Command::SendMessage {
        id: id.clone(),
        to: alice.jid.clone(),
        body: "while you were away".into(),
    });
    bob.wait_for(
        "sent",
        |e| matches!(e, Event::DeliveryChanged { id: i, .. } if *i == id),
    )
    .await;

    let mut after_cut = Vec::new();
    let got = alice
        .wait_for("bob's message", |e| {
            after_cut.push(e.clone());
            matches!(e, Event::MessageReceived { message } if message.id == id)
        })
        .await;
    assert!(matches!(got, Event::MessageReceived { .. }));
    assert!(
        after_cut.iter().any(|e| matches!(
            e,
            Event::ConnectionChanged {
                state: ConnectionState::Online { .. }
            }
        )),
        "alice never came back online: {after_cut:?}"
    );
    // A resumed stream keeps its session: no new roster fetch, and the message arrives once.
    assert!(
        !after_cut
            .iter()
            .any(|e| matches!(e, Event::RosterReceived { .. })),
        "the stream was not resumed: {after_cut:?}"
    );
    let extra = alice.events_within(Duration::from_secs(2)).await;
    assert!(
        !extra
            .iter()
            .any(|e| matches!(e, Event::MessageReceived { .. })),
        "{extra:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_link_is_noticed_by_ping_and_replaced() {
    let server = Prosody::start();
    let relay = Relay::start(server.c2s_port()).await;
    let user = nudge_testkit::unique_name("carol");
    server.create_user(&user, "pw");
    let mut carol = Client::with_timeouts(Timeouts {
        read_timeout: Duration::from_secs(2),
        response_timeout: Duration::from_secs(2),
    });
    let mut account = nudge_testkit::account(&server, &user);
    account.port = Some(relay.port());
    carol.send(Command::SignIn {
        account,
        password: "pw".into(),
        remember_password: false,
    });
    carol.wait_online().await;

    // Nothing is closed, bytes just stop flowing: only the ping can tell.
    relay.freeze(true);
    let lost = carol
        .wait_for("the dead link to be noticed", is_reconnecting)
        .await;
    let Event::ConnectionChanged {
        state: ConnectionState::Reconnecting { reason, .. },
    } = lost
    else {
        unreachable!()
    };
    assert!(reason.contains("lost"), "{reason}");
    relay.freeze(false);
    carol.wait_online().await;
}
