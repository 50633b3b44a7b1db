//! What Nudge's tests, benchmarks and examples share: a real Prosody per test and accounts on it
//! ([`prosody`]), cores driven by a test ([`client`]), `nudge --headless` instances driven by
//! `nudge ctl` ([`headless`]), a stand-in Session Invite program ([`recorder`]), a link that can
//! be cut ([`proxy`]), the window in an egui_kittest harness ([`ui`]) and a private D-Bus
//! ([`dbus`]).
//!
//! Test code: every failure panics with a message that says what went wrong.

// Failing loudly is how a harness reports; see the crate doc.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod client;
#[cfg(all(unix, not(target_os = "macos")))]
pub mod dbus;
#[cfg(unix)]
pub mod headless;
pub mod prosody;
pub mod proxy;
#[cfg(unix)]
pub mod recorder;
pub mod ui;

use std::sync::atomic::{AtomicU32, Ordering};

use nudge::config::{AccountConfig, TlsMode};
use nudge::model::{BareJid, FullJid};

pub use prosody::{Prosody, ProsodyOptions};

/// A bare JID written in a test, e.g. `bare("bob@example.org")`.
pub fn bare(text: &str) -> BareJid {
    BareJid::new(text).unwrap_or_else(|e| panic!("{text:?} is not a bare JID: {e}"))
}

/// A full JID written in a test, e.g. `full("bob@example.org/phone")`.
pub fn full(text: &str) -> FullJid {
    FullJid::new(text).unwrap_or_else(|e| panic!("{text:?} is not a full JID: {e}"))
}

/// Numbers the names handed out by [`unique_name`] within one test process.
static NAME_COUNTER: AtomicU32 = AtomicU32::new(0);

/// A user name no other test (in this or a parallel test process) uses: `prefix`, pid, counter.
///
/// The result is lowercase ASCII letters and digits only, so it is a valid JID localpart
/// unchanged and Prosody stores it under the same name.
pub fn unique_name(prefix: &str) -> String {
    let prefix: String = prefix
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let n = NAME_COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}{}n{n}", std::process::id())
}

/// The account settings that reach `user` on `prosody`: loopback, the STARTTLS port, and the
/// server's certificate pinned. `user` is a localpart (`alice`) or a bare JID (`alice@localhost`).
pub fn account(prosody: &Prosody, user: &str) -> AccountConfig {
    let jid = if user.contains('@') {
        user.to_string()
    } else {
        format!("{user}@{}", prosody.domain())
    };
    AccountConfig {
        jid,
        host: Some("127.0.0.1".to_string()),
        port: Some(prosody.c2s_port()),
        tls: TlsMode::StartTls,
        pinned_certificates: vec![prosody.cert_fingerprint().to_string()],
        resource: None,
    }
}

/// Alice adds Bob; Bob allows (and asks back); Alice allows: mutual subscription.
pub async fn befriend(alice: &mut client::Client, bob: &mut client::Client) {
    alice.send(nudge::command::Command::AddContact {
        jid: bob.jid.clone(),
        name: Some("Bob".into()),
        groups: vec![],
    });
    bob.wait_for("alice's request", |e| {
        matches!(e, nudge::event::Event::SubscriptionRequested { .. })
    })
    .await;
    bob.send(nudge::command::Command::ApproveSubscription {
        jid: alice.jid.clone(),
    });
    alice
        .wait_for("bob's request back", |e| {
            matches!(e, nudge::event::Event::SubscriptionRequested { .. })
        })
        .await;
    alice.send(nudge::command::Command::ApproveSubscription {
        jid: bob.jid.clone(),
    });
    let bob_jid = bob.jid.clone();
    alice
        .wait_for("mutual subscription", |e| {
            matches!(e, nudge::event::Event::ContactUpdated { contact } if contact.jid == bob_jid && contact.subscription == nudge::model::Subscription::Both)
        })
        .await;
}
