//! Drives the real `NudgeApp` in an egui_kittest harness, with channels standing in for the core.

use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use nudge::app::NudgeApp;
use nudge::command::Command;
use nudge::config::AccountConfig;
use nudge::core::{CommandSender, EventReceiver};
use nudge::event::Event;
use nudge::invite::{InviteSession, Origin, Role, SessionState};
use nudge::model::{
    Availability, BareJid, ChatMessage, ConnectionState, Contact, Delivery, Direction,
};
use tokio::sync::mpsc;

/// The contact list window's usual size.
const USUAL_SIZE: egui::Vec2 = egui::vec2(360.0, 640.0);

/// The app in a harness, the commands it sent, and a way to feed it events.
pub struct Window {
    /// The harness running the app.
    pub harness: Harness<'static, NudgeApp>,
    commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::UnboundedSender<Event>,
}

impl Window {
    /// A window of the usual size, with no saved account.
    // No Default: `new` starts the app in a harness, which a default value should not do.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self::with_account(None)
    }

    /// A window whose sign-in form starts from `saved`.
    pub fn with_account(saved: Option<AccountConfig>) -> Self {
        Self::build(saved, Harness::builder())
    }

    /// A window whose frames are `step_dt` seconds apart (to watch an animation move).
    pub fn with_step_dt(step_dt: f32) -> Self {
        Self::build(None, Harness::builder().with_step_dt(step_dt))
    }

    /// A window with a tray icon whose other end is `tray` (no D-Bus involved).
    pub fn with_tray(tray: nudge::platform::tray::TrayLink) -> Self {
        Self::assemble(None, Harness::builder().with_size(USUAL_SIZE), Some(tray))
    }

    /// A window whose History menus export and import with `files` (a stand-in file
    /// dialog, a real database).
    pub fn with_history_files(files: nudge::platform::history_files::HistoryFiles) -> Self {
        Self::assemble_with(
            None,
            Harness::builder().with_size(USUAL_SIZE),
            None,
            Some(files),
        )
    }

    /// A window of this size whose frames are `step_dt` seconds apart, big enough to show
    /// conversation windows beside the contact list.
    pub fn sized(size: egui::Vec2, step_dt: f32) -> Self {
        Self::assemble(
            None,
            Harness::builder().with_size(size).with_step_dt(step_dt),
            None,
        )
    }

    /// Says whether the window has the keyboard focus from the next frame on.
    pub fn set_focused(&mut self, focused: bool) {
        self.harness.input_mut().focused = focused;
    }

    /// The viewport commands the root window sent in the last frame.
    pub fn viewport_commands(&self) -> Vec<egui::ViewportCommand> {
        self.harness.output().viewport_output[&egui::ViewportId::ROOT]
            .commands
            .clone()
    }

    fn build(
        saved: Option<AccountConfig>,
        builder: egui_kittest::HarnessBuilder<NudgeApp>,
    ) -> Self {
        Self::assemble(saved, builder.with_size(USUAL_SIZE), None)
    }

    fn assemble(
        saved: Option<AccountConfig>,
        builder: egui_kittest::HarnessBuilder<NudgeApp>,
        tray: Option<nudge::platform::tray::TrayLink>,
    ) -> Self {
        Self::assemble_with(saved, builder, tray, None)
    }

    fn assemble_with(
        saved: Option<AccountConfig>,
        builder: egui_kittest::HarnessBuilder<NudgeApp>,
        tray: Option<nudge::platform::tray::TrayLink>,
        history_files: Option<nudge::platform::history_files::HistoryFiles>,
    ) -> Self {
        let (command_tx, commands) = mpsc::unbounded_channel();
        let (events, event_rx) = mpsc::unbounded_channel();
        let harness = builder.build_eframe(move |creation| {
            nudge::ui::theme::apply(&creation.egui_ctx);
            NudgeApp::new(
                CommandSender::new(command_tx),
                EventReceiver::new(event_rx),
                saved,
            )
            .with_tray(tray)
            .with_history_files(history_files)
        });
        Self {
            harness,
            commands,
            events,
        }
    }

    /// Reports an event as the core would, then lets the window settle.
    pub fn emit(&mut self, event: Event) {
        self.events.send(event).expect("the app holds the receiver");
        self.harness.run();
    }

    /// Reports an event as the core would, without running any frame.
    pub fn queue(&mut self, event: Event) {
        self.events.send(event).expect("the app holds the receiver");
    }

    /// Every command sent since the last call.
    pub fn sent(&mut self) -> Vec<Command> {
        let mut sent = Vec::new();
        while let Ok(command) = self.commands.try_recv() {
            // Sounds are judged by src/ui/sounds.rs's own tests; here they would only be noise.
            if !matches!(command, Command::PlaySound { .. }) {
                sent.push(command);
            }
        }
        sent
    }

    /// Answers the window's requests to mark conversations read as the core does, and returns
    /// the conversations it asked for (other commands sent meanwhile are dropped).
    pub fn answer_reads(&mut self) -> Vec<BareJid> {
        let asked: Vec<BareJid> = self
            .sent()
            .into_iter()
            .filter_map(|c| match c {
                Command::MarkRead { peer } => Some(peer),
                _ => None,
            })
            .collect();
        for peer in &asked {
            self.emit(Event::ConversationRead { peer: peer.clone() });
        }
        asked
    }

    /// Scrolls the widget with this accessible label into view, as a user would before
    /// reaching for it.
    pub fn scroll_to(&mut self, label: &str) {
        self.harness.get_by_label(label).scroll_to_me();
        self.harness.run();
    }

    /// Clicks the widget with this accessible label (scrolled into view first) and lets the
    /// window settle.
    pub fn click(&mut self, label: &str) {
        self.scroll_to(label);
        self.harness.get_by_label(label).click();
        self.harness.run();
    }

    /// Focuses the field with this accessible label and types `text` into it.
    pub fn type_into(&mut self, label: &str, text: &str) {
        self.scroll_to(label);
        self.harness.get_by_label(label).focus();
        self.harness.run();
        self.harness.get_by_label(label).type_text(text);
        self.harness.run();
    }

    /// Presses a key (in the focused widget) and lets the window settle.
    pub fn press(&mut self, key: egui::Key) {
        self.harness.key_press(key);
        self.harness.run();
    }

    /// Whether some widget's label contains `text`.
    pub fn shows(&self, text: &str) -> bool {
        self.harness.query_by_label_contains(text).is_some()
    }

    /// Whether a conversation window whose title ends with `title` is open (the title may
    /// start with an unread count, "(1) ").
    pub fn has_window(&self, title: &str) -> bool {
        // Only window titles read "Name — address".
        self.harness.query_by_label_contains(title).is_some()
    }

    /// Signs in as alice with this roster, as the core reports it.
    pub fn online_with(&mut self, contacts: &[Contact]) {
        self.emit(Event::ConnectionChanged {
            state: ConnectionState::Online {
                jid: crate::full("alice@example.org/laptop"),
            },
        });
        self.emit(Event::OwnPresenceChanged {
            availability: Availability::Online,
            status: None,
        });
        self.emit(Event::RosterReceived {
            contacts: contacts.to_vec(),
        });
    }

    /// Reports a contact's presence.
    pub fn presence(&mut self, jid: &str, availability: Availability, status: Option<&str>) {
        self.emit(Event::PresenceChanged {
            jid: crate::bare(jid),
            resource: "phone".into(),
            availability,
            status: status.map(String::from),
            priority: 0,
        });
    }

    /// The vertical position of the widget labelled `label` (to compare list order).
    pub fn top_of(&self, label: &str) -> f32 {
        self.harness.get_by_label(label).rect().top()
    }
}

