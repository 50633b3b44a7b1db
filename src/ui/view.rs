//! `ViewState`: what the window shows and what the user is typing, apart from what the core knows.
//!
//! Plain data with small pure methods, so the rules (validation, which screen, when to send a
//! chat state) are unit-tested without a window.

use std::collections::{BTreeMap, BTreeSet};

use crate::command::Command;
use crate::config::{AccountConfig, TlsMode};
use crate::event::Event;
use crate::model::{BareJid, ChatState, ConnectionState};
use crate::state::AppState;
use crate::ui::contacts::ContactsView;
use crate::ui::rows::RowHeights;
use crate::ui::settings::SettingsView;
use crate::ui::windows::ConversationWindows;

mod notices;
mod sessions;

pub use notices::{Notice, Notices, NOTICE_SECONDS};
pub use sessions::{
    peer_name, session_peer_name, sessions_with, SessionNotes, SessionView, SESSIONS_SHOWN,
};

/// How many stored messages to load when a conversation opens.
pub const HISTORY_LIMIT: usize = 200;
/// Seconds without a keystroke after which "composing" becomes "paused" (XEP-0085 suggests 5).
pub const PAUSED_AFTER_SECONDS: f64 = 5.0;

/// What the user typed into a form that cannot be sent; the text is shown under the form.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// The address field is empty.
    #[error("Enter an address, like alice@example.org.")]
    EmptyJid,
    /// The address has no `@` or nothing on one side of it.
    #[error("An address looks like alice@example.org: a name, an @, and a server.")]
    BadJid,
    /// The address has the right shape but is not a valid XMPP address.
    #[error("That is not an address Nudge can use: {0}.")]
    InvalidJid(crate::xmpp::AddressError),
    /// The port is not a number in range.
    #[error("The port must be a number from 1 to 65535.")]
    BadPort,
    /// A new account needs a password.
    #[error("Choose a password for the new account.")]
    EmptyPassword,
}

/// Checks that `jid` looks like `name@server` and returns it trimmed.
pub fn validate_jid(jid: &str) -> Result<String, FormError> {
    let jid = jid.trim();
    if jid.is_empty() {
        return Err(FormError::EmptyJid);
    }
    match jid.split_once('@') {
        Some((node, domain)) if !node.is_empty() && !domain.is_empty() && !jid.contains(' ') => {
            Ok(jid.to_string())
        }
        _ => Err(FormError::BadJid),
    }
}

/// The fields of the sign-in screen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignInForm {
    /// The account's address.
    pub jid: String,
    /// The password; kept only until the account is online (or a certificate is trusted).
    pub password: String,
    /// Whether to keep the password in the OS keyring.
    pub remember_password: bool,
    /// Server host override ("Advanced"); empty means DNS lookup.
    pub host: String,
    /// Server port override ("Advanced"); empty means the default.
    pub port: String,
    /// How the connection is secured.
    pub tls: TlsMode,
    /// Certificates the user chose to trust.
    pub pinned_certificates: Vec<String>,
    /// The resource from the saved account, kept as it was.
    pub resource: Option<String>,
    /// Why the last attempt to submit the form was refused.
    pub error: Option<FormError>,
}

impl SignInForm {
    /// A form filled from the saved account, if any.
    pub fn from_account(account: Option<AccountConfig>) -> Self {
        let Some(account) = account else {
            return Self::default();
        };
        Self {
            jid: account.jid,
            host: account.host.unwrap_or_default(),
            port: account.port.map(|p| p.to_string()).unwrap_or_default(),
            tls: account.tls,
            pinned_certificates: account.pinned_certificates,
            resource: account.resource,
            ..Self::default()
        }
    }

    /// The account the form describes, or why it is not valid.
    pub fn account(&self) -> Result<AccountConfig, FormError> {
        let jid = validate_jid(&self.jid)?;
        let port = match self.port.trim() {
            "" => None,
            text => Some(
                text.parse::<u16>()
                    .ok()
                    .filter(|p| *p != 0)
                    .ok_or(FormError::BadPort)?,
            ),
        };
        let host = Some(self.host.trim().to_string()).filter(|h| !h.is_empty());
        Ok(AccountConfig {
            jid,
            host,
            port,
            tls: self.tls,
            pinned_certificates: self.pinned_certificates.clone(),
            resource: self.resource.clone(),
        })
    }

    /// The `SignIn` command, or the form error (which is also remembered for display).
    pub fn sign_in(&mut self) -> Option<Command> {
        let result = self.account().map(|account| Command::SignIn {
            account,
            password: self.password.as_str().into(),
            remember_password: self.remember_password,
        });
        self.remember_outcome(result)
    }

    /// The `FetchRegistrationForm` command for the address, or the form error (remembered).
    pub fn ask_registration_form(&mut self) -> Option<Command> {
        let result = self
            .account()
            .map(|account| Command::FetchRegistrationForm { account });
        self.remember_outcome(result)
    }

