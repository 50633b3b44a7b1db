//! Validating addresses the user typed.

use crate::xmpp::address::{parse_bare, AddressError};

#[test]
fn valid_addresses_are_normalised() {
    let cases = [
        ("bob@example.net", "bob@example.net"),
        ("  Bob@Example.NET  ", "bob@example.net"),
        ("xmpp:bob@example.net", "bob@example.net"),
        ("bob@example.net/phone", "bob@example.net"),
        ("bob@localhost", "bob@localhost"),
        ("josé@example.net", "josé@example.net"),
    ];
    for (typed, expected) in cases {
        assert_eq!(
            parse_bare(typed).map(|j| j.to_string()),
            Ok(expected.to_owned()),
            "{typed}"
        );
    }
}

#[test]
fn invalid_addresses_say_why() {
    let long_name = format!("{}@example.net", "a".repeat(1024));
    let long_domain = format!("bob@{}.example", "d".repeat(1100));
    let huge = "x".repeat(100_000);
    let cases: [(&str, AddressError); 12] = [
        ("", AddressError::Empty),
        ("   ", AddressError::Empty),
        ("xmpp:", AddressError::Empty),
        ("bob", AddressError::MissingAt),
        ("example.net", AddressError::MissingAt),
        ("@example.net", AddressError::MissingName),
        ("bob@", AddressError::MissingServer),
        ("bob@@example.net", AddressError::TooManyAts),
        ("bob smith@example.net", AddressError::BadCharacters),
        ("bob@exa mple.net", AddressError::BadCharacters),
        (&long_name, AddressError::TooLong),
        (&huge, AddressError::TooLong),
    ];
    for (typed, expected) in cases {
        assert_eq!(
            parse_bare(typed),
            Err(expected),
            "{}",
            &typed[..typed.len().min(40)]
        );
    }
    assert_eq!(parse_bare(&long_domain), Err(AddressError::TooLong));
    assert_eq!(
        parse_bare("bob@exa\u{7}mple.net"),
        Err(AddressError::BadCharacters)
    );
    assert_eq!(
        parse_bare("b\"o<b>@example.net"),
        Err(AddressError::BadCharacters)
    );
}

#[test]
fn errors_read_as_advice() {
    assert_eq!(
        AddressError::MissingAt.to_string(),
        "an address looks like name@example.org; this one has no @"
    );
}
