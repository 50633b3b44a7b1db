//! The contact list (RFC 6121 §2): fetching it, reading pushes, adding and removing items.

use jid::BareJid;
use minidom::Element;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::ns;
use xmpp_parsers::roster::{Ask, Group, Item, Roster, Subscription as WireSubscription};

use super::{clip, error, from_own_account, ProtocolError};
use crate::model::{Contact, Subscription};

/// One change to the contact list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RosterChange {
    /// The contact was added or changed.
    Updated(Contact),
    /// The contact was removed (bare JID).
    Removed(BareJid),
}

/// A roster push from the server, already checked to come from the user's own account.
#[derive(Clone, Debug, PartialEq)]
pub struct RosterPush {
    /// What changed.
    pub change: RosterChange,
    /// The roster version after this change, if the server versions the roster.
    pub ver: Option<String>,
    /// The empty result the server must get back (RFC 6121 §2.1.6).
    pub reply: Iq,
}

/// Asks for the whole roster.
pub fn request(id: &str) -> Iq {
    Iq::from_get(
        id,
        Roster {
            ver: None,
            items: Vec::new(),
        },
    )
}

/// Reads the answer to [`request`]: every contact, sorted by JID.
pub fn parse_result(iq: &Iq) -> Result<Vec<Contact>, ProtocolError> {
    match iq {
        Iq::Result { payload: None, .. } => Ok(Vec::new()),
        Iq::Result {
            payload: Some(payload),
            ..
        } => Ok(parse_items(&parse_query(payload)?)),
        Iq::Error { error, .. } => Err(ProtocolError::Refused {
            reason: error::describe(error),
        }),
        Iq::Get { .. } | Iq::Set { .. } => Err(ProtocolError::Unexpected {
            expected: "the contact list",
            found: "a request",
        }),
    }
}

/// The contacts in a roster query, sorted by JID; items being removed are left out.
pub fn parse_items(roster: &Roster) -> Vec<Contact> {
    let mut contacts: Vec<Contact> = roster
        .items
        .iter()
        .filter_map(|item| match change(item) {
            RosterChange::Updated(contact) => Some(contact),
            RosterChange::Removed(_) => None,
        })
        .collect();
    contacts.sort_by(|a, b| a.jid.cmp(&b.jid));
    contacts.dedup_by(|a, b| a.jid == b.jid);
    contacts
}

/// What one roster item says: a contact as it now is, or its removal.
pub fn change(item: &Item) -> RosterChange {
    let jid = item.jid.clone();
    let subscription = match item.subscription {
        WireSubscription::Remove => return RosterChange::Removed(jid),
        WireSubscription::None => Subscription::None,
        WireSubscription::To => Subscription::To,
        WireSubscription::From => Subscription::From,
        WireSubscription::Both => Subscription::Both,
    };
    let mut groups: Vec<String> = item
        .groups
        .iter()
        .map(|g| g.0.trim().to_owned())
        .filter(|g| !g.is_empty())
        .collect();
    groups.sort();
    groups.dedup();
    RosterChange::Updated(Contact {
        jid,
        name: item.name.clone().filter(|n| !n.trim().is_empty()),
        groups,
        subscription,
        pending_out: item.ask == Ask::Subscribe,
    })
}

/// Reads a roster push. Pushes from anyone but the user's own account are refused: a stranger
/// could otherwise add or remove contacts. Answer a refused push with `iq::answer`.
pub fn classify_push(iq: &Iq, own: &BareJid) -> Result<RosterPush, ProtocolError> {
    let Iq::Set {
        from, id, payload, ..
    } = iq
    else {
        return Err(ProtocolError::Unexpected {
            expected: "a contact list change",
            found: "another kind of request",
        });
    };
    if !payload.is("query", ns::ROSTER) {
        return Err(ProtocolError::Unexpected {
            expected: "a contact list change",
            found: "another kind of request",
        });
    }
    if !from_own_account(from.as_ref(), own) {
        return Err(ProtocolError::ForeignRosterPush {
            from: from
                .as_ref()
                .map(|f| clip(f.as_str(), 100))
                .unwrap_or_default(),
        });
    }
    let roster = parse_query(payload)?;
    // RFC 6121 §2.1.6: a push carries exactly one item.
    let [item] = roster.items.as_slice() else {
        return Err(ProtocolError::Malformed {
            what: "a contact list change",
        });
    };
    Ok(RosterPush {
        change: change(item),
        ver: roster.ver.clone(),
        reply: Iq::Result {
            from: None,
            to: from.clone(),
            id: id.clone(),
            payload: None,
        },
    })
}

/// Adds a contact or changes its name and groups.
pub fn set_item(id: &str, jid: &BareJid, name: Option<&str>, groups: &[String]) -> Iq {
    let mut groups: Vec<String> = groups.iter().map(|g| g.trim().to_owned()).collect();
    groups.retain(|g| !g.is_empty());
    groups.sort();
    groups.dedup();
    let item = Item {
        jid: jid.clone(),
        name: name.map(str::to_owned).filter(|n| !n.is_empty()),
        subscription: WireSubscription::None,
        ask: Ask::None,
        groups: groups.into_iter().map(Group).collect(),
        approved: None,
    };
    roster_set(id, item)
}

/// Removes a contact (which also cancels the presence subscriptions both ways).
pub fn remove_item(id: &str, jid: &BareJid) -> Iq {
    let item = Item {
        jid: jid.clone(),
        name: None,
        subscription: WireSubscription::Remove,
        ask: Ask::None,
        groups: Vec::new(),
        approved: None,
    };
    roster_set(id, item)
}

/// A roster set with one item.
fn roster_set(id: &str, item: Item) -> Iq {
    Iq::from_set(
        id,
        Roster {
            ver: None,
            items: vec![item],
        },
    )
}

/// Parses a `<query xmlns='jabber:iq:roster'>` element item by item, so one item a server
/// wrote badly (an odd `ask`, an invalid JID) does not cost the user the whole contact list.
fn parse_query(payload: &Element) -> Result<Roster, ProtocolError> {
    if !payload.is("query", ns::ROSTER) {
        return Err(ProtocolError::Malformed {
            what: "a contact list",
        });
    }
    let items = payload
        .children()
        .filter(|child| child.is("item", ns::ROSTER))
        .filter_map(read_item)
        .collect();
    Ok(Roster {
        ver: payload.attr("ver").map(str::to_owned),
        items,
    })
}

/// One roster item, or `None` if it cannot be read even leniently.
fn read_item(child: &Element) -> Option<Item> {
    Item::try_from(child.clone()).ok().or_else(|| {
        // RFC 3921 servers may still send ask='unsubscribe'; it means nothing is pending now.
        let mut lenient = child.clone();
        lenient
            .attrs_mut()
            .retain(|_, name, _| name.as_str() != "ask");
        Item::try_from(lenient).ok()
    })
}
