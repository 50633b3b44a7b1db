//! The sentences for [`Problem`]s: what happened, and what to do when there is something to do.
//! The window shows them and the local API sends them beside each problem's `code`.

use crate::problem::{OfflineAction, Problem};

/// What went wrong, in plain words.
pub fn problem(problem: &Problem) -> String {
    match problem {
        Problem::NotSignedIn { action } => not_signed_in(*action).to_string(),
        Problem::InvalidAddress { address, detail } => {
            format!("{address:?} is not an address Nudge can use: {detail}.")
        }
        Problem::MessageNotSent { to, detail, .. } => {
            format!("Your message to {to} was not sent: {detail}. It is back in the box.")
        }
        Problem::MessageNotSaved { detail } => format!(
            "A message could not be saved to your history ({detail}); it is shown, but will be \
             gone after a restart."
        ),
        Problem::ArchiveNotSaved { detail } => format!(
            "Messages from your server's history could not be saved ({detail}); Nudge will fetch \
             them again next time you sign in."
        ),
        Problem::HistoryUnreadable { detail } => {
            format!("Your message history could not be read: {detail}.")
        }
        Problem::UnreadableMessage { from, detail } => {
            format!("A message from {from} could not be read and was skipped ({detail}).")
        }
        Problem::RosterUnavailable { detail } => {
            format!("Your contact list could not be loaded: {detail}.")
        }
        Problem::ContactChangeRefused { jid, reason } => {
            format!("Changing {jid} in your contacts failed: {reason}.")
        }
        Problem::BlockChangeRefused { jid, reason } => {
            format!("Blocking or unblocking {jid} failed: {reason}.")
        }
        Problem::NicknameRefused { reason } => {
            format!("Your display name could not be changed: {reason}.")
        }
        Problem::PictureRefused { detail } => {
            format!("Your display picture was not changed: {detail}.")
        }
        Problem::PictureNotPublished { reason } => {
            format!("Your display picture could not be published: {reason}.")
        }
        Problem::PictureNotRemoved { reason } => {
            format!("Your display picture could not be removed: {reason}.")
        }
        Problem::NudgeTooSoon { jid, seconds } => format!(
            "Nudges to {jid} are limited to one every {seconds} seconds; this one was not sent."
        ),
        Problem::SignOutToRegister => "Sign out before creating another account.".to_string(),
        Problem::NoKeyring => {
            "Your password was not saved: no keyring is available on this desktop.".to_string()
        }
        Problem::KeyringFailed { detail } => {
            format!("The keyring did not keep your password: {detail}.")
        }
        Problem::AccountNotSaved { detail } => {
            format!("Your account settings could not be saved: {detail}.")
        }
        Problem::SettingsNotSaved { detail } => {
            format!("Your settings were not saved, so nothing changed: {detail}.")
        }
        Problem::SettingsUnreadable { detail } => {
            format!("Your settings could not be read, so Nudge uses its defaults: {detail}.")
        }
        Problem::AppsNotWatched { detail } => format!(
            "Programs registered from now on will appear only after Nudge restarts: {detail}."
        ),
        Problem::Invitation { error } => format!("The invitation could not be sent: {error}."),
        Problem::SessionReused => "That session was already used for an invitation.".to_string(),
        Problem::ProgramNotStarted { detail } => {
            format!("The program could not be started: {detail}.")
        }
        Problem::PageNotOpened { detail } => {
            format!("The page could not be opened: {detail}.")
        }
    }
}

fn not_signed_in(action: OfflineAction) -> &'static str {
    match action {
        OfflineAction::Contact => "You are not signed in; try again once you are online.",
        OfflineAction::ChangeContacts => {
            "You are not signed in; change contacts once you are online."
        }
        OfflineAction::ChangePicture => {
            "You are not signed in; change your display picture once you are online."
        }
        OfflineAction::ChangeName => {
            "You are not signed in; change your display name once you are online."
        }
        OfflineAction::Invitation => "You are not signed in, so the invitation cannot be answered.",
    }
}
