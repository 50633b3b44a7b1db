//! The real window (`NudgeApp`) in an egui_kittest harness, driven by accessible labels, with
//! channels standing in for the core. One test binary, so `cargo test` links once.

// Test code: a failed step panics with a message saying what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod avatar;
mod contacts;
mod conversation;
mod emoticons;
mod history_menu;
mod idle;
mod invite;
mod links;
mod notification_clicks;
mod notifications;
mod settings;
mod signin;
mod toasts;
mod windows;
