//! Nudge's core against a real Prosody on loopback (one started per test): the harness itself,
//! messaging and presence, the link (resumption, dead links), history sync, display pictures,
//! Session Invite between two cores, sounds, hostile stanzas (size and depth limits), and the
//! fuzzing corpus replayed through every parser. One test binary, so `cargo test` links once.

// Test code: a failed step panics with a message saying what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod avatar;
mod client;
mod fuzz_corpus;
mod harness;
mod invite_session;
mod limits;
mod link;
mod sounds;
mod sync;
