//! Display pictures (XEP-0084): building publish and fetch requests, reading notifications and
//! fetched data, and refusing what is hostile.

use jid::BareJid;
use xmpp_parsers::ns;

use super::{fixture, iq, message, round_trip};
use crate::xmpp::avatar::{
    check_png, classify_notification, fetch, is_precondition_failure, is_sha1_hex, parse_fetched,
    publish_data, publish_metadata, publish_removal, sha1_hex, without_options, AvatarError,
    Notice, MAX_BYTES, MAX_SIDE,
};

/// The 4×4 PNG in `avatar_data_result.xml` and its SHA-1.
const RED_SHA1: &str = "c5446ab91a22797444bd59d7fcb2bed73e13853f";

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbaImage::from_pixel(width, height, image::Rgba([10, 20, 30, 255]));
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("encode");
    out.into_inner()
}

#[test]
fn sha1_is_forty_lowercase_hex_digits() {
    // The SHA-1 test vector of FIPS 180 ("abc").
    assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert!(is_sha1_hex(RED_SHA1));
    assert!(!is_sha1_hex("../../etc/passwd"));
    assert!(!is_sha1_hex(&"é".repeat(20)));
    assert!(!is_sha1_hex(&RED_SHA1[..39]));
}

#[test]
fn publishing_data_names_the_item_by_the_hash_and_keeps_contacts_only() {
    let bytes = png(3, 2);
    let stanza = round_trip(publish_data("pub-1", &bytes));
    assert_eq!(stanza.attr("type"), Some("set"));
    assert_eq!(
        stanza.attr("to"),
        None,
        "PEP requests go to the own account"
    );
    let pubsub = stanza.get_child("pubsub", ns::PUBSUB).expect("pubsub");
    let publish = pubsub.get_child("publish", ns::PUBSUB).expect("publish");
    assert_eq!(publish.attr("node"), Some(ns::AVATAR_DATA));
    let item = publish.get_child("item", ns::PUBSUB).expect("item");
    assert_eq!(item.attr("id"), Some(sha1_hex(&bytes).as_str()));
    let data = item.get_child("data", ns::AVATAR_DATA).expect("data");
    use base64::Engine;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(data.text().trim())
        .expect("base64");
    assert_eq!(decoded, bytes);
    let options = pubsub
        .get_child("publish-options", ns::PUBSUB)
        .expect("publish-options");
    let wire = String::from(options);
    assert!(wire.contains("pubsub#access_model"), "{wire}");
    assert!(wire.contains("<value>presence</value>"), "{wire}");
}

#[test]
fn publishing_metadata_describes_the_png() {
    let stanza = round_trip(publish_metadata("pub-2", RED_SHA1, 75, 4, 4));
    let publish = stanza
        .get_child("pubsub", ns::PUBSUB)
        .and_then(|p| p.get_child("publish", ns::PUBSUB))
        .expect("publish");
    assert_eq!(publish.attr("node"), Some(ns::AVATAR_METADATA));
    let item = publish.get_child("item", ns::PUBSUB).expect("item");
    assert_eq!(item.attr("id"), Some(RED_SHA1));
    let info = item
        .get_child("metadata", ns::AVATAR_METADATA)
        .and_then(|m| m.get_child("info", ns::AVATAR_METADATA))
        .expect("info");
    assert_eq!(info.attr("id"), Some(RED_SHA1));
    assert_eq!(info.attr("bytes"), Some("75"));
    assert_eq!(info.attr("type"), Some("image/png"));
    assert_eq!(info.attr("width"), Some("4"));
    assert_eq!(info.attr("height"), Some("4"));
}

