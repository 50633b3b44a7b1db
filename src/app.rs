//! `NudgeApp`: the eframe application that joins the core's events to the window.

use std::time::Duration;

use crate::config::AccountConfig;
use crate::core::{CommandSender, EventReceiver};
use crate::model::ConnectionState;
use crate::platform::settings_files::SettingsFiles;
use crate::platform::tray::{self, CloseChoice, TrayLink, TrayRequest, TrayStatus};
use crate::state::AppState;
use crate::ui;
use crate::ui::notifications::{any_window_focused, Notifier};
use crate::ui::view::ViewState;

/// How often the reconnect countdown is redrawn.
const COUNTDOWN_TICK: Duration = Duration::from_secs(1);

/// The window's application: what the core reported, what the window shows, and the channels.
pub struct NudgeApp {
    state: AppState,
    view: ViewState,
    commands: CommandSender,
    events: EventReceiver,
    /// Desktop notifications' rate limits.
    notifier: Notifier,
    /// Which sounds may play now (settings, spacing).
    sounds: ui::sounds::SoundGate,
    /// The frame's clock (egui time) and whether a window has the focus, for the events.
    now: f64,
    focused: bool,
    /// The tray icon, when the desktop shows one.
    tray: Option<TrayLink>,
    /// The tray's Quit was chosen: the next close request really closes.
    quitting: bool,
    /// The settings window's file work (autostart entry, registered applications).
    files: Option<SettingsFiles>,
    /// The conversation windows' history export and import.
    history_files: Option<crate::platform::history_files::HistoryFiles>,
    /// Hide the contact list on the first frame (started hidden in the tray).
    hide_at_start: bool,
}

impl NudgeApp {
    /// An app talking to the core through these channels; `saved_account` fills the sign-in form.
    pub fn new(
        commands: CommandSender,
        events: EventReceiver,
        saved_account: Option<AccountConfig>,
    ) -> Self {
        Self {
            state: AppState::default(),
            view: ViewState::new(saved_account),
            commands,
            events,
            notifier: Notifier::default(),
            sounds: ui::sounds::SoundGate::default(),
            now: 0.0,
            focused: true,
            tray: None,
            quitting: false,
            files: None,
            history_files: None,
            hide_at_start: false,
        }
    }

    /// The same app, hiding its window on the first frame (`--hidden` with a tray icon).
    /// eframe shows the window once it has painted it, whatever the viewport asked for, so
    /// the window hides itself: it is on screen for that one frame at most.
    pub fn hidden_at_start(mut self, hidden: bool) -> Self {
        self.hide_at_start = hidden;
        self
    }

    /// The same app with a worker for the settings window's files: without one, starting on
    /// login and the Applications page say they are not available.
    pub fn with_settings_files(mut self, files: Option<SettingsFiles>) -> Self {
        self.view.settings.files.available = files.is_some();
        self.files = files;
        self
    }

    /// The same app with a worker for history export and import: without one, the
    /// conversation's History menu says they are not available.
    pub fn with_history_files(
        mut self,
        files: Option<crate::platform::history_files::HistoryFiles>,
    ) -> Self {
        self.view.history_files.available = files.is_some();
        self.history_files = files;
        self
    }

    /// The same app with a tray icon: its menu reaches the app, closing hides in it.
    pub fn with_tray(mut self, tray: Option<TrayLink>) -> Self {
        self.tray = tray;
        self
    }

    /// What the core has reported so far.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// What the window shows and what the user typed.
    pub fn view(&self) -> &ViewState {
        &self.view
    }

    /// Applies every event waiting in the channel; returns how many there were.
    pub fn drain_events(&mut self) -> usize {
        let mut count = 0;
        while let Some(event) = self.events.try_next() {
            // Desktop notifications and toasts, too, judge news by the state before it.
            let (now, focused) = (self.now, self.focused);
            let notes =
                self.notifier
                    .notifications_for(&event, &self.state, &self.view, focused, now);
            for note in notes {
                self.send(note);
            }
            // Sounds: never for the conversation the user is reading in a focused window.
            let reading = ui::toasts::visible_conversation(&self.view)
                .filter(|_| focused)
                .cloned();
            if let Some(sound) = self
                .sounds
                .command_for(&event, &self.state, now, reading.as_ref())
            {
                self.send(sound);
            }
            ui::toasts::observe(&mut self.view, &self.state, &event, now);
            // The view compares the state before and after (an invitation that stopped ringing).
            self.view.observe_event(&self.state, &event);
            self.state.apply(event);
            self.view.observe_connection(&self.state.connection);
            count += 1;
        }
        count
    }

