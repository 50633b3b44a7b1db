//! The local application API: a per-profile Unix socket (a named pipe on Windows) speaking
//! JSON lines.
//!
//! `nudge ctl` and registered applications use it to read state, send messages and follow the
//! event stream. The wire format is documented in `docs/api.md`; [`protocol`] and [`methods`]
//! are its pure (sans-IO) halves, [`server`] and [`client`] move the lines, [`ctl`] is the
//! command-line client. Only the listener differs between the transports; a connection is
//! served by the same code over either.

#[cfg(any(unix, windows))]
pub use nudge_api::client;
#[cfg(unix)]
pub use nudge_api::peer;
pub use nudge_api::{pipe, protocol, ApiError};

pub mod access;
pub mod ctl;
pub mod methods;
pub mod session_methods;
pub mod sessions;

#[cfg(any(unix, windows))]
mod connection;
#[cfg(unix)]
#[path = "listener_unix.rs"]
mod listener;
#[cfg(windows)]
#[path = "listener_windows.rs"]
mod listener;
#[cfg(any(unix, windows))]
pub mod server;
#[cfg(not(any(unix, windows)))]
#[path = "server_elsewhere.rs"]
pub mod server;
#[cfg(any(unix, windows))]
mod session_desk;

/// An event as one JSON line of the event stream; a problem carries its sentence (`message`)
/// beside its `code`, the same words the window shows.
pub fn event_line(event: &crate::event::Event) -> Option<String> {
    let line = serde_json::to_string(event).ok()?;
    let crate::event::Event::Problem { problem } = event else {
        return Some(line);
    };
    let message = serde_json::to_string(&crate::ui::words::problem(problem)).ok()?;
    let fields = line.strip_suffix('}')?;
    Some(format!("{fields},\"message\":{message}}}"))
}
