//! Desktop notifications (freedesktop notifications on Linux, native elsewhere), and clicks on
//! them.
//!
//! [`spawn`] shows a notification on a thread of its own and, when the notification is about
//! something, waits there for the user to click it: the freedesktop "default" action, which
//! is what a click on the notification's body invokes. The wait ends when the notification is
//! clicked or closed (dismissed, expired); at most [`MAX_WATCHED`] are watched at once, so
//! notifications a desktop keeps forever cannot pile up threads. A desktop without a
//! notification service just shows none: one logged line, nothing else.
//!
//! notify-rust subscribes to the service's answers just after the notification is shown, so a
//! click within that millisecond would be missed; nobody clicks that fast.
//!
//! Clicks are reported on Linux and the BSDs and on Windows. On macOS the notification is shown
//! but not watched: notify-rust's macOS wait sends the notification again and needs the main
//! run loop, which belongs to the window.

use std::sync::atomic::{AtomicUsize, Ordering};

use notify_rust::NotificationResponse;

/// How many shown notifications are watched for a click at once; later ones are shown
/// without a click action until earlier ones are clicked or closed.
pub const MAX_WATCHED: usize = 8;

/// The action key a click on a notification's body invokes (freedesktop notifications).
pub const DEFAULT_ACTION: &str = "default";

/// The label of the default action, for desktops that show it as a button.
const DEFAULT_ACTION_LABEL: &str = "Open";

/// Why a notification was not shown.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The desktop's notification service refused or is missing.
    #[error("the desktop did not show the notification: {0}")]
    NotShown(String),
    /// No thread could be started to show it.
    #[error("could not start showing a notification: {0}")]
    NoThread(String),
}

/// What became of a shown notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The user clicked it.
    Clicked,
    /// It went away unclicked (dismissed, expired, or the service went away).
    Closed,
}

/// What the desktop's answer about a notification means.
pub fn outcome(response: &NotificationResponse) -> Outcome {
    match response {
        NotificationResponse::Default => Outcome::Clicked,
        NotificationResponse::Action(key) if key == DEFAULT_ACTION => Outcome::Clicked,
        NotificationResponse::Action(_)
        | NotificationResponse::Reply(_)
        | NotificationResponse::Closed(_) => Outcome::Closed,
    }
}

/// Counts the notifications being watched, up to a limit.
#[derive(Debug)]
pub struct Watchers {
    count: AtomicUsize,
    max: usize,
}

impl Watchers {
    /// Room for `max` watched notifications.
    pub const fn new(max: usize) -> Self {
        Self {
            count: AtomicUsize::new(0),
            max,
        }
    }

    /// A place for one more watched notification, if there is room; it is given back when
    /// the [`Watch`] is dropped (also if its thread panics).
    pub fn claim(&self) -> Option<Watch<'_>> {
        self.count
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max).then_some(n + 1)
            })
            .ok()
            .map(|_| Watch { watchers: self })
    }

    /// How many notifications are watched now.
    pub fn watched(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }
}

/// One watched notification's place among the [`Watchers`].
#[derive(Debug)]
pub struct Watch<'a> {
    watchers: &'a Watchers,
}

impl Drop for Watch<'_> {
    fn drop(&mut self) {
        self.watchers.count.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The notifications of this process being watched for a click.
pub static WATCHERS: Watchers = Watchers::new(MAX_WATCHED);

/// Whether clicks can be reported on this platform (see the module's notes).
const CLICKS_SUPPORTED: bool = !cfg!(target_os = "macos");

/// A notification on screen.
pub struct Shown {
    handle: Option<notify_rust::NotificationHandle>,
}

impl Shown {
    /// Blocks until the notification is clicked or closed; [`Outcome::Closed`] at once for a
    /// notification shown without a click action.
    pub fn wait(self) -> Outcome {
        let Some(handle) = self.handle else {
            return Outcome::Closed;
        };
        let mut seen = Outcome::Closed;
        // An error or a service that went away leaves it closed.
        let _ = handle.wait_for_response(|response: &NotificationResponse| {
            seen = outcome(response);
        });
        seen
    }
}

/// Shows a notification titled `title` with `body`, from "Nudge"; with `clickable`, asks the
/// desktop to report a click on it. Blocking: call from a thread that may wait on D-Bus.
pub fn show(title: &str, body: &str, clickable: bool) -> Result<Shown, NotifyError> {
    let clickable = clickable && CLICKS_SUPPORTED;
    // The summary is plain text by the specification; the body may be read as markup.
    let body = body_text(body, service_reads_markup());
    let mut notification = notify_rust::Notification::new();
    notification
        .appname("Nudge")
        .summary(title)
        .body(&body)
        .icon("nudge");
    // Windows reports a click on the body by itself; an action there would add a button.
    if clickable && !cfg!(windows) {
        notification.action(DEFAULT_ACTION, DEFAULT_ACTION_LABEL);
    }
    let handle = notification
        .show()
        .map_err(|e| NotifyError::NotShown(e.to_string()))?;
    Ok(Shown {
        handle: clickable.then_some(handle),
    })
}

/// The body as the notification service must be given it: with `markup` (the service
/// advertises `body-markup`), `&`, `<`, `>` and quotes escaped, so a message holding
/// `<a href=..>` or `<img src=..>` is shown as the text it is, never as a link or a picture.
/// Without `markup` the service shows the text as it is, and escapes would show through.
pub fn body_text(body: &str, markup: bool) -> std::borrow::Cow<'_, str> {
    if !markup || !body.contains(['&', '<', '>', '"', '\'']) {
        return std::borrow::Cow::Borrowed(body);
    }
    let mut escaped = String::with_capacity(body.len() + 16);
    for c in body.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    std::borrow::Cow::Owned(escaped)
}

