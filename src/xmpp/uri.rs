//! `xmpp:` links (RFC 5122, actions from XEP-0147): what a link on a web page or in a message asks
//! Nudge to do — open a conversation, add a contact, join a room.
//!
//! Pure parsing: the window decides what to show, and nothing happens without the user.

use jid::{BareJid, Jid};
use percent_encoding::percent_decode_str;
use serde::{Deserialize, Serialize};

/// Longest link accepted (a link is typed or clicked, not a document).
pub const MAX_URI_LEN: usize = 4096;

/// What an `xmpp:` link asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum XmppUri {
    /// Open a conversation, with text ready in the composer (`?message;body=...`, or no action).
    Message {
        /// Who to talk to.
        jid: BareJid,
        /// Text to put in the composer, not sent until the user sends it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
    },
    /// Offer to add a contact (`?roster` or `?subscribe`).
    Roster {
        /// Who.
        jid: BareJid,
        /// The name to give them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// The group to put them in.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<String>,
    },
    /// Join a group conversation (`?join`).
    Join {
        /// The room.
        room: BareJid,
        /// Its password, if the link gives one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        password: Option<String>,
    },
    /// Invite someone to a group conversation (`?invite;jid=...`).
    Invite {
        /// The room.
        room: BareJid,
        /// Who to invite, if the link names them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        jid: Option<BareJid>,
    },
}

/// Why a link cannot be used, in words the user can be shown.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UriError {
    /// Not an `xmpp:` link at all.
    #[error("{0:?} is not an xmpp: link")]
    NotXmpp(String),
    /// Longer than anyone types or clicks.
    #[error("the link is longer than {MAX_URI_LEN} characters")]
    TooLong,
    /// The address in it is not a valid XMPP address.
    #[error("the link's address {0:?} is not a valid XMPP address")]
    BadAddress(String),
    /// An action Nudge does not carry out.
    #[error("Nudge cannot do what the link asks ({0:?})")]
    UnknownAction(String),
    /// Percent-escapes that do not make text.
    #[error("the link is not readable (its escapes do not make text)")]
    BadEscapes,
}

impl XmppUri {
    /// The address the link is about (a contact or a room).
    pub fn jid(&self) -> &BareJid {
        match self {
            Self::Message { jid, .. } | Self::Roster { jid, .. } => jid,
            Self::Join { room, .. } | Self::Invite { room, .. } => room,
        }
    }
}

/// Reads an `xmpp:` link.
pub fn parse(text: &str) -> Result<XmppUri, UriError> {
    let text = text.trim();
    if text.len() > MAX_URI_LEN {
        return Err(UriError::TooLong);
    }
    let Some(rest) = strip_scheme(text) else {
        return Err(UriError::NotXmpp(text.chars().take(40).collect()));
    };
    // `xmpp://account@host/target?...` names the account to use first; Nudge uses its own.
    let rest = match rest.strip_prefix("//") {
        Some(with_authority) => with_authority
            .split_once('/')
            .map(|(_, target)| target)
            .unwrap_or(""),
        None => rest,
    };
    let rest = rest.split('#').next().unwrap_or("");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let jid = bare(&decode(path)?)?;
    let mut parts = query.split(';');
    let action = decode(parts.next().unwrap_or(""))?;
    let mut params = Vec::new();
    for part in parts.filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        params.push((decode(key)?, decode(value)?));
    }
    let param = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .filter(|value| !value.is_empty())
    };
    match action.as_str() {
        "" | "message" => Ok(XmppUri::Message {
            jid,
            body: param("body"),
        }),
        "roster" | "subscribe" => Ok(XmppUri::Roster {
            jid,
            name: param("name"),
            group: param("group"),
        }),
        "join" => Ok(XmppUri::Join {
            room: jid,
            password: param("password"),
        }),
        "invite" => Ok(XmppUri::Invite {
            room: jid,
            jid: param("jid").map(|j| bare(&j)).transpose()?,
        }),
        other => Err(UriError::UnknownAction(other.chars().take(40).collect())),
    }
}

