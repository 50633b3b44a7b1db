//! The desktop around Nudge: the display, the keyring, notifications, the tray icon, URL
//! opening, and desktop entries (the app id, starting on login).
//!
//! Each module wraps one operating-system service behind a small synchronous API with its own
//! error type, so the core never depends on how a platform does it.

pub mod autostart;
pub mod desktop_entry;
pub mod display;
pub mod keyring;
pub mod notify;
pub mod opener;
pub mod settings_files;
pub mod sound;
pub mod tray;
