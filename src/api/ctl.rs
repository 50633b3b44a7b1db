//! `nudge ctl`: a thin command-line client of the local API, for scripts.
//!
//! Each subcommand maps to one API method ([`CtlCommand::request`]); the result is printed as
//! pretty JSON, and `events` prints one compact JSON object per line until interrupted. Before
//! anything but `apps`, ctl unlocks its connection with the token the running Nudge wrote
//! beside its socket, which only the user can read: messages, contacts, presence, events and
//! every session are the user's own scope.

use serde_json::{json, Value};

use super::ApiError;
use crate::config::Profile;

/// What `nudge ctl` can do.
#[derive(clap::Subcommand, Clone, Debug, PartialEq, Eq)]
pub enum CtlCommand {
    /// Show the connection and your own presence.
    Status,
    /// List contacts with their presence.
    Roster,
    /// Send a chat message.
    Send {
        /// The contact's bare JID, e.g. bob@example.org.
        jid: String,
        /// The message text (quote it).
        text: String,
    },
    /// Set your presence: online, away, busy, appear_offline or offline.
    Presence {
        /// The availability.
        state: String,
        /// The status message; leave out to clear it.
        message: Option<String>,
    },
    /// Manage contacts.
    Contact {
        /// What to do.
        #[command(subcommand)]
        action: ContactAction,
    },
    /// Print every event as one JSON object per line until interrupted.
    Events,
    /// Print the stored history of a conversation.
    History {
        /// The contact's bare JID.
        jid: String,
        /// How many of the newest messages.
        #[arg(long, short, default_value_t = super::methods::DEFAULT_HISTORY_LIMIT)]
        limit: usize,
    },
    /// Change your display picture: a picture file, `--builtin NAME`, or `--remove`.
    Avatar {
        /// A PNG, JPEG, GIF or WebP file.
        #[arg(conflicts_with_all = ["builtin", "remove"], required_unless_present_any = ["builtin", "remove"])]
        file: Option<std::path::PathBuf>,
        /// One of Nudge's pictures: beach, flower, planet, kitten, smiley, mountains.
        #[arg(long, conflicts_with = "remove")]
        builtin: Option<String>,
        /// Remove the picture.
        #[arg(long)]
        remove: bool,
    },
    /// Bring the window to the front; with an `xmpp:` link, do what it asks (fills in, never sends).
    Open {
        /// The link, e.g. xmpp:bob@example.org?message;body=Hi
        uri: Option<String>,
    },
    /// List the registered Session Invite applications.
    Apps,
    /// Invite a contact to a registered application (prints the new session's id).
    Invite {
        /// The contact's bare JID.
        jid: String,
        /// The application's GUID, {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}.
        guid: String,
        /// Context data for the application.
        #[arg(long)]
        context: Option<String>,
    },
    /// List the Session Invite sessions.
    Sessions,
    /// Accept an invitation.
    Accept {
        /// The session's id.
        session: String,
    },
    /// Decline an invitation.
    Decline {
        /// The session's id.
        session: String,
    },
    /// Withdraw an invitation that is still ringing.
    Cancel {
        /// The session's id.
        session: String,
    },
    /// Send context data to the other side of a session.
    Context {
        /// The session's id.
        session: String,
        /// The data.
        data: String,
    },
    /// End a running session.
    End {
        /// The session's id.
        session: String,
    },
}

/// `nudge ctl contact ...`
#[derive(clap::Subcommand, Clone, Debug, PartialEq, Eq)]
pub enum ContactAction {
    /// Add a contact and ask to see their presence.
    Add {
        /// The contact's bare JID.
        jid: String,
        /// A display name.
        #[arg(long)]
        name: Option<String>,
        /// A roster group (repeat for several).
        #[arg(long = "group")]
        groups: Vec<String>,
    },
    /// Remove a contact.
    Remove {
        /// The contact's bare JID.
        jid: String,
    },
    /// Let a contact who asked see your presence.
    Approve {
        /// The contact's bare JID.
        jid: String,
    },
    /// Refuse a contact's request to see your presence.
    Deny {
        /// The contact's bare JID.
        jid: String,
    },
}

/// The `avatar` params; a relative file is made absolute here, where the caller runs.
fn avatar_params(file: Option<&std::path::Path>, builtin: Option<&str>, remove: bool) -> Value {
    match (file, builtin) {
        (Some(file), _) => {
            let file = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
            json!({ "path": file.display().to_string() })
        }
        (None, Some(name)) => json!({ "builtin": name }),
        (None, None) => json!({ "remove": remove }),
    }
}

