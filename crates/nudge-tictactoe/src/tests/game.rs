use crate::board::{Mark, Outcome, PlaceError};
use crate::game::{Game, Phase, Refusal, MAX_NOTES};
use crate::protocol::Message;
use nudge_api::{EndReason, Role};

/// A game whose opponent has said hello, seen from `role`.
fn started(role: Role) -> Game {
    let mut game = Game::new(role, "bob@example.org");
    assert_eq!(game.joined(), Some(Message::Hello));
    assert_eq!(
        game.receive("tictactoe/1 hello"),
        vec![Message::Hello],
        "the first hello is answered"
    );
    game
}

fn wire(cell: usize) -> String {
    Message::Move(cell).to_string()
}

/// Plays a round where the inviter (X) wins on the top row: X 0, O 3, X 1, O 4, X 2.
fn inviter_wins(game: &mut Game) {
    for (cell, mine) in [(0, true), (3, false), (1, true), (4, false), (2, true)] {
        if mine == (game.my_mark() == Mark::X) {
            assert_eq!(game.click(cell), Ok(Message::Move(cell)));
        } else {
            assert!(game.receive(&wire(cell)).is_empty());
        }
    }
}

fn notes(game: &Game) -> Vec<String> {
    game.notes().map(String::from).collect()
}

#[test]
fn nothing_moves_before_nudge_is_connected() {
    let mut game = Game::new(Role::Inviter, "bob");
    assert_eq!(game.click(0), Err(Refusal::NotConnected));
    assert!(game.receive("tictactoe/1 hello").is_empty());
    assert!(game.receive(&wire(0)).is_empty());
    assert_eq!(game.board().filled(), 0);
    assert_eq!(game.status(), "Connecting to Nudge…");
    assert_eq!(game.joined(), Some(Message::Hello));
    assert_eq!(game.joined(), None, "hello is sent once");
}

#[test]
fn the_inviter_waits_for_the_opponent_before_moving() {
    let mut game = Game::new(Role::Inviter, "bob");
    game.joined();
    assert_eq!(game.status(), "Waiting for bob to join…");
    assert_eq!(game.click(4), Err(Refusal::OpponentNotHere));
    assert!(!game.my_turn());
    assert_eq!(game.receive("tictactoe/1 hello"), vec![Message::Hello]);
    assert!(game.receive("tictactoe/1 hello").is_empty(), "no ping-pong");
    assert!(game.my_turn());
    assert_eq!(game.status(), "Your turn (you play X)");
}

#[test]
fn the_inviter_plays_x_and_moves_first() {
    let mut inviter = started(Role::Inviter);
    let mut invitee = started(Role::Invitee);
    assert_eq!(inviter.my_mark(), Mark::X);
    assert_eq!(invitee.my_mark(), Mark::O);
    assert!(inviter.my_turn());
    assert!(!invitee.my_turn());
    assert_eq!(invitee.click(4), Err(Refusal::NotYourTurn));
    assert_eq!(invitee.status(), "bob@example.org's turn (you play O)");

    let sent = inviter.click(4).expect("X moves");
    assert_eq!(sent, Message::Move(4));
    assert!(invitee.receive(&sent.to_string()).is_empty());
    assert_eq!(invitee.board().get(4), Some(Mark::X));
    assert_eq!(inviter.board(), invitee.board());
    assert!(invitee.my_turn());
    assert_eq!(inviter.click(0), Err(Refusal::NotYourTurn));
}

#[test]
fn an_occupied_cell_is_refused_locally_and_remotely() {
    let mut game = started(Role::Inviter);
    game.click(4).expect("move");
    game.receive(&wire(0));
    assert_eq!(
        game.click(4),
        Err(Refusal::Cell(PlaceError::Occupied(4))),
        "taken by me"
    );
    assert_eq!(game.click(0), Err(Refusal::Cell(PlaceError::Occupied(0))));
    assert!(game.my_turn(), "a refused click keeps the turn");
    game.click(8).expect("move");
    // The opponent claims a cell that is taken: ignored, still their turn.
    assert!(game.receive(&wire(4)).is_empty());
    assert_eq!(game.board().get(4), Some(Mark::X));
    assert!(!game.my_turn());
    assert_eq!(notes(&game).len(), 1);
    assert!(
        notes(&game)[0].contains("cell 4 is already taken"),
        "{:?}",
        notes(&game)
    );
}

#[test]
fn out_of_range_clicks_are_refused() {
    let mut game = started(Role::Inviter);
    assert_eq!(game.click(9), Err(Refusal::Cell(PlaceError::OutOfRange(9))));
    assert_eq!(game.board().filled(), 0);
    assert!(game.my_turn());
}

#[test]
fn a_move_out_of_turn_from_the_opponent_is_ignored() {
    let mut game = started(Role::Inviter);
    assert!(game.receive(&wire(0)).is_empty());
    assert_eq!(game.board().filled(), 0);
    assert!(game.my_turn());
    game.click(4).expect("move");
    game.receive(&wire(0));
    // Two moves in a row from the opponent: the second is ignored.
    game.receive(&wire(1));
    assert_eq!(game.board().get(1), None);
    assert_eq!(game.board().filled(), 2);
    assert_eq!(notes(&game).len(), 2, "{:?}", notes(&game));
}

