//! The user-facing text for states: one place, so wording stays consistent and is tested.

use chrono::{FixedOffset, Local, TimeZone};

use crate::invite::{EndReason, InviteSession, Role, SessionState};
use crate::model::{AppInfo, ConnectionState, Delivery};
use crate::ui::view::SessionNotes;

/// The connection state in plain words, or `None` when there is nothing to say.
pub fn connection(state: &ConnectionState, now_ms: i64) -> Option<String> {
    match state {
        ConnectionState::Offline | ConnectionState::Online { .. } => None,
        ConnectionState::Connecting => Some("Connecting…".to_string()),
        ConnectionState::Reconnecting {
            next_attempt_ms,
            attempt,
            reason,
        } => {
            let seconds = ((next_attempt_ms - now_ms).max(0) + 999) / 1000;
            Some(format!(
                "Reconnecting in {seconds} s (attempt {attempt}): {reason}"
            ))
        }
        ConnectionState::AuthFailed { message } => Some(format!("Sign-in refused: {message}")),
        ConnectionState::CertificateRejected { message, .. } => Some(format!(
            "The server's certificate is not trusted: {message}"
        )),
        ConnectionState::Failed { message } => Some(format!("Could not connect: {message}")),
    }
}

/// The mark after an outgoing message and the words shown when hovering it.
///
/// Words, not symbols: egui's default font has no check mark, hourglass or warning sign.
pub fn delivery_mark(delivery: &Delivery) -> Option<(&'static str, String)> {
    match delivery {
        Delivery::Pending => Some(("sending…", "Waiting to be sent".to_string())),
        Delivery::Sent => Some(("sent", "The server has it".to_string())),
        Delivery::Delivered => Some(("delivered", "The contact's device confirmed it".to_string())),
        Delivery::Failed { reason } => Some(("not delivered", format!("Not delivered: {reason}"))),
        Delivery::Received => None,
    }
}

/// `HH:MM` of a timestamp in the user's time zone.
pub fn clock_time(timestamp_ms: i64) -> String {
    Local
        .timestamp_millis_opt(timestamp_ms)
        .single()
        .map(|time| time.format("%H:%M").to_string())
        .unwrap_or_default()
}

/// `HH:MM` of a timestamp at a fixed UTC offset.
pub fn clock_time_at(timestamp_ms: i64, offset: FixedOffset) -> String {
    offset
        .timestamp_millis_opt(timestamp_ms)
        .single()
        .map(|time| time.format("%H:%M").to_string())
        .unwrap_or_default()
}

/// The disabled item of an Invite menu when no program is registered.
pub const NO_APPS: &str = "No programs registered";
/// How to register one, under [`NO_APPS`].
pub const NO_APPS_HINT: &str =
    "Use Register… on the Applications page of the settings, or run: nudge apps register";
/// The line above the context data shown in the invitation dialog.
pub const CONTEXT_HEADING: &str = "Sent with the invitation (shown as plain text):";
/// The line above the download address in the invitation dialog.
pub const DOWNLOAD_FROM: &str = "You can get it from this address:";

/// How many characters of context data the invitation dialog shows.
pub const CONTEXT_PREVIEW_CHARS: usize = 2_000;

/// Words in application names that mark a game, so the invitation says "play", not "use".
///
/// Registrations carry no category, so this guesses from the name; a miss only reads "use".
const GAME_WORDS: [&str; 10] = [
    "game",
    "tic-tac-toe",
    "tictactoe",
    "chess",
    "checkers",
    "draughts",
    "poker",
    "solitaire",
    "backgammon",
    "sudoku",
];

/// "play" for an application that looks like a game, "use" for anything else.
pub fn app_verb(app_name: &str) -> &'static str {
    let name = app_name.to_lowercase();
    if GAME_WORDS.iter().any(|word| name.contains(word)) {
        "play"
    } else {
        "use"
    }
}

