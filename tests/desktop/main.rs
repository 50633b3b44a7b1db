//! Desktop integration over a real D-Bus: notifications and the freedesktop tray icon, each test
//! on a private bus with a stand-in for the desktop's service.
//!
//! A binary of its own: each test points `DBUS_SESSION_BUS_ADDRESS` at its bus, so the tests
//! take turns (`nudge_testkit::dbus::TURN`), and nothing else in the process may use the bus.

// Test code: a failed step panics with a message saying what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod notify;
mod start_hidden;
mod tray;
