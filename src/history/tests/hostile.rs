//! Files that are malformed, cut short, huge, not UTF-8 or trying entity tricks: each is
//! refused with the line named, and nothing is added.

use super::{options, read};
use crate::history::{import_file, HistoryError, ImportError, MAX_IMPORT_BYTES};
use crate::store::Store;

const MESSAGE: &str = r#"<Message DateTime="2008-03-14T20:04:11.123Z"><From><User FriendlyName="Alice"/></From><To><User FriendlyName="Bob"/></To><Text>hi</Text></Message>"#;

fn log(body: &str) -> String {
    format!("<?xml version=\"1.0\"?>\n<Log>\n{MESSAGE}\n{body}\n</Log>\n")
}

#[test]
fn hostile_and_broken_files_are_refused_naming_the_line() {
    let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE Log [\n <!ENTITY lol \"lol\">\n \
                  <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n]>\n\
                  <Log><Message><Text>&lol2;</Text></Message></Log>\n"
        .to_string();
    let external =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE Log SYSTEM \"file:///etc/passwd\">\n<Log/>\n"
            .to_string();
    let truncated = log(MESSAGE);
    let truncated = truncated[..truncated.len() - 40].to_string();
    let cases: Vec<(&str, Vec<u8>, usize, &str)> = vec![
        ("billion laughs", laughs.into_bytes(), 2, "document type"),
        ("external DTD", external.into_bytes(), 2, "document type"),
        (
            "undeclared entity",
            log("<Message><Text>&xxe;</Text></Message>").into_bytes(),
            4,
            "&xxe;",
        ),
        (
            "entity in an attribute",
            log(r#"<Message DateTime="&xxe;"><Text>x</Text></Message>"#).into_bytes(),
            4,
            "entities",
        ),
        ("cut short", truncated.into_bytes(), 4, "cut short"),
        (
            "mismatched end tag",
            log("<Message><Text>hi</Txet></Message>").into_bytes(),
            4,
            "malformed",
        ),
        (
            "unreadable date",
            log(r#"<Message DateTime="2008-02-31T25:00:00Z"><From><User FriendlyName="Bob"/></From><Text>x</Text></Message>"#)
                .into_bytes(),
            4,
            "DateTime=\"2008-02-31T25:00:00Z\"",
        ),
        (
            "no date at all",
            log(r#"<Message><From><User FriendlyName="Bob"/></From><Text>x</Text></Message>"#)
                .into_bytes(),
            4,
            "has no date",
        ),
        (
            "Latin-1 bytes",
            [b"<?xml version=\"1.0\"?>\n<Log>\n<Message><Text>caf".as_slice(), &[0xE9], b"</Text></Message></Log>"]
                .concat(),
            3,
            "not UTF-8",
        ),
        (
            "UTF-16",
            [0xFF, 0xFE, b'<', 0, b'L', 0].to_vec(),
            1,
            "UTF-16",
        ),
        (
            "another encoding declared",
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<Log/>".to_vec(),
            1,
            "iso-8859-1",
        ),
        ("empty", Vec::new(), 1, "no XML element"),
        (
            "not a history file",
            b"<?xml version=\"1.0\"?>\n\n<html><body/></html>".to_vec(),
            3,
            "neither",
        ),
        (
            "a newer Nudge format",
            b"<nudge-history version=\"2\"></nudge-history>".to_vec(),
            1,
            "version 2",
        ),
        (
            "a bad address",
            b"<nudge-history version=\"1\">\n<conversation with=\"not an address@@\">\n</conversation></nudge-history>"
                .to_vec(),
            2,
            "not valid",
        ),
        (
            "a bad direction",
            b"<nudge-history>\n<conversation with=\"bob@example.org\">\n<message direction=\"sideways\" time=\"2008-03-14T20:04:11Z\">x</message>\n</conversation></nudge-history>"
                .to_vec(),
            3,
            "\"sideways\"",
        ),
    ];
    let sides = options(Some("bob@example.org"), Some("alice@example.org"), &[]);
    for (name, bytes, line, words) in cases {
        match crate::history::parse(&bytes, &sides, &super::utc) {
            Err(ImportError::Parse(error)) => {
                assert_eq!(error.line, line, "{name}: {error}");
                assert!(
                    error.problem.contains(words),
                    "{name}: {error} lacks {words:?}"
                );
            }
            other => panic!("{name}: expected an error on line {line}, got {other:?}"),
        }
    }
    // The well-formed base the cases above broke is read.
    assert_eq!(read(&log(""), &sides).expect("reads").messages.len(), 1);
}

#[test]
fn a_failed_import_adds_nothing_and_a_huge_file_is_not_read() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = Store::open(&dir.path().join("history.sqlite3")).expect("store");
    let sides = options(Some("bob@example.org"), Some("alice@example.org"), &[]);

    // Good messages first, then a broken one: the good ones are not kept either.
    let broken = dir.path().join("broken.xml");
    std::fs::write(
        &broken,
        log(&format!(
            "{MESSAGE}\n<Message DateTime=\"soon\"><Text>x</Text></Message>"
        )),
    )
    .expect("write");
    let error = import_file(&mut store, &broken, &sides).expect_err("refused");
    assert!(
        matches!(&error, HistoryError::Parse { error, .. } if error.line == 5),
        "{error}"
    );
    assert!(error.to_string().starts_with(&broken.display().to_string()));
    assert!(store.conversations().expect("read").is_empty());

    // A file over the limit (sparse: it takes no room) is refused before it is read.
    let huge = dir.path().join("huge.xml");
    std::fs::File::create(&huge)
        .and_then(|file| file.set_len(MAX_IMPORT_BYTES + 1))
        .expect("huge file");
    let error = import_file(&mut store, &huge, &sides).expect_err("refused");
    assert!(error.to_string().contains("larger than"), "{error}");

    // Not a regular file.
    let error = import_file(&mut store, dir.path(), &sides).expect_err("refused");
    assert!(error.to_string().contains("not a regular file"), "{error}");
    assert!(store.conversations().expect("read").is_empty());
}
