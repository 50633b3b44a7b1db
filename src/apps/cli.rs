//! `nudge apps register|unregister|list`: edit the profile's registered applications.
//!
//! These work on the files directly, so they need no running Nudge; a running one picks the
//! change up through its watcher. Output is JSON; the app key is never printed.

use std::io::Write;
use std::path::PathBuf;

use serde_json::{json, Value};

use super::{apps_dir, AppsError, Guid, Registration, Registry};
use crate::config::Profile;

/// What `nudge apps` can do.
#[derive(clap::Subcommand, Clone, Debug, PartialEq, Eq)]
pub enum AppsCommand {
    /// Register an application for Session Invite (prints it as JSON).
    Register {
        /// The application's GUID, {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}.
        #[arg(long)]
        guid: String,
        /// The name shown in the Invite menu.
        #[arg(long)]
        name: String,
        /// The full path of the program to launch (it may be installed later).
        #[arg(long)]
        path: PathBuf,
        /// Where contacts without the program can download it (https:// only).
        #[arg(long)]
        url: String,
        /// An argument given to the program (repeat for several).
        #[arg(long = "arg", value_name = "ARG", allow_hyphen_values = true)]
        args: Vec<String>,
        /// The application's key for the lock-and-key handshake.
        #[arg(long)]
        key: Option<String>,
        /// Replace the registration if the GUID is registered already.
        #[arg(long)]
        replace: bool,
    },
    /// Remove an application's registration.
    Unregister {
        /// The application's GUID.
        guid: String,
    },
    /// List the registered applications as a JSON array (broken files are reported on stderr).
    List,
}

/// Runs `nudge apps ...` for `profile`, printing JSON to stdout.
pub fn run(profile: &Profile, command: AppsCommand) -> Result<(), AppsError> {
    let dir = apps_dir(profile);
    let value = match command {
        AppsCommand::Register {
            guid,
            name,
            path,
            url,
            args,
            key,
            replace,
        } => {
            let registration = Registration {
                guid: Guid::parse(&guid)?,
                name,
                path,
                download_url: url,
                args,
                key,
            };
            let (mut registry, _) = Registry::load(&dir);
            registry.register(registration.clone(), replace)?;
            public_view(&registration)
        }
        AppsCommand::Unregister { guid } => {
            let guid = Guid::parse(&guid)?;
            let (mut registry, _) = Registry::load(&dir);
            registry.unregister(&guid)?;
            json!({ "unregistered": guid })
        }
        AppsCommand::List => {
            let (registry, problems) = Registry::load(&dir);
            for problem in problems {
                eprintln!("nudge: warning: skipped {problem}");
            }
            Value::Array(registry.list().into_iter().map(public_view).collect())
        }
    };
    let mut stdout = std::io::stdout().lock();
    // A closed stdout (e.g. `| head`) is not worth an error: the change is made already.
    let _ = writeln!(
        stdout,
        "{}",
        serde_json::to_string_pretty(&value).unwrap_or_default()
    );
    Ok(())
}

/// A registration as shown to the user and to scripts: the key only as `has_key`.
pub fn public_view(registration: &Registration) -> Value {
    json!({
        "guid": registration.guid,
        "name": registration.name,
        "path": registration.path,
        "download_url": registration.download_url,
        "args": registration.args,
        "has_key": registration.key.is_some(),
        "installed": registration.is_installed(),
    })
}
