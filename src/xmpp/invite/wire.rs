//! Elements shared by both phases: Nudge's `<description/>` and XEP-0166's `<reason/>`.
//!
//! These are built and read with minidom rather than xmpp-parsers' `ReasonElement`, because
//! that type refuses the application-specific child (`<not-accepting/>`) XEP-0166 §7.4 allows,
//! and because reading by hand lets every duplicate and limit be checked in one place.

use minidom::Element;
use xmpp_parsers::ns;

use super::validate::{
    validate_address, validate_context, validate_download_url, validate_guid, validate_name,
    validate_sid, MAX_REASON_TEXT_CHARS,
};
use super::{EndReason, Invitation, InviteError, Reason, NS};
use crate::xmpp::clip;

/// Longest unknown condition name kept for the report.
const MAX_UNRECOGNISED_CHARS: usize = 64;

/// `<description xmlns=NS guid name download><context/><address/></description>`.
pub(super) fn description(invitation: &Invitation) -> Element {
    let mut builder = Element::builder("description", NS)
        .attr(rxml::xml_ncname!("guid").into(), invitation.guid.as_str())
        .attr(rxml::xml_ncname!("name").into(), invitation.name.as_str())
        .attr(
            rxml::xml_ncname!("download").into(),
            invitation.download_url.as_str(),
        );
    if let Some(context) = &invitation.context {
        builder = builder.append(context_element(context));
    }
    if let Some(address) = &invitation.address {
        builder = builder.append(address_element(address));
    }
    builder.build()
}

/// `<context xmlns=NS>TEXT</context>`; the text is kept exactly, whitespace included.
pub(super) fn context_element(context: &str) -> Element {
    Element::builder("context", NS).append(context).build()
}

/// `<address xmlns=NS>TEXT</address>`.
pub(super) fn address_element(address: &str) -> Element {
    Element::builder("address", NS).append(address).build()
}

/// Reads a description into an invitation for session `sid`, checking every limit.
pub(super) fn read_description(
    description: &Element,
    sid: &str,
) -> Result<Invitation, InviteError> {
    validate_sid(sid)?;
    let attr = |name, what| description.attr(name).ok_or(InviteError::Missing { what });
    let guid = attr("guid", "application id")?;
    validate_guid(guid)?;
    let name = attr("name", "application name")?;
    validate_name(name)?;
    let download_url = attr("download", "download address")?;
    validate_download_url(download_url)?;
    let context = read_context(description)?;
    let address = read_address(description)?;
    Ok(Invitation {
        sid: sid.to_owned(),
        guid: guid.to_owned(),
        name: name.to_owned(),
        download_url: download_url.to_owned(),
        context,
        address,
    })
}

/// The one `<context/>` child of `parent`, checked; `None` when there is none.
pub(super) fn read_context(parent: &Element) -> Result<Option<String>, InviteError> {
    let Some(context) = single_child(parent, "context", NS, "context data")? else {
        return Ok(None);
    };
    if context.children().next().is_some() {
        return Err(InviteError::Unsupported {
            what: "markup inside context data",
        });
    }
    let text = context.text();
    validate_context(&text)?;
    Ok(Some(text))
}

/// The one `<address/>` child of `parent`, checked; `None` when there is none.
pub(super) fn read_address(parent: &Element) -> Result<Option<String>, InviteError> {
    let Some(address) = single_child(parent, "address", NS, "application address")? else {
        return Ok(None);
    };
    let text = address.text();
    validate_address(&text)?;
    Ok(Some(text))
}

/// The child `name` in `ns`, or an error when there are several.
pub(super) fn single_child<'a>(
    parent: &'a Element,
    name: &str,
    namespace: &str,
    what: &'static str,
) -> Result<Option<&'a Element>, InviteError> {
    let mut found = parent.children().filter(|c| c.is(name, namespace));
    let first = found.next();
    if found.next().is_some() {
        return Err(InviteError::Duplicate { what });
    }
    Ok(first)
}

/// `<reason xmlns='urn:xmpp:jingle:1'><CONDITION/>[<text/>][<not-accepting/>]</reason>`.
pub(super) fn reason(reason: &Reason) -> Element {
    let mut builder = Element::builder("reason", ns::JINGLE)
        .append(Element::builder(reason.condition.wire_name(), ns::JINGLE).build());
    if let Some(text) = reason
        .text
        .as_deref()
        .map(clip_text)
        .filter(|t| !t.is_empty())
    {
        builder = builder.append(Element::builder("text", ns::JINGLE).append(text).build());
    }
    if reason.not_accepting {
        builder = builder.append(Element::builder("not-accepting", NS).build());
    }
    builder.build()
}

/// Reads the `<reason/>` child of `parent`. A missing reason gives `default`; an unknown,
/// missing or ambiguous condition gives `default` with `unrecognised` set, so the session still
/// ends and the caller can report what came.
pub(super) fn read_reason(parent: &Element, default: EndReason) -> Reason {
    let reasons: Vec<&Element> = parent
        .children()
        .filter(|c| c.is("reason", ns::JINGLE))
        .collect();
    let mut reason = Reason::new(default);
    let element = match reasons.as_slice() {
        [] => return reason,
        [one] => *one,
        _ => {
            reason.unrecognised = Some("several reasons".to_owned());
            return reason;
        }
    };
    let conditions: Vec<&Element> = element
        .children()
        .filter(|c| c.ns() == ns::JINGLE && c.name() != "text")
        .collect();
    match conditions.as_slice() {
        [one] => match EndReason::from_wire_name(one.name()) {
            Some(condition) => reason.condition = condition,
            None => reason.unrecognised = Some(clip(one.name(), MAX_UNRECOGNISED_CHARS)),
        },
        [] => reason.unrecognised = Some("no condition".to_owned()),
        _ => reason.unrecognised = Some("several conditions".to_owned()),
    }
    reason.text = element
        .get_child("text", ns::JINGLE)
        .map(|t| clip_text(&t.text()))
        .filter(|t| !t.is_empty());
    reason.not_accepting = element.has_child("not-accepting", NS);
    reason
}

/// Reason text as kept: trimmed, cut to the limit, no control characters but line breaks.
fn clip_text(text: &str) -> String {
    clip(text.trim(), MAX_REASON_TEXT_CHARS)
}
