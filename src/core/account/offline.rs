//! Commands that arrive while the account is not online: signing in, creating an account,
//! what can wait in the store (messages, settings), and plain words for what needs a link.

use super::{invites, outgoing, Account, Next, Phase};
use crate::command::Command;
use crate::event::Event;
use crate::model::{Availability, ConnectionState};

impl Account {
    /// Handles a command while not online. `Go` changes the phase.
    pub(super) async fn offline_command(&mut self, command: Command) -> Next {
        match command {
            Command::SignIn {
                account,
                password,
                remember_password,
            } => Next::Go(self.sign_in(account, password, remember_password).await),
            Command::FetchRegistrationForm { account } => {
                match crate::core::register::fetch_form(&account).await {
                    Ok(form) => self.emit(Event::RegistrationForm {
                        jid: crate::model::bare_jid(&account.jid),
                        form,
                    }),
                    Err(message) => self.emit(Event::RegistrationFailed { message }),
                }
                Next::Stay
            }
            Command::RegisterAccount {
                account,
                password,
                fields,
            } => {
                match crate::core::register::register_account(&account, &password, &fields).await {
                    Ok(()) => {
                        self.emit(Event::AccountRegistered {
                            jid: crate::model::bare_jid(&account.jid),
                        });
                        Next::Go(self.sign_in(account, password, false).await)
                    }
                    Err(message) => {
                        self.emit(Event::RegistrationFailed { message });
                        Next::Stay
                    }
                }
            }
            Command::SignOut => {
                self.credentials = None;
                self.resumable = None;
                self.set_connection(ConnectionState::Offline);
                Next::Go(Phase::Idle)
            }
            Command::Shutdown => Next::Go(Phase::Stop),
            Command::SetPresence {
                availability,
                status,
            } => {
                self.availability = availability;
                self.status = status;
                match availability {
                    Availability::Offline => {
                        self.set_connection(ConnectionState::Offline);
                        Next::Go(Phase::Idle)
                    }
                    _ if self.credentials.is_some() => Next::Go(Phase::Connect),
                    _ => Next::Stay,
                }
            }
            Command::SendMessage { id, to, body } => {
                outgoing::queue_message(self, id, &to, body);
                Next::Stay
            }
            Command::LoadHistory { peer, limit } => {
                outgoing::load_history(self, &peer, limit);
                Next::Stay
            }
            Command::SendChatState { .. } => Next::Stay,
            Command::ShowNotification {
                title,
                body,
                target,
            } => {
                outgoing::notify(self, title, body, target);
                Next::Stay
            }
            Command::PlaySound { sound } => {
                outgoing::play_sound(sound);
                Next::Stay
            }
            Command::SendNudge { .. }
            | Command::BlockContact { .. }
            | Command::UnblockContact { .. } => {
                self.problem("You are not signed in; try again once you are online.");
                Next::Stay
            }
            Command::SetAvatar { .. } | Command::SetBuiltinAvatar { .. } | Command::ClearAvatar => {
                self.problem(
                    "You are not signed in; change your display picture once you are online.",
                );
                Next::Stay
            }
            Command::SetNickname { .. } => {
                self.problem(
                    "You are not signed in; change your display name once you are online.",
                );
                Next::Stay
            }
            command @ (Command::Invite { .. }
            | Command::AcceptInvitation { .. }
            | Command::DeclineInvitation { .. }
            | Command::CancelInvitation { .. }
            | Command::SendContextData { .. }
            | Command::SetLocalAddress { .. }
            | Command::EndSession { .. }
            | Command::SaveSettings { .. }) => {
                invites::offline_command(self, command);
                Next::Stay
            }
            Command::AddContact { .. }
            | Command::RemoveContact { .. }
            | Command::UpdateContact { .. }
            | Command::ApproveSubscription { .. }
            | Command::DenySubscription { .. } => {
                self.problem("You are not signed in; change contacts once you are online.");
                Next::Stay
            }
        }
    }
}
