//! The game's window: the board, the status line, Play again / Quit, and notes.
//!
//! It draws from [`Game`] and talks to Nudge only through its [`Link`]; an idle window asks for
//! no repaints (the link's waker wakes it when an event arrives).

use egui::{Button, CentralPanel, Color32, RichText, Ui, ViewportBuilder, ViewportCommand};

use super::board::{Outcome, CELLS};
use super::game::{Game, Phase};
use super::launch::{Launch, LaunchError};
use super::link::{Link, LinkEvent};
use super::theme;
use nudge_api::Role;

/// The window's size in points.
const WINDOW_SIZE: [f32; 2] = [340.0, 480.0];
/// The side of one cell in points.
const CELL_SIZE: f32 = 84.0;
/// The size of a mark in a cell.
const MARK_SIZE: f32 = 44.0;
/// The colour of the marks on the winning line.
const WINNING_MARK: Color32 = Color32::from_rgb(0x2e, 0x8b, 0x57);

/// The game in a window.
#[derive(Debug)]
pub struct TicTacToeApp {
    game: Game,
    link: Link,
    ended: bool,
}

impl TicTacToeApp {
    /// A game on this side of the invitation against `opponent`, talking through `link`.
    pub fn new(role: Role, opponent: impl Into<String>, link: Link) -> Self {
        Self {
            game: Game::new(role, opponent),
            link,
            ended: false,
        }
    }

    /// The game as it stands.
    pub fn game(&self) -> &Game {
        &self.game
    }

    /// Applies every report waiting on the link; returns how many there were.
    pub fn drain_link(&mut self) -> usize {
        let mut count = 0;
        while let Some(event) = self.link.try_next() {
            self.apply(event);
            count += 1;
        }
        count
    }

    fn apply(&mut self, event: LinkEvent) {
        match event {
            LinkEvent::Joined { session } => {
                if !session.peer.is_empty() {
                    self.game.set_opponent(session.peer);
                }
                if let Some(hello) = self.game.joined() {
                    self.send(hello);
                }
            }
            LinkEvent::Data(data) => {
                for reply in self.game.receive(&data) {
                    self.send(reply);
                }
            }
            LinkEvent::Ended { reason } => self.game.opponent_left(reason),
            LinkEvent::SendFailed(message) => self.game.note(format!(
                "Something sent to your opponent may not have arrived: {message}"
            )),
            LinkEvent::Lost(message) => self.game.disconnected(message),
        }
    }

    fn send(&mut self, message: super::protocol::Message) {
        if !self.link.send(message) {
            self.game
                .disconnected("Lost the connection to Nudge. The game cannot go on.");
        }
    }

    fn click(&mut self, cell: usize) {
        match self.game.click(cell) {
            Ok(message) => self.send(message),
            Err(refusal) => self.game.note(format!("That did nothing: {refusal}.")),
        }
    }

    /// Ends the session once, whichever way the window is closing.
    fn end_session(&mut self) {
        if !self.ended {
            self.ended = true;
            self.link.end();
        }
    }

    fn cells_ui(&mut self, ui: &mut Ui) {
        let winning = match self.game.phase() {
            Phase::Over {
                outcome: Outcome::Win { line, .. },
                ..
            } => Some(*line),
            _ => None,
        };
        let mut clicked = None;
        egui::Grid::new("board")
            .spacing([theme::SMALL_GAP, theme::SMALL_GAP])
            .show(ui, |ui| {
                for cell in 0..CELLS {
                    let mark = self.game.board().get(cell);
                    let mut text = RichText::new(mark.map(|m| m.to_string()).unwrap_or_default())
                        .size(MARK_SIZE);
                    if winning.is_some_and(|line| line.contains(&cell)) {
                        text = text.color(WINNING_MARK).strong();
                    }
                    let playable = mark.is_none() && self.game.my_turn();
                    let response = ui.add_enabled(
                        playable,
                        Button::new(text).min_size(egui::vec2(CELL_SIZE, CELL_SIZE)),
                    );
                    let label = format!("Cell {}", cell + 1);
                    let value = mark.map_or_else(|| "empty".to_string(), |m| m.to_string());
                    response.widget_info(|| {
                        let mut info =
                            egui::WidgetInfo::labeled(egui::Role::Button, playable, &label);
                        info.current_text_value = Some(value.clone());
                        info
                    });
                    if response.clicked() {
                        clicked = Some(cell);
                    }
                    if cell % 3 == 2 {
                        ui.end_row();
                    }
                }
            });
        if let Some(cell) = clicked {
            self.click(cell);
        }
    }