/// Text from the network made safe to show: control and bidirectional-override characters
/// become `\u{FFFD}` so nothing can hide or reorder what the user reads; newlines stay when
/// `multiline`.
pub fn plain(text: &str, multiline: bool) -> String {
    text.chars()
        .map(|c| {
            let kept_newline = multiline && (c == '\n' || c == '\t');
            let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
            if kept_newline || !(c.is_control() || bidi) {
                c
            } else {
                '\u{FFFD}'
            }
        })
        .collect()
}

/// The context data of an invitation as shown: plain, and cut after
/// [`CONTEXT_PREVIEW_CHARS`] characters with the full size said.
pub fn context_preview(data: &str) -> String {
    let shown: String = data.chars().take(CONTEXT_PREVIEW_CHARS).collect();
    let mut text = plain(&shown, true);
    if shown.len() < data.len() {
        text.push_str(&format!("\n… ({} bytes in all)", data.len()));
    }
    text
}

/// An application as listed in an Invite menu.
pub fn app_menu_item(app: &AppInfo) -> String {
    let name = plain(&app.name, false);
    if app.installed {
        name
    } else {
        format!("{name} (not installed)")
    }
}

/// The words of an invitation's toast: "Bob invites you to play Tic-Tac-Toe".
pub fn invitation_toast(who: &str, app_name: &str) -> String {
    let app = plain(app_name, false);
    format!("{who} invites you to {} {app}", app_verb(&app))
}

/// The invitation dialog's first line, naming the inviter by name and address.
pub fn invitation_from(who: &str, jid: &str, app_name: &str) -> String {
    let app = plain(app_name, false);
    let verb = app_verb(&app);
    if who == jid {
        format!("{jid} invites you to {verb} {app}.")
    } else {
        format!("{who} ({jid}) invites you to {verb} {app}.")
    }
}

/// Says the invited application is missing here.
pub fn not_installed(app_name: &str) -> String {
    format!(
        "{} is not installed on this computer.",
        plain(app_name, false)
    )
}

/// What happens to the download address when the user accepts.
pub fn download_note(url: &str) -> &'static str {
    if crate::web_url::is_https_url(url) {
        "When you accept, Nudge opens this address in your web browser so you can get it."
    } else {
        "Nudge will not open this address: it is not a secure (https) address."
    }
}

/// A short note when an invitation to the user stopped ringing without an answer from here.
pub fn invitation_ended(session: &InviteSession, who: &str) -> Option<String> {
    let app = plain(&session.app_name, false);
    match (session.state, session.end_reason) {
        (SessionState::Cancelled, _) => Some(format!("{who} cancelled the invitation to {app}")),
        (SessionState::Terminated, Some(EndReason::Timeout)) => {
            Some(format!("You missed {who}'s invitation to {app}"))
        }
        _ => None,
    }
}

/// Where a session with a contact is, in plain words, for the conversation view.
pub fn session_status(session: &InviteSession, who: &str, notes: SessionNotes) -> String {
    let app = plain(&session.app_name, false);
    let inviter = session.role == Role::Inviter;
    match session.state {
        SessionState::Unknown | SessionState::Ready => format!("Preparing an invitation to {app}…"),
        SessionState::Invitation if inviter && notes.peer_lacks_app => {
            format!("{who} doesn't have {app} yet; waiting while they get it…")
        }
        SessionState::Invitation if inviter => format!("Waiting for {who} to accept {app}…"),
        SessionState::Invitation => format!("{who} invited you to {} {app}", app_verb(&app)),
        SessionState::Accepted if inviter => format!("{who} accepted; starting {app}…"),
        SessionState::Accepted => format!("Starting {app}…"),
        SessionState::Connected => format!("{app} is running"),
        SessionState::Cancelled if inviter => format!("You cancelled the invitation to {app}"),
        SessionState::Cancelled => format!("{who} cancelled the invitation to {app}"),
        SessionState::Declined if inviter => declined(session, who, &app, notes),
        SessionState::Declined => format!("You declined {app}"),
        SessionState::Terminated => ended(session, &app),
    }
}

