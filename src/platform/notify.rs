//! Desktop notifications (freedesktop notifications on Linux, native elsewhere).
//!
//! Blocking: call from a blocking thread. Failures are returned, never fatal: a desktop
//! without a notification service just shows none.

/// Shows a notification titled `title` with `body`, from "Nudge".
pub fn show(title: &str, body: &str) -> Result<(), String> {
    notify_rust::Notification::new()
        .appname("Nudge")
        .summary(title)
        .body(body)
        .icon("nudge")
        .show()
        .map(|_| ())
        .map_err(|e| format!("the desktop did not show the notification: {e}"))
}
