//! `AppState`: what the UI and the local API know, changed only by `apply(event)`.
//!
//! Plain data, testable without a window. Each event kind has a small `on_*` function.

mod conversation;

use std::collections::BTreeMap;

use crate::config::Settings;
use crate::event::Event;
use crate::invite::{InviteSession, Role, SessionState};
use crate::model::{
    AppInfo, Availability, BareJid, ChatMessage, ChatState, ConnectionState, Contact, Delivery,
    ResourcePresence,
};
use crate::xmpp::register::RegistrationForm;
pub use conversation::Conversation;

/// A contact with what is known of their devices.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ContactEntry {
    /// The roster item.
    #[serde(flatten)]
    pub contact: Contact,
    /// Presence per resource, sorted by resource name.
    pub resources: BTreeMap<String, ResourcePresence>,
    /// Session Invite applications each online device can launch, by resource.
    #[serde(skip)]
    pub apps: BTreeMap<String, Vec<String>>,
    /// The name the contact gave themselves (XEP-0172), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
}

impl ContactEntry {
    fn new(contact: Contact) -> Self {
        Self {
            contact,
            resources: BTreeMap::new(),
            apps: BTreeMap::new(),
            nickname: None,
        }
    }

    /// The name shown for the contact: the one the user gave them, else the one they gave
    /// themselves, else their address.
    pub fn display_name(&self) -> &str {
        self.contact
            .name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .or(self.nickname.as_deref())
            .unwrap_or(self.contact.jid.as_str())
    }

    /// The presence shown for the contact: the highest-priority, most available resource.
    pub fn best_presence(&self) -> Option<&ResourcePresence> {
        self.resources
            .values()
            .filter(|r| r.availability != Availability::Offline)
            .max_by(|a, b| {
                a.priority
                    .cmp(&b.priority)
                    .then(b.availability.cmp(&a.availability))
            })
    }

    /// The availability shown for the contact.
    pub fn availability(&self) -> Availability {
        self.best_presence()
            .map(|p| p.availability)
            .unwrap_or(Availability::Offline)
    }

    /// Whether one of the contact's online devices has the application `guid`.
    pub fn has_app(&self, guid: &str) -> bool {
        self.apps
            .values()
            .any(|apps| apps.iter().any(|a| a == guid))
    }

    /// The status message shown for the contact.
    pub fn status(&self) -> Option<&str> {
        self.best_presence().and_then(|p| p.status.as_deref())
    }
}

/// Most problems kept for the window (older ones were shown or dismissed long ago).
pub const MAX_PROBLEMS: usize = 100;

/// Most subscription requests kept waiting for an answer.
pub const MAX_SUBSCRIPTION_REQUESTS: usize = 200;

/// Most ended Session Invite sessions kept (live ones are never dropped).
pub const MAX_ENDED_SESSIONS: usize = 50;

/// Everything the core has told the UI.
#[derive(Clone, Debug, Default)]
pub struct AppState {
    /// The connection.
    pub connection: ConnectionState,
    /// Own availability as shown to contacts.
    pub own_availability: Availability,
    /// Own status message.
    pub own_status: Option<String>,
    /// The display name the user published (XEP-0172), if any.
    pub own_nickname: Option<String>,
    /// The roster by bare JID.
    pub contacts: BTreeMap<BareJid, ContactEntry>,
    /// Conversations by bare JID of the contact.
    pub conversations: BTreeMap<BareJid, Conversation>,
    /// Who asked to see the user's presence, in arrival order.
    pub subscription_requests: Vec<BareJid>,
    /// The latest problems to show the user, oldest first (at most [`MAX_PROBLEMS`]).
    pub problems: std::collections::VecDeque<crate::problem::Problem>,
    /// How many problems were ever reported (the window counts those it has shown).
    pub problems_reported: usize,
    /// The last registration outcome: `Ok(jid)` or `Err(message)`.
    pub registration: Option<Result<BareJid, String>>,
    /// The server's account creation form, for the bare JID it was asked for.
    pub registration_form: Option<(BareJid, RegistrationForm)>,
    /// Session Invite sessions by id.
    pub sessions: BTreeMap<String, InviteSession>,
    /// Registered applications, sorted by name.
    pub apps: Vec<AppInfo>,
    /// The profile's settings.
    pub settings: Settings,
    /// Blocked addresses (XEP-0191), sorted.
    pub blocked: Vec<jid::Jid>,
    /// Display pictures by bare JID, the user's own included (none: the default picture).
    pub avatars: BTreeMap<BareJid, crate::model::Avatar>,
    /// Changes whenever an event may have changed the contacts (see `contacts_revision`).
    contacts_revision: u64,
}