    /// The `RegisterAccount` command with the server form's other `fields`, or the form error
    /// (also remembered for display).
    pub fn register(&mut self, fields: BTreeMap<String, String>) -> Option<Command> {
        let result = self.account().and_then(|account| {
            if self.password.is_empty() {
                return Err(FormError::EmptyPassword);
            }
            Ok(Command::RegisterAccount {
                account,
                password: self.password.as_str().into(),
                fields,
            })
        });
        self.remember_outcome(result)
    }

    /// Trusts a certificate from now on and returns the `SignIn` that retries with it.
    pub fn trust_and_sign_in(&mut self, fingerprint: &str) -> Option<Command> {
        if !self.pinned_certificates.iter().any(|f| f == fingerprint) {
            self.pinned_certificates.push(fingerprint.to_string());
        }
        self.sign_in()
    }

    fn remember_outcome(&mut self, result: Result<Command, FormError>) -> Option<Command> {
        match result {
            Ok(command) => {
                self.error = None;
                Some(command)
            }
            Err(error) => {
                self.error = Some(error);
                None
            }
        }
    }
}

/// The "Add contact" dialog's fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddContactForm {
    /// The contact's address.
    pub jid: String,
    /// An optional name to show instead of the address.
    pub name: String,
    /// Roster groups to put the contact in (an `xmpp:` link may name one).
    pub groups: Vec<String>,
    /// Why the last attempt was refused.
    pub error: Option<FormError>,
}

impl AddContactForm {
    /// The `AddContact` command, or the form error (also remembered for display).
    pub fn command(&mut self) -> Option<Command> {
        let jid = validate_jid(&self.jid)
            .and_then(|jid| crate::xmpp::parse_bare(&jid).map_err(FormError::InvalidJid));
        match jid {
            Ok(jid) => {
                self.error = None;
                let name = Some(self.name.trim().to_string()).filter(|n| !n.is_empty());
                Some(Command::AddContact {
                    jid,
                    name,
                    groups: self.groups.clone(),
                })
            }
            Err(error) => {
                self.error = Some(error);
                None
            }
        }
    }
}

/// What we last told one contact about our typing, so the same state is never sent twice.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Typing {
    /// The chat state last sent to the contact.
    pub last_sent: Option<ChatState>,
    /// When (egui time, seconds) the user last changed the draft while composing.
    pub last_keystroke: Option<f64>,
}

impl Typing {
    /// The draft changed at `now`: start composing, or go back to active when it was emptied.
    pub fn edited(&mut self, now: f64, draft_is_empty: bool) -> Option<ChatState> {
        if draft_is_empty {
            self.last_keystroke = None;
            return match self.last_sent {
                Some(ChatState::Composing | ChatState::Paused) => self.switch(ChatState::Active),
                _ => None,
            };
        }
        self.last_keystroke = Some(now);
        self.switch(ChatState::Composing)
    }

    /// Time passed: after [`PAUSED_AFTER_SECONDS`] without keystrokes, composing becomes paused.
    pub fn tick(&mut self, now: f64) -> Option<ChatState> {
        let deadline = self.paused_at()?;
        if now < deadline {
            return None;
        }
        self.last_keystroke = None;
        self.switch(ChatState::Paused)
    }

    /// The message was sent: the user is active in the conversation again.
    pub fn sent(&mut self) -> Option<ChatState> {
        self.last_keystroke = None;
        self.switch(ChatState::Active)
    }

    /// When composing turns into paused, if the user is composing.
    pub fn paused_at(&self) -> Option<f64> {
        match (self.last_sent, self.last_keystroke) {
            (Some(ChatState::Composing), Some(at)) => Some(at + PAUSED_AFTER_SECONDS),
            _ => None,
        }
    }

    fn switch(&mut self, state: ChatState) -> Option<ChatState> {
        if self.last_sent == Some(state) {
            return None;
        }
        self.last_sent = Some(state);
        Some(state)
    }
}

/// Which screen the window shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Screen {
    /// The sign-in form.
    SignIn,
    /// The contact list (conversations open in windows of their own).
    Contacts,
}

