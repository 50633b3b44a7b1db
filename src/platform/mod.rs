//! The desktop around Nudge: the display, the keyring, notifications, the tray icon, URL
//! opening, desktop entries (the app id, starting on login), and the files Nudge keeps private
//! or reads for the user.
//!
//! Each module wraps one operating-system service behind a small synchronous API with its own
//! error type, so the core never depends on how a platform does it.

pub mod autostart;
pub mod desktop_entry;
pub mod display;
pub mod files;
pub mod history_files;
pub mod keyring;
pub mod notify;
pub mod opener;
pub mod private;
pub mod settings_files;
pub mod sound;
pub mod tray;
