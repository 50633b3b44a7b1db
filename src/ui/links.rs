//! What the window does with an `xmpp:` link handed to it (clicked on a web page, opened from the
//! desktop, or given to a second `nudge`): it comes to the front and fills in what the link asks
//! for. Nothing is sent: a link from anywhere on the web must not be able to message or add
//! anyone without the user.
//!
//! Pure code: [`Links`] remembers what arrived, [`follow`] turns one link into changes of the
//! view (and the command that loads a conversation's history).

use crate::command::Command;
use crate::state::AppState;
use crate::ui::view::{AddContactForm, ViewState};
use crate::xmpp::uri::XmppUri;

/// Links and window requests that arrived and were not followed yet.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Links {
    /// Links waiting for the window; kept while the user is not signed in.
    waiting: Vec<XmppUri>,
    /// The window was asked to come to the front.
    raise: bool,
}

impl Links {
    /// Notes an open request: the window comes to the front, and a link waits to be followed.
    pub fn requested(&mut self, link: Option<XmppUri>) {
        self.raise = true;
        self.waiting.extend(link);
    }

    /// Whether the window should come to the front now (asked once per request).
    pub fn take_raise(&mut self) -> bool {
        std::mem::take(&mut self.raise)
    }

    /// The links to follow now: all of them once signed in, none before (they wait).
    pub fn take_ready(&mut self, signed_in: bool) -> Vec<XmppUri> {
        if signed_in {
            std::mem::take(&mut self.waiting)
        } else {
            Vec::new()
        }
    }

    /// The address of the first link that waits for the user to sign in, if one does.
    pub fn waiting_for(&self) -> Option<&jid::BareJid> {
        self.waiting.first().map(XmppUri::jid)
    }
}

/// Follows one link: opens the conversation with the link's text in an empty composer, opens the
/// add-contact dialog filled in, or says what cannot be done. Returns the command to send (the
/// conversation's history), if any.
pub fn follow(view: &mut ViewState, state: &AppState, link: XmppUri) -> Option<Command> {
    match link {
        XmppUri::Message { jid, body } => {
            let command = view.open(&jid);
            let draft = view.drafts.entry(jid).or_default();
            if let Some(body) = body.filter(|_| draft.trim().is_empty()) {
                *draft = body;
            }
            Some(command)
        }
        XmppUri::Roster { jid, .. } if state.contacts.contains_key(&jid) => {
            let name = crate::ui::view::peer_name(state, &jid);
            view.notices
                .push(format!("{name} is already one of your contacts."));
            Some(view.open(&jid))
        }
        XmppUri::Roster { jid, name, group } => {
            view.add_contact = Some(AddContactForm {
                jid: jid.to_string(),
                name: name.unwrap_or_default(),
                groups: group.into_iter().collect(),
                error: None,
            });
            None
        }
        XmppUri::Join { room, .. } | XmppUri::Invite { room, .. } => {
            view.notices.push(format!(
                "The link asks to join the group conversation {room}; Nudge cannot join group \
                 conversations yet."
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{bare, Contact};

    fn link(text: &str) -> XmppUri {
        crate::xmpp::uri::parse(text).expect("a link")
    }

    #[test]
    fn links_wait_for_sign_in_and_the_window_rises_once_per_request() {
        let mut links = Links::default();
        links.requested(Some(link("xmpp:bob@example.org")));
        links.requested(None);
        assert!(links.take_raise());
        assert!(!links.take_raise(), "once per request");
        assert!(links.take_ready(false).is_empty());
        assert_eq!(links.waiting_for(), Some(&bare("bob@example.org")));
        assert_eq!(
            links.take_ready(true),
            [link("xmpp:bob@example.org")],
            "the link waited, the bare request added nothing"
        );
        assert_eq!(links.waiting_for(), None);
    }

    #[test]
    fn a_message_link_opens_the_conversation_and_fills_only_an_empty_composer() {
        let (mut view, state) = (ViewState::default(), AppState::default());
        let command = follow(
            &mut view,
            &state,
            link("xmpp:bob@example.org?message;body=Hi%20Bob"),
        );
        assert!(
            matches!(command, Some(Command::LoadHistory { ref peer, .. }) if *peer == bare("bob@example.org"))
        );
        assert!(view.windows.is_open(&bare("bob@example.org")));
        assert_eq!(view.drafts[&bare("bob@example.org")], "Hi Bob");

        view.drafts
            .insert(bare("bob@example.org"), "my own words".into());
        follow(
            &mut view,
            &state,
            link("xmpp:bob@example.org?message;body=spam"),
        );
        assert_eq!(view.drafts[&bare("bob@example.org")], "my own words");
    }

    #[test]
    fn a_roster_link_fills_the_add_contact_dialog_for_strangers_only() {
        let mut view = ViewState::default();
        let mut state = AppState::default();
        let command = follow(
            &mut view,
            &state,
            link("xmpp:erin@example.org?roster;name=Erin;group=Work"),
        );
        assert_eq!(command, None, "nothing is added without the user");
        let form = view.add_contact.take().expect("the dialog opens");
        assert_eq!(
            (form.jid.as_str(), form.name.as_str(), form.groups),
            ("erin@example.org", "Erin", vec!["Work".to_string()])
        );

        state.apply(crate::event::Event::RosterReceived {
            contacts: vec![Contact::mutual("erin@example.org", "Erin")],
        });
        let command = follow(&mut view, &state, link("xmpp:erin@example.org?subscribe"));
        assert!(command.is_some(), "her conversation opens instead");
        assert!(view.add_contact.is_none());
        assert_eq!(
            view.notices.shown()[0].text,
            "Erin is already one of your contacts."
        );
    }

    #[test]
    fn a_room_link_says_plainly_what_cannot_be_done() {
        let (mut view, state) = (ViewState::default(), AppState::default());
        assert_eq!(
            follow(
                &mut view,
                &state,
                link("xmpp:lounge@conference.example.org?join")
            ),
            None
        );
        assert!(view.notices.shown()[0]
            .text
            .contains("lounge@conference.example.org"));
    }
}