impl CtlCommand {
    /// The API method and params this command calls (`events` calls `subscribe`).
    pub fn request(&self) -> (&'static str, Value) {
        match self {
            Self::Status => ("status", Value::Null),
            Self::Roster => ("roster", Value::Null),
            Self::Send { jid, text } => ("send", json!({ "to": jid, "body": text })),
            Self::Presence { state, message } => (
                "presence",
                json!({ "availability": state, "status": message }),
            ),
            Self::Contact { action } => match action {
                ContactAction::Add { jid, name, groups } => (
                    "contact_add",
                    json!({ "jid": jid, "name": name, "groups": groups }),
                ),
                ContactAction::Remove { jid } => ("contact_remove", json!({ "jid": jid })),
                ContactAction::Approve { jid } => ("contact_approve", json!({ "jid": jid })),
                ContactAction::Deny { jid } => ("contact_deny", json!({ "jid": jid })),
            },
            Self::Events => ("subscribe", Value::Null),
            Self::History { jid, limit } => ("history", json!({ "peer": jid, "limit": limit })),
            Self::Avatar {
                file,
                builtin,
                remove,
            } => (
                "avatar",
                avatar_params(file.as_deref(), builtin.as_deref(), *remove),
            ),
            Self::Open { uri } => ("open", json!({ "uri": uri })),
            Self::Apps => ("apps", Value::Null),
            Self::Invite { jid, guid, context } => (
                "invite",
                json!({ "to": jid, "app_guid": guid, "context": context }),
            ),
            Self::Sessions => ("sessions", Value::Null),
            Self::Accept { session } => ("accept", json!({ "session": session })),
            Self::Decline { session } => ("decline", json!({ "session": session })),
            Self::Cancel { session } => ("cancel", json!({ "session": session })),
            Self::End { session } => ("end_session", json!({ "session": session })),
            Self::Context { session, data } => (
                "send_context_data",
                json!({ "session": session, "data": data }),
            ),
        }
    }

    /// Whether the connection must be unlocked (with the user's ctl token) first: for
    /// everything but listing the registered applications.
    pub fn needs_unlock(&self) -> bool {
        !matches!(self, Self::Apps)
    }
}

/// Runs `nudge [--profile P] ctl COMMAND` against the profile's running Nudge, printing to stdout.
pub async fn run(profile: &Profile, command: CtlCommand) -> Result<(), ApiError> {
    #[cfg(any(unix, windows))]
    {
        let path = profile.socket_path();
        let mut stdout = std::io::stdout();
        let outcome = match command {
            // Ctrl-C ends the stream; that is the normal way out, not an error.
            CtlCommand::Events => tokio::select! {
                result = run_at(&path, &command, &mut stdout) => result,
                _ = tokio::signal::ctrl_c() => Ok(()),
            },
            _ => run_at(&path, &command, &mut stdout).await,
        };
        outcome.map_err(|error| match error {
            ApiError::NotRunning { path } => ApiError::NotRunningForProfile {
                profile: profile.name.clone(),
                path,
            },
            other => other,
        })
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = (profile, command);
        Err(ApiError::Unsupported)
    }
}

