//! Hostile values: refused when building and when reading, or kept literally.

use super::{alice_device, arriving, arriving_iq, bob_device, invitation, GUID, SID};
use crate::xmpp::invite::{
    classify_jingle, classify_message, propose, session_accept, session_info, session_initiate,
    validate_download_url, validate_guid, validate_sid, Invitation, InviteError, InviteFact,
    MAX_ADDRESS_CHARS, MAX_CONTEXT_BYTES, MAX_NAME_CHARS, MAX_URL_LEN,
};
use crate::xmpp::tests::{message, own};

/// What alice reads from a propose XML whose description has these attributes and children.
fn read_propose(attrs: &str, children: &str) -> Vec<InviteFact> {
    let xml = format!("<message xmlns='jabber:client' from='bob@example.net/laptop' to='alice@example.org' type='chat'><propose xmlns='urn:xmpp:jingle-message:0' id='{SID}'><description xmlns='urn:nudge:session-invite:0' {attrs}>{children}</description></propose></message>");
    classify_message(message(&xml), &own())
}

/// The error a propose with this description gives, which must be reported as invalid.
fn refused(attrs: &str, children: &str) -> InviteError {
    match read_propose(attrs, children).as_slice() {
        [InviteFact::Invalid { error, .. }] => error.clone(),
        other => panic!("{attrs} {children}: expected Invalid, got {other:?}"),
    }
}

/// Description attributes with one of them replaced.
fn attrs(guid: &str, name: &str, download: &str) -> String {
    format!("guid='{guid}' name='{name}' download='{download}'")
}

const URL: &str = "https://apps.example.com/chess";

#[test]
fn guids_must_be_braced_capital_hex() {
    let good = [GUID, "{00000000-0000-0000-0000-000000000000}"];
    for guid in good {
        assert_eq!(validate_guid(guid), Ok(()), "{guid}");
    }
    let bad = [
        "",
        "6B29FC40-CA47-1067-B31D-00DD010662DA",
        "{6b29fc40-ca47-1067-b31d-00dd010662da}",
        "{6B29FC40-CA47-1067-B31D-00DD010662D}",
        "{6B29FC40-CA47-1067-B31D-00DD010662DAA}",
        "{6B29FC40CA47-1067-B31D-00DD010662DA-}",
        "{6B29FC40-CA47-1067-B31D-00DD010662DG}",
        "{6B29FC40-CA47-1067-B31D-00DD010662DA};rm",
        "{$(reboot)-CA47-1067-B31D-00DD010662DA}",
        "{6B29FC40-CA47-1067-B31D-00DD010662DA}\n",
    ];
    for guid in bad {
        assert!(
            matches!(validate_guid(guid), Err(InviteError::BadGuid { .. })),
            "{guid:?}"
        );
        let built = propose(
            &own(),
            &Invitation {
                guid: guid.into(),
                ..invitation()
            },
        );
        assert!(built.is_err(), "{guid:?} was sent");
    }
    let lower = "{6b29fc40-ca47-1067-b31d-00dd010662da}";
    assert!(matches!(
        refused(&attrs(lower, "Chess", URL), ""),
        InviteError::BadGuid { .. }
    ));
}

#[test]
fn download_urls_must_be_plain_https() {
    let good = [
        "https://example.com",
        "https://example.com/",
        "HTTPS://example.com/x",
        "https://apps.example.com:8443/chess/get?os=linux&arch=x86_64#latest",
        "https://[2001:db8::1]:443/app",
        "https://xn--bcher-kva.example/app",
        "https://example.com/a%20b;v=1",
    ];
    for url in good {
        assert_eq!(validate_download_url(url), Ok(()), "{url}");
    }
    let long = format!("https://example.com/{}", "a".repeat(MAX_URL_LEN));
    let bad = [
        "",
        "javascript:alert(1)",
        "JavaScript://example.com/%0Aalert(1)",
        "http://example.com/app",
        "file:///etc/passwd",
        "ftp://example.com/app",
        "data:text/html,<script>",
        "example.com/app",
        "//example.com/app",
        "https://",
        "https:///path",
        "https://example.com/a b",
        "https://example.com/\napp",
        "https://example.com/\u{7}",
        " https://example.com",
        "https://good.example@evil.example/",
        "https://exämple.com/",
        "https://example.com:port/",
        "https://example.com:/",
        "https://-bad-.example/",
        "https://bad..example/",
        "https://example.com/<script>",
        "https://example.com/\"quoted\"",
        "https://example.com\\@evil.example",
        &long,
    ];
    for url in bad {
        assert!(
            matches!(
                validate_download_url(url),
                Err(InviteError::BadDownloadUrl { .. })
            ),
            "{url:?} was accepted"
        );
        let built = propose(
            &own(),
            &Invitation {
                download_url: url.into(),
                ..invitation()
            },
        );
        assert!(built.is_err(), "{url:?} was sent");
    }
    for url in [
        "javascript:alert(1)",
        "http://example.com/app",
        "file:///etc/passwd",
    ] {
        assert!(
            matches!(
                refused(&attrs(GUID, "Chess", url), ""),
                InviteError::BadDownloadUrl { .. }
            ),
            "{url} was read"
        );
    }
}

