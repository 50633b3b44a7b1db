//! The game's integration tests in one binary: its window in an egui_kittest harness ([`ui`])
//! and its API worker against a scripted stand-in for Nudge on a real Unix socket ([`api`]).
//! The worker against two real Nudge instances is in the root crate's `tests/api/`.

mod api;
mod ui;
