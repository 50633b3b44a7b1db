use crate::board::{Board, Mark, Outcome, PlaceError, CELLS, LINES};

fn board_with(cells: &[(usize, Mark)]) -> Board {
    let mut board = Board::new();
    for &(cell, mark) in cells {
        board.place(cell, mark).expect("free cell");
    }
    board
}

#[test]
fn every_line_wins_for_either_mark() {
    for line in LINES {
        for mark in [Mark::X, Mark::O] {
            let mut board = Board::new();
            board.place(line[0], mark).expect("free");
            board.place(line[1], mark).expect("free");
            assert_eq!(board.outcome(), None, "two in {line:?} is not a win");
            board.place(line[2], mark).expect("free");
            assert_eq!(board.outcome(), Some(Outcome::Win { mark, line }));
        }
    }
}

#[test]
fn a_line_of_mixed_marks_does_not_win() {
    let board = board_with(&[(0, Mark::X), (1, Mark::O), (2, Mark::X)]);
    assert_eq!(board.outcome(), None);
}

#[test]
fn lines_cover_three_rows_three_columns_and_both_diagonals() {
    assert_eq!(LINES.len(), 8);
    for cell in 0..CELLS {
        let through = LINES.iter().filter(|line| line.contains(&cell)).count();
        let expected = match cell {
            4 => 4,
            0 | 2 | 6 | 8 => 3,
            _ => 2,
        };
        assert_eq!(through, expected, "lines through cell {cell}");
    }
}

#[test]
fn a_full_board_without_a_line_is_a_draw() {
    // X O X / X O O / O X X
    use Mark::{O, X};
    let marks = [X, O, X, X, O, O, O, X, X];
    let board = board_with(&marks.iter().copied().enumerate().collect::<Vec<_>>());
    assert_eq!(board.filled(), 9);
    assert_eq!(board.outcome(), Some(Outcome::Draw));
}

#[test]
fn a_win_on_the_last_cell_is_a_win_not_a_draw() {
    // X O X / O X O / O X X: the last X completes the diagonal.
    use Mark::{O, X};
    let marks = [X, O, X, O, X, O, O, X, X];
    let board = board_with(&marks.iter().copied().enumerate().collect::<Vec<_>>());
    assert_eq!(
        board.outcome(),
        Some(Outcome::Win {
            mark: X,
            line: [0, 4, 8]
        })
    );
}

#[test]
fn taken_and_missing_cells_are_refused_and_leave_the_board_alone() {
    let mut board = board_with(&[(4, Mark::X)]);
    assert_eq!(board.place(4, Mark::O), Err(PlaceError::Occupied(4)));
    assert_eq!(board.place(9, Mark::O), Err(PlaceError::OutOfRange(9)));
    assert_eq!(
        board.place(usize::MAX, Mark::O),
        Err(PlaceError::OutOfRange(usize::MAX))
    );
    assert_eq!(board.get(4), Some(Mark::X));
    assert_eq!(board.get(9), None);
    assert_eq!(board.filled(), 1);
}

#[test]
fn marks_alternate_and_print_as_letters() {
    assert_eq!(Mark::X.other(), Mark::O);
    assert_eq!(Mark::O.other(), Mark::X);
    assert_eq!(Mark::X.to_string(), "X");
    assert_eq!(Mark::O.to_string(), "O");
}
