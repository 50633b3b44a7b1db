//! Benchmark: catching up with 10,000 archived messages (XEP-0313) after signing in, against a
//! bare protocol client reading the same archive from the same server (budget: Nudge within 2x
//! the bare client, DESIGN.md). Run with `cargo bench --bench mam_catchup`; results go in
//! docs/benchmarks.md.
//!
//! Setup: a real Prosody on loopback; Alice and Bob befriended through two Nudge cores; Bob's
//! core receives one live message (so its store holds an archive cursor) and signs out; then
//! 10,000 messages from Alice reach Bob's other device (a bare stream that is online, so
//! nothing is kept as offline messages) and Bob's profile is copied. Each round then times
//! (a) a fresh Nudge core on a fresh copy of that profile, from `SignIn` to `HistorySynced`,
//! and (b) a bare client: TCP + STARTTLS + SASL (Nudge's `core::connect`), resource binding,
//! then the same MAM query pages after the same archive id until `complete`, only counting.

// Benchmark code: a failed step panics with a message saying what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use nudge::command::Command;
use nudge::config::{AccountConfig, Profile};
use nudge::core::connect::{self, BoxedIo};
use nudge::core::{AccountOptions, Core};
use nudge::event::Event;
use nudge::invite::cookies::LaunchCookies;
use nudge::model::ConnectionState;
use nudge::xmpp::mam::{self, Cursor};
use nudge_testkit::client::Client;
use nudge_testkit::{Prosody, ProsodyOptions};
use tokio_xmpp::parsers::bind::{BindQuery, BindResponse};
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::presence::Presence;
use tokio_xmpp::xmlstream::{
    FallibleStreamElement, ReadError, Timeouts, XmppStream, XmppStreamElement,
};
use tokio_xmpp::Stanza;

/// Messages put in the archive.
const MESSAGES: usize = 10_000;
/// Timed catch-ups of each kind.
const ROUNDS: usize = 5;
/// The budget: Nudge may take this many times the bare client's time.
const BUDGET_RATIO: f64 = 2.0;
/// How long any one step may take before the bench gives up.
const PATIENCE: Duration = Duration::from_secs(300);

fn timeouts() -> Timeouts {
    Timeouts {
        read_timeout: Duration::from_secs(60),
        response_timeout: Duration::from_secs(30),
    }
}

/// A bare XMPP stream: authenticated and bound, nothing else.
struct Bare {
    stream: XmppStream<BoxedIo>,
}

impl Bare {
    /// TCP, STARTTLS (the server's certificate pinned), SASL and resource binding.
    async fn connect(account: &AccountConfig, password: &str, resource: &str) -> Self {
        let auth = connect::connect(account, password, timeouts())
            .await
            .expect("bare client signs in");
        let mut bare = Bare {
            stream: auth.stream,
        };
        let iq = Iq::from_set("bind", BindQuery::new(Some(resource.to_string())));
        bare.send(Stanza::Iq(iq)).await;
        loop {
            if let Stanza::Iq(Iq::Result {
                id,
                payload: Some(payload),
                ..
            }) = bare.read().await
            {
                if id == "bind" {
                    BindResponse::try_from(payload).expect("bound");
                    return bare;
                }
            }
        }
    }

    async fn send(&mut self, stanza: Stanza) {
        self.stream
            .send(&XmppStreamElement::Stanza(stanza))
            .await
            .expect("bare client writes");
    }

    /// Queues a stanza without flushing (many in a row).
    async fn feed(&mut self, stanza: Stanza) {
        self.stream
            .feed(&XmppStreamElement::Stanza(stanza))
            .await
            .expect("bare client writes");
    }

    async fn flush(&mut self) {
        SinkExt::<&XmppStreamElement>::flush(&mut self.stream)
            .await
            .expect("bare client flushes");
    }

    /// The next stanza (other stream elements are skipped).
    async fn read(&mut self) -> Stanza {
        loop {
            match self.stream.next().await {
                Some(Ok(FallibleStreamElement::Ok(XmppStreamElement::Stanza(stanza)))) => {
                    return stanza
                }
                Some(Ok(_)) | Some(Err(ReadError::SoftTimeout)) => {}
                Some(Err(ReadError::ParseError(e))) => eprintln!("bare client skipped: {e}"),
                other => panic!("the bare stream ended: {other:?}"),
            }
        }
    }

    async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(2), self.stream.shutdown()).await;
    }
}

