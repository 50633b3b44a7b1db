//! The API's methods: their names, typed and validated params, and the views they answer with.
//!
//! Pure code: a [`Request`] goes in, a [`Method`] (or an [`ErrorBody`]) comes out, and the
//! views are computed from an [`AppState`]. The server only moves values between these and the
//! core.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::protocol::{ErrorBody, ErrorCode, Request};
use super::session_methods::SessionMethod;
use crate::model::{Availability, BareJid, ConnectionState, ResourcePresence, Subscription};
use crate::state::AppState;

/// Every method name, in the order `docs/api.md` lists them.
pub const METHOD_NAMES: &[&str] = &[
    "status",
    "roster",
    "send",
    "presence",
    "contact_add",
    "contact_remove",
    "contact_approve",
    "contact_deny",
    "history",
    "avatar",
    "open",
    "subscribe",
    "apps",
    "challenge",
    "unlock",
    "create_session",
    "invite",
    "get_launching_session",
    "session",
    "sessions",
    "accept",
    "decline",
    "cancel",
    "end_session",
    "send_context_data",
    "set_local_address",
];

/// How many messages `history` returns when the request does not say.
pub const DEFAULT_HISTORY_LIMIT: usize = 50;
/// The most messages one `history` request may ask for.
pub const MAX_HISTORY_LIMIT: usize = 1000;

