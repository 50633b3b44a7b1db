//! Which conversation windows are open, and what each asks of its native window.
//!
//! Plain data, so the rules are unit-tested without a window: reopening focuses instead of
//! duplicating, a message opens a window without taking the focus, the title counts unread
//! messages, attention is asked once per burst, and a nudge shakes at most once per
//! [`NUDGE_ALERT_SECONDS`]. `ui::conversation::windows` turns this into egui viewports.

use std::collections::BTreeMap;

use egui::{pos2, vec2, Pos2, Vec2};

use crate::event::Event;
use crate::model::{now_ms, BareJid, ChatMessage, Delivery, Direction};
use crate::state::AppState;
use crate::ui::conversation::lines::{Line, Lines};
use crate::xmpp::attention::SendLimit;

/// The shortest time between two nudge alerts (shake and sound) from one contact, in seconds.
pub const NUDGE_ALERT_SECONDS: f64 = 10.0;
/// How long each position of a shake is held, in seconds.
pub const SHAKE_STEP_SECONDS: f64 = 0.04;
/// The horizontal and vertical offsets a shaking window goes through, in points.
pub const SHAKE_OFFSETS: [[f32; 2]; 10] = [
    [-10.0, 0.0],
    [10.0, -4.0],
    [-10.0, 4.0],
    [10.0, 0.0],
    [-8.0, -3.0],
    [8.0, 3.0],
    [-6.0, 0.0],
    [6.0, -2.0],
    [-3.0, 2.0],
    [3.0, 0.0],
];
/// Where the first conversation window opens (beside a contact list at the top left).
pub const FIRST_WINDOW_AT: [f32; 2] = [380.0, 40.0];
/// How far each further window is moved down and right, so windows never stack exactly.
pub const WINDOW_STAGGER: f32 = 32.0;
/// After this many positions the staggering starts again at the first one.
pub const STAGGER_SLOTS: usize = 8;

/// Something a conversation asks of the window it is shown in, done on the next frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowRequest {
    /// Bring the window to the front with the keyboard focus (and show this conversation).
    Focus,
    /// Ask the desktop to draw the user's attention to the window (taskbar flash).
    Attention,
    /// The user looked: stop asking for attention.
    ResetAttention,
}

/// A sound the window wants played; the desktop integration takes these from the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UiSound {
    /// A contact sent a nudge (already rate-limited).
    Nudge,
}

/// A nudge shown as a line in the conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NudgeLine {
    /// When it was sent or received, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// Whether the user sent it (else the contact did).
    pub from_me: bool,
}

/// A shake in progress: its clock starts on its first frame.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Shake {
    /// When the shake started (egui time, seconds).
    pub started_at: Option<f64>,
    /// Where the window was before it started shaking.
    pub home: Option<Pos2>,
    /// The step last applied, so a step is sent once however many frames it lasts.
    pub last_step: Option<usize>,
}

/// Where a shake is at some moment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ShakeStep {
    /// Hold this offset from home until `next_in` seconds have passed.
    At {
        /// Which step of [`SHAKE_OFFSETS`].
        step: usize,
        /// The offset from home.
        offset: Vec2,
        /// Seconds until the next step.
        next_in: f64,
    },
    /// The shake is over: put the window home.
    Done,
}

/// Where a shake that started `elapsed` seconds ago is.
pub fn shake_step(elapsed: f64) -> ShakeStep {
    let step = (elapsed.max(0.0) / SHAKE_STEP_SECONDS) as usize;
    match SHAKE_OFFSETS.get(step) {
        Some([x, y]) => ShakeStep::At {
            step,
            offset: vec2(*x, *y),
            next_in: (step + 1) as f64 * SHAKE_STEP_SECONDS - elapsed,
        },
        None => ShakeStep::Done,
    }
}

