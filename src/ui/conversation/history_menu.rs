//! The conversation window's History menu: Export… and Import… of the conversation, done by
//! `platform::history_files` off the window's thread, with a line saying how it went.

use std::collections::{BTreeMap, BTreeSet};

use egui::{RichText, Ui};

use crate::model::BareJid;
use crate::platform::history_files::{HistoryJob, HistoryOutcome};
use crate::state::AppState;
use crate::ui::theme;

/// The menu's label in the conversation header.
pub const MENU_LABEL: &str = "History";
/// Exports the conversation to a file.
pub const EXPORT_LABEL: &str = "Export…";
/// Imports a Nudge export or a Messenger log.
pub const IMPORT_LABEL: &str = "Import…";
/// Why the entries are greyed out without a worker.
const UNAVAILABLE_HINT: &str = "Exporting and importing history is not available here";
/// Why the entries are greyed out while a file is being chosen or worked on.
const BUSY_HINT: &str = "Busy with a history file for this conversation";

/// Jobs for the worker, the conversations waiting for one, and how the last one went.
#[derive(Clone, Debug, Default)]
pub struct HistoryFilesView {
    /// A worker does the jobs (the window runs without one in tests and without a profile).
    pub available: bool,
    busy: BTreeSet<BareJid>,
    notes: BTreeMap<BareJid, String>,
    jobs: Vec<HistoryJob>,
}

impl HistoryFilesView {
    /// The jobs asked for since the last call.
    pub fn take_jobs(&mut self) -> Vec<HistoryJob> {
        std::mem::take(&mut self.jobs)
    }

    /// A job could not be started: the conversation is free again, and says so.
    pub fn not_started(&mut self, job: &HistoryJob) {
        let peer = match job {
            HistoryJob::Export { peer, .. } | HistoryJob::Import { peer, .. } => peer,
        };
        self.busy.remove(peer);
        self.notes.insert(
            peer.clone(),
            "The history file could not be opened: Nudge could not start the work.".into(),
        );
    }

    /// Takes an outcome in; returns the conversations whose messages to load again.
    pub fn observe(&mut self, outcome: HistoryOutcome) -> Vec<BareJid> {
        match outcome {
            HistoryOutcome::Cancelled { peer } => {
                self.busy.remove(&peer);
                Vec::new()
            }
            HistoryOutcome::Exported { peer, result } => {
                let note = match result {
                    Ok((file, count)) => {
                        format!("Exported {count} messages to {}.", file.display())
                    }
                    Err(problem) => format!("Nothing was exported: {problem}"),
                };
                self.busy.remove(&peer);
                self.notes.insert(peer, note);
                Vec::new()
            }
            HistoryOutcome::Imported { peer, result } => {
                self.busy.remove(&peer);
                match result {
                    Ok(report) => {
                        self.notes.insert(peer, report.sentence());
                        report.peers
                    }
                    Err(problem) => {
                        self.notes
                            .insert(peer, format!("Nothing was imported: {problem}"));
                        Vec::new()
                    }
                }
            }
        }
    }

    /// How the last export or import of this conversation went.
    pub fn note(&self, peer: &BareJid) -> Option<&str> {
        self.notes.get(peer).map(String::as_str)
    }
}

/// The History menu button of the conversation with `peer`.
pub fn menu(ui: &mut Ui, state: &AppState, files: &mut HistoryFilesView, peer: &BareJid) {
    ui.menu_button(MENU_LABEL, |ui| {
        let free = files.available && !files.busy.contains(peer);
        let hint = if files.available {
            BUSY_HINT
        } else {
            UNAVAILABLE_HINT
        };
        let account = state.own_jid();
        let export = ui
            .add_enabled(free, egui::Button::new(EXPORT_LABEL))
            .on_hover_text("Save this conversation as Nudge's XML, or as text (.txt)")
            .on_disabled_hover_text(hint);
        if export.clicked() {
            files.jobs.push(HistoryJob::Export {
                peer: peer.clone(),
                account: account.clone(),
            });
            files.busy.insert(peer.clone());
            ui.close();
        }
        let import = ui
            .add_enabled(free, egui::Button::new(IMPORT_LABEL))
            .on_hover_text(
                "Add the messages of a Nudge export, or of a Windows Live Messenger log \
                 with this contact",
            )
            .on_disabled_hover_text(hint);
        if import.clicked() {
            files.jobs.push(HistoryJob::Import {
                peer: peer.clone(),
                account,
                own_names: state.own_nickname.iter().cloned().collect(),
            });
            files.busy.insert(peer.clone());
            ui.close();
        }
    });
}

/// The line saying how the last export or import went, if there was one.
pub fn note(ui: &mut Ui, files: &HistoryFilesView, peer: &BareJid) {
    if let Some(note) = files.note(peer) {
        ui.label(RichText::new(note).color(theme::colours(ui).muted));
    }
}
