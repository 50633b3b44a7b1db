//! The ringing phase: XEP-0353 Jingle Message Initiation in `<message type='chat'>` stanzas.
//!
//! xmpp-parsers' `JingleMI` builds the elements it knows; `<ringing/>`, the `<reason/>` inside
//! `<reject/>` and `<retract/>`, and Nudge's `<app-not-present/>` are added with minidom, and
//! every incoming element is read by hand because `JingleMI` refuses a `<reason/>` child.

use jid::{BareJid, FullJid, Jid};
use minidom::Element;
use xmpp_parsers::jingle::SessionId;
use xmpp_parsers::jingle_message::JingleMI;
use xmpp_parsers::message::{Id, Message, MessageType};
use xmpp_parsers::ns;
use xmpp_parsers::stanza_error::StanzaError;

use super::validate::validate_sid;
use super::wire::{description, read_description, read_reason, reason as reason_element};
use super::{EndReason, Invitation, InviteError, InviteFact, Reason, NS};
use crate::xmpp::error;
use crate::xmpp::message::{unwrap_carbon, Origin};

/// XEP-0334 message processing hints.
const HINTS: &str = "urn:xmpp:hints";

/// The kinds of Session Invite message, named as on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Propose,
    Ringing,
    Accept,
    Proceed,
    Reject,
    Retract,
    AppNotPresent,
}

impl Kind {
    const ALL: [Kind; 7] = [
        Kind::Propose,
        Kind::Ringing,
        Kind::Accept,
        Kind::Proceed,
        Kind::Reject,
        Kind::Retract,
        Kind::AppNotPresent,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::Propose => "propose",
            Kind::Ringing => "ringing",
            Kind::Accept => "accept",
            Kind::Proceed => "proceed",
            Kind::Reject => "reject",
            Kind::Retract => "retract",
            Kind::AppNotPresent => "app-not-present",
        }
    }

    /// The kind of a message payload, if it is one of Session Invite's.
    fn of(element: &Element) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| match kind {
            Kind::AppNotPresent => element.is(kind.name(), NS),
            _ => element.is(kind.name(), ns::JINGLE_MESSAGE),
        })
    }
}

/// The invitation, to the contact's bare JID so every device rings. Stored offline and in the
/// archive (`<store/>`) so a device that was away still learns how the invitation ended.
pub fn propose(to: &BareJid, invitation: &Invitation) -> Result<Message, InviteError> {
    invitation.validate()?;
    let propose = JingleMI::Propose {
        sid: SessionId(invitation.sid.clone()),
        description: description(invitation),
    };
    Ok(message(
        to.clone().into(),
        Kind::Propose,
        &invitation.sid,
        propose.into(),
        true,
    ))
}

/// "It is ringing here", to the inviting device.
pub fn ringing(to: &FullJid, sid: &str) -> Message {
    let ringing = Element::builder("ringing", ns::JINGLE_MESSAGE)
        .attr(rxml::xml_ncname!("id").into(), sid)
        .build();
    message(to.clone().into(), Kind::Ringing, sid, ringing, false)
}

/// "Accepted on this device", to the user's own bare JID so their other devices stop ringing.
pub fn accept_elsewhere(own: &BareJid, sid: &str) -> Message {
    let accept = JingleMI::Accept(SessionId(sid.to_owned()));
    message(own.clone().into(), Kind::Accept, sid, accept.into(), true)
}

/// "Accepted: start the session with me", to the inviting device.
pub fn proceed(to: &FullJid, sid: &str) -> Message {
    let proceed = JingleMI::Proceed(SessionId(sid.to_owned()));
    message(to.clone().into(), Kind::Proceed, sid, proceed.into(), true)
}

