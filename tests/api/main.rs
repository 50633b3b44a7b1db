//! The local API and the command line: the server on a real Unix socket (with a stand-in core),
//! the examples in docs/api.md, Session Invite's methods, `nudge apps`, and the `nudge` binary
//! end to end with `--headless` instances on a real Prosody, Tic-Tac-Toe's worker among them.
//! One test binary, so `cargo test` links once.

// Test code: a failed step panics with a message saying what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod apps_cli;
mod cli_headless;
mod docs;
mod history_cli;
mod open_links;
mod server;
mod sessions;
mod tictactoe_session;
