//! Emoticons: codes such as `:)` in message text, shown as the images in `assets/emoticons/`,
//! and a picker that types them into the composer.
//!
//! Messages stay plain text on the wire (DESIGN.md: "plain text with emoticon codes rendered as
//! images"); only the window turns codes into pictures, and only where they stand apart from
//! words and addresses, so `http://x`, `Dr:Pepper` or `f(n)` stay text.

use egui::{vec2, Button, Id, Image, ImageSource, Response, TextStyle, Ui};

/// The label of the button that opens the emoticon picker.
pub const PICKER_LABEL: &str = "Emoticons";

/// Picker buttons per row.
const PICKER_COLUMNS: usize = 5;
/// The side of an emoticon in the picker, in points.
const PICKER_SIZE: f32 = 24.0;
/// An emoticon in a message is a little taller than the text around it, as in MSN.
const IN_TEXT_SCALE: f32 = 1.25;

/// One of the emoticons Nudge draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Emoticon {
    /// `:)`
    Smile,
    /// `:(`
    Sad,
    /// `;)`
    Wink,
    /// `:D`
    Grin,
    /// `:P`
    Tongue,
    /// `:O`
    Surprised,
    /// `:S`
    Confused,
    /// `:|`
    Disappointed,
    /// `(H)`
    Cool,
    /// `:'(`
    Crying,
    /// `(y)`
    ThumbsUp,
    /// `(n)`
    ThumbsDown,
    /// `<3` and `(L)`
    Heart,
}

impl Emoticon {
    /// Every emoticon, in the picker's order.
    pub const ALL: [Self; 13] = [
        Self::Smile,
        Self::Sad,
        Self::Wink,
        Self::Grin,
        Self::Tongue,
        Self::Surprised,
        Self::Confused,
        Self::Disappointed,
        Self::Cool,
        Self::Crying,
        Self::ThumbsUp,
        Self::ThumbsDown,
        Self::Heart,
    ];

    /// What it means, in words: its accessible label and the picker button's name.
    pub fn meaning(self) -> &'static str {
        match self {
            Self::Smile => "smile",
            Self::Sad => "sad",
            Self::Wink => "wink",
            Self::Grin => "big grin",
            Self::Tongue => "tongue out",
            Self::Surprised => "surprised",
            Self::Confused => "confused",
            Self::Disappointed => "disappointed",
            Self::Cool => "cool",
            Self::Crying => "crying",
            Self::ThumbsUp => "thumbs up",
            Self::ThumbsDown => "thumbs down",
            Self::Heart => "heart",
        }
    }

    /// Every code typed for it; the first is the one the picker inserts. Letters match in
    /// either case, as MSN did (`:d`, `(Y)`).
    pub fn codes(self) -> &'static [&'static str] {
        match self {
            Self::Smile => &[":)", ":-)"],
            Self::Sad => &[":(", ":-("],
            Self::Wink => &[";)", ";-)"],
            Self::Grin => &[":D", ":-D"],
            Self::Tongue => &[":P", ":-P"],
            Self::Surprised => &[":O", ":-O"],
            Self::Confused => &[":S", ":-S"],
            Self::Disappointed => &[":|", ":-|"],
            Self::Cool => &["(H)"],
            Self::Crying => &[":'("],
            Self::ThumbsUp => &["(y)"],
            Self::ThumbsDown => &["(n)"],
            Self::Heart => &["<3", "(L)"],
        }
    }

    /// The code the picker inserts.
    pub fn code(self) -> &'static str {
        self.codes()[0]
    }

    /// The embedded 32×32 PNG (drawn by `scripts/make-assets`).
    pub fn image(self) -> ImageSource<'static> {
        match self {
            Self::Smile => egui::include_image!("../../assets/emoticons/smile.png"),
            Self::Sad => egui::include_image!("../../assets/emoticons/sad.png"),
            Self::Wink => egui::include_image!("../../assets/emoticons/wink.png"),
            Self::Grin => egui::include_image!("../../assets/emoticons/grin.png"),
            Self::Tongue => egui::include_image!("../../assets/emoticons/tongue.png"),
            Self::Surprised => egui::include_image!("../../assets/emoticons/surprised.png"),
            Self::Confused => egui::include_image!("../../assets/emoticons/confused.png"),
            Self::Disappointed => egui::include_image!("../../assets/emoticons/neutral.png"),
            Self::Cool => egui::include_image!("../../assets/emoticons/cool.png"),
            Self::Crying => egui::include_image!("../../assets/emoticons/crying.png"),
            Self::ThumbsUp => egui::include_image!("../../assets/emoticons/thumbs_up.png"),
            Self::ThumbsDown => egui::include_image!("../../assets/emoticons/thumbs_down.png"),
            Self::Heart => egui::include_image!("../../assets/emoticons/heart.png"),
        }
    }
}

