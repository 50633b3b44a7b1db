//! Clicks on desktop notifications: the window opens what the notification was about and
//! comes forward, the way a click on a toast does.

use egui::{Context, ViewportCommand};

use super::Notifier;
use crate::core::CommandSender;
use crate::model::{BareJid, NotificationTarget};
use crate::state::AppState;
use crate::ui::send;
use crate::ui::view::{Screen, ViewState};

/// What a click on a desktop notification does in the window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClickAction {
    /// Open the conversation with this contact, or bring its window forward.
    OpenConversation(BareJid),
    /// Open the dialog of this invitation (session id), which still rings.
    OpenInvitation(String),
    /// Only bring the contact list forward: signed out, or the invitation is not known.
    ShowWindow,
}

/// What a click on a notification about `target` does now.
///
/// An invitation that stopped ringing (answered here or elsewhere, cancelled, timed out)
/// opens the conversation with its inviter instead, where its outcome is shown.
pub fn click_action(
    state: &AppState,
    view: &ViewState,
    target: &NotificationTarget,
) -> ClickAction {
    if view.screen(state) != Screen::Contacts {
        return ClickAction::ShowWindow;
    }
    match target {
        NotificationTarget::Conversation { jid } => ClickAction::OpenConversation(jid.clone()),
        NotificationTarget::Invitation { session } => {
            let Some(known) = state.sessions.get(session) else {
                return ClickAction::ShowWindow;
            };
            let ringing = view
                .sessions
                .unanswered(state)
                .iter()
                .any(|s| s.id == *session);
            // The core makes sessions only with valid addresses.
            match BareJid::new(&known.peer) {
                _ if ringing => ClickAction::OpenInvitation(session.clone()),
                Ok(peer) => ClickAction::OpenConversation(peer),
                Err(_) => ClickAction::ShowWindow,
            }
        }
    }
}

/// Does what the clicks the notifier saw ask, once the events are applied: opens each
/// notification's subject and brings Nudge forward.
pub fn follow(
    ctx: &Context,
    notifier: &mut Notifier,
    state: &AppState,
    view: &mut ViewState,
    commands: &CommandSender,
) {
    for target in notifier.take_clicked() {
        // The contact list may be hidden in the tray; conversation windows are its children
        // and are drawn only while it is shown.
        ctx.send_viewport_cmd(ViewportCommand::Visible(true));
        match click_action(state, view, &target) {
            // The conversation's own window takes the focus (a focus request of its own).
            ClickAction::OpenConversation(peer) => send(commands, view.open(&peer)),
            ClickAction::OpenInvitation(session) => {
                view.sessions.dialog = Some(session);
                raise(ctx);
            }
            ClickAction::ShowWindow => raise(ctx),
        }
    }
}

/// Brings the contact list window to the front with the keyboard focus.
fn raise(ctx: &Context) {
    ctx.send_viewport_cmd(ViewportCommand::Minimized(false));
    ctx.send_viewport_cmd(ViewportCommand::Focus);
}
