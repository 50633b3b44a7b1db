//! The Jingle session (XEP-0166) that follows an accepted invitation: `session-initiate`,
//! `session-accept`, `session-info` carrying context data, and `session-terminate`.
//!
//! The one content is named `app`, describes the application in Nudge's namespace and uses the
//! relay transport: context data travels through the XMPP server as `session-info`, so
//! applications work across NAT without their own sockets.

use jid::{FullJid, Jid};
use minidom::Element;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::jingle::{
    Action, Content, ContentId, Creator, Description, Jingle, SessionId, Transport,
};
use xmpp_parsers::ns;
use xmpp_parsers::stanza_error::{DefinedCondition, ErrorType, StanzaError};

use super::validate::{validate_address, validate_context, validate_guid, validate_sid};
use super::wire::{
    address_element, context_element, description, read_address, read_context, read_description,
    read_reason, reason as reason_element, single_child,
};
use super::{EndReason, Invitation, InviteError, JingleFact, Reason, CONTENT_NAME, NS, NS_RELAY};

/// XEP-0166 error conditions (§10).
const NS_JINGLE_ERRORS: &str = "urn:xmpp:jingle:errors:1";

/// The inviter starts the session with the device that sent `proceed`. The description repeats
/// the invitation (its context and the inviter's address included).
pub fn session_initiate(
    id: &str,
    to: &FullJid,
    initiator: &FullJid,
    invitation: &Invitation,
) -> Result<Iq, InviteError> {
    invitation.validate()?;
    let jingle = Jingle::new(Action::SessionInitiate, SessionId(invitation.sid.clone()))
        .with_initiator(initiator.clone().into())
        .add_content(content(description(invitation)));
    Ok(set(id, to, jingle.into()))
}

/// The recipient accepts the session, naming the application and giving its own address.
pub fn session_accept(
    id: &str,
    to: &FullJid,
    responder: &FullJid,
    sid: &str,
    guid: &str,
    address: Option<&str>,
) -> Result<Iq, InviteError> {
    validate_sid(sid)?;
    validate_guid(guid)?;
    let mut description =
        Element::builder("description", NS).attr(rxml::xml_ncname!("guid").into(), guid);
    if let Some(address) = address {
        validate_address(address)?;
        description = description.append(address_element(address));
    }
    let jingle = Jingle::new(Action::SessionAccept, SessionId(sid.to_owned()))
        .with_responder(responder.clone().into())
        .add_content(content(description.build()));
    Ok(set(id, to, jingle.into()))
}

/// Context data for the other side's application (the limit is checked here too).
pub fn session_info(id: &str, to: &FullJid, sid: &str, context: &str) -> Result<Iq, InviteError> {
    validate_sid(sid)?;
    validate_context(context)?;
    let mut jingle = Jingle::new(Action::SessionInfo, SessionId(sid.to_owned()));
    jingle.other.push(context_element(context));
    Ok(set(id, to, jingle.into()))
}

/// Ends the session with a reason.
pub fn session_terminate(id: &str, to: &FullJid, sid: &str, reason: &Reason) -> Iq {
    let mut jingle: Element =
        Jingle::new(Action::SessionTerminate, SessionId(sid.to_owned())).into();
    jingle.append_child(reason_element(reason));
    set(id, to, jingle)
}

/// The empty result every Jingle request of a known session gets.
pub fn ack(request: &Iq) -> Iq {
    Iq::Result {
        from: None,
        to: request.from().cloned(),
        id: request.id().to_owned(),
        payload: None,
    }
}

/// The answer to a Jingle request for a session this device does not have (XEP-0166 §7.2.12).
pub fn unknown_session(request: &Iq) -> Iq {
    let condition = Element::builder("unknown-session", NS_JINGLE_ERRORS).build();
    error_reply(request, DefinedCondition::ItemNotFound, Some(condition))
}

/// The answer to a Jingle request that does not fit the session's state (XEP-0166 §7.2.10):
/// a `session-accept` before the invitation was accepted, twice, or for another application.
pub fn out_of_order(request: &Iq) -> Iq {
    let condition = Element::builder("out-of-order", NS_JINGLE_ERRORS).build();
    error_reply(
        request,
        DefinedCondition::UnexpectedRequest,
        Some(condition),
    )
}

/// The answer to a Jingle request [`classify_jingle`] found wrong: `feature-not-implemented`
/// for what Nudge does not support, else `bad-request`.
pub fn refuse(request: &Iq, error: &InviteError) -> Iq {
    match error {
        InviteError::Unsupported { .. } => {
            let condition = Element::builder("unsupported-info", NS_JINGLE_ERRORS).build();
            error_reply(
                request,
                DefinedCondition::FeatureNotImplemented,
                Some(condition),
            )
        }
        _ => error_reply(request, DefinedCondition::BadRequest, None),
    }
}