/// Everything the window remembers that the core does not know.
#[derive(Clone, Debug, Default)]
pub struct ViewState {
    /// The sign-in form.
    pub sign_in: SignInForm,
    /// The server's form for a new account, while one is being filled in.
    pub sign_up: crate::ui::signup::SignUpForm,
    /// The session was online and has not ended (a reconnect keeps the contact list shown).
    pub session_active: bool,
    /// The contact selected in the list.
    pub selected: Option<BareJid>,
    /// The conversations open in windows or tabs.
    pub windows: ConversationWindows,
    /// Unsent text per contact.
    pub drafts: BTreeMap<BareJid, String>,
    /// Chat state bookkeeping per contact.
    pub typing: BTreeMap<BareJid, Typing>,
    /// The contact list's search text.
    pub search: String,
    /// The "Add contact" dialog, while open.
    pub add_contact: Option<AddContactForm>,
    /// The text of the header line being edited in place (display name or status message).
    pub own_draft: String,
    /// Subscription requests the user answered here (hidden until the core confirms).
    pub answered_requests: BTreeSet<BareJid>,
    /// How many of `AppState::problems` the user dismissed (problems only ever get appended).
    pub dismissed_problems: usize,
    /// Measured message row heights per conversation.
    pub row_heights: BTreeMap<BareJid, RowHeights>,
    /// Session Invite: the open invitation dialog, answered invitations, notes from events.
    pub sessions: SessionView,
    /// Short notes shown as toasts for a few seconds.
    pub notices: Notices,
    /// The contact list: closed groups, the status being edited, a contact's dialog.
    pub contacts: ContactsView,
    /// The settings window, its draft, and the looks applied.
    pub settings: SettingsView,
    /// Toasts for new messages and contacts coming online.
    pub alerts: crate::ui::toasts::Alerts,
    /// The contact list's rows, kept between frames until the contacts change.
    pub contact_rows: crate::ui::contacts::RowCache,
    /// `xmpp:` links and requests to come to the front, waiting to be followed.
    pub links: crate::ui::links::Links,
    /// The conversation windows' history export and import.
    pub history_files: crate::ui::conversation::history_menu::HistoryFilesView,
}

impl ViewState {
    /// A view with the sign-in form filled from the saved account.
    pub fn new(saved_account: Option<AccountConfig>) -> Self {
        Self {
            sign_in: SignInForm::from_account(saved_account),
            ..Self::default()
        }
    }

    /// Follows the connection: a session starts when online and ends on a final failure.
    pub fn observe_connection(&mut self, connection: &ConnectionState) {
        match connection {
            ConnectionState::Online { .. } => {
                self.session_active = true;
                // The password is no longer needed: the core keeps it for reconnects.
                self.sign_in.password.clear();
            }
            ConnectionState::Connecting | ConnectionState::Reconnecting { .. } => {}
            ConnectionState::Offline
            | ConnectionState::AuthFailed { .. }
            | ConnectionState::CertificateRejected { .. }
            | ConnectionState::Failed { .. } => {
                self.session_active = false;
                self.windows.close_all();
            }
        }
    }

    /// Learns from an event before `before` (the state) applies it: session notes and toasts.
    pub fn observe_event(&mut self, before: &AppState, event: &Event) {
        // A message that could not be sent goes back where it was typed, unless the user has
        // started another one there.
        if let Event::Problem {
            problem: crate::problem::Problem::MessageNotSent { to, text, .. },
        } = event
        {
            let draft = self.drafts.entry(to.clone()).or_default();
            if draft.trim().is_empty() {
                *draft = text.clone();
            }
        }
        if let Event::OpenRequested { link } = event {
            self.links.requested(link.clone());
        }
        if let Some(text) = self.sessions.observe(before, event) {
            self.notices.push(text);
        }
        self.windows.observe_event(before, event);
    }

    /// The screen to show for what the core reported.
    pub fn screen(&self, state: &AppState) -> Screen {
        let connected_enough = match &state.connection {
            ConnectionState::Online { .. } => true,
            ConnectionState::Connecting | ConnectionState::Reconnecting { .. } => {
                self.session_active
            }
            _ => false,
        };
        if connected_enough {
            Screen::Contacts
        } else {
            Screen::SignIn
        }
    }

    /// Opens a conversation (or focuses its window) and returns the command that loads its
    /// history.
    pub fn open(&mut self, peer: &BareJid) -> Command {
        self.selected = Some(peer.clone());
        self.windows.open(peer);
        Command::LoadHistory {
            peer: peer.clone(),
            limit: HISTORY_LIMIT,
        }
    }

    /// Takes the draft for `peer` as a message to send, if it has any text.
    pub fn take_message(&mut self, peer: &BareJid) -> Option<String> {
        let draft = self.drafts.get_mut(peer)?;
        let body = draft.trim_end_matches(['\n', '\r']).to_string();
        if body.trim().is_empty() {
            return None;
        }
        draft.clear();
        Some(body)
    }

    /// The earliest moment a typing timer needs the UI to wake up (egui time, seconds).
    pub fn next_typing_deadline(&self) -> Option<f64> {
        self.typing
            .values()
            .filter_map(Typing::paused_at)
            .min_by(f64::total_cmp)
    }

    /// Chat states that became due at `now`, as `(contact, state)`.
    pub fn due_chat_states(&mut self, now: f64) -> Vec<(BareJid, ChatState)> {
        self.typing
            .iter_mut()
            .filter_map(|(peer, typing)| typing.tick(now).map(|s| (peer.clone(), s)))
            .collect()
    }

    /// Whether a subscription request still waits for an answer here.
    pub fn pending_request<'a>(&self, state: &'a AppState) -> Option<&'a BareJid> {
        state
            .subscription_requests
            .iter()
            .find(|jid| !self.answered_requests.contains(*jid))
    }
}

#[cfg(test)]
mod tests;