#[test]
fn a_megabyte_of_context_is_refused_both_ways() {
    let huge = "A".repeat(1024 * 1024);
    let sending = Invitation {
        context: Some(huge.clone()),
        ..invitation()
    };
    assert_eq!(
        propose(&own(), &sending).unwrap_err(),
        InviteError::ContextTooLarge {
            bytes: huge.len(),
            max: MAX_CONTEXT_BYTES
        }
    );
    assert!(session_initiate("i", &bob_device(), &alice_device(), &sending).is_err());
    assert!(session_info("i", &bob_device(), SID, &huge).is_err());
    let read = refused(
        &attrs(GUID, "Chess", URL),
        &format!("<context>{huge}</context>"),
    );
    assert!(matches!(read, InviteError::ContextTooLarge { .. }));
    let info = format!("<iq xmlns='jabber:client' from='bob@example.net/laptop' type='set' id='x'><jingle xmlns='urn:xmpp:jingle:1' action='session-info' sid='{SID}'><context xmlns='urn:nudge:session-invite:0'>{huge}</context></jingle></iq>");
    let read = classify_jingle(&crate::xmpp::tests::iq(&info)).unwrap();
    assert!(matches!(read, Err(InviteError::ContextTooLarge { .. })));
}

#[test]
fn the_context_limit_is_exact_and_counts_bytes() {
    let at_limit = "é".repeat(MAX_CONTEXT_BYTES / 2);
    assert_eq!(at_limit.len(), MAX_CONTEXT_BYTES);
    let stanza = session_info("i", &bob_device(), SID, &at_limit).unwrap();
    let read = classify_jingle(&arriving_iq(stanza, "bob@example.net/laptop")).unwrap();
    assert!(read.is_ok());
    let over = format!("{at_limit}x");
    assert_eq!(
        session_info("i", &bob_device(), SID, &over).unwrap_err(),
        InviteError::ContextTooLarge {
            bytes: MAX_CONTEXT_BYTES + 1,
            max: MAX_CONTEXT_BYTES
        }
    );
}

#[test]
fn characters_xml_cannot_carry_are_refused_before_serialising() {
    // minidom panics while writing these; the builders must refuse them first.
    for bad in ["nul\0byte", "bell\u{7}", "esc\u{1b}[31m", "\u{FFFF}"] {
        let context = Invitation {
            context: Some(bad.into()),
            ..invitation()
        };
        assert_eq!(
            propose(&own(), &context).unwrap_err(),
            InviteError::ForbiddenCharacters {
                what: "context data"
            },
            "{bad:?}"
        );
        assert!(
            session_info("i", &bob_device(), SID, bad).is_err(),
            "{bad:?}"
        );
    }
}

