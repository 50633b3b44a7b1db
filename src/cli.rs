//! The command line: `nudge [--profile P] [--headless | --hidden] [XMPP_LINK]`, `account`, `ctl`,
//! `apps`, `history`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::TlsMode;

/// Nudge, a desktop instant messenger for XMPP.
#[derive(Debug, Parser)]
#[command(name = "nudge", version, about)]
pub struct Cli {
    /// The profile to use; each keeps its own account, history and socket.
    #[arg(long, global = true, default_value = "default")]
    pub profile: String,
    /// Run the core and the local API without a window.
    #[arg(long)]
    pub headless: bool,
    /// Start with the window hidden in the tray (as on login); without a tray it opens.
    #[arg(long, conflicts_with = "headless")]
    pub hidden: bool,
    /// An `xmpp:` link to open (e.g. xmpp:bob@example.org?message). When Nudge already runs for
    /// the profile, it is handed the link (or just comes to the front) and this one exits.
    #[arg(value_name = "XMPP_LINK", conflicts_with = "headless")]
    pub link: Option<String>,
    /// What to do instead of running Nudge.
    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Set up or show the profile's account.
    Account {
        /// What to do with the account.
        #[command(subcommand)]
        action: AccountAction,
    },
    /// Talk to the running Nudge of this profile (prints JSON).
    Ctl {
        /// The request.
        #[command(subcommand)]
        command: crate::api::ctl::CtlCommand,
    },
    /// Register, unregister and list Session Invite applications (prints JSON).
    Apps {
        /// What to do with the applications.
        #[command(subcommand)]
        action: crate::apps::cli::AppsCommand,
    },
    /// Export conversations, or import Nudge exports and Messenger logs (docs/history.md).
    History {
        /// What to do with the history.
        #[command(subcommand)]
        action: crate::history::cli::HistoryCommand,
    },
}

/// `nudge account ...`
#[derive(Debug, Subcommand)]
pub enum AccountAction {
    /// Set the account (the password goes to the keyring at sign-in, or comes from NUDGE_PASSWORD).
    Set {
        /// The account's address, e.g. alice@example.org.
        #[arg(long)]
        jid: String,
        /// Connect to this host instead of looking the server up in DNS.
        #[arg(long)]
        host: Option<String>,
        /// Connect to this port instead of looking the server up in DNS.
        #[arg(long)]
        port: Option<u16>,
        /// Trust the certificate in this PEM file (pinned by its SHA-256 fingerprint).
        #[arg(long, value_name = "PEM_FILE")]
        trust_cert: Option<PathBuf>,
        /// How to secure the connection.
        #[arg(long, value_enum, default_value_t = TlsArg::Auto)]
        tls: TlsArg,
    },
    /// Print the account settings as JSON.
    Show,
}

/// `--tls` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TlsArg {
    /// Direct TLS when DNS offers it, else STARTTLS.
    Auto,
    /// STARTTLS.
    Starttls,
    /// Direct TLS (XEP-0368).
    Direct,
    /// No encryption; only to a loopback address.
    PlaintextLoopback,
}

impl From<TlsArg> for TlsMode {
    fn from(arg: TlsArg) -> Self {
        match arg {
            TlsArg::Auto => TlsMode::Auto,
            TlsArg::Starttls => TlsMode::StartTls,
            TlsArg::Direct => TlsMode::DirectTls,
            TlsArg::PlaintextLoopback => TlsMode::PlaintextLoopback,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("nudge").chain(args.iter().copied()))
    }

    #[test]
    fn a_link_is_the_one_positional_argument_and_subcommands_still_parse() {
        let cli = parse(&["xmpp:bob@example.org?message"]).expect("parses");
        assert_eq!(cli.link.as_deref(), Some("xmpp:bob@example.org?message"));
        assert!(cli.command.is_none());

        let cli = parse(&["--profile", "work", "ctl", "status"]).expect("parses");
        assert!(cli.link.is_none());
        assert!(matches!(cli.command, Some(CliCommand::Ctl { .. })));

        assert!(parse(&["--headless", "xmpp:bob@example.org"]).is_err());
        assert!(parse(&["--hidden"]).expect("parses").link.is_none());
    }
}