#[test]
fn hostile_and_malformed_messages_are_noted_and_change_nothing() {
    let mut game = started(Role::Invitee);
    let megabyte = "m".repeat(1024 * 1024);
    for data in [
        "tictactoe/1 move 9",
        "tictactoe/1 move -1",
        "tictactoe/1 move 4; rm -rf ~",
        "move 4",
        "",
        "\u{1b}[2J\u{7}",
        megabyte.as_str(),
        "tictactoe/2 move 4",
    ] {
        let before = game.clone();
        assert!(game.receive(data).is_empty(), "no answer to {data:?}");
        assert_eq!(game.board(), before.board());
        assert_eq!(game.phase(), before.phase());
        let last = notes(&game).pop().expect("a note");
        assert!(last.starts_with("Ignored "), "{last}");
        assert!(last.chars().count() < 200, "notes stay short: {last}");
        assert!(!last.contains('\u{1b}'), "no raw control characters");
    }
    assert_eq!(notes(&game).len(), MAX_NOTES, "notes are bounded");
    // The game still works.
    assert!(game.receive(&wire(4)).is_empty());
    assert_eq!(game.board().get(4), Some(Mark::X));
}

#[test]
fn a_thousand_bad_messages_keep_the_notes_bounded() {
    let mut game = started(Role::Inviter);
    for n in 0..1000 {
        game.receive(&format!("junk {n}"));
    }
    let kept = notes(&game);
    assert_eq!(kept.len(), MAX_NOTES);
    assert!(kept[MAX_NOTES - 1].contains("junk 999"), "{kept:?}");
}

#[test]
fn a_win_ends_the_round_for_both_sides() {
    let mut inviter = started(Role::Inviter);
    let mut invitee = started(Role::Invitee);
    inviter_wins(&mut inviter);
    inviter_wins(&mut invitee);
    let win = Outcome::Win {
        mark: Mark::X,
        line: [0, 1, 2],
    };
    for game in [&inviter, &invitee] {
        assert_eq!(
            game.phase(),
            &Phase::Over {
                outcome: win,
                i_want_again: false,
                they_want_again: false
            }
        );
        assert!(!game.my_turn());
    }
    assert_eq!(inviter.status(), "You won!");
    assert_eq!(invitee.status(), "bob@example.org won.");
    assert_eq!(inviter.click(8), Err(Refusal::RoundOver));
    // A move after the end is ignored.
    invitee.receive(&wire(8));
    assert_eq!(invitee.board().get(8), None);
}

#[test]
fn a_full_board_is_a_draw() {
    let mut game = started(Role::Inviter);
    // X O X / X O O / O X X, X moving first: X0 O1 X2 O4 X3 O5 X7 O6 X8.
    for (cell, mine) in [
        (0, true),
        (1, false),
        (2, true),
        (4, false),
        (3, true),
        (5, false),
        (7, true),
        (6, false),
        (8, true),
    ] {
        if mine {
            game.click(cell).expect("my move");
        } else {
            game.receive(&wire(cell));
        }
    }
    assert!(matches!(
        game.phase(),
        Phase::Over {
            outcome: Outcome::Draw,
            ..
        }
    ));
    assert_eq!(game.status(), "A draw.");
}

#[test]
fn play_again_needs_both_players_and_swaps_who_opens() {
    let mut game = started(Role::Inviter);
    inviter_wins(&mut game);
    assert_eq!(game.play_again(), Some(Message::Again));
    assert_eq!(game.play_again(), None, "asking twice sends once");
    assert_eq!(
        game.status(),
        "You won! Waiting for bob@example.org to play again…"
    );
    assert_eq!(game.round(), 1);
    assert!(game.receive("tictactoe/1 again").is_empty());
    assert_eq!(game.round(), 2);
    assert_eq!(game.phase(), &Phase::Playing);
    assert_eq!(game.board().filled(), 0);
    // The invitee plays X and opens round 2.
    assert_eq!(game.my_mark(), Mark::O);
    assert!(!game.my_turn());
    game.receive(&wire(4));
    assert_eq!(game.board().get(4), Some(Mark::X));
    assert!(game.my_turn());
}

#[test]
fn the_opponent_asking_first_is_shown_and_agreeing_starts_the_round() {
    let mut game = started(Role::Invitee);
    inviter_wins(&mut game);
    game.receive("tictactoe/1 again");
    assert_eq!(
        game.status(),
        "bob@example.org won. bob@example.org wants to play again."
    );
    // A repeated again changes nothing.
    game.receive("tictactoe/1 again");
    game.receive("tictactoe/1 again");
    assert_eq!(game.round(), 1);
    assert_eq!(game.play_again(), Some(Message::Again));
    assert_eq!(game.round(), 2);
    assert_eq!(game.my_mark(), Mark::X);
    assert!(game.my_turn());
}