/// Runs `command` against the socket at `path`, writing its output to `out`.
#[cfg(any(unix, windows))]
pub async fn run_at(
    path: &std::path::Path,
    command: &CtlCommand,
    out: &mut impl std::io::Write,
) -> Result<(), ApiError> {
    let io_error = |source| ApiError::Io {
        path: "standard output".into(),
        source,
    };
    let (method, params) = command.request();
    if *command == CtlCommand::Events {
        let mut client = super::client::events(path).await?;
        while let Some(event) = client.next_event().await? {
            writeln!(out, "{event}").map_err(io_error)?;
            out.flush().map_err(io_error)?;
        }
        return Ok(());
    }
    let mut client = super::client::ApiClient::connect(path).await?;
    if command.needs_unlock() {
        client.unlock_as_user().await?;
    }
    let result = client.call(method, params).await?;
    let text =
        serde_json::to_string_pretty(&result).map_err(|e| ApiError::Protocol(e.to_string()))?;
    writeln!(out, "{text}").map_err(io_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(subcommand)]
        command: CtlCommand,
    }

    fn parse(args: &[&str]) -> CtlCommand {
        let mut argv = vec!["ctl"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).expect("parses").command
    }

    #[test]
    fn subcommands_map_to_methods_and_params() {
        let cases: &[(&[&str], &str, Value)] = &[
            (&["status"], "status", Value::Null),
            (
                &["send", "bob@x.org", "hi there"],
                "send",
                json!({"to": "bob@x.org", "body": "hi there"}),
            ),
            (
                &["presence", "away", "lunch"],
                "presence",
                json!({"availability": "away", "status": "lunch"}),
            ),
            (
                &["presence", "online"],
                "presence",
                json!({"availability": "online", "status": null}),
            ),
            (
                &[
                    "contact",
                    "add",
                    "bob@x.org",
                    "--name",
                    "Bob",
                    "--group",
                    "Work",
                ],
                "contact_add",
                json!({"jid": "bob@x.org", "name": "Bob", "groups": ["Work"]}),
            ),
            (
                &["contact", "deny", "eve@x.org"],
                "contact_deny",
                json!({"jid": "eve@x.org"}),
            ),
            (
                &["history", "bob@x.org", "--limit", "5"],
                "history",
                json!({"peer": "bob@x.org", "limit": 5}),
            ),
            (&["events"], "subscribe", Value::Null),
            (&["open"], "open", json!({"uri": null})),
            (
                &["open", "xmpp:bob@x.org?message;body=Hi"],
                "open",
                json!({"uri": "xmpp:bob@x.org?message;body=Hi"}),
            ),
            (
                &["avatar", "/tmp/me.png"],
                "avatar",
                json!({"path": "/tmp/me.png"}),
            ),
            (
                &["avatar", "--builtin", "kitten"],
                "avatar",
                json!({"builtin": "kitten"}),
            ),
            (&["avatar", "--remove"], "avatar", json!({"remove": true})),
            (&["apps"], "apps", Value::Null),
            (
                &[
                    "invite",
                    "bob@x.org",
                    "{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}",
                ],
                "invite",
                json!({"to": "bob@x.org", "app_guid": "{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}", "context": null}),
            ),
            (
                &["invite", "bob@x.org", "{G}", "--context", "x; $(rm -rf ~)"],
                "invite",
                json!({"to": "bob@x.org", "app_guid": "{G}", "context": "x; $(rm -rf ~)"}),
            ),
            (&["sessions"], "sessions", Value::Null),
            (&["accept", "s1"], "accept", json!({"session": "s1"})),
            (&["decline", "s1"], "decline", json!({"session": "s1"})),
            (&["cancel", "s1"], "cancel", json!({"session": "s1"})),
            (
                &["context", "s1", "move 4"],
                "send_context_data",
                json!({"session": "s1", "data": "move 4"}),
            ),
        ];
        for (args, method, params) in cases {
            let (m, p) = parse(args).request();
            assert_eq!((m, &p), (*method, params), "{args:?}");
        }
    }

    #[test]
    fn a_relative_picture_file_is_sent_absolute_and_one_choice_is_required() {
        let (_, params) = parse(&["avatar", "me.png"]).request();
        let path = params["path"].as_str().expect("a path");
        assert!(std::path::Path::new(path).is_absolute(), "{path}");
        assert!(path.ends_with("me.png"), "{path}");
        let mut argv = vec!["ctl", "avatar"];
        assert!(Cli::try_parse_from(argv.clone()).is_err(), "nothing chosen");
        argv.extend(["me.png", "--remove"]);
        assert!(Cli::try_parse_from(argv).is_err(), "two choices");
    }

    #[test]
    fn every_command_but_apps_unlocks() {
        let unlocking: Vec<&str> = [
            &["status"][..],
            &["apps"],
            &["events"],
            &["sessions"],
            &["invite", "bob@x.org", "{G}"],
            &["accept", "s"],
            &["decline", "s"],
            &["cancel", "s"],
            &["context", "s", "d"],
        ]
        .iter()
        .filter(|args| parse(args).needs_unlock())
        .map(|args| args[0])
        .collect();
        assert_eq!(
            unlocking,
            ["status", "events", "sessions", "invite", "accept", "decline", "cancel", "context"]
        );
    }

    #[test]
    fn history_limit_defaults() {
        assert_eq!(
            parse(&["history", "bob@x.org"]),
            CtlCommand::History {
                jid: "bob@x.org".into(),
                limit: 50
            }
        );
    }
}
