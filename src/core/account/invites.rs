//! Session Invite in the account task: inviting, answering, launching and relaying context.

use super::Account;
use crate::command::Command;
use crate::core::session::Session;

/// Handles a session command while online.
pub(super) async fn command(
    account: &mut Account,
    _session: &mut Session,
    command: Command,
) -> Result<(), String> {
    offline_command(account, command);
    Ok(())
}

/// Handles a session command while offline.
pub(super) fn offline_command(account: &mut Account, _command: Command) {
    account.problem("Session Invite is being set up; try again in a moment.");
}