/// Fills Bob's archive: `phone` (Bob, online) receives `MESSAGES` chats from a bare stream of
/// Alice's; returns once the phone has the last one, so all are archived.
async fn fill(server: &Prosody, alice: &Client, bob: &Client) {
    let mut phone = Bare::connect(
        &nudge_testkit::account(server, bob.jid.as_str()),
        &bob.password,
        "phone",
    )
    .await;
    phone.send(Stanza::Presence(Presence::available())).await;
    // The presence is handled before anything this stream reads next: wait for the echo.
    while !matches!(phone.read().await, Stanza::Presence(_)) {}
    let last = format!("archived {}", MESSAGES - 1);
    let reader = tokio::spawn(async move {
        loop {
            if let Stanza::Message(message) = phone.read().await {
                if message.bodies.values().any(|b| *b == last) {
                    return phone;
                }
            }
        }
    });
    let mut sender = Bare::connect(
        &nudge_testkit::account(server, alice.jid.as_str()),
        &alice.password,
        "filler",
    )
    .await;
    let to = bob.jid.clone();
    for n in 0..MESSAGES {
        let id = nudge::command::new_message_id();
        let message = nudge::xmpp::message::build_chat(&to, &id, &format!("archived {n}"));
        sender.feed(Stanza::Message(message)).await;
        if n % 100 == 99 {
            sender.flush().await;
        }
    }
    sender.flush().await;
    let phone = tokio::time::timeout(PATIENCE, reader)
        .await
        .expect("the phone received every message in time")
        .expect("the phone's reader");
    phone.close().await;
    sender.close().await;
}

/// Copies the database files of `profile` (the core is signed out, so they are quiet).
fn copy_database(from: &Profile, to: &Profile) {
    std::fs::create_dir_all(to.database_path().parent().expect("data dir")).expect("data dir");
    for suffix in ["", "-wal"] {
        let source = path_with_suffix(&from.database_path(), suffix);
        if source.exists() {
            std::fs::copy(&source, path_with_suffix(&to.database_path(), suffix))
                .expect("copy the database");
        }
    }
}

fn path_with_suffix(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut text = path.as_os_str().to_owned();
    text.push(suffix);
    text.into()
}

/// One Nudge catch-up's figures.
struct NudgeRound {
    /// SignIn → HistorySynced.
    total: Duration,
    /// SignIn → online (connected, bound, the catch-up asked for).
    online: Duration,
    new_messages: usize,
    shown: usize,
    history_events: usize,
}

/// A fresh core on a fresh copy of `snapshot`: signs in and waits for the catch-up's end.
async fn nudge_round(snapshot: &Profile, account: &AccountConfig, password: &str) -> NudgeRound {
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = Profile::under(dir.path(), "bench");
    copy_database(snapshot, &profile);
    let core = Core::start(
        &tokio::runtime::Handle::current(),
        profile,
        AccountOptions {
            timeouts: timeouts(),
            ..AccountOptions::default()
        },
        None,
        LaunchCookies::default(),
    )
    .expect("core starts");
    let mut events = core.events().subscribe(None);
    let started = Instant::now();
    core.commands().send(Command::SignIn {
        account: account.clone(),
        password: password.into(),
        remember_password: false,
    });
    let mut online = Duration::ZERO;
    let mut shown = 0;
    let mut history_events = 0;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let new_messages = loop {
        let event = tokio::time::timeout_at(deadline, events.next())
            .await
            .expect("the catch-up ends in time")
            .expect("the core runs");
        match event {
            Event::ConnectionChanged {
                state: ConnectionState::Online { .. },
            } => online = started.elapsed(),
            Event::HistoryLoaded { messages, .. } => {
                shown += messages.len();
                history_events += 1;
            }
            Event::HistorySynced { new_messages } => break new_messages,
            Event::Problem { problem } => panic!("the core reported a problem: {problem:?}"),
            _ => {}
        }
    };
    let total = started.elapsed();
    core.shutdown().await;
    NudgeRound {
        total,
        online,
        new_messages,
        shown,
        history_events,
    }
}

/// One bare catch-up's figures.
struct BareRound {
    total: Duration,
    /// Start → bound.
    online: Duration,
    results: usize,
    pages: usize,
}

