//! Routing what the server sends: each stanza goes to the part of the account that owns it.
//! Parsing is `xmpp::*`'s; deciding what it means for the account is here and in the modules
//! this calls.

use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::message::Message;
use tokio_xmpp::parsers::presence::Presence;
use tokio_xmpp::Stanza;

use super::{Account, Purpose};
use crate::core::session::Malformed;
use crate::problem::Problem;

impl Account {
    pub(super) fn on_stanza(&mut self, stanza: Stanza) {
        if !self.is_online() {
            return;
        }
        match stanza {
            Stanza::Message(message) => self.on_message(message),
            Stanza::Presence(presence) => self.on_presence(presence),
            Stanza::Iq(iq) => self.on_iq(iq),
        }
    }

    fn on_message(&mut self, message: Message) {
        let Some(own) = self.own_bare() else {
            return;
        };
        if self.on_archive_result(&message) || self.on_picture_notice(&message) {
            return;
        }
        if let Some((jid, nick)) = crate::xmpp::nick::classify_notification(&message) {
            return self.on_nickname(&jid, nick);
        }
        // Nudges count only from contacts: a stranger cannot shake the window.
        if let Some(jid) = crate::xmpp::attention::nudged_by(&message) {
            self.on_nudge(jid);
        }
        for fact in crate::xmpp::invite::classify_message(message.clone(), &own) {
            self.on_invite_fact(fact);
        }
        for fact in crate::xmpp::message::classify(message, &own) {
            self.on_message_fact(fact);
        }
    }

    fn on_presence(&mut self, presence: Presence) {
        let Some(own) = self.own_bare() else {
            return;
        };
        let advertised = crate::xmpp::caps::advertised(&presence);
        if let Some(fact) = crate::xmpp::presence::classify(presence, &own) {
            self.discover(&fact, advertised);
            self.on_presence_fact(fact);
        }
    }

    fn on_iq(&mut self, iq: Iq) {
        match &iq {
            Iq::Result { .. } | Iq::Error { .. } => {
                let Some(own) = self.own.clone() else {
                    return;
                };
                if let Some(purpose) = self.requests.take(&iq, &own) {
                    self.on_iq_answer(purpose, &iq);
                }
            }
            Iq::Set { from, .. } | Iq::Get { from, .. } => {
                if from.as_ref().is_some_and(|from| self.is_stranger(from)) {
                    tracing::info!(
                        "left a request from {from:?}, who is not a contact, unanswered"
                    );
                    return;
                }
                if self.on_jingle(&iq) || self.on_block_push(&iq) || self.on_roster_push(&iq) {
                    return;
                }
                self.answer_query(&iq);
            }
        }
    }

    fn on_iq_answer(&mut self, purpose: Purpose, iq: &Iq) {
        match purpose {
            Purpose::Session(sid) => self.on_session_answer(&sid, iq),
            Purpose::ArchivePage => self.on_page_end(iq),
            Purpose::Avatar(pending) => self.on_picture_answer(pending, iq),
            Purpose::Roster => self.on_roster(iq),
            Purpose::RosterChange(jid) => self.on_roster_change_answer(jid, iq),
            Purpose::Carbons => {
                if matches!(iq, Iq::Error { .. }) {
                    tracing::info!("the server does not copy messages to other devices (carbons)");
                }
            }
            Purpose::Disco(device, node) => self.on_disco_answer(device, node, iq),
            Purpose::BlockList => self.on_block_list(iq),
            Purpose::BlockChange(jid) => self.on_block_change_answer(jid, iq),
            Purpose::Nickname(nick) => self.on_nickname_answer(nick, iq),
            Purpose::Ping => {}
            // An error answer is an answer too: the server read the stream that far.
            Purpose::Confirm(batch) => self.on_confirmed(batch),
        }
    }

    /// A stanza that could not be parsed: answer iq requests with an error, tell the user of
    /// unreadable messages, and go on.
    pub(super) fn on_malformed(&mut self, malformed: Malformed) {
        tracing::warn!(
            "unreadable {} from {:?}: {}",
            malformed.kind,
            malformed.from,
            malformed.reason
        );
        if !self.is_online() {
            return;
        }
        match malformed.kind.as_str() {
            "iq" if matches!(malformed.type_.as_deref(), Some("get") | Some("set")) => {
                let reply =
                    bad_request(malformed.id.unwrap_or_default(), malformed.from.as_deref());
                self.send(reply);
            }
            "message" => {
                // The sender's address is raw network text: keep what is shown short and printable.
                let from: String = malformed
                    .from
                    .as_deref()
                    .unwrap_or("the server")
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(100)
                    .collect();
                self.problem(Problem::UnreadableMessage {
                    from,
                    detail: malformed.reason,
                });
            }
            _ => {}
        }
    }
}

/// The error owed to an iq request that could not be parsed (RFC 6120 §8.3.3.1).
fn bad_request(id: String, from: Option<&str>) -> Iq {
    use tokio_xmpp::parsers::stanza_error::{DefinedCondition, ErrorType, StanzaError};
    Iq::Error {
        from: None,
        to: from.and_then(|f| f.parse().ok()),
        id,
        payload: None,
        error: StanzaError::new(
            ErrorType::Modify,
            DefinedCondition::BadRequest,
            "en",
            "Nudge could not read this request",
        ),
    }
}
