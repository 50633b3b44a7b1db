//! Rules for text that came from outside (the network, files others wrote) and is shown to the
//! user: which characters can make it read as something it is not.

/// Whether `c` is invisible or changes how the text around it reads: control characters, the
/// direction marks, embeddings, overrides and isolates (`U+202E` turns "exe.txt" into "txt.exe"
/// on screen), and zero-width characters that can hide inside a name so two names look alike.
pub fn is_deceptive(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'                      // soft hyphen
                | '\u{061C}'                // Arabic letter mark
                | '\u{180E}'                // Mongolian vowel separator
                | '\u{200B}'..='\u{200F}'   // zero-width space, joiners, direction marks
                | '\u{202A}'..='\u{202E}'   // embeddings and overrides
                | '\u{2060}'..='\u{2064}'   // word joiner, invisible operators
                | '\u{2066}'..='\u{2069}'   // isolates
                | '\u{FEFF}'                // zero-width no-break space
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_tricks_and_invisible_characters_are_deceptive() {
        for c in [
            '\u{202E}', '\u{2067}', '\u{200B}', '\u{200D}', '\u{FEFF}', '\u{00AD}', '\n', '\u{1b}',
        ] {
            assert!(is_deceptive(c), "{:?}", c);
        }
        for c in ['a', 'é', 'ß', '漢', 'ا', '😀', ' ', '-'] {
            assert!(!is_deceptive(c), "{c:?}");
        }
    }
}