/// One open conversation and what its window still has to do.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenConversation {
    /// The contact.
    pub peer: BareJid,
    /// Which staggered position its window opened at.
    pub slot: usize,
    /// Requests for its window, oldest first.
    pub requests: Vec<WindowRequest>,
    /// Attention was asked since the user last looked (one request per burst).
    pub attention_asked: bool,
    /// Put the keyboard focus in its composer on the next frame.
    pub focus_composer: bool,
    /// Its history was asked for (windows opened by a message ask on their first frame).
    pub history_requested: bool,
    /// The window was opened by a message, so it appears without taking the focus. Fixed for
    /// the window's life: egui recreates a native window whose builder changes this.
    pub opened_in_background: bool,
    /// A shake in progress.
    pub shake: Option<Shake>,
}

/// The conversations open in windows or tabs, in the order they were opened.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConversationWindows {
    open: Vec<OpenConversation>,
    /// The conversation shown in the tabbed window.
    pub active_tab: Option<BareJid>,
    /// Nudges sent and received per contact, oldest first.
    nudges: BTreeMap<BareJid, Vec<NudgeLine>>,
    /// When each contact last shook a window or rang (egui time, seconds).
    last_alert: BTreeMap<BareJid, f64>,
    /// When the user last nudged each contact (egui time, milliseconds).
    nudges_sent: SendLimit,
    /// Sounds to play, for the desktop integration to take.
    pub sounds: Vec<UiSound>,
    /// In windows drawn inside the main window (tests, no native windows): the one in front.
    pub embedded_focus: Option<String>,
    /// The lines of each open conversation, kept between frames.
    pub lines: BTreeMap<BareJid, Lines>,
    /// The conversation whose window has the focus (the one the user is reading), if any.
    pub focused: Option<BareJid>,
    /// Contacts who nudged the user since the last frame, oldest first (shown, shaken and rung
    /// on the next frame, which knows the time).
    pending_nudges: Vec<BareJid>,
    /// The unread count each conversation was last asked to be marked read at, so the
    /// request goes once until the core answers.
    read_asked: BTreeMap<BareJid, usize>,
}

impl ConversationWindows {
    /// The open conversations, in the order they were opened.
    pub fn open_conversations(&self) -> &[OpenConversation] {
        &self.open
    }

    /// The open conversation with `peer`.
    pub fn get(&self, peer: &BareJid) -> Option<&OpenConversation> {
        self.open.iter().find(|c| c.peer == *peer)
    }

    /// The open conversation with `peer`, to change.
    pub fn get_mut(&mut self, peer: &BareJid) -> Option<&mut OpenConversation> {
        self.open.iter_mut().find(|c| c.peer == *peer)
    }

    /// Whether a conversation with `peer` is open.
    pub fn is_open(&self, peer: &BareJid) -> bool {
        self.get(peer).is_some()
    }

    /// The user opened a conversation: a new window, or the focus for the one already open.
    /// Returns whether a window was added.
    pub fn open(&mut self, peer: &BareJid) -> bool {
        self.active_tab = Some(peer.clone());
        if let Some(open) = self.get_mut(peer) {
            open.focus_composer = true;
            open.requests.push(WindowRequest::Focus);
            return false;
        }
        let mut conversation = self.new_conversation(peer);
        conversation.history_requested = true;
        conversation.focus_composer = true;
        conversation.requests.push(WindowRequest::Focus);
        self.open.push(conversation);
        true
    }

    /// Something arrived from `peer`: open a window without taking the focus, unless one is
    /// open. Returns whether a window was added.
    pub fn open_in_background(&mut self, peer: &BareJid) -> bool {
        if self.is_open(peer) {
            return false;
        }
        let mut conversation = self.new_conversation(peer);
        conversation.opened_in_background = true;
        self.open.push(conversation);
        self.active_tab.get_or_insert_with(|| peer.clone());
        true
    }

    fn new_conversation(&self, peer: &BareJid) -> OpenConversation {
        OpenConversation {
            peer: peer.clone(),
            slot: self.free_slot(),
            requests: Vec::new(),
            attention_asked: false,
            focus_composer: false,
            history_requested: false,
            opened_in_background: false,
            shake: None,
        }
    }

