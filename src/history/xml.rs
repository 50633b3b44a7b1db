//! A pull reader over quick-xml for the history files: events with the line they start on,
//! text with its references resolved, and everything a history file must not hold refused.
//!
//! quick-xml reads no DTD and expands no entity by itself: a `<!DOCTYPE …>` arrives as one
//! event and `&name;` as a reference the reader resolves. Here the DOCTYPE is refused outright
//! (a history file has no business declaring entities, and refusing it keeps "billion laughs"
//! files out whatever they contain), and a reference resolves only to a character reference or
//! one of XML's five predefined entities; any other name is an error.

use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use quick_xml::XmlVersion;

use super::ParseError;

/// What the reader hands on.
#[derive(Debug)]
pub(super) enum Item<'a> {
    /// An element opens (`<a/>` arrives as a start and an end).
    Start(BytesStart<'a>),
    /// An element closes.
    End,
    /// Text, CDATA or a resolved reference, in pieces.
    Text(String),
    /// The end of the file, with every element closed.
    Eof,
}

/// The reader and the text it reads.
pub(super) struct XmlReader<'a> {
    source: &'a str,
    reader: Reader<&'a [u8]>,
    depth: usize,
    /// The last offset whose line was asked for, and that line: lines are counted from there
    /// on, so naming the line of every message costs one pass over the file, not one each.
    counted: std::cell::Cell<(usize, usize)>,
}

impl<'a> XmlReader<'a> {
    /// A reader over a whole file's text.
    pub(super) fn new(source: &'a str) -> Self {
        let mut reader = Reader::from_str(source);
        let config = reader.config_mut();
        config.expand_empty_elements = true;
        config.check_end_names = true;
        Self {
            source,
            reader,
            depth: 0,
            counted: std::cell::Cell::new((0, 1)),
        }
    }