#[test]
fn names_are_one_line_but_otherwise_literal() {
    let literal = [
        "Chess; rm -rf ~",
        "$(reboot)",
        "`id`",
        "\"double\" and 'single'",
        "<b>&amp;</b>",
        "Échecs ♞",
    ];
    for name in literal {
        let sent = Invitation {
            name: name.into(),
            ..invitation()
        };
        let facts = classify_message(
            arriving(propose(&own(), &sent).unwrap(), "bob@example.net/laptop"),
            &own(),
        );
        assert_eq!(
            facts,
            vec![InviteFact::Proposed {
                from: bob_device(),
                invitation: sent
            }],
            "{name}"
        );
    }
    let too_long = "n".repeat(MAX_NAME_CHARS + 1);
    let cases = [
        (
            "two\nlines",
            InviteError::ForbiddenCharacters {
                what: "application name",
            },
        ),
        (
            "tab\there",
            InviteError::ForbiddenCharacters {
                what: "application name",
            },
        ),
        (
            "c1\u{85}",
            InviteError::ForbiddenCharacters {
                what: "application name",
            },
        ),
        (
            // "Viewer" whose last letters read backwards: the right-to-left override.
            "Photo \u{202E}exe.gpj",
            InviteError::ForbiddenCharacters {
                what: "application name",
            },
        ),
        (
            "Che\u{200B}ss",
            InviteError::ForbiddenCharacters {
                what: "application name",
            },
        ),
        (
            "",
            InviteError::Empty {
                what: "application name",
            },
        ),
        (
            "   ",
            InviteError::Empty {
                what: "application name",
            },
        ),
        (
            too_long.as_str(),
            InviteError::TooLong {
                what: "application name",
                max: MAX_NAME_CHARS,
            },
        ),
    ];
    for (name, expected) in cases {
        let sent = Invitation {
            name: name.into(),
            ..invitation()
        };
        assert_eq!(propose(&own(), &sent).unwrap_err(), expected, "{name:?}");
    }
    // A newline arriving as a character reference is still a newline, and refused.
    assert_eq!(
        refused(&attrs(GUID, "two&#10;lines", URL), ""),
        InviteError::ForbiddenCharacters {
            what: "application name"
        }
    );
}

#[test]
fn addresses_are_short_single_lines() {
    let too_long = "a".repeat(MAX_ADDRESS_CHARS + 1);
    let at_limit = "a".repeat(MAX_ADDRESS_CHARS);
    assert!(propose(
        &own(),
        &Invitation {
            address: Some(at_limit),
            ..invitation()
        }
    )
    .is_ok());
    let cases = [
        (
            too_long.as_str(),
            InviteError::TooLong {
                what: "application address",
                max: MAX_ADDRESS_CHARS,
            },
        ),
        (
            "10.0.0.1\n:4000",
            InviteError::ForbiddenCharacters {
                what: "application address",
            },
        ),
    ];
    for (address, expected) in cases {
        let sent = Invitation {
            address: Some(address.into()),
            ..invitation()
        };
        assert_eq!(propose(&own(), &sent).unwrap_err(), expected.clone());
        assert_eq!(
            session_accept(
                "a",
                &bob_device(),
                &alice_device(),
                SID,
                GUID,
                Some(address)
            )
            .unwrap_err(),
            expected
        );
    }
    let read = refused(
        &attrs(GUID, "Chess", URL),
        &format!("<address>{too_long}</address>"),
    );
    assert!(matches!(read, InviteError::TooLong { .. }));
}

#[test]
fn markup_inside_context_is_refused_not_flattened() {
    let error = refused(
        &attrs(GUID, "Chess", URL),
        "<context>a<b>bold</b>c</context>",
    );
    assert!(matches!(error, InviteError::Unsupported { .. }));
}

#[test]
fn session_ids_are_restricted_to_a_safe_alphabet() {
    for sid in [SID, "abc", "a.b_c:d-e", &"a".repeat(128)] {
        assert_eq!(validate_sid(sid), Ok(()), "{sid}");
    }
    for sid in ["", "a b", "a;b", "$(id)", "a'b", "é", &"a".repeat(129)] {
        assert_eq!(validate_sid(sid), Err(InviteError::BadSid), "{sid}");
        let sent = Invitation {
            sid: sid.into(),
            ..invitation()
        };
        assert_eq!(propose(&own(), &sent).unwrap_err(), InviteError::BadSid);
    }
}

#[test]
fn errors_read_as_plain_words() {
    let cases = [
        (
            InviteError::ContextTooLarge { bytes: 1_048_576, max: MAX_CONTEXT_BYTES },
            "the context data is 1048576 bytes; at most 65536 are allowed",
        ),
        (
            InviteError::BadDownloadUrl { why: "only https addresses are allowed" },
            "the download address is not usable: only https addresses are allowed",
        ),
        (
            InviteError::BadGuid { found: "x".into() },
            "the application id \"x\" is not a GUID like {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX} in capital letters",
        ),
    ];
    for (error, words) in cases {
        assert_eq!(error.to_string(), words);
    }
}