    /// The lowest staggered position no open window uses, so closing and reopening windows
    /// does not make them wander across the screen.
    fn free_slot(&self) -> usize {
        (0..)
            .find(|slot| self.open.iter().all(|c| c.slot != *slot))
            .unwrap_or_default()
    }

    /// The conversations opened by a message whose history was not asked for yet; they are
    /// marked as asked.
    pub fn history_wanted(&mut self) -> Vec<BareJid> {
        self.open
            .iter_mut()
            .filter_map(|c| {
                (!std::mem::replace(&mut c.history_requested, true)).then(|| c.peer.clone())
            })
            .collect()
    }

    /// Closes the conversation with `peer` (its window or tab). Returns whether it was open.
    pub fn close(&mut self, peer: &BareJid) -> bool {
        let before = self.open.len();
        self.open.retain(|c| c.peer != *peer);
        self.lines.remove(peer);
        if self.focused.as_ref() == Some(peer) {
            self.focused = None;
        }
        if self.active_tab.as_ref() == Some(peer) {
            self.active_tab = self.open.last().map(|c| c.peer.clone());
        }
        if self.open.is_empty() || self.embedded_focus == Some(window_key(peer)) {
            self.embedded_focus = None;
        }
        self.open.len() != before
    }

    /// Closes every conversation (the session ended).
    pub fn close_all(&mut self) {
        self.open.clear();
        self.focused = None;
        self.lines.clear();
        self.active_tab = None;
        self.embedded_focus = None;
    }

    /// Learns from an event before it applies: a new message from a contact with no open
    /// conversation opens one in the background when the settings say so.
    pub fn observe_event(&mut self, before: &AppState, event: &Event) {
        if let Event::NudgeReceived { jid } = event {
            self.pending_nudges.push(jid.clone());
        }
        let Event::MessageReceived { message } = event else {
            return;
        };
        let incoming =
            message.direction == Direction::Incoming && message.delivery == Delivery::Received;
        let is_new = before
            .conversations
            .get(&message.peer)
            .is_none_or(|c| c.messages.iter().all(|m| m.id != message.id));
        if incoming && is_new && before.settings.open_conversation_on_message {
            self.open_in_background(&message.peer);
        }
    }

    /// Notes whether the user is looking at the conversation with `peer` and how many of its
    /// messages are unread; returns whether it should be marked read. Asks for attention once
    /// per burst of messages while the user looks elsewhere.
    pub fn observe_focus(&mut self, peer: &BareJid, focused: bool, unread: usize) -> bool {
        if focused {
            self.focused = Some(peer.clone());
        } else if self.focused.as_ref() == Some(peer) {
            self.focused = None;
        }
        let Some(open) = self.get_mut(peer) else {
            return false;
        };
        if focused {
            if std::mem::take(&mut open.attention_asked) {
                open.requests.push(WindowRequest::ResetAttention);
            }
            return true;
        }
        if unread > 0 && !open.attention_asked {
            open.attention_asked = true;
            open.requests.push(WindowRequest::Attention);
        }
        false
    }

    /// Takes the nudges received since the last frame.
    pub fn take_pending_nudges(&mut self) -> Vec<BareJid> {
        std::mem::take(&mut self.pending_nudges)
    }

    /// Whether to ask the core to mark `peer`'s conversation read, with `unread` messages in
    /// it and the user `looking` at it or not: once per count, until the core says it is read.
    pub fn ask_read(&mut self, peer: &BareJid, unread: usize, looking: bool) -> bool {
        if unread == 0 {
            self.read_asked.remove(peer);
            return false;
        }
        looking && self.read_asked.insert(peer.clone(), unread) != Some(unread)
    }

    /// Takes the requests waiting for the window of `peer`.
    pub fn take_requests(&mut self, peer: &BareJid) -> Vec<WindowRequest> {
        self.get_mut(peer)
            .map(|c| std::mem::take(&mut c.requests))
            .unwrap_or_default()
    }

