//! The invitation dialog: who invites the user to which program, with what, and where to get
//! the program when it is missing. Accept, Decline, or Cancel (a decline with no reason shown).

use egui::{Id, Modal, RichText, ScrollArea, Ui};

use super::{avatar, send, theme, words};
use crate::core::CommandSender;
use crate::invite::InviteSession;
use crate::state::AppState;
use crate::ui::view::{session_peer_name, ViewState};

/// Shows the dialog of the invitation the user opened, while it still rings.
pub fn show(ui: &mut Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    let Some(session) = view.sessions.dialog_session(state) else {
        return;
    };
    let who = session_peer_name(state, session);
    let mut answer = None;
    let modal = Modal::new(Id::unique(("invitation", &session.id))).show(ui.ctx(), |ui| {
        ui.set_max_width(theme::DIALOG_WIDTH);
        ui.heading("Invitation");
        ui.add_space(theme::SMALL_GAP);
        // The inviter's picture in their presence frame beside the words, as in a toast.
        ui.horizontal(|ui| {
            // The session keeps its peer as text (the API's type); the state keys are JIDs.
            let peer = crate::xmpp::parse_bare(&session.peer).ok();
            let presence = peer
                .as_ref()
                .and_then(|peer| state.contacts.get(peer))
                .map(|e| e.availability())
                .unwrap_or_default();
            let picture = peer.as_ref().and_then(|peer| state.avatars.get(peer));
            avatar::framed(ui, picture, avatar::TOAST_SIDE, &session.peer, presence);
            ui.add(
                egui::Label::new(words::invitation_from(
                    who,
                    &session.peer,
                    &session.app_name,
                ))
                .wrap(),
            );
        });
        details(ui, session);
        ui.add_space(theme::GAP);
        ui.horizontal(|ui| {
            if theme::primary_button(ui, "Accept", 0.0).clicked() {
                answer = Some(true);
            }
            if ui.button("Decline").clicked() {
                answer = Some(false);
            }
            // As in Windows Messenger: Cancel declines without telling why.
            if ui.button("Cancel").clicked() {
                answer = Some(false);
            }
        });
    });
    if answer.is_none() && modal.should_close() {
        answer = Some(false);
    }
    if let Some(accept) = answer {
        let id = session.id.clone();
        send(commands, view.sessions.answer(&id, accept));
    }
}

/// The context data and, when the program is missing, where to get it.
fn details(ui: &mut Ui, session: &InviteSession) {
    if let Some(context) = session.context.as_deref().filter(|c| !c.is_empty()) {
        ui.add_space(theme::SMALL_GAP);
        ui.label(words::CONTEXT_HEADING);
        ScrollArea::vertical()
            .id_salt("invitation-context")
            .max_height(theme::CONTEXT_BOX_HEIGHT)
            .show(ui, |ui| {
                ui.label(RichText::new(words::context_preview(context)).monospace());
            });
    }
    if !session.app_present {
        ui.add_space(theme::SMALL_GAP);
        ui.label(
            RichText::new(words::not_installed(&session.app_name))
                .color(theme::colours(ui).warning),
        );
        ui.label(words::DOWNLOAD_FROM);
        // In full, so the user sees exactly where the browser will go.
        ui.label(RichText::new(words::plain(&session.download_url, false)).monospace());
        ui.label(words::download_note(&session.download_url));
    }
}
