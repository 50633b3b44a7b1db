//! Limits on every incoming stanza's size and nesting depth, enforced on the bytes before the
//! XML parser builds anything.
//!
//! tokio-xmpp reads the stream with rxml, whose only limit is the length of one token, and
//! builds each stanza into a tree of elements. A stanza nested tens of thousands of levels deep
//! (Prosody relays one within its 256 KiB limit) would exhaust the stack while that tree is
//! built, cloned or dropped, and one of many megabytes (from a server with a larger limit, or a
//! malicious one) would be held whole in memory. The parser cannot be configured from outside,
//! so [`StanzaGuard`] sits between the connection and the parser: it follows the markup with a
//! small state machine (no tree, constant memory), holds each top-level element until it is
//! complete, and passes it on only if it is within [`Limits`]. A stanza over a limit is never
//! seen by the parser: it is dropped with a log line, and counted in [`Dropped`] so stream
//! management still acknowledges it (the server would otherwise send it again on resumption).
//! The stream itself goes on.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncBufRead, AsyncRead, AsyncWrite, ReadBuf};

/// The largest stanza accepted, in bytes of XML. Servers refuse to relay stanzas of more than
/// 256 KiB by default (Prosody, ejabberd); a roster of a few thousand contacts is well under this.
pub const MAX_STANZA_BYTES: usize = 4 * 1024 * 1024;
/// The deepest nesting accepted, counting the stanza element itself as level 1. A message
/// archived, forwarded and carrying formatted text reaches about 12.
pub const MAX_STANZA_DEPTH: usize = 64;
/// The longest name or attribute value the parser takes (rxml's `max_token_length`); a longer
/// one is a parse error that ends the whole stream, so the stanza holding it is dropped first.
pub const MAX_TOKEN_BYTES: usize = 8192;

/// The limits a [`StanzaGuard`] enforces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest top-level element, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting, the top-level element being level 1.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: MAX_STANZA_BYTES,
            max_depth: MAX_STANZA_DEPTH,
        }
    }
}

/// Stanzas dropped and not yet reported to stream management.
#[derive(Debug, Default)]
pub struct Dropped(AtomicU32);

impl Dropped {
    /// How many stanzas were dropped since the last call.
    pub fn take(&self) -> u32 {
        self.0.swap(0, Ordering::AcqRel)
    }
}

/// Why a stanza was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Excess {
    Size,
    Depth,
    Token,
}

/// Where the lexer is in the markup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lex {
    /// Character data between tags.
    Text,
    /// Just after `<`.
    Open,
    /// In a start tag's name.
    StartName,
    /// In a start tag, after its name.
    InTag,
    /// In a quoted attribute value (the quote byte).
    Quoted(u8),
    /// After `/` in a start tag.
    Slash,
    /// In an end tag.
    EndTag,
    /// In `<?...?>`; the flag says the last byte was `?`.
    Instruction(bool),
    /// Just after `<!`.
    Bang,
    /// After `<!-`.
    BangDash,
    /// After `<!` and this many bytes of `[CDATA[`.
    BangCData(usize),
    /// In a comment, with how many `-` were just seen.
    Comment(u8),
    /// In a CDATA section, with how many `]` were just seen.
    CData(u8),
    /// In another `<!...>` declaration.
    Declaration,
}

/// What a byte completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mark {
    /// Nothing of interest.
    None,
    /// A `<` in character data.
    TagBegins,
    /// The byte after `<` showed a start tag.
    StartTag,
    /// The byte after `<` showed an end tag, an instruction or a declaration.
    OtherMarkup,
    /// A start tag ended (`>` or `/>`).
    StartTagEnd { empty: bool },
    /// An end tag ended.
    EndTagEnd,
}

/// The top-level element being held.
#[derive(Debug, Default)]
struct Held {
    bytes: Vec<u8>,
    /// Still possibly not an element (only `<` seen).
    tentative: bool,
    /// Over a limit: its bytes are discarded up to its end.
    excess: Option<Excess>,
    /// Its name, once known.
    name: String,
    /// Its `from` attribute, for the log line.
    from: Option<String>,
}

