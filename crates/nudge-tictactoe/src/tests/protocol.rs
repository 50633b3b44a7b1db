use crate::protocol::{excerpt, Message, ParseError, MAX_MESSAGE_BYTES};

#[test]
fn every_message_reads_back_as_itself() {
    let mut messages = vec![Message::Hello, Message::Again];
    messages.extend((0..9).map(Message::Move));
    for message in messages {
        let text = message.to_string();
        assert!(text.len() <= MAX_MESSAGE_BYTES);
        assert_eq!(Message::parse(&text), Ok(message), "{text}");
    }
}

#[test]
fn the_wire_form_is_the_documented_one() {
    assert_eq!(Message::Move(4).to_string(), "tictactoe/1 move 4");
    assert_eq!(Message::Hello.to_string(), "tictactoe/1 hello");
    assert_eq!(Message::Again.to_string(), "tictactoe/1 again");
}

#[test]
fn cells_out_of_range_or_oddly_written_are_unknown() {
    for data in [
        "tictactoe/1 move 9",
        "tictactoe/1 move -1",
        "tictactoe/1 move 10",
        "tictactoe/1 move 04",
        "tictactoe/1 move +4",
        "tictactoe/1 move  4",
        "tictactoe/1 move 4 ",
        "tictactoe/1 move",
        "tictactoe/1 move ",
        "tictactoe/1 move x",
        "tictactoe/1 move ٤", // an Arabic-Indic four is a digit, but not ours
        "tictactoe/1 move 4; rm -rf /",
        "tictactoe/1 move 4\n",
        "tictactoe/1 move 4\0",
        "tictactoe/1 MOVE 4",
        "tictactoe/1 again again",
        "tictactoe/1 hello ",
        "tictactoe/1 ",
        "tictactoe/1",
    ] {
        let parsed = Message::parse(data);
        assert!(
            matches!(
                parsed,
                Err(ParseError::Unknown(_)) | Err(ParseError::NotTicTacToe(_))
            ),
            "{data:?} gave {parsed:?}"
        );
    }
}

#[test]
fn untagged_and_hostile_data_is_not_tictactoe() {
    for data in [
        "",
        " ",
        "move 4",
        "again",
        "move 4; rm -rf ~",
        "$(reboot)",
        "\"; DROP TABLE moves; --",
        "TICTACTOE/1 move 4",
        " tictactoe/1 move 4",
        "tictactoe/1\tmove 4",
        "tictactoe/ move 4",
        "tictactoe/1a move 4",
        "tictactoe/-1 move 4",
    ] {
        assert!(
            matches!(Message::parse(data), Err(ParseError::NotTicTacToe(_))),
            "{data:?}"
        );
    }
}

#[test]
fn another_version_is_named_as_such() {
    assert_eq!(
        Message::parse("tictactoe/2 move 4"),
        Err(ParseError::OtherVersion("\"tictactoe/2\"".into()))
    );
    assert!(matches!(
        Message::parse("tictactoe/10 anything at all"),
        Err(ParseError::OtherVersion(_))
    ));
}

#[test]
fn long_data_is_refused_by_length_before_it_is_read() {
    let megabyte = "tictactoe/1 move 4".to_string() + &" ".repeat(1024 * 1024);
    assert_eq!(
        Message::parse(&megabyte),
        Err(ParseError::TooLong(megabyte.len()))
    );
    let just_over = "x".repeat(MAX_MESSAGE_BYTES + 1);
    assert_eq!(
        Message::parse(&just_over),
        Err(ParseError::TooLong(MAX_MESSAGE_BYTES + 1))
    );
}

#[test]
fn excerpts_are_short_quoted_and_printable() {
    assert_eq!(excerpt("move 4"), "\"move 4\"");
    assert_eq!(excerpt("a\nb\u{1b}[2J"), "\"a\\nb\\u{1b}[2J\"");
    let long = excerpt(&"é".repeat(1000));
    assert_eq!(long, format!("\"{}…\"", "é".repeat(24)));
    assert!(!excerpt("\u{202e}evil").contains('\u{202e}'));
}

#[test]
fn refusals_quote_the_data_briefly() {
    let error = Message::parse("tictactoe/1 move 4; rm -rf /").expect_err("refused");
    let words = error.to_string();
    assert!(words.contains("\"tictactoe/1 move 4; rm -…\""), "{words}");
}
