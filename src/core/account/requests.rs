//! The iq requests the account sent and is waiting on: what each is for, and who may answer it.
//!
//! Ids are random, and an answer counts only when it comes from the address the request went to
//! (or, for requests to the user's own account, from the server speaking for it), so nobody on
//! the network can forge the roster, the block list or the end of an archive page.

use std::collections::HashMap;

use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::jid::{BareJid, FullJid, Jid};

use super::avatar;

/// Most requests kept waiting; beyond it the oldest are forgotten (a server that never answers
/// must not make the account grow).
const MAX_PENDING: usize = 4096;

/// What an iq we sent was for, so its answer can be handled.
#[derive(Debug, Clone)]
pub(super) enum Purpose {
    /// The roster.
    Roster,
    /// Adding, changing or removing this contact.
    RosterChange(BareJid),
    /// Enabling carbons.
    Carbons,
    /// Checking the link is alive.
    Ping,
    /// A ping whose answer proves the server has these messages (without stream management).
    Confirm(Vec<crate::core::sm::Tracked>),
    /// A Jingle request about this Session Invite session.
    Session(String),
    /// The block list.
    BlockList,
    /// Blocking or unblocking this address.
    BlockChange(BareJid),
    /// What a contact's device supports (which Session Invite apps it has), for a caps node.
    Disco(FullJid, Option<String>),
    /// The end of a page of the message archive (XEP-0313).
    ArchivePage,
    /// Publishing the user's display name (XEP-0172), as asked.
    Nickname(Option<String>),
    /// Publishing the user's display picture or fetching a contact's.
    Avatar(avatar::Pending),
}

/// Who may answer a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Responder {
    /// The user's own account: the server answers with no `from`, the user's bare or full JID,
    /// or its domain.
    Account,
    /// Exactly this address.
    Peer(Jid),
}

#[derive(Debug)]
struct Pending {
    purpose: Purpose,
    responder: Responder,
    /// Order of sending, to forget the oldest first.
    serial: u64,
}

/// Requests waiting for an answer, by id.
#[derive(Debug, Default)]
pub(super) struct Requests {
    pending: HashMap<String, Pending>,
    serial: u64,
}

impl Requests {
    /// Remembers request `id`, sent to `responder`, for `purpose`.
    pub(super) fn add(&mut self, id: String, responder: Responder, purpose: Purpose) {
        if self.pending.len() >= MAX_PENDING {
            if let Some(oldest) = self
                .pending
                .iter()
                .min_by_key(|(_, p)| p.serial)
                .map(|(id, _)| id.clone())
            {
                self.pending.remove(&oldest);
            }
        }
        self.serial += 1;
        self.pending.insert(
            id,
            Pending {
                purpose,
                responder,
                serial: self.serial,
            },
        );
    }

    /// The purpose of the request `answer` answers, if it comes from whom the request went to;
    /// a forged answer leaves the request waiting.
    pub(super) fn take(&mut self, answer: &Iq, own: &FullJid) -> Option<Purpose> {
        let (id, from) = match answer {
            Iq::Result { id, from, .. } | Iq::Error { id, from, .. } => (id, from.as_ref()),
            Iq::Get { .. } | Iq::Set { .. } => return None,
        };
        let pending = self.pending.get(id)?;
        if !answers_for(&pending.responder, from, own) {
            tracing::warn!("ignored an answer to request {id} from {from:?}, who was not asked");
            return None;
        }
        self.pending.remove(id).map(|p| p.purpose)
    }

    /// Forgets every request (a fresh stream: old answers will never come).
    pub(super) fn clear(&mut self) {
        self.pending.clear();
    }

    /// How many requests wait.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.pending.len()
    }
}

/// Whether `from` may answer a request sent to `responder`.
fn answers_for(responder: &Responder, from: Option<&Jid>, own: &FullJid) -> bool {
    // A request to the user's own bare JID is one the server answers for the account.
    if let Responder::Peer(to) = responder {
        if to.resource().is_none() && to.to_bare() == own.to_bare() {
            return answers_for(&Responder::Account, from, own);
        }
    }
    match (responder, from) {
        (Responder::Account, None) => true,
        (Responder::Account, Some(from)) => {
            from.to_bare() == own.to_bare() && (from.resource().is_none() || from == own)
                || (from.node().is_none()
                    && from.resource().is_none()
                    && from.domain() == own.domain())
        }
        (Responder::Peer(to), Some(from)) => from == to,
        // RFC 6120 §8.1.2.1: no `from` means the user's own server, who was not asked.
        (Responder::Peer(to), None) => to.node().is_none() && to.domain() == own.domain(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own() -> FullJid {
        FullJid::new("alice@example.org/desk").unwrap()
    }

    fn jid(text: &str) -> Jid {
        Jid::new(text).unwrap()
    }

    #[test]
    fn the_account_answers_from_nowhere_itself_or_its_server() {
        for from in [
            None,
            Some(jid("alice@example.org")),
            Some(jid("alice@example.org/desk")),
            Some(jid("example.org")),
        ] {
            assert!(
                answers_for(&Responder::Account, from.as_ref(), &own()),
                "{from:?}"
            );
        }
    }

    #[test]
    fn nobody_else_answers_for_the_account() {
        for from in [
            "bob@example.org",
            "alice@example.org/phone",
            "alice@evil.example",
            "example.org/resource",
            "evil.example",
            "conference.example.org",
        ] {
            assert!(
                !answers_for(&Responder::Account, Some(&jid(from)), &own()),
                "{from}"
            );
        }
    }

    #[test]
    fn a_peer_answers_only_from_the_address_asked() {
        let asked = Responder::Peer(jid("bob@example.org/laptop"));
        assert!(answers_for(
            &asked,
            Some(&jid("bob@example.org/laptop")),
            &own()
        ));
        assert!(!answers_for(
            &asked,
            Some(&jid("bob@example.org/phone")),
            &own()
        ));
        assert!(!answers_for(&asked, Some(&jid("bob@example.org")), &own()));
        assert!(!answers_for(&asked, None, &own()));
        let server = Responder::Peer(jid("example.org"));
        assert!(answers_for(&server, None, &own()));
        let own_pep = Responder::Peer(jid("alice@example.org"));
        assert!(answers_for(&own_pep, None, &own()));
        assert!(!answers_for(
            &own_pep,
            Some(&jid("bob@example.org")),
            &own()
        ));
    }

    #[test]
    fn a_forged_answer_leaves_the_request_waiting_for_the_real_one() {
        let mut requests = Requests::default();
        requests.add("r1".into(), Responder::Account, Purpose::Roster);
        let forged = Iq::Result {
            from: Some(jid("mallory@example.org/x")),
            to: None,
            id: "r1".into(),
            payload: None,
        };
        assert!(requests.take(&forged, &own()).is_none());
        assert_eq!(requests.len(), 1);
        let real = Iq::Result {
            from: None,
            to: None,
            id: "r1".into(),
            payload: None,
        };
        assert!(matches!(
            requests.take(&real, &own()),
            Some(Purpose::Roster)
        ));
        assert_eq!(requests.len(), 0);
    }

    #[test]
    fn the_oldest_requests_are_forgotten_past_the_cap() {
        let mut requests = Requests::default();
        for n in 0..MAX_PENDING + 10 {
            requests.add(format!("r{n}"), Responder::Account, Purpose::Ping);
        }
        assert_eq!(requests.len(), MAX_PENDING);
        let first = Iq::Result {
            from: None,
            to: None,
            id: "r0".into(),
            payload: None,
        };
        assert!(requests.take(&first, &own()).is_none());
    }
}
