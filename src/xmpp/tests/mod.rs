//! Table-driven tests of the protocol layer, with XML fixtures under `tests/fixtures/xmpp/`.

mod address;
mod avatar;
mod invite;
mod iq;
mod mam;
mod message;
mod presence;
mod register;
mod roster;

use jid::BareJid;
use minidom::Element;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::message::Message;
use xmpp_parsers::presence::Presence;

#[test]
fn new_ids_are_distinct_uuids() {
    let (a, b) = (super::new_id(), super::new_id());
    assert_ne!(a, b);
    assert!(uuid::Uuid::parse_str(&a).is_ok(), "{a}");
}

/// The text of `tests/fixtures/xmpp/<name>.xml`.
macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/xmpp/",
            $name,
            ".xml"
        ))
    };
}
pub(crate) use fixture;

/// The account the tests sign in as.
pub(crate) fn own() -> BareJid {
    BareJid::new("alice@example.org").unwrap()
}

/// Parses XML into an element, as the session's stream reader would.
pub(crate) fn element(xml: &str) -> Element {
    xml.trim().parse().unwrap()
}

/// Parses a `<message>`.
pub(crate) fn message(xml: &str) -> Message {
    Message::try_from(element(xml)).unwrap()
}

/// Parses a `<presence>`.
pub(crate) fn presence(xml: &str) -> Presence {
    Presence::try_from(element(xml)).unwrap()
}

/// Parses an `<iq>`.
pub(crate) fn iq(xml: &str) -> Iq {
    Iq::try_from(element(xml)).unwrap()
}

/// Serialises a stanza as it would go on the wire.
pub(crate) fn wire(stanza: impl Into<Element>) -> String {
    String::from(&stanza.into())
}

/// Serialises and parses back, so checks look at the element tree rather than attribute order.
pub(crate) fn round_trip(stanza: impl Into<Element>) -> Element {
    element(&wire(stanza))
}