/// A piece of message text: words as written, or an emoticon code to show as its image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token<'a> {
    /// Text shown as it is.
    Text(&'a str),
    /// An emoticon, with the code as it was typed (`:-)`, `:d`...).
    Emoticon(Emoticon, &'a str),
}

/// Splits message text into text and emoticons.
///
/// A code counts only where it stands apart: after the start, a space or an opening bracket or
/// quote, and before the end, a space or closing punctuation. Codes written back to back
/// (`:):)`) count together when the run as a whole stands apart. Everything else stays text, so
/// URLs, times and words with colons are never broken up. Linear in the length of the text.
pub fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut plain_from = 0;
    let mut at = 0;
    while at < text.len() {
        if starts_apart(text, at) {
            let run = run_of_codes(text, at);
            if let Some(&(_, _, run_end)) = run.last() {
                if ends_apart(text, run_end) {
                    if plain_from < at {
                        out.push(Token::Text(&text[plain_from..at]));
                    }
                    for (emoticon, start, end) in run {
                        out.push(Token::Emoticon(emoticon, &text[start..end]));
                    }
                    plain_from = run_end;
                }
                // Either way the run is done with: inside it no code stands apart.
                at = run_end;
                continue;
            }
        }
        at += text[at..].chars().next().map_or(1, char::len_utf8);
    }
    if plain_from < text.len() {
        out.push(Token::Text(&text[plain_from..]));
    }
    out
}

/// Codes written back to back from `at`: each with where it starts and ends.
fn run_of_codes(text: &str, mut at: usize) -> Vec<(Emoticon, usize, usize)> {
    let mut run = Vec::new();
    while let Some((emoticon, len)) = code_at(text, at) {
        run.push((emoticon, at, at + len));
        at += len;
    }
    run
}

/// The longest code at byte `at`, if any. Codes are ASCII, so a match never splits a character.
fn code_at(text: &str, at: usize) -> Option<(Emoticon, usize)> {
    let rest = &text.as_bytes()[at..];
    Emoticon::ALL
        .iter()
        .flat_map(|&e| e.codes().iter().map(move |code| (e, code.len())))
        .filter(|&(e, len)| {
            rest.get(..len).is_some_and(|typed| {
                e.codes()
                    .iter()
                    .any(|c| c.as_bytes().eq_ignore_ascii_case(typed))
            })
        })
        .max_by_key(|&(_, len)| len)
}

/// Whether a code may start at byte `at`: nothing word-like (or URL-like) touches it before.
fn starts_apart(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || matches!(c, '(' | '[' | '{' | '"' | '\''))
}

/// Whether a run of codes may end at byte `at`: nothing word-like follows it.
fn ends_apart(text: &str, at: usize) -> bool {
    text[at..].chars().next().is_none_or(|c| {
        c.is_whitespace()
            || matches!(
                c,
                '.' | ',' | '!' | '?' | ';' | ')' | ']' | '}' | '"' | '\''
            )
    })
}

/// Installs egui's image loaders (PNG through the `image` crate); safe to call again.
pub fn install_image_loaders(ctx: &egui::Context) {
    egui_extras::install_image_loaders(ctx);
}

/// The image of an emoticon `side` points square, named by its meaning for screen readers.
pub fn image(emoticon: Emoticon, side: f32) -> Image<'static> {
    Image::new(emoticon.image())
        .fit_to_exact_size(vec2(side, side))
        .alt_text(emoticon.meaning())
}

/// Lays out a message body with emoticon images inline, wrapping like text.
///
/// Text without emoticons is one plain label, exactly as `ui.label(text)` would show it.
pub fn message_ui(ui: &mut Ui, text: &str) -> Response {
    let tokens = tokens(text);
    if !tokens.iter().any(|t| matches!(t, Token::Emoticon(..))) {
        return ui.label(text);
    }
    install_image_loaders(ui.ctx());
    let line_height = ui.text_style_height(&TextStyle::Body);
    let side = (line_height * IN_TEXT_SCALE).round();
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 0.0;
        for token in tokens {
            match token {
                Token::Text(words) => text_lines(ui, words, line_height),
                Token::Emoticon(emoticon, code) => {
                    ui.add(image(emoticon, side)).on_hover_text(code);
                }
            }
        }
    })
    .response
}