impl AppState {
    /// The user's bare JID while signed in.
    pub fn own_jid(&self) -> Option<BareJid> {
        match &self.connection {
            ConnectionState::Online { jid } => Some(jid.to_bare()),
            _ => None,
        }
    }

    /// Applies one event from the core.
    pub fn apply(&mut self, event: Event) {
        if matches!(
            event,
            Event::ConnectionChanged { .. }
                | Event::RosterReceived { .. }
                | Event::ContactUpdated { .. }
                | Event::ContactRemoved { .. }
                | Event::PresenceChanged { .. }
                | Event::ContactAppsKnown { .. }
                | Event::NicknameChanged { .. }
        ) {
            // Unique across states, so a view kept from another AppState never looks current.
            static REVISIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            self.contacts_revision =
                REVISIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        }
        match event {
            Event::ConnectionChanged { state } => self.on_connection(state),
            Event::AccountRegistered { jid } => {
                self.registration_form = None;
                self.registration = Some(Ok(jid));
            }
            Event::RegistrationFailed { message } => self.registration = Some(Err(message)),
            // The messages themselves came as HistoryLoaded.
            Event::HistorySynced { .. } => {}
            Event::RegistrationForm { jid, form } => {
                self.registration = None;
                self.registration_form = Some((jid, form));
            }
            Event::OwnPresenceChanged {
                availability,
                status,
            } => {
                self.own_availability = availability;
                self.own_status = status;
            }
            Event::RosterReceived { contacts } => self.on_roster(contacts),
            Event::ContactUpdated { contact } => self.on_contact(contact),
            Event::ContactRemoved { jid } => {
                self.contacts.remove(&jid);
            }
            Event::PresenceChanged {
                jid,
                resource,
                availability,
                status,
                priority,
            } => self.on_presence(
                jid,
                ResourcePresence {
                    resource,
                    availability,
                    status,
                    priority,
                },
            ),
            Event::SubscriptionRequested { jid } => {
                if !self.subscription_requests.contains(&jid) {
                    self.subscription_requests.push(jid);
                }
                // Anyone can ask: keep the latest, not an ever-growing list.
                let excess = self
                    .subscription_requests
                    .len()
                    .saturating_sub(MAX_SUBSCRIPTION_REQUESTS);
                self.subscription_requests.drain(..excess);
            }
            Event::MessageReceived { message } => self.on_message(message, true),
            Event::MessageQueued { message } => self.on_message(message, false),
            Event::DeliveryChanged { peer, id, delivery } => self.on_delivery(&peer, &id, delivery),
            Event::ChatStateChanged { jid, state } => {
                self.conversations.entry(jid).or_default().their_state = Some(state);
            }
            Event::HistoryLoaded { peer, messages } => {
                self.conversations.entry(peer).or_default().merge(messages);
            }
            Event::SessionUpdated { session } => {
                self.sessions.insert(session.id.clone(), session);
                self.forget_old_sessions();
            }
            // The snapshot in SessionUpdated carries the state; events are for applications.
            Event::SessionEvent { .. } => {}
            Event::AppsChanged { apps } => self.apps = apps,
            Event::SettingsChanged { settings } => self.settings = settings,
            Event::BlockListChanged { jids } => self.blocked = jids,
            // The window shakes for nudges (`ui::windows`); nothing to keep here.
            Event::NudgeReceived { .. } => {}
            Event::ConversationRead { peer } => self.on_read(&peer),
            Event::ContactAppsKnown {
                jid,
                resource,
                apps,
            } => {
                if let Some(entry) = self.contacts.get_mut(&jid) {
                    entry.apps.insert(resource, apps);
                }
            }
            // What a click opens is the window's business (`ui::notifications::clicks`).
            Event::NotificationClicked { .. } => {}
            // Following a link is the window's business too (`ui::links`).
            Event::OpenRequested { .. } => {}
            Event::AvatarChanged { jid, avatar } => match avatar {
                Some(avatar) => {
                    self.avatars.insert(jid, avatar);
                }
                None => {
                    self.avatars.remove(&jid);
                }
            },
            Event::NicknameChanged { jid, nick } => {
                if self.own_jid().as_ref() == Some(&jid) {
                    self.own_nickname = nick;
                } else if let Some(entry) = self.contacts.get_mut(&jid) {
                    entry.nickname = nick;
                }
            }
            Event::Problem { problem } => {
                self.problems.push_back(problem);
                self.problems_reported += 1;
                if self.problems.len() > MAX_PROBLEMS {
                    self.problems.pop_front();
                }
            }
        }
    }

    fn on_connection(&mut self, state: ConnectionState) {
        if !state.is_online() {
            // Presence is only known while connected.
            for entry in self.contacts.values_mut() {
                entry.resources.clear();
                entry.apps.clear();
            }
            if self.connection.is_online() {
                self.own_availability = Availability::Offline;
            }
        }
        self.connection = state;
    }

