use super::*;
use crate::invite::{InviteSession, Origin};
use crate::model::{
    bare, Availability, ChatMessage, ConnectionState, Contact, Delivery, Direction,
};

const BOB: &str = "bob@example.org";
const CAROL: &str = "carol@example.org";
const DAVE: &str = "dave@example.org";

fn contact(jid: &str, name: &str) -> Contact {
    Contact::mutual(jid, name)
}

fn message(id: &str, peer: &str, body: &str) -> Event {
    Event::MessageReceived {
        message: ChatMessage {
            id: id.into(),
            peer: bare(peer),
            direction: Direction::Incoming,
            body: body.into(),
            timestamp_ms: 1_704_112_496_000,
            delivery: Delivery::Received,
        },
    }
}

fn presence(jid: &str, availability: Availability, status: Option<&str>) -> Event {
    Event::PresenceChanged {
        jid: bare(jid),
        resource: "phone".into(),
        availability,
        status: status.map(String::from),
        priority: 0,
    }
}

fn invitation(id: &str, state: SessionState) -> Event {
    Event::SessionUpdated {
        session: InviteSession {
            id: id.into(),
            role: Role::Invitee,
            origin: Origin::Menu,
            app_guid: "{6E3F5A10-0000-4000-8000-00000000C0DE}".into(),
            app_name: "Tic-Tac-Toe".into(),
            download_url: "https://games.example.org/tic-tac-toe".into(),
            peer: BOB.into(),
            state,
            context: None,
            local_address: None,
            remote_address: None,
            app_present: true,
            end_reason: None,
            end_text: None,
            created_ms: 1_704_112_496_000,
        },
    }
}

/// A notification about the conversation with `jid`.
fn note(title: &str, body: &str, jid: &str) -> Command {
    about(title, body, Some(chat(jid)))
}

fn about(title: &str, body: &str, target: Option<NotificationTarget>) -> Command {
    Command::ShowNotification {
        title: title.into(),
        body: body.into(),
        target,
    }
}

fn chat(jid: &str) -> NotificationTarget {
    NotificationTarget::Conversation { jid: bare(jid) }
}

/// The window's order: the toasts and the notifier see each event before the state applies it.
struct Fixture {
    state: AppState,
    view: ViewState,
    notifier: Notifier,
}

impl Fixture {
    /// Signed in at time 0 with Bob, Carol and Dave, all offline; the sign-in flood is over.
    fn new() -> Self {
        let mut f = Self {
            state: AppState::default(),
            view: ViewState::default(),
            notifier: Notifier::default(),
        };
        f.feed(
            Event::ConnectionChanged {
                state: ConnectionState::Online {
                    jid: crate::model::full("alice@example.org/pc"),
                },
            },
            false,
            0.0,
        );
        f.feed(
            Event::RosterReceived {
                contacts: vec![
                    contact(BOB, "Bob"),
                    contact(CAROL, "Carol"),
                    contact(DAVE, "Dave"),
                ],
            },
            false,
            0.0,
        );
        f
    }

    fn feed(&mut self, event: Event, focused: bool, now: f64) -> Vec<Command> {
        let sent = self
            .notifier
            .notifications_for(&event, &self.state, &self.view, focused, now);
        crate::ui::toasts::observe(&mut self.view, &self.state, &event, now);
        self.state.apply(event);
        sent
    }

    fn away(&mut self, event: Event, now: f64) -> Vec<Command> {
        self.feed(event, false, now)
    }
}

#[test]
fn nothing_while_a_window_is_focused() {
    let mut f = Fixture::new();
    assert_eq!(f.feed(message("m1", BOB, "hi"), true, 100.0), vec![]);
    assert_eq!(
        f.feed(presence(CAROL, Availability::Online, None), true, 100.0),
        vec![]
    );
    assert_eq!(
        f.feed(Event::NudgeReceived { jid: bare(BOB) }, true, 100.0),
        vec![]
    );
    assert_eq!(
        f.feed(invitation("s1", SessionState::Invitation), true, 100.0),
        vec![]
    );
    assert_eq!(f.notifier.next_deadline(), None, "nothing held either");
}

#[test]
fn each_kind_notifies_while_away() {
    let mut f = Fixture::new();
    assert_eq!(
        f.away(message("m1", BOB, "hello\nmore"), 100.0),
        vec![note("Bob", "hello", BOB)]
    );
    assert_eq!(
        f.away(
            presence(CAROL, Availability::Online, Some("at work")),
            100.0
        ),
        vec![note("Carol has just signed in", "at work", CAROL)]
    );
    assert_eq!(
        f.away(presence(DAVE, Availability::Away, None), 100.0),
        vec![note("Dave has just signed in", DAVE, DAVE)]
    );
    let mut f = Fixture::new();
    assert_eq!(
        f.away(Event::NudgeReceived { jid: bare(BOB) }, 100.0),
        vec![note("Bob sent you a nudge", BOB, BOB)]
    );
    assert_eq!(
        f.away(invitation("s1", SessionState::Invitation), 200.0),
        vec![about(
            "Invitation",
            "Bob invites you to play Tic-Tac-Toe",
            Some(NotificationTarget::Invitation {
                session: "s1".into()
            })
        )]
    );
}

