//! Toasts: small notes that slide in at the bottom right of the window, stacked upwards.
//!
//! Invitations ring here until answered; new messages, contacts coming online and short notes
//! stay a few seconds. Each toast is one button named by its words, so screen readers and tests
//! find it by label. Settings gate the message and online toasts with the same switches as
//! desktop notifications (`settings.notifications`): one "tell me about X" choice per kind.

use egui::{emath, pos2, vec2, Align2, Area, Button, Context, Id, Order, RichText, Stroke, Ui};

use super::{send, theme};
use crate::core::CommandSender;
use crate::event::Event;
use crate::model::BareJid;
use crate::state::AppState;
use crate::ui::view::{session_peer_name, ViewState};
use crate::ui::words;

mod alerts;

pub use alerts::{
    comes_online, is_news, Alert, AlertKind, Alerts, ALERT_SECONDS, QUIET_AFTER_SIGN_IN_SECONDS,
};

/// What clicking a toast does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ToastAction {
    /// Opens the dialog of a ringing invitation.
    OpenInvitation(String),
    /// Removes a note.
    Dismiss(u64),
    /// Opens the conversation with a contact (bare JID) and removes the alert (by id).
    OpenConversation {
        /// The alert clicked.
        alert: u64,
        /// The contact.
        peer: BareJid,
    },
}

/// One toast.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toast {
    /// Stable while the toast is shown: it keys the slide animation.
    pub key: String,
    /// The words shown, which are also its accessible label.
    pub text: String,
    /// What clicking it does.
    pub action: ToastAction,
    /// Whose picture it shows, if it is about a contact.
    pub person: Option<BareJid>,
}

/// The toasts to show now, bottom first: ringing invitations (oldest first), then notes, then
/// alerts (oldest first).
///
/// The invitation whose dialog is open has no toast: the toast turned into the dialog.
pub fn current(state: &AppState, view: &ViewState) -> Vec<Toast> {
    let open = view.sessions.dialog.as_deref();
    let invitations = view.sessions.unanswered(state).into_iter();
    let invitations = invitations
        .filter(|s| Some(s.id.as_str()) != open)
        .map(|s| Toast {
            key: format!("invitation:{}", s.id),
            text: words::invitation_toast(session_peer_name(state, s), &s.app_name),
            action: ToastAction::OpenInvitation(s.id.clone()),
            // The core makes sessions only with valid addresses.
            person: BareJid::new(&s.peer).ok(),
        });
    let notes = view.notices.shown().iter().map(|n| Toast {
        key: format!("notice:{}", n.id),
        text: n.text.clone(),
        action: ToastAction::Dismiss(n.id),
        person: None,
    });
    let alerts = view.alerts.shown().iter().map(|a| Toast {
        key: format!("alert:{}", a.id),
        text: a.text.clone(),
        action: ToastAction::OpenConversation {
            alert: a.id,
            peer: a.peer.clone(),
        },
        person: Some(a.peer.clone()),
    });
    invitations.chain(notes).chain(alerts).collect()
}

/// The conversation the user is reading (its window has the focus), whose messages need no
/// toast.
pub fn visible_conversation(view: &ViewState) -> Option<&BareJid> {
    view.windows.focused.as_ref()
}

/// Learns from an event before `before` (the state) applies it, at `now` (egui time).
pub fn observe(view: &mut ViewState, before: &AppState, event: &Event, now: f64) {
    let visible = visible_conversation(view).cloned();
    view.alerts.observe(before, visible.as_ref(), event, now);
}

/// Draws the toasts of the moment and does what a click on one asks.
pub fn show(ui: &Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    if let Some(peer) = visible_conversation(view).cloned() {
        view.alerts.seen(&peer);
    }
    match stack(ui.ctx(), state, &current(state, view)) {
        Some(ToastAction::OpenInvitation(session)) => view.sessions.dialog = Some(session),
        Some(ToastAction::Dismiss(id)) => view.notices.dismiss(id),
        Some(ToastAction::OpenConversation { alert, peer }) => {
            view.alerts.dismiss(alert);
            send(commands, view.open(&peer));
        }
        None => {}
    }
}

/// Draws `toasts` stacked upwards from the bottom right; returns the action of a clicked one.
pub fn stack(ctx: &Context, state: &AppState, toasts: &[Toast]) -> Option<ToastAction> {
    let screen = ctx.content_rect();
    let mut bottom = screen.bottom() - theme::TOAST_GAP;
    let mut clicked = None;
    for toast in toasts {
        let id = Id::unique(("toast", &toast.key));
        let hidden = 1.0 - slide_in(ctx, id);
        // Starts just past the right edge and slides left into place.
        let right =
            screen.right() - theme::TOAST_GAP + hidden * (theme::TOAST_WIDTH + theme::TOAST_GAP);
        let shown = Area::new(id)
            .order(Order::Foreground)
            .pivot(Align2::RIGHT_BOTTOM)
            .fixed_pos(pos2(right, bottom))
            .constrain(false)
            .fade_in(false)
            .show(ctx, |ui| {
                ui.set_max_width(theme::TOAST_WIDTH);
                let palette = theme::colours(ui);
                let text = RichText::new(&toast.text).color(palette.on_toast);
                let picture = toast.person.as_ref().and_then(|person| {
                    super::avatar::toast_image(ctx, state.avatars.get(person), person.as_str())
                });
                let button = match picture {
                    Some(picture) => Button::image_and_text(picture, text),
                    None => Button::new(text),
                };
                ui.add(
                    button
                        .fill(palette.toast)
                        .stroke(Stroke::new(theme::OUTLINE_WIDTH, palette.toast_border))
                        .corner_radius(theme::TOAST_RADIUS)
                        .min_size(vec2(theme::TOAST_WIDTH, theme::TOAST_MIN_HEIGHT))
                        .wrap(),
                )
            });
        if shown.inner.clicked() {
            clicked = Some(toast.action.clone());
        }
        bottom -= shown.response.rect.height() + theme::TOAST_GAP;
    }
    clicked
}

/// How far a toast has slid in, from 0 (just appeared) to 1 (in place).
///
/// egui's animations start at their target the first time an id is seen, so a new toast is
/// first put at "hidden" and then animated towards "shown"; once there, nothing repaints.
fn slide_in(ctx: &Context, id: Id) -> f32 {
    let id = id.with("slide");
    let is_new = ctx.data_mut(|data| {
        let seen = data.get_temp::<bool>(id).unwrap_or(false);
        data.insert_temp(id, true);
        !seen
    });
    if is_new {
        ctx.animate_bool_with_time(id, false, theme::TOAST_SLIDE_SECONDS);
    }
    ctx.animate_bool_with_time_and_easing(
        id,
        true,
        theme::TOAST_SLIDE_SECONDS,
        emath::easing::cubic_out,
    )
}
