//! Tic-Tac-Toe, Nudge's sample Session Invite application (the `nudge-tictactoe` binary).
//!
//! It depends on nothing of Nudge's but the `nudge-api` crate, as any third-party application
//! can: the session comes from the launch environment ([`launch`]),
//! moves travel as context data in a small text protocol ([`protocol`], documented in
//! `docs/tictactoe.md`), and [`game`] is the state machine that reacts to clicks and to the
//! opponent's messages. [`board`], [`protocol`], [`game`] and [`launch`] are pure; [`link`]
//! joins the window to the API worker ([`api`]) through channels, and [`window`] draws it with
//! the game's own design tokens ([`theme`]).

pub mod board;
pub mod game;
pub mod launch;
pub mod link;
pub mod protocol;
pub mod theme;
pub mod window;

#[cfg(any(unix, windows))]
pub mod api;

#[cfg(test)]
mod tests;

/// The GUID the sample registers under (the one `docs/tictactoe.md` uses).
pub const APP_GUID: &str = "{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}";

/// Where the sample is published (the download URL its registration names).
pub const DOWNLOAD_URL: &str = "https://example.org/nudge/tictactoe";