#[test]
fn not_news_is_not_notified() {
    let mut f = Fixture::new();
    assert_eq!(
        f.away(presence(BOB, Availability::Online, None), 1.0),
        vec![],
        "the presence flood right after signing in"
    );
    assert_eq!(
        f.away(presence(BOB, Availability::Busy, None), 100.0),
        vec![]
    );
    let mut own = message("m1", BOB, "from my phone");
    if let Event::MessageReceived { message } = &mut own {
        message.direction = Direction::Outgoing;
        message.delivery = Delivery::Sent;
    }
    assert_eq!(f.away(own, 100.0), vec![], "the user's own carbon copy");
    f.state.blocked = vec![bare(CAROL).into()];
    assert_eq!(f.away(message("m2", CAROL, "spam"), 200.0), vec![]);
    assert_eq!(
        f.away(invitation("s1", SessionState::Invitation), 300.0)
            .len(),
        1
    );
    assert_eq!(
        f.away(invitation("s1", SessionState::Invitation), 400.0),
        vec![],
        "the same invitation still ringing"
    );
    assert_eq!(
        f.away(invitation("s1", SessionState::Cancelled), 500.0),
        vec![]
    );
}

#[test]
fn settings_turn_each_kind_off() {
    let mut f = Fixture::new();
    f.state.settings.notifications.messages = false;
    f.state.settings.notifications.contacts_online = false;
    f.state.settings.notifications.nudges = false;
    f.state.settings.notifications.invitations = false;
    assert_eq!(f.away(message("m1", BOB, "hi"), 100.0), vec![]);
    assert_eq!(
        f.away(presence(CAROL, Availability::Online, None), 200.0),
        vec![]
    );
    assert_eq!(
        f.away(Event::NudgeReceived { jid: bare(DAVE) }, 300.0),
        vec![]
    );
    assert_eq!(
        f.away(invitation("s1", SessionState::Invitation), 400.0),
        vec![]
    );
    f.state.settings.notifications.nudges = true;
    assert_eq!(
        f.away(Event::NudgeReceived { jid: bare(DAVE) }, 500.0)
            .len(),
        1,
        "only the kind turned back on"
    );
}

#[test]
fn one_per_contact_in_a_few_seconds_then_the_rest_summed_up() {
    let mut f = Fixture::new();
    assert_eq!(f.away(message("m1", BOB, "one"), 100.0).len(), 1);
    assert_eq!(f.away(message("m2", BOB, "two"), 101.0), vec![]);
    assert_eq!(f.away(message("m3", BOB, "three"), 102.0), vec![]);
    assert_eq!(
        f.notifier.next_deadline(),
        Some(101.0 + PER_CONTACT_SECONDS)
    );
    assert_eq!(f.notifier.tick(false, 105.0), vec![], "not yet");
    assert_eq!(
        f.notifier.tick(false, 106.0),
        vec![note("Nudge", "2 new messages from Bob", BOB)],
        "a summary about Bob alone opens Bob's conversation"
    );
    assert_eq!(f.notifier.next_deadline(), None);
    assert_eq!(
        f.away(message("m4", BOB, "four"), 108.0),
        vec![],
        "the summary counts as Bob's notification"
    );
    assert_eq!(
        f.notifier.tick(false, 120.0),
        vec![note("Bob", "four", BOB)],
        "one held is shown as itself"
    );
}

#[test]
fn a_burst_from_many_contacts_is_summed_up() {
    let mut f = Fixture::new();
    let at = 100.0;
    assert_eq!(f.away(message("m1", BOB, "hi"), at).len(), 1);
    assert_eq!(f.away(message("m2", CAROL, "hi"), at).len(), 1);
    assert_eq!(f.away(message("m3", DAVE, "hi"), at).len(), 1);
    assert_eq!(BURST_MAX, 3);
    f.state.apply(Event::ContactUpdated {
        contact: contact("erin@example.org", "Erin"),
    });
    assert_eq!(
        f.away(presence("erin@example.org", Availability::Online, None), at),
        vec![]
    );
    assert_eq!(f.away(message("m4", CAROL, "again"), at), vec![]);
    assert_eq!(f.away(Event::NudgeReceived { jid: bare(BOB) }, at), vec![]);
    assert_eq!(f.away(message("m5", DAVE, "again"), at), vec![]);
    assert_eq!(
        f.notifier.tick(false, at + PER_CONTACT_SECONDS),
        vec![about(
            "Nudge",
            "2 new messages from Carol and Dave\nBob sent you a nudge\nErin signed in",
            None
        )],
        "a summary about several contacts opens nothing"
    );
}