/// A refusal with its reason, to the inviting device and (as "declined elsewhere") to the
/// user's own bare JID. [`Reason::not_accepting`] is the policy refusal.
pub fn reject(to: &Jid, sid: &str, reason: &Reason) -> Message {
    let mut reject: Element = JingleMI::Reject(SessionId(sid.to_owned())).into();
    reject.append_child(reason_element(reason));
    message(to.clone(), Kind::Reject, sid, reject, true)
}

/// The inviter withdraws the invitation (`cancel` or `timeout`), to the contact's bare JID.
pub fn retract(to: &BareJid, sid: &str, reason: &Reason) -> Message {
    let mut retract: Element = JingleMI::Retract(SessionId(sid.to_owned())).into();
    retract.append_child(reason_element(reason));
    message(to.clone().into(), Kind::Retract, sid, retract, true)
}

/// "The application is not installed here (yet)", to the inviting device; the invitation keeps
/// ringing until the user accepts or it times out.
pub fn app_not_present(to: &FullJid, sid: &str) -> Message {
    let element = Element::builder(Kind::AppNotPresent.name(), NS)
        .attr(rxml::xml_ncname!("id").into(), sid)
        .build();
    message(to.clone().into(), Kind::AppNotPresent, sid, element, false)
}

/// A chat message carrying one Session Invite element. Its id is `KIND:SID`, so a bounce can be
/// matched to the session even when the server does not echo the payload.
fn message(to: Jid, kind: Kind, sid: &str, payload: Element, store: bool) -> Message {
    let mut message = Message::chat(to);
    message.payloads.push(payload);
    message.id = Some(Id(format!("{}:{sid}", kind.name())));
    if store {
        message
            .payloads
            .push(Element::builder("store", HINTS).build());
    }
    message
}

/// Reads an incoming `<message>` for Session Invite facts; other messages give nothing.
///
/// Carbons pass `message::unwrap_carbon`'s checks (only the user's own account may send them);
/// from them only the user's other devices' `accept`, `proceed` and `reject` count, as
/// "answered elsewhere". The user's own devices are also believed directly for `accept` and
/// `reject` sent to the bare JID. Everything from a contact must come from a full JID.
pub fn classify_message(message: Message, own: &BareJid) -> Vec<InviteFact> {
    let Some((origin, inner)) = unwrap_carbon(message, own) else {
        return Vec::new();
    };
    read(&inner, own, origin).into_iter().collect()
}

/// One unwrapped message into at most one fact.
fn read(message: &Message, own: &BareJid, origin: Origin) -> Option<InviteFact> {
    let from = message.from.clone().unwrap_or_else(|| own.clone().into());
    match message.type_ {
        MessageType::Error if origin == Origin::Direct => return bounced(message, from),
        MessageType::Chat | MessageType::Normal => {}
        MessageType::Error | MessageType::Groupchat | MessageType::Headline => return None,
    }
    let found: Vec<(Kind, &Element)> = message
        .payloads
        .iter()
        .filter_map(|p| Kind::of(p).map(|kind| (kind, p)))
        .collect();
    let (kind, element) = *found.first()?;
    let invalid = |sid: Option<&str>, error| {
        Some(InviteFact::Invalid {
            from: from.clone(),
            sid: sid.map(str::to_owned),
            error,
        })
    };
    // Two elements could say opposite things (accept and reject); believe neither.
    if found.len() > 1 {
        return invalid(
            None,
            InviteError::Duplicate {
                what: "invitation element",
            },
        );
    }
    let Some(sid) = element.attr("id").filter(|sid| validate_sid(sid).is_ok()) else {
        return invalid(None, InviteError::BadSid);
    };
    let sid = sid.to_owned();
    match origin {
        // A copy of what a contact sent to another of the user's devices: not for this one.
        // An archived invitation is long over.
        Origin::CarbonReceived | Origin::Archived => None,
        Origin::CarbonSent => elsewhere(kind, from, sid),
        // The server speaking for the account is no device; only a device answers.
        Origin::Direct if message.from.is_none() => None,
        Origin::Direct if from.to_bare() == *own => match kind {
            Kind::Accept | Kind::Reject => elsewhere(kind, from, sid),
            _ => None,
        },
        // Only the user's own devices announce an accept (to their own bare JID).
        Origin::Direct if kind == Kind::Accept => None,
        Origin::Direct => match from.clone().try_into_full() {
            Ok(device) => from_contact(kind, element, device, sid),
            Err(_) => invalid(
                Some(&sid),
                InviteError::UnexpectedSender {
                    from: from.to_string(),
                },
            ),
        },
    }
}

