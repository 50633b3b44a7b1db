//! The game's state machine: local clicks and the opponent's messages in, messages to send and
//! words to show out. No IO here; the window and the API link drive it.

use std::collections::VecDeque;

use super::board::{Board, Mark, Outcome, PlaceError};
use super::protocol::Message;
use nudge_api::{EndReason, Role};

/// How many notes the window keeps (a hostile opponent cannot grow the list).
pub const MAX_NOTES: usize = 4;

/// Where the game is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Connecting to Nudge and unlocking the session.
    Connecting,
    /// A round is on (or about to start, while the opponent has not said hello yet).
    Playing,
    /// The round ended; both must agree before another starts.
    Over {
        /// How it ended.
        outcome: Outcome,
        /// This player asked for another round.
        i_want_again: bool,
        /// The opponent asked for another round.
        they_want_again: bool,
    },
    /// The opponent ended the session.
    OpponentLeft {
        /// Why, when Nudge said.
        reason: Option<EndReason>,
    },
    /// The link to Nudge is gone (or never came up); the sentence says why in plain words.
    Disconnected {
        /// What happened, as a full sentence.
        message: String,
    },
}

/// Why a click did nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Still connecting to Nudge.
    #[error("the game is still connecting to Nudge")]
    NotConnected,
    /// The opponent's copy of the game has not said hello yet.
    #[error("your opponent has not joined yet")]
    OpponentNotHere,
    /// It is the opponent's move.
    #[error("it is not your turn")]
    NotYourTurn,
    /// No round is on.
    #[error("the round is over")]
    RoundOver,
    /// The session ended or the link to Nudge is gone.
    #[error("the game has ended")]
    GameEnded,
    /// The cell is taken or does not exist.
    #[error("{0}")]
    Cell(#[from] PlaceError),
}

/// One game session between this player and the opponent, over any number of rounds.
#[derive(Clone, Debug)]
pub struct Game {
    role: Role,
    opponent: String,
    round: u32,
    board: Board,
    turn: Mark,
    opponent_here: bool,
    phase: Phase,
    notes: VecDeque<String>,
}

impl Game {
    /// A game on this side of the invitation against `opponent` (a name or JID to show).
    pub fn new(role: Role, opponent: impl Into<String>) -> Self {
        Self {
            role,
            opponent: opponent.into(),
            round: 1,
            board: Board::new(),
            turn: Mark::X,
            opponent_here: false,
            phase: Phase::Connecting,
            notes: VecDeque::new(),
        }
    }

    /// The link to Nudge is up and subscribed: the game starts and greets the opponent.
    pub fn joined(&mut self) -> Option<Message> {
        if self.phase != Phase::Connecting {
            return None;
        }
        self.phase = Phase::Playing;
        Some(Message::Hello)
    }

    /// The user clicked `cell`: the move to send, or why nothing happened.
    pub fn click(&mut self, cell: usize) -> Result<Message, Refusal> {
        match self.phase {
            Phase::Connecting => return Err(Refusal::NotConnected),
            Phase::Over { .. } => return Err(Refusal::RoundOver),
            Phase::OpponentLeft { .. } | Phase::Disconnected { .. } => {
                return Err(Refusal::GameEnded)
            }
            Phase::Playing => {}
        }
        if !self.opponent_here {
            return Err(Refusal::OpponentNotHere);
        }
        if self.turn != self.my_mark() {
            return Err(Refusal::NotYourTurn);
        }
        self.play(cell, self.my_mark())?;
        Ok(Message::Move(cell))
    }

    /// The user asked for another round: the message to send, if it is news.
    pub fn play_again(&mut self) -> Option<Message> {
        let Phase::Over {
            i_want_again,
            they_want_again,
            ..
        } = &mut self.phase
        else {
            return None;
        };
        if *i_want_again {
            return None;
        }
        *i_want_again = true;
        if *they_want_again {
            self.next_round();
        }
        Some(Message::Again)
    }

    /// Context data from the opponent: checked, applied if it fits, else noted and ignored.
    /// Returns the messages to send in answer.
    pub fn receive(&mut self, data: &str) -> Vec<Message> {
        if !matches!(self.phase, Phase::Playing | Phase::Over { .. }) {
            return Vec::new();
        }
        let message = match Message::parse(data) {
            Ok(message) => message,
            Err(error) => {
                self.note(format!("Ignored {error}."));
                return Vec::new();
            }
        };
        match message {
            Message::Hello if !self.opponent_here => {
                self.opponent_here = true;
                vec![Message::Hello]
            }
            Message::Hello => Vec::new(),
            Message::Move(cell) => {
                self.opponent_moved(cell);
                Vec::new()
            }
            Message::Again => {
                self.opponent_wants_again();
                Vec::new()
            }
        }
    }

    /// Nudge reported that the session ended (the opponent quit, or it failed).
    pub fn opponent_left(&mut self, reason: Option<EndReason>) {
        if !matches!(
            self.phase,
            Phase::OpponentLeft { .. } | Phase::Disconnected { .. }
        ) {
            self.phase = Phase::OpponentLeft { reason };
        }
    }

