use super::*;
use Emoticon::*;

/// A token written compactly: `T("words")` or `E(Smile, ":)")`.
fn t(text: &str) -> Token<'_> {
    Token::Text(text)
}

fn e(emoticon: Emoticon, code: &str) -> Token<'_> {
    Token::Emoticon(emoticon, code)
}

#[test]
fn tokens_table() {
    let cases: Vec<(&str, Vec<Token>)> = vec![
        ("", vec![]),
        ("hello", vec![t("hello")]),
        (":)", vec![e(Smile, ":)")]),
        ("hi :)", vec![t("hi "), e(Smile, ":)")]),
        (":( sorry", vec![e(Sad, ":("), t(" sorry")]),
        ("ok ;) bye", vec![t("ok "), e(Wink, ";)"), t(" bye")]),
        (
            ":D :d :-D",
            vec![e(Grin, ":D"), t(" "), e(Grin, ":d"), t(" "), e(Grin, ":-D")],
        ),
        (":P :p", vec![e(Tongue, ":P"), t(" "), e(Tongue, ":p")]),
        (
            "(y) (Y) (n) (N)",
            vec![
                e(ThumbsUp, "(y)"),
                t(" "),
                e(ThumbsUp, "(Y)"),
                t(" "),
                e(ThumbsDown, "(n)"),
                t(" "),
                e(ThumbsDown, "(N)"),
            ],
        ),
        (
            "<3 (L) (l)",
            vec![
                e(Heart, "<3"),
                t(" "),
                e(Heart, "(L)"),
                t(" "),
                e(Heart, "(l)"),
            ],
        ),
        (
            ":O :S :| (H) :'(",
            vec![
                e(Surprised, ":O"),
                t(" "),
                e(Confused, ":S"),
                t(" "),
                e(Disappointed, ":|"),
                t(" "),
                e(Cool, "(H)"),
                t(" "),
                e(Crying, ":'("),
            ],
        ),
        // Codes inside URLs, words, times and formulas stay text.
        ("see http://x.org/:P/a", vec![t("see http://x.org/:P/a")]),
        ("http://x", vec![t("http://x")]),
        ("Dr:Pepper", vec![t("Dr:Pepper")]),
        ("Dr :Pepper", vec![t("Dr :Pepper")]),
        ("f(n) is O(n)", vec![t("f(n) is O(n)")]),
        ("i<3u and 2<3", vec![t("i<3u and 2<3")]),
        ("<30 items", vec![t("<30 items")]),
        ("C:Documents :Snap", vec![t("C:Documents :Snap")]),
        ("a:)b", vec![t("a:)b")]),
        ("mailto:(y)@x", vec![t("mailto:(y)@x")]),
        // Punctuation around a code that stands apart is fine.
        ("great :).", vec![t("great "), e(Smile, ":)"), t(".")]),
        ("(so sad :()", vec![t("(so sad "), e(Sad, ":("), t(")")]),
        ("\"(y)\"", vec![t("\""), e(ThumbsUp, "(y)"), t("\"")]),
        // Runs of codes count together, but only when the run stands apart.
        (":):(", vec![e(Smile, ":)"), e(Sad, ":(")]),
        (":):Pepper", vec![t(":):Pepper")]),
        // Newlines and other white space separate like spaces.
        ("line\n:)\tx", vec![t("line\n"), e(Smile, ":)"), t("\tx")]),
        // Non-ASCII text around codes is kept whole.
        (
            "¡olé! :) ünïcödé",
            vec![t("¡olé! "), e(Smile, ":)"), t(" ünïcödé")],
        ),
        ("é:)", vec![t("é:)")]),
        // Half codes are text.
        (": ) ( y ) <", vec![t(": ) ( y ) <")]),
        ("(y", vec![t("(y")]),
    ];
    assert!(cases.len() >= 15);
    for (text, expected) in cases {
        assert_eq!(tokens(text), expected, "tokens of {text:?}");
    }
}

#[test]
fn tokens_give_back_the_text() {
    let hostile = [
        ":):):):)x",
        "::::)))))",
        "((((y))))",
        "<<<333",
        "😀:)😀 :) 😀",
        "\u{0}:)\u{0}",
        ":'-(",
        " ",
    ];
    for text in hostile {
        let joined: String = tokens(text)
            .iter()
            .map(|token| match token {
                Token::Text(words) => *words,
                Token::Emoticon(_, code) => *code,
            })
            .collect();
        assert_eq!(joined, text, "nothing lost or added in {text:?}");
    }
}

#[test]
fn long_runs_are_linear_and_whole() {
    let run = ":)".repeat(50_000);
    let found = tokens(&run);
    assert_eq!(found.len(), 50_000);
    assert!(found.iter().all(|t| *t == e(Smile, ":)")));
    let spoiled = format!("{run}x");
    assert_eq!(tokens(&spoiled), vec![t(&spoiled)]);
}

#[test]
fn every_code_is_found_alone_and_in_either_case() {
    for emoticon in Emoticon::ALL {
        for code in emoticon.codes() {
            assert_eq!(tokens(code), vec![e(emoticon, code)], "{code}");
            let lower = code.to_lowercase();
            assert_eq!(tokens(&lower), vec![e(emoticon, &lower)], "{lower}");
        }
        assert!(emoticon.codes().contains(&emoticon.code()));
    }
}

#[test]
fn every_emoticon_has_a_distinct_meaning_and_a_32_pixel_image() {
    let mut meanings: Vec<&str> = Emoticon::ALL.iter().map(|e| e.meaning()).collect();
    meanings.sort_unstable();
    meanings.dedup();
    assert_eq!(meanings.len(), Emoticon::ALL.len());
    for emoticon in Emoticon::ALL {
        let egui::ImageSource::Bytes { bytes, .. } = emoticon.image() else {
            panic!("{emoticon:?} is embedded");
        };
        let picture = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
            .unwrap_or_else(|err| panic!("{emoticon:?} decodes: {err}"))
            .to_rgba8();
        assert_eq!(picture.dimensions(), (32, 32), "{emoticon:?}");
        let opaque = picture.pixels().filter(|p| p.0[3] == 255).count();
        assert!(opaque > 200, "{emoticon:?} has a drawn shape ({opaque} px)");
        assert_eq!(
            picture.get_pixel(0, 0).0[3],
            0,
            "{emoticon:?} corners are clear"
        );
    }
}

#[test]
fn inserted_codes_stand_apart_from_words() {
    let cases: [(&str, Option<usize>, &str, usize); 6] = [
        ("", None, ":)", 2),
        ("hi", None, "hi :)", 5),
        ("hi ", None, "hi :)", 5),
        ("hi there", Some(2), "hi :) there", 5),
        ("hithere", Some(2), "hi :) there", 6),
        ("ünï", Some(1), "ü :) nï", 5),
    ];
    for (draft, cursor, expected, after) in cases {
        let mut text = draft.to_string();
        let cursor_after = insert_code(&mut text, cursor, ":)");
        assert_eq!(text, expected, "inserting into {draft:?} at {cursor:?}");
        assert_eq!(cursor_after, after, "cursor after inserting into {draft:?}");
        assert!(
            tokens(&text).contains(&e(Smile, ":)")),
            "{text:?} shows a smile"
        );
    }
    let mut text = "ab".to_string();
    assert_eq!(
        insert_code(&mut text, Some(99), "(y)"),
        6,
        "a cursor past the end appends"
    );
    assert_eq!(text, "ab (y)");
}
