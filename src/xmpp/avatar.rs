//! Display pictures: XEP-0084 User Avatar over PEP (XEP-0163).
//!
//! Publishing is two requests: the PNG goes to the `urn:xmpp:avatar:data` node under an item
//! named by the SHA-1 of its bytes, then a `urn:xmpp:avatar:metadata` item with the same id tells
//! contacts about it. Contacts learn of changes from metadata notifications (Nudge announces
//! `urn:xmpp:avatar:metadata+notify` in its capabilities), fetch the data item by id and check its
//! hash before using it. An empty `<metadata/>` means the picture was removed.
//!
//! Everything from the network is hostile until checked: sizes are limited before anything is
//! decoded, ids must be 40 hex digits, and the image must really be a PNG of a sane size.

use jid::{BareJid, Jid};
use minidom::Element;
use sha1::{Digest, Sha1};
use xmpp_parsers::avatar::{Data, Info, Metadata};
use xmpp_parsers::data_forms::{DataForm, DataFormType, Field, FieldType};
use xmpp_parsers::iq::Iq;
use xmpp_parsers::message::Message;
use xmpp_parsers::ns;
use xmpp_parsers::pubsub::event::Payload;
use xmpp_parsers::pubsub::pubsub::{Item, Items, Publish, PublishOptions};
use xmpp_parsers::pubsub::{self, ItemId, NodeName, PubSub};

/// The feature that asks the server to push contacts' avatar metadata (XEP-0163 §4.3).
pub const NOTIFY_FEATURE: &str = "urn:xmpp:avatar:metadata+notify";

/// The only image type Nudge publishes and fetches (XEP-0084 §4.2.1 makes PNG mandatory).
pub const PNG: &str = "image/png";

/// The largest picture Nudge publishes or accepts, in bytes.
pub const MAX_BYTES: usize = 512 * 1024;

/// The largest side of a picture Nudge accepts, in pixels.
pub const MAX_SIDE: u32 = 1024;

/// Who may see the published picture: those who see the user's presence (contacts), as in
/// Messenger. The same for data and metadata, as XEP-0084 §5 asks.
const ACCESS_MODEL: &str = "presence";

/// What is wrong with a picture or an avatar stanza, in words for the log or the user.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AvatarError {
    /// More bytes than [`MAX_BYTES`].
    #[error("the picture is too large ({bytes} bytes; at most {max} are accepted)", max = MAX_BYTES)]
    TooLarge {
        /// How many bytes it has (or claims to have).
        bytes: usize,
    },
    /// Wider or taller than [`MAX_SIDE`].
    #[error(
        "the picture is too big ({width}×{height} pixels; at most {max}×{max} are accepted)",
        max = MAX_SIDE
    )]
    TooManyPixels {
        /// Its width.
        width: u32,
        /// Its height.
        height: u32,
    },
    /// The bytes do not hash to the id they were published under.
    #[error("the picture does not match its published fingerprint")]
    HashMismatch,
    /// The bytes are not a readable PNG.
    #[error("the picture is not a readable PNG image: {0}")]
    NotPng(String),
    /// The stanza does not follow XEP-0084.
    #[error("the avatar information could not be read: {0}")]
    Malformed(&'static str),
    /// The server answered with an error (or without the item).
    #[error("the server did not give the picture: {0}")]
    Refused(String),
}

/// What a metadata notification says about someone's picture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// The picture is now the PNG with this SHA-1 (hex) and size.
    Set {
        /// Whose picture (the publisher's bare JID).
        jid: BareJid,
        /// SHA-1 of the PNG, 40 lowercase hex digits.
        sha1: String,
        /// Its size in bytes, as announced.
        bytes: u32,
    },
    /// The picture was removed (empty metadata).
    Removed {
        /// Whose picture.
        jid: BareJid,
    },
}

