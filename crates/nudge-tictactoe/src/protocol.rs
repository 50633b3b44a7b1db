//! The move protocol: what the two copies of the game say to each other as context data.
//!
//! Every message is one short line of ASCII: the version tag, a space, and a verb, e.g.
//! `tictactoe/1 move 4`. Parsing is strict (exact spelling, one space, no extra text) and
//! bounded, because the other side is a program we do not control. `docs/tictactoe.md` is the
//! reference.

use std::fmt;

use super::board::CELLS;

/// The tag every message starts with; a later, incompatible protocol changes the number.
pub const VERSION_TAG: &str = "tictactoe/1";

/// The longest message we look at; anything longer is refused before it is read.
pub const MAX_MESSAGE_BYTES: usize = 64;

/// How many characters of a refused message are shown to the user.
const EXCERPT_CHARS: usize = 24;

/// One message between the two copies of the game.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Message {
    /// "I am here and listening": sent once at start and once in answer to the first hello.
    Hello,
    /// "I put my mark in this cell" (0 to 8, row by row from the top left).
    Move(usize),
    /// "I want to play another round."
    Again,
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Hello => write!(f, "{VERSION_TAG} hello"),
            Self::Move(cell) => write!(f, "{VERSION_TAG} move {cell}"),
            Self::Again => write!(f, "{VERSION_TAG} again"),
        }
    }
}

/// Why received data is not a message of this protocol.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Longer than [`MAX_MESSAGE_BYTES`].
    #[error("a message of {0} bytes, far longer than any move")]
    TooLong(usize),
    /// Not tagged as Tic-Tac-Toe at all.
    #[error("something that is not a Tic-Tac-Toe message: {0}")]
    NotTicTacToe(String),
    /// Tagged with a version this program does not speak.
    #[error(
        "a message from a different version of the game ({0}); both players need the same version"
    )]
    OtherVersion(String),
    /// Our version, but not a message we know.
    #[error("a message this game does not understand: {0}")]
    Unknown(String),
}

impl Message {
    /// Reads one message, strictly: exactly `tictactoe/1 hello`, `tictactoe/1 again` or
    /// `tictactoe/1 move N` with N a single digit 0 to 8.
    pub fn parse(data: &str) -> Result<Self, ParseError> {
        if data.len() > MAX_MESSAGE_BYTES {
            return Err(ParseError::TooLong(data.len()));
        }
        let Some((tag, verb)) = data.split_once(' ') else {
            return Err(unrecognised(data));
        };
        if tag != VERSION_TAG {
            return Err(unrecognised(data));
        }
        match verb {
            "hello" => Ok(Self::Hello),
            "again" => Ok(Self::Again),
            _ => match verb.strip_prefix("move ").and_then(cell_number) {
                Some(cell) => Ok(Self::Move(cell)),
                None => Err(ParseError::Unknown(excerpt(data))),
            },
        }
    }
}

/// Tells a message of another version from something else entirely.
fn unrecognised(data: &str) -> ParseError {
    let tag = data.split(' ').next().unwrap_or_default();
    if tag == VERSION_TAG {
        return ParseError::Unknown(excerpt(data));
    }
    match tag.strip_prefix("tictactoe/") {
        Some(version) if !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()) => {
            ParseError::OtherVersion(excerpt(tag))
        }
        _ => ParseError::NotTicTacToe(excerpt(data)),
    }
}

/// A cell number: exactly one ASCII digit below [`CELLS`] (so no signs, spaces or `04`).
fn cell_number(text: &str) -> Option<usize> {
    match text.as_bytes() {
        [digit @ b'0'..=b'9'] => Some(usize::from(digit - b'0')).filter(|&cell| cell < CELLS),
        _ => None,
    }
}

/// A short, printable, quoted form of untrusted text for a note in the window.
pub fn excerpt(data: &str) -> String {
    let mut shown: String = data
        .chars()
        .take(EXCERPT_CHARS)
        .flat_map(char::escape_debug)
        .collect();
    if data.chars().nth(EXCERPT_CHARS).is_some() {
        shown.push('…');
    }
    format!("\"{shown}\"")
}