/// Text inside a wrapped row: each newline starts a new row; an empty line keeps its height.
fn text_lines(ui: &mut Ui, words: &str, line_height: f32) {
    let lines: Vec<&str> = words.split('\n').collect();
    let last = lines.len() - 1;
    for (index, line) in lines.into_iter().enumerate() {
        if index > 0 {
            ui.end_row();
        }
        if !line.is_empty() {
            ui.label(line);
        } else if index > 0 && index < last {
            ui.allocate_space(vec2(0.0, line_height));
        }
    }
}

/// The "Emoticons" button: a grid of emoticons whose buttons insert their code into `draft`.
///
/// With the composer's id (`TextEdit`'s response `.id`) the code goes in at its cursor, the
/// cursor moves past it and the composer takes the focus back; without, the code is appended.
/// Returns whether a code was inserted (so the caller can count it as typing).
pub fn picker_button(ui: &mut Ui, draft: &mut String, composer: Option<Id>) -> bool {
    let mut inserted = false;
    ui.menu_button(PICKER_LABEL, |ui| {
        install_image_loaders(ui.ctx());
        if let Some(emoticon) = picker_grid(ui) {
            let cursor = composer.and_then(|id| cursor_of(ui.ctx(), id));
            let after = insert_code(draft, cursor, emoticon.code());
            if let Some(id) = composer {
                place_cursor(ui.ctx(), id, after);
            }
            inserted = true;
            ui.close();
        }
    });
    inserted
}

/// The grid of emoticon buttons; returns the one clicked.
fn picker_grid(ui: &mut Ui) -> Option<Emoticon> {
    let mut clicked = None;
    egui::Grid::new("emoticon-picker").show(ui, |ui| {
        for (index, emoticon) in Emoticon::ALL.into_iter().enumerate() {
            let button = ui
                .add(Button::image(image(emoticon, PICKER_SIZE)))
                .on_hover_text(format!("{} {}", emoticon.meaning(), emoticon.code()))
                .accessible_name(emoticon.meaning());
            if button.clicked() {
                clicked = Some(emoticon);
            }
            if (index + 1) % PICKER_COLUMNS == 0 {
                ui.end_row();
            }
        }
    });
    clicked
}

/// Inserts `code` into `draft` at character `cursor` (the end when `None`), spaced from the
/// words around it so it stands apart; returns the character index just after it.
pub fn insert_code(draft: &mut String, cursor: Option<usize>, code: &str) -> usize {
    let chars = draft.chars().count();
    let cursor = cursor.unwrap_or(chars).min(chars);
    let byte = draft
        .char_indices()
        .nth(cursor)
        .map_or(draft.len(), |(at, _)| at);
    let space_before = draft[..byte]
        .chars()
        .next_back()
        .is_some_and(|c| !c.is_whitespace());
    let space_after = draft[byte..]
        .chars()
        .next()
        .is_some_and(|c| !c.is_whitespace());
    let mut piece = String::new();
    if space_before {
        piece.push(' ');
    }
    piece.push_str(code);
    if space_after {
        piece.push(' ');
    }
    draft.insert_str(byte, &piece);
    cursor + piece.chars().count()
}

/// Where the text cursor of the `TextEdit` with this id is, in characters.
fn cursor_of(ctx: &egui::Context, id: Id) -> Option<usize> {
    let state = egui::text_edit::TextEditState::load(ctx, id)?;
    Some(state.cursor.char_range()?.primary.index.0)
}

/// Puts the text cursor of the `TextEdit` with this id at character `index` and focuses it.
fn place_cursor(ctx: &egui::Context, id: Id, index: usize) {
    let mut state = egui::text_edit::TextEditState::load(ctx, id).unwrap_or_default();
    let cursor = egui::text::CCursor::new(index);
    state
        .cursor
        .set_char_range(Some(egui::text::CCursorRange::one(cursor)));
    state.store(ctx, id);
    ctx.memory_mut(|m| m.request_focus(id));
}

#[cfg(test)]
mod tests;