    /// The nudges sent and received with `peer`, oldest first.
    pub fn nudges(&self, peer: &BareJid) -> &[NudgeLine] {
        self.nudges.get(peer).map_or(&[], Vec::as_slice)
    }

    /// The lines of the conversation with `peer` holding `messages`, and its nudges.
    pub fn lines_of(
        &mut self,
        peer: &BareJid,
        messages: &[ChatMessage],
    ) -> (&[Line], &[NudgeLine]) {
        let nudges = self.nudges.get(peer).map_or(&[][..], Vec::as_slice);
        let lines = self.lines.entry(peer.clone()).or_default();
        (lines.update(messages, nudges), nudges)
    }

    /// The user nudges `peer` at `now` (egui time, seconds): `true` and a line in the
    /// conversation, or `false` when the last nudge to `peer` is too recent to send another.
    pub fn nudge_sent(&mut self, peer: &BareJid, now: f64) -> bool {
        if !self.nudges_sent.try_send(peer.as_str(), seconds_to_ms(now)) {
            return false;
        }
        self.push_nudge(peer, true);
        true
    }

    /// How long until `peer` may be nudged again at `now` (zero: now).
    pub fn nudge_wait(&self, peer: &BareJid, now: f64) -> std::time::Duration {
        let wait = self.nudges_sent.wait_ms(peer.as_str(), seconds_to_ms(now));
        std::time::Duration::from_millis(wait.unsigned_abs())
    }

    /// `peer` sent a nudge at `now` (egui time, seconds): it is shown as a line; the window
    /// shakes (when `shake` allows) and a sound is queued, at most once per
    /// [`NUDGE_ALERT_SECONDS`] per contact. A contact without an open conversation gets one
    /// when `open_on_message`. Returns whether a shake was scheduled.
    pub fn nudge_received(
        &mut self,
        peer: &BareJid,
        now: f64,
        shake: bool,
        open_on_message: bool,
    ) -> bool {
        self.push_nudge(peer, false);
        if open_on_message {
            self.open_in_background(peer);
        }
        let quiet = self
            .last_alert
            .get(peer)
            .is_some_and(|at| now - at < NUDGE_ALERT_SECONDS);
        if quiet {
            return false;
        }
        self.last_alert.insert(peer.clone(), now);
        self.sounds.push(UiSound::Nudge);
        let Some(open) = self.get_mut(peer).filter(|_| shake) else {
            return false;
        };
        open.shake = Some(Shake::default());
        true
    }

    fn push_nudge(&mut self, peer: &BareJid, from_me: bool) {
        self.nudges
            .entry(peer.clone())
            .or_default()
            .push(NudgeLine {
                at_ms: now_ms(),
                from_me,
            });
    }
}

/// egui time (seconds since start) in whole milliseconds.
fn seconds_to_ms(seconds: f64) -> i64 {
    (seconds * 1000.0) as i64
}

/// The words of a conversation window's title: the contact's name and address, with the
/// number of unread messages first when there are any.
pub fn title(name: &str, jid: &str, unread: usize) -> String {
    let who = if name == jid {
        jid.to_string()
    } else {
        format!("{name} — {jid}")
    };
    match unread {
        0 => who,
        n => format!("({n}) {who}"),
    }
}

/// The title of the one window holding all conversations as tabs.
pub fn tabs_title(unread: usize) -> String {
    match unread {
        0 => "Conversations".to_string(),
        n => format!("({n}) Conversations"),
    }
}

/// The key naming the window of the conversation with `peer` across frames.
pub fn window_key(peer: &BareJid) -> String {
    format!("conversation:{peer}")
}

/// The key naming the one window that holds all conversations as tabs.
pub const TABS_KEY: &str = "conversations";

/// Where the window in staggered position `slot` opens.
pub fn position(slot: usize) -> Pos2 {
    let step = (slot % STAGGER_SLOTS) as f32 * WINDOW_STAGGER;
    pos2(FIRST_WINDOW_AT[0] + step, FIRST_WINDOW_AT[1] + step)
}

#[cfg(test)]
mod tests;