#[test]
fn a_publish_can_be_retried_without_options_after_a_precondition_failure() {
    let plain = round_trip(without_options(publish_data("pub-4", &png(2, 2))));
    let pubsub = plain.get_child("pubsub", ns::PUBSUB).expect("pubsub");
    assert!(pubsub.get_child("publish", ns::PUBSUB).is_some());
    assert!(pubsub.get_child("publish-options", ns::PUBSUB).is_none());
    assert_eq!(plain.attr("id"), Some("pub-4"));
    let refused = iq("<iq xmlns='jabber:client' type='error' id='pub-4'>
        <error type='cancel'>
          <conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
          <precondition-not-met xmlns='http://jabber.org/protocol/pubsub#errors'/>
        </error>
    </iq>");
    assert!(is_precondition_failure(&refused));
    let forbidden = iq("<iq xmlns='jabber:client' type='error' id='pub-5'>
        <error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>
    </iq>");
    assert!(!is_precondition_failure(&forbidden));
}

#[test]
fn removing_publishes_empty_metadata() {
    let stanza = round_trip(publish_removal("pub-3"));
    let metadata = stanza
        .get_child("pubsub", ns::PUBSUB)
        .and_then(|p| p.get_child("publish", ns::PUBSUB))
        .and_then(|p| p.get_child("item", ns::PUBSUB))
        .and_then(|i| i.get_child("metadata", ns::AVATAR_METADATA))
        .expect("metadata");
    assert_eq!(metadata.children().count(), 0);
}

#[test]
fn fetching_asks_the_owner_for_one_item() {
    let owner = BareJid::new("juliet@capulet.lit").unwrap();
    let stanza = round_trip(fetch("get-1", &owner, RED_SHA1));
    assert_eq!(stanza.attr("type"), Some("get"));
    assert_eq!(stanza.attr("to"), Some("juliet@capulet.lit"));
    let items = stanza
        .get_child("pubsub", ns::PUBSUB)
        .and_then(|p| p.get_child("items", ns::PUBSUB))
        .expect("items");
    assert_eq!(items.attr("node"), Some(ns::AVATAR_DATA));
    let item = items.get_child("item", ns::PUBSUB).expect("item");
    assert_eq!(item.attr("id"), Some(RED_SHA1));
}

#[test]
fn a_notification_picks_the_png_stored_in_pep() {
    let notice = classify_notification(&message(fixture!("avatar_metadata_event")));
    assert_eq!(
        notice,
        Some(Ok(Notice::Set {
            jid: BareJid::new("juliet@capulet.lit").unwrap(),
            sha1: RED_SHA1.to_owned(),
            bytes: 75,
        }))
    );
}

#[test]
fn empty_metadata_means_removed() {
    let notice = classify_notification(&message(fixture!("avatar_metadata_empty")));
    assert_eq!(
        notice,
        Some(Ok(Notice::Removed {
            jid: BareJid::new("juliet@capulet.lit").unwrap()
        }))
    );
}

#[test]
fn hostile_notifications_are_refused_without_crashing() {
    let hostile = classify_notification(&message(fixture!("avatar_metadata_hostile")));
    assert!(
        matches!(hostile, Some(Err(AvatarError::Malformed(_)))),
        "{hostile:?}"
    );
    let huge = classify_notification(&message(fixture!("avatar_metadata_huge")));
    assert_eq!(huge, Some(Err(AvatarError::TooLarge { bytes: 9_000_000 })));
    let no_png = fixture!("avatar_metadata_event").replace("type='image/png'", "type='image/gif'");
    assert!(matches!(
        classify_notification(&message(&no_png)),
        Some(Err(AvatarError::Malformed(_)))
    ));
    let no_sender = fixture!("avatar_metadata_event").replace("from='juliet@capulet.lit'", "");
    assert!(matches!(
        classify_notification(&message(&no_sender)),
        Some(Err(AvatarError::Malformed(_)))
    ));
}

#[test]
fn other_messages_are_not_avatar_notifications() {
    assert_eq!(classify_notification(&message(fixture!("chat_full"))), None);
    let other_node = fixture!("avatar_metadata_event").replace(
        "node='urn:xmpp:avatar:metadata'",
        "node='http://jabber.org/protocol/tune'",
    );
    assert_eq!(classify_notification(&message(&other_node)), None);
}

#[test]
fn fetched_data_is_checked_against_its_hash() {
    let answer = iq(fixture!("avatar_data_result"));
    let bytes = parse_fetched(&answer, RED_SHA1).expect("the picture");
    assert_eq!(sha1_hex(&bytes), RED_SHA1);
    assert_eq!(check_png(&bytes), Ok((4, 4)));
    // The same bytes asked for under another id do not count.
    let other = "111f4b3c50d7b0df729d299bc6f8e9ef9066971f";
    assert!(parse_fetched(&answer, other).is_err());
    let tampered = fixture!("avatar_data_result").replace(
        &format!("item id='{RED_SHA1}'"),
        &format!("item id='{other}'"),
    );
    assert_eq!(
        parse_fetched(&iq(&tampered), other),
        Err(AvatarError::HashMismatch)
    );
}

#[test]
fn fetched_data_that_is_not_a_png_is_refused() {
    let answer = iq(fixture!("avatar_data_not_png"));
    let result = parse_fetched(&answer, "cb70ae82b7a46811c91e8db4edb8cdc0b0cbee5e");
    assert!(matches!(result, Err(AvatarError::NotPng(_))), "{result:?}");
}

#[test]
fn oversized_data_is_refused_before_decoding() {
    let base64 = "A".repeat(MAX_BYTES / 3 * 4 + 8192);
    let xml = fixture!("avatar_data_result").replace(
        "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAYAAACp8Z5+AAAAEklEQVR42mM4oaHxHxkzkC4AAGw4IXGxLAXgAAAAAElFTkSuQmCC",
        &base64,
    );
    let result = parse_fetched(&iq(&xml), RED_SHA1);
    assert!(
        matches!(result, Err(AvatarError::TooLarge { .. })),
        "{result:?}"
    );
}

#[test]
fn an_error_answer_is_a_refusal_in_words() {
    let answer = iq(
        "<iq xmlns='jabber:client' type='error' id='x' from='juliet@capulet.lit'>
        <error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>
    </iq>",
    );
    let result = parse_fetched(&answer, RED_SHA1);
    assert!(
        matches!(&result, Err(AvatarError::Refused(words)) if words.contains("does not exist")),
        "{result:?}"
    );
}

#[test]
fn pictures_over_the_pixel_limit_or_broken_are_refused() {
    assert_eq!(check_png(&png(96, 96)), Ok((96, 96)));
    assert_eq!(
        check_png(&png(MAX_SIDE + 1, 1)).map_err(|e| matches!(
            e,
            AvatarError::NotPng(_) | AvatarError::TooManyPixels { .. }
        )),
        Err(true)
    );
    let mut truncated = png(64, 64);
    truncated.truncate(truncated.len() / 2);
    assert!(check_png(&truncated).is_err());
    assert!(check_png(b"").is_err());
    assert!(matches!(
        check_png(&vec![0u8; MAX_BYTES + 1]),
        Err(AvatarError::TooLarge { .. })
    ));
}