    /// The line (1-based) of a byte offset.
    pub(super) fn line_of(&self, offset: u64) -> usize {
        let end = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.source.len());
        let newlines = |bytes: &[u8]| bytes.iter().filter(|b| **b == b'\n').count();
        let (from, line) = self.counted.get();
        let line = if end >= from {
            line + newlines(&self.source.as_bytes()[from..end])
        } else {
            1 + newlines(&self.source.as_bytes()[..end])
        };
        self.counted.set((end, line));
        line
    }

    /// The line the reader is on now.
    pub(super) fn line(&self) -> usize {
        self.line_of(self.reader.buffer_position())
    }

    /// An error about the line the reader is on.
    pub(super) fn error(&self, problem: impl Into<String>) -> ParseError {
        ParseError {
            line: self.line(),
            problem: problem.into(),
        }
    }

    /// The next item; declarations, processing instructions and comments are passed over.
    pub(super) fn next(&mut self) -> Result<Item<'a>, ParseError> {
        loop {
            let before = self.reader.buffer_position();
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(error) => {
                    let at_end = self.reader.buffer_position() >= self.source.len() as u64;
                    return Err(ParseError {
                        line: self.line_of(self.reader.error_position()),
                        problem: match error {
                            quick_xml::Error::Syntax(_) if at_end => format!(
                                "the file ends in the middle of a tag; it may have been cut \
                                 short ({error})"
                            ),
                            _ => format!("the XML is malformed ({error})"),
                        },
                    });
                }
            };
            let at = |problem: String| ParseError {
                line: self.line_of(before),
                problem,
            };
            match event {
                Event::Start(start) => {
                    self.depth += 1;
                    return Ok(Item::Start(start));
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(Item::End);
                }
                // Not produced with expand_empty_elements; handled the same way if it were.
                Event::Empty(start) => {
                    self.depth += 1;
                    return Ok(Item::Start(start));
                }
                Event::Text(text) => {
                    let text = text
                        .xml10_content()
                        .map_err(|e| at(format!("the text cannot be read ({e})")))?;
                    return Ok(Item::Text(text.into_owned()));
                }
                Event::CData(data) => {
                    let text = data
                        .xml10_content()
                        .map_err(|e| at(format!("the text cannot be read ({e})")))?;
                    return Ok(Item::Text(text.into_owned()));
                }
                Event::GeneralRef(reference) => {
                    return Ok(Item::Text(resolve(&reference).map_err(at)?));
                }
                Event::DocType(_) => {
                    return Err(at("the file declares a document type (<!DOCTYPE …>); \
                         Nudge reads no DTDs or entity definitions and refuses such files"
                        .into()));
                }
                Event::Decl(decl) => {
                    if let Some(Ok(encoding)) = decl.encoding() {
                        let encoding = String::from_utf8_lossy(&encoding).to_ascii_lowercase();
                        if encoding != "utf-8" && encoding != "utf8" {
                            return Err(at(format!(
                                "the file says it is encoded as {encoding}; \
                                 Nudge reads UTF-8 files only"
                            )));
                        }
                    }
                }
                Event::PI(_) | Event::Comment(_) => {}
                Event::Eof if self.depth > 0 => {
                    // The last line with something on it, not the empty one after it.
                    let end = self.source.trim_end().len() as u64;
                    return Err(ParseError {
                        line: self.line_of(end),
                        problem: "the file ends before its elements are closed; it may have been \
                         cut short"
                            .into(),
                    });
                }
                Event::Eof => return Ok(Item::Eof),
            }
        }
    }

    /// The text of the element just opened, up to its end; `name` is for the error message.
    /// Child elements are an error (the formats have none inside text).
    pub(super) fn text_of(&mut self, name: &str) -> Result<String, ParseError> {
        let mut text = String::new();
        loop {
            match self.next()? {
                Item::Text(piece) => text.push_str(&piece),
                Item::End => return Ok(text),
                Item::Start(child) => {
                    return Err(self.error(format!(
                        "<{}> is not expected inside <{name}>",
                        String::from_utf8_lossy(child.local_name().as_ref())
                    )))
                }
                Item::Eof => return Err(self.error("the file ends inside an element")),
            }
        }
    }

    /// Passes over the rest of the element just opened, children and all.
    pub(super) fn skip(&mut self) -> Result<(), ParseError> {
        let mut open = 1usize;
        while open > 0 {
            match self.next()? {
                Item::Start(_) => open += 1,
                Item::End => open -= 1,
                Item::Text(_) => {}
                Item::Eof => return Err(self.error("the file ends inside an element")),
            }
        }
        Ok(())
    }

    /// The value of attribute `name` of `start`, references resolved.
    pub(super) fn attribute(
        &self,
        start: &BytesStart<'_>,
        name: &str,
    ) -> Result<Option<String>, ParseError> {
        for attribute in start.attributes() {
            let attribute =
                attribute.map_err(|e| self.error(format!("an attribute is malformed ({e})")))?;
            if attribute.key.local_name().as_ref() != name.as_bytes() {
                continue;
            }
            let value = attribute
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|e| {
                    self.error(format!(
                        "the attribute {name} cannot be read ({e}); Nudge expands only XML's \
                         own entities (&amp; &lt; &gt; &quot; &apos;) and character references"
                    ))
                })?;
            return Ok(Some(value.into_owned()));
        }
        Ok(None)
    }
}

/// The local name of an element, as text.
pub(super) fn local_name(start: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(start.local_name().as_ref()).into_owned()
}

/// A character reference or one of the five predefined entities; nothing else.
fn resolve(reference: &quick_xml::events::BytesRef<'_>) -> Result<String, String> {
    match reference.resolve_char_ref() {
        Ok(Some(c)) => return Ok(c.to_string()),
        Ok(None) => {}
        Err(error) => return Err(format!("a character reference is invalid ({error})")),
    }
    let name = reference
        .decode()
        .map_err(|e| format!("a reference cannot be read ({e})"))?;
    resolve_xml_entity(&name)
        .map(str::to_string)
        .ok_or_else(|| {
            format!(
                "the file uses the entity &{name};, which XML does not define; Nudge expands \
                 no entities beyond XML's own (&amp; &lt; &gt; &quot; &apos;)"
            )
        })
}