/// A roster contact with a name.
pub fn contact(jid: &str, name: &str) -> Contact {
    Contact {
        jid: crate::bare(jid),
        name: Some(name.into()),
        groups: vec![],
        subscription: nudge::model::Subscription::Both,
        pending_out: false,
    }
}

/// An incoming message from `peer`.
pub fn incoming(id: &str, peer: &str, body: &str) -> ChatMessage {
    ChatMessage {
        id: id.into(),
        peer: crate::bare(peer),
        direction: Direction::Incoming,
        body: body.into(),
        timestamp_ms: 1_704_112_496_000,
        delivery: Delivery::Received,
    }
}

/// An outgoing message to `peer` in the given delivery state.
pub fn outgoing(id: &str, peer: &str, body: &str, delivery: Delivery) -> ChatMessage {
    ChatMessage {
        direction: Direction::Outgoing,
        delivery,
        ..incoming(id, peer, body)
    }
}

/// The GUID of the Tic-Tac-Toe used in these tests.
pub const TIC_TAC_TOE: &str = "{6E3F5A10-0000-4000-8000-00000000C0DE}";

/// A Tic-Tac-Toe session with Bob (installed here) in the given role and state.
pub fn session(id: &str, role: Role, state: SessionState) -> InviteSession {
    InviteSession {
        id: id.into(),
        role,
        origin: Origin::Menu,
        app_guid: TIC_TAC_TOE.into(),
        app_name: "Tic-Tac-Toe".into(),
        download_url: "https://games.example.org/tic-tac-toe".into(),
        peer: "bob@example.org".into(),
        state,
        context: None,
        local_address: None,
        remote_address: None,
        app_present: true,
        end_reason: None,
        end_text: None,
        created_ms: 1_704_112_496_000,
    }
}