/// A request the server understood, with its params checked.
#[derive(Clone, Debug, PartialEq)]
pub enum Method {
    /// The connection and the user's own presence.
    Status,
    /// Every contact with their presence.
    Roster,
    /// Send a chat message.
    Send {
        /// Who.
        to: BareJid,
        /// The text; never empty.
        body: String,
    },
    /// Change the user's presence.
    Presence {
        /// The new availability.
        availability: Availability,
        /// The status message; `None` clears it.
        status: Option<String>,
    },
    /// Add a contact and ask to see their presence.
    ContactAdd {
        /// Who.
        jid: BareJid,
        /// Display name.
        name: Option<String>,
        /// Roster groups.
        groups: Vec<String>,
    },
    /// Remove a contact.
    ContactRemove {
        /// Who.
        jid: BareJid,
    },
    /// Let a contact see the user's presence.
    ContactApprove {
        /// Who.
        jid: BareJid,
    },
    /// Refuse a contact's subscription request.
    ContactDeny {
        /// Who.
        jid: BareJid,
    },
    /// The newest stored messages of a conversation.
    History {
        /// Who.
        peer: BareJid,
        /// How many messages at most.
        limit: usize,
    },
    /// Change the display picture (a file, a built-in picture, or none).
    Avatar(crate::command::Command),
    /// Bring the window to the front and follow an `xmpp:` link, if one is given.
    Open {
        /// The link, read and checked.
        link: Option<crate::xmpp::uri::XmppUri>,
    },
    /// Push every event on this connection from now on.
    Subscribe,
    /// A Session Invite method ([`super::session_methods`]).
    Session(SessionMethod),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParams {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SendParams {
    to: String,
    body: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PresenceParams {
    availability: String,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactAddParams {
    jid: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JidParams {
    jid: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AvatarParams {
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    builtin: Option<String>,
    #[serde(default)]
    remove: bool,
}

/// The display-picture command `avatar`'s params ask for: exactly one of an absolute `path`
/// (Nudge may run in another folder than the caller), a `builtin` picture's name, or
/// `remove: true`.
fn avatar_command(params: &Value) -> Result<crate::command::Command, ErrorBody> {
    use crate::command::Command;
    let p: AvatarParams = typed(params)?;
    match (p.path, p.builtin, p.remove) {
        (Some(path), None, false) if std::path::Path::new(&path).is_absolute() => {
            Ok(Command::SetAvatar { path })
        }
        (Some(path), None, false) => Err(invalid(format!(
            "\"path\" must be absolute: {path:?} is relative"
        ))),
        (None, Some(name), false) if crate::model::builtin_picture(&name).is_some() => {
            Ok(Command::SetBuiltinAvatar { name })
        }
        (None, Some(name), false) => Err(invalid(format!(
            "unknown built-in picture {name:?}; use {}",
            crate::model::BUILTIN_PICTURES.map(|p| p.name).join(", ")
        ))),
        (None, None, true) => Ok(Command::ClearAvatar),
        _ => Err(invalid(
            "give exactly one of \"path\", \"builtin\" or \"remove\": true",
        )),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenParams {
    #[serde(default)]
    uri: Option<String>,
}

/// The link `open`'s params give, read: an unreadable one is refused here, with the reason.
fn open_link(params: &Value) -> Result<Option<crate::xmpp::uri::XmppUri>, ErrorBody> {
    let p: OpenParams = typed(params)?;
    p.uri
        .map(|uri| crate::xmpp::uri::parse(&uri).map_err(|e| invalid(format!("\"uri\": {e}"))))
        .transpose()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryParams {
    peer: String,
    #[serde(default)]
    limit: Option<usize>,
}

impl Method {
    /// Checks a request's method name and params.
    pub fn from_request(request: &Request) -> Result<Self, ErrorBody> {
        let params = &request.params;
        Ok(match request.method.as_str() {
            "status" => no_params(params).map(|()| Self::Status)?,
            "roster" => no_params(params).map(|()| Self::Roster)?,
            "subscribe" => no_params(params).map(|()| Self::Subscribe)?,
            "send" => {
                let p: SendParams = typed(params)?;
                if p.body.trim().is_empty() {
                    return Err(invalid("\"body\" must not be empty"));
                }
                Self::Send {
                    to: user_jid(&p.to, "to")?,
                    body: p.body,
                }
            }
            "presence" => {
                let p: PresenceParams = typed(params)?;
                let availability = Availability::parse(&p.availability).ok_or_else(|| {
                    invalid(format!(
                        "unknown availability {:?}; use online, away, busy, appear_offline or offline",
                        p.availability
                    ))
                })?;
                Self::Presence {
                    availability,
                    status: p.status.filter(|s| !s.is_empty()),
                }
            }
            "contact_add" => {
                let p: ContactAddParams = typed(params)?;
                let mut groups = p.groups;
                groups.sort();
                groups.dedup();
                Self::ContactAdd {
                    jid: user_jid(&p.jid, "jid")?,
                    name: p.name.filter(|n| !n.is_empty()),
                    groups,
                }
            }
            "contact_remove" => Self::ContactRemove {
                jid: jid_param(params)?,
            },
            "contact_approve" => Self::ContactApprove {
                jid: jid_param(params)?,
            },
            "contact_deny" => Self::ContactDeny {
                jid: jid_param(params)?,
            },
            "history" => {
                let p: HistoryParams = typed(params)?;
                let limit = p.limit.unwrap_or(DEFAULT_HISTORY_LIMIT);
                if !(1..=MAX_HISTORY_LIMIT).contains(&limit) {
                    return Err(invalid(format!(
                        "\"limit\" must be between 1 and {MAX_HISTORY_LIMIT}"
                    )));
                }
                Self::History {
                    peer: user_jid(&p.peer, "peer")?,
                    limit,
                }
            }
            "avatar" => Self::Avatar(avatar_command(params)?),
            "open" => Self::Open {
                link: open_link(params)?,
            },
            other => match SessionMethod::parse(other, params)? {
                Some(method) => Self::Session(method),
                None => {
                    return Err(ErrorBody::new(
                        ErrorCode::UnknownMethod,
                        format!(
                            "unknown method {other:?}; known methods: {}",
                            METHOD_NAMES.join(", ")
                        ),
                    ))
                }
            },
        })
    }
}

fn invalid(message: impl Into<String>) -> ErrorBody {
    ErrorBody::new(ErrorCode::InvalidParams, message)
}

/// Reads params into `T`; missing params count as `{}`.
pub(super) fn typed<T: DeserializeOwned>(params: &Value) -> Result<T, ErrorBody> {
    let params = if params.is_null() {
        Value::Object(Default::default())
    } else {
        params.clone()
    };
    serde_json::from_value(params).map_err(|e| invalid(format!("bad params: {e}")))
}

fn no_params(params: &Value) -> Result<(), ErrorBody> {
    typed::<NoParams>(params).map(|_| ())
}

fn jid_param(params: &Value) -> Result<BareJid, ErrorBody> {
    let p: JidParams = typed(params)?;
    user_jid(&p.jid, "jid")
}

/// Checks that `text` is a bare JID of a user (`user@domain`, no resource); the JID is
/// normalised (lower-cased where XMPP ignores case), as every key in Nudge is.
pub fn user_jid(text: &str, field: &str) -> Result<BareJid, ErrorBody> {
    let bad = |why: &str| {
        ErrorBody::new(
            ErrorCode::InvalidJid,
            format!("{field:?} must be a bare JID like user@example.org: {text:?} {why}"),
        )
    };
    if text.contains('/') {
        return Err(bad("has a resource part"));
    }
    let jid = jid::BareJid::new(text).map_err(|e| bad(&format!("is not valid ({e})")))?;
    if jid.node().is_none() {
        return Err(bad("has no user part"));
    }
    Ok(jid)
}

/// The answer to `status`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusView {
    /// The connection state.
    pub connection: ConnectionState,
    /// The user's bare JID while signed in, else `null`.
    pub jid: Option<BareJid>,
    /// The user's own availability.
    pub availability: Availability,
    /// The user's own status message.
    pub status: Option<String>,
}

impl StatusView {
    /// The status as the state knows it.
    pub fn of(state: &AppState) -> Self {
        Self {
            connection: state.connection.clone(),
            jid: state.own_jid(),
            availability: state.own_availability,
            status: state.own_status.clone(),
        }
    }
}

/// One contact in the answer to `roster`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RosterEntry {
    /// Who.
    pub jid: BareJid,
    /// The name the user gave the contact.
    pub name: Option<String>,
    /// Roster groups, sorted.
    pub groups: Vec<String>,
    /// The presence subscription.
    pub subscription: Subscription,
    /// The user asked to see the contact's presence and awaits an answer.
    pub pending_out: bool,
    /// The availability shown for the contact (their best resource).
    pub availability: Availability,
    /// The status message shown for the contact.
    pub status: Option<String>,
    /// Every online resource, sorted by name.
    pub resources: Vec<ResourcePresence>,
}

/// The answer to `roster`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RosterView {
    /// Contacts sorted as the contact list shows them: availability, then name, then JID.
    pub contacts: Vec<RosterEntry>,
    /// Who asked to see the user's presence and awaits an answer.
    pub subscription_requests: Vec<BareJid>,
}

impl RosterView {
    /// The roster as the state knows it.
    pub fn of(state: &AppState) -> Self {
        let contacts = state
            .sorted_contacts()
            .into_iter()
            .map(|entry| RosterEntry {
                jid: entry.contact.jid.clone(),
                name: entry.contact.name.clone(),
                groups: entry.contact.groups.clone(),
                subscription: entry.contact.subscription,
                pending_out: entry.contact.pending_out,
                availability: entry.availability(),
                status: entry.status().map(str::to_string),
                resources: entry.resources.values().cloned().collect(),
            })
            .collect();
        Self {
            contacts,
            subscription_requests: state.subscription_requests.clone(),
        }
    }
}

#[cfg(test)]
#[path = "methods_tests.rs"]
mod tests;
