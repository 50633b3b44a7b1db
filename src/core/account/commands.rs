//! The one command dispatcher, whatever the link is doing: what needs the link says so in
//! plain words when it is down, what can wait (messages, settings) waits in the store.

use super::{Account, Effect};
use crate::command::Command;
use crate::problem::{OfflineAction, Problem};

impl Account {
    pub(super) fn on_command(&mut self, command: Command) {
        if let Some(action) = needs_link(&command) {
            if !self.is_online() {
                return self.problem(Problem::NotSignedIn { action });
            }
        }
        match command {
            Command::SignIn {
                account,
                password,
                remember_password,
            } => self.sign_in(account, password, remember_password),
            Command::SignOut => self.sign_out(),
            Command::Shutdown => {
                self.sign_out();
                self.out.push(Effect::Stop);
            }
            Command::RegisterAccount {
                account,
                password,
                fields,
            } => match self.is_online() {
                true => self.problem(Problem::SignOutToRegister),
                false => self.register(account, password, fields),
            },
            Command::FetchRegistrationForm { account } => match self.is_online() {
                true => self.problem(Problem::SignOutToRegister),
                false => self.fetch_registration_form(account),
            },
            Command::SetPresence {
                availability,
                status,
            } => self.set_presence(availability, status),
            Command::SendMessage { id, to, body } => self.queue_message(id, to, body),
            Command::SendChatState { to, state } => self.send_chat_state(&to, state),
            Command::LoadHistory { peer, limit } => self.load_history(peer, limit),
            Command::MarkRead { peer } => self.mark_read(peer),
            Command::Open { link } => self.emit(crate::event::Event::OpenRequested { link }),
            Command::AddContact { jid, name, groups } => self.add_contact(&jid, name, &groups),
            Command::UpdateContact { jid, name, groups } => {
                self.update_contact(&jid, name, &groups)
            }
            Command::RemoveContact { jid } => self.remove_contact(&jid),
            Command::ApproveSubscription { jid } => self.approve_subscription(&jid),
            Command::DenySubscription { jid } => self.deny_subscription(&jid),
            Command::SendNudge { to } => self.send_nudge(&to),
            Command::BlockContact { jid } => self.change_block(&jid, true),
            Command::UnblockContact { jid } => self.change_block(&jid, false),
            Command::ShowNotification {
                title,
                body,
                target,
            } => self.out.push(Effect::Notify {
                title,
                body,
                target,
            }),
            Command::PlaySound { sound } => self.out.push(Effect::PlaySound(sound)),
            Command::SaveSettings { settings } => self.out.push(Effect::SaveSettings(settings)),
            Command::SetAvatar { path } => {
                self.out
                    .push(Effect::PreparePicture(super::effect::PictureSource::File(
                        path,
                    )))
            }
            Command::SetBuiltinAvatar { name } => self.set_builtin_picture(&name),
            Command::ClearAvatar => self.clear_picture(),
            Command::SetNickname { nick } => self.set_nickname(nick),
            Command::Invite {
                session,
                to,
                app_guid,
                context,
                local_address,
                origin,
            } => self.invite(invite_request(
                session,
                to,
                app_guid,
                context,
                local_address,
                origin,
            )),
            Command::AcceptInvitation { session } => self.accept_invitation(&session),
            Command::DeclineInvitation { session } => self.decline_invitation(&session),
            Command::CancelInvitation { session } => self.cancel_invitation(&session),
            Command::SendContextData { session, data } => self.send_context(&session, data),
            Command::SetLocalAddress { session, address } => {
                self.set_local_address(&session, address)
            }
            Command::EndSession { session } => self.end_session(&session),
        }
    }

    fn on_settings_saved_ok(&mut self, settings: crate::config::Settings) {
        self.settings = settings.clone();
        self.emit(crate::event::Event::SettingsChanged { settings });
    }

    pub(super) fn on_settings_saved(
        &mut self,
        result: Result<crate::config::Settings, super::Fault>,
    ) {
        match result {
            Ok(settings) => self.on_settings_saved_ok(settings),
            // Nothing changes when the file could not be written: the user sees the old values.
            Err(fault) => self.problem(Problem::SettingsNotSaved {
                detail: fault.into(),
            }),
        }
    }
}

/// What a command needs the link for, if it cannot be done (or wait) without it.
fn needs_link(command: &Command) -> Option<OfflineAction> {
    match command {
        Command::SendNudge { .. }
        | Command::BlockContact { .. }
        | Command::UnblockContact { .. } => Some(OfflineAction::Contact),
        Command::AddContact { .. }
        | Command::RemoveContact { .. }
        | Command::UpdateContact { .. }
        | Command::ApproveSubscription { .. }
        | Command::DenySubscription { .. } => Some(OfflineAction::ChangeContacts),
        Command::SetAvatar { .. } | Command::SetBuiltinAvatar { .. } | Command::ClearAvatar => {
            Some(OfflineAction::ChangePicture)
        }
        Command::SetNickname { .. } => Some(OfflineAction::ChangeName),
        Command::AcceptInvitation { .. }
        | Command::DeclineInvitation { .. }
        | Command::CancelInvitation { .. }
        | Command::SendContextData { .. }
        | Command::EndSession { .. } => Some(OfflineAction::Invitation),
        _ => None,
    }
}

fn invite_request(
    session: String,
    to: crate::model::BareJid,
    app_guid: String,
    context: Option<String>,
    local_address: Option<String>,
    origin: crate::invite::Origin,
) -> super::invites::InviteRequest {
    super::invites::InviteRequest {
        session,
        to,
        app_guid,
        context,
        local_address,
        origin,
    }
}