/// The text after `xmpp:` (the scheme is case-insensitive).
fn strip_scheme(text: &str) -> Option<&str> {
    let (scheme, rest) = text.split_once(':')?;
    scheme.eq_ignore_ascii_case("xmpp").then_some(rest)
}

fn decode(text: &str) -> Result<String, UriError> {
    let decoded = percent_decode_str(text)
        .decode_utf8()
        .map_err(|_| UriError::BadEscapes)?;
    if decoded
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(UriError::BadEscapes);
    }
    Ok(decoded.into_owned())
}

/// The bare JID of an address in a link (a resource, if any, is dropped).
fn bare(text: &str) -> Result<BareJid, UriError> {
    let jid = Jid::new(text).map_err(|_| UriError::BadAddress(text.chars().take(60).collect()))?;
    Ok(jid.to_bare())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_read_as_what_they_ask() {
        let cases = [
            (
                "xmpp:bob@example.org",
                XmppUri::Message {
                    jid: crate::model::bare("bob@example.org"),
                    body: None,
                },
            ),
            (
                "XMPP:Bob@Example.org/phone?message;body=Hi%20there%21%20%F0%9F%98%80",
                XmppUri::Message {
                    jid: crate::model::bare("bob@example.org"),
                    body: Some("Hi there! 😀".into()),
                },
            ),
            (
                "xmpp:bob@example.org?roster;name=Bob%20B;group=Friends",
                XmppUri::Roster {
                    jid: crate::model::bare("bob@example.org"),
                    name: Some("Bob B".into()),
                    group: Some("Friends".into()),
                },
            ),
            (
                "xmpp:bob@example.org?subscribe",
                XmppUri::Roster {
                    jid: crate::model::bare("bob@example.org"),
                    name: None,
                    group: None,
                },
            ),
            (
                "xmpp:lounge@conference.example.org?join;password=s%3Bcret",
                XmppUri::Join {
                    room: crate::model::bare("lounge@conference.example.org"),
                    password: Some("s;cret".into()),
                },
            ),
            (
                "xmpp:lounge@conference.example.org?invite;jid=carol@example.net",
                XmppUri::Invite {
                    room: crate::model::bare("lounge@conference.example.org"),
                    jid: Some(crate::model::bare("carol@example.net")),
                },
            ),
            (
                "xmpp://alice@example.org/bob@example.org?message",
                XmppUri::Message {
                    jid: crate::model::bare("bob@example.org"),
                    body: None,
                },
            ),
            (
                "  xmpp:bob@example.org?message;body=;x=y#fragment ",
                XmppUri::Message {
                    jid: crate::model::bare("bob@example.org"),
                    body: None,
                },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn malformed_links_say_what_is_wrong() {
        assert!(matches!(
            parse("https://example.org"),
            Err(UriError::NotXmpp(_))
        ));
        assert!(matches!(
            parse("bob@example.org"),
            Err(UriError::NotXmpp(_))
        ));
        assert!(matches!(parse("xmpp:"), Err(UriError::BadAddress(_))));
        assert!(matches!(
            parse("xmpp:bob@@example.org"),
            Err(UriError::BadAddress(_))
        ));
        assert!(matches!(
            parse("xmpp:bob@example.org?command;node=x"),
            Err(UriError::UnknownAction(a)) if a == "command"
        ));
        assert_eq!(
            parse("xmpp:bob@example.org?message;body=%FF"),
            Err(UriError::BadEscapes)
        );
        assert_eq!(
            parse("xmpp:bob@example.org?message;body=%1B[31m"),
            Err(UriError::BadEscapes)
        );
        assert_eq!(
            parse(&format!(
                "xmpp:bob@example.org?message;body={}",
                "a".repeat(5000)
            )),
            Err(UriError::TooLong)
        );
        assert!(matches!(
            parse("xmpp:room@example.org?invite;jid=not%20a%20jid@@"),
            Err(UriError::BadAddress(_))
        ));
        for error in [UriError::TooLong, UriError::BadEscapes] {
            assert!(!error.to_string().is_empty());
        }
    }
}