/// Reads an incoming Jingle request. `None` when it is not for Session Invite (not a `set`,
/// not Jingle, another application such as a call, or an action Session Invite never sends);
/// `Some(Err)` when it is but breaks the protocol: answer it with [`refuse`].
pub fn classify_jingle(iq: &Iq) -> Option<Result<JingleFact, InviteError>> {
    let Iq::Set { from, payload, .. } = iq else {
        return None;
    };
    if !payload.is("jingle", ns::JINGLE) {
        return None;
    }
    let action = payload.attr("action")?;
    let known = ["session-accept", "session-info", "session-terminate"];
    if action == "session-initiate" {
        let ours = contents(payload).any(|c| c.children().any(|d| d.is("description", NS)));
        if !ours {
            return None;
        }
    } else if !known.contains(&action) {
        return None;
    }
    Some(read(action, payload, from.as_ref()))
}

/// A Session Invite Jingle request, checked.
fn read(action: &str, jingle: &Element, from: Option<&Jid>) -> Result<JingleFact, InviteError> {
    // Jingle is between devices: the server or a bare address cannot be a party.
    let unexpected = |from: &str| InviteError::UnexpectedSender {
        from: from.to_owned(),
    };
    let from = from.ok_or_else(|| unexpected("your server"))?;
    let Ok(from) = from.clone().try_into_full() else {
        return Err(unexpected(from.as_str()));
    };
    let sid = jingle.attr("sid").ok_or(InviteError::BadSid)?;
    validate_sid(sid)?;
    let sid = sid.to_owned();
    match action {
        "session-initiate" => {
            same_party(jingle, "initiator", &from)?;
            let description = our_content(jingle)?;
            let invitation = read_description(description, &sid)?;
            Ok(JingleFact::Initiate { from, invitation })
        }
        "session-accept" => {
            same_party(jingle, "responder", &from)?;
            let description = our_content(jingle)?;
            let guid = description.attr("guid").ok_or(InviteError::Missing {
                what: "application id",
            })?;
            validate_guid(guid)?;
            let address = read_address(description)?;
            Ok(JingleFact::Accept {
                from,
                sid,
                guid: guid.to_owned(),
                address,
            })
        }
        "session-info" => {
            let context = read_context(jingle)?;
            if context.is_none() && jingle.children().next().is_some() {
                return Err(InviteError::Unsupported {
                    what: "that session information",
                });
            }
            Ok(JingleFact::Info { from, sid, context })
        }
        _ => Ok(JingleFact::Terminate {
            from,
            sid,
            // Every Nudge sends a reason; one that does not claim success is the safe reading.
            reason: read_reason(jingle, EndReason::FailedApplication),
        }),
    }
}

/// An `initiator` or `responder` attribute, when present, must name the sender: otherwise one
/// device could start or accept a session in another's name.
fn same_party(jingle: &Element, attr: &str, from: &FullJid) -> Result<(), InviteError> {
    let Some(party) = jingle.attr(attr) else {
        return Ok(());
    };
    // Compared as JIDs, so a differently cased but equal address is the same party.
    if Jid::new(party).ok() == Some(from.clone().into()) {
        return Ok(());
    }
    Err(InviteError::UnexpectedSender {
        from: crate::xmpp::clip(party, 200),
    })
}

/// The description of the one content, which must use the relay transport.
fn our_content(jingle: &Element) -> Result<&Element, InviteError> {
    let all: Vec<&Element> = contents(jingle).collect();
    let content = match all.as_slice() {
        [] => {
            return Err(InviteError::Missing {
                what: "application content",
            })
        }
        [one] => *one,
        _ => {
            return Err(InviteError::Duplicate {
                what: "application content",
            })
        }
    };
    let description = single_child(content, "description", NS, "application description")?.ok_or(
        InviteError::Missing {
            what: "application description",
        },
    )?;
    let transports: Vec<&Element> = content
        .children()
        .filter(|c| c.name() == "transport")
        .collect();
    match transports.as_slice() {
        [one] if one.ns() == NS_RELAY => Ok(description),
        [] => Err(InviteError::Missing { what: "transport" }),
        [_] => Err(InviteError::Unsupported {
            what: "another transport than the server relay",
        }),
        _ => Err(InviteError::Duplicate { what: "transport" }),
    }
}

/// The `<content/>` children of a `<jingle/>`.
fn contents(jingle: &Element) -> impl Iterator<Item = &Element> {
    jingle.children().filter(|c| c.is("content", ns::JINGLE))
}

/// The one content every Session Invite session has.
fn content(description: Element) -> Content {
    Content::new(Creator::Initiator, ContentId(CONTENT_NAME.to_owned()))
        .with_description(Description::Unknown(description))
        .with_transport(Transport::Unknown(
            Element::builder("transport", NS_RELAY).build(),
        ))
}

/// An `<iq type='set'>` carrying `jingle`.
fn set(id: &str, to: &FullJid, jingle: Element) -> Iq {
    Iq::Set {
        from: None,
        to: Some(to.clone().into()),
        id: id.to_owned(),
        payload: jingle,
    }
}

/// An error answer to `request`.
fn error_reply(request: &Iq, condition: DefinedCondition, other: Option<Element>) -> Iq {
    Iq::Error {
        from: None,
        to: request.from().cloned(),
        id: request.id().to_owned(),
        error: StanzaError {
            type_: if condition == DefinedCondition::BadRequest {
                ErrorType::Modify
            } else {
                ErrorType::Cancel
            },
            by: None,
            defined_condition: condition,
            texts: Default::default(),
            other,
        },
        payload: None,
    }
}
