//! The tray icon on Windows (notification area) and macOS (menu bar), through `tray-icon`.
//!
//! Both want the icon made on the thread that runs the window's event loop, while it runs: on
//! Windows the icon's hidden window gets its messages from that loop, and macOS allows AppKit
//! only on the main thread once the application has finished launching. So [`start`] only
//! prepares the channels, and the icon is made on the window's first frame, when the window
//! first tells the tray what to show ([`TrayLink::show_status`] on the main thread, inside the
//! running loop); each later status updates it there. Menu choices and clicks arrive through
//! tray-icon's event handlers and go to the window like the freedesktop tray's.

use tray_icon::menu::{
    CheckMenuItem, IsMenuItem, Menu, MenuEvent, MenuId, MenuItem, PredefinedMenuItem,
};
use tray_icon::{Icon, MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};

use super::icon::{pixels, tooltip, ICON_SIZE};
use super::{
    channel, layout, menu, MenuEntry, Slot, TrayAction, TrayEnd, TrayError, TrayLink, TrayStatus,
};
use crate::core::Waker;

/// Prepares the tray; the icon appears on the window's first frame.
pub fn start(waker: Waker) -> Result<TrayLink, TrayError> {
    let (mut link, end) = channel(waker);
    // Not on screen until it is made: closing the window before then quits.
    end.sender.set_shown(false);
    link.local = Some(LocalTray {
        end,
        made: None,
        current: None,
        failed: false,
    });
    Ok(link)
}

/// The tray's end on the window's thread.
pub struct LocalTray {
    end: TrayEnd,
    made: Option<Made>,
    /// What the icon shows now.
    current: Option<TrayStatus>,
    /// Making the icon failed once; it is not tried again.
    failed: bool,
}

impl std::fmt::Debug for LocalTray {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalTray")
            .field("made", &self.made.is_some())
            .field("failed", &self.failed)
            .finish()
    }
}

/// The icon and the menu items that change with the status.
struct Made {
    icon: TrayIcon,
    /// In menu order, as [`menu`] lists them.
    items: Vec<Item>,
}

/// A menu item that can be updated.
enum Item {
    Plain(MenuItem),
    Check(CheckMenuItem),
}

impl LocalTray {
    /// Shows the newest status the window sent: makes the icon the first time. Call on the
    /// window's thread while its event loop runs.
    pub fn follow(&mut self) {
        let Some(status) = self.end.statuses().pop() else {
            return;
        };
        self.current = Some(status);
        if let Some(made) = &self.made {
            update(made, &status);
            return;
        }
        if self.failed {
            return;
        }
        match make(&self.end, &status) {
            Ok(made) => {
                self.made = Some(made);
                self.end.sender.set_shown(true);
            }
            Err(error) => {
                self.failed = true;
                tracing::info!("no tray icon: {error}");
            }
        }
    }
}

impl LocalTray {
    /// Shows the current status again: the desktop ticks a presence choice by itself when it
    /// is chosen, even the one already ticked, and the window's status may not change.
    pub fn refresh(&self) {
        if let (Some(made), Some(status)) = (&self.made, &self.current) {
            update(made, status);
        }
    }
}

fn picture(status: &TrayStatus) -> Result<Icon, TrayError> {
    Icon::from_rgba(pixels(status), ICON_SIZE, ICON_SIZE)
        .map_err(|e| TrayError::NoHost(e.to_string()))
}

fn make(end: &TrayEnd, status: &TrayStatus) -> Result<Made, TrayError> {
    let tray_menu = Menu::new();
    let mut items = Vec::new();
    let mut actions: Vec<(MenuId, TrayAction)> = Vec::new();
    for (index, slot) in layout(status).into_iter().enumerate() {
        let entry = match slot {
            Slot::Separator => {
                append(&tray_menu, &PredefinedMenuItem::separator())?;
                continue;
            }
            Slot::Entry(entry) => entry,
        };
        let id = MenuId::new(format!("nudge-tray-{index}"));
        let item = item(id.clone(), &entry);
        append(&tray_menu, item.as_menu_item())?;
        actions.push((id, entry.action));
        items.push(item);
    }
    let sender = end.sender.clone();
    MenuEvent::set_event_handler(Some(move |event: MenuEvent| {
        if let Some((_, action)) = actions.iter().find(|(id, _)| id == event.id()) {
            sender.act(*action);
        }
    }));
    let sender = end.sender.clone();
    TrayIconEvent::set_event_handler(Some(move |event: TrayIconEvent| {
        if let TrayIconEvent::Click {
            button: MouseButton::Left,
            button_state: MouseButtonState::Up,
            ..
        } = event
        {
            sender.act(TrayAction::Open);
        }
    }));
    let icon = TrayIconBuilder::new()
        .with_menu(Box::new(tray_menu))
        .with_tooltip(tooltip(status))
        .with_icon(picture(status)?)
        // Windows: a left click opens Nudge, the menu is on the right button. macOS: a menu
        // bar extra shows its menu on any click.
        .with_menu_on_left_click(!cfg!(windows))
        .build()
        .map_err(|e| TrayError::NoHost(e.to_string()))?;
    Ok(Made { icon, items })
}

fn append(menu: &Menu, item: &dyn IsMenuItem) -> Result<(), TrayError> {
    menu.append(item)
        .map_err(|e| TrayError::NoHost(e.to_string()))
}

fn item(id: MenuId, entry: &MenuEntry) -> Item {
    match entry.checked {
        Some(checked) => Item::Check(CheckMenuItem::with_id(
            id,
            entry.label,
            entry.enabled,
            checked,
            None,
        )),
        None => Item::Plain(MenuItem::with_id(id, entry.label, entry.enabled, None)),
    }
}

impl Item {
    fn as_menu_item(&self) -> &dyn IsMenuItem {
        match self {
            Item::Plain(item) => item,
            Item::Check(item) => item,
        }
    }
}

fn update(made: &Made, status: &TrayStatus) {
    for (item, entry) in made.items.iter().zip(menu(status)) {
        match item {
            Item::Plain(item) => item.set_enabled(entry.enabled),
            Item::Check(item) => {
                item.set_enabled(entry.enabled);
                item.set_checked(entry.checked == Some(true));
            }
        }
    }
    // A tray that refuses a new picture or tooltip still works with the old ones.
    if let Ok(icon) = picture(status) {
        let _ = made.icon.set_icon(Some(icon));
    }
    let _ = made.icon.set_tooltip(Some(tooltip(status)));
}