/// The markup follower: bytes in, the bytes of complete elements within limits out.
#[derive(Debug)]
pub struct Scanner {
    limits: Limits,
    lex: Lex,
    /// Elements open around the current byte; the stream's root is depth 1.
    depth: usize,
    /// The current start tag's name (capped: only its end matters).
    name: Vec<u8>,
    /// Length of the name or attribute value being read.
    token: usize,
    held: Option<Held>,
    dropped: Arc<Dropped>,
}

/// Bytes kept of a tag name: enough for `stream:stream` and the stanza names.
const NAME_BYTES: usize = 32;

impl Scanner {
    /// A scanner at the start of a stream.
    pub fn new(limits: Limits, dropped: Arc<Dropped>) -> Self {
        Self {
            limits,
            lex: Lex::Text,
            depth: 0,
            name: Vec::new(),
            token: 0,
            held: None,
            dropped,
        }
    }

    /// Follows `input`, appending to `out` every byte the parser may see.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        for &byte in input {
            self.byte(byte, out);
        }
    }

    fn byte(&mut self, byte: u8, out: &mut Vec<u8>) {
        let mark = self.lex(byte);
        self.measure_token();
        if mark == Mark::TagBegins && self.depth == 1 && self.held.is_none() {
            // Possibly a stanza: hold it until it is complete.
            self.held = Some(Held {
                tentative: true,
                ..Held::default()
            });
        }
        self.keep(byte, out);
        match mark {
            Mark::OtherMarkup => {
                if let Some(held) = self.held.take_if(|held| held.tentative) {
                    out.extend_from_slice(&held.bytes);
                }
            }
            Mark::StartTag => {
                if let Some(held) = &mut self.held {
                    held.tentative = false;
                }
            }
            Mark::StartTagEnd { empty } => self.start_tag_ended(empty, out),
            Mark::EndTagEnd => {
                self.depth = self.depth.saturating_sub(1);
                if self.depth == 1 {
                    self.finish(out);
                }
            }
            Mark::None | Mark::TagBegins => {}
        }
    }

    /// Counts the bytes of the name or attribute value being read; a held element with one
    /// longer than the parser takes is over a limit.
    fn measure_token(&mut self) {
        match self.lex {
            Lex::StartName | Lex::Quoted(_) | Lex::EndTag => self.token += 1,
            _ => self.token = 0,
        }
        if self.token > MAX_TOKEN_BYTES {
            if let Some(held) = self.held.as_mut().filter(|held| held.excess.is_none()) {
                held.excess = Some(Excess::Token);
                held.bytes = Vec::new();
            }
        }
    }

    /// Keeps `byte` with the held element, discards it (an element over a limit), or passes it.
    fn keep(&mut self, byte: u8, out: &mut Vec<u8>) {
        let Some(held) = &mut self.held else {
            out.push(byte);
            return;
        };
        if held.excess.is_some() {
            return;
        }
        held.bytes.push(byte);
        if held.bytes.len() > self.limits.max_bytes {
            held.excess = Some(Excess::Size);
            held.bytes = Vec::new();
        }
    }

    fn start_tag_ended(&mut self, empty: bool, out: &mut Vec<u8>) {
        let name = String::from_utf8_lossy(&self.name).into_owned();
        let top_level = self.depth == 1;
        if let (true, Some(held)) = (top_level, &mut self.held) {
            held.from = held
                .excess
                .is_none()
                .then(|| attribute(&held.bytes, b"from"))
                .flatten();
            held.name = name.clone();
            // After STARTTLS or authentication the server opens a new stream without closing
            // the old one: a new root, not a stanza.
            if !empty && local_name(&name) == "stream" {
                if let Some(held) = self.held.take() {
                    out.extend_from_slice(&held.bytes);
                }
                return;
            }
        }
        if empty {
            if top_level {
                self.finish(out);
            }
            return;
        }
        self.depth += 1;
        let level = self.depth.saturating_sub(1);
        if let Some(held) = &mut self.held {
            if level > self.limits.max_depth && held.excess.is_none() {
                held.excess = Some(Excess::Depth);
                held.bytes = Vec::new();
            }
        }
    }

    /// The held top-level element is complete: pass it on, or drop it.
    fn finish(&mut self, out: &mut Vec<u8>) {
        let Some(held) = self.held.take() else {
            return;
        };
        let Some(excess) = held.excess else {
            out.extend_from_slice(&held.bytes);
            return;
        };
        let why = match excess {
            Excess::Size => format!("it is larger than {} bytes", self.limits.max_bytes),
            Excess::Depth => format!("it is nested deeper than {} levels", self.limits.max_depth),
            Excess::Token => {
                format!("it holds a name or attribute value longer than {MAX_TOKEN_BYTES} bytes")
            }
        };
        let from = held.from.as_deref().unwrap_or("the server");
        tracing::warn!(
            "dropped an incoming <{}> from {from:?}: {why}",
            clip(&held.name)
        );
        if matches!(local_name(&held.name), "message" | "presence" | "iq") {
            self.dropped.0.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Moves the lexer over one byte and says what it completed.
    fn lex(&mut self, byte: u8) -> Mark {
        let (next, mark) = match (self.lex, byte) {
            (Lex::Text, b'<') => (Lex::Open, Mark::TagBegins),
            (Lex::Text, _) => (Lex::Text, Mark::None),
            (Lex::Open, b'/') => (Lex::EndTag, Mark::OtherMarkup),
            (Lex::Open, b'?') => (Lex::Instruction(false), Mark::OtherMarkup),
            (Lex::Open, b'!') => (Lex::Bang, Mark::OtherMarkup),
            (Lex::Open, _) => {
                self.name.clear();
                self.name.push(byte);
                (Lex::StartName, Mark::StartTag)
            }
            (Lex::StartName | Lex::InTag, b'>') => (Lex::Text, Mark::StartTagEnd { empty: false }),
            (Lex::StartName | Lex::InTag, b'/') => (Lex::Slash, Mark::None),
            (Lex::StartName, b' ' | b'\t' | b'\r' | b'\n') => (Lex::InTag, Mark::None),
            (Lex::StartName, _) => {
                if self.name.len() < NAME_BYTES {
                    self.name.push(byte);
                }
                (Lex::StartName, Mark::None)
            }
            (Lex::InTag, b'"' | b'\'') => (Lex::Quoted(byte), Mark::None),
            (Lex::InTag, _) => (Lex::InTag, Mark::None),
            (Lex::Quoted(quote), _) if byte == quote => (Lex::InTag, Mark::None),
            (Lex::Quoted(quote), _) => (Lex::Quoted(quote), Mark::None),
            (Lex::Slash, b'>') => (Lex::Text, Mark::StartTagEnd { empty: true }),
            // Not well-formed; the parser will say so. Keep following the tag.
            (Lex::Slash, _) => (Lex::InTag, Mark::None),
            (Lex::EndTag, b'>') => (Lex::Text, Mark::EndTagEnd),
            (Lex::EndTag, _) => (Lex::EndTag, Mark::None),
            (Lex::Instruction(true), b'>') => (Lex::Text, Mark::None),
            (Lex::Instruction(_), _) => (Lex::Instruction(byte == b'?'), Mark::None),
            (Lex::Bang, b'-') => (Lex::BangDash, Mark::None),
            (Lex::BangDash, b'-') => (Lex::Comment(0), Mark::None),
            (Lex::Bang, b'[') => (Lex::BangCData(1), Mark::None),
            (Lex::BangCData(matched), _) if CDATA_OPEN.get(matched) == Some(&byte) => {
                if matched + 1 == CDATA_OPEN.len() {
                    (Lex::CData(0), Mark::None)
                } else {
                    (Lex::BangCData(matched + 1), Mark::None)
                }
            }
            (Lex::Bang | Lex::BangDash | Lex::BangCData(_), b'>') => (Lex::Text, Mark::None),
            (Lex::Bang | Lex::BangDash | Lex::BangCData(_), _) => (Lex::Declaration, Mark::None),
            (Lex::Comment(2), b'>') => (Lex::Text, Mark::None),
            (Lex::Comment(dashes), b'-') => (Lex::Comment((dashes + 1).min(2)), Mark::None),
            (Lex::Comment(_), _) => (Lex::Comment(0), Mark::None),
            (Lex::CData(2), b'>') => (Lex::Text, Mark::None),
            (Lex::CData(brackets), b']') => (Lex::CData((brackets + 1).min(2)), Mark::None),
            (Lex::CData(_), _) => (Lex::CData(0), Mark::None),
            (Lex::Declaration, b'>') => (Lex::Text, Mark::None),
            (Lex::Declaration, _) => (Lex::Declaration, Mark::None),
        };
        self.lex = next;
        mark
    }
}

/// What opens a CDATA section after `<!`.
const CDATA_OPEN: &[u8] = b"[CDATA[";

/// The part of a qualified name after its prefix.
fn local_name(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// The value of attribute `name` in the start tag at the beginning of `tag`, if plainly there.
fn attribute(tag: &[u8], name: &[u8]) -> Option<String> {
    let end = tag.iter().position(|&b| b == b'>').unwrap_or(tag.len());
    let tag = &tag[..end];
    let mut at = 0;
    while let Some(found) = tag[at..].windows(name.len()).position(|w| w == name) {
        let start = at + found;
        at = start + name.len();
        let before = start.checked_sub(1).map(|i| tag[i]);
        if !matches!(before, Some(b' ' | b'\t' | b'\r' | b'\n')) {
            continue;
        }
        let rest = &tag[at..];
        let Some(rest) = rest.strip_prefix(b"=") else {
            continue;
        };
        let (&quote, value) = rest.split_first()?;
        if quote != b'"' && quote != b'\'' {
            continue;
        }
        let close = value.iter().position(|&b| b == quote)?;
        return Some(clip(&String::from_utf8_lossy(&value[..close])));
    }
    None
}

/// At most 100 characters of network text for a log line.
fn clip(text: &str) -> String {
    text.chars().take(100).collect()
}

/// The connection as the XML parser sees it: only stanzas within [`Limits`] (see the module).
#[derive(Debug)]
pub struct StanzaGuard<Io> {
    inner: Io,
    scanner: Scanner,
    /// Bytes passed by the scanner and not yet read.
    ready: Vec<u8>,
    /// How much of `ready` was read.
    read: usize,
}

impl<Io> StanzaGuard<Io> {
    /// Guards `inner` with `limits`; dropped stanzas are counted in `dropped`.
    pub fn new(inner: Io, limits: Limits, dropped: Arc<Dropped>) -> Self {
        Self {
            inner,
            scanner: Scanner::new(limits, dropped),
            ready: Vec::new(),
            read: 0,
        }
    }

    /// The connection underneath (for STARTTLS, between two streams).
    pub fn into_inner(self) -> Io {
        self.inner
    }
}

impl<Io: AsyncBufRead + Unpin> AsyncBufRead for StanzaGuard<Io> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        while this.read >= this.ready.len() {
            this.ready.clear();
            this.read = 0;
            let chunk = ready!(Pin::new(&mut this.inner).poll_fill_buf(cx))?;
            if chunk.is_empty() {
                return Poll::Ready(Ok(&[]));
            }
            let taken = chunk.len();
            this.scanner.feed(chunk, &mut this.ready);
            Pin::new(&mut this.inner).consume(taken);
        }
        Poll::Ready(Ok(&this.ready[this.read..]))
    }

    fn consume(self: Pin<&mut Self>, amount: usize) {
        let this = self.get_mut();
        this.read = (this.read + amount).min(this.ready.len());
    }
}

impl<Io: AsyncBufRead + Unpin> AsyncRead for StanzaGuard<Io> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let available = ready!(self.as_mut().poll_fill_buf(cx))?;
        let amount = available.len().min(buf.remaining());
        buf.put_slice(&available[..amount]);
        self.consume(amount);
        Poll::Ready(Ok(()))
    }
}

impl<Io: AsyncWrite + Unpin> AsyncWrite for StanzaGuard<Io> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
#[path = "stanza_guard_tests.rs"]
mod tests;
