//! The settings window's file work — the autostart entry, the registered applications and the
//! program picker — on a thread of its own, so a slow disk or an open file dialog never holds
//! up a frame.
//!
//! The window queues [`FileJob`]s and reads [`FileOutcome`]s back; the waker gets them drained
//! at once. Jobs run one at a time in the order sent (switching autostart on and off quickly
//! ends off), except the file dialog, which waits for the user on a thread of its own.
//! Applications are registered with the same [`Registry`] code as `nudge apps register`, and a
//! running Nudge's watcher picks the change up as from any other writer.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use super::autostart::{Autostart, AutostartError, AutostartState};
use crate::apps::{AppsError, Guid, Registration, Registry};
use crate::core::Waker;

/// What the window asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileJob {
    /// Read the autostart entry.
    ReadAutostart,
    /// Write the autostart entry, or remove it when switched off.
    SetAutostart(AutostartState),
    /// Read the registered applications.
    LoadApps,
    /// Register an application; `replace` overwrites one with the same GUID, keeping the
    /// program arguments and app key the old registration had (the window edits neither).
    Register {
        /// The application.
        registration: Registration,
        /// Replace an application registered under the same GUID.
        replace: bool,
    },
    /// Remove an application's registration.
    Unregister(Guid),
    /// Ask the user for a program with the desktop's file dialog.
    PickProgram,
}

/// What came of a job.
#[derive(Debug)]
pub enum FileOutcome {
    /// The autostart entry as it is now (after reading or changing it).
    Autostart(Result<AutostartState, AutostartError>),
    /// The registered applications, sorted by name, and the files that could not be read.
    Apps {
        /// Every readable registration.
        apps: Vec<Registration>,
        /// One plain sentence per file that was skipped.
        problems: Vec<String>,
    },
    /// An application was registered (or why not).
    Registered(Result<Registration, AppsError>),
    /// An application's registration was removed (or why not).
    Unregistered(Result<Guid, AppsError>),
    /// The file dialog closed: the program chosen, if any.
    ProgramPicked(Option<PathBuf>),
}

/// Where the files are.
#[derive(Debug)]
pub struct SettingsPlaces {
    /// The profile's registered applications (`Profile::apps_dir`).
    pub apps_dir: PathBuf,
    /// The profile's autostart entry, or why there is none on this system.
    pub autostart: Result<Autostart, AutostartError>,
}

/// The window's end of the worker: jobs out, outcomes in. Dropping it ends the worker.
#[derive(Debug)]
pub struct SettingsFiles {
    jobs: mpsc::Sender<FileJob>,
    outcomes: mpsc::Receiver<FileOutcome>,
}

impl SettingsFiles {
    /// Starts the worker for `places`; `waker` wakes the window for each outcome.
    pub fn start(places: SettingsPlaces, waker: Waker) -> io::Result<Self> {
        let (jobs, job_rx) = mpsc::channel();
        let (outcome_tx, outcomes) = mpsc::channel();
        std::thread::Builder::new()
            .name("nudge-settings-files".into())
            .spawn(move || {
                let worker = Worker {
                    places,
                    outcomes: outcome_tx,
                    waker,
                };
                // Ends when the window drops its end.
                while let Ok(job) = job_rx.recv() {
                    worker.run(job);
                }
            })?;
        Ok(Self { jobs, outcomes })
    }

    /// Queues a job; false when the worker has stopped.
    pub fn request(&self, job: FileJob) -> bool {
        self.jobs.send(job).is_ok()
    }

    /// The outcomes that arrived since the last call, oldest first.
    pub fn outcomes(&self) -> Vec<FileOutcome> {
        self.outcomes.try_iter().collect()
    }
}

struct Worker {
    places: SettingsPlaces,
    outcomes: mpsc::Sender<FileOutcome>,
    waker: Waker,
}

impl Worker {
    fn run(&self, job: FileJob) {
        let outcome = match job {
            FileJob::ReadAutostart => FileOutcome::Autostart(self.autostart(|a| a.read())),
            FileJob::SetAutostart(state) => {
                FileOutcome::Autostart(self.autostart(|a| a.set(state)))
            }
            FileJob::LoadApps => load_apps(&self.places.apps_dir),
            FileJob::Register {
                registration,
                replace,
            } => FileOutcome::Registered(register(&self.places.apps_dir, registration, replace)),
            FileJob::Unregister(guid) => FileOutcome::Unregistered(
                Registry::load(&self.places.apps_dir)
                    .0
                    .unregister(&guid)
                    .map(|_| guid),
            ),
            FileJob::PickProgram => {
                pick_program(self.outcomes.clone(), self.waker.clone());
                return;
            }
        };
        send(&self.outcomes, &self.waker, outcome);
    }

    fn autostart(
        &self,
        job: impl FnOnce(&Autostart) -> Result<AutostartState, AutostartError>,
    ) -> Result<AutostartState, AutostartError> {
        match &self.places.autostart {
            Ok(autostart) => job(autostart),
            // The reason is reported each time the window asks: it cannot change while running.
            Err(_) => Err(AutostartError::Unsupported),
        }
    }
}

fn send(outcomes: &mpsc::Sender<FileOutcome>, waker: &Waker, outcome: FileOutcome) {
    if outcomes.send(outcome).is_ok() {
        waker();
    }
}

fn load_apps(dir: &Path) -> FileOutcome {
    let (registry, problems) = Registry::load(dir);
    FileOutcome::Apps {
        apps: registry.list().into_iter().cloned().collect(),
        problems,
    }
}

/// Registers through the registry, as `nudge apps register` does; a replacement keeps the
/// arguments and key of the registration it replaces.
fn register(
    dir: &Path,
    mut registration: Registration,
    replace: bool,
) -> Result<Registration, AppsError> {
    let (mut registry, _) = Registry::load(dir);
    if replace {
        if let Some(old) = registry.get(&registration.guid) {
            registration.args = old.args.clone();
            registration.key = old.key.clone();
        }
    }
    registry.register(registration.clone(), replace)?;
    Ok(registration)
}

/// Shows the desktop's file dialog on a thread of its own (it waits for the user). On Linux
/// rfd asks the XDG desktop portal, or zenity where no portal runs.
fn pick_program(outcomes: mpsc::Sender<FileOutcome>, waker: Waker) {
    let (dialog_outcomes, dialog_waker) = (outcomes.clone(), waker.clone());
    let spawned = std::thread::Builder::new()
        .name("nudge-file-dialog".into())
        .spawn(move || {
            let picked = rfd::FileDialog::new()
                .set_title("Choose the program to register")
                .pick_file();
            send(
                &dialog_outcomes,
                &dialog_waker,
                FileOutcome::ProgramPicked(picked),
            );
        });
    if let Err(error) = spawned {
        tracing::warn!("could not open the file dialog: {error}");
        // The window waits for an answer; no dialog means no program chosen.
        send(&outcomes, &waker, FileOutcome::ProgramPicked(None));
    }
}

#[cfg(test)]
mod tests;