    /// Sends chat states whose timers ran out, retires old notes, and schedules the next wake-up.
    fn run_timers(&mut self, ctx: &egui::Context) {
        let now = ctx.input(|i| i.time);
        for (peer, state) in self.view.due_chat_states(now) {
            ui::send_chat_state(&self.commands, &peer, state);
        }
        if let Some(deadline) = self.view.next_typing_deadline() {
            ctx.request_repaint_after(Duration::from_secs_f64((deadline - now).max(0.0)));
        }
        // Nudge sounds are decided with every other sound (settings, spacing) in `sounds`; the
        // windows' own rate-limited queue is not needed on top.
        self.view.windows.sounds.clear();
        self.view.notices.tick(now);
        if let Some(deadline) = self.view.notices.next_deadline() {
            ctx.request_repaint_after(Duration::from_secs_f64((deadline - now).max(0.0)));
        }
        self.view.alerts.tick(now);
        if let Some(deadline) = self.view.alerts.next_deadline() {
            ctx.request_repaint_after(Duration::from_secs_f64((deadline - now).max(0.0)));
        }
        for note in self.notifier.tick(self.focused, now) {
            self.send(note);
        }
        if let Some(deadline) = self.notifier.next_deadline() {
            ctx.request_repaint_after(Duration::from_secs_f64((deadline - now).max(0.0)));
        }
        if matches!(self.state.connection, ConnectionState::Reconnecting { .. }) {
            ctx.request_repaint_after(COUNTDOWN_TICK);
        }
    }
}

impl NudgeApp {
    fn send(&self, command: crate::command::Command) {
        if !self.commands.send(command) {
            tracing::warn!("the core has stopped; a command from the window was dropped");
        }
    }

    /// Brings the settings worker's outcomes in and sends it the window's jobs.
    fn follow_settings_files(&mut self) {
        let Some(files) = &self.files else {
            return;
        };
        let settings = &mut self.view.settings;
        for outcome in files.outcomes() {
            settings.files.observe(outcome);
        }
        settings.files.follow(settings.open, &self.state.apps);
        for job in settings.files.take_jobs() {
            if !files.request(job) {
                tracing::warn!("the settings worker has stopped; a change was not made");
            }
        }
    }

    /// Starts the History menu's jobs and takes their outcomes in; the conversations an
    /// import added to are loaded again, so the messages show.
    fn follow_history_files(&mut self) {
        let Some(files) = &self.history_files else {
            return;
        };
        let view = &mut self.view.history_files;
        for job in view.take_jobs() {
            if let Err(error) = files.request(job.clone()) {
                tracing::warn!("could not start the history work: {error}");
                view.not_started(&job);
            }
        }
        let mut reload = Vec::new();
        for outcome in files.outcomes() {
            reload.extend(view.observe(outcome));
        }
        for peer in reload {
            self.send(crate::command::Command::LoadHistory {
                peer,
                limit: ui::view::HISTORY_LIMIT,
            });
        }
    }

    /// Does what the tray asked and tells it what to show.
    fn follow_tray(&mut self, ctx: &egui::Context) {
        let Some(link) = self.tray.as_mut() else {
            return;
        };
        link.show_status(TrayStatus {
            signed_in: self.view.session_active,
            availability: self.state.own_availability,
        });
        for action in link.actions() {
            match tray::request(action, self.state.own_status.as_deref()) {
                TrayRequest::Command(command) => self.send(command),
                TrayRequest::ShowWindow => show_window(ctx),
                TrayRequest::Quit => {
                    self.quitting = true;
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            }
        }
    }

    /// Comes to the front when asked (a second `nudge`, an `xmpp:` link) and follows the links
    /// that can be followed now: once signed in.
    fn follow_links(&mut self, ctx: &egui::Context) {
        if self.view.links.take_raise() {
            show_window(ctx);
        }
        for link in self.view.links.take_ready(self.view.session_active) {
            if let Some(command) = ui::links::follow(&mut self.view, &self.state, link) {
                self.send(command);
            }
        }
    }

    /// Closing the contact list keeps Nudge in the tray when the user wants that and can.
    fn on_close_request(&self, ctx: &egui::Context) {
        if !ctx.input(|i| i.viewport().close_requested()) {
            return;
        }
        let tray_shown = self.tray.as_ref().is_some_and(TrayLink::is_shown);
        let choice = tray::on_close(self.state.settings.run_in_tray, tray_shown, self.quitting);
        if choice == CloseChoice::HideInTray {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            ctx.send_viewport_cmd(egui::ViewportCommand::Visible(false));
        }
    }
}

/// Shows the contact list (from the tray, or minimised) and gives it the focus.
fn show_window(ctx: &egui::Context) {
    ctx.send_viewport_cmd(egui::ViewportCommand::Visible(true));
    ctx.send_viewport_cmd(egui::ViewportCommand::Minimized(false));
    ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
}

impl eframe::App for NudgeApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.now = ctx.input(|i| i.time);
        if std::mem::take(&mut self.hide_at_start) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Visible(false));
        }
        self.focused = any_window_focused(ctx);
        // No repaint is requested for events: the core's waker already did that.
        self.drain_events();
        ui::notifications::clicks::follow(
            ctx,
            &mut self.notifier,
            &self.state,
            &mut self.view,
            &self.commands,
        );
        ui::settings::apply_looks(ctx, &self.state.settings, &mut self.view.settings);
        self.follow_settings_files();
        self.follow_history_files();
        self.run_timers(ctx);
        self.follow_tray(ctx);
        self.follow_links(ctx);
        self.on_close_request(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        ui::show(ui, &self.state, &mut self.view, &self.commands);
    }
}