#[test]
fn coming_back_to_nudge_drops_what_was_held() {
    let mut f = Fixture::new();
    assert_eq!(f.away(message("m1", BOB, "one"), 100.0).len(), 1);
    assert_eq!(f.away(message("m2", BOB, "two"), 101.0), vec![]);
    assert_eq!(f.notifier.tick(true, 102.0), vec![]);
    assert_eq!(f.notifier.next_deadline(), None);
    assert_eq!(f.notifier.tick(false, 200.0), vec![]);
}

#[test]
fn words_of_summaries() {
    assert_eq!(words::names(&["Bob"]), "Bob");
    assert_eq!(
        words::names(&["Bob", "Carol", "Dave"]),
        "Bob, Carol and Dave"
    );
    assert_eq!(
        words::messages_summary(1, &["Bob"]),
        "1 new message from Bob"
    );
    assert_eq!(
        words::nudges_summary(&["Bob", "Carol"]),
        "Bob and Carol sent you nudges"
    );
    assert_eq!(
        words::invitations_summary(2, &["Bob"]),
        "2 invitations from Bob"
    );
}

fn clicked(target: NotificationTarget) -> Event {
    Event::NotificationClicked { target }
}

fn invitation_target(id: &str) -> NotificationTarget {
    NotificationTarget::Invitation { session: id.into() }
}

#[test]
fn clicks_are_kept_for_the_window_even_while_it_is_focused() {
    let mut f = Fixture::new();
    assert_eq!(f.feed(clicked(chat(BOB)), true, 100.0), vec![]);
    assert_eq!(f.away(clicked(invitation_target("s1")), 101.0), vec![]);
    assert_eq!(
        f.notifier.take_clicked(),
        vec![chat(BOB), invitation_target("s1")],
        "oldest first"
    );
    assert_eq!(f.notifier.take_clicked(), vec![], "each followed once");
}

#[test]
fn a_click_opens_the_conversation_or_the_ringing_invitation() {
    let mut f = Fixture::new();
    let action = |f: &Fixture, target| click_action(&f.state, &f.view, &target);
    assert_eq!(
        action(&f, chat(CAROL)),
        ClickAction::OpenConversation(bare(CAROL))
    );
    assert_eq!(
        action(&f, invitation_target("s1")),
        ClickAction::ShowWindow,
        "an invitation Nudge never heard of"
    );
    f.away(invitation("s1", SessionState::Invitation), 100.0);
    assert_eq!(
        action(&f, invitation_target("s1")),
        ClickAction::OpenInvitation("s1".into())
    );
    f.view.sessions.answer("s1", true);
    assert_eq!(
        action(&f, invitation_target("s1")),
        ClickAction::OpenConversation(bare(BOB)),
        "answered here: the conversation shows how it went"
    );
    f.away(invitation("s2", SessionState::Invitation), 200.0);
    f.away(invitation("s2", SessionState::Cancelled), 201.0);
    assert_eq!(
        action(&f, invitation_target("s2")),
        ClickAction::OpenConversation(bare(BOB)),
        "no longer ringing"
    );
}

#[test]
fn a_click_while_signed_out_only_shows_the_window() {
    let mut f = Fixture::new();
    f.away(
        Event::ConnectionChanged {
            state: ConnectionState::Offline,
        },
        100.0,
    );
    assert_eq!(
        click_action(&f.state, &f.view, &chat(BOB)),
        ClickAction::ShowWindow
    );
}

#[test]
fn a_summary_about_one_contact_opens_their_conversation() {
    let mut f = Fixture::new();
    assert_eq!(f.away(message("m1", BOB, "one"), 100.0).len(), 1);
    assert_eq!(f.away(message("m2", BOB, "two"), 101.0), vec![]);
    assert_eq!(
        f.away(Event::NudgeReceived { jid: bare(BOB) }, 102.0),
        vec![]
    );
    assert_eq!(
        f.notifier.tick(false, 110.0),
        vec![note(
            "Nudge",
            "1 new message from Bob\nBob sent you a nudge",
            BOB
        )]
    );
    assert_eq!(f.away(message("m3", BOB, "three"), 120.0).len(), 1);
    assert_eq!(
        f.away(invitation("s1", SessionState::Invitation), 121.0),
        vec![]
    );
    assert_eq!(
        f.notifier.tick(false, 130.0),
        vec![about(
            "Invitation",
            "Bob invites you to play Tic-Tac-Toe",
            Some(invitation_target("s1"))
        )],
        "one held is shown as itself, with its own subject"
    );
}
