//! Nudge: a desktop instant messenger for XMPP.
//!
//! The UI (`ui`) and the core runtime (`core`) meet only through [`command::Command`] and
//! [`event::Event`]. See README.md for the architecture.

pub mod api;
pub mod app;
pub mod apps;
pub mod cli;
pub mod command;
pub mod config;
pub mod core;
pub mod event;
pub mod fuzzing;
pub mod history;
pub mod invite;
pub mod model;
pub mod platform;
pub mod problem;
pub mod runner;
pub mod secret;
pub mod state;
pub mod store;
pub mod text;
pub mod ui;
pub mod web_url;
pub mod xmpp;
