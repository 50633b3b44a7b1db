//! Hostile stanzas through a real Prosody: a stranger sends Nudge a stanza nested tens of
//! thousands of levels deep, or one of several megabytes (on a server whose limit allows it).
//! Nudge drops it, says so in its log, stays online and reads the next message.

use std::time::Duration;

use nudge::core::connect::BoxedIo;
use nudge::core::stanza_guard::{MAX_STANZA_BYTES, MAX_STANZA_DEPTH};
use nudge::event::Event;
use nudge_testkit::client::Client;
use nudge_testkit::{account, unique_name, Prosody, ProsodyOptions};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio_xmpp::xmlstream::Timeouts;

/// How long the raw client waits for the server.
const PATIENCE: Duration = Duration::from_secs(30);

/// A stranger who writes stanzas byte for byte: signed in with Nudge's own connection code
/// (TLS, SASL), then bound and driven by hand.
struct RawClient {
    io: BoxedIo,
}

impl RawClient {
    async fn connect(server: &Prosody, name: &str) -> Self {
        let user = unique_name(name);
        server.create_user(&user, "pw");
        let authenticated =
            nudge::core::connect::connect(&account(server, &user), "pw", Timeouts::tight())
                .await
                .unwrap_or_else(|e| panic!("{user} signs in: {e}"));
        let mut client = Self {
            io: authenticated.stream.into_inner(),
        };
        client
            .send(
                b"<iq type='set' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>",
            )
            .await;
        client.read_until(b"</iq>").await;
        client
    }

    async fn send(&mut self, bytes: &[u8]) {
        self.io.write_all(bytes).await.expect("write");
        self.io.flush().await.expect("flush");
    }

    /// Reads until `needle` has arrived.
    async fn read_until(&mut self, needle: &[u8]) {
        let mut seen = Vec::new();
        tokio::time::timeout(PATIENCE, async {
            while !seen.windows(needle.len()).any(|w| w == needle) {
                let chunk = self.io.fill_buf().await.expect("read");
                assert!(!chunk.is_empty(), "the server closed the stream");
                let taken = chunk.len();
                seen.extend_from_slice(chunk);
                self.io.consume(taken);
            }
        })
        .await
        .expect("the server answers");
    }
}

/// A chat message to `to` whose payload is nested `levels` deep, then closed.
fn nested_message(to: &str, levels: usize) -> Vec<u8> {
    let mut stanza = format!("<message to='{to}' type='chat' id='deep'>").into_bytes();
    stanza.extend(b"<a xmlns='urn:nudge:test'>".iter());
    stanza.extend(b"<a>".repeat(levels - 1));
    stanza.extend(b"</a>".repeat(levels));
    stanza.extend(b"</message>");
    stanza
}

fn plain_message(to: &str, body: &str) -> Vec<u8> {
    format!("<message to='{to}' type='chat'><body>{body}</body></message>").into_bytes()
}

/// Waits for the message with `body`; fails if the account goes offline meanwhile.
async fn receives(bob: &mut Client, body: &str) {
    let event = bob
        .wait_for(body, |event| match event {
            Event::MessageReceived { message } => message.body == body,
            Event::ConnectionChanged { .. } => true,
            _ => false,
        })
        .await;
    assert!(
        matches!(event, Event::MessageReceived { .. }),
        "the connection changed instead: {event:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stanzas_too_deep_or_with_overlong_values_are_dropped_and_the_next_message_arrives() {
    let server = Prosody::start();
    let mut bob = Client::online(&server, "bob").await;
    let mut mallory = RawClient::connect(&server, "mallory").await;

    // Within Prosody's 256 KiB limit: about 10,000 levels of <a>..</a>.
    mallory
        .send(&nested_message(bob.jid.as_str(), 10_000))
        .await;
    mallory
        .send(&plain_message(bob.jid.as_str(), "still-here"))
        .await;
    receives(&mut bob, "still-here").await;

    // An attribute longer than the parser takes would end the whole stream.
    let long_id = "x".repeat(20_000);
    mallory
        .send(
            format!(
                "<message to='{}' type='chat' id='{long_id}'><body>long</body></message>",
                bob.jid
            )
            .as_bytes(),
        )
        .await;
    mallory
        .send(&plain_message(bob.jid.as_str(), "after-the-long-id"))
        .await;
    receives(&mut bob, "after-the-long-id").await;

    // Just within the limit is still read (its payload is simply unknown to Nudge).
    mallory
        .send(&nested_message(bob.jid.as_str(), MAX_STANZA_DEPTH - 1))
        .await;
    mallory
        .send(&plain_message(bob.jid.as_str(), "and-again"))
        .await;
    receives(&mut bob, "and-again").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stanza_over_the_size_limit_is_dropped_and_the_next_message_arrives() {
    // Prosody refuses stanzas over 256 KiB by default; this server relays larger ones, as a
    // careless (or malicious) server might.
    let server = Prosody::start_with(ProsodyOptions {
        stanza_size_limit: Some(3 * MAX_STANZA_BYTES as u32),
        ..ProsodyOptions::default()
    });
    let mut bob = Client::online(&server, "bob").await;
    let mut mallory = RawClient::connect(&server, "mallory").await;

    let huge = "x".repeat(MAX_STANZA_BYTES + 1);
    mallory.send(&plain_message(bob.jid.as_str(), &huge)).await;
    mallory
        .send(&plain_message(bob.jid.as_str(), "still-here"))
        .await;
    receives(&mut bob, "still-here").await;
    assert!(
        !bob.state
            .conversations
            .values()
            .any(|c| c.messages.iter().any(|m| m.body.len() > MAX_STANZA_BYTES)),
        "the huge message was not taken in"
    );
}
