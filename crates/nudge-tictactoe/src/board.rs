//! The 3×3 board: marks, cells, and who (if anyone) has won.

use std::fmt;

/// The number of cells; cells are numbered 0 to 8, row by row from the top left.
pub const CELLS: usize = 9;

/// Every line of three that wins: three rows, three columns, two diagonals.
pub const LINES: [[usize; 3]; 8] = [
    [0, 1, 2],
    [3, 4, 5],
    [6, 7, 8],
    [0, 3, 6],
    [1, 4, 7],
    [2, 5, 8],
    [0, 4, 8],
    [2, 4, 6],
];

/// A player's mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mark {
    /// Crosses; X moves first in every round.
    X,
    /// Noughts.
    O,
}

impl Mark {
    /// The other player's mark.
    pub fn other(self) -> Self {
        match self {
            Self::X => Self::O,
            Self::O => Self::X,
        }
    }
}

impl fmt::Display for Mark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::X => "X",
            Self::O => "O",
        })
    }
}

/// How a finished round ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// This mark completed `line` (indexes into [`LINES`]).
    Win {
        /// The winner.
        mark: Mark,
        /// The cells of the winning line.
        line: [usize; 3],
    },
    /// Every cell is taken and nobody has three in a row.
    Draw,
}

/// Why a mark cannot be placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlaceError {
    /// There is no such cell.
    #[error("there is no cell {0}; cells are 0 to 8")]
    OutOfRange(usize),
    /// Someone already played there.
    #[error("cell {0} is already taken")]
    Occupied(usize),
}

/// The nine cells.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Board {
    cells: [Option<Mark>; CELLS],
}

impl Board {
    /// An empty board.
    pub fn new() -> Self {
        Self::default()
    }

    /// The mark in `cell`, `None` when it is empty or out of range.
    pub fn get(&self, cell: usize) -> Option<Mark> {
        self.cells.get(cell).copied().flatten()
    }

    /// Puts `mark` in an empty `cell`.
    pub fn place(&mut self, cell: usize, mark: Mark) -> Result<(), PlaceError> {
        let slot = self
            .cells
            .get_mut(cell)
            .ok_or(PlaceError::OutOfRange(cell))?;
        if slot.is_some() {
            return Err(PlaceError::Occupied(cell));
        }
        *slot = Some(mark);
        Ok(())
    }

    /// How many cells hold a mark.
    pub fn filled(&self) -> usize {
        self.cells.iter().filter(|cell| cell.is_some()).count()
    }

    /// The outcome once the round is over, `None` while it goes on.
    pub fn outcome(&self) -> Option<Outcome> {
        for line in LINES {
            if let Some(mark) = self.cells[line[0]] {
                if line.iter().all(|&cell| self.cells[cell] == Some(mark)) {
                    return Some(Outcome::Win { mark, line });
                }
            }
        }
        (self.filled() == CELLS).then_some(Outcome::Draw)
    }
}
