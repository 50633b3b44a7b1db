//! The window: screens drawn from `AppState` and `ViewState`, sending `Command`s.
//!
//! UI functions never do IO: they read state, edit view state and queue commands.

pub mod avatar;
pub mod brand;
mod contacts;
pub mod conversation;
mod dialogs;
pub mod emoticons;
pub mod frame_log;
mod invitation;
pub mod invite;
pub mod links;
pub mod notifications;
pub mod rows;
pub mod settings;
pub mod signin;
pub mod signup;
pub mod sounds;
pub mod theme;
pub mod toasts;
pub mod view;
pub mod windows;
pub mod words;

use std::sync::Arc;

use egui::{CentralPanel, Response, RichText, TextEdit, Ui, ViewportBuilder};

use crate::app::NudgeApp;
use crate::command::Command;
use crate::config::AccountConfig;
use crate::core::{CommandSender, EventReceiver, Waker};
use crate::model::{now_ms, ConnectionState};
use crate::platform::desktop_entry::APP_ID;
use crate::state::AppState;
pub use conversation::send_chat_state;
use view::{Screen, ViewState};

/// Opens the native window titled "Nudge" and runs it until it is closed.
///
/// `ctx` is the context the window will use: build it first with `egui::Context::default()`
/// and give the core [`repaint_waker`]`(&ctx)`, so events wake the window from the start.
/// With a `tray`, its menu reaches the window and closing may keep Nudge in it; with
/// `start_hidden` (and a tray shown) the window starts hidden in it. `files` do the settings
/// window's file work and the conversations' history export and import.
pub fn run(
    commands: CommandSender,
    events: EventReceiver,
    saved_account: Option<AccountConfig>,
    ctx: egui::Context,
    tray: Option<crate::platform::tray::TrayLink>,
    files: FileWorkers,
    start_hidden: bool,
) -> Result<(), eframe::Error> {
    let tray_shown = tray
        .as_ref()
        .is_some_and(crate::platform::tray::TrayLink::is_shown);
    let visible = crate::platform::tray::starts_visible(start_hidden, tray_shown);
    if start_hidden && visible {
        tracing::info!("no tray icon to start hidden in: the window opens");
    }
    let options = eframe::NativeOptions {
        viewport: ViewportBuilder::default()
            .with_title("Nudge")
            .with_app_id(APP_ID)
            .with_inner_size(theme::WINDOW_SIZE)
            .with_min_inner_size(theme::WINDOW_MIN_SIZE)
            .with_icon(window_icon()),
        ..eframe::NativeOptions::default()
    };
    // eframe turns native windows for viewports on only in contexts it creates itself; without
    // this, conversation windows would be drawn inside the contact list.
    ctx.set_embed_viewports(false);
    eframe::run_native_ext(
        "Nudge",
        options,
        Some(ctx),
        Box::new(move |creation| {
            theme::apply(&creation.egui_ctx);
            emoticons::install_image_loaders(&creation.egui_ctx);
            let app = NudgeApp::new(commands, events, saved_account)
                .with_tray(tray)
                .with_settings_files(files.settings)
                .with_history_files(files.history)
                .hidden_at_start(!visible);
            Ok(match std::env::var_os(frame_log::VARIABLE) {
                Some(file) => Box::new(frame_log::FrameLog::new(app, file.into())),
                None => Box::new(app),
            })
        }),
    )
}

/// The workers that do the window's file work off its thread; without one, what it does is
/// shown as not available.
#[derive(Debug, Default)]
pub struct FileWorkers {
    /// The settings window's autostart entry, registered applications and program picker.
    pub settings: Option<crate::platform::settings_files::SettingsFiles>,
    /// The conversations' History menu.
    pub history: Option<crate::platform::history_files::HistoryFiles>,
}

/// The waker to subscribe the window with: it asks `ctx` to repaint (from any thread).
pub fn repaint_waker(ctx: &egui::Context) -> Waker {
    let ctx = ctx.clone();
    Arc::new(move || ctx.request_repaint())
}

/// Draws the whole window for the current state.
pub fn show(ui: &mut Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    match view.screen(state) {
        Screen::SignIn => {
            CentralPanel::default().show(ui, |ui| signin::show(ui, state, view, commands));
        }
        Screen::Contacts => {
            contacts::show(ui, state, view, commands);
            conversation::windows::show_all(ui.ctx(), state, view, commands);
            dialogs::show(ui, state, view, commands);
            toasts::show(ui, state, view, commands);
        }
    }
}

/// Queues a command; a stopped core is logged once here rather than at every call site.
fn send(commands: &CommandSender, command: Command) {
    if !commands.send(command) {
        tracing::warn!("the core has stopped; a command from the window was dropped");
    }
}

/// A text field with a visible label that also names it for screen readers and tests.
fn labelled_field(ui: &mut Ui, label: &str, field: TextEdit<'_>) -> Response {
    let label = ui.label(label);
    ui.add(field).labelled_by(label.id)
}

/// A line saying the connection is being restored, while it is.
fn connection_banner(ui: &mut Ui, connection: &ConnectionState) {
    if matches!(
        connection,
        ConnectionState::Connecting | ConnectionState::Reconnecting { .. }
    ) {
        if let Some(text) = words::connection(connection, now_ms()) {
            ui.label(RichText::new(text).color(theme::colours(ui).warning));
        }
    }
}

/// Nudge's window icon (64×64, made by `scripts/make-assets`), decoded once. Without an icon
/// of its own, eframe decodes its 512×512 default and keeps it: 1 MB for the app's life.
pub fn window_icon() -> Arc<egui::IconData> {
    static ICON: std::sync::OnceLock<Arc<egui::IconData>> = std::sync::OnceLock::new();
    ICON.get_or_init(|| {
        let png = include_bytes!("../../assets/icon.png");
        let icon = eframe::icon_data::from_png_bytes(png).unwrap_or_else(|error| {
            tracing::warn!("the window icon could not be decoded: {error}");
            egui::IconData::default()
        });
        Arc::new(icon)
    })
    .clone()
}

#[cfg(test)]
mod icon_tests {
    #[test]
    fn the_window_icon_is_a_small_square_picture() {
        let icon = super::window_icon();
        assert_eq!((icon.width, icon.height), (64, 64));
        assert_eq!(icon.rgba.len(), 64 * 64 * 4);
        // Opaque blue in the middle of the edge, as drawn.
        let at = |x: usize, y: usize| &icon.rgba[(y * 64 + x) * 4..(y * 64 + x) * 4 + 4];
        assert_eq!(at(32, 1), [31, 111, 235, 255]);
    }
}