/// The SHA-1 of `bytes` as 40 lowercase hex digits (the item id of a picture).
pub fn sha1_hex(bytes: &[u8]) -> String {
    Sha1::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `id` is a SHA-1 in hex, so it is safe as an item id and as a file name.
pub fn is_sha1_hex(id: &str) -> bool {
    id.len() == 40 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Checks `png` is a PNG within the limits; returns its width and height.
pub fn check_png(png: &[u8]) -> Result<(u32, u32), AvatarError> {
    if png.len() > MAX_BYTES {
        return Err(AvatarError::TooLarge { bytes: png.len() });
    }
    let mut reader =
        image::ImageReader::with_format(std::io::Cursor::new(png), image::ImageFormat::Png);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    reader.limits(limits);
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| AvatarError::NotPng(e.to_string()))?;
    if width > MAX_SIDE || height > MAX_SIDE || width == 0 || height == 0 {
        return Err(AvatarError::TooManyPixels { width, height });
    }
    // Decoding the whole image proves it is not a valid header in front of junk.
    let mut reader =
        image::ImageReader::with_format(std::io::Cursor::new(png), image::ImageFormat::Png);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(u64::from(MAX_SIDE) * u64::from(MAX_SIDE) * 8);
    reader.limits(limits);
    reader
        .decode()
        .map_err(|e| AvatarError::NotPng(e.to_string()))?;
    Ok((width, height))
}

/// Publishes `png` to the data node, named by its SHA-1 (step one of two).
pub fn publish_data(id: &str, png: &[u8]) -> Iq {
    let item = Item::new(
        Some(ItemId(sha1_hex(png))),
        None,
        Some(Data { data: png.to_vec() }),
    );
    publish(id, ns::AVATAR_DATA, item)
}

/// Announces the PNG with this hash, size and dimensions on the metadata node (step two).
pub fn publish_metadata(id: &str, sha1: &str, bytes: usize, width: u32, height: u32) -> Iq {
    let info = metadata_info(sha1, bytes, width, height);
    let metadata = Metadata {
        infos: info.into_iter().collect(),
    };
    let item = Item::new(Some(ItemId(sha1.to_owned())), None, Some(metadata));
    publish(id, ns::AVATAR_METADATA, item)
}

/// Tells contacts the picture was removed: empty metadata (XEP-0084 §4.5).
pub fn publish_removal(id: &str) -> Iq {
    let item = Item::new(None, None, Some(Metadata { infos: vec![] }));
    publish(id, ns::AVATAR_METADATA, item)
}

/// Asks `owner`'s data node for the picture with this hash (XEP-0084 §4.3).
pub fn fetch(id: &str, owner: &BareJid, sha1: &str) -> Iq {
    let mut items = Items::new(ns::AVATAR_DATA);
    items.items.push(Item {
        id: Some(ItemId(sha1.to_owned())),
        publisher: None,
        payload: None,
    });
    Iq::from_get(id, PubSub::Items(items)).with_to(Jid::from(owner.clone()))
}

/// Reads a metadata notification: `None` if `message` carries none (so other handlers may
/// look), `Some(Err)` if it does but it cannot be used.
pub fn classify_notification(message: &Message) -> Option<Result<Notice, AvatarError>> {
    let event = message
        .payloads
        .iter()
        .find(|p| p.is("event", ns::PUBSUB_EVENT))?;
    let items = event.get_child("items", ns::PUBSUB_EVENT)?;
    if items.attr("node") != Some(ns::AVATAR_METADATA) {
        return None;
    }
    // PEP events come from the publisher's bare JID.
    let Some(jid) = message.from.as_ref().map(Jid::to_bare) else {
        return Some(Err(AvatarError::Malformed(
            "a notification without a sender",
        )));
    };
    Some(read_event(event.clone(), jid))
}

fn read_event(event: Element, jid: BareJid) -> Result<Notice, AvatarError> {
    if !ids_are_sha1(&event) {
        return Err(AvatarError::Malformed("an id that is not a SHA-1"));
    }
    let event = pubsub::Event::try_from(event)
        .map_err(|_| AvatarError::Malformed("an unreadable notification"))?;
    let Payload::Items { published, .. } = event.payload else {
        return Err(AvatarError::Malformed("a notification without items"));
    };
    // The last item is the newest.
    let Some(payload) = published.into_iter().filter_map(|i| i.payload).next_back() else {
        return Err(AvatarError::Malformed("a notification without metadata"));
    };
    let metadata =
        Metadata::try_from(payload).map_err(|_| AvatarError::Malformed("unreadable metadata"))?;
    if metadata.infos.is_empty() {
        return Ok(Notice::Removed { jid });
    }
    // Only a PNG stored in PEP is fetched; pictures only on the web (`url`) are not.
    let info = metadata
        .infos
        .iter()
        .find(|i| i.type_ == PNG && i.url.is_none())
        .ok_or(AvatarError::Malformed("no PNG picture in the metadata"))?;
    if info.bytes as usize > MAX_BYTES {
        return Err(AvatarError::TooLarge {
            bytes: info.bytes as usize,
        });
    }
    Ok(Notice::Set {
        jid,
        sha1: info.id.to_hex(),
        bytes: info.bytes,
    })
}

/// Reads the answer to [`fetch`]: the PNG, checked against `sha1` and the limits.
pub fn parse_fetched(iq: &Iq, sha1: &str) -> Result<Vec<u8>, AvatarError> {
    let payload = match iq {
        Iq::Result {
            payload: Some(payload),
            ..
        } => payload,
        Iq::Error { error, .. } => return Err(AvatarError::Refused(super::error::describe(error))),
        _ => return Err(AvatarError::Refused("an empty answer".to_owned())),
    };
    // Refuse oversized data before decoding base64 (4 characters carry 3 bytes).
    let text_len: usize = payload.descendants_text_len().unwrap_or(usize::MAX);
    if text_len > MAX_BYTES / 3 * 4 + 4096 {
        return Err(AvatarError::TooLarge {
            bytes: text_len / 4 * 3,
        });
    }
    let PubSub::Items(items) = PubSub::try_from(payload.clone())
        .map_err(|_| AvatarError::Malformed("an unreadable answer"))?
    else {
        return Err(AvatarError::Malformed("an answer without items"));
    };
    let data = items
        .items
        .into_iter()
        .filter(|i| i.id.as_ref().is_some_and(|id| id.0 == sha1))
        .find_map(|i| i.payload)
        .ok_or_else(|| AvatarError::Refused("the item is missing".to_owned()))?;
    let data = Data::try_from(data).map_err(|_| AvatarError::Malformed("unreadable data"))?;
    if data.data.len() > MAX_BYTES {
        return Err(AvatarError::TooLarge {
            bytes: data.data.len(),
        });
    }
    if sha1_hex(&data.data) != sha1 {
        return Err(AvatarError::HashMismatch);
    }
    check_png(&data.data)?;
    Ok(data.data)
}

/// Why a publish request failed, in plain words.
pub fn publish_error(iq: &Iq) -> Option<String> {
    match iq {
        Iq::Error { error, .. } => Some(super::error::describe(error)),
        _ => None,
    }
}

/// Whether a publish failed only because the node is configured otherwise (XEP-0060 §7.1.5,
/// `precondition-not-met`: another client made it, say with an `open` access model).
pub fn is_precondition_failure(iq: &Iq) -> bool {
    matches!(iq, Iq::Error { error, .. }
        if error.defined_condition == xmpp_parsers::stanza_error::DefinedCondition::Conflict)
}

/// The same publish request without its publish-options, to retry into a node configured by
/// another client (the server then keeps that node's access model).
pub fn without_options(request: Iq) -> Iq {
    let Iq::Set {
        from,
        to,
        id,
        payload,
    } = request
    else {
        return request;
    };
    let payload = match PubSub::try_from(payload.clone()) {
        Ok(PubSub::Publish { publish, .. }) => PubSub::Publish {
            publish,
            publish_options: None,
        }
        .into(),
        _ => payload,
    };
    Iq::Set {
        from,
        to,
        id,
        payload,
    }
}

fn publish(id: &str, node: &str, item: Item) -> Iq {
    let form = DataForm::new(
        DataFormType::Submit,
        "http://jabber.org/protocol/pubsub#publish-options",
        vec![Field::new("pubsub#access_model", FieldType::ListSingle).with_value(ACCESS_MODEL)],
    );
    Iq::from_set(
        id,
        PubSub::Publish {
            publish: Publish {
                node: NodeName(node.to_owned()),
                items: vec![item],
            },
            publish_options: Some(PublishOptions { form: Some(form) }),
        },
    )
}

fn metadata_info(sha1: &str, bytes: usize, width: u32, height: u32) -> Option<Info> {
    let id = sha1.parse().ok()?;
    Some(Info {
        bytes: u32::try_from(bytes).ok()?,
        width: u16::try_from(width).ok(),
        height: u16::try_from(height).ok(),
        id,
        type_: PNG.to_owned(),
        url: None,
    })
}

/// Whether every `info` id in an event is 40 hex digits. The parser's hex reading slices the
/// text by bytes, so anything else (multi-byte characters) must never reach it.
fn ids_are_sha1(event: &Element) -> bool {
    event
        .children()
        .flat_map(Element::children)
        .flat_map(Element::children)
        .flat_map(Element::children)
        .filter(|e| e.is("info", ns::AVATAR_METADATA))
        .all(|info| info.attr("id").is_some_and(is_sha1_hex))
}

/// The length of all text below an element, without copying it.
trait TextLen {
    fn descendants_text_len(&self) -> Option<usize>;
}

impl TextLen for Element {
    fn descendants_text_len(&self) -> Option<usize> {
        let mut total = self.texts().map(str::len).sum::<usize>();
        for child in self.children() {
            total = total.checked_add(child.descendants_text_len()?)?;
        }
        Some(total)
    }
}
