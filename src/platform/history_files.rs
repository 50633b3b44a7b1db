//! The conversation window's Export… and Import…: the desktop's file dialog, then the export
//! or import itself (`crate::history`), on a thread of their own, so neither the dialog nor a
//! long import holds up a frame.
//!
//! The work is done here rather than by the account core: the core carries out its store
//! operations on its own task, one at a time, and an import of tens of thousands of messages
//! would hold up every message meanwhile. Here the import gets its own connection to the
//! profile's database, as `nudge history import` does (the same code): SQLite in WAL mode lets
//! the core go on reading, and its writes wait for the import's one short transaction. The
//! window then asks the core for the conversations again, so the imported messages show.

use std::io;
use std::path::PathBuf;
use std::sync::{mpsc, Arc};

use crate::core::Waker;
use crate::history::{
    export_to_file, import_file, ExportFormat, HistoryError, ImportOptions, ImportReport,
};
use crate::model::BareJid;
use crate::store::Store;

/// What the window asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HistoryJob {
    /// Export the conversation with `peer` to a file the user chooses (`.txt` writes text,
    /// anything else Nudge's XML).
    Export {
        /// Whose conversation.
        peer: BareJid,
        /// The user's account, named in the file.
        account: Option<BareJid>,
    },
    /// Import a file the user chooses into the conversation with `peer` (a Messenger log's
    /// contact; a Nudge export keeps its own conversations).
    Import {
        /// The contact of the conversation the menu was in.
        peer: BareJid,
        /// Who the user is in a Messenger log: the account and the user's nickname.
        account: Option<BareJid>,
        /// Display names the user may have had (the nickname).
        own_names: Vec<String>,
    },
}

/// What came of a job.
#[derive(Debug)]
pub enum HistoryOutcome {
    /// The user closed the dialog without choosing a file.
    Cancelled {
        /// The conversation the job was for.
        peer: BareJid,
    },
    /// The export was written (how many messages, where), or why not.
    Exported {
        /// The conversation.
        peer: BareJid,
        /// The file and the number of messages, or the problem in words.
        result: Result<(PathBuf, usize), String>,
    },
    /// The import was done, or why nothing was added.
    Imported {
        /// The conversation the menu was in.
        peer: BareJid,
        /// What was added, or the problem in words.
        result: Result<ImportReport, String>,
    },
}

/// The question a file dialog asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ask {
    /// Where to save an export; `suggested` is the file name offered.
    Save {
        /// The name offered, e.g. `bob@example.org.xml`.
        suggested: String,
    },
    /// Which file to import.
    Open,
}

/// Shows a file dialog and answers the file chosen; `None` when cancelled.
pub type Chooser = Arc<dyn Fn(&Ask) -> Option<PathBuf> + Send + Sync>;

/// The desktop's file dialog (rfd: the XDG desktop portal, or zenity where no portal runs).
pub fn desktop_chooser() -> Chooser {
    Arc::new(|ask: &Ask| match ask {
        Ask::Save { suggested } => rfd::FileDialog::new()
            .set_title("Export the conversation")
            .set_file_name(suggested)
            .add_filter("Nudge history (XML)", &["xml"])
            .add_filter("Plain text", &["txt"])
            .save_file(),
        Ask::Open => rfd::FileDialog::new()
            .set_title("Import a Nudge history or a Messenger log")
            .add_filter("History files (XML)", &["xml"])
            .add_filter("All files", &["*"])
            .pick_file(),
    })
}

/// The window's end: jobs out, outcomes in.
pub struct HistoryFiles {
    database: PathBuf,
    chooser: Chooser,
    waker: Waker,
    outcomes_tx: mpsc::Sender<HistoryOutcome>,
    outcomes: mpsc::Receiver<HistoryOutcome>,
}

impl std::fmt::Debug for HistoryFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HistoryFiles")
            .field("database", &self.database)
            .finish_non_exhaustive()
    }
}

impl HistoryFiles {
    /// Works on the history database at `database`, asking `chooser` for files; `waker`
    /// wakes the window for each outcome.
    pub fn new(database: PathBuf, chooser: Chooser, waker: Waker) -> Self {
        let (outcomes_tx, outcomes) = mpsc::channel();
        Self {
            database,
            chooser,
            waker,
            outcomes_tx,
            outcomes,
        }
    }

    /// Starts a job on a thread of its own (the dialog waits for the user).
    pub fn request(&self, job: HistoryJob) -> io::Result<()> {
        let (database, chooser) = (self.database.clone(), self.chooser.clone());
        let (outcomes, waker) = (self.outcomes_tx.clone(), self.waker.clone());
        std::thread::Builder::new()
            .name("nudge-history-file".into())
            .spawn(move || {
                let outcome = run(&database, chooser.as_ref(), job);
                if outcomes.send(outcome).is_ok() {
                    waker();
                }
            })
            .map(|_| ())
    }

    /// The outcomes that arrived since the last call, oldest first.
    pub fn outcomes(&self) -> Vec<HistoryOutcome> {
        self.outcomes.try_iter().collect()
    }
}

fn run(
    database: &std::path::Path,
    chooser: &(dyn Fn(&Ask) -> Option<PathBuf> + Send + Sync),
    job: HistoryJob,
) -> HistoryOutcome {
    let words = |error: HistoryError| error.to_string();
    match job {
        HistoryJob::Export { peer, account } => {
            let ask = Ask::Save {
                suggested: format!("{peer}.xml"),
            };
            let Some(file) = chooser(&ask) else {
                return HistoryOutcome::Cancelled { peer };
            };
            let format = match file.extension().and_then(|e| e.to_str()) {
                Some(ext) if ext.eq_ignore_ascii_case("txt") => ExportFormat::Text,
                _ => ExportFormat::Xml,
            };
            let result = Store::open(database)
                .map_err(HistoryError::from)
                .and_then(|mut store| {
                    export_to_file(&mut store, Some(&peer), format, account.as_ref(), &file)
                })
                .map(|count| (file, count))
                .map_err(words);
            HistoryOutcome::Exported { peer, result }
        }
        HistoryJob::Import {
            peer,
            account,
            own_names,
        } => {
            let Some(file) = chooser(&Ask::Open) else {
                return HistoryOutcome::Cancelled { peer };
            };
            let options = ImportOptions {
                peer: Some(peer.clone()),
                account,
                own_names,
                keep_exported_peers: true,
            };
            let result = Store::open(database)
                .map_err(HistoryError::from)
                .and_then(|mut store| import_file(&mut store, &file, &options))
                .map_err(words);
            HistoryOutcome::Imported { peer, result }
        }
    }
}