fn declined(session: &InviteSession, who: &str, app: &str, notes: SessionNotes) -> String {
    match session.end_reason {
        _ if notes.not_accepting => format!("{who} is not accepting invitations"),
        Some(EndReason::SecurityError) => format!("{who} is not accepting invitations"),
        Some(EndReason::UnsupportedApplications) => format!("{who} doesn't have {app}"),
        Some(EndReason::Busy) => format!("{who} is busy"),
        Some(EndReason::Timeout) => format!("{who} did not answer the invitation to {app}"),
        _ => format!("{who} declined the invitation to {app}"),
    }
}

fn ended(session: &InviteSession, app: &str) -> String {
    let Some(reason) = session.end_reason else {
        return format!("{app} ended");
    };
    match session.end_text.as_deref().map(|t| plain(t, false)) {
        Some(text) if !text.is_empty() => format!("{app} ended: {} ({text})", reason.describe()),
        _ => format!("{app} ended: {}", reason.describe()),
    }
}

mod problems;
#[cfg(test)]
mod tests;

pub use problems::problem;

/// How many characters of a message a toast or desktop notification shows.
pub const MESSAGE_PREVIEW_CHARS: usize = 80;

/// The first line of a message, trimmed, plain, and cut after [`MESSAGE_PREVIEW_CHARS`].
pub fn message_preview(body: &str) -> String {
    let line = body.trim().lines().next().unwrap_or_default().trim();
    let mut shown: String = line.chars().take(MESSAGE_PREVIEW_CHARS).collect();
    if shown.len() < line.len() {
        shown.push('…');
    }
    plain(&shown, false)
}

/// The words of a new message's toast: "Bob says: hello".
pub fn message_toast(who: &str, body: &str) -> String {
    format!("{who} says: {}", message_preview(body))
}

/// The words of a contact's toast when they come online: "Bob has just signed in".
pub fn online_toast(who: &str) -> String {
    format!("{who} has just signed in")
}

/// The title of a desktop notification for a nudge: "Bob sent you a nudge".
pub fn nudge_notification(who: &str) -> String {
    format!("{who} sent you a nudge")
}

/// The title of a desktop notification for an invitation.
pub const INVITATION_TITLE: &str = "Invitation";
/// The title of a desktop notification that sums up several.
pub const SUMMARY_TITLE: &str = "Nudge";

/// Names joined for a sentence: "Bob", "Bob and Carol", "Bob, Carol and Dave".
pub fn names(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// One sentence of a summary notification: "3 new messages from Bob and Carol".
pub fn messages_summary(count: usize, from: &[&str]) -> String {
    let noun = if count == 1 { "message" } else { "messages" };
    format!("{count} new {noun} from {}", names(from))
}

/// One sentence of a summary notification: "Bob and Carol signed in".
pub fn online_summary(who: &[&str]) -> String {
    format!("{} signed in", names(who))
}

/// One sentence of a summary notification: "Bob sent you a nudge" / "Bob and Carol sent nudges".
pub fn nudges_summary(who: &[&str]) -> String {
    match who {
        [one] => nudge_notification(one),
        _ => format!("{} sent you nudges", names(who)),
    }
}

/// One sentence of a summary notification: "2 invitations from Bob".
pub fn invitations_summary(count: usize, from: &[&str]) -> String {
    let noun = if count == 1 {
        "invitation"
    } else {
        "invitations"
    };
    format!("{count} {noun} from {}", names(from))
}

/// While the server's account creation form is on its way.
pub fn asking_for_form(jid: &str) -> String {
    let server = jid.rsplit('@').next().unwrap_or(jid);
    format!("Asking {server} what it needs for a new account…")
}
