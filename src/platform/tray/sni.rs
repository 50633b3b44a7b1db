//! The StatusNotifierItem tray (freedesktop desktops) through `ksni`.
//!
//! ksni's blocking API runs the D-Bus service on a thread of its own; a second thread forwards
//! the window's status to it, so the window never waits on D-Bus.

use ksni::blocking::TrayMethods as _;
use ksni::menu::{RadioGroup, RadioItem, StandardItem};
use ksni::{MenuItem, OfflineReason};

use super::{
    channel, layout, MenuEntry, Slot, TrayAction, TrayError, TrayLink, TraySender, TrayStatus,
};
use crate::core::Waker;
use crate::model::Availability;

/// The ksni tray: what it shows and where choices go.
struct NudgeTray {
    status: TrayStatus,
    end: TraySender,
}

impl ksni::Tray for NudgeTray {
    fn id(&self) -> String {
        "nudge".into()
    }

    fn title(&self) -> String {
        "Nudge".into()
    }

    fn icon_name(&self) -> String {
        // Icon names from the freedesktop naming specification, which icon themes provide.
        let name = match (self.status.signed_in, self.status.availability) {
            (false, _) => "user-offline",
            (true, Availability::Online) => "user-available",
            (true, Availability::Busy) => "user-busy",
            (true, Availability::Away) => "user-away",
            (true, Availability::AppearOffline | Availability::Offline) => "user-invisible",
        };
        name.into()
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        ksni::ToolTip {
            title: super::icon::tooltip(&self.status),
            ..Default::default()
        }
    }

    fn activate(&mut self, _x: i32, _y: i32) {
        self.end.act(TrayAction::Open);
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        let mut items = Vec::new();
        // The presence choices are one radio group.
        let mut presence: Vec<MenuEntry> = Vec::new();
        for slot in layout(&self.status) {
            if let Slot::Entry(entry) = &slot {
                if entry.checked.is_some() {
                    presence.push(entry.clone());
                    continue;
                }
            }
            if !presence.is_empty() {
                items.push(radio_group(std::mem::take(&mut presence)));
            }
            items.push(match slot {
                Slot::Entry(entry) => standard(entry),
                Slot::Separator => MenuItem::Separator,
            });
        }
        if !presence.is_empty() {
            items.push(radio_group(presence));
        }
        items
    }

    fn watcher_online(&self) {
        self.end.set_shown(true);
    }

    fn watcher_offline(&self, reason: OfflineReason) -> bool {
        tracing::info!("the desktop's tray went away: {reason:?}");
        self.end.set_shown(false);
        // Keep the service: the icon comes back when the tray host does.
        true
    }
}

fn standard(entry: MenuEntry) -> MenuItem<NudgeTray> {
    let action = entry.action;
    StandardItem {
        label: entry.label.into(),
        enabled: entry.enabled,
        activate: Box::new(move |tray: &mut NudgeTray| tray.end.act(action)),
        ..Default::default()
    }
    .into()
}

fn radio_group(entries: Vec<MenuEntry>) -> MenuItem<NudgeTray> {
    // No option selected (past the end) while signed out.
    let selected = entries
        .iter()
        .position(|e| e.checked == Some(true))
        .unwrap_or(entries.len());
    let actions: Vec<TrayAction> = entries.iter().map(|e| e.action).collect();
    RadioGroup {
        selected,
        select: Box::new(move |tray: &mut NudgeTray, chosen| {
            if let Some(action) = actions.get(chosen) {
                tray.end.act(*action);
            }
        }),
        options: entries
            .iter()
            .map(|e| RadioItem {
                label: e.label.into(),
                enabled: e.enabled,
                ..Default::default()
            })
            .collect(),
    }
    .into()
}

/// Registers the tray on the session bus and starts forwarding the window's status to it.
pub fn start(waker: Waker) -> Result<TrayLink, TrayError> {
    let (link, end) = channel(waker);
    let tray = NudgeTray {
        status: TrayStatus::default(),
        end: end.sender.clone(),
    };
    let handle = tray.spawn().map_err(|e| TrayError::NoHost(e.to_string()))?;
    let forwarding = std::thread::Builder::new()
        .name("nudge-tray".into())
        .spawn(move || {
            // The loop ends when the window drops its link (Nudge is quitting).
            while let Some(status) = end.wait_status() {
                if handle
                    .update(|tray: &mut NudgeTray| tray.status = status)
                    .is_none()
                {
                    break;
                }
            }
            handle.shutdown().wait();
        });
    if let Err(error) = forwarding {
        // The icon still works; it just keeps showing the first status.
        tracing::warn!("could not start the tray's status thread: {error}");
    }
    Ok(link)
}