    fn on_roster(&mut self, contacts: Vec<Contact>) {
        let mut old = std::mem::take(&mut self.contacts);
        for contact in contacts {
            let mut entry = old
                .remove(&contact.jid)
                .unwrap_or_else(|| ContactEntry::new(contact.clone()));
            entry.contact = contact;
            self.contacts.insert(entry.contact.jid.clone(), entry);
        }
    }

    fn on_contact(&mut self, contact: Contact) {
        self.subscription_requests
            .retain(|jid| !(jid == &contact.jid && contact.subscription_includes_from()));
        match self.contacts.get_mut(&contact.jid) {
            Some(entry) => entry.contact = contact,
            None => {
                self.contacts
                    .insert(contact.jid.clone(), ContactEntry::new(contact));
            }
        }
    }

    fn on_presence(&mut self, jid: BareJid, presence: ResourcePresence) {
        let Some(entry) = self.contacts.get_mut(&jid) else {
            return;
        };
        if presence.availability == Availability::Offline {
            entry.resources.remove(&presence.resource);
            entry.apps.remove(&presence.resource);
        } else {
            entry.resources.insert(presence.resource.clone(), presence);
        }
    }

    fn on_message(&mut self, message: ChatMessage, count_unread: bool) {
        let conversation = self.conversations.entry(message.peer.clone()).or_default();
        let received = message.delivery == Delivery::Received;
        let is_new = conversation.upsert(message);
        if count_unread && is_new && received {
            conversation.unread += 1;
            // A message ends "is typing".
            conversation.their_state = Some(ChatState::Active);
        }
    }

    fn on_delivery(&mut self, peer: &BareJid, id: &str, delivery: Delivery) {
        let Some(conversation) = self.conversations.get_mut(peer) else {
            return;
        };
        if let Some(message) = conversation.messages.iter_mut().find(|m| m.id == id) {
            // A receipt can arrive before the server's ack; never step back from Delivered.
            if !(message.delivery == Delivery::Delivered && delivery == Delivery::Sent) {
                message.delivery = delivery;
            }
        }
    }

    /// Invitations to the user that are still ringing, oldest first.
    pub fn ringing_invitations(&self) -> Vec<&InviteSession> {
        let mut ringing: Vec<&InviteSession> = self
            .sessions
            .values()
            .filter(|s| s.role == Role::Invitee && s.state == SessionState::Invitation)
            .collect();
        ringing.sort_by(|a, b| a.created_ms.cmp(&b.created_ms).then(a.id.cmp(&b.id)));
        ringing
    }

    /// A number that changes whenever `apply` may have changed `contacts` (the roster, names,
    /// groups, presence), so a view derived from them can be kept until it does.
    pub fn contacts_revision(&self) -> u64 {
        self.contacts_revision
    }

    /// The problems reported after the first `seen`, oldest first (those still kept).
    pub fn problems_since(&self, seen: usize) -> impl Iterator<Item = &crate::problem::Problem> {
        let dropped = self.problems_reported - self.problems.len();
        self.problems.iter().skip(seen.saturating_sub(dropped))
    }

    /// Keeps at most [`MAX_ENDED_SESSIONS`] ended sessions, dropping the oldest.
    fn forget_old_sessions(&mut self) {
        let mut ended: Vec<(i64, String)> = self
            .sessions
            .values()
            .filter(|s| s.state.is_final())
            .map(|s| (s.created_ms, s.id.clone()))
            .collect();
        if ended.len() <= MAX_ENDED_SESSIONS {
            return;
        }
        ended.sort();
        for (_, id) in &ended[..ended.len() - MAX_ENDED_SESSIONS] {
            self.sessions.remove(id);
        }
    }

    /// Marks a conversation as read.
    fn on_read(&mut self, peer: &BareJid) {
        if let Some(conversation) = self.conversations.get_mut(peer) {
            conversation.unread = 0;
        }
    }

    /// Contacts sorted for display: by availability, then name (case-insensitive), then JID.
    pub fn sorted_contacts(&self) -> Vec<&ContactEntry> {
        let mut list: Vec<&ContactEntry> = self.contacts.values().collect();
        list.sort_by_cached_key(|e| {
            (
                e.availability(),
                e.display_name().to_lowercase(),
                e.contact.jid.clone(),
            )
        });
        list
    }
}

impl Contact {
    fn subscription_includes_from(&self) -> bool {
        matches!(
            self.subscription,
            crate::model::Subscription::From | crate::model::Subscription::Both
        )
    }
}

#[cfg(test)]
mod tests;
