//! The Tic-Tac-Toe window in an egui_kittest harness: clicks on cells, what the window shows,
//! and the messages it hands to the link (played here by the test instead of a socket).

use std::sync::Arc;
use std::time::Duration;

use egui_kittest::kittest::{NodeT, Queryable};
use egui_kittest::Harness;
use nudge_api::{EndReason, InviteSession, Origin, Role, SessionState};
use nudge_tictactoe::board::Mark;
use nudge_tictactoe::game::Phase;
use nudge_tictactoe::launch::LaunchError;
use nudge_tictactoe::link::{link, LinkEnd, LinkEvent, LinkRequest};
use nudge_tictactoe::window::{NotLaunchedApp, TicTacToeApp};

const OPPONENT: &str = "bob@example.org";

struct Table {
    harness: Harness<'static, TicTacToeApp>,
    link: LinkEnd,
}

fn session() -> InviteSession {
    InviteSession {
        id: "0b6f1a3e-5c2d-4e8f-9a1b-2c3d4e5f6a7b".into(),
        role: Role::Inviter,
        origin: Origin::Menu,
        app_guid: nudge_tictactoe::APP_GUID.into(),
        app_name: "Tic-Tac-Toe".into(),
        download_url: nudge_tictactoe::DOWNLOAD_URL.into(),
        peer: OPPONENT.into(),
        state: SessionState::Connected,
        context: None,
        local_address: None,
        remote_address: None,
        app_present: true,
        end_reason: None,
        end_text: None,
        created_ms: 1_767_225_780_000,
    }
}

impl Table {
    /// A window on `role`'s side, before Nudge has answered.
    fn new(role: Role) -> Self {
        let (window_link, link) = link(Arc::new(|| {}));
        let harness = Harness::builder()
            .with_size(egui::vec2(340.0, 480.0))
            .build_eframe(move |creation| {
                nudge_tictactoe::theme::apply(&creation.egui_ctx);
                TicTacToeApp::new(role, "the env's opponent", window_link)
            });
        Self { harness, link }
    }

    /// A window whose link is up and whose opponent has said hello; the hellos are consumed.
    fn playing(role: Role) -> Self {
        let mut table = Self::new(role);
        table.report(LinkEvent::Joined {
            session: Box::new(session()),
        });
        table.opponent_says("tictactoe/1 hello");
        assert_eq!(
            table.sent(),
            vec![hello(), hello()],
            "our hello, then the answer to theirs"
        );
        table
    }

    fn report(&mut self, event: LinkEvent) {
        assert!(self.link.emit(event));
        self.harness.run();
    }

    fn opponent_says(&mut self, data: &str) {
        self.report(LinkEvent::Data(data.into()));
    }

    fn sent(&mut self) -> Vec<LinkRequest> {
        std::iter::from_fn(|| self.link.try_request()).collect()
    }

    fn click(&mut self, label: &str) {
        self.harness.get_by_label(label).click();
        self.harness.run();
    }

    fn shows(&self, text: &str) -> bool {
        self.harness.query_by_label_contains(text).is_some()
    }

    fn cell_value(&self, n: usize) -> Option<String> {
        self.harness.get_by_label(&format!("Cell {n}")).value()
    }

    fn cell_enabled(&self, n: usize) -> bool {
        !self
            .harness
            .get_by_label(&format!("Cell {n}"))
            .accesskit_node()
            .is_disabled()
    }

    fn game(&self) -> &nudge_tictactoe::game::Game {
        self.harness.state().game()
    }
}

fn hello() -> LinkRequest {
    LinkRequest::Send("tictactoe/1 hello".into())
}

fn send(data: &str) -> LinkRequest {
    LinkRequest::Send(data.into())
}

#[test]
fn every_cell_and_button_has_a_label() {
    let mut table = Table::playing(Role::Inviter);
    for n in 1..=9 {
        assert_eq!(table.cell_value(n).as_deref(), Some("empty"), "Cell {n}");
    }
    table.harness.get_by_label("Quit");
    assert!(table.harness.query_by_label("Play again").is_none());
    assert!(table.shows(&format!("Round 1 against {OPPONENT}")));
    table.click("Cell 1");
    assert_eq!(table.cell_value(1).as_deref(), Some("X"));
}