    fn buttons_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            if let Phase::Over { i_want_again, .. } = self.game.phase() {
                let asked = *i_want_again;
                if ui.add_enabled(!asked, Button::new("Play again")).clicked() {
                    if let Some(again) = self.game.play_again() {
                        self.send(again);
                    }
                }
            }
            if ui.button("Quit").clicked() {
                self.end_session();
                ui.ctx().send_viewport_cmd(ViewportCommand::Close);
            }
        });
    }
}

impl eframe::App for TicTacToeApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        // No repaint is requested here: the link's waker already asked for this frame.
        self.drain_link();
        if ctx.input(|i| i.viewport().close_requested()) {
            self.end_session();
        }
    }

    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        CentralPanel::default().show(ui, |ui| {
            ui.heading("Tic-Tac-Toe");
            ui.label(format!(
                "Round {} against {}",
                self.game.round(),
                self.game.opponent()
            ));
            ui.add_space(theme::SMALL_GAP);
            let status = RichText::new(self.game.status()).strong();
            let status = match self.game.phase() {
                Phase::Disconnected { .. } => status.color(theme::ERROR),
                Phase::OpponentLeft { .. } => status.color(theme::WARNING),
                _ => status,
            };
            ui.label(status);
            ui.add_space(theme::SECTION_GAP);
            self.cells_ui(ui);
            ui.add_space(theme::SECTION_GAP);
            self.buttons_ui(ui);
            ui.add_space(theme::SECTION_GAP);
            for note in self.game.notes() {
                ui.label(RichText::new(note).small().color(theme::HINT));
            }
        });
    }
}

/// The window shown when the program was started by hand: how to play instead.
#[derive(Debug)]
pub struct NotLaunchedApp {
    problem: LaunchError,
}

impl NotLaunchedApp {
    /// Explains `problem` (usually [`LaunchError::NotLaunched`]).
    pub fn new(problem: LaunchError) -> Self {
        Self { problem }
    }
}

impl eframe::App for NotLaunchedApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        CentralPanel::default().show(ui, |ui| {
            ui.heading("Tic-Tac-Toe for Nudge");
            ui.add_space(theme::SMALL_GAP);
            if self.problem != LaunchError::NotLaunched {
                ui.label(RichText::new(self.problem.to_string()).color(theme::ERROR));
            }
            ui.label(
                "This game is started by Nudge: right-click a contact, choose Invite, then \
                 Tic-Tac-Toe, and Nudge starts it for both of you when your friend accepts.",
            );
            ui.add_space(theme::SMALL_GAP);
            ui.label("Register it once with Nudge (see README.md and docs/tictactoe.md):");
            let command = register_command();
            ui.add(egui::Label::new(RichText::new(&command).monospace()).selectable(true));
            ui.add_space(theme::SECTION_GAP);
            if ui.button("Close").clicked() {
                ui.ctx().send_viewport_cmd(ViewportCommand::Close);
            }
        });
    }
}

/// The `nudge apps register` command for this program, with its real path when known.
pub fn register_command() -> String {
    let path = std::env::current_exe()
        .map(|path| path.display().to_string())
        .unwrap_or_else(|_| "/path/to/nudge-tictactoe".into());
    format!(
        "nudge apps register --guid \"{}\" --name Tic-Tac-Toe --path \"{path}\" --url {}",
        super::APP_GUID,
        super::DOWNLOAD_URL
    )
}

fn options(title: &str) -> eframe::NativeOptions {
    eframe::NativeOptions {
        viewport: ViewportBuilder::default()
            .with_title(title)
            .with_app_id("nudge-tictactoe")
            .with_inner_size(WINDOW_SIZE)
            .with_min_inner_size(WINDOW_SIZE),
        ..eframe::NativeOptions::default()
    }
}

/// Opens the game window until it is closed; `ctx` is the context whose repaint the link's
/// waker requests.
pub fn run_game(launch: &Launch, link: Link, ctx: egui::Context) -> Result<(), eframe::Error> {
    let app = TicTacToeApp::new(launch.role, launch.opponent(), link);
    let title = format!("Tic-Tac-Toe with {}", launch.opponent());
    eframe::run_native_ext(
        "nudge-tictactoe",
        options(&title),
        Some(ctx),
        Box::new(move |creation| {
            theme::apply(&creation.egui_ctx);
            Ok(Box::new(app))
        }),
    )
}

/// Opens the window that explains how the game is started.
pub fn run_not_launched(problem: LaunchError) -> Result<(), eframe::Error> {
    eframe::run_native(
        "nudge-tictactoe",
        options("Tic-Tac-Toe for Nudge"),
        Box::new(move |creation| {
            theme::apply(&creation.egui_ctx);
            Ok(Box::new(NotLaunchedApp::new(problem)))
        }),
    )
}