/// Whether the desktop's notification service reads the body as markup (freedesktop's
/// `body-markup` capability; asked each time, as the service may be replaced while Nudge runs).
#[cfg(all(unix, not(target_os = "macos")))]
fn service_reads_markup() -> bool {
    match notify_rust::get_capabilities() {
        Ok(capabilities) => capabilities.iter().any(|c| c == "body-markup"),
        // Unknown: escaping is the safe side (entities at worst, never live markup).
        Err(_) => true,
    }
}

/// Notifications on Windows and macOS are plain text.
#[cfg(not(all(unix, not(target_os = "macos"))))]
fn service_reads_markup() -> bool {
    false
}

/// Shows a notification on a thread of its own. With `on_click`, and while fewer than
/// [`MAX_WATCHED`] are watched, the thread waits for the user and runs `on_click` if they
/// click it; otherwise the notification is shown without a click action. A missing
/// notification service is logged there.
pub fn spawn(
    title: String,
    body: String,
    on_click: Option<Box<dyn FnOnce() + Send>>,
) -> Result<(), NotifyError> {
    std::thread::Builder::new()
        .name("nudge-notification".into())
        .spawn(move || {
            let watch = on_click.and_then(|f| WATCHERS.claim().map(|watch| (f, watch)));
            let shown = match show(&title, &body, watch.is_some()) {
                Ok(shown) => shown,
                Err(error) => {
                    tracing::info!("{error}");
                    return;
                }
            };
            let Some((on_click, _watch)) = watch else {
                return;
            };
            if shown.wait() == Outcome::Clicked {
                on_click();
            }
        })
        .map(|_| ())
        .map_err(|e| NotifyError::NoThread(e.to_string()))
}

#[cfg(test)]
mod tests {
    use notify_rust::CloseReason;

    use super::*;

    #[test]
    fn only_the_default_action_is_a_click() {
        let cases = [
            (NotificationResponse::Default, Outcome::Clicked),
            (
                NotificationResponse::Action("default".into()),
                Outcome::Clicked,
            ),
            (
                NotificationResponse::Action("reply".into()),
                Outcome::Closed,
            ),
            (NotificationResponse::Reply("hi".into()), Outcome::Closed),
            (
                NotificationResponse::Closed(CloseReason::Dismissed),
                Outcome::Closed,
            ),
            (
                NotificationResponse::Closed(CloseReason::Expired),
                Outcome::Closed,
            ),
        ];
        for (response, expected) in cases {
            assert_eq!(outcome(&response), expected, "{response:?}");
        }
    }

    #[test]
    fn watching_stops_at_the_limit_and_each_end_makes_room() {
        let watchers = Watchers::new(2);
        let first = watchers.claim().expect("room for one");
        let second = watchers.claim().expect("room for two");
        assert!(watchers.claim().is_none(), "full");
        assert_eq!(watchers.watched(), 2);
        drop(first);
        assert_eq!(watchers.watched(), 1);
        let third = watchers.claim().expect("room again");
        drop((second, third));
        assert_eq!(watchers.watched(), 0);
    }

    #[test]
    fn a_panicking_watch_gives_its_place_back() {
        static PANICKY: Watchers = Watchers::new(1);
        let outcome = std::thread::spawn(|| {
            let _watch = PANICKY.claim().expect("room");
            panic!("the service misbehaved");
        })
        .join();
        assert!(outcome.is_err());
        assert_eq!(PANICKY.watched(), 0);
        assert!(PANICKY.claim().is_some());
    }

    #[test]
    fn markup_in_a_body_is_escaped_only_for_services_that_read_markup() {
        let hostile = r#"<a href="https://evil.example">win</a> & <img src='file:///x'>"#;
        assert_eq!(
            body_text(hostile, true),
            "&lt;a href=&quot;https://evil.example&quot;&gt;win&lt;/a&gt; &amp; \
             &lt;img src=&#39;file:///x&#39;&gt;"
        );
        assert_eq!(body_text(hostile, false), hostile);
        assert!(matches!(
            body_text("plain words :)", true),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn a_notification_without_a_click_action_is_closed_at_once() {
        assert_eq!(Shown { handle: None }.wait(), Outcome::Closed);
    }
}
