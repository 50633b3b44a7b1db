//! XEP-0191 blocking: the server-side list of addresses whose messages and presence never
//! reach the user.

use tokio_xmpp::parsers::blocking::{Block, BlocklistRequest, BlocklistResult, Unblock};
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::jid::{BareJid, Jid};
use tokio_xmpp::parsers::ns;

/// Asks for the block list.
pub fn request(id: &str) -> Iq {
    Iq::from_get(id, BlocklistRequest)
}

/// Blocks `jid`.
pub fn block(id: &str, jid: &BareJid) -> Iq {
    Iq::from_set(
        id,
        Block {
            items: vec![Jid::from(jid.clone())],
        },
    )
}

/// Unblocks `jid`.
pub fn unblock(id: &str, jid: &BareJid) -> Iq {
    Iq::from_set(
        id,
        Unblock {
            items: vec![Jid::from(jid.clone())],
        },
    )
}

/// The blocked addresses in a block list answer, sorted.
pub fn parse_result(iq: &Iq) -> Option<Vec<Jid>> {
    let Iq::Result {
        payload: Some(payload),
        ..
    } = iq
    else {
        return None;
    };
    let result = BlocklistResult::try_from(payload.clone()).ok()?;
    Some(sorted(result.items))
}

/// A change pushed by the server (only from the user's own account, RFC 6121 rules).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockPush {
    /// These were blocked.
    Blocked(Vec<Jid>),
    /// These were unblocked; an empty list means everything was.
    Unblocked(Vec<Jid>),
}

/// Reads a block list push; `None` if `iq` is not one or does not come from the user's account.
pub fn classify_push(iq: &Iq, own: &BareJid) -> Option<BlockPush> {
    let Iq::Set { from, payload, .. } = iq else {
        return None;
    };
    if from.as_ref().is_some_and(|f| f.to_bare() != *own) {
        return None;
    }
    if payload.is("block", ns::BLOCKING) {
        let block = Block::try_from(payload.clone()).ok()?;
        return Some(BlockPush::Blocked(sorted(block.items)));
    }
    if payload.is("unblock", ns::BLOCKING) {
        let unblock = Unblock::try_from(payload.clone()).ok()?;
        return Some(BlockPush::Unblocked(sorted(unblock.items)));
    }
    None
}

fn sorted(mut list: Vec<Jid>) -> Vec<Jid> {
    list.sort();
    list.dedup();
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use minidom::Element;

    fn jid(text: &str) -> Jid {
        Jid::new(text).expect("jid")
    }

    fn iq(xml: &str) -> Iq {
        Iq::try_from(xml.parse::<Element>().expect("xml")).expect("iq")
    }

    #[test]
    fn pushes_from_the_own_account_are_read_and_others_refused() {
        let own = BareJid::new("alice@x").expect("jid");
        let push = iq("<iq xmlns='jabber:client' type='set' id='p'><block xmlns='urn:xmpp:blocking'><item jid='spam@y'/><item jid='eve@z'/></block></iq>");
        assert_eq!(
            classify_push(&push, &own),
            Some(BlockPush::Blocked(vec![jid("eve@z"), jid("spam@y")]))
        );
        let spoof = iq("<iq xmlns='jabber:client' type='set' id='p' from='mallory@y'><unblock xmlns='urn:xmpp:blocking'/></iq>");
        assert_eq!(classify_push(&spoof, &own), None);
        let all = iq("<iq xmlns='jabber:client' type='set' id='p' from='alice@x'><unblock xmlns='urn:xmpp:blocking'/></iq>");
        assert_eq!(
            classify_push(&all, &own),
            Some(BlockPush::Unblocked(vec![]))
        );
    }

    #[test]
    fn the_list_is_parsed_sorted() {
        let answer = iq("<iq xmlns='jabber:client' type='result' id='b'><blocklist xmlns='urn:xmpp:blocking'><item jid='z@y'/><item jid='a@y'/></blocklist></iq>");
        assert_eq!(parse_result(&answer), Some(vec![jid("a@y"), jid("z@y")]));
        let block = String::from(&Element::from(block(
            "b",
            &BareJid::new("spam@y").expect("jid"),
        )));
        assert!(
            block.contains("urn:xmpp:blocking") && block.contains("spam@y"),
            "{block}"
        );
    }
}