#[test]
fn the_window_greets_the_opponent_and_waits_for_them() {
    let mut table = Table::new(Role::Inviter);
    assert!(table.shows("Connecting to Nudge…"));
    assert!(!table.cell_enabled(5));
    table.report(LinkEvent::Joined {
        session: Box::new(session()),
    });
    assert_eq!(table.sent(), vec![hello()]);
    assert!(table.shows(&format!("Waiting for {OPPONENT} to join…")));
    table.click("Cell 5");
    assert!(
        table.sent().is_empty(),
        "no move before the opponent is here"
    );
    assert_eq!(table.game().board().filled(), 0);

    table.opponent_says("tictactoe/1 hello");
    assert_eq!(table.sent(), vec![hello()]);
    assert!(table.shows("Your turn (you play X)"));
    assert!(table.cell_enabled(5));
}

#[test]
fn a_click_sends_the_move_and_passes_the_turn() {
    let mut table = Table::playing(Role::Inviter);
    table.click("Cell 5");
    assert_eq!(table.sent(), vec![send("tictactoe/1 move 4")]);
    assert_eq!(table.game().board().get(4), Some(Mark::X));
    assert_eq!(table.cell_value(5).as_deref(), Some("X"));
    assert!(table.shows(&format!("{OPPONENT}'s turn")));
    // Out of turn: every cell is disabled and clicking one sends nothing.
    assert!(!table.cell_enabled(1));
    table.click("Cell 1");
    assert!(table.sent().is_empty());
    assert_eq!(table.game().board().filled(), 1);

    table.opponent_says("tictactoe/1 move 0");
    assert_eq!(table.cell_value(1).as_deref(), Some("O"));
    assert!(table.shows("Your turn"));
    // An occupied cell is disabled and does nothing.
    assert!(!table.cell_enabled(1));
    assert!(!table.cell_enabled(5));
    table.click("Cell 1");
    assert!(table.sent().is_empty());
}

#[test]
fn the_invitee_plays_o_after_the_inviter() {
    let mut table = Table::playing(Role::Invitee);
    assert!(table.shows(&format!("{OPPONENT}'s turn (you play O)")));
    table.click("Cell 1");
    assert!(table.sent().is_empty());
    table.opponent_says("tictactoe/1 move 4");
    assert_eq!(table.cell_value(5).as_deref(), Some("X"));
    table.click("Cell 1");
    assert_eq!(table.sent(), vec![send("tictactoe/1 move 0")]);
    assert_eq!(table.cell_value(1).as_deref(), Some("O"));
}

#[test]
fn a_won_round_offers_play_again_which_needs_both() {
    let mut table = Table::playing(Role::Inviter);
    // X: 1 2 3 (cells 0 1 2), O: 4 5 (cells 3 4).
    table.click("Cell 1");
    table.opponent_says("tictactoe/1 move 3");
    table.click("Cell 2");
    table.opponent_says("tictactoe/1 move 4");
    table.click("Cell 3");
    assert_eq!(
        table.sent(),
        vec![
            send("tictactoe/1 move 0"),
            send("tictactoe/1 move 1"),
            send("tictactoe/1 move 2")
        ]
    );
    assert!(table.shows("You won!"));
    assert!(!table.cell_enabled(9), "no moves after the end");

    table.click("Play again");
    assert_eq!(table.sent(), vec![send("tictactoe/1 again")]);
    assert!(table.shows(&format!("Waiting for {OPPONENT} to play again…")));
    table.click("Play again");
    assert!(table.sent().is_empty(), "asked once");
    assert_eq!(table.game().round(), 1);

    table.opponent_says("tictactoe/1 again");
    assert_eq!(table.game().round(), 2);
    assert!(table.shows(&format!("Round 2 against {OPPONENT}")));
    assert_eq!(table.cell_value(1).as_deref(), Some("empty"));
    // Marks swap: the opponent opens round 2 with X.
    assert!(table.shows(&format!("{OPPONENT}'s turn (you play O)")));
}

