//! The game's integration tests in one binary: its window in an egui_kittest harness ([`ui`])
//! and its API worker against a scripted stand-in for Nudge on a real Unix socket ([`api`]).
//! The worker against two real Nudge instances is in the root crate's `tests/api/`.

// Test code: a failed step panics with a message saying what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api;
mod ui;
