//! `nudge-tictactoe`: Nudge's sample Session Invite application, a two-player Tic-Tac-Toe.
//!
//! Nudge starts it on both sides when an invitation is accepted; the session comes from the
//! environment, and every move travels through Nudge's local API as context data.

use std::process::ExitCode;

use nudge_tictactoe::launch::{Launch, LaunchError};
use nudge_tictactoe::window;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("NUDGE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match Launch::from_env() {
        Ok(launch) => play(launch),
        Err(problem) => explain(problem),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("nudge-tictactoe: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Plays the launched session until the window closes, then lets the worker end the session.
#[cfg(any(unix, windows))]
fn play(launch: Launch) -> anyhow::Result<()> {
    use nudge_tictactoe::link;
    use std::sync::Arc;

    let ctx = egui::Context::default();
    let waker_ctx = ctx.clone();
    let (link, end) = link::link(Arc::new(move || waker_ctx.request_repaint()));
    let worker = nudge_tictactoe::api::spawn(launch.clone(), end)?;
    let shown = window::run_game(&launch, link, ctx);
    // The window dropped its link: the worker ends the session (bounded by a timeout) and stops.
    if worker.join().is_err() {
        eprintln!("nudge-tictactoe: the connection to Nudge stopped unexpectedly");
    }
    shown.map_err(|e| anyhow::anyhow!("the window could not be shown: {e}"))
}

#[cfg(not(any(unix, windows)))]
fn play(_launch: Launch) -> anyhow::Result<()> {
    explain(LaunchError::Missing(nudge_api::env::API_SOCKET))
}

/// Shows how the game is meant to be started.
fn explain(problem: LaunchError) -> anyhow::Result<()> {
    if problem != LaunchError::NotLaunched {
        eprintln!("nudge-tictactoe: {problem}");
    }
    window::run_not_launched(problem)
        .map_err(|e| anyhow::anyhow!("the window could not be shown: {e}"))
}
