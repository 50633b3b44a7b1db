//! Requests every client must handle: pings (XEP-0199), service discovery (XEP-0030), and the
//! rule that no `get` or `set` goes unanswered (RFC 6120 §8.2.3).

use std::collections::BTreeSet;

use jid::Jid;
use xmpp_parsers::disco::{DiscoInfoQuery, DiscoInfoResult, Identity};
use xmpp_parsers::iq::Iq;
use xmpp_parsers::ns;
use xmpp_parsers::ping::Ping;
use xmpp_parsers::stanza_error::{DefinedCondition, ErrorType, StanzaError};

/// The features every Nudge client announces.
pub const FEATURES: &[&str] = &[
    ns::DISCO_INFO,
    ns::RECEIPTS,
    ns::CHATSTATES,
    ns::CARBONS,
    ns::PING,
    // Contacts' display pictures are pushed to us (XEP-0084 over PEP).
    super::avatar::NOTIFY_FEATURE,
    // And their display names (XEP-0172 over PEP).
    super::nick::NOTIFY_FEATURE,
];

/// The name Nudge gives itself in service discovery.
pub const CLIENT_NAME: &str = "Nudge";

/// A ping to `to` (the server's domain to check the link, or a contact).
pub fn ping(id: &str, to: &Jid) -> Iq {
    Iq::from_get(id, Ping).with_to(to.clone())
}

/// The answer Nudge owes to an incoming request, or `None` for results and errors (which need
/// none). Pings get a result, disco#info gets Nudge's identity with [`FEATURES`] plus
/// `extra_features`, and everything else gets `service-unavailable`.
///
/// Roster pushes are answered through `roster::classify_push`; route any other request here.
/// Whether strangers may learn the features is the caller's choice: answer them with
/// `refuse(iq)` instead.
pub fn answer(iq: &Iq, extra_features: &[&str]) -> Option<Iq> {
    let Iq::Get {
        from, id, payload, ..
    } = iq
    else {
        return match iq {
            Iq::Set { .. } => Some(refuse(iq)),
            _ => None,
        };
    };
    if payload.is("ping", ns::PING) {
        return Some(result(from, id, None));
    }
    if payload.is("query", ns::DISCO_INFO) {
        let Ok(query) = DiscoInfoQuery::try_from(payload.clone()) else {
            return Some(error_reply(
                iq,
                DefinedCondition::BadRequest,
                ErrorType::Modify,
            ));
        };
        // Nudge publishes no capability nodes yet, so any node is unknown.
        if query.node.is_some() {
            return Some(error_reply(
                iq,
                DefinedCondition::ItemNotFound,
                ErrorType::Cancel,
            ));
        }
        return Some(result(from, id, Some(disco_info(extra_features).into())));
    }
    Some(refuse(iq))
}

/// A `service-unavailable` error for a request Nudge will not serve (RFC 6120 §8.3.3.19).
pub fn refuse(iq: &Iq) -> Iq {
    error_reply(iq, DefinedCondition::ServiceUnavailable, ErrorType::Cancel)
}

/// Nudge's service discovery information.
pub fn disco_info(extra_features: &[&str]) -> DiscoInfoResult {
    let features: BTreeSet<String> = FEATURES
        .iter()
        .chain(extra_features)
        .map(|f| (*f).to_owned())
        .collect();
    DiscoInfoResult {
        node: None,
        identities: vec![Identity {
            category: "client".to_owned(),
            type_: "pc".to_owned(),
            lang: None,
            name: Some(CLIENT_NAME.to_owned()),
        }],
        features,
        extensions: Vec::new(),
    }
}

/// A result to the sender of a request.
fn result(from: &Option<Jid>, id: &str, payload: Option<minidom::Element>) -> Iq {
    Iq::Result {
        from: None,
        to: from.clone(),
        id: id.to_owned(),
        payload,
    }
}

/// An error reply to the sender of a request.
fn error_reply(iq: &Iq, condition: DefinedCondition, type_: ErrorType) -> Iq {
    Iq::Error {
        from: None,
        to: iq.from().cloned(),
        id: iq.id().to_owned(),
        error: StanzaError {
            type_,
            by: None,
            defined_condition: condition,
            texts: Default::default(),
            other: None,
        },
        payload: None,
    }
}