/// Connects, binds and pages through the archive after `after`, counting the results.
async fn bare_round(account: &AccountConfig, password: &str, after: &str) -> BareRound {
    let started = Instant::now();
    let mut bare = Bare::connect(account, password, "bare").await;
    let online = started.elapsed();
    let mut cursor = Cursor::After(after.to_string());
    let mut results = 0;
    let mut pages = 0;
    loop {
        pages += 1;
        let id = format!("page-{pages}");
        let query_id = format!("q{pages}");
        bare.send(Stanza::Iq(mam::query(&id, &query_id, &cursor)))
            .await;
        let end = loop {
            match bare.read().await {
                Stanza::Message(message) => {
                    let ours = message.payloads.iter().any(|p| {
                        p.is("result", tokio_xmpp::parsers::ns::MAM)
                            && p.attr("queryid") == Some(query_id.as_str())
                    });
                    if ours {
                        results += 1;
                    }
                }
                Stanza::Iq(iq) if iq.id() == id => break mam::page_end(&iq).expect("a page end"),
                _ => {}
            }
        };
        match end.next(&cursor) {
            Some(next) => cursor = next,
            None => break,
        }
    }
    let total = started.elapsed();
    bare.close().await;
    BareRound {
        total,
        online,
        results,
        pages,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// (median, min, max) of `samples`.
fn summary(mut samples: Vec<f64>) -> (f64, f64, f64) {
    samples.sort_by(f64::total_cmp);
    let n = samples.len();
    let median = if n % 2 == 1 {
        samples[n / 2]
    } else {
        (samples[n / 2 - 1] + samples[n / 2]) / 2.0
    };
    (median, samples[0], samples[n - 1])
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let server = Prosody::start_with(ProsodyOptions {
        // Above Prosody's default of 10,000, which would drop the oldest (the cursor) on the
        // way in.
        archive_item_limit: Some(100_000),
        ..ProsodyOptions::default()
    });
    let mut alice = Client::online(&server, "alice").await;
    let mut bob = Client::online(&server, "bob").await;
    nudge_testkit::befriend(&mut alice, &mut bob).await;

    // Bob's device sees one message live: its store now has an archive cursor.
    alice.send(Command::SendMessage {
        id: nudge::command::new_message_id(),
        to: bob.jid.clone(),
        body: "seen live".into(),
    });
    bob.wait_for(
        "the live message",
        |e| matches!(e, Event::MessageReceived { message } if message.body == "seen live"),
    )
    .await;
    // Its receipt reaches Alice (and so is archived) before Bob leaves.
    alice
        .wait_for("the receipt", |e| {
            matches!(
                e,
                Event::DeliveryChanged {
                    delivery: nudge::model::Delivery::Delivered,
                    ..
                }
            )
        })
        .await;
    for client in [&mut bob, &mut alice] {
        client.sign_out().await;
    }

    let snapshot_dir = tempfile::tempdir().expect("temp dir");
    let snapshot = Profile::under(snapshot_dir.path(), "snapshot");
    copy_database(&bob.profile(), &snapshot);
    let cursor = {
        // A scratch copy: opening a store may write to it.
        let scratch_dir = tempfile::tempdir().expect("temp dir");
        let scratch = Profile::under(scratch_dir.path(), "scratch");
        copy_database(&snapshot, &scratch);
        let store = nudge::store::Store::open(&scratch.database_path()).expect("store");
        store
            .newest_archived()
            .expect("read the cursor")
            .expect("an archive cursor")
            .0
    };

    let filling = Instant::now();
    fill(&server, &alice, &bob).await;
    println!(
        "filled the archive with {MESSAGES} messages in {:.1} s",
        filling.elapsed().as_secs_f64()
    );

    let mut account = nudge_testkit::account(&server, bob.jid.as_str());
    account.resource = Some("desk".into());
    let mut nudge_rounds = Vec::new();
    let mut bare_rounds = Vec::new();
    let rounds = std::env::var("NUDGE_BENCH_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(ROUNDS);
    // Interleaved, so both see the server in the same state.
    for n in 0..rounds {
        let round = nudge_round(&snapshot, &account, &bob.password).await;
        assert_eq!(round.new_messages, MESSAGES, "every archived message, once");
        assert_eq!(round.shown, MESSAGES, "every new message shown");
        println!(
            "round {n}: Nudge {:.0} ms (online after {:.0} ms)",
            ms(round.total),
            ms(round.online)
        );
        nudge_rounds.push(round);
        let round = bare_round(&account, &bob.password, &cursor).await;
        assert!(round.results >= MESSAGES, "{} results", round.results);
        println!(
            "round {n}: bare {:.0} ms (bound after {:.0} ms), {} results",
            ms(round.total),
            ms(round.online),
            round.results
        );
        bare_rounds.push(round);
    }

    let (nudge_median, nudge_min, nudge_max) =
        summary(nudge_rounds.iter().map(|r| ms(r.total)).collect());
    let (nudge_online, _, _) = summary(nudge_rounds.iter().map(|r| ms(r.online)).collect());
    let (bare_median, bare_min, bare_max) =
        summary(bare_rounds.iter().map(|r| ms(r.total)).collect());
    let (bare_online, _, _) = summary(bare_rounds.iter().map(|r| ms(r.online)).collect());
    let ratio = nudge_median / bare_median;
    let first_nudge = &nudge_rounds[0];
    let first_bare = &bare_rounds[0];
    println!(
        "archive after the cursor: {} results in {} pages (bare client); Nudge: {} new \
         messages in {} HistoryLoaded events",
        first_bare.results, first_bare.pages, first_nudge.new_messages, first_nudge.history_events
    );
    println!(
        "| client | rounds | median (ms) | min (ms) | max (ms) | of which signing in (median ms) |"
    );
    println!("|---|---|---|---|---|---|");
    println!(
        "| Nudge (SignIn → HistorySynced) | {rounds} | {nudge_median:.0} | {nudge_min:.0} | \
         {nudge_max:.0} | {nudge_online:.0} |"
    );
    println!(
        "| bare client (connect → complete) | {rounds} | {bare_median:.0} | {bare_min:.0} | \
         {bare_max:.0} | {bare_online:.0} |"
    );
    println!(
        "ratio Nudge / bare (medians): {ratio:.2} (budget {BUDGET_RATIO:.1}): {}",
        if ratio <= BUDGET_RATIO {
            "within budget"
        } else {
            "OVER BUDGET"
        }
    );
}