/// What a message from a contact's device means.
fn from_contact(kind: Kind, element: &Element, from: FullJid, sid: String) -> Option<InviteFact> {
    let fact = match kind {
        Kind::Propose => return proposed(element, from, sid),
        Kind::Ringing => InviteFact::Ringing { from, sid },
        Kind::Proceed => InviteFact::Proceeded { from, sid },
        Kind::Reject => InviteFact::Rejected {
            reason: read_reason(element, EndReason::Decline),
            from,
            sid,
        },
        Kind::Retract => InviteFact::Retracted {
            reason: read_reason(element, EndReason::Cancel),
            from,
            sid,
        },
        Kind::AppNotPresent => InviteFact::AppNotPresent { from, sid },
        Kind::Accept => return None,
    };
    Some(fact)
}

/// A proposal, if it describes a Session Invite application (other descriptions, such as a
/// call's, belong to other features and give nothing).
fn proposed(element: &Element, from: FullJid, sid: String) -> Option<InviteFact> {
    let descriptions: Vec<&Element> = element
        .children()
        .filter(|c| c.name() == "description")
        .collect();
    let ours: Vec<&Element> = descriptions
        .iter()
        .copied()
        .filter(|d| d.ns() == NS)
        .collect();
    let result = match (descriptions.len(), ours.as_slice()) {
        (0, _) => Err(InviteError::Missing {
            what: "application description",
        }),
        (_, []) => return None,
        (_, [one]) => read_description(one, &sid),
        _ => Err(InviteError::Duplicate {
            what: "application description",
        }),
    };
    Some(match result {
        Ok(invitation) => InviteFact::Proposed { from, invitation },
        Err(error) => InviteFact::Invalid {
            from: from.into(),
            sid: Some(sid),
            error,
        },
    })
}

/// What one of the user's other devices answered.
fn elsewhere(kind: Kind, from: Jid, sid: String) -> Option<InviteFact> {
    match kind {
        Kind::Accept | Kind::Proceed => Some(InviteFact::AcceptedElsewhere { from, sid }),
        Kind::Reject => Some(InviteFact::DeclinedElsewhere { from, sid }),
        // The user's own proposals, ringing and retractions from another device are not about
        // an invitation this device received.
        Kind::Propose | Kind::Ringing | Kind::Retract | Kind::AppNotPresent => None,
    }
}

/// A bounced Session Invite message: which session, and why in plain words.
fn bounced(message: &Message, to: Jid) -> Option<InviteFact> {
    let sid = message
        .payloads
        .iter()
        .filter(|p| Kind::of(p).is_some())
        .find_map(|p| p.attr("id"))
        .or_else(|| {
            let id = message.id.as_ref()?;
            let (kind, sid) = id.0.split_once(':')?;
            Kind::ALL.iter().any(|k| k.name() == kind).then_some(sid)
        })
        .filter(|sid| validate_sid(sid).is_ok())?;
    let reason = message
        .payloads
        .iter()
        .find(|p| p.is("error", ns::DEFAULT_NS))
        .and_then(|e| StanzaError::try_from(e.clone()).ok())
        .map(|e| error::describe(&e))
        .unwrap_or_else(|| "the invitation could not be delivered".to_owned());
    Some(InviteFact::SendFailed {
        to,
        sid: sid.to_owned(),
        reason,
    })
}
