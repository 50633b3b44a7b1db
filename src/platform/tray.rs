//! The tray icon: Open, presence choices, Sign out and Quit, from the desktop's panel.
//!
//! On Linux (and other freedesktop systems) this is a StatusNotifierItem over D-Bus (the `ksni`
//! crate, pure Rust). Its service runs on its own thread; menu choices reach the window as
//! [`TrayAction`]s through a channel, with the waker to get them drained at once. The window
//! sends back what the tray should show ([`TrayStatus`]) through [`TrayLink::show_status`].
//!
//! On Windows and macOS it is a notification-area icon / menu bar extra (the `tray-icon`
//! crate) with the same menu, the same actions and the same status; those platforms want the
//! icon made and updated on the window's thread inside its running event loop, so there it is
//! made on the window's first frame and updated as the window sends its status (`desktop`).
//! Elsewhere [`start`] answers [`TrayError::Unsupported`], and closing the contact list quits,
//! so nothing is ever hidden beyond reach.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;

use crate::command::Command;
use crate::core::Waker;
use crate::model::Availability;

/// The presence choices of the tray menu, in menu order.
pub const PRESENCE_CHOICES: [Availability; 4] = [
    Availability::Online,
    Availability::Busy,
    Availability::Away,
    Availability::AppearOffline,
];

/// Why there is no tray.
#[derive(Debug, thiserror::Error)]
pub enum TrayError {
    /// This platform has no tray support in Nudge.
    #[error("Nudge has no tray icon on this platform")]
    Unsupported,
    /// The desktop has no tray host (no StatusNotifierWatcher on the session bus) or no bus.
    #[error("the desktop shows no tray icons: {0}")]
    NoHost(String),
}

/// What the user chose in the tray.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrayAction {
    /// Show the contact list (also a left click on the icon).
    Open,
    /// Change the user's presence.
    SetPresence(Availability),
    /// Sign out.
    SignOut,
    /// Quit Nudge.
    Quit,
}

/// What the tray shows about the user.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrayStatus {
    /// Signed in (presence choices and Sign out are offered).
    pub signed_in: bool,
    /// The user's own availability.
    pub availability: Availability,
}

/// What the window does for a tray action.
#[derive(Clone, Debug, PartialEq)]
pub enum TrayRequest {
    /// Send this to the core.
    Command(Command),
    /// Show the contact list window and bring it forward.
    ShowWindow,
    /// Close every window and quit.
    Quit,
}

/// The window's answer to a tray action; `own_status` keeps the status message when the
/// presence changes.
pub fn request(action: TrayAction, own_status: Option<&str>) -> TrayRequest {
    match action {
        TrayAction::Open => TrayRequest::ShowWindow,
        TrayAction::SetPresence(availability) => TrayRequest::Command(Command::SetPresence {
            availability,
            status: own_status.map(str::to_string),
        }),
        TrayAction::SignOut => TrayRequest::Command(Command::SignOut),
        TrayAction::Quit => TrayRequest::Quit,
    }
}

/// One item of the tray menu.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MenuEntry {
    /// Its words.
    pub label: &'static str,
    /// What choosing it does.
    pub action: TrayAction,
    /// Whether it can be chosen now.
    pub enabled: bool,
    /// For presence choices: whether it is the current one.
    pub checked: Option<bool>,
}

/// The tray menu for `status`: Open, the presence choices, Sign out, Quit.
pub fn menu(status: &TrayStatus) -> Vec<MenuEntry> {
    let item = |label, action, enabled| MenuEntry {
        label,
        action,
        enabled,
        checked: None,
    };
    let mut entries = vec![item("Open Nudge", TrayAction::Open, true)];
    entries.extend(PRESENCE_CHOICES.iter().map(|&availability| MenuEntry {
        label: availability.label(),
        action: TrayAction::SetPresence(availability),
        enabled: status.signed_in,
        checked: Some(status.signed_in && status.availability == availability),
    }));
    entries.push(item("Sign out", TrayAction::SignOut, status.signed_in));
    entries.push(item("Quit", TrayAction::Quit, true));
    entries
}

/// One place in the tray menu: an entry, or a line between groups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Slot {
    /// A menu entry.
    Entry(MenuEntry),
    /// A separator line.
    Separator,
}

/// The tray menu for `status` in groups, as every platform's tray shows it: Open | the
/// presence choices | Sign out | Quit.
pub fn layout(status: &TrayStatus) -> Vec<Slot> {
    let mut slots = Vec::new();
    let mut previous_was_presence = None;
    for entry in menu(status) {
        let presence = entry.checked.is_some();
        // Only the presence choices share a group; every other entry stands alone.
        if previous_was_presence.is_some_and(|previous| !(previous && presence)) {
            slots.push(Slot::Separator);
        }
        previous_was_presence = Some(presence);
        slots.push(Slot::Entry(entry));
    }
    slots
}

/// What closing the contact list window does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseChoice {
    /// Close it and quit Nudge.
    Quit,
    /// Keep Nudge running: cancel the close and hide the window; the tray's Open shows it.
    HideInTray,
}