#[test]
fn again_during_a_round_is_ignored() {
    let mut game = started(Role::Inviter);
    game.receive("tictactoe/1 again");
    game.receive("tictactoe/1 again");
    assert_eq!(game.round(), 1);
    assert_eq!(game.phase(), &Phase::Playing);
    assert_eq!(game.play_again(), None);
    assert_eq!(notes(&game).len(), 2);
    // A stale again right after a new round started does not skip it.
    inviter_wins(&mut game);
    game.play_again();
    game.receive("tictactoe/1 again");
    game.receive("tictactoe/1 again");
    assert_eq!(game.round(), 2);
    assert_eq!(game.phase(), &Phase::Playing);
}

#[test]
fn the_opponent_leaving_stops_the_game() {
    let mut game = started(Role::Inviter);
    game.click(0).expect("move");
    game.opponent_left(Some(EndReason::Success));
    assert_eq!(game.status(), "Your opponent left.");
    assert_eq!(game.click(1), Err(Refusal::GameEnded));
    assert!(game.receive(&wire(1)).is_empty());
    assert_eq!(game.board().filled(), 1);
    assert_eq!(game.play_again(), None);
    // A second report (event and snapshot both say it) keeps the first reason.
    game.opponent_left(Some(EndReason::Timeout));
    assert_eq!(game.status(), "Your opponent left.");
}

#[test]
fn a_failure_reason_is_shown_in_words() {
    let mut game = started(Role::Invitee);
    game.opponent_left(Some(EndReason::FailedApplication));
    assert_eq!(
        game.status(),
        "Your opponent left (the program could not be started)."
    );
}

#[test]
fn a_lost_connection_is_said_plainly_and_stops_the_game() {
    let mut game = started(Role::Inviter);
    game.disconnected("Lost the connection to Nudge: Nudge was closed or restarted.");
    assert_eq!(
        game.status(),
        "Lost the connection to Nudge: Nudge was closed or restarted."
    );
    assert_eq!(game.click(0), Err(Refusal::GameEnded));
    // Ending after the link is gone does not hide why.
    game.opponent_left(None);
    assert!(matches!(game.phase(), Phase::Disconnected { .. }));
}

#[test]
fn hello_after_the_game_started_is_harmless() {
    let mut game = started(Role::Inviter);
    game.click(4).expect("move");
    assert!(game.receive("tictactoe/1 hello").is_empty());
    assert_eq!(game.board().filled(), 1);
    assert!(notes(&game).is_empty());
}

/// Delivers `first`'s messages to `second` and every answer back, until both are quiet, as
/// Nudge would relay context data; returns the wire, each line marked with its sender's initial.
fn relay(
    first: (&mut Game, char),
    second: (&mut Game, char),
    from_first: Vec<Message>,
) -> Vec<String> {
    let ((first, a), (second, b)) = (first, second);
    let mut wire = Vec::new();
    let mut outgoing = from_first;
    let mut answers = Vec::new();
    while !outgoing.is_empty() || !answers.is_empty() {
        for message in std::mem::take(&mut outgoing) {
            wire.push(format!("{a}→ {message}"));
            answers.extend(second.receive(&message.to_string()));
        }
        for message in std::mem::take(&mut answers) {
            wire.push(format!("{b}→ {message}"));
            outgoing.extend(first.receive(&message.to_string()));
        }
    }
    wire
}

#[test]
fn two_copies_agree_through_the_documented_game() {
    let mut alice = Game::new(Role::Inviter, "bob");
    let mut bob = Game::new(Role::Invitee, "alice");
    // Alice's copy starts first: her hello reaches nobody.
    assert_eq!(alice.joined(), Some(Message::Hello));
    let bob_hello = bob.joined().expect("hello");
    let wire = relay((&mut bob, 'B'), (&mut alice, 'A'), vec![bob_hello]);
    assert_eq!(
        wire,
        [
            "B→ tictactoe/1 hello",
            "A→ tictactoe/1 hello",
            "B→ tictactoe/1 hello"
        ],
        "Bob's hello, Alice's answer, Bob's answer to the first hello he saw"
    );
    assert!(alice.opponent_here() && bob.opponent_here());

    for (cell, x_moves) in [
        (4, true),
        (0, false),
        (2, true),
        (6, false),
        (3, true),
        (5, false),
        (8, true),
        (7, false),
        (1, true),
    ] {
        let (mover, other) = if x_moves {
            (&mut alice, &mut bob)
        } else {
            (&mut bob, &mut alice)
        };
        let sent = mover.click(cell).expect("a legal move");
        assert!(other.receive(&sent.to_string()).is_empty());
        assert_eq!(alice.board(), bob.board());
    }
    assert_eq!(alice.status(), "A draw.");
    assert_eq!(bob.status(), "A draw.");

    let again = alice.play_again().expect("again");
    bob.receive(&again.to_string());
    let again = bob.play_again().expect("again");
    assert_eq!(bob.round(), 2);
    alice.receive(&again.to_string());
    assert_eq!(alice.round(), 2);
    assert!(bob.my_turn(), "Bob is X in round 2 and opens");
    assert_eq!(bob.my_mark(), Mark::X);
    assert!(!alice.my_turn());
}