    /// The link to Nudge failed; `message` says why in a full sentence.
    pub fn disconnected(&mut self, message: impl Into<String>) {
        if !matches!(self.phase, Phase::OpponentLeft { .. }) {
            self.phase = Phase::Disconnected {
                message: message.into(),
            };
        }
    }

    /// Adds a line to the notes under the board, dropping the oldest beyond [`MAX_NOTES`].
    pub fn note(&mut self, text: impl Into<String>) {
        if self.notes.len() == MAX_NOTES {
            self.notes.pop_front();
        }
        self.notes.push_back(text.into());
    }

    /// Sets the name shown for the opponent (Nudge's session knows it better than the
    /// environment).
    pub fn set_opponent(&mut self, opponent: impl Into<String>) {
        self.opponent = opponent.into();
    }

    /// The mark this player has in the current round: the inviter plays X in odd rounds, and
    /// the marks swap every round so each player opens every other round.
    pub fn my_mark(&self) -> Mark {
        if (self.role == Role::Inviter) == (self.round % 2 == 1) {
            Mark::X
        } else {
            Mark::O
        }
    }

    /// Whether a click on an empty cell would be a move now.
    pub fn my_turn(&self) -> bool {
        self.phase == Phase::Playing && self.opponent_here && self.turn == self.my_mark()
    }

    /// The board of the current round.
    pub fn board(&self) -> &Board {
        &self.board
    }

    /// Where the game is.
    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// The round number, from 1.
    pub fn round(&self) -> u32 {
        self.round
    }

    /// Whether the opponent's copy of the game has said hello.
    pub fn opponent_here(&self) -> bool {
        self.opponent_here
    }

    /// The name shown for the opponent.
    pub fn opponent(&self) -> &str {
        &self.opponent
    }

    /// Notes about ignored messages and other hiccups, oldest first.
    pub fn notes(&self) -> impl Iterator<Item = &str> {
        self.notes.iter().map(String::as_str)
    }

    /// The one line that tells the player where the game is.
    pub fn status(&self) -> String {
        let opponent = &self.opponent;
        match &self.phase {
            Phase::Connecting => "Connecting to Nudge…".into(),
            Phase::Playing if !self.opponent_here => format!("Waiting for {opponent} to join…"),
            Phase::Playing if self.turn == self.my_mark() => {
                format!("Your turn (you play {})", self.my_mark())
            }
            Phase::Playing => format!("{opponent}'s turn (you play {})", self.my_mark()),
            Phase::Over {
                outcome,
                i_want_again,
                they_want_again,
            } => {
                let result = match outcome {
                    Outcome::Win { mark, .. } if *mark == self.my_mark() => "You won!".into(),
                    Outcome::Win { .. } => format!("{opponent} won."),
                    Outcome::Draw => "A draw.".into(),
                };
                match (i_want_again, they_want_again) {
                    (true, false) => format!("{result} Waiting for {opponent} to play again…"),
                    (false, true) => format!("{result} {opponent} wants to play again."),
                    _ => result,
                }
            }
            Phase::OpponentLeft { reason } => match reason {
                Some(reason) if *reason != EndReason::Success && *reason != EndReason::Cancel => {
                    format!("Your opponent left ({}).", reason.describe())
                }
                _ => "Your opponent left.".into(),
            },
            Phase::Disconnected { message } => message.clone(),
        }
    }

    fn opponent_moved(&mut self, cell: usize) {
        if !matches!(self.phase, Phase::Playing) {
            self.note(format!(
                "Ignored a move to cell {} from {} after the round ended.",
                cell + 1,
                self.opponent
            ));
            return;
        }
        if self.turn == self.my_mark() {
            self.note(format!(
                "Ignored a move to cell {} from {}: it is your turn.",
                cell + 1,
                self.opponent
            ));
            return;
        }
        // A move is only sent after our hello was seen, so the opponent is evidently here.
        self.opponent_here = true;
        if let Err(error) = self.play(cell, self.my_mark().other()) {
            self.note(format!("Ignored a move from {}: {error}.", self.opponent));
        }
    }

    fn opponent_wants_again(&mut self) {
        let Phase::Over {
            i_want_again,
            they_want_again,
            ..
        } = &mut self.phase
        else {
            let text = format!(
                "Ignored a request from {} to play again: the round is not over.",
                self.opponent
            );
            self.note(text);
            return;
        };
        *they_want_again = true;
        if *i_want_again {
            self.next_round();
        }
    }

    /// Places `mark`, passes the turn and ends the round when it is decided.
    fn play(&mut self, cell: usize, mark: Mark) -> Result<(), PlaceError> {
        self.board.place(cell, mark)?;
        self.turn = mark.other();
        if let Some(outcome) = self.board.outcome() {
            self.phase = Phase::Over {
                outcome,
                i_want_again: false,
                they_want_again: false,
            };
        }
        Ok(())
    }

    fn next_round(&mut self) {
        self.round += 1;
        self.board = Board::new();
        self.turn = Mark::X;
        self.phase = Phase::Playing;
    }
}