#[test]
fn a_draw_is_shown() {
    let mut table = Table::playing(Role::Invitee);
    // X O X / X O O / O X X with the opponent as X.
    for (theirs, mine) in [(0, 2), (2, 5), (3, 6), (7, 7)] {
        table.opponent_says(&format!("tictactoe/1 move {theirs}"));
        table.click(&format!("Cell {mine}"));
    }
    table.opponent_says("tictactoe/1 move 8");
    assert!(table.shows("A draw."), "{:?}", table.game().phase());
    table.harness.get_by_label("Play again");
}

#[test]
fn hostile_data_is_noted_and_ignored() {
    let mut table = Table::playing(Role::Invitee);
    let megabyte = "A".repeat(1024 * 1024);
    for data in [
        "tictactoe/1 move 9",
        "tictactoe/1 move -1",
        "tictactoe/1 move 4; rm -rf ~",
        megabyte.as_str(),
    ] {
        table.opponent_says(data);
    }
    assert_eq!(table.game().board().filled(), 0);
    assert!(table.shows("Ignored a message of 1048576 bytes"));
    assert!(table.shows("\"tictactoe/1 move 4; rm -…\""));
    assert!(table.sent().is_empty());
    // And the game goes on.
    table.opponent_says("tictactoe/1 move 4");
    assert_eq!(table.cell_value(5).as_deref(), Some("X"));
}

#[test]
fn quit_ends_the_session() {
    let mut table = Table::playing(Role::Inviter);
    table.harness.get_by_label("Quit").click();
    // One frame, so its output (which `run` would step past) can be read.
    table.harness.step();
    let closing = table.harness.output().viewport_output[&egui::ViewportId::ROOT]
        .commands
        .contains(&egui::ViewportCommand::Close);
    assert!(closing, "the window closes");
    table.harness.run();
    assert_eq!(table.sent(), vec![LinkRequest::End], "ended once");
}

#[test]
fn the_opponent_leaving_is_said_and_stops_the_board() {
    let mut table = Table::playing(Role::Inviter);
    table.report(LinkEvent::Ended {
        reason: Some(EndReason::Success),
    });
    assert!(table.shows("Your opponent left."));
    assert!(!table.cell_enabled(1));
    assert!(matches!(table.game().phase(), Phase::OpponentLeft { .. }));
    table.click("Quit");
    assert_eq!(table.sent(), vec![LinkRequest::End]);
}

#[test]
fn a_lost_connection_is_said_in_plain_words() {
    let mut table = Table::playing(Role::Inviter);
    table.report(LinkEvent::Lost(
        "Lost the connection to Nudge: Nudge was closed or restarted. The game cannot go on."
            .into(),
    ));
    assert!(table.shows("Nudge was closed or restarted"));
    assert!(!table.cell_enabled(1));
}

#[test]
fn a_refused_send_is_noted() {
    let mut table = Table::playing(Role::Inviter);
    table.report(LinkEvent::SendFailed("bob@example.org is offline".into()));
    assert!(table.shows("may not have arrived: bob@example.org is offline"));
}

#[test]
fn an_idle_game_asks_for_no_repaints() {
    let mut table = Table::playing(Role::Inviter);
    table.click("Cell 5");
    for step in 0..5 {
        table.harness.step();
        let delay = table.harness.output().viewport_output[&egui::ViewportId::ROOT].repaint_delay;
        assert_eq!(delay, Duration::MAX, "idle step {step} asked for a repaint");
    }
}

#[test]
fn started_by_hand_it_explains_how_to_play() {
    let harness = Harness::builder()
        .with_size(egui::vec2(340.0, 480.0))
        .build_eframe(|_| NotLaunchedApp::new(LaunchError::NotLaunched));
    assert!(harness
        .query_by_label_contains("This game is started by Nudge")
        .is_some());
    assert!(harness
        .query_by_label_contains("nudge apps register --guid")
        .is_some());
    harness.get_by_label("Close");
}

#[test]
fn incomplete_launch_settings_are_named() {
    let harness = Harness::builder()
        .with_size(egui::vec2(340.0, 480.0))
        .build_eframe(|_| NotLaunchedApp::new(LaunchError::Missing("NUDGE_COOKIE")));
    assert!(harness.query_by_label_contains("NUDGE_COOKIE").is_some());
}
