//! Entry points that feed untrusted bytes through every parser Nudge has for them, the way
//! Nudge itself does. The fuzz targets in `fuzz/` and the corpus test `tests/fuzz_corpus.rs`
//! call these; for any input each must return, without panicking or running away. See
//! `docs/security.md` for how to run them.

use std::sync::Arc;

use jid::BareJid;
use minidom::Element;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::message::Message;
use xmpp_parsers::presence::Presence;

use crate::core::stanza_guard::{Dropped, Limits, Scanner};
use crate::xmpp;

/// How a server opens the stream the stanzas arrive in.
const STREAM_HEADER: &[u8] = b"<stream:stream xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams' from='example.org' id='fuzz' version='1.0'>";
/// How it closes it.
const STREAM_FOOTER: &[u8] = b"</stream:stream>";

/// Bytes from the server, as the inside of the XML stream: through the stanza guard, then
/// parsed, then every stanza through every classifier of the `xmpp` module. Answers how many
/// stanzas reached the classifiers (so a test can tell the harness is not idle).
pub fn stanzas(data: &[u8]) -> usize {
    let mut passed = Vec::with_capacity(data.len() + STREAM_HEADER.len());
    let mut guard = Scanner::new(Limits::default(), Arc::new(Dropped::default()));
    guard.feed(STREAM_HEADER, &mut passed);
    guard.feed(data, &mut passed);
    guard.feed(STREAM_FOOTER, &mut passed);
    let Ok(text) = std::str::from_utf8(&passed) else {
        return 0;
    };
    let Ok(stream) = text.parse::<Element>() else {
        return 0;
    };
    stream
        .children()
        .filter(|stanza| classify((*stanza).clone()))
        .count()
}

/// One parsed top-level element through every reader of its kind; false when it is no stanza
/// xmpp-parsers can read.
pub fn classify(element: Element) -> bool {
    let Ok(own) = BareJid::new("alice@example.org") else {
        return false;
    };
    if element.is("message", xmpp_parsers::ns::DEFAULT_NS) {
        let Ok(message) = Message::try_from(element) else {
            return false;
        };
        message_readers(message, &own);
    } else if element.is("presence", xmpp_parsers::ns::DEFAULT_NS) {
        let Ok(presence) = Presence::try_from(element) else {
            return false;
        };
        let _ = xmpp::caps::advertised(&presence);
        let _ = xmpp::presence::classify(presence, &own);
    } else if element.is("iq", xmpp_parsers::ns::DEFAULT_NS) {
        let Ok(iq) = Iq::try_from(element) else {
            return false;
        };
        iq_readers(&iq, &own);
    } else {
        return false;
    }
    true
}

fn message_readers(message: Message, own: &BareJid) {
    let _ = xmpp::message::classify(message.clone(), own);
    let _ = xmpp::message::classify_archived(message.clone(), own, "archive-1");
    let _ = xmpp::mam::is_result(&message);
    let _ = xmpp::mam::archived(&message, own, "query-1");
    let _ = xmpp::avatar::classify_notification(&message);
    let _ = xmpp::nick::classify_notification(&message);
    let _ = xmpp::attention::nudged_by(&message);
    let _ = xmpp::invite::jmi::classify_message(message, own);
}

fn iq_readers(iq: &Iq, own: &BareJid) {
    let _ = xmpp::iq::answer(iq, &[]);
    let _ = xmpp::roster::parse_result(iq);
    let _ = xmpp::roster::classify_push(iq, own);
    let _ = xmpp::blocking::parse_result(iq);
    let _ = xmpp::blocking::classify_push(iq, own);
    let _ = xmpp::mam::page_end(iq);
    let _ = xmpp::avatar::parse_fetched(iq, "0123456789abcdef0123456789abcdef01234567");
    let _ = xmpp::avatar::publish_error(iq);
    let _ = xmpp::avatar::is_precondition_failure(iq);
    let _ = xmpp::register::parse_fields(iq);
    let _ = xmpp::register::classify_result(iq);
    let _ = xmpp::invite::session::classify_jingle(iq);
}

/// A registration file dropped into the profile's `apps/` folder, as the registry reads it
/// (TOML, then every field checked; the local API asks the same registry). Answers whether
/// the registry could read it as a registration at all.
pub fn registration(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    let _ = crate::web_url::HttpsUrl::parse(text);
    match toml::from_str::<crate::apps::Registration>(text) {
        Ok(registration) => {
            let _ = registration.validate();
            true
        }
        Err(_) => false,
    }
}

/// Bytes a client writes to the local API socket: cut into lines, each parsed as a request and
/// its method with its params. Answers how many lines were requests of a known method.
pub fn api_lines(data: &[u8]) -> usize {
    use crate::api::protocol::{Frame, LineDecoder, Request, ServerLine, MAX_LINE_BYTES};
    let mut decoder = LineDecoder::new(MAX_LINE_BYTES);
    let mut frames = Vec::new();
    decoder.feed(data, &mut frames);
    frames.extend(decoder.finish());
    let mut methods = 0;
    for frame in frames {
        let Frame::Line(line) = frame else { continue };
        // The client side reads the server's lines with the same framing.
        let _ = ServerLine::parse(&line);
        if let Ok(request) = Request::parse(&line) {
            methods += usize::from(crate::api::methods::Method::from_request(&request).is_ok());
        }
    }
    methods
}

/// An `xmpp:` link from a web page, a message or the command line, as Nudge reads it before
/// showing what it asks. Answers whether it was a link Nudge can act on.
pub fn xmpp_link(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(data);
    match xmpp::uri::parse(&text) {
        Ok(link) => {
            // What the window shows comes from these.
            let _ = link.jid();
            let _ = format!("{link:?}");
            true
        }
        Err(error) => {
            let _ = error.to_string();
            false
        }
    }
}

/// A history file given to `nudge history import` or the History menu's Import…: the UTF-8
/// check, quick-xml's reader with Nudge's refusals, both formats, the dates and who is who.
/// Answers how many messages the file held.
pub fn history_file(data: &[u8]) -> usize {
    let options = crate::history::ImportOptions {
        peer: BareJid::new("bob@example.org").ok(),
        account: BareJid::new("alice@example.org").ok(),
        own_names: vec!["Alice".into()],
        keep_exported_peers: false,
    };
    // Local times as UTC: the same on every machine, and chrono's full range is exercised.
    let utc = |at: chrono::NaiveDateTime| Some(at.and_utc().timestamp_millis());
    crate::history::parse(data, &options, &utc).map_or(0, |parsed| parsed.messages.len())
}
