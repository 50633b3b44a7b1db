//! `NudgeApp`: the eframe application that joins the core's events to the window.

use std::time::Duration;

use crate::config::AccountConfig;
use crate::core::{CommandSender, EventReceiver};
use crate::model::ConnectionState;
use crate::state::AppState;
use crate::ui;
use crate::ui::view::ViewState;

/// How often the reconnect countdown is redrawn.
const COUNTDOWN_TICK: Duration = Duration::from_secs(1);

/// The window's application: what the core reported, what the window shows, and the channels.
pub struct NudgeApp {
    state: AppState,
    view: ViewState,
    commands: CommandSender,
    events: EventReceiver,
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
        }
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
        self.view.notices.tick(now);
        if let Some(deadline) = self.view.notices.next_deadline() {
            ctx.request_repaint_after(Duration::from_secs_f64((deadline - now).max(0.0)));
        }
        if matches!(self.state.connection, ConnectionState::Reconnecting { .. }) {
            ctx.request_repaint_after(COUNTDOWN_TICK);
        }
    }
}

impl eframe::App for NudgeApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        // No repaint is requested for events: the core's waker already did that.
        self.drain_events();
        ui::settings::apply_looks(ctx, &self.state.settings, &mut self.view.settings);
        self.run_timers(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        ui::show(ui, &mut self.state, &mut self.view, &self.commands);
    }
}