/// Closing hides the window only when the user wants Nudge in the tray, a tray icon is on
/// screen to bring it back, and the close is not the tray's own Quit.
pub fn on_close(run_in_tray: bool, tray_shown: bool, quitting: bool) -> CloseChoice {
    if run_in_tray && tray_shown && !quitting {
        CloseChoice::HideInTray
    } else {
        CloseChoice::Quit
    }
}

/// Whether the contact list opens on start: always, unless Nudge was asked to start hidden
/// (`--hidden`, as on login) and a tray icon is on screen to bring it back.
pub fn starts_visible(start_hidden: bool, tray_shown: bool) -> bool {
    !(start_hidden && tray_shown)
}

/// The window's end of the tray: actions in, status out.
#[derive(Debug)]
pub struct TrayLink {
    actions: mpsc::Receiver<TrayAction>,
    status: mpsc::Sender<TrayStatus>,
    shown: Arc<AtomicBool>,
    last: Option<TrayStatus>,
    /// Windows and macOS: the icon, which lives on the window's thread.
    #[cfg(any(windows, target_os = "macos"))]
    local: Option<desktop::LocalTray>,
}

impl TrayLink {
    /// The actions chosen since the last call, oldest first.
    pub fn actions(&self) -> Vec<TrayAction> {
        let actions: Vec<TrayAction> = self.actions.try_iter().collect();
        #[cfg(any(windows, target_os = "macos"))]
        if let (false, Some(local)) = (actions.is_empty(), &self.local) {
            local.refresh();
        }
        actions
    }

    /// Tells the tray what to show, when it changed. Call from the window's thread (on
    /// Windows and macOS the first call makes the icon).
    pub fn show_status(&mut self, status: TrayStatus) {
        if self.last == Some(status) {
            return;
        }
        self.last = Some(status);
        // A tray that stopped has nothing to show; the window goes on without it.
        let _ = self.status.send(status);
        #[cfg(any(windows, target_os = "macos"))]
        if let Some(local) = self.local.as_mut() {
            local.follow();
        }
    }

    /// Whether the tray icon is on screen now (the desktop's tray host may come and go).
    pub fn is_shown(&self) -> bool {
        self.shown.load(Ordering::Relaxed)
    }
}

/// Where menu choices go: to the window, which is woken for them. Cheap to clone.
#[derive(Clone)]
pub struct TraySender {
    actions: mpsc::Sender<TrayAction>,
    shown: Arc<AtomicBool>,
    waker: Waker,
}

impl TraySender {
    /// Passes a menu choice to the window and wakes it.
    pub fn act(&self, action: TrayAction) {
        if self.actions.send(action).is_ok() {
            (self.waker)();
        }
    }

    /// Says whether the icon is on screen.
    pub fn set_shown(&self, shown: bool) {
        self.shown.store(shown, Ordering::Relaxed);
    }
}

/// The tray's end: where menu choices go in and the window's status comes out.
pub struct TrayEnd {
    /// Where menu choices go.
    pub sender: TraySender,
    status: mpsc::Receiver<TrayStatus>,
}

impl TrayEnd {
    /// Every status the window sent since the last call.
    pub fn statuses(&self) -> Vec<TrayStatus> {
        self.status.try_iter().collect()
    }

    /// Waits for the window's next status; `None` once the window is gone.
    pub fn wait_status(&self) -> Option<TrayStatus> {
        self.status.recv().ok()
    }
}

/// A connected pair: the window's [`TrayLink`] and the tray's [`TrayEnd`] (shown at first).
pub fn channel(waker: Waker) -> (TrayLink, TrayEnd) {
    let (action_tx, action_rx) = mpsc::channel();
    let (status_tx, status_rx) = mpsc::channel();
    let shown = Arc::new(AtomicBool::new(true));
    let link = TrayLink {
        actions: action_rx,
        status: status_tx,
        shown: shown.clone(),
        last: None,
        #[cfg(any(windows, target_os = "macos"))]
        local: None,
    };
    let end = TrayEnd {
        sender: TraySender {
            actions: action_tx,
            shown,
            waker,
        },
        status: status_rx,
    };
    (link, end)
}

/// Puts Nudge's icon in the desktop's tray; `waker` wakes the window for each choice.
///
/// Freedesktop: blocks briefly while it registers on the session bus, and fails when the
/// desktop shows no tray icons (no StatusNotifierWatcher, typical on CI and bare X servers).
/// Windows and macOS: call on the main thread; the icon appears on the window's first frame.
/// Other platforms: [`TrayError::Unsupported`].
pub fn start(waker: Waker) -> Result<TrayLink, TrayError> {
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        sni::start(waker)
    }
    #[cfg(any(windows, target_os = "macos"))]
    {
        desktop::start(waker)
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = waker;
        Err(TrayError::Unsupported)
    }
}

#[cfg(any(windows, target_os = "macos"))]
mod desktop;
pub mod icon;
#[cfg(all(unix, not(target_os = "macos")))]
mod sni;

#[cfg(test)]
mod tests;
