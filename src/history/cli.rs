//! `nudge history export` and `nudge history import`: the profile's history file by file,
//! with or without a running Nudge (docs/history.md).

use std::io::Write;
use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};

use super::{export, export_to_file, import_file, ExportFormat, ImportOptions};
use crate::config::Profile;
use crate::model::BareJid;
use crate::store::Store;

/// `nudge history ...`
#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// Write one conversation, or all of them, as Nudge's XML or as plain text.
    Export {
        /// The contact whose conversation to export; all conversations without it.
        #[arg(value_name = "JID")]
        jid: Option<String>,
        /// What to write: Nudge's XML (imports back) or text to read.
        #[arg(long, value_enum, default_value_t = FormatArg::Xml)]
        format: FormatArg,
        /// The file to write (replaced when complete); standard output without it.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Add the messages of a Nudge export or a Windows Live Messenger / MSN Messenger log.
    Import {
        /// The file to read (UTF-8 XML, at most 64 MiB).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The contact the messages were exchanged with (required for Messenger logs).
        #[arg(long = "as", value_name = "JID")]
        peer: Option<String>,
        /// A display name you used in a Messenger log (as often as needed).
        #[arg(long = "me", value_name = "NAME")]
        me: Vec<String>,
    },
}

/// `--format` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// Nudge's own XML format.
    Xml,
    /// Plain text.
    Text,
}

impl From<FormatArg> for ExportFormat {
    fn from(format: FormatArg) -> Self {
        match format {
            FormatArg::Xml => Self::Xml,
            FormatArg::Text => Self::Text,
        }
    }
}

/// Runs the command on the profile's history database (created if missing).
pub fn run(profile: &Profile, command: HistoryCommand) -> anyhow::Result<()> {
    let account = own_account(profile);
    profile.create_dirs()?;
    let mut store = Store::open(&profile.database_path())?;
    match command {
        HistoryCommand::Export {
            jid,
            format,
            output,
        } => {
            let peer = jid.as_deref().map(parse_jid).transpose()?;
            let format = format.into();
            match output {
                Some(file) => {
                    let count =
                        export_to_file(&mut store, peer.as_ref(), format, account.as_ref(), &file)?;
                    eprintln!("Exported {count} messages to {}.", file.display());
                }
                None => {
                    let stdout = std::io::stdout();
                    let mut out = std::io::BufWriter::new(stdout.lock());
                    export(
                        &mut store,
                        peer.as_ref(),
                        format,
                        account.as_ref(),
                        &mut out,
                        "standard output",
                    )?;
                    out.flush()?;
                }
            }
        }
        HistoryCommand::Import { file, peer, me } => {
            let options = ImportOptions {
                peer: peer.as_deref().map(parse_jid).transpose()?,
                account,
                own_names: me,
                keep_exported_peers: false,
            };
            let report = import_file(&mut store, &file, &options)?;
            println!("{}", report.sentence());
        }
    }
    Ok(())
}

/// The profile's account, if one is set and valid.
fn own_account(profile: &Profile) -> Option<BareJid> {
    let account = profile.load_account().ok().flatten()?;
    crate::xmpp::address::parse_bare(&account.jid).ok()
}

fn parse_jid(text: &str) -> anyhow::Result<BareJid> {
    crate::xmpp::address::parse_bare(text)
        .map_err(|error| anyhow::anyhow!("{text:?} is not a valid address: {error}"))
}
