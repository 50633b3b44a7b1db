//! The Session Invite methods (the seeds' `IMsgrSessionManager` / `IMsgrSession`): names and
//! checked params.
//!
//! Pure code, like [`super::methods`], which hands every name it does not know to
//! [`SessionMethod::parse`].

use serde::Deserialize;
use serde_json::Value;

use super::methods::{typed, user_jid};
use super::protocol::{ErrorBody, ErrorCode};
use super::sessions::{session_error, Action};
use crate::apps::Guid;
use crate::invite::{check_address, check_context};

/// How a connection proves what it may do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// The one-time cookie of a launched program.
    Cookie(String),
    /// The token `nudge ctl` reads from the runtime folder.
    Token(String),
    /// A registered application's answer to `challenge`.
    Key {
        /// The application's GUID, canonical.
        guid: String,
        /// Hex of HMAC-SHA256(key, nonce).
        response: String,
    },
}

/// A session method the server understood, with its params checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionMethod {
    /// The registered applications (never their keys).
    Apps,
    /// A nonce for the key challenge/response.
    Challenge {
        /// The application's GUID, canonical.
        guid: String,
    },
    /// Unlock the session methods.
    Unlock(Credential),
    /// A new READY session kept by the server.
    CreateSession {
        /// The application's GUID, canonical.
        app_guid: String,
        /// Context data for the invitation.
        context: Option<String>,
        /// This side's application address.
        local_address: Option<String>,
    },
    /// Invite a contact with a created session, or a new one.
    Invite {
        /// A session from `create_session`; `None` creates one from `app_guid`.
        session: Option<String>,
        /// The contact.
        to: crate::model::BareJid,
        /// The application's GUID when no session is given.
        app_guid: Option<String>,
        /// Context data (replaces the created session's).
        context: Option<String>,
        /// This side's application address (replaces the created session's).
        local_address: Option<String>,
    },
    /// The session a launch cookie was issued for.
    GetLaunchingSession,
    /// One session.
    Session {
        /// Its id.
        session: String,
    },
    /// Every session in the connection's scope.
    Sessions,
    /// Do something to a session.
    Act {
        /// Its id.
        session: String,
        /// What to do.
        action: Action,
    },
}

impl SessionMethod {
    /// Whether the method needs an unlocked connection.
    pub fn needs_unlock(&self) -> bool {
        !matches!(self, Self::Apps | Self::Challenge { .. } | Self::Unlock(_))
    }

    /// Checks a session method's params; `Ok(None)` when `name` is not a session method.
    pub fn parse(name: &str, params: &Value) -> Result<Option<Self>, ErrorBody> {
        Ok(Some(match name {
            "apps" => typed::<Empty>(params).map(|_| Self::Apps)?,
            "sessions" => typed::<Empty>(params).map(|_| Self::Sessions)?,
            "get_launching_session" => typed::<Empty>(params).map(|_| Self::GetLaunchingSession)?,
            "challenge" => {
                let p: ChallengeParams = typed(params)?;
                Self::Challenge {
                    guid: guid(&p.guid, "guid")?,
                }
            }
            "unlock" => Self::Unlock(credential(typed(params)?)?),
            "create_session" => {
                let p: CreateParams = typed(params)?;
                Self::CreateSession {
                    app_guid: guid(&p.app_guid, "app_guid")?,
                    context: context(p.context)?,
                    local_address: address(p.local_address)?,
                }
            }
            "invite" => invite(typed(params)?)?,
            "session" => Self::Session {
                session: session_id(typed::<SessionParams>(params)?.session)?,
            },
            "accept" | "decline" | "cancel" | "end_session" => Self::Act {
                session: session_id(typed::<SessionParams>(params)?.session)?,
                action: match name {
                    "accept" => Action::Accept,
                    "decline" => Action::Decline,
                    "cancel" => Action::Cancel,
                    _ => Action::End,
                },
            },
            "send_context_data" => {
                let p: DataParams = typed(params)?;
                check_context(&p.data).map_err(session_error)?;
                Self::Act {
                    session: session_id(p.session)?,
                    action: Action::SendContextData { data: p.data },
                }
            }
            "set_local_address" => {
                let p: AddressParams = typed(params)?;
                check_address(&p.address).map_err(session_error)?;
                Self::Act {
                    session: session_id(p.session)?,
                    action: Action::SetLocalAddress { address: p.address },
                }
            }
            _ => return Ok(None),
        }))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Empty {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChallengeParams {
    guid: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnlockParams {
    #[serde(default)]
    cookie: Option<String>,
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    guid: Option<String>,
    #[serde(default)]
    response: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateParams {
    app_guid: String,
    #[serde(default)]
    context: Option<String>,
    #[serde(default)]
    local_address: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InviteParams {
    #[serde(default)]
    session: Option<String>,
    to: String,
    #[serde(default)]
    app_guid: Option<String>,
    #[serde(default)]
    context: Option<String>,
    #[serde(default)]
    local_address: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionParams {
    session: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DataParams {
    session: String,
    data: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddressParams {
    session: String,
    address: String,
}

fn invalid(message: impl Into<String>) -> ErrorBody {
    ErrorBody::new(ErrorCode::InvalidParams, message)
}

fn credential(p: UnlockParams) -> Result<Credential, ErrorBody> {
    match p {
        UnlockParams {
            cookie: Some(cookie),
            token: None,
            guid: None,
            response: None,
        } => Ok(Credential::Cookie(cookie)),
        UnlockParams {
            cookie: None,
            token: Some(token),
            guid: None,
            response: None,
        } => Ok(Credential::Token(token)),
        UnlockParams {
            cookie: None,
            token: None,
            guid: Some(g),
            response: Some(response),
        } => Ok(Credential::Key {
            guid: guid(&g, "guid")?,
            response,
        }),
        _ => Err(invalid(
            "give exactly one of: \"cookie\"; \"token\"; or \"guid\" with \"response\"",
        )),
    }
}

fn invite(p: InviteParams) -> Result<SessionMethod, ErrorBody> {
    let app_guid = match (&p.session, &p.app_guid) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "give either \"session\" (a created session) or \"app_guid\", not both",
            ))
        }
        (None, None) => {
            return Err(invalid(
                "give \"session\" (from create_session) or \"app_guid\"",
            ))
        }
        (_, Some(g)) => Some(guid(g, "app_guid")?),
        (_, None) => None,
    };
    Ok(SessionMethod::Invite {
        session: p.session.map(session_id).transpose()?,
        to: user_jid(&p.to, "to")?,
        app_guid,
        context: context(p.context)?,
        local_address: address(p.local_address)?,
    })
}

fn guid(text: &str, field: &str) -> Result<String, ErrorBody> {
    Guid::parse(text).map(String::from).map_err(|_| {
        invalid(format!(
            "{field:?} must be an application GUID like {{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}}"
        ))
    })
}

fn session_id(id: String) -> Result<String, ErrorBody> {
    if id.is_empty() || id.len() > 128 || id.chars().any(char::is_control) {
        return Err(invalid(
            "\"session\" must be a session id such as create_session returns",
        ));
    }
    Ok(id)
}

fn context(data: Option<String>) -> Result<Option<String>, ErrorBody> {
    if let Some(data) = &data {
        check_context(data).map_err(session_error)?;
    }
    Ok(data)
}

fn address(address: Option<String>) -> Result<Option<String>, ErrorBody> {
    if let Some(address) = &address {
        check_address(address).map_err(session_error)?;
    }
    Ok(address.filter(|a| !a.is_empty()))
}

#[cfg(test)]
#[path = "session_methods_tests.rs"]
mod tests;
