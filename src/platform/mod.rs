//! The desktop around Nudge: the keyring, notifications, the tray icon and URL opening, and
//! the files Nudge keeps private or reads for the user.
//!
//! Each module wraps one operating-system service behind a small synchronous API with its own
//! error type, so the core never depends on how a platform does it.

pub mod files;
pub mod keyring;
pub mod notify;
pub mod opener;
pub mod private;
pub mod sound;
pub mod tray;
