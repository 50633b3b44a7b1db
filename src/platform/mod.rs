//! The desktop around Nudge: the display, the keyring, notifications, the tray icon and URL opening.
//!
//! Each module wraps one operating-system service behind a small synchronous API with its own
//! error type, so the core never depends on how a platform does it.

pub mod display;
pub mod keyring;
pub mod notify;
pub mod opener;
pub mod sound;
pub mod tray;
